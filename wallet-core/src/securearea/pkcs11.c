/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The PKCS#11 secure area: keys generated on a token (SoftHSM2, a smart
 * card, an HSM), non-extractable and sensitive; the token signs
 * (CKM_ECDSA) and agrees (CKM_ECDH1_DERIVE). Only p11-kit's header is
 * used: the configured module is dlopen()ed, initialised once per process
 * however many areas use it (C_Finalize when the last one closes), and one
 * RW session per area is logged in as the user at open.
 *
 * Formats:
 *
 *   key reference: the 16 random bytes that are the key pair's CKA_ID,
 *     exactly 16 bytes. Private key: CKA_TOKEN, CKA_PRIVATE,
 *     CKA_SENSITIVE, !CKA_EXTRACTABLE, CKA_SIGN, CKA_DERIVE; public key:
 *     CKA_TOKEN, CKA_VERIFY; both CKA_LABEL "tessera-device-key" (or the
 *     creator's tsr_sa_key_options_t::label) and
 *     CKA_EC_PARAMS prime256v1. A reference is only as good as the
 *     object: a deleted key or another token gives TSR_ERR_SA_KEY_INVALID.
 *
 *   sealed data key (v1, 77 bytes):
 *     [0]      0x01 version
 *     [1..16]  CKA_ID of the token's AES-256 key labelled
 *              "tessera-data-key" (CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE,
 *              !CKA_EXTRACTABLE, found or made by the first seal)
 *     [17..28] IV, 12 random bytes
 *     [29..76] CKM_AES_GCM(IV, AAD = bytes [0..16], key (32)) || 16-byte tag
 *   Naming the AES key's CKA_ID keeps unseal right when a token holds more
 *   than one data key (two wallets on one token); the AAD binds it.
 *
 * PINs: the token's user PIN comes from the secret callback at open. Keys
 * have no PIN of their own here (TSR_ERR_SA_NOT_SUPPORTED). PKCS#11 keeps
 * the login state per application and token, so a second area opened on a
 * token this process is already logged in to shares that login
 * (CKR_USER_ALREADY_LOGGED_IN) and its PIN is not checked again.
 */

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "base/log.h"
#include "securearea/securearea-private.h"

#define P11_ID_LEN 16
#define P11_LABEL_MAX 32 /* CK_TOKEN_INFO.label */
#define P11_PIN_CAP 256
#define P11_KEY_LABEL "tessera-device-key"
#define P11_DATA_KEY_LABEL "tessera-data-key"
/* DER OID prime256v1 (1.2.840.10045.3.1.7). */
#define P11_P256_OID { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }

/* PKCS#11 3.0; p11-kit 0.24's header predates it. */
#ifndef CKR_AEAD_DECRYPT_FAILED
#define CKR_AEAD_DECRYPT_FAILED (0x35UL)
#endif

#define P11_SEAL_VERSION 0x01
#define P11_SEAL_AAD_LEN (1 + P11_ID_LEN)
#define P11_SEALED_LEN (P11_SEAL_AAD_LEN + TSR_GCM_IV_LEN + 32 + TSR_GCM_TAG_LEN)

/* A loaded module, shared by every area that opened the same file. */
typedef struct p11_module {
	void *dl;
	CK_FUNCTION_LIST_PTR fl;
	unsigned refs;
	bool finalize; /* we initialised it, so we finalise it */
	struct p11_module *next;
} p11_module_t;

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static p11_module_t *modules;

typedef struct p11_state {
	p11_module_t *mod;
	CK_FUNCTION_LIST_PTR fl;
	CK_SESSION_HANDLE session;
	bool have_session;
	/* Private objects are usable: logged in, or the token needs no login. */
	bool authed;
	char describe[64];
} p11_state_t;

static int
rv_to_err(CK_RV rv, const char *what)
{
	if (rv == CKR_OK)
		return TSR_OK;
	tsr_debug("pkcs11: %s: CKR 0x%lx", what, (unsigned long)rv);
	switch (rv) {
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		return TSR_ERR_SA_PIN_INCORRECT;
	case CKR_PIN_LOCKED:
		return TSR_ERR_SA_PIN_LOCKED;
	case CKR_USER_NOT_LOGGED_IN:
	case CKR_USER_PIN_NOT_INITIALIZED:
		return TSR_ERR_SA_PIN_REQUIRED;
	case CKR_OBJECT_HANDLE_INVALID:
	case CKR_KEY_HANDLE_INVALID:
		return TSR_ERR_SA_KEY_INVALID;
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
	case CKR_CRYPTOKI_NOT_INITIALIZED:
		return TSR_ERR_SA_UNAVAILABLE;
	case CKR_HOST_MEMORY:
		return TSR_ERR_NO_MEMORY;
	default:
		return TSR_ERR_SA_DEVICE;
	}
}

/* --- Modules --- */

static int
module_acquire(const char *path, p11_module_t **ret_mod)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR) = NULL;
	CK_C_INITIALIZE_ARGS args;
	p11_module_t *m = NULL;
	void *dl = NULL, *sym;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	pthread_mutex_lock(&modules_lock);
	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		tsr_debug("pkcs11: cannot load the module: %s", dlerror());
		r = TSR_ERR_SA_UNAVAILABLE;
		goto out;
	}
	for (p11_module_t *it = modules; it != NULL; it = it->next) {
		if (it->dl == dl) {
			/* The entry holds its own reference to the library. */
			dlclose(dl);
			dl = NULL;
			it->refs++;
			*ret_mod = it;
			r = TSR_OK;
			goto out;
		}
	}
	if ((sym = dlsym(dl, "C_GetFunctionList")) == NULL) {
		tsr_debug("pkcs11: not a PKCS#11 module (no C_GetFunctionList)");
		r = TSR_ERR_SA_UNAVAILABLE;
		goto out;
	}
	memcpy(&get_list, &sym, sizeof(get_list));
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((rv = get_list(&m->fl)) != CKR_OK || m->fl == NULL) {
		r = rv_to_err(rv != CKR_OK ? rv : CKR_GENERAL_ERROR, "C_GetFunctionList");
		if (r != TSR_ERR_NO_MEMORY)
			r = TSR_ERR_SA_UNAVAILABLE;
		goto out;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	rv = m->fl->C_Initialize(&args);
	if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		/* Another part of the process owns it: leave finalising to it. */
		m->finalize = false;
	} else if (rv == CKR_OK) {
		m->finalize = true;
	} else {
		r = rv_to_err(rv, "C_Initialize");
		if (r != TSR_ERR_NO_MEMORY)
			r = TSR_ERR_SA_UNAVAILABLE;
		goto out;
	}
	m->dl = dl;
	m->refs = 1;
	m->next = modules;
	modules = m;
	dl = NULL;
	*ret_mod = m;
	m = NULL;
	r = TSR_OK;
