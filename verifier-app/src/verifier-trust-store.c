/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-trust-store.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <tessera/tessera.h>
#include <tessera/issuer.h>

#include "verifier-catalog.h"
#include "verifier-error.h"

#define MAX_CERT_FILE (1024 * 1024)
#define MAX_STATUS_FILE (8 * 1024 * 1024)
#define MAX_FOLDER_FILES 1000

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

/* ---- VerifierTrustAnchor ---- */

struct _VerifierTrustAnchor {
	GObject parent_instance;
	char *path, *subject, *common_name, *country;
	gint64 not_after;
	GBytes *data;
};

G_DEFINE_FINAL_TYPE (VerifierTrustAnchor, verifier_trust_anchor, G_TYPE_OBJECT)

static void
verifier_trust_anchor_finalize (GObject *object)
{
	VerifierTrustAnchor *self = VERIFIER_TRUST_ANCHOR (object);

	g_free (self->path);
	g_free (self->subject);
	g_free (self->common_name);
	g_free (self->country);
	g_clear_pointer (&self->data, g_bytes_unref);
	G_OBJECT_CLASS (verifier_trust_anchor_parent_class)->finalize (object);
}

static void
verifier_trust_anchor_class_init (VerifierTrustAnchorClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = verifier_trust_anchor_finalize;
}

static void
verifier_trust_anchor_init (VerifierTrustAnchor *self)
{
	(void) self;
}

const char *verifier_trust_anchor_get_path (VerifierTrustAnchor *self) { return self->path; }
const char *verifier_trust_anchor_get_subject (VerifierTrustAnchor *self) { return self->subject; }
const char *verifier_trust_anchor_get_common_name (VerifierTrustAnchor *self) { return self->common_name; }
const char *verifier_trust_anchor_get_country (VerifierTrustAnchor *self) { return self->country; }
gint64 verifier_trust_anchor_get_not_after (VerifierTrustAnchor *self) { return self->not_after; }
GBytes *verifier_trust_anchor_get_data (VerifierTrustAnchor *self) { return self->data; }

/* ---- VerifierStatusList ---- */

struct _VerifierStatusList {
	GObject parent_instance;
	char *path, *uri, *signer;
	gint64 issued_at, expires_at, ttl;
	guint size;
	GBytes *data;
};

G_DEFINE_FINAL_TYPE (VerifierStatusList, verifier_status_list, G_TYPE_OBJECT)

static void
verifier_status_list_finalize (GObject *object)
{
	VerifierStatusList *self = VERIFIER_STATUS_LIST (object);

	g_free (self->path);
	g_free (self->uri);
	g_free (self->signer);
	g_clear_pointer (&self->data, g_bytes_unref);
	G_OBJECT_CLASS (verifier_status_list_parent_class)->finalize (object);
}

static void
verifier_status_list_class_init (VerifierStatusListClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = verifier_status_list_finalize;
}

static void
verifier_status_list_init (VerifierStatusList *self)
{
	(void) self;
}

const char *verifier_status_list_get_path (VerifierStatusList *self) { return self->path; }
const char *verifier_status_list_get_uri (VerifierStatusList *self) { return self->uri; }
const char *verifier_status_list_get_signer (VerifierStatusList *self) { return self->signer; }
gint64 verifier_status_list_get_issued_at (VerifierStatusList *self) { return self->issued_at; }
gint64 verifier_status_list_get_expires_at (VerifierStatusList *self) { return self->expires_at; }
gint64 verifier_status_list_get_ttl (VerifierStatusList *self) { return self->ttl; }
guint verifier_status_list_get_size (VerifierStatusList *self) { return self->size; }
GBytes *verifier_status_list_get_data (VerifierStatusList *self) { return self->data; }

/* ---- Certificates ---- */

static gboolean
looks_like_pem (GBytes *data)
{
	gsize len;
	const char *p = g_bytes_get_data (data, &len);

	return len > strlen (PEM_BEGIN) && g_strstr_len (p, (gssize) len, PEM_BEGIN) != NULL;
}

