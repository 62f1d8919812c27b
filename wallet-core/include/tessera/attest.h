/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file attest.h
 * @brief TPM key attestation: a wallet proves to an issuer that its device
 *        keys live in a genuine TPM.
 *
 * Roles as in IETF RATS (RFC 9334): the wallet is the Attester, the issuer
 * the Verifier. The trust chain is TPM manufacturer CA -> endorsement-key
 * (EK) certificate -> (credential activation) attestation key (AK) ->
 * (TPM2_Certify) device key. Three CBOR messages, documented in
 * docs/provisioning.md, travel between the two (as files, QR codes, ...):
 *
 * 1. wallet: tsr_attest_request_create() -> **ProvisioningRequest**
 *    (EK certificate, AK public area, device-key public areas);
 * 2. issuer: tsr_attest_challenge_create() -> **Challenge** (a secret for
 *    the AK, encrypted to the EK as TPM2_MakeCredential does, and a nonce),
 *    plus a *pending* state the issuer keeps to itself;
 * 3. wallet: tsr_attest_respond() -> **Evidence** (the secret, recovered by
 *    TPM2_ActivateCredential, and one TPM2_Certify of each device key by the
 *    AK over the nonce);
 * 4. issuer: tsr_attest_evidence_verify() -> the device keys it may issue
 *    credentials to.
 *
 * Only a TPM holding the EK private key can recover the secret, and it
 * only does so for an AK loaded in that same TPM; the AK is a restricted
 * signing key, so it signs TPM-generated attestations only. Replayed
 * Evidence fails because every Challenge has a fresh secret and nonce.
 *
 * Supported EKs: ECC, with the TCG EK Credential Profile templates L-2
 * (NIST P-256, certificate at NV index 0x01c0000a) and H-3 (NIST P-384,
 * 0x01c00016, what swtpm makes). The endorsement and owner hierarchies
 * must have empty passwords (the usual state of a PC's TPM).
 *
 * 18013-5 has no field for any of this: it is a provisioning-time check
 * made before an issuer signs an MSO for a device key.
 */
#ifndef TESSERA_ATTEST_H
#define TESSERA_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>
#include <tessera/securearea.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Reasons an attestation fails (a bitmask, see tsr_attest_flag_name())
 *  @{ */
/** The EK certificate does not chain to a configured TPM manufacturer CA. */
#define TSR_ATTEST_EK_UNTRUSTED (1u << 0)
/** The EK certificate or a CA on its path is outside its validity period. */
#define TSR_ATTEST_EK_EXPIRED (1u << 1)
/** The EK certificate's key is not an ECC P-256 or P-384 key. */
#define TSR_ATTEST_EK_UNSUPPORTED (1u << 2)
/** The AK is not a restricted, fixedTPM ECDSA-P256/SHA-256 signing key. */
#define TSR_ATTEST_AK_ATTRIBUTES (1u << 3)
/** The activated secret is wrong: the AK is not in the TPM of the EK. */
#define TSR_ATTEST_ACTIVATION (1u << 4)
/** The Evidence does not certify exactly the requested device keys. */
#define TSR_ATTEST_COUNT (1u << 5)
/** A TPMS_ATTEST or TPMT_SIGNATURE cannot be parsed. */
#define TSR_ATTEST_MALFORMED (1u << 6)
/** A TPMS_ATTEST lacks the TPM_GENERATED magic or is not a TPM2_Certify. */
#define TSR_ATTEST_NOT_CERTIFY (1u << 7)
/** A TPMS_ATTEST's extraData is not the Challenge's nonce. */
#define TSR_ATTEST_NONCE (1u << 8)
/** A TPMS_ATTEST certifies another key than the requested device key. */
#define TSR_ATTEST_NAME (1u << 9)
/** A device key lacks fixedTPM, fixedParent or sensitiveDataOrigin, or is
 *  not an ECC P-256 key. */
#define TSR_ATTEST_KEY_ATTRIBUTES (1u << 10)
/** The AK's signature over a TPMS_ATTEST does not verify. */
#define TSR_ATTEST_SIGNATURE (1u << 11)
/** The Challenge is past its lifetime (tsr_attest_challenge_create()'s
 *  @p valid_for): the Evidence came too late, or is replayed. */
#define TSR_ATTEST_CHALLENGE_EXPIRED (1u << 12)
/** @} */

/**
 * @brief Names one TSR_ATTEST_* flag.
 * @param flag a single bit.
 * @return a static string such as "nonce" ("unknown" for anything else).
 */
TSR_EXPORT const char *tsr_attest_flag_name(uint32_t flag);

/* --- Wallet side (needs a TPM 2.0 secure area) --- */

/**
 * @brief Builds a ProvisioningRequest for some of the wallet's keys.
 *
 * Reads the EK certificate from the TPM's NV memory, re-creates the EK and
 * the AK (both primary keys of the endorsement hierarchy, derived again
 * each time, so nothing needs storing between the request and the
 * response) and lists the public areas of the keys.
 * @param sa an open TPM 2.0 secure area.
 * @param key_refs key references (tsr_secure_area_create_key()) of the
 *        device keys to attest; at most 16.
 * @param ref_lens their lengths.
 * @param n how many (at least 1).
 * @param[out] ret_req the CBOR message (owned, tsr_free()).
 * @param[out] ret_req_len its length.
 * @return #TSR_OK; #TSR_ERR_SA_NOT_SUPPORTED when @p sa is not a TPM or the
 *         TPM has no supported EK certificate; #TSR_ERR_SA_KEY_INVALID for a
 *         bad key reference; #TSR_ERR_SA_UNAVAILABLE, #TSR_ERR_SA_DEVICE;
 *         #TSR_ERR_INVALID_ARGUMENT, #TSR_ERR_NO_MEMORY. Outputs untouched
 *         on failure.
 */
TSR_EXPORT TSR_WUR int tsr_attest_request_create(tsr_secure_area_t *sa,
    const uint8_t *const *key_refs, const size_t *ref_lens, size_t n, uint8_t **ret_req,
    size_t *ret_req_len);

/**
 * @brief Answers a Challenge: activates the credential and certifies each
 *        device key with the AK over the issuer's nonce.
 * @param sa the TPM secure area that made the request.
 * @param challenge the issuer's Challenge message.
 * @param key_refs the same keys, in the same order, as in the request.
 * @param pins each key's PIN (NULL entries for keys without one); the whole
 *        array may be NULL when no key has a PIN.
 * @param[out] ret_evidence the Evidence message (owned, tsr_free()).
 * @return #TSR_OK; #TSR_ERR_SA_KEY_INVALID when the TPM refuses the
 *         Challenge (it was made for another TPM's EK or AK) or a key
 *         reference is bad; the PIN errors of tsr_secure_area_sign();
 *         #TSR_ERR_CBOR_* for a malformed Challenge; #TSR_ERR_SA_* device
 *         errors. Outputs untouched on failure.
 */
TSR_EXPORT TSR_WUR int tsr_attest_respond(tsr_secure_area_t *sa, const uint8_t *challenge,
    size_t challenge_len, const uint8_t *const *key_refs, const size_t *ref_lens,
    const char *const *pins, size_t n, uint8_t **ret_evidence, size_t *ret_evidence_len);

/* --- Verifier side (no TPM needed) --- */

/**
 * @brief Checks a ProvisioningRequest's EK certificate and makes a
 *        Challenge for it.
 * @param request the wallet's ProvisioningRequest.
 * @param ca_certs TPM manufacturer certificates to trust (roots and
 *        intermediates), each DER or PEM (a PEM may hold several).
 * @param ca_lens their lengths.
 * @param n_cas how many.
 * @param now the time to judge certificate validity by (Unix seconds).
 * @param valid_for how long, in seconds from @p now, the Challenge may be
 *        answered (1 or more): tsr_attest_evidence_verify() refuses Evidence
 *        checked later (#TSR_ATTEST_CHALLENGE_EXPIRED).
 * @param[out] ret_challenge the Challenge to send (owned, tsr_free()).
 * @param[out] ret_pending what the issuer must keep, secretly, until the
 *        Evidence arrives: it holds the expected secret and the end of the
 *        Challenge's lifetime (owned; wipe and free with tsr_free() after
 *        use). Use it for one Evidence only.
 * @param[out] ret_flags TSR_ATTEST_* reasons when #TSR_ERR_VERIFY is
 *        returned (set on that failure too), 0 on success.
 * @return #TSR_OK; #TSR_ERR_VERIFY (EK untrusted, expired or unsupported, AK
 *         attributes); #TSR_ERR_CBOR_* or #TSR_ERR_CERT_PARSE for a malformed
 *         request; #TSR_ERR_RANDOM, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_attest_challenge_create(const uint8_t *request, size_t request_len,
    const uint8_t *const *ca_certs, const size_t *ca_lens, size_t n_cas, int64_t now,
    int64_t valid_for, uint8_t **ret_challenge, size_t *ret_challenge_len, uint8_t **ret_pending,
    size_t *ret_pending_len, uint32_t *ret_flags);

/** The outcome of a successful attestation (opaque). */
typedef struct tsr_attest_result tsr_attest_result_t;

/**
 * @brief Verifies Evidence against the pending state of its Challenge.
 *
 * Checks the activated secret, and for each device key: the TPMS_ATTEST
 * (TPM_GENERATED magic, type TPM2_ST_ATTEST_CERTIFY, extraData == nonce,
 * certified name == nameAlg || H(public area of the requested key)), the
 * key's attributes (fixedTPM, fixedParent, sensitiveDataOrigin, P-256) and
 * the AK's ECDSA signature over the TPMS_ATTEST bytes.
 * @param pending from tsr_attest_challenge_create().
 * @param evidence the wallet's Evidence.
 * @param now the time (Unix seconds): after the Challenge's lifetime the
 *        Evidence is refused with #TSR_ATTEST_CHALLENGE_EXPIRED.
 * @param[out] ret_result the attested keys (tsr_attest_result_free()).
 * @param[out] ret_flags TSR_ATTEST_* reasons (set on #TSR_ERR_VERIFY too),
 *        0 on success.
 * @return #TSR_OK, #TSR_ERR_VERIFY, #TSR_ERR_CBOR_* for malformed messages,
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_attest_evidence_verify(const uint8_t *pending, size_t pending_len,
    const uint8_t *evidence, size_t evidence_len, int64_t now, tsr_attest_result_t **ret_result,
    uint32_t *ret_flags);

/** @brief How many device keys were attested. */
TSR_EXPORT size_t tsr_attest_result_key_count(const tsr_attest_result_t *result);

/**
 * @brief One attested device key as a COSE_Key {1: 2, -1: 1, -2: x, -3: y},
 *        in the order of the request.
 * @param[out] ret_ptr borrowed; valid until the result is freed.
 * @return #TSR_OK or #TSR_ERR_NOT_FOUND past the end.
 */
TSR_EXPORT TSR_WUR int tsr_attest_result_key(const tsr_attest_result_t *result, size_t idx,
    const uint8_t **ret_ptr, size_t *ret_len);

/**
 * @brief Whether a public key (a COSE_Key, e.g. the deviceKey an MSO is
 *        about to name) is one of the attested keys.
 */
TSR_EXPORT bool tsr_attest_result_has_key(const tsr_attest_result_t *result,
    const uint8_t *cose_key, size_t len);

/**
 * @brief The subject and issuer of the EK certificate, for logs.
 * @return strings owned by the result.
 */
TSR_EXPORT const char *tsr_attest_result_ek_subject(const tsr_attest_result_t *result);
/** @copydoc tsr_attest_result_ek_subject */
TSR_EXPORT const char *tsr_attest_result_ek_issuer(const tsr_attest_result_t *result);

/** @brief Frees a result. NULL is fine. */
TSR_EXPORT void tsr_attest_result_free(tsr_attest_result_t *result);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_ATTEST_H */