out:
	free(m);
	if (dl != NULL)
		dlclose(dl);
	pthread_mutex_unlock(&modules_lock);
	return r;
}

static void
module_release(p11_module_t *mod)
{
	if (mod == NULL)
		return;
	pthread_mutex_lock(&modules_lock);
	if (--mod->refs == 0) {
		for (p11_module_t **pp = &modules; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == mod) {
				*pp = mod->next;
				break;
			}
		}
		if (mod->finalize)
			(void)mod->fl->C_Finalize(NULL);
		dlclose(mod->dl);
		free(mod);
	}
	pthread_mutex_unlock(&modules_lock);
}

/* --- Open and close --- */

/* CK_TOKEN_INFO.label is blank-padded, not NUL-terminated. */
static bool
label_matches(const CK_UTF8CHAR padded[P11_LABEL_MAX], const char *label)
{
	size_t len = strlen(label);

	if (len > P11_LABEL_MAX || memcmp(padded, label, len) != 0)
		return false;
	for (size_t i = len; i < P11_LABEL_MAX; i++) {
		if (padded[i] != ' ' && padded[i] != '\0')
			return false;
	}
	return true;
}

static int
find_slot(CK_FUNCTION_LIST_PTR fl, const char *label, CK_SLOT_ID *ret_slot,
    CK_FLAGS *ret_flags)
{
	CK_SLOT_ID *slots = NULL;
	CK_TOKEN_INFO info;
	CK_ULONG n = 0;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	/* The list may grow between the two calls (SoftHSM adds a slot when
	 * a token is initialised): ask again while it does. */
	for (int tries = 0; tries < 4; tries++) {
		if ((rv = fl->C_GetSlotList(CK_TRUE, NULL, &n)) != CKR_OK) {
			r = rv_to_err(rv, "C_GetSlotList");
			goto out;
		}
		if (n == 0) {
			r = TSR_ERR_SA_TOKEN_NOT_FOUND;
			goto out;
		}
		free(slots);
		if ((slots = calloc(n, sizeof(*slots))) == NULL) {
			r = TSR_ERR_NO_MEMORY;
			goto out;
		}
		if ((rv = fl->C_GetSlotList(CK_TRUE, slots, &n)) == CKR_OK)
			break;
		if (rv != CKR_BUFFER_TOO_SMALL) {
			r = rv_to_err(rv, "C_GetSlotList");
			goto out;
		}
	}
	if (rv != CKR_OK) {
		r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	for (CK_ULONG i = 0; i < n; i++) {
		if (fl->C_GetTokenInfo(slots[i], &info) != CKR_OK ||
		    (info.flags & CKF_TOKEN_INITIALIZED) == 0 || !label_matches(info.label, label))
			continue;
		*ret_slot = slots[i];
		*ret_flags = info.flags;
		r = TSR_OK;
		goto out;
	}
	r = TSR_ERR_SA_TOKEN_NOT_FOUND;
out:
	free(slots);
	return r;
}

static int
login(p11_state_t *st, const tsr_sa_config_t *config, CK_FLAGS token_flags)
{
	char pin[P11_PIN_CAP], purpose[96];
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	memset(pin, 0, sizeof(pin));
	if ((token_flags & CKF_USER_PIN_LOCKED) != 0) {
		r = TSR_ERR_SA_PIN_LOCKED;
		goto out;
	}
	if (config->secret == NULL) {
		if ((token_flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0) {
			/* A PIN pad: the token asks the user itself. */
			rv = st->fl->C_Login(st->session, CKU_USER, NULL, 0);
			if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
				r = rv_to_err(rv, "C_Login");
				goto out;
			}
			st->authed = true;
		} else {
			/* Usable without a PIN only if the token needs none;
			 * otherwise operations report TSR_ERR_SA_PIN_REQUIRED. */
			st->authed = (token_flags & CKF_LOGIN_REQUIRED) == 0;
		}
		r = TSR_OK;
		goto out;
	}
	snprintf(purpose, sizeof(purpose), "PIN for token '%s'", config->pkcs11_token_label);
	if (config->secret(config->secret_user, purpose, pin, sizeof(pin)) != 0) {
		r = TSR_ERR_SA_PIN_REQUIRED;
		goto out;
	}
	if (memchr(pin, '\0', sizeof(pin)) == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	rv = st->fl->C_Login(st->session, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		r = rv_to_err(rv, "C_Login");
		goto out;
	}
	st->authed = true;
	r = TSR_OK;
out:
	tsr_zeroize(pin, sizeof(pin));
	return r;
}

static void
p11_close(void *state)
{
	p11_state_t *st = state;

	if (st == NULL)
		return;
	if (st->have_session)
		(void)st->fl->C_CloseSession(st->session);
	module_release(st->mod);
	free(st);
}

static int
p11_open(const tsr_sa_config_t *config, void **ret_state)
{
	p11_state_t *st = NULL;
	CK_SLOT_ID slot = 0;
	CK_FLAGS token_flags = 0;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	if (config->pkcs11_module == NULL || config->pkcs11_module[0] == '\0' ||
	    config->pkcs11_token_label == NULL || config->pkcs11_token_label[0] == '\0') {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* No token can carry a longer label. */
	if (strlen(config->pkcs11_token_label) > P11_LABEL_MAX) {
		r = TSR_ERR_SA_TOKEN_NOT_FOUND;
		goto out;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	snprintf(st->describe, sizeof(st->describe), "PKCS#11 token %s",
	    config->pkcs11_token_label);
	if ((r = module_acquire(config->pkcs11_module, &st->mod)) != TSR_OK)
		goto out;
	st->fl = st->mod->fl;
	if ((r = find_slot(st->fl, config->pkcs11_token_label, &slot, &token_flags)) != TSR_OK)
		goto out;
	rv = st->fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
	    &st->session);
	if (rv != CKR_OK) {
		r = rv_to_err(rv, "C_OpenSession");
		goto out;
	}
	st->have_session = true;
	if ((r = login(st, config, token_flags)) != TSR_OK)
		goto out;
	*ret_state = st;
	st = NULL;
	r = TSR_OK;
out:
	p11_close(st);
	return r;
}

static const char *
p11_describe(void *state)
{
	p11_state_t *st = state;

	return st->describe;
}

/* --- Objects --- */

/* Up to max handles of objects matching tmpl. */
static int
find_objects(p11_state_t *st, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *handles,
    CK_ULONG max, CK_ULONG *ret_count)
{
	CK_ULONG count = 0;
	CK_RV rv;

	if ((rv = st->fl->C_FindObjectsInit(st->session, tmpl, n)) != CKR_OK)
		return rv_to_err(rv, "C_FindObjectsInit");
	rv = st->fl->C_FindObjects(st->session, handles, max, &count);
	(void)st->fl->C_FindObjectsFinal(st->session);
	if (rv != CKR_OK)
		return rv_to_err(rv, "C_FindObjects");
	*ret_count = count;
	return TSR_OK;
}

/* The one private EC key whose CKA_ID is ref. */
static int
find_key(p11_state_t *st, const uint8_t *ref, size_t ref_len, CK_OBJECT_HANDLE *ret_key)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type = CKK_EC;
	uint8_t id[P11_ID_LEN];
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_ID, id, sizeof(id) },
	};
	CK_OBJECT_HANDLE h[2];
	CK_ULONG count = 0;
	int r;

	if (ref_len != P11_ID_LEN)
		return TSR_ERR_SA_KEY_INVALID;
	if (!st->authed)
		return TSR_ERR_SA_PIN_REQUIRED;
	memcpy(id, ref, P11_ID_LEN);
	if ((r = find_objects(st, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), h, 2, &count)) != TSR_OK)
		return r;
	/* None: deleted or another token. Two: not ours to choose between. */
	if (count != 1)
		return TSR_ERR_SA_KEY_INVALID;
	*ret_key = h[0];
	return TSR_OK;
}

