/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "base64.h"

#include <stdlib.h>

#include <tessera/err.h>

#include "buf.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
tsr_base64url_encode(const uint8_t *ptr, size_t len, char **ret_text)
{
	size_t out_len, o = 0;
	char *out;

	if (len > TSR_BUF_MAX)
		return TSR_ERR_LIMIT;
	out_len = len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
	if ((out = malloc(out_len + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)ptr[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			v |= (uint32_t)ptr[i + 1] << 8;
		if (n > 2)
			v |= ptr[i + 2];
		out[o++] = alphabet[(v >> 18) & 0x3f];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		if (n > 1)
			out[o++] = alphabet[(v >> 6) & 0x3f];
		if (n > 2)
			out[o++] = alphabet[v & 0x3f];
	}
	out[o] = '\0';
	*ret_text = out;
	return TSR_OK;
}

/* c's value in the alphabet whose last two characters are c62 and c63. */
static int
sextet(char c, char c62, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == c62)
		return 62;
	if (c == c63)
		return 63;
	return -1;
}

/* Unpadded base64 in either alphabet: what both variants share. */
static int
decode_unpadded(const char *text, size_t text_len, char c62, char c63, uint8_t **ret_ptr,
    size_t *ret_len)
{
	size_t out_len, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	uint8_t *out;

	if (text == NULL || ret_ptr == NULL || ret_len == NULL || text_len % 4 == 1)
		return TSR_ERR_INVALID_ARGUMENT;
	if (text_len > TSR_BUF_MAX)
		return TSR_ERR_LIMIT;
	out_len = text_len / 4 * 3 + (text_len % 4 ? text_len % 4 - 1 : 0);
	if ((out = malloc(out_len ? out_len : 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < text_len; i++) {
		int v = sextet(text[i], c62, c63);

		if (v < 0) {
			free(out);
			return TSR_ERR_INVALID_ARGUMENT;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, or two texts would decode alike. */
	if (acc != 0) {
		free(out);
		return TSR_ERR_INVALID_ARGUMENT;
	}
	*ret_ptr = out;
	*ret_len = o;
	return TSR_OK;
}

int
tsr_base64url_decode(const char *text, size_t text_len, uint8_t **ret_ptr, size_t *ret_len)
{
	return decode_unpadded(text, text_len, '-', '_', ret_ptr, ret_len);
}

int
tsr_base64_decode(const char *text, size_t len, uint8_t **ret_ptr, size_t *ret_len)
{
	size_t pad = 0;

	if (text == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	while (pad < 2 && len > pad && text[len - 1 - pad] == '=')
		pad++;
	if (pad > 0 && len % 4 != 0)
		return TSR_ERR_INVALID_ARGUMENT;
	return decode_unpadded(text, len - pad, '+', '/', ret_ptr, ret_len);
}
