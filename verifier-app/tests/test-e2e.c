/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * End to end: `tessera present` (the holder) waits on the local transport
 * and writes its engagement; the verifier window opens a picture of the QR
 * code, runs the session and shows the verdict. Also the holder that goes
 * away, and the one that never answers.
 *
 * Several requests in one session: an in-process holder answers the
 * first request and then, after "Request More…", the second in the same
 * session, and sees the verifier end it with status 20; or it ends the
 * session itself before the second request.
 *
 * Bluetooth: this host has no bluetoothd, so a code that offers BLE shows
 * "Connecting over Bluetooth…" and then the plain-words BLE error; a code
 * without BLE still uses the local transport in Automatic.
 */

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <string.h>

#include "verifier-error.h"
#include "verifier-progress-page.h"
#include "verifier-request.h"
#include "verifier-session.h"
#include "verifier-test-common.h"
#include "verifier-window.h"

typedef struct {
	char *dir;
	char *socket;
	char *uri_file;
	char *qr_png;
	GSubprocess *holder;
	VerifierWindow *window;
	GSettings *settings;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *trust = NULL;
	g_autofree char *status = NULL;

	(void) data;
	f->dir = g_dir_make_tmp ("verifier-e2e-XXXXXX", &error);
	g_assert_no_error (error);
	f->socket = g_build_filename (f->dir, "holder.sock", NULL);
	f->uri_file = g_build_filename (f->dir, "uri", NULL);
	f->qr_png = g_build_filename (f->dir, "qr.png", NULL);
	trust = g_build_filename (f->dir, "iaca", NULL);
	status = g_build_filename (f->dir, "status", NULL);

	/* What a user sets up once: trust, what to ask, where the wallet is. */
	f->settings = g_settings_new ("org.tessera.Verifier");
	g_settings_set_string (f->settings, "trust-dir", trust);
	g_settings_set_string (f->settings, "status-list-dir", status);
	g_settings_set_string (f->settings, "transport", "local");
	g_settings_set_string (f->settings, "local-socket", f->socket);
	g_settings_set_string (f->settings, "request-template", "driving-licence");
	g_settings_set_uint (f->settings, "session-timeout", 20);

	f->window = vt_annex_d_window_new ();
}

static void
teardown (Fixture *f, gconstpointer data)
{
	(void) data;
	/* Closing the window ends a session still open, so the holder exits. */
	gtk_window_destroy (GTK_WINDOW (f->window));
	g_object_unref (f->window);
	vt_iterate (20);
	vt_cli_holder_stop (&f->holder);
	g_settings_reset (f->settings, "trust-dir");
	g_settings_reset (f->settings, "status-list-dir");
	g_settings_reset (f->settings, "local-socket");
	g_settings_reset (f->settings, "session-timeout");
	g_settings_reset (f->settings, "request-template");
	g_settings_reset (f->settings, "request-elements");
	g_clear_object (&f->settings);
	vt_rm_rf (f->dir);
	g_free (f->dir);
	g_free (f->socket);
	g_free (f->uri_file);
	g_free (f->qr_png);
}

/* The holder, as the reference CLI: waits on the socket, consents to all;
 * gives up (closing the connection) after @timeout seconds without a
 * request. */
static void
start_holder_with_timeout (Fixture *f, const char *issuer_signed, const char *timeout)
{
	g_autofree char *transport = g_strconcat ("local:", f->socket, NULL);

	f->holder = vt_cli_holder_start (transport, issuer_signed, timeout, NULL, f->uri_file,
	    NULL, 15000);
}

static void
start_holder (Fixture *f, const char *issuer_signed)
{
	start_holder_with_timeout (f, issuer_signed, "30");
}

/* The QR code the holder shows, as a picture the verifier opens. */
static void
render_qr (Fixture *f)
{
	vt_write_qr_png (f->uri_file, f->qr_png);
}

static char *
scan_and_wait (Fixture *f, const char *shot)
{
	g_autoptr (GFile) file = g_file_new_for_path (f->qr_png);

	verifier_window_scan_file (f->window, file);
	g_assert_true (vt_wait_until (vt_session_finished, f->window, 40000));
	vt_iterate (100);
	if (shot != NULL && g_getenv ("VT_OUTPUT_DIR") != NULL) {
		g_autofree char *path = g_build_filename (g_getenv ("VT_OUTPUT_DIR"), shot, NULL);
		g_autoptr (GError) error = NULL;

		if (!vt_screenshot (GTK_WIDGET (f->window), path, &error))
			g_test_message ("no screenshot: %s", error->message);
	}
	return vt_collect_text (GTK_WIDGET (f->window));
}

