/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* DeviceResponse verification through the public API, on the Annex D
 * vectors: the valid case, each failure class, and a single-byte tamper
 * sweep. */

#include <string.h>

#include <tessera/tessera.h>

#include "cose/cose.h"
#include "mdoc/mdoc.h"
#include "test-support.h"

#define ANNEX_D_NOW "2021-01-01T00:00:00Z"

typedef struct fixture {
	uint8_t *response;
	size_t response_len;
	uint8_t *transcript;
	size_t transcript_len;
	uint8_t *iaca;
	size_t iaca_len;
	uint8_t *reader_key;
	size_t reader_key_len;
	uint8_t *portrait;
	size_t portrait_len;
} fixture_t;

static void
fixture_set_up(fixture_t *f, gconstpointer data)
{
	(void)data;
	f->response = tsr_test_load("annex-d/device_response.cbor", &f->response_len);
	f->transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &f->transcript_len);
	f->iaca = tsr_test_load("annex-d/iaca_cert.pem", &f->iaca_len);
	f->reader_key = tsr_test_load("annex-d/ephemeral_reader_key.pem", &f->reader_key_len);
	f->portrait = tsr_test_load("annex-d/portrait.jpg", &f->portrait_len);
}

static void
fixture_tear_down(fixture_t *f, gconstpointer data)
{
	(void)data;
	g_free(f->response);
	g_free(f->transcript);
	g_free(f->iaca);
	g_free(f->reader_key);
	g_free(f->portrait);
}

/* A verifier set up as the Annex D reader was. */
static tsr_verifier_t *
annex_d_verifier(const fixture_t *f, const char *now)
{
	tsr_verifier_t *v = NULL;

	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, f->iaca, f->iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, f->transcript, f->transcript_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_verifier_set_reader_key(v, f->reader_key, f->reader_key_len), ==,
	    TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(now));
	return v;
}

static uint32_t
doc_reasons(const tsr_verify_result_t *result)
{
	g_assert_cmpuint(tsr_verify_result_doc_count(result), ==, 1);
	return tsr_verified_doc_reasons(tsr_verify_result_doc(result, 0));
}

static void
valid_annex_d(fixture_t *f, gconstpointer data)
{
	static const char *const expected[] = { "family_name", "issue_date", "expiry_date",
		"document_number", "portrait", "driving_privileges" };
	tsr_verifier_t *v = annex_d_verifier(f, ANNEX_D_NOW);
	tsr_verify_result_t *result = NULL;
	const tsr_verified_doc_t *doc;
	tsr_verified_element_t e;
	int64_t signed_at, from, until, update;
	char *json = NULL;

	(void)data;
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==, TSR_OK);
	g_assert_true(tsr_verify_result_valid(result));
	g_assert_cmpuint(tsr_verify_result_reasons(result), ==, 0);
	doc = tsr_verify_result_doc(result, 0);
	g_assert_cmpuint(tsr_verified_doc_reasons(doc), ==, 0);
	g_assert_cmpstr(tsr_verified_doc_doctype(doc), ==, "org.iso.18013.5.1.mDL");
	g_assert_cmpint(tsr_verified_doc_device_auth(doc), ==, TSR_DEVICE_AUTH_MAC);
	g_assert_cmpstr(tsr_verified_doc_ds_subject(doc), ==, "CN=utopia ds, C=US");
	g_assert_cmpstr(tsr_verified_doc_iaca_subject(doc), ==, "CN=utopia iaca, C=US");
	g_assert_cmpstr(tsr_verified_doc_digest_algorithm(doc), ==, "SHA-256");
	g_assert_cmpint(tsr_verified_doc_validity(doc, &signed_at, &from, &until, &update), ==,
	    TSR_OK);
	g_assert_cmpint(until, ==, tsr_test_time("2021-10-01T13:30:02Z"));
	g_assert_cmpint(update, ==, 0);

	g_assert_cmpuint(tsr_verified_doc_element_count(doc), ==, G_N_ELEMENTS(expected));
	for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
		g_assert_cmpint(tsr_verified_doc_element(doc, i, &e), ==, TSR_OK);
		g_assert_cmpstr(e.name_space, ==, "org.iso.18013.5.1");
		g_assert_cmpstr(e.identifier, ==, expected[i]);
		g_assert_true(e.verified);
		g_assert_true(e.digest_matched);
		g_assert_false(e.device_signed);
	}
	g_assert_cmpint(tsr_verified_doc_element(doc, 0, &e), ==, TSR_OK);
	g_assert_cmpint(tsr_cbor_to_json(e.value, e.value_len, &json), ==, TSR_OK);
	g_assert_cmpstr(json, ==, "\"Doe\"");
	tsr_free(json);
	g_assert_cmpint(tsr_verified_doc_element(doc, 3, &e), ==, TSR_OK);
	g_assert_cmpint(tsr_cbor_to_json(e.value, e.value_len, &json), ==, TSR_OK);
	g_assert_cmpstr(json, ==, "\"123456789\"");
	tsr_free(json);
	/* portrait: a bstr whose content is exactly portrait.jpg */
	g_assert_cmpint(tsr_verified_doc_element(doc, 4, &e), ==, TSR_OK);
	g_assert_cmpuint(e.value_len, ==, f->portrait_len + 3);
	g_assert_cmpmem(e.value + 3, f->portrait_len, f->portrait, f->portrait_len);
	g_assert_cmpint(tsr_verified_doc_element(doc, 6, &e), ==, TSR_ERR_NOT_FOUND);

	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

