/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera reader verify` output for people. */

#include "cli.h"

#include <tessera/tessera.h>

static void
put_reasons(FILE *f, uint32_t reasons, int decode_error, const char *indent)
{
	for (unsigned bit = 0; bit < 32; bit++) {
		uint32_t flag = 1u << bit;
		const char *text, *name;

		if ((reasons & flag) == 0)
			continue;
		text = tsr_reason_text(flag);
		name = tsr_reason_name(flag);
		fprintf(f, "%s- ", indent);
		if (text != NULL && name != NULL)
			fprintf(f, "%s (%s)", text, name);
		else
			fprintf(f, "unknown reason (bit %u)", bit);
		if (flag == TSR_REASON_MALFORMED && decode_error != TSR_OK)
			fprintf(f, ": %s", tsr_strerror(decode_error));
		fputc('\n', f);
	}
}

static void
put_field(FILE *f, const char *label, const char *value, const char *if_empty)
{
	fprintf(f, "  %-19s ", label);
	if (value == NULL || *value == 0)
		fputs(if_empty, f);
	else
		cli_put_text(f, value);
	fputc('\n', f);
}

static void
put_time_field(FILE *f, const char *label, int64_t t)
{
	fprintf(f, "  %-19s ", label);
	cli_put_time(f, t);
	fputc('\n', f);
}

static void
put_elements(FILE *f, const tsr_verified_doc_t *doc, bool device_signed)
{
	size_t n = tsr_verified_doc_element_count(doc), shown = 0;
	tsr_verified_element_t e;

	fprintf(f, "  %s:", device_signed ? "Device-signed data" : "Issuer-signed data");
	for (size_t i = 0; i < n; i++) {
		if (tsr_verified_doc_element(doc, i, &e) != TSR_OK ||
		    e.device_signed != device_signed)
			continue;
		fputs("\n    ", f);
		cli_put_text(f, e.name_space);
		fputs(" / ", f);
		cli_put_text(f, e.identifier);
		fputs(e.verified ? ":" : " (NOT VERIFIED):", f);
		cli_put_value_human(f, e.value, e.value_len, "\n      - ");
		shown++;
	}
	fputs(shown == 0 ? " none\n" : "\n", f);
}

static const char *
device_auth_text(tsr_device_auth_kind_t kind)
{
	switch (kind) {
	case TSR_DEVICE_AUTH_MAC:
		return "MAC (deviceMac)";
	case TSR_DEVICE_AUTH_SIGNATURE:
		return "signature (deviceSignature)";
	case TSR_DEVICE_AUTH_NONE:
		break;
	}
	return "none";
}

/* "Status: revoked (revoked by its issuer)"; "none" when the MSO has no
 * status reference. */
static void
put_status(FILE *f, const tsr_verified_doc_t *doc)
{
	tsr_doc_status_t st = tsr_verified_doc_status(doc);
	const char *reason = tsr_verified_doc_status_reason(doc);

	fprintf(f, "  %-19s ", "Status:");
	switch (st) {
	case TSR_DOC_STATUS_NONE:
		fputs("none (no status list reference)", f);
		break;
	case TSR_DOC_STATUS_UNKNOWN:
		fputs("unknown", f);
		break;
	default:
		fputs(tsr_doc_status_name(st), f);
		break;
	}
	if (st != TSR_DOC_STATUS_NONE && reason != NULL && *reason != '\0') {
		fputs(" (", f);
		cli_put_text(f, reason);
		fputc(')', f);
	}
	fputc('\n', f);
}

static void
put_document(FILE *f, const tsr_verified_doc_t *doc, size_t idx, size_t count)
{
	uint32_t reasons = tsr_verified_doc_reasons(doc);
	int64_t t_signed, t_from, t_until, t_update, nb, na;
	const char *ns, *id;
	int64_t code;

	fprintf(f, "\nDocument %zu of %zu: ", idx + 1, count);
	cli_put_text(f, *tsr_verified_doc_doctype(doc) ? tsr_verified_doc_doctype(doc) :
							   "(unknown type)");
	fputs(reasons == 0 ? " (valid)\n" : " (NOT VALID)\n", f);

	put_elements(f, doc, false);
	put_elements(f, doc, true);
	if (tsr_verified_doc_error_count(doc) > 0) {
		fputs("  Not returned:\n", f);
		for (size_t i = 0; i < tsr_verified_doc_error_count(doc); i++) {
			if (tsr_verified_doc_error(doc, i, &ns, &id, &code) != TSR_OK)
				continue;
			fputs("    ", f);
			cli_put_text(f, ns);
			fputs(" / ", f);
			cli_put_text(f, id);
			fprintf(f, " (error code %lld)\n", (long long)code);
		}
	}

	put_field(f, "Issuer (DS):", tsr_verified_doc_ds_subject(doc), "(unknown)");
	put_field(f, "Trusted IACA:", tsr_verified_doc_iaca_subject(doc), "(none reached)");
	if (tsr_verified_doc_validity(doc, &t_signed, &t_from, &t_until, &t_update) == TSR_OK) {
		put_time_field(f, "MSO signed:", t_signed);
		put_time_field(f, "MSO valid from:", t_from);
		put_time_field(f, "MSO valid until:", t_until);
		if (t_update != 0)
			put_time_field(f, "MSO expected update:", t_update);
	} else {
		put_field(f, "MSO validity:", NULL, "(unknown)");
	}
	if (tsr_verified_doc_ds_validity(doc, &nb, &na) == TSR_OK) {
		fprintf(f, "  %-19s ", "DS certificate:");
		fputs("valid from ", f);
		cli_put_time(f, nb);
		fputs(" until ", f);
		cli_put_time(f, na);
		fputc('\n', f);
	} else {
		put_field(f, "DS certificate:", NULL, "(unknown)");
	}
	put_field(f, "Digest algorithm:", tsr_verified_doc_digest_algorithm(doc), "(unknown)");
	put_field(f, "Device auth:", device_auth_text(tsr_verified_doc_device_auth(doc)), "none");
	put_status(f, doc);
	if (reasons != 0) {
		fputs("  Problems:\n", f);
		put_reasons(f, reasons, TSR_OK, "    ");
	}
}

void
cli_print_result_human(FILE *f, const tsr_verify_result_t *result)
{
	size_t count = tsr_verify_result_doc_count(result);
	uint32_t reasons = tsr_verify_result_reasons(result);
	const char *doctype;
	int64_t code;

	fputs(tsr_verify_result_valid(result) ? "VALID\n" : "NOT VALID\n", f);
	fputs("Verified at ", f);
	cli_put_time(f, tsr_verify_result_time(result));
	fprintf(f, "; %zu document%s.\n", count, count == 1 ? "" : "s");
	if (reasons != 0) {
		fputs("Response problems:\n", f);
		put_reasons(f, reasons, tsr_verify_result_decode_error(result), "  ");
	}
	if (tsr_verify_result_status(result) != 0)
		fprintf(f, "Response status: %llu\n",
		    (unsigned long long)tsr_verify_result_status(result));
	if (tsr_verify_result_doc_error_count(result) > 0) {
		fputs("Documents not returned:\n", f);
		for (size_t i = 0; i < tsr_verify_result_doc_error_count(result); i++) {
			if (tsr_verify_result_doc_error(result, i, &doctype, &code) != TSR_OK)
				continue;
			fputs("  ", f);
			cli_put_text(f, doctype);
			fprintf(f, " (error code %lld)\n", (long long)code);
		}
	}
	for (size_t i = 0; i < count; i++)
		put_document(f, tsr_verify_result_doc(result, i), i, count);
}
