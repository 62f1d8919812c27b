/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Creating a wallet and adding credentials from the app: the create dialog
 * (software area: a passphrase mismatch is refused, success makes the file
 * 0600), the import the file chooser and drag-and-drop share (a valid
 * credential, a tampered one refused by reason, a duplicate, one for
 * another wallet's key), and the provisioning steps: on a real swtpm when
 * it is installed (a TPM wallet made in the create dialog, the key request,
 * tessera-issuer's challenge, the response, the credential issued to the
 * attested key; also with a PIN chosen in the create dialog, which the key
 * gets and which is asked again, and checked on the key, when it is not
 * kept), and on a software wallet, which refuses with the reason.
 *
 * With WALLET_SCREENSHOT_DIR set, the create dialog, the empty wallet and
 * the provisioning steps are saved there at 360x720 and 1280x800. */

#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "swtpm.h"
#include "wallet-create-dialog.h"
#include "wallet-provision-dialog.h"
#include "wallet-test-support.h"
#include "wallet-window.h"

static void
shoot (GtkWindow  *window,
       const char *page)
{
  const char *dir = g_getenv ("WALLET_SCREENSHOT_DIR");
  static const int sizes[][2] = { { 360, 720 }, { 1280, 800 } };

  if (dir == NULL || *dir == '\0')
    return;
  /* Mapped and drawn at its first size before the resizes. */
  gtk_window_present (window);
  wallet_test_spin (500);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("holder-%s-%dx%d.png", page, sizes[i][0], sizes[i][1]);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      wallet_test_resize (window, sizes[i][0], sizes[i][1]);
      g_assert_true (wallet_test_screenshot (GTK_WIDGET (window), path));
    }
}

static WalletWindow *
window_for_path (const char *path,
                 gboolean    with_passphrase)
{
  g_autoptr(WalletStore) store = wallet_store_new (path);
  g_autoptr(GSettings) settings = g_settings_new ("org.tessera.Wallet");

  if (with_passphrase)
    wallet_store_set_passphrase (store, WALLET_TEST_PASSPHRASE);
  return wallet_window_new_full (NULL, store, settings);
}

static gboolean
credentials_loaded (gpointer data)
{
  const char *state = wallet_credentials_page_get_state (wallet_window_get_credentials_page (data));
  return g_strcmp0 (state, "loading") != 0;
}

static gboolean
dialog_idle (gpointer data)
{
  return !wallet_create_dialog_is_busy (data);
}

static gboolean
credentials_state_is_empty (gpointer data)
{
  return g_strcmp0 (wallet_credentials_page_get_state (wallet_window_get_credentials_page (data)),
                    "empty") == 0;
}