/* CKA_EC_POINT: a DER OCTET STRING holding 04 || X || Y (PKCS#11 2.40);
 * some older modules give the bare point, which is accepted too. */
static int
read_ec_point(p11_state_t *st, CK_OBJECT_HANDLE pub_key, tsr_ec_pub_t *ret_pub)
{
	uint8_t buf[128];
	const uint8_t *pt;
	CK_ATTRIBUTE attr = { CKA_EC_POINT, buf, sizeof(buf) };
	tsr_ec_pub_t pub;
	CK_RV rv;

	if ((rv = st->fl->C_GetAttributeValue(st->session, pub_key, &attr, 1)) != CKR_OK)
		return rv_to_err(rv, "C_GetAttributeValue(CKA_EC_POINT)");
	if (attr.ulValueLen == 67 && buf[0] == 0x04 && buf[1] == 0x41 && buf[2] == 0x04)
		pt = buf + 3;
	else if (attr.ulValueLen == 65 && buf[0] == 0x04)
		pt = buf + 1;
	else
		return TSR_ERR_SA_DEVICE;
	memset(&pub, 0, sizeof(pub));
	pub.curve = TSR_CURVE_P256;
	memcpy(pub.x, pt, 32);
	memcpy(pub.y, pt + 32, 32);
	if (tsr_ec_pub_validate(&pub) != TSR_OK)
		return TSR_ERR_SA_DEVICE;
	*ret_pub = pub;
	return TSR_OK;
}

