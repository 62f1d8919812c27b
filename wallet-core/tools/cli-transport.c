/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * --transport SPEC, --ble-mode MODE and --ble-l2cap: which transport
 * carries a session's messages, and opening it for the holder or the
 * reader.
 *
 * BLE: the holder offers one mode in its engagement (peripheral server
 * unless told otherwise, as most wallets do); the reader uses the mode the
 * engagement offers, or the one it is told when the holder offers both.
 * Both sides derive the Ident from the engagement, which the reader serves
 * and the holder checks in central client mode.
 *
 * --ble-l2cap (either side): the GATT server listens on an L2CAP PSM and
 * publishes it in the L2CAP characteristic, and a holder in peripheral
 * server mode in its engagement too (BleOptions 21); the GATT client takes
 * it from the engagement or reads it, and moves the messages over the
 * channel. Where either side lacks it, or the channel cannot be opened,
 * the session stays on GATT. When the local bluetoothd may use EATT the
 * transport does all this without --ble-l2cap, and a session that still
 * ends up on GATT gets a warning.
 */

#include "cli.h"

#include <string.h>
#include <time.h>

#include <tessera/tessera.h>

static const char local_prefix[] = "local:";
static const char ble_name[] = "ble";

static const char *
mode_name(tsr_ble_mode_t mode)
{
	return mode == TSR_BLE_MODE_CENTRAL_CLIENT ? "central client" : "peripheral server";
}

int
cli_transport_parse(const char *spec, const char *ble_mode, bool ble_l2cap,
    cli_transport_spec_t *ret)
{
	size_t ble_len = sizeof(ble_name) - 1;

	memset(ret, 0, sizeof(*ret));
	ret->text = spec;
	ret->ble_l2cap = ble_l2cap;
	if (ble_mode != NULL) {
		if (strcmp(ble_mode, "peripheral") == 0) {
			ret->ble_mode = TSR_BLE_MODE_PERIPHERAL_SERVER;
		} else if (strcmp(ble_mode, "central") == 0) {
			ret->ble_mode = TSR_BLE_MODE_CENTRAL_CLIENT;
		} else {
			cli_error("--ble-mode", "'%s': expected peripheral or central", ble_mode);
			return -1;
		}
	}
	if (strncmp(spec, local_prefix, sizeof(local_prefix) - 1) == 0 &&
	    spec[sizeof(local_prefix) - 1] != '\0') {
		if (ble_mode != NULL || ble_l2cap) {
			cli_error(ble_mode != NULL ? "--ble-mode" : "--ble-l2cap",
			    "only goes with --transport ble");
			return -1;
		}
		ret->local_path = spec + sizeof(local_prefix) - 1;
		return 0;
	}
	if (strncmp(spec, ble_name, ble_len) == 0 &&
	    (spec[ble_len] == '\0' || (spec[ble_len] == ':' && spec[ble_len + 1] != '\0'))) {
		ret->ble = true;
		/* ble:hci1 picks an adapter; plain ble the first powered one. */
		ret->adapter = spec[ble_len] == ':' ? spec + ble_len + 1 : NULL;
		return 0;
	}
	cli_error(spec, "unknown transport (expected local:PATH, ble or ble:ADAPTER)");
	return -1;
}

/* The BLE options of a fresh engagement: a new service UUID, the mode. */
static int
engagement_ble(const cli_transport_spec_t *spec, tsr_engagement_ble_t *ret)
{
	int err;

	memset(ret, 0, sizeof(*ret));
	if ((err = tsr_random_bytes(ret->uuid, sizeof(ret->uuid))) != TSR_OK) {
		cli_error("ble", "%s", tsr_strerror(err));
		return -1;
	}
	/* A version 4 (random) UUID, fresh for each engagement as §8.3.3.1.1.1
	 * asks, so nobody can track the holder by it. */
	ret->uuid[6] = (uint8_t)((ret->uuid[6] & 0x0f) | 0x40);
	ret->uuid[8] = (uint8_t)((ret->uuid[8] & 0x3f) | 0x80);
	if (spec->ble_mode == TSR_BLE_MODE_CENTRAL_CLIENT)
		ret->central_client = true;
	else
		ret->peripheral_server = true;
	return 0;
}

