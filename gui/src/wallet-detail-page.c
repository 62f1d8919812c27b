/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "wallet-detail-page.h"
#include "wallet-labels.h"
#include "wallet-page-private.h"

struct _WalletDetailPage
{
  GtkWidget parent_instance;

  WalletStore *store;
  WalletCredential *credential;
  GCancellable *cancellable;

  AdwWindowTitle *window_title;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkScrolledWindow *scrolled;
  GtkImage *portrait;
  GtkLabel *holder_label;
  GtkLabel *doc_label;
  GtkLabel *validity_label;
  GtkBox *groups_box;
  GtkWidget *delete_button;
};

enum {
  SIGNAL_CLOSED,
  SIGNAL_DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WalletDetailPage, wallet_detail_page, GTK_TYPE_WIDGET)

static void
on_back_clicked (WalletDetailPage *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
wallet_detail_page_dispose (GObject *object)
{
  WalletDetailPage *self = WALLET_DETAIL_PAGE (object);

  wallet_page_dispose (GTK_WIDGET (self), WALLET_TYPE_DETAIL_PAGE, &self->cancellable);
  g_clear_object (&self->credential);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (wallet_detail_page_parent_class)->dispose (object);
}

static void
wallet_detail_page_class_init (WalletDetailPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_detail_page_dispose;

  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_DELETED] =
    g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  wallet_page_class_setup (widget_class, "/org/tessera/Wallet/wallet-detail-page.ui",
                           G_STRUCT_OFFSET (WalletDetailPage, stack), -1,
                           G_STRUCT_OFFSET (WalletDetailPage, error_page));
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, scrolled);
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, portrait);
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, holder_label);
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, doc_label);
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, validity_label);
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, groups_box);
  gtk_widget_class_bind_template_child (widget_class, WalletDetailPage, delete_button);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, wallet_detail_page_delete);
}

static void
wallet_detail_page_init (WalletDetailPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
wallet_detail_page_set_store (WalletDetailPage *self,
                              WalletStore      *store)
{
  g_return_if_fail (WALLET_IS_DETAIL_PAGE (self));
  g_set_object (&self->store, store);
}

static void
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  adw_preferences_group_add (group, wallet_property_row_new (title, value));
}

static void
clear_groups (WalletDetailPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box))) != NULL)
    gtk_box_remove (self->groups_box, child);
}

static void
add_credential_group (WalletDetailPage *self)
{
  WalletCredential *c = self->credential;
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  gint64 now = tsr_clock_now ();
  WalletValidity validity = wallet_validity_at (now, wallet_credential_get_valid_from (c),
                                                wallet_credential_get_valid_until (c));
  g_autofree char *from = wallet_format_date_time (wallet_credential_get_valid_from (c));
  g_autofree char *until = wallet_format_date_time (wallet_credential_get_valid_until (c));
  g_autofree char *signed_at = wallet_format_date_time (wallet_credential_get_signed_at (c));
  g_autofree char *imported = wallet_format_date_time (wallet_credential_get_imported_at (c));
  gint64 uses = wallet_credential_get_uses_remaining (c);

  adw_preferences_group_set_title (group, _("Credential"));
  add_row (group, _("Issuer"), wallet_credential_get_issuer (c));
  add_row (group, _("State"), wallet_validity_label (validity));
  add_row (group, _("Valid from"), from);
  add_row (group, _("Valid until"), until);
  add_row (group, _("Signed"), signed_at);
  add_row (group, _("Key storage"), wallet_credential_storage_label (wallet_credential_get_key_storage (c),
                                                                          wallet_credential_get_key_attested (c)));
  if (uses >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, uses);
      add_row (group, _("Presentations left"), text);
    }
  add_row (group, _("Imported"), imported);
  add_row (group, _("Document type"), wallet_credential_get_doc_type (c));
  gtk_box_append (self->groups_box, GTK_WIDGET (group));
}

static void
add_certificate_group (WalletDetailPage     *self,
                       const WalletCertInfo *cert)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *from = wallet_format_date (cert->not_before);
  g_autofree char *until = wallet_format_date (cert->not_after);
  /* Translators: a validity period: "1 January 2025 – 1 January 2050" */
  g_autofree char *period = g_strdup_printf (_("%s – %s"), from, until);
  /* Translators: key algorithm and signature algorithm, e.g. "EC P-256 · ECDSA with SHA-256" */
  g_autofree char *key = g_strdup_printf (_("%s · %s"), cert->key_algorithm,
                                          cert->signature_algorithm);

  adw_preferences_group_set_title (group, _("Issuer Certificate"));
  adw_preferences_group_set_description (group, _("The document signer certificate that signed this credential"));
  add_row (group, _("Document signer"), cert->subject);
  add_row (group, _("Issuing authority (IACA)"), cert->issuer);
  add_row (group, _("Country"), *cert->country != '\0' ? cert->country : _("Not stated"));
  add_row (group, _("Serial number"), cert->serial);
  add_row (group, _("Certificate valid"), period);
  add_row (group, _("Key"), key);
  gtk_box_append (self->groups_box, GTK_WIDGET (group));
}

