/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Session establishment and encryption on the Annex D session. */

#include <string.h>

#include <tessera/tessera.h>

#include "session/session.h"
#include "test-support.h"

typedef struct fixture {
	uint8_t *establishment, *data_msg, *termination, *request, *response, *transcript;
	size_t establishment_len, data_msg_len, termination_len, request_len, response_len,
	    transcript_len;
	tsr_transcript_t st;
} fixture_t;

static void
fixture_set_up(fixture_t *f, gconstpointer user)
{
	(void)user;
	f->establishment = tsr_test_load("annex-d/session_establishment.cbor",
	    &f->establishment_len);
	f->data_msg = tsr_test_load("annex-d/session_data.cbor", &f->data_msg_len);
	f->termination = tsr_test_load("annex-d/session_termination.cbor", &f->termination_len);
	f->request = tsr_test_load("annex-d/device_request.cbor", &f->request_len);
	f->response = tsr_test_load("annex-d/device_response.cbor", &f->response_len);
	f->transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &f->transcript_len);
	g_assert_cmpint(tsr_transcript_decode(f->transcript, f->transcript_len, &f->st), ==,
	    TSR_OK);
}

static void
fixture_tear_down(fixture_t *f, gconstpointer user)
{
	(void)user;
	tsr_transcript_clear(&f->st);
	g_free(f->establishment);
	g_free(f->data_msg);
	g_free(f->termination);
	g_free(f->request);
	g_free(f->response);
	g_free(f->transcript);
}