static int
open_local(const cli_transport_spec_t *spec, bool listen, int timeout_ms, tsr_transport_t **ret)
{
	int64_t deadline;
	int r;

	if (listen) {
		r = tsr_transport_local_listen(spec->local_path, timeout_ms, ret);
	} else {
		/* The holder may not be listening yet: retry until the deadline. */
		deadline = (int64_t)time(NULL) + timeout_ms / 1000 + 1;
		do {
			r = tsr_transport_local_connect(spec->local_path, 1000, ret);
			if (r == TSR_ERR_TRANSPORT_CONNECT) {
				struct timespec pause = { 0, 100 * 1000 * 1000 };
				nanosleep(&pause, NULL);
			}
		} while (r == TSR_ERR_TRANSPORT_CONNECT && (int64_t)time(NULL) < deadline);
	}
	if (r != TSR_OK) {
		cli_error(spec->text, "%s", tsr_strerror(r));
		return -1;
	}
	return 0;
}

/* Starts the BLE transport for one side: the GATT server publishes the
 * service and advertises, the GATT client starts scanning. engagement: the
 * DeviceEngagement bytes, for the Ident (central client mode only). psm:
 * the engagement's (reader), or 0. */
static int
start_ble(const cli_transport_spec_t *spec, tsr_ble_role_t role, const uint8_t uuid[16],
    tsr_ble_mode_t mode, const uint8_t *engagement, size_t engagement_len, uint16_t psm,
    int timeout_ms, cli_connection_t *ret)
{
	tsr_ble_config_t cfg;
	int err;

	tsr_ble_config_init(&cfg, role, mode, uuid);
	cfg.connect_timeout_ms = timeout_ms;
	cfg.l2cap = spec->ble_l2cap;
	cfg.psm = psm;
	if (mode == TSR_BLE_MODE_CENTRAL_CLIENT) {
		if ((err = tsr_engagement_ble_ident(engagement, engagement_len, cfg.ident)) !=
		    TSR_OK) {
			cli_error("ble", "%s", tsr_strerror(err));
			return -1;
		}
		cfg.has_ident = true;
	}
	if ((err = tsr_ble_link_bluez_new(spec->adapter, &ret->link)) != TSR_OK) {
		cli_error(spec->text, "%s", tsr_strerror(err));
		return -1;
	}
	if ((err = tsr_transport_ble_new(&cfg, ret->link, &ret->transport)) != TSR_OK) {
		cli_error(spec->text, "%s (%s)", tsr_strerror(err),
		    tsr_ble_link_describe(ret->link));
		cli_connection_close(ret);
		return -1;
	}
	return 0;
}

/* A session left on GATT while bluetoothd may use EATT: its chunks may
 * arrive out of order and the session fail with nothing else to say why
 * (docs/ble.md, "EATT"). Printed always, not only with --verbose: it is
 * one line, only in this case, and the only explanation the user gets. */
static void
warn_gatt_over_eatt(const cli_connection_t *c)
{
	tsr_ble_info_t info;
	tsr_ble_eatt_t eatt;

	if (tsr_transport_ble_info(c->transport, &info) != TSR_OK || !info.eatt_possible ||
	    info.l2cap || tsr_ble_link_eatt(c->link, &eatt) != TSR_OK)
		return;
	cli_error("warning", "this session runs over GATT, not an L2CAP channel, "
	    "and bluetoothd may use EATT ([GATT] Channels = %u%s): BlueZ may then "
	    "deliver the messages' pieces out of order and the session fail; set "
	    "Channels = 1 in bluetoothd's main.conf", eatt.channels,
	    eatt.channels_set ? "" : ", its default");
}

/* BLE: drives the connection until messages can flow. */
static int
wait_ble(const cli_transport_spec_t *spec, int timeout_ms, cli_connection_t *c)
{
	int err;

	if ((err = tsr_transport_ble_connect(c->transport, timeout_ms)) != TSR_OK) {
		cli_error(spec->text, "%s (%s)", tsr_strerror(err),
		    tsr_transport_describe(c->transport));
		cli_connection_close(c);
		return -1;
	}
	warn_gatt_over_eatt(c);
	return 0;
}

/* The holder's session, with the BLE options offered (NULL: none). */
static int
new_holder_session(const tsr_engagement_ble_t *ble, tsr_holder_session_t **ret)
{
	int err;

	if ((err = tsr_holder_session_new(ble, ret)) != TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		return -1;
	}
	return 0;
}

