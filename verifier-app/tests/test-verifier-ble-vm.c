/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The verifier app over a real radio stack: run by tests/ble-vm/guest-apps.sh
 * in the QEMU guest of vm-boot.sh (bluetoothd, two btvirt controllers on
 * one simulated radio), under Xvfb. `tessera present --transport
 * ble:VT_BLE_HOLDER_ADAPTER` (the holder, CLI) writes its engagement; the
 * verifier window opens a picture of the QR code, runs the session over
 * the air from VT_BLE_READER_ADAPTER and shows the verdict.
 *
 * The only test hook is the adapter: with two controllers on one
 * bluetoothd, the app's default (the first powered adapter, in D-Bus
 * order) could be the holder's, so the app is given its own.
 *
 * Without bluetoothd or the adapter (any machine but the guest) every
 * case is skipped with the reason.
 */

#include <glib/gstdio.h>
#include <string.h>

#include "verifier-progress-page.h"
#include "verifier-session.h"
#include "verifier-test-common.h"
#include "verifier-window.h"

/* TCG emulation in the guest runs the app, the holder and bluetoothd
 * several times slower than a real machine: bounded, but generous. The
 * holder's BLE start (GATT service and advertisement registered) took
 * from a few seconds to a minute there; the whole session, from the scan to the verdict,
 * up to a minute and a half when the guest's vCPUs are shared. */
#define HOLDER_START_TIMEOUT_MS 120000
#define SESSION_TIMEOUT_S       120
#define VERDICT_TIMEOUT_MS      ((SESSION_TIMEOUT_S + 30) * 1000)
/* The holder's own bound, above the verifier's. */
#define HOLDER_TIMEOUT_S        "180"

typedef struct {
	char *dir;
	char *uri_file;
	char *qr_png;
	char *holder_err;
	GSubprocess *holder;
	VerifierWindow *window;
	GSettings *settings;
	gboolean l2cap;            /* the app's "Use L2CAP Channel" and the holder's --ble-l2cap */
	guint links_made;          /* by the app, through link_func */
	GPtrArray *titles;         /* the progress page's titles, in order */
	gint64 started_us;
} Fixture;

/* libtessera's debug messages in this process: the verifier's side of
 * the link (its session runs in a worker thread). */
static GMutex library_log_lock;
static GString *library_log;

static void
collect_library_log (const char *message, void *user)
{
	(void) user;
	g_mutex_lock (&library_log_lock);
	g_string_append_printf (library_log, "%s\n", message);
	g_mutex_unlock (&library_log_lock);
}

/* What libtessera has logged so far, and a fresh log for the next case. */
static char *
take_library_log (void)
{
	char *log;

	g_mutex_lock (&library_log_lock);
	log = g_strdup (library_log->str);
	g_string_truncate (library_log, 0);
	g_mutex_unlock (&library_log_lock);
	return log;
}

static const char *
adapter (const char *variable, const char *fallback)
{
	const char *a = g_getenv (variable);

	return a != NULL ? a : fallback;
}

static int
link_func (tsr_ble_link_t **ret_link, gpointer user_data)
{
	Fixture *f = user_data;

	f->links_made++;
	return tsr_ble_link_bluez_new (adapter ("VT_BLE_READER_ADAPTER", "hci0"), ret_link);
}

/* Why the cases cannot run here, or NULL when they can. */
static const char *
why_no_radio (void)
{
	tsr_ble_link_t *link = NULL;
	int err = tsr_ble_link_bluez_new (adapter ("VT_BLE_READER_ADAPTER", "hci0"), &link);

	tsr_ble_link_free (link);
	if (err == TSR_OK)
		return NULL;
	return err == TSR_ERR_TRANSPORT_BLE_NO_BLUEZ ? "no bluetoothd on the system bus" :
	    "no powered Bluetooth adapter for the verifier (run in the guest of tests/ble-vm)";
}

static void
note (Fixture *f, const char *what)
{
	g_test_message ("%.1f s: %s", (g_get_monotonic_time () - f->started_us) / 1e6, what);
}

