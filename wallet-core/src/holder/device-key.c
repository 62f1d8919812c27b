/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include "cose/cose.h"
#include "holder/holder-private.h"

int
tsr_device_key_new(tsr_device_sign_fn sign, tsr_device_agree_fn agree, void *user,
    void (*destroy)(void *user), tsr_device_key_t **ret_key)
{
	tsr_device_key_t *key;

	if (sign == NULL || ret_key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((key = calloc(1, sizeof(*key))) == NULL)
		return TSR_ERR_NO_MEMORY;
	key->sign = sign;
	key->agree = agree;
	key->user = user;
	key->destroy = destroy;
	*ret_key = key;
	return TSR_OK;
}

static int
software_sign(void *user, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	uint8_t raw[TSR_ECDSA_RAW_MAX];
	size_t raw_len = 0;
	int r;

	if ((r = tsr_ecdsa_sign(user, TSR_HASH_SHA256, msg, len, raw, &raw_len)) != TSR_OK)
		return r;
	if (raw_len != 64)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	for (size_t i = 0; i < 64; i++)
		sig[i] = raw[i];
	return TSR_OK;
}

static int
software_agree(void *user, const uint8_t *peer_cose_key, size_t peer_len, uint8_t z[32])
{
	uint8_t shared[TSR_EC_COORD_MAX];
	size_t shared_len = 0;
	tsr_ec_pub_t peer;
	int r;

	if ((r = tsr_cose_key_from_bytes(peer_cose_key, peer_len, &peer)) != TSR_OK)
		return r;
	if ((r = tsr_ecdh(user, &peer, shared, &shared_len)) == TSR_OK) {
		if (shared_len != 32)
			r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		else
			for (size_t i = 0; i < 32; i++)
				z[i] = shared[i];
	}
	tsr_zeroize(shared, sizeof(shared));
	return r;
}

static void
free_software_key(void *user)
{
	tsr_ec_key_free(user);
}

int
tsr_device_key_new_from_pem(const uint8_t *pem, size_t len, tsr_device_key_t **ret_key)
{
	tsr_ec_key_t *ec = NULL;
	tsr_device_key_t *key = NULL;
	int r;

	if (pem == NULL || ret_key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_ec_key_parse(pem, len, &ec)) != TSR_OK)
		return r;
	/* 18013-5 device keys for ES256 and the 32-byte EMacKey input: P-256. */
	if (tsr_ec_key_curve(ec) != TSR_CURVE_P256) {
		tsr_ec_key_free(ec);
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	}
	if ((r = tsr_device_key_new(software_sign, software_agree, ec, free_software_key,
	    &key)) != TSR_OK) {
		tsr_ec_key_free(ec);
		return r;
	}
	*ret_key = key;
	return TSR_OK;
}

void
tsr_device_key_free(tsr_device_key_t *key)
{
	if (key == NULL)
		return;
	if (key->destroy != NULL)
		key->destroy(key->user);
	free(key);
}
