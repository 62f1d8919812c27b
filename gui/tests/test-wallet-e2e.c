/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * End to end, as a holder and a reader would: the app presents on a test
 * wallet; a screenshot of its window is decoded (zbarimg and libtessera)
 * back to the mdoc: URI; `tessera reader request` uses that engagement over
 * the local transport; the consent sheet appears and is answered through
 * the app's own API (the test hook); the reader verifies the response (or
 * gets nothing when the holder declines); the history records it.
 *
 * Several requests in one session: a reader in a thread (local transport
 * or simulated radio) sends them one after the other; each gets its
 * consent sheet, response and history entry, and the page sums the
 * session up when the reader, or the holder (End Session), ends it.
 *
 * Preferences → Presenting → "Only share with trusted readers" (the
 * library's strict reader policy), on and off.
 *
 * Bluetooth: this host has none (no bluetoothd), so the BLE tests check
 * what a holder sees then: chosen explicitly, a clear "Bluetooth
 * Unavailable" page and never a QR code; left at the default, the local
 * transport with an engagement that offers no BLE. The choice is kept in
 * GSettings through the Preferences rows.
 *
 * /wallet/e2e/present-tpm-pin: a TPM wallet (real swtpm) whose key has a
 * PIN: asked after the consent sheet, a wrong one asked again, changed in
 * Preferences, and the TPM's lockout after too many wrong ones.
 *
 * /wallet/e2e/present-share/ja runs the same presentation in Japanese (a
 * child process with LANGUAGE=ja and the built catalogue, as main.c binds
 * it): the texts it looks for are the catalogue's translations.
 *
 * With WALLET_SCREENSHOT_DIR set, every page is also saved there at
 * 360x720 and 1280x800 (docs/screenshots/holder-<page>-<size>.png; in
 * Japanese holder-<page>-ja-<size>.png).
 */

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "swtpm.h"
#include "wallet-preferences-window.h"
#include "wallet-test-support.h"
#include "wallet-window.h"

#define TIMEOUT_MS 30000

/* The page names of screenshots get this after them: "-ja" in Japanese. */
static const char *shot_language = "";

typedef struct {
  WalletTestWallet *wallet;
  WalletWindow *window;
  WalletPresentPage *present;
  char *dir;
  WalletTestReader reader;
  char *trust;          /* the reader's IACA; NULL: tests/data/store/iaca.pem */
} E2E;

/* Saves @window at each size; @prepare (may be NULL) runs after each resize. */
static void
shoot_full (GtkWindow  *window,
            const char *page,
            void      (*prepare) (gpointer data),
            gpointer    data)
{
  const char *dir = g_getenv ("WALLET_SCREENSHOT_DIR");
  static const int sizes[][2] = { { 360, 720 }, { 1280, 800 } };

  if (dir == NULL || *dir == '\0')
    return;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("holder-%s%s-%dx%d.png", page, shot_language,
                                               sizes[i][0], sizes[i][1]);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      wallet_test_resize (window, sizes[i][0], sizes[i][1]);
      if (prepare != NULL)
        {
          prepare (data);
          wallet_test_spin (300);
        }
      g_assert_true (wallet_test_screenshot (GTK_WIDGET (window), path));
    }
  wallet_test_resize (window, 360, 720);
}

static void
shoot (GtkWindow  *window,
       const char *page)
{
  shoot_full (window, page, NULL, NULL);
}

/* Scrolls the detail page to its end, where the issuer certificate is. */
static void
scroll_to_end (gpointer data)
{
  GtkWidget *scrolled = wallet_test_find (data, GTK_TYPE_SCROLLED_WINDOW, "scrolled");
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

static gboolean
credentials_loaded (gpointer data)
{
  E2E *t = data;
  return g_strcmp0 (wallet_credentials_page_get_state (wallet_window_get_credentials_page (t->window)),
                    "loading") != 0;
}

static gboolean
session_waiting (gpointer data)
{
  E2E *t = data;
  WalletSession *s = wallet_present_page_get_session (t->present);

  return s != NULL && g_strcmp0 (wallet_present_page_get_view (t->present), "qr") == 0;
}

static gboolean
consent_open (gpointer data)
{
  E2E *t = data;
  WalletConsentDialog *d = wallet_present_page_get_consent_dialog (t->present);

  return d != NULL && gtk_widget_get_mapped (GTK_WIDGET (d));
}

static gboolean
result_shown (gpointer data)
{
  E2E *t = data;
  return g_strcmp0 (wallet_present_page_get_view (t->present), "result") == 0;
}

/* The history page lists at least @n entries (it loads in a thread, and
 * shows the previous list until the new one is there). */
typedef struct {
  WalletHistoryPage *page;
  guint              n;
} HistoryWait;

static gboolean
history_lists (gpointer data)
{
  HistoryWait *w = data;
  GListModel *model = wallet_history_page_get_model (w->page);

  return g_strcmp0 (wallet_history_page_get_state (w->page), "list") == 0 &&
         model != NULL && g_list_model_get_n_items (model) >= w->n;
}

/* The window on @store, at phone size, its credentials loaded. */
static void
e2e_setup_store (E2E         *t,
                 WalletStore *store)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.tessera.Wallet");
  g_autoptr(GError) error = NULL;

  g_settings_set_boolean (settings, "refuse-untrusted-readers", FALSE);
  /* The memory backend lives as long as the process: the default here,
   * the transport each test asks for below. */
  g_settings_set_string (settings, "transport", "local");
  g_settings_reset (settings, "ble-mode");
  t->window = wallet_window_new_full (NULL, store, settings);
  t->present = wallet_window_get_present_page (t->window);
  t->dir = g_dir_make_tmp ("tsr-gui-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  wallet_test_resize (GTK_WINDOW (t->window), 360, 720);
  g_assert_true (wallet_test_wait (credentials_loaded, t, TIMEOUT_MS));
}

/* The software test wallet with one mDL. */
static void
e2e_setup (E2E *t)
{
  g_autoptr(WalletStore) store = NULL;

  memset (t, 0, sizeof *t);
  t->wallet = wallet_test_wallet_new (1);
  store = wallet_store_new (t->wallet->path);
  /* The passphrase a user would type in the unlock dialog. */
  wallet_store_set_passphrase (store, WALLET_TEST_PASSPHRASE);
  e2e_setup_store (t, store);
}

static void
e2e_teardown (E2E *t)
{
  g_autofree char *uri = g_build_filename (t->dir, "uri", NULL);
  g_autofree char *shot = g_build_filename (t->dir, "present.png", NULL);

  gtk_window_destroy (GTK_WINDOW (t->window));
  wallet_test_reader_clear (&t->reader);
  g_remove (uri);
  g_remove (shot);
  g_rmdir (t->dir);
  g_free (t->dir);
  g_free (t->trust);
  wallet_test_wallet_free (t->wallet);
}

/* `tessera reader request` on the app's local socket. */
static void
start_reader (E2E        *t,
              const char *uri)
{
  g_autofree char *trust = t->trust != NULL ? g_strdup (t->trust) :
                           g_build_filename (wallet_test_data_dir (), "store", "iaca.pem", NULL);
  g_autofree char *transport = g_strdup_printf ("local:%s",
    wallet_session_get_socket_path (wallet_present_page_get_session (t->present)));

  wallet_test_reader_start (&t->reader, t->dir, uri, trust, transport, "30", NULL);
}

/* Present, let the reader connect, and return the open consent sheet. */
static WalletConsentDialog *
present_until_consent (E2E *t)
{
  g_autofree char *uri = NULL;
  WalletConsentDialog *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (t->window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, t, TIMEOUT_MS));
  wallet_test_spin (300);
  g_assert_true (wallet_test_shows (GTK_WIDGET (t->present), _("Waiting for a reader…")));
  g_assert_true (wallet_test_shows (GTK_WIDGET (t->present), _("Local transport (testing)")));

  uri = wallet_test_read_qr (GTK_WIDGET (t->window), t->dir);
  g_assert_true (g_str_has_prefix (uri, "mdoc:"));
  g_assert_cmpstr (uri, ==, wallet_session_get_uri (wallet_present_page_get_session (t->present)));
  shoot (GTK_WINDOW (t->window), "present");

  start_reader (t, uri);
  if (!wallet_test_wait (consent_open, t, TIMEOUT_MS))
    {
      /* Say why: the reader's own words, and what the page shows. */
      if (t->reader.done)
        g_test_message ("reader: %s\n%s", t->reader.out, t->reader.err);
      g_test_message ("page: %s, state %d", wallet_present_page_get_view (t->present),
                      (int) wallet_session_get_state (wallet_present_page_get_session (t->present)));
      g_assert_not_reached ();
    }
  dialog = wallet_present_page_get_consent_dialog (t->present);
  /* What the holder sees: who asks, and for what. */
  g_assert_cmpint (wallet_consent_dialog_get_trust (dialog), ==, TSR_READER_ANONYMOUS);
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), _("Unidentified reader")));
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), _("Mobile driving licence")));
  g_assert_nonnull (wallet_test_find (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, _("Family name")));
  return dialog;
}