static void
on_shown (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(WalletDetailPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WalletCertInfo) cert = NULL;
  g_autoptr(GPtrArray) elements = wallet_store_show_finish (WALLET_STORE (source), result, &cert,
                                                            &error);
  AdwPreferencesGroup *group = NULL;
  const char *group_ns = NULL;
  g_autofree char *given = NULL, *family = NULL;
  GdkTexture *portrait = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (elements == NULL)
    {
      wallet_page_show_error (self->stack, self->error_page, error);
      return;
    }

  clear_groups (self);
  for (guint i = 0; i < elements->len; i++)
    {
      WalletElement *e = g_ptr_array_index (elements, i);
      gsize len;
      const guint8 *v = g_bytes_get_data (e->value, &len);
      g_autoptr(GdkTexture) image = NULL;
      g_autofree char *label = wallet_element_label (e->name_space, e->identifier);
      g_autofree char *value = wallet_value_format (e->identifier, v, len, &image);

      if (g_str_equal (e->identifier, "given_name") && given == NULL)
        given = g_strdup (value);
      if (g_str_equal (e->identifier, "family_name") && family == NULL)
        family = g_strdup (value);
      if (g_str_equal (e->identifier, "portrait") && image != NULL && portrait == NULL)
        portrait = g_object_ref (image);
      if (group == NULL || g_strcmp0 (group_ns, e->name_space) != 0)
        {
          group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
          adw_preferences_group_set_title (group, _("Personal data"));
          if (group_ns != NULL)
            adw_preferences_group_set_description (group, e->name_space);
          group_ns = e->name_space;
          gtk_box_append (self->groups_box, GTK_WIDGET (group));
        }
      add_row (group, label, value);
    }
  add_credential_group (self);
  if (cert != NULL)
    add_certificate_group (self, cert);

  gtk_image_set_from_paintable (self->portrait, GDK_PAINTABLE (portrait));
  gtk_widget_set_visible (GTK_WIDGET (self->portrait), portrait != NULL);
  g_clear_object (&portrait);
  if (given != NULL || family != NULL)
    {
      g_autofree char *name = wallet_person_name (given, family);

      gtk_label_set_label (self->holder_label, name);
      adw_window_title_set_subtitle (self->window_title, name);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->holder_label), given != NULL || family != NULL);
  gtk_stack_set_visible_child_name (self->stack, "loaded");
}

void
wallet_detail_page_load (WalletDetailPage *self,
                         WalletCredential *credential)
{
  WalletValidity validity;
  const char *doc;

  g_return_if_fail (WALLET_IS_DETAIL_PAGE (self));
  g_return_if_fail (WALLET_IS_CREDENTIAL (credential));

  g_set_object (&self->credential, credential);
  doc = wallet_doctype_label (wallet_credential_get_doc_type (credential));
  adw_window_title_set_title (self->window_title, doc);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_label_set_label (self->doc_label, doc);
  validity = wallet_validity_at (tsr_clock_now (), wallet_credential_get_valid_from (credential),
                                 wallet_credential_get_valid_until (credential));
  gtk_label_set_label (self->validity_label, wallet_validity_label (validity));
  for (WalletValidity v = WALLET_VALIDITY_VALID; v <= WALLET_VALIDITY_NOT_YET_VALID; v++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->validity_label), wallet_validity_css_class (v));
  gtk_widget_add_css_class (GTK_WIDGET (self->validity_label), wallet_validity_css_class (validity));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);

  wallet_page_begin_load (self->stack, &self->cancellable, FALSE);
  wallet_store_show_async (self->store, wallet_credential_get_id (credential), self->cancellable,
                           on_shown, g_object_ref (self));
}

WalletCredential *
wallet_detail_page_get_credential (WalletDetailPage *self)
{
  g_return_val_if_fail (WALLET_IS_DETAIL_PAGE (self), NULL);
  return self->credential;
}

const char *
wallet_detail_page_get_state (WalletDetailPage *self)
{
  g_return_val_if_fail (WALLET_IS_DETAIL_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(WalletDetailPage) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (self->delete_button, TRUE);
  if (!wallet_store_delete_finish (WALLET_STORE (source), result, &error))
    {
      GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_WINDOW);
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (GTK_WINDOW (window), _("Could Not Delete"), error->message));

      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  g_signal_emit (self, signals[SIGNAL_DELETED], 0);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    WalletDetailPage *self)
{
  if (!g_str_equal (response, "delete") || self->credential == NULL)
    return;
  gtk_widget_set_sensitive (self->delete_button, FALSE);
  wallet_store_delete_async (self->store, wallet_credential_get_id (self->credential), NULL,
                             on_deleted, g_object_ref (self));
}

void
wallet_detail_page_delete (WalletDetailPage *self)
{
  GtkWidget *window;
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  g_return_if_fail (WALLET_IS_DETAIL_PAGE (self));
  if (self->credential == NULL)
    return;

  window = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_WINDOW);
  /* Translators: %s is a document type such as "Mobile driving licence" */
  body = g_strdup_printf (_("“%s” will be removed from this wallet, and its key destroyed when "
                            "no other credential uses it. You need the issuer to get it back."),
                          wallet_doctype_label (wallet_credential_get_doc_type (self->credential)));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (window),
                                                       _("Delete Credential?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
