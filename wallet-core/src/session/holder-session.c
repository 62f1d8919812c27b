/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The holder's side of a proximity session (§9.1.1), without I/O. */

#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "engagement/engagement.h"
#include "session/session.h"

/* QR engagement: the handover of the transcript is null. */
static const uint8_t qr_handover[] = { 0xf6 };

enum holder_state {
	HOLDER_ENGAGED,     /* engagement shown, waiting for SessionEstablishment */
	HOLDER_ESTABLISHED, /* keys derived; requests and responses may flow */
	HOLDER_FAILED,      /* a message failed; only an error status may follow */
	HOLDER_ENDED,
};

struct tsr_holder_session {
	enum holder_state state;
	tsr_ec_key_t *e_device_key;
	uint8_t *engagement;
	size_t engagement_len;
	uint8_t *transcript;
	size_t transcript_len;
	tsr_transcript_t st;
	tsr_session_t keys;
};

int
tsr_holder_session_new(const tsr_engagement_ble_t *ble, tsr_holder_session_t **ret_session)
{
	tsr_holder_session_t *s;
	tsr_ble_options_t options;
	tsr_ec_pub_t pub;
	int r;

	if (ret_session == NULL ||
	    (ble != NULL && !ble->peripheral_server && !ble->central_client) ||
	    (ble != NULL && ble->has_psm && (!ble->peripheral_server ||
	    ble->psm < TSR_BLE_PSM_MIN || ble->psm > TSR_BLE_PSM_MAX)))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return TSR_ERR_NO_MEMORY;
	memset(&options, 0, sizeof(options));
	if (ble != NULL) {
		options.peripheral_server = ble->peripheral_server;
		options.central_client = ble->central_client;
		/* 18013-5 lets one UUID serve both modes. */
		options.has_peripheral_uuid = ble->peripheral_server;
		options.has_central_uuid = ble->central_client;
		memcpy(options.peripheral_uuid, ble->uuid, 16);
		memcpy(options.central_uuid, ble->uuid, 16);
		options.has_psm = ble->has_psm;
		options.psm = ble->psm;
	}
	if ((r = tsr_ec_key_generate(TSR_CURVE_P256, &s->e_device_key)) != TSR_OK ||
	    (r = tsr_ec_key_public(s->e_device_key, &pub)) != TSR_OK ||
	    (r = tsr_engagement_build(&pub, ble != NULL ? &options : NULL, &s->engagement,
	    &s->engagement_len)) != TSR_OK) {
		tsr_holder_session_free(s);
		return r;
	}
	s->state = HOLDER_ENGAGED;
	*ret_session = s;
	return TSR_OK;
}

void
tsr_holder_session_free(tsr_holder_session_t *s)
{
	if (s == NULL)
		return;
	tsr_ec_key_free(s->e_device_key);
	free(s->engagement);
	free(s->transcript);
	tsr_transcript_clear(&s->st);
	tsr_session_clear(&s->keys);
	free(s);
}

void
tsr_holder_session_engagement(const tsr_holder_session_t *s, const uint8_t **ret_ptr,
    size_t *ret_len)
{
	*ret_ptr = s->engagement;
	*ret_len = s->engagement_len;
}

