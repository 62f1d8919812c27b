/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The software secure area, for machines with neither a TPM nor a token:
 * P-256 keys encrypted at rest under a key derived from the wallet
 * passphrase. Not hardware-backed, and it says so. A private key is in the
 * clear only inside one sign or ECDH call and is wiped before it returns;
 * the passphrase-derived key M stays in memory while the area is open.
 *
 * Formats. Integers are big-endian; every blob starts with a version byte
 * and is decoded with exact lengths before any cryptography runs.
 *
 *   params (tsr_secure_area_software_params(), 65 bytes, kept by the wallet):
 *     [0]      0x01 version
 *     [1..4]   PBKDF2 iteration count (uint32)
 *     [5..20]  salt, 16 random bytes
 *     [21..32] IV of the check value, 12 random bytes
 *     [33..64] check value: AES-256-GCM(K_check, IV, "tessera-sa-check"),
 *              16 bytes of ciphertext || 16-byte tag
 *
 *   keys (HKDF is HKDF-SHA-256 with no salt, IKM = M):
 *     M         = PBKDF2-HMAC-SHA-256(passphrase, salt, iterations, 32)
 *     K_check   = HKDF(info "tessera sa-software v1 check"), 32 bytes
 *     wallet id = HKDF(info "tessera sa-software v1 wallet-id"), 8 bytes
 *     K_seal    = HKDF(info "tessera sa-software v1 seal"), 32 bytes
 *     K_key     = HKDF(info "tessera sa-software v1 key" || reference
 *                 header [0..9] || per-key PIN (absent when none)), 32 bytes
 *   A wrong passphrase fails the check value's tag at open:
 *   TSR_ERR_SA_PIN_INCORRECT. Putting the header in K_key's info binds the
 *   flags and wallet id to the ciphertext.
 *
 *   key reference (v1, 22 + n + 16 bytes):
 *     [0]      0x01 version
 *     [1]      flags: bit 0 = the key has its own PIN; other bits zero
 *     [2..9]   wallet id (a reference from another wallet is refused
 *              before decryption: TSR_ERR_SA_KEY_INVALID)
 *     [10..21] IV, 12 random bytes
 *     [22..]   AES-256-GCM(K_key, IV, PKCS#8 DER of the key) || tag
 *   A failing tag means a wrong per-key PIN for a key that has one
 *   (TSR_ERR_SA_PIN_INCORRECT) and a damaged reference otherwise
 *   (TSR_ERR_SA_KEY_INVALID).
 *
 *   sealed data key (v1, 61 bytes): 0x01 || IV (12) ||
 *     AES-256-GCM(K_seal, IV, key (32)) || tag
 *
 * Iterations: a new wallet gets SW_ITERATIONS_DEFAULT (600,000; OWASP's
 * figure for PBKDF2-HMAC-SHA-256), unless TESSERA_PBKDF2_ITERATIONS holds a
 * decimal count in 1 .. SW_ITERATIONS_MAX. That variable is for tests and
 * benchmarks, which cannot afford half a second per open; it only ever
 * affects *new* wallets, and the count used is recorded in the params, so
 * an existing wallet always opens with its own count whatever the
 * environment says.
 *
 * Deleting: a reference is self-contained, so the key is gone once the
 * wallet forgets the reference (the store deletes it with secure_delete).
 * delete_key() checks that the reference is ours and also refuses it for
 * the rest of this open secure area, so a use after delete fails the way it
 * does on a token.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "base/base64.h"
#include "base/log.h"
#include "securearea/securearea-private.h"

#define SW_VERSION 0x01

#define SW_ITERATIONS_DEFAULT 600000u
#define SW_ITERATIONS_MAX 50000000u
#define SW_ITERATIONS_ENV "TESSERA_PBKDF2_ITERATIONS"

#define SW_SALT_LEN 16
#define SW_CHECK_PLAIN "tessera-sa-check"
#define SW_CHECK_PLAIN_LEN 16
#define SW_PARAMS_LEN (1 + 4 + SW_SALT_LEN + TSR_GCM_IV_LEN + SW_CHECK_PLAIN_LEN + TSR_GCM_TAG_LEN)

#define SW_WALLET_ID_LEN 8
#define SW_FLAG_PIN 0x01
#define SW_REF_HDR_LEN (1 + 1 + SW_WALLET_ID_LEN)
#define SW_REF_PREFIX_LEN (SW_REF_HDR_LEN + TSR_GCM_IV_LEN)
/* A P-256 PKCS#8 key is about 140 bytes; allow for other encoders' optional fields. */
#define SW_DER_MAX 512

#define SW_SEALED_LEN (1 + TSR_GCM_IV_LEN + 32 + TSR_GCM_TAG_LEN)

/* PINs and passphrases arrive through a 256-byte callback buffer. */
#define SW_SECRET_CAP 256
#define SW_PIN_MAX 255

#define INFO_CHECK "tessera sa-software v1 check"
#define INFO_WALLET_ID "tessera sa-software v1 wallet-id"
#define INFO_SEAL "tessera sa-software v1 seal"
#define INFO_KEY "tessera sa-software v1 key"

typedef struct sw_state {
	uint8_t params[SW_PARAMS_LEN];
	uint8_t master[32];
	uint8_t wallet_id[SW_WALLET_ID_LEN];
	/* SHA-256 of each reference deleted while open. */
	uint8_t (*deleted)[32];
	size_t n_deleted;
} sw_state_t;

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
derive(const uint8_t master[32], const char *label, const uint8_t *extra, size_t extra_len,
    const char *pin, uint8_t *out, size_t out_len)
{
	uint8_t info[64 + SW_REF_HDR_LEN + SW_PIN_MAX];
	size_t label_len = strlen(label), pin_len = pin != NULL ? strlen(pin) : 0, n = 0;
	int r = TSR_ERR_INTERNAL;

	if (label_len > 64 || extra_len > SW_REF_HDR_LEN || pin_len > SW_PIN_MAX) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	memcpy(info, label, label_len);
	n = label_len;
	if (extra_len > 0) {
		memcpy(info + n, extra, extra_len);
		n += extra_len;
	}
	if (pin_len > 0) {
		memcpy(info + n, pin, pin_len);
		n += pin_len;
	}
	r = tsr_hkdf_sha256(NULL, 0, master, 32, info, n, out, out_len);
out:
	tsr_zeroize(info, sizeof(info));
	return r;
}

/* Iterations for a new wallet (see the comment at the top). */
static uint32_t
new_wallet_iterations(void)
{
	const char *s = getenv(SW_ITERATIONS_ENV);
	unsigned long long v;
	char *end = NULL;

	if (s == NULL || *s == '\0')
		return SW_ITERATIONS_DEFAULT;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] < '0' || s[0] > '9' || v == 0 ||
	    v > SW_ITERATIONS_MAX) {
		tsr_debug("secure area: ignoring %s (not a count in 1..%u)", SW_ITERATIONS_ENV,
		    SW_ITERATIONS_MAX);
		return SW_ITERATIONS_DEFAULT;
	}
	if (v < SW_ITERATIONS_DEFAULT)
		tsr_debug("secure area: %s lowers PBKDF2 to %llu iterations (tests only)",
		    SW_ITERATIONS_ENV, v);
	return (uint32_t)v;
}

