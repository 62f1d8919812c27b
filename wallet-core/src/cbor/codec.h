/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Strict CBOR (RFC 8949) decoding into a read-only tree, and preferred-form
 * encoding. The only module that calls libcbor.
 *
 * Decoding accepts only what we are prepared to sign or hash over: definite
 * lengths, integers, lengths and tags in their shortest form, no duplicate
 * map keys, valid UTF-8 text, the simple values false/true/null/undefined,
 * and nothing after the top-level item. Floats are accepted at any width:
 * 18013-5 structures carry none, and element values from other encoders
 * often use double precision. Every item remembers its exact received
 * bytes (`raw`), so digests and signatures are computed over what was sent,
 * never over a re-encoding.
 */
#ifndef TSR_CBOR_CODEC_H
#define TSR_CBOR_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef enum tsr_cbor_type {
	TSR_CBOR_UINT,
	TSR_CBOR_NEGINT,
	TSR_CBOR_BSTR,
	TSR_CBOR_TSTR,
	TSR_CBOR_ARRAY,
	TSR_CBOR_MAP,
	TSR_CBOR_TAG,
	TSR_CBOR_FALSE,
	TSR_CBOR_TRUE,
	TSR_CBOR_NULL,
	TSR_CBOR_UNDEFINED,
	TSR_CBOR_FLOAT,
} tsr_cbor_type_t;

typedef struct tsr_cbor_item tsr_cbor_item_t;

struct tsr_cbor_item {
	tsr_cbor_type_t type;
	/* The item's complete encoding (head and content) inside the document. */
	tsr_span_t raw;
	union {
		/* UINT: the value. NEGINT: n, where the value is -1 - n. */
		uint64_t uint;
		/* BSTR and TSTR: the content bytes (TSTR is not NUL-terminated). */
		tsr_span_t str;
		/* ARRAY: count items. MAP: 2 * count items, key then value. */
		struct {
			const tsr_cbor_item_t *items;
			size_t count;
		} list;
		struct {
			uint64_t number;
			const tsr_cbor_item_t *content;
		} tag;
		double fp;
	} u;
};

typedef struct tsr_cbor_limits {
	size_t max_input;   /* bytes of input */
	unsigned max_depth; /* nesting of arrays, maps and tags; the root is depth 1 */
	size_t max_items;   /* items in the whole document */
	size_t max_length;  /* bytes of a string, elements of an array or pairs of a map */
} tsr_cbor_limits_t;

/* 16 MiB input, depth 32, 262144 items; strings, arrays and maps bounded
 * only by the input (max_length = 16 MiB). */
extern const tsr_cbor_limits_t tsr_cbor_default_limits;

/* A decoded document: a private copy of the input plus the item tree. */
typedef struct tsr_cbor_doc tsr_cbor_doc_t;

/*
 * Decodes exactly one item filling all of [ptr, ptr + len).
 * limits may be NULL for tsr_cbor_default_limits. Returns TSR_OK or one of
 * TSR_ERR_CBOR_* (TRUNCATED, TRAILING, INDEFINITE, DUPLICATE_KEY,
 * NOT_PREFERRED, DEPTH, MALFORMED, TOO_LARGE, BAD_UTF8, UNSUPPORTED_SIMPLE),
 * TSR_ERR_LIMIT or TSR_ERR_NO_MEMORY; *ret_doc is untouched on failure.
 */
int tsr_cbor_decode(const uint8_t *ptr, size_t len, const tsr_cbor_limits_t *limits,
    tsr_cbor_doc_t **ret_doc);

/* Decodes the content of `#6.24(bstr .cbor X)`: item must be tag 24 over a
 * byte string (TSR_ERR_CBOR_TYPE otherwise). */
int tsr_cbor_decode_embedded(const tsr_cbor_item_t *item, const tsr_cbor_limits_t *limits,
    tsr_cbor_doc_t **ret_doc);

const tsr_cbor_item_t *tsr_cbor_doc_root(const tsr_cbor_doc_t *doc);
void tsr_cbor_doc_free(tsr_cbor_doc_t *doc);

/* --- Accessors (all accept NULL and then return NULL/false) --- */

static inline const tsr_cbor_item_t *
tsr_cbor_map_key(const tsr_cbor_item_t *map, size_t i)
{
	return &map->u.list.items[2 * i];
}

static inline const tsr_cbor_item_t *
tsr_cbor_map_value(const tsr_cbor_item_t *map, size_t i)
{
	return &map->u.list.items[2 * i + 1];
}

/* The value for a text-string key, or NULL (also when map is not a map). */
const tsr_cbor_item_t *tsr_cbor_map_find_tstr(const tsr_cbor_item_t *map, const char *key);
/* The value for an integer key, or NULL. */
const tsr_cbor_item_t *tsr_cbor_map_find_int(const tsr_cbor_item_t *map, int64_t key);
/* True when every key of map is a text string in the NULL-terminated list,
 * or an integer in ints[0..n_ints). */
