/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* SHA-2, HMAC-SHA-256, HKDF-SHA-256, AES-256-GCM and the RNG adapter. */

#include <string.h>

#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"

int
tsr_crypto_rng(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	if (tsr_random_bytes(out, len) != TSR_OK)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	return 0;
}

size_t
tsr_hash_len(tsr_hash_alg_t alg)
{
	switch (alg) {
	case TSR_HASH_SHA256:
		return 32;
	case TSR_HASH_SHA384:
		return 48;
	case TSR_HASH_SHA512:
		return 64;
	}
	return 0;
}

const char *
tsr_hash_name(tsr_hash_alg_t alg)
{
	switch (alg) {
	case TSR_HASH_SHA256:
		return "SHA-256";
	case TSR_HASH_SHA384:
		return "SHA-384";
	case TSR_HASH_SHA512:
		return "SHA-512";
	}
	return NULL;
}

int
tsr_hash_from_name(const char *name, tsr_hash_alg_t *ret_alg)
{
	static const tsr_hash_alg_t algs[] = { TSR_HASH_SHA256, TSR_HASH_SHA384, TSR_HASH_SHA512 };

	if (name == NULL || ret_alg == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		const char *known = tsr_hash_name(algs[i]);

		if (known != NULL && strcmp(name, known) == 0) {
			*ret_alg = algs[i];
			return TSR_OK;
		}
	}
	return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
}

const mbedtls_md_info_t *
tsr_hash_md_info(tsr_hash_alg_t alg)
{
	switch (alg) {
	case TSR_HASH_SHA256:
		return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	case TSR_HASH_SHA384:
		return mbedtls_md_info_from_type(MBEDTLS_MD_SHA384);
	case TSR_HASH_SHA512:
		return mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
	}
	return NULL;
}

int
tsr_hash(tsr_hash_alg_t alg, const uint8_t *msg, size_t len, uint8_t *out)
{
	const mbedtls_md_info_t *md;

	if ((msg == NULL && len > 0) || out == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((md = tsr_hash_md_info(alg)) == NULL)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if (mbedtls_md(md, msg, len, out) != 0)
		return TSR_ERR_CRYPTO;
	return TSR_OK;
}

int
tsr_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
    uint8_t out[32])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	int mr;

	if ((key == NULL && key_len > 0) || (msg == NULL && len > 0) || out == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (md == NULL)
		return TSR_ERR_CRYPTO;
	if ((mr = mbedtls_md_hmac(md, key, key_len, msg, len, out)) != 0)
		return tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
	return TSR_OK;
}

int
tsr_hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	int mr = 0;

	if ((salt == NULL && salt_len > 0) || (ikm == NULL && ikm_len > 0) ||
	    (info == NULL && info_len > 0) || out == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* RFC 5869 §2.3: L <= 255 * HashLen. */
	if (out_len == 0 || out_len > 255 * 32)
		return TSR_ERR_INVALID_ARGUMENT;
	if (md == NULL ||
	    (mr = mbedtls_hkdf(md, salt, salt_len, ikm, ikm_len, info, info_len, out, out_len)) !=
	    0) {
		mbedtls_platform_zeroize(out, out_len);
		return md == NULL ? TSR_ERR_CRYPTO : tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
	}
	return TSR_OK;
}

/* GCM limits a message to 2^36 - 32 bytes; our buffers are far smaller. */
#define GCM_MAX_LEN ((size_t)64 * 1024 * 1024)

int
tsr_aes256gcm_encrypt(const uint8_t key[32], const uint8_t iv[12], const uint8_t *pt,
    size_t len, uint8_t *out)
{
	mbedtls_gcm_context gcm;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_gcm_init(&gcm);
	if (key == NULL || iv == NULL || (pt == NULL && len > 0) || out == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (len > GCM_MAX_LEN) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if ((mr = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256)) != 0 ||
	    (mr = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, iv, TSR_GCM_IV_LEN,
	    NULL, 0, pt, out, TSR_GCM_TAG_LEN, out + len)) != 0) {
		mbedtls_platform_zeroize(out, len + TSR_GCM_TAG_LEN);
		r = tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
		goto out;
	}
	r = TSR_OK;
out:
	mbedtls_gcm_free(&gcm);
	return r;
}

int
tsr_aes256gcm_decrypt(const uint8_t key[32], const uint8_t iv[12], const uint8_t *in,
    size_t len, uint8_t *out)
{
	mbedtls_gcm_context gcm;
	size_t ct_len;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_gcm_init(&gcm);
	if (key == NULL || iv == NULL || in == NULL || len < TSR_GCM_TAG_LEN ||
	    (out == NULL && len > TSR_GCM_TAG_LEN)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (len > GCM_MAX_LEN) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	ct_len = len - TSR_GCM_TAG_LEN;
	if ((mr = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256)) != 0) {
		r = tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
		goto out;
	}
	mr = mbedtls_gcm_auth_decrypt(&gcm, ct_len, iv, TSR_GCM_IV_LEN, NULL, 0, in + ct_len,
	    TSR_GCM_TAG_LEN, in, out);
	if (mr != 0) {
		/* mbedTLS wipes the output on a bad tag too; do it whatever failed. */
		if (out != NULL)
			mbedtls_platform_zeroize(out, ct_len);
		r = mr == MBEDTLS_ERR_GCM_AUTH_FAILED ? TSR_ERR_CRYPTO_DECRYPT :
			tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
		goto out;
	}
	r = TSR_OK;
out:
	mbedtls_gcm_free(&gcm);
	return r;
}
