/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The back-end interface behind <tessera/securearea.h>. securearea.c checks
 * arguments and dispatches; each back-end (software.c, pkcs11.c, tpm2.c)
 * fills one tsr_sa_ops_t. Back-ends return TSR_OK or a TSR_ERR_* code and
 * leave outputs untouched on failure.
 */
#ifndef TSR_SECUREAREA_PRIVATE_H
#define TSR_SECUREAREA_PRIVATE_H

#include <tessera/securearea.h>

#include "crypto/crypto.h"

typedef struct tsr_sa_ops {
	tsr_sa_kind_t kind;
	bool hardware_backed;
	/* Opens the back-end: *ret_state is its private state. */
	int (*open)(const tsr_sa_config_t *config, void **ret_state);
	void (*close)(void *state);
	/* Human description, owned by the state. */
	const char *(*describe)(void *state);
	/* Creates a P-256 key; *ret_pub is its public key. `name` is NULL, or a
	 * reference from new_ref() under which to make the key. */
	int (*create_key)(void *state, const tsr_sa_key_options_t *options, const uint8_t *name,
	    size_t name_len, uint8_t **ret_ref, size_t *ret_ref_len, tsr_ec_pub_t *ret_pub);
	/* A fresh reference for a key not made yet. Only back-ends whose keys
	 * exist outside the wallet file from the moment they are made (a
	 * token's objects) have it, so that the store can write the name down
	 * before the key exists (see tsr_store_create_key()). NULL elsewhere:
	 * a software reference is the encrypted key itself and a TPM key is a
	 * pair of blobs that nothing but the wallet keeps, so nothing of them
	 * exists until the store commits them. */
	int (*new_ref)(void *state, uint8_t **ret_ref, size_t *ret_ref_len);
	/* ECDSA P-256 over the SHA-256 digest (32 bytes); sig is r || s. */
	int (*sign_digest)(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
	    const uint8_t digest[32], uint8_t sig[64]);
	int (*ecdh)(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
	    const tsr_ec_pub_t *peer, uint8_t z[32]);
	int (*delete_key)(void *state, const uint8_t *ref, size_t ref_len);
	int (*seal)(void *state, const uint8_t key[32], uint8_t **ret_blob, size_t *ret_blob_len);
	int (*unseal)(void *state, const uint8_t *blob, size_t blob_len, uint8_t key[32]);
	/* Software only; NULL elsewhere. */
	int (*software_params)(void *state, uint8_t **ret_params, size_t *ret_len);
	/* Changes the device's own login secret in place (a token's user PIN:
	 * C_SetPIN); NULL where the secret is not kept by the device. */
	int (*change_secret)(void *state, const char *old_secret, const char *new_secret);
	/* Changes the own PIN of a key that has one (a TPM key's authValue:
	 * TPM2_ObjectChangeAuth) and gives its new reference; NULL where keys
	 * cannot have their own PIN changed. */
	int (*change_key_pin)(void *state, const uint8_t *ref, size_t ref_len, const char *old_pin,
	    const char *new_pin, uint8_t **ret_ref, size_t *ret_ref_len);
} tsr_sa_ops_t;

/* Each back-end that is built in defines its ops (securearea.c refers to
 * them under #ifdef TSR_HAVE_PKCS11 / TSR_HAVE_TPM2). */
extern const tsr_sa_ops_t tsr_sa_software_ops;
extern const tsr_sa_ops_t tsr_sa_pkcs11_ops;
extern const tsr_sa_ops_t tsr_sa_tpm2_ops;

/*
 * software.c: re-encrypts a key reference made by the software area `from`
 * for the software area `to` (the same keys under a new passphrase, see
 * tsr_store_change_secret()). A key with its own PIN cannot be
 * re-encrypted without that PIN: TSR_ERR_SA_NOT_SUPPORTED. TSR_ERR_SA_KEY_INVALID
 * for a reference that is not from `from`.
 */
int tsr_sa_software_rewrap(const tsr_secure_area_t *from, const tsr_secure_area_t *to,
    const uint8_t *ref, size_t ref_len, uint8_t **ret_ref, size_t *ret_ref_len);

/* securearea.c: dispatch to ops->change_secret and ops->change_key_pin;
 * TSR_ERR_SA_NOT_SUPPORTED for a back-end without one. */
int tsr_sa_change_secret(tsr_secure_area_t *sa, const char *old_secret,
    const char *new_secret);
int tsr_sa_change_key_pin(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len,
    const char *old_pin, const char *new_pin, uint8_t **ret_ref, size_t *ret_ref_len);

struct tsr_secure_area {
	const tsr_sa_ops_t *ops;
	void *state;
};

/* For the store's crash-safe key creation: a fresh reference for a key that
 * is not made yet (TSR_ERR_SA_NOT_SUPPORTED when the back-end needs none,
 * see new_ref above), and creating the key under that reference. */
bool tsr_secure_area_names_keys(const tsr_secure_area_t *sa);
int tsr_secure_area_new_ref(tsr_secure_area_t *sa, uint8_t **ret_ref, size_t *ret_ref_len);
int tsr_secure_area_create_key_named(tsr_secure_area_t *sa, const tsr_sa_key_options_t *options,
    const uint8_t *name, size_t name_len, uint8_t **ret_cose_key, size_t *ret_cose_key_len);

#endif /* TSR_SECUREAREA_PRIVATE_H */
