/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The wallet store on a software secure area: schema and migrations from
 * every earlier version, checked and atomic imports, encryption at rest
 * (no claim value in the database or its WAL), secure deletion, locking,
 * the presentation log, trusted roots, settings, and kill -9 during
 * imports.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <tessera/store.h>
#include <tessera/tessera.h>

#include "cbor/codec.h"
#include "cose/cose.h"
#include "crypto/crypto.h"
#include "credential-builder.h"
#include "softhsm.h"
#include "swtpm.h"
#include "store/store-private.h"
#include "test-support.h"

#define PASSPHRASE "correct horse battery staple"
#define DAY (24 * 3600)
#define ANNEX_D_ELEMENTS 6

typedef struct fixture {
	char *dir;
	char *path;
	char *data_dir;
} fixture_t;

static void
fixture_set_up(fixture_t *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	(void)data;
	f->dir = g_dir_make_tmp("tsr-store-XXXXXX", &error);
	g_assert_no_error(error);
	/* A directory that does not exist yet: create makes it 0700. */
	f->path = g_build_filename(f->dir, "sub", "tessera", "wallet.db", NULL);
	f->data_dir = g_strdup(g_getenv("TSR_TEST_DATA"));
	g_assert_nonnull(f->data_dir);
}

static void
rm_rf(const char *path)
{
	GDir *d;
	const char *name;

	if ((d = g_dir_open(path, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			rm_rf(child);
		}
		g_dir_close(d);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

static void
fixture_tear_down(fixture_t *f, gconstpointer data)
{
	(void)data;
	rm_rf(f->dir);
	g_free(f->dir);
	g_free(f->path);
	g_free(f->data_dir);
}

static tsr_store_t *
create_wallet(const fixture_t *f)
{
	tsr_sa_config_t config = { 0 };
	tsr_store_t *store = NULL;

	config.kind = TSR_SA_SOFTWARE;
	config.secret = tsr_test_secret_cb;
	config.secret_user = (void *)(uintptr_t)PASSPHRASE;
	g_assert_cmpint(tsr_store_create(f->path, &config, &store), ==, TSR_OK);
	g_assert_nonnull(store);
	return store;
}

static tsr_store_t *
open_wallet(const fixture_t *f, const char *passphrase)
{
	tsr_store_options_t options = { 0 };
	tsr_store_t *store = NULL;

	options.secret = tsr_test_secret_cb;
	options.secret_user = (void *)(uintptr_t)passphrase;
	g_assert_cmpint(tsr_store_open(f->path, &options, &store), ==, TSR_OK);
	return store;
}

/* A credential for a wallet key, valid from yesterday for a year. */
static uint8_t *
credential_for(const fixture_t *f, const uint8_t *cose, size_t cose_len, int64_t offset,
    size_t *ret_len)
{
	int64_t now = tsr_clock_now();
	uint8_t *cred = NULL;

	g_assert_cmpint(tsr_test_credential_build_cose(f->data_dir, cose, cose_len,
	    now - DAY + offset, now - DAY + offset, now + 365 * DAY, &cred, ret_len), ==, TSR_OK);
	return cred;
}

static uint8_t *
new_key_credential(const fixture_t *f, tsr_store_t *store, int64_t *ret_key_id, size_t *ret_len)
{
	uint8_t *cose = NULL, *cred;
	size_t cose_len = 0;
	int64_t key_id = 0;

	g_assert_cmpint(tsr_store_create_key(store, NULL, &key_id, &cose, &cose_len), ==, TSR_OK);
	g_assert_cmpint(key_id, >, 0);
	cred = credential_for(f, cose, cose_len, 0, ret_len);
	tsr_free(cose);
	if (ret_key_id != NULL)
		*ret_key_id = key_id;
	return cred;
}

static int64_t
count_rows(const char *path, const char *table)
{
	g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM %s", table);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static char *
pragma_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *s;

	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	s = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

static void
exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		g_error("%s: %s", sql, err);
}

/* Whether needle occurs in the file (a missing file holds nothing). */
static bool
file_contains(const char *path, const void *needle, size_t len)
{
	g_autofree char *data = NULL;
	gsize n = 0;

	if (!g_file_get_contents(path, &data, &n, NULL))
		return false;
	return memmem(data, n, needle, len) != NULL;
}

static bool
db_files_contain(const fixture_t *f, const void *needle, size_t len)
{
	g_autofree char *wal = g_strconcat(f->path, "-wal", NULL);

	return file_contains(f->path, needle, len) || file_contains(wal, needle, len);
}

/* --- schema --- */

static void
valid_fresh_schema(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	g_autofree char *dir = g_path_get_dirname(f->path);
	g_autofree char *mode = NULL, *fk = NULL, *sync = NULL, *sd = NULL;
	GStatBuf st;

	(void)data;
	g_assert_cmpint(g_stat(f->path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(g_stat(dir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);

	/* The connection's settings. */
	mode = pragma_text(store->db, "PRAGMA journal_mode");
	fk = pragma_text(store->db, "PRAGMA foreign_keys");
	sync = pragma_text(store->db, "PRAGMA synchronous");
	sd = pragma_text(store->db, "PRAGMA secure_delete");
	g_assert_cmpstr(mode, ==, "wal");
	g_assert_cmpstr(fk, ==, "1");
	g_assert_cmpstr(sync, ==, "2");
	g_assert_cmpstr(sd, ==, "1");
	g_assert_cmpint(tsr_store_sa_kind(store), ==, TSR_SA_SOFTWARE);
	tsr_store_free(store);

	{
		sqlite3 *db = NULL;
		g_autofree char *version = NULL, *app = NULL;

		g_assert_cmpint(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), ==,
		    SQLITE_OK);
		version = pragma_text(db, "PRAGMA user_version");
		app = pragma_text(db, "PRAGMA application_id");
		g_assert_cmpint(atoi(version), ==, TSR_STORE_SCHEMA_VERSION);
		g_assert_cmpint(atoi(app), ==, 0x54535257);
		sqlite3_close(db);
	}
	/* A second create on the same path refuses. */
	{
		tsr_sa_config_t config = { .kind = TSR_SA_SOFTWARE, .secret = tsr_test_secret_cb,
			.secret_user = (void *)(uintptr_t)PASSPHRASE };
		tsr_store_t *again = NULL;

		g_assert_cmpint(tsr_store_create(f->path, &config, &again), ==,
		    TSR_ERR_STORE_EXISTS);
		g_assert_null(again);
	}
}

/* Uses the migrated wallet as a user would. */
static void
exercise_wallet(const fixture_t *f)
{
	tsr_store_t *store = open_wallet(f, PASSPHRASE);
	tsr_store_list_t *list = NULL;
	g_autofree char *value = NULL;
	uint8_t *cred;
	size_t len = 0;
	int64_t id = 0;

	g_assert_cmpint(tsr_store_setting_get(store, "kept", &value), ==, TSR_OK);
	g_assert_cmpstr(value, ==, "from an old version");
	cred = new_key_credential(f, store, NULL, &len);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, &id, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_list_count(list), ==, 1);
	tsr_store_list_free(list);
	tsr_store_free(store);
	g_free(cred);
	tsr_free(value);
	value = NULL;
	{
		sqlite3 *db = NULL;
		g_autofree char *version = NULL, *check = NULL;

		g_assert_cmpint(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), ==,
		    SQLITE_OK);
		version = pragma_text(db, "PRAGMA user_version");
		check = pragma_text(db, "PRAGMA integrity_check");
		g_assert_cmpint(atoi(version), ==, TSR_STORE_SCHEMA_VERSION);
		g_assert_cmpstr(check, ==, "ok");
		sqlite3_close(db);
	}
}

/* Writes a version-`version` wallet the way that version did: its schema
 * (from `schema_sql`, or the migration steps), a wallet row with a data
 * key sealed by a software secure area, and one setting. */
static void
make_old_wallet(const fixture_t *f, int version, const char *schema_sql)
{
	tsr_sa_config_t config = { .kind = TSR_SA_SOFTWARE, .secret = tsr_test_secret_cb,
		.secret_user = (void *)(uintptr_t)PASSPHRASE };
	tsr_secure_area_t *sa = NULL;
	uint8_t key[32], *params = NULL, *sealed = NULL;
	size_t params_len = 0, sealed_len = 0;
	g_autofree char *dir = g_path_get_dirname(f->path);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_cmpint(tsr_secure_area_open(&config, &sa), ==, TSR_OK);
	g_assert_cmpint(tsr_secure_area_software_params(sa, &params, &params_len), ==, TSR_OK);
	g_assert_cmpint(tsr_random_bytes(key, sizeof(key)), ==, TSR_OK);
	g_assert_cmpint(tsr_secure_area_seal(sa, key, &sealed, &sealed_len), ==, TSR_OK);

	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	exec_sql(db, "BEGIN");
	if (schema_sql != NULL) {
		exec_sql(db, schema_sql);
		exec_sql(db, "PRAGMA application_id = 1414746711");
		{
			g_autofree char *sql = g_strdup_printf("PRAGMA user_version = %d", version);
			exec_sql(db, sql);
		}
	} else {
		g_assert_cmpint(tsr_store_db_migrate(db, version), ==, TSR_OK);
	}
	g_assert_cmpint(sqlite3_prepare_v2(db, "INSERT INTO wallet (id, sa_kind, sa_params,"
	    " sealed_data_key, created) VALUES (1, 1, ?, ?, 0)", -1, &st, NULL), ==, SQLITE_OK);
	sqlite3_bind_blob(st, 1, params, (int)params_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sealed, (int)sealed_len, SQLITE_STATIC);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
	sqlite3_finalize(st);
	exec_sql(db, "INSERT INTO settings (name, value) VALUES ('kept', 'from an old version')");
	exec_sql(db, "COMMIT");
	sqlite3_close(db);

	tsr_secure_area_free(sa);
	tsr_free(params);
	tsr_free(sealed);
}

static void
valid_migrate_every_version(fixture_t *f, gconstpointer data)
{
	(void)data;
	for (int v = 1; v < TSR_STORE_SCHEMA_VERSION; v++) {
		if (g_test_verbose())
			g_test_message("from version %d", v);
		make_old_wallet(f, v, NULL);
		exercise_wallet(f);
		rm_rf(f->dir);
		g_assert_cmpint(g_mkdir(f->dir, 0700), ==, 0);
	}
}

/* Version 1 as released, from the fixture rather than the migration array:
 * catches an edit of a released step. */
static void
valid_migrate_v1_fixture(fixture_t *f, gconstpointer data)
{
	g_autofree char *sql = NULL;
	size_t len = 0;

	(void)data;
	sql = (char *)tsr_test_load("store/schema-v1.sql", &len);
	make_old_wallet(f, 1, sql);
	exercise_wallet(f);
}

static void
newer_version_refused(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	sqlite3 *db = NULL;
	g_autofree char *sql = g_strdup_printf("PRAGMA user_version = %d",
	    TSR_STORE_SCHEMA_VERSION + 1);

	(void)data;
	tsr_store_free(store);
	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	exec_sql(db, sql);
	sqlite3_close(db);
	store = NULL;
	g_assert_cmpint(tsr_store_open(f->path, NULL, &store), ==, TSR_ERR_STORE_NEWER);
	g_assert_null(store);
}

static void
not_a_wallet(fixture_t *f, gconstpointer data)
{
	g_autofree char *other = g_build_filename(f->dir, "other.db", NULL);
	g_autofree char *empty = g_build_filename(f->dir, "empty.db", NULL);
	tsr_store_t *store = NULL;
	sqlite3 *db = NULL;

	(void)data;
	g_assert_cmpint(tsr_store_open(f->path, NULL, &store), ==, TSR_ERR_STORE_NO_WALLET);
	g_assert_true(g_file_set_contents(empty, "", 0, NULL));
	g_assert_cmpint(tsr_store_open(empty, NULL, &store), ==, TSR_ERR_STORE_CORRUPT);
	g_assert_cmpint(sqlite3_open(other, &db), ==, SQLITE_OK);
	exec_sql(db, "CREATE TABLE t (x); PRAGMA user_version = 1");
	sqlite3_close(db);
	g_assert_cmpint(tsr_store_open(other, NULL, &store), ==, TSR_ERR_STORE_CORRUPT);
	g_assert_true(g_file_set_contents(other, "not a database at all, just text......", -1,
	    NULL));
	g_assert_cmpint(tsr_store_open(other, NULL, &store), ==, TSR_ERR_STORE_CORRUPT);
	g_assert_null(store);
}

/* --- creation: a wallet appears whole --- */

/* Names in the wallet's directory that are creation drafts. */
static unsigned
count_drafts(const fixture_t *f)
{
	g_autofree char *dir = g_path_get_dirname(f->path);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	unsigned n = 0;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL)
		n += g_str_has_prefix(name, ".wallet.db.creating-");
	g_dir_close(d);
	return n;
}

/* A draft and its WAL, as a creator killed half-way leaves them. */
static void
plant_draft(const fixture_t *f, const char *suffix)
{
	g_autofree char *dir = g_path_get_dirname(f->path);
	g_autofree char *name = g_strdup_printf(".wallet.db.creating-%s", suffix);
	g_autofree char *draft = g_build_filename(dir, name, NULL);
	g_autofree char *wal = g_strconcat(draft, "-wal", NULL);

	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(draft, "SQLite format 3", -1, NULL));
	g_assert_true(g_file_set_contents(wal, "frames", -1, NULL));
}

static void
valid_create_no_draft_left(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store;

	(void)data;
	store = create_wallet(f);
	g_assert_cmpuint(count_drafts(f), ==, 0);
	tsr_store_free(store);
	/* The published file alone is the wallet: its WAL was folded in. */
	store = open_wallet(f, PASSPHRASE);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	tsr_store_free(store);
}

static void
dead_drafts_removed(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store;

	(void)data;
	plant_draft(f, "a1b2c3");
	plant_draft(f, "d4e5f6");
	g_assert_cmpuint(count_drafts(f), ==, 4);
	store = create_wallet(f);
	g_assert_cmpuint(count_drafts(f), ==, 0);
	tsr_store_free(store);
}

/* A creator at work holds the directory's lock shared: its draft stays. */
static void
live_draft_kept(fixture_t *f, gconstpointer data)
{
	g_autofree char *dir = g_path_get_dirname(f->path);
	tsr_store_t *store;
	int dir_fd;

	(void)data;
	plant_draft(f, "a1b2c3");
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	g_assert_cmpint(dir_fd, >=, 0);
	g_assert_cmpint(flock(dir_fd, LOCK_SH), ==, 0);
	store = create_wallet(f);
	g_assert_cmpuint(count_drafts(f), ==, 2);
	tsr_store_free(store);
	close(dir_fd); /* the creator is gone: the next creation cleans up */
	tsr_store_remove_files(f->path);
	store = create_wallet(f);
	g_assert_cmpuint(count_drafts(f), ==, 0);
	tsr_store_free(store);
}

/* --- import --- */

static void
valid_import(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_list_t *list = NULL;
	tsr_store_credential_t *cred = NULL;
	const tsr_store_summary_t *s;
	tsr_store_element_t e;
	const uint8_t *bytes;
	uint8_t *issued;
	size_t len = 0, bytes_len = 0;
	int64_t key_id = 0, id = 0, now = tsr_clock_now(), after;
	uint32_t reasons = 1;
	bool found = false;

	(void)data;
	issued = new_key_credential(f, store, &key_id, &len);
	/* The credential was issued at some second in [now, after]: under
	 * valgrind creating the key can take long enough to cross one. */
	after = tsr_clock_now();
	g_assert_cmpint(tsr_store_import(store, issued, len, NULL, &id, &reasons), ==, TSR_OK);
	g_assert_cmpint(id, >, 0);
	g_assert_cmpuint(reasons, ==, 0);
	tsr_store_free(store);

	/* A fresh open lists without unlocking. */
	store = NULL;
	g_assert_cmpint(tsr_store_open(f->path, NULL, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_list_count(list), ==, 1);
	s = tsr_store_list_get(list, 0);
	g_assert_cmpint(s->id, ==, id);
	g_assert_cmpstr(s->doc_type, ==, "org.iso.18013.5.1.mDL");
	g_assert_cmpstr(s->issuer_subject, ==, "C=US, CN=Tessera Test Store DS");
	g_assert_cmpint(s->key_id, ==, key_id);
	g_assert_cmpint(s->key_storage, ==, TSR_SA_SOFTWARE);
	g_assert_cmpint(s->uses_remaining, ==, -1);
	g_assert_cmpint(s->valid_until, >=, now + 365 * DAY);
	g_assert_cmpint(s->valid_until, <=, after + 365 * DAY);
	g_assert_cmpint(s->expected_update, ==, 0);
	g_assert_null(tsr_store_list_get(list, 1));
	tsr_store_list_free(list);
	/* Showing needs the data key: locked without a secret. */
	g_assert_cmpint(tsr_store_show(store, id, &cred), ==, TSR_ERR_STORE_LOCKED);
	tsr_store_free(store);

	store = open_wallet(f, PASSPHRASE);
	g_assert_cmpint(tsr_store_show(store, id, &cred), ==, TSR_OK);
	bytes = tsr_store_credential_issuer_signed(cred, &bytes_len);
	g_assert_cmpmem(bytes, bytes_len, issued, len);
	g_assert_cmpint(tsr_store_credential_summary(cred)->id, ==, id);
	g_assert_cmpuint(tsr_store_credential_element_count(cred), ==, ANNEX_D_ELEMENTS);
	for (size_t i = 0; i < tsr_store_credential_element_count(cred); i++) {
		g_assert_cmpint(tsr_store_credential_element(cred, i, &e), ==, TSR_OK);
		g_assert_cmpstr(e.name_space, ==, "org.iso.18013.5.1");
		if (strcmp(e.identifier, "family_name") == 0) {
			/* tstr "Doe" */
			g_assert_cmpmem(e.value, e.value_len, "\x63" "Doe", 4);
			found = true;
		}
	}
	g_assert_true(found);
	g_assert_cmpint(tsr_store_credential_element(cred, ANNEX_D_ELEMENTS, &e), ==,
	    TSR_ERR_NOT_FOUND);
	tsr_store_credential_free(cred);
	cred = NULL;
	g_assert_cmpint(tsr_store_show(store, id + 1, &cred), ==, TSR_ERR_NOT_FOUND);

	/* The same credential twice is refused, and nothing is added. */
	g_assert_cmpint(tsr_store_import(store, issued, len, NULL, NULL, NULL), ==,
	    TSR_ERR_STORE_DUPLICATE);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 1);
	tsr_store_free(store);
	g_free(issued);
}

/* A Document (as found in a DeviceResponse) is accepted too; its
 * IssuerSigned is what is stored. */
static void
valid_import_document(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_credential_t *cred = NULL;
	tsr_cbor_enc_t enc;
	uint8_t *is, *doc = NULL;
	const uint8_t *stored;
	size_t is_len = 0, doc_len = 0, stored_len = 0;
	int64_t id = 0;

	(void)data;
	is = new_key_credential(f, store, NULL, &is_len);
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "docType");
	tsr_cbor_put_tstr(&enc, "org.iso.18013.5.1.mDL");
	tsr_cbor_put_tstr(&enc, "issuerSigned");
	tsr_cbor_put_raw(&enc, is, is_len);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &doc, &doc_len), ==, TSR_OK);
	tsr_cbor_enc_free(&enc);
	g_assert_cmpint(tsr_store_import(store, doc, doc_len, NULL, &id, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_show(store, id, &cred), ==, TSR_OK);
	stored = tsr_store_credential_issuer_signed(cred, &stored_len);
	g_assert_cmpmem(stored, stored_len, is, is_len);
	tsr_store_credential_free(cred);
	tsr_store_free(store);
	free(doc);
	g_free(is);
}

