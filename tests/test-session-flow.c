/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A whole proximity session between tsr_holder_session_t and
 * tsr_reader_session_t, messages passed by hand: QR engagement, request,
 * consent, response, verification, termination, and what goes wrong. */

#include <string.h>

#include <tessera/tessera.h>

#include "test-support.h"

#define ANNEX_D_NOW "2021-01-01T00:00:00Z"

typedef struct fixture {
	tsr_holder_session_t *holder;
	tsr_reader_session_t *reader;
	uint8_t *issuer_signed, *device_key_pem, *iaca;
	size_t issuer_signed_len, device_key_pem_len, iaca_len;
	tsr_device_key_t *key;
} fixture_t;

static void
fixture_set_up(fixture_t *f, gconstpointer user)
{
	char *uri = NULL;

	(void)user;
	g_assert_cmpint(tsr_holder_session_new(NULL, &f->holder), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_qr_uri(f->holder, &uri), ==, TSR_OK);
	g_assert_true(g_str_has_prefix(uri, "mdoc:"));
	g_assert_cmpint(tsr_reader_session_new(uri, &f->reader), ==, TSR_OK);
	tsr_free(uri);
	f->issuer_signed = tsr_test_load("annex-d/issuer_signed.cbor", &f->issuer_signed_len);
	f->device_key_pem = tsr_test_load("annex-d/static_device_key.pem", &f->device_key_pem_len);
	f->iaca = tsr_test_load("annex-d/iaca_cert.pem", &f->iaca_len);
	g_assert_cmpint(tsr_device_key_new_from_pem(f->device_key_pem, f->device_key_pem_len,
	    &f->key), ==, TSR_OK);
}

static void
fixture_tear_down(fixture_t *f, gconstpointer user)
{
	(void)user;
	tsr_holder_session_free(f->holder);
	tsr_reader_session_free(f->reader);
	tsr_device_key_free(f->key);
	g_free(f->issuer_signed);
	g_free(f->device_key_pem);
	g_free(f->iaca);
}

/* The reader's SessionEstablishment for a template. */
static uint8_t *
reader_establish(fixture_t *f, const char *template, size_t *ret_len)
{
	tsr_request_builder_t *b = NULL;
	const uint8_t *st = NULL;
	size_t st_len = 0;
	uint8_t *request = NULL, *msg = NULL;
	size_t request_len = 0;

	tsr_reader_session_transcript(f->reader, &st, &st_len);
	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_template(b, template), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(b, st, st_len, &request, &request_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_reader_session_establish(f->reader, request, request_len, &msg,
	    ret_len), ==, TSR_OK);
	tsr_free(request);
	tsr_request_builder_free(b);
	return msg;
}

/* The holder answers everything it can; returns the SessionData. */
static uint8_t *
holder_answer(fixture_t *f, const uint8_t *establishment, size_t len, size_t *ret_len)
{
	tsr_presentation_t *p = NULL;
	const uint8_t *st = NULL;
	size_t st_len = 0, request_len = 0, response_len = 0;
	uint8_t *request = NULL, *response = NULL, *msg = NULL;

	g_assert_cmpint(tsr_holder_session_establish(f->holder, establishment, len, &request,
	    &request_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_transcript(f->holder, &st, &st_len), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_new(request, request_len, st, st_len, &p), ==, TSR_OK);
	tsr_presentation_set_time(p, tsr_test_time(ANNEX_D_NOW));
	g_assert_cmpint(tsr_presentation_add_credential(p, f->issuer_signed, f->issuer_signed_len,
	    f->key, "mdl"), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_analyze(p), ==, TSR_OK);
	tsr_presentation_consent_all(p, true);
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &response,
	    &response_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_respond(f->holder, response, response_len, false, &msg,
	    ret_len), ==, TSR_OK);
	tsr_free(request);
	tsr_free(response);
	tsr_presentation_free(p);
	return msg;
}

static tsr_verify_result_t *
reader_verify(fixture_t *f, const uint8_t *response, size_t len)
{
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	int r;

	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, f->iaca, f->iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_prepare_verifier(f->reader, v), ==, TSR_OK);
	tsr_verifier_set_time(v, tsr_test_time(ANNEX_D_NOW));
	r = tsr_verifier_verify(v, response, len, &result);
	g_assert_true(r == TSR_OK || r == TSR_ERR_VERIFY);
	tsr_verifier_free(v);
	return result;
}

