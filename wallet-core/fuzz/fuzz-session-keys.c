/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Session messages with REAL session keys, so that inputs get past AES-GCM
 * and reach the parsing of what they carry.
 *
 * Set-up (once): a deterministic random source (tsr_random_set), a holder
 * session (QR engagement), a reader session from its "mdoc:" URI, and the
 * Annex D DeviceRequest sent through tsr_reader_session_establish() and
 * taken by tsr_holder_session_establish(): both sides are established with
 * SKReader/SKDevice derived by the library itself. The holder answers with
 * the Annex D credential (deviceMac) and the reader takes the answer, so
 * the reader can be sent another request.
 *
 * The first input byte picks what the rest is (modulo 4):
 *   0  a SessionEstablishment for a fresh holder session. The random source
 *      is rewound first, so that session has the same EDeviceKey and
 *      engagement as the set-up's: the seed (the set-up's real message)
 *      decrypts, and the DeviceRequest is analysed and answered.
 *   1  a SessionData, decoded and decrypted as the holder receives it (next
 *      request, SKReader, counter 2) and as the reader receives it (the
 *      response, SKDevice, counter 1), on copies of the established keys;
 *      what decrypts goes to the presentation or the verifier.
 *   2  a DeviceRequest in plaintext: encrypted under SKReader as the reader
 *      would, put into SessionData and given to tsr_holder_session_receive()
 *      of the established holder; the request is analysed and answered, the
 *      answer encrypted by tsr_holder_session_respond() and taken by
 *      tsr_reader_session_receive(), then verified.
 *   3  a DeviceResponse in plaintext: encrypted under SKDevice as the holder
 *      would and given to tsr_reader_session_receive(), then verified
 *      (tsr_reader_session_prepare_verifier(): MAC device authentication
 *      against this session's transcript and EReaderKey).
 * Modes 2 and 3 restore the counters of the established sessions after
 * each input (through the secret-scan accessors), so an input always meets
 * the same state. A session that failed anyway is rebuilt.
 *
 * Seeds: run the harness (libFuzzer or replay build) with
 * TSR_FUZZ_WRITE_SEEDS=<dir> and it writes the set-up's real messages
 * there (mode byte first); see data/README.
 */

#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "session/session.h"

#define ANNEX_D_TIME 1609459200 /* 2021-01-01T00:00:00Z, inside the MSO's validity */

#define HOLDER_SEED 0x7465737365726168ull
#define READER_SEED 0x7265616465727373ull

/* xorshift64*: the same stream from the same seed, in every build (never
 * seeded with 0, which it would repeat for ever). */
static uint64_t rng_state = HOLDER_SEED;

static uint8_t *issuer_signed, *device_key_pem, *iaca, *reader_root, *annex_request;
static size_t issuer_signed_len, device_key_pem_len, iaca_len, reader_root_len,
    annex_request_len;
static tsr_device_key_t *device_key;

static tsr_holder_session_t *holder;
static tsr_reader_session_t *reader;
static tsr_session_t holder_keys, reader_keys; /* as established */
static uint8_t *establishment;                 /* the reader's, as sent */
static size_t establishment_len;
static const char *seed_dir;

static void
write_seed(const char *name, uint8_t mode, const uint8_t *msg, size_t len)
{
	char path[4096];
	FILE *f;

	if (seed_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(&mode, 1, 1, f) != 1 ||
	    fwrite(msg, 1, len, f) != len || fclose(f) != 0)
		abort();
}

static tsr_holder_session_t *
new_holder(void)
{
	tsr_holder_session_t *h = NULL;

	rng_state = HOLDER_SEED;
	if (tsr_holder_session_new(NULL, &h) != TSR_OK)
		abort();
	return h;
}

/* Answers a decrypted DeviceRequest as the wallet does; returns the
 * DeviceResponse (owned) or NULL. */
static uint8_t *
answer(const uint8_t *request, size_t len, const uint8_t *transcript, size_t transcript_len,
    size_t *ret_len)
{
	tsr_presentation_t *p = NULL;
	uint8_t *response = NULL;

	if (tsr_presentation_new(request, len, transcript, transcript_len, &p) != TSR_OK)
		return NULL;
	tsr_presentation_set_time(p, ANNEX_D_TIME);
	if (tsr_presentation_add_reader_root(p, reader_root, reader_root_len) != TSR_OK ||
	    tsr_presentation_add_credential(p, issuer_signed, issuer_signed_len, device_key,
	    "annex-d") != TSR_OK)
		abort();
	if (tsr_presentation_analyze(p) == TSR_OK) {
		for (size_t d = 0; d < tsr_presentation_doc_count(p); d++)
			(void)tsr_presentation_reader_trust(p, d, NULL);
		tsr_presentation_consent_all(p, true);
		if (tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &response, ret_len) != TSR_OK)
			response = NULL;
	}
	tsr_presentation_free(p);
	return response;
}

