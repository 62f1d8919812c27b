/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file reader.h
 * @brief Verifying a DeviceResponse (ISO/IEC 18013-5 §9.3, the mdoc reader's side).
 *
 * A tsr_verifier_t holds what verification needs besides the response: the
 * trusted IACA certificates, the SessionTranscript of the session, the
 * reader's ephemeral private key (for MAC device authentication) and the
 * time to verify at. tsr_verifier_verify() then checks, for every document:
 * the x5chain up to a trusted IACA, the Document Signer certificate profile,
 * the issuerAuth signature, the MSO's docType and validity, every disclosed
 * element's digest, issuing_country against the certificates, and device
 * authentication (deviceSignature with MSO.deviceKey, or deviceMac with the
 * EMacKey). Each failure sets one named reason flag, so a result can always
 * say why a document is not valid.
 */
#ifndef TESSERA_READER_H
#define TESSERA_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @name Reason flags
 * Why a document (or the response as a whole) did not verify. Stable: the
 * CLI's JSON and the verifier app render them by name (tsr_reason_name()).
 * @{
 */
#define TSR_REASON_MALFORMED (1u << 0)            /**< "malformed": not valid per its CDDL */
#define TSR_REASON_NO_X5CHAIN (1u << 1)           /**< "no_x5chain": issuerAuth carries no certificate */
#define TSR_REASON_UNTRUSTED_ISSUER (1u << 2)     /**< "untrusted_issuer": no path to a trusted IACA */
#define TSR_REASON_DS_CERT_EXPIRED (1u << 3)      /**< "ds_cert_expired" (or an IACA in the path) */
#define TSR_REASON_DS_CERT_NOT_YET_VALID (1u << 4) /**< "ds_cert_not_yet_valid" */
#define TSR_REASON_DS_CERT_PROFILE (1u << 5)      /**< "ds_cert_profile": key usage / EKU / not a leaf */
#define TSR_REASON_ISSUER_SIGNATURE (1u << 6)     /**< "issuer_signature": issuerAuth does not verify */
#define TSR_REASON_UNSUPPORTED_ALG (1u << 7)      /**< "unsupported_algorithm" (also at response level, with #TSR_REASON_MALFORMED) */
#define TSR_REASON_MSO_EXPIRED (1u << 8)          /**< "mso_expired": now is after validUntil */
#define TSR_REASON_MSO_NOT_YET_VALID (1u << 9)    /**< "mso_not_yet_valid": now is before validFrom */
#define TSR_REASON_MSO_VALIDITY (1u << 10)        /**< "mso_validity": dates inconsistent or signed outside the DS certificate's validity */
#define TSR_REASON_DOCTYPE_MISMATCH (1u << 11)    /**< "doctype_mismatch": Document.docType differs from the MSO's */
#define TSR_REASON_DIGEST_MISMATCH (1u << 12)     /**< "digest_mismatch": an element's digest differs from the MSO */
#define TSR_REASON_DIGEST_MISSING (1u << 13)      /**< "digest_missing": an element's digestID is not in the MSO */
#define TSR_REASON_COUNTRY_MISMATCH (1u << 14)    /**< "country_mismatch": issuing_country differs from the certificates' C */
#define TSR_REASON_DEVICE_AUTH (1u << 15)         /**< "device_auth": deviceSignature / deviceMac does not verify */
#define TSR_REASON_DEVICE_AUTH_MISSING (1u << 16) /**< "device_auth_missing": no deviceSigned, or MAC without a reader key */
#define TSR_REASON_KEY_AUTHORIZATION (1u << 17)   /**< "key_authorization": device-signed element not authorised by the MSO */
#define TSR_REASON_RESPONSE_STATUS (1u << 18)     /**< "response_status": DeviceResponse.status is not 0 (response level) */
#define TSR_REASON_NO_DOCUMENTS (1u << 19)        /**< "no_documents": the response returns no document (response level) */
#define TSR_REASON_TRANSCRIPT (1u << 20)          /**< "transcript": no SessionTranscript was given, or the reader key is not its EReaderKey (response level) */
#define TSR_REASON_REVOKED (1u << 21)             /**< "revoked": a trusted, fresh status list marks the document revoked or suspended */
/** @} */

/**
 * @brief Stable snake_case name of one reason flag, e.g. "ds_cert_expired".
 * @return a static string, or NULL if @p flag is not exactly one known flag.
 */
TSR_EXPORT const char *tsr_reason_name(uint32_t flag);

/**
 * @brief English words for one reason flag, e.g. "DS certificate expired".
 * @return a static string, or NULL if @p flag is not exactly one known flag.
 */
TSR_EXPORT const char *tsr_reason_text(uint32_t flag);

/** How a document's device authentication was done. */
typedef enum tsr_device_auth_kind {
	TSR_DEVICE_AUTH_NONE = 0,      /**< absent */
	TSR_DEVICE_AUTH_SIGNATURE = 1, /**< deviceSignature (COSE_Sign1) */
	TSR_DEVICE_AUTH_MAC = 2,       /**< deviceMac (COSE_Mac0) */
} tsr_device_auth_kind_t;

/** Verification context (opaque). */
typedef struct tsr_verifier tsr_verifier_t;
/** Outcome of one verification (opaque). */
typedef struct tsr_verify_result tsr_verify_result_t;
/** One document of a result (opaque, owned by its result). */
typedef struct tsr_verified_doc tsr_verified_doc_t;

/**
 * @brief Creates an empty verifier: no trust anchors, no transcript, no
 *        reader key, time from tsr_clock_now().
 * @param[out] ret_verifier the new verifier; free with tsr_verifier_free().
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_verifier_new(tsr_verifier_t **ret_verifier);

/** @brief Frees a verifier and wipes its reader key. NULL is fine. */
TSR_EXPORT void tsr_verifier_free(tsr_verifier_t *verifier);

/**
 * @brief Trusts the IACA certificate(s) in @p cert (DER, or PEM with one or
 *        more certificates).
 * @return #TSR_OK, #TSR_ERR_CERT_PARSE, #TSR_ERR_INVALID_ARGUMENT or
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_verifier_add_trust_anchor(tsr_verifier_t *verifier,
    const uint8_t *cert, size_t len);

/**
 * @brief Sets the SessionTranscript the response must be bound to.
 *
 * Accepts either SessionTranscript or SessionTranscriptBytes (tag 24); the
 * bytes are kept as given. The EReaderKey inside must be a valid COSE_Key
 * unless it is null (18013-7 transcripts).
 * @return #TSR_OK, a `TSR_ERR_CBOR_*` code, #TSR_ERR_MDOC_MALFORMED or
 *         #TSR_ERR_COSE_KEY.
 */
TSR_EXPORT TSR_WUR int tsr_verifier_set_transcript(tsr_verifier_t *verifier,
    const uint8_t *transcript, size_t len);

/**
 * @brief Sets the reader's ephemeral private key (EReaderKey), needed to
 *        check deviceMac.
 *
 * @param key PKCS#8 or SEC1, PEM or DER. It must match the EReaderKey in
 *        the transcript (checked by tsr_verifier_verify()).
 * @return #TSR_OK, #TSR_ERR_CRYPTO_BAD_KEY or #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_verifier_set_reader_key(tsr_verifier_t *verifier,
    const uint8_t *key, size_t len);

/** @brief Verifies at @p now (Unix seconds) instead of tsr_clock_now(). */
TSR_EXPORT void tsr_verifier_set_time(tsr_verifier_t *verifier, int64_t now);

/**
 * @brief Verifies a DeviceResponse.
 *
 * @param response the DeviceResponse bytes as received.
 * @param[out] ret_result the outcome, also on #TSR_ERR_VERIFY; free with
 *        tsr_verify_result_free(). Untouched on other errors.
 * @return #TSR_OK when every document is valid and there is at least one;
 *         #TSR_ERR_VERIFY otherwise (see the reason flags in the result;
 *         a response that does not decode gives a result with
 *         #TSR_REASON_MALFORMED and tsr_verify_result_decode_error());
 *         #TSR_ERR_INVALID_ARGUMENT or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_verifier_verify(const tsr_verifier_t *verifier,
    const uint8_t *response, size_t len, tsr_verify_result_t **ret_result);

/** @brief Frees a result and everything borrowed from it. NULL is fine. */
TSR_EXPORT void tsr_verify_result_free(tsr_verify_result_t *result);

/** @brief True when the response and every document in it verified. */
TSR_EXPORT bool tsr_verify_result_valid(const tsr_verify_result_t *result);
/** @brief The time the result was computed for (Unix seconds). */
TSR_EXPORT int64_t tsr_verify_result_time(const tsr_verify_result_t *result);
/** @brief Response-level reason flags (#TSR_REASON_MALFORMED, with
 *         #TSR_REASON_UNSUPPORTED_ALG when the decoding error is
 *         #TSR_ERR_CRYPTO_UNSUPPORTED_ALG; #TSR_REASON_RESPONSE_STATUS,
 *         #TSR_REASON_NO_DOCUMENTS, #TSR_REASON_TRANSCRIPT). */
TSR_EXPORT uint32_t tsr_verify_result_reasons(const tsr_verify_result_t *result);
/** @brief The decoding error behind #TSR_REASON_MALFORMED at response
 *         level, or #TSR_OK. */
TSR_EXPORT int tsr_verify_result_decode_error(const tsr_verify_result_t *result);
/** @brief DeviceResponse.status (0 when the response did not decode). */
TSR_EXPORT uint64_t tsr_verify_result_status(const tsr_verify_result_t *result);
/** @brief Number of documents in the response. */
TSR_EXPORT size_t tsr_verify_result_doc_count(const tsr_verify_result_t *result);
/** @brief Document @p idx, or NULL past the end. Borrowed from @p result. */
TSR_EXPORT const tsr_verified_doc_t *tsr_verify_result_doc(const tsr_verify_result_t *result,
    size_t idx);
/** @brief Number of documentErrors entries. */
TSR_EXPORT size_t tsr_verify_result_doc_error_count(const tsr_verify_result_t *result);
/**
 * @brief documentErrors entry @p idx.
 * @param[out] ret_doctype borrowed NUL-terminated docType.
 * @param[out] ret_code the ErrorCode.
 * @return #TSR_OK or #TSR_ERR_NOT_FOUND.
 */
TSR_EXPORT TSR_WUR int tsr_verify_result_doc_error(const tsr_verify_result_t *result,
    size_t idx, const char **ret_doctype, int64_t *ret_code);

/** @brief The document's reason flags; 0 means the document is valid. */
TSR_EXPORT uint32_t tsr_verified_doc_reasons(const tsr_verified_doc_t *doc);
/** @brief Document.docType, NUL-terminated ("" if it did not decode). */
TSR_EXPORT const char *tsr_verified_doc_doctype(const tsr_verified_doc_t *doc);
/** @brief The device authentication the document carried. */
TSR_EXPORT tsr_device_auth_kind_t tsr_verified_doc_device_auth(const tsr_verified_doc_t *doc);
/** @brief Subject of the Document Signer certificate ("" if none). */
TSR_EXPORT const char *tsr_verified_doc_ds_subject(const tsr_verified_doc_t *doc);
/** @brief Subject of the trusted IACA the chain reached ("" if none). */
TSR_EXPORT const char *tsr_verified_doc_iaca_subject(const tsr_verified_doc_t *doc);
/** @brief The MSO's digestAlgorithm ("" if it did not decode). */
TSR_EXPORT const char *tsr_verified_doc_digest_algorithm(const tsr_verified_doc_t *doc);
/**
 * @brief The MSO's validityInfo (Unix seconds).
 * @param[out] ret_expected_update 0 when the MSO has no expectedUpdate.
 * @return #TSR_OK, or #TSR_ERR_NOT_FOUND when the MSO did not decode.
 */
TSR_EXPORT TSR_WUR int tsr_verified_doc_validity(const tsr_verified_doc_t *doc,
    int64_t *ret_signed, int64_t *ret_valid_from, int64_t *ret_valid_until,
    int64_t *ret_expected_update);
/**
 * @brief The Document Signer certificate's validity (Unix seconds).
 * @return #TSR_OK, or #TSR_ERR_NOT_FOUND without a certificate.
 */
TSR_EXPORT TSR_WUR int tsr_verified_doc_ds_validity(const tsr_verified_doc_t *doc,
    int64_t *ret_not_before, int64_t *ret_not_after);

/** @brief Number of elements: issuer-signed ones first, then device-signed ones. */
TSR_EXPORT size_t tsr_verified_doc_element_count(const tsr_verified_doc_t *doc);

/** One disclosed data element (all pointers borrowed from the result). */
typedef struct tsr_verified_element {
	const char *name_space;   /**< NUL-terminated namespace */
	const char *identifier;   /**< NUL-terminated element identifier */
	const uint8_t *value;     /**< the elementValue's CBOR bytes as received */
	size_t value_len;         /**< length of @p value */
	bool device_signed;       /**< from DeviceNameSpaces rather than the issuer */
	/** Issuer-signed: the item's digest equals the MSO's (false for
	 *  device-signed elements). On its own this proves nothing: the MSO
	 *  itself may be untrusted. */
	bool digest_matched;
	/** The element is proven: issuer-signed, its digest matched and the
	 *  document passed every issuer check (chain, signature, validity,
	 *  docType); device-signed, the MSO authorises it and device
	 *  authentication holds. Show only verified elements as facts. */
	bool verified;
} tsr_verified_element_t;

/**
 * @brief Element @p idx of a document.
 * @return #TSR_OK or #TSR_ERR_NOT_FOUND.
 */
TSR_EXPORT TSR_WUR int tsr_verified_doc_element(const tsr_verified_doc_t *doc, size_t idx,
    tsr_verified_element_t *ret_element);

/** @brief Number of per-element errors (Document.errors) the holder reported. */
TSR_EXPORT size_t tsr_verified_doc_error_count(const tsr_verified_doc_t *doc);
/**
 * @brief Document.errors entry @p idx (an element the holder did not return).
 * @param[out] ret_name_space borrowed NUL-terminated namespace.
 * @param[out] ret_identifier borrowed NUL-terminated element identifier.
 * @param[out] ret_code the ErrorCode (0 = data not returned).
 * @return #TSR_OK or #TSR_ERR_NOT_FOUND.
 */
TSR_EXPORT TSR_WUR int tsr_verified_doc_error(const tsr_verified_doc_t *doc, size_t idx,
    const char **ret_name_space, const char **ret_identifier, int64_t *ret_code);

/**
 * @name Revocation status (18013-5 2nd edition MSO `status`, IETF Token Status List)
 * @{
 */

/** A document's revocation status. */
typedef enum tsr_doc_status {
	TSR_DOC_STATUS_NONE = 0,      /**< the MSO carries no status reference */
	TSR_DOC_STATUS_UNKNOWN = 1,   /**< no usable status list: none loaded for its URI,
	                                   expired, untrusted signer, index beyond the list */
	TSR_DOC_STATUS_VALID = 2,     /**< a usable list says VALID */
	TSR_DOC_STATUS_REVOKED = 3,   /**< a usable list says INVALID (#TSR_REASON_REVOKED set) */
	TSR_DOC_STATUS_SUSPENDED = 4, /**< a usable list says SUSPENDED (#TSR_REASON_REVOKED set) */
} tsr_doc_status_t;

/**
 * @brief Loads a Status List Token (CWT) for offline revocation checks.
 *
 * The token is decoded now; its signature, its signer's chain (to the same
 * trusted IACA as the document, with the DS extended key usage) and its
 * freshness (exp, iat + ttl) are checked per document at verification
 * time. A document whose MSO references `status_list {idx, uri}` is looked
 * up in the freshest usable list whose `sub` equals uri. Unknown is never
 * reported as revoked. Call as often as needed (at most 256 lists).
 * @param verifier the verifier.
 * @param token the CWT bytes (COSE_Sign1, tag 18 and/or CWT tag 61 allowed).
 * @param len its length.
 * @return #TSR_OK, #TSR_ERR_MDOC_MALFORMED or a `TSR_ERR_CBOR_*` /
 *         `TSR_ERR_COSE_*` code when it is not a status list token,
 *         #TSR_ERR_LIMIT, #TSR_ERR_INVALID_ARGUMENT or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_verifier_add_status_list(tsr_verifier_t *verifier,
    const uint8_t *token, size_t len);

/** @brief The document's revocation status (#TSR_DOC_STATUS_NONE for NULL). */
TSR_EXPORT tsr_doc_status_t tsr_verified_doc_status(const tsr_verified_doc_t *doc);

/**
 * @brief Why the status is what it is, in English ("status list expired",
 *        "no status list loaded for its URI", "revoked by its issuer"), or ""
 *        for valid and none. Static.
 */
TSR_EXPORT const char *tsr_verified_doc_status_reason(const tsr_verified_doc_t *doc);

/** @brief "none", "unknown", "valid", "revoked" or "suspended". Static. */
TSR_EXPORT const char *tsr_doc_status_name(tsr_doc_status_t status);

/** @} */

/**
 * @brief Checks the readerAuth of every DocRequest in a DeviceRequest
 *        (the mdoc's side of reader authentication, §9.1.4).
 *
 * @param request the DeviceRequest bytes.
 * @param transcript SessionTranscript or SessionTranscriptBytes.
 * @param roots trusted reader root certificate(s), DER or PEM (may hold several).
 * @param now time to verify at (Unix seconds).
 * @param[out] ret_subject the reader certificate's subject of the first
 *        document request, owned (tsr_free()); may be NULL. Set also when
 *        the chain is untrusted but the signature is otherwise valid.
 * @return #TSR_OK when every DocRequest has a readerAuth that verifies with
 *         a certificate carrying EKU 1.0.18013.5.1.6 chaining to @p roots;
 *         #TSR_ERR_NOT_FOUND when a DocRequest has no readerAuth;
 *         #TSR_ERR_CERT_UNTRUSTED, #TSR_ERR_CERT_EXPIRED,
 *         #TSR_ERR_CERT_NOT_YET_VALID, #TSR_ERR_CERT_PROFILE,
 *         #TSR_ERR_CRYPTO_BAD_SIGNATURE, #TSR_ERR_COSE_ALG, or a decoding error.
 */
TSR_EXPORT TSR_WUR int tsr_reader_auth_verify(const uint8_t *request, size_t len,
    const uint8_t *transcript, size_t transcript_len, const uint8_t *roots, size_t roots_len,
    int64_t now, char **ret_subject);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_READER_H */
