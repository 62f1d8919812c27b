/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The PKCS#11 secure area against a real SoftHSM2 token (a fresh one per
 * test, see support/softhsm.h). Besides the public API, the test talks
 * PKCS#11 itself to check what the token holds: that private keys are
 * sensitive and not extractable, and that their value cannot be read.
 */

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "cbor/codec.h"
#include "cose/cose.h"
#include "crypto/crypto.h"
#include "softhsm.h"
#include "test-support.h"

static int
open_p11_full(const char *module, const char *label, tsr_secret_fn fn, const char *pin,
    tsr_secure_area_t **ret_sa)
{
	tsr_sa_config_t config;

	memset(&config, 0, sizeof(config));
	config.kind = TSR_SA_PKCS11;
	config.pkcs11_module = module;
	config.pkcs11_token_label = label;
	config.secret = fn;
	config.secret_user = (void *)(uintptr_t)pin;
	return tsr_secure_area_open(&config, ret_sa);
}

static tsr_secure_area_t *
open_p11(const tsr_test_softhsm_t *hsm)
{
	tsr_secure_area_t *sa = NULL;

	g_assert_cmpint(open_p11_full(hsm->module, TSR_TEST_SOFTHSM_LABEL, tsr_test_secret_cb,
	    TSR_TEST_SOFTHSM_PIN, &sa), ==, TSR_OK);
	return sa;
}

static void
create_key(tsr_secure_area_t *sa, uint8_t **ret_ref, size_t *ret_ref_len, tsr_ec_pub_t *ret_pub)
{
	uint8_t *cose = NULL;
	size_t cose_len = 0;

	g_assert_cmpint(tsr_secure_area_create_key(sa, NULL, ret_ref, ret_ref_len, &cose,
	    &cose_len), ==, TSR_OK);
	g_assert_cmpuint(*ret_ref_len, ==, 16);
	g_assert_cmpint(tsr_cose_key_from_bytes(cose, cose_len, ret_pub), ==, TSR_OK);
	g_assert_cmpint(ret_pub->curve, ==, TSR_CURVE_P256);
	free(cose);
}

static uint8_t *
pub_cose(const tsr_ec_pub_t *pub, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	uint8_t *out = NULL;

	tsr_cbor_enc_init(&enc);
	tsr_cose_key_encode(&enc, pub);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &out, ret_len), ==, TSR_OK);
	tsr_cbor_enc_free(&enc);
	return out;
}

static void
check_sign(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len, const tsr_ec_pub_t *pub)
{
	static const uint8_t msg[] = "DeviceAuthentication bytes";
	uint8_t sig[64];

	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(pub, TSR_HASH_SHA256, msg, sizeof(msg), sig,
	    sizeof(sig)), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(pub, TSR_HASH_SHA256, msg, sizeof(msg) - 1, sig,
	    sizeof(sig)), ==, TSR_ERR_CRYPTO_BAD_SIGNATURE);
}

/* ECDH with the area's key equals ECDH computed from the peer's side. */
static void
check_ecdh(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len, const tsr_ec_pub_t *pub,
    const tsr_ec_key_t *peer, uint8_t ret_z[32])
{
	tsr_ec_pub_t peer_pub;
	uint8_t z[32], want[TSR_EC_COORD_MAX], *cose;
	size_t cose_len = 0, want_len = 0;

	g_assert_cmpint(tsr_ec_key_public(peer, &peer_pub), ==, TSR_OK);
	cose = pub_cose(&peer_pub, &cose_len);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, NULL, cose, cose_len, z),
	    ==, TSR_OK);
	g_assert_cmpint(tsr_ecdh(peer, pub, want, &want_len), ==, TSR_OK);
	g_assert_cmpuint(want_len, ==, 32);
	g_assert_cmpmem(z, sizeof(z), want, 32);
	if (ret_z != NULL)
		memcpy(ret_z, z, 32);
	free(cose);
}

/* --- Talking PKCS#11 directly, to see what the token holds --- */

typedef struct raw_p11 {
	void *dl;
	CK_FUNCTION_LIST_PTR fl;
	CK_SESSION_HANDLE session;
} raw_p11_t;

