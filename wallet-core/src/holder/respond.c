/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The DeviceResponse of an analysed presentation: only consented, held
 * elements leave the wallet, each as the issuer's exact bytes. */

#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "cose/cose.h"
#include "holder/holder-private.h"

/* An empty DeviceNameSpaces, #6.24(bstr .cbor {}): we return no
 * device-signed elements. */
static const uint8_t empty_device_ns[] = { 0xd8, 0x18, 0x41, 0xa0 };

static bool
returned(const tsr_requested_t *e)
{
	return e->consented && e->answer != NULL;
}

static bool
doc_returned(const tsr_doc_answer_t *doc)
{
	if (doc->credential == NULL)
		return false;
	for (size_t e = 0; e < doc->n_elements; e++)
		if (returned(&doc->elements[e]))
			return true;
	return false;
}

/* Whether item is the answer to a returned element of doc. Two requests
 * may share an answer (age_over_18 and age_over_20 both answered by
 * age_over_21): it is disclosed once. */
static bool
item_disclosed(const tsr_doc_answer_t *doc, const tsr_issuer_item_t *item)
{
	for (size_t e = 0; e < doc->n_elements; e++)
		if (returned(&doc->elements[e]) && doc->elements[e].answer == item)
			return true;
	return false;
}

static void
put_issuer_signed(tsr_cbor_enc_t *enc, const tsr_doc_answer_t *doc)
{
	const tsr_issuer_signed_t *is = &doc->credential->is;
	size_t n_ns = 0;

	for (size_t i = 0; i < is->n_ns; i++)
		for (size_t j = 0; j < is->ns[i].n_items; j++)
			if (item_disclosed(doc, &is->ns[i].items[j])) {
				n_ns++;
				break;
			}
	tsr_cbor_put_map(enc, 2);
	tsr_cbor_put_tstr(enc, "nameSpaces");
	tsr_cbor_put_map(enc, n_ns);
	for (size_t i = 0; i < is->n_ns; i++) {
		size_t n = 0;

		for (size_t j = 0; j < is->ns[i].n_items; j++)
			n += item_disclosed(doc, &is->ns[i].items[j]);
		if (n == 0)
			continue;
		tsr_cbor_put_tstr_n(enc, (const char *)is->ns[i].name.ptr, is->ns[i].name.len);
		tsr_cbor_put_array(enc, n);
		for (size_t j = 0; j < is->ns[i].n_items; j++)
			if (item_disclosed(doc, &is->ns[i].items[j]))
				tsr_cbor_put_raw(enc, is->ns[i].items[j].bytes.ptr,
				    is->ns[i].items[j].bytes.len);
	}
	tsr_cbor_put_tstr(enc, "issuerAuth");
	tsr_cbor_put_raw(enc, is->issuer_auth_item->raw.ptr, is->issuer_auth_item->raw.len);
}

/* Errors = {+ NameSpace => {+ DataElementIdentifier => ErrorCode}}, for
 * every requested element not returned. The elements come grouped by
 * namespace in request order, so runs of one namespace form one entry. */
static size_t
count_error_runs(const tsr_doc_answer_t *doc, size_t *ret_run_len, size_t start)
{
	size_t n = 0;

	for (size_t e = start; e < doc->n_elements &&
	    strcmp(doc->elements[e].name_space, doc->elements[start].name_space) == 0; e++)
		n += !returned(&doc->elements[e]);
	*ret_run_len = 0;
	for (size_t e = start; e < doc->n_elements &&
	    strcmp(doc->elements[e].name_space, doc->elements[start].name_space) == 0; e++)
		(*ret_run_len)++;
	return n;
}

static size_t
count_error_namespaces(const tsr_doc_answer_t *doc)
{
	size_t n = 0, run = 0;

	for (size_t e = 0; e < doc->n_elements; e += run)
		n += count_error_runs(doc, &run, e) > 0;
	return n;
}

static void
put_errors(tsr_cbor_enc_t *enc, const tsr_doc_answer_t *doc)
{
	size_t run = 0;

	tsr_cbor_put_map(enc, count_error_namespaces(doc));
	for (size_t e = 0; e < doc->n_elements; e += run) {
		size_t missing = count_error_runs(doc, &run, e);

		if (missing == 0)
			continue;
		tsr_cbor_put_tstr(enc, doc->elements[e].name_space);
		tsr_cbor_put_map(enc, missing);
		for (size_t k = e; k < e + run; k++) {
			if (returned(&doc->elements[k]))
				continue;
			tsr_cbor_put_tstr(enc, doc->elements[k].identifier);
			tsr_cbor_put_int(enc, 0); /* data not returned */
		}
	}
}

static int
sign_adaptor(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig, size_t *ret_sig_len)
{
	const tsr_device_key_t *key = ctx;
	int r;

	if ((r = key->sign(key->user, msg, len, sig)) == TSR_OK)
		*ret_sig_len = 64;
	return r;
}

/* DeviceAuth over DeviceAuthenticationBytes (§9.1.3): deviceMac with the
 * EMacKey when the transcript carries an EReaderKey and the key can do
 * ECDH, else deviceSignature. Returns the COSE structure and its kind. */