static void
valid_session(fixture_t *f, gconstpointer user)
{
	uint8_t *est, *data, *response = NULL, *end = NULL, *request = NULL;
	size_t est_len = 0, data_len = 0, response_len = 0, end_len = 0, request_len = 0;
	tsr_verify_result_t *result;
	bool ended = true;

	(void)user;
	est = reader_establish(f, "driving-licence", &est_len);
	data = holder_answer(f, est, est_len, &data_len);
	g_assert_cmpint(tsr_reader_session_receive(f->reader, data, data_len, &response,
	    &response_len, &ended), ==, TSR_OK);
	g_assert_false(ended);
	result = reader_verify(f, response, response_len);
	g_assert_true(tsr_verify_result_valid(result));
	g_assert_cmpint(tsr_verified_doc_device_auth(tsr_verify_result_doc(result, 0)), ==,
	    TSR_DEVICE_AUTH_MAC);
	g_assert_cmpuint(tsr_verified_doc_element_count(tsr_verify_result_doc(result, 0)), ==, 5);
	tsr_verify_result_free(result);

	/* The reader ends the session; the holder sees it. */
	g_assert_cmpint(tsr_reader_session_terminate(f->reader, &end, &end_len), ==, TSR_OK);
	tsr_test_assert_hex(end, end_len, "a16673746174757314");
	g_assert_cmpint(tsr_holder_session_receive(f->holder, end, end_len, &request,
	    &request_len), ==, TSR_ERR_SESSION_TERMINATED);
	g_assert_cmpint(tsr_holder_session_receive(f->holder, end, end_len, &request,
	    &request_len), ==, TSR_ERR_SESSION_STATE);
	tsr_free(est);
	tsr_free(data);
	tsr_free(response);
	tsr_free(end);
}

