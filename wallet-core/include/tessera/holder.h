/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file holder.h
 * @brief Answering a DeviceRequest (ISO/IEC 18013-5 §8.3.2.1.2, the mdoc's side).
 *
 * A presentation is built in three steps, so that the holder decides what
 * is shared after seeing who asks and for what:
 *
 * 1. tsr_presentation_new() with the DeviceRequest and the session's
 *    SessionTranscript; tsr_presentation_add_credential() for every
 *    credential the wallet could use; optionally the trusted reader roots.
 * 2. tsr_presentation_analyze() matches each DocRequest to a credential,
 *    checks its readerAuth and lists every requested element with whether
 *    it can be provided. The caller shows this and records consent per
 *    element (nothing is consented by default).
 * 3. tsr_presentation_respond() builds the DeviceResponse: the consented
 *    elements that are held, nothing else; Document.errors and
 *    documentErrors for the rest; device authentication by MAC when the
 *    transcript allows it (or by signature), the key operation being done
 *    by the credential's device key.
 *
 * age_over_NN requests are answered per 18013-5 §7.2.5: when age_over_NN
 * is not held, the nearest held statement is returned instead (the true
 * one with the smallest MM ≥ NN, else the false one with the largest
 * MM ≤ NN); birth_date is never returned in its place.
 */
#ifndef TESSERA_HOLDER_H
#define TESSERA_HOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>
#include <tessera/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The private half of a credential's device key, wherever it lives.
 *
 * Opaque; made from callbacks (a secure area) or, for tests and interop
 * tools, from a PEM private key held in memory.
 */
typedef struct tsr_device_key tsr_device_key_t;

/**
 * @brief Signs SHA-256(@p msg) with ES256, raw r || s (see tsr_secure_area_sign()).
 * @return #TSR_OK or an error code, passed through to the caller.
 */
typedef int (*tsr_device_sign_fn)(void *user, const uint8_t *msg, size_t len, uint8_t sig[64]);

/**
 * @brief ECDH with a peer COSE_Key; @p z receives the 32-byte shared x
 *        (see tsr_secure_area_key_agreement()).
 */
typedef int (*tsr_device_agree_fn)(void *user, const uint8_t *peer_cose_key, size_t peer_len,
    uint8_t z[32]);

/**
 * @brief A device key whose operations are done by callbacks.
 * @param sign required.
 * @param agree may be NULL: device authentication then always uses a signature.
 * @param user passed to both callbacks.
 * @param destroy called with @p user when the key is freed (may be NULL:
 *        then @p user must outlive the key).
 * @param[out] ret_key free with tsr_device_key_free().
 */
TSR_EXPORT TSR_WUR int tsr_device_key_new(tsr_device_sign_fn sign, tsr_device_agree_fn agree,
    void *user, void (*destroy)(void *user), tsr_device_key_t **ret_key);

/**
 * @brief A device key from a P-256 private key in PKCS#8 or SEC1, PEM or
 *        DER (software; for tests and the stateless `tessera present`).
 * @return #TSR_OK, #TSR_ERR_CRYPTO_BAD_KEY, #TSR_ERR_CRYPTO_UNSUPPORTED_ALG.
 */
TSR_EXPORT TSR_WUR int tsr_device_key_new_from_pem(const uint8_t *key, size_t len,
    tsr_device_key_t **ret_key);

/** @brief Frees a device key (wiping an in-memory private key). NULL is fine. */
TSR_EXPORT void tsr_device_key_free(tsr_device_key_t *key);

/** How a DocRequest's readerAuth judged. */
typedef enum tsr_reader_trust {
	TSR_READER_ANONYMOUS = 0, /**< no readerAuth */
	TSR_READER_TRUSTED = 1,   /**< valid, certificate chains to a trusted reader root */
	TSR_READER_UNTRUSTED = 2, /**< valid signature, but no trusted root (or none configured) */
	TSR_READER_INVALID = 3,   /**< signature, certificate profile or validity wrong */
} tsr_reader_trust_t;

/** A presentation in progress (opaque). */
typedef struct tsr_presentation tsr_presentation_t;

/**
 * @brief Starts answering a DeviceRequest.
 * @param request the DeviceRequest bytes (decrypted).
 * @param transcript SessionTranscript or SessionTranscriptBytes of the session.
 * @param[out] ret_p free with tsr_presentation_free().
 * @return #TSR_OK, a decoding error (`TSR_ERR_CBOR_*`, #TSR_ERR_MDOC_MALFORMED,
 *         #TSR_ERR_MDOC_VERSION), #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_presentation_new(const uint8_t *request, size_t len,
    const uint8_t *transcript, size_t transcript_len, tsr_presentation_t **ret_p);

/** @brief Frees a presentation. NULL is fine. */
TSR_EXPORT void tsr_presentation_free(tsr_presentation_t *p);

/** @brief Trusts the reader root certificate(s) in @p certs (PEM or DER). */
TSR_EXPORT TSR_WUR int tsr_presentation_add_reader_root(tsr_presentation_t *p,
    const uint8_t *certs, size_t len);

/**
 * @brief The strict reader policy: answer only trusted readers (default: off).
 *
 * With @p require set, a request is refused unless the readerAuth of every
 * DocRequest is #TSR_READER_TRUSTED: a request without readerAuth
 * (#TSR_READER_ANONYMOUS), one signed by a reader whose certificate does
 * not chain to a root given to tsr_presentation_add_reader_root()
 * (#TSR_READER_UNTRUSTED), and one whose signature, transcript,
 * certificate profile or validity is wrong (#TSR_READER_INVALID) are all
 * refused. A refused request is still analysed (tsr_presentation_reader_trust()
 * and the elements can be shown to the user) and tsr_presentation_refused()
 * says so; tsr_presentation_respond() then discloses nothing, whatever was
 * consented: its DeviceResponse (status 0) has no documents, and every
 * DocRequest's docType is in documentErrors with error code 0.
 * May be called before or after tsr_presentation_analyze().
 */
TSR_EXPORT void tsr_presentation_require_trusted_reader(tsr_presentation_t *p, bool require);

/**
 * @brief Whether the strict reader policy refuses this request.
 * @return true only when tsr_presentation_require_trusted_reader() is set,
 *         the presentation has been analysed, and some DocRequest's reader
 *         is not #TSR_READER_TRUSTED.
 */
TSR_EXPORT bool tsr_presentation_refused(const tsr_presentation_t *p);

/** @brief Judges reader certificates at @p now instead of tsr_clock_now(). */
TSR_EXPORT void tsr_presentation_set_time(tsr_presentation_t *p, int64_t now);

/**
 * @brief Offers a credential for this presentation.
 * @param issuer_signed the credential's IssuerSigned bytes as issued.
 * @param key its device key; borrowed, must outlive @p p.
 * @param label the caller's name for the credential (e.g. its store id),
 *        copied; reported back by tsr_presentation_doc_credential().
 * @return #TSR_OK, a decoding error, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_presentation_add_credential(tsr_presentation_t *p,
    const uint8_t *issuer_signed, size_t len, const tsr_device_key_t *key, const char *label);

/**
 * @brief Matches requests to credentials and checks reader authentication.
 *
 * Each DocRequest is matched to the first added credential of its docType
 * whose MSO is valid at the presentation's time.
 * @return #TSR_OK or #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_presentation_analyze(tsr_presentation_t *p);

/** @brief Number of DocRequests. */
TSR_EXPORT size_t tsr_presentation_doc_count(const tsr_presentation_t *p);
/** @brief The requested docType of DocRequest @p d (NUL-terminated, borrowed). */
TSR_EXPORT const char *tsr_presentation_doc_type(const tsr_presentation_t *p, size_t d);
/** @brief The label of the credential matched to DocRequest @p d, or NULL if none. */
TSR_EXPORT const char *tsr_presentation_doc_credential(const tsr_presentation_t *p, size_t d);
/**
 * @brief Reader authentication of DocRequest @p d.
 * @param[out] ret_subject the reader certificate's subject (borrowed), or
 *        NULL when there is none; may be NULL.
 */
TSR_EXPORT tsr_reader_trust_t tsr_presentation_reader_trust(const tsr_presentation_t *p,
    size_t d, const char **ret_subject);

/** One requested element, as analysed. */
typedef struct tsr_requested_element {
	const char *name_space;  /**< borrowed */
	const char *identifier;  /**< as requested, borrowed */
	bool intent_to_retain;   /**< the reader says it will keep the value */
	bool available;          /**< the matched credential can answer it */
	/** The element that would be returned: @p identifier itself, or for an
	 *  age_over_NN the nearest held statement (§7.2.5); NULL if unavailable. */
	const char *answer;
	bool consented;          /**< the holder agreed to share it */
} tsr_requested_element_t;

/** @brief Number of elements requested in DocRequest @p d. */
TSR_EXPORT size_t tsr_presentation_element_count(const tsr_presentation_t *p, size_t d);
/** @brief Element @p e of DocRequest @p d; #TSR_ERR_NOT_FOUND past the end. */
TSR_EXPORT TSR_WUR int tsr_presentation_element(const tsr_presentation_t *p, size_t d, size_t e,
    tsr_requested_element_t *ret_element);
/**
 * @brief Records the holder's decision for one element (default: not shared).
 * @return #TSR_OK or #TSR_ERR_NOT_FOUND.
 */
TSR_EXPORT TSR_WUR int tsr_presentation_consent(tsr_presentation_t *p, size_t d, size_t e,
    bool share);
/** @brief Consents to every available element of every DocRequest (or none). */
TSR_EXPORT void tsr_presentation_consent_all(tsr_presentation_t *p, bool share);

/**
 * @brief Builds the DeviceResponse.
 *
 * Only elements that are available and consented are disclosed; the others
 * are listed in Document.errors (code 0, "data not returned"); DocRequests
 * without a matching credential, or with nothing consented, go to
 * documentErrors. Under the strict reader policy a refused request
 * discloses nothing (tsr_presentation_require_trusted_reader()). Call
 * tsr_presentation_analyze() first.
 * @param device_auth #TSR_DEVICE_AUTH_MAC (used when the transcript has an
 *        EReaderKey and the device key can do key agreement, else a
 *        signature) or #TSR_DEVICE_AUTH_SIGNATURE.
 * @param[out] ret_response owned bytes (tsr_free()).
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (not analysed), or an error
 *         of the device key's callbacks (e.g. #TSR_ERR_SA_PIN_INCORRECT).
 */
TSR_EXPORT TSR_WUR int tsr_presentation_respond(tsr_presentation_t *p,
    tsr_device_auth_kind_t device_auth, uint8_t **ret_response, size_t *ret_len);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_HOLDER_H */
