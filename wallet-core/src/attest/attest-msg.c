/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The CBOR messages of TPM key attestation (docs/provisioning.md). Maps are
 * written in RFC 8949 §4.2.1 order; decoding is strict: version 1, exactly
 * the keys of the definition, byte strings with length limits. */

#include <stddef.h>

#include <tessera/tessera.h>

#include "attest/attest-private.h"

static const tsr_cbor_limits_t msg_limits = {
	.max_input = TSR_ATTEST_MSG_MAX,
	.max_depth = 4,
	.max_items = 256,
	.max_length = TSR_ATTEST_MSG_MAX,
};

/* A byte-string member of a message: its key, where its tsr_span_t lives in
 * the message structure, and its longest length. */
typedef struct {
	const char *key;
	size_t offset;
	size_t max;
} bstr_field_t;

/* The array member of a message: its key, how one element is read into the
 * message at index i, and where the element count lives. */
typedef struct {
	const char *key;
	int (*read_element)(const tsr_cbor_item_t *item, size_t i, void *msg);
	size_t count_offset;
} array_field_t;

/* An unsigned integer member (Unix seconds): its key and where its int64_t
 * lives in the message structure. */
typedef struct {
	const char *key;
	size_t offset;
} uint_field_t;

/* A message: "version", its byte-string members, and an array member and a
 * uint member or NULL. These are all the keys it may have. */
typedef struct {
	const bstr_field_t *bstrs;
	size_t n_bstrs;
	const array_field_t *array;
	const uint_field_t *uint;
} msg_shape_t;

#define MSG_MAX_KEYS 7

/* A byte string of 1..max bytes. */
static int
check_bstr(const tsr_cbor_item_t *v, size_t max)
{
	if (!tsr_cbor_is(v, TSR_CBOR_BSTR))
		return TSR_ERR_CBOR_TYPE;
	if (v->u.str.len == 0 || v->u.str.len > max)
		return TSR_ERR_CBOR_VALUE;
	return TSR_OK;
}

/* Reads the byte strings of fields from map into msg. */
static int
read_bstrs(const tsr_cbor_item_t *map, const bstr_field_t *fields, size_t n, void *msg)
{
	for (size_t i = 0; i < n; i++) {
		const tsr_cbor_item_t *v = tsr_cbor_map_find_tstr(map, fields[i].key);
		int r;

		if (v == NULL)
			return TSR_ERR_CBOR_MISSING_KEY;
		if ((r = check_bstr(v, fields[i].max)) != TSR_OK)
			return r;
		*(tsr_span_t *)(void *)((uint8_t *)msg + fields[i].offset) = v->u.str;
	}
	return TSR_OK;
}

/* An array of 1..TSR_ATTEST_MAX_KEYS elements, each read into msg. */
static int
read_array(const tsr_cbor_item_t *map, const array_field_t *field, void *msg)
{
	const tsr_cbor_item_t *v = tsr_cbor_map_find_tstr(map, field->key);
	int r;

	if (v == NULL)
		return TSR_ERR_CBOR_MISSING_KEY;
	if (!tsr_cbor_is(v, TSR_CBOR_ARRAY))
		return TSR_ERR_CBOR_TYPE;
	if (v->u.list.count == 0 || v->u.list.count > TSR_ATTEST_MAX_KEYS)
		return TSR_ERR_CBOR_VALUE;
	for (size_t i = 0; i < v->u.list.count; i++)
		if ((r = field->read_element(&v->u.list.items[i], i, msg)) != TSR_OK)
			return r;
	*(size_t *)(void *)((uint8_t *)msg + field->count_offset) = v->u.list.count;
	return TSR_OK;
}

/* An unsigned integer that fits an int64_t. */
static int
read_uint(const tsr_cbor_item_t *map, const uint_field_t *field, void *msg)
{
	const tsr_cbor_item_t *v = tsr_cbor_map_find_tstr(map, field->key);

	if (v == NULL)
		return TSR_ERR_CBOR_MISSING_KEY;
	if (!tsr_cbor_is(v, TSR_CBOR_UINT))
		return TSR_ERR_CBOR_TYPE;
	if (v->u.uint > (uint64_t)INT64_MAX)
		return TSR_ERR_CBOR_VALUE;
	*(int64_t *)(void *)((uint8_t *)msg + field->offset) = (int64_t)v->u.uint;
	return TSR_OK;
}

/*
 * Decodes a message of the given shape into msg, which points into the
 * returned document. On failure nothing is returned; msg may hold part of
 * the message, so callers decode into a local copy.
 */
