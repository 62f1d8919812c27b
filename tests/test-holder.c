/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Answering DeviceRequests: analysis, consent, selective disclosure,
 * device authentication, and age_over_NN selection. The Annex D vectors
 * give a credential with its device key and a request with readerAuth. */

#include <string.h>

#include <tessera/tessera.h>

#include "holder/holder-private.h"
#include "test-support.h"

#define ANNEX_D_NOW "2021-01-01T00:00:00Z"

typedef struct fixture {
	uint8_t *issuer_signed, *request, *transcript, *device_key, *reader_root, *iaca,
	    *reader_key, *annex_response;
	size_t issuer_signed_len, request_len, transcript_len, device_key_len, reader_root_len,
	    iaca_len, reader_key_len, annex_response_len;
	tsr_device_key_t *key;
} fixture_t;

static void
fixture_set_up(fixture_t *f, gconstpointer user)
{
	(void)user;
	f->issuer_signed = tsr_test_load("annex-d/issuer_signed.cbor", &f->issuer_signed_len);
	f->request = tsr_test_load("annex-d/device_request.cbor", &f->request_len);
	f->transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &f->transcript_len);
	f->device_key = tsr_test_load("annex-d/static_device_key.pem", &f->device_key_len);
	f->reader_root = tsr_test_load("annex-d/reader_root_cert.pem", &f->reader_root_len);
	f->iaca = tsr_test_load("annex-d/iaca_cert.pem", &f->iaca_len);
	f->reader_key = tsr_test_load("annex-d/ephemeral_reader_key.pem", &f->reader_key_len);
	f->annex_response = tsr_test_load("annex-d/device_response.cbor", &f->annex_response_len);
	g_assert_cmpint(tsr_device_key_new_from_pem(f->device_key, f->device_key_len, &f->key),
	    ==, TSR_OK);
}

static void
fixture_tear_down(fixture_t *f, gconstpointer user)
{
	(void)user;
	tsr_device_key_free(f->key);
	g_free(f->issuer_signed);
	g_free(f->request);
	g_free(f->transcript);
	g_free(f->device_key);
	g_free(f->reader_root);
	g_free(f->iaca);
	g_free(f->reader_key);
	g_free(f->annex_response);
}

static tsr_presentation_t *
annex_d_presentation(const fixture_t *f, const char *now, bool with_root)
{
	tsr_presentation_t *p = NULL;

	g_assert_cmpint(tsr_presentation_new(f->request, f->request_len, f->transcript,
	    f->transcript_len, &p), ==, TSR_OK);
	if (with_root)
		g_assert_cmpint(tsr_presentation_add_reader_root(p, f->reader_root,
		    f->reader_root_len), ==, TSR_OK);
	tsr_presentation_set_time(p, tsr_test_time(now));
	g_assert_cmpint(tsr_presentation_add_credential(p, f->issuer_signed, f->issuer_signed_len,
	    f->key, "cred-1"), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_analyze(p), ==, TSR_OK);
	return p;
}

/* Verifies a response as the Annex D reader would; returns the result. */
static tsr_verify_result_t *
verify(const fixture_t *f, const uint8_t *resp, size_t len)
{
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	int r;

	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, f->iaca, f->iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, f->transcript, f->transcript_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_verifier_set_reader_key(v, f->reader_key, f->reader_key_len), ==,
	    TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	r = tsr_verifier_verify(v, resp, len, &result);
	g_assert_true(r == TSR_OK || r == TSR_ERR_VERIFY);
	tsr_verifier_free(v);
	return result;
}

