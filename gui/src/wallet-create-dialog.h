/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_CREATE_DIALOG (wallet_create_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WalletCreateDialog, wallet_create_dialog, WALLET, CREATE_DIALOG, AdwWindow)

/* Creates a wallet at @store's path; emits "created" when it exists. */
WalletCreateDialog *wallet_create_dialog_new        (GtkWindow          *parent,
                                                     WalletStore        *store);
tsr_sa_kind_t       wallet_create_dialog_get_kind   (WalletCreateDialog *self);
void                wallet_create_dialog_set_kind   (WalletCreateDialog *self,
                                                     tsr_sa_kind_t       kind);
/* For tests: fill the passphrase fields (software) or the PKCS#11 ones. */
void                wallet_create_dialog_set_passphrase (WalletCreateDialog *self,
                                                         const char         *passphrase,
                                                         const char         *again);
/* For tests: fill the TPM PIN fields (empty: keys without a PIN). */
void                wallet_create_dialog_set_tpm_pin (WalletCreateDialog *self,
                                                      const char         *pin,
                                                      const char         *again);
void                wallet_create_dialog_set_token  (WalletCreateDialog *self,
                                                     const char         *module,
                                                     const char         *label,
                                                     const char         *pin);
/* What the Create button does; FALSE when the form is refused at once. */
gboolean            wallet_create_dialog_create     (WalletCreateDialog *self);
/* The line under the form: what is wrong, or what is going on. */
const char         *wallet_create_dialog_get_status (WalletCreateDialog *self);
gboolean            wallet_create_dialog_is_busy    (WalletCreateDialog *self);

G_END_DECLS
