/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Trust imports through the window, as the Trust page's actions run them:
 * a folder of certificates (the readable ones count, the rest are
 * skipped), an empty folder, a status list and a file that is not one.
 * The files are read and checked in a worker thread; the lists and the
 * toast change when it is done.
 *
 * The first read of the trust folders when the window opens: in a worker
 * thread while the main loop goes on, broken files reported and the rest
 * in use, and a scan made meanwhile verified against all of it. */

#include <glib/gstdio.h>
#include <string.h>

#include "verifier-progress-page.h"
#include "verifier-test-common.h"
#include "verifier-window.h"

/* Certificates in the large trust folder: more IACAs than any country
 * list holds today. */
#define N_CERTS 300

typedef struct {
	char *dir;
	char *trust, *status;
	GSettings *settings;
	VerifierWindow *window;
} Fixture;

static void
open_window (Fixture *f)
{
	f->window = verifier_window_new (NULL);
	g_object_ref_sink (f->window);
	gtk_window_present (GTK_WINDOW (f->window));
}

static void
setup_dirs (Fixture *f)
{
	g_autoptr (GError) error = NULL;

	f->dir = g_dir_make_tmp ("verifier-trust-XXXXXX", &error);
	g_assert_no_error (error);
	f->trust = g_build_filename (f->dir, "iaca", NULL);
	f->status = g_build_filename (f->dir, "status", NULL);
	f->settings = g_settings_new ("org.tessera.Verifier");
	g_settings_set_string (f->settings, "trust-dir", f->trust);
	g_settings_set_string (f->settings, "status-list-dir", f->status);
}

static void
setup (Fixture *f, gconstpointer data)
{
	(void) data;
	setup_dirs (f);
	open_window (f);
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
	g_free (f->trust);
	g_free (f->status);
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

/* ---- The first read ---- */

static void
write_file (const char *dir, const char *name, GBytes *data)
{
	g_autofree char *path = g_build_filename (dir, name, NULL);

	g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL),
	    (gssize) g_bytes_get_size (data), NULL));
}

/* N_CERTS certificates (the Annex D IACA among them), a status list, and
 * a broken status list; the window opens in the test. */
static void
setup_large (Fixture *f, gconstpointer data)
{
	g_autoptr (GBytes) iaca = vt_data ("annex-d/iaca_cert.pem");
	g_autoptr (GBytes) other = vt_data ("store/iaca.pem");
	static const char broken[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	g_autoptr (GBytes) junk = g_bytes_new_static (broken, strlen (broken));
	g_autofree char *list = NULL;

	(void) data;
	setup_dirs (f);
	g_assert_cmpint (g_mkdir_with_parents (f->trust, 0700), ==, 0);
	g_assert_cmpint (g_mkdir_with_parents (f->status, 0700), ==, 0);
	for (guint i = 0; i < N_CERTS; i++) {
		g_autofree char *name = g_strdup_printf ("iaca-%03u.pem", i);

		write_file (f->trust, name, i == N_CERTS / 2 ? iaca : other);
	}
	write_file (f->status, "broken.cwt", junk);
	list = g_build_filename (f->status, "list.cwt", NULL);
	vt_make_status_list (list);
}

static char *
add_slow_file (Fixture *f)
{
	return vt_make_slow_file (f->trust, "broken.pem");
}

typedef struct {
	gint64 last, max_gap;
	guint ticks;
} Ticks;

static gboolean
tick (gpointer data)
{
	Ticks *t = data;
	gint64 now = g_get_monotonic_time ();

	if (t->last != 0)
		t->max_gap = MAX (t->max_gap, now - t->last);
	t->last = now;
	t->ticks++;
	return G_SOURCE_CONTINUE;
}

static gboolean
store_loaded (gpointer data)
{
	return verifier_trust_store_get_loaded (data);
}

static gboolean
ticked_enough (gpointer data)
{
	return ((Ticks *) data)->ticks >= 20;
}

static void
test_load_large (Fixture *f, gconstpointer data)
{
	g_autoptr (VerifierTrustStore) probe = verifier_trust_store_new (f->trust, f->status);
	g_autofree char *slow = NULL;
	VerifierTrustStore *store;
	Ticks t = { 0 };
	g_autofree char *text = NULL;
	gint64 start;
	guint id;

	(void) data;
	/* What the main thread spent on it before it moved to a thread, with
	 * the files in the page cache. */
	start = g_get_monotonic_time ();
	verifier_trust_store_reload (probe);
	g_test_message ("%u certificates read on the calling thread in %" G_GINT64_FORMAT " ms",
	    N_CERTS, (g_get_monotonic_time () - start) / 1000);

	slow = add_slow_file (f);
	start = g_get_monotonic_time ();
	open_window (f);
	store = verifier_window_get_trust_store (f->window);
	g_assert_false (verifier_trust_store_get_loaded (store));
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (store)), ==, 0);
	/* The Trust page says it is reading, not "no trusted issuers". */
	verifier_window_show_page (f->window, "trust");
	text = vt_collect_text (GTK_WIDGET (f->window));
	g_assert_nonnull (strstr (text, "Reading the trust folders…"));
	g_assert_null (strstr (text, "No trusted issuers yet"));

	/* The read is stuck on the slow file; the window goes on. */
	id = g_timeout_add (5, tick, &t);
	g_assert_true (vt_wait_until (ticked_enough, &t, 10000));
	g_assert_false (verifier_trust_store_get_loaded (store));
	vt_release_slow_file (slow);
	g_assert_true (vt_wait_until (store_loaded, store, 30000));
	g_test_message ("window open to trust loaded: %" G_GINT64_FORMAT " ms; the main loop ran "
	    "%u times meanwhile, at most %" G_GINT64_FORMAT " ms apart",
	    (g_get_monotonic_time () - start) / 1000, t.ticks, t.max_gap / 1000);
	vt_iterate (50);
	g_source_remove (id);

	/* The rest is in use; each broken file is named. */
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (store)), ==, N_CERTS);
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_status_lists (store)), ==, 1);
	g_assert_cmpuint (verifier_trust_store_get_n_problems (store), ==, 2);
	g_assert_cmpuint (g_list_model_get_n_items (verifier_trust_store_get_anchors (probe)), ==, N_CERTS);
	g_assert_cmpstr (verifier_window_get_last_toast (f->window), ==,
	    "2 files in Trust cannot be used");
	g_free (text);
	text = vt_collect_text (GTK_WIDGET (f->window));
	g_assert_nonnull (strstr (text, "Files Not Used"));
	g_assert_nonnull (strstr (text, "broken.pem\nNot a certificate that can be used\n"));
	g_assert_nonnull (strstr (text, "broken.cwt\nThis file is not a status list"));
	g_assert_null (strstr (text, "Reading the trust folders…"));
	if (g_getenv ("VT_OUTPUT_DIR") != NULL) {
		g_autofree char *path = g_build_filename (g_getenv ("VT_OUTPUT_DIR"), "trust-problems.png", NULL);

		vt_screenshot (GTK_WIDGET (f->window), path, NULL);
	}
}

