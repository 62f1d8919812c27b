/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-securearea: what a secure area costs per back-end, through the
 * public API (<tessera/securearea.h>): open (for software, the PBKDF2
 * derivation at the real default count), key creation, ES256 signing
 * (SHA-256 of a 256-byte message plus the signature) and ECDH (with the
 * COSE_Key decoding of the peer). Each back-end is one row of `rows[]`
 * below: a prepare function that fills the configuration (and starts
 * whatever it needs) and a cleanup function.
 *
 * Usage: bench-securearea [-n N] [-m MODULE -t TOKEN -p PIN]
 *   -n N     sign and ECDH N times per back-end (default 500)
 *   -m/-t/-p use an existing PKCS#11 token instead of a temporary SoftHSM2
 *            one (the temporary one needs softhsm2-util on PATH)
 * Prints figures only: a benchmark is never a pass/fail test.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "cbor/codec.h"
#include "cose/cose.h"
#include "crypto/crypto.h"
#ifdef TSR_BENCH_SWTPM
#include "swtpm.h"
#endif

#define DEFAULT_N 500
#define KEYGEN_RUNS 5
#define MSG_LEN 256
#define BENCH_TOKEN "tessera-bench"
#define BENCH_PIN "4321"

/* What the rows share: options and whatever a prepare step set up. */
typedef struct bench_env {
	/* -m/-t/-p: an existing token */
	const char *module, *token, *pin;
	/* a temporary SoftHSM2 token */
	char softhsm_dir[64];
	char softhsm_module[256];
	/* passphrase or PIN the secret callback hands out */
	const char *secret;
} bench_env_t;

/*
 * One back-end. prepare() fills *config (kind, module, ...) and returns 0,
 * or returns -1 after writing why the row is skipped; cleanup() (may be
 * NULL) undoes what prepare() did.
 */
typedef struct row {
	const char *name;
	int (*prepare)(bench_env_t *env, tsr_sa_config_t *config, char *why, size_t why_len);
	void (*cleanup)(bench_env_t *env);
} row_t;

typedef struct figures {
	double open_ms, keygen_ms, sign_med, sign_mean, ecdh_med, ecdh_mean;
} figures_t;

static double
now_ms(void)
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

static void
stats(double *v, size_t n, double *ret_median, double *ret_mean)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	qsort(v, n, sizeof(*v), cmp_double);
	*ret_median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*ret_mean = sum / (double)n;
}

static int
secret_cb(void *user, const char *purpose, char *buf, size_t cap)
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
static const row_t rows[] = {
	{ "software (PBKDF2 default)", prepare_software, NULL },
	{ "pkcs11 (SoftHSM2)", prepare_pkcs11, cleanup_pkcs11 },
	{ "tpm2 (swtpm or $TESSERA_TCTI)", prepare_tpm2, cleanup_tpm2 },
};

/* --- measuring --- */

static void
fail(const char *row, const char *what, int err)
{
	fprintf(stderr, "bench-securearea: %s: %s: %s\n", row, what, tsr_strerror(err));
}