static int
decode_message(const uint8_t *ptr, size_t len, const msg_shape_t *shape, void *msg,
    tsr_cbor_doc_t **ret_doc)
{
	const char *keys[MSG_MAX_KEYS + 1];
	size_t n_keys = 0;
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root, *v;
	int64_t version;
	int r = TSR_ERR_INTERNAL;

	if (ptr == NULL || len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	keys[n_keys++] = "version";
	for (size_t i = 0; i < shape->n_bstrs; i++)
		keys[n_keys++] = shape->bstrs[i].key;
	if (shape->array != NULL)
		keys[n_keys++] = shape->array->key;
	if (shape->uint != NULL)
		keys[n_keys++] = shape->uint->key;
	keys[n_keys] = NULL;

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
	if ((r = read_bstrs(root, shape->bstrs, shape->n_bstrs, msg)) != TSR_OK)
		goto out;
	if (shape->array != NULL && (r = read_array(root, shape->array, msg)) != TSR_OK)
		goto out;
	if (shape->uint != NULL && (r = read_uint(root, shape->uint, msg)) != TSR_OK)
		goto out;
	*ret_doc = doc;
	doc = NULL;
	r = TSR_OK;
out:
	tsr_cbor_doc_free(doc);
	return r;
}

static void
put_kv_bstr(tsr_cbor_enc_t *enc, const char *key, tsr_span_t v)
{
	tsr_cbor_put_tstr(enc, key);
	tsr_cbor_put_bstr(enc, v.ptr, v.len);
}

static void
put_version(tsr_cbor_enc_t *enc)
{
	tsr_cbor_put_tstr(enc, "version");
	tsr_cbor_put_uint(enc, TSR_ATTEST_VERSION);
}

/* Hands out what enc holds and frees (and wipes) the encoder. */
static int
finish(tsr_cbor_enc_t *enc, uint8_t **ret, size_t *ret_len)
{
	int r = tsr_cbor_enc_finish(enc, ret, ret_len);

	tsr_cbor_enc_free(enc);
	return r;
}

/* --- ProvisioningRequest --- */

int
tsr_attest_request_encode(const tsr_attest_request_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	if (m->n_keys == 0 || m->n_keys > TSR_ATTEST_MAX_KEYS)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 4);
	put_kv_bstr(&enc, "ekCert", m->ek_cert);
	put_version(&enc);
	put_kv_bstr(&enc, "akPublic", m->ak_public);
	tsr_cbor_put_tstr(&enc, "deviceKeys");
	tsr_cbor_put_array(&enc, m->n_keys);
	for (size_t i = 0; i < m->n_keys; i++)
		tsr_cbor_put_bstr(&enc, m->keys[i].ptr, m->keys[i].len);
	return finish(&enc, ret, ret_len);
}

/* A device key: TPM2B_PUBLIC. */
static int
read_device_key(const tsr_cbor_item_t *item, size_t i, void *msg)
{
	tsr_attest_request_t *m = msg;
	int r;

	if ((r = check_bstr(item, 1024)) == TSR_OK)
		m->keys[i] = item->u.str;
	return r;
}

int
tsr_attest_request_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_request_t *ret)
{
	static const bstr_field_t bstrs[] = {
		{ "ekCert", offsetof(tsr_attest_request_t, ek_cert), TSR_ATTEST_CERT_MAX },
		{ "akPublic", offsetof(tsr_attest_request_t, ak_public), 1024 },
	};
	static const array_field_t keys = {
		"deviceKeys", read_device_key, offsetof(tsr_attest_request_t, n_keys),
	};
	static const msg_shape_t shape = { bstrs, 2, &keys, NULL };
	tsr_attest_request_t m = { 0 };
	int r;

	if ((r = decode_message(ptr, len, &shape, &m, ret_doc)) == TSR_OK)
		*ret = m;
	return r;
}

/* --- Challenge --- */

int
tsr_attest_challenge_encode(const tsr_attest_challenge_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 4);
	put_kv_bstr(&enc, "nonce", m->nonce);
	put_version(&enc);
	put_kv_bstr(&enc, "credentialBlob", m->credential_blob);
	put_kv_bstr(&enc, "encryptedSecret", m->encrypted_secret);
	return finish(&enc, ret, ret_len);
}

