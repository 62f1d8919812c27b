/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera-issuer`: test PKI, credential issuance, inspection and status
 * lists. Uses only libtessera's public API (<tessera/issuer.h>). */

#include "cli.h"

#include <getopt.h>
#include <string.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

static const char main_usage[] =
    "Usage: tessera-issuer [--version] [--help] COMMAND [ARGS...]\n"
    "\n"
    "Issue ISO/IEC 18013-5 credentials for testing wallets and verifiers.\n"
    "\n"
    "Commands:\n"
    "  init          create an IACA root and a Document Signer (Annex B);\n"
    "                with --reader also a reader root and reader certificate\n"
    "  issue         issue a credential (IssuerSigned or Document) for a device key\n"
    "  inspect       describe an issued file or a status list\n"
    "  status-list   write a signed Token Status List (CWT)\n"
    "  challenge     attested provisioning: check a wallet's TPM provisioning\n"
    "                request and write the challenge for it\n"
    "  help [COMMAND]\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 refused (a rule is violated; nothing written),\n"
    "2 usage, input or I/O error.\n";

static const cli_command_t commands[] = {
	{ "init", cli_cmd_init },
	{ "issue", cli_cmd_issue },
	{ "inspect", cli_cmd_inspect },
	{ "status-list", cli_cmd_status_list },
	{ "challenge", cli_cmd_challenge },
};

static const cli_command_t *
find_command(const char *name)
{
	return cli_find_command(commands, sizeof(commands) / sizeof(commands[0]), name);
}

static int
run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static char help_arg[] = "--help";
	const cli_command_t *cmd;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(main_usage, stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("tessera-issuer %s (libtessera %s)\n", TESSERA_CLI_VERSION,
			    tsr_version());
			return CLI_EXIT_OK;
		default:
			cli_bad_option(argv, c);
			fputs(main_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(main_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		char *args[3];

		if (optind + 1 >= argc) {
			fputs(main_usage, stdout);
			return CLI_EXIT_OK;
		}
		if ((cmd = find_command(argv[optind + 1])) == NULL) {
			cli_error(argv[optind + 1], "unknown command");
			return CLI_EXIT_USAGE;
		}
		args[0] = argv[optind + 1];
		args[1] = help_arg;
		args[2] = NULL;
		optind = 0;
		return cmd->run(2, args);
	}
	if ((cmd = find_command(argv[optind])) == NULL) {
		cli_error(argv[optind], "unknown command");
		fputs(main_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* reset getopt for the command (GNU: 0 re-initialises) */
	return cmd->run(argc, argv);
}

int
main(int argc, char **argv)
{
	int status = run(argc, argv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("stdout", "write error");
		status = CLI_EXIT_USAGE;
	}
	return status;
}