static char *
der_to_pem (const guint8 *der, gsize len)
{
	g_autofree char *b64 = g_base64_encode (der, len);
	GString *pem = g_string_new (PEM_BEGIN "\n");
	gsize n = strlen (b64);

	for (gsize i = 0; i < n; i += 64) {
		g_string_append_len (pem, b64 + i, (gssize) MIN (64, n - i));
		g_string_append_c (pem, '\n');
	}
	g_string_append (pem, PEM_END "\n");
	return g_string_free (pem, FALSE);
}

/* Splits a PEM file into single-certificate PEM blocks, or wraps a DER
 * certificate as one. */
static GPtrArray *
split_certificates (GBytes *data)
{
	GPtrArray *certs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
	gsize len;
	const char *p = g_bytes_get_data (data, &len);
	const char *end = p + len;

	if (!looks_like_pem (data)) {
		char *pem = der_to_pem ((const guint8 *) p, len);

		g_ptr_array_add (certs, g_bytes_new_take (pem, strlen (pem)));
		return certs;
	}
	while (p < end) {
		const char *b = g_strstr_len (p, end - p, PEM_BEGIN);
		const char *e;

		if (b == NULL)
			break;
		e = g_strstr_len (b, end - b, PEM_END);
		if (e == NULL)
			break;
		e += strlen (PEM_END);
		{
			GString *block = g_string_new_len (b, e - b);

			g_string_append_c (block, '\n');
			g_ptr_array_add (certs, g_string_free_to_bytes (block));
		}
		p = e;
	}
	return certs;
}

static gboolean
core_accepts_certificate (GBytes *pem)
{
	tsr_verifier_t *v = NULL;
	gboolean ok;

	if (tsr_verifier_new (&v) != TSR_OK)
		return FALSE;
	ok = tsr_verifier_add_trust_anchor (v, g_bytes_get_data (pem, NULL),
	    g_bytes_get_size (pem)) == TSR_OK;
	tsr_verifier_free (v);
	return ok;
}

gboolean
verifier_certificate_describe (GBytes *data, char **ret_subject, gint64 *ret_not_after)
{
	g_autoptr (GTlsCertificate) cert = NULL;
	g_autoptr (GPtrArray) certs = split_certificates (data);
	g_autoptr (GDateTime) not_after = NULL;
	g_autofree char *pem = NULL;

	if (certs->len == 0)
		return FALSE;
	pem = g_strndup (g_bytes_get_data (certs->pdata[0], NULL), g_bytes_get_size (certs->pdata[0]));
	/* GIO's TLS back-end (GnuTLS) reads the certificate for display;
	 * libtessera alone decides about trust. */
	cert = g_tls_certificate_new_from_pem (pem, -1, NULL);
	if (cert == NULL)
		return FALSE;
	g_object_get (cert, "subject-name", ret_subject, "not-valid-after", &not_after, NULL);
	*ret_not_after = not_after != NULL ? g_date_time_to_unix (not_after) : 0;
	return *ret_subject != NULL;
}

/* ---- The store ---- */

/* A file in the trust folders that cannot be used. */
typedef struct {
	char *path;
	char *reason;
} Problem;

static void
problem_free (gpointer data)
{
	Problem *p = data;

	g_free (p->path);
	g_free (p->reason);
	g_free (p);
}

struct _VerifierTrustStore {
	GObject parent_instance;
	char *iaca_dir, *status_dir;
	GListStore *anchors;
	GListStore *lists;
	GPtrArray *problems;  /* Problem */

	/* Reads of the folders finish in any order: the last one started
	 * that finished is what the lists show. */
	guint generation;
	guint applied;
};

enum {
	PROP_0,
	PROP_LOADED,
	N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VerifierTrustStore, verifier_trust_store, G_TYPE_OBJECT)

static void
verifier_trust_store_finalize (GObject *object)
{
	VerifierTrustStore *self = VERIFIER_TRUST_STORE (object);

	g_free (self->iaca_dir);
	g_free (self->status_dir);
	g_clear_object (&self->anchors);
	g_clear_object (&self->lists);
	g_clear_pointer (&self->problems, g_ptr_array_unref);
	G_OBJECT_CLASS (verifier_trust_store_parent_class)->finalize (object);
}

static void
verifier_trust_store_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
	switch (prop_id) {
	case PROP_LOADED:
		g_value_set_boolean (value, verifier_trust_store_get_loaded (VERIFIER_TRUST_STORE (object)));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
	}
}

