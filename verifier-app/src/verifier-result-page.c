/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-result-page.h"

#include <glib/gi18n.h>
#include <tessera/tessera.h>

#include "verifier-catalog.h"

struct _VerifierResultPage {
	AdwBin parent_instance;

	AdwWindowTitle *window_title;
	GtkScrolledWindow *scroller;
	GtkWidget *verdict_box;
	GtkImage *verdict_icon;
	GtkLabel *verdict_title;
	GtkLabel *verdict_subtitle;
	GtkWidget *portrait_box;
	GtkPicture *portrait;
	GtkLabel *portrait_caption;
	AdwPreferencesGroup *reasons_group;
	GtkBox *documents_box;
	GtkActionBar *session_bar;
	GtkWidget *holder_ended_bar;

	VerifierResult *result;
	GPtrArray *reason_rows;
	GPtrArray *detail_expanders;
	const char *verdict_class;
};

G_DEFINE_FINAL_TYPE (VerifierResultPage, verifier_result_page, ADW_TYPE_BIN)

static GtkWidget *
property_row (const char *title, const char *value)
{
	GtkWidget *row = adw_action_row_new ();

	adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
	adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL && *value ? value : "—");
	gtk_widget_add_css_class (row, "value-row");
	return row;
}

static void
add_property (AdwPreferencesGroup *group, const char *title, const char *value)
{
	adw_preferences_group_add (group, property_row (title, value));
}

static void
clear (VerifierResultPage *self)
{
	GtkWidget *child;

	for (guint i = 0; i < self->reason_rows->len; i++)
		adw_preferences_group_remove (self->reasons_group, self->reason_rows->pdata[i]);
	g_ptr_array_set_size (self->reason_rows, 0);
	g_ptr_array_set_size (self->detail_expanders, 0);
	while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->documents_box))) != NULL)
		gtk_box_remove (self->documents_box, child);
	gtk_picture_set_paintable (self->portrait, NULL);
	gtk_widget_set_visible (self->portrait_box, FALSE);
	if (self->verdict_class != NULL)
		gtk_widget_remove_css_class (self->verdict_box, self->verdict_class);
	self->verdict_class = NULL;
}

static const char *
device_auth_text (tsr_device_auth_kind_t kind)
{
	switch (kind) {
	case TSR_DEVICE_AUTH_SIGNATURE: return _("Signed by the wallet’s device key");
	case TSR_DEVICE_AUTH_MAC: return _("Authenticated with the session key (MAC)");
	case TSR_DEVICE_AUTH_NONE:
	default: return _("None");
	}
}

static char *
status_text (const tsr_verified_doc_t *doc)
{
	const char *why = tsr_verified_doc_status_reason (doc);

	switch (tsr_verified_doc_status (doc)) {
	case TSR_DOC_STATUS_NONE: return g_strdup (_("Not checked: the document names no status list"));
	case TSR_DOC_STATUS_VALID: return g_strdup (_("Not revoked (offline status list)"));
	case TSR_DOC_STATUS_REVOKED: return g_strdup (_("Revoked by the issuer"));
	case TSR_DOC_STATUS_SUSPENDED: return g_strdup (_("Suspended by the issuer"));
	case TSR_DOC_STATUS_UNKNOWN:
	default:
		/* Translators: %s is the core's English reason, e.g. "status list expired". */
		return g_strdup_printf (_("Unknown: %s"), why != NULL && *why ? why : "?");
	}
}

static void
set_portrait (VerifierResultPage *self, GBytes *jpeg, gboolean verified)
{
	g_autoptr (GdkTexture) texture = NULL;
	g_autoptr (GError) error = NULL;

	texture = gdk_texture_new_from_bytes (jpeg, &error);
	if (texture == NULL) {
		g_debug ("portrait cannot be shown: %s", error->message);
		return;
	}
	gtk_picture_set_paintable (self->portrait, GDK_PAINTABLE (texture));
	gtk_label_set_label (self->portrait_caption, verified ? _("Portrait signed by the issuer") :
	    _("Portrait from the wallet — not proven"));
	gtk_widget_set_visible (self->portrait_box, TRUE);
}

