/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The 18013-5 BLE transport (§8.3.3.1.1; digest §4): the protocol state
 * machine over a GATT link (ble-link.h). No radio code here.
 *
 *   GATT server (holder/peripheral server, reader/central client):
 *     ADVERTISING --client connects--> WAIT_START --State 0x01--> OPEN
 *                                                 --L2CAP up----> OPEN (L2CAP)
 *   GATT client (reader/peripheral server, holder/central client):
 *     CONNECTING --connected--> [READ_IDENT: holder in central client mode]
 *       --> [READ_PSM --> L2CAP_CONNECTING --up--> OPEN (L2CAP); fails: on]
 *       --> SUBSCRIBING (State, Server2Client) --both--> write 0x01 --> OPEN
 *   OPEN --State 0x02 / disconnect / close / error / step timeout--> ENDED
 *
 * Each state but ADVERTISING, and each gap inside a message, has a step
 * deadline; the call's own deadline bounds every wait as well. Every error
 * is reported once and the transport is then closed (TSR_ERR_TRANSPORT_CLOSED),
 * after the messages completed before it are received.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/analyzer.h"
#include "base/log.h"
#include "transport/ble-link.h"
#include "transport/transport-private.h"

#define DEFAULT_MTU 515
#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_STEP_MS 5000
#define DEFAULT_CLOSE_MS 500
#define L2CAP_MTU_MIN 23
/* How long an L2CAP connect may go unanswered before GATT takes over. */
#define L2CAP_CONNECT_MS 2000

enum ble_state {
	ST_ADVERTISING,      /* server: waiting for a client */
	ST_WAIT_START,       /* server: a client is there; State 0x01 or L2CAP next */
	ST_CONNECTING,       /* client: scanning, connecting, discovering */
	ST_READ_IDENT,       /* client: reading Ident */
	ST_READ_PSM,         /* client: reading the L2CAP PSM */
	ST_L2CAP_CONNECTING, /* client: opening the L2CAP channel */
	ST_SUBSCRIBING,      /* client: turning on State and Server2Client */
	ST_OPEN,             /* messages flow */
	ST_ENDED,            /* over; err says why */
};

typedef struct msg_node {
	struct msg_node *next;
	uint8_t *msg;
	size_t len;
} msg_node_t;

typedef struct ble {
	tsr_ble_config_t cfg;
	tsr_ble_link_t *link;
	tsr_ble_service_t svc;
	bool server;
	enum ble_state state;
	int64_t step_deadline;      /* -1: none */
	uint16_t mtu;
	uint32_t peer_chars;        /* client: what discovery found */
	uint32_t subscribed;        /* client: confirmed; server: by the client */
	bool l2cap;
	bool eatt_possible;         /* the link's stack may reorder GATT (EATT) */
	uint16_t l2cap_mtu;
	uint16_t listen_psm;        /* server: the PSM published, 0 when none */
	bool peer_terminated;
	bool sent_last;             /* the last message went from us (see ble_close()) */
	int err;                    /* why ENDED */
	bool err_reported;          /* then TSR_ERR_TRANSPORT_CLOSED */
	tsr_ble_rx_t rx;            /* GATT reassembly */
	tsr_frame_reader_t fr;      /* L2CAP reassembly */
	msg_node_t *q_head, *q_tail;
	size_t q_bytes;
	uint8_t *scratch;
	size_t scratch_cap;
	uint64_t chunks_sent, chunks_received, messages_sent, messages_received;
	char *desc;
} ble_t;

static const tsr_transport_ops_t ble_ops;

/* 0000000X-A123-48CE-896B-4C76973373E6 (digest §4.2). */
static void
char_uuid(uint8_t n, uint8_t uuid[16])
{
	static const uint8_t base[16] = { 0x00, 0x00, 0x00, 0x00, 0xa1, 0x23, 0x48, 0xce,
		0x89, 0x6b, 0x4c, 0x76, 0x97, 0x33, 0x73, 0xe6 };

	memcpy(uuid, base, 16);
	uuid[3] = n;
}

static void
make_service(const tsr_ble_config_t *cfg, tsr_ble_service_t *svc)
{
	bool ps = cfg->mode == TSR_BLE_MODE_PERIPHERAL_SERVER;

	memset(svc, 0, sizeof(*svc));
	memcpy(svc->uuid, cfg->uuid, 16);
	char_uuid(ps ? 0x01 : 0x05, svc->char_uuid[TSR_BLE_CHAR_STATE]);
	char_uuid(ps ? 0x02 : 0x06, svc->char_uuid[TSR_BLE_CHAR_C2S]);
	char_uuid(ps ? 0x03 : 0x07, svc->char_uuid[TSR_BLE_CHAR_S2C]);
	char_uuid(0x08, svc->char_uuid[TSR_BLE_CHAR_IDENT]);
	char_uuid(ps ? 0x0a : 0x0b, svc->char_uuid[TSR_BLE_CHAR_L2CAP]);
	svc->chars = TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_STATE) | TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_C2S) |
	    TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C);
	if (!ps) {
		svc->chars |= TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_IDENT);
		memcpy(svc->ident, cfg->ident, 16);
	}
}

