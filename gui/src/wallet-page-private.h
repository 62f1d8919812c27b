/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* What the credentials, history and detail pages share: each is a
 * GtkWidget with a template (a GtkStack of loading / list / empty / error
 * children) that loads from the store in a GTask thread. */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* For class_init: a bin layout, the template at @resource, and its
 * "stack", "list_box" and "error_page" children bound to the instance
 * struct at those offsets (-1: the page has no such child). */
void       wallet_page_class_setup     (GtkWidgetClass            *widget_class,
                                        const char                *resource,
                                        glong                      stack_offset,
                                        glong                      list_box_offset,
                                        glong                      error_page_offset);

/* For dispose: cancels a load in flight, disposes the template and
 * unparents the template's root, which has no id and so stays behind. */
void       wallet_page_dispose         (GtkWidget                 *page,
                                        GType                      page_type,
                                        GCancellable             **cancellable);

/* Starts a load: cancels the one in flight and renews *@cancellable
 * (returned); shows "loading" unless @keep_showing (the page has content
 * to show meanwhile). */
GCancellable *wallet_page_begin_load   (GtkStack                  *stack,
                                        GCancellable             **cancellable,
                                        gboolean                   keep_showing);

/* Which stack child shows @error instead of the error page, or NULL. */
typedef const char *(*WalletPageErrorState) (const GError *error);

/* Ends a list load, with the model or the error of its _finish(): nothing
 * for a cancelled load; else the model (wallet_page_show_model()), or the
 * child @error_state names for the error, or the error page. */
void       wallet_page_finish_load     (GtkStack                  *stack,
                                        AdwStatusPage             *error_page,
                                        GtkListBox                *list_box,
                                        GListModel               **slot,
                                        GListModel                *model,
                                        const GError              *error,
                                        GtkListBoxCreateWidgetFunc create_row,
                                        WalletPageErrorState       error_state);

/* A load that failed: @error's message on the error status page. */
void       wallet_page_show_error      (GtkStack                  *stack,
                                        AdwStatusPage             *error_page,
                                        const GError              *error);

/* A load that worked: keeps @model in *@slot, binds it to @list_box and
 * shows "list", or "empty" when it has no items. */
void       wallet_page_show_model      (GtkStack                  *stack,
                                        GtkListBox                *list_box,
                                        GListModel               **slot,
                                        GListModel                *model,
                                        GtkListBoxCreateWidgetFunc create_row);

/* A read-only row: @title over @value (plain text, wrapped). */
GtkWidget *wallet_property_row_new     (const char                *title,
                                        const char                *value);

G_END_DECLS
