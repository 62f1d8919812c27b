/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The claims JSON reader: JSON -> CBOR mapping, typed values, and every
 * syntax error with its position. */

#include <string.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#include "issuer/issuer-private.h"
#include "test-support.h"

typedef struct conv {
	const char *json;
	const char *cbor_hex;
} conv_t;

/* Values and the CBOR they become (preferred encoding, sorted maps). */
static const conv_t conversions[] = {
	{ "0", "00" },
	{ "23", "17" },
	{ "24", "1818" },
	{ "-1", "20" },
	{ "-0", "00" },
	{ "18446744073709551615", "1bffffffffffffffff" },
	{ "-9223372036854775808", "3b7fffffffffffffff" },
	{ "1.5", "f93e00" },
	{ "1e2", "f95640" },
	{ "0.1", "fb3fb999999999999a" },
	{ "true", "f5" },
	{ "false", "f4" },
	{ "null", "f6" },
	{ "\"a\\u00e9\\ud83d\\ude00\"", "67" "61c3a9f09f9880" },
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "68225c2f080c0a0d09" },
	{ "[]", "80" },
	{ "[1, [2]]", "820181" "02" },
	{ "{\"bb\": 1, \"a\": 2, \"c\": 3}", "a3" "616102" "616303" "626262" "01" },
	{ "{\"$full-date\": \"2024-02-29\"}", "d903ec" "6a323032342d30322d3239" },
	{ "{\"$tdate\": \"2024-01-01T00:00:00Z\"}",
	    "c0" "74323032342d30312d30315430303a30303a30305a" },
	{ "{\"$bytes\": \"00FFab\"}", "4300ffab" },
	{ "{\"$b64\": \"AP+r\"}", "4300ffab" },
	{ "{\"$b64\": \"AA==\"}", "4100" },
	{ "{\"$b64\": \"AA\"}", "4100" },        /* padding is optional */
	{ "{\"$b64\": \"\"}", "40" },
};

static void
valid_conversions(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(conversions); i++) {
		uint8_t *cbor = NULL;
		size_t len = 0;
		char *err = NULL;
		int r = tsr_json_to_cbor(conversions[i].json, strlen(conversions[i].json), true,
		    &cbor, &len, &err);

		if (r != TSR_OK)
			g_error("%s: %s", conversions[i].json, err ? err : tsr_strerror(r));
		tsr_test_assert_hex(cbor, len, conversions[i].cbor_hex);
		free(cbor);
	}
}

typedef struct bad {
	const char *json;
	const char *message;
} bad_t;

static const bad_t bad_json[] = {
	{ "", "line 1, column 1: unexpected end of input" },
	{ "{\"a\": 1, \"a\": 2}", "line 1, column 10: duplicate key \"a\"" },
	{ "{\"a\": 1}\n  x", "line 2, column 3: text after the JSON value" },
	{ "{\"a\": 01}", "leading zero" },
	{ "{\"a\": 1.}", "bad fraction" },
	{ "{\"a\": 1e}", "bad exponent" },
	{ "{\"a\": 18446744073709551616}", "integer out of range" },
	{ "{\"a\": -9223372036854775809}", "integer out of range" },
	{ "{\"a\": 1e999}", "number out of range" },
	{ "{\"a\": \"\xc3\x28\"}", "invalid UTF-8" },
	{ "{\"a\": \"\xed\xa0\x80\"}", "invalid UTF-8" },          /* encoded surrogate */
	{ "{\"a\": \"\xc0\xaf\"}", "invalid UTF-8" },              /* overlong */
	{ "{\"a\": \"\\ud800\"}", "lone high surrogate" },
	{ "{\"a\": \"\\udc00\"}", "lone low surrogate" },
	{ "{\"a\": \"\\u0000\"}", "NUL character not allowed" },
	{ "{\"a\": \"x\ty\"}", "control character" },
	{ "{\"a\": \"\\x\"}", "unknown escape" },
	{ "{\"a\": tru}", "unexpected character" },
	{ "{\"a\" 1}", "expected ':'" },
	{ "{\"a\": 1,}", "expected a string key" },
	{ "[1 2]", "expected ',' or ']'" },
	{ "{\"a\": \"x\"", "expected ',' or '}'" },
	{ "{\"a\": {\"$full-date\": \"2023-02-29\"}}", "$full-date needs a date" },
	{ "{\"a\": {\"$tdate\": \"2024-01-01T00:00:00.5Z\"}}", "$tdate needs" },
	{ "{\"a\": {\"$tdate\": \"2024-01-01T00:00:00+01:00\"}}", "$tdate needs" },
	{ "{\"a\": {\"$bytes\": \"abc\"}}", "$bytes needs an even number" },
	{ "{\"a\": {\"$bytes\": \"zz\"}}", "$bytes needs" },
	{ "{\"a\": {\"$b64\": \"A===\"}}", "$b64 needs base64" },
	{ "{\"a\": {\"$b64\": \"AA=\"}}", "$b64 needs base64" },     /* padding not to 4 */
	{ "{\"a\": {\"$b64\": \"AB\"}}", "$b64 needs base64" },     /* non-zero trailing bits */
	{ "{\"a\": {\"$b64\": \"AP-r\"}}", "$b64 needs base64" },   /* url alphabet */
	{ "{\"a\": {\"$date\": \"2024-01-01\"}}", "unknown typed value \"$date\"" },
	{ "{\"a\": {\"$bytes\": \"00\", \"b\": 1}}", "exactly one key" },
	{ "{\"a\": {\"b\": 1, \"$bytes\": \"00\"}}", "exactly one key" },
	{ "{\"a\": {\"$bytes\": 5}}", "a typed value is a string" },
	{ "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", "nested deeper than 16" },
};

