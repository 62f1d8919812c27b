/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "wallet-labels.h"
#include "wallet-preferences-window.h"
#include "wallet-window.h"

struct _WalletPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  WalletStore *store;
  GSettings *settings;
  GListModel *roots;
  GtkFileChooserNative *chooser;

  AdwActionRow *storage_row;
  AdwActionRow *location_row;
  AdwActionRow *state_row;
  AdwActionRow *wallet_row;
  GtkWidget *unlock_button;
  AdwActionRow *pin_row;
  GtkWidget *pin_button;
  char *last_toast;
  gboolean busy;
  /* Held until finalize: GtkWindow's dispose still talks to the transient
   * parent, and a thread's callback may drop our last reference after the
   * parent window has gone. */
  GtkWindow *parent;
  GtkSwitch *trusted_readers_switch;
  AdwComboRow *transport_row;
  AdwComboRow *ble_mode_row;
  AdwActionRow *ble_l2cap_row;
  GtkSwitch *ble_l2cap_switch;
  GtkListBox *roots_list;
};

G_DEFINE_FINAL_TYPE (WalletPreferencesWindow, wallet_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void reload (WalletPreferencesWindow *self);
static void update_pin_row (WalletPreferencesWindow *self,
                            tsr_sa_kind_t            kind);

static void
toast (WalletPreferencesWindow *self,
       const char              *message)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static void
unlocked (WalletWindow *window,
          gpointer      user_data)
{
  reload (WALLET_PREFERENCES_WINDOW (user_data));
}

static void
on_unlock_clicked (WalletPreferencesWindow *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (WALLET_IS_WINDOW (parent))
    wallet_window_ensure_unlocked (WALLET_WINDOW (parent), unlocked, g_object_ref (self),
                                   g_object_unref);
}

static void
on_file_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WalletPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error))
    {
      toast (self, error->message);
      return;
    }
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
    wallet_preferences_window_import (self, bytes);
  }
}

static void
on_chooser_response (WalletPreferencesWindow *self,
                     int                      response,
                     GtkNativeDialog         *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    g_file_load_contents_async (file, NULL, on_file_loaded, g_object_ref (self));
  g_clear_object (&self->chooser);
}

static void
on_import_clicked (WalletPreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Certificates"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.cer");
  gtk_file_filter_add_pattern (filter, "*.der");
  self->chooser = gtk_file_chooser_native_new (_("Import Reader Authority"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"),
                                               _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- Changing the passphrase or PIN ---- */

static void
update_pin_row (WalletPreferencesWindow *self,
                tsr_sa_kind_t            kind)
{
  const char *title = NULL, *subtitle = NULL;
  gboolean changeable = TRUE;

  switch (kind)
    {
    case TSR_SA_SOFTWARE:
      title = _("Passphrase");
      subtitle = _("Protects the keys in the wallet file");
      break;
    case TSR_SA_PKCS11:
      title = _("Token PIN");
      subtitle = _("The user PIN of the security token");
      break;
    case TSR_SA_TPM2:
      title = _("PIN");
      if (wallet_store_get_keys_have_pin (self->store))
        subtitle = _("The TPM uses the keys only with this PIN");
      else
        {
          subtitle = _("None: the TPM keeps the keys on this computer without a PIN");
          changeable = FALSE;
        }
      break;
    default:
      gtk_widget_set_visible (GTK_WIDGET (self->pin_row), FALSE);
      return;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pin_row), title);
  adw_action_row_set_subtitle (self->pin_row, subtitle);
  gtk_widget_set_visible (self->pin_button, changeable);
  gtk_widget_set_sensitive (self->pin_button, changeable && !self->busy);
  {
    /* Translators: accessible name of the button; %s is "Passphrase" or "Token PIN" */
    g_autofree char *label = g_strdup_printf (_("Change %s"), title);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->pin_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->pin_row), TRUE);
}

static void
on_secret_changed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WalletPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  gtk_widget_set_sensitive (self->pin_button, TRUE);
  if (!wallet_store_change_secret_finish (WALLET_STORE (source), result, &error))
    toast (self, error->message);
  else
    toast (self, wallet_store_get_sa_kind (self->store) == TSR_SA_SOFTWARE ?
                 _("Passphrase changed") : _("PIN changed"));
  reload (self);
}

static const char *
entry_text (AdwMessageDialog *dialog,
            const char       *key)
{
  return gtk_editable_get_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), key)));
}