static void
valid_analysis(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p = annex_d_presentation(f, ANNEX_D_NOW, true);
	tsr_requested_element_t e;
	const char *subject = NULL;

	(void)user;
	g_assert_cmpuint(tsr_presentation_doc_count(p), ==, 1);
	g_assert_cmpstr(tsr_presentation_doc_type(p, 0), ==, "org.iso.18013.5.1.mDL");
	g_assert_cmpstr(tsr_presentation_doc_credential(p, 0), ==, "cred-1");
	g_assert_cmpint(tsr_presentation_reader_trust(p, 0, &subject), ==, TSR_READER_TRUSTED);
	g_assert_cmpstr(subject, ==, "CN=reader");
	g_assert_cmpuint(tsr_presentation_element_count(p, 0), ==, 6);
	for (size_t i = 0; i < 6; i++) {
		g_assert_cmpint(tsr_presentation_element(p, 0, i, &e), ==, TSR_OK);
		g_assert_cmpstr(e.name_space, ==, "org.iso.18013.5.1");
		g_assert_true(e.available);
		g_assert_cmpstr(e.answer, ==, e.identifier);
		g_assert_false(e.consented); /* nothing is shared by default */
		/* Annex D: portrait is requested without intent to retain. */
		g_assert_cmpint(e.intent_to_retain, ==, strcmp(e.identifier, "portrait") != 0);
	}
	g_assert_cmpint(tsr_presentation_element(p, 0, 6, &e), ==, TSR_ERR_NOT_FOUND);
	tsr_presentation_free(p);
}

static void
reader_trust_levels(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p;

	(void)user;
	/* No reader roots configured: a valid signature by an unknown reader. */
	p = annex_d_presentation(f, ANNEX_D_NOW, false);
	g_assert_cmpint(tsr_presentation_reader_trust(p, 0, NULL), ==, TSR_READER_UNTRUSTED);
	tsr_presentation_free(p);
	/* The reader certificate expired at the end of 2023. */
	p = annex_d_presentation(f, "2026-11-25T00:00:00Z", true);
	g_assert_cmpint(tsr_presentation_reader_trust(p, 0, NULL), ==, TSR_READER_INVALID);
	/* ...and the credential's MSO expired in 2021: nothing to offer. */
	g_assert_null(tsr_presentation_doc_credential(p, 0));
	tsr_presentation_free(p);
}

/* With everything consented, the answer is the Annex D response itself,
 * byte for byte: same items, same order, same deterministic MAC. */
static void
valid_full_response_is_annex_d(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p = annex_d_presentation(f, ANNEX_D_NOW, true);
	uint8_t *resp = NULL;
	size_t len = 0;

	(void)user;
	tsr_presentation_consent_all(p, true);
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &resp, &len), ==, TSR_OK);
	g_assert_cmpmem(resp, len, f->annex_response, f->annex_response_len);
	tsr_free(resp);
	tsr_presentation_free(p);
}

static void
valid_signature(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p = annex_d_presentation(f, ANNEX_D_NOW, true);
	tsr_verify_result_t *result;
	uint8_t *resp = NULL;
	size_t len = 0;

	(void)user;
	tsr_presentation_consent_all(p, true);
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_SIGNATURE, &resp, &len), ==,
	    TSR_OK);
	result = verify(f, resp, len);
	g_assert_true(tsr_verify_result_valid(result));
	g_assert_cmpint(tsr_verified_doc_device_auth(tsr_verify_result_doc(result, 0)), ==,
	    TSR_DEVICE_AUTH_SIGNATURE);
	tsr_verify_result_free(result);
	tsr_free(resp);
	tsr_presentation_free(p);
}

