/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Creating, opening and unlocking a wallet; device keys; settings. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "cose/cose.h"
#include "securearea/securearea-private.h"
#include "store/store-private.h"

#define MAX_SETTING_NAME 256
#define MAX_SETTING_VALUE (64 * 1024)

static int
strdup_or_null(const char *s, char **ret)
{
	if (s == NULL) {
		*ret = NULL;
		return TSR_OK;
	}
	if ((*ret = strdup(s)) == NULL)
		return TSR_ERR_NO_MEMORY;
	return TSR_OK;
}

int
tsr_store_default_path(char **ret_path)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *path = NULL;
	int n;

	if (ret_path == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* The XDG spec: a relative value is invalid and must be ignored. */
	if (xdg != NULL && xdg[0] == '/')
		n = asprintf(&path, "%s/tessera/wallet.db", xdg);
	else if (home != NULL && home[0] == '/')
		n = asprintf(&path, "%s/.local/share/tessera/wallet.db", home);
	else
		return TSR_ERR_NOT_FOUND;
	if (n < 0)
		return TSR_ERR_NO_MEMORY;
	*ret_path = path;
	return TSR_OK;
}

static tsr_store_t *
store_new(void)
{
	return calloc(1, sizeof(tsr_store_t));
}

void
tsr_store_free(tsr_store_t *store)
{
	if (store == NULL)
		return;
	if (store->db != NULL)
		(void)sqlite3_close_v2(store->db);
	tsr_secure_area_free(store->sa);
	free(store->tpm_tcti);
	free(store->pkcs11_module);
	free(store->pkcs11_token);
	free(store->sa_params);
	free(store->sealed_key);
	tsr_zeroize(store->data_key, sizeof(store->data_key));
	free(store);
}

static int
db_open(const char *path, sqlite3 **ret_db)
{
	sqlite3 *db = NULL;
	int rc, r;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		r = tsr_store_db_error(db, rc, "open");
		(void)sqlite3_close_v2(db);
		return r;
	}
	*ret_db = db;
	return TSR_OK;
}

/* Maps "a secret is needed and none came" to the store's word for it. */
static int
map_sa_error(int r)
{
	return r == TSR_ERR_SA_PIN_REQUIRED ? TSR_ERR_STORE_LOCKED : r;
}

/* Builds the wallet in the draft: the schema and the wallet row in one
 * transaction, then the WAL folded into the file and the connection closed,
 * so that the file alone is the whole wallet when it is published. */
static int
build_draft(tsr_store_t *store, const char *draft_path)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if ((r = db_open(draft_path, &store->db)) != TSR_OK ||
	    (r = tsr_store_db_configure(store->db, false)) != TSR_OK ||
	    (r = tsr_store_begin(store)) != TSR_OK ||
	    (r = tsr_store_db_migrate(store->db, TSR_STORE_SCHEMA_VERSION)) != TSR_OK)
		goto fail;
	if ((r = tsr_store_prepare(store->db,
	    "INSERT INTO wallet (id, sa_kind, sa_params, tpm_tcti, pkcs11_module, pkcs11_token,"
	    " sealed_data_key, created) VALUES (1, ?, ?, ?, ?, ?, ?, ?)", &st)) != TSR_OK)
		goto fail;
	sqlite3_bind_int(st, 1, (int)store->sa_kind);
	if (store->sa_params != NULL)
		sqlite3_bind_blob(st, 2, store->sa_params, (int)store->sa_params_len,
		    SQLITE_STATIC);
	if (store->tpm_tcti != NULL)
		sqlite3_bind_text(st, 3, store->tpm_tcti, -1, SQLITE_STATIC);
	if (store->pkcs11_module != NULL)
		sqlite3_bind_text(st, 4, store->pkcs11_module, -1, SQLITE_STATIC);
	if (store->pkcs11_token != NULL)
		sqlite3_bind_text(st, 5, store->pkcs11_token, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, store->sealed_key, (int)store->sealed_key_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, tsr_clock_now());
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "insert wallet");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto fail;
	/* TRUNCATE fails (SQLITE_BUSY) rather than leave frames behind. */
	rc = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	if (rc != SQLITE_OK) {
		r = tsr_store_db_error(store->db, rc, "checkpoint");
		goto fail;
	}
	rc = sqlite3_close(store->db);
	store->db = NULL;
	if (rc != SQLITE_OK) {
		tsr_debug("store: close of the draft: %s", sqlite3_errstr(rc));
		return TSR_ERR_STORE_DATABASE;
	}
	return TSR_OK;
