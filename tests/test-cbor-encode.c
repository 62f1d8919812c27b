/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The preferred-form CBOR encoder (src/cbor/encode.c). */

#include <math.h>
#include <string.h>

#include <tessera/tessera.h>

#include "cbor/codec.h"
#include "test-support.h"

/* Finishes enc and compares its bytes with hex. */
static void
assert_enc_hex(tsr_cbor_enc_t *enc, const char *hex)
{
	uint8_t *ptr = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_cbor_enc_finish(enc, &ptr, &len), ==, TSR_OK);
	tsr_test_assert_hex(ptr, len, hex);
	free(ptr);
}

static void
valid_uint_boundaries(void)
{
	static const struct {
		uint64_t v;
		const char *hex;
	} cases[] = {
		{ 0, "00" },
		{ 1, "01" },
		{ 23, "17" },
		{ 24, "1818" },
		{ 255, "18ff" },
		{ 256, "190100" },
		{ 65535, "19ffff" },
		{ 65536, "1a00010000" },
		{ 4294967295u, "1affffffff" },
		{ 4294967296u, "1b0000000100000000" },
		{ UINT64_MAX, "1bffffffffffffffff" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_cbor_enc_t enc;

		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_uint(&enc, cases[i].v);
		assert_enc_hex(&enc, cases[i].hex);
		if (cases[i].v <= INT64_MAX) {
			tsr_cbor_enc_init(&enc);
			tsr_cbor_put_int(&enc, (int64_t)cases[i].v);
			assert_enc_hex(&enc, cases[i].hex);
		}
	}
}

static void
valid_int_boundaries(void)
{
	static const struct {
		int64_t v;
		const char *hex;
	} cases[] = {
		{ -1, "20" },
		{ -10, "29" },
		{ -24, "37" },
		{ -25, "3818" },
		{ -256, "38ff" },
		{ -257, "390100" },
		{ -65536, "39ffff" },
		{ -65537, "3a00010000" },
		{ -4294967296, "3affffffff" },
		{ -4294967297, "3b0000000100000000" },
		{ INT64_MAX, "1b7fffffffffffffff" },
		{ INT64_MIN, "3b7fffffffffffffff" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_cbor_enc_t enc;

		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_int(&enc, cases[i].v);
		assert_enc_hex(&enc, cases[i].hex);
	}
}

static void
valid_string_lengths(void)
{
	static const struct {
		size_t len;
		const char *head;
	} cases[] = {
		{ 0, "40" }, { 1, "41" }, { 23, "57" }, { 24, "5818" }, { 255, "58ff" },
		{ 256, "590100" }, { 65535, "59ffff" }, { 65536, "5a00010000" },
	};
	g_autofree uint8_t *data = g_malloc(65536);
	g_autofree char *text = g_malloc(65537);

	for (size_t i = 0; i < 65536; i++)
		data[i] = (uint8_t)i;
	memset(text, 'x', 65536);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		size_t n = cases[i].len, head_len = strlen(cases[i].head) / 2;
		uint8_t *ptr = NULL;
		size_t len = 0;
		tsr_cbor_enc_t enc;
		char tstr_head[16];

		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_bstr(&enc, data, n);
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &len), ==, TSR_OK);
		g_assert_cmpuint(len, ==, head_len + n);
		tsr_test_assert_hex(ptr, head_len, cases[i].head);
		g_assert_cmpmem(ptr + head_len, n, data, n);
		free(ptr);

		/* Text strings: major type 3, same lengths */
		g_strlcpy(tstr_head, cases[i].head, sizeof(tstr_head));
		tstr_head[0] = tstr_head[0] == '4' ? '6' : '7';
		text[n] = '\0';
		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_tstr(&enc, text);
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &len), ==, TSR_OK);
		g_assert_cmpuint(len, ==, head_len + n);
		tsr_test_assert_hex(ptr, head_len, tstr_head);
		free(ptr);
		text[n] = 'x';
	}

	{
		tsr_cbor_enc_t enc;

		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_tstr_n(&enc, "IETFxx", 4);
		tsr_cbor_put_bstr(&enc, NULL, 0);
		tsr_cbor_put_tstr_n(&enc, "a\0b", 3);
		assert_enc_hex(&enc, "644945544640" "63610062");
	}
}

