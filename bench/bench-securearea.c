/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-securearea: what a secure area costs per back-end, through the
 * public API (<tessera/securearea.h>): open (for software, the PBKDF2
 * derivation at the real default count), key creation, ES256 signing
 * (SHA-256 of a 256-byte message plus the signature) and ECDH (with the
 * COSE_Key decoding of the peer). Each back-end is one row of `bench_rows[]`
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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "bench-backends.h"

#include "cbor/codec.h"
#include "cose/cose.h"
#include "crypto/crypto.h"

#define DEFAULT_N 500
#define KEYGEN_RUNS 5
#define MSG_LEN 256

typedef struct figures {
	double open_ms, keygen_ms, sign_med, sign_mean, ecdh_med, ecdh_mean;
} figures_t;

static void
stats(double *v, size_t n, double *ret_median, double *ret_mean)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	*ret_median = bench_median(v, n);
	*ret_mean = sum / (double)n;
}

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

	t = bench_now_ms();
	if ((r = tsr_secure_area_open(config, &sa)) != TSR_OK) {
		fail(name, "open", r);
		goto out;
	}
	ret->open_ms = bench_now_ms() - t;

	for (size_t i = 0; i < KEYGEN_RUNS; i++) {
		free(cose);
		cose = NULL;
		t = bench_now_ms();
		if ((r = tsr_secure_area_create_key(sa, NULL, &refs[i], &ref_lens[i], &cose,
		    &cose_len)) != TSR_OK) {
			fail(name, "create_key", r);
			goto out;
		}
		keygen[i] = bench_now_ms() - t;
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
		t = bench_now_ms();
		r = tsr_secure_area_sign(sa, refs[KEYGEN_RUNS - 1], ref_lens[KEYGEN_RUNS - 1], NULL,
		    msg, sizeof(msg), sig);
		lat[i] = bench_now_ms() - t;
		if (r != TSR_OK) {
			fail(name, "sign", r);
			goto out;
		}
	}
	stats(lat, n, &ret->sign_med, &ret->sign_mean);
	for (size_t i = 0; i < n; i++) {
		t = bench_now_ms();
		r = tsr_secure_area_key_agreement(sa, refs[KEYGEN_RUNS - 1],
		    ref_lens[KEYGEN_RUNS - 1], NULL, peer_cose, peer_len, z);
		lat[i] = bench_now_ms() - t;
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
	for (size_t i = 0; i < bench_n_rows; i++) {
		tsr_sa_config_t config;
		figures_t fig;
		char why[256] = "";

		memset(&config, 0, sizeof(config));
		memset(&fig, 0, sizeof(fig));
		config.secret = bench_secret_cb;
		config.secret_user = &env;
		if (bench_rows[i].prepare(&env, &config, why, sizeof(why)) != 0)
			printf("| %-26s | skipped: %s\n", bench_rows[i].name, why);
		else if (measure(bench_rows[i].name, &config, n, &fig) != 0)
			printf("| %-26s | failed (see above)\n", bench_rows[i].name);
		else
			printf("| %-26s | %9.2f | %9.2f | %7.3f / %6.3f | %7.3f / %6.3f |\n",
			    bench_rows[i].name, fig.open_ms, fig.keygen_ms, fig.sign_med, fig.sign_mean,
			    fig.ecdh_med, fig.ecdh_mean);
		fflush(stdout);
		if (bench_rows[i].cleanup != NULL)
			bench_rows[i].cleanup(&env);
	}
	printf("\nkeygen is the median of %d; open includes the token login, or for "
	    "software the PBKDF2 derivation.\n", KEYGEN_RUNS);
	return 0;
}