fail:
	sqlite3_finalize(st);
	if (store->db != NULL)
		tsr_store_rollback(store);
	return r;
}

int
tsr_store_create(const char *path, const tsr_sa_config_t *sa_config, tsr_store_t **ret_store)
{
	tsr_store_draft_t draft = { .dir_fd = -1 };
	tsr_store_t *store = NULL;
	tsr_sa_config_t config;
	struct stat sb;
	bool published = false;
	int r = TSR_ERR_INTERNAL;

	if (path == NULL || path[0] == '\0' || sa_config == NULL || ret_store == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* Before the secure area asks for a PIN; publishing decides for good. */
	if (lstat(path, &sb) == 0) {
		tsr_debug("store: create %s: exists", path);
		return TSR_ERR_STORE_EXISTS;
	}
	if ((store = store_new()) == NULL)
		return TSR_ERR_NO_MEMORY;
	config = *sa_config;
	config.software_params = NULL;
	config.software_params_len = 0;
	store->sa_kind = config.kind;
	store->secret = config.secret;
	store->secret_user = config.secret_user;
	if ((r = strdup_or_null(config.tpm_tcti, &store->tpm_tcti)) != TSR_OK ||
	    (r = strdup_or_null(config.pkcs11_module, &store->pkcs11_module)) != TSR_OK ||
	    (r = strdup_or_null(config.pkcs11_token_label, &store->pkcs11_token)) != TSR_OK)
		goto fail;

	/* The secure area first: without it there is no wallet to make. */
	if ((r = tsr_secure_area_open(&config, &store->sa)) != TSR_OK) {
		r = map_sa_error(r);
		goto fail;
	}
	if (config.kind == TSR_SA_SOFTWARE &&
	    (r = tsr_secure_area_software_params(store->sa, &store->sa_params,
	    &store->sa_params_len)) != TSR_OK)
		goto fail;
	if ((r = tsr_random_bytes(store->data_key, sizeof(store->data_key))) != TSR_OK)
		goto fail;
	if ((r = tsr_secure_area_seal(store->sa, store->data_key, &store->sealed_key,
	    &store->sealed_key_len)) != TSR_OK) {
		r = map_sa_error(r);
		goto fail;
	}

	if ((r = tsr_store_make_parent_dirs(path)) != TSR_OK ||
	    (r = tsr_store_draft_begin(path, &draft)) != TSR_OK ||
	    (r = build_draft(store, draft.path)) != TSR_OK ||
	    (r = tsr_store_draft_publish(&draft, path)) != TSR_OK)
		goto fail;
	published = true;
	if ((r = db_open(path, &store->db)) != TSR_OK ||
	    (r = tsr_store_db_configure(store->db, false)) != TSR_OK)
		goto fail;
	tsr_store_draft_discard(&draft);
	store->unlocked = true;
	*ret_store = store;
	return TSR_OK;
fail:
	tsr_store_free(store);
	if (published)
		tsr_store_remove_files(path);
	tsr_store_draft_discard(&draft);
	return r;
}

int
tsr_store_column_text(sqlite3_stmt *st, int col, char **ret)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	if (t == NULL) {
		*ret = NULL;
		return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? TSR_ERR_NO_MEMORY :
										    TSR_OK;
	}
	return strdup_or_null((const char *)t, ret);
}

int
tsr_store_column_blob(sqlite3_stmt *st, int col, uint8_t **ret, size_t *ret_len)
{
	const void *b = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);

	if (b == NULL || n <= 0) {
		*ret = NULL;
		*ret_len = 0;
		return TSR_OK;
	}
	*ret_len = (size_t)n;
	return tsr_bytes_dup(b, (size_t)n, ret);
}

