/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "verifier-frame-source.h"

G_BEGIN_DECLS

/*
 * The scan page: a live camera preview when there is a camera (the
 * selected one runs while the page is shown), "Open Image…" and "Paste
 * Link…". Emits ::uri-found with the holder's mdoc: URI, or ::scan-failed
 * when an image holds no usable code.
 */
#define VERIFIER_TYPE_SCAN_PAGE (verifier_scan_page_get_type ())
G_DECLARE_FINAL_TYPE (VerifierScanPage, verifier_scan_page, VERIFIER, SCAN_PAGE, AdwBin)

/* Scans frames from any source (an image file, a test's pictures). */
void verifier_scan_page_scan_source (VerifierScanPage *self, VerifierFrameSource *source);
/* Scans an image file through the same frame pipeline as the camera. */
void verifier_scan_page_scan_file (VerifierScanPage *self, GFile *file);
/* Ready for the next holder: the camera (if any) looks again. */
void verifier_scan_page_restart (VerifierScanPage *self);
/* Stops the camera (e.g. while a session runs). */
void verifier_scan_page_pause (VerifierScanPage *self);
void verifier_scan_page_set_request_summary (VerifierScanPage *self, const char *summary);
guint verifier_scan_page_get_n_cameras (VerifierScanPage *self);

G_END_DECLS
