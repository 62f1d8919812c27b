/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-window.h"

#include <glib/gi18n.h>

#include "verifier-actions.h"
#include "verifier-error.h"
#include "verifier-qr-scanner.h"
#include "verifier-request-page.h"
#include "verifier-request.h"
#include "verifier-session.h"
#include "verifier-trust-page.h"

struct _VerifierWindow {
	AdwApplicationWindow parent_instance;

	AdwToastOverlay *toast_overlay;
	GtkStack *main_stack;
	AdwViewStack *view_stack;
	VerifierScanPage *scan_page;
	VerifierRequestPage *request_page;
	VerifierTrustPage *trust_page;
	VerifierProgressPage *progress_page;
	VerifierResultPage *result_page;
	VerifierRequestPage *more_page;

	GSettings *settings;
	VerifierTrustStore *trust_store;
	VerifierSession *session;
	gboolean session_needs_trust;  /* it waits for the trust store's first load */
	GCancellable *cancellable;
	gint64 now;
	char *last_toast;
};

G_DEFINE_FINAL_TYPE (VerifierWindow, verifier_window, ADW_TYPE_APPLICATION_WINDOW)

void
verifier_window_show_toast (VerifierWindow *self, const char *message)
{
	AdwToast *toast = adw_toast_new (message);

	g_free (self->last_toast);
	self->last_toast = g_strdup (message);
	adw_toast_set_timeout (toast, 6);
	adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
verifier_show_toast (GtkWidget *widget, const char *message)
{
	GtkRoot *root = gtk_widget_get_root (widget);

	if (VERIFIER_IS_WINDOW (root))
		verifier_window_show_toast (VERIFIER_WINDOW (root), message);
	else
		g_message ("%s", message);
}

static void
update_request_summary (VerifierWindow *self)
{
	g_autoptr (VerifierRequest) request = verifier_request_new ();
	g_autofree char *template_name = g_settings_get_string (self->settings, "request-template");
	g_auto (GStrv) specs = g_settings_get_strv (self->settings, "request-elements");
	g_autofree char *summary = NULL;

	verifier_request_set_template (request, template_name);
	for (gsize i = 0; specs[i] != NULL; i++) {
		g_autofree char *dt = NULL, *ns = NULL, *id = NULL;
		gboolean retain;

		if (verifier_request_parse_spec (specs[i], &dt, &ns, &id, &retain))
			verifier_request_add_element (request, dt, ns, id, retain);
	}
	summary = verifier_request_describe (request);
	verifier_scan_page_set_request_summary (self->scan_page, summary);
}

static void
update_reader_subject (VerifierWindow *self)
{
	g_autofree char *cert = g_settings_get_string (self->settings, "reader-cert");
	g_autofree char *key = g_settings_get_string (self->settings, "reader-key");
	g_autofree char *data = NULL;
	g_autofree char *subject = NULL;
	gsize len;
	gint64 not_after;

	if (cert[0] != '\0' && key[0] != '\0' && g_file_get_contents (cert, &data, &len, NULL)) {
		g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data), len);

		if (!verifier_certificate_describe (bytes, &subject, &not_after))
			subject = g_strdup (cert);
	}
	verifier_request_page_set_reader_subject (self->request_page, subject);
}

static char *
transport_spec (VerifierWindow *self)
{
	g_autofree char *transport = g_settings_get_string (self->settings, "transport");
	g_autofree char *path = g_settings_get_string (self->settings, "local-socket");

	if (g_strcmp0 (transport, "ble") == 0)
		return g_strdup ("ble");
	if (path[0] == '\0') {
		g_free (path);
		path = verifier_session_default_socket ();
	}
	/* Automatic: Bluetooth when the wallet's code offers it. */
	return g_strconcat (g_strcmp0 (transport, "local") == 0 ? "local:" : "auto:", path, NULL);
}

/* The session's part of the result page and of the actions: "Request
 * More…" and "End Session" while it is open, the note once the holder
 * ended it. */
