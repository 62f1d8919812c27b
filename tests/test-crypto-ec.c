/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* EC keys (scalar, SEC1, PKCS#8, SPKI), ECDSA and ECDH. */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "base/buf.h"
#include "crypto/crypto.h"
#include "test-support.h"

static const tsr_curve_t all_curves[] = { TSR_CURVE_P256, TSR_CURVE_P384, TSR_CURVE_P521 };

/* keys.json */
static const struct annex_d_key {
	const char *file, *x, *y, *d;
} annex_d_keys[] = {
	{ "annex-d/ephemeral_reader_key.pem",
	  "60e3392385041f51403051f2415531cb56dd3f999c71687013aac6768bc8187e",
	  "e58deb8fdbe907f7dd5368245551a34796f7d2215c440c339bb0f7b67beccdfa",
	  "de3b4b9e5f72dd9b58406ae3091434da48a6f9fd010d88fcb0958e2cebec947c" },
	{ "annex-d/ephemeral_device_key.pem",
	  "5a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b624343167fe",
	  "b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32fc67",
	  "c1917a1579949a042f1ba9fc53a2df9b1bc47adf31c10f813ed75702d1c1f136" },
	{ "annex-d/static_device_key.pem",
	  "96313d6c63e24e3372742bfdb1a33ba2c897dcd68ab8c753e4fbd48dca6b7f9a",
	  "1fb3269edd418857de1b39a4e4a44b92fa484caa722c228288f01d0c03a2c3d6",
	  "6ed542ad4783f0b18c833fadf2171273a35d969c581691ef704359cc7cf1e8c0" },
};

static tsr_ec_key_t *
load_key(const char *file)
{
	size_t len = 0;
	g_autofree uint8_t *data = tsr_test_load(file, &len);
	tsr_ec_key_t *key = NULL;

	g_assert_cmpint(tsr_ec_key_parse(data, len, &key), ==, TSR_OK);
	g_assert_nonnull(key);
	return key;
}

static int
parse_file(const char *file)
{
	size_t len = 0;
	g_autofree uint8_t *data = tsr_test_load(file, &len);
	tsr_ec_key_t *key = (tsr_ec_key_t *)&len; /* a sentinel that must stay put */
	int r = tsr_ec_key_parse(data, len, &key);

	if (r != TSR_OK)
		g_assert_true(key == (tsr_ec_key_t *)&len);
	else
		tsr_ec_key_free(key);
	return r;
}

static void
valid_curves(void)
{
	g_assert_cmpuint(tsr_curve_coord_len(TSR_CURVE_P256), ==, 32);
	g_assert_cmpuint(tsr_curve_coord_len(TSR_CURVE_P384), ==, 48);
	g_assert_cmpuint(tsr_curve_coord_len(TSR_CURVE_P521), ==, 66);
	g_assert_cmpuint(tsr_curve_coord_len((tsr_curve_t)4), ==, 0);
	g_assert_cmpstr(tsr_curve_name(TSR_CURVE_P521), ==, "P-521");
	g_assert_null(tsr_curve_name((tsr_curve_t)0));
	g_assert_cmpint(tsr_curve_hash(TSR_CURVE_P256), ==, TSR_HASH_SHA256);
	g_assert_cmpint(tsr_curve_hash(TSR_CURVE_P384), ==, TSR_HASH_SHA384);
	g_assert_cmpint(tsr_curve_hash(TSR_CURVE_P521), ==, TSR_HASH_SHA512);
	g_assert_cmpuint(tsr_hash_len(tsr_curve_hash((tsr_curve_t)9)), ==, 0);
}

static void
valid_annex_d_pem(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(annex_d_keys); i++) {
		tsr_ec_key_t *key = load_key(annex_d_keys[i].file), *key2 = NULL;
		tsr_ec_pub_t pub, pub2;
		size_t d_len = 0;
		g_autofree uint8_t *d = tsr_test_hex(annex_d_keys[i].d, &d_len);

		g_assert_cmpint(tsr_ec_key_curve(key), ==, TSR_CURVE_P256);
		g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
		g_assert_cmpint(pub.curve, ==, TSR_CURVE_P256);
		tsr_test_assert_hex(pub.x, 32, annex_d_keys[i].x);
		tsr_test_assert_hex(pub.y, 32, annex_d_keys[i].y);
		g_assert_cmpint(tsr_ec_pub_validate(&pub), ==, TSR_OK);
		/* the scalar in keys.json is the same key */
		g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, d_len, &key2), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_public(key2, &pub2), ==, TSR_OK);
		g_assert_true(tsr_ec_pub_equal(&pub, &pub2));
		tsr_ec_key_free(key);
		tsr_ec_key_free(key2);
	}
}

