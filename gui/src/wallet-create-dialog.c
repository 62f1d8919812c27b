/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* "Create Wallet": the secure area (TPM 2.0 when one is reachable, a
 * PKCS#11 token, or software keys behind a passphrase typed twice), then
 * tsr_store_create in a GTask thread, as `tessera wallet init`. */

#include <glib/gi18n-lib.h>
#include <string.h>

#include "wallet-create-dialog.h"
#include "wallet-secret-entry.h"

struct _WalletCreateDialog
{
  AdwWindow parent_instance;

  WalletStore *store;
  GCancellable *cancellable;
  gboolean busy;

  GtkCheckButton *kind_check[3];    /* TPM, PKCS#11, software */
  GtkWidget *tpm_group;
  GtkWidget *pkcs11_group;
  GtkWidget *software_group;
  GtkWidget *tcti_row;
  GtkWidget *tpm_pin_row;
  GtkWidget *tpm_again_row;
  GtkWidget *module_row;
  GtkWidget *token_row;
  GtkWidget *pin_row;
  GtkWidget *pass_row;
  GtkWidget *again_row;
  GtkWidget *create_button;
  GtkWidget *spinner;
  GtkLabel *status;
};

enum {
  SIGNAL_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WalletCreateDialog, wallet_create_dialog, ADW_TYPE_WINDOW)

static const tsr_sa_kind_t kinds[3] = { TSR_SA_TPM2, TSR_SA_PKCS11, TSR_SA_SOFTWARE };

tsr_sa_kind_t
wallet_create_dialog_get_kind (WalletCreateDialog *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (gtk_check_button_get_active (self->kind_check[i]))
      return kinds[i];
  return TSR_SA_SOFTWARE;
}

static void
set_status (WalletCreateDialog *self,
            const char         *text,
            gboolean            error)
{
  gtk_label_set_text (self->status, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status), text != NULL && *text != '\0');
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status), "error");
}

static void
update_groups (WalletCreateDialog *self)
{
  tsr_sa_kind_t kind = wallet_create_dialog_get_kind (self);

  gtk_widget_set_visible (self->tpm_group, kind == TSR_SA_TPM2);
  gtk_widget_set_visible (self->pkcs11_group, kind == TSR_SA_PKCS11);
  gtk_widget_set_visible (self->software_group, kind == TSR_SA_SOFTWARE);
  set_status (self, NULL, FALSE);
}

void
wallet_create_dialog_set_kind (WalletCreateDialog *self,
                               tsr_sa_kind_t       kind)
{
  g_return_if_fail (WALLET_IS_CREATE_DIALOG (self));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i] == kind)
      gtk_check_button_set_active (self->kind_check[i], TRUE);
  update_groups (self);
}

void
wallet_create_dialog_set_passphrase (WalletCreateDialog *self,
                                     const char         *passphrase,
                                     const char         *again)
{
  g_return_if_fail (WALLET_IS_CREATE_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->pass_row), passphrase);
  gtk_editable_set_text (GTK_EDITABLE (self->again_row), again);
}

void
wallet_create_dialog_set_tpm_pin (WalletCreateDialog *self,
                                  const char         *pin,
                                  const char         *again)
{
  g_return_if_fail (WALLET_IS_CREATE_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->tpm_pin_row), pin);
  gtk_editable_set_text (GTK_EDITABLE (self->tpm_again_row), again);
}

void
wallet_create_dialog_set_token (WalletCreateDialog *self,
                                const char         *module,
                                const char         *label,
                                const char         *pin)
{
  g_return_if_fail (WALLET_IS_CREATE_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->module_row), module);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), label);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), pin);
}

const char *
wallet_create_dialog_get_status (WalletCreateDialog *self)
{
  g_return_val_if_fail (WALLET_IS_CREATE_DIALOG (self), NULL);
  return gtk_label_get_text (self->status);
}

gboolean
wallet_create_dialog_is_busy (WalletCreateDialog *self)
{
  g_return_val_if_fail (WALLET_IS_CREATE_DIALOG (self), FALSE);
  return self->busy;
}

