/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Decoding of the 18013-5 data model (§8.3.2.1.2). Maps are closed where
 * the CDDL is closed: an unknown key is an error, not something to skip. */

#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>
#include <tessera/tessera.h>

#include "base/analyzer.h"
#include "mdoc/mdoc.h"

/* Digest IDs are uint within 0 .. 2^31-1 (§9.1.2.4). */
#define DIGEST_ID_MAX INT32_MAX
/* "random" salts must be at least 16 bytes (§9.1.2.4). */
#define RANDOM_MIN_LEN 16
/* Bounds that no real document comes near; they cap what input can make us
 * allocate per structure. */
#define MAX_DOCUMENTS 64
#define MAX_NAMESPACES 64
#define MAX_ITEMS_PER_NAMESPACE 4096

static bool
is_tstr(const tsr_cbor_item_t *item)
{
	return tsr_cbor_is(item, TSR_CBOR_TSTR);
}

static bool
is_embedded(const tsr_cbor_item_t *item)
{
	return tsr_cbor_is(tsr_cbor_untag(item, 24), TSR_CBOR_BSTR);
}

/* --- IssuerSignedItem --- */

void
tsr_issuer_item_clear(tsr_issuer_item_t *item)
{
	if (item == NULL)
		return;
	tsr_cbor_doc_free(item->doc);
	memset(item, 0, sizeof(*item));
}

int
tsr_issuer_item_decode(const tsr_cbor_item_t *item, tsr_issuer_item_t *ret_item)
{
	static const char *const keys[] = { "digestID", "random", "elementIdentifier",
		"elementValue", NULL };
	const tsr_cbor_item_t *map, *digest_id, *random, *id, *value;
	tsr_issuer_item_t out;
	int r = TSR_ERR_INTERNAL;

	memset(&out, 0, sizeof(out));
	if (!is_embedded(item)) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	out.bytes = item->raw;
	if ((r = tsr_cbor_decode_embedded(item, NULL, &out.doc)) != TSR_OK)
		goto fail;
	map = tsr_cbor_doc_root(out.doc);
	digest_id = tsr_cbor_map_find_tstr(map, "digestID");
	random = tsr_cbor_map_find_tstr(map, "random");
	id = tsr_cbor_map_find_tstr(map, "elementIdentifier");
	value = tsr_cbor_map_find_tstr(map, "elementValue");
	if (!tsr_cbor_map_keys_within(map, keys, NULL, 0) ||
	    !tsr_cbor_is(digest_id, TSR_CBOR_UINT) || digest_id->u.uint > DIGEST_ID_MAX ||
	    !tsr_cbor_is(random, TSR_CBOR_BSTR) || random->u.str.len < RANDOM_MIN_LEN ||
	    !is_tstr(id) || value == NULL) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	out.digest_id = digest_id->u.uint;
	out.random = random->u.str;
	out.element_id = id->u.str;
	out.value = value;
	*ret_item = out;
	return TSR_OK;
fail:
	tsr_issuer_item_clear(&out);
	return r;
}

/* --- MobileSecurityObject --- */

void
tsr_mso_clear(tsr_mso_t *mso)
{
	if (mso == NULL)
		return;
	tsr_cbor_doc_free(mso->doc);
	memset(mso, 0, sizeof(*mso));
}

/* tdate = #6.0(tstr). tsr_time_parse() drops fractional seconds, i.e.
 * rounds down; with round_up a time with a non-zero fraction counts from the
 * next whole second instead. */
static bool
get_tdate(const tsr_cbor_item_t *item, bool round_up, int64_t *ret_time)
{
	const tsr_cbor_item_t *text = tsr_cbor_untag(item, 0);
	const char *dot;
	char buf[40];

	if (!is_tstr(text) || text->u.str.len >= sizeof(buf))
		return false;
	memcpy(buf, text->u.str.ptr, text->u.str.len);
	buf[text->u.str.len] = '\0';
	if (tsr_time_parse(buf, ret_time) != TSR_OK)
		return false;
	if (round_up && (dot = strchr(buf, '.')) != NULL && strspn(dot + 1, "0") <
	    strspn(dot + 1, "0123456789"))
		(*ret_time)++;
	return true;
}

