/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Helpers shared by the harnesses. abort() marks a broken invariant, so
 * libFuzzer reports it like a crash. */
#ifndef TSR_FUZZ_COMMON_H
#define TSR_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The re-encoding of an accepted structure must give back its input. */
static inline void
fuzz_expect_same(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	if (a_len != b_len || memcmp(a, b, a_len) != 0)
		abort();
}

/* Reads an Annex D vector (TSR_ANNEX_D_DIR is set by meson); NULL on error. */
static inline uint8_t *
fuzz_load_vector(const char *name, size_t *ret_len)
{
	char path[4096];
	uint8_t *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TSR_ANNEX_D_DIR, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*ret_len = (size_t)n;
	fclose(f);
	return buf;
}

#endif /* TSR_FUZZ_COMMON_H */
