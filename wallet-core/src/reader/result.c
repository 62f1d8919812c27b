/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Accessors of tsr_verify_result_t and tsr_verified_doc_t. */

#include <string.h>

#include "reader/reader-private.h"

bool
tsr_verify_result_valid(const tsr_verify_result_t *result)
{
	if (result == NULL || result->reasons != 0 || result->n_docs == 0)
		return false;
	for (size_t i = 0; i < result->n_docs; i++)
		if (result->docs[i].reasons != 0)
			return false;
	return true;
}

int64_t
tsr_verify_result_time(const tsr_verify_result_t *result)
{
	return result ? result->now : 0;
}

uint32_t
tsr_verify_result_reasons(const tsr_verify_result_t *result)
{
	return result ? result->reasons : 0;
}

int
tsr_verify_result_decode_error(const tsr_verify_result_t *result)
{
	return result ? result->decode_error : TSR_OK;
}

uint64_t
tsr_verify_result_status(const tsr_verify_result_t *result)
{
	return result ? result->status : 0;
}

size_t
tsr_verify_result_doc_count(const tsr_verify_result_t *result)
{
	return result ? result->n_docs : 0;
}

const tsr_verified_doc_t *
tsr_verify_result_doc(const tsr_verify_result_t *result, size_t idx)
{
	return result && idx < result->n_docs ? &result->docs[idx] : NULL;
}

size_t
tsr_verify_result_doc_error_count(const tsr_verify_result_t *result)
{
	return result ? result->n_doc_errors : 0;
}

int
tsr_verify_result_doc_error(const tsr_verify_result_t *result, size_t idx,
    const char **ret_doctype, int64_t *ret_code)
{
	if (result == NULL || idx >= result->n_doc_errors)
		return TSR_ERR_NOT_FOUND;
	if (ret_doctype != NULL)
		*ret_doctype = result->doc_errors[idx].doc_type;
	if (ret_code != NULL)
		*ret_code = result->doc_errors[idx].code;
	return TSR_OK;
}

uint32_t
tsr_verified_doc_reasons(const tsr_verified_doc_t *doc)
{
	return doc ? doc->reasons : TSR_REASON_MALFORMED;
}

const char *
tsr_verified_doc_doctype(const tsr_verified_doc_t *doc)
{
	return doc && doc->doc_type ? doc->doc_type : "";
}

tsr_device_auth_kind_t
tsr_verified_doc_device_auth(const tsr_verified_doc_t *doc)
{
	return doc ? doc->device_auth : TSR_DEVICE_AUTH_NONE;
}

const char *
tsr_verified_doc_ds_subject(const tsr_verified_doc_t *doc)
{
	return doc && doc->ds_subject ? doc->ds_subject : "";
}

const char *
tsr_verified_doc_iaca_subject(const tsr_verified_doc_t *doc)
{
	return doc && doc->iaca_subject ? doc->iaca_subject : "";
}

const char *
tsr_verified_doc_digest_algorithm(const tsr_verified_doc_t *doc)
{
	return doc ? doc->digest_alg : "";
}

int
tsr_verified_doc_validity(const tsr_verified_doc_t *doc, int64_t *ret_signed,
    int64_t *ret_valid_from, int64_t *ret_valid_until, int64_t *ret_expected_update)
{
	if (doc == NULL || !doc->has_validity)
		return TSR_ERR_NOT_FOUND;
	if (ret_signed != NULL)
		*ret_signed = doc->signed_at;
	if (ret_valid_from != NULL)
		*ret_valid_from = doc->valid_from;
	if (ret_valid_until != NULL)
		*ret_valid_until = doc->valid_until;
	if (ret_expected_update != NULL)
		*ret_expected_update = doc->expected_update;
	return TSR_OK;
}

int
tsr_verified_doc_ds_validity(const tsr_verified_doc_t *doc, int64_t *ret_not_before,
    int64_t *ret_not_after)
{
	if (doc == NULL || !doc->has_ds_validity)
		return TSR_ERR_NOT_FOUND;
	if (ret_not_before != NULL)
		*ret_not_before = doc->ds_not_before;
	if (ret_not_after != NULL)
		*ret_not_after = doc->ds_not_after;
	return TSR_OK;
}

size_t
tsr_verified_doc_element_count(const tsr_verified_doc_t *doc)
{
	return doc ? doc->n_elements : 0;
}

int
tsr_verified_doc_element(const tsr_verified_doc_t *doc, size_t idx,
    tsr_verified_element_t *ret_element)
{
	const tsr_element_entry_t *e;

	if (doc == NULL || idx >= doc->n_elements || ret_element == NULL)
		return TSR_ERR_NOT_FOUND;
	e = &doc->elements[idx];
	ret_element->name_space = e->name_space;
	ret_element->identifier = e->identifier;
	ret_element->value = e->value;
	ret_element->value_len = e->value_len;
	ret_element->device_signed = e->device_signed;
	ret_element->digest_matched = e->digest_matched;
	ret_element->verified = e->verified;
	return TSR_OK;
}

size_t
tsr_verified_doc_error_count(const tsr_verified_doc_t *doc)
{
	return doc ? doc->n_errors : 0;
}

int
tsr_verified_doc_error(const tsr_verified_doc_t *doc, size_t idx, const char **ret_name_space,
    const char **ret_identifier, int64_t *ret_code)
{
	if (doc == NULL || idx >= doc->n_errors)
		return TSR_ERR_NOT_FOUND;
	if (ret_name_space != NULL)
		*ret_name_space = doc->errors[idx].name_space;
	if (ret_identifier != NULL)
		*ret_identifier = doc->errors[idx].identifier;
	if (ret_code != NULL)
		*ret_code = doc->errors[idx].code;
	return TSR_OK;
}