/* ValidityInfo = {"signed": tdate, "validFrom": tdate, "validUntil": tdate,
 *                 ? "expectedUpdate": tdate} */
static int
decode_validity(const tsr_cbor_item_t *map, tsr_mso_t *mso)
{
	static const char *const keys[] = { "signed", "validFrom", "validUntil",
		"expectedUpdate", NULL };
	const tsr_cbor_item_t *update = tsr_cbor_map_find_tstr(map, "expectedUpdate");

	/* 18013-5 MSO dates have no fractional seconds; should one come
	 * anyway, it must not make the document valid early: validFrom
	 * ...:17.5Z is reached at second 18, not 17 (validUntil ...:42.5Z
	 * rounded down to 42 only ends it sooner). Verifiers compare whole
	 * seconds (tests/assurance/test-forgery.c, validity/fractional_seconds). */
	if (!tsr_cbor_map_keys_within(map, keys, NULL, 0) ||
	    !get_tdate(tsr_cbor_map_find_tstr(map, "signed"), false, &mso->signed_at) ||
	    !get_tdate(tsr_cbor_map_find_tstr(map, "validFrom"), true, &mso->valid_from) ||
	    !get_tdate(tsr_cbor_map_find_tstr(map, "validUntil"), false, &mso->valid_until))
		return TSR_ERR_MDOC_MALFORMED;
	if (update != NULL) {
		if (!get_tdate(update, false, &mso->expected_update))
			return TSR_ERR_MDOC_MALFORMED;
		mso->has_expected_update = true;
	}
	return TSR_OK;
}

/* ValueDigests = {+ NameSpace => {+ DigestID => bstr}}, digests of the
 * digest algorithm's length. */
static int
check_value_digests(const tsr_cbor_item_t *map, size_t digest_len)
{
	if (!tsr_cbor_is(map, TSR_CBOR_MAP) || map->u.list.count == 0)
		return TSR_ERR_MDOC_MALFORMED;
	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *ids = tsr_cbor_map_value(map, i);

		if (!is_tstr(tsr_cbor_map_key(map, i)) || !tsr_cbor_is(ids, TSR_CBOR_MAP) ||
		    ids->u.list.count == 0)
			return TSR_ERR_MDOC_MALFORMED;
		for (size_t j = 0; j < ids->u.list.count; j++) {
			const tsr_cbor_item_t *id = tsr_cbor_map_key(ids, j);
			const tsr_cbor_item_t *digest = tsr_cbor_map_value(ids, j);

			if (!tsr_cbor_is(id, TSR_CBOR_UINT) || id->u.uint > DIGEST_ID_MAX ||
			    !tsr_cbor_is(digest, TSR_CBOR_BSTR) || digest->u.str.len != digest_len)
				return TSR_ERR_MDOC_MALFORMED;
		}
	}
	return TSR_OK;
}

/* DeviceKeyInfo = {"deviceKey": COSE_Key, ? "keyAuthorizations": ...,
 *                  ? "keyInfo": {* int => any}} */
static int
decode_device_key_info(const tsr_cbor_item_t *map, tsr_mso_t *mso)
{
	static const char *const keys[] = { "deviceKey", "keyAuthorizations", "keyInfo", NULL };
	static const char *const auth_keys[] = { "nameSpaces", "dataElements", NULL };
	const tsr_cbor_item_t *auth = tsr_cbor_map_find_tstr(map, "keyAuthorizations");
	const tsr_cbor_item_t *info = tsr_cbor_map_find_tstr(map, "keyInfo");
	int r;

	if (!tsr_cbor_map_keys_within(map, keys, NULL, 0))
		return TSR_ERR_MDOC_MALFORMED;
	if ((r = tsr_cose_key_decode(tsr_cbor_map_find_tstr(map, "deviceKey"),
	    &mso->device_key)) != TSR_OK)
		return r;
	if (auth != NULL) {
		const tsr_cbor_item_t *ns = tsr_cbor_map_find_tstr(auth, "nameSpaces");
		const tsr_cbor_item_t *de = tsr_cbor_map_find_tstr(auth, "dataElements");

		if (!tsr_cbor_map_keys_within(auth, auth_keys, NULL, 0) ||
		    (ns != NULL && !tsr_cbor_is(ns, TSR_CBOR_ARRAY)) ||
		    (de != NULL && !tsr_cbor_is(de, TSR_CBOR_MAP)))
			return TSR_ERR_MDOC_MALFORMED;
		mso->key_authorizations = auth;
	}
	if (info != NULL && !tsr_cbor_is(info, TSR_CBOR_MAP))
		return TSR_ERR_MDOC_MALFORMED;
	return TSR_OK;
}

