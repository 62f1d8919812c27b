/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Curves, public keys (SPKI), private keys (scalar, PKCS#8, SEC1). */

#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"

/* An EC key file is a few hundred bytes; refuse to copy anything huge. */
#define KEY_INPUT_MAX ((size_t)64 * 1024)

size_t
tsr_curve_coord_len(tsr_curve_t curve)
{
	switch (curve) {
	case TSR_CURVE_P256:
		return 32;
	case TSR_CURVE_P384:
		return 48;
	case TSR_CURVE_P521:
		return 66;
	}
	return 0;
}

const char *
tsr_curve_name(tsr_curve_t curve)
{
	switch (curve) {
	case TSR_CURVE_P256:
		return "P-256";
	case TSR_CURVE_P384:
		return "P-384";
	case TSR_CURVE_P521:
		return "P-521";
	}
	return NULL;
}

tsr_hash_alg_t
tsr_curve_hash(tsr_curve_t curve)
{
	switch (curve) {
	case TSR_CURVE_P256:
		return TSR_HASH_SHA256;
	case TSR_CURVE_P384:
		return TSR_HASH_SHA384;
	case TSR_CURVE_P521:
		return TSR_HASH_SHA512;
	}
	/* Not a valid algorithm: tsr_hash_len() gives 0 and tsr_hash() fails. */
	return (tsr_hash_alg_t)-1;
}

mbedtls_ecp_group_id
tsr_curve_to_group(tsr_curve_t curve)
{
	switch (curve) {
	case TSR_CURVE_P256:
		return MBEDTLS_ECP_DP_SECP256R1;
	case TSR_CURVE_P384:
		return MBEDTLS_ECP_DP_SECP384R1;
	case TSR_CURVE_P521:
		return MBEDTLS_ECP_DP_SECP521R1;
	}
	return MBEDTLS_ECP_DP_NONE;
}

tsr_curve_t
tsr_curve_from_group(mbedtls_ecp_group_id id)
{
	switch (id) {
	case MBEDTLS_ECP_DP_SECP256R1:
		return TSR_CURVE_P256;
	case MBEDTLS_ECP_DP_SECP384R1:
		return TSR_CURVE_P384;
	case MBEDTLS_ECP_DP_SECP521R1:
		return TSR_CURVE_P521;
	default:
		return (tsr_curve_t)0;
	}
}

size_t
tsr_der_tlv_len(const uint8_t *p, size_t len)
{
	size_t hdr = 2, n;

	if (p == NULL || len < 2)
		return 0;
	if ((p[0] & 0x1f) == 0x1f)
		return 0; /* multi-byte tags do not occur where we use this */
	if (p[1] < 0x80) {
		n = p[1];
	} else {
		size_t k = p[1] & 0x7fu;
		if (k == 0 || k > 4 || len < 2 + k)
			return 0;
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = n << 8 | p[2 + i];
		hdr += k;
	}
	if (n > len - hdr)
		return 0;
	return hdr + n;
}

bool
tsr_looks_like_pem(const uint8_t *p, size_t len)
{
	static const char begin[] = "-----BEGIN ";

	if (p == NULL || len < sizeof(begin) - 1)
		return false;
	/* A DER SEQUENCE may hold the text itself (in a name, say): DER wins. */
	if (p[0] == 0x30 && tsr_der_tlv_len(p, len) == len)
		return false;
	return memmem(p, len, begin, sizeof(begin) - 1) != NULL;
}

int
tsr_pem_dup(const uint8_t *p, size_t len, char **ret_pem, size_t *ret_len)
{
	char *s;

	if (len > 0 && p[len - 1] == '\0')
		len--;
	if (len == 0 || memchr(p, '\0', len) != NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > KEY_INPUT_MAX * 16)
		return TSR_ERR_LIMIT;
	if ((s = malloc(len + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	memcpy(s, p, len);
	s[len] = '\0';
	*ret_pem = s;
	*ret_len = len + 1;
	return TSR_OK;
}

/* --- Public keys --- */

int
tsr_ec_pub_to_point(const tsr_ec_pub_t *pub, mbedtls_ecp_group *grp, mbedtls_ecp_point *Q)
{
	uint8_t buf[1 + 2 * TSR_EC_COORD_MAX];
	mbedtls_ecp_group_id id;
	size_t clen;
	int mr;

	if ((id = tsr_curve_to_group(pub->curve)) == MBEDTLS_ECP_DP_NONE)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	clen = tsr_curve_coord_len(pub->curve);
	if ((mr = mbedtls_ecp_group_load(grp, id)) != 0)
		return tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
	buf[0] = 0x04;
	memcpy(buf + 1, pub->x, clen);
	memcpy(buf + 1 + clen, pub->y, clen);
	if ((mr = mbedtls_ecp_point_read_binary(grp, Q, buf, 1 + 2 * clen)) != 0 ||
	    (mr = mbedtls_ecp_check_pubkey(grp, Q)) != 0)
		return tsr_mbedtls_error(mr, TSR_ERR_CRYPTO_BAD_KEY);
	return TSR_OK;
}

int
tsr_ec_pub_from_point(const mbedtls_ecp_group *grp, const mbedtls_ecp_point *Q,
    tsr_ec_pub_t *ret_pub)
{
	uint8_t buf[1 + 2 * TSR_EC_COORD_MAX];
	tsr_curve_t curve;
	size_t clen, olen = 0;

	if ((curve = tsr_curve_from_group(grp->id)) == 0)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	clen = tsr_curve_coord_len(curve);
	if (mbedtls_ecp_point_write_binary(grp, Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, buf,
	    sizeof(buf)) != 0 || olen != 1 + 2 * clen || buf[0] != 0x04)
		return TSR_ERR_CRYPTO_BAD_KEY;
	memset(ret_pub, 0, sizeof(*ret_pub));
	ret_pub->curve = curve;
	memcpy(ret_pub->x, buf + 1, clen);
	memcpy(ret_pub->y, buf + 1 + clen, clen);
	return TSR_OK;
}

int
tsr_ec_pub_validate(const tsr_ec_pub_t *pub)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point Q;
	int r;

	if (pub == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&Q);
	r = tsr_ec_pub_to_point(pub, &grp, &Q);
	mbedtls_ecp_point_free(&Q);
	mbedtls_ecp_group_free(&grp);
	return r;
}

bool
tsr_ec_pub_equal(const tsr_ec_pub_t *a, const tsr_ec_pub_t *b)
{
	size_t clen;

	if (a == NULL || b == NULL || a->curve != b->curve)
		return false;
	if ((clen = tsr_curve_coord_len(a->curve)) == 0)
		return false;
	return memcmp(a->x, b->x, clen) == 0 && memcmp(a->y, b->y, clen) == 0;
}

/* Copies the EC key held by pk; TSR_ERR_CRYPTO_BAD_KEY when it is another kind. */
static int
pub_from_pk(const mbedtls_pk_context *pk, tsr_ec_pub_t *ret_pub)
{
	const mbedtls_ecp_keypair *ec;

	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY)
		return TSR_ERR_CRYPTO_BAD_KEY;
	if ((ec = mbedtls_pk_ec(*pk)) == NULL)
		return TSR_ERR_CRYPTO_BAD_KEY;
	if (tsr_curve_from_group(ec->grp.id) == 0)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if (mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q) != 0)
		return TSR_ERR_CRYPTO_BAD_KEY;
	return tsr_ec_pub_from_point(&ec->grp, &ec->Q, ret_pub);
}

static int
map_pk_error(int mr)
{
	switch (mr) {
	case MBEDTLS_ERR_PK_ALLOC_FAILED:
		return TSR_ERR_NO_MEMORY;
	case MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE:
	case MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE:
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	case MBEDTLS_ERR_PK_PASSWORD_REQUIRED:
	case MBEDTLS_ERR_PK_PASSWORD_MISMATCH:
		return TSR_ERR_UNSUPPORTED; /* encrypted keys */
	default:
		return TSR_ERR_CRYPTO_BAD_KEY;
	}
}

int
tsr_ec_pub_from_spki(const uint8_t *ptr, size_t len, tsr_ec_pub_t *ret_pub)
{
	mbedtls_pk_context pk;
	tsr_ec_pub_t pub;
	char *pem = NULL;
	size_t pem_len = 0;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_pk_init(&pk);
	if (ptr == NULL || len == 0 || ret_pub == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (len > KEY_INPUT_MAX) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if (tsr_looks_like_pem(ptr, len)) {
		if ((r = tsr_pem_dup(ptr, len, &pem, &pem_len)) != TSR_OK) {
			if (r == TSR_ERR_INVALID_ARGUMENT)
				r = TSR_ERR_CRYPTO_BAD_KEY;
			goto out;
		}
		mr = mbedtls_pk_parse_public_key(&pk, (const unsigned char *)pem, pem_len);
	} else {
		/* mbedTLS ignores bytes after the SEQUENCE; we do not. */
		if (tsr_der_tlv_len(ptr, len) != len) {
			r = TSR_ERR_CRYPTO_BAD_KEY;
			goto out;
		}
		mr = mbedtls_pk_parse_public_key(&pk, ptr, len);
	}
	if (mr != 0) {
		r = map_pk_error(mr);
		goto out;
	}
	if ((r = pub_from_pk(&pk, &pub)) != TSR_OK)
		goto out;
	*ret_pub = pub;
	r = TSR_OK;
out:
	free(pem);
	mbedtls_pk_free(&pk);
	return r;
}

int
tsr_ec_pub_to_spki_pem(const tsr_ec_pub_t *pub, char **ret_pem)
{
	mbedtls_pk_context pk;
	mbedtls_ecp_keypair *ec;
	unsigned char buf[512];
	char *s = NULL;
	int r = TSR_ERR_INTERNAL;

	mbedtls_pk_init(&pk);
	if (pub == NULL || ret_pem == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((ec = mbedtls_pk_ec(pk)) == NULL)
		goto out;
	if ((r = tsr_ec_pub_to_point(pub, &ec->grp, &ec->Q)) != TSR_OK)
		goto out;
	if (mbedtls_pk_write_pubkey_pem(&pk, buf, sizeof(buf)) != 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	if ((s = strdup((const char *)buf)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	*ret_pem = s;
	r = TSR_OK;
out:
	mbedtls_pk_free(&pk);
	return r;
}

/* --- Private keys --- */

static tsr_ec_key_t *
key_new(tsr_curve_t curve)
{
	tsr_ec_key_t *key;

	if ((key = calloc(1, sizeof(*key))) == NULL)
		return NULL;
	key->curve = curve;
	mbedtls_ecp_keypair_init(&key->kp);
	return key;
}

void
tsr_ec_key_free(tsr_ec_key_t *key)
{
	if (key == NULL)
		return;
	mbedtls_ecp_keypair_free(&key->kp); /* zeroizes d */
	mbedtls_platform_zeroize(key, sizeof(*key));
	free(key);
}

/* Loads the group, checks d and sets Q = d * G. */
static int
key_finish(tsr_ec_key_t *key)
{
	mbedtls_ecp_group_id id = tsr_curve_to_group(key->curve);

	if (id == MBEDTLS_ECP_DP_NONE)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if (key->kp.grp.id != id) {
		mbedtls_ecp_group_free(&key->kp.grp);
		mbedtls_ecp_group_init(&key->kp.grp);
		if (mbedtls_ecp_group_load(&key->kp.grp, id) != 0)
			return TSR_ERR_CRYPTO;
	}
	if (mbedtls_ecp_check_privkey(&key->kp.grp, &key->kp.d) != 0)
		return TSR_ERR_CRYPTO_BAD_KEY;
	if (mbedtls_ecp_mul(&key->kp.grp, &key->kp.Q, &key->kp.d, &key->kp.grp.G,
	    tsr_crypto_rng, NULL) != 0)
		return TSR_ERR_CRYPTO;
	return TSR_OK;
}

int
tsr_ec_key_generate(tsr_curve_t curve, tsr_ec_key_t **ret_key)
{
	tsr_ec_key_t *key = NULL;
	mbedtls_ecp_group_id id = tsr_curve_to_group(curve);
	int r = TSR_ERR_INTERNAL, mr;

	if (ret_key == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (id == MBEDTLS_ECP_DP_NONE) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	if ((key = key_new(curve)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((mr = mbedtls_ecp_gen_key(id, &key->kp, tsr_crypto_rng, NULL)) != 0) {
		r = mr == MBEDTLS_ERR_ENTROPY_SOURCE_FAILED ? TSR_ERR_RANDOM :
			tsr_mbedtls_error(mr, TSR_ERR_CRYPTO);
		goto out;
	}
	*ret_key = key;
	key = NULL;
	r = TSR_OK;
out:
	tsr_ec_key_free(key);
	return r;
}

int
tsr_ec_key_from_scalar(tsr_curve_t curve, const uint8_t *d, size_t d_len,
    tsr_ec_key_t **ret_key)
{
	tsr_ec_key_t *key = NULL;
	size_t clen = tsr_curve_coord_len(curve);
	int r = TSR_ERR_INTERNAL;

	if (d == NULL || ret_key == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (clen == 0) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	if (d_len == 0 || d_len > clen) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto out;
	}
	if ((key = key_new(curve)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (mbedtls_mpi_read_binary(&key->kp.d, d, d_len) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((r = key_finish(key)) != TSR_OK)
		goto out;
	*ret_key = key;
	key = NULL;
	r = TSR_OK;
out:
	tsr_ec_key_free(key);
	return r;
}

int
tsr_ec_key_parse(const uint8_t *ptr, size_t len, tsr_ec_key_t **ret_key)
{
	mbedtls_pk_context pk;
	const mbedtls_ecp_keypair *ec;
	tsr_ec_key_t *key = NULL;
	tsr_curve_t curve;
	char *pem = NULL;
	size_t pem_len = 0;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_pk_init(&pk);
	if (ptr == NULL || len == 0 || ret_key == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (len > KEY_INPUT_MAX) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if (tsr_looks_like_pem(ptr, len)) {
		if ((r = tsr_pem_dup(ptr, len, &pem, &pem_len)) != TSR_OK) {
			if (r == TSR_ERR_INVALID_ARGUMENT)
				r = TSR_ERR_CRYPTO_BAD_KEY;
			goto out;
		}
		mr = mbedtls_pk_parse_key(&pk, (const unsigned char *)pem, pem_len, NULL, 0);
	} else {
		if (tsr_der_tlv_len(ptr, len) != len) {
			r = TSR_ERR_CRYPTO_BAD_KEY;
			goto out;
		}
		mr = mbedtls_pk_parse_key(&pk, ptr, len, NULL, 0);
	}
	if (mr != 0) {
		r = map_pk_error(mr);
		goto out;
	}
	if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto out;
	}
	if ((ec = mbedtls_pk_ec(pk)) == NULL) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto out;
	}
	if ((curve = tsr_curve_from_group(ec->grp.id)) == 0) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	if ((key = key_new(curve)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (mbedtls_mpi_copy(&key->kp.d, &ec->d) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((r = key_finish(key)) != TSR_OK)
		goto out;
	/* The file's public key (or the one mbedTLS derived) must be d * G. */
	if (mbedtls_ecp_point_cmp(&key->kp.Q, &ec->Q) != 0) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto out;
	}
	*ret_key = key;
	key = NULL;
	r = TSR_OK;
out:
	tsr_ec_key_free(key);
	tsr_free_secret(pem, pem_len);
	mbedtls_pk_free(&pk);
	return r;
}

/*
 * PKCS#8 PrivateKeyInfo (RFC 5208, RFC 5915 §3) in the form OpenSSL writes:
 *   SEQUENCE { INTEGER 0, SEQUENCE { id-ecPublicKey, namedCurve },
 *              OCTET STRING { SEQUENCE { INTEGER 1, OCTET STRING d,
 *                                        [1] BIT STRING 04||x||y } } }
 * mbedTLS 2.28 only writes SEC1, hence the hand-made DER. asn1write writes
 * backwards from the end of buf; *ret_start points at the first byte.
 */
static int
key_to_pkcs8_der(const tsr_ec_key_t *key, unsigned char *buf, size_t size,
    unsigned char **ret_start, size_t *ret_len)
{
	uint8_t d[TSR_EC_COORD_MAX], pt[1 + 2 * TSR_EC_COORD_MAX];
	size_t clen = tsr_curve_coord_len(key->curve), olen = 0, inner = 0, outer = 0, alg = 0;
	const char *curve_oid = NULL;
	size_t curve_oid_len = 0;
	unsigned char *p = buf + size;
	int r = TSR_ERR_INTERNAL, n;

#define W(call)                         \
	do {                                \
		if ((n = (call)) < 0) {         \
			r = TSR_ERR_CRYPTO;         \
			goto out;                   \
		}                               \
	} while (0)

	if (mbedtls_oid_get_oid_by_ec_grp(key->kp.grp.id, &curve_oid, &curve_oid_len) != 0 ||
	    mbedtls_mpi_write_binary(&key->kp.d, d, clen) != 0 ||
	    mbedtls_ecp_point_write_binary(&key->kp.grp, &key->kp.Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
	    &olen, pt, sizeof(pt)) != 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	/* ECPrivateKey */
	W(mbedtls_asn1_write_bitstring(&p, buf, pt, olen * 8));
	inner += (size_t)n;
	W(mbedtls_asn1_write_len(&p, buf, (size_t)n));
	inner += (size_t)n;
	W(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 1));
	inner += (size_t)n;
	W(mbedtls_asn1_write_octet_string(&p, buf, d, clen));
	inner += (size_t)n;
	W(mbedtls_asn1_write_int(&p, buf, 1));
	inner += (size_t)n;
	W(mbedtls_asn1_write_len(&p, buf, inner));
	inner += (size_t)n;
	W(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	inner += (size_t)n;
	W(mbedtls_asn1_write_len(&p, buf, inner));
	inner += (size_t)n;
	W(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_OCTET_STRING));
	inner += (size_t)n;
	outer = inner;
	/* AlgorithmIdentifier */
	W(mbedtls_asn1_write_oid(&p, buf, curve_oid, curve_oid_len));
	alg = (size_t)n;
	W(mbedtls_asn1_write_algorithm_identifier(&p, buf, MBEDTLS_OID_EC_ALG_UNRESTRICTED,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED), alg));
	outer += (size_t)n;
	W(mbedtls_asn1_write_int(&p, buf, 0));
	outer += (size_t)n;
	W(mbedtls_asn1_write_len(&p, buf, outer));
	outer += (size_t)n;
	W(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	outer += (size_t)n;
#undef W
	*ret_start = p;
	*ret_len = outer;
	r = TSR_OK;
out:
	mbedtls_platform_zeroize(d, sizeof(d));
	return r;
}

int
tsr_ec_key_to_pem(const tsr_ec_key_t *key, char **ret_pem)
{
	static const char header[] = "-----BEGIN PRIVATE KEY-----\n";
	static const char footer[] = "-----END PRIVATE KEY-----\n";
	unsigned char der[512], b64[700], pem[1024];
	unsigned char *start = NULL;
	size_t der_len = 0, b64_len = 0, n = 0;
	char *s = NULL;
	int r = TSR_ERR_INTERNAL;

	if (key == NULL || ret_pem == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = key_to_pkcs8_der(key, der, sizeof(der), &start, &der_len)) != TSR_OK)
		goto out;
	/* Not mbedtls_pem_write_buffer(): it frees its base64 copy of the key
	 * without wiping it (mbedTLS 2.28), which left the private key as text
	 * in freed heap (found by tests/assurance/test-secret-scan.c). The PEM
	 * is put together here, in buffers that are wiped. */
	if (mbedtls_base64_encode(b64, sizeof(b64), &b64_len, start, der_len) != 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	memcpy(pem, header, sizeof(header) - 1);
	n = sizeof(header) - 1;
	for (size_t i = 0; i < b64_len; i += 64) {
		size_t len = b64_len - i < 64 ? b64_len - i : 64;

		if (n + len + 1 + sizeof(footer) > sizeof(pem)) {
			r = TSR_ERR_CRYPTO;
			goto out;
		}
		memcpy(pem + n, b64 + i, len);
		n += len;
		pem[n++] = '\n';
	}
	memcpy(pem + n, footer, sizeof(footer)); /* with its NUL */
	if ((s = strdup((const char *)pem)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	*ret_pem = s;
	r = TSR_OK;
out:
	mbedtls_platform_zeroize(der, sizeof(der));
	mbedtls_platform_zeroize(b64, sizeof(b64));
	mbedtls_platform_zeroize(pem, sizeof(pem));
	return r;
}

int
tsr_ec_key_public(const tsr_ec_key_t *key, tsr_ec_pub_t *ret_pub)
{
	if (key == NULL || ret_pub == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	return tsr_ec_pub_from_point(&key->kp.grp, &key->kp.Q, ret_pub);
}

tsr_curve_t
tsr_ec_key_curve(const tsr_ec_key_t *key)
{
	return key != NULL ? key->curve : (tsr_curve_t)0;
}
