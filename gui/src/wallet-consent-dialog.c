/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "wallet-consent-dialog.h"
#include "wallet-labels.h"

struct _WalletConsentDialog
{
  AdwWindow parent_instance;

  tsr_presentation_t *presentation;
  tsr_reader_trust_t trust;
  GPtrArray *switches;  /* GtkSwitch, with "doc" and "element" data */
  gboolean decided;

  GtkWidget *reader_banner;
  GtkImage *trust_icon;
  GHashTable *values;       /* wallet_element_key() -> GBytes, or NULL */
  GtkLabel *reader_label;
  GtkLabel *trust_label;
  GtkLabel *trust_hint;
  GtkBox *docs_box;
  GtkWidget *share_button;
  GtkWidget *decline_button;
};

enum {
  SIGNAL_DECIDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WalletConsentDialog, wallet_consent_dialog, ADW_TYPE_WINDOW)

static gboolean
wallet_consent_dialog_close_request (GtkWindow *window)
{
  WalletConsentDialog *self = WALLET_CONSENT_DIALOG (window);

  /* Closing the sheet is declining. */
  if (!self->decided)
    {
      self->decided = TRUE;
      tsr_presentation_consent_all (self->presentation, FALSE);
      g_signal_emit (self, signals[SIGNAL_DECIDED], 0, FALSE);
    }
  return GTK_WINDOW_CLASS (wallet_consent_dialog_parent_class)->close_request (window);
}

static void
wallet_consent_dialog_dispose (GObject *object)
{
  WalletConsentDialog *self = WALLET_CONSENT_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_CONSENT_DIALOG);
  g_clear_pointer (&self->switches, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);
  G_OBJECT_CLASS (wallet_consent_dialog_parent_class)->dispose (object);
}

static void
wallet_consent_dialog_class_init (WalletConsentDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_consent_dialog_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = wallet_consent_dialog_close_request;

  signals[SIGNAL_DECIDED] =
    g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tessera/Wallet/wallet-consent-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, reader_banner);
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, trust_icon);
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, reader_label);
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, trust_label);
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, trust_hint);
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, docs_box);
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, share_button);
  gtk_widget_class_bind_template_child (widget_class, WalletConsentDialog, decline_button);
  gtk_widget_class_bind_template_callback (widget_class, wallet_consent_dialog_share);
  gtk_widget_class_bind_template_callback (widget_class, wallet_consent_dialog_decline);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
wallet_consent_dialog_init (WalletConsentDialog *self)
{
  wallet_style_ensure ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->switches = g_ptr_array_new ();
}

static void
update_share_button (WalletConsentDialog *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->switches->len; i++)
    any |= gtk_switch_get_active (g_ptr_array_index (self->switches, i));
  gtk_widget_set_sensitive (self->share_button, any);
}

static const char *
trust_icon_name (tsr_reader_trust_t trust)
{
  switch (trust)
    {
    case TSR_READER_TRUSTED: return "security-high-symbolic";
    case TSR_READER_INVALID: return "dialog-warning-symbolic";
    case TSR_READER_UNTRUSTED:
    case TSR_READER_ANONYMOUS:
    default: return "security-low-symbolic";
    }
}

static const char *
trust_hint_text (tsr_reader_trust_t trust)
{
  switch (trust)
    {
    case TSR_READER_TRUSTED:
      return _("Its certificate comes from a reader authority you trust.");
    case TSR_READER_UNTRUSTED:
      return _("Its certificate does not come from a reader authority you trust. Anyone can make such a certificate: share only what you would tell a stranger.");
    case TSR_READER_INVALID:
      return _("Its certificate is expired, forged or not meant for readers. Be very careful.");
    case TSR_READER_ANONYMOUS:
    default:
      return _("The reader did not identify itself. Share only what you would tell a stranger.");
    }
}

static void
setup_reader (WalletConsentDialog *self)
{
  const char *subject = NULL;
  g_autofree char *name = NULL;

  self->trust = wallet_reader_trust_of (self->presentation, &subject);
  name = wallet_subject_name (subject);
  /* Without a certificate there is no name: the trust state is the title. */
  gtk_label_set_label (self->reader_label, name != NULL ? name : wallet_reader_trust_label (self->trust));
  if (subject != NULL)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->reader_label), subject);
  gtk_label_set_label (self->trust_label, wallet_reader_trust_label (self->trust));
  gtk_widget_set_visible (GTK_WIDGET (self->trust_label), name != NULL);
  gtk_label_set_label (self->trust_hint, trust_hint_text (self->trust));
  gtk_image_set_from_icon_name (self->trust_icon, trust_icon_name (self->trust));
  gtk_widget_add_css_class (self->reader_banner, wallet_reader_trust_css_class (self->trust));
}

