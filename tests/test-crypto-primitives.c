/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Hashes, HMAC, HKDF, AES-256-GCM, and the Annex D session key schedule. */

#include <string.h>

#include <tessera/tessera.h>

#include "crypto/crypto.h"
#include "test-support.h"

/* keys.json */
#define READER_D "de3b4b9e5f72dd9b58406ae3091434da48a6f9fd010d88fcb0958e2cebec947c"
#define READER_X "60e3392385041f51403051f2415531cb56dd3f999c71687013aac6768bc8187e"
#define READER_Y "e58deb8fdbe907f7dd5368245551a34796f7d2215c440c339bb0f7b67beccdfa"
#define DEVICE_D "c1917a1579949a042f1ba9fc53a2df9b1bc47adf31c10f813ed75702d1c1f136"
#define DEVICE_X "5a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b624343167fe"
#define DEVICE_Y "b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32fc67"
#define STATIC_D "6ed542ad4783f0b18c833fadf2171273a35d969c581691ef704359cc7cf1e8c0"
/* session_secrets.json, derived.json */
#define SHARED_SECRET "6423502f843d8cda01fbd9fa46cb397534a740ab1ec3d1076fbcb12e1dca2589"
#define SK_READER "58d277d8719e62a1561d248f403f477e9e6c37bf5d5fc5126f8f4c727c22dfc9"
#define SK_DEVICE "81d170e07fbdac93c1a676242c2576124a380d87bb73ed9ce4834de2272cf409"
#define E_MAC_KEY "dc2b9566fdaaae3c06baa40993cd0451aeba15e7677ef5305f6531f3533c35dd"
/* iso18013-5-digest.md §3.3 */
#define SALT "f823ac566e22b2106c9b7c02fadc7482e559a1de8a809b56c828779e6d67570e"

static void
hex_into(const char *hex, uint8_t *out, size_t len)
{
	size_t n = 0;
	g_autofree uint8_t *p = tsr_test_hex(hex, &n);

	g_assert_cmpuint(n, ==, len);
	memcpy(out, p, len);
}

static tsr_ec_key_t *
key_from_hex(const char *d_hex)
{
	uint8_t d[32];
	tsr_ec_key_t *key = NULL;

	hex_into(d_hex, d, sizeof(d));
	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, sizeof(d), &key), ==, TSR_OK);
	return key;
}

static void
pub_from_hex(const char *x, const char *y, tsr_ec_pub_t *pub)
{
	memset(pub, 0, sizeof(*pub));
	pub->curve = TSR_CURVE_P256;
	hex_into(x, pub->x, 32);
	hex_into(y, pub->y, 32);
}

/* salt = SHA-256(SessionTranscriptBytes), 18013-5 §9.1.5.1 */
static void
annex_d_salt(uint8_t salt[32])
{
	size_t len = 0;
	g_autofree uint8_t *stb = tsr_test_load("annex-d/session_transcript_bytes.cbor", &len);

	g_assert_cmpint(tsr_hash(TSR_HASH_SHA256, stb, len, salt), ==, TSR_OK);
}

static void
annex_d_session_key(const char *info, uint8_t out[32])
{
	tsr_ec_key_t *reader = key_from_hex(READER_D);
	tsr_ec_pub_t device;
	uint8_t z[TSR_EC_COORD_MAX], salt[32];
	size_t z_len = 0;

	pub_from_hex(DEVICE_X, DEVICE_Y, &device);
	g_assert_cmpint(tsr_ecdh(reader, &device, z, &z_len), ==, TSR_OK);
	annex_d_salt(salt);
	g_assert_cmpint(tsr_hkdf_sha256(salt, 32, z, z_len, (const uint8_t *)info, strlen(info),
	    out, 32), ==, TSR_OK);
	tsr_ec_key_free(reader);
}

/*
 * The `data` bstr of a SessionEstablishment / SessionData map. Both files are
 * small maps whose only "data" key is the text string 64 'd' 'a' 't' 'a'; we
 * find it with memmem and read the bstr header that follows by hand, so that
 * this test does not depend on the cbor module.
 */
