/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* COSE_Sign1 and COSE_Mac0: decoding, the to-be-signed/MACed structures,
 * verification and creation. */

#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "cose/cose.h"

#define COSE_TAG_MAC0 17
#define COSE_TAG_SIGN1 18

void
tsr_cose_msg_clear(tsr_cose_msg_t *msg)
{
	if (msg == NULL)
		return;
	tsr_x509_free(msg->x5chain);
	tsr_cbor_doc_free(msg->protected_doc);
	memset(msg, 0, sizeof(*msg));
}

static int
read_x5chain(const tsr_cbor_item_t *value, tsr_x509_t **ret_chain)
{
	tsr_x509_t *chain = NULL;
	size_t n = 1;
	int r = TSR_ERR_INTERNAL;

	if (tsr_cbor_is(value, TSR_CBOR_ARRAY))
		n = value->u.list.count;
	else if (!tsr_cbor_is(value, TSR_CBOR_BSTR))
		return TSR_ERR_COSE_MALFORMED;
	if (n == 0)
		return TSR_ERR_COSE_MALFORMED;
	if ((r = tsr_x509_new(&chain)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const tsr_cbor_item_t *cert =
		    value->type == TSR_CBOR_ARRAY ? &value->u.list.items[i] : value;
		if (!tsr_cbor_is(cert, TSR_CBOR_BSTR)) {
			r = TSR_ERR_COSE_MALFORMED;
			goto out;
		}
		/* Exactly one DER certificate per bstr. */
		if ((r = tsr_x509_add(chain, cert->u.str.ptr, cert->u.str.len)) != TSR_OK)
			goto out;
		if (tsr_x509_count(chain) != i + 1) {
			r = TSR_ERR_CERT_PARSE;
			goto out;
		}
	}
	*ret_chain = chain;
	chain = NULL;
	r = TSR_OK;
out:
	tsr_x509_free(chain);
	return r;
}

/* COSE_Sign1 / COSE_Mac0 = [protected: bstr, unprotected: map,
 *                            payload: bstr / nil, signature or tag: bstr] */
static int
decode_msg(const tsr_cbor_item_t *item, uint64_t cose_tag, tsr_cose_msg_t *ret_msg)
{
	const tsr_cbor_item_t *prot, *unprot, *payload, *tag, *x5, *alg;
	const tsr_cbor_item_t *tagged = tsr_cbor_untag(item, cose_tag);
	tsr_cose_msg_t msg;
	int r = TSR_ERR_INTERNAL;

	memset(&msg, 0, sizeof(msg));
	if (tagged != NULL)
		item = tagged;
	if (!tsr_cbor_is(item, TSR_CBOR_ARRAY) || item->u.list.count != 4) {
		r = TSR_ERR_COSE_MALFORMED;
		goto out;
	}
	prot = &item->u.list.items[0];
	unprot = &item->u.list.items[1];
	payload = &item->u.list.items[2];
	tag = &item->u.list.items[3];
	if (!tsr_cbor_is(prot, TSR_CBOR_BSTR) || !tsr_cbor_is(unprot, TSR_CBOR_MAP) ||
	    !tsr_cbor_is(tag, TSR_CBOR_BSTR) ||
	    !(tsr_cbor_is(payload, TSR_CBOR_BSTR) || tsr_cbor_is(payload, TSR_CBOR_NULL))) {
		r = TSR_ERR_COSE_MALFORMED;
		goto out;
	}
	msg.protected_bytes = prot->u.str;
	msg.unprotected = unprot;
	msg.detached = payload->type == TSR_CBOR_NULL;
	if (!msg.detached)
		msg.payload = payload->u.str;
	msg.tag = tag->u.str;

	/* The protected header is a serialized map; RFC 9052 lets an empty
	 * one be a zero-length bstr. */
	if (prot->u.str.len > 0) {
		if ((r = tsr_cbor_decode(prot->u.str.ptr, prot->u.str.len, NULL,
		    &msg.protected_doc)) != TSR_OK)
			goto out;
		if (!tsr_cbor_is(tsr_cbor_doc_root(msg.protected_doc), TSR_CBOR_MAP)) {
			r = TSR_ERR_COSE_MALFORMED;
			goto out;
		}
	}
	alg = tsr_cbor_map_find_int(tsr_cbor_doc_root(msg.protected_doc), TSR_COSE_HDR_ALG);
	/* 18013-5 puts alg in the protected header; an unprotected alg could
	 * be swapped by anyone, so its presence is an error. */
	if (!tsr_cbor_get_int(alg, &msg.alg) ||
	    tsr_cbor_map_find_int(unprot, TSR_COSE_HDR_ALG) != NULL) {
		r = TSR_ERR_COSE_ALG;
		goto out;
	}

	x5 = tsr_cbor_map_find_int(tsr_cbor_doc_root(msg.protected_doc), TSR_COSE_HDR_X5CHAIN);
	if (x5 != NULL && tsr_cbor_map_find_int(unprot, TSR_COSE_HDR_X5CHAIN) != NULL) {
		r = TSR_ERR_COSE_MALFORMED; /* a label may not be in both */
		goto out;
	}
	if (x5 == NULL)
		x5 = tsr_cbor_map_find_int(unprot, TSR_COSE_HDR_X5CHAIN);
	if (x5 != NULL && (r = read_x5chain(x5, &msg.x5chain)) != TSR_OK)
		goto out;

	*ret_msg = msg;
	memset(&msg, 0, sizeof(msg));
	r = TSR_OK;
out:
	tsr_cose_msg_clear(&msg);
	return r;
}

int
tsr_cose_sign1_decode(const tsr_cbor_item_t *item, tsr_cose_msg_t *ret_msg)
{
	return decode_msg(item, COSE_TAG_SIGN1, ret_msg);
}

int
tsr_cose_mac0_decode(const tsr_cbor_item_t *item, tsr_cose_msg_t *ret_msg)
{
	return decode_msg(item, COSE_TAG_MAC0, ret_msg);
}

/* Sig_structure / MAC_structure = [context, body_protected,
 *                                  external_aad (empty), payload] */
static int
to_be_signed(const char *context, tsr_span_t protected_bytes, const uint8_t *payload,
    size_t len, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_tstr(&enc, context);
	tsr_cbor_put_bstr(&enc, protected_bytes.ptr, protected_bytes.len);
	tsr_cbor_put_bstr(&enc, NULL, 0);
	tsr_cbor_put_bstr(&enc, payload, len);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

static int
pick_payload(const tsr_cose_msg_t *msg, const uint8_t *detached, size_t detached_len,
    tsr_span_t *ret_payload)
{
	/* A detached message needs the caller's payload; an attached one must
	 * not get a second, different one. */
	if (msg->detached != (detached != NULL))
		return TSR_ERR_INVALID_ARGUMENT;
	if (msg->detached) {
		ret_payload->ptr = detached;
		ret_payload->len = detached_len;
	} else {
		*ret_payload = msg->payload;
	}
	return TSR_OK;
}

int
tsr_cose_sign1_verify(const tsr_cose_msg_t *msg, const tsr_ec_pub_t *pub,
    const uint8_t *detached_payload, size_t detached_len)
{
	uint8_t *tbs = NULL;
	size_t tbs_len = 0;
	tsr_span_t payload;
	int r = TSR_ERR_INTERNAL;

	if (msg == NULL || pub == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = pick_payload(msg, detached_payload, detached_len, &payload)) != TSR_OK)
		goto out;
	if (msg->alg != tsr_cose_alg_for_curve(pub->curve)) {
		r = TSR_ERR_COSE_ALG;
		goto out;
	}
	if ((r = to_be_signed("Signature1", msg->protected_bytes, payload.ptr, payload.len, &tbs,
	    &tbs_len)) != TSR_OK)
		goto out;
	r = tsr_ecdsa_verify(pub, tsr_curve_hash(pub->curve), tbs, tbs_len, msg->tag.ptr,
	    msg->tag.len);
out:
	free(tbs);
	return r;
}

int
tsr_cose_mac0_verify(const tsr_cose_msg_t *msg, const uint8_t key[32],
    const uint8_t *detached_payload, size_t detached_len)
{
	uint8_t *tbm = NULL, mac[32];
	size_t tbm_len = 0;
	tsr_span_t payload;
	int r = TSR_ERR_INTERNAL;

	if (msg == NULL || key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = pick_payload(msg, detached_payload, detached_len, &payload)) != TSR_OK)
		goto out;
	/* HMAC 256/256 only: a truncated tag (alg 4, HMAC 256/64) would be
	 * an easier forgery target. */
	if (msg->alg != TSR_COSE_ALG_HMAC256) {
		r = TSR_ERR_COSE_ALG;
		goto out;
	}
	if ((r = to_be_signed("MAC0", msg->protected_bytes, payload.ptr, payload.len, &tbm,
	    &tbm_len)) != TSR_OK)
		goto out;
	if ((r = tsr_hmac_sha256(key, 32, tbm, tbm_len, mac)) != TSR_OK)
		goto out;
	r = msg->tag.len == sizeof(mac) && tsr_bytes_equal_ct(mac, msg->tag.ptr, sizeof(mac)) ?
	    TSR_OK : TSR_ERR_CRYPTO_BAD_MAC;
out:
	tsr_zeroize(mac, sizeof(mac));
	free(tbm);
	return r;
}

