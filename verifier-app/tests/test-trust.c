/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Trust imports through the window, as the Trust page's actions run them:
 * a folder of certificates (the readable ones count, the rest are
 * skipped), an empty folder, a status list and a file that is not one.
 * The files are read and checked in a worker thread; the lists and the
 * toast change when it is done. */

#include <glib/gstdio.h>
#include <string.h>

#include "verifier-test-common.h"
#include "verifier-window.h"

typedef struct {
	char *dir;
	GSettings *settings;
	VerifierWindow *window;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autofree char *trust = NULL, *status = NULL;

	(void) data;
	f->dir = g_dir_make_tmp ("verifier-trust-XXXXXX", &error);
	g_assert_no_error (error);
	trust = g_build_filename (f->dir, "iaca", NULL);
	status = g_build_filename (f->dir, "status", NULL);
	f->settings = g_settings_new ("org.tessera.Verifier");
	g_settings_set_string (f->settings, "trust-dir", trust);
	g_settings_set_string (f->settings, "status-list-dir", status);
	f->window = verifier_window_new (NULL);
	g_object_ref_sink (f->window);
	gtk_window_present (GTK_WINDOW (f->window));
	vt_iterate (50);
}

static void
teardown (Fixture *f, gconstpointer data)
{
	(void) data;
	gtk_window_destroy (GTK_WINDOW (f->window));
	g_object_unref (f->window);
	vt_iterate (20);
	g_settings_reset (f->settings, "trust-dir");
	g_settings_reset (f->settings, "status-list-dir");
	g_object_unref (f->settings);
	vt_rm_rf (f->dir);
	g_free (f->dir);
}

static gboolean
toast_shown (gpointer data)
{
	const char *text = verifier_window_get_last_toast (data);

	return text != NULL && *text != '\0';
}

/* Runs an import as the action does; returns the toast it ends with. */
static const char *
import (Fixture *f, VerifierImportKind kind, const char *path)
{
	g_autoptr (GFile) file = g_file_new_for_path (path);
	VerifierTrustStore *store = verifier_window_get_trust_store (f->window);
	guint anchors = g_list_model_get_n_items (verifier_trust_store_get_anchors (store));

	verifier_window_show_toast (f->window, "");
	verifier_window_import_trust (f->window, kind, file);
	/* Nothing has changed yet: the reading happens in a thread. */
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (store)), ==,
	    anchors);
	g_assert_cmpstr (verifier_window_get_last_toast (f->window), ==, "");
	g_assert_true (vt_wait_until (toast_shown, f->window, 20000));
	return verifier_window_get_last_toast (f->window);
}

static void
copy_data (const char *name, const char *dir, const char *as)
{
	g_autoptr (GBytes) data = vt_data (name);
	g_autofree char *path = g_build_filename (dir, as, NULL);

	g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL),
	    (gssize) g_bytes_get_size (data), NULL));
}

static void
test_import_folder (Fixture *f, gconstpointer data)
{
	g_autofree char *folder = g_build_filename (f->dir, "certs", NULL);
	g_autofree char *empty = g_build_filename (f->dir, "empty", NULL);
	g_autofree char *notes = g_build_filename (folder, "notes.txt", NULL);
	g_autofree char *junk = g_build_filename (folder, "junk.pem", NULL);
	VerifierTrustStore *store = verifier_window_get_trust_store (f->window);
	g_autoptr (GFile) file = NULL;

	(void) data;
	g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
	g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
	/* Two IACAs (DER and PEM), and two files that are not certificates. */
	copy_data ("annex-d/iaca_cert.der", folder, "annex-d.der");
	copy_data ("store/iaca.pem", folder, "store.pem");
	g_assert_true (g_file_set_contents (notes, "not a certificate", -1, NULL));
	g_assert_true (g_file_set_contents (junk, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", -1, NULL));

	g_assert_cmpstr (import (f, VERIFIER_IMPORT_IACA_FOLDER, folder), ==, "Imported 2 certificates");
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (store)), ==, 2);

	/* Importing the same folder again is harmless (content-derived names). */
	g_assert_cmpstr (import (f, VERIFIER_IMPORT_IACA_FOLDER, folder), ==, "Imported 2 certificates");
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (store)), ==, 2);

	/* An empty folder: a toast that says so, nothing changes. */
	g_assert_cmpstr (import (f, VERIFIER_IMPORT_IACA_FOLDER, empty), ==,
	    "This folder holds no certificate that can be used.");
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (store)), ==, 2);

	/* Not a folder: GLib's error, as a toast. */
	g_assert_nonnull (strstr (import (f, VERIFIER_IMPORT_IACA_FOLDER, notes), "notes.txt"));
}

static void
test_import_status_list (Fixture *f, gconstpointer data)
{
	g_autofree char *list = g_build_filename (f->dir, "list.cwt", NULL);
	g_autofree char *iaca = vt_data_path ("annex-d/iaca_cert.pem");
	VerifierTrustStore *store = verifier_window_get_trust_store (f->window);

	(void) data;
	vt_make_status_list (list);
	g_assert_cmpstr (import (f, VERIFIER_IMPORT_STATUS_LIST, list), ==, "Status list loaded");
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_status_lists (store)), ==, 1);

	/* A certificate is not a status list. */
	g_assert_true (g_str_has_prefix (import (f, VERIFIER_IMPORT_STATUS_LIST, iaca),
	    "This file is not a status list"));
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_status_lists (store)), ==, 1);

	/* One IACA file, the same path the file chooser takes. */
	g_assert_cmpstr (import (f, VERIFIER_IMPORT_IACA_FILE, iaca), ==, "Imported 1 certificate");
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (store)), ==, 1);
}

int
main (int argc, char *argv[])
{
	vt_init (&argc, &argv);
	g_test_add ("/trust/import_folder", Fixture, NULL, setup, test_import_folder, teardown);
	g_test_add ("/trust/import_status_list", Fixture, NULL, setup, test_import_status_list,
	    teardown);
	return g_test_run ();
}
