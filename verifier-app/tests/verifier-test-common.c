/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-test-common.h"

#include "verifier-progress-page.h"

#include <fcntl.h>
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <tessera/issuer.h>
#include <unistd.h>

void
vt_init (int *argc, char ***argv)
{
	g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

	g_test_init (argc, argv, NULL);
	gtk_init ();
	adw_init ();
	g_assert_true (gst_init_check (NULL, NULL, NULL));
	/* What AdwApplication would load from the resource base path. */
	gtk_css_provider_load_from_resource (css, "/org/tessera/Verifier/style.css");
	gtk_style_context_add_provider_for_display (gdk_display_get_default (),
	    GTK_STYLE_PROVIDER (css), GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

char *
vt_data_path (const char *name)
{
	const char *dir = g_getenv ("TSR_TEST_DATA");

	g_assert_nonnull (dir);
	return g_build_filename (dir, name, NULL);
}

GBytes *
vt_data (const char *name)
{
	g_autofree char *path = vt_data_path (name);
	g_autoptr (GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_file_get_contents (path, &data, &len, &error);
	g_assert_no_error (error);
	return g_bytes_new_take (data, len);
}

GBytes *
vt_tamper (GBytes *data, const char *needle)
{
	gsize len, n = strlen (needle);
	const guint8 *p = g_bytes_get_data (data, &len);
	guint8 *copy = g_memdup2 (p, len);

	for (gsize i = 0; i + n <= len; i++) {
		if (memcmp (copy + i, needle, n) == 0) {
			copy[i + n - 1] ^= 0x01;  /* 'e' -> 'd': still UTF-8, same length */
			return g_bytes_new_take (copy, len);
		}
	}
	g_free (copy);
	g_assert_not_reached ();
}

static VerifierResult *
verify (tsr_verifier_t *v, GBytes *response)
{
	g_autoptr (GError) error = NULL;
	VerifierResult *result = verifier_result_new_verify (v, response, &error);

	g_assert_no_error (error);
	tsr_verifier_free (v);
	return result;
}

VerifierResult *
vt_annex_d_result (VtAnnexDCase c)
{
	g_autoptr (GBytes) response = vt_data ("annex-d/device_response.cbor");
	g_autoptr (GBytes) transcript = vt_data ("annex-d/session_transcript_bytes.cbor");
	g_autoptr (GBytes) reader_key = vt_data ("annex-d/ephemeral_reader_key.pem");
	g_autoptr (GBytes) iaca = vt_data (c == VT_ANNEX_D_UNTRUSTED ? "reader/reader_root.pem" :
	    "annex-d/iaca_cert.pem");
	tsr_verifier_t *v = NULL;

	g_assert_cmpint (tsr_verifier_new (&v), ==, TSR_OK);
	g_assert_cmpint (tsr_verifier_add_trust_anchor (v, g_bytes_get_data (iaca, NULL),
	    g_bytes_get_size (iaca)), ==, TSR_OK);
	g_assert_cmpint (tsr_verifier_set_transcript (v, g_bytes_get_data (transcript, NULL),
	    g_bytes_get_size (transcript)), ==, TSR_OK);
	if (c != VT_ANNEX_D_NO_DEVICE_AUTH)
		g_assert_cmpint (tsr_verifier_set_reader_key (v, g_bytes_get_data (reader_key, NULL),
		    g_bytes_get_size (reader_key)), ==, TSR_OK);
	if (c != VT_ANNEX_D_EXPIRED)
		tsr_verifier_set_time (v, VT_ANNEX_D_NOW);
	if (c == VT_ANNEX_D_TAMPERED) {
		g_autoptr (GBytes) tampered = vt_tamper (response, "cDoe");

		return verify (v, tampered);
	}
	return verify (v, response);
}

/* ---- A throw-away issuer with a status list ---- */

static char *
hex_to_b64url (const char *hex)
{
	gsize n = strlen (hex) / 2;
	g_autofree guint8 *bytes = g_malloc (n);
	char *b64;

	for (gsize i = 0; i < n; i++)
		bytes[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 |
		    g_ascii_xdigit_value (hex[2 * i + 1]));
	b64 = g_base64_encode (bytes, n);
	g_strdelimit (b64, "+", '-');
	g_strdelimit (b64, "/", '_');
	for (char *p = b64 + strlen (b64); p > b64 && p[-1] == '='; p--)
		p[-1] = '\0';
	return b64;
}

#define T_2026_01_01 G_GINT64_CONSTANT (1767225600)
#define T_2026_02_01 G_GINT64_CONSTANT (1769904000)
#define T_2026_12_01 G_GINT64_CONSTANT (1796083200)
#define T_2027_01_01 G_GINT64_CONSTANT (1798761600)
#define T_2030_01_01 G_GINT64_CONSTANT (1893456000)
#define STATUS_URI "https://issuer.example.org/status/1"
#define STATUS_IDX 3

static void
make_pki (char **ret_iaca, char **ret_ds, char **ret_ds_key)
{
	tsr_cert_params_t iaca_params = {
		.country = "UT",
		.organization = "Utopia Test Issuer",
		.common_name = "Utopia Test IACA",
		.issuer_alt_name = "https://issuer.example.org",
		.crl_uri = "https://issuer.example.org/crl",
		.not_before = T_2026_01_01,
		.not_after = T_2030_01_01,
	};
	tsr_cert_params_t ds_params = {
		.country = "UT",
		.organization = "Utopia Test Issuer",
		.common_name = "Utopia Test DS",
		.crl_uri = "https://issuer.example.org/crl",
		.not_before = T_2026_01_01,
		.not_after = T_2027_01_01,
	};
	char *iaca = NULL, *iaca_key = NULL;

	g_assert_cmpint (tsr_issuer_cert_create (TSR_CERT_IACA, &iaca_params, NULL, 0, NULL, 0,
	    NULL, 0, &iaca, &iaca_key), ==, TSR_OK);
	g_assert_cmpint (tsr_issuer_cert_create (TSR_CERT_DS, &ds_params, (const uint8_t *) iaca,
	    strlen (iaca), (const uint8_t *) iaca_key, strlen (iaca_key), NULL, 0, ret_ds,
	    ret_ds_key), ==, TSR_OK);
	tsr_free (iaca_key);
	*ret_iaca = iaca;
}

VerifierResult *
vt_status_result (VtStatusCase c)
{
	g_autoptr (GBytes) claims_json = NULL;
	g_autoptr (GBytes) device_pem = vt_data ("annex-d/static_device_key.pem");
	g_autofree char *examples = g_build_filename (g_getenv ("VT_EXAMPLES_DIR"), "mdl.json", NULL);
	g_autofree char *x = hex_to_b64url ("96313d6c63e24e3372742bfdb1a33ba2c897dcd68ab8c753e4fbd48dca6b7f9a");
	g_autofree char *y = hex_to_b64url ("1fb3269edd418857de1b39a4e4a44b92fa484caa722c228288f01d0c03a2c3d6");
	g_autofree char *jwk = g_strdup_printf ("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
	g_autofree char *json = NULL;
	char *iaca = NULL, *ds = NULL, *ds_key = NULL, *uri = NULL, *report = NULL;
	tsr_issuer_t *issuer = NULL;
	tsr_claims_t *claims = NULL;
	tsr_device_keys_t *keys = NULL;
	tsr_device_key_t *dk = NULL;
	tsr_holder_session_t *hs = NULL;
	tsr_reader_session_t *rs = NULL;
	tsr_request_builder_t *b = NULL;
	tsr_presentation_t *p = NULL;
	tsr_verifier_t *v = NULL;
	tsr_issue_params_t params = { 0 };
	const uint8_t *cose_key, *transcript;
	size_t cose_key_len, transcript_len, json_len;
	uint8_t *issued = NULL, *request = NULL, *response = NULL, *list = NULL;
	size_t issued_len, request_len, response_len, list_len;
	guint8 revoked[16] = { 0 };
	g_autoptr (GBytes) response_bytes = NULL;
	VerifierResult *result;

	make_pki (&iaca, &ds, &ds_key);
	g_assert_cmpint (tsr_issuer_new ((const uint8_t *) ds, strlen (ds), (const uint8_t *) ds_key,
	    strlen (ds_key), &issuer), ==, TSR_OK);

	g_assert_true (g_file_get_contents (examples, &json, &json_len, NULL));
	g_assert_cmpint (tsr_claims_from_json (json, json_len, &claims, NULL), ==, TSR_OK);
	g_assert_cmpint (tsr_device_keys_new (&keys), ==, TSR_OK);
	g_assert_cmpint (tsr_device_keys_add (keys, (const uint8_t *) jwk, strlen (jwk)), ==, TSR_OK);
	g_assert_cmpint (tsr_device_keys_get (keys, 0, &cose_key, &cose_key_len), ==, TSR_OK);
	params.doc_type = "org.iso.18013.5.1.mDL";
	params.signed_at = T_2026_02_01;
	params.valid_from = T_2026_02_01;
	params.valid_until = T_2026_12_01;
	params.status_uri = STATUS_URI;
	params.status_idx = STATUS_IDX;
	if (tsr_issuer_issue (issuer, &params, claims, cose_key, cose_key_len, &issued, &issued_len,
	    &report) != TSR_OK)
		g_error ("issue: %s", report != NULL ? report : "?");

	/* A real session's transcript, so device authentication is bound to it. */
	g_assert_cmpint (tsr_holder_session_new (NULL, &hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
	g_assert_cmpint (tsr_reader_session_new (uri, &rs), ==, TSR_OK);
	tsr_reader_session_transcript (rs, &transcript, &transcript_len);

	g_assert_cmpint (tsr_request_builder_new (&b), ==, TSR_OK);
	g_assert_cmpint (tsr_request_builder_add_template (b, "driving-licence"), ==, TSR_OK);
	g_assert_cmpint (tsr_request_builder_build (b, transcript, transcript_len, &request,
	    &request_len), ==, TSR_OK);

	g_assert_cmpint (tsr_device_key_new_from_pem (g_bytes_get_data (device_pem, NULL),
	    g_bytes_get_size (device_pem), &dk), ==, TSR_OK);
	g_assert_cmpint (tsr_presentation_new (request, request_len, transcript, transcript_len, &p),
	    ==, TSR_OK);
	tsr_presentation_set_time (p, VT_FIXTURE_NOW);
	g_assert_cmpint (tsr_presentation_add_credential (p, issued, issued_len, dk, "mDL"), ==, TSR_OK);
	g_assert_cmpint (tsr_presentation_analyze (p), ==, TSR_OK);
	tsr_presentation_consent_all (p, true);
	g_assert_cmpint (tsr_presentation_respond (p, TSR_DEVICE_AUTH_SIGNATURE, &response,
	    &response_len), ==, TSR_OK);

	g_assert_cmpint (tsr_verifier_new (&v), ==, TSR_OK);
	g_assert_cmpint (tsr_verifier_add_trust_anchor (v, (const uint8_t *) iaca, strlen (iaca)), ==,
	    TSR_OK);
	g_assert_cmpint (tsr_verifier_set_transcript (v, transcript, transcript_len), ==, TSR_OK);
	tsr_verifier_set_time (v, VT_FIXTURE_NOW);
	if (c != VT_STATUS_UNKNOWN) {
		revoked[STATUS_IDX] = c == VT_STATUS_REVOKED;
		g_assert_cmpint (tsr_issuer_status_list_create (issuer, revoked, sizeof revoked,
		    STATUS_URI, VT_FIXTURE_NOW - 86400, VT_FIXTURE_NOW + 30 * 86400, 7 * 86400, &list,
		    &list_len), ==, TSR_OK);
		g_assert_cmpint (tsr_verifier_add_status_list (v, list, list_len), ==, TSR_OK);
	}
	response_bytes = g_bytes_new (response, response_len);
	result = verify (v, response_bytes);

	tsr_free (list);
	tsr_free (response);
	tsr_presentation_free (p);
	tsr_device_key_free (dk);
	tsr_free (request);
	tsr_request_builder_free (b);
	tsr_reader_session_free (rs);
	tsr_holder_session_free (hs);
	tsr_free (uri);
	tsr_free (issued);
	tsr_free (report);
	tsr_device_keys_free (keys);
	tsr_claims_free (claims);
	tsr_issuer_free (issuer);
	tsr_free (iaca);
	tsr_free (ds);
	tsr_free (ds_key);
	return result;
}

/* ---- A holder ---- */

static gboolean
holder_answer (VtHolder *h, tsr_transport_t *t, const uint8_t *request, size_t request_len)
{
	const uint8_t *transcript;
	size_t transcript_len, response_len = 0, msg_len = 0;
	uint8_t *response = NULL, *msg = NULL;
	tsr_presentation_t *p = NULL;
	gboolean ok;

	ok = tsr_holder_session_transcript (h->hs, &transcript, &transcript_len) == TSR_OK &&
	    tsr_presentation_new (request, request_len, transcript, transcript_len, &p) == TSR_OK;
	if (ok) {
		tsr_presentation_set_time (p, VT_ANNEX_D_NOW);
		ok = tsr_presentation_add_credential (p, g_bytes_get_data (h->issuer_signed, NULL),
		    g_bytes_get_size (h->issuer_signed), h->device_key, "mDL") == TSR_OK &&
		    tsr_presentation_analyze (p) == TSR_OK;
	}
	if (ok) {
		tsr_presentation_consent_all (p, true);
		ok = tsr_presentation_respond (p, TSR_DEVICE_AUTH_MAC, &response, &response_len) == TSR_OK &&
		    tsr_holder_session_respond (h->hs, response, response_len, h->end_with_answer,
		    &msg, &msg_len) == TSR_OK &&
		    tsr_transport_send (t, msg, msg_len, 5000) == TSR_OK;
	}
	tsr_free (msg);
	tsr_free (response);
	tsr_presentation_free (p);
	return ok;
}

static gpointer
holder_thread (gpointer data)
{
	VtHolder *h = data;
	tsr_transport_t *t = NULL;
	uint8_t *msg = NULL, *request = NULL;
	size_t msg_len = 0, request_len = 0;

	h->last = tsr_transport_local_listen (h->socket, 15000, &t);
	if (h->last == TSR_OK && (h->last = tsr_transport_receive (t, 15000, &msg, &msg_len)) == TSR_OK)
		h->last = tsr_holder_session_establish (h->hs, msg, msg_len, &request, &request_len);
	while (h->last == TSR_OK && holder_answer (h, t, request, request_len)) {
		g_atomic_int_inc (&h->n_answered);
		if (h->end_with_answer) {
			h->last = TSR_ERR_SESSION_TERMINATED;
			break;
		}
		g_clear_pointer (&msg, tsr_free);
		g_clear_pointer (&request, tsr_free);
		if ((guint) g_atomic_int_get (&h->n_answered) == h->end_after) {
			uint8_t *end = NULL;
			size_t end_len = 0;

			while (!g_atomic_int_get (&h->end))
				g_usleep (10000);
			h->last = tsr_holder_session_error (h->hs, TSR_SESSION_STATUS_TERMINATION,
			    &end, &end_len);
			if (h->last == TSR_OK)
				h->last = tsr_transport_send (t, end, end_len, 5000);
			tsr_free (end);
			break;
		}
		if ((h->last = tsr_transport_receive (t, 20000, &msg, &msg_len)) != TSR_OK)
			break;
		h->last = tsr_holder_session_receive (h->hs, msg, msg_len, &request, &request_len);
	}
	tsr_free (msg);
	tsr_free (request);
	tsr_transport_free (t);
	g_atomic_int_set (&h->done, TRUE);
	return NULL;
}

char *
vt_holder_start (VtHolder *h, const char *socket, guint end_after)
{
	g_autoptr (GBytes) key = vt_data ("annex-d/static_device_key.pem");
	char *uri = NULL, *ret;

	h->socket = g_strdup (socket);
	h->issuer_signed = vt_data ("annex-d/issuer_signed.cbor");
	h->end_after = end_after;
	g_assert_cmpint (tsr_device_key_new_from_pem (g_bytes_get_data (key, NULL),
	    g_bytes_get_size (key), &h->device_key), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_new (NULL, &h->hs), ==, TSR_OK);
	g_assert_cmpint (tsr_holder_session_qr_uri (h->hs, &uri), ==, TSR_OK);
	h->thread = g_thread_new ("holder", holder_thread, h);
	ret = g_strdup (uri);
	tsr_free (uri);
	return ret;
}

void
vt_holder_end (VtHolder *h)
{
	g_atomic_int_set (&h->end, TRUE);
	g_thread_join (g_steal_pointer (&h->thread));
}

guint
vt_holder_answered (VtHolder *h, guint n)
{
	gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

	while ((guint) g_atomic_int_get (&h->n_answered) < n && g_get_monotonic_time () < deadline)
		vt_iterate (10);
	return (guint) g_atomic_int_get (&h->n_answered);
}

gboolean
vt_holder_done (gpointer h)
{
	return g_atomic_int_get (&((VtHolder *) h)->done);
}

void
vt_holder_clear (VtHolder *h)
{
	if (h->thread != NULL)
		g_thread_join (g_steal_pointer (&h->thread));
	g_free (h->socket);
	g_bytes_unref (h->issuer_signed);
	tsr_device_key_free (h->device_key);
	tsr_holder_session_free (h->hs);
}

/* ---- The reference holder (CLI) ---- */

static gboolean
file_exists (gpointer path)
{
	return g_file_test (path, G_FILE_TEST_EXISTS);
}

GSubprocess *
vt_cli_holder_start (const char *transport, const char *issuer_signed, const char *timeout_s,
    const char *const *extra_options, const char *uri_file, const char *log_path,
    guint start_timeout_ms)
{
	g_autofree char *key = vt_data_path ("annex-d/static_device_key.pem");
	g_autoptr (GSubprocessLauncher) launcher =
	    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
	g_auto (GStrv) argv = NULL;
	g_autofree char *engagement_file = g_strdup (uri_file);
	g_autoptr (GError) error = NULL;
	const char *cli = g_getenv ("TESSERA_CLI");
	GSubprocess *holder;

	g_assert_nonnull (cli);
	g_strv_builder_add (builder, cli);
	if (log_path != NULL) {
		g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
		g_strv_builder_add (builder, "-v");
	}
	g_strv_builder_add_many (builder, "present", "--issuer-signed", issuer_signed,
	    "--device-key", key, "--transport", transport, "--qr-uri-file", uri_file,
	    "--consent", "all", "--now", "2021-01-01T00:00:00Z", "--timeout", timeout_s, NULL);
	for (const char *const *option = extra_options; option != NULL && *option != NULL; option++)
		g_strv_builder_add (builder, *option);
	argv = g_strv_builder_end (builder);
	holder = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
	g_assert_no_error (error);
	g_assert_true (vt_poll_until (file_exists, engagement_file, start_timeout_ms));
	/* The URI file is written whole before the transport waits for a
	 * reader. */
	vt_iterate (50);
	return holder;
}

gboolean
vt_cli_holder_exited (gpointer holder)
{
	return g_subprocess_get_identifier (holder) == NULL;
}

void
vt_cli_holder_stop (GSubprocess **holder)
{
	if (*holder == NULL)
		return;
	if (!vt_wait_until (vt_cli_holder_exited, *holder, 10000))
		g_subprocess_force_exit (*holder);
	g_subprocess_wait (*holder, NULL, NULL);
	g_clear_object (holder);
}

char *
vt_make_slow_file (const char *dir, const char *name)
{
	char *path = g_build_filename (dir, name, NULL);

	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	g_assert_cmpint (mkfifo (path, 0600), ==, 0);
	return path;
}

void
vt_release_slow_file (const char *path)
{
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	/* Blocks until the reader has it open, then the reader gets EOF. */
	int fd = g_open (path, O_WRONLY, 0);

	g_assert_cmpint (fd, >=, 0);
	g_assert_cmpint (write (fd, junk, strlen (junk)), ==, (gssize) strlen (junk));
	g_close (fd, NULL);
}

/* ---- Widgets ---- */

static void
collect (GtkWidget *widget, GString *out)
{
	if (!gtk_widget_get_visible (widget))
		return;
	if (GTK_IS_LABEL (widget)) {
		const char *text = gtk_label_get_text (GTK_LABEL (widget));

		if (text != NULL && *text != '\0') {
			g_string_append (out, text);
			g_string_append_c (out, '\n');
		}
	}
	for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
	    c = gtk_widget_get_next_sibling (c))
		collect (c, out);
}

char *
vt_collect_text (GtkWidget *widget)
{
	GString *out = g_string_new (NULL);

	collect (widget, out);
	return g_string_free (out, FALSE);
}

gboolean
vt_activate_row (GtkWidget *widget, const char *subtitle)
{
	if (ADW_IS_ACTION_ROW (widget) &&
	    g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), subtitle) == 0) {
		adw_action_row_activate (ADW_ACTION_ROW (widget));
		return TRUE;
	}
	for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
	    c = gtk_widget_get_next_sibling (c))
		if (vt_activate_row (c, subtitle))
			return TRUE;
	return FALSE;
}

static gboolean
on_timeout (gpointer data)
{
	*(gboolean *) data = TRUE;
	return G_SOURCE_REMOVE;
}

gboolean
vt_wait_until (gboolean (*done) (gpointer data), gpointer data, guint timeout_ms)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

	while (!done (data) && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	if (!timed_out)
		g_source_remove (id);
	return done (data);
}

void
vt_iterate (guint ms)
{
	gboolean timed_out = FALSE;

	g_timeout_add (ms, on_timeout, &timed_out);
	while (!timed_out)
		g_main_context_iteration (NULL, TRUE);
}

gboolean
vt_poll_until (gboolean (*done) (gpointer data), gpointer data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

	while (!done (data) && g_get_monotonic_time () < deadline)
		vt_iterate (100);
	return done (data);
}

VerifierWindow *
vt_annex_d_window_new (void)
{
	g_autofree char *iaca_path = vt_data_path ("annex-d/iaca_cert.pem");
	g_autoptr (GFile) iaca = g_file_new_for_path (iaca_path);
	g_autoptr (GError) error = NULL;
	VerifierWindow *window = verifier_window_new (NULL);

	g_object_ref_sink (window);
	g_assert_cmpuint (verifier_trust_store_import_file (verifier_window_get_trust_store (window),
	    iaca, &error), ==, 1);
	g_assert_no_error (error);
	verifier_window_set_verification_time (window, VT_ANNEX_D_NOW);
	gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
	vt_disable_transitions (GTK_WIDGET (window));
	gtk_window_present (GTK_WINDOW (window));
	vt_iterate (100);
	return window;
}

gboolean
vt_session_finished (gpointer window)
{
	const char *page = verifier_window_get_visible_page (window);

	if (g_strcmp0 (page, "result") == 0)
		return TRUE;
	if (g_strcmp0 (page, "progress") != 0)
		return FALSE;
	/* The failure titles; the working ones end with an ellipsis. */
	return !g_str_has_suffix (verifier_progress_page_get_title (
	    verifier_window_get_progress_page (window)), "…");
}

GtkWindow *
vt_window_new (int width, int height)
{
	GtkWindow *window = GTK_WINDOW (adw_window_new ());

	gtk_window_set_default_size (window, width, height);
	return window;
}

static gboolean
transition_running (GtkWidget *widget)
{
	if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
		return TRUE;
	for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
	    c = gtk_widget_get_next_sibling (c))
		if (transition_running (c))
			return TRUE;
	return FALSE;
}

void
vt_disable_transitions (GtkWidget *widget)
{
	if (GTK_IS_STACK (widget))
		gtk_stack_set_transition_type (GTK_STACK (widget), GTK_STACK_TRANSITION_TYPE_NONE);
	for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
	    c = gtk_widget_get_next_sibling (c))
		vt_disable_transitions (c);
}

