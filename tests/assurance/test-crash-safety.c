/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Crash safety of the wallet store (issue #10): a child process writes in a
 * loop (presentation log entries, or device keys on each secure area) and
 * is killed with SIGKILL at a random moment, many times over. After every
 * kill the test checks, from the parent:
 *
 * - `PRAGMA integrity_check` and `PRAGMA foreign_key_check` are clean;
 * - the store opens and unlocks;
 * - nothing the child was told had committed is missing (durability);
 * - log entries: every entry decrypts and is complete (its fields agree
 *   with each other), the listing has exactly the rows of the table;
 * - keys (creation; and on the token, create-import-delete rounds, where
 *   the delete is what gets killed as often as the creation): every
 *   recorded key signs through its secure area; no key is left
 *   on the PKCS#11 token that the store does not record once the store has
 *   been unlocked (the store's pending-key clean-up, store.c), and the TPM
 *   holds no persistent object the wallet made;
 * - wallet creation, on each secure area: a wallet is at its path whole
 *   (it opens and unlocks) or not at all, never a file that is neither,
 *   and the next creation at that path succeeds and removes the draft the
 *   killed one left (store/file.c); the PKCS#11 token keeps one data key;
 * - a TPM used without a resource manager (swtpm here, like /dev/tpm0):
 *   a child signing in a loop is killed, and the transient objects and
 *   sessions it leaves loaded are not flushed by the test; the next open
 *   must still unlock and sign, and leave nothing loaded once closed.
 *
 * The child tells the parent when it is about to start writing (one byte)
 * and the id of each committed row (8 bytes); the kill comes a random
 * number of microseconds after the first byte, up to the time a child
 * takes for its first four commits (measured first, on a child that is
 * then killed like the others). The
 * number of kills per case is TSR_CRASH_KILLS (default 300 for the log, 100
 * for each secure area's key and wallet creation), and a case stops early after
 * TSR_CRASH_SECONDS (default 25) seconds. The random
 * delays come from GTest's seeded generator (--seed to replay a run).
 */

#include <errno.h>
#include <signal.h>
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

#define PASSPHRASE "crash safety"
#define LOG_BASE_TIME 1700000000
#define KEY_LABEL "tessera-device-key"
#define DATA_KEY_LABEL "tessera-data-key"

/* --- The wallet --- */

typedef struct wallet {
	char *dir;
	char *path;
	tsr_sa_kind_t kind;
	tsr_test_softhsm_t *hsm;
	tsr_test_swtpm_t *tpm;
	unsigned tpm_persistent; /* persistent objects before the wallet (the EKs) */
} wallet_t;

static const char *
wallet_secret(const wallet_t *w)
{
	return w->kind == TSR_SA_PKCS11 ? TSR_TEST_SOFTHSM_PIN : PASSPHRASE;
}

/* How a wallet on w's secure area is created. */
static void
wallet_config(const wallet_t *w, tsr_sa_config_t *config)
{
	memset(config, 0, sizeof(*config));
	config->kind = w->kind;
	config->secret = tsr_test_secret_cb;
	config->secret_user = (void *)(uintptr_t)wallet_secret(w);
	if (w->kind == TSR_SA_PKCS11) {
		config->pkcs11_module = tsr_test_softhsm_module();
		config->pkcs11_token_label = TSR_TEST_SOFTHSM_LABEL;
	} else if (w->kind == TSR_SA_TPM2) {
		config->tpm_tcti = tsr_test_swtpm_tcti(w->tpm);
	}
}

static void
wallet_init(wallet_t *w, tsr_sa_kind_t kind)
{
	tsr_sa_config_t config;
	tsr_store_t *store = NULL;

	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->dir = g_dir_make_tmp("tsr-crash-XXXXXX", NULL);
	g_assert_nonnull(w->dir);
	w->path = g_build_filename(w->dir, "wallet.db", NULL);
	if (kind == TSR_SA_PKCS11) {
		w->hsm = tsr_test_softhsm_new();
	} else if (kind == TSR_SA_TPM2) {
		unsigned flushed = 0;

		w->tpm = tsr_test_swtpm_new(NULL);
		tsr_test_swtpm_handles(tsr_test_swtpm_tcti(w->tpm), TRUE, &w->tpm_persistent,
		    &flushed);
	}
	wallet_config(w, &config);
	g_assert_cmpint(tsr_store_create(w->path, &config, &store), ==, TSR_OK);
	/* Freeing closes the PKCS#11 module (C_Finalize) before any fork. */
	tsr_store_free(store);
}

static void
wallet_clear(wallet_t *w)
{
	tsr_test_rmrf(w->dir);
	g_free(w->dir);
	g_free(w->path);
	tsr_test_softhsm_free(w->hsm);
	tsr_test_swtpm_free(w->tpm);
}

static tsr_store_t *
wallet_open(const wallet_t *w)
{
	tsr_store_options_t options = { 0 };
	tsr_store_t *store = NULL;

	options.secret = tsr_test_secret_cb;
	options.secret_user = (void *)(uintptr_t)wallet_secret(w);
	g_assert_cmpint(tsr_store_open(w->path, &options, &store), ==, TSR_OK);
	return store;
}

/* --- SQL checks straight on the file --- */

static char *
sql_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *s = NULL;

	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		s = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

static sqlite3 *
db_open(const char *path)
{
	sqlite3 *db = NULL;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
	return db;
}

/* integrity_check is "ok" and foreign_key_check finds nothing. */
static void
assert_db_sound(const char *path)
{
	sqlite3 *db = db_open(path);
	g_autofree char *check = sql_text(db, "PRAGMA integrity_check");
	g_autofree char *fk = sql_text(db, "PRAGMA foreign_key_check");

	g_assert_cmpstr(check, ==, "ok");
	g_assert_null(fk);
	sqlite3_close(db);
}

static int64_t
sql_count(const char *path, const char *sql)
{
	sqlite3 *db = db_open(path);
	g_autofree char *n = sql_text(db, sql);

	sqlite3_close(db);
	return n != NULL ? g_ascii_strtoll(n, NULL, 10) : -1;
}

/* The refs of the keys table (or pending_keys), as hex strings. */
static GHashTable *
sql_refs(const char *path, const char *table)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *sql = g_strdup_printf("SELECT hex(ref) FROM %s", table);
	sqlite3 *db = db_open(path);
	sqlite3_stmt *st = NULL;

	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_hash_table_add(set, g_ascii_strdown((const char *)sqlite3_column_text(st, 0), -1));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return set;
}

/* --- The child and the kill --- */

typedef void (*child_loop_fn)(const wallet_t *w, int fd);

static void
child_report(int fd, int64_t id)
{
	if (write(fd, &id, sizeof(id)) != (ssize_t)sizeof(id))
		_exit(3);
}

/* Starts loop in a child; returns the read end of its pipe. */
static pid_t
child_start(const wallet_t *w, child_loop_fn loop, int *ret_fd)
{
	int p[2];
	char ready;
	pid_t pid;

	g_assert_cmpint(pipe(p), ==, 0);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		close(p[0]);
		loop(w, p[1]); /* never returns: writes until killed */
		_exit(2);
	}
	close(p[1]);
	/* The child is writing from this byte on. */
	g_assert_cmpint(read(p[0], &ready, 1), ==, 1);
	g_assert_cmpint(ready, ==, 'R');
	*ret_fd = p[0];
	return pid;
}

/* Kills the child and returns the ids it reported as committed. */
static GArray *
child_kill(pid_t pid, int fd)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int status = 0;
	int64_t id;
	ssize_t n;

	g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	/* Anything else means the child failed on its own. */
	g_assert_true(WIFSIGNALED(status));
	g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
	while ((n = read(fd, &id, sizeof(id))) == (ssize_t)sizeof(id))
		g_array_append_val(ids, id);
	g_assert_cmpint(n, ==, 0);
	close(fd);
	return ids;
}

