/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Attested provisioning, the holder's three steps: create a key request
 * (a new key in the TPM and its attestation, as `tessera wallet
 * provision-request`) and save it for the issuer; import the issuer's
 * challenge and save the response (`provision-respond`); import the
 * credential the issuer made for that key. */

#include <glib/gi18n-lib.h>

#include "wallet-provision-dialog.h"

struct _WalletProvisionDialog
{
  AdwWindow parent_instance;

  WalletWindow *window;
  GCancellable *cancellable;

  WalletStepState state[WALLET_N_STEPS];
  AdwActionRow *row[WALLET_N_STEPS];
  GtkWidget *button[WALLET_N_STEPS];
  GtkWidget *icon[WALLET_N_STEPS];
  char *status[WALLET_N_STEPS];

  GFile *response_out;   /* step 2: where the response goes */
};

G_DEFINE_FINAL_TYPE (WalletProvisionDialog, wallet_provision_dialog, ADW_TYPE_WINDOW)

/* Closing the dialog cancels what runs: its widgets are gone then. */
static gboolean
closed (WalletProvisionDialog *self,
        GError                *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable);
}

static void
set_step (WalletProvisionDialog *self,
          WalletStep             step,
          WalletStepState        state,
          const char            *status)
{
  static const char *icons[] = {
    [WALLET_STEP_WAITING] = "content-loading-symbolic",
    [WALLET_STEP_READY] = "go-next-symbolic",
    [WALLET_STEP_BUSY] = "content-loading-symbolic",
    [WALLET_STEP_DONE] = "object-select-symbolic",
    [WALLET_STEP_FAILED] = "dialog-error-symbolic",
  };

  self->state[step] = state;
  g_free (self->status[step]);
  self->status[step] = g_strdup (status);
  adw_action_row_set_subtitle (self->row[step], status);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon[step]), icons[state]);
  gtk_widget_remove_css_class (self->icon[step], "success");
  gtk_widget_remove_css_class (self->icon[step], "error");
  if (state == WALLET_STEP_DONE)
    gtk_widget_add_css_class (self->icon[step], "success");
  else if (state == WALLET_STEP_FAILED)
    gtk_widget_add_css_class (self->icon[step], "error");
  for (guint i = 0; i < WALLET_N_STEPS; i++)
    gtk_widget_set_sensitive (self->button[i], self->state[i] != WALLET_STEP_BUSY);
}

WalletStepState
wallet_provision_dialog_get_state (WalletProvisionDialog *self,
                                   WalletStep             step)
{
  g_return_val_if_fail (WALLET_IS_PROVISION_DIALOG (self), WALLET_STEP_FAILED);
  return self->state[step];
}

const char *
wallet_provision_dialog_get_status (WalletProvisionDialog *self,
                                    WalletStep             step)
{
  g_return_val_if_fail (WALLET_IS_PROVISION_DIALOG (self), NULL);
  return self->status[step];
}

/* ---- Step 1: the key request ---- */

static void
on_request_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(WalletProvisionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (closed (self, error))
        return;
      set_step (self, WALLET_STEP_REQUEST, WALLET_STEP_FAILED, error->message);
      return;
    }
  name = g_file_get_basename (G_FILE (source));
  /* TRANSLATORS: %s is a file name */
  text = g_strdup_printf (_("Saved as %s. Give it to the issuer."), name);
  set_step (self, WALLET_STEP_REQUEST, WALLET_STEP_DONE, text);
  set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_READY,
            _("Import the challenge the issuer sends back"));
}

