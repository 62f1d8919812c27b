/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The holder app over a real radio stack: run by tests/ble-vm/guest-apps.sh
 * in the QEMU guest of vm-boot.sh (bluetoothd, two btvirt controllers on
 * one simulated radio), under Xvfb. The app presents over BLE on
 * WALLET_TEST_BLE_ADAPTER; its QR code is read back from a screenshot;
 * `tessera reader request --transport ble:WALLET_TEST_READER_ADAPTER`
 * connects over the air; the consent sheet is answered with its own
 * switches and buttons; the reader verifies the response (or gets nothing
 * when the holder declines) and the app shows the outcome.
 *
 * The only test hook is the adapter: with two controllers on one
 * bluetoothd, the app's default (the first powered adapter, in D-Bus
 * order) could be the reader's, so the app is given its own.
 *
 * Without bluetoothd or the adapter (any machine but the guest) every
 * case is skipped with the reason.
 */

#include <glib/gstdio.h>
#include <string.h>

#include "wallet-test-support.h"
#include "wallet-window.h"

/* TCG emulation in the guest runs the app and bluetoothd several times
 * slower than a real machine: bounded, but generous. Starting BLE
 * (registering the GATT service and the advertisement) takes a few
 * seconds there; a reader's scan, connection and service discovery up
 * to a minute when the guest's two vCPUs are shared with the host's
 * other work. */
#define START_TIMEOUT_MS   60000
#define CONNECT_TIMEOUT_MS 120000
#define FINISH_TIMEOUT_MS  90000
/* The reader's own bound on each step, below CONNECT_TIMEOUT_MS. */
#define READER_TIMEOUT_S   "100"

typedef struct {
  WalletTestWallet *wallet;
  WalletWindow *window;
  WalletPresentPage *present;
  char *dir;
  WalletTestReader reader;
  gboolean l2cap;               /* the Preferences switch and the reader's --ble-l2cap */
  gint64 started_us;
} BleVm;

static const char *
holder_adapter (void)
{
  const char *a = g_getenv ("WALLET_TEST_BLE_ADAPTER");
  return a != NULL ? a : "hci1";
}

static const char *
reader_adapter (void)
{
  const char *a = g_getenv ("WALLET_TEST_READER_ADAPTER");
  return a != NULL ? a : "hci0";
}

/* The app's BLE link: BlueZ on the holder's adapter. */
static int
holder_link_func (tsr_ble_link_t **ret_link,
                  gpointer         user_data)
{
  return tsr_ble_link_bluez_new (holder_adapter (), ret_link);
}

/* Why the cases cannot run here, or NULL when they can. */
static const char *
why_no_radio (void)
{
  tsr_ble_link_t *link = NULL;
  int r = tsr_ble_link_bluez_new (holder_adapter (), &link);

  tsr_ble_link_free (link);
  if (r == TSR_OK)
    return NULL;
  return r == TSR_ERR_TRANSPORT_BLE_NO_BLUEZ ? "no bluetoothd on the system bus" :
         "no powered Bluetooth adapter for the holder (run in the guest of tests/ble-vm)";
}

static void
note (BleVm      *t,
      const char *what)
{
  g_test_message ("%.1f s: %s", (g_get_monotonic_time () - t->started_us) / 1e6, what);
}

static gboolean
credentials_loaded (gpointer data)
{
  BleVm *t = data;
  return g_strcmp0 (wallet_credentials_page_get_state (wallet_window_get_credentials_page (t->window)),
                    "loading") != 0;
}

static gboolean
session_waiting_or_failed (gpointer data)
{
  BleVm *t = data;
  const char *view = wallet_present_page_get_view (t->present);

  return g_strcmp0 (view, "qr") == 0 || g_strcmp0 (view, "result") == 0;
}

static gboolean
consent_open (gpointer data)
{
  BleVm *t = data;
  WalletConsentDialog *d = wallet_present_page_get_consent_dialog (t->present);

  return (d != NULL && gtk_widget_get_mapped (GTK_WIDGET (d))) || t->reader.done;
}

static gboolean
result_shown (gpointer data)
{
  BleVm *t = data;
  return g_strcmp0 (wallet_present_page_get_view (t->present), "result") == 0;
}

/* The history page reads the log in a thread. */
static gboolean
history_has_entry (gpointer data)
{
  return g_list_model_get_n_items (wallet_history_page_get_model (data)) > 0;
}

