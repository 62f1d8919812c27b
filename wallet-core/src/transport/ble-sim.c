/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The simulated radio: two GATT link ends (ble-link.h) in one process.
 * What one end serves, the other can connect to; every operation turns
 * into events in the other end's queue (or its own, for the answers a
 * real GATT stack gives locally: read values, subscription
 * confirmations). Each queue is FIFO and each packet is due latency_us
 * after it was sent, so delivery order is fixed whatever the threads do.
 * Faults strike the fault_op-th operation of one end.
 *
 * One mutex and one condition variable (on CLOCK_MONOTONIC) guard the
 * pair, so the two ends may run in two threads.
 */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/analyzer.h"
#include "base/log.h"
#include "transport/ble-link.h"
#include "transport/transport-private.h"

#define SIM_PSM 0x0081
#define SIM_L2CAP_MTU 512

typedef struct sim_pkt {
	struct sim_pkt *next;
	int64_t due_us;
	tsr_ble_event_t ev;
	uint8_t data[];
} sim_pkt_t;

struct sim_pair;

typedef struct sim_end {
	struct sim_pair *pair;
	unsigned idx;
	bool alive;               /* its link object exists */
	bool serving;
	tsr_ble_service_t svc;
	bool connecting;
	uint8_t want_uuid[16];
	uint16_t want_mtu;
	bool listening;
	bool local_down;          /* disconnect() called: no more events */
	bool ended;               /* DISCONNECTED handed out */
	uint32_t notify_on;       /* server: the client turned these on */
	sim_pkt_t *head, *tail;
	size_t count;
	sim_pkt_t *current;       /* the event last handed out */
	tsr_ble_sim_stats_t stats;
	char desc[32];
} sim_end_t;

typedef struct sim_pair {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	unsigned refs;
	tsr_ble_sim_config_t cfg;
	sim_end_t end[2];
	bool connected;
	bool down;                /* the connection is over for good */
	int server;               /* index of the GATT server once connected */
	uint16_t mtu;
	bool l2cap_up;
} sim_pair_t;

static const tsr_ble_link_ops_t sim_ops;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static sim_end_t *
peer_of(sim_end_t *e)
{
	return &e->pair->end[1 - e->idx];
}

/* -fanalyzer: the packets are the queue's, linked through e->head; this is
 * where they are freed. */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static void
free_queue(sim_end_t *e)
{
	sim_pkt_t *p;

	while ((p = e->head) != NULL) {
		e->head = p->next;
		free(p);
	}
	e->tail = NULL;
	e->count = 0;
	free(e->current);
	e->current = NULL;
}
TSR_ANALYZER_END

/* Queues an event for e (copies data); delay in latencies. Silently
 * nothing when e no longer listens. */
/* -fanalyzer: p belongs to the queue once linked (free_queue()). */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static int
enqueue(sim_end_t *e, const tsr_ble_event_t *ev, const uint8_t *data, size_t len,
    unsigned delay)
{
	sim_pkt_t *p;
	int64_t due;

	if (!e->alive || e->local_down || e->ended)
		return TSR_OK;
	if ((p = calloc(1, sizeof(*p) + len)) == NULL)
		return TSR_ERR_NO_MEMORY;
	p->ev = *ev;
	if (len > 0)
		memcpy(p->data, data, len);
	p->ev.len = len;
	p->ev.data = NULL;
	due = now_us() + (int64_t)e->pair->cfg.latency_us * delay;
	if (e->tail != NULL && e->tail->due_us > due)
		due = e->tail->due_us;
	p->due_us = due;
	if (e->tail != NULL)
		e->tail->next = p;
	else
		e->head = p;
	e->tail = p;
	e->count++;
	pthread_cond_broadcast(&e->pair->cond);
	return TSR_OK;
}
TSR_ANALYZER_END

static void
queue_simple(sim_end_t *e, tsr_ble_event_kind_t kind)
{
	tsr_ble_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.err = TSR_ERR_TRANSPORT_CLOSED;
	(void)enqueue(e, &ev, NULL, 0, 1);
}

