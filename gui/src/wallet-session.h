/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* One session with a reader, what `tessera present` does: engagement
 * (the mdoc: URI for the QR code), wait for the reader on the transport,
 * then for each of its requests: analyse it against the wallet's
 * credentials, answer with what the holder consented to (device
 * authentication by the credential's key in the secure area) and write the
 * presentation log, until the reader (or the holder) ends the session.
 * Every transport and store call runs in a GTask thread; "state" changes
 * are notified on the thread that made the session. */

#pragma once

#include <gio/gio.h>

#include <tessera/tessera.h>

#include "wallet-store.h"

G_BEGIN_DECLS

typedef enum {
  WALLET_SESSION_WAITING,          /* engagement shown, no reader yet */
  WALLET_SESSION_CONNECTED,        /* a reader is connected */
  WALLET_SESSION_REQUEST_RECEIVED, /* its request is being analysed / waits for consent */
  WALLET_SESSION_RESPONDING,       /* signing and sending the response */
  WALLET_SESSION_ANSWERED,         /* answered (shared or declined); the session stays open */
  WALLET_SESSION_ENDED,            /* the reader or the holder ended the session */
  WALLET_SESSION_FAILED,           /* the session failed or was cancelled */
} WalletSessionState;

/* How the session reaches the reader. */
typedef enum {
  WALLET_TRANSPORT_LOCAL,          /* Unix socket on this computer (tests, demo) */
  WALLET_TRANSPORT_BLE,            /* 18013-5 BLE through BlueZ */
} WalletTransport;

#define WALLET_TYPE_SESSION (wallet_session_get_type ())
G_DECLARE_FINAL_TYPE (WalletSession, wallet_session, WALLET, SESSION, GObject)

/* socket_path NULL: $TESSERA_WALLET_SOCKET, else a fresh path in
 * $XDG_RUNTIME_DIR. */
WalletSession      *wallet_session_new                 (WalletStore   *store,
                                                        const char    *socket_path,
                                                        GError       **error);
/* A session over BLE in @ble_mode (peripheral server or central client):
 * the engagement offers that mode with a fresh random service UUID. With
 * @ble_l2cap the messages move over an L2CAP channel when the reader
 * offers (central) or uses (peripheral) one, as `tessera wallet present
 * --ble-l2cap`; GATT is the fallback (tsr_ble_config_t::l2cap). With
 * @fallback_local, a machine without a Bluetooth adapter or bluetoothd
 * uses the local transport instead (the engagement then offers no BLE).
 * The QR code is valid only after wallet_session_open_finish(). */
WalletSession      *wallet_session_new_ble             (WalletStore     *store,
                                                        tsr_ble_mode_t   ble_mode,
                                                        gboolean         ble_l2cap,
                                                        gboolean         fallback_local,
                                                        GError         **error);

/* Opens the transport in a thread: BLE connects to bluetoothd, publishes
 * the service and advertises (peripheral server) or starts scanning
 * (central client), so a missing adapter is reported before any QR code
 * is shown. The local transport listens later, in wait_request. */
void                wallet_session_open_async          (WalletSession       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            wallet_session_open_finish         (WalletSession  *self,
                                                        GAsyncResult   *result,
                                                        GError        **error);

/* Tests: where BLE sessions get their radio (a simulated link) instead of
 * BlueZ; NULL restores BlueZ. Called in the open thread; the session owns
 * the link it returns. */
typedef int       (*WalletBleLinkFunc)                 (tsr_ble_link_t **ret_link,
                                                        gpointer         user_data);
void                wallet_session_set_ble_link_func   (WalletBleLinkFunc func,
                                                        gpointer          user_data);

const char         *wallet_session_get_uri             (WalletSession *self);
/* The transport in use (after open: BLE may have fallen back to local). */
WalletTransport     wallet_session_get_transport       (WalletSession *self);
tsr_ble_mode_t      wallet_session_get_ble_mode        (WalletSession *self);
/* A description of the transport for the UI, e.g. libtessera's
 * tsr_transport_describe() once BLE is open; NULL before. */
const char         *wallet_session_get_description     (WalletSession *self);
const char         *wallet_session_get_socket_path     (WalletSession *self);
/* From WALLET_SESSION_CONNECTED on: the reader connected over Bluetooth
 * GATT (it took no L2CAP channel) while this computer's Bluetooth stack
 * may use Enhanced ATT, which can deliver the messages' pieces out of
 * order (tsr_ble_info_t.eatt_possible); the session may then fail. */
gboolean            wallet_session_get_gatt_over_eatt  (WalletSession *self);
WalletSessionState  wallet_session_get_state           (WalletSession *self);

/* The strict reader policy ("trusted-readers-only" property, default
 * FALSE): requests analysed from now on are refused unless every
 * DocRequest's reader is trusted (tsr_presentation_require_trusted_reader()). */
void                wallet_session_set_trusted_readers_only (WalletSession *self,
                                                             gboolean       trusted_only);
gboolean            wallet_session_get_trusted_readers_only (WalletSession *self);

/* Waits (cancellably) for the reader's next request and analyses it: the
 * first call waits for a reader to connect, later ones for a further
 * request in the same session (18013-5 lets the reader send several). The
 * finish function returns TRUE when a request waits for an answer, and
 * FALSE without an error when the session ended: the reader ended it
 * (status 20 or gone), wallet_session_end() was called, or a connected
 * reader sent nothing for a minute. Cancelling tells the reader that the
 * session ends and fails with G_IO_ERROR_CANCELLED. */
void                wallet_session_wait_request_async  (WalletSession       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            wallet_session_wait_request_finish (WalletSession  *self,
                                                        GAsyncResult   *result,
                                                        GError        **error);
/* Ends the session from the holder's side: a pending (or the next)
 * wait_request sends the reader status 20 and finishes as ended. */
void                wallet_session_end                 (WalletSession *self);

/* The analysed request, after wait_request; the caller records consent
 * with tsr_presentation_consent() before respond. Owned by the session,
 * valid until the next wait_request. Under the strict reader policy,
 * tsr_presentation_refused() says whether it must be refused. */
tsr_presentation_t *wallet_session_get_presentation    (WalletSession *self);
/* The least trusted reader authentication among the DocRequests, and the
 * reader subject (borrowed, may be NULL). */
tsr_reader_trust_t  wallet_session_get_reader_trust    (WalletSession *self,
                                                        const char   **ret_subject);

/* Answers the request with the consented elements (@share FALSE:
 * declines, nothing is disclosed) and writes the log; the session stays
 * open for the reader's next request (wait_request again). @pin (NULL for
 * none) is for device keys that have one (a TPM wallet made with a PIN).
 * When a key needs its PIN and none or a wrong one was given, the finish
 * function fails with WALLET_ERROR TSR_ERR_SA_PIN_REQUIRED or
 * TSR_ERR_SA_PIN_INCORRECT, nothing is sent nor logged, and the request
 * waits for another respond (with the PIN, or declining); the TPM's
 * lockout (TSR_ERR_SA_PIN_LOCKED) ends the request as any failure. */
void                wallet_session_respond_async       (WalletSession       *self,
                                                        gboolean             share,
                                                        const char          *pin,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            wallet_session_respond_finish      (WalletSession  *self,
                                                        GAsyncResult   *result,
                                                        GError        **error);

/* The yes/no values of the offered credentials (wallet_element_key() ->
 * GBytes of CBOR), for wallet_consent_dialog_new_with_values(). Filled
 * once the request is analysed; owned by the session. */
GHashTable         *wallet_session_get_values          (WalletSession *self);

G_END_DECLS
