/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera wallet provision-request` and `provision-respond`: the wallet's
 * side of attested provisioning (docs/provisioning.md). New device keys are
 * made in the TPM, the issuer gets the EK certificate, the attestation key
 * and the keys' public areas, answers with a credential-activation
 * challenge and a nonce, and the wallet proves with TPM2_Certify that the
 * keys live in the TPM that owns the EK. */

#include "wallet-cli.h"

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

/* The keys of the request in flight, remembered until the response. */
#define PENDING_SETTING "provisioning.pending-keys"
#define MAX_KEYS 100

static int
load_refs(tsr_store_t *store, const int64_t *ids, size_t n, uint8_t **refs, size_t *lens)
{
	for (size_t i = 0; i < n; i++) {
		int err = tsr_store_key_get(store, ids[i], &refs[i], &lens[i], NULL, NULL);

		if (err != TSR_OK) {
			cli_error("provisioning", "device key %lld: %s", (long long)ids[i],
			    tsr_strerror(err));
			return -1;
		}
	}
	return 0;
}

int
run_provision_request(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_t *store = NULL;
	tsr_secure_area_t *sa = NULL;
	int64_t ids[MAX_KEYS];
	uint8_t *refs[MAX_KEYS] = { 0 }, *req = NULL;
	size_t lens[MAX_KEYS] = { 0 }, req_len = 0, n = o->provision_keys;
	char *path = NULL, pending[MAX_KEYS * 21 + 1] = "";
	int err, status = WALLET_EXIT_FAIL;

	if (n == 0 || n > MAX_KEYS) {
		cli_error("--keys", "expected 1 to %d keys", MAX_KEYS);
		return CLI_EXIT_USAGE;
	}
	if (wallet_open(o, &secret, &store, &path) < 0 || wallet_unlock(path, store, o) < 0)
		goto out;
	if (tsr_store_sa_kind(store) != TSR_SA_TPM2) {
		cli_error(path, "attested provisioning needs a TPM 2.0 wallet (this one uses "
		    "another secure area)");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((err = tsr_store_create_key(store, NULL, &ids[i], NULL, NULL)) != TSR_OK) {
			wallet_report(path, store, o, err);
			goto out;
		}
		snprintf(pending + strlen(pending), sizeof(pending) - strlen(pending), "%s%lld",
		    i ? "," : "", (long long)ids[i]);
	}
	if (load_refs(store, ids, n, refs, lens) < 0 ||
	    (err = tsr_store_secure_area(store, &sa)) != TSR_OK)
		goto out;
	if ((err = tsr_attest_request_create(sa, (const uint8_t *const *)refs, lens, n, &req,
	    &req_len)) != TSR_OK) {
		cli_error("provisioning", "%s", tsr_strerror(err));
		goto out;
	}
	if ((err = tsr_store_setting_set(store, PENDING_SETTING, pending)) != TSR_OK) {
		wallet_report(path, store, o, err);
		goto out;
	}
	if (cli_write_file(o->out, req, req_len, 0600, true) < 0)
		goto out;
	printf("Created device key%s %s in the TPM; wrote the provisioning request to %s\n",
	    n > 1 ? "s" : "", pending, o->out);
	status = CLI_EXIT_OK;
out:
	for (size_t i = 0; i < n && i < MAX_KEYS; i++)
		tsr_free(refs[i]);
	tsr_free(req);
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}

/* "3,4,5" -> ids; -1 when malformed. */
static int
parse_pending(const char *text, int64_t *ids, size_t *ret_n)
{
	size_t n = 0;
	const char *p = text;

	while (*p != '\0' && n < MAX_KEYS) {
		char *end;
		long long v = strtoll(p, &end, 10);

		if (end == p || v <= 0 || (*end != ',' && *end != '\0'))
			return -1;
		ids[n++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	*ret_n = n;
	return n > 0 && *p == '\0' ? 0 : -1;
}

int
run_provision_respond(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_t *store = NULL;
	tsr_secure_area_t *sa = NULL;
	int64_t ids[MAX_KEYS];
	uint8_t *refs[MAX_KEYS] = { 0 }, *challenge = NULL, *evidence = NULL;
	size_t lens[MAX_KEYS] = { 0 }, n = 0, challenge_len = 0, evidence_len = 0;
	const char *pins[MAX_KEYS] = { 0 };
	char *path = NULL, *pending = NULL;
	int err, status = WALLET_EXIT_FAIL;

	if (cli_read_file(o->challenge, CLI_MAX_INPUT, &challenge, &challenge_len) < 0)
		return CLI_EXIT_USAGE;
	if (wallet_open(o, &secret, &store, &path) < 0 || wallet_unlock(path, store, o) < 0)
		goto out;
	if ((err = tsr_store_setting_get(store, PENDING_SETTING, &pending)) != TSR_OK ||
	    parse_pending(pending, ids, &n) < 0) {
		cli_error(path, "no provisioning request in flight (run 'tessera wallet "
		    "provision-request' first)");
		goto out;
	}
	if (load_refs(store, ids, n, refs, lens) < 0 ||
	    (err = tsr_store_secure_area(store, &sa)) != TSR_OK)
		goto out;
	if ((err = tsr_attest_respond(sa, challenge, challenge_len,
	    (const uint8_t *const *)refs, lens, pins, n, &evidence, &evidence_len)) != TSR_OK) {
		cli_error(o->challenge, "cannot answer the challenge: %s", tsr_strerror(err));
		goto out;
	}
	if (cli_write_file(o->out, evidence, evidence_len, 0600, true) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((err = tsr_store_key_set_attested(store, ids[i], evidence, evidence_len)) !=
		    TSR_OK) {
			wallet_report(path, store, o, err);
			goto out;
		}
	}
	/* One challenge, one answer: a replayed challenge finds nothing. */
	if ((err = tsr_store_setting_set(store, PENDING_SETTING, "")) != TSR_OK)
		wallet_report(path, store, o, err);
	printf("Proved that device key%s %s live%s in this TPM; wrote the response to %s\n",
	    n > 1 ? "s" : "", pending, n > 1 ? "" : "s", o->out);
	status = CLI_EXIT_OK;
out:
	for (size_t i = 0; i < n; i++)
		tsr_free(refs[i]);
	cli_free_data(challenge, challenge_len);
	tsr_free(evidence);
	tsr_free(pending);
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}