static void
valid_containers(void)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 0);
	tsr_cbor_put_array(&enc, 23);
	tsr_cbor_put_array(&enc, 24);
	tsr_cbor_put_array(&enc, 65536);
	tsr_cbor_put_map(&enc, 0);
	tsr_cbor_put_map(&enc, 23);
	tsr_cbor_put_map(&enc, 256);
	tsr_cbor_put_tag(&enc, 0);
	tsr_cbor_put_tag(&enc, 24);
	tsr_cbor_put_tag(&enc, 1004);
	tsr_cbor_put_tag(&enc, 65536);
	tsr_cbor_put_bool(&enc, false);
	tsr_cbor_put_bool(&enc, true);
	tsr_cbor_put_null(&enc);
	assert_enc_hex(&enc, "80" "97" "9818" "9a00010000" "a0" "b7" "b90100" "c0" "d818" "d903ec"
			     "da00010000" "f4" "f5" "f6");
}

static void
valid_floats(void)
{
	static const struct {
		double v;
		const char *hex;
	} cases[] = {
		{ 0.0, "f90000" },
		{ -0.0, "f98000" },
		{ 1.0, "f93c00" },
		{ 1.5, "f93e00" },
		{ -4.0, "f9c400" },
		{ 65504.0, "f97bff" },
		{ 0.00006103515625, "f90400" },     /* smallest normal half */
		{ 5.960464477539063e-8, "f90001" }, /* smallest subnormal half */
		{ 1.7881393432617188e-7, "f90003" }, /* 3 * 2^-24 */
		{ -6.097555160522461e-5, "f983ff" }, /* largest subnormal half, negative */
		{ 65505.0, "fa477fe100" },           /* between halves: single */
		{ 65536.0, "fa47800000" },           /* beyond half range */
		{ 100000.0, "fa47c35000" },
		{ 3.4028234663852886e+38, "fa7f7fffff" },
		{ 2.9802322387695312e-8, "fa33000000" }, /* 2^-25: below half range */
		{ 1.1, "fb3ff199999999999a" },
		{ -4.1, "fbc010666666666666" },
		{ 1.0e+300, "fb7e37e43c8800759c" },
		{ 4.9406564584124654e-324, "fb0000000000000001" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_cbor_enc_t enc;

		g_test_message("%.17g", cases[i].v);
		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_float(&enc, cases[i].v);
		assert_enc_hex(&enc, cases[i].hex);
	}

	{
		tsr_cbor_enc_t enc;

		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_float(&enc, NAN);
		tsr_cbor_put_float(&enc, -NAN);
		tsr_cbor_put_float(&enc, INFINITY);
		tsr_cbor_put_float(&enc, -INFINITY);
		assert_enc_hex(&enc, "f97e00" "f97e00" "f97c00" "f9fc00");
	}
}

/* Every binary16 value encodes to its own two bytes and decodes back. */
static void
valid_all_halves(void)
{
	for (unsigned bits = 0; bits < 0x10000u; bits++) {
		unsigned exp = (bits >> 10) & 0x1fu, mant = bits & 0x3ffu;
		double v;
		tsr_cbor_enc_t enc;
		tsr_cbor_doc_t *doc = NULL;
		uint8_t *ptr = NULL;
		size_t len = 0;

		if (exp == 0x1f)
			continue; /* Infinity and NaN: covered above */
		v = exp == 0 ? ldexp(mant, -24) : ldexp(mant + 1024, (int)exp - 25);
		if (bits & 0x8000u)
			v = -v;
		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_float(&enc, v);
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &len), ==, TSR_OK);
		if (len != 3 || ptr[0] != 0xf9 || ptr[1] != bits >> 8 || ptr[2] != (bits & 0xffu))
			g_error("half %04x (%.17g) encoded wrongly", bits, v);
		g_assert_cmpint(tsr_cbor_decode(ptr, len, NULL, &doc), ==, TSR_OK);
		g_assert_cmpfloat(tsr_cbor_doc_root(doc)->u.fp, ==, v);
		tsr_cbor_doc_free(doc);
		free(ptr);
	}
}

