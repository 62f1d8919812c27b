/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file transport.h
 * @brief Message transports between a holder and a reader: the local
 *        transport (Unix-domain sockets) here, BLE and NFC behind the same
 *        interface.
 *
 * A transport carries whole messages, one SessionEstablishment or one
 * SessionData each, in order, both ways. It knows nothing of their
 * contents: encryption and message counters belong to the session layer.
 *
 * The **local transport** connects two processes on the same machine (or two
 * ends in one process) through a Unix-domain stream socket. Each message is
 * sent as a 4-byte big-endian length followed by the message, the framing
 * 18013-5 (2nd edition) uses on a BLE L2CAP channel. It exists for
 * same-machine use, tests and the demo; it is not an 18013-5 device
 * retrieval method.
 *
 * Timeouts are in milliseconds and bound the whole call: 0 checks once
 * without waiting, a negative value waits without limit.
 *
 * A transport is not thread-safe: use each one from one thread at a time.
 * Event callbacks run on that thread, from inside the transport call that
 * noticed the event.
 */
#ifndef TESSERA_TRANSPORT_H
#define TESSERA_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Transport errors (-900 .. -999); see tsr_strerror(). */
#define TSR_ERR_TRANSPORT_TIMEOUT -900    /**< Nothing happened within the timeout. */
#define TSR_ERR_TRANSPORT_CLOSED -901     /**< The connection is gone: the peer closed it or went away, or this side closed it. */
#define TSR_ERR_TRANSPORT_CONNECT -902    /**< No peer to connect to: nobody listens at the address, or it refused. */
#define TSR_ERR_TRANSPORT_ADDRESS -903    /**< The address cannot be used: e.g. a socket path longer than the system allows, or in a missing directory. */
#define TSR_ERR_TRANSPORT_IN_USE -904     /**< Another listener or another file already occupies the address. */
#define TSR_ERR_TRANSPORT_PERMISSION -905 /**< The system refused access to the address or device. */
#define TSR_ERR_TRANSPORT_PROTOCOL -906   /**< The peer broke the transport's own protocol (framing, chunk or state values). */
#define TSR_ERR_TRANSPORT_IO -907         /**< The operating system reported an unexpected I/O error (see the debug log). */

/**
 * The largest message any transport sends or accepts, in bytes (16 MiB).
 * A peer announcing a larger message is refused with #TSR_ERR_LIMIT before
 * anything is allocated for it.
 */
#define TSR_TRANSPORT_MAX_MESSAGE ((size_t)16 * 1024 * 1024)

/** A connected message transport (opaque). */
typedef struct tsr_transport tsr_transport_t;

/** What a transport reports to its event callback. */
typedef enum tsr_transport_event {
	/** The connection to the peer is up: messages can flow. */
	TSR_TRANSPORT_EVENT_CONNECTED = 1,
	/** The connection is gone (the peer left, an error ended it, or
	 *  tsr_transport_close() was called). Reported at most once. */
	TSR_TRANSPORT_EVENT_DISCONNECTED = 2,
} tsr_transport_event_t;

/**
 * @brief Receives a transport's connection events.
 * @param t the transport; do not free it from inside the callback.
 * @param event what happened.
 * @param user the pointer given to tsr_transport_set_event_callback().
 */
typedef void (*tsr_transport_event_fn)(tsr_transport_t *t, tsr_transport_event_t event,
    void *user);

/**
 * @brief Installs (or removes) the event callback.
 *
 * Each event is reported once per transport, whatever the back-end: when the
 * transport is already connected at this call (the local transport's
 * constructors return connected ones), #TSR_TRANSPORT_EVENT_CONNECTED is
 * reported from inside this call; when it is already disconnected, nothing
 * is reported.
 * @param t the transport.
 * @param fn the callback, or NULL for none.
 * @param user passed through to @p fn.
 */
TSR_EXPORT void tsr_transport_set_event_callback(tsr_transport_t *t,
    tsr_transport_event_fn fn, void *user);

