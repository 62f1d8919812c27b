/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>
#include <string.h>

#include "wallet-actions-private.h"
#include "wallet-application.h"
#include "wallet-window.h"

struct _WalletApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  WalletStore *store;
};

G_DEFINE_FINAL_TYPE (WalletApplication, wallet_application, ADW_TYPE_APPLICATION)

static void
wallet_application_startup (GApplication *app)
{
  WalletApplication *self = WALLET_APPLICATION (app);
  g_autofree char *path = NULL;
  const char *pin;

  G_APPLICATION_CLASS (wallet_application_parent_class)->startup (app);

  self->settings = g_settings_new (WALLET_APP_ID);
  path = g_settings_get_string (self->settings, "wallet-path");
  self->store = wallet_store_new (g_getenv ("TESSERA_WALLET") != NULL ?
                                  g_getenv ("TESSERA_WALLET") : path);
  /* As the CLI: a passphrase from the environment (tests, kiosks). */
  if ((pin = g_getenv ("TESSERA_PIN")) != NULL)
    wallet_store_set_passphrase (self->store, pin);

  _wallet_application_actions_init (self);
}

static void
wallet_application_activate (GApplication *app)
{
  WalletApplication *self = WALLET_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (wallet_window_new (self));
  gtk_window_present (window);
}

static void
wallet_application_shutdown (GApplication *app)
{
  WalletApplication *self = WALLET_APPLICATION (app);

  G_APPLICATION_CLASS (wallet_application_parent_class)->shutdown (app);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
}

static void
wallet_application_class_init (WalletApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = wallet_application_startup;
  app_class->activate = wallet_application_activate;
  app_class->shutdown = wallet_application_shutdown;
}

static void
wallet_application_init (WalletApplication *self)
{
}

WalletApplication *
wallet_application_new (void)
{
  return g_object_new (WALLET_TYPE_APPLICATION,
                       "application-id", WALLET_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/tessera/Wallet",
                       NULL);
}

WalletStore *
wallet_application_get_store (WalletApplication *self)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (self), NULL);
  return self->store;
}

GSettings *
wallet_application_get_settings (WalletApplication *self)
{
  g_return_val_if_fail (WALLET_IS_APPLICATION (self), NULL);
  return self->settings;
}
