/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-scan-page.h"

#include <glib/gi18n.h>

#include "verifier-camera-monitor.h"
#include "verifier-error.h"
#include "verifier-image-source.h"
#include "verifier-pipeline-source.h"
#include "verifier-qr-scanner.h"

/* An image is shown a few times, like a camera looking at a still photo. */
#define IMAGE_FRAMES 3

struct _VerifierScanPage {
	AdwBin parent_instance;

	GtkStack *viewfinder_stack;
	GtkPicture *preview;
	GtkLabel *preview_hint;
	AdwStatusPage *no_camera_status;
	AdwComboRow *camera_row;
	AdwActionRow *request_row;

	GSettings *settings;
	VerifierCameraMonitor *cameras;
	VerifierQrScanner *scanner;
	VerifierFrameSource *source;   /* what the scanner reads now */
	gulong frame_handler;
	gboolean source_is_camera;
	gboolean paused;
};

enum {
	SIGNAL_URI_FOUND,
	SIGNAL_SCAN_FAILED,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VerifierScanPage, verifier_scan_page, ADW_TYPE_BIN)

static void
on_frame (VerifierFrameSource *source, VerifierFrame *frame, gpointer user_data)
{
	VerifierScanPage *self = user_data;
	g_autoptr (GdkTexture) texture = verifier_frame_to_texture (frame);

	(void) source;
	gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (texture));
	gtk_stack_set_visible_child_name (self->viewfinder_stack, "preview");
}

static void
stop_source (VerifierScanPage *self)
{
	if (self->source == NULL)
		return;
	g_clear_signal_handler (&self->frame_handler, self->source);
	verifier_frame_source_stop (self->source);
	verifier_qr_scanner_set_source (self->scanner, NULL);
	g_clear_object (&self->source);
	self->source_is_camera = FALSE;
}

static void
start_source (VerifierScanPage *self, VerifierFrameSource *source, gboolean is_camera)
{
	g_autoptr (GError) error = NULL;

	stop_source (self);
	self->source = g_object_ref (source);
	self->source_is_camera = is_camera;
	self->frame_handler = g_signal_connect (source, "frame", G_CALLBACK (on_frame), self);
	verifier_qr_scanner_set_source (self->scanner, source);
	if (!verifier_frame_source_start (source, &error)) {
		stop_source (self);
		g_signal_emit (self, signals[SIGNAL_SCAN_FAILED], 0, error);
	}
}

static GstDevice *
selected_camera (VerifierScanPage *self)
{
	return adw_combo_row_get_selected_item (self->camera_row);
}

static void
start_camera (VerifierScanPage *self)
{
	GstDevice *device = selected_camera (self);
	g_autoptr (VerifierPipelineSource) source = NULL;

	if (device == NULL || self->paused || !gtk_widget_get_mapped (GTK_WIDGET (self)))
		return;
	source = verifier_pipeline_source_new_for_device (device);
	gtk_label_set_label (self->preview_hint, _("Point the camera at the holder’s QR code"));
	start_source (self, VERIFIER_FRAME_SOURCE (source), TRUE);
}

static void
update_cameras (VerifierScanPage *self)
{
	guint n = g_list_model_get_n_items (verifier_camera_monitor_get_cameras (self->cameras));

	gtk_widget_set_sensitive (GTK_WIDGET (self->camera_row), n > 0);
	adw_action_row_set_subtitle (ADW_ACTION_ROW (self->camera_row),
	    n > 0 ? NULL : _("No camera found"));
	if (n == 0 && self->source_is_camera)
		stop_source (self);
	if (n == 0 && self->source == NULL)
		gtk_stack_set_visible_child_name (self->viewfinder_stack, "no-camera");
}

static void
on_cameras_changed (GListModel *model, guint position, guint removed, guint added,
    gpointer user_data)
{
	VerifierScanPage *self = user_data;

	(void) model; (void) position; (void) removed; (void) added;
	update_cameras (self);
	if (self->source == NULL)
		start_camera (self);
}

