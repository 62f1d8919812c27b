/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The certification path mbedTLS's chain check built, as its verify
 * callback saw it, and a second look at every "not trusted" on it (see
 * tsr_x509_path_recheck()). Shared by the 18013-5 chain check (x509.c) and
 * the TPM endorsement-key chain check (tpm-ek.c). Internal to src/crypto.
 */
#ifndef TSR_CRYPTO_X509_PATH_H
#define TSR_CRYPTO_X509_PATH_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

/* The path, leaf at depth 0, and mbedTLS's flags for each certificate on it
 * as they were when the callback saw them. Zero it before the check. */
typedef struct tsr_x509_path {
	const mbedtls_x509_crt *crt[MBEDTLS_X509_MAX_VERIFY_CHAIN_SIZE];
	uint32_t flags[MBEDTLS_X509_MAX_VERIFY_CHAIN_SIZE];
	size_t len;
} tsr_x509_path_t;

/* Records crt at depth with its flags; for the verify callback. */
void tsr_x509_path_record(tsr_x509_path_t *path, const mbedtls_x509_crt *crt, int depth,
    uint32_t flags);

/*
 * mbedTLS 2.28's chain check keeps no error from a signature check: when an
 * allocation fails inside the verification of a link, the link reads as
 * "not trusted". Checks each such link again with the error kept, against
 * the next certificate on the path or, at the top, against every anchor
 * mbedTLS would have taken as its parent. TSR_ERR_NO_MEMORY when one of
 * them signed it after all (or the second check ran out of memory): there
 * is no verdict about the chain. TSR_OK otherwise: "not trusted" stands.
 */
int tsr_x509_path_recheck(const tsr_x509_path_t *path, const mbedtls_x509_crt *anchors);

#endif /* TSR_CRYPTO_X509_PATH_H */