static gboolean
setup (Fixture *f, const char *transport, gboolean l2cap)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *trust = NULL;
	g_autofree char *status = NULL;
	const char *why = why_no_radio ();

	memset (f, 0, sizeof *f);
	if (why != NULL) {
		g_test_skip (why);
		return FALSE;
	}
	f->started_us = g_get_monotonic_time ();
	f->l2cap = l2cap;
	g_free (take_library_log ());
	f->titles = g_ptr_array_new_with_free_func (g_free);
	f->dir = g_dir_make_tmp ("verifier-ble-vm-XXXXXX", &error);
	g_assert_no_error (error);
	f->uri_file = g_build_filename (f->dir, "uri", NULL);
	f->qr_png = g_build_filename (f->dir, "qr.png", NULL);
	f->holder_err = g_build_filename (f->dir, "holder.err", NULL);
	trust = g_build_filename (f->dir, "iaca", NULL);
	status = g_build_filename (f->dir, "status", NULL);
	verifier_session_set_ble_link_func (link_func, f);

	/* What a user sets up once: trust, what to ask, how to reach the wallet. */
	f->settings = g_settings_new ("org.tessera.Verifier");
	g_settings_set_string (f->settings, "trust-dir", trust);
	g_settings_set_string (f->settings, "status-list-dir", status);
	g_settings_set_string (f->settings, "transport", transport);
	g_settings_set_string (f->settings, "request-template", "driving-licence");
	g_settings_set_uint (f->settings, "session-timeout", SESSION_TIMEOUT_S);
	g_settings_set_boolean (f->settings, "ble-l2cap", l2cap);

	f->window = vt_annex_d_window_new ();
	note (f, "the verifier window is up");
	return TRUE;
}

static void
teardown (Fixture *f)
{
	if (f->window == NULL)
		return;
	/* Closing the window ends a session still open, so the holder exits. */
	gtk_window_destroy (GTK_WINDOW (f->window));
	g_object_unref (f->window);
	vt_iterate (20);
	vt_cli_holder_stop (&f->holder);
	verifier_session_set_ble_link_func (NULL, NULL);
	g_settings_reset (f->settings, "trust-dir");
	g_settings_reset (f->settings, "status-list-dir");
	g_settings_reset (f->settings, "transport");
	g_settings_reset (f->settings, "session-timeout");
	g_settings_reset (f->settings, "request-template");
	g_settings_reset (f->settings, "ble-l2cap");
	g_clear_object (&f->settings);
	vt_rm_rf (f->dir);
	g_free (f->dir);
	g_free (f->uri_file);
	g_free (f->qr_png);
	g_free (f->holder_err);
	g_ptr_array_unref (f->titles);
}

/* The holder, the reference CLI: presents the Annex D mDL over BLE in
 * @ble_mode on its own controller, consenting to all; its -v log in
 * holder_err says which path the messages took. */
static void
start_holder (Fixture *f, const char *ble_mode)
{
	g_autofree char *issuer_signed = vt_data_path ("annex-d/issuer_signed.cbor");
	g_autofree char *transport = g_strconcat ("ble:",
	    adapter ("VT_BLE_HOLDER_ADAPTER", "hci1"), NULL);
	const char *const options[] = { "--ble-mode", ble_mode, f->l2cap ? "--ble-l2cap" : NULL,
	    NULL };

	f->holder = vt_cli_holder_start (transport, issuer_signed, HOLDER_TIMEOUT_S, options,
	    f->uri_file, f->holder_err, HOLDER_START_TIMEOUT_MS);
	note (f, "the holder wrote its engagement");
}

static void
on_status_title (AdwStatusPage *status, GParamSpec *pspec, Fixture *f)
{
	const char *title = adw_status_page_get_title (status);

	(void) pspec;
	if (title != NULL && *title != '\0') {
		g_ptr_array_add (f->titles, g_strdup (title));
		note (f, title);
	}
}

/* Notes every title the progress page's status pages show, as it is set:
 * a fast session shows "Connecting over Bluetooth…" only for a moment. */
static void
watch_titles (Fixture *f, GtkWidget *widget)
{
	if (ADW_IS_STATUS_PAGE (widget))
		g_signal_connect (widget, "notify::title", G_CALLBACK (on_status_title), f);
	for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
	    child = gtk_widget_get_next_sibling (child))
		watch_titles (f, child);
}

static gboolean
title_seen (Fixture *f, const char *title)
{
	for (guint i = 0; i < f->titles->len; i++)
		if (g_strcmp0 (g_ptr_array_index (f->titles, i), title) == 0)
			return TRUE;
	return FALSE;
}

/* The session's messages went over an L2CAP channel, and not a GATT
 * fallback: the holder listened on a PSM and named it in its engagement;
 * the verifier took it from there, connected and opened over L2CAP, with
 * no "using GATT" on the way; the holder opened over L2CAP too, and its
 * GATT server was never written to or subscribed to (where the messages
 * of a GATT session go). */
