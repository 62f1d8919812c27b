/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Screenshots of every page at phone (360x720) and desktop (1280x800)
 * sizes, for docs/screenshots/. Run with `meson compile -C BUILD
 * verifier-screenshots` (needs Xvfb); not a test.
 */

#include <glib/gstdio.h>
#include <string.h>
#include <tessera/issuer.h>

#include "verifier-session.h"
#include "verifier-test-common.h"
#include "verifier-window.h"

static const char *out_dir;

static void
shoot (VerifierWindow *window, const char *page, int w, int h)
{
	g_autofree char *name = g_strdup_printf ("verifier-%s-%dx%d.png", page, w, h);
	g_autofree char *path = g_build_filename (out_dir, name, NULL);
	g_autoptr (GError) error = NULL;

	vt_iterate (300);
	if (!vt_screenshot (GTK_WIDGET (window), path, &error))
		g_error ("%s: %s", path, error->message);
	g_print ("wrote %s\n", path);
}

static gpointer
silent_holder (gpointer data)
{
	tsr_transport_t *t = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;

	if (tsr_transport_local_listen (data, 10000, &t) != TSR_OK)
		return NULL;
	if (tsr_transport_receive (t, 10000, &msg, &len) == TSR_OK)
		tsr_free (msg);
	g_usleep (3 * G_USEC_PER_SEC);
	tsr_transport_free (t);
	return NULL;
}

static gboolean
waiting (gpointer data)
{
	const char *title = verifier_progress_page_get_title (data);

	return g_str_has_prefix (title, "Waiting");
}

static gboolean
ble_failed (gpointer data)
{
	return g_strcmp0 (verifier_progress_page_get_title (data), "Bluetooth Unavailable") == 0;
}

static gboolean
page_is (VerifierWindow *window, const char *page)
{
	return g_strcmp0 (verifier_window_get_visible_page (window), page) == 0;
}

static gboolean
showing_result (gpointer window)
{
	return page_is (window, "result");
}

static gboolean
holder_ended_shown (gpointer window)
{
	return verifier_result_page_get_holder_ended (verifier_window_get_result_page (window));
}

/* Scrolls the first scrolled window under @widget to its end. */
static gboolean
scroll_to_end (GtkWidget *widget)
{
	if (GTK_IS_SCROLLED_WINDOW (widget)) {
		GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (widget));

		gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
		    gtk_adjustment_get_page_size (adj));
		return TRUE;
	}
	for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
	    c = gtk_widget_get_next_sibling (c))
		if (gtk_widget_get_visible (c) && scroll_to_end (c))
			return TRUE;
	return FALSE;
}

static gboolean
session_ended (gpointer data)
{
	return g_str_has_suffix (verifier_progress_page_get_title (data), "Session");
}

/* "Request More…": the date of issue, then "Send". */
static void
request_more (VerifierWindow *window, int w, int h, const char *shot)
{
	verifier_window_request_more (window);
	g_assert_true (vt_activate_row (GTK_WIDGET (verifier_window_get_more_page (window)),
	    "issue_date"));
	if (shot != NULL)
		shoot (window, shot, w, h);
	verifier_window_send_more (window);
}

/* A holder that ends the session while its verdict is shown; two
 * requests in one session; a holder that ends the session before the
 * second. */
static void
run_sessions (VerifierWindow *window, const char *socket, int w, int h)
{
	VtHolder holder = { 0 };
	g_autofree char *uri = vt_holder_start (&holder, socket, 1);

	/* First, before any toast: it ends the session while its verdict is
	 * shown. */
	verifier_window_start_session (window, uri);
	g_assert_true (vt_wait_until (showing_result, window, 20000));
	vt_holder_end (&holder);
	if (vt_wait_until (holder_ended_shown, window, 10000))
		shoot (window, "result-holder-ended", w, h);
	vt_holder_clear (&holder);
	verifier_window_cancel_session (window);

	memset (&holder, 0, sizeof holder);
	g_free (uri);
	uri = vt_holder_start (&holder, socket, 0);
	verifier_window_start_session (window, uri);
	g_assert_true (vt_wait_until (showing_result, window, 20000));
	shoot (window, "result-session-open", w, h);
	request_more (window, w, h, "request-more");
	vt_wait_until (showing_result, window, 20000);
	shoot (window, "result-request-2", w, h);
	verifier_window_end_session (window);
	vt_wait_until (vt_holder_done, &holder, 10000);
	vt_holder_clear (&holder);

	memset (&holder, 0, sizeof holder);
	g_free (uri);
	uri = vt_holder_start (&holder, socket, 1);
	verifier_window_start_session (window, uri);
	g_assert_true (vt_wait_until (showing_result, window, 20000));
	vt_holder_end (&holder);
	request_more (window, w, h, NULL);
	if (vt_wait_until (session_ended, verifier_window_get_progress_page (window), 10000))
		shoot (window, "progress-session-ended", w, h);
	vt_holder_clear (&holder);
	verifier_window_cancel_session (window);

}

