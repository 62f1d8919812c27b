/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The ISO/IEC 18013-5 data model (§8.3.2.1.2): IssuerSigned and the MSO,
 * DeviceSigned, Document, DeviceResponse, DeviceRequest, SessionTranscript.
 *
 * Decoded structures borrow from a CBOR document: a top-level structure owns
 * the document (`doc`) and everything inside points into it. Every
 * `#6.24(bstr .cbor X)` keeps its received bytes in a `*_bytes` span (the
 * whole tag-24 item), and digests, signatures and MACs are computed over
 * those spans only. The encoders write the keys in the order of the CDDL
 * (the order of the Annex D examples), so a decoded structure re-encodes to
 * the same bytes.
 */
#ifndef TSR_MDOC_MDOC_H
#define TSR_MDOC_MDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "cbor/codec.h"
#include "cose/cose.h"
#include "crypto/crypto.h"

#define TSR_DOCTYPE_MDL "org.iso.18013.5.1.mDL"
#define TSR_NAMESPACE_MDL "org.iso.18013.5.1"

/* IssuerSignedItem = {"digestID": uint, "random": bstr,
 *                     "elementIdentifier": tstr, "elementValue": any} */
typedef struct tsr_issuer_item {
	tsr_span_t bytes;               /* IssuerSignedItemBytes as received */
	tsr_cbor_doc_t *doc;            /* owned: the decoded IssuerSignedItem */
	uint64_t digest_id;
	tsr_span_t random;
	tsr_span_t element_id;          /* tstr content, not NUL-terminated */
	const tsr_cbor_item_t *value;
} tsr_issuer_item_t;

typedef struct tsr_issuer_ns {
	tsr_span_t name;
	tsr_issuer_item_t *items;
	size_t n_items;
} tsr_issuer_ns_t;

/* MobileSecurityObject */
typedef struct tsr_mso {
	tsr_cbor_doc_t *doc;            /* owned: the decoded MSO map */
	tsr_hash_alg_t digest_alg;
	/* valueDigests = {+ NameSpace => {+ DigestID => Digest}} */
	const tsr_cbor_item_t *value_digests;
	tsr_ec_pub_t device_key;
	const tsr_cbor_item_t *key_authorizations; /* NULL when absent */
	tsr_span_t doc_type;
	int64_t signed_at, valid_from, valid_until;
	bool has_expected_update;
	int64_t expected_update;
	const tsr_cbor_item_t *status;  /* 2nd edition revocation info; NULL when absent */
} tsr_mso_t;

/* IssuerSigned = {? "nameSpaces": IssuerNameSpaces, "issuerAuth": COSE_Sign1} */
typedef struct tsr_issuer_signed {
	tsr_issuer_ns_t *ns;
	size_t n_ns;
	const tsr_cbor_item_t *issuer_auth_item;
	tsr_cose_msg_t issuer_auth;
	tsr_mso_t mso;
} tsr_issuer_signed_t;

/* DeviceSigned = {"nameSpaces": DeviceNameSpacesBytes, "deviceAuth": DeviceAuth} */
typedef struct tsr_device_signed {
	tsr_span_t ns_bytes;            /* DeviceNameSpacesBytes as received */
	tsr_cbor_doc_t *ns_doc;         /* owned: DeviceNameSpaces */
	bool is_mac;                    /* deviceMac, else deviceSignature */
	const tsr_cbor_item_t *auth_item;
	tsr_cose_msg_t auth;
} tsr_device_signed_t;

typedef struct tsr_document {
	tsr_span_t doc_type;
	tsr_issuer_signed_t issuer_signed;
	bool has_device_signed;         /* always true in a DeviceResponse */
	tsr_device_signed_t device_signed;
	const tsr_cbor_item_t *errors;  /* Errors; NULL when absent */
} tsr_document_t;

typedef struct tsr_response {
	tsr_cbor_doc_t *doc;
	tsr_span_t version;
	tsr_document_t *docs;
	size_t n_docs;
	bool has_documents;             /* "documents" present (an empty array is invalid) */
	const tsr_cbor_item_t *document_errors; /* NULL when absent */
	uint64_t status;
} tsr_response_t;

/* DocRequest = {"itemsRequest": ItemsRequestBytes, ? "readerAuth": COSE_Sign1} */
typedef struct tsr_doc_request {
	tsr_span_t items_bytes;         /* ItemsRequestBytes as received */
	tsr_cbor_doc_t *items_doc;      /* owned: ItemsRequest */
	tsr_span_t doc_type;
	/* NameSpaces = {+ NameSpace => {+ DataElementIdentifier => IntentToRetain}} */
	const tsr_cbor_item_t *name_spaces;
	const tsr_cbor_item_t *request_info; /* NULL when absent */
	bool has_reader_auth;
	const tsr_cbor_item_t *reader_auth_item;
	tsr_cose_msg_t reader_auth;
} tsr_doc_request_t;