static void
test_present_share (void)
{
  E2E t;
  WalletConsentDialog *dialog;
  WalletHistoryPage *history;

  e2e_setup (&t);
  shoot (GTK_WINDOW (t.window), "credentials");
  if (g_getenv ("WALLET_SCREENSHOT_DIR") != NULL)
    {
      g_autoptr(WalletCredential) c = g_list_model_get_item (
        wallet_credentials_page_get_model (wallet_window_get_credentials_page (t.window)), 0);

      wallet_window_show_credential (t.window, c);
      wallet_test_spin (1500);
      shoot (GTK_WINDOW (t.window), "detail");
      shoot_full (GTK_WINDOW (t.window), "detail-certificate", scroll_to_end,
                  wallet_window_get_detail_page (t.window));
      wallet_window_go_home (t.window);
    }

  dialog = present_until_consent (&t);
  shoot (GTK_WINDOW (dialog), "consent");
  /* The test hook: the holder turns every switch on and shares. */
  for (gsize e = 0; e < 64; e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);
      if (sw != NULL)
        gtk_switch_set_active (sw, TRUE);
    }
  wallet_consent_dialog_share (dialog);
  {
    tsr_presentation_t *p = wallet_session_get_presentation (wallet_present_page_get_session (t.present));
    gsize consented = 0;

    for (gsize e = 0; e < tsr_presentation_element_count (p, 0); e++)
      {
        tsr_requested_element_t el;

        g_assert_cmpint (tsr_presentation_element (p, 0, e, &el), ==, TSR_OK);
        g_test_message ("%s available %d consented %d", el.identifier, el.available, el.consented);
        consented += el.consented;
      }
    g_assert_cmpuint (consented, >, 0);
  }

  g_assert_true (wallet_test_wait (wallet_test_reader_finished, &t.reader, TIMEOUT_MS));
  g_assert_true (g_subprocess_get_if_exited (t.reader.process));
  if (g_subprocess_get_exit_status (t.reader.process) != 0)
    g_test_message ("reader: %s%s", t.reader.out, t.reader.err);
  g_assert_cmpint (g_subprocess_get_exit_status (t.reader.process), ==, 0);
  g_assert_true (g_str_has_prefix (t.reader.out, "VALID"));
  g_assert_nonnull (strstr (t.reader.out, "Doe"));
  g_assert_nonnull (strstr (t.reader.out, "123456789"));

  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, _("Shared"));
  shoot (GTK_WINDOW (t.window), "result");

  /* Done: home, and the history has the presentation. */
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "done_button"), "clicked");
  history = wallet_window_get_history_page (t.window);
  wallet_window_show_view (t.window, "history");
  g_assert_true (wallet_test_wait (history_lists, &(HistoryWait) { history, 1 }, TIMEOUT_MS));
  {
    g_autoptr(WalletLogEntry) e = g_list_model_get_item (wallet_history_page_get_model (history), 0);
    g_assert_cmpint (wallet_log_entry_get_outcome (e), ==, TSR_PRESENTATION_SHARED);
    g_assert_cmpuint (wallet_log_entry_get_shared (e)->len, ==, 5);
  }
  if (g_getenv ("WALLET_SCREENSHOT_DIR") != NULL)
    {
      GtkWidget *row = wallet_test_find (GTK_WIDGET (history), ADW_TYPE_EXPANDER_ROW, NULL);
      WalletPreferencesWindow *prefs;

      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      shoot (GTK_WINDOW (t.window), "history");
      /* What a new user sees: Bluetooth, the default. */
      g_settings_reset (wallet_window_get_settings (t.window), "transport");
      prefs = wallet_preferences_window_new (GTK_WINDOW (t.window),
                                             wallet_window_get_store (t.window),
                                             wallet_window_get_settings (t.window));
      {
        gsize len;
        g_autofree char *root = NULL;
        g_autofree char *path = g_build_filename (wallet_test_data_dir (), "reader", "reader_root.pem", NULL);
        g_autoptr(GBytes) bytes = NULL;

        g_assert_true (g_file_get_contents (path, &root, &len, NULL));
        bytes = g_bytes_new (root, len);
        wallet_preferences_window_import (prefs, bytes);
      }
      gtk_window_present (GTK_WINDOW (prefs));
      wallet_test_spin (1500);
      shoot (GTK_WINDOW (prefs), "preferences");
      gtk_window_destroy (GTK_WINDOW (prefs));
    }
  e2e_teardown (&t);
}

/* The presentation of test_present_share in Japanese, in a child process
 * (gettext caches translations across a change of LANGUAGE): the pages
 * show the catalogue's texts, and the screenshots get "-ja". */
static void
test_present_share_ja (void)
{
  const char *localedir = g_getenv ("WALLET_TEST_LOCALEDIR");

  if (localedir == NULL)
    {
      g_test_skip ("WALLET_TEST_LOCALEDIR is not set");
      return;
    }
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT |
                                       G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  g_setenv ("LANGUAGE", "ja", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* The .ui templates are translated in the default domain, as in main.c. */
  textdomain (GETTEXT_PACKAGE);
  g_assert_cmpstr (_("Shared"), ==, "共有しました");
  shot_language = "-ja";
  test_present_share ();
}

static void
test_present_decline (void)
{
  E2E t;
  WalletConsentDialog *dialog;

  e2e_setup (&t);
  dialog = present_until_consent (&t);
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (dialog), 0, "decline_button"), "clicked");

  g_assert_true (wallet_test_wait (wallet_test_reader_finished, &t.reader, TIMEOUT_MS));
  g_assert_cmpint (g_subprocess_get_exit_status (t.reader.process), ==, 1);
  g_assert_nonnull (strstr (t.reader.out, "no_documents"));
  g_assert_null (strstr (t.reader.out, "Doe"));
  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Declined");
  e2e_teardown (&t);
}

static void
test_present_cancel (void)
{
  E2E t;

  e2e_setup (&t);
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  /* Cancel while waiting: the session stops and the app goes home. */
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "cancel_button"), "clicked");
  g_assert_null (wallet_present_page_get_session (t.present));
  wallet_test_spin (800);
  e2e_teardown (&t);
}

/* TRUE when this machine has a usable Bluetooth stack, where the
 * no-Bluetooth tests do not apply. */
static gboolean
have_bluetooth (void)
{
  tsr_ble_link_t *link = NULL;
  int r = tsr_ble_link_bluez_new (NULL, &link);

  tsr_ble_link_free (link);
  return r == TSR_OK || r == TSR_ERR_TRANSPORT_BLE_POWERED_OFF;
}

static void
on_stack_child (GtkStack   *stack,
                GParamSpec *pspec,
                gpointer    data)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "qr") == 0)
    *(gboolean *) data = TRUE;
}

/* Bluetooth chosen, no bluetoothd: a clear error, no QR code, no crash. */
static void
test_present_ble_unavailable (void)
{
  E2E t;
  GtkWidget *stack;
  gboolean qr_shown = FALSE;

  if (have_bluetooth ())
    {
      g_test_skip ("this machine has Bluetooth");
      return;
    }
  e2e_setup (&t);
  g_settings_set_string (wallet_window_get_settings (t.window), "transport", "ble");
  stack = wallet_test_find (GTK_WIDGET (t.present), GTK_TYPE_STACK, "stack");
  g_assert_nonnull (stack);
  g_signal_connect (stack, "notify::visible-child-name", G_CALLBACK (on_stack_child), &qr_shown);
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_false (qr_shown);
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Bluetooth Unavailable");
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "Bluetooth service not running") ||
                 wallet_test_shows (GTK_WIDGET (t.present), "No Bluetooth adapter"));
  g_assert_cmpint (wallet_session_get_state (wallet_present_page_get_session (t.present)), ==,
                   WALLET_SESSION_FAILED);
  g_assert_false (gtk_widget_get_visible (wallet_test_find (GTK_WIDGET (t.present), 0, "cancel_button")));
  wallet_test_spin (300);
  shoot (GTK_WINDOW (t.window), "present-ble-unavailable");
  g_signal_handlers_disconnect_by_data (stack, &qr_shown);

  /* Central mode fails the same way, and a second try works too. */
  g_settings_set_string (wallet_window_get_settings (t.window), "ble-mode", "central");
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Bluetooth Unavailable");
  e2e_teardown (&t);
}