/* Runs loop in a child and kills it delay_us after it said it is writing. */
static GArray *
run_and_kill(const wallet_t *w, child_loop_fn loop, unsigned delay_us)
{
	int fd = -1;
	pid_t pid = child_start(w, loop, &fd);

	/* The random moment itself, not a wait for anything. */
	g_usleep(delay_us);
	return child_kill(pid, fd);
}

/* When to kill: within the time a child takes from its first byte to its
 * fourth commit (the first write is often the slowest). The child measured
 * is then killed like the others: *ret_ids are the ids it reported. */
static unsigned
calibrate(const wallet_t *w, child_loop_fn loop, GArray **ret_ids)
{
	int fd = -1;
	pid_t pid = child_start(w, loop, &fd);
	gint64 start = g_get_monotonic_time(), elapsed;
	GArray *ids;
	int64_t id[4];

	for (int i = 0; i < 4; i++)
		g_assert_cmpint(read(fd, &id[i], sizeof(id[i])), ==, (ssize_t)sizeof(id[i]));
	elapsed = g_get_monotonic_time() - start;
	ids = child_kill(pid, fd);
	g_array_prepend_vals(ids, id, 4);
	*ret_ids = ids;
	return (unsigned)elapsed;
}

static unsigned
env_uint(const char *name, unsigned def)
{
	const char *s = g_getenv(name);

	return s != NULL && *s != '\0' ? (unsigned)g_ascii_strtoull(s, NULL, 10) : def;
}

