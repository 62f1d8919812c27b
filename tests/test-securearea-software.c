/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The secure-area dispatch layer, the software back-end and PBKDF2. */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "cbor/codec.h"
#include "cose/cose.h"
#include "crypto/crypto.h"
#include "test-support.h"

/* Low enough that a test opens a wallet in a millisecond; the default
 * count has a test of its own. */
#define TEST_ITERATIONS "1000"
#define PASSPHRASE "correct horse battery staple"

static tsr_secure_area_t *
open_sw(const char *passphrase, const uint8_t *params, size_t params_len, int expect)
{
	tsr_sa_config_t config;
	tsr_secure_area_t *sa = NULL;

	memset(&config, 0, sizeof(config));
	config.kind = TSR_SA_SOFTWARE;
	config.secret = tsr_test_secret_cb;
	config.secret_user = (void *)(uintptr_t)passphrase;
	config.software_params = params;
	config.software_params_len = params_len;
	g_assert_cmpint(tsr_secure_area_open(&config, &sa), ==, expect);
	if (expect != TSR_OK)
		g_assert_null(sa);
	return sa;
}

static uint8_t *
get_params(tsr_secure_area_t *sa, size_t *ret_len)
{
	uint8_t *params = NULL;

	g_assert_cmpint(tsr_secure_area_software_params(sa, &params, ret_len), ==, TSR_OK);
	return params;
}

static void
create_key(tsr_secure_area_t *sa, const char *pin, uint8_t **ret_ref, size_t *ret_ref_len,
    tsr_ec_pub_t *ret_pub)
{
	tsr_sa_key_options_t options = { .pin = pin };
	uint8_t *cose = NULL;
	size_t cose_len = 0;

	g_assert_cmpint(tsr_secure_area_create_key(sa, &options, ret_ref, ret_ref_len, &cose,
	    &cose_len), ==, TSR_OK);
	g_assert_cmpint(tsr_cose_key_from_bytes(cose, cose_len, ret_pub), ==, TSR_OK);
	g_assert_cmpint(ret_pub->curve, ==, TSR_CURVE_P256);
	free(cose);
}

static uint8_t *
peer_cose(const tsr_ec_key_t *peer, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	tsr_ec_pub_t pub;
	uint8_t *out = NULL;

	g_assert_cmpint(tsr_ec_key_public(peer, &pub), ==, TSR_OK);
	tsr_cbor_enc_init(&enc);
	tsr_cose_key_encode(&enc, &pub);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &out, ret_len), ==, TSR_OK);
	tsr_cbor_enc_free(&enc);
	return out;
}

/* Sign, ECDH against a fresh peer (recomputed from the peer's side), and
 * the failure modes that do not depend on the key. */
static void
check_key_works(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len, const char *pin,
    const tsr_ec_pub_t *pub)
{
	static const uint8_t msg[] = "DeviceAuthentication bytes";
	tsr_ec_key_t *peer = NULL;
	uint8_t sig[64], z[32], want_z[TSR_EC_COORD_MAX], *cose;
	size_t cose_len = 0, want_len = 0;

	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, pin, msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(pub, TSR_HASH_SHA256, msg, sizeof(msg), sig,
	    sizeof(sig)), ==, TSR_OK);
	/* Another message does not verify under that signature. */
	g_assert_cmpint(tsr_ecdsa_verify(pub, TSR_HASH_SHA256, msg, sizeof(msg) - 1, sig,
	    sizeof(sig)), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
	/* An empty message is a message. */
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, pin, NULL, 0, sig), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(pub, TSR_HASH_SHA256, NULL, 0, sig, sizeof(sig)), ==,
	    TSR_OK);

	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &peer), ==, TSR_OK);
	cose = peer_cose(peer, &cose_len);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, pin, cose, cose_len, z),
	    ==, TSR_OK);
	g_assert_cmpint(tsr_ecdh(peer, pub, want_z, &want_len), ==, TSR_OK);
	g_assert_cmpuint(want_len, ==, 32);
	g_assert_cmpmem(z, sizeof(z), want_z, 32);
	free(cose);
	tsr_ec_key_free(peer);
}

