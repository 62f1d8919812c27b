/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "verifier-session.h"

G_BEGIN_DECLS

/*
 * What happens while a session runs: the stage in words, the time left
 * before the timeout, Cancel; and, when a session fails, what went wrong
 * and what to do.
 */
#define VERIFIER_TYPE_PROGRESS_PAGE (verifier_progress_page_get_type ())
G_DECLARE_FINAL_TYPE (VerifierProgressPage, verifier_progress_page, VERIFIER, PROGRESS_PAGE,
    AdwBin)

void verifier_progress_page_set_session (VerifierProgressPage *self, VerifierSession *session);
void verifier_progress_page_show_error (VerifierProgressPage *self, const GError *error);
/* What the page says now (title and description), for tests. */
const char *verifier_progress_page_get_title (VerifierProgressPage *self);
const char *verifier_progress_page_get_description (VerifierProgressPage *self);

G_END_DECLS