static gboolean
is_true (gpointer data)
{
	return *(gboolean *) data;
}

static void
on_stage (VerifierSession *session, GParamSpec *pspec, gboolean *waited)
{
	(void) pspec;
	*waited = *waited || verifier_session_get_stage (session) == VERIFIER_SESSION_STAGE_LOADING_TRUST;
}

/* A code scanned the moment the window opens: the session goes ahead and
 * the answer is checked against the whole folder, not part of it. */
static void
test_scan_while_loading (Fixture *f, gconstpointer data)
{
	g_autofree char *socket = g_build_filename (f->dir, "holder.sock", NULL);
	g_autofree char *uri = NULL;
	g_autofree char *slow = add_slow_file (f);
	VtHolder holder = { 0 };
	gboolean waited = FALSE;
	VerifierProgressPage *progress;

	(void) data;
	g_settings_set_string (f->settings, "transport", "local");
	g_settings_set_string (f->settings, "local-socket", socket);
	g_settings_set_string (f->settings, "request-template", "driving-licence");
	uri = vt_holder_start (&holder, socket, 0);
	open_window (f);
	verifier_window_set_verification_time (f->window, VT_ANNEX_D_NOW);
	g_assert_false (verifier_trust_store_get_loaded (verifier_window_get_trust_store (f->window)));
	verifier_window_start_session (f->window, uri);
	g_signal_connect (verifier_window_get_session (f->window), "notify::stage",
	    G_CALLBACK (on_stage), &waited);
	/* The holder answers while the folder is still being read. */
	g_assert_true (vt_wait_until (is_true, &waited, 20000));
	progress = verifier_window_get_progress_page (f->window);
	g_assert_cmpstr (verifier_progress_page_get_title (progress), ==, "Reading the Trusted Issuers…");
	g_assert_cmpuint (vt_holder_answered (&holder, 1), ==, 1);
	if (g_getenv ("VT_OUTPUT_DIR") != NULL) {
		g_autofree char *path = g_build_filename (g_getenv ("VT_OUTPUT_DIR"), "trust-wait.png", NULL);

		vt_screenshot (GTK_WIDGET (f->window), path, NULL);
	}
	vt_release_slow_file (slow);
	g_assert_true (vt_wait_until (vt_session_finished, f->window, 30000));
	g_assert_cmpstr (verifier_window_get_visible_page (f->window), ==, "result");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (verifier_window_get_result_page (f->window)),
	    ==, "Verified");
	verifier_window_scan_next (f->window);
	g_assert_true (vt_wait_until (vt_holder_done, &holder, 10000));
	vt_holder_clear (&holder);
	g_settings_reset (f->settings, "transport");
	g_settings_reset (f->settings, "local-socket");
	g_settings_reset (f->settings, "request-template");
}

int
main (int argc, char *argv[])
{
	vt_init (&argc, &argv);
	g_test_add ("/trust/import_folder", Fixture, NULL, setup, test_import_folder, teardown);
	g_test_add ("/trust/import_status_list", Fixture, NULL, setup, test_import_status_list,
	    teardown);
	g_test_add ("/trust/load_large", Fixture, NULL, setup_large, test_load_large, teardown);
	g_test_add ("/trust/scan_while_loading", Fixture, NULL, setup_large, test_scan_while_loading,
	    teardown);
	return g_test_run ();
}
