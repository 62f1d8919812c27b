/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Showing an engagement on a terminal. */

#include "cli.h"

#include <tessera/tessera.h>

void
cli_print_qr(FILE *f, const char *uri)
{
	tsr_qr_t *qr = NULL;
	char *text = NULL;

	if (tsr_qr_encode(uri, &qr) == TSR_OK && tsr_qr_to_text(qr, &text) == TSR_OK)
		fputs(text, f);
	tsr_free(text);
	tsr_qr_free(qr);
	fputs("Engagement: ", f);
	cli_put_text(f, uri);
	fputc('\n', f);
	fflush(f);
}

int
cli_write_qr_png(const char *path, const char *uri)
{
	tsr_qr_t *qr = NULL;
	uint8_t *png = NULL;
	size_t len = 0;
	int err, status = -1;

	/* 8 px per module and the standard 4-module quiet zone: crisp on
	 * screens and in prints, easy for any scanner. */
	if ((err = tsr_qr_encode(uri, &qr)) != TSR_OK ||
	    (err = tsr_qr_to_png(qr, 8, 4, &png, &len)) != TSR_OK) {
		cli_error(path, "cannot make the QR code: %s", tsr_strerror(err));
		goto out;
	}
	status = cli_write_file(path, png, len, 0644, true);
out:
	tsr_free(png);
	tsr_qr_free(qr);
	return status;
}
