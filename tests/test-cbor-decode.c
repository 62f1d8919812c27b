/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The strict CBOR decoder (src/cbor/decode.c) and its accessors. */

#include <math.h>
#include <string.h>

#include <tessera/tessera.h>

#include "cbor/codec.h"
#include "test-support.h"

static const char *const annex_d_files[] = {
	"annex-d/device_engagement.cbor",
	"annex-d/device_engagement_in_transcript.cbor",
	"annex-d/device_request.cbor",
	"annex-d/device_response.cbor",
	"annex-d/e_device_key_bytes.cbor",
	"annex-d/issuer_signed.cbor",
	"annex-d/items_request.cbor",
	"annex-d/reader_auth.cbor",
	"annex-d/session_data.cbor",
	"annex-d/session_establishment.cbor",
	"annex-d/session_termination.cbor",
	"annex-d/session_transcript.cbor",
	"annex-d/session_transcript_bytes.cbor",
};

/* Decodes hex that must be accepted; free with tsr_cbor_doc_free(). */
static tsr_cbor_doc_t *
decode_hex(const char *hex)
{
	tsr_cbor_doc_t *doc = NULL;
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_hex(hex, &len);

	g_assert_cmpint(tsr_cbor_decode(bytes, len, NULL, &doc), ==, TSR_OK);
	g_assert_nonnull(doc);
	return doc;
}

static int
decode_hex_err(const char *hex, const tsr_cbor_limits_t *limits)
{
	tsr_cbor_doc_t *doc = (tsr_cbor_doc_t *)&doc; /* a marker: must stay untouched */
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_hex(hex, &len);
	int r = tsr_cbor_decode(bytes, len, limits, &doc);

	if (r == TSR_OK)
		tsr_cbor_doc_free(doc);
	else
		g_assert_true(doc == (tsr_cbor_doc_t *)&doc);
	return r;
}

/* Asserts that every item's raw span is its head followed by exactly the
 * spans of its children; returns the number of items below and at item. */
static size_t
check_spans(const tsr_cbor_item_t *item)
{
	const uint8_t *next;
	size_t n = 1, count = 0;
	const tsr_cbor_item_t *children = NULL;

	switch (item->type) {
	case TSR_CBOR_ARRAY:
		children = item->u.list.items;
		count = item->u.list.count;
		break;
	case TSR_CBOR_MAP:
		children = item->u.list.items;
		count = 2 * item->u.list.count;
		break;
	case TSR_CBOR_TAG:
		children = item->u.tag.content;
		count = 1;
		break;
	case TSR_CBOR_BSTR:
	case TSR_CBOR_TSTR:
		g_assert_true(item->u.str.ptr + item->u.str.len == item->raw.ptr + item->raw.len);
		return 1;
	default:
		return 1;
	}
	next = count > 0 ? children[0].raw.ptr : item->raw.ptr + item->raw.len;
	g_assert_true(next > item->raw.ptr && next - item->raw.ptr <= 9);
	for (size_t i = 0; i < count; i++) {
		g_assert_true(children[i].raw.ptr == next);
		next += children[i].raw.len;
		n += check_spans(&children[i]);
	}
	g_assert_true(next == item->raw.ptr + item->raw.len);
	return n;
}

static void
valid_annex_d(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(annex_d_files); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_load(annex_d_files[i], &len);
		tsr_cbor_doc_t *doc = NULL;
		const tsr_cbor_item_t *root;

		g_test_message("%s", annex_d_files[i]);
		g_assert_cmpint(tsr_cbor_decode(bytes, len, NULL, &doc), ==, TSR_OK);
		root = tsr_cbor_doc_root(doc);
		g_assert_cmpuint(root->raw.len, ==, len);
		g_assert_cmpmem(root->raw.ptr, root->raw.len, bytes, len);
		/* The document holds its own copy of the input. */
		g_assert_true(root->raw.ptr != bytes);
		g_assert_cmpuint(check_spans(root), >, 1);
		tsr_cbor_doc_free(doc);
	}
}

/* RFC 8949 Appendix A examples in preferred form, with their values. */
struct scalar_vector {
	const char *hex;
	tsr_cbor_type_t type;
	uint64_t uint; /* UINT, NEGINT (n of -1 - n), TAG number, string or list length */
	double fp;
};

