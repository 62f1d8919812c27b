/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* tsr_presentation_t: the request, the offered credentials, and what each
 * requested element would be answered with. */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "base/analyzer.h"
#include "holder/holder-private.h"

int
tsr_presentation_new(const uint8_t *request, size_t len, const uint8_t *transcript,
    size_t transcript_len, tsr_presentation_t **ret_p)
{
	tsr_presentation_t *p;
	int r;

	if (request == NULL || transcript == NULL || ret_p == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_request_decode(request, len, &p->request)) != TSR_OK ||
	    (r = tsr_transcript_decode(transcript, transcript_len, &p->transcript)) != TSR_OK) {
		tsr_presentation_free(p);
		return r;
	}
	*ret_p = p;
	return TSR_OK;
}

static void
clear_answers(tsr_presentation_t *p)
{
	for (size_t d = 0; d < p->n_docs; d++) {
		tsr_doc_answer_t *doc = &p->docs[d];

		for (size_t e = 0; e < doc->n_elements; e++) {
			free(doc->elements[e].name_space);
			free(doc->elements[e].identifier);
			free(doc->elements[e].answer_id);
		}
		free(doc->elements);
		free(doc->doc_type);
		free(doc->reader_subject);
	}
	free(p->docs);
	p->docs = NULL;
	p->n_docs = 0;
	p->analyzed = false;
}

void
tsr_presentation_free(tsr_presentation_t *p)
{
	if (p == NULL)
		return;
	clear_answers(p);
	for (size_t i = 0; i < p->n_credentials; i++) {
		free(p->credentials[i].label);
		tsr_issuer_signed_clear(&p->credentials[i].is);
		tsr_cbor_doc_free(p->credentials[i].doc);
	}
	free(p->credentials);
	tsr_x509_free(p->reader_roots);
	tsr_request_clear(&p->request);
	tsr_transcript_clear(&p->transcript);
	free(p);
}

