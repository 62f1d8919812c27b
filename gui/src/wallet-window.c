/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "wallet-actions-private.h"
#include "wallet-create-dialog.h"
#include "wallet-provision-dialog.h"
#include "wallet-preferences-window.h"
#include "wallet-labels.h"
#include "wallet-secret-entry.h"
#include "wallet-window.h"

struct _WalletWindow
{
  AdwApplicationWindow parent_instance;

  WalletStore *store;
  GSettings *settings;

  AdwToastOverlay *toast_overlay;
  AdwLeaflet *leaflet;
  AdwViewStack *view_stack;
  WalletCredentialsPage *credentials_page;
  WalletHistoryPage *history_page;
  WalletDetailPage *detail_page;
  WalletPresentPage *present_page;

  char *last_toast;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WalletWindow, wallet_window, ADW_TYPE_APPLICATION_WINDOW)

static void
on_credential_activated (WalletWindow     *self,
                         WalletCredential *credential)
{
  wallet_window_show_credential (self, credential);
}

static void
on_detail_closed (WalletWindow *self)
{
  wallet_window_go_home (self);
}

static void
on_credential_deleted (WalletWindow *self)
{
  wallet_window_toast (self, _("Credential deleted"));
  wallet_window_go_home (self);
  wallet_window_refresh (self);
}

static void
on_present_done (WalletWindow *self)
{
  wallet_window_go_home (self);
  wallet_history_page_reload (self->history_page);
  wallet_credentials_page_reload (self->credentials_page);
}

static void
on_unlock_requested (WalletWindow *self)
{
  g_action_group_activate_action (G_ACTION_GROUP (self), "unlock", NULL);
}

static void
on_file_dropped (WalletWindow *self,
                 GFile        *file)
{
  wallet_window_import (self, file, NULL, NULL, NULL);
}

static void
on_visible_child_changed (WalletWindow *self)
{
  const char *name = adw_leaflet_get_visible_child_name (self->leaflet);

  /* Leaving the present page (swipe, Escape) ends its session. */
  if (g_strcmp0 (name, "present") != 0)
    wallet_present_page_stop (self->present_page);
}

static void
wallet_window_constructed (GObject *object)
{
  WalletWindow *self = WALLET_WINDOW (object);

  G_OBJECT_CLASS (wallet_window_parent_class)->constructed (object);

  g_assert (self->store != NULL);
  if (self->settings == NULL)
    self->settings = g_settings_new (WALLET_APP_ID);

  wallet_credentials_page_set_store (self->credentials_page, self->store);
  wallet_history_page_set_store (self->history_page, self->store);
  wallet_detail_page_set_store (self->detail_page, self->store);
  wallet_present_page_set_store (self->present_page, self->store, self->settings);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  _wallet_window_actions_init (self);
  wallet_window_refresh (self);
}

static gboolean
wallet_window_close_request (GtkWindow *window)
{
  WalletWindow *self = WALLET_WINDOW (window);
  int width, height;

  wallet_present_page_stop (self->present_page);
  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (wallet_window_parent_class)->close_request (window);
}

static void
wallet_window_dispose (GObject *object)
{
  WalletWindow *self = WALLET_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_WINDOW);
  G_OBJECT_CLASS (wallet_window_parent_class)->dispose (object);
}

static void
wallet_window_finalize (GObject *object)
{
  WalletWindow *self = WALLET_WINDOW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_free (self->last_toast);
  G_OBJECT_CLASS (wallet_window_parent_class)->finalize (object);
}

static void
wallet_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  WalletWindow *self = WALLET_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  WalletWindow *self = WALLET_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_window_class_init (WalletWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = wallet_window_constructed;
  object_class->dispose = wallet_window_dispose;
  object_class->finalize = wallet_window_finalize;
  object_class->set_property = wallet_window_set_property;
  object_class->get_property = wallet_window_get_property;
  window_class->close_request = wallet_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, WALLET_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (WALLET_TYPE_CREDENTIALS_PAGE);
  g_type_ensure (WALLET_TYPE_HISTORY_PAGE);
  g_type_ensure (WALLET_TYPE_DETAIL_PAGE);
  g_type_ensure (WALLET_TYPE_PRESENT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/tessera/Wallet/wallet-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, credentials_page);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, detail_page);
  gtk_widget_class_bind_template_child (widget_class, WalletWindow, present_page);
  gtk_widget_class_bind_template_callback (widget_class, on_credential_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_detail_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_credential_deleted);
  gtk_widget_class_bind_template_callback (widget_class, on_present_done);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_requested);
  gtk_widget_class_bind_template_callback (widget_class, on_file_dropped);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_child_changed);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.present", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
}