static tsr_span_t
cbor_data_bstr(const uint8_t *msg, size_t len)
{
	static const uint8_t key[] = { 0x64, 'd', 'a', 't', 'a' };
	const uint8_t *p = memmem(msg, len, key, sizeof(key));
	size_t n = 0, hdr = 1;
	tsr_span_t s;

	g_assert_nonnull(p);
	p += sizeof(key);
	switch (p[0]) {
	case 0x58:
		n = p[1];
		hdr = 2;
		break;
	case 0x59:
		n = (size_t)p[1] << 8 | p[2];
		hdr = 3;
		break;
	case 0x5a:
		n = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
		hdr = 5;
		break;
	default:
		g_assert_cmpuint(p[0] & 0xe0, ==, 0x40);
		g_assert_cmpuint(p[0], <, 0x58);
		n = p[0] & 0x1fu;
	}
	s.ptr = p + hdr;
	s.len = n;
	g_assert_true(s.ptr + s.len == msg + len); /* "data" is the last entry in both */
	return s;
}

static void
valid_sha_fips180(void)
{
	static const uint8_t abc[] = "abc";
	uint8_t out[TSR_HASH_MAX_LEN];

	g_assert_cmpint(tsr_hash(TSR_HASH_SHA256, abc, 3, out), ==, TSR_OK);
	tsr_test_assert_hex(out, 32,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	g_assert_cmpint(tsr_hash(TSR_HASH_SHA384, abc, 3, out), ==, TSR_OK);
	tsr_test_assert_hex(out, 48,
	    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	    "8086072ba1e7cc2358baeca134c825a7");
	g_assert_cmpint(tsr_hash(TSR_HASH_SHA512, abc, 3, out), ==, TSR_OK);
	tsr_test_assert_hex(out, 64,
	    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	g_assert_cmpint(tsr_hash(TSR_HASH_SHA256, NULL, 0, out), ==, TSR_OK);
	tsr_test_assert_hex(out, 32,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
valid_sha_names(void)
{
	tsr_hash_alg_t alg = TSR_HASH_SHA512;

	g_assert_cmpuint(tsr_hash_len(TSR_HASH_SHA256), ==, 32);
	g_assert_cmpuint(tsr_hash_len(TSR_HASH_SHA384), ==, 48);
	g_assert_cmpuint(tsr_hash_len(TSR_HASH_SHA512), ==, 64);
	g_assert_cmpuint(tsr_hash_len((tsr_hash_alg_t)7), ==, 0);
	g_assert_cmpstr(tsr_hash_name(TSR_HASH_SHA384), ==, "SHA-384");
	g_assert_null(tsr_hash_name((tsr_hash_alg_t)7));
	g_assert_cmpint(tsr_hash_from_name("SHA-256", &alg), ==, TSR_OK);
	g_assert_cmpint(alg, ==, TSR_HASH_SHA256);
	g_assert_cmpint(tsr_hash_from_name("SHA-512", &alg), ==, TSR_OK);
	g_assert_cmpint(alg, ==, TSR_HASH_SHA512);
	g_assert_cmpint(tsr_hash_from_name("sha-256", &alg), ==, TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(tsr_hash_from_name("SHA-1", &alg), ==, TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(alg, ==, TSR_HASH_SHA512);
	g_assert_cmpint(tsr_hash_from_name(NULL, &alg), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hash_from_name("SHA-256", NULL), ==, TSR_ERR_INVALID_ARGUMENT);
}

static void
bad_args_sha(void)
{
	uint8_t out[TSR_HASH_MAX_LEN];

	g_assert_cmpint(tsr_hash(TSR_HASH_SHA256, NULL, 1, out), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hash(TSR_HASH_SHA256, out, 1, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hash((tsr_hash_alg_t)9, out, 1, out), ==,
	    TSR_ERR_CRYPTO_UNSUPPORTED_ALG);
	g_assert_cmpint(tsr_hmac_sha256(NULL, 1, out, 1, out), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hmac_sha256(out, 1, NULL, 1, out), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hmac_sha256(out, 1, out, 1, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
}

static void
valid_hmac_rfc4231(void)
{
	static const char jefe[] = "Jefe";
	static const char what[] = "what do ya want for nothing?";
	static const char hi[] = "Hi There";
	uint8_t key[20], out[32];

	/* RFC 4231 §4.2 (test case 1) and §4.3 (test case 2) */
	memset(key, 0x0b, sizeof(key));
	g_assert_cmpint(tsr_hmac_sha256(key, sizeof(key), (const uint8_t *)hi, strlen(hi), out),
	    ==, TSR_OK);
	tsr_test_assert_hex(out, 32,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	g_assert_cmpint(tsr_hmac_sha256((const uint8_t *)jefe, strlen(jefe),
	    (const uint8_t *)what, strlen(what), out), ==, TSR_OK);
	tsr_test_assert_hex(out, 32,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void
valid_hkdf_rfc5869(void)
{
	uint8_t ikm[22], salt[13], info[10], okm[42];

	/* RFC 5869 A.1 (test case 1) */
	memset(ikm, 0x0b, sizeof(ikm));
	for (size_t i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	g_assert_cmpint(tsr_hkdf_sha256(salt, sizeof(salt), ikm, sizeof(ikm), info, sizeof(info),
	    okm, sizeof(okm)), ==, TSR_OK);
	tsr_test_assert_hex(okm, 42,
	    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	    "34007208d5b887185865");
	/* RFC 5869 A.3 (test case 3: no salt, no info) */
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), NULL, 0, okm, sizeof(okm)), ==,
	    TSR_OK);
	tsr_test_assert_hex(okm, 42,
	    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	    "9d201395faa4b61a96c8");
}

static void
bad_args_hkdf(void)
{
	uint8_t ikm[22] = { 0 };
	g_autofree uint8_t *big = g_malloc(255 * 32 + 1);

	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), NULL, 0, big, 0), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), NULL, 0, big, 255 * 32 + 1), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), NULL, 0, big, 255 * 32), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), NULL, 0, NULL, 32), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 3, ikm, sizeof(ikm), NULL, 0, big, 32), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, NULL, 3, NULL, 0, big, 32), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), NULL, 3, big, 32), ==,
	    TSR_ERR_INVALID_ARGUMENT);
}

