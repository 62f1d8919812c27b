/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* --trust: IACA certificates from files or directories. */

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <tessera/tessera.h>

static int
add_anchor_file(tsr_verifier_t *v, const char *path)
{
	uint8_t *data;
	size_t len;
	int err;

	if (cli_read_file(path, CLI_MAX_INPUT, &data, &len) < 0)
		return -1;
	err = tsr_verifier_add_trust_anchor(v, data, len);
	cli_free_data(data, len);
	if (err != TSR_OK) {
		cli_error(path, "%s", tsr_strerror(err));
		return -1;
	}
	return 0;
}

static int
is_cert_name(const struct dirent *d)
{
	const char *dot = strrchr(d->d_name, '.');

	return d->d_name[0] != '.' && dot != NULL &&
	    (strcasecmp(dot, ".pem") == 0 || strcasecmp(dot, ".der") == 0 ||
		strcasecmp(dot, ".crt") == 0);
}

/* Every *.pem, *.der and *.crt file in dir, in name order. */
static int
add_anchor_dir(tsr_verifier_t *v, const char *dir)
{
	struct dirent **names = NULL;
	struct stat st;
	size_t loaded = 0;
	char *path;
	int n, r = 0;

	if ((n = scandir(dir, &names, is_cert_name, alphasort)) < 0) {
		cli_error(dir, "%s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (r == 0 && asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0) {
			cli_error(dir, "out of memory");
			r = -1;
		} else if (r == 0) {
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				r = add_anchor_file(v, path);
				loaded++;
			}
			free(path);
		}
		free(names[i]);
	}
	free(names);
	if (r == 0 && loaded == 0) {
		cli_error(dir, "no certificate files (*.pem, *.der, *.crt) in this directory");
		r = -1;
	}
	return r;
}

int
cli_add_trust(tsr_verifier_t *v, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return add_anchor_dir(v, path);
	return add_anchor_file(v, path);
}
