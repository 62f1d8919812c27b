/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The checks of 18013-5 §9.3.1 on one Document. Every check runs even
 * after another failed, so a result names every problem at once. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "cose/cose.h"
#include "reader/reader-private.h"

/* Failures that make everything in the document untrustworthy. */
#define DOCUMENT_TRUST_REASONS                                                         \
	(TSR_REASON_NO_X5CHAIN | TSR_REASON_UNTRUSTED_ISSUER | TSR_REASON_DS_CERT_EXPIRED |    \
	    TSR_REASON_DS_CERT_NOT_YET_VALID | TSR_REASON_DS_CERT_PROFILE |                 \
	    TSR_REASON_ISSUER_SIGNATURE | TSR_REASON_UNSUPPORTED_ALG | TSR_REASON_MSO_EXPIRED | \
	    TSR_REASON_MSO_NOT_YET_VALID | TSR_REASON_MSO_VALIDITY | TSR_REASON_DOCTYPE_MISMATCH)

static bool
is_es_alg(int64_t alg)
{
	return alg == TSR_COSE_ALG_ES256 || alg == TSR_COSE_ALG_ES384 ||
	    alg == TSR_COSE_ALG_ES512;
}

void
tsr_verified_doc_clear(tsr_verified_doc_t *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->n_elements; i++) {
		free(doc->elements[i].name_space);
		free(doc->elements[i].identifier);
		free(doc->elements[i].value);
	}
	for (size_t i = 0; i < doc->n_errors; i++) {
		free(doc->errors[i].name_space);
		free(doc->errors[i].identifier);
	}
	free(doc->elements);
	free(doc->errors);
	free(doc->doc_type);
	free(doc->ds_subject);
	free(doc->iaca_subject);
	memset(doc, 0, sizeof(*doc));
}

static int
add_element(tsr_verified_doc_t *out, tsr_span_t name_space, tsr_span_t identifier,
    tsr_span_t value, bool device_signed, bool verified)
{
	tsr_element_entry_t *e = &out->elements[out->n_elements];
	int r;

	memset(e, 0, sizeof(*e));
	if ((r = tsr_span_strdup(name_space, &e->name_space)) != TSR_OK ||
	    (r = tsr_span_strdup(identifier, &e->identifier)) != TSR_OK ||
	    (r = tsr_bytes_dup(value.ptr, value.len, &e->value)) != TSR_OK) {
		free(e->name_space);
		free(e->identifier);
		return r;
	}
	e->value_len = value.len;
	e->device_signed = device_signed;
	/* Issuer-signed elements start out verified exactly when their digest
	 * matched; the document-level checks may revoke that at the end. */
	e->digest_matched = !device_signed && verified;
	e->verified = verified;
	out->n_elements++;
	return TSR_OK;
}

