/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The reader's side of a proximity session (§9.1.1), without I/O. */

#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "cose/cose.h"
#include "engagement/engagement.h"
#include "session/session.h"

static const uint8_t qr_handover[] = { 0xf6 };

enum reader_state {
	READER_NEW,     /* engagement read, nothing sent */
	READER_WAITING, /* a request is out, waiting for SessionData */
	READER_READY,   /* a response came; another request may follow */
	READER_ENDED,
};

struct tsr_reader_session {
	enum reader_state state;
	tsr_engagement_t de;
	uint8_t *engagement;
	size_t engagement_len;
	tsr_ec_key_t *e_reader_key;
	uint8_t *e_reader_key_bytes; /* EReaderKeyBytes, tag 24 */
	size_t e_reader_key_bytes_len;
	uint8_t *transcript;
	size_t transcript_len;
	tsr_transcript_t st;
	tsr_session_t keys;
};

static int
make_reader_key(tsr_reader_session_t *s)
{
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	tsr_ec_pub_t pub;
	tsr_cbor_enc_t enc;
	int r;

	if ((r = tsr_ec_key_generate(TSR_CURVE_P256, &s->e_reader_key)) != TSR_OK ||
	    (r = tsr_ec_key_public(s->e_reader_key, &pub)) != TSR_OK)
		return r;
	tsr_cbor_enc_init(&enc);
	tsr_cose_key_encode(&enc, &pub);
	if ((r = tsr_cbor_enc_finish(&enc, &cose, &cose_len)) != TSR_OK)
		return r;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_embedded(&enc, cose, cose_len);
	free(cose);
	return tsr_cbor_enc_finish(&enc, &s->e_reader_key_bytes, &s->e_reader_key_bytes_len);
}

int
tsr_reader_session_new(const char *qr_uri, tsr_reader_session_t **ret_session)
{
	tsr_reader_session_t *s;
	uint8_t z[TSR_EC_COORD_MAX];
	size_t z_len = 0;
	int r = TSR_ERR_INTERNAL;

	if (qr_uri == NULL || ret_session == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_engagement_from_qr_uri(qr_uri, &s->engagement, &s->engagement_len)) !=
	    TSR_OK ||
	    (r = tsr_engagement_decode(s->engagement, s->engagement_len, &s->de)) != TSR_OK)
		goto fail;
	/* Our ephemeral key must be on the holder's curve; we do P-256. */
	if (s->de.e_device_key.curve != TSR_CURVE_P256) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto fail;
	}
	if ((r = make_reader_key(s)) != TSR_OK ||
	    (r = tsr_session_transcript_build(s->engagement, s->engagement_len,
	    (tsr_span_t){ s->e_reader_key_bytes, s->e_reader_key_bytes_len },
	    (tsr_span_t){ qr_handover, sizeof(qr_handover) }, &s->transcript,
	    &s->transcript_len)) != TSR_OK ||
	    (r = tsr_transcript_decode(s->transcript, s->transcript_len, &s->st)) != TSR_OK ||
	    (r = tsr_ecdh(s->e_reader_key, &s->de.e_device_key, z, &z_len)) != TSR_OK ||
	    (r = tsr_session_init(&s->keys, TSR_SESSION_READER, z, z_len, &s->st)) != TSR_OK)
		goto fail;
	tsr_zeroize(z, sizeof(z));
	s->state = READER_NEW;
	*ret_session = s;
	return TSR_OK;
fail:
	tsr_zeroize(z, sizeof(z));
	tsr_reader_session_free(s);
	return r;
}

void
tsr_reader_session_free(tsr_reader_session_t *s)
{
	if (s == NULL)
		return;
	tsr_engagement_clear(&s->de);
	free(s->engagement);
	tsr_ec_key_free(s->e_reader_key);
	free(s->e_reader_key_bytes);
	free(s->transcript);
	tsr_transcript_clear(&s->st);
	tsr_session_clear(&s->keys);
	free(s);
}