static void
add_document (VerifierResultPage *self, const tsr_verified_doc_t *doc, gint64 now,
    gboolean *portrait_done)
{
	const char *doc_type = tsr_verified_doc_doctype (doc);
	const char *iaca = tsr_verified_doc_iaca_subject (doc);
	const char *ds = tsr_verified_doc_ds_subject (doc);
	AdwPreferencesGroup *shared, *withheld = NULL, *issuer;
	GtkWidget *details;
	size_t n = tsr_verified_doc_element_count (doc);
	int64_t signed_at, valid_from, valid_until, expected_update, nb, na;
	guint32 reasons = tsr_verified_doc_reasons (doc);
	g_autofree char *country = NULL;
	g_autofree char *issuer_name = NULL;

	shared = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
	adw_preferences_group_set_title (shared, verifier_catalog_doctype_label (doc_type));
	adw_preferences_group_set_description (shared, reasons == 0 ?
	    _("Shared by the holder and signed by the issuer") :
	    _("Shared by the holder — not proven, see above"));
	gtk_box_append (self->documents_box, GTK_WIDGET (shared));

	for (size_t i = 0; i < n; i++) {
		tsr_verified_element_t el;
		g_autofree char *label = NULL;
		g_autofree char *value = NULL;
		GtkWidget *row;

		if (tsr_verified_doc_element (doc, i, &el) != TSR_OK)
			continue;
		label = verifier_catalog_element_label (el.name_space, el.identifier);
		if (verifier_catalog_is_image (el.identifier)) {
			g_autoptr (GBytes) image = verifier_catalog_value_bytes (el.value, el.value_len);

			if (image != NULL && !*portrait_done && g_strcmp0 (el.identifier, "portrait") == 0) {
				set_portrait (self, image, el.verified && !(reasons & ~(guint32) TSR_REASON_REVOKED));
				*portrait_done = TRUE;
			}
			value = g_strdup (image != NULL ? _("Shown above") : _("(cannot be shown)"));
			if (g_strcmp0 (el.identifier, "portrait") != 0 && image != NULL) {
				g_free (value);
				value = verifier_catalog_format_value (el.name_space, el.identifier,
				    el.value, el.value_len, now);
			}
		} else {
			value = verifier_catalog_format_value (el.name_space, el.identifier, el.value,
			    el.value_len, now);
		}
		row = property_row (label, value);
		if (!el.verified) {
			GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

			gtk_widget_set_tooltip_text (icon, _("Not proven"));
			gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
			    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not proven"), -1);
			gtk_widget_add_css_class (icon, "warning");
			adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
		}
		adw_preferences_group_add (shared, row);
	}
	if (n == 0)
		add_property (shared, _("Nothing"), _("The wallet shared no detail of this document."));

	for (size_t i = 0; i < tsr_verified_doc_error_count (doc); i++) {
		const char *ns, *id;
		int64_t code;
		g_autofree char *label = NULL;

		if (tsr_verified_doc_error (doc, i, &ns, &id, &code) != TSR_OK)
			continue;
		if (withheld == NULL) {
			withheld = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
			adw_preferences_group_set_title (withheld, _("Not Shared"));
			adw_preferences_group_set_description (withheld,
			    _("Asked for, but the holder did not share these or the wallet does not have them."));
			gtk_box_append (self->documents_box, GTK_WIDGET (withheld));
		}
		label = verifier_catalog_element_label (ns, id);
		{
			GtkWidget *row = adw_action_row_new ();

			adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
			adw_preferences_group_add (withheld, row);
		}
	}

	issuer = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
	adw_preferences_group_set_title (issuer, _("Issuer"));
	gtk_box_append (self->documents_box, GTK_WIDGET (issuer));
	issuer_name = verifier_catalog_subject_common_name (*iaca ? iaca : ds);
	country = verifier_catalog_subject_country (*iaca ? iaca : ds);
	add_property (issuer, _("Issued by"), *iaca ? issuer_name :
	    (*ds ? issuer_name : _("Unknown")));
	if (!*iaca && *ds)
		add_property (issuer, _("Trust"), _("Not a trusted issuer"));
	add_property (issuer, _("Country"), country);
	if (tsr_verified_doc_validity (doc, &signed_at, &valid_from, &valid_until,
	    &expected_update) == TSR_OK) {
		g_autofree char *from = verifier_catalog_format_date (valid_from);
		g_autofree char *until = verifier_catalog_format_date (valid_until);
		/* Translators: a validity period, "1 October 2020 – 1 October 2021". */
		g_autofree char *period = g_strdup_printf (_("%s – %s"), from, until);

		add_property (issuer, _("Valid"), period);
	}
	add_property (issuer, _("Wallet proof"), device_auth_text (tsr_verified_doc_device_auth (doc)));
	{
		g_autofree char *status = status_text (doc);

		add_property (issuer, _("Revocation"), status);
	}

	details = adw_expander_row_new ();
	adw_preferences_row_set_title (ADW_PREFERENCES_ROW (details), _("Technical Details"));
	adw_preferences_group_add (issuer, details);
	g_ptr_array_add (self->detail_expanders, details);
	{
		GtkWidget *r;
		g_autofree char *names = NULL;
		g_autoptr (GString) flags = g_string_new (NULL);

		r = property_row (_("Document type"), doc_type);
		adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		r = property_row (_("Trusted issuer (IACA)"), *iaca ? iaca : _("None"));
		adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		r = property_row (_("Document signer"), ds);
		adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		if (tsr_verified_doc_ds_validity (doc, &nb, &na) == TSR_OK) {
			g_autofree char *from = verifier_catalog_format_date (nb);
			g_autofree char *until = verifier_catalog_format_date (na);
			g_autofree char *period = g_strdup_printf (_("%s – %s"), from, until);

			r = property_row (_("Signer certificate valid"), period);
			adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		}
		if (tsr_verified_doc_validity (doc, &signed_at, &valid_from, &valid_until,
		    &expected_update) == TSR_OK) {
			g_autofree char *when = verifier_catalog_format_date_time (signed_at);

			r = property_row (_("Signed"), when);
			adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		}
		r = property_row (_("Digest algorithm"), tsr_verified_doc_digest_algorithm (doc));
		adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		for (guint bit = 0; bit < 32; bit++) {
			const char *name = (reasons & (1u << bit)) ? tsr_reason_name (1u << bit) : NULL;

			if ((reasons & (1u << bit)) == 0)
				continue;
			if (flags->len > 0)
				g_string_append (flags, ", ");
			g_string_append (flags, name != NULL ? name : (bit == 21 ? "revoked" : "?"));
		}
		names = g_string_free (g_steal_pointer (&flags), FALSE);
		r = property_row (_("Reason flags"), *names ? names : _("None"));
		adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		{
			g_autofree char *when = verifier_catalog_format_date_time (now);

			r = property_row (_("Checked at"), when);
			adw_expander_row_add_row (ADW_EXPANDER_ROW (details), r);
		}
	}
}