int
tsr_presentation_add_reader_root(tsr_presentation_t *p, const uint8_t *certs, size_t len)
{
	int r;

	if (p == NULL || certs == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (p->reader_roots == NULL && (r = tsr_x509_new(&p->reader_roots)) != TSR_OK)
		return r;
	return tsr_x509_add(p->reader_roots, certs, len);
}

void
tsr_presentation_set_time(tsr_presentation_t *p, int64_t now)
{
	if (p == NULL)
		return;
	p->has_time = true;
	p->now = now;
}

int
tsr_presentation_add_credential(tsr_presentation_t *p, const uint8_t *issuer_signed, size_t len,
    const tsr_device_key_t *key, const char *label)
{
	tsr_held_credential_t cred, *grown;
	int r;

	if (p == NULL || issuer_signed == NULL || key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	memset(&cred, 0, sizeof(cred));
	if ((r = tsr_cbor_decode(issuer_signed, len, NULL, &cred.doc)) != TSR_OK ||
	    (r = tsr_issuer_signed_decode(tsr_cbor_doc_root(cred.doc), &cred.is)) != TSR_OK)
		goto fail;
	if (label != NULL && (cred.label = strdup(label)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	cred.key = key;
	if ((grown = realloc(p->credentials, (p->n_credentials + 1) * sizeof(*grown))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	p->credentials = grown;
	p->credentials[p->n_credentials++] = cred;
	return TSR_OK;
fail:
	free(cred.label);
	tsr_issuer_signed_clear(&cred.is);
	tsr_cbor_doc_free(cred.doc);
	return r;
}

void
tsr_presentation_require_trusted_reader(tsr_presentation_t *p, bool require)
{
	if (p != NULL)
		p->require_trusted_reader = require;
}

bool
tsr_presentation_refused(const tsr_presentation_t *p)
{
	if (p == NULL || !p->analyzed || !p->require_trusted_reader)
		return false;
	for (size_t d = 0; d < p->n_docs; d++) {
		if (p->docs[d].trust != TSR_READER_TRUSTED)
			return true;
	}
	return false;
}

static tsr_held_credential_t *
match_credential(tsr_presentation_t *p, tsr_span_t doc_type, int64_t now)
{
	for (size_t i = 0; i < p->n_credentials; i++) {
		const tsr_mso_t *mso = &p->credentials[i].is.mso;

		if (tsr_span_equal(mso->doc_type, doc_type) && now >= mso->valid_from &&
		    now <= mso->valid_until)
			return &p->credentials[i];
	}
	return NULL;
}

/* TSR_ERR_NO_MEMORY is passed on: running out of memory says nothing about
 * the reader, so it must not be shown to the user as an invalid reader. */
static int
judge_reader(tsr_presentation_t *p, const tsr_doc_request_t *dr, int64_t now, char **subject,
    tsr_reader_trust_t *ret_trust)
{
	uint32_t flags = 0;
	int r = tsr_reader_auth_check(dr, &p->transcript, p->reader_roots, now, &flags, subject);

	if (r == TSR_ERR_NO_MEMORY)
		return r;
	if (r == TSR_ERR_NOT_FOUND)
		*ret_trust = TSR_READER_ANONYMOUS;
	else if (r != TSR_OK)
		*ret_trust = TSR_READER_INVALID;
	else if (flags == 0)
		*ret_trust = TSR_READER_TRUSTED;
	else
		/* Not chaining to our roots is "untrusted"; anything else
		 * (expired, wrong EKU) makes the certificate itself invalid. */
		*ret_trust = flags == TSR_X509_UNTRUSTED ? TSR_READER_UNTRUSTED :
		    TSR_READER_INVALID;
	return TSR_OK;
}

static int
analyze_element(const tsr_held_credential_t *cred, const tsr_cbor_item_t *ns,
    const tsr_cbor_item_t *id, const tsr_cbor_item_t *intent, tsr_requested_t *out)
{
	int r;

	out->intent_to_retain = intent->type == TSR_CBOR_TRUE;
	if ((r = tsr_span_strdup(ns->u.str, &out->name_space)) != TSR_OK ||
	    (r = tsr_span_strdup(id->u.str, &out->identifier)) != TSR_OK)
		return r;
	if (cred == NULL)
		return TSR_OK;
	for (size_t i = 0; i < cred->is.n_ns && out->answer == NULL; i++)
		if (tsr_span_equal(cred->is.ns[i].name, ns->u.str))
			out->answer = tsr_holder_find_answer(&cred->is.ns[i], out->identifier);
	if (out->answer != NULL)
		return tsr_span_strdup(out->answer->element_id, &out->answer_id);
	return TSR_OK;
}

/* -fanalyzer: out->elements and the strings analyze_element() copies into
 * it belong to `out`; tsr_presentation_free() frees them when this fails. */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static int
analyze_doc(tsr_presentation_t *p, const tsr_doc_request_t *dr, int64_t now,
    tsr_doc_answer_t *out)
{
	const tsr_cbor_item_t *ns_map = dr->name_spaces;
	size_t n = 0, k = 0;
	int r;

	out->request = dr;
	if ((r = tsr_span_strdup(dr->doc_type, &out->doc_type)) != TSR_OK)
		return r;
	out->credential = match_credential(p, dr->doc_type, now);
	if ((r = judge_reader(p, dr, now, &out->reader_subject, &out->trust)) != TSR_OK)
		return r;
	for (size_t i = 0; i < ns_map->u.list.count; i++)
		n += tsr_cbor_map_value(ns_map, i)->u.list.count;
	if ((out->elements = calloc(n, sizeof(*out->elements))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < ns_map->u.list.count; i++) {
		const tsr_cbor_item_t *ids = tsr_cbor_map_value(ns_map, i);

		for (size_t j = 0; j < ids->u.list.count; j++) {
			out->n_elements = ++k;
			if ((r = analyze_element(out->credential, tsr_cbor_map_key(ns_map, i),
			    tsr_cbor_map_key(ids, j), tsr_cbor_map_value(ids, j),
			    &out->elements[k - 1])) != TSR_OK)
				return r;
		}
	}
	return TSR_OK;
}
TSR_ANALYZER_END

int
tsr_presentation_analyze(tsr_presentation_t *p)
{
	int64_t now;
	int r;

	if (p == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	clear_answers(p);
	now = p->has_time ? p->now : tsr_clock_now();
	if ((p->docs = calloc(p->request.n_reqs, sizeof(*p->docs))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t d = 0; d < p->request.n_reqs; d++) {
		p->n_docs = d + 1;
		if ((r = analyze_doc(p, &p->request.reqs[d], now, &p->docs[d])) != TSR_OK) {
			clear_answers(p);
			return r;
		}
	}
	p->analyzed = true;
	return TSR_OK;
}

size_t
tsr_presentation_doc_count(const tsr_presentation_t *p)
{
	return p ? p->n_docs : 0;
}

const char *
tsr_presentation_doc_type(const tsr_presentation_t *p, size_t d)
{
	return p && d < p->n_docs ? p->docs[d].doc_type : NULL;
}

const char *
tsr_presentation_doc_credential(const tsr_presentation_t *p, size_t d)
{
	if (p == NULL || d >= p->n_docs || p->docs[d].credential == NULL)
		return NULL;
	return p->docs[d].credential->label;
}

tsr_reader_trust_t
tsr_presentation_reader_trust(const tsr_presentation_t *p, size_t d, const char **ret_subject)
{
	if (p == NULL || d >= p->n_docs) {
		if (ret_subject != NULL)
			*ret_subject = NULL;
		return TSR_READER_INVALID;
	}
	if (ret_subject != NULL)
		*ret_subject = p->docs[d].reader_subject;
	return p->docs[d].trust;
}

size_t
tsr_presentation_element_count(const tsr_presentation_t *p, size_t d)
{
	return p && d < p->n_docs ? p->docs[d].n_elements : 0;
}

int
tsr_presentation_element(const tsr_presentation_t *p, size_t d, size_t e,
    tsr_requested_element_t *ret_element)
{
	const tsr_requested_t *req;

	if (p == NULL || d >= p->n_docs || e >= p->docs[d].n_elements || ret_element == NULL)
		return TSR_ERR_NOT_FOUND;
	req = &p->docs[d].elements[e];
	ret_element->name_space = req->name_space;
	ret_element->identifier = req->identifier;
	ret_element->intent_to_retain = req->intent_to_retain;
	ret_element->available = req->answer != NULL;
	ret_element->answer = req->answer_id;
	ret_element->consented = req->consented;
	return TSR_OK;
}

int
tsr_presentation_consent(tsr_presentation_t *p, size_t d, size_t e, bool share)
{
	if (p == NULL || d >= p->n_docs || e >= p->docs[d].n_elements)
		return TSR_ERR_NOT_FOUND;
	p->docs[d].elements[e].consented = share;
	return TSR_OK;
}

void
tsr_presentation_consent_all(tsr_presentation_t *p, bool share)
{
	if (p == NULL)
		return;
	for (size_t d = 0; d < p->n_docs; d++)
		for (size_t e = 0; e < p->docs[d].n_elements; e++)
			p->docs[d].elements[e].consented =
			    share && p->docs[d].elements[e].answer != NULL;
}

int
tsr_presentation_respond(tsr_presentation_t *p, tsr_device_auth_kind_t device_auth,
    uint8_t **ret_response, size_t *ret_len)
{
	if (p == NULL || !p->analyzed || ret_response == NULL || ret_len == NULL ||
	    (device_auth != TSR_DEVICE_AUTH_MAC && device_auth != TSR_DEVICE_AUTH_SIGNATURE))
		return TSR_ERR_INVALID_ARGUMENT;
	/* A refused reader gets nothing, whatever was consented: every
	 * DocRequest goes to documentErrors. */
	if (tsr_presentation_refused(p))
		tsr_presentation_consent_all(p, false);
	return tsr_holder_build_response(p, device_auth, ret_response, ret_len);
}