static void
update_session_state (VerifierWindow *self)
{
	gboolean open = self->session != NULL && verifier_session_get_open (self->session);

	verifier_result_page_set_session_info (self->result_page,
	    self->session != NULL ? verifier_session_get_n_requests (self->session) : 0, open);
	verifier_result_page_set_holder_ended (self->result_page,
	    self->session != NULL && verifier_session_get_holder_ended (self->session));
	g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
	    "request-more")), open);
	g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
	    "end-session")), open);
}

static void
ended_in_background (GObject *object, GAsyncResult *result, gpointer user_data)
{
	g_autoptr (GApplication) app = user_data;

	verifier_session_end_finish (VERIFIER_SESSION (object), result, NULL);
	if (app != NULL)
		g_application_release (app);
}

/* Ends @session without waiting for it. The application stays up until
 * the holder has been told, even when this was its last window. */
static void
end_in_background (VerifierSession *session)
{
	GApplication *app = g_application_get_default ();

	if (app != NULL)
		g_application_hold (app);
	verifier_session_end_async (session, NULL, ended_in_background,
	    app != NULL ? g_object_ref (app) : NULL);
}

/* Lets go of the window's session: a running one is cancelled, an open
 * one ended (status 20), so the holder's wallet is free at once. */
static void
drop_session (VerifierWindow *self)
{
	if (self->cancellable != NULL)
		g_cancellable_cancel (self->cancellable);
	g_clear_object (&self->cancellable);
	if (self->session != NULL) {
		g_signal_handlers_disconnect_by_data (self->session, self);
		if (verifier_session_get_open (self->session))
			end_in_background (self->session);
	}
	g_clear_object (&self->session);
	self->session_needs_trust = FALSE;
}

/* The holder ended the session between two requests. A request on its
 * way gets its own error; otherwise the verdict stays and says so, and a
 * choice of more details (which can no longer be sent) goes back to it. */
static void
on_holder_ended (VerifierSession *session, VerifierWindow *self)
{
	(void) session;
	if (self->cancellable != NULL)
		return;
	update_session_state (self);
	if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "more") == 0)
		gtk_stack_set_visible_child_name (self->main_stack, "result");
}

static void
give_trust (VerifierWindow *self)
{
	g_autoptr (GPtrArray) anchors = verifier_trust_store_dup_anchor_data (self->trust_store);
	g_autoptr (GPtrArray) lists = verifier_trust_store_dup_status_list_data (self->trust_store);

	verifier_session_set_trust (self->session, anchors, lists);
	self->session_needs_trust = FALSE;
}

static void
on_trust_loaded (VerifierWindow *self)
{
	if (self->session != NULL && self->session_needs_trust)
		give_trust (self);
}

/* The first read of the trust folders, when the window opens. */
static void
trust_store_loaded (GObject *object, GAsyncResult *result, gpointer user_data)
{
	g_autoptr (VerifierWindow) self = user_data;
	VerifierTrustStore *store = VERIFIER_TRUST_STORE (object);
	guint n;

	if (!verifier_trust_store_load_finish (store, result, NULL) || store != self->trust_store)
		return;
	n = verifier_trust_store_get_n_problems (store);
	if (n > 0) {
		/* Short: a toast on a phone holds about forty characters. */
		g_autofree char *text = g_strdup_printf (ngettext ("%u file in Trust cannot be used",
		    "%u files in Trust cannot be used", n), n);

		verifier_window_show_toast (self, text);
	}
}