static int
load_wallet(tsr_store_t *store)
{
	sqlite3_stmt *st = NULL;
	int rc, kind, r = TSR_ERR_INTERNAL;

	if ((r = tsr_store_prepare(store->db,
	    "SELECT sa_kind, sa_params, tpm_tcti, pkcs11_module, pkcs11_token, sealed_data_key"
	    " FROM wallet WHERE id = 1", &st)) != TSR_OK)
		return r;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? TSR_ERR_STORE_CORRUPT :
					tsr_store_db_error(store->db, rc, "load wallet");
		goto out;
	}
	kind = sqlite3_column_int(st, 0);
	if (kind != TSR_SA_SOFTWARE && kind != TSR_SA_PKCS11 && kind != TSR_SA_TPM2) {
		r = TSR_ERR_STORE_CORRUPT;
		goto out;
	}
	store->sa_kind = (tsr_sa_kind_t)kind;
	/* An override from the options is already in place. */
	if ((r = tsr_store_column_blob(st, 1, &store->sa_params, &store->sa_params_len)) != TSR_OK ||
	    (store->tpm_tcti == NULL && getenv("TESSERA_TCTI") == NULL &&
	    (r = tsr_store_column_text(st, 2, &store->tpm_tcti)) != TSR_OK) ||
	    (store->pkcs11_module == NULL &&
	    (r = tsr_store_column_text(st, 3, &store->pkcs11_module)) != TSR_OK) ||
	    (r = tsr_store_column_text(st, 4, &store->pkcs11_token)) != TSR_OK ||
	    (r = tsr_store_column_blob(st, 5, &store->sealed_key, &store->sealed_key_len)) != TSR_OK)
		goto out;
	if (store->sealed_key == NULL) {
		r = TSR_ERR_STORE_CORRUPT;
		goto out;
	}
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	return r;
}