/* The passphrase from the caller's callback; TSR_ERR_SA_PIN_REQUIRED when
 * there is no callback, the user cancelled, or it is empty. */
static int
get_passphrase(const tsr_sa_config_t *config, char buf[SW_SECRET_CAP], size_t *ret_len)
{
	size_t len;

	if (config->secret == NULL)
		return TSR_ERR_SA_PIN_REQUIRED;
	memset(buf, 0, SW_SECRET_CAP);
	if (config->secret(config->secret_user, "Passphrase for the Tessera wallet", buf,
	    SW_SECRET_CAP) != 0)
		return TSR_ERR_SA_PIN_REQUIRED;
	if (memchr(buf, '\0', SW_SECRET_CAP) == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((len = strlen(buf)) == 0)
		return TSR_ERR_SA_PIN_REQUIRED;
	*ret_len = len;
	return TSR_OK;
}

static void
sw_close(void *state)
{
	sw_state_t *st = state;

	if (st == NULL)
		return;
	free(st->deleted);
	tsr_free_secret(st, sizeof(*st));
}

static int
sw_open(const tsr_sa_config_t *config, void **ret_state)
{
	sw_state_t *st = NULL;
	char pass[SW_SECRET_CAP];
	uint8_t check_key[32], check[SW_CHECK_PLAIN_LEN];
	uint8_t *salt, *iv, *check_ct;
	uint32_t iterations;
	size_t pass_len = 0;
	int r = TSR_ERR_INTERNAL;

	memset(pass, 0, sizeof(pass));
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	salt = st->params + 5;
	iv = salt + SW_SALT_LEN;
	check_ct = iv + TSR_GCM_IV_LEN;
	if (config->software_params != NULL) {
		/* Parameters of an existing wallet: exactly v1, a sane count. */
		if (config->software_params_len != SW_PARAMS_LEN ||
		    config->software_params[0] != SW_VERSION) {
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
		memcpy(st->params, config->software_params, SW_PARAMS_LEN);
		iterations = get_be32(st->params + 1);
		if (iterations == 0 || iterations > SW_ITERATIONS_MAX) {
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
	} else {
		iterations = new_wallet_iterations();
		st->params[0] = SW_VERSION;
		put_be32(st->params + 1, iterations);
		if ((r = tsr_random_bytes(salt, SW_SALT_LEN + TSR_GCM_IV_LEN)) != TSR_OK)
			goto out;
	}
	if ((r = get_passphrase(config, pass, &pass_len)) != TSR_OK)
		goto out;
	if ((r = tsr_pbkdf2_sha256((const uint8_t *)pass, pass_len, salt, SW_SALT_LEN,
	    iterations, st->master, sizeof(st->master))) != TSR_OK)
		goto out;
	if ((r = derive(st->master, INFO_CHECK, NULL, 0, NULL, check_key,
	    sizeof(check_key))) != TSR_OK)
		goto out;
	if (config->software_params != NULL) {
		r = tsr_aes256gcm_decrypt(check_key, iv, check_ct,
		    SW_CHECK_PLAIN_LEN + TSR_GCM_TAG_LEN, check);
		if (r == TSR_ERR_CRYPTO_DECRYPT ||
		    (r == TSR_OK && memcmp(check, SW_CHECK_PLAIN, SW_CHECK_PLAIN_LEN) != 0)) {
			r = TSR_ERR_SA_PIN_INCORRECT;
			goto out;
		}
		if (r != TSR_OK)
			goto out;
	} else {
		if ((r = tsr_aes256gcm_encrypt(check_key, iv, (const uint8_t *)SW_CHECK_PLAIN,
		    SW_CHECK_PLAIN_LEN, check_ct)) != TSR_OK)
			goto out;
	}
	if ((r = derive(st->master, INFO_WALLET_ID, NULL, 0, NULL, st->wallet_id,
	    sizeof(st->wallet_id))) != TSR_OK)
		goto out;
	*ret_state = st;
	st = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(pass, sizeof(pass));
	tsr_zeroize(check_key, sizeof(check_key));
	tsr_zeroize(check, sizeof(check));
	sw_close(st);
	return r;
}

static const char *
sw_describe(void *state)
{
	(void)state;
	return "software (not hardware-backed)";
}

static int
sw_software_params(void *state, uint8_t **ret_params, size_t *ret_len)
{
	sw_state_t *st = state;
	uint8_t *p = NULL;
	int r;

	if ((r = tsr_bytes_dup(st->params, SW_PARAMS_LEN, &p)) != TSR_OK)
		return r;
	*ret_params = p;
	*ret_len = SW_PARAMS_LEN;
	return TSR_OK;
}

/* PKCS#8 PEM (what the crypto layer writes) -> DER. Every buffer that held
 * key bytes is wiped. */
static int
pem_to_der(const char *pem, uint8_t **ret_der, size_t *ret_len)
{
	static const char begin[] = "-----BEGIN PRIVATE KEY-----";
	static const char end[] = "-----END PRIVATE KEY-----";
	const char *b, *e;
	char *text = NULL;
	size_t n = 0, cap = 0;
	int r = TSR_ERR_INTERNAL;

	if ((b = strstr(pem, begin)) == NULL || (e = strstr(b, end)) == NULL) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	b += sizeof(begin) - 1;
	cap = (size_t)(e - b);
	if ((text = malloc(cap + 1)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	/* Standard base64 with line breaks -> unpadded base64url. */
	for (const char *p = b; p < e; p++) {
		char c = *p;

		if (c == '\n' || c == '\r')
			continue;
		if (c == '=')
			break;
		text[n++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	if ((r = tsr_base64url_decode(text, n, ret_der, ret_len)) != TSR_OK)
		r = TSR_ERR_CRYPTO;
out:
	tsr_free_secret(text, cap + 1);
	return r;
}

/* Per-key PINs: present means 1..255 bytes. */
static bool
pin_ok(const char *pin)
{
	size_t len;

	if (pin == NULL)
		return true;
	len = strlen(pin);
	return len > 0 && len <= SW_PIN_MAX;
}

static int
sw_create_key(void *state, const tsr_sa_key_options_t *options, const uint8_t *name,
    size_t name_len, uint8_t **ret_ref, size_t *ret_ref_len, tsr_ec_pub_t *ret_pub)
{
	sw_state_t *st = state;
	const char *pin = options != NULL ? options->pin : NULL;
	tsr_ec_key_t *key = NULL;
	tsr_ec_pub_t pub;
	char *pem = NULL;
	uint8_t *der = NULL, *ref = NULL, wrap[32];
	size_t der_len = 0, ref_len = 0;
	int r = TSR_ERR_INTERNAL;

	/* No new_ref(): nothing of a key exists before the wallet records it. */
	if (name != NULL || name_len != 0)
		return TSR_ERR_INVALID_ARGUMENT;

	if (!pin_ok(pin)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = tsr_ec_key_generate(TSR_CURVE_P256, &key)) != TSR_OK ||
	    (r = tsr_ec_key_public(key, &pub)) != TSR_OK ||
	    (r = tsr_ec_key_to_pem(key, &pem)) != TSR_OK ||
	    (r = pem_to_der(pem, &der, &der_len)) != TSR_OK)
		goto out;
	if (der_len == 0 || der_len > SW_DER_MAX) {
		r = TSR_ERR_INTERNAL;
		goto out;
	}
	ref_len = SW_REF_PREFIX_LEN + der_len + TSR_GCM_TAG_LEN;
	if ((ref = calloc(1, ref_len)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	ref[0] = SW_VERSION;
	ref[1] = pin != NULL ? SW_FLAG_PIN : 0;
	memcpy(ref + 2, st->wallet_id, SW_WALLET_ID_LEN);
	if ((r = tsr_random_bytes(ref + SW_REF_HDR_LEN, TSR_GCM_IV_LEN)) != TSR_OK)
		goto out;
	if ((r = derive(st->master, INFO_KEY, ref, SW_REF_HDR_LEN, pin, wrap,
	    sizeof(wrap))) != TSR_OK)
		goto out;
	if ((r = tsr_aes256gcm_encrypt(wrap, ref + SW_REF_HDR_LEN, der, der_len,
	    ref + SW_REF_PREFIX_LEN)) != TSR_OK)
		goto out;
	*ret_ref = ref;
	*ret_ref_len = ref_len;
	*ret_pub = pub;
	ref = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(wrap, sizeof(wrap));
	free(ref);
	tsr_free_secret(der, der_len);
	if (pem != NULL)
		tsr_free_secret(pem, strlen(pem));
	tsr_ec_key_free(key);
	return r;
}

/* Checks what can be checked without a PIN: length, version, flags, that
 * the reference belongs to this wallet and has not been deleted. */
static int
check_ref(const sw_state_t *st, const uint8_t *ref, size_t ref_len, uint8_t ret_hash[32])
{
	uint8_t h[32];
	int r;

	if (ref_len < SW_REF_PREFIX_LEN + 1 + TSR_GCM_TAG_LEN ||
	    ref_len > SW_REF_PREFIX_LEN + SW_DER_MAX + TSR_GCM_TAG_LEN ||
	    ref[0] != SW_VERSION || (ref[1] & ~SW_FLAG_PIN) != 0 ||
	    memcmp(ref + 2, st->wallet_id, SW_WALLET_ID_LEN) != 0)
		return TSR_ERR_SA_KEY_INVALID;
	if ((r = tsr_hash(TSR_HASH_SHA256, ref, ref_len, h)) != TSR_OK)
		return r;
	for (size_t i = 0; i < st->n_deleted; i++) {
		if (memcmp(st->deleted[i], h, sizeof(h)) == 0)
			return TSR_ERR_SA_KEY_INVALID;
	}
	if (ret_hash != NULL)
		memcpy(ret_hash, h, sizeof(h));
	return TSR_OK;
}

/* Decrypts a reference into a key that the caller frees at once. */
static int
load_key(const sw_state_t *st, const uint8_t *ref, size_t ref_len, const char *pin,
    tsr_ec_key_t **ret_key)
{
	tsr_ec_key_t *key = NULL;
	uint8_t wrap[32], *der = NULL;
	size_t der_len = 0;
	bool has_pin;
	int r = TSR_ERR_INTERNAL;

	if ((r = check_ref(st, ref, ref_len, NULL)) != TSR_OK)
		goto out;
	has_pin = (ref[1] & SW_FLAG_PIN) != 0;
	if (has_pin && pin == NULL) {
		r = TSR_ERR_SA_PIN_REQUIRED;
		goto out;
	}
	/* A PIN for a key without one, or one no key can have, is wrong. */
	if ((!has_pin && pin != NULL) || !pin_ok(pin)) {
		r = TSR_ERR_SA_PIN_INCORRECT;
		goto out;
	}
	der_len = ref_len - SW_REF_PREFIX_LEN - TSR_GCM_TAG_LEN;
	if ((der = malloc(der_len)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((r = derive(st->master, INFO_KEY, ref, SW_REF_HDR_LEN, pin, wrap,
	    sizeof(wrap))) != TSR_OK)
		goto out;
	r = tsr_aes256gcm_decrypt(wrap, ref + SW_REF_HDR_LEN, ref + SW_REF_PREFIX_LEN,
	    ref_len - SW_REF_PREFIX_LEN, der);
	if (r == TSR_ERR_CRYPTO_DECRYPT) {
		r = has_pin ? TSR_ERR_SA_PIN_INCORRECT : TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	if (r != TSR_OK)
		goto out;
	/* Authentic but not a P-256 key: not something we wrote. */
	if (tsr_ec_key_parse(der, der_len, &key) != TSR_OK ||
	    tsr_ec_key_curve(key) != TSR_CURVE_P256) {
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	*ret_key = key;
	key = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(wrap, sizeof(wrap));
	tsr_free_secret(der, der_len);
	tsr_ec_key_free(key);
	return r;
}

static int
sw_sign_digest(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
    const uint8_t digest[32], uint8_t sig[64])
{
	tsr_ec_key_t *key = NULL;
	uint8_t out_sig[TSR_ECDSA_RAW_MAX];
	size_t sig_len = 0;
	int r = TSR_ERR_INTERNAL;

	if ((r = load_key(state, ref, ref_len, pin, &key)) != TSR_OK)
		goto out;
	if ((r = tsr_ecdsa_sign_digest(key, digest, 32, out_sig, &sig_len)) != TSR_OK)
		goto out;
	if (sig_len != 64) {
		r = TSR_ERR_INTERNAL;
		goto out;
	}
	memcpy(sig, out_sig, 64);
	r = TSR_OK;
out:
	tsr_ec_key_free(key);
	return r;
}

static int
sw_ecdh(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
    const tsr_ec_pub_t *peer, uint8_t z[32])
{
	tsr_ec_key_t *key = NULL;
	uint8_t out_z[TSR_EC_COORD_MAX];
	size_t z_len = 0;
	int r = TSR_ERR_INTERNAL;

	if ((r = load_key(state, ref, ref_len, pin, &key)) != TSR_OK)
		goto out;
	if ((r = tsr_ecdh(key, peer, out_z, &z_len)) != TSR_OK)
		goto out;
	if (z_len != 32) {
		r = TSR_ERR_INTERNAL;
		goto out;
	}
	memcpy(z, out_z, 32);
	r = TSR_OK;
out:
	tsr_zeroize(out_z, sizeof(out_z));
	tsr_ec_key_free(key);
	return r;
}

static int
sw_delete_key(void *state, const uint8_t *ref, size_t ref_len)
{
	sw_state_t *st = state;
	uint8_t h[32], (*grown)[32];
	int r;

	if ((r = check_ref(st, ref, ref_len, h)) != TSR_OK)
		return r;
	if ((grown = realloc(st->deleted, (st->n_deleted + 1) * sizeof(*grown))) == NULL)
		return TSR_ERR_NO_MEMORY;
	st->deleted = grown;
	memcpy(st->deleted[st->n_deleted++], h, sizeof(h));
	return TSR_OK;
}

static int
sw_seal(void *state, const uint8_t key[32], uint8_t **ret_blob, size_t *ret_blob_len)
{
	sw_state_t *st = state;
	uint8_t seal_key[32], *blob = NULL;
	int r = TSR_ERR_INTERNAL;

	if ((blob = malloc(SW_SEALED_LEN)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	blob[0] = SW_VERSION;
	if ((r = tsr_random_bytes(blob + 1, TSR_GCM_IV_LEN)) != TSR_OK ||
	    (r = derive(st->master, INFO_SEAL, NULL, 0, NULL, seal_key,
	    sizeof(seal_key))) != TSR_OK ||
	    (r = tsr_aes256gcm_encrypt(seal_key, blob + 1, key, 32,
	    blob + 1 + TSR_GCM_IV_LEN)) != TSR_OK)
		goto out;
	*ret_blob = blob;
	*ret_blob_len = SW_SEALED_LEN;
	blob = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(seal_key, sizeof(seal_key));
	free(blob);
	return r;
}

static int
sw_unseal(void *state, const uint8_t *blob, size_t blob_len, uint8_t key[32])
{
	sw_state_t *st = state;
	uint8_t seal_key[32], out_key[32];
	int r = TSR_ERR_INTERNAL;

	if (blob_len != SW_SEALED_LEN || blob[0] != SW_VERSION) {
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	if ((r = derive(st->master, INFO_SEAL, NULL, 0, NULL, seal_key,
	    sizeof(seal_key))) != TSR_OK)
		goto out;
	r = tsr_aes256gcm_decrypt(seal_key, blob + 1, blob + 1 + TSR_GCM_IV_LEN,
	    32 + TSR_GCM_TAG_LEN, out_key);
	if (r == TSR_ERR_CRYPTO_DECRYPT) {
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	if (r != TSR_OK)
		goto out;
	memcpy(key, out_key, 32);
	r = TSR_OK;
out:
	tsr_zeroize(seal_key, sizeof(seal_key));
	tsr_zeroize(out_key, sizeof(out_key));
	return r;
}

int
tsr_sa_software_rewrap(const tsr_secure_area_t *from, const tsr_secure_area_t *to,
    const uint8_t *ref, size_t ref_len, uint8_t **ret_ref, size_t *ret_ref_len)
{
	const sw_state_t *a, *b;
	uint8_t wrap[32], *der = NULL, *out_ref = NULL;
	size_t der_len = 0;
	int r = TSR_ERR_INTERNAL;

	if (from == NULL || to == NULL || from->ops != &tsr_sa_software_ops ||
	    to->ops != &tsr_sa_software_ops || ref == NULL || ret_ref == NULL ||
	    ret_ref_len == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	a = from->state;
	b = to->state;
	if ((r = check_ref(a, ref, ref_len, NULL)) != TSR_OK)
		goto out;
	/* K_key of such a key also depends on its PIN, which we do not have. */
	if ((ref[1] & SW_FLAG_PIN) != 0) {
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	der_len = ref_len - SW_REF_PREFIX_LEN - TSR_GCM_TAG_LEN;
	if ((der = malloc(der_len)) == NULL || (out_ref = calloc(1, ref_len)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((r = derive(a->master, INFO_KEY, ref, SW_REF_HDR_LEN, NULL, wrap,
	    sizeof(wrap))) != TSR_OK)
		goto out;
	r = tsr_aes256gcm_decrypt(wrap, ref + SW_REF_HDR_LEN, ref + SW_REF_PREFIX_LEN,
	    ref_len - SW_REF_PREFIX_LEN, der);
	if (r == TSR_ERR_CRYPTO_DECRYPT)
		r = TSR_ERR_SA_KEY_INVALID;
	if (r != TSR_OK)
		goto out;
	/* The same layout, with the new wallet id, a fresh IV and K_key of `to`. */
	out_ref[0] = SW_VERSION;
	out_ref[1] = 0;
	memcpy(out_ref + 2, b->wallet_id, SW_WALLET_ID_LEN);
	if ((r = tsr_random_bytes(out_ref + SW_REF_HDR_LEN, TSR_GCM_IV_LEN)) != TSR_OK ||
	    (r = derive(b->master, INFO_KEY, out_ref, SW_REF_HDR_LEN, NULL, wrap,
	    sizeof(wrap))) != TSR_OK ||
	    (r = tsr_aes256gcm_encrypt(wrap, out_ref + SW_REF_HDR_LEN, der, der_len,
	    out_ref + SW_REF_PREFIX_LEN)) != TSR_OK)
		goto out;
	*ret_ref = out_ref;
	*ret_ref_len = ref_len;
	out_ref = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(wrap, sizeof(wrap));
	tsr_free_secret(der, der_len);
	free(out_ref);
	return r;
}

const tsr_sa_ops_t tsr_sa_software_ops = {
	.kind = TSR_SA_SOFTWARE,
	.hardware_backed = false,
	.open = sw_open,
	.close = sw_close,
	.describe = sw_describe,
	.create_key = sw_create_key,
	.sign_digest = sw_sign_digest,
	.ecdh = sw_ecdh,
	.delete_key = sw_delete_key,
	.seal = sw_seal,
	.unseal = sw_unseal,
	.software_params = sw_software_params,
};
