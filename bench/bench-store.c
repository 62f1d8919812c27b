/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-store: the wallet store with many credentials. Creates a software
 * wallet in a temporary directory, imports N credentials (Annex D's mDL
 * elements under fresh MSOs bound to the wallet's key, as the store tests
 * make them), then times opening the store, unlocking it, listing every
 * credential and unsealing one.
 *
 * The software secure area derives its key with PBKDF2; a real wallet uses
 * 600,000 iterations (about half a second), which would swamp everything
 * else, so new wallets here use TESSERA_PBKDF2_ITERATIONS (1000 unless the
 * environment says otherwise) and the output states the count.
 *
 * Usage: bench-store [-n CREDENTIALS] [-r ROUNDS] [DATA_DIR]
 * Prints figures only: a benchmark is never a pass/fail test.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tessera/store.h>
#include <tessera/tessera.h>

#include "credential-builder.h"

#ifndef TSR_DATA_DIR
#define TSR_DATA_DIR "tests/data"
#endif

#define PASSPHRASE "bench passphrase"
#define DAY (24 * 3600)

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

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
secret_cb(void *user, const char *purpose, char *buf, size_t cap)
{
	(void)user;
	(void)purpose;
	if (strlen(PASSPHRASE) >= cap)
		return -1;
	memcpy(buf, PASSPHRASE, sizeof(PASSPHRASE));
	return 0;
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "bench-store: %s: %s\n", what, tsr_strerror(err));
	exit(1);
}

int
main(int argc, char **argv)
{
	static char passphrase[] = PASSPHRASE;
	const char *data_dir = TSR_DATA_DIR, *iterations;
	size_t n_creds = 1000, rounds = 20;
	char dir[] = "/tmp/tsr-bench-store-XXXXXX", path[256], *end;
	tsr_sa_config_t config;
	tsr_store_options_t options;
	tsr_store_t *store = NULL;
	tsr_store_list_t *list = NULL;
	tsr_store_credential_t *cred = NULL;
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	double *t_open, *t_unlock, *t_list, *t_show, t0, build_ms = 0, import_ms = 0;
	int64_t key_id = 0, now = tsr_clock_now();
	int c, err;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		switch (c) {
		case 'n':
			n_creds = (size_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || n_creds == 0) {
				fprintf(stderr, "bench-store: -n wants a positive count\n");
				return 2;
			}
			break;
		case 'r':
			rounds = (size_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || rounds == 0) {
				fprintf(stderr, "bench-store: -r wants a positive count\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: bench-store [-n CREDENTIALS] [-r ROUNDS] [DATA_DIR]\n");
			return 2;
		}
	}
	if (optind < argc)
		data_dir = argv[optind];
	setenv("TESSERA_PBKDF2_ITERATIONS", "1000", 0);
	iterations = getenv("TESSERA_PBKDF2_ITERATIONS");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/wallet.db", dir);

	memset(&config, 0, sizeof(config));
	config.kind = TSR_SA_SOFTWARE;
	config.secret = secret_cb;
	config.secret_user = passphrase;
	if ((err = tsr_store_create(path, &config, &store)) != TSR_OK)
		die("create", err);
	if ((err = tsr_store_create_key(store, NULL, &key_id, &cose, &cose_len)) != TSR_OK)
		die("keygen", err);
	for (size_t i = 0; i < n_creds; i++) {
		uint8_t *issued = NULL;
		size_t len = 0;

		t0 = now_ms();
		/* Distinct MSOs: signed one second apart. */
		if ((err = tsr_test_credential_build_cose(data_dir, cose, cose_len,
		    now - DAY - (int64_t)i, now - DAY, now + 365 * DAY, &issued, &len)) != TSR_OK)
			die("build credential", err);
		build_ms += now_ms() - t0;
		t0 = now_ms();
		if ((err = tsr_store_import(store, issued, len, NULL, NULL, NULL)) != TSR_OK)
			die("import", err);
		import_ms += now_ms() - t0;
		free(issued);
	}
	tsr_store_free(store);
	store = NULL;

	t_open = calloc(rounds, sizeof(double));
	t_unlock = calloc(rounds, sizeof(double));
	t_list = calloc(rounds, sizeof(double));
	t_show = calloc(rounds, sizeof(double));
	if (t_open == NULL || t_unlock == NULL || t_list == NULL || t_show == NULL)
		die("bench", TSR_ERR_NO_MEMORY);
	memset(&options, 0, sizeof(options));
	options.secret = secret_cb;
	options.secret_user = passphrase;
	for (size_t r = 0; r < rounds; r++) {
		t0 = now_ms();
		if ((err = tsr_store_open(path, &options, &store)) != TSR_OK)
			die("open", err);
		t_open[r] = now_ms() - t0;
		t0 = now_ms();
		if ((err = tsr_store_list(store, &list)) != TSR_OK)
			die("list", err);
		t_list[r] = now_ms() - t0;
		if (tsr_store_list_count(list) != n_creds)
			die("list count", TSR_ERR_INTERNAL);
		t0 = now_ms();
		if ((err = tsr_store_unlock(store)) != TSR_OK)
			die("unlock", err);
		t_unlock[r] = now_ms() - t0;
		t0 = now_ms();
		if ((err = tsr_store_show(store, tsr_store_list_get(list, r % n_creds)->id, &cred)) !=
		    TSR_OK)
			die("show", err);
		t_show[r] = now_ms() - t0;
		tsr_store_credential_free(cred);
		tsr_store_list_free(list);
		tsr_store_free(store);
		cred = NULL;
		list = NULL;
		store = NULL;
	}

	printf("bench-store: software secure area, PBKDF2-HMAC-SHA-256 with %s iterations "
	       "(TESSERA_PBKDF2_ITERATIONS; real wallets use 600000)\n", iterations);
	printf("credentials:                %zu (one device key, %zu-round medians below)\n",
	    n_creds, rounds);
	printf("import, per credential:     %8.3f ms (checks + one synchronous=FULL commit)\n",
	    import_ms / (double)n_creds);
	printf("  (building one, not timed: %8.3f ms)\n", build_ms / (double)n_creds);
	printf("open (schema check):        %8.3f ms\n", median(t_open, rounds));
	printf("list %zu credentials:      %8.3f ms\n", n_creds, median(t_list, rounds));
	printf("unlock (PBKDF2 + unseal):   %8.3f ms\n", median(t_unlock, rounds));
	printf("show one (unseal + decode): %8.3f ms\n", median(t_show, rounds));

	{
		char wal[300], shm[300];

		snprintf(wal, sizeof(wal), "%s-wal", path);
		snprintf(shm, sizeof(shm), "%s-shm", path);
		unlink(wal);
		unlink(shm);
		unlink(path);
		rmdir(dir);
	}
	free(t_open);
	free(t_unlock);
	free(t_list);
	free(t_show);
	tsr_free(cose);
	return 0;
}
