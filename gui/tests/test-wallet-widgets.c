/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Widget tests: the credentials list, the detail page (and delete), the
 * consent sheet (its switches decide exactly what the response discloses),
 * the history. Each runs the app's real code on a software test wallet. */

#include <glib/gi18n-lib.h>
#include <string.h>

#include "test-support.h"
#include "wallet-consent-dialog.h"
#include "wallet-labels.h"
#include "wallet-preferences-window.h"
#include "wallet-store.h"
#include "wallet-test-support.h"
#include "wallet-window.h"

#define MDL "org.iso.18013.5.1.mDL"
#define NS "org.iso.18013.5.1"

static WalletWindow *
window_for (WalletTestWallet *w,
            gboolean          with_passphrase)
{
  g_autoptr(WalletStore) store = wallet_store_new (w->path);
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
credentials_empty (gpointer data)
{
  const char *state = wallet_credentials_page_get_state (wallet_window_get_credentials_page (data));
  return g_strcmp0 (state, "empty") == 0;
}

static gboolean
detail_loaded (gpointer data)
{
  return g_strcmp0 (wallet_detail_page_get_state (wallet_window_get_detail_page (data)),
                    "loading") != 0;
}

static gboolean
history_loaded (gpointer data)
{
  return g_strcmp0 (wallet_history_page_get_state (wallet_window_get_history_page (data)),
                    "loading") != 0;
}

static void
test_labels_ja (void)
{
  static const guint8 yes[] = { 0xf5 };
  static const guint8 no[] = { 0xf4 };
  g_autofree char *ja1 = NULL, *ja2 = NULL;

  if (!g_test_subprocess ())
    return;
  g_setenv ("LANGUAGE", "ja", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("WALLET_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  ja1 = wallet_element_statement (NS, "age_over_18", yes, sizeof yes);
  ja2 = wallet_element_statement (NS, "age_over_65", no, sizeof no);
  g_assert_cmpstr (ja1, ==, "18 歳以上: はい");
  g_assert_cmpstr (ja2, ==, "65 歳以上: いいえ");
}

static void
test_labels (void)
{
  /* CBOR: "Doe", 1004("2019-10-20"), true, 2 */
  static const guint8 doe[] = { 0x63, 'D', 'o', 'e' };
  static const guint8 date[] = { 0xd9, 0x03, 0xec, 0x6a, '2', '0', '1', '9', '-', '1', '0', '-', '2', '0' };
  static const guint8 yes[] = { 0xf5 };
  static const guint8 two[] = { 0x02 };
  g_autofree char *l1 = wallet_element_label (NS, "family_name");
  g_autofree char *l2 = wallet_element_label (NS, "age_over_18");
  g_autofree char *l3 = wallet_element_label (NS, "document_number");
  g_autofree char *l4 = wallet_element_label ("x", "no_such_element");
  g_autofree char *v1 = wallet_value_format ("family_name", doe, sizeof doe, NULL);
  g_autofree char *v2 = wallet_value_format ("birth_date", date, sizeof date, NULL);
  g_autofree char *v3 = wallet_value_format ("age_over_18", yes, sizeof yes, NULL);
  g_autofree char *v4 = wallet_value_format ("sex", two, sizeof two, NULL);
  static const guint8 no[] = { 0xf4 };
  g_autofree char *s1 = wallet_element_statement (NS, "age_over_18", yes, sizeof yes);
  g_autofree char *s2 = wallet_element_statement (NS, "age_over_65", no, sizeof no);
  g_autofree char *s3 = wallet_element_statement (NS, "birth_date", date, sizeof date);
  g_autofree char *name = wallet_person_name ("John", "Doe");
  g_autofree char *cn = wallet_subject_name ("C=US, O=Test, CN=Reader One");

  g_assert_cmpstr (l1, ==, "Family name");
  g_assert_cmpstr (l2, ==, "Over 18");
  g_assert_cmpstr (l3, ==, "Licence number");
  g_assert_cmpstr (l4, ==, "no_such_element");
  g_assert_cmpstr (wallet_doctype_label (MDL), ==, "Mobile driving licence");
  g_assert_cmpstr (v1, ==, "Doe");
  g_assert_cmpstr (v2, ==, "20 October 2019");
  g_assert_cmpstr (v3, ==, "Yes");
  g_assert_cmpstr (v4, ==, "Female");
  g_assert_cmpstr (s1, ==, "Over 18: Yes");
  g_assert_cmpstr (s2, ==, "Over 65: No");
  g_assert_cmpstr (s3, ==, "Date of birth: 20 October 2019");
  g_assert_true (wallet_value_is_boolean (yes, 1));
  g_assert_true (wallet_value_is_boolean (no, 1));
  g_assert_false (wallet_value_is_boolean (two, 1));

  /* The same in Japanese, from the built catalogue, in a child process
   * (gettext caches translations across a change of LANGUAGE). */
  if (g_getenv ("WALLET_TEST_LOCALEDIR") != NULL)
    {
      g_test_trap_subprocess ("/wallet/labels/ja", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }
  g_assert_cmpstr (name, ==, "John Doe");
  g_assert_cmpstr (cn, ==, "Reader One");
  g_assert_cmpint (wallet_validity_at (100, 0, 1000000000), ==, WALLET_VALIDITY_VALID);
  g_assert_cmpint (wallet_validity_at (100, 0, 200), ==, WALLET_VALIDITY_EXPIRES_SOON);
  g_assert_cmpint (wallet_validity_at (300, 0, 200), ==, WALLET_VALIDITY_EXPIRED);
  g_assert_cmpint (wallet_validity_at (100, 200, 300), ==, WALLET_VALIDITY_NOT_YET_VALID);
}

static void
test_list (void)
{
  g_autoptr(WalletTestWallet) w = wallet_test_wallet_new (1);
  WalletWindow *window = window_for (w, TRUE);
  WalletCredentialsPage *page = wallet_window_get_credentials_page (window);
  GListModel *model;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_loaded, window, 20000));
  g_assert_cmpstr (wallet_credentials_page_get_state (page), ==, "list");
  model = wallet_credentials_page_get_model (page);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  wallet_test_spin (100);
  {
    g_autoptr(WalletCredential) c = g_list_model_get_item (model, 0);
    g_test_message ("holder name: %s", wallet_credential_get_holder_name (c));
  }
  /* The card: human docType, holder, issuer, state, key storage. */
  g_assert_true (wallet_test_shows (GTK_WIDGET (page), "Mobile driving licence"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (page), "Doe"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (page), "Issued by Tessera Test Store DS"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (page), "Valid"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (page), "Software (not hardware-backed)"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_list_locked_and_empty (void)
{
  g_autoptr(WalletTestWallet) w = wallet_test_wallet_new (1);
  g_autoptr(WalletTestWallet) empty = wallet_test_wallet_new (0);
  WalletWindow *locked = window_for (w, FALSE);
  WalletWindow *none = window_for (empty, TRUE);
  g_autoptr(WalletStore) missing_store = wallet_store_new ("/nonexistent/tessera/wallet.db");
  g_autoptr(GSettings) settings = g_settings_new ("org.tessera.Wallet");
  WalletWindow *missing = wallet_window_new_full (NULL, missing_store, settings);

  /* Listing works on a locked wallet: no holder name, and the history says locked. */
  g_assert_true (wallet_test_wait (credentials_loaded, locked, 20000));
  g_assert_cmpstr (wallet_credentials_page_get_state (wallet_window_get_credentials_page (locked)), ==, "list");
  g_assert_cmpstr (wallet_history_page_get_state (wallet_window_get_history_page (locked)), ==, "locked");
  g_assert_true (wallet_test_wait (credentials_loaded, none, 20000));
  g_assert_cmpstr (wallet_credentials_page_get_state (wallet_window_get_credentials_page (none)), ==, "empty");
  g_assert_true (wallet_test_wait (credentials_loaded, missing, 20000));
  g_assert_cmpstr (wallet_credentials_page_get_state (wallet_window_get_credentials_page (missing)), ==, "no-wallet");
  gtk_window_destroy (GTK_WINDOW (locked));
  gtk_window_destroy (GTK_WINDOW (none));
  gtk_window_destroy (GTK_WINDOW (missing));
}

typedef struct {
  GtkWindow *parent;
} DialogWait;

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

static void
test_detail_and_delete (void)
{
  g_autoptr(WalletTestWallet) w = wallet_test_wallet_new (1);
  WalletWindow *window = window_for (w, TRUE);
  WalletDetailPage *detail = wallet_window_get_detail_page (window);
  AdwMessageDialog *dialog = NULL;
  GtkWidget *row;
  GListModel *model;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_loaded, window, 20000));
  model = wallet_credentials_page_get_model (wallet_window_get_credentials_page (window));
  {
    g_autoptr(WalletCredential) c = g_list_model_get_item (model, 0);
    wallet_window_show_credential (window, c);
  }
  g_assert_true (wallet_test_wait (detail_loaded, window, 20000));
  g_assert_cmpstr (wallet_detail_page_get_state (detail), ==, "loaded");

  /* Human labels and formatted values. */
  row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "Family name");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Doe");
  row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "Licence number");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "123456789");
  row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "Date of issue");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "20 October 2019");
  row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "Driving privileges");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "A (9 August 2018 – 20 October 2024)\nB (23 February 2017 – 20 October 2024)");
  row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "Issuer");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "C=US, CN=Tessera Test Store DS");
  g_assert_nonnull (gtk_image_get_paintable (GTK_IMAGE (wallet_test_find (GTK_WIDGET (detail), 0, "portrait"))));

  /* The issuer certificate summary, from the credential's x5chain. */
  {
    static const char *const cert_rows[][2] = {
      { "Document signer", "C=US, CN=Tessera Test Store DS" },
      { "Issuing authority (IACA)", "C=US, CN=Tessera Test Store IACA" },
      { "Country", "US" },
      { "Serial number", "66:5D:90:98:14:BE:0F:06:C5:AB:B1:BE:D0:C9:62:1C:CC:57:C1:BB" },
      { "Certificate valid", "1 January 2025 – 1 January 2050" },
      { "Key", "EC P-256 · ECDSA with SHA-256" },
    };

    g_assert_nonnull (wallet_test_find (GTK_WIDGET (detail), GTK_TYPE_LABEL, "Issuer Certificate"));
    for (guint i = 0; i < G_N_ELEMENTS (cert_rows); i++)
      {
        row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, cert_rows[i][0]);
        g_assert_nonnull (row);
        g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, cert_rows[i][1]);
      }
  }

  /* Delete, confirmed in the message dialog. */
  wallet_detail_page_delete (detail);
  g_assert_true (wallet_test_wait (message_dialog_open, &dialog, 5000));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete Credential?");
  adw_message_dialog_response (dialog, "delete");
  g_assert_true (wallet_test_wait (credentials_empty, window, 20000));
  g_assert_cmpstr (wallet_credentials_page_get_state (wallet_window_get_credentials_page (window)), ==, "empty");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Preferences: changing the passphrase ---- */

