/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* List items for the app's GListModels: credentials, log entries, trusted
 * roots; and a credential's data elements. Plain copies of what the store
 * returned, so they can cross threads and outlive the store calls. */

#pragma once

#include <gio/gio.h>

#include <tessera/tessera.h>

G_BEGIN_DECLS

#define WALLET_TYPE_CREDENTIAL (wallet_credential_get_type ())
G_DECLARE_FINAL_TYPE (WalletCredential, wallet_credential, WALLET, CREDENTIAL, GObject)

WalletCredential *wallet_credential_new               (const tsr_store_summary_t *summary);
gint64            wallet_credential_get_id            (WalletCredential *self);
const char       *wallet_credential_get_doc_type      (WalletCredential *self);
const char       *wallet_credential_get_issuer        (WalletCredential *self);
gint64            wallet_credential_get_valid_from    (WalletCredential *self);
gint64            wallet_credential_get_valid_until   (WalletCredential *self);
gint64            wallet_credential_get_signed_at     (WalletCredential *self);
gint64            wallet_credential_get_imported_at   (WalletCredential *self);
gint64            wallet_credential_get_key_id        (WalletCredential *self);
tsr_sa_kind_t     wallet_credential_get_key_storage   (WalletCredential *self);
/* Whether the issuer was shown the key lives in the TPM (attested provisioning). */
gboolean          wallet_credential_get_key_attested  (WalletCredential *self);
gint64            wallet_credential_get_uses_remaining (WalletCredential *self);
/* The holder's name, when known (from the elements; NULL on a locked wallet). */
const char       *wallet_credential_get_holder_name   (WalletCredential *self);
void              wallet_credential_set_holder_name   (WalletCredential *self,
                                                       const char       *name);

/* One issuer-signed data element. */
typedef struct {
  char   *name_space;
  char   *identifier;
  GBytes *value;      /* the elementValue's CBOR */
} WalletElement;

WalletElement *wallet_element_new  (const char   *name_space,
                                    const char   *identifier,
                                    const guint8 *value,
                                    gsize         len);
void           wallet_element_free (WalletElement *element);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WalletElement, wallet_element_free)

/* The Document Signer certificate of a credential (tsr_cert_summary_t). */
typedef struct {
  char   *subject;
  char   *issuer;             /* the IACA's subject */
  char   *country;            /* "" when absent */
  char   *serial;
  gint64  not_before;
  gint64  not_after;
  char   *key_algorithm;
  char   *signature_algorithm;
} WalletCertInfo;

WalletCertInfo *wallet_cert_info_new  (const tsr_cert_summary_t *summary);
void            wallet_cert_info_free (WalletCertInfo           *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WalletCertInfo, wallet_cert_info_free)

/* One requested or shared element of a log entry. */
typedef struct {
  char *name_space;
  char *identifier;
} WalletItem;

#define WALLET_TYPE_LOG_ENTRY (wallet_log_entry_get_type ())
G_DECLARE_FINAL_TYPE (WalletLogEntry, wallet_log_entry, WALLET, LOG_ENTRY, GObject)

WalletLogEntry     *wallet_log_entry_new            (const tsr_store_log_entry_t *entry);
gint64              wallet_log_entry_get_id         (WalletLogEntry *self);
gint64              wallet_log_entry_get_time       (WalletLogEntry *self);
const char         *wallet_log_entry_get_reader     (WalletLogEntry *self);
tsr_reader_trust_t  wallet_log_entry_get_reader_trust (WalletLogEntry *self);
const char         *wallet_log_entry_get_doc_type   (WalletLogEntry *self);
tsr_presentation_outcome_t wallet_log_entry_get_outcome (WalletLogEntry *self);
/* Arrays of WalletItem. */
GArray             *wallet_log_entry_get_requested  (WalletLogEntry *self);
GArray             *wallet_log_entry_get_shared     (WalletLogEntry *self);

#define WALLET_TYPE_ROOT (wallet_root_get_type ())
G_DECLARE_FINAL_TYPE (WalletRoot, wallet_root, WALLET, ROOT, GObject)

WalletRoot *wallet_root_new             (const tsr_store_root_t *root);
gint64      wallet_root_get_id          (WalletRoot *self);
const char *wallet_root_get_subject     (WalletRoot *self);
gint64      wallet_root_get_not_after   (WalletRoot *self);

G_END_DECLS