static void
run (int w, int h, const char *dir)
{
	g_autoptr (GSettings) settings = g_settings_new ("org.tessera.Verifier");
	g_autofree char *trust = g_build_filename (dir, "iaca", NULL);
	g_autofree char *status = g_build_filename (dir, "status", NULL);
	g_autofree char *socket = g_strdup_printf ("%s/holder-%d.sock", dir, w);
	g_autofree char *iaca_path = vt_data_path ("annex-d/iaca_cert.pem");
	g_autofree char *reader_cert = vt_data_path ("reader/reader.pem");
	g_autofree char *reader_key = vt_data_path ("reader/reader_key.pem");
	g_autofree char *list_path = g_build_filename (dir, "list.cwt", NULL);
	g_autoptr (GFile) iaca = g_file_new_for_path (iaca_path);
	g_autoptr (GFile) list = g_file_new_for_path (list_path);
	g_autoptr (VerifierResult) good = vt_annex_d_result (VT_ANNEX_D_VALID);
	g_autoptr (VerifierResult) bad = vt_annex_d_result (VT_ANNEX_D_TAMPERED);
	VerifierWindow *window;
	tsr_holder_session_t *hs = NULL;
	char *uri = NULL;
	GThread *thread;

	g_settings_set_string (settings, "trust-dir", trust);
	g_settings_set_string (settings, "status-list-dir", status);
	g_settings_set_string (settings, "local-socket", socket);
	g_settings_set_string (settings, "reader-cert", reader_cert);
	g_settings_set_string (settings, "reader-key", reader_key);
	g_settings_set_boolean (settings, "reader-auth", TRUE);
	g_settings_set_string (settings, "request-template", "driving-licence");
	g_settings_set_uint (settings, "session-timeout", 60);
	g_settings_set_int (settings, "window-width", w);
	g_settings_set_int (settings, "window-height", h);

	window = verifier_window_new (NULL);
	verifier_window_set_verification_time (window, VT_ANNEX_D_NOW);
	verifier_trust_store_import_file (verifier_window_get_trust_store (window), iaca, NULL);
	verifier_trust_store_import_status_list (verifier_window_get_trust_store (window), list, NULL);
	vt_disable_transitions (GTK_WIDGET (window));
	gtk_window_present (GTK_WINDOW (window));

	verifier_window_show_page (window, "scan");
	shoot (window, "scan", w, h);
	verifier_window_show_page (window, "request");
	shoot (window, "request", w, h);
	/* The connection settings at the end of the page. */
	vt_iterate (100);
	g_assert_true (scroll_to_end (GTK_WIDGET (verifier_window_get_request_page (window))));
	shoot (window, "request-connection", w, h);
	verifier_window_show_page (window, "trust");
	shoot (window, "trust", w, h);

	g_assert_cmpint (tsr_holder_session_new (NULL, &hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
	thread = g_thread_new ("holder", silent_holder, socket);
	verifier_window_start_session (window, uri);
	vt_wait_until (waiting, verifier_window_get_progress_page (window), 10000);
	shoot (window, "progress", w, h);
	verifier_window_cancel_session (window);
	g_thread_join (thread);
	tsr_free (uri);
	tsr_holder_session_free (hs);

	/* A code offering Bluetooth on a computer without it (this one). */
	{
		tsr_engagement_ble_t ble = { .peripheral_server = true };

		memset (ble.uuid, 0x42, sizeof ble.uuid);
		g_assert_cmpint (tsr_holder_session_new (&ble, &hs), ==, TSR_OK);
		g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
		verifier_window_start_session (window, uri);
		if (vt_wait_until (ble_failed, verifier_window_get_progress_page (window), 10000))
			shoot (window, "progress-ble-unavailable", w, h);
		verifier_window_cancel_session (window);
		tsr_free (uri);
		tsr_holder_session_free (hs);
	}

	run_sessions (window, socket, w, h);

	verifier_window_show_result (window, good);
	shoot (window, "result", w, h);
	verifier_window_show_result (window, bad);
	shoot (window, "result-not-verified", w, h);

	gtk_window_destroy (GTK_WINDOW (window));
	vt_iterate (50);
}

static gboolean
waiting_for_trust (gpointer data)
{
	return g_str_has_prefix (verifier_progress_page_get_title (data), "Reading");
}

static gboolean
trust_loaded (gpointer window)
{
	return verifier_trust_store_get_loaded (verifier_window_get_trust_store (window));
}

/* A trust folder on slow storage (a FIFO that holds the read up): the
 * Trust page while it is read, a scan that waits for it, then the file
 * that cannot be used. */
static void
run_trust_loading (int w, int h, const char *dir)
{
	g_autoptr (GSettings) settings = g_settings_new ("org.tessera.Verifier");
	g_autofree char *trust = g_strdup_printf ("%s/iaca-slow-%d", dir, w);
	g_autofree char *socket = g_strdup_printf ("%s/holder-slow-%d.sock", dir, w);
	g_autofree char *slow = vt_make_slow_file (trust, "broken.pem");
	g_autoptr (GBytes) iaca = vt_data ("annex-d/iaca_cert.pem");
	g_autofree char *iaca_path = g_build_filename (trust, "annex-d.pem", NULL);
	VtHolder holder = { 0 };
	g_autofree char *uri = NULL;
	VerifierWindow *window;

	g_assert_true (g_file_set_contents (iaca_path, g_bytes_get_data (iaca, NULL),
	    (gssize) g_bytes_get_size (iaca), NULL));
	g_settings_set_string (settings, "trust-dir", trust);
	g_settings_set_string (settings, "local-socket", socket);
	g_settings_set_int (settings, "window-width", w);
	g_settings_set_int (settings, "window-height", h);
	window = verifier_window_new (NULL);
	verifier_window_set_verification_time (window, VT_ANNEX_D_NOW);
	vt_disable_transitions (GTK_WIDGET (window));
	gtk_window_present (GTK_WINDOW (window));
	verifier_window_show_page (window, "trust");
	shoot (window, "trust-loading", w, h);

	uri = vt_holder_start (&holder, socket, 0);
	verifier_window_start_session (window, uri);
	if (vt_wait_until (waiting_for_trust, verifier_window_get_progress_page (window), 10000))
		shoot (window, "progress-trust-wait", w, h);
	vt_release_slow_file (slow);
	vt_wait_until (showing_result, window, 10000);
	verifier_window_scan_next (window);
	vt_wait_until (vt_holder_done, &holder, 10000);
	vt_holder_clear (&holder);
	vt_wait_until (trust_loaded, window, 10000);
	verifier_window_show_page (window, "trust");
	shoot (window, "trust-problems", w, h);
	gtk_window_destroy (GTK_WINDOW (window));
	vt_iterate (50);
}

int
main (int argc, char *argv[])
{
	g_autofree char *dir = NULL;
	g_autofree char *list = NULL;

	vt_init (&argc, &argv);
	if (argc != 2) {
		g_printerr ("usage: verifier-screenshots OUTDIR\n");
		return 2;
	}
	out_dir = argv[1];
	g_mkdir_with_parents (out_dir, 0755);
	dir = g_dir_make_tmp ("verifier-shots-XXXXXX", NULL);
	list = g_build_filename (dir, "list.cwt", NULL);
	vt_make_status_list (list);
	run (360, 720, dir);
	run (1280, 800, dir);
	run_trust_loading (360, 720, dir);
	run_trust_loading (1280, 800, dir);
	return 0;
}
