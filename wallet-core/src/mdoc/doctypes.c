/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The data element tables (shared/spec digest §5). */

#include <stdio.h>
#include <string.h>

#include "mdoc/doctypes.h"
#include "mdoc/mdoc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define M true
#define O false

/* ISO/IEC 18013-5 §7.2.1, Table 5 */
static const tsr_element_def_t mdl_elements[] = {
	{ "family_name", TSR_ELEMENT_TSTR, M, false, NULL, "Family name" },
	{ "given_name", TSR_ELEMENT_TSTR, M, false, NULL, "Given names" },
	{ "birth_date", TSR_ELEMENT_FULL_DATE, M, false, NULL, "Date of birth" },
	{ "issue_date", TSR_ELEMENT_DATE, M, false, NULL, "Date of issue" },
	{ "expiry_date", TSR_ELEMENT_DATE, M, false, NULL, "Date of expiry" },
	{ "issuing_country", TSR_ELEMENT_ALPHA2, M, false, NULL, "Issuing country" },
	{ "issuing_authority", TSR_ELEMENT_TSTR, M, false, NULL, "Issuing authority" },
	{ "document_number", TSR_ELEMENT_TSTR, M, false, NULL, "Licence number" },
	{ "portrait", TSR_ELEMENT_IMAGE, M, false, NULL, "Portrait" },
	{ "driving_privileges", TSR_ELEMENT_DRIVING_PRIVILEGES, M, false, NULL,
	    "Driving privileges" },
	{ "un_distinguishing_sign", TSR_ELEMENT_TSTR, M, false, NULL,
	    "UN distinguishing sign" },
	{ "administrative_number", TSR_ELEMENT_TSTR, O, false, NULL, "Administrative number" },
	{ "sex", TSR_ELEMENT_SEX, O, false, NULL, "Sex" },
	{ "height", TSR_ELEMENT_UINT, O, false, NULL, "Height (cm)" },
	{ "weight", TSR_ELEMENT_UINT, O, false, NULL, "Weight (kg)" },
	{ "eye_colour", TSR_ELEMENT_EYE_COLOUR, O, false, NULL, "Eye colour" },
	{ "hair_colour", TSR_ELEMENT_HAIR_COLOUR, O, false, NULL, "Hair colour" },
	{ "birth_place", TSR_ELEMENT_TSTR, O, false, NULL, "Place of birth" },
	{ "resident_address", TSR_ELEMENT_TSTR, O, false, NULL, "Resident address" },
	{ "portrait_capture_date", TSR_ELEMENT_TDATE, O, false, NULL,
	    "Portrait capture date" },
	{ "age_in_years", TSR_ELEMENT_UINT, O, false, NULL, "Age in years" },
	{ "age_birth_year", TSR_ELEMENT_UINT, O, false, NULL, "Year of birth" },
	{ "age_over_", TSR_ELEMENT_BOOL, O, true, NULL, "Age over %s" },
	{ "issuing_jurisdiction", TSR_ELEMENT_TSTR, O, false, NULL, "Issuing jurisdiction" },
	{ "nationality", TSR_ELEMENT_ALPHA2, O, false, NULL, "Nationality" },
	{ "resident_city", TSR_ELEMENT_TSTR, O, false, NULL, "Resident city" },
	{ "resident_state", TSR_ELEMENT_TSTR, O, false, NULL, "Resident state" },
	{ "resident_postal_code", TSR_ELEMENT_TSTR, O, false, NULL, "Resident postal code" },
	{ "resident_country", TSR_ELEMENT_ALPHA2, O, false, NULL, "Resident country" },
	{ "biometric_template_", TSR_ELEMENT_BSTR, O, true, NULL, "Biometric template (%s)" },
	{ "family_name_national_character", TSR_ELEMENT_TSTR, O, false, NULL,
	    "Family name (national characters)" },
	{ "given_name_national_character", TSR_ELEMENT_TSTR, O, false, NULL,
	    "Given names (national characters)" },
	{ "signature_usual_mark", TSR_ELEMENT_IMAGE, O, false, NULL, "Signature / usual mark" },
};

/* PID Rulebook v1.7 with the older encodings verifiers still meet
 * (birth_place as a tstr, age_over_NN, resident_house_number). */