/* Kill loop: calls check after each kill; returns the number of kills. */
typedef void (*after_kill_fn)(const wallet_t *w, GArray *ids, void *acc);

static unsigned
kill_many(const wallet_t *w, child_loop_fn loop, unsigned default_kills, after_kill_fn check,
    void *acc, gint64 *ret_elapsed_us)
{
	unsigned kills = env_uint("TSR_CRASH_KILLS", default_kills);
	unsigned seconds = env_uint("TSR_CRASH_SECONDS", 25), done = 0;
	gint64 start = g_get_monotonic_time();
	GArray *first = NULL;
	unsigned max_delay_us = calibrate(w, loop, &first);

	g_test_message("kills come 0..%u us after the child starts writing (its first four "
	    "commits)", max_delay_us);
	check(w, first, acc);
	g_array_unref(first);
	done = 1;

	for (; done < kills; done++) {
		GArray *ids;

		if (g_get_monotonic_time() - start > (gint64)seconds * G_USEC_PER_SEC)
			break;
		ids = run_and_kill(w, loop, (unsigned)g_test_rand_int_range(0,
		    (gint32)max_delay_us + 1));
		check(w, ids, acc);
		g_array_unref(ids);
	}
	*ret_elapsed_us = g_get_monotonic_time() - start;
	g_assert_cmpuint(done, >, 0);
	return done;
}

/* --- Presentation log --- */

/* Entry k (1..24) has k requested and k shared items, time base + k and the
 * reader "reader-k": a half-written entry could not agree with itself. */
static void
log_child(const wallet_t *w, int fd)
{
	tsr_store_t *store = wallet_open(w);
	tsr_store_item_t items[24];
	char ids[24][16];

	if (tsr_store_unlock(store) != TSR_OK)
		_exit(4);
	for (int i = 0; i < 24; i++) {
		g_snprintf(ids[i], sizeof(ids[i]), "element-%d", i);
		items[i].name_space = "org.iso.18013.5.1";
		items[i].identifier = ids[i];
	}
	if (write(fd, "R", 1) != 1)
		_exit(3);
	for (unsigned n = 0;; n++) {
		tsr_store_log_entry_t e = { 0 };
		char reader[32];
		int64_t id = 0;
		int k = (int)(n % 24) + 1;

		g_snprintf(reader, sizeof(reader), "reader-%d", k);
		e.time = LOG_BASE_TIME + k;
		e.reader = reader;
		e.reader_trust = TSR_READER_TRUSTED;
		e.doc_type = "org.iso.18013.5.1.mDL";
		e.credential_id = k;
		e.requested = items;
		e.n_requested = (size_t)k;
		e.shared = items;
		e.n_shared = (size_t)k;
		e.outcome = TSR_PRESENTATION_SHARED;
		if (tsr_store_log_append(store, &e, &id) != TSR_OK)
			_exit(5);
		child_report(fd, id);
	}
}

typedef struct log_acc {
	GHashTable *committed; /* ids the children reported */
	size_t entries;
	unsigned no_new_entry; /* kills during its first append */
} log_acc_t;

static void
log_check(const wallet_t *w, GArray *ids, void *user)
{
	log_acc_t *acc = user;
	tsr_store_t *store;
	tsr_store_log_t *log = NULL;
	g_autoptr(GHashTable) listed = g_hash_table_new(g_int64_hash, g_int64_equal);
	GHashTableIter it;
	gpointer key;

	assert_db_sound(w->path);
	for (guint i = 0; i < ids->len; i++) {
		int64_t *id = g_new(int64_t, 1);

		*id = g_array_index(ids, int64_t, i);
		g_hash_table_add(acc->committed, id);
	}
	if (ids->len == 0)
		acc->no_new_entry++;
	store = wallet_open(w);
	/* Every entry decrypts and decodes, or the listing fails. */
	g_assert_cmpint(tsr_store_log_list(store, &log), ==, TSR_OK);
	g_assert_cmpint((int64_t)tsr_store_log_count(log), ==,
	    sql_count(w->path, "SELECT count(*) FROM presentation_log"));
	for (size_t i = 0; i < tsr_store_log_count(log); i++) {
		const tsr_store_log_entry_t *e = tsr_store_log_get(log, i);
		int64_t k = e->time - LOG_BASE_TIME;
		g_autofree char *reader = g_strdup_printf("reader-%" G_GINT64_FORMAT, k);

		g_assert_cmpint(k, >=, 1);
		g_assert_cmpint(k, <=, 24);
		g_assert_cmpstr(e->reader, ==, reader);
		g_assert_cmpint(e->credential_id, ==, k);
		g_assert_cmpstr(e->doc_type, ==, "org.iso.18013.5.1.mDL");
		g_assert_cmpuint(e->n_requested, ==, (size_t)k);
		g_assert_cmpuint(e->n_shared, ==, (size_t)k);
		for (int64_t j = 0; j < k; j++) {
			g_autofree char *name = g_strdup_printf("element-%" G_GINT64_FORMAT, j);

			g_assert_cmpstr(e->shared[j].identifier, ==, name);
			g_assert_cmpstr(e->requested[j].identifier, ==, name);
		}
		g_assert_cmpint(e->outcome, ==, TSR_PRESENTATION_SHARED);
		g_hash_table_add(listed, (gpointer)(uintptr_t)&e->id);
	}
	/* Durability: what the child saw committed is there. */
	g_hash_table_iter_init(&it, acc->committed);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_assert_true(g_hash_table_contains(listed, key));
	acc->entries = tsr_store_log_count(log);
	tsr_store_log_free(log);
	tsr_store_free(store);
}

