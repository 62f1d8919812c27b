/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include <tessera/tessera.h>

static tsr_log_fn log_fn;
static void *log_user;

void
tsr_log_set_handler(tsr_log_fn fn, void *user)
{
	log_fn = fn;
	log_user = user;
}

void
tsr_debug(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (log_fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_fn(line, log_user);
}
