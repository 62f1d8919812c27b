/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Building DeviceRequests, and the whole exchange in one process:
 * request -> holder -> response -> verifier, on the Annex D credential. */

#include <string.h>

#include <tessera/request.h>
#include <tessera/tessera.h>

#include "mdoc/mdoc.h"
#include "test-support.h"

#define ANNEX_D_NOW "2021-01-01T00:00:00Z"
/* Inside the validity of tests/data/reader/ (made 2026-11-25, 1000 days). */
#define READER_NOW "2027-01-01T00:00:00Z"

static void
valid_templates(void)
{
	const char *const *names = tsr_request_template_names();
	size_t n = 0;

	for (; names[n] != NULL; n++) {
		tsr_request_builder_t *b = NULL;
		tsr_request_t req;
		uint8_t *bytes = NULL;
		size_t len = 0;

		g_assert_nonnull(tsr_request_template_description(names[n]));
		g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
		g_assert_cmpint(tsr_request_builder_add_template(b, names[n]), ==, TSR_OK);
		g_assert_cmpint(tsr_request_builder_build(b, NULL, 0, &bytes, &len), ==, TSR_OK);
		g_assert_cmpint(tsr_request_decode(bytes, len, &req), ==, TSR_OK);
		g_assert_cmpuint(req.n_reqs, ==, 1);
		g_assert_false(req.reqs[0].has_reader_auth);
		tsr_request_clear(&req);
		tsr_free(bytes);
		tsr_request_builder_free(b);
	}
	g_assert_cmpuint(n, ==, 6);
	g_assert_null(tsr_request_template_description("nope"));
}

static void
valid_elements_and_intent(void)
{
	tsr_request_builder_t *b = NULL;
	tsr_request_t req;
	const tsr_cbor_item_t *ids;
	uint8_t *bytes = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_template(b, "age-over-18"), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_element(b, TSR_DOCTYPE_MDL, TSR_NAMESPACE_MDL,
	    "portrait", true), ==, TSR_OK); /* updates, does not duplicate */
	g_assert_cmpint(tsr_request_builder_add_template(b, "pid-basic"), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_element(b, TSR_DOCTYPE_MDL, "org.example.x",
	    "extra", false), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_element(b, "", "a", "b", false), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_request_builder_add_template(b, "nope"), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_request_builder_build(b, NULL, 0, &bytes, &len), ==, TSR_OK);
	g_assert_cmpint(tsr_request_decode(bytes, len, &req), ==, TSR_OK);
	g_assert_cmpuint(req.n_reqs, ==, 2);
	g_assert_cmpmem(req.reqs[0].doc_type.ptr, req.reqs[0].doc_type.len, TSR_DOCTYPE_MDL,
	    strlen(TSR_DOCTYPE_MDL));
	g_assert_cmpuint(req.reqs[0].name_spaces->u.list.count, ==, 2);
	ids = tsr_cbor_map_find_tstr(req.reqs[0].name_spaces, TSR_NAMESPACE_MDL);
	g_assert_cmpuint(ids->u.list.count, ==, 2);
	g_assert_cmpint(tsr_cbor_map_find_tstr(ids, "portrait")->type, ==, TSR_CBOR_TRUE);
	g_assert_cmpint(tsr_cbor_map_find_tstr(ids, "age_over_18")->type, ==, TSR_CBOR_FALSE);
	tsr_request_clear(&req);
	tsr_free(bytes);
	tsr_request_builder_free(b);

	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(b, NULL, 0, &bytes, &len), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	tsr_request_builder_free(b);
}

