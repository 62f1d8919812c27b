/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Stand-in for libFuzzer's main() in ordinary builds: feeds every file named
 * on the command line, or found below a named directory, to the harness's
 * LLVMFuzzerTestOneInput() once, and reports each as a TAP test. A crash or
 * abort in the harness is the failure; nothing else fails.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct paths {
	char **v;
	size_t n, cap;
};

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "replay: %s: %s\n", what, path);
	printf("Bail out! %s: %s\n", what, path);
	exit(1);
}

static void
add_path(struct paths *p, const char *path)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		char **v = realloc(p->v, cap * sizeof(*v));

		if (v == NULL)
			die("out of memory", path);
		p->v = v;
		p->cap = cap;
	}
	if ((p->v[p->n] = strdup(path)) == NULL)
		die("out of memory", path);
	p->n++;
}

static void
collect(struct paths *p, const char *path)
{
	struct dirent *e;
	struct stat st;
	DIR *dir;

	if (stat(path, &st) != 0)
		die("cannot stat", path);
	if (!S_ISDIR(st.st_mode)) {
		add_path(p, path);
		return;
	}
	if ((dir = opendir(path)) == NULL)
		die("cannot open directory", path);
	while ((e = readdir(dir)) != NULL) {
		size_t len;
		char *child;

		if (e->d_name[0] == '.') /* ., .., and hidden files such as .gitkeep */
			continue;
		len = strlen(path) + strlen(e->d_name) + 2;
		if ((child = malloc(len)) == NULL)
			die("out of memory", path);
		snprintf(child, len, "%s/%s", path, e->d_name);
		collect(p, child);
		free(child);
	}
	closedir(dir);
}

/* Exactly as many bytes as the file holds, so an over-read hits the end of
 * the allocation (visible under valgrind or ASan). */
static uint8_t *
read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die("cannot read", path);
	if ((data = malloc(size > 0 ? (size_t)size : 1)) == NULL)
		die("out of memory", path);
	if (size > 0 && fread(data, 1, (size_t)size, f) != (size_t)size)
		die("cannot read", path);
	fclose(f);
	*ret_len = (size_t)size;
	return data;
}

static int
compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	struct paths p = { 0 };

	for (int i = 1; i < argc; i++)
		collect(&p, argv[i]);
	qsort(p.v, p.n, sizeof(*p.v), compare_paths);

	printf("1..%zu\n", p.n);
	fflush(stdout);
	for (size_t i = 0; i < p.n; i++) {
		size_t len = 0;
		uint8_t *data = read_file(p.v[i], &len);

		LLVMFuzzerTestOneInput(data, len);
		free(data);
		printf("ok %zu - %s\n", i + 1, p.v[i]);
		fflush(stdout);
		free(p.v[i]);
	}
	free(p.v);
	return 0;
}
