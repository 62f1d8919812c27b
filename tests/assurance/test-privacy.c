/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Privacy of a full presentation with partial consent, end to end: a wallet
 * store (software secure area) holds a credential issued to one of its keys;
 * a reader asks for every mandatory mDL element over a session; the holder
 * shares only family_name and expiry_date and logs the presentation. Then:
 *  - the value bytes and the salt ("random") of every element not shared
 *    occur neither in the encrypted SessionData, nor in the decrypted
 *    DeviceResponse, nor in the presentation log (as stored or as listed),
 *    nor anywhere in the store's files;
 *  - no element value of the credential, shared or not, occurs in plaintext
 *    in the store's files (sealed at rest);
 *  - a log handler installed for the whole run (every debug message) never
 *    receives an element value, a salt, the device key's public point, or a
 *    key: SKDevice, SKReader, the EMacKey of the deviceMac, the EDeviceKey
 *    and EReaderKey private scalars, the two ECDH secrets they come from, or
 *    the wallet's data key, in any encoding (raw, hex, base64); no key is in
 *    the store's files either;
 *  - nothing of the above reaches the process's stdout or stderr (both are
 *    redirected to files for the run and searched like the log).
 * The EMacKey and the ECDH secrets are recomputed (session-secrets.c); the
 * EMacKey is checked against the deviceMac of the response first, so the
 * search looks for the key the holder really used.
 */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <tessera/tessera.h>

#include "cose/cose.h"
#include "mdoc/mdoc.h"
#include "session/session.h"
#include "store/store-private.h"
#include "credential-builder.h"
#include "session-secrets.h"
#include "test-support.h"

#define PASSPHRASE "correct horse battery staple"
#define DAY 86400

/* Everything the library logged during the test. */
static GString *logged;

static void
capture(const char *msg, void *user)
{
	(void)user;
	g_string_append(logged, msg);
	g_string_append_c(logged, '\n');
}

/* A secret, and the places it must never be found. */
typedef struct secret {
	char *what;
	GBytes *bytes;
} secret_t;

static void
secret_free(gpointer p)
{
	secret_t *s = p;

	g_free(s->what);
	g_bytes_unref(s->bytes);
	g_free(s);
}

static void
add_secret(GPtrArray *list, const char *what, const uint8_t *ptr, size_t len)
{
	secret_t *s = g_new0(secret_t, 1);

	s->what = g_strdup(what);
	s->bytes = g_bytes_new(ptr, len);
	g_ptr_array_add(list, s);
}

static void
assert_absent(const char *where, const uint8_t *hay, size_t hay_len, const secret_t *s)
{
	gsize len = 0;
	const uint8_t *needle = g_bytes_get_data(s->bytes, &len);

	if (hay != NULL && len > 0 && memmem(hay, hay_len, needle, len) != NULL)
		g_error("%s found in %s", s->what, where);
}

/* Raw, lower- and upper-case hex, and base64 (and base64url) forms. */
static void
assert_absent_any_form(const char *where, const char *text, const secret_t *s)
{
	gsize len = 0;
	const uint8_t *raw = g_bytes_get_data(s->bytes, &len);
	g_autofree char *hex = g_malloc(2 * len + 1);
	g_autofree char *b64 = g_base64_encode(raw, len);
	g_autofree char *upper = NULL;

	for (size_t i = 0; i < len; i++)
		g_snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	upper = g_ascii_strup(hex, -1);
	assert_absent(where, (const uint8_t *)text, strlen(text), s);
	if (len >= 4) {
		/* A base64 run without its padding, and its url-safe twin. */
		size_t n = strlen(b64);

		while (n > 0 && b64[n - 1] == '=')
			b64[--n] = '\0';
		if (n > 8)
			b64[n - 4] = '\0'; /* the tail depends on what follows */
		if (strstr(text, hex) != NULL || strstr(text, upper) != NULL)
			g_error("%s found in hex in %s", s->what, where);
		if (strstr(text, b64) != NULL)
			g_error("%s found in base64 in %s", s->what, where);
		g_strdelimit(b64, "+", '-');
		g_strdelimit(b64, "/", '_');
		if (strstr(text, b64) != NULL)
			g_error("%s found in base64url in %s", s->what, where);
	}
}

