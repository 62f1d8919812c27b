/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <tessera/transport.h>

#include "verifier-request.h"
#include "verifier-result.h"

G_BEGIN_DECLS

typedef enum {
	VERIFIER_SESSION_STAGE_IDLE,
	VERIFIER_SESSION_STAGE_CONNECTING,  /* reaching the wallet */
	VERIFIER_SESSION_STAGE_CONNECTING_BLE, /* reaching the wallet over Bluetooth */
	VERIFIER_SESSION_STAGE_WAITING,     /* request sent; the holder is choosing */
	VERIFIER_SESSION_STAGE_VERIFYING,   /* answer received; checking it */
	VERIFIER_SESSION_STAGE_DONE,
} VerifierSessionStage;

/*
 * One reader session with a holder, from the engagement URI to a
 * VerifierResult. Everything that blocks (connecting, waiting for the
 * holder, cryptography) runs in a GTask worker thread; the ::stage
 * property follows on the main context. One timeout bounds the whole
 * exchange; cancelling ends it within a quarter of a second.
 */
#define VERIFIER_TYPE_SESSION (verifier_session_get_type ())
G_DECLARE_FINAL_TYPE (VerifierSession, verifier_session, VERIFIER, SESSION, GObject)

VerifierSession *verifier_session_new (const char *uri, VerifierRequest *request);

/* "local:PATH" (the default is $XDG_RUNTIME_DIR/tessera.sock): the local
 * transport only; "ble": Bluetooth LE only (the engagement must offer it);
 * "auto:PATH": Bluetooth LE when the engagement offers it, else the local
 * transport at PATH. BLE uses the mode the wallet offers, peripheral
 * server first, through BlueZ's first powered adapter. */
void verifier_session_set_transport (VerifierSession *self, const char *spec);
void verifier_session_set_timeout (VerifierSession *self, guint seconds);
guint verifier_session_get_timeout (VerifierSession *self);
/* Verify at @now (Unix seconds) instead of the system clock; 0 resets. */
void verifier_session_set_time (VerifierSession *self, gint64 now);
/* Arrays of GBytes: trusted IACA certificates and status list tokens. */
void verifier_session_set_trust (VerifierSession *self, GPtrArray *anchors,
    GPtrArray *status_lists);

VerifierSessionStage verifier_session_get_stage (VerifierSession *self);
/* g_get_monotonic_time() at which the session gives up; 0 before it runs. */
gint64 verifier_session_get_deadline (VerifierSession *self);

void verifier_session_run_async (VerifierSession *self, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
VerifierResult *verifier_session_run_finish (VerifierSession *self, GAsyncResult *result,
    GError **error);

/* Tests: where BLE sessions get their radio (a simulated link) instead of
 * BlueZ; NULL restores BlueZ. Called in the worker thread; the session
 * owns the link it returns. */
typedef int (*VerifierBleLinkFunc) (tsr_ble_link_t **ret_link, gpointer user_data);
void verifier_session_set_ble_link_func (VerifierBleLinkFunc func, gpointer user_data);

/* The local transport's default socket. */
char *verifier_session_default_socket (void);

G_END_DECLS