/* The connection is lost: both ends hear of it after what is in flight. */
/* -fanalyzer: the events queued here belong to each end's queue
 * (free_queue()). */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static void
go_down(sim_pair_t *sp)
{
	if (sp->down)
		return;
	sp->down = true;
	sp->connected = false;
	sp->l2cap_up = false;
	for (unsigned i = 0; i < 2; i++) {
		sp->end[i].serving = false;
		sp->end[i].connecting = false;
		sp->end[i].listening = false;
		queue_simple(&sp->end[i], TSR_BLE_EV_DISCONNECTED);
	}
	pthread_cond_broadcast(&sp->cond);
}
TSR_ANALYZER_END

/* Counts an operation of e; the fault it meets (a disconnect is done
 * here and reported as TSR_ERR_TRANSPORT_CLOSED through *ret). */
static tsr_ble_sim_fault_t
sim_op(sim_end_t *e, int *ret)
{
	sim_pair_t *sp = e->pair;
	tsr_ble_sim_fault_t f = TSR_BLE_SIM_FAULT_NONE;

	*ret = TSR_OK;
	e->stats.ops++;
	if (sp->cfg.fault != TSR_BLE_SIM_FAULT_NONE && sp->cfg.fault_end == e->idx &&
	    sp->cfg.fault_op == e->stats.ops)
		f = sp->cfg.fault;
	if (f == TSR_BLE_SIM_FAULT_DISCONNECT) {
		tsr_debug("ble-sim: %s: radio lost at operation %llu", e->desc,
		    (unsigned long long)e->stats.ops);
		go_down(sp);
	}
	if (sp->down || e->local_down)
		*ret = TSR_ERR_TRANSPORT_CLOSED;
	return f;
}

/* A server and a client looking for its UUID meet. */
static void
try_connect(sim_pair_t *sp)
{
	tsr_ble_event_t ev;
	sim_end_t *s, *c;

	for (unsigned i = 0; i < 2 && !sp->connected && !sp->down; i++) {
		s = &sp->end[i];
		c = &sp->end[1 - i];
		if (!s->serving || !c->connecting || memcmp(s->svc.uuid, c->want_uuid, 16) != 0)
			continue;
		sp->connected = true;
		sp->server = (int)i;
		sp->mtu = c->want_mtu < sp->cfg.mtu ? c->want_mtu : sp->cfg.mtu;
		s->serving = false; /* advertising stops */
		memset(&ev, 0, sizeof(ev));
		ev.kind = TSR_BLE_EV_CONNECTED;
		ev.mtu = sp->mtu;
		(void)enqueue(s, &ev, NULL, 0, 1);
		ev.chars = s->svc.chars;
		(void)enqueue(c, &ev, NULL, 0, 2);
	}
}

static bool
is_client(const sim_end_t *e)
{
	return e->pair->connected && e->pair->server != (int)e->idx;
}

static int
sim_serve(void *state, const tsr_ble_service_t *svc)
{
	sim_end_t *e = state;
	tsr_ble_sim_fault_t f;
	int r;

	pthread_mutex_lock(&e->pair->mu);
	/* Starting works unless this end is done; a lost radio is an event
	 * (TSR_BLE_EV_DISCONNECTED, queued by go_down()). */
	f = sim_op(e, &r);
	r = e->local_down ? TSR_ERR_TRANSPORT_CLOSED : TSR_OK;
	if (f != TSR_BLE_SIM_FAULT_DROP && !e->pair->down && r == TSR_OK) {
		e->svc = *svc;
		e->serving = true;
		try_connect(e->pair);
	}
	pthread_mutex_unlock(&e->pair->mu);
	return r;
}

static int
sim_connect(void *state, const tsr_ble_service_t *svc, uint16_t mtu)
{
	sim_end_t *e = state;
	tsr_ble_sim_fault_t f;
	int r;

	pthread_mutex_lock(&e->pair->mu);
	f = sim_op(e, &r);
	r = e->local_down ? TSR_ERR_TRANSPORT_CLOSED : TSR_OK;
	if (f != TSR_BLE_SIM_FAULT_DROP && !e->pair->down && r == TSR_OK) {
		memcpy(e->want_uuid, svc->uuid, 16);
		e->want_mtu = mtu;
		e->connecting = true;
		try_connect(e->pair);
	}
	pthread_mutex_unlock(&e->pair->mu);
	return r;
}

