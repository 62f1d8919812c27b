/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "verifier-request.h"

G_BEGIN_DECLS

/*
 * The request page: a template, more details with their intent to retain,
 * reader authentication and the connection. Everything is stored in the
 * settings at once, so the next session uses it.
 *
 * With ::follow-up, the same choice of template and details for one
 * further request in a running session: nothing is stored, and the
 * reader identity and connection (the session's own) are not shown.
 * ::changed follows the choice.
 */
#define VERIFIER_TYPE_REQUEST_PAGE (verifier_request_page_get_type ())
G_DECLARE_FINAL_TYPE (VerifierRequestPage, verifier_request_page, VERIFIER, REQUEST_PAGE, AdwBin)

/* The reader identity's subject (from Trust), or NULL when there is none. */
void verifier_request_page_set_reader_subject (VerifierRequestPage *self, const char *subject);

/* Nothing chosen: no template, no details. */
void verifier_request_page_clear (VerifierRequestPage *self);
/* What is chosen, without a reader identity. */
VerifierRequest *verifier_request_page_dup_request (VerifierRequestPage *self);

G_END_DECLS