/* Only family_name and portrait: the rest must not appear in any form. */
static void
selective_disclosure(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p = annex_d_presentation(f, ANNEX_D_NOW, true);
	tsr_verify_result_t *result;
	const tsr_verified_doc_t *doc;
	tsr_requested_element_t e;
	uint8_t *resp = NULL;
	size_t len = 0, withheld = 0;

	(void)user;
	for (size_t i = 0; i < tsr_presentation_element_count(p, 0); i++) {
		g_assert_cmpint(tsr_presentation_element(p, 0, i, &e), ==, TSR_OK);
		g_assert_cmpint(tsr_presentation_consent(p, 0, i,
		    strcmp(e.identifier, "family_name") == 0 || strcmp(e.identifier, "portrait") == 0),
		    ==, TSR_OK);
	}
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &resp, &len), ==, TSR_OK);
	/* Neither the values nor the salted items of undisclosed elements. */
	g_assert_null(memmem(resp, len, "123456789", 9));
	g_assert_null(memmem(resp, len, "vehicle_category_code", 21));
	for (size_t i = 0; i < f->issuer_signed_len - 32; i++) {
		/* every 32-byte salt of the credential that is not in the
		 * response belongs to a withheld item */
		if (f->issuer_signed[i] == 0x58 && f->issuer_signed[i + 1] == 0x20 &&
		    memmem(resp, len, f->issuer_signed + i + 2, 32) == NULL)
			withheld++;
	}
	g_assert_cmpuint(withheld, >=, 4);

	result = verify(f, resp, len);
	g_assert_true(tsr_verify_result_valid(result));
	doc = tsr_verify_result_doc(result, 0);
	g_assert_cmpuint(tsr_verified_doc_element_count(doc), ==, 2);
	g_assert_cmpuint(tsr_verified_doc_error_count(doc), ==, 4);
	for (size_t i = 0; i < 4; i++) {
		const char *ns = NULL, *id = NULL;
		int64_t code = -1;

		g_assert_cmpint(tsr_verified_doc_error(doc, i, &ns, &id, &code), ==, TSR_OK);
		g_assert_cmpstr(ns, ==, "org.iso.18013.5.1");
		g_assert_cmpint(code, ==, 0);
		g_assert_true(strcmp(id, "family_name") != 0 && strcmp(id, "portrait") != 0);
	}
	tsr_verify_result_free(result);
	tsr_free(resp);
	tsr_presentation_free(p);
}

static void
nothing_consented(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p = annex_d_presentation(f, ANNEX_D_NOW, true);
	tsr_verify_result_t *result;
	const char *doc_type = NULL;
	int64_t code = -1;
	uint8_t *resp = NULL;
	size_t len = 0;

	(void)user;
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &resp, &len), ==, TSR_OK);
	/* Not even the issuer's signature leaves the wallet. */
	g_assert_null(memmem(resp, len, "issuerAuth", 10));
	result = verify(f, resp, len);
	g_assert_false(tsr_verify_result_valid(result));
	g_assert_cmpuint(tsr_verify_result_reasons(result), ==, TSR_REASON_NO_DOCUMENTS);
	g_assert_cmpint(tsr_verify_result_doc_error(result, 0, &doc_type, &code), ==, TSR_OK);
	g_assert_cmpstr(doc_type, ==, "org.iso.18013.5.1.mDL");
	g_assert_cmpint(code, ==, 0);
	tsr_verify_result_free(result);
	tsr_free(resp);
	tsr_presentation_free(p);
}

static void
not_analyzed(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p = NULL;
	uint8_t *resp = NULL;
	size_t len = 0;

	(void)user;
	g_assert_cmpint(tsr_presentation_new(f->request, f->request_len, f->transcript,
	    f->transcript_len, &p), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &resp, &len), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_presentation_add_credential(p, f->request, f->request_len, f->key,
	    NULL), ==, TSR_ERR_MDOC_MALFORMED);
	tsr_presentation_free(p);
	g_assert_cmpint(tsr_presentation_new(f->transcript, f->transcript_len, f->transcript,
	    f->transcript_len, &p), !=, TSR_OK);
}

