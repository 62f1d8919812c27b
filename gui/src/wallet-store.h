/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The wallet store seen from the app: one tsr_store_t behind a mutex, and
 * every call that can block (SQLite, unsealing, the secure area) run in a
 * GTask thread. Errors are WALLET_ERROR with the libtessera code. */

#pragma once

#include <gio/gio.h>

#include <tessera/tessera.h>

#include "wallet-models.h"

G_BEGIN_DECLS

#define WALLET_ERROR (wallet_error_quark ())
GQuark      wallet_error_quark   (void);
/* A GError for a libtessera code, with a message for people. */
GError     *wallet_error_new     (int         tsr_err);
const char *wallet_error_message (int         tsr_err);

#define WALLET_TYPE_STORE (wallet_store_get_type ())
G_DECLARE_FINAL_TYPE (WalletStore, wallet_store, WALLET, STORE, GObject)

/* path NULL: the default wallet ($XDG_DATA_HOME/tessera/wallet.db). */
WalletStore   *wallet_store_new               (const char   *path);
const char    *wallet_store_get_path          (WalletStore  *self);
/* Kept in memory (wiped when replaced or freed) to unlock the wallet. */
void           wallet_store_set_passphrase    (WalletStore  *self,
                                               const char   *passphrase);
gboolean       wallet_store_has_passphrase    (WalletStore  *self);
/* Known after the first successful call (0 before). */
tsr_sa_kind_t  wallet_store_get_sa_kind       (WalletStore  *self);
/* TCTI or token label; NULL when none. Owned copy. */
char          *wallet_store_dup_sa_location   (WalletStore  *self);
gboolean       wallet_store_is_unlocked       (WalletStore  *self);

/* For worker threads: the open store with the lock held (unlocked first
 * when @unlock), or NULL and @error. Pair with wallet_store_release(). */
tsr_store_t   *wallet_store_acquire           (WalletStore  *self,
                                               gboolean      unlock,
                                               GError      **error);
void           wallet_store_release           (WalletStore  *self);

void           wallet_store_list_async        (WalletStore         *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* A GListModel of WalletCredential. */
GListModel    *wallet_store_list_finish       (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

void           wallet_store_show_async        (WalletStore         *self,
                                               gint64               id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* The elements (WalletElement), in the IssuerSigned's order. */
GPtrArray     *wallet_store_show_finish       (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

void           wallet_store_delete_async      (WalletStore         *self,
                                               gint64               id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       wallet_store_delete_finish     (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

void           wallet_store_unlock_async      (WalletStore         *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       wallet_store_unlock_finish     (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

void           wallet_store_log_async         (WalletStore         *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* A GListModel of WalletLogEntry, newest first. */
GListModel    *wallet_store_log_finish        (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

void           wallet_store_roots_async       (WalletStore         *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* A GListModel of WalletRoot (reader roots). */
GListModel    *wallet_store_roots_finish      (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

void           wallet_store_add_root_async    (WalletStore         *self,
                                               GBytes              *certs,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* The number of certificates added, or -1 and @error. */
gssize         wallet_store_add_root_finish   (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

void           wallet_store_remove_root_async (WalletStore         *self,
                                               gint64               id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       wallet_store_remove_root_finish (WalletStore   *self,
                                                GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
