/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-trust-page.h"

#include <glib/gi18n.h>

#include "verifier-catalog.h"
#include "verifier-window.h"

struct _VerifierTrustPage {
	AdwBin parent_instance;

	AdwPreferencesGroup *anchors_group;
	AdwPreferencesGroup *lists_group;
	AdwPreferencesGroup *problems_group;
	AdwActionRow *reader_cert_row;
	AdwActionRow *reader_key_row;

	GSettings *settings;
	VerifierTrustStore *store;
	GPtrArray *anchor_rows;
	GPtrArray *list_rows;
	GPtrArray *problem_rows;
	gboolean anchors_loading, lists_loading;  /* their rows say "Reading…" */
	gint64 now;
};

G_DEFINE_FINAL_TYPE (VerifierTrustPage, verifier_trust_page, ADW_TYPE_BIN)

static gint64
page_now (VerifierTrustPage *self)
{
	return self->now != 0 ? self->now : g_get_real_time () / G_USEC_PER_SEC;
}

/* "3 days", "5 hours", "12 minutes" */
static char *
span_text (gint64 seconds)
{
	gint64 s = ABS (seconds);

	if (s >= 2 * 86400)
		return g_strdup_printf (ngettext ("%d day", "%d days", (gulong) (s / 86400)), (int) (s / 86400));
	if (s >= 2 * 3600)
		return g_strdup_printf (ngettext ("%d hour", "%d hours", (gulong) (s / 3600)), (int) (s / 3600));
	return g_strdup_printf (ngettext ("%d minute", "%d minutes", (gulong) (s / 60)), (int) (s / 60));
}

static void
remove_rows (AdwPreferencesGroup *group, GPtrArray *rows)
{
	for (guint i = 0; i < rows->len; i++)
		adw_preferences_group_remove (group, rows->pdata[i]);
	g_ptr_array_set_size (rows, 0);
}

static void
on_remove_anchor (GtkButton *button, VerifierTrustPage *self)
{
	VerifierTrustAnchor *anchor = g_object_get_data (G_OBJECT (button), "anchor");
	g_autoptr (GError) error = NULL;

	if (!verifier_trust_store_remove_anchor (self->store, anchor, &error))
		verifier_show_toast (GTK_WIDGET (self), error->message);
}

static void
on_remove_list (GtkButton *button, VerifierTrustPage *self)
{
	VerifierStatusList *list = g_object_get_data (G_OBJECT (button), "list");
	g_autoptr (GError) error = NULL;

	if (!verifier_trust_store_remove_status_list (self->store, list, &error))
		verifier_show_toast (GTK_WIDGET (self), error->message);
}

static GtkWidget *
remove_button (const char *accessible_label)
{
	GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

	gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class (button, "flat");
	gtk_widget_set_tooltip_text (button, accessible_label);
	gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
	    accessible_label, -1);
	return button;
}

/* Until the folders are read, a spinner instead of "none". */
static gboolean
add_loading_row (AdwPreferencesGroup *group, GPtrArray *rows, VerifierTrustStore *store)
{
	GtkWidget *row, *spinner;

	if (verifier_trust_store_get_loaded (store))
		return FALSE;
	row = adw_action_row_new ();
	spinner = gtk_spinner_new ();
	gtk_spinner_start (GTK_SPINNER (spinner));
	adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Reading the trust folders…"));
	adw_action_row_add_prefix (ADW_ACTION_ROW (row), spinner);
	adw_preferences_group_add (group, row);
	g_ptr_array_add (rows, row);
	return TRUE;
}

static void
rebuild_problems (VerifierTrustPage *self)
{
	guint n = verifier_trust_store_get_n_problems (self->store);

	remove_rows (self->problems_group, self->problem_rows);
	for (guint i = 0; i < n; i++) {
		GtkWidget *row = adw_action_row_new ();
		GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
		const char *path, *reason;
		g_autofree char *name = NULL;

		verifier_trust_store_get_problem (self->store, i, &path, &reason);
		name = g_path_get_basename (path);
		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
		adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reason);
		gtk_widget_set_tooltip_text (row, path);
		gtk_widget_add_css_class (icon, "warning");
		adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
		adw_preferences_group_add (self->problems_group, row);
		g_ptr_array_add (self->problem_rows, row);
	}
	gtk_widget_set_visible (GTK_WIDGET (self->problems_group), n > 0);
}