static int
sim_read(void *state, tsr_ble_char_t ch)
{
	sim_end_t *e = state;
	const tsr_ble_service_t *svc;
	tsr_ble_event_t ev;
	tsr_ble_sim_fault_t f;
	const uint8_t *value = NULL;
	size_t len = 0;
	int r;

	pthread_mutex_lock(&e->pair->mu);
	f = sim_op(e, &r);
	if (r == TSR_OK && !is_client(e))
		r = TSR_ERR_INVALID_ARGUMENT;
	if (r == TSR_OK && f != TSR_BLE_SIM_FAULT_DROP) {
		svc = &peer_of(e)->svc;
		memset(&ev, 0, sizeof(ev));
		ev.kind = TSR_BLE_EV_READ;
		ev.ch = ch;
		if (!(svc->chars & TSR_BLE_CHAR_BIT(ch)))
			ev.err = TSR_ERR_NOT_FOUND;
		else if (ch == TSR_BLE_CHAR_IDENT)
			value = svc->ident, len = sizeof(svc->ident);
		else if (ch == TSR_BLE_CHAR_L2CAP)
			value = svc->psm_value, len = sizeof(svc->psm_value);
		else
			ev.err = TSR_ERR_UNSUPPORTED;
		/* A request and its response: two latencies. */
		r = enqueue(e, &ev, value, len, 2);
	}
	pthread_mutex_unlock(&e->pair->mu);
	return r;
}

static int
sim_subscribe(void *state, tsr_ble_char_t ch)
{
	sim_end_t *e = state;
	tsr_ble_event_t ev;
	tsr_ble_sim_fault_t f;
	int r;

	pthread_mutex_lock(&e->pair->mu);
	f = sim_op(e, &r);
	if (r == TSR_OK && !is_client(e))
		r = TSR_ERR_INVALID_ARGUMENT;
	if (r == TSR_OK && f != TSR_BLE_SIM_FAULT_DROP) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = TSR_BLE_EV_SUBSCRIBED;
		ev.ch = ch;
		peer_of(e)->notify_on |= TSR_BLE_CHAR_BIT(ch);
		if ((r = enqueue(peer_of(e), &ev, NULL, 0, 1)) == TSR_OK &&
		    f == TSR_BLE_SIM_FAULT_DUPLICATE)
			r = enqueue(peer_of(e), &ev, NULL, 0, 1);
		if (r == TSR_OK)
			r = enqueue(e, &ev, NULL, 0, 2);
	}
	pthread_mutex_unlock(&e->pair->mu);
	return r;
}

/* Waits for room in to's queue (or the end, or the deadline). */
static int
wait_room(sim_end_t *e, sim_end_t *to, int64_t deadline)
{
	sim_pair_t *sp = e->pair;
	struct timespec ts;

	while (sp->cfg.queue_limit > 0 && to->count >= sp->cfg.queue_limit) {
		if (sp->down || e->local_down)
			return TSR_ERR_TRANSPORT_CLOSED;
		if (deadline < 0) {
			pthread_cond_wait(&sp->cond, &sp->mu);
			continue;
		}
		if (tsr_deadline_remaining(deadline) == 0)
			return TSR_ERR_TRANSPORT_TIMEOUT;
		ts.tv_sec = (time_t)(deadline / 1000);
		ts.tv_nsec = (long)(deadline % 1000) * 1000000;
		(void)pthread_cond_timedwait(&sp->cond, &sp->mu, &ts);
	}
	return TSR_OK;
}