static int
device_auth(tsr_presentation_t *p, const tsr_doc_answer_t *doc, tsr_device_auth_kind_t wanted,
    uint8_t **ret_cose, size_t *ret_len, bool *ret_is_mac)
{
	const tsr_device_key_t *key = doc->credential->key;
	const tsr_cbor_item_t *reader_key = tsr_cbor_untag(p->transcript.e_reader_key, 24);
	tsr_span_t ns = { empty_device_ns, sizeof(empty_device_ns) };
	tsr_span_t doc_type = { (const uint8_t *)doc->doc_type, strlen(doc->doc_type) };
	uint8_t *dab = NULL, z[32], emac[32], salt[32];
	size_t dab_len = 0;
	bool mac = wanted == TSR_DEVICE_AUTH_MAC && key->agree != NULL &&
	    p->transcript.has_e_reader_key;
	int r = TSR_ERR_INTERNAL;

	if ((r = tsr_device_authentication_bytes(&p->transcript, doc_type, ns, &dab, &dab_len)) !=
	    TSR_OK)
		goto out;
	if (mac) {
		/* EMacKey = HKDF(ECDH(SDeviceKey, EReaderKey), salt, "EMacKey") */
		if ((r = key->agree(key->user, reader_key->u.str.ptr, reader_key->u.str.len, z)) !=
		    TSR_OK ||
		    (r = tsr_transcript_salt(&p->transcript, salt)) != TSR_OK ||
		    (r = tsr_hkdf_sha256(salt, sizeof(salt), z, sizeof(z),
		    (const uint8_t *)"EMacKey", 7, emac, sizeof(emac))) != TSR_OK)
			goto out;
		r = tsr_cose_mac0_create(emac, dab, dab_len, true, ret_cose, ret_len);
	} else {
		tsr_cose_signer_t signer = { .alg = TSR_COSE_ALG_ES256, .sign = sign_adaptor,
			.ctx = (void *)(uintptr_t)key };
		r = tsr_cose_sign1_create(&signer, dab, dab_len, true, NULL, 0, ret_cose, ret_len);
	}
	if (r == TSR_OK)
		*ret_is_mac = mac;
out:
	tsr_zeroize(z, sizeof(z));
	tsr_zeroize(emac, sizeof(emac));
	free(dab);
	return r;
}

static int
put_document(tsr_cbor_enc_t *enc, tsr_presentation_t *p, const tsr_doc_answer_t *doc,
    tsr_device_auth_kind_t wanted)
{
	uint8_t *auth = NULL;
	size_t auth_len = 0;
	bool is_mac = false, has_errors = count_error_namespaces(doc) > 0;
	int r;

	if ((r = device_auth(p, doc, wanted, &auth, &auth_len, &is_mac)) != TSR_OK)
		return r;
	tsr_cbor_put_map(enc, has_errors ? 4 : 3);
	tsr_cbor_put_tstr(enc, "docType");
	tsr_cbor_put_tstr(enc, doc->doc_type);
	tsr_cbor_put_tstr(enc, "issuerSigned");
	put_issuer_signed(enc, doc);
	tsr_cbor_put_tstr(enc, "deviceSigned");
	tsr_cbor_put_map(enc, 2);
	tsr_cbor_put_tstr(enc, "nameSpaces");
	tsr_cbor_put_raw(enc, empty_device_ns, sizeof(empty_device_ns));
	tsr_cbor_put_tstr(enc, "deviceAuth");
	tsr_cbor_put_map(enc, 1);
	tsr_cbor_put_tstr(enc, is_mac ? "deviceMac" : "deviceSignature");
	tsr_cbor_put_raw(enc, auth, auth_len);
	if (has_errors) {
		tsr_cbor_put_tstr(enc, "errors");
		put_errors(enc, doc);
	}
	free(auth);
	return TSR_OK;
}

int
tsr_holder_build_response(tsr_presentation_t *p, tsr_device_auth_kind_t device_auth_kind,
    uint8_t **ret_ptr, size_t *ret_len)
{
	size_t n_docs = 0, n_errors = 0;
	tsr_cbor_enc_t enc;
	int r;

	for (size_t d = 0; d < p->n_docs; d++) {
		if (doc_returned(&p->docs[d]))
			n_docs++;
		else
			n_errors++;
	}
	/* DeviceResponse = {"version", ? "documents", ? "documentErrors", "status"} */
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 2 + (n_docs > 0 ? 1u : 0u) + (n_errors > 0 ? 1u : 0u));
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_tstr(&enc, "1.0");
	if (n_docs > 0) {
		tsr_cbor_put_tstr(&enc, "documents");
		tsr_cbor_put_array(&enc, n_docs);
		for (size_t d = 0; d < p->n_docs; d++) {
			if (!doc_returned(&p->docs[d]))
				continue;
			if ((r = put_document(&enc, p, &p->docs[d], device_auth_kind)) != TSR_OK) {
				tsr_cbor_enc_free(&enc);
				return r;
			}
		}
	}
	if (n_errors > 0) {
		tsr_cbor_put_tstr(&enc, "documentErrors");
		tsr_cbor_put_array(&enc, n_errors);
		for (size_t d = 0; d < p->n_docs; d++) {
			if (doc_returned(&p->docs[d]))
				continue;
			tsr_cbor_put_map(&enc, 1);
			tsr_cbor_put_tstr(&enc, p->docs[d].doc_type);
			tsr_cbor_put_int(&enc, 0); /* data not returned */
		}
	}
	tsr_cbor_put_tstr(&enc, "status");
	tsr_cbor_put_uint(&enc, 0);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}