static void
rebuild_anchors (VerifierTrustPage *self)
{
	GListModel *anchors = verifier_trust_store_get_anchors (self->store);
	guint n = g_list_model_get_n_items (anchors);

	remove_rows (self->anchors_group, self->anchor_rows);
	self->anchors_loading = add_loading_row (self->anchors_group, self->anchor_rows, self->store);
	if (self->anchors_loading)
		return;
	for (guint i = 0; i < n; i++) {
		g_autoptr (VerifierTrustAnchor) a = g_list_model_get_item (anchors, i);
		GtkWidget *row = adw_action_row_new ();
		GtkWidget *button = remove_button (_("Remove"));
		g_autoptr (GString) subtitle = g_string_new (NULL);
		const char *country = verifier_trust_anchor_get_country (a);
		gint64 not_after = verifier_trust_anchor_get_not_after (a);

		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
		    verifier_trust_anchor_get_common_name (a));
		if (country != NULL)
			/* Translators: an issuer's country code, e.g. "Country: UT". */
			g_string_append_printf (subtitle, _("Country: %s"), country);
		if (not_after != 0) {
			g_autofree char *date = verifier_catalog_format_date (not_after);

			if (subtitle->len > 0)
				g_string_append (subtitle, " · ");
			g_string_append_printf (subtitle, not_after < page_now (self) ?
			    _("Expired on %s") : _("Valid until %s"), date);
		}
		adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
		adw_action_row_add_prefix (ADW_ACTION_ROW (row),
		    gtk_image_new_from_icon_name ("channel-secure-symbolic"));
		g_object_set_data_full (G_OBJECT (button), "anchor", g_object_ref (a), g_object_unref);
		g_signal_connect (button, "clicked", G_CALLBACK (on_remove_anchor), self);
		adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
		adw_preferences_group_add (self->anchors_group, row);
		g_ptr_array_add (self->anchor_rows, row);
	}
	if (n == 0) {
		GtkWidget *row = adw_action_row_new ();

		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No trusted issuers yet"));
		adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
		    _("Import the IACA certificates of the issuers you accept. Until then, no document can be verified."));
		adw_action_row_add_prefix (ADW_ACTION_ROW (row),
		    gtk_image_new_from_icon_name ("dialog-information-symbolic"));
		adw_preferences_group_add (self->anchors_group, row);
		g_ptr_array_add (self->anchor_rows, row);
	}
}

static void
rebuild_lists (VerifierTrustPage *self)
{
	GListModel *lists = verifier_trust_store_get_status_lists (self->store);
	guint n = g_list_model_get_n_items (lists);
	gint64 now = page_now (self);

	remove_rows (self->lists_group, self->list_rows);
	self->lists_loading = add_loading_row (self->lists_group, self->list_rows, self->store);
	if (self->lists_loading)
		return;
	for (guint i = 0; i < n; i++) {
		g_autoptr (VerifierStatusList) l = g_list_model_get_item (lists, i);
		GtkWidget *row = adw_action_row_new ();
		GtkWidget *button = remove_button (_("Remove"));
		g_autoptr (GString) subtitle = g_string_new (NULL);
		gint64 iat = verifier_status_list_get_issued_at (l);
		gint64 exp = verifier_status_list_get_expires_at (l);
		gboolean expired = exp != 0 && exp <= now;
		const char *uri = verifier_status_list_get_uri (l);

		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
		    uri != NULL && *uri ? uri : verifier_status_list_get_path (l));
		if (iat != 0) {
			g_autofree char *age = span_text (now - iat);

			/* Translators: how old a status list is, e.g. "Issued 3 days ago". */
			g_string_append_printf (subtitle, iat <= now ? _("Issued %s ago") : _("Issued in %s"), age);
		}
		if (exp != 0) {
			g_autofree char *left = span_text (exp - now);

			if (subtitle->len > 0)
				g_string_append (subtitle, " · ");
			g_string_append_printf (subtitle, expired ? _("Expired %s ago") : _("Expires in %s"), left);
		}
		{
			guint size = verifier_status_list_get_size (l);

			if (subtitle->len > 0)
				g_string_append (subtitle, " · ");
			g_string_append_printf (subtitle, ngettext ("%u entry", "%u entries", size), size);
		}
		adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
		adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (
		    expired ? "dialog-warning-symbolic" : "view-list-symbolic"));
		g_object_set_data_full (G_OBJECT (button), "list", g_object_ref (l), g_object_unref);
		g_signal_connect (button, "clicked", G_CALLBACK (on_remove_list), self);
		adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
		adw_preferences_group_add (self->lists_group, row);
		g_ptr_array_add (self->list_rows, row);
	}
	if (n == 0) {
		GtkWidget *row = adw_action_row_new ();

		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No status lists"));
		adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
		    _("Documents that name a status list are shown as “Status unknown”."));
		adw_preferences_group_add (self->lists_group, row);
		g_ptr_array_add (self->list_rows, row);
	}
}