/**
 * @brief Sends one message.
 *
 * Returns once the whole message is handed to the operating system (or the
 * radio stack); that is no proof the peer has read it.
 * @param t the transport.
 * @param msg the message; may be NULL when @p len is 0.
 * @param len its length, at most #TSR_TRANSPORT_MAX_MESSAGE.
 * @param timeout_ms how long the call may wait for the peer to take data.
 * @return #TSR_OK;
 *         #TSR_ERR_TRANSPORT_TIMEOUT (when it struck after part of the
 *         message was sent, the connection is closed, since the peer would
 *         otherwise read a torn message; before that, the transport stays
 *         usable);
 *         #TSR_ERR_TRANSPORT_CLOSED (the peer went away, or the transport is
 *         closed); #TSR_ERR_LIMIT (@p len too large; nothing is sent);
 *         #TSR_ERR_TRANSPORT_IO (the connection is closed);
 *         #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_transport_send(tsr_transport_t *t, const uint8_t *msg, size_t len,
    int timeout_ms);

/**
 * @brief Receives the next message.
 *
 * A timeout does not lose data: the part of a message already received is
 * kept and the next call continues with it. Messages the peer sent before
 * it went away are still delivered (also after a send reported
 * #TSR_ERR_TRANSPORT_CLOSED); only then does this report
 * #TSR_ERR_TRANSPORT_CLOSED.
 * @param t the transport.
 * @param timeout_ms how long the call may wait for the whole message.
 * @param[out] ret_msg the message, owned by the caller (tsr_free()); a
 *             zero-length message is a valid one-byte allocation. Untouched
 *             on failure.
 * @param[out] ret_len its length.
 * @return #TSR_OK;
 *         #TSR_ERR_TRANSPORT_TIMEOUT;
 *         #TSR_ERR_TRANSPORT_CLOSED (the peer closed the connection or went
 *         away, also in the middle of a message, or the transport is closed);
 *         #TSR_ERR_LIMIT (the peer announced a message larger than
 *         #TSR_TRANSPORT_MAX_MESSAGE; the connection is closed, as the rest
 *         of the stream cannot be trusted);
 *         #TSR_ERR_TRANSPORT_PROTOCOL (the peer broke the back-end's
 *         framing, e.g. a BLE chunk header; the connection is closed);
 *         #TSR_ERR_TRANSPORT_IO and #TSR_ERR_NO_MEMORY (the connection is
 *         closed); #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_transport_receive(tsr_transport_t *t, int timeout_ms,
    uint8_t **ret_msg, size_t *ret_len);

/**
 * @brief Ends the connection in an orderly way.
 *
 * The peer's next tsr_transport_receive() gets every message sent before,
 * then #TSR_ERR_TRANSPORT_CLOSED. Reports #TSR_TRANSPORT_EVENT_DISCONNECTED
 * when the transport was connected. Later sends and receives fail with
 * #TSR_ERR_TRANSPORT_CLOSED. Closing twice is fine.
 * @param t the transport.
 * @return #TSR_OK, #TSR_ERR_TRANSPORT_IO (the connection is closed all the
 *         same), #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT int tsr_transport_close(tsr_transport_t *t);

/**
 * @brief Closes (without reporting events) and frees a transport. NULL is
 *        fine.
 */
TSR_EXPORT void tsr_transport_free(tsr_transport_t *t);

/**
 * @brief A human description for logs and help texts, e.g.
 *        "local transport (Unix socket /run/user/1000/tessera.sock)" or
 *        "local transport (socket pair)".
 * @return a string owned by @p t, valid until tsr_transport_free();
 *         "no transport" for NULL.
 */
TSR_EXPORT const char *tsr_transport_describe(const tsr_transport_t *t);

/**
 * @brief Waits for one peer on a Unix-domain socket at @p path (the holder's
 *        side of the local transport, typically).
 *
 * Creates the socket file readable and writable by the owner only (mode
 * 0600), so only processes of the same user (and root) can connect; a
 * private directory such as $XDG_RUNTIME_DIR is the best place for it. A
 * file already at @p path (even a stale socket of a process that died) is
 * left alone and fails the call. Exactly one peer is accepted; the socket
 * file is then removed (also on timeout or failure), so a second peer
 * cannot connect.
 * @param path a filesystem path shorter than the system's limit for socket
 *        addresses (107 bytes on Linux).
 * @param timeout_ms how long to wait for the peer.
 * @param[out] ret the connected transport; free with tsr_transport_free().
 *        Untouched on failure.
 * @return #TSR_OK; #TSR_ERR_TRANSPORT_TIMEOUT (no peer came);
 *         #TSR_ERR_TRANSPORT_ADDRESS (path too long or its directory is
 *         missing); #TSR_ERR_TRANSPORT_IN_USE (a live listener or another
 *         file is at @p path); #TSR_ERR_TRANSPORT_PERMISSION;
 *         #TSR_ERR_TRANSPORT_IO; #TSR_ERR_NO_MEMORY; #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_transport_local_listen(const char *path, int timeout_ms,
    tsr_transport_t **ret);

/**
 * @brief Connects to a peer listening with tsr_transport_local_listen().
 *
 * When nobody listens at @p path yet, keeps trying until the timeout, so the
 * two sides may start in either order.
 * @param path the listener's path.
 * @param timeout_ms how long to keep trying.
 * @param[out] ret the connected transport; free with tsr_transport_free().
 *        Untouched on failure.
 * @return #TSR_OK; #TSR_ERR_TRANSPORT_CONNECT (nobody listened at @p path
 *         within the timeout); #TSR_ERR_TRANSPORT_ADDRESS (path too long);
 *         #TSR_ERR_TRANSPORT_PERMISSION; #TSR_ERR_TRANSPORT_IO;
 *         #TSR_ERR_NO_MEMORY; #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_transport_local_connect(const char *path, int timeout_ms,
    tsr_transport_t **ret);

/**
 * @brief Makes two connected ends of a local transport (a socket pair), for
 *        a holder and a reader in one process and for tests.
 * @param[out] ret_a one end; free with tsr_transport_free().
 * @param[out] ret_b the other end; free with tsr_transport_free().
 *        Both untouched on failure.
 * @return #TSR_OK, #TSR_ERR_TRANSPORT_IO, #TSR_ERR_NO_MEMORY,
 *         #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_transport_local_pair(tsr_transport_t **ret_a,
    tsr_transport_t **ret_b);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_TRANSPORT_H */
