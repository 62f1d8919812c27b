/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The holder app for tests/assurance/test-app-secret-scan, which starts
 * this program under ptrace and reads its memory (not a test of its own).
 * The app's own code, as test-wallet-e2e drives it: a window on a
 * software test wallet with one mDL, Present on the local transport, every
 * element shared when the consent sheet comes up, and the result page
 * left on screen until the scanning test says "quit".
 *
 * Lines to the test on stdout (it answers on stdin):
 *   wallet PATH KEY_ID   the test wallet (the test reads the device key's
 *                        public key and its wrapped private key from it)
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

/* The reader has ended the session and the page sums it up. */
static gboolean
session_over (gpointer data)
{
  WalletPresentPage *present = ((Driver *) data)->present;
  WalletSession *session = wallet_present_page_get_session (present);

  return g_strcmp0 (wallet_present_page_get_view (present), "result") == 0 &&
         (session == NULL || wallet_session_get_state (session) == WALLET_SESSION_ENDED);
}

/* Something to read on stdin: the test's "quit". */
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

int
main (int    argc,
      char **argv)
{
  g_autoptr(WalletTestWallet) wallet = NULL;
  g_autoptr(WalletStore) store = NULL;
  g_autoptr(GSettings) settings = NULL;
  WalletConsentDialog *dialog;
  WalletSession *session;
  Driver d = { 0 };
  gboolean quit = FALSE;
  char line[16] = "";

  wallet_test_init (&argc, &argv);
  wallet = wallet_test_wallet_new (1);
  printf ("wallet %s %" G_GINT64_FORMAT "\n", wallet->path, wallet->key_id);
  fflush (stdout);

  store = wallet_store_new (wallet->path);
  /* The passphrase a user would type in the unlock dialog. */
  wallet_store_set_passphrase (store, WALLET_TEST_PASSPHRASE);
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

  /* The reader verifies and ends the session; the result stays up. */
  g_assert_true (wallet_test_wait (session_over, &d, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (d.present), ==, _("Shared"));
  wallet_test_spin (300);
  printf ("result-shown\n");
  fflush (stdout);
  /* The main loop goes on, as the app's would, until the test says. */
  g_unix_fd_add (STDIN_FILENO, G_IO_IN, on_stdin, &quit);
  g_assert_true (wallet_test_wait (is_set, &quit, TIMEOUT_MS));
  g_assert_nonnull (fgets (line, sizeof line, stdin));
  g_assert_cmpstr (line, ==, "quit\n");

  gtk_window_destroy (GTK_WINDOW (d.window));
  wallet_test_spin (200);
  return 0;
}
