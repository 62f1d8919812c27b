/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Shared by the GUI tests: a software test wallet holding Annex D's mDL
 * (issued by tests/store/make-credential), waiting on the main loop with a
 * bound, widget-tree searches, and in-process screenshots. */

#pragma once

#include <adwaita.h>

#include <tessera/tessera.h>

G_BEGIN_DECLS

#define WALLET_TEST_PASSPHRASE "correct horse battery staple"

typedef struct {
  char *dir;
  char *path;     /* the wallet file */
  gint64 key_id;
} WalletTestWallet;

/* GTest, GTK and libadwaita set up; exits with a TAP skip without a display. */
void              wallet_test_init          (int          *argc,
                                             char       ***argv);
const char       *wallet_test_data_dir      (void);
/* A wallet with @n_credentials mDLs (0 or more); NULL path for none at all. */
WalletTestWallet *wallet_test_wallet_new    (guint         n_credentials);
void              wallet_test_wallet_free   (WalletTestWallet *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WalletTestWallet, wallet_test_wallet_free)
/* Issues a credential of @doc_type with the claims file @claims (a name in
 * issuer-tool/examples) to a new key of @store with tessera-issuer (its
 * PKI in @dir/pki, made on first use) and imports it; returns its id. */
gint64            wallet_test_issue         (tsr_store_t  *store,
                                             const char   *dir,
                                             const char   *doc_type,
                                             const char   *claims);
/* As wallet_test_issue(), to a new key made with @options (e.g. a PIN). */
gint64            wallet_test_issue_full    (tsr_store_t                *store,
                                             const char                 *dir,
                                             const tsr_sa_key_options_t *options,
                                             const char                 *doc_type,
                                             const char                 *claims);
/* Opens the test wallet, unlocked with the passphrase. */
tsr_store_t      *wallet_test_wallet_open   (WalletTestWallet *w);

/* Iterates the main context until @cond is true or @timeout_ms pass. */
gboolean          wallet_test_wait          (gboolean    (*cond) (gpointer data),
                                             gpointer      data,
                                             guint         timeout_ms);
/* Runs the main loop for about @ms milliseconds (for drawing). */
void              wallet_test_spin          (guint         ms);

/* The first widget under @root of @type (0 for any) whose label, title or
 * buildable id is @text (NULL for any). */
GtkWidget        *wallet_test_find          (GtkWidget    *root,
                                             GType         type,
                                             const char   *text);
/* Whether any GtkLabel / row under @root shows @text (substring). */
gboolean          wallet_test_shows         (GtkWidget    *root,
                                             const char   *text);

/* Renders @widget as it is on screen into a PNG file. */
gboolean          wallet_test_screenshot    (GtkWidget    *widget,
                                             const char   *path);
/* Resizes a toplevel and waits until it has that size and is drawn. */
void              wallet_test_resize        (GtkWindow    *window,
                                             int           width,
                                             int           height);

/* The QR code @widget shows, read back from a screenshot (@dir/present.png)
 * with zbarimg and, as a second opinion, libtessera; tries for about 10 s
 * while the page may still be sliding in, then a test failure. */
char             *wallet_test_read_qr       (GtkWidget    *widget,
                                             const char   *dir);

/* `tessera -v reader request` (WALLET_TEST_TESSERA) in a subprocess, its
 * output collected when it exits. Zeroed before the first start. */
typedef struct {
  GSubprocess *process;
  gboolean done;  /* it has exited: out and err are set */
  char *out;
  char *err;
} WalletTestReader;

/* Writes @uri to @dir/uri and starts the reader on that engagement: the
 * driving-licence template, the IACA at @trust, over @transport (e.g.
 * "ble:hci0"), each step bounded by @timeout_s seconds; @extra_option
 * (NULL for none) is one more option, e.g. "--ble-l2cap". */
void              wallet_test_reader_start  (WalletTestReader *reader,
                                             const char   *dir,
                                             const char   *uri,
                                             const char   *trust,
                                             const char   *transport,
                                             const char   *timeout_s,
                                             const char   *extra_option);
/* Whether the reader has exited (a WalletTestReader, for wallet_test_wait()). */
gboolean          wallet_test_reader_finished (gpointer    reader);
/* Ends the reader if it still runs and frees what it holds; zeroed after,
 * ready for another start. */
void              wallet_test_reader_clear  (WalletTestReader *reader);

G_END_DECLS
