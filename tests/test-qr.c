/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <png.h>
#include <zlib.h>

#include <tessera/tessera.h>

#include "test-support.h"

/* The Annex D engagement as a QR string (digest §2.1). */
#define ANNEX_D_QR \
	"mdoc:owBjMS4wAYIB2BhYS6QBAiABIVggWojRgrzl9C76WZQ_MzWdLoqWj_KJ2T5fpES2JDQxZ_4iWCCxboz4" \
	"WN3HaQQHumHUwzgjeoz8895qpnL8YKVXqjL8ZwKBgwIBowD0AfULUEXv73QrLEg3qaOw4dBaaRc"

#define SCALE 6u

static tsr_qr_t *
annex_d_qr(void)
{
	tsr_qr_t *qr = NULL;

	g_assert_cmpint(tsr_qr_encode(ANNEX_D_QR, &qr), ==, TSR_OK);
	g_assert_nonnull(qr);
	return qr;
}

/* The image tsr_qr_to_png() draws, built here from the modules alone. */
static uint8_t *
expected_gray(const tsr_qr_t *qr, unsigned scale, unsigned qz, unsigned *ret_side)
{
	unsigned size = tsr_qr_size(qr), side = (size + 2 * qz) * scale;
	uint8_t *img = g_malloc((gsize)side * side);

	for (unsigned y = 0; y < side; y++) {
		for (unsigned x = 0; x < side; x++) {
			unsigned mx = x / scale, my = y / scale;
			bool dark = mx >= qz && my >= qz && tsr_qr_module(qr, mx - qz, my - qz);

			img[(gsize)y * side + x] = dark ? 0 : 255;
		}
	}
	*ret_side = side;
	return img;
}

