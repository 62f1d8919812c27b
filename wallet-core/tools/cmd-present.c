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
    "                        --transport local:PATH [--qr-uri-file FILE])\n"
    "                       [--consent all|none|FILE] [--reader-root CERT]\n"
    "                       [--strict] [--device-auth mac|signature] [--now TIME]\n"
    "                       [--timeout SECONDS]\n"
    "\n"
    "Answer an mdoc reader with one credential whose device key is in a file.\n"
    "For wallets, use 'tessera wallet present'; this command is for testing and\n"
    "for interoperability checks with other 18013-5 implementations.\n"
    "\n"
    "Options:\n"
    "  -i, --issuer-signed FILE  the credential (IssuerSigned, CBOR)\n"
    "  -k, --device-key FILE     its device private key (PKCS#8 or SEC1)\n"
    "  -r, --request FILE        stateless: the DeviceRequest (CBOR)\n"
    "  -t, --transcript FILE     stateless: the SessionTranscript (CBOR)\n"
    "  -o, --out FILE            stateless: where to write the DeviceResponse\n"
    "  -T, --transport SPEC      live session: local:PATH is the local transport\n"
    "                            (a Unix socket, for same-machine use and tests)\n"
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

typedef struct present_opts {
	const char *issuer_signed, *device_key, *request, *transcript, *out, *transport;
	const char *qr_uri_file, *consent, *reader_root, *now;
	bool strict;
	tsr_device_auth_kind_t device_auth;
	int timeout_s;
} present_opts_t;

typedef struct present_inputs {
	uint8_t *issuer_signed, *root;
	size_t issuer_signed_len, root_len;
	tsr_device_key_t *key;
	int64_t now;
	bool has_now;
} present_inputs_t;

static void
inputs_free(present_inputs_t *in)
{
	cli_free_data(in->issuer_signed, in->issuer_signed_len);
	cli_free_data(in->root, in->root_len);
	tsr_device_key_free(in->key);
}

static int
load_inputs(const present_opts_t *o, present_inputs_t *in)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	int err;

	memset(in, 0, sizeof(*in));
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
	if (o->reader_root != NULL &&
	    cli_read_file(o->reader_root, CLI_MAX_INPUT, &in->root, &in->root_len) < 0)
		return -1;
	if (o->now != NULL) {
		if (tsr_time_parse(o->now, &in->now) != TSR_OK) {
			cli_error("--now", "'%s' is not a UTC time like 2021-01-01T00:00:00Z", o->now);
			return -1;
		}
		in->has_now = true;
	}
	return 0;
}

/* Analyses a request, asks for consent, and builds the response. On a
 * refusal under --strict, *ret_refused is set and no response is made. */
static int
answer(const present_opts_t *o, const present_inputs_t *in, const uint8_t *request,
    size_t request_len, const uint8_t *transcript, size_t transcript_len,
    uint8_t **ret_response, size_t *ret_len, bool *ret_refused)
{
	tsr_presentation_t *p = NULL;
	int err, status = -1;

	*ret_refused = false;
	if ((err = tsr_presentation_new(request, request_len, transcript, transcript_len, &p)) !=
	    TSR_OK) {
		cli_error("request", "%s", tsr_strerror(err));
		return -1;
	}
	if (in->has_now)
		tsr_presentation_set_time(p, in->now);
	if ((in->root != NULL &&
	    (err = tsr_presentation_add_reader_root(p, in->root, in->root_len)) != TSR_OK) ||
	    (err = tsr_presentation_add_credential(p, in->issuer_signed, in->issuer_signed_len,
	    in->key, o->issuer_signed)) != TSR_OK ||
	    (err = tsr_presentation_analyze(p)) != TSR_OK) {
		cli_error("presentation", "%s", tsr_strerror(err));
		goto out;
	}
	cli_print_request(stderr, p);
	if (o->strict) {
		for (size_t d = 0; d < tsr_presentation_doc_count(p); d++) {
			if (tsr_presentation_reader_trust(p, d, NULL) != TSR_READER_TRUSTED) {
				fputs("Refused: the reader is not trusted (--strict).\n", stderr);
				tsr_presentation_consent_all(p, false);
				*ret_refused = true;
			}
		}
	}
	if (!*ret_refused && cli_consent(p, o->consent) < 0)
		goto out;
	if ((err = tsr_presentation_respond(p, o->device_auth, ret_response, ret_len)) != TSR_OK) {
		cli_error("response", "%s", tsr_strerror(err));
		goto out;
	}
	cli_print_shared(stderr, p);
	status = 0;
out:
	tsr_presentation_free(p);
	return status;
}

static int
run_stateless(const present_opts_t *o, const present_inputs_t *in)
{
	uint8_t *request = NULL, *transcript = NULL, *response = NULL;
	size_t request_len = 0, transcript_len = 0, response_len = 0;
	bool refused = false;
	int status = CLI_EXIT_USAGE;

	if (cli_read_file(o->request, CLI_MAX_INPUT, &request, &request_len) < 0 ||
	    cli_read_file(o->transcript, CLI_MAX_INPUT, &transcript, &transcript_len) < 0)
		goto out;
	if (answer(o, in, request, request_len, transcript, transcript_len, &response,
	    &response_len, &refused) < 0)
		goto out;
	status = cli_write_file(o->out, response, response_len) < 0 ? CLI_EXIT_USAGE :
	    refused ? CLI_EXIT_INVALID : CLI_EXIT_OK;
out:
	cli_free_data(request, request_len);
	cli_free_data(transcript, transcript_len);
	tsr_free(response);
	return status;
}