static int
measure(const char *name, const tsr_sa_config_t *config, size_t n, figures_t *ret)
{
	tsr_secure_area_t *sa = NULL;
	tsr_ec_key_t *peer = NULL;
	tsr_ec_pub_t pub, peer_pub;
	tsr_cbor_enc_t enc;
	uint8_t msg[MSG_LEN], sig[64], z[32], want[TSR_EC_COORD_MAX];
	uint8_t *refs[KEYGEN_RUNS] = { NULL }, *cose = NULL, *peer_cose = NULL;
	size_t ref_lens[KEYGEN_RUNS] = { 0 }, cose_len = 0, peer_len = 0, want_len = 0;
	double t, keygen[KEYGEN_RUNS], *lat = NULL, med;
	int r, rc = -1;

	tsr_cbor_enc_init(&enc);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	if ((lat = calloc(n, sizeof(*lat))) == NULL)
		goto out;

	t = now_ms();
	if ((r = tsr_secure_area_open(config, &sa)) != TSR_OK) {
		fail(name, "open", r);
		goto out;
	}
	ret->open_ms = now_ms() - t;

	for (size_t i = 0; i < KEYGEN_RUNS; i++) {
		free(cose);
		cose = NULL;
		t = now_ms();
		if ((r = tsr_secure_area_create_key(sa, NULL, &refs[i], &ref_lens[i], &cose,
		    &cose_len)) != TSR_OK) {
			fail(name, "create_key", r);
			goto out;
		}
		keygen[i] = now_ms() - t;
	}
	stats(keygen, KEYGEN_RUNS, &ret->keygen_ms, &med);
	if ((r = tsr_cose_key_from_bytes(cose, cose_len, &pub)) != TSR_OK) {
		fail(name, "COSE_Key", r);
		goto out;
	}

	/* The figures are only worth something if the results are right. */
	if ((r = tsr_ec_key_generate(TSR_CURVE_P256, &peer)) != TSR_OK ||
	    (r = tsr_ec_key_public(peer, &peer_pub)) != TSR_OK)
		goto out;
	tsr_cose_key_encode(&enc, &peer_pub);
	if ((r = tsr_cbor_enc_finish(&enc, &peer_cose, &peer_len)) != TSR_OK)
		goto out;
	if ((r = tsr_secure_area_sign(sa, refs[KEYGEN_RUNS - 1], ref_lens[KEYGEN_RUNS - 1], NULL,
	    msg, sizeof(msg), sig)) != TSR_OK ||
	    (r = tsr_ecdsa_verify(&pub, TSR_HASH_SHA256, msg, sizeof(msg), sig,
	    sizeof(sig))) != TSR_OK) {
		fail(name, "sign/verify", r);
		goto out;
	}
	if ((r = tsr_secure_area_key_agreement(sa, refs[KEYGEN_RUNS - 1],
	    ref_lens[KEYGEN_RUNS - 1], NULL, peer_cose, peer_len, z)) != TSR_OK ||
	    (r = tsr_ecdh(peer, &pub, want, &want_len)) != TSR_OK ||
	    want_len != 32 || memcmp(z, want, 32) != 0) {
		fail(name, "ECDH check", r != TSR_OK ? r : TSR_ERR_INTERNAL);
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		msg[0] = (uint8_t)i;
		t = now_ms();
		r = tsr_secure_area_sign(sa, refs[KEYGEN_RUNS - 1], ref_lens[KEYGEN_RUNS - 1], NULL,
		    msg, sizeof(msg), sig);
		lat[i] = now_ms() - t;
		if (r != TSR_OK) {
			fail(name, "sign", r);
			goto out;
		}
	}
	stats(lat, n, &ret->sign_med, &ret->sign_mean);
	for (size_t i = 0; i < n; i++) {
		t = now_ms();
		r = tsr_secure_area_key_agreement(sa, refs[KEYGEN_RUNS - 1],
		    ref_lens[KEYGEN_RUNS - 1], NULL, peer_cose, peer_len, z);
		lat[i] = now_ms() - t;
		if (r != TSR_OK) {
			fail(name, "key_agreement", r);
			goto out;
		}
	}
	stats(lat, n, &ret->ecdh_med, &ret->ecdh_mean);
	rc = 0;
out:
	for (size_t i = 0; i < KEYGEN_RUNS; i++) {
		if (refs[i] != NULL &&
		    tsr_secure_area_delete_key(sa, refs[i], ref_lens[i]) != TSR_OK)
			fprintf(stderr, "bench-securearea: %s: a key was not deleted\n", name);
		free(refs[i]);
	}
	tsr_cbor_enc_free(&enc);
	tsr_ec_key_free(peer);
	free(peer_cose);
	free(cose);
	free(lat);
	tsr_secure_area_free(sa);
	return rc;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-securearea [-n N] [-m MODULE -t TOKEN -p PIN]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	bench_env_t env;
	size_t n = DEFAULT_N;
	int c;

	memset(&env, 0, sizeof(env));
	while ((c = getopt(argc, argv, "n:m:t:p:")) != -1) {
		switch (c) {
		case 'n': {
			char *end = NULL;
			long v = strtol(optarg, &end, 10);

			if (*end != '\0' || v < 1 || v > 10000000)
				usage();
			n = (size_t)v;
			break;
		}
		case 'm':
			env.module = optarg;
			break;
		case 't':
			env.token = optarg;
			break;
		case 'p':
			env.pin = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (env.module != NULL) != (env.token != NULL))
		usage();

	printf("sign = ES256 over a %d-byte message; ecdh = P-256 with a COSE_Key peer; "
	    "%zu runs each\n\n", MSG_LEN, n);
	printf("| %-26s | %9s | %9s | %16s | %16s |\n", "back-end", "open ms", "keygen ms",
	    "sign ms med/mean", "ecdh ms med/mean");
	printf("| %.26s | %.9s | %.9s | %.16s | %.16s |\n", "----------------------------",
	    "----------", "----------", "------------------", "------------------");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tsr_sa_config_t config;
		figures_t fig;
		char why[256] = "";

		memset(&config, 0, sizeof(config));
		memset(&fig, 0, sizeof(fig));
		config.secret = secret_cb;
		config.secret_user = &env;
		if (rows[i].prepare(&env, &config, why, sizeof(why)) != 0)
			printf("| %-26s | skipped: %s\n", rows[i].name, why);
		else if (measure(rows[i].name, &config, n, &fig) != 0)
			printf("| %-26s | failed (see above)\n", rows[i].name);
		else
			printf("| %-26s | %9.2f | %9.2f | %7.3f / %6.3f | %7.3f / %6.3f |\n",
			    rows[i].name, fig.open_ms, fig.keygen_ms, fig.sign_med, fig.sign_mean,
			    fig.ecdh_med, fig.ecdh_mean);
		fflush(stdout);
		if (rows[i].cleanup != NULL)
			rows[i].cleanup(&env);
	}
	printf("\nkeygen is the median of %d; open includes the token login, or for "
	    "software the PBKDF2 derivation.\n", KEYGEN_RUNS);
	return 0;
}
