/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A readable (or JSON) dump of anything the issuer writes. Checks the
 * issuer signature against the embedded DS certificate and every digest,
 * but trusts nothing: no anchors are involved. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "issuer/issuer-private.h"
#include "reader/status.h"

#define SHOWN_INDICES 100

typedef struct out {
	tsr_buf_t buf;
	bool json;
	int error;
} out_t;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(out_t *o, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->error = TSR_ERR_INTERNAL;
		return;
	}
	if ((size_t)n >= sizeof(small)) {
		va_start(ap, fmt);
		n = vasprintf(&big, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->error = TSR_ERR_NO_MEMORY;
			return;
		}
	}
	if (tsr_buf_append(&o->buf, big ? big : small, (size_t)n) != TSR_OK)
		o->error = TSR_ERR_NO_MEMORY;
	free(big);
}

static void
put_str(out_t *o, const char *s, size_t len)
{
	if (o->json)
		tsr_json_put_string(&o->buf, s, len);
	else if (tsr_buf_append(&o->buf, s, len) != TSR_OK)
		o->error = TSR_ERR_NO_MEMORY;
}

static void
put_time(out_t *o, int64_t t)
{
	char s[21];

	if (tsr_time_format(t, s) != TSR_OK)
		snprintf(s, sizeof(s), "%lld", (long long)t);
	if (o->json)
		put(o, "\"%s\"", s);
	else
		put(o, "%s", s);
}

static void
put_hex(out_t *o, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(o, "%02x", p[i]);
}

static void
put_value(out_t *o, const tsr_cbor_item_t *v)
{
	size_t before = o->buf.len;
	int r;

	if (o->json) {
		r = tsr_cbor_json(v, &o->buf);
	} else if (tsr_cbor_is(v, TSR_CBOR_BSTR) && v->u.str.len > 32) {
		const uint8_t *p = v->u.str.ptr;

		put(o, "<%zu bytes%s>", v->u.str.len,
		    p[0] == 0xff && p[1] == 0xd8 ? ", JPEG" : "");
		return;
	} else {
		r = tsr_cbor_diag(v, false, &o->buf);
	}
	if (r != TSR_OK) {
		o->buf.len = before;
		put(o, o->json ? "null" : "(not renderable)");
	}
}

/* Checks every digest; returns the number that do not match. */
static size_t
digest_failures(const tsr_issuer_signed_t *is, size_t *ret_total)
{
	uint8_t digest[TSR_HASH_MAX_LEN];
	size_t bad = 0, total = 0;

	for (size_t i = 0; i < is->n_ns; i++) {
		const tsr_cbor_item_t *ids = NULL;

		for (size_t k = 0; k < is->mso.value_digests->u.list.count && ids == NULL; k++) {
			tsr_span_t n = tsr_cbor_map_key(is->mso.value_digests, k)->u.str;

			if (tsr_span_equal(n, is->ns[i].name))
				ids = tsr_cbor_map_value(is->mso.value_digests, k);
		}
		for (size_t j = 0; j < is->ns[i].n_items; j++) {
			const tsr_issuer_item_t *item = &is->ns[i].items[j];
			const tsr_cbor_item_t *want = NULL;

			total++;
			for (size_t k = 0; ids != NULL && k < ids->u.list.count; k++)
				if (tsr_cbor_map_key(ids, k)->u.uint == item->digest_id)
					want = tsr_cbor_map_value(ids, k);
			if (want == NULL || tsr_hash(is->mso.digest_alg, item->bytes.ptr,
			    item->bytes.len, digest) != TSR_OK ||
			    memcmp(digest, want->u.str.ptr, tsr_hash_len(is->mso.digest_alg)) != 0)
				bad++;
		}
	}
	*ret_total = total;
	return bad;
}

