/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * A small strict JSON (RFC 8259) reader that writes CBOR directly: the
 * claims file and JWKs. Recursive descent with a depth limit; every error
 * says where (line and column, counted in bytes) and why.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "base/base64.h"
#include "issuer/issuer-private.h"

#define NUMBER_MAX_LEN 64
#define OBJECT_MAX_MEMBERS 100000

typedef struct jp {
	const char *start;
	const char *p;
	const char *end;
	bool typed;
	unsigned depth;
	const char *err_at;
	char err[200];
} jp_t;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail_at(jp_t *j, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (j->err[0] == '\0') {
		j->err_at = at;
		va_start(ap, fmt);
		vsnprintf(j->err, sizeof(j->err), fmt, ap);
		va_end(ap);
	}
	return TSR_ERR_INVALID_ARGUMENT;
}

static void
skip_ws(jp_t *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Length of the UTF-8 sequence at p (1..4), 0 when invalid: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static size_t
utf8_len(const uint8_t *p, const uint8_t *end)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int
put_utf8(tsr_buf_t *out, uint32_t cp)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return tsr_buf_append(out, b, n);
}

static int
hex4(jp_t *j, uint32_t *ret)
{
	uint32_t v = 0;

	if (j->end - j->p < 4)
		return fail_at(j, j->p, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = j->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail_at(j, j->p + i, "bad hex digit in \\u escape");
	}
	j->p += 4;
	*ret = v;
	return TSR_OK;
}

/* A string starting at the opening quote; its UTF-8 content goes to out
 * (which the caller initialised). */
static int
parse_string(jp_t *j, tsr_buf_t *out)
{
	const char *open = j->p;
	int r;

	j->p++;
	for (;;) {
		uint8_t c;

		if (j->p >= j->end)
			return fail_at(j, open, "unterminated string");
		c = (uint8_t)*j->p;
		if (c == '"') {
			j->p++;
			break;
		}
		if (c < 0x20)
			return fail_at(j, j->p, "control character in a string (escape it)");
		if (c == '\\') {
			uint32_t cp, lo;

			if (j->end - j->p < 2)
				return fail_at(j, j->p, "truncated escape");
			j->p += 2;
			switch (j->p[-1]) {
			case '"':
			case '\\':
			case '/':
				if (tsr_buf_append_byte(out, (uint8_t)j->p[-1]) != TSR_OK)
					return TSR_ERR_NO_MEMORY;
				break;
			case 'b':
				if (tsr_buf_append_byte(out, '\b') != TSR_OK)
					return TSR_ERR_NO_MEMORY;
				break;
			case 'f':
				if (tsr_buf_append_byte(out, '\f') != TSR_OK)
					return TSR_ERR_NO_MEMORY;
				break;
			case 'n':
				if (tsr_buf_append_byte(out, '\n') != TSR_OK)
					return TSR_ERR_NO_MEMORY;
				break;
			case 'r':
				if (tsr_buf_append_byte(out, '\r') != TSR_OK)
					return TSR_ERR_NO_MEMORY;
				break;
			case 't':
				if (tsr_buf_append_byte(out, '\t') != TSR_OK)
					return TSR_ERR_NO_MEMORY;
				break;
			case 'u':
				if ((r = hex4(j, &cp)) != TSR_OK)
					return r;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return fail_at(j, j->p - 6, "lone low surrogate");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
						return fail_at(j, j->p - 6, "lone high surrogate");
					j->p += 2;
					if ((r = hex4(j, &lo)) != TSR_OK)
						return r;
					if (lo < 0xdc00 || lo > 0xdfff)
						return fail_at(j, j->p - 6, "bad surrogate pair");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				if (cp == 0)
					return fail_at(j, j->p - 6, "NUL character not allowed");
				if (put_utf8(out, cp) != TSR_OK)
					return TSR_ERR_NO_MEMORY;
				break;
			default:
				return fail_at(j, j->p - 2, "unknown escape \\%c", j->p[-1]);
			}
			continue;
		}
		{
			size_t n = utf8_len((const uint8_t *)j->p, (const uint8_t *)j->end);

			if (n == 0)
				return fail_at(j, j->p, "invalid UTF-8");
			if (tsr_buf_append(out, j->p, n) != TSR_OK)
				return TSR_ERR_NO_MEMORY;
			j->p += n;
		}
	}
	return out->len > TSR_BUF_MAX ? TSR_ERR_LIMIT : TSR_OK;
}