static void
session_done (GObject *object, GAsyncResult *res, gpointer user_data)
{
	g_autoptr (VerifierWindow) self = user_data;
	VerifierSession *session = VERIFIER_SESSION (object);
	g_autoptr (GError) error = NULL;
	g_autoptr (VerifierResult) result = verifier_session_run_finish (session, res, &error);

	/* A session that was cancelled or replaced reports into the void, but
	 * does not keep the holder waiting. */
	if (session != self->session) {
		if (verifier_session_get_open (session))
			end_in_background (session);
		return;
	}
	g_clear_object (&self->cancellable);
	/* Unobtrusive, but there with the result or the failure it explains. */
	if (verifier_session_get_gatt_over_eatt (session))
		verifier_window_show_toast (self, _("This session used Bluetooth GATT, which this computer may deliver out of order (Enhanced ATT). If sessions fail, set “Channels = 1” under [GATT] in /etc/bluetooth/main.conf."));
	if (result != NULL) {
		verifier_window_show_result (self, result);
		return;
	}
	g_signal_handlers_disconnect_by_data (session, self);
	g_clear_object (&self->session);
	update_session_state (self);
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		verifier_window_scan_next (self);
	} else {
		verifier_progress_page_show_error (self->progress_page, error);
		gtk_stack_set_visible_child_name (self->main_stack, "progress");
	}
}

void
verifier_window_start_session (VerifierWindow *self, const char *uri)
{
	g_autoptr (VerifierRequest) request = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree char *transport = NULL;

	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	g_return_if_fail (uri != NULL);

	verifier_window_cancel_session (self);
	verifier_scan_page_pause (self->scan_page);
	if (!verifier_qr_is_engagement (uri)) {
		error = g_error_new_literal (VERIFIER_ERROR, VERIFIER_ERROR_NOT_ENGAGEMENT,
		    _("This is not a wallet’s link: it must start with “mdoc:”."));
		verifier_progress_page_show_error (self->progress_page, error);
		gtk_stack_set_visible_child_name (self->main_stack, "progress");
		return;
	}
	request = verifier_request_new_from_settings (self->settings, &error);
	if (request != NULL && verifier_request_is_empty (request))
		error = g_error_new_literal (VERIFIER_ERROR, VERIFIER_ERROR_REQUEST,
		    _("Choose what to ask for in Request first."));
	if (error != NULL) {
		verifier_progress_page_show_error (self->progress_page, error);
		gtk_stack_set_visible_child_name (self->main_stack, "progress");
		return;
	}

	self->session = verifier_session_new (uri, request);
	g_signal_connect (self->session, "holder-ended", G_CALLBACK (on_holder_ended), self);
	transport = transport_spec (self);
	verifier_session_set_transport (self->session, transport);
	verifier_session_set_ble_l2cap (self->session,
	    g_settings_get_boolean (self->settings, "ble-l2cap"));
	verifier_session_set_timeout (self->session,
	    g_settings_get_uint (self->settings, "session-timeout"));
	verifier_session_set_time (self->session, self->now);
	/* A scan made while the trust folders are still being read goes
	 * ahead: at a counter the holder is already waiting, and connecting
	 * and the holder's choice take longer than the read. Only the check
	 * of the answer waits for it ("Reading the Trusted Issuers…"), since
	 * checking against part of the folder would call a genuine document
	 * "not verified" to the holder's face. */
	if (verifier_trust_store_get_loaded (self->trust_store)) {
		give_trust (self);
	} else {
		verifier_session_defer_trust (self->session);
		self->session_needs_trust = TRUE;
	}

	self->cancellable = g_cancellable_new ();
	verifier_session_run_async (self->session, self->cancellable, session_done,
	    g_object_ref (self));
	verifier_progress_page_set_session (self->progress_page, self->session);
	gtk_stack_set_visible_child_name (self->main_stack, "progress");
}

void
verifier_window_cancel_session (VerifierWindow *self)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	drop_session (self);
	verifier_progress_page_set_session (self->progress_page, NULL);
	update_session_state (self);
}

void
verifier_window_request_more (VerifierWindow *self)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	if (self->session == NULL || !verifier_session_get_open (self->session))
		return;
	verifier_request_page_clear (self->more_page);
	gtk_stack_set_visible_child_name (self->main_stack, "more");
}

void
verifier_window_send_more (VerifierWindow *self)
{
	g_autoptr (VerifierRequest) request = NULL;

	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	if (self->session == NULL || !verifier_session_get_open (self->session))
		return;
	request = verifier_request_page_dup_request (self->more_page);
	if (verifier_request_is_empty (request))
		return;
	self->cancellable = g_cancellable_new ();
	verifier_session_request_async (self->session, request, self->cancellable, session_done,
	    g_object_ref (self));
	verifier_progress_page_set_session (self->progress_page, self->session);
	gtk_stack_set_visible_child_name (self->main_stack, "progress");
}