static void
describe_signed(out_t *o, const tsr_issuer_signed_t *is, const char *format, size_t indent)
{
	const tsr_mso_t *mso = &is->mso;
	tsr_ec_pub_t ds_pub;
	bool sig_ok = false;
	size_t total = 0, bad = digest_failures(is, &total);
	const tsr_doctype_def_t *dt;
	char *subject = NULL, dt_name[256], label[160];
	int64_t nb = 0, na = 0;
	uint64_t idx = 0;
	tsr_span_t uri;
	bool has_status = tsr_mso_status_ref(mso, &idx, &uri);
	const char *pad = indent ? "    " : "";

	if (is->issuer_auth.x5chain != NULL &&
	    tsr_x509_public_key(is->issuer_auth.x5chain, 0, &ds_pub) == TSR_OK)
		sig_ok = tsr_cose_sign1_verify(&is->issuer_auth, &ds_pub, NULL, 0) == TSR_OK;
	if (is->issuer_auth.x5chain != NULL) {
		(void)tsr_x509_subject(is->issuer_auth.x5chain, 0, &subject);
		(void)tsr_x509_validity(is->issuer_auth.x5chain, 0, &nb, &na);
	}
	snprintf(dt_name, sizeof(dt_name), "%.*s", (int)(mso->doc_type.len < 200 ?
	    mso->doc_type.len : 200), (const char *)mso->doc_type.ptr);
	dt = tsr_doctype_find(dt_name);

	if (o->json) {
		put(o, "{\"format\":\"%s\",\"docType\":", format);
		put_str(o, (const char *)mso->doc_type.ptr, mso->doc_type.len);
		put(o, ",\"issuerSignatureValid\":%s,\"digestsValid\":%s,\"ds\":{\"subject\":",
		    sig_ok ? "true" : "false", bad == 0 ? "true" : "false");
		put_str(o, subject ? subject : "", subject ? strlen(subject) : 0);
		put(o, ",\"notBefore\":");
		put_time(o, nb);
		put(o, ",\"notAfter\":");
		put_time(o, na);
		put(o, "},\"digestAlgorithm\":\"%s\",\"validity\":{\"signed\":",
		    tsr_hash_name(mso->digest_alg));
		put_time(o, mso->signed_at);
		put(o, ",\"validFrom\":");
		put_time(o, mso->valid_from);
		put(o, ",\"validUntil\":");
		put_time(o, mso->valid_until);
		if (mso->has_expected_update) {
			put(o, ",\"expectedUpdate\":");
			put_time(o, mso->expected_update);
		}
		put(o, "},\"deviceKey\":{\"crv\":\"%s\",\"x\":\"", tsr_curve_name(mso->device_key.curve));
		put_hex(o, mso->device_key.x, tsr_curve_coord_len(mso->device_key.curve));
		put(o, "\",\"y\":\"");
		put_hex(o, mso->device_key.y, tsr_curve_coord_len(mso->device_key.curve));
		put(o, "\"},\"status\":");
		if (has_status) {
			put(o, "{\"idx\":%llu,\"uri\":", (unsigned long long)idx);
			put_str(o, (const char *)uri.ptr, uri.len);
			put(o, "}");
		} else {
			put(o, "null");
		}
		put(o, ",\"nameSpaces\":{");
		for (size_t i = 0; i < is->n_ns; i++) {
			put(o, i ? "," : "");
			put_str(o, (const char *)is->ns[i].name.ptr, is->ns[i].name.len);
			put(o, ":[");
			for (size_t j = 0; j < is->ns[i].n_items; j++) {
				const tsr_issuer_item_t *it = &is->ns[i].items[j];

				tsr_element_label(is->ns[i].name, it->element_id, label, sizeof(label));
				put(o, "%s{\"identifier\":", j ? "," : "");
				put_str(o, (const char *)it->element_id.ptr, it->element_id.len);
				put(o, ",\"label\":");
				put_str(o, label, strlen(label));
				put(o, ",\"digestID\":%llu,\"saltLength\":%zu,\"value\":",
				    (unsigned long long)it->digest_id, it->random.len);
				put_value(o, it->value);
				put(o, "}");
			}
			put(o, "]");
		}
		put(o, "}}");
	} else {
		put(o, "%s%s for %s%s%s%s\n", pad, format, dt_name, dt ? " (" : "",
		    dt ? dt->label : "", dt ? ")" : "");
		put(o, "%s  Issuer signature: %s\n", pad,
		    sig_ok ? "valid (embedded DS certificate; trust not checked)" : "INVALID");
		put(o, "%s  Digests: %s (%zu of %zu match)\n", pad, bad == 0 ? "valid" : "MISMATCH",
		    total - bad, total);
		put(o, "%s  Document Signer: %s\n%s    valid ", pad, subject ? subject : "(none)", pad);
		put_time(o, nb);
		put(o, " to ");
		put_time(o, na);
		put(o, "\n%s  MSO: digest %s, signed ", pad, tsr_hash_name(mso->digest_alg));
		put_time(o, mso->signed_at);
		put(o, ", valid from ");
		put_time(o, mso->valid_from);
		put(o, " until ");
		put_time(o, mso->valid_until);
		if (mso->has_expected_update) {
			put(o, ", expected update ");
			put_time(o, mso->expected_update);
		}
		put(o, "\n%s  Device key: %s x=", pad, tsr_curve_name(mso->device_key.curve));
		put_hex(o, mso->device_key.x, tsr_curve_coord_len(mso->device_key.curve));
		put(o, "\n%s  Status: ", pad);
		if (has_status)
			put(o, "status list %.*s, index %llu\n", (int)uri.len, (const char *)uri.ptr,
			    (unsigned long long)idx);
		else
			put(o, "%s\n", mso->status ? "(not understood)" : "none");
		for (size_t i = 0; i < is->n_ns; i++) {
			put(o, "%s  Namespace %.*s (%zu elements):\n", pad, (int)is->ns[i].name.len,
			    (const char *)is->ns[i].name.ptr, is->ns[i].n_items);
			for (size_t j = 0; j < is->ns[i].n_items; j++) {
				const tsr_issuer_item_t *it = &is->ns[i].items[j];

				tsr_element_label(is->ns[i].name, it->element_id, label, sizeof(label));
				put(o, "%s    [%2llu] %s (%.*s): ", pad, (unsigned long long)it->digest_id,
				    label, (int)it->element_id.len, (const char *)it->element_id.ptr);
				put_value(o, it->value);
				put(o, "\n");
			}
		}
	}
	free(subject);
}

