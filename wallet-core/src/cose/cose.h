/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * COSE (RFC 9052) as 18013-5 uses it: EC2 COSE_Key, COSE_Sign1 with an
 * attached or detached payload and an x5chain header (label 33), and
 * COSE_Mac0 with HMAC 256/256. Decoded structures borrow from the CBOR
 * document they were decoded from; keep it alive while using them.
 */
#ifndef TSR_COSE_COSE_H
#define TSR_COSE_COSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "cbor/codec.h"
#include "crypto/crypto.h"

/* COSE algorithm identifiers (IANA "COSE Algorithms"). */
#define TSR_COSE_ALG_ES256 (-7)
#define TSR_COSE_ALG_ES384 (-35)
#define TSR_COSE_ALG_ES512 (-36)
#define TSR_COSE_ALG_EDDSA (-8)
#define TSR_COSE_ALG_HMAC256 5 /* HMAC 256/256 */

/* Header labels. */
#define TSR_COSE_HDR_ALG 1
#define TSR_COSE_HDR_X5CHAIN 33

/* The ES* algorithm that goes with a curve (ES256 for P-256 ...). */
int64_t tsr_cose_alg_for_curve(tsr_curve_t curve);

/*
 * Decodes an EC2 COSE_Key {1: 2, -1: crv, -2: x, -3: y} into a validated
 * public key. Coordinates must have exactly the curve's length; a private
 * part (-4) is refused. Returns TSR_ERR_COSE_KEY,
 * TSR_ERR_CRYPTO_UNSUPPORTED_ALG (another curve, or a well-formed OKP key)
 * or TSR_ERR_CRYPTO_BAD_KEY.
 */
int tsr_cose_key_decode(const tsr_cbor_item_t *item, tsr_ec_pub_t *ret_pub);
/* Same, from bytes. */
int tsr_cose_key_from_bytes(const uint8_t *ptr, size_t len, tsr_ec_pub_t *ret_pub);
/* Appends {1: 2, -1: crv, -2: x, -3: y}, in that order as Annex D does. */
void tsr_cose_key_encode(tsr_cbor_enc_t *enc, const tsr_ec_pub_t *pub);

/* The parts of a COSE_Sign1 or COSE_Mac0 that both share. */
typedef struct tsr_cose_msg {
	tsr_span_t protected_bytes;           /* content of the protected bstr */
	int64_t alg;                          /* from the protected header */
	const tsr_cbor_item_t *unprotected;   /* the unprotected header map */
	bool detached;                        /* payload was null */
	tsr_span_t payload;                   /* attached payload, else empty */
	tsr_span_t tag;                       /* the signature or MAC tag */
	tsr_x509_t *x5chain;                  /* owned; NULL when absent */
	tsr_cbor_doc_t *protected_doc;        /* owned; decoded protected header */
} tsr_cose_msg_t;

void tsr_cose_msg_clear(tsr_cose_msg_t *msg);

/*
 * Decodes a COSE_Sign1 (untagged, or with tag 18) or a COSE_Mac0 (untagged,
 * or tag 17). The algorithm must be in the protected header and not repeated
 * in the unprotected one. x5chain is read from either header (one bstr or an
 * array of them). Returns TSR_ERR_COSE_MALFORMED, TSR_ERR_COSE_ALG or a
 * certificate parse error.
 */
int tsr_cose_sign1_decode(const tsr_cbor_item_t *item, tsr_cose_msg_t *ret_msg);
int tsr_cose_mac0_decode(const tsr_cbor_item_t *item, tsr_cose_msg_t *ret_msg);

/*
 * Verifies a COSE_Sign1 against pub. For a detached message pass the
 * payload; for an attached one pass NULL/0. The algorithm must be the one
 * that belongs to pub's curve (no algorithm substitution): otherwise
 * TSR_ERR_COSE_ALG. A bad signature is TSR_ERR_CRYPTO_BAD_SIGNATURE.
 */
int tsr_cose_sign1_verify(const tsr_cose_msg_t *msg, const tsr_ec_pub_t *pub,
    const uint8_t *detached_payload, size_t detached_len);

/* Verifies a COSE_Mac0 with HMAC 256/256 and a 32-byte key
 * (TSR_ERR_COSE_ALG for any other algorithm, TSR_ERR_CRYPTO_BAD_MAC). */
int tsr_cose_mac0_verify(const tsr_cose_msg_t *msg, const uint8_t key[32],
    const uint8_t *detached_payload, size_t detached_len);

/* Appends a decoded COSE_Sign1 or COSE_Mac0 again, untagged, from its parts
 * (the protected header and the unprotected map keep their received bytes). */
void tsr_cose_msg_encode(tsr_cbor_enc_t *enc, const tsr_cose_msg_t *msg);

/*
 * Produces a raw ECDSA signature (r||s) over msg. Lets COSE sign with keys
 * that live in a secure area as well as with in-memory keys.
 */
typedef struct tsr_cose_signer {
	int64_t alg;
	int (*sign)(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig, size_t *ret_sig_len);
	void *ctx;
} tsr_cose_signer_t;

/* A signer for an in-memory key; key must outlive the signer. */
void tsr_cose_signer_from_key(const tsr_ec_key_t *key, tsr_cose_signer_t *ret_signer);

/*
 * Creates a COSE_Sign1 (untagged) with protected {1: alg} and unprotected
 * {33: x5chain} when x5chain_der is given (n_certs DER certificates; one is
 * encoded as a bstr, more as an array) or {} otherwise. detached leaves the
 * payload out (null) while signing over it.
 */
int tsr_cose_sign1_create(const tsr_cose_signer_t *signer, const uint8_t *payload, size_t len,
    bool detached, const tsr_span_t *x5chain_der, size_t n_certs, uint8_t **ret_ptr,
    size_t *ret_len);

/* Creates a COSE_Mac0 [h'A10105', {}, payload or null, tag]. */
int tsr_cose_mac0_create(const uint8_t key[32], const uint8_t *payload, size_t len, bool detached,
    uint8_t **ret_ptr, size_t *ret_len);

#endif /* TSR_COSE_COSE_H */
