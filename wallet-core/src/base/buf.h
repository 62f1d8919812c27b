/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Growable byte buffers and helpers for owned byte blobs. */
#ifndef TSR_BASE_BUF_H
#define TSR_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No buffer the library builds may grow beyond this: every message and
 * credential we handle is far smaller, and it bounds what hostile input can
 * make us allocate. */
#define TSR_BUF_MAX ((size_t)64 * 1024 * 1024)

typedef struct tsr_buf {
	uint8_t *ptr;
	size_t len;
	size_t cap;
} tsr_buf_t;

/* A borrowed byte range. */
typedef struct tsr_span {
	const uint8_t *ptr;
	size_t len;
} tsr_span_t;

void tsr_buf_init(tsr_buf_t *b);
/* Zeroizes the contents (buffers may hold secrets) and frees them. */
void tsr_buf_free(tsr_buf_t *b);
/* Drops the contents but keeps the allocation (zeroized). */
void tsr_buf_clear(tsr_buf_t *b);
int tsr_buf_reserve(tsr_buf_t *b, size_t extra);
int tsr_buf_append(tsr_buf_t *b, const void *data, size_t len);
int tsr_buf_append_byte(tsr_buf_t *b, uint8_t byte);
/* Hands the contents to the caller (free with free()), leaving b empty. A
 * zero-length buffer yields a valid one-byte allocation so that callers can
 * tell success from failure by the pointer. */
int tsr_buf_steal(tsr_buf_t *b, uint8_t **ret_ptr, size_t *ret_len);

/* NUL-terminated owned copy of a span (free with free()). */
int tsr_span_strdup(tsr_span_t s, char **ret_str);
/* Whether two spans hold the same bytes. */
bool tsr_span_equal(tsr_span_t a, tsr_span_t b);

/* Owned copy of a byte range; a zero-length copy is a valid allocation. */
int tsr_bytes_dup(const uint8_t *ptr, size_t len, uint8_t **ret_ptr);
/* Constant-time comparison for MACs and secrets. */
bool tsr_bytes_equal_ct(const uint8_t *a, const uint8_t *b, size_t len);
/* Wipes memory in a way the compiler cannot remove. */
void tsr_zeroize(void *ptr, size_t len);
/* Zeroizes then frees (NULL is fine). */
void tsr_free_secret(void *ptr, size_t len);

/* Lower-case hex; the output string is NUL-terminated and owned. */
int tsr_hex_encode(const uint8_t *ptr, size_t len, char **ret_hex);
/* Accepts upper or lower case, no separators. */
int tsr_hex_decode(const char *hex, uint8_t **ret_ptr, size_t *ret_len);

#endif /* TSR_BASE_BUF_H */
