/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The consent sheet: who asks, for what, and a switch per element. Its
 * decision is recorded in the tsr_presentation_t itself, so the switches
 * decide exactly what the response discloses. */

#pragma once

#include <adwaita.h>

#include <tessera/tessera.h>

G_BEGIN_DECLS

#define WALLET_TYPE_CONSENT_DIALOG (wallet_consent_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WalletConsentDialog, wallet_consent_dialog, WALLET, CONSENT_DIALOG, AdwWindow)

/* @presentation is analysed and borrowed: it must outlive the dialog's
 * "decided" signal. Switches start on only for a trusted reader. */
WalletConsentDialog *wallet_consent_dialog_new         (GtkWindow           *parent,
                                                        tsr_presentation_t  *presentation);
/* As above; @values (may be NULL; referenced) maps wallet_element_key()
 * to the CBOR value (GBytes) of the offered credentials' yes/no elements,
 * so that an age statement says what it will answer: "Over 18: Yes". */
WalletConsentDialog *wallet_consent_dialog_new_with_values (GtkWindow          *parent,
                                                            tsr_presentation_t *presentation,
                                                            GHashTable         *values);
/* Records the switches in the presentation and emits "decided" (TRUE). */
void                 wallet_consent_dialog_share       (WalletConsentDialog *self);
/* Records no consent at all and emits "decided" (FALSE). */
void                 wallet_consent_dialog_decline     (WalletConsentDialog *self);
/* The switch of element @e of DocRequest @d, or NULL when it cannot be provided. */
GtkSwitch           *wallet_consent_dialog_get_switch  (WalletConsentDialog *self,
                                                        gsize                d,
                                                        gsize                e);
tsr_reader_trust_t   wallet_consent_dialog_get_trust   (WalletConsentDialog *self);

G_END_DECLS
