/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Strict decoder. libcbor's stream decoder reads one item head per call; we
 * enforce what it lets through (indefinite lengths, non-shortest heads,
 * duplicate keys, bad UTF-8, trailing bytes) and build our own tree, so every
 * item keeps a span of its exact received bytes.
 *
 * Two passes over the input: the first validates and counts items, the
 * second fills one array of exactly that many items. Nothing is allocated in
 * proportion to a length the input merely claims.
 */

#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include <tessera/err.h>

#include "cbor/codec.h"

const tsr_cbor_limits_t tsr_cbor_default_limits = {
	.max_input = (size_t)16 * 1024 * 1024,
	.max_depth = 32,
	.max_items = 262144,
	.max_length = (size_t)16 * 1024 * 1024,
};

struct tsr_cbor_doc {
	uint8_t *bytes;
	size_t len;
	tsr_cbor_item_t *items;
	size_t n_items;
};

enum head_kind {
	HEAD_NONE,
	HEAD_UINT,
	HEAD_NEGINT,
	HEAD_BSTR,
	HEAD_TSTR,
	HEAD_ARRAY,
	HEAD_MAP,
	HEAD_TAG,
	HEAD_FLOAT,
	HEAD_FALSE,
	HEAD_TRUE,
	HEAD_NULL,
	HEAD_UNDEFINED,
	HEAD_INDEFINITE, /* any indefinite-length start or a break */
};

/* What the libcbor callback saw for one head. */
struct head {
	enum head_kind kind;
	uint64_t value; /* integer, tag number, string length or entry count */
	const uint8_t *data;
	double fp;
};

struct decoder {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	const tsr_cbor_limits_t *limits;
	size_t n_items;           /* items seen so far in this pass */
	tsr_cbor_item_t *items;   /* NULL in the counting pass */
	size_t next_free;         /* next unused slot of items */
};

#define HEAD(ctx) ((struct head *)(ctx))

static void on_uint8(void *c, uint8_t v) { HEAD(c)->kind = HEAD_UINT; HEAD(c)->value = v; }
static void on_uint16(void *c, uint16_t v) { HEAD(c)->kind = HEAD_UINT; HEAD(c)->value = v; }
static void on_uint32(void *c, uint32_t v) { HEAD(c)->kind = HEAD_UINT; HEAD(c)->value = v; }
static void on_uint64(void *c, uint64_t v) { HEAD(c)->kind = HEAD_UINT; HEAD(c)->value = v; }
static void on_negint8(void *c, uint8_t v) { HEAD(c)->kind = HEAD_NEGINT; HEAD(c)->value = v; }
static void on_negint16(void *c, uint16_t v) { HEAD(c)->kind = HEAD_NEGINT; HEAD(c)->value = v; }
static void on_negint32(void *c, uint32_t v) { HEAD(c)->kind = HEAD_NEGINT; HEAD(c)->value = v; }
static void on_negint64(void *c, uint64_t v) { HEAD(c)->kind = HEAD_NEGINT; HEAD(c)->value = v; }

static void
on_bstr(void *c, cbor_data data, uint64_t len)
{
	HEAD(c)->kind = HEAD_BSTR;
	HEAD(c)->data = data;
	HEAD(c)->value = len;
}

static void
on_tstr(void *c, cbor_data data, uint64_t len)
{
	HEAD(c)->kind = HEAD_TSTR;
	HEAD(c)->data = data;
	HEAD(c)->value = len;
}

static void on_array(void *c, uint64_t n) { HEAD(c)->kind = HEAD_ARRAY; HEAD(c)->value = n; }
static void on_map(void *c, uint64_t n) { HEAD(c)->kind = HEAD_MAP; HEAD(c)->value = n; }
static void on_tag(void *c, uint64_t n) { HEAD(c)->kind = HEAD_TAG; HEAD(c)->value = n; }
static void on_float(void *c, float v) { HEAD(c)->kind = HEAD_FLOAT; HEAD(c)->fp = (double)v; }
static void on_double(void *c, double v) { HEAD(c)->kind = HEAD_FLOAT; HEAD(c)->fp = v; }
static void on_null(void *c) { HEAD(c)->kind = HEAD_NULL; }
static void on_undefined(void *c) { HEAD(c)->kind = HEAD_UNDEFINED; }
static void on_bool(void *c, bool v) { HEAD(c)->kind = v ? HEAD_TRUE : HEAD_FALSE; }
static void on_indefinite(void *c) { HEAD(c)->kind = HEAD_INDEFINITE; }

