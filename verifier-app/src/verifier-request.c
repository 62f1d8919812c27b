/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-request.h"

#include <glib/gi18n.h>
#include <string.h>
#include <tessera/tessera.h>

#include "verifier-catalog.h"
#include "verifier-error.h"

/* More than any real request; what the settings can make us encode. */
#define MAX_ELEMENTS 256
/* A reader certificate chain or key file. */
#define MAX_IDENTITY_FILE (256 * 1024)

typedef struct {
	char *doc_type, *name_space, *identifier;
	gboolean retain;
} Element;

struct _VerifierRequest {
	GObject parent_instance;

	char *template_name;
	GPtrArray *elements;   /* Element */
	GBytes *reader_chain;
	GBytes *reader_key;
};

G_DEFINE_FINAL_TYPE (VerifierRequest, verifier_request, G_TYPE_OBJECT)

static void
element_free (gpointer data)
{
	Element *e = data;

	g_free (e->doc_type);
	g_free (e->name_space);
	g_free (e->identifier);
	g_free (e);
}

static void
wipe_bytes (GBytes **bytes)
{
	/* A private key: overwrite what we own before letting it go. */
	if (*bytes != NULL && g_bytes_get_size (*bytes) > 0) {
		gsize n;
		gpointer data = g_bytes_unref_to_data (g_steal_pointer (bytes), &n);

		memset (data, 0, n);
		g_free (data);
	}
	g_clear_pointer (bytes, g_bytes_unref);
}

static void
verifier_request_finalize (GObject *object)
{
	VerifierRequest *self = VERIFIER_REQUEST (object);

	g_free (self->template_name);
	g_ptr_array_unref (self->elements);
	g_clear_pointer (&self->reader_chain, g_bytes_unref);
	wipe_bytes (&self->reader_key);
	G_OBJECT_CLASS (verifier_request_parent_class)->finalize (object);
}

static void
verifier_request_class_init (VerifierRequestClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = verifier_request_finalize;
}

static void
verifier_request_init (VerifierRequest *self)
{
	self->elements = g_ptr_array_new_with_free_func (element_free);
}

VerifierRequest *
verifier_request_new (void)
{
	return g_object_new (VERIFIER_TYPE_REQUEST, NULL);
}

gboolean
verifier_request_parse_spec (const char *spec, char **ret_doc_type, char **ret_name_space,
    char **ret_identifier, gboolean *ret_retain)
{
	g_auto (GStrv) parts = NULL;
	g_autofree char *id = NULL;
	gboolean retain;

	if (spec == NULL)
		return FALSE;
	parts = g_strsplit (spec, "/", -1);
	if (g_strv_length (parts) != 3 || parts[0][0] == '\0' || parts[1][0] == '\0')
		return FALSE;
	id = g_strdup (parts[2]);
	retain = g_str_has_suffix (id, "!");
	if (retain)
		id[strlen (id) - 1] = '\0';
	if (id[0] == '\0')
		return FALSE;
	*ret_doc_type = g_strdup (parts[0]);
	*ret_name_space = g_strdup (parts[1]);
	*ret_identifier = g_steal_pointer (&id);
	*ret_retain = retain;
	return TRUE;
}

char *
verifier_request_format_spec (const char *doc_type, const char *name_space,
    const char *identifier, gboolean retain)
{
	return g_strdup_printf ("%s/%s/%s%s", doc_type, name_space, identifier, retain ? "!" : "");
}

static GBytes *
read_identity_file (const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &data, &len, error))
		return NULL;
	if (len > MAX_IDENTITY_FILE) {
		memset (data, 0, len);
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_READER_IDENTITY,
		    _("%s is too large to be a certificate or key."), path);
		return NULL;
	}
	return g_bytes_new_take (g_steal_pointer (&data), len);
}