static void
test_create_software (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tsr-gui-create-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "sub", "wallet.db", NULL);
  WalletWindow *window = window_for_path (path, FALSE);
  WalletCreateDialog *dialog;
  GtkWidget *button;
  GStatBuf st;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_loaded, window, 20000));
  g_assert_cmpstr (wallet_credentials_page_get_state (wallet_window_get_credentials_page (window)), ==, "no-wallet");
  /* The empty state offers to create one, through win.create-wallet. */
  button = wallet_test_find (GTK_WIDGET (window), GTK_TYPE_BUTTON, "create_button");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.create-wallet");
  shoot (GTK_WINDOW (window), "create-start");

  dialog = wallet_create_dialog_new (GTK_WINDOW (window), wallet_window_get_store (window));
  g_signal_connect_object (dialog, "created", G_CALLBACK (wallet_window_refresh), window,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  wallet_create_dialog_set_kind (dialog, TSR_SA_SOFTWARE);
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Not hardware-backed"));

  /* Two different passphrases: refused at once, nothing written. */
  wallet_create_dialog_set_passphrase (dialog, WALLET_TEST_PASSPHRASE, "correct horse battery stapler");
  g_assert_false (wallet_create_dialog_create (dialog));
  g_assert_cmpstr (wallet_create_dialog_get_status (dialog), ==, "The two passphrases differ");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  wallet_create_dialog_set_passphrase (dialog, "", "");
  g_assert_false (wallet_create_dialog_create (dialog));
  g_assert_cmpstr (wallet_create_dialog_get_status (dialog), ==, "Choose a passphrase");

  wallet_create_dialog_set_passphrase (dialog, WALLET_TEST_PASSPHRASE, WALLET_TEST_PASSPHRASE);
  shoot (GTK_WINDOW (dialog), "create-software");
  g_object_ref (dialog);
  g_assert_true (wallet_create_dialog_create (dialog));
  g_assert_true (wallet_test_wait (dialog_idle, dialog, 30000));
  g_assert_cmpstr (wallet_create_dialog_get_status (dialog), ==, "The wallet is ready");
  g_object_unref (dialog);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The window opens it with the passphrase the dialog kept. */
  g_assert_true (wallet_test_wait (credentials_state_is_empty, window, 20000));
  g_assert_true (wallet_store_has_passphrase (wallet_window_get_store (window)));
  shoot (GTK_WINDOW (window), "add-empty");

  /* Creating over an existing wallet is refused in words. */
  dialog = wallet_create_dialog_new (GTK_WINDOW (window), wallet_window_get_store (window));
  g_object_ref_sink (dialog);
  wallet_create_dialog_set_kind (dialog, TSR_SA_SOFTWARE);
  wallet_create_dialog_set_passphrase (dialog, "x", "x");
  g_assert_true (wallet_create_dialog_create (dialog));
  g_assert_true (wallet_test_wait (dialog_idle, dialog, 30000));
  g_assert_cmpstr (wallet_create_dialog_get_status (dialog), ==, "There is already a wallet at that place");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_autofree char *sub = g_path_get_dirname (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* ---- Import ---- */

typedef struct {
  gboolean done;
  gint64 id;
  GError *error;
} ImportWait;

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ImportWait *w = user_data;

  w->id = wallet_window_import_finish (WALLET_WINDOW (source), result, &w->error);
  w->done = TRUE;
}

static gboolean
import_done (gpointer data)
{
  return ((ImportWait *) data)->done;
}

static gint64
import_file (WalletWindow *window,
             const char   *path,
             GError      **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ImportWait w = { 0 };

  wallet_window_import (window, file, NULL, on_imported, &w);
  g_assert_true (wallet_test_wait (import_done, &w, 30000));
  if (w.error != NULL)
    g_propagate_error (error, w.error);
  return w.id;
}

/* A new device key in @w's wallet, and @name in its directory: an mDL
 * issued to that key by tests/store/make-credential, not imported yet.
 * Returns the key's id. */
static gint64
issue_to_new_key (WalletTestWallet *w,
                  const char       *name)
{
  tsr_store_t *store = wallet_test_wallet_open (w);
  g_autoptr(GString) hex = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  guint8 *cose = NULL;
  size_t cose_len = 0;
  gint64 key_id = 0;
  int status = -1;

  g_assert_cmpint (tsr_store_create_key (store, NULL, &key_id, &cose, &cose_len), ==, TSR_OK);
  for (size_t i = 0; i < cose_len; i++)
    g_string_append_printf (hex, "%02x", cose[i]);
  tsr_free (cose);
  tsr_store_free (store);
  g_assert_nonnull (g_getenv ("WALLET_TEST_MAKE_CREDENTIAL"));
  g_ptr_array_add (argv, g_strdup (g_getenv ("WALLET_TEST_MAKE_CREDENTIAL")));
  g_ptr_array_add (argv, g_strdup (wallet_test_data_dir ()));
  g_ptr_array_add (argv, g_strdup (hex->str));
  g_ptr_array_add (argv, g_build_filename (w->dir, name, NULL));
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  return key_id;
}

/* An empty test wallet with one device key, and cred-0.cbor for it. */
static WalletTestWallet *
wallet_with_key (void)
{
  WalletTestWallet *w = wallet_test_wallet_new (0);

  w->key_id = issue_to_new_key (w, "cred-0.cbor");
  return w;
}

/* A copy of @src with the first "Doe" (an element value) turned into "Dow". */
static char *
tampered_copy (const char *dir,
               const char *src)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  char *out = g_build_filename (dir, "tampered.cbor", NULL);
  gsize len = 0;
  char *p;

  g_assert_true (g_file_get_contents (src, &data, &len, &error));
  p = memmem (data, len, "Doe", 3);
  g_assert_nonnull (p);
  p[2] = 'w';
  g_assert_true (g_file_set_contents (out, data, (gssize) len, &error));
  return out;
}