/* Send only when there is something to ask for. */
static void
update_send_more (VerifierWindow *self)
{
	g_autoptr (VerifierRequest) request = verifier_request_page_dup_request (self->more_page);
	GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "send-more");

	g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !verifier_request_is_empty (request));
}

void
verifier_window_back_to_result (VerifierWindow *self)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	gtk_stack_set_visible_child_name (self->main_stack, "result");
}

static void
session_ended (GObject *object, GAsyncResult *res, gpointer user_data)
{
	g_autoptr (VerifierWindow) self = user_data;

	verifier_session_end_finish (VERIFIER_SESSION (object), res, NULL);
	if (VERIFIER_SESSION (object) != self->session)
		return;
	update_session_state (self);
	verifier_window_show_toast (self, _("Session ended. The wallet is free."));
}

void
verifier_window_end_session (VerifierWindow *self)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	if (self->session == NULL || !verifier_session_get_open (self->session))
		return;
	verifier_session_end_async (self->session, NULL, session_ended, g_object_ref (self));
	/* Hidden at once: the end cannot be taken back. */
	update_session_state (self);
}

VerifierSession *
verifier_window_get_session (VerifierWindow *self)
{
	g_return_val_if_fail (VERIFIER_IS_WINDOW (self), NULL);
	return self->session;
}

void
verifier_window_scan_next (VerifierWindow *self)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	verifier_window_cancel_session (self);
	gtk_stack_set_visible_child_name (self->main_stack, "home");
	adw_view_stack_set_visible_child_name (self->view_stack, "scan");
	verifier_scan_page_restart (self->scan_page);
}

void
verifier_window_show_result (VerifierWindow *self, VerifierResult *result)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	verifier_result_page_set_result (self->result_page, result);
	update_session_state (self);
	gtk_stack_set_visible_child_name (self->main_stack, "result");
}

void
verifier_window_scan_file (VerifierWindow *self, GFile *file)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	verifier_window_show_page (self, "scan");
	verifier_scan_page_scan_file (self->scan_page, file);
}

void
verifier_window_scan_source (VerifierWindow *self, VerifierFrameSource *source)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	verifier_window_show_page (self, "scan");
	verifier_scan_page_scan_source (self->scan_page, source);
}

void
verifier_window_show_page (VerifierWindow *self, const char *name)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	if (g_strcmp0 (name, "progress") == 0 || g_strcmp0 (name, "result") == 0) {
		gtk_stack_set_visible_child_name (self->main_stack, name);
		return;
	}
	gtk_stack_set_visible_child_name (self->main_stack, "home");
	adw_view_stack_set_visible_child_name (self->view_stack, name);
}

const char *
verifier_window_get_visible_page (VerifierWindow *self)
{
	const char *name = gtk_stack_get_visible_child_name (self->main_stack);

	if (g_strcmp0 (name, "home") == 0)
		return adw_view_stack_get_visible_child_name (self->view_stack);
	return name;
}

void
verifier_window_set_verification_time (VerifierWindow *self, gint64 now)
{
	g_return_if_fail (VERIFIER_IS_WINDOW (self));
	self->now = now;
	verifier_trust_page_set_now (self->trust_page, now);
}

gint64
verifier_window_get_verification_time (VerifierWindow *self)
{
	return self->now;
}

VerifierTrustStore *verifier_window_get_trust_store (VerifierWindow *self) { return self->trust_store; }
VerifierScanPage *verifier_window_get_scan_page (VerifierWindow *self) { return self->scan_page; }
VerifierProgressPage *verifier_window_get_progress_page (VerifierWindow *self) { return self->progress_page; }
VerifierResultPage *verifier_window_get_result_page (VerifierWindow *self) { return self->result_page; }
VerifierRequestPage *verifier_window_get_request_page (VerifierWindow *self) { return self->request_page; }
VerifierRequestPage *verifier_window_get_more_page (VerifierWindow *self) { return self->more_page; }