static void
assert_over_l2cap (const char *holder_log, const char *verifier_log)
{
	g_autofree char *psm = NULL;
	g_autofree char *from_engagement = NULL;
	const char *listening = strstr (holder_log, "bluez: L2CAP listening on PSM 0x");

	if (listening == NULL || strstr (holder_log, "ble: open over L2CAP") == NULL ||
	    strstr (holder_log, "GattCharacteristic1.WriteValue") != NULL ||
	    strstr (holder_log, "GattCharacteristic1.StartNotify") != NULL) {
		g_test_message ("holder stderr:\n%s", holder_log);
		g_error ("the holder did not carry the session over L2CAP alone");
	}
	psm = g_strndup (listening + strlen ("bluez: L2CAP listening on PSM "), 6);
	from_engagement = g_strdup_printf ("ble: L2CAP PSM %s from the engagement", psm);
	if (strstr (verifier_log, from_engagement) == NULL ||
	    strstr (verifier_log, "ble: open over L2CAP") == NULL ||
	    strstr (verifier_log, "using GATT") != NULL) {
		g_test_message ("verifier's libtessera log:\n%s", verifier_log);
		g_error ("the verifier did not open PSM %s from the engagement over L2CAP", psm);
	}
	g_test_message ("L2CAP on PSM %s, from the holder's engagement", psm);
}

/* Scans the holder's QR code picture, runs the session over the air and
 * checks the verdict page. */
static void
verify_over_the_air (Fixture *f, const char *ble_mode)
{
	g_autoptr (GFile) file = NULL;
	g_autofree char *text = NULL;
	g_autofree char *holder_log = NULL;
	g_autofree char *verifier_log = NULL;
	VerifierResultPage *page = verifier_window_get_result_page (f->window);

	watch_titles (f, GTK_WIDGET (verifier_window_get_progress_page (f->window)));
	start_holder (f, ble_mode);
	vt_write_qr_png (f->uri_file, f->qr_png);
	file = g_file_new_for_path (f->qr_png);
	verifier_window_scan_file (f->window, file);
	g_assert_true (vt_poll_until (vt_session_finished, f->window, VERDICT_TIMEOUT_MS));
	vt_iterate (100);
	note (f, "the session is over");
	text = vt_collect_text (GTK_WIDGET (f->window));
	if (g_strcmp0 (verifier_window_get_visible_page (f->window), "result") != 0) {
		g_autofree char *log = NULL;

		g_file_get_contents (f->holder_err, &log, NULL, NULL);
		g_test_message ("holder stderr:\n%s", log);
		g_error ("no verdict: %s\n%s", verifier_progress_page_get_title (
		    verifier_window_get_progress_page (f->window)), verifier_progress_page_get_description (
		    verifier_window_get_progress_page (f->window)));
	}
	/* It went over the air: through the app's BLE link, and both sides
	 * say which path the messages took (the line comes when the link
	 * opens). */
	g_assert_cmpuint (f->links_made, ==, 1);
	g_assert_true (title_seen (f, "Connecting over Bluetooth…"));
	g_assert_true (g_file_get_contents (f->holder_err, &holder_log, NULL, NULL));
	verifier_log = take_library_log ();
	if (f->l2cap)
		assert_over_l2cap (holder_log, verifier_log);
	else {
		g_assert_nonnull (strstr (holder_log, "ble: open over GATT"));
		g_assert_nonnull (strstr (verifier_log, "ble: open over GATT"));
	}

	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	g_assert_true (verifier_result_page_has_portrait (page));
	/* The driving-licence template's elements Annex D holds. */
	g_assert_nonnull (strstr (text, "Family name\nDoe\n"));
	g_assert_nonnull (strstr (text, "Licence number\n123456789\n"));
	g_assert_nonnull (strstr (text, "Date of expiry\n"));
	g_assert_nonnull (strstr (text, "Driving privileges\n"));
	g_assert_nonnull (strstr (text, "Authenticated with the session key (MAC)"));
	g_assert_null (strstr (text, "not proven"));
}

/* Automatic (the default): the code offers BLE peripheral server mode. */
static void
test_peripheral_verified (void)
{
	Fixture f;

	if (setup (&f, "auto", FALSE))
		verify_over_the_air (&f, "peripheral");
	teardown (&f);
}

/* "Use L2CAP Channel" on, and the holder's --ble-l2cap: the holder names
 * its PSM in the engagement (BleOptions 21) and the verifier connects to
 * it without reading the L2CAP characteristic. */
static void
test_peripheral_verified_l2cap (void)
{
	Fixture f;

	if (setup (&f, "auto", TRUE))
		verify_over_the_air (&f, "peripheral");
	teardown (&f);
}

/* Bluetooth chosen: the holder connects to the verifier's GATT server. */
static void
test_central_verified (void)
{
	Fixture f;

	if (setup (&f, "ble", FALSE))
		verify_over_the_air (&f, "central");
	teardown (&f);
}

int
main (int argc, char *argv[])
{
	vt_init (&argc, &argv);
	library_log = g_string_new (NULL);
	tsr_log_set_handler (collect_library_log, NULL);
	g_test_add_func ("/verifier/ble-vm/peripheral-verified", test_peripheral_verified);
	g_test_add_func ("/verifier/ble-vm/peripheral-verified-l2cap",
	    test_peripheral_verified_l2cap);
	g_test_add_func ("/verifier/ble-vm/central-verified", test_central_verified);
	return g_test_run ();
}