static gboolean
list_has_one (gpointer data)
{
  GListModel *model = wallet_credentials_page_get_model (wallet_window_get_credentials_page (data));
  return model != NULL && g_list_model_get_n_items (model) == 1;
}

static void
test_import (void)
{
  g_autoptr(WalletTestWallet) w = wallet_with_key ();
  g_autoptr(WalletTestWallet) other = wallet_test_wallet_new (1);
  g_autofree char *good = g_build_filename (w->dir, "cred-0.cbor", NULL);
  g_autofree char *foreign = g_build_filename (other->dir, "cred-0.cbor", NULL);
  g_autofree char *bad = tampered_copy (w->dir, good);
  g_autofree char *junk = g_build_filename (w->dir, "junk.cbor", NULL);
  g_autofree char *missing = g_build_filename (w->dir, "missing.cbor", NULL);
  WalletWindow *window = window_for_path (w->path, TRUE);
  g_autoptr(GError) error = NULL;
  gint64 id;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_state_is_empty, window, 20000));

  /* A tampered credential: refused, the reason named, in the toast. */
  id = import_file (window, bad, &error);
  g_assert_cmpint (id, ==, -1);
  g_assert_error (error, WALLET_ERROR, TSR_ERR_VERIFY);
  g_assert_nonnull (strstr (error->message, "Refused, the credential does not verify: digest_mismatch"));
  g_assert_cmpstr (wallet_window_get_last_toast (window), ==, error->message);
  g_clear_error (&error);

  /* Not a credential at all; a file that is not there. */
  g_assert_true (g_file_set_contents (junk, "hello", -1, NULL));
  g_assert_cmpint (import_file (window, junk, &error), ==, -1);
  g_assert_nonnull (strstr (wallet_window_get_last_toast (window), "Not a credential file"));
  g_clear_error (&error);
  g_assert_cmpint (import_file (window, missing, &error), ==, -1);
  g_assert_cmpstr (wallet_window_get_last_toast (window), ==, "Cannot read missing.cbor");
  g_clear_error (&error);

  /* One issued to another wallet's key. */
  g_assert_cmpint (import_file (window, foreign, &error), ==, -1);
  g_assert_error (error, WALLET_ERROR, TSR_ERR_STORE_FOREIGN_KEY);
  g_assert_cmpstr (wallet_window_get_last_toast (window), ==,
                   "This credential was issued to a key of another wallet");
  g_clear_error (&error);

  /* The genuine one: added, the list shows it. */
  id = import_file (window, good, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpstr (wallet_window_get_last_toast (window), ==, "Credential added");
  g_assert_true (wallet_test_wait (list_has_one, window, 20000));

  /* Again: a duplicate, said so. */
  g_assert_cmpint (import_file (window, good, &error), ==, -1);
  g_assert_error (error, WALLET_ERROR, TSR_ERR_STORE_DUPLICATE);
  g_assert_cmpstr (wallet_window_get_last_toast (window), ==, "This credential is already in the wallet");
  g_clear_error (&error);

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (bad);
  g_unlink (junk);
}

static gboolean
list_has_two (gpointer data)
{
  GListModel *model = wallet_credentials_page_get_model (wallet_window_get_credentials_page (data));
  return model != NULL && g_list_model_get_n_items (model) == 2;
}

/* A batch (a CBOR array of credentials, as `tessera-issuer issue --batch`
 * writes): all added, or none when one is bad. */
