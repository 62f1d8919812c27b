/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The secure-area back-ends the benchmarks measure, one row each: the
 * software area, a PKCS#11 token (a temporary SoftHSM2 one unless given),
 * and a TPM (a fresh swtpm via the tests' fixture, or $TESSERA_TCTI). */
#ifndef TSR_BENCH_BACKENDS_H
#define TSR_BENCH_BACKENDS_H

#include <stddef.h>

#include <tessera/securearea.h>

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
typedef struct bench_row {
	const char *name;
	int (*prepare)(bench_env_t *env, tsr_sa_config_t *config, char *why, size_t why_len);
	void (*cleanup)(bench_env_t *env);
} bench_row_t;

/* The rows, in a fixed order. */
extern const bench_row_t bench_rows[];
extern const size_t bench_n_rows;

/* Monotonic milliseconds. */
double bench_now_ms(void);
/* The median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);

/* A tsr_secret_fn handing out env->secret. */
int bench_secret_cb(void *user, const char *purpose, char *buf, size_t cap);

#endif /* TSR_BENCH_BACKENDS_H */
