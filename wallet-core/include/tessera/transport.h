/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file transport.h
 * @brief Message transports between a holder and a reader: the local
 *        transport (Unix-domain sockets) and the 18013-5 BLE transport (over
 *        a radio link: the simulated one here, BlueZ later); NFC behind the
 *        same interface.
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

#include <stdbool.h>
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
#define TSR_ERR_TRANSPORT_BLE_IDENT -908  /**< BLE: the GATT server's Ident characteristic is missing or wrong: this is not the reader of this engagement. */
#define TSR_ERR_TRANSPORT_BLE_NO_ADAPTER -909 /**< BLE: no Bluetooth adapter (BlueZ lists none, or none by the name asked for). */
#define TSR_ERR_TRANSPORT_BLE_POWERED_OFF -910 /**< BLE: the Bluetooth adapter is powered off (or rfkill-blocked). */
#define TSR_ERR_TRANSPORT_BLE_NO_BLUEZ -911 /**< BLE: bluetoothd is not running (org.bluez is not on the system bus), or there is no system bus. */
#define TSR_ERR_TRANSPORT_BLE_PERMISSION -912 /**< BLE: bluetoothd or the system bus refused the request (AccessDenied, NotPermitted, NotAuthorized). */

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

/* ---- BLE: 18013-5 §8.3.3.1.1 ---- */

/**
 * A BLE radio link below the BLE transport (opaque): one GATT connection's
 * worth of radio. The simulated link (tsr_ble_sim_pair_new()) is one; the
 * BlueZ back-end will be another. A transport borrows its link: free the
 * link with tsr_ble_link_free() after the transport.
 */
typedef struct tsr_ble_link tsr_ble_link_t;

/** Which side of the 18013-5 session this transport is. */
typedef enum tsr_ble_role {
	TSR_BLE_ROLE_HOLDER = 1, /**< the mdoc */
	TSR_BLE_ROLE_READER = 2, /**< the mdoc reader */
} tsr_ble_role_t;

/**
 * The BLE mode, named from the mdoc's point of view as in 18013-5: in
 * peripheral server mode the holder advertises and is the GATT server; in
 * central client mode the reader advertises and is the GATT server, and
 * the holder checks the reader's Ident characteristic.
 */
typedef enum tsr_ble_mode {
	TSR_BLE_MODE_PERIPHERAL_SERVER = 1, /**< mdoc peripheral server mode */
	TSR_BLE_MODE_CENTRAL_CLIENT = 2,    /**< mdoc central client mode */
} tsr_ble_mode_t;

/** Length of the Ident characteristic's value. */
#define TSR_BLE_IDENT_LEN 16

/**
 * What a BLE transport is to do; fill it with tsr_ble_config_init(), then
 * adjust. Zero timeouts mean the defaults, negative ones no limit.
 */
typedef struct tsr_ble_config {
	tsr_ble_role_t role;
	tsr_ble_mode_t mode;
	/** The service UUID of the engagement (big-endian). */
	uint8_t uuid[16];
	/** Central client mode (both roles): the Ident, i.e.
	 *  HKDF-SHA-256(EDeviceKeyBytes, "", "BLEIdent", 16), see
	 *  tsr_engagement_ble_ident(). The reader serves it, the holder
	 *  checks it. Ignored in peripheral server mode. */
	bool has_ident;
	uint8_t ident[TSR_BLE_IDENT_LEN];
	/** Offer (GATT server: listen and publish the PSM) or use (GATT
	 *  client: when the server publishes one) an L2CAP channel; GATT is
	 *  the fallback. */
	bool l2cap;
	/** GATT client (the reader in peripheral server mode): the PSM
	 *  the engagement names (tsr_engagement_ble_t.psm; 0: none). With
	 *  @c l2cap, the client connects to it at once instead of reading
	 *  the L2CAP characteristic. */
	uint16_t psm;
	/** GATT client: the ATT_MTU to ask for (0: 515, as most wallets do). */
	uint16_t mtu;
	/** GATT client: scanning, connecting and discovery (default 10 s). */
	int connect_timeout_ms;
	/** Every later step: each GATT read and subscription, the State
	 *  start after a client connected, the gap between two chunks of one
	 *  message, the wait for room to send a chunk (default 5 s). When it
	 *  strikes the connection is dropped and the call fails with
	 *  #TSR_ERR_TRANSPORT_TIMEOUT. */
	int step_timeout_ms;
	/** tsr_transport_close(): how long to wait, after sending State
	 *  0x02, for the peer to disconnect as 18013-5 asks; over L2CAP,
	 *  when this side sent the session's last message, for the peer to
	 *  close the channel first (default 500 ms). */
	int close_timeout_ms;
	/** Largest message accepted (0: #TSR_TRANSPORT_MAX_MESSAGE, also the
	 *  ceiling); also bounds what is buffered but not yet received. */
	size_t max_message;
} tsr_ble_config_t;

