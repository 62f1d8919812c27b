/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The 18013-5 BLE transport over the simulated link: both modes for both
 * roles, MTUs, chunk counts, Ident, State termination, L2CAP, limits, and
 * faults (disconnect, loss, duplication) at every operation of either
 * side; then a whole mdoc session over it. The holder runs in a second
 * thread, the reader in the test's. */

#include <string.h>

#include <tessera/tessera.h>
#include <tessera/transport.h>

#include "test-support.h"
#include "transport/ble-link.h"
#include "transport/transport-private.h"

/* Generous: only a hang, never a slow machine, should fail a test. */
#define LONG_MS 10000
/* Fault runs: short step timeouts keep the sweeps fast. */
#define FAST_STEP_MS 200
#define FAST_CONNECT_MS 400
/* A fault run ends well within this, or something hung. */
#define FAULT_BOUND_US (5 * G_USEC_PER_SEC)
#define ANNEX_D_NOW "2021-01-01T00:00:00Z"

#define HOLDER_END 0
#define READER_END 1

static const uint8_t test_uuid[16] = { 0x45, 0xef, 0xef, 0x74, 0x2b, 0x2c, 0x4e, 0x1b,
	0x9a, 0x2a, 0x2f, 0x01, 0x20, 0x40, 0x7a, 0x10 };
static const uint8_t test_ident[16] = { 0x8d, 0xa0, 0xb7, 0xa8, 0x59, 0x19, 0xf0, 0x56,
	0x73, 0x05, 0x4e, 0xa9, 0x96, 0xbb, 0xd1, 0x24 };

/* {"data": h'…'}: n pattern bytes in a CBOR map shaped like SessionData. */
static uint8_t *
make_message(size_t n, uint8_t seed, size_t *ret_len)
{
	uint8_t hdr[16] = { 0xa1, 0x64, 'd', 'a', 't', 'a' };
	size_t hl = 6;
	uint8_t *m;

	if (n < 24) {
		hdr[hl++] = (uint8_t)(0x40 | n);
	} else if (n < 256) {
		hdr[hl++] = 0x58;
		hdr[hl++] = (uint8_t)n;
	} else if (n < 65536) {
		hdr[hl++] = 0x59;
		hdr[hl++] = (uint8_t)(n >> 8);
		hdr[hl++] = (uint8_t)n;
	} else {
		hdr[hl++] = 0x5a;
		for (int s = 24; s >= 0; s -= 8)
			hdr[hl++] = (uint8_t)(n >> s);
	}
	m = g_malloc(hl + n);
	memcpy(m, hdr, hl);
	for (size_t i = 0; i < n; i++)
		m[hl + i] = (uint8_t)(seed + i * 7 + (i >> 8));
	*ret_len = hl + n;
	return m;
}

typedef struct pair {
	tsr_ble_link_t *lh, *lr; /* the holder's radio (end 0), the reader's (end 1) */
	tsr_transport_t *h, *r;
	tsr_ble_config_t hc, rc;
} pair_t;

static void
pair_configs(pair_t *p, tsr_ble_mode_t mode)
{
	memset(p, 0, sizeof(*p));
	tsr_ble_config_init(&p->hc, TSR_BLE_ROLE_HOLDER, mode, test_uuid);
	tsr_ble_config_init(&p->rc, TSR_BLE_ROLE_READER, mode, test_uuid);
	p->hc.has_ident = p->rc.has_ident = true;
	memcpy(p->hc.ident, test_ident, 16);
	memcpy(p->rc.ident, test_ident, 16);
}

static void
pair_fast(pair_t *p)
{
	p->hc.step_timeout_ms = p->rc.step_timeout_ms = FAST_STEP_MS;
	p->hc.connect_timeout_ms = p->rc.connect_timeout_ms = FAST_CONNECT_MS;
	p->hc.close_timeout_ms = p->rc.close_timeout_ms = FAST_STEP_MS;
}

static void
pair_start(pair_t *p, const tsr_ble_sim_config_t *sim)
{
	g_assert_cmpint(tsr_ble_sim_pair_new(sim, &p->lh, &p->lr), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&p->hc, p->lh, &p->h), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&p->rc, p->lr, &p->r), ==, TSR_OK);
}

static void
pair_free(pair_t *p)
{
	tsr_transport_free(p->h);
	tsr_transport_free(p->r);
	tsr_ble_link_free(p->lh);
	tsr_ble_link_free(p->lr);
	p->h = p->r = NULL;
	p->lh = p->lr = NULL;
}

static tsr_ble_info_t
info_of(tsr_transport_t *t)
{
	tsr_ble_info_t info;

	g_assert_cmpint(tsr_transport_ble_info(t, &info), ==, TSR_OK);
	return info;
}

static uint64_t
ops_of(tsr_ble_link_t *link)
{
	tsr_ble_sim_stats_t st;

	g_assert_cmpint(tsr_ble_sim_stats(link, &st), ==, TSR_OK);
	return st.ops;
}

/*
 * One exchange: the reader sends a request, the holder answers, then one
 * side ends the session (State 0x02). Every result is recorded, nothing
 * asserted, so fault runs can judge the outcome.
 */
typedef struct script {
	pair_t *p;
	const uint8_t *req, *resp;
	size_t req_len, resp_len;
	bool holder_closes;
	int h_recv, h_send, h_end;
	int r_send, r_recv, r_end;
	bool corrupt;             /* a delivered message differed from what was sent */
	uint64_t reader_ops_done; /* the reader's radio operations when it had the response */
} script_t;

static void
script_init(script_t *s, pair_t *p, const uint8_t *req, size_t req_len, const uint8_t *resp,
    size_t resp_len)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->req = req;
	s->req_len = req_len;
	s->resp = resp;
	s->resp_len = resp_len;
	s->h_recv = s->h_send = s->h_end = s->r_send = s->r_recv = s->r_end = 1;
}

static bool
same(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a_len == b_len && memcmp(a, b, a_len) == 0;
}

static gpointer
holder_thread(gpointer data)
{
	script_t *s = data;
	uint8_t *m = NULL;
	size_t len = 0;

	if ((s->h_recv = tsr_transport_receive(s->p->h, LONG_MS, &m, &len)) != TSR_OK)
		return NULL;
	if (!same(m, len, s->req, s->req_len))
		s->corrupt = true;
	tsr_free(m);
	if ((s->h_send = tsr_transport_send(s->p->h, s->resp, s->resp_len, LONG_MS)) != TSR_OK)
		return NULL;
	if (s->holder_closes) {
		s->h_end = tsr_transport_close(s->p->h);
		return NULL;
	}
	/* Nothing more comes: the reader's State 0x02 ends it. */
	if ((s->h_end = tsr_transport_receive(s->p->h, LONG_MS, &m, &len)) == TSR_OK) {
		s->corrupt = true;
		tsr_free(m);
	}
	return NULL;
}

static void
run_script(script_t *s)
{
	GThread *th = g_thread_new("holder", holder_thread, s);
	uint8_t *m = NULL;
	size_t len = 0;

	s->r_send = tsr_transport_send(s->p->r, s->req, s->req_len, LONG_MS);
	if (s->r_send == TSR_OK &&
	    (s->r_recv = tsr_transport_receive(s->p->r, LONG_MS, &m, &len)) == TSR_OK) {
		if (!same(m, len, s->resp, s->resp_len))
			s->corrupt = true;
		tsr_free(m);
		s->reader_ops_done = ops_of(s->p->lr);
	}
	if (s->r_recv == TSR_OK && s->holder_closes) {
		if ((s->r_end = tsr_transport_receive(s->p->r, LONG_MS, &m, &len)) == TSR_OK) {
			s->corrupt = true;
			tsr_free(m);
		}
	} else {
		s->r_end = tsr_transport_close(s->p->r);
	}
	g_thread_join(th);
}

/* ---- chunking, reassembly and the message check ---- */