static int
p11_create_key(void *state, const tsr_sa_key_options_t *options, const uint8_t *name,
    size_t name_len, uint8_t **ret_ref, size_t *ret_ref_len, tsr_ec_pub_t *ret_pub)
{
	p11_state_t *st = state;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	uint8_t oid[] = P11_P256_OID, id[P11_ID_LEN];
	const char *label_in = options != NULL && options->label != NULL ? options->label :
	    P11_KEY_LABEL;
	const size_t label_len = strnlen(label_in, TSR_SA_KEY_LABEL_MAX + 1);
	char label[TSR_SA_KEY_LABEL_MAX]; /* a template's values are not const */
	CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pub_tmpl[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_EC_PARAMS, oid, sizeof(oid) },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_LABEL, label, label_len },
	};
	CK_ATTRIBUTE priv_tmpl[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_DERIVE, &yes, sizeof(yes) },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_LABEL, label, label_len },
	};
	CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
	tsr_ec_pub_t pub;
	uint8_t *ref = NULL;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	if (options != NULL && options->pin != NULL) {
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	if (label_len == 0 || label_len > TSR_SA_KEY_LABEL_MAX) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	memcpy(label, label_in, label_len);
	if (!st->authed) {
		r = TSR_ERR_SA_PIN_REQUIRED;
		goto out;
	}
	if (name != NULL) {
		/* Named by p11_new_ref() and recorded by the store first. */
		if (name_len != P11_ID_LEN) {
			r = TSR_ERR_SA_KEY_INVALID;
			goto out;
		}
		memcpy(id, name, sizeof(id));
	} else if ((r = tsr_random_bytes(id, sizeof(id))) != TSR_OK) {
		goto out;
	}
	rv = st->fl->C_GenerateKeyPair(st->session, &mech, pub_tmpl,
	    sizeof(pub_tmpl) / sizeof(pub_tmpl[0]), priv_tmpl,
	    sizeof(priv_tmpl) / sizeof(priv_tmpl[0]), &hpub, &hpriv);
	if (rv != CKR_OK) {
		r = rv_to_err(rv, "C_GenerateKeyPair");
		goto out;
	}
	if ((r = read_ec_point(st, hpub, &pub)) != TSR_OK)
		goto out;
	if ((r = tsr_bytes_dup(id, sizeof(id), &ref)) != TSR_OK)
		goto out;
	*ret_ref = ref;
	*ret_ref_len = sizeof(id);
	*ret_pub = pub;
	hpub = hpriv = CK_INVALID_HANDLE;
	r = TSR_OK;
out:
	/* Set only when the pair was made but cannot be handed out. */
	if (hpriv != CK_INVALID_HANDLE)
		(void)st->fl->C_DestroyObject(st->session, hpriv);
	if (hpub != CK_INVALID_HANDLE)
		(void)st->fl->C_DestroyObject(st->session, hpub);
	return r;
}