static gboolean
settled (gpointer widget)
{
	return !transition_running (widget);
}

gboolean
vt_screenshot (GtkWidget *widget, const char *path, GError **error)
{
	g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
	g_autoptr (GskRenderNode) node = NULL;
	g_autoptr (GdkTexture) texture = NULL;
	GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (widget));
	int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

	/* A crossfade caught half-way shows two pages at once. */
	vt_wait_until (settled, widget, 3000);
	/* Nothing is drawn while a resize is pending: let the frame clock run
	 * until there is. */
	for (int tries = 0; node == NULL && tries < 40; tries++) {
		GtkSnapshot *snapshot = gtk_snapshot_new ();

		gdk_paintable_snapshot (paintable, snapshot, w, h);
		node = gtk_snapshot_free_to_node (snapshot);
		if (node == NULL)
			vt_iterate (50);
	}
	if (node == NULL || renderer == NULL) {
		g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "nothing to render");
		return FALSE;
	}
	texture = gsk_renderer_render_texture (renderer, node,
	    &GRAPHENE_RECT_INIT (0, 0, (float) w, (float) h));
	if (!gdk_texture_save_to_png (texture, path)) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
		return FALSE;
	}
	return TRUE;
}

void
vt_make_status_list (const char *path)
{
	gint64 now = VT_ANNEX_D_NOW;
	tsr_cert_params_t iaca_params = {
		.country = "UT", .common_name = "Utopia Test IACA",
		.issuer_alt_name = "https://issuer.example.org",
		.crl_uri = "https://issuer.example.org/crl",
		.not_before = now - 86400, .not_after = now + 300 * 86400,
	};
	tsr_cert_params_t ds_params = {
		.country = "UT", .common_name = "Utopia Test DS",
		.crl_uri = "https://issuer.example.org/crl",
		.not_before = now - 86400, .not_after = now + 300 * 86400,
	};
	char *iaca = NULL, *iaca_key = NULL, *ds = NULL, *ds_key = NULL;
	tsr_issuer_t *issuer = NULL;
	uint8_t revoked[1024] = { 0 }, *token = NULL;
	size_t len = 0;

	g_assert_cmpint (tsr_issuer_cert_create (TSR_CERT_IACA, &iaca_params, NULL, 0, NULL, 0, NULL, 0,
	    &iaca, &iaca_key), ==, TSR_OK);
	g_assert_cmpint (tsr_issuer_cert_create (TSR_CERT_DS, &ds_params, (const uint8_t *) iaca,
	    strlen (iaca), (const uint8_t *) iaca_key, strlen (iaca_key), NULL, 0, &ds, &ds_key), ==, TSR_OK);
	g_assert_cmpint (tsr_issuer_new ((const uint8_t *) ds, strlen (ds), (const uint8_t *) ds_key,
	    strlen (ds_key), &issuer), ==, TSR_OK);
	revoked[7] = 1;
	g_assert_cmpint (tsr_issuer_status_list_create (issuer, revoked, sizeof revoked,
	    "https://issuer.example.org/status/1", now - 3 * 86400, now + 27 * 86400, 86400, &token,
	    &len), ==, TSR_OK);
	g_assert_true (g_file_set_contents (path, (const char *) token, (gssize) len, NULL));
	tsr_free (token);
	tsr_issuer_free (issuer);
	tsr_free (iaca);
	tsr_free (iaca_key);
	tsr_free (ds);
	tsr_free (ds_key);
}

void
vt_rm_rf (const char *path)
{
	g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
		g_autofree char *child = g_build_filename (path, name, NULL);

		if (g_file_test (child, G_FILE_TEST_IS_DIR))
			vt_rm_rf (child);
		else
			g_unlink (child);
	}
	g_rmdir (path);
}

void
vt_write_qr_png (const char *uri_file, const char *png_path)
{
	g_autofree char *uri = NULL;
	g_autoptr (GError) error = NULL;
	tsr_qr_t *qr = NULL;
	uint8_t *png = NULL;
	size_t len = 0;

	g_file_get_contents (uri_file, &uri, NULL, &error);
	g_assert_no_error (error);
	g_strstrip (uri);
	g_assert_true (g_str_has_prefix (uri, "mdoc:"));
	g_assert_cmpint (tsr_qr_encode (uri, &qr), ==, TSR_OK);
	g_assert_cmpint (tsr_qr_to_png (qr, 8, TSR_QR_QUIET_ZONE, &png, &len), ==, TSR_OK);
	g_file_set_contents (png_path, (const char *) png, (gssize) len, &error);
	g_assert_no_error (error);
	tsr_free (png);
	tsr_qr_free (qr);
}
