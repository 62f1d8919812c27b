/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <tessera/err.h>

#include "cose/cose.h"

/* COSE_Key labels (RFC 9053 §7.1). */
#define KEY_KTY 1
#define KEY_CRV (-1)
#define KEY_X (-2)
#define KEY_Y (-3)
#define KEY_D (-4)
#define KTY_OKP 1
#define KTY_EC2 2

int64_t
tsr_cose_alg_for_curve(tsr_curve_t curve)
{
	switch (curve) {
	case TSR_CURVE_P256:
		return TSR_COSE_ALG_ES256;
	case TSR_CURVE_P384:
		return TSR_COSE_ALG_ES384;
	case TSR_CURVE_P521:
		return TSR_COSE_ALG_ES512;
	}
	return 0;
}

int
tsr_cose_key_decode(const tsr_cbor_item_t *item, tsr_ec_pub_t *ret_pub)
{
	const tsr_cbor_item_t *x, *y;
	tsr_ec_pub_t pub;
	int64_t kty, crv;
	size_t coord;
	int r = TSR_ERR_INTERNAL;

	memset(&pub, 0, sizeof(pub));
	if (!tsr_cbor_is(item, TSR_CBOR_MAP) ||
	    !tsr_cbor_get_int(tsr_cbor_map_find_int(item, KEY_KTY), &kty) ||
	    !tsr_cbor_get_int(tsr_cbor_map_find_int(item, KEY_CRV), &crv)) {
		r = TSR_ERR_COSE_KEY;
		goto out;
	}
	/* A public-key slot must never carry a private key. */
	if (tsr_cbor_map_find_int(item, KEY_D) != NULL) {
		r = TSR_ERR_COSE_KEY;
		goto out;
	}
	/* A well-formed OKP key {1: 1, -1: crv, -2: x} (Ed25519, Ed448, X25519,
	 * X448; RFC 9053 §7.2) is a device key 18013-5 allows and we do not
	 * implement: report it as unsupported, as an EC2 key on an unknown
	 * curve is, not as malformed, so a verifier can say why it refuses
	 * (tests/assurance/test-forgery.c, alg/device_key_unsupported_curve). */
	if (kty == KTY_OKP && tsr_cbor_is(tsr_cbor_map_find_int(item, KEY_X), TSR_CBOR_BSTR) &&
	    tsr_cbor_map_find_int(item, KEY_Y) == NULL) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	if (kty != KTY_EC2) {
		r = TSR_ERR_COSE_KEY;
		goto out;
	}
	if (crv != TSR_CURVE_P256 && crv != TSR_CURVE_P384 && crv != TSR_CURVE_P521) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	pub.curve = (tsr_curve_t)crv;
	coord = tsr_curve_coord_len(pub.curve);
	x = tsr_cbor_map_find_int(item, KEY_X);
	y = tsr_cbor_map_find_int(item, KEY_Y);
	/* Compressed points (y as a bool) are not used by 18013-5 wallets. */
	if (!tsr_cbor_is(x, TSR_CBOR_BSTR) || !tsr_cbor_is(y, TSR_CBOR_BSTR) ||
	    x->u.str.len != coord || y->u.str.len != coord) {
		r = TSR_ERR_COSE_KEY;
		goto out;
	}
	memcpy(pub.x, x->u.str.ptr, coord);
	memcpy(pub.y, y->u.str.ptr, coord);
	if ((r = tsr_ec_pub_validate(&pub)) != TSR_OK)
		goto out;
	*ret_pub = pub;
	r = TSR_OK;
out:
	return r;
}

int
tsr_cose_key_from_bytes(const uint8_t *ptr, size_t len, tsr_ec_pub_t *ret_pub)
{
	tsr_cbor_doc_t *doc = NULL;
	int r;

	if ((r = tsr_cbor_decode(ptr, len, NULL, &doc)) == TSR_OK)
		r = tsr_cose_key_decode(tsr_cbor_doc_root(doc), ret_pub);
	tsr_cbor_doc_free(doc);
	return r;
}

void
tsr_cose_key_encode(tsr_cbor_enc_t *enc, const tsr_ec_pub_t *pub)
{
	size_t coord = tsr_curve_coord_len(pub->curve);

	tsr_cbor_put_map(enc, 4);
	tsr_cbor_put_int(enc, KEY_KTY);
	tsr_cbor_put_int(enc, KTY_EC2);
	tsr_cbor_put_int(enc, KEY_CRV);
	tsr_cbor_put_int(enc, (int64_t)pub->curve);
	tsr_cbor_put_int(enc, KEY_X);
	tsr_cbor_put_bstr(enc, pub->x, coord);
	tsr_cbor_put_int(enc, KEY_Y);
	tsr_cbor_put_bstr(enc, pub->y, coord);
}