/* Verifies a decrypted DeviceResponse as the reader app does. */
static void
verify(const uint8_t *response, size_t len)
{
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	int r;

	if (tsr_verifier_new(&v) != TSR_OK || tsr_verifier_add_trust_anchor(v, iaca, iaca_len) !=
	    TSR_OK || tsr_reader_session_prepare_verifier(reader, v) != TSR_OK)
		abort();
	tsr_verifier_set_time(v, ANNEX_D_TIME);
	r = tsr_verifier_verify(v, response, len, &result);
	if ((r == TSR_OK || r == TSR_ERR_VERIFY) && result == NULL)
		abort();
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
}

/* Holder and reader sessions established over the Annex D request, the
 * holder's answer taken by the reader; *_keys keep the counters of that
 * state (holder: send 2, receive 2; reader: send 2, receive 2). */
static void
establish(bool write)
{
	uint8_t *request = NULL, *response = NULL, *msg = NULL, *got = NULL;
	size_t request_len = 0, response_len = 0, msg_len = 0, got_len = 0;
	const uint8_t *transcript;
	size_t transcript_len;
	char *uri = NULL;
	bool ended = false;

	tsr_holder_session_free(holder);
	tsr_reader_session_free(reader);
	free(establishment);
	holder = new_holder();
	rng_state = READER_SEED;
	if (tsr_holder_session_qr_uri(holder, &uri) != TSR_OK ||
	    tsr_reader_session_new(uri, &reader) != TSR_OK ||
	    tsr_reader_session_establish(reader, annex_request, annex_request_len, &establishment,
	    &establishment_len) != TSR_OK ||
	    tsr_holder_session_establish(holder, establishment, establishment_len, &request,
	    &request_len) != TSR_OK ||
	    tsr_holder_session_transcript(holder, &transcript, &transcript_len) != TSR_OK ||
	    (response = answer(request, request_len, transcript, transcript_len,
	    &response_len)) == NULL ||
	    tsr_holder_session_respond(holder, response, response_len, false, &msg, &msg_len) !=
	    TSR_OK)
		abort();
	if (write) {
		write_seed("establishment", 0, establishment, establishment_len);
		write_seed("holder-response-session-data", 1, msg, msg_len);
		write_seed("device-request-plaintext", 2, request, request_len);
		write_seed("device-response-plaintext", 3, response, response_len);
	}
	if (tsr_reader_session_receive(reader, msg, msg_len, &got, &got_len, &ended) != TSR_OK ||
	    ended || got_len != response_len || memcmp(got, response, got_len) != 0)
		abort();
	tsr_free(got);
	tsr_free(msg);
	/* A second request: the reader is waiting again. */
	if (tsr_reader_session_request(reader, annex_request, annex_request_len, &msg,
	    &msg_len) != TSR_OK)
		abort();
	if (write)
		write_seed("reader-request-session-data", 1, msg, msg_len);
	holder_keys = *tsr_holder_session_keys(holder);
	reader_keys = *tsr_reader_session_keys(reader);
	tsr_free(msg);
	tsr_free(request);
	tsr_free(response);
	tsr_free(uri);
}