/**
 * @brief Fills @p cfg with defaults for a role, mode and service UUID.
 */
TSR_EXPORT void tsr_ble_config_init(tsr_ble_config_t *cfg, tsr_ble_role_t role,
    tsr_ble_mode_t mode, const uint8_t uuid[16]);

/**
 * @brief Makes the 18013-5 BLE transport over a link.
 *
 * Starts at once: the GATT server (holder in peripheral server mode,
 * reader in central client mode) publishes the service (State,
 * Client2Server, Server2Client, Ident in central client mode, the L2CAP PSM
 * when offered) and advertises the UUID; the GATT client starts scanning.
 * The rest of the connection happens inside tsr_transport_ble_connect(),
 * tsr_transport_send() and tsr_transport_receive(), whichever comes first,
 * each bounded by its timeout and by the configured step timeouts: the
 * client connects, asks for the MTU, discovers the service, reads and
 * checks Ident (holder in central client mode), takes the PSM from the
 * engagement (tsr_ble_config_t.psm) or reads it and opens the L2CAP
 * channel (when both sides offer it), or else subscribes to State and
 * Server2Client and writes State 0x01. When the link's stack may use
 * EATT (tsr_ble_link_eatt()), which would reorder GATT chunks, the
 * transport offers and uses L2CAP even without tsr_ble_config_t.l2cap.
 * A refused L2CAP connect, or one
 * left unanswered for 2 s (at most the step timeout), falls back to GATT;
 * a server whose client chose GATT stops listening on its PSM. The
 * transport is connected
 * (#TSR_TRANSPORT_EVENT_CONNECTED) once State 0x01 went through or the
 * L2CAP channel is open.
 *
 * Messages are sent in characteristic values of min(ATT_MTU - 3, 512)
 * bytes, a 0x01 (more) or 0x00 (last) byte first, or length-prefixed on the
 * L2CAP channel. Each message must be one well-formed CBOR map (all
 * 18013-5 messages are): 18013-5 chunks have no sequence numbers, so the
 * receiver checks this to turn a lost or repeated chunk into
 * #TSR_ERR_TRANSPORT_PROTOCOL instead of a corrupted message; a send that
 * is not one is refused with #TSR_ERR_INVALID_ARGUMENT.
 *
 * tsr_transport_close() sends State 0x02 (GATT) and disconnects; over
 * L2CAP, a side that sent the last message first waits (close timeout) for
 * the peer to close the channel, so that message is read before the
 * channel ends, and a side that received the last one closes at once. A State
 * 0x02 or a disconnection from the peer makes receive deliver what was
 * complete, then #TSR_ERR_TRANSPORT_CLOSED. A peer that stays silent ends
 * in #TSR_ERR_TRANSPORT_TIMEOUT, never a hang. An error that ends the
 * connection (#TSR_ERR_TRANSPORT_PROTOCOL, #TSR_ERR_LIMIT,
 * #TSR_ERR_TRANSPORT_BLE_IDENT, a step's #TSR_ERR_TRANSPORT_TIMEOUT) is
 * reported once, by whichever call meets it first (send, receive or
 * connect); later calls report #TSR_ERR_TRANSPORT_CLOSED.
 * @param cfg what to do; copied.
 * @param link the radio; borrowed until tsr_transport_free(), used by one
 *        transport at a time.
 * @param[out] ret the transport; untouched on failure.
 * @return #TSR_OK; #TSR_ERR_INVALID_ARGUMENT (bad role or mode, no Ident in
 *         central client mode, link already in use); #TSR_ERR_NO_MEMORY;
 *         the link's error (e.g. #TSR_ERR_TRANSPORT_IO).
 */
TSR_EXPORT TSR_WUR int tsr_transport_ble_new(const tsr_ble_config_t *cfg,
    tsr_ble_link_t *link, tsr_transport_t **ret);

/**
 * @brief Drives the connection until messages can flow.
 * @param t a BLE transport.
 * @param timeout_ms how long the call may wait; an unfinished connection
 *        continues in the next call unless a step timeout struck.
 * @return #TSR_OK (connected); #TSR_ERR_TRANSPORT_TIMEOUT;
 *         #TSR_ERR_TRANSPORT_BLE_IDENT (wrong reader: disconnected);
 *         #TSR_ERR_TRANSPORT_PROTOCOL; #TSR_ERR_TRANSPORT_CLOSED;
 *         #TSR_ERR_INVALID_ARGUMENT (not a BLE transport).
 */
TSR_EXPORT TSR_WUR int tsr_transport_ble_connect(tsr_transport_t *t, int timeout_ms);

