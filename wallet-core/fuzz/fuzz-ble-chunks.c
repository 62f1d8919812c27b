/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * What a BLE peer can make the 18013-5 state machine (transport/ble.c) see:
 * a scripted GATT link replays the input as link events into a BLE
 * transport, which receives until it fails. Nothing may crash, hang or
 * over-allocate; every message delivered must be one CBOR map within the
 * limit, and once ended the transport stays ended.
 *
 * Input: one setup byte, then pieces of [kind][length, 2 bytes BE][data]:
 *   setup  bit 0 central client mode, bit 1 reader role, bit 2 L2CAP,
 *          bits 3-4 ATT_MTU (23, 185, 515, 517), bit 5 the link answers
 *          connect, subscribe and read by itself (else the script must)
 *   kind % 11:
 *   0 State value (a write to the server, a notification to the client)
 *   1 Client2Server write          2 Server2Client notification
 *   3 Ident read result            4 L2CAP PSM read result
 *   5 MTU change (data: 2 bytes)   6 subscription (data[0]: characteristic)
 *   7 L2CAP channel up             8 L2CAP bytes
 *   9 disconnection                10 connected (data[0]: characteristics)
 */

#include <tessera/tessera.h>
#include <tessera/transport.h>

#include "fuzz-common.h"
#include "transport/ble-link.h"
#include "transport/transport-private.h"

#define MAX_INPUT (64 * 1024)
#define AUTO_MAX 8

static const uint8_t fuzz_uuid[16] = { 0xf0, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00 };
static const uint8_t fuzz_ident[16] = { 0x8d, 0xa0, 0xb7, 0xa8, 0x59, 0x19, 0xf0, 0x56,
	0x73, 0x05, 0x4e, 0xa9, 0x96, 0xbb, 0xd1, 0x24 };
static const uint8_t fuzz_psm[4] = { 0x00, 0x00, 0x00, 0x81 };

typedef struct script {
	const uint8_t *data;
	size_t size, off;
	bool server, auto_answer, down;
	uint16_t mtu;
	tsr_ble_event_t pending[AUTO_MAX]; /* the link's own answers first */
	size_t n_pending;
} script_t;

static void
push(script_t *s, tsr_ble_event_kind_t kind, tsr_ble_char_t ch, const uint8_t *data,
    size_t len)
{
	tsr_ble_event_t *ev;

	if (!s->auto_answer || s->n_pending == AUTO_MAX)
		return;
	ev = &s->pending[s->n_pending++];
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ch = ch;
	ev->mtu = s->mtu;
	ev->chars = 0x1f;
	ev->data = data;
	ev->len = len;
}

static int
script_serve(void *state, const tsr_ble_service_t *svc)
{
	(void)svc;
	push(state, TSR_BLE_EV_CONNECTED, TSR_BLE_CHAR_STATE, NULL, 0);
	return TSR_OK;
}

static int
script_connect(void *state, const tsr_ble_service_t *svc, uint16_t mtu)
{
	(void)svc;
	(void)mtu;
	push(state, TSR_BLE_EV_CONNECTED, TSR_BLE_CHAR_STATE, NULL, 0);
	return TSR_OK;
}

static int
script_read(void *state, tsr_ble_char_t ch)
{
	if (ch == TSR_BLE_CHAR_IDENT)
		push(state, TSR_BLE_EV_READ, ch, fuzz_ident, sizeof(fuzz_ident));
	else
		push(state, TSR_BLE_EV_READ, ch, fuzz_psm, sizeof(fuzz_psm));
	return TSR_OK;
}

static int
script_subscribe(void *state, tsr_ble_char_t ch)
{
	push(state, TSR_BLE_EV_SUBSCRIBED, ch, NULL, 0);
	return TSR_OK;
}

static int
script_value(void *state, tsr_ble_char_t ch, const uint8_t *value, size_t len,
    int64_t deadline)
{
	script_t *s = state;

	(void)ch;
	(void)deadline;
	/* The state machine never sends more than the value size. */
	if (len == 0 || len > tsr_ble_value_size(s->mtu))
		abort();
	(void)value;
	return s->down ? TSR_ERR_TRANSPORT_CLOSED : TSR_OK;
}