static gboolean
setup (BleVm      *t,
       const char *ble_mode,
       gboolean    l2cap)
{
  g_autoptr(WalletStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("org.tessera.Wallet");
  g_autoptr(GError) error = NULL;
  const char *why = why_no_radio ();

  memset (t, 0, sizeof *t);
  if (why != NULL)
    {
      g_test_skip (why);
      return FALSE;
    }
  t->started_us = g_get_monotonic_time ();
  wallet_session_set_ble_link_func (holder_link_func, NULL);
  t->wallet = wallet_test_wallet_new (1);
  store = wallet_store_new (t->wallet->path);
  wallet_store_set_passphrase (store, WALLET_TEST_PASSPHRASE);
  /* What a holder chooses in Preferences: Bluetooth in @ble_mode. */
  g_settings_set_boolean (settings, "refuse-untrusted-readers", FALSE);
  g_settings_set_string (settings, "transport", "ble");
  g_settings_set_string (settings, "ble-mode", ble_mode);
  g_settings_set_boolean (settings, "ble-l2cap", l2cap);
  t->l2cap = l2cap;
  t->window = wallet_window_new_full (NULL, store, settings);
  t->present = wallet_window_get_present_page (t->window);
  t->dir = g_dir_make_tmp ("tsr-gui-ble-vm-XXXXXX", &error);
  g_assert_no_error (error);
  wallet_test_resize (GTK_WINDOW (t->window), 360, 720);
  g_assert_true (wallet_test_wait (credentials_loaded, t, START_TIMEOUT_MS));
  note (t, "the app shows the wallet");
  return TRUE;
}

static void
teardown (BleVm *t)
{
  if (t->window == NULL)
    return;
  gtk_window_destroy (GTK_WINDOW (t->window));
  wallet_test_reader_clear (&t->reader);
  wallet_session_set_ble_link_func (NULL, NULL);
  wallet_test_wallet_free (t->wallet);
  /* The screenshot and the engagement file, then the directory. */
  {
    g_autoptr(GDir) dir = g_dir_open (t->dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (t->dir, name, NULL);
        g_remove (path);
      }
    g_rmdir (t->dir);
  }
  g_free (t->dir);
}

/* `tessera reader request` over the air, on the other controller. */
static void
start_reader (BleVm      *t,
              const char *uri)
{
  g_autofree char *trust = g_build_filename (wallet_test_data_dir (), "store", "iaca.pem", NULL);
  g_autofree char *transport = g_strconcat ("ble:", reader_adapter (), NULL);

  wallet_test_reader_start (&t->reader, t->dir, uri, trust, transport, READER_TIMEOUT_S,
                            t->l2cap ? "--ble-l2cap" : NULL);
}

/* Fails the case with the reader's words and the page's state. */
static void
fail_with_context (BleVm      *t,
                   const char *what)
{
  WalletSession *s = wallet_present_page_get_session (t->present);

  if (t->reader.done)
    g_test_message ("reader stdout:\n%s\nreader stderr:\n%s", t->reader.out, t->reader.err);
  g_test_message ("page: %s (%s), session state %d", wallet_present_page_get_view (t->present),
                  wallet_present_page_get_result_title (t->present),
                  s != NULL ? (int) wallet_session_get_state (s) : -1);
  g_error ("%s", what);
}

/* Presents over BLE in @mode_label, lets the reader connect over the air,
 * and returns the open consent sheet. */
static WalletConsentDialog *
present_until_consent (BleVm      *t,
                       const char *mode_label)
{
  g_autofree char *uri = NULL;
  WalletConsentDialog *dialog;
  WalletSession *session;

  g_action_group_activate_action (G_ACTION_GROUP (t->window), "present", NULL);
  if (!wallet_test_wait (session_waiting_or_failed, t, START_TIMEOUT_MS) ||
      g_strcmp0 (wallet_present_page_get_view (t->present), "qr") != 0)
    fail_with_context (t, "the app did not start presenting over Bluetooth");
  session = wallet_present_page_get_session (t->present);
  g_assert_cmpint (wallet_session_get_transport (session), ==, WALLET_TRANSPORT_BLE);
  wallet_test_spin (300);
  g_assert_true (wallet_test_shows (GTK_WIDGET (t->present), "Waiting for a reader"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (t->present), mode_label));
  note (t, "the app shows its QR code");

  uri = wallet_test_read_qr (GTK_WIDGET (t->window), t->dir);
  g_assert_true (g_str_has_prefix (uri, "mdoc:"));
  g_assert_cmpstr (uri, ==, wallet_session_get_uri (session));

  start_reader (t, uri);
  if (!wallet_test_wait (consent_open, t, CONNECT_TIMEOUT_MS) ||
      wallet_present_page_get_consent_dialog (t->present) == NULL)
    fail_with_context (t, "no request reached the consent sheet over Bluetooth");
  note (t, "the reader's request is on the consent sheet");
  dialog = wallet_present_page_get_consent_dialog (t->present);
  g_assert_cmpint (wallet_consent_dialog_get_trust (dialog), ==, TSR_READER_ANONYMOUS);
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Unidentified reader"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Mobile driving licence"));
  g_assert_nonnull (wallet_test_find (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, "Family name"));
  return dialog;
}

