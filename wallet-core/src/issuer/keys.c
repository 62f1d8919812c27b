/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Holders' device keys in the forms wallets hand them over: SPKI,
 * certificates, JWK / JWK Set, COSE_Key / arrays of them. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "base/base64.h"
#include "issuer/issuer-private.h"

#define KEYS_MAX 10000

typedef struct pub_list {
	tsr_ec_pub_t *pubs;
	size_t n, cap;
} pub_list_t;

static int
pub_list_add(pub_list_t *l, const tsr_ec_pub_t *pub)
{
	if (l->n >= KEYS_MAX)
		return TSR_ERR_LIMIT;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		tsr_ec_pub_t *p = realloc(l->pubs, cap * sizeof(*p));

		if (p == NULL)
			return TSR_ERR_NO_MEMORY;
		l->pubs = p;
		l->cap = cap;
	}
	l->pubs[l->n++] = *pub;
	return TSR_OK;
}

static int
add_cert(pub_list_t *l, const uint8_t *p, size_t len)
{
	tsr_x509_t *set = NULL;
	tsr_ec_pub_t pub;
	int r;

	if ((r = tsr_x509_new(&set)) != TSR_OK)
		return r;
	if ((r = tsr_x509_add(set, p, len)) == TSR_OK) {
		for (size_t i = 0; i < tsr_x509_count(set) && r == TSR_OK; i++)
			if ((r = tsr_x509_public_key(set, i, &pub)) == TSR_OK)
				r = pub_list_add(l, &pub);
	}
	tsr_x509_free(set);
	return r;
}

static int
add_spki(pub_list_t *l, const uint8_t *p, size_t len)
{
	tsr_ec_pub_t pub;
	int r;

	if ((r = tsr_ec_pub_from_spki(p, len, &pub)) != TSR_OK)
		return r;
	return pub_list_add(l, &pub);
}

/* Every "-----BEGIN X-----" ... "-----END X-----" block, in order. */
static int
add_pem(pub_list_t *l, const uint8_t *p, size_t len)
{
	static const char begin[] = "-----BEGIN ";
	const uint8_t *cur = p, *end = p + len;
	size_t blocks = 0;
	int r;

	for (;;) {
		const uint8_t *b, *label, *label_end, *f, *block_end;
		char footer[80];
		size_t label_len, footer_len;

		b = memmem(cur, (size_t)(end - cur), begin, sizeof(begin) - 1);
		if (b == NULL)
			break;
		label = b + sizeof(begin) - 1;
		label_end = memmem(label, (size_t)(end - label), "-----", 5);
		if (label_end == NULL || (label_len = (size_t)(label_end - label)) > 40)
			return TSR_ERR_INVALID_ARGUMENT;
		footer_len = (size_t)snprintf(footer, sizeof(footer), "-----END %.*s-----",
		    (int)label_len, (const char *)label);
		f = memmem(label_end, (size_t)(end - label_end), footer, footer_len);
		if (f == NULL)
			return TSR_ERR_INVALID_ARGUMENT;
		block_end = f + footer_len;
		if (label_len == 10 && memcmp(label, "PUBLIC KEY", 10) == 0)
			r = add_spki(l, b, (size_t)(block_end - b));
		else if (label_len == 11 && memcmp(label, "CERTIFICATE", 11) == 0)
			r = add_cert(l, b, (size_t)(block_end - b));
		else if (memmem(label, label_len, "PRIVATE", 7) != NULL)
			r = TSR_ERR_CRYPTO_BAD_KEY; /* a private key is never a device key */
		else
			r = TSR_ERR_INVALID_ARGUMENT;
		if (r != TSR_OK)
			return r;
		blocks++;
		cur = block_end;
	}
	return blocks > 0 ? TSR_OK : TSR_ERR_INVALID_ARGUMENT;
}