/* A tsr_issuer_ns_t of age_over items with the given values. */
static void
age_over_selection(void)
{
	static const struct {
		const char *held;      /* NN:t/f,... */
		const char *request;
		const char *answer;    /* NULL: none */
	} cases[] = {
		{ "18:t,21:t,65:f", "age_over_18", "age_over_18" },
		{ "18:t,21:t,65:f", "age_over_20", "age_over_21" },
		{ "18:t,21:f", "age_over_20", NULL },   /* 21 false says nothing about 20 */
		{ "18:t,21:f", "age_over_25", "age_over_21" },
		{ "16:f,18:f", "age_over_17", "age_over_16" },
		{ "60:t", "age_over_18", "age_over_60" },
		{ "", "age_over_18", NULL },
		{ "18:t", "age_over_1", NULL },          /* not two digits */
		{ "18:t", "birth_date", NULL },          /* never substituted */
	};

	for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
		g_auto(GStrv) parts = g_strsplit(cases[c].held, ",", -1);
		size_t n = cases[c].held[0] ? g_strv_length(parts) : 0;
		tsr_issuer_item_t *items = g_new0(tsr_issuer_item_t, n ? n : 1);
		tsr_cbor_doc_t **docs = g_new0(tsr_cbor_doc_t *, n ? n : 1);
		char **ids = g_new0(char *, n ? n : 1);
		static const uint8_t cbor_true = 0xf5, cbor_false = 0xf4;
		tsr_issuer_ns_t ns = { .items = items, .n_items = n };
		const tsr_issuer_item_t *answer;

		for (size_t i = 0; i < n; i++) {
			ids[i] = g_strdup_printf("age_over_%.2s", parts[i]);
			g_assert_cmpint(tsr_cbor_decode(parts[i][3] == 't' ? &cbor_true : &cbor_false, 1,
			    NULL, &docs[i]), ==, TSR_OK);
			items[i].element_id.ptr = (const uint8_t *)ids[i];
			items[i].element_id.len = strlen(ids[i]);
			items[i].value = tsr_cbor_doc_root(docs[i]);
		}
		answer = tsr_holder_find_answer(&ns, cases[c].request);
		if (cases[c].answer == NULL) {
			g_assert_null(answer);
		} else {
			g_assert_nonnull(answer);
			g_assert_cmpmem(answer->element_id.ptr, answer->element_id.len,
			    cases[c].answer, strlen(cases[c].answer));
		}
		for (size_t i = 0; i < n; i++) {
			tsr_cbor_doc_free(docs[i]);
			g_free(ids[i]);
		}
		g_free(docs);
		g_free(ids);
		g_free(items);
	}
}

/*
 * The strict reader policy (tsr_presentation_require_trusted_reader()).
 * A reader PKI made here: a trusted root with a valid, an expired and a
 * not-yet-valid reader certificate and a DS-profile one, a second root
 * nobody trusts with its own reader, and a look-alike of the trusted root
 * (same subject, another key) with a reader of the genuine one's name.
 * Each request asks the Annex D credential for family_name and
 * document_number over the Annex D transcript, with everything consented;
 * some are forged after signing (items, signature, alg header).
 */
typedef struct reader_pki {
	char *root, *root_key, *reader, *reader_key, *expired, *expired_key;
	char *other_root, *other_root_key, *other_reader, *other_reader_key;
	char *future, *future_key;         /* not valid until after ANNEX_D_NOW */
	char *ds_profile, *ds_profile_key; /* the DS profile (EKU .2) from the reader root */
	char *twin_root, *twin_root_key;   /* self-signed, the trusted root's subject */
	char *twin_reader, *twin_reader_key; /* "Policy Reader", by the twin root */
} reader_pki_t;

static void
make_cert(tsr_cert_profile_t profile, const char *cn, const char *from, const char *to,
    const char *issuer, const char *issuer_key, char **ret_cert, char **ret_key)
{
	tsr_cert_params_t params = {
		.country = "UT",
		.common_name = cn,
		.issuer_alt_name = "https://reader.example",
		.crl_uri = "https://reader.example/crl",
		.not_before = tsr_test_time(from),
		.not_after = tsr_test_time(to),
	};

	g_assert_cmpint(tsr_issuer_cert_create(profile, &params, (const uint8_t *)issuer,
	    issuer ? strlen(issuer) : 0, (const uint8_t *)issuer_key,
	    issuer_key ? strlen(issuer_key) : 0, NULL, 0, ret_cert, ret_key), ==, TSR_OK);
}