/* Bitwise CRC-32 (ISO 3309), independent of zlib's table-driven one. */
static uint32_t
crc32_bitwise(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return c ^ 0xffffffffu;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
valid_encode(void)
{
	tsr_qr_t *qr = annex_d_qr();
	unsigned size = tsr_qr_size(qr), dark = 0;

	/* 160 bytes, level M: version 9 (53 modules; 8-M holds only 152). */
	g_test_message("Annex D URI: %u modules per side", size);
	g_assert_cmpuint(size, ==, 53);
	/* The three finder patterns: dark 7×7 borders in three corners. */
	for (unsigned i = 0; i < 7; i++) {
		g_assert_true(tsr_qr_module(qr, i, 0));
		g_assert_true(tsr_qr_module(qr, 0, i));
		g_assert_true(tsr_qr_module(qr, size - 1 - i, 0));
		g_assert_true(tsr_qr_module(qr, i, size - 1));
	}
	g_assert_false(tsr_qr_module(qr, 1, 1));
	g_assert_true(tsr_qr_module(qr, 3, 3));
	/* Outside the symbol is quiet zone. */
	g_assert_false(tsr_qr_module(qr, size, 0));
	g_assert_false(tsr_qr_module(qr, 0, size));
	g_assert_false(tsr_qr_module(qr, UINT_MAX, UINT_MAX));
	g_assert_false(tsr_qr_module(NULL, 0, 0));
	g_assert_cmpuint(tsr_qr_size(NULL), ==, 0);
	for (unsigned y = 0; y < size; y++)
		for (unsigned x = 0; x < size; x++)
			dark += tsr_qr_module(qr, x, y);
	/* Masking keeps the dark share near half. */
	g_assert_cmpuint(dark, >, size * size * 3 / 10);
	g_assert_cmpuint(dark, <, size * size * 7 / 10);
	tsr_qr_free(qr);
	tsr_qr_free(NULL);
}

static void
roundtrip_text(const char *text, int expect)
{
	tsr_qr_t *qr = NULL;
	uint8_t *png = NULL;
	size_t len = 0;
	char *out = NULL;

	g_assert_cmpint(tsr_qr_encode(text, &qr), ==, expect);
	if (expect != TSR_OK) {
		g_assert_null(qr);
		return;
	}
	g_assert_cmpint(tsr_qr_to_png(qr, 3, TSR_QR_QUIET_ZONE, &png, &len), ==, TSR_OK);
	g_assert_cmpint(tsr_qr_decode_png(png, len, &out), ==, TSR_OK);
	g_assert_cmpstr(out, ==, text);
	free(out);
	free(png);
	tsr_qr_free(qr);
}

static void
valid_encode_lengths(void)
{
	char *text;
	tsr_qr_t *qr = NULL;

	/* Bytes above 0x7f come back exactly as encoded (no charset guessing). */
	roundtrip_text("mdoc:\xc3\xa4\xe2\x82\xac \xff\x80 12345 ABC", TSR_OK);
	roundtrip_text("x", TSR_OK);
	/* 2500 bytes fit only at level L (M holds 2331), 2953 is the most. */
	text = g_malloc(TSR_QR_TEXT_MAX + 2);
	for (size_t i = 0; i < TSR_QR_TEXT_MAX + 1; i++)
		text[i] = (char)('a' + i % 26);
	text[2500] = '\0';
	roundtrip_text(text, TSR_OK);
	text[2500] = 'a';
	text[TSR_QR_TEXT_MAX] = '\0';
	g_assert_cmpint(tsr_qr_encode(text, &qr), ==, TSR_OK);
	g_assert_cmpuint(tsr_qr_size(qr), ==, 177);
	tsr_qr_free(qr);
	qr = NULL;
	text[TSR_QR_TEXT_MAX] = 'a';
	text[TSR_QR_TEXT_MAX + 1] = '\0';
	g_assert_cmpint(tsr_qr_encode(text, &qr), ==, TSR_ERR_LIMIT);
	g_assert_null(qr);
	g_free(text);

	g_assert_cmpint(tsr_qr_encode("", &qr), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_encode(NULL, &qr), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_encode("x", NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(qr);
}

static void
valid_png_roundtrip(void)
{
	tsr_qr_t *qr = annex_d_qr();
	uint8_t *png = NULL;
	size_t len = 0;
	char *text = NULL;
	g_autofree char *zbarimg = g_find_program_in_path("zbarimg");

	g_assert_cmpint(tsr_qr_to_png(qr, SCALE, TSR_QR_QUIET_ZONE, &png, &len), ==, TSR_OK);
	g_test_message("PNG: %zu bytes", len);
	g_assert_cmpint(tsr_qr_decode_png(png, len, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	free(text);

	/* An independent reader, when zbar-tools is installed. */
	if (zbarimg != NULL) {
		g_autofree char *path = NULL, *out = NULL, *err = NULL;
		g_autoptr(GError) error = NULL;
		int fd, status = -1;

		fd = g_file_open_tmp("test-qr-XXXXXX.png", &path, &error);
		g_assert_no_error(error);
		close(fd);
		g_assert_true(g_file_set_contents(path, (const char *)png, (gssize)len, &error));
		g_assert_no_error(error);
		g_autofree char *q_prog = g_shell_quote(zbarimg), *q_path = g_shell_quote(path);
		g_autofree char *cmd = g_strdup_printf("%s --nodbus -q --raw %s", q_prog, q_path);
		g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, &error));
		g_assert_no_error(error);
		g_assert_true(g_spawn_check_wait_status(status, NULL));
		g_strchomp(out);
		g_assert_cmpstr(out, ==, ANNEX_D_QR);
		g_unlink(path);
	} else {
		g_test_message("zbarimg not installed: checked with libzbar only");
	}
	free(png);
	tsr_qr_free(qr);
}

static void
valid_png_structure(void)
{
	static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const char *const order[] = { "IHDR", "IDAT", "IEND" };
	tsr_qr_t *qr = annex_d_qr();
	g_autofree uint8_t *expect = NULL, *raw = NULL;
	g_autoptr(GByteArray) idat = g_byte_array_new();
	unsigned side = 0, size = tsr_qr_size(qr), nchunks = 0;
	uint8_t *png = NULL;
	size_t len = 0, pos;
	uLongf raw_len;

	g_assert_cmpint(tsr_qr_to_png(qr, SCALE, TSR_QR_QUIET_ZONE, &png, &len), ==, TSR_OK);
	g_assert_cmpuint(len, >, sizeof(signature));
	g_assert_cmpmem(png, sizeof(signature), signature, sizeof(signature));
	expect = expected_gray(qr, SCALE, TSR_QR_QUIET_ZONE, &side);
	g_assert_cmpuint(side, ==, (size + 8) * SCALE);

	for (pos = sizeof(signature); pos < len; nchunks++) {
		uint32_t clen;
		const uint8_t *type, *data;

		g_assert_cmpuint(len - pos, >=, 12);
		clen = get_be32(png + pos);
		g_assert_cmpuint(clen, <=, len - pos - 12);
		type = png + pos + 4;
		data = type + 4;
		/* The CRC covers type and data. */
		g_assert_cmphex(get_be32(data + clen), ==, crc32_bitwise(type, 4 + (size_t)clen));
		if (nchunks == 0) {
			g_assert_cmpmem(type, 4, "IHDR", 4);
			g_assert_cmpuint(clen, ==, 13);
			g_assert_cmpuint(get_be32(data), ==, side);
			g_assert_cmpuint(get_be32(data + 4), ==, side);
			g_assert_cmpuint(data[8], ==, 8);	/* bit depth */
			g_assert_cmpuint(data[9], ==, 0);	/* grayscale */
			g_assert_cmpuint(data[10], ==, 0);	/* deflate */
			g_assert_cmpuint(data[11], ==, 0);	/* filter method */
			g_assert_cmpuint(data[12], ==, 0);	/* no interlace */
		} else if (memcmp(type, "IDAT", 4) == 0) {
			g_byte_array_append(idat, data, clen);
		} else {
			g_assert_cmpmem(type, 4, "IEND", 4);
			g_assert_cmpuint(clen, ==, 0);
			g_assert_cmpuint(pos + 12, ==, len);	/* nothing after IEND */
		}
		g_assert_cmpmem(type, 4, order[nchunks < 2 ? nchunks :
		    memcmp(type, "IEND", 4) == 0 ? 2 : 1], 4);
		pos += 12 + (size_t)clen;
	}
	g_assert_cmpuint(pos, ==, len);
	g_assert_cmpuint(nchunks, >=, 3);

	/* IDAT: a zlib stream of side scanlines, each filter byte 0 then the pixels. */
	raw_len = (uLongf)side * (side + 1);
	raw = g_malloc(raw_len + 1);
	g_assert_cmpint(uncompress(raw, &raw_len, idat->data, idat->len), ==, Z_OK);
	g_assert_cmpuint(raw_len, ==, (uLongf)side * (side + 1));
	for (unsigned y = 0; y < side; y++) {
		const uint8_t *line = raw + (size_t)y * (side + 1);

		g_assert_cmpuint(line[0], ==, 0);
		g_assert_cmpmem(line + 1, side, expect + (size_t)y * side, side);
	}
	free(png);

	/* Other scales and quiet zones, and a scale of 1. */
	g_assert_cmpint(tsr_qr_to_png(qr, 1, 0, &png, &len), ==, TSR_OK);
	g_assert_cmpuint(get_be32(png + 16), ==, size);
	free(png);
	g_assert_cmpint(tsr_qr_to_png(qr, 3, 10, &png, &len), ==, TSR_OK);
	g_assert_cmpuint(get_be32(png + 16), ==, (size + 20) * 3);
	free(png);
	tsr_qr_free(qr);
}

/* Writes the code with libpng in one of its formats: RGB in colours, RGBA
 * with transparent light modules (black underneath, so only compositing on
 * white reads them as light), a 2-colour palette (1 bit per pixel), and
 * 16-bit linear gray. */
static void
valid_png_formats(void)
{
	static const uint32_t formats[] = {
		PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA,
		PNG_FORMAT_RGB_COLORMAP, PNG_FORMAT_LINEAR_Y,
	};
	tsr_qr_t *qr = annex_d_qr();
	g_autofree uint8_t *gray = NULL;
	unsigned side = 0;

	gray = expected_gray(qr, 4, TSR_QR_QUIET_ZONE, &side);
	for (size_t f = 0; f < G_N_ELEMENTS(formats); f++) {
		png_image image;
		g_autofree uint8_t *pixels = NULL, *png = NULL;
		uint8_t colormap[6] = { 0x20, 0x30, 0x80, 0xff, 0xf0, 0xc0 };
		png_alloc_size_t len = 0;
		unsigned channels;
		char *text = NULL;

		memset(&image, 0, sizeof(image));
		image.version = PNG_IMAGE_VERSION;
		image.width = side;
		image.height = side;
		image.format = formats[f];
		if (formats[f] == PNG_FORMAT_RGB_COLORMAP)
			image.colormap_entries = 2;
		channels = PNG_IMAGE_SAMPLE_CHANNELS(formats[f]);
		pixels = g_malloc0(PNG_IMAGE_SIZE(image));
		for (size_t i = 0; i < (size_t)side * side; i++) {
			bool dark = gray[i] == 0;

			switch (formats[f]) {
			case PNG_FORMAT_GA:
				pixels[2 * i] = gray[i];
				pixels[2 * i + 1] = 255;
				break;
			case PNG_FORMAT_RGB:
				memcpy(pixels + 3 * i, colormap + (dark ? 0 : 3), 3);
				break;
			case PNG_FORMAT_RGBA:
				pixels[4 * i + 3] = dark ? 255 : 0;
				break;
			case PNG_FORMAT_RGB_COLORMAP:
				pixels[i] = dark ? 0 : 1;
				break;
			case PNG_FORMAT_LINEAR_Y:
				((uint16_t *)(void *)pixels)[i] = dark ? 0 : 65535;
				break;
			default:
				pixels[i] = gray[i];
				break;
			}
		}
		g_assert_true(png_image_write_get_memory_size(image, len, 0, pixels, 0, colormap));
		png = g_malloc(len);
		g_assert_true(png_image_write_to_memory(&image, png, &len, 0, pixels, 0, colormap));
		/* IHDR's bit depth and colour type: 1-bit palette, 16-bit gray. */
		if (formats[f] == PNG_FORMAT_RGB_COLORMAP) {
			g_assert_cmpuint(png[24], ==, 1);
			g_assert_cmpuint(png[25], ==, 3);
		} else if (formats[f] == PNG_FORMAT_LINEAR_Y) {
			g_assert_cmpuint(png[24], ==, 16);
			g_assert_cmpuint(png[25], ==, 0);
		}
		g_assert_cmpint(tsr_qr_decode_png(png, len, &text), ==, TSR_OK);
		g_assert_cmpstr(text, ==, ANNEX_D_QR);
		g_test_message("format %#x (%u channels): %zu bytes", formats[f], channels,
		    (size_t)len);
		free(text);
	}
	tsr_qr_free(qr);
}

static void
junk_render_arguments(void)
{
	tsr_qr_t *qr = annex_d_qr();
	uint8_t *out = NULL;
	size_t len = 0, stride = 0;
	unsigned w = 0, h = 0, size = tsr_qr_size(qr);
	char *text = NULL;

	g_assert_cmpint(tsr_qr_to_png(NULL, 1, 4, &out, &len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_png(qr, 0, 4, &out, &len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_png(qr, 1, 4, NULL, &len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_png(qr, 1, 4, &out, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_png(qr, UINT_MAX, 4, &out, &len), ==, TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_qr_to_png(qr, 1, UINT_MAX, &out, &len), ==, TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_qr_to_png(qr, TSR_QR_RENDER_MAX_SIDE / (size + 8) + 1, 4, &out, &len),
	    ==, TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_qr_to_rgb(qr, 0, 4, &out, &w, &h, &stride), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_rgb(NULL, 1, 4, &out, &w, &h, &stride), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_rgb(qr, 1, 4, &out, &w, NULL, &stride), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_rgb(qr, 4096, 4096, &out, &w, &h, &stride), ==, TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_qr_to_text(NULL, &text), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_to_text(qr, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	/* Outputs untouched on failure. */
	g_assert_null(out);
	g_assert_null(text);
	g_assert_cmpuint(len, ==, 0);
	g_assert_cmpuint(w, ==, 0);
	g_assert_cmpuint(h, ==, 0);
	g_assert_cmpuint(stride, ==, 0);
	/* The largest allowed side still renders. */
	g_assert_cmpint(tsr_qr_to_png(qr, TSR_QR_RENDER_MAX_SIDE / (size + 8), 4, &out, &len), ==,
	    TSR_OK);
	free(out);
	tsr_qr_free(qr);
}

static void
valid_rgb(void)
{
	tsr_qr_t *qr = annex_d_qr();
	g_autofree uint8_t *expect = NULL, *gray = NULL, *padded = NULL;
	uint8_t *rgb = NULL;
	unsigned width = 0, height = 0, side = 0;
	size_t stride = 0, pad_stride;
	char *text = NULL;

	g_assert_cmpint(tsr_qr_to_rgb(qr, SCALE, TSR_QR_QUIET_ZONE, &rgb, &width, &height, &stride),
	    ==, TSR_OK);
	expect = expected_gray(qr, SCALE, TSR_QR_QUIET_ZONE, &side);
	g_assert_cmpuint(width, ==, side);
	g_assert_cmpuint(height, ==, side);
	g_assert_cmpuint(stride, >=, (size_t)width * 3);
	/* R8G8B8: three equal bytes per pixel, black on white. */
	gray = g_malloc((gsize)width * height);
	for (unsigned y = 0; y < height; y++) {
		for (unsigned x = 0; x < width; x++) {
			const uint8_t *p = rgb + (size_t)y * stride + (size_t)x * 3;

			g_assert_cmpuint(p[0], ==, expect[(size_t)y * side + x]);
			g_assert_cmpuint(p[1], ==, p[0]);
			g_assert_cmpuint(p[2], ==, p[0]);
			/* ITU-R BT.601 luma, as a camera pipeline would. */
			gray[(size_t)y * width + x] = (uint8_t)((299u * p[0] + 587u * p[1] +
			    114u * p[2]) / 1000u);
		}
	}
	g_assert_cmpint(tsr_qr_decode_gray8(gray, width, height, width, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	free(text);
	text = NULL;

	/* Rows with padding: stride > width. */
	pad_stride = (size_t)width + 13;
	padded = g_malloc0(pad_stride * height);
	for (unsigned y = 0; y < height; y++)
		memcpy(padded + y * pad_stride, gray + (size_t)y * width, width);
	g_assert_cmpint(tsr_qr_decode_gray8(padded, width, height, pad_stride, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	free(text);
	free(rgb);
	tsr_qr_free(qr);
}

/* floor() without libm (tests link no more than the layer they test). */
static double
floor_d(double x)
{
	double t = (double)(long)x;

	return t > x ? t - 1 : t;
}

/* Bilinear sample of a gray image; outside is white paper. */
static double
sample(const uint8_t *img, unsigned side, double x, double y)
{
	double fx = floor_d(x), fy = floor_d(y), ax = x - fx, ay = y - fy, v[4];

	for (int i = 0; i < 4; i++) {
		double px = fx + (i & 1), py = fy + (i >> 1);

		v[i] = px < 0 || py < 0 || px >= side || py >= side ? 255.0 :
		    img[(size_t)py * side + (size_t)px];
	}
	return (v[0] * (1 - ax) + v[1] * ax) * (1 - ay) + (v[2] * (1 - ax) + v[3] * ax) * ay;
}

static void
valid_distorted(void)
{
	/* cos and sin of 10°. */
	const double cos_a = 0.98480775301220806, sin_a = 0.17364817766693033;
	/* 1% salt and pepper: zbar reads every one of 100 seeds at 1.5%, but
	 * only 85% of them at 3%. */
	const double zoom = 0.7, noise = 0.01;
	tsr_qr_t *qr = annex_d_qr();
	g_autofree uint8_t *src = NULL, *dst = NULL;
	g_autoptr(GRand) rand = g_rand_new_with_seed(18013);
	unsigned side = 0, out_side, flipped = 0;
	char *text = NULL;

	src = expected_gray(qr, SCALE, TSR_QR_QUIET_ZONE, &side);
	/* A frame a little larger than the shrunk, rotated code, on white. */
	out_side = (unsigned)(side * zoom * 1.3);
	dst = g_malloc((gsize)out_side * out_side);
	for (unsigned v = 0; v < out_side; v++) {
		for (unsigned u = 0; u < out_side; u++) {
			double du = u + 0.5 - out_side / 2.0, dv = v + 0.5 - out_side / 2.0;
			/* Inverse mapping: rotate back by -angle, then unzoom. */
			double sx = (du * cos_a + dv * sin_a) / zoom + side / 2.0 - 0.5;
			double sy = (-du * sin_a + dv * cos_a) / zoom + side / 2.0 - 0.5;
			double g = sample(src, side, sx, sy);
			uint8_t *p = &dst[(size_t)v * out_side + u];

			*p = (uint8_t)(g + 0.5);
			/* Salt and pepper. */
			if (g_rand_double(rand) < noise) {
				*p = g_rand_boolean(rand) ? 255 : 0;
				flipped++;
			}
		}
	}
	g_test_message("distorted: %ux%u, %u noisy pixels", out_side, out_side, flipped);
	g_assert_cmpuint(flipped, >, out_side * out_side / 200);
	g_assert_cmpint(tsr_qr_decode_gray8(dst, out_side, out_side, out_side, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	free(text);
	tsr_qr_free(qr);
}

static void
empty_images(void)
{
	const unsigned side = 600;
	g_autofree uint8_t *img = g_malloc((gsize)side * side);
	g_autoptr(GRand) rand = g_rand_new_with_seed(5);
	char *text = NULL;

	memset(img, 255, (size_t)side * side);
	g_assert_cmpint(tsr_qr_decode_gray8(img, side, side, side, &text), ==, TSR_ERR_NOT_FOUND);
	memset(img, 0, (size_t)side * side);
	g_assert_cmpint(tsr_qr_decode_gray8(img, side, side, side, &text), ==, TSR_ERR_NOT_FOUND);
	for (size_t i = 0; i < (size_t)side * side; i++)
		img[i] = (uint8_t)g_rand_int_range(rand, 0, 256);
	g_assert_cmpint(tsr_qr_decode_gray8(img, side, side, side, &text), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_qr_decode_gray8(img, 1, 1, 1, &text), ==, TSR_ERR_NOT_FOUND);
	g_assert_null(text);
}

static void
junk_decode_arguments(void)
{
	uint8_t px[16] = { 0 };
	char *text = NULL;

	g_assert_cmpint(tsr_qr_decode_gray8(NULL, 4, 4, 4, &text), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_decode_gray8(px, 4, 4, 4, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_decode_gray8(px, 0, 4, 4, &text), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_decode_gray8(px, 4, 0, 4, &text), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_decode_gray8(px, 4, 4, 3, &text), ==, TSR_ERR_INVALID_ARGUMENT);
	/* Limits are checked before the pixels are touched. */
	g_assert_cmpint(tsr_qr_decode_gray8(px, TSR_QR_DECODE_MAX_SIDE + 1, 1,
	    TSR_QR_DECODE_MAX_SIDE + 1, &text), ==, TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_qr_decode_gray8(px, 1, TSR_QR_DECODE_MAX_SIDE + 1, 1, &text), ==,
	    TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_qr_decode_gray8(px, TSR_QR_DECODE_MAX_SIDE, TSR_QR_DECODE_MAX_SIDE,
	    TSR_QR_DECODE_MAX_SIDE, &text), ==, TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_qr_decode_png(NULL, 10, &text), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_decode_png(px, sizeof(px), NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_qr_decode_png(px, TSR_QR_PNG_MAX_LEN + 1, &text), ==, TSR_ERR_LIMIT);
	g_assert_null(text);
}

/* Rewrites IHDR's width and height and fixes its CRC. */
static void
set_ihdr_size(uint8_t *png, uint32_t width, uint32_t height)
{
	put_be32(png + 16, width);
	put_be32(png + 20, height);
	put_be32(png + 29, crc32_bitwise(png + 12, 17));
}

static void
junk_png(void)
{
	tsr_qr_t *qr = annex_d_qr();
	g_autoptr(GRand) rand = g_rand_new_with_seed(2953);
	uint8_t *png = NULL, garbage[512];
	g_autofree uint8_t *copy = NULL;
	size_t len = 0;
	char *text = NULL;
	int r;

	g_assert_cmpint(tsr_qr_to_png(qr, 2, 4, &png, &len), ==, TSR_OK);
	g_assert_cmpint(tsr_qr_decode_png(png, len, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	free(text);
	text = NULL;

	/* Every truncation into the pixel data fails cleanly (the heap copy
	 * lets ASan see over-reads). libpng forgives a damaged or missing
	 * IEND, the last 12 bytes, once every pixel is read. */
	for (size_t n = 0; n < len; n++) {
		copy = g_memdup2(png, n ? n : 1);
		r = tsr_qr_decode_png(copy, n, &text);
		if (n < len - 12) {
			g_assert_cmpint(r, ==, TSR_ERR_UNSUPPORTED);
			g_assert_null(text);
		} else if (r == TSR_OK) {
			g_assert_cmpstr(text, ==, ANNEX_D_QR);
			g_clear_pointer(&text, free);
		} else {
			g_assert_cmpint(r, ==, TSR_ERR_UNSUPPORTED);
		}
		g_clear_pointer(&copy, g_free);
	}
	g_assert_null(text);

	/* Garbage, with and without a PNG signature in front. */
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(garbage); i++)
			garbage[i] = (uint8_t)g_rand_int_range(rand, 0, 256);
		if (round % 2)
			memcpy(garbage, png, 8 + (size_t)(round % 4 == 1 ? 0 : 25));
		g_assert_cmpint(tsr_qr_decode_png(garbage, sizeof(garbage), &text), !=, TSR_OK);
	}
	g_assert_null(text);

	/* A flipped byte in IHDR or IDAT breaks its CRC. */
	copy = g_memdup2(png, len);
	copy[17] ^= 0x01;
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), ==, TSR_ERR_UNSUPPORTED);
	memcpy(copy, png, len);
	copy[50] ^= 0x40;
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), ==, TSR_ERR_UNSUPPORTED);

	/* Huge dimensions with a valid CRC: refused before any allocation. */
	memcpy(copy, png, len);
	set_ihdr_size(copy, 20000, 20000);
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), ==, TSR_ERR_LIMIT);
	set_ihdr_size(copy, TSR_QR_DECODE_MAX_SIDE, TSR_QR_DECODE_MAX_SIDE);
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), ==, TSR_ERR_LIMIT);
	set_ihdr_size(copy, 1, TSR_QR_DECODE_MAX_SIDE + 1);
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), ==, TSR_ERR_LIMIT);
	/* Beyond libpng's own limits, and beyond PNG's 2^31 - 1. */
	set_ihdr_size(copy, 0x7fffffff, 0x7fffffff);
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), !=, TSR_OK);
	set_ihdr_size(copy, 0xffffffff, 1);
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), !=, TSR_OK);
	set_ihdr_size(copy, 0, 0);
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), !=, TSR_OK);
	/* Claims more pixels than the data holds. */
	set_ihdr_size(copy, 4000, 4000);
	g_assert_cmpint(tsr_qr_decode_png(copy, len, &text), ==, TSR_ERR_UNSUPPORTED);
	g_assert_null(text);
	free(png);
	tsr_qr_free(qr);
}

/* png with a chunk of the given type and data inserted after IHDR (the
 * signature and IHDR are 33 bytes). */
static uint8_t *
insert_chunk(const uint8_t *png, size_t len, const char type[4], const uint8_t *data,
    uint32_t data_len, size_t *ret_len)
{
	uint8_t *out = g_malloc(len + 12 + data_len);

	memcpy(out, png, 33);
	put_be32(out + 33, data_len);
	memcpy(out + 37, type, 4);
	if (data_len > 0)
		memcpy(out + 41, data, data_len);
	put_be32(out + 41 + data_len, crc32_bitwise(out + 37, 4 + (size_t)data_len));
	memcpy(out + 45 + data_len, png + 33, len - 33);
	*ret_len = len + 12 + data_len;
	return out;
}

/* Chunks that draw nothing are not handed to libpng: a text or unknown
 * chunk is passed over, and one that claims more bytes than the file has
 * is refused. (Before, libpng allocated what such a chunk claimed, 2 GB
 * for the fuzzing campaign's 43-byte file, then failed the same way: the
 * allocation itself is caught by the campaign's RSS limit on that input,
 * kept in corpus/fuzz-qr-png/.) */
static void
png_ancillary_chunks(void)
{
	static const uint8_t comment[] = "Comment\0a QR code";
	tsr_qr_t *qr = annex_d_qr();
	uint8_t *png = NULL;
	g_autofree uint8_t *with_text = NULL, *with_unknown = NULL, *with_huge = NULL;
	size_t len = 0, n = 0;
	char *text = NULL;

	g_assert_cmpint(tsr_qr_to_png(qr, 2, 4, &png, &len), ==, TSR_OK);
	with_text = insert_chunk(png, len, "tEXt", comment, sizeof(comment) - 1, &n);
	g_assert_cmpint(tsr_qr_decode_png(with_text, n, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	g_clear_pointer(&text, free);
	with_unknown = insert_chunk(png, len, "ruSt", comment, sizeof(comment) - 1, &n);
	g_assert_cmpint(tsr_qr_decode_png(with_unknown, n, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	g_clear_pointer(&text, free);
	/* A zTXt that claims 0x78da0000 bytes, in a file of a few hundred. */
	with_huge = insert_chunk(png, len, "zTXt", NULL, 0, &n);
	put_be32(with_huge + 33, 0x78da0000);
	g_assert_cmpint(tsr_qr_decode_png(with_huge, n, &text), ==, TSR_ERR_UNSUPPORTED);
	/* Bytes after IEND are not read. */
	with_huge = g_realloc(with_huge, len + 7);
	memcpy(with_huge, png, len);
	memcpy(with_huge + len, "garbage", 7);
	g_assert_cmpint(tsr_qr_decode_png(with_huge, len + 7, &text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, ANNEX_D_QR);
	free(text);
	free(png);
	tsr_qr_free(qr);
}

/* The text drawing read back: which modules (with the 2-module quiet zone)
 * are light. Asserts the shape and the alphabet on the way. */
static bool *
parse_text(const char *text, unsigned side)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	bool *ink = g_new0(bool, (gsize)side * side);
	unsigned nlines = g_strv_length(lines);

	g_assert_true(g_str_has_suffix(text, "\n"));
	g_assert_cmpuint(nlines - 1, ==, (side + 1) / 2);
	g_assert_cmpstr(lines[nlines - 1], ==, "");
	for (unsigned l = 0; l + 1 < nlines; l++) {
		const char *p = lines[l];

		g_assert_true(g_utf8_validate(p, -1, NULL));
		g_assert_cmpuint(g_utf8_strlen(p, -1), ==, side);
		for (unsigned x = 0; x < side; x++, p += g_utf8_skip[*(const guchar *)p]) {
			gunichar c = g_utf8_get_char(p);
			bool top = c == 0x2588 || c == 0x2580, bottom = c == 0x2588 || c == 0x2584;

			g_assert_true(c == ' ' || c == 0x2580 || c == 0x2584 || c == 0x2588);
			ink[(size_t)2 * l * side + x] = top;
			if (2 * l + 1 < side)
				ink[(size_t)(2 * l + 1) * side + x] = bottom;
			else
				g_assert_false(bottom);	/* nothing below the last row */
		}
	}
	return ink;
}

static void
valid_text(void)
{
	const unsigned qz = 2, px = 4;
	tsr_qr_t *qr = annex_d_qr();
	unsigned size = tsr_qr_size(qr), side = size + 2 * qz, img_side = (side + 8) * px;
	g_autofree bool *ink = NULL;
	g_autofree uint8_t *img = NULL;
	char *text = NULL, *out = NULL;

	g_assert_cmpint(tsr_qr_to_text(qr, &text), ==, TSR_OK);
	ink = parse_text(text, side);
	/* Light modules are drawn, dark ones left as (dark) background. */
	for (unsigned y = 0; y < side; y++) {
		for (unsigned x = 0; x < side; x++) {
			bool quiet = x < qz || y < qz || x >= size + qz || y >= size + qz;
			bool light = quiet || !tsr_qr_module(qr, x - qz, y - qz);

			g_assert_cmpint(ink[(size_t)y * side + x], ==, light);
		}
	}
	/* The first line is the quiet zone's two rows: all full blocks. */
	g_assert_true(g_str_has_prefix(text, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"));

	/* Shown on a dark terminal (ink light, rest dark, dark around it),
	 * the code reads with the normal polarity. */
	img = g_malloc0((gsize)img_side * img_side);
	for (unsigned y = 0; y < side * px; y++)
		for (unsigned x = 0; x < side * px; x++)
			img[(size_t)(y + 4 * px) * img_side + x + 4 * px] =
			    ink[(size_t)(y / px) * side + x / px] ? 230 : 20;
	g_assert_cmpint(tsr_qr_decode_gray8(img, img_side, img_side, img_side, &out), ==, TSR_OK);
	g_assert_cmpstr(out, ==, ANNEX_D_QR);
	free(out);
	out = NULL;
	/* On a light terminal it is inverted, which our decoder still reads. */
	for (size_t i = 0; i < (size_t)img_side * img_side; i++)
		img[i] = (uint8_t)(255 - img[i]);
	g_assert_cmpint(tsr_qr_decode_gray8(img, img_side, img_side, img_side, &out), ==, TSR_OK);
	g_assert_cmpstr(out, ==, ANNEX_D_QR);
	free(out);
	free(text);
	tsr_qr_free(qr);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qr/valid_encode", valid_encode);
	g_test_add_func("/qr/valid_encode_lengths", valid_encode_lengths);
	g_test_add_func("/qr/png/valid_roundtrip", valid_png_roundtrip);
	g_test_add_func("/qr/png/valid_structure", valid_png_structure);
	g_test_add_func("/qr/png/valid_formats", valid_png_formats);
	g_test_add_func("/qr/junk_render_arguments", junk_render_arguments);
	g_test_add_func("/qr/rgb/valid", valid_rgb);
	g_test_add_func("/qr/decode/valid_distorted", valid_distorted);
	g_test_add_func("/qr/decode/empty_images", empty_images);
	g_test_add_func("/qr/decode/junk_arguments", junk_decode_arguments);
	g_test_add_func("/qr/png/junk", junk_png);
	g_test_add_func("/qr/png/ancillary-chunks", png_ancillary_chunks);
	g_test_add_func("/qr/text/valid", valid_text);
	return g_test_run();
}
