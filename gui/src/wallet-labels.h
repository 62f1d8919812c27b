/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Words for people: document types, element labels, formatted values,
 * validity, key storage, reader trust. The label table lives here (not in
 * wallet-core) so that it is translated with the rest of the app. */

#pragma once

#include <gtk/gtk.h>

#include <tessera/tessera.h>

G_BEGIN_DECLS

typedef enum {
  WALLET_VALIDITY_VALID,
  WALLET_VALIDITY_EXPIRES_SOON,
  WALLET_VALIDITY_EXPIRED,
  WALLET_VALIDITY_NOT_YET_VALID,
} WalletValidity;

/* "Expires soon" starts this long before validUntil. */
#define WALLET_EXPIRES_SOON_SECONDS (30 * 24 * 3600)

const char     *wallet_doctype_label        (const char     *doc_type);
char           *wallet_element_label        (const char     *name_space,
                                             const char     *identifier);
char           *wallet_value_format         (const char     *identifier,
                                             const guint8   *cbor,
                                             gsize           len,
                                             GdkTexture    **ret_image);
/* "Label: value" for people, e.g. "Over 18: Yes" / "18 歳以上: はい". */
char           *wallet_element_statement    (const char     *name_space,
                                             const char     *identifier,
                                             const guint8   *cbor,
                                             gsize           len);
/* Whether a CBOR value is true or false (age statements and other yes/no elements). */
gboolean        wallet_value_is_boolean     (const guint8   *cbor,
                                             gsize           len);
/* The key of an element value in the consent sheet's table of values:
 * credential label (see tsr_presentation_doc_credential()), namespace,
 * identifier. */
char           *wallet_element_key          (const char     *credential,
                                             const char     *name_space,
                                             const char     *identifier);
WalletValidity  wallet_validity_at          (gint64          now,
                                             gint64          valid_from,
                                             gint64          valid_until);
const char     *wallet_validity_label       (WalletValidity  validity);
const char     *wallet_validity_css_class   (WalletValidity  validity);
const char     *wallet_key_storage_label    (tsr_sa_kind_t   kind);
/* As above, "TPM 2.0 (attested)" for an attested TPM key. */
const char     *wallet_credential_storage_label (tsr_sa_kind_t kind,
                                                 gboolean      attested);
/* The least trusted reader of the presentation's DocRequests (anonymous
 * when there are none) and the first reader subject named, or NULL. */
tsr_reader_trust_t wallet_reader_trust_of   (tsr_presentation_t *presentation,
                                             const char        **ret_subject);
const char     *wallet_reader_trust_label   (tsr_reader_trust_t trust);
const char     *wallet_reader_trust_css_class (tsr_reader_trust_t trust);
char           *wallet_subject_name         (const char     *subject);
char           *wallet_format_date          (gint64          unix_time);
char           *wallet_format_date_time     (gint64          unix_time);
/* "Given Family", or the other way round where the language says so. */
char           *wallet_person_name          (const char     *given,
                                             const char     *family);
/* Loads the app's style sheet for the default display, once. */
void            wallet_style_ensure         (void);

G_END_DECLS