int
tsr_reader_session_ble(const tsr_reader_session_t *s, tsr_engagement_ble_t *ret_ble)
{
	const tsr_ble_options_t *o;

	if (s == NULL || ret_ble == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (!s->de.has_ble)
		return TSR_ERR_NOT_FOUND;
	o = &s->de.ble;
	memset(ret_ble, 0, sizeof(*ret_ble));
	ret_ble->peripheral_server = o->peripheral_server;
	ret_ble->central_client = o->central_client;
	memcpy(ret_ble->uuid, o->has_peripheral_uuid ? o->peripheral_uuid : o->central_uuid, 16);
	ret_ble->has_psm = o->has_psm;
	ret_ble->psm = o->psm;
	return TSR_OK;
}

void
tsr_reader_session_transcript(const tsr_reader_session_t *s, const uint8_t **ret_ptr,
    size_t *ret_len)
{
	*ret_ptr = s->transcript;
	*ret_len = s->transcript_len;
}

int
tsr_reader_session_establish(tsr_reader_session_t *s, const uint8_t *request, size_t len,
    uint8_t **ret_msg, size_t *ret_len)
{
	uint8_t *ct = NULL;
	size_t ct_len = 0;
	int r;

	if (s == NULL || request == NULL || ret_msg == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->state != READER_NEW)
		return TSR_ERR_SESSION_STATE;
	if ((r = tsr_session_encrypt(&s->keys, request, len, &ct, &ct_len)) != TSR_OK)
		return r;
	r = tsr_session_establishment_encode(
	    (tsr_span_t){ s->e_reader_key_bytes, s->e_reader_key_bytes_len }, ct, ct_len, ret_msg,
	    ret_len);
	free(ct);
	if (r == TSR_OK)
		s->state = READER_WAITING;
	return r;
}

int
tsr_reader_session_request(tsr_reader_session_t *s, const uint8_t *request, size_t len,
    uint8_t **ret_msg, size_t *ret_len)
{
	uint8_t *ct = NULL;
	size_t ct_len = 0;
	int r;

	if (s == NULL || request == NULL || ret_msg == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->state != READER_READY)
		return TSR_ERR_SESSION_STATE;
	if ((r = tsr_session_encrypt(&s->keys, request, len, &ct, &ct_len)) != TSR_OK)
		return r;
	r = tsr_session_data_encode(ct, ct_len, -1, ret_msg, ret_len);
	free(ct);
	if (r == TSR_OK)
		s->state = READER_WAITING;
	return r;
}

int
tsr_reader_session_receive(tsr_reader_session_t *s, const uint8_t *msg, size_t len,
    uint8_t **ret_response, size_t *ret_response_len, bool *ret_ended)
{
	tsr_session_data_t sd;
	bool ended, waiting;
	int r = TSR_ERR_INTERNAL;

	if (s == NULL || msg == NULL || ret_response == NULL || ret_response_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* Between requests the holder may end the session (status 20): a
	 * reader that is not waiting for a response still reads that. */
	if (s->state != READER_WAITING && s->state != READER_READY)
		return TSR_ERR_SESSION_STATE;
	waiting = s->state == READER_WAITING;
	/* Any failure ends the session: there is no retry with other counters. */
	s->state = READER_ENDED;
	if ((r = tsr_session_data_decode(msg, len, &sd)) != TSR_OK)
		return r;
	ended = sd.has_status;
	if (sd.has_data && !waiting) {
		/* A response to no request: replayed or out of order. */
		r = TSR_ERR_SESSION_STATE;
	} else if (sd.has_data) {
		if ((r = tsr_session_decrypt(&s->keys, sd.data.ptr, sd.data.len, ret_response,
		    ret_response_len)) == TSR_OK && !ended)
			s->state = READER_READY;
	} else {
		r = sd.status == TSR_SESSION_STATUS_TERMINATION ? TSR_ERR_SESSION_TERMINATED :
		    TSR_ERR_SESSION_PEER_ERROR;
	}
	if (r == TSR_OK && ret_ended != NULL)
		*ret_ended = ended;
	tsr_session_data_clear(&sd);
	return r;
}

int
tsr_reader_session_terminate(tsr_reader_session_t *s, uint8_t **ret_msg, size_t *ret_len)
{
	if (s == NULL || ret_msg == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->state == READER_ENDED)
		return TSR_ERR_SESSION_STATE;
	s->state = READER_ENDED;
	return tsr_session_data_encode(NULL, 0, TSR_SESSION_STATUS_TERMINATION, ret_msg, ret_len);
}

const tsr_ec_key_t *
tsr_reader_session_key(const tsr_reader_session_t *s)
{
	return s->e_reader_key;
}

void
tsr_reader_session_engagement(const tsr_reader_session_t *s, const uint8_t **ret_ptr,
    size_t *ret_len)
{
	*ret_ptr = s->engagement;
	*ret_len = s->engagement_len;
}

const tsr_session_t *
tsr_reader_session_keys(const tsr_reader_session_t *s)
{
	return s != NULL ? &s->keys : NULL;
}
