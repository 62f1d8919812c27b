/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-ble: the 18013-5 BLE transport's own cost, and what the radio
 * would make of it.
 *
 * 1. Chunking and reassembly throughput (internal chunk functions, no
 *    link): a 50 KB message cut into characteristic values and put back
 *    together, per value size.
 * 2. A 50 KB response (a SessionData-shaped CBOR map) through the whole
 *    state machine over the simulated link (no latency, holder and reader
 *    in two threads), per ATT_MTU 23/185/512 and over L2CAP: the chunks it
 *    takes, the wall time the software needs, and the modelled radio time
 *    at a 7.5 ms connection interval:
 *      - "1/event": one chunk per connection event (the worst common case:
 *        stacks that send a single write without response per event);
 *      - "LE 1M" and "LE 2M": connection events filled back to back with
 *        link-layer PDUs (27-byte payloads without Data Length Extension
 *        at MTU 23, 251 bytes with it otherwise), each followed by the
 *        peer's empty acknowledgement, 150 us apart (T_IFS).
 *    The model ignores retransmissions and event-length limits the
 *    controller may impose: real transfers are slower, never faster.
 *
 * Usage: bench-ble [-n ROUNDS]
 * Prints figures only: a benchmark is never a pass/fail test.
 */

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tessera/tessera.h>
#include <tessera/transport.h>

#include "transport/ble-link.h"

#define RESPONSE_LEN (50 * 1024)
#define INTERVAL_US 7500.0
#define T_IFS_US 150.0
#define TRANSFER_RUNS 5

static const uint8_t bench_uuid[16] = { 0xbe, 0x4c, 0x40, 0x01, 0x02, 0x03, 0x04, 0x05,
	0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d };

static void
die(const char *what, int err)
{
	fprintf(stderr, "bench-ble: %s: %s\n", what, tsr_strerror(err));
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* {"data": h'…'} of n bytes. */
static uint8_t *
make_message(size_t n, size_t *ret_len)
{
	uint8_t *m = malloc(n + 16);
	size_t hl = 0;

	if (m == NULL)
		die("malloc", TSR_ERR_NO_MEMORY);
	m[hl++] = 0xa1;
	m[hl++] = 0x64;
	memcpy(m + hl, "data", 4);
	hl += 4;
	m[hl++] = 0x5a;
	for (int s = 24; s >= 0; s -= 8)
		m[hl++] = (uint8_t)(n >> s);
	for (size_t i = 0; i < n; i++)
		m[hl + i] = (uint8_t)(i * 31 + (i >> 9));
	*ret_len = hl + n;
	return m;
}

static void
bench_chunking(const uint8_t *msg, size_t len, unsigned rounds)
{
	static const uint16_t mtus[] = { 23, 185, 247, 512, 517 };
	uint8_t chunk[TSR_BLE_VALUE_MAX], *back = NULL;
	size_t n = 0, back_len = 0, vsize, count;
	tsr_ble_rx_t rx;
	bool done = false;
	double t0, dt;

	printf("Chunking + reassembly of a %zu-byte message (%u rounds)\n", len, rounds);
	printf("  %-6s %-6s %-8s %12s %14s\n", "MTU", "value", "chunks", "MB/s", "Mchunks/s");
	for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++) {
		vsize = tsr_ble_value_size(mtus[m]);
		count = tsr_ble_chunk_count(len, vsize);
		tsr_ble_rx_init(&rx, TSR_TRANSPORT_MAX_MESSAGE);
		t0 = now_s();
		for (unsigned r = 0; r < rounds; r++) {
			for (size_t i = 0; i < count; i++) {
				tsr_ble_chunk(msg, len, vsize, i, chunk, &n);
				if (tsr_ble_rx_add(&rx, chunk, n, vsize, &done) != TSR_OK)
					die("reassembly", TSR_ERR_INTERNAL);
			}
			if (!done || tsr_ble_rx_take(&rx, &back, &back_len) != TSR_OK ||
			    back_len != len)
				die("reassembly", TSR_ERR_INTERNAL);
			free(back);
			done = false;
		}
		dt = now_s() - t0;
		printf("  %-6u %-6zu %-8zu %12.1f %14.2f\n", mtus[m], vsize, count,
		    (double)len * rounds / dt / 1e6, (double)count * rounds / dt / 1e6);
	}
	t0 = now_s();
	for (unsigned r = 0; r < rounds; r++)
		if (tsr_ble_check_message(msg, len) != TSR_OK)
			die("message check", TSR_ERR_INTERNAL);
	dt = now_s() - t0;
	/* It skips byte strings without reading them: cost per item, not
	 * per byte. */
	printf("  whole-message CBOR check: %.0f ns per message\n\n", dt / rounds * 1e9);
}

