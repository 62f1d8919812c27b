/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Diagnostic notation (diag.c), typed JSON (json.c) and the public
 * tsr_cbor_to_diagnostic() / tsr_cbor_to_json() (value.c). */

#include <locale.h>
#include <string.h>

#include <tessera/tessera.h>

#include "cbor/codec.h"
#include "test-support.h"

/* The text of hex through the public API; NULL-terminated, g_free()d. */
static char *
diag_of(const char *hex, bool expand)
{
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_hex(hex, &len);
	char *text = NULL, *copy;

	g_assert_cmpint(tsr_cbor_to_diagnostic(bytes, len, expand, &text), ==, TSR_OK);
	copy = g_strdup(text);
	tsr_free(text);
	return copy;
}

static char *
json_of(const char *hex)
{
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_hex(hex, &len);
	char *text = NULL, *copy;

	g_assert_cmpint(tsr_cbor_to_json(bytes, len, &text), ==, TSR_OK);
	copy = g_strdup(text);
	tsr_free(text);
	return copy;
}

struct text_vector {
	const char *hex;
	const char *text;
};

/* RFC 8949 Appendix A, preferred-form examples, with the RFC's notation
 * (text strings show their characters rather than \u escapes). */
static const struct text_vector rfc8949_diag[] = {
	{ "00", "0" },
	{ "01", "1" },
	{ "0a", "10" },
	{ "17", "23" },
	{ "1818", "24" },
	{ "1819", "25" },
	{ "1864", "100" },
	{ "1903e8", "1000" },
	{ "1a000f4240", "1000000" },
	{ "1b000000e8d4a51000", "1000000000000" },
	{ "1bffffffffffffffff", "18446744073709551615" },
	{ "c249010000000000000000", "2(h'010000000000000000')" },
	{ "3bffffffffffffffff", "-18446744073709551616" },
	{ "c349010000000000000000", "3(h'010000000000000000')" },
	{ "20", "-1" },
	{ "29", "-10" },
	{ "3863", "-100" },
	{ "3903e7", "-1000" },
	{ "f90000", "0.0" },
	{ "f98000", "-0.0" },
	{ "f93c00", "1.0" },
	{ "fb3ff199999999999a", "1.1" },
	{ "f93e00", "1.5" },
	{ "f97bff", "65504.0" },
	{ "fa47c35000", "100000.0" },
	{ "fa7f7fffff", "3.4028234663852886e+38" },
	{ "fb7e37e43c8800759c", "1.0e+300" },
	{ "f90001", "5.960464477539063e-8" },
	{ "f90400", "0.00006103515625" },
	{ "f9c400", "-4.0" },
	{ "fbc010666666666666", "-4.1" },
	{ "f97c00", "Infinity" },
	{ "f97e00", "NaN" },
	{ "f9fc00", "-Infinity" },
	{ "f4", "false" },
	{ "f5", "true" },
	{ "f6", "null" },
	{ "f7", "undefined" },
	{ "c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")" },
	{ "c11a514b67b0", "1(1363896240)" },
	{ "c1fb41d452d9ec200000", "1(1363896240.5)" },
	{ "d74401020304", "23(h'01020304')" },
	{ "d818456449455446", "24(h'6449455446')" },
	{ "d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")" },
	{ "40", "h''" },
	{ "4401020304", "h'01020304'" },
	{ "60", "\"\"" },
	{ "6161", "\"a\"" },
	{ "6449455446", "\"IETF\"" },
	{ "62225c", "\"\\\"\\\\\"" },
	{ "62c3bc", "\"\xc3\xbc\"" },
	{ "63e6b0b4", "\"\xe6\xb0\xb4\"" },
	{ "64f0908591", "\"\xf0\x90\x85\x91\"" },
	{ "80", "[]" },
	{ "83010203", "[1, 2, 3]" },
	{ "8301820203820405", "[1, [2, 3], [4, 5]]" },
	{ "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
	  "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, "
	  "24, 25]" },
	{ "a0", "{}" },
	{ "a201020304", "{1: 2, 3: 4}" },
	{ "a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}" },
	{ "826161a161626163", "[\"a\", {\"b\": \"c\"}]" },
	{ "a56161614161626142616361436164614461656145",
	  "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}" },
};

