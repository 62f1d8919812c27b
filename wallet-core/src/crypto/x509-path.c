/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The path of a chain check and the second look at its "not trusted" links
 * (docs/assurance.md, finding 14). */

#include <stdint.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"
#include "crypto/x509-path.h"

void
tsr_x509_path_record(tsr_x509_path_t *path, const mbedtls_x509_crt *crt, int depth,
    uint32_t flags)
{
	if (depth < 0 || (size_t)depth >= MBEDTLS_X509_MAX_VERIFY_CHAIN_SIZE)
		return;
	path->crt[depth] = crt;
	path->flags[depth] = flags;
	if ((size_t)depth + 1 > path->len)
		path->len = (size_t)depth + 1;
}

/*
 * Checks child's signature with parent's key as mbedTLS's chain check does
 * (x509_crt_check_signature() in 2.28), but keeps the error: TSR_OK,
 * TSR_ERR_CRYPTO_BAD_SIGNATURE, or TSR_ERR_NO_MEMORY.
 */
static int
link_signature(const mbedtls_x509_crt *child, const mbedtls_x509_crt *parent)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(child->sig_md);
	uint8_t hash[MBEDTLS_MD_MAX_SIZE];
	int mr;

	if (md == NULL)
		return TSR_ERR_CRYPTO_BAD_SIGNATURE;
	if ((mr = mbedtls_md(md, child->tbs.p, child->tbs.len, hash)) != 0)
		return tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
	/* mbedtls_pk_verify_ext() casts away const but does not write. */
	mr = mbedtls_pk_verify_ext(child->sig_pk, child->sig_opts,
	    (mbedtls_pk_context *)(uintptr_t)&parent->pk, child->sig_md, hash,
	    mbedtls_md_get_size(md), child->sig.p, child->sig.len);
	return mr == 0 ? TSR_OK : tsr_mbedtls_error(mr, TSR_ERR_CRYPTO_BAD_SIGNATURE);
}

/*
 * True when mbedTLS would take anchor as the trusted parent of child, the
 * top of a path of depth + 1 certificates, judging by the certificates only
 * (x509_crt_check_parent() and the path-length rule in 2.28). Stricter than
 * mbedTLS where the two could differ (names compared byte for byte, the CA
 * bit asked of v1 and v2 anchors too, self-issued intermediates not
 * discounted), so that it never takes an anchor mbedTLS would refuse.
 */
static bool
could_be_trusted_parent(const mbedtls_x509_crt *child, const mbedtls_x509_crt *anchor,
    size_t depth)
{
	if (child->issuer_raw.len != anchor->subject_raw.len ||
	    memcmp(child->issuer_raw.p, anchor->subject_raw.p, child->issuer_raw.len) != 0)
		return false;
	if (!anchor->ca_istrue ||
	    mbedtls_x509_crt_check_key_usage(anchor, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0)
		return false;
	/* max_pathlen is one more than pathLenConstraint; 0 means none. */
	return anchor->max_pathlen <= 0 || (size_t)anchor->max_pathlen >= depth + 1;
}

/*
 * mbedTLS 2.28's chain check keeps no error from a signature check: when an
 * allocation fails inside the signature verification of a link, the link is
 * marked "not trusted" (or, for a trusted anchor, the anchor is passed over
 * and the path ends there, "not trusted" again). Each "not trusted" is
 * therefore checked again here, with the error kept:
 *  - below the top of the path it means that the signature by the next
 *    certificate on the path was not good. If it is good now, mbedTLS's
 *    check failed inside, and the only way it can is an allocation;
 *  - at the top it means that no parent was taken. If an anchor that
 *    mbedTLS would have taken signed the top certificate after all, the same
 *    holds.
 * TSR_ERR_NO_MEMORY then (no verdict about the chain), else TSR_OK: the
 * verdict stands. A signature that is bad stays bad: the check is
 * deterministic, so no forged link can pass for an allocation failure.
 */
int
tsr_x509_path_recheck(const tsr_x509_path_t *path, const mbedtls_x509_crt *anchors)
{
	for (size_t i = 0; i < path->len; i++) {
		const mbedtls_x509_crt *child = path->crt[i];
		int r;

		if (child == NULL || !(path->flags[i] & MBEDTLS_X509_BADCERT_NOT_TRUSTED))
			continue;
		if (i + 1 < path->len && path->crt[i + 1] != NULL) {
			r = link_signature(child, path->crt[i + 1]);
			if (r == TSR_OK || r == TSR_ERR_NO_MEMORY)
				return TSR_ERR_NO_MEMORY;
			continue;
		}
		for (const mbedtls_x509_crt *a = anchors; a != NULL; a = a->next) {
			if (!could_be_trusted_parent(child, a, i))
				continue;
			r = link_signature(child, a);
			if (r == TSR_OK || r == TSR_ERR_NO_MEMORY)
				return TSR_ERR_NO_MEMORY;
		}
	}
	return TSR_OK;
}
