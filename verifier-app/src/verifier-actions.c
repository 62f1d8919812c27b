/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-actions.h"

#include <glib/gi18n.h>

#include "verifier-window.h"

/* ---- app.* ---- */

static void
app_quit (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	g_application_quit (G_APPLICATION (user_data));
}

static void
app_about (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
	const char *developers[] = { "The Tessera authors", NULL };
	GtkWidget *about;

	(void) action; (void) parameter;
	about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
	    "transient-for", parent,
	    "application-name", _("Tessera Verifier"),
	    "application-icon", VERIFIER_APP_ID,
	    "developer-name", "The Tessera authors",
	    "version", VERIFIER_VERSION,
	    "comments", _("Check mobile driving licences and IDs offline (ISO/IEC 18013-5)."),
	    "license-type", GTK_LICENSE_LGPL_2_1,
	    "developers", developers,
	    /* Translators: your names, one per line. */
	    "translator-credits", _("translator-credits"),
	    NULL);
	gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_entries[] = {
	{ .name = "quit", .activate = app_quit },
	{ .name = "about", .activate = app_about },
};

void
verifier_actions_install_app (AdwApplication *app)
{
	const char *quit[] = { "<Control>q", NULL };

	g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
	gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit);
}

/* ---- win.* ---- */

typedef void (*FileChosenFunc) (VerifierWindow *self, GFile *file);

typedef struct {
	VerifierWindow *self;
	FileChosenFunc func;
} ChooseData;

static void
on_file_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
	ChooseData *data = user_data;

	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

		if (file != NULL)
			data->func (data->self, file);
	}
	gtk_native_dialog_destroy (dialog);
	g_object_unref (dialog);
	g_object_unref (data->self);
	g_free (data);
}

static void
choose_file (VerifierWindow *self, const char *title, GtkFileChooserAction action,
    GtkFileFilter *filter, FileChosenFunc func)
{
	GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
	    _("_Open"), _("_Cancel"));
	ChooseData *data = g_new0 (ChooseData, 1);

	data->self = g_object_ref (self);
	data->func = func;
	gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
	if (filter != NULL) {
		/* Takes @filter. */
		gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
		g_object_unref (filter);
	}
	g_signal_connect (dialog, "response", G_CALLBACK (on_file_response), data);
	gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
win_open_image (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	GtkFileFilter *filter = gtk_file_filter_new ();

	(void) action; (void) parameter;
	gtk_file_filter_set_name (filter, _("Pictures"));
	gtk_file_filter_add_pixbuf_formats (filter);
	gtk_file_filter_add_mime_type (filter, "image/png");
	gtk_file_filter_add_mime_type (filter, "image/jpeg");
	choose_file (user_data, _("Open a Picture of the QR Code"), GTK_FILE_CHOOSER_ACTION_OPEN,
	    filter, verifier_window_scan_file);
}

static void
on_paste_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
	VerifierWindow *self = user_data;
	GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
	g_autofree char *uri = NULL;

	if (g_strcmp0 (response, "check") != 0)
		return;
	uri = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
	verifier_window_start_session (self, uri);
}

static void
on_clipboard_text (GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr (GtkWidget) entry = user_data;
	g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

	if (text != NULL && g_ascii_strncasecmp (g_strstrip (text), "mdoc:", 5) == 0 &&
	    *gtk_editable_get_text (GTK_EDITABLE (entry)) == '\0')
		gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static void
win_paste_uri (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	VerifierWindow *self = user_data;
	GtkWidget *dialog, *entry;

	(void) action; (void) parameter;
	dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Paste the Wallet’s Link"),
	    _("Some wallets can share their engagement as a link starting with “mdoc:”."));
	entry = gtk_entry_new ();
	gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "mdoc:…");
	gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
	gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
	    _("Wallet link"), -1);
	adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
	adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
	    "cancel", _("_Cancel"), "check", _("C_heck"), NULL);
	adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "check",
	    ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "check");
	adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
	g_object_set_data (G_OBJECT (dialog), "entry", entry);
	g_signal_connect (dialog, "response", G_CALLBACK (on_paste_response), self);
	gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (self)), NULL,
	    on_clipboard_text, g_object_ref (entry));
	gtk_window_present (GTK_WINDOW (dialog));
}

static void
win_scan_next (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	verifier_window_scan_next (user_data);
}

static void
win_cancel_session (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	const char *page = verifier_window_get_visible_page (user_data);

	(void) action; (void) parameter;
	/* Escape is bound to this: it only means something while checking,
	 * or while choosing what more to ask. */
	if (g_strcmp0 (page, "progress") == 0)
		verifier_window_scan_next (user_data);
	else if (g_strcmp0 (page, "more") == 0)
		verifier_window_back_to_result (user_data);
}

static void
win_request_more (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	verifier_window_request_more (user_data);
}

static void
win_send_more (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	verifier_window_send_more (user_data);
}

static void
win_cancel_more (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	verifier_window_back_to_result (user_data);
}

static void
win_end_session (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	verifier_window_end_session (user_data);
}

static void
win_show_page (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action;
	verifier_window_show_page (user_data, g_variant_get_string (parameter, NULL));
}

/* Trust imports read and check files in a worker thread; the outcome
 * comes back as a toast. */
