/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_CREDENTIALS_PAGE (wallet_credentials_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletCredentialsPage, wallet_credentials_page, WALLET, CREDENTIALS_PAGE, GtkWidget)

void        wallet_credentials_page_set_store (WalletCredentialsPage *self,
                                               WalletStore           *store);
void        wallet_credentials_page_reload    (WalletCredentialsPage *self);
/* "loading", "list", "empty", "no-wallet" or "error". */
const char *wallet_credentials_page_get_state (WalletCredentialsPage *self);
/* The credentials shown (WalletCredential), or NULL before the first load. */
GListModel *wallet_credentials_page_get_model (WalletCredentialsPage *self);

/* What a drop of @file does (the GtkDropTarget's handler): "file-dropped". */
void        wallet_credentials_page_drop_file (WalletCredentialsPage *self,
                                               GFile                 *file);

G_END_DECLS
