/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n.h>
#include <locale.h>

#include "verifier-application.h"

int
main (int argc, char *argv[])
{
	g_autoptr (VerifierApplication) app = NULL;

	bindtextdomain (GETTEXT_PACKAGE, VERIFIER_LOCALEDIR);
	bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
	textdomain (GETTEXT_PACKAGE);

	app = verifier_application_new ();
	return g_application_run (G_APPLICATION (app), argc, argv);
}
