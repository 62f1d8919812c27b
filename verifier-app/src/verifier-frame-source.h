/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * A frame: an 8-bit grayscale image (0 black, 255 white), the format the QR
 * decoder takes. Immutable and reference-counted, so it can go to a
 * decoding thread while the UI shows it.
 */
typedef struct _VerifierFrame VerifierFrame;

#define VERIFIER_TYPE_FRAME (verifier_frame_get_type ())
GType verifier_frame_get_type (void) G_GNUC_CONST;

VerifierFrame *verifier_frame_new (GBytes *pixels, guint width, guint height, gsize stride);
VerifierFrame *verifier_frame_new_from_texture (GdkTexture *texture);
VerifierFrame *verifier_frame_ref (VerifierFrame *frame);
void verifier_frame_unref (VerifierFrame *frame);
GBytes *verifier_frame_get_pixels (VerifierFrame *frame, guint *ret_width, guint *ret_height,
    gsize *ret_stride);
GdkTexture *verifier_frame_to_texture (VerifierFrame *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VerifierFrame, verifier_frame_unref)

/*
 * Where frames come from: a camera (a GStreamer pipeline ending in an
 * appsink), an image file, or, in tests, any source of pictures. Sources
 * emit ::frame on the main context they were started from, as often as they
 * produce frames, and ::finished once when they stop on their own (an image
 * has no more frames, the camera failed); the error is NULL for a normal
 * end. stop() ends a source without ::finished.
 */
#define VERIFIER_TYPE_FRAME_SOURCE (verifier_frame_source_get_type ())
G_DECLARE_INTERFACE (VerifierFrameSource, verifier_frame_source, VERIFIER, FRAME_SOURCE, GObject)

struct _VerifierFrameSourceInterface {
	GTypeInterface parent_iface;

	gboolean (*start) (VerifierFrameSource *self, GError **error);
	void (*stop) (VerifierFrameSource *self);
};

gboolean verifier_frame_source_start (VerifierFrameSource *self, GError **error);
void verifier_frame_source_stop (VerifierFrameSource *self);

/* For implementations: call on the main context. */
void verifier_frame_source_emit_frame (VerifierFrameSource *self, VerifierFrame *frame);
void verifier_frame_source_emit_finished (VerifierFrameSource *self, const GError *error);

G_END_DECLS
