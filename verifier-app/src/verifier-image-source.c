/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-image-source.h"

#include <glib/gi18n.h>

#include "verifier-error.h"

struct _VerifierImageSource {
	GObject parent_instance;

	GFile *file;
	GdkTexture *texture;
	guint idle_id;
};

static void verifier_image_source_iface_init (VerifierFrameSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VerifierImageSource, verifier_image_source, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (VERIFIER_TYPE_FRAME_SOURCE, verifier_image_source_iface_init))

static gboolean
emit_frame (gpointer user_data)
{
	VerifierImageSource *self = user_data;
	g_autoptr (VerifierFrame) frame = NULL;

	self->idle_id = 0;
	g_object_ref (self);
	frame = verifier_frame_new_from_texture (self->texture);
	if (frame != NULL)
		verifier_frame_source_emit_frame (VERIFIER_FRAME_SOURCE (self), frame);
	verifier_frame_source_emit_finished (VERIFIER_FRAME_SOURCE (self), NULL);
	g_object_unref (self);
	return G_SOURCE_REMOVE;
}

static gboolean
verifier_image_source_start (VerifierFrameSource *source, GError **error)
{
	VerifierImageSource *self = VERIFIER_IMAGE_SOURCE (source);

	if (self->texture == NULL) {
		g_autoptr (GError) local_error = NULL;

		self->texture = gdk_texture_new_from_file (self->file, &local_error);
		if (self->texture == NULL) {
			g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_NO_QR,
			    _("This file is not a picture that can be read: %s"), local_error->message);
			return FALSE;
		}
	}
	if (self->idle_id == 0)
		self->idle_id = g_idle_add (emit_frame, self);
	return TRUE;
}

static void
verifier_image_source_stop (VerifierFrameSource *source)
{
	VerifierImageSource *self = VERIFIER_IMAGE_SOURCE (source);

	g_clear_handle_id (&self->idle_id, g_source_remove);
}

static void
verifier_image_source_iface_init (VerifierFrameSourceInterface *iface)
{
	iface->start = verifier_image_source_start;
	iface->stop = verifier_image_source_stop;
}

static void
verifier_image_source_dispose (GObject *object)
{
	VerifierImageSource *self = VERIFIER_IMAGE_SOURCE (object);

	g_clear_handle_id (&self->idle_id, g_source_remove);
	g_clear_object (&self->file);
	g_clear_object (&self->texture);
	G_OBJECT_CLASS (verifier_image_source_parent_class)->dispose (object);
}

static void
verifier_image_source_class_init (VerifierImageSourceClass *klass)
{
	G_OBJECT_CLASS (klass)->dispose = verifier_image_source_dispose;
}

static void
verifier_image_source_init (VerifierImageSource *self)
{
	(void) self;
}

VerifierImageSource *
verifier_image_source_new_for_file (GFile *file)
{
	VerifierImageSource *self;

	g_return_val_if_fail (G_IS_FILE (file), NULL);
	self = g_object_new (VERIFIER_TYPE_IMAGE_SOURCE, NULL);
	self->file = g_object_ref (file);
	return self;
}

VerifierImageSource *
verifier_image_source_new_for_texture (GdkTexture *texture)
{
	VerifierImageSource *self;

	g_return_val_if_fail (GDK_IS_TEXTURE (texture), NULL);
	self = g_object_new (VERIFIER_TYPE_IMAGE_SOURCE, NULL);
	self->texture = g_object_ref (texture);
	return self;
}
