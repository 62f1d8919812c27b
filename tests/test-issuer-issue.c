/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Issuance end to end: every doctype and digest verifies with the reader
 * (new IACA as trust anchor, deviceSignature by the generated device key);
 * every validation rule refuses with its message; fresh salts and digest
 * IDs per credential; batches; device key formats; status lists.
 */

#include <string.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#include "base/base64.h"
#include "issuer-response.h"
#include "reader/status.h"
#include "test-support.h"

#define DAY 86400
#define NS_MDL "org.iso.18013.5.1"

typedef struct fixture {
	int64_t now;
	char *iaca, *iaca_key, *ds, *ds_key;
	tsr_issuer_t *issuer;
	tsr_ec_key_t *device;
	uint8_t *device_cose;
	size_t device_cose_len;
	uint8_t *transcript;
	size_t transcript_len;
} fixture_t;

static void
make_pki(int64_t now, const char *country, char **iaca, char **iaca_key, char **ds,
    char **ds_key)
{
	tsr_cert_params_t p;

	memset(&p, 0, sizeof(p));
	p.country = country;
	p.organization = "Test";
	p.common_name = "Test IACA";
	p.issuer_alt_name = "https://issuer.example.org";
	p.crl_uri = "https://issuer.example.org/crl";
	p.not_before = now - 3600;
	p.not_after = now + 3000 * (int64_t)DAY;
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_IACA, &p, NULL, 0, NULL, 0, NULL, 0, iaca,
	    iaca_key), ==, TSR_OK);
	p.common_name = "Test DS";
	p.not_after = now + 457 * (int64_t)DAY - 3600;
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_DS, &p, (const uint8_t *)*iaca,
	    strlen(*iaca), (const uint8_t *)*iaca_key, strlen(*iaca_key), NULL, 0, ds, ds_key), ==,
	    TSR_OK);
}

static void
device_cose(const tsr_ec_key_t *key, uint8_t **ret, size_t *ret_len)
{
	tsr_ec_pub_t pub;
	tsr_cbor_enc_t enc;

	g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
	tsr_cbor_enc_init(&enc);
	tsr_cose_key_encode(&enc, &pub);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, ret, ret_len), ==, TSR_OK);
}

static void
fixture_set_up(fixture_t *f, gconstpointer data)
{
	(void)data;
	memset(f, 0, sizeof(*f));
	f->now = tsr_clock_now();
	make_pki(f->now, "UT", &f->iaca, &f->iaca_key, &f->ds, &f->ds_key);
	g_assert_cmpint(tsr_issuer_new((const uint8_t *)f->ds, strlen(f->ds),
	    (const uint8_t *)f->ds_key, strlen(f->ds_key), &f->issuer), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &f->device), ==, TSR_OK);
	device_cose(f->device, &f->device_cose, &f->device_cose_len);
	f->transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &f->transcript_len);
}

static void
fixture_tear_down(fixture_t *f, gconstpointer data)
{
	(void)data;
	tsr_free(f->iaca);
	tsr_free(f->iaca_key);
	tsr_free(f->ds);
	tsr_free(f->ds_key);
	tsr_issuer_free(f->issuer);
	tsr_ec_key_free(f->device);
	free(f->device_cose);
	g_free(f->transcript);
}

static char *
example(const char *name)
{
	g_autofree char *path = g_build_filename(g_getenv("TSR_TEST_DATA"), "..", "..",
	    "issuer-tool", "examples", name, NULL);
	char *text = NULL;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	return text;
}

static tsr_claims_t *
claims_of(const char *json)
{
	tsr_claims_t *c = NULL;
	char *err = NULL;
	int r = tsr_claims_from_json(json, strlen(json), &c, &err);

	if (r != TSR_OK)
		g_error("claims: %s", err ? err : tsr_strerror(r));
	return c;
}

static uint8_t *
issue(const fixture_t *f, const tsr_issue_params_t *p, const char *json, size_t *ret_len)
{
	tsr_claims_t *c = claims_of(json);
	uint8_t *out = NULL;
	char *report = NULL;
	int r = tsr_issuer_issue(f->issuer, p, c, f->device_cose, f->device_cose_len, &out,
	    ret_len, &report);

	if (r != TSR_OK)
		g_error("issue: %s\n%s", tsr_strerror(r), report ? report : "");
	tsr_claims_free(c);
	return out;
}

static tsr_verify_result_t *
verify(const fixture_t *f, const char *iaca, const uint8_t *issued, size_t len,
    const tsr_ec_key_t *device, const uint8_t *const *lists, const size_t *list_lens,
    size_t n_lists, int64_t at, int expect)
{
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *res = NULL;
	uint8_t *resp = NULL;
	size_t resp_len = 0;

	g_assert_cmpint(issuer_test_response(issued, len, device, f->transcript, f->transcript_len,
	    &resp, &resp_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, (const uint8_t *)iaca, strlen(iaca)), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, f->transcript, f->transcript_len), ==,
	    TSR_OK);
	for (size_t i = 0; i < n_lists; i++)
		g_assert_cmpint(tsr_verifier_add_status_list(v, lists[i], list_lens[i]), ==, TSR_OK);
	tsr_verifier_set_time(v, at);
	g_assert_cmpint(tsr_verifier_verify(v, resp, resp_len, &res), ==, expect);
	tsr_verifier_free(v);
	free(resp);
	return res;
}