static void
valid_reader_auth(void)
{
	g_autofree uint8_t *cert = NULL, *key = NULL, *root = NULL, *transcript = NULL,
	    *iaca = NULL;
	size_t cert_len = 0, key_len = 0, root_len = 0, transcript_len = 0, iaca_len = 0;
	tsr_request_builder_t *b = NULL;
	uint8_t *bytes = NULL;
	size_t len = 0;
	char *subject = NULL;

	cert = tsr_test_load("reader/reader.pem", &cert_len);
	key = tsr_test_load("reader/reader_key.pem", &key_len);
	root = tsr_test_load("reader/reader_root.pem", &root_len);
	iaca = tsr_test_load("annex-d/iaca_cert.pem", &iaca_len);
	transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &transcript_len);
	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_template(b, "age-over-21"), ==, TSR_OK);
	/* A key that is not the certificate's is refused. */
	{
		size_t other_len = 0;
		g_autofree uint8_t *other = tsr_test_load("annex-d/ephemeral_reader_key.pem",
		    &other_len);
		g_assert_cmpint(tsr_request_builder_set_reader_auth(b, cert, cert_len, other,
		    other_len), ==, TSR_ERR_CRYPTO_BAD_KEY);
	}
	g_assert_cmpint(tsr_request_builder_set_reader_auth(b, cert, cert_len, key, key_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(b, NULL, 0, &bytes, &len), ==,
	    TSR_ERR_INVALID_ARGUMENT); /* readerAuth needs the transcript */
	g_assert_cmpint(tsr_request_builder_build(b, transcript, transcript_len, &bytes, &len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_reader_auth_verify(bytes, len, transcript, transcript_len, root,
	    root_len, tsr_test_time(READER_NOW), &subject), ==, TSR_OK);
	g_assert_cmpstr(subject, ==, "C=UT, CN=Tessera Test Reader"); /* DER order */
	tsr_free(subject);
	g_assert_cmpint(tsr_reader_auth_verify(bytes, len, transcript, transcript_len, iaca,
	    iaca_len, tsr_test_time(READER_NOW), NULL), ==, TSR_ERR_CERT_UNTRUSTED);
	tsr_free(bytes);
	tsr_request_builder_free(b);
}

/* Reader builds, holder answers with consent to everything, reader verifies. */
static void
valid_round_trip(void)
{
	g_autofree uint8_t *issuer_signed = NULL, *device_key = NULL, *transcript = NULL,
	    *iaca = NULL, *reader_key = NULL;
	size_t is_len = 0, dk_len = 0, transcript_len = 0, iaca_len = 0, rk_len = 0;
	tsr_request_builder_t *b = NULL;
	tsr_presentation_t *p = NULL;
	tsr_device_key_t *key = NULL;
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	const tsr_verified_doc_t *doc;
	uint8_t *request = NULL, *response = NULL;
	size_t request_len = 0, response_len = 0;
	tsr_requested_element_t e;
	const char *ns = NULL, *id = NULL;

	issuer_signed = tsr_test_load("annex-d/issuer_signed.cbor", &is_len);
	device_key = tsr_test_load("annex-d/static_device_key.pem", &dk_len);
	transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &transcript_len);
	iaca = tsr_test_load("annex-d/iaca_cert.pem", &iaca_len);
	reader_key = tsr_test_load("annex-d/ephemeral_reader_key.pem", &rk_len);

	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_template(b, "driving-licence"), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(b, transcript, transcript_len, &request,
	    &request_len), ==, TSR_OK);

	g_assert_cmpint(tsr_device_key_new_from_pem(device_key, dk_len, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_new(request, request_len, transcript, transcript_len, &p),
	    ==, TSR_OK);
	tsr_presentation_set_time(p, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_presentation_add_credential(p, issuer_signed, is_len, key, "mdl"), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_presentation_analyze(p), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_reader_trust(p, 0, NULL), ==, TSR_READER_ANONYMOUS);
	/* given_name is asked for but the Annex D credential does not hold it. */
	g_assert_cmpint(tsr_presentation_element(p, 0, 1, &e), ==, TSR_OK);
	g_assert_cmpstr(e.identifier, ==, "given_name");
	g_assert_false(e.available);
	tsr_presentation_consent_all(p, true);
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &response,
	    &response_len), ==, TSR_OK);

	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, iaca, iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(v, transcript, transcript_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_reader_key(v, reader_key, rk_len), ==, TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_verifier_verify(v, response, response_len, &result), ==, TSR_OK);
	doc = tsr_verify_result_doc(result, 0);
	g_assert_cmpuint(tsr_verified_doc_element_count(doc), ==, 5);
	g_assert_cmpuint(tsr_verified_doc_error_count(doc), ==, 1);
	g_assert_cmpint(tsr_verified_doc_error(doc, 0, &ns, &id, NULL), ==, TSR_OK);
	g_assert_cmpstr(id, ==, "given_name");

	tsr_verify_result_free(result);
	tsr_verifier_free(v);
	tsr_presentation_free(p);
	tsr_device_key_free(key);
	tsr_request_builder_free(b);
	tsr_free(request);
	tsr_free(response);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reader/request/valid_templates", valid_templates);
	g_test_add_func("/reader/request/valid_elements_and_intent", valid_elements_and_intent);
	g_test_add_func("/reader/request/valid_reader_auth", valid_reader_auth);
	g_test_add_func("/reader/request/valid_round_trip", valid_round_trip);
	return g_test_run();
}