static void
raw_open(raw_p11_t *p, const char *module, const char *label)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_SLOT_ID slots[16];
	CK_ULONG n = G_N_ELEMENTS(slots);
	CK_TOKEN_INFO info;
	CK_UTF8CHAR pin[] = TSR_TEST_SOFTHSM_PIN;
	char padded[32];
	void *sym;
	bool found = false;

	memset(padded, ' ', sizeof(padded));
	memcpy(padded, label, strlen(label));
	p->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	g_assert_nonnull(p->dl);
	sym = dlsym(p->dl, "C_GetFunctionList");
	g_assert_nonnull(sym);
	memcpy(&get_list, &sym, sizeof(get_list));
	g_assert_cmpuint(get_list(&p->fl), ==, CKR_OK);
	g_assert_cmpuint(p->fl->C_Initialize(NULL), ==, CKR_OK);
	g_assert_cmpuint(p->fl->C_GetSlotList(CK_TRUE, slots, &n), ==, CKR_OK);
	for (CK_ULONG i = 0; i < n && !found; i++) {
		g_assert_cmpuint(p->fl->C_GetTokenInfo(slots[i], &info), ==, CKR_OK);
		if (memcmp(info.label, padded, sizeof(padded)) != 0)
			continue;
		g_assert_cmpuint(p->fl->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL,
		    &p->session), ==, CKR_OK);
		found = true;
	}
	g_assert_true(found);
	g_assert_cmpuint(p->fl->C_Login(p->session, CKU_USER, pin, sizeof(pin) - 1), ==, CKR_OK);
}

/* The token's flags, read without logging in. */
static CK_FLAGS
raw_token_flags(const char *module, const char *label)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR fl = NULL;
	CK_SLOT_ID slots[16];
	CK_ULONG n = G_N_ELEMENTS(slots);
	CK_TOKEN_INFO info;
	CK_FLAGS flags = 0;
	char padded[32];
	void *dl, *sym;
	bool found = false;

	memset(padded, ' ', sizeof(padded));
	memcpy(padded, label, strlen(label));
	dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	g_assert_nonnull(dl);
	sym = dlsym(dl, "C_GetFunctionList");
	g_assert_nonnull(sym);
	memcpy(&get_list, &sym, sizeof(get_list));
	g_assert_cmpuint(get_list(&fl), ==, CKR_OK);
	g_assert_cmpuint(fl->C_Initialize(NULL), ==, CKR_OK);
	g_assert_cmpuint(fl->C_GetSlotList(CK_TRUE, slots, &n), ==, CKR_OK);
	for (CK_ULONG i = 0; i < n && !found; i++) {
		g_assert_cmpuint(fl->C_GetTokenInfo(slots[i], &info), ==, CKR_OK);
		if (memcmp(info.label, padded, sizeof(padded)) == 0) {
			flags = info.flags;
			found = true;
		}
	}
	g_assert_true(found);
	g_assert_cmpuint(fl->C_Finalize(NULL), ==, CKR_OK);
	dlclose(dl);
	return flags;
}

static void
raw_close(raw_p11_t *p)
{
	g_assert_cmpuint(p->fl->C_CloseSession(p->session), ==, CKR_OK);
	g_assert_cmpuint(p->fl->C_Finalize(NULL), ==, CKR_OK);
	dlclose(p->dl);
}

/* Objects of class cls with CKA_ID id (or with label when id is NULL). */
static CK_ULONG
raw_find(raw_p11_t *p, CK_OBJECT_CLASS cls, const uint8_t *id, size_t id_len,
    const char *label, CK_OBJECT_HANDLE *ret_h)
{
	uint8_t id_copy[64];
	char label_copy[64];
	CK_ATTRIBUTE tmpl[2] = { { CKA_CLASS, &cls, sizeof(cls) }, { 0, NULL, 0 } };
	CK_OBJECT_HANDLE h[8];
	CK_ULONG count = 0;

	if (id != NULL) {
		memcpy(id_copy, id, id_len);
		tmpl[1] = (CK_ATTRIBUTE){ CKA_ID, id_copy, id_len };
	} else {
		g_strlcpy(label_copy, label, sizeof(label_copy));
		tmpl[1] = (CK_ATTRIBUTE){ CKA_LABEL, label_copy, strlen(label_copy) };
	}
	g_assert_cmpuint(p->fl->C_FindObjectsInit(p->session, tmpl, 2), ==, CKR_OK);
	g_assert_cmpuint(p->fl->C_FindObjects(p->session, h, G_N_ELEMENTS(h), &count), ==, CKR_OK);
	g_assert_cmpuint(p->fl->C_FindObjectsFinal(p->session), ==, CKR_OK);
	if (count > 0 && ret_h != NULL)
		*ret_h = h[0];
	return count;
}

