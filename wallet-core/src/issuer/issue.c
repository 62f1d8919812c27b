/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * IssuerSigned and the MobileSecurityObject (18013-5 §9.1.2.4): salted
 * items, digests, the MSO in the Annex D key order, issuerAuth. Every
 * credential is decoded and checked again before it is handed out.
 */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "issuer/issuer-private.h"

#define YEAR_SECONDS ((int64_t)365 * 86400)

typedef struct plan {
	tsr_hash_alg_t alg;
	int64_t signed_at, valid_from, valid_until, expected_update;
} plan_t;

typedef struct built_item {
	uint32_t digest_id;
	uint8_t *bytes;   /* IssuerSignedItemBytes */
	size_t len;
	uint8_t digest[TSR_HASH_MAX_LEN];
} built_item_t;

static void
put_tdate(tsr_cbor_enc_t *enc, int64_t t)
{
	char text[21];

	if (tsr_time_format(t, text) != TSR_OK) {
		enc->error = enc->error ? enc->error : TSR_ERR_BAD_TIME;
		return;
	}
	tsr_cbor_put_tag(enc, 0);
	tsr_cbor_put_tstr(enc, text);
}

static void
time_text(int64_t t, char out[21])
{
	if (tsr_time_format(t, out) != TSR_OK)
		strcpy(out, "(out of range)");
}

static void
check_country(const tsr_issuer_t *iss, const tsr_claims_t *claims, tsr_report_t *rep)
{
	const tsr_cbor_item_t *root = tsr_cbor_doc_root(claims->doc);

	/* Readers compare every issuing_country with the DS country (§9.3.3). */
	for (size_t i = 0; i < root->u.list.count; i++) {
		const tsr_cbor_item_t *v =
		    tsr_cbor_map_find_tstr(tsr_cbor_map_value(root, i), "issuing_country");

		if (v == NULL || iss->country[0] == '\0')
			continue;
		if (!tsr_cbor_is(v, TSR_CBOR_TSTR) || v->u.str.len != 2 ||
		    memcmp(v->u.str.ptr, iss->country, 2) != 0)
			tsr_report_element(rep, tsr_cbor_map_key(root, i)->u.str,
			    (tsr_span_t){ (const uint8_t *)"issuing_country", 15 },
			    "differs from the DS certificate's country (%s)", iss->country);
	}
}

static int
prepare(const tsr_issuer_t *iss, const tsr_issue_params_t *p, const tsr_claims_t *claims,
    plan_t *ret_plan, char **ret_report)
{
	tsr_report_t rep;
	plan_t plan;
	char a[21], b[21], c[21];
	int r = TSR_ERR_INTERNAL;

	memset(&plan, 0, sizeof(plan));
	tsr_report_init(&rep);
	if ((r = tsr_hash_from_name(p->digest_alg ? p->digest_alg : "SHA-256", &plan.alg)) !=
	    TSR_OK) {
		tsr_report_add(&rep, "digest algorithm must be SHA-256, SHA-384 or SHA-512");
		r = TSR_OK;
	}
	plan.signed_at = p->signed_at != 0 ? p->signed_at : tsr_clock_now();
	plan.valid_from = p->valid_from != 0 ? p->valid_from : plan.signed_at;
	plan.valid_until = p->valid_until != 0 ? p->valid_until : plan.valid_from + YEAR_SECONDS;
	plan.expected_update = p->expected_update;
	time_text(plan.signed_at, a);
	time_text(iss->not_before, b);
	time_text(iss->not_after, c);
	if (plan.signed_at < iss->not_before || plan.signed_at > iss->not_after)
		tsr_report_add(&rep, "validity: signed (%s) is outside the DS certificate's "
		    "validity (%s to %s)", a, b, c);
	if (plan.valid_from < plan.signed_at)
		tsr_report_add(&rep, "validity: validFrom is before signed");
	if (plan.valid_until <= plan.valid_from)
		tsr_report_add(&rep, "validity: validUntil must be after validFrom");
	if (plan.valid_until > iss->not_after) {
		time_text(plan.valid_until, a);
		tsr_report_add(&rep, "validity: validUntil (%s) is after the DS certificate "
		    "expires (%s)", a, c);
	}
	if (plan.expected_update != 0 && plan.expected_update <= plan.signed_at)
		tsr_report_add(&rep, "validity: expectedUpdate must be after signed");
	if (p->status_uri != NULL && p->status_uri[0] == '\0')
		tsr_report_add(&rep, "status: the status list URI is empty");
	if (p->format != TSR_ISSUE_ISSUER_SIGNED && p->format != TSR_ISSUE_DOCUMENT)
		tsr_report_add(&rep, "format: unknown output format");
	if ((r = tsr_claims_check(claims, p->doc_type, plan.signed_at, p->allow_unknown, &rep)) !=
	    TSR_OK)
		goto out;
	check_country(iss, claims, &rep);
	if (rep.count > 0) {
		if ((r = tsr_report_finish(&rep, ret_report)) == TSR_OK)
			r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = rep.error) != TSR_OK)
		goto out;
	*ret_plan = plan;