static void
assert_valid(const fixture_t *f, const uint8_t *issued, size_t len, const char *digest)
{
	tsr_verify_result_t *res = verify(f, f->iaca, issued, len, f->device, NULL, NULL, 0,
	    f->now + 60, TSR_OK);
	const tsr_verified_doc_t *doc = tsr_verify_result_doc(res, 0);
	tsr_verified_element_t e;

	g_assert_cmpuint(tsr_verified_doc_reasons(doc), ==, 0);
	g_assert_cmpstr(tsr_verified_doc_digest_algorithm(doc), ==, digest);
	g_assert_cmpint(tsr_verified_doc_device_auth(doc), ==, TSR_DEVICE_AUTH_SIGNATURE);
	g_assert_cmpint(tsr_verified_doc_status(doc), ==, TSR_DOC_STATUS_NONE);
	g_assert_cmpuint(tsr_verified_doc_element_count(doc), >, 0);
	for (size_t i = 0; i < tsr_verified_doc_element_count(doc); i++) {
		g_assert_cmpint(tsr_verified_doc_element(doc, i, &e), ==, TSR_OK);
		g_assert_true(e.verified);
	}
	tsr_verify_result_free(res);
}

/* --- Every doctype with every digest --- */

static void
valid_doctypes_and_digests(fixture_t *f, gconstpointer data)
{
	static const char *const doctypes[][2] = {
		{ "org.iso.18013.5.1.mDL", "mdl.json" },
		{ "eu.europa.ec.eudi.pid.1", "pid.json" },
		{ "eu.europa.ec.av.1", "av.json" },
	};
	static const char *const digests[] = { "SHA-256", "SHA-384", "SHA-512" };

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(doctypes); i++) {
		g_autofree char *json = example(doctypes[i][1]);

		for (size_t j = 0; j < G_N_ELEMENTS(digests); j++) {
			tsr_issue_params_t p = { .doc_type = doctypes[i][0], .digest_alg = digests[j] };
			size_t len = 0;
			uint8_t *out = issue(f, &p, json, &len);

			assert_valid(f, out, len, digests[j]);
			tsr_free(out);
		}
	}
}

static void
valid_document_format(fixture_t *f, gconstpointer data)
{
	g_autofree char *json = example("mdl.json");
	tsr_issue_params_t p = { .doc_type = TSR_DOCTYPE_MDL, .format = TSR_ISSUE_DOCUMENT };
	tsr_cbor_doc_t *doc = NULL;
	tsr_document_t d;
	size_t len = 0;
	uint8_t *out = issue(f, &p, json, &len);

	(void)data;
	g_assert_cmpint(tsr_cbor_decode(out, len, NULL, &doc), ==, TSR_OK);
	g_assert_cmpint(tsr_document_decode(tsr_cbor_doc_root(doc), false, &d), ==, TSR_OK);
	g_assert_false(d.has_device_signed);
	g_assert_cmpmem(d.doc_type.ptr, d.doc_type.len, TSR_DOCTYPE_MDL, strlen(TSR_DOCTYPE_MDL));
	tsr_document_clear(&d);
	tsr_cbor_doc_free(doc);
	assert_valid(f, out, len, "SHA-256");
	tsr_free(out);
}

/* The MSO: Annex D key order, version 1.0, validity defaults, deterministic
 * (strictly decodable) CBOR, digest IDs a permutation, 32-byte salts. */
static void
valid_mso_shape(fixture_t *f, gconstpointer data)
{
	static const char *const order[] = { "version", "digestAlgorithm", "valueDigests",
		"deviceKeyInfo", "docType", "validityInfo" };
	g_autofree char *json = example("mdl.json");
	tsr_issue_params_t p = { .doc_type = TSR_DOCTYPE_MDL, .signed_at = f->now };
	tsr_cbor_doc_t *doc = NULL;
	tsr_issuer_signed_t is;
	const tsr_cbor_item_t *mso;
	size_t len = 0;
	uint8_t *out = issue(f, &p, json, &len);
	bool seen[64] = { false };

	(void)data;
	g_assert_cmpint(tsr_cbor_decode(out, len, NULL, &doc), ==, TSR_OK);
	g_assert_cmpint(tsr_issuer_signed_decode(tsr_cbor_doc_root(doc), &is), ==, TSR_OK);
	mso = tsr_cbor_doc_root(is.mso.doc);
	g_assert_cmpuint(mso->u.list.count, ==, G_N_ELEMENTS(order));
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
		g_assert_true(tsr_cbor_tstr_eq(tsr_cbor_map_key(mso, i), order[i]));
	g_assert_cmpint(is.mso.signed_at, ==, f->now);
	g_assert_cmpint(is.mso.valid_from, ==, f->now);
	g_assert_cmpint(is.mso.valid_until, ==, f->now + 365 * (int64_t)DAY);
	g_assert_cmpint(is.issuer_auth.alg, ==, TSR_COSE_ALG_ES256);
	g_assert_nonnull(is.issuer_auth.x5chain);
	g_assert_cmpuint(tsr_x509_count(is.issuer_auth.x5chain), ==, 1);
	g_assert_cmpuint(is.n_ns, ==, 1);
	g_assert_cmpuint(is.ns[0].n_items, <=, G_N_ELEMENTS(seen));
	for (size_t j = 0; j < is.ns[0].n_items; j++) {
		g_assert_cmpuint(is.ns[0].items[j].digest_id, <, is.ns[0].n_items);
		g_assert_false(seen[is.ns[0].items[j].digest_id]);
		seen[is.ns[0].items[j].digest_id] = true;
		g_assert_cmpuint(is.ns[0].items[j].random.len, ==, 32);
	}
	tsr_issuer_signed_clear(&is);
	tsr_cbor_doc_free(doc);
	tsr_free(out);
}

