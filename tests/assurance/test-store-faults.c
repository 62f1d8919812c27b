/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * SQLite failure injection for the wallet store. This program is linked
 * with -Wl,--wrap=sqlite3_open_v2,--wrap=sqlite3_prepare_v2,
 * --wrap=sqlite3_step,--wrap=sqlite3_exec, so every call the static store
 * layer makes to those four goes through a counter the test controls. Each
 * store operation is first run to count its calls; then, on a fresh copy of
 * the same wallet, once for every N with the Nth call failing (with
 * SQLITE_IOERR_WRITE, SQLITE_FULL and SQLITE_BUSY in turn). It must:
 *
 * - return a negative TSR_ERR_* code (or TSR_OK when the failed call was
 *   one the operation may do without, such as the pending-key clean-up);
 * - leave the database file byte-for-byte as it was (every row of every
 *   table), or, when it returned TSR_OK, with the row counts of a
 *   successful run: never a partial import or a partial delete;
 * - leave `PRAGMA integrity_check` at "ok" and the open store usable: no
 *   transaction left open, every device key still signs;
 * - crash nowhere and leak nothing (LeakSanitizer in the sanitizer tree).
 *
 * "ROLLBACK" itself is never failed: SQLite ends the transaction even when
 * a rollback reports an error, which a wrapper that skips the call would
 * not imitate. The sqlite3_bind_* and sqlite3_column_* calls are not failed
 * either: the store binds with SQLITE_STATIC (no allocation).
 */

#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <tessera/store.h>
#include <tessera/tessera.h>

#include "credential-builder.h"
#include "swtpm.h"
#include "test-support.h"

#define PASSPHRASE "store faults"
#define DAY (24 * 3600)

/* --- The wrappers --- */

int __real_sqlite3_open_v2(const char *name, sqlite3 **db, int flags, const char *vfs);
int __real_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
    const char **tail);
int __real_sqlite3_step(sqlite3_stmt *st);
int __real_sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
    void *arg, char **err);
int __wrap_sqlite3_open_v2(const char *name, sqlite3 **db, int flags, const char *vfs);
int __wrap_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
    const char **tail);
int __wrap_sqlite3_step(sqlite3_stmt *st);
int __wrap_sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
    void *arg, char **err);

static bool armed;
static unsigned long count, fail_at;
static bool failed;
static int fail_rc = SQLITE_IOERR_WRITE;

static bool
refuse(void)
{
	if (!armed)
		return false;
	if (++count == fail_at) {
		failed = true;
		return true;
	}
	return false;
}

int
__wrap_sqlite3_open_v2(const char *name, sqlite3 **db, int flags, const char *vfs)
{
	if (refuse()) {
		*db = NULL;
		return SQLITE_CANTOPEN;
	}
	return __real_sqlite3_open_v2(name, db, flags, vfs);
}

int
__wrap_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
    const char **tail)
{
	if (refuse()) {
		*st = NULL;
		/* A prepare reads the schema: I/O and lock errors are what it gets. */
		return fail_rc;
	}
	return __real_sqlite3_prepare_v2(db, sql, n, st, tail);
}

int
__wrap_sqlite3_step(sqlite3_stmt *st)
{
	return refuse() ? fail_rc : __real_sqlite3_step(st);
}

int
__wrap_sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
    void *arg, char **err)
{
	if (g_ascii_strncasecmp(sql, "ROLLBACK", 8) != 0 && refuse())
		return fail_rc;
	return __real_sqlite3_exec(db, sql, cb, arg, err);
}

static void
arm(unsigned long n)
{
	count = 0;
	fail_at = n;
	failed = false;
	armed = true;
}

static void
disarm(void)
{
	armed = false;
}

/* --- The wallet --- */

static int
secret_cb(void *user, const char *purpose, char *buf, size_t cap)
{
	(void)user;
	(void)purpose;
	if (sizeof(PASSPHRASE) > cap)
		return -1;
	memcpy(buf, PASSPHRASE, sizeof(PASSPHRASE));
	return 0;
}

/* The template wallet: two keys, a credential on each, a log entry and a
 * setting; a third credential (on key 1) is ready to import. */
typedef struct world {
	char *dir, *template_path, *path;
	gchar *template_bytes;
	gsize template_len;
	int64_t key1, key2, cred1, cred2;
	uint8_t *cred3;
	size_t cred3_len;
} world_t;

