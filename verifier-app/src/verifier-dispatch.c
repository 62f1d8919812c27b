/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-dispatch.h"

void
verifier_dispatch_to_context (GMainContext *context, GSourceFunc func, gpointer data,
    GDestroyNotify notify)
{
	g_autoptr (GSource) source = g_idle_source_new ();

	g_return_if_fail (func != NULL);
	g_source_set_priority (source, G_PRIORITY_DEFAULT);
	g_source_set_callback (source, func, data, notify);
	g_source_set_static_name (source, "[tessera-verifier] dispatch");
	g_source_attach (source, context);
}
