/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-progress-page.h"

#include <glib/gi18n.h>

#include "verifier-error.h"

struct _VerifierProgressPage {
	AdwBin parent_instance;

	AdwWindowTitle *window_title;
	GtkButton *cancel_button;
	GtkStack *stack;
	AdwStatusPage *working_status;
	AdwStatusPage *failed_status;
	GtkSpinner *spinner;
	GtkProgressBar *time_bar;

	VerifierSession *session;
	gulong stage_handler;
	guint tick_id;
};

G_DEFINE_FINAL_TYPE (VerifierProgressPage, verifier_progress_page, ADW_TYPE_BIN)

static void
update_stage (VerifierProgressPage *self)
{
	const char *title = "", *description = "", *icon = "network-transmit-receive-symbolic";

	switch (verifier_session_get_stage (self->session)) {
	case VERIFIER_SESSION_STAGE_IDLE:
	case VERIFIER_SESSION_STAGE_CONNECTING:
		title = _("Connecting to the Wallet…");
		description = _("Ask the holder to keep the wallet app open.");
		break;
	case VERIFIER_SESSION_STAGE_CONNECTING_BLE:
		title = _("Connecting over Bluetooth…");
		description = _("Ask the holder to keep the wallet app open and the phone close.");
		icon = "bluetooth-active-symbolic";
		break;
	case VERIFIER_SESSION_STAGE_WAITING:
		title = _("Waiting for the Holder…");
		description = _("The holder is choosing what to share.");
		icon = "user-available-symbolic";
		break;
	case VERIFIER_SESSION_STAGE_DONE:
		/* The outcome replaces this page; keep what it said last. */
		return;
	case VERIFIER_SESSION_STAGE_LOADING_TRUST:
		title = _("Reading the Trusted Issuers…");
		description = _("The wallet has answered. The answer is checked as soon as the trusted issuers are read.");
		icon = "channel-secure-symbolic";
		break;
	case VERIFIER_SESSION_STAGE_VERIFYING:
		title = _("Checking the Answer…");
		description = _("Checking the issuer’s signature, validity and the wallet’s proof.");
		icon = "channel-secure-symbolic";
		break;
	default:
		break;
	}
	adw_status_page_set_title (self->working_status, title);
	adw_status_page_set_description (self->working_status, description);
	adw_status_page_set_icon_name (self->working_status, icon);
	/* The timeout is the holder's: once the answer is in, it no longer runs. */
	gtk_widget_set_visible (GTK_WIDGET (self->time_bar),
	    verifier_session_get_stage (self->session) < VERIFIER_SESSION_STAGE_LOADING_TRUST);
}

static gboolean
tick (gpointer user_data)
{
	VerifierProgressPage *self = user_data;
	gint64 deadline, left_us;
	guint total;
	int left_s;
	g_autofree char *text = NULL;

	if (self->session == NULL) {
		self->tick_id = 0;
		return G_SOURCE_REMOVE;
	}
	deadline = verifier_session_get_deadline (self->session);
	total = verifier_session_get_timeout (self->session);
	left_us = MAX (deadline - g_get_monotonic_time (), 0);
	left_s = (int) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
	gtk_progress_bar_set_fraction (self->time_bar,
	    total > 0 ? (double) left_us / ((double) total * G_USEC_PER_SEC) : 0.0);
	text = g_strdup_printf (ngettext ("%d second left", "%d seconds left", left_s), left_s);
	gtk_progress_bar_set_text (self->time_bar, text);
	return G_SOURCE_CONTINUE;
}

static void
clear_session (VerifierProgressPage *self)
{
	g_clear_handle_id (&self->tick_id, g_source_remove);
	if (self->session != NULL)
		g_clear_signal_handler (&self->stage_handler, self->session);
	g_clear_object (&self->session);
	gtk_spinner_stop (self->spinner);
}

