/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file issuer.h
 * @brief Issuing ISO/IEC 18013-5 credentials: test PKI (Annex B), claims,
 *        IssuerSigned / MSO construction, batches and Token Status Lists.
 *
 * The flow is: create an IACA and a Document Signer certificate
 * (tsr_issuer_cert_create()), load the DS into a tsr_issuer_t, parse the
 * claims from JSON (tsr_claims_from_json()), collect the holder's device
 * keys (tsr_device_keys_add()), and issue (tsr_issuer_issue()). Everything
 * issued verifies with the reader of <tessera/reader.h> given the IACA as
 * trust anchor. Claim values never reach the debug log.
 *
 * Nothing here writes files: callers get owned buffers (tsr_free()).
 */
#ifndef TESSERA_ISSUER_H
#define TESSERA_ISSUER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Test PKI (18013-5 Annex B)
 * @{ */

/** The certificate profiles of 18013-5 Annex B. */
typedef enum tsr_cert_profile {
	TSR_CERT_IACA = 0,        /**< IACA root: self-signed, CA pathLen 0, keyCertSign+cRLSign */
	TSR_CERT_DS = 1,          /**< Document Signer: digitalSignature, EKU 1.0.18013.5.1.2 */
	TSR_CERT_READER_ROOT = 2, /**< reader-authentication root: like an IACA */
	TSR_CERT_READER = 3,      /**< mdoc reader authentication: EKU 1.0.18013.5.1.6 */
} tsr_cert_profile_t;

/** Longest validity of each profile, in days (Annex B). */
#define TSR_CERT_IACA_MAX_DAYS (20 * 365 + 5)
#define TSR_CERT_DS_MAX_DAYS 457
#define TSR_CERT_READER_MAX_DAYS 1187

/** What goes into a certificate besides its key. */
typedef struct tsr_cert_params {
	/** countryName: ISO 3166-1 alpha-2, upper case. Required for the IACA
	 *  and the DS (a DS must carry its IACA's country); optional for
	 *  reader certificates. */
	const char *country;
	/** stateOrProvinceName (issuing_jurisdiction), or NULL. */
	const char *state;
	/** organizationName, or NULL. */
	const char *organization;
	/** commonName; required. */
	const char *common_name;
	/** issuerAltName: a URI ("https://…") or an e-mail address. Required
	 *  for the IACA; a DS or reader certificate gets its issuer's when NULL. */
	const char *issuer_alt_name;
	/** cRLDistributionPoints URI; required. */
	const char *crl_uri;
	/** notBefore (Unix seconds). */
	int64_t not_before;
	/** notAfter (Unix seconds): after notBefore, within the profile's
	 *  limit and, for an issued certificate, within its issuer's validity. */
	int64_t not_after;
} tsr_cert_params_t;

/**
 * @brief Creates a certificate following the Annex B profile.
 *
 * The serial number is 16 octets, positive, with 127 random bits.
 * Signatures are ECDSA with SHA-256 on P-256 keys.
 *
 * @param profile which certificate to make.
 * @param params subject, validity and extension values.
 * @param issuer_cert the issuing CA's certificate (PEM or DER) for
 *        #TSR_CERT_DS (an IACA) and #TSR_CERT_READER (a reader root); NULL
 *        for the self-signed profiles.
 * @param issuer_cert_len its length.
 * @param issuer_key the issuing CA's private key (PKCS#8 or SEC1, PEM or
 *        DER); NULL for self-signed profiles.
 * @param issuer_key_len its length.
 * @param subject_key an existing public key for the subject (SPKI, PEM or
 *        DER), e.g. one generated on a token; NULL to generate a P-256 key.
 * @param subject_key_len its length.
 * @param[out] ret_cert_pem the certificate as PEM, NUL-terminated; free with
 *        tsr_free(). Untouched on failure.
 * @param[out] ret_key_pem the generated private key as PKCS#8 PEM,
 *        NUL-terminated; free with tsr_free() after wiping it. Must be NULL
 *        when @p subject_key is given, and non-NULL otherwise.
 * @return #TSR_OK; #TSR_ERR_INVALID_ARGUMENT for a missing or malformed
 *         parameter (country not alpha-2, validity outside the limits,
 *         a DS whose country differs from its IACA's); #TSR_ERR_CERT_PROFILE
 *         when @p issuer_cert is not a CA of the right kind;
 *         #TSR_ERR_CERT_PARSE, #TSR_ERR_CRYPTO_BAD_KEY (issuer key does not
 *         match its certificate), #TSR_ERR_RANDOM or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_cert_create(tsr_cert_profile_t profile,
    const tsr_cert_params_t *params, const uint8_t *issuer_cert, size_t issuer_cert_len,
    const uint8_t *issuer_key, size_t issuer_key_len, const uint8_t *subject_key,
    size_t subject_key_len, char **ret_cert_pem, char **ret_key_pem);

/** @} */

/** @name Claims
 * @{ */

/** Parsed claims: namespace -> element identifier -> CBOR value (opaque). */
typedef struct tsr_claims tsr_claims_t;

/**
 * @brief Parses claims JSON.
 *
 * The JSON is an object of namespaces, each an object of element
 * identifiers and values. Strict: UTF-8 only, no duplicate keys, depth at
 * most 16, 16 MiB at most. Scalars map to CBOR (integers without fraction
 * or exponent become CBOR integers, other numbers floats); typed values are
 * objects with exactly one key: `{"$full-date": "YYYY-MM-DD"}` (tag 1004),
 * `{"$tdate": "YYYY-MM-DDThh:mm:ssZ"}` (tag 0), `{"$bytes": "<hex>"}` or
 * `{"$b64": "<base64>"}` (bstr). Nested objects become maps whose keys are
 * in deterministic order.
 *
 * @param json the text (need not be NUL-terminated).
 * @param len its length.
 * @param[out] ret_claims the claims; free with tsr_claims_free().
 * @param[out] ret_error on a syntax error, "line L, column C: why" (free
 *        with tsr_free()); may be NULL. Set only when the return is
 *        #TSR_ERR_INVALID_ARGUMENT or #TSR_ERR_LIMIT.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (not valid claims JSON),
 *         #TSR_ERR_LIMIT or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_claims_from_json(const char *json, size_t len,
    tsr_claims_t **ret_claims, char **ret_error);

/** @brief Frees claims. NULL is fine. */
TSR_EXPORT void tsr_claims_free(tsr_claims_t *claims);

/**
 * @brief Checks claims against a document type's data element table.
 *
 * Rules: every mandatory element present; each value of its element's type
 * (dates, uint, bool, alpha-2 codes, a JPEG or JPEG 2000 portrait, the
 * driving-privileges structure…); `age_over_NN`, `age_in_years` and
 * `age_birth_year` consistent with `birth_date` at time @p at; dates of
 * issue not after dates of expiry; unknown namespaces and elements only
 * when @p allow_unknown (a document type without a table has only unknown
 * elements).
 *
 * @param claims the claims.
 * @param doc_type e.g. "org.iso.18013.5.1.mDL".
 * @param at the signing time (Unix seconds).
 * @param allow_unknown accept elements the table does not list.
 * @param[out] ret_report on #TSR_ERR_INVALID_ARGUMENT, one line per
 *        violation, each "namespace/element: why" (free with tsr_free());
 *        may be NULL.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (violations) or
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_claims_validate(const tsr_claims_t *claims, const char *doc_type,
    int64_t at, bool allow_unknown, char **ret_report);

/** @} */

/** @name Device keys
 * @{ */

/** The holders' public keys to bind credentials to (opaque). */
typedef struct tsr_device_keys tsr_device_keys_t;

/** @brief Creates an empty key list. */
TSR_EXPORT TSR_WUR int tsr_device_keys_new(tsr_device_keys_t **ret_keys);

/**
 * @brief Adds every public key in @p data.
 *
 * Accepted: SubjectPublicKeyInfo (PEM, possibly several, or DER), X.509
 * certificates (PEM, possibly several, or DER), a JWK (EC, P-256/384/521)
 * or a JWK Set `{"keys": [...]}`, a COSE_Key or a CBOR array of COSE_Keys.
 * Private parts (JWK "d", COSE -4) are refused.
 * @return #TSR_OK; #TSR_ERR_CRYPTO_BAD_KEY / #TSR_ERR_COSE_KEY /
 *         #TSR_ERR_CRYPTO_UNSUPPORTED_ALG when a key is unusable;
 *         #TSR_ERR_INVALID_ARGUMENT when the format is not recognised;
 *         #TSR_ERR_LIMIT beyond 10000 keys; #TSR_ERR_NO_MEMORY.
 *         Nothing is added on failure.
 */
TSR_EXPORT TSR_WUR int tsr_device_keys_add(tsr_device_keys_t *keys, const uint8_t *data,
    size_t len);

/** @brief Number of keys. */
TSR_EXPORT size_t tsr_device_keys_count(const tsr_device_keys_t *keys);

/**
 * @brief Key @p idx as a COSE_Key `{1: 2, -1: crv, -2: x, -3: y}`.
 * @param[out] ret_ptr borrowed from @p keys.
 * @return #TSR_OK or #TSR_ERR_NOT_FOUND.
 */
TSR_EXPORT TSR_WUR int tsr_device_keys_get(const tsr_device_keys_t *keys, size_t idx,
    const uint8_t **ret_ptr, size_t *ret_len);

/** @brief Frees a key list. NULL is fine. */
TSR_EXPORT void tsr_device_keys_free(tsr_device_keys_t *keys);

/** @} */

/** @name Issuing
 * @{ */

/** An issuer: the Document Signer certificate and its signing key (opaque). */
typedef struct tsr_issuer tsr_issuer_t;

/**
 * @brief Signs a message for the issuer (ES256 with a P-256 DS key).
 *
 * For DS keys that never leave a token (PKCS#11, TPM): hash @p msg with
 * SHA-256 and sign the digest.
 * @param user the pointer given to tsr_issuer_new_with_signer().
 * @param msg the COSE Sig_structure to sign.
 * @param len its length.
 * @param[out] sig raw r||s (64 bytes for P-256).
 * @param sig_cap room in @p sig (at least 132).
 * @param[out] ret_sig_len bytes written.
 * @return #TSR_OK or a negative code, passed back to the caller.
 */
typedef int (*tsr_issuer_sign_fn)(void *user, const uint8_t *msg, size_t len, uint8_t *sig,
    size_t sig_cap, size_t *ret_sig_len);

/**
 * @brief Creates an issuer from a DS certificate and its private key.
 * @param ds_cert the DS certificate, PEM or DER; a PEM may add the chain
 *        after it (intermediates, not the IACA), all put in x5chain.
 * @param ds_key the private key, PKCS#8 or SEC1, PEM or DER.
 * @param[out] ret_issuer free with tsr_issuer_free().
 * @return #TSR_OK; #TSR_ERR_CERT_PARSE; #TSR_ERR_CERT_PROFILE when the
 *         certificate is not a DS (keyUsage digitalSignature, EKU
 *         1.0.18013.5.1.2, not a CA); #TSR_ERR_CRYPTO_BAD_KEY when the key
 *         does not match the certificate; #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_new(const uint8_t *ds_cert, size_t ds_cert_len,
    const uint8_t *ds_key, size_t ds_key_len, tsr_issuer_t **ret_issuer);

/**
 * @brief Creates an issuer whose DS key is held elsewhere (PKCS#11 token,
 *        TPM): every signature is asked of @p sign.
 *
 * Same checks as tsr_issuer_new() on the certificate. @p user must stay
 * valid until tsr_issuer_free().
 */
TSR_EXPORT TSR_WUR int tsr_issuer_new_with_signer(const uint8_t *ds_cert, size_t ds_cert_len,
    tsr_issuer_sign_fn sign, void *user, tsr_issuer_t **ret_issuer);

/** @brief Frees an issuer and wipes its key. NULL is fine. */
TSR_EXPORT void tsr_issuer_free(tsr_issuer_t *issuer);

/**
 * @brief The DS certificate's validity (Unix seconds).
 * @return #TSR_OK or #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_ds_validity(const tsr_issuer_t *issuer,
    int64_t *ret_not_before, int64_t *ret_not_after);

/**
 * @brief The DS certificate subject's country ("" when absent).
 * @return #TSR_OK or #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_country(const tsr_issuer_t *issuer, char ret_country[3]);

/** What tsr_issuer_issue() writes. */
typedef enum tsr_issue_format {
	TSR_ISSUE_ISSUER_SIGNED = 0, /**< IssuerSigned `{nameSpaces, issuerAuth}` */
	TSR_ISSUE_DOCUMENT = 1,      /**< Document `{docType, issuerSigned}` without deviceSigned */
} tsr_issue_format_t;

/** Issuance options. Zero-initialise, then set what you need. */
typedef struct tsr_issue_params {
	/** docType, e.g. "org.iso.18013.5.1.mDL"; required. */
	const char *doc_type;
	/** "SHA-256" (when NULL), "SHA-384" or "SHA-512". */
	const char *digest_alg;
	/** validityInfo.signed; 0 for now (tsr_clock_now()). */
	int64_t signed_at;
	/** validityInfo.validFrom; 0 for the signing time. */
	int64_t valid_from;
	/** validityInfo.validUntil; 0 for validFrom + 365 days. */
	int64_t valid_until;
	/** validityInfo.expectedUpdate; 0 leaves it out. */
	int64_t expected_update;
	/** MSO status.status_list.uri (18013-5 2nd edition); NULL for no status. */
	const char *status_uri;
	/** MSO status.status_list.idx, with @p status_uri. For a batch, the
	 *  first index: credential i gets status_idx + i. */
	uint64_t status_idx;
	/** Accept elements the doctype's table does not list. */
	bool allow_unknown;
	/** What to produce. */
	tsr_issue_format_t format;
} tsr_issue_params_t;

/**
 * @brief Issues one credential bound to a device key.
 *
 * Validates the claims (tsr_claims_validate() at the signing time, plus
 * issuing_country equal to the DS certificate's country), gives every
 * element a fresh 32-byte random salt, assigns digest IDs as a random
 * permutation per namespace, builds the MSO (keys in the Annex D order,
 * preferred CBOR) and signs it (ES256, x5chain = the DS chain).
 * Validity checks: validFrom >= signed, validUntil > validFrom, and signed
 * and validUntil within the DS certificate's validity.
 *
 * @param issuer the issuer.
 * @param params options.
 * @param claims the claims.
 * @param device_key a COSE_Key (see tsr_device_keys_get()).
 * @param device_key_len its length.
 * @param[out] ret_ptr the CBOR, owned (tsr_free()); untouched on failure.
 * @param[out] ret_len its length.
 * @param[out] ret_report on #TSR_ERR_INVALID_ARGUMENT, every problem, one
 *        per line (free with tsr_free()); may be NULL.
 * @return #TSR_OK; #TSR_ERR_INVALID_ARGUMENT (claims or validity
 *         violations, see @p ret_report); #TSR_ERR_COSE_KEY;
 *         #TSR_ERR_CRYPTO_UNSUPPORTED_ALG (digest); #TSR_ERR_RANDOM;
 *         a signer's error; #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_issue(const tsr_issuer_t *issuer,
    const tsr_issue_params_t *params, const tsr_claims_t *claims, const uint8_t *device_key,
    size_t device_key_len, uint8_t **ret_ptr, size_t *ret_len, char **ret_report);

/**
 * @brief Issues one single-use credential per device key (a batch, as EUDI
 *        issuers do for unlinkability): independent salts, digest ID
 *        permutations and signatures; status indices status_idx + i.
 * @param[out] ret_ptr a CBOR array `[+ IssuerSigned]` (or of Documents), in
 *        the order of @p keys; owned (tsr_free()).
 * @return as tsr_issuer_issue(); #TSR_ERR_INVALID_ARGUMENT also for an
 *         empty key list.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_issue_batch(const tsr_issuer_t *issuer,
    const tsr_issue_params_t *params, const tsr_claims_t *claims,
    const tsr_device_keys_t *keys, uint8_t **ret_ptr, size_t *ret_len, char **ret_report);

/** @} */

/** @name Token Status List (draft-ietf-oauth-status-list, CWT form)
 * @{ */

/** Largest status list this library makes or reads (entries). */
#define TSR_STATUS_LIST_MAX_ENTRIES ((size_t)16 * 1024 * 1024)

/**
 * @brief Makes a signed Status List Token (CWT).
 *
 * COSE_Sign1 (tag 18) with protected {alg: ES256, typ (16):
 * "application/statuslist+cwt"}, unprotected {x5chain: DS chain}, payload
 * the claims {sub (2): @p uri, iat (6), exp (4), ttl (65534),
 * status_list (65533): {"bits": 1, "lst": zlib-deflated bits}}; bit i
 * (least significant first within each byte) is entry i: 0 VALID,
 * 1 INVALID (revoked).
 *
 * @param issuer signs with the DS key.
 * @param revoked @p n bytes, non-zero meaning entry i is revoked.
 * @param n number of entries, 1 .. #TSR_STATUS_LIST_MAX_ENTRIES.
 * @param uri the list's URI, as the MSOs reference it.
 * @param iat issued-at (Unix seconds).
 * @param exp expiry (Unix seconds), after @p iat.
 * @param ttl seconds a verifier may cache it; 0 leaves ttl out.
 * @param[out] ret_ptr the CWT, owned (tsr_free()).
 * @param[out] ret_len its length.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT, #TSR_ERR_LIMIT, a signer's
 *         error or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_status_list_create(const tsr_issuer_t *issuer,
    const uint8_t *revoked, size_t n, const char *uri, int64_t iat, int64_t exp, int64_t ttl,
    uint8_t **ret_ptr, size_t *ret_len);

/** @} */

/**
 * @brief Describes an issued file for people or as JSON.
 *
 * Recognises an IssuerSigned, a Document, a DeviceResponse, a CBOR array of
 * those (a batch), and a Status List Token. Shows the docType, the MSO
 * (digest algorithm, validity, device key, status reference), each element
 * with its English label and value, the DS certificate subject and
 * validity, and checks every digest and the issuer signature (not the trust
 * chain: no trust anchor is involved).
 *
 * @param data the file's bytes.
 * @param len its length.
 * @param json JSON output instead of text.
 * @param[out] ret_text NUL-terminated, owned (tsr_free()).
 * @return #TSR_OK, #TSR_ERR_MDOC_MALFORMED (not a structure we know), a
 *         `TSR_ERR_CBOR_*` code, or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_issuer_inspect(const uint8_t *data, size_t len, bool json,
    char **ret_text);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_ISSUER_H */
