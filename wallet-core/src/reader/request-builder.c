/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* DeviceRequest construction with templates and readerAuth. */

#include <stdlib.h>
#include <string.h>

#include <tessera/request.h>

#include "cose/cose.h"
#include "mdoc/mdoc.h"

#define MDL TSR_DOCTYPE_MDL
#define MDL_NS TSR_NAMESPACE_MDL
#define PID "eu.europa.ec.eudi.pid.1"
#define AV "eu.europa.ec.av.1"
/* More than any real request; bounds what a caller can make us encode. */
#define MAX_ELEMENTS 1024

typedef struct template_element {
	const char *doc_type, *name_space, *identifier;
} template_element_t;

static const template_element_t age_over_18[] = {
	{ MDL, MDL_NS, "age_over_18" }, { MDL, MDL_NS, "portrait" }, { NULL, NULL, NULL },
};
static const template_element_t age_over_21[] = {
	{ MDL, MDL_NS, "age_over_21" }, { MDL, MDL_NS, "portrait" }, { NULL, NULL, NULL },
};
static const template_element_t driving_licence[] = {
	{ MDL, MDL_NS, "family_name" }, { MDL, MDL_NS, "given_name" },
	{ MDL, MDL_NS, "portrait" }, { MDL, MDL_NS, "document_number" },
	{ MDL, MDL_NS, "expiry_date" }, { MDL, MDL_NS, "driving_privileges" },
	{ NULL, NULL, NULL },
};
/* The mandatory mDL elements of 18013-5 table 5. */
static const template_element_t mdl_full[] = {
	{ MDL, MDL_NS, "family_name" }, { MDL, MDL_NS, "given_name" },
	{ MDL, MDL_NS, "birth_date" }, { MDL, MDL_NS, "issue_date" },
	{ MDL, MDL_NS, "expiry_date" }, { MDL, MDL_NS, "issuing_country" },
	{ MDL, MDL_NS, "issuing_authority" }, { MDL, MDL_NS, "document_number" },
	{ MDL, MDL_NS, "portrait" }, { MDL, MDL_NS, "driving_privileges" },
	{ MDL, MDL_NS, "un_distinguishing_sign" }, { NULL, NULL, NULL },
};
static const template_element_t pid_basic[] = {
	{ PID, PID, "family_name" }, { PID, PID, "given_name" }, { PID, PID, "birth_date" },
	{ PID, PID, "nationality" }, { PID, PID, "issuing_country" }, { NULL, NULL, NULL },
};
static const template_element_t av[] = {
	{ AV, AV, "age_over_18" }, { NULL, NULL, NULL },
};

static const struct {
	const char *name;
	const char *description;
	const template_element_t *elements;
} templates[] = {
	{ "age-over-18", "Age over 18, with the portrait to compare (mDL)", age_over_18 },
	{ "age-over-21", "Age over 21, with the portrait to compare (mDL)", age_over_21 },
	{ "driving-licence", "Driving licence check: name, portrait, number, expiry, privileges",
	    driving_licence },
	{ "mdl-full", "Every mandatory element of a mobile driving licence", mdl_full },
	{ "pid-basic", "EU PID: name, date of birth, nationality, issuing country", pid_basic },
	{ "av", "EU age verification credential: age over 18", av },
};

static const char *const template_names[] = { "age-over-18", "age-over-21", "driving-licence",
	"mdl-full", "pid-basic", "av", NULL };

typedef struct wanted {
	char *doc_type, *name_space, *identifier;
	bool intent_to_retain;
} wanted_t;

struct tsr_request_builder {
	wanted_t *elements;
	size_t n_elements;
	tsr_x509_t *reader_chain;
	tsr_ec_key_t *reader_key;
};

const char *const *
tsr_request_template_names(void)
{
	return template_names;
}

static const template_element_t *
find_template(const char *name, const char **ret_description)
{
	for (size_t i = 0; name != NULL && i < sizeof(templates) / sizeof(templates[0]); i++) {
		if (strcmp(templates[i].name, name) == 0) {
			if (ret_description != NULL)
				*ret_description = templates[i].description;
			return templates[i].elements;
		}
	}
	return NULL;
}

const char *
tsr_request_template_description(const char *name)
{
	const char *description = NULL;

	return find_template(name, &description) ? description : NULL;
}

int
tsr_request_builder_new(tsr_request_builder_t **ret_builder)
{
	tsr_request_builder_t *b;

	if (ret_builder == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return TSR_ERR_NO_MEMORY;
	*ret_builder = b;
	return TSR_OK;
}

void
tsr_request_builder_free(tsr_request_builder_t *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n_elements; i++) {
		free(b->elements[i].doc_type);
		free(b->elements[i].name_space);
		free(b->elements[i].identifier);
	}
	free(b->elements);
	tsr_x509_free(b->reader_chain);
	tsr_ec_key_free(b->reader_key);
	free(b);
}

