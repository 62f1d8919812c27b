/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-present: what a presentation costs, per secure-area back-end
 * (bench-backends.h), per request template and device-authentication
 * kind:
 *   holder: from the SessionEstablishment in to the SessionData out
 *           (key derivation, request decryption, analysis, response with
 *           the device key's MAC or signature in the secure area,
 *           encryption);
 *   reader: from the SessionData in to the verified result;
 *   size:   the DeviceResponse in bytes.
 * A credential is issued per back-end to a key made in it (the example mDL
 * of issuer-tool/examples, by a PKI made at start). Every response is
 * verified: a run that does not verify is reported, not timed.
 *
 * Usage: bench-present [-n N]   (N presentations per cell, default 40)
 * Prints figures only: a benchmark is never a pass/fail test.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "bench-backends.h"

#define DEFAULT_N 40

static const char *const templates[] = { "age-over-18", "driving-licence", "mdl-full" };

typedef struct sa_key {
	tsr_secure_area_t *sa;
	uint8_t *ref;
	size_t ref_len;
} sa_key_t;

static int
sa_sign(void *user, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	const sa_key_t *k = user;

	return tsr_secure_area_sign(k->sa, k->ref, k->ref_len, NULL, msg, len, sig);
}

static int
sa_agree(void *user, const uint8_t *peer, size_t peer_len, uint8_t z[32])
{
	const sa_key_t *k = user;

	return tsr_secure_area_key_agreement(k->sa, k->ref, k->ref_len, NULL, peer, peer_len, z);
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = calloc(1, (size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* An IACA and a DS of country UT (the example claims' issuing_country). */
static int
make_pki(char **ret_iaca, tsr_issuer_t **ret_issuer)
{
	int64_t now = tsr_clock_now();
	tsr_cert_params_t p = { .country = "UT", .common_name = "Bench IACA",
		.issuer_alt_name = "https://bench.example", .crl_uri = "https://bench.example/crl",
		.not_before = now - 3600, .not_after = now + 3650 * 86400LL };
	char *iaca = NULL, *iaca_key = NULL, *ds = NULL, *ds_key = NULL;
	int err;

	if ((err = tsr_issuer_cert_create(TSR_CERT_IACA, &p, NULL, 0, NULL, 0, NULL, 0, &iaca,
	    &iaca_key)) != TSR_OK)
		goto out;
	p.common_name = "Bench DS";
	p.not_after = now + 400 * 86400LL;
	if ((err = tsr_issuer_cert_create(TSR_CERT_DS, &p, (const uint8_t *)iaca, strlen(iaca),
	    (const uint8_t *)iaca_key, strlen(iaca_key), NULL, 0, &ds, &ds_key)) != TSR_OK ||
	    (err = tsr_issuer_new((const uint8_t *)ds, strlen(ds), (const uint8_t *)ds_key,
	    strlen(ds_key), ret_issuer)) != TSR_OK)
		goto out;
	*ret_iaca = iaca;
	iaca = NULL;
out:
	tsr_free(iaca);
	tsr_free(iaca_key);
	tsr_free(ds);
	tsr_free(ds_key);
	return err;
}

/* One presentation; adds its figures, or returns -1 if it failed. */
static int
present_once(const char *template, tsr_device_auth_kind_t auth, const uint8_t *cred,
    size_t cred_len, const tsr_device_key_t *key, const char *iaca, double *ret_holder,
    double *ret_reader, size_t *ret_size)
{
	tsr_holder_session_t *hs = NULL;
	tsr_reader_session_t *rs = NULL;
	tsr_request_builder_t *b = NULL;
	tsr_presentation_t *p = NULL;
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	const uint8_t *st = NULL, *hst = NULL;
	size_t st_len = 0, hst_len = 0, req_len = 0, est_len = 0, hreq_len = 0, resp_len = 0;
	size_t data_len = 0, out_len = 0;
	uint8_t *req = NULL, *est = NULL, *hreq = NULL, *resp = NULL, *data = NULL, *out = NULL;
	char *uri = NULL;
	double t0, t1, t2;
	int status = -1;

	if (tsr_holder_session_new(NULL, &hs) != TSR_OK ||
	    tsr_holder_session_qr_uri(hs, &uri) != TSR_OK ||
	    tsr_reader_session_new(uri, &rs) != TSR_OK || tsr_request_builder_new(&b) != TSR_OK ||
	    tsr_request_builder_add_template(b, template) != TSR_OK)
		goto out;
	tsr_reader_session_transcript(rs, &st, &st_len);
	if (tsr_request_builder_build(b, st, st_len, &req, &req_len) != TSR_OK ||
	    tsr_reader_session_establish(rs, req, req_len, &est, &est_len) != TSR_OK)
		goto out;

	t0 = bench_now_ms();
	if (tsr_holder_session_establish(hs, est, est_len, &hreq, &hreq_len) != TSR_OK ||
	    tsr_holder_session_transcript(hs, &hst, &hst_len) != TSR_OK ||
	    tsr_presentation_new(hreq, hreq_len, hst, hst_len, &p) != TSR_OK ||
	    tsr_presentation_add_credential(p, cred, cred_len, key, "bench") != TSR_OK ||
	    tsr_presentation_analyze(p) != TSR_OK)
		goto out;
	tsr_presentation_consent_all(p, true);
	if (tsr_presentation_respond(p, auth, &resp, &resp_len) != TSR_OK ||
	    tsr_holder_session_respond(hs, resp, resp_len, false, &data, &data_len) != TSR_OK)
		goto out;
	t1 = bench_now_ms();
	tsr_free(resp);
	resp = NULL;
	if (tsr_reader_session_receive(rs, data, data_len, &out, &out_len, NULL) != TSR_OK ||
	    tsr_verifier_new(&v) != TSR_OK ||
	    tsr_verifier_add_trust_anchor(v, (const uint8_t *)iaca, strlen(iaca)) != TSR_OK ||
	    tsr_reader_session_prepare_verifier(rs, v) != TSR_OK ||
	    tsr_verifier_verify(v, out, out_len, &result) != TSR_OK)
		goto out;
	t2 = bench_now_ms();
	*ret_holder = t1 - t0;
	*ret_reader = t2 - t1;
	*ret_size = out_len;
	status = 0;
out:
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
	tsr_presentation_free(p);
	tsr_request_builder_free(b);
	tsr_reader_session_free(rs);
	tsr_holder_session_free(hs);
	tsr_free(uri);
	tsr_free(req);
	tsr_free(est);
	tsr_free(hreq);
	tsr_free(resp);
	tsr_free(data);
	tsr_free(out);
	return status;
}

static void
measure_row(const char *name, tsr_secure_area_t *sa, const tsr_issuer_t *issuer,
    const tsr_claims_t *claims, const char *iaca, size_t n)
{
	tsr_issue_params_t params = { .doc_type = "org.iso.18013.5.1.mDL" };
	tsr_device_key_t *key = NULL;
	sa_key_t k = { .sa = sa };
	uint8_t *cose = NULL, *cred = NULL;
	size_t cose_len = 0, cred_len = 0;
	double *holder = calloc(n, sizeof(*holder)), *reader = calloc(n, sizeof(*reader));
	int err;

	if (holder == NULL || reader == NULL ||
	    (err = tsr_secure_area_create_key(sa, NULL, &k.ref, &k.ref_len, &cose, &cose_len)) !=
	    TSR_OK || (err = tsr_issuer_issue(issuer, &params, claims, cose, cose_len, &cred,
	    &cred_len, NULL)) != TSR_OK ||
	    (err = tsr_device_key_new(sa_sign, sa_agree, &k, NULL, &key)) != TSR_OK) {
		printf("| %-29s | setup failed\n", name);
		goto out;
	}
	for (size_t t = 0; t < sizeof(templates) / sizeof(templates[0]); t++) {
		for (int mac = 1; mac >= 0; mac--) {
			size_t size = 0, done = 0;

			for (size_t i = 0; i < n; i++)
				if (present_once(templates[t], mac ? TSR_DEVICE_AUTH_MAC :
				    TSR_DEVICE_AUTH_SIGNATURE, cred, cred_len, key, iaca, &holder[done],
				    &reader[done], &size) == 0)
					done++;
			if (done < n) {
				printf("| %-29s | %-15s | %-9s | %zu of %zu runs failed\n", name,
				    templates[t], mac ? "MAC" : "signature", n - done, n);
				continue;
			}
			printf("| %-29s | %-15s | %-9s | %8.2f | %8.2f | %6zu |\n", name, templates[t],
			    mac ? "MAC" : "signature", bench_median(holder, n), bench_median(reader, n), size);
		}
	}
out:
	tsr_device_key_free(key);
	if (k.ref != NULL && tsr_secure_area_delete_key(sa, k.ref, k.ref_len) != TSR_OK)
		fprintf(stderr, "bench-present: %s: could not delete the key\n", name);
	tsr_free(k.ref);
	tsr_free(cose);
	tsr_free(cred);
	free(holder);
	free(reader);
}

int
main(int argc, char **argv)
{
	bench_env_t env;
	tsr_issuer_t *issuer = NULL;
	tsr_claims_t *claims = NULL;
	char *iaca = NULL, *json = NULL;
	size_t n = DEFAULT_N;
	int c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (n = (size_t)strtoul(optarg, NULL, 10)) == 0) {
			fprintf(stderr, "usage: bench-present [-n N]\n");
			return 2;
		}
	}
	if ((json = read_text(EXAMPLES_DIR "/mdl.json")) == NULL ||
	    tsr_claims_from_json(json, strlen(json), &claims, NULL) != TSR_OK ||
	    make_pki(&iaca, &issuer) != TSR_OK) {
		fprintf(stderr, "bench-present: cannot set up the issuer\n");
		return 1;
	}
	printf("One presentation of the example mDL (23 elements), median of %zu runs, ms.\n"
	    "holder: SessionEstablishment in -> SessionData out; reader: SessionData in ->\n"
	    "verified result; size: DeviceResponse bytes (all requested elements shared).\n\n",
	    n);
	printf("| %-29s | %-15s | %-9s | %8s | %8s | %6s |\n", "secure area", "template",
	    "auth", "holder", "reader", "size");
	printf("|-------------------------------|-----------------|-----------|----------|----------|"
	    "--------|\n");
	for (size_t i = 0; i < bench_n_rows; i++) {
		tsr_sa_config_t config;
		tsr_secure_area_t *sa = NULL;
		char why[256] = "";

		memset(&env, 0, sizeof(env));
		memset(&config, 0, sizeof(config));
		config.secret = bench_secret_cb;
		config.secret_user = &env;
		if (bench_rows[i].prepare(&env, &config, why, sizeof(why)) != 0)
			printf("| %-29s | skipped: %s\n", bench_rows[i].name, why);
		else if (tsr_secure_area_open(&config, &sa) != TSR_OK)
			printf("| %-29s | cannot open\n", bench_rows[i].name);
		else
			measure_row(bench_rows[i].name, sa, issuer, claims, iaca, n);
		tsr_secure_area_free(sa);
		if (bench_rows[i].cleanup != NULL)
			bench_rows[i].cleanup(&env);
	}
	tsr_issuer_free(issuer);
	tsr_claims_free(claims);
	tsr_free(iaca);
	free(json);
	return 0;
}
