/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-application.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <tessera/tessera.h>

#include "verifier-actions.h"
#include "verifier-qr-scanner.h"
#include "verifier-window.h"

struct _VerifierApplication {
	AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (VerifierApplication, verifier_application, ADW_TYPE_APPLICATION)

gint64
verifier_test_hook_now (void)
{
	const char *value = g_getenv ("TESSERA_VERIFIER_NOW");
	int64_t t;

	if (value == NULL || *value == '\0')
		return 0;
	if (tsr_time_parse (value, &t) != TSR_OK) {
		g_message ("TESSERA_VERIFIER_NOW='%s' is not a UTC time like 2021-01-01T00:00:00Z", value);
		return 0;
	}
	g_message ("Test hook: verifying as if it were %s (TESSERA_VERIFIER_NOW)", value);
	return t;
}

static VerifierWindow *
get_window (VerifierApplication *self)
{
	GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
	VerifierWindow *win;

	if (VERIFIER_IS_WINDOW (window))
		return VERIFIER_WINDOW (window);
	win = verifier_window_new (GTK_APPLICATION (self));
	verifier_window_set_verification_time (win, verifier_test_hook_now ());
	return win;
}

static void
verifier_application_activate (GApplication *app)
{
	gtk_window_present (GTK_WINDOW (get_window (VERIFIER_APPLICATION (app))));
}

/* `tessera-verifier qr.png` scans the picture; `tessera-verifier mdoc:…`
 * starts a session with that engagement. */
static void
verifier_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
	VerifierWindow *win = get_window (VERIFIER_APPLICATION (app));
	g_autofree char *uri = NULL;

	(void) hint;
	gtk_window_present (GTK_WINDOW (win));
	if (n_files < 1)
		return;
	uri = g_file_get_uri (files[0]);
	if (verifier_qr_is_engagement (uri))
		verifier_window_start_session (win, uri);
	else
		verifier_window_scan_file (win, files[0]);
}

static void
verifier_application_startup (GApplication *app)
{
	g_autoptr (GError) error = NULL;

	G_APPLICATION_CLASS (verifier_application_parent_class)->startup (app);
	/* Without GStreamer there is no camera; images still open through GDK. */
	if (!gst_init_check (NULL, NULL, &error))
		g_message ("GStreamer is not available: %s", error->message);
	verifier_actions_install_app (ADW_APPLICATION (app));
}

static void
verifier_application_class_init (VerifierApplicationClass *klass)
{
	GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

	app_class->activate = verifier_application_activate;
	app_class->open = verifier_application_open;
	app_class->startup = verifier_application_startup;
}

static void
verifier_application_init (VerifierApplication *self)
{
	(void) self;
}

VerifierApplication *
verifier_application_new (void)
{
	return g_object_new (VERIFIER_TYPE_APPLICATION,
	    "application-id", VERIFIER_APP_ID,
	    "flags", G_APPLICATION_HANDLES_OPEN,
	    "resource-base-path", "/org/tessera/Verifier",
	    NULL);
}