out:
	tsr_report_free(&rep);
	return r;
}

/* IssuerSignedItemBytes = #6.24(bstr .cbor {"digestID", "random",
 * "elementIdentifier", "elementValue"}), keys in the Annex D order. */
static int
build_item(tsr_hash_alg_t alg, uint32_t digest_id, const tsr_cbor_item_t *id,
    const tsr_cbor_item_t *value, built_item_t *out)
{
	uint8_t salt[TSR_SALT_LEN], *inner = NULL;
	size_t inner_len = 0;
	tsr_cbor_enc_t enc;
	int r = TSR_ERR_INTERNAL;

	tsr_cbor_enc_init(&enc);
	if ((r = tsr_random_bytes(salt, sizeof(salt))) != TSR_OK)
		goto out;
	tsr_cbor_put_map(&enc, 4);
	tsr_cbor_put_tstr(&enc, "digestID");
	tsr_cbor_put_uint(&enc, digest_id);
	tsr_cbor_put_tstr(&enc, "random");
	tsr_cbor_put_bstr(&enc, salt, sizeof(salt));
	tsr_cbor_put_tstr(&enc, "elementIdentifier");
	tsr_cbor_put_raw(&enc, id->raw.ptr, id->raw.len);
	tsr_cbor_put_tstr(&enc, "elementValue");
	tsr_cbor_put_raw(&enc, value->raw.ptr, value->raw.len);
	if ((r = tsr_cbor_enc_finish(&enc, &inner, &inner_len)) != TSR_OK)
		goto out;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_embedded(&enc, inner, inner_len);
	if ((r = tsr_cbor_enc_finish(&enc, &out->bytes, &out->len)) != TSR_OK)
		goto out;
	out->digest_id = digest_id;
	r = tsr_hash(alg, out->bytes, out->len, out->digest);
out:
	tsr_zeroize(salt, sizeof(salt));
	tsr_free_secret(inner, inner_len);
	tsr_cbor_enc_free(&enc);
	return r;
}

static int
cmp_items(const void *a, const void *b)
{
	const built_item_t *x = a, *y = b;

	return x->digest_id < y->digest_id ? -1 : x->digest_id > y->digest_id;
}

typedef struct built_ns {
	tsr_span_t name;
	built_item_t *items;
	size_t n;
} built_ns_t;

static void
built_free(built_ns_t *ns, size_t n_ns)
{
	for (size_t i = 0; ns != NULL && i < n_ns; i++) {
		for (size_t j = 0; j < ns[i].n; j++)
			tsr_free_secret(ns[i].items[j].bytes, ns[i].items[j].len);
		free(ns[i].items);
	}
	free(ns);
}

