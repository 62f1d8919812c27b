/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-window.h"

G_BEGIN_DECLS

typedef enum {
  WALLET_STEP_WAITING,  /* the step before is not done yet */
  WALLET_STEP_READY,
  WALLET_STEP_BUSY,
  WALLET_STEP_DONE,
  WALLET_STEP_FAILED,
} WalletStepState;

typedef enum {
  WALLET_STEP_REQUEST,
  WALLET_STEP_CHALLENGE,
  WALLET_STEP_CREDENTIAL,
  WALLET_N_STEPS
} WalletStep;

#define WALLET_TYPE_PROVISION_DIALOG (wallet_provision_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WalletProvisionDialog, wallet_provision_dialog, WALLET, PROVISION_DIALOG, AdwWindow)

/* The three steps of attested provisioning with an issuer (docs/provisioning.md). */
WalletProvisionDialog *wallet_provision_dialog_new        (WalletWindow          *window);
WalletStepState        wallet_provision_dialog_get_state  (WalletProvisionDialog *self,
                                                           WalletStep             step);
const char            *wallet_provision_dialog_get_status (WalletProvisionDialog *self,
                                                           WalletStep             step);
/* What the buttons do once a file is chosen. */
void                   wallet_provision_dialog_create_request (WalletProvisionDialog *self,
                                                               GFile                 *out);
void                   wallet_provision_dialog_respond        (WalletProvisionDialog *self,
                                                               GFile                 *challenge,
                                                               GFile                 *out);
void                   wallet_provision_dialog_import         (WalletProvisionDialog *self,
                                                               GFile                 *credential);

G_END_DECLS