int
tsr_store_open(const char *path, const tsr_store_options_t *options, tsr_store_t **ret_store)
{
	tsr_store_t *store = NULL;
	struct stat sb;
	int version = 0, r = TSR_ERR_INTERNAL;

	if (path == NULL || ret_store == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* SQLite would create a missing file; a missing wallet is an error. */
	if (stat(path, &sb) != 0) {
		tsr_debug("store: %s: %s", path, strerror(errno));
		return errno == ENOENT ? TSR_ERR_STORE_NO_WALLET : TSR_ERR_IO;
	}
	if ((store = store_new()) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (options != NULL) {
		store->secret = options->secret;
		store->secret_user = options->secret_user;
		if ((r = strdup_or_null(options->tpm_tcti, &store->tpm_tcti)) != TSR_OK ||
		    (r = strdup_or_null(options->pkcs11_module, &store->pkcs11_module)) != TSR_OK)
			goto fail;
	}
	if ((r = db_open(path, &store->db)) != TSR_OK)
		goto fail;
	/* Check the version before configuring: a newer store's settings are
	 * its own business. */
	if ((r = tsr_store_db_version(store->db, &version)) != TSR_OK)
		goto fail;
	/* A file with no schema is not a wallet: tsr_store_create() never
	 * leaves one at a wallet's path (file.c). */
	if (version == 0) {
		tsr_debug("store: %s: no Tessera schema", path);
		r = TSR_ERR_STORE_CORRUPT;
		goto fail;
	}
	if (version > TSR_STORE_SCHEMA_VERSION) {
		tsr_debug("store: schema version %d, this build knows up to %d", version,
		    TSR_STORE_SCHEMA_VERSION);
		r = TSR_ERR_STORE_NEWER;
		goto fail;
	}
	if ((r = tsr_store_db_configure(store->db, false)) != TSR_OK)
		goto fail;
	if (version < TSR_STORE_SCHEMA_VERSION) {
		/* Another process may migrate at the same time: decide under
		 * the write lock. */
		if ((r = tsr_store_begin(store)) != TSR_OK ||
		    (r = tsr_store_db_migrate(store->db, TSR_STORE_SCHEMA_VERSION)) != TSR_OK ||
		    (r = tsr_store_commit(store)) != TSR_OK)
			goto fail;
	}
	if ((r = load_wallet(store)) != TSR_OK)
		goto fail;
	*ret_store = store;
	return TSR_OK;
fail:
	if (store->db != NULL)
		tsr_store_rollback(store);
	tsr_store_free(store);
	return r;
}

static void clean_pending_keys(tsr_store_t *store);

int
tsr_store_unlock(tsr_store_t *store)
{
	tsr_sa_config_t config;
	int r;

	if (store == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (store->unlocked)
		return TSR_OK;
	if (store->sa == NULL) {
		memset(&config, 0, sizeof(config));
		config.kind = store->sa_kind;
		config.tpm_tcti = store->tpm_tcti;
		config.pkcs11_module = store->pkcs11_module;
		config.pkcs11_token_label = store->pkcs11_token;
		config.secret = store->secret;
		config.secret_user = store->secret_user;
		config.software_params = store->sa_params;
		config.software_params_len = store->sa_params_len;
		if ((r = tsr_secure_area_open(&config, &store->sa)) != TSR_OK)
			return map_sa_error(r);
	}
	if ((r = tsr_secure_area_unseal(store->sa, store->sealed_key, store->sealed_key_len,
	    store->data_key)) != TSR_OK) {
		/* Start afresh next time: the secret may have been the problem. */
		tsr_secure_area_free(store->sa);
		store->sa = NULL;
		return map_sa_error(r);
	}
	store->unlocked = true;
	/* Keys that crashed creations left on a token (tsr_store_create_key()). */
	if (tsr_secure_area_names_keys(store->sa))
		clean_pending_keys(store);
	return TSR_OK;
}

tsr_sa_kind_t
tsr_store_sa_kind(const tsr_store_t *store)
{
	return store ? store->sa_kind : (tsr_sa_kind_t)0;
}

const char *
tsr_store_sa_location(const tsr_store_t *store)
{
	if (store == NULL)
		return NULL;
	switch (store->sa_kind) {
	case TSR_SA_TPM2:
		if (store->tpm_tcti != NULL)
			return store->tpm_tcti;
		return getenv("TESSERA_TCTI") ? getenv("TESSERA_TCTI") : "device:/dev/tpmrm0";
	case TSR_SA_PKCS11:
		return store->pkcs11_token;
	case TSR_SA_SOFTWARE:
	default:
		return NULL;
	}
}

int
tsr_store_secure_area(tsr_store_t *store, tsr_secure_area_t **ret_sa)
{
	int r;

	if (ret_sa == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_unlock(store)) != TSR_OK)
		return r;
	*ret_sa = store->sa;
	return TSR_OK;
}

/*
 * Creating a key so that a crash leaves no key behind that the wallet does
 * not know of. Software and TPM keys exist only in their reference (the
 * encrypted key, or blobs that nothing but the wallet keeps) until the keys
 * row commits, so one transaction after making the key is enough. A token
 * key exists on the token from the moment it is made, so where the back-end
 * names keys in advance (tsr_secure_area_new_ref()) the order is:
 *
 *   1. name the key and commit a pending_keys row with that name and our
 *      pid, in a transaction of its own;
 *   2. make the key on the token under that name;
 *   3. insert the keys row and delete the pending row, in one transaction.
 *
 * A crash before 1 commits leaves nothing; between 1 and 3 it leaves a
 * pending row whose key may or may not exist, which the next unlock
 * destroys and forgets once the process that wrote it is gone
 * (clean_pending_keys()); after 3 the key is recorded. Making the key first
 * and recording it afterwards could leave an unnamed key on the token for
 * ever, as nothing would remember to delete it.
 */
int
tsr_store_pending_key_insert(tsr_store_t *store, const uint8_t *ref, size_t ref_len)
{
	sqlite3_stmt *st = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	if ((r = tsr_store_prepare(store->db, "INSERT INTO pending_keys (sa_kind, ref, pid,"
	    " created) VALUES (?, ?, ?, ?)", &st)) != TSR_OK)
		return r;
	sqlite3_bind_int(st, 1, (int)store->sa_kind);
	sqlite3_bind_blob(st, 2, ref, (int)ref_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)getpid());
	sqlite3_bind_int64(st, 4, tsr_clock_now());
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		r = tsr_store_db_error(store->db, rc, "insert pending key");
	else
		r = TSR_OK;
	sqlite3_finalize(st);
	return r;
}

/* Step 1, in a transaction of its own. */
static int
pending_key_add(tsr_store_t *store, const uint8_t *ref, size_t ref_len)
{
	int r;

	if ((r = tsr_store_begin(store)) != TSR_OK)
		return r;
	if ((r = tsr_store_pending_key_insert(store, ref, ref_len)) == TSR_OK)
		r = tsr_store_commit(store);
	tsr_store_rollback(store);
	return r;
}

int
tsr_store_pending_key_drop(tsr_store_t *store, const uint8_t *ref, size_t ref_len)
{
	sqlite3_stmt *st = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	if ((r = tsr_store_prepare(store->db, "DELETE FROM pending_keys WHERE ref = ?", &st)) !=
	    TSR_OK)
		return r;
	sqlite3_bind_blob(st, 1, ref, (int)ref_len, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		r = tsr_store_db_error(store->db, rc, "delete pending key");
	else
		r = TSR_OK;
	sqlite3_finalize(st);
	return r;
}

/* Whether the process that wrote a pending row may still be making its key.
 * A pid reused since (after a reboot, say) only delays the clean-up. */
static bool
pending_owner_alive(int64_t pid)
{
	if (pid <= 0 || pid > INT_MAX)
		return false;
	if ((pid_t)pid == getpid())
		return true;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

#define MAX_PENDING_CLEANED 64

/* Destroys the keys that crashed creations left on the token (step 1 done,
 * step 3 not; see above) and forgets them. Best effort: whatever fails is
 * tried again at the next unlock. */
static void
clean_pending_keys(tsr_store_t *store)
{
	struct {
		int64_t id;
		uint8_t *ref;
		size_t ref_len;
	} rows[MAX_PENDING_CLEANED];
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc, r;

	if (tsr_store_prepare(store->db, "SELECT p.id, p.ref, p.pid,"
	    " EXISTS (SELECT 1 FROM keys k WHERE k.ref = p.ref)"
	    " FROM pending_keys p WHERE p.sa_kind = ? ORDER BY p.id", &st) != TSR_OK)
		return;
	sqlite3_bind_int(st, 1, (int)store->sa_kind);
	while (n < MAX_PENDING_CLEANED && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool recorded = sqlite3_column_int(st, 3) != 0;

		if (pending_owner_alive(sqlite3_column_int64(st, 2)))
			continue;
		rows[n].id = sqlite3_column_int64(st, 0);
		if (tsr_store_column_blob(st, 1, &rows[n].ref, &rows[n].ref_len) != TSR_OK)
			break;
		/* A recorded key is the wallet's: only the row goes. */
		if (recorded) {
			free(rows[n].ref);
			rows[n].ref = NULL;
			rows[n].ref_len = 0;
		}
		n++;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].ref != NULL) {
			r = tsr_secure_area_delete_key(store->sa, rows[i].ref, rows[i].ref_len);
			/* KEY_INVALID: the crash came before the key was made. */
			if (r != TSR_OK && r != TSR_ERR_SA_KEY_INVALID) {
				tsr_debug("store: a pending key could not be removed: %s",
				    tsr_strerror(r));
				continue;
			}
			tsr_debug("store: removed a key left by an interrupted creation");
		}
		if (tsr_store_begin(store) != TSR_OK)
			continue;
		if (tsr_store_prepare(store->db, "DELETE FROM pending_keys WHERE id = ?", &st) ==
		    TSR_OK) {
			sqlite3_bind_int64(st, 1, rows[i].id);
			if (sqlite3_step(st) == SQLITE_DONE)
				(void)tsr_store_commit(store);
		}
		sqlite3_finalize(st);
		st = NULL;
		tsr_store_rollback(store);
	}
	for (size_t i = 0; i < n; i++)
		free(rows[i].ref);
}

int
tsr_store_create_key(tsr_store_t *store, const tsr_sa_key_options_t *options,
    int64_t *ret_key_id, uint8_t **ret_cose_key, size_t *ret_cose_key_len)
{
	uint8_t *ref = NULL, *cose = NULL, point[2 * 32];
	size_t ref_len = 0, cose_len = 0;
	sqlite3_stmt *st = NULL;
	tsr_ec_pub_t pub;
	bool key_made = false, pending = false;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || ret_key_id == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_unlock(store)) != TSR_OK)
		return r;
	r = tsr_secure_area_new_ref(store->sa, &ref, &ref_len);
	if (r == TSR_OK) {
		/* Steps 1 and 2 (see above). */
		if ((r = pending_key_add(store, ref, ref_len)) != TSR_OK)
			goto out;
		pending = true;
		r = tsr_secure_area_create_key_named(store->sa, options, ref, ref_len, &cose,
		    &cose_len);
	} else if (r == TSR_ERR_SA_NOT_SUPPORTED) {
		r = tsr_secure_area_create_key(store->sa, options, &ref, &ref_len, &cose,
		    &cose_len);
	}
	if (r != TSR_OK) {
		r = map_sa_error(r);
		goto out;
	}
	key_made = true;
	if ((r = tsr_cose_key_from_bytes(cose, cose_len, &pub)) != TSR_OK)
		goto out;
	if (pub.curve != TSR_CURVE_P256) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	memcpy(point, pub.x, 32);
	memcpy(point + 32, pub.y, 32);
	/* Step 3. */
	if ((r = tsr_store_begin(store)) != TSR_OK)
		goto out;
	if ((r = tsr_store_prepare(store->db,
	    "INSERT INTO keys (sa_kind, ref, public_point, cose_key, has_pin, created)"
	    " VALUES (?, ?, ?, ?, ?, ?)", &st)) != TSR_OK)
		goto out;
	sqlite3_bind_int(st, 1, (int)store->sa_kind);
	sqlite3_bind_blob(st, 2, ref, (int)ref_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, point, sizeof(point), SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, cose, (int)cose_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, options != NULL && options->pin != NULL);
	sqlite3_bind_int64(st, 6, tsr_clock_now());
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "insert key");
		goto out;
	}
	*ret_key_id = sqlite3_last_insert_rowid(store->db);
	if (pending && (r = tsr_store_pending_key_drop(store, ref, ref_len)) != TSR_OK)
		goto out;
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto out;
	key_made = false;
	pending = false;
	if (ret_cose_key != NULL) {
		*ret_cose_key = cose;
		*ret_cose_key_len = cose_len;
		cose = NULL;
	}
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	tsr_store_rollback(store);
	/* A key the wallet does not remember would only take up room. If it
	 * cannot go now, its pending row stays for the next unlock. */
	if (key_made && tsr_secure_area_delete_key(store->sa, ref, ref_len) != TSR_OK) {
		tsr_debug("store: could not delete the unrecorded key");
	} else if (pending && (tsr_store_begin(store) != TSR_OK ||
	    tsr_store_pending_key_drop(store, ref, ref_len) != TSR_OK ||
	    tsr_store_commit(store) != TSR_OK)) {
		tsr_debug("store: the pending key row stays for the next unlock");
		tsr_store_rollback(store);
	}
	free(ref);
	free(cose);
	return r;
}