static void
test_verified (Fixture *f, gconstpointer data)
{
	g_autofree char *issuer_signed = vt_data_path ("annex-d/issuer_signed.cbor");
	g_autofree char *text = NULL;
	VerifierResultPage *page = verifier_window_get_result_page (f->window);

	(void) data;
	start_holder (f, issuer_signed);
	render_qr (f);
	text = scan_and_wait (f, "e2e-verified.png");
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
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

static void
test_tampered (Fixture *f, gconstpointer data)
{
	g_autoptr (GBytes) original = vt_data ("annex-d/issuer_signed.cbor");
	g_autoptr (GBytes) tampered = vt_tamper (original, "cDoe");
	g_autofree char *path = g_build_filename (f->dir, "tampered.cbor", NULL);
	g_autofree char *text = NULL;
	g_autoptr (GError) error = NULL;

	(void) data;
	g_file_set_contents (path, g_bytes_get_data (tampered, NULL),
	    (gssize) g_bytes_get_size (tampered), &error);
	g_assert_no_error (error);
	start_holder (f, path);
	render_qr (f);
	text = scan_and_wait (f, "e2e-tampered.png");
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (verifier_window_get_result_page (f->window)),
	    ==, "Not verified");
	g_assert_nonnull (strstr (text, "Some details were changed after the issuer signed them."));
	g_assert_nonnull (strstr (text, "digest_mismatch"));
	g_assert_nonnull (strstr (text, "Dod"));
}

/* An in-process holder that misbehaves on purpose. */
typedef struct {
	char *socket;
	gboolean answer_never;
	GCancellable *stop;
} FakeHolder;

static gpointer
fake_holder_thread (gpointer data)
{
	FakeHolder *h = data;
	tsr_transport_t *t = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;

	if (tsr_transport_local_listen (h->socket, 15000, &t) != TSR_OK)
		return NULL;
	if (tsr_transport_receive (t, 15000, &msg, &len) == TSR_OK)
		tsr_free (msg);
	/* Gone without a word, or silent until the verifier gives up. */
	while (h->answer_never && !g_cancellable_is_cancelled (h->stop))
		g_usleep (50000);
	tsr_transport_free (t);
	return NULL;
}

