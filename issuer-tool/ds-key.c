/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The Document Signer of a PKI directory: DIR/ds.pem with either a software
 * key (DIR/ds_key.pem) or a key on a PKCS#11 token named by DIR/ds_key.p11.
 *
 * The token is driven by libtessera's PKCS#11 secure area (the wallet's
 * back-end, <tessera/securearea.h>): it generates a P-256 key pair with
 * CKA_SENSITIVE and !CKA_EXTRACTABLE, and signs with CKM_ECDSA over
 * SHA-256, which is exactly the ES256 signer tsr_issuer_new_with_signer()
 * wants. The key reference the back-end hands out is the pair's CKA_ID;
 * ds_key.p11 records it with the module and the token label:
 *
 *   # tessera-issuer: ... (comments)
 *   module = /usr/lib/softhsm/libsofthsm2.so
 *   token = Issuer HSM
 *   id = 4f1c...  (hex CKA_ID)
 *
 * It holds no secret. The PIN comes from --pin-file or $TESSERA_PIN.
 */

#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tessera/tessera.h>

#define PIN_CAP 256
#define REF_MAX 64
#define P11_FILE_MAX 8192

/* The DS key pair is told apart from wallets' device keys on a shared token. */
static const tsr_sa_key_options_t DS_KEY_OPTIONS = { .label = "tessera-document-signer" };

struct cli_ds {
	tsr_issuer_t *issuer;
	tsr_secure_area_t *sa; /* PKCS#11 only */
	uint8_t ref[REF_MAX];
	size_t ref_len;
	char *module, *token;
};

/* --- The token PIN --- */

typedef struct pin_src {
	char value[PIN_CAP];
} pin_src_t;

static int
pin_load(const char *pin_file, pin_src_t *pin)
{
	const char *env;
	uint8_t *data = NULL;
	size_t len = 0;

	memset(pin, 0, sizeof(*pin));
	if (pin_file != NULL) {
		if (cli_read_file(pin_file, PIN_CAP * 4, &data, &len) < 0)
			return -1;
		while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			len--;
		if (len == 0 || len >= sizeof(pin->value) || memchr(data, '\0', len) != NULL) {
			cli_error(pin_file, "not a PIN (empty, too long, or holds a NUL byte)");
			cli_free_data(data, len);
			return -1;
		}
		memcpy(pin->value, data, len);
		cli_free_data(data, len);
		return 0;
	}
	if ((env = getenv("TESSERA_PIN")) != NULL && env[0] != '\0' &&
	    strlen(env) < sizeof(pin->value)) {
		memcpy(pin->value, env, strlen(env) + 1);
		return 0;
	}
	cli_error("PKCS#11", "the token's user PIN is needed: give --pin-file FILE or set "
	    "TESSERA_PIN");
	return -1;
}

static int
pin_cb(void *user, const char *purpose, char *buf, size_t cap)
{
	const pin_src_t *pin = user;
	size_t len = strlen(pin->value);

	(void)purpose;
	if (len + 1 > cap)
		return -1;
	memcpy(buf, pin->value, len + 1);
	return 0;
}

static int
open_token(const char *module, const char *token, const pin_src_t *pin,
    tsr_secure_area_t **ret_sa)
{
	tsr_sa_config_t config;
	int err;

	memset(&config, 0, sizeof(config));
	config.kind = TSR_SA_PKCS11;
	config.pkcs11_module = module;
	config.pkcs11_token_label = token;
	config.secret = pin_cb;
	config.secret_user = (void *)(uintptr_t)pin;
	if ((err = tsr_secure_area_open(&config, ret_sa)) != TSR_OK) {
		switch (err) {
		case TSR_ERR_SA_UNAVAILABLE:
			cli_error(module, "cannot load this PKCS#11 module or reach its token");
			break;
		case TSR_ERR_SA_TOKEN_NOT_FOUND:
			cli_error(token, "no initialised token with this label in %s", module);
			break;
		case TSR_ERR_SA_PIN_INCORRECT:
			cli_error(token, "the PIN is not the token's user PIN");
			break;
		default:
			cli_error(token, "%s", tsr_strerror(err));
			break;
		}
		return -1;
	}
	return 0;
}