void
tsr_cose_msg_encode(tsr_cbor_enc_t *enc, const tsr_cose_msg_t *msg)
{
	tsr_cbor_put_array(enc, 4);
	tsr_cbor_put_bstr(enc, msg->protected_bytes.ptr, msg->protected_bytes.len);
	tsr_cbor_put_raw(enc, msg->unprotected->raw.ptr, msg->unprotected->raw.len);
	if (msg->detached)
		tsr_cbor_put_null(enc);
	else
		tsr_cbor_put_bstr(enc, msg->payload.ptr, msg->payload.len);
	tsr_cbor_put_bstr(enc, msg->tag.ptr, msg->tag.len);
}

static int
sign_with_key(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig, size_t *ret_sig_len)
{
	const tsr_ec_key_t *key = ctx;

	return tsr_ecdsa_sign(key, tsr_curve_hash(tsr_ec_key_curve(key)), msg, len, sig,
	    ret_sig_len);
}

void
tsr_cose_signer_from_key(const tsr_ec_key_t *key, tsr_cose_signer_t *ret_signer)
{
	ret_signer->alg = tsr_cose_alg_for_curve(tsr_ec_key_curve(key));
	ret_signer->sign = sign_with_key;
	ret_signer->ctx = (void *)(uintptr_t)key;
}

