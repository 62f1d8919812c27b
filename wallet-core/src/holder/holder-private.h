/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The structures behind <tessera/holder.h>. */
#ifndef TSR_HOLDER_PRIVATE_H
#define TSR_HOLDER_PRIVATE_H

#include <tessera/holder.h>

#include "mdoc/mdoc.h"

struct tsr_device_key {
	tsr_device_sign_fn sign;
	tsr_device_agree_fn agree;
	void *user;
	void (*destroy)(void *user);
};

typedef struct tsr_held_credential {
	char *label;
	tsr_cbor_doc_t *doc;
	tsr_issuer_signed_t is;
	const tsr_device_key_t *key;
} tsr_held_credential_t;

typedef struct tsr_requested {
	char *name_space;
	char *identifier;
	bool intent_to_retain;
	bool consented;
	/* The credential's item that answers it, or NULL. */
	const tsr_issuer_item_t *answer;
	char *answer_id;
} tsr_requested_t;

typedef struct tsr_doc_answer {
	char *doc_type;
	const tsr_doc_request_t *request;
	tsr_held_credential_t *credential; /* NULL: nothing held */
	tsr_reader_trust_t trust;
	char *reader_subject;
	tsr_requested_t *elements;
	size_t n_elements;
} tsr_doc_answer_t;

struct tsr_presentation {
	tsr_request_t request;
	tsr_transcript_t transcript;
	tsr_x509_t *reader_roots;
	bool has_time;
	int64_t now;
	tsr_held_credential_t *credentials;
	size_t n_credentials;
	tsr_doc_answer_t *docs;
	size_t n_docs;
	bool analyzed;
	bool require_trusted_reader; /* tsr_presentation_require_trusted_reader() */
};

/* The item of ns that answers a request for identifier per §7.2.5, or NULL. */
const tsr_issuer_item_t *tsr_holder_find_answer(const tsr_issuer_ns_t *ns, const char *identifier);

/* Builds the DeviceResponse of an analysed presentation (respond.c). */
int tsr_holder_build_response(tsr_presentation_t *p, tsr_device_auth_kind_t device_auth,
    uint8_t **ret_ptr, size_t *ret_len);

#endif /* TSR_HOLDER_PRIVATE_H */