static int
parse_number(jp_t *j, tsr_cbor_enc_t *enc)
{
	const char *s = j->p;
	bool neg = false, integer = true;
	char buf[NUMBER_MAX_LEN + 1];
	size_t n;

	if (j->p < j->end && *j->p == '-') {
		neg = true;
		j->p++;
	}
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return fail_at(j, s, "bad number");
	if (*j->p == '0') {
		j->p++;
		if (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			return fail_at(j, s, "leading zero in a number");
	} else {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && *j->p == '.') {
		integer = false;
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return fail_at(j, s, "bad fraction in a number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		integer = false;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return fail_at(j, s, "bad exponent in a number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	n = (size_t)(j->p - s);
	if (n > NUMBER_MAX_LEN)
		return fail_at(j, s, "number longer than %d characters", NUMBER_MAX_LEN);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (integer) {
		uint64_t v = 0;

		for (const char *d = buf + (neg ? 1 : 0); *d != '\0'; d++) {
			if (v > (UINT64_MAX - (uint64_t)(*d - '0')) / 10)
				return fail_at(j, s, "integer out of range");
			v = v * 10 + (uint64_t)(*d - '0');
		}
		if (!neg) {
			tsr_cbor_put_uint(enc, v);
		} else if (v == 0) {
			tsr_cbor_put_uint(enc, 0);
		} else {
			if (v > (uint64_t)INT64_MAX + 1)
				return fail_at(j, s, "integer out of range");
			tsr_cbor_put_int(enc, v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v);
		}
	} else {
		/* The grammar above is C's too; strtod() then only converts. Its
		 * decimal point follows LC_NUMERIC, which the tools never change. */
		double d = strtod(buf, NULL);

		if (!isfinite(d))
			return fail_at(j, s, "number out of range");
		tsr_cbor_put_float(enc, d);
	}
	return TSR_OK;
}

static int parse_value(jp_t *j, tsr_cbor_enc_t *enc);

static bool
literal(jp_t *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return false;
	j->p += n;
	return true;
}

static int
parse_array(jp_t *j, tsr_cbor_enc_t *enc)
{
	tsr_cbor_enc_t items;
	size_t count = 0;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int r = TSR_ERR_INTERNAL;

	tsr_cbor_enc_init(&items);
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
	} else {
		for (;;) {
			if ((r = parse_value(j, &items)) != TSR_OK)
				goto out;
			count++;
			skip_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == ']') {
				j->p++;
				break;
			}
			r = fail_at(j, j->p, "expected ',' or ']'");
			goto out;
		}
	}
	if ((r = tsr_cbor_enc_finish(&items, &bytes, &len)) != TSR_OK)
		goto out;
	tsr_cbor_put_array(enc, count);
	if (count > 0)
		tsr_cbor_put_raw(enc, bytes, len);
	r = TSR_OK;
out:
	free(bytes);
	tsr_cbor_enc_free(&items);
	return r;
}

static int
typed_value(jp_t *j, const char *at, const tsr_buf_t *key, const tsr_buf_t *text,
    tsr_cbor_enc_t *enc)
{
	const char *k = (const char *)key->ptr;
	const char *str = text->ptr != NULL ? (const char *)text->ptr : "";
	uint8_t *bytes = NULL;
	size_t n = 0;
	int y, m, d, r;
	int64_t t;
	char *hex;

	if (key->len == 10 && memcmp(k, "$full-date", 10) == 0) {
		if (!tsr_full_date_parse((const uint8_t *)str, text->len, &y, &m, &d))
			return fail_at(j, at, "$full-date needs a date \"YYYY-MM-DD\"");
		tsr_cbor_put_tag(enc, 1004);
		tsr_cbor_put_tstr_n(enc, (const char *)text->ptr, text->len);
		return TSR_OK;
	}
	if (key->len == 6 && memcmp(k, "$tdate", 6) == 0) {
		if (!tsr_tdate_parse((const uint8_t *)str, text->len, &t))
			return fail_at(j, at, "$tdate needs \"YYYY-MM-DDThh:mm:ssZ\"");
		tsr_cbor_put_tag(enc, 0);
		tsr_cbor_put_tstr_n(enc, (const char *)text->ptr, text->len);
		return TSR_OK;
	}
	if (key->len == 6 && memcmp(k, "$bytes", 6) == 0) {
		if ((hex = strndup(str, text->len)) == NULL)
			return TSR_ERR_NO_MEMORY;
		r = text->len % 2 == 0 ? tsr_hex_decode(hex, &bytes, &n) : TSR_ERR_INVALID_ARGUMENT;
		free(hex);
		if (r == TSR_ERR_NO_MEMORY)
			return r;
		if (r != TSR_OK)
			return fail_at(j, at, "$bytes needs an even number of hex digits");
		tsr_cbor_put_bstr(enc, bytes, n);
		free(bytes);
		return TSR_OK;
	}
	if (key->len == 4 && memcmp(k, "$b64", 4) == 0) {
		r = tsr_base64_decode(str, text->len, &bytes, &n);
		if (r == TSR_ERR_NO_MEMORY)
			return r;
		if (r != TSR_OK)
			return fail_at(j, at, "$b64 needs base64 (RFC 4648 section 4)");
		tsr_cbor_put_bstr(enc, bytes, n);
		free(bytes);
		return TSR_OK;
	}
	return fail_at(j, at, "unknown typed value \"%.*s\" (use $full-date, $tdate, $bytes or $b64)",
	    (int)(key->len < 40 ? key->len : 40), k);
}

typedef struct member {
	tsr_buf_t key;
	size_t key_start, key_len;   /* in the entries encoder */
	size_t value_start, value_len;
} member_t;

static int
parse_object(jp_t *j, tsr_cbor_enc_t *enc)
{
	const char *open = j->p;
	tsr_cbor_enc_t entries;
	member_t *m = NULL;
	tsr_span_t *spans = NULL;
	size_t n = 0, cap = 0;
	int r = TSR_ERR_INTERNAL;

	tsr_cbor_enc_init(&entries);
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
	} else {
		for (;;) {
			const char *key_at;

			skip_ws(j);
			if (j->p >= j->end || *j->p != '"') {
				r = fail_at(j, j->p, "expected a string key");
				goto out;
			}
			if (n == cap) {
				member_t *nm;

				if (cap >= OBJECT_MAX_MEMBERS) {
					r = fail_at(j, j->p, "object has too many members");
					goto out;
				}
				cap = cap ? cap * 2 : 8;
				if ((nm = realloc(m, cap * sizeof(*m))) == NULL) {
					r = TSR_ERR_NO_MEMORY;
					goto out;
				}
				m = nm;
			}
			memset(&m[n], 0, sizeof(m[n]));
			tsr_buf_init(&m[n].key);
			n++;
			key_at = j->p;
			if ((r = parse_string(j, &m[n - 1].key)) != TSR_OK)
				goto out;
			for (size_t i = 0; i + 1 < n; i++) {
				if (m[i].key.len == m[n - 1].key.len && (m[i].key.len == 0 ||
				    memcmp(m[i].key.ptr, m[n - 1].key.ptr, m[i].key.len) == 0)) {
					r = fail_at(j, key_at, "duplicate key \"%.*s\"",
					    (int)(m[i].key.len < 60 ? m[i].key.len : 60),
					    (const char *)m[i].key.ptr);
					goto out;
				}
			}
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				r = fail_at(j, j->p, "expected ':'");
				goto out;
			}
			j->p++;
			skip_ws(j);
			if (j->typed && m[n - 1].key.len > 0 && m[n - 1].key.ptr[0] == '$') {
				tsr_buf_t text;

				/* A typed value: {"$type": "text"} and nothing else. */
				if (n != 1) {
					r = fail_at(j, key_at, "a typed value object has exactly one key");
					goto out;
				}
				if (j->p >= j->end || *j->p != '"') {
					r = fail_at(j, j->p, "a typed value is a string");
					goto out;
				}
				tsr_buf_init(&text);
				r = parse_string(j, &text);
				if (r == TSR_OK) {
					skip_ws(j);
					if (j->p >= j->end || *j->p != '}')
						r = fail_at(j, key_at,
						    "a typed value object has exactly one key");
					else
						j->p++;
				}
				if (r == TSR_OK)
					r = typed_value(j, key_at, &m[0].key, &text, enc);
				tsr_buf_free(&text);
				goto out;
			}
			m[n - 1].key_start = entries.buf.len;
			tsr_cbor_put_tstr_n(&entries, (const char *)m[n - 1].key.ptr, m[n - 1].key.len);
			m[n - 1].key_len = entries.buf.len - m[n - 1].key_start;
			m[n - 1].value_start = entries.buf.len;
			if ((r = parse_value(j, &entries)) != TSR_OK)
				goto out;
			m[n - 1].value_len = entries.buf.len - m[n - 1].value_start;
			skip_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == '}') {
				j->p++;
				break;
			}
			r = fail_at(j, j->p, "expected ',' or '}'");
			goto out;
		}
	}
	if (entries.error != TSR_OK) {
		r = entries.error;
		goto out;
	}
	if (n > 0 && (spans = calloc(2 * n, sizeof(*spans))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		spans[2 * i].ptr = entries.buf.ptr + m[i].key_start;
		spans[2 * i].len = m[i].key_len;
		spans[2 * i + 1].ptr = entries.buf.ptr + m[i].value_start;
		spans[2 * i + 1].len = m[i].value_len;
	}
	tsr_cbor_put_sorted_map(enc, spans, n);
	r = enc->error == TSR_ERR_CBOR_DUPLICATE_KEY ? fail_at(j, open, "duplicate key") : TSR_OK;
out:
	for (size_t i = 0; i < n; i++)
		tsr_buf_free(&m[i].key);
	free(m);
	free(spans);
	tsr_cbor_enc_free(&entries);
	return r;
}

