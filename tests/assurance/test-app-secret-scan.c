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
 *  /app-secret-scan/holder-app: the holder app's code (gui/, driven by
 *    gui/tests/wallet-scan-driver) on a software test wallet presents to
 *    `tessera reader request`; every element is shared.
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
 * them). The scans look for those 7 and, in the holder app, for the
 * software device key's private scalar (recomputed from the wallet file
 * and the passphrase); in the verifier app also for the portrait, which
 * never reached it (a weaker check: the live `tessera present` must show
 * it, so the search can find it). The holder app keeps its wallet
 * unlocked while it runs, so the wallet's data key and the software
 * area's keys (M, the sealing key, the device key's wrapping key) are
 * only reported with the result shown (where the data key must be found:
 * another control), and must be gone at exit.
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

#include "cose/cose.h"
#include "process-scan.h"
#include "session-secrets.h"
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
 * The app with its session over and the result on screen: stopped, its
 * memory scanned for all, let go on. Then told to quit and scanned in
 * exit. Fails if either scan finds a secret of all or, when portrait is
 * given, any of its windows; or if the exit scan finds one of held (may
 * be NULL: what the app holds by design while it runs, which the first
 * scan only reports).
 */
static void
app_scan_twice(app_t *app, const tsr_test_secrets_t *all, const tsr_test_secrets_t *held,
    const uint8_t *portrait, size_t portrait_len)
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

			if (pass == 1)
				found[pass] += n;
			else /* a control: the unlocked wallet's data key is seen */
				g_assert_true(tsr_test_snapshot_has_secret(&snap,
				    tsr_test_secret_named(held, "the data key")));
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

/* Passes the SessionEstablishment from rfd to hfd and reads the holder's
 * response, which it keeps back (s->response). */
static void
relay_until_response(session_t *s, int rfd, int hfd, tsr_test_tracee_t *reader,
    tsr_test_tracee_t *holder)
{
	size_t len = 0;
	uint8_t *establishment = tsr_test_frame_read(rfd, &len, reader, holder);

	g_assert_nonnull(establishment);
	g_assert_cmpint(tsr_session_establishment_decode(establishment, len, &s->se), ==, TSR_OK);
	tsr_test_frame_write(hfd, establishment, len);
	g_free(establishment);
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

/*
 * From the wallet file the app made (its software secure area, unlocked
 * with the passphrase): the device key's public key, its private scalar
 * (added to all), and the wallet's own keys (added to held: the app keeps
 * the wallet unlocked while it runs, so they must be gone only at exit):
 * the data key, the passphrase-derived key M, the sealing key and the
 * device key's wrapping key.
 */
static void
wallet_secrets(const char *path, int64_t key_id, tsr_ec_pub_t *pub, tsr_test_secrets_t *all,
    tsr_test_secrets_t *held)
{
	tsr_store_options_t options = { .secret = tsr_test_secret_cb,
		.secret_user = (void *)(uintptr_t)PASSPHRASE };
	tsr_store_t *store = NULL;
	tsr_test_software_key_t *key = g_new0(tsr_test_software_key_t, 1);
	uint8_t *ref = NULL, *cose = NULL;
	size_t ref_len = 0, cose_len = 0;

	g_assert_cmpint(tsr_store_open(path, &options, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_key_get(store, key_id, &ref, &ref_len, &cose, &cose_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_cose_key_from_bytes(cose, cose_len, pub), ==, TSR_OK);
	tsr_test_software_key(store, PASSPHRASE, ref, ref_len, key);
	memcpy(tsr_test_secret_add(all, "the device key's scalar")->bytes,
	    key->der + key->d_offset, 32);
	memcpy(tsr_test_secret_add(held, "the data key")->bytes, store->data_key, 32);
	memcpy(tsr_test_secret_add(held, "the software area's key M")->bytes, key->m, 32);
	memcpy(tsr_test_secret_add(held, "the software area's sealing key")->bytes, key->seal,
	    32);
	memcpy(tsr_test_secret_add(held, "the device key's wrapping key")->bytes, key->wrap, 32);
	g_free(key);
	tsr_free(ref);
	tsr_free(cose);
	tsr_store_free(store);
}

static void
holder_app_session(void)
{
	g_autofree char *tmp = g_dir_make_tmp("tsr-app-scan-XXXXXX", NULL);
	g_autofree char *iaca = g_build_filename(data_dir, "store", "iaca.pem", NULL);
	g_autofree char *reader_sock = g_build_filename(tmp, "reader.sock", NULL);
	g_autofree char *uri_path = g_build_filename(tmp, "uri", NULL);
	g_autofree char *app_log = g_build_filename(tmp, "app.log", NULL);
	g_autofree char *reader_log = g_build_filename(tmp, "reader.log", NULL);
	g_autofree char *reader_transport = g_strconcat("local:", reader_sock, NULL);
	g_autofree char *wallet = NULL, *uri = NULL, *app_sock = NULL;
	g_auto(GStrv) wallet_fields = NULL;
	const char *app_argv[] = { holder_app_driver, NULL };
	const char *reader_argv[] = { tessera_path, "reader", "request", "--engagement-file",
		uri_path, "--template", "driving-licence", "--trust", iaca, "--transport",
		reader_transport, "--timeout", "120", NULL };
	app_t app = { 0 };
	tsr_test_tracee_t reader = { 0 };
	tsr_test_secrets_t all = { 0 }, held = { 0 };
	session_t s = { 0 };
	tsr_ec_pub_t device_pub;
	int rfd, hfd;

	app_spawn(&app, "holder app", app_argv, app_log);
	wallet = app_expect(&app, "wallet");
	wallet_fields = g_strsplit(wallet, " ", 2);
	g_assert_cmpuint(g_strv_length(wallet_fields), ==, 2);
	wallet_secrets(wallet_fields[0], g_ascii_strtoll(wallet_fields[1], NULL, 10), &device_pub,
	    &all, &held);
	uri = app_expect(&app, "uri");
	app_sock = app_expect(&app, "socket");
	session_set_engagement(&s, uri);
	g_assert_true(g_file_set_contents(uri_path, uri, -1, NULL));

	/* The reader connects to the test, the test to the app. */
	rfd = tsr_test_unix_socket(reader_sock, true);
	tsr_test_tracee_spawn(&reader, "reader", reader_argv, reader_log, -1, -1);
	rfd = tsr_test_unix_accept(rfd, &reader, &app.t);
	hfd = tsr_test_unix_socket(app_sock, false);
	relay_until_response(&s, rfd, hfd, &reader, &app.t);
	find_session_secrets(&s, &all, &reader, &app.t, &device_pub);
	relay_rest(&s, rfd, hfd, &reader, &app.t);
	/* The reader must exit 0: the document verified. */
	tsr_test_tracee_wait_exit(&reader);
	tsr_test_tracee_release(&reader, reader_log);

	g_free(app_expect(&app, "result-shown"));
	app_scan_twice(&app, &all, &held, NULL, 0);

	session_clear(&s);
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
	relay_until_response(&s, rfd, hfd, &app.t, &holder);
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
	app_scan_twice(&app, &all, NULL, portrait, portrait_len);

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
	if (holder_app_driver != NULL)
		g_test_add_func("/app-secret-scan/holder-app", holder_app_session);
	if (verifier_app_driver != NULL)
		g_test_add_func("/app-secret-scan/verifier-app", verifier_app_session);
	return g_test_run();
}