static void
on_camera_selected (VerifierScanPage *self)
{
	GstDevice *device = selected_camera (self);

	if (device != NULL) {
		g_autofree char *name = gst_device_get_display_name (device);

		g_settings_set_string (self->settings, "camera", name);
	}
	if (self->source_is_camera || self->source == NULL)
		start_camera (self);
}

static void
on_found (VerifierQrScanner *scanner, const char *uri, gpointer user_data)
{
	VerifierScanPage *self = user_data;

	(void) scanner;
	/* One holder at a time: the camera rests until restart(). */
	self->paused = TRUE;
	if (self->source_is_camera)
		stop_source (self);
	g_signal_emit (self, signals[SIGNAL_URI_FOUND], 0, uri);
}

static void
on_not_found (VerifierQrScanner *scanner, const GError *error, gpointer user_data)
{
	VerifierScanPage *self = user_data;

	(void) scanner;
	if (self->source_is_camera && error->code != VERIFIER_ERROR_NOT_ENGAGEMENT)
		return;
	gtk_label_set_label (self->preview_hint, error->message);
	g_signal_emit (self, signals[SIGNAL_SCAN_FAILED], 0, error);
}

void
verifier_scan_page_scan_source (VerifierScanPage *self, VerifierFrameSource *source)
{
	g_return_if_fail (VERIFIER_IS_SCAN_PAGE (self));
	g_return_if_fail (VERIFIER_IS_FRAME_SOURCE (source));

	self->paused = FALSE;
	gtk_label_set_label (self->preview_hint, _("Looking for a QR code…"));
	start_source (self, source, FALSE);
}

void
verifier_scan_page_scan_file (VerifierScanPage *self, GFile *file)
{
	g_autoptr (VerifierFrameSource) source = NULL;

	g_return_if_fail (VERIFIER_IS_SCAN_PAGE (self));
	g_return_if_fail (G_IS_FILE (file));

	/* The camera's own path (GStreamer, appsink, GRAY8) when the plugins
	 * are there; GDK's image loaders otherwise. */
	if (gst_is_initialized ())
		source = VERIFIER_FRAME_SOURCE (verifier_pipeline_source_new_for_file (file, IMAGE_FRAMES));
	else
		source = VERIFIER_FRAME_SOURCE (verifier_image_source_new_for_file (file));
	verifier_scan_page_scan_source (self, source);
}

void
verifier_scan_page_restart (VerifierScanPage *self)
{
	g_return_if_fail (VERIFIER_IS_SCAN_PAGE (self));

	self->paused = FALSE;
	stop_source (self);
	verifier_qr_scanner_reset (self->scanner);
	gtk_picture_set_paintable (self->preview, NULL);
	update_cameras (self);
	start_camera (self);
}

void
verifier_scan_page_pause (VerifierScanPage *self)
{
	g_return_if_fail (VERIFIER_IS_SCAN_PAGE (self));
	self->paused = TRUE;
	if (self->source_is_camera)
		stop_source (self);
}

void
verifier_scan_page_set_request_summary (VerifierScanPage *self, const char *summary)
{
	g_return_if_fail (VERIFIER_IS_SCAN_PAGE (self));
	adw_action_row_set_subtitle (self->request_row, summary);
}

guint
verifier_scan_page_get_n_cameras (VerifierScanPage *self)
{
	return g_list_model_get_n_items (verifier_camera_monitor_get_cameras (self->cameras));
}

static void
verifier_scan_page_map (GtkWidget *widget)
{
	VerifierScanPage *self = VERIFIER_SCAN_PAGE (widget);

	GTK_WIDGET_CLASS (verifier_scan_page_parent_class)->map (widget);
	if (self->source == NULL)
		start_camera (self);
}

