/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Showing an engagement on a terminal. */

#include "cli.h"

void
cli_print_qr(FILE *f, const char *uri)
{
	fputs("Engagement: ", f);
	cli_put_text(f, uri);
	fputc('\n', f);
	fflush(f);
}
