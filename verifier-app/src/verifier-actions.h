/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _VerifierWindow VerifierWindow;

/* Every action of the app, in one place (app.* and win.*). */
void verifier_actions_install_app (AdwApplication *app);
void verifier_actions_install_window (VerifierWindow *window);
void verifier_actions_add_window_shortcuts (GtkWidgetClass *widget_class);

G_END_DECLS
