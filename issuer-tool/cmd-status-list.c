/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera-issuer status-list`: a signed Token Status List (CWT). */

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#define DEFAULT_URI "https://issuer.example.org/status/1"

static const char status_usage[] =
    "Usage: tessera-issuer status-list --pki DIR --size N [--revoke I,J,...]\n"
    "                                  [--uri URI] [--ttl SECONDS] [--valid-for SECONDS]\n"
    "                                  [--issued-at TIME] --out FILE\n"
    "\n"
    "Write a Token Status List (draft-ietf-oauth-status-list) as a CWT signed with\n"
    "the DS key (DIR/ds_key.pem, or the token key DIR/ds_key.p11 names): N one-bit statuses, 0 valid, 1 revoked. Credentials issued\n"
    "with --status-list URI --status-index I are looked up in it by verifiers.\n"
    "\n"
    "Options:\n"
    "  -p, --pki DIR           directory with ds.pem and ds_key.pem (or ds_key.p11)\n"
    "  -n, --size N            number of entries (1 .. 16777216)\n"
    "  -r, --revoke LIST       comma-separated indices to mark revoked; repeatable\n"
    "  -u, --uri URI           the list's URI (sub), as the credentials reference it\n"
    "                          (default " DEFAULT_URI ")\n"
    "      --ttl SECONDS       how long verifiers may use it before fetching a new\n"
    "                          one (default 86400; 0 leaves ttl out)\n"
    "      --valid-for SECONDS exp = iat + SECONDS (default 2592000, 30 days)\n"
    "      --issued-at TIME    iat (default: now)\n"
    "  -o, --out FILE          where to write it\n"
    "      --force             replace an existing output file\n"
    "      --pin-file FILE     the token's user PIN for a DS key on a PKCS#11 token\n"
    "                          (default: $TESSERA_PIN)\n"
    "  -h, --help              show this help and exit\n";

enum {
	OPT_TTL = 256,
	OPT_VALID_FOR,
	OPT_ISSUED_AT,
	OPT_FORCE,
	OPT_PIN_FILE,
};

static int
mark(uint8_t *revoked, uint64_t size, const char *list)
{
	const char *s = list;

	while (*s != '\0') {
		char *end = NULL;
		unsigned long long v;

		if (*s < '0' || *s > '9')
			goto bad;
		v = strtoull(s, &end, 10);
		if (v >= size) {
			cli_error("--revoke", "index %llu is beyond the list size %llu", v,
			    (unsigned long long)size);
			return -1;
		}
		revoked[v] = 1;
		s = end;
		if (*s == ',' && s[1] != '\0')
			s++;
		else if (*s != '\0')
			goto bad;
	}
	return 0;
bad:
	cli_error("--revoke", "expected comma-separated indices, got \"%s\"", list);
	return -1;
}

int
cli_cmd_status_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pki", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 'n' },
		{ "revoke", required_argument, NULL, 'r' },
		{ "uri", required_argument, NULL, 'u' },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "valid-for", required_argument, NULL, OPT_VALID_FOR },
		{ "issued-at", required_argument, NULL, OPT_ISSUED_AT },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "pin-file", required_argument, NULL, OPT_PIN_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pki = NULL, *uri = DEFAULT_URI, *out_path = NULL, *revoke[64];
	const char *pin_file = NULL;
	uint64_t size = 0, ttl = 86400, valid_for = 2592000;
	int64_t iat = tsr_clock_now();
	size_t n_revoke = 0, out_len = 0;
	uint8_t *revoked = NULL, *out = NULL;
	cli_ds_t *ds = NULL;
	bool force = false;
	int c, err, status = CLI_EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:n:r:u:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pki = optarg;
			break;
		case 'n':
			if (cli_parse_uint("--size", optarg, 1, TSR_STATUS_LIST_MAX_ENTRIES, &size) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'r':
			if (n_revoke == sizeof(revoke) / sizeof(revoke[0])) {
				cli_error("--revoke", "too many options; use comma-separated lists");
				return CLI_EXIT_USAGE;
			}
			revoke[n_revoke++] = optarg;
			break;
		case 'u':
			uri = optarg;
			break;
		case OPT_TTL:
			if (cli_parse_uint("--ttl", optarg, 0, UINT32_MAX, &ttl) < 0)
				return CLI_EXIT_USAGE;
			break;
		case OPT_VALID_FOR:
			if (cli_parse_uint("--valid-for", optarg, 1, UINT32_MAX, &valid_for) < 0)
				return CLI_EXIT_USAGE;
			break;
		case OPT_ISSUED_AT:
			if (cli_parse_time("--issued-at", optarg, &iat) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'o':
			out_path = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_PIN_FILE:
			pin_file = optarg;
			break;
		case 'h':
			fputs(status_usage, stdout);
			return CLI_EXIT_OK;
		default:
			cli_bad_option(argv, c);
			fputs(status_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(argv[optind], "unexpected argument");
		return CLI_EXIT_USAGE;
	}
	if (pki == NULL || size == 0 || out_path == NULL) {
		cli_error("status-list", "--pki, --size and --out are required");
		fputs(status_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((revoked = calloc((size_t)size, 1)) == NULL) {
		cli_error("status-list", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_revoke; i++)
		if (mark(revoked, size, revoke[i]) < 0)
			goto out;
	if (cli_ds_open(pki, pin_file, &ds) < 0)
		goto out;
	if ((err = tsr_issuer_status_list_create(cli_ds_issuer(ds), revoked, (size_t)size, uri, iat,
	    iat + (int64_t)valid_for, (int64_t)ttl, &out, &out_len)) != TSR_OK) {
		cli_error("status-list", "%s", tsr_strerror(err));
		cli_ds_explain(ds, err);
		goto out;
	}
	if (cli_write_file(out_path, out, out_len, 0644, force) < 0)
		goto out;
	printf("Wrote a status list of %llu entries for %s to %s\n", (unsigned long long)size,
	    uri, out_path);
	status = CLI_EXIT_OK;
out:
	free(revoked);
	tsr_free(out);
	cli_ds_free(ds);
	return status;
}