void
verifier_result_page_set_result (VerifierResultPage *self, VerifierResult *result)
{
	const tsr_verify_result_t *core;
	VerifierVerdict verdict;
	g_autofree guint32 *flags = NULL;
	guint n_flags = 0;
	gint64 now;
	gboolean portrait_done = FALSE;
	g_autoptr (GString) subtitle = g_string_new (NULL);
	size_t n_docs;

	g_return_if_fail (VERIFIER_IS_RESULT_PAGE (self));

	clear (self);
	g_set_object (&self->result, result);
	if (result == NULL)
		return;
	core = verifier_result_get_core (result);
	verdict = verifier_result_get_verdict (result);
	now = verifier_result_get_time (result);
	n_docs = tsr_verify_result_doc_count (core);

	gtk_label_set_label (self->verdict_title, verifier_verdict_title (verdict));
	gtk_image_set_from_icon_name (self->verdict_icon, verifier_verdict_icon_name (verdict));
	self->verdict_class = verifier_verdict_css_class (verdict);
	gtk_widget_add_css_class (self->verdict_box, self->verdict_class);
	adw_window_title_set_title (self->window_title, verifier_verdict_title (verdict));

	for (size_t i = 0; i < n_docs; i++) {
		const tsr_verified_doc_t *doc = tsr_verify_result_doc (core, i);

		if (subtitle->len > 0)
			g_string_append (subtitle, " · ");
		g_string_append (subtitle, verifier_catalog_doctype_label (tsr_verified_doc_doctype (doc)));
	}
	switch (verdict) {
	case VERIFIER_VERDICT_VERIFIED:
		g_string_prepend (subtitle, "");
		if (subtitle->len > 0)
			g_string_append (subtitle, "\n");
		g_string_append (subtitle, _("Genuine, unaltered, and shown by the wallet it was issued to."));
		break;
	case VERIFIER_VERDICT_NOT_VERIFIED:
		if (subtitle->len > 0)
			g_string_append (subtitle, "\n");
		g_string_append (subtitle, _("Do not rely on these details."));
		break;
	case VERIFIER_VERDICT_REVOKED:
		if (subtitle->len > 0)
			g_string_append (subtitle, "\n");
		g_string_append (subtitle, _("The issuer has withdrawn this document."));
		break;
	case VERIFIER_VERDICT_STATUS_UNKNOWN:
	default:
		if (subtitle->len > 0)
			g_string_append (subtitle, "\n");
		g_string_append (subtitle, _("Genuine, but whether it was revoked cannot be checked."));
		break;
	}
	gtk_label_set_label (self->verdict_subtitle, subtitle->str);
	gtk_accessible_update_property (GTK_ACCESSIBLE (self->verdict_box),
	    GTK_ACCESSIBLE_PROPERTY_LABEL, verifier_verdict_title (verdict), -1);

	/* Every reason, in plain words. */
	flags = verifier_result_dup_reason_flags (result, &n_flags);
	for (guint i = 0; i < n_flags; i++) {
		GtkWidget *row = adw_action_row_new ();
		GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
		const char *name = tsr_reason_name (flags[i]);

		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
		    verifier_catalog_reason_text (flags[i]));
		adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
		adw_action_row_set_subtitle (ADW_ACTION_ROW (row), name != NULL ? name :
		    (flags[i] == TSR_REASON_REVOKED ? "revoked" : ""));
		gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
		    _("Problem"), -1);
		adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
		adw_preferences_group_add (self->reasons_group, row);
		g_ptr_array_add (self->reason_rows, row);
	}
	if (verdict == VERIFIER_VERDICT_STATUS_UNKNOWN) {
		GtkWidget *row = adw_action_row_new ();
		const char *why = verifier_result_get_status_reason (result);
		g_autofree char *text = g_strdup_printf (
		    _("Whether the issuer revoked this document cannot be checked: %s. Load a current status list in Trust."),
		    why != NULL ? why : _("no usable status list"));

		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
		adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
		adw_action_row_add_prefix (ADW_ACTION_ROW (row),
		    gtk_image_new_from_icon_name ("dialog-question-symbolic"));
		adw_preferences_group_add (self->reasons_group, row);
		g_ptr_array_add (self->reason_rows, row);
	}
	if (verifier_result_get_reasons (result) & TSR_REASON_UNTRUSTED_ISSUER) {
		GtkWidget *row = adw_action_row_new ();

		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
		    _("If you trust this issuer, import its IACA certificate in Trust."));
		adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
		adw_action_row_add_prefix (ADW_ACTION_ROW (row),
		    gtk_image_new_from_icon_name ("dialog-information-symbolic"));
		adw_preferences_group_add (self->reasons_group, row);
		g_ptr_array_add (self->reason_rows, row);
	}
	gtk_widget_set_visible (GTK_WIDGET (self->reasons_group), self->reason_rows->len > 0);

	for (size_t i = 0; i < n_docs; i++)
		add_document (self, tsr_verify_result_doc (core, i), now, &portrait_done);

	gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