static const tsr_element_def_t pid_elements[] = {
	{ "family_name", TSR_ELEMENT_TSTR, M, false, NULL, "Family name" },
	{ "given_name", TSR_ELEMENT_TSTR, M, false, NULL, "Given names" },
	{ "birth_date", TSR_ELEMENT_FULL_DATE, M, false, NULL, "Date of birth" },
	{ "place_of_birth", TSR_ELEMENT_PLACE_OF_BIRTH, M, false, "birth_place",
	    "Place of birth" },
	{ "nationality", TSR_ELEMENT_NATIONALITIES, M, false, NULL, "Nationality" },
	{ "issuing_authority", TSR_ELEMENT_TSTR, M, false, NULL, "Issuing authority" },
	{ "issuing_country", TSR_ELEMENT_ALPHA2, M, false, NULL, "Issuing country" },
	{ "portrait", TSR_ELEMENT_IMAGE, O, false, NULL, "Portrait" },
	{ "expiry_date", TSR_ELEMENT_DATE, O, false, NULL, "Date of expiry" },
	{ "issuance_date", TSR_ELEMENT_DATE, O, false, NULL, "Date of issue" },
	{ "document_number", TSR_ELEMENT_TSTR, O, false, NULL, "Document number" },
	{ "issuing_jurisdiction", TSR_ELEMENT_TSTR, O, false, NULL, "Issuing jurisdiction" },
	{ "personal_administrative_number", TSR_ELEMENT_TSTR, O, false, NULL,
	    "Personal administrative number" },
	{ "family_name_birth", TSR_ELEMENT_TSTR, O, false, NULL, "Family name at birth" },
	{ "given_name_birth", TSR_ELEMENT_TSTR, O, false, NULL, "Given names at birth" },
	{ "resident_address", TSR_ELEMENT_TSTR, O, false, NULL, "Resident address" },
	{ "resident_country", TSR_ELEMENT_ALPHA2, O, false, NULL, "Resident country" },
	{ "resident_state", TSR_ELEMENT_TSTR, O, false, NULL, "Resident state" },
	{ "resident_city", TSR_ELEMENT_TSTR, O, false, NULL, "Resident city" },
	{ "resident_postal_code", TSR_ELEMENT_TSTR, O, false, NULL, "Resident postal code" },
	{ "resident_street", TSR_ELEMENT_TSTR, O, false, NULL, "Resident street" },
	{ "resident_house_number", TSR_ELEMENT_TSTR, O, false, NULL, "Resident house number" },
	{ "email_address", TSR_ELEMENT_TSTR, O, false, NULL, "E-mail address" },
	{ "mobile_phone_number", TSR_ELEMENT_TSTR, O, false, NULL, "Mobile phone number" },
	{ "trust_anchor", TSR_ELEMENT_TSTR, O, false, NULL, "Trust anchor" },
	{ "attestation_legal_category", TSR_ELEMENT_TSTR, O, false, NULL,
	    "Attestation legal category" },
	{ "sex", TSR_ELEMENT_SEX_PID, O, false, NULL, "Sex" },
	{ "birth_place", TSR_ELEMENT_TSTR, O, false, NULL, "Place of birth" },
	{ "age_in_years", TSR_ELEMENT_UINT, O, false, NULL, "Age in years" },
	{ "age_birth_year", TSR_ELEMENT_UINT, O, false, NULL, "Year of birth" },
	{ "age_over_", TSR_ELEMENT_BOOL, O, true, NULL, "Age over %s" },
};

static const tsr_element_def_t av_elements[] = {
	{ "age_over_18", TSR_ELEMENT_BOOL, M, false, NULL, "Age over 18" },
	{ "age_over_", TSR_ELEMENT_BOOL, O, true, NULL, "Age over %s" },
	{ "issuing_country", TSR_ELEMENT_ALPHA2, O, false, NULL, "Issuing country" },
	{ "issuing_authority", TSR_ELEMENT_TSTR, O, false, NULL, "Issuing authority" },
};

static const tsr_namespace_def_t mdl_ns[] = {
	{ TSR_NAMESPACE_MDL, mdl_elements, N(mdl_elements) },
};
static const tsr_namespace_def_t pid_ns[] = {
	{ TSR_NAMESPACE_EU_PID, pid_elements, N(pid_elements) },
};
static const tsr_namespace_def_t av_ns[] = {
	{ TSR_NAMESPACE_EU_AV, av_elements, N(av_elements) },
};

