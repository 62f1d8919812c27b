/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * verifier_dispatch_to_context:
 * @context: the main context whose thread is to run @func (NULL: the
 *   global default one)
 * @func: called in that thread, at %G_PRIORITY_DEFAULT, until it returns
 *   %G_SOURCE_REMOVE
 * @data: passed to @func
 * @notify: (nullable): frees @data after @func ran, or when @context is
 *   destroyed first
 *
 * Queues @func from a worker or GStreamer streaming thread. Unlike
 * g_main_context_invoke_full(), it never runs @func in the calling
 * thread: that one does when @context is the global default context and
 * nobody iterates it at that instant (the main thread is busy between two
 * iterations), which ran the app's widget code off the main thread and let
 * a streaming thread stop its own pipeline, holding the main context: the
 * whole app hung.
 */
void verifier_dispatch_to_context (GMainContext *context, GSourceFunc func, gpointer data,
    GDestroyNotify notify);

G_END_DECLS