static gboolean
prefs_idle (gpointer data)
{
  return !wallet_preferences_window_get_busy (data) &&
         wallet_preferences_window_get_last_toast (data) != NULL;
}

static gboolean
pin_row_shown (gpointer data)
{
  GtkWidget *row = wallet_test_find (data, ADW_TYPE_ACTION_ROW, "Passphrase");
  return row != NULL && gtk_widget_get_visible (row);
}

/* Fills the change dialog and answers it; returns the toast shown. */
static const char *
change_passphrase (WalletPreferencesWindow *prefs,
                   const char              *old_secret,
                   const char              *new_secret,
                   const char              *repeat)
{
  AdwMessageDialog *dialog = NULL;

  wallet_preferences_window_change_pin (prefs);
  g_assert_true (wallet_test_wait (message_dialog_open, &dialog, 5000));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Change Passphrase");
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "Current passphrase")), old_secret);
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "New passphrase")), new_secret);
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "Repeat new passphrase")), repeat);
  adw_message_dialog_response (dialog, "change");
  g_assert_true (wallet_test_wait (prefs_idle, prefs, 20000));
  wallet_test_spin (100);
  return wallet_preferences_window_get_last_toast (prefs);
}

static void
test_change_passphrase (void)
{
  g_autoptr(WalletTestWallet) w = wallet_test_wallet_new (1);
  WalletWindow *window = window_for (w, TRUE);
  WalletPreferencesWindow *prefs;
  tsr_store_options_t options = { 0 };
  tsr_store_t *store = NULL;
  GtkWidget *button;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_loaded, window, 20000));
  prefs = wallet_preferences_window_new (GTK_WINDOW (window), wallet_window_get_store (window),
                                         wallet_window_get_settings (window));
  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (wallet_test_wait (pin_row_shown, prefs, 20000));
  button = wallet_test_find (GTK_WIDGET (prefs), GTK_TYPE_BUTTON, "_Change…");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));

  g_assert_cmpstr (change_passphrase (prefs, "not the passphrase", "new one", "new one"), ==,
                   "The current passphrase or PIN is wrong");
  g_assert_cmpstr (change_passphrase (prefs, WALLET_TEST_PASSPHRASE, "new one", "new 1"), ==,
                   "The new PINs do not match");
  g_assert_cmpstr (change_passphrase (prefs, WALLET_TEST_PASSPHRASE, "new one", "new one"), ==,
                   "Passphrase changed");
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (window));
  wallet_test_spin (200);

  /* The file now opens with the new passphrase only. */
  options.secret = tsr_test_secret_cb;
  options.secret_user = (gpointer) (guintptr) "new one";
  g_assert_cmpint (tsr_store_open (w->path, &options, &store), ==, TSR_OK);
  g_assert_cmpint (tsr_store_unlock (store), ==, TSR_OK);
  tsr_store_free (store);
  options.secret_user = (gpointer) (guintptr) WALLET_TEST_PASSPHRASE;
  g_assert_cmpint (tsr_store_open (w->path, &options, &store), ==, TSR_OK);
  g_assert_cmpint (tsr_store_unlock (store), ==, TSR_ERR_SA_PIN_INCORRECT);
  tsr_store_free (store);
}

