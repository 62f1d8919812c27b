/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "verifier-result.h"

G_BEGIN_DECLS

/*
 * The answer: a large verdict in words and a symbol (colour only repeats
 * them), the portrait, every reason in plain words, the shared details
 * with their labels, the issuer, validity and the wallet's proof, and the
 * technical details behind an expander. "Scan Next" goes back in one tap.
 * While the wallet is still connected, "Request More…" and "End Session"
 * (win.request-more, win.end-session) are at the bottom; once the holder
 * has ended the session, a note in their place says so.
 */
#define VERIFIER_TYPE_RESULT_PAGE (verifier_result_page_get_type ())
G_DECLARE_FINAL_TYPE (VerifierResultPage, verifier_result_page, VERIFIER, RESULT_PAGE, AdwBin)

void verifier_result_page_set_result (VerifierResultPage *self, VerifierResult *result);
VerifierResult *verifier_result_page_get_result (VerifierResultPage *self);
const char *verifier_result_page_get_verdict_text (VerifierResultPage *self);
/* Which request of the session this result answers (1, 2, …; 0 when it
 * comes from no session), and whether the session is open for more. */
void verifier_result_page_set_session_info (VerifierResultPage *self, guint request_number,
    gboolean open);
gboolean verifier_result_page_get_session_open (VerifierResultPage *self);
/* Says at the bottom that the holder ended the session (with this answer
 * or since); the verdict is left as it is. */
void verifier_result_page_set_holder_ended (VerifierResultPage *self, gboolean ended);
gboolean verifier_result_page_get_holder_ended (VerifierResultPage *self);
/* Whether a portrait is shown. */
gboolean verifier_result_page_has_portrait (VerifierResultPage *self);
/* Expands the technical details (for screenshots and tests). */
void verifier_result_page_expand_details (VerifierResultPage *self, gboolean expanded);

G_END_DECLS
