/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <tessera/tessera.h>

#include "base/base64.h"
#include "engagement/engagement.h"
#include "test-support.h"

/* The Annex D engagement as a QR string (digest §2.1). */
#define ANNEX_D_QR \
	"mdoc:owBjMS4wAYIB2BhYS6QBAiABIVggWojRgrzl9C76WZQ_MzWdLoqWj_KJ2T5fpES2JDQxZ_4iWCCxboz4" \
	"WN3HaQQHumHUwzgjeoz8895qpnL8YKVXqjL8ZwKBgwIBowD0AfULUEXv73QrLEg3qaOw4dBaaRc"

static void
valid_annex_d(void)
{
	g_autofree uint8_t *bytes = NULL, *key_bytes = NULL;
	size_t len = 0, key_len = 0;
	uint8_t *again = NULL;
	size_t again_len = 0;
	tsr_engagement_t de;

	bytes = tsr_test_load("annex-d/device_engagement.cbor", &len);
	key_bytes = tsr_test_load("annex-d/e_device_key_bytes.cbor", &key_len);
	g_assert_cmpint(tsr_engagement_decode(bytes, len, &de), ==, TSR_OK);
	g_assert_cmpmem(de.version.ptr, de.version.len, "1.0", 3);
	g_assert_cmpint(de.cipher_suite, ==, 1);
	g_assert_cmpmem(de.e_device_key_bytes.ptr, de.e_device_key_bytes.len, key_bytes, key_len);
	tsr_test_assert_hex(de.e_device_key.x, 32,
	    "5a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b624343167fe");
	g_assert_true(de.has_ble);
	g_assert_false(de.ble.peripheral_server);
	g_assert_true(de.ble.central_client);
	g_assert_true(de.ble.has_central_uuid);
	tsr_test_assert_hex(de.ble.central_uuid, 16, "45efef742b2c4837a9a3b0e1d05a6917");
	g_assert_false(de.ble.has_address);
	g_assert_cmpint(tsr_engagement_encode(&de, &again, &again_len), ==, TSR_OK);
	g_assert_cmpmem(again, again_len, bytes, len);
	free(again);
	tsr_engagement_clear(&de);

	/* The engagement inside the transcript: NFC, version and security only. */
	g_free(bytes);
	bytes = tsr_test_load("annex-d/device_engagement_in_transcript.cbor", &len);
	g_assert_cmpint(tsr_engagement_decode(bytes, len, &de), ==, TSR_OK);
	g_assert_false(de.has_ble);
	g_assert_null(de.retrieval_methods);
	g_assert_cmpint(tsr_engagement_encode(&de, &again, &again_len), ==, TSR_OK);
	g_assert_cmpmem(again, again_len, bytes, len);
	free(again);
	tsr_engagement_clear(&de);
}

static void
valid_qr_uri(void)
{
	g_autofree uint8_t *bytes = NULL;
	size_t len = 0;
	uint8_t *decoded = NULL;
	size_t decoded_len = 0;
	char *uri = NULL;

	bytes = tsr_test_load("annex-d/device_engagement.cbor", &len);
	g_assert_cmpint(tsr_engagement_to_qr_uri(bytes, len, &uri), ==, TSR_OK);
	g_assert_cmpstr(uri, ==, ANNEX_D_QR);
	g_assert_cmpint(tsr_engagement_from_qr_uri(uri, &decoded, &decoded_len), ==, TSR_OK);
	g_assert_cmpmem(decoded, decoded_len, bytes, len);
	free(decoded);
	/* The scheme is case-insensitive. */
	uri[0] = 'M';
	g_assert_cmpint(tsr_engagement_from_qr_uri(uri, &decoded, &decoded_len), ==, TSR_OK);
	free(decoded);
	free(uri);
	uri = NULL;
	/* The longest input whose URI is read back (4096 characters: "mdoc:"
	 * and 4091 of base64url, which carry 3068 bytes), and one byte more:
	 * nothing is made that tsr_engagement_from_qr_uri() would refuse
	 * (found by the fuzzing campaign of session 5). */
	bytes = g_realloc(bytes, 3069);
	memset(bytes, 0xa5, 3069);
	g_assert_cmpint(tsr_engagement_to_qr_uri(bytes, 3068, &uri), ==, TSR_OK);
	g_assert_cmpuint(strlen(uri), ==, 4096);
	g_assert_cmpint(tsr_engagement_from_qr_uri(uri, &decoded, &decoded_len), ==, TSR_OK);
	g_assert_cmpmem(decoded, decoded_len, bytes, 3068);
	free(decoded);
	free(uri);
	uri = NULL;
	g_assert_cmpint(tsr_engagement_to_qr_uri(bytes, 3069, &uri), ==, TSR_ERR_LIMIT);
	g_assert_null(uri);
}