/* Bluetooth chosen, cancelled at once while it starts: no crash, no leak
 * of the session into the next presentation. */
static void
test_present_ble_cancel (void)
{
  E2E t;

  e2e_setup (&t);
  g_settings_set_string (wallet_window_get_settings (t.window), "transport", "ble");
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "cancel_button"), "clicked");
  g_assert_null (wallet_present_page_get_session (t.present));
  wallet_test_spin (800);
  e2e_teardown (&t);
}

/* A reader in a thread, as the CLI reader does it: on the other end of a
 * simulated radio (the mode and UUID from the engagement) or of the local
 * transport; one request per entry of @requests in the same session, each
 * response verified; then the end of the session, or with @holder_ends,
 * waiting for the holder to end it. */
#define SIM_MAX_REQUESTS 4

typedef struct {
  const char *template;
  gboolean sign;                /* readerAuth by the test reader (tests/data/reader) */
} SimRequest;

typedef struct {
  tsr_ble_link_t *holder_link;  /* handed to the session */
  tsr_ble_link_t *reader_link;  /* NULL: the local transport at socket_path */
  char *socket_path;
  char *uri;
  tsr_ble_mode_t mode;
  gboolean l2cap;               /* the reader offers or uses an L2CAP channel */
  gboolean used_l2cap;          /* the messages went over L2CAP (tsr_ble_info_t) */
  gboolean engagement_psm;      /* the holder's engagement named its PSM (BleOptions 21) */
  SimRequest requests[SIM_MAX_REQUESTS]; /* up to the first without a template */
  gboolean holder_ends;
  gboolean done;
  int result;                   /* TSR_OK when every response came and the session ended as asked */
  size_t response_len;
  guint n_responses;
  gboolean valid[SIM_MAX_REQUESTS];      /* the response verified */
  gsize n_elements[SIM_MAX_REQUESTS];    /* elements in its documents */
} SimReader;

static int
sim_link_func (tsr_ble_link_t **ret_link,
               gpointer         user_data)
{
  SimReader *r = user_data;

  *ret_link = g_steal_pointer (&r->holder_link);
  return *ret_link != NULL ? TSR_OK : TSR_ERR_TRANSPORT_BLE_NO_ADAPTER;
}

/* Connects as the reader: over the simulated radio or the local socket. */
static int
sim_connect (SimReader             *r,
             tsr_reader_session_t  *rs,
             tsr_transport_t      **ret_t)
{
  tsr_engagement_ble_t ble;
  tsr_ble_config_t cfg;
  int err;

  if (r->reader_link == NULL)
    return tsr_transport_local_connect (r->socket_path, 10000, ret_t);
  if ((err = tsr_reader_session_ble (rs, &ble)) != TSR_OK)
    return err;
  if (r->mode == TSR_BLE_MODE_PERIPHERAL_SERVER ? !ble.peripheral_server : !ble.central_client)
    return TSR_ERR_NOT_FOUND;
  tsr_ble_config_init (&cfg, TSR_BLE_ROLE_READER, r->mode, ble.uuid);
  cfg.l2cap = r->l2cap;
  /* As a reader does: the engagement's PSM first, the characteristic else. */
  r->engagement_psm = ble.has_psm;
  cfg.psm = ble.has_psm ? ble.psm : 0;
  if (r->mode == TSR_BLE_MODE_CENTRAL_CLIENT)
    {
      const uint8_t *engagement;
      size_t engagement_len;

      /* The reader serves the Ident the holder checks. */
      tsr_reader_session_engagement (rs, &engagement, &engagement_len);
      if ((err = tsr_engagement_ble_ident (engagement, engagement_len, cfg.ident)) != TSR_OK)
        return err;
      cfg.has_ident = true;
    }
  if ((err = tsr_transport_ble_new (&cfg, r->reader_link, ret_t)) != TSR_OK ||
      (err = tsr_transport_ble_connect (*ret_t, 10000)) != TSR_OK)
    return err;
  {
    tsr_ble_info_t info;

    if ((err = tsr_transport_ble_info (*ret_t, &info)) != TSR_OK)
      return err;
    r->used_l2cap = info.l2cap;
  }
  return TSR_OK;
}

static int
sim_build_request (const SimRequest  *q,
                   const uint8_t     *transcript,
                   size_t             transcript_len,
                   uint8_t          **ret_request,
                   size_t            *ret_len)
{
  tsr_request_builder_t *b = NULL;
  g_autofree char *chain = NULL, *key = NULL;
  gsize chain_len = 0, key_len = 0;
  int err;

  if (q->sign)
    {
      g_autofree char *chain_path = g_build_filename (wallet_test_data_dir (), "reader", "reader.pem", NULL);
      g_autofree char *key_path = g_build_filename (wallet_test_data_dir (), "reader", "reader_key.pem", NULL);

      g_assert_true (g_file_get_contents (chain_path, &chain, &chain_len, NULL));
      g_assert_true (g_file_get_contents (key_path, &key, &key_len, NULL));
    }
  if ((err = tsr_request_builder_new (&b)) == TSR_OK &&
      (err = tsr_request_builder_add_template (b, q->template)) == TSR_OK &&
      (!q->sign || (err = tsr_request_builder_set_reader_auth (b, (const uint8_t *) chain, chain_len,
                                                               (const uint8_t *) key, key_len)) == TSR_OK))
    err = tsr_request_builder_build (b, transcript, transcript_len, ret_request, ret_len);
  tsr_request_builder_free (b);
  return err;
}

/* Verifies a response as the reader of @rs, trusting the test IACA. */
static void
sim_verify (SimReader            *r,
            tsr_reader_session_t *rs,
            const uint8_t        *response,
            size_t                len)
{
  g_autofree char *iaca_path = g_build_filename (wallet_test_data_dir (), "store", "iaca.pem", NULL);
  g_autofree char *iaca = NULL;
  gsize iaca_len;
  tsr_verifier_t *v = NULL;
  tsr_verify_result_t *res = NULL;
  guint i = r->n_responses;
  int err;

  g_assert_true (g_file_get_contents (iaca_path, &iaca, &iaca_len, NULL));
  if ((err = tsr_verifier_new (&v)) == TSR_OK &&
      (err = tsr_verifier_add_trust_anchor (v, (const uint8_t *) iaca, iaca_len)) == TSR_OK &&
      (err = tsr_reader_session_prepare_verifier (rs, v)) == TSR_OK)
    err = tsr_verifier_verify (v, response, len, &res);
  /* TSR_ERR_VERIFY comes with a result: a declined request has no documents. */
  r->valid[i] = err == TSR_OK && tsr_verify_result_valid (res);
  for (size_t d = 0; res != NULL && d < tsr_verify_result_doc_count (res); d++)
    r->n_elements[i] += tsr_verified_doc_element_count (tsr_verify_result_doc (res, d));
  tsr_verify_result_free (res);
  tsr_verifier_free (v);
}