static const struct scalar_vector rfc8949_scalars[] = {
	{ "00", TSR_CBOR_UINT, 0, 0 },
	{ "01", TSR_CBOR_UINT, 1, 0 },
	{ "0a", TSR_CBOR_UINT, 10, 0 },
	{ "17", TSR_CBOR_UINT, 23, 0 },
	{ "1818", TSR_CBOR_UINT, 24, 0 },
	{ "1819", TSR_CBOR_UINT, 25, 0 },
	{ "1864", TSR_CBOR_UINT, 100, 0 },
	{ "1903e8", TSR_CBOR_UINT, 1000, 0 },
	{ "1a000f4240", TSR_CBOR_UINT, 1000000, 0 },
	{ "1b000000e8d4a51000", TSR_CBOR_UINT, 1000000000000, 0 },
	{ "1bffffffffffffffff", TSR_CBOR_UINT, UINT64_MAX, 0 },
	{ "3bffffffffffffffff", TSR_CBOR_NEGINT, UINT64_MAX, 0 },
	{ "20", TSR_CBOR_NEGINT, 0, 0 },
	{ "29", TSR_CBOR_NEGINT, 9, 0 },
	{ "3863", TSR_CBOR_NEGINT, 99, 0 },
	{ "3903e7", TSR_CBOR_NEGINT, 999, 0 },
	{ "f90000", TSR_CBOR_FLOAT, 0, 0.0 },
	{ "f93c00", TSR_CBOR_FLOAT, 0, 1.0 },
	{ "fb3ff199999999999a", TSR_CBOR_FLOAT, 0, 1.1 },
	{ "f93e00", TSR_CBOR_FLOAT, 0, 1.5 },
	{ "f97bff", TSR_CBOR_FLOAT, 0, 65504.0 },
	{ "fa47c35000", TSR_CBOR_FLOAT, 0, 100000.0 },
	{ "fa7f7fffff", TSR_CBOR_FLOAT, 0, 3.4028234663852886e+38 },
	{ "fb7e37e43c8800759c", TSR_CBOR_FLOAT, 0, 1.0e+300 },
	{ "f90001", TSR_CBOR_FLOAT, 0, 5.960464477539063e-8 },
	{ "f90400", TSR_CBOR_FLOAT, 0, 0.00006103515625 },
	{ "f9c400", TSR_CBOR_FLOAT, 0, -4.0 },
	{ "fbc010666666666666", TSR_CBOR_FLOAT, 0, -4.1 },
	{ "f4", TSR_CBOR_FALSE, 0, 0 },
	{ "f5", TSR_CBOR_TRUE, 0, 0 },
	{ "f6", TSR_CBOR_NULL, 0, 0 },
	{ "f7", TSR_CBOR_UNDEFINED, 0, 0 },
	{ "c074323031332d30332d32315432303a30343a30305a", TSR_CBOR_TAG, 0, 0 },
	{ "c11a514b67b0", TSR_CBOR_TAG, 1, 0 },
	{ "c1fb41d452d9ec200000", TSR_CBOR_TAG, 1, 0 },
	{ "d74401020304", TSR_CBOR_TAG, 23, 0 },
	{ "d818456449455446", TSR_CBOR_TAG, 24, 0 },
	{ "d82076687474703a2f2f7777772e6578616d706c652e636f6d", TSR_CBOR_TAG, 32, 0 },
	{ "c249010000000000000000", TSR_CBOR_TAG, 2, 0 },
	{ "c349010000000000000000", TSR_CBOR_TAG, 3, 0 },
	{ "40", TSR_CBOR_BSTR, 0, 0 },
	{ "4401020304", TSR_CBOR_BSTR, 4, 0 },
	{ "60", TSR_CBOR_TSTR, 0, 0 },
	{ "6161", TSR_CBOR_TSTR, 1, 0 },
	{ "6449455446", TSR_CBOR_TSTR, 4, 0 },
	{ "62225c", TSR_CBOR_TSTR, 2, 0 },
	{ "62c3bc", TSR_CBOR_TSTR, 2, 0 },
	{ "63e6b0b4", TSR_CBOR_TSTR, 3, 0 },
	{ "64f0908591", TSR_CBOR_TSTR, 4, 0 },
	{ "80", TSR_CBOR_ARRAY, 0, 0 },
	{ "83010203", TSR_CBOR_ARRAY, 3, 0 },
	{ "8301820203820405", TSR_CBOR_ARRAY, 3, 0 },
	{ "98190102030405060708090a0b0c0d0e0f101112131415161718181819", TSR_CBOR_ARRAY, 25, 0 },
	{ "a0", TSR_CBOR_MAP, 0, 0 },
	{ "a201020304", TSR_CBOR_MAP, 2, 0 },
	{ "a26161016162820203", TSR_CBOR_MAP, 2, 0 },
	{ "826161a161626163", TSR_CBOR_ARRAY, 2, 0 },
	{ "a56161614161626142616361436164614461656145", TSR_CBOR_MAP, 5, 0 },
};

static void
valid_rfc8949_example(gconstpointer data)
{
	const struct scalar_vector *v = data;
	tsr_cbor_doc_t *doc = decode_hex(v->hex);
	const tsr_cbor_item_t *root = tsr_cbor_doc_root(doc);

	g_assert_cmpint(root->type, ==, v->type);
	g_assert_cmpuint(root->raw.len, ==, strlen(v->hex) / 2);
	switch (v->type) {
	case TSR_CBOR_UINT:
	case TSR_CBOR_NEGINT:
		g_assert_cmpuint(root->u.uint, ==, v->uint);
		break;
	case TSR_CBOR_TAG:
		g_assert_cmpuint(root->u.tag.number, ==, v->uint);
		g_assert_nonnull(root->u.tag.content);
		g_assert_true(root->u.tag.content == root + 1);
		break;
	case TSR_CBOR_BSTR:
	case TSR_CBOR_TSTR:
		g_assert_cmpuint(root->u.str.len, ==, v->uint);
		break;
	case TSR_CBOR_ARRAY:
	case TSR_CBOR_MAP:
		g_assert_cmpuint(root->u.list.count, ==, v->uint);
		break;
	case TSR_CBOR_FLOAT:
		g_assert_cmpfloat(root->u.fp, ==, v->fp);
		g_assert_cmpint(!!signbit(root->u.fp), ==, !!signbit(v->fp));
		break;
	default:
		break;
	}
	check_spans(root);
	tsr_cbor_doc_free(doc);
}