static const struct cbor_callbacks head_callbacks = {
	.uint8 = on_uint8,
	.uint16 = on_uint16,
	.uint32 = on_uint32,
	.uint64 = on_uint64,
	.negint8 = on_negint8,
	.negint16 = on_negint16,
	.negint32 = on_negint32,
	.negint64 = on_negint64,
	/* libcbor 0.8's field comments are swapped; the types tell the truth:
	 * the string callbacks are the definite ones. */
	.byte_string = on_bstr,
	.byte_string_start = on_indefinite,
	.string = on_tstr,
	.string_start = on_indefinite,
	.array_start = on_array,
	.indef_array_start = on_indefinite,
	.map_start = on_map,
	.indef_map_start = on_indefinite,
	.tag = on_tag,
	.float2 = on_float,
	.float4 = on_float,
	.float8 = on_double,
	.undefined = on_undefined,
	.null = on_null,
	.boolean = on_bool,
	.indef_break = on_indefinite,
};

/* Length of the shortest head that carries argument v (RFC 8949 §4.2.1). */
static size_t
shortest_head_len(uint64_t v)
{
	if (v < 24)
		return 1;
	if (v <= UINT8_MAX)
		return 2;
	if (v <= UINT16_MAX)
		return 3;
	if (v <= UINT32_MAX)
		return 5;
	return 9;
}

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool
utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1fu;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0fu;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07u;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3fu);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static int
compare_spans(const void *a, const void *b)
{
	const tsr_span_t *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->ptr, y->ptr, n);

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Keys are strict, so equal keys have equal bytes. */
static int
check_duplicate_keys(const tsr_cbor_item_t *map)
{
	size_t n = map->u.list.count;
	tsr_span_t *keys;
	int r = TSR_OK;

	if (n < 2)
		return TSR_OK;
	if ((keys = calloc(n, sizeof(*keys))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < n; i++)
		keys[i] = tsr_cbor_map_key(map, i)->raw;
	qsort(keys, n, sizeof(*keys), compare_spans);
	for (size_t i = 1; i < n; i++) {
		if (compare_spans(&keys[i - 1], &keys[i]) == 0) {
			r = TSR_ERR_CBOR_DUPLICATE_KEY;
			break;
		}
	}
	free(keys);
	return r;
}

/* Reserves n consecutive slots for the children of a container. */
static int
take_children(struct decoder *d, uint64_t n, tsr_cbor_item_t **ret_children)
{
	if (n > d->limits->max_items || d->n_items > d->limits->max_items - n)
		return TSR_ERR_CBOR_TOO_LARGE;
	d->n_items += n;
	*ret_children = NULL;
	if (d->items != NULL) {
		*ret_children = &d->items[d->next_free];
		d->next_free += n;
	}
	return TSR_OK;
}

static int parse_item(struct decoder *d, unsigned depth, tsr_cbor_item_t *slot);

/* The head of a tag (major type 6): the argument in the initial byte or in
 * the 1, 2, 4 or 8 big-endian bytes after it. */
static int
read_tag_head(const uint8_t *p, size_t avail, struct head *h,
    struct cbor_decoder_result *res)
{
	uint8_t info = p[0] & 0x1f;
	size_t extra;

	if (info < 24)
		extra = 0;
	else if (info <= 27)
		extra = (size_t)1 << (info - 24);
	else
		return TSR_ERR_CBOR_MALFORMED; /* 28-30 reserved; a tag has no indefinite form */
	res->required = 0;
	if (avail < 1 + extra) {
		res->status = CBOR_DECODER_NEDATA;
		res->read = 0;
		return TSR_OK;
	}
	h->kind = HEAD_TAG;
	h->value = info < 24 ? info : 0;
	for (size_t i = 0; i < extra; i++)
		h->value = h->value << 8 | p[1 + i];
	res->status = CBOR_DECODER_FINISHED;
	res->read = 1 + extra;
	return TSR_OK;
}

static int
parse_children(struct decoder *d, unsigned depth, uint64_t n, tsr_cbor_item_t *slot)
{
	tsr_cbor_item_t *children;
	int r;

	/* Every item takes at least one byte: a count beyond what is left is
	 * a truncation, caught before any slot is reserved. */
	if (n > d->len - d->pos)
		return TSR_ERR_CBOR_TRUNCATED;
	if ((r = take_children(d, n, &children)) != TSR_OK)
		return r;
	for (uint64_t i = 0; i < n; i++)
		if ((r = parse_item(d, depth + 1, children ? &children[i] : NULL)) != TSR_OK)
			return r;
	if (slot != NULL)
		slot->u.list.items = children;
	return TSR_OK;
}

static int
parse_item(struct decoder *d, unsigned depth, tsr_cbor_item_t *slot)
{
	struct cbor_decoder_result res;
	struct head h = { .kind = HEAD_NONE };
	size_t start = d->pos;
	uint8_t initial;
	int r;

	if (depth > d->limits->max_depth)
		return TSR_ERR_CBOR_DEPTH;
	if (d->pos >= d->len)
		return TSR_ERR_CBOR_TRUNCATED;
	initial = d->buf[d->pos];
	/* Major type 7: only false, true, null, undefined and floats. */
	if ((initial >> 5) == 7 && ((initial & 0x1f) < 20 || (initial & 0x1f) == 24))
		return TSR_ERR_CBOR_UNSUPPORTED_SIMPLE;

	if ((initial >> 5) == 6) {
		/* libcbor 0.8 rejects tag numbers 6..20 in the initial byte
		 * (0xc6..0xd4) as "unassigned", which would refuse tagged
		 * COSE_Sign1 (18) and COSE_Mac0 (17): read tag heads here. */
		if ((r = read_tag_head(d->buf + d->pos, d->len - d->pos, &h, &res)) != TSR_OK)
			return r;
	} else {
		res = cbor_stream_decode(d->buf + d->pos, d->len - d->pos, &head_callbacks, &h);
	}
	if (res.status == CBOR_DECODER_NEDATA)
		return TSR_ERR_CBOR_TRUNCATED;
	if (res.status != CBOR_DECODER_FINISHED || h.kind == HEAD_NONE)
		return TSR_ERR_CBOR_MALFORMED;
	if (h.kind == HEAD_INDEFINITE)
		return TSR_ERR_CBOR_INDEFINITE;
	d->pos += res.read;

	switch (h.kind) {
	case HEAD_UINT:
	case HEAD_NEGINT:
	case HEAD_TAG:
	case HEAD_ARRAY:
	case HEAD_MAP:
		if (res.read != shortest_head_len(h.value))
			return TSR_ERR_CBOR_NOT_PREFERRED;
		break;
	case HEAD_BSTR:
	case HEAD_TSTR:
		if (res.read - h.value != shortest_head_len(h.value))
			return TSR_ERR_CBOR_NOT_PREFERRED;
		if (h.value > d->limits->max_length)
			return TSR_ERR_CBOR_TOO_LARGE;
		if (h.kind == HEAD_TSTR && !utf8_valid(h.data, (size_t)h.value))
			return TSR_ERR_CBOR_BAD_UTF8;
		break;
	default:
		break;
	}

	switch (h.kind) {
	case HEAD_ARRAY:
		if (h.value > d->limits->max_length)
			return TSR_ERR_CBOR_TOO_LARGE;
		if ((r = parse_children(d, depth, h.value, slot)) != TSR_OK)
			return r;
		break;
	case HEAD_MAP:
		if (h.value > d->limits->max_length || h.value > UINT64_MAX / 2)
			return TSR_ERR_CBOR_TOO_LARGE;
		if ((r = parse_children(d, depth, 2 * h.value, slot)) != TSR_OK)
			return r;
		break;
	case HEAD_TAG:
		if ((r = parse_children(d, depth, 1, slot)) != TSR_OK)
			return r;
		break;
	default:
		break;
	}

	if (slot == NULL)
		return TSR_OK;

	slot->raw.ptr = d->buf + start;
	slot->raw.len = d->pos - start;
	switch (h.kind) {
	case HEAD_UINT:
		slot->type = TSR_CBOR_UINT;
		slot->u.uint = h.value;
		break;
	case HEAD_NEGINT:
		slot->type = TSR_CBOR_NEGINT;
		slot->u.uint = h.value;
		break;
	case HEAD_BSTR:
	case HEAD_TSTR:
		slot->type = h.kind == HEAD_BSTR ? TSR_CBOR_BSTR : TSR_CBOR_TSTR;
		slot->u.str.ptr = h.data;
		slot->u.str.len = (size_t)h.value;
		break;
	case HEAD_ARRAY:
		slot->type = TSR_CBOR_ARRAY;
		slot->u.list.count = (size_t)h.value;
		break;
	case HEAD_MAP:
		slot->type = TSR_CBOR_MAP;
		slot->u.list.count = (size_t)h.value;
		if ((r = check_duplicate_keys(slot)) != TSR_OK)
			return r;
		break;
	case HEAD_TAG: {
		const tsr_cbor_item_t *content = slot->u.list.items;
		slot->type = TSR_CBOR_TAG;
		slot->u.tag.number = h.value;
		slot->u.tag.content = content;
		break;
	}
	case HEAD_FLOAT:
		slot->type = TSR_CBOR_FLOAT;
		slot->u.fp = h.fp;
		break;
	case HEAD_FALSE:
		slot->type = TSR_CBOR_FALSE;
		break;
	case HEAD_TRUE:
		slot->type = TSR_CBOR_TRUE;
		break;
	case HEAD_NULL:
		slot->type = TSR_CBOR_NULL;
		break;
	case HEAD_UNDEFINED:
		slot->type = TSR_CBOR_UNDEFINED;
		break;
	default:
		return TSR_ERR_INTERNAL;
	}
	return TSR_OK;
}

static int
run_pass(struct decoder *d)
{
	tsr_cbor_item_t *root = NULL;
	int r;

	d->pos = 0;
	d->n_items = 0;
	d->next_free = 0;
	if ((r = take_children(d, 1, &root)) != TSR_OK)
		return r;
	if ((r = parse_item(d, 1, root)) != TSR_OK)
		return r;
	if (d->pos != d->len)
		return TSR_ERR_CBOR_TRAILING;
	return TSR_OK;
}

void
tsr_cbor_doc_free(tsr_cbor_doc_t *doc)
{
	if (doc == NULL)
		return;
	/* Documents hold decrypted messages and keys: wipe them. */
	tsr_free_secret(doc->bytes, doc->len);
	tsr_free_secret(doc->items, doc->n_items * sizeof(*doc->items));
	free(doc);
}

int
tsr_cbor_decode(const uint8_t *ptr, size_t len, const tsr_cbor_limits_t *limits,
    tsr_cbor_doc_t **ret_doc)
{
	struct decoder d = { 0 };
	tsr_cbor_doc_t *doc = NULL;
	int r = TSR_ERR_INTERNAL;

	if ((ptr == NULL && len > 0) || ret_doc == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	d.limits = limits ? limits : &tsr_cbor_default_limits;
	if (len == 0) {
		r = TSR_ERR_CBOR_TRUNCATED;
		goto fail;
	}
	if (len > d.limits->max_input) {
		r = TSR_ERR_LIMIT;
		goto fail;
	}
	if ((doc = calloc(1, sizeof(*doc))) == NULL ||
	    (r = tsr_bytes_dup(ptr, len, &doc->bytes)) != TSR_OK) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	doc->len = len;
	d.buf = doc->bytes;
	d.len = len;

	if ((r = run_pass(&d)) != TSR_OK)
		goto fail;
	if ((doc->items = calloc(d.n_items, sizeof(*doc->items))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	doc->n_items = d.n_items;
	d.items = doc->items;
	if ((r = run_pass(&d)) != TSR_OK)
		goto fail;

	*ret_doc = doc;
	return TSR_OK;
fail:
	tsr_cbor_doc_free(doc);
	return r;
}

int
tsr_cbor_decode_embedded(const tsr_cbor_item_t *item, const tsr_cbor_limits_t *limits,
    tsr_cbor_doc_t **ret_doc)
{
	const tsr_cbor_item_t *content = tsr_cbor_untag(item, 24);

	if (content == NULL || content->type != TSR_CBOR_BSTR)
		return TSR_ERR_CBOR_TYPE;
	return tsr_cbor_decode(content->u.str.ptr, content->u.str.len, limits, ret_doc);
}

const tsr_cbor_item_t *
tsr_cbor_doc_root(const tsr_cbor_doc_t *doc)
{
	return doc ? &doc->items[0] : NULL;
}