/* The holder turns every switch on and taps Share; the reader verifies. */
static void
share_and_check (BleVm      *t,
                 const char *mode_label)
{
  WalletConsentDialog *dialog = present_until_consent (t, mode_label);
  GtkWidget *share = wallet_test_find (GTK_WIDGET (dialog), 0, "share_button");
  guint switches = 0;

  /* An unidentified reader: every switch starts off. */
  for (gsize e = 0; e < 64; e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);

      if (sw == NULL)
        continue;
      g_assert_false (gtk_switch_get_active (sw));
      gtk_switch_set_active (sw, TRUE);
      switches++;
    }
  g_assert_cmpuint (switches, >, 0);
  g_assert_nonnull (share);
  g_assert_true (gtk_widget_get_sensitive (share));
  g_signal_emit_by_name (share, "clicked");

  if (!wallet_test_wait (wallet_test_reader_finished, &t->reader, FINISH_TIMEOUT_MS))
    fail_with_context (t, "the reader did not finish");
  note (t, "the reader finished");
  g_assert_true (g_subprocess_get_if_exited (t->reader.process));
  if (g_subprocess_get_exit_status (t->reader.process) != 0)
    fail_with_context (t, "the reader failed");
  g_assert_true (g_str_has_prefix (t->reader.out, "VALID"));
  g_assert_nonnull (strstr (t->reader.out, "Doe"));
  g_assert_nonnull (strstr (t->reader.out, "123456789"));
  /* It went over the air: the reader's own account of its transport. */
  g_assert_nonnull (strstr (t->reader.err, t->l2cap ? "ble: open over L2CAP" :
                                                      "ble: open over GATT"));
  /* In peripheral mode the app's QR code names its PSM (BleOptions 21). */
  if (t->l2cap && g_str_has_suffix (mode_label, "peripheral mode") &&
      strstr (t->reader.err, "from the engagement") == NULL)
    fail_with_context (t, "the reader did not take the PSM from the app's engagement");

  if (!wallet_test_wait (result_shown, t, FINISH_TIMEOUT_MS))
    fail_with_context (t, "the app did not show the outcome");
  g_assert_cmpstr (wallet_present_page_get_result_title (t->present), ==, "Shared");
  {
    WalletHistoryPage *history = wallet_window_get_history_page (t->window);
    g_autoptr(WalletLogEntry) e = NULL;

    /* Done: home, and the history has the presentation. */
    g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t->present), 0, "done_button"), "clicked");
    wallet_window_show_view (t->window, "history");
    g_assert_true (wallet_test_wait (history_has_entry, history, START_TIMEOUT_MS));
    e = g_list_model_get_item (wallet_history_page_get_model (history), 0);
    g_assert_nonnull (e);
    g_assert_cmpint (wallet_log_entry_get_outcome (e), ==, TSR_PRESENTATION_SHARED);
    g_assert_cmpuint (wallet_log_entry_get_shared (e)->len, ==, switches);
  }
}

static void
test_peripheral_share (void)
{
  BleVm t;

  if (setup (&t, "peripheral", FALSE))
    share_and_check (&t, "Bluetooth LE, peripheral mode");
  teardown (&t);
}

/* The same with "Use an L2CAP channel" on, and the reader's --ble-l2cap. */
static void
test_peripheral_share_l2cap (void)
{
  BleVm t;

  if (setup (&t, "peripheral", TRUE))
    share_and_check (&t, "Bluetooth LE, peripheral mode");
  teardown (&t);
}

static void
test_central_share (void)
{
  BleVm t;

  if (setup (&t, "central", FALSE))
    share_and_check (&t, "Bluetooth LE, central mode");
  teardown (&t);
}

/* The holder taps Decline: the reader gets no document, and says so. */
static void
test_peripheral_decline (void)
{
  BleVm t;
  WalletConsentDialog *dialog;

  if (!setup (&t, "peripheral", FALSE))
    {
      teardown (&t);
      return;
    }
  dialog = present_until_consent (&t, "Bluetooth LE, peripheral mode");
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (dialog), 0, "decline_button"), "clicked");

  if (!wallet_test_wait (wallet_test_reader_finished, &t.reader, FINISH_TIMEOUT_MS))
    fail_with_context (&t, "the reader did not finish");
  note (&t, "the reader finished");
  g_assert_true (g_subprocess_get_if_exited (t.reader.process));
  g_assert_cmpint (g_subprocess_get_exit_status (t.reader.process), ==, 1);
  g_assert_nonnull (strstr (t.reader.out, "no_documents"));
  g_assert_null (strstr (t.reader.out, "Doe"));
  g_assert_nonnull (strstr (t.reader.err, "ble: open over GATT"));
  if (!wallet_test_wait (result_shown, &t, FINISH_TIMEOUT_MS))
    fail_with_context (&t, "the app did not show the outcome");
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Declined");
  teardown (&t);
}

int
main (int   argc,
      char *argv[])
{
  wallet_test_init (&argc, &argv);
  g_test_add_func ("/wallet/ble-vm/peripheral-share", test_peripheral_share);
  g_test_add_func ("/wallet/ble-vm/peripheral-share-l2cap", test_peripheral_share_l2cap);
  g_test_add_func ("/wallet/ble-vm/peripheral-decline", test_peripheral_decline);
  g_test_add_func ("/wallet/ble-vm/central-share", test_central_share);
  return g_test_run ();
}