/* The issuerAuth payload is MobileSecurityObjectBytes: a bstr whose content
 * is #6.24(bstr .cbor MobileSecurityObject), so the MSO is wrapped twice. */
int
tsr_mso_decode_payload(tsr_span_t payload, tsr_mso_t *ret_mso)
{
	static const char *const keys[] = { "version", "digestAlgorithm", "valueDigests",
		"deviceKeyInfo", "docType", "validityInfo", "status", NULL };
	tsr_cbor_doc_t *outer = NULL;
	const tsr_cbor_item_t *map, *alg, *doc_type, *status;
	tsr_mso_t mso;
	char alg_name[16];
	int r = TSR_ERR_INTERNAL;

	memset(&mso, 0, sizeof(mso));
	if ((r = tsr_cbor_decode(payload.ptr, payload.len, NULL, &outer)) != TSR_OK)
		goto fail;
	if ((r = tsr_cbor_decode_embedded(tsr_cbor_doc_root(outer), NULL, &mso.doc)) != TSR_OK)
		goto fail;
	map = tsr_cbor_doc_root(mso.doc);
	alg = tsr_cbor_map_find_tstr(map, "digestAlgorithm");
	doc_type = tsr_cbor_map_find_tstr(map, "docType");
	status = tsr_cbor_map_find_tstr(map, "status");
	if (!tsr_cbor_map_keys_within(map, keys, NULL, 0) ||
	    !tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(map, "version"), "1.0") ||
	    !is_tstr(alg) || alg->u.str.len >= sizeof(alg_name) || !is_tstr(doc_type) ||
	    (status != NULL && !tsr_cbor_is(status, TSR_CBOR_MAP))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	memcpy(alg_name, alg->u.str.ptr, alg->u.str.len);
	alg_name[alg->u.str.len] = '\0';
	if ((r = tsr_hash_from_name(alg_name, &mso.digest_alg)) != TSR_OK)
		goto fail;
	mso.value_digests = tsr_cbor_map_find_tstr(map, "valueDigests");
	if ((r = check_value_digests(mso.value_digests, tsr_hash_len(mso.digest_alg))) != TSR_OK ||
	    (r = decode_device_key_info(tsr_cbor_map_find_tstr(map, "deviceKeyInfo"), &mso)) !=
	    TSR_OK ||
	    (r = decode_validity(tsr_cbor_map_find_tstr(map, "validityInfo"), &mso)) != TSR_OK)
		goto fail;
	mso.doc_type = doc_type->u.str;
	mso.status = status;
	*ret_mso = mso;
	tsr_cbor_doc_free(outer);
	return TSR_OK;
fail:
	tsr_mso_clear(&mso);
	tsr_cbor_doc_free(outer);
	return r;
}

/* --- IssuerSigned --- */

void
tsr_issuer_signed_clear(tsr_issuer_signed_t *is)
{
	if (is == NULL)
		return;
	for (size_t i = 0; i < is->n_ns; i++) {
		for (size_t j = 0; j < is->ns[i].n_items; j++)
			tsr_issuer_item_clear(&is->ns[i].items[j]);
		free(is->ns[i].items);
	}
	free(is->ns);
	tsr_cose_msg_clear(&is->issuer_auth);
	tsr_mso_clear(&is->mso);
	memset(is, 0, sizeof(*is));
}

/* IssuerNameSpaces = {+ NameSpace => [+ IssuerSignedItemBytes]} */
/* -fanalyzer: is->ns and each items array belong to `is` once assigned;
 * the caller frees them with tsr_issuer_signed_clear() when this fails. */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static int
