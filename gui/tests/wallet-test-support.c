/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "test-support.h"
#include "wallet-test-support.h"

void
wallet_test_init (int    *argc,
                  char ***argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_test_init (argc, argv, NULL);
  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      exit (0);
    }
  adw_init ();
  /* GNOME's and phones' default: a close button only. */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  /* The app's resources are linked in; icons from them too. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/tessera/Wallet/icons");
}

const char *
wallet_test_data_dir (void)
{
  const char *dir = g_getenv ("TSR_TEST_DATA");

  g_assert_nonnull (dir);
  return dir;
}

tsr_store_t *
wallet_test_wallet_open (WalletTestWallet *w)
{
  tsr_store_options_t options;
  tsr_store_t *store = NULL;

  memset (&options, 0, sizeof options);
  options.secret = tsr_test_secret_cb;
  options.secret_user = (gpointer) (guintptr) WALLET_TEST_PASSPHRASE;
  g_assert_cmpint (tsr_store_open (w->path, &options, &store), ==, TSR_OK);
  g_assert_cmpint (tsr_store_unlock (store), ==, TSR_OK);
  return store;
}

static void
add_credential (WalletTestWallet *w,
                tsr_store_t      *store,
                const char       *cose_hex,
                guint             n)
{
  const char *maker = g_getenv ("WALLET_TEST_MAKE_CREDENTIAL");
  g_autofree char *out = g_strdup_printf ("%s/cred-%u.cbor", w->dir, n);
  g_autofree char *bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maker_copy = g_strdup (maker);
  g_autofree char *data_copy = g_strdup (wallet_test_data_dir ());
  g_autofree char *hex_copy = g_strdup (cose_hex);
  char *argv[] = { maker_copy, data_copy, hex_copy, out, NULL };
  gsize len = 0;
  int status = -1;

  g_assert_nonnull (maker);
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_true (g_file_get_contents (out, &bytes, &len, &error));
  g_assert_cmpint (tsr_store_import (store, (const guint8 *) bytes, len, NULL, NULL, NULL), ==,
                   TSR_OK);
}

static void
run_issuer (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  g_ptr_array_add (argv, g_strdup (g_getenv ("WALLET_TEST_TESSERA_ISSUER")));
  g_assert_nonnull (argv->pdata[0]);
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("tessera-issuer %s: %s", (const char *) argv->pdata[1], err);
}

gint64
wallet_test_issue (tsr_store_t *store,
                   const char  *dir,
                   const char  *doc_type,
                   const char  *claims)
{
  return wallet_test_issue_full (store, dir, NULL, doc_type, claims);
}

gint64
wallet_test_issue_full (tsr_store_t                *store,
                        const char                 *dir,
                        const tsr_sa_key_options_t *options,
                        const char                 *doc_type,
                        const char                 *claims)
{
  g_autofree char *pki = g_build_filename (dir, "pki", NULL);
  g_autofree char *key_path = g_build_filename (dir, "device-key.cbor", NULL);
  g_autofree char *out = g_build_filename (dir, "issued.cbor", NULL);
  g_autofree char *claims_path = g_build_filename (g_getenv ("WALLET_TEST_ISSUER_EXAMPLES"), claims, NULL);
  g_autofree char *bytes = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *cose = NULL;
  size_t cose_len = 0;
  gsize len = 0;
  gint64 key_id = 0, id = 0;

  g_assert_cmpint (tsr_store_create_key (store, options, &key_id, &cose, &cose_len), ==, TSR_OK);
  g_assert_true (g_file_set_contents (key_path, (const char *) cose, (gssize) cose_len, &error));
  g_assert_no_error (error);
  tsr_free (cose);
  if (!g_file_test (pki, G_FILE_TEST_IS_DIR))
    run_issuer ((const char *const[]) { "init", "--out", pki, NULL });
  run_issuer ((const char *const[]) { "issue", "--pki", pki, "--doctype", doc_type,
                                      "--claims", claims_path, "--device-key", key_path,
                                      "--out", out, "--force", NULL });
  g_assert_true (g_file_get_contents (out, &bytes, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tsr_store_import (store, (const guint8 *) bytes, len, NULL, &id, NULL), ==,
                   TSR_OK);
  return id;
}

WalletTestWallet *
wallet_test_wallet_new (guint n_credentials)
{
  WalletTestWallet *w = g_new0 (WalletTestWallet, 1);
  g_autoptr(GError) error = NULL;
  tsr_sa_config_t sa;
  tsr_store_t *store = NULL;

  w->dir = g_dir_make_tmp ("tsr-gui-XXXXXX", &error);
  g_assert_no_error (error);
  w->path = g_build_filename (w->dir, "wallet.db", NULL);
  memset (&sa, 0, sizeof sa);
  sa.kind = TSR_SA_SOFTWARE;
  sa.secret = tsr_test_secret_cb;
  sa.secret_user = (gpointer) (guintptr) WALLET_TEST_PASSPHRASE;
  g_assert_cmpint (tsr_store_create (w->path, &sa, &store), ==, TSR_OK);
  for (guint i = 0; i < n_credentials; i++)
    {
      guint8 *cose = NULL;
      size_t cose_len = 0;
      g_autoptr(GString) hex = g_string_new (NULL);

      g_assert_cmpint (tsr_store_create_key (store, NULL, &w->key_id, &cose, &cose_len), ==, TSR_OK);
      for (size_t j = 0; j < cose_len; j++)
        g_string_append_printf (hex, "%02x", cose[j]);
      tsr_free (cose);
      add_credential (w, store, hex->str, i);
    }
  tsr_store_free (store);
  return w;
}

void
wallet_test_wallet_free (WalletTestWallet *w)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (w == NULL)
    return;
  if ((dir = g_dir_open (w->dir, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (w->dir, name, NULL);
        g_unlink (p);
      }
  g_rmdir (w->dir);
  g_free (w->dir);
  g_free (w->path);
  g_free (w);
}

gboolean
wallet_test_wait (gboolean (*cond) (gpointer data),
                  gpointer   data,
                  guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* Never blocks for long: worker threads report through idles. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  return TRUE;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
wallet_test_spin (guint ms)
{
  wallet_test_wait (never, NULL, ms);
}

static gboolean
widget_matches (GtkWidget  *w,
                GType       type,
                const char *text)
{
  const char *id;

  if (type != 0 && !g_type_is_a (G_OBJECT_TYPE (w), type))
    return FALSE;
  if (text == NULL)
    return TRUE;
  id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (w));
  if (g_strcmp0 (id, text) == 0)
    return TRUE;
  if (GTK_IS_LABEL (w) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), text) == 0)
    return TRUE;
  if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), text) == 0)
    return TRUE;
  if (ADW_IS_PREFERENCES_ROW (w) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), text) == 0)
    return TRUE;
  return FALSE;
}

GtkWidget *
wallet_test_find (GtkWidget  *root,
                  GType       type,
                  const char *text)
{
  if (widget_matches (root, type, text))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = wallet_test_find (c, type, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
wallet_test_shows (GtkWidget  *root,
                   const char *text)
{
  const char *s = NULL;

  if (GTK_IS_LABEL (root))
    s = gtk_label_get_label (GTK_LABEL (root));
  if (s != NULL && strstr (s, text) != NULL && gtk_widget_is_visible (root))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (wallet_test_shows (c, text))
      return TRUE;
  return FALSE;
}

gboolean
wallet_test_screenshot (GtkWidget  *widget,
                        const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL || renderer == NULL)
    return FALSE;
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
  return texture != NULL && gdk_texture_save_to_png (texture, path);
}

typedef struct {
  GtkWindow *window;
  int width, height;
} SizeWait;

static gboolean
has_size (gpointer data)
{
  SizeWait *s = data;

  return gtk_widget_get_mapped (GTK_WIDGET (s->window)) &&
         gtk_widget_get_width (GTK_WIDGET (s->window)) == s->width &&
         gtk_widget_get_height (GTK_WIDGET (s->window)) == s->height;
}

void
wallet_test_resize (GtkWindow *window,
                    int        width,
                    int        height)
{
  SizeWait s = { window, width, height };

  /* The default size may count window decorations (a CSD border under a
   * bare X server): learn that difference once per window. */
  int dw = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "test-dw"));
  int dh = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "test-dh"));

  gtk_window_set_default_size (window, width + dw, height + dh);
  gtk_window_present (window);
  wallet_test_spin (100);
  if (!wallet_test_wait (has_size, &s, 1500) && gtk_widget_get_mapped (GTK_WIDGET (window)))
    {
      dw += width - gtk_widget_get_width (GTK_WIDGET (window));
      dh += height - gtk_widget_get_height (GTK_WIDGET (window));
      g_object_set_data (G_OBJECT (window), "test-dw", GINT_TO_POINTER (dw));
      g_object_set_data (G_OBJECT (window), "test-dh", GINT_TO_POINTER (dh));
      gtk_window_set_default_size (window, width + dw, height + dh);
    }
  if (!wallet_test_wait (has_size, &s, 3000))
    g_test_message ("window is %dx%d, not %dx%d", gtk_widget_get_width (GTK_WIDGET (window)),
                    gtk_widget_get_height (GTK_WIDGET (window)), width, height);
  /* A few frames for animations (leaflet, stack crossfades) to settle. */
  wallet_test_spin (400);
}