static void
valid_sorted_map(void)
{
	/* {"b": 1, "a": 2, 10: 3, -1: 4, "aa": 5, h'00': 6, 100: 7} given out of
	 * order; RFC 8949 §4.2.1 orders by the encoded keys' bytes:
	 * 0a, 1864, 20, 4100, 6161, 6162, 626161. */
	static const char *const kv[][2] = {
		{ "6162", "01" }, { "6161", "02" }, { "0a", "03" }, { "20", "04" },
		{ "626161", "05" }, { "4100", "06" }, { "1864", "07" },
	};
	tsr_span_t entries[2 * G_N_ELEMENTS(kv)];
	uint8_t *bufs[2 * G_N_ELEMENTS(kv)];
	tsr_cbor_enc_t enc;

	for (size_t i = 0; i < G_N_ELEMENTS(kv); i++) {
		for (size_t j = 0; j < 2; j++) {
			bufs[2 * i + j] = tsr_test_hex(kv[i][j], &entries[2 * i + j].len);
			entries[2 * i + j].ptr = bufs[2 * i + j];
		}
	}
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_sorted_map(&enc, entries, G_N_ELEMENTS(kv));
	assert_enc_hex(&enc, "a7" "0a03" "186407" "2004" "410006" "616102" "616201" "62616105");

	/* Empty map */
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_sorted_map(&enc, NULL, 0);
	assert_enc_hex(&enc, "a0");

	/* Duplicate keys: "a" twice (different values) */
	entries[2] = entries[0];
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_sorted_map(&enc, entries, G_N_ELEMENTS(kv));
	g_assert_cmpint(enc.error, ==, TSR_ERR_CBOR_DUPLICATE_KEY);
	tsr_cbor_enc_free(&enc);

	for (size_t i = 0; i < G_N_ELEMENTS(bufs); i++)
		g_free(bufs[i]);
}

static void
valid_sticky_error(void)
{
	tsr_span_t dup[4];
	uint8_t key = 0x01, val = 0x02;
	uint8_t *ptr = (uint8_t *)&key;
	size_t len = 42;
	tsr_cbor_enc_t enc;

	dup[0] = dup[2] = (tsr_span_t){ &key, 1 };
	dup[1] = dup[3] = (tsr_span_t){ &val, 1 };
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_uint(&enc, 1);
	tsr_cbor_put_sorted_map(&enc, dup, 2);
	g_assert_cmpint(enc.error, ==, TSR_ERR_CBOR_DUPLICATE_KEY);
	/* Later calls change nothing. */
	tsr_cbor_put_uint(&enc, 2);
	tsr_cbor_put_tstr(&enc, "more");
	tsr_cbor_put_array(&enc, 1);
	tsr_cbor_put_float(&enc, 1.5);
	tsr_cbor_put_raw(&enc, &key, 1);
	tsr_cbor_put_embedded(&enc, &key, 1);
	tsr_cbor_put_sorted_map(&enc, dup, 1);
	g_assert_cmpuint(enc.buf.len, ==, 1);
	g_assert_cmpint(enc.error, ==, TSR_ERR_CBOR_DUPLICATE_KEY);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &len), ==, TSR_ERR_CBOR_DUPLICATE_KEY);
	/* Outputs untouched, encoder reset */
	g_assert_true(ptr == &key);
	g_assert_cmpuint(len, ==, 42);
	g_assert_null(enc.buf.ptr);
	/* Freeing twice (or after finish) is fine. */
	tsr_cbor_enc_free(&enc);
	tsr_cbor_enc_free(NULL);

	/* An empty encoder finishes with a valid, empty allocation. */
	tsr_cbor_enc_init(&enc);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &len), ==, TSR_OK);
	g_assert_nonnull(ptr);
	g_assert_cmpuint(len, ==, 0);
	free(ptr);
}

static void
valid_embedded(void)
{
	size_t len = 0;
	g_autofree uint8_t *inner = tsr_test_hex("6449455446", &len);
	tsr_cbor_enc_t enc;
	tsr_cbor_doc_t *doc = NULL, *emb = NULL;
	uint8_t *ptr = NULL;
	size_t n = 0;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_embedded(&enc, inner, len);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &n), ==, TSR_OK);
	tsr_test_assert_hex(ptr, n, "d818456449455446");
	g_assert_cmpint(tsr_cbor_decode(ptr, n, NULL, &doc), ==, TSR_OK);
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &emb), ==, TSR_OK);
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_doc_root(emb), "IETF"));
	tsr_cbor_doc_free(emb);
	tsr_cbor_doc_free(doc);
	free(ptr);

	/* A 24-byte content gets a two-byte length. */
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_embedded(&enc, (const uint8_t *)"\x77xxxxxxxxxxxxxxxxxxxxxxx", 24);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &n), ==, TSR_OK);
	tsr_test_assert_hex(ptr, 4, "d8185818");
	g_assert_cmpuint(n, ==, 28);
	free(ptr);
}