static void
test_log_kill(void)
{
	log_acc_t acc = { 0 };
	wallet_t w;
	gint64 us = 0;
	unsigned kills;

	wallet_init(&w, TSR_SA_SOFTWARE);
	acc.committed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	kills = kill_many(&w, log_child, 300, log_check, &acc, &us);
	g_test_message("log: %u kills in %.1f s, %zu entries in the end, %u committed ids "
	    "reported, %u kills during the child's first append; integrity_check ok each time",
	    kills, (double)us / G_USEC_PER_SEC, acc.entries,
	    g_hash_table_size(acc.committed), acc.no_new_entry);
	g_assert_cmpuint(acc.entries, >, 0);
	g_hash_table_unref(acc.committed);
	wallet_clear(&w);
}

/* --- Key creation --- */

static void
key_child(const wallet_t *w, int fd)
{
	tsr_store_t *store = wallet_open(w);

	if (tsr_store_unlock(store) != TSR_OK)
		_exit(4);
	if (write(fd, "R", 1) != 1)
		_exit(3);
	for (;;) {
		int64_t id = 0;

		if (tsr_store_create_key(store, NULL, &id, NULL, NULL) != TSR_OK)
			_exit(5);
		child_report(fd, id);
	}
}

/* Creates a key, imports a credential bound to it and deletes the
 * credential, which deletes the key too (tsr_store_delete()); reports -1
 * after each round. */
static void
delete_child(const wallet_t *w, int fd)
{
	tsr_store_t *store = wallet_open(w);
	int64_t now = tsr_clock_now();

	if (tsr_store_unlock(store) != TSR_OK)
		_exit(4);
	if (write(fd, "R", 1) != 1)
		_exit(3);
	for (;;) {
		uint8_t *cose = NULL, *cred = NULL;
		size_t cose_len = 0, cred_len = 0;
		int64_t key_id = 0, cred_id = 0;
		bool key_deleted = false;

		if (tsr_store_create_key(store, NULL, &key_id, &cose, &cose_len) != TSR_OK ||
		    tsr_test_credential_build_cose(g_getenv("TSR_TEST_DATA"), cose, cose_len,
		    now - 86400, now - 86400, now + 86400, &cred, &cred_len) != TSR_OK ||
		    tsr_store_import(store, cred, cred_len, NULL, &cred_id, NULL) != TSR_OK ||
		    tsr_store_delete(store, cred_id, &key_deleted) != TSR_OK || !key_deleted)
			_exit(5);
		tsr_free(cose);
		free(cred);
		child_report(fd, -1);
	}
}

typedef struct key_acc {
	GHashTable *committed;
	int64_t keys;
	unsigned pending_seen;   /* kills that left a pending row */
	unsigned orphans_before; /* token keys without a row, before unlock */
	unsigned tpm_flushed;    /* transient TPM handles a killed child left */
	unsigned rounds;         /* create, import, delete rounds completed */
} key_acc_t;