static void
valid_rfc8949_details(void)
{
	tsr_cbor_doc_t *doc;
	const tsr_cbor_item_t *root, *b;

	/* -0.0, Infinity, NaN (half precision, preferred form) */
	doc = decode_hex("f98000");
	g_assert_true(signbit(tsr_cbor_doc_root(doc)->u.fp) && tsr_cbor_doc_root(doc)->u.fp == 0.0);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("f97c00");
	g_assert_true(isinf(tsr_cbor_doc_root(doc)->u.fp) && tsr_cbor_doc_root(doc)->u.fp > 0);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("f9fc00");
	g_assert_true(isinf(tsr_cbor_doc_root(doc)->u.fp) && tsr_cbor_doc_root(doc)->u.fp < 0);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("f97e00");
	g_assert_true(isnan(tsr_cbor_doc_root(doc)->u.fp));
	tsr_cbor_doc_free(doc);

	/* {"a": 1, "b": [2, 3]} */
	doc = decode_hex("a26161016162820203");
	root = tsr_cbor_doc_root(doc);
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_key(root, 0), "a"));
	g_assert_cmpuint(tsr_cbor_map_value(root, 0)->u.uint, ==, 1);
	b = tsr_cbor_map_find_tstr(root, "b");
	g_assert_true(tsr_cbor_is(b, TSR_CBOR_ARRAY));
	g_assert_cmpuint(b->u.list.count, ==, 2);
	g_assert_cmpuint(b->u.list.items[1].u.uint, ==, 3);
	tsr_cbor_doc_free(doc);

	/* "\u00fc" and h'01020304' contents */
	doc = decode_hex("62c3bc");
	g_assert_cmpmem(tsr_cbor_doc_root(doc)->u.str.ptr, 2, "\xc3\xbc", 2);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("4401020304");
	g_assert_cmpmem(tsr_cbor_doc_root(doc)->u.str.ptr, 4, "\x01\x02\x03\x04", 4);
	tsr_cbor_doc_free(doc);

	/* The last element of [1, 2, ..., 25] */
	doc = decode_hex("98190102030405060708090a0b0c0d0e0f101112131415161718181819");
	g_assert_cmpuint(tsr_cbor_doc_root(doc)->u.list.items[24].u.uint, ==, 25);
	tsr_cbor_doc_free(doc);
}

/* Every strict prefix of every Annex D file is a truncation. */
static void
truncated_annex_d(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(annex_d_files); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_load(annex_d_files[i], &len);

		for (size_t n = 0; n < len; n++) {
			tsr_cbor_doc_t *doc = NULL;
			/* An exact-size copy, so reading past n would be noticed
			 * by valgrind or ASan. */
			g_autofree uint8_t *prefix = g_memdup2(bytes, n);
			int r = tsr_cbor_decode(prefix, n, NULL, &doc);

			if (r != TSR_ERR_CBOR_TRUNCATED)
				g_error("%s[0..%zu): %s", annex_d_files[i], n, tsr_strerror_name(r));
			g_assert_null(doc);
		}
	}
}

static void
truncated_heads(void)
{
	static const char *const cases[] = {
		"18", "19", "1900", "1a000000", "1b00000000000000", "38", "58", "5801",
		"4401", "6461", "62c3", "81", "82", "8201", "a1", "a101", "a20102a1",
		"c0", "d8", "d818", "d81841", "f9", "f900", "fa000000", "fb00000000000000",
		"5a00010000", "9a00010000", "ba00010000",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("%s", cases[i]);
		g_assert_cmpint(decode_hex_err(cases[i], NULL), ==, TSR_ERR_CBOR_TRUNCATED);
	}
}