static world_t world;

static uint8_t *
credential_for(const uint8_t *cose, size_t cose_len, int64_t offset, size_t *ret_len)
{
	int64_t now = tsr_clock_now();
	uint8_t *cred = NULL;

	g_assert_cmpint(tsr_test_credential_build_cose(g_getenv("TSR_TEST_DATA"), cose, cose_len,
	    now - DAY + offset, now - DAY + offset, now + 365 * DAY, &cred, ret_len), ==,
	    TSR_OK);
	return cred;
}

static void
log_entry(tsr_store_log_entry_t *e)
{
	static const tsr_store_item_t items[] = {
		{ "org.iso.18013.5.1", "family_name" },
		{ "org.iso.18013.5.1", "expiry_date" },
	};

	memset(e, 0, sizeof(*e));
	e->reader = "reader";
	e->reader_trust = TSR_READER_TRUSTED;
	e->doc_type = "org.iso.18013.5.1.mDL";
	e->credential_id = world.cred1;
	e->requested = items;
	e->n_requested = 2;
	e->shared = items;
	e->n_shared = 1;
	e->outcome = TSR_PRESENTATION_SHARED;
}

static void
world_set_up(void)
{
	tsr_sa_config_t config = { 0 };
	tsr_store_t *store = NULL;
	tsr_store_log_entry_t e;
	uint8_t *cose = NULL, *cred;
	size_t cose_len = 0, len = 0;
	g_autofree char *wal = NULL;

	world.dir = g_dir_make_tmp("tsr-faults-XXXXXX", NULL);
	g_assert_nonnull(world.dir);
	world.template_path = g_build_filename(world.dir, "template.db", NULL);
	world.path = g_build_filename(world.dir, "wallet.db", NULL);
	config.kind = TSR_SA_SOFTWARE;
	config.secret = secret_cb;
	g_assert_cmpint(tsr_store_create(world.template_path, &config, &store), ==, TSR_OK);

	g_assert_cmpint(tsr_store_create_key(store, NULL, &world.key1, &cose, &cose_len), ==,
	    TSR_OK);
	cred = credential_for(cose, cose_len, 0, &len);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, &world.cred1, NULL), ==, TSR_OK);
	g_free(cred);
	world.cred3 = credential_for(cose, cose_len, 60, &world.cred3_len);
	tsr_free(cose);

	g_assert_cmpint(tsr_store_create_key(store, NULL, &world.key2, &cose, &cose_len), ==,
	    TSR_OK);
	cred = credential_for(cose, cose_len, 0, &len);
	g_assert_cmpint(tsr_store_import(store, cred, len, NULL, &world.cred2, NULL), ==, TSR_OK);
	g_free(cred);
	tsr_free(cose);

	log_entry(&e);
	g_assert_cmpint(tsr_store_log_append(store, &e, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_setting_set(store, "theme", "dark"), ==, TSR_OK);
	tsr_store_free(store);
	/* The last connection's close folded the WAL into the file. */
	wal = g_strconcat(world.template_path, "-wal", NULL);
	g_assert_false(g_file_test(wal, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_get_contents(world.template_path, &world.template_bytes,
	    &world.template_len, NULL));
}

static void
world_tear_down(void)
{
	tsr_test_rmrf(world.dir);
	g_free(world.dir);
	g_free(world.template_path);
	g_free(world.path);
	g_free(world.template_bytes);
	g_free(world.cred3);
}

/* A fresh copy of the template at world.path. */
static void
reset_wallet(void)
{
	static const char *const suffixes[] = { "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		g_autofree char *p = g_strconcat(world.path, suffixes[i], NULL);

		(void)unlink(p);
	}
	g_assert_true(g_file_set_contents(world.path, world.template_bytes,
	    (gssize)world.template_len, NULL));
}

static tsr_store_t *
open_unlocked(void)
{
	tsr_store_options_t options = { 0 };
	tsr_store_t *store = NULL;

	options.secret = secret_cb;
	g_assert_cmpint(tsr_store_open(world.path, &options, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	return store;
}

/* --- Looking at the file (always disarmed) --- */

/* Every row of every table, in order, with every column's bytes. */
static char *
dump(const char *path)
{
	GString *out = g_string_new(NULL);
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL;

	g_assert_false(armed);
	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
	    " ORDER BY name", -1, &tables, NULL), ==, SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		g_autofree char *sql = g_strdup_printf("SELECT * FROM \"%s\" ORDER BY 1", name);
		sqlite3_stmt *st = NULL;

		g_string_append_printf(out, "[%s]\n", name);
		g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const uint8_t *b = sqlite3_column_blob(st, c);
				int n = sqlite3_column_bytes(st, c);

				g_string_append_printf(out, "%d:", sqlite3_column_type(st, c));
				for (int i = 0; i < n; i++)
					g_string_append_printf(out, "%02x", b[i]);
				g_string_append_c(out, '|');
			}
			g_string_append_c(out, '\n');
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return g_string_free(out, FALSE);
}

/* Row counts per table: what a successful run must leave. */
static char *
counts(const char *path)
{
	GString *out = g_string_new(NULL);
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL;

	g_assert_false(armed);
	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
	    " AND name != 'sqlite_sequence' ORDER BY name", -1, &tables, NULL), ==, SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM \"%s\"", name);
		sqlite3_stmt *st = NULL;

		g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
		g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
		g_string_append_printf(out, "%s=%lld ", name, sqlite3_column_int64(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return g_string_free(out, FALSE);
}

static void
assert_integrity(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), ==,
	    SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	g_assert_cmpstr((const char *)sqlite3_column_text(st, 0), ==, "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The open store after the operation: no transaction left open (a write
 * works), and every key it still records signs. */
static void
assert_store_usable(tsr_store_t *store)
{
	static const uint8_t msg[] = "still usable";
	const int64_t keys[] = { world.key1, world.key2 };
	tsr_secure_area_t *sa = NULL;

	g_assert_cmpint(tsr_store_setting_set(store, "after", "yes"), ==, TSR_OK);
	g_assert_cmpint(tsr_store_secure_area(store, &sa), ==, TSR_OK);
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		uint8_t *ref = NULL, sig[64];
		size_t ref_len = 0;
		int r = tsr_store_key_get(store, keys[i], &ref, &ref_len, NULL, NULL);

		if (r == TSR_ERR_NOT_FOUND)
			continue;
		g_assert_cmpint(r, ==, TSR_OK);
		g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig),
		    ==, TSR_OK);
		tsr_free(ref);
	}
}