/* --- COSE_Key -> SubjectPublicKeyInfo (P-256) --- */

/* The secure area's COSE_Key {1: 2, -1: 1, -2: x, -3: y}, deterministic. */
static const uint8_t cose_p256_head[] = { 0xa4, 0x01, 0x02, 0x20, 0x01, 0x21, 0x58, 0x20 };
static const uint8_t cose_p256_mid[] = { 0x22, 0x58, 0x20 };
/* SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING 04||x||y } */
static const uint8_t spki_p256_head[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
	0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
};

#define COSE_P256_LEN (sizeof(cose_p256_head) + 32 + sizeof(cose_p256_mid) + 32)
#define SPKI_P256_LEN (sizeof(spki_p256_head) + 64)

static int
cose_to_spki(const uint8_t *cose, size_t len, uint8_t spki[SPKI_P256_LEN])
{
	const uint8_t *x = cose + sizeof(cose_p256_head);
	const uint8_t *y = x + 32 + sizeof(cose_p256_mid);
	tsr_device_keys_t *keys = NULL;
	const uint8_t *back;
	size_t back_len;
	int r = -1;

	if (len != COSE_P256_LEN || memcmp(cose, cose_p256_head, sizeof(cose_p256_head)) != 0 ||
	    memcmp(x + 32, cose_p256_mid, sizeof(cose_p256_mid)) != 0)
		return -1;
	memcpy(spki, spki_p256_head, sizeof(spki_p256_head));
	memcpy(spki + sizeof(spki_p256_head), x, 32);
	memcpy(spki + sizeof(spki_p256_head) + 32, y, 32);
	/* Cross-check with the library's own parser: the SPKI must give back
	 * the very same COSE_Key (and be a point on the curve). */
	if (tsr_device_keys_new(&keys) == TSR_OK &&
	    tsr_device_keys_add(keys, spki, SPKI_P256_LEN) == TSR_OK &&
	    tsr_device_keys_get(keys, 0, &back, &back_len) == TSR_OK && back_len == len &&
	    memcmp(back, cose, len) == 0)
		r = 0;
	tsr_device_keys_free(keys);
	return r;
}

/* --- ds_key.p11 --- */

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *ret_len)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v = 0;

		for (size_t j = 0; j < 2; j++) {
			char c = hex[2 * i + j];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned)(c - 'A' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	*ret_len = n / 2;
	return 0;
}

static int
parse_p11_file(const char *path, char *text, cli_ds_t *ds)
{
	char *line = text, *next;
	unsigned lineno = 0;

	for (; line != NULL; line = next) {
		char *eq, *key, *value;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL)
			goto bad;
		*eq = '\0';
		key = trim(line);
		value = trim(eq + 1);
		if (*value == '\0')
			goto bad;
		if (strcmp(key, "module") == 0 && ds->module == NULL) {
			ds->module = strdup(value);
		} else if (strcmp(key, "token") == 0 && ds->token == NULL) {
			ds->token = strdup(value);
		} else if (strcmp(key, "id") == 0 && ds->ref_len == 0) {
			if (hex_decode(value, ds->ref, sizeof(ds->ref), &ds->ref_len) < 0)
				goto bad;
		} else {
			goto bad;
		}
	}
	if (ds->module == NULL || ds->token == NULL || ds->ref_len == 0) {
		cli_error(path, "needs module, token and id lines");
		return -1;
	}
	return 0;
bad:
	cli_error(path, "line %u: expected one of \"module = PATH\", \"token = LABEL\", "
	    "\"id = HEX\", each once", lineno);
	return -1;
}