typedef struct tsr_request {
	tsr_cbor_doc_t *doc;
	tsr_span_t version;
	tsr_doc_request_t *reqs;
	size_t n_reqs;
	/* 2nd edition (version "1.1"): kept as received, not yet acted on. */
	const tsr_cbor_item_t *reader_auth_all;     /* NULL when absent */
	const tsr_cbor_item_t *device_request_info; /* NULL when absent */
} tsr_request_t;

/* SessionTranscript = [DeviceEngagementBytes / null, EReaderKeyBytes / null, Handover] */
typedef struct tsr_transcript {
	tsr_cbor_doc_t *doc;
	tsr_span_t bytes;               /* the SessionTranscript (untagged) encoding */
	const tsr_cbor_item_t *device_engagement; /* tag 24 item or null */
	const tsr_cbor_item_t *e_reader_key;      /* tag 24 item or null */
	const tsr_cbor_item_t *handover;
	bool has_e_reader_key;
	tsr_ec_pub_t e_reader_pub;
} tsr_transcript_t;

/* Decoding: TSR_OK, TSR_ERR_MDOC_MALFORMED (or a more precise CBOR/COSE
 * code); the output is untouched on failure. */
int tsr_issuer_item_decode(const tsr_cbor_item_t *item, tsr_issuer_item_t *ret_item);
void tsr_issuer_item_clear(tsr_issuer_item_t *item);
int tsr_mso_decode_payload(tsr_span_t payload, tsr_mso_t *ret_mso);
void tsr_mso_clear(tsr_mso_t *mso);
int tsr_issuer_signed_decode(const tsr_cbor_item_t *item, tsr_issuer_signed_t *ret);
void tsr_issuer_signed_clear(tsr_issuer_signed_t *is);
int tsr_document_decode(const tsr_cbor_item_t *item, bool require_device_signed,
    tsr_document_t *ret);
void tsr_document_clear(tsr_document_t *doc);
int tsr_response_decode(const uint8_t *ptr, size_t len, tsr_response_t *ret);
void tsr_response_clear(tsr_response_t *resp);
int tsr_request_decode(const uint8_t *ptr, size_t len, tsr_request_t *ret);
void tsr_request_clear(tsr_request_t *req);
/* Accepts SessionTranscript or SessionTranscriptBytes. */
int tsr_transcript_decode(const uint8_t *ptr, size_t len, tsr_transcript_t *ret);
void tsr_transcript_clear(tsr_transcript_t *st);

/* Encoding from the model (the structures a decoder fills). */
void tsr_issuer_signed_encode(tsr_cbor_enc_t *enc, const tsr_issuer_signed_t *is);
void tsr_document_encode(tsr_cbor_enc_t *enc, const tsr_document_t *doc);
int tsr_response_encode(const tsr_response_t *resp, uint8_t **ret_ptr, size_t *ret_len);
int tsr_request_encode(const tsr_request_t *req, uint8_t **ret_ptr, size_t *ret_len);
int tsr_transcript_encode(const tsr_transcript_t *st, uint8_t **ret_ptr, size_t *ret_len);

/* Builds DeviceAuthenticationBytes =
 *   #6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript, DocType,
 *                     DeviceNameSpacesBytes]) */
int tsr_device_authentication_bytes(const tsr_transcript_t *st, tsr_span_t doc_type,
    tsr_span_t device_ns_bytes, uint8_t **ret_ptr, size_t *ret_len);
/* Builds ReaderAuthenticationBytes =
 *   #6.24(bstr .cbor ["ReaderAuthentication", SessionTranscript, ItemsRequestBytes]) */
int tsr_reader_authentication_bytes(const tsr_transcript_t *st, tsr_span_t items_bytes,
    uint8_t **ret_ptr, size_t *ret_len);

/*
 * Checks one DocRequest's readerAuth (§9.1.4): the COSE_Sign1 over
 * ReaderAuthenticationBytes built from our own transcript, by the key of its
 * x5chain leaf, then that chain against roots (may be NULL: no trust) at
 * now with EKU 1.0.18013.5.1.6. Returns TSR_OK when the signature verifies,
 * with *ret_flags the chain's TSR_X509_* problems (0 = trusted);
 * TSR_ERR_NOT_FOUND without readerAuth; TSR_ERR_COSE_NO_X5CHAIN,
 * TSR_ERR_COSE_ALG or TSR_ERR_CRYPTO_BAD_SIGNATURE when it is not valid.
 * *ret_subject (may be NULL) receives the leaf's subject when there is one,
 * also on signature failure.
 */
int tsr_reader_auth_check(const tsr_doc_request_t *dr, const tsr_transcript_t *st,
    const tsr_x509_t *roots, int64_t now, uint32_t *ret_flags, char **ret_subject);

/* SHA-256(SessionTranscriptBytes): the HKDF salt of §9.1.1.5. */
int tsr_transcript_salt(const tsr_transcript_t *st, uint8_t ret_salt[32]);

#endif /* TSR_MDOC_MDOC_H */