static void
invalid_json(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_json); i++) {
		uint8_t *cbor = NULL;
		size_t len = 0;
		char *err = NULL;
		int r = tsr_json_to_cbor(bad_json[i].json, strlen(bad_json[i].json), true, &cbor,
		    &len, &err);

		g_assert_cmpint(r, !=, TSR_OK);
		g_assert_null(cbor);
		if (err == NULL || strstr(err, bad_json[i].message) == NULL)
			g_error("case %zu %s: expected \"%s\", got \"%s\"", i, bad_json[i].json,
			    bad_json[i].message, err ? err : "(none)");
		free(err);
	}
}

static void
invalid_claims_structure(void)
{
	static const bad_t cases[] = {
		{ "[]", "claims must be a non-empty object of namespaces" },
		{ "{}", "claims must be a non-empty object of namespaces" },
		{ "{\"ns\": 1}", "namespace \"ns\" must be a non-empty object" },
		{ "{\"ns\": {}}", "namespace \"ns\" must be a non-empty object" },
		{ "{\"ns\": {\"\": 1}}", "namespace \"ns\" has an empty element identifier" },
		{ "{\"\": {\"a\": 1}}", "namespace \"\" must be" },
		{ "{\"ns\": {\"a\": 1, \"a\": 2}}", "duplicate key \"a\"" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_claims_t *c = NULL;
		char *err = NULL;

		g_assert_cmpint(tsr_claims_from_json(cases[i].json, strlen(cases[i].json), &c, &err),
		    ==, TSR_ERR_INVALID_ARGUMENT);
		g_assert_null(c);
		if (err == NULL || strstr(err, cases[i].message) == NULL)
			g_error("case %zu: expected \"%s\", got \"%s\"", i, cases[i].message,
			    err ? err : "(none)");
		tsr_free(err);
	}
}

/* Validation on its own (no issuer): the age rule at a given time. */
static void
valid_age_at_signing_time(void)
{
	const char *json = "{\"eu.europa.ec.av.1\": {\"age_over_18\": true}, "
	    "\"eu.europa.ec.eudi.pid.1\": {}}";
	const char *pid = "{\"eu.europa.ec.eudi.pid.1\": {\"family_name\": \"A\", "
	    "\"given_name\": \"B\", \"birth_date\": {\"$full-date\": \"2008-06-15\"}, "
	    "\"birth_place\": \"X\", \"nationality\": \"UT\", \"issuing_authority\": \"C\", "
	    "\"issuing_country\": \"UT\", \"age_over_18\": true}}";
	tsr_claims_t *c = NULL;
	char *report = NULL;

	g_assert_cmpint(tsr_claims_from_json(json, strlen(json), &c, NULL), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_claims_from_json(pid, strlen(pid), &c, NULL), ==, TSR_OK);
	/* The day before the 18th birthday, then the day itself. */
	g_assert_cmpint(tsr_claims_validate(c, "eu.europa.ec.eudi.pid.1",
	    tsr_test_time("2026-06-14T23:59:59Z"), false, &report), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpstr(report, ==, "eu.europa.ec.eudi.pid.1/age_over_18: is true but birth_date "
	    "makes the holder younger than 18 at the signing time");
	tsr_free(report);
	report = NULL;
	g_assert_cmpint(tsr_claims_validate(c, "eu.europa.ec.eudi.pid.1",
	    tsr_test_time("2026-06-15T00:00:00Z"), false, &report), ==, TSR_OK);
	g_assert_null(report);
	tsr_claims_free(c);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/issuer/claims/valid_conversions", valid_conversions);
	g_test_add_func("/issuer/claims/invalid_json", invalid_json);
	g_test_add_func("/issuer/claims/invalid_claims_structure", invalid_claims_structure);
	g_test_add_func("/issuer/claims/valid_age_at_signing_time", valid_age_at_signing_time);
	return g_test_run();
}
