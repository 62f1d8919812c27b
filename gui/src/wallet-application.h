/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_APPLICATION (wallet_application_get_type ())
G_DECLARE_FINAL_TYPE (WalletApplication, wallet_application, WALLET, APPLICATION, AdwApplication)

WalletApplication *wallet_application_new          (void);
WalletStore       *wallet_application_get_store    (WalletApplication *self);
GSettings         *wallet_application_get_settings (WalletApplication *self);

G_END_DECLS
