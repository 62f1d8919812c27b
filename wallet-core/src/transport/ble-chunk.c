/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* BLE characteristic-value chunking and reassembly (18013-5
 * §8.3.3.1.1.6), the whole-message CBOR check, and the link wrapper. */

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "transport/ble-link.h"
#include "transport/transport-private.h"

/* Nesting the message check follows; 18013-5 messages are 1-2 deep (the
 * payloads are byte strings). */
#define CBOR_DEPTH_MAX 32

int
tsr_ble_link_new(const tsr_ble_link_ops_t *ops, void *state, tsr_ble_link_t **ret)
{
	tsr_ble_link_t *link;

	if ((link = calloc(1, sizeof(*link))) == NULL) {
		ops->free_state(state);
		return TSR_ERR_NO_MEMORY;
	}
	link->ops = ops;
	link->state = state;
	*ret = link;
	return TSR_OK;
}

void
tsr_ble_link_free(tsr_ble_link_t *link)
{
	if (link == NULL)
		return;
	link->ops->free_state(link->state);
	free(link);
}

const char *
tsr_ble_link_describe(const tsr_ble_link_t *link)
{
	if (link == NULL)
		return "no link";
	return link->ops->describe(link->state);
}

int
tsr_ble_link_eatt(const tsr_ble_link_t *link, tsr_ble_eatt_t *ret)
{
	if (link == NULL || ret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	memset(ret, 0, sizeof(*ret));
	ret->channels = 1;
	if (link->ops->eatt != NULL)
		link->ops->eatt(link->state, ret);
	return TSR_OK;
}

size_t
tsr_ble_value_size(uint16_t mtu)
{
	if (mtu < TSR_BLE_MTU_MIN)
		return 0;
	return (size_t)mtu - 3 < TSR_BLE_VALUE_MAX ? (size_t)mtu - 3 : TSR_BLE_VALUE_MAX;
}

size_t
tsr_ble_chunk_count(size_t len, size_t vsize)
{
	size_t per = vsize - 1;

	if (len == 0)
		return 1;
	return len / per + (len % per != 0);
}

void
tsr_ble_chunk(const uint8_t *msg, size_t len, size_t vsize, size_t i, uint8_t *out,
    size_t *ret_len)
{
	size_t per = vsize - 1, off = i * per, n;

	n = len - off < per ? len - off : per;
	out[0] = off + n < len ? TSR_BLE_CHUNK_MORE : TSR_BLE_CHUNK_LAST;
	if (n > 0)
		memcpy(out + 1, msg + off, n);
	*ret_len = n + 1;
}

void
tsr_ble_rx_init(tsr_ble_rx_t *rx, size_t max)
{
	memset(rx, 0, sizeof(*rx));
	rx->max = max;
}

void
tsr_ble_rx_clear(tsr_ble_rx_t *rx)
{
	if (rx == NULL)
		return;
	free(rx->buf);
	tsr_ble_rx_init(rx, rx->max);
}

int
tsr_ble_rx_add(tsr_ble_rx_t *rx, const uint8_t *chunk, size_t len, size_t vsize,
    bool *ret_done)
{
	size_t n, want;
	uint8_t *p;
	int r = TSR_ERR_INTERNAL;

	if (len == 0 || len > vsize ||
	    (chunk[0] != TSR_BLE_CHUNK_MORE && chunk[0] != TSR_BLE_CHUNK_LAST)) {
		tsr_debug("ble: bad chunk of %zu bytes (value size %zu, header 0x%02x)", len, vsize,
		    len > 0 ? chunk[0] : 0);
		r = TSR_ERR_TRANSPORT_PROTOCOL;
		goto fail;
	}
	n = len - 1;
	/* The limit before the allocation. */
	if (n > rx->max - rx->len) {
		tsr_debug("ble: message exceeds %zu bytes", rx->max);
		r = TSR_ERR_LIMIT;
		goto fail;
	}
	if (rx->len + n > rx->cap || rx->buf == NULL) {
		want = rx->cap < 4096 ? 4096 : rx->cap * 2;
		if (want < rx->len + n)
			want = rx->len + n;
		if (want > rx->max)
			want = rx->max > 0 ? rx->max : 1;
		if ((p = realloc(rx->buf, want)) == NULL) {
			r = TSR_ERR_NO_MEMORY;
			goto fail;
		}
		rx->buf = p;
		rx->cap = want;
	}
	if (n > 0)
		memcpy(rx->buf + rx->len, chunk + 1, n);
	rx->len += n;
	rx->chunks++;
	*ret_done = chunk[0] == TSR_BLE_CHUNK_LAST;
	return TSR_OK;
fail:
	tsr_ble_rx_clear(rx);
	return r;
}

int
tsr_ble_rx_take(tsr_ble_rx_t *rx, uint8_t **ret_msg, size_t *ret_len)
{
	if (rx->buf == NULL && (rx->buf = malloc(1)) == NULL) {
		tsr_ble_rx_clear(rx);
		return TSR_ERR_NO_MEMORY;
	}
	*ret_msg = rx->buf;
	*ret_len = rx->len;
	rx->buf = NULL;
	tsr_ble_rx_clear(rx);
	return TSR_OK;
}

/* An item head at *off: major type, additional information, argument. */
static int
cbor_head(const uint8_t *p, size_t len, size_t *off, unsigned *ret_major, unsigned *ret_ai,
    uint64_t *ret_arg)
{
	unsigned ai;
	uint64_t arg = 0;
	size_t n;

	if (*off >= len)
		return TSR_ERR_TRANSPORT_PROTOCOL;
	*ret_major = p[*off] >> 5;
	ai = p[*off] & 0x1f;
	(*off)++;
	if (ai >= 28 && ai <= 30)
		return TSR_ERR_TRANSPORT_PROTOCOL;
	if (ai < 24 || ai == 31) {
		arg = ai;
	} else {
		n = (size_t)1 << (ai - 24);
		if (len - *off < n)
			return TSR_ERR_TRANSPORT_PROTOCOL;
		for (size_t i = 0; i < n; i++)
			arg = arg << 8 | p[(*off)++];
	}
	*ret_ai = ai;
	*ret_arg = arg;
	return TSR_OK;
}

static int
cbor_skip(const uint8_t *p, size_t len, size_t *off, unsigned depth)
{
	unsigned major, ai, m2, ai2;
	uint64_t arg, arg2, items;
	int r;

	if (depth > CBOR_DEPTH_MAX)
		return TSR_ERR_TRANSPORT_PROTOCOL;
	if ((r = cbor_head(p, len, off, &major, &ai, &arg)) != TSR_OK)
		return r;
	switch (major) {
	case 0:
	case 1:
		return ai == 31 ? TSR_ERR_TRANSPORT_PROTOCOL : TSR_OK;
	case 2:
	case 3:
		if (ai != 31)
			break;
		/* Indefinite string: definite chunks of the same type, then break. */
		for (;;) {
			if (*off >= len)
				return TSR_ERR_TRANSPORT_PROTOCOL;
			if (p[*off] == 0xff) {
				(*off)++;
				return TSR_OK;
			}
			if ((r = cbor_head(p, len, off, &m2, &ai2, &arg2)) != TSR_OK)
				return r;
			if (m2 != major || ai2 == 31 || arg2 > len - *off)
				return TSR_ERR_TRANSPORT_PROTOCOL;
			*off += (size_t)arg2;
		}
	case 4:
	case 5:
		if (ai == 31) {
			for (;;) {
				if (*off >= len)
					return TSR_ERR_TRANSPORT_PROTOCOL;
				if (p[*off] == 0xff) {
					(*off)++;
					return TSR_OK;
				}
				if ((r = cbor_skip(p, len, off, depth + 1)) != TSR_OK ||
				    (major == 5 && (r = cbor_skip(p, len, off, depth + 1)) != TSR_OK))
					return r;
			}
		}
		/* Each item takes a byte at least: this ends with the input. */
		items = major == 5 && arg <= UINT64_MAX / 2 ? arg * 2 : arg;
		for (uint64_t i = 0; i < items; i++)
			if ((r = cbor_skip(p, len, off, depth + 1)) != TSR_OK)
				return r;
		return TSR_OK;
	case 6:
		return ai == 31 ? TSR_ERR_TRANSPORT_PROTOCOL : cbor_skip(p, len, off, depth + 1);
	default:
		/* Major 7: a break out of place, or a one-byte simple value
		 * below 32, is not well-formed. */
		if (ai == 31 || (ai == 24 && arg < 32))
			return TSR_ERR_TRANSPORT_PROTOCOL;
		return TSR_OK;
	}
	/* Definite byte or text string. */
	if (arg > len - *off)
		return TSR_ERR_TRANSPORT_PROTOCOL;
	*off += (size_t)arg;
	return TSR_OK;
}

int
tsr_ble_check_message(const uint8_t *ptr, size_t len)
{
	size_t off = 0;

	if (len == 0 || ptr[0] >> 5 != 5 || cbor_skip(ptr, len, &off, 0) != TSR_OK ||
	    off != len)
		return TSR_ERR_TRANSPORT_PROTOCOL;
	return TSR_OK;
}