static void
holder_terminates(fixture_t *f, gconstpointer user)
{
	uint8_t *est, *request = NULL, *msg = NULL, *response = NULL;
	size_t est_len = 0, request_len = 0, msg_len = 0, response_len = 0;
	static const uint8_t empty_response[] = { 0xa2, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n',
		0x63, '1', '.', '0', 0x66, 's', 't', 'a', 't', 'u', 's', 0x00 };
	bool ended = false;

	(void)user;
	est = reader_establish(f, "age-over-18", &est_len);
	g_assert_cmpint(tsr_holder_session_establish(f->holder, est, est_len, &request,
	    &request_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_respond(f->holder, empty_response,
	    sizeof(empty_response), true, &msg, &msg_len), ==, TSR_OK);
	/* data and status 20 in one message */
	g_assert_cmpint(tsr_reader_session_receive(f->reader, msg, msg_len, &response,
	    &response_len, &ended), ==, TSR_OK);
	g_assert_true(ended);
	g_assert_cmpmem(response, response_len, empty_response, sizeof(empty_response));
	g_assert_cmpint(tsr_holder_session_respond(f->holder, empty_response,
	    sizeof(empty_response), false, &msg, &msg_len), ==, TSR_ERR_SESSION_STATE);
	tsr_free(est);
	tsr_free(request);
	tsr_free(msg);
	tsr_free(response);
}

/* The reader's age-over-18 request, answered by the holder and read by the
 * reader: returns the holder's SessionData (tsr_free()). */
static uint8_t *
first_exchange(fixture_t *f, size_t *ret_len)
{
	uint8_t *est, *data, *response = NULL;
	size_t est_len = 0, response_len = 0;

	est = reader_establish(f, "age-over-18", &est_len);
	data = holder_answer(f, est, est_len, ret_len);
	g_assert_cmpint(tsr_reader_session_receive(f->reader, data, *ret_len, &response,
	    &response_len, NULL), ==, TSR_OK);
	tsr_free(response);
	tsr_free(est);
	return data;
}

/* Between requests the holder ends the session: the reader reads that
 * status; a response nobody asked for ends the session as out of order. */
static void
holder_ends_between_requests(fixture_t *f, gconstpointer user)
{
	uint8_t *data, *response = NULL, *end = NULL, *req2 = NULL;
	size_t data_len = 0, response_len = 0, end_len = 0, req2_len = 0;

	(void)user;
	data = first_exchange(f, &data_len);
	g_assert_cmpint(tsr_holder_session_error(f->holder, TSR_SESSION_STATUS_TERMINATION, &end,
	    &end_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_receive(f->reader, end, end_len, &response,
	    &response_len, NULL), ==, TSR_ERR_SESSION_TERMINATED);
	g_assert_null(response);
	g_assert_cmpint(tsr_reader_session_request(f->reader, (const uint8_t *)"\xa0", 1, &req2,
	    &req2_len), ==, TSR_ERR_SESSION_STATE);
	tsr_free(end);
	tsr_free(data);

	/* A fresh session: the first response arrives a second time while no
	 * request is out. */
	fixture_tear_down(f, NULL);
	fixture_set_up(f, NULL);
	data = first_exchange(f, &data_len);
	g_assert_cmpint(tsr_reader_session_receive(f->reader, data, data_len, &response,
	    &response_len, NULL), ==, TSR_ERR_SESSION_STATE);
	g_assert_null(response);
	g_assert_cmpint(tsr_reader_session_request(f->reader, (const uint8_t *)"\xa0", 1, &req2,
	    &req2_len), ==, TSR_ERR_SESSION_STATE);
	tsr_free(data);
}

static void
tampered_ciphertext(fixture_t *f, gconstpointer user)
{
	uint8_t *est, *request = NULL, *err = NULL, *response = NULL;
	size_t est_len = 0, request_len = 0, err_len = 0, response_len = 0;

	(void)user;
	est = reader_establish(f, "age-over-18", &est_len);
	est[est_len - 1] ^= 0x01; /* the last byte of the GCM tag */
	g_assert_cmpint(tsr_holder_session_establish(f->holder, est, est_len, &request,
	    &request_len), ==, TSR_ERR_CRYPTO_DECRYPT);
	/* No second chance with the same engagement. */
	est[est_len - 1] ^= 0x01;
	g_assert_cmpint(tsr_holder_session_establish(f->holder, est, est_len, &request,
	    &request_len), ==, TSR_ERR_SESSION_STATE);
	g_assert_cmpint(tsr_holder_session_error(f->holder, TSR_SESSION_STATUS_ENCRYPTION_ERROR,
	    &err, &err_len), ==, TSR_OK);
	tsr_test_assert_hex(err, err_len, "a1667374617475730a");
	g_assert_cmpint(tsr_reader_session_receive(f->reader, err, err_len, &response,
	    &response_len, NULL), ==, TSR_ERR_SESSION_PEER_ERROR);
	tsr_free(est);
	tsr_free(err);
}

static void
replayed_response(fixture_t *f, gconstpointer user)
{
	uint8_t *data, *again = NULL, *req2 = NULL;
	size_t data_len = 0, again_len = 0, req2_len = 0;

	(void)user;
	data = first_exchange(f, &data_len);
	/* A second request, answered by the replay of the first response:
	 * counter 2 is expected, the replay carries counter 1. */
	g_assert_cmpint(tsr_reader_session_request(f->reader, (const uint8_t *)"\xa0", 1, &req2,
	    &req2_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_receive(f->reader, data, data_len, &again, &again_len,
	    NULL), ==, TSR_ERR_CRYPTO_DECRYPT);
	tsr_free(data);
	tsr_free(req2);
}

static void
out_of_order_calls(fixture_t *f, gconstpointer user)
{
	uint8_t *msg = NULL, *out = NULL;
	size_t msg_len = 0, out_len = 0;
	const uint8_t *st = NULL;
	size_t st_len = 0;

	(void)user;
	g_assert_cmpint(tsr_holder_session_transcript(f->holder, &st, &st_len), ==,
	    TSR_ERR_SESSION_STATE);
	g_assert_cmpint(tsr_holder_session_respond(f->holder, (const uint8_t *)"\xa0", 1, false,
	    &msg, &msg_len), ==, TSR_ERR_SESSION_STATE);
	g_assert_cmpint(tsr_reader_session_receive(f->reader, (const uint8_t *)"\xa0", 1, &out,
	    &out_len, NULL), ==, TSR_ERR_SESSION_STATE);
	g_assert_cmpint(tsr_reader_session_request(f->reader, (const uint8_t *)"\xa0", 1, &msg,
	    &msg_len), ==, TSR_ERR_SESSION_STATE);
	g_assert_cmpint(tsr_holder_session_error(f->holder, 42, &msg, &msg_len), ==,
	    TSR_ERR_INVALID_ARGUMENT);
}

static void
junk_engagement_uri(void)
{
	static const char *const bad[] = { "", "mdoc:", "mdoc:AAAA", "http://x", "mdoc:%%%" };
	tsr_reader_session_t *r = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(tsr_reader_session_new(bad[i], &r), !=, TSR_OK);
}

static void
valid_ble_offer(void)
{
	tsr_engagement_ble_t ble = { .peripheral_server = true, .central_client = true,
		.has_psm = true, .psm = 0x81 }, seen;
	tsr_holder_session_t *h = NULL;
	tsr_reader_session_t *r = NULL;
	char *uri = NULL;

	memset(ble.uuid, 0xab, sizeof(ble.uuid));
	g_assert_cmpint(tsr_holder_session_new(&ble, &h), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_qr_uri(h, &uri), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_new(uri, &r), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_ble(r, &seen), ==, TSR_OK);
	g_assert_true(seen.peripheral_server && seen.central_client && seen.has_psm);
	g_assert_cmpuint(seen.psm, ==, 0x81);
	g_assert_cmpmem(seen.uuid, 16, ble.uuid, 16);
	tsr_free(uri);
	tsr_reader_session_free(r);
	tsr_holder_session_free(h);
	/* Without a PSM the engagement has no key 21, as before. */
	ble.has_psm = false;
	g_assert_cmpint(tsr_holder_session_new(&ble, &h), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_qr_uri(h, &uri), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_new(uri, &r), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_ble(r, &seen), ==, TSR_OK);
	g_assert_false(seen.has_psm);
	g_assert_cmpuint(seen.psm, ==, 0);
	tsr_free(uri);
	tsr_reader_session_free(r);
	tsr_holder_session_free(h);
}

/* Key 21 names the holder's PSM in peripheral server mode only, and an LE
 * SPSM (0x0001..0x00ff): the holder offers nothing else. */
static void
junk_ble_psm_offer(void)
{
	static const struct {
		bool peripheral;
		uint16_t psm;
	} bad[] = { { true, 0 }, { true, 0x0100 }, { true, 0xffff }, { false, 0x0080 } };
	tsr_engagement_ble_t ble;
	tsr_holder_session_t *h = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		memset(&ble, 0, sizeof(ble));
		ble.peripheral_server = bad[i].peripheral;
		ble.central_client = !bad[i].peripheral;
		ble.has_psm = true;
		ble.psm = bad[i].psm;
		g_assert_cmpint(tsr_holder_session_new(&ble, &h), ==, TSR_ERR_INVALID_ARGUMENT);
		g_assert_null(h);
	}
	memset(&ble, 0, sizeof(ble));
	ble.peripheral_server = true;
	ble.has_psm = true;
	ble.psm = TSR_BLE_PSM_MAX;
	g_assert_cmpint(tsr_holder_session_new(&ble, &h), ==, TSR_OK);
	tsr_holder_session_free(h);
}

#define ADD(path, fn) \
	g_test_add(path, fixture_t, NULL, fixture_set_up, fn, fixture_tear_down)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/session/flow/valid_session", valid_session);
	ADD("/session/flow/holder_terminates", holder_terminates);
	ADD("/session/flow/holder_ends_between_requests", holder_ends_between_requests);
	ADD("/session/flow/tampered_ciphertext", tampered_ciphertext);
	ADD("/session/flow/replayed_response", replayed_response);
	ADD("/session/flow/out_of_order_calls", out_of_order_calls);
	g_test_add_func("/session/flow/junk_engagement_uri", junk_engagement_uri);
	g_test_add_func("/session/flow/valid_ble_offer", valid_ble_offer);
	g_test_add_func("/session/flow/junk_ble_psm_offer", junk_ble_psm_offer);
	return g_test_run();
}