static void
set_up(void)
{
	tsr_random_set(fuzz_fixed_random, &rng_state);
	issuer_signed = fuzz_load_vector("issuer_signed.cbor", &issuer_signed_len);
	device_key_pem = fuzz_load_vector("static_device_key.pem", &device_key_pem_len);
	iaca = fuzz_load_vector("iaca_cert.pem", &iaca_len);
	reader_root = fuzz_load_vector("reader_root_cert.pem", &reader_root_len);
	annex_request = fuzz_load_vector("device_request.cbor", &annex_request_len);
	if (issuer_signed == NULL || device_key_pem == NULL || iaca == NULL ||
	    reader_root == NULL || annex_request == NULL ||
	    tsr_device_key_new_from_pem(device_key_pem, device_key_pem_len, &device_key) != TSR_OK)
		abort();
	seed_dir = getenv("TSR_FUZZ_WRITE_SEEDS");
	establish(seed_dir != NULL);
}

/* Restores the established counters; the library's accessors are const
 * because only the secret-scan test reads them. */
static void
rewind_sessions(void)
{
	memcpy((void *)(uintptr_t)tsr_holder_session_keys(holder), &holder_keys,
	    sizeof(holder_keys));
	memcpy((void *)(uintptr_t)tsr_reader_session_keys(reader), &reader_keys,
	    sizeof(reader_keys));
}

/* Mode 0. */
static void
fresh_establishment(const uint8_t *data, size_t size)
{
	tsr_session_establishment_t se;
	tsr_holder_session_t *h;
	uint8_t *request = NULL, *response = NULL;
	size_t request_len = 0, response_len = 0;
	const uint8_t *transcript;
	size_t transcript_len;
	int r;

	/* Only a message that decodes costs a key pair and an ECDH. */
	if (tsr_session_establishment_decode(data, size, &se) != TSR_OK)
		return;
	tsr_session_establishment_clear(&se);
	h = new_holder();
	r = tsr_holder_session_establish(h, data, size, &request, &request_len);
	if (r == TSR_OK) {
		if (tsr_holder_session_transcript(h, &transcript, &transcript_len) != TSR_OK)
			abort();
		response = answer(request, request_len, transcript, transcript_len,
		    &response_len);
		tsr_free(request);
		tsr_free(response);
	} else if (tsr_holder_session_establish(h, data, size, &request, &request_len) !=
	    TSR_ERR_SESSION_STATE) {
		abort(); /* a failed engagement must stay used */
	}
	tsr_holder_session_free(h);
}

/* Mode 1. */
static void
raw_session_data(const uint8_t *data, size_t size)
{
	tsr_session_data_t sd;
	tsr_session_t k;
	uint8_t *pt = NULL, *response = NULL;
	size_t pt_len = 0, response_len = 0;
	const uint8_t *transcript;
	size_t transcript_len;

	if (tsr_session_data_decode(data, size, &sd) != TSR_OK)
		return;
	if (!sd.has_data && !sd.has_status)
		abort();
	if (sd.has_data) {
		k = holder_keys;
		if (tsr_session_decrypt(&k, sd.data.ptr, sd.data.len, &pt, &pt_len) == TSR_OK) {
			if (k.recv_counter != holder_keys.recv_counter + 1 ||
			    tsr_holder_session_transcript(holder, &transcript, &transcript_len) !=
			    TSR_OK)
				abort();
			response = answer(pt, pt_len, transcript, transcript_len, &response_len);
			free(pt);
			free(response);
			pt = NULL;
		}
		k = reader_keys;
		k.recv_counter = 1; /* the first response */
		if (tsr_session_decrypt(&k, sd.data.ptr, sd.data.len, &pt, &pt_len) == TSR_OK) {
			verify(pt, pt_len);
			free(pt);
		}
		tsr_session_clear(&k);
	}
	tsr_session_data_clear(&sd);
}

