/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-request-page.h"

#include <glib/gi18n.h>
#include <tessera/tessera.h>

#include "verifier-catalog.h"
#include "verifier-request.h"
#include "verifier-session.h"

struct _VerifierRequestPage {
	AdwBin parent_instance;

	AdwPreferencesGroup *templates_group;
	AdwPreferencesGroup *elements_group;
	AdwPreferencesGroup *reader_auth_group;
	AdwPreferencesGroup *connection_group;
	AdwActionRow *reader_auth_row;
	GtkSwitch *reader_auth_switch;
	AdwComboRow *transport_row;
	AdwActionRow *ble_l2cap_row;
	GtkSwitch *ble_l2cap_switch;
	AdwEntryRow *socket_row;
	GtkSpinButton *timeout_spin;

	GSettings *settings;
	GPtrArray *template_checks;  /* GtkCheckButton, data "template" */
	GPtrArray *element_rows;     /* ElementRow */
	gboolean loading;
	gboolean follow_up;
};

enum {
	PROP_0,
	PROP_FOLLOW_UP,
	N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
	CHANGED,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

typedef struct {
	const VerifierCatalogElement *element;
	GtkCheckButton *ask;
	GtkToggleButton *keep;
} ElementRow;

G_DEFINE_FINAL_TYPE (VerifierRequestPage, verifier_request_page, ADW_TYPE_BIN)

static void
save_elements (VerifierRequestPage *self)
{
	g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
	g_auto (GStrv) specs = NULL;

	if (self->loading)
		return;
	for (guint i = 0; i < self->element_rows->len; i++) {
		ElementRow *r = g_ptr_array_index (self->element_rows, i);

		gtk_widget_set_sensitive (GTK_WIDGET (r->keep), gtk_check_button_get_active (r->ask));
		if (!gtk_check_button_get_active (r->ask))
			continue;
		{
			g_autofree char *spec = verifier_request_format_spec (r->element->doc_type,
			    r->element->name_space, r->element->identifier,
			    gtk_toggle_button_get_active (r->keep));

			g_strv_builder_add (builder, spec);
		}
	}
	specs = g_strv_builder_end (builder);
	/* A follow-up request is for this session only: the settings keep
	 * what every session asks first. */
	if (!self->follow_up)
		g_settings_set_strv (self->settings, "request-elements", (const char *const *) specs);
	g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_template_toggled (GtkCheckButton *check, VerifierRequestPage *self)
{
	if (self->loading || !gtk_check_button_get_active (check))
		return;
	if (!self->follow_up)
		g_settings_set_string (self->settings, "request-template",
		    g_object_get_data (G_OBJECT (check), "template"));
	g_signal_emit (self, signals[CHANGED], 0);
}

static const char *
active_template (VerifierRequestPage *self)
{
	for (guint i = 0; i < self->template_checks->len; i++) {
		GtkCheckButton *check = g_ptr_array_index (self->template_checks, i);

		if (gtk_check_button_get_active (check))
			return g_object_get_data (G_OBJECT (check), "template");
	}
	return NULL;
}

static void
add_template_row (VerifierRequestPage *self, const char *name, const char *title,
    const char *description, GtkCheckButton *group)
{
	GtkWidget *row = adw_action_row_new ();
	GtkWidget *check = gtk_check_button_new ();

	adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
	adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
	gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
	if (group != NULL)
		gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
	g_object_set_data_full (G_OBJECT (check), "template", g_strdup (name), g_free);
	adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
	adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
	g_signal_connect (check, "toggled", G_CALLBACK (on_template_toggled), self);
	adw_preferences_group_add (self->templates_group, row);
	g_ptr_array_add (self->template_checks, check);
}

static void
build_templates (VerifierRequestPage *self)
{
	const char *const *names = tsr_request_template_names ();
	GtkCheckButton *group = NULL;

	for (gsize i = 0; names[i] != NULL; i++) {
		add_template_row (self, names[i], verifier_catalog_template_title (names[i]),
		    verifier_catalog_template_description (names[i]), group);
		if (group == NULL)
			group = g_ptr_array_index (self->template_checks, 0);
	}
	add_template_row (self, "", _("Only the details chosen below"),
	    _("No template: ask for exactly what you tick under More Details"), group);
}

static void
build_elements (VerifierRequestPage *self)
{
	gsize n;
	const VerifierCatalogElement *elements = verifier_catalog_elements (&n);
	GtkWidget *expander = NULL;
	const char *doc_type = NULL;

	for (gsize i = 0; i < n; i++) {
		const VerifierCatalogElement *e = &elements[i];
		ElementRow *r;
		GtkWidget *row;

		if (g_strcmp0 (doc_type, e->doc_type) != 0) {
			doc_type = e->doc_type;
			expander = adw_expander_row_new ();
			adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander),
			    verifier_catalog_doctype_label (doc_type));
			adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), doc_type);
			adw_preferences_group_add (self->elements_group, expander);
		}
		r = g_new0 (ElementRow, 1);
		r->element = e;
		row = adw_action_row_new ();
		adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(e->label));
		adw_action_row_set_subtitle (ADW_ACTION_ROW (row), e->identifier);
		r->ask = GTK_CHECK_BUTTON (gtk_check_button_new ());
		gtk_widget_set_valign (GTK_WIDGET (r->ask), GTK_ALIGN_CENTER);
		gtk_accessible_update_property (GTK_ACCESSIBLE (r->ask), GTK_ACCESSIBLE_PROPERTY_LABEL,
		    _(e->label), -1);
		adw_action_row_add_prefix (ADW_ACTION_ROW (row), GTK_WIDGET (r->ask));
		adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (r->ask));
		/* Translators: intent to retain: the reader will store this value. */
		r->keep = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (_("Keep")));
		gtk_widget_set_valign (GTK_WIDGET (r->keep), GTK_ALIGN_CENTER);
		gtk_widget_set_tooltip_text (GTK_WIDGET (r->keep),
		    _("Intent to retain: you will store this value after the check"));
		gtk_widget_set_sensitive (GTK_WIDGET (r->keep), FALSE);
		gtk_widget_add_css_class (GTK_WIDGET (r->keep), "flat");
		adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (r->keep));
		g_signal_connect_swapped (r->ask, "toggled", G_CALLBACK (save_elements), self);
		g_signal_connect_swapped (r->keep, "toggled", G_CALLBACK (save_elements), self);
		adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
		g_ptr_array_add (self->element_rows, r);
	}
}