static void
check_seal(tsr_secure_area_t *sa)
{
	uint8_t key[32], back[32], *blob = NULL;
	size_t blob_len = 0;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	g_assert_null(memmem(blob, blob_len, key, sizeof(key)));
	memset(back, 0, sizeof(back));
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, back), ==, TSR_OK);
	g_assert_cmpmem(back, sizeof(back), key, sizeof(key));
	free(blob);
}

static void
test_pbkdf2_vectors(void)
{
	/* RFC 7914 §11, and the widely used "password"/"salt" vector. */
	static const struct {
		const char *pw, *salt;
		uint32_t c;
		size_t len;
		const char *hex;
	} v[] = {
		{ "passwd", "salt", 1, 64,
		  "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
		  "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
		{ "Password", "NaCl", 80000, 64,
		  "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
		  "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d" },
		{ "password", "salt", 4096, 32,
		  "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
	};
	uint8_t out[64];

	for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
		g_assert_cmpint(tsr_pbkdf2_sha256((const uint8_t *)v[i].pw, strlen(v[i].pw),
		    (const uint8_t *)v[i].salt, strlen(v[i].salt), v[i].c, out, v[i].len), ==,
		    TSR_OK);
		tsr_test_assert_hex(out, v[i].len, v[i].hex);
	}
	g_assert_cmpint(tsr_pbkdf2_sha256(NULL, 0, NULL, 0, 1, out, 32), ==, TSR_OK);
	g_assert_cmpint(tsr_pbkdf2_sha256((const uint8_t *)"a", 1, NULL, 0, 0, out, 32), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_pbkdf2_sha256((const uint8_t *)"a", 1, NULL, 0, 1, out, 0), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_pbkdf2_sha256((const uint8_t *)"a", 1, NULL, 0, 1, NULL, 32), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_pbkdf2_sha256(NULL, 1, NULL, 0, 1, out, 32), ==,
	    TSR_ERR_INVALID_ARGUMENT);
}

static void
test_dispatch_junk_args(void)
{
	tsr_sa_config_t config;
	tsr_secure_area_t *sa = NULL;
	uint8_t *p = NULL;
	size_t n = 0;

	memset(&config, 0, sizeof(config));
	g_assert_cmpint(tsr_secure_area_open(NULL, &sa), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_secure_area_open(&config, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_secure_area_open(&config, &sa), ==, TSR_ERR_INVALID_ARGUMENT);
	config.kind = (tsr_sa_kind_t)42;
	g_assert_cmpint(tsr_secure_area_open(&config, &sa), ==, TSR_ERR_INVALID_ARGUMENT);
	config.kind = TSR_SA_SOFTWARE;
	config.software_params_len = 5;
	g_assert_cmpint(tsr_secure_area_open(&config, &sa), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(sa);

	tsr_secure_area_free(NULL);
	g_assert_cmpint(tsr_secure_area_kind(NULL), ==, 0);
	g_assert_false(tsr_secure_area_hardware_backed(NULL));
	g_assert_cmpstr(tsr_secure_area_describe(NULL), ==, "");
	g_assert_cmpint(tsr_secure_area_software_params(NULL, &p, &n), ==,
	    TSR_ERR_INVALID_ARGUMENT);
}

static void
test_valid_roundtrip(void)
{
	tsr_secure_area_t *sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	static const uint8_t msg[] = "m";
	tsr_ec_pub_t pub, pub2;
	uint8_t *ref = NULL, *ref2 = NULL, *params, sig[64];
	size_t ref_len = 0, ref2_len = 0, params_len = 0;

	g_assert_cmpint(tsr_secure_area_kind(sa), ==, TSR_SA_SOFTWARE);
	g_assert_false(tsr_secure_area_hardware_backed(sa));
	g_assert_cmpstr(tsr_secure_area_describe(sa), ==, "software (not hardware-backed)");
	params = get_params(sa, &params_len);
	g_assert_cmpuint(params_len, ==, 65);
	g_assert_cmpuint(params[0], ==, 1);
	/* The count used is recorded: here the test's, from the environment. */
	g_assert_cmpuint((uint32_t)params[1] << 24 | (uint32_t)params[2] << 16 |
	    (uint32_t)params[3] << 8 | params[4], ==, 1000);

	create_key(sa, NULL, &ref, &ref_len, &pub);
	create_key(sa, NULL, &ref2, &ref2_len, &pub2);
	g_assert_false(tsr_ec_pub_equal(&pub, &pub2));
	check_key_works(sa, ref, ref_len, NULL, &pub);
	check_key_works(sa, ref2, ref2_len, NULL, &pub2);
	check_seal(sa);

	/* Signatures do not verify under the other key. */
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(&pub2, TSR_HASH_SHA256, msg, sizeof(msg), sig,
	    sizeof(sig)), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);

	g_assert_cmpint(tsr_secure_area_delete_key(sa, ref, ref_len), ==, TSR_OK);
	memset(sig, 0xee, sizeof(sig));
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	/* Outputs stay untouched on failure. */
	for (size_t i = 0; i < sizeof(sig); i++)
		g_assert_cmpuint(sig[i], ==, 0xee);
	g_assert_cmpint(tsr_secure_area_delete_key(sa, ref, ref_len), ==, TSR_ERR_SA_KEY_INVALID);
	/* The other key is unaffected. */
	check_key_works(sa, ref2, ref2_len, NULL, &pub2);

	free(ref);
	free(ref2);
	free(params);
	tsr_secure_area_free(sa);
}

static void
test_valid_reopen(void)
{
	tsr_secure_area_t *sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	tsr_ec_pub_t pub;
	uint8_t *ref = NULL, *params, *params2, *blob = NULL, key[32], back[32];
	size_t ref_len = 0, params_len = 0, params2_len = 0, blob_len = 0;

	params = get_params(sa, &params_len);
	create_key(sa, NULL, &ref, &ref_len, &pub);
	memset(key, 0x5a, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	tsr_secure_area_free(sa);

	/* The recorded parameters win over the environment's count. */
	g_setenv("TESSERA_PBKDF2_ITERATIONS", "2000", TRUE);
	sa = open_sw(PASSPHRASE, params, params_len, TSR_OK);
	g_setenv("TESSERA_PBKDF2_ITERATIONS", TEST_ITERATIONS, TRUE);
	params2 = get_params(sa, &params2_len);
	g_assert_cmpmem(params2, params2_len, params, params_len);
	check_key_works(sa, ref, ref_len, NULL, &pub);
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, back), ==, TSR_OK);
	g_assert_cmpmem(back, sizeof(back), key, sizeof(key));
	tsr_secure_area_free(sa);

	free(ref);
	free(blob);
	free(params);
	free(params2);
}

static void
test_wrong_passphrase(void)
{
	tsr_secure_area_t *sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	uint8_t *params;
	size_t params_len = 0;

	params = get_params(sa, &params_len);
	tsr_secure_area_free(sa);

	open_sw("correct horse battery stapler", params, params_len, TSR_ERR_SA_PIN_INCORRECT);
	open_sw("x", params, params_len, TSR_ERR_SA_PIN_INCORRECT);
	/* No secret at all: cancelled, empty, or no callback. */
	open_sw(NULL, params, params_len, TSR_ERR_SA_PIN_REQUIRED);
	open_sw("", params, params_len, TSR_ERR_SA_PIN_REQUIRED);
	open_sw(NULL, NULL, 0, TSR_ERR_SA_PIN_REQUIRED);
	{
		tsr_sa_config_t config;

		memset(&config, 0, sizeof(config));
		config.kind = TSR_SA_SOFTWARE;
		config.software_params = params;
		config.software_params_len = params_len;
		g_assert_cmpint(tsr_secure_area_open(&config, &sa), ==, TSR_ERR_SA_PIN_REQUIRED);
	}
	/* The right one still works. */
	sa = open_sw(PASSPHRASE, params, params_len, TSR_OK);
	tsr_secure_area_free(sa);
	free(params);
}

static void
test_junk_params(void)
{
	tsr_secure_area_t *sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	uint8_t *params, junk[65];
	size_t params_len = 0;

	params = get_params(sa, &params_len);
	tsr_secure_area_free(sa);

	/* Truncated or extended. */
	for (size_t n = 1; n < params_len; n++)
		open_sw(PASSPHRASE, params, n, TSR_ERR_INVALID_ARGUMENT);
	{
		uint8_t longer[66];

		memcpy(longer, params, params_len);
		longer[65] = 0;
		open_sw(PASSPHRASE, longer, sizeof(longer), TSR_ERR_INVALID_ARGUMENT);
	}
	/* Another version. */
	memcpy(junk, params, sizeof(junk));
	junk[0] = 2;
	open_sw(PASSPHRASE, junk, sizeof(junk), TSR_ERR_INVALID_ARGUMENT);
	/* Zero or absurd iteration counts are refused before deriving. */
	memcpy(junk, params, sizeof(junk));
	memset(junk + 1, 0, 4);
	open_sw(PASSPHRASE, junk, sizeof(junk), TSR_ERR_INVALID_ARGUMENT);
	memset(junk + 1, 0xff, 4);
	open_sw(PASSPHRASE, junk, sizeof(junk), TSR_ERR_INVALID_ARGUMENT);
	/* Anything else altered (count, salt, check) makes the check fail:
	 * indistinguishable from a wrong passphrase. */
	for (size_t i = 4; i < sizeof(junk); i += 5) {
		memcpy(junk, params, sizeof(junk));
		junk[i] ^= 0x01;
		open_sw(PASSPHRASE, junk, sizeof(junk), TSR_ERR_SA_PIN_INCORRECT);
	}
	free(params);
}

static void
test_default_iterations(void)
{
	g_autofree char *saved = g_strdup(g_getenv("TESSERA_PBKDF2_ITERATIONS"));
	static const char *const junk_values[] = { "", "abc", "0", "-5", "12x", "99999999999" };
	tsr_secure_area_t *sa;
	uint8_t *params;
	size_t params_len = 0;

	/* Without the variable, and with values that are not a count, a new
	 * wallet gets 600,000 iterations. */
	g_unsetenv("TESSERA_PBKDF2_ITERATIONS");
	sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	params = get_params(sa, &params_len);
	g_assert_cmpuint((uint32_t)params[1] << 24 | (uint32_t)params[2] << 16 |
	    (uint32_t)params[3] << 8 | params[4], ==, 600000);
	tsr_secure_area_free(sa);
	free(params);
	if (g_test_slow()) {
		for (size_t i = 0; i < G_N_ELEMENTS(junk_values); i++) {
			g_setenv("TESSERA_PBKDF2_ITERATIONS", junk_values[i], TRUE);
			sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
			params = get_params(sa, &params_len);
			g_assert_cmpuint((uint32_t)params[1] << 24 | (uint32_t)params[2] << 16 |
			    (uint32_t)params[3] << 8 | params[4], ==, 600000);
			tsr_secure_area_free(sa);
			free(params);
		}
	}
	g_setenv("TESSERA_PBKDF2_ITERATIONS", saved, TRUE);
}

static void
test_key_pin(void)
{
	tsr_secure_area_t *sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	static const uint8_t msg[] = "m";
	tsr_ec_pub_t pub, pub2;
	uint8_t *ref = NULL, *ref2 = NULL, *cose = NULL, sig[64], z[32];
	size_t ref_len = 0, ref2_len = 0, cose_len = 0;
	tsr_ec_key_t *peer = NULL;
	tsr_sa_key_options_t options;
	char long_pin[300];

	create_key(sa, "2468", &ref, &ref_len, &pub);
	check_key_works(sa, ref, ref_len, "2468", &pub);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_PIN_REQUIRED);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "2469", msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "", msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &peer), ==, TSR_OK);
	cose = peer_cose(peer, &cose_len);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, "0000", cose, cose_len,
	    z), ==, TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, NULL, cose, cose_len, z),
	    ==, TSR_ERR_SA_PIN_REQUIRED);

	/* A PIN for a key that has none is wrong too. */
	create_key(sa, NULL, &ref2, &ref2_len, &pub2);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref2, ref2_len, "2468", msg, sizeof(msg), sig),
	    ==, TSR_ERR_SA_PIN_INCORRECT);

	/* Clearing the PIN flag does not make the key usable without it. */
	ref[1] = 0;
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	ref[1] = 1;

	/* PINs are 1..255 bytes. */
	memset(long_pin, '1', sizeof(long_pin) - 1);
	long_pin[sizeof(long_pin) - 1] = '\0';
	options.pin = long_pin;
	{
		uint8_t *r = NULL, *c = NULL;
		size_t rl = 0, cl = 0;

		g_assert_cmpint(tsr_secure_area_create_key(sa, &options, &r, &rl, &c, &cl), ==,
		    TSR_ERR_INVALID_ARGUMENT);
		options.pin = "";
		g_assert_cmpint(tsr_secure_area_create_key(sa, &options, &r, &rl, &c, &cl), ==,
		    TSR_ERR_INVALID_ARGUMENT);
		g_assert_null(r);
		g_assert_null(c);
	}
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, long_pin, msg, sizeof(msg), sig),
	    ==, TSR_ERR_SA_PIN_INCORRECT);

	tsr_ec_key_free(peer);
	free(cose);
	free(ref);
	free(ref2);
	tsr_secure_area_free(sa);
}

