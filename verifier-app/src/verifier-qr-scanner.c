/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-qr-scanner.h"

#include <glib/gi18n.h>
#include <tessera/tessera.h>

#include "verifier-error.h"

struct _VerifierQrScanner {
	GObject parent_instance;

	VerifierFrameSource *source;
	gulong frame_handler, finished_handler;
	GCancellable *cancellable;
	gboolean busy;
	gboolean found;
	gboolean source_finished;
	gboolean saw_other_code;  /* a QR code that is not an engagement */
	GError *source_error;
};

enum {
	SIGNAL_FOUND,
	SIGNAL_NOT_FOUND,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VerifierQrScanner, verifier_qr_scanner, G_TYPE_OBJECT)

gboolean
verifier_qr_is_engagement (const char *text)
{
	return text != NULL && g_ascii_strncasecmp (text, "mdoc:", 5) == 0;
}

gboolean
verifier_qr_decode_frame (VerifierFrame *frame, char **ret_text, GError **error)
{
	GBytes *pixels;
	guint w, h;
	gsize stride;
	char *text = NULL;
	int err;

	g_return_val_if_fail (frame != NULL, FALSE);
	pixels = verifier_frame_get_pixels (frame, &w, &h, &stride);
	err = tsr_qr_decode_gray8 (g_bytes_get_data (pixels, NULL), w, h, stride, &text);
	if (err == TSR_ERR_NOT_FOUND) {
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_NO_QR,
		    _("No QR code was found in the picture."));
		return FALSE;
	}
	if (err != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_NO_QR,
		    _("The picture could not be read: %s"), tsr_strerror (err));
		return FALSE;
	}
	*ret_text = g_strdup (text);
	tsr_free (text);
	return TRUE;
}

static void
decode_thread (GTask *task, gpointer source_object, gpointer task_data,
    GCancellable *cancellable)
{
	GError *error = NULL;
	char *text = NULL;

	(void) source_object;
	(void) cancellable;
	if (verifier_qr_decode_frame (task_data, &text, &error))
		g_task_return_pointer (task, text, g_free);
	else
		g_task_return_error (task, error);
}

static void
maybe_not_found (VerifierQrScanner *self)
{
	g_autoptr (GError) error = NULL;

	if (self->found || self->busy || !self->source_finished)
		return;
	if (self->source_error != NULL)
		error = g_error_copy (self->source_error);
	else if (self->saw_other_code)
		error = g_error_new_literal (VERIFIER_ERROR, VERIFIER_ERROR_NOT_ENGAGEMENT,
		    _("This QR code is not a wallet’s code. Ask the holder to show the QR code of their wallet app."));
	else
		error = g_error_new_literal (VERIFIER_ERROR, VERIFIER_ERROR_NO_QR,
		    _("No QR code was found in the picture."));
	self->source_finished = FALSE;
	g_signal_emit (self, signals[SIGNAL_NOT_FOUND], 0, error);
}

static void
decode_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
	VerifierQrScanner *self = VERIFIER_QR_SCANNER (object);
	g_autofree char *text = NULL;
	GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

	text = g_task_propagate_pointer (G_TASK (result), NULL);
	(void) user_data;
	/* Reset since: this result belongs to a previous scan. */
	if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
		return;
	self->busy = FALSE;
	if (text != NULL && !self->found) {
		if (verifier_qr_is_engagement (text)) {
			self->found = TRUE;
			g_signal_emit (self, signals[SIGNAL_FOUND], 0, text);
			return;
		}
		self->saw_other_code = TRUE;
	}
	maybe_not_found (self);
}

static void
on_frame (VerifierFrameSource *source, VerifierFrame *frame, gpointer user_data)
{
	VerifierQrScanner *self = user_data;
	g_autoptr (GTask) task = NULL;

	(void) source;
	if (self->busy || self->found)
		return;
	self->busy = TRUE;
	task = g_task_new (self, self->cancellable, decode_done, NULL);
	g_task_set_check_cancellable (task, FALSE);
	g_task_set_task_data (task, verifier_frame_ref (frame), (GDestroyNotify) verifier_frame_unref);
	g_task_run_in_thread (task, decode_thread);
}

static void
on_finished (VerifierFrameSource *source, const GError *error, gpointer user_data)
{
	VerifierQrScanner *self = user_data;

	(void) source;
	g_clear_error (&self->source_error);
	if (error != NULL)
		self->source_error = g_error_copy (error);
	self->source_finished = TRUE;
	maybe_not_found (self);
}

static void
disconnect_source (VerifierQrScanner *self)
{
	if (self->source == NULL)
		return;
	g_clear_signal_handler (&self->frame_handler, self->source);
	g_clear_signal_handler (&self->finished_handler, self->source);
	g_clear_object (&self->source);
}

void
verifier_qr_scanner_reset (VerifierQrScanner *self)
{
	g_return_if_fail (VERIFIER_IS_QR_SCANNER (self));

	/* A decode still running belongs to the old state: forget its result. */
	g_cancellable_cancel (self->cancellable);
	g_clear_object (&self->cancellable);
	self->cancellable = g_cancellable_new ();
	self->busy = FALSE;
	self->found = FALSE;
	self->source_finished = FALSE;
	self->saw_other_code = FALSE;
	g_clear_error (&self->source_error);
}

void
verifier_qr_scanner_set_source (VerifierQrScanner *self, VerifierFrameSource *source)
{
	g_return_if_fail (VERIFIER_IS_QR_SCANNER (self));
	g_return_if_fail (source == NULL || VERIFIER_IS_FRAME_SOURCE (source));

	disconnect_source (self);
	verifier_qr_scanner_reset (self);
	if (source == NULL)
		return;
	self->source = g_object_ref (source);
	self->frame_handler = g_signal_connect (source, "frame", G_CALLBACK (on_frame), self);
	self->finished_handler = g_signal_connect (source, "finished", G_CALLBACK (on_finished), self);
}

VerifierFrameSource *
verifier_qr_scanner_get_source (VerifierQrScanner *self)
{
	g_return_val_if_fail (VERIFIER_IS_QR_SCANNER (self), NULL);
	return self->source;
}

static void
verifier_qr_scanner_dispose (GObject *object)
{
	VerifierQrScanner *self = VERIFIER_QR_SCANNER (object);

	disconnect_source (self);
	if (self->cancellable != NULL)
		g_cancellable_cancel (self->cancellable);
	g_clear_object (&self->cancellable);
	g_clear_error (&self->source_error);
	G_OBJECT_CLASS (verifier_qr_scanner_parent_class)->dispose (object);
}

static void
verifier_qr_scanner_class_init (VerifierQrScannerClass *klass)
{
	G_OBJECT_CLASS (klass)->dispose = verifier_qr_scanner_dispose;

	signals[SIGNAL_FOUND] = g_signal_new ("found", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
	    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_NOT_FOUND] = g_signal_new ("not-found", G_TYPE_FROM_CLASS (klass),
	    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
verifier_qr_scanner_init (VerifierQrScanner *self)
{
	self->cancellable = g_cancellable_new ();
}

VerifierQrScanner *
verifier_qr_scanner_new (void)
{
	return g_object_new (VERIFIER_TYPE_QR_SCANNER, NULL);
}