static void
verifier_trust_store_class_init (VerifierTrustStoreClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->finalize = verifier_trust_store_finalize;
	object_class->get_property = verifier_trust_store_get_property;
	properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
	    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
verifier_trust_store_init (VerifierTrustStore *self)
{
	self->anchors = g_list_store_new (VERIFIER_TYPE_TRUST_ANCHOR);
	self->lists = g_list_store_new (VERIFIER_TYPE_STATUS_LIST);
	self->problems = g_ptr_array_new_with_free_func (problem_free);
}

VerifierTrustStore *
verifier_trust_store_new (const char *iaca_dir, const char *status_dir)
{
	VerifierTrustStore *self = g_object_new (VERIFIER_TYPE_TRUST_STORE, NULL);

	self->iaca_dir = g_strdup (iaca_dir);
	self->status_dir = g_strdup (status_dir);
	return self;
}

gboolean
verifier_trust_store_get_loaded (VerifierTrustStore *self)
{
	g_return_val_if_fail (VERIFIER_IS_TRUST_STORE (self), FALSE);
	return self->applied > 0;
}

guint
verifier_trust_store_get_n_problems (VerifierTrustStore *self)
{
	g_return_val_if_fail (VERIFIER_IS_TRUST_STORE (self), 0);
	return self->problems->len;
}

void
verifier_trust_store_get_problem (VerifierTrustStore *self, guint i, const char **ret_path,
    const char **ret_reason)
{
	Problem *p;

	g_return_if_fail (VERIFIER_IS_TRUST_STORE (self) && i < self->problems->len);
	p = self->problems->pdata[i];
	*ret_path = p->path;
	*ret_reason = p->reason;
}

VerifierTrustStore *
verifier_trust_store_new_from_settings (GSettings *settings)
{
	g_autofree char *iaca = g_settings_get_string (settings, "trust-dir");
	g_autofree char *status = g_settings_get_string (settings, "status-list-dir");

	if (iaca[0] == '\0') {
		g_free (iaca);
		iaca = g_build_filename (g_get_user_data_dir (), "tessera-verifier", "iaca", NULL);
	}
	if (status[0] == '\0') {
		g_free (status);
		status = g_build_filename (g_get_user_data_dir (), "tessera-verifier", "status", NULL);
	}
	return verifier_trust_store_new (iaca, status);
}

const char *verifier_trust_store_get_iaca_dir (VerifierTrustStore *self) { return self->iaca_dir; }
const char *verifier_trust_store_get_status_dir (VerifierTrustStore *self) { return self->status_dir; }
GListModel *verifier_trust_store_get_anchors (VerifierTrustStore *self) { return G_LIST_MODEL (self->anchors); }
GListModel *verifier_trust_store_get_status_lists (VerifierTrustStore *self) { return G_LIST_MODEL (self->lists); }

static GBytes *
read_limited (const char *path, gsize limit, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &data, &len, error))
		return NULL;
	if (len > limit) {
		g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("%s is too large."), path);
		return NULL;
	}
	return g_bytes_new_take (g_steal_pointer (&data), len);
}

static VerifierTrustAnchor *
anchor_new (const char *path, GBytes *data)
{
	VerifierTrustAnchor *a = g_object_new (VERIFIER_TYPE_TRUST_ANCHOR, NULL);
	char *subject = NULL;
	gint64 not_after = 0;

	a->path = g_strdup (path);
	a->data = g_bytes_ref (data);
	if (verifier_certificate_describe (data, &subject, &not_after)) {
		a->subject = subject;
		a->not_after = not_after;
	} else {
		a->subject = g_path_get_basename (path);
	}
	a->common_name = verifier_catalog_subject_common_name (a->subject);
	a->country = verifier_catalog_subject_country (a->subject);
	return a;
}

static gint
compare_anchor_ptrs (gconstpointer a, gconstpointer b, gpointer user_data)
{
	const VerifierTrustAnchor *x = *(VerifierTrustAnchor *const *) a;
	const VerifierTrustAnchor *y = *(VerifierTrustAnchor *const *) b;

	(void) user_data;
	return g_utf8_collate (x->common_name, y->common_name);
}

