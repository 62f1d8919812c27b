/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include <adwaita.h>

#include "wallet-history-page.h"
#include "wallet-labels.h"
#include "wallet-page-private.h"

struct _WalletHistoryPage
{
  GtkWidget parent_instance;

  WalletStore *store;
  GListModel *model;
  GCancellable *cancellable;

  GtkStack *stack;
  GtkListBox *list_box;
  AdwStatusPage *error_page;
};

enum {
  SIGNAL_UNLOCK_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WalletHistoryPage, wallet_history_page, GTK_TYPE_WIDGET)

static void
on_unlock_clicked (WalletHistoryPage *self)
{
  g_signal_emit (self, signals[SIGNAL_UNLOCK_REQUESTED], 0);
}

static void
wallet_history_page_dispose (GObject *object)
{
  WalletHistoryPage *self = WALLET_HISTORY_PAGE (object);

  wallet_page_dispose (GTK_WIDGET (self), WALLET_TYPE_HISTORY_PAGE, &self->cancellable);
  g_clear_object (&self->model);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (wallet_history_page_parent_class)->dispose (object);
}

static void
wallet_history_page_class_init (WalletHistoryPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_history_page_dispose;

  signals[SIGNAL_UNLOCK_REQUESTED] =
    g_signal_new ("unlock-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);

  wallet_page_class_setup (widget_class, "/org/tessera/Wallet/wallet-history-page.ui",
                           G_STRUCT_OFFSET (WalletHistoryPage, stack),
                           G_STRUCT_OFFSET (WalletHistoryPage, list_box),
                           G_STRUCT_OFFSET (WalletHistoryPage, error_page));
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_clicked);
}

static void
wallet_history_page_init (WalletHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
wallet_history_page_set_store (WalletHistoryPage *self,
                               WalletStore       *store)
{
  g_return_if_fail (WALLET_IS_HISTORY_PAGE (self));
  g_set_object (&self->store, store);
}

static char *
outcome_text (WalletLogEntry *entry)
{
  guint shared = wallet_log_entry_get_shared (entry)->len;

  switch (wallet_log_entry_get_outcome (entry))
    {
    case TSR_PRESENTATION_SHARED:
      return g_strdup_printf (ngettext ("Shared %u item", "Shared %u items", shared), shared);
    case TSR_PRESENTATION_DECLINED:
      return g_strdup (_("Declined"));
    case TSR_PRESENTATION_FAILED:
    default:
      return g_strdup (_("Failed"));
    }
}

static char *
items_text (GArray *items)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      WalletItem *item = &g_array_index (items, WalletItem, i);
      g_autofree char *label = wallet_element_label (item->name_space, item->identifier);

      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, label);
    }
  if (items->len == 0)
    g_string_append (s, _("Nothing"));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
add_detail (AdwExpanderRow *expander,
            const char     *title,
            const char     *value)
{
  adw_expander_row_add_row (expander, wallet_property_row_new (title, value));
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  WalletLogEntry *entry = WALLET_LOG_ENTRY (item);
  AdwExpanderRow *row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  tsr_reader_trust_t trust = wallet_log_entry_get_reader_trust (entry);
  g_autofree char *reader = wallet_subject_name (wallet_log_entry_get_reader (entry));
  g_autofree char *when = wallet_format_date_time (wallet_log_entry_get_time (entry));
  g_autofree char *outcome = outcome_text (entry);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", when, outcome);
  g_autofree char *shared = items_text (wallet_log_entry_get_shared (entry));
  g_autofree char *requested = items_text (wallet_log_entry_get_requested (entry));
  const char *doc_type = wallet_log_entry_get_doc_type (entry);
  GtkWidget *icon;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 reader != NULL ? reader : wallet_reader_trust_label (trust));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_expander_row_set_subtitle (row, subtitle);
  icon = gtk_image_new_from_icon_name (wallet_log_entry_get_outcome (entry) == TSR_PRESENTATION_SHARED ?
                                       "send-to-symbolic" : "process-stop-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, outcome, -1);
  adw_expander_row_add_prefix (row, icon);

  add_detail (row, _("Reader"), wallet_log_entry_get_reader (entry) != NULL &&
              *wallet_log_entry_get_reader (entry) != '\0' ?
              wallet_log_entry_get_reader (entry) : _("Not identified"));
  add_detail (row, _("Reader authentication"), wallet_reader_trust_label (trust));
  if (doc_type != NULL)
    add_detail (row, _("Document"), wallet_doctype_label (doc_type));
  add_detail (row, _("Shared"), shared);
  add_detail (row, _("Requested"), requested);
  return GTK_WIDGET (row);
}

static const char *
error_state (const GError *error)
{
  if (g_error_matches (error, WALLET_ERROR, TSR_ERR_STORE_LOCKED) ||
      g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_REQUIRED) ||
      g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_INCORRECT))
    return "locked";
  if (g_error_matches (error, WALLET_ERROR, TSR_ERR_STORE_NO_WALLET))
    return "empty";
  return NULL;
}

static void
on_log (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(WalletHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = wallet_store_log_finish (WALLET_STORE (source), result, &error);

  wallet_page_finish_load (self->stack, self->error_page, self->list_box, &self->model, model,
                           error, create_row, error_state);
}

void
wallet_history_page_reload (WalletHistoryPage *self)
{
  g_return_if_fail (WALLET_IS_HISTORY_PAGE (self));

  if (self->store == NULL)
    return;
  /* The log is sealed: never ask for the passphrase just to show it. */
  if (!wallet_store_is_unlocked (self->store) && !wallet_store_has_passphrase (self->store))
    {
      gtk_stack_set_visible_child_name (self->stack, "locked");
      return;
    }
  wallet_page_begin_load (self->stack, &self->cancellable, self->model != NULL);
  wallet_store_log_async (self->store, self->cancellable, on_log, g_object_ref (self));
}

const char *
wallet_history_page_get_state (WalletHistoryPage *self)
{
  g_return_val_if_fail (WALLET_IS_HISTORY_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

GListModel *
wallet_history_page_get_model (WalletHistoryPage *self)
{
  g_return_val_if_fail (WALLET_IS_HISTORY_PAGE (self), NULL);
  return self->model;
}
