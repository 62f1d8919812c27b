/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <tessera/tessera.h>

const char *
tsr_version(void)
{
	return TSR_VERSION;
}