static GBytes *
read_all(const char *path)
{
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, &error))
		return NULL;
	return g_bytes_new_take(data, len);
}

static void
rm_rf(const char *path)
{
	GDir *d;
	const char *name;

	if ((d = g_dir_open(path, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			rm_rf(child);
		}
		g_dir_close(d);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

/* stdout or stderr sent to a file for the run, then put back. */
typedef struct captured_fd {
	int fd, saved;
	char *path;
} captured_fd_t;

static void
capture_fd_start(captured_fd_t *c, int fd, const char *dir, const char *name)
{
	int file;

	c->fd = fd;
	c->path = g_build_filename(dir, name, NULL);
	fflush(NULL);
	file = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	g_assert_cmpint(file, >=, 0);
	c->saved = dup(fd);
	g_assert_cmpint(c->saved, >=, 0);
	g_assert_cmpint(dup2(file, fd), ==, fd);
	close(file);
}

/* Restores the descriptor; returns what was written to it, NUL-terminated. */
static char *
capture_fd_end(captured_fd_t *c)
{
	char *text = NULL;

	fflush(NULL);
	g_assert_cmpint(dup2(c->saved, c->fd), ==, c->fd);
	close(c->saved);
	g_assert_true(g_file_get_contents(c->path, &text, NULL, NULL));
	g_free(c->path);
	return text;
}

/* The deviceMac tag that the EMacKey gives over this session's
 * DeviceAuthenticationBytes must be in the response: then the recomputed
 * key is the one the holder used, and searching for it means something. */
static void
assert_emac_key_is_the_holders(const tsr_holder_session_t *holder, const uint8_t emac[32],
    const uint8_t *response, size_t response_len)
{
	static const uint8_t empty_device_ns[] = { 0xd8, 0x18, 0x41, 0xa0 };
	static const char doc_type[] = "org.iso.18013.5.1.mDL";
	const uint8_t *st = NULL;
	size_t st_len = 0, dab_len = 0, mac_len = 0;
	uint8_t *dab = NULL, *mac = NULL;
	tsr_transcript_t t;

	g_assert_cmpint(tsr_holder_session_transcript(holder, &st, &st_len), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_decode(st, st_len, &t), ==, TSR_OK);
	g_assert_cmpint(tsr_device_authentication_bytes(&t,
	    (tsr_span_t){ (const uint8_t *)doc_type, strlen(doc_type) },
	    (tsr_span_t){ empty_device_ns, sizeof(empty_device_ns) }, &dab, &dab_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_cose_mac0_create(emac, dab, dab_len, true, &mac, &mac_len), ==,
	    TSR_OK);
	g_assert_cmpuint(mac_len, >, 32);
	g_assert_nonnull(memmem(response, response_len, mac + mac_len - 32, 32));
	tsr_transcript_clear(&t);
	tsr_free(dab);
	tsr_free(mac);
}

static void
consented_presentation(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("tsr-privacy-XXXXXX", &error);
	g_autofree char *path = g_build_filename(dir, "wallet.db", NULL);
	const char *data_dir = g_getenv("TSR_TEST_DATA");
	g_autoptr(GPtrArray) undisclosed = g_ptr_array_new_with_free_func(secret_free);
	g_autoptr(GPtrArray) everything = g_ptr_array_new_with_free_func(secret_free);
	tsr_sa_config_t config = { .kind = TSR_SA_SOFTWARE, .secret = tsr_test_secret_cb,
		.secret_user = (void *)(uintptr_t)PASSPHRASE };
	tsr_store_t *store = NULL;
	tsr_device_key_t *key = NULL;
	tsr_holder_session_t *holder = NULL;
	tsr_reader_session_t *reader = NULL;
	tsr_request_builder_t *b = NULL;
	tsr_presentation_t *p = NULL;
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	tsr_store_log_t *log = NULL;
	tsr_cbor_doc_t *doc = NULL;
	tsr_issuer_signed_t is;
	tsr_test_session_secrets_t keys;
	captured_fd_t out_capture, err_capture;
	g_autofree char *out_text = NULL, *err_text = NULL;
	tsr_store_item_t requested[64], shared[64];
	size_t n_requested = 0, n_shared = 0;
	uint8_t *cose = NULL, *cred = NULL, *request = NULL, *est = NULL, *dev_request = NULL,
	    *response = NULL, *msg = NULL, *received = NULL;
	size_t cose_len = 0, cred_len = 0, request_len = 0, est_len = 0, dev_request_len = 0,
	    response_len = 0, msg_len = 0, received_len = 0, iaca_len = 0;
	const uint8_t *st = NULL;
	size_t st_len = 0;
	g_autofree uint8_t *iaca = NULL;
	char *uri = NULL;
	int64_t key_id = 0, cred_id = 0, now = tsr_clock_now();
	bool ended = true;
	int r;

	g_assert_no_error(error);
	g_assert_nonnull(data_dir);
	logged = g_string_new(NULL);
	tsr_log_set_handler(capture, NULL);
	/* If an assertion fails while these are redirected, its message is in
	 * the files named here. */
	g_test_message("stdout and stderr of the run go to %s/{stdout,stderr}.txt", dir);
	capture_fd_start(&out_capture, STDOUT_FILENO, dir, "stdout.txt");
	capture_fd_start(&err_capture, STDERR_FILENO, dir, "stderr.txt");
	/* The controls: what is written to either is found where searched. */
	printf("capture control: stdout\n");
	fprintf(stderr, "capture control: stderr\n");

	/* The wallet and its credential. */
	g_assert_cmpint(tsr_store_create(path, &config, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_create_key(store, NULL, &key_id, &cose, &cose_len), ==, TSR_OK);
	g_assert_cmpint(tsr_test_credential_build_cose(data_dir, cose, cose_len, now - DAY,
	    now - DAY, now + 365 * DAY, &cred, &cred_len), ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred, cred_len, NULL, &cred_id, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_device_key(store, key_id, NULL, &key), ==, TSR_OK);
	add_secret(everything, "the device key's COSE_Key", cose, cose_len);

	/* The session, and a request for every mandatory element. */
	g_assert_cmpint(tsr_holder_session_new(NULL, &holder), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_qr_uri(holder, &uri), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_new(uri, &reader), ==, TSR_OK);
	tsr_reader_session_transcript(reader, &st, &st_len);
	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_template(b, "mdl-full"), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(b, st, st_len, &request, &request_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_reader_session_establish(reader, request, request_len, &est, &est_len),
	    ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_establish(holder, est, est_len, &dev_request,
	    &dev_request_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_transcript(holder, &st, &st_len), ==, TSR_OK);

	/* Consent to two elements only. */
	g_assert_cmpint(tsr_presentation_new(dev_request, dev_request_len, st, st_len, &p), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_presentation_add_credential(p, cred, cred_len, key, "cred"), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_presentation_analyze(p), ==, TSR_OK);
	g_assert_cmpuint(tsr_presentation_doc_count(p), ==, 1);
	for (size_t i = 0; i < tsr_presentation_element_count(p, 0); i++) {
		tsr_requested_element_t e;
		bool share;

		g_assert_cmpint(tsr_presentation_element(p, 0, i, &e), ==, TSR_OK);
		share = strcmp(e.identifier, "family_name") == 0 ||
		    strcmp(e.identifier, "expiry_date") == 0;
		g_assert_cmpint(tsr_presentation_consent(p, 0, i, share), ==, TSR_OK);
		g_assert_cmpuint(n_requested, <, G_N_ELEMENTS(requested));
		requested[n_requested++] = (tsr_store_item_t){ e.name_space, e.identifier };
		if (share && e.available)
			shared[n_shared++] = (tsr_store_item_t){ e.name_space, e.answer };
	}
	g_assert_cmpuint(n_shared, ==, 2);
	g_assert_cmpuint(n_requested, >, 4);
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &response,
	    &response_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_respond(holder, response, response_len, false, &msg,
	    &msg_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_receive(reader, msg, msg_len, &received,
	    &received_len, &ended), ==, TSR_OK);
	g_assert_cmpmem(received, received_len, response, response_len);
	/* The session keys and the wallet's data key never reach a file or the
	 * debug log either. */
	add_secret(everything, "SKDevice", tsr_holder_session_keys(holder)->sk_device, 32);
	add_secret(everything, "SKReader", tsr_holder_session_keys(holder)->sk_reader, 32);
	add_secret(everything, "the data key", store->data_key, 32);
	/* The deviceMac's key and the ephemeral keys it and SK come from. */
	tsr_test_session_secrets(reader, holder, cose, cose_len, &keys);
	assert_emac_key_is_the_holders(holder, keys.emac_key, received, received_len);
	add_secret(everything, "the EMacKey", keys.emac_key, 32);
	add_secret(everything, "the EDeviceKey private scalar", keys.e_device_d, 32);
	add_secret(everything, "the EReaderKey private scalar", keys.e_reader_d, 32);
	add_secret(everything, "the session's ECDH secret", keys.z_session, 32);
	add_secret(everything, "the deviceMac's ECDH secret", keys.z_auth, 32);

	/* The reader's verdict, with its logging: the two shared elements. */
	iaca = tsr_test_load("store/iaca.pem", &iaca_len);
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, iaca, iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_prepare_verifier(reader, v), ==, TSR_OK);
	r = tsr_verifier_verify(v, received, received_len, &result);
	g_assert_cmpint(r, ==, TSR_OK);
	g_assert_true(tsr_verify_result_valid(result));
	g_assert_cmpuint(tsr_verified_doc_element_count(tsr_verify_result_doc(result, 0)), ==, 2);
	tsr_verify_result_free(result);
	result = NULL;
	/* A broken response too, so that the failure paths log. */
	received[received_len / 2] ^= 0x5a;
	r = tsr_verifier_verify(v, received, received_len, &result);
	g_assert_true(r != TSR_OK || !tsr_verify_result_valid(result));
	tsr_verify_result_free(result);
	received[received_len / 2] ^= 0x5a;

	/* The log entry, written and read back. */
	{
		tsr_store_log_entry_t entry = { .reader = "CN=privacy test reader",
			.reader_trust = tsr_presentation_reader_trust(p, 0, NULL),
			.doc_type = "org.iso.18013.5.1.mDL", .credential_id = cred_id,
			.requested = requested, .n_requested = n_requested, .shared = shared,
			.n_shared = n_shared, .outcome = TSR_PRESENTATION_SHARED };

		g_assert_cmpint(tsr_store_log_append(store, &entry, NULL), ==, TSR_OK);
	}
	g_assert_cmpint(tsr_store_log_list(store, &log), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_log_count(log), ==, 1);

	/* What must stay private: every element's value and salt, from the
	 * credential itself. */
	g_assert_cmpint(tsr_cbor_decode(cred, cred_len, NULL, &doc), ==, TSR_OK);
	g_assert_cmpint(tsr_issuer_signed_decode(tsr_cbor_doc_root(doc), &is), ==, TSR_OK);
	for (size_t n = 0; n < is.n_ns; n++)
		for (size_t i = 0; i < is.ns[n].n_items; i++) {
			const tsr_issuer_item_t *it = &is.ns[n].items[i];
			g_autofree char *id = g_strndup((const char *)it->element_id.ptr,
			    it->element_id.len);
			g_autofree char *salt_what = g_strdup_printf("the salt of %s", id);
			g_autofree char *value_what = g_strdup_printf("the value of %s", id);
			bool is_shared = strcmp(id, "family_name") == 0 ||
			    strcmp(id, "expiry_date") == 0;
			/* Values of a few bytes (true, 18, "M") occur by chance in
			 * any binary: only distinctive ones are searched for. */
			bool distinctive = it->value->raw.len >= 6;

			g_assert_cmpuint(it->random.len, >=, 16);
			add_secret(everything, salt_what, it->random.ptr, it->random.len);
			if (distinctive)
				add_secret(everything, value_what, it->value->raw.ptr,
				    it->value->raw.len);
			if (is_shared) {
				/* The control: what was shared is found where searched. */
				g_assert_nonnull(memmem(received, received_len, it->random.ptr,
				    it->random.len));
				continue;
			}
			add_secret(undisclosed, salt_what, it->random.ptr, it->random.len);
			add_secret(undisclosed, "an unshared IssuerSignedItemBytes", it->bytes.ptr,
			    it->bytes.len);
			if (distinctive)
				add_secret(undisclosed, value_what, it->value->raw.ptr,
				    it->value->raw.len);
			/* The content of a string value, without its CBOR head. */
			if ((it->value->type == TSR_CBOR_TSTR || it->value->type == TSR_CBOR_BSTR) &&
			    it->value->u.str.len >= 6)
				add_secret(undisclosed, value_what, it->value->u.str.ptr,
				    it->value->u.str.len);
		}
	g_assert_cmpuint(undisclosed->len, >, 10);

	/* The response, encrypted and decrypted; the log as listed. */
	for (guint i = 0; i < undisclosed->len; i++) {
		const secret_t *s = undisclosed->pdata[i];
		const tsr_store_log_entry_t *e = tsr_store_log_get(log, 0);

		assert_absent("the encrypted SessionData", msg, msg_len, s);
		assert_absent("the DeviceResponse", received, received_len, s);
		assert_absent("the presentation log's reader", (const uint8_t *)e->reader,
		    strlen(e->reader), s);
		for (size_t k = 0; k < e->n_requested; k++)
			assert_absent("a logged requested item", (const uint8_t *)e->requested[k].identifier,
			    strlen(e->requested[k].identifier), s);
		for (size_t k = 0; k < e->n_shared; k++)
			assert_absent("a logged shared item", (const uint8_t *)e->shared[k].identifier,
			    strlen(e->shared[k].identifier), s);
	}
	g_assert_cmpuint(tsr_store_log_get(log, 0)->n_shared, ==, 2);

	/* The store's files: main database, WAL and shared memory, written
	 * out (checkpoint on close) and before. Nothing in plaintext. */
	for (int pass = 0; pass < 2; pass++) {
		static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

		if (pass == 1) {
			tsr_store_log_free(log);
			log = NULL;
			tsr_device_key_free(key);
			key = NULL;
			tsr_store_free(store);
			store = NULL;
		}
		for (size_t k = 0; k < G_N_ELEMENTS(suffixes); k++) {
			g_autofree char *file = g_strconcat(path, suffixes[k], NULL);
			g_autoptr(GBytes) bytes = read_all(file);
			gsize len = 0;
			const uint8_t *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;

			if (k == 0)
				g_assert_nonnull(bytes);
			for (guint i = 0; i < everything->len; i++) {
				const secret_t *s = everything->pdata[i];

				/* The device's public key is not secret in the store. */
				if (g_str_has_prefix(s->what, "the device key"))
					continue;
				assert_absent(file, data, len, s);
			}
		}
	}

	/* The log handler's text, every message of the run; what the run
	 * wrote to stdout and stderr. */
	err_text = capture_fd_end(&err_capture);
	out_text = capture_fd_end(&out_capture);
	g_assert_nonnull(strstr(out_text, "capture control: stdout\n"));
	g_assert_nonnull(strstr(err_text, "capture control: stderr\n"));
	g_test_message("%zu bytes of debug log, %zu of stdout and %zu of stderr captured; "
	    "%u secrets searched for", logged->len, strlen(out_text), strlen(err_text),
	    everything->len);
	for (guint i = 0; i < everything->len; i++) {
		assert_absent_any_form("the debug log", logged->str, everything->pdata[i]);
		assert_absent_any_form("stdout", out_text, everything->pdata[i]);
		assert_absent_any_form("stderr", err_text, everything->pdata[i]);
	}

	tsr_log_set_handler(NULL, NULL);
	tsr_issuer_signed_clear(&is);
	tsr_cbor_doc_free(doc);
	tsr_verifier_free(v);
	tsr_presentation_free(p);
	tsr_request_builder_free(b);
	tsr_holder_session_free(holder);
	tsr_reader_session_free(reader);
	tsr_free(uri);
	tsr_free(cose);
	free(cred);
	tsr_free(request);
	tsr_free(est);
	tsr_free(dev_request);
	tsr_free(response);
	tsr_free(msg);
	tsr_free(received);
	g_string_free(logged, TRUE);
	rm_rf(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/privacy/consented_presentation", consented_presentation);
	return g_test_run();
}