static bool
exists_in(const char *dir, const char *name)
{
	char *path = NULL;
	bool ok;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return false;
	ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

/* ES256 on the token: the back-end hashes with SHA-256 and returns r||s. */
static int
token_sign(void *user, const uint8_t *msg, size_t len, uint8_t *sig, size_t sig_cap,
    size_t *ret_sig_len)
{
	cli_ds_t *ds = user;
	int err;

	if (sig_cap < 64)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((err = tsr_secure_area_sign(ds->sa, ds->ref, ds->ref_len, NULL, msg, len, sig)) !=
	    TSR_OK)
		return err;
	*ret_sig_len = 64;
	return TSR_OK;
}

int
cli_ds_open(const char *pki, const char *pin_file, cli_ds_t **ret_ds)
{
	cli_ds_t *ds = NULL;
	uint8_t *cert = NULL, *key = NULL, *text = NULL;
	size_t cert_len = 0, key_len = 0, text_len = 0;
	bool has_pem = exists_in(pki, "ds_key.pem"), has_p11 = exists_in(pki, "ds_key.p11");
	pin_src_t pin;
	int err, r = -1;

	memset(&pin, 0, sizeof(pin));
	if (has_pem && has_p11) {
		cli_error(pki, "has both ds_key.pem and ds_key.p11: which is the DS key? Remove "
		    "the stale one");
		return -1;
	}
	if ((ds = calloc(1, sizeof(*ds))) == NULL) {
		cli_error(pki, "out of memory");
		return -1;
	}
	if (cli_read_in_dir(pki, "ds.pem", &cert, &cert_len) < 0)
		goto out;
	if (!has_p11) {
		if (pin_file != NULL) {
			cli_error("--pin-file", "%s/ds_key.pem is a software key; --pin-file is "
			    "for a DS key on a PKCS#11 token (ds_key.p11)", pki);
			goto out;
		}
		if (cli_read_in_dir(pki, "ds_key.pem", &key, &key_len) < 0)
			goto out;
		if ((err = tsr_issuer_new(cert, cert_len, key, key_len, &ds->issuer)) != TSR_OK) {
			cli_error(pki, "cannot use ds.pem / ds_key.pem: %s", tsr_strerror(err));
			goto out;
		}
		*ret_ds = ds;
		ds = NULL;
		r = 0;
		goto out;
	}
	if (cli_read_in_dir(pki, "ds_key.p11", &text, &text_len) < 0)
		goto out;
	if (text_len > P11_FILE_MAX || memchr(text, '\0', text_len) != NULL) {
		cli_error(pki, "ds_key.p11 is not a key reference file");
		goto out;
	}
	if (parse_p11_file("ds_key.p11", (char *)text, ds) < 0)
		goto out;
	if (ds->module == NULL || ds->token == NULL) {
		cli_error(pki, "out of memory");
		goto out;
	}
	if (pin_load(pin_file, &pin) < 0 || open_token(ds->module, ds->token, &pin, &ds->sa) < 0)
		goto out;
	if ((err = tsr_issuer_new_with_signer(cert, cert_len, token_sign, ds, &ds->issuer)) !=
	    TSR_OK) {
		cli_error(pki, "cannot use ds.pem: %s", tsr_strerror(err));
		goto out;
	}
	*ret_ds = ds;
	ds = NULL;
	r = 0;
out:
	explicit_bzero(&pin, sizeof(pin));
	cli_free_data(cert, cert_len);
	cli_free_data(key, key_len);
	cli_free_data(text, text_len);
	cli_ds_free(ds);
	return r;
}

const tsr_issuer_t *
cli_ds_issuer(const cli_ds_t *ds)
{
	return ds->issuer;
}

const char *
cli_ds_token(const cli_ds_t *ds)
{
	return ds->sa != NULL ? ds->token : NULL;
}

void
cli_ds_explain(const cli_ds_t *ds, int err)
{
	if (ds->sa == NULL)
		return;
	if (err == TSR_ERR_SA_KEY_INVALID)
		fprintf(stderr, "tessera-issuer: the key that ds_key.p11 names is not on token "
		    "'%s' (deleted, or another token)\n", ds->token);
	else if (err <= TSR_ERR_SA_UNAVAILABLE && err >= TSR_ERR_SA_NOT_SUPPORTED)
		fprintf(stderr, "tessera-issuer: signing on token '%s' failed\n", ds->token);
}

void
cli_ds_free(cli_ds_t *ds)
{
	if (ds == NULL)
		return;
	tsr_issuer_free(ds->issuer);
	tsr_secure_area_free(ds->sa);
	free(ds->module);
	free(ds->token);
	explicit_bzero(ds, sizeof(*ds));
	free(ds);
}

/* --- init: a new DS key on a token --- */

struct cli_p11_key {
	tsr_secure_area_t *sa;
	uint8_t *ref;
	size_t ref_len;
	bool keep;
};

int
cli_p11_key_create(const char *module, const char *token, const char *pin_file,
    cli_p11_key_t **ret_key, uint8_t *spki, size_t spki_cap, size_t *ret_spki_len)
{
	cli_p11_key_t *k = NULL;
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	pin_src_t pin;
	int err, r = -1;

	memset(&pin, 0, sizeof(pin));
	if (spki_cap < SPKI_P256_LEN)
		return -1;
	if (strpbrk(module, "\r\n") != NULL || strpbrk(token, "\r\n") != NULL) {
		cli_error("--token", "module paths and token labels cannot hold line breaks");
		return -1;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		cli_error(token, "out of memory");
		return -1;
	}
	if (pin_load(pin_file, &pin) < 0 || open_token(module, token, &pin, &k->sa) < 0)
		goto out;
	if ((err = tsr_secure_area_create_key(k->sa, &DS_KEY_OPTIONS, &k->ref, &k->ref_len,
	    &cose, &cose_len)) != TSR_OK) {
		cli_error(token, "cannot generate a P-256 key pair on the token: %s",
		    tsr_strerror(err));
		goto out;
	}
	if (k->ref_len == 0 || k->ref_len > REF_MAX ||
	    cose_to_spki(cose, cose_len, spki) < 0) {
		cli_error(token, "the token's new key is not a usable P-256 key");
		goto out;
	}
	*ret_spki_len = SPKI_P256_LEN;
	*ret_key = k;
	k = NULL;
	r = 0;
out:
	explicit_bzero(&pin, sizeof(pin));
	tsr_free(cose);
	cli_p11_key_free(k);
	return r;
}

char *
cli_p11_key_reference(const cli_p11_key_t *key, const char *module, const char *token)
{
	char hex[2 * REF_MAX + 1], *text = NULL;

	for (size_t i = 0; i < key->ref_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", key->ref[i]);
	if (asprintf(&text,
	    "# tessera-issuer: the Document Signer key is on a PKCS#11 token and never\n"
	    "# leaves it. This file only names it: no secret. The PIN comes from\n"
	    "# --pin-file or TESSERA_PIN.\n"
	    "module = %s\n"
	    "token = %s\n"
	    "id = %s\n", module, token, hex) < 0)
		return NULL;
	return text;
}

void
cli_p11_key_keep(cli_p11_key_t *key)
{
	key->keep = true;
}

void
cli_p11_key_free(cli_p11_key_t *key)
{
	if (key == NULL)
		return;
	/* Not written down anywhere: do not leave an orphan on the token. */
	if (!key->keep && key->ref != NULL &&
	    tsr_secure_area_delete_key(key->sa, key->ref, key->ref_len) != TSR_OK)
		fprintf(stderr, "tessera-issuer: could not delete the unused key from the "
		    "token\n");
	tsr_free(key->ref);
	tsr_secure_area_free(key->sa);
	free(key);
}
