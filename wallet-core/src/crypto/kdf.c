/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2), for passphrase-derived keys. */

#include <limits.h>

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"

/* Far beyond anything we derive; keeps mbedTLS's uint32_t key_length and
 * our callers' buffers in range. */
#define PBKDF2_OUT_MAX 1024

/* mbedTLS counts iterations in an unsigned int. */
_Static_assert(UINT_MAX >= UINT32_MAX, "unsigned int narrower than uint32_t");

int
tsr_pbkdf2_sha256(const uint8_t *pw, size_t pw_len, const uint8_t *salt, size_t salt_len,
    uint32_t iterations, uint8_t *out, size_t out_len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	int r = TSR_ERR_INTERNAL;

	mbedtls_md_init(&ctx);
	if ((pw == NULL && pw_len > 0) || (salt == NULL && salt_len > 0) || out == NULL ||
	    iterations == 0 || out_len == 0 || out_len > PBKDF2_OUT_MAX) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (md == NULL || mbedtls_md_setup(&ctx, md, 1) != 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	if (mbedtls_pkcs5_pbkdf2_hmac(&ctx, pw, pw_len, salt, salt_len, (unsigned int)iterations,
	    (uint32_t)out_len, out) != 0) {
		mbedtls_platform_zeroize(out, out_len);
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	r = TSR_OK;
out:
	/* The HMAC context holds the passphrase-keyed pads. */
	mbedtls_md_free(&ctx);
	return r;
}