static gboolean
parse_status_list (GBytes *data, VerifierStatusList *list, GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	tsr_verifier_t *v = NULL;
	char *json = NULL;
	JsonObject *obj;
	int err;
	gint64 t;

	if (tsr_verifier_new (&v) != TSR_OK) {
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_STATUS_LIST, tsr_strerror (TSR_ERR_NO_MEMORY));
		return FALSE;
	}
	err = tsr_verifier_add_status_list (v, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
	tsr_verifier_free (v);
	if (err != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_STATUS_LIST,
		    _("This file is not a status list: %s"), tsr_strerror (err));
		return FALSE;
	}
	/* Its claims, for display: the inspector reads them without trusting. */
	if (tsr_issuer_inspect (g_bytes_get_data (data, NULL), g_bytes_get_size (data), true,
	    &json) != TSR_OK)
		return TRUE;
	if (json_parser_load_from_data (parser, json, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
		obj = json_node_get_object (json_parser_get_root (parser));
		list->uri = g_strdup (json_object_get_string_member_with_default (obj, "uri", ""));
		list->signer = g_strdup (json_object_get_string_member_with_default (obj, "signer", ""));
		if (tsr_time_parse (json_object_get_string_member_with_default (obj, "iat", ""), &t) == TSR_OK)
			list->issued_at = t;
		if (tsr_time_parse (json_object_get_string_member_with_default (obj, "exp", ""), &t) == TSR_OK)
			list->expires_at = t;
		list->ttl = json_object_get_int_member_with_default (obj, "ttl", 0);
		list->size = (guint) json_object_get_int_member_with_default (obj, "size", 0);
	}
	tsr_free (json);
	return TRUE;
}

static gboolean
has_suffix_ci (const char *name, const char *const *suffixes)
{
	g_autofree char *lower = g_ascii_strdown (name, -1);

	for (gsize i = 0; suffixes[i] != NULL; i++)
		if (g_str_has_suffix (lower, suffixes[i]))
			return TRUE;
	return FALSE;
}

static const char *const cert_suffixes[] = { ".pem", ".der", ".crt", ".cer", NULL };
static const char *const list_suffixes[] = { ".cwt", NULL };

/* What both folders hold: the lists' contents, and the files that cannot
 * be used. */
typedef struct {
	GPtrArray *anchors;   /* VerifierTrustAnchor */
	GPtrArray *lists;     /* VerifierStatusList */
	GPtrArray *problems;  /* Problem */
} Contents;

static void
contents_free (Contents *c)
{
	g_ptr_array_unref (c->anchors);
	g_ptr_array_unref (c->lists);
	g_ptr_array_unref (c->problems);
	g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Contents, contents_free)

static void
add_problem (Contents *c, const char *path, const char *reason)
{
	Problem *p = g_new0 (Problem, 1);

	p->path = g_strdup (path);
	p->reason = g_strdup (reason);
	g_ptr_array_add (c->problems, p);
}

static void
load_iaca_dir (const char *iaca_dir, Contents *c)
{
	g_autoptr (GDir) dir = g_dir_open (iaca_dir, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		g_autofree char *path = g_build_filename (iaca_dir, name, NULL);
		g_autoptr (GBytes) data = NULL;
		g_autoptr (GError) error = NULL;

		if (!has_suffix_ci (name, cert_suffixes))
			continue;
		data = read_limited (path, MAX_CERT_FILE, &error);
		if (data == NULL)
			add_problem (c, path, error->message);
		else if (!core_accepts_certificate (data))
			add_problem (c, path, _("Not a certificate that can be used"));
		else
			g_ptr_array_add (c->anchors, anchor_new (path, data));
	}
}

static void
load_status_dir (const char *status_dir, Contents *c)
{
	g_autoptr (GDir) dir = g_dir_open (status_dir, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		g_autofree char *path = g_build_filename (status_dir, name, NULL);
		g_autoptr (GBytes) data = NULL;
		g_autoptr (VerifierStatusList) list = NULL;
		g_autoptr (GError) error = NULL;

		if (!has_suffix_ci (name, list_suffixes))
			continue;
		data = read_limited (path, MAX_STATUS_FILE, &error);
		if (data == NULL) {
			add_problem (c, path, error->message);
			continue;
		}
		list = g_object_new (VERIFIER_TYPE_STATUS_LIST, NULL);
		list->path = g_strdup (path);
		list->data = g_bytes_ref (data);
		if (parse_status_list (data, list, &error))
			g_ptr_array_add (c->lists, g_steal_pointer (&list));
		else
			add_problem (c, path, error->message);
	}
}

