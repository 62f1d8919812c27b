/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Encoding of the data model, keys in CDDL order (as Annex D has them), and
 * the authenticated structures built from a SessionTranscript. */

#include <stdlib.h>

#include <tessera/err.h>

#include "mdoc/mdoc.h"

static void
put_span_tstr(tsr_cbor_enc_t *enc, tsr_span_t s)
{
	tsr_cbor_put_tstr_n(enc, (const char *)s.ptr, s.len);
}

static void
put_item(tsr_cbor_enc_t *enc, const tsr_cbor_item_t *item)
{
	tsr_cbor_put_raw(enc, item->raw.ptr, item->raw.len);
}

void
tsr_issuer_signed_encode(tsr_cbor_enc_t *enc, const tsr_issuer_signed_t *is)
{
	tsr_cbor_put_map(enc, is->n_ns > 0 ? 2 : 1);
	if (is->n_ns > 0) {
		tsr_cbor_put_tstr(enc, "nameSpaces");
		tsr_cbor_put_map(enc, is->n_ns);
		for (size_t i = 0; i < is->n_ns; i++) {
			put_span_tstr(enc, is->ns[i].name);
			tsr_cbor_put_array(enc, is->ns[i].n_items);
			for (size_t j = 0; j < is->ns[i].n_items; j++)
				tsr_cbor_put_raw(enc, is->ns[i].items[j].bytes.ptr,
				    is->ns[i].items[j].bytes.len);
		}
	}
	tsr_cbor_put_tstr(enc, "issuerAuth");
	tsr_cose_msg_encode(enc, &is->issuer_auth);
}

static void
device_signed_encode(tsr_cbor_enc_t *enc, const tsr_device_signed_t *ds)
{
	tsr_cbor_put_map(enc, 2);
	tsr_cbor_put_tstr(enc, "nameSpaces");
	tsr_cbor_put_raw(enc, ds->ns_bytes.ptr, ds->ns_bytes.len);
	tsr_cbor_put_tstr(enc, "deviceAuth");
	tsr_cbor_put_map(enc, 1);
	tsr_cbor_put_tstr(enc, ds->is_mac ? "deviceMac" : "deviceSignature");
	tsr_cose_msg_encode(enc, &ds->auth);
}

void
tsr_document_encode(tsr_cbor_enc_t *enc, const tsr_document_t *doc)
{
	tsr_cbor_put_map(enc, 2 + (doc->has_device_signed ? 1u : 0u) + (doc->errors ? 1u : 0u));
	tsr_cbor_put_tstr(enc, "docType");
	put_span_tstr(enc, doc->doc_type);
	tsr_cbor_put_tstr(enc, "issuerSigned");
	tsr_issuer_signed_encode(enc, &doc->issuer_signed);
	if (doc->has_device_signed) {
		tsr_cbor_put_tstr(enc, "deviceSigned");
		device_signed_encode(enc, &doc->device_signed);
	}
	if (doc->errors != NULL) {
		tsr_cbor_put_tstr(enc, "errors");
		put_item(enc, doc->errors);
	}
}

int
tsr_response_encode(const tsr_response_t *resp, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 2 + (resp->has_documents ? 1u : 0u) +
	    (resp->document_errors ? 1u : 0u));
	tsr_cbor_put_tstr(&enc, "version");
	put_span_tstr(&enc, resp->version);
	if (resp->has_documents) {
		tsr_cbor_put_tstr(&enc, "documents");
		tsr_cbor_put_array(&enc, resp->n_docs);
		for (size_t i = 0; i < resp->n_docs; i++)
			tsr_document_encode(&enc, &resp->docs[i]);
	}
	if (resp->document_errors != NULL) {
		tsr_cbor_put_tstr(&enc, "documentErrors");
		put_item(&enc, resp->document_errors);
	}
	tsr_cbor_put_tstr(&enc, "status");
	tsr_cbor_put_uint(&enc, resp->status);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

