/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * cli_write_file() when the disk fails (docs/assurance.md, finding 3): a
 * failing write(), fsync() or close() must return -1, leave neither the
 * target nor the temporary file behind, and keep no descriptor open. The
 * program is linked with -Wl,--wrap=write,--wrap=fsync,--wrap=close, so
 * the calls cli-common.c makes go through the wrappers below, which fail
 * the one named by `failing` with `fail_errno`.
 */

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cli-common.h"

ssize_t __real_write(int fd, const void *buf, size_t len);
int __real_fsync(int fd);
int __real_close(int fd);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
int __wrap_fsync(int fd);
int __wrap_close(int fd);

typedef enum io_call {
	CALL_NONE,
	CALL_WRITE,
	CALL_FSYNC,
	CALL_CLOSE,
} io_call_t;

static io_call_t failing = CALL_NONE;
static int fail_errno;
static unsigned failures; /* calls refused */

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	/* Only the file being written: not stderr, where the error goes. */
	if (failing == CALL_WRITE && fd > STDERR_FILENO) {
		failures++;
		errno = fail_errno;
		return -1;
	}
	return __real_write(fd, buf, len);
}

int
__wrap_fsync(int fd)
{
	if (failing == CALL_FSYNC) {
		failures++;
		errno = fail_errno;
		return -1;
	}
	return __real_fsync(fd);
}

int
__wrap_close(int fd)
{
	/* Linux releases the descriptor even when close() reports an error
	 * (EIO from a network file system, say): do the same. */
	if (failing == CALL_CLOSE && fd > STDERR_FILENO) {
		failures++;
		(void)__real_close(fd);
		errno = fail_errno;
		return -1;
	}
	return __real_close(fd);
}

/* Open descriptors of this process. */
static unsigned
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	g_assert_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own */
}

/* Entries of dir, "." and ".." aside. */
static unsigned
dir_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	unsigned n = 0;

	g_assert_nonnull(d);
	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

static const char content[] = "a response of some bytes";

static void
check_failure(io_call_t call, int err)
{
	g_autofree char *dir = g_dir_make_tmp("tsr-write-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "out.cbor", NULL);
	unsigned fds = open_fds();
	int r;

	failing = call;
	fail_errno = err;
	failures = 0;
	r = cli_write_file(path, content, sizeof(content), 0600, true);
	failing = CALL_NONE;
	g_assert_cmpuint(failures, >, 0);
	g_assert_cmpint(r, ==, -1);
	/* No descriptor kept, no file written, no temporary file left. */
	g_assert_cmpuint(open_fds(), ==, fds);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_assert_cmpuint(dir_entries(dir), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
fsync_fails(void)
{
	check_failure(CALL_FSYNC, EIO);
}

static void
write_fails(void)
{
	check_failure(CALL_WRITE, ENOSPC);
}

static void
close_fails(void)
{
	check_failure(CALL_CLOSE, EIO);
}

/* The control: with nothing failing, the file is there, whole, 0600, and
 * no descriptor is kept either. */
static void
write_succeeds(void)
{
	g_autofree char *dir = g_dir_make_tmp("tsr-write-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "out.cbor", NULL);
	g_autofree char *got = NULL;
	unsigned fds = open_fds();
	struct stat st;
	gsize len = 0;

	g_assert_cmpint(cli_write_file(path, content, sizeof(content), 0600, true), ==, 0);
	g_assert_cmpuint(open_fds(), ==, fds);
	g_assert_true(g_file_get_contents(path, &got, &len, NULL));
	g_assert_cmpmem(got, len, content, sizeof(content));
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpuint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpuint(dir_entries(dir), ==, 1);
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cli-write-file/succeeds", write_succeeds);
	g_test_add_func("/cli-write-file/fsync_fails", fsync_fails);
	g_test_add_func("/cli-write-file/write_fails", write_fails);
	g_test_add_func("/cli-write-file/close_fails", close_fails);
	return g_test_run();
}