static void
run_fake_holder (Fixture *f, gboolean answer_never, const char *expected_title,
    const char *expected_words, const char *shot)
{
	FakeHolder h = { .socket = f->socket, .answer_never = answer_never, .stop = g_cancellable_new () };
	tsr_holder_session_t *hs = NULL;
	char *uri = NULL;
	GThread *thread;
	const char *title, *description;
	g_autoptr (GError) error = NULL;

	g_assert_cmpint (tsr_holder_session_new (NULL, &hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
	g_file_set_contents (f->uri_file, uri, -1, &error);
	g_assert_no_error (error);
	thread = g_thread_new ("fake-holder", fake_holder_thread, &h);
	render_qr (f);
	g_free (scan_and_wait (f, shot));
	g_cancellable_cancel (h.stop);
	g_thread_join (thread);

	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "progress");
	title = verifier_progress_page_get_title (verifier_window_get_progress_page (f->window));
	description = verifier_progress_page_get_description (verifier_window_get_progress_page (f->window));
	g_assert_cmpstr (title, ==, expected_title);
	if (strstr (description, expected_words) == NULL)
		g_error ("'%s' not in '%s'", expected_words, description);
	g_object_unref (h.stop);
	tsr_free (uri);
	tsr_holder_session_free (hs);
}

static void
test_holder_gone (Fixture *f, gconstpointer data)
{
	(void) data;
	/* Automatic, and the code offers no BLE: the local transport. */
	g_settings_set_string (f->settings, "transport", "auto");
	run_fake_holder (f, FALSE, "The Wallet Went Away",
	    "The wallet went away before answering.", "e2e-holder-gone.png");
}

/* TRUE when this machine has a usable Bluetooth stack, where the
 * no-Bluetooth tests do not apply. */
static gboolean
have_bluetooth (void)
{
	tsr_ble_link_t *link = NULL;
	int err = tsr_ble_link_bluez_new (NULL, &link);

	tsr_ble_link_free (link);
	return err == TSR_OK || err == TSR_ERR_TRANSPORT_BLE_POWERED_OFF;
}

/* A holder's engagement offering BLE in @mode, written for render_qr(). */
static char *
write_ble_engagement (Fixture *f, gboolean central)
{
	tsr_engagement_ble_t ble = { 0 };
	tsr_holder_session_t *hs = NULL;
	char *uri = NULL, *ret;
	g_autoptr (GError) error = NULL;

	ble.peripheral_server = !central;
	ble.central_client = central;
	for (guint i = 0; i < sizeof ble.uuid; i++)
		ble.uuid[i] = (uint8_t) (0x40 + i);
	g_assert_cmpint (tsr_holder_session_new (&ble, &hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
	g_file_set_contents (f->uri_file, uri, -1, &error);
	g_assert_no_error (error);
	ret = g_strdup (uri);
	tsr_free (uri);
	tsr_holder_session_free (hs);
	return ret;
}

static void
assert_progress_error (Fixture *f, const char *expected_title, const char *const *words)
{
	VerifierProgressPage *page = verifier_window_get_progress_page (f->window);
	const char *description = verifier_progress_page_get_description (page);
	gboolean found = FALSE;

	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "progress");
	g_assert_cmpstr (verifier_progress_page_get_title (page), ==, expected_title);
	for (guint i = 0; words[i] != NULL; i++)
		found = found || strstr (description, words[i]) != NULL;
	if (!found)
		g_error ("'%s' not in '%s'", words[0], description);
}

typedef struct {
	VerifierProgressPage *page;
	GPtrArray *titles;
	GError *error;
	gboolean done;
} StageLog;

static void
on_stage (VerifierSession *session, GParamSpec *pspec, StageLog *log)
{
	(void) session;
	(void) pspec;
	/* Connected after the page's own handler: its title is current. */
	g_ptr_array_add (log->titles, g_strdup (verifier_progress_page_get_title (log->page)));
}

static void
on_session_done (GObject *object, GAsyncResult *res, gpointer data)
{
	StageLog *log = data;
	VerifierResult *result = verifier_session_run_finish (VERIFIER_SESSION (object), res, &log->error);

	g_assert_null (result);
	log->done = TRUE;
}

static gboolean
stage_log_done (gpointer data)
{
	return ((StageLog *) data)->done;
}

/* A code offering BLE, no bluetoothd: "Connecting over Bluetooth…", then
 * the error in plain words; in peripheral and central client mode. */
static void
test_ble_unavailable (Fixture *f, gconstpointer data)
{
	static const char *const words[] = { "Bluetooth service not running",
		"No Bluetooth adapter", NULL };
	g_autofree char *uri = NULL;
	g_autoptr (VerifierRequest) request = NULL;
	g_autoptr (VerifierSession) session = NULL;
	g_autoptr (GError) error = NULL;
	StageLog log = { 0 };
	gboolean connecting_shown = FALSE;

	(void) data;
	if (have_bluetooth ()) {
		g_test_skip ("this machine has Bluetooth");
		return;
	}
	/* Automatic: the code offers BLE, so BLE it is. */
	g_settings_set_string (f->settings, "transport", "auto");
	g_free (write_ble_engagement (f, FALSE));
	render_qr (f);
	g_free (scan_and_wait (f, "e2e-ble-unavailable.png"));
	assert_progress_error (f, "Bluetooth Unavailable", words);

	g_settings_set_string (f->settings, "transport", "ble");
	g_free (write_ble_engagement (f, TRUE));
	render_qr (f);
	g_free (scan_and_wait (f, NULL));
	assert_progress_error (f, "Bluetooth Unavailable", words);

	/* The stage a person sees while it tries. */
	uri = write_ble_engagement (f, FALSE);
	request = verifier_request_new_from_settings (f->settings, &error);
	g_assert_no_error (error);
	session = verifier_session_new (uri, request);
	verifier_session_set_transport (session, "auto:/nonexistent/tessera.sock");
	log.page = verifier_window_get_progress_page (f->window);
	log.titles = g_ptr_array_new_with_free_func (g_free);
	verifier_progress_page_set_session (log.page, session);
	g_signal_connect (session, "notify::stage", G_CALLBACK (on_stage), &log);
	verifier_session_run_async (session, NULL, on_session_done, &log);
	g_assert_true (vt_wait_until (stage_log_done, &log, 20000));
	for (guint i = 0; i < log.titles->len; i++)
		connecting_shown = connecting_shown ||
		    g_strcmp0 (log.titles->pdata[i], "Connecting over Bluetooth…") == 0;
	g_assert_true (connecting_shown);
	g_assert_error (log.error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH);
	verifier_progress_page_set_session (log.page, NULL);
	g_signal_handlers_disconnect_by_data (session, &log);
	g_ptr_array_unref (log.titles);
	g_clear_error (&log.error);
}

/* A holder on the other end of a simulated radio that ends the session
 * without an answer, as a holder who declines before consent does. */
typedef struct {
	tsr_ble_link_t *reader_link; /* handed to the session */
	tsr_ble_link_t *holder_link;
	tsr_holder_session_t *hs;
	tsr_ble_mode_t mode;
	gboolean l2cap;       /* offer (GATT server) or use (GATT client) L2CAP */
	gboolean used_l2cap;  /* the request came over an L2CAP channel */
	int result;
	gboolean done;
} SimHolder;

static int
sim_link_func (tsr_ble_link_t **ret_link, gpointer user_data)
{
	SimHolder *h = user_data;

	*ret_link = g_steal_pointer (&h->reader_link);
	return *ret_link != NULL ? TSR_OK : TSR_ERR_TRANSPORT_BLE_NO_ADAPTER;
}

static gpointer
sim_holder_thread (gpointer data)
{
	SimHolder *h = data;
	tsr_transport_t *t = NULL;
	tsr_ble_config_t cfg;
	tsr_ble_info_t info;
	tsr_engagement_ble_t ble;
	const uint8_t *engagement;
	size_t engagement_len, msg_len = 0, request_len = 0, reply_len = 0;
	uint8_t *msg = NULL, *request = NULL, *reply = NULL;
	tsr_reader_session_t *rs = NULL;
	char *uri = NULL;
	int err;

	/* The UUID as the reader sees it in the engagement. */
	if ((err = tsr_holder_session_qr_uri (h->hs, &uri)) != TSR_OK ||
	    (err = tsr_reader_session_new (uri, &rs)) != TSR_OK ||
	    (err = tsr_reader_session_ble (rs, &ble)) != TSR_OK)
		goto out;
	tsr_ble_config_init (&cfg, TSR_BLE_ROLE_HOLDER, h->mode, ble.uuid);
	cfg.l2cap = h->l2cap;
	if (h->mode == TSR_BLE_MODE_CENTRAL_CLIENT) {
		tsr_holder_session_engagement (h->hs, &engagement, &engagement_len);
		if ((err = tsr_engagement_ble_ident (engagement, engagement_len, cfg.ident)) != TSR_OK)
			goto out;
		cfg.has_ident = true;
	}
	if ((err = tsr_transport_ble_new (&cfg, h->holder_link, &t)) != TSR_OK ||
	    (err = tsr_transport_ble_connect (t, 15000)) != TSR_OK ||
	    (err = tsr_transport_receive (t, 15000, &msg, &msg_len)) != TSR_OK ||
	    (err = tsr_transport_ble_info (t, &info)) != TSR_OK ||
	    (err = tsr_holder_session_establish (h->hs, msg, msg_len, &request, &request_len)) != TSR_OK ||
	    (err = tsr_holder_session_error (h->hs, TSR_SESSION_STATUS_TERMINATION, &reply,
	    &reply_len)) != TSR_OK ||
	    (err = tsr_transport_send (t, reply, reply_len, 5000)) != TSR_OK)
		goto out;
	h->used_l2cap = info.l2cap;
	tsr_transport_close (t);
out:
	h->result = err;
	tsr_free (uri);
	tsr_free (msg);
	tsr_free (request);
	tsr_free (reply);
	tsr_transport_free (t);
	tsr_reader_session_free (rs);
	g_atomic_int_set (&h->done, TRUE);
	return NULL;
}

/* The PSM the simulated radio's GATT server listens on (ble-sim.c). */
#define SIM_PSM 0x0081

/* One session of the window with a simulated holder offering BLE in
 * @central or peripheral mode, @l2cap on its side, and naming @psm in its
 * engagement (0: none), on radios set up by @sim (NULL: perfect). The
 * holder declines; returns whether the request came over an L2CAP
 * channel. */
static gboolean
run_sim_holder (Fixture *f, gboolean central, gboolean l2cap, guint16 psm,
    const tsr_ble_sim_config_t *sim)
{
	static const char *const words[] = { "declined", NULL };
	SimHolder h = { .mode = central ? TSR_BLE_MODE_CENTRAL_CLIENT :
	    TSR_BLE_MODE_PERIPHERAL_SERVER, .l2cap = l2cap };
	tsr_engagement_ble_t ble = { .peripheral_server = !central, .central_client = central,
	    .has_psm = psm != 0, .psm = psm };
	char *uri = NULL;
	GThread *thread;
	g_autoptr (GError) error = NULL;

	for (guint i = 0; i < sizeof ble.uuid; i++)
		ble.uuid[i] = (uint8_t) (0x60 + i);
	g_assert_cmpint (tsr_ble_sim_pair_new (sim, &h.reader_link, &h.holder_link), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_new (&ble, &h.hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (h.hs, &uri), ==, TSR_OK);
	g_file_set_contents (f->uri_file, uri, -1, &error);
	g_assert_no_error (error);
	verifier_session_set_ble_link_func (sim_link_func, &h);
	thread = g_thread_new ("sim-holder", sim_holder_thread, &h);
	render_qr (f);
	g_free (scan_and_wait (f, NULL));
	g_thread_join (thread);
	verifier_session_set_ble_link_func (NULL, NULL);
	g_assert_cmpint (h.result, ==, TSR_OK);
	assert_progress_error (f, "The Holder Declined", words);
	/* The window's session, and with it the link, is gone. */
	tsr_ble_link_free (h.reader_link);
	tsr_ble_link_free (h.holder_link);
	tsr_holder_session_free (h.hs);
	tsr_free (uri);
	return h.used_l2cap;
}

/* The app's BLE path on a simulated radio, in both modes: it connects,
 * sends the request over GATT and reads the holder's answer (here: the
 * end of the session, "The Holder Declined"). */
static void
test_ble_simulated (Fixture *f, gconstpointer data)
{
	(void) data;
	g_settings_set_string (f->settings, "transport", "auto");
	for (int central = 0; central <= 1; central++)
		g_assert_false (run_sim_holder (f, central, FALSE, 0, NULL));
}

/* Finds the preferences row titled @title under @widget. */
static AdwActionRow *
find_row (GtkWidget *widget, const char *title)
{
	if (ADW_IS_ACTION_ROW (widget) &&
	    g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
		return ADW_ACTION_ROW (widget);
	for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
	    c = gtk_widget_get_next_sibling (c)) {
		AdwActionRow *row = find_row (c, title);

		if (row != NULL)
			return row;
	}
	return NULL;
}

static gboolean
l2cap_setting_on (gpointer data)
{
	return g_settings_get_boolean (((Fixture *) data)->settings, "ble-l2cap");
}

/* "Use L2CAP Channel" in Request reaches the transport: with a wallet that
 * offers (peripheral server) or uses (central client) L2CAP, the request
 * travels over the channel exactly when the switch is on; with it off,
 * over GATT. The switch is kept in GSettings and only shown where
 * Bluetooth may be used. */
static void
test_ble_l2cap_switch (Fixture *f, gconstpointer data)
{
	GtkWidget *page;
	AdwActionRow *row;
	g_autofree char *transport = NULL;

	(void) data;
	g_settings_set_string (f->settings, "transport", "local");
	verifier_window_show_page (f->window, "request");
	vt_iterate (50);
	page = GTK_WIDGET (verifier_window_get_request_page (f->window));
	row = find_row (page, "Use L2CAP Channel");
	g_assert_nonnull (row);
	g_assert_false (g_settings_get_boolean (f->settings, "ble-l2cap"));
	/* Only where Bluetooth may be used: not for the local socket alone. */
	g_assert_false (gtk_widget_get_visible (GTK_WIDGET (row)));
	adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (page, "Transport")), 0);
	transport = g_settings_get_string (f->settings, "transport");
	g_assert_cmpstr (transport, ==, "auto");
	g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row)));

	for (int central = 0; central <= 1; central++)
		g_assert_false (run_sim_holder (f, central, TRUE, 0, NULL));
	/* The switch, as a person turns it on (it flips at the end of its
	 * animation). */
	verifier_window_show_page (f->window, "request");
	vt_iterate (50);
	g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
	g_assert_true (vt_wait_until (l2cap_setting_on, f, 5000));
	for (int central = 0; central <= 1; central++)
		g_assert_true (run_sim_holder (f, central, TRUE, 0, NULL));
	/* The engagement's PSM (BleOptions 21) is the one tried: the right
	 * one opens the channel; one nobody listens on leaves the session on
	 * GATT, though the L2CAP characteristic names the right one. */
	g_assert_true (run_sim_holder (f, FALSE, TRUE, SIM_PSM, NULL));
	g_assert_false (run_sim_holder (f, FALSE, TRUE, SIM_PSM + 0x10, NULL));
	g_settings_reset (f->settings, "ble-l2cap");
}

