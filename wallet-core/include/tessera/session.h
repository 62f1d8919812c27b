/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file session.h
 * @brief The proximity session of ISO/IEC 18013-5 §9.1.1, for both sides.
 *
 * The holder makes a fresh ephemeral key (EDeviceKey) and a
 * DeviceEngagement, shown as an "mdoc:" QR code. The reader scans it, makes
 * its own ephemeral key (EReaderKey), derives the session keys and sends its
 * encrypted DeviceRequest in a SessionEstablishment; the holder answers
 * with the encrypted DeviceResponse in SessionData. Either side may end the
 * session with status 20. These objects do no I/O: they turn messages into
 * messages, and a transport (transport.h) carries them.
 *
 * Each object enforces the order of the protocol: a call out of turn fails
 * with #TSR_ERR_SESSION_STATE, and a message that does not decrypt with the
 * next counter (replayed, reordered, forged) ends the session.
 */
#ifndef TESSERA_SESSION_H
#define TESSERA_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>
#include <tessera/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Session errors (-800 .. -899); see tsr_strerror(). */
#define TSR_ERR_SESSION_STATE -800      /**< Call out of the protocol's order, or session ended. */
#define TSR_ERR_SESSION_PEER_ERROR -801 /**< The peer ended the session with an error status. */
#define TSR_ERR_SESSION_TERMINATED -802 /**< The peer ended the session (status 20). */

/** SessionData.status values (§9.1.1.4). */
#define TSR_SESSION_STATUS_ENCRYPTION_ERROR 10
#define TSR_SESSION_STATUS_DECODING_ERROR 11
#define TSR_SESSION_STATUS_TERMINATION 20

/** The LE SPSM range (Bluetooth Core Vol 3 Part A §4.22) of an L2CAP PSM
 *  in an engagement; decoding refuses an engagement with one outside it. */
#define TSR_BLE_PSM_MIN 0x0001
#define TSR_BLE_PSM_MAX 0x00ff

/** BLE options to offer in a DeviceEngagement (18013-5 §8.2.2.1). */
typedef struct tsr_engagement_ble {
	bool peripheral_server;        /**< offer mdoc peripheral server mode */
	bool central_client;           /**< offer mdoc central client mode */
	uint8_t uuid[16];              /**< the service UUID (big-endian), fresh per engagement */
	/** Peripheral server mode: the holder's GATT server also listens on
	 *  an L2CAP PSM (tsr_ble_info_t.psm), named in BleOptions key 21
	 *  (2nd-edition draft) so the reader need not read the L2CAP
	 *  characteristic first. Only with @c peripheral_server. */
	bool has_psm;
	uint16_t psm;                  /**< that PSM, #TSR_BLE_PSM_MIN..#TSR_BLE_PSM_MAX */
} tsr_engagement_ble_t;

/**
 * @brief The BLE Ident of an engagement (18013-5 §8.3.3.1.1.4):
 *        HKDF-SHA-256(IKM = EDeviceKeyBytes, salt = "", info = "BLEIdent",
 *        16 bytes).
 *
 * In mdoc central client mode the reader serves it and the holder checks
 * it, so the holder knows it reached the reader that scanned its code
 * (tsr_ble_config_t.ident). Holder: the bytes of
 * tsr_holder_session_engagement(); reader: of
 * tsr_reader_session_engagement().
 * @param engagement DeviceEngagement bytes (not tag-24 wrapped).
 * @param len their length.
 * @param[out] ret_ident 16 bytes; untouched on failure.
 * @return #TSR_OK; #TSR_ERR_INVALID_ARGUMENT; a decoding error of the
 *         DeviceEngagement.
 */
TSR_EXPORT TSR_WUR int tsr_engagement_ble_ident(const uint8_t *engagement, size_t len,
    uint8_t ret_ident[16]);

/* ---- Holder side ---- */

/** The holder's side of one session (opaque). */
typedef struct tsr_holder_session tsr_holder_session_t;

/**
 * @brief Starts a session: a new EDeviceKey (P-256) and DeviceEngagement.
 * @param ble the BLE retrieval method to offer, or NULL for none (e.g. the
 *        local transport).
 * @param[out] ret_session free with tsr_holder_session_free().
 * @return #TSR_OK; #TSR_ERR_INVALID_ARGUMENT (no mode offered, or a PSM
 *         without peripheral server mode or outside the LE SPSM range);
 *         #TSR_ERR_NO_MEMORY; a key generation error.
 */
TSR_EXPORT TSR_WUR int tsr_holder_session_new(const tsr_engagement_ble_t *ble,
    tsr_holder_session_t **ret_session);

/** @brief Ends the session and wipes its keys. NULL is fine. */
TSR_EXPORT void tsr_holder_session_free(tsr_holder_session_t *session);

/** @brief The DeviceEngagement bytes (borrowed). */
TSR_EXPORT void tsr_holder_session_engagement(const tsr_holder_session_t *session,
    const uint8_t **ret_ptr, size_t *ret_len);

/**
 * @brief The "mdoc:" URI to show as a QR code.
 * @param[out] ret_uri owned (tsr_free()).
 */
TSR_EXPORT TSR_WUR int tsr_holder_session_qr_uri(const tsr_holder_session_t *session,
    char **ret_uri);

/**
 * @brief Takes the reader's SessionEstablishment: derives the session keys
 *        and decrypts the DeviceRequest.
 * @param[out] ret_request the DeviceRequest (owned, tsr_free()).
 * @return #TSR_OK; #TSR_ERR_SESSION_STATE if not the first message; a
 *         decoding error (answer with status 11) or #TSR_ERR_CRYPTO_DECRYPT
 *         (answer with status 10), see tsr_holder_session_error().
 */