static void
valid_chunking(void)
{
	uint8_t *msg, out[TSR_BLE_VALUE_MAX], *back = NULL;
	size_t len = 0, n = 0, back_len = 0, vsize, count;
	static const uint16_t mtus[] = { 23, 24, 185, 247, 512, 515, 517 };
	tsr_ble_rx_t rx;
	bool done = false;

	g_assert_cmpuint(tsr_ble_value_size(22), ==, 0);
	g_assert_cmpuint(tsr_ble_value_size(23), ==, 20);
	g_assert_cmpuint(tsr_ble_value_size(185), ==, 182);
	g_assert_cmpuint(tsr_ble_value_size(515), ==, 512);
	g_assert_cmpuint(tsr_ble_value_size(517), ==, 512);
	g_assert_cmpuint(tsr_ble_chunk_count(0, 20), ==, 1);
	g_assert_cmpuint(tsr_ble_chunk_count(19, 20), ==, 1);
	g_assert_cmpuint(tsr_ble_chunk_count(20, 20), ==, 2);
	msg = make_message(5000, 3, &len);
	for (size_t m = 0; m < G_N_ELEMENTS(mtus); m++) {
		vsize = tsr_ble_value_size(mtus[m]);
		count = tsr_ble_chunk_count(len, vsize);
		tsr_ble_rx_init(&rx, TSR_TRANSPORT_MAX_MESSAGE);
		for (size_t i = 0; i < count; i++) {
			tsr_ble_chunk(msg, len, vsize, i, out, &n);
			/* Full chunks but the last; 0x01 on all but the last. */
			g_assert_cmpuint(out[0], ==, i + 1 < count ? 0x01 : 0x00);
			if (i + 1 < count)
				g_assert_cmpuint(n, ==, vsize);
			g_assert_false(done);
			g_assert_cmpint(tsr_ble_rx_add(&rx, out, n, vsize, &done), ==, TSR_OK);
		}
		g_assert_true(done);
		g_assert_cmpuint(rx.chunks, ==, count);
		g_assert_cmpint(tsr_ble_rx_take(&rx, &back, &back_len), ==, TSR_OK);
		g_assert_cmpmem(back, back_len, msg, len);
		free(back);
		done = false;
	}
	/* An empty message is one 0x00 chunk. */
	tsr_ble_chunk(NULL, 0, 20, 0, out, &n);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(out[0], ==, 0x00);
	g_assert_cmpint(tsr_ble_rx_add(&rx, out, n, 20, &done), ==, TSR_OK);
	g_assert_true(done);
	g_assert_cmpint(tsr_ble_rx_take(&rx, &back, &back_len), ==, TSR_OK);
	g_assert_nonnull(back);
	g_assert_cmpuint(back_len, ==, 0);
	free(back);
	tsr_ble_rx_clear(NULL);
	g_free(msg);
}

static void
junk_chunks(void)
{
	static const uint8_t more[] = { 0x01, 'a', 'b' }, bad[] = { 0x02, 'a' },
		big[21] = { 0x00 };
	tsr_ble_rx_t rx;
	bool done = false;

	tsr_ble_rx_init(&rx, TSR_TRANSPORT_MAX_MESSAGE);
	g_assert_cmpint(tsr_ble_rx_add(&rx, more, sizeof(more), 20, &done), ==, TSR_OK);
	/* Header neither 0x00 nor 0x01: the partial message goes too. */
	g_assert_cmpint(tsr_ble_rx_add(&rx, bad, sizeof(bad), 20, &done), ==,
	    TSR_ERR_TRANSPORT_PROTOCOL);
	g_assert_null(rx.buf);
	g_assert_cmpuint(rx.len, ==, 0);
	/* Empty, and longer than the value size. */
	g_assert_cmpint(tsr_ble_rx_add(&rx, more, 0, 20, &done), ==, TSR_ERR_TRANSPORT_PROTOCOL);
	g_assert_cmpint(tsr_ble_rx_add(&rx, big, sizeof(big), 20, &done), ==,
	    TSR_ERR_TRANSPORT_PROTOCOL);
	g_assert_cmpint(tsr_ble_rx_add(&rx, big, sizeof(big) - 1, 20, &done), ==, TSR_OK);
	g_assert_true(done);
	tsr_ble_rx_clear(&rx);
}

/* 16 MiB of chunk data is accepted, one byte more is not, and nothing is
 * allocated for the refused byte. */
static void
limit_reassembly(void)
{
	uint8_t chunk[TSR_BLE_VALUE_MAX];
	size_t per = TSR_BLE_VALUE_MAX - 1, total = 0, n;
	tsr_ble_rx_t rx;
	bool done = false;
	uint8_t *msg = NULL;
	size_t len = 0;

	memset(chunk, 0x5a, sizeof(chunk));
	chunk[0] = TSR_BLE_CHUNK_MORE;
	tsr_ble_rx_init(&rx, TSR_TRANSPORT_MAX_MESSAGE);
	while (total < TSR_TRANSPORT_MAX_MESSAGE) {
		n = TSR_TRANSPORT_MAX_MESSAGE - total < per ? TSR_TRANSPORT_MAX_MESSAGE - total : per;
		g_assert_cmpint(tsr_ble_rx_add(&rx, chunk, n + 1, TSR_BLE_VALUE_MAX, &done), ==,
		    TSR_OK);
		total += n;
	}
	g_assert_false(done);
	g_assert_cmpuint(rx.cap, <=, TSR_TRANSPORT_MAX_MESSAGE);
	g_assert_cmpint(tsr_ble_rx_add(&rx, chunk, 2, TSR_BLE_VALUE_MAX, &done), ==,
	    TSR_ERR_LIMIT);
	g_assert_null(rx.buf);
	/* The exact limit is fine. */
	chunk[0] = TSR_BLE_CHUNK_LAST;
	g_assert_cmpint(tsr_ble_rx_add(&rx, chunk, 1, TSR_BLE_VALUE_MAX, &done), ==, TSR_OK);
	g_assert_cmpint(tsr_ble_rx_take(&rx, &msg, &len), ==, TSR_OK);
	g_assert_cmpuint(len, ==, 0);
	free(msg);
	tsr_ble_rx_init(&rx, 100);
	chunk[0] = TSR_BLE_CHUNK_MORE;
	g_assert_cmpint(tsr_ble_rx_add(&rx, chunk, 101, TSR_BLE_VALUE_MAX, &done), ==, TSR_OK);
	g_assert_cmpint(tsr_ble_rx_add(&rx, chunk, 2, TSR_BLE_VALUE_MAX, &done), ==,
	    TSR_ERR_LIMIT);
	tsr_ble_rx_clear(&rx);
}

static void
valid_message_check(void)
{
	static const char *const good[] = {
		"a0", "a1646461746140", "a2616101616202", "a1616182a0a0",
		"bf6161f5ff", "a161615f4101420203ff", "a1c0d818420102f7", "a161617f6161ff",
		"a1f8200a", "a1fb3ff000000000000001",
	};
	static const char *const bad[] = {
		"", "80", "01", "a1", "a16161", "a0a0", "a000", "a1646461746141",
		"a1ff01", "a15f01ff01", "a1617f4101ff01", "a1f80a01", "bf61610a",
		"a1615f5f4101ffff01", "a11c01", "a1c1", "a1615b00000000000000ff01",
		"ff", "f7",
	};
	uint8_t deep[80], *m;
	size_t len, n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		m = tsr_test_hex(good[i], &len);
		if (tsr_ble_check_message(m, len) != TSR_OK)
			g_error("%s refused", good[i]);
		g_free(m);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		m = tsr_test_hex(bad[i], &len);
		if (tsr_ble_check_message(len > 0 ? m : (const uint8_t *)"", len) == TSR_OK)
			g_error("%s accepted", bad[i]);
		g_free(m);
	}
	/* Nesting: 32 levels below the map are fine, 33 are not. */
	deep[n++] = 0xa1;
	deep[n++] = 0x00;
	for (size_t i = 0; i < 31; i++)
		deep[n++] = 0x81;
	deep[n++] = 0x00;
	g_assert_cmpint(tsr_ble_check_message(deep, n), ==, TSR_OK);
	deep[n - 1] = 0x81;
	deep[n++] = 0x00;
	g_assert_cmpint(tsr_ble_check_message(deep, n), ==, TSR_ERR_TRANSPORT_PROTOCOL);
	/* The Annex D messages are maps. */
	m = tsr_test_load("annex-d/session_establishment.cbor", &len);
	g_assert_cmpint(tsr_ble_check_message(m, len), ==, TSR_OK);
	g_assert_cmpint(tsr_ble_check_message(m, len - 1), ==, TSR_ERR_TRANSPORT_PROTOCOL);
	g_free(m);
}

/* ---- Ident ---- */

static void
valid_ident_annex_d(void)
{
	uint8_t *de, ident[16];
	size_t len = 0;

	de = tsr_test_load("annex-d/device_engagement.cbor", &len);
	g_assert_cmpint(tsr_engagement_ble_ident(de, len, ident), ==, TSR_OK);
	tsr_test_assert_hex(ident, 16, "8da0b7a85919f05673054ea996bbd124");
	g_assert_cmpint(tsr_engagement_ble_ident(de, len - 1, ident), !=, TSR_OK);
	g_assert_cmpint(tsr_engagement_ble_ident(NULL, 0, ident), ==, TSR_ERR_INVALID_ARGUMENT);
	g_free(de);
}

static void
wrong_ident(void)
{
	pair_t p;
	uint8_t *m = NULL;
	size_t len = 0;

	pair_configs(&p, TSR_BLE_MODE_CENTRAL_CLIENT);
	p.hc.ident[0] ^= 0x01;
	pair_start(&p, NULL);
	/* The reader's GATT server is up; the holder reads its Ident. */
	g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &len), ==,
	    TSR_ERR_TRANSPORT_BLE_IDENT);
	g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_false(info_of(p.h).open);
	/* The reader sees the holder leave. */
	g_assert_cmpint(tsr_transport_ble_connect(p.r, LONG_MS), ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpstr(tsr_strerror_name(TSR_ERR_TRANSPORT_BLE_IDENT), ==,
	    "TSR_ERR_TRANSPORT_BLE_IDENT");
	pair_free(&p);
}

/* ---- full exchanges ---- */

typedef struct mtu_case {
	tsr_ble_mode_t mode;
	uint16_t mtu;
	bool l2cap;
} mtu_case_t;

