/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A trusted IACA certificate, as the trust page lists it. */
#define VERIFIER_TYPE_TRUST_ANCHOR (verifier_trust_anchor_get_type ())
G_DECLARE_FINAL_TYPE (VerifierTrustAnchor, verifier_trust_anchor, VERIFIER, TRUST_ANCHOR, GObject)

const char *verifier_trust_anchor_get_path (VerifierTrustAnchor *self);
/* The subject (RFC 4514), or the file name when it cannot be read. */
const char *verifier_trust_anchor_get_subject (VerifierTrustAnchor *self);
const char *verifier_trust_anchor_get_common_name (VerifierTrustAnchor *self);
const char *verifier_trust_anchor_get_country (VerifierTrustAnchor *self);
/* Unix seconds, 0 when unknown. */
gint64 verifier_trust_anchor_get_not_after (VerifierTrustAnchor *self);
GBytes *verifier_trust_anchor_get_data (VerifierTrustAnchor *self);

/* An offline status list (Token Status List CWT). */
#define VERIFIER_TYPE_STATUS_LIST (verifier_status_list_get_type ())
G_DECLARE_FINAL_TYPE (VerifierStatusList, verifier_status_list, VERIFIER, STATUS_LIST, GObject)

const char *verifier_status_list_get_path (VerifierStatusList *self);
const char *verifier_status_list_get_uri (VerifierStatusList *self);
const char *verifier_status_list_get_signer (VerifierStatusList *self);
/* Unix seconds, 0 when absent. */
gint64 verifier_status_list_get_issued_at (VerifierStatusList *self);
gint64 verifier_status_list_get_expires_at (VerifierStatusList *self);
gint64 verifier_status_list_get_ttl (VerifierStatusList *self);
guint verifier_status_list_get_size (VerifierStatusList *self);
GBytes *verifier_status_list_get_data (VerifierStatusList *self);

/*
 * The verifier's trust material on disk: a folder of IACA certificates and
 * a folder of status lists. Imports are validated with libtessera and
 * copied in under content-derived names, so importing twice is harmless.
 * Both lists are GListModels that follow loads, imports and removals; they
 * are empty until the first load (::loaded), which reads the folders in a
 * worker thread. Files there that cannot be used are kept as problems.
 */
#define VERIFIER_TYPE_TRUST_STORE (verifier_trust_store_get_type ())
G_DECLARE_FINAL_TYPE (VerifierTrustStore, verifier_trust_store, VERIFIER, TRUST_STORE, GObject)

/* Empty until loaded. */
VerifierTrustStore *verifier_trust_store_new (const char *iaca_dir, const char *status_dir);
/* From the trust-dir and status-list-dir settings (empty: the defaults). */
VerifierTrustStore *verifier_trust_store_new_from_settings (GSettings *settings);

const char *verifier_trust_store_get_iaca_dir (VerifierTrustStore *self);
const char *verifier_trust_store_get_status_dir (VerifierTrustStore *self);
/* Reads both folders in a worker thread; the lists and the problems
 * change on the main thread just before @callback runs. */
void verifier_trust_store_load_async (VerifierTrustStore *self, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean verifier_trust_store_load_finish (VerifierTrustStore *self, GAsyncResult *result,
    GError **error);
/* The same on this thread (tests and tools). */
void verifier_trust_store_reload (VerifierTrustStore *self);
/* ::loaded: the folders have been read once. Notified after every read. */
gboolean verifier_trust_store_get_loaded (VerifierTrustStore *self);
/* The files of the last read that cannot be used, and why. */
guint verifier_trust_store_get_n_problems (VerifierTrustStore *self);
void verifier_trust_store_get_problem (VerifierTrustStore *self, guint i, const char **ret_path,
    const char **ret_reason);

GListModel *verifier_trust_store_get_anchors (VerifierTrustStore *self);
GListModel *verifier_trust_store_get_status_lists (VerifierTrustStore *self);

/* Imports every certificate of a PEM or DER file; returns how many. */
guint verifier_trust_store_import_file (VerifierTrustStore *self, GFile *file, GError **error);
/* Imports every certificate file (.pem .der .crt .cer) in a folder. */
guint verifier_trust_store_import_folder (VerifierTrustStore *self, GFile *folder, GError **error);
gboolean verifier_trust_store_remove_anchor (VerifierTrustStore *self, VerifierTrustAnchor *anchor,
    GError **error);

gboolean verifier_trust_store_import_status_list (VerifierTrustStore *self, GFile *file,
    GError **error);
gboolean verifier_trust_store_remove_status_list (VerifierTrustStore *self,
    VerifierStatusList *list, GError **error);

/* What to import with verifier_trust_store_import_async(). */
typedef enum {
	VERIFIER_IMPORT_IACA_FILE,   /* every certificate of a PEM or DER file */
	VERIFIER_IMPORT_IACA_FOLDER, /* every certificate file (.pem .der .crt .cer) in a folder */
	VERIFIER_IMPORT_STATUS_LIST, /* one status list */
} VerifierImportKind;

/* The imports above in a worker thread (reading, libtessera's checks,
 * copying, and re-reading the folders); the lists change on the main
 * thread just before @callback runs. The synchronous ones are for tests
 * and tools. */
void verifier_trust_store_import_async (VerifierTrustStore *self, VerifierImportKind kind,
    GFile *file, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* How many certificates (1 for a status list) were imported; 0 and @error otherwise. */
guint verifier_trust_store_import_finish (VerifierTrustStore *self, GAsyncResult *result,
    GError **error);

/* Snapshots (arrays of GBytes) for a session's worker thread. */
GPtrArray *verifier_trust_store_dup_anchor_data (VerifierTrustStore *self);
GPtrArray *verifier_trust_store_dup_status_list_data (VerifierTrustStore *self);

/* Reads a certificate file for display: subject, expiry. */
gboolean verifier_certificate_describe (GBytes *data, char **ret_subject, gint64 *ret_not_after);

G_END_DECLS
