/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The structures behind <tessera/issuer.h> and helpers shared by the files
 * of src/issuer. */
#ifndef TSR_ISSUER_PRIVATE_H
#define TSR_ISSUER_PRIVATE_H

#include <stdarg.h>

#include <tessera/issuer.h>

#include "mdoc/doctypes.h"
#include "mdoc/mdoc.h"

/* Claims JSON: 16 MiB (a portrait in base64 is well under 1 MiB), nesting
 * 16 deep (namespace, element, then the value's own structure). */
#define TSR_CLAIMS_JSON_MAX ((size_t)16 * 1024 * 1024)
#define TSR_CLAIMS_JSON_DEPTH 16
/* A data element text string: 150 characters (18013-5 §7.2.1, PIDRB). */
#define TSR_ELEMENT_TSTR_MAX 150
#define TSR_SALT_LEN 32
#define TSR_BATCH_MAX 10000

/* The claims are kept as one CBOR document: a map of namespaces (text),
 * each a map of element identifiers (text) to values, keys in
 * deterministic order. */
struct tsr_claims {
	tsr_cbor_doc_t *doc;
};

struct tsr_device_keys {
	uint8_t **keys;   /* COSE_Key encodings */
	size_t *lens;
	size_t n;
};

struct tsr_issuer {
	tsr_x509_t *chain;         /* DS first, then intermediates */
	tsr_span_t *chain_der;     /* borrowed from chain */
	size_t n_chain;
	tsr_ec_key_t *key;         /* NULL with an external signer */
	tsr_issuer_sign_fn sign;
	void *user;
	tsr_cose_signer_t signer;
	tsr_ec_pub_t pub;
	int64_t not_before, not_after;
	char country[3];
};

/* Problems collected for a report: one line each. Errors are sticky. */
typedef struct tsr_report {
	tsr_buf_t buf;
	size_t count;
	int error;
} tsr_report_t;

void tsr_report_init(tsr_report_t *rep);
void tsr_report_free(tsr_report_t *rep);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void tsr_report_add(tsr_report_t *rep, const char *fmt, ...);
/* "ns/element: " prefix from spans, then the message. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void tsr_report_element(tsr_report_t *rep, tsr_span_t ns, tsr_span_t id, const char *fmt, ...);
/* Hands the text to the caller (NULL allowed: the text is dropped). */
int tsr_report_finish(tsr_report_t *rep, char **ret_text);

/*
 * Converts JSON to CBOR (json.c). With typed, one-key objects whose key
 * starts with '$' are typed values ($full-date, $tdate, $bytes, $b64).
 * Objects become maps in RFC 8949 §4.2.1 order; duplicate keys, invalid
 * UTF-8, lone surrogates, NUL characters and trailing text are errors.
 * On TSR_ERR_INVALID_ARGUMENT or TSR_ERR_LIMIT, *ret_error (may be NULL)
 * receives "line L, column C: why".
 */
int tsr_json_to_cbor(const char *json, size_t len, bool typed, uint8_t **ret_ptr,
    size_t *ret_len, char **ret_error);

/* "YYYY-MM-DD", a real date. */
bool tsr_full_date_parse(const uint8_t *p, size_t len, int *ret_y, int *ret_m, int *ret_d);
/* "YYYY-MM-DDThh:mm:ssZ" exactly (no fraction, UTC). */
bool tsr_tdate_parse(const uint8_t *p, size_t len, int64_t *ret_time);

/* JSON string (with quotes) of UTF-8 text; control characters escaped. */
void tsr_json_put_string(tsr_buf_t *out, const char *s, size_t len);

/* Fisher-Yates permutation of 0..n-1 from tsr_random_bytes(). */
int tsr_random_permutation(uint32_t *out, size_t n);

/* Validation against the doctype table, appending to rep (validate.c). */
int tsr_claims_check(const tsr_claims_t *claims, const char *doc_type, int64_t at,
    bool allow_unknown, tsr_report_t *rep);

#endif /* TSR_ISSUER_PRIVATE_H */
