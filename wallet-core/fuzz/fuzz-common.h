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

/* A deterministic random source for tsr_random_set(): xorshift64* over the
 * uint64_t state that user points to, so that a harness makes the same keys
 * in every build and its seeds stay meaningful. */
static inline int
fuzz_fixed_random(void *user, uint8_t *out, size_t len)
{
	uint64_t *state = user;

	for (size_t i = 0; i < len; i++) {
		*state ^= *state >> 12;
		*state ^= *state << 25;
		*state ^= *state >> 27;
		out[i] = (uint8_t)((*state * 0x2545f4914f6cdd1dull) >> 56);
	}
	return 0;
}

/* Reads dir/name whole; NULL on error. */
static inline uint8_t *
fuzz_load_file(const char *dir, const char *name, size_t *ret_len)
{
	char path[4096];
	uint8_t *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
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

/* Reads an Annex D vector (TSR_ANNEX_D_DIR is set by meson); NULL on error. */
static inline uint8_t *
fuzz_load_vector(const char *name, size_t *ret_len)
{
	return fuzz_load_file(TSR_ANNEX_D_DIR, name, ret_len);
}

#endif /* TSR_FUZZ_COMMON_H */