static void
wallet_window_init (WalletWindow *self)
{
  wallet_style_ensure ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

WalletWindow *
wallet_window_new (WalletApplication *app)
{
  return wallet_window_new_full (GTK_APPLICATION (app), wallet_application_get_store (app),
                                 wallet_application_get_settings (app));
}

WalletWindow *
wallet_window_new_full (GtkApplication *app,
                        WalletStore    *store,
                        GSettings      *settings)
{
  return g_object_new (WALLET_TYPE_WINDOW,
                       "application", app,
                       "store", store,
                       "settings", settings,
                       NULL);
}

WalletStore *
wallet_window_get_store (WalletWindow *self)
{
  g_return_val_if_fail (WALLET_IS_WINDOW (self), NULL);
  return self->store;
}

GSettings *
wallet_window_get_settings (WalletWindow *self)
{
  g_return_val_if_fail (WALLET_IS_WINDOW (self), NULL);
  return self->settings;
}

void
wallet_window_toast (WalletWindow *self,
                     const char   *message)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

void
wallet_window_refresh (WalletWindow *self)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  wallet_credentials_page_reload (self->credentials_page);
  wallet_history_page_reload (self->history_page);
}

/* Only the page on the way back from the visible one is navigatable, so a
 * swipe back always leads home. */
static void
show_leaflet_page (WalletWindow *self,
                   const char   *name)
{
  AdwLeafletPage *detail = adw_leaflet_get_page (self->leaflet, GTK_WIDGET (self->detail_page));
  AdwLeafletPage *present = adw_leaflet_get_page (self->leaflet, GTK_WIDGET (self->present_page));

  adw_leaflet_page_set_navigatable (detail, g_str_equal (name, "detail"));
  adw_leaflet_page_set_navigatable (present, g_str_equal (name, "present"));
  adw_leaflet_set_visible_child_name (self->leaflet, name);
}

void
wallet_window_go_home (WalletWindow *self)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  adw_leaflet_set_visible_child_name (self->leaflet, "main");
}

void
wallet_window_show_view (WalletWindow *self,
                         const char   *name)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  wallet_window_go_home (self);
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
show_credential_unlocked (WalletWindow *self,
                          gpointer      user_data)
{
  WalletCredential *credential = user_data;

  wallet_detail_page_load (self->detail_page, credential);
  show_leaflet_page (self, "detail");
}

void
wallet_window_show_credential (WalletWindow     *self,
                               WalletCredential *credential)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  wallet_window_ensure_unlocked (self, show_credential_unlocked, g_object_ref (credential),
                                 g_object_unref);
}

static void
start_presentation_unlocked (WalletWindow *self,
                             gpointer      user_data)
{
  if (wallet_present_page_start (self->present_page))
    show_leaflet_page (self, "present");
}

void
wallet_window_start_presentation (WalletWindow *self)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  wallet_window_ensure_unlocked (self, start_presentation_unlocked, NULL, NULL);
}

void
wallet_window_show_preferences (WalletWindow *self)
{
  WalletPreferencesWindow *prefs;

  g_return_if_fail (WALLET_IS_WINDOW (self));
  prefs = wallet_preferences_window_new (GTK_WINDOW (self), self->store, self->settings);
  gtk_window_present (GTK_WINDOW (prefs));
}

/* ---- Unlocking ---- */

typedef struct {
  WalletWindow *self;
  WalletUnlockedFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  GtkWidget *entry;
} UnlockData;

static void
unlock_data_free (UnlockData *u)
{
  if (u->destroy != NULL)
    u->destroy (u->user_data);
  g_object_unref (u->self);
  g_free (u);
}

static void try_unlock (UnlockData *u);