static void
key_check(const wallet_t *w, GArray *ids, void *user)
{
	static const uint8_t msg[] = "crash safety";
	key_acc_t *acc = user;
	tsr_store_t *store;
	g_autoptr(GHashTable) rows = NULL, pending = NULL;
	GHashTableIter it;
	gpointer key;
	int64_t n_keys;

	if (w->kind == TSR_SA_TPM2) {
		unsigned persistent = 0, flushed = 0;

		/* The transient objects and sessions that a killed process left
		 * loaded (swtpm is used without a resource manager): counted,
		 * and flushed as /dev/tpmrm0 would, so that this case is about
		 * key creation alone. The library's own clean-up of them
		 * (tpm2.c, flush_stale()) is what tpm2_without_resource_manager
		 * tests. */
		tsr_test_swtpm_handles(tsr_test_swtpm_tcti(w->tpm), TRUE, &persistent, &flushed);
		/* The wallet never makes a key persistent. */
		g_assert_cmpuint(persistent, ==, w->tpm_persistent);
		acc->tpm_flushed += flushed;
	}
	assert_db_sound(w->path);
	for (guint i = 0; i < ids->len; i++) {
		int64_t *id = g_new(int64_t, 1);

		*id = g_array_index(ids, int64_t, i);
		/* Rounds of the delete child, which keeps no key. */
		if (*id <= 0) {
			acc->rounds++;
			g_free(id);
			continue;
		}
		g_hash_table_add(acc->committed, id);
	}
	pending = sql_refs(w->path, "pending_keys");
	if (g_hash_table_size(pending) > 0)
		acc->pending_seen++;
	/* Only token keys can be pending (software and TPM keys need no row). */
	if (w->kind != TSR_SA_PKCS11)
		g_assert_cmpuint(g_hash_table_size(pending), ==, 0);
	if (w->kind == TSR_SA_PKCS11) {
		unsigned objects = 0;
		g_autoptr(GHashTable) before = tsr_test_softhsm_ids(KEY_LABEL, &objects);

		rows = sql_refs(w->path, "keys");
		g_hash_table_iter_init(&it, before);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			if (!g_hash_table_contains(rows, key)) {
				/* Only a key the store wrote down as pending. */
				g_assert_true(g_hash_table_contains(pending, key));
				acc->orphans_before++;
			}
		}
		g_hash_table_unref(rows);
		rows = NULL;
	}

	store = wallet_open(w);
	/* Unlocking cleans up what the killed child left pending. */
	g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
	n_keys = sql_count(w->path, "SELECT count(*) FROM keys");
	g_assert_cmpint(sql_count(w->path, "SELECT count(*) FROM pending_keys"), ==, 0);
	/* Durability, and every recorded key works. */
	g_hash_table_iter_init(&it, acc->committed);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_assert_cmpint(tsr_store_key_get(store, *(int64_t *)key, NULL, NULL, NULL, NULL),
		    ==, TSR_OK);
	{
		/* Signing with the newest key proves the last row is whole. */
		tsr_secure_area_t *sa = NULL;
		uint8_t *ref = NULL, sig[64];
		size_t ref_len = 0;
		int64_t last = sql_count(w->path, "SELECT max(id) FROM keys");

		g_assert_cmpint(tsr_store_secure_area(store, &sa), ==, TSR_OK);
		if (n_keys > 0) {
			g_assert_cmpint(tsr_store_key_get(store, last, &ref, &ref_len, NULL, NULL),
			    ==, TSR_OK);
			g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg,
			    sizeof(msg), sig), ==, TSR_OK);
			tsr_free(ref);
		}
	}
	tsr_store_free(store);

	if (w->kind == TSR_SA_PKCS11) {
		unsigned objects = 0, data_objects = 0;
		g_autoptr(GHashTable) after = tsr_test_softhsm_ids(KEY_LABEL, &objects);
		g_autoptr(GHashTable) data = tsr_test_softhsm_ids(DATA_KEY_LABEL, &data_objects);

		rows = sql_refs(w->path, "keys");
		/* The token and the store agree exactly: a private and a public
		 * object for each row, nothing else. */
		g_assert_cmpuint(g_hash_table_size(after), ==, g_hash_table_size(rows));
		g_assert_cmpuint(objects, ==, 2 * g_hash_table_size(rows));
		g_hash_table_iter_init(&it, rows);
		while (g_hash_table_iter_next(&it, &key, NULL))
			g_assert_true(g_hash_table_contains(after, key));
		g_assert_cmpuint(data_objects, ==, 1);
	}
	acc->keys = n_keys;
}

static void
test_key_kill(gconstpointer data)
{
	tsr_sa_kind_t kind = (tsr_sa_kind_t)GPOINTER_TO_INT(data);
	key_acc_t acc = { 0 };
	wallet_t w;
	gint64 us = 0;
	unsigned kills;

	if (kind == TSR_SA_TPM2 && !tsr_test_swtpm_available()) {
		g_test_skip("swtpm is not installed");
		return;
	}
	wallet_init(&w, kind);
	acc.committed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	kills = kill_many(&w, key_child, 100, key_check, &acc, &us);
	g_test_message("keys (%s): %u kills in %.1f s, %" G_GINT64_FORMAT " keys in the end, "
	    "%u committed ids reported; kills that left a pending row: %u, token keys "
	    "without a row before unlock: %u (all removed by unlock); transient TPM handles "
	    "left by killed children: %u; integrity_check ok each time",
	    kind == TSR_SA_SOFTWARE ? "software" : kind == TSR_SA_PKCS11 ? "pkcs11" : "tpm2",
	    kills, (double)us / G_USEC_PER_SEC, acc.keys, g_hash_table_size(acc.committed),
	    acc.pending_seen, acc.orphans_before, acc.tpm_flushed);
	g_assert_cmpint(acc.keys, >, 0);
	g_hash_table_unref(acc.committed);
	wallet_clear(&w);
}