/* A value or L2CAP piece from e to its peer. */
static int
send_packet(sim_end_t *e, tsr_ble_event_kind_t kind, tsr_ble_char_t ch, const uint8_t *ptr,
    size_t len, int64_t deadline)
{
	sim_pair_t *sp = e->pair;
	sim_end_t *to = peer_of(e);
	tsr_ble_event_t ev;
	tsr_ble_sim_fault_t f;
	int r;

	pthread_mutex_lock(&sp->mu);
	f = sim_op(e, &r);
	if (r == TSR_OK) {
		switch (kind) {
		case TSR_BLE_EV_WRITE:
			if (!is_client(e) || len > (size_t)sp->mtu - 3)
				r = TSR_ERR_INVALID_ARGUMENT;
			break;
		case TSR_BLE_EV_NOTIFY:
			if (!sp->connected || is_client(e) || len > (size_t)sp->mtu - 3)
				r = TSR_ERR_INVALID_ARGUMENT;
			/* GATT sends nothing the client did not turn on. */
			else if (!(e->notify_on & TSR_BLE_CHAR_BIT(ch)))
				f = TSR_BLE_SIM_FAULT_DROP;
			break;
		default:
			if (!sp->l2cap_up)
				r = TSR_ERR_TRANSPORT_CLOSED;
			else if (len > (sp->cfg.l2cap_mtu ? sp->cfg.l2cap_mtu : SIM_L2CAP_MTU))
				r = TSR_ERR_INVALID_ARGUMENT;
			break;
		}
	}
	if (r == TSR_OK)
		r = wait_room(e, to, deadline);
	if (r == TSR_OK) {
		e->stats.packets++;
		e->stats.bytes += len;
		memset(&ev, 0, sizeof(ev));
		ev.kind = kind;
		ev.ch = ch;
		if (f != TSR_BLE_SIM_FAULT_DROP)
			r = enqueue(to, &ev, ptr, len, 1);
		if (r == TSR_OK && f == TSR_BLE_SIM_FAULT_DUPLICATE)
			r = enqueue(to, &ev, ptr, len, 1);
	}
	pthread_mutex_unlock(&sp->mu);
	return r;
}

static int
sim_write(void *state, tsr_ble_char_t ch, const uint8_t *value, size_t len, int64_t deadline)
{
	return send_packet(state, TSR_BLE_EV_WRITE, ch, value, len, deadline);
}

static int
sim_notify(void *state, tsr_ble_char_t ch, const uint8_t *value, size_t len, int64_t deadline)
{
	return send_packet(state, TSR_BLE_EV_NOTIFY, ch, value, len, deadline);
}

static int
sim_l2cap_send(void *state, const uint8_t *ptr, size_t len, int64_t deadline)
{
	return send_packet(state, TSR_BLE_EV_L2CAP_DATA, TSR_BLE_CHAR_COUNT, ptr, len, deadline);
}

static int
sim_l2cap_listen(void *state, uint16_t *ret_psm)
{
	sim_end_t *e = state;
	int r = TSR_OK;

	pthread_mutex_lock(&e->pair->mu);
	if (e->pair->cfg.no_l2cap) {
		r = TSR_ERR_UNSUPPORTED;
	} else {
		e->listening = true;
		*ret_psm = SIM_PSM;
	}
	pthread_mutex_unlock(&e->pair->mu);
	return r;
}

static int
sim_l2cap_connect(void *state, uint16_t psm)
{
	sim_end_t *e = state;
	sim_pair_t *sp = e->pair;
	tsr_ble_event_t ev;
	tsr_ble_sim_fault_t f;
	int r;

	pthread_mutex_lock(&sp->mu);
	f = sim_op(e, &r);
	if (r == TSR_OK && !is_client(e))
		r = TSR_ERR_INVALID_ARGUMENT;
	if (r == TSR_OK && f != TSR_BLE_SIM_FAULT_DROP) {
		memset(&ev, 0, sizeof(ev));
		if (sp->cfg.no_l2cap || !peer_of(e)->listening || psm != SIM_PSM) {
			ev.kind = TSR_BLE_EV_L2CAP_FAILED;
			ev.err = TSR_ERR_TRANSPORT_CONNECT;
			r = enqueue(e, &ev, NULL, 0, 2);
		} else {
			sp->l2cap_up = true;
			ev.kind = TSR_BLE_EV_L2CAP_UP;
			ev.mtu = sp->cfg.l2cap_mtu ? sp->cfg.l2cap_mtu : SIM_L2CAP_MTU;
			if ((r = enqueue(peer_of(e), &ev, NULL, 0, 1)) == TSR_OK)
				r = enqueue(e, &ev, NULL, 0, 2);
		}
	}
	pthread_mutex_unlock(&sp->mu);
	return r;
}

