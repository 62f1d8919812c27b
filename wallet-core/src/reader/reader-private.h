/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The structures behind the opaque types of <tessera/reader.h>. A result
 * owns copies of everything it reports, so it outlives the response bytes. */
#ifndef TSR_READER_PRIVATE_H
#define TSR_READER_PRIVATE_H

#include <tessera/reader.h>

#include "mdoc/mdoc.h"

struct tsr_verifier {
	tsr_x509_t *anchors;
	bool has_transcript;
	tsr_transcript_t transcript;
	tsr_ec_key_t *reader_key;
	bool has_time;
	int64_t now;
	/* Token Status Lists (status.c) */
	struct tsr_status_list *status_lists;
	size_t n_status_lists;
};

typedef struct tsr_element_entry {
	char *name_space;
	char *identifier;
	uint8_t *value;
	size_t value_len;
	bool device_signed;
	bool digest_matched;
	bool verified;
} tsr_element_entry_t;

typedef struct tsr_element_error {
	char *name_space;
	char *identifier;
	int64_t code;
} tsr_element_error_t;

struct tsr_verified_doc {
	uint32_t reasons;
	char *doc_type;
	tsr_device_auth_kind_t device_auth;
	char *ds_subject;
	char *iaca_subject;
	char digest_alg[16];
	bool has_validity;
	int64_t signed_at, valid_from, valid_until, expected_update;
	bool has_ds_validity;
	int64_t ds_not_before, ds_not_after;
	tsr_element_entry_t *elements;
	size_t n_elements;
	tsr_element_error_t *errors;
	size_t n_errors;
	tsr_doc_status_t status;        /* status.c */
	const char *status_reason;      /* static */
};

typedef struct tsr_document_error {
	char *doc_type;
	int64_t code;
} tsr_document_error_t;

struct tsr_verify_result {
	int64_t now;
	uint32_t reasons;
	int decode_error;
	uint64_t status;
	tsr_verified_doc_t *docs;
	size_t n_docs;
	tsr_document_error_t *doc_errors;
	size_t n_doc_errors;
};

/* Inputs every document of one response is checked against. */
typedef struct tsr_verify_ctx {
	const tsr_verifier_t *verifier;
	int64_t now;
	/* Set when a transcript is known: SHA-256(SessionTranscriptBytes). */
	bool has_salt;
	uint8_t salt[32];
} tsr_verify_ctx_t;

/* Checks one decoded document and fills out (reasons and copies). Returns
 * TSR_OK or TSR_ERR_NO_MEMORY; verification failures are reasons, not
 * return codes. */
int tsr_verify_document(const tsr_verify_ctx_t *ctx, const tsr_document_t *doc,
    tsr_verified_doc_t *out);
void tsr_verified_doc_clear(tsr_verified_doc_t *doc);

/* Revocation status from the verifier's status lists (status.c): sets
 * out->status and, when revoked or suspended, TSR_REASON_REVOKED. Call after
 * the issuer chain check (it compares IACAs). TSR_OK or TSR_ERR_NO_MEMORY. */
int tsr_verify_status(const tsr_verify_ctx_t *ctx, const tsr_document_t *doc,
    tsr_verified_doc_t *out);
/* Frees the verifier's status lists. */
void tsr_verifier_status_free(tsr_verifier_t *verifier);

#endif /* TSR_READER_PRIVATE_H */