static void
on_change_response (AdwMessageDialog        *dialog,
                    const char              *response,
                    WalletPreferencesWindow *self)
{
  const char *old_secret, *new_secret, *repeat;

  if (g_strcmp0 (response, "change") != 0)
    return;
  old_secret = entry_text (dialog, "old");
  new_secret = entry_text (dialog, "new");
  repeat = entry_text (dialog, "repeat");
  if (*new_secret == '\0')
    {
      toast (self, _("The new PIN is empty"));
      return;
    }
  if (g_strcmp0 (new_secret, repeat) != 0)
    {
      toast (self, _("The new PINs do not match"));
      return;
    }
  self->busy = TRUE;
  gtk_widget_set_sensitive (self->pin_button, FALSE);
  wallet_store_change_secret_async (self->store, old_secret, new_secret, NULL,
                                    on_secret_changed, g_object_ref (self));
}

static GtkWidget *
password_row (AdwMessageDialog *dialog,
              GtkListBox       *list,
              const char       *key,
              const char       *title)
{
  GtkWidget *row = adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, key);
  gtk_list_box_append (list, row);
  g_object_set_data (G_OBJECT (dialog), key, row);
  return row;
}

void
wallet_preferences_window_change_pin (WalletPreferencesWindow *self)
{
  gboolean software;
  AdwMessageDialog *dialog;
  GtkWidget *list;

  g_return_if_fail (WALLET_IS_PREFERENCES_WINDOW (self));
  software = wallet_store_get_sa_kind (self->store) == TSR_SA_SOFTWARE;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       software ? _("Change Passphrase") : _("Change PIN"),
                                                       software ? _("The keys are encrypted again under the new passphrase.") :
                                                       wallet_store_get_sa_kind (self->store) == TSR_SA_TPM2 ?
                                                                  _("The TPM counts wrong PINs and locks itself for a while after too many.") :
                                                                  _("The token counts wrong PINs and locks itself after too many.")));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  password_row (dialog, GTK_LIST_BOX (list), "old",
                software ? _("Current passphrase") : _("Current PIN"));
  password_row (dialog, GTK_LIST_BOX (list), "new",
                software ? _("New passphrase") : _("New PIN"));
  password_row (dialog, GTK_LIST_BOX (list), "repeat",
                software ? _("Repeat new passphrase") : _("Repeat new PIN"));
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "change", _("C_hange"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "change", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "change");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_change_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_change_pin_clicked (WalletPreferencesWindow *self)
{
  wallet_preferences_window_change_pin (self);
}

const char *
wallet_preferences_window_get_last_toast (WalletPreferencesWindow *self)
{
  g_return_val_if_fail (WALLET_IS_PREFERENCES_WINDOW (self), NULL);
  return self->last_toast;
}

gboolean
wallet_preferences_window_get_busy (WalletPreferencesWindow *self)
{
  g_return_val_if_fail (WALLET_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->busy;
}

static void
wallet_preferences_window_dispose (GObject *object)
{
  WalletPreferencesWindow *self = WALLET_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->roots);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_toast, g_free);
  G_OBJECT_CLASS (wallet_preferences_window_parent_class)->dispose (object);
}

static void
wallet_preferences_window_finalize (GObject *object)
{
  WalletPreferencesWindow *self = WALLET_PREFERENCES_WINDOW (object);

  g_clear_object (&self->parent);
  G_OBJECT_CLASS (wallet_preferences_window_parent_class)->finalize (object);
}

static void
wallet_preferences_window_class_init (WalletPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_preferences_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = wallet_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tessera/Wallet/wallet-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, storage_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, location_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, state_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, wallet_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, pin_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, pin_button);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, trusted_readers_switch);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, transport_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, ble_mode_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, ble_l2cap_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, ble_l2cap_switch);
  gtk_widget_class_bind_template_child (widget_class, WalletPreferencesWindow, roots_list);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_import_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_change_pin_clicked);
}

static void
wallet_preferences_window_init (WalletPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
on_remove_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WalletPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!wallet_store_remove_root_finish (WALLET_STORE (source), result, &error))
    toast (self, error->message);
  else
    toast (self, _("Reader authority removed"));
  reload (self);
}

static void
on_remove_clicked (GtkButton *button,
                   WalletPreferencesWindow *self)
{
  WalletRoot *root = g_object_get_data (G_OBJECT (button), "root");

  wallet_store_remove_root_async (self->store, wallet_root_get_id (root), NULL, on_remove_done,
                                  g_object_ref (self));
}

