/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* ECDH (18013-5 §9.1.1.4: the shared secret is the x-coordinate). */

#include <mbedtls/ecdh.h>
#include <mbedtls/platform_util.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"

int
tsr_ecdh(const tsr_ec_key_t *key, const tsr_ec_pub_t *peer, uint8_t *z, size_t *ret_z_len)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point Q;
	mbedtls_mpi zz;
	size_t clen;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&Q);
	mbedtls_mpi_init(&zz);
	if (key == NULL || peer == NULL || z == NULL || ret_z_len == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (peer->curve != key->curve) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto out;
	}
	/* Loads a fresh group and rejects off-curve points (invalid-curve attacks). */
	if ((r = tsr_ec_pub_to_point(peer, &grp, &Q)) != TSR_OK)
		goto out;
	clen = tsr_curve_coord_len(key->curve);
	if ((mr = mbedtls_ecdh_compute_shared(&grp, &zz, &Q, &key->kp.d, tsr_crypto_rng,
	    NULL)) != 0) {
		r = tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
		goto out;
	}
	if (mbedtls_mpi_write_binary(&zz, z, clen) != 0) {
		mbedtls_platform_zeroize(z, clen);
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	*ret_z_len = clen;
	r = TSR_OK;
out:
	mbedtls_mpi_free(&zz); /* zeroizes */
	mbedtls_ecp_point_free(&Q);
	mbedtls_ecp_group_free(&grp);
	return r;
}