static const tsr_doctype_def_t doctypes[] = {
	{ TSR_DOCTYPE_MDL, "Mobile driving licence", mdl_ns, N(mdl_ns) },
	{ TSR_DOCTYPE_EU_PID, "EU person identification data", pid_ns, N(pid_ns) },
	{ TSR_DOCTYPE_EU_AV, "EU age verification", av_ns, N(av_ns) },
};

const tsr_doctype_def_t *
tsr_doctype_find(const char *doc_type)
{
	if (doc_type == NULL)
		return NULL;
	for (size_t i = 0; i < N(doctypes); i++)
		if (strcmp(doctypes[i].doc_type, doc_type) == 0)
			return &doctypes[i];
	return NULL;
}

const tsr_doctype_def_t *
tsr_doctype_all(size_t *ret_n)
{
	if (ret_n != NULL)
		*ret_n = N(doctypes);
	return doctypes;
}

static bool
span_is(tsr_span_t s, const char *str)
{
	size_t n = strlen(str);

	return s.len == n && (n == 0 || memcmp(s.ptr, str, n) == 0);
}

const tsr_namespace_def_t *
tsr_namespace_find(tsr_span_t name)
{
	for (size_t i = 0; i < N(doctypes); i++)
		for (size_t j = 0; j < doctypes[i].n_namespaces; j++)
			if (span_is(name, doctypes[i].namespaces[j].name))
				return &doctypes[i].namespaces[j];
	return NULL;
}

int
tsr_element_age_over(tsr_span_t id)
{
	static const char prefix[] = "age_over_";
	const size_t n = sizeof(prefix) - 1;

	if (id.len != n + 2 || memcmp(id.ptr, prefix, n) != 0 || id.ptr[n] < '0' ||
	    id.ptr[n] > '9' || id.ptr[n + 1] < '0' || id.ptr[n + 1] > '9')
		return -1;
	return (id.ptr[n] - '0') * 10 + (id.ptr[n + 1] - '0');
}

/* A biometric modality: lower-case letters and '_' (face, finger,
 * signature_sign, iris). */
static bool
word_suffix(const uint8_t *p, size_t len)
{
	if (len == 0 || len > 32)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
			return false;
	return true;
}

static bool
pattern_match(const tsr_element_def_t *e, tsr_span_t id)
{
	size_t n = strlen(e->identifier);

	if (id.len <= n || memcmp(id.ptr, e->identifier, n) != 0)
		return false;
	if (strcmp(e->identifier, "age_over_") == 0)
		return tsr_element_age_over(id) >= 0;
	return word_suffix(id.ptr + n, id.len - n);
}

const tsr_element_def_t *
tsr_element_find(const tsr_namespace_def_t *ns, tsr_span_t identifier)
{
	if (ns == NULL)
		return NULL;
	/* Exact entries first: "age_over_18" in the AV table is mandatory. */
	for (size_t i = 0; i < ns->n_elements; i++)
		if (!ns->elements[i].pattern && span_is(identifier, ns->elements[i].identifier))
			return &ns->elements[i];
	for (size_t i = 0; i < ns->n_elements; i++)
		if (ns->elements[i].pattern && pattern_match(&ns->elements[i], identifier))
			return &ns->elements[i];
	return NULL;
}

size_t
tsr_element_label(tsr_span_t name_space, tsr_span_t identifier, char *out, size_t cap)
{
	const tsr_element_def_t *e = tsr_element_find(tsr_namespace_find(name_space), identifier);
	char suffix[40];
	int n;

	if (out == NULL || cap == 0)
		return 0;
	if (e == NULL) {
		n = snprintf(out, cap, "%.*s", (int)(identifier.len < 200 ? identifier.len : 200),
		    (const char *)identifier.ptr);
	} else if (e->pattern) {
		size_t plen = strlen(e->identifier), slen = identifier.len - plen;

		if (slen >= sizeof(suffix))
			slen = sizeof(suffix) - 1;
		memcpy(suffix, identifier.ptr + plen, slen);
		suffix[slen] = '\0';
		for (char *c = suffix; *c != '\0'; c++)
			if (*c == '_')
				*c = ' ';
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
		n = snprintf(out, cap, e->label, suffix);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
	} else {
		n = snprintf(out, cap, "%s", e->label);
	}
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