int
tsr_store_key_get(tsr_store_t *store, int64_t key_id, uint8_t **ret_ref, size_t *ret_ref_len,
    uint8_t **ret_cose_key, size_t *ret_cose_key_len)
{
	uint8_t *ref = NULL, *cose = NULL;
	size_t ref_len = 0, cose_len = 0;
	sqlite3_stmt *st = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_prepare(store->db, "SELECT ref, cose_key FROM keys WHERE id = ?",
	    &st)) != TSR_OK)
		return r;
	sqlite3_bind_int64(st, 1, key_id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? TSR_ERR_NOT_FOUND :
					tsr_store_db_error(store->db, rc, "load key");
		goto out;
	}
	if ((r = tsr_store_column_blob(st, 0, &ref, &ref_len)) != TSR_OK ||
	    (r = tsr_store_column_blob(st, 1, &cose, &cose_len)) != TSR_OK)
		goto out;
	if (ref == NULL || cose == NULL) {
		r = TSR_ERR_STORE_CORRUPT;
		goto out;
	}
	if (ret_ref != NULL) {
		*ret_ref = ref;
		*ret_ref_len = ref_len;
		ref = NULL;
	}
	if (ret_cose_key != NULL) {
		*ret_cose_key = cose;
		*ret_cose_key_len = cose_len;
		cose = NULL;
	}
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	free(ref);
	free(cose);
	return r;
}

