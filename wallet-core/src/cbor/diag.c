/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * RFC 8949 §8 diagnostic notation. Text strings use JSON's escapes, so the
 * rendering of a text string is also a valid JSON string (json.c relies on
 * that), and so is the rendering of every finite number.
 */

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "cbor/codec.h"

/* Total nesting, counted across embedded (tag 24) levels: each embedded
 * document is decoded with only the depth its enclosing levels left over,
 * so a chain of tag-24s cannot recurse without bound. */
#define DIAG_MAX_NESTING 32u

struct diag {
	tsr_buf_t *out;
	bool expand_embedded;
};

static int
put_str(tsr_buf_t *out, const char *s)
{
	return tsr_buf_append(out, s, strlen(s));
}

static int
put_uint(tsr_buf_t *out, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return put_str(out, num);
}

/* The CBOR negative integer -1 - n, which reaches -2^64. */
static int
put_negint(tsr_buf_t *out, uint64_t n)
{
	int r;

	if ((r = put_str(out, "-")) != TSR_OK)
		return r;
	if (n == UINT64_MAX)
		return put_str(out, "18446744073709551616");
	return put_uint(out, n + 1);
}

static int
put_hex(tsr_buf_t *out, const uint8_t *ptr, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	int r;

	if ((r = tsr_buf_reserve(out, 2 * len)) != TSR_OK)
		return r;
	for (size_t i = 0; i < len; i++) {
		out->ptr[out->len++] = (uint8_t)digits[ptr[i] >> 4];
		out->ptr[out->len++] = (uint8_t)digits[ptr[i] & 0x0f];
	}
	return TSR_OK;
}

/* "..." with JSON's escapes; the content is valid UTF-8 (the decoder
 * checked it) and passes through unchanged apart from them. */
static int
put_quoted(tsr_buf_t *out, const uint8_t *ptr, size_t len)
{
	size_t run = 0; /* start of the pending unescaped run */
	int r;

	if ((r = put_str(out, "\"")) != TSR_OK)
		return r;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = ptr[i];
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"': strcpy(esc, "\\\""); break;
		case '\\': strcpy(esc, "\\\\"); break;
		case '\b': strcpy(esc, "\\b"); break;
		case '\f': strcpy(esc, "\\f"); break;
		case '\n': strcpy(esc, "\\n"); break;
		case '\r': strcpy(esc, "\\r"); break;
		case '\t': strcpy(esc, "\\t"); break;
		default: snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)c); break;
		}
		if ((r = tsr_buf_append(out, ptr + run, i - run)) != TSR_OK ||
		    (r = put_str(out, esc)) != TSR_OK)
			return r;
		run = i + 1;
	}
	if ((r = tsr_buf_append(out, ptr + run, len - run)) != TSR_OK)
		return r;
	return put_str(out, "\"");
}

/* The value of the decimal digits[0].digits[1..n) x 10^exp10. */
static double
decimal_value(const char *digits, size_t n, int exp10)
{
	char text[48];

	snprintf(text, sizeof(text), "%c.%.*se%d", digits[0], (int)(n - 1), digits + 1, exp10);
	return strtod(text, NULL);
}

/*
 * The fewest significant digits that read back as a (positive, finite):
 * returns their count, the digits (no decimal point) and the decimal
 * exponent of the first one. printf gives the nearest p-digit decimal for
 * each p; on an exact tie it rounds to even, which at a power of two can
 * land just outside the (lopsided) rounding interval while the neighbour
 * above lies inside: 2^-24 is 5.960464477539063e-8, not ...062e-8.
 */
static size_t
shortest_digits(double a, char digits[20], int *ret_exp10)
{
	char tmp[40];
	size_t n = 0;
	int exp10 = 0;

	for (int prec = 1; prec <= 17; prec++) {
		const char *p;
		size_t i;

		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, a);
		n = 0;
		for (p = tmp; *p != '\0' && *p != 'e'; p++)
			if (*p >= '0' && *p <= '9' && n < 19)
				digits[n++] = *p;
		exp10 = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
		if (prec == 17 || decimal_value(digits, n, exp10) == a)
			break;
		for (i = n; i > 0 && digits[i - 1] == '9'; i--)
			digits[i - 1] = '0';
		if (i == 0) {
			digits[0] = '1';
			exp10++;
		} else {
			digits[i - 1]++;
		}
		if (decimal_value(digits, n, exp10) == a)
			break;
	}
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*ret_exp10 = exp10;
	return n;
}

/*
 * Shortest decimal that reads back as v, laid out like JavaScript's
 * Number#toString but always with a fraction or an exponent, as in RFC 8949
 * Appendix A: 1.5, 100000.0, 0.00006103515625, 1.0e+300, 5.960464477539063e-8.
 * Finite values only.
 */
static void
format_finite(double v, char *text)
{
	char digits[20];
	char *t = text;
	size_t nd;
	int exp10;

	if (v == 0.0) {
		strcpy(text, signbit(v) ? "-0.0" : "0.0");
		return;
	}
	if (v < 0)
		*t++ = '-';
	nd = shortest_digits(fabs(v), digits, &exp10);

	if (exp10 > -7 && exp10 < 21) {
		if (exp10 < 0) {
			*t++ = '0';
			*t++ = '.';
			for (int i = -1; i > exp10; i--)
				*t++ = '0';
			memcpy(t, digits, nd);
			t += nd;
		} else {
			size_t whole = (size_t)exp10 + 1;

			for (size_t i = 0; i < whole; i++)
				*t++ = i < nd ? digits[i] : '0';
			*t++ = '.';
			if (nd > whole) {
				memcpy(t, digits + whole, nd - whole);
				t += nd - whole;
			} else {
				*t++ = '0';
			}
		}
		*t = '\0';
	} else {
		*t++ = digits[0];
		*t++ = '.';
		if (nd > 1) {
			memcpy(t, digits + 1, nd - 1);
			t += nd - 1;
		} else {
			*t++ = '0';
		}
		/* Doubles have decimal exponents within ±324. */
		snprintf(t, 8, "e%c%u", exp10 < 0 ? '-' : '+',
		    (unsigned)(exp10 < 0 ? -exp10 : exp10) % 1000u);
	}
}

