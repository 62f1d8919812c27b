/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "wallet-application.h"
#include "wallet-credentials-page.h"
#include "wallet-detail-page.h"
#include "wallet-history-page.h"
#include "wallet-present-page.h"
#include "wallet-store.h"

G_BEGIN_DECLS

#define WALLET_TYPE_WINDOW (wallet_window_get_type ())
G_DECLARE_FINAL_TYPE (WalletWindow, wallet_window, WALLET, WINDOW, AdwApplicationWindow)

typedef void (*WalletUnlockedFunc) (WalletWindow *self,
                                    gpointer      user_data);

WalletWindow          *wallet_window_new                  (WalletApplication *app);
/* For tests: any (or no) application, a given store and settings. */
WalletWindow          *wallet_window_new_full             (GtkApplication    *app,
                                                           WalletStore       *store,
                                                           GSettings         *settings);
WalletStore           *wallet_window_get_store            (WalletWindow      *self);
GSettings             *wallet_window_get_settings         (WalletWindow      *self);
void                   wallet_window_toast                (WalletWindow      *self,
                                                           const char        *message);
void                   wallet_window_refresh              (WalletWindow      *self);
void                   wallet_window_show_credential      (WalletWindow      *self,
                                                           WalletCredential  *credential);
void                   wallet_window_start_presentation   (WalletWindow      *self);
void                   wallet_window_show_preferences     (WalletWindow      *self);
void                   wallet_window_go_home              (WalletWindow      *self);
/* "credentials" or "history" */
void                   wallet_window_show_view            (WalletWindow      *self,
                                                           const char        *name);
/* Runs @func once the wallet is unlocked, asking for the passphrase if needed. */
void                   wallet_window_ensure_unlocked      (WalletWindow      *self,
                                                           WalletUnlockedFunc func,
                                                           gpointer           user_data,
                                                           GDestroyNotify     destroy);
/* As wallet_window_ensure_unlocked(), and in a TPM wallet with key PINs
 * also asks for the PIN (checked on a key) when it was not entered yet:
 * for what makes or attests keys (wallet_store_needs_key_pin()). */
void                   wallet_window_ensure_key_pin       (WalletWindow      *self,
                                                           WalletUnlockedFunc func,
                                                           gpointer           user_data,
                                                           GDestroyNotify     destroy);

/* The import the file chooser, drag-and-drop and provisioning share: reads
 * @file, unlocks, imports, shows the outcome in a toast and reloads. */
void                   wallet_window_import               (WalletWindow      *self,
                                                           GFile             *file,
                                                           GCancellable      *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer           user_data);
/* The new credential's id (of a batch: the first), or -1 and @error (in
 * plain words). */
gint64                 wallet_window_import_finish        (WalletWindow      *self,
                                                           GAsyncResult      *result,
                                                           GError           **error);
void                   wallet_window_choose_import        (WalletWindow      *self);
void                   wallet_window_create_wallet        (WalletWindow      *self);
void                   wallet_window_provision            (WalletWindow      *self);
/* For tests: the text of the last toast shown, or NULL. */
const char            *wallet_window_get_last_toast       (WalletWindow      *self);

typedef void (*WalletFileFunc) (GFile    *file,
                                gpointer  user_data);
/* A GtkFileChooserNative; @func runs only when a file was chosen. */
void                   wallet_choose_file                 (GtkWindow         *parent,
                                                           const char        *title,
                                                           gboolean           save,
                                                           const char        *suggested_name,
                                                           WalletFileFunc     func,
                                                           gpointer           user_data);

WalletCredentialsPage *wallet_window_get_credentials_page (WalletWindow      *self);
WalletDetailPage      *wallet_window_get_detail_page      (WalletWindow      *self);
WalletPresentPage     *wallet_window_get_present_page     (WalletWindow      *self);
WalletHistoryPage     *wallet_window_get_history_page     (WalletWindow      *self);

G_END_DECLS