/* A link does L2CAP with all four operations or not at all. */
static bool
link_l2cap(const tsr_ble_link_t *link)
{
	return link->ops->l2cap_listen != NULL && link->ops->l2cap_connect != NULL &&
	    link->ops->l2cap_send != NULL && link->ops->l2cap_stop != NULL;
}

static int64_t
earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void
step_start(ble_t *b, int timeout_ms)
{
	b->step_deadline = tsr_deadline_from_timeout(timeout_ms);
}

static const char *
state_name(enum ble_state s)
{
	switch (s) {
	case ST_ADVERTISING:
		return "advertising";
	case ST_WAIT_START:
		return "waiting for State start";
	case ST_CONNECTING:
		return "connecting";
	case ST_READ_IDENT:
		return "reading Ident";
	case ST_READ_PSM:
		return "reading the L2CAP PSM";
	case ST_L2CAP_CONNECTING:
		return "opening the L2CAP channel";
	case ST_SUBSCRIBING:
		return "subscribing";
	case ST_OPEN:
		return "open";
	default:
		return "ended";
	}
}

/* Ends the connection with err (reported once by the next call). */
/* -fanalyzer: the receive queue keeps its nodes; ble_free_state() frees them. */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static void
ble_fail(tsr_transport_t *t, int err)
{
	ble_t *b = t->state;

	if (b->state == ST_ENDED)
		return;
	if (err != TSR_ERR_TRANSPORT_CLOSED)
		tsr_debug("ble: %s: %s", state_name(b->state), tsr_strerror(err));
	else if (b->rx.chunks > 0 || tsr_frame_reader_partial(&b->fr))
		tsr_debug("ble: the peer went away in the middle of a message");
	b->link->ops->disconnect(b->link->state);
	b->state = ST_ENDED;
	b->err = err;
	b->step_deadline = -1;
	tsr_ble_rx_clear(&b->rx);
	tsr_frame_reader_clear(&b->fr);
	tsr_transport_set_connected(t, false);
}
TSR_ANALYZER_END

static int
ble_report(ble_t *b)
{
	int r = b->err_reported ? TSR_ERR_TRANSPORT_CLOSED : b->err;

	b->err_reported = true;
	return r;
}

static int
scratch_reserve(ble_t *b, size_t n)
{
	uint8_t *p;

	if (n <= b->scratch_cap)
		return TSR_OK;
	if ((p = realloc(b->scratch, n)) == NULL)
		return TSR_ERR_NO_MEMORY;
	b->scratch = p;
	b->scratch_cap = n;
	return TSR_OK;
}

static void
ble_open(tsr_transport_t *t, bool l2cap)
{
	ble_t *b = t->state;

	b->state = ST_OPEN;
	b->l2cap = l2cap;
	b->step_deadline = -1;
	tsr_debug("ble: open over %s (ATT_MTU %u)", l2cap ? "L2CAP" : "GATT", b->mtu);
	tsr_transport_set_connected(t, true);
}

/* A whole message arrived: check it and queue it. Takes msg. */
/* -fanalyzer: n belongs to the receive queue once linked; ble_receive()
 * and ble_free_state() free it. */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static void