static int
parse_value(jp_t *j, tsr_cbor_enc_t *enc)
{
	tsr_buf_t s;
	int r;

	skip_ws(j);
	if (j->p >= j->end)
		return fail_at(j, j->p, "unexpected end of input");
	switch (*j->p) {
	case '{':
	case '[':
		if (++j->depth > TSR_CLAIMS_JSON_DEPTH) {
			fail_at(j, j->p, "nested deeper than %d", TSR_CLAIMS_JSON_DEPTH);
			return TSR_ERR_LIMIT;
		}
		r = *j->p == '{' ? parse_object(j, enc) : parse_array(j, enc);
		j->depth--;
		return r;
	case '"':
		tsr_buf_init(&s);
		if ((r = parse_string(j, &s)) == TSR_OK)
			tsr_cbor_put_tstr_n(enc, (const char *)s.ptr, s.len);
		tsr_buf_free(&s);
		return r;
	case 't':
		if (!literal(j, "true"))
			break;
		tsr_cbor_put_bool(enc, true);
		return TSR_OK;
	case 'f':
		if (!literal(j, "false"))
			break;
		tsr_cbor_put_bool(enc, false);
		return TSR_OK;
	case 'n':
		if (!literal(j, "null"))
			break;
		tsr_cbor_put_null(enc);
		return TSR_OK;
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return parse_number(j, enc);
		break;
	}
	return fail_at(j, j->p, "unexpected character");
}

