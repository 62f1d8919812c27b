/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-frame-source.h"

struct _VerifierFrame {
	gatomicrefcount ref;
	GBytes *pixels;
	guint width, height;
	gsize stride;
};

static gpointer
frame_copy (gpointer frame)
{
	return verifier_frame_ref (frame);
}

static void
frame_free (gpointer frame)
{
	verifier_frame_unref (frame);
}

/* Spelled out: G_DEFINE_BOXED_TYPE's transparent-union trick is not ISO C. */
GType
verifier_frame_get_type (void)
{
	static gsize type_id = 0;

	if (g_once_init_enter (&type_id)) {
		GType t = g_boxed_type_register_static (g_intern_static_string ("VerifierFrame"),
		    frame_copy, frame_free);

		g_once_init_leave (&type_id, t);
	}
	return (GType) type_id;
}

VerifierFrame *
verifier_frame_new (GBytes *pixels, guint width, guint height, gsize stride)
{
	VerifierFrame *frame;

	g_return_val_if_fail (pixels != NULL, NULL);
	g_return_val_if_fail (width > 0 && height > 0 && stride >= width, NULL);
	g_return_val_if_fail (g_bytes_get_size (pixels) >= (gsize) (height - 1) * stride + width, NULL);

	frame = g_new0 (VerifierFrame, 1);
	g_atomic_ref_count_init (&frame->ref);
	frame->pixels = g_bytes_ref (pixels);
	frame->width = width;
	frame->height = height;
	frame->stride = stride;
	return frame;
}

/* Any texture to gray: luma of the colour composited over white, so a
 * transparent background reads as paper. */
VerifierFrame *
verifier_frame_new_from_texture (GdkTexture *texture)
{
	g_autofree guchar *bgra = NULL;
	guchar *gray;
	int w, h;
	gsize bgra_stride;

	g_return_val_if_fail (GDK_IS_TEXTURE (texture), NULL);

	w = gdk_texture_get_width (texture);
	h = gdk_texture_get_height (texture);
	if (w <= 0 || h <= 0)
		return NULL;
	bgra_stride = (gsize) w * 4;
	/* GDK_MEMORY_DEFAULT: B8G8R8A8, premultiplied. */
	bgra = g_malloc ((gsize) h * bgra_stride);
	gdk_texture_download (texture, bgra, bgra_stride);
	gray = g_malloc ((gsize) w * (gsize) h);
	for (int y = 0; y < h; y++) {
		const guchar *src = bgra + (gsize) y * bgra_stride;
		guchar *dst = gray + (gsize) y * (gsize) w;

		for (int x = 0; x < w; x++) {
			guint b = src[4 * x], g = src[4 * x + 1], r = src[4 * x + 2];
			guint a = src[4 * x + 3];
			guint white = 255 - a;

			dst[x] = (guchar) (((r + white) * 299 + (g + white) * 587 + (b + white) * 114) / 1000);
		}
	}
	{
		g_autoptr (GBytes) bytes = g_bytes_new_take (gray, (gsize) w * (gsize) h);

		return verifier_frame_new (bytes, (guint) w, (guint) h, (gsize) w);
	}
}

VerifierFrame *
verifier_frame_ref (VerifierFrame *frame)
{
	g_return_val_if_fail (frame != NULL, NULL);
	g_atomic_ref_count_inc (&frame->ref);
	return frame;
}

void
verifier_frame_unref (VerifierFrame *frame)
{
	if (frame == NULL)
		return;
	if (g_atomic_ref_count_dec (&frame->ref)) {
		g_bytes_unref (frame->pixels);
		g_free (frame);
	}
}

GBytes *
verifier_frame_get_pixels (VerifierFrame *frame, guint *ret_width, guint *ret_height,
    gsize *ret_stride)
{
	g_return_val_if_fail (frame != NULL, NULL);
	if (ret_width)
		*ret_width = frame->width;
	if (ret_height)
		*ret_height = frame->height;
	if (ret_stride)
		*ret_stride = frame->stride;
	return frame->pixels;
}

/* GTK 4.8 has no 8-bit gray memory format: expand to RGB for the preview. */
GdkTexture *
verifier_frame_to_texture (VerifierFrame *frame)
{
	const guchar *src;
	guchar *rgb;
	gsize rgb_stride;
	g_autoptr (GBytes) bytes = NULL;

	g_return_val_if_fail (frame != NULL, NULL);

	src = g_bytes_get_data (frame->pixels, NULL);
	rgb_stride = (gsize) frame->width * 3;
	rgb = g_malloc (rgb_stride * frame->height);
	for (guint y = 0; y < frame->height; y++) {
		const guchar *row = src + (gsize) y * frame->stride;
		guchar *out = rgb + (gsize) y * rgb_stride;

		for (guint x = 0; x < frame->width; x++)
			out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = row[x];
	}
	bytes = g_bytes_new_take (rgb, rgb_stride * frame->height);
	return gdk_memory_texture_new ((int) frame->width, (int) frame->height, GDK_MEMORY_R8G8B8,
	    bytes, rgb_stride);
}

/* ---- The interface ---- */

enum {
	SIGNAL_FRAME,
	SIGNAL_FINISHED,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (VerifierFrameSource, verifier_frame_source, G_TYPE_OBJECT)

static void
verifier_frame_source_default_init (VerifierFrameSourceInterface *iface)
{
	signals[SIGNAL_FRAME] = g_signal_new ("frame", G_TYPE_FROM_INTERFACE (iface),
	    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, VERIFIER_TYPE_FRAME);
	signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_INTERFACE (iface),
	    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

gboolean
verifier_frame_source_start (VerifierFrameSource *self, GError **error)
{
	g_return_val_if_fail (VERIFIER_IS_FRAME_SOURCE (self), FALSE);
	return VERIFIER_FRAME_SOURCE_GET_IFACE (self)->start (self, error);
}

void
verifier_frame_source_stop (VerifierFrameSource *self)
{
	g_return_if_fail (VERIFIER_IS_FRAME_SOURCE (self));
	VERIFIER_FRAME_SOURCE_GET_IFACE (self)->stop (self);
}

void
verifier_frame_source_emit_frame (VerifierFrameSource *self, VerifierFrame *frame)
{
	g_signal_emit (self, signals[SIGNAL_FRAME], 0, frame);
}

void
verifier_frame_source_emit_finished (VerifierFrameSource *self, const GError *error)
{
	g_signal_emit (self, signals[SIGNAL_FINISHED], 0, error);
}