static GtkWidget *
create_root_row (gpointer item,
                 gpointer user_data)
{
  WalletPreferencesWindow *self = user_data;
  WalletRoot *root = WALLET_ROOT (item);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *name = wallet_subject_name (wallet_root_get_subject (root));
  g_autofree char *until = wallet_format_date (wallet_root_get_not_after (root));
  /* Translators: %s is a date */
  g_autofree char *subtitle = g_strdup_printf (_("Valid until %s"), until);
  g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, wallet_root_get_subject (root));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  g_object_set_data_full (G_OBJECT (button), "root", g_object_ref (root), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
on_roots (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(WalletPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) roots = wallet_store_roots_finish (WALLET_STORE (source), result, &error);
  g_autofree char *location = NULL;
  tsr_sa_kind_t kind;
  gboolean unlocked;

  kind = wallet_store_get_sa_kind (self->store);
  location = wallet_store_dup_sa_location (self->store);
  unlocked = wallet_store_is_unlocked (self->store);
  adw_action_row_set_subtitle (self->storage_row, kind != 0 ? wallet_key_storage_label (kind) :
                               _("Unknown (no wallet)"));
  adw_action_row_set_subtitle (self->location_row, location != NULL ? location :
                               kind == TSR_SA_SOFTWARE ? _("In the wallet file, protected by the passphrase") :
                               _("Default"));
  adw_action_row_set_subtitle (self->state_row, unlocked ? _("Unlocked") : _("Locked"));
  gtk_widget_set_visible (self->unlock_button, !unlocked && kind != 0);
  update_pin_row (self, kind);

  if (roots == NULL)
    {
      if (!g_error_matches (error, WALLET_ERROR, TSR_ERR_STORE_NO_WALLET))
        toast (self, error->message);
      return;
    }
  g_set_object (&self->roots, roots);
  gtk_list_box_bind_model (self->roots_list, roots, create_root_row, self, NULL);
}

static void
reload (WalletPreferencesWindow *self)
{
  wallet_store_roots_async (self->store, NULL, on_roots, g_object_ref (self));
}

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WalletPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = wallet_store_add_root_finish (WALLET_STORE (source), result, &error);

  if (n < 0)
    toast (self, error->message);
  else if (n == 0)
    toast (self, _("Already trusted"));
  else
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%zd reader authority imported",
                                                         "%zd reader authorities imported", (gulong) n), n);
      toast (self, text);
    }
  reload (self);
}

void
wallet_preferences_window_import (WalletPreferencesWindow *self,
                                  GBytes                  *certs)
{
  g_return_if_fail (WALLET_IS_PREFERENCES_WINDOW (self));
  wallet_store_add_root_async (self->store, certs, NULL, on_imported, g_object_ref (self));
}

GListModel *
wallet_preferences_window_get_roots (WalletPreferencesWindow *self)
{
  g_return_val_if_fail (WALLET_IS_PREFERENCES_WINDOW (self), NULL);
  return self->roots;
}

/* A string setting with @choices (NULL-terminated) <-> a combo row's
 * position in the same order. */
static gboolean
choice_to_selected (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char **choices = user_data;
  const char *s = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_strcmp0 (s, choices[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
selected_to_choice (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char **choices = user_data;
  guint selected = g_value_get_uint (value);

  for (guint i = 0; choices[i] != NULL; i++)
    if (i == selected)
      return g_variant_new_string (choices[i]);
  return NULL;
}

static const char *transport_choices[] = { "ble", "local", NULL };
static const char *ble_mode_choices[] = { "peripheral", "central", NULL };

static void
on_transport_changed (WalletPreferencesWindow *self)
{
  gboolean ble = adw_combo_row_get_selected (self->transport_row) == 0;

  /* The mode and the L2CAP channel matter only for Bluetooth. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->ble_mode_row), ble);
  gtk_widget_set_sensitive (GTK_WIDGET (self->ble_l2cap_row), ble);
}

WalletPreferencesWindow *
wallet_preferences_window_new (GtkWindow   *parent,
                               WalletStore *store,
                               GSettings   *settings)
{
  WalletPreferencesWindow *self = g_object_new (WALLET_TYPE_PREFERENCES_WINDOW,
                                                "transient-for", parent, NULL);

  if (parent != NULL)
    self->parent = g_object_ref (parent);
  self->store = g_object_ref (store);
  self->settings = g_object_ref (settings);
  g_settings_bind (settings, "refuse-untrusted-readers", self->trusted_readers_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "transport", self->transport_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_to_selected, selected_to_choice,
                                transport_choices, NULL);
  g_settings_bind_with_mapping (settings, "ble-mode", self->ble_mode_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_to_selected, selected_to_choice,
                                ble_mode_choices, NULL);
  g_settings_bind (settings, "ble-l2cap", self->ble_l2cap_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->transport_row, "notify::selected",
                           G_CALLBACK (on_transport_changed), self, G_CONNECT_SWAPPED);
  on_transport_changed (self);
  adw_action_row_set_subtitle (self->wallet_row, wallet_store_get_path (store));
  reload (self);
  return self;
}