/* The transport row's items, in order. */
static const char *const transport_values[] = { "auto", "local", "ble" };

static guint
transport_index (const char *value)
{
	for (guint i = 0; i < G_N_ELEMENTS (transport_values); i++)
		if (g_strcmp0 (value, transport_values[i]) == 0)
			return i;
	return 0;
}

/* Shows @template_name and @specs as chosen. */
static void
show_selection (VerifierRequestPage *self, const char *template_name, const char *const *specs)
{
	for (guint i = 0; i < self->template_checks->len; i++) {
		GtkCheckButton *check = g_ptr_array_index (self->template_checks, i);

		if (g_strcmp0 (g_object_get_data (G_OBJECT (check), "template"), template_name) == 0)
			gtk_check_button_set_active (check, TRUE);
	}
	for (guint i = 0; i < self->element_rows->len; i++) {
		ElementRow *r = g_ptr_array_index (self->element_rows, i);
		gboolean ask = FALSE, keep = FALSE;

		for (gsize j = 0; specs[j] != NULL; j++) {
			g_autofree char *dt = NULL, *ns = NULL, *id = NULL;
			gboolean retain;

			if (verifier_request_parse_spec (specs[j], &dt, &ns, &id, &retain) &&
			    g_strcmp0 (dt, r->element->doc_type) == 0 &&
			    g_strcmp0 (ns, r->element->name_space) == 0 &&
			    g_strcmp0 (id, r->element->identifier) == 0) {
				ask = TRUE;
				keep = retain;
			}
		}
		gtk_check_button_set_active (r->ask, ask);
		gtk_toggle_button_set_active (r->keep, keep);
		gtk_widget_set_sensitive (GTK_WIDGET (r->keep), ask);
	}
}

