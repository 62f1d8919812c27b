/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_HISTORY_PAGE (wallet_history_page_get_type ())
G_DECLARE_FINAL_TYPE (WalletHistoryPage, wallet_history_page, WALLET, HISTORY_PAGE, GtkWidget)

void        wallet_history_page_set_store (WalletHistoryPage *self,
                                           WalletStore       *store);
void        wallet_history_page_reload    (WalletHistoryPage *self);
/* "loading", "list", "empty", "locked" or "error". */
const char *wallet_history_page_get_state (WalletHistoryPage *self);
/* WalletLogEntry, newest first; NULL before the first load. */
GListModel *wallet_history_page_get_model (WalletHistoryPage *self);

G_END_DECLS