/* A session over GATT while the radios report a Bluetooth stack that may
 * use EATT (as bluetoothd with Channels = 3): a toast says that this can
 * mix up the messages and what to set; over L2CAP (which EATT makes both
 * sides take when they can) or without EATT, nothing is said. */
static void
test_ble_eatt_hint (Fixture *f, gconstpointer data)
{
	const tsr_ble_sim_config_t gatt_eatt = { .eatt = true, .no_l2cap = true };
	const tsr_ble_sim_config_t l2cap_eatt = { .eatt = true };
	const tsr_ble_sim_config_t gatt_plain = { .no_l2cap = true };
	const char *toast;

	(void) data;
	g_settings_set_string (f->settings, "transport", "auto");
	g_assert_false (run_sim_holder (f, FALSE, FALSE, 0, &gatt_plain));
	g_assert_null (verifier_window_get_last_toast (f->window));
	/* Neither side asked for L2CAP: EATT made them take it. */
	g_assert_true (run_sim_holder (f, FALSE, FALSE, 0, &l2cap_eatt));
	g_assert_null (verifier_window_get_last_toast (f->window));
	for (int central = 0; central <= 1; central++) {
		g_assert_false (run_sim_holder (f, central, FALSE, 0, &gatt_eatt));
		toast = verifier_window_get_last_toast (f->window);
		g_assert_nonnull (toast);
		g_assert_nonnull (strstr (toast, "Enhanced ATT"));
		g_assert_nonnull (strstr (toast, "Channels = 1"));
	}
}

