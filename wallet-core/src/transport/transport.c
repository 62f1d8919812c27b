/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The public transport calls: argument checks, limits, the closed state
 * and events, then the back-end's operation. */

#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "transport/transport-private.h"

int
tsr_transport_new(const tsr_transport_ops_t *ops, void *state, bool connected,
    tsr_transport_t **ret)
{
	tsr_transport_t *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		ops->free_state(state);
		return TSR_ERR_NO_MEMORY;
	}
	t->ops = ops;
	t->state = state;
	t->connected = connected;
	*ret = t;
	return TSR_OK;
}

void
tsr_transport_set_connected(tsr_transport_t *t, bool connected)
{
	tsr_transport_event_t event;

	if (t->connected == connected || t->ended)
		return;
	t->connected = connected;
	if (!connected)
		t->ended = true;
	event = connected ? TSR_TRANSPORT_EVENT_CONNECTED : TSR_TRANSPORT_EVENT_DISCONNECTED;
	if (t->event_fn != NULL)
		t->event_fn(t, event, t->event_user);
}

int64_t
tsr_deadline_from_timeout(int timeout_ms)
{
	struct timespec ts;

	if (timeout_ms < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
}

int
tsr_deadline_remaining(int64_t deadline)
{
	struct timespec ts;
	int64_t now;

	if (deadline < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (now >= deadline)
		return 0;
	return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

void
tsr_transport_set_event_callback(tsr_transport_t *t, tsr_transport_event_fn fn, void *user)
{
	if (t == NULL)
		return;
	t->event_fn = fn;
	t->event_user = user;
	if (fn != NULL && t->connected)
		fn(t, TSR_TRANSPORT_EVENT_CONNECTED, user);
}

int
tsr_transport_send(tsr_transport_t *t, const uint8_t *msg, size_t len, int timeout_ms)
{
	int r;

	if (t == NULL || (msg == NULL && len > 0))
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > TSR_TRANSPORT_MAX_MESSAGE)
		return TSR_ERR_LIMIT;
	if (t->closed)
		return TSR_ERR_TRANSPORT_CLOSED;
	if ((r = t->ops->send(t, msg, len, timeout_ms)) == TSR_ERR_TRANSPORT_CLOSED)
		tsr_transport_set_connected(t, false);
	return r;
}

int
tsr_transport_receive(tsr_transport_t *t, int timeout_ms, uint8_t **ret_msg, size_t *ret_len)
{
	int r;

	if (t == NULL || ret_msg == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* Not refused once disconnected: what the peer sent before it left
	 * is still delivered, if the back-end has it. */
	if (t->closed)
		return TSR_ERR_TRANSPORT_CLOSED;
	if ((r = t->ops->receive(t, timeout_ms, ret_msg, ret_len)) == TSR_ERR_TRANSPORT_CLOSED)
		tsr_transport_set_connected(t, false);
	return r;
}

int
tsr_transport_close(tsr_transport_t *t)
{
	int r;

	if (t == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (t->closed)
		return TSR_OK;
	t->closed = true;
	r = t->ops->close(t);
	tsr_transport_set_connected(t, false);
	return r;
}

void
tsr_transport_free(tsr_transport_t *t)
{
	if (t == NULL)
		return;
	/* Freeing the state closes what is open; no callback runs. */
	t->ops->free_state(t->state);
	free(t);
}

const char *
tsr_transport_describe(const tsr_transport_t *t)
{
	if (t == NULL)
		return "no transport";
	return t->ops->describe(t->state);
}
