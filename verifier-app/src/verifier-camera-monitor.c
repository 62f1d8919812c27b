/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-camera-monitor.h"

struct _VerifierCameraMonitor {
	GObject parent_instance;

	GstDeviceMonitor *monitor;
	GListStore *cameras;
	guint bus_watch;
	gboolean started;
};

G_DEFINE_FINAL_TYPE (VerifierCameraMonitor, verifier_camera_monitor, G_TYPE_OBJECT)

static gboolean
find_device (VerifierCameraMonitor *self, GstDevice *device, guint *ret_pos)
{
	return g_list_store_find (self->cameras, device, ret_pos);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
	VerifierCameraMonitor *self = user_data;
	g_autoptr (GstDevice) device = NULL;
	guint pos;

	(void) bus;
	switch (GST_MESSAGE_TYPE (message)) {
	case GST_MESSAGE_DEVICE_ADDED:
		gst_message_parse_device_added (message, &device);
		if (!find_device (self, device, &pos))
			g_list_store_append (self->cameras, device);
		break;
	case GST_MESSAGE_DEVICE_REMOVED:
		gst_message_parse_device_removed (message, &device);
		if (find_device (self, device, &pos))
			g_list_store_remove (self->cameras, pos);
		break;
	default:
		break;
	}
	return G_SOURCE_CONTINUE;
}

static void
verifier_camera_monitor_dispose (GObject *object)
{
	VerifierCameraMonitor *self = VERIFIER_CAMERA_MONITOR (object);

	g_clear_handle_id (&self->bus_watch, g_source_remove);
	if (self->monitor != NULL && self->started)
		gst_device_monitor_stop (self->monitor);
	self->started = FALSE;
	g_clear_object (&self->monitor);
	g_clear_object (&self->cameras);
	G_OBJECT_CLASS (verifier_camera_monitor_parent_class)->dispose (object);
}

static void
verifier_camera_monitor_class_init (VerifierCameraMonitorClass *klass)
{
	G_OBJECT_CLASS (klass)->dispose = verifier_camera_monitor_dispose;
}

static void
verifier_camera_monitor_init (VerifierCameraMonitor *self)
{
	self->cameras = g_list_store_new (GST_TYPE_DEVICE);
}

VerifierCameraMonitor *
verifier_camera_monitor_new (void)
{
	VerifierCameraMonitor *self = g_object_new (VERIFIER_TYPE_CAMERA_MONITOR, NULL);
	g_autoptr (GstBus) bus = NULL;
	GList *devices;

	self->monitor = gst_device_monitor_new ();
	gst_device_monitor_add_filter (self->monitor, "Video/Source", NULL);
	bus = gst_device_monitor_get_bus (self->monitor);
	self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
	/* No provider, or none that works here (no /dev/video*): no camera. */
	self->started = gst_device_monitor_start (self->monitor);
	devices = self->started ? gst_device_monitor_get_devices (self->monitor) : NULL;
	for (GList *l = devices; l != NULL; l = l->next)
		g_list_store_append (self->cameras, l->data);
	g_list_free_full (devices, gst_object_unref);
	return self;
}

GListModel *
verifier_camera_monitor_get_cameras (VerifierCameraMonitor *self)
{
	g_return_val_if_fail (VERIFIER_IS_CAMERA_MONITOR (self), NULL);
	return G_LIST_MODEL (self->cameras);
}
