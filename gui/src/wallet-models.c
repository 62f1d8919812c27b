/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "wallet-models.h"

/* ---- WalletCredential ---- */

struct _WalletCredential
{
  GObject parent_instance;

  tsr_store_summary_t summary; /* strings below are owned copies */
  char *doc_type;
  char *issuer;
  char *holder_name;
};

G_DEFINE_FINAL_TYPE (WalletCredential, wallet_credential, G_TYPE_OBJECT)

static void
wallet_credential_finalize (GObject *object)
{
  WalletCredential *self = WALLET_CREDENTIAL (object);

  g_free (self->doc_type);
  g_free (self->issuer);
  g_free (self->holder_name);
  G_OBJECT_CLASS (wallet_credential_parent_class)->finalize (object);
}

static void
wallet_credential_class_init (WalletCredentialClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wallet_credential_finalize;
}

static void
wallet_credential_init (WalletCredential *self)
{
}

WalletCredential *
wallet_credential_new (const tsr_store_summary_t *summary)
{
  WalletCredential *self = g_object_new (WALLET_TYPE_CREDENTIAL, NULL);

  self->summary = *summary;
  self->doc_type = g_strdup (summary->doc_type ? summary->doc_type : "");
  self->issuer = g_strdup (summary->issuer_subject ? summary->issuer_subject : "");
  self->summary.doc_type = self->doc_type;
  self->summary.issuer_subject = self->issuer;
  return self;
}

gint64 wallet_credential_get_id (WalletCredential *self) { return self->summary.id; }
const char *wallet_credential_get_doc_type (WalletCredential *self) { return self->doc_type; }
const char *wallet_credential_get_issuer (WalletCredential *self) { return self->issuer; }
gint64 wallet_credential_get_valid_from (WalletCredential *self) { return self->summary.valid_from; }
gint64 wallet_credential_get_valid_until (WalletCredential *self) { return self->summary.valid_until; }
gint64 wallet_credential_get_signed_at (WalletCredential *self) { return self->summary.signed_at; }
gint64 wallet_credential_get_imported_at (WalletCredential *self) { return self->summary.imported_at; }
gint64 wallet_credential_get_key_id (WalletCredential *self) { return self->summary.key_id; }
tsr_sa_kind_t wallet_credential_get_key_storage (WalletCredential *self) { return self->summary.key_storage; }
gboolean wallet_credential_get_key_attested (WalletCredential *self) { return self->summary.key_attested; }
gint64 wallet_credential_get_uses_remaining (WalletCredential *self) { return self->summary.uses_remaining; }
const char *wallet_credential_get_holder_name (WalletCredential *self) { return self->holder_name; }

void
wallet_credential_set_holder_name (WalletCredential *self,
                                   const char       *name)
{
  g_return_if_fail (WALLET_IS_CREDENTIAL (self));
  g_free (self->holder_name);
  self->holder_name = g_strdup (name);
}

/* ---- WalletElement ---- */

WalletCertInfo *
wallet_cert_info_new (const tsr_cert_summary_t *summary)
{
  WalletCertInfo *info = g_new0 (WalletCertInfo, 1);

  info->subject = g_strdup (summary->subject);
  info->issuer = g_strdup (summary->issuer);
  info->country = g_strdup (summary->country);
  info->serial = g_strdup (summary->serial);
  info->not_before = summary->not_before;
  info->not_after = summary->not_after;
  info->key_algorithm = g_strdup (summary->key_algorithm);
  info->signature_algorithm = g_strdup (summary->signature_algorithm);
  return info;
}

void
wallet_cert_info_free (WalletCertInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->subject);
  g_free (info->issuer);
  g_free (info->country);
  g_free (info->serial);
  g_free (info->key_algorithm);
  g_free (info->signature_algorithm);
  g_free (info);
}

WalletElement *
wallet_element_new (const char   *name_space,
                    const char   *identifier,
                    const guint8 *value,
                    gsize         len)
{
  WalletElement *e = g_new0 (WalletElement, 1);

  e->name_space = g_strdup (name_space);
  e->identifier = g_strdup (identifier);
  e->value = g_bytes_new (value, len);
  return e;
}

void
wallet_element_free (WalletElement *element)
{
  if (element == NULL)
    return;
  g_free (element->name_space);
  g_free (element->identifier);
  g_bytes_unref (element->value);
  g_free (element);
}