typedef struct {
	VerifierWindow *self;
	VerifierImportKind kind;
} ImportData;

static void
on_trust_imported (GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree ImportData *data = user_data;
	g_autoptr (VerifierWindow) self = data->self;
	g_autoptr (GError) error = NULL;
	VerifierImportKind kind = data->kind;
	guint n = verifier_trust_store_import_finish (VERIFIER_TRUST_STORE (source), result, &error);

	if (n == 0) {
		verifier_window_show_toast (self, error->message);
	} else if (kind == VERIFIER_IMPORT_STATUS_LIST) {
		verifier_window_show_toast (self, _("Status list loaded"));
	} else {
		g_autofree char *text = g_strdup_printf (ngettext ("Imported %u certificate",
		    "Imported %u certificates", n), n);

		verifier_window_show_toast (self, text);
	}
}

void
verifier_window_import_trust (VerifierWindow *self, VerifierImportKind kind, GFile *file)
{
	ImportData *data = g_new0 (ImportData, 1);

	data->self = g_object_ref (self);
	data->kind = kind;
	verifier_trust_store_import_async (verifier_window_get_trust_store (self), kind, file, NULL,
	    on_trust_imported, data);
}

static void
import_iaca_file (VerifierWindow *self, GFile *file)
{
	verifier_window_import_trust (self, VERIFIER_IMPORT_IACA_FILE, file);
}

static void
import_iaca_folder (VerifierWindow *self, GFile *folder)
{
	verifier_window_import_trust (self, VERIFIER_IMPORT_IACA_FOLDER, folder);
}

static GtkFileFilter *
certificate_filter (void)
{
	GtkFileFilter *filter = gtk_file_filter_new ();

	gtk_file_filter_set_name (filter, _("Certificates (PEM, DER)"));
	gtk_file_filter_add_suffix (filter, "pem");
	gtk_file_filter_add_suffix (filter, "der");
	gtk_file_filter_add_suffix (filter, "crt");
	gtk_file_filter_add_suffix (filter, "cer");
	return filter;
}

static void
win_import_iaca_file (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	choose_file (user_data, _("Import Trusted Issuer Certificates"), GTK_FILE_CHOOSER_ACTION_OPEN,
	    certificate_filter (), import_iaca_file);
}

static void
win_import_iaca_folder (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	choose_file (user_data, _("Import a Folder of Issuer Certificates"),
	    GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, NULL, import_iaca_folder);
}

static void
load_status_list (VerifierWindow *self, GFile *file)
{
	verifier_window_import_trust (self, VERIFIER_IMPORT_STATUS_LIST, file);
}

static void
win_load_status_list (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	choose_file (user_data, _("Load a Status List"), GTK_FILE_CHOOSER_ACTION_OPEN, NULL,
	    load_status_list);
}

static void
set_path_setting (const char *key, GFile *file)
{
	g_autoptr (GSettings) settings = g_settings_new (VERIFIER_APP_ID);
	g_autofree char *path = g_file_get_path (file);

	if (path != NULL)
		g_settings_set_string (settings, key, path);
}

static void
reader_cert_chosen (VerifierWindow *self, GFile *file)
{
	(void) self;
	set_path_setting ("reader-cert", file);
}

static void
reader_key_chosen (VerifierWindow *self, GFile *file)
{
	(void) self;
	set_path_setting ("reader-key", file);
}

static void
win_choose_reader_cert (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	choose_file (user_data, _("Choose the Reader Certificate"), GTK_FILE_CHOOSER_ACTION_OPEN,
	    certificate_filter (), reader_cert_chosen);
}

static void
win_choose_reader_key (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void) action; (void) parameter;
	choose_file (user_data, _("Choose the Reader’s Private Key"), GTK_FILE_CHOOSER_ACTION_OPEN,
	    NULL, reader_key_chosen);
}

static const GActionEntry win_entries[] = {
	{ .name = "open-image", .activate = win_open_image },
	{ .name = "paste-uri", .activate = win_paste_uri },
	{ .name = "scan-next", .activate = win_scan_next },
	{ .name = "cancel-session", .activate = win_cancel_session },
	{ .name = "request-more", .activate = win_request_more },
	{ .name = "send-more", .activate = win_send_more },
	{ .name = "cancel-more", .activate = win_cancel_more },
	{ .name = "end-session", .activate = win_end_session },
	{ .name = "show-page", .activate = win_show_page, .parameter_type = "s" },
	{ .name = "import-iaca-file", .activate = win_import_iaca_file },
	{ .name = "import-iaca-folder", .activate = win_import_iaca_folder },
	{ .name = "load-status-list", .activate = win_load_status_list },
	{ .name = "choose-reader-cert", .activate = win_choose_reader_cert },
	{ .name = "choose-reader-key", .activate = win_choose_reader_key },
};

void
verifier_actions_install_window (VerifierWindow *window)
{
	g_action_map_add_action_entries (G_ACTION_MAP (window), win_entries,
	    G_N_ELEMENTS (win_entries), window);
}

void
verifier_actions_add_window_shortcuts (GtkWidgetClass *widget_class)
{
	gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
	    "win.open-image", NULL);
	gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
	    "win.paste-uri", NULL);
	gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
	    "win.scan-next", NULL);
	gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
	    "win.cancel-session", NULL);
}