/* ---- Consent sheet ---- */

typedef struct {
  WalletTestWallet *wallet;
  tsr_store_t *store;
  tsr_holder_session_t *hs;
  tsr_reader_session_t *rs;
  tsr_presentation_t *p;
  tsr_device_key_t *key;
  guint8 *issuer_signed;
  size_t issuer_signed_len;
} ConsentFixture;

static guint8 *
read_data (const char *sub,
           const char *name,
           gsize      *len)
{
  g_autofree char *path = g_build_filename (wallet_test_data_dir (), sub, name, NULL);
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, len, NULL));
  return (guint8 *) data;
}

static void
consent_setup (ConsentFixture *f,
               gboolean        reader_auth)
{
  tsr_request_builder_t *b = NULL;
  tsr_store_list_t *list = NULL;
  tsr_store_credential_t *cred = NULL;
  char *uri = NULL;
  guint8 *request = NULL, *msg = NULL, *received = NULL;
  size_t request_len = 0, msg_len = 0, received_len = 0;
  const guint8 *transcript, *is;
  size_t transcript_len, is_len;

  memset (f, 0, sizeof *f);
  f->wallet = wallet_test_wallet_new (1);
  f->store = wallet_test_wallet_open (f->wallet);

  g_assert_cmpint (tsr_holder_session_new (NULL, &f->hs), ==, TSR_OK);
  g_assert_cmpint (tsr_holder_session_qr_uri (f->hs, &uri), ==, TSR_OK);
  g_assert_cmpint (tsr_reader_session_new (uri, &f->rs), ==, TSR_OK);
  tsr_free (uri);
  tsr_reader_session_transcript (f->rs, &transcript, &transcript_len);

  g_assert_cmpint (tsr_request_builder_new (&b), ==, TSR_OK);
  g_assert_cmpint (tsr_request_builder_add_template (b, "driving-licence"), ==, TSR_OK);
  g_assert_cmpint (tsr_request_builder_add_element (b, MDL, NS, "family_name", TRUE), ==, TSR_OK);
  g_assert_cmpint (tsr_request_builder_add_element (b, MDL, NS, "resident_city", FALSE), ==, TSR_OK);
  if (reader_auth)
    {
      gsize cert_len, key_len;
      g_autofree guint8 *cert = read_data ("reader", "reader.pem", &cert_len);
      g_autofree guint8 *key = read_data ("reader", "reader_key.pem", &key_len);

      g_assert_cmpint (tsr_request_builder_set_reader_auth (b, cert, cert_len, key, key_len), ==, TSR_OK);
    }
  g_assert_cmpint (tsr_request_builder_build (b, transcript, transcript_len, &request, &request_len), ==, TSR_OK);
  tsr_request_builder_free (b);
  g_assert_cmpint (tsr_reader_session_establish (f->rs, request, request_len, &msg, &msg_len), ==, TSR_OK);
  g_assert_cmpint (tsr_holder_session_establish (f->hs, msg, msg_len, &received, &received_len), ==, TSR_OK);
  g_assert_cmpint (tsr_holder_session_transcript (f->hs, &transcript, &transcript_len), ==, TSR_OK);
  g_assert_cmpint (tsr_presentation_new (received, received_len, transcript, transcript_len, &f->p), ==, TSR_OK);
  tsr_free (request);
  tsr_free (msg);
  tsr_free (received);

  g_assert_cmpint (tsr_store_list (f->store, &list), ==, TSR_OK);
  g_assert_cmpint (tsr_store_show (f->store, tsr_store_list_get (list, 0)->id, &cred), ==, TSR_OK);
  is = tsr_store_credential_issuer_signed (cred, &is_len);
  f->issuer_signed = g_memdup2 (is, is_len);
  f->issuer_signed_len = is_len;
  g_assert_cmpint (tsr_store_device_key (f->store, tsr_store_list_get (list, 0)->key_id, NULL, &f->key), ==, TSR_OK);
  tsr_store_credential_free (cred);
  tsr_store_list_free (list);
  g_assert_cmpint (tsr_presentation_add_credential (f->p, f->issuer_signed, f->issuer_signed_len, f->key, "1"), ==, TSR_OK);
  if (reader_auth)
    {
      gsize root_len;
      g_autofree guint8 *root = read_data ("reader", "reader_root.pem", &root_len);

      g_assert_cmpint (tsr_presentation_add_reader_root (f->p, root, root_len), ==, TSR_OK);
    }
  g_assert_cmpint (tsr_presentation_analyze (f->p), ==, TSR_OK);
}

