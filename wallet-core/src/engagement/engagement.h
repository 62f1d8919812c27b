/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* DeviceEngagement (18013-5 §8.2.1.1) and its "mdoc:" QR form. */
#ifndef TSR_ENGAGEMENT_ENGAGEMENT_H
#define TSR_ENGAGEMENT_ENGAGEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "cbor/codec.h"
#include "crypto/crypto.h"

#define TSR_QR_URI_PREFIX "mdoc:"
#define TSR_CIPHER_SUITE_1 1

/* DeviceRetrievalMethod types. */
#define TSR_RETRIEVAL_NFC 1
#define TSR_RETRIEVAL_BLE 2
#define TSR_RETRIEVAL_WIFI_AWARE 3

/* BleOptions of a BLE DeviceRetrievalMethod. */
typedef struct tsr_ble_options {
	bool peripheral_server;             /* 0 */
	bool central_client;                /* 1 */
	bool has_peripheral_uuid;
	uint8_t peripheral_uuid[16];        /* 10, big-endian */
	bool has_central_uuid;
	uint8_t central_uuid[16];           /* 11 */
	bool has_address;
	uint8_t address[6];                 /* 20 */
	bool has_psm;
	uint16_t psm;                       /* 21 (2nd-edition draft), peripheral server mode */
} tsr_ble_options_t;

/*
 * DeviceEngagement = {0: tstr, 1: Security, ? 2: DeviceRetrievalMethods,
 *                     ? 3: ServerRetrievalMethods, ? 4: ProtocolInfo,
 *                     ? 5: OriginInfos, ? 6: Capabilities, * int => any}
 */
typedef struct tsr_engagement {
	tsr_cbor_doc_t *doc;
	tsr_span_t version;                 /* "1.0" or "1.1" */
	int64_t cipher_suite;
	tsr_span_t e_device_key_bytes;      /* EDeviceKeyBytes (tag 24) as received */
	tsr_ec_pub_t e_device_key;
	const tsr_cbor_item_t *retrieval_methods; /* NULL when absent */
	bool has_ble;
	tsr_ble_options_t ble;
} tsr_engagement_t;

/* Decodes DeviceEngagement bytes (not the tag-24 wrapped form). */
int tsr_engagement_decode(const uint8_t *ptr, size_t len, tsr_engagement_t *ret);
void tsr_engagement_clear(tsr_engagement_t *de);
/* Re-encodes: keys 0 and 1 first, then every other entry as received. */
int tsr_engagement_encode(const tsr_engagement_t *de, uint8_t **ret_ptr, size_t *ret_len);

/* Builds a version 1.0 DeviceEngagement with cipher suite 1 and, when ble
 * is not NULL, one BLE retrieval method. */
int tsr_engagement_build(const tsr_ec_pub_t *e_device_key, const tsr_ble_options_t *ble,
    uint8_t **ret_ptr, size_t *ret_len);

/* "mdoc:" + base64url without padding (§8.2.2.3). TSR_ERR_LIMIT when the URI
 * would be longer than tsr_engagement_from_qr_uri() takes (4096 characters:
 * more than any QR code holds). */
int tsr_engagement_to_qr_uri(const uint8_t *ptr, size_t len, char **ret_uri);
/* The DeviceEngagement bytes inside an "mdoc:" URI (TSR_ERR_INVALID_ARGUMENT
 * when the prefix or the base64url is wrong). */
int tsr_engagement_from_qr_uri(const char *uri, uint8_t **ret_ptr, size_t *ret_len);

#endif /* TSR_ENGAGEMENT_ENGAGEMENT_H */