static int
build_namespaces(const tsr_claims_t *claims, tsr_hash_alg_t alg, built_ns_t **ret_ns,
    size_t *ret_n)
{
	const tsr_cbor_item_t *root = tsr_cbor_doc_root(claims->doc);
	built_ns_t *ns = NULL;
	uint32_t *perm = NULL;
	size_t n_ns = root->u.list.count;
	int r = TSR_ERR_INTERNAL;

	if ((ns = calloc(n_ns, sizeof(*ns))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < n_ns; i++) {
		const tsr_cbor_item_t *elements = tsr_cbor_map_value(root, i);
		size_t n = elements->u.list.count;

		ns[i].name = tsr_cbor_map_key(root, i)->u.str;
		free(perm);
		if ((perm = calloc(n, sizeof(*perm))) == NULL ||
		    (ns[i].items = calloc(n, sizeof(*ns[i].items))) == NULL) {
			r = TSR_ERR_NO_MEMORY;
			goto fail;
		}
		/* Digest IDs: a fresh random permutation per credential, so they
		 * say nothing about which element is which. */
		if ((r = tsr_random_permutation(perm, n)) != TSR_OK)
			goto fail;
		for (size_t j = 0; j < n; j++) {
			if ((r = build_item(alg, perm[j], tsr_cbor_map_key(elements, j),
			    tsr_cbor_map_value(elements, j), &ns[i].items[j])) != TSR_OK)
				goto fail;
			ns[i].n = j + 1;
		}
		qsort(ns[i].items, n, sizeof(*ns[i].items), cmp_items);
	}
	free(perm);
	*ret_ns = ns;
	*ret_n = n_ns;
	return TSR_OK;
fail:
	free(perm);
	built_free(ns, n_ns);
	return r;
}

/* MobileSecurityObjectBytes, keys in the Annex D order: version,
 * digestAlgorithm, valueDigests, deviceKeyInfo, docType, validityInfo,
 * then the 2nd edition status. */
static int
build_mso(const tsr_issue_params_t *p, const plan_t *plan, const built_ns_t *ns, size_t n_ns,
    const tsr_ec_pub_t *device_key, uint64_t status_idx, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	uint8_t *mso = NULL;
	size_t mso_len = 0;
	int r;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, p->status_uri != NULL ? 7 : 6);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_tstr(&enc, "1.0");
	tsr_cbor_put_tstr(&enc, "digestAlgorithm");
	tsr_cbor_put_tstr(&enc, tsr_hash_name(plan->alg));
	tsr_cbor_put_tstr(&enc, "valueDigests");
	tsr_cbor_put_map(&enc, n_ns);
	for (size_t i = 0; i < n_ns; i++) {
		tsr_cbor_put_tstr_n(&enc, (const char *)ns[i].name.ptr, ns[i].name.len);
		tsr_cbor_put_map(&enc, ns[i].n);
		for (size_t j = 0; j < ns[i].n; j++) {
			tsr_cbor_put_uint(&enc, ns[i].items[j].digest_id);
			tsr_cbor_put_bstr(&enc, ns[i].items[j].digest, tsr_hash_len(plan->alg));
		}
	}
	tsr_cbor_put_tstr(&enc, "deviceKeyInfo");
	tsr_cbor_put_map(&enc, 1);
	tsr_cbor_put_tstr(&enc, "deviceKey");
	tsr_cose_key_encode(&enc, device_key);
	tsr_cbor_put_tstr(&enc, "docType");
	tsr_cbor_put_tstr(&enc, p->doc_type);
	tsr_cbor_put_tstr(&enc, "validityInfo");
	tsr_cbor_put_map(&enc, plan->expected_update != 0 ? 4 : 3);
	tsr_cbor_put_tstr(&enc, "signed");
	put_tdate(&enc, plan->signed_at);
	tsr_cbor_put_tstr(&enc, "validFrom");
	put_tdate(&enc, plan->valid_from);
	tsr_cbor_put_tstr(&enc, "validUntil");
	put_tdate(&enc, plan->valid_until);
	if (plan->expected_update != 0) {
		tsr_cbor_put_tstr(&enc, "expectedUpdate");
		put_tdate(&enc, plan->expected_update);
	}
	if (p->status_uri != NULL) {
		/* Status = {"status_list": {"idx": uint, "uri": tstr}} */
		tsr_cbor_put_tstr(&enc, "status");
		tsr_cbor_put_map(&enc, 1);
		tsr_cbor_put_tstr(&enc, "status_list");
		tsr_cbor_put_map(&enc, 2);
		tsr_cbor_put_tstr(&enc, "idx");
		tsr_cbor_put_uint(&enc, status_idx);
		tsr_cbor_put_tstr(&enc, "uri");
		tsr_cbor_put_tstr(&enc, p->status_uri);
	}
	if ((r = tsr_cbor_enc_finish(&enc, &mso, &mso_len)) != TSR_OK) {
		tsr_cbor_enc_free(&enc);
		return r;
	}
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_embedded(&enc, mso, mso_len);
	free(mso);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

/* Decodes what we made and checks the signature and every digest: a bug
 * here must never reach a wallet. */
static int
self_check(const tsr_issuer_t *iss, const uint8_t *ptr, size_t len, bool document)
{
	tsr_cbor_doc_t *doc = NULL;
	tsr_issuer_signed_t is;
	tsr_document_t d;
	const tsr_issuer_signed_t *isp;
	uint8_t digest[TSR_HASH_MAX_LEN];
	int r = TSR_ERR_INTERNAL;

	memset(&is, 0, sizeof(is));
	memset(&d, 0, sizeof(d));
	if ((r = tsr_cbor_decode(ptr, len, NULL, &doc)) != TSR_OK)
		goto out;
	if (document)
		r = tsr_document_decode(tsr_cbor_doc_root(doc), false, &d);
	else
		r = tsr_issuer_signed_decode(tsr_cbor_doc_root(doc), &is);
	if (r != TSR_OK)
		goto out;
	isp = document ? &d.issuer_signed : &is;
	if ((r = tsr_cose_sign1_verify(&isp->issuer_auth, &iss->pub, NULL, 0)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < isp->n_ns; i++) {
		const tsr_cbor_item_t *ids = NULL;

		for (size_t k = 0; k < isp->mso.value_digests->u.list.count && ids == NULL; k++) {
			tsr_span_t name = tsr_cbor_map_key(isp->mso.value_digests, k)->u.str;

			if (name.len == isp->ns[i].name.len &&
			    memcmp(name.ptr, isp->ns[i].name.ptr, name.len) == 0)
				ids = tsr_cbor_map_value(isp->mso.value_digests, k);
		}
		for (size_t j = 0; j < isp->ns[i].n_items; j++) {
			const tsr_issuer_item_t *item = &isp->ns[i].items[j];
			const tsr_cbor_item_t *expected = NULL;

			for (size_t k = 0; ids != NULL && k < ids->u.list.count; k++)
				if (tsr_cbor_map_key(ids, k)->u.uint == item->digest_id)
					expected = tsr_cbor_map_value(ids, k);
			if ((r = tsr_hash(isp->mso.digest_alg, item->bytes.ptr, item->bytes.len,
			    digest)) != TSR_OK)
				goto out;
			if (expected == NULL || memcmp(digest, expected->u.str.ptr,
			    tsr_hash_len(isp->mso.digest_alg)) != 0) {
				r = TSR_ERR_INTERNAL;
				goto out;
			}
		}
	}
	r = TSR_OK;
out:
	tsr_issuer_signed_clear(&is);
	tsr_document_clear(&d);
	tsr_cbor_doc_free(doc);
	return r;
}

static int
issue_one(const tsr_issuer_t *iss, const tsr_issue_params_t *p, const plan_t *plan,
    const tsr_claims_t *claims, const uint8_t *device_key, size_t device_key_len,
    uint64_t status_idx, uint8_t **ret_ptr, size_t *ret_len)
{
	built_ns_t *ns = NULL;
	size_t n_ns = 0, payload_len = 0, auth_len = 0, out_len = 0;
	uint8_t *payload = NULL, *auth = NULL, *out = NULL;
	tsr_ec_pub_t pub;
	tsr_cbor_enc_t enc;
	int r = TSR_ERR_INTERNAL;

	tsr_cbor_enc_init(&enc);
	if ((r = tsr_cose_key_from_bytes(device_key, device_key_len, &pub)) != TSR_OK)
		goto out;
	if ((r = build_namespaces(claims, plan->alg, &ns, &n_ns)) != TSR_OK ||
	    (r = build_mso(p, plan, ns, n_ns, &pub, status_idx, &payload, &payload_len)) !=
	    TSR_OK ||
	    (r = tsr_cose_sign1_create(&iss->signer, payload, payload_len, false, iss->chain_der,
	    iss->n_chain, &auth, &auth_len)) != TSR_OK)
		goto out;
	if (p->format == TSR_ISSUE_DOCUMENT) {
		tsr_cbor_put_map(&enc, 2);
		tsr_cbor_put_tstr(&enc, "docType");
		tsr_cbor_put_tstr(&enc, p->doc_type);
		tsr_cbor_put_tstr(&enc, "issuerSigned");
	}
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "nameSpaces");
	tsr_cbor_put_map(&enc, n_ns);
	for (size_t i = 0; i < n_ns; i++) {
		tsr_cbor_put_tstr_n(&enc, (const char *)ns[i].name.ptr, ns[i].name.len);
		tsr_cbor_put_array(&enc, ns[i].n);
		for (size_t j = 0; j < ns[i].n; j++)
			tsr_cbor_put_raw(&enc, ns[i].items[j].bytes, ns[i].items[j].len);
	}
	tsr_cbor_put_tstr(&enc, "issuerAuth");
	tsr_cbor_put_raw(&enc, auth, auth_len);
	if ((r = tsr_cbor_enc_finish(&enc, &out, &out_len)) != TSR_OK)
		goto out;
	if ((r = self_check(iss, out, out_len, p->format == TSR_ISSUE_DOCUMENT)) != TSR_OK) {
		r = TSR_ERR_INTERNAL;
		goto out;
	}
	*ret_ptr = out;
	*ret_len = out_len;
	out = NULL;
	r = TSR_OK;
out:
	tsr_free_secret(out, out_len);
	free(payload);
	free(auth);
	built_free(ns, n_ns);
	tsr_cbor_enc_free(&enc);
	return r;
}

int
tsr_issuer_issue(const tsr_issuer_t *issuer, const tsr_issue_params_t *params,
    const tsr_claims_t *claims, const uint8_t *device_key, size_t device_key_len,
    uint8_t **ret_ptr, size_t *ret_len, char **ret_report)
{
	plan_t plan;
	int r;

	if (issuer == NULL || params == NULL || params->doc_type == NULL || claims == NULL ||
	    device_key == NULL || ret_ptr == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = prepare(issuer, params, claims, &plan, ret_report)) != TSR_OK)
		return r;
	return issue_one(issuer, params, &plan, claims, device_key, device_key_len,
	    params->status_idx, ret_ptr, ret_len);
}

