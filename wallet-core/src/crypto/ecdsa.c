/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* ECDSA with raw r||s signatures (COSE), and raw <-> DER conversion. */

#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/threading.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"

static mbedtls_md_type_t
md_type(tsr_hash_alg_t alg)
{
	const mbedtls_md_info_t *md = tsr_hash_md_info(alg);

	return md != NULL ? mbedtls_md_get_type(md) : MBEDTLS_MD_NONE;
}

/* RFC 6979 deterministic ECDSA over a digest made with hash; sig gets
 * r || s, each left-padded to the coordinate length. */
static int
sign_digest(const tsr_ec_key_t *key, tsr_hash_alg_t hash, const uint8_t *digest, size_t hlen,
    uint8_t *sig, size_t *ret_sig_len)
{
	mbedtls_ecp_group grp;
	mbedtls_mpi rr, ss;
	size_t clen = tsr_curve_coord_len(key->curve);
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&rr);
	mbedtls_mpi_init(&ss);
	/* A group of our own: the key stays untouched, so it may be shared. */
	if ((mr = mbedtls_ecp_group_load(&grp, key->kp.grp.id)) != 0) {
		r = tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
		goto out;
	}
	/* The RNG only blinds the scalar multiplication. */
	if ((mr = mbedtls_ecdsa_sign_det_ext(&grp, &rr, &ss, &key->kp.d, digest, hlen,
	    md_type(hash), tsr_crypto_rng, NULL)) != 0) {
		/* mbedTLS 2.28 ignores the result of seeding the RFC 6979
		 * HMAC-DRBG (mbedtls_hmac_drbg_seed_buf()), whose only failure
		 * with a valid hash is an allocation; drawing k from the
		 * unseeded DRBG then fails on its mutex (threading builds, as
		 * Debian's) or on its HMAC context. With our valid group, key
		 * and hash, those codes mean that allocation failed. */
		if (mr == MBEDTLS_ERR_THREADING_BAD_INPUT_DATA || mr == MBEDTLS_ERR_MD_BAD_INPUT_DATA)
			r = TSR_ERR_NO_MEMORY;
		else
			r = tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
		goto out;
	}
	if (mbedtls_mpi_write_binary(&rr, sig, clen) != 0 ||
	    mbedtls_mpi_write_binary(&ss, sig + clen, clen) != 0) {
		mbedtls_platform_zeroize(sig, 2 * clen);
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	*ret_sig_len = 2 * clen;
	r = TSR_OK;
out:
	mbedtls_mpi_free(&rr);
	mbedtls_mpi_free(&ss);
	mbedtls_ecp_group_free(&grp);
	return r;
}

int
tsr_ecdsa_sign(const tsr_ec_key_t *key, tsr_hash_alg_t hash, const uint8_t *msg,
    size_t len, uint8_t *sig, size_t *ret_sig_len)
{
	uint8_t digest[TSR_HASH_MAX_LEN];
	size_t hlen;
	int r;

	if (key == NULL || (msg == NULL && len > 0) || sig == NULL || ret_sig_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((hlen = tsr_hash_len(hash)) == 0)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if ((r = tsr_hash(hash, msg, len, digest)) == TSR_OK)
		r = sign_digest(key, hash, digest, hlen, sig, ret_sig_len);
	mbedtls_platform_zeroize(digest, sizeof(digest));
	return r;
}

int
tsr_ecdsa_sign_digest(const tsr_ec_key_t *key, const uint8_t *digest, size_t digest_len,
    uint8_t *sig, size_t *ret_sig_len)
{
	tsr_hash_alg_t hash;

	if (key == NULL || digest == NULL || sig == NULL || ret_sig_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* The curve's own hash (RFC 6979 runs HMAC-DRBG with it). */
	hash = tsr_curve_hash(key->curve);
	if (tsr_hash_len(hash) == 0)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if (digest_len != tsr_hash_len(hash))
		return TSR_ERR_INVALID_ARGUMENT;
	return sign_digest(key, hash, digest, digest_len, sig, ret_sig_len);
}

int
tsr_ecdsa_verify_digest(const tsr_ec_pub_t *pub, const uint8_t *digest, size_t digest_len,
    const uint8_t *sig, size_t sig_len)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point Q;
	mbedtls_mpi rr, ss;
	size_t clen;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&Q);
	mbedtls_mpi_init(&rr);
	mbedtls_mpi_init(&ss);
	if (pub == NULL || digest == NULL || digest_len == 0 || digest_len > TSR_HASH_MAX_LEN ||
	    (sig == NULL && sig_len > 0)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = tsr_ec_pub_to_point(pub, &grp, &Q)) != TSR_OK)
		goto out;
	clen = tsr_curve_coord_len(pub->curve);
	if (sig_len != 2 * clen) {
		r = TSR_ERR_CRYPTO_BAD_SIGNATURE;
		goto out;
	}
	if (mbedtls_mpi_read_binary(&rr, sig, clen) != 0 ||
	    mbedtls_mpi_read_binary(&ss, sig + clen, clen) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	/* Also rejects r or s outside [1, n-1]. */
	if ((mr = mbedtls_ecdsa_verify(&grp, digest, digest_len, &Q, &rr, &ss)) != 0) {
		r = tsr_mbedtls_error(mr, TSR_ERR_CRYPTO_BAD_SIGNATURE);
		goto out;
	}
	r = TSR_OK;
out:
	mbedtls_mpi_free(&rr);
	mbedtls_mpi_free(&ss);
	mbedtls_ecp_point_free(&Q);
	mbedtls_ecp_group_free(&grp);
	return r;
}