static void
junk_qr_uri(void)
{
	static const char *const bad[] = {
		"", "mdoc", "mdo:owBj", "https://example.com", "mdoc:owBj=", "mdoc:ow+j",
		"mdoc:ow Bj", "mdoc:o", "mdoc:owB", /* 3 chars carry 18 bits: 2 bytes, 2 spare */
	};
	uint8_t *p = NULL;
	size_t len = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		int r = tsr_engagement_from_qr_uri(bad[i], &p, &len);
		if (r == TSR_OK)
			g_error("accepted %s", bad[i]);
	}
}

static void
valid_base64url(void)
{
	static const struct {
		const char *plain, *b64;
	} rfc4648[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
	};
	static const uint8_t url_chars[] = { 0xfb, 0xff, 0xbf };

	for (size_t i = 0; i < G_N_ELEMENTS(rfc4648); i++) {
		char *text = NULL;
		uint8_t *back = NULL;
		size_t back_len = 0;

		g_assert_cmpint(tsr_base64url_encode((const uint8_t *)rfc4648[i].plain,
		    strlen(rfc4648[i].plain), &text), ==, TSR_OK);
		g_assert_cmpstr(text, ==, rfc4648[i].b64);
		g_assert_cmpint(tsr_base64url_decode(text, strlen(text), &back, &back_len), ==,
		    TSR_OK);
		g_assert_cmpmem(back, back_len, rfc4648[i].plain, strlen(rfc4648[i].plain));
		free(text);
		free(back);
	}
	{
		char *text = NULL;
		g_assert_cmpint(tsr_base64url_encode(url_chars, 3, &text), ==, TSR_OK);
		g_assert_cmpstr(text, ==, "-_-_");
		free(text);
	}
}

static void
valid_build_roundtrip(void)
{
	tsr_ble_options_t ble = { 0 };
	tsr_ec_key_t *key = NULL;
	tsr_ec_pub_t pub;
	tsr_engagement_t de;
	uint8_t *bytes = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
	ble.peripheral_server = true;
	ble.central_client = true;
	ble.has_peripheral_uuid = ble.has_central_uuid = true;
	memset(ble.peripheral_uuid, 0x11, 16);
	memset(ble.central_uuid, 0x22, 16);
	ble.has_psm = true;
	ble.psm = 0x0081;
	g_assert_cmpint(tsr_engagement_build(&pub, &ble, &bytes, &len), ==, TSR_OK);
	g_assert_cmpint(tsr_engagement_decode(bytes, len, &de), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&de.e_device_key, &pub));
	g_assert_true(de.ble.peripheral_server && de.ble.central_client);
	g_assert_cmpuint(de.ble.psm, ==, 0x81);
	g_assert_cmpuint(de.ble.peripheral_uuid[15], ==, 0x11);
	tsr_engagement_clear(&de);
	free(bytes);
	tsr_ec_key_free(key);
}

static void
junk_engagement(void)
{
	/* Each is a small DeviceEngagement that must be refused. */
	static const char *const bad[] = {
		"a0",                   /* empty map */
		"a10063312e30",         /* no security */
		"a20063322e300180",     /* version 2.0 */
		"a20063312e3001820100", /* EDeviceKeyBytes not tag 24 */
		"a2006331",             /* truncated */
		"a2616100",             /* text key */
	};
	tsr_engagement_t de;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_hex(bad[i], &len);
		g_assert_cmpint(tsr_engagement_decode(bytes, len, &de), !=, TSR_OK);
	}
}

static void
junk_ble_options(void)
{
	g_autofree uint8_t *bytes = NULL;
	size_t len = 0;
	tsr_engagement_t de;

	/* Annex D's engagement ends with BleOptions {0: false, 1: true,
	 * 11: h'<16 bytes>'}: claiming no central mode leaves a UUID for a
	 * mode that is not supported. */
	bytes = tsr_test_load("annex-d/device_engagement.cbor", &len);
	g_assert_cmpuint(bytes[len - 19], ==, 0xf5); /* 1: true */
	bytes[len - 19] = 0xf4;
	g_assert_cmpint(tsr_engagement_decode(bytes, len, &de), ==, TSR_ERR_MDOC_MALFORMED);
}

/* An engagement offering peripheral server mode (and central client mode
 * when both), its BleOptions ending with key 21 = 0x81 (15 18 81) when
 * with_psm. */
