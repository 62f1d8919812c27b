/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The provisioning (TPM key attestation) messages of attest-msg.c, on both
 * sides:
 * - every decoder (ProvisioningRequest, Challenge, Evidence, the issuer's
 *   pending state), with a re-encoding that must decode to the same fields
 *   and re-encode to itself;
 * - issuer side: tsr_attest_challenge_create() with the input as the
 *   request (the swtpm EK CAs trusted), tsr_attest_evidence_verify() with
 *   the input as the Evidence (against a real pending state) and as the
 *   pending state (against real Evidence);
 * - wallet side: tsr_attest_respond() needs a TPM, so its parsing of the
 *   Challenge is the Challenge decoder above.
 * The fixed messages are a real exchange with swtpm, written by
 * tests/test-attest (data/README).
 */

#include <tessera/tessera.h>

#include "attest/attest-private.h"
#include "fuzz-common.h"

#define NOW ((int64_t)1893456000) /* as test-attest: inside the swtpm certificates */

static uint8_t *pending, *evidence, *ca[2];
static size_t pending_len, evidence_len, ca_len[2];
static uint64_t rng_state = 0x6174746573742121ull;

/* A file of data/attest; a missing one is a broken build, not an input. */
static uint8_t *
load(const char *name, size_t *ret_len)
{
	uint8_t *buf = fuzz_load_file(TSR_FUZZ_DATA_DIR "/attest", name, ret_len);

	if (buf == NULL)
		abort();
	return buf;
}

static void
set_up(void)
{
	tsr_random_set(fuzz_fixed_random, &rng_state);
	pending = load("pending.cbor", &pending_len);
	evidence = load("evidence.cbor", &evidence_len);
	ca[0] = load("ek-ca-issuer.pem", &ca_len[0]);
	ca[1] = load("ek-ca-root.pem", &ca_len[1]);
}

static bool
same(tsr_span_t a, tsr_span_t b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* For each message: decode, encode, decode again (same fields), encode
 * again (same bytes). Inputs whose keys are in RFC 8949 §4.2.1 order
 * re-encode to themselves. */
#define ROUND_TRIP(type, decode, encode, equal)                                       \
	do {                                                                          \
		tsr_cbor_doc_t *d1 = NULL, *d2 = NULL;                                \
		type m1, m2;                                                          \
		uint8_t *e1 = NULL, *e2 = NULL;                                       \
		size_t e1_len = 0, e2_len = 0;                                        \
		if (decode(data, size, &d1, &m1) == TSR_OK) {                         \
			if (encode(&m1, &e1, &e1_len) != TSR_OK ||                    \
			    decode(e1, e1_len, &d2, &m2) != TSR_OK || !(equal) ||     \
			    encode(&m2, &e2, &e2_len) != TSR_OK)                      \
				abort();                                              \
			fuzz_expect_same(e1, e1_len, e2, e2_len);                     \
		}                                                                     \
		free(e1);                                                             \
		free(e2);                                                             \
		tsr_cbor_doc_free(d1);                                                \
		tsr_cbor_doc_free(d2);                                                \
	} while (0)

static bool
request_equal(const tsr_attest_request_t *a, const tsr_attest_request_t *b)
{
	if (!same(a->ek_cert, b->ek_cert) || !same(a->ak_public, b->ak_public) ||
	    a->n_keys != b->n_keys)
		return false;
	for (size_t i = 0; i < a->n_keys; i++) {
		if (!same(a->keys[i], b->keys[i]))
			return false;
	}
	return true;
}

static bool
evidence_equal(const tsr_attest_evidence_t *a, const tsr_attest_evidence_t *b)
{
	if (!same(a->activated_secret, b->activated_secret) || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (!same(a->attest[i], b->attest[i]) || !same(a->signature[i], b->signature[i]))
			return false;
	}
	return true;
}

static void
decoders(const uint8_t *data, size_t size)
{
	ROUND_TRIP(tsr_attest_request_t, tsr_attest_request_decode, tsr_attest_request_encode,
	    request_equal(&m1, &m2));
	ROUND_TRIP(tsr_attest_challenge_t, tsr_attest_challenge_decode,
	    tsr_attest_challenge_encode, same(m1.nonce, m2.nonce) &&
	    same(m1.credential_blob, m2.credential_blob) &&
	    same(m1.encrypted_secret, m2.encrypted_secret));
	ROUND_TRIP(tsr_attest_evidence_t, tsr_attest_evidence_decode, tsr_attest_evidence_encode,
	    evidence_equal(&m1, &m2));
	ROUND_TRIP(tsr_attest_pending_t, tsr_attest_pending_decode, tsr_attest_pending_encode,
	    same(m1.nonce, m2.nonce) && same(m1.secret, m2.secret) &&
	    same(m1.request, m2.request) && m1.not_after == m2.not_after);
}

/* The issuer answers a request. */
static void
challenge(const uint8_t *data, size_t size)
{
	const uint8_t *const cas[2] = { ca[0], ca[1] };
	uint8_t *ch = NULL, *pend = NULL;
	size_t ch_len = 0, pend_len = 0;
	uint32_t flags = 0;
	int r;

	r = tsr_attest_challenge_create(data, size, cas, ca_len, 2, NOW, 600, &ch, &ch_len, &pend,
	    &pend_len, &flags);
	if (r == TSR_OK) {
		tsr_cbor_doc_t *d1 = NULL, *d2 = NULL;
		tsr_attest_challenge_t c;
		tsr_attest_pending_t p;

		/* A challenge is only made for a request it can be checked against. */
		if (flags != 0 || ch == NULL || pend == NULL ||
		    tsr_attest_challenge_decode(ch, ch_len, &d1, &c) != TSR_OK ||
		    tsr_attest_pending_decode(pend, pend_len, &d2, &p) != TSR_OK ||
		    !same(c.nonce, p.nonce) || !same(p.request, (tsr_span_t){ data, size }))
			abort();
		tsr_cbor_doc_free(d1);
		tsr_cbor_doc_free(d2);
		free(ch);
		tsr_free_secret(pend, pend_len);
	} else if (r == TSR_ERR_VERIFY) {
		if (flags == 0 || ch != NULL || pend != NULL)
			abort();
	} else if (ch != NULL || pend != NULL) {
		abort();
	}
}

/* The issuer checks Evidence against its pending state. */
static void
evidence_verify(const uint8_t *pend, size_t pend_len, const uint8_t *ev, size_t ev_len)
{
	tsr_attest_result_t *res = NULL;
	uint32_t flags = 0;
	int r;

	r = tsr_attest_evidence_verify(pend, pend_len, ev, ev_len, NOW, &res, &flags);
	if (r == TSR_OK) {
		const uint8_t *k = NULL;
		size_t k_len = 0;

		if (flags != 0 || res == NULL || tsr_attest_result_key_count(res) == 0)
			abort();
		for (size_t i = 0; i < tsr_attest_result_key_count(res); i++) {
			if (tsr_attest_result_key(res, i, &k, &k_len) != TSR_OK ||
			    !tsr_attest_result_has_key(res, k, k_len))
				abort();
		}
		tsr_attest_result_free(res);
	} else if ((r == TSR_ERR_VERIFY && flags == 0) || res != NULL) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (pending == NULL)
		set_up();
	decoders(data, size);
	challenge(data, size);
	evidence_verify(pending, pending_len, data, size);
	evidence_verify(data, size, evidence, evidence_len);
	return 0;
}