static void
valid_ecdh_annex_d(void)
{
	tsr_ec_key_t *reader = key_from_hex(READER_D), *device = key_from_hex(DEVICE_D);
	tsr_ec_pub_t reader_pub, device_pub;
	uint8_t z[TSR_EC_COORD_MAX];
	size_t z_len = 0;

	pub_from_hex(READER_X, READER_Y, &reader_pub);
	pub_from_hex(DEVICE_X, DEVICE_Y, &device_pub);
	g_assert_cmpint(tsr_ecdh(reader, &device_pub, z, &z_len), ==, TSR_OK);
	tsr_test_assert_hex(z, z_len, SHARED_SECRET);
	z_len = 0;
	g_assert_cmpint(tsr_ecdh(device, &reader_pub, z, &z_len), ==, TSR_OK);
	tsr_test_assert_hex(z, z_len, SHARED_SECRET);
	tsr_ec_key_free(reader);
	tsr_ec_key_free(device);
}

static void
valid_hkdf_annex_d(void)
{
	uint8_t salt[32], sk[32];

	annex_d_salt(salt);
	tsr_test_assert_hex(salt, 32, SALT);
	annex_d_session_key("SKReader", sk);
	tsr_test_assert_hex(sk, 32, SK_READER);
	annex_d_session_key("SKDevice", sk);
	tsr_test_assert_hex(sk, 32, SK_DEVICE);
}

