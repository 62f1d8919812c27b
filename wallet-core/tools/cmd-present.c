/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera present`: answer a reader with a credential file and a device
 * key file, either statelessly (request and transcript files in, response
 * file out: for interop testing) or in a live session over a transport. */

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

static const char present_usage[] =
    "Usage: tessera present --issuer-signed FILE --device-key FILE\n"
    "                       (--request FILE --transcript FILE --out FILE |\n"
    "                        --transport SPEC [--ble-mode MODE] [--ble-l2cap]\n"
    "                        [--qr-uri-file FILE])\n"
    "                       [--consent all|none|FILE] [--reader-root CERT]\n"
    "                       [--strict] [--device-auth mac|signature] [--now TIME]\n"
    "                       [--timeout SECONDS]\n"
    "\n"
    "Answer an mdoc reader with one credential whose device key is in a file.\n"
    "For wallets, use 'tessera wallet present'; this command is for testing and\n"
    "for interoperability checks with other 18013-5 implementations.\n"
    "A live session answers every request the reader sends until it ends the\n"
    "session.\n"
    "\n"
    "Options:\n"
    "  -i, --issuer-signed FILE  the credential (IssuerSigned, CBOR)\n"
    "  -k, --device-key FILE     its device private key (PKCS#8 or SEC1)\n"
    "  -r, --request FILE        stateless: the DeviceRequest (CBOR)\n"
    "  -t, --transcript FILE     stateless: the SessionTranscript (CBOR)\n"
    "  -o, --out FILE            stateless: where to write the DeviceResponse\n"
    "  -T, --transport SPEC      live session: local:PATH is the local transport\n"
    "                            (a Unix socket, for same-machine use and tests);\n"
    "                            ble or ble:ADAPTER is 18013-5 BLE through BlueZ\n"
    "  -b, --ble-mode MODE       the BLE mode to offer: peripheral (the holder\n"
    "                            advertises; default) or central (the reader does)\n"
    "      --ble-l2cap           move the messages over an L2CAP channel (18013-5\n"
    "                            2nd edition): offer one (peripheral) or use the\n"
    "                            reader's (central); GATT when the other side lacks it.\n"
    "                            The default when bluetoothd may use EATT (its\n"
    "                            [GATT] Channels above 1), which reorders GATT\n"
    "  -q, --qr-uri-file FILE    write the engagement's mdoc: URI there\n"
    "  -c, --consent MODE        all, none, or a file listing the elements to\n"
    "                            share (IDENTIFIER or NAMESPACE/IDENTIFIER per line);\n"
    "                            without it, ask on the terminal\n"
    "  -R, --reader-root CERT    trusted reader root certificate(s)\n"
    "  -s, --strict              refuse readers that are not trusted\n"
    "  -a, --device-auth KIND    mac (default) or signature\n"
    "  -n, --now TIME            judge validity at TIME (RFC 3339, UTC)\n"
    "  -w, --timeout SECONDS     how long to wait for the reader (default 60)\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "Exit status: 0 answered, 1 refused or the session failed, 2 usage or input error.\n";

/* Long options without a short form. */
enum { OPT_BLE_L2CAP = 256 };

typedef struct present_opts {
	const char *issuer_signed, *device_key, *request, *transcript, *out;
	const char *reader_root, *now, *transport, *ble_mode;
	bool ble_l2cap;
	cli_present_config_t cfg;
} present_opts_t;

typedef struct present_inputs {
	uint8_t *issuer_signed;
	size_t issuer_signed_len;
	tsr_device_key_t *key;
	cli_bytes_t root;
} present_inputs_t;

static void
inputs_free(present_inputs_t *in)
{
	cli_free_data(in->issuer_signed, in->issuer_signed_len);
	cli_free_data(in->root.ptr, in->root.len);
	tsr_device_key_free(in->key);
}

static int
load_inputs(present_opts_t *o, present_inputs_t *in)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	int err;

	if (cli_read_file(o->issuer_signed, CLI_MAX_INPUT, &in->issuer_signed,
	    &in->issuer_signed_len) < 0 ||
	    cli_read_file(o->device_key, CLI_MAX_INPUT, &pem, &pem_len) < 0)
		return -1;
	err = tsr_device_key_new_from_pem(pem, pem_len, &in->key);
	cli_free_data(pem, pem_len);
	if (err != TSR_OK) {
		cli_error(o->device_key, "not a usable device key: %s", tsr_strerror(err));
		return -1;
	}
	if (o->reader_root != NULL) {
		if (cli_read_file(o->reader_root, CLI_MAX_INPUT, &in->root.ptr, &in->root.len) < 0)
			return -1;
		o->cfg.reader_roots = &in->root;
		o->cfg.n_reader_roots = 1;
	}
	if (o->now != NULL) {
		if (tsr_time_parse(o->now, &o->cfg.now) != TSR_OK) {
			cli_error("--now", "'%s' is not a UTC time like 2021-01-01T00:00:00Z", o->now);
			return -1;
		}
		o->cfg.has_now = true;
	}
	return 0;
}

static int
run_stateless(const present_opts_t *o, const cli_credential_t *cred)
{
	uint8_t *request = NULL, *transcript = NULL, *response = NULL;
	size_t request_len = 0, transcript_len = 0, response_len = 0;
	bool refused = false;
	int status = CLI_EXIT_USAGE;

	if (cli_read_file(o->request, CLI_MAX_INPUT, &request, &request_len) < 0 ||
	    cli_read_file(o->transcript, CLI_MAX_INPUT, &transcript, &transcript_len) < 0)
		goto out;
	if (cli_present_answer(&o->cfg, cred, 1, request, request_len, transcript,
	    transcript_len, &response, &response_len, &refused) < 0)
		goto out;
	status = cli_write_file(o->out, response, response_len, 0600, true) < 0 ? CLI_EXIT_USAGE :
	    refused ? CLI_EXIT_INVALID : CLI_EXIT_OK;
out:
	cli_free_data(request, request_len);
	cli_free_data(transcript, transcript_len);
	tsr_free(response);
	return status;
}

int
cli_cmd_present(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "issuer-signed", required_argument, NULL, 'i' },
		{ "device-key", required_argument, NULL, 'k' },
		{ "request", required_argument, NULL, 'r' },
		{ "transcript", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "transport", required_argument, NULL, 'T' },
		{ "ble-mode", required_argument, NULL, 'b' },
		{ "ble-l2cap", no_argument, NULL, OPT_BLE_L2CAP },
		{ "qr-uri-file", required_argument, NULL, 'q' },
		{ "consent", required_argument, NULL, 'c' },
		{ "reader-root", required_argument, NULL, 'R' },
		{ "strict", no_argument, NULL, 's' },
		{ "device-auth", required_argument, NULL, 'a' },
		{ "now", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	present_opts_t o = { .cfg = { .device_auth = TSR_DEVICE_AUTH_MAC, .timeout_s = 60 } };
	present_inputs_t in;
	cli_credential_t cred;
	bool stateless;
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":i:k:r:t:o:T:b:q:c:R:sa:n:w:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'i': o.issuer_signed = optarg; break;
		case 'k': o.device_key = optarg; break;
		case 'r': o.request = optarg; break;
		case 't': o.transcript = optarg; break;
		case 'o': o.out = optarg; break;
		case 'T': o.transport = optarg; break;
		case 'b': o.ble_mode = optarg; break;
		case OPT_BLE_L2CAP: o.ble_l2cap = true; break;
		case 'q': o.cfg.qr_uri_file = optarg; break;
		case 'c': o.cfg.consent = optarg; break;
		case 'R': o.reader_root = optarg; break;
		case 's': o.cfg.strict = true; break;
		case 'n': o.now = optarg; break;
		case 'a':
			if (strcmp(optarg, "mac") == 0) {
				o.cfg.device_auth = TSR_DEVICE_AUTH_MAC;
			} else if (strcmp(optarg, "signature") == 0) {
				o.cfg.device_auth = TSR_DEVICE_AUTH_SIGNATURE;
			} else {
				cli_error("--device-auth", "'%s': expected mac or signature", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'w':
			o.cfg.timeout_s = atoi(optarg);
			if (o.cfg.timeout_s <= 0 || o.cfg.timeout_s > 3600) {
				cli_error("--timeout", "'%s': expected 1 to 3600 seconds", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(present_usage, stdout);
			return CLI_EXIT_OK;
		default:
			cli_bad_option(argv, c);
			fputs(present_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	stateless = o.request != NULL || o.transcript != NULL || o.out != NULL;
	if (optind != argc || o.issuer_signed == NULL || o.device_key == NULL ||
	    (stateless && (o.request == NULL || o.transcript == NULL || o.out == NULL ||
	    o.transport != NULL)) || (!stateless && o.transport == NULL)) {
		cli_error("present", "give --issuer-signed and --device-key, and either "
		    "--request, --transcript and --out, or --transport");
		fputs(present_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (!stateless && cli_transport_parse(o.transport, o.ble_mode, o.ble_l2cap,
	    &o.cfg.transport) < 0)
		return CLI_EXIT_USAGE;
	memset(&in, 0, sizeof(in));
	if (load_inputs(&o, &in) < 0) {
		inputs_free(&in);
		return CLI_EXIT_USAGE;
	}
	cred = (cli_credential_t){ .issuer_signed = in.issuer_signed,
		.issuer_signed_len = in.issuer_signed_len, .key = in.key,
		.label = o.issuer_signed };
	status = stateless ? run_stateless(&o, &cred) : cli_present_session(&o.cfg, &cred, 1);
	inputs_free(&in);
	return status;
}