/* Bluetooth only, and the wallet offers none: said so, nothing tried. */
static void
test_ble_not_offered (Fixture *f, gconstpointer data)
{
	static const char *const words[] = { "does not offer Bluetooth", NULL };
	tsr_holder_session_t *hs = NULL;
	char *uri = NULL;
	g_autoptr (GError) error = NULL;

	(void) data;
	g_settings_set_string (f->settings, "transport", "ble");
	g_assert_cmpint (tsr_holder_session_new (NULL, &hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
	g_file_set_contents (f->uri_file, uri, -1, &error);
	g_assert_no_error (error);
	render_qr (f);
	g_free (scan_and_wait (f, NULL));
	assert_progress_error (f, "Transport Not Available", words);
	tsr_free (uri);
	tsr_holder_session_free (hs);
}

static void
test_holder_silent (Fixture *f, gconstpointer data)
{
	(void) data;
	g_settings_set_uint (f->settings, "session-timeout", 5);
	run_fake_holder (f, TRUE, "The Wallet Did Not Answer in Time",
	    "did not answer within 5 seconds", NULL);
}

typedef struct {
	GThread *main_thread;
	gboolean waiting_seen;
	gboolean done;
} ThreadLog;

static void
on_stage_check_thread (VerifierSession *session, GParamSpec *pspec, ThreadLog *log)
{
	(void) pspec;
	/* The progress page redraws on this: widgets belong to the main thread. */
	if (g_thread_self () != log->main_thread)
		g_error ("a stage of the session was reported on its worker thread");
	log->waiting_seen = log->waiting_seen ||
	    verifier_session_get_stage (session) == VERIFIER_SESSION_STAGE_WAITING;
}

static void
on_session_done_check_thread (GObject *object, GAsyncResult *res, gpointer data)
{
	ThreadLog *log = data;
	g_autoptr (GError) error = NULL;
	g_autoptr (VerifierResult) result = verifier_session_run_finish (VERIFIER_SESSION (object),
	    res, &error);

	g_assert_null (result);
	g_assert_error (error, VERIFIER_ERROR, VERIFIER_ERROR_HOLDER_GONE);
	log->done = TRUE;
}

static gboolean
thread_log_done (gpointer data)
{
	return ((ThreadLog *) data)->done;
}

/* The main thread busy (nobody iterates the main context) while the
 * session's worker connects, sends and reports "Waiting for the Holder…":
 * the report waits for the main thread. Before, g_main_context_invoke_full()
 * ran it on the worker whenever the main context was free at that instant. */
static void
test_stages_on_main_thread (Fixture *f, gconstpointer data)
{
	FakeHolder h = { .socket = f->socket, .stop = g_cancellable_new () };
	g_autoptr (VerifierRequest) request = NULL;
	g_autoptr (VerifierSession) session = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree char *transport = g_strconcat ("local:", f->socket, NULL);
	tsr_holder_session_t *hs = NULL;
	char *uri = NULL;
	GThread *thread;
	ThreadLog log = { .main_thread = g_thread_self () };

	(void) data;
	g_assert_cmpint (tsr_holder_session_new (NULL, &hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
	request = verifier_request_new_from_settings (f->settings, &error);
	g_assert_no_error (error);
	session = verifier_session_new (uri, request);
	verifier_session_set_transport (session, transport);
	g_signal_connect (session, "notify::stage", G_CALLBACK (on_stage_check_thread), &log);
	/* It takes the request, then goes away without a word. */
	thread = g_thread_new ("fake-holder", fake_holder_thread, &h);
	verifier_session_run_async (session, NULL, on_session_done_check_thread, &log);
	g_usleep (G_USEC_PER_SEC);
	g_assert_true (vt_wait_until (thread_log_done, &log, 20000));
	g_assert_true (log.waiting_seen);
	g_thread_join (thread);
	g_signal_handlers_disconnect_by_data (session, &log);
	g_object_unref (h.stop);
	tsr_free (uri);
	tsr_holder_session_free (hs);
}

/* "Scan Next" from a result goes back to scanning in one step. */
static void
test_scan_next (Fixture *f, gconstpointer data)
{
	g_autoptr (VerifierResult) result = vt_annex_d_result (VT_ANNEX_D_VALID);

	(void) data;
	verifier_window_show_result (f->window, result);
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.scan-next", NULL));
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "scan");
}

/* ---- Several requests in one session ---- */

static void
write_uri (Fixture *f, char *uri)
{
	g_autoptr (GError) error = NULL;

	g_file_set_contents (f->uri_file, uri, -1, &error);
	g_assert_no_error (error);
	g_free (uri);
}

/* The first request asks for the licence number only. */
static void
ask_first_for_number (Fixture *f)
{
	static const char *const number[] = {
		"org.iso.18013.5.1.mDL/org.iso.18013.5.1/document_number", NULL };

	g_settings_set_string (f->settings, "request-template", "");
	g_settings_set_strv (f->settings, "request-elements", number);
}

/* After a verdict: "Request More…", tick the family name, "Send". With
 * @shot, a screenshot of the choice (which runs the main loop). */
static char *
request_family_name (Fixture *f, const char *shot)
{
	GtkWidget *window = GTK_WIDGET (f->window);

	g_assert_true (verifier_result_page_get_session_open (verifier_window_get_result_page (f->window)));
	g_assert_true (gtk_widget_activate_action (window, "win.request-more", NULL));
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "more");
	/* Nothing chosen yet: nothing to send. */
	g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "send-more"));
	g_assert_true (vt_activate_row (GTK_WIDGET (verifier_window_get_more_page (f->window)),
	    "family_name"));
	g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "send-more"));
	/* For this session only: what every session asks first is unchanged. */
	{
		g_auto (GStrv) first = g_settings_get_strv (f->settings, "request-elements");

		g_assert_cmpuint (g_strv_length (first), ==, 1);
		g_assert_true (g_str_has_suffix (first[0], "/document_number"));
	}
	if (shot != NULL && g_getenv ("VT_OUTPUT_DIR") != NULL) {
		g_autofree char *path = g_build_filename (g_getenv ("VT_OUTPUT_DIR"), shot, NULL);

		vt_screenshot (window, path, NULL);
	}
	g_assert_true (gtk_widget_activate_action (window, "win.send-more", NULL));
	g_assert_true (vt_wait_until (vt_session_finished, f->window, 40000));
	vt_iterate (100);
	return vt_collect_text (GTK_WIDGET (verifier_window_get_result_page (f->window)));
}

