/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera`: the headless command-line tool. Dispatches to the commands. */

#include "cli.h"

#include <getopt.h>
#include <string.h>

#include <tessera/tessera.h>

static const char main_usage[] =
    "Usage: tessera [--verbose] [--version] [--help] COMMAND [ARGS...]\n"
    "\n"
    "ISO/IEC 18013-5 mdoc tools.\n"
    "\n"
    "Commands:\n"
    "  reader verify    verify a DeviceResponse (issuer, validity, device authentication)\n"
    "  reader request   run a session with a holder: request, then verify the answer\n"
    "  reader make-request  write a DeviceRequest file\n"
    "  present          answer a reader with a credential file (testing, interop)\n"
    "  cbor dump        print a CBOR file in diagnostic notation\n"
    "  wallet ...       the holder's wallet: init, keygen, import, list, show, delete, log\n"
    "  help [COMMAND]   show the help of a command\n"
    "\n"
    "Options:\n"
    "  -v, --verbose    print the library's debug messages on stderr (they never\n"
    "                   hold keys or data element values)\n"
    "  -h, --help       show this help and exit\n"
    "  -V, --version    show the version and exit\n"
    "\n"
    "Run 'tessera COMMAND --help' for the options of a command.\n";

static const cli_command_t commands[] = {
	{ "reader", cli_cmd_reader },
	{ "cbor", cli_cmd_cbor },
	{ "wallet", cli_cmd_wallet },
	{ "present", cli_cmd_present },
};

static const cli_command_t *
find_command(const char *name)
{
	return cli_find_command(commands, sizeof(commands) / sizeof(commands[0]), name);
}

static void
print_debug(const char *msg, void *user)
{
	(void)user;
	fprintf(stderr, "tessera: debug: %s\n", msg);
}

/* `tessera help [COMMAND [SUBCOMMAND]]` */
static int
cmd_help(int argc, char **argv)
{
	static char help_arg[] = "help";
	const cli_command_t *cmd;
	char *args[4];

	if (argc < 2) {
		fputs(main_usage, stdout);
		return CLI_EXIT_OK;
	}
	if ((cmd = find_command(argv[1])) == NULL) {
		cli_error(argv[1], "unknown command");
		fputs(main_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	args[0] = argv[1];
	args[1] = help_arg;
	args[2] = argc > 2 ? argv[2] : NULL;
	args[3] = NULL;
	return cmd->run(argc > 2 ? 3 : 2, args);
}

static int
run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const cli_command_t *cmd;
	int c;

	opterr = 0;
	/* '+': stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+:hvV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(main_usage, stdout);
			return CLI_EXIT_OK;
		case 'v':
			tsr_log_set_handler(print_debug, NULL);
			break;
		case 'V':
			printf("tessera %s (libtessera %s)\n", TESSERA_CLI_VERSION, tsr_version());
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
	if (strcmp(argv[optind], "help") == 0)
		return cmd_help(argc - optind, argv + optind);
	if ((cmd = find_command(argv[optind])) == NULL) {
		cli_error(argv[optind], "unknown command");
		fputs(main_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	return cmd->run(argc - optind, argv + optind);
}

int
main(int argc, char **argv)
{
	int status = run(argc, argv);

	/* A full disk or a closed pipe must not pass for success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("stdout", "write error");
		status = CLI_EXIT_USAGE;
	}
	return status;
}