static void
test_delete_kill(void)
{
	key_acc_t acc = { 0 };
	wallet_t w;
	gint64 us = 0;
	unsigned kills;

	wallet_init(&w, TSR_SA_PKCS11);
	acc.committed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	kills = kill_many(&w, delete_child, 100, key_check, &acc, &us);
	g_test_message("delete (pkcs11): %u kills in %.1f s, %u create-import-delete rounds "
	    "completed, %" G_GINT64_FORMAT " keys left in the end; kills that left a pending "
	    "row: %u, token keys without a row before unlock: %u (all removed by unlock); "
	    "integrity_check ok each time", kills, (double)us / G_USEC_PER_SEC, acc.rounds,
	    acc.keys, acc.pending_seen, acc.orphans_before);
	g_assert_cmpuint(acc.rounds, >, 0);
	g_hash_table_unref(acc.committed);
	wallet_clear(&w);
}

/* --- Wallet creation --- */

/* The wallets the creation children make: made/wallet-N.db. */
static char *
made_path(const wallet_t *w, unsigned n)
{
	g_autofree char *name = g_strdup_printf("wallet-%u.db", n);

	return g_build_filename(w->dir, "made", name, NULL);
}

/* Creates wallets in a loop, each at the first free made/wallet-N.db (so
 * the number of a creation that was killed must be free again), and
 * reports each N once its wallet is created. */
static void
create_child(const wallet_t *w, int fd)
{
	tsr_secure_area_t *logged_in = NULL;
	tsr_sa_config_t config;
	unsigned n = 1;

	wallet_config(w, &config);
	/* SoftHSM's file object store rewrites token.object in place at every
	 * successful C_Login (it clears CKF_USER_PIN_COUNT_LOW): a kill then
	 * leaves it empty and the token gone, whatever the wallet does
	 * (docs/assurance.md). One login held for the whole loop makes the
	 * creations share it, so the kills land on the wallet's own writes. */
	if (w->kind == TSR_SA_PKCS11 && tsr_secure_area_open(&config, &logged_in) != TSR_OK)
		_exit(4);
	if (write(fd, "R", 1) != 1)
		_exit(3);
	for (;; n++) {
		tsr_store_t *store = NULL;
		char *path = made_path(w, n);

		if (g_file_test(path, G_FILE_TEST_EXISTS)) {
			g_free(path);
			continue;
		}
		if (tsr_store_create(path, &config, &store) != TSR_OK)
			_exit(5);
		tsr_store_free(store);
		g_free(path);
		child_report(fd, n);
	}
}

typedef struct create_acc {
	GHashTable *reported; /* the numbers the children reported */
	GHashTable *checked;  /* the numbers whose wallet was opened and unlocked */
	unsigned unreported;  /* wallets whole, but their child killed before it said so */
	unsigned drafts_seen; /* kills that left a draft */
	unsigned tpm_flushed; /* transient TPM handles the killed children left */
} create_acc_t;

static gboolean
is_sqlite_side_file(const char *name)
{
	return g_str_has_suffix(name, "-wal") || g_str_has_suffix(name, "-shm") ||
	    g_str_has_suffix(name, "-journal");
}

/* Counts the drafts in made/ and opens, unlocks and checks every wallet
 * there not checked before: a killed creation leaves a whole wallet or
 * none, never a file at a wallet's path that is not one. */
static unsigned
check_made(const wallet_t *w, create_acc_t *acc)
{
	g_autofree char *made = g_build_filename(w->dir, "made", NULL);
	GDir *d = g_dir_open(made, 0, NULL);
	const char *name;
	unsigned drafts = 0;

	if (d == NULL)
		return 0; /* the first child was killed before its first mkdir */
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(made, name, NULL);
		wallet_t one = *w;
		tsr_store_t *store;

		if (is_sqlite_side_file(name))
			continue;
		if (g_str_has_prefix(name, ".wallet-") && strstr(name, ".creating-") != NULL) {
			drafts++;
			continue;
		}
		guint64 n = 0;

		/* Nothing else is ever at a wallet's path. */
		g_assert_true(g_str_has_prefix(name, "wallet-") && g_str_has_suffix(name, ".db"));
		{
			g_autofree char *digits = g_strndup(name + 7, strlen(name) - 7 - 3);

			g_assert_true(g_ascii_string_to_unsigned(digits, 10, 1, G_MAXUINT, &n,
			    NULL));
		}
		if (g_hash_table_contains(acc->checked, GUINT_TO_POINTER(n)))
			continue;
		assert_db_sound(path);
		one.path = path;
		store = wallet_open(&one);
		g_assert_cmpint(tsr_store_unlock(store), ==, TSR_OK);
		tsr_store_free(store);
		g_hash_table_add(acc->checked, GUINT_TO_POINTER(n));
		if (!g_hash_table_contains(acc->reported, GUINT_TO_POINTER(n)))
			acc->unreported++;
	}
	g_dir_close(d);
	return drafts;
}

