/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "verifier-frame-source.h"
#include "verifier-progress-page.h"
#include "verifier-request-page.h"
#include "verifier-result-page.h"
#include "verifier-scan-page.h"
#include "verifier-session.h"
#include "verifier-trust-store.h"

G_BEGIN_DECLS

/*
 * The main window: Scan, Request and Trust in a view switcher, and the
 * session's progress and result pages in front of them. It owns the
 * running session and the trust store.
 */
#define VERIFIER_TYPE_WINDOW (verifier_window_get_type ())
G_DECLARE_FINAL_TYPE (VerifierWindow, verifier_window, VERIFIER, WINDOW, AdwApplicationWindow)

VerifierWindow *verifier_window_new (GtkApplication *application);

void verifier_window_scan_file (VerifierWindow *self, GFile *file);
void verifier_window_scan_source (VerifierWindow *self, VerifierFrameSource *source);
void verifier_window_start_session (VerifierWindow *self, const char *uri);
void verifier_window_cancel_session (VerifierWindow *self);
void verifier_window_scan_next (VerifierWindow *self);
/* A further request in the open session: choose (the Request page for
 * this session), send, or go back to the result; or end the session. */
void verifier_window_request_more (VerifierWindow *self);
void verifier_window_send_more (VerifierWindow *self);
void verifier_window_back_to_result (VerifierWindow *self);
void verifier_window_end_session (VerifierWindow *self);
/* The running or open session, or NULL. */
VerifierSession *verifier_window_get_session (VerifierWindow *self);
void verifier_window_show_result (VerifierWindow *self, VerifierResult *result);

/* "scan", "request", "trust", "progress", "result" or "more". */
void verifier_window_show_page (VerifierWindow *self, const char *name);
const char *verifier_window_get_visible_page (VerifierWindow *self);

/* Verify as if it were @now (Unix seconds); 0 for the real time. */
void verifier_window_set_verification_time (VerifierWindow *self, gint64 now);
gint64 verifier_window_get_verification_time (VerifierWindow *self);

VerifierTrustStore *verifier_window_get_trust_store (VerifierWindow *self);
VerifierScanPage *verifier_window_get_scan_page (VerifierWindow *self);
VerifierProgressPage *verifier_window_get_progress_page (VerifierWindow *self);
VerifierResultPage *verifier_window_get_result_page (VerifierWindow *self);
/* The Request page (what every session asks first, and the connection). */
VerifierRequestPage *verifier_window_get_request_page (VerifierWindow *self);
/* The Request page of "Request More". */
VerifierRequestPage *verifier_window_get_more_page (VerifierWindow *self);

void verifier_window_show_toast (VerifierWindow *self, const char *message);
/* The text of the last toast (for tests), or NULL. */
const char *verifier_window_get_last_toast (VerifierWindow *self);
/* Imports trust material in a worker thread (win.import-iaca-file,
 * win.import-iaca-folder, win.load-status-list); the outcome is a toast. */
void verifier_window_import_trust (VerifierWindow *self, VerifierImportKind kind, GFile *file);
/* Shows a toast in the window that holds @widget. */
void verifier_show_toast (GtkWidget *widget, const char *message);

G_END_DECLS