/* Same inputs, twice: different salts for every element, different bytes. */
static void
valid_fresh_salts(fixture_t *f, gconstpointer data)
{
	g_autofree char *json = example("av.json");
	tsr_issue_params_t p = { .doc_type = "eu.europa.ec.av.1", .signed_at = f->now };
	tsr_cbor_doc_t *d1 = NULL, *d2 = NULL;
	tsr_issuer_signed_t a, b;
	size_t l1 = 0, l2 = 0;
	uint8_t *o1 = issue(f, &p, json, &l1), *o2 = issue(f, &p, json, &l2);

	(void)data;
	g_assert_false(l1 == l2 && memcmp(o1, o2, l1) == 0);
	g_assert_cmpint(tsr_cbor_decode(o1, l1, NULL, &d1), ==, TSR_OK);
	g_assert_cmpint(tsr_cbor_decode(o2, l2, NULL, &d2), ==, TSR_OK);
	g_assert_cmpint(tsr_issuer_signed_decode(tsr_cbor_doc_root(d1), &a), ==, TSR_OK);
	g_assert_cmpint(tsr_issuer_signed_decode(tsr_cbor_doc_root(d2), &b), ==, TSR_OK);
	for (size_t i = 0; i < a.ns[0].n_items; i++)
		for (size_t j = 0; j < b.ns[0].n_items; j++)
			g_assert_false(memcmp(a.ns[0].items[i].random.ptr, b.ns[0].items[j].random.ptr,
			    32) == 0);
	tsr_issuer_signed_clear(&a);
	tsr_issuer_signed_clear(&b);
	tsr_cbor_doc_free(d1);
	tsr_cbor_doc_free(d2);
	tsr_free(o1);
	tsr_free(o2);
}

/* --- Validation: every rule refuses with its message --- */

/* A minimal valid mDL as JSON members; one member replaced or dropped. */
static const char *const mdl_members[][2] = {
	{ "family_name", "\"Doe\"" },
	{ "given_name", "\"Jane\"" },
	{ "birth_date", "{\"$full-date\": \"1990-04-12\"}" },
	{ "issue_date", "{\"$full-date\": \"2026-01-15\"}" },
	{ "expiry_date", "{\"$full-date\": \"2031-01-15\"}" },
	{ "issuing_country", "\"UT\"" },
	{ "issuing_authority", "\"DMV\"" },
	{ "document_number", "\"X1\"" },
	{ "portrait", "{\"$bytes\": \"ffd8ffe000104a46494600010100\"}" },
	{ "driving_privileges", "[{\"vehicle_category_code\": \"B\"}]" },
	{ "un_distinguishing_sign", "\"UTO\"" },
};

static char *
mdl_json(const char *key, const char *value)
{
	GString *s = g_string_new("{\"" NS_MDL "\": {");
	bool first = true, replaced = false;

	for (size_t i = 0; i < G_N_ELEMENTS(mdl_members); i++) {
		const char *v = mdl_members[i][1];

		if (key != NULL && strcmp(key, mdl_members[i][0]) == 0) {
			replaced = true;
			if (value == NULL)
				continue;
			v = value;
		}
		g_string_append_printf(s, "%s\"%s\": %s", first ? "" : ", ", mdl_members[i][0], v);
		first = false;
	}
	if (key != NULL && !replaced && value != NULL)
		g_string_append_printf(s, ", \"%s\": %s", key, value);
	g_string_append(s, "}}");
	return g_string_free(s, FALSE);
}