static void
consent_teardown (ConsentFixture *f)
{
  tsr_presentation_free (f->p);
  tsr_device_key_free (f->key);
  g_free (f->issuer_signed);
  tsr_store_free (f->store);
  tsr_holder_session_free (f->hs);
  tsr_reader_session_free (f->rs);
  wallet_test_wallet_free (f->wallet);
}

static gssize
element_index (tsr_presentation_t *p,
               const char         *identifier)
{
  for (size_t e = 0; e < tsr_presentation_element_count (p, 0); e++)
    {
      tsr_requested_element_t el;

      if (tsr_presentation_element (p, 0, e, &el) == TSR_OK && g_str_equal (el.identifier, identifier))
        return (gssize) e;
    }
  return -1;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Answers, and returns the identifiers the reader verified (sorted, comma-separated). */
static char *
disclosed (ConsentFixture *f)
{
  guint8 *response = NULL, *msg = NULL, *back = NULL;
  size_t response_len = 0, msg_len = 0, back_len = 0;
  tsr_verifier_t *v = NULL;
  tsr_verify_result_t *result = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gsize iaca_len;
  g_autofree guint8 *iaca = read_data ("store", "iaca.pem", &iaca_len);
  char *joined;
  int r;

  g_assert_cmpint (tsr_presentation_respond (f->p, TSR_DEVICE_AUTH_MAC, &response, &response_len), ==, TSR_OK);
  g_assert_cmpint (tsr_holder_session_respond (f->hs, response, response_len, FALSE, &msg, &msg_len), ==, TSR_OK);
  g_assert_cmpint (tsr_reader_session_receive (f->rs, msg, msg_len, &back, &back_len, NULL), ==, TSR_OK);
  g_assert_cmpint (tsr_verifier_new (&v), ==, TSR_OK);
  g_assert_cmpint (tsr_verifier_add_trust_anchor (v, iaca, iaca_len), ==, TSR_OK);
  g_assert_cmpint (tsr_reader_session_prepare_verifier (f->rs, v), ==, TSR_OK);
  r = tsr_verifier_verify (v, back, back_len, &result);
  if (r == TSR_OK)
    {
      const tsr_verified_doc_t *doc = tsr_verify_result_doc (result, 0);

      for (size_t i = 0; i < tsr_verified_doc_element_count (doc); i++)
        {
          tsr_verified_element_t el;

          g_assert_cmpint (tsr_verified_doc_element (doc, i, &el), ==, TSR_OK);
          g_assert_true (el.verified);
          g_ptr_array_add (ids, g_strdup (el.identifier));
        }
    }
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  joined = r == TSR_OK ? g_strjoinv (",", (char **) ids->pdata) : g_strdup ("(no documents)");
  tsr_verify_result_free (result);
  tsr_verifier_free (v);
  tsr_free (response);
  tsr_free (msg);
  tsr_free (back);
  return joined;
}

static void
on_decided (WalletConsentDialog *dialog,
            gboolean             share,
            int                 *ret)
{
  *ret = share ? 1 : 0;
}

static void
test_consent_untrusted (void)
{
  ConsentFixture f;
  WalletConsentDialog *dialog;
  int decided = -1;
  gssize family, number, city;
  g_autofree char *shared = NULL;

  consent_setup (&f, FALSE);
  dialog = wallet_consent_dialog_new (NULL, f.p);
  g_signal_connect (dialog, "decided", G_CALLBACK (on_decided), &decided);
  gtk_window_present (GTK_WINDOW (dialog));
  wallet_test_spin (100);

  g_assert_cmpint (wallet_consent_dialog_get_trust (dialog), ==, TSR_READER_ANONYMOUS);
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Unidentified reader"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Mobile driving licence"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Will be stored by the reader"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Cannot Be Provided"));
  g_assert_true (gtk_widget_has_css_class (wallet_test_find (GTK_WIDGET (dialog), 0, "reader_banner"), "warning"));

  family = element_index (f.p, "family_name");
  number = element_index (f.p, "document_number");
  city = element_index (f.p, "resident_city");
  g_assert_cmpint (family, >=, 0);
  g_assert_cmpint (number, >=, 0);
  g_assert_cmpint (city, >=, 0);
  /* Not held: no switch. Untrusted reader: every switch starts off. */
  g_assert_null (wallet_consent_dialog_get_switch (dialog, 0, (gsize) city));
  for (size_t e = 0; e < tsr_presentation_element_count (f.p, 0); e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);
      if (sw != NULL)
        g_assert_false (gtk_switch_get_active (sw));
    }
  g_assert_false (gtk_widget_get_sensitive (wallet_test_find (GTK_WIDGET (dialog), 0, "share_button")));

  /* The holder turns on two switches: exactly those two are disclosed. */
  gtk_switch_set_active (wallet_consent_dialog_get_switch (dialog, 0, (gsize) family), TRUE);
  gtk_switch_set_active (wallet_consent_dialog_get_switch (dialog, 0, (gsize) number), TRUE);
  g_assert_true (gtk_widget_get_sensitive (wallet_test_find (GTK_WIDGET (dialog), 0, "share_button")));
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (dialog), 0, "share_button"), "clicked");
  g_assert_cmpint (decided, ==, 1);
  for (size_t e = 0; e < tsr_presentation_element_count (f.p, 0); e++)
    {
      tsr_requested_element_t el;

      g_assert_cmpint (tsr_presentation_element (f.p, 0, e, &el), ==, TSR_OK);
      g_assert_cmpint (el.consented, ==, (gssize) e == family || (gssize) e == number);
    }
  shared = disclosed (&f);
  g_assert_cmpstr (shared, ==, "document_number,family_name");
  consent_teardown (&f);
}

