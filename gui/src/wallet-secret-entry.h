/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Emptying an entry that held a passphrase or PIN without leaving it in
 * memory. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8's password buffer (GtkPasswordEntryBuffer, behind
 * AdwPasswordEntryRow) deletes text with a memmove that only moves the
 * terminating NUL: all but the first byte of the old text stay in its
 * memory (docs/assurance.md, finding 24). So the text is first
 * overwritten, byte for byte, by spaces, then deleted. */
void wallet_secret_entry_clear (GtkEditable *entry);

G_END_DECLS
