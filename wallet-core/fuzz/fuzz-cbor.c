/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The strict CBOR decoder, its text forms and the encoder. Besides crashes
 * and sanitizer reports, abort() marks a broken invariant:
 * - a document accepted under tight limits is accepted under the defaults;
 * - item spans tile the input: the root covers all of it, and re-encoding
 *   the tree item by item with the encoder gives back the input byte for
 *   byte (the decoder only accepts preferred form);
 * - every float survives tsr_cbor_put_float() and decoding unchanged;
 * - diagnostic and JSON text never hold raw control bytes.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "cbor/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Embedded documents inside embedded documents: enough to reach the MSO
 * inside IssuerAuth inside a DeviceResponse, bounded all the same. */
#define MAX_EMBEDDED_LEVELS 4

static const tsr_cbor_limits_t tiny_limits = {
	.max_input = 512,
	.max_depth = 4,
	.max_items = 32,
	.max_length = 16,
};

static void check_doc(const tsr_cbor_doc_t *doc, const uint8_t *data, size_t size,
    unsigned level);

static void
check_float(double v)
{
	tsr_cbor_enc_t enc;
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *item;
	uint8_t *ptr = NULL;
	size_t len = 0;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_float(&enc, v);
	if (tsr_cbor_enc_finish(&enc, &ptr, &len) != TSR_OK)
		return;
	if (tsr_cbor_decode(ptr, len, NULL, &doc) != TSR_OK)
		abort();
	item = tsr_cbor_doc_root(doc);
	if (item->type != TSR_CBOR_FLOAT)
		abort();
	if (isnan(v) ? !isnan(item->u.fp)
		     : (item->u.fp != v || signbit(item->u.fp) != signbit(v)))
		abort();
	tsr_cbor_doc_free(doc);
	free(ptr);
}

/* Writes item back through the encoder, one call per item. */
static void
reencode(tsr_cbor_enc_t *enc, const tsr_cbor_item_t *item)
{
	switch (item->type) {
	case TSR_CBOR_UINT:
		tsr_cbor_put_uint(enc, item->u.uint);
		break;
	case TSR_CBOR_NEGINT:
		/* put_int stops at INT64_MIN; CBOR goes on to -2^64. */
		if (item->u.uint <= (uint64_t)INT64_MAX)
			tsr_cbor_put_int(enc, -1 - (int64_t)item->u.uint);
		else
			tsr_cbor_put_raw(enc, item->raw.ptr, item->raw.len);
		break;
	case TSR_CBOR_BSTR:
		tsr_cbor_put_bstr(enc, item->u.str.ptr, item->u.str.len);
		break;
	case TSR_CBOR_TSTR:
		tsr_cbor_put_tstr_n(enc, (const char *)item->u.str.ptr, item->u.str.len);
		break;
	case TSR_CBOR_ARRAY:
		tsr_cbor_put_array(enc, item->u.list.count);
		for (size_t i = 0; i < item->u.list.count; i++)
			reencode(enc, &item->u.list.items[i]);
		break;
	case TSR_CBOR_MAP:
		tsr_cbor_put_map(enc, item->u.list.count);
		for (size_t i = 0; i < item->u.list.count; i++) {
			reencode(enc, tsr_cbor_map_key(item, i));
			reencode(enc, tsr_cbor_map_value(item, i));
		}
		break;
	case TSR_CBOR_TAG:
		tsr_cbor_put_tag(enc, item->u.tag.number);
		reencode(enc, item->u.tag.content);
		break;
	case TSR_CBOR_FALSE:
	case TSR_CBOR_TRUE:
		tsr_cbor_put_bool(enc, item->type == TSR_CBOR_TRUE);
		break;
	case TSR_CBOR_NULL:
		tsr_cbor_put_null(enc);
		break;
	case TSR_CBOR_UNDEFINED:
		tsr_cbor_put_raw(enc, item->raw.ptr, item->raw.len);
		break;
	case TSR_CBOR_FLOAT:
		/* The decoder takes any float width; only the value must hold. */
		check_float(item->u.fp);
		tsr_cbor_put_raw(enc, item->raw.ptr, item->raw.len);
		break;
	}
}

static void
check_text(const tsr_buf_t *text)
{
	for (size_t i = 0; i < text->len; i++)
		if (text->ptr[i] < 0x20)
			abort();
}