static void
test_consent_trusted (void)
{
  ConsentFixture f;
  WalletConsentDialog *dialog;
  int decided = -1;
  gssize portrait;
  g_autofree char *shared = NULL;

  consent_setup (&f, TRUE);
  dialog = wallet_consent_dialog_new (NULL, f.p);
  g_signal_connect (dialog, "decided", G_CALLBACK (on_decided), &decided);
  gtk_window_present (GTK_WINDOW (dialog));
  wallet_test_spin (100);

  g_assert_cmpint (wallet_consent_dialog_get_trust (dialog), ==, TSR_READER_TRUSTED);
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Tessera Test Reader"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Trusted reader"));
  g_assert_true (gtk_widget_has_css_class (wallet_test_find (GTK_WIDGET (dialog), 0, "reader_banner"), "success"));
  /* Trusted: every available element starts on; the holder withholds the portrait. */
  for (size_t e = 0; e < tsr_presentation_element_count (f.p, 0); e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);
      if (sw != NULL)
        g_assert_true (gtk_switch_get_active (sw));
    }
  portrait = element_index (f.p, "portrait");
  g_assert_cmpint (portrait, >=, 0);
  gtk_switch_set_active (wallet_consent_dialog_get_switch (dialog, 0, (gsize) portrait), FALSE);
  wallet_consent_dialog_share (dialog);
  g_assert_cmpint (decided, ==, 1);
  shared = disclosed (&f);
  g_assert_null (strstr (shared, "portrait"));
  g_assert_nonnull (strstr (shared, "family_name"));
  g_assert_nonnull (strstr (shared, "driving_privileges"));
  g_assert_null (strstr (shared, "resident_city"));
  consent_teardown (&f);
}

