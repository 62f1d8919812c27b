/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera-issuer inspect`: describe an issued file or a status list. */

#include "cli.h"

#include <getopt.h>
#include <string.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

static const char inspect_usage[] =
    "Usage: tessera-issuer inspect FILE [--json]\n"
    "\n"
    "Describe an IssuerSigned, a Document, a DeviceResponse, a batch (CBOR array)\n"
    "or a Token Status List: docType, MSO, validity, device key, status reference,\n"
    "every element with its label and value. The issuer signature (against the\n"
    "embedded DS certificate) and every digest are checked; the trust chain is not.\n"
    "\n"
    "Options:\n"
    "  -j, --json   print JSON\n"
    "  -h, --help   show this help and exit\n";

int
cli_cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t *data = NULL;
	size_t len = 0;
	char *text = NULL;
	bool json = false;
	int c, err, status = CLI_EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(inspect_usage, stdout);
			return CLI_EXIT_OK;
		default:
			cli_bad_option(argv, c);
			fputs(inspect_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_error("inspect", "expected exactly one FILE");
		fputs(inspect_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (cli_read_file(argv[optind], CLI_MAX_INPUT, &data, &len) < 0)
		return CLI_EXIT_USAGE;
	if ((err = tsr_issuer_inspect(data, len, json, &text)) != TSR_OK) {
		cli_error(argv[optind], "not an issued credential or status list: %s",
		    tsr_strerror(err));
		goto out;
	}
	fputs(text, stdout);
	status = CLI_EXIT_OK;
out:
	tsr_free(text);
	cli_free_data(data, len);
	return status;
}