static void
foreign_key_refused(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_ec_key_t *other = NULL;
	tsr_ec_pub_t pub;
	uint8_t *cred = NULL;
	size_t len = 0;
	int64_t now = tsr_clock_now(), key_id = 0;

	(void)data;
	/* The wallet has a key, but not this one. */
	g_assert_cmpint(tsr_store_create_key(store, NULL, &key_id, NULL, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &other), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(other, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_test_credential_build(f->data_dir, &pub, now - DAY, now - DAY,
	    now + DAY, &cred, &len), ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, NULL), ==,
	    TSR_ERR_STORE_FOREIGN_KEY);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 0);
	tsr_ec_key_free(other);
	free(cred);
	tsr_store_free(store);
}

static void
tampered_refused(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	uint8_t *cred, *copy, *p;
	size_t len = 0;
	uint32_t reasons = 0;

	(void)data;
	cred = new_key_credential(f, store, NULL, &len);
	/* A claim value: "Doe" -> "Dof". */
	copy = g_memdup2(cred, len);
	p = memmem(copy, len, "Doe", 3);
	g_assert_nonnull(p);
	p[2] = 'f';
	g_assert_cmpint(tsr_store_import(store, copy, len, NULL, NULL, &reasons), ==,
	    TSR_ERR_VERIFY);
	g_assert_true(reasons & TSR_REASON_DIGEST_MISMATCH);
	g_free(copy);
	/* The signature (the last bytes of the IssuerSigned). */
	copy = g_memdup2(cred, len);
	copy[len - 5] ^= 0x01;
	g_assert_cmpint(tsr_store_import(store, copy, len, NULL, NULL, &reasons), ==,
	    TSR_ERR_VERIFY);
	g_assert_true(reasons & TSR_REASON_ISSUER_SIGNATURE);
	g_free(copy);
	/* Truncated and junk input. */
	g_assert_cmpint(tsr_store_import(store, cred, len - 1, NULL, NULL, &reasons), !=, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, (const uint8_t *)"\xa0", 1, NULL, NULL, &reasons),
	    ==, TSR_ERR_MDOC_MALFORMED);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 0);
	/* The untouched one goes in. */
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, &reasons), ==, TSR_OK);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 1);
	tsr_store_free(store);
	g_free(cred);
}

