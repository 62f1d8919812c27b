/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Data element tables of the document types Tessera knows: the mDL
 * (ISO/IEC 18013-5 §7.2.1), the EU PID (PID Rulebook, mdoc encoding) and
 * the EU age-verification attestation. Each element has its CBOR type,
 * whether the issuer must include it, and an English label for people
 * (the holder and verifier apps show these). Labels are never claim values.
 */
#ifndef TSR_MDOC_DOCTYPES_H
#define TSR_MDOC_DOCTYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define TSR_DOCTYPE_EU_PID "eu.europa.ec.eudi.pid.1"
#define TSR_NAMESPACE_EU_PID "eu.europa.ec.eudi.pid.1"
#define TSR_DOCTYPE_EU_AV "eu.europa.ec.av.1"
#define TSR_NAMESPACE_EU_AV "eu.europa.ec.av.1"

typedef enum tsr_element_type {
	TSR_ELEMENT_TSTR,          /* tstr, at most 150 characters */
	TSR_ELEMENT_ALPHA2,        /* ISO 3166-1 alpha-2: two upper-case letters */
	TSR_ELEMENT_UINT,
	TSR_ELEMENT_BOOL,
	TSR_ELEMENT_BSTR,
	TSR_ELEMENT_IMAGE,         /* bstr holding a JPEG or JPEG 2000 image */
	TSR_ELEMENT_FULL_DATE,     /* #6.1004("YYYY-MM-DD") */
	TSR_ELEMENT_TDATE,         /* #6.0("YYYY-MM-DDThh:mm:ssZ") */
	TSR_ELEMENT_DATE,          /* tdate or full-date */
	TSR_ELEMENT_SEX,           /* uint, ISO/IEC 5218 (0, 1, 2, 9) */
	TSR_ELEMENT_SEX_PID,       /* uint, 0-6 or 9 (PID Rulebook) */
	TSR_ELEMENT_EYE_COLOUR,    /* tstr from the 18013-5 list */
	TSR_ELEMENT_HAIR_COLOUR,   /* tstr from the 18013-5 list */
	TSR_ELEMENT_DRIVING_PRIVILEGES,
	TSR_ELEMENT_PLACE_OF_BIRTH, /* {? country, ? region, ? locality}, at least one */
	TSR_ELEMENT_NATIONALITIES, /* [+ alpha-2], or one alpha-2 tstr (older PIDs) */
} tsr_element_type_t;

typedef struct tsr_element_def {
	const char *identifier;    /* for a pattern, the prefix ("age_over_") */
	tsr_element_type_t type;
	bool mandatory;
	bool pattern;              /* identifier + suffix (two digits or a word) */
	const char *alternative;   /* mandatory is also met by this element */
	const char *label;         /* English; for a pattern, a printf format */
} tsr_element_def_t;

typedef struct tsr_namespace_def {
	const char *name;
	const tsr_element_def_t *elements;
	size_t n_elements;
} tsr_namespace_def_t;

typedef struct tsr_doctype_def {
	const char *doc_type;
	const char *label;
	const tsr_namespace_def_t *namespaces;
	size_t n_namespaces;
} tsr_doctype_def_t;

/* NULL for a document type without a table. */
const tsr_doctype_def_t *tsr_doctype_find(const char *doc_type);
/* Every known document type, in a fixed order; *ret_n receives the count. */
const tsr_doctype_def_t *tsr_doctype_all(size_t *ret_n);
/* The namespace's table, or NULL. name is not NUL-terminated. */
const tsr_namespace_def_t *tsr_namespace_find(tsr_span_t name);
/* The element's entry, or NULL. A pattern entry matches "age_over_NN" with
 * exactly two digits and "biometric_template_<word>". */
const tsr_element_def_t *tsr_element_find(const tsr_namespace_def_t *ns, tsr_span_t identifier);
/* Two digits of an age_over_NN identifier: NN, or -1 for anything else. */
int tsr_element_age_over(tsr_span_t identifier);

/*
 * Writes the English label of an element to out ("Family name",
 * "Age over 18"). Known namespaces only; otherwise the identifier itself.
 * Returns the label length (truncated to cap - 1).
 */
size_t tsr_element_label(tsr_span_t name_space, tsr_span_t identifier, char *out, size_t cap);

#endif /* TSR_MDOC_DOCTYPES_H */