static void
set_busy (WalletCreateDialog *self,
          gboolean            busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (self->create_button, !busy);
  gtk_widget_set_visible (self->spinner, busy);
  g_object_set (self->spinner, "spinning", busy, NULL);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(WalletCreateDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      /* Closed meanwhile: its widgets are gone; the window still learns of a new wallet. */
      if (wallet_store_create_finish (WALLET_STORE (source), result, NULL) ||
          g_file_test (wallet_store_get_path (WALLET_STORE (source)), G_FILE_TEST_EXISTS))
        g_signal_emit (self, signals[SIGNAL_CREATED], 0);
      return;
    }
  if (!wallet_store_create_finish (WALLET_STORE (source), result, &error))
    {
      set_busy (self, FALSE);
      set_status (self, error->message, TRUE);
      return;
    }
  set_busy (self, FALSE);
  set_status (self, _("The wallet is ready"), FALSE);
  g_signal_emit (self, signals[SIGNAL_CREATED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

static const char *
text_of (GtkWidget *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

gboolean
wallet_create_dialog_create (WalletCreateDialog *self)
{
  tsr_sa_kind_t kind;
  const char *secret = NULL;

  g_return_val_if_fail (WALLET_IS_CREATE_DIALOG (self), FALSE);
  if (self->busy)
    return FALSE;
  kind = wallet_create_dialog_get_kind (self);
  switch (kind)
    {
    case TSR_SA_SOFTWARE:
      if (*text_of (self->pass_row) == '\0')
        {
          set_status (self, _("Choose a passphrase"), TRUE);
          return FALSE;
        }
      if (strcmp (text_of (self->pass_row), text_of (self->again_row)) != 0)
        {
          set_status (self, _("The two passphrases differ"), TRUE);
          return FALSE;
        }
      secret = text_of (self->pass_row);
      break;
    case TSR_SA_PKCS11:
      if (*text_of (self->module_row) == '\0' || *text_of (self->token_row) == '\0')
        {
          set_status (self, _("A token needs its PKCS#11 module and its label"), TRUE);
          return FALSE;
        }
      secret = text_of (self->pin_row);
      break;
    case TSR_SA_TPM2:
      /* Optional: without one the TPM keeps the keys without a PIN. */
      if (strcmp (text_of (self->tpm_pin_row), text_of (self->tpm_again_row)) != 0)
        {
          set_status (self, _("The two PINs differ"), TRUE);
          return FALSE;
        }
      secret = text_of (self->tpm_pin_row);
      break;
    default:
      break;
    }
  set_busy (self, TRUE);
  set_status (self, kind == TSR_SA_TPM2 ? _("Creating the wallet in the TPM…") :
                                         _("Creating the wallet…"), FALSE);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  wallet_store_create_async (self->store, kind, text_of (self->tcti_row),
                             text_of (self->module_row), text_of (self->token_row), secret,
                             self->cancellable, on_created, g_object_ref (self));
  wallet_secret_entry_clear (GTK_EDITABLE (self->pass_row));
  wallet_secret_entry_clear (GTK_EDITABLE (self->again_row));
  wallet_secret_entry_clear (GTK_EDITABLE (self->pin_row));
  wallet_secret_entry_clear (GTK_EDITABLE (self->tpm_pin_row));
  wallet_secret_entry_clear (GTK_EDITABLE (self->tpm_again_row));
  return TRUE;
}

static void
on_form_changed (WalletCreateDialog *self)
{
  if (!self->busy)
    set_status (self, NULL, FALSE);
}

static void
on_create_clicked (WalletCreateDialog *self)
{
  wallet_create_dialog_create (self);
}

static void
wallet_create_dialog_dispose (GObject *object)
{
  WalletCreateDialog *self = WALLET_CREATE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (wallet_create_dialog_parent_class)->dispose (object);
}

static void
wallet_create_dialog_class_init (WalletCreateDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_create_dialog_dispose;
  signals[SIGNAL_CREATED] =
    g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkWidget *
add_group (GtkWidget  *page,
           const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  return group;
}

static GtkWidget *
add_entry (GtkWidget  *group,
           const char *title,
           gboolean    password)
{
  GtkWidget *row = password ? adw_password_entry_row_new () : adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkCheckButton *
add_kind_row (GtkWidget      *group,
              GtkCheckButton *first,
              const char     *title,
              const char     *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  if (first != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), first);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return GTK_CHECK_BUTTON (check);
}

static void
wallet_create_dialog_init (WalletCreateDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group, *row, *icon;
  gboolean tpm = wallet_tpm_reachable ();

  gtk_window_set_title (GTK_WINDOW (self), _("Create Wallet"));
  gtk_window_set_default_size (GTK_WINDOW (self), 480, 640);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  self->create_button = gtk_button_new_with_mnemonic (_("C_reate"));
  gtk_widget_add_css_class (self->create_button, "suggested-action");
  g_signal_connect_swapped (self->create_button, "clicked", G_CALLBACK (on_create_clicked), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->create_button);
  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->spinner);
  gtk_box_append (GTK_BOX (box), header);

  group = add_group (page, _("Where the Keys Live"),
                     _("Your credentials are bound to keys that never leave this place."));
  self->kind_check[0] = add_kind_row (group, NULL, _("TPM 2.0"),
                                      tpm ? _("The security chip of this computer (recommended)") :
                                            _("No TPM was found on this computer"));
  self->kind_check[1] = add_kind_row (group, self->kind_check[0], _("Security Token"),
                                      _("A smart card or token through PKCS#11"));
  self->kind_check[2] = add_kind_row (group, self->kind_check[0], _("Software"),
                                      _("Not hardware-backed: keys in a file, protected by a passphrase"));
  if (!tpm)
    gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->kind_check[0]),
                                                       ADW_TYPE_ACTION_ROW), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    g_signal_connect_swapped (self->kind_check[i], "toggled", G_CALLBACK (update_groups), self);

  self->tpm_group = add_group (page, _("TPM 2.0"),
                              _("With a PIN, the TPM uses the keys only after you enter it, and locks itself for a while after too many wrong PINs."));
  self->tcti_row = add_entry (self->tpm_group, _("TCTI (empty for this computer’s TPM)"), FALSE);
  self->tpm_pin_row = add_entry (self->tpm_group, _("PIN (optional)"), TRUE);
  self->tpm_again_row = add_entry (self->tpm_group, _("PIN again"), TRUE);
  g_signal_connect_swapped (self->tpm_pin_row, "changed", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->tpm_again_row, "changed", G_CALLBACK (on_form_changed), self);

  self->pkcs11_group = add_group (page, _("Security Token"), NULL);
  self->module_row = add_entry (self->pkcs11_group, _("PKCS#11 module"), FALSE);
  self->token_row = add_entry (self->pkcs11_group, _("Token label"), FALSE);
  self->pin_row = add_entry (self->pkcs11_group, _("PIN"), TRUE);

  self->software_group = add_group (page, _("Software Keys"), NULL);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Not hardware-backed"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Anyone who copies the wallet file can try to guess the passphrase. Use a TPM or a token when you can."));
  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (row, "warning");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->software_group), row);
  self->pass_row = add_entry (self->software_group, _("Passphrase"), TRUE);
  self->again_row = add_entry (self->software_group, _("Passphrase again"), TRUE);
  g_signal_connect_swapped (self->again_row, "entry-activated", G_CALLBACK (on_create_clicked), self);
  g_signal_connect_swapped (self->pass_row, "changed", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->again_row, "changed", G_CALLBACK (on_form_changed), self);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->again_row), FALSE);

  group = add_group (page, NULL, NULL);
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->status), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Status"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->status));

  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);

  gtk_check_button_set_active (self->kind_check[tpm ? 0 : 2], TRUE);
  update_groups (self);
}

WalletCreateDialog *
wallet_create_dialog_new (GtkWindow   *parent,
                          WalletStore *store)
{
  WalletCreateDialog *self = g_object_new (WALLET_TYPE_CREATE_DIALOG,
                                           "transient-for", parent, NULL);

  self->store = g_object_ref (store);
  return self;
}