static int
jwk_coord(const tsr_cbor_item_t *jwk, const char *name, size_t want, uint8_t *out)
{
	const tsr_cbor_item_t *v = tsr_cbor_map_find_tstr(jwk, name);
	uint8_t *bytes = NULL;
	size_t n = 0;
	int r;

	if (!tsr_cbor_is(v, TSR_CBOR_TSTR))
		return TSR_ERR_CRYPTO_BAD_KEY;
	if ((r = tsr_base64url_decode((const char *)v->u.str.ptr, v->u.str.len, &bytes, &n)) !=
	    TSR_OK)
		return r == TSR_ERR_NO_MEMORY ? r : TSR_ERR_CRYPTO_BAD_KEY;
	if (n != want) {
		free(bytes);
		return TSR_ERR_CRYPTO_BAD_KEY;
	}
	memcpy(out, bytes, n);
	free(bytes);
	return TSR_OK;
}

/* RFC 7518 §6.2.1: {"kty": "EC", "crv": "P-256", "x": b64u, "y": b64u} */
static int
add_jwk(pub_list_t *l, const tsr_cbor_item_t *jwk)
{
	const tsr_cbor_item_t *crv = tsr_cbor_map_find_tstr(jwk, "crv");
	tsr_ec_pub_t pub;
	size_t len;
	int r;

	memset(&pub, 0, sizeof(pub));
	if (!tsr_cbor_is(jwk, TSR_CBOR_MAP) || !tsr_cbor_tstr_eq(tsr_cbor_map_find_tstr(jwk, "kty"),
	    "EC"))
		return TSR_ERR_CRYPTO_BAD_KEY;
	if (tsr_cbor_map_find_tstr(jwk, "d") != NULL)
		return TSR_ERR_CRYPTO_BAD_KEY;
	if (tsr_cbor_tstr_eq(crv, "P-256"))
		pub.curve = TSR_CURVE_P256;
	else if (tsr_cbor_tstr_eq(crv, "P-384"))
		pub.curve = TSR_CURVE_P384;
	else if (tsr_cbor_tstr_eq(crv, "P-521"))
		pub.curve = TSR_CURVE_P521;
	else
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	len = tsr_curve_coord_len(pub.curve);
	if ((r = jwk_coord(jwk, "x", len, pub.x)) != TSR_OK ||
	    (r = jwk_coord(jwk, "y", len, pub.y)) != TSR_OK ||
	    (r = tsr_ec_pub_validate(&pub)) != TSR_OK)
		return r;
	return pub_list_add(l, &pub);
}

