/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Length-prefixed framing: uint32 big-endian length || message. */

#include <stdlib.h>
#include <string.h>

#include "transport/transport-private.h"

void
tsr_frame_reader_init(tsr_frame_reader_t *fr, size_t max)
{
	memset(fr, 0, sizeof(*fr));
	fr->max = max;
	fr->err = TSR_OK;
}

void
tsr_frame_reader_clear(tsr_frame_reader_t *fr)
{
	if (fr == NULL)
		return;
	free(fr->msg);
	tsr_frame_reader_init(fr, fr->max);
}

bool
tsr_frame_reader_done(const tsr_frame_reader_t *fr)
{
	return fr->err == TSR_OK && fr->msg != NULL && fr->msg_got == fr->msg_len;
}

bool
tsr_frame_reader_partial(const tsr_frame_reader_t *fr)
{
	return fr->hdr_got > 0 && !tsr_frame_reader_done(fr);
}

void
tsr_frame_reader_space(tsr_frame_reader_t *fr, uint8_t **ret_ptr, size_t *ret_len)
{
	if (fr->err != TSR_OK || tsr_frame_reader_done(fr)) {
		*ret_ptr = NULL;
		*ret_len = 0;
	} else if (fr->hdr_got < TSR_FRAME_HEADER_LEN) {
		*ret_ptr = fr->hdr + fr->hdr_got;
		*ret_len = TSR_FRAME_HEADER_LEN - fr->hdr_got;
	} else {
		*ret_ptr = fr->msg + fr->msg_got;
		*ret_len = fr->msg_len - fr->msg_got;
	}
}

int
tsr_frame_reader_commit(tsr_frame_reader_t *fr, size_t n)
{
	uint8_t *ptr;
	size_t room, len;

	if (fr->err != TSR_OK)
		return fr->err;
	tsr_frame_reader_space(fr, &ptr, &room);
	if (n > room)
		return TSR_ERR_INTERNAL;
	if (fr->hdr_got < TSR_FRAME_HEADER_LEN) {
		fr->hdr_got += n;
		if (fr->hdr_got < TSR_FRAME_HEADER_LEN)
			return TSR_OK;
		len = (size_t)fr->hdr[0] << 24 | (size_t)fr->hdr[1] << 16 |
		    (size_t)fr->hdr[2] << 8 | (size_t)fr->hdr[3];
		/* The limit before the allocation. */
		if (len > fr->max)
			fr->err = TSR_ERR_LIMIT;
		else if ((fr->msg = malloc(len ? len : 1)) == NULL)
			fr->err = TSR_ERR_NO_MEMORY;
		if (fr->err != TSR_OK)
			return fr->err;
		fr->msg_len = len;
		fr->msg_got = 0;
		return TSR_OK;
	}
	fr->msg_got += n;
	return TSR_OK;
}

int
tsr_frame_reader_feed(tsr_frame_reader_t *fr, const uint8_t *ptr, size_t len,
    size_t *ret_used)
{
	uint8_t *dst;
	size_t used = 0, room, n;
	int r = TSR_OK;

	while (used < len && !tsr_frame_reader_done(fr)) {
		tsr_frame_reader_space(fr, &dst, &room);
		if (room == 0) {
			r = fr->err != TSR_OK ? fr->err : TSR_ERR_INTERNAL;
			break;
		}
		n = len - used < room ? len - used : room;
		memcpy(dst, ptr + used, n);
		used += n;
		if ((r = tsr_frame_reader_commit(fr, n)) != TSR_OK)
			break;
	}
	if (r == TSR_OK)
		*ret_used = used;
	return r;
}

int
tsr_frame_reader_take(tsr_frame_reader_t *fr, uint8_t **ret_msg, size_t *ret_len)
{
	if (!tsr_frame_reader_done(fr))
		return TSR_ERR_INTERNAL;
	*ret_msg = fr->msg;
	*ret_len = fr->msg_len;
	fr->msg = NULL;
	tsr_frame_reader_clear(fr);
	return TSR_OK;
}

int
tsr_frame_header(size_t len, uint8_t hdr[TSR_FRAME_HEADER_LEN])
{
	if (len > TSR_TRANSPORT_MAX_MESSAGE)
		return TSR_ERR_LIMIT;
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	return TSR_OK;
}