static void
test_request_more (Fixture *f, gconstpointer data)
{
	VtHolder h = { 0 };
	VerifierResultPage *page = verifier_window_get_result_page (f->window);
	g_autofree char *first = NULL, *second = NULL;
	gint64 start;

	(void) data;
	ask_first_for_number (f);
	write_uri (f, vt_holder_start (&h, f->socket, 0));
	render_qr (f);
	g_free (scan_and_wait (f, "e2e-request-1.png"));
	first = vt_collect_text (GTK_WIDGET (page));
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	g_assert_nonnull (strstr (first, "Licence number\n123456789\n"));
	g_assert_null (strstr (first, "Family name"));
	g_assert_cmpuint (vt_holder_answered (&h, 1), ==, 1);

	start = g_get_monotonic_time ();
	second = request_family_name (f, "e2e-more.png");
	g_test_message ("request 2 answered and verified in %" G_GINT64_FORMAT " ms",
	    (g_get_monotonic_time () - start) / 1000);
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	g_assert_nonnull (strstr (second, "Family name\nDoe\n"));
	g_assert_nonnull (strstr (second, "Request 2 of this session"));
	g_assert_nonnull (strstr (second, "Authenticated with the session key (MAC)"));
	/* Request 2 of the one session the holder opened. */
	g_assert_cmpuint (vt_holder_answered (&h, 2), ==, 2);
	g_assert_false (vt_holder_done (&h));

	/* "End Session": status 20, then the transport closes. */
	g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.end-session", NULL));
	g_assert_false (verifier_result_page_get_session_open (page));
	g_assert_true (vt_wait_until (vt_holder_done, &h, 10000));
	g_assert_cmpint (h.last, ==, TSR_ERR_SESSION_TERMINATED);
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	vt_holder_clear (&h);
}