ble_deliver(tsr_transport_t *t, uint8_t *msg, size_t len)
{
	ble_t *b = t->state;
	msg_node_t *n;
	int r;

	if ((r = tsr_ble_check_message(msg, len)) != TSR_OK) {
		tsr_debug("ble: a message of %zu bytes is not one CBOR map (lost or repeated chunk?)",
		    len);
		goto fail;
	}
	if (len > b->cfg.max_message - b->q_bytes) {
		tsr_debug("ble: more than %zu bytes waiting to be received", b->cfg.max_message);
		r = TSR_ERR_LIMIT;
		goto fail;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	n->msg = msg;
	n->len = len;
	if (b->q_tail != NULL)
		b->q_tail->next = n;
	else
		b->q_head = n;
	b->q_tail = n;
	b->q_bytes += len;
	b->messages_received++;
	return;
fail:
	free(msg);
	ble_fail(t, r);
}
TSR_ANALYZER_END

static void
on_chunk(tsr_transport_t *t, const uint8_t *data, size_t len)
{
	ble_t *b = t->state;
	uint8_t *msg;
	size_t msg_len;
	bool done = false;
	int r;

	if ((r = tsr_ble_rx_add(&b->rx, data, len, tsr_ble_value_size(b->mtu), &done)) !=
	    TSR_OK) {
		ble_fail(t, r);
		return;
	}
	b->chunks_received++;
	if (!done) {
		step_start(b, b->cfg.step_timeout_ms);
		return;
	}
	b->step_deadline = -1;
	if ((r = tsr_ble_rx_take(&b->rx, &msg, &msg_len)) != TSR_OK) {
		ble_fail(t, r);
		return;
	}
	ble_deliver(t, msg, msg_len);
}

static void
on_l2cap_data(tsr_transport_t *t, const uint8_t *data, size_t len)
{
	ble_t *b = t->state;
	uint8_t *msg;
	size_t off = 0, used, msg_len;
	int r;

	b->chunks_received++;
	while (off < len && b->state == ST_OPEN) {
		if ((r = tsr_frame_reader_feed(&b->fr, data + off, len - off, &used)) != TSR_OK) {
			ble_fail(t, r);
			return;
		}
		off += used;
		if (!tsr_frame_reader_done(&b->fr))
			continue;
		if ((r = tsr_frame_reader_take(&b->fr, &msg, &msg_len)) != TSR_OK) {
			ble_fail(t, r);
			return;
		}
		ble_deliver(t, msg, msg_len);
	}
	b->step_deadline = -1;
	if (b->state == ST_OPEN && tsr_frame_reader_partial(&b->fr))
		step_start(b, b->cfg.step_timeout_ms);
}

/* The peer ended the session (State 0x02) or the link is gone. */
static void
on_end(tsr_transport_t *t, bool terminated)
{
	ble_t *b = t->state;

	if (terminated) {
		tsr_debug("ble: the peer ended the session (State 0x02)");
		b->peer_terminated = true;
	}
	ble_fail(t, TSR_ERR_TRANSPORT_CLOSED);
}

static void
client_start_gatt(tsr_transport_t *t)
{
	ble_t *b = t->state;
	const tsr_ble_link_ops_t *ops = b->link->ops;
	uint32_t need = TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_STATE) | TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_C2S) |
	    TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C);
	int r;

	/* No service at all: the server advertised it moments ago, so it has
	 * gone (a holder that quit leaves its advertisement in the reader's
	 * discovery cache); part of one is a broken server. */
	if (b->peer_chars == 0) {
		tsr_debug("ble: the peer no longer serves the service");
		ble_fail(t, TSR_ERR_TRANSPORT_CLOSED);
		return;
	}
	if ((b->peer_chars & need) != need) {
		tsr_debug("ble: the service lacks State, Client2Server or Server2Client");
		ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
		return;
	}
	b->subscribed = 0;
	b->state = ST_SUBSCRIBING;
	step_start(b, b->cfg.step_timeout_ms);
	if ((r = ops->subscribe(b->link->state, TSR_BLE_CHAR_STATE)) != TSR_OK ||
	    (r = ops->subscribe(b->link->state, TSR_BLE_CHAR_S2C)) != TSR_OK)
		ble_fail(t, r);
}

static void
client_l2cap(tsr_transport_t *t, uint16_t psm)
{
	ble_t *b = t->state;

	if (psm == 0 || b->link->ops->l2cap_connect(b->link->state, psm) != TSR_OK) {
		tsr_debug("ble: no L2CAP channel (PSM 0x%04x); using GATT", psm);
		client_start_gatt(t);
		return;
	}
	b->state = ST_L2CAP_CONNECTING;
	/* A server that answers does so at once; one that does not would
	 * otherwise hold the session for the kernel's own connect timeout.
	 * GATT is still there: give up on the channel early and use it. */
	step_start(b, b->cfg.step_timeout_ms < L2CAP_CONNECT_MS ? b->cfg.step_timeout_ms :
	    L2CAP_CONNECT_MS);
}

/* The L2CAP connect got no answer in time: abandon it, GATT instead. */
static void
client_l2cap_silent(tsr_transport_t *t)
{
	ble_t *b = t->state;

	tsr_debug("ble: no answer to the L2CAP connect; using GATT");
	b->link->ops->l2cap_stop(b->link->state);
	client_start_gatt(t);
}

/* After the Ident check (or without one). */
static void
client_after_ident(tsr_transport_t *t)
{
	ble_t *b = t->state;
	int r;

	if (b->cfg.l2cap && link_l2cap(b->link)) {
		/* The engagement's PSM (BleOptions 21) saves the read. */
		if (b->cfg.psm != 0) {
			tsr_debug("ble: L2CAP PSM 0x%04x from the engagement", b->cfg.psm);
			client_l2cap(t, b->cfg.psm);
			return;
		}
		if (b->peer_chars & TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_L2CAP)) {
			b->state = ST_READ_PSM;
			step_start(b, b->cfg.step_timeout_ms);
			if ((r = b->link->ops->read(b->link->state, TSR_BLE_CHAR_L2CAP)) != TSR_OK)
				ble_fail(t, r);
			return;
		}
	}
	client_start_gatt(t);
}