static void
on_uri_found (VerifierScanPage *page, const char *uri, VerifierWindow *self)
{
	(void) page;
	verifier_window_start_session (self, uri);
}

static void
on_scan_failed (VerifierScanPage *page, const GError *error, VerifierWindow *self)
{
	(void) page;
	verifier_window_show_toast (self, error->message);
}

static void
verifier_window_dispose (GObject *object)
{
	VerifierWindow *self = VERIFIER_WINDOW (object);

	drop_session (self);
	if (self->trust_store != NULL)
		g_signal_handlers_disconnect_by_data (self->trust_store, self);
	g_clear_object (&self->trust_store);
	g_clear_object (&self->settings);
	gtk_widget_dispose_template (GTK_WIDGET (object), VERIFIER_TYPE_WINDOW);
	g_clear_pointer (&VERIFIER_WINDOW (object)->last_toast, g_free);
	G_OBJECT_CLASS (verifier_window_parent_class)->dispose (object);
}

static void
verifier_window_class_init (VerifierWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

	object_class->dispose = verifier_window_dispose;

	g_type_ensure (VERIFIER_TYPE_SCAN_PAGE);
	g_type_ensure (VERIFIER_TYPE_REQUEST_PAGE);
	g_type_ensure (VERIFIER_TYPE_TRUST_PAGE);
	g_type_ensure (VERIFIER_TYPE_PROGRESS_PAGE);
	g_type_ensure (VERIFIER_TYPE_RESULT_PAGE);

	gtk_widget_class_set_template_from_resource (widget_class,
	    "/org/tessera/Verifier/verifier-window.ui");
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, toast_overlay);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, main_stack);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, view_stack);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, scan_page);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, request_page);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, trust_page);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, progress_page);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, result_page);
	gtk_widget_class_bind_template_child (widget_class, VerifierWindow, more_page);

	verifier_actions_add_window_shortcuts (widget_class);
}

static void
verifier_window_init (VerifierWindow *self)
{
	gtk_widget_init_template (GTK_WIDGET (self));

	self->settings = g_settings_new (VERIFIER_APP_ID);
	self->trust_store = verifier_trust_store_new_from_settings (self->settings);
	verifier_trust_page_set_store (self->trust_page, self->trust_store);
	g_signal_connect_swapped (self->trust_store, "notify::loaded",
	    G_CALLBACK (on_trust_loaded), self);
	verifier_trust_store_load_async (self->trust_store, NULL, trust_store_loaded,
	    g_object_ref (self));

	g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
	g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
	g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

	g_signal_connect (self->scan_page, "uri-found", G_CALLBACK (on_uri_found), self);
	g_signal_connect (self->scan_page, "scan-failed", G_CALLBACK (on_scan_failed), self);
	g_signal_connect_swapped (self->settings, "changed::request-template",
	    G_CALLBACK (update_request_summary), self);
	g_signal_connect_swapped (self->settings, "changed::request-elements",
	    G_CALLBACK (update_request_summary), self);
	g_signal_connect_swapped (self->settings, "changed::reader-cert",
	    G_CALLBACK (update_reader_subject), self);
	g_signal_connect_swapped (self->settings, "changed::reader-key",
	    G_CALLBACK (update_reader_subject), self);
	update_request_summary (self);
	update_reader_subject (self);

	verifier_actions_install_window (self);
	update_session_state (self);
	g_signal_connect_swapped (self->more_page, "changed", G_CALLBACK (update_send_more), self);
	update_send_more (self);
}

VerifierWindow *
verifier_window_new (GtkApplication *application)
{
	return g_object_new (VERIFIER_TYPE_WINDOW, "application", application, NULL);
}

const char *
verifier_window_get_last_toast (VerifierWindow *self)
{
	g_return_val_if_fail (VERIFIER_IS_WINDOW (self), NULL);
	return self->last_toast;
}
