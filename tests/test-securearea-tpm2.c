/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The TPM 2.0 secure area against a real swtpm (tests/support/swtpm.c). */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "cbor/codec.h"
#include "cose/cose.h"
#include "crypto/crypto.h"
#include "securearea/tpm2-private.h"
#include "swtpm.h"
#include "test-support.h"

static tsr_test_swtpm_t *tpm_a; /* shared by the cases that need one TPM */
static GString *debug_log;

static void
log_handler(const char *msg, void *user)
{
	(void)user;
	g_string_append(debug_log, msg);
	g_string_append_c(debug_log, '\n');
	if (g_getenv("TESSERA_DEBUG") != NULL)
		g_printerr("%s\n", msg);
}

static tsr_secure_area_t *
open_tpm(const tsr_test_swtpm_t *tpm)
{
	tsr_sa_config_t cfg;
	tsr_secure_area_t *sa = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = TSR_SA_TPM2;
	cfg.tpm_tcti = tsr_test_swtpm_tcti(tpm);
	g_assert_cmpint(tsr_secure_area_open(&cfg, &sa), ==, TSR_OK);
	return sa;
}

static void
new_key(tsr_secure_area_t *sa, const char *pin, uint8_t **ref, size_t *ref_len,
    tsr_ec_pub_t *pub)
{
	tsr_sa_key_options_t opt = { .pin = pin };
	uint8_t *cose = NULL;
	size_t cose_len = 0;

	g_assert_cmpint(tsr_secure_area_create_key(sa, &opt, ref, ref_len, &cose, &cose_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_cose_key_from_bytes(cose, cose_len, pub), ==, TSR_OK);
	g_assert_cmpint(pub->curve, ==, TSR_CURVE_P256);
	free(cose);
}

static void
test_describe(void)
{
	tsr_secure_area_t *sa = open_tpm(tpm_a);

	g_assert_cmpstr(tsr_secure_area_describe(sa), ==, "TPM 2.0");
	g_assert_true(tsr_secure_area_hardware_backed(sa));
	g_assert_cmpint(tsr_secure_area_kind(sa), ==, TSR_SA_TPM2);
	tsr_secure_area_free(sa);
}

static void
test_sign_verify(void)
{
	tsr_secure_area_t *sa = open_tpm(tpm_a);
	static const uint8_t msg[] = "to be signed by a TPM";
	uint8_t *ref = NULL, sig[64];
	size_t ref_len = 0;
	tsr_ec_pub_t pub;

	new_key(sa, NULL, &ref, &ref_len, &pub);
	/* Public and private blobs (90 + 128 bytes) plus the header and the
	 * parent's name. */
	g_assert_cmpuint(ref_len, <, 400);
	for (int i = 0; i < 5; i++) {
		g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
		    TSR_OK);
		g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig, 64), ==,
		    TSR_OK);
	}
	/* A different message does not verify. */
	g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg) - 1, sig, 64), ==,
	    TSR_ERR_CRYPTO_BAD_SIGNATURE);
	g_assert_cmpint(tsr_secure_area_delete_key(sa, ref, ref_len), ==, TSR_OK);
	free(ref);
	tsr_secure_area_free(sa);
}

static void
test_ecdh_matches_software(void)
{
	tsr_secure_area_t *sa = open_tpm(tpm_a);
	uint8_t *ref = NULL, z_tpm[32], z_sw[TSR_EC_COORD_MAX], *peer_cose = NULL;
	size_t ref_len = 0, z_len = 0, peer_len = 0;
	tsr_ec_key_t *peer = NULL;
	tsr_ec_pub_t pub, peer_pub;
	tsr_cbor_enc_t enc;

	new_key(sa, NULL, &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &peer), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(peer, &peer_pub), ==, TSR_OK);
	tsr_cbor_enc_init(&enc);
	tsr_cose_key_encode(&enc, &peer_pub);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &peer_cose, &peer_len), ==, TSR_OK);

	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, NULL, peer_cose, peer_len,
	    z_tpm), ==, TSR_OK);
	/* The reader's side, in software: the same x-coordinate. */
	g_assert_cmpint(tsr_ecdh(peer, &pub, z_sw, &z_len), ==, TSR_OK);
	g_assert_cmpuint(z_len, ==, 32);
	g_assert_cmpmem(z_tpm, 32, z_sw, 32);

	tsr_ec_key_free(peer);
	free(peer_cose);
	free(ref);
	tsr_secure_area_free(sa);
}