static void
client_connected(tsr_transport_t *t)
{
	ble_t *b = t->state;
	int r;

	if (b->cfg.role != TSR_BLE_ROLE_HOLDER || b->cfg.mode != TSR_BLE_MODE_CENTRAL_CLIENT) {
		client_after_ident(t);
		return;
	}
	/* 18013-5 §8.3.3.1.1.4: the mdoc checks it reached its reader. */
	if (!(b->peer_chars & TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_IDENT))) {
		tsr_debug("ble: the reader serves no Ident characteristic");
		ble_fail(t, TSR_ERR_TRANSPORT_BLE_IDENT);
		return;
	}
	b->state = ST_READ_IDENT;
	step_start(b, b->cfg.step_timeout_ms);
	if ((r = b->link->ops->read(b->link->state, TSR_BLE_CHAR_IDENT)) != TSR_OK)
		ble_fail(t, r);
}

static void
client_read(tsr_transport_t *t, const tsr_ble_event_t *ev)
{
	ble_t *b = t->state;
	uint32_t psm;

	if (b->state == ST_READ_IDENT && ev->ch == TSR_BLE_CHAR_IDENT) {
		if (ev->err != TSR_OK || ev->len != TSR_BLE_IDENT_LEN ||
		    memcmp(ev->data, b->cfg.ident, TSR_BLE_IDENT_LEN) != 0) {
			tsr_debug("ble: Ident does not match this engagement: wrong reader");
			ble_fail(t, TSR_ERR_TRANSPORT_BLE_IDENT);
			return;
		}
		client_after_ident(t);
	} else if (b->state == ST_READ_PSM && ev->ch == TSR_BLE_CHAR_L2CAP) {
		if (ev->err != TSR_OK || ev->len != 4) {
			tsr_debug("ble: unusable L2CAP PSM value");
			client_start_gatt(t);
			return;
		}
		psm = (uint32_t)ev->data[0] << 24 | (uint32_t)ev->data[1] << 16 |
		    (uint32_t)ev->data[2] << 8 | ev->data[3];
		client_l2cap(t, psm <= UINT16_MAX ? (uint16_t)psm : 0);
	} else {
		tsr_debug("ble: a read answer nobody asked for");
		ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
	}
}

static void
client_subscribed(tsr_transport_t *t, tsr_ble_char_t ch)
{
	ble_t *b = t->state;
	uint8_t start = TSR_BLE_STATE_START;
	uint32_t both = TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_STATE) | TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C);
	int r;

	if (ch != TSR_BLE_CHAR_STATE && ch != TSR_BLE_CHAR_S2C) {
		ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
		return;
	}
	b->subscribed |= TSR_BLE_CHAR_BIT(ch);
	if (b->state != ST_SUBSCRIBING || (b->subscribed & both) != both)
		return;
	if ((r = b->link->ops->write(b->link->state, TSR_BLE_CHAR_STATE, &start, 1,
	    b->step_deadline)) != TSR_OK) {
		ble_fail(t, r);
		return;
	}
	ble_open(t, false);
}

static bool
mtu_ok(uint16_t mtu)
{
	return mtu >= TSR_BLE_MTU_MIN && mtu <= TSR_BLE_MTU_MAX;
}

static void
server_write(tsr_transport_t *t, const tsr_ble_event_t *ev)
{
	ble_t *b = t->state;

	if (ev->ch == TSR_BLE_CHAR_STATE) {
		if (ev->len == 1 && ev->data[0] == TSR_BLE_STATE_START && b->state == ST_WAIT_START) {
			/* The client chose GATT: nobody is to connect to our
			 * PSM any more. */
			if (b->listen_psm != 0)
				b->link->ops->l2cap_stop(b->link->state);
			ble_open(t, false);
		} else if (ev->len == 1 && ev->data[0] == TSR_BLE_STATE_END) {
			on_end(t, true);
		} else {
			tsr_debug("ble: State write of %zu bytes (0x%02x) while %s", ev->len,
			    ev->len > 0 ? ev->data[0] : 0, state_name(b->state));
			ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
		}
	} else if (ev->ch == TSR_BLE_CHAR_C2S && b->state == ST_OPEN && !b->l2cap) {
		on_chunk(t, ev->data, ev->len);
	} else {
		tsr_debug("ble: a write to characteristic %d while %s", (int)ev->ch,
		    state_name(b->state));
		ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
	}
}

static void
client_notify(tsr_transport_t *t, const tsr_ble_event_t *ev)
{
	ble_t *b = t->state;

	if (ev->ch == TSR_BLE_CHAR_STATE && ev->len == 1 && ev->data[0] == TSR_BLE_STATE_END) {
		on_end(t, true);
	} else if (ev->ch == TSR_BLE_CHAR_S2C && b->state == ST_OPEN && !b->l2cap) {
		on_chunk(t, ev->data, ev->len);
	} else {
		tsr_debug("ble: a notification of characteristic %d (%zu bytes) while %s",
		    (int)ev->ch, ev->len, state_name(b->state));
		ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
	}
}

