/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Session establishment and encryption (18013-5 §9.1.1): the
 * SessionEstablishment and SessionData messages, SKReader/SKDevice
 * derivation and the AES-256-GCM message counters.
 */
#ifndef TSR_SESSION_SESSION_H
#define TSR_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/session.h>

#include "base/buf.h"
#include "cbor/codec.h"
#include "crypto/crypto.h"
#include "mdoc/mdoc.h"

typedef enum tsr_session_role {
	TSR_SESSION_READER,
	TSR_SESSION_MDOC,
} tsr_session_role_t;

/* Keys and counters of one session. Each direction has its own key and a
 * counter that starts at 1 and must never repeat. */
typedef struct tsr_session {
	tsr_session_role_t role;
	uint8_t sk_reader[32];
	uint8_t sk_device[32];
	uint32_t send_counter; /* the next counter this side encrypts with */
	uint32_t recv_counter; /* the counter the next incoming message must have */
} tsr_session_t;

/*
 * Derives SKReader and SKDevice = HKDF-SHA-256(Z, SHA-256(SessionTranscriptBytes),
 * "SKReader"/"SKDevice", 32) (§9.1.1.5). z is the ECDH shared secret of
 * EReaderKey and EDeviceKey (x-coordinate).
 */
int tsr_session_init(tsr_session_t *s, tsr_session_role_t role, const uint8_t *z, size_t z_len,
    const tsr_transcript_t *st);
/* Wipes the keys. */
void tsr_session_clear(tsr_session_t *s);

/* Encrypts a message to the peer: ciphertext || tag, len + 16 bytes
 * (owned). TSR_ERR_LIMIT when the counter would wrap. */
int tsr_session_encrypt(tsr_session_t *s, const uint8_t *pt, size_t len, uint8_t **ret_ct,
    size_t *ret_ct_len);
/* Decrypts the peer's next message. A message that does not decrypt with
 * the expected counter (replayed, reordered, forged) is
 * TSR_ERR_CRYPTO_DECRYPT; the session must then end with status 10. */
int tsr_session_decrypt(tsr_session_t *s, const uint8_t *ct, size_t len, uint8_t **ret_pt,
    size_t *ret_pt_len);

/* SessionEstablishment = {"eReaderKey": EReaderKeyBytes, "data": bstr} */
typedef struct tsr_session_establishment {
	tsr_cbor_doc_t *doc;
	tsr_span_t e_reader_key_bytes;  /* EReaderKeyBytes (tag 24) as received */
	tsr_ec_pub_t e_reader_key;
	tsr_span_t data;
} tsr_session_establishment_t;

int tsr_session_establishment_decode(const uint8_t *ptr, size_t len,
    tsr_session_establishment_t *ret);
void tsr_session_establishment_clear(tsr_session_establishment_t *se);
int tsr_session_establishment_encode(tsr_span_t e_reader_key_bytes, const uint8_t *data,
    size_t data_len, uint8_t **ret_ptr, size_t *ret_len);

/* SessionData = {? "data": bstr, ? "status": uint} (at least one) */
typedef struct tsr_session_data {
	tsr_cbor_doc_t *doc;
	bool has_data;
	tsr_span_t data;
	bool has_status;
	uint64_t status;
} tsr_session_data_t;

int tsr_session_data_decode(const uint8_t *ptr, size_t len, tsr_session_data_t *ret);
void tsr_session_data_clear(tsr_session_data_t *sd);
/* data may be NULL (status only); status < 0 means none. */
int tsr_session_data_encode(const uint8_t *data, size_t data_len, int status, uint8_t **ret_ptr,
    size_t *ret_len);

/* SessionTranscript = [DeviceEngagementBytes, EReaderKeyBytes, Handover]
 * from the engagement's bytes (wrapped here in tag 24), the EReaderKeyBytes
 * as sent, and the encoded Handover (null, F6, for QR engagement). */
int tsr_session_transcript_build(const uint8_t *engagement, size_t engagement_len,
    tsr_span_t e_reader_key_bytes, tsr_span_t handover, uint8_t **ret_ptr, size_t *ret_len);

/* The reader session's ephemeral private key, for checking deviceMac. */
const tsr_ec_key_t *tsr_reader_session_key(const tsr_reader_session_t *s);

/* Where a session keeps its secrets, for the memory-scan test
 * (tests/assurance/test-secret-scan.c), which checks that nothing of them
 * is left in memory once the session is freed. */
const tsr_session_t *tsr_holder_session_keys(const tsr_holder_session_t *s);
const tsr_ec_key_t *tsr_holder_session_key(const tsr_holder_session_t *s);
const tsr_session_t *tsr_reader_session_keys(const tsr_reader_session_t *s);

#endif /* TSR_SESSION_SESSION_H */