static void
valid_sec1_pkcs8(void)
{
	tsr_ec_key_t *sec1 = load_key("crypto/p384_sec1.pem");
	tsr_ec_key_t *pkcs8 = load_key("crypto/p384_pkcs8.pem");
	tsr_ec_key_t *p521 = load_key("crypto/p521_pkcs8.der");
	tsr_ec_key_t *p256 = load_key("crypto/p256_sec1.der");
	tsr_ec_pub_t a, b, spki_pem, spki_der;
	size_t len = 0, len2 = 0;
	g_autofree uint8_t *pem = tsr_test_load("crypto/p384_spki.pem", &len);
	g_autofree uint8_t *der = tsr_test_load("crypto/p384_spki.der", &len2);

	g_assert_cmpint(tsr_ec_key_curve(sec1), ==, TSR_CURVE_P384);
	g_assert_cmpint(tsr_ec_key_public(sec1, &a), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(pkcs8, &b), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&a, &b));
	g_assert_cmpint(tsr_ec_pub_from_spki(pem, len, &spki_pem), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_pub_from_spki(der, len2, &spki_der), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&a, &spki_pem));
	g_assert_true(tsr_ec_pub_equal(&a, &spki_der));
	g_assert_cmpint(tsr_ec_key_curve(p521), ==, TSR_CURVE_P521);
	g_assert_cmpint(tsr_ec_key_curve(p256), ==, TSR_CURVE_P256);
	g_assert_cmpint(tsr_ec_key_public(p521, &a), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_pub_validate(&a), ==, TSR_OK);
	tsr_ec_key_free(sec1);
	tsr_ec_key_free(pkcs8);
	tsr_ec_key_free(p521);
	tsr_ec_key_free(p256);
}

static void
valid_pem_with_nul(void)
{
	size_t len = 0;
	g_autofree uint8_t *data = tsr_test_load("annex-d/static_device_key.pem", &len);
	g_autofree uint8_t *with_nul = g_malloc(len + 1);
	tsr_ec_key_t *key = NULL;

	memcpy(with_nul, data, len);
	with_nul[len] = '\0';
	g_assert_cmpint(tsr_ec_key_parse(with_nul, len + 1, &key), ==, TSR_OK);
	tsr_ec_key_free(key);
	key = NULL;
	g_assert_cmpint(tsr_ec_key_parse(data, len, &key), ==, TSR_OK);
	tsr_ec_key_free(key);
}

static void
valid_key_pem_roundtrip(void)
{
	/* Our PKCS#8 is byte for byte the form OpenSSL writes. */
	for (size_t i = 0; i < G_N_ELEMENTS(annex_d_keys); i++) {
		size_t len = 0;
		g_autofree uint8_t *data = tsr_test_load(annex_d_keys[i].file, &len);
		tsr_ec_key_t *key = load_key(annex_d_keys[i].file);
		char *pem = NULL;

		g_assert_cmpint(tsr_ec_key_to_pem(key, &pem), ==, TSR_OK);
		g_assert_cmpstr(pem, ==, (const char *)data);
		tsr_free_secret(pem, strlen(pem));
		tsr_ec_key_free(key);
	}
	{
		size_t len = 0;
		g_autofree uint8_t *data = tsr_test_load("crypto/p384_pkcs8.pem", &len);
		tsr_ec_key_t *key = load_key("crypto/p384_sec1.pem");
		char *pem = NULL;

		g_assert_cmpint(tsr_ec_key_to_pem(key, &pem), ==, TSR_OK);
		g_assert_cmpstr(pem, ==, (const char *)data);
		tsr_free_secret(pem, strlen(pem));
		tsr_ec_key_free(key);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(all_curves); i++) {
		tsr_ec_key_t *key = NULL, *back = NULL;
		tsr_ec_pub_t a, b;
		char *pem = NULL;

		g_assert_cmpint(tsr_ec_key_generate(all_curves[i], &key), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_curve(key), ==, all_curves[i]);
		g_assert_cmpint(tsr_ec_key_to_pem(key, &pem), ==, TSR_OK);
		g_assert_true(g_str_has_prefix(pem, "-----BEGIN PRIVATE KEY-----\n"));
		g_assert_true(g_str_has_suffix(pem, "-----END PRIVATE KEY-----\n"));
		g_assert_cmpint(tsr_ec_key_parse((const uint8_t *)pem, strlen(pem), &back), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_public(key, &a), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_public(back, &b), ==, TSR_OK);
		g_assert_true(tsr_ec_pub_equal(&a, &b));
		tsr_free_secret(pem, strlen(pem));
		tsr_ec_key_free(key);
		tsr_ec_key_free(back);
	}
}

