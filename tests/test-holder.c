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
	g_test_add_func("/holder/age_over_selection", age_over_selection);
	return g_test_run();
}