static char *
refusal(const fixture_t *f, const tsr_issue_params_t *p, const char *json)
{
	tsr_claims_t *c = claims_of(json);
	uint8_t *out = NULL;
	size_t len = 0;
	char *report = NULL;

	g_assert_cmpint(tsr_issuer_issue(f->issuer, p, c, f->device_cose, f->device_cose_len, &out,
	    &len, &report), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(out);
	g_assert_nonnull(report);
	tsr_claims_free(c);
	return report;
}

typedef struct rule {
	const char *key;
	const char *value;     /* NULL: drop the element */
	const char *message;   /* expected in the report */
} rule_t;

static const rule_t mdl_rules[] = {
	{ "family_name", NULL, NS_MDL "/family_name: mandatory element missing" },
	{ "portrait", NULL, NS_MDL "/portrait: mandatory element missing" },
	{ "family_name", "42", NS_MDL "/family_name: must be text" },
	{ "family_name", "\"" "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901\"",
	    NS_MDL "/family_name: longer than 150 characters" },
	{ "birth_date", "\"1990-04-12\"", NS_MDL "/birth_date: must be a full-date" },
	{ "issue_date", "\"2026-01-15\"", NS_MDL "/issue_date: must be a full-date or a tdate" },
	{ "issuing_country", "\"ut\"", NS_MDL "/issuing_country: must be an ISO 3166-1 alpha-2" },
	{ "issuing_country", "\"FR\"",
	    NS_MDL "/issuing_country: differs from the DS certificate's country (UT)" },
	{ "portrait", "{\"$bytes\": \"89504e470d0a1a0a0000\"}",
	    NS_MDL "/portrait: must be a JPEG or JPEG 2000 image" },
	{ "driving_privileges", "{}", NS_MDL "/driving_privileges: must be an array" },
	{ "driving_privileges", "[{\"issue_date\": {\"$full-date\": \"2020-01-01\"}}]",
	    NS_MDL "/driving_privileges: privilege 0 needs a vehicle_category_code" },
	{ "driving_privileges", "[{\"vehicle_category_code\": \"B\", \"expiry_date\": \"x\"}]",
	    NS_MDL "/driving_privileges: privilege 0: expiry_date must be a full-date" },
	{ "driving_privileges", "[{\"vehicle_category_code\": \"B\", \"codes\": [{\"x\": 1}]}]",
	    NS_MDL "/driving_privileges: privilege 0: code 0 must be" },
	{ "sex", "5", NS_MDL "/sex: must be 0, 1, 2 or 9" },
	{ "height", "-170", NS_MDL "/height: must be an unsigned integer" },
	{ "eye_colour", "\"purple\"", NS_MDL "/eye_colour: must be one of" },
	{ "hair_colour", "\"green\"", NS_MDL "/hair_colour: must be one of" },
	{ "age_over_18", "\"yes\"", NS_MDL "/age_over_18: must be true or false" },
	{ "age_over_18", "false",
	    NS_MDL "/age_over_18: is false but birth_date makes the holder at least 18" },
	{ "age_over_65", "true",
	    NS_MDL "/age_over_65: is true but birth_date makes the holder younger than 65" },
	{ "age_in_years", "7", NS_MDL "/age_in_years: does not match birth_date" },
	{ "age_birth_year", "1991", NS_MDL "/age_birth_year: does not match the year" },
	{ "portrait_capture_date", "{\"$full-date\": \"2020-01-01\"}",
	    NS_MDL "/portrait_capture_date: must be a tdate" },
	{ "expiry_date", "{\"$full-date\": \"2020-01-01\"}",
	    NS_MDL "/issue_date: is after expiry_date" },
	{ "birth_date", "{\"$full-date\": \"2999-01-01\"}", NS_MDL "/birth_date: is after the signing" },
	{ "favourite_colour", "\"blue\"",
	    NS_MDL "/favourite_colour: unknown data element (use --allow-unknown" },
	{ "age_over_1", "true", NS_MDL "/age_over_1: unknown data element" },
};

static void
invalid_mdl_rules(fixture_t *f, gconstpointer data)
{
	tsr_issue_params_t p = { .doc_type = TSR_DOCTYPE_MDL };
	g_autofree char *ok = mdl_json(NULL, NULL);
	size_t len = 0;
	uint8_t *out;

	(void)data;
	/* The base case is valid. */
	out = issue(f, &p, ok, &len);
	tsr_free(out);
	for (size_t i = 0; i < G_N_ELEMENTS(mdl_rules); i++) {
		g_autofree char *json = mdl_json(mdl_rules[i].key, mdl_rules[i].value);
		char *report = refusal(f, &p, json);

		if (strstr(report, mdl_rules[i].message) == NULL)
			g_error("rule %zu: expected \"%s\" in:\n%s", i, mdl_rules[i].message, report);
		tsr_free(report);
	}
}

static void
invalid_other_doctypes(fixture_t *f, gconstpointer data)
{
	static const struct {
		const char *doctype, *json, *message;
	} cases[] = {
		{ "eu.europa.ec.av.1", "{\"eu.europa.ec.av.1\": {\"age_over_21\": true}}",
		    "eu.europa.ec.av.1/age_over_18: mandatory element missing" },
		{ "eu.europa.ec.eudi.pid.1", "{\"eu.europa.ec.eudi.pid.1\": {\"family_name\": \"A\"}}",
		    "eu.europa.ec.eudi.pid.1/place_of_birth: mandatory element missing" },
		{ "eu.europa.ec.eudi.pid.1",
		    "{\"eu.europa.ec.eudi.pid.1\": {\"place_of_birth\": {}, \"nationality\": [\"ut\"]}}",
		    "eu.europa.ec.eudi.pid.1/place_of_birth: must be an object with at least one" },
		{ "eu.europa.ec.eudi.pid.1",
		    "{\"eu.europa.ec.eudi.pid.1\": {\"nationality\": [\"ut\"]}}",
		    "eu.europa.ec.eudi.pid.1/nationality: entry 0 must be an ISO 3166-1 alpha-2" },
		{ "eu.europa.ec.eudi.pid.1", "{\"eu.europa.ec.eudi.pid.1\": {\"sex\": 7}}",
		    "eu.europa.ec.eudi.pid.1/sex: must be 0-6 or 9" },
		{ "org.iso.18013.5.1.mDL", "{\"org.iso.18013.5.1.aamva\": {\"x\": 1}}",
		    "org.iso.18013.5.1: namespace missing" },
		{ "org.iso.18013.5.1.mDL", "{\"org.iso.18013.5.1.aamva\": {\"x\": 1}}",
		    "org.iso.18013.5.1.aamva: unknown namespace for org.iso.18013.5.1.mDL" },
		{ "org.example.loyalty.1", "{\"org.example.loyalty.1\": {\"tier\": \"gold\"}}",
		    "org.example.loyalty.1: unknown namespace" },
	};

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_issue_params_t p = { .doc_type = cases[i].doctype };
		char *report = refusal(f, &p, cases[i].json);

		if (strstr(report, cases[i].message) == NULL)
			g_error("case %zu: expected \"%s\" in:\n%s", i, cases[i].message, report);
		tsr_free(report);
	}
}

/* Unknown elements and doctypes go through with allow_unknown. */
static void
valid_allow_unknown(fixture_t *f, gconstpointer data)
{
	g_autofree char *mdl = mdl_json("favourite_colour", "\"blue\"");
	const char *other = "{\"org.example.loyalty.1\": {\"tier\": \"gold\", \"points\": 1200}}";
	tsr_issue_params_t p = { .doc_type = TSR_DOCTYPE_MDL, .allow_unknown = true };
	size_t len = 0;
	uint8_t *out;

	(void)data;
	out = issue(f, &p, mdl, &len);
	assert_valid(f, out, len, "SHA-256");
	tsr_free(out);
	p.doc_type = "org.example.loyalty.1";
	out = issue(f, &p, other, &len);
	assert_valid(f, out, len, "SHA-256");
	tsr_free(out);
}