int
tsr_request_builder_add_element(tsr_request_builder_t *b, const char *doc_type,
    const char *name_space, const char *identifier, bool intent_to_retain)
{
	wanted_t w, *grown;

	if (b == NULL || doc_type == NULL || name_space == NULL || identifier == NULL ||
	    *doc_type == '\0' || *name_space == '\0' || *identifier == '\0')
		return TSR_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < b->n_elements; i++) {
		if (strcmp(b->elements[i].doc_type, doc_type) == 0 &&
		    strcmp(b->elements[i].name_space, name_space) == 0 &&
		    strcmp(b->elements[i].identifier, identifier) == 0) {
			b->elements[i].intent_to_retain = intent_to_retain;
			return TSR_OK;
		}
	}
	if (b->n_elements >= MAX_ELEMENTS)
		return TSR_ERR_LIMIT;
	w.doc_type = strdup(doc_type);
	w.name_space = strdup(name_space);
	w.identifier = strdup(identifier);
	w.intent_to_retain = intent_to_retain;
	grown = realloc(b->elements, (b->n_elements + 1) * sizeof(*grown));
	if (w.doc_type == NULL || w.name_space == NULL || w.identifier == NULL || grown == NULL) {
		free(w.doc_type);
		free(w.name_space);
		free(w.identifier);
		if (grown != NULL)
			b->elements = grown;
		return TSR_ERR_NO_MEMORY;
	}
	b->elements = grown;
	b->elements[b->n_elements++] = w;
	return TSR_OK;
}

int
tsr_request_builder_add_template(tsr_request_builder_t *b, const char *name)
{
	const template_element_t *t = find_template(name, NULL);
	int r;

	if (b == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (t == NULL)
		return TSR_ERR_NOT_FOUND;
	for (; t->doc_type != NULL; t++)
		if ((r = tsr_request_builder_add_element(b, t->doc_type, t->name_space,
		    t->identifier, false)) != TSR_OK)
			return r;
	return TSR_OK;
}

int
tsr_request_builder_set_reader_auth(tsr_request_builder_t *b, const uint8_t *chain,
    size_t chain_len, const uint8_t *key, size_t key_len)
{
	tsr_x509_t *certs = NULL;
	tsr_ec_key_t *k = NULL;
	tsr_ec_pub_t cert_pub, key_pub;
	int r = TSR_ERR_INTERNAL;

	if (b == NULL || chain == NULL || key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_x509_new(&certs)) != TSR_OK || (r = tsr_x509_add(certs, chain, chain_len)) !=
	    TSR_OK || (r = tsr_ec_key_parse(key, key_len, &k)) != TSR_OK ||
	    (r = tsr_x509_public_key(certs, 0, &cert_pub)) != TSR_OK ||
	    (r = tsr_ec_key_public(k, &key_pub)) != TSR_OK)
		goto fail;
	/* A mismatch would produce requests no holder can verify. */
	if (!tsr_ec_pub_equal(&cert_pub, &key_pub)) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto fail;
	}
	tsr_x509_free(b->reader_chain);
	tsr_ec_key_free(b->reader_key);
	b->reader_chain = certs;
	b->reader_key = k;
	return TSR_OK;
fail:
	tsr_x509_free(certs);
	tsr_ec_key_free(k);
	return r;
}

/* ItemsRequest = {"docType": tstr, "nameSpaces": {+ ns => {+ id => bool}}},
 * namespaces and identifiers in the order they were added. */
static int
items_request(const tsr_request_builder_t *b, const char *doc_type, uint8_t **ret_ptr,
    size_t *ret_len)
{
	size_t n_ns = 0;
	tsr_cbor_enc_t enc;

	for (size_t i = 0; i < b->n_elements; i++) {
		bool first = strcmp(b->elements[i].doc_type, doc_type) == 0;

		for (size_t j = 0; first && j < i; j++)
			first = !(strcmp(b->elements[j].doc_type, doc_type) == 0 &&
			    strcmp(b->elements[j].name_space, b->elements[i].name_space) == 0);
		n_ns += first;
	}
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "docType");
	tsr_cbor_put_tstr(&enc, doc_type);
	tsr_cbor_put_tstr(&enc, "nameSpaces");
	tsr_cbor_put_map(&enc, n_ns);
	for (size_t i = 0; i < b->n_elements; i++) {
		const char *ns = b->elements[i].name_space;
		size_t n_ids = 0;
		bool first = strcmp(b->elements[i].doc_type, doc_type) == 0;

		for (size_t j = 0; first && j < i; j++)
			first = !(strcmp(b->elements[j].doc_type, doc_type) == 0 &&
			    strcmp(b->elements[j].name_space, ns) == 0);
		if (!first)
			continue;
		for (size_t j = i; j < b->n_elements; j++)
			n_ids += strcmp(b->elements[j].doc_type, doc_type) == 0 &&
			    strcmp(b->elements[j].name_space, ns) == 0;
		tsr_cbor_put_tstr(&enc, ns);
		tsr_cbor_put_map(&enc, n_ids);
		for (size_t j = i; j < b->n_elements; j++) {
			if (strcmp(b->elements[j].doc_type, doc_type) != 0 ||
			    strcmp(b->elements[j].name_space, ns) != 0)
				continue;
			tsr_cbor_put_tstr(&enc, b->elements[j].identifier);
			tsr_cbor_put_bool(&enc, b->elements[j].intent_to_retain);
		}
	}
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