/* Encrypts pt as the peer of *to would, into SessionData. */
static uint8_t *
peer_message(const tsr_session_t *to, tsr_session_role_t peer_role, const uint8_t *pt,
    size_t len, size_t *ret_len)
{
	tsr_session_t k = *to;
	uint8_t *ct = NULL, *msg = NULL;
	size_t ct_len = 0;

	/* The peer's send key is our receive key, at our receive counter. */
	k.role = peer_role;
	k.send_counter = to->recv_counter;
	if (tsr_session_encrypt(&k, pt, len, &ct, &ct_len) != TSR_OK ||
	    tsr_session_data_encode(ct, ct_len, -1, &msg, ret_len) != TSR_OK)
		abort();
	free(ct);
	tsr_session_clear(&k);
	return msg;
}

/* Set when the reader took a response in mode 2 or 3. */
static bool reader_answered;

/* Mode 2. */
static void
request_plaintext(const uint8_t *data, size_t size)
{
	uint8_t *msg, *request = NULL, *response = NULL, *reply = NULL, *got = NULL;
	size_t msg_len = 0, request_len = 0, response_len = 0, reply_len = 0, got_len = 0;
	const uint8_t *transcript;
	size_t transcript_len;
	bool ended = false;

	msg = peer_message(&holder_keys, TSR_SESSION_READER, data, size, &msg_len);
	if (tsr_holder_session_receive(holder, msg, msg_len, &request, &request_len) != TSR_OK ||
	    request_len != size || (size > 0 && memcmp(request, data, size) != 0) ||
	    tsr_holder_session_transcript(holder, &transcript, &transcript_len) != TSR_OK)
		abort();
	if ((response = answer(request, request_len, transcript, transcript_len,
	    &response_len)) != NULL) {
		if (tsr_holder_session_respond(holder, response, response_len, false, &reply,
		    &reply_len) != TSR_OK)
			abort();
		/* The reader's next incoming counter is 2 by now. */
		if (tsr_reader_session_receive(reader, reply, reply_len, &got, &got_len,
		    &ended) != TSR_OK || ended)
			abort();
		reader_answered = true;
		verify(got, got_len);
	}
	tsr_free(msg);
	tsr_free(request);
	tsr_free(response);
	tsr_free(reply);
	tsr_free(got);
}

/* Mode 3. */
static void
response_plaintext(const uint8_t *data, size_t size)
{
	uint8_t *msg, *got = NULL;
	size_t msg_len = 0, got_len = 0;
	bool ended = false;

	msg = peer_message(&reader_keys, TSR_SESSION_MDOC, data, size, &msg_len);
	if (tsr_reader_session_receive(reader, msg, msg_len, &got, &got_len, &ended) != TSR_OK ||
	    ended || got_len != size || (size > 0 && memcmp(got, data, size) != 0))
		abort();
	reader_answered = true;
	verify(got, got_len);
	tsr_free(msg);
	tsr_free(got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg = NULL;
	size_t msg_len = 0;

	if (holder == NULL)
		set_up();
	if (size == 0)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fresh_establishment(data + 1, size - 1);
		break;
	case 1:
		raw_session_data(data + 1, size - 1);
		break;
	case 2:
		request_plaintext(data + 1, size - 1);
		break;
	default:
		response_plaintext(data + 1, size - 1);
		break;
	}
	rewind_sessions();
	/* The reader got an answer: it must be waiting again, which a further
	 * request (discarded) brings about. */
	if (reader_answered) {
		reader_answered = false;
		if (tsr_reader_session_request(reader, annex_request, annex_request_len, &msg,
		    &msg_len) != TSR_OK)
			establish(false);
		tsr_free(msg);
		rewind_sessions();
	}
	return 0;
}
