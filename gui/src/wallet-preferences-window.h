/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_PREFERENCES_WINDOW (wallet_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (WalletPreferencesWindow, wallet_preferences_window, WALLET, PREFERENCES_WINDOW, AdwPreferencesWindow)

WalletPreferencesWindow *wallet_preferences_window_new    (GtkWindow   *parent,
                                                           WalletStore *store,
                                                           GSettings   *settings);
/* Imports reader root certificate(s) (PEM or DER). */
void                     wallet_preferences_window_import (WalletPreferencesWindow *self,
                                                           GBytes                  *certs);
/* The reader roots shown (WalletRoot), NULL before they are loaded. */
GListModel              *wallet_preferences_window_get_roots (WalletPreferencesWindow *self);

/* Opens the dialog that changes the wallet's passphrase or token PIN. */
void                     wallet_preferences_window_change_pin (WalletPreferencesWindow *self);
/* The text of the last toast shown (for tests), or NULL. */
const char              *wallet_preferences_window_get_last_toast (WalletPreferencesWindow *self);
/* Whether a PIN change is running in its thread. */
gboolean                 wallet_preferences_window_get_busy (WalletPreferencesWindow *self);

G_END_DECLS