static void
valid_exchange(gconstpointer data)
{
	const mtu_case_t *c = data;
	tsr_ble_sim_config_t sim = { .mtu = c->mtu };
	tsr_ble_sim_stats_t hs, rs;
	tsr_ble_info_t hi, ri;
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0, vsize, req_chunks, resp_chunks;
	script_t s;
	pair_t p;
	bool holder_server = c->mode == TSR_BLE_MODE_PERIPHERAL_SERVER;
	unsigned mtu;

	req = tsr_test_load("annex-d/session_establishment.cbor", &req_len);
	resp = make_message(50 * 1024, 9, &resp_len);
	pair_configs(&p, c->mode);
	p.hc.l2cap = p.rc.l2cap = c->l2cap;
	pair_start(&p, &sim);
	script_init(&s, &p, req, req_len, resp, resp_len);
	run_script(&s);
	g_assert_false(s.corrupt);
	g_assert_cmpint(s.r_send, ==, TSR_OK);
	g_assert_cmpint(s.h_recv, ==, TSR_OK);
	g_assert_cmpint(s.h_send, ==, TSR_OK);
	g_assert_cmpint(s.r_recv, ==, TSR_OK);
	g_assert_cmpint(s.h_end, ==, TSR_ERR_TRANSPORT_CLOSED);

	hi = info_of(p.h);
	ri = info_of(p.r);
	g_assert_true(hi.gatt_server == holder_server);
	g_assert_true(ri.gatt_server == !holder_server);
	g_assert_true(hi.l2cap == c->l2cap && ri.l2cap == c->l2cap);
	/* The client asks for 515; the radio may allow less. */
	mtu = c->mtu < 515 ? c->mtu : 515;
	g_assert_cmpuint(hi.mtu, ==, mtu);
	g_assert_cmpuint(ri.mtu, ==, mtu);
	if (c->l2cap) {
		/* 4-byte length prefix, pieces of the channel's 512 bytes. */
		req_chunks = (req_len + 4 + 511) / 512;
		resp_chunks = (resp_len + 4 + 511) / 512;
	} else {
		vsize = mtu - 3u < 512 ? mtu - 3u : 512;
		g_assert_cmpuint(hi.value_size, ==, vsize);
		req_chunks = (req_len + vsize - 2) / (vsize - 1);
		resp_chunks = (resp_len + vsize - 2) / (vsize - 1);
		/* The reader's State 0x02 ended it. */
		g_assert_true(hi.peer_terminated);
	}
	g_test_message("mode %d MTU %u%s: request %zu bytes in %zu chunks, response %zu bytes "
	    "in %zu chunks", c->mode, c->mtu, c->l2cap ? " L2CAP" : "", req_len, req_chunks,
	    resp_len, resp_chunks);
	g_assert_cmpuint(ri.chunks_sent, ==, req_chunks);
	g_assert_cmpuint(hi.chunks_received, ==, req_chunks);
	g_assert_cmpuint(hi.chunks_sent, ==, resp_chunks);
	g_assert_cmpuint(ri.chunks_received, ==, resp_chunks);
	g_assert_cmpuint(hi.messages_received, ==, 1);
	g_assert_cmpuint(ri.messages_received, ==, 1);
	if (!c->l2cap && c->mtu == 23)
		g_assert_cmpuint(resp_chunks, >, 2500);
	/* On the radio: chunks, plus the client's State 0x01 and 0x02. */
	g_assert_cmpint(tsr_ble_sim_stats(p.lh, &hs), ==, TSR_OK);
	g_assert_cmpint(tsr_ble_sim_stats(p.lr, &rs), ==, TSR_OK);
	if (c->l2cap) {
		g_assert_cmpuint(hs.packets + rs.packets, ==, req_chunks + resp_chunks);
	} else {
		g_assert_cmpuint(hs.packets + rs.packets, ==, req_chunks + resp_chunks + 2);
		if (holder_server)
			g_assert_cmpuint(rs.packets, ==, req_chunks + 2);
		else
			g_assert_cmpuint(hs.packets, ==, resp_chunks + 1);
	}
	g_assert_cmpuint(hs.bytes + rs.bytes, >, req_len + resp_len);
	pair_free(&p);
	g_free(req);
	g_free(resp);
}

/* The holder ends the session (server: State notification; client: State
 * write): the reader gets the response, then the end. */