int
tsr_attest_challenge_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_challenge_t *ret)
{
	/* TPM2B_DATA holds at most 64 bytes; the rest are TPM2B limits. */
	static const bstr_field_t bstrs[] = {
		{ "nonce", offsetof(tsr_attest_challenge_t, nonce), 64 },
		{ "credentialBlob", offsetof(tsr_attest_challenge_t, credential_blob), 256 },
		{ "encryptedSecret", offsetof(tsr_attest_challenge_t, encrypted_secret), 1024 },
	};
	static const msg_shape_t shape = { bstrs, 3, NULL, NULL };
	tsr_attest_challenge_t m = { 0 };
	int r;

	if ((r = decode_message(ptr, len, &shape, &m, ret_doc)) == TSR_OK)
		*ret = m;
	return r;
}

/* --- Evidence --- */

int
tsr_attest_evidence_encode(const tsr_attest_evidence_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	if (m->n == 0 || m->n > TSR_ATTEST_MAX_KEYS)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 3);
	put_version(&enc);
	tsr_cbor_put_tstr(&enc, "certifications");
	tsr_cbor_put_array(&enc, m->n);
	for (size_t i = 0; i < m->n; i++) {
		tsr_cbor_put_map(&enc, 2);
		put_kv_bstr(&enc, "attest", m->attest[i]);
		put_kv_bstr(&enc, "signature", m->signature[i]);
	}
	put_kv_bstr(&enc, "activatedSecret", m->activated_secret);
	return finish(&enc, ret, ret_len);
}

/* A certification: { "attest": TPMS_ATTEST, "signature": TPMT_SIGNATURE }. */
static int
read_certification(const tsr_cbor_item_t *item, size_t i, void *msg)
{
	static const char *const keys[] = { "attest", "signature", NULL };
	const bstr_field_t bstrs[] = {
		{ "attest", offsetof(tsr_attest_evidence_t, attest) + i * sizeof(tsr_span_t),
		    1024 },
		{ "signature", offsetof(tsr_attest_evidence_t, signature) + i * sizeof(tsr_span_t),
		    1024 },
	};

	if (!tsr_cbor_is(item, TSR_CBOR_MAP))
		return TSR_ERR_CBOR_TYPE;
	if (!tsr_cbor_map_keys_within(item, keys, NULL, 0))
		return TSR_ERR_CBOR_UNKNOWN_KEY;
	return read_bstrs(item, bstrs, 2, msg);
}

int
tsr_attest_evidence_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_evidence_t *ret)
{
	static const bstr_field_t bstrs[] = {
		{ "activatedSecret", offsetof(tsr_attest_evidence_t, activated_secret), 64 },
	};
	static const array_field_t certifications = {
		"certifications", read_certification, offsetof(tsr_attest_evidence_t, n),
	};
	static const msg_shape_t shape = { bstrs, 1, &certifications, NULL };
	tsr_attest_evidence_t m = { 0 };
	int r;

	if ((r = decode_message(ptr, len, &shape, &m, ret_doc)) == TSR_OK)
		*ret = m;
	return r;
}

/* --- Pending (the issuer's own state) --- */

int
tsr_attest_pending_encode(const tsr_attest_pending_t *m, uint8_t **ret, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	if (m->not_after < 0)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 5);
	put_kv_bstr(&enc, "nonce", m->nonce);
	put_kv_bstr(&enc, "secret", m->secret);
	put_kv_bstr(&enc, "request", m->request);
	put_version(&enc);
	tsr_cbor_put_tstr(&enc, "notAfter");
	tsr_cbor_put_uint(&enc, (uint64_t)m->not_after);
	return finish(&enc, ret, ret_len); /* wipes the copy of the secret */
}

int
tsr_attest_pending_decode(const uint8_t *ptr, size_t len, tsr_cbor_doc_t **ret_doc,
    tsr_attest_pending_t *ret)
{
	static const bstr_field_t bstrs[] = {
		{ "nonce", offsetof(tsr_attest_pending_t, nonce), 64 },
		{ "secret", offsetof(tsr_attest_pending_t, secret), 64 },
		{ "request", offsetof(tsr_attest_pending_t, request), TSR_ATTEST_MSG_MAX },
	};
	static const uint_field_t not_after = { "notAfter", offsetof(tsr_attest_pending_t,
		not_after) };
	static const msg_shape_t shape = { bstrs, 3, NULL, &not_after };
	tsr_attest_pending_t m = { 0 };
	int r;

	if ((r = decode_message(ptr, len, &shape, &m, ret_doc)) == TSR_OK)
		*ret = m;
	return r;
}