/* The socket is for the local transport, also Automatic's fallback; the
 * L2CAP switch for Bluetooth, also Automatic's first choice. */
static void
show_transport_rows (VerifierRequestPage *self, const char *transport)
{
	gtk_widget_set_visible (GTK_WIDGET (self->socket_row), g_strcmp0 (transport, "ble") != 0);
	gtk_widget_set_visible (GTK_WIDGET (self->ble_l2cap_row), g_strcmp0 (transport, "local") != 0);
}

static void
load_settings (VerifierRequestPage *self)
{
	g_autofree char *template_name = g_settings_get_string (self->settings, "request-template");
	g_auto (GStrv) specs = g_settings_get_strv (self->settings, "request-elements");
	g_autofree char *transport = g_settings_get_string (self->settings, "transport");
	g_autofree char *socket = g_settings_get_string (self->settings, "local-socket");

	self->loading = TRUE;
	show_selection (self, template_name, (const char *const *) specs);
	adw_combo_row_set_selected (self->transport_row, transport_index (transport));
	if (socket[0] == '\0') {
		g_free (socket);
		socket = verifier_session_default_socket ();
	}
	gtk_editable_set_text (GTK_EDITABLE (self->socket_row), socket);
	show_transport_rows (self, transport);
	gtk_spin_button_set_value (self->timeout_spin,
	    g_settings_get_uint (self->settings, "session-timeout"));
	self->loading = FALSE;
}

static void
on_transport_selected (VerifierRequestPage *self)
{
	guint selected = adw_combo_row_get_selected (self->transport_row);

	if (selected >= G_N_ELEMENTS (transport_values))
		return;
	show_transport_rows (self, transport_values[selected]);
	if (!self->loading)
		g_settings_set_string (self->settings, "transport", transport_values[selected]);
}

static void
on_socket_changed (VerifierRequestPage *self)
{
	g_autofree char *def = verifier_session_default_socket ();
	const char *text = gtk_editable_get_text (GTK_EDITABLE (self->socket_row));

	if (self->loading)
		return;
	g_settings_set_string (self->settings, "local-socket", g_strcmp0 (text, def) == 0 ? "" : text);
}

static void
on_timeout_changed (VerifierRequestPage *self)
{
	if (!self->loading)
		g_settings_set_uint (self->settings, "session-timeout",
		    (guint) gtk_spin_button_get_value_as_int (self->timeout_spin));
}

void
verifier_request_page_set_reader_subject (VerifierRequestPage *self, const char *subject)
{
	g_return_if_fail (VERIFIER_IS_REQUEST_PAGE (self));
	if (subject != NULL) {
		g_autofree char *text = g_strdup_printf (_("As %s"), subject);

		adw_action_row_set_subtitle (self->reader_auth_row, text);
	} else {
		adw_action_row_set_subtitle (self->reader_auth_row,
		    _("No reader identity yet: choose a reader certificate and key in Trust"));
	}
	gtk_widget_set_sensitive (GTK_WIDGET (self->reader_auth_switch), subject != NULL ||
	    gtk_switch_get_active (self->reader_auth_switch));
}

void
verifier_request_page_clear (VerifierRequestPage *self)
{
	static const char *const none[] = { NULL };

	g_return_if_fail (VERIFIER_IS_REQUEST_PAGE (self));
	self->loading = TRUE;
	show_selection (self, "", none);
	self->loading = FALSE;
	g_signal_emit (self, signals[CHANGED], 0);
}

VerifierRequest *
verifier_request_page_dup_request (VerifierRequestPage *self)
{
	VerifierRequest *request;

	g_return_val_if_fail (VERIFIER_IS_REQUEST_PAGE (self), NULL);
	request = verifier_request_new ();
	verifier_request_set_template (request, active_template (self));
	for (guint i = 0; i < self->element_rows->len; i++) {
		ElementRow *r = g_ptr_array_index (self->element_rows, i);

		if (gtk_check_button_get_active (r->ask))
			verifier_request_add_element (request, r->element->doc_type,
			    r->element->name_space, r->element->identifier,
			    gtk_toggle_button_get_active (r->keep));
	}
	return request;
}