/* The holder ends the session (status 20) just as the verifier asks for
 * more, before the app has seen it: the second request ends at once with
 * that in words. No main-loop iteration between the end and "Send", so the
 * request is on its way when the watch finds the end. */
static void
test_holder_ended_as_asked (Fixture *f, gconstpointer data)
{
	VtHolder h = { 0 };
	g_autofree char *first = NULL;
	gint64 start;
	static const char *const words[] = { "The holder ended the session", NULL };

	(void) data;
	ask_first_for_number (f);
	write_uri (f, vt_holder_start (&h, f->socket, 1));
	render_qr (f);
	first = scan_and_wait (f, NULL);
	g_assert_cmpstr (verifier_result_page_get_verdict_text (verifier_window_get_result_page (f->window)),
	    ==, "Verified");
	vt_holder_end (&h);
	g_assert_cmpint (h.last, ==, TSR_OK);
	g_assert_cmpuint (vt_holder_answered (&h, 1), ==, 1);

	start = g_get_monotonic_time ();
	g_free (request_family_name (f, NULL));
	/* Not a wait for the 20-second timeout. */
	g_test_message ("the second request failed after %" G_GINT64_FORMAT " ms",
	    (g_get_monotonic_time () - start) / 1000);
	g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
	assert_progress_error (f, "The Holder Ended the Session", words);
	g_assert_null (verifier_window_get_session (f->window));
	vt_holder_clear (&h);
}

/* A holder that ends the session with its answer (status 20 in the same
 * message): the verdict, and no "Request More…". */
static void
test_holder_ends_with_answer (Fixture *f, gconstpointer data)
{
	VtHolder h = { .end_with_answer = TRUE };
	VerifierResultPage *page = verifier_window_get_result_page (f->window);

	(void) data;
	write_uri (f, vt_holder_start (&h, f->socket, 0));
	render_qr (f);
	g_free (scan_and_wait (f, NULL));
	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	g_assert_false (verifier_result_page_get_session_open (page));
	g_assert_true (verifier_result_page_get_holder_ended (page));
	g_assert_true (vt_wait_until (vt_holder_done, &h, 10000));
	g_assert_cmpuint (vt_holder_answered (&h, 1), ==, 1);
	/* Nothing to ask: the action is off and leaves the verdict in place. */
	g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "request-more"));
	g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.request-more", NULL));
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	vt_holder_clear (&h);
}

/* ---- A holder that leaves while its verdict is shown ---- */

static gboolean
holder_ended_shown (gpointer data)
{
	Fixture *f = data;

	return verifier_result_page_get_holder_ended (verifier_window_get_result_page (f->window));
}

#define HOLDER_ENDED_NOTE "The holder ended the session. This verdict stands; to ask for more, scan the wallet’s code again.\n"
#define SESSION_BUTTONS "End Session\nRequest More…\n"

/* The page says the holder ended the session, and is otherwise as it was
 * (@before: its text while the session was open); "Request More…" and
 * "End Session" are gone and their actions off. */
static void
assert_holder_ended_shown (Fixture *f, const char *before, const char *shot)
{
	VerifierResultPage *page = verifier_window_get_result_page (f->window);
	GtkWidget *window = GTK_WIDGET (f->window);
	g_autofree char *after = vt_collect_text (GTK_WIDGET (page));

	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	g_assert_true (verifier_result_page_get_holder_ended (page));
	g_assert_false (verifier_result_page_get_session_open (page));
	g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "request-more"));
	g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "end-session"));
	/* The verdict and the details untouched: the note took the place of
	 * the session's buttons, which came last. */
	g_assert_true (g_str_has_suffix (after, HOLDER_ENDED_NOTE));
	g_assert_true (g_str_has_suffix (before, SESSION_BUTTONS));
	g_assert_cmpint (strlen (after) - strlen (HOLDER_ENDED_NOTE), ==,
	    strlen (before) - strlen (SESSION_BUTTONS));
	g_assert_cmpint (strncmp (after, before, strlen (after) - strlen (HOLDER_ENDED_NOTE)), ==, 0);
	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	if (shot != NULL && g_getenv ("VT_OUTPUT_DIR") != NULL) {
		g_autofree char *path = g_build_filename (g_getenv ("VT_OUTPUT_DIR"), shot, NULL);

		vt_screenshot (window, path, NULL);
	}
}