static void
test_consent_decline (void)
{
  ConsentFixture f;
  WalletConsentDialog *dialog;
  int decided = -1;
  g_autofree char *shared = NULL;

  consent_setup (&f, TRUE);
  dialog = wallet_consent_dialog_new (NULL, f.p);
  g_signal_connect (dialog, "decided", G_CALLBACK (on_decided), &decided);
  gtk_window_present (GTK_WINDOW (dialog));
  wallet_test_spin (50);
  /* Closing the sheet (Escape, close button) declines. */
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_cmpint (decided, ==, 0);
  shared = disclosed (&f);
  g_assert_cmpstr (shared, ==, "(no documents)");
  consent_teardown (&f);
}

/* ---- History ---- */

/* ---- Age statements: "Over 18: Yes" on the detail page and the consent sheet ---- */

#define AV "eu.europa.ec.av.1"

static void
test_age_statements (void)
{
  g_autoptr(WalletTestWallet) w = wallet_test_wallet_new (0);
  tsr_store_t *store = wallet_test_wallet_open (w);
  gint64 id = wallet_test_issue (store, w->dir, AV, "av.json");
  g_autofree char *label = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_bytes_unref);
  static const char *const asked[] = { "age_over_18", "age_over_20", "age_over_70", "issuing_country" };
  static const char *const subtitles[] = { "Over 18: Yes", "Answered with “Over 21: Yes”",
                                           "Answered with “Over 65: No”", "" };
  WalletWindow *window = window_for (w, TRUE);
  WalletDetailPage *detail = wallet_window_get_detail_page (window);
  WalletConsentDialog *dialog;
  tsr_store_credential_t *cred = NULL;
  tsr_holder_session_t *hs = NULL;
  tsr_reader_session_t *rs = NULL;
  tsr_request_builder_t *b = NULL;
  tsr_presentation_t *p = NULL;
  tsr_device_key_t *key = NULL;
  char *uri = NULL;
  guint8 *request = NULL, *msg = NULL, *received = NULL;
  size_t request_len = 0, msg_len = 0, received_len = 0, is_len = 0;
  const guint8 *transcript, *is;
  size_t transcript_len;
  GtkWidget *row;

  /* The detail page: a label per statement and Yes / No. */
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (credentials_loaded, window, 20000));
  {
    g_autoptr(WalletCredential) c = g_list_model_get_item (
      wallet_credentials_page_get_model (wallet_window_get_credentials_page (window)), 0);
    wallet_window_show_credential (window, c);
  }
  g_assert_true (wallet_test_wait (detail_loaded, window, 20000));
  g_assert_cmpstr (wallet_detail_page_get_state (detail), ==, "loaded");
  row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "Over 18");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Yes");
  row = wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "Over 65");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "No");
  g_assert_null (wallet_test_find (GTK_WIDGET (detail), ADW_TYPE_ACTION_ROW, "age_over_18"));
  gtk_window_destroy (GTK_WINDOW (window));

  /* The consent sheet: what each statement will answer. */
  g_assert_cmpint (tsr_holder_session_new (NULL, &hs), ==, TSR_OK);
  g_assert_cmpint (tsr_holder_session_qr_uri (hs, &uri), ==, TSR_OK);
  g_assert_cmpint (tsr_reader_session_new (uri, &rs), ==, TSR_OK);
  tsr_free (uri);
  tsr_reader_session_transcript (rs, &transcript, &transcript_len);
  g_assert_cmpint (tsr_request_builder_new (&b), ==, TSR_OK);
  for (guint i = 0; i < G_N_ELEMENTS (asked); i++)
    g_assert_cmpint (tsr_request_builder_add_element (b, AV, AV, asked[i], FALSE), ==, TSR_OK);
  g_assert_cmpint (tsr_request_builder_build (b, transcript, transcript_len, &request, &request_len), ==, TSR_OK);
  tsr_request_builder_free (b);
  g_assert_cmpint (tsr_reader_session_establish (rs, request, request_len, &msg, &msg_len), ==, TSR_OK);
  g_assert_cmpint (tsr_holder_session_establish (hs, msg, msg_len, &received, &received_len), ==, TSR_OK);
  g_assert_cmpint (tsr_holder_session_transcript (hs, &transcript, &transcript_len), ==, TSR_OK);
  g_assert_cmpint (tsr_presentation_new (received, received_len, transcript, transcript_len, &p), ==, TSR_OK);

  g_assert_cmpint (tsr_store_show (store, id, &cred), ==, TSR_OK);
  for (size_t e = 0; e < tsr_store_credential_element_count (cred); e++)
    {
      tsr_store_element_t el;

      g_assert_cmpint (tsr_store_credential_element (cred, e, &el), ==, TSR_OK);
      if (wallet_value_is_boolean (el.value, el.value_len))
        g_hash_table_insert (values, wallet_element_key (label, el.name_space, el.identifier),
                             g_bytes_new (el.value, el.value_len));
    }
  is = tsr_store_credential_issuer_signed (cred, &is_len);
  g_assert_cmpint (tsr_store_device_key (store, tsr_store_credential_summary (cred)->key_id, NULL, &key), ==, TSR_OK);
  g_assert_cmpint (tsr_presentation_add_credential (p, is, is_len, key, label), ==, TSR_OK);
  g_assert_cmpint (tsr_presentation_analyze (p), ==, TSR_OK);

  dialog = wallet_consent_dialog_new_with_values (NULL, p, values);
  gtk_window_present (GTK_WINDOW (dialog));
  wallet_test_spin (100);
  for (guint i = 0; i < G_N_ELEMENTS (asked); i++)
    {
      g_autofree char *title = wallet_element_label (AV, asked[i]);

      row = wallet_test_find (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, title);
      g_assert_nonnull (row);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, subtitles[i]);
    }
  g_assert_nonnull (wallet_test_find (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, "Over 70"));
  wallet_consent_dialog_decline (dialog);
  wallet_test_spin (100);

  tsr_store_credential_free (cred);
  tsr_presentation_free (p);
  tsr_device_key_free (key);
  tsr_holder_session_free (hs);
  tsr_reader_session_free (rs);
  tsr_free (request);
  tsr_free (msg);
  tsr_free (received);
  tsr_store_free (store);
}