static void
on_request_made (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(WalletProvisionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request = wallet_store_provision_finish (WALLET_STORE (source), result, &error);
  GFile *out = g_object_get_data (G_OBJECT (self), "request-out");

  if (closed (self, error))
    return;
  if (request == NULL)
    {
      set_step (self, WALLET_STEP_REQUEST, WALLET_STEP_FAILED, error->message);
      return;
    }
  g_file_replace_contents_bytes_async (out, request, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, on_request_saved, g_object_ref (self));
}

/* What runs once the wallet is unlocked; when the holder declines to
 * unlock, the step says so. */
typedef struct {
  WalletProvisionDialog *self;
  WalletStep step;
  gboolean started;
} UnlockStep;

static UnlockStep *
unlock_step_new (WalletProvisionDialog *self,
                 WalletStep             step)
{
  UnlockStep *u = g_new0 (UnlockStep, 1);

  u->self = g_object_ref (self);
  u->step = step;
  return u;
}

static void
unlock_step_free (UnlockStep *u)
{
  if (!u->started && !closed (u->self, NULL))
    set_step (u->self, u->step, WALLET_STEP_FAILED, _("The wallet stays locked"));
  g_object_unref (u->self);
  g_free (u);
}

static void
request_unlocked (WalletWindow *window,
                  gpointer      user_data)
{
  UnlockStep *u = user_data;
  WalletProvisionDialog *self = u->self;

  u->started = TRUE;
  wallet_store_provision_request_async (wallet_window_get_store (window), self->cancellable,
                                        on_request_made, g_object_ref (self));
}

void
wallet_provision_dialog_create_request (WalletProvisionDialog *self,
                                        GFile                 *out)
{
  g_return_if_fail (WALLET_IS_PROVISION_DIALOG (self));
  g_object_set_data_full (G_OBJECT (self), "request-out", g_object_ref (out), g_object_unref);
  set_step (self, WALLET_STEP_REQUEST, WALLET_STEP_BUSY, _("Creating a key in the TPM…"));
  wallet_window_ensure_key_pin (self->window, request_unlocked,
                                 unlock_step_new (self, WALLET_STEP_REQUEST),
                                 (GDestroyNotify) unlock_step_free);
}

/* ---- Step 2: the challenge ---- */

static void
on_response_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WalletProvisionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (closed (self, error))
        return;
      set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_FAILED, error->message);
      return;
    }
  name = g_file_get_basename (G_FILE (source));
  text = g_strdup_printf (_("Answered; the response is saved as %s. Give it to the issuer."), name);
  set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_DONE, text);
  set_step (self, WALLET_STEP_CREDENTIAL, WALLET_STEP_READY,
            _("Import the credential the issuer made for this key"));
}

static void
on_responded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WalletProvisionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) evidence = wallet_store_provision_finish (WALLET_STORE (source), result, &error);

  if (closed (self, error))
    return;
  if (evidence == NULL)
    {
      set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_FAILED, error->message);
      return;
    }
  g_file_replace_contents_bytes_async (self->response_out, evidence, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, on_response_saved, g_object_ref (self));
}

static void
on_challenge_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(WalletProvisionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) challenge = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);

  if (closed (self, error))
    return;
  if (challenge == NULL)
    {
      set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_FAILED, error->message);
      return;
    }
  set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_BUSY, _("Proving the key lives in this TPM…"));
  wallet_store_provision_respond_async (wallet_window_get_store (self->window), challenge,
                                        self->cancellable, on_responded, g_object_ref (self));
}

static void
respond_unlocked (WalletWindow *window,
                  gpointer      user_data)
{
  UnlockStep *u = user_data;
  WalletProvisionDialog *self = u->self;
  GFile *challenge = g_object_get_data (G_OBJECT (self), "challenge");

  u->started = TRUE;
  g_file_load_bytes_async (challenge, self->cancellable, on_challenge_loaded, g_object_ref (self));
}

void
wallet_provision_dialog_respond (WalletProvisionDialog *self,
                                 GFile                 *challenge,
                                 GFile                 *out)
{
  g_return_if_fail (WALLET_IS_PROVISION_DIALOG (self));
  g_set_object (&self->response_out, out);
  g_object_set_data_full (G_OBJECT (self), "challenge", g_object_ref (challenge), g_object_unref);
  set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_BUSY, _("Reading the challenge…"));
  wallet_window_ensure_key_pin (self->window, respond_unlocked,
                                 unlock_step_new (self, WALLET_STEP_CHALLENGE),
                                 (GDestroyNotify) unlock_step_free);
}

/* ---- Step 3: the credential ---- */

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WalletProvisionDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (wallet_window_import_finish (WALLET_WINDOW (source), result, &error) < 0 &&
      closed (self, error))
    return;
  if (error != NULL)
    set_step (self, WALLET_STEP_CREDENTIAL, WALLET_STEP_FAILED, error->message);
  else
    set_step (self, WALLET_STEP_CREDENTIAL, WALLET_STEP_DONE,
              _("The credential is in your wallet"));
}

void
wallet_provision_dialog_import (WalletProvisionDialog *self,
                                GFile                 *credential)
{
  g_return_if_fail (WALLET_IS_PROVISION_DIALOG (self));
  set_step (self, WALLET_STEP_CREDENTIAL, WALLET_STEP_BUSY, _("Checking the credential…"));
  wallet_window_import (self->window, credential, self->cancellable, on_imported,
                        g_object_ref (self));
}

/* ---- The buttons ---- */

