/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-issue: credentials issued per second with a software DS key, one at
 * a time and in batches of 100, for the example mDL (23 elements with a
 * portrait) and the age-verification credential (5 elements); plus the
 * ECDSA signature alone, which every credential needs once. Then the same
 * with the DS key on a SoftHSM2 token (as `tessera-issuer init
 * --pkcs11-module` makes it): a throw-away token in a temporary directory
 * (SOFTHSM2_CONF), signing through tsr_issuer_new_with_signer() and the
 * PKCS#11 secure area. That part is skipped when SoftHSM is not installed.
 *
 * Usage: bench-issue [-n ROUNDS] [EXAMPLES_DIR]
 * Prints figures only: a benchmark is never a pass/fail test.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#include "cose/cose.h"
#include "crypto/crypto.h"

#ifndef EXAMPLES_DIR
#define EXAMPLES_DIR "issuer-tool/examples"
#endif

#define BATCH 100
#define SOFTHSM_PIN "4321"

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

static const struct {
	const char *file, *doctype;
} creds[] = {
	{ "mdl.json", "org.iso.18013.5.1.mDL" },
	{ "av.json", "eu.europa.ec.av.1" },
};

/* Single credentials and batches of 100 with one issuer. */
static void
bench_issuer(const tsr_issuer_t *issuer, const tsr_device_keys_t *keys, const char *dir,
    unsigned rounds)
{
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
}

/* --- SoftHSM --- */

typedef struct token_signer {
	tsr_secure_area_t *sa;
	uint8_t *ref;
	size_t ref_len;
} token_signer_t;

static int
token_sign(void *user, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
    size_t *ret_len)
{
	token_signer_t *t = user;
	int err;

	if (cap < 64)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((err = tsr_secure_area_sign(t->sa, t->ref, t->ref_len, NULL, msg, len, sig)) == TSR_OK)
		*ret_len = 64;
	return err;
}

static int
token_pin(void *user, const char *purpose, char *buf, size_t cap)
{
	(void)user;
	(void)purpose;
	snprintf(buf, cap, "%s", SOFTHSM_PIN);
	return 0;
}

static const char *
softhsm_module(void)
{
	static const char *const candidates[] = {
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
	};
	const char *env = getenv("TESSERA_SOFTHSM_MODULE");

	if (env != NULL && *env != '\0')
		return env;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

/* A temporary SoftHSM directory with one token; NULL when unavailable. */
static char *
softhsm_setup(void)
{
	char tmpl[] = "/tmp/tessera-bench-softhsm-XXXXXX", path[512];
	char *dir;
	FILE *f;

	if ((dir = mkdtemp(tmpl)) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/tokens", dir);
	if (mkdir(path, 0700) != 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/softhsm2.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", path, 1);
	/* SOFTHSM2_CONF is inherited. */
	if (system("softhsm2-util --init-token --free --label bench --so-pin 1234 --pin "
	    SOFTHSM_PIN " >/dev/null") != 0)
		return NULL;
	return strdup(dir);
}

static void
bench_softhsm(const char *iaca, const char *iaca_key, tsr_cert_params_t *p,
    const tsr_device_keys_t *keys, const char *dir, unsigned rounds)
{
	const char *module = softhsm_module();
	tsr_sa_config_t config = { .kind = TSR_SA_PKCS11 };
	token_signer_t signer = { 0 };
	tsr_cbor_doc_t *doc = NULL;
	tsr_issuer_t *issuer = NULL;
	tsr_ec_pub_t pub;
	uint8_t *cose = NULL, msg[512] = { 0 }, sig[64];
	size_t cose_len = 0;
	char *spki = NULL, *ds = NULL, *hsm_dir = NULL, cmd[600];
	double t;

	if (module == NULL || (hsm_dir = softhsm_setup()) == NULL) {
		printf("\nbench-issue: SoftHSM2 DS key: skipped (softhsm2 not installed)\n");
		free(hsm_dir);
		return;
	}
	config.pkcs11_module = module;
	config.pkcs11_token_label = "bench";
	config.secret = token_pin;
	check(tsr_secure_area_open(&config, &signer.sa), "SoftHSM token");
	check(tsr_secure_area_create_key(signer.sa, NULL, &signer.ref, &signer.ref_len, &cose,
	    &cose_len), "DS key on the token");
	check(tsr_cbor_decode(cose, cose_len, NULL, &doc), "COSE_Key");
	check(tsr_cose_key_decode(tsr_cbor_doc_root(doc), &pub), "COSE_Key");
	check(tsr_ec_pub_to_spki_pem(&pub, &spki), "SPKI");
	check(tsr_issuer_cert_create(TSR_CERT_DS, p, (const uint8_t *)iaca, strlen(iaca),
	    (const uint8_t *)iaca_key, strlen(iaca_key), (const uint8_t *)spki, strlen(spki), &ds,
	    NULL), "DS on the token");
	check(tsr_issuer_new_with_signer((const uint8_t *)ds, strlen(ds), token_sign, &signer,
	    &issuer), "issuer");

	printf("\nbench-issue: DS key on a SoftHSM2 token (%s), %u rounds\n\n", module, rounds);
	printf("%-42s %12s %14s\n", "operation", "us/op", "per second");
	t = now_s();
	for (unsigned i = 0; i < rounds; i++)
		check(token_sign(&signer, msg, sizeof(msg), sig, sizeof(sig), &cose_len), "sign");
	t = now_s() - t;
	printf("%-42s %12.1f %14.0f\n", "C_Sign CKM_ECDSA P-256 (alone)", t / rounds * 1e6,
	    rounds / t);
	bench_issuer(issuer, keys, dir, rounds);

	tsr_issuer_free(issuer);
	tsr_free(signer.ref);
	tsr_secure_area_free(signer.sa);
	tsr_cbor_doc_free(doc);
	tsr_free(cose);
	free(spki);
	free(ds);
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", hsm_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-issue: could not remove %s\n", hsm_dir);
	free(hsm_dir);
}

int
main(int argc, char **argv)
{
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

	bench_issuer(issuer, keys, dir, rounds);
	bench_softhsm(iaca, iaca_key, &p, keys, dir, rounds);
	tsr_device_keys_free(keys);
	tsr_issuer_free(issuer);
	tsr_free(iaca);
	tsr_free(iaca_key);
	tsr_free(ds);
	tsr_free(ds_key);
	return 0;
}
