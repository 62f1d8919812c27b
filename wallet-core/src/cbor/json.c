/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Typed JSON for data element values (codec.h). Numbers and text strings
 * are rendered by diag.c, whose output for them is already valid JSON.
 */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <tessera/err.h>

#include "cbor/codec.h"

/* Integers beyond this magnitude lose precision in an IEEE double. */
#define JSON_SAFE_INT ((uint64_t)1 << 53)

static int
put_str(tsr_buf_t *out, const char *s)
{
	return tsr_buf_append(out, s, strlen(s));
}

/* A JSON string holding the UTF-8 bytes [ptr, ptr + len). */
static int
put_json_string(tsr_buf_t *out, const uint8_t *ptr, size_t len)
{
	tsr_cbor_item_t text = { .type = TSR_CBOR_TSTR };

	text.u.str.ptr = ptr;
	text.u.str.len = len;
	return tsr_cbor_diag(&text, false, out);
}

/* {"<name>": <the diagnostic text of item>}; the text is a JSON value. */
static int
put_wrapped(tsr_buf_t *out, const char *name, const tsr_cbor_item_t *item)
{
	int r;

	if ((r = put_str(out, "{\"")) != TSR_OK || (r = put_str(out, name)) != TSR_OK ||
	    (r = put_str(out, "\":")) != TSR_OK ||
	    (r = tsr_cbor_diag(item, false, out)) != TSR_OK)
		return r;
	return put_str(out, "}");
}

/* A map key that is not text: its diagnostic notation as a JSON string. */
static int
put_key(tsr_buf_t *out, const tsr_cbor_item_t *key)
{
	tsr_buf_t text;
	int r;

	if (key->type == TSR_CBOR_TSTR)
		return tsr_cbor_diag(key, false, out);
	tsr_buf_init(&text);
	if ((r = tsr_cbor_diag(key, false, &text)) == TSR_OK)
		r = put_json_string(out, text.ptr, text.len);
	tsr_buf_free(&text);
	return r;
}

static int
put_integer(tsr_buf_t *out, const tsr_cbor_item_t *item)
{
	char num[48];
	int r;

	/* UINT holds the value, NEGINT holds n for -1 - n: |value| = n + 1. */
	if (item->type == TSR_CBOR_UINT ? item->u.uint <= JSON_SAFE_INT
					: item->u.uint < JSON_SAFE_INT)
		return tsr_cbor_diag(item, false, out);
	if ((r = put_str(out, "{\"$int\":\"")) != TSR_OK)
		return r;
	if (item->type == TSR_CBOR_UINT)
		snprintf(num, sizeof(num), "%" PRIu64, item->u.uint);
	else if (item->u.uint == UINT64_MAX)
		snprintf(num, sizeof(num), "-18446744073709551616");
	else
		snprintf(num, sizeof(num), "-%" PRIu64, item->u.uint + 1);
	if ((r = put_str(out, num)) != TSR_OK)
		return r;
	return put_str(out, "\"}");
}

static int
put_float(tsr_buf_t *out, const tsr_cbor_item_t *item)
{
	double v = item->u.fp;

	if (isnan(v))
		return put_str(out, "{\"$float\":\"NaN\"}");
	if (isinf(v))
		return put_str(out, v < 0 ? "{\"$float\":\"-Infinity\"}"
					  : "{\"$float\":\"Infinity\"}");
	return tsr_cbor_diag(item, false, out);
}

static int
render(tsr_buf_t *out, const tsr_cbor_item_t *item)
{
	const tsr_cbor_item_t *content;
	char num[32];
	int r;

	switch (item->type) {
	case TSR_CBOR_UINT:
	case TSR_CBOR_NEGINT:
		return put_integer(out, item);
	case TSR_CBOR_BSTR:
		/* diag gives h'<hex>': keep the hex only. */
		if ((r = put_str(out, "{\"$bytes\":\"")) != TSR_OK ||
		    (r = tsr_buf_reserve(out, 2 * item->u.str.len)) != TSR_OK)
			return r;
		for (size_t i = 0; i < item->u.str.len; i++) {
			static const char digits[] = "0123456789abcdef";
			out->ptr[out->len++] = (uint8_t)digits[item->u.str.ptr[i] >> 4];
			out->ptr[out->len++] = (uint8_t)digits[item->u.str.ptr[i] & 0x0f];
		}
		return put_str(out, "\"}");
	case TSR_CBOR_TSTR:
		return tsr_cbor_diag(item, false, out);
	case TSR_CBOR_ARRAY:
		if ((r = put_str(out, "[")) != TSR_OK)
			return r;
		for (size_t i = 0; i < item->u.list.count; i++) {
			if ((i > 0 && (r = put_str(out, ",")) != TSR_OK) ||
			    (r = render(out, &item->u.list.items[i])) != TSR_OK)
				return r;
		}
		return put_str(out, "]");
	case TSR_CBOR_MAP:
		if ((r = put_str(out, "{")) != TSR_OK)
			return r;
		for (size_t i = 0; i < item->u.list.count; i++) {
			if ((i > 0 && (r = put_str(out, ",")) != TSR_OK) ||
			    (r = put_key(out, tsr_cbor_map_key(item, i))) != TSR_OK ||
			    (r = put_str(out, ":")) != TSR_OK ||
			    (r = render(out, tsr_cbor_map_value(item, i))) != TSR_OK)
				return r;
		}
		return put_str(out, "}");
	case TSR_CBOR_TAG:
		content = item->u.tag.content;
		/* full-date = #6.1004(tstr), tdate = #6.0(tstr) (RFC 8943, 8949) */
		if (item->u.tag.number == 1004 && content->type == TSR_CBOR_TSTR)
			return put_wrapped(out, "$full-date", content);
		if (item->u.tag.number == 0 && content->type == TSR_CBOR_TSTR)
			return put_wrapped(out, "$tdate", content);
		snprintf(num, sizeof(num), "%" PRIu64, item->u.tag.number);
		if ((r = put_str(out, "{\"$tag\":")) != TSR_OK ||
		    (r = put_str(out, num)) != TSR_OK ||
		    (r = put_str(out, ",\"value\":")) != TSR_OK ||
		    (r = render(out, content)) != TSR_OK)
			return r;
		return put_str(out, "}");
	case TSR_CBOR_FALSE:
		return put_str(out, "false");
	case TSR_CBOR_TRUE:
		return put_str(out, "true");
	case TSR_CBOR_NULL:
		return put_str(out, "null");
	case TSR_CBOR_UNDEFINED:
		return put_str(out, "{\"$undefined\":true}");
	case TSR_CBOR_FLOAT:
		return put_float(out, item);
	}
	return TSR_ERR_INTERNAL;
}

int
tsr_cbor_json(const tsr_cbor_item_t *item, tsr_buf_t *out)
{
	if (item == NULL || out == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	return render(out, item);
}
