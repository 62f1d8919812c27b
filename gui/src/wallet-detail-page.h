/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_DETAIL_PAGE (wallet_detail_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletDetailPage, wallet_detail_page, WALLET, DETAIL_PAGE, GtkWidget)

void              wallet_detail_page_set_store      (WalletDetailPage *self,
                                                     WalletStore      *store);
void              wallet_detail_page_load           (WalletDetailPage *self,
                                                     WalletCredential *credential);
WalletCredential *wallet_detail_page_get_credential (WalletDetailPage *self);
/* "loading", "loaded" or "error". */
const char       *wallet_detail_page_get_state      (WalletDetailPage *self);
/* Asks for confirmation, then deletes (emits "deleted"). */
void              wallet_detail_page_delete         (WalletDetailPage *self);

G_END_DECLS