decode_issuer_name_spaces(const tsr_cbor_item_t *map, tsr_issuer_signed_t *is)
{
	int r;

	if (!tsr_cbor_is(map, TSR_CBOR_MAP) || map->u.list.count == 0 ||
	    map->u.list.count > MAX_NAMESPACES)
		return TSR_ERR_MDOC_MALFORMED;
	if ((is->ns = calloc(map->u.list.count, sizeof(*is->ns))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *name = tsr_cbor_map_key(map, i);
		const tsr_cbor_item_t *items = tsr_cbor_map_value(map, i);
		tsr_issuer_ns_t *ns = &is->ns[i];

		is->n_ns = i + 1;
		if (!is_tstr(name) || !tsr_cbor_is(items, TSR_CBOR_ARRAY) ||
		    items->u.list.count == 0 || items->u.list.count > MAX_ITEMS_PER_NAMESPACE)
			return TSR_ERR_MDOC_MALFORMED;
		ns->name = name->u.str;
		if ((ns->items = calloc(items->u.list.count, sizeof(*ns->items))) == NULL)
			return TSR_ERR_NO_MEMORY;
		for (size_t j = 0; j < items->u.list.count; j++) {
			if ((r = tsr_issuer_item_decode(&items->u.list.items[j],
			    &ns->items[j])) != TSR_OK)
				return r;
			ns->n_items = j + 1;
		}
	}
	return TSR_OK;
}
TSR_ANALYZER_END

int
tsr_issuer_signed_decode(const tsr_cbor_item_t *item, tsr_issuer_signed_t *ret)
{
	static const char *const keys[] = { "nameSpaces", "issuerAuth", NULL };
	const tsr_cbor_item_t *ns;
	tsr_issuer_signed_t is;
	int r = TSR_ERR_INTERNAL;

	memset(&is, 0, sizeof(is));
	if (!tsr_cbor_map_keys_within(item, keys, NULL, 0)) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	ns = tsr_cbor_map_find_tstr(item, "nameSpaces");
	if (ns != NULL && (r = decode_issuer_name_spaces(ns, &is)) != TSR_OK)
		goto fail;
	is.issuer_auth_item = tsr_cbor_map_find_tstr(item, "issuerAuth");
	if ((r = tsr_cose_sign1_decode(is.issuer_auth_item, &is.issuer_auth)) != TSR_OK)
		goto fail;
	if (is.issuer_auth.detached) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if ((r = tsr_mso_decode_payload(is.issuer_auth.payload, &is.mso)) != TSR_OK)
		goto fail;
	*ret = is;
	return TSR_OK;
fail:
	tsr_issuer_signed_clear(&is);
	return r;
}

/* --- DeviceSigned, Document --- */

static void
device_signed_clear(tsr_device_signed_t *ds)
{
	tsr_cbor_doc_free(ds->ns_doc);
	tsr_cose_msg_clear(&ds->auth);
	memset(ds, 0, sizeof(*ds));
}

/* DeviceNameSpaces = {* NameSpace => {+ DataElementIdentifier => any}} */
static bool
device_name_spaces_valid(const tsr_cbor_item_t *map)
{
	if (!tsr_cbor_is(map, TSR_CBOR_MAP))
		return false;
	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *items = tsr_cbor_map_value(map, i);

		if (!is_tstr(tsr_cbor_map_key(map, i)) || !tsr_cbor_is(items, TSR_CBOR_MAP) ||
		    items->u.list.count == 0)
			return false;
		for (size_t j = 0; j < items->u.list.count; j++)
			if (!is_tstr(tsr_cbor_map_key(items, j)))
				return false;
	}
	return true;
}

