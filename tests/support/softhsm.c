/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "softhsm.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

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