static void
reader_pki_make(reader_pki_t *k)
{
	make_cert(TSR_CERT_READER_ROOT, "Policy Reader Root", "2019-01-01T00:00:00Z",
	    "2035-01-01T00:00:00Z", NULL, NULL, &k->root, &k->root_key);
	make_cert(TSR_CERT_READER, "Policy Reader", "2020-06-01T00:00:00Z",
	    "2022-06-01T00:00:00Z", k->root, k->root_key, &k->reader, &k->reader_key);
	/* Expired half a year before ANNEX_D_NOW. */
	make_cert(TSR_CERT_READER, "Expired Reader", "2019-06-01T00:00:00Z",
	    "2020-06-30T23:59:59Z", k->root, k->root_key, &k->expired, &k->expired_key);
	make_cert(TSR_CERT_READER_ROOT, "Unknown Reader Root", "2019-01-01T00:00:00Z",
	    "2035-01-01T00:00:00Z", NULL, NULL, &k->other_root, &k->other_root_key);
	make_cert(TSR_CERT_READER, "Unknown Reader", "2020-06-01T00:00:00Z",
	    "2022-06-01T00:00:00Z", k->other_root, k->other_root_key, &k->other_reader,
	    &k->other_reader_key);
	/* Valid from a day after ANNEX_D_NOW. */
	make_cert(TSR_CERT_READER, "Future Reader", "2021-01-02T00:00:00Z",
	    "2022-06-01T00:00:00Z", k->root, k->root_key, &k->future, &k->future_key);
	make_cert(TSR_CERT_DS, "Signer Not Reader", "2020-06-01T00:00:00Z",
	    "2021-06-01T00:00:00Z", k->root, k->root_key, &k->ds_profile, &k->ds_profile_key);
	make_cert(TSR_CERT_READER_ROOT, "Policy Reader Root", "2019-01-01T00:00:00Z",
	    "2035-01-01T00:00:00Z", NULL, NULL, &k->twin_root, &k->twin_root_key);
	make_cert(TSR_CERT_READER, "Policy Reader", "2020-06-01T00:00:00Z",
	    "2022-06-01T00:00:00Z", k->twin_root, k->twin_root_key, &k->twin_reader,
	    &k->twin_reader_key);
}

static void
reader_pki_free(reader_pki_t *k)
{
	char **all[] = {
		&k->root, &k->root_key, &k->reader, &k->reader_key, &k->expired, &k->expired_key,
		&k->other_root, &k->other_root_key, &k->other_reader, &k->other_reader_key,
		&k->future, &k->future_key, &k->ds_profile, &k->ds_profile_key,
		&k->twin_root, &k->twin_root_key, &k->twin_reader, &k->twin_reader_key,
	};

	for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
		tsr_free(*all[i]);
}

/* A request signed by cert/key over transcript (no readerAuth when cert is NULL). */
static uint8_t *
policy_request(const char *cert, const char *key, const uint8_t *transcript,
    size_t transcript_len, size_t *ret_len)
{
	tsr_request_builder_t *b = NULL;
	uint8_t *req = NULL;

	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_element(b, "org.iso.18013.5.1.mDL",
	    "org.iso.18013.5.1", "family_name", false), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_element(b, "org.iso.18013.5.1.mDL",
	    "org.iso.18013.5.1", "document_number", false), ==, TSR_OK);
	if (cert != NULL)
		g_assert_cmpint(tsr_request_builder_set_reader_auth(b, (const uint8_t *)cert,
		    strlen(cert), (const uint8_t *)key, strlen(key)), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(b, transcript, transcript_len, &req, ret_len),
	    ==, TSR_OK);
	tsr_request_builder_free(b);
	return req;
}

/* The SessionTranscript of a fresh session: not the Annex D one. */
static uint8_t *
other_transcript(size_t *ret_len)
{
	tsr_holder_session_t *h = NULL;
	tsr_reader_session_t *r = NULL;
	const uint8_t *t = NULL;
	char *uri = NULL;
	uint8_t *copy;

	g_assert_cmpint(tsr_holder_session_new(NULL, &h), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_qr_uri(h, &uri), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_new(uri, &r), ==, TSR_OK);
	tsr_reader_session_transcript(r, &t, ret_len);
	copy = g_memdup2(t, *ret_len);
	tsr_reader_session_free(r);
	tsr_holder_session_free(h);
	tsr_free(uri);
	return copy;
}

typedef struct policy_case {
	const char *name;
	uint8_t *request;
	size_t len;
	tsr_reader_trust_t trust; /* as reported, strict or not */
	const char *subject;      /* reported reader subject, or NULL not to check */
	const char *asked;        /* the second element asked for; NULL: document_number */
} policy_case_t;

/* Replaces the one occurrence of `from` in buf by `to`, of the same length. */
static void
replace_once(uint8_t *buf, size_t len, const char *from, const char *to)
{
	uint8_t *at = memmem(buf, len, from, strlen(from));

	g_assert_nonnull(at);
	g_assert_cmpuint(strlen(to), ==, strlen(from));
	g_assert_null(memmem(at + 1, len - (size_t)(at + 1 - buf), from, strlen(from)));
	memcpy(at, to, strlen(to));
}

