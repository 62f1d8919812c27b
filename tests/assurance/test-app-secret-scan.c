/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Secret hygiene of the two GUI apps (issue #10), as test-cli-secret-scan
 * does it for the CLI (process-scan.h): a real QR session over the local
 * transport, the app a traced child, its memory read through
 * /proc/PID/mem. The apps are long-lived: after a session they stay up, so
 * each is scanned twice, with the session over and its result on screen
 * (the process stopped for the read, then let go on), and when it calls
 * exit.
 *
 *  /app-secret-scan/holder-app/{software,tpm,pkcs11}: the holder app's
 *    code (gui/, driven by gui/tests/wallet-scan-driver) presents to
 *    `tessera reader request`, every element shared, from a software test
 *    wallet, a TPM wallet on a real swtpm whose key has a PIN (typed into
 *    the PIN prompt to share), or a wallet on a SoftHSM2 token.
 *  /app-secret-scan/verifier-app: the verifier app's code (driven by
 *    verifier-app/tests/verifier-scan-driver) reads from `tessera present`
 *    (Annex D credential and static device key), which declines the
 *    portrait.
 *
 * The reader connects to the test, which passes the frames on to the
 * holder and holds the response back: with both sessions alive it finds
 * the EDeviceKey and EReaderKey private scalars among the two processes'
 * big numbers, derives the session's ECDH secret, SKDevice, SKReader, the
 * device-auth ECDH secret and the EMacKey, and checks the controls (the
 * live holder holds SKDevice, the live reader SKReader, where the scan sees
 * them). The scans look for those 7 and, in the holder app on a software
 * wallet, for the device key's private scalar (recomputed from the wallet
 * file and the passphrase; a TPM's or a token's never enters the process);
 * in the verifier app also for the portrait, which never reached it (a
 * weaker check: the live `tessera present` must show it, so the search
 * can find it). The holder app keeps its wallet unlocked while it runs,
 * with the secret that unlocks it, so the wallet's data key, the software
 * area's keys (M, the sealing key, the device key's wrapping key), the TPM
 * key's PIN and the token's user PIN are only reported with the result
 * shown (where the data key and the PIN must be found: more controls), and
 * must be gone at exit (wallet_secrets() says which applies to which
 * wallet; a TPM key's PIN may stay in tpm2-tss's freed session records
 * only, only_in_tss_session_records()).
 *
 * Not looked for in the holder app: the credential's element values. The
 * app decodes them to show the credentials page and the consent sheet, so
 * they are in its memory for as long as it runs, by design.
 */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <tessera/tessera.h>

#include "app-scan.h"
#include "cose/cose.h"
#include "process-scan.h"
#include "session-secrets.h"
#include "softhsm.h"
#include "swtpm.h"
#include "test-support.h"

#define NOW "2021-01-01T00:00:00Z"
#define PASSPHRASE "correct horse battery staple" /* gui/tests' test wallet's */
#define PORTRAIT_WINDOWS 4

static const char *tessera_path;
static const char *holder_app_driver;
static const char *verifier_app_driver;
static const char *data_dir;

/* --- The driven app --- */

typedef struct app {
	tsr_test_tracee_t t;
	int to_app;   /* its stdin */
	int from_app; /* its stdout */
	char *log;
} app_t;