static int
decode_device_signed(const tsr_cbor_item_t *item, tsr_device_signed_t *ret)
{
	static const char *const keys[] = { "nameSpaces", "deviceAuth", NULL };
	static const char *const auth_keys[] = { "deviceSignature", "deviceMac", NULL };
	const tsr_cbor_item_t *ns, *auth, *sig, *mac;
	tsr_device_signed_t ds;
	int r = TSR_ERR_INTERNAL;

	memset(&ds, 0, sizeof(ds));
	ns = tsr_cbor_map_find_tstr(item, "nameSpaces");
	auth = tsr_cbor_map_find_tstr(item, "deviceAuth");
	if (!tsr_cbor_map_keys_within(item, keys, NULL, 0) || !is_embedded(ns) ||
	    !tsr_cbor_map_keys_within(auth, auth_keys, NULL, 0) || auth->u.list.count != 1) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	ds.ns_bytes = ns->raw;
	if ((r = tsr_cbor_decode_embedded(ns, NULL, &ds.ns_doc)) != TSR_OK)
		goto fail;
	if (!device_name_spaces_valid(tsr_cbor_doc_root(ds.ns_doc))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	sig = tsr_cbor_map_find_tstr(auth, "deviceSignature");
	mac = tsr_cbor_map_find_tstr(auth, "deviceMac");
	ds.is_mac = mac != NULL;
	ds.auth_item = ds.is_mac ? mac : sig;
	r = ds.is_mac ? tsr_cose_mac0_decode(mac, &ds.auth) : tsr_cose_sign1_decode(sig, &ds.auth);
	if (r != TSR_OK)
		goto fail;
	*ret = ds;
	return TSR_OK;
fail:
	device_signed_clear(&ds);
	return r;
}

/* Errors = {+ NameSpace => {+ DataElementIdentifier => ErrorCode}} */
static bool
errors_valid(const tsr_cbor_item_t *map)
{
	int64_t code;

	if (!tsr_cbor_is(map, TSR_CBOR_MAP) || map->u.list.count == 0)
		return false;
	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *ids = tsr_cbor_map_value(map, i);

		if (!is_tstr(tsr_cbor_map_key(map, i)) || !tsr_cbor_is(ids, TSR_CBOR_MAP) ||
		    ids->u.list.count == 0)
			return false;
		for (size_t j = 0; j < ids->u.list.count; j++)
			if (!is_tstr(tsr_cbor_map_key(ids, j)) ||
			    !tsr_cbor_get_int(tsr_cbor_map_value(ids, j), &code))
				return false;
	}
	return true;
}

void
tsr_document_clear(tsr_document_t *doc)
{
	if (doc == NULL)
		return;
	tsr_issuer_signed_clear(&doc->issuer_signed);
	device_signed_clear(&doc->device_signed);
	memset(doc, 0, sizeof(*doc));
}

/* Document = {"docType": DocType, "issuerSigned": IssuerSigned,
 *             "deviceSigned": DeviceSigned, ? "errors": Errors} */
