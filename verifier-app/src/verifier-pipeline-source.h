/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gst/gst.h>

#include "verifier-frame-source.h"

G_BEGIN_DECLS

/*
 * A frame source made of a GStreamer pipeline that ends in
 * `videoconvert ! videoscale ! video/x-raw,format=GRAY8 ! appsink`: a camera
 * (v4l2src, or whatever element the device monitor gives), an image file
 * (decoded and repeated a few times by imagefreeze, the way a still camera
 * would show it), or any launch description (tests). Every kind goes
 * through the same appsink code, so the file path exercises what the
 * camera runs. Call gst_init() first.
 */
#define VERIFIER_TYPE_PIPELINE_SOURCE (verifier_pipeline_source_get_type ())
G_DECLARE_FINAL_TYPE (VerifierPipelineSource, verifier_pipeline_source, VERIFIER,
    PIPELINE_SOURCE, GObject)

VerifierPipelineSource *verifier_pipeline_source_new_for_device (GstDevice *device);
VerifierPipelineSource *verifier_pipeline_source_new_for_file (GFile *file, guint n_frames);
VerifierPipelineSource *verifier_pipeline_source_new_for_description (const char *head);

G_END_DECLS