/* --- The operations --- */

typedef struct op {
	const char *name;
	bool needs_store; /* run on an open, unlocked store; else opens itself */
	int (*run)(tsr_store_t *store);
} op_t;

static int
op_open_unlock(tsr_store_t *unused)
{
	tsr_store_options_t options = { 0 };
	tsr_store_t *store = NULL;
	int r;

	(void)unused;
	options.secret = secret_cb;
	if ((r = tsr_store_open(world.path, &options, &store)) == TSR_OK)
		r = tsr_store_unlock(store);
	tsr_store_free(store);
	return r;
}

static int
op_import(tsr_store_t *store)
{
	int64_t id = 0;
	uint32_t reasons = 0;

	return tsr_store_import(store, world.cred3, world.cred3_len, NULL, &id, &reasons);
}

static int
op_delete(tsr_store_t *store)
{
	bool key_deleted = false;

	return tsr_store_delete(store, world.cred2, &key_deleted);
}

static int
op_log_append(tsr_store_t *store)
{
	tsr_store_log_entry_t e;

	log_entry(&e);
	return tsr_store_log_append(store, &e, NULL);
}

static int
op_create_key(tsr_store_t *store)
{
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	int64_t id = 0;
	int r = tsr_store_create_key(store, NULL, &id, &cose, &cose_len);

	tsr_free(cose);
	return r;
}

static int
op_setting(tsr_store_t *store)
{
	return tsr_store_setting_set(store, "theme", "light");
}

static int
op_log_list(tsr_store_t *store)
{
	tsr_store_log_t *log = NULL;
	int r = tsr_store_log_list(store, &log);

	tsr_store_log_free(log);
	return r;
}

static int
op_list(tsr_store_t *store)
{
	tsr_store_list_t *list = NULL;
	int r = tsr_store_list(store, &list);

	tsr_store_list_free(list);
	return r;
}

static const op_t ops[] = {
	{ "open+unlock", false, op_open_unlock },
	{ "import", true, op_import },
	{ "delete (credential and its key)", true, op_delete },
	{ "log append", true, op_log_append },
	{ "create key", true, op_create_key },
	{ "setting", true, op_setting },
	{ "log list", true, op_log_list },
	{ "list", true, op_list },
};

