#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Reads the HCI trace ble-vm records (`btmon -w`, btsnoop with the monitor
datalink 2001), which BlueZ 5.66's btmon cannot read back without dying.

    hci-trace.py TRACE             timeline: advertising, scanning, discovery,
                                   connections, in both directions of the
                                   management interface (bluetoothd <-> kernel)
    hci-trace.py --reports TRACE   the same with every advertising report
    hci-trace.py --att TRACE       the same with the L2CAP signalling and the
                                   first byte of every ATT PDU, by channel
    hci-trace.py --discovery TRACE one line per discovery start: did a report
                                   reach the scanning controller before the
                                   kernel said Discovering, after it, and did
                                   bluetoothd get a Device Found (docs/ble.md,
                                   "The blind scan")

Only what docs/ble.md's findings need is decoded; the rest is skipped."""

import datetime
import struct
import sys

HEADER = b"btsnoop\0"
MONITOR_DATALINK = 2001
# Microseconds from 0000-01-01 to the Unix epoch (btsnoop timestamps).
EPOCH_OFFSET_US = 0x00E03AB44A676000

# Monitor opcodes (BlueZ src/shared/btsnoop.h).
OP_COMMAND, OP_EVENT, OP_ACL_TX, OP_ACL_RX = 2, 3, 4, 5
OP_SYSTEM_NOTE, OP_USER_LOGGING = 12, 13
OP_CTRL_COMMAND, OP_CTRL_EVENT = 16, 17

HCI_COMMANDS = {
    0x0406: "Disconnect",
    0x2005: "LE Set Random Address",
    0x2006: "LE Set Advertising Parameters",
    0x200A: "LE Set Advertising Enable",
    0x200B: "LE Set Scan Parameters",
    0x200C: "LE Set Scan Enable",
    0x200D: "LE Create Connection",
    0x2010: "LE Clear Accept List",
    0x2011: "LE Add Device To Accept List",
    0x2036: "LE Set Extended Advertising Parameters",
    0x2037: "LE Set Extended Advertising Data",
    0x2039: "LE Set Extended Advertising Enable",
    0x203C: "LE Remove Advertising Set",
    0x2041: "LE Set Extended Scan Parameters",
    0x2042: "LE Set Extended Scan Enable",
    0x2043: "LE Extended Create Connection",
}
MGMT_COMMANDS = {
    0x0023: "Start Discovery",
    0x0024: "Stop Discovery",
    0x003A: "Start Service Discovery",
    0x003E: "Add Advertising",
    0x003F: "Remove Advertising",
    0x0054: "Add Extended Advertising Parameters",
    0x0055: "Add Extended Advertising Data",
}
MGMT_EVENTS = {
    0x000B: "Device Connected",
    0x000C: "Device Disconnected",
    0x000D: "Connect Failed",
    0x0012: "Device Found",
    0x0013: "Discovering",
}
EV_DISCONNECTION_COMPLETE, EV_COMMAND_COMPLETE, EV_LE_META = 0x05, 0x0E, 0x3E
LE_CONNECTION_COMPLETE, LE_ADVERTISING_REPORT = 0x01, 0x02
LE_ENHANCED_CONNECTION_COMPLETE, LE_EXTENDED_ADVERTISING_REPORT = 0x0A, 0x0D
CID_ATT, CID_LE_SIGNALLING, CID_DYNAMIC_FIRST = 0x0004, 0x0005, 0x0040


class TraceError(Exception):
    pass


def packets(data):
    """Yields (time, controller index, monitor opcode, payload)."""
    if data[:8] != HEADER:
        raise TraceError("not a btsnoop file")
    version, datalink = struct.unpack(">II", data[8:16])
    if version != 1 or datalink != MONITOR_DATALINK:
        raise TraceError("btsnoop version %d datalink %d, not btmon's" % (version, datalink))
    offset = 16
    while offset < len(data):
        if offset + 24 > len(data):
            raise TraceError("truncated record header at byte %d" % offset)
        _, included, flags, _, stamp = struct.unpack(">IIIIq", data[offset:offset + 24])
        offset += 24
        if offset + included > len(data):
            raise TraceError("truncated record at byte %d" % offset)
        when = datetime.datetime.fromtimestamp((stamp - EPOCH_OFFSET_US) / 1e6,
                                               datetime.timezone.utc)
        yield when, flags >> 16, flags & 0xFFFF, data[offset:offset + included]
        offset += included


def address(raw):
    return ":".join("%02X" % b for b in reversed(raw))