/** What a BLE transport negotiated and counted. */
typedef struct tsr_ble_info {
	bool gatt_server;         /**< this side is the GATT server */
	bool open;                /**< State 0x01 went through or L2CAP is up */
	bool l2cap;               /**< messages go over the L2CAP channel */
	/** The PSM this side listens on (a GATT server offering L2CAP), 0
	 *  when none; a holder in peripheral server mode names it in its
	 *  engagement (tsr_engagement_ble_t.psm). Stays set after the
	 *  session chose GATT and listening stopped. */
	uint16_t psm;
	bool peer_terminated;     /**< the peer ended the session with State 0x02 */
	uint16_t mtu;             /**< the ATT_MTU in force (0 before the connection) */
	size_t value_size;        /**< characteristic value size, min(mtu - 3, 512) */
	uint64_t chunks_sent;     /**< message chunks (or L2CAP pieces) sent */
	uint64_t chunks_received; /**< message chunks (or L2CAP pieces) received */
	uint64_t messages_sent;
	uint64_t messages_received;
	/** The link's radio stack may carry GATT over several bearers
	 *  (EATT, tsr_ble_link_eatt()), so GATT chunks may arrive out of
	 *  order. The transport then offered or used L2CAP as if
	 *  tsr_ble_config_t.l2cap were set; a session that still runs over
	 *  GATT (@c l2cap false) may fail, and an application should say
	 *  why. */
	bool eatt_possible;
} tsr_ble_info_t;

/**
 * @brief Reports what a BLE transport negotiated and counted.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (not a BLE transport).
 */
TSR_EXPORT TSR_WUR int tsr_transport_ble_info(const tsr_transport_t *t, tsr_ble_info_t *ret);

/**
 * @brief Opens the BlueZ back-end: a real radio through bluetoothd (D-Bus,
 * system bus; GattManager1 + LEAdvertisingManager1 when serving,
 * Adapter1 discovery + Device1 + GattCharacteristic1 when connecting).
 *
 * Checks at once that bluetoothd runs and that the adapter exists and is
 * powered. Only built when libtessera was configured with GIO
 * (meson option `bluez`); a build without it always returns
 * #TSR_ERR_UNSUPPORTED.
 *
 * @param adapter "hci0"-style adapter name, or NULL for the first powered one.
 * @param[out] ret the link; free with tsr_ble_link_free() after the transport.
 * @return #TSR_OK, #TSR_ERR_TRANSPORT_BLE_NO_BLUEZ, #TSR_ERR_TRANSPORT_BLE_NO_ADAPTER,
 *         #TSR_ERR_TRANSPORT_BLE_POWERED_OFF, #TSR_ERR_TRANSPORT_BLE_PERMISSION,
 *         #TSR_ERR_TRANSPORT_IO, #TSR_ERR_NO_MEMORY, #TSR_ERR_INVALID_ARGUMENT,
 *         #TSR_ERR_UNSUPPORTED.
 */
TSR_EXPORT TSR_WUR int tsr_ble_link_bluez_new(const char *adapter, tsr_ble_link_t **ret);

/** @brief Frees a link (after the transport using it). NULL is fine. */
TSR_EXPORT void tsr_ble_link_free(tsr_ble_link_t *link);

/** @brief "simulated link (a)"; "no link" for NULL. Owned by @p link. */
TSR_EXPORT const char *tsr_ble_link_describe(const tsr_ble_link_t *link);

/**
 * Whether a BLE stack may carry GATT over Enhanced ATT (EATT) bearers.
 *
 * BlueZ (5.56 on) opens EATT bearers between two machines whose
 * bluetoothd has `[GATT] Channels` above 1 (its default is 3), and then
 * spreads notifications and Write Commands over them from one queue: the
 * peer may get them in another order. 18013-5's GATT chunks carry no
 * sequence number, so such a session fails; an L2CAP channel is one
 * bearer and is not affected (docs/ble.md, "EATT").
 */
typedef struct tsr_ble_eatt {
	/** EATT bearers may be opened: channels above 1. */
	bool possible;
	/** ATT channels per connection as bluetoothd takes `[GATT]
	 *  Channels` (clamped to 1..5; 1 disables EATT). */
	unsigned channels;
	/** @c channels was set in the file; false: bluetoothd's default
	 *  (no file, not a key file, no such key or not an integer). */
	bool channels_set;
} tsr_ble_eatt_t;