static void
on_l2cap_up(tsr_transport_t *t, uint16_t mtu)
{
	ble_t *b = t->state;

	if ((b->server ? b->state != ST_WAIT_START : b->state != ST_L2CAP_CONNECTING) ||
	    mtu < L2CAP_MTU_MIN) {
		ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
		return;
	}
	b->l2cap_mtu = mtu;
	ble_open(t, true);
}

static void
ble_handle(tsr_transport_t *t, const tsr_ble_event_t *ev)
{
	ble_t *b = t->state;

	switch (ev->kind) {
	case TSR_BLE_EV_CONNECTED:
		if (b->state != (b->server ? ST_ADVERTISING : ST_CONNECTING) || !mtu_ok(ev->mtu))
			break;
		b->mtu = ev->mtu;
		if (b->server) {
			b->state = ST_WAIT_START;
			step_start(b, b->cfg.step_timeout_ms);
		} else {
			b->peer_chars = ev->chars;
			client_connected(t);
		}
		return;
	case TSR_BLE_EV_MTU:
		/* Chunks already sent keep their size; later ones use this. */
		if (!mtu_ok(ev->mtu))
			break;
		b->mtu = ev->mtu;
		return;
	case TSR_BLE_EV_SUBSCRIBED:
		if (b->state == ST_ADVERTISING || b->state == ST_CONNECTING)
			break;
		if (!b->server) {
			client_subscribed(t, ev->ch);
		} else if (ev->ch == TSR_BLE_CHAR_STATE || ev->ch == TSR_BLE_CHAR_S2C) {
			b->subscribed |= TSR_BLE_CHAR_BIT(ev->ch);
		} else {
			break;
		}
		return;
	case TSR_BLE_EV_READ:
		if (b->server)
			break;
		client_read(t, ev);
		return;
	case TSR_BLE_EV_WRITE:
		if (!b->server || b->state == ST_ADVERTISING)
			break;
		server_write(t, ev);
		return;
	case TSR_BLE_EV_NOTIFY:
		if (b->server || b->state == ST_CONNECTING)
			break;
		client_notify(t, ev);
		return;
	case TSR_BLE_EV_L2CAP_UP:
		on_l2cap_up(t, ev->mtu);
		return;
	case TSR_BLE_EV_L2CAP_FAILED:
		if (b->server || b->state != ST_L2CAP_CONNECTING)
			break;
		tsr_debug("ble: L2CAP channel refused (%s); using GATT", tsr_strerror(ev->err));
		client_start_gatt(t);
		return;
	case TSR_BLE_EV_L2CAP_DATA:
		if (b->state != ST_OPEN || !b->l2cap)
			break;
		on_l2cap_data(t, ev->data, ev->len);
		return;
	case TSR_BLE_EV_DISCONNECTED:
		on_end(t, false);
		return;
	default:
		break;
	}
	tsr_debug("ble: unexpected link event %d while %s", (int)ev->kind, state_name(b->state));
	ble_fail(t, TSR_ERR_TRANSPORT_PROTOCOL);
}

/* Waits for one event (until the call's deadline or the step's) and
 * handles it. TSR_OK when something happened (maybe the end),
 * TSR_ERR_TRANSPORT_TIMEOUT when the call's deadline passed. */
static int
ble_pump(tsr_transport_t *t, int64_t deadline)
{
	ble_t *b = t->state;
	tsr_ble_event_t ev;
	int r;

	memset(&ev, 0, sizeof(ev));
	r = b->link->ops->next_event(b->link->state, earliest(deadline, b->step_deadline), &ev);
	if (r == TSR_OK) {
		ble_handle(t, &ev);
	} else if (r != TSR_ERR_TRANSPORT_TIMEOUT) {
		ble_fail(t, r);
	} else if (b->step_deadline >= 0 && tsr_deadline_remaining(b->step_deadline) == 0) {
		if (b->state == ST_L2CAP_CONNECTING) {
			client_l2cap_silent(t);
			return TSR_OK;
		}
		tsr_debug("ble: no progress within %d ms", b->cfg.step_timeout_ms);
		ble_fail(t, TSR_ERR_TRANSPORT_TIMEOUT);
	} else {
		return TSR_ERR_TRANSPORT_TIMEOUT;
	}
	return TSR_OK;
}

/* Until messages can flow (or the end, or the deadline). */
static int
ble_drive_open(tsr_transport_t *t, int64_t deadline)
{
	ble_t *b = t->state;
	int r;

	while (b->state != ST_OPEN) {
		if (b->state == ST_ENDED)
			return ble_report(b);
		if ((r = ble_pump(t, deadline)) != TSR_OK)
			return r;
	}
	return TSR_OK;
}

/* One piece of a message: a notification (server) or a write (client) of
 * a chunk, or a piece of the L2CAP stream. */