static void
verifier_scan_page_unmap (GtkWidget *widget)
{
	VerifierScanPage *self = VERIFIER_SCAN_PAGE (widget);

	/* The camera runs only while someone can see its picture. */
	if (self->source_is_camera)
		stop_source (self);
	GTK_WIDGET_CLASS (verifier_scan_page_parent_class)->unmap (widget);
}

static void
verifier_scan_page_dispose (GObject *object)
{
	VerifierScanPage *self = VERIFIER_SCAN_PAGE (object);

	stop_source (self);
	if (self->cameras != NULL)
		g_signal_handlers_disconnect_by_data (verifier_camera_monitor_get_cameras (self->cameras), self);
	g_clear_object (&self->scanner);
	g_clear_object (&self->cameras);
	g_clear_object (&self->settings);
	gtk_widget_dispose_template (GTK_WIDGET (object), VERIFIER_TYPE_SCAN_PAGE);
	G_OBJECT_CLASS (verifier_scan_page_parent_class)->dispose (object);
}

static void
verifier_scan_page_class_init (VerifierScanPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

	object_class->dispose = verifier_scan_page_dispose;
	widget_class->map = verifier_scan_page_map;
	widget_class->unmap = verifier_scan_page_unmap;

	signals[SIGNAL_URI_FOUND] = g_signal_new ("uri-found", G_TYPE_FROM_CLASS (klass),
	    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_SCAN_FAILED] = g_signal_new ("scan-failed", G_TYPE_FROM_CLASS (klass),
	    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

	gtk_widget_class_set_template_from_resource (widget_class,
	    "/org/tessera/Verifier/verifier-scan-page.ui");
	gtk_widget_class_bind_template_child (widget_class, VerifierScanPage, viewfinder_stack);
	gtk_widget_class_bind_template_child (widget_class, VerifierScanPage, preview);
	gtk_widget_class_bind_template_child (widget_class, VerifierScanPage, preview_hint);
	gtk_widget_class_bind_template_child (widget_class, VerifierScanPage, no_camera_status);
	gtk_widget_class_bind_template_child (widget_class, VerifierScanPage, camera_row);
	gtk_widget_class_bind_template_child (widget_class, VerifierScanPage, request_row);
}

static void
verifier_scan_page_init (VerifierScanPage *self)
{
	GListModel *cameras;
	g_autoptr (GtkExpression) camera_name = NULL;
	g_autofree char *wanted = NULL;
	guint n;

	gtk_widget_init_template (GTK_WIDGET (self));

	self->settings = g_settings_new (VERIFIER_APP_ID);
	self->scanner = verifier_qr_scanner_new ();
	g_signal_connect (self->scanner, "found", G_CALLBACK (on_found), self);
	g_signal_connect (self->scanner, "not-found", G_CALLBACK (on_not_found), self);

	self->cameras = verifier_camera_monitor_new ();
	cameras = verifier_camera_monitor_get_cameras (self->cameras);
	/* The row takes its own reference (transfer none), unlike GtkDropDown's
	 * constructor. */
	camera_name = gtk_property_expression_new (GST_TYPE_DEVICE, NULL, "display-name");
	adw_combo_row_set_expression (self->camera_row, camera_name);
	adw_combo_row_set_model (self->camera_row, cameras);
	wanted = g_settings_get_string (self->settings, "camera");
	n = g_list_model_get_n_items (cameras);
	for (guint i = 0; i < n; i++) {
		g_autoptr (GstDevice) device = g_list_model_get_item (cameras, i);
		g_autofree char *name = gst_device_get_display_name (device);

		if (g_strcmp0 (name, wanted) == 0)
			adw_combo_row_set_selected (self->camera_row, i);
	}
	g_signal_connect (cameras, "items-changed", G_CALLBACK (on_cameras_changed), self);
	g_signal_connect_swapped (self->camera_row, "notify::selected",
	    G_CALLBACK (on_camera_selected), self);
	update_cameras (self);
}