/* Text forms, accessors and embedded documents below item. */
static void
walk(const tsr_cbor_item_t *item, unsigned level)
{
	tsr_cbor_doc_t *inner = NULL;
	int64_t v;
	char *s = NULL;

	switch (item->type) {
	case TSR_CBOR_ARRAY:
		for (size_t i = 0; i < item->u.list.count; i++)
			walk(&item->u.list.items[i], level);
		break;
	case TSR_CBOR_MAP:
		(void)tsr_cbor_map_find_tstr(item, "docType");
		(void)tsr_cbor_map_find_int(item, 1);
		(void)tsr_cbor_map_find_int(item, -1);
		for (size_t i = 0; i < item->u.list.count; i++) {
			const tsr_cbor_item_t *key = tsr_cbor_map_key(item, i);

			/* Keys are unique, so lookups find this very entry. */
			if (tsr_cbor_get_int(key, &v) &&
			    tsr_cbor_map_find_int(item, v) != tsr_cbor_map_value(item, i))
				abort();
			if (tsr_cbor_tstr_dup(key, &s) == TSR_OK) {
				if (tsr_cbor_map_find_tstr(item, s) != tsr_cbor_map_value(item, i))
					abort();
				free(s);
			}
			walk(key, level);
			walk(tsr_cbor_map_value(item, i), level);
		}
		break;
	case TSR_CBOR_TSTR:
		if (tsr_cbor_tstr_dup(item, &s) == TSR_OK) {
			if (strlen(s) != item->u.str.len || !tsr_cbor_tstr_eq(item, s))
				abort();
			free(s);
		}
		break;
	case TSR_CBOR_TAG:
		walk(item->u.tag.content, level);
		if (item->u.tag.number == 24 && level < MAX_EMBEDDED_LEVELS &&
		    tsr_cbor_decode_embedded(item, NULL, &inner) == TSR_OK) {
			const tsr_cbor_item_t *content = item->u.tag.content;

			check_doc(inner, content->u.str.ptr, content->u.str.len, level + 1);
			tsr_cbor_doc_free(inner);
		}
		break;
	default:
		break;
	}
}

static void
check_doc(const tsr_cbor_doc_t *doc, const uint8_t *data, size_t size, unsigned level)
{
	const tsr_cbor_item_t *root = tsr_cbor_doc_root(doc);
	tsr_cbor_enc_t enc;
	tsr_buf_t text;
	uint8_t *ptr = NULL;
	size_t len = 0;

	if (root->raw.len != size || memcmp(root->raw.ptr, data, size) != 0 ||
	    !tsr_cbor_equal(root, root))
		abort();

	tsr_cbor_enc_init(&enc);
	reencode(&enc, root);
	if (tsr_cbor_enc_finish(&enc, &ptr, &len) == TSR_OK) {
		if (len != size || memcmp(ptr, data, size) != 0)
			abort();
		free(ptr);
	}

	for (int form = 0; form < 3; form++) {
		int r;

		tsr_buf_init(&text);
		r = form == 2 ? tsr_cbor_json(root, &text) : tsr_cbor_diag(root, form == 1, &text);
		if (r == TSR_OK)
			check_text(&text);
		tsr_buf_free(&text);
	}
	walk(root, level);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_cbor_doc_t *doc = NULL, *tiny = NULL;
	char *text = NULL;
	int r, r_tiny;

	r = tsr_cbor_decode(data, size, NULL, &doc);
	r_tiny = tsr_cbor_decode(data, size, &tiny_limits, &tiny);
	if (r_tiny == TSR_OK && r != TSR_OK)
		abort();
	if (r == TSR_OK)
		check_doc(doc, data, size, 0);
	if (r_tiny == TSR_OK)
		check_doc(tiny, data, size, 0);
	tsr_cbor_doc_free(doc);
	tsr_cbor_doc_free(tiny);

	/* The public entry points decode for themselves. */
	if (tsr_cbor_to_diagnostic(data, size, true, &text) == TSR_OK) {
		if (r != TSR_OK)
			abort();
		tsr_free(text);
	}
	if (tsr_cbor_to_json(data, size, &text) == TSR_OK) {
		if (r != TSR_OK)
			abort();
		tsr_free(text);
	}
	return 0;
}