VerifierRequest *
verifier_request_new_from_settings (GSettings *settings, GError **error)
{
	g_autoptr (VerifierRequest) self = verifier_request_new ();
	g_autofree char *template_name = g_settings_get_string (settings, "request-template");
	g_auto (GStrv) specs = g_settings_get_strv (settings, "request-elements");

	if (template_name[0] != '\0')
		verifier_request_set_template (self, template_name);
	for (gsize i = 0; specs[i] != NULL; i++) {
		g_autofree char *dt = NULL, *ns = NULL, *id = NULL;
		gboolean retain;

		if (verifier_request_parse_spec (specs[i], &dt, &ns, &id, &retain))
			verifier_request_add_element (self, dt, ns, id, retain);
		else
			g_debug ("ignoring request element '%s'", specs[i]);
	}
	if (g_settings_get_boolean (settings, "reader-auth")) {
		g_autofree char *cert_path = g_settings_get_string (settings, "reader-cert");
		g_autofree char *key_path = g_settings_get_string (settings, "reader-key");
		g_autoptr (GBytes) chain = NULL;
		g_autoptr (GBytes) key = NULL;
		g_autoptr (GError) local_error = NULL;

		if (cert_path[0] == '\0' || key_path[0] == '\0') {
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_READER_IDENTITY,
			    _("Requests are to be signed, but no reader certificate and key are set. Choose them in Trust, or turn off “Sign requests”."));
			return NULL;
		}
		chain = read_identity_file (cert_path, &local_error);
		if (chain != NULL)
			key = read_identity_file (key_path, &local_error);
		if (key == NULL) {
			g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_READER_IDENTITY,
			    _("The reader identity cannot be read: %s"), local_error->message);
			return NULL;
		}
		verifier_request_set_reader_identity (self, chain, key);
		wipe_bytes (&key);
	}
	return g_steal_pointer (&self);
}

void
verifier_request_set_template (VerifierRequest *self, const char *name)
{
	g_return_if_fail (VERIFIER_IS_REQUEST (self));
	g_free (self->template_name);
	self->template_name = name != NULL && *name != '\0' ? g_strdup (name) : NULL;
}

const char *
verifier_request_get_template (VerifierRequest *self)
{
	g_return_val_if_fail (VERIFIER_IS_REQUEST (self), NULL);
	return self->template_name;
}

void
verifier_request_add_element (VerifierRequest *self, const char *doc_type, const char *name_space,
    const char *identifier, gboolean intent_to_retain)
{
	Element *e;

	g_return_if_fail (VERIFIER_IS_REQUEST (self));
	g_return_if_fail (doc_type != NULL && name_space != NULL && identifier != NULL);
	if (self->elements->len >= MAX_ELEMENTS)
		return;
	for (guint i = 0; i < self->elements->len; i++) {
		e = g_ptr_array_index (self->elements, i);
		if (strcmp (e->doc_type, doc_type) == 0 && strcmp (e->name_space, name_space) == 0 &&
		    strcmp (e->identifier, identifier) == 0) {
			e->retain = intent_to_retain;
			return;
		}
	}
	e = g_new0 (Element, 1);
	e->doc_type = g_strdup (doc_type);
	e->name_space = g_strdup (name_space);
	e->identifier = g_strdup (identifier);
	e->retain = intent_to_retain;
	g_ptr_array_add (self->elements, e);
}

guint
verifier_request_get_n_elements (VerifierRequest *self)
{
	g_return_val_if_fail (VERIFIER_IS_REQUEST (self), 0);
	return self->elements->len;
}

void
verifier_request_set_reader_identity (VerifierRequest *self, GBytes *chain, GBytes *key)
{
	g_return_if_fail (VERIFIER_IS_REQUEST (self));
	g_clear_pointer (&self->reader_chain, g_bytes_unref);
	wipe_bytes (&self->reader_key);
	if (chain == NULL || key == NULL)
		return;
	self->reader_chain = g_bytes_ref (chain);
	/* Our own copy, so that finalize can wipe it. */
	self->reader_key = g_bytes_new (g_bytes_get_data (key, NULL), g_bytes_get_size (key));
}