/* printf and strtod follow LC_NUMERIC, which applications set (GTK does);
 * diagnostic notation and JSON need '.', so switch this thread to "C". */
static void
format_finite_c(double v, char *text)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	locale_t old = c != (locale_t)0 ? uselocale(c) : (locale_t)0;

	format_finite(v, text);
	if (c != (locale_t)0) {
		uselocale(old);
		freelocale(c);
	}
}

static int
put_float(tsr_buf_t *out, double v)
{
	char text[64]; /* at most "-" 21 digits "." 17 digits, or "-d." 16 digits "e-324" */

	if (isnan(v))
		return put_str(out, "NaN");
	if (isinf(v))
		return put_str(out, v < 0 ? "-Infinity" : "Infinity");
	format_finite_c(v, text);
	return put_str(out, text);
}

static int render(struct diag *d, const tsr_cbor_item_t *item, unsigned depth);

/* Writes 24(<<...>>) and sets *ret_done when the byte string holds one
 * strictly valid item that fits in the nesting left over; otherwise writes
 * nothing, and the caller shows the tag as plain bytes. */
static int
render_embedded(struct diag *d, const tsr_cbor_item_t *tag, unsigned depth, bool *ret_done)
{
	tsr_cbor_limits_t limits = tsr_cbor_default_limits;
	tsr_cbor_doc_t *doc = NULL;
	int r;

	*ret_done = false;
	if (depth >= DIAG_MAX_NESTING)
		return TSR_OK;
	/* The embedded root sits one level below the tag. */
	limits.max_depth = DIAG_MAX_NESTING - depth;
	if (limits.max_depth > tsr_cbor_default_limits.max_depth)
		limits.max_depth = tsr_cbor_default_limits.max_depth;
	r = tsr_cbor_decode_embedded(tag, &limits, &doc);
	if (r == TSR_ERR_NO_MEMORY)
		return r;
	if (r != TSR_OK)
		return TSR_OK;
	*ret_done = true;
	if ((r = put_str(d->out, "24(<<")) == TSR_OK &&
	    (r = render(d, tsr_cbor_doc_root(doc), depth + 1)) == TSR_OK)
		r = put_str(d->out, ">>)");
	tsr_cbor_doc_free(doc);
	return r;
}

static int
render(struct diag *d, const tsr_cbor_item_t *item, unsigned depth)
{
	int r = TSR_OK;

	switch (item->type) {
	case TSR_CBOR_UINT:
		return put_uint(d->out, item->u.uint);
	case TSR_CBOR_NEGINT:
		return put_negint(d->out, item->u.uint);
	case TSR_CBOR_BSTR:
		if ((r = put_str(d->out, "h'")) != TSR_OK ||
		    (r = put_hex(d->out, item->u.str.ptr, item->u.str.len)) != TSR_OK)
			return r;
		return put_str(d->out, "'");
	case TSR_CBOR_TSTR:
		return put_quoted(d->out, item->u.str.ptr, item->u.str.len);
	case TSR_CBOR_ARRAY:
		if ((r = put_str(d->out, "[")) != TSR_OK)
			return r;
		for (size_t i = 0; i < item->u.list.count; i++) {
			if ((i > 0 && (r = put_str(d->out, ", ")) != TSR_OK) ||
			    (r = render(d, &item->u.list.items[i], depth + 1)) != TSR_OK)
				return r;
		}
		return put_str(d->out, "]");
	case TSR_CBOR_MAP:
		if ((r = put_str(d->out, "{")) != TSR_OK)
			return r;
		for (size_t i = 0; i < item->u.list.count; i++) {
			if ((i > 0 && (r = put_str(d->out, ", ")) != TSR_OK) ||
			    (r = render(d, tsr_cbor_map_key(item, i), depth + 1)) != TSR_OK ||
			    (r = put_str(d->out, ": ")) != TSR_OK ||
			    (r = render(d, tsr_cbor_map_value(item, i), depth + 1)) != TSR_OK)
				return r;
		}
		return put_str(d->out, "}");
	case TSR_CBOR_TAG:
		if (d->expand_embedded && item->u.tag.number == 24) {
			bool done = false;

			if ((r = render_embedded(d, item, depth, &done)) != TSR_OK || done)
				return r;
		}
		if ((r = put_uint(d->out, item->u.tag.number)) != TSR_OK ||
		    (r = put_str(d->out, "(")) != TSR_OK ||
		    (r = render(d, item->u.tag.content, depth + 1)) != TSR_OK)
			return r;
		return put_str(d->out, ")");
	case TSR_CBOR_FALSE:
		return put_str(d->out, "false");
	case TSR_CBOR_TRUE:
		return put_str(d->out, "true");
	case TSR_CBOR_NULL:
		return put_str(d->out, "null");
	case TSR_CBOR_UNDEFINED:
		return put_str(d->out, "undefined");
	case TSR_CBOR_FLOAT:
		return put_float(d->out, item->u.fp);
	}
	return TSR_ERR_INTERNAL;
}

int
tsr_cbor_diag(const tsr_cbor_item_t *item, bool expand_embedded, tsr_buf_t *out)
{
	struct diag d = { .out = out, .expand_embedded = expand_embedded };

	if (item == NULL || out == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	return render(&d, item, 1);
}
