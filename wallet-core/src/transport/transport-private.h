/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * What a transport back-end implements (like libfido2's fido_dev_io_t), and
 * the helpers back-ends share. transport.c checks arguments, the closed
 * state and message limits, and reports events, so a back-end's operations
 * only move bytes. A back-end is built with tsr_transport_new() and reports
 * connection changes with tsr_transport_set_connected().
 */
#ifndef TSR_TRANSPORT_PRIVATE_H
#define TSR_TRANSPORT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/transport.h>

typedef struct tsr_transport_ops {
	/* One whole message; len <= TSR_TRANSPORT_MAX_MESSAGE and msg != NULL
	 * or len == 0 are already checked. Return TSR_ERR_TRANSPORT_CLOSED when
	 * the peer is gone (transport.c then reports DISCONNECTED). */
	int (*send)(tsr_transport_t *t, const uint8_t *msg, size_t len, int timeout_ms);
	/* The next whole message, owned by the caller; keep a partial message
	 * across a timeout. */
	int (*receive)(tsr_transport_t *t, int timeout_ms, uint8_t **ret_msg, size_t *ret_len);
	/* Orderly end; called once. The connection is over afterwards whatever
	 * it returns. */
	int (*close)(tsr_transport_t *t);
	/* Releases everything the state holds; NULL and half-built states are
	 * fine. Never reports events. */
	void (*free_state)(void *state);
	/* "local transport (…)": owned by the state. */
	const char *(*describe)(const void *state);
} tsr_transport_ops_t;

struct tsr_transport {
	const tsr_transport_ops_t *ops;
	void *state;
	tsr_transport_event_fn event_fn;
	void *event_user;
	bool connected; /* between CONNECTED and DISCONNECTED */
	bool ended;     /* DISCONNECTED happened: it is never connected again */
	bool closed;    /* tsr_transport_close() was called */
};

/* Wraps a back-end's state. Takes the state in every case: on failure it
 * is freed with ops->free_state. A back-end that is connected from the
 * start passes connected = true (no event: nobody can listen yet). */
int tsr_transport_new(const tsr_transport_ops_t *ops, void *state, bool connected,
    tsr_transport_t **ret);

/* Records a connection change and reports it to the callback on a change
 * only: CONNECTED once, DISCONNECTED once and for good. */
void tsr_transport_set_connected(tsr_transport_t *t, bool connected);

/* A deadline on CLOCK_MONOTONIC in milliseconds; -1 when timeout_ms < 0
 * (no deadline). */
int64_t tsr_deadline_from_timeout(int timeout_ms);
/* Milliseconds left for poll(): -1 without deadline, 0 once it has passed. */
int tsr_deadline_remaining(int64_t deadline);

/*
 * Length-prefixed framing: a 4-byte big-endian length, then the message
 * (the local transport, and the 18013-5 2nd-edition L2CAP channel).
 *
 * The frame reader reassembles messages from a byte stream of any
 * granularity. A stream reader asks where the next bytes go (_space; never
 * past the end of the current message, so no read-ahead is needed) and
 * reports how many arrived (_commit); a chunk-based reader hands over
 * chunks (_feed). The announced length is checked against the limit before
 * anything is allocated. After an error the reader is unusable until
 * cleared: the rest of the stream cannot be trusted.
 */
#define TSR_FRAME_HEADER_LEN 4

typedef struct tsr_frame_reader {
	size_t max;                         /* largest message accepted */
	uint8_t hdr[TSR_FRAME_HEADER_LEN];
	size_t hdr_got;
	uint8_t *msg;                       /* allocated once the header is in */
	size_t msg_len, msg_got;
	int err;                            /* sticky error, TSR_OK when none */
} tsr_frame_reader_t;

/* Cannot fail; max is at most TSR_TRANSPORT_MAX_MESSAGE in practice. */
void tsr_frame_reader_init(tsr_frame_reader_t *fr, size_t max);
/* Drops a partial message and any error; the limit stays. NULL is fine. */
void tsr_frame_reader_clear(tsr_frame_reader_t *fr);
/* Where the next bytes of the stream belong and how many at most; *ret_len
 * is 0 when a message is complete (take it first) or after an error. */
void tsr_frame_reader_space(tsr_frame_reader_t *fr, uint8_t **ret_ptr, size_t *ret_len);
/* Accounts n bytes just written into the space. TSR_ERR_LIMIT when the
 * header announces more than max (nothing allocated), TSR_ERR_NO_MEMORY. */
int tsr_frame_reader_commit(tsr_frame_reader_t *fr, size_t n);
/* Copies from a chunk, stopping at the end of a message: *ret_used bytes
 * were consumed; check _done and feed the rest after taking the message. */
int tsr_frame_reader_feed(tsr_frame_reader_t *fr, const uint8_t *ptr, size_t len,
    size_t *ret_used);
/* A whole message is waiting. */
bool tsr_frame_reader_done(const tsr_frame_reader_t *fr);
/* Part of a message (or of its header) has arrived. */
bool tsr_frame_reader_partial(const tsr_frame_reader_t *fr);
/* Hands over the finished message (a zero-length one is a valid one-byte
 * allocation) and gets ready for the next. TSR_ERR_INTERNAL if not done. */
int tsr_frame_reader_take(tsr_frame_reader_t *fr, uint8_t **ret_msg, size_t *ret_len);
/* The header for a message of len bytes; TSR_ERR_LIMIT beyond
 * TSR_TRANSPORT_MAX_MESSAGE. */
int tsr_frame_header(size_t len, uint8_t hdr[TSR_FRAME_HEADER_LEN]);

/* The local transport over an already connected stream socket (it is made
 * non-blocking and close-on-exec). Takes fd in every case. what is the
 * parenthesised part of the description, e.g. "socket pair". For the fuzz
 * harness and tests, which write raw bytes into the other end. */
int tsr_transport_local_adopt(int fd, const char *what, tsr_transport_t **ret);

#endif /* TSR_TRANSPORT_PRIVATE_H */