/* A dropped connect (TSR_BLE_SIM_FAULT_DROP) is the only one that stays
 * unanswered; it has nothing to abandon. */
static void
sim_l2cap_stop(void *state)
{
	sim_end_t *e = state;

	pthread_mutex_lock(&e->pair->mu);
	e->listening = false;
	pthread_mutex_unlock(&e->pair->mu);
}

static int
sim_next_event(void *state, int64_t deadline, tsr_ble_event_t *ev)
{
	sim_end_t *e = state;
	sim_pair_t *sp = e->pair;
	struct timespec ts;
	int64_t now, until, deadline_us = deadline < 0 ? -1 : deadline * 1000;
	sim_pkt_t *p;
	int r = TSR_ERR_INTERNAL;

	pthread_mutex_lock(&sp->mu);
	free(e->current);
	e->current = NULL;
	for (;;) {
		if (e->local_down || e->ended) {
			r = TSR_ERR_TRANSPORT_CLOSED;
			break;
		}
		now = now_us();
		if ((p = e->head) != NULL && p->due_us <= now) {
			if ((e->head = p->next) == NULL)
				e->tail = NULL;
			e->count--;
			e->current = p;
			*ev = p->ev;
			ev->data = p->data;
			if (ev->kind == TSR_BLE_EV_DISCONNECTED)
				e->ended = true;
			pthread_cond_broadcast(&sp->cond);
			r = TSR_OK;
			break;
		}
		until = p != NULL ? p->due_us : -1;
		if (deadline_us >= 0 && (until < 0 || deadline_us < until))
			until = deadline_us;
		if (deadline_us >= 0 && now >= deadline_us) {
			r = TSR_ERR_TRANSPORT_TIMEOUT;
			break;
		}
		if (until < 0) {
			pthread_cond_wait(&sp->cond, &sp->mu);
			continue;
		}
		ts.tv_sec = (time_t)(until / 1000000);
		ts.tv_nsec = (long)(until % 1000000) * 1000;
		(void)pthread_cond_timedwait(&sp->cond, &sp->mu, &ts);
	}
	pthread_mutex_unlock(&sp->mu);
	return r;
}

/* Under the lock. */
static void
end_disconnect(sim_end_t *e)
{
	sim_pair_t *sp = e->pair;

	e->serving = false;
	e->connecting = false;
	e->listening = false;
	if (e->local_down)
		return;
	e->local_down = true;
	free_queue(e);
	if (!sp->down) {
		sp->down = true;
		sp->connected = false;
		sp->l2cap_up = false;
		queue_simple(peer_of(e), TSR_BLE_EV_DISCONNECTED);
	}
	pthread_cond_broadcast(&sp->cond);
}

static void
sim_disconnect(void *state)
{
	sim_end_t *e = state;

	pthread_mutex_lock(&e->pair->mu);
	end_disconnect(e);
	pthread_mutex_unlock(&e->pair->mu);
}

/* -fanalyzer: the queue's packets are freed by free_queue(). */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static void
sim_free_state(void *state)
{
	sim_end_t *e = state;
	sim_pair_t *sp;
	unsigned refs;

	if (e == NULL)
		return;
	sp = e->pair;
	pthread_mutex_lock(&sp->mu);
	end_disconnect(e);
	e->alive = false;
	free_queue(e);
	refs = --sp->refs;
	pthread_mutex_unlock(&sp->mu);
	if (refs > 0)
		return;
	free_queue(&sp->end[0]);
	free_queue(&sp->end[1]);
	pthread_cond_destroy(&sp->cond);
	pthread_mutex_destroy(&sp->mu);
	free(sp);
}
TSR_ANALYZER_END