static void
empty_input(void)
{
	tsr_cbor_doc_t *doc = NULL;
	uint8_t byte = 0;

	g_assert_cmpint(tsr_cbor_decode(&byte, 0, NULL, &doc), ==, TSR_ERR_CBOR_TRUNCATED);
	g_assert_cmpint(tsr_cbor_decode(NULL, 0, NULL, &doc), ==, TSR_ERR_CBOR_TRUNCATED);
	g_assert_null(doc);
	g_assert_cmpint(tsr_cbor_decode(NULL, 1, NULL, &doc), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_cbor_decode(&byte, 1, NULL, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(tsr_cbor_doc_root(NULL));
	tsr_cbor_doc_free(NULL);
}

static void
junk_trailing(void)
{
	static const char *const cases[] = {
		"0102", "0000", "8000", "a0a0", "f6f6", "4100ff", "6161ff", "d81800ff",
	};
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_load("annex-d/device_response.cbor", &len);
	g_autofree uint8_t *longer = g_malloc(len + 1);
	tsr_cbor_doc_t *doc = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpint(decode_hex_err(cases[i], NULL), ==, TSR_ERR_CBOR_TRAILING);
	memcpy(longer, bytes, len);
	longer[len] = 0x00;
	g_assert_cmpint(tsr_cbor_decode(longer, len + 1, NULL, &doc), ==, TSR_ERR_CBOR_TRAILING);
	g_assert_null(doc);
}

static void
junk_indefinite(void)
{
	static const char *const cases[] = {
		"5f4101ff",     /* (_ h'01') */
		"5fff",         /* (_ ) bstr */
		"7f6161ff",     /* (_ "a") */
		"9fff",         /* [_ ] */
		"9f01ff",       /* [_ 1] */
		"bfff",         /* {_ } */
		"bf0102ff",     /* {_ 1: 2} */
		"ff",           /* a stray break */
		"8201ff",       /* a break where an item belongs */
		"819f01ff",     /* [[_ 1]] */
		"a1019f01ff",   /* {1: [_ 1]} */
		"d8185f4101ff", /* 24((_ h'01')) */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("%s", cases[i]);
		g_assert_cmpint(decode_hex_err(cases[i], NULL), ==, TSR_ERR_CBOR_INDEFINITE);
	}
}

static void
duplicate_keys(void)
{
	static const char *const cases[] = {
		"a201020103",                   /* {1: 2, 1: 3} */
		"a2616101616102",               /* {"a": 1, "a": 2} */
		"a3616101616202616103",         /* {"a": 1, "b": 2, "a": 3} */
		"a101a2616101616102",           /* {1: {"a": 1, "a": 2}} */
		"81a2200020f6",                 /* [{-1: 0, -1: null}] */
		"a2410100410101",               /* {h'01': 0, h'01': 1} */
		"a2f400f401",                   /* {false: 0, false: 1} */
		"a2f6f6f6f6",                   /* {null: null, null: null} */
		"a282010200820102f6",           /* {[1, 2]: 0, [1, 2]: null} */
		"a2a1010200a1010201",           /* {{1: 2}: 0, {1: 2}: 1} */
		"a2c1000ac1000b",               /* {1(0): 10, 1(0): 11} */
		"a2f93c0000f93c0001",           /* {1.0: 0, 1.0: 1} */
		"d818a2010201f6",               /* 24({1: 2, 1: null}) */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("%s", cases[i]);
		g_assert_cmpint(decode_hex_err(cases[i], NULL), ==, TSR_ERR_CBOR_DUPLICATE_KEY);
	}
	/* {1: 0, "1": 0, h'01': 0, -1: 0}: look alike, differ */
	tsr_cbor_doc_free(decode_hex("a4010061310041010020" "00"));
}

static void
junk_not_preferred(void)
{
	static const char *const cases[] = {
		"1805", "1817", "190005", "1900ff", "1a00000005", "1a0000ffff",
		"1b0000000000000005", "1b00000000ffffffff", "3817", "3900ff",
		"3b00000000ffffffff", "5800", "580101", "590000", "5a00000000",
		"5b0000000000000000", "7800", "78026161", "9800", "990001", "99000100",
		"b800", "b9000000", "d80100", "d9001800", "da0000001800",
		"db000000000000001800", "81990000", "a1011805", "a1180100",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("%s", cases[i]);
		g_assert_cmpint(decode_hex_err(cases[i], NULL), ==, TSR_ERR_CBOR_NOT_PREFERRED);
	}
	/* The shortest forms on either side of each boundary are accepted:
	 * [23, 24, 255, 256, 65535, 65536, 2^32-1, 2^32, -24, -25] */
	tsr_cbor_doc_free(decode_hex("8a171818" "18ff" "190100" "19ffff" "1a00010000" "1affffffff"
				     "1b0000000100000000" "37" "3818"));
	/* A tag number needing eight bytes is preferred in eight bytes. */
	g_assert_cmpint(decode_hex_err("dbffffffff00000000", NULL), ==, TSR_ERR_CBOR_TRUNCATED);
	tsr_cbor_doc_free(decode_hex("dbffffffff0000000000"));
}

static void
junk_depth(void)
{
	tsr_cbor_limits_t limits = tsr_cbor_default_limits;
	size_t n = 10000;
	g_autofree uint8_t *deep = g_malloc(n + 1);
	tsr_cbor_doc_t *doc = NULL;

	/* 10000 nested one-element arrays: rejected, no stack overflow. */
	memset(deep, 0x81, n);
	deep[n] = 0x00;
	g_assert_cmpint(tsr_cbor_decode(deep, n + 1, NULL, &doc), ==, TSR_ERR_CBOR_DEPTH);
	/* Exactly the default limit (root at depth 1) is fine, one more is not. */
	g_assert_cmpint(tsr_cbor_decode(deep + n - 31, 32, NULL, &doc), ==, TSR_OK);
	tsr_cbor_doc_free(g_steal_pointer(&doc));
	g_assert_cmpint(tsr_cbor_decode(deep + n - 32, 33, NULL, &doc), ==, TSR_ERR_CBOR_DEPTH);
	/* Tags and maps count too. */
	memset(deep, 0xc1, n);
	g_assert_cmpint(tsr_cbor_decode(deep + n - 31, 32, NULL, &doc), ==, TSR_OK);
	tsr_cbor_doc_free(g_steal_pointer(&doc));
	g_assert_cmpint(tsr_cbor_decode(deep + n - 32, 33, NULL, &doc), ==, TSR_ERR_CBOR_DEPTH);
	for (size_t i = 0; i < n; i += 2) {
		deep[i] = 0xa1;
		deep[i + 1] = 0x00;
	}
	deep[n] = 0x00; /* {0: {0: ... 0}} */
	g_assert_cmpint(tsr_cbor_decode(deep, n + 1, NULL, &doc), ==, TSR_ERR_CBOR_DEPTH);
	/* A custom limit */
	limits.max_depth = 2;
	g_assert_cmpint(decode_hex_err("8100", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("818100", &limits), ==, TSR_ERR_CBOR_DEPTH);
	g_assert_cmpint(decode_hex_err("a1008100", &limits), ==, TSR_ERR_CBOR_DEPTH);
	limits.max_depth = 1;
	g_assert_cmpint(decode_hex_err("00", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("80", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("c000", &limits), ==, TSR_ERR_CBOR_DEPTH);
}

static void
junk_huge_lengths(void)
{
	static const char *const cases[] = {
		"5bffffffffffffffff", "5bffffffffffffffff00", "5b7fffffffffffffff00",
		"5a7fffffff00", "5b000000010000000000", "7bffffffffffffffff61",
		"9bffffffffffffffff00", "9b000000010000000000", "9a7fffffff00",
		"bbffffffffffffffff0000", "bb7fffffffffffffff0000", "bb800000000000000000",
		"ba7fffffff0000", "819bffffffffffffffff", "a1009bffffffffffffffff",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		int r = decode_hex_err(cases[i], NULL);

		g_test_message("%s: %s", cases[i], tsr_strerror_name(r));
		g_assert_true(r == TSR_ERR_CBOR_TRUNCATED || r == TSR_ERR_CBOR_TOO_LARGE);
	}
	/* Counts larger than the input are truncations even under the limits. */
	g_assert_cmpint(decode_hex_err("9a00ff0000", NULL), ==, TSR_ERR_CBOR_TRUNCATED);
	g_assert_cmpint(decode_hex_err("b9ffff00", NULL), ==, TSR_ERR_CBOR_TRUNCATED);
}

static void
junk_limits(void)
{
	tsr_cbor_limits_t limits = tsr_cbor_default_limits;

	/* max_items counts every item, the root included: [1, 2, 3] has 4. */
	limits.max_items = 4;
	g_assert_cmpint(decode_hex_err("83010203", &limits), ==, TSR_OK);
	limits.max_items = 3;
	g_assert_cmpint(decode_hex_err("83010203", &limits), ==, TSR_ERR_CBOR_TOO_LARGE);
	g_assert_cmpint(decode_hex_err("a10102", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("a201020304", &limits), ==, TSR_ERR_CBOR_TOO_LARGE);
	limits.max_items = 0;
	g_assert_cmpint(decode_hex_err("00", &limits), ==, TSR_ERR_CBOR_TOO_LARGE);

	/* max_length: string bytes, array elements, map pairs */
	limits = tsr_cbor_default_limits;
	limits.max_length = 2;
	g_assert_cmpint(decode_hex_err("420102", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("43010203", &limits), ==, TSR_ERR_CBOR_TOO_LARGE);
	g_assert_cmpint(decode_hex_err("63616263", &limits), ==, TSR_ERR_CBOR_TOO_LARGE);
	g_assert_cmpint(decode_hex_err("820102", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("83010203", &limits), ==, TSR_ERR_CBOR_TOO_LARGE);
	g_assert_cmpint(decode_hex_err("a201020304", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("a3010203040506", &limits), ==, TSR_ERR_CBOR_TOO_LARGE);

	/* max_input */
	limits = tsr_cbor_default_limits;
	limits.max_input = 2;
	g_assert_cmpint(decode_hex_err("1818", &limits), ==, TSR_OK);
	g_assert_cmpint(decode_hex_err("190100", &limits), ==, TSR_ERR_LIMIT);

	/* The Annex D response under tight limits */
	{
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_load("annex-d/device_response.cbor", &len);
		tsr_cbor_doc_t *doc = NULL;

		limits = tsr_cbor_default_limits;
		limits.max_input = len - 1;
		g_assert_cmpint(tsr_cbor_decode(bytes, len, &limits, &doc), ==, TSR_ERR_LIMIT);
		limits = tsr_cbor_default_limits;
		limits.max_items = 16;
		g_assert_cmpint(tsr_cbor_decode(bytes, len, &limits, &doc), ==,
		    TSR_ERR_CBOR_TOO_LARGE);
		limits = tsr_cbor_default_limits;
		limits.max_length = 64;
		g_assert_cmpint(tsr_cbor_decode(bytes, len, &limits, &doc), ==,
		    TSR_ERR_CBOR_TOO_LARGE);
		g_assert_null(doc);
	}
}

static void
junk_utf8(void)
{
	static const char *const bad[] = {
		"62c0af",     /* overlong '/' */
		"62c1bf",     /* overlong U+007F */
		"63e08080",   /* overlong U+0000 in three bytes */
		"63e09fbf",   /* overlong U+07FF */
		"64f0808080", /* overlong in four bytes */
		"64f08fbfbf", /* overlong U+FFFF */
		"63eda080",   /* surrogate U+D800 */
		"63edbfbf",   /* surrogate U+DFFF */
		"64f4908080", /* U+110000 */
		"64f5808080", /* lead byte beyond U+10FFFF */
		"64f8888080", /* five-byte form */
		"61ff", "61fe",
		"6180",       /* lone continuation byte */
		"62e282",     /* sequence cut by the end of the string */
		"6261c3",     /* ditto, at the end */
		"63c3bc80",   /* continuation byte after a full sequence */
		"62c328",     /* lead byte without continuation */
		"a162c0af00", /* in a map key */
		"8161ff",     /* inside an array */
	};
	static const char *const good[] = {
		"6100", "617f", "62c280", "62dfbf", "63e0a080", "63ed9fbf", "63ee8080",
		"63efbfbf", "64f0908080", "64f48fbfbf", "6a00010203040506070809",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("%s", bad[i]);
		g_assert_cmpint(decode_hex_err(bad[i], NULL), ==, TSR_ERR_CBOR_BAD_UTF8);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
		tsr_cbor_doc_free(decode_hex(good[i]));
	/* Byte strings are not text. */
	tsr_cbor_doc_free(decode_hex("42c0af"));
}

static void
junk_simple(void)
{
	static const char *const cases[] = {
		"e0", "ef", "f0", "f3", "f800", "f813", "f814", "f818", "f81f", "f820", "f8ff",
		"81f820", "a1f000f6",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("%s", cases[i]);
		g_assert_cmpint(decode_hex_err(cases[i], NULL), ==, TSR_ERR_CBOR_UNSUPPORTED_SIMPLE);
	}
}

static void
junk_reserved(void)
{
	/* Additional information 28-30 in every major type, and 31 where it
	 * is not an indefinite length. */
	static const char *const cases[] = {
		"1c", "1d", "1e", "1f", "3c", "3d", "3e", "3f", "5c", "5d", "5e",
		"7c", "7d", "7e", "9c", "9d", "9e", "bc", "bd", "be", "dc", "dd", "de", "df",
		"fc", "fd", "fe", "811c", "a1001e",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("%s", cases[i]);
		g_assert_cmpint(decode_hex_err(cases[i], NULL), ==, TSR_ERR_CBOR_MALFORMED);
	}
}

static const tsr_cbor_item_t *
issuer_auth_payload(const tsr_cbor_doc_t *doc)
{
	const tsr_cbor_item_t *auth = tsr_cbor_map_find_tstr(tsr_cbor_doc_root(doc), "issuerAuth");

	g_assert_true(tsr_cbor_is(auth, TSR_CBOR_ARRAY));
	g_assert_cmpuint(auth->u.list.count, ==, 4);
	g_assert_true(tsr_cbor_is(&auth->u.list.items[2], TSR_CBOR_BSTR));
	return &auth->u.list.items[2];
}

static void
valid_embedded_mso(void)
{
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_load("annex-d/issuer_signed.cbor", &len);
	tsr_cbor_doc_t *doc = NULL, *payload = NULL, *mso = NULL, *item = NULL;
	const tsr_cbor_item_t *p, *root, *v, *ns, *digests;
	int64_t n;

	g_assert_cmpint(tsr_cbor_decode(bytes, len, NULL, &doc), ==, TSR_OK);
	p = issuer_auth_payload(doc);
	/* The COSE payload is MobileSecurityObjectBytes = #6.24(bstr .cbor MSO) */
	g_assert_cmpint(tsr_cbor_decode(p->u.str.ptr, p->u.str.len, NULL, &payload), ==, TSR_OK);
	root = tsr_cbor_doc_root(payload);
	g_assert_nonnull(tsr_cbor_untag(root, 24));
	g_assert_cmpint(tsr_cbor_decode_embedded(root, NULL, &mso), ==, TSR_OK);
	root = tsr_cbor_doc_root(mso);
	/* The embedded root spans exactly the tagged byte string's content. */
	g_assert_cmpmem(root->raw.ptr, root->raw.len, tsr_cbor_untag(tsr_cbor_doc_root(payload), 24)->u.str.ptr,
	    tsr_cbor_untag(tsr_cbor_doc_root(payload), 24)->u.str.len);
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(root, "version"), "1.0"));
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(root, "digestAlgorithm"), "SHA-256"));
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(root, "docType"), "org.iso.18013.5.1.mDL"));
	v = tsr_cbor_map_find_tstr(root, "validityInfo");
	g_assert_true(tsr_cbor_is(v, TSR_CBOR_MAP));
	g_assert_nonnull(tsr_cbor_untag(tsr_cbor_map_find_tstr(v, "signed"), 0));
	digests = tsr_cbor_map_find_tstr(tsr_cbor_map_find_tstr(root, "valueDigests"),
	    "org.iso.18013.5.1");
	g_assert_true(tsr_cbor_is(digests, TSR_CBOR_MAP));
	g_assert_true(tsr_cbor_is(tsr_cbor_map_find_int(digests, 0), TSR_CBOR_BSTR));
	g_assert_cmpuint(tsr_cbor_map_find_int(digests, 0)->u.str.len, ==, 32);

	/* IssuerSignedItemBytes, each #6.24(bstr .cbor IssuerSignedItem) */
	ns = tsr_cbor_map_find_tstr(tsr_cbor_map_find_tstr(tsr_cbor_doc_root(doc), "nameSpaces"),
	    "org.iso.18013.5.1");
	g_assert_true(tsr_cbor_is(ns, TSR_CBOR_ARRAY));
	g_assert_cmpuint(ns->u.list.count, ==, 6);
	for (size_t i = 0; i < ns->u.list.count; i++) {
		const tsr_cbor_item_t *isi;

		g_assert_cmpint(tsr_cbor_decode_embedded(&ns->u.list.items[i], NULL, &item), ==, TSR_OK);
		isi = tsr_cbor_doc_root(item);
		g_assert_true(tsr_cbor_get_int(tsr_cbor_map_find_tstr(isi, "digestID"), &n));
		g_assert_nonnull(tsr_cbor_map_find_int(digests, n));
		g_assert_true(tsr_cbor_is(tsr_cbor_map_find_tstr(isi, "elementIdentifier"), TSR_CBOR_TSTR));
		g_assert_nonnull(tsr_cbor_map_find_tstr(isi, "elementValue"));
		if (i == 0)
			g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(isi, "elementValue"), "Doe"));
		tsr_cbor_doc_free(g_steal_pointer(&item));
	}

	/* Not tag 24, or tag 24 over something other than a byte string */
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &item), ==,
	    TSR_ERR_CBOR_TYPE);
	g_assert_cmpint(tsr_cbor_decode_embedded(NULL, NULL, &item), ==, TSR_ERR_CBOR_TYPE);
	g_assert_null(item);
	tsr_cbor_doc_free(mso);
	tsr_cbor_doc_free(payload);
	tsr_cbor_doc_free(doc);
}