/* Step 1 (§9.3.3): x5chain -> trusted IACA, DS certificate profile. */
static int
check_issuer_chain(const tsr_verify_ctx_t *ctx, const tsr_cose_msg_t *auth,
    tsr_verified_doc_t *out)
{
	const tsr_x509_t *anchors = ctx->verifier->anchors;
	uint32_t flags = 0;
	size_t anchor = 0;
	int r;

	if (auth->x5chain == NULL) {
		out->reasons |= TSR_REASON_NO_X5CHAIN;
		return TSR_OK;
	}
	if ((r = tsr_x509_subject(auth->x5chain, 0, &out->ds_subject)) != TSR_OK &&
	    r != TSR_ERR_CERT_PARSE)
		return r;
	if (tsr_x509_validity(auth->x5chain, 0, &out->ds_not_before, &out->ds_not_after) ==
	    TSR_OK)
		out->has_ds_validity = true;
	if (anchors == NULL || tsr_x509_count(anchors) == 0) {
		out->reasons |= TSR_REASON_UNTRUSTED_ISSUER;
		return TSR_OK;
	}
	r = tsr_x509_verify_chain(auth->x5chain, anchors, ctx->now, TSR_OID_EKU_MDL_DS, &flags,
	    &anchor);
	if (r != TSR_OK && r != TSR_ERR_VERIFY) {
		out->reasons |= TSR_REASON_UNTRUSTED_ISSUER;
		return r == TSR_ERR_NO_MEMORY ? r : TSR_OK;
	}
	if (flags & TSR_X509_UNTRUSTED)
		out->reasons |= TSR_REASON_UNTRUSTED_ISSUER;
	else if ((r = tsr_x509_subject(anchors, anchor, &out->iaca_subject)) == TSR_ERR_NO_MEMORY)
		return r;
	if (flags & TSR_X509_EXPIRED)
		out->reasons |= TSR_REASON_DS_CERT_EXPIRED;
	if (flags & TSR_X509_NOT_YET_VALID)
		out->reasons |= TSR_REASON_DS_CERT_NOT_YET_VALID;
	if (flags & (TSR_X509_KEY_USAGE | TSR_X509_EXT_KEY_USAGE | TSR_X509_BAD_LEAF))
		out->reasons |= TSR_REASON_DS_CERT_PROFILE;
	if (flags & TSR_X509_UNSUPPORTED_ALG)
		out->reasons |= TSR_REASON_UNSUPPORTED_ALG;
	return TSR_OK;
}

/* Step 2: issuerAuth signature by the DS key. Running out of memory is an
 * error, not a bad signature (a genuine document must not be called forged). */
static int
check_issuer_signature(const tsr_cose_msg_t *auth, tsr_verified_doc_t *out)
{
	tsr_ec_pub_t ds_key;
	int r = TSR_ERR_COSE_NO_X5CHAIN;

	if (!is_es_alg(auth->alg)) {
		out->reasons |= TSR_REASON_UNSUPPORTED_ALG | TSR_REASON_ISSUER_SIGNATURE;
		return TSR_OK;
	}
	if (auth->x5chain != NULL && (r = tsr_x509_public_key(auth->x5chain, 0, &ds_key)) == TSR_OK)
		r = tsr_cose_sign1_verify(auth, &ds_key, NULL, 0);
	if (r == TSR_ERR_NO_MEMORY)
		return r;
	if (r != TSR_OK)
		out->reasons |= TSR_REASON_ISSUER_SIGNATURE;
	return TSR_OK;
}

/* Step 3: MSO docType and validity (§9.3.1 and the MSO rules of §9.1.2.4). */
static void
check_mso(const tsr_verify_ctx_t *ctx, const tsr_document_t *doc, tsr_verified_doc_t *out)
{
	const tsr_mso_t *mso = &doc->issuer_signed.mso;

	out->has_validity = true;
	out->signed_at = mso->signed_at;
	out->valid_from = mso->valid_from;
	out->valid_until = mso->valid_until;
	out->expected_update = mso->has_expected_update ? mso->expected_update : 0;
	snprintf(out->digest_alg, sizeof(out->digest_alg), "%s", tsr_hash_name(mso->digest_alg));

	if (!tsr_span_equal(mso->doc_type, doc->doc_type))
		out->reasons |= TSR_REASON_DOCTYPE_MISMATCH;
	if (ctx->now < mso->valid_from)
		out->reasons |= TSR_REASON_MSO_NOT_YET_VALID;
	if (ctx->now > mso->valid_until)
		out->reasons |= TSR_REASON_MSO_EXPIRED;
	if (mso->valid_from < mso->signed_at || mso->valid_until <= mso->valid_from)
		out->reasons |= TSR_REASON_MSO_VALIDITY;
	/* The MSO must have been signed while the DS certificate was valid. */
	if (out->has_ds_validity &&
	    (mso->signed_at < out->ds_not_before || mso->signed_at > out->ds_not_after))
		out->reasons |= TSR_REASON_MSO_VALIDITY;
}

