/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * The request page: a template, more details with their intent to retain,
 * reader authentication and the connection. Everything is stored in the
 * settings at once, so the next session uses it.
 */
#define VERIFIER_TYPE_REQUEST_PAGE (verifier_request_page_get_type ())
G_DECLARE_FINAL_TYPE (VerifierRequestPage, verifier_request_page, VERIFIER, REQUEST_PAGE, AdwBin)

/* The reader identity's subject (from Trust), or NULL when there is none. */
void verifier_request_page_set_reader_subject (VerifierRequestPage *self, const char *subject);

G_END_DECLS