/* Reads both folders. Thread-safe (no self): it runs in worker threads. */
static Contents *
load_dirs (const char *iaca_dir, const char *status_dir)
{
	Contents *c = g_new0 (Contents, 1);

	c->anchors = g_ptr_array_new_with_free_func (g_object_unref);
	c->lists = g_ptr_array_new_with_free_func (g_object_unref);
	c->problems = g_ptr_array_new_with_free_func (problem_free);
	load_iaca_dir (iaca_dir, c);
	load_status_dir (status_dir, c);
	return c;
}

/* Shows what load_dirs() read (main thread), unless a read started later
 * has been shown already. */
static void
apply (VerifierTrustStore *self, guint generation, Contents *c)
{
	if (generation <= self->applied)
		return;
	self->applied = generation;
	g_ptr_array_sort_with_data (c->anchors, compare_anchor_ptrs, NULL);
	/* One change per list: the trust page rebuilds once. */
	g_list_store_splice (self->anchors, 0, g_list_model_get_n_items (G_LIST_MODEL (self->anchors)),
	    c->anchors->pdata, c->anchors->len);
	g_list_store_splice (self->lists, 0, g_list_model_get_n_items (G_LIST_MODEL (self->lists)),
	    c->lists->pdata, c->lists->len);
	g_ptr_array_set_size (self->problems, 0);
	g_ptr_array_extend_and_steal (self->problems, g_steal_pointer (&c->problems));
	c->problems = g_ptr_array_new_with_free_func (problem_free);
	g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

void
verifier_trust_store_reload (VerifierTrustStore *self)
{
	g_autoptr (Contents) c = NULL;

	g_return_if_fail (VERIFIER_IS_TRUST_STORE (self));
	c = load_dirs (self->iaca_dir, self->status_dir);
	apply (self, ++self->generation, c);
}

static gboolean
save_into (const char *dir, GBytes *data, const char *suffix, GError **error)
{
	g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
	g_autofree char *name = g_strconcat (digest, suffix, NULL);
	g_autofree char *path = g_build_filename (dir, name, NULL);

	if (g_mkdir_with_parents (dir, 0700) != 0) {
		int saved = errno;

		g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
		    _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
		return FALSE;
	}
	return g_file_set_contents_full (path, g_bytes_get_data (data, NULL),
	    (gssize) g_bytes_get_size (data), G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static guint
import_bytes (const char *iaca_dir, GBytes *data, GError **error)
{
	g_autoptr (GPtrArray) certs = split_certificates (data);
	guint imported = 0;

	for (guint i = 0; i < certs->len; i++) {
		GBytes *pem = certs->pdata[i];

		if (!core_accepts_certificate (pem))
			continue;
		if (!save_into (iaca_dir, pem, ".pem", error))
			return 0;
		imported++;
	}
	if (imported == 0)
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_CERTIFICATE,
		    _("This file holds no certificate that can be used."));
	return imported;
}

/* The imports proper: read, check with libtessera, copy into the trust
 * folders. They touch no VerifierTrustStore, so they run in worker
 * threads; the caller reloads the lists afterwards. */

static guint
import_file (const char *iaca_dir, const char *path, GError **error)
{
	g_autoptr (GBytes) data = read_limited (path, MAX_CERT_FILE, error);

	return data != NULL ? import_bytes (iaca_dir, data, error) : 0;
}

static guint
import_folder (const char *iaca_dir, const char *path, GError **error)
{
	g_autoptr (GDir) dir = NULL;
	const char *name;
	guint imported = 0, seen = 0;

	dir = g_dir_open (path, 0, error);
	if (dir == NULL)
		return 0;
	while ((name = g_dir_read_name (dir)) != NULL && seen < MAX_FOLDER_FILES) {
		g_autofree char *file = g_build_filename (path, name, NULL);
		g_autoptr (GBytes) data = NULL;
		g_autoptr (GError) local_error = NULL;

		if (!has_suffix_ci (name, cert_suffixes))
			continue;
		seen++;
		data = read_limited (file, MAX_CERT_FILE, NULL);
		if (data != NULL)
			imported += import_bytes (iaca_dir, data, &local_error);
	}
	if (imported == 0)
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_CERTIFICATE,
		    _("This folder holds no certificate that can be used."));
	return imported;
}

static guint
import_status_list (const char *status_dir, const char *path, GError **error)
{
	g_autoptr (GBytes) data = read_limited (path, MAX_STATUS_FILE, error);
	g_autoptr (VerifierStatusList) probe = NULL;

	if (data == NULL)
		return 0;
	probe = g_object_new (VERIFIER_TYPE_STATUS_LIST, NULL);
	if (!parse_status_list (data, probe, error) ||
	    !save_into (status_dir, data, ".cwt", error))
		return 0;
	return 1;
}

static char *
local_path (GFile *file, VerifierImportKind kind, GError **error)
{
	char *path = g_file_get_path (file);

	if (path == NULL)
		g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
		    kind == VERIFIER_IMPORT_IACA_FOLDER ? _("Only local folders can be imported.") :
							  _("Only local files can be imported."));
	return path;
}