static void
junk_keys(void)
{
	static const char junk_pem[] =
	    "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n";
	static const char not_base64[] =
	    "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n";
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	size_t len = 0;
	g_autofree uint8_t *der = tsr_test_load("crypto/p256_sec1.der", &len);
	g_autofree uint8_t *longer = g_malloc(len + 1);
	tsr_ec_key_t *key = NULL;

	g_assert_cmpint(parse_file("crypto/brainpool.pem"), ==, TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(parse_file("crypto/rsa.pem"), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(parse_file("crypto/p384_encrypted.pem"), ==, TSR_ERR_UNSUPPORTED);
	g_assert_cmpint(parse_file("crypto/p384_spki.pem"), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(parse_file("crypto/p256_sec1_mismatch.der"), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(parse_file("annex-d/ds_cert.pem"), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_parse((const uint8_t *)junk_pem, strlen(junk_pem), &key), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_parse((const uint8_t *)not_base64, strlen(not_base64), &key),
	    ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_parse(junk, sizeof(junk), &key), ==, TSR_ERR_CRYPTO_BAD_KEY);
	/* every truncation of a valid DER key, and one trailing byte */
	for (size_t n = 1; n < len; n++)
		g_assert_cmpint(tsr_ec_key_parse(der, n, &key), ==, TSR_ERR_CRYPTO_BAD_KEY);
	memcpy(longer, der, len);
	longer[len] = 0;
	g_assert_cmpint(tsr_ec_key_parse(longer, len + 1, &key), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_parse(der, 0, &key), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_key_parse(NULL, len, &key), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_key_parse(der, len, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(key);
}

static void
junk_scalar(void)
{
	/* n of P-256 */
	static const char n256[] =
	    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
	uint8_t d[67];
	size_t len = 0;
	g_autofree uint8_t *n = tsr_test_hex(n256, &len);
	tsr_ec_key_t *key = NULL;

	memset(d, 0, sizeof(d));
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, 32, &key), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, n, len, &key), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	d[32] = 1;
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, 33, &key), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, 0, &key), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_from_scalar((tsr_curve_t)7, d, 32, &key), ==,
	    TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, NULL, 32, &key), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, 32, NULL), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	/* P-521: 66 bytes, but at most 521 bits below n */
	memset(d, 0xff, 66);
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P521, d, 66, &key), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	d[0] = 0x00;
	d[1] = 0x01;
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P521, d, 66, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_curve(key), ==, TSR_CURVE_P521);
	tsr_ec_key_free(key);
	/* a short scalar is left-padded */
	key = NULL;
	d[0] = 7;
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P384, d, 1, &key), ==, TSR_OK);
	tsr_ec_key_free(key);
	tsr_ec_key_free(NULL);
	g_assert_cmpint(tsr_ec_key_curve(NULL), ==, 0);
	g_assert_cmpint(tsr_ec_key_generate((tsr_curve_t)0, &key), ==,
	    TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_key_to_pem(NULL, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_key_public(NULL, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
}

static void
valid_spki_roundtrip(void)
{
	size_t len = 0;
	g_autofree uint8_t *pem = tsr_test_load("crypto/p384_spki.pem", &len);
	tsr_ec_pub_t pub, back;
	char *out = NULL;

	g_assert_cmpint(tsr_ec_pub_from_spki(pem, len, &pub), ==, TSR_OK);
	g_assert_cmpint(pub.curve, ==, TSR_CURVE_P384);
	g_assert_cmpint(tsr_ec_pub_to_spki_pem(&pub, &out), ==, TSR_OK);
	g_assert_cmpstr(out, ==, (const char *)pem); /* same text as OpenSSL's */
	g_assert_cmpint(tsr_ec_pub_from_spki((const uint8_t *)out, strlen(out) + 1, &back), ==,
	    TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&pub, &back));
	free(out);
	for (size_t i = 0; i < G_N_ELEMENTS(all_curves); i++) {
		tsr_ec_key_t *key = NULL;

		g_assert_cmpint(tsr_ec_key_generate(all_curves[i], &key), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_pub_to_spki_pem(&pub, &out), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_pub_from_spki((const uint8_t *)out, strlen(out), &back), ==,
		    TSR_OK);
		g_assert_true(tsr_ec_pub_equal(&pub, &back));
		free(out);
		tsr_ec_key_free(key);
	}
}

static void
junk_spki(void)
{
	size_t len = 0, n = 0;
	g_autofree uint8_t *der = tsr_test_load("crypto/p384_spki.der", &len);
	g_autofree uint8_t *bp = tsr_test_load("crypto/brainpool_spki.pem", &n);
	g_autofree uint8_t *rsa = NULL;
	g_autofree uint8_t *copy = g_malloc(len + 1);
	tsr_ec_pub_t pub;

	memset(&pub, 0x5a, sizeof(pub));
	g_assert_cmpint(tsr_ec_pub_from_spki(bp, n, &pub), ==, TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	rsa = tsr_test_load("crypto/rsa_spki.pem", &n);
	g_assert_cmpint(tsr_ec_pub_from_spki(rsa, n, &pub), ==, TSR_ERR_CRYPTO_BAD_KEY);
	for (size_t i = 1; i < len; i++)
		g_assert_cmpint(tsr_ec_pub_from_spki(der, i, &pub), ==, TSR_ERR_CRYPTO_BAD_KEY);
	memcpy(copy, der, len);
	copy[len] = 0;
	g_assert_cmpint(tsr_ec_pub_from_spki(copy, len + 1, &pub), ==, TSR_ERR_CRYPTO_BAD_KEY);
	/* off-curve: flip a bit of y */
	copy[len - 1] ^= 0x01;
	g_assert_cmpint(tsr_ec_pub_from_spki(copy, len, &pub), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_pub_from_spki((const uint8_t *)"-----BEGIN PUBLIC KEY-----\n", 27,
	    &pub), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_pub_from_spki(der, 0, &pub), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_pub_from_spki(NULL, len, &pub), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_pub_from_spki(der, len, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpuint(pub.x[0], ==, 0x5a); /* untouched */
	g_assert_cmpint(tsr_ec_pub_to_spki_pem(NULL, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
}

static void
invalid_points(void)
{
	tsr_ec_key_t *key = load_key("annex-d/static_device_key.pem");
	tsr_ec_pub_t pub, bad;
	char *pem = NULL;

	g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&pub, &pub));
	bad = pub;
	bad.y[31] ^= 0x01;
	g_assert_false(tsr_ec_pub_equal(&pub, &bad));
	g_assert_cmpint(tsr_ec_pub_validate(&bad), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_pub_to_spki_pem(&bad, &pem), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_null(pem);
	memset(&bad, 0, sizeof(bad));
	bad.curve = TSR_CURVE_P256;
	g_assert_cmpint(tsr_ec_pub_validate(&bad), ==, TSR_ERR_CRYPTO_BAD_KEY);
	memset(bad.x, 0xff, sizeof(bad.x)); /* x >= p */
	g_assert_cmpint(tsr_ec_pub_validate(&bad), ==, TSR_ERR_CRYPTO_BAD_KEY);
	bad = pub;
	bad.curve = TSR_CURVE_P384; /* the same bytes read on another curve */
	g_assert_cmpint(tsr_ec_pub_validate(&bad), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_false(tsr_ec_pub_equal(&pub, &bad));
	bad.curve = (tsr_curve_t)0;
	g_assert_cmpint(tsr_ec_pub_validate(&bad), ==, TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(tsr_ec_pub_validate(NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_false(tsr_ec_pub_equal(NULL, &pub));
	tsr_ec_key_free(key);
}

static void
valid_ecdsa_roundtrip(void)
{
	static const uint8_t msg[] = "Signature1 over some payload";
	static const tsr_hash_alg_t hashes[] = { TSR_HASH_SHA256, TSR_HASH_SHA384, TSR_HASH_SHA512 };

	for (size_t i = 0; i < G_N_ELEMENTS(all_curves); i++) {
		tsr_ec_key_t *key = NULL;
		tsr_ec_pub_t pub;
		size_t clen = tsr_curve_coord_len(all_curves[i]);

		g_assert_cmpint(tsr_ec_key_generate(all_curves[i], &key), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
		for (size_t h = 0; h < G_N_ELEMENTS(hashes); h++) {
			uint8_t sig[TSR_ECDSA_RAW_MAX], sig2[TSR_ECDSA_RAW_MAX], digest[64];
			size_t sig_len = 0, sig2_len = 0;

			g_assert_cmpint(tsr_ecdsa_sign(key, hashes[h], msg, sizeof(msg), sig, &sig_len),
			    ==, TSR_OK);
			g_assert_cmpuint(sig_len, ==, 2 * clen);
			g_assert_cmpint(tsr_ecdsa_verify(&pub, hashes[h], msg, sizeof(msg), sig, sig_len),
			    ==, TSR_OK);
			/* RFC 6979: the same key and message give the same signature */
			g_assert_cmpint(tsr_ecdsa_sign(key, hashes[h], msg, sizeof(msg), sig2,
			    &sig2_len), ==, TSR_OK);
			g_assert_cmpmem(sig, sig_len, sig2, sig2_len);
			g_assert_cmpint(tsr_hash(hashes[h], msg, sizeof(msg), digest), ==, TSR_OK);
			g_assert_cmpint(tsr_ecdsa_verify_digest(&pub, digest, tsr_hash_len(hashes[h]),
			    sig, sig_len), ==, TSR_OK);
			/* another message, another hash */
			g_assert_cmpint(tsr_ecdsa_verify(&pub, hashes[h], msg, sizeof(msg) - 1, sig,
			    sig_len), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
			if (tsr_hash_len(hashes[h]) * 8 <= 521 && h != i)
				g_assert_cmpint(tsr_ecdsa_verify(&pub, hashes[(h + 1) % 3], msg,
				    sizeof(msg), sig, sig_len), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
		}
		tsr_ec_key_free(key);
	}
}

static void
valid_ecdsa_rfc6979(void)
{
	/* RFC 6979 A.2.5, P-256 with SHA-256, message "sample" */
	static const char x[] = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
	static const uint8_t msg[] = { 's', 'a', 'm', 'p', 'l', 'e' };
	size_t len = 0, sig_len = 0;
	g_autofree uint8_t *d = tsr_test_hex(x, &len);
	tsr_ec_key_t *key = NULL;
	tsr_ec_pub_t pub;
	uint8_t sig[TSR_ECDSA_RAW_MAX];

	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, len, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
	tsr_test_assert_hex(pub.x, 32,
	    "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6");
	tsr_test_assert_hex(pub.y, 32,
	    "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
	g_assert_cmpint(tsr_ecdsa_sign(key, TSR_HASH_SHA256, msg, sizeof(msg), sig, &sig_len), ==,
	    TSR_OK);
	tsr_test_assert_hex(sig, sig_len,
	    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
	    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
	tsr_ec_key_free(key);
}

static void
junk_ecdsa_signature(void)
{
	static const uint8_t msg[] = "payload";
	tsr_ec_key_t *key = load_key("annex-d/static_device_key.pem");
	tsr_ec_key_t *other = load_key("annex-d/ephemeral_device_key.pem");
	tsr_ec_pub_t pub, other_pub, bad;
	uint8_t sig[TSR_ECDSA_RAW_MAX + 1], zero[64];
	size_t sig_len = 0;

	g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(other, &other_pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdsa_sign(key, TSR_HASH_SHA256, msg, sizeof(msg), sig, &sig_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig, sig_len), ==,
	    TSR_OK);
	/* wrong lengths */
	sig[64] = 0;
	for (size_t n = 0; n <= 65; n++) {
		if (n != 64)
			g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig,
			    n), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
	}
	g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), NULL, 0), ==,
	    TSR_ERR_CRYPTO_BAD_SIGNATURE);
	/* every flipped bit */
	for (size_t bit = 0; bit < 64 * 8; bit += 7) {
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig, 64), ==,
		    TSR_ERR_CRYPTO_BAD_SIGNATURE);
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* r = s = 0; the wrong key; an off-curve key */
	memset(zero, 0, sizeof(zero));
	g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), zero, 64), ==,
	    TSR_ERR_CRYPTO_BAD_SIGNATURE);
	g_assert_cmpint(tsr_ecdsa_verify(&other_pub, TSR_HASH_SHA256, msg, sizeof(msg), sig, 64),
	    ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
	bad = pub;
	bad.x[0] ^= 0x01;
	g_assert_cmpint(tsr_ecdsa_verify(&bad, TSR_HASH_SHA256, msg, sizeof(msg), sig, 64), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	/* bad arguments */
	g_assert_cmpint(tsr_ecdsa_verify(NULL, TSR_HASH_SHA256, msg, sizeof(msg), sig, 64), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ecdsa_verify(&pub, (tsr_hash_alg_t)5, msg, sizeof(msg), sig, 64), ==,
	    TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(tsr_ecdsa_verify_digest(&pub, NULL, 32, sig, 64), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ecdsa_verify_digest(&pub, zero, 0, sig, 64), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ecdsa_sign(NULL, TSR_HASH_SHA256, msg, sizeof(msg), sig, &sig_len), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ecdsa_sign(key, TSR_HASH_SHA256, msg, sizeof(msg), NULL, &sig_len), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ecdsa_sign(key, (tsr_hash_alg_t)5, msg, sizeof(msg), sig, &sig_len), ==,
	    TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	tsr_ec_key_free(key);
	tsr_ec_key_free(other);
}

static void
valid_ecdsa_der_roundtrip(void)
{
	static const uint8_t msg[] = "x";

	for (size_t i = 0; i < G_N_ELEMENTS(all_curves); i++) {
		tsr_ec_key_t *key = NULL;
		size_t clen = tsr_curve_coord_len(all_curves[i]);

		g_assert_cmpint(tsr_ec_key_generate(all_curves[i], &key), ==, TSR_OK);
		for (int k = 0; k < 20; k++) {
			uint8_t sig[TSR_ECDSA_RAW_MAX], back[TSR_ECDSA_RAW_MAX], der[160];
			size_t sig_len = 0, der_len = 0, back_len = 0;
			uint8_t m[2] = { msg[0], (uint8_t)k };

			g_assert_cmpint(tsr_ecdsa_sign(key, tsr_curve_hash(all_curves[i]), m, 2, sig,
			    &sig_len), ==, TSR_OK);
			g_assert_cmpint(tsr_ecdsa_sig_raw_to_der(sig, sig_len, der, sizeof(der),
			    &der_len), ==, TSR_OK);
			g_assert_cmpuint(der[0], ==, 0x30);
			g_assert_cmpint(tsr_ecdsa_sig_der_to_raw(all_curves[i], der, der_len, back,
			    &back_len), ==, TSR_OK);
			g_assert_cmpmem(back, back_len, sig, sig_len);
			g_assert_cmpuint(back_len, ==, 2 * clen);
			/* a too small output buffer */
			g_assert_cmpint(tsr_ecdsa_sig_raw_to_der(sig, sig_len, der, der_len - 1,
			    &der_len), ==, TSR_ERR_INVALID_ARGUMENT);
		}
		tsr_ec_key_free(key);
	}
}

static void
valid_ecdsa_der_vectors(void)
{
	/* r with its top bit set (needs 00), s with leading zero bytes (shortened) */
	uint8_t raw[64], der[80], back[64];
	size_t der_len = 0, back_len = 0;

	memset(raw, 0, sizeof(raw));
	raw[0] = 0x80;
	raw[31] = 0x01;
	raw[62] = 0x12;
	raw[63] = 0x34;
	g_assert_cmpint(tsr_ecdsa_sig_raw_to_der(raw, 64, der, sizeof(der), &der_len), ==, TSR_OK);
	tsr_test_assert_hex(der, der_len,
	    "30270221008000000000000000000000000000000000000000000000000000000000000001"
	    "02021234");
	g_assert_cmpint(tsr_ecdsa_sig_der_to_raw(TSR_CURVE_P256, der, der_len, back, &back_len), ==,
	    TSR_OK);
	g_assert_cmpmem(back, back_len, raw, 64);
}

static void
junk_ecdsa_der(void)
{
	static const struct {
		const char *hex;
		int want;
	} cases[] = {
		{ "", TSR_ERR_CRYPTO_BAD_SIGNATURE },
		{ "30", TSR_ERR_CRYPTO_BAD_SIGNATURE },
		{ "3006020101020101ff", TSR_ERR_CRYPTO_BAD_SIGNATURE },     /* trailing byte */
		{ "3007020101020101", TSR_ERR_CRYPTO_BAD_SIGNATURE },       /* length too long */
		{ "3006020101020201", TSR_ERR_CRYPTO_BAD_SIGNATURE },       /* s overruns */
		{ "3006020181020101", TSR_ERR_CRYPTO_BAD_SIGNATURE },       /* negative r */
		{ "300702020001020101", TSR_ERR_CRYPTO_BAD_SIGNATURE },     /* non-minimal r */
		{ "30080201010201010500", TSR_ERR_CRYPTO_BAD_SIGNATURE },   /* extra element */
		{ "30050201010201", TSR_ERR_CRYPTO_BAD_SIGNATURE },         /* truncated s */
		{ "300402000201", TSR_ERR_CRYPTO_BAD_SIGNATURE },           /* empty integers */
		{ "3026022101000000000000000000000000000000000000000000000000000000000000000102"
		  "0101", TSR_ERR_CRYPTO_BAD_SIGNATURE },                   /* 33-byte r on P-256 */
		{ "3006020100020101", TSR_OK },  /* r = 0 is well-formed; verification rejects it */
	};
	uint8_t raw[TSR_ECDSA_RAW_MAX], der[8];
	size_t raw_len = 77, der_len = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		size_t len = 0;
		g_autofree uint8_t *p = tsr_test_hex(cases[i].hex, &len);

		g_assert_cmpint(tsr_ecdsa_sig_der_to_raw(TSR_CURVE_P256, p, len, raw, &raw_len), ==,
		    cases[i].want);
		g_assert_cmpuint(raw_len, ==, cases[i].want == TSR_OK ? 64 : 77);
	}
	{
		/* wrong outer tag, non-minimal outer length */
		static const uint8_t set[] = { 0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
		static const uint8_t longlen[] = { 0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
		static const uint8_t octet[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x01 };

		g_assert_cmpint(tsr_ecdsa_sig_der_to_raw(TSR_CURVE_P256, set, sizeof(set), raw,
		    &raw_len), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
		g_assert_cmpint(tsr_ecdsa_sig_der_to_raw(TSR_CURVE_P256, longlen, sizeof(longlen), raw,
		    &raw_len), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
		g_assert_cmpint(tsr_ecdsa_sig_der_to_raw(TSR_CURVE_P256, octet, sizeof(octet), raw,
		    &raw_len), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
		g_assert_cmpint(tsr_ecdsa_sig_der_to_raw((tsr_curve_t)0, set, sizeof(set), raw,
		    &raw_len), ==, TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
		g_assert_cmpint(tsr_ecdsa_sig_der_to_raw(TSR_CURVE_P256, NULL, 8, raw, &raw_len), ==,
		    TSR_ERR_INVALID_ARGUMENT);
	}
	/* raw lengths that match no curve */
	memset(raw, 1, sizeof(raw));
	g_assert_cmpint(tsr_ecdsa_sig_raw_to_der(raw, 63, der, sizeof(der), &der_len), ==,
	    TSR_ERR_CRYPTO_BAD_SIGNATURE);
	g_assert_cmpint(tsr_ecdsa_sig_raw_to_der(raw, 0, der, sizeof(der), &der_len), ==,
	    TSR_ERR_CRYPTO_BAD_SIGNATURE);
	g_assert_cmpint(tsr_ecdsa_sig_raw_to_der(NULL, 64, der, sizeof(der), &der_len), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpuint(der_len, ==, 0);
}

static void
valid_ecdh_roundtrip(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(all_curves); i++) {
		tsr_ec_key_t *a = NULL, *b = NULL;
		tsr_ec_pub_t pa, pb;
		uint8_t za[TSR_EC_COORD_MAX], zb[TSR_EC_COORD_MAX];
		size_t la = 0, lb = 0;

		g_assert_cmpint(tsr_ec_key_generate(all_curves[i], &a), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_generate(all_curves[i], &b), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_public(a, &pa), ==, TSR_OK);
		g_assert_cmpint(tsr_ec_key_public(b, &pb), ==, TSR_OK);
		g_assert_cmpint(tsr_ecdh(a, &pb, za, &la), ==, TSR_OK);
		g_assert_cmpint(tsr_ecdh(b, &pa, zb, &lb), ==, TSR_OK);
		g_assert_cmpuint(la, ==, tsr_curve_coord_len(all_curves[i]));
		g_assert_cmpmem(za, la, zb, lb);
		tsr_ec_key_free(a);
		tsr_ec_key_free(b);
	}
}

static void
junk_ecdh_peer(void)
{
	tsr_ec_key_t *key = load_key("annex-d/static_device_key.pem"), *p384 = NULL;
	tsr_ec_pub_t peer, other;
	uint8_t z[TSR_EC_COORD_MAX];
	size_t z_len = 99;

	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P384, &p384), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(p384, &other), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdh(key, &other, z, &z_len), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ec_key_public(key, &peer), ==, TSR_OK);
	peer.y[0] ^= 0x40;
	g_assert_cmpint(tsr_ecdh(key, &peer, z, &z_len), ==, TSR_ERR_CRYPTO_BAD_KEY);
	memset(&peer, 0, sizeof(peer));
	peer.curve = TSR_CURVE_P256;
	g_assert_cmpint(tsr_ecdh(key, &peer, z, &z_len), ==, TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_cmpint(tsr_ecdh(NULL, &peer, z, &z_len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ecdh(key, NULL, z, &z_len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ecdh(key, &peer, NULL, &z_len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpuint(z_len, ==, 99);
	tsr_ec_key_free(key);
	tsr_ec_key_free(p384);
}

static int
counter_random(void *user, uint8_t *out, size_t len)
{
	uint8_t *ctr = user;

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(*ctr + i);
	return 0;
}

static int
failing_random(void *user, uint8_t *out, size_t len)
{
	(void)user;
	(void)out;
	(void)len;
	return -1;
}

static void
valid_generate_injected_rng(void)
{
	uint8_t seed = 3;
	tsr_ec_key_t *a = NULL, *b = NULL;
	tsr_ec_pub_t pa, pb;

	/* the key comes from tsr_random_bytes(), so an injected RNG fixes it */
	tsr_random_set(counter_random, &seed);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &a), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &b), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(a, &pa), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(b, &pb), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&pa, &pb));
	tsr_ec_key_free(b);
	b = NULL;
	tsr_random_set(failing_random, NULL);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &b), ==, TSR_ERR_RANDOM);
	g_assert_null(b);
	tsr_random_set(NULL, NULL);
	tsr_ec_key_free(a);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/ec/valid_curves", valid_curves);
	g_test_add_func("/crypto/ec/valid_annex_d_pem", valid_annex_d_pem);
	g_test_add_func("/crypto/ec/valid_sec1_pkcs8", valid_sec1_pkcs8);
	g_test_add_func("/crypto/ec/valid_pem_with_nul", valid_pem_with_nul);
	g_test_add_func("/crypto/ec/valid_key_pem_roundtrip", valid_key_pem_roundtrip);
	g_test_add_func("/crypto/ec/junk_keys", junk_keys);
	g_test_add_func("/crypto/ec/junk_scalar", junk_scalar);
	g_test_add_func("/crypto/ec/valid_spki_roundtrip", valid_spki_roundtrip);
	g_test_add_func("/crypto/ec/junk_spki", junk_spki);
	g_test_add_func("/crypto/ec/invalid_points", invalid_points);
	g_test_add_func("/crypto/ec/valid_generate_injected_rng", valid_generate_injected_rng);
	g_test_add_func("/crypto/ecdsa/valid_roundtrip", valid_ecdsa_roundtrip);
	g_test_add_func("/crypto/ecdsa/valid_rfc6979", valid_ecdsa_rfc6979);
	g_test_add_func("/crypto/ecdsa/junk_signature", junk_ecdsa_signature);
	g_test_add_func("/crypto/ecdsa/valid_der_roundtrip", valid_ecdsa_der_roundtrip);
	g_test_add_func("/crypto/ecdsa/valid_der_vectors", valid_ecdsa_der_vectors);
	g_test_add_func("/crypto/ecdsa/junk_der", junk_ecdsa_der);
	g_test_add_func("/crypto/ecdh/valid_roundtrip", valid_ecdh_roundtrip);
	g_test_add_func("/crypto/ecdh/junk_peer", junk_ecdh_peer);
	return g_test_run();
}