static void
test_import_batch (void)
{
  g_autoptr(WalletTestWallet) w = wallet_with_key ();
  g_autofree char *first = g_build_filename (w->dir, "cred-0.cbor", NULL);
  g_autofree char *second = g_build_filename (w->dir, "cred-1.cbor", NULL);
  g_autofree char *bad = NULL;
  g_autofree char *batch = g_build_filename (w->dir, "batch.cbor", NULL);
  g_autofree char *bad_batch = g_build_filename (w->dir, "bad-batch.cbor", NULL);
  g_autoptr(GError) error = NULL;
  WalletWindow *window;
  gint64 id;

  issue_to_new_key (w, "cred-1.cbor");
  bad = tampered_copy (w->dir, second);
  const char *parts[2][2] = { { first, second }, { first, bad } };
  for (guint b = 0; b < 2; b++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();
      guint8 head = 0x82; /* array of 2 */

      g_byte_array_append (data, &head, 1);
      for (guint i = 0; i < 2; i++)
        {
          g_autofree char *bytes = NULL;
          gsize len = 0;

          g_assert_true (g_file_get_contents (parts[b][i], &bytes, &len, NULL));
          g_byte_array_append (data, (guint8 *) bytes, (guint) len);
        }
      g_assert_true (g_file_set_contents (b == 0 ? batch : bad_batch, (char *) data->data,
                                          data->len, NULL));
    }

  window = window_for_path (w->path, TRUE);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_state_is_empty, window, 20000));

  /* The second tampered: nothing added, the culprit named. */
  g_assert_cmpint (import_file (window, bad_batch, &error), ==, -1);
  g_assert_error (error, WALLET_ERROR, TSR_ERR_VERIFY);
  g_assert_true (g_str_has_prefix (wallet_window_get_last_toast (window),
                                   "Credential 2 of the batch: Refused, the credential does not verify: digest_mismatch"));
  g_clear_error (&error);
  g_assert_true (wallet_test_wait (credentials_state_is_empty, window, 20000));

  id = import_file (window, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpstr (wallet_window_get_last_toast (window), ==, "2 credentials added");
  g_assert_true (wallet_test_wait (list_has_two, window, 20000));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
toast_is (gpointer data)
{
  WalletWindow *window = data;
  const char *expected = g_object_get_data (G_OBJECT (window), "expected-toast");

  return g_strcmp0 (wallet_window_get_last_toast (window), expected) == 0;
}

/* Dropping a file on the credentials page runs the same import. */
static void
test_drop (void)
{
  g_autoptr(WalletTestWallet) w = wallet_with_key ();
  g_autofree char *good = g_build_filename (w->dir, "cred-0.cbor", NULL);
  g_autofree char *bad = tampered_copy (w->dir, good);
  g_autoptr(GFile) good_file = g_file_new_for_path (good);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  WalletWindow *window = window_for_path (w->path, TRUE);
  WalletCredentialsPage *page = wallet_window_get_credentials_page (window);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_state_is_empty, window, 20000));
  g_object_set_data_full (G_OBJECT (window), "expected-toast",
                          g_strdup ("Refused, the credential does not verify: digest_mismatch "
                                    "(a data element does not match its signed digest)"), g_free);
  wallet_credentials_page_drop_file (page, bad_file);
  if (!wallet_test_wait (toast_is, window, 30000))
    g_error ("toast: %s", wallet_window_get_last_toast (window));
  g_object_set_data_full (G_OBJECT (window), "expected-toast", g_strdup ("Credential added"), g_free);
  wallet_credentials_page_drop_file (page, good_file);
  g_assert_true (wallet_test_wait (toast_is, window, 30000));
  g_assert_true (wallet_test_wait (list_has_one, window, 20000));
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (bad);
}

/* ---- Provisioning ---- */

typedef struct {
  WalletProvisionDialog *dialog;
  WalletStep step;
} StepWait;

static gboolean
step_settled (gpointer data)
{
  StepWait *s = data;
  return wallet_provision_dialog_get_state (s->dialog, s->step) != WALLET_STEP_BUSY;
}

static void
wait_step (WalletProvisionDialog *dialog,
           WalletStep             step)
{
  StepWait s = { dialog, step };

  g_assert_true (wallet_test_wait (step_settled, &s, 60000));
}

