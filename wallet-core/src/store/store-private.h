/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The wallet store's internals: the schema and its migrations (schema.c),
 * row sealing (seal.c), and what the other files share. */
#ifndef TSR_STORE_PRIVATE_H
#define TSR_STORE_PRIVATE_H

#include <sqlite3.h>

#include <tessera/store.h>

#include "base/buf.h"

/* How long a writer waits for another process's transaction. */
#define TSR_STORE_BUSY_TIMEOUT_MS 5000

struct tsr_store {
	sqlite3 *db;
	/* What the wallet row records, and the overrides from the options. */
	tsr_sa_kind_t sa_kind;
	char *tpm_tcti;
	char *pkcs11_module;
	char *pkcs11_token;
	uint8_t *sa_params;
	size_t sa_params_len;
	uint8_t *sealed_key;
	size_t sealed_key_len;
	tsr_secret_fn secret;
	void *secret_user;
	/* Set once unlocked. */
	tsr_secure_area_t *sa;
	bool unlocked;
	uint8_t data_key[32];
};

/* --- file.c --- */

/* mkdir -p of the directory part of path; directories it makes are 0700. */
int tsr_store_make_parent_dirs(const char *path);
/* Removes a database file and its -wal, -shm and -journal files. */
void tsr_store_remove_files(const char *path);

/* A new wallet's hidden draft beside its path (file.c says why). */
typedef struct tsr_store_draft {
	char *path;    /* the draft file: build the wallet here */
	int dir_fd;    /* the directory, flock()ed shared while the draft exists */
	bool created;  /* the draft file exists and is ours to remove */
} tsr_store_draft_t;

/* Makes an empty draft (mode 0600) for a wallet at `path`, whose directory
 * must exist, after removing the drafts of dead creations there. */
int tsr_store_draft_begin(const char *path, tsr_store_draft_t *draft);
/* Gives the committed, closed draft its name `path`: TSR_ERR_STORE_EXISTS
 * when something is there already (the draft is kept for discard). */
int tsr_store_draft_publish(tsr_store_draft_t *draft, const char *path);
/* Removes the draft (unless published) and releases the directory. */
void tsr_store_draft_discard(tsr_store_draft_t *draft);

/* --- schema.c --- */

/* The migrations: step i (0-based) takes a store from user_version i to
 * i + 1. Steps are append-only: never edit a released one. */
extern const char *const tsr_store_migrations[TSR_STORE_SCHEMA_VERSION];

/* Sets the connection's pragmas (WAL, synchronous, foreign keys, secure
 * delete, busy timeout). */
int tsr_store_db_configure(sqlite3 *db, bool read_only);
/* Reads PRAGMA user_version. */
int tsr_store_db_version(sqlite3 *db, int *ret_version);
/* Upgrades from the current user_version to `target` inside the caller's
 * transaction (TSR_ERR_STORE_NEWER when the store is already newer). */
int tsr_store_db_migrate(sqlite3 *db, int target);
/* Maps an SQLite result code to a TSR_ERR_* code and logs the message. */
int tsr_store_db_error(sqlite3 *db, int rc, const char *what);

/* Transactions: BEGIN IMMEDIATE (writers) / COMMIT / ROLLBACK. */
int tsr_store_begin(tsr_store_t *store);
int tsr_store_commit(tsr_store_t *store);
void tsr_store_rollback(tsr_store_t *store);
/* Runs SQL without results. */
int tsr_store_exec(sqlite3 *db, const char *sql);
/* Prepares a statement (TSR_ERR_* on failure). */
int tsr_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret_stmt);

/* --- seal.c --- */

/* Sealed value layout: version (1) || IV (12) || ciphertext || tag (16). */
#define TSR_STORE_SEAL_VERSION 1
#define TSR_STORE_SEAL_OVERHEAD (1 + 12 + 16)

/* Seals pt for row `id` of `table` under the data key. */
int tsr_store_seal(const uint8_t data_key[32], const char *table, int64_t id,
    const uint8_t *pt, size_t len, uint8_t **ret_sealed, size_t *ret_len);
/* Opens a sealed value; TSR_ERR_STORE_CORRUPT when it does not
 * authenticate. The plaintext is owned: free with tsr_free_secret(). */
int tsr_store_unseal(const uint8_t data_key[32], const char *table, int64_t id,
    const uint8_t *sealed, size_t len, uint8_t **ret_pt, size_t *ret_len);
/* A keyed fingerprint of a credential (duplicate detection without
 * storing a plain hash of the credential). */
int tsr_store_fingerprint(const uint8_t data_key[32], const uint8_t *ptr, size_t len,
    uint8_t out[32]);

/* --- shared --- */

/* Column helpers: owned copies (NULL for SQL NULL). */
int tsr_store_column_text(sqlite3_stmt *st, int col, char **ret);
int tsr_store_column_blob(sqlite3_stmt *st, int col, uint8_t **ret, size_t *ret_len);
/* The next id an AUTOINCREMENT table will give, under the write lock
 * (rows are sealed for their id before they are inserted). */
int tsr_store_next_id(tsr_store_t *store, const char *table, int64_t *ret_id);

/* Pending token keys (store.c, tsr_store_create_key()): a key that may
 * exist on the token without a keys row. Both run inside the caller's
 * transaction. */
int tsr_store_pending_key_insert(tsr_store_t *store, const uint8_t *ref, size_t ref_len);
int tsr_store_pending_key_drop(tsr_store_t *store, const uint8_t *ref, size_t ref_len);

#endif /* TSR_STORE_PRIVATE_H */