/* On-air time of one link-layer PDU with payload bytes, and of the
 * peer's empty acknowledgement, both with their T_IFS. */
static double
pdu_us(size_t payload, bool phy_2m)
{
	/* preamble (1 or 2), access address 4, header 2, CRC 3 */
	double overhead = phy_2m ? 11.0 : 10.0, us_per_byte = phy_2m ? 4.0 : 8.0;

	return ((double)payload + overhead) * us_per_byte + T_IFS_US +
	    overhead * us_per_byte + T_IFS_US;
}

/* Radio time for packets ATT/L2CAP packets of sdu bytes each (L2CAP
 * header included), fragmented into LL PDUs of at most ll_max bytes. */
static double
air_s(const size_t *sizes, size_t n, size_t ll_max, bool phy_2m)
{
	double us = 0;
	size_t left, pdu;

	for (size_t i = 0; i < n; i++) {
		for (left = sizes[i]; left > 0; left -= pdu) {
			pdu = left < ll_max ? left : ll_max;
			us += pdu_us(pdu, phy_2m);
		}
	}
	/* Whole connection events. */
	return (double)(size_t)(us / INTERVAL_US + 0.999999) * INTERVAL_US / 1e6;
}

typedef struct receiver {
	tsr_transport_t *t;
	uint8_t *msg;
	size_t len;
	int r;
} receiver_t;

static void *
receive_thread(void *data)
{
	receiver_t *rc = data;

	rc->r = tsr_transport_receive(rc->t, 60000, &rc->msg, &rc->len);
	return NULL;
}

/* The holder sends msg to the reader once; returns the chunks and fills
 * the wall time and the on-air packet sizes. */
static size_t
transfer(tsr_ble_mode_t mode, uint16_t mtu, bool l2cap, const uint8_t *msg, size_t len,
    double *ret_wall, size_t **ret_sizes)
{
	tsr_ble_sim_config_t sim = { .mtu = mtu };
	tsr_ble_config_t hc, rc;
	tsr_ble_link_t *lh = NULL, *lr = NULL;
	tsr_transport_t *h = NULL, *r = NULL;
	tsr_ble_info_t info;
	receiver_t rcv = { NULL, NULL, 0, 1 };
	pthread_t th;
	size_t *sizes, count, size, total;
	double t0;
	int err;

	tsr_ble_config_init(&hc, TSR_BLE_ROLE_HOLDER, mode, bench_uuid);
	tsr_ble_config_init(&rc, TSR_BLE_ROLE_READER, mode, bench_uuid);
	hc.has_ident = rc.has_ident = true;
	hc.l2cap = rc.l2cap = l2cap;
	if ((err = tsr_ble_sim_pair_new(&sim, &lh, &lr)) != TSR_OK ||
	    (err = tsr_transport_ble_new(&hc, lh, &h)) != TSR_OK ||
	    (err = tsr_transport_ble_new(&rc, lr, &r)) != TSR_OK)
		die("simulated link", err);
	rcv.t = r;
	if ((err = tsr_transport_ble_connect(mode == TSR_BLE_MODE_PERIPHERAL_SERVER ? r : h,
	    10000)) != TSR_OK)
		die("connect", err);
	if (pthread_create(&th, NULL, receive_thread, &rcv) != 0)
		die("pthread_create", TSR_ERR_INTERNAL);
	t0 = now_s();
	if ((err = tsr_transport_send(h, msg, len, 60000)) != TSR_OK)
		die("send", err);
	pthread_join(th, NULL);
	*ret_wall = now_s() - t0;
	if (rcv.r != TSR_OK || rcv.len != len || memcmp(rcv.msg, msg, len) != 0)
		die("receive", rcv.r);
	if ((err = tsr_transport_ble_info(h, &info)) != TSR_OK)
		die("info", err);
	count = (size_t)info.chunks_sent;
	/* What goes on air per packet: L2CAP basic header 4 + ATT opcode and
	 * handle 3 + the value; or one SDU per piece in a K-frame: header 4 +
	 * SDU length 2 + the piece (an MPS below 512 would add headers). */
	if ((sizes = calloc(count, sizeof(*sizes))) == NULL)
		die("calloc", TSR_ERR_NO_MEMORY);
	total = l2cap ? len + 4 : len;
	size = l2cap ? 512 : info.value_size - 1;
	for (size_t i = 0; i < count; i++) {
		size_t piece = total - i * size < size ? total - i * size : size;

		sizes[i] = l2cap ? 4 + 2 + piece : 4 + 3 + 1 + piece;
	}
	*ret_sizes = sizes;
	free(rcv.msg);
	tsr_transport_free(h);
	tsr_transport_free(r);
	tsr_ble_link_free(lh);
	tsr_ble_link_free(lr);
	return count;
}