static const tsr_cbor_item_t *
find_digest(const tsr_mso_t *mso, tsr_span_t name_space, uint64_t digest_id)
{
	const tsr_cbor_item_t *ids = NULL;

	for (size_t i = 0; i < mso->value_digests->u.list.count && ids == NULL; i++)
		if (tsr_span_equal(tsr_cbor_map_key(mso->value_digests, i)->u.str, name_space))
			ids = tsr_cbor_map_value(mso->value_digests, i);
	if (ids == NULL)
		return NULL;
	for (size_t i = 0; i < ids->u.list.count; i++)
		if (tsr_cbor_map_key(ids, i)->u.uint == digest_id)
			return tsr_cbor_map_value(ids, i);
	return NULL;
}

/* issuing_country must agree with the country of the DS certificate
 * (§9.3.3: "the issuing_country shall match the countryName"). */
static void
check_country(const tsr_cose_msg_t *auth, const tsr_issuer_item_t *item,
    tsr_verified_doc_t *out)
{
	static const char id[] = "issuing_country";
	char country[3] = "";

	if (item->element_id.len != sizeof(id) - 1 ||
	    memcmp(item->element_id.ptr, id, sizeof(id) - 1) != 0 || auth->x5chain == NULL)
		return;
	if (tsr_x509_subject_country(auth->x5chain, 0, country) != TSR_OK)
		return;
	if (!tsr_cbor_is(item->value, TSR_CBOR_TSTR) || item->value->u.str.len != 2 ||
	    memcmp(item->value->u.str.ptr, country, 2) != 0)
		out->reasons |= TSR_REASON_COUNTRY_MISMATCH;
}

/* Step 4: every issuer-signed element against its digest. */
static int
check_issuer_elements(const tsr_document_t *doc, tsr_verified_doc_t *out)
{
	const tsr_issuer_signed_t *is = &doc->issuer_signed;
	uint8_t digest[TSR_HASH_MAX_LEN];
	size_t digest_len = tsr_hash_len(is->mso.digest_alg);
	int r;

	for (size_t i = 0; i < is->n_ns; i++) {
		for (size_t j = 0; j < is->ns[i].n_items; j++) {
			const tsr_issuer_item_t *item = &is->ns[i].items[j];
			const tsr_cbor_item_t *expected =
			    find_digest(&is->mso, is->ns[i].name, item->digest_id);
			bool ok = false;

			if ((r = tsr_hash(is->mso.digest_alg, item->bytes.ptr, item->bytes.len,
			    digest)) != TSR_OK)
				return r;
			if (expected == NULL)
				out->reasons |= TSR_REASON_DIGEST_MISSING;
			else if (!tsr_bytes_equal_ct(digest, expected->u.str.ptr, digest_len))
				out->reasons |= TSR_REASON_DIGEST_MISMATCH;
			else
				ok = true;
			if (ok)
				check_country(&is->issuer_auth, item, out);
			if ((r = add_element(out, is->ns[i].name, item->element_id,
			    item->value->raw, false, ok)) != TSR_OK)
				return r;
		}
	}
	return TSR_OK;
}

/* EMacKey = HKDF-SHA-256(ECDH(EReaderKey.priv, SDeviceKey.pub),
 *                        salt, "EMacKey", 32)   (§9.1.3.5) */
static int
derive_emac_key(const tsr_verify_ctx_t *ctx, const tsr_ec_pub_t *device_key, uint8_t key[32])
{
	uint8_t z[TSR_EC_COORD_MAX];
	size_t z_len = 0;
	int r;

	if ((r = tsr_ecdh(ctx->verifier->reader_key, device_key, z, &z_len)) == TSR_OK)
		r = tsr_hkdf_sha256(ctx->salt, sizeof(ctx->salt), z, z_len,
		    (const uint8_t *)"EMacKey", 7, key, 32);
	tsr_zeroize(z, sizeof(z));
	return r;
}

/* Step 5: deviceSignature / deviceMac over DeviceAuthenticationBytes built
 * from our own transcript. Sets whether device auth holds; returns
 * TSR_ERR_NO_MEMORY (not a failed device auth) when memory runs out. */
