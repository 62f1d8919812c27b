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
/* Kept in memory (wiped when replaced or freed) to unlock the wallet; in
 * a TPM wallet with key PINs, the PIN its new keys get and attestation
 * uses (presentations ask the holder each time instead). */
void           wallet_store_set_passphrase    (WalletStore  *self,
                                               const char   *passphrase);
gboolean       wallet_store_has_passphrase    (WalletStore  *self);
/* Known after the first successful call (0 before). */
tsr_sa_kind_t  wallet_store_get_sa_kind       (WalletStore  *self);
/* A TPM wallet created with a PIN: every device key has it as its
 * authValue (signing, key agreement and attestation need it). Known after
 * the first successful call (FALSE before). */
gboolean       wallet_store_get_keys_have_pin (WalletStore  *self);
/* Whether new keys and attestation wait for the keys' PIN: a wallet with
 * key PINs whose PIN was not entered in this run. wallet_store_unlock_async()
 * then checks the one given with wallet_store_set_passphrase() on a key
 * that has it (when there is one), and forgets a wrong one. */
gboolean       wallet_store_needs_key_pin     (WalletStore  *self);
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
/* The elements (WalletElement), in the IssuerSigned's order, and (when
 * @ret_cert is not NULL) the DS certificate's summary, NULL if unreadable. */
GPtrArray     *wallet_store_show_finish       (WalletStore     *self,
                                               GAsyncResult    *result,
                                               WalletCertInfo **ret_cert,
                                               GError         **error);

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

/* Changes the secret that unlocks the wallet (software passphrase or
 * PKCS#11 user PIN; tsr_store_change_secret) and keeps the new one. Errors
 * say what is wrong: the current secret, a locked token, a new PIN the
 * token refuses, a TPM wallet without a PIN. In a TPM wallet it is the PIN
 * of its keys (TPM2_ObjectChangeAuth on each, new blobs stored at once). */
void           wallet_store_change_secret_async  (WalletStore         *self,
                                                  const char          *old_secret,
                                                  const char          *new_secret,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       wallet_store_change_secret_finish (WalletStore   *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

/* Creates the wallet at the store's path (tsr_store_create), then keeps
 * @secret (software passphrase or PKCS#11 PIN; may be NULL) to unlock it.
 * For a TPM wallet a @secret is the PIN of its keys: the wallet records
 * that its keys have one (wallet_store_get_keys_have_pin()). */
void           wallet_store_create_async      (WalletStore         *self,
                                               tsr_sa_kind_t        kind,
                                               const char          *tcti,
                                               const char          *pkcs11_module,
                                               const char          *token_label,
                                               const char          *secret,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       wallet_store_create_finish     (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);
/* Whether a TPM 2.0 is there ($TESSERA_TCTI or /dev/tpmrm0), as `tessera wallet init`. */
gboolean       wallet_tpm_reachable           (void);

/* tsr_store_import, or tsr_store_import_batch for a batch (a CBOR array:
 * single-use credentials, all or none); errors in plain words (refused
 * reasons by name). */
void           wallet_store_import_async      (WalletStore         *self,
                                               GBytes              *credential,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* The new credentials' ids (gint64, at least one; g_array_unref()), or
 * NULL and @error. */
GArray        *wallet_store_import_finish     (WalletStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error);

/* Attested provisioning, as `tessera wallet provision-request` (a new TPM
 * key and the request file's bytes) and `provision-respond` (the challenge
 * in, the response file's bytes out). Both finish with _provision_finish. */
void           wallet_store_provision_request_async (WalletStore         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void           wallet_store_provision_respond_async (WalletStore         *self,
                                                     GBytes              *challenge,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GBytes        *wallet_store_provision_finish        (WalletStore   *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

G_END_DECLS