/* Writes item back through the encoder, one call per item (the fuzz
 * harness does the same). */
static void
reencode(tsr_cbor_enc_t *enc, const tsr_cbor_item_t *item)
{
	switch (item->type) {
	case TSR_CBOR_UINT:
		tsr_cbor_put_uint(enc, item->u.uint);
		break;
	case TSR_CBOR_NEGINT:
		g_assert_cmpuint(item->u.uint, <=, INT64_MAX);
		tsr_cbor_put_int(enc, -1 - (int64_t)item->u.uint);
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
	case TSR_CBOR_FLOAT:
		tsr_cbor_put_float(enc, item->u.fp);
		break;
	case TSR_CBOR_UNDEFINED:
		tsr_cbor_put_raw(enc, item->raw.ptr, item->raw.len);
		break;
	}
}

static const char *const annex_d_files[] = {
	"annex-d/device_engagement.cbor", "annex-d/device_engagement_in_transcript.cbor",
	"annex-d/device_request.cbor",
	"annex-d/device_response.cbor", "annex-d/e_device_key_bytes.cbor",
	"annex-d/issuer_signed.cbor", "annex-d/items_request.cbor", "annex-d/reader_auth.cbor",
	"annex-d/session_data.cbor", "annex-d/session_establishment.cbor",
	"annex-d/session_termination.cbor", "annex-d/session_transcript.cbor",
	"annex-d/session_transcript_bytes.cbor",
};

/* Annex D is in preferred form: rebuilding each file from its decoded
 * tree gives the same bytes, and so does splicing received items in raw. */
static void
valid_reencode_annex_d(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(annex_d_files); i++) {
		size_t len = 0, n = 0;
		g_autofree uint8_t *bytes = tsr_test_load(annex_d_files[i], &len);
		tsr_cbor_doc_t *doc = NULL;
		const tsr_cbor_item_t *root;
		tsr_cbor_enc_t enc;
		uint8_t *ptr = NULL;

		g_test_message("%s", annex_d_files[i]);
		g_assert_cmpint(tsr_cbor_decode(bytes, len, NULL, &doc), ==, TSR_OK);
		root = tsr_cbor_doc_root(doc);

		tsr_cbor_enc_init(&enc);
		reencode(&enc, root);
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &n), ==, TSR_OK);
		g_assert_cmpmem(ptr, n, bytes, len);
		free(ptr);

		/* Top-level containers from their children's raw bytes */
		tsr_cbor_enc_init(&enc);
		if (root->type == TSR_CBOR_MAP) {
			tsr_cbor_put_map(&enc, root->u.list.count);
			for (size_t k = 0; k < 2 * root->u.list.count; k++) {
				const tsr_cbor_item_t *it = k % 2 ? tsr_cbor_map_value(root, k / 2)
								  : tsr_cbor_map_key(root, k / 2);
				tsr_cbor_put_raw(&enc, it->raw.ptr, it->raw.len);
			}
		} else {
			tsr_cbor_put_raw(&enc, root->raw.ptr, root->raw.len);
		}
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &n), ==, TSR_OK);
		g_assert_cmpmem(ptr, n, bytes, len);
		free(ptr);
		tsr_cbor_doc_free(doc);
	}
}