static void
test_provision_software (void)
{
  g_autoptr(WalletTestWallet) w = wallet_with_key ();
  g_autofree char *good = g_build_filename (w->dir, "cred-0.cbor", NULL);
  g_autofree char *req = g_build_filename (w->dir, "request.cbor", NULL);
  g_autofree char *resp = g_build_filename (w->dir, "response.cbor", NULL);
  g_autoptr(GFile) req_file = g_file_new_for_path (req);
  g_autoptr(GFile) resp_file = g_file_new_for_path (resp);
  g_autoptr(GFile) good_file = g_file_new_for_path (good);
  WalletWindow *window = window_for_path (w->path, TRUE);
  WalletProvisionDialog *dialog = g_object_ref_sink (wallet_provision_dialog_new (window));

  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_REQUEST), ==, WALLET_STEP_READY);
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CHALLENGE), ==, WALLET_STEP_WAITING);
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CREDENTIAL), ==, WALLET_STEP_WAITING);

  /* A software wallet cannot prove where its keys are. */
  wallet_provision_dialog_create_request (dialog, req_file);
  wait_step (dialog, WALLET_STEP_REQUEST);
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_REQUEST), ==, WALLET_STEP_FAILED);
  g_assert_cmpstr (wallet_provision_dialog_get_status (dialog, WALLET_STEP_REQUEST), ==,
                   "Attested provisioning needs a wallet in a TPM 2.0; this wallet uses another secure area");
  g_assert_false (g_file_test (req, G_FILE_TEST_EXISTS));
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "needs a wallet in a TPM 2.0"));

  /* No request in flight: the challenge step says what to do first. */
  wallet_provision_dialog_respond (dialog, good_file, resp_file);
  wait_step (dialog, WALLET_STEP_CHALLENGE);
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CHALLENGE), ==, WALLET_STEP_FAILED);
  g_assert_cmpstr (wallet_provision_dialog_get_status (dialog, WALLET_STEP_CHALLENGE), ==,
                   "No key request is waiting for a challenge; create a key request first");
  g_assert_false (g_file_test (resp, G_FILE_TEST_EXISTS));

  /* The last step is the same import as the others. */
  wallet_provision_dialog_import (dialog, good_file);
  wait_step (dialog, WALLET_STEP_CREDENTIAL);
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CREDENTIAL), ==, WALLET_STEP_DONE);
  g_assert_cmpstr (wallet_provision_dialog_get_status (dialog, WALLET_STEP_CREDENTIAL), ==,
                   "The credential is in your wallet");
  shoot (GTK_WINDOW (dialog), "add-provision-refused");

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Runs tessera-issuer with @args (NULL-terminated); aborts when it fails. */
static void
run_issuer (const char *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  const char *arg;
  int status = -1;
  va_list ap;

  g_ptr_array_add (argv, g_strdup (g_getenv ("WALLET_TEST_TESSERA_ISSUER")));
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("tessera-issuer %s: %s", first, err);
}

static gboolean
unlock_dialog_open (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) o = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (o) && gtk_widget_get_visible (GTK_WIDGET (o)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (o)), "Unlock Wallet") == 0)
        {
          *(AdwMessageDialog **) data = ADW_MESSAGE_DIALOG (o);
          return TRUE;
        }
    }
  return FALSE;
}

/* Answers the window's unlock dialog, which says @body, with @secret. */
static void
answer_unlock (WalletWindow *window,
               const char   *secret,
               const char   *body)
{
  AdwMessageDialog *dialog = NULL;
  GtkWidget *entry;

  g_assert_true (wallet_test_wait (unlock_dialog_open, &dialog, 20000));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, body);
  entry = wallet_test_find (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW, "Passphrase or PIN");
  gtk_editable_set_text (GTK_EDITABLE (entry), secret);
  /* What a click on Unlock does: the response, then the dialog goes. */
  adw_message_dialog_response (dialog, "unlock");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Signs with the wallet's only key, with @pin (NULL: none). */
static int
sign_with_key (WalletWindow *window,
               const char   *pin)
{
  static const guint8 msg[] = "tessera";
  WalletStore *store = wallet_window_get_store (window);
  g_autoptr(GError) error = NULL;
  tsr_store_t *ts = wallet_store_acquire (store, TRUE, &error);
  tsr_store_list_t *list = NULL;
  tsr_secure_area_t *sa = NULL;
  guint8 *ref = NULL, sig[64];
  size_t ref_len = 0;
  int r;

  g_assert_no_error (error);
  g_assert_cmpint (tsr_store_list (ts, &list), ==, TSR_OK);
  g_assert_cmpuint (tsr_store_list_count (list), ==, 1);
  g_assert_cmpint (tsr_store_key_get (ts, tsr_store_list_get (list, 0)->key_id, &ref, &ref_len,
                                      NULL, NULL), ==, TSR_OK);
  g_assert_cmpint (tsr_store_secure_area (ts, &sa), ==, TSR_OK);
  r = tsr_secure_area_sign (sa, ref, ref_len, pin, msg, sizeof msg, sig);
  tsr_free (ref);
  tsr_store_list_free (list);
  wallet_store_release (store);
  return r;
}