static void
test_other_wallet(void)
{
	/* Same passphrase, different salt: a different wallet. */
	tsr_secure_area_t *a = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	tsr_secure_area_t *b = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	static const uint8_t msg[] = "m";
	tsr_ec_pub_t pub;
	uint8_t *ref = NULL, *blob = NULL, key[32], sig[64];
	size_t ref_len = 0, blob_len = 0;

	create_key(a, NULL, &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_sign(b, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	g_assert_cmpint(tsr_secure_area_delete_key(b, ref, ref_len), ==, TSR_ERR_SA_KEY_INVALID);
	memset(key, 1, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(a, key, &blob, &blob_len), ==, TSR_OK);
	g_assert_cmpint(tsr_secure_area_unseal(b, blob, blob_len, key), ==, TSR_ERR_SA_KEY_INVALID);
	/* Even with this wallet's id copied in, the key does not decrypt. */
	{
		uint8_t *ref_b = NULL;
		size_t ref_b_len = 0;
		tsr_ec_pub_t pub_b;

		create_key(b, NULL, &ref_b, &ref_b_len, &pub_b);
		memcpy(ref + 2, ref_b + 2, 8);
		g_assert_cmpint(tsr_secure_area_sign(b, ref, ref_len, NULL, msg, sizeof(msg), sig),
		    ==, TSR_ERR_SA_KEY_INVALID);
		free(ref_b);
	}
	free(ref);
	free(blob);
	tsr_secure_area_free(a);
	tsr_secure_area_free(b);
}

static void
test_truncated_refs(void)
{
	tsr_secure_area_t *sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	static const uint8_t msg[] = "m";
	tsr_ec_pub_t pub;
	uint8_t *ref = NULL, *blob = NULL, *copy, key[32], sig[64];
	size_t ref_len = 0, blob_len = 0;
	int r;

	create_key(sa, NULL, &ref, &ref_len, &pub);
	/* Every truncation, then a byte too many. */
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, 0, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	for (size_t n = 1; n < ref_len; n++) {
		copy = g_memdup2(ref, n);
		g_assert_cmpint(tsr_secure_area_sign(sa, copy, n, NULL, msg, sizeof(msg), sig), ==,
		    TSR_ERR_SA_KEY_INVALID);
		g_free(copy);
	}
	copy = g_malloc0(ref_len + 1);
	memcpy(copy, ref, ref_len);
	g_assert_cmpint(tsr_secure_area_sign(sa, copy, ref_len + 1, NULL, msg, sizeof(msg), sig),
	    ==, TSR_ERR_SA_KEY_INVALID);
	g_free(copy);
	/* Every single-bit flip. Setting the PIN flag asks for a PIN. */
	for (size_t i = 0; i < ref_len; i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			ref[i] ^= (uint8_t)(1u << bit);
			r = tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig);
			if (i == 1 && bit == 0)
				g_assert_cmpint(r, ==, TSR_ERR_SA_PIN_REQUIRED);
			else
				g_assert_cmpint(r, ==, TSR_ERR_SA_KEY_INVALID);
			ref[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Garbage of plausible and implausible sizes. */
	for (size_t n = 1; n < 600; n += 7) {
		copy = g_malloc(n);
		for (size_t i = 0; i < n; i++)
			copy[i] = (uint8_t)g_test_rand_int_range(0, 256);
		g_assert_cmpint(tsr_secure_area_sign(sa, copy, n, NULL, msg, sizeof(msg), sig), ==,
		    TSR_ERR_SA_KEY_INVALID);
		g_assert_cmpint(tsr_secure_area_delete_key(sa, copy, n), ==,
		    TSR_ERR_SA_KEY_INVALID);
		g_assert_cmpint(tsr_secure_area_unseal(sa, copy, n, key), ==,
		    TSR_ERR_SA_KEY_INVALID);
		g_free(copy);
	}
	/* A huge reference is refused before anything looks at it. */
	copy = g_malloc0(64 * 1024);
	g_assert_cmpint(tsr_secure_area_sign(sa, copy, 64 * 1024, NULL, msg, sizeof(msg), sig),
	    ==, TSR_ERR_SA_KEY_INVALID);
	g_free(copy);
	check_key_works(sa, ref, ref_len, NULL, &pub);

	/* Sealed blobs: truncations and flips. */
	memset(key, 3, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	for (size_t n = 1; n < blob_len; n++)
		g_assert_cmpint(tsr_secure_area_unseal(sa, blob, n, key), ==,
		    TSR_ERR_SA_KEY_INVALID);
	for (size_t i = 0; i < blob_len; i++) {
		blob[i] ^= 0x80;
		g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, key), ==,
		    TSR_ERR_SA_KEY_INVALID);
		blob[i] ^= 0x80;
	}
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, key), ==, TSR_OK);

	free(blob);
	free(ref);
	tsr_secure_area_free(sa);
}

