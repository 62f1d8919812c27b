/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VERIFIER_TYPE_APPLICATION (verifier_application_get_type ())
G_DECLARE_FINAL_TYPE (VerifierApplication, verifier_application, VERIFIER, APPLICATION,
    AdwApplication)

VerifierApplication *verifier_application_new (void);

/*
 * Test hook: TESSERA_VERIFIER_NOW="YYYY-MM-DDThh:mm:ssZ" makes new windows
 * verify as if it were that time, so that test credentials with fixed
 * validity (the ISO 18013-5 Annex D vectors) can be shown as verified.
 * Read nowhere else; never set it in production. Returns 0 when unset.
 */
gint64 verifier_test_hook_now (void);

G_END_DECLS