static void
expired_refused(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	uint8_t *cose = NULL, *cred = NULL;
	size_t cose_len = 0, len = 0;
	int64_t now = tsr_clock_now(), key_id = 0;
	uint32_t reasons = 0;

	(void)data;
	g_assert_cmpint(tsr_store_create_key(store, NULL, &key_id, &cose, &cose_len), ==, TSR_OK);
	g_assert_cmpint(tsr_test_credential_build_cose(f->data_dir, cose, cose_len,
	    now - 10 * DAY, now - 10 * DAY, now - DAY, &cred, &len), ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, &reasons), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(reasons, ==, TSR_REASON_MSO_EXPIRED);
	free(cred);
	/* Valid only from tomorrow (a batch credential): accepted. */
	g_assert_cmpint(tsr_test_credential_build_cose(f->data_dir, cose, cose_len,
	    now - DAY, now + DAY, now + 10 * DAY, &cred, &len), ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, &reasons), ==, TSR_OK);
	free(cred);
	tsr_free(cose);
	tsr_store_free(store);
}

static void
trusted_iaca_checked(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_roots_t *roots = NULL;
	uint8_t *cred, *other, *iaca;
	size_t len = 0, other_len = 0, iaca_len = 0, added = 0;
	uint32_t reasons = 0;

	(void)data;
	cred = new_key_credential(f, store, NULL, &len);
	other = tsr_test_load("store/other_iaca.pem", &other_len);
	iaca = tsr_test_load("store/iaca.der", &iaca_len);
	/* Once the wallet trusts IACAs, the issuer must chain to one of them. */
	g_assert_cmpint(tsr_store_trust_add(store, TSR_TRUST_IACA, other, other_len, &added), ==,
	    TSR_OK);
	g_assert_cmpuint(added, ==, 1);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, &reasons), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpuint(reasons, ==, TSR_REASON_UNTRUSTED_ISSUER);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 0);
	/* A reader root is not an IACA. */
	g_assert_cmpint(tsr_store_trust_add(store, TSR_TRUST_READER_ROOT, iaca, iaca_len, &added),
	    ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, &reasons), ==,
	    TSR_ERR_VERIFY);
	g_assert_cmpint(tsr_store_trust_add(store, TSR_TRUST_IACA, iaca, iaca_len, &added), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, &reasons), ==, TSR_OK);

	/* Listing, adding twice, removing. */
	g_assert_cmpint(tsr_store_trust_add(store, TSR_TRUST_IACA, iaca, iaca_len, &added), ==,
	    TSR_OK);
	g_assert_cmpuint(added, ==, 0);
	g_assert_cmpint(tsr_store_trust_list(store, TSR_TRUST_IACA, &roots), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_roots_count(roots), ==, 2);
	g_assert_cmpstr(tsr_store_roots_get(roots, 0)->subject, ==,
	    "C=US, CN=Tessera Test Other IACA");
	g_assert_cmpmem(tsr_store_roots_get(roots, 1)->der, tsr_store_roots_get(roots, 1)->der_len,
	    iaca, iaca_len);
	g_assert_cmpint(tsr_store_trust_remove(store, tsr_store_roots_get(roots, 0)->id), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_store_trust_remove(store, tsr_store_roots_get(roots, 0)->id), ==,
	    TSR_ERR_NOT_FOUND);
	tsr_store_roots_free(roots);
	g_assert_cmpint(tsr_store_trust_list(store, 0, &roots), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_roots_count(roots), ==, 2);
	tsr_store_roots_free(roots);
	g_assert_cmpint(tsr_store_trust_add(store, TSR_TRUST_IACA, (const uint8_t *)"junk", 4,
	    NULL), ==, TSR_ERR_CERT_PARSE);
	tsr_store_free(store);
	g_free(cred);
	g_free(other);
	g_free(iaca);
}