static CK_BBOOL
raw_bool(raw_p11_t *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = CK_FALSE;
	CK_ATTRIBUTE a = { type, &v, sizeof(v) };

	g_assert_cmpuint(p->fl->C_GetAttributeValue(p->session, h, &a, 1), ==, CKR_OK);
	return v;
}

/* --- Tests --- */

static void
test_valid_roundtrip(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = open_p11(hsm);
	static const uint8_t msg[] = "m";
	tsr_ec_key_t *peer = NULL;
	tsr_ec_pub_t pub, pub2;
	uint8_t *ref = NULL, *ref2 = NULL, *blob = NULL, *p = NULL, key[32], back[32], sig[64];
	size_t ref_len = 0, ref2_len = 0, blob_len = 0, n = 0;

	g_assert_cmpint(tsr_secure_area_kind(sa), ==, TSR_SA_PKCS11);
	g_assert_true(tsr_secure_area_hardware_backed(sa));
	g_assert_cmpstr(tsr_secure_area_describe(sa), ==, "PKCS#11 token tessera-test");
	g_assert_cmpint(tsr_secure_area_software_params(sa, &p, &n), ==, TSR_ERR_SA_NOT_SUPPORTED);

	create_key(sa, &ref, &ref_len, &pub);
	create_key(sa, &ref2, &ref2_len, &pub2);
	g_assert_false(tsr_ec_pub_equal(&pub, &pub2));
	check_sign(sa, ref, ref_len, &pub);
	check_sign(sa, ref2, ref2_len, &pub2);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &peer), ==, TSR_OK);
	check_ecdh(sa, ref, ref_len, &pub, peer, NULL);
	check_ecdh(sa, ref2, ref2_len, &pub2, peer, NULL);

	/* Seal twice: the second finds the data key the first made. */
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xa0 ^ i);
	for (int round = 0; round < 2; round++) {
		g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
		g_assert_cmpuint(blob_len, ==, 77);
		g_assert_null(memmem(blob, blob_len, key, sizeof(key)));
		memset(back, 0, sizeof(back));
		g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, back), ==, TSR_OK);
		g_assert_cmpmem(back, sizeof(back), key, sizeof(key));
		free(blob);
		blob = NULL;
	}

	g_assert_cmpint(tsr_secure_area_delete_key(sa, ref, ref_len), ==, TSR_OK);
	memset(sig, 0xee, sizeof(sig));
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	for (size_t i = 0; i < sizeof(sig); i++)
		g_assert_cmpuint(sig[i], ==, 0xee);
	g_assert_cmpint(tsr_secure_area_delete_key(sa, ref, ref_len), ==, TSR_ERR_SA_KEY_INVALID);
	check_sign(sa, ref2, ref2_len, &pub2);
	tsr_secure_area_free(sa);

	/* Both objects of the deleted key are gone; the other key's remain. */
	{
		raw_p11_t raw;

		raw_open(&raw, hsm->module, TSR_TEST_SOFTHSM_LABEL);
		g_assert_cmpuint(raw_find(&raw, CKO_PRIVATE_KEY, ref, ref_len, NULL, NULL), ==, 0);
		g_assert_cmpuint(raw_find(&raw, CKO_PUBLIC_KEY, ref, ref_len, NULL, NULL), ==, 0);
		g_assert_cmpuint(raw_find(&raw, CKO_PRIVATE_KEY, ref2, ref2_len, NULL, NULL), ==,
		    1);
		g_assert_cmpuint(raw_find(&raw, CKO_PUBLIC_KEY, ref2, ref2_len, NULL, NULL), ==, 1);
		/* One data key, however often we sealed. */
		g_assert_cmpuint(raw_find(&raw, CKO_SECRET_KEY, NULL, 0, "tessera-data-key", NULL),
		    ==, 1);
		/* No derived ECDH secret left behind (they are session objects,
		 * and destroyed at once). */
		raw_close(&raw);
	}
	tsr_ec_key_free(peer);
	free(ref);
	free(ref2);
}