static void
on_passphrase_response (AdwMessageDialog *dialog,
                        const char       *response,
                        UnlockData       *u)
{
  if (g_str_equal (response, "unlock"))
    {
      wallet_store_set_passphrase (u->self->store, gtk_editable_get_text (GTK_EDITABLE (u->entry)));
      wallet_secret_entry_clear (GTK_EDITABLE (u->entry));
      try_unlock (u);
    }
  else
    {
      wallet_window_toast (u->self, _("The wallet stays locked"));
      unlock_data_free (u);
    }
}

static void
ask_passphrase (UnlockData *u,
                gboolean    wrong)
{
  AdwMessageDialog *dialog;
  GtkWidget *list;
  tsr_sa_kind_t kind = wallet_store_get_sa_kind (u->self->store);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (u->self),
                                                       _("Unlock Wallet"), NULL));
  adw_message_dialog_set_body (dialog,
                               wrong ? _("That was not right. Enter the passphrase or PIN again.") :
                               kind == TSR_SA_PKCS11 ? _("Enter the PIN of your security token.") :
                               kind == TSR_SA_TPM2 ? _("Enter the PIN of your keys in the TPM.") :
                               _("Enter the wallet passphrase."));
  /* An entry row rather than a GtkPasswordEntry: GTK 4.8's warns ("invalid
   * unclassed pointer in cast") when its dialog goes while it has the focus. */
  u->entry = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (u->entry), _("Passphrase or PIN"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (u->entry), TRUE);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), u->entry);
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "unlock", _("_Unlock"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "unlock", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "unlock");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_passphrase_response), u);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (u->entry);
}

static void
on_unlocked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  UnlockData *u = user_data;
  g_autoptr(GError) error = NULL;

  if (wallet_store_unlock_finish (WALLET_STORE (source), result, &error))
    {
      u->func (u->self, u->user_data);
      unlock_data_free (u);
      return;
    }
  if (g_error_matches (error, WALLET_ERROR, TSR_ERR_STORE_LOCKED) ||
      g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_REQUIRED) ||
      g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_INCORRECT))
    {
      ask_passphrase (u, g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_INCORRECT));
      return;
    }
  wallet_window_toast (u->self, error->message);
  unlock_data_free (u);
}

static void
try_unlock (UnlockData *u)
{
  wallet_store_unlock_async (u->self->store, NULL, on_unlocked, u);
}

void
wallet_window_ensure_unlocked (WalletWindow       *self,
                               WalletUnlockedFunc  func,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  UnlockData *u;

  g_return_if_fail (WALLET_IS_WINDOW (self));

  if (wallet_store_is_unlocked (self->store))
    {
      func (self, user_data);
      if (destroy != NULL)
        destroy (user_data);
      return;
    }
  u = g_new0 (UnlockData, 1);
  u->self = g_object_ref (self);
  u->func = func;
  u->user_data = user_data;
  u->destroy = destroy;
  try_unlock (u);
}

void
wallet_window_ensure_key_pin (WalletWindow       *self,
                              WalletUnlockedFunc  func,
                              gpointer            user_data,
                              GDestroyNotify      destroy)
{
  UnlockData *u;

  g_return_if_fail (WALLET_IS_WINDOW (self));

  if (!wallet_store_needs_key_pin (self->store))
    {
      wallet_window_ensure_unlocked (self, func, user_data, destroy);
      return;
    }
  u = g_new0 (UnlockData, 1);
  u->self = g_object_ref (self);
  u->func = func;
  u->user_data = user_data;
  u->destroy = destroy;
  ask_passphrase (u, FALSE);
}

WalletCredentialsPage *
wallet_window_get_credentials_page (WalletWindow *self)
{
  return self->credentials_page;
}

WalletDetailPage *
wallet_window_get_detail_page (WalletWindow *self)
{
  return self->detail_page;
}

WalletPresentPage *
wallet_window_get_present_page (WalletWindow *self)
{
  return self->present_page;
}

WalletHistoryPage *
wallet_window_get_history_page (WalletWindow *self)
{
  return self->history_page;
}

const char *
wallet_window_get_last_toast (WalletWindow *self)
{
  g_return_val_if_fail (WALLET_IS_WINDOW (self), NULL);
  return self->last_toast;
}

/* ---- Adding credentials ---- */

