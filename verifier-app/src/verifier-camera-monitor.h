/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/*
 * The cameras on this computer (GstDeviceMonitor, class Video/Source), as a
 * list model of GstDevice that follows hot-plugging. Empty when there is no
 * camera, or no device provider.
 */
#define VERIFIER_TYPE_CAMERA_MONITOR (verifier_camera_monitor_get_type ())
G_DECLARE_FINAL_TYPE (VerifierCameraMonitor, verifier_camera_monitor, VERIFIER, CAMERA_MONITOR,
    GObject)

VerifierCameraMonitor *verifier_camera_monitor_new (void);
GListModel *verifier_camera_monitor_get_cameras (VerifierCameraMonitor *self);

G_END_DECLS
