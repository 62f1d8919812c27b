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
 */
#define VERIFIER_TYPE_RESULT_PAGE (verifier_result_page_get_type ())
G_DECLARE_FINAL_TYPE (VerifierResultPage, verifier_result_page, VERIFIER, RESULT_PAGE, AdwBin)

void verifier_result_page_set_result (VerifierResultPage *self, VerifierResult *result);
VerifierResult *verifier_result_page_get_result (VerifierResultPage *self);
const char *verifier_result_page_get_verdict_text (VerifierResultPage *self);
/* Whether a portrait is shown. */
gboolean verifier_result_page_has_portrait (VerifierResultPage *self);
/* Expands the technical details (for screenshots and tests). */
void verifier_result_page_expand_details (VerifierResultPage *self, gboolean expanded);

G_END_DECLS