static void
on_request_file (GFile    *file,
                 gpointer  user_data)
{
  wallet_provision_dialog_create_request (user_data, file);
}

static void
on_request_clicked (WalletProvisionDialog *self)
{
  wallet_choose_file (GTK_WINDOW (self), _("Save Key Request"), TRUE, "key-request.cbor",
                      on_request_file, self);
}

static void
on_response_file (GFile    *file,
                  gpointer  user_data)
{
  WalletProvisionDialog *self = user_data;

  wallet_provision_dialog_respond (self, g_object_get_data (G_OBJECT (self), "challenge"), file);
}

static void
on_challenge_file (GFile    *file,
                   gpointer  user_data)
{
  WalletProvisionDialog *self = user_data;

  g_object_set_data_full (G_OBJECT (self), "challenge", g_object_ref (file), g_object_unref);
  wallet_choose_file (GTK_WINDOW (self), _("Save Response"), TRUE, "key-response.cbor",
                      on_response_file, self);
}

static void
on_challenge_clicked (WalletProvisionDialog *self)
{
  wallet_choose_file (GTK_WINDOW (self), _("Import Challenge"), FALSE, NULL,
                      on_challenge_file, self);
}

static void
on_credential_file (GFile    *file,
                    gpointer  user_data)
{
  wallet_provision_dialog_import (user_data, file);
}

static void
on_credential_clicked (WalletProvisionDialog *self)
{
  wallet_choose_file (GTK_WINDOW (self), _("Import Credential"), FALSE, NULL,
                      on_credential_file, self);
}

static void
wallet_provision_dialog_dispose (GObject *object)
{
  WalletProvisionDialog *self = WALLET_PROVISION_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->window);
  g_clear_object (&self->response_out);
  G_OBJECT_CLASS (wallet_provision_dialog_parent_class)->dispose (object);
}

static void
wallet_provision_dialog_finalize (GObject *object)
{
  WalletProvisionDialog *self = WALLET_PROVISION_DIALOG (object);

  for (guint i = 0; i < WALLET_N_STEPS; i++)
    g_free (self->status[i]);
  G_OBJECT_CLASS (wallet_provision_dialog_parent_class)->finalize (object);
}

static void
wallet_provision_dialog_class_init (WalletProvisionDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wallet_provision_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = wallet_provision_dialog_finalize;
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0,
                                       "window.close", NULL);
}

static void
add_step (WalletProvisionDialog *self,
          GtkWidget             *group,
          WalletStep             step,
          const char            *title,
          const char            *button_label,
          GCallback              clicked)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  self->icon[step] = gtk_image_new ();
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), self->icon[step]);
  self->button[step] = gtk_button_new_with_mnemonic (button_label);
  gtk_widget_set_valign (self->button[step], GTK_ALIGN_CENTER);
  /* Two buttons read "Import…": the step's title tells them apart. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button[step]),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_signal_connect_swapped (self->button[step], "clicked", clicked, self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->button[step]);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  self->row[step] = ADW_ACTION_ROW (row);
}

static void
wallet_provision_dialog_init (WalletProvisionDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();

  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Get a Credential"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 560);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("With the Issuer"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("The issuer checks that your key lives in this computer’s TPM before issuing to it. Pass the files back and forth in these three steps."));
  add_step (self, group, WALLET_STEP_REQUEST, _("1. Create Key Request"), _("_Create…"),
            G_CALLBACK (on_request_clicked));
  add_step (self, group, WALLET_STEP_CHALLENGE, _("2. Import Challenge"), _("_Import…"),
            G_CALLBACK (on_challenge_clicked));
  add_step (self, group, WALLET_STEP_CREDENTIAL, _("3. Import Credential"), _("I_mport…"),
            G_CALLBACK (on_credential_clicked));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);

  set_step (self, WALLET_STEP_REQUEST, WALLET_STEP_READY,
            _("Makes a new key in the TPM and a request file for the issuer"));
  set_step (self, WALLET_STEP_CHALLENGE, WALLET_STEP_WAITING,
            _("After the issuer answers your request"));
  set_step (self, WALLET_STEP_CREDENTIAL, WALLET_STEP_WAITING,
            _("After the issuer has checked your response"));
}

WalletProvisionDialog *
wallet_provision_dialog_new (WalletWindow *window)
{
  WalletProvisionDialog *self = g_object_new (WALLET_TYPE_PROVISION_DIALOG,
                                              "transient-for", window, NULL);

  self->window = g_object_ref (window);
  return self;
}