/* Sends a SessionData with only a status and gives up on the session. */
static void
send_status(tsr_holder_session_t *hs, tsr_transport_t *t, int session_status)
{
	uint8_t *msg = NULL;
	size_t len = 0;

	/* Best effort: the reader times out if this does not arrive. */
	if (tsr_holder_session_error(hs, session_status, &msg, &len) == TSR_OK &&
	    tsr_transport_send(t, msg, len, 5000) != TSR_OK)
		cli_error("transport", "could not tell the reader that the session ends");
	tsr_free(msg);
}

static int
run_session(const present_opts_t *o, const present_inputs_t *in)
{
	tsr_holder_session_t *hs = NULL;
	tsr_transport_t *t = NULL;
	uint8_t *msg = NULL, *request = NULL, *response = NULL, *out = NULL;
	size_t msg_len = 0, request_len = 0, response_len = 0, out_len = 0;
	const uint8_t *transcript;
	size_t transcript_len;
	char *uri = NULL;
	bool refused = false;
	int err, status = CLI_EXIT_INVALID, timeout_ms = o->timeout_s * 1000;

	if ((err = tsr_holder_session_new(NULL, &hs)) != TSR_OK ||
	    (err = tsr_holder_session_qr_uri(hs, &uri)) != TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		goto out;
	}
	cli_print_qr(stdout, uri);
	if (o->qr_uri_file != NULL &&
	    cli_write_file(o->qr_uri_file, (const uint8_t *)uri, strlen(uri)) < 0) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	fprintf(stderr, "Waiting for a reader on the %s...\n", o->transport);
	if (cli_transport_open(o->transport, true, timeout_ms, &t) < 0)
		goto out;
	if ((err = tsr_transport_receive(t, timeout_ms, &msg, &msg_len)) != TSR_OK) {
		cli_error("transport", "%s", tsr_strerror(err));
		goto out;
	}
	if ((err = tsr_holder_session_establish(hs, msg, msg_len, &request, &request_len)) !=
	    TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		send_status(hs, t, err == TSR_ERR_CRYPTO_DECRYPT ?
		    TSR_SESSION_STATUS_ENCRYPTION_ERROR : TSR_SESSION_STATUS_DECODING_ERROR);
		goto out;
	}
	if ((err = tsr_holder_session_transcript(hs, &transcript, &transcript_len)) != TSR_OK ||
	    answer(o, in, request, request_len, transcript, transcript_len, &response,
	    &response_len, &refused) < 0) {
		send_status(hs, t, TSR_SESSION_STATUS_TERMINATION);
		goto out;
	}
	/* The reader ends the session after reading the response. */
	if ((err = tsr_holder_session_respond(hs, response, response_len, false, &out,
	    &out_len)) != TSR_OK || (err = tsr_transport_send(t, out, out_len, timeout_ms)) !=
	    TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		goto out;
	}
	tsr_free(msg);
	msg = NULL;
	if ((err = tsr_transport_receive(t, timeout_ms, &msg, &msg_len)) == TSR_OK) {
		tsr_free(request);
		request = NULL;
		err = tsr_holder_session_receive(hs, msg, msg_len, &request, &request_len);
	}
	if (err != TSR_ERR_SESSION_TERMINATED && err != TSR_ERR_TRANSPORT_CLOSED) {
		cli_error("session", "did not end as expected: %s", tsr_strerror(err));
		goto out;
	}
	fputs("Session ended.\n", stderr);
	status = refused ? CLI_EXIT_INVALID : CLI_EXIT_OK;
out:
	tsr_free(uri);
	tsr_free(msg);
	tsr_free(request);
	tsr_free(response);
	tsr_free(out);
	tsr_transport_free(t);
	tsr_holder_session_free(hs);
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
	present_opts_t o = { .device_auth = TSR_DEVICE_AUTH_MAC, .timeout_s = 60 };
	present_inputs_t in;
	bool stateless;
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":i:k:r:t:o:T:q:c:R:sa:n:w:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'i': o.issuer_signed = optarg; break;
		case 'k': o.device_key = optarg; break;
		case 'r': o.request = optarg; break;
		case 't': o.transcript = optarg; break;
		case 'o': o.out = optarg; break;
		case 'T': o.transport = optarg; break;
		case 'q': o.qr_uri_file = optarg; break;
		case 'c': o.consent = optarg; break;
		case 'R': o.reader_root = optarg; break;
		case 's': o.strict = true; break;
		case 'n': o.now = optarg; break;
		case 'a':
			if (strcmp(optarg, "mac") == 0) {
				o.device_auth = TSR_DEVICE_AUTH_MAC;
			} else if (strcmp(optarg, "signature") == 0) {
				o.device_auth = TSR_DEVICE_AUTH_SIGNATURE;
			} else {
				cli_error("--device-auth", "'%s': expected mac or signature", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'w':
			o.timeout_s = atoi(optarg);
			if (o.timeout_s <= 0 || o.timeout_s > 3600) {
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
	if (load_inputs(&o, &in) < 0) {
		inputs_free(&in);
		return CLI_EXIT_USAGE;
	}
	status = stateless ? run_stateless(&o, &in) : run_session(&o, &in);
	inputs_free(&in);
	return status;
}
