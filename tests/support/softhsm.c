/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "softhsm.h"

#include <dlfcn.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

const char *
tsr_test_softhsm_module(void)
{
	static const char *const candidates[] = {
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
	};
	const char *env = g_getenv("TESSERA_SOFTHSM_MODULE");

	if (env != NULL && *env != '\0')
		return env;
	for (size_t i = 0; i < G_N_ELEMENTS(candidates); i++) {
		if (g_file_test(candidates[i], G_FILE_TEST_EXISTS))
			return candidates[i];
	}
	g_error("softhsm: libsofthsm2.so not found (install softhsm2: ./run deps, or set "
	    "TESSERA_SOFTHSM_MODULE)");
	return NULL;
}

/* rm -r that never follows symlinks out of the directory. */
static void
remove_tree(const char *path)
{
	GDir *dir;
	const char *name;

	if (!g_file_test(path, G_FILE_TEST_IS_SYMLINK) &&
	    g_file_test(path, G_FILE_TEST_IS_DIR) && (dir = g_dir_open(path, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			remove_tree(child);
		}
		g_dir_close(dir);
	}
	if (g_remove(path) != 0 && errno != ENOENT)
		g_warning("softhsm: cannot remove %s: %s", path, g_strerror(errno));
}

void
tsr_test_softhsm_init_token(tsr_test_softhsm_t *hsm, const char *label, const char *pin,
    const char *so_pin)
{
	g_autofree char *util = g_find_program_in_path("softhsm2-util");
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) argv = NULL;
	int status = 0;

	g_assert_nonnull(hsm);
	if (util == NULL)
		g_error("softhsm: softhsm2-util not found (install softhsm2: ./run deps)");
	argv = g_new0(char *, 10);
	argv[0] = g_strdup(util);
	argv[1] = g_strdup("--init-token");
	argv[2] = g_strdup("--free");
	argv[3] = g_strdup("--label");
	argv[4] = g_strdup(label);
	argv[5] = g_strdup("--so-pin");
	argv[6] = g_strdup(so_pin);
	argv[7] = g_strdup("--pin");
	argv[8] = g_strdup(pin);
	/* The child inherits SOFTHSM2_CONF from our environment. */
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
	    &status, &error))
		g_error("softhsm: cannot run softhsm2-util: %s", error->message);
	if (!g_spawn_check_wait_status(status, &error))
		g_error("softhsm: softhsm2-util --init-token failed: %s\n%s%s", error->message,
		    out != NULL ? out : "", err != NULL ? err : "");
}

tsr_test_softhsm_t *
tsr_test_softhsm_new(void)
{
	tsr_test_softhsm_t *hsm = g_new0(tsr_test_softhsm_t, 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *tokens = NULL, *text = NULL;

	hsm->module = g_strdup(tsr_test_softhsm_module());
	hsm->dir = g_dir_make_tmp("tessera-softhsm-XXXXXX", &error);
	g_assert_no_error(error);
	tokens = g_build_filename(hsm->dir, "tokens", NULL);
	g_assert_cmpint(g_mkdir(tokens, 0700), ==, 0);
	hsm->conf = g_build_filename(hsm->dir, "softhsm2.conf", NULL);
	text = g_strdup_printf("directories.tokendir = %s\n"
	    "objectstore.backend = file\n"
	    "log.level = ERROR\n"
	    "slots.removable = false\n", tokens);
	g_file_set_contents(hsm->conf, text, -1, &error);
	g_assert_no_error(error);
	hsm->old_conf = g_strdup(g_getenv("SOFTHSM2_CONF"));
	g_setenv("SOFTHSM2_CONF", hsm->conf, TRUE);
	tsr_test_softhsm_init_token(hsm, TSR_TEST_SOFTHSM_LABEL, TSR_TEST_SOFTHSM_PIN,
	    TSR_TEST_SOFTHSM_SO_PIN);
	return hsm;
}

void
tsr_test_softhsm_free(tsr_test_softhsm_t *hsm)
{
	if (hsm == NULL)
		return;
	if (hsm->old_conf != NULL)
		g_setenv("SOFTHSM2_CONF", hsm->old_conf, TRUE);
	else
		g_unsetenv("SOFTHSM2_CONF");
	if (hsm->dir != NULL)
		remove_tree(hsm->dir);
	g_free(hsm->dir);
	g_free(hsm->conf);
	g_free(hsm->module);
	g_free(hsm->old_conf);
	g_free(hsm);
}

static char *
hex_lower(const uint8_t *p, size_t len)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", p[i]);
	return g_string_free(s, FALSE);
}

