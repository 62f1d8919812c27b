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
	VERIFIER_SESSION_STAGE_LOADING_TRUST, /* answer received; the trust folders are still read */
	VERIFIER_SESSION_STAGE_VERIFYING,   /* answer received; checking it */
	VERIFIER_SESSION_STAGE_DONE,
} VerifierSessionStage;

/*
 * One reader session with a holder, from the engagement URI to a
 * VerifierResult, then perhaps more requests in the same session (same
 * session keys, the next counters), until verifier_session_end_async().
 * Everything that blocks (connecting, waiting for the holder,
 * cryptography) runs in a GTask worker thread, one at a time; the ::stage
 * property follows on the main context. One timeout bounds each
 * exchange; cancelling ends it within a quarter of a second, and with it
 * the session.
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
/* Over BLE, move the messages over an L2CAP channel: use the one the
 * wallet publishes (GATT client) or offer one (GATT server), as the CLI's
 * --ble-l2cap; GATT when the other side lacks it. Off by default. */
void verifier_session_set_ble_l2cap (VerifierSession *self, gboolean l2cap);
void verifier_session_set_timeout (VerifierSession *self, guint seconds);
guint verifier_session_get_timeout (VerifierSession *self);
/* Verify at @now (Unix seconds) instead of the system clock; 0 resets. */
void verifier_session_set_time (VerifierSession *self, gint64 now);
/* Arrays of GBytes: trusted IACA certificates and status list tokens.
 * Set once; after verifier_session_defer_trust() also while the first
 * request runs. */
void verifier_session_set_trust (VerifierSession *self, GPtrArray *anchors,
    GPtrArray *status_lists);
/* The trust material is still being read: the session connects and asks
 * as usual, and the verification waits for verifier_session_set_trust(). */
void verifier_session_defer_trust (VerifierSession *self);

VerifierSessionStage verifier_session_get_stage (VerifierSession *self);
/* g_get_monotonic_time() at which the session gives up; 0 before it runs. */
gint64 verifier_session_get_deadline (VerifierSession *self);

/* Connects and sends the first request. */
void verifier_session_run_async (VerifierSession *self, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
/* Sends another request in the open session, signed with the first
 * request's reader identity. Finish it with verifier_session_run_finish(). */
void verifier_session_request_async (VerifierSession *self, VerifierRequest *request,
    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* The verified answer; on an error the session is over. */
VerifierResult *verifier_session_run_finish (VerifierSession *self, GAsyncResult *result,
    GError **error);

/* ::open: an answer arrived, and neither side has ended the session.
 * While it is open and no request runs, a worker watches the transport:
 * when the holder ends the session (status 20) or the connection closes,
 * ::open turns FALSE and ::holder-ended is emitted on the main context,
 * within a quarter of a second. A request or the end started meanwhile
 * waits that long for the watch to let go of the transport. */
gboolean verifier_session_get_open (VerifierSession *self);
/* After the first request's task returned (result or error): the session
 * ran over Bluetooth GATT while this computer's Bluetooth stack may use
 * Enhanced ATT, which can deliver the messages' pieces out of order
 * (tsr_ble_info_t.eatt_possible). */
gboolean verifier_session_get_gatt_over_eatt (VerifierSession *self);
/* The holder ended the session: with its answer, or later (see above). */
gboolean verifier_session_get_holder_ended (VerifierSession *self);
/* How many requests were answered. */
guint verifier_session_get_n_requests (VerifierSession *self);
/* Tells the holder the session ends (status 20) and closes the transport.
 * The task holds the session until it is done, so the caller may drop it
 * at once. */
void verifier_session_end_async (VerifierSession *self, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean verifier_session_end_finish (VerifierSession *self, GAsyncResult *result,
    GError **error);

/* Tests: where BLE sessions get their radio (a simulated link) instead of
 * BlueZ; NULL restores BlueZ. Called in the worker thread; the session
 * owns the link it returns. */
typedef int (*VerifierBleLinkFunc) (tsr_ble_link_t **ret_link, gpointer user_data);
void verifier_session_set_ble_link_func (VerifierBleLinkFunc func, gpointer user_data);

/* The local transport's default socket. */
char *verifier_session_default_socket (void);

G_END_DECLS