static void
create_check(const wallet_t *w, GArray *ids, void *user)
{
	create_acc_t *acc = user;
	unsigned drafts;

	if (w->kind == TSR_SA_TPM2) {
		unsigned persistent = 0, flushed = 0;

		/* As in key_check: sealing leaves nothing persistent. */
		tsr_test_swtpm_handles(tsr_test_swtpm_tcti(w->tpm), TRUE, &persistent, &flushed);
		g_assert_cmpuint(persistent, ==, w->tpm_persistent);
		acc->tpm_flushed += flushed;
	}
	for (guint i = 0; i < ids->len; i++) {
		unsigned n = (unsigned)g_array_index(ids, int64_t, i);
		g_autofree char *path = made_path(w, n);

		/* Durability: a wallet reported created is there. */
		g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
		g_hash_table_add(acc->reported, GUINT_TO_POINTER(n));
	}
	drafts = check_made(w, acc);
	/* Each creation removes dead drafts first: one kill leaves one. */
	g_assert_cmpuint(drafts, <=, 1);
	acc->drafts_seen += drafts;
	if (w->kind == TSR_SA_PKCS11) {
		unsigned data_objects = 0;
		g_autoptr(GHashTable) data = tsr_test_softhsm_ids(DATA_KEY_LABEL, &data_objects);

		/* Every wallet on the token shares its one data key. */
		g_assert_cmpuint(data_objects, ==, 1);
	}
}

static void
test_create_kill(gconstpointer data)
{
	tsr_sa_kind_t kind = (tsr_sa_kind_t)GPOINTER_TO_INT(data);
	create_acc_t acc = { 0 };
	tsr_sa_config_t config;
	tsr_store_t *store = NULL;
	g_autofree char *last = NULL;
	wallet_t w;
	gint64 us = 0;
	unsigned kills, n;

	if (kind == TSR_SA_TPM2 && !tsr_test_swtpm_available()) {
		g_test_skip("swtpm is not installed");
		return;
	}
	wallet_init(&w, kind);
	acc.reported = g_hash_table_new(g_direct_hash, g_direct_equal);
	acc.checked = g_hash_table_new(g_direct_hash, g_direct_equal);
	kills = kill_many(&w, create_child, 100, create_check, &acc, &us);
	/* One more creation, here: it must succeed and clear the last draft. */
	n = g_hash_table_size(acc.checked) + 1;
	last = made_path(&w, n);
	wallet_config(&w, &config);
	g_assert_cmpint(tsr_store_create(last, &config, &store), ==, TSR_OK);
	tsr_store_free(store);
	g_assert_cmpuint(check_made(&w, &acc), ==, 0);
	g_test_message("creation (%s): %u kills in %.1f s, %u wallets made, each opened and "
	    "unlocked (%u whole but unreported when their child was killed); kills that left "
	    "a draft: %u, each removed by the next creation; transient TPM handles left: %u",
	    kind == TSR_SA_SOFTWARE ? "software" : kind == TSR_SA_PKCS11 ? "pkcs11" : "tpm2",
	    kills, (double)us / G_USEC_PER_SEC, g_hash_table_size(acc.checked), acc.unreported,
	    acc.drafts_seen, acc.tpm_flushed);
	g_hash_table_unref(acc.reported);
	g_hash_table_unref(acc.checked);
	wallet_clear(&w);
}

/* --- TPM without a resource manager --- */

/* Signs with the wallet's first key in a loop: most of the time a key, the
 * storage primary or a session is loaded in the TPM. */
static void
sign_child(const wallet_t *w, int fd)
{
	static const uint8_t msg[] = "held in the TPM";
	tsr_store_t *store = wallet_open(w);
	tsr_secure_area_t *sa = NULL;
	uint8_t *ref = NULL, sig[64];
	size_t ref_len = 0;

	if (tsr_store_secure_area(store, &sa) != TSR_OK ||
	    tsr_store_key_get(store, 1, &ref, &ref_len, NULL, NULL) != TSR_OK)
		_exit(4);
	if (write(fd, "R", 1) != 1)
		_exit(3);
	for (;;) {
		if (tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig) != TSR_OK)
			_exit(5);
		child_report(fd, -1);
	}
}

