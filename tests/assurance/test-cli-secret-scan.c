/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Secret hygiene of the `tessera` CLI processes (issue #10): a real QR
 * session over the local transport between `tessera present` (holder) and
 * `tessera reader request` (reader), both real processes of the built CLI.
 * When each process calls exit, its memory must hold none of the session's
 * secrets: the EDeviceKey and EReaderKey private scalars, the session's
 * ECDH secret, SKDevice and SKReader, the device-auth ECDH secret
 * (SDeviceKey with EReaderKey) and the EMacKey, nor the static device
 * key's private scalar (which the holder read from its PEM file).
 *
 * How the test gets at them:
 *  - Both processes run under ptrace (PTRACE_TRACEME, then
 *    PTRACE_O_TRACEEXIT): each stops when it calls exit, with its memory
 *    still whole, and the test reads every readable and writable mapping
 *    through /proc/PID/mem (as test-secret-scan does in its own process:
 *    heap, stack, anonymous mappings, libraries' data).
 *  - The reader connects to the test, which passes the frames on to the
 *    holder (the local transport's uint32 length prefix) and so sees the
 *    SessionEstablishment (EReaderKey) and can hold the response back.
 *  - While it holds the response, both sessions are alive, and the two
 *    ephemeral private scalars are found in the processes' memory: every
 *    mbedTLS big number (mbedtls_mpi {int s; size_t n; mbedtls_mpi_uint
 *    *p}) of 4 to 16 limbs whose value d gives d * G = the EDeviceKey of
 *    the engagement (holder) or the EReaderKey of the establishment
 *    (reader). From them and the transcript the test recomputes the other
 *    secrets, as the library does (session_init(), §9.1.3.5).
 *
 * Controls, so that the final scans cannot pass by seeing nothing: the
 * scalars must be found live, and the live holder must hold SKDevice and
 * the live reader SKReader where the scan sees them. A secret counts as
 * found when either 16-byte half occurs, forwards or byte-reversed (big
 * numbers are little-endian limbs). MALLOC_PERTURB_ is set to 0 for both
 * processes, so glibc does not wipe freed blocks on the library's behalf.
 */

#include <mbedtls/bignum.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <tessera/tessera.h>

#include "process-scan.h"
#include "test-support.h"

#define NOW "2021-01-01T00:00:00Z"

static const char *tessera_path;
static const char *data_dir;

static void
scan_at_exit(tsr_test_tracee_t *t, const tsr_test_secrets_t *all, const char *log_path)
{
	tsr_test_snapshot_t snap;
	unsigned found;

	tsr_test_snapshot_take(t->pid, &snap);
	found = tsr_test_scan_secrets(&snap, all, t->name, "at exit");
	tsr_test_snapshot_free(&snap);
	tsr_test_tracee_release(t, log_path);
	g_assert_cmpuint(found, ==, 0);
}

static void
cli_session(void)
{
	g_autofree char *tmp = g_dir_make_tmp("tsr-cli-scan-XXXXXX", NULL);
	g_autofree char *annex = g_build_filename(data_dir, "annex-d", NULL);
	g_autofree char *issuer_signed = g_build_filename(annex, "issuer_signed.cbor", NULL);
	g_autofree char *device_pem = g_build_filename(annex, "static_device_key.pem", NULL);
	g_autofree char *iaca = g_build_filename(annex, "iaca_cert.pem", NULL);
	g_autofree char *holder_sock = g_build_filename(tmp, "holder.sock", NULL);
	g_autofree char *reader_sock = g_build_filename(tmp, "reader.sock", NULL);
	g_autofree char *uri_path = g_build_filename(tmp, "uri", NULL);
	g_autofree char *holder_log = g_build_filename(tmp, "holder.log", NULL);
	g_autofree char *reader_log = g_build_filename(tmp, "reader.log", NULL);
	g_autofree char *holder_transport = g_strconcat("local:", holder_sock, NULL);
	g_autofree char *reader_transport = g_strconcat("local:", reader_sock, NULL);
	g_autofree char *uri = NULL;
	const char *holder_argv[] = { tessera_path, "present", "--issuer-signed", issuer_signed,
		"--device-key", device_pem, "--transport", holder_transport, "--qr-uri-file",
		uri_path, "--now", NOW, "--timeout", "120", "--consent", "all", NULL };
	const char *reader_argv[] = { tessera_path, "reader", "request", "--engagement-file",
		uri_path, "--template", "driving-licence", "--trust", iaca, "--transport",
		reader_transport, "--now", NOW, "--timeout", "120", NULL };
	tsr_test_tracee_t holder = { 0 }, reader = { 0 };
	tsr_test_secrets_t all = { 0 };
	tsr_engagement_t de;
	tsr_session_establishment_t se;
	tsr_ec_key_t *device_key = NULL;
	tsr_ec_pub_t device_pub;
	tsr_test_snapshot_t live;
	uint8_t *engagement = NULL, *establishment, *response, *device_pem_bytes, *msg;
	size_t engagement_len = 0, establishment_len = 0, response_len = 0, device_pem_len = 0,
	    msg_len = 0;
	int rfd, hfd;

	/* The static device key, as the holder reads it. */
	device_pem_bytes = tsr_test_load("annex-d/static_device_key.pem", &device_pem_len);
	g_assert_cmpint(tsr_ec_key_parse(device_pem_bytes, device_pem_len, &device_key), ==,
	    TSR_OK);
	g_free(device_pem_bytes);
	g_assert_cmpint(mbedtls_mpi_write_binary(&device_key->kp.d,
	    tsr_test_secret_add(&all, "the static device key's scalar")->bytes, 32), ==, 0);

	g_assert_cmpint(tsr_ec_key_public(device_key, &device_pub), ==, TSR_OK);

	tsr_test_tracee_spawn(&holder, "holder", holder_argv, holder_log, -1, -1);
	uri = tsr_test_wait_file(uri_path, &holder);
	g_assert_cmpint(tsr_engagement_from_qr_uri(uri, &engagement, &engagement_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_engagement_decode(engagement, engagement_len, &de), ==, TSR_OK);

	/* The reader connects to the test, the test to the holder. */
	rfd = tsr_test_unix_socket(reader_sock, true);
	tsr_test_tracee_spawn(&reader, "reader", reader_argv, reader_log, -1, -1);
	rfd = tsr_test_unix_accept(rfd, &reader, &holder);
	hfd = tsr_test_unix_socket(holder_sock, false);

	establishment = tsr_test_frame_read(rfd, &establishment_len, &reader, &holder);
	g_assert_nonnull(establishment);
	g_assert_cmpint(tsr_session_establishment_decode(establishment, establishment_len, &se),
	    ==, TSR_OK);
	tsr_test_frame_write(hfd, establishment, establishment_len);
	response = tsr_test_frame_read(hfd, &response_len, &holder, &reader);
	g_assert_nonnull(response);

	/* Both sessions alive, the response held back: find the scalars. */
	tsr_test_snapshot_take(holder.pid, &live);
	g_assert_true(tsr_test_snapshot_find_scalar(&live, &de.e_device_key,
	    tsr_test_secret_add(&all, "the EDeviceKey scalar")->bytes));
	tsr_test_snapshot_free(&live);
	tsr_test_snapshot_take(reader.pid, &live);
	g_assert_true(tsr_test_snapshot_find_scalar(&live, &se.e_reader_key,
	    tsr_test_secret_add(&all, "the EReaderKey scalar")->bytes));
	tsr_test_derive_session_secrets(&all, engagement, engagement_len, &de, &se,
	    &device_pub);
	/* Controls: the live reader holds SKReader where the scan sees it,
	 * and the live holder SKDevice. */
	g_assert_true(tsr_test_snapshot_has_secret(&live, tsr_test_secret_named(&all, "SKReader")));
	tsr_test_snapshot_free(&live);
	tsr_test_snapshot_take(holder.pid, &live);
	g_assert_true(tsr_test_snapshot_has_secret(&live, tsr_test_secret_named(&all, "SKDevice")));
	tsr_test_snapshot_free(&live);
	tsr_test_frame_write(rfd, response, response_len);

	/* The rest (the reader's end of session) until both call exit. */
	while ((msg = tsr_test_frame_read(rfd, &msg_len, &reader, &holder)) != NULL) {
		tsr_test_frame_write(hfd, msg, msg_len);
		g_free(msg);
	}
	close(hfd);
	close(rfd);
	tsr_test_tracee_wait_exit(&holder);
	tsr_test_tracee_wait_exit(&reader);
	/* Each must exit 0: for the reader, every document verified. */
	scan_at_exit(&reader, &all, reader_log);
	scan_at_exit(&holder, &all, holder_log);

	tsr_session_establishment_clear(&se);
	tsr_engagement_clear(&de);
	tsr_free(engagement);
	tsr_ec_key_free(device_key);
	g_free(establishment);
	g_free(response);
	g_unlink(holder_log);
	g_unlink(reader_log);
	g_unlink(uri_path);
	g_unlink(reader_sock);
	g_unlink(holder_sock);
	g_rmdir(tmp);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (argc < 2)
		g_error("usage: %s TESSERA [--tap]", argv[0]);
	tessera_path = argv[1];
	data_dir = g_getenv("TSR_TEST_DATA");
	g_assert_nonnull(data_dir);
	g_test_add_func("/cli-secret-scan/session", cli_session);
	return g_test_run();
}