TSR_EXPORT TSR_WUR int tsr_holder_session_establish(tsr_holder_session_t *session,
    const uint8_t *msg, size_t len, uint8_t **ret_request, size_t *ret_request_len);

/**
 * @brief The SessionTranscript of this session (borrowed; valid after
 *        tsr_holder_session_establish()), for tsr_presentation_new().
 */
TSR_EXPORT TSR_WUR int tsr_holder_session_transcript(const tsr_holder_session_t *session,
    const uint8_t **ret_ptr, size_t *ret_len);

/**
 * @brief Encrypts a DeviceResponse into SessionData.
 * @param terminate also end the session (status 20 in the same message).
 * @param[out] ret_msg owned (tsr_free()).
 */
TSR_EXPORT TSR_WUR int tsr_holder_session_respond(tsr_holder_session_t *session,
    const uint8_t *response, size_t len, bool terminate, uint8_t **ret_msg, size_t *ret_len);

/**
 * @brief Takes a later message from the reader: another request, or the end.
 * @param[out] ret_request the next DeviceRequest (owned) when there is one.
 * @return #TSR_OK with a request; #TSR_ERR_SESSION_TERMINATED when the
 *         reader ended the session; #TSR_ERR_SESSION_PEER_ERROR for an error
 *         status; #TSR_ERR_CRYPTO_DECRYPT; a decoding error.
 */
TSR_EXPORT TSR_WUR int tsr_holder_session_receive(tsr_holder_session_t *session,
    const uint8_t *msg, size_t len, uint8_t **ret_request, size_t *ret_request_len);

/**
 * @brief A SessionData carrying only a status (10, 11 or 20); the session
 *        is over afterwards.
 */
TSR_EXPORT TSR_WUR int tsr_holder_session_error(tsr_holder_session_t *session, int status,
    uint8_t **ret_msg, size_t *ret_len);

/* ---- Reader side ---- */

/** The reader's side of one session (opaque). */
typedef struct tsr_reader_session tsr_reader_session_t;

/**
 * @brief Starts a session from the holder's "mdoc:" URI: decodes the
 *        engagement and makes a new EReaderKey on the same curve.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (not an mdoc: URI), a decoding
 *         error of the DeviceEngagement, #TSR_ERR_CRYPTO_UNSUPPORTED_ALG.
 */
TSR_EXPORT TSR_WUR int tsr_reader_session_new(const char *qr_uri,
    tsr_reader_session_t **ret_session);

/** @brief Ends the session and wipes its keys. NULL is fine. */
TSR_EXPORT void tsr_reader_session_free(tsr_reader_session_t *session);

/**
 * @brief The BLE retrieval method the holder offered.
 * @return #TSR_OK, or #TSR_ERR_NOT_FOUND when it offered none.
 */
TSR_EXPORT TSR_WUR int tsr_reader_session_ble(const tsr_reader_session_t *session,
    tsr_engagement_ble_t *ret_ble);

/**
 * @brief The holder's DeviceEngagement bytes, as decoded from the URI
 *        (borrowed), e.g. for tsr_engagement_ble_ident().
 */
TSR_EXPORT void tsr_reader_session_engagement(const tsr_reader_session_t *session,
    const uint8_t **ret_ptr, size_t *ret_len);

/** @brief SessionTranscript = [DeviceEngagementBytes, EReaderKeyBytes, null] (borrowed). */
TSR_EXPORT void tsr_reader_session_transcript(const tsr_reader_session_t *session,
    const uint8_t **ret_ptr, size_t *ret_len);

/**
 * @brief Encrypts the DeviceRequest into the SessionEstablishment.
 * @param[out] ret_msg owned (tsr_free()).
 */
TSR_EXPORT TSR_WUR int tsr_reader_session_establish(tsr_reader_session_t *session,
    const uint8_t *request, size_t len, uint8_t **ret_msg, size_t *ret_len);

/**
 * @brief Encrypts a further DeviceRequest into SessionData.
 */
TSR_EXPORT TSR_WUR int tsr_reader_session_request(tsr_reader_session_t *session,
    const uint8_t *request, size_t len, uint8_t **ret_msg, size_t *ret_len);

/**
 * @brief Takes the holder's SessionData: the answer to the request that is
 *        out, or, between requests, the holder ending the session.
 * @param[out] ret_response the DeviceResponse (owned) when it carried one.
 * @param[out] ret_ended set when the holder also ended the session (may be NULL).
 * @return #TSR_OK with a response; #TSR_ERR_SESSION_TERMINATED (status 20,
 *         no data); #TSR_ERR_SESSION_PEER_ERROR (status 10/11/12);
 *         #TSR_ERR_CRYPTO_DECRYPT; a decoding error; #TSR_ERR_SESSION_STATE
 *         before the first request, after the end, or for a response when no
 *         request is out. Every outcome but #TSR_OK without @p ret_ended
 *         ends the session.
 */
TSR_EXPORT TSR_WUR int tsr_reader_session_receive(tsr_reader_session_t *session,
    const uint8_t *msg, size_t len, uint8_t **ret_response, size_t *ret_response_len,
    bool *ret_ended);

/** @brief The {status: 20} SessionData that ends the session. */
TSR_EXPORT TSR_WUR int tsr_reader_session_terminate(tsr_reader_session_t *session,
    uint8_t **ret_msg, size_t *ret_len);

/**
 * @brief Gives a verifier this session's transcript and EReaderKey, so that
 *        MAC device authentication can be checked.
 */
TSR_EXPORT TSR_WUR int tsr_reader_session_prepare_verifier(const tsr_reader_session_t *session,
    tsr_verifier_t *verifier);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_SESSION_H */