static gpointer
sim_reader_thread (gpointer data)
{
  SimReader *r = data;
  tsr_reader_session_t *rs = NULL;
  tsr_transport_t *t = NULL;
  const uint8_t *transcript;
  size_t transcript_len, msg_len = 0, reply_len = 0, end_len = 0;
  uint8_t *msg = NULL, *reply = NULL, *response = NULL, *end = NULL;
  bool ended = false;
  int err;

  if ((err = tsr_reader_session_new (r->uri, &rs)) != TSR_OK ||
      (err = sim_connect (r, rs, &t)) != TSR_OK)
    goto out;
  tsr_reader_session_transcript (rs, &transcript, &transcript_len);
  for (guint i = 0; i < SIM_MAX_REQUESTS && r->requests[i].template != NULL && !ended; i++)
    {
      uint8_t *request = NULL;
      size_t request_len = 0;

      err = sim_build_request (&r->requests[i], transcript, transcript_len, &request, &request_len);
      if (err == TSR_OK)
        err = i == 0 ? tsr_reader_session_establish (rs, request, request_len, &msg, &msg_len) :
                       tsr_reader_session_request (rs, request, request_len, &msg, &msg_len);
      tsr_free (request);
      if (err != TSR_OK ||
          (err = tsr_transport_send (t, msg, msg_len, 5000)) != TSR_OK ||
          (err = tsr_transport_receive (t, TIMEOUT_MS, &reply, &reply_len)) != TSR_OK ||
          (err = tsr_reader_session_receive (rs, reply, reply_len, &response, &r->response_len,
                                             &ended)) != TSR_OK)
        goto out;
      sim_verify (r, rs, response, r->response_len);
      r->n_responses++;
      g_clear_pointer (&msg, tsr_free);
      g_clear_pointer (&reply, tsr_free);
      g_clear_pointer (&response, tsr_free);
    }
  if (r->holder_ends)
    {
      /* The holder's End Session: SessionData {"status": 20}, plain. The
       * reader session takes messages only in answer to a request, so
       * the bytes are compared (18013-5 Annex D's SESSION_TERMINATION). */
      static const uint8_t termination[] = { 0xa1, 0x66, 's', 't', 'a', 't', 'u', 's', 0x14 };

      if ((err = tsr_transport_receive (t, TIMEOUT_MS, &reply, &reply_len)) == TSR_OK &&
          (reply_len != sizeof termination || memcmp (reply, termination, reply_len) != 0))
        err = TSR_ERR_SESSION_STATE;
    }
  else if (!ended && tsr_reader_session_terminate (rs, &end, &end_len) == TSR_OK &&
           tsr_transport_send (t, end, end_len, 2000) != TSR_OK)
    g_debug ("could not end the session");
  tsr_transport_close (t);
out:
  r->result = err;
  tsr_free (msg);
  tsr_free (reply);
  tsr_free (response);
  tsr_free (end);
  tsr_transport_free (t);
  tsr_reader_session_free (rs);
  g_atomic_int_set (&r->done, TRUE);
  return NULL;
}

static gboolean
sim_reader_done (gpointer data)
{
  return g_atomic_int_get (&((SimReader *) data)->done);
}

/* How test_present_ble_simulated runs: the BLE mode, and whether the
 * Preferences switch "Use an L2CAP channel" is turned on (the reader
 * always offers or uses one). */
typedef struct {
  gboolean central;
  gboolean l2cap_switch;
} BleCase;

static const BleCase ble_peripheral = { FALSE, FALSE };
static const BleCase ble_central = { TRUE, FALSE };
static const BleCase ble_peripheral_l2cap = { FALSE, TRUE };
static const BleCase ble_central_l2cap = { TRUE, TRUE };

/* Turns Preferences → Presenting → "Use an L2CAP channel" on or off
 * through its switch, as the holder does. */
static void
set_l2cap_switch (E2E      *t,
                  gboolean  active)
{
  GSettings *settings = wallet_window_get_settings (t->window);
  WalletPreferencesWindow *prefs;
  GtkWidget *sw;

  prefs = wallet_preferences_window_new (GTK_WINDOW (t->window), wallet_window_get_store (t->window),
                                         settings);
  sw = wallet_test_find (GTK_WIDGET (prefs), GTK_TYPE_SWITCH, "ble_l2cap_switch");
  g_assert_nonnull (sw);
  g_assert_true (gtk_widget_is_sensitive (sw));
  gtk_switch_set_active (GTK_SWITCH (sw), active);
  g_assert_true (g_settings_get_boolean (settings, "ble-l2cap") == active);
  gtk_window_destroy (GTK_WINDOW (prefs));
}

/* The app's BLE path end to end on a simulated radio: transport opened
 * before the QR code, the row shows it, a reader connects, the consent
 * sheet, the answer, "Shared". The reader always wants an L2CAP channel:
 * the messages take it exactly when the Preferences switch is on, so the
 * switch reaches the transport's options (tsr_ble_config_t::l2cap). */
static void
test_present_ble_simulated (gconstpointer data)
{
  const BleCase *c = data;
  E2E t;
  SimReader r = { .mode = c->central ? TSR_BLE_MODE_CENTRAL_CLIENT : TSR_BLE_MODE_PERIPHERAL_SERVER,
                  .l2cap = TRUE, .requests = { { "driving-licence" } } };
  WalletConsentDialog *dialog;
  GThread *thread;
  GtkWidget *row;

  e2e_setup (&t);
  g_assert_cmpint (tsr_ble_sim_pair_new (NULL, &r.holder_link, &r.reader_link), ==, TSR_OK);
  wallet_session_set_ble_link_func (sim_link_func, &r);
  g_settings_set_string (wallet_window_get_settings (t.window), "transport", "ble");
  g_settings_set_string (wallet_window_get_settings (t.window), "ble-mode",
                         c->central ? "central" : "peripheral");
  set_l2cap_switch (&t, c->l2cap_switch);
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  g_assert_cmpint (wallet_session_get_transport (wallet_present_page_get_session (t.present)), ==,
                   WALLET_TRANSPORT_BLE);
  row = wallet_test_find (GTK_WIDGET (t.present), ADW_TYPE_ACTION_ROW,
                          c->central ? "Bluetooth LE, central mode" : "Bluetooth LE, peripheral mode");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "BLE transport"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "simulated link"));

  r.uri = g_strdup (wallet_session_get_uri (wallet_present_page_get_session (t.present)));
  thread = g_thread_new ("sim-reader", sim_reader_thread, &r);
  g_assert_true (wallet_test_wait (consent_open, &t, TIMEOUT_MS));
  dialog = wallet_present_page_get_consent_dialog (t.present);
  g_assert_true (wallet_test_shows (GTK_WIDGET (dialog), "Mobile driving licence"));
  /* An anonymous reader: every switch starts off; the holder turns them on. */
  for (gsize e = 0; e < 64; e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);
      if (sw != NULL)
        gtk_switch_set_active (sw, TRUE);
    }
  wallet_consent_dialog_share (dialog);
  g_assert_true (wallet_test_wait (sim_reader_done, &r, TIMEOUT_MS));
  g_thread_join (thread);
  g_assert_cmpint (r.result, ==, TSR_OK);
  g_assert_cmpuint (r.response_len, >, 0);
  g_assert_true (r.used_l2cap == c->l2cap_switch);
  /* A holder serving GATT names its PSM in the QR code's engagement. */
  g_assert_true (r.engagement_psm == (c->l2cap_switch && !c->central));
  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Shared");

  wallet_session_set_ble_link_func (NULL, NULL);
  e2e_teardown (&t);
  /* The session (and its link) is gone with the window. */
  tsr_ble_link_free (r.holder_link);
  tsr_ble_link_free (r.reader_link);
  g_free (r.uri);
}

/* What bluetoothd on both machines makes of a main.conf with these
 * lines (real files, read by libtessera's parser), as the simulated radio
 * pair reports it: the BlueZ link does the same with the file its
 * bluetoothd was started with. */