int
tsr_holder_session_qr_uri(const tsr_holder_session_t *s, char **ret_uri)
{
	if (s == NULL || ret_uri == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	return tsr_engagement_to_qr_uri(s->engagement, s->engagement_len, ret_uri);
}

/* Derives the keys from the reader's EReaderKey (§9.1.1.5). */
static int
derive(tsr_holder_session_t *s, const tsr_session_establishment_t *se)
{
	uint8_t z[TSR_EC_COORD_MAX];
	size_t z_len = 0;
	int r;

	/* EReaderKey must be on EDeviceKey's curve (§9.1.1.4). */
	if (se->e_reader_key.curve != TSR_CURVE_P256)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if ((r = tsr_session_transcript_build(s->engagement, s->engagement_len,
	    se->e_reader_key_bytes, (tsr_span_t){ qr_handover, sizeof(qr_handover) },
	    &s->transcript, &s->transcript_len)) != TSR_OK ||
	    (r = tsr_transcript_decode(s->transcript, s->transcript_len, &s->st)) != TSR_OK ||
	    (r = tsr_ecdh(s->e_device_key, &se->e_reader_key, z, &z_len)) != TSR_OK)
		goto out;
	r = tsr_session_init(&s->keys, TSR_SESSION_MDOC, z, z_len, &s->st);
out:
	tsr_zeroize(z, sizeof(z));
	return r;
}

int
tsr_holder_session_establish(tsr_holder_session_t *s, const uint8_t *msg, size_t len,
    uint8_t **ret_request, size_t *ret_request_len)
{
	tsr_session_establishment_t se;
	int r;

	if (s == NULL || msg == NULL || ret_request == NULL || ret_request_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->state != HOLDER_ENGAGED)
		return TSR_ERR_SESSION_STATE;
	/* Whatever happens next, this engagement has been used. */
	s->state = HOLDER_FAILED;
	if ((r = tsr_session_establishment_decode(msg, len, &se)) != TSR_OK)
		return r;
	if ((r = derive(s, &se)) == TSR_OK &&
	    (r = tsr_session_decrypt(&s->keys, se.data.ptr, se.data.len, ret_request,
	    ret_request_len)) == TSR_OK)
		s->state = HOLDER_ESTABLISHED;
	tsr_session_establishment_clear(&se);
	return r;
}

int
tsr_holder_session_transcript(const tsr_holder_session_t *s, const uint8_t **ret_ptr,
    size_t *ret_len)
{
	if (s == NULL || ret_ptr == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->transcript == NULL)
		return TSR_ERR_SESSION_STATE;
	*ret_ptr = s->transcript;
	*ret_len = s->transcript_len;
	return TSR_OK;
}

int
tsr_holder_session_respond(tsr_holder_session_t *s, const uint8_t *response, size_t len,
    bool terminate, uint8_t **ret_msg, size_t *ret_len)
{
	uint8_t *ct = NULL;
	size_t ct_len = 0;
	int r;

	if (s == NULL || response == NULL || ret_msg == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->state != HOLDER_ESTABLISHED)
		return TSR_ERR_SESSION_STATE;
	if ((r = tsr_session_encrypt(&s->keys, response, len, &ct, &ct_len)) != TSR_OK)
		return r;
	r = tsr_session_data_encode(ct, ct_len, terminate ? TSR_SESSION_STATUS_TERMINATION : -1,
	    ret_msg, ret_len);
	free(ct);
	if (r == TSR_OK && terminate)
		s->state = HOLDER_ENDED;
	return r;
}

int
tsr_holder_session_receive(tsr_holder_session_t *s, const uint8_t *msg, size_t len,
    uint8_t **ret_request, size_t *ret_request_len)
{
	tsr_session_data_t sd;
	int r = TSR_ERR_INTERNAL;

	if (s == NULL || msg == NULL || ret_request == NULL || ret_request_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->state != HOLDER_ESTABLISHED)
		return TSR_ERR_SESSION_STATE;
	if ((r = tsr_session_data_decode(msg, len, &sd)) != TSR_OK) {
		s->state = HOLDER_FAILED;
		return r;
	}
	if (sd.has_data) {
		r = tsr_session_decrypt(&s->keys, sd.data.ptr, sd.data.len, ret_request,
		    ret_request_len);
		if (r != TSR_OK)
			s->state = HOLDER_FAILED;
	} else {
		r = sd.status == TSR_SESSION_STATUS_TERMINATION ? TSR_ERR_SESSION_TERMINATED :
		    TSR_ERR_SESSION_PEER_ERROR;
		s->state = HOLDER_ENDED;
	}
	tsr_session_data_clear(&sd);
	return r;
}

int
tsr_holder_session_error(tsr_holder_session_t *s, int status, uint8_t **ret_msg,
    size_t *ret_len)
{
	if (s == NULL || ret_msg == NULL || ret_len == NULL ||
	    (status != TSR_SESSION_STATUS_ENCRYPTION_ERROR &&
	    status != TSR_SESSION_STATUS_DECODING_ERROR &&
	    status != TSR_SESSION_STATUS_TERMINATION))
		return TSR_ERR_INVALID_ARGUMENT;
	if (s->state == HOLDER_ENDED)
		return TSR_ERR_SESSION_STATE;
	s->state = HOLDER_ENDED;
	return tsr_session_data_encode(NULL, 0, status, ret_msg, ret_len);
}

const tsr_session_t *
tsr_holder_session_keys(const tsr_holder_session_t *s)
{
	return s != NULL ? &s->keys : NULL;
}

const tsr_ec_key_t *
tsr_holder_session_key(const tsr_holder_session_t *s)
{
	return s != NULL ? s->e_device_key : NULL;
}