static void
expired_today(fixture_t *f, gconstpointer data)
{
	tsr_verifier_t *v = annex_d_verifier(f, "2026-11-25T00:00:00Z");
	tsr_verify_result_t *result = NULL;
	tsr_verified_element_t e;

	(void)data;
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_false(tsr_verify_result_valid(result));
	g_assert_cmpuint(doc_reasons(result), ==,
	    TSR_REASON_DS_CERT_EXPIRED | TSR_REASON_MSO_EXPIRED);
	g_assert_cmpstr(tsr_reason_text(TSR_REASON_DS_CERT_EXPIRED), ==, "DS certificate expired");
	g_assert_cmpstr(tsr_reason_text(TSR_REASON_MSO_EXPIRED), ==, "MSO expired");
	/* Nothing from an expired document counts as verified. */
	g_assert_cmpint(tsr_verified_doc_element(tsr_verify_result_doc(result, 0), 0, &e), ==,
	    TSR_OK);
	g_assert_false(e.verified);
	g_assert_true(e.digest_matched);
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

static void
not_yet_valid(fixture_t *f, gconstpointer data)
{
	tsr_verifier_t *v = annex_d_verifier(f, "2020-09-30T00:00:00Z");
	tsr_verify_result_t *result = NULL;

	(void)data;
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	/* the IACA is not yet valid either, which the chain reports as the DS's */
	g_assert_cmpuint(doc_reasons(result), ==,
	    TSR_REASON_DS_CERT_NOT_YET_VALID | TSR_REASON_MSO_NOT_YET_VALID);
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

static void
boundary_seconds(fixture_t *f, gconstpointer data)
{
	/* MSO validUntil is 2021-10-01T13:30:02Z, the DS certificate ends at
	 * 2021-10-01T00:00:00Z: the certificate expires first. */
	static const struct {
		const char *now;
		uint32_t reasons;
	} cases[] = {
		{ "2020-10-01T13:30:01Z", TSR_REASON_MSO_NOT_YET_VALID },
		{ "2020-10-01T13:30:02Z", 0 },
		{ "2021-10-01T00:00:00Z", 0 },
		{ "2021-10-01T00:00:01Z", TSR_REASON_DS_CERT_EXPIRED },
		{ "2021-10-01T13:30:02Z", TSR_REASON_DS_CERT_EXPIRED },
		{ "2021-10-01T13:30:03Z", TSR_REASON_DS_CERT_EXPIRED | TSR_REASON_MSO_EXPIRED },
	};

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_verifier_t *v = annex_d_verifier(f, cases[i].now);
		tsr_verify_result_t *result = NULL;

		int r = tsr_verifier_verify(v, f->response, f->response_len, &result);

		g_assert_true(r == TSR_OK || r == TSR_ERR_VERIFY);
		g_assert_nonnull(result);
		if (doc_reasons(result) != cases[i].reasons)
			g_error("at %s: reasons 0x%x, expected 0x%x", cases[i].now,
			    doc_reasons(result), cases[i].reasons);
		tsr_verify_result_free(result);
		tsr_verifier_free(v);
	}
}

static void
digest_mismatch_one_element(fixture_t *f, gconstpointer data)
{
	tsr_verifier_t *v = annex_d_verifier(f, ANNEX_D_NOW);
	tsr_verify_result_t *result = NULL;
	g_autofree uint8_t *copy = g_memdup2(f->response, f->response_len);
	const tsr_verified_doc_t *doc;
	tsr_verified_element_t e;
	uint8_t *doe = memmem(copy, f->response_len, "\x63" "Doe", 4);

	(void)data;
	g_assert_nonnull(doe);
	doe[3] = 'f'; /* family_name "Dof" */
	g_assert_cmpint(tsr_verifier_verify(v, copy, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_DIGEST_MISMATCH);
	doc = tsr_verify_result_doc(result, 0);
	for (size_t i = 0; i < tsr_verified_doc_element_count(doc); i++) {
		g_assert_cmpint(tsr_verified_doc_element(doc, i, &e), ==, TSR_OK);
		/* Only the altered element is unproven; the others still are. */
		g_assert_cmpint(e.digest_matched, ==, i != 0);
		g_assert_cmpint(e.verified, ==, i != 0);
	}
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

/* A forger relabels two elements by swapping their digestIDs (the values
 * stay, so each would point at the other's MSO digest): digestID is inside
 * the hashed IssuerSignedItemBytes, so both elements fail and only they. */
static void
digest_id_swap(fixture_t *f, gconstpointer data)
{
	static const char key[] = "\x68" "digestID";
	tsr_verifier_t *v = annex_d_verifier(f, ANNEX_D_NOW);
	tsr_verify_result_t *result = NULL;
	g_autofree uint8_t *copy = g_memdup2(f->response, f->response_len);
	const tsr_verified_doc_t *doc;
	tsr_verified_element_t e;
	uint8_t *first, *second, id;

	(void)data;
	first = memmem(copy, f->response_len, key, sizeof(key) - 1);
	g_assert_nonnull(first);
	second = memmem(first + 1, f->response_len - (size_t)(first + 1 - copy), key,
	    sizeof(key) - 1);
	g_assert_nonnull(second);
	first += sizeof(key) - 1;
	second += sizeof(key) - 1;
	/* Both are one-byte uints (0 and 3), so the lengths do not change. */
	g_assert_cmpuint(*first, <, 0x18);
	g_assert_cmpuint(*second, <, 0x18);
	g_assert_cmpuint(*first, !=, *second);
	id = *first;
	*first = *second;
	*second = id;

	g_assert_cmpint(tsr_verifier_verify(v, copy, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_DIGEST_MISMATCH);
	doc = tsr_verify_result_doc(result, 0);
	g_assert_cmpuint(tsr_verified_doc_element_count(doc), >, 2);
	for (size_t i = 0; i < tsr_verified_doc_element_count(doc); i++) {
		g_assert_cmpint(tsr_verified_doc_element(doc, i, &e), ==, TSR_OK);
		g_assert_cmpint(e.digest_matched, ==, i > 1);
		g_assert_cmpint(e.verified, ==, i > 1);
	}
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

static void
untrusted_issuer(fixture_t *f, gconstpointer data)
{
	g_autofree uint8_t *other = NULL;
	size_t other_len = 0;
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;

	(void)data;
	other = tsr_test_load("annex-d/reader_root_cert.pem", &other_len);
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, other, other_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, f->transcript, f->transcript_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_verifier_set_reader_key(v, f->reader_key, f->reader_key_len), ==,
	    TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_UNTRUSTED_ISSUER);
	g_assert_cmpstr(tsr_reason_text(TSR_REASON_UNTRUSTED_ISSUER), ==, "untrusted issuer");
	g_assert_cmpstr(tsr_verified_doc_iaca_subject(tsr_verify_result_doc(result, 0)), ==, "");
	tsr_verify_result_free(result);

	/* no anchors at all */
	tsr_verifier_free(v);
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, f->transcript, f->transcript_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_verifier_set_reader_key(v, f->reader_key, f->reader_key_len), ==,
	    TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_UNTRUSTED_ISSUER);
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

static void
missing_inputs(fixture_t *f, gconstpointer data)
{
	g_autofree uint8_t *device_key = NULL;
	size_t device_key_len = 0;
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;

	(void)data;
	/* No reader key: the MAC cannot be checked. */
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, f->iaca, f->iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, f->transcript, f->transcript_len), ==,
	    TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_DEVICE_AUTH_MISSING);
	tsr_verify_result_free(result);

	/* A reader key that is not the transcript's EReaderKey. */
	device_key = tsr_test_load("annex-d/ephemeral_device_key.pem", &device_key_len);
	g_assert_cmpint(tsr_verifier_set_reader_key(v, device_key, device_key_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(tsr_verify_result_reasons(result), ==, TSR_REASON_TRANSCRIPT);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_DEVICE_AUTH_MISSING);
	tsr_verify_result_free(result);
	tsr_verifier_free(v);

	/* No transcript at all. */
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, f->iaca, f->iaca_len), ==, TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(tsr_verify_result_reasons(result), ==, TSR_REASON_TRANSCRIPT);
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

static void
wrong_transcript(fixture_t *f, gconstpointer data)
{
	tsr_verifier_t *v = annex_d_verifier(f, ANNEX_D_NOW);
	tsr_verify_result_t *result = NULL;
	g_autofree uint8_t *other = g_memdup2(f->transcript, f->transcript_len);

	(void)data;
	/* Change one byte of the handover: a transcript from another session. */
	other[f->transcript_len - 3] ^= 0x01;
	g_assert_cmpint(tsr_verifier_set_transcript(v, other, f->transcript_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_DEVICE_AUTH);
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

static void
junk_response(fixture_t *f, gconstpointer data)
{
	static const uint8_t junk[] = { 0xa1, 0x61, 0x61, 0x01 };
	tsr_verifier_t *v = annex_d_verifier(f, ANNEX_D_NOW);
	tsr_verify_result_t *result = NULL;

	(void)data;
	g_assert_cmpint(tsr_verifier_verify(v, junk, sizeof(junk), &result), ==, TSR_ERR_VERIFY);
	g_assert_cmpuint(tsr_verify_result_reasons(result), ==, TSR_REASON_MALFORMED);
	g_assert_cmpint(tsr_verify_result_decode_error(result), ==, TSR_ERR_MDOC_MALFORMED);
	g_assert_cmpuint(tsr_verify_result_doc_count(result), ==, 0);
	tsr_verify_result_free(result);
	g_assert_cmpint(tsr_verifier_verify(v, f->response, f->response_len - 1, &result), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpint(tsr_verify_result_decode_error(result), ==, TSR_ERR_CBOR_TRUNCATED);
	tsr_verify_result_free(result);
	g_assert_cmpint(tsr_verifier_verify(v, NULL, 0, &result), ==, TSR_ERR_VERIFY);
	tsr_verify_result_free(result);
	g_assert_cmpint(tsr_verifier_verify(NULL, f->response, f->response_len, &result), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	tsr_verifier_free(v);
}

/*
 * Bytes the standard leaves unprotected, found by the sweep below and each
 * justified:
 * - DeviceResponse.version "1.0": a flip of its last character gives "1.1",
 *   "1.2", ... which a 1.x reader accepts; the version is not signed.
 */
static bool
unprotected_byte(const fixture_t *f, size_t offset, uint8_t flipped)
{
	static const uint8_t version[] = { 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x63, '1', '.' };

	(void)flipped;
	return offset == sizeof(version) + 1 &&
	    memcmp(f->response + 1, version, sizeof(version)) == 0;
}

static void
tamper_every_byte(fixture_t *f, gconstpointer data)
{
	tsr_verifier_t *v = annex_d_verifier(f, ANNEX_D_NOW);
	g_autofree uint8_t *copy = g_memdup2(f->response, f->response_len);
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t decode_failures = 0, verify_failures = 0, exceptions = 0;

	(void)data;
	for (size_t i = 0; i < f->response_len; i++) {
		/* Three changes per byte: the low bit, the high bit, all bits. */
		for (size_t m = 0; m < G_N_ELEMENTS(masks); m++) {
			tsr_verify_result_t *result = NULL;
			int r;

			copy[i] ^= masks[m];
			r = tsr_verifier_verify(v, copy, f->response_len, &result);
			g_assert_nonnull(result);
			if (r == TSR_OK) {
				if (!unprotected_byte(f, i, copy[i]))
					g_error("byte %zu ^ 0x%02x still verifies", i, masks[m]);
				exceptions++;
			} else if (tsr_verify_result_decode_error(result) != TSR_OK) {
				decode_failures++;
			} else {
				verify_failures++;
			}
			tsr_verify_result_free(result);
			copy[i] = f->response[i];
		}
	}
	g_test_message("%zu flips: %zu fail decoding, %zu fail verification, %zu unprotected",
	    G_N_ELEMENTS(masks) * f->response_len, decode_failures, verify_failures, exceptions);
	g_assert_cmpuint(exceptions, ==, 1);
	tsr_verifier_free(v);
}

/* The same response with deviceSignature instead of deviceMac, signed with
 * the Annex D static device key (whose private part the vectors publish). */
static uint8_t *
resign_with_device_signature(const fixture_t *f, const char *key_file, size_t *ret_len)
{
	g_autofree uint8_t *key_pem = NULL;
	size_t key_len = 0;
	tsr_ec_key_t *key = NULL;
	tsr_cose_signer_t signer;
	tsr_transcript_t st;
	tsr_response_t resp;
	uint8_t *dab = NULL, *sig = NULL, *out = NULL;
	size_t dab_len = 0, sig_len = 0, out_len = 0;
	tsr_cbor_doc_t *sig_doc = NULL;
	tsr_device_signed_t *ds;

	key_pem = tsr_test_load(key_file, &key_len);
	g_assert_cmpint(tsr_ec_key_parse(key_pem, key_len, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_decode(f->transcript, f->transcript_len, &st), ==, TSR_OK);
	g_assert_cmpint(tsr_response_decode(f->response, f->response_len, &resp), ==, TSR_OK);
	ds = &resp.docs[0].device_signed;
	g_assert_cmpint(tsr_device_authentication_bytes(&st, resp.docs[0].doc_type, ds->ns_bytes,
	    &dab, &dab_len), ==, TSR_OK);
	tsr_cose_signer_from_key(key, &signer);
	g_assert_cmpint(tsr_cose_sign1_create(&signer, dab, dab_len, true, NULL, 0, &sig,
	    &sig_len), ==, TSR_OK);
	g_assert_cmpint(tsr_cbor_decode(sig, sig_len, NULL, &sig_doc), ==, TSR_OK);
	tsr_cose_msg_clear(&ds->auth);
	g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(sig_doc), &ds->auth), ==, TSR_OK);
	ds->is_mac = false;
	g_assert_cmpint(tsr_response_encode(&resp, &out, &out_len), ==, TSR_OK);

	tsr_response_clear(&resp);
	tsr_cbor_doc_free(sig_doc);
	tsr_transcript_clear(&st);
	tsr_ec_key_free(key);
	free(dab);
	free(sig);
	*ret_len = out_len;
	return out;
}

static void
valid_device_signature(fixture_t *f, gconstpointer data)
{
	tsr_verifier_t *v = annex_d_verifier(f, ANNEX_D_NOW);
	tsr_verify_result_t *result = NULL;
	size_t len = 0;
	uint8_t *resp = resign_with_device_signature(f, "annex-d/static_device_key.pem", &len);

	(void)data;
	g_assert_cmpint(tsr_verifier_verify(v, resp, len, &result), ==, TSR_OK);
	g_assert_cmpint(tsr_verified_doc_device_auth(tsr_verify_result_doc(result, 0)), ==,
	    TSR_DEVICE_AUTH_SIGNATURE);
	tsr_verify_result_free(result);
	free(resp);

	/* Signed by another key than the MSO's deviceKey. */
	resp = resign_with_device_signature(f, "annex-d/ephemeral_device_key.pem", &len);
	g_assert_cmpint(tsr_verifier_verify(v, resp, len, &result), ==, TSR_ERR_VERIFY);
	g_assert_cmpuint(doc_reasons(result), ==, TSR_REASON_DEVICE_AUTH);
	tsr_verify_result_free(result);
	free(resp);
	tsr_verifier_free(v);
}

static void
valid_reader_auth_annex_d(void)
{
	g_autofree uint8_t *request = NULL, *transcript = NULL, *root = NULL, *iaca = NULL;
	size_t request_len = 0, transcript_len = 0, root_len = 0, iaca_len = 0;
	char *subject = NULL;

	request = tsr_test_load("annex-d/device_request.cbor", &request_len);
	transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &transcript_len);
	root = tsr_test_load("annex-d/reader_root_cert.pem", &root_len);
	iaca = tsr_test_load("annex-d/iaca_cert.pem", &iaca_len);
	g_assert_cmpint(tsr_reader_auth_verify(request, request_len, transcript, transcript_len,
	    root, root_len, tsr_test_time(ANNEX_D_NOW), &subject), ==, TSR_OK);
	g_assert_cmpstr(subject, ==, "CN=reader");
	tsr_free(subject);
	subject = NULL;
	g_assert_cmpint(tsr_reader_auth_verify(request, request_len, transcript, transcript_len,
	    iaca, iaca_len, tsr_test_time(ANNEX_D_NOW), &subject), ==, TSR_ERR_CERT_UNTRUSTED);
	g_assert_cmpstr(subject, ==, "CN=reader");
	tsr_free(subject);
	g_assert_cmpint(tsr_reader_auth_verify(request, request_len, transcript, transcript_len,
	    root, root_len, tsr_test_time("2026-11-25T00:00:00Z"), NULL), ==,
	    TSR_ERR_CERT_EXPIRED);
	/* Another session's transcript: the signature no longer verifies. */
	transcript[transcript_len - 3] ^= 0x01;
	g_assert_cmpint(tsr_reader_auth_verify(request, request_len, transcript, transcript_len,
	    root, root_len, tsr_test_time(ANNEX_D_NOW), NULL), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
}

static void
valid_reason_names(void)
{
	for (uint32_t flag = 1; flag <= TSR_REASON_REVOKED; flag <<= 1) {
		g_assert_nonnull(tsr_reason_name(flag));
		g_assert_nonnull(tsr_reason_text(flag));
	}
	g_assert_null(tsr_reason_name(TSR_REASON_REVOKED << 1));
	g_assert_null(tsr_reason_name(3));
	g_assert_cmpstr(tsr_reason_name(TSR_REASON_DS_CERT_EXPIRED), ==, "ds_cert_expired");
}

#define ADD(path, fn) \
	g_test_add(path, fixture_t, NULL, fixture_set_up, fn, fixture_tear_down)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/reader/verify/valid_annex_d", valid_annex_d);
	ADD("/reader/verify/valid_device_signature", valid_device_signature);
	ADD("/reader/verify/expired_today", expired_today);
	ADD("/reader/verify/not_yet_valid", not_yet_valid);
	ADD("/reader/verify/boundary_seconds", boundary_seconds);
	ADD("/reader/verify/digest_mismatch_one_element", digest_mismatch_one_element);
	ADD("/reader/verify/digest_id_swap", digest_id_swap);
	ADD("/reader/verify/untrusted_issuer", untrusted_issuer);
	ADD("/reader/verify/missing_inputs", missing_inputs);
	ADD("/reader/verify/wrong_transcript", wrong_transcript);
	ADD("/reader/verify/junk_response", junk_response);
	ADD("/reader/verify/tamper_every_byte", tamper_every_byte);
	g_test_add_func("/reader/auth/valid_annex_d", valid_reader_auth_annex_d);
	g_test_add_func("/reader/reasons/valid_names", valid_reason_names);
	return g_test_run();
}
