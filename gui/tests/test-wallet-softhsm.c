/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * A wallet on a real PKCS#11 token (a throw-away SoftHSM2 token, see
 * tests/support/softhsm.h), all through the app: the create dialog makes
 * the wallet on the token, a credential issued by tessera-issuer to a
 * token key is imported through the same import the file chooser uses,
 * and one presentation to `tessera reader request` is answered with the
 * token signing (the consent sheet shows "Over 18: Yes"). Then the token
 * PIN is changed in Preferences (C_SetPIN): a wrong current PIN is
 * refused, the new one opens the wallet.
 */

#include <glib/gstdio.h>
#include <string.h>

#include "softhsm.h"
#include "swtpm.h"  /* tsr_test_rmrf() */
#include "test-support.h"
#include "wallet-create-dialog.h"
#include "wallet-preferences-window.h"
#include "wallet-test-support.h"
#include "wallet-window.h"

#define AV "eu.europa.ec.av.1"
#define TIMEOUT_MS 30000

typedef struct {
  WalletWindow *window;
  gboolean import_done;
  gint64 id;
  GError *error;
  gboolean reader_done;
  char *reader_out;
  char *reader_err;
} Fixture;

static gboolean
credentials_loaded (gpointer data)
{
  const char *state = wallet_credentials_page_get_state (wallet_window_get_credentials_page (data));
  return g_strcmp0 (state, "loading") != 0;
}

static gboolean
credentials_listed (gpointer data)
{
  const char *state = wallet_credentials_page_get_state (wallet_window_get_credentials_page (data));
  return g_strcmp0 (state, "list") == 0;
}

static gboolean
dialog_idle (gpointer data)
{
  return !wallet_create_dialog_is_busy (data);
}

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *f = user_data;

  f->id = wallet_window_import_finish (WALLET_WINDOW (source), result, &f->error);
  f->import_done = TRUE;
}

static gboolean
import_done (gpointer data)
{
  return ((Fixture *) data)->import_done;
}

static gboolean
session_waiting (gpointer data)
{
  WalletPresentPage *present = wallet_window_get_present_page (((Fixture *) data)->window);

  return wallet_present_page_get_session (present) != NULL &&
         g_strcmp0 (wallet_present_page_get_view (present), "qr") == 0;
}

static gboolean
consent_open (gpointer data)
{
  WalletPresentPage *present = wallet_window_get_present_page (((Fixture *) data)->window);
  WalletConsentDialog *d = wallet_present_page_get_consent_dialog (present);

  return d != NULL && gtk_widget_get_mapped (GTK_WIDGET (d));
}

static gboolean
reader_finished (gpointer data)
{
  return ((Fixture *) data)->reader_done;
}

static void
on_reader_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &f->reader_out,
                                        &f->reader_err, &error);
  g_assert_no_error (error);
  f->reader_done = TRUE;
}

static gboolean
store_is_pkcs11 (gpointer data)
{
  return wallet_store_get_sa_kind (data) == TSR_SA_PKCS11;
}

static gboolean
prefs_idle (gpointer data)
{
  return !wallet_preferences_window_get_busy (data) &&
         wallet_preferences_window_get_last_toast (data) != NULL;
}

static gboolean
pin_row_shown (gpointer data)
{
  GtkWidget *row = wallet_test_find (data, ADW_TYPE_ACTION_ROW, "Token PIN");
  return row != NULL && gtk_widget_get_visible (row);
}

static gboolean
message_dialog_open (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) o = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (o) && gtk_widget_get_visible (GTK_WIDGET (o)))
        {
          *(AdwMessageDialog **) data = ADW_MESSAGE_DIALOG (o);
          return TRUE;
        }
    }
  return FALSE;
}

static const char *
change_pin (WalletPreferencesWindow *prefs,
            const char              *old_pin,
            const char              *new_pin)
{
  AdwMessageDialog *dialog = NULL;

  wallet_preferences_window_change_pin (prefs);
  g_assert_true (wallet_test_wait (message_dialog_open, &dialog, 5000));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Change PIN");
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "Current PIN")), old_pin);
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "New PIN")), new_pin);
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "Repeat new PIN")), new_pin);
  adw_message_dialog_response (dialog, "change");
  g_assert_true (wallet_test_wait (prefs_idle, prefs, TIMEOUT_MS));
  return wallet_preferences_window_get_last_toast (prefs);
}