static void
junk_embedded(void)
{
	tsr_cbor_doc_t *doc, *inner = NULL;
	tsr_cbor_limits_t limits = tsr_cbor_default_limits;

	doc = decode_hex("d81800"); /* 24(0) */
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &inner), ==,
	    TSR_ERR_CBOR_TYPE);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("d8196161"); /* 25("a") */
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &inner), ==,
	    TSR_ERR_CBOR_TYPE);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("d818420102"); /* 24(h'0102'): trailing */
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &inner), ==,
	    TSR_ERR_CBOR_TRAILING);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("d81840"); /* 24(h''): empty */
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &inner), ==,
	    TSR_ERR_CBOR_TRUNCATED);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("d818431805ff"); /* 24(h'1805ff') */
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &inner), ==,
	    TSR_ERR_CBOR_NOT_PREFERRED);
	tsr_cbor_doc_free(doc);
	/* The caller's limits apply to the embedded document. */
	doc = decode_hex("d81843820102"); /* 24(<<[1, 2]>>) */
	limits.max_length = 1;
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), &limits, &inner), ==,
	    TSR_ERR_CBOR_TOO_LARGE);
	g_assert_null(inner);
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &inner), ==, TSR_OK);
	g_assert_cmpuint(tsr_cbor_doc_root(inner)->u.list.count, ==, 2);
	tsr_cbor_doc_free(inner);
	tsr_cbor_doc_free(doc);
}