static int
describe_item(out_t *o, const tsr_cbor_item_t *item, size_t indent)
{
	tsr_issuer_signed_t is;
	tsr_document_t doc;
	int r;

	if (tsr_cbor_map_find_tstr(item, "issuerAuth") != NULL) {
		if ((r = tsr_issuer_signed_decode(item, &is)) != TSR_OK)
			return r;
		describe_signed(o, &is, "IssuerSigned", indent);
		tsr_issuer_signed_clear(&is);
		return TSR_OK;
	}
	if (tsr_cbor_map_find_tstr(item, "issuerSigned") != NULL) {
		if ((r = tsr_document_decode(item, false, &doc)) != TSR_OK)
			return r;
		describe_signed(o, &doc.issuer_signed, "Document", indent);
		tsr_document_clear(&doc);
		return TSR_OK;
	}
	return TSR_ERR_MDOC_MALFORMED;
}

static int
describe_status_list(out_t *o, const uint8_t *data, size_t len)
{
	tsr_status_list_t list;
	tsr_ec_pub_t pub;
	char *subject = NULL;
	size_t revoked = 0, shown = 0;
	bool sig_ok = false;
	unsigned v;
	int r;

	if ((r = tsr_status_list_decode(data, len, &list)) != TSR_OK)
		return r;
	if (list.msg.x5chain != NULL) {
		(void)tsr_x509_subject(list.msg.x5chain, 0, &subject);
		sig_ok = tsr_x509_public_key(list.msg.x5chain, 0, &pub) == TSR_OK &&
		    tsr_cose_sign1_verify(&list.msg, &pub, NULL, 0) == TSR_OK;
	}
	if (o->json) {
		put(o, "{\"format\":\"StatusList\",\"uri\":");
		put_str(o, list.uri, strlen(list.uri));
		put(o, ",\"iat\":");
		put_time(o, list.iat);
		if (list.has_exp) {
			put(o, ",\"exp\":");
			put_time(o, list.exp);
		}
		if (list.has_ttl)
			put(o, ",\"ttl\":%lld", (long long)list.ttl);
		put(o, ",\"bits\":%u,\"size\":%zu,\"signer\":", list.bits, list.n_entries);
		put_str(o, subject ? subject : "", subject ? strlen(subject) : 0);
		put(o, ",\"signatureValid\":%s,\"notValid\":[", sig_ok ? "true" : "false");
		for (size_t i = 0; i < list.n_entries; i++)
			if (tsr_status_list_get(&list, i, &v) == TSR_OK && v != TSR_STATUS_VALID)
				put(o, "%s%zu", revoked++ ? "," : "", i);
		put(o, "]}");
	} else {
		put(o, "Status List Token\n  URI: %s\n  Issued at: ", list.uri);
		put_time(o, list.iat);
		if (list.has_exp) {
			put(o, "\n  Expires: ");
			put_time(o, list.exp);
		}
		if (list.has_ttl)
			put(o, "\n  Time to live: %lld s", (long long)list.ttl);
		put(o, "\n  Signer: %s\n  Signature: %s\n", subject ? subject : "(none)",
		    sig_ok ? "valid (embedded certificate; trust not checked)" : "INVALID");
		for (size_t i = 0; i < list.n_entries; i++)
			if (tsr_status_list_get(&list, i, &v) == TSR_OK && v != TSR_STATUS_VALID)
				revoked++;
		put(o, "  Entries: %zu (%u bit%s each), %zu not valid", list.n_entries, list.bits,
		    list.bits > 1 ? "s" : "", revoked);
		for (size_t i = 0; i < list.n_entries && shown < SHOWN_INDICES; i++)
			if (tsr_status_list_get(&list, i, &v) == TSR_OK && v != TSR_STATUS_VALID)
				put(o, "%s%zu", shown++ ? ", " : ": ", i);
		put(o, "%s\n", revoked > shown ? ", ..." : "");
	}
	free(subject);
	tsr_status_list_clear(&list);
	return TSR_OK;
}

