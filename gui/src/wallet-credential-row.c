/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "wallet-credential-row.h"
#include "wallet-labels.h"

struct _WalletCredentialRow
{
  GtkListBoxRow parent_instance;

  WalletCredential *credential;

  GtkLabel *title_label;
  GtkLabel *validity_label;
  GtkLabel *holder_label;
  GtkLabel *issuer_label;
  GtkImage *key_icon;
  GtkLabel *key_label;
};

G_DEFINE_FINAL_TYPE (WalletCredentialRow, wallet_credential_row, GTK_TYPE_LIST_BOX_ROW)

static void
wallet_credential_row_dispose (GObject *object)
{
  WalletCredentialRow *self = WALLET_CREDENTIAL_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_CREDENTIAL_ROW);
  g_clear_object (&self->credential);
  G_OBJECT_CLASS (wallet_credential_row_parent_class)->dispose (object);
}

static void
wallet_credential_row_class_init (WalletCredentialRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_credential_row_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tessera/Wallet/wallet-credential-row.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletCredentialRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, WalletCredentialRow, validity_label);
  gtk_widget_class_bind_template_child (widget_class, WalletCredentialRow, holder_label);
  gtk_widget_class_bind_template_child (widget_class, WalletCredentialRow, issuer_label);
  gtk_widget_class_bind_template_child (widget_class, WalletCredentialRow, key_icon);
  gtk_widget_class_bind_template_child (widget_class, WalletCredentialRow, key_label);
}

static void
wallet_credential_row_init (WalletCredentialRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
wallet_credential_row_new (WalletCredential *credential,
                           gint64            now)
{
  WalletCredentialRow *self = g_object_new (WALLET_TYPE_CREDENTIAL_ROW, NULL);
  WalletValidity validity = wallet_validity_at (now, wallet_credential_get_valid_from (credential),
                                                wallet_credential_get_valid_until (credential));
  tsr_sa_kind_t storage = wallet_credential_get_key_storage (credential);
  const char *storage_text = wallet_credential_storage_label (storage,
                                                              wallet_credential_get_key_attested (credential));
  const char *doc = wallet_doctype_label (wallet_credential_get_doc_type (credential));
  const char *holder = wallet_credential_get_holder_name (credential);
  g_autofree char *issuer = wallet_subject_name (wallet_credential_get_issuer (credential));
  g_autofree char *issuer_text = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *accessible = NULL;
  gint64 uses = wallet_credential_get_uses_remaining (credential);

  self->credential = g_object_ref (credential);
  gtk_label_set_label (self->title_label, doc);
  gtk_label_set_label (self->validity_label, wallet_validity_label (validity));
  gtk_widget_add_css_class (GTK_WIDGET (self->validity_label), wallet_validity_css_class (validity));
  gtk_widget_set_visible (GTK_WIDGET (self->holder_label), holder != NULL);
  gtk_label_set_label (self->holder_label, holder != NULL ? holder : "");
  /* Translators: %s is the issuer's name */
  issuer_text = g_strdup_printf (_("Issued by %s"), issuer != NULL ? issuer : _("an unknown issuer"));
  gtk_label_set_label (self->issuer_label, issuer_text);
  if (uses >= 0)
    {
      /* Translators: %d is how many presentations are left */
      g_autofree char *left = g_strdup_printf (ngettext ("%d use left", "%d uses left", (gulong) uses),
                                               (int) uses);
      key_text = g_strdup_printf ("%s · %s", storage_text, left);
    }
  else
    key_text = g_strdup (storage_text);
  gtk_label_set_label (self->key_label, key_text);
  gtk_image_set_from_icon_name (self->key_icon, storage == TSR_SA_SOFTWARE ?
                                "channel-insecure-symbolic" : "channel-secure-symbolic");

  accessible = g_strdup_printf ("%s, %s%s%s, %s, %s", doc, wallet_validity_label (validity),
                                holder != NULL ? ", " : "", holder != NULL ? holder : "",
                                issuer_text, key_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  return GTK_WIDGET (self);
}

WalletCredential *
wallet_credential_row_get_credential (WalletCredentialRow *self)
{
  g_return_val_if_fail (WALLET_IS_CREDENTIAL_ROW (self), NULL);
  return self->credential;
}
