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

#include <tessera/transport.h>

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

/* EATT (eatt.c). bluetoothd's default [GATT] Channels, since BlueZ 5.56
 * brought EATT; its config file when not started with -f. */
#define TSR_BLUEZ_DEFAULT_CHANNELS 3
#define TSR_BLUEZ_MAIN_CONF "/etc/bluetooth/main.conf"
/* Limits of what is read: Debian's main.conf, all comments, is 12 KiB. */
#define TSR_BLUEZ_CONF_MAX (64 * 1024)
#define TSR_BLUEZ_CMDLINE_MAX 4096

/* tsr_ble_bluez_eatt_check() of a file that must be named. */
int tsr_bluez_eatt_check_file(const char *main_conf, tsr_ble_eatt_t *ret);
/* The config file a bluetoothd command line names (-f FILE, --configfile
 * FILE or --configfile=FILE; the last wins) from its NUL-separated
 * arguments as in /proc/PID/cmdline, len bytes with the last NUL. NULL
 * when it names none, or the command is not bluetoothd: then it reads
 * TSR_BLUEZ_MAIN_CONF, as far as one can tell. g_free() it. */
char *tsr_bluez_conf_from_cmdline(const char *cmdline, size_t len);
/* The same from /proc/PID/cmdline (a relative FILE made absolute through
 * /proc/PID/cwd); NULL also when that cannot be read. */
char *tsr_bluez_conf_of_pid(unsigned pid);

#endif /* TSR_BLE_BLUEZ_PRIVATE_H */
