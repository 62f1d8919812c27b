/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <tessera/tessera.h>

#include "cose/cose.h"
#include "test-support.h"

static tsr_cbor_doc_t *
decode(const uint8_t *ptr, size_t len)
{
	tsr_cbor_doc_t *doc = NULL;

	g_assert_cmpint(tsr_cbor_decode(ptr, len, NULL, &doc), ==, TSR_OK);
	return doc;
}

static tsr_cbor_doc_t *
decode_hex(const char *hex)
{
	size_t len = 0;
	g_autofree uint8_t *bytes = tsr_test_hex(hex, &len);

	return decode(bytes, len);
}

static void
valid_key_annex_d(void)
{
	g_autofree uint8_t *bytes = NULL;
	size_t len = 0;
	tsr_cbor_doc_t *doc, *inner = NULL;
	tsr_ec_pub_t pub;
	tsr_cbor_enc_t enc;
	uint8_t *again = NULL;
	size_t again_len = 0;

	bytes = tsr_test_load("annex-d/e_device_key_bytes.cbor", &len);
	doc = decode(bytes, len);
	g_assert_cmpint(tsr_cbor_decode_embedded(tsr_cbor_doc_root(doc), NULL, &inner), ==, TSR_OK);
	g_assert_cmpint(tsr_cose_key_decode(tsr_cbor_doc_root(inner), &pub), ==, TSR_OK);
	g_assert_cmpint(pub.curve, ==, TSR_CURVE_P256);
	tsr_test_assert_hex(pub.y, 32,
	    "b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32fc67");
	/* Annex D's key order is ours: 1, -1, -2, -3. */
	tsr_cbor_enc_init(&enc);
	tsr_cose_key_encode(&enc, &pub);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &again, &again_len), ==, TSR_OK);
	g_assert_cmpmem(again, again_len, tsr_cbor_doc_root(inner)->raw.ptr,
	    tsr_cbor_doc_root(inner)->raw.len);
	free(again);
	tsr_cbor_doc_free(inner);
	tsr_cbor_doc_free(doc);
}

static void
junk_keys(void)
{
	static const struct {
		const char *hex;
		int err;
	} cases[] = {
		{ "a0", TSR_ERR_COSE_KEY },
		{ "a201022001", TSR_ERR_COSE_KEY },                   /* no x, y */
		/* kty OKP */
		{ "a401012001215820000000000000000000000000000000000000000000000000000000000000"
		  "00002258200000000000000000000000000000000000000000000000000000000000000000",
		    TSR_ERR_COSE_KEY },
		/* a well-formed OKP key (Ed25519): not malformed, unsupported */
		{ "a30101200621582000000000000000000000000000000000000000000000000000000000"
		  "00000000",
		    TSR_ERR_CRYPTO_UNSUPPORTED_ALG },
		/* crv Ed25519 */
		{ "a401022006215820000000000000000000000000000000000000000000000000000000000000"
		  "00002258200000000000000000000000000000000000000000000000000000000000000000",
		    TSR_ERR_CRYPTO_UNSUPPORTED_ALG },
		/* (0, 0) is not on P-256 */
		{ "a401022001215820000000000000000000000000000000000000000000000000000000000000"
		  "00002258200000000000000000000000000000000000000000000000000000000000000000",
		    TSR_ERR_CRYPTO_BAD_KEY },
		{ "a401022001214100224100", TSR_ERR_COSE_KEY },       /* 1-byte coordinates */
		/* carries d */
		{ "a5010220012158205a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b6243431"
		  "67fe225820b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32fc6723"
		  "5820c1917a1579949a042f1ba9fc53a2df9b1bc47adf31c10f813ed75702d1c1f136",
		    TSR_ERR_COSE_KEY },
		/* compressed y */
		{ "a4010220012158205a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b6243431"
		  "67fe22f5",
		    TSR_ERR_COSE_KEY },
	};
	tsr_ec_pub_t pub;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tsr_cbor_doc_t *doc = decode_hex(cases[i].hex);

		g_assert_cmpint(tsr_cose_key_decode(tsr_cbor_doc_root(doc), &pub), ==, cases[i].err);
		tsr_cbor_doc_free(doc);
	}
}

