/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
cli_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tessera: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_bad_option(char *const *argv, int c)
{
	const char *arg = argv[optind - 1];
	char opt[3] = { '-', (char)optopt, 0 };

	/* For a short option argv[optind - 1] may be a cluster like "-jx". */
	if (optopt != 0 && arg[0] == '-' && arg[1] != '-')
		arg = opt;
	cli_error(arg, "%s", c == ':' ? "option needs an argument" : "unknown option");
}

static void
read_fail(const char *path, uint8_t *buf, size_t cap, const char *why)
{
	cli_error(path, "%s", why);
	cli_free_data(buf, cap);
}

int
cli_read_file(const char *path, size_t limit, uint8_t **ret_data, size_t *ret_len)
{
	const bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	char too_big[64];
	struct stat st;
	uint8_t *buf = NULL, *p;
	size_t len = 0, cap = 0, n;
	FILE *f;

	snprintf(too_big, sizeof(too_big), "larger than the limit of %zu MiB",
	    limit / (1024 * 1024));
	if ((f = is_stdin ? stdin : fopen(path, "rb")) == NULL) {
		cli_error(name, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			read_fail(name, NULL, 0, "is a directory");
			goto fail;
		}
		if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size > limit) {
			read_fail(name, NULL, 0, too_big);
			goto fail;
		}
	}
	for (;;) {
		if (cap - len < 2) {
			/* Grow by copying, never realloc: the old block may hold a key. */
			size_t ncap = cap ? cap * 2 : 64 * 1024;

			if (ncap > limit + 2)
				ncap = limit + 2;
			if (ncap <= cap) {
				read_fail(name, buf, cap, too_big);
				goto fail;
			}
			if ((p = malloc(ncap)) == NULL) {
				read_fail(name, buf, cap, "out of memory");
				goto fail;
			}
			if (len > 0)
				memcpy(p, buf, len);
			cli_free_data(buf, cap);
			buf = p;
			cap = ncap;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (len > limit) {
			read_fail(name, buf, cap, too_big);
			goto fail;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		read_fail(name, buf, cap, strerror(errno ? errno : EIO));
		goto fail;
	}
	if (!is_stdin)
		fclose(f);
	buf[len] = 0;
	*ret_data = buf;
	*ret_len = len;
	return 0;
fail:
	if (!is_stdin)
		fclose(f);
	return -1;
}

void
cli_free_data(uint8_t *data, size_t len)
{
	if (data == NULL)
		return;
	explicit_bzero(data, len);
	free(data);
}

int
cli_write_file(const char *path, const uint8_t *data, size_t len)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1;

	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			cli_error("stdout", "%s", strerror(errno));
			return -1;
		}
		return 0;
	}
	/* Write beside the target and rename: readers never see half a file. */
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		cli_error(path, "out of memory");
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "wb")) == NULL) {
		cli_error(path, "%s", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -1;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0 ||
	    fclose(f) != 0 || rename(tmp, path) != 0) {
		cli_error(path, "%s", strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