static void
test_junk_peer(void)
{
	tsr_secure_area_t *sa = open_sw(PASSPHRASE, NULL, 0, TSR_OK);
	static const uint8_t not_cbor[] = { 0xff, 0x00 };
	tsr_ec_key_t *p384 = NULL;
	tsr_ec_pub_t pub;
	uint8_t *ref = NULL, *cose, z[32];
	size_t ref_len = 0, cose_len = 0;

	create_key(sa, NULL, &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, NULL, not_cbor,
	    sizeof(not_cbor), z), <, 0);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, NULL, NULL, 0, z), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P384, &p384), ==, TSR_OK);
	cose = peer_cose(p384, &cose_len);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, NULL, cose, cose_len, z),
	    ==, TSR_ERR_CRYPTO_BAD_KEY);
	/* Our own public key as a COSE_Key with the point moved off the curve. */
	{
		tsr_cbor_enc_t enc;
		uint8_t *bad = NULL;
		size_t bad_len = 0;

		pub.y[31] ^= 1;
		tsr_cbor_enc_init(&enc);
		tsr_cose_key_encode(&enc, &pub);
		g_assert_cmpint(tsr_cbor_enc_finish(&enc, &bad, &bad_len), ==, TSR_OK);
		tsr_cbor_enc_free(&enc);
		g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, NULL, bad, bad_len,
		    z), ==, TSR_ERR_CRYPTO_BAD_KEY);
		free(bad);
	}
	tsr_ec_key_free(p384);
	free(cose);
	free(ref);
	tsr_secure_area_free(sa);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_setenv("TESSERA_PBKDF2_ITERATIONS", TEST_ITERATIONS, TRUE);
	g_test_add_func("/securearea/crypto/pbkdf2_vectors", test_pbkdf2_vectors);
	g_test_add_func("/securearea/dispatch/junk_args", test_dispatch_junk_args);
	g_test_add_func("/securearea/software/valid_roundtrip", test_valid_roundtrip);
	g_test_add_func("/securearea/software/valid_reopen", test_valid_reopen);
	g_test_add_func("/securearea/software/wrong_passphrase", test_wrong_passphrase);
	g_test_add_func("/securearea/software/junk_params", test_junk_params);
	g_test_add_func("/securearea/software/default_iterations", test_default_iterations);
	g_test_add_func("/securearea/software/key_pin", test_key_pin);
	g_test_add_func("/securearea/software/other_wallet", test_other_wallet);
	g_test_add_func("/securearea/software/truncated_refs", test_truncated_refs);
	g_test_add_func("/securearea/software/junk_peer", test_junk_peer);
	return g_test_run();
}
