/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Changing the secret that unlocks a wallet (tsr_store_change_secret()). */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "securearea/securearea-private.h"
#include "store/store-private.h"

/* As the callback buffer of tsr_secret_fn allows. */
#define SECRET_MAX 255

/* A tsr_secret_fn that hands out one fixed string. */
static int
fixed_secret(void *user, const char *purpose, char *buf, size_t cap)
{
	const char *s = user;

	(void)purpose;
	if (s == NULL || strlen(s) >= cap)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static void
config_for(const tsr_store_t *store, const char *secret, bool fresh_params,
    tsr_sa_config_t *config)
{
	memset(config, 0, sizeof(*config));
	config->kind = store->sa_kind;
	config->tpm_tcti = store->tpm_tcti;
	config->pkcs11_module = store->pkcs11_module;
	config->pkcs11_token_label = store->pkcs11_token;
	config->secret = fixed_secret;
	config->secret_user = (void *)(uintptr_t)secret;
	if (!fresh_params) {
		config->software_params = store->sa_params;
		config->software_params_len = store->sa_params_len;
	}
}

static int
change_pkcs11(tsr_store_t *store, const char *old_secret, const char *new_secret)
{
	tsr_secure_area_t *sa = NULL;
	tsr_sa_config_t config;
	int r = TSR_ERR_INTERNAL;

	/* A session of our own; C_SetPIN checks the old PIN even when this
	 * process is already logged in to the token. */
	config_for(store, old_secret, false, &config);
	if ((r = tsr_secure_area_open(&config, &sa)) != TSR_OK)
		goto out;
	r = tsr_sa_change_secret(sa, old_secret, new_secret);
out:
	tsr_secure_area_free(sa);
	return r;
}

/* Re-encrypts every key reference from old_sa to new_sa, inside the
 * caller's transaction. */
static int
rewrap_keys(tsr_store_t *store, tsr_secure_area_t *old_sa, tsr_secure_area_t *new_sa)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	uint8_t *ref = NULL;
	size_t ref_len = 0;
	int rc, r = TSR_ERR_INTERNAL;

	if ((r = tsr_store_prepare(store->db, "SELECT id, ref FROM keys ORDER BY id",
	    &sel)) != TSR_OK ||
	    (r = tsr_store_prepare(store->db, "UPDATE keys SET ref = ? WHERE id = ?",
	    &upd)) != TSR_OK)
		goto out;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const void *old_ref = sqlite3_column_blob(sel, 1);
		int old_len = sqlite3_column_bytes(sel, 1);

		if (old_ref == NULL || old_len <= 0) {
			r = TSR_ERR_STORE_CORRUPT;
			goto out;
		}
		if ((r = tsr_sa_software_rewrap(old_sa, new_sa, old_ref, (size_t)old_len, &ref,
		    &ref_len)) != TSR_OK)
			goto out;
		sqlite3_reset(upd);
		sqlite3_bind_blob(upd, 1, ref, (int)ref_len, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
		if ((rc = sqlite3_step(upd)) != SQLITE_DONE) {
			r = tsr_store_db_error(store->db, rc, "update key reference");
			goto out;
		}
		tsr_free_secret(ref, ref_len);
		ref = NULL;
	}
	if (rc != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "list keys");
		goto out;
	}
	r = TSR_OK;
out:
	tsr_free_secret(ref, ref_len);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return r;
}

/* TPM: every key of the wallet that has its own PIN, in one transaction. */
static int
change_key_pins(tsr_store_t *store, const char *old_pin, const char *new_pin)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	uint8_t *ref = NULL;
	size_t ref_len = 0, changed = 0;
	bool in_tx = false;
	int rc, r = TSR_ERR_INTERNAL;

	if ((r = tsr_store_unlock(store)) != TSR_OK ||
	    (r = tsr_store_begin(store)) != TSR_OK)
		goto out;
	in_tx = true;
	if ((r = tsr_store_prepare(store->db,
	    "SELECT id, ref FROM keys WHERE has_pin != 0 ORDER BY id", &sel)) != TSR_OK ||
	    (r = tsr_store_prepare(store->db, "UPDATE keys SET ref = ? WHERE id = ?",
	    &upd)) != TSR_OK)
		goto out;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const void *old_ref = sqlite3_column_blob(sel, 1);
		int old_len = sqlite3_column_bytes(sel, 1);

		if (old_ref == NULL || old_len <= 0) {
			r = TSR_ERR_STORE_CORRUPT;
			goto out;
		}
		if ((r = tsr_sa_change_key_pin(store->sa, old_ref, (size_t)old_len, old_pin, new_pin,
		    &ref, &ref_len)) != TSR_OK)
			goto out;
		sqlite3_reset(upd);
		sqlite3_bind_blob(upd, 1, ref, (int)ref_len, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
		if ((rc = sqlite3_step(upd)) != SQLITE_DONE) {
			r = tsr_store_db_error(store->db, rc, "update key reference");
			goto out;
		}
		tsr_free_secret(ref, ref_len);
		ref = NULL;
		changed++;
	}
	if (rc != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "list keys");
		goto out;
	}
	/* No key with a PIN: there is nothing to change. */
	if (changed == 0) {
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto out;
	in_tx = false;
	r = TSR_OK;
out:
	if (in_tx)
		tsr_store_rollback(store);
	tsr_free_secret(ref, ref_len);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return r;
}