static int
check_device_auth(const tsr_verify_ctx_t *ctx, const tsr_document_t *doc,
    tsr_verified_doc_t *out, bool *ret_ok)
{
	const tsr_device_signed_t *ds = &doc->device_signed;
	const tsr_mso_t *mso = &doc->issuer_signed.mso;
	uint8_t *dab = NULL, emac[32];
	size_t dab_len = 0;
	int r = TSR_ERR_INTERNAL;

	*ret_ok = false;
	out->device_auth = ds->is_mac ? TSR_DEVICE_AUTH_MAC : TSR_DEVICE_AUTH_SIGNATURE;
	if (!ctx->has_salt || (ds->is_mac && ctx->verifier->reader_key == NULL)) {
		out->reasons |= TSR_REASON_DEVICE_AUTH_MISSING;
		return TSR_OK;
	}
	if (ds->is_mac ? ds->auth.alg != TSR_COSE_ALG_HMAC256 : !is_es_alg(ds->auth.alg)) {
		out->reasons |= TSR_REASON_UNSUPPORTED_ALG | TSR_REASON_DEVICE_AUTH;
		return TSR_OK;
	}
	if ((r = tsr_device_authentication_bytes(&ctx->verifier->transcript, doc->doc_type,
	    ds->ns_bytes, &dab, &dab_len)) != TSR_OK)
		goto out;
	if (ds->is_mac) {
		if ((r = derive_emac_key(ctx, &mso->device_key, emac)) == TSR_OK)
			r = tsr_cose_mac0_verify(&ds->auth, emac, dab, dab_len);
		tsr_zeroize(emac, sizeof(emac));
	} else {
		r = tsr_cose_sign1_verify(&ds->auth, &mso->device_key, dab, dab_len);
	}
out:
	free(dab);
	if (r == TSR_ERR_NO_MEMORY)
		return r;
	if (r != TSR_OK)
		out->reasons |= TSR_REASON_DEVICE_AUTH;
	*ret_ok = r == TSR_OK;
	return TSR_OK;
}

/* KeyAuthorizations = {? "nameSpaces": [+ NameSpace],
 *                      ? "dataElements": {+ NameSpace => [+ DataElementIdentifier]}} */
static bool
authorized(const tsr_cbor_item_t *auth, const tsr_cbor_item_t *name_space,
    const tsr_cbor_item_t *identifier)
{
	const tsr_cbor_item_t *ns_list, *elements, *ids = NULL;

	if (auth == NULL)
		return false;
	ns_list = tsr_cbor_map_find_tstr(auth, "nameSpaces");
	for (size_t i = 0; ns_list != NULL && i < ns_list->u.list.count; i++)
		if (tsr_cbor_equal(&ns_list->u.list.items[i], name_space))
			return true;
	elements = tsr_cbor_map_find_tstr(auth, "dataElements");
	for (size_t i = 0; elements != NULL && i < elements->u.list.count && ids == NULL; i++)
		if (tsr_cbor_equal(tsr_cbor_map_key(elements, i), name_space))
			ids = tsr_cbor_map_value(elements, i);
	for (size_t i = 0; tsr_cbor_is(ids, TSR_CBOR_ARRAY) && i < ids->u.list.count; i++)
		if (tsr_cbor_equal(&ids->u.list.items[i], identifier))
			return true;
	return false;
}

/* Step 6: device-signed elements must be authorised by the MSO. */
static int
check_device_elements(const tsr_document_t *doc, bool device_auth_ok, tsr_verified_doc_t *out)
{
	const tsr_cbor_item_t *map = tsr_cbor_doc_root(doc->device_signed.ns_doc);
	const tsr_cbor_item_t *auth = doc->issuer_signed.mso.key_authorizations;
	int r;

	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *ns = tsr_cbor_map_key(map, i);
		const tsr_cbor_item_t *items = tsr_cbor_map_value(map, i);

		for (size_t j = 0; j < items->u.list.count; j++) {
			const tsr_cbor_item_t *id = tsr_cbor_map_key(items, j);
			bool ok = authorized(auth, ns, id);

			if (!ok)
				out->reasons |= TSR_REASON_KEY_AUTHORIZATION;
			if ((r = add_element(out, ns->u.str, id->u.str,
			    tsr_cbor_map_value(items, j)->raw, true, ok && device_auth_ok)) != TSR_OK)
				return r;
		}
	}
	return TSR_OK;
}