static void
valid_diag_rfc8949(gconstpointer data)
{
	const struct text_vector *v = data;
	g_autofree char *text = diag_of(v->hex, false);

	g_assert_cmpstr(text, ==, v->text);
}

static void
valid_diag_numbers(void)
{
	static const struct text_vector cases[] = {
		{ "fb3fb999999999999a", "0.1" },
		{ "fb3f50624dd2f1a9fc", "0.001" },
		{ "fb3eb0c6f7a0b5ed8d", "0.000001" },
		{ "fb3e7ad7f29abcaf48", "1.0e-7" },
		{ "fb4341c37937e08000", "10000000000000000.0" },
		{ "fb444b1ae4d6e2ef50", "1.0e+21" },
		{ "fb4415af1d78b58c40", "100000000000000000000.0" },
		{ "fb44b52d02c7e14af6", "1.0e+23" },
		{ "fb0000000000000001", "5.0e-324" },
		{ "fb7fefffffffffffff", "1.7976931348623157e+308" },
		{ "fb400921fb54442d18", "3.141592653589793" },
		{ "fbc0c81c8000000000", "-12345.0" },
		{ "f90003", "1.7881393432617188e-7" },
		{ "1b8000000000000000", "9223372036854775808" },
		{ "3b7fffffffffffffff", "-9223372036854775808" },
		{ "3b8000000000000000", "-9223372036854775809" },
		{ "37", "-24" },
		{ "3818", "-25" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = diag_of(cases[i].hex, false);

		g_assert_cmpstr(text, ==, cases[i].text);
	}
}

/* Applications set LC_NUMERIC; the decimal point must stay a '.'. */
static void
valid_diag_locale(void)
{
	static const char *const locales[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "ru_RU.UTF-8" };
	g_autofree char *saved = g_strdup(setlocale(LC_NUMERIC, NULL));
	bool tried = false;

	for (size_t i = 0; i < G_N_ELEMENTS(locales); i++) {
		g_autofree char *a = NULL, *b = NULL;

		if (setlocale(LC_NUMERIC, locales[i]) == NULL)
			continue;
		tried = true;
		a = diag_of("fb3ff199999999999a", false);
		b = json_of("82f93e00fa47c35000");
		g_assert_cmpstr(a, ==, "1.1");
		g_assert_cmpstr(b, ==, "[1.5,100000.0]");
	}
	setlocale(LC_NUMERIC, saved);
	if (!tried)
		g_test_skip("no comma-decimal locale installed");
}

static void
valid_diag_escapes(void)
{
	/* "\"\\\n\r\t\b\f\x01\x1f\x7f/é" and a NUL inside */
	g_autofree char *text = diag_of("6f225c0a0d09080c011f7f2fc3a90041", false);

	g_assert_cmpstr(text, ==, "\"\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\xc3\xa9\\u0000A\"");
}

static void
valid_diag_handmade(void)
{
	/* {1: -7, "k": [h'00ff', 1004("2019-10-20")], h'': {true: null},
	 *  [1]: undefined, 2: 0(1.5)} */
	g_autofree char *text = diag_of("a50126616b824200ffd903ec6a323031392d31302d323040a1f5f6"
					"8101f702c0f93e00", false);

	g_assert_cmpstr(text, ==,
	    "{1: -7, \"k\": [h'00ff', 1004(\"2019-10-20\")], h'': {true: null}, [1]: undefined, "
	    "2: 0(1.5)}");
}

static void
valid_diag_items_request(void)
{
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_load("annex-d/items_request.cbor", &len);
	char *text = NULL;

	g_assert_cmpint(tsr_cbor_to_diagnostic(bytes, len, true, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==,
	    "{\"docType\": \"org.iso.18013.5.1.mDL\", \"nameSpaces\": {\"org.iso.18013.5.1\": "
	    "{\"family_name\": true, \"document_number\": true, \"driving_privileges\": true, "
	    "\"issue_date\": true, \"expiry_date\": true, \"portrait\": false}}}");
	tsr_free(text);
}

static void
valid_diag_embedded(void)
{
	g_autofree char *plain = diag_of("d818456449455446", false);
	g_autofree char *expanded = diag_of("d818456449455446", true);
	g_autofree char *nested = diag_of("d81846d81843d81800", true);
	g_autofree char *bad = diag_of("d8184201ff", true);
	g_autofree char *dup = diag_of("d81845a201000101", true);
	g_autofree char *not_bstr = diag_of("d8186161", true);
	g_autofree char *other_tag = diag_of("d819456449455446", true);

	g_assert_cmpstr(plain, ==, "24(h'6449455446')");
	g_assert_cmpstr(expanded, ==, "24(<<\"IETF\">>)");
	g_assert_cmpstr(nested, ==, "24(<<24(<<24(0)>>)>>)");
	/* Content that is not strict CBOR stays bytes. */
	g_assert_cmpstr(bad, ==, "24(h'01ff')");
	g_assert_cmpstr(dup, ==, "24(h'a201000101')");
	g_assert_cmpstr(not_bstr, ==, "24(\"a\")");
	g_assert_cmpstr(other_tag, ==, "25(h'6449455446')");
}

/* 24(<<24(<<...>>)>>) nested 40 deep: expansion stops once the nesting
 * across levels reaches 32, the rest shows as bytes. */
static void
valid_diag_embedded_depth(void)
{
	GByteArray *b = g_byte_array_new();
	g_autofree char *text = NULL;
	char *p;
	size_t expanded = 0;
	tsr_cbor_doc_t *doc = NULL;
	tsr_buf_t out;

	g_byte_array_append(b, (const uint8_t *)"\x00", 1);
	for (int i = 0; i < 40; i++) {
		GByteArray *outer = g_byte_array_new();
		tsr_cbor_enc_t enc;
		uint8_t *ptr = NULL;
		size_t len = 0;

		tsr_cbor_enc_init(&enc);
		tsr_cbor_put_embedded(&enc, b->data, b->len);
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &ptr, &len), ==, TSR_OK);
		g_byte_array_append(outer, ptr, (guint)len);
		free(ptr);
		g_byte_array_unref(b);
		b = outer;
	}
	g_assert_cmpint(tsr_cbor_to_diagnostic(b->data, b->len, true, &p), ==, TSR_OK);
	text = g_strdup(p);
	tsr_free(p);
	for (const char *s = text; (s = strstr(s, "<<")) != NULL; s += 2)
		expanded++;
	/* The tag at depth d shows its content's root (a tag) at d + 1 and
	 * that root's byte string at d + 2: tags at depths 1..30 expand, the
	 * one at 31 would reach 33. */
	g_assert_cmpuint(expanded, ==, 30);
	g_assert_true(g_str_has_prefix(text, "24(<<24(<<"));
	g_assert_nonnull(strstr(text, "24(h'd818"));

	/* tsr_cbor_diag() on the decoded root gives the same text. */
	g_assert_cmpint(tsr_cbor_decode(b->data, b->len, NULL, &doc), ==, TSR_OK);
	tsr_buf_init(&out);
	g_assert_cmpint(tsr_cbor_diag(tsr_cbor_doc_root(doc), true, &out), ==, TSR_OK);
	g_assert_cmpmem(out.ptr, out.len, text, strlen(text));
	tsr_buf_free(&out);
	tsr_cbor_doc_free(doc);
	g_byte_array_unref(b);
}

