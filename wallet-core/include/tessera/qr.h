/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file qr.h
 * @brief QR codes: making the holder's engagement code and reading it back.
 *
 * The holder shows its "mdoc:" engagement URI (18013-5 §8.2.2.3) as a QR
 * code: tsr_qr_encode() makes the symbol, which can then be rendered as a
 * PNG file, as an RGB pixel buffer (for a GdkMemoryTexture) or as text for
 * a terminal. The reader side decodes a QR code from a camera frame or a
 * screenshot (tsr_qr_decode_gray8()) or from a PNG file
 * (tsr_qr_decode_png()).
 *
 * Rendered images are black modules on white, surrounded by a quiet zone of
 * white modules; ISO/IEC 18004 asks for 4 modules (#TSR_QR_QUIET_ZONE).
 * Every returned buffer and string is owned by the caller: free it with
 * tsr_free() (or free()).
 */
#ifndef TESSERA_QR_H
#define TESSERA_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The most bytes a QR code holds (version 40, level L, byte mode). */
#define TSR_QR_TEXT_MAX 2953
/** The quiet zone ISO/IEC 18004 asks for, in modules. */
#define TSR_QR_QUIET_ZONE 4
/** The largest side, in pixels, of a rendered image (PNG or RGB). */
#define TSR_QR_RENDER_MAX_SIDE 4096
/** The largest side, in pixels, of an image given to the decoders. */
#define TSR_QR_DECODE_MAX_SIDE 8192
/** The most pixels (width × height) of an image given to the decoders. */
#define TSR_QR_DECODE_MAX_PIXELS (32u * 1024u * 1024u)
/** The largest PNG file tsr_qr_decode_png() accepts, in bytes. */
#define TSR_QR_PNG_MAX_LEN ((size_t)64 * 1024 * 1024)

/** A QR code symbol: a square of dark and light modules (opaque). */
typedef struct tsr_qr tsr_qr_t;

/**
 * @brief Encodes a text as a QR code.
 *
 * The text's bytes are stored as they are, without ECI (runs of digits or
 * upper-case letters may use the shorter numeric and alphanumeric modes), in
 * the smallest version that holds them, with error correction level M, or
 * L when the text does not fit at M. tsr_qr_decode_gray8() gives back the
 * same bytes.
 * @param text the NUL-terminated text, 1 to #TSR_QR_TEXT_MAX bytes.
 * @param[out] ret the new symbol, to be freed with tsr_qr_free(); untouched
 *        on failure.
 * @return #TSR_OK;
 *         #TSR_ERR_INVALID_ARGUMENT when an argument is NULL or @p text is empty;
 *         #TSR_ERR_LIMIT when the text does not fit in a QR code;
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_qr_encode(const char *text, tsr_qr_t **ret);

/**
 * @brief Frees a symbol.
 * @param qr the symbol, or NULL.
 */
TSR_EXPORT void tsr_qr_free(tsr_qr_t *qr);

/**
 * @brief Gives the symbol's size.
 * @param qr the symbol.
 * @return the number of modules per side (21 to 177, without quiet zone), or
 *         0 when @p qr is NULL.
 */
TSR_EXPORT unsigned tsr_qr_size(const tsr_qr_t *qr);

/**
 * @brief Tells whether one module is dark.
 * @param qr the symbol.
 * @param x the column, 0 at the left.
 * @param y the row, 0 at the top.
 * @return true for a dark module; false for a light one, and for a position
 *         outside the symbol (which is quiet zone) or a NULL @p qr.
 */
TSR_EXPORT bool tsr_qr_module(const tsr_qr_t *qr, unsigned x, unsigned y);

/**
 * @brief Renders the symbol as a PNG image.
 *
 * The image is 8-bit grayscale, not interlaced, (size + 2 × quiet_zone) ×
 * scale pixels per side, dark modules 0 and light ones 255.
 * @param qr the symbol.
 * @param scale pixels per module, at least 1.
 * @param quiet_zone light modules around the symbol (#TSR_QR_QUIET_ZONE is
 *        what ISO/IEC 18004 asks for).
 * @param[out] ret_png the PNG file's bytes; untouched on failure.
 * @param[out] ret_len their length; untouched on failure.
 * @return #TSR_OK;
 *         #TSR_ERR_INVALID_ARGUMENT when a pointer is NULL or @p scale is 0;
 *         #TSR_ERR_LIMIT when a side would exceed #TSR_QR_RENDER_MAX_SIDE;
 *         #TSR_ERR_NO_MEMORY; #TSR_ERR_INTERNAL when compression fails.
 */
TSR_EXPORT TSR_WUR int tsr_qr_to_png(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone,
    uint8_t **ret_png, size_t *ret_len);

/**
 * @brief Renders the symbol as 24-bit RGB pixels.
 *
 * Three bytes per pixel in the order R, G, B (GDK_MEMORY_R8G8B8), rows top
 * to bottom, black modules on white. The buffer suits
 * gdk_memory_texture_new() with the returned width, height and stride
 * (wrap it with g_bytes_new_take(), which frees it with free()).
 * @param qr the symbol.
 * @param scale pixels per module, at least 1.
 * @param quiet_zone light modules around the symbol.
 * @param[out] ret_pixels the pixels, height × stride bytes; untouched on failure.
 * @param[out] ret_width the width in pixels; untouched on failure.
 * @param[out] ret_height the height in pixels; untouched on failure.
 * @param[out] ret_stride the bytes from one row to the next; untouched on failure.
 * @return #TSR_OK;
 *         #TSR_ERR_INVALID_ARGUMENT when a pointer is NULL or @p scale is 0;
 *         #TSR_ERR_LIMIT when a side would exceed #TSR_QR_RENDER_MAX_SIDE;
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_qr_to_rgb(const tsr_qr_t *qr, unsigned scale, unsigned quiet_zone,
    uint8_t **ret_pixels, unsigned *ret_width, unsigned *ret_height, size_t *ret_stride);

/**
 * @brief Renders the symbol as UTF-8 text for a terminal.
 *
 * Each text line shows two rows of modules with the half blocks U+2580 ▀
 * and U+2584 ▄, the full block U+2588 █ and spaces, and ends with '\n'. A
 * quiet zone of 2 modules surrounds the symbol, so the text has
 * ceil((size + 4) / 2) lines of size + 4 characters each.
 *
 * The block characters draw the *light* modules and spaces leave the *dark*
 * ones: on the usual dark-background terminal (light text on a dark
 * background) the code then shows with the normal polarity, dark modules
 * on light, which every phone camera reads. Inverted codes (light on dark)
 * are not read by many camera apps, and the dark terminal background
 * around the code cannot serve as quiet zone, hence the drawn one. On a
 * light-background terminal the code shows inverted; show the PNG there
 * instead. tsr_qr_decode_gray8() reads both polarities.
 * @param qr the symbol.
 * @param[out] ret_text the NUL-terminated text; untouched on failure.
 * @return #TSR_OK; #TSR_ERR_INVALID_ARGUMENT when a pointer is NULL;
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_qr_to_text(const tsr_qr_t *qr, char **ret_text);

/**
 * @brief Finds and decodes a QR code in an 8-bit grayscale image.
 *
 * Made for camera frames and screenshots: the code may be rotated, scaled,
 * blurred or noisy, and either dark on light or light on dark. Other kinds
 * of barcode are ignored. When the image holds several QR codes, one of
 * them is returned.
 * @param pixels the image, one byte per pixel (0 black, 255 white), rows
 *        top to bottom.
 * @param width the width in pixels, 1 to #TSR_QR_DECODE_MAX_SIDE.
 * @param height the height in pixels, 1 to #TSR_QR_DECODE_MAX_SIDE, with
 *        width × height at most #TSR_QR_DECODE_MAX_PIXELS.
 * @param stride the bytes from one row to the next, at least @p width.
 * @param[out] ret_text the code's content as a NUL-terminated string (the
 *        bytes exactly as encoded); untouched on failure.
 * @return #TSR_OK;
 *         #TSR_ERR_INVALID_ARGUMENT when a pointer is NULL, a size is 0 or
 *         @p stride is less than @p width;
 *         #TSR_ERR_LIMIT when the image is larger than the limits;
 *         #TSR_ERR_NOT_FOUND when no QR code could be read;
 *         #TSR_ERR_UNSUPPORTED when the content holds a NUL byte;
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_qr_decode_gray8(const uint8_t *pixels, unsigned width,
    unsigned height, size_t stride, char **ret_text);

/**
 * @brief Finds and decodes a QR code in a PNG image.
 *
 * Reads grayscale, gray+alpha, RGB, RGBA and palette PNGs of any bit depth,
 * converted to 8-bit gray (transparent pixels count as white), then works
 * as tsr_qr_decode_gray8().
 * @param png the PNG file's bytes.
 * @param len their length, at most #TSR_QR_PNG_MAX_LEN.
 * @param[out] ret_text the code's content as a NUL-terminated string;
 *        untouched on failure.
 * @return #TSR_OK;
 *         #TSR_ERR_INVALID_ARGUMENT when a pointer is NULL;
 *         #TSR_ERR_LIMIT when the file or the image is larger than the limits;
 *         #TSR_ERR_UNSUPPORTED when the bytes are not a PNG image libpng can read
 *         (bad signature, bad CRC, truncated, corrupt);
 *         #TSR_ERR_NOT_FOUND, #TSR_ERR_NO_MEMORY as tsr_qr_decode_gray8().
 */
TSR_EXPORT TSR_WUR int tsr_qr_decode_png(const uint8_t *png, size_t len, char **ret_text);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_QR_H */
