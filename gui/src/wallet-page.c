/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "wallet-page-private.h"

void
wallet_page_class_setup (GtkWidgetClass *widget_class,
                         const char     *resource,
                         glong           stack_offset,
                         glong           list_box_offset,
                         glong           error_page_offset)
{
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, resource);
  if (stack_offset >= 0)
    gtk_widget_class_bind_template_child_full (widget_class, "stack", FALSE, stack_offset);
  if (list_box_offset >= 0)
    gtk_widget_class_bind_template_child_full (widget_class, "list_box", FALSE, list_box_offset);
  if (error_page_offset >= 0)
    gtk_widget_class_bind_template_child_full (widget_class, "error_page", FALSE, error_page_offset);
}

void
wallet_page_dispose (GtkWidget     *page,
                     GType          page_type,
                     GCancellable **cancellable)
{
  g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  gtk_widget_dispose_template (page, page_type);
  /* The template's root box has no id, so dispose_template leaves it. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (page)) != NULL;)
    gtk_widget_unparent (child);
}

GCancellable *
wallet_page_begin_load (GtkStack      *stack,
                        GCancellable **cancellable,
                        gboolean       keep_showing)
{
  g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
  if (!keep_showing)
    gtk_stack_set_visible_child_name (stack, "loading");
  return *cancellable;
}

void
wallet_page_finish_load (GtkStack                   *stack,
                         AdwStatusPage              *error_page,
                         GtkListBox                 *list_box,
                         GListModel                **slot,
                         GListModel                 *model,
                         const GError               *error,
                         GtkListBoxCreateWidgetFunc  create_row,
                         WalletPageErrorState        error_state)
{
  const char *state;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (model != NULL)
    wallet_page_show_model (stack, list_box, slot, model, create_row);
  else if (error_state != NULL && (state = error_state (error)) != NULL)
    gtk_stack_set_visible_child_name (stack, state);
  else
    wallet_page_show_error (stack, error_page, error);
}

void
wallet_page_show_error (GtkStack      *stack,
                        AdwStatusPage *error_page,
                        const GError  *error)
{
  adw_status_page_set_description (error_page, error->message);
  gtk_stack_set_visible_child_name (stack, "error");
}

void
wallet_page_show_model (GtkStack                   *stack,
                        GtkListBox                 *list_box,
                        GListModel                **slot,
                        GListModel                 *model,
                        GtkListBoxCreateWidgetFunc  create_row)
{
  g_set_object (slot, model);
  gtk_list_box_bind_model (list_box, model, create_row, NULL, NULL);
  gtk_stack_set_visible_child_name (stack, g_list_model_get_n_items (model) > 0 ? "list" : "empty");
}

GtkWidget *
wallet_property_row_new (const char *title,
                         const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (row, "property");
  return row;
}