static void
valid_holder_terminates(gconstpointer data)
{
	const mtu_case_t *c = data;
	tsr_ble_sim_config_t sim = { .mtu = c->mtu };
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0;
	script_t s;
	pair_t p;

	req = make_message(300, 1, &req_len);
	resp = make_message(3000, 2, &resp_len);
	pair_configs(&p, c->mode);
	pair_start(&p, &sim);
	script_init(&s, &p, req, req_len, resp, resp_len);
	s.holder_closes = true;
	run_script(&s);
	g_assert_false(s.corrupt);
	g_assert_cmpint(s.r_recv, ==, TSR_OK);
	g_assert_cmpint(s.h_end, ==, TSR_OK);
	g_assert_cmpint(s.r_end, ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_true(info_of(p.r).peer_terminated);
	g_assert_false(info_of(p.h).peer_terminated);
	/* Closed is closed. */
	g_assert_cmpint(tsr_transport_send(p.r, req, req_len, 0), ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(tsr_transport_send(p.h, req, req_len, 0), ==, TSR_ERR_TRANSPORT_CLOSED);
	pair_free(&p);
	g_free(req);
	g_free(resp);
}

static void
valid_reader_terminates(gconstpointer data)
{
	const mtu_case_t *c = data;
	tsr_ble_sim_config_t sim = { .mtu = c->mtu };
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0;
	script_t s;
	pair_t p;

	req = make_message(300, 1, &req_len);
	resp = make_message(3000, 2, &resp_len);
	pair_configs(&p, c->mode);
	pair_start(&p, &sim);
	script_init(&s, &p, req, req_len, resp, resp_len);
	run_script(&s);
	g_assert_false(s.corrupt);
	g_assert_cmpint(s.r_recv, ==, TSR_OK);
	g_assert_cmpint(s.h_end, ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_true(info_of(p.h).peer_terminated);
	pair_free(&p);
	g_free(req);
	g_free(resp);
}

/* Several messages both ways, with latency and a small radio queue (the
 * sender waits for room), and the event callback. */
typedef struct events {
	int connected, disconnected;
} events_t;

static void
count_event(tsr_transport_t *t, tsr_transport_event_t ev, void *user)
{
	events_t *e = user;

	(void)t;
	if (ev == TSR_TRANSPORT_EVENT_CONNECTED)
		e->connected++;
	else
		e->disconnected++;
}

typedef struct echo {
	tsr_transport_t *t;
	size_t n;
	int r;
} echo_t;

static gpointer
echo_thread(gpointer data)
{
	echo_t *e = data;
	uint8_t *m = NULL;
	size_t len = 0;

	for (size_t i = 0; i < e->n; i++) {
		if ((e->r = tsr_transport_receive(e->t, LONG_MS, &m, &len)) != TSR_OK)
			return NULL;
		e->r = tsr_transport_send(e->t, m, len, LONG_MS);
		tsr_free(m);
		if (e->r != TSR_OK)
			return NULL;
	}
	e->r = tsr_transport_receive(e->t, LONG_MS, &m, &len);
	return NULL;
}

static void
valid_many_messages(gconstpointer data)
{
	const mtu_case_t *c = data;
	tsr_ble_sim_config_t sim = { .mtu = c->mtu, .latency_us = 50, .queue_limit = 4 };
	events_t he = { 0, 0 }, re = { 0, 0 };
	echo_t e = { NULL, 12, 1 };
	uint8_t *msg, *m = NULL;
	size_t len = 0, m_len = 0;
	GThread *th;
	pair_t p;

	pair_configs(&p, c->mode);
	p.hc.l2cap = p.rc.l2cap = c->l2cap;
	pair_start(&p, &sim);
	tsr_transport_set_event_callback(p.h, count_event, &he);
	tsr_transport_set_event_callback(p.r, count_event, &re);
	g_assert_cmpint(he.connected + re.connected, ==, 0);
	e.t = p.h;
	th = g_thread_new("echo", echo_thread, &e);
	g_assert_cmpint(tsr_transport_ble_connect(p.r, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(re.connected, ==, 1);
	for (size_t i = 0; i < e.n; i++) {
		msg = make_message(i * 397 % 2000, (uint8_t)i, &len);
		g_assert_cmpint(tsr_transport_send(p.r, msg, len, LONG_MS), ==, TSR_OK);
		g_assert_cmpint(tsr_transport_receive(p.r, LONG_MS, &m, &m_len), ==, TSR_OK);
		g_assert_cmpmem(m, m_len, msg, len);
		tsr_free(m);
		g_free(msg);
	}
	g_assert_cmpint(tsr_transport_close(p.r), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_close(p.r), ==, TSR_OK);
	g_thread_join(th);
	g_assert_cmpint(e.r, ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(he.connected, ==, 1);
	g_assert_cmpint(he.disconnected, ==, 1);
	g_assert_cmpint(re.disconnected, ==, 1);
	g_assert_cmpuint(info_of(p.h).messages_received, ==, e.n);
	pair_free(&p);
}

/* ---- L2CAP choice ---- */

static void
valid_l2cap_fallback(void)
{
	struct {
		bool holder, reader, no_radio;
		tsr_ble_mode_t mode;
		bool want;
	} cases[] = {
		{ true, true, false, TSR_BLE_MODE_PERIPHERAL_SERVER, true },
		{ true, true, false, TSR_BLE_MODE_CENTRAL_CLIENT, true },
		{ true, false, false, TSR_BLE_MODE_PERIPHERAL_SERVER, false },
		{ false, true, false, TSR_BLE_MODE_PERIPHERAL_SERVER, false },
		{ false, true, false, TSR_BLE_MODE_CENTRAL_CLIENT, false },
		{ true, true, true, TSR_BLE_MODE_PERIPHERAL_SERVER, false },
	};
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0;
	script_t s;
	pair_t p;

	req = make_message(700, 4, &req_len);
	resp = make_message(9000, 5, &resp_len);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_ble_sim_config_t sim = { .mtu = 185, .no_l2cap = cases[i].no_radio };

		pair_configs(&p, cases[i].mode);
		p.hc.l2cap = cases[i].holder;
		p.rc.l2cap = cases[i].reader;
		pair_start(&p, &sim);
		script_init(&s, &p, req, req_len, resp, resp_len);
		run_script(&s);
		g_assert_false(s.corrupt);
		g_assert_cmpint(s.r_recv, ==, TSR_OK);
		g_assert_true(info_of(p.h).l2cap == cases[i].want);
		g_assert_true(info_of(p.r).l2cap == cases[i].want);
		pair_free(&p);
	}
	/* A PSM from the engagement that nobody listens on: GATT. */
	{
		tsr_ble_sim_config_t sim = { .mtu = 185 };

		pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
		p.rc.l2cap = true;
		p.rc.psm = 0x0099;
		pair_start(&p, &sim);
		script_init(&s, &p, req, req_len, resp, resp_len);
		run_script(&s);
		g_assert_cmpint(s.r_recv, ==, TSR_OK);
		g_assert_false(info_of(p.r).l2cap);
		pair_free(&p);
	}
	g_free(req);
	g_free(resp);
}

/* A stack that may use EATT (tsr_ble_sim_config_t.eatt, as two BlueZ
 * machines with Channels = 3) makes both sides offer and take L2CAP
 * unasked, in both modes; where the radios have none the session stays on
 * GATT and says that EATT may be on, for the application to warn. */
static void
valid_l2cap_preferred_with_eatt(void)
{
	struct {
		tsr_ble_mode_t mode;
		bool no_radio, eatt, want;
	} cases[] = {
		{ TSR_BLE_MODE_PERIPHERAL_SERVER, false, true, true },
		{ TSR_BLE_MODE_CENTRAL_CLIENT, false, true, true },
		{ TSR_BLE_MODE_PERIPHERAL_SERVER, true, true, false },
		{ TSR_BLE_MODE_PERIPHERAL_SERVER, false, false, false },
	};
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0;
	tsr_ble_eatt_t eatt;
	script_t s;
	pair_t p;

	req = make_message(700, 8, &req_len);
	resp = make_message(9000, 9, &resp_len);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_ble_sim_config_t sim = { .mtu = 185, .no_l2cap = cases[i].no_radio,
			.eatt = cases[i].eatt };

		/* Neither side asks for L2CAP. */
		pair_configs(&p, cases[i].mode);
		pair_start(&p, &sim);
		g_assert_cmpint(tsr_ble_link_eatt(p.lh, &eatt), ==, TSR_OK);
		g_assert_true(eatt.possible == cases[i].eatt);
		g_assert_cmpuint(eatt.channels, ==, cases[i].eatt ? 3 : 1);
		script_init(&s, &p, req, req_len, resp, resp_len);
		run_script(&s);
		g_assert_false(s.corrupt);
		g_assert_cmpint(s.r_recv, ==, TSR_OK);
		g_assert_true(info_of(p.h).l2cap == cases[i].want);
		g_assert_true(info_of(p.r).l2cap == cases[i].want);
		g_assert_true(info_of(p.h).eatt_possible == cases[i].eatt);
		g_assert_true(info_of(p.r).eatt_possible == cases[i].eatt);
		/* Peripheral server mode: the holder listens, so its PSM can
		 * go into the engagement. */
		if (cases[i].mode == TSR_BLE_MODE_PERIPHERAL_SERVER)
			g_assert_true((info_of(p.h).psm != 0) == (cases[i].eatt && !cases[i].no_radio));
		pair_free(&p);
	}
	g_assert_cmpint(tsr_ble_link_eatt(NULL, &eatt), ==, TSR_ERR_INVALID_ARGUMENT);
	g_free(req);
	g_free(resp);
}

/* The engagement's PSM (tsr_ble_config_t.psm) spares the reader the read
 * of the L2CAP characteristic: one radio operation less, same channel. */
static void
valid_l2cap_engagement_psm(void)
{
	tsr_ble_sim_config_t sim = { .mtu = 185 };
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0;
	uint64_t ops[2];
	script_t s;
	pair_t p;

	req = make_message(300, 1, &req_len);
	resp = make_message(3000, 2, &resp_len);
	for (int from_engagement = 0; from_engagement < 2; from_engagement++) {
		pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
		p.hc.l2cap = p.rc.l2cap = true;
		p.rc.psm = from_engagement ? 0x0081 : 0;
		pair_start(&p, &sim);
		/* The PSM the holder listens on, for its engagement. */
		g_assert_cmpuint(info_of(p.h).psm, ==, 0x0081);
		g_assert_cmpuint(info_of(p.r).psm, ==, 0);
		script_init(&s, &p, req, req_len, resp, resp_len);
		run_script(&s);
		g_assert_false(s.corrupt);
		g_assert_cmpint(s.r_recv, ==, TSR_OK);
		g_assert_true(info_of(p.r).l2cap && info_of(p.h).l2cap);
		ops[from_engagement] = s.reader_ops_done;
		pair_free(&p);
	}
	g_assert_cmpuint(ops[1] + 1, ==, ops[0]);
	g_free(req);
	g_free(resp);
}

/* Counts l2cap_stop() per link: the simulated link's ops with that one
 * wrapped (the transport only sees the ops table). */
static const tsr_ble_link_ops_t *sim_ops_seen;
static tsr_ble_link_ops_t counting_ops;
static void *counted_state[2];
static unsigned stops[2];

static void
counting_l2cap_stop(void *state)
{
	for (int i = 0; i < 2; i++)
		if (state == counted_state[i])
			stops[i]++;
	sim_ops_seen->l2cap_stop(state);
}

static void
count_stops(tsr_ble_link_t *link, int i)
{
	sim_ops_seen = link->ops;
	counting_ops = *link->ops;
	counting_ops.l2cap_stop = counting_l2cap_stop;
	counted_state[i] = link->state;
	stops[i] = 0;
	link->ops = &counting_ops;
}

/*
 * GATT instead of L2CAP, quickly: a connect that gets no answer (the
 * radio drops it) is given up after 2 s, well within the 5 s step timeout,
 * and the session runs over GATT; a holder whose reader chose GATT stops
 * listening on its PSM.
 */
static void
valid_l2cap_gatt_fallback(void)
{
	/* The reader's operations: 1 connect, 2 the L2CAP connect (to the
	 * engagement's PSM), dropped. */
	tsr_ble_sim_config_t silent = { .mtu = 185, .fault = TSR_BLE_SIM_FAULT_DROP,
		.fault_end = READER_END, .fault_op = 2 };
	tsr_ble_sim_config_t sim = { .mtu = 185 };
	echo_t e = { NULL, 1, 1 };
	uint8_t *msg, *m = NULL;
	size_t len = 0, m_len = 0;
	GThread *th;
	gint64 t0, took;
	pair_t p;

	msg = make_message(700, 3, &len);
	pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
	p.hc.l2cap = p.rc.l2cap = true;
	p.rc.psm = 0x0081;
	g_assert_cmpint(tsr_ble_sim_pair_new(&silent, &p.lh, &p.lr), ==, TSR_OK);
	count_stops(p.lh, HOLDER_END);
	count_stops(p.lr, READER_END);
	g_assert_cmpint(tsr_transport_ble_new(&p.hc, p.lh, &p.h), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&p.rc, p.lr, &p.r), ==, TSR_OK);
	e.t = p.h;
	th = g_thread_new("echo", echo_thread, &e);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_send(p.r, msg, len, LONG_MS), ==, TSR_OK);
	took = g_get_monotonic_time() - t0;
	g_assert_cmpint(tsr_transport_receive(p.r, LONG_MS, &m, &m_len), ==, TSR_OK);
	g_assert_cmpmem(m, m_len, msg, len);
	tsr_free(m);
	g_assert_cmpint(tsr_transport_close(p.r), ==, TSR_OK);
	g_thread_join(th);
	g_assert_cmpint(e.r, ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_false(info_of(p.r).l2cap);
	g_assert_false(info_of(p.h).l2cap);
	g_assert_cmpint(took, >=, 1900 * 1000);
	g_assert_cmpint(took, <, 4500 * 1000);
	g_assert_cmpuint(stops[READER_END], ==, 1);
	g_assert_cmpuint(stops[HOLDER_END], ==, 1);
	pair_free(&p);

	/* A reader that does not ask for L2CAP: the holder stops listening
	 * once the State start says GATT. */
	pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
	p.hc.l2cap = true;
	g_assert_cmpint(tsr_ble_sim_pair_new(&sim, &p.lh, &p.lr), ==, TSR_OK);
	count_stops(p.lh, HOLDER_END);
	g_assert_cmpint(tsr_transport_ble_new(&p.hc, p.lh, &p.h), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&p.rc, p.lr, &p.r), ==, TSR_OK);
	g_assert_cmpuint(stops[HOLDER_END], ==, 0);
	e = (echo_t){ p.h, 1, 1 };
	th = g_thread_new("echo", echo_thread, &e);
	g_assert_cmpint(tsr_transport_send(p.r, msg, len, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_receive(p.r, LONG_MS, &m, &m_len), ==, TSR_OK);
	tsr_free(m);
	g_assert_cmpint(tsr_transport_close(p.r), ==, TSR_OK);
	g_thread_join(th);
	g_assert_false(info_of(p.h).l2cap);
	g_assert_cmpuint(info_of(p.h).psm, ==, 0x0081);
	g_assert_cmpuint(stops[HOLDER_END], ==, 1);
	pair_free(&p);
	g_free(msg);
}

/*
 * Orderly close over L2CAP (no State characteristic there): the side that
 * sent the session's last message (the reader's status 20) waits, within
 * its close timeout, for the peer to close the channel first, so that
 * message is read before the channel ends; the side that read it closes
 * at once.
 */
typedef struct closer {
	tsr_transport_t *t;
	const uint8_t *last;
	size_t last_len;
	unsigned linger_ms;  /* between reading the last message and closing */
	bool got_last;
	gint64 close_us;     /* how long its close took */
} closer_t;

static gpointer
closer_thread(gpointer data)
{
	closer_t *c = data;
	uint8_t *m = NULL;
	size_t len = 0;
	gint64 t0;

	if (tsr_transport_receive(c->t, LONG_MS, &m, &len) != TSR_OK)
		return NULL;
	if (tsr_transport_send(c->t, m, len, LONG_MS) != TSR_OK) {
		tsr_free(m);
		return NULL;
	}
	tsr_free(m);
	if (tsr_transport_receive(c->t, LONG_MS, &m, &len) != TSR_OK)
		return NULL;
	c->got_last = same(m, len, c->last, c->last_len);
	tsr_free(m);
	g_usleep(c->linger_ms * 1000);
	t0 = g_get_monotonic_time();
	if (tsr_transport_close(c->t) == TSR_OK)
		c->close_us = g_get_monotonic_time() - t0;
	return NULL;
}

static void
valid_l2cap_orderly_close(void)
{
	tsr_ble_sim_config_t sim = { .mtu = 185, .latency_us = 50 };
	closer_t c = { 0 };
	uint8_t *req, *last, *m = NULL;
	size_t req_len = 0, last_len = 0, len = 0;
	GThread *th;
	gint64 t0, reader_close_us;
	pair_t p;

	req = make_message(300, 1, &req_len);
	last = make_message(10, 9, &last_len);
	for (int mode = 0; mode < 2; mode++) {
		pair_configs(&p, mode == 0 ? TSR_BLE_MODE_PERIPHERAL_SERVER :
		    TSR_BLE_MODE_CENTRAL_CLIENT);
		p.hc.l2cap = p.rc.l2cap = true;
		p.hc.close_timeout_ms = p.rc.close_timeout_ms = LONG_MS;
		pair_start(&p, &sim);
		c = (closer_t){ p.h, last, last_len, 150, false, -1 };
		th = g_thread_new("holder", closer_thread, &c);
		g_assert_cmpint(tsr_transport_send(p.r, req, req_len, LONG_MS), ==, TSR_OK);
		g_assert_cmpint(tsr_transport_receive(p.r, LONG_MS, &m, &len), ==, TSR_OK);
		tsr_free(m);
		g_assert_true(info_of(p.r).l2cap);
		g_assert_cmpint(tsr_transport_send(p.r, last, last_len, LONG_MS), ==, TSR_OK);
		t0 = g_get_monotonic_time();
		g_assert_cmpint(tsr_transport_close(p.r), ==, TSR_OK);
		reader_close_us = g_get_monotonic_time() - t0;
		g_thread_join(th);
		g_assert_true(c.got_last);
		/* The reader waited for the holder, which took its time, and
		 * not for its own timeout; the holder did not wait at all. */
		g_assert_cmpint(reader_close_us, >=, 100 * 1000);
		g_assert_cmpint(reader_close_us, <, LONG_MS * 1000 / 2);
		g_assert_cmpint(c.close_us, >=, 0);
		g_assert_cmpint(c.close_us, <, LONG_MS * 1000 / 2);
		pair_free(&p);
	}

	/* A peer that never closes: the close timeout bounds the wait. */
	pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
	p.hc.l2cap = p.rc.l2cap = true;
	p.rc.close_timeout_ms = 200;
	pair_start(&p, &sim);
	g_assert_cmpint(tsr_transport_send(p.r, req, req_len, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &len), ==, TSR_OK);
	tsr_free(m);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_close(p.r), ==, TSR_OK);
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 190 * 1000);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, LONG_MS * 1000 / 2);
	g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	pair_free(&p);
	g_free(req);
	g_free(last);
}