/* --- encryption at rest, deletion, locking --- */

static void
no_plaintext_on_disk(fixture_t *f, gconstpointer data)
{
	static const tsr_store_item_t items[] = {
		{ "org.iso.18013.5.1", "family_name" },
	};
	tsr_store_log_entry_t entry = { 0 };
	tsr_store_t *store = create_wallet(f);
	uint8_t *cred, *portrait;
	size_t len = 0, portrait_len = 0;
	sqlite3 *db = NULL;

	(void)data;
	portrait = tsr_test_load("annex-d/portrait.jpg", &portrait_len);
	g_assert_cmpuint(portrait_len, >, 600);
	cred = new_key_credential(f, store, NULL, &len);
	/* The credential itself holds them, or the test would prove nothing. */
	g_assert_nonnull(memmem(cred, len, "Doe", 3));
	g_assert_nonnull(memmem(cred, len, "123456789", 9));
	g_assert_nonnull(memmem(cred, len, portrait + 500, 64));
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, NULL), ==, TSR_OK);
	entry.reader = "Utopia Police Checkpoint 42";
	entry.reader_trust = TSR_READER_TRUSTED;
	entry.doc_type = "org.iso.18013.5.1.mDL";
	entry.requested = items;
	entry.n_requested = 1;
	entry.shared = items;
	entry.n_shared = 1;
	entry.outcome = TSR_PRESENTATION_SHARED;
	g_assert_cmpint(tsr_store_log_append(store, &entry, NULL), ==, TSR_OK);

	/* While open: the data is in the WAL, not checkpointed yet. */
	for (int pass = 0; pass < 2; pass++) {
		g_assert_false(db_files_contain(f, "Doe", 3));
		g_assert_false(db_files_contain(f, "123456789", 9));
		g_assert_false(db_files_contain(f, portrait + 500, 64));
		g_assert_false(db_files_contain(f, portrait, 32));
		g_assert_false(db_files_contain(f, "Utopia Police", 13));
		g_assert_false(db_files_contain(f, "family_name", 11));
		if (pass == 0) {
			/* Then after a checkpoint into the main file. */
			tsr_store_free(store);
			store = NULL;
			g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
			exec_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)");
			sqlite3_close(db);
		}
	}
	/* The docType is listed in the clear, by design. */
	g_assert_true(db_files_contain(f, "org.iso.18013.5.1.mDL", 21));
	g_free(portrait);
	g_free(cred);
}

/* Reads a credential's sealed payload straight from the database. */
static uint8_t *
raw_payload(const char *path, int64_t id, size_t *ret_len)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t *out;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT payload FROM credentials WHERE id = ?", -1,
	    &st, NULL), ==, SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	*ret_len = (size_t)sqlite3_column_bytes(st, 0);
	out = g_memdup2(sqlite3_column_blob(st, 0), *ret_len);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void
delete_leaves_nothing(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	uint8_t *cred1, *cred2, *sealed, *cose = NULL, *ref = NULL;
	size_t len1 = 0, len2 = 0, sealed_len = 0, cose_len = 0, ref_len = 0;
	int64_t id1 = 0, id2 = 0, id3 = 0, key1 = 0, key2 = 0;
	bool key_deleted = true;

	(void)data;
	cred1 = new_key_credential(f, store, &key1, &len1);
	cred2 = new_key_credential(f, store, &key2, &len2);
	g_assert_cmpint(tsr_store_import(store, cred1, len1, NULL, &id1, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred2, len2, NULL, &id2, NULL), ==, TSR_OK);
	/* A second credential on key 2 (a batch). */
	g_assert_cmpint(tsr_store_key_get(store, key2, &ref, &ref_len, &cose, &cose_len), ==,
	    TSR_OK);
	g_free(cred2);
	cred2 = credential_for(f, cose, cose_len, 1, &len2);
	g_assert_cmpint(tsr_store_import(store, cred2, len2, NULL, &id3, NULL), ==, TSR_OK);

	/* Everything is committed to the main file, then deleted. */
	g_assert_cmpint(sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL), ==, SQLITE_OK);
	sealed = raw_payload(f->path, id1, &sealed_len);
	g_assert_true(db_files_contain(f, sealed + sealed_len / 2, 32));
	g_assert_cmpint(tsr_store_delete(store, id1, &key_deleted), ==, TSR_OK);
	g_assert_true(key_deleted);
	g_assert_false(db_files_contain(f, sealed + sealed_len / 2, 32));
	g_assert_false(db_files_contain(f, sealed + 13, 32));
	g_assert_cmpint(tsr_store_key_get(store, key1, NULL, NULL, NULL, NULL), ==,
	    TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_store_delete(store, id1, NULL), ==, TSR_ERR_NOT_FOUND);

	/* Key 2 stays while a credential uses it. */
	g_assert_cmpint(tsr_store_delete(store, id2, &key_deleted), ==, TSR_OK);
	g_assert_false(key_deleted);
	g_assert_cmpint(tsr_store_key_get(store, key2, NULL, NULL, NULL, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_delete(store, id3, &key_deleted), ==, TSR_OK);
	g_assert_true(key_deleted);
	g_assert_cmpint(count_rows(f->path, "keys"), ==, 0);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 0);
	/* The key reference (the encrypted private key) is gone too. */
	g_assert_false(db_files_contain(f, ref + ref_len / 2, 16));
	tsr_store_free(store);
	g_free(sealed);
	g_free(cred1);
	g_free(cred2);
	tsr_free(cose);
	tsr_free(ref);
}

