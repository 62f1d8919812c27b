/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera reader verify`: verify a DeviceResponse as an mdoc reader. */

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

static const char reader_usage[] =
    "Usage: tessera reader COMMAND [OPTIONS]\n"
    "\n"
    "mdoc reader (verifier) operations.\n"
    "\n"
    "Commands:\n"
    "  verify        verify a DeviceResponse\n"
    "  request       run a session with a holder and verify its answer\n"
    "  make-request  write a DeviceRequest file\n"
    "\n"
    "Run 'tessera reader COMMAND --help' for the options of a command.\n";

static const char verify_usage[] =
    "Usage: tessera reader verify --response FILE --transcript FILE --trust CERT|DIR\n"
    "                             [--trust CERT|DIR ...] [--reader-key FILE]\n"
    "                             [--status-list FILE ...] [--now TIME] [--json]\n"
    "\n"
    "Verify an ISO/IEC 18013-5 DeviceResponse: the issuer's certificate chain up\n"
    "to a trusted IACA, the MSO signature and validity, the digest of every\n"
    "disclosed element, and device authentication.\n"
    "\n"
    "Options:\n"
    "  -r, --response FILE     the DeviceResponse (CBOR)\n"
    "  -t, --transcript FILE   the SessionTranscript or SessionTranscriptBytes (CBOR)\n"
    "  -T, --trust CERT|DIR    a trusted IACA certificate (PEM or DER), or a directory\n"
    "                          whose *.pem, *.der and *.crt files are all trusted;\n"
    "                          repeat for more\n"
    "  -k, --reader-key FILE   the reader's ephemeral private key (PKCS#8 or SEC1,\n"
    "                          PEM or DER); needed to check MAC device authentication\n"
    "  -S, --status-list FILE  a Token Status List (CWT) for offline revocation checks;\n"
    "                          repeatable. Each document whose MSO has a status\n"
    "                          reference is reported valid, revoked, suspended or\n"
    "                          unknown (no usable list: never revoked); revoked and\n"
    "                          suspended make it not valid\n"
    "  -n, --now TIME          verify at TIME (RFC 3339 in UTC, e.g.\n"
    "                          2021-01-01T00:00:00Z) instead of the system clock\n"
    "  -j, --json              print the result as JSON\n"
    "  -h, --help              show this help and exit\n"
    "\n"
    "Exit status: 0 valid, 1 not valid, 2 usage or input error.\n";

typedef struct verify_opts {
	const char *response;
	const char *transcript;
	const char *reader_key;
	const char *now;
	char **trust; /* argv pointers */
	size_t n_trust;
	char **status_lists; /* argv pointers */
	size_t n_status_lists;
	bool json;
} verify_opts_t;

static int
set_transcript(tsr_verifier_t *v, const char *path)
{
	uint8_t *data;
	size_t len;
	int err;

	if (cli_read_file(path, CLI_MAX_INPUT, &data, &len) < 0)
		return -1;
	err = tsr_verifier_set_transcript(v, data, len);
	cli_free_data(data, len);
	if (err != TSR_OK) {
		cli_error(path, "not a usable SessionTranscript: %s", tsr_strerror(err));
		return -1;
	}
	return 0;
}

static int
set_reader_key(tsr_verifier_t *v, const char *path)
{
	uint8_t *data;
	size_t len;
	int err;

	if (cli_read_file(path, CLI_MAX_INPUT, &data, &len) < 0)
		return -1;
	err = tsr_verifier_set_reader_key(v, data, len);
	cli_free_data(data, len); /* wiped: it is a private key */
	if (err != TSR_OK) {
		cli_error(path, "not a usable reader key: %s", tsr_strerror(err));
		return -1;
	}
	return 0;
}

int
cli_add_status_list(tsr_verifier_t *v, const char *path)
{
	uint8_t *data;
	size_t len;
	int err;

	if (cli_read_file(path, CLI_MAX_INPUT, &data, &len) < 0)
		return -1;
	err = tsr_verifier_add_status_list(v, data, len);
	cli_free_data(data, len);
	if (err != TSR_OK) {
		cli_error(path, "not a usable Token Status List (CWT): %s", tsr_strerror(err));
		return -1;
	}
	return 0;
}

static int
run_verify(const verify_opts_t *o)
{
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	uint8_t *response = NULL;
	size_t response_len = 0;
	int64_t now = 0;
	int err, status = CLI_EXIT_USAGE;

	if (o->now != NULL && tsr_time_parse(o->now, &now) != TSR_OK) {
		cli_error("--now", "'%s' is not a UTC time like 2021-01-01T00:00:00Z", o->now);
		goto out;
	}
	if ((err = tsr_verifier_new(&v)) != TSR_OK) {
		cli_error("verifier", "%s", tsr_strerror(err));
		goto out;
	}
	for (size_t i = 0; i < o->n_trust; i++)
		if (cli_add_trust(v, o->trust[i]) < 0)
			goto out;
	for (size_t i = 0; i < o->n_status_lists; i++)
		if (cli_add_status_list(v, o->status_lists[i]) < 0)
			goto out;
	if (set_transcript(v, o->transcript) < 0)
		goto out;
	if (o->reader_key != NULL && set_reader_key(v, o->reader_key) < 0)
		goto out;
	if (o->now != NULL)
		tsr_verifier_set_time(v, now);
	if (cli_read_file(o->response, CLI_MAX_INPUT, &response, &response_len) < 0)
		goto out;

	err = tsr_verifier_verify(v, response, response_len, &result);
	if (err != TSR_OK && err != TSR_ERR_VERIFY) {
		cli_error(o->response, "%s", tsr_strerror(err));
		goto out;
	}
	if (o->json)
		cli_print_result_json(stdout, result);
	else
		cli_print_result_human(stdout, result);
	status = err == TSR_OK && tsr_verify_result_valid(result) ? CLI_EXIT_OK :
								       CLI_EXIT_INVALID;
out:
	tsr_verify_result_free(result);
	cli_free_data(response, response_len);
	tsr_verifier_free(v);
	return status;
}

static int
cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "response", required_argument, NULL, 'r' },
		{ "transcript", required_argument, NULL, 't' },
		{ "trust", required_argument, NULL, 'T' },
		{ "reader-key", required_argument, NULL, 'k' },
		{ "status-list", required_argument, NULL, 'S' },
		{ "now", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	verify_opts_t o = { 0 };
	const char *missing;
	int c, status;

	/* At most one --trust or --status-list per argument, so argc bounds
	 * their number. */
	if ((o.trust = calloc((size_t)argc, sizeof(*o.trust))) == NULL ||
	    (o.status_lists = calloc((size_t)argc, sizeof(*o.status_lists))) == NULL) {
		free(o.trust);
		cli_error("verify", "out of memory");
		return CLI_EXIT_USAGE;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:t:T:k:S:n:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.response = optarg;
			break;
		case 't':
			o.transcript = optarg;
			break;
		case 'T':
			o.trust[o.n_trust++] = optarg;
			break;
		case 'k':
			o.reader_key = optarg;
			break;
		case 'S':
			o.status_lists[o.n_status_lists++] = optarg;
			break;
		case 'n':
			o.now = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			fputs(verify_usage, stdout);
			status = CLI_EXIT_OK;
			goto out;
		default:
			cli_bad_option(argv, c);
			goto usage;
		}
	}
	if (optind < argc) {
		cli_error(argv[optind], "unexpected argument");
		goto usage;
	}
	if (o.response == NULL)
		missing = "--response";
	else if (o.transcript == NULL)
		missing = "--transcript";
	else if (o.n_trust == 0)
		missing = "--trust";
	else
		missing = NULL;
	if (missing != NULL) {
		cli_error("reader verify", "%s is required", missing);
		goto usage;
	}
	status = run_verify(&o);
	goto out;
usage:
	fputs(verify_usage, stderr);
	status = CLI_EXIT_USAGE;
out:
	free(o.trust);
	free(o.status_lists);
	return status;
}

int
cli_cmd_reader(int argc, char **argv)
{
	int status;

	if (argc < 2) {
		cli_error("reader", "which command? (verify, request, make-request)");
		fputs(reader_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "verify") == 0) {
			fputs(verify_usage, stdout);
			return CLI_EXIT_OK;
		}
		fputs(reader_usage, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	if ((status = cli_reader_session_command(argv[1], argc - 1, argv + 1)) >= 0)
		return status;
	cli_error(argv[1], "unknown reader command");
	fputs(reader_usage, stderr);
	return CLI_EXIT_USAGE;
}