static size_t
count_elements(const tsr_document_t *doc)
{
	const tsr_cbor_item_t *map = tsr_cbor_doc_root(doc->device_signed.ns_doc);
	size_t n = 0;

	for (size_t i = 0; i < doc->issuer_signed.n_ns; i++)
		n += doc->issuer_signed.ns[i].n_items;
	for (size_t i = 0; map != NULL && i < map->u.list.count; i++)
		n += tsr_cbor_map_value(map, i)->u.list.count;
	return n;
}

static int
copy_errors(const tsr_document_t *doc, tsr_verified_doc_t *out)
{
	const tsr_cbor_item_t *map = doc->errors;
	size_t n = 0;
	int r;

	for (size_t i = 0; map != NULL && i < map->u.list.count; i++)
		n += tsr_cbor_map_value(map, i)->u.list.count;
	if (n == 0)
		return TSR_OK;
	if ((out->errors = calloc(n, sizeof(*out->errors))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *ids = tsr_cbor_map_value(map, i);

		for (size_t j = 0; j < ids->u.list.count; j++) {
			tsr_element_error_t *e = &out->errors[out->n_errors++];

			if ((r = tsr_span_strdup(tsr_cbor_map_key(map, i)->u.str,
			    &e->name_space)) != TSR_OK ||
			    (r = tsr_span_strdup(tsr_cbor_map_key(ids, j)->u.str,
			    &e->identifier)) != TSR_OK)
				return r;
			(void)tsr_cbor_get_int(tsr_cbor_map_value(ids, j), &e->code);
		}
	}
	return TSR_OK;
}

int
tsr_verify_document(const tsr_verify_ctx_t *ctx, const tsr_document_t *doc,
    tsr_verified_doc_t *out)
{
	const tsr_cose_msg_t *auth = &doc->issuer_signed.issuer_auth;
	size_t n_elements = count_elements(doc);
	bool device_auth_ok = false;
	int r = TSR_ERR_INTERNAL;

	memset(out, 0, sizeof(*out));
	if ((r = tsr_span_strdup(doc->doc_type, &out->doc_type)) != TSR_OK)
		goto fail;
	if (n_elements > 0 && (out->elements = calloc(n_elements, sizeof(*out->elements))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	if ((r = check_issuer_chain(ctx, auth, out)) != TSR_OK)
		goto fail;
	if ((r = check_issuer_signature(auth, out)) != TSR_OK)
		goto fail;
	check_mso(ctx, doc, out);
	if ((r = tsr_verify_status(ctx, doc, out)) != TSR_OK)
		goto fail;
	if ((r = check_issuer_elements(doc, out)) != TSR_OK)
		goto fail;
	if (doc->has_device_signed) {
		if ((r = check_device_auth(ctx, doc, out, &device_auth_ok)) != TSR_OK ||
		    (r = check_device_elements(doc, device_auth_ok, out)) != TSR_OK)
			goto fail;
	} else {
		out->reasons |= TSR_REASON_DEVICE_AUTH_MISSING;
	}
	if ((r = copy_errors(doc, out)) != TSR_OK)
		goto fail;
	/* A digest that matches an MSO nobody trustworthy signed proves
	 * nothing: only a document-level pass makes an element verified. */
	if (out->reasons & DOCUMENT_TRUST_REASONS)
		for (size_t i = 0; i < out->n_elements; i++)
			out->elements[i].verified = false;
	return TSR_OK;
fail:
	tsr_verified_doc_clear(out);
	return r;
}