static gboolean
eatt_from_main_conf (const char *text)
{
  g_autofree char *dir = g_dir_make_tmp ("wallet-eatt-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "main.conf", NULL);
  tsr_ble_eatt_t eatt;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (tsr_ble_bluez_eatt_check (path, &eatt), ==, TSR_OK);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  return eatt.possible;
}

/* A session that stays on GATT (the radios have no L2CAP) while
 * bluetoothd may use EATT (Channels = 3): the hint below the session says
 * why it may fail and what to do, from the reader's connection to the
 * result, and is gone when the next presentation starts. With Channels =
 * 1, no hint. (Where the radios have L2CAP, EATT makes both sides take
 * it: valid_l2cap_preferred_with_eatt in test-transport-ble.) */
static void
test_present_ble_eatt_hint (gconstpointer data)
{
  gboolean eatt = GPOINTER_TO_INT (data);
  tsr_ble_sim_config_t sim = { .no_l2cap = true };
  E2E t;
  SimReader r = { .mode = TSR_BLE_MODE_PERIPHERAL_SERVER,
                  .requests = { { "driving-licence" } } };
  WalletConsentDialog *dialog;
  GThread *thread;
  GtkWidget *hint;

  sim.eatt = eatt_from_main_conf (eatt ? "[General]\nName = wallet\n\n[GATT]\nChannels = 3\n" :
                                         "[GATT]\nChannels = 1\n");
  g_assert_true (sim.eatt == eatt);
  e2e_setup (&t);
  g_assert_cmpint (tsr_ble_sim_pair_new (&sim, &r.holder_link, &r.reader_link), ==, TSR_OK);
  wallet_session_set_ble_link_func (sim_link_func, &r);
  g_settings_set_string (wallet_window_get_settings (t.window), "transport", "ble");
  g_settings_set_string (wallet_window_get_settings (t.window), "ble-mode", "peripheral");
  set_l2cap_switch (&t, FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  hint = wallet_test_find (GTK_WIDGET (t.present), GTK_TYPE_BOX, "eatt_hint");
  g_assert_nonnull (hint);
  /* Nothing to say before a reader chose its bearer. */
  g_assert_false (gtk_widget_is_visible (hint));

  r.uri = g_strdup (wallet_session_get_uri (wallet_present_page_get_session (t.present)));
  thread = g_thread_new ("sim-reader", sim_reader_thread, &r);
  g_assert_true (wallet_test_wait (consent_open, &t, TIMEOUT_MS));
  g_assert_true (gtk_widget_is_visible (hint) == eatt);
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "Channels = 1") == eatt);
  dialog = wallet_present_page_get_consent_dialog (t.present);
  wallet_consent_dialog_share (dialog);
  g_assert_true (wallet_test_wait (sim_reader_done, &r, TIMEOUT_MS));
  g_thread_join (thread);
  g_assert_cmpint (r.result, ==, TSR_OK);
  g_assert_false (r.used_l2cap);
  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_true (gtk_widget_is_visible (hint) == eatt);

  /* The next presentation starts without it. */
  g_assert_true (wallet_present_page_start (t.present));
  g_assert_false (gtk_widget_get_visible (hint));
  wallet_present_page_stop (t.present);

  wallet_session_set_ble_link_func (NULL, NULL);
  e2e_teardown (&t);
  tsr_ble_link_free (r.holder_link);
  tsr_ble_link_free (r.reader_link);
  g_free (r.uri);
}

/* Cancel while advertising and waiting for a reader: the worker stops
 * within a slice and closes the transport itself; the radio is free for
 * the next presentation. */
static void
test_present_ble_cancel_waiting (void)
{
  E2E t;
  SimReader r = { .mode = TSR_BLE_MODE_PERIPHERAL_SERVER };
  tsr_ble_link_t *spare_a = NULL, *spare_b = NULL;

  e2e_setup (&t);
  g_assert_cmpint (tsr_ble_sim_pair_new (NULL, &r.holder_link, &r.reader_link), ==, TSR_OK);
  wallet_session_set_ble_link_func (sim_link_func, &r);
  g_settings_set_string (wallet_window_get_settings (t.window), "transport", "ble");
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  wallet_test_spin (600);
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "cancel_button"), "clicked");
  g_assert_null (wallet_present_page_get_session (t.present));
  wallet_test_spin (800);

  /* Again, on a fresh radio. */
  g_assert_cmpint (tsr_ble_sim_pair_new (NULL, &spare_a, &spare_b), ==, TSR_OK);
  r.holder_link = spare_a;
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "cancel_button"), "clicked");
  wallet_test_spin (600);
  wallet_session_set_ble_link_func (NULL, NULL);
  e2e_teardown (&t);
  tsr_ble_link_free (r.reader_link);
  tsr_ble_link_free (spare_b);
}

/* Starts @r in a thread against the session on screen. */
static GThread *
start_sim_reader (E2E       *t,
                  SimReader *r)
{
  WalletSession *session = wallet_present_page_get_session (t->present);

  r->uri = g_strdup (wallet_session_get_uri (session));
  if (r->reader_link == NULL)
    r->socket_path = g_strdup (wallet_session_get_socket_path (session));
  return g_thread_new ("sim-reader", sim_reader_thread, r);
}

static void
sim_reader_clear (SimReader *r)
{
  tsr_ble_link_free (r->holder_link);
  tsr_ble_link_free (r->reader_link);
  g_free (r->uri);
  g_free (r->socket_path);
}

/* The next consent sheet; fails the test, saying why, when none comes. */
static WalletConsentDialog *
wait_consent (E2E       *t,
              SimReader *r)
{
  if (!wallet_test_wait (consent_open, t, TIMEOUT_MS))
    {
      g_test_message ("reader: done %d, result %s, %u responses", g_atomic_int_get (&r->done),
                      tsr_strerror (r->result), r->n_responses);
      g_test_message ("page: %s, state %d", wallet_present_page_get_view (t->present),
                      (int) wallet_session_get_state (wallet_present_page_get_session (t->present)));
      g_assert_not_reached ();
    }
  return wallet_present_page_get_consent_dialog (t->present);
}

/* Turns on the switches of the first @n available elements and shares. */
static void
share_first (WalletConsentDialog *dialog,
             gsize                n)
{
  for (gsize e = 0, on = 0; e < 64; e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);

      if (sw != NULL)
        gtk_switch_set_active (sw, on++ < n);
    }
  wallet_consent_dialog_share (dialog);
}

static gboolean
session_in_state (E2E                *t,
                  WalletSessionState  state)
{
  WalletSession *s = wallet_present_page_get_session (t->present);

  return s != NULL && wallet_session_get_state (s) == state &&
         g_strcmp0 (wallet_present_page_get_view (t->present), "result") == 0;
}

static gboolean
session_answered (gpointer data)
{
  return session_in_state (data, WALLET_SESSION_ANSWERED);
}

static gboolean
session_ended (gpointer data)
{
  E2E *t = data;
  GtkWidget *done = wallet_test_find (GTK_WIDGET (t->present), GTK_TYPE_BUTTON, "done_button");

  /* The session's state changes first; the page follows when its own
   * wait for the next request returns. */
  return session_in_state (t, WALLET_SESSION_ENDED) && done != NULL &&
         gtk_widget_get_visible (done);
}

static GtkWidget *
present_button (E2E        *t,
                const char *id)
{
  GtkWidget *button = wallet_test_find (GTK_WIDGET (t->present), GTK_TYPE_BUTTON, id);

  g_assert_nonnull (button);
  return button;
}

/* Done on the present page, then the presentation log, newest first, once
 * it has @n entries. */
static GListModel *
history_model (E2E  *t,
               guint n)
{
  WalletHistoryPage *history = wallet_window_get_history_page (t->window);

  g_signal_emit_by_name (present_button (t, "done_button"), "clicked");
  wallet_window_show_view (t->window, "history");
  g_assert_true (wallet_test_wait (history_lists, &(HistoryWait) { history, n }, TIMEOUT_MS));
  return wallet_history_page_get_model (history);
}

/* Several requests in one session, as 18013-5 allows: each has its own
 * consent sheet, response and history entry; the page keeps the session
 * open between them and sums it up when the reader ends it. Over the
 * local transport the second request is declined; over the simulated
 * radio it is partly shared. */