/* ---- limits, timeouts, arguments ---- */

static void
limit_message(void)
{
	tsr_ble_sim_config_t sim = { .mtu = 185 };
	uint8_t *big, *m = NULL;
	size_t big_len = 0, len = 0;
	pair_t p;

	for (int l2cap = 0; l2cap < 2; l2cap++) {
		pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
		p.hc.l2cap = p.rc.l2cap = l2cap;
		p.hc.max_message = 1000;
		pair_start(&p, &sim);
		big = make_message(1000, 1, &big_len);
		/* Unbounded radio queue: one thread is enough. */
		g_assert_cmpint(tsr_transport_send(p.r, big, big_len, LONG_MS), ==, TSR_OK);
		g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &len), ==, TSR_ERR_LIMIT);
		g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &len), ==,
		    TSR_ERR_TRANSPORT_CLOSED);
		g_assert_cmpint(tsr_transport_receive(p.r, LONG_MS, &m, &len), ==,
		    TSR_ERR_TRANSPORT_CLOSED);
		g_free(big);
		pair_free(&p);
	}
	/* Sending: the transport's limit, and only CBOR maps. */
	pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
	pair_start(&p, &sim);
	g_assert_cmpint(tsr_transport_send(p.r, (const uint8_t *)"x", 1, 0), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_send(p.r, (const uint8_t *)"\xa0\x00", 2, 0), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_send(p.r, NULL, TSR_TRANSPORT_MAX_MESSAGE + 1, 0), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	pair_free(&p);
}

static void
timeout_steps(void)
{
	tsr_ble_sim_config_t sim = { .mtu = 185 };
	uint8_t *msg, *m = NULL;
	size_t len = 0, m_len = 0;
	gint64 t0;
	pair_t p;

	msg = make_message(100, 1, &len);
	/* A holder nobody connects to: the call's timeout, and it stays
	 * usable; the reader comes later. */
	pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
	g_assert_cmpint(tsr_ble_sim_pair_new(&sim, &p.lh, &p.lr), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&p.hc, p.lh, &p.h), ==, TSR_OK);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_receive(p.h, 100, &m, &m_len), ==,
	    TSR_ERR_TRANSPORT_TIMEOUT);
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 90 * 1000);
	g_assert_cmpint(tsr_transport_receive(p.h, 0, &m, &m_len), ==,
	    TSR_ERR_TRANSPORT_TIMEOUT);
	g_assert_cmpint(tsr_transport_ble_new(&p.rc, p.lr, &p.r), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(p.r, msg, len, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &m_len), ==, TSR_OK);
	g_assert_cmpmem(m, m_len, msg, len);
	tsr_free(m);
	/* Nothing more: timeouts, and the transport is still fine. */
	g_assert_cmpint(tsr_transport_receive(p.r, 20, &m, &m_len), ==,
	    TSR_ERR_TRANSPORT_TIMEOUT);
	g_assert_cmpint(tsr_transport_send(p.h, msg, len, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_receive(p.r, LONG_MS, &m, &m_len), ==, TSR_OK);
	tsr_free(m);
	pair_free(&p);

	/* A reader looking for a UUID nobody advertises: the connect step. */
	pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
	p.rc.uuid[15] ^= 1;
	p.rc.connect_timeout_ms = 150;
	pair_start(&p, &sim);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_send(p.r, msg, len, LONG_MS), ==,
	    TSR_ERR_TRANSPORT_TIMEOUT);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
	g_assert_cmpint(tsr_transport_send(p.r, msg, len, LONG_MS), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	pair_free(&p);

	/* A peer stalled in the middle of a message: the step timeout. */
	{
		tsr_ble_sim_config_t stall = { .mtu = 23, .fault = TSR_BLE_SIM_FAULT_DROP,
			.fault_end = READER_END, .fault_op = 9 };
		uint8_t *mid;
		size_t mid_len = 0;

		pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
		p.hc.step_timeout_ms = 150;
		pair_start(&p, &stall);
		mid = make_message(200, 1, &mid_len);
		/* connect, 2 subscriptions, State 0x01, chunks from op 5: the
		 * last of the 11 chunks is dropped. */
		g_assert_cmpint(tsr_transport_send(p.r, mid, mid_len, LONG_MS), ==, TSR_OK);
		g_assert_cmpuint(info_of(p.r).chunks_sent, ==, 11);
		g_assert_cmpuint(ops_of(p.lr), ==, 15);
		/* A chunk lost in the middle: never a short message. */
		g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &m_len), ==,
		    TSR_ERR_TRANSPORT_PROTOCOL);
		g_free(mid);
		pair_free(&p);
		p.hc.step_timeout_ms = 150;
		stall.fault_op = 15;
		pair_start(&p, &stall);
		mid = make_message(200, 1, &mid_len);
		g_assert_cmpint(tsr_transport_send(p.r, mid, mid_len, LONG_MS), ==, TSR_OK);
		t0 = g_get_monotonic_time();
		g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &m_len), ==,
		    TSR_ERR_TRANSPORT_TIMEOUT);
		g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
		g_assert_cmpint(tsr_transport_receive(p.h, LONG_MS, &m, &m_len), ==,
		    TSR_ERR_TRANSPORT_CLOSED);
		g_assert_cmpint(tsr_transport_receive(p.r, LONG_MS, &m, &m_len), ==,
		    TSR_ERR_TRANSPORT_CLOSED);
		g_free(mid);
		pair_free(&p);
	}
	g_free(msg);
}