static const char *
sim_describe(const void *state)
{
	const sim_end_t *e = state;

	return e->desc;
}

static void
sim_eatt(const void *state, tsr_ble_eatt_t *ret)
{
	const sim_end_t *e = state;

	/* The configuration never changes after the pair is made. */
	if (e->pair->cfg.eatt) {
		ret->possible = true;
		ret->channels = 3;
		ret->channels_set = true;
	}
}

static const tsr_ble_link_ops_t sim_ops = {
	.serve = sim_serve,
	.connect = sim_connect,
	.read = sim_read,
	.subscribe = sim_subscribe,
	.write = sim_write,
	.notify = sim_notify,
	.l2cap_listen = sim_l2cap_listen,
	.l2cap_connect = sim_l2cap_connect,
	.l2cap_send = sim_l2cap_send,
	.l2cap_stop = sim_l2cap_stop,
	.next_event = sim_next_event,
	.disconnect = sim_disconnect,
	.free_state = sim_free_state,
	.eatt = sim_eatt,
	.describe = sim_describe,
};

int
tsr_ble_sim_pair_new(const tsr_ble_sim_config_t *cfg, tsr_ble_link_t **ret_a,
    tsr_ble_link_t **ret_b)
{
	pthread_condattr_t ca;
	tsr_ble_link_t *a = NULL, *b = NULL;
	sim_pair_t *sp;
	int r = TSR_ERR_INTERNAL;

	if (ret_a == NULL || ret_b == NULL ||
	    (cfg != NULL && cfg->mtu != 0 &&
	    (cfg->mtu < TSR_BLE_MTU_MIN || cfg->mtu > TSR_BLE_MTU_MAX)) ||
	    (cfg != NULL && cfg->l2cap_mtu != 0 && cfg->l2cap_mtu < 23))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (cfg != NULL)
		sp->cfg = *cfg;
	if (sp->cfg.mtu == 0)
		sp->cfg.mtu = TSR_BLE_MTU_MAX;
	sp->server = -1;
	(void)pthread_mutex_init(&sp->mu, NULL);
	(void)pthread_condattr_init(&ca);
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	(void)pthread_cond_init(&sp->cond, &ca);
	(void)pthread_condattr_destroy(&ca);
	for (unsigned i = 0; i < 2; i++) {
		sp->end[i].pair = sp;
		sp->end[i].idx = i;
		sp->end[i].alive = true;
		memcpy(sp->end[i].desc, i == 0 ? "simulated link (a)" : "simulated link (b)", 19);
	}
	/* Each link holds a reference; a failed wrap drops its own. */
	sp->refs = 2;
	if ((r = tsr_ble_link_new(&sim_ops, &sp->end[0], &a)) != TSR_OK) {
		sim_free_state(&sp->end[1]);
		return r;
	}
	if ((r = tsr_ble_link_new(&sim_ops, &sp->end[1], &b)) != TSR_OK) {
		tsr_ble_link_free(a);
		return r;
	}
	*ret_a = a;
	*ret_b = b;
	return TSR_OK;
}

void
tsr_ble_sim_disconnect(tsr_ble_link_t *link)
{
	sim_end_t *e;

	if (link == NULL || link->ops != &sim_ops)
		return;
	e = link->state;
	pthread_mutex_lock(&e->pair->mu);
	go_down(e->pair);
	pthread_mutex_unlock(&e->pair->mu);
}

int
tsr_ble_sim_stats(const tsr_ble_link_t *link, tsr_ble_sim_stats_t *ret)
{
	sim_end_t *e;

	if (link == NULL || ret == NULL || link->ops != &sim_ops)
		return TSR_ERR_INVALID_ARGUMENT;
	e = link->state;
	pthread_mutex_lock(&e->pair->mu);
	*ret = e->stats;
	pthread_mutex_unlock(&e->pair->mu);
	return TSR_OK;
}