static void
bench_transfer(const uint8_t *msg, size_t len)
{
	static const struct {
		uint16_t mtu;
		bool l2cap;
	} cases[] = { { 23, false }, { 185, false }, { 512, false }, { 517, true } };
	size_t *sizes = NULL, count = 0, ll_max;
	double wall = 0, best;

	printf("A %zu-byte response, holder to reader (mdoc peripheral server mode), "
	    "7.5 ms connection interval\n", len);
	printf("  %-12s %7s %10s %12s %10s %10s %10s\n", "path", "chunks", "sw ms",
	    "sw MB/s", "1/event s", "LE 1M s", "LE 2M s");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The fastest of a few runs: thread wake-ups are noisy. */
		best = 1e9;
		for (unsigned run = 0; run < TRANSFER_RUNS; run++) {
			free(sizes);
			count = transfer(TSR_BLE_MODE_PERIPHERAL_SERVER, cases[i].mtu,
			    cases[i].l2cap, msg, len, &wall, &sizes);
			best = wall < best ? wall : best;
		}
		wall = best;
		/* Without Data Length Extension at MTU 23 (27-byte LL
		 * payloads, exactly one ATT packet), with it otherwise. */
		ll_max = cases[i].mtu == 23 && !cases[i].l2cap ? 27 : 251;
		printf("  %-5s %-6u %7zu %10.2f %12.1f %10.2f %10.2f %10.2f\n",
		    cases[i].l2cap ? "L2CAP" : "GATT", cases[i].l2cap ? 512 : cases[i].mtu, count,
		    wall * 1e3, (double)len / wall / 1e6, (double)count * INTERVAL_US / 1e6,
		    air_s(sizes, count, ll_max, false), air_s(sizes, count, ll_max, true));
		free(sizes);
		sizes = NULL;
	}
	printf("  (GATT: MTU; L2CAP: SDU piece size. \"1/event\": one chunk per "
	    "connection event.)\n");
}

int
main(int argc, char **argv)
{
	unsigned rounds = 200;
	uint8_t *msg;
	size_t len = 0;
	int c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c == 'n' && atoi(optarg) > 0) {
			rounds = (unsigned)atoi(optarg);
		} else {
			fprintf(stderr, "usage: bench-ble [-n ROUNDS]\n");
			return 2;
		}
	}
	msg = make_message(RESPONSE_LEN, &len);
	bench_chunking(msg, len, rounds);
	bench_transfer(msg, len);
	free(msg);
	return 0;
}