static int
send_piece(ble_t *b, const uint8_t *p, size_t n, int64_t deadline)
{
	const tsr_ble_link_ops_t *ops = b->link->ops;

	if (b->l2cap)
		return ops->l2cap_send(b->link->state, p, n, deadline);
	if (b->server)
		return ops->notify(b->link->state, TSR_BLE_CHAR_S2C, p, n, deadline);
	return ops->write(b->link->state, TSR_BLE_CHAR_C2S, p, n, deadline);
}

/* Piece i of the L2CAP stream hdr || msg in pieces of size bytes. */
static size_t
l2cap_piece(const uint8_t hdr[TSR_FRAME_HEADER_LEN], const uint8_t *msg, size_t len,
    size_t size, size_t i, uint8_t *out)
{
	size_t total = TSR_FRAME_HEADER_LEN + len, off = i * size, n, k = 0;

	n = total - off < size ? total - off : size;
	for (; k < n && off + k < TSR_FRAME_HEADER_LEN; k++)
		out[k] = hdr[off + k];
	if (k < n)
		memcpy(out + k, msg + (off + k - TSR_FRAME_HEADER_LEN), n - k);
	return n;
}

static int
ble_send(tsr_transport_t *t, const uint8_t *msg, size_t len, int timeout_ms)
{
	ble_t *b = t->state;
	int64_t deadline = tsr_deadline_from_timeout(timeout_ms), piece_deadline;
	uint8_t hdr[TSR_FRAME_HEADER_LEN];
	size_t size, count, n;
	int r = TSR_ERR_INTERNAL;

	if (tsr_ble_check_message(msg, len) != TSR_OK) {
		tsr_debug("ble: refusing to send what is not one CBOR map");
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = ble_drive_open(t, deadline)) != TSR_OK)
		goto out;
	/* Server: the client must have turned on Server2Client first. */
	if (b->server && !b->l2cap && !(b->subscribed & TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C))) {
		step_start(b, b->cfg.step_timeout_ms);
		while (b->state == ST_OPEN &&
		    !(b->subscribed & TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C)))
			if ((r = ble_pump(t, deadline)) != TSR_OK)
				goto out;
		if (b->state != ST_OPEN) {
			r = ble_report(b);
			goto out;
		}
		if (b->rx.chunks == 0)
			b->step_deadline = -1;
	}
	if (b->l2cap) {
		if ((r = tsr_frame_header(len, hdr)) != TSR_OK)
			goto out;
		size = b->l2cap_mtu;
		count = (TSR_FRAME_HEADER_LEN + len) / size +
		    ((TSR_FRAME_HEADER_LEN + len) % size != 0);
	} else {
		size = tsr_ble_value_size(b->mtu);
		/* BlueZ's GATT server (5.66 at least) checks a Write
		 * Command's length with the attribute handle included and
		 * silently drops one that carries a full 512-byte value: a
		 * client writes two bytes less (docs/ble.md). */
		if (!b->server && size > TSR_BLE_WRITE_MAX)
			size = TSR_BLE_WRITE_MAX;
		count = tsr_ble_chunk_count(len, size);
	}
	if ((r = scratch_reserve(b, size)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < count; i++) {
		if (b->l2cap)
			n = l2cap_piece(hdr, msg, len, size, i, b->scratch);
		else
			tsr_ble_chunk(msg, len, size, i, b->scratch, &n);
		piece_deadline = earliest(deadline, tsr_deadline_from_timeout(b->cfg.step_timeout_ms));
		if ((r = send_piece(b, b->scratch, n, piece_deadline)) == TSR_OK) {
			b->chunks_sent++;
			continue;
		}
		/* Before the first chunk, the call's own timeout leaves the
		 * transport usable; anything else tears the message. */
		if (r == TSR_ERR_TRANSPORT_TIMEOUT && i == 0 && deadline >= 0 &&
		    tsr_deadline_remaining(deadline) == 0)
			goto out;
		/* The link is gone; what the peer sent before is still in it,
		 * for receive to deliver before its end. */
		if (r == TSR_ERR_TRANSPORT_CLOSED)
			goto out;
		if (r == TSR_ERR_TRANSPORT_TIMEOUT)
			tsr_debug("ble: the link took no chunk for %d ms", b->cfg.step_timeout_ms);
		ble_fail(t, r);
		b->err_reported = true;
		goto out;
	}
	b->messages_sent++;
	b->sent_last = true;
	r = TSR_OK;
out:
	return r;
}

