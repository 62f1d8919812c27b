/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* TPM 2.0 KDFa/KDFe, HMAC over any SHA-2 and AES-CFB (TPM 2.0 Part 1
 * §11.4.10, §24): what a verifier needs to compute TPM2_MakeCredential. */

#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"
#include "crypto/tpm-crypto.h"

#define TPM_KDF_OUT_MAX 1024

static void
put_be32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

int
tsr_hmac(tsr_hash_alg_t hash, const uint8_t *key, size_t key_len, const uint8_t *msg,
    size_t len, uint8_t *out)
{
	const mbedtls_md_info_t *md;

	if ((key == NULL && key_len > 0) || (msg == NULL && len > 0) || out == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((md = tsr_hash_md_info(hash)) == NULL)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if (mbedtls_md_hmac(md, key, key_len, msg, len, out) != 0)
		return TSR_ERR_CRYPTO;
	return TSR_OK;
}

int
tsr_tpm_kdfa(tsr_hash_alg_t hash, const uint8_t *key, size_t key_len, const char *label,
    const uint8_t *context_u, size_t context_u_len, const uint8_t *context_v,
    size_t context_v_len, uint8_t *out, size_t out_len)
{
	const mbedtls_md_info_t *md;
	mbedtls_md_context_t ctx;
	uint8_t block[TSR_HASH_MAX_LEN], be[4], bits[4];
	size_t hlen, done = 0;
	int r = TSR_ERR_INTERNAL;

	mbedtls_md_init(&ctx);
	if ((key == NULL && key_len > 0) || label == NULL ||
	    (context_u == NULL && context_u_len > 0) || (context_v == NULL && context_v_len > 0) ||
	    out == NULL || out_len == 0 || out_len > TPM_KDF_OUT_MAX) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((md = tsr_hash_md_info(hash)) == NULL) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	hlen = tsr_hash_len(hash);
	if (mbedtls_md_setup(&ctx, md, 1) != 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	put_be32(bits, (uint32_t)(out_len * 8));
	for (uint32_t i = 1; done < out_len; i++) {
		size_t n = out_len - done < hlen ? out_len - done : hlen;

		put_be32(be, i);
		if (mbedtls_md_hmac_starts(&ctx, key, key_len) != 0 ||
		    mbedtls_md_hmac_update(&ctx, be, 4) != 0 ||
		    mbedtls_md_hmac_update(&ctx, (const uint8_t *)label, strlen(label) + 1) != 0 ||
		    mbedtls_md_hmac_update(&ctx, context_u, context_u_len) != 0 ||
		    mbedtls_md_hmac_update(&ctx, context_v, context_v_len) != 0 ||
		    mbedtls_md_hmac_update(&ctx, bits, 4) != 0 ||
		    mbedtls_md_hmac_finish(&ctx, block) != 0) {
			mbedtls_platform_zeroize(out, out_len);
			r = TSR_ERR_CRYPTO;
			goto out;
		}
		memcpy(out + done, block, n);
		done += n;
	}
	r = TSR_OK;
out:
	mbedtls_platform_zeroize(block, sizeof(block));
	mbedtls_md_free(&ctx);
	return r;
}

int
tsr_tpm_kdfe(tsr_hash_alg_t hash, const uint8_t *z, size_t z_len, const char *label,
    const uint8_t *party_u, size_t party_u_len, const uint8_t *party_v, size_t party_v_len,
    uint8_t *out, size_t out_len)
{
	const mbedtls_md_info_t *md;
	mbedtls_md_context_t ctx;
	uint8_t block[TSR_HASH_MAX_LEN], be[4];
	size_t hlen, done = 0;
	int r = TSR_ERR_INTERNAL;

	mbedtls_md_init(&ctx);
	if (z == NULL || z_len == 0 || label == NULL || (party_u == NULL && party_u_len > 0) ||
	    (party_v == NULL && party_v_len > 0) || out == NULL || out_len == 0 ||
	    out_len > TPM_KDF_OUT_MAX) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((md = tsr_hash_md_info(hash)) == NULL) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	hlen = tsr_hash_len(hash);
	if (mbedtls_md_setup(&ctx, md, 0) != 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	for (uint32_t i = 1; done < out_len; i++) {
		size_t n = out_len - done < hlen ? out_len - done : hlen;

		put_be32(be, i);
		if (mbedtls_md_starts(&ctx) != 0 || mbedtls_md_update(&ctx, be, 4) != 0 ||
		    mbedtls_md_update(&ctx, z, z_len) != 0 ||
		    mbedtls_md_update(&ctx, (const uint8_t *)label, strlen(label) + 1) != 0 ||
		    mbedtls_md_update(&ctx, party_u, party_u_len) != 0 ||
		    mbedtls_md_update(&ctx, party_v, party_v_len) != 0 ||
		    mbedtls_md_finish(&ctx, block) != 0) {
			mbedtls_platform_zeroize(out, out_len);
			r = TSR_ERR_CRYPTO;
			goto out;
		}
		memcpy(out + done, block, n);
		done += n;
	}
	r = TSR_OK;
out:
	mbedtls_platform_zeroize(block, sizeof(block));
	mbedtls_md_free(&ctx);
	return r;
}

static int
aes_cfb(int mode, const uint8_t *key, size_t key_len, const uint8_t iv[16], const uint8_t *in,
    size_t len, uint8_t *out)
{
	mbedtls_aes_context aes;
	uint8_t ivbuf[16];
	size_t off = 0;
	int r = TSR_ERR_INTERNAL;

	mbedtls_aes_init(&aes);
	if (key == NULL || iv == NULL || (in == NULL && len > 0) || (out == NULL && len > 0) ||
	    (key_len != 16 && key_len != 24 && key_len != 32)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	memcpy(ivbuf, iv, sizeof(ivbuf));
	/* CFB uses the forward cipher in both directions. */
	if (mbedtls_aes_setkey_enc(&aes, key, (unsigned)(key_len * 8)) != 0 ||
	    (len > 0 && mbedtls_aes_crypt_cfb128(&aes, mode, len, &off, ivbuf, in, out) != 0)) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	r = TSR_OK;
out:
	mbedtls_platform_zeroize(ivbuf, sizeof(ivbuf));
	mbedtls_aes_free(&aes);
	return r;
}

int
tsr_aes_cfb_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16],
    const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_cfb(MBEDTLS_AES_ENCRYPT, key, key_len, iv, in, len, out);
}

int
tsr_aes_cfb_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16],
    const uint8_t *in, size_t len, uint8_t *out)
{
	return aes_cfb(MBEDTLS_AES_DECRYPT, key, key_len, iv, in, len, out);
}
