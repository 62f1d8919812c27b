/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The byte stream a peer sends on the local transport (the framing of the
 * 2nd-edition L2CAP channel too): once through a socket pair into
 * tsr_transport_receive() until it fails, once in small chunks through the
 * frame reader. Neither may crash, hang or over-allocate, and both must
 * see the same messages and the same end. */

#include <sys/socket.h>
#include <unistd.h>

#include <tessera/tessera.h>
#include <tessera/transport.h>

#include "fuzz-common.h"
#include "transport/transport-private.h"

/* Far below a socket buffer, so the whole stream is queued before the
 * receiver starts and the test needs no second thread. */
#define MAX_STREAM (32 * 1024)

/* The next message of the stream through the frame reader, fed in chunks
 * of `chunk` bytes from *off. TSR_ERR_TRANSPORT_CLOSED at the end. */
static int
next_chunked(tsr_frame_reader_t *fr, const uint8_t *data, size_t size, size_t *off,
    size_t chunk, uint8_t **ret_msg, size_t *ret_len)
{
	size_t n, used;
	int r;

	while (!tsr_frame_reader_done(fr)) {
		if (*off == size)
			return TSR_ERR_TRANSPORT_CLOSED;
		n = size - *off < chunk ? size - *off : chunk;
		if ((r = tsr_frame_reader_feed(fr, data + *off, n, &used)) != TSR_OK)
			return r;
		if (used == 0 || used > n)
			abort();
		*off += used;
	}
	return tsr_frame_reader_take(fr, ret_msg, ret_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_frame_reader_t fr;
	tsr_transport_t *t = NULL;
	uint8_t *a, *b;
	size_t a_len, b_len, off = 0, chunk;
	ssize_t n;
	int fds[2], ra, rb;

	if (size > MAX_STREAM)
		size = MAX_STREAM;
	/* The first byte picks the chunk size for the frame reader. */
	chunk = size > 0 ? (size_t)(data[0] % 13) + 1 : 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
		abort();
	for (size_t sent = 0; sent < size; sent += (size_t)n)
		if ((n = send(fds[1], data + sent, size - sent, MSG_NOSIGNAL)) <= 0)
			abort();
	(void)shutdown(fds[1], SHUT_WR);
	if (tsr_transport_local_adopt(fds[0], "fuzz", &t) != TSR_OK)
		abort();
	tsr_frame_reader_init(&fr, TSR_TRANSPORT_MAX_MESSAGE);
	do {
		a = b = NULL;
		/* Everything is queued: a timeout would mean a lost byte. */
		ra = tsr_transport_receive(t, 0, &a, &a_len);
		rb = next_chunked(&fr, data, size, &off, chunk, &b, &b_len);
		if (ra == TSR_ERR_TRANSPORT_TIMEOUT || ra != rb)
			abort();
		if (ra == TSR_OK)
			fuzz_expect_same(a, a_len, b, b_len);
		else if (ra != TSR_ERR_TRANSPORT_CLOSED && ra != TSR_ERR_LIMIT &&
		    ra != TSR_ERR_NO_MEMORY)
			abort();
		free(a);
		free(b);
	} while (ra == TSR_OK);
	/* It stays ended. */
	if (tsr_transport_receive(t, 0, &a, &a_len) != TSR_ERR_TRANSPORT_CLOSED)
		abort();
	tsr_frame_reader_clear(&fr);
	tsr_transport_free(t);
	(void)close(fds[1]);
	return 0;
}