static guint
import_any (VerifierImportKind kind, const char *iaca_dir, const char *status_dir,
    const char *path, GError **error)
{
	switch (kind) {
	case VERIFIER_IMPORT_IACA_FILE:
		return import_file (iaca_dir, path, error);
	case VERIFIER_IMPORT_IACA_FOLDER:
		return import_folder (iaca_dir, path, error);
	case VERIFIER_IMPORT_STATUS_LIST:
		return import_status_list (status_dir, path, error);
	default:
		g_return_val_if_reached (0);
	}
}

static guint
import_sync (VerifierTrustStore *self, VerifierImportKind kind, GFile *file, GError **error)
{
	g_autofree char *path = NULL;
	guint n;

	g_return_val_if_fail (VERIFIER_IS_TRUST_STORE (self), 0);
	if ((path = local_path (file, kind, error)) == NULL)
		return 0;
	n = import_any (kind, self->iaca_dir, self->status_dir, path, error);
	if (n > 0)
		verifier_trust_store_reload (self);
	return n;
}

guint
verifier_trust_store_import_file (VerifierTrustStore *self, GFile *file, GError **error)
{
	return import_sync (self, VERIFIER_IMPORT_IACA_FILE, file, error);
}

guint
verifier_trust_store_import_folder (VerifierTrustStore *self, GFile *folder, GError **error)
{
	return import_sync (self, VERIFIER_IMPORT_IACA_FOLDER, folder, error);
}

gboolean
verifier_trust_store_import_status_list (VerifierTrustStore *self, GFile *file, GError **error)
{
	return import_sync (self, VERIFIER_IMPORT_STATUS_LIST, file, error) > 0;
}

/* ---- The same in a worker thread ---- */

static char import_tag;
static char load_tag;

/* An import (when @path is set) and a fresh read of the folders. */
typedef struct {
	VerifierImportKind kind;
	char *path;
	char *iaca_dir, *status_dir;
	guint generation;
	guint count;
	Contents *contents;  /* the folders as they are afterwards */
} Job;

static void
job_free (Job *job)
{
	g_free (job->path);
	g_free (job->iaca_dir);
	g_free (job->status_dir);
	g_clear_pointer (&job->contents, contents_free);
	g_free (job);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Job *job = task_data;
	GError *error = NULL;

	(void) source;
	(void) cancellable;
	if (job->path != NULL) {
		job->count = import_any (job->kind, job->iaca_dir, job->status_dir, job->path, &error);
		if (job->count == 0) {
			g_task_return_error (task, error);
			return;
		}
	}
	job->contents = load_dirs (job->iaca_dir, job->status_dir);
	g_task_return_boolean (task, TRUE);
}

/* Back on the main thread: show the new contents, then tell the caller. */
static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr (GTask) outer = user_data;
	Job *job = g_task_get_task_data (G_TASK (result));
	GError *error = NULL;

	if (!g_task_propagate_boolean (G_TASK (result), &error)) {
		g_task_return_error (outer, error);
		return;
	}
	apply (VERIFIER_TRUST_STORE (source), job->generation, job->contents);
	g_task_return_int (outer, job->count);
}