int
tsr_document_decode(const tsr_cbor_item_t *item, bool require_device_signed,
    tsr_document_t *ret)
{
	static const char *const keys[] = { "docType", "issuerSigned", "deviceSigned", "errors",
		NULL };
	const tsr_cbor_item_t *doc_type, *device_signed, *errors;
	tsr_document_t doc;
	int r = TSR_ERR_INTERNAL;

	memset(&doc, 0, sizeof(doc));
	doc_type = tsr_cbor_map_find_tstr(item, "docType");
	device_signed = tsr_cbor_map_find_tstr(item, "deviceSigned");
	errors = tsr_cbor_map_find_tstr(item, "errors");
	if (!tsr_cbor_map_keys_within(item, keys, NULL, 0) || !is_tstr(doc_type) ||
	    (require_device_signed && device_signed == NULL) ||
	    (errors != NULL && !errors_valid(errors))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	doc.doc_type = doc_type->u.str;
	doc.errors = errors;
	if ((r = tsr_issuer_signed_decode(tsr_cbor_map_find_tstr(item, "issuerSigned"),
	    &doc.issuer_signed)) != TSR_OK)
		goto fail;
	if (device_signed != NULL) {
		if ((r = decode_device_signed(device_signed, &doc.device_signed)) != TSR_OK)
			goto fail;
		doc.has_device_signed = true;
	}
	*ret = doc;
	return TSR_OK;
fail:
	tsr_document_clear(&doc);
	return r;
}

/* --- DeviceResponse --- */

void
tsr_response_clear(tsr_response_t *resp)
{
	if (resp == NULL)
		return;
	for (size_t i = 0; i < resp->n_docs; i++)
		tsr_document_clear(&resp->docs[i]);
	free(resp->docs);
	tsr_cbor_doc_free(resp->doc);
	memset(resp, 0, sizeof(*resp));
}

/* We speak version 1.x of DeviceRequest and DeviceResponse; a 2.0 message
 * may change what fields mean. */
static bool
is_version_1(const tsr_cbor_item_t *version)
{
	const uint8_t *p = version->u.str.ptr;
	size_t len = version->u.str.len;

	/* "1." and a minor number: "1.0", "1.1"; "1.g" is no version. */
	if (len < 3 || len > 8 || memcmp(p, "1.", 2) != 0)
		return false;
	for (size_t i = 2; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* DocumentError = {DocType => ErrorCode} */
static bool
document_errors_valid(const tsr_cbor_item_t *array)
{
	int64_t code;

	if (!tsr_cbor_is(array, TSR_CBOR_ARRAY) || array->u.list.count == 0)
		return false;
	for (size_t i = 0; i < array->u.list.count; i++) {
		const tsr_cbor_item_t *entry = &array->u.list.items[i];

		if (!tsr_cbor_is(entry, TSR_CBOR_MAP) || entry->u.list.count != 1 ||
		    !is_tstr(tsr_cbor_map_key(entry, 0)) ||
		    !tsr_cbor_get_int(tsr_cbor_map_value(entry, 0), &code))
			return false;
	}
	return true;
}

/* DeviceResponse = {"version": tstr, ? "documents": [+ Document],
 *                   ? "documentErrors": [+ DocumentError], "status": uint} */
int
tsr_response_decode(const uint8_t *ptr, size_t len, tsr_response_t *ret)
{
	static const char *const keys[] = { "version", "documents", "documentErrors", "status",
		NULL };
	const tsr_cbor_item_t *root, *version, *docs, *errors, *status;
	tsr_response_t resp;
	int r = TSR_ERR_INTERNAL;

	memset(&resp, 0, sizeof(resp));
	if ((r = tsr_cbor_decode(ptr, len, NULL, &resp.doc)) != TSR_OK)
		goto fail;
	root = tsr_cbor_doc_root(resp.doc);
	version = tsr_cbor_map_find_tstr(root, "version");
	docs = tsr_cbor_map_find_tstr(root, "documents");
	errors = tsr_cbor_map_find_tstr(root, "documentErrors");
	status = tsr_cbor_map_find_tstr(root, "status");
	if (!tsr_cbor_map_keys_within(root, keys, NULL, 0) || !is_tstr(version) ||
	    !tsr_cbor_is(status, TSR_CBOR_UINT) ||
	    (docs != NULL && (!tsr_cbor_is(docs, TSR_CBOR_ARRAY) || docs->u.list.count == 0)) ||
	    (errors != NULL && !document_errors_valid(errors))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if (!is_version_1(version)) {
		r = TSR_ERR_MDOC_VERSION;
		goto fail;
	}
	resp.version = version->u.str;
	resp.status = status->u.uint;
	resp.document_errors = errors;
	if (docs != NULL) {
		if (docs->u.list.count > MAX_DOCUMENTS) {
			r = TSR_ERR_LIMIT;
			goto fail;
		}
		resp.has_documents = true;
		if ((resp.docs = calloc(docs->u.list.count, sizeof(*resp.docs))) == NULL) {
			r = TSR_ERR_NO_MEMORY;
			goto fail;
		}
		for (size_t i = 0; i < docs->u.list.count; i++) {
			if ((r = tsr_document_decode(&docs->u.list.items[i], true,
			    &resp.docs[i])) != TSR_OK)
				goto fail;
			resp.n_docs = i + 1;
		}
	}
	*ret = resp;
	return TSR_OK;
fail:
	tsr_response_clear(&resp);
	return r;
}

/* --- DeviceRequest --- */

static void
doc_request_clear(tsr_doc_request_t *dr)
{
	tsr_cbor_doc_free(dr->items_doc);
	tsr_cose_msg_clear(&dr->reader_auth);
	memset(dr, 0, sizeof(*dr));
}

void
tsr_request_clear(tsr_request_t *req)
{
	if (req == NULL)
		return;
	for (size_t i = 0; i < req->n_reqs; i++)
		doc_request_clear(&req->reqs[i]);
	free(req->reqs);
	tsr_cbor_doc_free(req->doc);
	memset(req, 0, sizeof(*req));
}

/* NameSpaces = {+ NameSpace => {+ DataElementIdentifier => IntentToRetain}} */
static bool
requested_name_spaces_valid(const tsr_cbor_item_t *map)
{
	if (!tsr_cbor_is(map, TSR_CBOR_MAP) || map->u.list.count == 0)
		return false;
	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *ids = tsr_cbor_map_value(map, i);

		if (!is_tstr(tsr_cbor_map_key(map, i)) || !tsr_cbor_is(ids, TSR_CBOR_MAP) ||
		    ids->u.list.count == 0)
			return false;
		for (size_t j = 0; j < ids->u.list.count; j++) {
			const tsr_cbor_item_t *intent = tsr_cbor_map_value(ids, j);

			if (!is_tstr(tsr_cbor_map_key(ids, j)) ||
			    !(intent->type == TSR_CBOR_TRUE || intent->type == TSR_CBOR_FALSE))
				return false;
		}
	}
	return true;
}

/* DocRequest = {"itemsRequest": ItemsRequestBytes, ? "readerAuth": ReaderAuth}
 * ItemsRequest = {"docType": DocType, "nameSpaces": NameSpaces,
 *                 ? "requestInfo": {* tstr => any}} */
static int
decode_doc_request(const tsr_cbor_item_t *item, tsr_doc_request_t *ret)
{
	static const char *const keys[] = { "itemsRequest", "readerAuth", NULL };
	static const char *const items_keys[] = { "docType", "nameSpaces", "requestInfo", NULL };
	const tsr_cbor_item_t *items, *map, *doc_type, *info;
	tsr_doc_request_t dr;
	int r = TSR_ERR_INTERNAL;

	memset(&dr, 0, sizeof(dr));
	items = tsr_cbor_map_find_tstr(item, "itemsRequest");
	if (!tsr_cbor_map_keys_within(item, keys, NULL, 0) || !is_embedded(items)) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	dr.items_bytes = items->raw;
	if ((r = tsr_cbor_decode_embedded(items, NULL, &dr.items_doc)) != TSR_OK)
		goto fail;
	map = tsr_cbor_doc_root(dr.items_doc);
	doc_type = tsr_cbor_map_find_tstr(map, "docType");
	info = tsr_cbor_map_find_tstr(map, "requestInfo");
	dr.name_spaces = tsr_cbor_map_find_tstr(map, "nameSpaces");
	if (!tsr_cbor_map_keys_within(map, items_keys, NULL, 0) || !is_tstr(doc_type) ||
	    !requested_name_spaces_valid(dr.name_spaces) ||
	    (info != NULL && !tsr_cbor_is(info, TSR_CBOR_MAP))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	dr.doc_type = doc_type->u.str;
	dr.request_info = info;
	dr.reader_auth_item = tsr_cbor_map_find_tstr(item, "readerAuth");
	if (dr.reader_auth_item != NULL) {
		if ((r = tsr_cose_sign1_decode(dr.reader_auth_item, &dr.reader_auth)) != TSR_OK)
			goto fail;
		/* ReaderAuthentication is always a detached payload. */
		if (!dr.reader_auth.detached) {
			r = TSR_ERR_MDOC_MALFORMED;
			goto fail;
		}
		dr.has_reader_auth = true;
	}
	*ret = dr;
	return TSR_OK;
fail:
	doc_request_clear(&dr);
	return r;
}

/* DeviceRequest = {"version": tstr, "docRequests": [+ DocRequest],
 *                  ? "readerAuthAll": ..., ? "deviceRequestInfo": ...} */
/* -fanalyzer: req.reqs goes to *ret by the struct copy, or is freed by
 * tsr_request_clear() at fail. */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
int
tsr_request_decode(const uint8_t *ptr, size_t len, tsr_request_t *ret)
{
	static const char *const keys[] = { "version", "docRequests", "readerAuthAll",
		"deviceRequestInfo", NULL };
	const tsr_cbor_item_t *root, *version, *reqs;
	tsr_request_t req;
	int r = TSR_ERR_INTERNAL;

	memset(&req, 0, sizeof(req));
	if ((r = tsr_cbor_decode(ptr, len, NULL, &req.doc)) != TSR_OK)
		goto fail;
	root = tsr_cbor_doc_root(req.doc);
	version = tsr_cbor_map_find_tstr(root, "version");
	reqs = tsr_cbor_map_find_tstr(root, "docRequests");
	if (!tsr_cbor_map_keys_within(root, keys, NULL, 0) || !is_tstr(version) ||
	    !tsr_cbor_is(reqs, TSR_CBOR_ARRAY) || reqs->u.list.count == 0) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if (!is_version_1(version)) {
		r = TSR_ERR_MDOC_VERSION;
		goto fail;
	}
	if (reqs->u.list.count > MAX_DOCUMENTS) {
		r = TSR_ERR_LIMIT;
		goto fail;
	}
	req.version = version->u.str;
	req.reader_auth_all = tsr_cbor_map_find_tstr(root, "readerAuthAll");
	req.device_request_info = tsr_cbor_map_find_tstr(root, "deviceRequestInfo");
	if ((req.reader_auth_all != NULL && !tsr_cbor_is(req.reader_auth_all, TSR_CBOR_ARRAY)) ||
	    (req.device_request_info != NULL && !is_embedded(req.device_request_info))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if ((req.reqs = calloc(reqs->u.list.count, sizeof(*req.reqs))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	for (size_t i = 0; i < reqs->u.list.count; i++) {
		if ((r = decode_doc_request(&reqs->u.list.items[i], &req.reqs[i])) != TSR_OK)
			goto fail;
		req.n_reqs = i + 1;
	}
	*ret = req;
	return TSR_OK;
fail:
	tsr_request_clear(&req);
	return r;
}
TSR_ANALYZER_END

/* --- SessionTranscript --- */

void
tsr_transcript_clear(tsr_transcript_t *st)
{
	if (st == NULL)
		return;
	tsr_cbor_doc_free(st->doc);
	memset(st, 0, sizeof(*st));
}

int
tsr_transcript_decode(const uint8_t *ptr, size_t len, tsr_transcript_t *ret)
{
	tsr_cbor_doc_t *outer = NULL;
	const tsr_cbor_item_t *root;
	tsr_transcript_t st;
	int r = TSR_ERR_INTERNAL;

	memset(&st, 0, sizeof(st));
	if ((r = tsr_cbor_decode(ptr, len, NULL, &outer)) != TSR_OK)
		goto fail;
	if (is_embedded(tsr_cbor_doc_root(outer))) {
		/* SessionTranscriptBytes. The strict decoder took its tag-24
		 * header in shortest form, so wrapping st.bytes again gives
		 * back exactly these bytes: only the inner form is kept. */
		if ((r = tsr_cbor_decode_embedded(tsr_cbor_doc_root(outer), NULL, &st.doc)) !=
		    TSR_OK)
			goto fail;
	} else {
		st.doc = outer;
		outer = NULL;
	}
	root = tsr_cbor_doc_root(st.doc);
	if (!tsr_cbor_is(root, TSR_CBOR_ARRAY) || root->u.list.count != 3) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	st.bytes = root->raw;
	st.device_engagement = &root->u.list.items[0];
	st.e_reader_key = &root->u.list.items[1];
	st.handover = &root->u.list.items[2];
	if ((!is_embedded(st.device_engagement) && st.device_engagement->type != TSR_CBOR_NULL) ||
	    (!is_embedded(st.e_reader_key) && st.e_reader_key->type != TSR_CBOR_NULL)) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if (st.e_reader_key->type != TSR_CBOR_NULL) {
		const tsr_cbor_item_t *key = tsr_cbor_untag(st.e_reader_key, 24);

		if ((r = tsr_cose_key_from_bytes(key->u.str.ptr, key->u.str.len,
		    &st.e_reader_pub)) != TSR_OK)
			goto fail;
		st.has_e_reader_key = true;
	}
	*ret = st;
	tsr_cbor_doc_free(outer);
	return TSR_OK;
fail:
	tsr_transcript_clear(&st);
	tsr_cbor_doc_free(outer);
	return r;
}
