/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Where a wallet's files live, and how a new one appears at its path.
 *
 * A new wallet is built in a hidden draft beside its path,
 * ".NAME.creating-XXXXXX", and moved to the path only once its one
 * transaction has committed and its WAL has been folded in. So the path
 * holds a whole wallet or nothing: a creation killed or cut by power loss
 * leaves at most a draft, never a file that tsr_store_open() would call
 * "no wallet" and tsr_store_create() "exists". The move is
 * renameat2(RENAME_NOREPLACE), which never replaces a wallet another
 * process published in the meantime and leaves no second name behind; on
 * a file system without it (NFS), link(2) then unlink(2) of the draft do
 * the same, except that a kill between the two leaves the draft as a
 * second name of the wallet until a creation of that name cleans up.
 *
 * Drafts left by a dead creator are removed by the next creation in the
 * same directory. Creators hold a shared flock(2) on the directory while
 * their draft exists; the clean-up runs only when it can take the lock
 * exclusively, that is when no creation is under way there, so it never
 * removes a live draft. The kernel drops a killed process's locks.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "store/store-private.h"

#define DRAFT_MARK ".creating-"

static const char *const db_suffixes[] = { "", "-wal", "-shm", "-journal" };

int
tsr_store_make_parent_dirs(const char *path)
{
	char *dir, *p;
	int r = TSR_ERR_INTERNAL;

	if ((dir = strdup(path)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		r = TSR_OK;
		goto out;
	}
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			tsr_debug("store: mkdir %s: %s", dir, strerror(errno));
			r = TSR_ERR_IO;
			goto out;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	r = TSR_OK;
out:
	free(dir);
	return r;
}

void
tsr_store_remove_files(const char *path)
{
	char *p;

	for (size_t i = 0; i < sizeof(db_suffixes) / sizeof(db_suffixes[0]); i++) {
		if (asprintf(&p, "%s%s", path, db_suffixes[i]) < 0)
			continue;
		(void)unlink(p);
		free(p);
	}
}

/* Splits path into a directory (".", when it has none) and a base name. */
static int
split_path(const char *path, char **ret_dir, const char **ret_base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*ret_dir = strdup(".");
		*ret_base = path;
	} else {
		*ret_dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
		*ret_base = slash + 1;
	}
	return *ret_dir != NULL ? TSR_OK : TSR_ERR_NO_MEMORY;
}

/* Removes what dead creations of `base` left in the directory: drafts and
 * their SQLite side files. The caller holds the directory's lock
 * exclusively, so no draft here belongs to a live creator. */
static void
remove_dead_drafts(int dir_fd, const char *base)
{
	size_t base_len = strlen(base), mark_len = strlen(DRAFT_MARK);
	struct dirent *e;
	DIR *d;
	int fd;

	if ((fd = dup(dir_fd)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;

		if (n[0] != '.' || strncmp(n + 1, base, base_len) != 0 ||
		    strncmp(n + 1 + base_len, DRAFT_MARK, mark_len) != 0)
			continue;
		if (unlinkat(dir_fd, n, 0) == 0)
			tsr_debug("store: removed %s, left by a creation that did not finish", n);
	}
	closedir(d);
}

int
tsr_store_draft_begin(const char *path, tsr_store_draft_t *draft)
{
	const char *base;
	char *dir = NULL;
	int fd, r;

	memset(draft, 0, sizeof(*draft));
	draft->dir_fd = -1;
	if ((r = split_path(path, &dir, &base)) != TSR_OK)
		return r;
	if (base[0] == '\0') {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto fail;
	}
	draft->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (draft->dir_fd < 0) {
		tsr_debug("store: open %s: %s", dir, strerror(errno));
		r = TSR_ERR_IO;
		goto fail;
	}
	/* Best effort: a file system without flock() only misses the
	 * clean-up, and no draft is ever removed without the lock. */
	if (flock(draft->dir_fd, LOCK_EX | LOCK_NB) == 0) {
		remove_dead_drafts(draft->dir_fd, base);
		(void)flock(draft->dir_fd, LOCK_SH);
	} else if (errno == EWOULDBLOCK) {
		(void)flock(draft->dir_fd, LOCK_SH);
	}
	if (asprintf(&draft->path, "%s/.%s" DRAFT_MARK "XXXXXX", dir, base) < 0) {
		draft->path = NULL;
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	if ((fd = mkostemp(draft->path, O_CLOEXEC)) < 0) {
		tsr_debug("store: create %s: %s", draft->path, strerror(errno));
		r = TSR_ERR_IO;
		goto fail;
	}
	draft->created = true;
	/* mkostemp() makes it 0600; say so rather than rely on it. */
	r = fchmod(fd, 0600) == 0 ? TSR_OK : TSR_ERR_IO;
	if (close(fd) != 0)
		r = TSR_ERR_IO;
	if (r != TSR_OK)
		goto fail;
	free(dir);
	return TSR_OK;
fail:
	free(dir);
	tsr_store_draft_discard(draft);
	return r;
}

/* fsync(2) of a file by name. */
static int
sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r = TSR_OK;

	if (fd < 0 || fsync(fd) != 0) {
		tsr_debug("store: fsync %s: %s", path, strerror(errno));
		r = TSR_ERR_IO;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

int
tsr_store_draft_publish(tsr_store_draft_t *draft, const char *path)
{
	int r;

	/* SQLite synced its commit; the sync here also covers the checkpoint
	 * that folded the WAL into the file when the connection closed. */
	if ((r = sync_file(draft->path)) != TSR_OK)
		return r;
	if (renameat2(AT_FDCWD, draft->path, AT_FDCWD, path, RENAME_NOREPLACE) != 0) {
		if (errno != EINVAL && errno != ENOSYS) {
			tsr_debug("store: rename to %s: %s", path, strerror(errno));
			return errno == EEXIST ? TSR_ERR_STORE_EXISTS : TSR_ERR_IO;
		}
		if (link(draft->path, path) != 0) {
			tsr_debug("store: link %s: %s", path, strerror(errno));
			return errno == EEXIST ? TSR_ERR_STORE_EXISTS : TSR_ERR_IO;
		}
	}
	/* The draft's name, when link() made the new one, and any side file. */
	tsr_store_remove_files(draft->path);
	draft->created = false;
	/* The new name survives power loss only once its directory is synced. */
	if (fsync(draft->dir_fd) != 0) {
		tsr_debug("store: fsync of the directory: %s", strerror(errno));
		return TSR_ERR_IO;
	}
	return TSR_OK;
}

void
tsr_store_draft_discard(tsr_store_draft_t *draft)
{
	if (draft->path != NULL && draft->created)
		tsr_store_remove_files(draft->path);
	free(draft->path);
	if (draft->dir_fd >= 0)
		close(draft->dir_fd); /* drops the directory's lock */
	memset(draft, 0, sizeof(*draft));
	draft->dir_fd = -1;
}
