/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * What the BlueZ back-end (bluez.c) shares with its tests: the few names
 * of Linux's Bluetooth socket ABI it uses for LE L2CAP channels, and its
 * pure helpers.
 *
 * The ABI names are defined here rather than taken from BlueZ's
 * <bluetooth/bluetooth.h> and <bluetooth/l2cap.h> (libbluetooth-dev):
 * they are a handful of kernel ABI values that never change (the kernel's
 * include/net/bluetooth/bluetooth.h and l2cap.h; BlueZ's headers are
 * copies), while those headers would add a build dependency, declare
 * libbluetooth functions this code must not call (it does not link
 * libbluetooth), and define unprefixed names and inline helpers across the
 * translation unit. test-ble-bluez checks every value against BlueZ's
 * headers when they are installed.
 */
#ifndef TSR_BLE_BLUEZ_PRIVATE_H
#define TSR_BLE_BLUEZ_PRIVATE_H

#include <stdint.h>
#include <sys/socket.h> /* AF_BLUETOOTH, sa_family_t */

#define TSR_BTPROTO_L2CAP 0
#define TSR_SOL_BLUETOOTH 274
#define TSR_BT_SECURITY 4
#define TSR_BT_SECURITY_LOW 1
#define TSR_BT_SNDMTU 12
#define TSR_BT_RCVMTU 13
#define TSR_BDADDR_LE_PUBLIC 0x01
#define TSR_BDADDR_LE_RANDOM 0x02

/* struct sockaddr_l2; multi-byte fields little-endian, the address with
 * the last octet of its text form first. */
typedef struct tsr_sockaddr_l2 {
	sa_family_t l2_family;
	uint16_t l2_psm;
	uint8_t l2_bdaddr[6];
	uint16_t l2_cid;
	uint8_t l2_bdaddr_type;
} tsr_sockaddr_l2_t;

/* struct bt_security */
typedef struct tsr_bt_security {
	uint8_t level;
	uint8_t key_size;
} tsr_bt_security_t;

/* An LE address as BlueZ shows it (Address "00:AA:01:01:00:01",
 * AddressType "public" or "random"; NULL: public) into the socket ABI's
 * form. TSR_OK or TSR_ERR_TRANSPORT_ADDRESS; outputs untouched on
 * failure. */
int tsr_bluez_parse_address(const char *text, const char *type, uint8_t ret_addr[6],
    uint8_t *ret_type);
/* bluetoothd's object path of the device at bdaddr (octets in reverse
 * order of the text, as in struct sockaddr_l2) under adapter_path, e.g.
 * "/org/bluez/hci0/dev_00_AA_01_01_00_01"; g_free() it. */
char *tsr_bluez_device_path(const char *adapter_path, const uint8_t bdaddr[6]);

/* An errno from a Bluetooth socket call as a TSR_ERR_* code. */
int tsr_bluez_map_errno(int e);

#endif /* TSR_BLE_BLUEZ_PRIVATE_H */