typedef struct {
  GTask *task;
  GBytes *bytes;
  gboolean started;
} ImportData;

static void
import_data_free (ImportData *d)
{
  /* Unlocking was cancelled: the import never started. */
  if (!d->started)
    g_task_return_new_error (d->task, WALLET_ERROR, TSR_ERR_STORE_LOCKED, "%s",
                             _("The wallet stays locked"));
  g_clear_pointer (&d->bytes, g_bytes_unref);
  g_object_unref (d->task);
  g_free (d);
}

static void
on_store_imported (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WalletWindow *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = wallet_store_import_finish (WALLET_STORE (source), result, &error);
  g_autofree char *text = NULL;

  if (ids == NULL)
    {
      wallet_window_toast (self, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* TRANSLATORS: a batch of single-use credentials was added */
  text = ids->len == 1 ? g_strdup (_("Credential added")) :
         g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u credential added",
                                       "%u credentials added", ids->len),
                          ids->len);
  wallet_window_toast (self, text);
  wallet_window_refresh (self);
  g_task_return_int (task, g_array_index (ids, gint64, 0));
}

static void
import_unlocked (WalletWindow *self,
                 gpointer      user_data)
{
  ImportData *d = user_data;

  d->started = TRUE;
  wallet_store_import_async (self->store, d->bytes, g_task_get_cancellable (d->task),
                             on_store_imported, g_object_ref (d->task));
}

static void
on_import_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WalletWindow *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  ImportData *d;

  if (bytes == NULL)
    {
      g_autofree char *name = g_file_get_basename (G_FILE (source));
      /* TRANSLATORS: %s is a file name */
      g_autofree char *text = g_strdup_printf (_("Cannot read %s"), name);

      wallet_window_toast (self, text);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", text);
      return;
    }
  d = g_new0 (ImportData, 1);
  d->task = g_steal_pointer (&task);
  d->bytes = bytes;
  wallet_window_ensure_unlocked (self, import_unlocked, d, (GDestroyNotify) import_data_free);
}

void
wallet_window_import (WalletWindow        *self,
                      GFile               *file,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (WALLET_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_file_load_bytes_async (file, cancellable, on_import_loaded, task);
}

gint64
wallet_window_import_finish (WalletWindow  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

typedef struct {
  WalletFileFunc func;
  gpointer user_data;
} ChooseData;

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  ChooseData *c = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        c->func (file, c->user_data);
    }
  g_object_unref (c->user_data);
  g_free (c);
  g_object_unref (chooser);
}

void
wallet_choose_file (GtkWindow      *parent,
                    const char     *title,
                    gboolean        save,
                    const char     *suggested_name,
                    WalletFileFunc  func,
                    gpointer        user_data)
{
  GtkFileChooserNative *chooser;
  ChooseData *c = g_new0 (ChooseData, 1);

  chooser = gtk_file_chooser_native_new (title, parent,
                                         save ? GTK_FILE_CHOOSER_ACTION_SAVE :
                                                GTK_FILE_CHOOSER_ACTION_OPEN,
                                         save ? _("_Save") : _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (suggested_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested_name);
  c->func = func;
  c->user_data = g_object_ref (user_data);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), c);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_import_file (GFile    *file,
                gpointer  user_data)
{
  wallet_window_import (WALLET_WINDOW (user_data), file, NULL, NULL, NULL);
}

void
wallet_window_choose_import (WalletWindow *self)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  wallet_choose_file (GTK_WINDOW (self), _("Import Credential"), FALSE, NULL, on_import_file, self);
}

static void
on_wallet_created (WalletWindow *self)
{
  wallet_window_toast (self, _("Wallet created"));
  wallet_window_refresh (self);
}

void
wallet_window_create_wallet (WalletWindow *self)
{
  WalletCreateDialog *dialog;

  g_return_if_fail (WALLET_IS_WINDOW (self));
  dialog = wallet_create_dialog_new (GTK_WINDOW (self), self->store);
  g_signal_connect_object (dialog, "created", G_CALLBACK (on_wallet_created), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
wallet_window_provision (WalletWindow *self)
{
  g_return_if_fail (WALLET_IS_WINDOW (self));
  gtk_window_present (GTK_WINDOW (wallet_provision_dialog_new (self)));
}