static void
valid_diag_issuer_signed(void)
{
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_load("annex-d/issuer_signed.cbor", &len);
	char *text = NULL;

	g_assert_cmpint(tsr_cbor_to_diagnostic(bytes, len, true, &text), ==, TSR_OK);
	g_assert_true(g_str_has_prefix(text, "{\"nameSpaces\": {\"org.iso.18013.5.1\": [24(<<{\"digestID\": 0, "
					     "\"random\": h'8798645b20ea200e19ffabac92624bee6aec63aceedecfb1b80077d22bfc20e9', "
					     "\"elementIdentifier\": \"family_name\", \"elementValue\": \"Doe\"}>>), "));
	g_assert_nonnull(strstr(text, "\"elementIdentifier\": \"issue_date\", \"elementValue\": 1004(\"2019-10-20\")}>>)"));
	g_assert_nonnull(strstr(text, "\"elementValue\": [{\"vehicle_category_code\": \"A\", \"issue_date\": "
				      "1004(\"2018-08-09\"), \"expiry_date\": 1004(\"2024-10-20\")}, "
				      "{\"vehicle_category_code\": \"B\", \"issue_date\": 1004(\"2017-02-23\"), "
				      "\"expiry_date\": 1004(\"2024-10-20\")}]}>>)]}, \"issuerAuth\": [h'a10126', {33: h'3082"));
	tsr_free(text);
	/* Without expansion the items stay bytes. */
	g_assert_cmpint(tsr_cbor_to_diagnostic(bytes, len, false, &text), ==, TSR_OK);
	g_assert_true(g_str_has_prefix(text, "{\"nameSpaces\": {\"org.iso.18013.5.1\": [24(h'a4686469676573744944"));
	tsr_free(text);
}

