/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "verifier-trust-store.h"

G_BEGIN_DECLS

/*
 * The trust page: trusted IACA certificates (import a file or a folder,
 * remove), the reader identity, and offline status lists with their age
 * and expiry.
 */
#define VERIFIER_TYPE_TRUST_PAGE (verifier_trust_page_get_type ())
G_DECLARE_FINAL_TYPE (VerifierTrustPage, verifier_trust_page, VERIFIER, TRUST_PAGE, AdwBin)

void verifier_trust_page_set_store (VerifierTrustPage *self, VerifierTrustStore *store);
/* The time ages and expiries are measured from (Unix seconds); 0 for now. */
void verifier_trust_page_set_now (VerifierTrustPage *self, gint64 now);

G_END_DECLS