static void
valid_accessors(void)
{
	/* {1: "one", -1: h'00', "a": "x", "b": [true], 0: null} */
	tsr_cbor_doc_t *doc = decode_hex("a501636f6e652041006161617861628181f500f6");
	const tsr_cbor_item_t *root = tsr_cbor_doc_root(doc);
	static const char *const tstr_keys[] = { "a", "b", NULL };
	static const char *const only_a[] = { "a", NULL };
	static const int64_t int_keys[] = { 0, 1, -1 };
	char *s = NULL;
	int64_t v = 0;

	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_int(root, 1), "one"));
	g_assert_true(tsr_cbor_is(tsr_cbor_map_find_int(root, -1), TSR_CBOR_BSTR));
	g_assert_true(tsr_cbor_is(tsr_cbor_map_find_int(root, 0), TSR_CBOR_NULL));
	g_assert_null(tsr_cbor_map_find_int(root, 2));
	g_assert_null(tsr_cbor_map_find_int(root, -2));
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(root, "a"), "x"));
	g_assert_true(tsr_cbor_is(tsr_cbor_map_find_tstr(root, "b"), TSR_CBOR_ARRAY));
	g_assert_null(tsr_cbor_map_find_tstr(root, "c"));
	g_assert_null(tsr_cbor_map_find_tstr(root, ""));
	g_assert_null(tsr_cbor_map_find_tstr(root, "one")); /* a value, not a key */
	g_assert_null(tsr_cbor_map_find_tstr(NULL, "a"));
	g_assert_null(tsr_cbor_map_find_int(NULL, 1));
	g_assert_null(tsr_cbor_map_find_tstr(tsr_cbor_map_find_tstr(root, "b"), "a"));

	g_assert_true(tsr_cbor_map_keys_within(root, tstr_keys, int_keys, 3));
	g_assert_false(tsr_cbor_map_keys_within(root, only_a, int_keys, 3));
	g_assert_false(tsr_cbor_map_keys_within(root, tstr_keys, int_keys, 2));
	g_assert_false(tsr_cbor_map_keys_within(root, NULL, int_keys, 3));
	g_assert_false(tsr_cbor_map_keys_within(NULL, tstr_keys, int_keys, 3));
	g_assert_false(tsr_cbor_map_keys_within(tsr_cbor_map_find_tstr(root, "b"), tstr_keys, NULL, 0));

	g_assert_true(tsr_cbor_is(root, TSR_CBOR_MAP));
	g_assert_false(tsr_cbor_is(root, TSR_CBOR_ARRAY));
	g_assert_false(tsr_cbor_is(NULL, TSR_CBOR_MAP));
	g_assert_false(tsr_cbor_get_int(root, &v));
	g_assert_false(tsr_cbor_get_int(NULL, &v));
	g_assert_true(tsr_cbor_get_int(tsr_cbor_map_key(root, 1), &v));
	g_assert_cmpint(v, ==, -1);
	g_assert_false(tsr_cbor_tstr_eq(NULL, "a"));
	g_assert_false(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(root, "a"), "xx"));
	g_assert_false(tsr_cbor_tstr_eq(tsr_cbor_map_find_int(root, -1), ""));

	g_assert_cmpint(tsr_cbor_tstr_dup(tsr_cbor_map_find_int(root, 1), &s), ==, TSR_OK);
	g_assert_cmpstr(s, ==, "one");
	g_free(s);
	s = NULL;
	g_assert_cmpint(tsr_cbor_tstr_dup(tsr_cbor_map_find_int(root, -1), &s), ==, TSR_ERR_CBOR_TYPE);
	g_assert_cmpint(tsr_cbor_tstr_dup(NULL, &s), ==, TSR_ERR_CBOR_TYPE);
	g_assert_null(s);
	g_assert_null(tsr_cbor_untag(root, 24));
	g_assert_null(tsr_cbor_untag(NULL, 24));
	tsr_cbor_doc_free(doc);
}