static void
wrong_passphrase_refused(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_list_t *list = NULL;
	tsr_store_log_t *log = NULL;
	uint8_t *cred;
	size_t len = 0;
	int64_t key_id = 0;

	(void)data;
	cred = new_key_credential(f, store, NULL, &len);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, NULL), ==, TSR_OK);
	tsr_store_free(store);

	store = open_wallet(f, "wrong horse battery staple");
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_store_log_list(store, &log), ==, TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_store_create_key(store, NULL, &key_id, NULL, NULL), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, NULL, NULL), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	/* Listing needs no secret. */
	g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_list_count(list), ==, 1);
	tsr_store_list_free(list);
	tsr_store_free(store);

	/* No secret at all: locked. */
	store = NULL;
	g_assert_cmpint(tsr_store_open(f->path, NULL, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_ERR_STORE_LOCKED);
	tsr_store_free(store);

	store = open_wallet(f, PASSPHRASE);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	tsr_store_free(store);
	g_free(cred);
}

/* Signs with the wallet's key key_id and verifies with its public key. */
static void
assert_key_signs(tsr_store_t *store, int64_t key_id)
{
	static const uint8_t msg[] = "tessera";
	tsr_secure_area_t *sa = NULL;
	uint8_t *ref = NULL, *cose = NULL, sig[64];
	size_t ref_len = 0, cose_len = 0;
	tsr_ec_pub_t pub;

	g_assert_cmpint(tsr_store_key_get(store, key_id, &ref, &ref_len, &cose, &cose_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_store_secure_area(store, &sa), ==, TSR_OK);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_cose_key_from_bytes(cose, cose_len, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig,
	    sizeof(sig)), ==, TSR_OK);
	tsr_free(ref);
	tsr_free(cose);
}

static void
assert_shows(tsr_store_t *store, int64_t id)
{
	tsr_store_credential_t *cred = NULL;

	g_assert_cmpint(tsr_store_show(store, id, &cred), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_credential_element_count(cred), ==, ANNEX_D_ELEMENTS);
	tsr_store_credential_free(cred);
}

/* A new passphrase re-encrypts the keys and the data key; the old one
 * stops working, credentials and keys keep working. */
static void
valid_change_passphrase(fixture_t *f, gconstpointer data)
{
	static const char new_pass[] = "new passphrase for the wallet";
	tsr_store_t *store = create_wallet(f);
	uint8_t *cred;
	size_t len = 0;
	int64_t key_id = 0, id = 0;

	(void)data;
	cred = new_key_credential(f, store, &key_id, &len);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, &id, NULL), ==, TSR_OK);

	g_assert_cmpint(tsr_store_change_secret(store, "wrong", new_pass), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_store_change_secret(store, PASSPHRASE, ""), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_store_change_secret(store, NULL, new_pass), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_store_change_secret(store, PASSPHRASE, new_pass), ==, TSR_OK);
	/* The same store goes on working. */
	assert_shows(store, id);
	assert_key_signs(store, key_id);
	tsr_store_free(store);

	store = open_wallet(f, PASSPHRASE);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_ERR_SA_PIN_INCORRECT);
	tsr_store_free(store);

	store = open_wallet(f, new_pass);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	assert_shows(store, id);
	assert_key_signs(store, key_id);
	/* And back again, from a store that unlocked with it. */
	g_assert_cmpint(tsr_store_change_secret(store, new_pass, PASSPHRASE), ==, TSR_OK);
	tsr_store_free(store);
	store = open_wallet(f, PASSPHRASE);
	assert_shows(store, id);
	tsr_store_free(store);
	g_free(cred);
}

/* A key with its own PIN cannot be re-encrypted: nothing changes. */
static void
change_passphrase_key_pin_refused(fixture_t *f, gconstpointer data)
{
	tsr_sa_key_options_t options = { .pin = "1234" };
	tsr_store_t *store = create_wallet(f);
	int64_t key_id = 0;

	(void)data;
	g_assert_cmpint(tsr_store_create_key(store, &options, &key_id, NULL, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_change_secret(store, PASSPHRASE, "other"), ==,
	    TSR_ERR_SA_NOT_SUPPORTED);
	tsr_store_free(store);
	store = open_wallet(f, PASSPHRASE);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	tsr_store_free(store);
}

static void
assert_unlock_p11(const char *path, const char *pin, int expect_unlock)
{
	tsr_store_options_t options = { 0 };
	tsr_store_t *store = NULL;

	options.secret = tsr_test_secret_cb;
	options.secret_user = (void *)(uintptr_t)pin;
	g_assert_cmpint(tsr_store_open(path, &options, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_unlock(store), ==, expect_unlock);
	tsr_store_free(store);
}

/* PKCS#11: C_SetPIN on a SoftHSM token. */
static void
valid_change_token_pin(fixture_t *f, gconstpointer data)
{
	g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new();
	tsr_sa_config_t config = { 0 };
	tsr_store_t *store = NULL;
	uint8_t *cred;
	size_t len = 0;
	int64_t key_id = 0, id = 0;

	(void)data;
	config.kind = TSR_SA_PKCS11;
	config.pkcs11_module = hsm->module;
	config.pkcs11_token_label = TSR_TEST_SOFTHSM_LABEL;
	config.secret = tsr_test_secret_cb;
	config.secret_user = (void *)(uintptr_t)TSR_TEST_SOFTHSM_PIN;
	g_assert_cmpint(tsr_store_create(f->path, &config, &store), ==, TSR_OK);
	cred = new_key_credential(f, store, &key_id, &len);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, &id, NULL), ==, TSR_OK);

	g_assert_cmpint(tsr_store_change_secret(store, "9999", "56789"), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_store_change_secret(store, TSR_TEST_SOFTHSM_PIN, "56789"), ==,
	    TSR_OK);
	assert_shows(store, id);
	assert_key_signs(store, key_id);
	tsr_store_free(store);

	assert_unlock_p11(f->path, TSR_TEST_SOFTHSM_PIN, TSR_ERR_SA_PIN_INCORRECT);
	assert_unlock_p11(f->path, "56789", TSR_OK);
	g_free(cred);
}