/* @data: the PIN given in the create dialog, or NULL for none. */
static void
test_provision_swtpm (gconstpointer data)
{
  const char *pin = data;
  const char *issuer = g_getenv ("WALLET_TEST_TESSERA_ISSUER");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *path = NULL, *ca_dir = NULL;
  g_autofree char *req = NULL, *chal = NULL, *pend = NULL, *resp = NULL, *ca = NULL;
  g_autoptr(GFile) req_file = NULL;
  g_autoptr(GFile) chal_file = NULL;
  g_autoptr(GFile) resp_file = NULL;
  g_autoptr(GFile) cred_file = NULL;
  g_autofree char *pki = NULL, *cred = NULL, *claims = NULL;
  tsr_test_swtpm_t *tpm;
  WalletWindow *window;
  WalletCreateDialog *create;
  WalletProvisionDialog *dialog;
  GStatBuf st;

  if (!tsr_test_swtpm_available () || issuer == NULL ||
      g_getenv ("WALLET_TEST_ISSUER_EXAMPLES") == NULL)
    {
      g_test_skip ("swtpm or tessera-issuer is not available");
      return;
    }
  dir = g_dir_make_tmp ("tsr-gui-tpm-XXXXXX", &error);
  g_assert_no_error (error);
  ca_dir = tsr_test_swtpm_ca_dir_new ();
  tpm = tsr_test_swtpm_new (ca_dir);
  path = g_build_filename (dir, "wallet.db", NULL);
  window = window_for_path (path, FALSE);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_loaded, window, 20000));

  /* Step 0: a TPM wallet, created from the dialog. */
  g_setenv ("TESSERA_TCTI", tsr_test_swtpm_tcti (tpm), TRUE);
  create = g_object_ref_sink (wallet_create_dialog_new (GTK_WINDOW (window),
                                                        wallet_window_get_store (window)));
  g_assert_cmpint (wallet_create_dialog_get_kind (create), ==, TSR_SA_TPM2);
  if (pin != NULL)
    {
      wallet_create_dialog_set_tpm_pin (create, pin, "1111");
      g_assert_false (wallet_create_dialog_create (create));
      g_assert_cmpstr (wallet_create_dialog_get_status (create), ==, "The two PINs differ");
      wallet_create_dialog_set_tpm_pin (create, pin, pin);
    }
  g_assert_true (wallet_create_dialog_create (create));
  g_assert_true (wallet_test_wait (dialog_idle, create, 60000));
  g_assert_cmpstr (wallet_create_dialog_get_status (create), ==, "The wallet is ready");
  gtk_window_destroy (GTK_WINDOW (create));
  g_object_unref (create);

  dialog = g_object_ref_sink (wallet_provision_dialog_new (window));
  gtk_window_present (GTK_WINDOW (dialog));

  /* Step 1: the key request, saved 0600. */
  req = g_build_filename (dir, "request.cbor", NULL);
  req_file = g_file_new_for_path (req);
  wallet_provision_dialog_create_request (dialog, req_file);
  wait_step (dialog, WALLET_STEP_REQUEST);
  g_assert_cmpstr (wallet_provision_dialog_get_status (dialog, WALLET_STEP_REQUEST), ==,
                   "Saved as request.cbor. Give it to the issuer.");
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_REQUEST), ==, WALLET_STEP_DONE);
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CHALLENGE), ==, WALLET_STEP_READY);
  g_assert_cmpint (g_stat (req, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The issuer's challenge, from tessera-issuer. */
  chal = g_build_filename (dir, "challenge.cbor", NULL);
  pend = g_build_filename (dir, "pending.cbor", NULL);
  ca = g_strdup (tsr_test_swtpm_ca_root (tpm));
  run_issuer ("challenge", "--request", req, "--tpm-ca", ca,
              "--tpm-ca", tsr_test_swtpm_ca_issuer (tpm),
              "--out", chal, "--pending", pend, NULL);

  /* Step 2: the response, saved 0600. */
  resp = g_build_filename (dir, "response.cbor", NULL);
  chal_file = g_file_new_for_path (chal);
  resp_file = g_file_new_for_path (resp);
  if (pin != NULL)
    {
      /* As after a restart: the PIN is not kept, so the step asks for it
       * and checks it on the key in flight; a wrong one is asked again. */
      wallet_store_set_passphrase (wallet_window_get_store (window), NULL);
      wallet_provision_dialog_respond (dialog, chal_file, resp_file);
      answer_unlock (window, "0000", "Enter the PIN of your keys in the TPM.");
      answer_unlock (window, pin, "That was not right. Enter the passphrase or PIN again.");
    }
  else
    wallet_provision_dialog_respond (dialog, chal_file, resp_file);
  wait_step (dialog, WALLET_STEP_CHALLENGE);
  g_assert_cmpstr (wallet_provision_dialog_get_status (dialog, WALLET_STEP_CHALLENGE), ==,
                   "Answered; the response is saved as response.cbor. Give it to the issuer.");
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CREDENTIAL), ==, WALLET_STEP_READY);
  g_assert_cmpint (g_stat (resp, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Step 3: the issuer checks the response and issues to the attested
   * key; the credential is imported. */
  pki = g_build_filename (dir, "pki", NULL);
  cred = g_build_filename (dir, "av.cbor", NULL);
  claims = g_build_filename (g_getenv ("WALLET_TEST_ISSUER_EXAMPLES"), "av.json", NULL);
  run_issuer ("init", "--out", pki, NULL);
  run_issuer ("issue", "--pki", pki, "--doctype", "eu.europa.ec.av.1", "--claims", claims,
              "--device-key", resp, "--pending", pend, "--out", cred, "--require-attestation",
              NULL);
  cred_file = g_file_new_for_path (cred);
  wallet_provision_dialog_import (dialog, cred_file);
  wait_step (dialog, WALLET_STEP_CREDENTIAL);
  g_assert_cmpstr (wallet_provision_dialog_get_status (dialog, WALLET_STEP_CREDENTIAL), ==,
                   "The credential is in your wallet");
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CREDENTIAL), ==, WALLET_STEP_DONE);
  g_assert_true (wallet_test_wait (list_has_one, window, 20000));
  {
    GListModel *model = wallet_credentials_page_get_model (wallet_window_get_credentials_page (window));
    g_autoptr(WalletCredential) c = g_list_model_get_item (model, 0);

    g_assert_cmpint (wallet_credential_get_key_storage (c), ==, TSR_SA_TPM2);
    g_assert_true (wallet_credential_get_key_attested (c));
  }
  g_assert_true (wallet_test_shows (GTK_WIDGET (window), "TPM 2.0 (attested)"));
  /* The key got the PIN from the create dialog (its authValue), and
   * TPM2_Certify used it. */
  g_assert_true (wallet_store_get_keys_have_pin (wallet_window_get_store (window)) == (pin != NULL));
  if (pin != NULL)
    {
      g_assert_cmpint (sign_with_key (window, NULL), ==, TSR_ERR_SA_PIN_REQUIRED);
      g_assert_cmpint (sign_with_key (window, pin), ==, TSR_OK);
    }
  else
    {
      g_assert_cmpint (sign_with_key (window, NULL), ==, TSR_OK);
      shoot (GTK_WINDOW (dialog), "add-provision");
    }

  /* A replayed challenge finds no request in flight. */
  wallet_provision_dialog_respond (dialog, chal_file, resp_file);
  wait_step (dialog, WALLET_STEP_CHALLENGE);
  g_assert_cmpint (wallet_provision_dialog_get_state (dialog, WALLET_STEP_CHALLENGE), ==, WALLET_STEP_FAILED);

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("TESSERA_TCTI");
  tsr_test_swtpm_free (tpm);
  tsr_test_rmrf (ca_dir);
  tsr_test_rmrf (dir);
}

int
main (int   argc,
      char *argv[])
{
  wallet_test_init (&argc, &argv);

  g_test_add_func ("/wallet/add/create-software", test_create_software);
  g_test_add_func ("/wallet/add/import", test_import);
  g_test_add_func ("/wallet/add/import-batch", test_import_batch);
  g_test_add_func ("/wallet/add/drop", test_drop);
  g_test_add_func ("/wallet/add/provision-software-refused", test_provision_software);
  g_test_add_data_func ("/wallet/add/provision-swtpm", NULL, test_provision_swtpm);
  g_test_add_data_func ("/wallet/add/provision-swtpm-pin", "2468", test_provision_swtpm);
  return g_test_run ();
}