static GtkWidget *
element_row (WalletConsentDialog          *self,
             const tsr_requested_element_t *el,
             gsize                          d,
             gsize                          e,
             gboolean                       share)
{
  g_autofree char *label = wallet_element_label (el->name_space, el->identifier);
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GBytes *value = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (el->available && el->answer != NULL && self->values != NULL)
    {
      g_autofree char *key = wallet_element_key (tsr_presentation_doc_credential (self->presentation, d),
                                                 el->name_space, el->answer);
      value = g_hash_table_lookup (self->values, key);
    }
  if (el->available && el->answer != NULL && g_strcmp0 (el->answer, el->identifier) != 0)
    {
      g_autofree char *answer = NULL;

      if (value != NULL)
        answer = wallet_element_statement (el->name_space, el->answer,
                                           g_bytes_get_data (value, NULL), g_bytes_get_size (value));
      else
        answer = wallet_element_label (el->name_space, el->answer);
      /* Translators: %s is an element such as "Over 21: Yes" given instead of the one asked */
      g_string_append_printf (subtitle, _("Answered with “%s”"), answer);
    }
  else if (value != NULL)
    {
      g_autofree char *statement = wallet_element_statement (el->name_space, el->answer,
                                                             g_bytes_get_data (value, NULL),
                                                             g_bytes_get_size (value));
      g_string_append (subtitle, statement);
    }
  if (el->intent_to_retain)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("document-save-symbolic");

      gtk_widget_set_tooltip_text (icon, _("The reader will store this"));
      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, _("Will be stored by the reader"));
      gtk_widget_add_css_class (row, "will-be-stored");
    }
  if (subtitle->len > 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);

  if (el->available)
    {
      GtkWidget *sw = gtk_switch_new ();

      gtk_switch_set_active (GTK_SWITCH (sw), share);
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      g_object_set_data (G_OBJECT (sw), "doc", GSIZE_TO_POINTER (d));
      g_object_set_data (G_OBJECT (sw), "element", GSIZE_TO_POINTER (e));
      g_signal_connect_object (sw, "notify::active", G_CALLBACK (update_share_button), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
      g_ptr_array_add (self->switches, sw);
    }
  return row;
}

static void
setup_documents (WalletConsentDialog *self)
{
  tsr_presentation_t *p = self->presentation;
  gboolean share = self->trust == TSR_READER_TRUSTED;

  for (size_t d = 0; d < tsr_presentation_doc_count (p); d++)
    {
      AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      AdwPreferencesGroup *missing = NULL;
      const char *cred = tsr_presentation_doc_credential (p, d);

      adw_preferences_group_set_title (group, wallet_doctype_label (tsr_presentation_doc_type (p, d)));
      if (cred == NULL)
        adw_preferences_group_set_description (group, _("You have no valid credential of this kind: nothing can be shared."));
      gtk_box_append (self->docs_box, GTK_WIDGET (group));

      for (size_t e = 0; e < tsr_presentation_element_count (p, d); e++)
        {
          tsr_requested_element_t el;

          if (tsr_presentation_element (p, d, e, &el) != TSR_OK)
            continue;
          if (el.available)
            adw_preferences_group_add (group, element_row (self, &el, d, e, share));
          else
            {
              if (missing == NULL)
                {
                  missing = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
                  adw_preferences_group_set_title (missing, _("Cannot Be Provided"));
                  adw_preferences_group_set_description (missing, _("Your credential does not hold these."));
                  gtk_widget_add_css_class (GTK_WIDGET (missing), "dim-label");
                  gtk_box_append (self->docs_box, GTK_WIDGET (missing));
                }
              adw_preferences_group_add (missing, element_row (self, &el, d, e, FALSE));
            }
        }
    }
  update_share_button (self);
}

WalletConsentDialog *
wallet_consent_dialog_new (GtkWindow          *parent,
                           tsr_presentation_t *presentation)
{
  return wallet_consent_dialog_new_with_values (parent, presentation, NULL);
}

WalletConsentDialog *
wallet_consent_dialog_new_with_values (GtkWindow          *parent,
                                       tsr_presentation_t *presentation,
                                       GHashTable         *values)
{
  WalletConsentDialog *self;

  g_return_val_if_fail (presentation != NULL, NULL);

  self = g_object_new (WALLET_TYPE_CONSENT_DIALOG, "transient-for", parent, NULL);
  self->presentation = presentation;
  self->values = values != NULL ? g_hash_table_ref (values) : NULL;
  setup_reader (self);
  setup_documents (self);
  /* Safe default: Enter declines unless the holder chose Share. */
  gtk_window_set_default_widget (GTK_WINDOW (self), self->decline_button);
  return self;
}

void
wallet_consent_dialog_share (WalletConsentDialog *self)
{
  g_return_if_fail (WALLET_IS_CONSENT_DIALOG (self));

  if (self->decided)
    return;
  self->decided = TRUE;
  tsr_presentation_consent_all (self->presentation, FALSE);
  for (guint i = 0; i < self->switches->len; i++)
    {
      GtkSwitch *sw = g_ptr_array_index (self->switches, i);
      gsize d = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (sw), "doc"));
      gsize e = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (sw), "element"));

      if (tsr_presentation_consent (self->presentation, d, e, gtk_switch_get_active (sw)) != TSR_OK)
        g_warning ("Could not record consent for element %zu of document %zu", e, d);
    }
  g_signal_emit (self, signals[SIGNAL_DECIDED], 0, TRUE);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
wallet_consent_dialog_decline (WalletConsentDialog *self)
{
  g_return_if_fail (WALLET_IS_CONSENT_DIALOG (self));

  if (self->decided)
    return;
  self->decided = TRUE;
  tsr_presentation_consent_all (self->presentation, FALSE);
  g_signal_emit (self, signals[SIGNAL_DECIDED], 0, FALSE);
  gtk_window_destroy (GTK_WINDOW (self));
}

GtkSwitch *
wallet_consent_dialog_get_switch (WalletConsentDialog *self,
                                  gsize                d,
                                  gsize                e)
{
  g_return_val_if_fail (WALLET_IS_CONSENT_DIALOG (self), NULL);

  for (guint i = 0; i < self->switches->len; i++)
    {
      GtkSwitch *sw = g_ptr_array_index (self->switches, i);

      if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (sw), "doc")) == d &&
          GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (sw), "element")) == e)
        return sw;
    }
  return NULL;
}

tsr_reader_trust_t
wallet_consent_dialog_get_trust (WalletConsentDialog *self)
{
  g_return_val_if_fail (WALLET_IS_CONSENT_DIALOG (self), TSR_READER_INVALID);
  return self->trust;
}