int
tsr_issuer_inspect(const uint8_t *data, size_t len, bool json, char **ret_text)
{
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root, *docs;
	out_t o;
	char *text;
	int r = TSR_ERR_INTERNAL;

	memset(&o, 0, sizeof(o));
	tsr_buf_init(&o.buf);
	o.json = json;
	if (data == NULL || ret_text == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_cbor_decode(data, len, NULL, &doc)) != TSR_OK)
		goto out;
	root = tsr_cbor_doc_root(doc);
	if (tsr_cbor_is(root, TSR_CBOR_TAG) ||
	    (tsr_cbor_is(root, TSR_CBOR_ARRAY) && root->u.list.count == 4 &&
	    tsr_cbor_is(&root->u.list.items[0], TSR_CBOR_BSTR))) {
		r = describe_status_list(&o, data, len);
	} else if (tsr_cbor_is(root, TSR_CBOR_ARRAY)) {
		put(&o, json ? "{\"format\":\"batch\",\"count\":%zu,\"credentials\":[" :
		    "Batch of %zu credentials\n", root->u.list.count);
		r = TSR_OK;
		for (size_t i = 0; i < root->u.list.count && r == TSR_OK; i++) {
			if (json)
				put(&o, i ? "," : "");
			else
				put(&o, "\nCredential %zu:\n", i + 1);
			r = describe_item(&o, &root->u.list.items[i], 1);
		}
		put(&o, json ? "]}" : "");
	} else if ((docs = tsr_cbor_map_find_tstr(root, "documents")) != NULL &&
	    tsr_cbor_is(docs, TSR_CBOR_ARRAY)) {
		put(&o, json ? "{\"format\":\"DeviceResponse\",\"documents\":[" :
		    "DeviceResponse with %zu documents\n", docs->u.list.count);
		r = TSR_OK;
		for (size_t i = 0; i < docs->u.list.count && r == TSR_OK; i++) {
			put(&o, json ? (i ? "," : "") : "\n");
			r = describe_item(&o, &docs->u.list.items[i], 1);
		}
		put(&o, json ? "]}" : "");
	} else {
		r = describe_item(&o, root, 0);
	}
	if (r != TSR_OK)
		goto out;
	if (json)
		put(&o, "\n");
	if ((r = o.error) != TSR_OK || (r = tsr_buf_append_byte(&o.buf, 0)) != TSR_OK)
		goto out;
	if ((text = malloc(o.buf.len)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	memcpy(text, o.buf.ptr, o.buf.len);
	*ret_text = text;
	r = TSR_OK;
out:
	tsr_buf_free(&o.buf);
	tsr_cbor_doc_free(doc);
	return r;
}
