/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "verifier-frame-source.h"

G_BEGIN_DECLS

/*
 * A frame source with one still picture, decoded by GDK (PNG, JPEG, TIFF):
 * no GStreamer needed. It emits the frame and then ::finished from the main
 * loop, like any other source.
 */
#define VERIFIER_TYPE_IMAGE_SOURCE (verifier_image_source_get_type ())
G_DECLARE_FINAL_TYPE (VerifierImageSource, verifier_image_source, VERIFIER, IMAGE_SOURCE, GObject)

VerifierImageSource *verifier_image_source_new_for_file (GFile *file);
VerifierImageSource *verifier_image_source_new_for_texture (GdkTexture *texture);

G_END_DECLS