/* Z from one side's private key (a PEM vector) and the other's public key. */
static void
shared_secret(const char *private_pem, const tsr_ec_pub_t *peer, uint8_t z[32])
{
	g_autofree uint8_t *pem = NULL;
	size_t pem_len = 0, z_len = 0;
	tsr_ec_key_t *key = NULL;

	pem = tsr_test_load(private_pem, &pem_len);
	g_assert_cmpint(tsr_ec_key_parse(pem, pem_len, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdh(key, peer, z, &z_len), ==, TSR_OK);
	g_assert_cmpuint(z_len, ==, 32);
	tsr_ec_key_free(key);
}

static void
valid_mdoc_side(fixture_t *f, gconstpointer user)
{
	tsr_session_establishment_t se;
	tsr_session_t s;
	uint8_t z[32], *pt = NULL, *ct = NULL, *msg = NULL;
	size_t pt_len = 0, ct_len = 0, msg_len = 0;
	g_autofree char *sk_reader = NULL;

	(void)user;
	g_assert_cmpint(tsr_session_establishment_decode(f->establishment, f->establishment_len,
	    &se), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&se.e_reader_key, &f->st.e_reader_pub));
	shared_secret("annex-d/ephemeral_device_key.pem", &se.e_reader_key, z);
	g_assert_cmpint(tsr_session_init(&s, TSR_SESSION_MDOC, z, sizeof(z), &f->st), ==, TSR_OK);
	sk_reader = tsr_test_json_string("annex-d/session_secrets.json", NULL, "sk_reader");
	tsr_test_assert_hex(s.sk_reader, 32, sk_reader);

	g_assert_cmpint(tsr_session_decrypt(&s, se.data.ptr, se.data.len, &pt, &pt_len), ==,
	    TSR_OK);
	g_assert_cmpmem(pt, pt_len, f->request, f->request_len);
	free(pt);
	/* The same message again is a replay: counter 2 expected now. */
	g_assert_cmpint(tsr_session_decrypt(&s, se.data.ptr, se.data.len, &pt, &pt_len), ==,
	    TSR_ERR_CRYPTO_DECRYPT);

	/* The response, encrypted with SKDevice and counter 1, is SessionData. */
	g_assert_cmpint(tsr_session_encrypt(&s, f->response, f->response_len, &ct, &ct_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_session_data_encode(ct, ct_len, -1, &msg, &msg_len), ==, TSR_OK);
	g_assert_cmpmem(msg, msg_len, f->data_msg, f->data_msg_len);
	free(ct);
	free(msg);
	tsr_session_clear(&s);
	tsr_session_establishment_clear(&se);
}

static void
valid_reader_side(fixture_t *f, gconstpointer user)
{
	tsr_session_establishment_t se;
	tsr_session_data_t sd;
	tsr_session_t s;
	uint8_t z[32], *ct = NULL, *pt = NULL, *msg = NULL;
	size_t ct_len = 0, pt_len = 0, msg_len = 0;
	tsr_ec_key_t *device = NULL;
	tsr_ec_pub_t device_pub;
	g_autofree uint8_t *pem = NULL;
	size_t pem_len = 0;

	(void)user;
	pem = tsr_test_load("annex-d/ephemeral_device_key.pem", &pem_len);
	g_assert_cmpint(tsr_ec_key_parse(pem, pem_len, &device), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(device, &device_pub), ==, TSR_OK);
	shared_secret("annex-d/ephemeral_reader_key.pem", &device_pub, z);
	g_assert_cmpint(tsr_session_init(&s, TSR_SESSION_READER, z, sizeof(z), &f->st), ==,
	    TSR_OK);

	/* Encrypting the request gives the SessionEstablishment of Annex D. */
	g_assert_cmpint(tsr_session_establishment_decode(f->establishment, f->establishment_len,
	    &se), ==, TSR_OK);
	g_assert_cmpint(tsr_session_encrypt(&s, f->request, f->request_len, &ct, &ct_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_session_establishment_encode(se.e_reader_key_bytes, ct, ct_len, &msg,
	    &msg_len), ==, TSR_OK);
	g_assert_cmpmem(msg, msg_len, f->establishment, f->establishment_len);
	free(ct);
	free(msg);

	g_assert_cmpint(tsr_session_data_decode(f->data_msg, f->data_msg_len, &sd), ==, TSR_OK);
	g_assert_true(sd.has_data);
	g_assert_false(sd.has_status);
	g_assert_cmpint(tsr_session_decrypt(&s, sd.data.ptr, sd.data.len, &pt, &pt_len), ==,
	    TSR_OK);
	g_assert_cmpmem(pt, pt_len, f->response, f->response_len);
	free(pt);
	tsr_session_data_clear(&sd);
	tsr_session_establishment_clear(&se);
	tsr_session_clear(&s);
	tsr_ec_key_free(device);
}

static void
valid_termination(fixture_t *f, gconstpointer user)
{
	tsr_session_data_t sd;
	uint8_t *msg = NULL;
	size_t msg_len = 0;

	(void)user;
	g_assert_cmpint(tsr_session_data_decode(f->termination, f->termination_len, &sd), ==,
	    TSR_OK);
	g_assert_false(sd.has_data);
	g_assert_true(sd.has_status);
	g_assert_cmpuint(sd.status, ==, TSR_SESSION_STATUS_TERMINATION);
	g_assert_cmpint(tsr_session_data_encode(NULL, 0, TSR_SESSION_STATUS_TERMINATION, &msg,
	    &msg_len), ==, TSR_OK);
	g_assert_cmpmem(msg, msg_len, f->termination, f->termination_len);
	free(msg);
	tsr_session_data_clear(&sd);
}

static void
reordered_messages(fixture_t *f, gconstpointer user)
{
	static const uint8_t one[] = "first", two[] = "second";
	uint8_t z[32], *c1 = NULL, *c2 = NULL, *pt = NULL;
	size_t c1_len = 0, c2_len = 0, pt_len = 0;
	tsr_session_t reader, mdoc;

	(void)user;
	memset(z, 7, sizeof(z));
	g_assert_cmpint(tsr_session_init(&reader, TSR_SESSION_READER, z, 32, &f->st), ==, TSR_OK);
	g_assert_cmpint(tsr_session_init(&mdoc, TSR_SESSION_MDOC, z, 32, &f->st), ==, TSR_OK);
	g_assert_cmpint(tsr_session_encrypt(&reader, one, sizeof(one), &c1, &c1_len), ==, TSR_OK);
	g_assert_cmpint(tsr_session_encrypt(&reader, two, sizeof(two), &c2, &c2_len), ==, TSR_OK);
	/* The second message first: refused. */
	g_assert_cmpint(tsr_session_decrypt(&mdoc, c2, c2_len, &pt, &pt_len), ==,
	    TSR_ERR_CRYPTO_DECRYPT);
	g_assert_cmpint(tsr_session_decrypt(&mdoc, c1, c1_len, &pt, &pt_len), ==, TSR_OK);
	free(pt);
	/* A message may not come back in the other direction either. */
	g_assert_cmpint(tsr_session_decrypt(&reader, c2, c2_len, &pt, &pt_len), ==,
	    TSR_ERR_CRYPTO_DECRYPT);
	/* Too short to hold a tag. */
	g_assert_cmpint(tsr_session_decrypt(&mdoc, c2, 15, &pt, &pt_len), ==,
	    TSR_ERR_CRYPTO_DECRYPT);
	free(c1);
	free(c2);
	tsr_session_clear(&reader);
	tsr_session_clear(&mdoc);
}

/* The counters are 32 bits (§9.1.1.5) and an IV must never repeat under one
 * key: the last counter, 2^32 - 1, still works; after it both directions
 * refuse instead of wrapping to 0. */
static void
counter_overflow(fixture_t *f, gconstpointer user)
{
	static const uint8_t msg[] = "last";
	uint8_t z[32], *ct = NULL, *pt = NULL;
	size_t ct_len = 0, pt_len = 0;
	tsr_session_t reader, mdoc;

	(void)user;
	memset(z, 9, sizeof(z));
	g_assert_cmpint(tsr_session_init(&reader, TSR_SESSION_READER, z, 32, &f->st), ==, TSR_OK);
	g_assert_cmpint(tsr_session_init(&mdoc, TSR_SESSION_MDOC, z, 32, &f->st), ==, TSR_OK);
	mdoc.send_counter = UINT32_MAX;
	reader.recv_counter = UINT32_MAX;

	g_assert_cmpint(tsr_session_encrypt(&mdoc, msg, sizeof(msg), &ct, &ct_len), ==, TSR_OK);
	/* The reader only opens it with IV counter ff ff ff ff. */
	g_assert_cmpint(tsr_session_decrypt(&reader, ct, ct_len, &pt, &pt_len), ==, TSR_OK);
	g_assert_cmpmem(pt, pt_len, msg, sizeof(msg));
	free(pt);

	/* Exhausted: the counter wrapped to 0, which marks the end; going on would
	 * reuse counter 1's IV. */
	g_assert_cmpuint(mdoc.send_counter, ==, 0);
	g_assert_cmpint(tsr_session_encrypt(&mdoc, msg, sizeof(msg), &pt, &pt_len), ==,
	    TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_session_decrypt(&reader, ct, ct_len, &pt, &pt_len), ==,
	    TSR_ERR_LIMIT);
	/* Still refused on a second try: the state does not move once exhausted. */
	g_assert_cmpint(tsr_session_encrypt(&mdoc, msg, sizeof(msg), &pt, &pt_len), ==,
	    TSR_ERR_LIMIT);
	g_assert_cmpuint(mdoc.send_counter, ==, 0);
	g_assert_cmpuint(reader.recv_counter, ==, 0);
	free(ct);
	tsr_session_clear(&reader);
	tsr_session_clear(&mdoc);
}

static void
junk_messages(void)
{
	static const char *const bad[] = {
		"a0",                                   /* neither data nor status */
		"a1646461746101",                       /* data not a bstr */
		"a166737461747573f5",                   /* status not a uint */
		"a26464617461406565787472610a",         /* unknown key */
	};
	tsr_session_data_t sd;
	tsr_session_establishment_t se;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		size_t len = 0;
		g_autofree uint8_t *b = tsr_test_hex(bad[i], &len);
		g_assert_cmpint(tsr_session_data_decode(b, len, &sd), ==, TSR_ERR_MDOC_MALFORMED);
		g_assert_cmpint(tsr_session_establishment_decode(b, len, &se), !=, TSR_OK);
	}
}

#define ADD(path, fn) \
	g_test_add(path, fixture_t, NULL, fixture_set_up, fn, fixture_tear_down)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/session/valid_mdoc_side_annex_d", valid_mdoc_side);
	ADD("/session/valid_reader_side_annex_d", valid_reader_side);
	ADD("/session/valid_termination_annex_d", valid_termination);
	ADD("/session/reordered_messages", reordered_messages);
	ADD("/session/counter_overflow", counter_overflow);
	g_test_add_func("/session/junk_messages", junk_messages);
	return g_test_run();
}