VerifierResult *
verifier_result_page_get_result (VerifierResultPage *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT_PAGE (self), NULL);
	return self->result;
}

const char *
verifier_result_page_get_verdict_text (VerifierResultPage *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT_PAGE (self), NULL);
	return gtk_label_get_label (self->verdict_title);
}

gboolean
verifier_result_page_has_portrait (VerifierResultPage *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT_PAGE (self), FALSE);
	return gtk_widget_get_visible (self->portrait_box) &&
	    gtk_picture_get_paintable (self->portrait) != NULL;
}

void
verifier_result_page_set_session_info (VerifierResultPage *self, guint request_number,
    gboolean open)
{
	g_autofree char *subtitle = NULL;

	g_return_if_fail (VERIFIER_IS_RESULT_PAGE (self));
	/* Only from the second on: one request is the usual case. */
	if (request_number > 1)
		subtitle = g_strdup_printf (_("Request %u of this session"), request_number);
	adw_window_title_set_subtitle (self->window_title, subtitle);
	gtk_action_bar_set_revealed (self->session_bar, open);
}

gboolean
verifier_result_page_get_session_open (VerifierResultPage *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT_PAGE (self), FALSE);
	return gtk_action_bar_get_revealed (self->session_bar);
}

void
verifier_result_page_set_holder_ended (VerifierResultPage *self, gboolean ended)
{
	g_return_if_fail (VERIFIER_IS_RESULT_PAGE (self));
	gtk_widget_set_visible (self->holder_ended_bar, ended);
	/* In the buttons' place at once, not under them as they slide away. */
	gtk_widget_set_visible (GTK_WIDGET (self->session_bar), !ended);
}

