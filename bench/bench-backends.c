/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Setting up each secure-area back-end for a benchmark (bench-backends.h). */

#include "bench-backends.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef TSR_BENCH_SWTPM
#include "swtpm.h"
#endif

double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
bench_secret_cb(void *user, const char *purpose, char *buf, size_t cap)
{
	const bench_env_t *env = user;

	(void)purpose;
	if (env->secret == NULL || strlen(env->secret) >= cap)
		return 1;
	strcpy(buf, env->secret);
	return 0;
}

/* --- software --- */

static int
prepare_software(bench_env_t *env, tsr_sa_config_t *config, char *why, size_t why_len)
{
	(void)why;
	(void)why_len;
	/* The real default count, whatever the environment says. */
	unsetenv("TESSERA_PBKDF2_ITERATIONS");
	config->kind = TSR_SA_SOFTWARE;
	env->secret = "a passphrase for the benchmark";
	return 0;
}

/* --- PKCS#11: SoftHSM2 in a temporary directory, or a given token --- */

static int
run_softhsm_util(char *why, size_t why_len)
{
	char a0[] = "softhsm2-util", a1[] = "--init-token", a2[] = "--free", a3[] = "--label",
	    a4[] = BENCH_TOKEN, a5[] = "--so-pin", a6[] = "1234", a7[] = "--pin", a8[] = BENCH_PIN;
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0, e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		snprintf(why, why_len, "cannot run softhsm2-util: %s", strerror(e));
		return -1;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, why_len, "softhsm2-util --init-token failed");
		return -1;
	}
	return 0;
}

static int
prepare_pkcs11(bench_env_t *env, tsr_sa_config_t *config, char *why, size_t why_len)
{
	static const char *const modules[] = {
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	};
	char path[128];
	FILE *f;

	config->kind = TSR_SA_PKCS11;
	if (env->module != NULL) {
		config->pkcs11_module = env->module;
		config->pkcs11_token_label = env->token;
		env->secret = env->pin;
		return 0;
	}
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		if (access(modules[i], R_OK) == 0) {
			snprintf(env->softhsm_module, sizeof(env->softhsm_module), "%s",
			    modules[i]);
			break;
		}
	}
	if (env->softhsm_module[0] == '\0') {
		snprintf(why, why_len, "libsofthsm2.so not found (apt install softhsm2)");
		return -1;
	}
	snprintf(env->softhsm_dir, sizeof(env->softhsm_dir), "/tmp/tessera-bench-XXXXXX");
	if (mkdtemp(env->softhsm_dir) == NULL) {
		snprintf(why, why_len, "mkdtemp: %s", strerror(errno));
		env->softhsm_dir[0] = '\0';
		return -1;
	}
	snprintf(path, sizeof(path), "%s/tokens", env->softhsm_dir);
	if (mkdir(path, 0700) != 0) {
		snprintf(why, why_len, "mkdir: %s", strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/softhsm2.conf", env->softhsm_dir);
	if ((f = fopen(path, "w")) == NULL) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", env->softhsm_dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", path, 1);
	if (run_softhsm_util(why, why_len) != 0)
		return -1;
	config->pkcs11_module = env->softhsm_module;
	config->pkcs11_token_label = BENCH_TOKEN;
	env->secret = BENCH_PIN;
	return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void
cleanup_pkcs11(bench_env_t *env)
{
	if (env->softhsm_dir[0] != '\0')
		nftw(env->softhsm_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	env->softhsm_dir[0] = '\0';
}

/* --- tpm2 --- */

/*
 * $TESSERA_TCTI names a TPM to measure (say "device:/dev/tpmrm0");
 * otherwise a fresh swtpm is started with the test suite's fixture
 * (tests/support/swtpm.c, built only with -Dtests=true).
 */
#ifdef TSR_BENCH_SWTPM
static tsr_test_swtpm_t *bench_swtpm;
#endif

static int
prepare_tpm2(bench_env_t *env, tsr_sa_config_t *config, char *why, size_t why_len)
{
	const char *tcti = getenv("TESSERA_TCTI");

	(void)env;
	config->kind = TSR_SA_TPM2;
	if (tcti != NULL && *tcti != '\0') {
		config->tpm_tcti = tcti;
		return 0;
	}
#ifdef TSR_BENCH_SWTPM
	if (!tsr_test_swtpm_available()) {
		snprintf(why, why_len, "swtpm not installed (apt install swtpm swtpm-tools)");
		return -1;
	}
	bench_swtpm = tsr_test_swtpm_new(NULL);
	config->tpm_tcti = tsr_test_swtpm_tcti(bench_swtpm);
	return 0;
#else
	snprintf(why, why_len, "set TESSERA_TCTI (the swtpm fixture needs -Dtests=true)");
	return -1;
#endif
}

static void
cleanup_tpm2(bench_env_t *env)
{
	(void)env;
#ifdef TSR_BENCH_SWTPM
	tsr_test_swtpm_free(bench_swtpm);
	bench_swtpm = NULL;
#endif
}

/* The rows. */
const bench_row_t bench_rows[] = {
	{ "software (PBKDF2 default)", prepare_software, NULL },
	{ "pkcs11 (SoftHSM2)", prepare_pkcs11, cleanup_pkcs11 },
	{ "tpm2 (swtpm or $TESSERA_TCTI)", prepare_tpm2, cleanup_tpm2 },
};

const size_t bench_n_rows = sizeof(bench_rows) / sizeof(bench_rows[0]);
