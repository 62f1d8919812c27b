/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

void
tsr_zeroize(void *ptr, size_t len)
{
	if (ptr != NULL && len > 0)
		explicit_bzero(ptr, len);
}

void
tsr_free_secret(void *ptr, size_t len)
{
	tsr_zeroize(ptr, len);
	free(ptr);
}

void
tsr_free(void *p)
{
	free(p);
}

void
tsr_buf_init(tsr_buf_t *b)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void
tsr_buf_free(tsr_buf_t *b)
{
	if (b == NULL)
		return;
	tsr_free_secret(b->ptr, b->cap);
	tsr_buf_init(b);
}

void
tsr_buf_clear(tsr_buf_t *b)
{
	tsr_zeroize(b->ptr, b->len);
	b->len = 0;
}

int
tsr_buf_reserve(tsr_buf_t *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > TSR_BUF_MAX || b->len > TSR_BUF_MAX - extra)
		return TSR_ERR_LIMIT;
	need = b->len + extra;
	if (need <= b->cap)
		return TSR_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > TSR_BUF_MAX / 2 ? TSR_BUF_MAX : cap * 2;
	/* No realloc: the old block may hold secrets and must be wiped. */
	if ((p = malloc(cap)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (b->len > 0)
		memcpy(p, b->ptr, b->len);
	tsr_free_secret(b->ptr, b->cap);
	b->ptr = p;
	b->cap = cap;
	return TSR_OK;
}

int
tsr_buf_append(tsr_buf_t *b, const void *data, size_t len)
{
	int r;

	if (len == 0)
		return TSR_OK;
	if ((r = tsr_buf_reserve(b, len)) != TSR_OK)
		return r;
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	return TSR_OK;
}

int
tsr_buf_append_byte(tsr_buf_t *b, uint8_t byte)
{
	return tsr_buf_append(b, &byte, 1);
}

int
tsr_buf_steal(tsr_buf_t *b, uint8_t **ret_ptr, size_t *ret_len)
{
	int r;

	if (b->ptr == NULL && (r = tsr_buf_reserve(b, 1)) != TSR_OK)
		return r;
	*ret_ptr = b->ptr;
	*ret_len = b->len;
	tsr_buf_init(b);
	return TSR_OK;
}

int
tsr_span_strdup(tsr_span_t s, char **ret_str)
{
	char *p;

	if ((p = malloc(s.len + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (s.len > 0)
		memcpy(p, s.ptr, s.len);
	p[s.len] = '\0';
	*ret_str = p;
	return TSR_OK;
}

bool
tsr_span_equal(tsr_span_t a, tsr_span_t b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

int
tsr_bytes_dup(const uint8_t *ptr, size_t len, uint8_t **ret_ptr)
{
	uint8_t *p;

	if ((p = malloc(len ? len : 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (len > 0)
		memcpy(p, ptr, len);
	*ret_ptr = p;
	return TSR_OK;
}

bool
tsr_bytes_equal_ct(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff == 0;
}

int
tsr_hex_encode(const uint8_t *ptr, size_t len, char **ret_hex)
{
	static const char digits[] = "0123456789abcdef";
	char *hex;

	if (len > (TSR_BUF_MAX - 1) / 2)
		return TSR_ERR_LIMIT;
	if ((hex = malloc(len * 2 + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[ptr[i] >> 4];
		hex[2 * i + 1] = digits[ptr[i] & 0x0f];
	}
	hex[len * 2] = '\0';
	*ret_hex = hex;
	return TSR_OK;
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
tsr_hex_decode(const char *hex, uint8_t **ret_ptr, size_t *ret_len)
{
	size_t n = strlen(hex);
	uint8_t *p;

	if (n % 2 != 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((p = malloc(n / 2 ? n / 2 : 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(p);
			return TSR_ERR_INVALID_ARGUMENT;
		}
		p[i] = (uint8_t)((hi << 4) | lo);
	}
	*ret_ptr = p;
	*ret_len = n / 2;
	return TSR_OK;
}