static void
valid_get_int_bounds(void)
{
	static const struct {
		const char *hex;
		bool ok;
		int64_t value;
	} cases[] = {
		{ "00", true, 0 },
		{ "20", true, -1 },
		{ "1b7fffffffffffffff", true, INT64_MAX },
		{ "1b8000000000000000", false, 0 },
		{ "1bffffffffffffffff", false, 0 },
		{ "3b7fffffffffffffff", true, INT64_MIN },
		{ "3b7ffffffffffffffe", true, INT64_MIN + 1 },
		{ "3b8000000000000000", false, 0 },
		{ "3bffffffffffffffff", false, 0 },
		{ "1a80000000", true, 2147483648 },
		{ "3a7fffffff", true, -2147483648 },
		{ "f93c00", false, 0 },
		{ "6131", false, 0 },
		{ "c100", false, 0 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_cbor_doc_t *doc = decode_hex(cases[i].hex);
		int64_t v = 42;

		g_test_message("%s", cases[i].hex);
		g_assert_cmpint(tsr_cbor_get_int(tsr_cbor_doc_root(doc), &v), ==, cases[i].ok);
		g_assert_cmpint(v, ==, cases[i].ok ? cases[i].value : 42);
		tsr_cbor_doc_free(doc);
	}
}

static void
junk_tstr_dup_nul(void)
{
	tsr_cbor_doc_t *doc = decode_hex("63610062"); /* "a\u0000b" */
	char *s = NULL;

	g_assert_cmpint(tsr_cbor_tstr_dup(tsr_cbor_doc_root(doc), &s), ==, TSR_ERR_CBOR_TYPE);
	g_assert_null(s);
	g_assert_false(tsr_cbor_tstr_eq(tsr_cbor_doc_root(doc), "a"));
	tsr_cbor_doc_free(doc);
	doc = decode_hex("60");
	g_assert_cmpint(tsr_cbor_tstr_dup(tsr_cbor_doc_root(doc), &s), ==, TSR_OK);
	g_assert_cmpstr(s, ==, "");
	g_free(s);
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_doc_root(doc), ""));
	tsr_cbor_doc_free(doc);
}