/* One screenshot, decoded; NULL when it cannot be read and not @last. */
static char *
read_qr_once (GtkWidget  *widget,
              const char *shot,
              gboolean    last)
{
  g_autofree char *png = NULL;
  g_autofree char *zbar = g_find_program_in_path ("zbarimg");
  char *text = NULL;
  gsize len;

  /* Nothing to render yet (the page not drawn once) is "not readable". */
  if (!wallet_test_screenshot (widget, shot))
    {
      g_assert_false (last);
      return NULL;
    }
  g_assert_true (g_file_get_contents (shot, &png, &len, NULL));
  if (g_getenv ("WALLET_TEST_KEEP_SHOT") != NULL)
    g_file_set_contents (g_getenv ("WALLET_TEST_KEEP_SHOT"), png, (gssize) len, NULL);
  /* libtessera's decoder is a second opinion; zbarimg is the reference. */
  if (tsr_qr_decode_png ((const guint8 *) png, len, &text) != TSR_OK)
    g_test_message ("tsr_qr_decode_png could not read the screenshot");
  g_assert_true (text != NULL || zbar != NULL);
  if (zbar != NULL)
    {
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      char nodbus[] = "--nodbus", quiet[] = "-q", raw[] = "--raw";
      char *shot_copy = g_strdup (shot);
      char *argv[] = { zbar, nodbus, quiet, raw, shot_copy, NULL };
      int status;
      gboolean spawned;

      spawned = g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                              &out, NULL, &status, &error);
      g_free (shot_copy);
      g_assert_true (spawned);
      g_assert_no_error (error);
      if (!last && !g_spawn_check_wait_status (status, NULL))
        {
          g_free (text);
          return NULL;
        }
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_strstrip (out);
      if (text != NULL)
        g_assert_cmpstr (out, ==, text);
      else
        text = g_steal_pointer (&out);
    }
  else
    g_test_message ("zbarimg not installed: decoded with libtessera only");
  return text;
}

