/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * holder-unserved-psm ADAPTER refused|unanswered URI_FILE DATA_DIR TIMEOUT_S
 *
 * A holder for guest-session.sh whose engagement names an L2CAP PSM
 * (BleOptions key 21) that does not lead to a channel, so that `tessera
 * reader request --ble-l2cap` meets, on the real kernel, the two ways an
 * L2CAP connect fails, and must fall back to GATT:
 *
 * - refused: the kernel assigned the PSM to a listening socket that was
 *   then closed; nobody listens on it, so the holder's kernel answers the
 *   reader's LE credit-based connection request at once with "SPSM not
 *   supported" (the reader's connect() fails with ECONNREFUSED);
 * - unanswered: a socket listens on the PSM with BT_DEFER_SETUP and is
 *   never accepted. For an LE request to such a socket the kernel sends
 *   no response at all (l2cap_le_connect_req() leaves it to the
 *   application, which would answer by reading the accepted channel), so
 *   the reader's request stays unanswered; it would time out only after
 *   the kernel's 40 s. A thread notes when the request arrived (the
 *   listening socket turns readable) without accepting it.
 *
 * Otherwise it is an ordinary holder in peripheral server mode on
 * ADAPTER, built on libtessera's public API as a wallet is: GATT only, the
 * Annex D mDL from DATA_DIR/annex-d with every element consented, at
 * 2021-01-01, each step bounded by TIMEOUT_S. It writes the mdoc: URI to
 * URI_FILE and reports on stderr, in the CLI's words where guest-session.sh
 * checks them ("The reader ended it (status 20)"). Exit status 0 after a
 * session the reader ended with status 20, 1 otherwise.
 *
 * The listening socket is bound to "any" LE address rather than
 * ADAPTER's: only ADAPTER's peer connects to it in the guest, and the
 * kernel assigns a PSM no other socket on "any" holds.
 */

#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tessera/tessera.h>

#include "ble-bluez/bluez-private.h"

/* <bluetooth/bluetooth.h>: the kernel leaves an incoming channel's
 * answer to the application (SOL_BLUETOOTH option). */
#define TSR_BT_DEFER_SETUP 7

#ifdef TSR_TEST_BLUEZ_HEADERS
#include <bluetooth/bluetooth.h>
_Static_assert(TSR_BT_DEFER_SETUP == BT_DEFER_SETUP, "BT_DEFER_SETUP");
#endif

static gint64 started_us;

static void
say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* A line on stderr with the time since the start, for the log. */
static void
say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "holder-unserved-psm: %.3f s: ",
	    (double)(g_get_monotonic_time() - started_us) / 1e6);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
print_debug(const char *msg, void *user)
{
	(void)user;
	say("debug: %s", msg);
}

/* An LE L2CAP socket listening on a PSM the kernel picks; with @defer,
 * incoming channels wait for the application's answer. Returns the
 * socket (its PSM in *ret_psm) or -1. */
static int
listen_on_a_psm(gboolean defer, uint16_t *ret_psm)
{
	tsr_sockaddr_l2_t a;
	tsr_bt_security_t sec = { TSR_BT_SECURITY_LOW, 0 };
	socklen_t len = sizeof(a);
	int fd, one = 1;

	if ((fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_CLOEXEC, TSR_BTPROTO_L2CAP)) < 0) {
		say("socket: %s", strerror(errno));
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.l2_family = AF_BLUETOOTH;
	a.l2_bdaddr_type = TSR_BDADDR_LE_PUBLIC;
	/* Low security, as a Tessera holder listens: a refusal for want of
	 * encryption would be an answer. */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    setsockopt(fd, TSR_SOL_BLUETOOTH, TSR_BT_SECURITY, &sec, sizeof(sec)) < 0 ||
	    (defer && setsockopt(fd, TSR_SOL_BLUETOOTH, TSR_BT_DEFER_SETUP, &one,
	    sizeof(one)) < 0) ||
	    listen(fd, 1) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		say("L2CAP listening socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*ret_psm = GUINT16_FROM_LE(a.l2_psm);
	return fd;
}

/* Notes when a connection request reaches the deferred listener; never
 * accepts it. Ends when the listener is shut down. */
static gpointer
watch_unanswered(gpointer data)
{
	struct pollfd p = { GPOINTER_TO_INT(data), POLLIN, 0 };

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	if (p.revents & POLLIN)
		say("the reader's L2CAP connection request arrived; it is held, unanswered");
	return NULL;
}

/* Answers @request with the Annex D mDL, every element consented. */
static int
answer(tsr_holder_session_t *hs, tsr_transport_t *t, const uint8_t *request,
    size_t request_len, const char *data_dir, int timeout_ms)
{
	g_autofree char *signed_path = g_build_filename(data_dir, "annex-d",
	    "issuer_signed.cbor", NULL);
	g_autofree char *key_path = g_build_filename(data_dir, "annex-d",
	    "static_device_key.pem", NULL);
	g_autofree char *issuer_signed = NULL, *key_pem = NULL;
	gsize signed_len = 0, key_len = 0;
	const uint8_t *transcript;
	size_t transcript_len, response_len = 0, msg_len = 0;
	uint8_t *response = NULL, *msg = NULL;
	tsr_device_key_t *key = NULL;
	tsr_presentation_t *p = NULL;
	int err;

	if (!g_file_get_contents(signed_path, &issuer_signed, &signed_len, NULL) ||
	    !g_file_get_contents(key_path, &key_pem, &key_len, NULL)) {
		say("cannot read the Annex D credential in %s", data_dir);
		return TSR_ERR_IO;
	}
	if ((err = tsr_device_key_new_from_pem((const uint8_t *)key_pem, key_len, &key)) ==
	    TSR_OK &&
	    (err = tsr_holder_session_transcript(hs, &transcript, &transcript_len)) == TSR_OK &&
	    (err = tsr_presentation_new(request, request_len, transcript, transcript_len,
	    &p)) == TSR_OK) {
		/* Inside the Annex D credential's validity. */
		tsr_presentation_set_time(p, 1609459200);
		if ((err = tsr_presentation_add_credential(p, (const uint8_t *)issuer_signed,
		    signed_len, key, "mDL")) == TSR_OK &&
		    (err = tsr_presentation_analyze(p)) == TSR_OK) {
			tsr_presentation_consent_all(p, true);
			if ((err = tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &response,
			    &response_len)) == TSR_OK &&
			    (err = tsr_holder_session_respond(hs, response, response_len, false,
			    &msg, &msg_len)) == TSR_OK)
				err = tsr_transport_send(t, msg, msg_len, timeout_ms);
		}
	}
	tsr_free(msg);
	tsr_free(response);
	tsr_presentation_free(p);
	tsr_device_key_free(key);
	return err;
}

