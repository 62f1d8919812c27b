/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* What `tessera` and `tessera-issuer` share: messages, files, numbers. */

#include "cli-common.h"

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

const cli_command_t *
cli_find_command(const cli_command_t *commands, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void
cli_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", program_invocation_short_name, what);
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

	if (optopt != 0 && arg[0] == '-' && arg[1] != '-')
		arg = opt;
	cli_error(arg, "%s", c == ':' ? "option needs an argument" : "unknown option");
}

int
cli_read_file(const char *path, size_t limit, uint8_t **ret_data, size_t *ret_len)
{
	const bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	struct stat st;
	uint8_t *buf = NULL, *p;
	size_t len = 0, cap = 0, n;
	FILE *f;

	if ((f = is_stdin ? stdin : fopen(path, "rb")) == NULL) {
		cli_error(name, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_error(name, "is a directory");
		goto fail;
	}
	for (;;) {
		if (cap - len < 2) {
			/* Grow by copying, never realloc: the old block may hold a key. */
			size_t ncap = cap ? cap * 2 : 64 * 1024;

			if (ncap > limit + 2)
				ncap = limit + 2;
			if (ncap <= cap) {
				cli_error(name, "larger than the limit of %zu MiB", limit >> 20);
				goto fail;
			}
			if ((p = malloc(ncap)) == NULL) {
				cli_error(name, "out of memory");
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
			cli_error(name, "larger than the limit of %zu MiB", limit >> 20);
			goto fail;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		cli_error(name, "%s", strerror(errno ? errno : EIO));
		goto fail;
	}
	/* No input of ours is empty; said here, not as the library's "NULL or
	 * out-of-range argument" or a CBOR error. */
	if (len == 0) {
		cli_error(name, "is empty");
		goto fail;
	}
	if (!is_stdin)
		fclose(f);
	buf[len] = 0;
	*ret_data = buf;
	*ret_len = len;
	return 0;
fail:
	cli_free_data(buf, cap);
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
cli_write_file(const char *path, const void *data, size_t len, unsigned mode, bool overwrite)
{
	char *copy = NULL, *tmp = NULL;
	const uint8_t *p = data;
	size_t off = 0;
	int fd = -1, ret = -1;

	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			cli_error("stdout", "%s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!overwrite && access(path, F_OK) == 0) {
		cli_error(path, "exists (use --force to replace it)");
		return -1;
	}
	if ((copy = strdup(path)) == NULL ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dirname(copy), program_invocation_short_name) < 0) {
		tmp = NULL;
		cli_error(path, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		cli_error(path, "cannot create a temporary file: %s", strerror(errno));
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) != 0)
		goto io_error;
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto io_error;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto io_error;
	/* close() releases the descriptor even when it fails. */
	if (close(fd) != 0) {
		fd = -1;
		goto io_error;
	}
	fd = -1;
	/* link() + unlink() would refuse to replace, but rename() is atomic
	 * and the existence check above covers the no-overwrite case. */
	if (rename(tmp, path) != 0)
		goto io_error;
	free(tmp);
	tmp = NULL;
	ret = 0;
	goto out;
io_error:
	cli_error(path, "%s", strerror(errno ? errno : EIO));
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(copy);
	return ret;
}

int
cli_parse_time(const char *opt, const char *text, int64_t *ret_time)
{
	if (tsr_time_parse(text, ret_time) != TSR_OK) {
		cli_error(opt, "not an RFC 3339 time in UTC (e.g. 2026-01-01T00:00:00Z): %s", text);
		return -1;
	}
	return 0;
}

int
cli_parse_uint(const char *opt, const char *text, uint64_t min, uint64_t max,
    uint64_t *ret_value)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	if (text[0] < '0' || text[0] > '9' || (v = strtoull(text, &end, 10), errno != 0) ||
	    *end != '\0' || v < min || v > max) {
		cli_error(opt, "expected a number from %llu to %llu, got \"%s\"",
		    (unsigned long long)min, (unsigned long long)max, text);
		return -1;
	}
	*ret_value = v;
	return 0;
}
