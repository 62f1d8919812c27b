/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zbar.h>

#include <tessera/err.h>

#include "qr/qr-private.h"

/* A QR code holds 2953 bytes at most; anything longer is not ours. */
#define DECODED_MAX ((size_t)64 * 1024)

/* A scanner for QR codes only, giving their bytes as encoded: by default
 * zbar guesses a character set and converts, which could alter a byte-mode
 * payload. */
static int
new_scanner(zbar_image_scanner_t **ret)
{
	zbar_image_scanner_t *scanner;

	if ((scanner = zbar_image_scanner_create()) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0) != 0 ||
	    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) != 0 ||
	    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1) != 0) {
		zbar_image_scanner_destroy(scanner);
		return TSR_ERR_INTERNAL;
	}
	*ret = scanner;
	return TSR_OK;
}

/* Decodes the first QR code zbar finds in a packed (stride = width) image. */
static int
scan_packed(zbar_image_scanner_t *scanner, const uint8_t *pixels, unsigned width,
    unsigned height, char **ret_text)
{
	zbar_image_t *image;
	const zbar_symbol_t *sym;
	const char *data;
	size_t len;
	char *text;
	int n, r = TSR_ERR_INTERNAL;

	if ((image = zbar_image_create()) == NULL)
		return TSR_ERR_NO_MEMORY;
	zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(image, width, height);
	zbar_image_set_data(image, pixels, (unsigned long)width * height, NULL);
	if ((n = zbar_scan_image(scanner, image)) < 0)
		goto out;
	for (sym = zbar_image_first_symbol(image); sym != NULL; sym = zbar_symbol_next(sym)) {
		if (zbar_symbol_get_type(sym) == ZBAR_QRCODE)
			break;
	}
	if (n == 0 || sym == NULL) {
		r = TSR_ERR_NOT_FOUND;
		goto out;
	}
	data = zbar_symbol_get_data(sym);
	len = zbar_symbol_get_data_length(sym);
	if (len > DECODED_MAX) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if (len > 0 && (data == NULL || memchr(data, '\0', len) != NULL)) {
		r = TSR_ERR_UNSUPPORTED;
		goto out;
	}
	if ((text = malloc(len + 1)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (len > 0)
		memcpy(text, data, len);
	text[len] = '\0';
	*ret_text = text;
	r = TSR_OK;
out:
	zbar_image_destroy(image);
	return r;
}

int
tsr_qr_decode_gray8(const uint8_t *pixels, unsigned width, unsigned height, size_t stride,
    char **ret_text)
{
	zbar_image_scanner_t *scanner = NULL;
	uint8_t *copy = NULL;
	size_t npixels;
	int r = TSR_ERR_INTERNAL;

	if (pixels == NULL || ret_text == NULL || width == 0 || height == 0 || stride < width)
		return TSR_ERR_INVALID_ARGUMENT;
	if (width > TSR_QR_DECODE_MAX_SIDE || height > TSR_QR_DECODE_MAX_SIDE ||
	    (size_t)width * height > TSR_QR_DECODE_MAX_PIXELS)
		return TSR_ERR_LIMIT;
	npixels = (size_t)width * height;
	if ((r = new_scanner(&scanner)) != TSR_OK)
		return r;
	/* zbar's Y800 has no stride: rows must be contiguous. */
	if (stride != width) {
		if ((copy = malloc(npixels)) == NULL) {
			r = TSR_ERR_NO_MEMORY;
			goto out;
		}
		for (unsigned y = 0; y < height; y++)
			memcpy(copy + (size_t)y * width, pixels + (size_t)y * stride, width);
	}
	r = scan_packed(scanner, copy != NULL ? copy : pixels, width, height, ret_text);
	if (r != TSR_ERR_NOT_FOUND)
		goto out;
	/*
	 * Then inverted, for light codes on dark backgrounds (our own terminal
	 * rendering on a light-background terminal). Not with zbar's
	 * ZBAR_CFG_TEST_INVERTED: 0.23.92 inverts a long at a time and writes
	 * past its copy when width × height is not a multiple of 8.
	 */
	if (copy == NULL) {
		if ((copy = malloc(npixels)) == NULL) {
			r = TSR_ERR_NO_MEMORY;
			goto out;
		}
		memcpy(copy, pixels, npixels);
	}
	for (size_t i = 0; i < npixels; i++)
		copy[i] = (uint8_t)~copy[i];
	r = scan_packed(scanner, copy, width, height, ret_text);
out:
	free(copy);
	zbar_image_scanner_destroy(scanner);
	return r;
}

/* The chunks that make up the image as the simplified API reads it. */
static bool
is_image_chunk(const uint8_t type[4])
{
	static const char keep[][5] = { "IHDR", "PLTE", "tRNS", "gAMA", "cHRM", "sRGB", "IDAT",
		"IEND" };

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		if (memcmp(type, keep[i], 4) == 0)
			return true;
	}
	return false;
}

/*
 * Copies png with only the chunks that draw the image. libpng reads every
 * chunk before the first IDAT and allocates what its length claims: a
 * 43-byte file whose zTXt chunk claims 2 GB made it allocate 2 GB (found by
 * fuzzing), and a compressed text or ICC chunk may inflate a thousandfold.
 * None of them changes a QR code's pixels. Every chunk must also lie
 * within the input; reading stops at IEND. TSR_ERR_UNSUPPORTED for
 * anything else.
 */
static int
keep_image_chunks(const uint8_t *png, size_t len, uint8_t **ret_out, size_t *ret_out_len)
{
	static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	size_t off = sizeof(signature), out_len = sizeof(signature);
	uint8_t *out;

	if (len < sizeof(signature) || memcmp(png, signature, sizeof(signature)) != 0)
		return TSR_ERR_UNSUPPORTED;
	if ((out = malloc(len)) == NULL)
		return TSR_ERR_NO_MEMORY;
	memcpy(out, signature, sizeof(signature));
	while (off < len) {
		size_t data_len, chunk_len;
		const uint8_t *chunk = png + off;

		if (len - off < 12) {
			free(out);
			return TSR_ERR_UNSUPPORTED;
		}
		data_len = (size_t)chunk[0] << 24 | (size_t)chunk[1] << 16 |
		    (size_t)chunk[2] << 8 | chunk[3];
		if (data_len > len - off - 12) {
			free(out);
			return TSR_ERR_UNSUPPORTED;
		}
		chunk_len = 12 + data_len; /* length, type, data, CRC */
		if (is_image_chunk(chunk + 4)) {
			memcpy(out + out_len, chunk, chunk_len);
			out_len += chunk_len;
		}
		off += chunk_len;
		if (memcmp(chunk + 4, "IEND", 4) == 0)
			break;
	}
	*ret_out = out;
	*ret_out_len = out_len;
	return TSR_OK;
}

int
tsr_qr_decode_png(const uint8_t *png, size_t len, char **ret_text)
{
	/* Transparent pixels become white: a QR code drawn on nothing. */
	const png_color white = { 0xff, 0xff, 0xff };
	png_image image;
	uint8_t *gray = NULL, *kept = NULL;
	size_t kept_len = 0;
	int r = TSR_ERR_INTERNAL;

	if (png == NULL || ret_text == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > TSR_QR_PNG_MAX_LEN)
		return TSR_ERR_LIMIT;
	memset(&image, 0, sizeof(image));
	if ((r = keep_image_chunks(png, len, &kept, &kept_len)) != TSR_OK)
		goto out;
	/*
	 * libpng's simplified API: it reads every colour type and bit depth
	 * and converts to 8-bit gray with its own transforms (expand palette
	 * and low depths, strip 16 bits, rgb_to_gray, compose alpha on the
	 * background), and it turns libpng's longjmp errors into a return
	 * value, so no setjmp here.
	 */
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&image, kept, kept_len)) {
		r = TSR_ERR_UNSUPPORTED;
		goto out;
	}
	/* Limits before allocation: IHDR may claim anything up to 2^31 - 1. */
	if (image.width > TSR_QR_DECODE_MAX_SIDE || image.height > TSR_QR_DECODE_MAX_SIDE ||
	    (size_t)image.width * image.height > TSR_QR_DECODE_MAX_PIXELS) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	image.format = PNG_FORMAT_GRAY;
	if ((gray = malloc((size_t)image.width * image.height)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (!png_image_finish_read(&image, &white, gray, (png_int_32)image.width, NULL)) {
		r = TSR_ERR_UNSUPPORTED;
		goto out;
	}
	r = tsr_qr_decode_gray8(gray, image.width, image.height, image.width, ret_text);
out:
	png_image_free(&image);
	free(gray);
	free(kept);
	return r;
}
