/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera wallet trust add|list|remove`: the certificates the wallet
 * trusts: reader roots (who may ask, judged at every presentation) and
 * IACAs (whose credentials import checks chain to). */

#include "wallet-cli.h"

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

static const char *
purpose_name(tsr_trust_purpose_t p)
{
	return p == TSR_TRUST_IACA ? "iaca" : "reader-root";
}

static int
trust_add(const wallet_opts_t *o, const char *path, tsr_store_t *store, const char *file)
{
	uint8_t *data = NULL;
	size_t len = 0, count = 0;
	int err;

	if (cli_read_file(file, CLI_MAX_INPUT, &data, &len) < 0)
		return CLI_EXIT_USAGE;
	err = tsr_store_trust_add(store, o->trust_purpose, data, len, &count);
	cli_free_data(data, len);
	if (err != TSR_OK) {
		if (err == TSR_ERR_CERT_PARSE)
			cli_error(file, "no certificate in it");
		else
			wallet_report(path, store, o, err);
		return WALLET_EXIT_FAIL;
	}
	printf("Trusted %zu new %s certificate%s from %s\n", count, purpose_name(o->trust_purpose),
	    count == 1 ? "" : "s", file);
	return CLI_EXIT_OK;
}

static int
trust_list(const wallet_opts_t *o, const char *path, tsr_store_t *store)
{
	static const tsr_trust_purpose_t purposes[] = { TSR_TRUST_READER_ROOT, TSR_TRUST_IACA };
	bool first = true;

	if (o->json)
		fputc('[', stdout);
	for (size_t k = 0; k < sizeof(purposes) / sizeof(purposes[0]); k++) {
		tsr_store_roots_t *roots = NULL;
		int err = tsr_store_trust_list(store, purposes[k], &roots);

		if (err != TSR_OK) {
			wallet_report(path, store, o, err);
			return WALLET_EXIT_FAIL;
		}
		for (size_t i = 0; i < tsr_store_roots_count(roots); i++) {
			const tsr_store_root_t *r = tsr_store_roots_get(roots, i);

			if (o->json) {
				printf("%s{\"id\": %lld, \"purpose\": \"%s\", \"subject\": ",
				    first ? "" : ",\n ", (long long)r->id, purpose_name(r->purpose));
				cli_put_json_string(stdout, r->subject);
				fputs(", \"notAfter\": \"", stdout);
				cli_put_time(stdout, r->not_after);
				fputs("\"}", stdout);
			} else {
				printf("%lld  %-11s  ", (long long)r->id, purpose_name(r->purpose));
				cli_put_text(stdout, r->subject);
				fputs("  (until ", stdout);
				cli_put_time(stdout, r->not_after);
				fputs(")\n", stdout);
			}
			first = false;
		}
		tsr_store_roots_free(roots);
	}
	if (o->json)
		fputs("]\n", stdout);
	else if (first)
		printf("No trusted certificates in %s\n", path);
	return CLI_EXIT_OK;
}

static int
trust_remove(const wallet_opts_t *o, const char *path, tsr_store_t *store, const char *id_text)
{
	char *end;
	long long id = strtoll(id_text, &end, 10);
	int err;

	if (end == id_text || *end != '\0' || id <= 0) {
		cli_error(id_text, "not a trusted certificate id (see 'tessera wallet trust list')");
		return CLI_EXIT_USAGE;
	}
	if ((err = tsr_store_trust_remove(store, id)) != TSR_OK) {
		if (err == TSR_ERR_NOT_FOUND)
			cli_error(id_text, "no such trusted certificate");
		else
			wallet_report(path, store, o, err);
		return WALLET_EXIT_FAIL;
	}
	printf("Removed trusted certificate %lld\n", id);
	return CLI_EXIT_OK;
}

int
run_trust(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_t *store = NULL;
	const char *verb = o->n_args > 0 ? o->args[0] : "";
	char *path = NULL;
	int status = CLI_EXIT_USAGE;
	bool want_arg = strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0;

	if ((!want_arg && strcmp(verb, "list") != 0) || o->n_args != (want_arg ? 2u : 1u)) {
		cli_error("trust", "expected 'add FILE', 'list' or 'remove ID'");
		return CLI_EXIT_USAGE;
	}
	/* Trust anchors are public: no need to unlock the wallet for them. */
	if (wallet_open(o, &secret, &store, &path) < 0) {
		status = WALLET_EXIT_FAIL;
		goto out;
	}
	if (strcmp(verb, "add") == 0)
		status = trust_add(o, path, store, o->args[1]);
	else if (strcmp(verb, "remove") == 0)
		status = trust_remove(o, path, store, o->args[1]);
	else
		status = trust_list(o, path, store);
out:
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}