static char *
error_text(const jp_t *j)
{
	size_t line = 1, col = 1;
	char *s = NULL;

	for (const char *c = j->start; c < j->err_at && c < j->end; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (asprintf(&s, "line %zu, column %zu: %s", line, col, j->err) < 0)
		return NULL;
	return s;
}

int
tsr_json_to_cbor(const char *json, size_t len, bool typed, uint8_t **ret_ptr, size_t *ret_len,
    char **ret_error)
{
	tsr_cbor_enc_t enc;
	jp_t j;
	int r = TSR_ERR_INTERNAL;

	tsr_cbor_enc_init(&enc);
	memset(&j, 0, sizeof(j));
	if ((json == NULL && len > 0) || ret_ptr == NULL || ret_len == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	j.start = j.p = json;
	j.end = json + len;
	j.typed = typed;
	if (len > TSR_CLAIMS_JSON_MAX) {
		fail_at(&j, j.p, "larger than %zu bytes", TSR_CLAIMS_JSON_MAX);
		r = TSR_ERR_LIMIT;
		goto out;
	}
	/* A UTF-8 byte order mark is not JSON (RFC 8259 §8.1). */
	if ((r = parse_value(&j, &enc)) != TSR_OK)
		goto out;
	skip_ws(&j);
	if (j.p != j.end) {
		r = fail_at(&j, j.p, "text after the JSON value");
		goto out;
	}
	r = tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
out:
	if (r != TSR_OK && j.err[0] != '\0' && ret_error != NULL)
		*ret_error = error_text(&j);
	tsr_cbor_enc_free(&enc);
	return r;
}

/* --- Small text helpers shared by the issuer --- */

static bool
digits(const uint8_t *p, size_t n, int *ret)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*ret = v;
	return true;
}

bool
tsr_full_date_parse(const uint8_t *p, size_t len, int *ret_y, int *ret_m, int *ret_d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, max;

	if (p == NULL || len != 10 || p[4] != '-' || p[7] != '-' || !digits(p, 4, &y) ||
	    !digits(p + 5, 2, &m) || !digits(p + 8, 2, &d) || m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		max = 29;
	if (d > max)
		return false;
	*ret_y = y;
	*ret_m = m;
	*ret_d = d;
	return true;
}

bool
tsr_tdate_parse(const uint8_t *p, size_t len, int64_t *ret_time)
{
	char buf[21], again[21];
	int64_t t;

	if (p == NULL || len != 20 || p[10] != 'T' || p[19] != 'Z')
		return false;
	memcpy(buf, p, 20);
	buf[20] = '\0';
	if (tsr_time_parse(buf, &t) != TSR_OK || tsr_time_format(t, again) != TSR_OK ||
	    strcmp(buf, again) != 0)
		return false;
	*ret_time = t;
	return true;
}

void
tsr_json_put_string(tsr_buf_t *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	(void)tsr_buf_append_byte(out, '"');
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c == '"' || c == '\\') {
			(void)tsr_buf_append_byte(out, '\\');
			(void)tsr_buf_append_byte(out, c);
		} else if (c < 0x20 || c == 0x7f) {
			char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };

			(void)tsr_buf_append(out, esc, 6);
		} else {
			(void)tsr_buf_append_byte(out, c);
		}
	}
	(void)tsr_buf_append_byte(out, '"');
}
