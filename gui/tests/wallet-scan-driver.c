/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The holder app for tests/assurance/test-app-secret-scan, which starts
 * this program under ptrace and reads its memory (not a test of its own).
 * The app's own code, as test-wallet-e2e drives it: a window on a test
 * wallet with one mDL, Present on the local transport, every element
 * shared when the consent sheet comes up, and the result page left on
 * screen until the scanning test says "quit".
 *
 *   wallet-scan-driver software        a software test wallet (made by
 *                                      make-credential), unlocked with its
 *                                      passphrase
 *   wallet-scan-driver tpm TCTI        a TPM wallet on that TPM, made with
 *                                      a key PIN (app-scan.h) through the
 *                                      app's store, its mDL issued by
 *                                      tessera-issuer; unlocked with the
 *                                      PIN, and the holder types it again
 *                                      into the prompt when sharing
 *   wallet-scan-driver pkcs11 MODULE LABEL   a wallet on that PKCS#11
 *                                      token, unlocked with its user PIN
 *                                      (app-scan.h)
 *
 * The token wallets are made with a store of their own that is dropped
 * before the window opens, as if the app had been started again.
 *
 * Lines to the test on stdout (it answers on stdin):
 *   wallet PATH IACA     the wallet and the IACA of its credential; the
 *                        test reads the wallet (its keys), then says "go"
 *   uri URI              the engagement the app shows
 *   socket PATH          where the app listens for the reader
 *   result-shown         the reader has ended the session, "Shared" is on
 *                        screen; the app waits, idle, for "quit" on stdin
 * Then the window is closed and the wallet deleted, and main() returns.
 */

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app-scan.h"
#include "swtpm.h"  /* tsr_test_rmrf() */
#include "wallet-test-support.h"
#include "wallet-window.h"

/* The reader is started by the test, on a loaded machine. */
#define TIMEOUT_MS (120 * 1000)

typedef struct {
  WalletWindow *window;
  WalletPresentPage *present;
} Driver;

static gboolean
credentials_loaded (gpointer data)
{
  Driver *d = data;

  return g_strcmp0 (wallet_credentials_page_get_state (wallet_window_get_credentials_page (d->window)),
                    "loading") != 0;
}

static gboolean
session_waiting (gpointer data)
{
  Driver *d = data;

  return wallet_present_page_get_session (d->present) != NULL &&
         g_strcmp0 (wallet_present_page_get_view (d->present), "qr") == 0;
}