/* DocRequest = {"itemsRequest": ItemsRequestBytes, ? "readerAuth": COSE_Sign1} */
static int
put_doc_request(tsr_cbor_enc_t *enc, const tsr_request_builder_t *b, const char *doc_type,
    const tsr_transcript_t *st)
{
	uint8_t *items = NULL, *items_bytes = NULL, *rab = NULL, *auth = NULL;
	size_t items_len = 0, items_bytes_len = 0, rab_len = 0, auth_len = 0;
	tsr_cbor_enc_t wrap;
	int r;

	if ((r = items_request(b, doc_type, &items, &items_len)) != TSR_OK)
		goto out;
	tsr_cbor_enc_init(&wrap);
	tsr_cbor_put_embedded(&wrap, items, items_len);
	if ((r = tsr_cbor_enc_finish(&wrap, &items_bytes, &items_bytes_len)) != TSR_OK)
		goto out;
	if (b->reader_key != NULL) {
		tsr_cose_signer_t signer;
		tsr_span_t certs[8];
		size_t n_certs = tsr_x509_count(b->reader_chain);

		if (n_certs > sizeof(certs) / sizeof(certs[0])) {
			r = TSR_ERR_LIMIT;
			goto out;
		}
		for (size_t i = 0; i < n_certs; i++)
			if ((r = tsr_x509_der(b->reader_chain, i, &certs[i])) != TSR_OK)
				goto out;
		tsr_cose_signer_from_key(b->reader_key, &signer);
		if ((r = tsr_reader_authentication_bytes(st,
		    (tsr_span_t){ items_bytes, items_bytes_len }, &rab, &rab_len)) != TSR_OK ||
		    (r = tsr_cose_sign1_create(&signer, rab, rab_len, true, certs, n_certs, &auth,
		    &auth_len)) != TSR_OK)
			goto out;
	}
	tsr_cbor_put_map(enc, auth != NULL ? 2 : 1);
	tsr_cbor_put_tstr(enc, "itemsRequest");
	tsr_cbor_put_raw(enc, items_bytes, items_bytes_len);
	if (auth != NULL) {
		tsr_cbor_put_tstr(enc, "readerAuth");
		tsr_cbor_put_raw(enc, auth, auth_len);
	}
	r = TSR_OK;
out:
	free(items);
	free(items_bytes);
	free(rab);
	free(auth);
	return r;
}

static bool
first_of_doc_type(const tsr_request_builder_t *b, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(b->elements[j].doc_type, b->elements[i].doc_type) == 0)
			return false;
	return true;
}

int
tsr_request_builder_build(const tsr_request_builder_t *b, const uint8_t *transcript,
    size_t transcript_len, uint8_t **ret_request, size_t *ret_len)
{
	tsr_transcript_t st;
	size_t n_docs = 0;
	tsr_cbor_enc_t enc;
	int r;

	memset(&st, 0, sizeof(st));
	if (b == NULL || b->n_elements == 0 || ret_request == NULL || ret_len == NULL ||
	    (b->reader_key != NULL && transcript == NULL))
		return TSR_ERR_INVALID_ARGUMENT;
	if (transcript != NULL && (r = tsr_transcript_decode(transcript, transcript_len, &st)) !=
	    TSR_OK)
		return r;
	for (size_t i = 0; i < b->n_elements; i++)
		n_docs += first_of_doc_type(b, i);
	/* DeviceRequest = {"version": "1.0", "docRequests": [+ DocRequest]} */
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_tstr(&enc, "1.0");
	tsr_cbor_put_tstr(&enc, "docRequests");
	tsr_cbor_put_array(&enc, n_docs);
	for (size_t i = 0; i < b->n_elements; i++) {
		if (!first_of_doc_type(b, i))
			continue;
		if ((r = put_doc_request(&enc, b, b->elements[i].doc_type, &st)) != TSR_OK) {
			tsr_cbor_enc_free(&enc);
			tsr_transcript_clear(&st);
			return r;
		}
	}
	tsr_transcript_clear(&st);
	return tsr_cbor_enc_finish(&enc, ret_request, ret_len);
}
