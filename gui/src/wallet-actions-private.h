/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Every GAction of the app lives in wallet-actions.c. */

#pragma once

#include "wallet-application.h"
#include "wallet-window.h"

G_BEGIN_DECLS

void _wallet_application_actions_init (WalletApplication *self);
void _wallet_window_actions_init      (WalletWindow      *self);

G_END_DECLS