static int
add_json(pub_list_t *l, const uint8_t *p, size_t len)
{
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root, *keys;
	uint8_t *cbor = NULL;
	size_t cbor_len = 0;
	int r = TSR_ERR_INTERNAL;

	if ((r = tsr_json_to_cbor((const char *)p, len, false, &cbor, &cbor_len, NULL)) != TSR_OK ||
	    (r = tsr_cbor_decode(cbor, cbor_len, NULL, &doc)) != TSR_OK)
		goto out;
	root = tsr_cbor_doc_root(doc);
	keys = tsr_cbor_map_find_tstr(root, "keys");
	if (keys != NULL) {
		if (!tsr_cbor_is(keys, TSR_CBOR_ARRAY) || keys->u.list.count == 0) {
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
		for (size_t i = 0; i < keys->u.list.count; i++)
			if ((r = add_jwk(l, &keys->u.list.items[i])) != TSR_OK)
				goto out;
	} else {
		r = add_jwk(l, root);
	}
out:
	tsr_cbor_doc_free(doc);
	free(cbor);
	return r;
}

static int
add_cose(pub_list_t *l, const uint8_t *p, size_t len)
{
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root;
	tsr_ec_pub_t pub;
	int r = TSR_ERR_INTERNAL;

	if ((r = tsr_cbor_decode(p, len, NULL, &doc)) != TSR_OK) {
		r = r == TSR_ERR_NO_MEMORY ? r : TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	root = tsr_cbor_doc_root(doc);
	if (tsr_cbor_is(root, TSR_CBOR_ARRAY)) {
		if (root->u.list.count == 0) {
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
		for (size_t i = 0; i < root->u.list.count; i++)
			if ((r = tsr_cose_key_decode(&root->u.list.items[i], &pub)) != TSR_OK ||
			    (r = pub_list_add(l, &pub)) != TSR_OK)
				goto out;
	} else if (tsr_cbor_is(root, TSR_CBOR_MAP)) {
		if ((r = tsr_cose_key_decode(root, &pub)) != TSR_OK ||
		    (r = pub_list_add(l, &pub)) != TSR_OK)
			goto out;
	} else {
		r = TSR_ERR_INVALID_ARGUMENT;
	}
out:
	tsr_cbor_doc_free(doc);
	return r;
}

int
tsr_device_keys_new(tsr_device_keys_t **ret_keys)
{
	tsr_device_keys_t *k;

	if (ret_keys == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return TSR_ERR_NO_MEMORY;
	*ret_keys = k;
	return TSR_OK;
}

void
tsr_device_keys_free(tsr_device_keys_t *keys)
{
	if (keys == NULL)
		return;
	for (size_t i = 0; i < keys->n; i++)
		free(keys->keys[i]);
	free(keys->keys);
	free(keys->lens);
	free(keys);
}

size_t
tsr_device_keys_count(const tsr_device_keys_t *keys)
{
	return keys != NULL ? keys->n : 0;
}

int
tsr_device_keys_get(const tsr_device_keys_t *keys, size_t idx, const uint8_t **ret_ptr,
    size_t *ret_len)
{
	if (keys == NULL || ret_ptr == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (idx >= keys->n)
		return TSR_ERR_NOT_FOUND;
	*ret_ptr = keys->keys[idx];
	*ret_len = keys->lens[idx];
	return TSR_OK;
}

/* DER: a certificate, else a SubjectPublicKeyInfo. */
static int
add_der(pub_list_t *l, const uint8_t *p, size_t len)
{
	if (add_cert(l, p, len) == TSR_OK)
		return TSR_OK;
	l->n = 0;
	return add_spki(l, p, len);
}

static bool
looks_like_json(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i < len && p[i] == '{';
}

int
tsr_device_keys_add(tsr_device_keys_t *keys, const uint8_t *data, size_t len)
{
	pub_list_t l;
	uint8_t **nk = NULL;
	size_t *nl = NULL;
	size_t added = 0;
	int r = TSR_ERR_INTERNAL;

	memset(&l, 0, sizeof(l));
	if (keys == NULL || data == NULL || len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	/* Text (PEM, JSON) may come with its terminating NUL; binary forms
	 * are taken as they are (a COSE_Key may well end in 0x00). */
	if (memmem(data, len, "-----BEGIN ", 11) != NULL && data[0] != 0x30)
		r = add_pem(&l, data, data[len - 1] == '\0' ? len - 1 : len);
	else if (looks_like_json(data, len))
		r = add_json(&l, data, data[len - 1] == '\0' ? len - 1 : len);
	else if (data[0] == 0x30)
		r = add_der(&l, data, len);
	else
		r = add_cose(&l, data, len);
	if (r != TSR_OK)
		goto out;
	if (keys->n + l.n > KEYS_MAX) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if ((nk = realloc(keys->keys, (keys->n + l.n) * sizeof(*nk))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	keys->keys = nk;
	if ((nl = realloc(keys->lens, (keys->n + l.n) * sizeof(*nl))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	keys->lens = nl;
	for (added = 0; added < l.n; added++) {
		tsr_cbor_enc_t enc;

		tsr_cbor_enc_init(&enc);
		tsr_cose_key_encode(&enc, &l.pubs[added]);
		if ((r = tsr_cbor_enc_finish(&enc, &keys->keys[keys->n + added],
		    &keys->lens[keys->n + added])) != TSR_OK) {
			tsr_cbor_enc_free(&enc);
			goto out;
		}
		tsr_cbor_enc_free(&enc);
	}
	keys->n += added;
	added = 0;
	r = TSR_OK;
out:
	/* All or nothing. */
	for (size_t i = 0; i < added; i++)
		free(keys->keys[keys->n + i]);
	free(l.pubs);
	return r;
}