/**
 * @brief Tells from bluetoothd's configuration file whether bluetoothd
 *        may use EATT.
 *
 * Reads @p main_conf as bluetoothd does (a GLib key file; at most 64 KiB
 * are read). A missing file is bluetoothd's defaults. The BlueZ link does this itself
 * for the file the running bluetoothd was started with
 * (tsr_ble_link_eatt()).
 * @param main_conf the file, or NULL for /etc/bluetooth/main.conf.
 * @param[out] ret the answer; untouched on failure.
 * @return #TSR_OK; #TSR_ERR_LIMIT (the file is larger than 64 KiB);
 *         #TSR_ERR_TRANSPORT_IO (it exists but cannot be read);
 *         #TSR_ERR_INVALID_ARGUMENT; #TSR_ERR_UNSUPPORTED (built
 *         without the BlueZ back-end).
 */
TSR_EXPORT TSR_WUR int tsr_ble_bluez_eatt_check(const char *main_conf, tsr_ble_eatt_t *ret);

/**
 * @brief What a link's radio stack may do with EATT.
 *
 * The BlueZ link decides when it is made: it asks the bus for
 * bluetoothd's process, takes the configuration file from its command
 * line (`-f`, else /etc/bluetooth/main.conf) and checks it with
 * tsr_ble_bluez_eatt_check(); a file it cannot read counts as possible.
 * The simulated link reports tsr_ble_sim_config_t.eatt. A link that
 * knows nothing of EATT reports it impossible.
 * @param[out] ret the answer.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT.
 */
TSR_EXPORT TSR_WUR int tsr_ble_link_eatt(const tsr_ble_link_t *link, tsr_ble_eatt_t *ret);

/** A fault the simulated link injects. */
typedef enum tsr_ble_sim_fault {
	TSR_BLE_SIM_FAULT_NONE = 0,
	TSR_BLE_SIM_FAULT_DROP = 1,       /**< the operation seems to work; the peer never sees it */
	TSR_BLE_SIM_FAULT_DUPLICATE = 2,  /**< the peer sees it twice */
	TSR_BLE_SIM_FAULT_DISCONNECT = 3, /**< the radio connection is lost instead */
} tsr_ble_sim_fault_t;

/** Settings of a simulated link pair; all zero is a fast, perfect link. */
typedef struct tsr_ble_sim_config {
	/** The largest ATT_MTU both radios accept, 23..517 (0: 517); the
	 *  connection uses the smaller of this and what the client asks. */
	uint16_t mtu;
	/** Delay of every packet, in microseconds (real time). */
	unsigned latency_us;
	/** Packets in flight per direction before a sender waits (0: no
	 *  limit, so one thread can drive both ends). */
	size_t queue_limit;
	/** The radios cannot open L2CAP channels. */
	bool no_l2cap;
	/** Both radios report a stack that may use EATT (tsr_ble_link_eatt():
	 *  3 channels, set in the file), as two BlueZ machines with the
	 *  default configuration; they still deliver in order. For testing
	 *  what the transport and applications do then. */
	bool eatt;
	/** The L2CAP channel's SDU size (0: 512). */
	uint16_t l2cap_mtu;
	/** The fault, which end's operation it strikes (0: the first link
	 *  of the pair, 1: the second) and which operation of that end,
	 *  counting from 1 every serve, connect, read, subscribe, write,
	 *  notify, L2CAP connect and L2CAP send (tsr_ble_sim_stats_t.ops). */
	tsr_ble_sim_fault_t fault;
	unsigned fault_end;
	uint64_t fault_op;
} tsr_ble_sim_config_t;

/**
 * @brief Makes two connected-to-be simulated radios in this process: what
 *        one end serves, the other can connect to. Deterministic: the
 *        packets of each direction arrive in order, and faults strike by
 *        operation count. The two ends may be used from two threads.
 * @param cfg settings, or NULL for a perfect link.
 * @param[out] ret_a the first end; free with tsr_ble_link_free().
 * @param[out] ret_b the second end. Both untouched on failure.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (MTU out of range),
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_ble_sim_pair_new(const tsr_ble_sim_config_t *cfg,
    tsr_ble_link_t **ret_a, tsr_ble_link_t **ret_b);

/** @brief Loses the radio connection now, as if out of range (any thread). */
TSR_EXPORT void tsr_ble_sim_disconnect(tsr_ble_link_t *link);

/** What one end of a simulated link did. */
typedef struct tsr_ble_sim_stats {
	uint64_t ops;     /**< operations issued (what tsr_ble_sim_config_t.fault_op counts) */
	uint64_t packets; /**< values written or notified, and L2CAP pieces sent */
	uint64_t bytes;   /**< their payload bytes */
} tsr_ble_sim_stats_t;

/**
 * @brief Counts of one end of a simulated link.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (NULL or not a simulated link).
 */
TSR_EXPORT TSR_WUR int tsr_ble_sim_stats(const tsr_ble_link_t *link,
    tsr_ble_sim_stats_t *ret);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_TRANSPORT_H */
