/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * `tessera reader verify --json`:
 * {"valid", "now", "documents": [{"docType", "deviceAuth", "issuerSigned",
 *  "deviceSigned", "errors", "issuer", "validity", "status", "statusReason"}],
 *  "errors"}
 * "status" is "none" (no status reference in the MSO), "unknown" (no usable
 * status list), "valid", "revoked" or "suspended".
 * Element values are the library's typed JSON (tsr_cbor_to_json()).
 */

#include "cli.h"

#include <string.h>

#include <tessera/tessera.h>

static void
put_time_or_null(FILE *f, int64_t t)
{
	char buf[21];

	if (tsr_time_format(t, buf) == TSR_OK)
		fprintf(f, "\"%s\"", buf);
	else
		fputs("null", f);
}

static void
put_reason_names(FILE *f, uint32_t reasons)
{
	bool first = true;

	fputc('[', f);
	for (unsigned bit = 0; bit < 32; bit++) {
		uint32_t flag = 1u << bit;
		const char *name;

		if ((reasons & flag) == 0)
			continue;
		if (!first)
			fputs(", ", f);
		first = false;
		if ((name = tsr_reason_name(flag)) != NULL)
			cli_put_json_string(f, name);
		else
			fprintf(f, "\"unknown_%u\"", bit);
	}
	fputc(']', f);
}

static void
put_value(FILE *f, const tsr_verified_element_t *e)
{
	char *json;

	if (tsr_cbor_to_json(e->value, e->value_len, &json) != TSR_OK) {
		fputs("null", f);
		return;
	}
	fputs(json, f);
	tsr_free(json);
}

/*
 * {ns: {id: value}} for the issuer-signed or the device-signed elements,
 * namespaces in order of first appearance.
 */
static void
put_namespaces(FILE *f, const tsr_verified_doc_t *doc, bool device_signed)
{
	size_t n = tsr_verified_doc_element_count(doc);
	tsr_verified_element_t e, prev, item;
	bool first_ns = true, seen;

	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		if (tsr_verified_doc_element(doc, i, &e) != TSR_OK ||
		    e.device_signed != device_signed)
			continue;
		seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = tsr_verified_doc_element(doc, j, &prev) == TSR_OK &&
			    prev.device_signed == device_signed &&
			    strcmp(prev.name_space, e.name_space) == 0;
		if (seen)
			continue;
		fputs(first_ns ? "\n        " : ",\n        ", f);
		first_ns = false;
		cli_put_json_string(f, e.name_space);
		fputs(": {", f);
		for (size_t j = i, k = 0; j < n; j++) {
			if (tsr_verified_doc_element(doc, j, &item) != TSR_OK ||
			    item.device_signed != device_signed ||
			    strcmp(item.name_space, e.name_space) != 0)
				continue;
			fputs(k++ == 0 ? "\n          " : ",\n          ", f);
			cli_put_json_string(f, item.identifier);
			fputs(": ", f);
			put_value(f, &item);
		}
		fputs("\n        }", f);
	}
	fputs(first_ns ? "}" : "\n      }", f);
}

static const char *
device_auth_name(tsr_device_auth_kind_t kind)
{
	switch (kind) {
	case TSR_DEVICE_AUTH_MAC:
		return "mac";
	case TSR_DEVICE_AUTH_SIGNATURE:
		return "signature";
	case TSR_DEVICE_AUTH_NONE:
		break;
	}
	return "none";
}

static void
put_subject(FILE *f, const char *subject)
{
	if (subject == NULL || *subject == 0)
		fputs("null", f);
	else
		cli_put_json_string(f, subject);
}

static void
put_document(FILE *f, const tsr_verified_doc_t *doc)
{
	int64_t t_signed, t_from, t_until, t_update;

	fputs("    {\n      \"docType\": ", f);
	cli_put_json_string(f, tsr_verified_doc_doctype(doc));
	fprintf(f, ",\n      \"deviceAuth\": \"%s\"",
	    device_auth_name(tsr_verified_doc_device_auth(doc)));
	fputs(",\n      \"issuerSigned\": ", f);
	put_namespaces(f, doc, false);
	fputs(",\n      \"deviceSigned\": ", f);
	put_namespaces(f, doc, true);
	fputs(",\n      \"errors\": ", f);
	put_reason_names(f, tsr_verified_doc_reasons(doc));
	fputs(",\n      \"issuer\": {\"ds\": ", f);
	put_subject(f, tsr_verified_doc_ds_subject(doc));
	fputs(", \"iaca\": ", f);
	put_subject(f, tsr_verified_doc_iaca_subject(doc));
	fputs("},\n      \"validity\": ", f);
	if (tsr_verified_doc_validity(doc, &t_signed, &t_from, &t_until, &t_update) == TSR_OK) {
		fputs("{\"signed\": ", f);
		put_time_or_null(f, t_signed);
		fputs(", \"validFrom\": ", f);
		put_time_or_null(f, t_from);
		fputs(", \"validUntil\": ", f);
		put_time_or_null(f, t_until);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputs(",\n      \"status\": ", f);
	cli_put_json_string(f, tsr_doc_status_name(tsr_verified_doc_status(doc)));
	fputs(",\n      \"statusReason\": ", f);
	put_subject(f, tsr_verified_doc_status_reason(doc)); /* "" -> null */
	fputs("\n    }", f);
}

void
cli_print_result_json(FILE *f, const tsr_verify_result_t *result)
{
	size_t count = tsr_verify_result_doc_count(result);

	fprintf(f, "{\n  \"valid\": %s,\n  \"now\": ",
	    tsr_verify_result_valid(result) ? "true" : "false");
	put_time_or_null(f, tsr_verify_result_time(result));
	fputs(",\n  \"documents\": [", f);
	for (size_t i = 0; i < count; i++) {
		fputs(i == 0 ? "\n" : ",\n", f);
		put_document(f, tsr_verify_result_doc(result, i));
	}
	fputs(count == 0 ? "],\n  \"errors\": " : "\n  ],\n  \"errors\": ", f);
	put_reason_names(f, tsr_verify_result_reasons(result));
	fputs("\n}\n", f);
}
