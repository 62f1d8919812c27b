/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Endorsement-key certificates: chains to TPM manufacturer CAs (TCG EK
 * Credential Profile). Manufacturer CAs mostly sign with RSA, so this uses
 * its own profile instead of the EC-only one of x509.c. */

#include <string.h>

#include <mbedtls/x509_crt.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "crypto/crypto-internal.h"
#include "crypto/tpm-crypto.h"
#include "crypto/x509-path.h"

#define EK_CERT_MAX ((size_t)16 * 1024)
#define EK_CA_MAX ((size_t)1024 * 1024)

static const mbedtls_x509_crt_profile ek_profile = {
	.allowed_mds = MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
	.allowed_pks = MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_RSA) | MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECKEY) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECDSA),
	.allowed_curves = MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP521R1),
	.rsa_min_bitlen = 2048,
};

struct ek_ctx {
	int64_t now;
	uint32_t time_flags;
	tsr_x509_path_t path;
};

static int
ek_verify_cb(void *arg, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct ek_ctx *ctx = arg;

	tsr_x509_path_record(&ctx->path, crt, depth, *flags);
	/* mbedTLS judges time by the system clock; we judge it by `now`. */
	*flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
	if (ctx->now < tsr_x509_time_unix(&crt->valid_from))
		ctx->time_flags |= TSR_X509_NOT_YET_VALID;
	if (ctx->now > tsr_x509_time_unix(&crt->valid_to))
		ctx->time_flags |= TSR_X509_EXPIRED;
	return 0;
}

int
tsr_tpm_ek_cert_verify(const uint8_t *ek_der, size_t ek_len, const uint8_t *const *cas,
    const size_t *ca_lens, size_t n_cas, int64_t now, uint32_t *ret_flags)
{
	tsr_x509_t *leaf = NULL, *anchors = NULL;
	struct ek_ctx ctx;
	uint32_t mflags = 0, flags = 0;
	size_t total = 0;
	int r = TSR_ERR_INTERNAL, mr;

	memset(&ctx, 0, sizeof(ctx));
	ctx.now = now;
	if (ek_der == NULL || ek_len == 0 || (cas == NULL && n_cas > 0) ||
	    (ca_lens == NULL && n_cas > 0) || ret_flags == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (ek_len > EK_CERT_MAX) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	/* Exactly one DER certificate, nothing after it. */
	if (tsr_der_tlv_len(ek_der, ek_len) != ek_len) {
		r = TSR_ERR_CERT_PARSE;
		goto out;
	}
	if ((r = tsr_x509_new(&leaf)) != TSR_OK || (r = tsr_x509_new(&anchors)) != TSR_OK ||
	    (r = tsr_x509_add(leaf, ek_der, ek_len)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < n_cas; i++) {
		if (cas[i] == NULL || ca_lens[i] == 0 || ca_lens[i] > EK_CA_MAX - total) {
			r = cas[i] == NULL || ca_lens[i] == 0 ? TSR_ERR_INVALID_ARGUMENT : TSR_ERR_LIMIT;
			goto out;
		}
		total += ca_lens[i];
		if ((r = tsr_x509_add(anchors, cas[i], ca_lens[i])) != TSR_OK)
			goto out;
	}
	if (n_cas == 0) {
		flags |= TSR_X509_UNTRUSTED;
	} else {
		mr = mbedtls_x509_crt_verify_with_profile(tsr_x509_crts(leaf),
		    tsr_x509_crts(anchors), NULL, &ek_profile, NULL, &mflags, ek_verify_cb, &ctx);
		if (mr == MBEDTLS_ERR_X509_ALLOC_FAILED) {
			r = TSR_ERR_NO_MEMORY;
			goto out;
		}
		/* An allocation failing in a link's signature check reads as
		 * "not trusted" (docs/assurance.md, finding 14). */
		if ((mflags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) &&
		    (r = tsr_x509_path_recheck(&ctx.path, tsr_x509_crts(anchors))) != TSR_OK)
			goto out;
		if (mr != 0 || mflags != 0) {
			tsr_debug("tpm-ek: EK certificate does not chain to a configured CA "
			    "(mbedTLS -0x%04x, flags 0x%x)", (unsigned)-mr, (unsigned)mflags);
			flags |= TSR_X509_UNTRUSTED;
		}
		flags |= ctx.time_flags;
	}
	if (tsr_x509_crts(leaf)->ca_istrue)
		flags |= TSR_X509_BAD_LEAF;
	*ret_flags = flags;
	r = flags == 0 ? TSR_OK : TSR_ERR_VERIFY;
out:
	tsr_x509_free(anchors);
	tsr_x509_free(leaf);
	return r;
}
