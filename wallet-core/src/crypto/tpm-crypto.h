/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The cryptography a TPM 2.0 verifier computes in software: the TPM key
 * derivation functions KDFa and KDFe (TPM 2.0 Part 1 §11.4.10), HMAC and
 * AES-CFB (for TPM2_MakeCredential, Part 1 §24), and the validation of an
 * endorsement-key certificate against TPM manufacturer CAs, whose keys are
 * usually RSA (unlike 18013-5 chains, which crypto.h's profile limits to
 * EC). Conventions as in crypto.h: TSR_OK or a negative TSR_ERR_*, outputs
 * untouched on failure, no mbedTLS type in sight.
 */
#ifndef TSR_CRYPTO_TPM_CRYPTO_H
#define TSR_CRYPTO_TPM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* HMAC with any of the SHA-2 hashes; out receives tsr_hash_len(hash) bytes. */
int tsr_hmac(tsr_hash_alg_t hash, const uint8_t *key, size_t key_len, const uint8_t *msg,
    size_t len, uint8_t *out);

/*
 * KDFa (Part 1 §11.4.10.2; SP 800-108 counter mode with HMAC):
 * K(i) = HMAC(key, [i]_32 || label || 0x00 || context_u || context_v || [bits]_32)
 * with bits = 8 * out_len. label is a C string (the 0x00 is the NUL);
 * contexts may be NULL/0. out_len 1..1024.
 */
int tsr_tpm_kdfa(tsr_hash_alg_t hash, const uint8_t *key, size_t key_len, const char *label,
    const uint8_t *context_u, size_t context_u_len, const uint8_t *context_v,
    size_t context_v_len, uint8_t *out, size_t out_len);

/*
 * KDFe (Part 1 §11.4.10.3; SP 800-56A concatenation KDF):
 * K(i) = H([i]_32 || z || label || 0x00 || party_u || party_v). out_len 1..1024.
 */
int tsr_tpm_kdfe(tsr_hash_alg_t hash, const uint8_t *z, size_t z_len, const char *label,
    const uint8_t *party_u, size_t party_u_len, const uint8_t *party_v, size_t party_v_len,
    uint8_t *out, size_t out_len);

/* AES-CFB-128 (full-block feedback, as the TPM uses it) with a 16-, 24- or
 * 32-byte key. in and out may be the same buffer. */
int tsr_aes_cfb_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16],
    const uint8_t *in, size_t len, uint8_t *out);
int tsr_aes_cfb_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16],
    const uint8_t *in, size_t len, uint8_t *out);

/*
 * Validates an EK certificate (DER) against TPM manufacturer certificates
 * (each entry of cas is DER or PEM and may hold several certificates; all
 * of them, roots and intermediates alike, are trusted) at time now (Unix
 * seconds). RSA (>= 2048 bits) and EC signatures with SHA-2 are accepted on
 * the path; the leaf must not be a CA. keyUsage is not required to allow
 * digitalSignature: an EK only decrypts. *ret_flags receives TSR_X509_*
 * bits (UNTRUSTED, EXPIRED, NOT_YET_VALID, BAD_LEAF). Returns TSR_OK,
 * TSR_ERR_VERIFY (flags set), TSR_ERR_CERT_PARSE or TSR_ERR_NO_MEMORY.
 */
int tsr_tpm_ek_cert_verify(const uint8_t *ek_der, size_t ek_len, const uint8_t *const *cas,
    const size_t *ca_lens, size_t n_cas, int64_t now, uint32_t *ret_flags);

#endif /* TSR_CRYPTO_TPM_CRYPTO_H */
