/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Preferred-form encoder: libcbor's head encoders pick the shortest width
 * for integers and lengths; we append their output to a growable buffer. */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include <tessera/err.h>

#include "cbor/codec.h"

void
tsr_cbor_enc_init(tsr_cbor_enc_t *enc)
{
	tsr_buf_init(&enc->buf);
	enc->error = TSR_OK;
}

void
tsr_cbor_enc_free(tsr_cbor_enc_t *enc)
{
	if (enc == NULL)
		return;
	tsr_buf_free(&enc->buf);
	enc->error = TSR_OK;
}

int
tsr_cbor_enc_finish(tsr_cbor_enc_t *enc, uint8_t **ret_ptr, size_t *ret_len)
{
	int r = enc->error;

	if (r == TSR_OK)
		r = tsr_buf_steal(&enc->buf, ret_ptr, ret_len);
	tsr_cbor_enc_free(enc);
	return r;
}

static void
append(tsr_cbor_enc_t *enc, const uint8_t *ptr, size_t len)
{
	if (enc->error == TSR_OK)
		enc->error = tsr_buf_append(&enc->buf, ptr, len);
}

/* Appends a head produced by one of libcbor's cbor_encode_* functions. */
#define PUT_HEAD(enc, call)                                                \
	do {                                                               \
		unsigned char head_[9];                                    \
		size_t n_ = (call);                                        \
		if (n_ == 0 && (enc)->error == TSR_OK)                     \
			(enc)->error = TSR_ERR_INTERNAL;                   \
		append((enc), head_, n_);                                  \
	} while (0)

void
tsr_cbor_put_uint(tsr_cbor_enc_t *enc, uint64_t value)
{
	PUT_HEAD(enc, cbor_encode_uint(value, head_, sizeof(head_)));
}

void
tsr_cbor_put_int(tsr_cbor_enc_t *enc, int64_t value)
{
	if (value >= 0)
		tsr_cbor_put_uint(enc, (uint64_t)value);
	else
		PUT_HEAD(enc, cbor_encode_negint((uint64_t)(-1 - value), head_, sizeof(head_)));
}

void
tsr_cbor_put_bstr(tsr_cbor_enc_t *enc, const uint8_t *ptr, size_t len)
{
	PUT_HEAD(enc, cbor_encode_bytestring_start(len, head_, sizeof(head_)));
	append(enc, ptr, len);
}

void
tsr_cbor_put_tstr_n(tsr_cbor_enc_t *enc, const char *ptr, size_t len)
{
	PUT_HEAD(enc, cbor_encode_string_start(len, head_, sizeof(head_)));
	append(enc, (const uint8_t *)ptr, len);
}

void
tsr_cbor_put_tstr(tsr_cbor_enc_t *enc, const char *str)
{
	tsr_cbor_put_tstr_n(enc, str, strlen(str));
}

void
tsr_cbor_put_array(tsr_cbor_enc_t *enc, size_t count)
{
	PUT_HEAD(enc, cbor_encode_array_start(count, head_, sizeof(head_)));
}

void
tsr_cbor_put_map(tsr_cbor_enc_t *enc, size_t pairs)
{
	PUT_HEAD(enc, cbor_encode_map_start(pairs, head_, sizeof(head_)));
}

void
tsr_cbor_put_tag(tsr_cbor_enc_t *enc, uint64_t number)
{
	PUT_HEAD(enc, cbor_encode_tag(number, head_, sizeof(head_)));
}

void
tsr_cbor_put_bool(tsr_cbor_enc_t *enc, bool value)
{
	PUT_HEAD(enc, cbor_encode_bool(value, head_, sizeof(head_)));
}

void
tsr_cbor_put_null(tsr_cbor_enc_t *enc)
{
	PUT_HEAD(enc, cbor_encode_null(head_, sizeof(head_)));
}

/* True when v survives a round trip through IEEE 754 binary16. */
static bool
fits_half(double v)
{
	double m, scaled;
	int e;

	if (isnan(v) || isinf(v) || v == 0.0)
		return true;
	m = frexp(fabs(v), &e); /* |v| = m * 2^e, m in [0.5, 1) */
	if (e >= -13 && e <= 16) {
		scaled = ldexp(m, 11); /* 11 significant bits */
		return scaled == floor(scaled);
	}
	if (e >= -23 && e < -13) { /* subnormal: a multiple of 2^-24 */
		scaled = ldexp(fabs(v), 24);
		return scaled == floor(scaled);
	}
	return false;
}

void
tsr_cbor_put_float(tsr_cbor_enc_t *enc, double value)
{
	if (fits_half(value) && value != 0.0 && fabs(value) < 0x1p-14) {
		/* A binary16 subnormal: libcbor 0.8's cbor_encode_half keeps only
		 * its leading bit (f90003 came out as f90002), so encode it here. */
		uint16_t bits = (uint16_t)((signbit(value) ? 0x8000u : 0u) |
		    (unsigned)ldexp(fabs(value), 24));
		uint8_t head[3] = { 0xf9, (uint8_t)(bits >> 8), (uint8_t)(bits & 0xff) };

		append(enc, head, sizeof(head));
	} else if (fits_half(value))
		PUT_HEAD(enc, cbor_encode_half((float)value, head_, sizeof(head_)));
	else if ((double)(float)value == value)
		PUT_HEAD(enc, cbor_encode_single((float)value, head_, sizeof(head_)));
	else
		PUT_HEAD(enc, cbor_encode_double(value, head_, sizeof(head_)));
}

void
tsr_cbor_put_raw(tsr_cbor_enc_t *enc, const uint8_t *ptr, size_t len)
{
	append(enc, ptr, len);
}

void
tsr_cbor_put_embedded(tsr_cbor_enc_t *enc, const uint8_t *ptr, size_t len)
{
	tsr_cbor_put_tag(enc, 24);
	tsr_cbor_put_bstr(enc, ptr, len);
}

static int
compare_keys(const void *a, const void *b)
{
	const tsr_span_t *x = a, *y = b; /* each points at a key span */
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->ptr, y->ptr, n);

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

void
tsr_cbor_put_sorted_map(tsr_cbor_enc_t *enc, const tsr_span_t *entries, size_t pairs)
{
	tsr_span_t *sorted;

	if (enc->error != TSR_OK)
		return;
	if (pairs == 0) {
		tsr_cbor_put_map(enc, 0);
		return;
	}
	/* Sort (key, value) pairs as units: copy them, then order by key. */
	if ((sorted = calloc(pairs, 2 * sizeof(*sorted))) == NULL) {
		enc->error = TSR_ERR_NO_MEMORY;
		return;
	}
	memcpy(sorted, entries, pairs * 2 * sizeof(*sorted));
	qsort(sorted, pairs, 2 * sizeof(*sorted), compare_keys);
	for (size_t i = 1; i < pairs; i++) {
		if (compare_keys(&sorted[2 * (i - 1)], &sorted[2 * i]) == 0) {
			enc->error = TSR_ERR_CBOR_DUPLICATE_KEY;
			free(sorted);
			return;
		}
	}
	tsr_cbor_put_map(enc, pairs);
	for (size_t i = 0; i < 2 * pairs; i++)
		append(enc, sorted[i].ptr, sorted[i].len);
	free(sorted);
}