static int
script_l2cap_listen(void *state, uint16_t *ret_psm)
{
	(void)state;
	*ret_psm = 0x81;
	return TSR_OK;
}

static int
script_l2cap_connect(void *state, uint16_t psm)
{
	/* The script's PSM value may be anything; only ours answers. */
	push(state, psm == 0x81 ? TSR_BLE_EV_L2CAP_UP : TSR_BLE_EV_L2CAP_FAILED,
	    TSR_BLE_CHAR_COUNT, NULL, 0);
	return TSR_OK;
}

static void
script_l2cap_stop(void *state)
{
	(void)state;
}

static int
script_l2cap_send(void *state, const uint8_t *ptr, size_t len, int64_t deadline)
{
	script_t *s = state;

	(void)ptr;
	(void)deadline;
	if (len == 0)
		abort();
	return s->down ? TSR_ERR_TRANSPORT_CLOSED : TSR_OK;
}

/* A big-endian uint16 from the piece's first two bytes, or def. */
static uint16_t
be16(const tsr_ble_event_t *ev, uint16_t def)
{
	if (ev->len < 2)
		return def;
	return (uint16_t)((unsigned)ev->data[0] << 8 | ev->data[1]);
}

static int
script_next_event(void *state, int64_t deadline, tsr_ble_event_t *ev)
{
	static const tsr_ble_char_t chars[] = { TSR_BLE_CHAR_STATE, TSR_BLE_CHAR_C2S,
		TSR_BLE_CHAR_S2C, TSR_BLE_CHAR_IDENT, TSR_BLE_CHAR_L2CAP };
	script_t *s = state;
	uint8_t kind;
	size_t len;

	(void)deadline;
	if (s->down)
		return TSR_ERR_TRANSPORT_CLOSED;
	if (s->n_pending > 0) {
		*ev = s->pending[0];
		memmove(s->pending, s->pending + 1, --s->n_pending * sizeof(s->pending[0]));
		return TSR_OK;
	}
	/* The end of the input: the peer says nothing more. */
	if (s->size - s->off < 3)
		return TSR_ERR_TRANSPORT_TIMEOUT;
	kind = (uint8_t)(s->data[s->off] % 11);
	len = (size_t)s->data[s->off + 1] << 8 | s->data[s->off + 2];
	s->off += 3;
	if (len > s->size - s->off)
		len = s->size - s->off;
	memset(ev, 0, sizeof(*ev));
	ev->data = s->data + s->off;
	ev->len = len;
	ev->mtu = s->mtu;
	s->off += len;
	switch (kind) {
	case 0:
		ev->kind = s->server ? TSR_BLE_EV_WRITE : TSR_BLE_EV_NOTIFY;
		ev->ch = TSR_BLE_CHAR_STATE;
		break;
	case 1:
		ev->kind = TSR_BLE_EV_WRITE;
		ev->ch = TSR_BLE_CHAR_C2S;
		break;
	case 2:
		ev->kind = TSR_BLE_EV_NOTIFY;
		ev->ch = TSR_BLE_CHAR_S2C;
		break;
	case 3:
	case 4:
		ev->kind = TSR_BLE_EV_READ;
		ev->ch = kind == 3 ? TSR_BLE_CHAR_IDENT : TSR_BLE_CHAR_L2CAP;
		break;
	case 5:
		ev->kind = TSR_BLE_EV_MTU;
		ev->mtu = be16(ev, 0);
		/* The value size changes with it; so does the script's check. */
		if (ev->mtu >= TSR_BLE_MTU_MIN && ev->mtu <= TSR_BLE_MTU_MAX)
			s->mtu = ev->mtu;
		break;
	case 6:
		ev->kind = TSR_BLE_EV_SUBSCRIBED;
		ev->ch = chars[len > 0 ? ev->data[0] % 5 : 0];
		break;
	case 7:
		ev->kind = TSR_BLE_EV_L2CAP_UP;
		ev->mtu = be16(ev, 512);
		break;
	case 8:
		ev->kind = TSR_BLE_EV_L2CAP_DATA;
		break;
	case 9:
		ev->kind = TSR_BLE_EV_DISCONNECTED;
		s->down = true;
		break;
	default:
		ev->kind = TSR_BLE_EV_CONNECTED;
		ev->chars = len > 0 ? ev->data[0] : 0x1f;
		break;
	}
	return TSR_OK;
}