gboolean
verifier_result_page_get_holder_ended (VerifierResultPage *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT_PAGE (self), FALSE);
	return gtk_widget_get_visible (self->holder_ended_bar);
}

void
verifier_result_page_expand_details (VerifierResultPage *self, gboolean expanded)
{
	g_return_if_fail (VERIFIER_IS_RESULT_PAGE (self));
	for (guint i = 0; i < self->detail_expanders->len; i++)
		adw_expander_row_set_expanded (self->detail_expanders->pdata[i], expanded);
}

static void
verifier_result_page_dispose (GObject *object)
{
	VerifierResultPage *self = VERIFIER_RESULT_PAGE (object);

	g_clear_object (&self->result);
	g_clear_pointer (&self->reason_rows, g_ptr_array_unref);
	g_clear_pointer (&self->detail_expanders, g_ptr_array_unref);
	gtk_widget_dispose_template (GTK_WIDGET (object), VERIFIER_TYPE_RESULT_PAGE);
	G_OBJECT_CLASS (verifier_result_page_parent_class)->dispose (object);
}

static void
verifier_result_page_class_init (VerifierResultPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

	object_class->dispose = verifier_result_page_dispose;
	gtk_widget_class_set_template_from_resource (widget_class,
	    "/org/tessera/Verifier/verifier-result-page.ui");
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, window_title);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, scroller);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, verdict_box);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, verdict_icon);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, verdict_title);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, verdict_subtitle);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, portrait_box);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, portrait);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, portrait_caption);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, reasons_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, documents_box);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, session_bar);
	gtk_widget_class_bind_template_child (widget_class, VerifierResultPage, holder_ended_bar);
}

static void
verifier_result_page_init (VerifierResultPage *self)
{
	gtk_widget_init_template (GTK_WIDGET (self));
	self->reason_rows = g_ptr_array_new ();
	self->detail_expanders = g_ptr_array_new ();
	gtk_widget_set_visible (self->portrait_box, FALSE);
	gtk_widget_set_visible (GTK_WIDGET (self->reasons_group), FALSE);
}