/* The JSON of each Annex D data element value. */
static void
valid_json_annex_d_elements(void)
{
	static const char *const expected[][2] = {
		{ "family_name", "\"Doe\"" },
		{ "issue_date", "{\"$full-date\":\"2019-10-20\"}" },
		{ "expiry_date", "{\"$full-date\":\"2024-10-20\"}" },
		{ "document_number", "\"123456789\"" },
		{ "portrait", NULL },
		{ "driving_privileges",
		  "[{\"vehicle_category_code\":\"A\",\"issue_date\":{\"$full-date\":\"2018-08-09\"},"
		  "\"expiry_date\":{\"$full-date\":\"2024-10-20\"}},{\"vehicle_category_code\":\"B\","
		  "\"issue_date\":{\"$full-date\":\"2017-02-23\"},\"expiry_date\":{\"$full-date\":"
		  "\"2024-10-20\"}}]" },
	};
	size_t len = 0, jpeg_len = 0;
	g_autofree uint8_t *bytes = tsr_test_load("annex-d/issuer_signed.cbor", &len);
	g_autofree uint8_t *jpeg = tsr_test_load("annex-d/portrait.jpg", &jpeg_len);
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *ns;

	g_assert_cmpint(tsr_cbor_decode(bytes, len, NULL, &doc), ==, TSR_OK);
	ns = tsr_cbor_map_find_tstr(tsr_cbor_map_find_tstr(tsr_cbor_doc_root(doc), "nameSpaces"),
	    "org.iso.18013.5.1");
	g_assert_cmpuint(ns->u.list.count, ==, G_N_ELEMENTS(expected));
	for (size_t i = 0; i < ns->u.list.count; i++) {
		tsr_cbor_doc_t *item = NULL;
		const tsr_cbor_item_t *value;
		char *json = NULL;
		tsr_buf_t out;

		g_assert_cmpint(tsr_cbor_decode_embedded(&ns->u.list.items[i], NULL, &item), ==, TSR_OK);
		g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(tsr_cbor_doc_root(item),
						   "elementIdentifier"), expected[i][0]));
		value = tsr_cbor_map_find_tstr(tsr_cbor_doc_root(item), "elementValue");
		/* The public function on the value's bytes ... */
		g_assert_cmpint(tsr_cbor_to_json(value->raw.ptr, value->raw.len, &json), ==, TSR_OK);
		/* ... and the internal one on the item agree. */
		tsr_buf_init(&out);
		g_assert_cmpint(tsr_cbor_json(value, &out), ==, TSR_OK);
		g_assert_cmpmem(out.ptr, out.len, json, strlen(json));
		tsr_buf_free(&out);
		if (expected[i][1] != NULL) {
			g_assert_cmpstr(json, ==, expected[i][1]);
		} else {
			g_autofree char *hex = NULL;
			g_autofree char *want = NULL;

			g_assert_cmpint(tsr_hex_encode(jpeg, jpeg_len, &hex), ==, TSR_OK);
			want = g_strdup_printf("{\"$bytes\":\"%s\"}", hex);
			g_assert_cmpstr(json, ==, want);
		}
		tsr_free(json);
		tsr_cbor_doc_free(item);
	}
	tsr_cbor_doc_free(doc);
}