static gboolean
consent_open (gpointer data)
{
  WalletConsentDialog *dialog = wallet_present_page_get_consent_dialog (((Driver *) data)->present);

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
pin_dialog_open (gpointer data)
{
  AdwMessageDialog *dialog = wallet_present_page_get_pin_dialog (((Driver *) data)->present);

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

/* The reader has ended the session and the page sums it up. */
static gboolean
session_over (gpointer data)
{
  WalletPresentPage *present = ((Driver *) data)->present;
  WalletSession *session = wallet_present_page_get_session (present);

  return g_strcmp0 (wallet_present_page_get_view (present), "result") == 0 &&
         (session == NULL || wallet_session_get_state (session) == WALLET_SESSION_ENDED);
}

/* Something to read on stdin: the test's next line. */
static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Waits on the main loop, as the app would, for the test's next line,
 * which must be @expected. Read with read(2), not stdio, one byte at a
 * time: nothing of it is left in a buffer. */
static void
wait_for_test (const char *expected)
{
  gboolean readable = FALSE;
  char line[16];
  size_t n = 0;

  g_unix_fd_add (STDIN_FILENO, G_IO_IN, on_stdin, &readable);
  g_assert_true (wallet_test_wait (is_set, &readable, TIMEOUT_MS));
  while (n + 1 < sizeof line)
    {
      g_assert_cmpint (read (STDIN_FILENO, line + n, 1), ==, 1);
      if (line[n++] == '\n')
        break;
    }
  line[n] = '\0';
  g_assert_cmpstr (line, ==, expected);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (wallet_store_create_finish (WALLET_STORE (source), result, &error));
  *(gboolean *) user_data = TRUE;
}

/* A wallet on a TPM or a PKCS#11 token, made in @dir by the app's own
 * store (what the create dialog does) with @secret (the TPM keys' PIN or
 * the token's user PIN), and one mDL from tessera-issuer on a key of it.
 * The store is dropped afterwards: the window opens the wallet afresh. */
static char *
token_wallet_new (const char    *dir,
                  tsr_sa_kind_t  kind,
                  const char    *tcti,
                  const char    *module,
                  const char    *label,
                  const char    *secret)
{
  char *path = g_build_filename (dir, "wallet.db", NULL);
  g_autoptr(WalletStore) store = wallet_store_new (path);
  g_autoptr(GError) error = NULL;
  /* A TPM key takes the PIN when it is made; a token key has the
   * token's. */
  tsr_sa_key_options_t options = { .pin = kind == TSR_SA_TPM2 ? secret : NULL };
  gboolean created = FALSE;
  tsr_store_t *ts;

  wallet_store_create_async (store, kind, tcti, module, label, secret, NULL, on_created,
                             &created);
  g_assert_true (wallet_test_wait (is_set, &created, TIMEOUT_MS));
  ts = wallet_store_acquire (store, TRUE, &error);
  g_assert_no_error (error);
  wallet_test_issue_full (ts, dir, &options, "org.iso.18013.5.1.mDL", "mdl.json");
  wallet_store_release (store);
  return path;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(WalletTestWallet) software = NULL;
  g_autoptr(WalletStore) store = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *dir = NULL, *path = NULL, *iaca = NULL;
  const char *unlock_secret = NULL;
  gboolean tpm = FALSE;
  WalletConsentDialog *dialog;
  WalletSession *session;
  Driver d = { 0 };

  wallet_test_init (&argc, &argv);
  if (argc == 2 && g_str_equal (argv[1], "software"))
    {
      software = wallet_test_wallet_new (1);
      path = g_strdup (software->path);
      iaca = g_build_filename (wallet_test_data_dir (), "store", "iaca.pem", NULL);
      unlock_secret = WALLET_TEST_PASSPHRASE;
    }
  else if ((argc == 3 && g_str_equal (argv[1], "tpm")) ||
           (argc == 4 && g_str_equal (argv[1], "pkcs11")))
    {
      tpm = g_str_equal (argv[1], "tpm");
      dir = g_dir_make_tmp ("tsr-scan-wallet-XXXXXX", NULL);
      g_assert_nonnull (dir);
      if (tpm)
        path = token_wallet_new (dir, TSR_SA_TPM2, argv[2], NULL, NULL, TSR_APP_SCAN_TPM_KEY_PIN);
      else
        path = token_wallet_new (dir, TSR_SA_PKCS11, NULL, argv[2], argv[3],
                                 TSR_APP_SCAN_TOKEN_PIN);
      iaca = g_build_filename (dir, "pki", "iaca.pem", NULL);
      /* A TPM wallet made with a key PIN asks for it to unlock (and keeps
       * it, as a passphrase); a token wallet for the token's PIN. */
      unlock_secret = tpm ? TSR_APP_SCAN_TPM_KEY_PIN : TSR_APP_SCAN_TOKEN_PIN;
    }
  else
    g_error ("usage: %s software | tpm TCTI | pkcs11 MODULE LABEL", argv[0]);
  printf ("wallet %s %s\n", path, iaca);
  fflush (stdout);
  wait_for_test ("go\n");

  store = wallet_store_new (path);
  /* The secret a user would type in the unlock dialog. */
  wallet_store_set_passphrase (store, unlock_secret);
  settings = g_settings_new ("org.tessera.Wallet");
  g_settings_set_boolean (settings, "refuse-untrusted-readers", FALSE);
  g_settings_set_string (settings, "transport", "local");
  d.window = wallet_window_new_full (NULL, store, settings);
  d.present = wallet_window_get_present_page (d.window);
  wallet_test_resize (GTK_WINDOW (d.window), 360, 720);
  g_assert_true (wallet_test_wait (credentials_loaded, &d, TIMEOUT_MS));

  g_action_group_activate_action (G_ACTION_GROUP (d.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &d, TIMEOUT_MS));
  session = wallet_present_page_get_session (d.present);
  printf ("uri %s\nsocket %s\n", wallet_session_get_uri (session),
          wallet_session_get_socket_path (session));
  fflush (stdout);

  /* The holder turns every switch on and shares. */
  g_assert_true (wallet_test_wait (consent_open, &d, TIMEOUT_MS));
  dialog = wallet_present_page_get_consent_dialog (d.present);
  for (gsize e = 0; e < 64; e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);

      if (sw != NULL)
        gtk_switch_set_active (sw, TRUE);
    }
  wallet_consent_dialog_share (dialog);

  if (tpm)
    {
      /* Sharing asks for the key's PIN each time: the holder types it,
       * and the prompt's Share does what a click does (the response, then
       * the dialog goes). */
      AdwMessageDialog *prompt;
      GtkWidget *entry;

      g_assert_true (wallet_test_wait (pin_dialog_open, &d, TIMEOUT_MS));
      prompt = wallet_present_page_get_pin_dialog (d.present);
      entry = wallet_test_find (GTK_WIDGET (prompt), ADW_TYPE_PASSWORD_ENTRY_ROW, "PIN");
      g_assert_nonnull (entry);
      gtk_editable_set_text (GTK_EDITABLE (entry), TSR_APP_SCAN_TPM_KEY_PIN);
      /* GTK 4.8 warns ("invalid unclassed pointer in cast") when a
       * dialog goes while its entry row has the focus. */
      gtk_window_set_focus (GTK_WINDOW (prompt), NULL);
      adw_message_dialog_response (prompt, "share");
      gtk_window_destroy (GTK_WINDOW (prompt));
    }

  /* The reader verifies and ends the session; the result stays up. */
  g_assert_true (wallet_test_wait (session_over, &d, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (d.present), ==, _("Shared"));
  wallet_test_spin (300);
  printf ("result-shown\n");
  fflush (stdout);
  /* The main loop goes on, as the app's would, until the test says. */
  wait_for_test ("quit\n");

  gtk_window_destroy (GTK_WINDOW (d.window));
  wallet_test_spin (200);
  g_clear_object (&store);
  if (dir != NULL)
    tsr_test_rmrf (dir);
  return 0;
}