static void
test_history (void)
{
  g_autoptr(WalletTestWallet) w = wallet_test_wallet_new (1);
  tsr_store_t *store = wallet_test_wallet_open (w);
  tsr_store_item_t requested[] = { { NS, "family_name" }, { NS, "portrait" } };
  tsr_store_log_entry_t e1 = {
    .time = 1700000000, .reader = "C=UT, CN=Tessera Test Reader", .reader_trust = TSR_READER_TRUSTED,
    .doc_type = MDL, .credential_id = 1, .requested = requested, .n_requested = 2,
    .shared = requested, .n_shared = 1, .outcome = TSR_PRESENTATION_SHARED,
  };
  tsr_store_log_entry_t e2 = {
    .time = 1700003600, .reader = NULL, .reader_trust = TSR_READER_ANONYMOUS,
    .doc_type = MDL, .requested = requested, .n_requested = 2,
    .outcome = TSR_PRESENTATION_DECLINED,
  };
  WalletWindow *window;
  WalletHistoryPage *page;
  GtkWidget *row;

  g_assert_cmpint (tsr_store_log_append (store, &e1, NULL), ==, TSR_OK);
  g_assert_cmpint (tsr_store_log_append (store, &e2, NULL), ==, TSR_OK);
  tsr_store_free (store);

  window = window_for (w, TRUE);
  page = wallet_window_get_history_page (window);
  wallet_window_show_view (window, "history");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wallet_test_wait (history_loaded, window, 20000));
  g_assert_cmpstr (wallet_history_page_get_state (page), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (wallet_history_page_get_model (page)), ==, 2);
  /* Newest first. */
  {
    g_autoptr(WalletLogEntry) first = g_list_model_get_item (wallet_history_page_get_model (page), 0);
    g_assert_cmpint (wallet_log_entry_get_outcome (first), ==, TSR_PRESENTATION_DECLINED);
  }
  row = wallet_test_find (GTK_WIDGET (page), ADW_TYPE_EXPANDER_ROW, "Tessera Test Reader");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), "Shared 1 item"));
  g_assert_nonnull (wallet_test_find (GTK_WIDGET (page), ADW_TYPE_EXPANDER_ROW, "Unidentified reader"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  wallet_test_spin (300);
  g_assert_true (wallet_test_shows (row, "Family name, Portrait"));
  g_assert_true (wallet_test_shows (row, "Trusted reader"));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  wallet_test_init (&argc, &argv);

  g_test_add_func ("/wallet/labels", test_labels);
  g_test_add_func ("/wallet/labels/ja", test_labels_ja);
  g_test_add_func ("/wallet/credentials/list", test_list);
  g_test_add_func ("/wallet/credentials/locked-empty-missing", test_list_locked_and_empty);
  g_test_add_func ("/wallet/detail/show-and-delete", test_detail_and_delete);
  g_test_add_func ("/wallet/consent/untrusted-switches-decide", test_consent_untrusted);
  g_test_add_func ("/wallet/consent/trusted-defaults-on", test_consent_trusted);
  g_test_add_func ("/wallet/consent/close-declines", test_consent_decline);
  g_test_add_func ("/wallet/history", test_history);
  g_test_add_func ("/wallet/age-statements", test_age_statements);
  g_test_add_func ("/wallet/preferences/change-passphrase", test_change_passphrase);
  return g_test_run ();
}