static const struct {
	const char *name;
	int rc;
} codes[] = {
	{ "SQLITE_IOERR_WRITE", SQLITE_IOERR_WRITE },
	{ "SQLITE_FULL", SQLITE_FULL },
	{ "SQLITE_BUSY", SQLITE_BUSY },
};

static unsigned long total_cases;

static void
test_sweep(gconstpointer data)
{
	const op_t *op = data;
	g_autofree char *before = NULL, *success_counts = NULL;
	unsigned long calls, n, errors = 0, ok_anyway = 0;
	tsr_store_t *store = NULL;
	int r;

	/* The unfailed run: how many calls, and what success leaves. */
	reset_wallet();
	before = dump(world.path);
	store = op->needs_store ? open_unlocked() : NULL;
	arm(0);
	r = op->run(store);
	calls = count;
	disarm();
	g_assert_cmpint(r, ==, TSR_OK);
	tsr_store_free(store);
	success_counts = counts(world.path);
	g_assert_cmpuint(calls, >, 0);

	for (size_t c = 0; c < G_N_ELEMENTS(codes); c++) {
		fail_rc = codes[c].rc;
		for (n = 1; n <= calls; n++) {
			g_autofree char *after = NULL, *after_counts = NULL;

			reset_wallet();
			store = op->needs_store ? open_unlocked() : NULL;
			arm(n);
			r = op->run(store);
			disarm();
			g_assert_true(failed);
			total_cases++;
			if (r == TSR_OK) {
				/* The failed call was one the operation can do without. */
				ok_anyway++;
			} else {
				g_assert_cmpint(r, <, 0);
				g_assert_cmpstr(tsr_strerror(r), !=, NULL);
				errors++;
			}
			if (store != NULL) {
				/* What this connection sees, before the check's own. */
				tsr_store_free(store);
				store = NULL;
			}
			assert_integrity(world.path);
			if (r == TSR_OK) {
				after_counts = counts(world.path);
				g_assert_cmpstr(after_counts, ==, success_counts);
			} else {
				after = dump(world.path);
				if (g_strcmp0(after, before) != 0)
					g_test_message("%s, call %lu failing with %s: the store changed",
					    op->name, n, codes[c].name);
				g_assert_cmpstr(after, ==, before);
			}
			/* The store opens and works after the failure. */
			store = open_unlocked();
			assert_store_usable(store);
			tsr_store_free(store);
			store = NULL;
		}
	}
	g_test_message("%s: %lu SQLite calls, each failed with %zu codes: %lu errors, %lu "
	    "successes without the failed call; store unchanged after every error",
	    op->name, calls, G_N_ELEMENTS(codes), errors, ok_anyway);
}

/* The same failures while the operation's store stays open: the
 * connection itself must come out clean (no transaction left open, keys
 * still usable in the same secure area). */
static void
test_same_connection(gconstpointer data)
{
	const op_t *op = data;
	unsigned long calls, n;
	tsr_store_t *store;
	int r;

	reset_wallet();
	store = open_unlocked();
	arm(0);
	r = op->run(store);
	calls = count;
	disarm();
	g_assert_cmpint(r, ==, TSR_OK);
	tsr_store_free(store);
	for (n = 1; n <= calls; n++) {
		reset_wallet();
		store = open_unlocked();
		arm(n);
		(void)op->run(store);
		disarm();
		total_cases++;
		assert_store_usable(store);
		tsr_store_free(store);
	}
}

int
main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	g_setenv("TESSERA_PBKDF2_ITERATIONS", "1000", TRUE);
	world_set_up();
	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
		g_autofree char *name = g_strdelimit(g_strdup(ops[i].name), " ()+", '_');
		g_autofree char *path = g_strdup_printf("/store-faults/sweep/%s", name);

		g_test_add_data_func(path, &ops[i], test_sweep);
		if (ops[i].needs_store) {
			g_autofree char *path2 = g_strdup_printf("/store-faults/same-connection/%s",
			    name);

			g_test_add_data_func(path2, &ops[i], test_same_connection);
		}
	}
	r = g_test_run();
	g_test_message("%lu failure cases in all", total_cases);
	world_tear_down();
	return r;
}