int
tsr_request_encode(const tsr_request_t *req, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 2 + (req->reader_auth_all ? 1u : 0u) +
	    (req->device_request_info ? 1u : 0u));
	tsr_cbor_put_tstr(&enc, "version");
	put_span_tstr(&enc, req->version);
	tsr_cbor_put_tstr(&enc, "docRequests");
	tsr_cbor_put_array(&enc, req->n_reqs);
	for (size_t i = 0; i < req->n_reqs; i++) {
		const tsr_doc_request_t *dr = &req->reqs[i];

		tsr_cbor_put_map(&enc, dr->has_reader_auth ? 2 : 1);
		tsr_cbor_put_tstr(&enc, "itemsRequest");
		tsr_cbor_put_raw(&enc, dr->items_bytes.ptr, dr->items_bytes.len);
		if (dr->has_reader_auth) {
			tsr_cbor_put_tstr(&enc, "readerAuth");
			tsr_cose_msg_encode(&enc, &dr->reader_auth);
		}
	}
	if (req->reader_auth_all != NULL) {
		tsr_cbor_put_tstr(&enc, "readerAuthAll");
		put_item(&enc, req->reader_auth_all);
	}
	if (req->device_request_info != NULL) {
		tsr_cbor_put_tstr(&enc, "deviceRequestInfo");
		put_item(&enc, req->device_request_info);
	}
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

int
tsr_transcript_encode(const tsr_transcript_t *st, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 3);
	put_item(&enc, st->device_engagement);
	put_item(&enc, st->e_reader_key);
	put_item(&enc, st->handover);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

/* Wraps the encoder's content as #6.24(bstr .cbor ...). */
static int
finish_embedded(tsr_cbor_enc_t *inner, uint8_t **ret_ptr, size_t *ret_len)
{
	uint8_t *content = NULL;
	size_t content_len = 0;
	tsr_cbor_enc_t outer;
	int r;

	if ((r = tsr_cbor_enc_finish(inner, &content, &content_len)) != TSR_OK)
		return r;
	tsr_cbor_enc_init(&outer);
	tsr_cbor_put_embedded(&outer, content, content_len);
	free(content);
	return tsr_cbor_enc_finish(&outer, ret_ptr, ret_len);
}

/* 18013-5 §9.1.3.4: the transcript goes in plain, not as tag 24. */
int
tsr_device_authentication_bytes(const tsr_transcript_t *st, tsr_span_t doc_type,
    tsr_span_t device_ns_bytes, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_tstr(&enc, "DeviceAuthentication");
	tsr_cbor_put_raw(&enc, st->bytes.ptr, st->bytes.len);
	put_span_tstr(&enc, doc_type);
	tsr_cbor_put_raw(&enc, device_ns_bytes.ptr, device_ns_bytes.len);
	return finish_embedded(&enc, ret_ptr, ret_len);
}

/* 18013-5 §9.1.4.4 */
int
tsr_reader_authentication_bytes(const tsr_transcript_t *st, tsr_span_t items_bytes,
    uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 3);
	tsr_cbor_put_tstr(&enc, "ReaderAuthentication");
	tsr_cbor_put_raw(&enc, st->bytes.ptr, st->bytes.len);
	tsr_cbor_put_raw(&enc, items_bytes.ptr, items_bytes.len);
	return finish_embedded(&enc, ret_ptr, ret_len);
}

/* 18013-5 §9.1.1.5: salt = SHA-256(SessionTranscriptBytes). */
int
tsr_transcript_salt(const tsr_transcript_t *st, uint8_t ret_salt[32])
{
	uint8_t *tagged = NULL;
	size_t tagged_len = 0;
	tsr_cbor_enc_t enc;
	int r;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_embedded(&enc, st->bytes.ptr, st->bytes.len);
	if ((r = tsr_cbor_enc_finish(&enc, &tagged, &tagged_len)) != TSR_OK)
		return r;
	r = tsr_hash(TSR_HASH_SHA256, tagged, tagged_len, ret_salt);
	free(tagged);
	return r;
}