static void
script_disconnect(void *state)
{
	script_t *s = state;

	s->down = true;
}

static void
script_free_state(void *state)
{
	(void)state;
}

static const char *
script_describe(const void *state)
{
	(void)state;
	return "scripted link";
}

static const tsr_ble_link_ops_t script_ops = {
	.serve = script_serve,
	.connect = script_connect,
	.read = script_read,
	.subscribe = script_subscribe,
	.write = script_value,
	.notify = script_value,
	.l2cap_listen = script_l2cap_listen,
	.l2cap_connect = script_l2cap_connect,
	.l2cap_send = script_l2cap_send,
	.l2cap_stop = script_l2cap_stop,
	.next_event = script_next_event,
	.disconnect = script_disconnect,
	.free_state = script_free_state,
	.describe = script_describe,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t mtus[] = { 23, 185, 515, 517 };
	tsr_ble_config_t cfg;
	tsr_ble_link_t *link = NULL;
	tsr_transport_t *t = NULL;
	script_t s;
	uint8_t *msg;
	size_t len;
	int r;

	if (size < 1)
		return 0;
	if (size > MAX_INPUT)
		size = MAX_INPUT;
	memset(&s, 0, sizeof(s));
	s.data = data;
	s.size = size;
	s.off = 1;
	s.auto_answer = (data[0] & 0x20) != 0;
	tsr_ble_config_init(&cfg, data[0] & 0x02 ? TSR_BLE_ROLE_READER : TSR_BLE_ROLE_HOLDER,
	    data[0] & 0x01 ? TSR_BLE_MODE_CENTRAL_CLIENT : TSR_BLE_MODE_PERIPHERAL_SERVER,
	    fuzz_uuid);
	cfg.has_ident = true;
	memcpy(cfg.ident, fuzz_ident, sizeof(cfg.ident));
	cfg.l2cap = (data[0] & 0x04) != 0;
	cfg.mtu = mtus[(data[0] >> 3) & 3];
	/* The script's own limit on what it delivers; the peer's MTU. */
	cfg.max_message = MAX_INPUT;
	s.mtu = cfg.mtu;
	s.server = (cfg.role == TSR_BLE_ROLE_HOLDER) ==
	    (cfg.mode == TSR_BLE_MODE_PERIPHERAL_SERVER);
	if (tsr_ble_link_new(&script_ops, &s, &link) != TSR_OK ||
	    tsr_transport_ble_new(&cfg, link, &t) != TSR_OK)
		abort();
	/* Everything is in the script: a timeout is its end. */
	while ((r = tsr_transport_receive(t, 0, &msg, &len)) == TSR_OK) {
		if (len > MAX_INPUT || tsr_ble_check_message(msg, len) != TSR_OK)
			abort();
		/* Answer it: the send side must cope with whatever state the
		 * peer led us to. */
		r = tsr_transport_send(t, msg, len, 0);
		free(msg);
		/* A send meets the errors receive would have (whichever
		 * call comes first reports them). */
		if (r != TSR_OK && r != TSR_ERR_TRANSPORT_CLOSED && r != TSR_ERR_TRANSPORT_TIMEOUT &&
		    r != TSR_ERR_TRANSPORT_PROTOCOL && r != TSR_ERR_TRANSPORT_BLE_IDENT &&
		    r != TSR_ERR_LIMIT)
			abort();
	}
	if (r != TSR_ERR_TRANSPORT_TIMEOUT && r != TSR_ERR_TRANSPORT_CLOSED &&
	    r != TSR_ERR_TRANSPORT_PROTOCOL && r != TSR_ERR_TRANSPORT_BLE_IDENT &&
	    r != TSR_ERR_LIMIT)
		abort();
	/* Ended is ended. */
	if (r != TSR_ERR_TRANSPORT_TIMEOUT &&
	    tsr_transport_receive(t, 0, &msg, &len) != TSR_ERR_TRANSPORT_CLOSED)
		abort();
	(void)tsr_transport_close(t);
	tsr_transport_free(t);
	tsr_ble_link_free(link);
	return 0;
}