static void
valid_untag_equal(void)
{
	/* [1004("2019-10-20"), 0("2019-10-20"), 1004("2019-10-20"), "2019-10-20"] */
	tsr_cbor_doc_t *doc = decode_hex("84d903ec6a323031392d31302d3230c06a323031392d31302d3230"
					 "d903ec6a323031392d31302d32306a323031392d31302d3230");
	const tsr_cbor_item_t *items = tsr_cbor_doc_root(doc)->u.list.items;

	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_untag(&items[0], 1004), "2019-10-20"));
	g_assert_null(tsr_cbor_untag(&items[0], 0));
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_untag(&items[1], 0), "2019-10-20"));
	g_assert_null(tsr_cbor_untag(&items[3], 1004));
	g_assert_true(tsr_cbor_equal(&items[0], &items[2]));
	g_assert_false(tsr_cbor_equal(&items[0], &items[1]));
	g_assert_false(tsr_cbor_equal(&items[0], &items[3]));
	g_assert_true(tsr_cbor_equal(tsr_cbor_untag(&items[0], 1004), &items[3]));
	g_assert_false(tsr_cbor_equal(&items[0], NULL));
	g_assert_false(tsr_cbor_equal(NULL, NULL));
	tsr_cbor_doc_free(doc);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cbor/decode/valid_annex_d", valid_annex_d);
	for (size_t i = 0; i < G_N_ELEMENTS(rfc8949_scalars); i++) {
		g_autofree char *path = g_strdup_printf("/cbor/decode/valid_rfc8949/%s",
		    rfc8949_scalars[i].hex);
		g_test_add_data_func(path, &rfc8949_scalars[i], valid_rfc8949_example);
	}
	g_test_add_func("/cbor/decode/valid_rfc8949_details", valid_rfc8949_details);
	g_test_add_func("/cbor/decode/truncated_annex_d", truncated_annex_d);
	g_test_add_func("/cbor/decode/truncated_heads", truncated_heads);
	g_test_add_func("/cbor/decode/empty", empty_input);
	g_test_add_func("/cbor/decode/junk_trailing", junk_trailing);
	g_test_add_func("/cbor/decode/junk_indefinite", junk_indefinite);
	g_test_add_func("/cbor/decode/duplicate_keys", duplicate_keys);
	g_test_add_func("/cbor/decode/junk_not_preferred", junk_not_preferred);
	g_test_add_func("/cbor/decode/junk_depth", junk_depth);
	g_test_add_func("/cbor/decode/junk_huge_lengths", junk_huge_lengths);
	g_test_add_func("/cbor/decode/junk_limits", junk_limits);
	g_test_add_func("/cbor/decode/junk_utf8", junk_utf8);
	g_test_add_func("/cbor/decode/junk_simple", junk_simple);
	g_test_add_func("/cbor/decode/junk_reserved", junk_reserved);
	g_test_add_func("/cbor/decode/valid_embedded_mso", valid_embedded_mso);
	g_test_add_func("/cbor/decode/junk_embedded", junk_embedded);
	g_test_add_func("/cbor/access/valid", valid_accessors);
	g_test_add_func("/cbor/access/valid_get_int_bounds", valid_get_int_bounds);
	g_test_add_func("/cbor/access/junk_tstr_dup_nul", junk_tstr_dup_nul);
	g_test_add_func("/cbor/access/valid_untag_equal", valid_untag_equal);
	return g_test_run();
}