typedef struct tpm_acc {
	unsigned kills_leaving_objects; /* kills after which something stayed loaded */
	unsigned max_loaded;            /* most handles found loaded after a kill */
	unsigned signatures;
} tpm_acc_t;

/* After each kill, nothing is flushed by the test: whatever the child left
 * loaded stays, as it would on swtpm or /dev/tpm0 used directly. The next
 * open must still unlock and sign, and once it is closed the TPM must hold
 * nothing: the library flushed what the dead child left. */
static void
tpm_direct_check(const wallet_t *w, GArray *ids, void *user)
{
	static const uint8_t msg[] = "after the kill";
	tpm_acc_t *acc = user;
	tsr_store_t *store;
	tsr_secure_area_t *sa = NULL;
	uint8_t *ref = NULL, sig[64];
	size_t ref_len = 0;
	unsigned persistent = 0, loaded = 0;

	acc->signatures += ids->len;
	tsr_test_swtpm_handles(tsr_test_swtpm_tcti(w->tpm), FALSE, &persistent, &loaded);
	g_assert_cmpuint(persistent, ==, w->tpm_persistent);
	if (loaded > 0)
		acc->kills_leaving_objects++;
	acc->max_loaded = MAX(acc->max_loaded, loaded);
	store = wallet_open(w);
	g_assert_cmpint(tsr_store_secure_area(store, &sa), ==, TSR_OK);
	g_assert_cmpint(tsr_store_key_get(store, 1, &ref, &ref_len, NULL, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_OK);
	tsr_free(ref);
	tsr_store_free(store);
	tsr_test_swtpm_handles(tsr_test_swtpm_tcti(w->tpm), FALSE, &persistent, &loaded);
	g_assert_cmpuint(loaded, ==, 0);
}

static void
test_tpm_direct_kill(void)
{
	tpm_acc_t acc = { 0 };
	tsr_store_t *store;
	wallet_t w;
	gint64 us = 0;
	int64_t id = 0;
	unsigned kills;

	if (!tsr_test_swtpm_available()) {
		g_test_skip("swtpm is not installed");
		return;
	}
	wallet_init(&w, TSR_SA_TPM2);
	store = wallet_open(&w);
	g_assert_cmpint(tsr_store_create_key(store, NULL, &id, NULL, NULL), ==, TSR_OK);
	g_assert_cmpint(id, ==, 1);
	tsr_store_free(store);
	kills = kill_many(&w, sign_child, 40, tpm_direct_check, &acc, &us);
	g_test_message("tpm2 without a resource manager: %u kills while signing in %.1f s, %u "
	    "signatures; %u kills left objects or sessions loaded (up to %u at once), every "
	    "next open unlocked and signed and left nothing loaded", kills,
	    (double)us / G_USEC_PER_SEC, acc.signatures, acc.kills_leaving_objects,
	    acc.max_loaded);
	/* The TPM's slots (3 objects, 3 sessions on swtpm) were overrun. */
	g_assert_cmpuint(acc.kills_leaving_objects, >, 3);
	wallet_clear(&w);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* Software wallets: a cheap passphrase derivation (tests only). */
	g_setenv("TESSERA_PBKDF2_ITERATIONS", "1000", TRUE);
	g_test_add_func("/crash/log_append_killed", test_log_kill);
	g_test_add_data_func("/crash/key_create_killed/software",
	    GINT_TO_POINTER(TSR_SA_SOFTWARE), test_key_kill);
	g_test_add_data_func("/crash/key_create_killed/pkcs11", GINT_TO_POINTER(TSR_SA_PKCS11),
	    test_key_kill);
	g_test_add_data_func("/crash/key_create_killed/tpm2", GINT_TO_POINTER(TSR_SA_TPM2),
	    test_key_kill);
	g_test_add_func("/crash/delete_killed/pkcs11", test_delete_kill);
	g_test_add_data_func("/crash/wallet_create_killed/software",
	    GINT_TO_POINTER(TSR_SA_SOFTWARE), test_create_kill);
	g_test_add_data_func("/crash/wallet_create_killed/pkcs11",
	    GINT_TO_POINTER(TSR_SA_PKCS11), test_create_kill);
	g_test_add_data_func("/crash/wallet_create_killed/tpm2", GINT_TO_POINTER(TSR_SA_TPM2),
	    test_create_kill);
	g_test_add_func("/crash/tpm2_without_resource_manager", test_tpm_direct_kill);
	return g_test_run();
}
