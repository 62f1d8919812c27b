/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "verifier-frame-source.h"

G_BEGIN_DECLS

/*
 * Looks for the holder's "mdoc:" QR code in the frames of a source. Each
 * frame is decoded (tsr_qr_decode_gray8()) in a worker thread; frames that
 * arrive while one is being decoded are skipped. ::found is emitted once
 * with the URI; after that the scanner ignores frames until reset.
 * ::not-found is emitted when a source ends (an image) without one, with a
 * VERIFIER_ERROR_NO_QR or VERIFIER_ERROR_NOT_ENGAGEMENT error.
 */
#define VERIFIER_TYPE_QR_SCANNER (verifier_qr_scanner_get_type ())
G_DECLARE_FINAL_TYPE (VerifierQrScanner, verifier_qr_scanner, VERIFIER, QR_SCANNER, GObject)

VerifierQrScanner *verifier_qr_scanner_new (void);
void verifier_qr_scanner_set_source (VerifierQrScanner *self, VerifierFrameSource *source);
VerifierFrameSource *verifier_qr_scanner_get_source (VerifierQrScanner *self);
void verifier_qr_scanner_reset (VerifierQrScanner *self);

/* Decodes one frame in the calling thread. */
gboolean verifier_qr_decode_frame (VerifierFrame *frame, char **ret_text, GError **error);
/* Whether a text is an 18013-5 engagement URI ("mdoc:", any case). */
gboolean verifier_qr_is_engagement (const char *text);

G_END_DECLS