int
cli_connection_holder_start(const cli_transport_spec_t *spec, tsr_holder_session_t **ret_hs,
    cli_connection_t *ret)
{
	tsr_engagement_ble_t ble;
	tsr_ble_info_t info;
	const uint8_t *engagement;
	size_t engagement_len;

	memset(ret, 0, sizeof(*ret));
	*ret_hs = NULL;
	/* The local transport listens in cli_connection_holder_wait(). */
	if (!spec->ble)
		return new_holder_session(NULL, ret_hs);
	if (engagement_ble(spec, &ble) < 0)
		return -1;
	if (ble.central_client) {
		/* The transport checks the Ident the engagement gives. */
		if (new_holder_session(&ble, ret_hs) < 0)
			return -1;
		tsr_holder_session_engagement(*ret_hs, &engagement, &engagement_len);
		if (start_ble(spec, TSR_BLE_ROLE_HOLDER, ble.uuid, TSR_BLE_MODE_CENTRAL_CLIENT,
		    engagement, engagement_len, 0, -1, ret) == 0)
			return 0;
	} else {
		/* The transport first: the PSM it listens on (--ble-l2cap)
		 * goes into the engagement (BleOptions 21), so the reader
		 * can connect to it without reading the L2CAP
		 * characteristic. */
		if (start_ble(spec, TSR_BLE_ROLE_HOLDER, ble.uuid, TSR_BLE_MODE_PERIPHERAL_SERVER,
		    NULL, 0, 0, -1, ret) < 0)
			return -1;
		if (tsr_transport_ble_info(ret->transport, &info) == TSR_OK && info.psm != 0) {
			ble.has_psm = true;
			ble.psm = info.psm;
		}
		if (new_holder_session(&ble, ret_hs) == 0)
			return 0;
	}
	cli_connection_close(ret);
	tsr_holder_session_free(*ret_hs);
	*ret_hs = NULL;
	return -1;
}

int
cli_connection_holder_wait(const cli_transport_spec_t *spec, int timeout_ms,
    cli_connection_t *c)
{
	if (!spec->ble)
		return open_local(spec, true, timeout_ms, &c->transport);
	return wait_ble(spec, timeout_ms, c);
}

int
cli_connection_reader(const cli_transport_spec_t *spec, const tsr_reader_session_t *rs,
    int timeout_ms, cli_connection_t *ret)
{
	tsr_engagement_ble_t ble;
	tsr_ble_mode_t mode;
	const uint8_t *engagement;
	size_t engagement_len;

	memset(ret, 0, sizeof(*ret));
	if (!spec->ble)
		return open_local(spec, false, timeout_ms, &ret->transport);
	if (tsr_reader_session_ble(rs, &ble) != TSR_OK) {
		cli_error(spec->text, "the holder's engagement offers no BLE");
		return -1;
	}
	/* The asked mode must be on offer; otherwise take what is offered,
	 * peripheral server first. */
	if (spec->ble_mode != 0)
		mode = spec->ble_mode;
	else
		mode = ble.peripheral_server ? TSR_BLE_MODE_PERIPHERAL_SERVER :
		    TSR_BLE_MODE_CENTRAL_CLIENT;
	if ((mode == TSR_BLE_MODE_PERIPHERAL_SERVER && !ble.peripheral_server) ||
	    (mode == TSR_BLE_MODE_CENTRAL_CLIENT && !ble.central_client)) {
		cli_error(spec->text, "the holder does not offer BLE %s mode", mode_name(mode));
		return -1;
	}
	tsr_reader_session_engagement(rs, &engagement, &engagement_len);
	/* The engagement's PSM is for peripheral server mode, where the
	 * holder listens. */
	if (start_ble(spec, TSR_BLE_ROLE_READER, ble.uuid, mode, engagement, engagement_len,
	    mode == TSR_BLE_MODE_PERIPHERAL_SERVER && ble.has_psm ? ble.psm : 0, timeout_ms,
	    ret) < 0)
		return -1;
	return wait_ble(spec, timeout_ms, ret);
}

void
cli_connection_close(cli_connection_t *c)
{
	/* An orderly end first: over GATT, State 0x02 and the peer's
	 * disconnect (18013-5 §8.3.3.1.1.7); freeing alone only drops the
	 * link. The transport borrows the link: free it first. */
	if (c->transport != NULL)
		(void)tsr_transport_close(c->transport);
	tsr_transport_free(c->transport);
	tsr_ble_link_free(c->link);
	c->transport = NULL;
	c->link = NULL;
}
