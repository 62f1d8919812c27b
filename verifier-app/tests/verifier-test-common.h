/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <tessera/tessera.h>

#include "verifier-result.h"
#include "verifier-window.h"

G_BEGIN_DECLS

/* 2021-01-01T00:00:00Z: inside the Annex D credential's validity. */
#define VT_ANNEX_D_NOW G_GINT64_CONSTANT (1609459200)
/* 2026-03-01T00:00:00Z: inside the fixture issuer's validity. */
#define VT_FIXTURE_NOW G_GINT64_CONSTANT (1772323200)

/* g_test_init + gtk/adw/gst init, the app's stylesheet, tessera clock. */
void vt_init (int *argc, char ***argv);
/* tests/data/NAME (TSR_TEST_DATA). */
GBytes *vt_data (const char *name);
char *vt_data_path (const char *name);

typedef enum {
	VT_ANNEX_D_VALID,
	VT_ANNEX_D_EXPIRED,        /* verified today: the credential has expired */
	VT_ANNEX_D_UNTRUSTED,      /* no trusted IACA */
	VT_ANNEX_D_TAMPERED,       /* a byte of a disclosed, digest-covered value flipped */
	VT_ANNEX_D_NO_DEVICE_AUTH, /* MAC, but no reader key to check it with */
} VtAnnexDCase;

/* The Annex D DeviceResponse, verified per @c. */
VerifierResult *vt_annex_d_result (VtAnnexDCase c);

typedef enum {
	VT_STATUS_VALID,    /* status list says valid */
	VT_STATUS_REVOKED,  /* status list revokes it */
	VT_STATUS_UNKNOWN,  /* the MSO names a list, none is loaded */
} VtStatusCase;

/* A credential issued now by a throw-away PKI with a status reference,
 * presented with deviceSignature, verified at VT_FIXTURE_NOW. */
VerifierResult *vt_status_result (VtStatusCase c);

/* A holder in this process, built on libtessera as a wallet is, on the
 * local transport: answers every request of its one session with the
 * Annex D credential (all consented, MAC) until the reader ends the
 * session; with @end_after, it ends the session itself after that many
 * answers, once vt_holder_end() is called; with end_with_answer set
 * before it starts, it ends the session in its first answer. */
typedef struct {
	char *socket;
	GBytes *issuer_signed;
	tsr_device_key_t *device_key;
	tsr_holder_session_t *hs;
	GThread *thread;
	guint end_after;
	gboolean end_with_answer;
	gint end;             /* atomic */
	gint n_answered;      /* atomic: the requests of its session it answered (sent) */
	int last;             /* how the session ended, e.g. TSR_ERR_SESSION_TERMINATED */
	gint done;            /* atomic */
} VtHolder;

/* Starts @h (zeroed) listening on @socket; returns its mdoc: URI. */
char *vt_holder_start (VtHolder *h, const char *socket, guint end_after);
/* Lets it end the session after end_after answers, and waits until it has. */
void vt_holder_end (VtHolder *h);
/* How many requests it has answered, once it has answered at least @n or
 * after 10 s: its thread counts an answer after sending it, so the window
 * may show the answer a moment before the count says so. */
guint vt_holder_answered (VtHolder *h, guint n);
/* Whether its session is over (for vt_wait_until()). */
gboolean vt_holder_done (gpointer h);
void vt_holder_clear (VtHolder *h);

/* `tessera present` (TESSERA_CLI), the reference holder, in a subprocess:
 * presents @issuer_signed with Annex D's device key over @transport at
 * 2021-01-01, consenting to all, and gives up after @timeout_s seconds
 * without a request; @extra_options (NULL-terminated, or NULL) follow,
 * e.g. "--ble-mode", "central". With @log_path its -v log goes there
 * (which path the messages took); without, its stderr is the test's.
 * Returns once its engagement is in @uri_file, failing the test after
 * @start_timeout_ms. */
GSubprocess *vt_cli_holder_start (const char *transport, const char *issuer_signed,
    const char *timeout_s, const char *const *extra_options, const char *uri_file,
    const char *log_path, guint start_timeout_ms);
/* Whether the holder (a GSubprocess) has exited (for vt_wait_until()). */
gboolean vt_cli_holder_exited (gpointer holder);
/* For after the window is gone (which ends a session still open, so the
 * holder exits): waits up to 10 s for *@holder to exit, ends it
 * otherwise, and clears it. Nothing when *@holder is NULL. */
void vt_cli_holder_stop (GSubprocess **holder);

/* A verifier window on the settings as they are (create it after setting
 * them), trusting Annex D's IACA and verifying at VT_ANNEX_D_NOW; shown at
 * 1280x800, without page transitions. A reference the caller owns. */
VerifierWindow *vt_annex_d_window_new (void);
/* Whether @window's session is over: the result page, or the progress
 * page with a failure title (for vt_wait_until() or vt_poll_until()). */
gboolean vt_session_finished (gpointer window);
/* vt_wait_until() for conditions no main loop event announces (a file
 * another process writes): checks every 100 ms. */
gboolean vt_poll_until (gboolean (*done) (gpointer data), gpointer data, guint timeout_ms);

/* A FIFO named @name in @dir, standing for slow storage: reading it
 * blocks until vt_release_slow_file() writes into it something that is
 * not a certificate. Returns its path. */
char *vt_make_slow_file (const char *dir, const char *name);
void vt_release_slow_file (const char *path);

/* The mdoc: URI in @uri_file as a QR code picture at @png_path, as a
 * holder shows it (8 pixels a module, quiet zone). */
void vt_write_qr_png (const char *uri_file, const char *png_path);

/* Removes a directory tree (test leftovers). */
void vt_rm_rf (const char *path);

/* Writes a status list (CWT) signed by a throw-away issuer to @path. */
void vt_make_status_list (const char *path);

/* Flips the last byte of the first occurrence of @needle (a value). */
GBytes *vt_tamper (GBytes *data, const char *needle);

/* Every label text under @widget, one per line. */
char *vt_collect_text (GtkWidget *widget);
/* Activates the first AdwActionRow under @widget whose subtitle is
 * @subtitle (visible or not), as a click on it does; FALSE when none. */
gboolean vt_activate_row (GtkWidget *widget, const char *subtitle);
/* Runs the main loop until @done(@data) or @timeout_ms; returns @done. */
gboolean vt_wait_until (gboolean (*done) (gpointer data), gpointer data, guint timeout_ms);
void vt_iterate (guint ms);
/* Renders @widget (a realised window) to a PNG. */
gboolean vt_screenshot (GtkWidget *widget, const char *path, GError **error);
/* Page switches without animations, for screenshots. */
void vt_disable_transitions (GtkWidget *widget);
/* Makes a window of @width x @height for @child-less tests. */
GtkWindow *vt_window_new (int width, int height);

G_END_DECLS