def describe(opcode, payload, show_reports, show_att):
    """One line for the packets docs/ble.md cares about, else None."""
    if opcode == OP_COMMAND and len(payload) >= 3:
        command, _ = struct.unpack("<HB", payload[:3])
        if command in HCI_COMMANDS:
            return "%s %s" % (HCI_COMMANDS[command], payload[3:].hex())
    elif opcode == OP_EVENT and len(payload) >= 3:
        event, params = payload[0], payload[2:]
        if event == EV_LE_META:
            sub = params[0]
            if sub == LE_EXTENDED_ADVERTISING_REPORT and show_reports and len(params) >= 26:
                kind = struct.unpack("<H", params[2:4])[0]
                length = params[25]
                return "LE Extended Advertising Report type 0x%02x from %s data %s" % (
                    kind, address(params[5:11]), params[26:26 + length].hex())
            if sub == LE_ADVERTISING_REPORT and show_reports:
                return "LE Advertising Report %s" % params[1:].hex()
            if sub in (LE_CONNECTION_COMPLETE, LE_ENHANCED_CONNECTION_COMPLETE):
                return "LE Connection Complete status 0x%02x" % params[1]
        elif event == EV_DISCONNECTION_COMPLETE:
            return "Disconnection Complete %s" % params.hex()
        elif event == EV_COMMAND_COMPLETE and len(params) >= 4:
            command = struct.unpack("<H", params[1:3])[0]
            if command in HCI_COMMANDS and params[3] != 0:
                return "%s failed: status 0x%02x" % (HCI_COMMANDS[command], params[3])
    elif opcode in (OP_ACL_TX, OP_ACL_RX) and show_att and len(payload) >= 9:
        handle = struct.unpack("<H", payload[:2])[0]
        if (handle >> 12) & 3 == 1:  # a continuation fragment: no L2CAP header
            return None
        length, cid = struct.unpack("<HH", payload[4:8])
        direction = "sent" if opcode == OP_ACL_TX else "received"
        if cid == CID_LE_SIGNALLING:
            return "L2CAP signalling %s: code 0x%02x %s" % (direction, payload[8], payload[9:17].hex())
        if cid == CID_ATT:
            return "ATT %s on 0x0004: opcode 0x%02x, %d bytes" % (direction, payload[8], length)
        if cid >= CID_DYNAMIC_FIRST:
            return "channel 0x%04x %s: %d bytes, starting %s" % (cid, direction, length,
                                                                payload[8:12].hex())
    elif opcode == OP_CTRL_COMMAND and len(payload) >= 6:
        command = struct.unpack("<H", payload[4:6])[0]
        if command in MGMT_COMMANDS:
            return "bluetoothd -> kernel: %s %s" % (MGMT_COMMANDS[command], payload[6:].hex())
    elif opcode == OP_CTRL_EVENT and len(payload) >= 6:
        event, params = struct.unpack("<H", payload[4:6])[0], payload[6:]
        if event == 0x0012 and len(params) >= 8:
            return "kernel -> bluetoothd: Device Found %s" % address(params[:6])
        if event in MGMT_EVENTS:
            return "kernel -> bluetoothd: %s %s" % (MGMT_EVENTS[event], params.hex())
    elif opcode in (OP_SYSTEM_NOTE, OP_USER_LOGGING):
        return "note: %s" % payload.decode("latin-1").strip("\0")[:160]
    return None


def discovery_starts(records):
    """Per Start Service Discovery: reports before/after Discovering, found."""
    starts, running = [], {}
    for when, index, opcode, payload in records:
        start = running.get(index)
        if opcode == OP_CTRL_COMMAND and payload[4:6] == b"\x3a\x00":
            start = running[index] = {"time": when, "index": index, "discovering": False,
                                      "before": 0, "after": 0, "found": False}
            starts.append(start)
        elif start is None:
            continue
        elif opcode == OP_CTRL_EVENT and payload[4:6] == b"\x13\x00" and len(payload) >= 8:
            if payload[7]:
                start["discovering"] = True
            else:
                del running[index]
        elif opcode == OP_CTRL_EVENT and payload[4:6] == b"\x12\x00":
            start["found"] = True
        elif (opcode == OP_EVENT and payload[0] == EV_LE_META and len(payload) >= 7
              and payload[2] in (LE_ADVERTISING_REPORT, LE_EXTENDED_ADVERTISING_REPORT)):
            # Count advertising PDUs, not their scan responses (bit 3).
            if payload[2] == LE_EXTENDED_ADVERTISING_REPORT and payload[4] & 0x08:
                continue
            start["after" if start["discovering"] else "before"] += 1
    return starts


def main(argv):
    modes = [a for a in argv[1:] if a.startswith("--")]
    paths = [a for a in argv[1:] if not a.startswith("--")]
    if len(paths) != 1 or not set(modes) <= {"--reports", "--att", "--discovery"}:
        sys.stderr.write(__doc__)
        return 2
    try:
        with open(paths[0], "rb") as trace:
            records = list(packets(trace.read()))
    except (OSError, TraceError) as err:
        sys.stderr.write("hci-trace: %s: %s\n" % (paths[0], err))
        return 1
    if "--discovery" in modes:
        starts = discovery_starts(records)
        for s in starts:
            print("%s hci%d reports before Discovering %d, after %d: %s" % (
                s["time"].strftime("%H:%M:%S.%f")[:-3], s["index"], s["before"], s["after"],
                "found" if s["found"] else "blind"))
        blind = sum(1 for s in starts if not s["found"])
        print("%d discovery starts, %d blind" % (len(starts), blind))
        return 0
    for when, index, opcode, payload in records:
        line = describe(opcode, payload, "--reports" in modes, "--att" in modes)
        if line is not None:
            where = "hci%d" % index if index != 0xFFFF else "-"
            print("%s %s %s" % (when.strftime("%H:%M:%S.%f")[:-3], where, line))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