bool tsr_cbor_map_keys_within(const tsr_cbor_item_t *map, const char *const *tstr_keys,
    const int64_t *int_keys, size_t n_int_keys);

bool tsr_cbor_is(const tsr_cbor_item_t *item, tsr_cbor_type_t type);
/* UINT or NEGINT whose value fits in int64_t. */
bool tsr_cbor_get_int(const tsr_cbor_item_t *item, int64_t *ret_value);
/* A TSTR equal to the NUL-terminated s. */
bool tsr_cbor_tstr_eq(const tsr_cbor_item_t *item, const char *s);
/* NUL-terminated copy of a TSTR; TSR_ERR_CBOR_TYPE if not a TSTR or if it
 * holds a NUL byte. */
int tsr_cbor_tstr_dup(const tsr_cbor_item_t *item, char **ret_str);
/* The content of a tag with the given number, or NULL. */
const tsr_cbor_item_t *tsr_cbor_untag(const tsr_cbor_item_t *item, uint64_t number);
/* Deep equality of two items by their encodings (both are strict, so equal
 * values have equal bytes). */
bool tsr_cbor_equal(const tsr_cbor_item_t *a, const tsr_cbor_item_t *b);

/* --- Encoding --- */

/*
 * An encoder appends items in preferred (shortest) form. Errors are sticky:
 * after the first failure every call is a no-op and tsr_cbor_enc_finish()
 * reports it, so callers check once at the end.
 */
typedef struct tsr_cbor_enc {
	tsr_buf_t buf;
	int error;
} tsr_cbor_enc_t;

void tsr_cbor_enc_init(tsr_cbor_enc_t *enc);
void tsr_cbor_enc_free(tsr_cbor_enc_t *enc);
/* Hands the bytes to the caller (free()) or returns the sticky error. */
int tsr_cbor_enc_finish(tsr_cbor_enc_t *enc, uint8_t **ret_ptr, size_t *ret_len);

void tsr_cbor_put_uint(tsr_cbor_enc_t *enc, uint64_t value);
void tsr_cbor_put_int(tsr_cbor_enc_t *enc, int64_t value);
void tsr_cbor_put_bstr(tsr_cbor_enc_t *enc, const uint8_t *ptr, size_t len);
void tsr_cbor_put_tstr(tsr_cbor_enc_t *enc, const char *str);
void tsr_cbor_put_tstr_n(tsr_cbor_enc_t *enc, const char *ptr, size_t len);
void tsr_cbor_put_array(tsr_cbor_enc_t *enc, size_t count);
void tsr_cbor_put_map(tsr_cbor_enc_t *enc, size_t pairs);
void tsr_cbor_put_tag(tsr_cbor_enc_t *enc, uint64_t number);
void tsr_cbor_put_bool(tsr_cbor_enc_t *enc, bool value);
void tsr_cbor_put_null(tsr_cbor_enc_t *enc);
/* Shortest of half/single/double that keeps the value exactly. */
void tsr_cbor_put_float(tsr_cbor_enc_t *enc, double value);
/* Appends an item that is already encoded (e.g. received raw bytes). */
void tsr_cbor_put_raw(tsr_cbor_enc_t *enc, const uint8_t *ptr, size_t len);
/* Appends #6.24(bstr .cbor X) for the encoded X in [ptr, ptr + len). */
void tsr_cbor_put_embedded(tsr_cbor_enc_t *enc, const uint8_t *ptr, size_t len);

/*
 * Appends a map whose entries are given already encoded, ordered per
 * RFC 8949 §4.2.1 (bytewise lexicographic order of the encoded keys).
 * entries holds 2 * pairs spans: key, value, key, value, ...
 * Sets TSR_ERR_CBOR_DUPLICATE_KEY when two keys are equal.
 */
void tsr_cbor_put_sorted_map(tsr_cbor_enc_t *enc, const tsr_span_t *entries, size_t pairs);

/* --- Text forms (diag.c, json.c) --- */

/* RFC 8949 §8 diagnostic notation, appended to out (which may hold partial
 * text on failure). With expand_embedded, the content of every tag-24 byte
 * string is shown decoded as <<...>>. */
int tsr_cbor_diag(const tsr_cbor_item_t *item, bool expand_embedded, tsr_buf_t *out);

/*
 * JSON for a data element value. Plain JSON where it maps one to one; typed
 * values are wrapped: {"$full-date": "YYYY-MM-DD"} (tag 1004),
 * {"$tdate": "...Z"} (tag 0), {"$bytes": "<hex>"}, {"$tag": n, "value": ...},
 * {"$undefined": true}, {"$int": "<decimal>"} for integers beyond ±2^53.
 * Map keys that are not text become their diagnostic text (so 1 and "1"
 * give the same JSON key). Appended to out, like tsr_cbor_diag().
 */
int tsr_cbor_json(const tsr_cbor_item_t *item, tsr_buf_t *out);

#endif /* TSR_CBOR_CODEC_H */
