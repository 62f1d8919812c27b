/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-pipeline-source.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "verifier-dispatch.h"
#include "verifier-error.h"

/* Frames larger than this are scaled down: enough for a QR code held at
 * arm's length, and within the decoder's limits. */
#define TAIL "videoconvert ! videoscale ! " \
	"video/x-raw,format=GRAY8,width=[16,4096],height=[16,4096]"

struct _VerifierPipelineSource {
	GObject parent_instance;

	GstDevice *device;       /* a camera, or NULL */
	GFile *file;             /* an image, or NULL */
	guint n_frames;          /* for an image */
	char *head;              /* a launch description, or NULL */

	GstElement *pipeline;
	GMainContext *context;
	GSource *bus_source;
	gboolean running;
	gint generation;         /* bumped by stop(): late events are dropped */
	gint pending;            /* frames handed to the main context, not yet emitted */
};

static void verifier_pipeline_source_iface_init (VerifierFrameSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VerifierPipelineSource, verifier_pipeline_source, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (VERIFIER_TYPE_FRAME_SOURCE, verifier_pipeline_source_iface_init))

typedef struct {
	VerifierPipelineSource *self;
	gint generation;
	VerifierFrame *frame;    /* a frame, or NULL for the end of the stream */
} Event;

static void
event_free (gpointer data)
{
	Event *ev = data;

	g_clear_pointer (&ev->frame, verifier_frame_unref);
	g_object_unref (ev->self);
	g_free (ev);
}

static void stop_pipeline (VerifierPipelineSource *self);

static gboolean
dispatch_event (gpointer data)
{
	Event *ev = data;
	VerifierPipelineSource *self = ev->self;

	if (ev->frame != NULL)
		g_atomic_int_add (&self->pending, -1);
	if (!self->running || ev->generation != g_atomic_int_get (&self->generation))
		return G_SOURCE_REMOVE;
	if (ev->frame != NULL) {
		verifier_frame_source_emit_frame (VERIFIER_FRAME_SOURCE (self), ev->frame);
	} else {
		stop_pipeline (self);
		verifier_frame_source_emit_finished (VERIFIER_FRAME_SOURCE (self), NULL);
	}
	return G_SOURCE_REMOVE;
}

/* Streaming thread: frames and the end of stream travel through the same
 * queue of idle sources, so the end never overtakes the last frame. */
static void
post_event (VerifierPipelineSource *self, VerifierFrame *frame)
{
	Event *ev = g_new0 (Event, 1);

	ev->self = g_object_ref (self);
	ev->generation = g_atomic_int_get (&self->generation);
	ev->frame = frame;
	verifier_dispatch_to_context (self->context, dispatch_event, ev, event_free);
}

static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer user_data)
{
	VerifierPipelineSource *self = user_data;
	g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
	GstVideoInfo info;
	GstVideoFrame vframe;
	guint w, h;
	gsize src_stride;
	const guchar *src;
	guchar *gray;
	g_autoptr (GBytes) bytes = NULL;

	if (sample == NULL)
		return GST_FLOW_OK;
	/* The decoder is slower than a camera: keep one frame in flight and
	 * drop the rest rather than queueing stale pictures. */
	if (g_atomic_int_get (&self->pending) > 0)
		return GST_FLOW_OK;
	if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
	    GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_GRAY8)
		return GST_FLOW_ERROR;
	if (!gst_video_frame_map (&vframe, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
		return GST_FLOW_ERROR;
	w = (guint) GST_VIDEO_FRAME_WIDTH (&vframe);
	h = (guint) GST_VIDEO_FRAME_HEIGHT (&vframe);
	src = GST_VIDEO_FRAME_PLANE_DATA (&vframe, 0);
	src_stride = (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (&vframe, 0);
	gray = g_malloc ((gsize) w * h);
	for (guint y = 0; y < h; y++)
		memcpy (gray + (gsize) y * w, src + (gsize) y * src_stride, w);
	gst_video_frame_unmap (&vframe);

	bytes = g_bytes_new_take (gray, (gsize) w * h);
	g_atomic_int_inc (&self->pending);
	post_event (self, verifier_frame_new (bytes, w, h, w));
	return GST_FLOW_OK;
}

static void
on_eos (GstAppSink *sink, gpointer user_data)
{
	(void) sink;
	post_event (user_data, NULL);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
	VerifierPipelineSource *self = user_data;
	g_autoptr (GError) gst_error = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree char *debug = NULL;

	(void) bus;
	if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR || !self->running)
		return G_SOURCE_CONTINUE;
	gst_message_parse_error (message, &gst_error, &debug);
	g_debug ("pipeline error: %s (%s)", gst_error->message, debug ? debug : "");
	error = g_error_new (VERIFIER_ERROR, VERIFIER_ERROR_FAILED, _("The picture source failed: %s"),
	    gst_error->message);
	g_object_ref (self);
	stop_pipeline (self);
	verifier_frame_source_emit_finished (VERIFIER_FRAME_SOURCE (self), error);
	g_object_unref (self);
	return G_SOURCE_REMOVE;
}

static GstElement *
build_pipeline (VerifierPipelineSource *self, GError **error)
{
	g_autoptr (GstElement) pipeline = NULL;
	g_autofree char *description = NULL;

	if (self->device != NULL) {
		GstElement *src, *tail;

		pipeline = gst_pipeline_new ("verifier-camera");
		src = gst_device_create_element (self->device, NULL);
		if (src == NULL) {
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_FAILED,
			    _("The camera cannot be opened."));
			return NULL;
		}
		tail = gst_parse_bin_from_description (TAIL " ! appsink name=sink", TRUE, error);
		if (tail == NULL) {
			gst_object_unref (src);
			return NULL;
		}
		gst_bin_add_many (GST_BIN (pipeline), src, tail, NULL);
		if (!gst_element_link (src, tail)) {
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_FAILED,
			    _("The camera gives no picture format this app can read."));
			return NULL;
		}
		return g_steal_pointer (&pipeline);
	}

	if (self->file != NULL)
		description = g_strdup_printf ("filesrc name=src ! decodebin ! " TAIL
		    " ! imagefreeze num-buffers=%u ! appsink name=sink", self->n_frames);
	else
		description = g_strdup_printf ("%s ! " TAIL " ! appsink name=sink", self->head);
	pipeline = gst_parse_launch_full (description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
	if (pipeline == NULL)
		return NULL;
	if (self->file != NULL) {
		g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
		g_autofree char *path = g_file_get_path (self->file);

		if (path == NULL) {
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_FAILED,
			    _("Only local files can be opened."));
			return NULL;
		}
		g_object_set (src, "location", path, NULL);
	}
	return g_steal_pointer (&pipeline);
}

