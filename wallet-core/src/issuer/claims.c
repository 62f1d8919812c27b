/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Claims from JSON, problem reports, and small helpers of the issuer. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "issuer/issuer-private.h"

void
tsr_report_init(tsr_report_t *rep)
{
	memset(rep, 0, sizeof(*rep));
	tsr_buf_init(&rep->buf);
}

void
tsr_report_free(tsr_report_t *rep)
{
	if (rep == NULL)
		return;
	tsr_buf_free(&rep->buf);
	memset(rep, 0, sizeof(*rep));
}

static void
report_vadd(tsr_report_t *rep, const char *prefix, size_t prefix_len, const char *fmt,
    va_list ap)
{
	char line[512];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0) {
		rep->error = TSR_ERR_INTERNAL;
		return;
	}
	if ((rep->count > 0 && tsr_buf_append_byte(&rep->buf, '\n') != TSR_OK) ||
	    tsr_buf_append(&rep->buf, prefix, prefix_len) != TSR_OK ||
	    tsr_buf_append(&rep->buf, line, strlen(line)) != TSR_OK)
		rep->error = TSR_ERR_NO_MEMORY;
	rep->count++;
}

void
tsr_report_add(tsr_report_t *rep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vadd(rep, "", 0, fmt, ap);
	va_end(ap);
}

void
tsr_report_element(tsr_report_t *rep, tsr_span_t ns, tsr_span_t id, const char *fmt, ...)
{
	char prefix[300];
	va_list ap;
	int n;

	n = snprintf(prefix, sizeof(prefix), "%.*s/%.*s: ", (int)(ns.len < 120 ? ns.len : 120),
	    (const char *)ns.ptr, (int)(id.len < 120 ? id.len : 120), (const char *)id.ptr);
	if (n < 0)
		n = 0;
	va_start(ap, fmt);
	report_vadd(rep, prefix, (size_t)n < sizeof(prefix) ? (size_t)n : sizeof(prefix) - 1, fmt,
	    ap);
	va_end(ap);
}

int
tsr_report_finish(tsr_report_t *rep, char **ret_text)
{
	char *s;

	if (rep->error != TSR_OK)
		return rep->error;
	if (ret_text == NULL)
		return TSR_OK;
	if ((s = malloc(rep->buf.len + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (rep->buf.len > 0)
		memcpy(s, rep->buf.ptr, rep->buf.len);
	s[rep->buf.len] = '\0';
	*ret_text = s;
	return TSR_OK;
}

int
tsr_random_permutation(uint32_t *out, size_t n)
{
	int r;

	if (n > UINT32_MAX)
		return TSR_ERR_LIMIT;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint32_t)i;
	for (size_t i = n; i > 1; i--) {
		/* Uniform j in [0, i) by rejection: no modulo bias. */
		uint32_t bound = (uint32_t)i, limit = UINT32_MAX - UINT32_MAX % bound, v, tmp;
		uint8_t b[4];

		do {
			if ((r = tsr_random_bytes(b, sizeof(b))) != TSR_OK)
				return r;
			v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		} while (v >= limit);
		v %= bound;
		tmp = out[i - 1];
		out[i - 1] = out[v];
		out[v] = tmp;
	}
	return TSR_OK;
}

/* --- Claims --- */

static bool
span_has_nul(tsr_span_t s)
{
	return s.len > 0 && memchr(s.ptr, '\0', s.len) != NULL;
}

int
tsr_claims_from_json(const char *json, size_t len, tsr_claims_t **ret_claims, char **ret_error)
{
	tsr_claims_t *claims = NULL;
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root;
	uint8_t *cbor = NULL;
	size_t cbor_len = 0;
	char *error = NULL;
	int r = TSR_ERR_INTERNAL;

	if ((json == NULL && len > 0) || ret_claims == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_json_to_cbor(json, len, true, &cbor, &cbor_len, &error)) != TSR_OK)
		goto out;
	if ((r = tsr_cbor_decode(cbor, cbor_len, NULL, &doc)) != TSR_OK) {
		if (r != TSR_ERR_NO_MEMORY) {
			if (asprintf(&error, "claims too large or too deep (%s)", tsr_strerror(r)) < 0)
				error = NULL;
			r = TSR_ERR_LIMIT;
		}
		goto out;
	}
	root = tsr_cbor_doc_root(doc);
	if (!tsr_cbor_is(root, TSR_CBOR_MAP) || root->u.list.count == 0) {
		error = strdup("claims must be a non-empty object of namespaces");
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	for (size_t i = 0; i < root->u.list.count; i++) {
		const tsr_cbor_item_t *ns = tsr_cbor_map_key(root, i);
		const tsr_cbor_item_t *elements = tsr_cbor_map_value(root, i);

		if (ns->u.str.len == 0 || span_has_nul(ns->u.str) ||
		    !tsr_cbor_is(elements, TSR_CBOR_MAP) || elements->u.list.count == 0) {
			if (asprintf(&error, "namespace \"%.*s\" must be a non-empty object of "
			    "data elements", (int)(ns->u.str.len < 100 ? ns->u.str.len : 100),
			    (const char *)ns->u.str.ptr) < 0)
				error = NULL;
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
		for (size_t j = 0; j < elements->u.list.count; j++) {
			tsr_span_t id = tsr_cbor_map_key(elements, j)->u.str;

			if (id.len == 0 || span_has_nul(id)) {
				if (asprintf(&error, "namespace \"%.*s\" has an empty element "
				    "identifier", (int)(ns->u.str.len < 100 ? ns->u.str.len : 100),
				    (const char *)ns->u.str.ptr) < 0)
					error = NULL;
				r = TSR_ERR_INVALID_ARGUMENT;
				goto out;
			}
		}
	}
	if ((claims = calloc(1, sizeof(*claims))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	claims->doc = doc;
	doc = NULL;
	*ret_claims = claims;
	r = TSR_OK;
out:
	if (r != TSR_OK && ret_error != NULL && error != NULL) {
		*ret_error = error;
		error = NULL;
	}
	free(error);
	tsr_cbor_doc_free(doc);
	tsr_free_secret(cbor, cbor_len);
	return r;
}

void
tsr_claims_free(tsr_claims_t *claims)
{
	if (claims == NULL)
		return;
	tsr_cbor_doc_free(claims->doc);
	free(claims);
}

int
tsr_claims_validate(const tsr_claims_t *claims, const char *doc_type, int64_t at,
    bool allow_unknown, char **ret_report)
{
	tsr_report_t rep;
	int r = TSR_ERR_INTERNAL;

	if (claims == NULL || doc_type == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_report_init(&rep);
	if ((r = tsr_claims_check(claims, doc_type, at, allow_unknown, &rep)) != TSR_OK)
		goto out;
	if (rep.count == 0) {
		r = rep.error;
		goto out;
	}
	if ((r = tsr_report_finish(&rep, ret_report)) == TSR_OK)
		r = TSR_ERR_INVALID_ARGUMENT;
out:
	tsr_report_free(&rep);
	return r;
}