typedef struct waiter {
	tsr_transport_t *t;
	int r;
} waiter_t;

static gpointer
wait_thread(gpointer data)
{
	waiter_t *w = data;
	uint8_t *m = NULL;
	size_t len = 0;

	w->r = tsr_transport_receive(w->t, LONG_MS, &m, &len);
	if (w->r == TSR_OK)
		tsr_free(m);
	return NULL;
}

/* The peer vanishes (its transport freed, or the radio lost) while this
 * side waits: TSR_ERR_TRANSPORT_CLOSED at once, not a timeout. */
static void
closed_peer_vanishes(void)
{
	waiter_t w = { NULL, 1 };
	GThread *th;
	gint64 t0;
	pair_t p;

	for (int how = 0; how < 2; how++) {
		pair_configs(&p, how == 0 ? TSR_BLE_MODE_PERIPHERAL_SERVER :
		    TSR_BLE_MODE_CENTRAL_CLIENT);
		pair_start(&p, NULL);
		/* The GATT client gets there without the server's help. */
		g_assert_cmpint(tsr_transport_ble_connect(how == 0 ? p.r : p.h, LONG_MS), ==,
		    TSR_OK);
		w.t = p.h;
		t0 = g_get_monotonic_time();
		th = g_thread_new("waiter", wait_thread, &w);
		g_usleep(20 * 1000);
		if (how == 0) {
			tsr_transport_free(p.r);
			p.r = NULL;
		} else {
			tsr_ble_sim_disconnect(p.lr);
		}
		g_thread_join(th);
		g_assert_cmpint(w.r, ==, TSR_ERR_TRANSPORT_CLOSED);
		g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
		g_assert_false(info_of(p.h).peer_terminated);
		pair_free(&p);
	}
}