static int
change_software(tsr_store_t *store, const char *old_secret, const char *new_secret)
{
	tsr_secure_area_t *old_sa = NULL, *new_sa = NULL;
	tsr_sa_config_t config;
	sqlite3_stmt *st = NULL;
	uint8_t data_key[32], *params = NULL, *sealed = NULL;
	size_t params_len = 0, sealed_len = 0;
	bool in_tx = false;
	int rc, r = TSR_ERR_INTERNAL;

	/* The old passphrase must open the area and unseal the data key. */
	config_for(store, old_secret, false, &config);
	if ((r = tsr_secure_area_open(&config, &old_sa)) != TSR_OK ||
	    (r = tsr_secure_area_unseal(old_sa, store->sealed_key, store->sealed_key_len,
	    data_key)) != TSR_OK)
		goto out;
	/* A new salt and check value for the new passphrase. */
	config_for(store, new_secret, true, &config);
	if ((r = tsr_secure_area_open(&config, &new_sa)) != TSR_OK ||
	    (r = tsr_secure_area_software_params(new_sa, &params, &params_len)) != TSR_OK ||
	    (r = tsr_secure_area_seal(new_sa, data_key, &sealed, &sealed_len)) != TSR_OK)
		goto out;

	if ((r = tsr_store_begin(store)) != TSR_OK)
		goto out;
	in_tx = true;
	if ((r = rewrap_keys(store, old_sa, new_sa)) != TSR_OK)
		goto out;
	if ((r = tsr_store_prepare(store->db,
	    "UPDATE wallet SET sa_params = ?, sealed_data_key = ? WHERE id = 1", &st)) != TSR_OK)
		goto out;
	sqlite3_bind_blob(st, 1, params, (int)params_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sealed, (int)sealed_len, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "update wallet");
		goto out;
	}
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto out;
	in_tx = false;

	/* From now on the new area and parameters are the wallet's. */
	free(store->sa_params);
	store->sa_params = params;
	store->sa_params_len = params_len;
	params = NULL;
	free(store->sealed_key);
	store->sealed_key = sealed;
	store->sealed_key_len = sealed_len;
	sealed = NULL;
	tsr_secure_area_free(store->sa);
	store->sa = new_sa;
	new_sa = NULL;
	memcpy(store->data_key, data_key, sizeof(data_key));
	store->unlocked = true;
	r = TSR_OK;
out:
	if (in_tx)
		tsr_store_rollback(store);
	sqlite3_finalize(st);
	tsr_zeroize(data_key, sizeof(data_key));
	free(params);
	free(sealed);
	tsr_secure_area_free(old_sa);
	tsr_secure_area_free(new_sa);
	return r;
}

int
tsr_store_change_secret(tsr_store_t *store, const char *old_secret, const char *new_secret)
{
	size_t new_len;

	if (store == NULL || old_secret == NULL || new_secret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	new_len = strlen(new_secret);
	if (new_len == 0 || new_len > SECRET_MAX || strlen(old_secret) > SECRET_MAX)
		return TSR_ERR_INVALID_ARGUMENT;
	switch (store->sa_kind) {
	case TSR_SA_SOFTWARE:
		return change_software(store, old_secret, new_secret);
	case TSR_SA_PKCS11:
		return change_pkcs11(store, old_secret, new_secret);
	case TSR_SA_TPM2:
		return change_key_pins(store, old_secret, new_secret);
	default:
		return TSR_ERR_SA_NOT_SUPPORTED;
	}
}