/* The request with readerAuth's protected header {1: alg} (bstr 43 a1 01 26,
 * ES256) rewritten to claim another algorithm, given as its CBOR encoding;
 * free with tsr_free(), as a built request. */
static uint8_t *
with_reader_auth_alg(const uint8_t *req, size_t len, const uint8_t *alg, size_t alg_len,
    size_t *ret_len)
{
	static const uint8_t es256[] = { 0x43, 0xa1, 0x01, 0x26 };
	const uint8_t *at = memmem(req, len, es256, sizeof(es256));
	GByteArray *out = g_byte_array_new();
	uint8_t *copy;
	uint8_t head[3] = { (uint8_t)(0x40 | (2 + alg_len)), 0xa1, 0x01 };

	g_assert_nonnull(at);
	g_byte_array_append(out, req, (guint)(at - req));
	g_byte_array_append(out, head, sizeof(head));
	g_byte_array_append(out, alg, (guint)alg_len);
	g_byte_array_append(out, at + sizeof(es256), (guint)(len - (size_t)(at - req) -
	    sizeof(es256)));
	*ret_len = out->len;
	copy = malloc(out->len);
	g_assert_nonnull(copy);
	memcpy(copy, out->data, out->len);
	g_byte_array_unref(out);
	return copy;
}

static tsr_presentation_t *
policy_presentation(const fixture_t *f, const reader_pki_t *k, const policy_case_t *c,
    bool strict)
{
	tsr_presentation_t *p = NULL;

	g_assert_cmpint(tsr_presentation_new(c->request, c->len, f->transcript, f->transcript_len,
	    &p), ==, TSR_OK);
	tsr_presentation_require_trusted_reader(p, strict);
	g_assert_cmpint(tsr_presentation_add_reader_root(p, (const uint8_t *)k->root,
	    strlen(k->root)), ==, TSR_OK);
	tsr_presentation_set_time(p, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_presentation_add_credential(p, f->issuer_signed, f->issuer_signed_len,
	    f->key, "cred-1"), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_analyze(p), ==, TSR_OK);
	return p;
}

static void
policy_check(const fixture_t *f, const reader_pki_t *k, const policy_case_t *c, bool strict)
{
	tsr_presentation_t *p = policy_presentation(f, k, c, strict);
	tsr_verify_result_t *result;
	tsr_requested_element_t e;
	const char *subject = NULL, *doc_type = NULL;
	int64_t code = -1;
	uint8_t *resp = NULL;
	size_t len = 0;
	bool refused = strict && c->trust != TSR_READER_TRUSTED;

	g_test_message("%s, %s", c->name, strict ? "strict" : "not strict");
	/* The analysis is the same either way. */
	g_assert_cmpuint(tsr_presentation_doc_count(p), ==, 1);
	g_assert_cmpint(tsr_presentation_reader_trust(p, 0, &subject), ==, c->trust);
	if (c->subject != NULL)
		g_assert_cmpstr(subject, ==, c->subject);
	if (c->trust == TSR_READER_ANONYMOUS)
		g_assert_null(subject);
	g_assert_cmpstr(tsr_presentation_doc_credential(p, 0), ==, "cred-1");
	g_assert_cmpint(tsr_presentation_refused(p), ==, refused);
	/* The holder says yes to everything; the policy overrides it. */
	tsr_presentation_consent_all(p, true);
	g_assert_cmpint(tsr_presentation_element(p, 0, 0, &e), ==, TSR_OK);
	g_assert_true(e.available);
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &resp, &len), ==,
	    TSR_OK);
	result = verify(f, resp, len);
	if (refused) {
		/* Nothing disclosed: no document, no issuer signature, no element
		 * name or value. */
		g_assert_null(memmem(resp, len, "documents", 9));
		g_assert_null(memmem(resp, len, "issuerAuth", 10));
		g_assert_null(memmem(resp, len, "family_name", 11));
		g_assert_null(memmem(resp, len, "document_number", 15));
		g_assert_null(memmem(resp, len, "issuing_country", 15));
		g_assert_null(memmem(resp, len, "Doe", 3));
		g_assert_false(tsr_verify_result_valid(result));
		g_assert_cmpuint(tsr_verify_result_reasons(result), ==, TSR_REASON_NO_DOCUMENTS);
		g_assert_cmpint(tsr_verify_result_doc_error(result, 0, &doc_type, &code), ==,
		    TSR_OK);
		g_assert_cmpstr(doc_type, ==, "org.iso.18013.5.1.mDL");
		g_assert_cmpint(code, ==, 0);
	} else {
		/* Answered: the consented elements are disclosed and verify. */
		g_assert_true(tsr_verify_result_valid(result));
		const char *asked = c->asked != NULL ? c->asked : "document_number";

		g_assert_nonnull(memmem(resp, len, "Doe", 3));
		g_assert_nonnull(memmem(resp, len, asked, strlen(asked)));
	}
	tsr_verify_result_free(result);
	tsr_free(resp);
	tsr_presentation_free(p);
}

