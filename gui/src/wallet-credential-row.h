/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wallet-models.h"

G_BEGIN_DECLS

#define WALLET_TYPE_CREDENTIAL_ROW (wallet_credential_row_get_type ())
G_DECLARE_FINAL_TYPE (WalletCredentialRow, wallet_credential_row, WALLET, CREDENTIAL_ROW, GtkListBoxRow)

/* The card shows the credential's state at @now (Unix seconds). */
GtkWidget        *wallet_credential_row_new            (WalletCredential    *credential,
                                                        gint64               now);
WalletCredential *wallet_credential_row_get_credential (WalletCredentialRow *self);

G_END_DECLS
