/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "wallet-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WalletApplication) app = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, WALLET_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                            WALLET_APP_ID, TRUE);
  if (schema == NULL)
    {
      g_printerr ("tessera-wallet: the GSettings schema %s is not installed "
                  "(install with `meson install`, or run inside `meson devenv`)\n",
                  WALLET_APP_ID);
      return 1;
    }

  app = wallet_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