static void
test_softhsm_wallet (void)
{
  g_autoptr(tsr_test_softhsm_t) hsm = tsr_test_softhsm_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tsr-gui-p11-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wallet.db", NULL);
  g_autofree char *issued = NULL, *uri_file = NULL, *trust = NULL, *transport = NULL;
  g_autoptr(WalletStore) store = wallet_store_new (path);
  g_autoptr(GSettings) settings = g_settings_new ("org.tessera.Wallet");
  g_autoptr(GSubprocess) reader = NULL;
  g_autoptr(GFile) file = NULL;
  WalletCreateDialog *create;
  WalletPresentPage *present;
  WalletConsentDialog *consent;
  WalletPreferencesWindow *prefs;
  tsr_store_options_t options = { 0 };
  tsr_store_t *second = NULL;
  GtkWidget *row;
  Fixture f = { 0 };

  g_assert_no_error (error);
  g_settings_set_boolean (settings, "refuse-untrusted-readers", FALSE);
  /* The reader below comes over the local transport. */
  g_settings_set_string (settings, "transport", "local");
  f.window = wallet_window_new_full (NULL, store, settings);
  gtk_window_present (GTK_WINDOW (f.window));
  g_assert_true (wallet_test_wait (credentials_loaded, f.window, TIMEOUT_MS));
  g_assert_cmpstr (wallet_credentials_page_get_state (wallet_window_get_credentials_page (f.window)), ==, "no-wallet");

  /* The wallet, made on the token from the create dialog. */
  create = g_object_ref_sink (wallet_create_dialog_new (GTK_WINDOW (f.window), store));
  g_signal_connect_object (create, "created", G_CALLBACK (wallet_window_refresh), f.window,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (create));
  wallet_create_dialog_set_kind (create, TSR_SA_PKCS11);
  /* A wrong PIN: the token refuses, nothing is left behind. */
  wallet_create_dialog_set_token (create, hsm->module, TSR_TEST_SOFTHSM_LABEL, "0000");
  g_assert_true (wallet_create_dialog_create (create));
  g_assert_true (wallet_test_wait (dialog_idle, create, TIMEOUT_MS));
  g_assert_cmpstr (wallet_create_dialog_get_status (create), ==, "Wrong passphrase or PIN");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  wallet_create_dialog_set_token (create, hsm->module, TSR_TEST_SOFTHSM_LABEL, TSR_TEST_SOFTHSM_PIN);
  g_assert_true (wallet_create_dialog_create (create));
  g_assert_true (wallet_test_wait (dialog_idle, create, TIMEOUT_MS));
  g_assert_cmpstr (wallet_create_dialog_get_status (create), ==, "The wallet is ready");
  gtk_window_destroy (GTK_WINDOW (create));
  g_object_unref (create);
  /* "created" makes the window reopen the store in a worker thread: the
   * kind is known once that is done. */
  g_assert_true (wallet_test_wait (store_is_pkcs11, store, TIMEOUT_MS));

  /* A key on the token (as a provisioning tool would make it) and a
   * credential from tessera-issuer, imported through the app. */
  options.secret = tsr_test_secret_cb;
  options.secret_user = (gpointer) (guintptr) TSR_TEST_SOFTHSM_PIN;
  g_assert_cmpint (tsr_store_open (path, &options, &second), ==, TSR_OK);
  {
    /* wallet_test_issue() imports itself; issue to a key of our own and
     * hand the file to the app instead. */
    g_autofree char *pki = g_build_filename (dir, "pki", NULL);
    g_autofree char *key_path = g_build_filename (dir, "device-key.cbor", NULL);
    g_autofree char *claims = g_build_filename (g_getenv ("WALLET_TEST_ISSUER_EXAMPLES"), "av.json", NULL);
    const char *issuer = g_getenv ("WALLET_TEST_TESSERA_ISSUER");
    guint8 *cose = NULL;
    size_t cose_len = 0;
    gint64 key_id = 0;
    int status = -1;

    g_assert_cmpint (tsr_store_create_key (second, NULL, &key_id, &cose, &cose_len), ==, TSR_OK);
    g_assert_true (g_file_set_contents (key_path, (const char *) cose, (gssize) cose_len, &error));
    tsr_free (cose);
    issued = g_build_filename (dir, "av.cbor", NULL);
    {
      const char *init[] = { issuer, "init", "--out", pki, NULL };
      const char *issue[] = { issuer, "issue", "--pki", pki, "--doctype", AV, "--claims", claims,
                              "--device-key", key_path, "--out", issued, NULL };

      g_assert_true (g_spawn_sync (NULL, (char **) (guintptr) init, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                                   NULL, NULL, NULL, NULL, &status, &error));
      g_assert_true (g_spawn_check_wait_status (status, &error));
      g_assert_true (g_spawn_sync (NULL, (char **) (guintptr) issue, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                                   NULL, NULL, NULL, NULL, &status, &error));
      g_assert_true (g_spawn_check_wait_status (status, &error));
    }
  }
  tsr_store_free (second);
  second = NULL;
  file = g_file_new_for_path (issued);
  wallet_window_import (f.window, file, NULL, on_imported, &f);
  g_assert_true (wallet_test_wait (import_done, &f, TIMEOUT_MS));
  g_assert_no_error (f.error);
  g_assert_cmpint (f.id, >, 0);
  g_assert_true (wallet_test_wait (credentials_listed, f.window, TIMEOUT_MS));
  g_assert_true (wallet_test_shows (GTK_WIDGET (f.window), "PKCS#11 token"));

  /* One presentation, the token signing the device authentication. */
  present = wallet_window_get_present_page (f.window);
  g_action_group_activate_action (G_ACTION_GROUP (f.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &f, TIMEOUT_MS));
  uri_file = g_build_filename (dir, "uri", NULL);
  g_assert_true (g_file_set_contents (uri_file, wallet_session_get_uri (wallet_present_page_get_session (present)),
                                      -1, &error));
  trust = g_build_filename (dir, "pki", "iaca.pem", NULL);
  transport = g_strdup_printf ("local:%s", wallet_session_get_socket_path (wallet_present_page_get_session (present)));
  reader = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             g_getenv ("WALLET_TEST_TESSERA"), "reader", "request",
                             "--engagement-file", uri_file,
                             "--element", AV "/" AV "/age_over_18",
                             "--trust", trust, "--transport", transport, "--timeout", "30", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (reader, NULL, NULL, on_reader_done, &f);
  g_assert_true (wallet_test_wait (consent_open, &f, TIMEOUT_MS));
  consent = wallet_present_page_get_consent_dialog (present);
  row = wallet_test_find (GTK_WIDGET (consent), ADW_TYPE_ACTION_ROW, "Over 18");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Over 18: Yes");
  gtk_switch_set_active (wallet_consent_dialog_get_switch (consent, 0, 0), TRUE);
  wallet_consent_dialog_share (consent);
  g_assert_true (wallet_test_wait (reader_finished, &f, TIMEOUT_MS));
  if (!g_subprocess_get_if_exited (reader) || g_subprocess_get_exit_status (reader) != 0)
    g_error ("reader: %s%s", f.reader_out, f.reader_err);
  g_assert_nonnull (strstr (f.reader_out, "age_over_18"));
  g_assert_nonnull (strstr (f.reader_out, "true"));
  wallet_test_spin (500);

  /* The token PIN, changed in Preferences (C_SetPIN on the token). */
  prefs = wallet_preferences_window_new (GTK_WINDOW (f.window), store, settings);
  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (wallet_test_wait (pin_row_shown, prefs, TIMEOUT_MS));
  g_assert_cmpstr (change_pin (prefs, "9999", "56789"), ==, "The current passphrase or PIN is wrong");
  g_assert_cmpstr (change_pin (prefs, TSR_TEST_SOFTHSM_PIN, "56789"), ==, "PIN changed");
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (f.window));
  wallet_test_spin (300);
  g_clear_object (&store);

  options.secret_user = (gpointer) (guintptr) "56789";
  g_assert_cmpint (tsr_store_open (path, &options, &second), ==, TSR_OK);
  g_assert_cmpint (tsr_store_unlock (second), ==, TSR_OK);
  tsr_store_free (second);

  g_free (f.reader_out);
  g_free (f.reader_err);
  tsr_test_rmrf (dir);
}

int
main (int   argc,
      char *argv[])
{
  wallet_test_init (&argc, &argv);
  g_test_add_func ("/wallet/softhsm/create-import-present-change-pin", test_softhsm_wallet);
  return g_test_run ();
}
