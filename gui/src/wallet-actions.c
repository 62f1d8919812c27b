/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Every action of the app and its windows, in one place. */

#include <glib/gi18n-lib.h>

#include "wallet-actions-private.h"

/* ---- app.* ---- */

static void
app_quit (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* close_request saves the window state and stops a presentation. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_application_quit (G_APPLICATION (app));
}

static void
app_about (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Tessera authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Tessera Wallet"),
                        "application-icon", WALLET_APP_ID,
                        "developer-name", _("The Tessera authors"),
                        "version", WALLET_VERSION,
                        "comments", _("Keep your mobile IDs and show them to readers"),
                        "license-type", GTK_LICENSE_LGPL_2_1,
                        "developers", developers,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
app_preferences (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (WALLET_IS_WINDOW (window))
    wallet_window_show_preferences (WALLET_WINDOW (window));
}

static const GActionEntry app_entries[] = {
  { "quit", app_quit, NULL, NULL, NULL, { 0 } },
  { "about", app_about, NULL, NULL, NULL, { 0 } },
  { "preferences", app_preferences, NULL, NULL, NULL, { 0 } },
};

void
_wallet_application_actions_init (WalletApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries,
                                   G_N_ELEMENTS (app_entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
}

/* ---- win.* ---- */

static void
win_present (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  wallet_window_start_presentation (WALLET_WINDOW (user_data));
}

static void
win_refresh (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  wallet_window_refresh (WALLET_WINDOW (user_data));
}

static void
win_back (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  WalletWindow *self = WALLET_WINDOW (user_data);

  wallet_present_page_stop (wallet_window_get_present_page (self));
  wallet_window_go_home (self);
}

static void
refresh_unlocked (WalletWindow *self,
                  gpointer      user_data)
{
  wallet_window_refresh (self);
}

static void
win_unlock (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  wallet_window_ensure_unlocked (WALLET_WINDOW (user_data), refresh_unlocked, NULL, NULL);
}

static void
win_import (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  wallet_window_choose_import (WALLET_WINDOW (user_data));
}

static void
win_provision (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  wallet_window_provision (WALLET_WINDOW (user_data));
}

static void
win_create_wallet (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  wallet_window_create_wallet (WALLET_WINDOW (user_data));
}

static const GActionEntry win_entries[] = {
  { "import", win_import, NULL, NULL, NULL, { 0 } },
  { "provision", win_provision, NULL, NULL, NULL, { 0 } },
  { "create-wallet", win_create_wallet, NULL, NULL, NULL, { 0 } },
  { "present", win_present, NULL, NULL, NULL, { 0 } },
  { "refresh", win_refresh, NULL, NULL, NULL, { 0 } },
  { "back", win_back, NULL, NULL, NULL, { 0 } },
  { "unlock", win_unlock, NULL, NULL, NULL, { 0 } },
};

void
_wallet_window_actions_init (WalletWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries,
                                   G_N_ELEMENTS (win_entries), self);
}
