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
 * - crash nowhere and leak nothing (LeakSanitizer in the sanitizer tree);
 * - leave no key in the secure area that the store does not record: on the
 *   PKCS#11 token (SoftHSM) every key object is named by a keys row, or by
 *   a pending_keys row that the next unlock by another process removes
 *   together with its key; the TPM (swtpm, no resource manager, so nothing
 *   would flush what a failed operation left loaded) holds no transient
 *   object or session once the store is closed, and no persistent object
 *   the wallet made.
 *
 * The whole sweep runs on three wallets: software secure area, SoftHSM and
 * swtpm. Between cases the token's files are copied back with the database,
 * so that every case starts from the same keys.
 *
 * "ROLLBACK" itself is never failed: SQLite ends the transaction even when
 * a rollback reports an error, which a wrapper that skips the call would
 * not imitate. The sqlite3_bind_* and sqlite3_column_* calls are not failed
 * either: the store binds with SQLITE_STATIC (no allocation).
 */

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include <tessera/store.h>
#include <tessera/tessera.h>

#include "credential-builder.h"
#include "softhsm.h"
#include "swtpm.h"
#include "test-support.h"

#define PASSPHRASE "store faults"
#define KEY_LABEL "tessera-device-key"
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

/* The template wallet: two keys, a credential on each, a log entry and a
 * setting; a third credential (on key 1) is ready to import. */