static void
test_seal_unseal(void)
{
	tsr_secure_area_t *sa = open_tpm(tpm_a);
	uint8_t key[32], back[32], *blob = NULL;
	size_t blob_len = 0;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xa0 + i);
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	/* The key is not in the blob in clear. */
	g_assert_null(memmem(blob, blob_len, key, sizeof(key)));
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, back), ==, TSR_OK);
	g_assert_cmpmem(back, 32, key, 32);
	/* A damaged blob is refused. */
	blob[blob_len - 5] ^= 0x01;
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, back), ==,
	    TSR_ERR_SA_KEY_INVALID);
	/* And a truncated one. */
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len - 1, back), ==,
	    TSR_ERR_SA_KEY_INVALID);
	free(blob);
	tsr_secure_area_free(sa);
}

static void
test_pin(void)
{
	/* A TPM of its own: wrong PINs count against its lockout. */
	tsr_test_swtpm_t *tpm = tsr_test_swtpm_new(NULL);
	tsr_secure_area_t *sa = open_tpm(tpm);
	static const uint8_t msg[] = "pin";
	uint8_t *ref = NULL, sig[64];
	size_t ref_len = 0;
	tsr_ec_pub_t pub;
	int r = TSR_OK;

	new_key(sa, "1234", &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "1234", msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig, 64), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_PIN_REQUIRED);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "4321", msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	/* Keep guessing: the TPM's dictionary-attack protection locks out. */
	for (int i = 0; i < 64 && r != TSR_ERR_SA_PIN_LOCKED; i++) {
		r = tsr_secure_area_sign(sa, ref, ref_len, "0000", msg, sizeof(msg), sig);
		g_assert_true(r == TSR_ERR_SA_PIN_INCORRECT || r == TSR_ERR_SA_PIN_LOCKED);
	}
	g_assert_cmpint(r, ==, TSR_ERR_SA_PIN_LOCKED);
	/* Now even the right PIN is refused. */
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "1234", msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_PIN_LOCKED);
	free(ref);
	tsr_secure_area_free(sa);
	tsr_test_swtpm_free(tpm);
}

static void
test_other_tpm(void)
{
	tsr_test_swtpm_t *tpm_b = tsr_test_swtpm_new(NULL);
	tsr_secure_area_t *a = open_tpm(tpm_a), *b = open_tpm(tpm_b);
	static const uint8_t msg[] = "m";
	uint8_t *ref = NULL, *blob = NULL, sig[64], key[32] = { 1 }, back[32];
	size_t ref_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;

	new_key(a, NULL, &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_seal(a, key, &blob, &blob_len), ==, TSR_OK);
	g_string_truncate(debug_log, 0);
	g_assert_cmpint(tsr_secure_area_sign(b, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	g_assert_nonnull(strstr(debug_log->str, "another TPM"));
	g_assert_cmpint(tsr_secure_area_unseal(b, blob, blob_len, back), ==,
	    TSR_ERR_SA_KEY_INVALID);

	/* Even with the parent name forged to B's, B's TPM refuses the blob
	 * (TPM_RC_INTEGRITY): the private part is wrapped by A's primary. */
	{
		uint8_t *ref_b = NULL;
		size_t ref_b_len = 0;
		tsr_ec_pub_t pub_b;

		new_key(b, NULL, &ref_b, &ref_b_len, &pub_b);
		/* header (3) + TPM2B_NAME (2 + 34) */
		g_assert_cmpuint(ref_b_len, >, 39);
		memcpy(ref + 3, ref_b + 3, 36);
		g_string_truncate(debug_log, 0);
		g_assert_cmpint(tsr_secure_area_sign(b, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
		    TSR_ERR_SA_KEY_INVALID);
		g_assert_nonnull(strstr(debug_log->str, "not made by this TPM"));
		free(ref_b);
	}
	free(ref);
	free(blob);
	tsr_secure_area_free(a);
	tsr_secure_area_free(b);
	tsr_test_swtpm_free(tpm_b);
}

static void
test_restart(void)
{
	tsr_test_swtpm_t *tpm = tsr_test_swtpm_new(NULL);
	tsr_secure_area_t *sa = open_tpm(tpm);
	static const uint8_t msg[] = "after a reboot";
	uint8_t *ref = NULL, *blob = NULL, sig[64], key[32] = { 7, 7, 7 }, back[32];
	size_t ref_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;

	new_key(sa, "pin", &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	tsr_secure_area_free(sa);

	tsr_test_swtpm_restart(tpm);
	sa = open_tpm(tpm);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "pin", msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig, 64), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, back), ==, TSR_OK);
	g_assert_cmpmem(back, 32, key, 32);

	/* A secure area that stays open across the restart recovers too: its
	 * saved primary context is gone, so it derives the primary again. */
	tsr_test_swtpm_restart(tpm);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "pin", msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_UNAVAILABLE);
	tsr_secure_area_free(sa);
	sa = open_tpm(tpm);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "pin", msg, sizeof(msg), sig), ==,
	    TSR_OK);
	free(ref);
	free(blob);
	tsr_secure_area_free(sa);
	tsr_test_swtpm_free(tpm);
}