static void
test_present_several (gconstpointer data)
{
  gboolean ble = GPOINTER_TO_INT (data);
  E2E t;
  SimReader r = { .mode = TSR_BLE_MODE_PERIPHERAL_SERVER,
                  .requests = { { "driving-licence" }, { "mdl-full" } } };
  WalletConsentDialog *first, *second;
  GListModel *log;
  GThread *thread;

  e2e_setup (&t);
  if (ble)
    {
      g_assert_cmpint (tsr_ble_sim_pair_new (NULL, &r.holder_link, &r.reader_link), ==, TSR_OK);
      wallet_session_set_ble_link_func (sim_link_func, &r);
      g_settings_set_string (wallet_window_get_settings (t.window), "transport", "ble");
    }
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  thread = start_sim_reader (&t, &r);

  first = wait_consent (&t, &r);
  g_assert_true (wallet_test_shows (GTK_WIDGET (first), "Mobile driving licence"));
  share_first (first, G_MAXSIZE);
  /* The first sheet is gone: this is the second request's (mdl-full). */
  second = wait_consent (&t, &r);
  /* Behind the second sheet, the answer to the first. */
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Shared");
  g_assert_nonnull (wallet_test_find (GTK_WIDGET (second), ADW_TYPE_ACTION_ROW, "Given names"));
  if (ble)
    share_first (second, 1);
  else
    g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (second), 0, "decline_button"), "clicked");

  g_assert_true (wallet_test_wait (sim_reader_done, &r, TIMEOUT_MS));
  g_thread_join (thread);
  g_assert_cmpint (r.result, ==, TSR_OK);
  g_assert_cmpuint (r.n_responses, ==, 2);
  g_assert_true (r.valid[0]);
  g_assert_cmpuint (r.n_elements[0], ==, 5);
  /* Declined: a response without documents; partly shared: one element. */
  g_assert_cmpint (r.valid[1], ==, ble);
  g_assert_cmpuint (r.n_elements[1], ==, ble ? 1 : 0);

  g_assert_true (wallet_test_wait (session_ended, &t, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, ble ? "Shared" : "Declined");
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "Session ended — 2 requests answered"));
  g_assert_true (gtk_widget_get_visible (wallet_test_find (GTK_WIDGET (t.present), 0, "requests_group")));
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "Shared 5 items"));
  g_assert_true (gtk_widget_get_visible (present_button (&t, "done_button")));
  g_assert_false (gtk_widget_get_visible (present_button (&t, "end_button")));
  if (!ble)
    shoot (GTK_WINDOW (t.window), "present-session-ended");

  log = history_model (&t, 2);
  g_assert_cmpuint (g_list_model_get_n_items (log), ==, 2);
  {
    g_autoptr(WalletLogEntry) last = g_list_model_get_item (log, 0);
    g_autoptr(WalletLogEntry) earlier = g_list_model_get_item (log, 1);

    g_assert_cmpint (wallet_log_entry_get_outcome (last), ==,
                     ble ? TSR_PRESENTATION_SHARED : TSR_PRESENTATION_DECLINED);
    g_assert_cmpuint (wallet_log_entry_get_shared (last)->len, ==, ble ? 1 : 0);
    g_assert_cmpuint (wallet_log_entry_get_requested (last)->len, ==, 11);
    g_assert_cmpint (wallet_log_entry_get_outcome (earlier), ==, TSR_PRESENTATION_SHARED);
    g_assert_cmpuint (wallet_log_entry_get_shared (earlier)->len, ==, 5);
  }

  wallet_session_set_ble_link_func (NULL, NULL);
  e2e_teardown (&t);
  sim_reader_clear (&r);
}

/* End Session on the holder's side: the reader, waiting for more, gets
 * status 20; the page sums the session up. */
static void
test_present_end_session (void)
{
  E2E t;
  SimReader r = { .requests = { { "driving-licence" } }, .holder_ends = TRUE };
  GThread *thread;

  e2e_setup (&t);
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  thread = start_sim_reader (&t, &r);
  share_first (wait_consent (&t, &r), G_MAXSIZE);

  g_assert_true (wallet_test_wait (session_answered, &t, TIMEOUT_MS));
  wallet_test_spin (300);
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "Waiting for another request"));
  g_assert_true (gtk_widget_get_visible (present_button (&t, "end_button")));
  g_assert_false (gtk_widget_get_visible (present_button (&t, "done_button")));
  g_assert_false (g_atomic_int_get (&r.done));
  shoot (GTK_WINDOW (t.window), "present-session-open");

  g_signal_emit_by_name (present_button (&t, "end_button"), "clicked");
  g_assert_true (wallet_test_wait (sim_reader_done, &r, TIMEOUT_MS));
  g_thread_join (thread);
  /* TSR_OK: the reader got its response and then status 20. */
  g_assert_cmpint (r.result, ==, TSR_OK);
  g_assert_cmpuint (r.n_responses, ==, 1);
  g_assert_true (r.valid[0]);
  g_assert_true (wallet_test_wait (session_ended, &t, TIMEOUT_MS));
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "Session ended — 1 request answered"));
  g_assert_false (gtk_widget_get_visible (wallet_test_find (GTK_WIDGET (t.present), 0, "requests_group")));
  g_assert_true (gtk_widget_get_visible (present_button (&t, "done_button")));
  e2e_teardown (&t);
  sim_reader_clear (&r);
}

/* One session of the trusted-readers-only test: @requests[0] answered
 * (consented in full when a sheet comes), the page saved as @shot (may be
 * NULL) while the session is still open, then End Session. */
static void
run_policy_session (E2E        *t,
                    SimReader  *r,
                    gboolean    expect_sheet,
                    const char *shot)
{
  GThread *thread;

  g_action_group_activate_action (G_ACTION_GROUP (t->window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, t, TIMEOUT_MS));
  thread = start_sim_reader (t, r);
  if (expect_sheet)
    share_first (wait_consent (t, r), G_MAXSIZE);
  g_assert_true (wallet_test_wait (session_answered, t, TIMEOUT_MS));
  if (!expect_sheet)
    g_assert_null (wallet_present_page_get_consent_dialog (t->present));
  if (shot != NULL)
    {
      wallet_test_spin (300);
      shoot (GTK_WINDOW (t->window), shot);
    }
  g_signal_emit_by_name (present_button (t, "end_button"), "clicked");
  g_assert_true (wallet_test_wait (sim_reader_done, r, TIMEOUT_MS));
  g_thread_join (thread);
  g_assert_cmpint (r->result, ==, TSR_OK);
  g_assert_cmpuint (r->n_responses, ==, 1);
  g_assert_true (wallet_test_wait (session_ended, t, TIMEOUT_MS));
}

/* Preferences → Presenting → "Only share with trusted readers": the
 * library's strict reader policy. On, a reader without readerAuth gets no
 * consent sheet and no data, the page says why, the history has it as
 * declined (as the CLI's --strict logs it); a trusted reader is asked
 * about as usual. Off, the same anonymous reader gets a consent sheet. */
static void
test_trusted_readers_only (void)
{
  E2E t;
  SimReader anonymous = { .requests = { { "driving-licence" } }, .holder_ends = TRUE };
  SimReader trusted = { .requests = { { "driving-licence", TRUE } }, .holder_ends = TRUE };
  SimReader allowed = { .requests = { { "driving-licence" } }, .holder_ends = TRUE };
  g_autofree char *root_path = g_build_filename (wallet_test_data_dir (), "reader", "reader_root.pem", NULL);
  g_autofree char *root = NULL;
  gsize root_len;
  GSettings *settings;
  GListModel *log;
  tsr_store_t *store;

  e2e_setup (&t);
  settings = wallet_window_get_settings (t.window);
  g_assert_false (g_settings_get_boolean (settings, "refuse-untrusted-readers"));
  g_assert_true (g_file_get_contents (root_path, &root, &root_len, NULL));
  store = wallet_test_wallet_open (t.wallet);
  g_assert_cmpint (tsr_store_trust_add (store, TSR_TRUST_READER_ROOT, (const uint8_t *) root,
                                        root_len, NULL), ==, TSR_OK);
  tsr_store_free (store);

  g_settings_set_boolean (settings, "refuse-untrusted-readers", TRUE);
  run_policy_session (&t, &anonymous, FALSE, "present-refused");
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Refused");
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "did not identify itself"));
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "allow only trusted readers"));
  g_assert_false (anonymous.valid[0]);
  g_assert_cmpuint (anonymous.n_elements[0], ==, 0);

  run_policy_session (&t, &trusted, TRUE, NULL);
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Shared");
  g_assert_true (trusted.valid[0]);
  g_assert_cmpuint (trusted.n_elements[0], ==, 5);

  g_settings_set_boolean (settings, "refuse-untrusted-readers", FALSE);
  run_policy_session (&t, &allowed, TRUE, NULL);
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Shared");
  g_assert_true (allowed.valid[0]);

  log = history_model (&t, 3);
  g_assert_cmpuint (g_list_model_get_n_items (log), ==, 3);
  {
    g_autoptr(WalletLogEntry) refused = g_list_model_get_item (log, 2);
    g_autoptr(WalletLogEntry) shared = g_list_model_get_item (log, 1);

    g_assert_cmpint (wallet_log_entry_get_outcome (refused), ==, TSR_PRESENTATION_DECLINED);
    g_assert_cmpint (wallet_log_entry_get_reader_trust (refused), ==, TSR_READER_ANONYMOUS);
    g_assert_cmpuint (wallet_log_entry_get_shared (refused)->len, ==, 0);
    g_assert_cmpint (wallet_log_entry_get_outcome (shared), ==, TSR_PRESENTATION_SHARED);
    g_assert_cmpint (wallet_log_entry_get_reader_trust (shared), ==, TSR_READER_TRUSTED);
  }
  e2e_teardown (&t);
  sim_reader_clear (&anonymous);
  sim_reader_clear (&trusted);
  sim_reader_clear (&allowed);
}