int
tsr_store_setting_set(tsr_store_t *store, const char *name, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || name == NULL || name[0] == '\0' ||
	    strlen(name) > MAX_SETTING_NAME || (value != NULL && strlen(value) > MAX_SETTING_VALUE))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_begin(store)) != TSR_OK)
		return r;
	if ((r = tsr_store_prepare(store->db, value != NULL ?
	    "INSERT OR REPLACE INTO settings (name, value) VALUES (?1, ?2)" :
	    "DELETE FROM settings WHERE name = ?1", &st)) != TSR_OK)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "setting");
		goto out;
	}
	r = tsr_store_commit(store);
out:
	sqlite3_finalize(st);
	tsr_store_rollback(store);
	return r;
}

int
tsr_store_setting_get(tsr_store_t *store, const char *name, char **ret_value)
{
	sqlite3_stmt *st = NULL;
	char *value = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || name == NULL || ret_value == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_prepare(store->db, "SELECT value FROM settings WHERE name = ?",
	    &st)) != TSR_OK)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? TSR_ERR_NOT_FOUND :
					tsr_store_db_error(store->db, rc, "setting");
		goto out;
	}
	if ((r = tsr_store_column_text(st, 0, &value)) != TSR_OK)
		goto out;
	if (value == NULL && (value = strdup("")) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	*ret_value = value;
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	return r;
}