static void
test_unreachable(void)
{
	tsr_sa_config_t cfg;
	tsr_secure_area_t *sa = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = TSR_SA_TPM2;
	/* Port 1 on loopback: nothing listens there. */
	cfg.tpm_tcti = "swtpm:host=127.0.0.1,port=1";
	g_string_truncate(debug_log, 0);
	g_assert_cmpint(tsr_secure_area_open(&cfg, &sa), ==, TSR_ERR_SA_UNAVAILABLE);
	g_assert_null(sa);
	g_assert_nonnull(strstr(debug_log->str, "swtpm:host=127.0.0.1,port=1"));
	/* The environment variable is the fallback. */
	g_setenv("TESSERA_TCTI", "swtpm:host=127.0.0.1,port=1", TRUE);
	cfg.tpm_tcti = NULL;
	g_string_truncate(debug_log, 0);
	g_assert_cmpint(tsr_secure_area_open(&cfg, &sa), ==, TSR_ERR_SA_UNAVAILABLE);
	g_assert_nonnull(strstr(debug_log->str, "port=1"));
	g_unsetenv("TESSERA_TCTI");
}

static void
test_bad_refs(void)
{
	tsr_secure_area_t *sa = open_tpm(tpm_a);
	static const uint8_t junk[] = { 1, 1, 0, 0, 0 };
	uint8_t *ref = NULL, sig[64], *blob = NULL, key[32] = { 0 };
	size_t ref_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;

	g_assert_cmpint(tsr_secure_area_sign(sa, junk, sizeof(junk), NULL, junk, 1, sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	new_key(sa, NULL, &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	/* A sealed blob is not a key, nor a key a sealed blob. */
	g_assert_cmpint(tsr_secure_area_sign(sa, blob, blob_len, NULL, junk, 1, sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	g_assert_cmpint(tsr_secure_area_unseal(sa, ref, ref_len, key), ==, TSR_ERR_SA_KEY_INVALID);
	/* Unknown version. */
	ref[0] = 2;
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, junk, 1, sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	ref[0] = 1;
	/* Trailing bytes. */
	ref = realloc(ref, ref_len + 1);
	ref[ref_len] = 0;
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len + 1, NULL, junk, 1, sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	free(ref);
	free(blob);
	tsr_secure_area_free(sa);
}

/* Only TCTIs whose connection is ours alone get their stale handles
 * flushed at open; behind a resource manager, or on a TCTI we do not know,
 * nothing is flushed. */
static void
test_tcti_is_direct(void)
{
	static const struct {
		const char *tcti;
		bool direct;
	} cases[] = {
		{ "swtpm:host=127.0.0.1,port=2321", true },
		{ "swtpm", true },
		{ "mssim:host=localhost,port=2321", true },
		{ "device:/dev/tpm0", true },
		{ "device", true }, /* /dev/tpm0 is the device TCTI's default */
		{ "device:/dev/tpmrm0", false },
		{ "device:/dev/tpmrm1", false },
		{ "tabrmd", false },
		{ "tabrmd:bus_name=com.intel.tss2.Tabrmd", false },
		{ "libtss2-tcti-swtpm.so.0:port=2321", false },
		{ "cmd:tpm2_send", false },
		{ "swtpmx:port=2321", false },
		{ "", false },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("%s", cases[i].tcti);
		g_assert_cmpint(tsr_tpm2_tcti_is_direct(cases[i].tcti), ==, cases[i].direct);
	}
}

int
main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	debug_log = g_string_new(NULL);
	tsr_log_set_handler(log_handler, NULL);
	g_test_add_func("/securearea/tpm2/tcti_is_direct", test_tcti_is_direct);
	if (!tsr_test_swtpm_available()) {
		/* ./run installs swtpm; without it there is nothing to test. */
		g_test_message("swtpm is not installed");
		g_test_add_func("/securearea/tpm2/unreachable", test_unreachable);
		return g_test_run();
	}
	tpm_a = tsr_test_swtpm_new(NULL);
	g_test_add_func("/securearea/tpm2/describe", test_describe);
	g_test_add_func("/securearea/tpm2/sign_verify", test_sign_verify);
	g_test_add_func("/securearea/tpm2/ecdh_matches_software", test_ecdh_matches_software);
	g_test_add_func("/securearea/tpm2/seal_unseal", test_seal_unseal);
	g_test_add_func("/securearea/tpm2/pin", test_pin);
	g_test_add_func("/securearea/tpm2/other_tpm", test_other_tpm);
	g_test_add_func("/securearea/tpm2/restart", test_restart);
	g_test_add_func("/securearea/tpm2/unreachable", test_unreachable);
	g_test_add_func("/securearea/tpm2/bad_refs", test_bad_refs);
	r = g_test_run();
	tsr_test_swtpm_free(tpm_a);
	g_string_free(debug_log, TRUE);
	return r;
}