static void
valid_sign1_roundtrip(void)
{
	static const tsr_curve_t curves[] = { TSR_CURVE_P256, TSR_CURVE_P384, TSR_CURVE_P521 };
	static const uint8_t payload[] = "to be signed";

	for (size_t i = 0; i < G_N_ELEMENTS(curves); i++) {
		for (int detached = 0; detached < 2; detached++) {
			tsr_ec_key_t *key = NULL;
			tsr_ec_pub_t pub;
			tsr_cose_signer_t signer;
			tsr_cose_msg_t msg;
			tsr_cbor_doc_t *doc;
			uint8_t *bytes = NULL;
			size_t len = 0;

			g_assert_cmpint(tsr_ec_key_generate(curves[i], &key), ==, TSR_OK);
			g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
			tsr_cose_signer_from_key(key, &signer);
			g_assert_cmpint(tsr_cose_sign1_create(&signer, payload, sizeof(payload),
			    detached, NULL, 0, &bytes, &len), ==, TSR_OK);
			doc = decode(bytes, len);
			g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==,
			    TSR_OK);
			g_assert_cmpint(msg.alg, ==, tsr_cose_alg_for_curve(curves[i]));
			g_assert_cmpint(msg.detached, ==, detached);
			g_assert_null(msg.x5chain);
			g_assert_cmpint(tsr_cose_sign1_verify(&msg, &pub,
			    detached ? payload : NULL, detached ? sizeof(payload) : 0), ==, TSR_OK);
			if (detached) {
				g_assert_cmpint(tsr_cose_sign1_verify(&msg, &pub, payload,
				    sizeof(payload) - 1), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
				/* a detached message needs its payload */
				g_assert_cmpint(tsr_cose_sign1_verify(&msg, &pub, NULL, 0), ==,
				    TSR_ERR_INVALID_ARGUMENT);
			}
			tsr_cose_msg_clear(&msg);
			tsr_cbor_doc_free(doc);
			free(bytes);
			tsr_ec_key_free(key);
		}
	}
}

static void
alg_confusion(void)
{
	static const uint8_t payload[] = { 1, 2, 3 };
	tsr_ec_key_t *p256 = NULL, *p384 = NULL;
	tsr_ec_pub_t pub384;
	tsr_cose_signer_t signer;
	tsr_cose_msg_t msg;
	tsr_cbor_doc_t *doc;
	uint8_t *bytes = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &p256), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P384, &p384), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(p384, &pub384), ==, TSR_OK);
	tsr_cose_signer_from_key(p256, &signer);
	g_assert_cmpint(tsr_cose_sign1_create(&signer, payload, sizeof(payload), false, NULL, 0,
	    &bytes, &len), ==, TSR_OK);
	doc = decode(bytes, len);
	g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==, TSR_OK);
	/* An ES256 message checked with a P-384 key is refused before any math. */
	g_assert_cmpint(tsr_cose_sign1_verify(&msg, &pub384, NULL, 0), ==, TSR_ERR_COSE_ALG);
	tsr_cose_msg_clear(&msg);
	tsr_cbor_doc_free(doc);
	free(bytes);

	/* alg in the unprotected header, or missing: refused at decoding. */
	doc = decode_hex("8443a10126a10126f640");
	g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==, TSR_ERR_COSE_ALG);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("8440a0f640");
	g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==, TSR_ERR_COSE_ALG);
	tsr_cbor_doc_free(doc);
	tsr_ec_key_free(p256);
	tsr_ec_key_free(p384);
}

static void
valid_mac0(void)
{
	static const uint8_t payload[] = "device authentication";
	uint8_t key[32], other[32];
	tsr_cose_msg_t msg;
	tsr_cbor_doc_t *doc;
	uint8_t *bytes = NULL;
	size_t len = 0;

	memset(key, 0x42, sizeof(key));
	memset(other, 0x43, sizeof(other));
	g_assert_cmpint(tsr_cose_mac0_create(key, payload, sizeof(payload), true, &bytes, &len), ==,
	    TSR_OK);
	/* [h'A10105', {}, null, tag] */
	tsr_test_assert_hex(bytes, 8, "8443a10105a0f658");
	doc = decode(bytes, len);
	g_assert_cmpint(tsr_cose_mac0_decode(tsr_cbor_doc_root(doc), &msg), ==, TSR_OK);
	g_assert_cmpint(tsr_cose_mac0_verify(&msg, key, payload, sizeof(payload)), ==, TSR_OK);
	g_assert_cmpint(tsr_cose_mac0_verify(&msg, other, payload, sizeof(payload)), ==,
	    TSR_ERR_CRYPTO_BAD_MAC);
	tsr_cose_msg_clear(&msg);
	tsr_cbor_doc_free(doc);
	free(bytes);

	/* HMAC 256/64 (alg 4) has a truncated tag: refused. */
	doc = decode_hex("8443a10104a0f6480000000000000000");
	g_assert_cmpint(tsr_cose_mac0_decode(tsr_cbor_doc_root(doc), &msg), ==, TSR_OK);
	g_assert_cmpint(tsr_cose_mac0_verify(&msg, key, payload, sizeof(payload)), ==,
	    TSR_ERR_COSE_ALG);
	tsr_cose_msg_clear(&msg);
	tsr_cbor_doc_free(doc);
}

