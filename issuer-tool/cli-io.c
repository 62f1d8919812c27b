/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tessera/tessera.h>

int
cli_read_in_dir(const char *dir, const char *name, uint8_t **ret_data, size_t *ret_len)
{
	char *path = NULL;
	int r;

	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		cli_error(name, "out of memory");
		return -1;
	}
	r = cli_read_file(path, CLI_MAX_INPUT, ret_data, ret_len);
	free(path);
	return r;
}

void
cli_print_report(const char *heading, const char *report)
{
	const char *line = report;

	fprintf(stderr, "%s: %s:\n", program_invocation_short_name, heading);
	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		fprintf(stderr, "  - %.*s\n", (int)n, line);
		line = nl ? nl + 1 : NULL;
	}
}