static void
junk_arguments(void)
{
	tsr_ble_config_t cfg;
	tsr_ble_link_t *a = NULL, *b = NULL;
	tsr_transport_t *t = NULL, *local_a = NULL, *local_b = NULL;
	tsr_ble_sim_config_t bad_mtu = { .mtu = 22 };
	tsr_ble_info_t info;
	tsr_ble_sim_stats_t st;

	g_assert_cmpint(tsr_ble_sim_pair_new(&bad_mtu, &a, &b), ==, TSR_ERR_INVALID_ARGUMENT);
	bad_mtu.mtu = 518;
	g_assert_cmpint(tsr_ble_sim_pair_new(&bad_mtu, &a, &b), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ble_sim_pair_new(NULL, NULL, &b), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ble_sim_pair_new(NULL, &a, &b), ==, TSR_OK);
	g_assert_cmpstr(tsr_ble_link_describe(a), ==, "simulated link (a)");
	g_assert_cmpstr(tsr_ble_link_describe(NULL), ==, "no link");

	tsr_ble_config_init(&cfg, TSR_BLE_ROLE_HOLDER, TSR_BLE_MODE_CENTRAL_CLIENT, test_uuid);
	/* Central client mode needs the Ident. */
	g_assert_cmpint(tsr_transport_ble_new(&cfg, a, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	cfg.has_ident = true;
	cfg.mtu = 22;
	g_assert_cmpint(tsr_transport_ble_new(&cfg, a, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	cfg.mtu = 0;
	cfg.role = (tsr_ble_role_t)3;
	g_assert_cmpint(tsr_transport_ble_new(&cfg, a, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	cfg.role = TSR_BLE_ROLE_HOLDER;
	cfg.mode = (tsr_ble_mode_t)0;
	g_assert_cmpint(tsr_transport_ble_new(&cfg, a, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	cfg.mode = TSR_BLE_MODE_PERIPHERAL_SERVER;
	g_assert_cmpint(tsr_transport_ble_new(NULL, a, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_ble_new(&cfg, NULL, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(t);
	g_assert_cmpint(tsr_transport_ble_new(&cfg, a, &t), ==, TSR_OK);
	g_assert_cmpstr(tsr_transport_describe(t), ==, "BLE transport (holder, mdoc peripheral "
	    "server mode, GATT server, simulated link (a))");
	/* One transport per link. */
	{
		tsr_transport_t *t2 = NULL;

		g_assert_cmpint(tsr_transport_ble_new(&cfg, a, &t2), ==, TSR_ERR_INVALID_ARGUMENT);
		g_assert_null(t2);
	}
	g_assert_cmpint(tsr_transport_ble_info(t, &info), ==, TSR_OK);
	g_assert_true(info.gatt_server);
	g_assert_false(info.open);
	g_assert_cmpuint(info.mtu, ==, 0);
	/* Not a BLE transport, not a simulated link. */
	g_assert_cmpint(tsr_transport_local_pair(&local_a, &local_b), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_info(local_a, &info), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_ble_connect(local_a, 0), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_ble_info(NULL, &info), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ble_sim_stats(NULL, &st), ==, TSR_ERR_INVALID_ARGUMENT);
	tsr_ble_sim_disconnect(NULL);
	tsr_transport_free(local_a);
	tsr_transport_free(local_b);
	g_assert_cmpint(tsr_transport_close(t), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_connect(t, 0), ==, TSR_ERR_TRANSPORT_CLOSED);
	tsr_transport_free(t);
	/* A link is one connection's worth of radio: used up now. */
	t = NULL;
	g_assert_cmpint(tsr_transport_ble_new(&cfg, a, &t), ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_null(t);
	tsr_ble_link_free(a);
	tsr_ble_link_free(b);
	tsr_ble_link_free(NULL);
}

/* ---- faults at every operation ---- */

typedef struct sweep_case {
	tsr_ble_mode_t mode;
	tsr_ble_sim_fault_t fault;
	bool l2cap;
} sweep_case_t;

static bool
allowed(int r)
{
	return r == TSR_OK || r == 1 || r == TSR_ERR_TRANSPORT_CLOSED ||
	    r == TSR_ERR_TRANSPORT_TIMEOUT || r == TSR_ERR_TRANSPORT_PROTOCOL;
}

/*
 * Runs the exchange once clean to count each side's radio operations, then
 * once per operation of each side with the fault at it. Every run must end
 * in bounded time with clear codes and never deliver altered bytes; a
 * disconnect before the reader had the whole response must fail the
 * reader's receive (and so the holder's end too).
 */
static void
fault_sweep(gconstpointer data)
{
	const sweep_case_t *c = data;
	tsr_ble_sim_config_t sim = { .mtu = 185 };
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0;
	uint64_t ops[2], before_end[2];
	unsigned runs = 0, failed = 0;
	gint64 t0, took;
	script_t s;
	pair_t p;

	/* Every message needs 3+ chunks, so a lost one always shows. */
	req = make_message(400, 0x31, &req_len);
	resp = make_message(1000, 0x77, &resp_len);
	pair_configs(&p, c->mode);
	pair_fast(&p);
	p.hc.l2cap = p.rc.l2cap = c->l2cap;
	pair_start(&p, &sim);
	script_init(&s, &p, req, req_len, resp, resp_len);
	run_script(&s);
	g_assert_cmpint(s.r_recv, ==, TSR_OK);
	g_assert_false(s.corrupt);
	g_assert_true(info_of(p.h).l2cap == c->l2cap);
	ops[HOLDER_END] = ops_of(p.lh);
	ops[READER_END] = ops_of(p.lr);
	before_end[HOLDER_END] = ops[HOLDER_END];
	before_end[READER_END] = s.reader_ops_done;
	pair_free(&p);

	for (unsigned end = 0; end < 2; end++) {
		for (uint64_t op = 1; op <= ops[end] + 1; op++) {
			sim.fault = c->fault;
			sim.fault_end = end;
			sim.fault_op = op;
			pair_configs(&p, c->mode);
			pair_fast(&p);
			p.hc.l2cap = p.rc.l2cap = c->l2cap;
			pair_start(&p, &sim);
			script_init(&s, &p, req, req_len, resp, resp_len);
			t0 = g_get_monotonic_time();
			run_script(&s);
			took = g_get_monotonic_time() - t0;
			runs++;
			if (s.r_recv != TSR_OK)
				failed++;
			if (s.corrupt || took > FAULT_BOUND_US || !allowed(s.h_recv) ||
			    !allowed(s.h_send) || !allowed(s.h_end) || !allowed(s.r_send) ||
			    !allowed(s.r_recv) || !allowed(s.r_end))
				g_error("fault %d at op %" G_GUINT64_FORMAT " of %s: corrupt %d, "
				    "%" G_GINT64_FORMAT " us, holder %d/%d/%d reader %d/%d/%d",
				    c->fault, op, end == HOLDER_END ? "holder" : "reader", s.corrupt,
				    took, s.h_recv, s.h_send, s.h_end, s.r_send, s.r_recv, s.r_end);
			if (c->fault == TSR_BLE_SIM_FAULT_DISCONNECT && op <= before_end[end] &&
			    (s.r_recv == TSR_OK || s.h_end == TSR_OK))
				g_error("disconnect at op %" G_GUINT64_FORMAT " of %s went unnoticed",
				    op, end == HOLDER_END ? "holder" : "reader");
			if (op == ops[end] + 1 && s.r_recv != TSR_OK)
				g_error("a fault past the last operation broke the exchange");
			pair_free(&p);
		}
	}
	g_test_message("fault %d, mode %d%s: %u runs (holder %" G_GUINT64_FORMAT
	    " ops, reader %" G_GUINT64_FORMAT " ops), %u without a response", c->fault, c->mode,
	    c->l2cap ? " L2CAP" : "", runs, ops[0], ops[1], failed);
	if (c->fault != TSR_BLE_SIM_FAULT_DUPLICATE)
		g_assert_cmpuint(failed, >, 0);
	g_free(req);
	g_free(resp);
}

/* A disconnect in the middle of a 50 KB response, at several chunks. */
static void
closed_mid_response(void)
{
	/* Holder ops: serve, then 2,696 chunks. Reader ops: connect, two
	 * subscriptions, State 0x01, 22 request chunks, State 0x02 (27). */
	static const struct {
		unsigned end;
		uint64_t op;
	} at[] = { { HOLDER_END, 2 }, { HOLDER_END, 3 }, { HOLDER_END, 50 },
		{ HOLDER_END, 400 }, { HOLDER_END, 2000 }, { HOLDER_END, 2697 },
		{ READER_END, 27 } };
	tsr_ble_sim_config_t sim = { .mtu = 23, .fault = TSR_BLE_SIM_FAULT_DISCONNECT };
	uint8_t *req, *resp;
	size_t req_len = 0, resp_len = 0;
	script_t s;
	pair_t p;

	req = make_message(400, 1, &req_len);
	resp = make_message(50 * 1024, 2, &resp_len);
	/* 51,209 bytes in 19-byte pieces. */
	g_assert_cmpuint(tsr_ble_chunk_count(resp_len, 20), ==, 2696);
	g_assert_cmpuint(tsr_ble_chunk_count(req_len, 20), ==, 22);
	for (size_t i = 0; i < G_N_ELEMENTS(at); i++) {
		sim.fault_end = at[i].end;
		sim.fault_op = at[i].op;
		pair_configs(&p, TSR_BLE_MODE_PERIPHERAL_SERVER);
		pair_fast(&p);
		pair_start(&p, &sim);
		script_init(&s, &p, req, req_len, resp, resp_len);
		run_script(&s);
		g_assert_false(s.corrupt);
		g_assert_cmpint(s.h_recv, ==, TSR_OK);
		if (at[i].end == HOLDER_END) {
			g_assert_cmpint(s.h_send, ==, TSR_ERR_TRANSPORT_CLOSED);
			g_assert_cmpint(s.r_recv, ==, TSR_ERR_TRANSPORT_CLOSED);
			g_assert_cmpuint(info_of(p.h).chunks_sent, ==, at[i].op - 2);
			g_assert_cmpuint(info_of(p.r).chunks_received, ==, at[i].op - 2);
		} else {
			/* After the last chunk: the response is whole; the end
			 * is a disconnect, not State 0x02. */
			g_assert_cmpint(s.r_recv, ==, TSR_OK);
			g_assert_cmpint(s.h_end, ==, TSR_ERR_TRANSPORT_CLOSED);
			g_assert_false(info_of(p.h).peer_terminated);
		}
		pair_free(&p);
	}
	g_free(req);
	g_free(resp);
}

/* ---- a whole mdoc session over BLE ---- */

typedef struct mdoc_fixture {
	tsr_holder_session_t *hs;
	tsr_reader_session_t *rs;
	uint8_t *issuer_signed, *device_key_pem, *iaca;
	size_t issuer_signed_len, device_key_pem_len, iaca_len;
	tsr_device_key_t *key;
	pair_t p;
	int holder_result;
	uint64_t holder_chunks;
} mdoc_fixture_t;

static gpointer
mdoc_holder_thread(gpointer data)
{
	mdoc_fixture_t *f = data;
	tsr_presentation_t *pres = NULL;
	const uint8_t *st = NULL;
	uint8_t *msg = NULL, *request = NULL, *response = NULL, *out = NULL;
	size_t msg_len = 0, st_len = 0, request_len = 0, response_len = 0, out_len = 0;

	g_assert_cmpint(tsr_transport_receive(f->p.h, LONG_MS, &msg, &msg_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_establish(f->hs, msg, msg_len, &request,
	    &request_len), ==, TSR_OK);
	tsr_free(msg);
	g_assert_cmpint(tsr_holder_session_transcript(f->hs, &st, &st_len), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_new(request, request_len, st, st_len, &pres), ==,
	    TSR_OK);
	tsr_free(request);
	request = NULL;
	tsr_presentation_set_time(pres, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_presentation_add_credential(pres, f->issuer_signed,
	    f->issuer_signed_len, f->key, "mdl"), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_analyze(pres), ==, TSR_OK);
	tsr_presentation_consent_all(pres, true);
	g_assert_cmpint(tsr_presentation_respond(pres, TSR_DEVICE_AUTH_MAC, &response,
	    &response_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_respond(f->hs, response, response_len, false, &out,
	    &out_len), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(f->p.h, out, out_len, LONG_MS), ==, TSR_OK);
	/* The reader's status 20, then its State 0x02. */
	g_assert_cmpint(tsr_transport_receive(f->p.h, LONG_MS, &msg, &msg_len), ==, TSR_OK);
	f->holder_result = tsr_holder_session_receive(f->hs, msg, msg_len, &request,
	    &request_len);
	tsr_free(msg);
	g_assert_cmpint(tsr_transport_receive(f->p.h, LONG_MS, &msg, &msg_len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	f->holder_chunks = info_of(f->p.h).chunks_sent;
	tsr_free(response);
	tsr_free(out);
	tsr_presentation_free(pres);
	return NULL;
}

static void
valid_mdoc_session(gconstpointer data)
{
	const mtu_case_t *c = data;
	tsr_engagement_ble_t offer = { .peripheral_server = true, .central_client = true }, seen;
	tsr_ble_sim_config_t sim = { .mtu = c->mtu };
	tsr_request_builder_t *builder = NULL;
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	const uint8_t *st = NULL, *de = NULL;
	uint8_t *request = NULL, *msg = NULL, *data_msg = NULL, *response = NULL, *end = NULL;
	uint8_t h_ident[16], r_ident[16];
	size_t st_len = 0, de_len = 0, request_len = 0, msg_len = 0, data_len = 0,
	    response_len = 0, end_len = 0;
	char *uri = NULL;
	mdoc_fixture_t f;
	GThread *th;
	bool ended = true;
	int r;

	memset(&f, 0, sizeof(f));
	f.issuer_signed = tsr_test_load("annex-d/issuer_signed.cbor", &f.issuer_signed_len);
	f.device_key_pem = tsr_test_load("annex-d/static_device_key.pem", &f.device_key_pem_len);
	f.iaca = tsr_test_load("annex-d/iaca_cert.pem", &f.iaca_len);
	g_assert_cmpint(tsr_device_key_new_from_pem(f.device_key_pem, f.device_key_pem_len,
	    &f.key), ==, TSR_OK);

	/* Engagement: the holder offers both modes with a fresh UUID. */
	memcpy(offer.uuid, test_uuid, 16);
	offer.uuid[0] ^= 0x5a;
	g_assert_cmpint(tsr_holder_session_new(&offer, &f.hs), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_qr_uri(f.hs, &uri), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_new(uri, &f.rs), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_ble(f.rs, &seen), ==, TSR_OK);
	g_assert_true(seen.peripheral_server && seen.central_client);
	tsr_holder_session_engagement(f.hs, &de, &de_len);
	g_assert_cmpint(tsr_engagement_ble_ident(de, de_len, h_ident), ==, TSR_OK);
	tsr_reader_session_engagement(f.rs, &de, &de_len);
	g_assert_cmpint(tsr_engagement_ble_ident(de, de_len, r_ident), ==, TSR_OK);
	g_assert_cmpmem(h_ident, 16, r_ident, 16);

	/* Each side's transport from what it knows. */
	tsr_ble_config_init(&f.p.hc, TSR_BLE_ROLE_HOLDER, c->mode, offer.uuid);
	f.p.hc.has_ident = true;
	memcpy(f.p.hc.ident, h_ident, 16);
	f.p.hc.l2cap = c->l2cap;
	tsr_ble_config_init(&f.p.rc, TSR_BLE_ROLE_READER, c->mode, seen.uuid);
	f.p.rc.has_ident = true;
	memcpy(f.p.rc.ident, r_ident, 16);
	f.p.rc.l2cap = c->l2cap;
	pair_start(&f.p, &sim);
	th = g_thread_new("mdoc-holder", mdoc_holder_thread, &f);

	tsr_reader_session_transcript(f.rs, &st, &st_len);
	g_assert_cmpint(tsr_request_builder_new(&builder), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_template(builder, "driving-licence"), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(builder, st, st_len, &request, &request_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_reader_session_establish(f.rs, request, request_len, &msg, &msg_len),
	    ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(f.p.r, msg, msg_len, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_receive(f.p.r, LONG_MS, &data_msg, &data_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_receive(f.rs, data_msg, data_len, &response,
	    &response_len, &ended), ==, TSR_OK);
	g_assert_false(ended);

	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, f.iaca, f.iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_prepare_verifier(f.rs, v), ==, TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	r = tsr_verifier_verify(v, response, response_len, &result);
	g_assert_cmpint(r, ==, TSR_OK);
	g_assert_true(tsr_verify_result_valid(result));
	g_assert_cmpint(tsr_verified_doc_device_auth(tsr_verify_result_doc(result, 0)), ==,
	    TSR_DEVICE_AUTH_MAC);
	g_assert_cmpuint(tsr_verified_doc_element_count(tsr_verify_result_doc(result, 0)), ==, 5);

	/* Status 20, then State 0x02. */
	g_assert_cmpint(tsr_reader_session_terminate(f.rs, &end, &end_len), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(f.p.r, end, end_len, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_close(f.p.r), ==, TSR_OK);
	g_thread_join(th);
	g_assert_cmpint(f.holder_result, ==, TSR_ERR_SESSION_TERMINATED);
	g_assert_true(info_of(f.p.h).peer_terminated || c->l2cap);
	g_test_message("MTU %u%s: request %zu bytes, response %zu bytes in %" G_GUINT64_FORMAT
	    " chunks", c->mtu, c->l2cap ? " L2CAP" : "", msg_len, data_len, f.holder_chunks);

	tsr_verify_result_free(result);
	tsr_verifier_free(v);
	tsr_request_builder_free(builder);
	tsr_free(request);
	tsr_free(msg);
	tsr_free(data_msg);
	tsr_free(response);
	tsr_free(end);
	tsr_free(uri);
	pair_free(&f.p);
	tsr_holder_session_free(f.hs);
	tsr_reader_session_free(f.rs);
	tsr_device_key_free(f.key);
	g_free(f.issuer_signed);
	g_free(f.device_key_pem);
	g_free(f.iaca);
}

static const mtu_case_t exchange_cases[] = {
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, 23, false },
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, 185, false },
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, 512, false },
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, 517, false },
	{ TSR_BLE_MODE_CENTRAL_CLIENT, 23, false },
	{ TSR_BLE_MODE_CENTRAL_CLIENT, 185, false },
	{ TSR_BLE_MODE_CENTRAL_CLIENT, 512, false },
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, 185, true },
	{ TSR_BLE_MODE_CENTRAL_CLIENT, 185, true },
};

static const sweep_case_t sweep_cases[] = {
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, TSR_BLE_SIM_FAULT_DISCONNECT, false },
	{ TSR_BLE_MODE_CENTRAL_CLIENT, TSR_BLE_SIM_FAULT_DISCONNECT, false },
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, TSR_BLE_SIM_FAULT_DISCONNECT, true },
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, TSR_BLE_SIM_FAULT_DROP, false },
	{ TSR_BLE_MODE_CENTRAL_CLIENT, TSR_BLE_SIM_FAULT_DROP, false },
	{ TSR_BLE_MODE_PERIPHERAL_SERVER, TSR_BLE_SIM_FAULT_DUPLICATE, false },
	{ TSR_BLE_MODE_CENTRAL_CLIENT, TSR_BLE_SIM_FAULT_DUPLICATE, false },
};

static const char *
mode_tag(tsr_ble_mode_t mode)
{
	return mode == TSR_BLE_MODE_PERIPHERAL_SERVER ? "peripheral" : "central";
}

static const char *
fault_tag(tsr_ble_sim_fault_t f)
{
	return f == TSR_BLE_SIM_FAULT_DISCONNECT ? "disconnect" :
	    f == TSR_BLE_SIM_FAULT_DROP ? "lost" : "duplicated";
}

int
main(int argc, char **argv)
{
	char *path;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/transport/ble/valid_chunking", valid_chunking);
	g_test_add_func("/transport/ble/junk_chunks", junk_chunks);
	g_test_add_func("/transport/ble/limit_reassembly", limit_reassembly);
	g_test_add_func("/transport/ble/valid_message_check", valid_message_check);
	g_test_add_func("/transport/ble/valid_ident_annex_d", valid_ident_annex_d);
	g_test_add_func("/transport/ble/wrong_ident", wrong_ident);
	for (size_t i = 0; i < G_N_ELEMENTS(exchange_cases); i++) {
		const mtu_case_t *c = &exchange_cases[i];

		path = g_strdup_printf("/transport/ble/valid_exchange/%s/mtu%u%s",
		    mode_tag(c->mode), c->mtu, c->l2cap ? "/l2cap" : "");
		g_test_add_data_func(path, c, valid_exchange);
		g_free(path);
	}
	for (size_t i = 0; i < 2; i++) {
		const mtu_case_t *c = &exchange_cases[i == 0 ? 1 : 5];

		path = g_strdup_printf("/transport/ble/valid_holder_terminates/%s",
		    mode_tag(c->mode));
		g_test_add_data_func(path, c, valid_holder_terminates);
		g_free(path);
		path = g_strdup_printf("/transport/ble/valid_reader_terminates/%s",
		    mode_tag(c->mode));
		g_test_add_data_func(path, c, valid_reader_terminates);
		g_free(path);
	}
	g_test_add_data_func("/transport/ble/valid_many_messages/peripheral",
	    &exchange_cases[0], valid_many_messages);
	g_test_add_data_func("/transport/ble/valid_many_messages/central",
	    &exchange_cases[5], valid_many_messages);
	g_test_add_data_func("/transport/ble/valid_many_messages/l2cap",
	    &exchange_cases[8], valid_many_messages);
	g_test_add_func("/transport/ble/valid_l2cap_fallback", valid_l2cap_fallback);
	g_test_add_func("/transport/ble/valid_l2cap_orderly_close", valid_l2cap_orderly_close);
	g_test_add_func("/transport/ble/valid_l2cap_engagement_psm", valid_l2cap_engagement_psm);
	g_test_add_func("/transport/ble/valid_l2cap_gatt_fallback", valid_l2cap_gatt_fallback);
	g_test_add_func("/transport/ble/valid_l2cap_preferred_with_eatt",
	    valid_l2cap_preferred_with_eatt);
	g_test_add_func("/transport/ble/limit_message", limit_message);
	g_test_add_func("/transport/ble/timeout_steps", timeout_steps);
	g_test_add_func("/transport/ble/closed_peer_vanishes", closed_peer_vanishes);
	g_test_add_func("/transport/ble/closed_mid_response", closed_mid_response);
	g_test_add_func("/transport/ble/junk_arguments", junk_arguments);
	for (size_t i = 0; i < G_N_ELEMENTS(sweep_cases); i++) {
		const sweep_case_t *c = &sweep_cases[i];

		path = g_strdup_printf("/transport/ble/fault_sweep/%s/%s%s", fault_tag(c->fault),
		    mode_tag(c->mode), c->l2cap ? "/l2cap" : "");
		g_test_add_data_func(path, c, fault_sweep);
		g_free(path);
	}
	g_test_add_data_func("/transport/ble/valid_mdoc_session/peripheral/mtu185",
	    &exchange_cases[1], valid_mdoc_session);
	g_test_add_data_func("/transport/ble/valid_mdoc_session/central/mtu23",
	    &exchange_cases[4], valid_mdoc_session);
	g_test_add_data_func("/transport/ble/valid_mdoc_session/peripheral/l2cap",
	    &exchange_cases[7], valid_mdoc_session);
	return g_test_run();
}