static void
valid_hkdf_annex_d_emac(void)
{
	/* EMacKey = HKDF(ECDH(SDeviceKey, EReaderKey), salt, "EMacKey"), 18013-5 §9.1.3.5 */
	tsr_ec_key_t *sdevice = key_from_hex(STATIC_D);
	tsr_ec_pub_t reader;
	uint8_t z[TSR_EC_COORD_MAX], salt[32], emac[32];
	size_t z_len = 0;

	pub_from_hex(READER_X, READER_Y, &reader);
	g_assert_cmpint(tsr_ecdh(sdevice, &reader, z, &z_len), ==, TSR_OK);
	g_assert_cmpuint(z_len, ==, 32);
	annex_d_salt(salt);
	g_assert_cmpint(tsr_hkdf_sha256(salt, 32, z, z_len, (const uint8_t *)"EMacKey", 7, emac,
	    32), ==, TSR_OK);
	tsr_test_assert_hex(emac, 32, E_MAC_KEY);
	tsr_ec_key_free(sdevice);
}

/* 18013-5 §9.1.1.5: IV = 8-byte identifier || 4-byte big-endian counter. */
static void
session_iv(bool from_device, uint32_t counter, uint8_t iv[12])
{
	memset(iv, 0, 12);
	iv[7] = from_device ? 1 : 0;
	iv[8] = (uint8_t)(counter >> 24);
	iv[9] = (uint8_t)(counter >> 16);
	iv[10] = (uint8_t)(counter >> 8);
	iv[11] = (uint8_t)counter;
}

static void
check_annex_d_decrypt(const char *msg_file, const char *plain_file, const char *sk_hex,
    bool from_device)
{
	size_t msg_len = 0, plain_len = 0;
	g_autofree uint8_t *msg = tsr_test_load(msg_file, &msg_len);
	g_autofree uint8_t *plain = tsr_test_load(plain_file, &plain_len);
	g_autofree uint8_t *out = NULL;
	tsr_span_t data = cbor_data_bstr(msg, msg_len);
	uint8_t key[32], iv[12];

	hex_into(sk_hex, key, 32);
	session_iv(from_device, 1, iv);
	g_assert_cmpuint(data.len, ==, plain_len + TSR_GCM_TAG_LEN);
	out = g_malloc(data.len);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, data.ptr, data.len, out), ==, TSR_OK);
	g_assert_cmpmem(out, plain_len, plain, plain_len);
	/* and back: encryption is deterministic for a given key and IV */
	g_assert_cmpint(tsr_aes256gcm_encrypt(key, iv, plain, plain_len, out), ==, TSR_OK);
	g_assert_cmpmem(out, data.len, data.ptr, data.len);
	/* the wrong counter fails */
	session_iv(from_device, 2, iv);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, data.ptr, data.len, out), ==,
	    TSR_ERR_CRYPTO_DECRYPT);
}

static void
valid_gcm_annex_d_request(void)
{
	check_annex_d_decrypt("annex-d/session_establishment.cbor", "annex-d/device_request.cbor",
	    SK_READER, false);
}

static void
valid_gcm_annex_d_response(void)
{
	check_annex_d_decrypt("annex-d/session_data.cbor", "annex-d/device_response.cbor",
	    SK_DEVICE, true);
}

static bool
all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

static void
check_tamper(size_t pos)
{
	size_t msg_len = 0;
	g_autofree uint8_t *msg = tsr_test_load("annex-d/session_data.cbor", &msg_len);
	g_autofree uint8_t *ct = NULL, *out = NULL;
	tsr_span_t data = cbor_data_bstr(msg, msg_len);
	uint8_t key[32], iv[12];

	hex_into(SK_DEVICE, key, 32);
	session_iv(true, 1, iv);
	ct = g_memdup2(data.ptr, data.len);
	ct[pos] ^= 0x01;
	out = g_malloc(data.len);
	memset(out, 0xaa, data.len);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, ct, data.len, out), ==,
	    TSR_ERR_CRYPTO_DECRYPT);
	g_assert_true(all_zero(out, data.len - TSR_GCM_TAG_LEN));
}

static void
junk_gcm_tag(void)
{
	size_t msg_len = 0;
	g_autofree uint8_t *msg = tsr_test_load("annex-d/session_data.cbor", &msg_len);
	tsr_span_t data = cbor_data_bstr(msg, msg_len);

	check_tamper(data.len - 1);
	check_tamper(data.len - TSR_GCM_TAG_LEN);
}