gboolean
verifier_request_has_reader_identity (VerifierRequest *self)
{
	g_return_val_if_fail (VERIFIER_IS_REQUEST (self), FALSE);
	return self->reader_chain != NULL;
}

VerifierRequest *
verifier_request_copy_with_identity (VerifierRequest *self, VerifierRequest *identity)
{
	VerifierRequest *copy;

	g_return_val_if_fail (VERIFIER_IS_REQUEST (self) && VERIFIER_IS_REQUEST (identity), NULL);
	copy = verifier_request_new ();
	verifier_request_set_template (copy, self->template_name);
	for (guint i = 0; i < self->elements->len; i++) {
		Element *e = g_ptr_array_index (self->elements, i);

		verifier_request_add_element (copy, e->doc_type, e->name_space, e->identifier,
		    e->retain);
	}
	verifier_request_set_reader_identity (copy, identity->reader_chain, identity->reader_key);
	return copy;
}

gboolean
verifier_request_is_empty (VerifierRequest *self)
{
	g_return_val_if_fail (VERIFIER_IS_REQUEST (self), TRUE);
	return self->template_name == NULL && self->elements->len == 0;
}

char *
verifier_request_describe (VerifierRequest *self)
{
	guint n;

	g_return_val_if_fail (VERIFIER_IS_REQUEST (self), NULL);
	n = self->elements->len;
	if (self->template_name == NULL && n == 0)
		return g_strdup (_("Nothing yet"));
	if (self->template_name == NULL)
		return g_strdup_printf (ngettext ("%u chosen detail", "%u chosen details", n), n);
	if (n == 0)
		return g_strdup (verifier_catalog_template_title (self->template_name));
	/* Translators: a template name, then how many details were added to it. */
	return g_strdup_printf (ngettext ("%s and %u more detail", "%s and %u more details", n),
	    verifier_catalog_template_title (self->template_name), n);
}

GBytes *
verifier_request_build (VerifierRequest *self, const guint8 *transcript, gsize transcript_len,
    GError **error)
{
	tsr_request_builder_t *b = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	GBytes *ret = NULL;
	int err;

	g_return_val_if_fail (VERIFIER_IS_REQUEST (self), NULL);

	if (verifier_request_is_empty (self)) {
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_REQUEST,
		    _("Choose what to ask for first."));
		return NULL;
	}
	if (tsr_request_builder_new (&b) != TSR_OK) {
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_REQUEST, tsr_strerror (TSR_ERR_NO_MEMORY));
		return NULL;
	}
	if (self->template_name != NULL &&
	    (err = tsr_request_builder_add_template (b, self->template_name)) != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_REQUEST,
		    _("Unknown request template “%s”."), self->template_name);
		goto out;
	}
	for (guint i = 0; i < self->elements->len; i++) {
		Element *e = g_ptr_array_index (self->elements, i);

		if ((err = tsr_request_builder_add_element (b, e->doc_type, e->name_space,
		    e->identifier, e->retain)) != TSR_OK) {
			g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_REQUEST,
			    _("The element %s cannot be asked for: %s"), e->identifier, tsr_strerror (err));
			goto out;
		}
	}
	if (self->reader_chain != NULL &&
	    (err = tsr_request_builder_set_reader_auth (b, g_bytes_get_data (self->reader_chain, NULL),
	    g_bytes_get_size (self->reader_chain), g_bytes_get_data (self->reader_key, NULL),
	    g_bytes_get_size (self->reader_key))) != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_READER_IDENTITY,
		    _("The reader certificate or key is not usable: %s"), tsr_strerror (err));
		goto out;
	}
	if ((err = tsr_request_builder_build (b, transcript, transcript_len, &out, &out_len)) != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_REQUEST,
		    _("The request could not be made: %s"), tsr_strerror (err));
		goto out;
	}
	ret = g_bytes_new (out, out_len);
out:
	tsr_free (out);
	tsr_request_builder_free (b);
	return ret;
}