int
tsr_issuer_issue_batch(const tsr_issuer_t *issuer, const tsr_issue_params_t *params,
    const tsr_claims_t *claims, const tsr_device_keys_t *keys, uint8_t **ret_ptr,
    size_t *ret_len, char **ret_report)
{
	tsr_cbor_enc_t enc;
	plan_t plan;
	uint8_t *one = NULL;
	size_t one_len = 0, n = tsr_device_keys_count(keys);
	int r = TSR_ERR_INTERNAL;

	if (issuer == NULL || params == NULL || params->doc_type == NULL || claims == NULL ||
	    n == 0 || ret_ptr == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (n > TSR_BATCH_MAX)
		return TSR_ERR_LIMIT;
	if (params->status_uri != NULL && params->status_idx > UINT64_MAX - n)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = prepare(issuer, params, claims, &plan, ret_report)) != TSR_OK)
		return r;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, n);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *key;
		size_t key_len;

		if ((r = tsr_device_keys_get(keys, i, &key, &key_len)) != TSR_OK ||
		    (r = issue_one(issuer, params, &plan, claims, key, key_len,
		    params->status_idx + i, &one, &one_len)) != TSR_OK)
			goto out;
		tsr_cbor_put_raw(&enc, one, one_len);
		tsr_free_secret(one, one_len);
		one = NULL;
	}
	r = tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
out:
	tsr_cbor_enc_free(&enc);
	return r;
}
