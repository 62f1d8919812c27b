/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The schema, its migrations and the connection settings. */

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "store/store-private.h"

/* 'TSRW' in the database header: tells a wallet from any other SQLite file. */
#define TSR_STORE_APPLICATION_ID 0x54535257

/*
 * Step i takes user_version i to i + 1. Append new steps; never edit one
 * that has been released, as stores in the field were made with it
 * (tests/data/store/schema-v1.sql keeps step 1 as released).
 */
const char *const tsr_store_migrations[TSR_STORE_SCHEMA_VERSION] = {
	/* 1: the wallet, its keys, credentials and settings. */
	"CREATE TABLE wallet ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  sa_kind INTEGER NOT NULL CHECK (sa_kind IN (1, 2, 3)),"
	"  sa_params BLOB,"
	"  tpm_tcti TEXT,"
	"  pkcs11_module TEXT,"
	"  pkcs11_token TEXT,"
	"  sealed_data_key BLOB NOT NULL,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE keys ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  sa_kind INTEGER NOT NULL,"
	"  ref BLOB NOT NULL,"
	"  public_point BLOB NOT NULL UNIQUE,"
	"  cose_key BLOB NOT NULL,"
	"  has_pin INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE credentials ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  key_id INTEGER NOT NULL REFERENCES keys(id) ON DELETE RESTRICT,"
	"  doc_type TEXT NOT NULL,"
	"  issuer_subject TEXT NOT NULL,"
	"  signed_at INTEGER NOT NULL,"
	"  valid_from INTEGER NOT NULL,"
	"  valid_until INTEGER NOT NULL,"
	"  expected_update INTEGER,"
	"  uses_remaining INTEGER CHECK (uses_remaining IS NULL OR uses_remaining >= 0),"
	"  imported_at INTEGER NOT NULL,"
	"  fingerprint BLOB NOT NULL UNIQUE,"
	"  payload BLOB NOT NULL CHECK (length(payload) > 29)"
	");"
	"CREATE INDEX credentials_key_id ON credentials(key_id);"
	"CREATE TABLE settings ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") WITHOUT ROWID;",

	/* 2: key attestation, the presentation log, trusted roots. */
	"ALTER TABLE keys ADD COLUMN attestation BLOB;"
	"ALTER TABLE keys ADD COLUMN attestation_state INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE presentation_log ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  entry BLOB NOT NULL CHECK (length(entry) > 29)"
	");"
	"CREATE TABLE trusted_roots ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  purpose INTEGER NOT NULL CHECK (purpose IN (1, 2)),"
	"  subject TEXT NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  der BLOB NOT NULL,"
	"  added INTEGER NOT NULL,"
	"  UNIQUE (purpose, der)"
	");",

	/* 3: keys being made on a token (store.c, tsr_store_create_key). */
	"CREATE TABLE pending_keys ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  sa_kind INTEGER NOT NULL,"
	"  ref BLOB NOT NULL UNIQUE,"
	"  pid INTEGER NOT NULL,"
	"  created INTEGER NOT NULL"
	");",
};

int
tsr_store_db_error(sqlite3 *db, int rc, const char *what)
{
	tsr_debug("store: %s: %s (%d)", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return TSR_ERR_STORE_BUSY;
	case SQLITE_NOMEM:
		return TSR_ERR_NO_MEMORY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return TSR_ERR_STORE_CORRUPT;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_FULL:
	default:
		return TSR_ERR_STORE_DATABASE;
	}
}

int
tsr_store_exec(sqlite3 *db, const char *sql)
{
	int rc;

	if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return tsr_store_db_error(db, rc, "exec");
	return TSR_OK;
}

int
tsr_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret_stmt)
{
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, ret_stmt, NULL)) != SQLITE_OK)
		return tsr_store_db_error(db, rc, "prepare");
	return TSR_OK;
}

/* Runs a pragma that returns one value and reads it as an integer or text. */
static int
pragma_int(sqlite3 *db, const char *sql, int *ret_value)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	if ((r = tsr_store_prepare(db, sql, &st)) != TSR_OK)
		return r;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = tsr_store_db_error(db, rc, sql);
		goto out;
	}
	*ret_value = sqlite3_column_int(st, 0);
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	return r;
}

int
tsr_store_db_configure(sqlite3 *db, bool read_only)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int r = TSR_ERR_INTERNAL, rc;

	/* Refuse writes to sqlite_schema and other footguns a hostile file
	 * could otherwise exploit through the schema. */
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, TSR_STORE_BUSY_TIMEOUT_MS) != SQLITE_OK) {
		r = tsr_store_db_error(db, sqlite3_errcode(db), "configure");
		goto out;
	}
	if ((r = tsr_store_exec(db, "PRAGMA foreign_keys = ON;"
	    "PRAGMA secure_delete = ON;")) != TSR_OK)
		goto out;
	if (!read_only) {
		/* WAL is persistent in the file; the pragma returns the mode in force. */
		if ((r = tsr_store_prepare(db, "PRAGMA journal_mode = WAL", &st)) != TSR_OK)
			goto out;
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			r = tsr_store_db_error(db, rc, "journal_mode");
			goto out;
		}
		mode = sqlite3_column_text(st, 0);
		if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
			tsr_debug("store: journal_mode is %s, not wal", mode ? (const char *)mode : "?");
			r = TSR_ERR_STORE_DATABASE;
			goto out;
		}
	}
	/* FULL: a commit survives power loss, not only a crash. */
	if ((r = tsr_store_exec(db, "PRAGMA synchronous = FULL")) != TSR_OK)
		goto out;
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	return r;
}

int
tsr_store_db_version(sqlite3 *db, int *ret_version)
{
	int version = 0, app_id = 0, r;

	if ((r = pragma_int(db, "PRAGMA user_version", &version)) != TSR_OK ||
	    (r = pragma_int(db, "PRAGMA application_id", &app_id)) != TSR_OK)
		return r;
	if (version < 0 || (version > 0 && app_id != TSR_STORE_APPLICATION_ID)) {
		tsr_debug("store: application_id %#x, user_version %d: not a Tessera wallet",
		    (unsigned)app_id, version);
		return TSR_ERR_STORE_CORRUPT;
	}
	*ret_version = version;
	return TSR_OK;
}

int
tsr_store_db_migrate(sqlite3 *db, int target)
{
	char sql[64];
	int version = 0, r;

	if (target < 0 || target > TSR_STORE_SCHEMA_VERSION)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_db_version(db, &version)) != TSR_OK)
		return r;
	if (version > TSR_STORE_SCHEMA_VERSION)
		return TSR_ERR_STORE_NEWER;
	if (version > target)
		return TSR_ERR_INVALID_ARGUMENT;
	if (version == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", TSR_STORE_APPLICATION_ID);
		if ((r = tsr_store_exec(db, sql)) != TSR_OK)
			return r;
	}
	for (int v = version; v < target; v++) {
		tsr_debug("store: migrating schema %d -> %d", v, v + 1);
		if ((r = tsr_store_exec(db, tsr_store_migrations[v])) != TSR_OK)
			return r;
	}
	if (version != target) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", target);
		if ((r = tsr_store_exec(db, sql)) != TSR_OK)
			return r;
	}
	return TSR_OK;
}

int
tsr_store_begin(tsr_store_t *store)
{
	return tsr_store_exec(store->db, "BEGIN IMMEDIATE");
}

int
tsr_store_commit(tsr_store_t *store)
{
	return tsr_store_exec(store->db, "COMMIT");
}

void
tsr_store_rollback(tsr_store_t *store)
{
	if (!sqlite3_get_autocommit(store->db))
		(void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}
