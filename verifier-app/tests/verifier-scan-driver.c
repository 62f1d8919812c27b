/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The verifier app for tests/assurance/test-app-secret-scan, which starts
 * this program under ptrace and reads its memory (not a test of its own).
 * The app's own code, as verifier-test-e2e drives it:
 *
 *   verifier-scan-driver SOCKET URI_FILE DIR
 *
 * trusts the Annex D IACA (a trust directory in DIR), asks for the
 * driving-licence template over the local transport at SOCKET (where the
 * test passes the frames on to `tessera present`), scans a picture of the
 * QR code of the mdoc: URI in URI_FILE, and checks the verdict: Verified,
 * without a portrait (the holder declines it). It ends the session (End
 * Session), writes "result-shown" on stdout and waits, idle, with the result on screen,
 * for "quit" on stdin; the window is closed and main() returns.
 */

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "verifier-progress-page.h"
#include "verifier-result-page.h"
#include "verifier-session.h"
#include "verifier-test-common.h"
#include "verifier-window.h"

/* The holder's frames pass through the test on a loaded machine. */
#define TIMEOUT_MS (120 * 1000)

static gboolean
session_finished (gpointer data)
{
	VerifierWindow *window = data;
	const char *page = verifier_window_get_visible_page (window);

	if (g_strcmp0 (page, "result") == 0)
		return TRUE;
	/* A failure title; the working ones end with an ellipsis. */
	return g_strcmp0 (page, "progress") == 0 && !g_str_has_suffix (
	    verifier_progress_page_get_title (verifier_window_get_progress_page (window)), "…");
}

static void
on_notify_open (GObject *session, GParamSpec *pspec, gpointer data)
{
	(void) session;
	(void) pspec;
	*(gboolean *) data = TRUE;
}

/* Something to read on stdin: the test's "quit". */
static gboolean
on_stdin (int fd, GIOCondition condition, gpointer data)
{
	(void) fd;
	(void) condition;
	*(gboolean *) data = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
is_set (gpointer data)
{
	return *(gboolean *) data;
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GSettings) settings = NULL;
	g_autoptr (GFile) iaca = NULL;
	g_autoptr (GFile) qr = NULL;
	g_autofree char *iaca_path = NULL;
	g_autofree char *trust = NULL;
	g_autofree char *status = NULL;
	g_autofree char *qr_path = NULL;
	VerifierWindow *window;
	VerifierResultPage *page;
	VerifierSession *session;
	gboolean ended = FALSE;
	gboolean quit = FALSE;
	char line[16] = "";

	vt_init (&argc, &argv);
	if (argc != 4)
		g_error ("usage: %s SOCKET URI_FILE DIR", argv[0]);
	iaca_path = vt_data_path ("annex-d/iaca_cert.pem");
	iaca = g_file_new_for_path (iaca_path);
	trust = g_build_filename (argv[3], "trust", NULL);
	status = g_build_filename (argv[3], "status", NULL);
	qr_path = g_build_filename (argv[3], "qr.png", NULL);

	/* What a user sets up once: trust, what to ask, where the wallet is
	 * (the settings are in memory: GSETTINGS_BACKEND=memory). */
	settings = g_settings_new ("org.tessera.Verifier");
	g_settings_set_string (settings, "trust-dir", trust);
	g_settings_set_string (settings, "status-list-dir", status);
	g_settings_set_string (settings, "transport", "local");
	g_settings_set_string (settings, "local-socket", argv[1]);
	g_settings_set_string (settings, "request-template", "driving-licence");
	g_settings_set_uint (settings, "session-timeout", 120);

	window = verifier_window_new (NULL);
	g_object_ref_sink (window);
	g_assert_cmpuint (verifier_trust_store_import_file (verifier_window_get_trust_store (window),
	    iaca, &error), ==, 1);
	g_assert_no_error (error);
	verifier_window_set_verification_time (window, VT_ANNEX_D_NOW);
	gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
	gtk_window_present (GTK_WINDOW (window));
	vt_iterate (100);

	vt_write_qr_png (argv[2], qr_path);
	qr = g_file_new_for_path (qr_path);
	verifier_window_scan_file (window, qr);
	g_assert_true (vt_wait_until (session_finished, window, TIMEOUT_MS));
	page = verifier_window_get_result_page (window);
	g_assert_cmpstr (verifier_window_get_visible_page (window), ==, "result");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	g_assert_false (verifier_result_page_has_portrait (page));
	/* The session stays open for "Request More…" (its keys with it, by
	 * design) until the user ends it: status 20, the keys freed, the
	 * result still on screen. */
	session = verifier_window_get_session (window);
	g_assert_true (verifier_session_get_open (session));
	g_signal_connect (session, "notify::open", G_CALLBACK (on_notify_open), &ended);
	g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.end-session", NULL));
	g_assert_true (vt_wait_until (is_set, &ended, TIMEOUT_MS));
	g_assert_false (verifier_session_get_open (session));
	g_assert_cmpstr (verifier_window_get_visible_page (window), ==, "result");
	vt_iterate (300);
	printf ("result-shown\n");
	fflush (stdout);
	/* The main loop goes on, as the app's would, until the test says. */
	g_unix_fd_add (STDIN_FILENO, G_IO_IN, on_stdin, &quit);
	g_assert_true (vt_wait_until (is_set, &quit, TIMEOUT_MS));
	g_assert_nonnull (fgets (line, sizeof line, stdin));
	g_assert_cmpstr (line, ==, "quit\n");

	gtk_window_destroy (GTK_WINDOW (window));
	g_object_unref (window);
	vt_iterate (200);
	vt_rm_rf (trust);
	vt_rm_rf (status);
	g_unlink (qr_path);
	return 0;
}