/* One session over GATT: the request, the answer, the reader's end. */
static int
serve(tsr_holder_session_t *hs, tsr_transport_t *t, const char *data_dir, int timeout_ms)
{
	uint8_t *msg = NULL, *request = NULL, *more = NULL;
	size_t msg_len = 0, request_len = 0, more_len = 0;
	int err;

	if ((err = tsr_transport_ble_connect(t, timeout_ms)) == TSR_OK &&
	    (err = tsr_transport_receive(t, timeout_ms, &msg, &msg_len)) == TSR_OK &&
	    (err = tsr_holder_session_establish(hs, msg, msg_len, &request, &request_len)) ==
	    TSR_OK &&
	    (err = answer(hs, t, request, request_len, data_dir, timeout_ms)) == TSR_OK) {
		tsr_free(msg);
		msg = NULL;
		if ((err = tsr_transport_receive(t, timeout_ms, &msg, &msg_len)) == TSR_OK)
			err = tsr_holder_session_receive(hs, msg, msg_len, &more, &more_len);
	}
	tsr_free(more);
	tsr_free(request);
	tsr_free(msg);
	return err;
}

int
main(int argc, char **argv)
{
	tsr_engagement_ble_t ble;
	tsr_ble_config_t cfg;
	tsr_ble_link_t *link = NULL;
	tsr_transport_t *t = NULL;
	tsr_holder_session_t *hs = NULL;
	GThread *watcher = NULL;
	GError *error = NULL;
	char *uri = NULL;
	gboolean unanswered;
	int listener = -1, timeout_ms, err = TSR_ERR_INVALID_ARGUMENT, status = 1;

	started_us = g_get_monotonic_time();
	if (argc != 6 || (strcmp(argv[2], "refused") != 0 && strcmp(argv[2], "unanswered") != 0) ||
	    (timeout_ms = atoi(argv[5]) * 1000) <= 0) {
		fprintf(stderr, "usage: holder-unserved-psm ADAPTER refused|unanswered URI_FILE "
		    "DATA_DIR TIMEOUT_S\n");
		return 2;
	}
	unanswered = strcmp(argv[2], "unanswered") == 0;
	tsr_log_set_handler(print_debug, NULL);

	memset(&ble, 0, sizeof(ble));
	ble.peripheral_server = true;
	if ((listener = listen_on_a_psm(unanswered, &ble.psm)) < 0 ||
	    (err = tsr_random_bytes(ble.uuid, sizeof(ble.uuid))) != TSR_OK)
		goto out;
	ble.has_psm = true;
	if (unanswered) {
		say("PSM 0x%04x: listening with deferred setup, never accepted", ble.psm);
		watcher = g_thread_new("unanswered", watch_unanswered, GINT_TO_POINTER(listener));
	} else {
		close(listener);
		listener = -1;
		say("PSM 0x%04x: nobody listens on it", ble.psm);
	}

	/* GATT only: the holder serves no L2CAP channel of its own. (Where
	 * bluetoothd may use EATT the transport listens on one anyway and
	 * names it in the L2CAP characteristic; the reader takes the
	 * engagement's PSM and never reads that.) */
	tsr_ble_config_init(&cfg, TSR_BLE_ROLE_HOLDER, TSR_BLE_MODE_PERIPHERAL_SERVER, ble.uuid);
	cfg.connect_timeout_ms = timeout_ms;
	if ((err = tsr_ble_link_bluez_new(argv[1], &link)) != TSR_OK ||
	    (err = tsr_transport_ble_new(&cfg, link, &t)) != TSR_OK ||
	    (err = tsr_holder_session_new(&ble, &hs)) != TSR_OK ||
	    (err = tsr_holder_session_qr_uri(hs, &uri)) != TSR_OK)
		goto out;
	if (!g_file_set_contents(argv[3], uri, -1, &error)) {
		say("%s", error->message);
		g_error_free(error);
		goto out;
	}
	say("engagement written; advertising on %s", argv[1]);
	err = serve(hs, t, argv[4], timeout_ms);
	if (err == TSR_ERR_SESSION_TERMINATED) {
		say("Session ended. The reader ended it (status 20).");
		status = 0;
	}
out:
	if (status != 0)
		say("failed: %s", tsr_strerror(err));
	if (t != NULL)
		(void)tsr_transport_close(t);
	tsr_transport_free(t);
	tsr_ble_link_free(link);
	tsr_holder_session_free(hs);
	tsr_free(uri);
	if (watcher != NULL) {
		/* Wakes the watcher if nothing came. */
		shutdown(listener, SHUT_RDWR);
		g_thread_join(watcher);
	}
	if (listener >= 0)
		close(listener);
	return status;
}