static void
strict_reader_policy(fixture_t *f, gconstpointer user)
{
	reader_pki_t k = { 0 };
	static const uint8_t es384[] = { 0x38, 0x22 }, eddsa[] = { 0x27 };
	policy_case_t cases[13];
	uint8_t *signed_req;
	size_t signed_len = 0;
	uint8_t *other = NULL;
	size_t other_len = 0;

	(void)user;
	reader_pki_make(&k);
	other = other_transcript(&other_len);
	memset(cases, 0, sizeof(cases));
	cases[0] = (policy_case_t){ "trusted reader (control)", NULL, 0, TSR_READER_TRUSTED,
		"C=UT, CN=Policy Reader", NULL };
	cases[0].request = policy_request(k.reader, k.reader_key, f->transcript,
	    f->transcript_len, &cases[0].len);
	cases[1] = (policy_case_t){ "(a) no readerAuth", NULL, 0, TSR_READER_ANONYMOUS, NULL,
		NULL };
	cases[1].request = policy_request(NULL, NULL, NULL, 0, &cases[1].len);
	cases[2] = (policy_case_t){ "(b) untrusted reader root", NULL, 0, TSR_READER_UNTRUSTED,
		"C=UT, CN=Unknown Reader", NULL };
	cases[2].request = policy_request(k.other_reader, k.other_reader_key, f->transcript,
	    f->transcript_len, &cases[2].len);
	cases[3] = (policy_case_t){ "(c) bad signature", NULL, 0, TSR_READER_INVALID, NULL,
		NULL };
	cases[3].request = policy_request(k.reader, k.reader_key, f->transcript,
	    f->transcript_len, &cases[3].len);
	/* readerAuth ends the request, and its signature is the last bstr(64). */
	g_assert_cmpuint(cases[3].len, >, 66);
	g_assert_cmphex(cases[3].request[cases[3].len - 66], ==, 0x58);
	g_assert_cmphex(cases[3].request[cases[3].len - 65], ==, 0x40);
	cases[3].request[cases[3].len - 20] ^= 0x01;
	cases[4] = (policy_case_t){ "(d) signed over another SessionTranscript", NULL, 0,
		TSR_READER_INVALID, NULL, NULL };
	cases[4].request = policy_request(k.reader, k.reader_key, other, other_len,
	    &cases[4].len);
	cases[5] = (policy_case_t){ "(e) expired reader certificate", NULL, 0,
		TSR_READER_INVALID, "C=UT, CN=Expired Reader", NULL };
	cases[5].request = policy_request(k.expired, k.expired_key, f->transcript,
	    f->transcript_len, &cases[5].len);
	/* (f) The reader signed for document_number; the request that arrives
	 * asks for issuing_country (as long a name) under the same signature. */
	cases[6] = (policy_case_t){ "(f) items changed after signing", NULL, 0,
		TSR_READER_INVALID, "C=UT, CN=Policy Reader", "issuing_country" };
	cases[6].request = policy_request(k.reader, k.reader_key, f->transcript,
	    f->transcript_len, &cases[6].len);
	replace_once(cases[6].request, cases[6].len, "document_number", "issuing_country");
	cases[7] = (policy_case_t){ "(g) reader certificate not yet valid", NULL, 0,
		TSR_READER_INVALID, "C=UT, CN=Future Reader", NULL };
	cases[7].request = policy_request(k.future, k.future_key, f->transcript,
	    f->transcript_len, &cases[7].len);
	cases[8] = (policy_case_t){ "(h) a DS-profile certificate from the trusted root", NULL,
		0, TSR_READER_INVALID, "C=UT, CN=Signer Not Reader", NULL };
	cases[8].request = policy_request(k.ds_profile, k.ds_profile_key, f->transcript,
	    f->transcript_len, &cases[8].len);
	cases[9] = (policy_case_t){ "(i) the trusted root signs as the reader", NULL, 0,
		TSR_READER_INVALID, NULL, NULL };
	cases[9].request = policy_request(k.root, k.root_key, f->transcript,
	    f->transcript_len, &cases[9].len);
	cases[10] = (policy_case_t){ "(j) a look-alike root (same subject, other key)", NULL,
		0, TSR_READER_UNTRUSTED, "C=UT, CN=Policy Reader", NULL };
	cases[10].request = policy_request(k.twin_reader, k.twin_reader_key, f->transcript,
	    f->transcript_len, &cases[10].len);
	signed_req = policy_request(k.reader, k.reader_key, f->transcript, f->transcript_len,
	    &signed_len);
	cases[11] = (policy_case_t){ "(k) readerAuth claiming ES384 (P-256 key)", NULL, 0,
		TSR_READER_INVALID, NULL, NULL };
	cases[11].request = with_reader_auth_alg(signed_req, signed_len, es384, sizeof(es384),
	    &cases[11].len);
	cases[12] = (policy_case_t){ "(l) readerAuth claiming EdDSA", NULL, 0,
		TSR_READER_INVALID, NULL, NULL };
	cases[12].request = with_reader_auth_alg(signed_req, signed_len, eddsa, sizeof(eddsa),
	    &cases[12].len);
	tsr_free(signed_req);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		policy_check(f, &k, &cases[i], false);
		policy_check(f, &k, &cases[i], true);
		tsr_free(cases[i].request);
	}
	g_free(other);
	reader_pki_free(&k);
}