/* Bluetooth is only the default: without it, the local transport, and
 * the engagement offers no BLE a reader would try in vain. */
static void
test_present_ble_default_fallback (void)
{
  E2E t;
  g_autofree char *uri = NULL;
  tsr_reader_session_t *rs = NULL;
  tsr_engagement_ble_t ble;

  if (have_bluetooth ())
    {
      g_test_skip ("this machine has Bluetooth");
      return;
    }
  e2e_setup (&t);
  g_settings_reset (wallet_window_get_settings (t.window), "transport");
  g_action_group_activate_action (G_ACTION_GROUP (t.window), "present", NULL);
  g_assert_true (wallet_test_wait (session_waiting, &t, TIMEOUT_MS));
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present), "Local transport (testing)"));
  g_assert_cmpint (wallet_session_get_transport (wallet_present_page_get_session (t.present)), ==,
                   WALLET_TRANSPORT_LOCAL);
  wallet_test_spin (300);
  uri = wallet_test_read_qr (GTK_WIDGET (t.window), t.dir);
  g_assert_cmpstr (uri, ==, wallet_session_get_uri (wallet_present_page_get_session (t.present)));
  g_assert_cmpint (tsr_reader_session_new (uri, &rs), ==, TSR_OK);
  g_assert_cmpint (tsr_reader_session_ble (rs, &ble), ==, TSR_ERR_NOT_FOUND);
  tsr_reader_session_free (rs);
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "cancel_button"), "clicked");
  e2e_teardown (&t);
}

/* The Preferences rows store the choice; a new window shows it again. */
static void
test_transport_choice_persisted (void)
{
  E2E t;
  GSettings *settings;
  WalletPreferencesWindow *prefs;
  AdwComboRow *transport, *mode;
  g_autofree char *value = NULL;

  e2e_setup (&t);
  settings = wallet_window_get_settings (t.window);
  g_settings_reset (settings, "transport");
  prefs = wallet_preferences_window_new (GTK_WINDOW (t.window), wallet_window_get_store (t.window),
                                         settings);
  transport = ADW_COMBO_ROW (wallet_test_find (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "transport_row"));
  mode = ADW_COMBO_ROW (wallet_test_find (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "ble_mode_row"));
  /* The default: Bluetooth, peripheral; opening the window stores nothing. */
  g_assert_cmpuint (adw_combo_row_get_selected (transport), ==, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (mode), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (mode)));
  g_assert_null (g_settings_get_user_value (settings, "transport"));

  adw_combo_row_set_selected (mode, 1);
  value = g_settings_get_string (settings, "ble-mode");
  g_assert_cmpstr (value, ==, "central");
  g_clear_pointer (&value, g_free);
  adw_combo_row_set_selected (transport, 1);
  value = g_settings_get_string (settings, "transport");
  g_assert_cmpstr (value, ==, "local");
  g_clear_pointer (&value, g_free);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (mode)));
  g_assert_false (gtk_widget_get_sensitive (wallet_test_find (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW,
                                                              "ble_l2cap_row")));
  adw_combo_row_set_selected (transport, 0);
  value = g_settings_get_string (settings, "transport");
  g_assert_cmpstr (value, ==, "ble");
  /* Chosen now, so a missing adapter will be an error, not a fallback. */
  g_assert_nonnull (g_settings_get_user_value (settings, "transport"));
  /* "Only share with trusted readers", off by default, sets the key. */
  {
    GtkWidget *row = wallet_test_find (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW,
                                       "Only share with trusted readers");
    GtkSwitch *sw = GTK_SWITCH (wallet_test_find (GTK_WIDGET (prefs), GTK_TYPE_SWITCH,
                                                  "trusted_readers_switch"));
    GtkWidget *heading = wallet_test_find (GTK_WIDGET (prefs), GTK_TYPE_LABEL, "Presenting");

    g_assert_nonnull (row);
    g_assert_nonnull (heading);
    g_assert_true (gtk_widget_is_ancestor (row, gtk_widget_get_ancestor (heading,
                                                                         ADW_TYPE_PREFERENCES_GROUP)));
    g_assert_false (gtk_switch_get_active (sw));
    gtk_switch_set_active (sw, TRUE);
    g_assert_true (g_settings_get_boolean (settings, "refuse-untrusted-readers"));
    gtk_switch_set_active (sw, FALSE);
    g_assert_false (g_settings_get_boolean (settings, "refuse-untrusted-readers"));
  }
  gtk_window_destroy (GTK_WINDOW (prefs));

  prefs = wallet_preferences_window_new (GTK_WINDOW (t.window), wallet_window_get_store (t.window),
                                         settings);
  mode = ADW_COMBO_ROW (wallet_test_find (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, "ble_mode_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (mode), ==, 1);
  gtk_window_destroy (GTK_WINDOW (prefs));
  e2e_teardown (&t);
}

/* ---- A TPM wallet made with a PIN, on a real swtpm ---- */

#define TPM_PIN "2468"
#define TPM_NEW_PIN "1357"

static gboolean
pin_dialog_open (gpointer data)
{
  E2E *t = data;
  AdwMessageDialog *d = wallet_present_page_get_pin_dialog (t->present);

  return d != NULL && gtk_widget_get_mapped (GTK_WIDGET (d));
}

static gboolean
store_created (gpointer data)
{
  return *(int *) data != 0;
}

static void
on_store_created (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (wallet_store_create_finish (WALLET_STORE (source), result, &error));
  g_assert_no_error (error);
  *(int *) user_data = 1;
}

/* Types @pin into the open PIN prompt and confirms it; returns its body. */
static char *
answer_pin (E2E        *t,
            const char *pin)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  char *body;

  g_assert_true (wallet_test_wait (pin_dialog_open, t, TIMEOUT_MS));
  dialog = wallet_present_page_get_pin_dialog (t->present);
  body = g_strdup (adw_message_dialog_get_body (dialog));
  entry = wallet_test_find (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW, "PIN");
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), pin);
  /* What a click on Share does: the response, then the dialog goes. */
  adw_message_dialog_response (dialog, "share");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return body;
}

/* Presents until the consent sheet, turns every switch on and shares. */
static void
share_all (E2E *t)
{
  WalletConsentDialog *dialog = present_until_consent (t);

  for (gsize e = 0; e < 64; e++)
    {
      GtkSwitch *sw = wallet_consent_dialog_get_switch (dialog, 0, e);
      if (sw != NULL)
        gtk_switch_set_active (sw, TRUE);
    }
  wallet_consent_dialog_share (dialog);
}

/* The change is done and its toast shown (a new toast each time: the
 * window keeps only the last one, so the caller compares it). */
static gboolean
prefs_answered (gpointer data)
{
  return !wallet_preferences_window_get_busy (data) &&
         wallet_preferences_window_get_last_toast (data) != NULL;
}

static gboolean
pin_dialog_or_result (gpointer data)
{
  return pin_dialog_open (data) || result_shown (data);
}

static const char *
change_tpm_pin (WalletPreferencesWindow *prefs,
                const char              *old_pin,
                const char              *new_pin)
{
  GtkWidget *button = wallet_test_find (GTK_WIDGET (prefs), GTK_TYPE_BUTTON, "pin_button");
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *dialog = NULL;

  g_assert_true (gtk_widget_get_visible (button) && gtk_widget_get_sensitive (button));
  wallet_preferences_window_change_pin (prefs);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GObject) o = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (o) && gtk_widget_get_visible (GTK_WIDGET (o)) &&
          gtk_window_get_transient_for (GTK_WINDOW (o)) == GTK_WINDOW (prefs))
        dialog = ADW_MESSAGE_DIALOG (o);
    }
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Change PIN");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "TPM"));
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "Current PIN")), old_pin);
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "New PIN")), new_pin);
  gtk_editable_set_text (GTK_EDITABLE (wallet_test_find (GTK_WIDGET (dialog), 0, "Repeat new PIN")), new_pin);
  adw_message_dialog_response (dialog, "change");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (wallet_test_wait (prefs_answered, prefs, TIMEOUT_MS));
  return wallet_preferences_window_get_last_toast (prefs);
}