static void
run_job (VerifierTrustStore *self, Job *job, GTask *outer)
{
	g_autoptr (GTask) inner = g_task_new (self, g_task_get_cancellable (outer), job_done, outer);

	job->iaca_dir = g_strdup (self->iaca_dir);
	job->status_dir = g_strdup (self->status_dir);
	job->generation = ++self->generation;
	g_task_set_task_data (inner, job, (GDestroyNotify) job_free);
	g_task_run_in_thread (inner, job_thread);
}

void
verifier_trust_store_load_async (VerifierTrustStore *self, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *outer;

	g_return_if_fail (VERIFIER_IS_TRUST_STORE (self));
	outer = g_task_new (self, cancellable, callback, user_data);
	g_task_set_source_tag (outer, &load_tag);
	run_job (self, g_new0 (Job, 1), outer);
}

gboolean
verifier_trust_store_load_finish (VerifierTrustStore *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
	return g_task_propagate_int (G_TASK (result), error) >= 0;
}

void
verifier_trust_store_import_async (VerifierTrustStore *self, VerifierImportKind kind, GFile *file,
    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *outer;
	GError *error = NULL;
	Job *job;
	char *path;

	g_return_if_fail (VERIFIER_IS_TRUST_STORE (self));
	g_return_if_fail (G_IS_FILE (file));
	outer = g_task_new (self, cancellable, callback, user_data);
	g_task_set_source_tag (outer, &import_tag);
	if ((path = local_path (file, kind, &error)) == NULL) {
		g_task_return_error (outer, error);
		g_object_unref (outer);
		return;
	}
	job = g_new0 (Job, 1);
	job->kind = kind;
	job->path = path;
	run_job (self, job, outer);
}

guint
verifier_trust_store_import_finish (VerifierTrustStore *self, GAsyncResult *result, GError **error)
{
	gssize n;

	g_return_val_if_fail (g_task_is_valid (result, self), 0);
	n = g_task_propagate_int (G_TASK (result), error);
	return n > 0 ? (guint) n : 0;
}

/* Removing is quick (one unlink, on the main thread): the lists lose the
 * item without a fresh read of the folders. */
static gboolean
remove_file (GListStore *store, gpointer item, const char *path, GError **error)
{
	guint position;

	if (g_unlink (path) != 0 && errno != ENOENT) {
		int saved = errno;

		g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
		    _("Cannot remove %s: %s"), path, g_strerror (saved));
		return FALSE;
	}
	if (g_list_store_find (store, item, &position))
		g_list_store_remove (store, position);
	return TRUE;
}

gboolean
verifier_trust_store_remove_anchor (VerifierTrustStore *self, VerifierTrustAnchor *anchor,
    GError **error)
{
	g_return_val_if_fail (VERIFIER_IS_TRUST_STORE (self), FALSE);
	return remove_file (self->anchors, anchor, anchor->path, error);
}

gboolean
verifier_trust_store_remove_status_list (VerifierTrustStore *self, VerifierStatusList *list,
    GError **error)
{
	g_return_val_if_fail (VERIFIER_IS_TRUST_STORE (self), FALSE);
	return remove_file (self->lists, list, list->path, error);
}

GPtrArray *
verifier_trust_store_dup_anchor_data (VerifierTrustStore *self)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
	guint n = g_list_model_get_n_items (G_LIST_MODEL (self->anchors));

	for (guint i = 0; i < n; i++) {
		g_autoptr (VerifierTrustAnchor) a = g_list_model_get_item (G_LIST_MODEL (self->anchors), i);

		g_ptr_array_add (out, g_bytes_ref (a->data));
	}
	return out;
}

GPtrArray *
verifier_trust_store_dup_status_list_data (VerifierTrustStore *self)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
	guint n = g_list_model_get_n_items (G_LIST_MODEL (self->lists));

	for (guint i = 0; i < n; i++) {
		g_autoptr (VerifierStatusList) l = g_list_model_get_item (G_LIST_MODEL (self->lists), i);

		g_ptr_array_add (out, g_bytes_ref (l->data));
	}
	return out;
}
