/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Shared by the wallet (attest-wallet.c) and verifier (attest-verify.c)
 * sides of <tessera/attest.h>: the CBOR messages (attest-msg.c) and the
 * TPM structures the verifier computes in software (attest-verify.c).
 */
#ifndef TSR_ATTEST_PRIVATE_H
#define TSR_ATTEST_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <tessera/attest.h>

#include "base/buf.h"
#include "cbor/codec.h"
#include "crypto/crypto.h"

#define TSR_ATTEST_VERSION 1
#define TSR_ATTEST_MAX_KEYS 16
/* Largest message we accept: an EK certificate (a few KiB at most) and at
 * most 16 public areas or certifications of a few hundred bytes. */
#define TSR_ATTEST_MSG_MAX ((size_t)64 * 1024)
#define TSR_ATTEST_CERT_MAX ((size_t)16 * 1024)
#define TSR_ATTEST_NONCE_LEN 32
#define TSR_ATTEST_SECRET_LEN 32
/* nameAlg (2) || SHA-256 */
#define TSR_ATTEST_NAME_LEN 34

/* ProvisioningRequest = {"ekCert": bstr, "version": 1, "akPublic": bstr,
 *                        "deviceKeys": [+ bstr]} */
typedef struct tsr_attest_request {
	tsr_span_t ek_cert;     /* DER */
	tsr_span_t ak_public;   /* TPM2B_PUBLIC */
	tsr_span_t keys[TSR_ATTEST_MAX_KEYS]; /* TPM2B_PUBLIC each */
	size_t n_keys;
} tsr_attest_request_t;

/* Challenge = {"nonce": bstr, "version": 1, "credentialBlob": bstr,
 *              "encryptedSecret": bstr} */
typedef struct tsr_attest_challenge {
	tsr_span_t nonce;
	tsr_span_t credential_blob;  /* TPM2B_ID_OBJECT */
	tsr_span_t encrypted_secret; /* TPM2B_ENCRYPTED_SECRET */
} tsr_attest_challenge_t;

/* Evidence = {"version": 1, "certifications": [+ {"attest": bstr,
 *             "signature": bstr}], "activatedSecret": bstr} */
typedef struct tsr_attest_evidence {
	tsr_span_t activated_secret;
	tsr_span_t attest[TSR_ATTEST_MAX_KEYS];    /* TPMS_ATTEST */
	tsr_span_t signature[TSR_ATTEST_MAX_KEYS]; /* TPMT_SIGNATURE */
	size_t n;
} tsr_attest_evidence_t;

/* Pending (issuer-private) = {"nonce": bstr, "secret": bstr,
 *                             "request": bstr, "version": 1,
 *                             "notAfter": uint (Unix seconds)} */
typedef struct tsr_attest_pending {
	tsr_span_t nonce;
	tsr_span_t secret;
	tsr_span_t request;
	int64_t not_after; /* the Challenge's lifetime ends */
} tsr_attest_pending_t;

/* Encoders return the CBOR bytes (free()); decoders point into doc, which
 * the caller keeps alive and frees (tsr_cbor_doc_free()). */
int tsr_attest_request_encode(const tsr_attest_request_t *m, uint8_t **ret, size_t *ret_len);
int tsr_attest_request_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_request_t *ret);
int tsr_attest_challenge_encode(const tsr_attest_challenge_t *m, uint8_t **ret,
    size_t *ret_len);
int tsr_attest_challenge_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_challenge_t *ret);
int tsr_attest_evidence_encode(const tsr_attest_evidence_t *m, uint8_t **ret, size_t *ret_len);
int tsr_attest_evidence_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_evidence_t *ret);
int tsr_attest_pending_encode(const tsr_attest_pending_t *m, uint8_t **ret, size_t *ret_len);
int tsr_attest_pending_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_pending_t *ret);

/*
 * TPM2_MakeCredential in software (TPM 2.0 Part 1 §24) for an ECC EK whose
 * public key is ek (P-256: SHA-256 and AES-128, the L-2/H-2 templates;
 * P-384: SHA-384 and AES-256, H-3): protects secret for the object named
 * name. Returns the marshalled TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET
 * (free()).
 */
int tsr_attest_make_credential(const tsr_ec_pub_t *ek, const uint8_t *name, size_t name_len,
    const uint8_t *secret, size_t secret_len, uint8_t **ret_blob, size_t *ret_blob_len,
    uint8_t **ret_secret, size_t *ret_secret_len);

/* The name (0x000b || SHA-256(TPMT_PUBLIC)) of a marshalled TPM2B_PUBLIC
 * with nameAlg SHA-256; TSR_ERR_CBOR_VALUE when it does not parse. */
int tsr_attest_public_name(const uint8_t *tpm2b_public, size_t len,
    uint8_t name[TSR_ATTEST_NAME_LEN]);

#endif /* TSR_ATTEST_PRIVATE_H */