static void
app_spawn(app_t *app, const char *name, const char *const *argv, const char *log_path)
{
	int in[2], out[2];

	g_assert_cmpint(pipe2(in, O_CLOEXEC), ==, 0);
	g_assert_cmpint(pipe2(out, O_CLOEXEC), ==, 0);
	app->log = g_strdup(log_path);
	tsr_test_tracee_spawn(&app->t, name, argv, log_path, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	app->to_app = in[1];
	app->from_app = out[0];
}

/* The next line the app writes, without its newline. A test failure, with
 * the app's log, if it exits first. */
static char *
app_read_line(app_t *app)
{
	GString *line = g_string_new(NULL);
	int64_t deadline = g_get_monotonic_time() + (int64_t)TSR_TEST_SCAN_WAIT_MS * 1000;

	for (;;) {
		struct pollfd p = { .fd = app->from_app, .events = POLLIN };
		char c;

		tsr_test_tracee_poll(&app->t);
		if (app->t.at_exit || app->t.gone) {
			g_autofree char *log = NULL;

			g_file_get_contents(app->log, &log, NULL, NULL);
			g_error("%s ended early:\n%s", app->t.name, log);
		}
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		if (poll(&p, 1, 20) != 1)
			continue;
		g_assert_cmpint(read(app->from_app, &c, 1), ==, 1);
		if (c == '\n')
			return g_string_free(line, FALSE);
		g_string_append_c(line, c);
	}
}

/* The value of the app's next line, which must start with "key " (TAP
 * comments of its g_test_init() are passed over). */
static char *
app_expect(app_t *app, const char *key)
{
	g_autofree char *line = app_read_line(app);
	size_t n = strlen(key);

	while (line[0] == '#') {
		g_free(line);
		line = app_read_line(app);
	}
	if (strncmp(line, key, n) != 0 || (line[n] != ' ' && line[n] != '\0'))
		g_error("%s said \"%s\", not %s", app->t.name, line, key);
	return g_strdup(line[n] == ' ' ? line + n + 1 : "");
}

/* How many of PORTRAIT_WINDOWS 32-byte windows, spread over the portrait
 * (past the JPEG headers every JPEG has), occur in snap; each is logged. */
static unsigned
portrait_windows_found(const tsr_test_snapshot_t *snap, const uint8_t *portrait,
    size_t portrait_len, const char *who, const char *when)
{
	unsigned found = 0;

	for (size_t w = 0; w < PORTRAIT_WINDOWS; w++) {
		size_t at = portrait_len / (PORTRAIT_WINDOWS + 1) * (w + 1);

		if (tsr_test_snapshot_has_bytes(snap, portrait + at, 32)) {
			g_test_message("%s %s: the portrait's bytes %zu..%zu are in memory", who,
			    when, at, at + 31);
			found++;
		}
	}
	return found;
}

/*
 * tpm2-tss (3.2) keeps the HMAC key of an authorization session,
 * sessionKey || the authorized object's authValue, in its record of the
 * session (IESYS_SESSION: UINT16 sizeSessionValue, then BYTE
 * sessionValue[]) and frees the record unwiped when the session is
 * flushed; ESYS gives no way to reach it. So a TPM key's PIN outlives its
 * use there (docs/assurance.md, finding 23). True when every occurrence
 * of either 16-byte half of s, forwards or reversed, lies in the tail of
 * such a record: s whole, after a 32-byte SHA-256 session key, itself
 * after sizeSessionValue = 64. Any other copy (the app's, the library's,
 * another of tpm2-tss's, a half) is false.
 */
typedef struct residue_check {
	const uint8_t *secret; /* 32 bytes */
	size_t half;           /* 0 or 16: which half is being looked for */
	unsigned in_session_records;
	unsigned elsewhere;
} residue_check_t;

static void
classify_occurrence(const uint8_t *at, size_t before, size_t rest, void *user)
{
	residue_check_t *c = user;
	const uint8_t *whole = at - c->half;

	if (before >= c->half + 34 && rest + c->half >= 32 && memcmp(whole, c->secret, 32) == 0 &&
	    whole[-34] == 64 && whole[-33] == 0)
		c->in_session_records++;
	else {
		g_autoptr(GString) around = g_string_new(NULL);

		for (size_t k = before > 48 ? before - 48 : 0; k < before + MIN(rest, 64); k++)
			g_string_append_printf(around, "%s%02x", k == before ? " [" : "",
			    at[(ptrdiff_t)k - (ptrdiff_t)before]);
		g_test_message("half %zu of the PIN elsewhere: %s", c->half / 16, around->str);
		c->elsewhere++;
	}
}

static bool
only_in_tss_session_records(const tsr_test_snapshot_t *snap, const tsr_test_secret_t *s)
{
	residue_check_t c = { .secret = s->bytes };
	uint8_t reversed[32];

	for (c.half = 0; c.half < 32; c.half += 16)
		tsr_test_snapshot_each(snap, s->bytes + c.half, 16, classify_occurrence, &c);
	for (size_t k = 0; k < 32; k++)
		reversed[k] = s->bytes[31 - k];
	if (tsr_test_snapshot_has_bytes(snap, reversed, 16) ||
	    tsr_test_snapshot_has_bytes(snap, reversed + 16, 16))
		c.elsewhere++;
	/* Each copy in a record was counted once per half. */
	g_test_message("%s: %u copies in freed tpm2-tss session records, %u other occurrences",
	    s->what, c.in_session_records / 2, c.elsewhere);
	return c.in_session_records > 0 && c.elsewhere == 0;
}

/*
 * The app with its session over and the result on screen: stopped, its
 * memory scanned for all, let go on. Then told to quit and scanned in
 * exit. Fails if either scan finds a secret of all or, when portrait is
 * given, any of its windows; or if the exit scan finds one of held (may
 * be NULL: what the app holds by design while it runs, which the first
 * scan only reports). The held secrets named in controls (NULL-terminated;
 * NULL for none) must be found by the first scan: the search can see them.
 * At exit, the held secret named tss_residue (NULL for none) may remain in
 * tpm2-tss's freed session records only.
 */
static void
app_scan_twice(app_t *app, const tsr_test_secrets_t *all, const tsr_test_secrets_t *held,
    const char *const *controls, const char *tss_residue, const uint8_t *portrait,
    size_t portrait_len)
{
	const char *when[] = { "with the result shown", "at exit" };
	unsigned found[2] = { 0, 0 };

	for (size_t pass = 0; pass < 2; pass++) {
		tsr_test_snapshot_t snap;

		if (pass == 0) {
			tsr_test_tracee_interrupt(&app->t);
		} else {
			g_assert_cmpint(write(app->to_app, "quit\n", 5), ==, 5);
			tsr_test_tracee_wait_exit(&app->t);
			g_assert_true(app->t.at_exit);
		}
		tsr_test_snapshot_take(app->t.pid, &snap);
		found[pass] = tsr_test_scan_secrets(&snap, all, app->t.name, when[pass]);
		if (held != NULL) {
			unsigned n = tsr_test_scan_secrets(&snap, held, app->t.name, when[pass]);

			if (pass == 1 && tss_residue != NULL && tsr_test_snapshot_has_secret(&snap,
			    tsr_test_secret_named(held, tss_residue)) &&
			    only_in_tss_session_records(&snap, tsr_test_secret_named(held,
			    tss_residue)))
				n--;
			if (pass == 1)
				found[pass] += n;
			for (size_t c = 0; pass == 0 && controls != NULL && controls[c] != NULL; c++)
				g_assert_true(tsr_test_snapshot_has_secret(&snap,
				    tsr_test_secret_named(held, controls[c])));
		}
		if (portrait != NULL)
			found[pass] += portrait_windows_found(&snap, portrait, portrait_len,
			    app->t.name, when[pass]);
		tsr_test_snapshot_free(&snap);
		if (pass == 0)
			tsr_test_tracee_resume(&app->t);
	}
	tsr_test_tracee_release(&app->t, app->log);
	close(app->to_app);
	close(app->from_app);
	g_free(app->log);
	g_assert_cmpuint(found[0], ==, 0);
	g_assert_cmpuint(found[1], ==, 0);
}

/* --- The session between them --- */

typedef struct session {
	uint8_t *engagement;
	size_t engagement_len;
	tsr_engagement_t de;
	tsr_session_establishment_t se;
	uint8_t *response;
	size_t response_len;
} session_t;

static void
session_set_engagement(session_t *s, const char *uri)
{
	g_assert_cmpint(tsr_engagement_from_qr_uri(uri, &s->engagement, &s->engagement_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_engagement_decode(s->engagement, s->engagement_len, &s->de), ==,
	    TSR_OK);
}

/* Passes the SessionEstablishment from rfd on to hfd. */
static void
relay_establishment(session_t *s, int rfd, int hfd, tsr_test_tracee_t *reader,
    tsr_test_tracee_t *holder)
{
	size_t len = 0;
	uint8_t *establishment = tsr_test_frame_read(rfd, &len, reader, holder);

	g_assert_nonnull(establishment);
	g_assert_cmpint(tsr_session_establishment_decode(establishment, len, &s->se), ==, TSR_OK);
	tsr_test_frame_write(hfd, establishment, len);
	g_free(establishment);
}

/* Reads the holder's response from hfd and keeps it back (s->response). */
static void
hold_response(session_t *s, int hfd, tsr_test_tracee_t *reader, tsr_test_tracee_t *holder)
{
	s->response = tsr_test_frame_read(hfd, &s->response_len, holder, reader);
	g_assert_nonnull(s->response);
}

/* With both sessions alive: the scalars found, the rest derived, and the
 * controls (the live holder holds SKDevice, the live reader SKReader). */
static void
find_session_secrets(session_t *s, tsr_test_secrets_t *all, tsr_test_tracee_t *reader,
    tsr_test_tracee_t *holder, const tsr_ec_pub_t *device_pub)
{
	tsr_test_snapshot_t live;

	tsr_test_snapshot_take(holder->pid, &live);
	g_assert_true(tsr_test_snapshot_find_scalar(&live, &s->de.e_device_key,
	    tsr_test_secret_add(all, "the EDeviceKey scalar")->bytes));
	tsr_test_snapshot_free(&live);
	tsr_test_snapshot_take(reader->pid, &live);
	g_assert_true(tsr_test_snapshot_find_scalar(&live, &s->se.e_reader_key,
	    tsr_test_secret_add(all, "the EReaderKey scalar")->bytes));
	tsr_test_derive_session_secrets(all, s->engagement, s->engagement_len, &s->de, &s->se,
	    device_pub);
	g_assert_true(tsr_test_snapshot_has_secret(&live, tsr_test_secret_named(all, "SKReader")));
	tsr_test_snapshot_free(&live);
	tsr_test_snapshot_take(holder->pid, &live);
	g_assert_true(tsr_test_snapshot_has_secret(&live, tsr_test_secret_named(all, "SKDevice")));
	tsr_test_snapshot_free(&live);
}

/* Lets the response go and passes the reader's frames on (its end of the
 * session) until it stops sending. */
static void
relay_rest(session_t *s, int rfd, int hfd, tsr_test_tracee_t *reader, tsr_test_tracee_t *holder)
{
	uint8_t *msg;
	size_t len = 0;

	tsr_test_frame_write(rfd, s->response, s->response_len);
	while ((msg = tsr_test_frame_read(rfd, &len, reader, holder)) != NULL) {
		tsr_test_frame_write(hfd, msg, len);
		g_free(msg);
	}
	close(hfd);
	close(rfd);
}

static void
session_clear(session_t *s)
{
	tsr_session_establishment_clear(&s->se);
	tsr_engagement_clear(&s->de);
	tsr_free(s->engagement);
	g_free(s->response);
}

/* --- The holder app --- */

/* The holder app's wallet: what the driver is told to make it on. */
typedef enum wallet_kind {
	WALLET_SOFTWARE,
	WALLET_TPM,
	WALLET_PKCS11,
} wallet_kind_t;

/*
 * From the wallet file the app made, opened as the app opens it: the
 * device key's public key, and the secrets to look for.
 *  - every kind: the wallet's data key (to held: the app keeps the wallet
 *    unlocked while it runs, so it must be gone only at exit);
 *  - software: the device key's private scalar (to all) and the software
 *    area's keys (to held): the passphrase-derived key M, the sealing key
 *    and the device key's wrapping key;
 *  - TPM: the key PIN (to held: the app asks for it to unlock a wallet
 *    made with one and keeps it, as it keeps a passphrase; the holder
 *    types it again into the prompt to share). The device key's scalar
 *    never leaves the TPM: no one can look for it;
 *  - PKCS#11: the token's user PIN (to held, the same). The device key's
 *    scalar is the token's (CKA_SENSITIVE, unreadable): not looked for
 *    either.
 */
static void
wallet_secrets(wallet_kind_t kind, const char *path, tsr_ec_pub_t *pub,
    tsr_test_secrets_t *all, tsr_test_secrets_t *held)
{
	const char *secret = kind == WALLET_SOFTWARE ? PASSPHRASE :
	    kind == WALLET_PKCS11 ? TSR_APP_SCAN_TOKEN_PIN : NULL;
	tsr_store_options_t options = { .secret = tsr_test_secret_cb,
		.secret_user = (void *)(uintptr_t)secret };
	tsr_store_t *store = NULL;
	tsr_store_list_t *list = NULL;
	uint8_t *ref = NULL, *cose = NULL;
	size_t ref_len = 0, cose_len = 0;

	g_assert_cmpint(tsr_store_open(path, &options, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_list_count(list), ==, 1);
	g_assert_cmpint(tsr_store_key_get(store, tsr_store_list_get(list, 0)->key_id, &ref,
	    &ref_len, &cose, &cose_len), ==, TSR_OK);
	g_assert_cmpint(tsr_cose_key_from_bytes(cose, cose_len, pub), ==, TSR_OK);
	memcpy(tsr_test_secret_add(held, "the data key")->bytes, store->data_key, 32);
	if (kind == WALLET_SOFTWARE) {
		tsr_test_software_key_t *key = g_new0(tsr_test_software_key_t, 1);

		tsr_test_software_key(store, PASSPHRASE, ref, ref_len, key);
		memcpy(tsr_test_secret_add(all, "the device key's scalar")->bytes,
		    key->der + key->d_offset, 32);
		memcpy(tsr_test_secret_add(held, "the software area's key M")->bytes, key->m,
		    32);
		memcpy(tsr_test_secret_add(held, "the software area's sealing key")->bytes,
		    key->seal, 32);
		memcpy(tsr_test_secret_add(held, "the device key's wrapping key")->bytes,
		    key->wrap, 32);
		g_free(key);
	} else if (kind == WALLET_TPM) {
		memcpy(tsr_test_secret_add(held, "the TPM key's PIN")->bytes,
		    TSR_APP_SCAN_TPM_KEY_PIN, 32);
	} else {
		memcpy(tsr_test_secret_add(held, "the token's user PIN")->bytes,
		    TSR_APP_SCAN_TOKEN_PIN, 32);
	}
	tsr_store_list_free(list);
	tsr_free(ref);
	tsr_free(cose);
	tsr_store_free(store);
}

static void
holder_app_session(gconstpointer data)
{
	static const char *const seen[][3] = {
		[WALLET_SOFTWARE] = { "the data key", NULL },
		[WALLET_TPM] = { "the data key", "the TPM key's PIN", NULL },
		[WALLET_PKCS11] = { "the data key", "the token's user PIN", NULL },
	};
	wallet_kind_t kind = (wallet_kind_t)GPOINTER_TO_INT(data);
	g_autofree char *tmp = g_dir_make_tmp("tsr-app-scan-XXXXXX", NULL);
	g_autofree char *reader_sock = g_build_filename(tmp, "reader.sock", NULL);
	g_autofree char *uri_path = g_build_filename(tmp, "uri", NULL);
	g_autofree char *app_log = g_build_filename(tmp, "app.log", NULL);
	g_autofree char *reader_log = g_build_filename(tmp, "reader.log", NULL);
	g_autofree char *reader_transport = g_strconcat("local:", reader_sock, NULL);
	g_autofree char *wallet = NULL, *uri = NULL, *app_sock = NULL, *ca_dir = NULL;
	g_auto(GStrv) wallet_fields = NULL;
	g_autoptr(tsr_test_softhsm_t) hsm = NULL;
	tsr_test_swtpm_t *tpm = NULL;
	const char *app_argv[5] = { holder_app_driver, "software", NULL };
	const char *reader_argv[] = { tessera_path, "reader", "request", "--engagement-file",
		uri_path, "--template", "driving-licence", "--trust", NULL, "--transport",
		reader_transport, "--timeout", "120", NULL };
	app_t app = { 0 };
	tsr_test_tracee_t reader = { 0 };
	tsr_test_secrets_t all = { 0 }, held = { 0 };
	session_t s = { 0 };
	tsr_ec_pub_t device_pub;
	int rfd, hfd;

	if (kind == WALLET_TPM) {
		if (!tsr_test_swtpm_available()) {
			g_test_skip("swtpm is not installed");
			g_rmdir(tmp);
			return;
		}
		ca_dir = tsr_test_swtpm_ca_dir_new();
		tpm = tsr_test_swtpm_new(ca_dir);
		app_argv[1] = "tpm";
		app_argv[2] = tsr_test_swtpm_tcti(tpm);
	} else if (kind == WALLET_PKCS11) {
		/* SOFTHSM2_CONF, which the app inherits, names the token store. */
		hsm = tsr_test_softhsm_new();
		tsr_test_softhsm_init_token(hsm, TSR_APP_SCAN_TOKEN_LABEL, TSR_APP_SCAN_TOKEN_PIN,
		    TSR_APP_SCAN_TOKEN_SO_PIN);
		app_argv[1] = "pkcs11";
		app_argv[2] = hsm->module;
		app_argv[3] = TSR_APP_SCAN_TOKEN_LABEL;
	}

	app_spawn(&app, "holder app", app_argv, app_log);
	wallet = app_expect(&app, "wallet");
	wallet_fields = g_strsplit(wallet, " ", 2);
	g_assert_cmpuint(g_strv_length(wallet_fields), ==, 2);
	reader_argv[8] = wallet_fields[1];
	/* Before the app opens the wallet: a TPM serves one client. */
	wallet_secrets(kind, wallet_fields[0], &device_pub, &all, &held);
	g_assert_cmpint(write(app.to_app, "go\n", 3), ==, 3);
	uri = app_expect(&app, "uri");
	app_sock = app_expect(&app, "socket");
	session_set_engagement(&s, uri);
	g_assert_true(g_file_set_contents(uri_path, uri, -1, NULL));

	/* The reader connects to the test, the test to the app. */
	rfd = tsr_test_unix_socket(reader_sock, true);
	tsr_test_tracee_spawn(&reader, "reader", reader_argv, reader_log, -1, -1);
	rfd = tsr_test_unix_accept(rfd, &reader, &app.t);
	hfd = tsr_test_unix_socket(app_sock, false);
	relay_establishment(&s, rfd, hfd, &reader, &app.t);
	hold_response(&s, hfd, &reader, &app.t);
	find_session_secrets(&s, &all, &reader, &app.t, &device_pub);
	relay_rest(&s, rfd, hfd, &reader, &app.t);
	/* The reader must exit 0: the document verified. */
	tsr_test_tracee_wait_exit(&reader);
	tsr_test_tracee_release(&reader, reader_log);

	g_free(app_expect(&app, "result-shown"));
	app_scan_twice(&app, &all, &held, seen[kind],
	    kind == WALLET_TPM ? "the TPM key's PIN" : NULL, NULL, 0);

	session_clear(&s);
	tsr_test_swtpm_free(tpm);
	if (ca_dir != NULL)
		tsr_test_rmrf(ca_dir);
	g_unlink(app_log);
	g_unlink(reader_log);
	g_unlink(uri_path);
	g_unlink(reader_sock);
	g_rmdir(tmp);
}

/* --- The verifier app --- */

static void
verifier_app_session(void)
{
	g_autofree char *tmp = g_dir_make_tmp("tsr-app-scan-XXXXXX", NULL);
	g_autofree char *annex = g_build_filename(data_dir, "annex-d", NULL);
	g_autofree char *issuer_signed = g_build_filename(annex, "issuer_signed.cbor", NULL);
	g_autofree char *device_pem = g_build_filename(annex, "static_device_key.pem", NULL);
	g_autofree char *holder_sock = g_build_filename(tmp, "holder.sock", NULL);
	g_autofree char *app_sock = g_build_filename(tmp, "app.sock", NULL);
	g_autofree char *uri_path = g_build_filename(tmp, "uri", NULL);
	g_autofree char *consent_path = g_build_filename(tmp, "consent", NULL);
	g_autofree char *app_log = g_build_filename(tmp, "app.log", NULL);
	g_autofree char *holder_log = g_build_filename(tmp, "holder.log", NULL);
	g_autofree char *holder_transport = g_strconcat("local:", holder_sock, NULL);
	g_autofree char *uri = NULL;
	const char *holder_argv[] = { tessera_path, "present", "--issuer-signed", issuer_signed,
		"--device-key", device_pem, "--transport", holder_transport, "--qr-uri-file",
		uri_path, "--now", NOW, "--timeout", "120", "--consent", consent_path, NULL };
	const char *app_argv[] = { verifier_app_driver, app_sock, uri_path, tmp, NULL };
	app_t app = { 0 };
	tsr_test_tracee_t holder = { 0 };
	tsr_test_secrets_t all = { 0 };
	session_t s = { 0 };
	tsr_ec_key_t *device_key = NULL;
	tsr_ec_pub_t device_pub;
	tsr_test_snapshot_t live;
	uint8_t *device_pem_bytes, *portrait;
	size_t device_pem_len = 0, portrait_len = 0;
	int rfd, hfd;

	/* Everything the driving-licence template asks for but the portrait. */
	g_assert_true(g_file_set_contents(consent_path, "family_name\ndocument_number\n"
	    "driving_privileges\nissue_date\nexpiry_date\n", -1, NULL));
	portrait = tsr_test_load("annex-d/portrait.jpg", &portrait_len);
	device_pem_bytes = tsr_test_load("annex-d/static_device_key.pem", &device_pem_len);
	g_assert_cmpint(tsr_ec_key_parse(device_pem_bytes, device_pem_len, &device_key), ==,
	    TSR_OK);
	g_free(device_pem_bytes);
	g_assert_cmpint(tsr_ec_key_public(device_key, &device_pub), ==, TSR_OK);
	tsr_ec_key_free(device_key);

	tsr_test_tracee_spawn(&holder, "holder", holder_argv, holder_log, -1, -1);
	uri = tsr_test_wait_file(uri_path, &holder);
	session_set_engagement(&s, uri);

	/* The app connects to the test (its local socket), the test to the
	 * holder. */
	rfd = tsr_test_unix_socket(app_sock, true);
	app_spawn(&app, "verifier app", app_argv, app_log);
	rfd = tsr_test_unix_accept(rfd, &app.t, &holder);
	hfd = tsr_test_unix_socket(holder_sock, false);
	relay_establishment(&s, rfd, hfd, &app.t, &holder);
	hold_response(&s, hfd, &app.t, &holder);
	find_session_secrets(&s, &all, &app.t, &holder, &device_pub);
	/* Control of the portrait search: the live holder holds it. */
	tsr_test_snapshot_take(holder.pid, &live);
	g_assert_cmpuint(portrait_windows_found(&live, portrait, portrait_len, "holder", "live"),
	    ==, PORTRAIT_WINDOWS);
	tsr_test_snapshot_free(&live);
	relay_rest(&s, rfd, hfd, &app.t, &holder);
	tsr_test_tracee_wait_exit(&holder);
	tsr_test_tracee_release(&holder, holder_log);

	/* The driver checks the verdict: Verified, without a portrait. */
	g_free(app_expect(&app, "result-shown"));
	app_scan_twice(&app, &all, NULL, NULL, NULL, portrait, portrait_len);

	session_clear(&s);
	g_free(portrait);
	g_unlink(app_log);
	g_unlink(holder_log);
	g_unlink(uri_path);
	g_unlink(consent_path);
	g_unlink(app_sock);
	g_unlink(holder_sock);
	g_rmdir(tmp);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (argc < 2)
		g_error("usage: %s TESSERA [--holder-app DRIVER] [--verifier-app DRIVER] [--tap]",
		    argv[0]);
	tessera_path = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--holder-app") == 0)
			holder_app_driver = argv[i + 1];
		else if (strcmp(argv[i], "--verifier-app") == 0)
			verifier_app_driver = argv[i + 1];
		else
			g_error("unknown option %s", argv[i]);
	}
	data_dir = g_getenv("TSR_TEST_DATA");
	g_assert_nonnull(data_dir);
	if (holder_app_driver != NULL) {
		g_test_add_data_func("/app-secret-scan/holder-app/software",
		    GINT_TO_POINTER(WALLET_SOFTWARE), holder_app_session);
		g_test_add_data_func("/app-secret-scan/holder-app/tpm", GINT_TO_POINTER(WALLET_TPM),
		    holder_app_session);
		g_test_add_data_func("/app-secret-scan/holder-app/pkcs11",
		    GINT_TO_POINTER(WALLET_PKCS11), holder_app_session);
	}
	if (verifier_app_driver != NULL)
		g_test_add_func("/app-secret-scan/verifier-app", verifier_app_session);
	return g_test_run();
}