GHashTable *
tsr_test_softhsm_ids(const char *label, unsigned *ret_objects)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR fl = NULL;
	CK_SLOT_ID slots[16];
	CK_ULONG n_slots = 16, count = 0;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE objs[4096];
	CK_ATTRIBUTE tmpl = { CKA_LABEL, (void *)(uintptr_t)label, strlen(label) };
	CK_SLOT_ID slot = 0;
	gboolean found = FALSE;
	void *dl;

	dl = dlopen(tsr_test_softhsm_module(), RTLD_NOW);
	g_assert_nonnull(dl);
	*(void **)&get_list = dlsym(dl, "C_GetFunctionList");
	g_assert_nonnull(get_list);
	g_assert_cmpuint(get_list(&fl), ==, CKR_OK);
	g_assert_cmpuint(fl->C_Initialize(NULL), ==, CKR_OK);
	g_assert_cmpuint(fl->C_GetSlotList(CK_TRUE, slots, &n_slots), ==, CKR_OK);
	for (CK_ULONG i = 0; i < n_slots && !found; i++) {
		CK_TOKEN_INFO info;

		g_assert_cmpuint(fl->C_GetTokenInfo(slots[i], &info), ==, CKR_OK);
		/* Token labels are blank-padded to 32 bytes. */
		if (memcmp(info.label, TSR_TEST_SOFTHSM_LABEL,
		    strlen(TSR_TEST_SOFTHSM_LABEL)) == 0 &&
		    info.label[strlen(TSR_TEST_SOFTHSM_LABEL)] == ' ') {
			slot = slots[i];
			found = TRUE;
		}
	}
	g_assert_true(found);
	g_assert_cmpuint(fl->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), ==, CKR_OK);
	g_assert_cmpuint(fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)TSR_TEST_SOFTHSM_PIN,
	    strlen(TSR_TEST_SOFTHSM_PIN)), ==, CKR_OK);
	g_assert_cmpuint(fl->C_FindObjectsInit(s, &tmpl, 1), ==, CKR_OK);
	g_assert_cmpuint(fl->C_FindObjects(s, objs, G_N_ELEMENTS(objs), &count), ==, CKR_OK);
	g_assert_cmpuint(fl->C_FindObjectsFinal(s), ==, CKR_OK);
	g_assert_cmpuint(count, <, G_N_ELEMENTS(objs));
	for (CK_ULONG i = 0; i < count; i++) {
		uint8_t id[64];
		CK_ATTRIBUTE a = { CKA_ID, id, sizeof(id) };

		g_assert_cmpuint(fl->C_GetAttributeValue(s, objs[i], &a, 1), ==, CKR_OK);
		g_hash_table_add(set, hex_lower(id, a.ulValueLen));
	}
	*ret_objects = (unsigned)count;
	(void)fl->C_Logout(s);
	(void)fl->C_CloseSession(s);
	g_assert_cmpuint(fl->C_Finalize(NULL), ==, CKR_OK);
	dlclose(dl);
	return set;
}

/* path -> GBytes of every regular file under dir. */
static void
snapshot_dir(GHashTable *snap, const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);
		char *data = NULL;
		gsize len = 0;

		if (g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
			g_free(path);
		} else if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			snapshot_dir(snap, path);
			g_free(path);
		} else {
			g_assert_true(g_file_get_contents(path, &data, &len, NULL));
			g_hash_table_insert(snap, path, g_bytes_new_take(data, len));
		}
	}
	g_dir_close(d);
}

GHashTable *
tsr_test_softhsm_snapshot(const tsr_test_softhsm_t *hsm)
{
	GHashTable *snap = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_bytes_unref);
	g_autofree char *tokens = g_build_filename(hsm->dir, "tokens", NULL);

	snapshot_dir(snap, tokens);
	return snap;
}

/* Removes the files under dir that snap does not have. */
static void
prune_dir(GHashTable *snap, const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
			continue;
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			prune_dir(snap, path);
		else if (!g_hash_table_contains(snap, path))
			g_assert_cmpint(g_unlink(path), ==, 0);
	}
	g_dir_close(d);
}

void
tsr_test_softhsm_restore(const tsr_test_softhsm_t *hsm, GHashTable *snapshot)
{
	g_autofree char *tokens = g_build_filename(hsm->dir, "tokens", NULL);
	GHashTableIter it;
	gpointer path, bytes;

	prune_dir(snapshot, tokens);
	g_hash_table_iter_init(&it, snapshot);
	while (g_hash_table_iter_next(&it, &path, &bytes)) {
		gsize len = 0;
		const char *data = g_bytes_get_data(bytes, &len);

		g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	}
}