/* The policy can be set after the analysis, and unset again. */
static void
strict_reader_policy_after_analysis(fixture_t *f, gconstpointer user)
{
	tsr_presentation_t *p = annex_d_presentation(f, ANNEX_D_NOW, false);

	(void)user;
	g_assert_cmpint(tsr_presentation_reader_trust(p, 0, NULL), ==, TSR_READER_UNTRUSTED);
	g_assert_false(tsr_presentation_refused(p));
	tsr_presentation_require_trusted_reader(p, true);
	g_assert_true(tsr_presentation_refused(p));
	tsr_presentation_require_trusted_reader(p, false);
	g_assert_false(tsr_presentation_refused(p));
	tsr_presentation_free(p);
	/* Trusted: never refused. */
	p = annex_d_presentation(f, ANNEX_D_NOW, true);
	tsr_presentation_require_trusted_reader(p, true);
	g_assert_false(tsr_presentation_refused(p));
	tsr_presentation_free(p);
	g_assert_false(tsr_presentation_refused(NULL));
}

#define ADD(path, fn) \
	g_test_add(path, fixture_t, NULL, fixture_set_up, fn, fixture_tear_down)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/holder/valid_analysis", valid_analysis);
	ADD("/holder/reader_trust_levels", reader_trust_levels);
	ADD("/holder/valid_full_response_is_annex_d", valid_full_response_is_annex_d);
	ADD("/holder/valid_signature", valid_signature);
	ADD("/holder/selective_disclosure", selective_disclosure);
	ADD("/holder/nothing_consented", nothing_consented);
	ADD("/holder/not_analyzed", not_analyzed);
	ADD("/holder/strict_reader_policy", strict_reader_policy);
	ADD("/holder/strict_reader_policy_after_analysis", strict_reader_policy_after_analysis);
	g_test_add_func("/holder/age_over_selection", age_over_selection);
	return g_test_run();
}