static void
test_key_attributes(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = open_p11(hsm);
	uint8_t *ref = NULL, *ds_ref = NULL, *cose = NULL, *blob = NULL, key[32], value[128];
	size_t ref_len = 0, ds_ref_len = 0, cose_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;
	raw_p11_t raw;
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ATTRIBUTE a = { CKA_VALUE, value, sizeof(value) };
	char label[64];
	CK_ATTRIBUTE la = { CKA_LABEL, label, sizeof(label) };

	create_key(sa, &ref, &ref_len, &pub);
	/* A label of the creator's: 1 to TSR_SA_KEY_LABEL_MAX bytes. */
	for (size_t i = 0; i < 2; i++) {
		char too_long[TSR_SA_KEY_LABEL_MAX + 2];

		memset(too_long, 'x', sizeof(too_long) - 1);
		too_long[sizeof(too_long) - 1] = '\0';
		g_assert_cmpint(tsr_secure_area_create_key(sa,
		    &(tsr_sa_key_options_t){ .label = i == 0 ? "" : too_long }, &ds_ref, &ds_ref_len,
		    &cose, &cose_len), ==, TSR_ERR_INVALID_ARGUMENT);
	}
	g_assert_cmpint(tsr_secure_area_create_key(sa,
	    &(tsr_sa_key_options_t){ .label = "tessera-document-signer" }, &ds_ref, &ds_ref_len,
	    &cose, &cose_len), ==, TSR_OK);
	memset(key, 7, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	tsr_secure_area_free(sa);

	raw_open(&raw, hsm->module, TSR_TEST_SOFTHSM_LABEL);
	g_assert_cmpuint(raw_find(&raw, CKO_PRIVATE_KEY, ref, ref_len, NULL, &h), ==, 1);
	g_assert_true(raw_bool(&raw, h, CKA_TOKEN));
	g_assert_true(raw_bool(&raw, h, CKA_PRIVATE));
	g_assert_true(raw_bool(&raw, h, CKA_SENSITIVE));
	g_assert_false(raw_bool(&raw, h, CKA_EXTRACTABLE));
	g_assert_true(raw_bool(&raw, h, CKA_ALWAYS_SENSITIVE));
	g_assert_true(raw_bool(&raw, h, CKA_NEVER_EXTRACTABLE));
	g_assert_true(raw_bool(&raw, h, CKA_SIGN));
	g_assert_true(raw_bool(&raw, h, CKA_DERIVE));
	g_assert_cmpuint(raw.fl->C_GetAttributeValue(raw.session, h, &la, 1), ==, CKR_OK);
	g_assert_cmpmem(label, la.ulValueLen, "tessera-device-key", 18);
	for (CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY; cls <= CKO_PRIVATE_KEY; cls++) {
		CK_OBJECT_HANDLE ds = CK_INVALID_HANDLE;

		g_assert_cmpuint(raw_find(&raw, cls, ds_ref, ds_ref_len, NULL, &ds), ==, 1);
		la.ulValueLen = sizeof(label);
		g_assert_cmpuint(raw.fl->C_GetAttributeValue(raw.session, ds, &la, 1), ==, CKR_OK);
		g_assert_cmpmem(label, la.ulValueLen, "tessera-document-signer", 23);
	}
	/* The private value cannot be read. */
	g_assert_cmpuint(raw.fl->C_GetAttributeValue(raw.session, h, &a, 1), ==,
	    CKR_ATTRIBUTE_SENSITIVE);
	g_assert_cmpuint(a.ulValueLen, ==, CK_UNAVAILABLE_INFORMATION);

	/* The public key sits next to it. */
	g_assert_cmpuint(raw_find(&raw, CKO_PUBLIC_KEY, ref, ref_len, NULL, &h), ==, 1);
	g_assert_true(raw_bool(&raw, h, CKA_TOKEN));

	/* The data key is as locked down. */
	g_assert_cmpuint(raw_find(&raw, CKO_SECRET_KEY, NULL, 0, "tessera-data-key", &h), ==, 1);
	g_assert_true(raw_bool(&raw, h, CKA_TOKEN));
	g_assert_true(raw_bool(&raw, h, CKA_SENSITIVE));
	g_assert_false(raw_bool(&raw, h, CKA_EXTRACTABLE));
	a.ulValueLen = sizeof(value);
	g_assert_cmpuint(raw.fl->C_GetAttributeValue(raw.session, h, &a, 1), ==,
	    CKR_ATTRIBUTE_SENSITIVE);
	raw_close(&raw);

	free(ref);
	tsr_free(ds_ref);
	tsr_free(cose);
	free(blob);
}

static void
test_token_not_found(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = NULL;

	g_assert_cmpint(open_p11_full(hsm->module, "no-such-token", tsr_test_secret_cb, "4321",
	    &sa), ==, TSR_ERR_SA_TOKEN_NOT_FOUND);
	/* A prefix of the label is another label. */
	g_assert_cmpint(open_p11_full(hsm->module, "tessera", tsr_test_secret_cb, "4321", &sa), ==,
	    TSR_ERR_SA_TOKEN_NOT_FOUND);
	g_assert_cmpint(open_p11_full(hsm->module, "tessera-test-and-a-label-too-long-for-a-token",
	    tsr_test_secret_cb, "4321", &sa), ==, TSR_ERR_SA_TOKEN_NOT_FOUND);
	g_assert_null(sa);
	/* The module is still usable afterwards (finalised and reloaded). */
	sa = open_p11(hsm);
	tsr_secure_area_free(sa);
}

static void
test_bad_module(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = NULL;

	g_assert_cmpint(open_p11_full("/nonexistent/libpkcs11.so", TSR_TEST_SOFTHSM_LABEL,
	    tsr_test_secret_cb, "4321", &sa), ==, TSR_ERR_SA_UNAVAILABLE);
	/* A shared library that is not a PKCS#11 module. */
	g_assert_cmpint(open_p11_full("libm.so.6", TSR_TEST_SOFTHSM_LABEL, tsr_test_secret_cb, "4321",
	    &sa), ==, TSR_ERR_SA_UNAVAILABLE);
	g_assert_cmpint(open_p11_full(NULL, TSR_TEST_SOFTHSM_LABEL, tsr_test_secret_cb, "4321",
	    &sa), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(open_p11_full(hsm->module, NULL, tsr_test_secret_cb, "4321", &sa), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(open_p11_full(hsm->module, "", tsr_test_secret_cb, "4321", &sa), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(sa);
}

static void
test_wrong_pin(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = NULL;
	uint8_t *ref = NULL, *cose = NULL, key[32], *blob = NULL;
	size_t ref_len = 0, cose_len = 0, blob_len = 0;

	g_assert_cmpint(open_p11_full(hsm->module, TSR_TEST_SOFTHSM_LABEL, tsr_test_secret_cb, "1111",
	    &sa), ==, TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(open_p11_full(hsm->module, TSR_TEST_SOFTHSM_LABEL, tsr_test_secret_cb, "",
	    &sa), ==, TSR_ERR_SA_PIN_INCORRECT);
	/* Cancelled at the prompt. */
	g_assert_cmpint(open_p11_full(hsm->module, TSR_TEST_SOFTHSM_LABEL, tsr_test_secret_cb, NULL,
	    &sa), ==, TSR_ERR_SA_PIN_REQUIRED);
	g_assert_null(sa);

	/* Whether the token counts the failures, as its flags tell (looked
	 * at before any right PIN resets the count). */
	{
		CK_FLAGS flags = raw_token_flags(hsm->module, TSR_TEST_SOFTHSM_LABEL);

		g_test_message("token flags after two wrong PINs: 0x%lx "
		    "(CKF_USER_PIN_COUNT_LOW %s, CKF_USER_PIN_LOCKED %s)", (unsigned long)flags,
		    (flags & CKF_USER_PIN_COUNT_LOW) != 0 ? "set" : "not set",
		    (flags & CKF_USER_PIN_LOCKED) != 0 ? "set" : "not set");
		g_assert_true((flags & CKF_USER_PIN_LOCKED) == 0);
	}

	/* No PIN source: the area opens, but keys need the login. */
	g_assert_cmpint(open_p11_full(hsm->module, TSR_TEST_SOFTHSM_LABEL, NULL, NULL, &sa), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_secure_area_create_key(sa, NULL, &ref, &ref_len, &cose, &cose_len),
	    ==, TSR_ERR_SA_PIN_REQUIRED);
	memset(key, 1, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==,
	    TSR_ERR_SA_PIN_REQUIRED);
	g_assert_null(ref);
	g_assert_null(blob);
	tsr_secure_area_free(sa);

	/* The right PIN works after all that. */
	sa = open_p11(hsm);
	tsr_secure_area_free(sa);
}

static void
test_key_pin_refused(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = open_p11(hsm);
	tsr_sa_key_options_t options = { .pin = "2468" };
	static const uint8_t msg[] = "m";
	uint8_t *ref = NULL, *cose = NULL, sig[64], z[32];
	size_t ref_len = 0, cose_len = 0;
	tsr_ec_pub_t pub;

	g_assert_cmpint(tsr_secure_area_create_key(sa, &options, &ref, &ref_len, &cose,
	    &cose_len), ==, TSR_ERR_SA_NOT_SUPPORTED);
	g_assert_null(ref);
	create_key(sa, &ref, &ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "2468", msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_NOT_SUPPORTED);
	cose = pub_cose(&pub, &cose_len);
	g_assert_cmpint(tsr_secure_area_key_agreement(sa, ref, ref_len, "2468", cose, cose_len,
	    z), ==, TSR_ERR_SA_NOT_SUPPORTED);
	free(cose);
	free(ref);
	tsr_secure_area_free(sa);
}

static void
test_valid_reopen(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = open_p11(hsm), *sa2;
	uint8_t *ref = NULL, *blob = NULL, key[32], back[32];
	size_t ref_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;

	create_key(sa, &ref, &ref_len, &pub);
	memset(key, 0x42, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	tsr_secure_area_free(sa);

	/* Finalised and loaded again: the key is found by its reference. */
	sa = open_p11(hsm);
	check_sign(sa, ref, ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, back), ==, TSR_OK);
	g_assert_cmpmem(back, sizeof(back), key, sizeof(key));

	/* Two areas on one module at once; closing one leaves the other working. */
	sa2 = open_p11(hsm);
	check_sign(sa2, ref, ref_len, &pub);
	tsr_secure_area_free(sa);
	check_sign(sa2, ref, ref_len, &pub);
	g_assert_cmpint(tsr_secure_area_unseal(sa2, blob, blob_len, back), ==, TSR_OK);
	tsr_secure_area_free(sa2);

	free(ref);
	free(blob);
}

static void
test_second_process(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = NULL;
	tsr_secure_area_t *sa;
	uint8_t *ref = NULL, *blob = NULL, key[32];
	size_t ref_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;
	g_autofree char *ref_hex = NULL, *blob_hex = NULL, *pub_hex = NULL;

	if (g_test_subprocess()) {
		/* The child: another process, the same token (SOFTHSM2_CONF inherited). */
		uint8_t *cref, *cblob, *cpub, back[32];
		size_t cref_len = 0, cblob_len = 0, cpub_len = 0;
		tsr_secure_area_t *csa = NULL;
		tsr_ec_pub_t p;

		cref = tsr_test_hex(g_getenv("TSR_TEST_P11_REF"), &cref_len);
		cblob = tsr_test_hex(g_getenv("TSR_TEST_P11_BLOB"), &cblob_len);
		cpub = tsr_test_hex(g_getenv("TSR_TEST_P11_PUB"), &cpub_len);
		g_assert_cmpint(tsr_cose_key_from_bytes(cpub, cpub_len, &p), ==, TSR_OK);
		g_assert_cmpint(open_p11_full(tsr_test_softhsm_module(), TSR_TEST_SOFTHSM_LABEL,
		    tsr_test_secret_cb, TSR_TEST_SOFTHSM_PIN, &csa), ==, TSR_OK);
		check_sign(csa, cref, cref_len, &p);
		g_assert_cmpint(tsr_secure_area_unseal(csa, cblob, cblob_len, back), ==, TSR_OK);
		for (size_t i = 0; i < sizeof(back); i++)
			g_assert_cmpuint(back[i], ==, 0x17);
		tsr_secure_area_free(csa);
		g_free(cref);
		g_free(cblob);
		g_free(cpub);
		return;
	}

	hsm = tsr_test_softhsm_new();
	sa = open_p11(hsm);
	create_key(sa, &ref, &ref_len, &pub);
	memset(key, 0x17, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	{
		uint8_t *cose;
		size_t cose_len = 0;

		cose = pub_cose(&pub, &cose_len);
		g_assert_cmpint(tsr_hex_encode(cose, cose_len, &pub_hex), ==, TSR_OK);
		free(cose);
	}
	/* The parent keeps its session open while the child works. */
	g_assert_cmpint(tsr_hex_encode(ref, ref_len, &ref_hex), ==, TSR_OK);
	g_assert_cmpint(tsr_hex_encode(blob, blob_len, &blob_hex), ==, TSR_OK);
	g_setenv("TSR_TEST_P11_REF", ref_hex, TRUE);
	g_setenv("TSR_TEST_P11_BLOB", blob_hex, TRUE);
	g_setenv("TSR_TEST_P11_PUB", pub_hex, TRUE);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	check_sign(sa, ref, ref_len, &pub);
	tsr_secure_area_free(sa);
	g_unsetenv("TSR_TEST_P11_REF");
	g_unsetenv("TSR_TEST_P11_BLOB");
	g_unsetenv("TSR_TEST_P11_PUB");
	free(ref);
	free(blob);
}

static void
test_other_token(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa, *other = NULL;
	static const uint8_t msg[] = "m";
	uint8_t *ref = NULL, *blob = NULL, key[32], sig[64];
	size_t ref_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;

	tsr_test_softhsm_init_token(hsm, "tessera-other", "8765", "5678");
	sa = open_p11(hsm);
	g_assert_cmpint(open_p11_full(hsm->module, "tessera-other", tsr_test_secret_cb, "8765",
	    &other), ==, TSR_OK);
	g_assert_cmpstr(tsr_secure_area_describe(other), ==, "PKCS#11 token tessera-other");
	create_key(sa, &ref, &ref_len, &pub);
	memset(key, 9, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	/* The other token has no such key and no such data key. */
	g_assert_cmpint(tsr_secure_area_sign(other, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	g_assert_cmpint(tsr_secure_area_unseal(other, blob, blob_len, key), ==,
	    TSR_ERR_SA_KEY_INVALID);
	g_assert_cmpint(tsr_secure_area_delete_key(other, ref, ref_len), ==,
	    TSR_ERR_SA_KEY_INVALID);
	check_sign(sa, ref, ref_len, &pub);
	tsr_secure_area_free(other);
	tsr_secure_area_free(sa);
	free(ref);
	free(blob);
}

static void
test_truncated_refs(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *sa = open_p11(hsm);
	static const uint8_t msg[] = "m";
	uint8_t *ref = NULL, *blob = NULL, *copy, key[32], sig[64];
	size_t ref_len = 0, blob_len = 0;
	tsr_ec_pub_t pub;

	create_key(sa, &ref, &ref_len, &pub);
	for (size_t n = 1; n < 40; n++) {
		copy = g_malloc0(n);
		memcpy(copy, ref, MIN(n, ref_len));
		if (n != ref_len)
			g_assert_cmpint(tsr_secure_area_sign(sa, copy, n, NULL, msg, sizeof(msg),
			    sig), ==, TSR_ERR_SA_KEY_INVALID);
		g_free(copy);
	}
	/* A random 16-byte reference names nothing. */
	copy = g_malloc(16);
	for (size_t i = 0; i < 16; i++)
		copy[i] = (uint8_t)g_test_rand_int_range(0, 256);
	g_assert_cmpint(tsr_secure_area_sign(sa, copy, 16, NULL, msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_KEY_INVALID);
	g_assert_cmpint(tsr_secure_area_delete_key(sa, copy, 16), ==, TSR_ERR_SA_KEY_INVALID);
	g_free(copy);

	/* Sealed blobs: every truncation and a flip of every byte. */
	memset(key, 5, sizeof(key));
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &blob, &blob_len), ==, TSR_OK);
	for (size_t n = 1; n < blob_len; n++)
		g_assert_cmpint(tsr_secure_area_unseal(sa, blob, n, key), ==,
		    TSR_ERR_SA_KEY_INVALID);
	for (size_t i = 0; i < blob_len; i++) {
		blob[i] ^= 0x01;
		g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, key), ==,
		    TSR_ERR_SA_KEY_INVALID);
		blob[i] ^= 0x01;
	}
	g_assert_cmpint(tsr_secure_area_unseal(sa, blob, blob_len, key), ==, TSR_OK);
	check_sign(sa, ref, ref_len, &pub);
	free(blob);
	free(ref);
	tsr_secure_area_free(sa);
}

/* The same peer key agrees with a software key and a token key; each
 * shared secret matches the peer's own computation. */
static void
test_ecdh_cross_check(void)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_secure_area_t *p11 = open_p11(hsm), *sw = NULL;
	tsr_sa_config_t config;
	tsr_ec_key_t *peer = NULL;
	tsr_ec_pub_t p11_pub, sw_pub;
	uint8_t *p11_ref = NULL, *sw_ref = NULL, *cose = NULL, z_p11[32], z_sw[32];
	size_t p11_ref_len = 0, sw_ref_len = 0, cose_len = 0;

	g_setenv("TESSERA_PBKDF2_ITERATIONS", "1000", TRUE);
	memset(&config, 0, sizeof(config));
	config.kind = TSR_SA_SOFTWARE;
	config.secret = tsr_test_secret_cb;
	config.secret_user = (void *)(uintptr_t)"passphrase";
	g_assert_cmpint(tsr_secure_area_open(&config, &sw), ==, TSR_OK);

	create_key(p11, &p11_ref, &p11_ref_len, &p11_pub);
	g_assert_cmpint(tsr_secure_area_create_key(sw, NULL, &sw_ref, &sw_ref_len, &cose,
	    &cose_len), ==, TSR_OK);
	g_assert_cmpint(tsr_cose_key_from_bytes(cose, cose_len, &sw_pub), ==, TSR_OK);
	free(cose);

	for (int i = 0; i < 8; i++) {
		g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &peer), ==, TSR_OK);
		check_ecdh(p11, p11_ref, p11_ref_len, &p11_pub, peer, z_p11);
		check_ecdh(sw, sw_ref, sw_ref_len, &sw_pub, peer, z_sw);
		g_assert_true(memcmp(z_p11, z_sw, 32) != 0);
		tsr_ec_key_free(peer);
		peer = NULL;
	}
	/* A fixed peer (18013-5 Annex D's reader key) against the token key. */
	{
		uint8_t *d;
		size_t d_len = 0;

		d = tsr_test_hex("de3b4b9e5f72dd9b58406ae3091434da48a6f9fd010d88fcb0958e2cebec947c",
		    &d_len);
		g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, d, d_len, &peer), ==,
		    TSR_OK);
		check_ecdh(p11, p11_ref, p11_ref_len, &p11_pub, peer, NULL);
		check_ecdh(sw, sw_ref, sw_ref_len, &sw_pub, peer, NULL);
		tsr_ec_key_free(peer);
		g_free(d);
	}
	tsr_secure_area_free(sw);
	tsr_secure_area_free(p11);
	free(p11_ref);
	free(sw_ref);
}

/* The library's debug log (CKR codes and the like) goes into the TAP output. */
static void
log_cb(const char *msg, void *user)
{
	(void)user;
	g_test_message("%s", msg);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tsr_log_set_handler(log_cb, NULL);
	g_test_add_func("/securearea/pkcs11/valid_roundtrip", test_valid_roundtrip);
	g_test_add_func("/securearea/pkcs11/key_attributes", test_key_attributes);
	g_test_add_func("/securearea/pkcs11/token_not_found", test_token_not_found);
	g_test_add_func("/securearea/pkcs11/bad_module", test_bad_module);
	g_test_add_func("/securearea/pkcs11/wrong_pin", test_wrong_pin);
	g_test_add_func("/securearea/pkcs11/key_pin_refused", test_key_pin_refused);
	g_test_add_func("/securearea/pkcs11/valid_reopen", test_valid_reopen);
	g_test_add_func("/securearea/pkcs11/other_token", test_other_token);
	g_test_add_func("/securearea/pkcs11/truncated_refs", test_truncated_refs);
	g_test_add_func("/securearea/pkcs11/ecdh_cross_check", test_ecdh_cross_check);
	/* Last: the trap starts a GLib thread, and the fixture sets the environment. */
	g_test_add_func("/securearea/pkcs11/second_process", test_second_process);
	return g_test_run();
}