static void
invalid_validity(fixture_t *f, gconstpointer data)
{
	static const char *const messages[] = {
		"validity: validUntil (",                 /* beyond the DS certificate */
		"validity: validFrom is before signed",
		"validity: validUntil must be after validFrom",
		"validity: signed (",                     /* outside the DS validity */
		"digest algorithm must be",
		"validity: expectedUpdate must be after signed",
	};
	g_autofree char *json = mdl_json(NULL, NULL);
	tsr_issue_params_t cases[G_N_ELEMENTS(messages)];
	char *report;

	(void)data;
	memset(cases, 0, sizeof(cases));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		cases[i].doc_type = TSR_DOCTYPE_MDL;
	cases[0].valid_until = f->now + 500 * (int64_t)DAY;
	cases[1].signed_at = f->now;
	cases[1].valid_from = f->now - 10;
	cases[2].valid_from = f->now + 100;
	cases[2].valid_until = f->now + 100;
	cases[3].signed_at = f->now - 2 * (int64_t)DAY;
	cases[4].digest_alg = "MD5";
	cases[5].signed_at = f->now;
	cases[5].expected_update = f->now - 1;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		report = refusal(f, &cases[i], json);
		if (strstr(report, messages[i]) == NULL)
			g_error("case %zu: expected \"%s\" in:\n%s", i, messages[i], report);
		tsr_free(report);
	}
	/* Every violation at once, one per line. */
	{
		g_autofree char *bad = mdl_json("sex", "5");
		tsr_issue_params_t p = { .doc_type = TSR_DOCTYPE_MDL, .digest_alg = "MD5",
			.valid_until = f->now + 500 * (int64_t)DAY };

		report = refusal(f, &p, bad);
		g_assert_nonnull(strstr(report, "digest algorithm"));
		g_assert_nonnull(strstr(report, "validUntil ("));
		g_assert_nonnull(strstr(report, "/sex:"));
		{
			g_auto(GStrv) lines = g_strsplit(report, "\n", -1);

			g_assert_cmpuint(g_strv_length(lines), ==, 3);
		}
		tsr_free(report);
	}
}

/* --- Device keys --- */

static void
valid_device_key_formats(fixture_t *f, gconstpointer data)
{
	tsr_device_keys_t *keys = NULL;
	tsr_ec_pub_t pub;
	char *spki = NULL, *jwk, *jwks, *x = NULL, *y = NULL;
	const uint8_t *k;
	size_t k_len;
	uint8_t arr[512];

	(void)data;
	g_assert_cmpint(tsr_ec_key_public(f->device, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_pub_to_spki_pem(&pub, &spki), ==, TSR_OK);
	g_assert_cmpint(tsr_base64url_encode(pub.x, 32, &x), ==, TSR_OK);
	g_assert_cmpint(tsr_base64url_encode(pub.y, 32, &y), ==, TSR_OK);
	jwk = g_strdup_printf("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
	jwks = g_strdup_printf("{\"keys\": [%s, %s]}", jwk, jwk);
	g_assert_cmpint(tsr_device_keys_new(&keys), ==, TSR_OK);
	g_assert_cmpint(tsr_device_keys_add(keys, (const uint8_t *)spki, strlen(spki)), ==, TSR_OK);
	g_assert_cmpint(tsr_device_keys_add(keys, (const uint8_t *)jwk, strlen(jwk)), ==, TSR_OK);
	g_assert_cmpint(tsr_device_keys_add(keys, (const uint8_t *)jwks, strlen(jwks)), ==, TSR_OK);
	g_assert_cmpint(tsr_device_keys_add(keys, f->device_cose, f->device_cose_len), ==, TSR_OK);
	arr[0] = 0x82;
	memcpy(arr + 1, f->device_cose, f->device_cose_len);
	memcpy(arr + 1 + f->device_cose_len, f->device_cose, f->device_cose_len);
	g_assert_cmpint(tsr_device_keys_add(keys, arr, 1 + 2 * f->device_cose_len), ==, TSR_OK);
	/* A certificate: the DS's own key stands in for a device key here. */
	g_assert_cmpint(tsr_device_keys_add(keys, (const uint8_t *)f->ds, strlen(f->ds)), ==,
	    TSR_OK);
	g_assert_cmpuint(tsr_device_keys_count(keys), ==, 8);
	for (size_t i = 0; i < 7; i++) {
		g_assert_cmpint(tsr_device_keys_get(keys, i, &k, &k_len), ==, TSR_OK);
		g_assert_cmpmem(k, k_len, f->device_cose, f->device_cose_len);
	}
	/* Private keys and junk are refused, and nothing is added. */
	{
		g_autofree char *priv = g_strdup_printf("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
		    "\"y\":\"%s\",\"d\":\"%s\"}", x, y, x);

		g_assert_cmpint(tsr_device_keys_add(keys, (const uint8_t *)priv, strlen(priv)), ==,
		    TSR_ERR_CRYPTO_BAD_KEY);
	}
	g_assert_cmpint(tsr_device_keys_add(keys, (const uint8_t *)f->ds_key, strlen(f->ds_key)),
	    ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_device_keys_add(keys, (const uint8_t *)"hello", 5), !=, TSR_OK);
	g_assert_cmpuint(tsr_device_keys_count(keys), ==, 8);
	g_assert_cmpint(tsr_device_keys_get(keys, 8, &k, &k_len), ==, TSR_ERR_NOT_FOUND);
	/* A COSE_Key whose last byte is 0x00 is not text with a terminator. */
	for (int tries = 0; tries < 20000; tries++) {
		tsr_ec_key_t *z = NULL;
		uint8_t *cose = NULL;
		size_t cose_len = 0;
		bool done;

		g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &z), ==, TSR_OK);
		device_cose(z, &cose, &cose_len);
		done = cose[cose_len - 1] == 0;
		if (done)
			g_assert_cmpint(tsr_device_keys_add(keys, cose, cose_len), ==, TSR_OK);
		free(cose);
		tsr_ec_key_free(z);
		if (done)
			break;
	}
	g_assert_cmpuint(tsr_device_keys_count(keys), ==, 9);
	tsr_device_keys_free(keys);
	g_free(jwk);
	g_free(jwks);
	free(spki);
	free(x);
	free(y);
}