/* Protected header {1: alg}, serialized. */
static int
alg_header(int64_t alg, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 1);
	tsr_cbor_put_int(&enc, TSR_COSE_HDR_ALG);
	tsr_cbor_put_int(&enc, alg);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

static int
assemble(tsr_span_t prot, const tsr_span_t *x5chain_der, size_t n_certs, const uint8_t *payload,
    size_t len, bool detached, const uint8_t *tag, size_t tag_len, uint8_t **ret_ptr,
    size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_bstr(&enc, prot.ptr, prot.len);
	if (n_certs == 0) {
		tsr_cbor_put_map(&enc, 0);
	} else {
		tsr_cbor_put_map(&enc, 1);
		tsr_cbor_put_int(&enc, TSR_COSE_HDR_X5CHAIN);
		if (n_certs > 1)
			tsr_cbor_put_array(&enc, n_certs);
		for (size_t i = 0; i < n_certs; i++)
			tsr_cbor_put_bstr(&enc, x5chain_der[i].ptr, x5chain_der[i].len);
	}
	if (detached)
		tsr_cbor_put_null(&enc);
	else
		tsr_cbor_put_bstr(&enc, payload, len);
	tsr_cbor_put_bstr(&enc, tag, tag_len);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

int
tsr_cose_sign1_create(const tsr_cose_signer_t *signer, const uint8_t *payload, size_t len,
    bool detached, const tsr_span_t *x5chain_der, size_t n_certs, uint8_t **ret_ptr,
    size_t *ret_len)
{
	uint8_t *prot = NULL, *tbs = NULL, sig[TSR_ECDSA_RAW_MAX];
	size_t prot_len = 0, tbs_len = 0, sig_len = sizeof(sig);
	int r = TSR_ERR_INTERNAL;

	if (signer == NULL || signer->sign == NULL || (payload == NULL && len > 0) ||
	    (x5chain_der == NULL && n_certs > 0))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = alg_header(signer->alg, &prot, &prot_len)) != TSR_OK ||
	    (r = to_be_signed("Signature1", (tsr_span_t){ prot, prot_len }, payload, len, &tbs,
	    &tbs_len)) != TSR_OK ||
	    (r = signer->sign(signer->ctx, tbs, tbs_len, sig, &sig_len)) != TSR_OK)
		goto out;
	r = assemble((tsr_span_t){ prot, prot_len }, x5chain_der, n_certs, payload, len, detached,
	    sig, sig_len, ret_ptr, ret_len);
out:
	free(prot);
	free(tbs);
	return r;
}

int
tsr_cose_mac0_create(const uint8_t key[32], const uint8_t *payload, size_t len, bool detached,
    uint8_t **ret_ptr, size_t *ret_len)
{
	uint8_t *prot = NULL, *tbm = NULL, mac[32];
	size_t prot_len = 0, tbm_len = 0;
	int r = TSR_ERR_INTERNAL;

	if (key == NULL || (payload == NULL && len > 0))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = alg_header(TSR_COSE_ALG_HMAC256, &prot, &prot_len)) != TSR_OK ||
	    (r = to_be_signed("MAC0", (tsr_span_t){ prot, prot_len }, payload, len, &tbm,
	    &tbm_len)) != TSR_OK ||
	    (r = tsr_hmac_sha256(key, 32, tbm, tbm_len, mac)) != TSR_OK)
		goto out;
	r = assemble((tsr_span_t){ prot, prot_len }, NULL, 0, payload, len, detached, mac,
	    sizeof(mac), ret_ptr, ret_len);
out:
	tsr_zeroize(mac, sizeof(mac));
	free(prot);
	free(tbm);
	return r;
}
