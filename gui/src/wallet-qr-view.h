/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A QR code drawn module by module on whole pixels: crisp at any size,
 * black on white with the 4-module quiet zone, never smoothed. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define WALLET_TYPE_QR_VIEW (wallet_qr_view_get_type ())
G_DECLARE_FINAL_TYPE (WalletQrView, wallet_qr_view, WALLET, QR_VIEW, GtkWidget)

GtkWidget  *wallet_qr_view_new      (void);
/* NULL or "" clears the code. Returns FALSE when the text does not fit. */
gboolean    wallet_qr_view_set_text (WalletQrView *self,
                                     const char   *text);
const char *wallet_qr_view_get_text (WalletQrView *self);

G_END_DECLS