static uint8_t *
build_ble_engagement(bool peripheral, bool central, bool with_psm, size_t *ret_len)
{
	tsr_ble_options_t ble = { 0 };
	tsr_ec_key_t *key = NULL;
	tsr_ec_pub_t pub;
	uint8_t *bytes = NULL;

	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
	ble.peripheral_server = ble.has_peripheral_uuid = peripheral;
	ble.central_client = ble.has_central_uuid = central;
	memset(ble.peripheral_uuid, 0x11, 16);
	memset(ble.central_uuid, 0x11, 16);
	ble.has_psm = with_psm;
	ble.psm = 0x81;
	g_assert_cmpint(tsr_engagement_build(&pub, &ble, &bytes, ret_len), ==, TSR_OK);
	tsr_ec_key_free(key);
	return bytes;
}

/* Key 21 (the L2CAP PSM, 2nd-edition draft): a uint in the LE SPSM range
 * 0x0001..0x00ff, in peripheral server mode only; anything else makes the
 * engagement malformed. An engagement without it is unchanged. */
static void
valid_ble_psm(void)
{
	static const struct {
		const char *value; /* key 21's CBOR value, in hex */
		int want;
		uint16_t psm;
	} cases[] = {
		{ "1881", TSR_OK, 0x81 },
		{ "01", TSR_OK, 0x01 },
		{ "18ff", TSR_OK, 0xff },
		{ "00", TSR_ERR_MDOC_MALFORMED, 0 },         /* no PSM is 0 */
		{ "190100", TSR_ERR_MDOC_MALFORMED, 0 },     /* above the LE range */
		{ "1a00010081", TSR_ERR_MDOC_MALFORMED, 0 }, /* far above */
		{ "20", TSR_ERR_MDOC_MALFORMED, 0 },         /* -1 */
		{ "4181", TSR_ERR_MDOC_MALFORMED, 0 },       /* bstr */
		{ "f6", TSR_ERR_MDOC_MALFORMED, 0 },         /* null */
	};
	tsr_engagement_t de;
	uint8_t *bytes, *patched;
	size_t len = 0, vlen = 0;

	bytes = build_ble_engagement(true, false, true, &len);
	g_assert_cmpmem(bytes + len - 3, 3, "\x15\x18\x81", 3);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree uint8_t *value = tsr_test_hex(cases[i].value, &vlen);

		patched = g_malloc(len - 2 + vlen);
		memcpy(patched, bytes, len - 2);
		memcpy(patched + len - 2, value, vlen);
		g_assert_cmpint(tsr_engagement_decode(patched, len - 2 + vlen, &de), ==,
		    cases[i].want);
		if (cases[i].want == TSR_OK) {
			g_assert_true(de.ble.has_psm);
			g_assert_cmpuint(de.ble.psm, ==, cases[i].psm);
			tsr_engagement_clear(&de);
		}
		g_free(patched);
	}
	free(bytes);

	/* Without key 21: no PSM. */
	bytes = build_ble_engagement(true, false, false, &len);
	g_assert_cmpint(tsr_engagement_decode(bytes, len, &de), ==, TSR_OK);
	g_assert_false(de.ble.has_psm);
	tsr_engagement_clear(&de);
	free(bytes);

	/* Central client mode only: the encoder leaves the PSM out, and a
	 * decoder refuses one (add 21: 0x81 to the 3-entry BleOptions). */
	bytes = build_ble_engagement(false, true, true, &len);
	g_assert_cmpint(tsr_engagement_decode(bytes, len, &de), ==, TSR_OK);
	g_assert_false(de.ble.has_psm);
	tsr_engagement_clear(&de);
	g_assert_cmpuint(bytes[len - 23], ==, 0xa3);
	bytes[len - 23] = 0xa4;
	patched = g_malloc(len + 3);
	memcpy(patched, bytes, len);
	memcpy(patched + len, "\x15\x18\x81", 3);
	g_assert_cmpint(tsr_engagement_decode(patched, len + 3, &de), ==,
	    TSR_ERR_MDOC_MALFORMED);
	g_free(patched);
	free(bytes);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/engagement/valid_annex_d", valid_annex_d);
	g_test_add_func("/engagement/qr/valid_uri", valid_qr_uri);
	g_test_add_func("/engagement/qr/junk_uri", junk_qr_uri);
	g_test_add_func("/engagement/base64url/valid", valid_base64url);
	g_test_add_func("/engagement/valid_build_roundtrip", valid_build_roundtrip);
	g_test_add_func("/engagement/junk", junk_engagement);
	g_test_add_func("/engagement/junk_ble_options", junk_ble_options);
	g_test_add_func("/engagement/valid_ble_psm", valid_ble_psm);
	return g_test_run();
}
