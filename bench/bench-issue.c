/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-issue: credentials issued per second with a software DS key, one at
 * a time and in batches of 100, for the example mDL (23 elements with a
 * portrait) and the age-verification credential (5 elements); plus the
 * ECDSA signature alone, which every credential needs once.
 *
 * Usage: bench-issue [-n ROUNDS] [EXAMPLES_DIR]
 * Prints figures only: a benchmark is never a pass/fail test.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#include "cose/cose.h"
#include "crypto/crypto.h"

#ifndef EXAMPLES_DIR
#define EXAMPLES_DIR "issuer-tool/examples"
#endif

#define BATCH 100

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
read_text(const char *dir, const char *name, size_t *ret_len)
{
	char path[4096];
	char *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(2);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read error\n", path);
		exit(2);
	}
	fclose(f);
	buf[n] = '\0';
	*ret_len = (size_t)n;
	return buf;
}

static void
check(int r, const char *what)
{
	if (r != TSR_OK) {
		fprintf(stderr, "%s: %s\n", what, tsr_strerror(r));
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *file, *doctype;
	} creds[] = {
		{ "mdl.json", "org.iso.18013.5.1.mDL" },
		{ "av.json", "eu.europa.ec.av.1" },
	};
	const char *dir = EXAMPLES_DIR;
	unsigned rounds = 200;
	tsr_cert_params_t p;
	char *iaca = NULL, *iaca_key = NULL, *ds = NULL, *ds_key = NULL;
	tsr_issuer_t *issuer = NULL;
	tsr_device_keys_t *keys = NULL;
	tsr_ec_key_t *dk = NULL, *sk = NULL;
	tsr_ec_pub_t pub;
	int64_t t0 = tsr_clock_now();
	int c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (rounds = (unsigned)strtoul(optarg, NULL, 10)) == 0) {
			fprintf(stderr, "usage: bench-issue [-n ROUNDS] [EXAMPLES_DIR]\n");
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind];

	memset(&p, 0, sizeof(p));
	p.country = "UT";
	p.common_name = "Bench IACA";
	p.issuer_alt_name = "https://issuer.example.org";
	p.crl_uri = "https://issuer.example.org/crl";
	p.not_before = t0 - 3600;
	p.not_after = t0 + 3000 * 86400LL;
	check(tsr_issuer_cert_create(TSR_CERT_IACA, &p, NULL, 0, NULL, 0, NULL, 0, &iaca,
	    &iaca_key), "IACA");
	p.common_name = "Bench DS";
	p.not_after = t0 + 450 * 86400LL;
	check(tsr_issuer_cert_create(TSR_CERT_DS, &p, (const uint8_t *)iaca, strlen(iaca),
	    (const uint8_t *)iaca_key, strlen(iaca_key), NULL, 0, &ds, &ds_key), "DS");
	check(tsr_issuer_new((const uint8_t *)ds, strlen(ds), (const uint8_t *)ds_key,
	    strlen(ds_key), &issuer), "issuer");

	/* 100 device keys, as one batch request would carry them. */
	check(tsr_device_keys_new(&keys), "keys");
	for (int i = 0; i < BATCH; i++) {
		tsr_cbor_enc_t enc;
		uint8_t *cose;
		size_t cose_len;

		check(tsr_ec_key_generate(TSR_CURVE_P256, &dk), "device key");
		check(tsr_ec_key_public(dk, &pub), "device key");
		tsr_ec_key_free(dk);
		tsr_cbor_enc_init(&enc);
		tsr_cose_key_encode(&enc, &pub);
		check(tsr_cbor_enc_finish(&enc, &cose, &cose_len), "COSE_Key");
		check(tsr_device_keys_add(keys, cose, cose_len), "add key");
		free(cose);
	}

	printf("bench-issue: software DS key (P-256, ES256), %u rounds\n\n", rounds);
	printf("%-42s %12s %14s\n", "operation", "us/op", "per second");

	/* The one signature every credential needs. */
	{
		uint8_t msg[512] = { 0 }, sig[TSR_ECDSA_RAW_MAX];
		size_t sig_len;
		double t;

		check(tsr_ec_key_parse((const uint8_t *)ds_key, strlen(ds_key), &sk), "DS key");
		t = now_s();
		for (unsigned i = 0; i < rounds; i++)
			check(tsr_ecdsa_sign(sk, TSR_HASH_SHA256, msg, sizeof(msg), sig, &sig_len),
			    "sign");
		t = now_s() - t;
		printf("%-42s %12.1f %14.0f\n", "ECDSA P-256 sign (alone)", t / rounds * 1e6,
		    rounds / t);
		tsr_ec_key_free(sk);
	}

	for (size_t k = 0; k < sizeof(creds) / sizeof(creds[0]); k++) {
		tsr_issue_params_t ip = { .doc_type = creds[k].doctype };
		tsr_claims_t *claims = NULL;
		const uint8_t *key;
		size_t len, key_len, out_len = 0;
		char *json = read_text(dir, creds[k].file, &len), label[64];
		uint8_t *out = NULL;
		unsigned batches = rounds / 20 > 0 ? rounds / 20 : 1;
		double t;

		check(tsr_claims_from_json(json, len, &claims, NULL), creds[k].file);
		check(tsr_device_keys_get(keys, 0, &key, &key_len), "key");
		t = now_s();
		for (unsigned i = 0; i < rounds; i++) {
			check(tsr_issuer_issue(issuer, &ip, claims, key, key_len, &out, &out_len, NULL),
			    "issue");
			tsr_free(out);
		}
		t = now_s() - t;
		snprintf(label, sizeof(label), "issue %s (%zu bytes)", creds[k].file, out_len);
		printf("%-42s %12.1f %14.0f\n", label, t / rounds * 1e6, rounds / t);

		t = now_s();
		for (unsigned i = 0; i < batches; i++) {
			check(tsr_issuer_issue_batch(issuer, &ip, claims, keys, &out, &out_len, NULL),
			    "batch");
			tsr_free(out);
		}
		t = now_s() - t;
		snprintf(label, sizeof(label), "batch of %d %s (per credential)", BATCH,
		    creds[k].file);
		printf("%-42s %12.1f %14.0f\n", label, t / (batches * BATCH) * 1e6,
		    batches * BATCH / t);
		printf("%-42s %12.1f ms\n", "  one batch of 100", t / batches * 1e3);
		tsr_claims_free(claims);
		free(json);
	}
	tsr_device_keys_free(keys);
	tsr_issuer_free(issuer);
	tsr_free(iaca);
	tsr_free(iaca_key);
	tsr_free(ds);
	tsr_free(ds_key);
	return 0;
}