static int
ble_receive(tsr_transport_t *t, int timeout_ms, uint8_t **ret_msg, size_t *ret_len)
{
	ble_t *b = t->state;
	int64_t deadline = tsr_deadline_from_timeout(timeout_ms);
	msg_node_t *n;
	int r = TSR_ERR_INTERNAL;

	while (b->q_head == NULL) {
		if (b->state == ST_ENDED) {
			r = ble_report(b);
			goto out;
		}
		if ((r = ble_pump(t, deadline)) != TSR_OK)
			goto out;
	}
	n = b->q_head;
	if ((b->q_head = n->next) == NULL)
		b->q_tail = NULL;
	b->q_bytes -= n->len;
	*ret_msg = n->msg;
	*ret_len = n->len;
	free(n);
	b->sent_last = false;
	r = TSR_OK;
out:
	return r;
}

static int
ble_close(tsr_transport_t *t)
{
	ble_t *b = t->state;
	const tsr_ble_link_ops_t *ops = b->link->ops;
	uint8_t end = TSR_BLE_STATE_END;
	int64_t deadline;
	tsr_ble_event_t ev;
	int r = TSR_ERR_TRANSPORT_TIMEOUT;

	if (b->state == ST_OPEN) {
		deadline = tsr_deadline_from_timeout(b->cfg.close_timeout_ms);
		/* 18013-5 §8.3.3.1.1.7: State 0x02, then the receiver
		 * disconnects. L2CAP has no State: the side whose message
		 * was the last (the reader's status 20, say) lets the other
		 * hang up first, since a channel closed under an SDU the
		 * peer has not read yet can lose it (the peer's kernel may
		 * report the end before the SDU; docs/ble.md). The side
		 * that read the last message hangs up at once. */
		if (b->l2cap)
			r = b->sent_last ? TSR_OK : TSR_ERR_TRANSPORT_CLOSED;
		else if (!b->server)
			r = ops->write(b->link->state, TSR_BLE_CHAR_STATE, &end, 1, deadline);
		else if (b->subscribed & TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_STATE))
			r = ops->notify(b->link->state, TSR_BLE_CHAR_STATE, &end, 1, deadline);
		while (r == TSR_OK) {
			memset(&ev, 0, sizeof(ev));
			if ((r = ops->next_event(b->link->state, deadline, &ev)) == TSR_OK &&
			    ev.kind == TSR_BLE_EV_DISCONNECTED)
				break;
		}
	}
	/* Our own end: a partial message is no news of the peer. */
	tsr_ble_rx_clear(&b->rx);
	tsr_frame_reader_clear(&b->fr);
	ble_fail(t, TSR_ERR_TRANSPORT_CLOSED);
	b->err_reported = true;
	return TSR_OK;
}

static void
ble_free_state(void *state)
{
	ble_t *b = state;
	msg_node_t *n;

	if (b == NULL)
		return;
	if (b->link != NULL) {
		if (b->state != ST_ENDED)
			b->link->ops->disconnect(b->link->state);
		b->link->in_use = false;
	}
	while ((n = b->q_head) != NULL) {
		b->q_head = n->next;
		free(n->msg);
		free(n);
	}
	tsr_ble_rx_clear(&b->rx);
	tsr_frame_reader_clear(&b->fr);
	free(b->scratch);
	free(b->desc);
	free(b);
}

static const char *
ble_describe(const void *state)
{
	const ble_t *b = state;

	return b->desc;
}

static const tsr_transport_ops_t ble_ops = {
	.send = ble_send,
	.receive = ble_receive,
	.close = ble_close,
	.free_state = ble_free_state,
	.describe = ble_describe,
};

void
tsr_ble_config_init(tsr_ble_config_t *cfg, tsr_ble_role_t role, tsr_ble_mode_t mode,
    const uint8_t uuid[16])
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->role = role;
	cfg->mode = mode;
	if (uuid != NULL)
		memcpy(cfg->uuid, uuid, 16);
	cfg->mtu = DEFAULT_MTU;
	cfg->connect_timeout_ms = DEFAULT_CONNECT_MS;
	cfg->step_timeout_ms = DEFAULT_STEP_MS;
	cfg->close_timeout_ms = DEFAULT_CLOSE_MS;
	cfg->max_message = TSR_TRANSPORT_MAX_MESSAGE;
}

static int
default_ms(int ms, int def)
{
	return ms == 0 ? def : ms;
}

/* Publishes the service (server) or starts connecting (client). */
static int
ble_start(ble_t *b)
{
	const tsr_ble_link_ops_t *ops = b->link->ops;
	uint16_t psm = 0;

	if (!b->server) {
		b->state = ST_CONNECTING;
		step_start(b, b->cfg.connect_timeout_ms);
		return ops->connect(b->link->state, &b->svc, b->cfg.mtu);
	}
	if (b->cfg.l2cap && link_l2cap(b->link)) {
		if (ops->l2cap_listen(b->link->state, &psm) == TSR_OK && psm != 0) {
			b->listen_psm = psm;
			b->svc.chars |= TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_L2CAP);
			b->svc.psm_value[2] = (uint8_t)(psm >> 8);
			b->svc.psm_value[3] = (uint8_t)psm;
		} else {
			tsr_debug("ble: cannot listen for L2CAP; offering GATT only");
		}
	}
	b->state = ST_ADVERTISING;
	b->step_deadline = -1;
	return ops->serve(b->link->state, &b->svc);
}