char *
wallet_test_read_qr (GtkWidget  *widget,
                     const char *dir)
{
  g_autofree char *shot = g_build_filename (dir, "present.png", NULL);

  /* On a loaded machine (or an emulated one) the page may still be
   * sliding in: tries for about 10 s. */
  for (guint attempt = 0;; attempt++)
    {
      char *text = read_qr_once (widget, shot, attempt == 29);

      if (text != NULL)
        return text;
      wallet_test_spin (300);
    }
}

static void
on_reader_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WalletTestReader *reader = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &reader->out,
                                        &reader->err, &error);
  g_assert_no_error (error);
  reader->done = TRUE;
}

void
wallet_test_reader_start (WalletTestReader *reader,
                          const char       *dir,
                          const char       *uri,
                          const char       *trust,
                          const char       *transport,
                          const char       *timeout_s,
                          const char       *extra_option)
{
  g_autofree char *file = g_build_filename (dir, "uri", NULL);
  g_autoptr(GError) error = NULL;
  const char *tessera = g_getenv ("WALLET_TEST_TESSERA");

  g_assert_nonnull (tessera);
  g_assert_null (reader->process);
  g_assert_true (g_file_set_contents (file, uri, -1, &error));
  /* -v: the reader's log says which path the messages took, and why a
   * failed session failed. */
  reader->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                      &error, tessera, "-v", "reader", "request",
                                      "--engagement-file", file,
                                      "--template", "driving-licence", "--trust", trust,
                                      "--transport", transport, "--timeout", timeout_s,
                                      extra_option, NULL);
  g_assert_no_error (error);
  /* The callback outlives no reader: wallet_test_reader_clear() ends the
   * process and waits for the callback. */
  g_subprocess_communicate_utf8_async (reader->process, NULL, NULL, on_reader_exited, reader);
}

gboolean
wallet_test_reader_finished (gpointer reader)
{
  return ((WalletTestReader *) reader)->done;
}

void
wallet_test_reader_clear (WalletTestReader *reader)
{
  if (reader->process != NULL && !reader->done)
    {
      g_subprocess_force_exit (reader->process);
      g_assert_true (wallet_test_wait (wallet_test_reader_finished, reader, 10000));
    }
  g_clear_object (&reader->process);
  g_clear_pointer (&reader->out, g_free);
  g_clear_pointer (&reader->err, g_free);
  reader->done = FALSE;
}