/* The reference CLI answers, then gives up waiting for a further request
 * and closes the connection: the page says so at once, without a request
 * being tried. */
static void
test_holder_left_while_shown (Fixture *f, gconstpointer data)
{
	g_autofree char *issuer_signed = vt_data_path ("annex-d/issuer_signed.cbor");
	g_autofree char *before = NULL;
	VerifierResultPage *page = verifier_window_get_result_page (f->window);
	gint64 exited;

	(void) data;
	start_holder_with_timeout (f, issuer_signed, "8");
	render_qr (f);
	g_free (scan_and_wait (f, NULL));
	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	g_assert_true (verifier_result_page_get_session_open (page));
	g_assert_false (verifier_result_page_get_holder_ended (page));
	before = vt_collect_text (GTK_WIDGET (page));

	/* The holder exits 8 s after its answer; the page follows. */
	g_assert_true (vt_wait_until (vt_cli_holder_exited, f->holder, 20000));
	exited = g_get_monotonic_time ();
	g_assert_true (vt_wait_until (holder_ended_shown, f, 5000));
	g_test_message ("the note was up %" G_GINT64_FORMAT " ms after the test saw the holder exit",
	    (g_get_monotonic_time () - exited) / 1000);
	vt_iterate (100);
	assert_holder_ended_shown (f, before, "e2e-holder-left.png");
}

/* A wallet ends the session with status 20 while the verifier reads the
 * verdict, and the verifier had "Request More…" open: it goes back to the
 * verdict, which says so. */
static void
test_holder_ended_while_shown (Fixture *f, gconstpointer data)
{
	VtHolder h = { 0 };
	VerifierResultPage *page = verifier_window_get_result_page (f->window);
	g_autofree char *before = NULL;

	(void) data;
	ask_first_for_number (f);
	write_uri (f, vt_holder_start (&h, f->socket, 1));
	render_qr (f);
	g_free (scan_and_wait (f, NULL));
	g_assert_cmpstr (verifier_result_page_get_verdict_text (page), ==, "Verified");
	before = vt_collect_text (GTK_WIDGET (page));
	g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.request-more", NULL));
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "more");

	vt_holder_end (&h);
	g_assert_cmpint (h.last, ==, TSR_OK);
	g_assert_true (vt_wait_until (holder_ended_shown, f, 5000));
	vt_iterate (100);
	assert_holder_ended_shown (f, before, NULL);
	g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "request-more"));
	/* "Scan Next" and a new scan still work as ever. */
	g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.scan-next", NULL));
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "scan");
	vt_holder_clear (&h);
}

int
main (int argc, char *argv[])
{
	vt_init (&argc, &argv);
	g_test_add ("/e2e/verified", Fixture, NULL, setup, test_verified, teardown);
	g_test_add ("/e2e/tampered", Fixture, NULL, setup, test_tampered, teardown);
	g_test_add ("/e2e/holder_gone", Fixture, NULL, setup, test_holder_gone, teardown);
	g_test_add ("/e2e/holder_silent", Fixture, NULL, setup, test_holder_silent, teardown);
	g_test_add ("/e2e/scan_next", Fixture, NULL, setup, test_scan_next, teardown);
	g_test_add ("/e2e/stages_on_main_thread", Fixture, NULL, setup, test_stages_on_main_thread,
	    teardown);
	g_test_add ("/e2e/ble_unavailable", Fixture, NULL, setup, test_ble_unavailable, teardown);
	g_test_add ("/e2e/ble_not_offered", Fixture, NULL, setup, test_ble_not_offered, teardown);
	g_test_add ("/e2e/ble_simulated", Fixture, NULL, setup, test_ble_simulated, teardown);
	g_test_add ("/e2e/ble_l2cap_switch", Fixture, NULL, setup, test_ble_l2cap_switch, teardown);
	g_test_add ("/e2e/ble_eatt_hint", Fixture, NULL, setup, test_ble_eatt_hint, teardown);
	g_test_add ("/e2e/request_more", Fixture, NULL, setup, test_request_more, teardown);
	g_test_add ("/e2e/holder_ended_as_asked", Fixture, NULL, setup, test_holder_ended_as_asked,
	    teardown);
	g_test_add ("/e2e/holder_ended_while_shown", Fixture, NULL, setup,
	    test_holder_ended_while_shown, teardown);
	g_test_add ("/e2e/holder_left_while_shown", Fixture, NULL, setup,
	    test_holder_left_while_shown, teardown);
	g_test_add ("/e2e/holder_ends_with_answer", Fixture, NULL, setup,
	    test_holder_ends_with_answer, teardown);
	return g_test_run ();
}