/* ---- WalletLogEntry ---- */

struct _WalletLogEntry
{
  GObject parent_instance;

  gint64 id;
  gint64 time;
  char *reader;
  tsr_reader_trust_t reader_trust;
  char *doc_type;
  tsr_presentation_outcome_t outcome;
  GArray *requested;
  GArray *shared;
};

G_DEFINE_FINAL_TYPE (WalletLogEntry, wallet_log_entry, G_TYPE_OBJECT)

static void
item_clear (gpointer data)
{
  WalletItem *item = data;

  g_free (item->name_space);
  g_free (item->identifier);
}

static GArray *
items_copy (const tsr_store_item_t *items,
            size_t                  n)
{
  GArray *a = g_array_sized_new (FALSE, TRUE, sizeof (WalletItem), (guint) n);

  g_array_set_clear_func (a, item_clear);
  for (size_t i = 0; i < n; i++)
    {
      WalletItem item = {
        g_strdup (items[i].name_space ? items[i].name_space : ""),
        g_strdup (items[i].identifier ? items[i].identifier : ""),
      };
      g_array_append_val (a, item);
    }
  return a;
}

static void
wallet_log_entry_finalize (GObject *object)
{
  WalletLogEntry *self = WALLET_LOG_ENTRY (object);

  g_free (self->reader);
  g_free (self->doc_type);
  g_clear_pointer (&self->requested, g_array_unref);
  g_clear_pointer (&self->shared, g_array_unref);
  G_OBJECT_CLASS (wallet_log_entry_parent_class)->finalize (object);
}

static void
wallet_log_entry_class_init (WalletLogEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wallet_log_entry_finalize;
}

static void
wallet_log_entry_init (WalletLogEntry *self)
{
}

WalletLogEntry *
wallet_log_entry_new (const tsr_store_log_entry_t *entry)
{
  WalletLogEntry *self = g_object_new (WALLET_TYPE_LOG_ENTRY, NULL);

  self->id = entry->id;
  self->time = entry->time;
  self->reader = g_strdup (entry->reader);
  self->reader_trust = entry->reader_trust;
  self->doc_type = g_strdup (entry->doc_type);
  self->outcome = entry->outcome;
  self->requested = items_copy (entry->requested, entry->n_requested);
  self->shared = items_copy (entry->shared, entry->n_shared);
  return self;
}

gint64 wallet_log_entry_get_id (WalletLogEntry *self) { return self->id; }
gint64 wallet_log_entry_get_time (WalletLogEntry *self) { return self->time; }
const char *wallet_log_entry_get_reader (WalletLogEntry *self) { return self->reader; }
tsr_reader_trust_t wallet_log_entry_get_reader_trust (WalletLogEntry *self) { return self->reader_trust; }
const char *wallet_log_entry_get_doc_type (WalletLogEntry *self) { return self->doc_type; }
tsr_presentation_outcome_t wallet_log_entry_get_outcome (WalletLogEntry *self) { return self->outcome; }
GArray *wallet_log_entry_get_requested (WalletLogEntry *self) { return self->requested; }
GArray *wallet_log_entry_get_shared (WalletLogEntry *self) { return self->shared; }

/* ---- WalletRoot ---- */

struct _WalletRoot
{
  GObject parent_instance;

  gint64 id;
  char *subject;
  gint64 not_after;
};

G_DEFINE_FINAL_TYPE (WalletRoot, wallet_root, G_TYPE_OBJECT)

static void
wallet_root_finalize (GObject *object)
{
  g_free (WALLET_ROOT (object)->subject);
  G_OBJECT_CLASS (wallet_root_parent_class)->finalize (object);
}

static void
wallet_root_class_init (WalletRootClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wallet_root_finalize;
}

static void
wallet_root_init (WalletRoot *self)
{
}

WalletRoot *
wallet_root_new (const tsr_store_root_t *root)
{
  WalletRoot *self = g_object_new (WALLET_TYPE_ROOT, NULL);

  self->id = root->id;
  self->subject = g_strdup (root->subject ? root->subject : "");
  self->not_after = root->not_after;
  return self;
}

gint64 wallet_root_get_id (WalletRoot *self) { return self->id; }
const char *wallet_root_get_subject (WalletRoot *self) { return self->subject; }
gint64 wallet_root_get_not_after (WalletRoot *self) { return self->not_after; }
