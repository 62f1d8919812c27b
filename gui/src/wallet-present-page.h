/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-consent-dialog.h"
#include "wallet-session.h"
#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_PRESENT_PAGE (wallet_present_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletPresentPage, wallet_present_page, WALLET, PRESENT_PAGE, GtkWidget)

void                 wallet_present_page_set_store          (WalletPresentPage *self,
                                                             WalletStore       *store,
                                                             GSettings         *settings);
/* Starts a session and shows its QR code; FALSE (and a message) if it cannot. */
gboolean             wallet_present_page_start              (WalletPresentPage *self);
/* Ends the session in progress, if any (declining a pending request). */
void                 wallet_present_page_stop               (WalletPresentPage *self);
/* "qr" or "result". */
const char          *wallet_present_page_get_view           (WalletPresentPage *self);
WalletSession       *wallet_present_page_get_session        (WalletPresentPage *self);
/* The consent sheet while it is open, else NULL. */
WalletConsentDialog *wallet_present_page_get_consent_dialog (WalletPresentPage *self);
/* The PIN prompt while it is open (sharing with a TPM key that has a
 * PIN), else NULL. Its responses are "share" and "decline"; the PIN goes
 * in its AdwPasswordEntryRow. */
AdwMessageDialog    *wallet_present_page_get_pin_dialog     (WalletPresentPage *self);
/* The result page's title ("Shared", "Declined", ...). */
const char          *wallet_present_page_get_result_title   (WalletPresentPage *self);

G_END_DECLS