static void
valid_roundtrip(void)
{
	/* {"docType": "org.iso.18013.5.1.mDL", "n": [0, -1, 2^64-1, INT64_MIN,
	 *  1.5, 1.1, null, true, false, h'', 1004("2019-10-20"), 24(<<{}>>)], -7: {}} */
	static const uint8_t empty_map[] = { 0xa0 };
	const tsr_cbor_item_t *root, *n;
	tsr_cbor_doc_t *doc = NULL, *inner = NULL;
	tsr_cbor_enc_t enc;
	uint8_t *ptr = NULL;
	size_t len = 0;
	int64_t v;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 3);
	tsr_cbor_put_tstr(&enc, "docType");
	tsr_cbor_put_tstr(&enc, "org.iso.18013.5.1.mDL");
	tsr_cbor_put_tstr(&enc, "n");
	tsr_cbor_put_array(&enc, 12);
	tsr_cbor_put_uint(&enc, 0);
	tsr_cbor_put_int(&enc, -1);
	tsr_cbor_put_uint(&enc, UINT64_MAX);
	tsr_cbor_put_int(&enc, INT64_MIN);
	tsr_cbor_put_float(&enc, 1.5);
	tsr_cbor_put_float(&enc, 1.1);
	tsr_cbor_put_null(&enc);
	tsr_cbor_put_bool(&enc, true);
	tsr_cbor_put_bool(&enc, false);
	tsr_cbor_put_bstr(&enc, NULL, 0);
	tsr_cbor_put_tag(&enc, 1004);
	tsr_cbor_put_tstr(&enc, "2019-10-20");
	tsr_cbor_put_embedded(&enc, empty_map, sizeof(empty_map));
	tsr_cbor_put_int(&enc, -7);
	tsr_cbor_put_map(&enc, 0);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &len), ==, TSR_OK);

	g_assert_cmpint(tsr_cbor_decode(ptr, len, NULL, &doc), ==, TSR_OK);
	root = tsr_cbor_doc_root(doc);
	g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(root, "docType"), "org.iso.18013.5.1.mDL"));
	g_assert_true(tsr_cbor_is(tsr_cbor_map_find_int(root, -7), TSR_CBOR_MAP));
	n = tsr_cbor_map_find_tstr(root, "n");
	g_assert_cmpuint(n->u.list.count, ==, 12);
	{
		const tsr_cbor_item_t *el[12];

		for (size_t k = 0; k < 12; k++)
			el[k] = &n->u.list.items[k];
		g_assert_true(tsr_cbor_get_int(el[0], &v) && v == 0);
		g_assert_true(tsr_cbor_get_int(el[1], &v) && v == -1);
		g_assert_cmpint(el[2]->type, ==, TSR_CBOR_UINT);
		g_assert_cmpuint(el[2]->u.uint, ==, UINT64_MAX);
		g_assert_true(tsr_cbor_get_int(el[3], &v) && v == INT64_MIN);
		g_assert_cmpfloat(el[4]->u.fp, ==, 1.5);
		g_assert_cmpuint(el[4]->raw.len, ==, 3);
		g_assert_cmpfloat(el[5]->u.fp, ==, 1.1);
		g_assert_cmpuint(el[5]->raw.len, ==, 9);
		g_assert_cmpint(el[6]->type, ==, TSR_CBOR_NULL);
		g_assert_cmpint(el[7]->type, ==, TSR_CBOR_TRUE);
		g_assert_cmpint(el[8]->type, ==, TSR_CBOR_FALSE);
		g_assert_cmpint(el[9]->type, ==, TSR_CBOR_BSTR);
		g_assert_cmpuint(el[9]->u.str.len, ==, 0);
		g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_untag(el[10], 1004), "2019-10-20"));
		g_assert_cmpint(tsr_cbor_decode_embedded(el[11], NULL, &inner), ==, TSR_OK);
		g_assert_cmpint(tsr_cbor_doc_root(inner)->type, ==, TSR_CBOR_MAP);
		tsr_cbor_doc_free(inner);
	}

	/* decode(encode(decode(x))) is stable */
	{
		uint8_t *again = NULL;
		size_t again_len = 0;

		tsr_cbor_enc_init(&enc);
		reencode(&enc, root);
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &again, &again_len), ==, TSR_OK);
		g_assert_cmpmem(again, again_len, ptr, len);
		free(again);
	}
	tsr_cbor_doc_free(doc);
	free(ptr);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cbor/encode/valid_uint_boundaries", valid_uint_boundaries);
	g_test_add_func("/cbor/encode/valid_int_boundaries", valid_int_boundaries);
	g_test_add_func("/cbor/encode/valid_string_lengths", valid_string_lengths);
	g_test_add_func("/cbor/encode/valid_containers", valid_containers);
	g_test_add_func("/cbor/encode/valid_floats", valid_floats);
	g_test_add_func("/cbor/encode/valid_all_halves", valid_all_halves);
	g_test_add_func("/cbor/encode/valid_sorted_map", valid_sorted_map);
	g_test_add_func("/cbor/encode/duplicate_keys_sticky", valid_sticky_error);
	g_test_add_func("/cbor/encode/valid_embedded", valid_embedded);
	g_test_add_func("/cbor/encode/valid_reencode_annex_d", valid_reencode_annex_d);
	g_test_add_func("/cbor/encode/valid_roundtrip", valid_roundtrip);
	return g_test_run();
}
