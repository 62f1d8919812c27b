/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera cbor dump`: CBOR in diagnostic notation. */

#include "cli.h"

#include <getopt.h>
#include <string.h>

#include <tessera/tessera.h>

static const char cbor_usage[] =
    "Usage: tessera cbor COMMAND [OPTIONS]\n"
    "\n"
    "CBOR utilities.\n"
    "\n"
    "Commands:\n"
    "  dump FILE    print FILE in CBOR diagnostic notation\n"
    "\n"
    "Run 'tessera cbor COMMAND --help' for the options of a command.\n";

static const char dump_usage[] =
    "Usage: tessera cbor dump FILE\n"
    "\n"
    "Print one CBOR item in diagnostic notation (RFC 8949 section 8), showing\n"
    "the content of embedded CBOR (tag 24) decoded as 24(<<...>>). FILE '-' is\n"
    "standard input. The input is decoded strictly: indefinite lengths,\n"
    "duplicate map keys, non-shortest integers and trailing bytes are errors.\n"
    "\n"
    "Options:\n"
    "  -h, --help    show this help and exit\n";

static int
cmd_dump(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path;
	uint8_t *data;
	size_t len;
	char *text;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(dump_usage, stdout);
			return CLI_EXIT_OK;
		}
		cli_bad_option(argv, c);
		fputs(dump_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (argc - optind != 1) {
		cli_error("cbor dump", argc - optind == 0 ? "which file?" : "too many arguments");
		fputs(dump_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	path = argv[optind];
	if (cli_read_file(path, CLI_MAX_INPUT, &data, &len) < 0)
		return CLI_EXIT_USAGE;
	err = tsr_cbor_to_diagnostic(data, len, true, &text);
	cli_free_data(data, len);
	if (err != TSR_OK) {
		cli_error(strcmp(path, "-") == 0 ? "stdin" : path, "%s", tsr_strerror(err));
		return CLI_EXIT_USAGE;
	}
	fputs(text, stdout);
	fputc('\n', stdout);
	tsr_free(text);
	return CLI_EXIT_OK;
}

int
cli_cmd_cbor(int argc, char **argv)
{
	if (argc < 2) {
		cli_error("cbor", "which command? (dump)");
		fputs(cbor_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "dump") == 0)
			fputs(dump_usage, stdout);
		else
			fputs(cbor_usage, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	cli_error(argv[1], "unknown cbor command");
	fputs(cbor_usage, stderr);
	return CLI_EXIT_USAGE;
}