/* A new key's CKA_ID, chosen before the key is made. */
static int
p11_new_ref(void *state, uint8_t **ret_ref, size_t *ret_ref_len)
{
	uint8_t id[P11_ID_LEN];
	int r;

	(void)state;
	if ((r = tsr_random_bytes(id, sizeof(id))) != TSR_OK ||
	    (r = tsr_bytes_dup(id, sizeof(id), ret_ref)) != TSR_OK)
		return r;
	*ret_ref_len = sizeof(id);
	return TSR_OK;
}

static int
p11_sign_digest(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
    const uint8_t digest[32], uint8_t sig[64])
{
	p11_state_t *st = state;
	CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
	CK_OBJECT_HANDLE key;
	uint8_t dig[32], out_sig[64];
	CK_ULONG sig_len = sizeof(out_sig);
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	if (pin != NULL) {
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	if ((r = find_key(st, ref, ref_len, &key)) != TSR_OK)
		goto out;
	memcpy(dig, digest, sizeof(dig));
	if ((rv = st->fl->C_SignInit(st->session, &mech, key)) != CKR_OK) {
		r = rv_to_err(rv, "C_SignInit");
		goto out;
	}
	/* CKM_ECDSA signs the digest as given and returns raw r || s. */
	if ((rv = st->fl->C_Sign(st->session, dig, sizeof(dig), out_sig, &sig_len)) != CKR_OK) {
		r = rv_to_err(rv, "C_Sign");
		goto out;
	}
	if (sig_len != sizeof(out_sig)) {
		r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	memcpy(sig, out_sig, sizeof(out_sig));
	r = TSR_OK;
out:
	return r;
}

static int
p11_ecdh(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
    const tsr_ec_pub_t *peer, uint8_t z[32])
{
	p11_state_t *st = state;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_GENERIC_SECRET;
	CK_ULONG value_len = 32;
	uint8_t point[65], value[32];
	CK_ECDH1_DERIVE_PARAMS params;
	CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &params, sizeof(params) };
	/* A session object we may read: it is the shared secret the caller
	 * asked for, and it is destroyed at once. */
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_VALUE_LEN, &value_len, sizeof(value_len) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_ATTRIBUTE get = { CKA_VALUE, value, sizeof(value) };
	CK_OBJECT_HANDLE key, secret = CK_INVALID_HANDLE;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	if (pin != NULL) {
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	if ((r = find_key(st, ref, ref_len, &key)) != TSR_OK)
		goto out;
	point[0] = 0x04;
	memcpy(point + 1, peer->x, 32);
	memcpy(point + 33, peer->y, 32);
	memset(&params, 0, sizeof(params));
	params.kdf = CKD_NULL;
	params.pPublicData = point;
	params.ulPublicDataLen = sizeof(point);
	rv = st->fl->C_DeriveKey(st->session, &mech, key, tmpl, sizeof(tmpl) / sizeof(tmpl[0]),
	    &secret);
	if (rv != CKR_OK) {
		r = rv_to_err(rv, "C_DeriveKey(CKM_ECDH1_DERIVE)");
		goto out;
	}
	if ((rv = st->fl->C_GetAttributeValue(st->session, secret, &get, 1)) != CKR_OK) {
		r = rv_to_err(rv, "C_GetAttributeValue(CKA_VALUE)");
		goto out;
	}
	if (get.ulValueLen != sizeof(value)) {
		r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	memcpy(z, value, sizeof(value));
	r = TSR_OK;
out:
	if (secret != CK_INVALID_HANDLE)
		(void)st->fl->C_DestroyObject(st->session, secret);
	tsr_zeroize(value, sizeof(value));
	return r;
}

static int
p11_delete_key(void *state, const uint8_t *ref, size_t ref_len)
{
	p11_state_t *st = state;
	CK_OBJECT_CLASS classes[] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY };
	CK_OBJECT_CLASS cls;
	uint8_t id[P11_ID_LEN];
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, id, sizeof(id) },
	};
	CK_OBJECT_HANDLE h[4];
	CK_ULONG count = 0, destroyed = 0;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	if (ref_len != P11_ID_LEN) {
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	if (!st->authed) {
		r = TSR_ERR_SA_PIN_REQUIRED;
		goto out;
	}
	memcpy(id, ref, sizeof(id));
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		cls = classes[c];
		if ((r = find_objects(st, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), h,
		    sizeof(h) / sizeof(h[0]), &count)) != TSR_OK)
			goto out;
		for (CK_ULONG i = 0; i < count; i++) {
			if ((rv = st->fl->C_DestroyObject(st->session, h[i])) != CKR_OK) {
				r = rv_to_err(rv, "C_DestroyObject");
				goto out;
			}
			destroyed++;
		}
	}
	r = destroyed > 0 ? TSR_OK : TSR_ERR_SA_KEY_INVALID;