static gboolean
verifier_pipeline_source_start (VerifierFrameSource *source, GError **error)
{
	VerifierPipelineSource *self = VERIFIER_PIPELINE_SOURCE (source);
	g_autoptr (GstElement) pipeline = NULL;
	g_autoptr (GstElement) sink = NULL;
	g_autoptr (GstBus) bus = NULL;
	GstAppSinkCallbacks callbacks = { 0 };

	if (self->running)
		return TRUE;
	pipeline = build_pipeline (self, error);
	if (pipeline == NULL)
		return FALSE;
	sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
	g_object_set (sink, "sync", FALSE, "max-buffers", 1, "drop", TRUE, NULL);
	callbacks.new_sample = on_new_sample;
	callbacks.eos = on_eos;
	gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

	g_clear_pointer (&self->context, g_main_context_unref);
	self->context = g_main_context_ref_thread_default ();
	bus = gst_element_get_bus (pipeline);
	self->bus_source = gst_bus_create_watch (bus);
	g_source_set_callback (self->bus_source, G_SOURCE_FUNC (on_bus_message), self, NULL);
	g_source_attach (self->bus_source, self->context);

	self->pipeline = g_steal_pointer (&pipeline);
	self->running = TRUE;
	if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		stop_pipeline (self);
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_FAILED,
		    _("The picture source could not be started."));
		return FALSE;
	}
	return TRUE;
}

static void
stop_pipeline (VerifierPipelineSource *self)
{
	self->running = FALSE;
	g_atomic_int_inc (&self->generation);
	if (self->bus_source != NULL) {
		g_source_destroy (self->bus_source);
		g_clear_pointer (&self->bus_source, g_source_unref);
	}
	if (self->pipeline != NULL) {
		/* Waits for the streaming threads: no callback runs after this. */
		gst_element_set_state (self->pipeline, GST_STATE_NULL);
		g_clear_object (&self->pipeline);
	}
}

static void
verifier_pipeline_source_stop (VerifierFrameSource *source)
{
	stop_pipeline (VERIFIER_PIPELINE_SOURCE (source));
}

static void
verifier_pipeline_source_iface_init (VerifierFrameSourceInterface *iface)
{
	iface->start = verifier_pipeline_source_start;
	iface->stop = verifier_pipeline_source_stop;
}

static void
verifier_pipeline_source_dispose (GObject *object)
{
	VerifierPipelineSource *self = VERIFIER_PIPELINE_SOURCE (object);

	stop_pipeline (self);
	g_clear_object (&self->device);
	g_clear_object (&self->file);
	G_OBJECT_CLASS (verifier_pipeline_source_parent_class)->dispose (object);
}

static void
verifier_pipeline_source_finalize (GObject *object)
{
	VerifierPipelineSource *self = VERIFIER_PIPELINE_SOURCE (object);

	g_free (self->head);
	g_clear_pointer (&self->context, g_main_context_unref);
	G_OBJECT_CLASS (verifier_pipeline_source_parent_class)->finalize (object);
}

static void
verifier_pipeline_source_class_init (VerifierPipelineSourceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = verifier_pipeline_source_dispose;
	object_class->finalize = verifier_pipeline_source_finalize;
}

static void
verifier_pipeline_source_init (VerifierPipelineSource *self)
{
	(void) self;
}

VerifierPipelineSource *
verifier_pipeline_source_new_for_device (GstDevice *device)
{
	VerifierPipelineSource *self;

	g_return_val_if_fail (GST_IS_DEVICE (device), NULL);
	self = g_object_new (VERIFIER_TYPE_PIPELINE_SOURCE, NULL);
	self->device = gst_object_ref (device);
	return self;
}

VerifierPipelineSource *
verifier_pipeline_source_new_for_file (GFile *file, guint n_frames)
{
	VerifierPipelineSource *self;

	g_return_val_if_fail (G_IS_FILE (file), NULL);
	self = g_object_new (VERIFIER_TYPE_PIPELINE_SOURCE, NULL);
	self->file = g_object_ref (file);
	self->n_frames = MAX (n_frames, 1);
	return self;
}

VerifierPipelineSource *
verifier_pipeline_source_new_for_description (const char *head)
{
	VerifierPipelineSource *self;

	g_return_val_if_fail (head != NULL, NULL);
	self = g_object_new (VERIFIER_TYPE_PIPELINE_SOURCE, NULL);
	self->head = g_strdup (head);
	return self;
}