static void
valid_json_values(void)
{
	static const struct text_vector cases[] = {
		{ "00", "0" },
		{ "20", "-1" },
		{ "1b0020000000000000", "9007199254740992" },              /* 2^53 */
		{ "1b0020000000000001", "{\"$int\":\"9007199254740993\"}" },
		{ "1b1000000000000000", "{\"$int\":\"1152921504606846976\"}" }, /* 2^60 */
		{ "3b0fffffffffffffff", "{\"$int\":\"-1152921504606846976\"}" }, /* -2^60 */
		{ "3b001fffffffffffff", "-9007199254740992" },             /* -2^53 */
		{ "3b0020000000000000", "{\"$int\":\"-9007199254740993\"}" },
		{ "1bffffffffffffffff", "{\"$int\":\"18446744073709551615\"}" },
		{ "3bffffffffffffffff", "{\"$int\":\"-18446744073709551616\"}" },
		{ "f93e00", "1.5" },
		{ "fb3ff199999999999a", "1.1" },
		{ "f98000", "-0.0" },
		{ "fb7e37e43c8800759c", "1.0e+300" },
		{ "f97e00", "{\"$float\":\"NaN\"}" },
		{ "f97c00", "{\"$float\":\"Infinity\"}" },
		{ "f9fc00", "{\"$float\":\"-Infinity\"}" },
		{ "f4", "false" },
		{ "f5", "true" },
		{ "f6", "null" },
		{ "f7", "{\"$undefined\":true}" },
		{ "40", "{\"$bytes\":\"\"}" },
		{ "4300ff10", "{\"$bytes\":\"00ff10\"}" },
		{ "60", "\"\"" },
		{ "80", "[]" },
		{ "a0", "{}" },
		{ "d903ec6a323031392d31302d3230", "{\"$full-date\":\"2019-10-20\"}" },
		{ "c074323031332d30332d32315432303a30343a30305a", "{\"$tdate\":\"2013-03-21T20:04:00Z\"}" },
		{ "c11a514b67b0", "{\"$tag\":1,\"value\":1363896240}" },
		{ "d903ec190100", "{\"$tag\":1004,\"value\":256}" },
		{ "c01a514b67b0", "{\"$tag\":0,\"value\":1363896240}" },
		{ "d818456449455446", "{\"$tag\":24,\"value\":{\"$bytes\":\"6449455446\"}}" },
		{ "dbffffffffffffffff00", "{\"$tag\":18446744073709551615,\"value\":0}" },
		{ "8301820203820405", "[1,[2,3],[4,5]]" },
		{ "a26161016162820203", "{\"a\":1,\"b\":[2,3]}" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *json = json_of(cases[i].hex);

		g_test_message("%s", cases[i].hex);
		g_assert_cmpstr(json, ==, cases[i].text);
	}
}

static void
valid_json_escapes(void)
{
	/* {"\"\\\n\x01\x1f\x7fé": 1, 1: 2, -1: 3, h'0a': 4, ["a", "\""]: 5, 1.5: 6,
	 *  null: 7, "": 8} */
	g_autofree char *json = json_of("a8" "68225c0a011f7fc3a9" "01" "0102" "2003" "410a04"
					"82616161" "22" "05" "f93e0006" "f607" "6008");

	g_assert_cmpstr(json, ==,
	    "{\"\\\"\\\\\\n\\u0001\\u001f\x7f\xc3\xa9\":1,\"1\":2,\"-1\":3,\"h'0a'\":4,"
	    "\"[\\\"a\\\", \\\"\\\\\\\"\\\"]\":5,\"1.5\":6,\"null\":7,\"\":8}");
}

static void
junk_public_api(void)
{
	static const char *const bad[][2] = {
		{ "", "TSR_ERR_CBOR_TRUNCATED" },
		{ "0102", "TSR_ERR_CBOR_TRAILING" },
		{ "9f01ff", "TSR_ERR_CBOR_INDEFINITE" },
		{ "a201020103", "TSR_ERR_CBOR_DUPLICATE_KEY" },
		{ "1805", "TSR_ERR_CBOR_NOT_PREFERRED" },
		{ "62c0af", "TSR_ERR_CBOR_BAD_UTF8" },
		{ "f820", "TSR_ERR_CBOR_UNSUPPORTED_SIMPLE" },
		{ "1c", "TSR_ERR_CBOR_MALFORMED" },
	};
	static char untouched[] = "untouched";
	char *marker = untouched;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_hex(bad[i][0], &len);
		char *text = marker;

		g_assert_cmpstr(tsr_strerror_name(tsr_cbor_to_diagnostic(bytes, len, true, &text)), ==,
		    bad[i][1]);
		g_assert_true(text == marker);
		g_assert_cmpstr(tsr_strerror_name(tsr_cbor_to_json(bytes, len, &text)), ==, bad[i][1]);
		g_assert_true(text == marker);
	}
	g_assert_cmpint(tsr_cbor_to_json(NULL, 1, &marker), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_cbor_to_json((const uint8_t *)"\x00", 1, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_cbor_to_diagnostic(NULL, 1, false, &marker), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_cbor_diag(NULL, false, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_cbor_json(NULL, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(rfc8949_diag); i++) {
		g_autofree char *path = g_strdup_printf("/cbor/diag/valid_rfc8949/%s",
		    rfc8949_diag[i].hex);
		g_test_add_data_func(path, &rfc8949_diag[i], valid_diag_rfc8949);
	}
	g_test_add_func("/cbor/diag/valid_numbers", valid_diag_numbers);
	g_test_add_func("/cbor/diag/valid_locale", valid_diag_locale);
	g_test_add_func("/cbor/diag/valid_escapes", valid_diag_escapes);
	g_test_add_func("/cbor/diag/valid_handmade", valid_diag_handmade);
	g_test_add_func("/cbor/diag/valid_items_request", valid_diag_items_request);
	g_test_add_func("/cbor/diag/valid_embedded", valid_diag_embedded);
	g_test_add_func("/cbor/diag/valid_embedded_depth", valid_diag_embedded_depth);
	g_test_add_func("/cbor/diag/valid_issuer_signed", valid_diag_issuer_signed);
	g_test_add_func("/cbor/json/valid_annex_d_elements", valid_json_annex_d_elements);
	g_test_add_func("/cbor/json/valid_values", valid_json_values);
	g_test_add_func("/cbor/json/valid_escapes", valid_json_escapes);
	g_test_add_func("/cbor/json/junk_public_api", junk_public_api);
	return g_test_run();
}