out:
	return r;
}

/* --- Sealing --- */

/* The token's data key: the one with CKA_ID id when want_id, else the first
 * "tessera-data-key" (made on first use), whose CKA_ID goes to ret_id. */
static int
data_key(p11_state_t *st, bool want_id, uint8_t id[P11_ID_LEN], CK_OBJECT_HANDLE *ret_key)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_AES;
	CK_ULONG value_len = 32;
	char label[] = P11_DATA_KEY_LABEL;
	uint8_t found_id[P11_ID_LEN];
	CK_ATTRIBUTE find_tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_LABEL, label, sizeof(label) - 1 },
		{ CKA_ID, id, P11_ID_LEN }, /* only when want_id */
	};
	CK_ATTRIBUTE gen_tmpl[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_DECRYPT, &yes, sizeof(yes) },
		{ CKA_VALUE_LEN, &value_len, sizeof(value_len) },
		{ CKA_LABEL, label, sizeof(label) - 1 },
		{ CKA_ID, found_id, sizeof(found_id) },
	};
	CK_ATTRIBUTE get = { CKA_ID, found_id, sizeof(found_id) };
	CK_MECHANISM mech = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_OBJECT_HANDLE h[8], key = CK_INVALID_HANDLE;
	CK_ULONG count = 0;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	if (!st->authed) {
		r = TSR_ERR_SA_PIN_REQUIRED;
		goto out;
	}
	if ((r = find_objects(st, find_tmpl, want_id ? 4 : 3, h, sizeof(h) / sizeof(h[0]),
	    &count)) != TSR_OK)
		goto out;
	if (want_id) {
		if (count == 0) {
			r = TSR_ERR_SA_KEY_INVALID;
			goto out;
		}
		*ret_key = h[0];
		r = TSR_OK;
		goto out;
	}
	/* The first data key with an ID of ours. */
	for (CK_ULONG i = 0; i < count; i++) {
		get.ulValueLen = sizeof(found_id);
		if (st->fl->C_GetAttributeValue(st->session, h[i], &get, 1) == CKR_OK &&
		    get.ulValueLen == sizeof(found_id)) {
			key = h[i];
			break;
		}
	}
	if (key == CK_INVALID_HANDLE) {
		if ((r = tsr_random_bytes(found_id, sizeof(found_id))) != TSR_OK)
			goto out;
		rv = st->fl->C_GenerateKey(st->session, &mech, gen_tmpl,
		    sizeof(gen_tmpl) / sizeof(gen_tmpl[0]), &key);
		if (rv != CKR_OK) {
			r = rv_to_err(rv, "C_GenerateKey(CKM_AES_KEY_GEN)");
			goto out;
		}
	}
	memcpy(id, found_id, sizeof(found_id));
	*ret_key = key;
	r = TSR_OK;