void
verifier_progress_page_set_session (VerifierProgressPage *self, VerifierSession *session)
{
	g_return_if_fail (VERIFIER_IS_PROGRESS_PAGE (self));

	clear_session (self);
	gtk_stack_set_visible_child_name (self->stack, "working");
	adw_window_title_set_title (self->window_title, _("Checking"));
	gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), TRUE);
	if (session == NULL)
		return;
	self->session = g_object_ref (session);
	self->stage_handler = g_signal_connect_swapped (session, "notify::stage",
	    G_CALLBACK (update_stage), self);
	update_stage (self);
	gtk_spinner_start (self->spinner);
	tick (self);
	self->tick_id = g_timeout_add (200, tick, self);
}

static const char *
error_title (const GError *error)
{
	if (error->domain != VERIFIER_ERROR)
		return _("The Check Did Not Finish");
	switch (error->code) {
	case VERIFIER_ERROR_CONNECT: return _("No Wallet Answered");
	case VERIFIER_ERROR_TIMEOUT: return _("The Wallet Did Not Answer in Time");
	case VERIFIER_ERROR_HOLDER_GONE: return _("The Wallet Went Away");
	case VERIFIER_ERROR_DECLINED: return _("The Holder Declined");
	case VERIFIER_ERROR_SESSION_ENDED: return _("The Holder Ended the Session");
	case VERIFIER_ERROR_NOT_ENGAGEMENT: return _("Not a Wallet’s Code");
	case VERIFIER_ERROR_READER_IDENTITY: return _("Reader Identity Problem");
	case VERIFIER_ERROR_REQUEST: return _("Nothing to Ask For");
	case VERIFIER_ERROR_TRANSPORT_UNAVAILABLE: return _("Transport Not Available");
	case VERIFIER_ERROR_BLUETOOTH: return _("Bluetooth Unavailable");
	default: return _("The Check Did Not Finish");
	}
}

void
verifier_progress_page_show_error (VerifierProgressPage *self, const GError *error)
{
	g_return_if_fail (VERIFIER_IS_PROGRESS_PAGE (self));
	g_return_if_fail (error != NULL);

	clear_session (self);
	adw_window_title_set_title (self->window_title, _("Not Checked"));
	adw_status_page_set_title (self->failed_status, error_title (error));
	adw_status_page_set_description (self->failed_status, error->message);
	adw_status_page_set_icon_name (self->failed_status,
	    g_error_matches (error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH) ?
	    "bluetooth-disabled-symbolic" : "dialog-warning-symbolic");
	gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
	gtk_stack_set_visible_child_name (self->stack, "failed");
}

const char *
verifier_progress_page_get_title (VerifierProgressPage *self)
{
	AdwStatusPage *page = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "failed") == 0 ?
	    self->failed_status : self->working_status;

	return adw_status_page_get_title (page);
}

const char *
verifier_progress_page_get_description (VerifierProgressPage *self)
{
	AdwStatusPage *page = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "failed") == 0 ?
	    self->failed_status : self->working_status;

	return adw_status_page_get_description (page);
}

static void
verifier_progress_page_dispose (GObject *object)
{
	VerifierProgressPage *self = VERIFIER_PROGRESS_PAGE (object);

	clear_session (self);
	gtk_widget_dispose_template (GTK_WIDGET (object), VERIFIER_TYPE_PROGRESS_PAGE);
	G_OBJECT_CLASS (verifier_progress_page_parent_class)->dispose (object);
}

static void
verifier_progress_page_class_init (VerifierProgressPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

	object_class->dispose = verifier_progress_page_dispose;
	gtk_widget_class_set_template_from_resource (widget_class,
	    "/org/tessera/Verifier/verifier-progress-page.ui");
	gtk_widget_class_bind_template_child (widget_class, VerifierProgressPage, window_title);
	gtk_widget_class_bind_template_child (widget_class, VerifierProgressPage, cancel_button);
	gtk_widget_class_bind_template_child (widget_class, VerifierProgressPage, stack);
	gtk_widget_class_bind_template_child (widget_class, VerifierProgressPage, working_status);
	gtk_widget_class_bind_template_child (widget_class, VerifierProgressPage, failed_status);
	gtk_widget_class_bind_template_child (widget_class, VerifierProgressPage, spinner);
	gtk_widget_class_bind_template_child (widget_class, VerifierProgressPage, time_bar);
}

static void
verifier_progress_page_init (VerifierProgressPage *self)
{
	gtk_widget_init_template (GTK_WIDGET (self));
}