static void
verifier_request_page_set_property (GObject *object, guint prop_id, const GValue *value,
    GParamSpec *pspec)
{
	VerifierRequestPage *self = VERIFIER_REQUEST_PAGE (object);

	switch (prop_id) {
	case PROP_FOLLOW_UP:
		self->follow_up = g_value_get_boolean (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
	}
}

static void
verifier_request_page_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
	VerifierRequestPage *self = VERIFIER_REQUEST_PAGE (object);

	switch (prop_id) {
	case PROP_FOLLOW_UP:
		g_value_set_boolean (value, self->follow_up);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
	}
}

static void
verifier_request_page_constructed (GObject *object)
{
	VerifierRequestPage *self = VERIFIER_REQUEST_PAGE (object);

	G_OBJECT_CLASS (verifier_request_page_parent_class)->constructed (object);
	if (self->follow_up) {
		/* The session already runs, signed or not, over its transport. */
		gtk_widget_set_visible (GTK_WIDGET (self->reader_auth_group), FALSE);
		gtk_widget_set_visible (GTK_WIDGET (self->connection_group), FALSE);
		verifier_request_page_clear (self);
		return;
	}
	load_settings (self);
	g_settings_bind (self->settings, "reader-auth", self->reader_auth_switch, "active",
	    G_SETTINGS_BIND_DEFAULT);
	g_settings_bind (self->settings, "ble-l2cap", self->ble_l2cap_switch, "active",
	    G_SETTINGS_BIND_DEFAULT);
	g_signal_connect_swapped (self->transport_row, "notify::selected",
	    G_CALLBACK (on_transport_selected), self);
	g_signal_connect_swapped (self->socket_row, "changed", G_CALLBACK (on_socket_changed), self);
	g_signal_connect_swapped (self->timeout_spin, "value-changed",
	    G_CALLBACK (on_timeout_changed), self);
}

static void
verifier_request_page_dispose (GObject *object)
{
	VerifierRequestPage *self = VERIFIER_REQUEST_PAGE (object);

	g_clear_object (&self->settings);
	g_clear_pointer (&self->template_checks, g_ptr_array_unref);
	g_clear_pointer (&self->element_rows, g_ptr_array_unref);
	gtk_widget_dispose_template (GTK_WIDGET (object), VERIFIER_TYPE_REQUEST_PAGE);
	G_OBJECT_CLASS (verifier_request_page_parent_class)->dispose (object);
}

static void
verifier_request_page_class_init (VerifierRequestPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

	object_class->dispose = verifier_request_page_dispose;
	object_class->constructed = verifier_request_page_constructed;
	object_class->set_property = verifier_request_page_set_property;
	object_class->get_property = verifier_request_page_get_property;

	properties[PROP_FOLLOW_UP] = g_param_spec_boolean ("follow-up", NULL, NULL, FALSE,
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties (object_class, N_PROPS, properties);
	/* The choice of template or details changed. */
	signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
	    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

	gtk_widget_class_set_template_from_resource (widget_class,
	    "/org/tessera/Verifier/verifier-request-page.ui");
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, templates_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, elements_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, reader_auth_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, connection_group);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, reader_auth_row);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, reader_auth_switch);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, transport_row);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, ble_l2cap_row);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, ble_l2cap_switch);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, socket_row);
	gtk_widget_class_bind_template_child (widget_class, VerifierRequestPage, timeout_spin);
}

static void
verifier_request_page_init (VerifierRequestPage *self)
{
	gtk_widget_init_template (GTK_WIDGET (self));

	self->settings = g_settings_new (VERIFIER_APP_ID);
	self->template_checks = g_ptr_array_new ();
	self->element_rows = g_ptr_array_new_with_free_func (g_free);
	build_templates (self);
	build_elements (self);
	verifier_request_page_set_reader_subject (self, NULL);
}
