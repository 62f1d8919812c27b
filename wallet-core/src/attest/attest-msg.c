/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The CBOR messages of TPM key attestation (docs/provisioning.md). Maps are
 * written in RFC 8949 §4.2.1 order; decoding is strict: version 1, exactly
 * the keys of the definition, byte strings with length limits. */

#include <string.h>

#include <tessera/tessera.h>

#include "attest/attest-private.h"

static const tsr_cbor_limits_t msg_limits = {
	.max_input = TSR_ATTEST_MSG_MAX,
	.max_depth = 4,
	.max_items = 256,
	.max_length = TSR_ATTEST_MSG_MAX,
};

static int
decode_root(const uint8_t *ptr, size_t len, const char *const *keys, tsr_cbor_doc_t **ret_doc,
    const tsr_cbor_item_t **ret_root)
{
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root, *v;
	int64_t version;
	int r = TSR_ERR_INTERNAL;

	if (ptr == NULL || len == 0) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = tsr_cbor_decode(ptr, len, &msg_limits, &doc)) != TSR_OK)
		goto out;
	root = tsr_cbor_doc_root(doc);
	if (!tsr_cbor_is(root, TSR_CBOR_MAP)) {
		r = TSR_ERR_CBOR_TYPE;
		goto out;
	}
	if (!tsr_cbor_map_keys_within(root, keys, NULL, 0)) {
		r = TSR_ERR_CBOR_UNKNOWN_KEY;
		goto out;
	}
	if ((v = tsr_cbor_map_find_tstr(root, "version")) == NULL) {
		r = TSR_ERR_CBOR_MISSING_KEY;
		goto out;
	}
	if (!tsr_cbor_get_int(v, &version) || version != TSR_ATTEST_VERSION) {
		r = TSR_ERR_CBOR_VALUE;
		goto out;
	}
	*ret_doc = doc;
	*ret_root = root;
	doc = NULL;
	r = TSR_OK;
out:
	tsr_cbor_doc_free(doc);
	return r;
}

/* A byte string of 1..max bytes under key. */
static int
get_bstr(const tsr_cbor_item_t *map, const char *key, size_t max, tsr_span_t *ret)
{
	const tsr_cbor_item_t *v = tsr_cbor_map_find_tstr(map, key);

	if (v == NULL)
		return TSR_ERR_CBOR_MISSING_KEY;
	if (!tsr_cbor_is(v, TSR_CBOR_BSTR))
		return TSR_ERR_CBOR_TYPE;
	if (v->u.str.len == 0 || v->u.str.len > max)
		return TSR_ERR_CBOR_VALUE;
	*ret = v->u.str;
	return TSR_OK;
}

static int
get_array(const tsr_cbor_item_t *map, const char *key, const tsr_cbor_item_t **ret)
{
	const tsr_cbor_item_t *v = tsr_cbor_map_find_tstr(map, key);

	if (v == NULL)
		return TSR_ERR_CBOR_MISSING_KEY;
	if (!tsr_cbor_is(v, TSR_CBOR_ARRAY))
		return TSR_ERR_CBOR_TYPE;
	if (v->u.list.count == 0 || v->u.list.count > TSR_ATTEST_MAX_KEYS)
		return TSR_ERR_CBOR_VALUE;
	*ret = v;
	return TSR_OK;
}

static void
put_kv_bstr(tsr_cbor_enc_t *enc, const char *key, tsr_span_t v)
{
	tsr_cbor_put_tstr(enc, key);
	tsr_cbor_put_bstr(enc, v.ptr, v.len);
}

/* --- ProvisioningRequest --- */

int
tsr_attest_request_encode(const tsr_attest_request_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	int r;

	if (m->n_keys == 0 || m->n_keys > TSR_ATTEST_MAX_KEYS)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 4);
	put_kv_bstr(&enc, "ekCert", m->ek_cert);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_uint(&enc, TSR_ATTEST_VERSION);
	put_kv_bstr(&enc, "akPublic", m->ak_public);
	tsr_cbor_put_tstr(&enc, "deviceKeys");
	tsr_cbor_put_array(&enc, m->n_keys);
	for (size_t i = 0; i < m->n_keys; i++)
		tsr_cbor_put_bstr(&enc, m->keys[i].ptr, m->keys[i].len);
	r = tsr_cbor_enc_finish(&enc, ret, ret_len);
	tsr_cbor_enc_free(&enc);
	return r;
}

int
tsr_attest_request_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_request_t *ret)
{
	static const char *const keys[] = { "ekCert", "version", "akPublic", "deviceKeys", NULL };
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root = NULL, *arr = NULL;
	tsr_attest_request_t m;
	int r = TSR_ERR_INTERNAL;

	memset(&m, 0, sizeof(m));
	if ((r = decode_root(ptr, len, keys, &doc, &root)) != TSR_OK)
		goto out;
	if ((r = get_bstr(root, "ekCert", TSR_ATTEST_CERT_MAX, &m.ek_cert)) != TSR_OK ||
	    (r = get_bstr(root, "akPublic", 1024, &m.ak_public)) != TSR_OK ||
	    (r = get_array(root, "deviceKeys", &arr)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < arr->u.list.count; i++) {
		const tsr_cbor_item_t *k = &arr->u.list.items[i];

		if (!tsr_cbor_is(k, TSR_CBOR_BSTR)) {
			r = TSR_ERR_CBOR_TYPE;
			goto out;
		}
		if (k->u.str.len == 0 || k->u.str.len > 1024) {
			r = TSR_ERR_CBOR_VALUE;
			goto out;
		}
		m.keys[i] = k->u.str;
	}
	m.n_keys = arr->u.list.count;
	*ret = m;
	*ret_doc = doc;
	doc = NULL;
	r = TSR_OK;
out:
	tsr_cbor_doc_free(doc);
	return r;
}

/* --- Challenge --- */

int
tsr_attest_challenge_encode(const tsr_attest_challenge_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	int r;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 4);
	put_kv_bstr(&enc, "nonce", m->nonce);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_uint(&enc, TSR_ATTEST_VERSION);
	put_kv_bstr(&enc, "credentialBlob", m->credential_blob);
	put_kv_bstr(&enc, "encryptedSecret", m->encrypted_secret);
	r = tsr_cbor_enc_finish(&enc, ret, ret_len);
	tsr_cbor_enc_free(&enc);
	return r;
}

