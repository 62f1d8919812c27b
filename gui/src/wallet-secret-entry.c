/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "wallet-secret-entry.h"

void
wallet_secret_entry_clear (GtkEditable *entry)
{
  g_autofree char *spaces = g_strnfill (strlen (gtk_editable_get_text (entry)), ' ');

  gtk_editable_set_text (entry, spaces);
  gtk_editable_set_text (entry, "");
}