static void
junk_gcm_ciphertext(void)
{
	check_tamper(0);
	check_tamper(100);
}

static void
valid_gcm_roundtrip(void)
{
	uint8_t key[32], iv[12], pt[100], buf[100 + TSR_GCM_TAG_LEN], back[100], tag_only[16];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7);
	memset(iv, 0x42, sizeof(iv));
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)i;
	g_assert_cmpint(tsr_aes256gcm_encrypt(key, iv, pt, sizeof(pt), buf), ==, TSR_OK);
	g_assert_true(memcmp(buf, pt, sizeof(pt)) != 0);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, buf, sizeof(buf), back), ==, TSR_OK);
	g_assert_cmpmem(back, sizeof(back), pt, sizeof(pt));
	/* in place */
	memcpy(buf, pt, sizeof(pt));
	g_assert_cmpint(tsr_aes256gcm_encrypt(key, iv, buf, sizeof(pt), buf), ==, TSR_OK);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, buf, sizeof(buf), buf), ==, TSR_OK);
	g_assert_cmpmem(buf, sizeof(pt), pt, sizeof(pt));
	/* empty plaintext: the output is the tag alone */
	g_assert_cmpint(tsr_aes256gcm_encrypt(key, iv, NULL, 0, tag_only), ==, TSR_OK);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, tag_only, sizeof(tag_only), NULL), ==, TSR_OK);
	tag_only[3] ^= 0x80;
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, tag_only, sizeof(tag_only), NULL), ==,
	    TSR_ERR_CRYPTO_DECRYPT);
	/* the wrong key fails */
	g_assert_cmpint(tsr_aes256gcm_encrypt(key, iv, pt, sizeof(pt), buf), ==, TSR_OK);
	key[0] ^= 1;
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, buf, sizeof(buf), back), ==,
	    TSR_ERR_CRYPTO_DECRYPT);
}

static void
truncated_gcm(void)
{
	uint8_t key[32] = { 0 }, iv[12] = { 0 }, buf[32] = { 0 };

	for (size_t len = 0; len < TSR_GCM_TAG_LEN; len++)
		g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, buf, len, buf), ==,
		    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_aes256gcm_decrypt(NULL, iv, buf, 32, buf), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, NULL, buf, 32, buf), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, NULL, 32, buf), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_aes256gcm_decrypt(key, iv, buf, 32, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_aes256gcm_encrypt(NULL, iv, buf, 1, buf), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_aes256gcm_encrypt(key, iv, NULL, 1, buf), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_aes256gcm_encrypt(key, iv, buf, 1, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/sha/valid_fips180", valid_sha_fips180);
	g_test_add_func("/crypto/sha/valid_names", valid_sha_names);
	g_test_add_func("/crypto/sha/bad_args", bad_args_sha);
	g_test_add_func("/crypto/hmac/valid_rfc4231", valid_hmac_rfc4231);
	g_test_add_func("/crypto/hkdf/valid_rfc5869", valid_hkdf_rfc5869);
	g_test_add_func("/crypto/hkdf/bad_args", bad_args_hkdf);
	g_test_add_func("/crypto/ecdh/valid_annex_d", valid_ecdh_annex_d);
	g_test_add_func("/crypto/hkdf/valid_annex_d", valid_hkdf_annex_d);
	g_test_add_func("/crypto/hkdf/valid_annex_d_emac", valid_hkdf_annex_d_emac);
	g_test_add_func("/crypto/gcm/valid_annex_d_request", valid_gcm_annex_d_request);
	g_test_add_func("/crypto/gcm/valid_annex_d_response", valid_gcm_annex_d_response);
	g_test_add_func("/crypto/gcm/junk_tag", junk_gcm_tag);
	g_test_add_func("/crypto/gcm/junk_ciphertext", junk_gcm_ciphertext);
	g_test_add_func("/crypto/gcm/valid_roundtrip", valid_gcm_roundtrip);
	g_test_add_func("/crypto/gcm/truncated", truncated_gcm);
	return g_test_run();
}