int
tsr_transport_ble_new(const tsr_ble_config_t *cfg, tsr_ble_link_t *link, tsr_transport_t **ret)
{
	ble_t *b = NULL;
	tsr_transport_t *t = NULL;
	tsr_ble_eatt_t eatt;
	bool ps;
	int r = TSR_ERR_INTERNAL;

	if (cfg == NULL || link == NULL || ret == NULL || link->in_use ||
	    (cfg->role != TSR_BLE_ROLE_HOLDER && cfg->role != TSR_BLE_ROLE_READER) ||
	    (cfg->mode != TSR_BLE_MODE_PERIPHERAL_SERVER &&
	    cfg->mode != TSR_BLE_MODE_CENTRAL_CLIENT) ||
	    (cfg->mode == TSR_BLE_MODE_CENTRAL_CLIENT && !cfg->has_ident) ||
	    (cfg->mtu != 0 && !mtu_ok(cfg->mtu)))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return TSR_ERR_NO_MEMORY;
	b->cfg = *cfg;
	b->cfg.mtu = cfg->mtu == 0 ? DEFAULT_MTU : cfg->mtu;
	b->cfg.connect_timeout_ms = default_ms(cfg->connect_timeout_ms, DEFAULT_CONNECT_MS);
	b->cfg.step_timeout_ms = default_ms(cfg->step_timeout_ms, DEFAULT_STEP_MS);
	b->cfg.close_timeout_ms = default_ms(cfg->close_timeout_ms, DEFAULT_CLOSE_MS);
	if (cfg->max_message == 0 || cfg->max_message > TSR_TRANSPORT_MAX_MESSAGE)
		b->cfg.max_message = TSR_TRANSPORT_MAX_MESSAGE;
	/* GATT over EATT bearers has no order (docs/ble.md, "EATT"), an
	 * L2CAP channel has: offer and take one whenever both sides can. */
	if (tsr_ble_link_eatt(link, &eatt) == TSR_OK && eatt.possible) {
		b->eatt_possible = true;
		if (!b->cfg.l2cap)
			tsr_debug("ble: the stack may use EATT; L2CAP preferred");
		b->cfg.l2cap = true;
	}
	b->step_deadline = -1;
	tsr_ble_rx_init(&b->rx, b->cfg.max_message);
	tsr_frame_reader_init(&b->fr, b->cfg.max_message);
	ps = cfg->mode == TSR_BLE_MODE_PERIPHERAL_SERVER;
	b->server = (cfg->role == TSR_BLE_ROLE_HOLDER) == ps;
	make_service(&b->cfg, &b->svc);
	if (asprintf(&b->desc, "BLE transport (%s, mdoc %s mode, GATT %s, %s)",
	    cfg->role == TSR_BLE_ROLE_HOLDER ? "holder" : "reader",
	    ps ? "peripheral server" : "central client", b->server ? "server" : "client",
	    tsr_ble_link_describe(link)) < 0) {
		b->desc = NULL;
		free(b);
		return TSR_ERR_NO_MEMORY;
	}
	if ((r = tsr_transport_new(&ble_ops, b, false, &t)) != TSR_OK)
		return r;
	/* From here on the transport owns b; the link is ours to drive. */
	b->link = link;
	link->in_use = true;
	if ((r = ble_start(b)) != TSR_OK) {
		tsr_transport_free(t);
		return r;
	}
	*ret = t;
	return TSR_OK;
}

int
tsr_transport_ble_connect(tsr_transport_t *t, int timeout_ms)
{
	if (t == NULL || t->ops != &ble_ops)
		return TSR_ERR_INVALID_ARGUMENT;
	if (t->closed)
		return TSR_ERR_TRANSPORT_CLOSED;
	return ble_drive_open(t, tsr_deadline_from_timeout(timeout_ms));
}

int
tsr_transport_ble_info(const tsr_transport_t *t, tsr_ble_info_t *ret)
{
	const ble_t *b;

	if (t == NULL || ret == NULL || t->ops != &ble_ops)
		return TSR_ERR_INVALID_ARGUMENT;
	b = t->state;
	memset(ret, 0, sizeof(*ret));
	ret->gatt_server = b->server;
	ret->open = b->state == ST_OPEN;
	ret->l2cap = b->l2cap;
	ret->psm = b->listen_psm;
	ret->peer_terminated = b->peer_terminated;
	ret->mtu = b->mtu;
	ret->value_size = tsr_ble_value_size(b->mtu);
	ret->chunks_sent = b->chunks_sent;
	ret->chunks_received = b->chunks_received;
	ret->messages_sent = b->messages_sent;
	ret->messages_received = b->messages_received;
	ret->eatt_possible = b->eatt_possible;
	return TSR_OK;
}