static void
valid_x5chain_forms(void)
{
	g_autofree uint8_t *ds = NULL, *iaca = NULL;
	size_t ds_len = 0, iaca_len = 0;
	tsr_span_t chain[2];
	tsr_ec_key_t *key = NULL;
	tsr_cose_signer_t signer;
	tsr_cose_msg_t msg;
	tsr_cbor_doc_t *doc;
	uint8_t *bytes = NULL;
	size_t len = 0;

	ds = tsr_test_load("annex-d/ds_cert.der", &ds_len);
	iaca = tsr_test_load("annex-d/iaca_cert.der", &iaca_len);
	chain[0] = (tsr_span_t){ ds, ds_len };
	chain[1] = (tsr_span_t){ iaca, iaca_len };
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &key), ==, TSR_OK);
	tsr_cose_signer_from_key(key, &signer);
	for (size_t n = 1; n <= 2; n++) {
		g_assert_cmpint(tsr_cose_sign1_create(&signer, NULL, 0, false, chain, n, &bytes,
		    &len), ==, TSR_OK);
		doc = decode(bytes, len);
		g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==, TSR_OK);
		g_assert_nonnull(msg.x5chain);
		g_assert_cmpuint(tsr_x509_count(msg.x5chain), ==, n);
		tsr_cose_msg_clear(&msg);
		tsr_cbor_doc_free(doc);
		free(bytes);
	}
	/* x5chain of an integer, or an empty array, is malformed. */
	doc = decode_hex("8443a10126a1182101f640");
	g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==,
	    TSR_ERR_COSE_MALFORMED);
	tsr_cbor_doc_free(doc);
	doc = decode_hex("8443a10126a1182180f640");
	g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==,
	    TSR_ERR_COSE_MALFORMED);
	tsr_cbor_doc_free(doc);
	/* a bstr that is no certificate */
	doc = decode_hex("8443a10126a1182143010203f640");
	g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==,
	    TSR_ERR_CERT_PARSE);
	tsr_cbor_doc_free(doc);
	tsr_ec_key_free(key);
}

static void
junk_structures(void)
{
	static const char *const malformed[] = {
		"a0",                   /* not an array */
		"8343a10126a0f6",       /* 3 elements */
		"8441a1a0f640",         /* protected bstr holds a truncated map */
		"8443a10126a0f6f6",     /* signature not a bstr */
		"8443a1012680f640",     /* unprotected not a map */
		"844101a0f640",         /* protected header not a map */
	};
	tsr_cose_msg_t msg;

	for (size_t i = 0; i < G_N_ELEMENTS(malformed); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_hex(malformed[i], &len);
		tsr_cbor_doc_t *doc = NULL;

		if (tsr_cbor_decode(bytes, len, NULL, &doc) != TSR_OK)
			continue; /* already refused by the CBOR layer */
		g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), !=, TSR_OK);
		tsr_cbor_doc_free(doc);
	}
	/* Tagged COSE_Sign1 (18) decodes; a COSE_Mac0 tag (17) on a Sign1 does not. */
	{
		tsr_cbor_doc_t *doc = decode_hex("d28443a10126a0f640");
		g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==, TSR_OK);
		tsr_cose_msg_clear(&msg);
		tsr_cbor_doc_free(doc);
		doc = decode_hex("d18443a10126a0f640");
		g_assert_cmpint(tsr_cose_sign1_decode(tsr_cbor_doc_root(doc), &msg), ==,
		    TSR_ERR_COSE_MALFORMED);
		tsr_cbor_doc_free(doc);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cose/key/valid_annex_d", valid_key_annex_d);
	g_test_add_func("/cose/key/junk", junk_keys);
	g_test_add_func("/cose/sign1/valid_roundtrip", valid_sign1_roundtrip);
	g_test_add_func("/cose/sign1/alg_confusion", alg_confusion);
	g_test_add_func("/cose/sign1/valid_x5chain_forms", valid_x5chain_forms);
	g_test_add_func("/cose/sign1/junk", junk_structures);
	g_test_add_func("/cose/mac0/valid", valid_mac0);
	return g_test_run();
}