/* --- Batches --- */

static void
valid_batch(fixture_t *f, gconstpointer data)
{
	enum { N = 5 };
	g_autofree char *json = example("av.json");
	tsr_issue_params_t p = { .doc_type = "eu.europa.ec.av.1",
		.status_uri = "https://issuer.example.org/status/1", .status_idx = 10 };
	tsr_ec_key_t *keys[N];
	tsr_device_keys_t *dk = NULL;
	tsr_claims_t *c = claims_of(json);
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root;
	uint8_t *out = NULL, *cose;
	size_t len = 0, cose_len;
	char *report = NULL;

	(void)data;
	g_assert_cmpint(tsr_device_keys_new(&dk), ==, TSR_OK);
	for (size_t i = 0; i < N; i++) {
		g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &keys[i]), ==, TSR_OK);
		device_cose(keys[i], &cose, &cose_len);
		g_assert_cmpint(tsr_device_keys_add(dk, cose, cose_len), ==, TSR_OK);
		free(cose);
	}
	g_assert_cmpint(tsr_issuer_issue_batch(f->issuer, &p, c, dk, &out, &len, &report), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_cbor_decode(out, len, NULL, &doc), ==, TSR_OK);
	root = tsr_cbor_doc_root(doc);
	g_assert_true(tsr_cbor_is(root, TSR_CBOR_ARRAY));
	g_assert_cmpuint(root->u.list.count, ==, N);
	for (size_t i = 0; i < N; i++) {
		const tsr_cbor_item_t *item = &root->u.list.items[i];
		tsr_issuer_signed_t is;
		uint64_t idx = 0;
		tsr_span_t uri;
		tsr_verify_result_t *res;

		g_assert_cmpint(tsr_issuer_signed_decode(item, &is), ==, TSR_OK);
		g_assert_true(tsr_mso_status_ref(&is.mso, &idx, &uri));
		g_assert_cmpuint(idx, ==, 10 + i);
		tsr_issuer_signed_clear(&is);
		/* Each credential is bound to its own key, and only to it. */
		res = verify(f, f->iaca, item->raw.ptr, item->raw.len, keys[i], NULL, NULL, 0,
		    f->now + 60, TSR_OK);
		g_assert_cmpint(tsr_verified_doc_status(tsr_verify_result_doc(res, 0)), ==,
		    TSR_DOC_STATUS_UNKNOWN);
		tsr_verify_result_free(res);
		res = verify(f, f->iaca, item->raw.ptr, item->raw.len, keys[(i + 1) % N], NULL, NULL,
		    0, f->now + 60, TSR_ERR_VERIFY);
		g_assert_cmpuint(tsr_verified_doc_reasons(tsr_verify_result_doc(res, 0)), ==,
		    TSR_REASON_DEVICE_AUTH);
		tsr_verify_result_free(res);
	}
	for (size_t i = 0; i < N; i++)
		tsr_ec_key_free(keys[i]);
	tsr_cbor_doc_free(doc);
	tsr_free(out);
	tsr_device_keys_free(dk);
	tsr_claims_free(c);
}

/* --- Status lists --- */

#define STATUS_URI "https://issuer.example.org/status/7"

static uint8_t *
status_list(const tsr_issuer_t *iss, size_t n, const size_t *revoked, size_t n_revoked,
    int64_t iat, int64_t exp, int64_t ttl, size_t *ret_len)
{
	uint8_t *bits = g_malloc0(n), *out = NULL;

	for (size_t i = 0; i < n_revoked; i++)
		bits[revoked[i]] = 1;
	g_assert_cmpint(tsr_issuer_status_list_create(iss, bits, n, STATUS_URI, iat, exp, ttl, &out,
	    ret_len), ==, TSR_OK);
	g_free(bits);
	return out;
}

static tsr_doc_status_t
status_at(const fixture_t *f, uint64_t idx, const uint8_t *list, size_t list_len, int64_t at,
    const char *iaca, uint32_t *ret_reasons, const char **ret_why)
{
	g_autofree char *json = example("av.json");
	tsr_issue_params_t p = { .doc_type = "eu.europa.ec.av.1", .status_uri = STATUS_URI,
		.status_idx = idx };
	size_t len = 0;
	uint8_t *out = issue(f, &p, json, &len);
	const uint8_t *lists[1] = { list };
	size_t lens[1] = { list_len };
	tsr_verify_result_t *res = NULL;
	tsr_verifier_t *v = NULL;
	uint8_t *resp = NULL;
	size_t resp_len = 0;
	tsr_doc_status_t st;
	static char why[128];

	g_assert_cmpint(issuer_test_response(out, len, f->device, f->transcript, f->transcript_len,
	    &resp, &resp_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, (const uint8_t *)iaca, strlen(iaca)), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, f->transcript, f->transcript_len), ==,
	    TSR_OK);
	if (list != NULL)
		g_assert_cmpint(tsr_verifier_add_status_list(v, lists[0], lens[0]), ==, TSR_OK);
	tsr_verifier_set_time(v, at);
	if (tsr_verifier_verify(v, resp, resp_len, &res) == TSR_ERR_NO_MEMORY)
		g_error("out of memory");
	st = tsr_verified_doc_status(tsr_verify_result_doc(res, 0));
	*ret_reasons = tsr_verified_doc_reasons(tsr_verify_result_doc(res, 0));
	g_strlcpy(why, tsr_verified_doc_status_reason(tsr_verify_result_doc(res, 0)), sizeof(why));
	*ret_why = why;
	tsr_verify_result_free(res);
	tsr_verifier_free(v);
	free(resp);
	tsr_free(out);
	return st;
}