/* A TPM wallet created with a PIN (what the create dialog does): its key
 * has the PIN as its authValue. Sharing asks for it after the consent
 * sheet; a wrong one is said so and asked again, the right one signs and
 * the reader verifies. Preferences changes it (TPM2_ObjectChangeAuth: a
 * wrong current PIN is refused), and the new one works. Wrong PINs until
 * the TPM's dictionary-attack lockout end the request with that reason. */
static void
test_present_tpm_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WalletStore) store = NULL;
  g_autofree char *dir = NULL, *ca_dir = NULL, *path = NULL, *body = NULL;
  tsr_sa_key_options_t options = { .pin = TPM_PIN };
  WalletPreferencesWindow *prefs;
  tsr_test_swtpm_t *tpm;
  tsr_store_t *ts;
  int created = 0;
  gboolean locked = FALSE;
  E2E t;

  if (!tsr_test_swtpm_available () || g_getenv ("WALLET_TEST_TESSERA_ISSUER") == NULL)
    {
      g_test_skip ("swtpm or tessera-issuer is not available");
      return;
    }
  memset (&t, 0, sizeof t);
  dir = g_dir_make_tmp ("tsr-gui-tpm-pin-XXXXXX", &error);
  g_assert_no_error (error);
  ca_dir = tsr_test_swtpm_ca_dir_new ();
  tpm = tsr_test_swtpm_new (ca_dir);
  path = g_build_filename (dir, "wallet.db", NULL);
  store = wallet_store_new (path);
  wallet_store_create_async (store, TSR_SA_TPM2, tsr_test_swtpm_tcti (tpm), NULL, NULL, TPM_PIN,
                             NULL, on_store_created, &created);
  g_assert_true (wallet_test_wait (store_created, &created, TIMEOUT_MS));
  ts = wallet_store_acquire (store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (wallet_store_get_keys_have_pin (store));
  wallet_test_issue_full (ts, dir, &options, "org.iso.18013.5.1.mDL", "mdl.json");
  wallet_store_release (store);
  /* As after a restart: the PIN is not kept, the holder types it. */
  wallet_store_set_passphrase (store, NULL);
  e2e_setup_store (&t, store);
  t.trust = g_build_filename (dir, "pki", "iaca.pem", NULL);

  /* Share: the PIN is asked; a wrong one first. */
  share_all (&t);
  body = answer_pin (&t, "0000");
  g_assert_nonnull (strstr (body, "needs its PIN"));
  g_clear_pointer (&body, g_free);
  body = answer_pin (&t, TPM_PIN);
  g_assert_nonnull (strstr (body, "not right"));
  g_clear_pointer (&body, g_free);
  g_assert_true (wallet_test_wait (wallet_test_reader_finished, &t.reader, TIMEOUT_MS));
  if (g_subprocess_get_exit_status (t.reader.process) != 0)
    g_test_message ("reader: %s%s", t.reader.out, t.reader.err);
  g_assert_cmpint (g_subprocess_get_exit_status (t.reader.process), ==, 0);
  g_assert_true (g_str_has_prefix (t.reader.out, "VALID"));
  g_assert_nonnull (strstr (t.reader.out, "Lindqvist"));
  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Shared");
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "done_button"), "clicked");

  /* Preferences: the PIN row says so and changes it. */
  prefs = wallet_preferences_window_new (GTK_WINDOW (t.window), store,
                                         wallet_window_get_settings (t.window));
  gtk_window_present (GTK_WINDOW (prefs));
  wallet_test_spin (500);
  g_assert_true (wallet_test_shows (GTK_WIDGET (prefs), "The TPM uses the keys only with this PIN"));
  g_assert_cmpstr (change_tpm_pin (prefs, "9999", TPM_NEW_PIN), ==, "The current passphrase or PIN is wrong");
  g_assert_cmpstr (change_tpm_pin (prefs, TPM_PIN, TPM_NEW_PIN), ==, "PIN changed");
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* The new PIN shares. (Each wrong PIN counts towards the TPM's lockout,
   * two so far: the old PIN is not tried here; test-store checks it.) */
  wallet_test_reader_clear (&t.reader);
  share_all (&t);
  g_free (answer_pin (&t, TPM_NEW_PIN));
  g_assert_true (wallet_test_wait (wallet_test_reader_finished, &t.reader, TIMEOUT_MS));
  if (!g_str_has_prefix (t.reader.out, "VALID"))
    g_test_message ("reader: %s%s", t.reader.out, t.reader.err);
  g_assert_true (g_str_has_prefix (t.reader.out, "VALID"));
  g_assert_true (wallet_test_wait (result_shown, &t, TIMEOUT_MS));
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Shared");
  g_signal_emit_by_name (wallet_test_find (GTK_WIDGET (t.present), 0, "done_button"), "clicked");

  /* Wrong PINs until the TPM locks itself: the request fails, saying why. */
  wallet_test_reader_clear (&t.reader);
  share_all (&t);
  for (guint attempt = 0; attempt < 32 && !locked; attempt++)
    {
      g_free (answer_pin (&t, "0000"));
      g_assert_true (wallet_test_wait (pin_dialog_or_result, &t, TIMEOUT_MS));
      locked = result_shown (&t);
    }
  g_assert_true (locked);
  g_assert_cmpstr (wallet_present_page_get_result_title (t.present), ==, "Presentation Failed");
  g_assert_true (wallet_test_shows (GTK_WIDGET (t.present),
                                    "The PIN is locked after too many wrong attempts"));
  g_assert_true (wallet_test_wait (wallet_test_reader_finished, &t.reader, TIMEOUT_MS));
  g_assert_cmpint (g_subprocess_get_exit_status (t.reader.process), !=, 0);

  e2e_teardown (&t);
  g_clear_object (&store);
  tsr_test_swtpm_free (tpm);
  tsr_test_rmrf (ca_dir);
  tsr_test_rmrf (dir);
}

int
main (int   argc,
      char *argv[])
{
  wallet_test_init (&argc, &argv);

  g_test_add_func ("/wallet/e2e/present-share", test_present_share);
  g_test_add_func ("/wallet/e2e/present-share/ja", test_present_share_ja);
  g_test_add_func ("/wallet/e2e/present-decline", test_present_decline);
  g_test_add_func ("/wallet/e2e/present-tpm-pin", test_present_tpm_pin);
  g_test_add_func ("/wallet/e2e/present-cancel", test_present_cancel);
  g_test_add_func ("/wallet/e2e/present-ble-unavailable", test_present_ble_unavailable);
  g_test_add_func ("/wallet/e2e/present-ble-cancel", test_present_ble_cancel);
  g_test_add_func ("/wallet/e2e/present-ble-cancel-waiting", test_present_ble_cancel_waiting);
  g_test_add_data_func ("/wallet/e2e/present-ble-eatt-hint/channels-3", GINT_TO_POINTER (TRUE),
                        test_present_ble_eatt_hint);
  g_test_add_data_func ("/wallet/e2e/present-ble-eatt-hint/channels-1", GINT_TO_POINTER (FALSE),
                        test_present_ble_eatt_hint);
  g_test_add_data_func ("/wallet/e2e/present-ble-simulated/peripheral", &ble_peripheral,
                        test_present_ble_simulated);
  g_test_add_data_func ("/wallet/e2e/present-ble-simulated/central", &ble_central,
                        test_present_ble_simulated);
  g_test_add_data_func ("/wallet/e2e/present-ble-simulated/peripheral-l2cap", &ble_peripheral_l2cap,
                        test_present_ble_simulated);
  g_test_add_data_func ("/wallet/e2e/present-ble-simulated/central-l2cap", &ble_central_l2cap,
                        test_present_ble_simulated);
  g_test_add_func ("/wallet/e2e/present-ble-default-fallback", test_present_ble_default_fallback);
  g_test_add_data_func ("/wallet/e2e/present-several/local", GINT_TO_POINTER (FALSE),
                        test_present_several);
  g_test_add_data_func ("/wallet/e2e/present-several/ble-simulated", GINT_TO_POINTER (TRUE),
                        test_present_several);
  g_test_add_func ("/wallet/e2e/present-end-session", test_present_end_session);
  g_test_add_func ("/wallet/e2e/trusted-readers-only", test_trusted_readers_only);
  g_test_add_func ("/wallet/e2e/transport-choice-persisted", test_transport_choice_persisted);
  return g_test_run ();
}
