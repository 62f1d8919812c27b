/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include <adwaita.h>

#include "wallet-credential-row.h"
#include "wallet-credentials-page.h"
#include "wallet-page-private.h"

struct _WalletCredentialsPage
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
  SIGNAL_ACTIVATED,
  SIGNAL_UNLOCK_REQUESTED,
  SIGNAL_FILE_DROPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WalletCredentialsPage, wallet_credentials_page, GTK_TYPE_WIDGET)

static void
on_row_activated (WalletCredentialsPage *self,
                  GtkListBoxRow         *row)
{
  g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0,
                 wallet_credential_row_get_credential (WALLET_CREDENTIAL_ROW (row)));
}

static void
wallet_credentials_page_dispose (GObject *object)
{
  WalletCredentialsPage *self = WALLET_CREDENTIALS_PAGE (object);

  wallet_page_dispose (GTK_WIDGET (self), WALLET_TYPE_CREDENTIALS_PAGE, &self->cancellable);
  g_clear_object (&self->model);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (wallet_credentials_page_parent_class)->dispose (object);
}

static void
wallet_credentials_page_class_init (WalletCredentialsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_credentials_page_dispose;

  signals[SIGNAL_ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, WALLET_TYPE_CREDENTIAL);
  signals[SIGNAL_UNLOCK_REQUESTED] =
    g_signal_new ("unlock-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  /* A file dropped on the page, to import (drag-and-drop). */
  signals[SIGNAL_FILE_DROPPED] =
    g_signal_new ("file-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);

  wallet_page_class_setup (widget_class, "/org/tessera/Wallet/wallet-credentials-page.ui",
                           G_STRUCT_OFFSET (WalletCredentialsPage, stack),
                           G_STRUCT_OFFSET (WalletCredentialsPage, list_box),
                           G_STRUCT_OFFSET (WalletCredentialsPage, error_page));
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  WalletCredentialsPage *self = user_data;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE) || g_value_get_object (value) == NULL)
    return FALSE;
  wallet_credentials_page_drop_file (self, g_value_get_object (value));
  return TRUE;
}

static void
wallet_credentials_page_init (WalletCredentialsPage *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));
  target = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

void
wallet_credentials_page_drop_file (WalletCredentialsPage *self,
                                   GFile                 *file)
{
  g_return_if_fail (WALLET_IS_CREDENTIALS_PAGE (self));
  g_signal_emit (self, signals[SIGNAL_FILE_DROPPED], 0, file);
}

void
wallet_credentials_page_set_store (WalletCredentialsPage *self,
                                   WalletStore           *store)
{
  g_return_if_fail (WALLET_IS_CREDENTIALS_PAGE (self));
  g_set_object (&self->store, store);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return wallet_credential_row_new (WALLET_CREDENTIAL (item), tsr_clock_now ());
}

static const char *
error_state (const GError *error)
{
  return g_error_matches (error, WALLET_ERROR, TSR_ERR_STORE_NO_WALLET) ? "no-wallet" : NULL;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WalletCredentialsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = wallet_store_list_finish (WALLET_STORE (source), result, &error);

  wallet_page_finish_load (self->stack, self->error_page, self->list_box, &self->model, model,
                           error, create_row, error_state);
}

void
wallet_credentials_page_reload (WalletCredentialsPage *self)
{
  g_return_if_fail (WALLET_IS_CREDENTIALS_PAGE (self));

  if (self->store == NULL)
    return;
  wallet_page_begin_load (self->stack, &self->cancellable, self->model != NULL);
  wallet_store_list_async (self->store, self->cancellable, on_listed, g_object_ref (self));
}

const char *
wallet_credentials_page_get_state (WalletCredentialsPage *self)
{
  g_return_val_if_fail (WALLET_IS_CREDENTIALS_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

GListModel *
wallet_credentials_page_get_model (WalletCredentialsPage *self)
{
  g_return_val_if_fail (WALLET_IS_CREDENTIALS_PAGE (self), NULL);
  return self->model;
}