static void
valid_status_list_round_trip(fixture_t *f, gconstpointer data)
{
	static const size_t revoked[] = { 3, 8, 1023 };
	size_t len = 0;
	uint8_t *list = status_list(f->issuer, 1024, revoked, G_N_ELEMENTS(revoked), f->now,
	    f->now + 7 * DAY, 3600, &len);
	tsr_status_list_t decoded;
	uint32_t reasons = 0;
	const char *why = NULL;
	unsigned v;

	(void)data;
	/* The decoder sees exactly the bits we set. */
	g_assert_cmpint(tsr_status_list_decode(list, len, &decoded), ==, TSR_OK);
	g_assert_cmpstr(decoded.uri, ==, STATUS_URI);
	g_assert_cmpuint(decoded.bits, ==, 1);
	g_assert_cmpuint(decoded.n_entries, ==, 1024);
	g_assert_true(decoded.has_exp && decoded.has_ttl);
	for (size_t i = 0; i < 1024; i++) {
		g_assert_cmpint(tsr_status_list_get(&decoded, i, &v), ==, TSR_OK);
		g_assert_cmpuint(v, ==, (i == 3 || i == 8 || i == 1023) ? 1u : 0u);
	}
	g_assert_cmpint(tsr_status_list_get(&decoded, 1024, &v), ==, TSR_ERR_NOT_FOUND);
	tsr_status_list_clear(&decoded);

	g_assert_cmpint(status_at(f, 4, list, len, f->now + 60, f->iaca, &reasons, &why), ==,
	    TSR_DOC_STATUS_VALID);
	g_assert_cmpuint(reasons, ==, 0);
	g_assert_cmpint(status_at(f, 8, list, len, f->now + 60, f->iaca, &reasons, &why), ==,
	    TSR_DOC_STATUS_REVOKED);
	g_assert_cmpuint(reasons, ==, TSR_REASON_REVOKED);
	g_assert_cmpstr(tsr_doc_status_name(TSR_DOC_STATUS_REVOKED), ==, "revoked");
	/* Unknown is never revoked: no list, an index beyond it, a stale list
	 * (ttl, then exp), a list signed under another IACA. */
	g_assert_cmpint(status_at(f, 8, NULL, 0, f->now + 60, f->iaca, &reasons, &why), ==,
	    TSR_DOC_STATUS_UNKNOWN);
	g_assert_cmpuint(reasons, ==, 0);
	g_assert_cmpstr(why, ==, "no status list loaded for its URI");
	g_assert_cmpint(status_at(f, 5000, list, len, f->now + 60, f->iaca, &reasons, &why), ==,
	    TSR_DOC_STATUS_UNKNOWN);
	g_assert_cmpstr(why, ==, "index beyond the status list");
	g_assert_cmpint(status_at(f, 8, list, len, f->now + 7200, f->iaca, &reasons, &why), ==,
	    TSR_DOC_STATUS_UNKNOWN);
	g_assert_cmpstr(why, ==, "status list expired");
	g_assert_cmpuint(reasons, ==, 0);
	tsr_free(list);

	list = status_list(f->issuer, 16, revoked, 2, f->now - 7 * DAY, f->now - DAY, 0, &len);
	g_assert_cmpint(status_at(f, 8, list, len, f->now + 60, f->iaca, &reasons, &why), ==,
	    TSR_DOC_STATUS_UNKNOWN);
	g_assert_cmpstr(why, ==, "status list expired");
	g_assert_cmpuint(reasons, ==, 0);
	tsr_free(list);

	{
		char *iaca2, *iaca2_key, *ds2, *ds2_key;
		tsr_issuer_t *other = NULL;

		make_pki(f->now, "UT", &iaca2, &iaca2_key, &ds2, &ds2_key);
		g_assert_cmpint(tsr_issuer_new((const uint8_t *)ds2, strlen(ds2),
		    (const uint8_t *)ds2_key, strlen(ds2_key), &other), ==, TSR_OK);
		list = status_list(other, 16, revoked, 2, f->now, f->now + DAY, 0, &len);
		g_assert_cmpint(status_at(f, 8, list, len, f->now + 60, f->iaca, &reasons, &why), ==,
		    TSR_DOC_STATUS_UNKNOWN);
		g_assert_cmpstr(why, ==, "status list signer not trusted");
		tsr_free(list);
		tsr_issuer_free(other);
		tsr_free(iaca2);
		tsr_free(iaca2_key);
		tsr_free(ds2);
		tsr_free(ds2_key);
	}
}

