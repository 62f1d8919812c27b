/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Helpers shared by the .c files of src/crypto. Unlike crypto.h this header
 * names mbedTLS types, so nothing outside src/crypto may include it.
 */
#ifndef TSR_CRYPTO_CRYPTO_INTERNAL_H
#define TSR_CRYPTO_CRYPTO_INTERNAL_H

#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include "crypto/crypto.h"

struct tsr_ec_key {
	tsr_curve_t curve;
	/* Only d and Q are used: operations load a fresh group on the stack,
	 * so a const key is never written to and may be shared by threads. */
	mbedtls_ecp_keypair kp;
};

/*
 * TSR_ERR_NO_MEMORY when the mbedTLS error mr says that an allocation
 * failed, else otherwise. mbedTLS 2.28 adds a low-level code (MPI, ASN.1)
 * to a high-level one (ECP, PK, X.509, MD, cipher), so both parts are
 * looked at. A verification that ran out of memory must not be reported as
 * a bad signature or a bad key: a genuine document would be called forged.
 */
static inline int
tsr_mbedtls_error(int mr, int otherwise)
{
	int high = (-mr) & 0xFF80, low = (-mr) & 0x007F;

	if (mr < 0 && (low == 0x0010 /* MPI */ || low == 0x006A /* ASN1 */ ||
	    high == 0x4D80 /* ECP */ || high == 0x3F80 /* PK */ || high == 0x2880 /* X509 */ ||
	    high == 0x5180 /* MD */ || high == 0x6180 /* CIPHER */ || high == 0x1180 /* PEM */))
		return TSR_ERR_NO_MEMORY;
	return otherwise;
}

/* mbedTLS f_rng backed by tsr_random_bytes() (ctx is unused). */
int tsr_crypto_rng(void *ctx, unsigned char *out, size_t len);

/* MBEDTLS_ECP_DP_NONE for an unsupported curve. */
mbedtls_ecp_group_id tsr_curve_to_group(tsr_curve_t curve);
/* 0 for a group we do not support. */
tsr_curve_t tsr_curve_from_group(mbedtls_ecp_group_id id);

/* NULL for an invalid algorithm. */
const mbedtls_md_info_t *tsr_hash_md_info(tsr_hash_alg_t alg);

/*
 * Loads pub's group into grp (initialized by the caller) and its point into
 * Q, checking that the point is on the curve and not the identity.
 * TSR_ERR_CRYPTO_UNSUPPORTED_ALG or TSR_ERR_CRYPTO_BAD_KEY otherwise.
 */
int tsr_ec_pub_to_point(const tsr_ec_pub_t *pub, mbedtls_ecp_group *grp, mbedtls_ecp_point *Q);
/* Writes Q (a valid point of grp) as affine coordinates. */
int tsr_ec_pub_from_point(const mbedtls_ecp_group *grp, const mbedtls_ecp_point *Q,
    tsr_ec_pub_t *ret_pub);

/* Total DER length (header + content) of the TLV at the start of [p, p+len),
 * or 0 when it is malformed; used to reject trailing bytes after DER. */
size_t tsr_der_tlv_len(const uint8_t *p, size_t len);

/* True when [p, p+len) looks like PEM text: it contains "-----BEGIN " and
 * is not one complete DER SEQUENCE. */
bool tsr_looks_like_pem(const uint8_t *p, size_t len);
/* The certificates of set as mbedTLS's list (NULL when it is empty), for
 * a chain check with another profile than tsr_x509_verify_chain()'s. The
 * list belongs to set; mbedTLS's verify functions do not write to it. */
mbedtls_x509_crt *tsr_x509_crts(const tsr_x509_t *set);
/* An X.509 time (UTC) as Unix seconds. */
int64_t tsr_x509_time_unix(const mbedtls_x509_time *t);
/* NUL-terminated copy of PEM text (a trailing NUL in the input is dropped);
 * *ret_len is the length including the NUL, as mbedTLS parsers want it.
 * Free with tsr_free_secret(p, len). */
int tsr_pem_dup(const uint8_t *p, size_t len, char **ret_pem, size_t *ret_len);

#endif /* TSR_CRYPTO_CRYPTO_INTERNAL_H */