out:
	return r;
}

static void
gcm_params(CK_GCM_PARAMS *p, uint8_t *iv, uint8_t *aad)
{
	memset(p, 0, sizeof(*p));
	p->pIv = iv;
	p->ulIvLen = TSR_GCM_IV_LEN;
	p->ulIvBits = TSR_GCM_IV_LEN * 8;
	p->pAAD = aad;
	p->ulAADLen = P11_SEAL_AAD_LEN;
	p->ulTagBits = TSR_GCM_TAG_LEN * 8;
}

static int
p11_seal(void *state, const uint8_t key[32], uint8_t **ret_blob, size_t *ret_blob_len)
{
	p11_state_t *st = state;
	CK_GCM_PARAMS params;
	CK_MECHANISM mech = { CKM_AES_GCM, &params, sizeof(params) };
	CK_OBJECT_HANDLE hkey;
	uint8_t blob[P11_SEALED_LEN], plain[32];
	uint8_t *out = NULL;
	CK_ULONG out_len = 32 + TSR_GCM_TAG_LEN;
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	memcpy(plain, key, sizeof(plain));
	blob[0] = P11_SEAL_VERSION;
	if ((r = data_key(st, false, blob + 1, &hkey)) != TSR_OK)
		goto out;
	if ((r = tsr_random_bytes(blob + P11_SEAL_AAD_LEN, TSR_GCM_IV_LEN)) != TSR_OK)
		goto out;
	gcm_params(&params, blob + P11_SEAL_AAD_LEN, blob);
	if ((rv = st->fl->C_EncryptInit(st->session, &mech, hkey)) != CKR_OK) {
		r = rv_to_err(rv, "C_EncryptInit(CKM_AES_GCM)");
		goto out;
	}
	rv = st->fl->C_Encrypt(st->session, plain, sizeof(plain),
	    blob + P11_SEAL_AAD_LEN + TSR_GCM_IV_LEN, &out_len);
	if (rv != CKR_OK) {
		r = rv_to_err(rv, "C_Encrypt");
		goto out;
	}
	if (out_len != 32 + TSR_GCM_TAG_LEN) {
		r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	if ((r = tsr_bytes_dup(blob, sizeof(blob), &out)) != TSR_OK)
		goto out;
	*ret_blob = out;
	*ret_blob_len = sizeof(blob);
	r = TSR_OK;
out:
	tsr_zeroize(plain, sizeof(plain));
	return r;
}

static int
p11_unseal(void *state, const uint8_t *blob, size_t blob_len, uint8_t key[32])
{
	p11_state_t *st = state;
	CK_GCM_PARAMS params;
	CK_MECHANISM mech = { CKM_AES_GCM, &params, sizeof(params) };
	CK_OBJECT_HANDLE hkey;
	uint8_t copy[P11_SEALED_LEN], plain[64];
	CK_ULONG plain_len = sizeof(plain);
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	if (blob_len != P11_SEALED_LEN || blob[0] != P11_SEAL_VERSION) {
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	memcpy(copy, blob, sizeof(copy));
	if ((r = data_key(st, true, copy + 1, &hkey)) != TSR_OK)
		goto out;
	gcm_params(&params, copy + P11_SEAL_AAD_LEN, copy);
	if ((rv = st->fl->C_DecryptInit(st->session, &mech, hkey)) != CKR_OK) {
		r = rv_to_err(rv, "C_DecryptInit(CKM_AES_GCM)");
		goto out;
	}
	rv = st->fl->C_Decrypt(st->session, copy + P11_SEAL_AAD_LEN + TSR_GCM_IV_LEN,
	    32 + TSR_GCM_TAG_LEN, plain, &plain_len);
	if (rv != CKR_OK) {
		r = rv_to_err(rv, "C_Decrypt");
		/* A failed tag: CKR_ENCRYPTED_DATA_INVALID in 2.40,
		 * CKR_AEAD_DECRYPT_FAILED in 3.0; SoftHSM 2.6 says
		 * CKR_GENERAL_ERROR. Each means the blob is not ours. */
		if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
		    rv == CKR_AEAD_DECRYPT_FAILED || rv == CKR_GENERAL_ERROR ||
		    rv == CKR_FUNCTION_FAILED)
			r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	if (plain_len != 32) {
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	memcpy(key, plain, 32);
	r = TSR_OK;
out:
	tsr_zeroize(plain, sizeof(plain));
	return r;
}

static int
p11_change_secret(void *state, const char *old_secret, const char *new_secret)
{
	p11_state_t *st = state;
	char old_pin[P11_PIN_CAP], new_pin[P11_PIN_CAP];
	CK_RV rv;
	int r = TSR_ERR_INTERNAL;

	memset(old_pin, 0, sizeof(old_pin));
	memset(new_pin, 0, sizeof(new_pin));
	if (strlen(old_secret) >= sizeof(old_pin) || strlen(new_secret) >= sizeof(new_pin)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* PKCS#11 takes non-const buffers. */
	memcpy(old_pin, old_secret, strlen(old_secret));
	memcpy(new_pin, new_secret, strlen(new_secret));
	/* The token checks the old PIN (and counts a wrong one towards its
	 * lockout) and its own length rules for the new one. */
	rv = st->fl->C_SetPIN(st->session, (CK_UTF8CHAR_PTR)old_pin, strlen(old_pin),
	    (CK_UTF8CHAR_PTR)new_pin, strlen(new_pin));
	if (rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_INVALID) {
		tsr_debug("pkcs11: C_SetPIN: CKR 0x%lx (new PIN refused)", (unsigned long)rv);
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	r = rv_to_err(rv, "C_SetPIN");
out:
	tsr_zeroize(old_pin, sizeof(old_pin));
	tsr_zeroize(new_pin, sizeof(new_pin));
	return r;
}

const tsr_sa_ops_t tsr_sa_pkcs11_ops = {
	.kind = TSR_SA_PKCS11,
	.hardware_backed = true,
	.open = p11_open,
	.close = p11_close,
	.describe = p11_describe,
	.create_key = p11_create_key,
	.new_ref = p11_new_ref,
	.sign_digest = p11_sign_digest,
	.ecdh = p11_ecdh,
	.delete_key = p11_delete_key,
	.seal = p11_seal,
	.unseal = p11_unseal,
	.software_params = NULL,
	.change_secret = p11_change_secret,
};