typedef struct world {
	tsr_sa_kind_t kind;
	const char *secret;
	tsr_test_softhsm_t *hsm;
	GHashTable *token_template; /* the token's files, PKCS#11 */
	tsr_test_swtpm_t *tpm;
	unsigned tpm_persistent;    /* the EKs swtpm_setup made */
	pid_t dead_pid;             /* a process that has exited */
	char *dir, *template_path, *path;
	gchar *template_bytes;
	gsize template_len;
	/* PKCS#11: the template with a key left pending (see world_set_up()). */
	gchar *pending_bytes;
	gsize pending_len;
	GHashTable *token_pending;
	bool use_pending;
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

static pid_t
exited_pid(void)
{
	int status = 0;
	pid_t pid = fork();

	g_assert_cmpint(pid, >=, 0);
	if (pid == 0)
		_exit(0);
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	return pid;
}

static void reset_wallet(void);
static tsr_store_t *open_unlocked(void);
static void exec_sql(const char *sql);

/* The template again, with a third key whose creation was cut short between
 * steps 2 and 3 (store.c): the key is on the token, a pending row names it,
 * and the process that made it is gone. The next unlock must destroy it. */
static void
pending_template(void)
{
	tsr_store_t *store;
	g_autofree char *sql = NULL, *wal = NULL;
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	int64_t id = 0;

	reset_wallet();
	store = open_unlocked();
	g_assert_cmpint(tsr_store_create_key(store, NULL, &id, &cose, &cose_len), ==, TSR_OK);
	tsr_free(cose);
	tsr_store_free(store);
	sql = g_strdup_printf("INSERT INTO pending_keys (sa_kind, ref, pid, created)"
	    " SELECT sa_kind, ref, %d, created FROM keys WHERE id = %" G_GINT64_FORMAT ";"
	    " DELETE FROM keys WHERE id = %" G_GINT64_FORMAT ";", (int)world.dead_pid, id, id);
	exec_sql(sql);
	wal = g_strconcat(world.path, "-wal", NULL);
	g_assert_false(g_file_test(wal, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_get_contents(world.path, &world.pending_bytes, &world.pending_len,
	    NULL));
	world.token_pending = tsr_test_softhsm_snapshot(world.hsm);
}

/* How a wallet on the world's secure area is created. */
static void
world_config(tsr_sa_config_t *config)
{
	memset(config, 0, sizeof(*config));
	config->kind = world.kind;
	config->secret = tsr_test_secret_cb;
	config->secret_user = (void *)(uintptr_t)world.secret;
	if (world.kind == TSR_SA_PKCS11) {
		config->pkcs11_module = tsr_test_softhsm_module();
		config->pkcs11_token_label = TSR_TEST_SOFTHSM_LABEL;
	} else if (world.kind == TSR_SA_TPM2) {
		config->tpm_tcti = tsr_test_swtpm_tcti(world.tpm);
	}
}

static void
world_set_up(tsr_sa_kind_t kind)
{
	tsr_sa_config_t config;
	tsr_store_t *store = NULL;
	tsr_store_log_entry_t e;
	uint8_t *cose = NULL, *cred;
	size_t cose_len = 0, len = 0;
	g_autofree char *wal = NULL;

	memset(&world, 0, sizeof(world));
	world.kind = kind;
	world.secret = kind == TSR_SA_PKCS11 ? TSR_TEST_SOFTHSM_PIN : PASSPHRASE;
	world.dead_pid = exited_pid();
	world.dir = g_dir_make_tmp("tsr-faults-XXXXXX", NULL);
	g_assert_nonnull(world.dir);
	world.template_path = g_build_filename(world.dir, "template.db", NULL);
	world.path = g_build_filename(world.dir, "wallet.db", NULL);
	if (kind == TSR_SA_PKCS11) {
		world.hsm = tsr_test_softhsm_new();
	} else if (kind == TSR_SA_TPM2) {
		unsigned loaded = 0;

		world.tpm = tsr_test_swtpm_new(NULL);
		tsr_test_swtpm_handles(tsr_test_swtpm_tcti(world.tpm), FALSE,
		    &world.tpm_persistent, &loaded);
		g_assert_cmpuint(loaded, ==, 0);
	}
	world_config(&config);
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
	/* The store closed the module (C_Finalize): the files are complete. */
	if (kind == TSR_SA_PKCS11) {
		world.token_template = tsr_test_softhsm_snapshot(world.hsm);
		pending_template();
	}
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
	if (world.token_template != NULL)
		g_hash_table_unref(world.token_template);
	if (world.token_pending != NULL)
		g_hash_table_unref(world.token_pending);
	g_free(world.pending_bytes);
	tsr_test_softhsm_free(world.hsm);
	tsr_test_swtpm_free(world.tpm);
	memset(&world, 0, sizeof(world));
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
	if (world.use_pending) {
		g_assert_true(g_file_set_contents(world.path, world.pending_bytes,
		    (gssize)world.pending_len, NULL));
		tsr_test_softhsm_restore(world.hsm, world.token_pending);
		return;
	}
	g_assert_true(g_file_set_contents(world.path, world.template_bytes,
	    (gssize)world.template_len, NULL));
	if (world.token_template != NULL)
		tsr_test_softhsm_restore(world.hsm, world.token_template);
}

static tsr_store_t *
open_unlocked(void)
{
	tsr_store_options_t options = { 0 };
	tsr_store_t *store = NULL;

	options.secret = tsr_test_secret_cb;
	options.secret_user = (void *)(uintptr_t)world.secret;
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
		/* A pending key row written and removed again (a token key made
		 * and destroyed when the step after it failed) leaves only its
		 * number used up. */
		g_autofree char *sql = strcmp(name, "sqlite_sequence") == 0 ?
		    g_strdup("SELECT * FROM sqlite_sequence WHERE name != 'pending_keys' ORDER BY 1") :
		    g_strdup_printf("SELECT * FROM \"%s\" ORDER BY 1", name);
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

/* The refs of a table's rows (keys or pending_keys), as hex strings. */
static GHashTable *
refs(const char *table)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *sql = g_strdup_printf("SELECT lower(hex(ref)) FROM %s", table);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	g_assert_false(armed);
	g_assert_cmpint(sqlite3_open_v2(world.path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
	    SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_hash_table_add(set, g_strdup((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return set;
}

static void
exec_sql(const char *sql)
{
	sqlite3 *db = NULL;

	g_assert_false(armed);
	g_assert_cmpint(sqlite3_open_v2(world.path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
	    SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
}

/* The token's key objects are exactly the keys rows: a private and a
 * public object for each, nothing else. */
static void
assert_token_matches_rows(void)
{
	unsigned objects = 0;
	g_autoptr(GHashTable) token = tsr_test_softhsm_ids(KEY_LABEL, &objects);
	g_autoptr(GHashTable) rows = refs("keys");
	GHashTableIter it;
	gpointer key;

	g_assert_cmpuint(g_hash_table_size(token), ==, g_hash_table_size(rows));
	g_assert_cmpuint(objects, ==, 2 * g_hash_table_size(rows));
	g_hash_table_iter_init(&it, rows);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_assert_true(g_hash_table_contains(token, key));
}

/*
 * With no store open: the secure area holds no key the store does not
 * record. A token key without a keys row must be named by a pending row;
 * the pending rows a failure left are then handed over as the end of the
 * failing process would (the pid of one that has exited: the clean-up
 * leaves alone the rows of a live process, this one included) and the next
 * unlock must destroy their keys and forget them. Returns whether there
 * were any.
 */
static bool
assert_secure_area_clean(void)
{
	g_autoptr(GHashTable) token = NULL, rows = NULL, pending = NULL;
	g_autofree char *sql = NULL;
	unsigned objects = 0;
	GHashTableIter it;
	gpointer key;
	tsr_store_t *store;

	if (world.kind == TSR_SA_TPM2) {
		unsigned persistent = 0, loaded = 0;

		tsr_test_swtpm_handles(tsr_test_swtpm_tcti(world.tpm), FALSE, &persistent,
		    &loaded);
		g_assert_cmpuint(loaded, ==, 0);
		g_assert_cmpuint(persistent, ==, world.tpm_persistent);
		return false;
	}
	if (world.kind != TSR_SA_PKCS11)
		return false;
	token = tsr_test_softhsm_ids(KEY_LABEL, &objects);
	rows = refs("keys");
	pending = refs("pending_keys");
	g_hash_table_iter_init(&it, token);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_assert_true(g_hash_table_contains(rows, key) ||
		    g_hash_table_contains(pending, key));
	/* No recorded key was lost. */
	g_hash_table_iter_init(&it, rows);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_assert_true(g_hash_table_contains(token, key));
	if (g_hash_table_size(pending) == 0) {
		assert_token_matches_rows();
		return false;
	}
	sql = g_strdup_printf("UPDATE pending_keys SET pid = %d", (int)world.dead_pid);
	exec_sql(sql);
	store = open_unlocked();
	tsr_store_free(store);
	g_hash_table_unref(pending);
	pending = refs("pending_keys");
	g_assert_cmpuint(g_hash_table_size(pending), ==, 0);
	assert_token_matches_rows();
	return true;
}

/* --- The operations --- */

typedef struct op {
	const char *name;
	bool needs_store; /* run on an open, unlocked store; else opens itself */
	int (*run)(tsr_store_t *store);
	bool pending;     /* on the template with a key left pending (PKCS#11) */
} op_t;

static int
op_open_unlock(tsr_store_t *unused)
{
	tsr_store_options_t options = { 0 };
	tsr_store_t *store = NULL;
	int r;

	(void)unused;
	options.secret = tsr_test_secret_cb;
	options.secret_user = (void *)(uintptr_t)world.secret;
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
	{ "open+unlock", false, op_open_unlock, false },
	{ "import", true, op_import, false },
	{ "delete (credential and its key)", true, op_delete, false },
	{ "log append", true, op_log_append, false },
	{ "create key", true, op_create_key, false },
	{ "setting", true, op_setting, false },
	{ "log list", true, op_log_list, false },
	{ "list", true, op_list, false },
	/* The recovery itself under I/O errors: a failed clean-up must leave
	 * the row (and so the key's name) for the next unlock. */
	{ "open+unlock with a key left pending", false, op_open_unlock, true },
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

static const char *
kind_name(tsr_sa_kind_t kind)
{
	return kind == TSR_SA_PKCS11 ? "pkcs11" : kind == TSR_SA_TPM2 ? "tpm2" : "software";
}

/* One operation on one kind of wallet. */
typedef struct sweep_case {
	tsr_sa_kind_t kind;
	const op_t *op;
} sweep_case_t;

/* The wallet of the case's kind (made once, for that kind's cases in a
 * row); false when it cannot be made here. */
static bool
world_for(tsr_sa_kind_t kind)
{
	if (kind == TSR_SA_TPM2 && !tsr_test_swtpm_available()) {
		g_test_skip("swtpm is not installed");
		return false;
	}
	if (world.dir != NULL && world.kind == kind)
		return true;
	if (world.dir != NULL)
		world_tear_down();
	world_set_up(kind);
	return true;
}

static void
test_sweep(gconstpointer data)
{
	const sweep_case_t *sc = data;
	const op_t *op = sc->op;
	g_autofree char *before = NULL, *success_counts = NULL;
	unsigned long calls, n, errors = 0, ok_anyway = 0, recovered = 0;
	tsr_store_t *store = NULL;
	int r;

	if (!world_for(sc->kind))
		return;
	world.use_pending = op->pending;

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
	g_assert_false(assert_secure_area_clean());
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
			if (r != TSR_OK) {
				after = dump(world.path);
				if (g_strcmp0(after, before) != 0)
					g_test_message("%s, call %lu failing with %s: the store changed",
					    op->name, n, codes[c].name);
				g_assert_cmpstr(after, ==, before);
			}
			if (assert_secure_area_clean()) {
				g_test_message("%s (%s), call %lu failing with %s: pending key rows "
				    "left, removed by the next unlock", op->name,
				    kind_name(sc->kind), n, codes[c].name);
				recovered++;
			}
			/* A success is whole once its pending rows are gone. */
			if (r == TSR_OK) {
				after_counts = counts(world.path);
				g_assert_cmpstr(after_counts, ==, success_counts);
			}
			/* The store opens and works after the failure. */
			store = open_unlocked();
			assert_store_usable(store);
			tsr_store_free(store);
			store = NULL;
		}
	}
	g_test_message("%s (%s): %lu SQLite calls, each failed with %zu codes: %lu errors, %lu "
	    "successes without the failed call, %lu left pending key rows (all removed by the "
	    "next unlock); store unchanged after every error", op->name, kind_name(sc->kind),
	    calls, G_N_ELEMENTS(codes), errors, ok_anyway, recovered);
	world.use_pending = false;
}

/* The same failures while the operation's store stays open: the
 * connection itself must come out clean (no transaction left open, keys
 * still usable in the same secure area). */
static void
test_same_connection(gconstpointer data)
{
	const sweep_case_t *sc = data;
	const op_t *op = sc->op;
	unsigned long calls, n;
	tsr_store_t *store;
	int r;

	if (!world_for(sc->kind))
		return;

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
		(void)assert_secure_area_clean();
	}
}

/* The entries of a directory (0 when it does not exist). */
static unsigned
count_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

/* Creation under the same failures: it fails whole, leaving no file at
 * the wallet's path and no draft beside it (store/file.c), and the path
 * takes a wallet afterwards. */
static void
test_create(gconstpointer data)
{
	tsr_sa_kind_t kind = (tsr_sa_kind_t)GPOINTER_TO_INT(data);
	g_autofree char *dir = NULL, *path = NULL;
	tsr_sa_config_t config;
	tsr_store_t *store = NULL;
	unsigned long calls, n, cases = 0;
	int r;

	if (!world_for(kind))
		return;
	world_config(&config);
	dir = g_build_filename(world.dir, "create", NULL);
	path = g_build_filename(dir, "wallet.db", NULL);
	arm(0);
	g_assert_cmpint(tsr_store_create(path, &config, &store), ==, TSR_OK);
	calls = count;
	disarm();
	tsr_store_free(store);
	store = NULL;
	tsr_test_rmrf(dir);
	for (n = 1; n <= calls; n++) {
		for (size_t c = 0; c < G_N_ELEMENTS(codes); c++) {
			fail_rc = codes[c].rc;
			arm(n);
			r = tsr_store_create(path, &config, &store);
			disarm();
			g_assert_true(failed);
			g_assert_cmpint(r, <, 0);
			g_assert_null(store);
			g_assert_cmpuint(count_entries(dir), ==, 0);
			cases++;
		}
	}
	fail_rc = SQLITE_IOERR_WRITE;
	total_cases += cases;
	g_assert_cmpint(tsr_store_create(path, &config, &store), ==, TSR_OK);
	tsr_store_free(store);
	if (kind == TSR_SA_TPM2) {
		unsigned persistent = 0, loaded = 0;

		tsr_test_swtpm_handles(tsr_test_swtpm_tcti(world.tpm), FALSE, &persistent, &loaded);
		g_assert_cmpuint(loaded, ==, 0);
		g_assert_cmpuint(persistent, ==, world.tpm_persistent);
	}
	tsr_test_rmrf(dir);
	g_test_message("create (%s): %lu SQLite calls, each failed with %zu codes: %lu errors, "
	    "no file and no draft left after any", kind_name(kind), calls, G_N_ELEMENTS(codes),
	    cases);
}

int
main(int argc, char **argv)
{
	int r;

	static const tsr_sa_kind_t kinds[] = { TSR_SA_SOFTWARE, TSR_SA_PKCS11, TSR_SA_TPM2 };
	static sweep_case_t cases[G_N_ELEMENTS(kinds) * G_N_ELEMENTS(ops)];
	size_t n_cases = 0;

	g_test_init(&argc, &argv, NULL);
	g_setenv("TESSERA_PBKDF2_ITERATIONS", "1000", TRUE);
	/* The TSS prints every failing TPM command; none is expected here. */
	g_setenv("TSS2_LOG", "all+none", TRUE);
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
		for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
			g_autofree char *name = g_strdelimit(g_strdup(ops[i].name), " ()+", '_');
			g_autofree char *path = g_strdup_printf("/store-faults/%s/sweep/%s",
			    kind_name(kinds[k]), name);
			sweep_case_t *sc;

			if (ops[i].pending && kinds[k] != TSR_SA_PKCS11)
				continue; /* only token keys are ever pending */
			sc = &cases[n_cases++];
			sc->kind = kinds[k];
			sc->op = &ops[i];
			g_test_add_data_func(path, sc, test_sweep);
			if (ops[i].needs_store) {
				g_autofree char *path2 = g_strdup_printf(
				    "/store-faults/%s/same-connection/%s", kind_name(kinds[k]), name);

				g_test_add_data_func(path2, sc, test_same_connection);
			}
		}
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
		g_autofree char *path = g_strdup_printf("/store-faults/%s/create",
		    kind_name(kinds[k]));

		g_test_add_data_func(path, GINT_TO_POINTER(kinds[k]), test_create);
	}
	r = g_test_run();
	g_test_message("%lu failure cases in all", total_cases);
	if (world.dir != NULL)
		world_tear_down();
	return r;
}