static void
invalid_status_list_tokens(fixture_t *f, gconstpointer data)
{
	static const size_t revoked[] = { 1 };
	tsr_verifier_t *v = NULL;
	size_t len = 0;
	uint8_t *list = status_list(f->issuer, 8, revoked, 1, f->now, f->now + DAY, 0, &len);
	tsr_status_list_t d;
	uint8_t zero = 0, *out = NULL;

	(void)data;
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	/* Every truncation is refused, never mistaken for a list. */
	for (size_t n = 0; n < len; n++)
		g_assert_cmpint(tsr_status_list_decode(list, n, &d), !=, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_status_list(v, f->device_cose, f->device_cose_len), !=,
	    TSR_OK);
	g_assert_cmpint(tsr_issuer_status_list_create(f->issuer, &zero, 0, STATUS_URI, f->now,
	    f->now + 1, 0, &out, &len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_issuer_status_list_create(f->issuer, &zero, 1, STATUS_URI, f->now,
	    f->now, 0, &out, &len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(out);
	tsr_verifier_free(v);
	tsr_free(list);
}

/* --- External signer (the PKCS#11 / TPM hook) and inspect --- */

static int
software_sign(void *user, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
    size_t *ret_len)
{
	g_assert_cmpuint(cap, >=, 64);
	return tsr_ecdsa_sign(user, TSR_HASH_SHA256, msg, len, sig, ret_len);
}

static void
valid_external_signer(fixture_t *f, gconstpointer data)
{
	g_autofree char *json = example("pid.json");
	tsr_issue_params_t p = { .doc_type = "eu.europa.ec.eudi.pid.1" };
	tsr_issuer_t *ext = NULL;
	tsr_ec_key_t *key = NULL;
	tsr_claims_t *c = claims_of(json);
	uint8_t *out = NULL;
	size_t len = 0;

	(void)data;
	g_assert_cmpint(tsr_ec_key_parse((const uint8_t *)f->ds_key, strlen(f->ds_key), &key), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_issuer_new_with_signer((const uint8_t *)f->ds, strlen(f->ds),
	    software_sign, key, &ext), ==, TSR_OK);
	g_assert_cmpint(tsr_issuer_issue(ext, &p, c, f->device_cose, f->device_cose_len, &out, &len,
	    NULL), ==, TSR_OK);
	assert_valid(f, out, len, "SHA-256");
	tsr_free(out);
	/* A DS key that does not match the certificate is refused up front. */
	tsr_issuer_free(ext);
	ext = NULL;
	g_assert_cmpint(tsr_issuer_new((const uint8_t *)f->ds, strlen(f->ds),
	    (const uint8_t *)f->iaca_key, strlen(f->iaca_key), &ext), ==, TSR_ERR_CRYPTO_BAD_KEY);
	/* An IACA is not a DS. */
	g_assert_cmpint(tsr_issuer_new((const uint8_t *)f->iaca, strlen(f->iaca),
	    (const uint8_t *)f->iaca_key, strlen(f->iaca_key), &ext), ==, TSR_ERR_CERT_PROFILE);
	g_assert_null(ext);
	tsr_ec_key_free(key);
	tsr_claims_free(c);
}

static void
valid_inspect(fixture_t *f, gconstpointer data)
{
	g_autofree char *json = example("mdl.json");
	tsr_issue_params_t p = { .doc_type = TSR_DOCTYPE_MDL, .status_uri = STATUS_URI,
		.status_idx = 5 };
	size_t len = 0, list_len = 0;
	uint8_t *out = issue(f, &p, json, &len);
	static const size_t revoked[] = { 5 };
	uint8_t *list = status_list(f->issuer, 64, revoked, 1, f->now, f->now + DAY, 60, &list_len);
	char *text = NULL;

	(void)data;
	g_assert_cmpint(tsr_issuer_inspect(out, len, false, &text), ==, TSR_OK);
	g_assert_nonnull(strstr(text, "Mobile driving licence"));
	g_assert_nonnull(strstr(text, "Issuer signature: valid"));
	g_assert_nonnull(strstr(text, "Digests: valid"));
	g_assert_nonnull(strstr(text, "Family name (family_name): \"Lindqvist\""));
	g_assert_nonnull(strstr(text, "JPEG>"));
	g_assert_nonnull(strstr(text, "status list " STATUS_URI ", index 5"));
	tsr_free(text);
	g_assert_cmpint(tsr_issuer_inspect(out, len, true, &text), ==, TSR_OK);
	g_assert_nonnull(strstr(text, "\"label\":\"Family name\""));
	g_assert_nonnull(strstr(text, "\"status\":{\"idx\":5,"));
	tsr_free(text);
	g_assert_cmpint(tsr_issuer_inspect(list, list_len, false, &text), ==, TSR_OK);
	g_assert_nonnull(strstr(text, "Entries: 64 (1 bit each), 1 not valid: 5"));
	tsr_free(text);
	g_assert_cmpint(tsr_issuer_inspect(list, list_len, true, &text), ==, TSR_OK);
	g_assert_nonnull(strstr(text, "\"notValid\":[5]"));
	tsr_free(text);
	g_assert_cmpint(tsr_issuer_inspect((const uint8_t *)"\xa0", 1, false, &text), ==,
	    TSR_ERR_MDOC_MALFORMED);
	tsr_free(list);
	tsr_free(out);
}

#define ADD(path, fn) \
	g_test_add(path, fixture_t, NULL, fixture_set_up, fn, fixture_tear_down)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/issuer/issue/valid_doctypes_and_digests", valid_doctypes_and_digests);
	ADD("/issuer/issue/valid_document_format", valid_document_format);
	ADD("/issuer/issue/valid_mso_shape", valid_mso_shape);
	ADD("/issuer/issue/valid_fresh_salts", valid_fresh_salts);
	ADD("/issuer/issue/invalid_mdl_rules", invalid_mdl_rules);
	ADD("/issuer/issue/invalid_other_doctypes", invalid_other_doctypes);
	ADD("/issuer/issue/valid_allow_unknown", valid_allow_unknown);
	ADD("/issuer/issue/invalid_validity", invalid_validity);
	ADD("/issuer/keys/valid_device_key_formats", valid_device_key_formats);
	ADD("/issuer/batch/valid_batch", valid_batch);
	ADD("/issuer/status/valid_round_trip", valid_status_list_round_trip);
	ADD("/issuer/status/invalid_tokens", invalid_status_list_tokens);
	ADD("/issuer/issue/valid_external_signer", valid_external_signer);
	ADD("/issuer/inspect/valid_inspect", valid_inspect);
	return g_test_run();
}