int
tsr_store_next_id(tsr_store_t *store, const char *table, int64_t *ret_id)
{
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	/* AUTOINCREMENT gives max(sqlite_sequence.seq, max(rowid)) + 1. The
	 * table name is one of ours, never input. */
	if (asprintf(&sql, "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '%s'),"
	    " 0), coalesce((SELECT max(id) FROM %s), 0)) + 1", table, table) < 0)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_store_prepare(store->db, sql, &st)) != TSR_OK)
		goto out;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = tsr_store_db_error(store->db, rc, "next id");
		goto out;
	}
	*ret_id = sqlite3_column_int64(st, 0);
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	free(sql);
	return r;
}

int
tsr_store_key_set_attested(tsr_store_t *store, int64_t key_id, const uint8_t *evidence,
    size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || evidence == NULL || len == 0 || len > INT_MAX)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_begin(store)) != TSR_OK)
		return r;
	if ((r = tsr_store_prepare(store->db, "UPDATE keys SET attestation = ?,"
	    " attestation_state = 1 WHERE id = ?", &st)) != TSR_OK)
		goto fail;
	sqlite3_bind_blob(st, 1, evidence, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, key_id);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "record attestation");
		goto fail;
	}
	if (sqlite3_changes(store->db) != 1) {
		r = TSR_ERR_NOT_FOUND;
		goto fail;
	}
	sqlite3_finalize(st);
	return tsr_store_commit(store);
fail:
	sqlite3_finalize(st);
	tsr_store_rollback(store);
	return r;
}
