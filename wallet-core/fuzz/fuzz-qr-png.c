/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A PNG file (a reader's --qr-image) through libpng and zbar. */

#include <tessera/tessera.h>

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = NULL;
	int r;

	r = tsr_qr_decode_png(data, size, &text);
	/* Success and only success hands out a string. */
	if ((r == TSR_OK) != (text != NULL))
		abort();
	free(text);
	return 0;
}
