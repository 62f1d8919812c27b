/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Shared by the QR renderers. */
#ifndef TSR_QR_PRIVATE_H
#define TSR_QR_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <tessera/qr.h>

/* Gray levels of the rendered images. */
#define TSR_QR_DARK 0x00
#define TSR_QR_LIGHT 0xff

struct tsr_qr {
	unsigned size;
	uint8_t modules[];	/* size × size, row by row, 1 = dark */
};

/* The side in pixels of the image of qr rendered at scale with quiet_zone:
 * TSR_ERR_INVALID_ARGUMENT for a NULL qr or a zero scale, TSR_ERR_LIMIT above
 * TSR_QR_RENDER_MAX_SIDE. */
int tsr_qr_raster_side(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone,
    unsigned *ret_side);

/* Writes pixel row y (0 .. side - 1) of that image, side gray bytes. */
void tsr_qr_raster_row(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone, unsigned y,
    uint8_t *row);

#endif /* TSR_QR_PRIVATE_H */
