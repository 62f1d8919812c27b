/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * What people read: document types, data elements, request templates and
 * failure reasons in plain, translated words, and element values formatted
 * for display. The core speaks identifiers and reason flags; this is the
 * one place that turns them into sentences.
 */

#define VERIFIER_DOCTYPE_MDL "org.iso.18013.5.1.mDL"
#define VERIFIER_NAMESPACE_MDL "org.iso.18013.5.1"
#define VERIFIER_DOCTYPE_PID "eu.europa.ec.eudi.pid.1"
#define VERIFIER_DOCTYPE_AV "eu.europa.ec.av.1"

typedef struct {
	const char *doc_type;
	const char *name_space;
	const char *identifier;
	const char *label;       /* untranslated: pass through _() */
} VerifierCatalogElement;

/* Every element the custom picker offers, grouped by docType. */
const VerifierCatalogElement *verifier_catalog_elements (gsize *ret_n);

const char *verifier_catalog_doctype_label (const char *doc_type);
char *verifier_catalog_element_label (const char *name_space, const char *identifier);

const char *verifier_catalog_template_title (const char *name);
const char *verifier_catalog_template_description (const char *name);

/* One reason flag in plain words; "" for 0 or several flags. */
const char *verifier_catalog_reason_text (guint32 flag);

/* Portrait-like elements: their value is an image. */
gboolean verifier_catalog_is_image (const char *identifier);

/* The value as text for people; @now (Unix seconds, 0 for none) lets a
 * date of birth show the age. Never NULL. */
char *verifier_catalog_format_value (const char *name_space, const char *identifier,
    const guint8 *cbor, gsize len, gint64 now);
/* A byte-string value's bytes (e.g. a JPEG portrait), or NULL. */
GBytes *verifier_catalog_value_bytes (const guint8 *cbor, gsize len);

/* A Unix time as a date (and time) for people, in UTC. */
char *verifier_catalog_format_date (gint64 t);
char *verifier_catalog_format_date_time (gint64 t);

/* The C= part of an RFC 4514 / OpenSSL-style subject, or NULL. */
char *verifier_catalog_subject_country (const char *subject);
/* The CN= part of a subject, or a copy of the whole subject. */
char *verifier_catalog_subject_common_name (const char *subject);

G_END_DECLS
