/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <sys/random.h>

#include <tessera/tessera.h>

static tsr_random_fn random_fn;
static void *random_user;

void
tsr_random_set(tsr_random_fn fn, void *user)
{
	random_fn = fn;
	random_user = user;
}

static int
system_random(uint8_t *out, size_t len)
{
	while (len > 0) {
		ssize_t n = getrandom(out, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		out += n;
		len -= (size_t)n;
	}
	return 0;
}

int
tsr_random_bytes(uint8_t *out, size_t len)
{
	int failed;

	if (out == NULL && len > 0)
		return TSR_ERR_INVALID_ARGUMENT;
	failed = random_fn ? random_fn(random_user, out, len) : system_random(out, len);
	return failed ? TSR_ERR_RANDOM : TSR_OK;
}