int
tsr_ecdsa_verify(const tsr_ec_pub_t *pub, tsr_hash_alg_t hash, const uint8_t *msg,
    size_t len, const uint8_t *sig, size_t sig_len)
{
	uint8_t digest[TSR_HASH_MAX_LEN];
	int r;

	if (pub == NULL || (msg == NULL && len > 0) || (sig == NULL && sig_len > 0))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_hash(hash, msg, len, digest)) != TSR_OK)
		return r;
	return tsr_ecdsa_verify_digest(pub, digest, tsr_hash_len(hash), sig, sig_len);
}

/* The coordinate length whose raw signature is raw_len bytes, or 0. */
static size_t
raw_coord_len(size_t raw_len)
{
	static const tsr_curve_t curves[] = { TSR_CURVE_P256, TSR_CURVE_P384, TSR_CURVE_P521 };

	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		if (raw_len == 2 * tsr_curve_coord_len(curves[i]))
			return raw_len / 2;
	}
	return 0;
}

int
tsr_ecdsa_sig_raw_to_der(const uint8_t *raw, size_t raw_len, uint8_t *der,
    size_t der_cap, size_t *ret_der_len)
{
	/* SEQUENCE header (3) + 2 * (INTEGER header (2) + 0x00 + 66). */
	unsigned char buf[3 + 2 * (2 + 1 + TSR_EC_COORD_MAX)];
	unsigned char *p = buf + sizeof(buf);
	mbedtls_mpi rr, ss;
	size_t clen, len = 0;
	int r = TSR_ERR_INTERNAL, n;

	mbedtls_mpi_init(&rr);
	mbedtls_mpi_init(&ss);
	if (raw == NULL || der == NULL || ret_der_len == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((clen = raw_coord_len(raw_len)) == 0) {
		r = TSR_ERR_CRYPTO_BAD_SIGNATURE;
		goto out;
	}
	if (mbedtls_mpi_read_binary(&rr, raw, clen) != 0 ||
	    mbedtls_mpi_read_binary(&ss, raw + clen, clen) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((n = mbedtls_asn1_write_mpi(&p, buf, &ss)) < 0)
		goto fail;
	len += (size_t)n;
	if ((n = mbedtls_asn1_write_mpi(&p, buf, &rr)) < 0)
		goto fail;
	len += (size_t)n;
	if ((n = mbedtls_asn1_write_len(&p, buf, len)) < 0)
		goto fail;
	len += (size_t)n;
	if ((n = mbedtls_asn1_write_tag(&p, buf,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		goto fail;
	len += (size_t)n;
	if (len > der_cap) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	memcpy(der, p, len);
	*ret_der_len = len;
	r = TSR_OK;
	goto out;
fail:
	r = TSR_ERR_CRYPTO;
out:
	mbedtls_mpi_free(&rr);
	mbedtls_mpi_free(&ss);
	return r;
}

/*
 * Reads one DER INTEGER at *p (strict: minimal, non-negative) and writes it
 * right-aligned into out[0..clen). Returns false when malformed or too large.
 */
static bool
read_der_uint(const uint8_t **p, const uint8_t *end, uint8_t *out, size_t clen)
{
	const uint8_t *q = *p;
	size_t n;

	if (end - q < 2 || q[0] != 0x02)
		return false;
	if (q[1] < 0x80) {
		n = q[1];
		q += 2;
	} else if (q[1] == 0x81) {
		if (end - q < 3 || q[2] < 0x80)
			return false; /* long form only for >= 128 */
		n = q[2];
		q += 3;
	} else {
		return false;
	}
	if (n == 0 || n > (size_t)(end - q))
		return false;
	if (q[0] & 0x80)
		return false; /* negative */
	if (n > 1 && q[0] == 0x00 && !(q[1] & 0x80))
		return false; /* not minimal */
	*p = q + n;
	if (q[0] == 0x00 && n > 1) {
		q++;
		n--;
	}
	if (n > clen)
		return false;
	memset(out, 0, clen - n);
	memcpy(out + clen - n, q, n);
	return true;
}

int
tsr_ecdsa_sig_der_to_raw(tsr_curve_t curve, const uint8_t *der, size_t der_len,
    uint8_t *raw, size_t *ret_raw_len)
{
	uint8_t tmp[TSR_ECDSA_RAW_MAX];
	const uint8_t *p, *end;
	size_t clen, hdr;

	if (der == NULL || raw == NULL || ret_raw_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((clen = tsr_curve_coord_len(curve)) == 0)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if (der_len < 2 || der[0] != 0x30 || tsr_der_tlv_len(der, der_len) != der_len)
		return TSR_ERR_CRYPTO_BAD_SIGNATURE;
	/* At most 2 * (3 + 66) content bytes: short form, or 0x81 with a value >= 128. */
	if (der[1] > 0x81 || (der[1] == 0x81 && der[2] < 0x80))
		return TSR_ERR_CRYPTO_BAD_SIGNATURE;
	hdr = der[1] < 0x80 ? 2 : 3;
	p = der + hdr;
	end = der + der_len;
	if (!read_der_uint(&p, end, tmp, clen) || !read_der_uint(&p, end, tmp + clen, clen) ||
	    p != end)
		return TSR_ERR_CRYPTO_BAD_SIGNATURE;
	memcpy(raw, tmp, 2 * clen);
	*ret_raw_len = 2 * clen;
	return TSR_OK;
}
