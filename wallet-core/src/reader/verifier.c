/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* tsr_verifier_t: what a DeviceResponse is checked against, and the
 * response-level part of verification. */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "reader/reader-private.h"

int
tsr_verifier_new(tsr_verifier_t **ret_verifier)
{
	tsr_verifier_t *v;

	if (ret_verifier == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return TSR_ERR_NO_MEMORY;
	*ret_verifier = v;
	return TSR_OK;
}

void
tsr_verifier_free(tsr_verifier_t *verifier)
{
	if (verifier == NULL)
		return;
	tsr_x509_free(verifier->anchors);
	tsr_transcript_clear(&verifier->transcript);
	tsr_ec_key_free(verifier->reader_key);
	tsr_verifier_status_free(verifier);
	free(verifier);
}

int
tsr_verifier_add_trust_anchor(tsr_verifier_t *verifier, const uint8_t *cert, size_t len)
{
	int r;

	if (verifier == NULL || cert == NULL || len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if (verifier->anchors == NULL && (r = tsr_x509_new(&verifier->anchors)) != TSR_OK)
		return r;
	return tsr_x509_add(verifier->anchors, cert, len);
}

int
tsr_verifier_set_transcript(tsr_verifier_t *verifier, const uint8_t *transcript, size_t len)
{
	tsr_transcript_t st;
	int r;

	if (verifier == NULL || transcript == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_transcript_decode(transcript, len, &st)) != TSR_OK)
		return r;
	tsr_transcript_clear(&verifier->transcript);
	verifier->transcript = st;
	verifier->has_transcript = true;
	return TSR_OK;
}

int
tsr_verifier_set_reader_key(tsr_verifier_t *verifier, const uint8_t *key, size_t len)
{
	tsr_ec_key_t *k = NULL;
	int r;

	if (verifier == NULL || key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_ec_key_parse(key, len, &k)) != TSR_OK)
		return r;
	tsr_ec_key_free(verifier->reader_key);
	verifier->reader_key = k;
	return TSR_OK;
}

void
tsr_verifier_set_time(tsr_verifier_t *verifier, int64_t now)
{
	if (verifier == NULL)
		return;
	verifier->has_time = true;
	verifier->now = now;
}

void
tsr_verify_result_free(tsr_verify_result_t *result)
{
	if (result == NULL)
		return;
	for (size_t i = 0; i < result->n_docs; i++)
		tsr_verified_doc_clear(&result->docs[i]);
	for (size_t i = 0; i < result->n_doc_errors; i++)
		free(result->doc_errors[i].doc_type);
	free(result->docs);
	free(result->doc_errors);
	free(result);
}

/* The reader key must be the private half of the transcript's EReaderKey:
 * otherwise the caller mixed up two sessions. */
static bool
reader_key_matches(const tsr_verifier_t *v)
{
	tsr_ec_pub_t pub;

	if (v->reader_key == NULL || !v->transcript.has_e_reader_key)
		return true;
	return tsr_ec_key_public(v->reader_key, &pub) == TSR_OK &&
	    tsr_ec_pub_equal(&pub, &v->transcript.e_reader_pub);
}

static int
copy_document_errors(const tsr_response_t *resp, tsr_verify_result_t *result)
{
	const tsr_cbor_item_t *errors = resp->document_errors;
	int r;

	if (errors == NULL)
		return TSR_OK;
	if ((result->doc_errors = calloc(errors->u.list.count,
	    sizeof(*result->doc_errors))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < errors->u.list.count; i++) {
		const tsr_cbor_item_t *entry = &errors->u.list.items[i];
		tsr_document_error_t *e = &result->doc_errors[i];

		if ((r = tsr_span_strdup(tsr_cbor_map_key(entry, 0)->u.str, &e->doc_type)) !=
		    TSR_OK)
			return r;
		(void)tsr_cbor_get_int(tsr_cbor_map_value(entry, 0), &e->code);
		result->n_doc_errors = i + 1;
	}
	return TSR_OK;
}

static int
verify_documents(const tsr_verify_ctx_t *ctx, const tsr_response_t *resp,
    tsr_verify_result_t *result)
{
	int r;

	result->status = resp->status;
	if (resp->status != 0)
		result->reasons |= TSR_REASON_RESPONSE_STATUS;
	if (resp->n_docs == 0)
		result->reasons |= TSR_REASON_NO_DOCUMENTS;
	if ((r = copy_document_errors(resp, result)) != TSR_OK)
		return r;
	if (resp->n_docs == 0)
		return TSR_OK;
	if ((result->docs = calloc(resp->n_docs, sizeof(*result->docs))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < resp->n_docs; i++) {
		if ((r = tsr_verify_document(ctx, &resp->docs[i], &result->docs[i])) != TSR_OK)
			return r;
		result->n_docs = i + 1;
	}
	return TSR_OK;
}

int
tsr_verifier_verify(const tsr_verifier_t *verifier, const uint8_t *response, size_t len,
    tsr_verify_result_t **ret_result)
{
	tsr_verify_result_t *result = NULL;
	tsr_verify_ctx_t ctx;
	tsr_response_t resp;
	int r = TSR_ERR_INTERNAL;

	memset(&resp, 0, sizeof(resp));
	memset(&ctx, 0, sizeof(ctx));
	if (verifier == NULL || (response == NULL && len > 0) || ret_result == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((result = calloc(1, sizeof(*result))) == NULL)
		return TSR_ERR_NO_MEMORY;
	ctx.verifier = verifier;
	ctx.now = verifier->has_time ? verifier->now : tsr_clock_now();
	result->now = ctx.now;

	if (!verifier->has_transcript || !reader_key_matches(verifier)) {
		result->reasons |= TSR_REASON_TRANSCRIPT;
	} else {
		if ((r = tsr_transcript_salt(&verifier->transcript, ctx.salt)) != TSR_OK)
			goto fail;
		ctx.has_salt = true;
	}

	if ((r = tsr_response_decode(response, len, &resp)) != TSR_OK) {
		if (r == TSR_ERR_NO_MEMORY)
			goto fail;
		tsr_debug("DeviceResponse does not decode: %s", tsr_strerror_name(r));
		result->reasons |= TSR_REASON_MALFORMED;
		/* A structure that names a curve or algorithm we do not
		 * implement (an MSO deviceKey on brainpool or Ed25519) is
		 * refused whole, but is not garbage: name the reason, so the
		 * verifier can say "unsupported" rather than only "malformed". */
		if (r == TSR_ERR_CRYPTO_UNSUPPORTED_ALG)
			result->reasons |= TSR_REASON_UNSUPPORTED_ALG;
		result->decode_error = r;
	} else if ((r = verify_documents(&ctx, &resp, result)) != TSR_OK) {
		goto fail;
	}

	tsr_response_clear(&resp);
	tsr_zeroize(&ctx, sizeof(ctx));
	*ret_result = result;
	return tsr_verify_result_valid(result) ? TSR_OK : TSR_ERR_VERIFY;
fail:
	tsr_response_clear(&resp);
	tsr_zeroize(&ctx, sizeof(ctx));
	tsr_verify_result_free(result);
	return r;
}
