/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A PNG writer just big enough for a QR code: 8-bit grayscale, one IDAT,
 * every scanline with filter 0 (None). PNG's other filters gain nothing on
 * an image of flat runs, which deflate already squeezes. */

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <tessera/err.h>

#include "base/buf.h"
#include "qr/qr-private.h"

static const uint8_t png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Appends the chunk header: length and type. The data follows in the buffer,
 * then end_chunk() adds the CRC. */
static int
begin_chunk(tsr_buf_t *b, const char type[4], uint32_t len)
{
	uint8_t head[8];

	put_be32(head, len);
	memcpy(head + 4, type, 4);
	return tsr_buf_append(b, head, sizeof(head));
}

/* The CRC covers the type and the data, from `start` (the type's offset). */
static int
end_chunk(tsr_buf_t *b, size_t start)
{
	uint8_t crc[4];

	put_be32(crc, (uint32_t)crc32_z(0, b->ptr + start, b->len - start));
	return tsr_buf_append(b, crc, sizeof(crc));
}

/* Deflates the filtered scanlines straight into the buffer. */
static int
append_image_data(tsr_buf_t *b, const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone,
    unsigned side)
{
	z_stream z;
	uint8_t *line;
	int r = TSR_ERR_INTERNAL, zr = Z_OK;

	memset(&z, 0, sizeof(z));
	if ((line = malloc((size_t)side + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK) {
		free(line);
		return TSR_ERR_NO_MEMORY;
	}
	line[0] = 0;	/* filter type None */
	/* One pass per scanline (a module row repeats scale times), then one
	 * to finish the stream. */
	for (unsigned y = 0; y <= side && zr == Z_OK; y++) {
		int flush = y == side ? Z_FINISH : Z_NO_FLUSH;

		if (y < side && y % scale == 0)
			tsr_qr_raster_row(qr, scale, quiet_zone, y, line + 1);
		z.next_in = line;
		z.avail_in = y < side ? side + 1 : 0;
		/* Each call gets at least 4 KiB of room, so it always progresses
		 * until the row is consumed (or, finishing, the stream ends). */
		do {
			if ((r = tsr_buf_reserve(b, 4096)) != TSR_OK)
				goto out;
			z.next_out = b->ptr + b->len;
			z.avail_out = (uInt)(b->cap - b->len > 65536 ? 65536 : b->cap - b->len);
			zr = deflate(&z, flush);
			b->len = (size_t)(z.next_out - b->ptr);
		} while (zr == Z_OK && (z.avail_in > 0 || flush == Z_FINISH));
	}
	r = zr == Z_STREAM_END ? TSR_OK : TSR_ERR_INTERNAL;
out:
	deflateEnd(&z);
	free(line);
	return r;
}

int
tsr_qr_to_png(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone, uint8_t **ret_png,
    size_t *ret_len)
{
	uint8_t ihdr[13];
	unsigned side = 0;
	size_t start, idat_len;
	tsr_buf_t b;
	int r = TSR_ERR_INTERNAL;

	if (ret_png == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_qr_raster_side(qr, scale, quiet_zone, &side)) != TSR_OK)
		return r;
	tsr_buf_init(&b);
	put_be32(ihdr, side);
	put_be32(ihdr + 4, side);
	ihdr[8] = 8;	/* bit depth */
	ihdr[9] = 0;	/* colour type: grayscale */
	ihdr[10] = 0;	/* compression: deflate */
	ihdr[11] = 0;	/* filter method 0 */
	ihdr[12] = 0;	/* no interlace */
	if ((r = tsr_buf_append(&b, png_signature, sizeof(png_signature))) != TSR_OK ||
	    (r = begin_chunk(&b, "IHDR", sizeof(ihdr))) != TSR_OK ||
	    (r = tsr_buf_append(&b, ihdr, sizeof(ihdr))) != TSR_OK ||
	    (r = end_chunk(&b, b.len - sizeof(ihdr) - 4)) != TSR_OK ||
	    (r = begin_chunk(&b, "IDAT", 0)) != TSR_OK)
		goto out;
	start = b.len - 4;
	if ((r = append_image_data(&b, qr, scale, quiet_zone, side)) != TSR_OK)
		goto out;
	/* A 4096-pixel square deflates to far less than PNG's 2^31 - 1. */
	idat_len = b.len - start - 4;
	if (idat_len > 0x7fffffff) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	put_be32(b.ptr + start - 4, (uint32_t)idat_len);
	if ((r = end_chunk(&b, start)) != TSR_OK ||
	    (r = begin_chunk(&b, "IEND", 0)) != TSR_OK ||
	    (r = end_chunk(&b, b.len - 4)) != TSR_OK)
		goto out;
	r = tsr_buf_steal(&b, ret_png, ret_len);
out:
	tsr_buf_free(&b);
	return r;
}
