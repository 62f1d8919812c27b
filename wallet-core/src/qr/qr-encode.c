/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include <tessera/err.h>

#include "qr/qr-private.h"

/* The terminal rendering's quiet zone, in modules. */
#define TEXT_QUIET_ZONE 2u

/* UTF-8 of the block elements the terminal rendering draws with. */
#define UPPER_HALF "\xe2\x96\x80"	/* U+2580 ▀ */
#define LOWER_HALF "\xe2\x96\x84"	/* U+2584 ▄ */
#define FULL_BLOCK "\xe2\x96\x88"	/* U+2588 █ */

int
tsr_qr_encode(const char *text, tsr_qr_t **ret)
{
	QRcode *code = NULL;
	tsr_qr_t *qr = NULL;
	size_t len, size;
	int r = TSR_ERR_INTERNAL;

	if (text == NULL || ret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	len = strnlen(text, TSR_QR_TEXT_MAX + 1);
	if (len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > TSR_QR_TEXT_MAX)
		return TSR_ERR_LIMIT;
	/*
	 * Level M restores up to 15% of damaged codewords, against L's 7%: a
	 * phone filming a screen meets glare, moiré and reflections, and the
	 * few extra modules M costs for an engagement URI (Annex D's: 53
	 * rather than 49 a side) still render large. L is only the fallback
	 * for a text too long for M.
	 */
	errno = 0;
	code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (code == NULL && errno == ERANGE) {
		errno = 0;
		code = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	}
	if (code == NULL) {
		r = errno == ERANGE ? TSR_ERR_LIMIT :
		    errno == ENOMEM ? TSR_ERR_NO_MEMORY : TSR_ERR_INTERNAL;
		goto out;
	}
	if (code->width < 21 || code->width > 177)
		goto out;
	size = (size_t)code->width;
	if ((qr = malloc(sizeof(*qr) + size * size)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	qr->size = (unsigned)size;
	/* libqrencode: bit 0 of each byte is the module's colour, 1 = dark. */
	for (size_t i = 0; i < size * size; i++)
		qr->modules[i] = code->data[i] & 1u;
	*ret = qr;
	qr = NULL;
	r = TSR_OK;
out:
	QRcode_free(code);
	free(qr);
	return r;
}

void
tsr_qr_free(tsr_qr_t *qr)
{
	free(qr);
}

unsigned
tsr_qr_size(const tsr_qr_t *qr)
{
	return qr == NULL ? 0 : qr->size;
}

bool
tsr_qr_module(const tsr_qr_t *qr, unsigned x, unsigned y)
{
	if (qr == NULL || x >= qr->size || y >= qr->size)
		return false;
	return qr->modules[(size_t)y * qr->size + x] != 0;
}

int
tsr_qr_raster_side(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone, unsigned *ret_side)
{
	size_t side;

	if (qr == NULL || scale == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	/* Bounding each factor first keeps the product far from overflow. */
	if (scale > TSR_QR_RENDER_MAX_SIDE || quiet_zone > TSR_QR_RENDER_MAX_SIDE)
		return TSR_ERR_LIMIT;
	side = ((size_t)qr->size + 2 * (size_t)quiet_zone) * scale;
	if (side > TSR_QR_RENDER_MAX_SIDE)
		return TSR_ERR_LIMIT;
	*ret_side = (unsigned)side;
	return TSR_OK;
}

void
tsr_qr_raster_row(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone, unsigned y,
    uint8_t *row)
{
	unsigned side = (qr->size + 2 * quiet_zone) * scale;
	unsigned my = y / scale;

	memset(row, TSR_QR_LIGHT, side);
	if (my < quiet_zone || my - quiet_zone >= qr->size)
		return;
	my -= quiet_zone;
	for (unsigned mx = 0; mx < qr->size; mx++) {
		if (qr->modules[(size_t)my * qr->size + mx])
			memset(row + (size_t)(quiet_zone + mx) * scale, TSR_QR_DARK, scale);
	}
}

int
tsr_qr_to_rgb(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone, uint8_t **ret_pixels,
    unsigned *ret_width, unsigned *ret_height, size_t *ret_stride)
{
	uint8_t *pixels = NULL, *gray = NULL;
	unsigned side = 0;
	size_t stride;
	int r = TSR_ERR_INTERNAL;

	if (ret_pixels == NULL || ret_width == NULL || ret_height == NULL || ret_stride == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_qr_raster_side(qr, scale, quiet_zone, &side)) != TSR_OK)
		return r;
	stride = (size_t)side * 3;
	if ((pixels = malloc(stride * side)) == NULL || (gray = malloc(side)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	for (unsigned y = 0; y < side; y++) {
		uint8_t *row = pixels + (size_t)y * stride;

		/* Each module row repeats for scale pixel rows. */
		if (y % scale != 0) {
			memcpy(row, row - stride, stride);
			continue;
		}
		tsr_qr_raster_row(qr, scale, quiet_zone, y, gray);
		for (unsigned x = 0; x < side; x++)
			memset(row + (size_t)x * 3, gray[x], 3);
	}
	*ret_pixels = pixels;
	*ret_width = side;
	*ret_height = side;
	*ret_stride = stride;
	pixels = NULL;
	r = TSR_OK;
out:
	free(gray);
	free(pixels);
	return r;
}

/* Whether the module at (x, y) of the symbol with its quiet zone is drawn
 * (light); rows past the bottom are terminal background. */
static bool
text_ink(const tsr_qr_t *qr, unsigned x, unsigned y)
{
	unsigned side = qr->size + 2 * TEXT_QUIET_ZONE;

	if (y >= side)
		return false;
	if (x < TEXT_QUIET_ZONE || y < TEXT_QUIET_ZONE)
		return true;
	return !tsr_qr_module(qr, x - TEXT_QUIET_ZONE, y - TEXT_QUIET_ZONE);
}

int
tsr_qr_to_text(const tsr_qr_t *qr, char **ret_text)
{
	unsigned side;
	size_t cap;
	char *text, *p;

	if (qr == NULL || ret_text == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	side = qr->size + 2 * TEXT_QUIET_ZONE;
	/* At most 3 bytes a character, a newline a line, a NUL. */
	cap = ((size_t)side + 1) / 2 * ((size_t)side * 3 + 1) + 1;
	if ((text = malloc(cap)) == NULL)
		return TSR_ERR_NO_MEMORY;
	p = text;
	for (unsigned y = 0; y < side; y += 2) {
		for (unsigned x = 0; x < side; x++) {
			bool top = text_ink(qr, x, y), bottom = text_ink(qr, x, y + 1);
			const char *glyph = top && bottom ? FULL_BLOCK : top ? UPPER_HALF :
			    bottom ? LOWER_HALF : " ";
			size_t n = strlen(glyph);

			memcpy(p, glyph, n);
			p += n;
		}
		*p++ = '\n';
	}
	*p = '\0';
	*ret_text = text;
	return TSR_OK;
}