static void
update_reader_identity (VerifierTrustPage *self)
{
	g_autofree char *cert = g_settings_get_string (self->settings, "reader-cert");
	g_autofree char *key = g_settings_get_string (self->settings, "reader-key");
	g_autofree char *subject = NULL;
	g_autofree char *data = NULL;
	gsize len;
	gint64 not_after;

	if (cert[0] != '\0' && g_file_get_contents (cert, &data, &len, NULL)) {
		g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data), len);

		if (!verifier_certificate_describe (bytes, &subject, &not_after))
			subject = NULL;
	}
	adw_action_row_set_subtitle (self->reader_cert_row, cert[0] == '\0' ? _("None") :
	    subject != NULL ? subject : cert);
	adw_action_row_set_subtitle (self->reader_key_row, key[0] == '\0' ? _("None") : key);
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added,
    VerifierTrustPage *self)
{
	(void) position; (void) removed; (void) added;
	if (model == verifier_trust_store_get_anchors (self->store))
		rebuild_anchors (self);
	else
		rebuild_lists (self);
}

/* After a read: the lists have rebuilt themselves if they changed; the
 * "Reading…" rows and the problems have not. */
static void
on_loaded (VerifierTrustPage *self)
{
	if (self->anchors_loading)
		rebuild_anchors (self);
	if (self->lists_loading)
		rebuild_lists (self);
	rebuild_problems (self);
}

static void
disconnect_store (VerifierTrustPage *self)
{
	if (self->store == NULL)
		return;
	g_signal_handlers_disconnect_by_data (verifier_trust_store_get_anchors (self->store), self);
	g_signal_handlers_disconnect_by_data (verifier_trust_store_get_status_lists (self->store), self);
	g_signal_handlers_disconnect_by_data (self->store, self);
	g_clear_object (&self->store);
}

void
verifier_trust_page_set_store (VerifierTrustPage *self, VerifierTrustStore *store)
{
	g_return_if_fail (VERIFIER_IS_TRUST_PAGE (self));

	disconnect_store (self);
	if (store == NULL)
		return;
	self->store = g_object_ref (store);
	g_signal_connect (verifier_trust_store_get_anchors (store), "items-changed",
	    G_CALLBACK (on_items_changed), self);
	g_signal_connect (verifier_trust_store_get_status_lists (store), "items-changed",
	    G_CALLBACK (on_items_changed), self);
	g_signal_connect_swapped (store, "notify::loaded", G_CALLBACK (on_loaded), self);
	rebuild_anchors (self);
	rebuild_lists (self);
	rebuild_problems (self);
}

void
verifier_trust_page_set_now (VerifierTrustPage *self, gint64 now)
{
	g_return_if_fail (VERIFIER_IS_TRUST_PAGE (self));
	self->now = now;
	if (self->store != NULL) {
		rebuild_anchors (self);
		rebuild_lists (self);
	}
}

static void
verifier_trust_page_dispose (GObject *object)
{
	VerifierTrustPage *self = VERIFIER_TRUST_PAGE (object);

	disconnect_store (self);
	g_clear_object (&self->settings);
	g_clear_pointer (&self->anchor_rows, g_ptr_array_unref);
	g_clear_pointer (&self->list_rows, g_ptr_array_unref);
	g_clear_pointer (&self->problem_rows, g_ptr_array_unref);
	gtk_widget_dispose_template (GTK_WIDGET (object), VERIFIER_TYPE_TRUST_PAGE);
	G_OBJECT_CLASS (verifier_trust_page_parent_class)->dispose (object);
}

static void
verifier_trust_page_class_init (VerifierTrustPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

	object_class->dispose = verifier_trust_page_dispose;
	gtk_widget_class_set_template_from_resource (widget_class,
	    "/org/tessera/Verifier/verifier-trust-page.ui");
	gtk_widget_class_bind_template_child (widget_class, VerifierTrustPage, anchors_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierTrustPage, lists_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierTrustPage, problems_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierTrustPage, reader_cert_row);
	gtk_widget_class_bind_template_child (widget_class, VerifierTrustPage, reader_key_row);
}

static void
verifier_trust_page_init (VerifierTrustPage *self)
{
	gtk_widget_init_template (GTK_WIDGET (self));
	self->anchor_rows = g_ptr_array_new ();
	self->list_rows = g_ptr_array_new ();
	self->problem_rows = g_ptr_array_new ();
	self->settings = g_settings_new (VERIFIER_APP_ID);
	g_signal_connect_swapped (self->settings, "changed::reader-cert",
	    G_CALLBACK (update_reader_identity), self);
	g_signal_connect_swapped (self->settings, "changed::reader-key",
	    G_CALLBACK (update_reader_identity), self);
	update_reader_identity (self);
}