/* The DS certificate summary comes from the credential's x5chain. */
static void
valid_ds_cert_summary(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_credential_t *cred = NULL;
	tsr_cert_summary_t s;
	uint8_t *bytes;
	size_t len = 0;
	int64_t id = 0;

	(void)data;
	bytes = new_key_credential(f, store, NULL, &len);
	g_assert_cmpint(tsr_store_import(store, bytes, len, NULL, &id, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_show(store, id, &cred), ==, TSR_OK);
	tsr_cert_summary_init(&s);
	g_assert_cmpint(tsr_store_credential_ds_cert(NULL, &s), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_store_credential_ds_cert(cred, &s), ==, TSR_OK);
	g_assert_cmpstr(s.subject, ==, "C=US, CN=Tessera Test Store DS");
	g_assert_cmpstr(s.subject, ==, tsr_store_credential_summary(cred)->issuer_subject);
	g_assert_cmpstr(s.issuer, ==, "C=US, CN=Tessera Test Store IACA");
	g_assert_cmpstr(s.country, ==, "US");
	g_assert_cmpstr(s.serial, ==, "66:5D:90:98:14:BE:0F:06:C5:AB:B1:BE:D0:C9:62:1C:CC:57:C1:BB");
	g_assert_cmpint(s.not_before, ==, 1735689600); /* 2025-01-01 */
	g_assert_cmpint(s.not_after, ==, 2524608000);  /* 2050-01-01 */
	g_assert_cmpstr(s.key_algorithm, ==, "EC P-256");
	g_assert_cmpstr(s.signature_algorithm, ==, "ECDSA with SHA-256");
	g_assert_cmpuint(s.chain_length, ==, 1);
	tsr_cert_summary_free(&s);
	tsr_cert_summary_free(&s);
	tsr_cert_summary_free(NULL);
	tsr_store_credential_free(cred);
	tsr_store_free(store);
	g_free(bytes);
}

/* TPM: the authValue of the keys that have one (TPM2_ObjectChangeAuth). */
static void
valid_change_tpm_key_pin(fixture_t *f, gconstpointer data)
{
	static const uint8_t msg[] = "tessera";
	tsr_sa_key_options_t options = { .pin = "1234" };
	tsr_sa_config_t config = { 0 };
	tsr_store_t *store = NULL;
	tsr_secure_area_t *sa = NULL;
	tsr_test_swtpm_t *tpm;
	g_autofree char *ca_dir = NULL;
	uint8_t *ref = NULL, *old_ref = NULL, sig[64];
	size_t ref_len = 0, old_len = 0;
	int64_t key_id = 0;

	(void)data;
	if (!tsr_test_swtpm_available()) {
		g_test_skip("swtpm is not installed");
		return;
	}
	ca_dir = tsr_test_swtpm_ca_dir_new();
	tpm = tsr_test_swtpm_new(ca_dir);
	config.kind = TSR_SA_TPM2;
	config.tpm_tcti = tsr_test_swtpm_tcti(tpm);
	g_assert_cmpint(tsr_store_create(f->path, &config, &store), ==, TSR_OK);
	/* No key with a PIN yet: nothing to change. */
	g_assert_cmpint(tsr_store_change_secret(store, "1234", "5678"), ==,
	    TSR_ERR_SA_NOT_SUPPORTED);
	g_assert_cmpint(tsr_store_create_key(store, &options, &key_id, NULL, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_key_get(store, key_id, &old_ref, &old_len, NULL, NULL), ==,
	    TSR_OK);

	g_assert_cmpint(tsr_store_change_secret(store, "0000", "5678"), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	g_assert_cmpint(tsr_store_change_secret(store, "1234", "5678"), ==, TSR_OK);
	g_assert_cmpint(tsr_store_key_get(store, key_id, &ref, &ref_len, NULL, NULL), ==, TSR_OK);
	g_assert_false(ref_len == old_len && memcmp(ref, old_ref, ref_len) == 0);
	g_assert_cmpint(tsr_store_secure_area(store, &sa), ==, TSR_OK);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "5678", msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, "1234", msg, sizeof(msg), sig), ==,
	    TSR_ERR_SA_PIN_INCORRECT);
	tsr_free(ref);
	tsr_free(old_ref);
	tsr_store_free(store);
	tsr_test_swtpm_free(tpm);
	tsr_test_rmrf(ca_dir);
}

/* A sealed value moved to another row does not open there. */
static void
swapped_rows_refused(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_credential_t *cred = NULL;
	uint8_t *c1, *c2;
	size_t l1 = 0, l2 = 0;
	int64_t id1 = 0, id2 = 0;
	sqlite3 *db = NULL;

	(void)data;
	c1 = new_key_credential(f, store, NULL, &l1);
	c2 = new_key_credential(f, store, NULL, &l2);
	g_assert_cmpint(tsr_store_import(store, c1, l1, NULL, &id1, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, c2, l2, NULL, &id2, NULL), ==, TSR_OK);
	tsr_store_free(store);
	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	exec_sql(db, "UPDATE credentials SET payload = (SELECT payload FROM credentials"
	    " WHERE id = 2) WHERE id = 1");
	sqlite3_close(db);
	store = open_wallet(f, PASSPHRASE);
	g_assert_cmpint(tsr_store_show(store, id1, &cred), ==, TSR_ERR_STORE_CORRUPT);
	g_assert_cmpint(tsr_store_show(store, id2, &cred), ==, TSR_OK);
	tsr_store_credential_free(cred);
	tsr_store_free(store);
	g_free(c1);
	g_free(c2);
}

/* --- log, settings, single use --- */

static void
valid_log(fixture_t *f, gconstpointer data)
{
	static const tsr_store_item_t requested[] = {
		{ "org.iso.18013.5.1", "family_name" },
		{ "org.iso.18013.5.1", "portrait" },
		{ "org.iso.18013.5.1", "age_over_21" },
	};
	tsr_store_log_entry_t e1 = { 0 }, e2 = { 0 };
	const tsr_store_log_entry_t *got;
	tsr_store_t *store = create_wallet(f);
	tsr_store_log_t *log = NULL;
	int64_t id1 = 0, id2 = 0, before = tsr_clock_now();

	(void)data;
	e1.time = 1700000000;
	e1.reader = "C=US, CN=reader";
	e1.reader_trust = TSR_READER_TRUSTED;
	e1.doc_type = "org.iso.18013.5.1.mDL";
	e1.credential_id = 7;
	e1.requested = requested;
	e1.n_requested = 3;
	e1.shared = requested;
	e1.n_shared = 2;
	e1.outcome = TSR_PRESENTATION_SHARED;
	e2.outcome = TSR_PRESENTATION_DECLINED;
	g_assert_cmpint(tsr_store_log_append(store, &e1, &id1), ==, TSR_OK);
	g_assert_cmpint(tsr_store_log_append(store, &e2, &id2), ==, TSR_OK);
	g_assert_cmpint(id2, >, id1);
	e2.outcome = (tsr_presentation_outcome_t)9;
	g_assert_cmpint(tsr_store_log_append(store, &e2, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	tsr_store_free(store);

	store = open_wallet(f, PASSPHRASE);
	g_assert_cmpint(tsr_store_log_list(store, &log), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_log_count(log), ==, 2);
	got = tsr_store_log_get(log, 0);
	g_assert_cmpint(got->id, ==, id1);
	g_assert_cmpint(got->time, ==, 1700000000);
	g_assert_cmpstr(got->reader, ==, "C=US, CN=reader");
	g_assert_cmpint(got->reader_trust, ==, TSR_READER_TRUSTED);
	g_assert_cmpstr(got->doc_type, ==, "org.iso.18013.5.1.mDL");
	g_assert_cmpint(got->credential_id, ==, 7);
	g_assert_cmpuint(got->n_requested, ==, 3);
	g_assert_cmpstr(got->requested[2].identifier, ==, "age_over_21");
	g_assert_cmpuint(got->n_shared, ==, 2);
	g_assert_cmpstr(got->shared[1].identifier, ==, "portrait");
	g_assert_cmpint(got->outcome, ==, TSR_PRESENTATION_SHARED);
	got = tsr_store_log_get(log, 1);
	g_assert_cmpint(got->time, >=, before);
	g_assert_cmpstr(got->reader, ==, "");
	g_assert_cmpint(got->reader_trust, ==, TSR_READER_ANONYMOUS);
	g_assert_cmpuint(got->n_requested, ==, 0);
	g_assert_cmpint(got->outcome, ==, TSR_PRESENTATION_DECLINED);
	g_assert_null(tsr_store_log_get(log, 2));
	tsr_store_log_free(log);
	tsr_store_free(store);
}

static void
valid_settings(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	char *value = NULL;

	(void)data;
	g_assert_cmpint(tsr_store_setting_get(store, "language", &value), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_store_setting_set(store, "language", "en"), ==, TSR_OK);
	g_assert_cmpint(tsr_store_setting_set(store, "language", "nl"), ==, TSR_OK);
	g_assert_cmpint(tsr_store_setting_get(store, "language", &value), ==, TSR_OK);
	g_assert_cmpstr(value, ==, "nl");
	tsr_free(value);
	g_assert_cmpint(tsr_store_setting_set(store, "language", NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_setting_get(store, "language", &value), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_store_setting_set(store, "", "x"), ==, TSR_ERR_INVALID_ARGUMENT);
	tsr_store_free(store);
}

static void
valid_single_use(fixture_t *f, gconstpointer data)
{
	tsr_store_import_options_t options = { .uses = 2 };
	tsr_store_t *store = create_wallet(f);
	tsr_store_list_t *list = NULL;
	uint8_t *cred;
	size_t len = 0;
	int64_t id = 0, left = 0;

	(void)data;
	cred = new_key_credential(f, store, NULL, &len);
	g_assert_cmpint(tsr_store_import(store, cred, len, &options, &id, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_credential_use(store, id, &left), ==, TSR_OK);
	g_assert_cmpint(left, ==, 1);
	g_assert_cmpint(tsr_store_credential_use(store, id, &left), ==, TSR_OK);
	g_assert_cmpint(left, ==, 0);
	g_assert_cmpint(tsr_store_credential_use(store, id, &left), ==, TSR_ERR_STORE_USED_UP);
	g_assert_cmpint(tsr_store_credential_use(store, id + 1, &left), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
	g_assert_cmpint(tsr_store_list_get(list, 0)->uses_remaining, ==, 0);
	tsr_store_list_free(list);
	tsr_store_free(store);
	g_free(cred);
}

/* --- crashes --- */

#define KILL_ROUNDS 50

/* The child: imports fresh credentials until it is killed, writing one
 * byte to progress once the store is open and one after each import. */
static G_NORETURN void
import_forever(const fixture_t *f, const uint8_t *cose, size_t cose_len, int progress)
{
	tsr_store_t *store = open_wallet(f, PASSPHRASE);

	if (write(progress, "o", 1) != 1)
		_exit(5);
	for (int64_t i = 0;; i++) {
		uint8_t *cred = NULL;
		size_t len = 0;
		int64_t now = tsr_clock_now();

		/* Distinct MSOs: signed a second apart (backwards from now). */
		if (tsr_test_credential_build_cose(f->data_dir, cose, cose_len,
		    now - DAY - (int64_t)getpid() * 1000 - i, now - DAY, now + DAY, &cred, &len) !=
		    TSR_OK)
			_exit(3);
		if (tsr_store_import(store, cred, len, NULL, NULL, NULL) != TSR_OK)
			_exit(4);
		free(cred);
		if (write(progress, "i", 1) != 1)
			_exit(5);
	}
}

/* Waits (at most two minutes, for valgrind) for the child's next progress
 * byte. */
static void
wait_progress(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	g_assert_cmpint(poll(&p, 1, 120 * 1000), ==, 1);
	g_assert_cmpint(read(fd, &c, 1), ==, 1);
}

static void
kill_during_import(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_list_t *list = NULL;
	uint8_t *cose = NULL;
	size_t cose_len = 0, total = 0;
	int64_t key_id = 0, span_us = 0;

	(void)data;
	g_assert_cmpint(tsr_store_create_key(store, NULL, &key_id, &cose, &cose_len), ==, TSR_OK);
	tsr_store_free(store);

	for (int round = 0; round < KILL_ROUNDS; round++) {
		int64_t start = g_get_monotonic_time();
		int progress[2];
		pid_t pid;
		int status = 0;

		g_assert_cmpint(pipe(progress), ==, 0);
		fflush(NULL);
		if ((pid = fork()) == 0) {
			close(progress[0]);
			import_forever(f, cose, cose_len, progress[1]);
		}
		g_assert_cmpint(pid, >, 0);
		close(progress[1]);
		if (round == 0) {
			/* Time opening the store and one import (committed when
			 * its byte comes), so that the kills below fall anywhere
			 * from opening the store to a few imports in, however
			 * slow the process is (valgrind makes it some 50 times
			 * slower). */
			wait_progress(progress[0]);
			wait_progress(progress[0]);
			span_us = 3 * (g_get_monotonic_time() - start);
		} else {
			g_usleep((gulong)g_test_rand_int_range(1000,
			    (gint32)CLAMP(span_us, 2000, G_MAXINT32)));
		}
		g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
		g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
		close(progress[0]);
		/* It must have died by the signal, not failed on its own. */
		g_assert_true(WIFSIGNALED(status));

		{
			sqlite3 *db = NULL;
			g_autofree char *check = NULL, *fk = NULL;

			g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
			check = pragma_text(db, "PRAGMA integrity_check");
			g_assert_cmpstr(check, ==, "ok");
			/* foreign_key_check returns no row when all is well. */
			{
				sqlite3_stmt *st = NULL;

				g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1,
				    &st, NULL), ==, SQLITE_OK);
				g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
				sqlite3_finalize(st);
			}
			sqlite3_close(db);
		}
		/* Every credential that is there is whole. */
		store = open_wallet(f, PASSPHRASE);
		g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
		for (size_t i = 0; i < tsr_store_list_count(list); i++) {
			tsr_store_credential_t *cred = NULL;

			g_assert_cmpint(tsr_store_show(store, tsr_store_list_get(list, i)->id, &cred),
			    ==, TSR_OK);
			g_assert_cmpuint(tsr_store_credential_element_count(cred), ==,
			    ANNEX_D_ELEMENTS);
			tsr_store_credential_free(cred);
		}
		total = tsr_store_list_count(list);
		tsr_store_list_free(list);
		tsr_store_free(store);
	}
	if (g_test_verbose())
		g_test_message("%zu credentials after %d kills", total, KILL_ROUNDS);
	/* The children did get some imports through. */
	g_assert_cmpuint(total, >, 0);
	tsr_free(cose);
}

static void
default_path(void)
{
	char *path = NULL;
	g_autofree char *old_xdg = g_strdup(g_getenv("XDG_DATA_HOME"));
	g_autofree char *old_home = g_strdup(g_getenv("HOME"));

	g_setenv("XDG_DATA_HOME", "/xdg/data", TRUE);
	g_assert_cmpint(tsr_store_default_path(&path), ==, TSR_OK);
	g_assert_cmpstr(path, ==, "/xdg/data/tessera/wallet.db");
	tsr_free(path);
	g_setenv("XDG_DATA_HOME", "relative", TRUE);
	g_setenv("HOME", "/home/u", TRUE);
	g_assert_cmpint(tsr_store_default_path(&path), ==, TSR_OK);
	g_assert_cmpstr(path, ==, "/home/u/.local/share/tessera/wallet.db");
	tsr_free(path);
	g_unsetenv("XDG_DATA_HOME");
	g_unsetenv("HOME");
	g_assert_cmpint(tsr_store_default_path(&path), ==, TSR_ERR_NOT_FOUND);
	if (old_xdg != NULL)
		g_setenv("XDG_DATA_HOME", old_xdg, TRUE);
	if (old_home != NULL)
		g_setenv("HOME", old_home, TRUE);
}

/* --- batch import --- */

/* A CBOR array of n (< 24) credentials. */
static uint8_t *
batch_of(uint8_t *const *creds, const size_t *lens, size_t n, size_t *ret_len)
{
	GByteArray *batch = g_byte_array_new();
	uint8_t head = (uint8_t)(0x80 | n);

	g_assert_cmpuint(n, <, 24);
	g_byte_array_append(batch, &head, 1);
	for (size_t i = 0; i < n; i++)
		g_byte_array_append(batch, creds[i], (guint)lens[i]);
	*ret_len = batch->len;
	return g_byte_array_free(batch, FALSE);
}

static void
valid_batch(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_import_options_t options = { 0 }; /* a batch's default: single-use */
	tsr_store_list_t *list = NULL;
	uint8_t *creds[3], *batch;
	size_t lens[3], len = 0, n = 0, failed = 0;
	int64_t key_ids[3], *ids = NULL;
	uint32_t reasons = 1;

	(void)data;
	for (size_t i = 0; i < 3; i++)
		creds[i] = new_key_credential(f, store, &key_ids[i], &lens[i]);
	batch = batch_of(creds, lens, 3, &len);
	g_assert_true(tsr_store_is_batch(batch, len));
	g_assert_false(tsr_store_is_batch(creds[0], lens[0]));
	g_assert_false(tsr_store_is_batch(batch, 0));
	g_assert_cmpint(tsr_store_import_batch(store, batch, len, &options, &ids, &n, &failed,
	    &reasons), ==, TSR_OK);
	g_assert_cmpuint(n, ==, 3);
	g_assert_cmpuint(failed, ==, SIZE_MAX);
	g_assert_cmpuint(reasons, ==, 0);
	g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
	g_assert_cmpuint(tsr_store_list_count(list), ==, 3);
	for (size_t i = 0; i < 3; i++) {
		const tsr_store_summary_t *s = tsr_store_list_get(list, i);

		/* In the order of the array, each bound to its own key. */
		g_assert_cmpint(s->id, ==, ids[i]);
		g_assert_cmpint(s->key_id, ==, key_ids[i]);
		g_assert_cmpint(s->uses_remaining, ==, 1);
		free(creds[i]);
	}
	tsr_store_list_free(list);
	tsr_free(ids);
	/* Again: the first is already there, so none goes in. */
	g_assert_cmpint(tsr_store_import_batch(store, batch, len, &options, NULL, &n, &failed,
	    NULL), ==, TSR_ERR_STORE_DUPLICATE);
	g_assert_cmpuint(n, ==, 0);
	g_assert_cmpuint(failed, ==, 0);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 3);
	g_free(batch);
	tsr_store_free(store);
}

/* One bad credential in a batch: nothing is written, and the failure
 * names it. */
static void
batch_all_or_nothing(fixture_t *f, gconstpointer data)
{
	tsr_store_t *store = create_wallet(f);
	tsr_store_list_t *list = NULL;
	tsr_ec_key_t *other = NULL;
	tsr_ec_pub_t pub;
	uint8_t *good[2], *foreign = NULL, *batch, *p, big[3 + TSR_STORE_BATCH_MAX + 1];
	size_t good_len[2], foreign_len = 0, len = 0, n = 1, failed = 0;
	int64_t now = tsr_clock_now(), *ids = NULL;
	uint32_t reasons = 0;

	(void)data;
	good[0] = new_key_credential(f, store, NULL, &good_len[0]);
	good[1] = new_key_credential(f, store, NULL, &good_len[1]);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &other), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(other, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_test_credential_build(f->data_dir, &pub, now - DAY, now - DAY,
	    now + DAY, &foreign, &foreign_len), ==, TSR_OK);

	/* In the middle, a key this wallet does not have. */
	batch = batch_of((uint8_t *[]){ good[0], foreign, good[1] },
	    (size_t[]){ good_len[0], foreign_len, good_len[1] }, 3, &len);
	g_assert_cmpint(tsr_store_import_batch(store, batch, len, NULL, &ids, &n, &failed,
	    &reasons), ==, TSR_ERR_STORE_FOREIGN_KEY);
	g_assert_null(ids);
	g_assert_cmpuint(n, ==, 0);
	g_assert_cmpuint(failed, ==, 1);
	g_free(batch);

	/* The same credential twice. */
	batch = batch_of((uint8_t *[]){ good[0], good[0] },
	    (size_t[]){ good_len[0], good_len[0] }, 2, &len);
	g_assert_cmpint(tsr_store_import_batch(store, batch, len, NULL, NULL, NULL, &failed,
	    NULL), ==, TSR_ERR_STORE_DUPLICATE);
	g_assert_cmpuint(failed, ==, 1);
	g_free(batch);

	/* The second tampered: "Doe" -> "Dof". */
	batch = batch_of(good, good_len, 2, &len);
	g_assert_nonnull(p = memmem(batch + 1 + good_len[0], good_len[1], "Doe", 3));
	p[2] = 'f';
	g_assert_cmpint(tsr_store_import_batch(store, batch, len, NULL, NULL, NULL, &failed,
	    &reasons), ==, TSR_ERR_VERIFY);
	g_assert_cmpuint(failed, ==, 1);
	g_assert_true(reasons & TSR_REASON_DIGEST_MISMATCH);
	g_free(batch);

	/* Not a batch: one credential, an empty array, one too many. */
	g_assert_cmpint(tsr_store_import_batch(store, good[0], good_len[0], NULL, NULL, NULL,
	    &failed, NULL), ==, TSR_ERR_MDOC_MALFORMED);
	g_assert_cmpuint(failed, ==, SIZE_MAX);
	g_assert_cmpint(tsr_store_import_batch(store, (const uint8_t *)"\x80", 1, NULL, NULL,
	    NULL, &failed, NULL), ==, TSR_ERR_MDOC_MALFORMED);
	big[0] = 0x99; /* array, 16-bit count */
	big[1] = (TSR_STORE_BATCH_MAX + 1) >> 8;
	big[2] = (TSR_STORE_BATCH_MAX + 1) & 0xff;
	memset(big + 3, 0xf6, TSR_STORE_BATCH_MAX + 1); /* null */
	g_assert_cmpint(tsr_store_import_batch(store, big, sizeof(big), NULL, NULL, NULL,
	    &failed, NULL), ==, TSR_ERR_LIMIT);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 0);

	/* The good ones go in together, here without a limit on their uses. */
	batch = batch_of(good, good_len, 2, &len);
	g_assert_cmpint(tsr_store_import_batch(store, batch, len,
	    &(tsr_store_import_options_t){ .uses = TSR_STORE_USES_UNLIMITED }, NULL, &n, NULL,
	    NULL), ==, TSR_OK);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpint(count_rows(f->path, "credentials"), ==, 2);
	g_assert_cmpint(tsr_store_list(store, &list), ==, TSR_OK);
	for (size_t i = 0; i < 2; i++)
		g_assert_cmpint(tsr_store_list_get(list, i)->uses_remaining, ==, -1);
	tsr_store_list_free(list);
	g_free(batch);
	free(good[0]);
	free(good[1]);
	free(foreign);
	tsr_ec_key_free(other);
	tsr_store_free(store);
}

#define ADD(name, fn) \
	g_test_add(name, fixture_t, NULL, fixture_set_up, fn, fixture_tear_down)

int
main(int argc, char **argv)
{
	/* New software wallets derive their key with few iterations: the
	 * tests open wallets hundreds of times. */
	g_setenv("TESSERA_PBKDF2_ITERATIONS", "1000", TRUE);
	g_test_init(&argc, &argv, NULL);
	ADD("/store/schema/valid_fresh", valid_fresh_schema);
	ADD("/store/schema/valid_migrate_every_version", valid_migrate_every_version);
	ADD("/store/schema/valid_migrate_v1_fixture", valid_migrate_v1_fixture);
	ADD("/store/schema/newer_version_refused", newer_version_refused);
	ADD("/store/schema/not_a_wallet", not_a_wallet);
	ADD("/store/create/valid_no_draft_left", valid_create_no_draft_left);
	ADD("/store/create/dead_drafts_removed", dead_drafts_removed);
	ADD("/store/create/live_draft_kept", live_draft_kept);
	ADD("/store/import/valid", valid_import);
	ADD("/store/import/valid_document", valid_import_document);
	ADD("/store/import/foreign_key_refused", foreign_key_refused);
	ADD("/store/import/tampered_refused", tampered_refused);
	ADD("/store/import/expired_refused", expired_refused);
	ADD("/store/import/trusted_iaca_checked", trusted_iaca_checked);
	ADD("/store/import/kill_during_import", kill_during_import);
	ADD("/store/import/valid_batch", valid_batch);
	ADD("/store/import/batch_all_or_nothing", batch_all_or_nothing);
	ADD("/store/rest/no_plaintext_on_disk", no_plaintext_on_disk);
	ADD("/store/rest/delete_leaves_nothing", delete_leaves_nothing);
	ADD("/store/rest/wrong_passphrase_refused", wrong_passphrase_refused);
	ADD("/store/rest/swapped_rows_refused", swapped_rows_refused);
	ADD("/store/secret/valid_change_passphrase", valid_change_passphrase);
	ADD("/store/secret/change_passphrase_key_pin_refused", change_passphrase_key_pin_refused);
	ADD("/store/secret/valid_change_token_pin", valid_change_token_pin);
	ADD("/store/secret/valid_change_tpm_key_pin", valid_change_tpm_key_pin);
	ADD("/store/log/valid", valid_log);
	ADD("/store/settings/valid", valid_settings);
	ADD("/store/credential/valid_single_use", valid_single_use);
	ADD("/store/credential/valid_ds_cert_summary", valid_ds_cert_summary);
	g_test_add_func("/store/path/default", default_path);
	return g_test_run();
}
