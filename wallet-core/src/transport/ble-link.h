/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The GATT link: what a BLE radio back-end implements below the 18013-5
 * state machine of ble.c (like libfido2's fido_dev_io_t). The simulated
 * link (ble-sim.c) and the BlueZ back-end (src/ble-bluez/) implement it;
 * the fuzz harness implements a scripted one.
 *
 * The link knows GATT, not 18013-5: it publishes or finds one service with
 * the characteristics it is given, moves characteristic values, and reports
 * what happens as events. The state machine decides what to read, write
 * and expect; the link never interprets a value.
 *
 * Threading: one link is used by one transport from one thread. Operations
 * return at once (they start something: its outcome is an event) except
 * write, notify and l2cap_send, which may wait for room in the radio's
 * queue until the deadline. next_event() is the only place the state
 * machine waits for the peer; a back-end with a main loop (GDBus)
 * iterates its GMainContext inside it until an event or the deadline.
 *
 * Deadlines are CLOCK_MONOTONIC milliseconds (tsr_deadline_from_timeout()),
 * -1 for none. Failures are TSR_ERR_* codes: TSR_ERR_TRANSPORT_CLOSED when
 * the connection is gone, TSR_ERR_TRANSPORT_TIMEOUT at the deadline,
 * anything else ends the transport (e.g. TSR_ERR_TRANSPORT_PERMISSION,
 * TSR_ERR_TRANSPORT_IO for "no adapter").
 */
#ifndef TSR_TRANSPORT_BLE_LINK_H
#define TSR_TRANSPORT_BLE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/transport.h>

/*
 * The characteristics of the 18013-5 service (digest §4.2), by index; the
 * service description carries their UUIDs for the mode in use. GATT
 * properties (fixed by 18013-5, the back-end sets them by index):
 *   STATE  notify + write without response (values 0x01 start, 0x02 end)
 *   C2S    write without response (Client2Server)
 *   S2C    notify (Server2Client)
 *   IDENT  read, 16 bytes (mdoc central client mode, on the reader)
 *   L2CAP  read, 4-byte big-endian PSM (when the server listens on one)
 */
typedef enum tsr_ble_char {
	TSR_BLE_CHAR_STATE = 0,
	TSR_BLE_CHAR_C2S = 1,
	TSR_BLE_CHAR_S2C = 2,
	TSR_BLE_CHAR_IDENT = 3,
	TSR_BLE_CHAR_L2CAP = 4,
	TSR_BLE_CHAR_COUNT = 5,
} tsr_ble_char_t;

#define TSR_BLE_CHAR_BIT(ch) (1u << (unsigned)(ch))

/* ATT_MTU bounds (Core spec Vol 3 Part F §3.2.8, §3.4.2). */
#define TSR_BLE_MTU_MIN 23
#define TSR_BLE_MTU_MAX 517

/* One GATT service: the server publishes it and advertises its UUID; the
 * client scans for the UUID and discovers the characteristics. */
typedef struct tsr_ble_service {
	uint8_t uuid[16];                           /* big-endian, as in the engagement */
	uint8_t char_uuid[TSR_BLE_CHAR_COUNT][16];  /* per index, big-endian */
	uint32_t chars;                             /* TSR_BLE_CHAR_BIT()s present (server) */
	uint8_t ident[16];                          /* IDENT's value, when present */
	uint8_t psm_value[4];                       /* L2CAP's value, when present */
} tsr_ble_service_t;

typedef enum tsr_ble_event_kind {
	/* Client: connected, MTU exchanged, service discovered; chars says
	 * which characteristics the server has. Server: a client connected
	 * (advertising stops). mtu is the ATT_MTU in force. */
	TSR_BLE_EV_CONNECTED = 1,
	/* The ATT_MTU changed (an exchange after the connection). */
	TSR_BLE_EV_MTU = 2,
	/* Client: notifications of ch are on (the CCCD write succeeded).
	 * Server: the client turned on notifications of ch. */
	TSR_BLE_EV_SUBSCRIBED = 3,
	/* Client: the value of ch read, or err (TSR_ERR_NOT_FOUND when the
	 * server has no such characteristic). */
	TSR_BLE_EV_READ = 4,
	/* Server: the client wrote data to ch. */
	TSR_BLE_EV_WRITE = 5,
	/* Client: the server notified data on ch. */
	TSR_BLE_EV_NOTIFY = 6,
	/* The L2CAP channel is open (client: after l2cap_connect(); server: a
	 * client connected to the PSM); mtu is the largest piece l2cap_send()
	 * takes at once. */
	TSR_BLE_EV_L2CAP_UP = 7,
	/* Client: l2cap_connect() failed (err); GATT is still up. */
	TSR_BLE_EV_L2CAP_FAILED = 8,
	/* Bytes from the L2CAP channel (a byte stream: any granularity). */
	TSR_BLE_EV_L2CAP_DATA = 9,
	/* The peer disconnected or the radio lost it (err says which when
	 * known). The last event of a link; next_event() then returns
	 * TSR_ERR_TRANSPORT_CLOSED. */
	TSR_BLE_EV_DISCONNECTED = 10,
} tsr_ble_event_kind_t;

typedef struct tsr_ble_event {
	tsr_ble_event_kind_t kind;
	tsr_ble_char_t ch;
	uint16_t mtu;
	uint32_t chars;
	int err;
	/* Borrowed: valid until the next next_event() or the link's end. */
	const uint8_t *data;
	size_t len;
} tsr_ble_event_t;

typedef struct tsr_ble_link_ops {
	/* GATT server: publishes svc (IDENT and L2CAP are served by the link
	 * from svc's values, without events) and starts advertising its UUID.
	 * The client's arrival is TSR_BLE_EV_CONNECTED. */
	int (*serve)(void *state, const tsr_ble_service_t *svc);
	/* GATT client: starts scanning for svc->uuid, connects to the first
	 * device advertising it, asks for an ATT_MTU of mtu and discovers
	 * the service (char_uuid says what to look for). Outcome:
	 * TSR_BLE_EV_CONNECTED; the state machine bounds the wait. */
	int (*connect)(void *state, const tsr_ble_service_t *svc, uint16_t mtu);
	/* Client: reads ch; outcome TSR_BLE_EV_READ. */
	int (*read)(void *state, tsr_ble_char_t ch);
	/* Client: turns on notifications of ch; outcome TSR_BLE_EV_SUBSCRIBED. */
	int (*subscribe)(void *state, tsr_ble_char_t ch);
	/* Client: write without response of len <= ATT_MTU - 3 bytes. */
	int (*write)(void *state, tsr_ble_char_t ch, const uint8_t *value, size_t len,
	    int64_t deadline);
	/* Server: notification of len <= ATT_MTU - 3 bytes to the subscribed
	 * client. */
	int (*notify)(void *state, tsr_ble_char_t ch, const uint8_t *value, size_t len,
	    int64_t deadline);
	/* Optional, all four or none (NULL: no L2CAP; GATT only). Server:
	 * listens on a dynamic LE PSM before serve(). Client: connects to psm
	 * on the connected server; outcome TSR_BLE_EV_L2CAP_UP or _FAILED.
	 * l2cap_send: len <= the channel's mtu. l2cap_stop: the session
	 * keeps to GATT: the server stops listening, the client abandons a
	 * connect still unanswered; no L2CAP event follows. GATT is not
	 * touched. Idempotent. */
	int (*l2cap_listen)(void *state, uint16_t *ret_psm);
	int (*l2cap_connect)(void *state, uint16_t psm);
	int (*l2cap_send)(void *state, const uint8_t *ptr, size_t len, int64_t deadline);
	void (*l2cap_stop)(void *state);
	/* The next event, waiting until the deadline: TSR_OK with *ev filled,
	 * TSR_ERR_TRANSPORT_TIMEOUT, TSR_ERR_TRANSPORT_CLOSED after
	 * TSR_BLE_EV_DISCONNECTED (or after disconnect()), or a fatal error. */
	int (*next_event)(void *state, int64_t deadline, tsr_ble_event_t *ev);
	/* Ends the connection (and the advertising, the L2CAP channel and
	 * listener): values already handed to write/notify/l2cap_send go out
	 * first as far as the radio allows. No events follow. Idempotent. */
	void (*disconnect)(void *state);
	/* Releases everything; disconnects first if needed. NULL is fine. */
	void (*free_state)(void *state);
	/* Optional (NULL: one ATT bearer): whether the stack may carry GATT
	 * over EATT bearers, which reorder chunks (tsr_ble_link_eatt()). */
	void (*eatt)(const void *state, tsr_ble_eatt_t *ret);
	/* "simulated link", "BlueZ hci0": owned by the state. */
	const char *(*describe)(const void *state);
} tsr_ble_link_ops_t;

struct tsr_ble_link {
	const tsr_ble_link_ops_t *ops;
	void *state;
	bool in_use; /* a transport drives it */
};

/* Wraps a back-end's state; takes it in every case (freed with
 * ops->free_state on failure). */
int tsr_ble_link_new(const tsr_ble_link_ops_t *ops, void *state, tsr_ble_link_t **ret);

/*
 * Chunking (18013-5 §8.3.3.1.1.6, digest §4.4): a characteristic value is
 * at most min(ATT_MTU - 3, 512) bytes: one header byte, 0x01 when more
 * chunks of the message follow and 0x00 on the last, then data.
 */
#define TSR_BLE_CHUNK_MORE 0x01
#define TSR_BLE_CHUNK_LAST 0x00
#define TSR_BLE_VALUE_MAX 512
/* The largest Client2Server value a GATT client writes (see ble_send()). */
#define TSR_BLE_WRITE_MAX (TSR_BLE_VALUE_MAX - 2)
#define TSR_BLE_STATE_START 0x01
#define TSR_BLE_STATE_END 0x02

/* The value size for an ATT_MTU (0 when mtu < TSR_BLE_MTU_MIN). */
size_t tsr_ble_value_size(uint16_t mtu);
/* How many chunks a message of len bytes needs at value size vsize (>= 2). */
size_t tsr_ble_chunk_count(size_t len, size_t vsize);
/* Chunk i (0-based) of msg into out (vsize bytes of room): *ret_len bytes. */
void tsr_ble_chunk(const uint8_t *msg, size_t len, size_t vsize, size_t i, uint8_t *out,
    size_t *ret_len);

/* Reassembly of one message from chunks; limits before allocation. */
typedef struct tsr_ble_rx {
	size_t max;       /* largest message accepted */
	uint8_t *buf;
	size_t len, cap;
	size_t chunks;    /* chunks of the message so far */
} tsr_ble_rx_t;

void tsr_ble_rx_init(tsr_ble_rx_t *rx, size_t max);
/* Drops a partial message; max stays. NULL is fine. */
void tsr_ble_rx_clear(tsr_ble_rx_t *rx);
/* Takes one chunk of at most vsize bytes. *ret_done when it was the last:
 * take the message then. TSR_ERR_TRANSPORT_PROTOCOL (empty, too long,
 * header neither 0x00 nor 0x01), TSR_ERR_LIMIT (the message would exceed
 * max; nothing allocated for it), TSR_ERR_NO_MEMORY. After an error the
 * partial message is dropped. */
int tsr_ble_rx_add(tsr_ble_rx_t *rx, const uint8_t *chunk, size_t len, size_t vsize,
    bool *ret_done);
/* Hands over the finished message (a zero-length one is a one-byte
 * allocation) and gets ready for the next. */
int tsr_ble_rx_take(tsr_ble_rx_t *rx, uint8_t **ret_msg, size_t *ret_len);

/* TSR_OK when [ptr, ptr + len) is exactly one well-formed CBOR map (RFC 8949
 * Appendix C; nesting at most 32 deep), TSR_ERR_TRANSPORT_PROTOCOL
 * otherwise. 18013-5 chunks carry no sequence number: a lost or repeated
 * chunk shows only as a message that is no longer one CBOR item. */
int tsr_ble_check_message(const uint8_t *ptr, size_t len);

#endif /* TSR_TRANSPORT_BLE_LINK_H */