int
tsr_attest_challenge_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_challenge_t *ret)
{
	static const char *const keys[] = {
		"nonce", "version", "credentialBlob", "encryptedSecret", NULL,
	};
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root = NULL;
	tsr_attest_challenge_t m;
	int r = TSR_ERR_INTERNAL;

	memset(&m, 0, sizeof(m));
	if ((r = decode_root(ptr, len, keys, &doc, &root)) != TSR_OK)
		goto out;
	/* TPM2B_DATA holds at most 64 bytes; the rest are TPM2B limits. */
	if ((r = get_bstr(root, "nonce", 64, &m.nonce)) != TSR_OK ||
	    (r = get_bstr(root, "credentialBlob", 256, &m.credential_blob)) != TSR_OK ||
	    (r = get_bstr(root, "encryptedSecret", 1024, &m.encrypted_secret)) != TSR_OK)
		goto out;
	*ret = m;
	*ret_doc = doc;
	doc = NULL;
	r = TSR_OK;
out:
	tsr_cbor_doc_free(doc);
	return r;
}

/* --- Evidence --- */

int
tsr_attest_evidence_encode(const tsr_attest_evidence_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	int r;

	if (m->n == 0 || m->n > TSR_ATTEST_MAX_KEYS)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 3);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_uint(&enc, TSR_ATTEST_VERSION);
	tsr_cbor_put_tstr(&enc, "certifications");
	tsr_cbor_put_array(&enc, m->n);
	for (size_t i = 0; i < m->n; i++) {
		tsr_cbor_put_map(&enc, 2);
		put_kv_bstr(&enc, "attest", m->attest[i]);
		put_kv_bstr(&enc, "signature", m->signature[i]);
	}
	put_kv_bstr(&enc, "activatedSecret", m->activated_secret);
	r = tsr_cbor_enc_finish(&enc, ret, ret_len);
	tsr_cbor_enc_free(&enc);
	return r;
}

int
tsr_attest_evidence_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_evidence_t *ret)
{
	static const char *const keys[] = {
		"version", "certifications", "activatedSecret", NULL,
	};
	static const char *const cert_keys[] = { "attest", "signature", NULL };
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root = NULL, *arr = NULL;
	tsr_attest_evidence_t m;
	int r = TSR_ERR_INTERNAL;

	memset(&m, 0, sizeof(m));
	if ((r = decode_root(ptr, len, keys, &doc, &root)) != TSR_OK)
		goto out;
	if ((r = get_bstr(root, "activatedSecret", 64, &m.activated_secret)) != TSR_OK ||
	    (r = get_array(root, "certifications", &arr)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < arr->u.list.count; i++) {
		const tsr_cbor_item_t *c = &arr->u.list.items[i];

		if (!tsr_cbor_is(c, TSR_CBOR_MAP)) {
			r = TSR_ERR_CBOR_TYPE;
			goto out;
		}
		if (!tsr_cbor_map_keys_within(c, cert_keys, NULL, 0)) {
			r = TSR_ERR_CBOR_UNKNOWN_KEY;
			goto out;
		}
		if ((r = get_bstr(c, "attest", 1024, &m.attest[i])) != TSR_OK ||
		    (r = get_bstr(c, "signature", 1024, &m.signature[i])) != TSR_OK)
			goto out;
	}
	m.n = arr->u.list.count;
	*ret = m;
	*ret_doc = doc;
	doc = NULL;
	r = TSR_OK;
out:
	tsr_cbor_doc_free(doc);
	return r;
}

/* --- Pending (the issuer's own state) --- */

int
tsr_attest_pending_encode(const tsr_attest_pending_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	int r;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 4);
	put_kv_bstr(&enc, "nonce", m->nonce);
	put_kv_bstr(&enc, "secret", m->secret);
	put_kv_bstr(&enc, "request", m->request);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_uint(&enc, TSR_ATTEST_VERSION);
	r = tsr_cbor_enc_finish(&enc, ret, ret_len);
	tsr_cbor_enc_free(&enc); /* wipes the copy of the secret */
	return r;
}

int
tsr_attest_pending_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_pending_t *ret)
{
	static const char *const keys[] = { "nonce", "secret", "request", "version", NULL };
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root = NULL;
	tsr_attest_pending_t m;
	int r = TSR_ERR_INTERNAL;

	memset(&m, 0, sizeof(m));
	if ((r = decode_root(ptr, len, keys, &doc, &root)) != TSR_OK)
		goto out;
	if ((r = get_bstr(root, "nonce", 64, &m.nonce)) != TSR_OK ||
	    (r = get_bstr(root, "secret", 64, &m.secret)) != TSR_OK ||
	    (r = get_bstr(root, "request", TSR_ATTEST_MSG_MAX, &m.request)) != TSR_OK)
		goto out;
	*ret = m;
	*ret_doc = doc;
	doc = NULL;
	r = TSR_OK;
out:
	tsr_cbor_doc_free(doc);
	return r;
}
