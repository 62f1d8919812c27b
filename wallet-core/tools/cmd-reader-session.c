/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera reader make-request` and `tessera reader request`: the reader's
 * side of a session, from the holder's engagement to a verified result. */

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

static const char make_request_usage[] =
    "Usage: tessera reader make-request (--template NAME | --element SPEC)...\n"
    "                                   [--reader-cert FILE --reader-key FILE\n"
    "                                    --transcript FILE] --out FILE\n"
    "\n"
    "Write a DeviceRequest (CBOR) for interoperability tests.\n"
    "\n"
    "Options:\n"
    "  -m, --template NAME      age-over-18, age-over-21, driving-licence, mdl-full,\n"
    "                           pid-basic or av; repeat to combine\n"
    "  -e, --element SPEC       DOCTYPE/NAMESPACE/IDENTIFIER, with a trailing '!' when\n"
    "                           the reader intends to retain the value\n"
    "  -C, --reader-cert FILE   sign the request (readerAuth) with this certificate...\n"
    "  -K, --reader-key FILE    ...and its private key\n"
    "  -t, --transcript FILE    the SessionTranscript readerAuth signs over\n"
    "  -o, --out FILE           where to write the DeviceRequest\n"
    "  -h, --help               show this help and exit\n";

static const char request_usage[] =
    "Usage: tessera reader request --engagement URI|--engagement-file FILE|\n"
    "                              --qr-image PNG\n"
    "                              (--template NAME | --element SPEC)...\n"
    "                              [--next (--template NAME | --element SPEC)...]...\n"
    "                              --trust CERT|DIR [--trust ...]\n"
    "                              [--reader-cert FILE --reader-key FILE]\n"
    "                              [--status-list FILE ...]\n"
    "                              --transport SPEC [--ble-mode MODE] [--ble-l2cap]\n"
    "                              [--now TIME] [--json]\n"
    "                              [--timeout SECONDS]\n"
    "\n"
    "Run a session with a holder: read its engagement (the mdoc: URI of its QR\n"
    "code), send the request, receive and verify the response, end the session.\n"
    "With --next, several requests go in the same session, one after the other;\n"
    "each response is verified and printed in order (\"Request N of M: ...\"; with\n"
    "--json, an array of results).\n"
    "\n"
    "Options:\n"
    "  -g, --engagement URI     the holder's mdoc: URI\n"
    "  -G, --engagement-file F  read the URI from a file\n"
    "  -Q, --qr-image PNG       decode the URI from a picture of the QR code\n"
    "  -m, --template NAME      see 'tessera reader make-request --help'\n"
    "  -e, --element SPEC       DOCTYPE/NAMESPACE/IDENTIFIER[!]\n"
    "  -N, --next               end this request's --template/--element list; the\n"
    "                           ones after it make the next request of the session\n"
    "  -T, --trust CERT|DIR     trusted IACA certificate(s)\n"
    "  -C, --reader-cert FILE   authenticate as this reader...\n"
    "  -K, --reader-key FILE    ...with this private key\n"
    "  -S, --status-list FILE   a Token Status List (CWT) for offline revocation\n"
    "                           checks; repeatable (see 'tessera reader verify --help')\n"
    "  -x, --transport SPEC     ble or ble:ADAPTER is 18013-5 BLE through BlueZ;\n"
    "                           local:PATH is the local transport (a Unix socket,\n"
    "                           for same-machine use and tests)\n"
    "  -b, --ble-mode MODE      peripheral (the holder advertises) or central (this\n"
    "                           reader advertises); default: what the holder offers\n"
    "      --ble-l2cap          move the messages over an L2CAP channel (18013-5\n"
    "                           2nd edition) when the GATT server offers one, and\n"
    "                           offer one in central mode; GATT otherwise. The\n"
    "                           default when bluetoothd may use EATT (its [GATT]\n"
    "                           Channels above 1), which reorders GATT\n"
    "  -n, --now TIME           verify at TIME (RFC 3339, UTC)\n"
    "  -j, --json               print the result as JSON\n"
    "  -w, --timeout SECONDS    how long to wait for the holder (default 60)\n"
    "  -h, --help               show this help and exit\n"
    "\n"
    "Exit status: 0 all verified, 1 one not valid or the session failed, 2 usage or\n"
    "input error.\n";

/* Long options without a short form. */
enum { OPT_BLE_L2CAP = 256 };

/* One DeviceRequest: the --template and --element options up to a --next. */
typedef struct request_group {
	char **templates, **elements;
	size_t n_templates, n_elements;
} request_group_t;

typedef struct request_opts {
	request_group_t *groups;  /* at least one after parsing */
	size_t n_groups;
	char **trust, **status_lists;
	size_t n_trust, n_status_lists;
	const char *reader_cert, *reader_key, *transcript, *out;
	const char *engagement, *engagement_file, *qr_image, *transport, *ble_mode, *now;
	cli_transport_spec_t transport_spec;
	bool ble_l2cap;
	bool json;
	int timeout_s;
} request_opts_t;

static void
opts_free(request_opts_t *o)
{
	for (size_t i = 0; i < o->n_groups; i++) {
		free(o->groups[i].templates);
		free(o->groups[i].elements);
	}
	free(o->groups);
	free(o->trust);
	free(o->status_lists);
}

static int
push(char ***list, size_t *n, char *item)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(*grown));

	if (grown == NULL) {
		cli_error("options", "out of memory");
		return -1;
	}
	grown[(*n)++] = item;
	*list = grown;
	return 0;
}

/* Starts the next request's group of --template and --element options. */
static int
next_group(request_opts_t *o)
{
	request_group_t *grown = realloc(o->groups, (o->n_groups + 1) * sizeof(*grown));

	if (grown == NULL) {
		cli_error("options", "out of memory");
		return -1;
	}
	memset(&grown[o->n_groups++], 0, sizeof(*grown));
	o->groups = grown;
	return 0;
}

/* The group the options being parsed add to. */
static request_group_t *
current_group(request_opts_t *o)
{
	if (o->n_groups == 0 && next_group(o) < 0)
		return NULL;
	return &o->groups[o->n_groups - 1];
}

/* Every request asks for something: no group is empty. */
static bool
groups_complete(const request_opts_t *o)
{
	if (o->n_groups == 0)
		return false;
	for (size_t i = 0; i < o->n_groups; i++)
		if (o->groups[i].n_templates + o->groups[i].n_elements == 0)
			return false;
	return true;
}

/* DOCTYPE/NAMESPACE/IDENTIFIER[!] */
static int
add_element_spec(tsr_request_builder_t *b, const char *spec)
{
	char *copy = strdup(spec), *ns, *id, *bang;
	bool retain;
	int err;

	if (copy == NULL)
		return -1;
	ns = strchr(copy, '/');
	id = ns ? strrchr(ns + 1, '/') : NULL;
	if (ns == NULL || id == NULL) {
		cli_error(spec, "expected DOCTYPE/NAMESPACE/IDENTIFIER");
		free(copy);
		return -1;
	}
	*ns++ = '\0';
	*id++ = '\0';
	bang = strchr(id, '!');
	retain = bang != NULL && bang[1] == '\0';
	if (retain)
		*bang = '\0';
	err = tsr_request_builder_add_element(b, copy, ns, id, retain);
	free(copy);
	if (err != TSR_OK) {
		cli_error(spec, "%s", tsr_strerror(err));
		return -1;
	}
	return 0;
}

/* Builds the request of group g; transcript may be NULL when not signing. */
static int
build_request(const request_opts_t *o, const request_group_t *g, const uint8_t *transcript,
    size_t transcript_len, uint8_t **ret_request, size_t *ret_len)
{
	tsr_request_builder_t *b = NULL;
	uint8_t *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	int err, status = -1;

	if (tsr_request_builder_new(&b) != TSR_OK)
		return -1;
	for (size_t i = 0; i < g->n_templates; i++) {
		if ((err = tsr_request_builder_add_template(b, g->templates[i])) != TSR_OK) {
			cli_error(g->templates[i], err == TSR_ERR_NOT_FOUND ? "unknown template" :
			    "%s", tsr_strerror(err));
			goto out;
		}
	}
	for (size_t i = 0; i < g->n_elements; i++)
		if (add_element_spec(b, g->elements[i]) < 0)
			goto out;
	if (o->reader_cert != NULL) {
		if (cli_read_file(o->reader_cert, CLI_MAX_INPUT, &cert, &cert_len) < 0 ||
		    cli_read_file(o->reader_key, CLI_MAX_INPUT, &key, &key_len) < 0)
			goto out;
		if ((err = tsr_request_builder_set_reader_auth(b, cert, cert_len, key, key_len)) !=
		    TSR_OK) {
			cli_error(o->reader_cert, "%s", tsr_strerror(err));
			goto out;
		}
	}
	if ((err = tsr_request_builder_build(b, transcript, transcript_len, ret_request,
	    ret_len)) != TSR_OK) {
		cli_error("request", "%s", tsr_strerror(err));
		goto out;
	}
	status = 0;
out:
	cli_free_data(cert, cert_len);
	cli_free_data(key, key_len);
	tsr_request_builder_free(b);
	return status;
}

/* gcc 12 -fanalyzer takes the lists push() grows for leaked when the group
 * array that holds them has been grown too (next_group()); opts_free() frees
 * both. (The library marks such cases with base/analyzer.h, which the CLI,
 * a client of the public API, does not see.) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
/* Options both commands share; returns 1 when handled, 0 when not ours. */
static int
common_option(request_opts_t *o, int c)
{
	request_group_t *g;

	switch (c) {
	case 'm':
		if ((g = current_group(o)) == NULL)
			return -1;
		return push(&g->templates, &g->n_templates, optarg) < 0 ? -1 : 1;
	case 'e':
		if ((g = current_group(o)) == NULL)
			return -1;
		return push(&g->elements, &g->n_elements, optarg) < 0 ? -1 : 1;
	case 'C':
		o->reader_cert = optarg;
		return 1;
	case 'K':
		o->reader_key = optarg;
		return 1;
	default:
		return 0;
	}
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static int
cmd_make_request(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "template", required_argument, NULL, 'm' },
		{ "element", required_argument, NULL, 'e' },
		{ "reader-cert", required_argument, NULL, 'C' },
		{ "reader-key", required_argument, NULL, 'K' },
		{ "transcript", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	request_opts_t o = { 0 };
	uint8_t *transcript = NULL, *request = NULL;
	size_t transcript_len = 0, request_len = 0;
	int c, handled, status = CLI_EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":m:e:C:K:t:o:h", longopts, NULL)) != -1) {
		if ((handled = common_option(&o, c)) < 0)
			goto out;
		if (handled)
			continue;
		if (c == 't') {
			o.transcript = optarg;
		} else if (c == 'o') {
			o.out = optarg;
		} else if (c == 'h') {
			fputs(make_request_usage, stdout);
			status = CLI_EXIT_OK;
			goto out;
		} else {
			cli_bad_option(argv, c);
			fputs(make_request_usage, stderr);
			goto out;
		}
	}
	if (optind != argc || o.out == NULL || !groups_complete(&o) ||
	    (o.reader_cert == NULL) != (o.reader_key == NULL) ||
	    (o.reader_cert != NULL && o.transcript == NULL)) {
		cli_error("make-request", "give --out, at least one --template or --element, and "
		    "--reader-cert with --reader-key and --transcript to sign");
		fputs(make_request_usage, stderr);
		goto out;
	}
	if (o.transcript != NULL &&
	    cli_read_file(o.transcript, CLI_MAX_INPUT, &transcript, &transcript_len) < 0)
		goto out;
	if (build_request(&o, &o.groups[0], transcript, transcript_len, &request,
	    &request_len) < 0 ||
	    cli_write_file(o.out, request, request_len, 0600, true) < 0)
		goto out;
	status = CLI_EXIT_OK;
out:
	cli_free_data(transcript, transcript_len);
	tsr_free(request);
	opts_free(&o);
	return status;
}

static int
read_engagement(const request_opts_t *o, char **ret_uri)
{
	uint8_t *data = NULL;
	size_t len = 0;

	if (o->engagement != NULL) {
		*ret_uri = strdup(o->engagement);
		return *ret_uri ? 0 : -1;
	}
	if (o->qr_image != NULL) {
		int err;

		if (cli_read_file(o->qr_image, CLI_MAX_INPUT, &data, &len) < 0)
			return -1;
		err = tsr_qr_decode_png(data, len, ret_uri);
		cli_free_data(data, len);
		if (err != TSR_OK) {
			cli_error(o->qr_image, err == TSR_ERR_NOT_FOUND ? "no QR code found" :
			    "%s", tsr_strerror(err));
			return -1;
		}
		return 0;
	}
	if (cli_read_file(o->engagement_file, 8192, &data, &len) < 0)
		return -1;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	*ret_uri = strdup((const char *)data);
	cli_free_data(data, len);
	return *ret_uri ? 0 : -1;
}

/* Runs the session: one request per group, in order, each answered before
 * the next is sent. ret_responses (n_groups entries) gets the holder's
 * DeviceResponses and *ret_n how many arrived: all of them on success, fewer
 * when the session broke off (those are still worth verifying). */
static int
exchange(const request_opts_t *o, tsr_reader_session_t *rs, cli_bytes_t *ret_responses,
    size_t *ret_n)
{
	cli_connection_t conn = { 0 };
	tsr_transport_t *t;
	const uint8_t *transcript;
	cli_bytes_t *requests;
	size_t transcript_len, msg_len = 0, reply_len = 0, end_len = 0;
	uint8_t *msg = NULL, *reply = NULL, *end = NULL;
	int err, status = -1, timeout_ms = o->timeout_s * 1000;
	bool ended = false;

	*ret_n = 0;
	if ((requests = calloc(o->n_groups, sizeof(*requests))) == NULL)
		return -1;
	/* Built before connecting: a bad template costs no holder time. */
	tsr_reader_session_transcript(rs, &transcript, &transcript_len);
	for (size_t i = 0; i < o->n_groups; i++)
		if (build_request(o, &o->groups[i], transcript, transcript_len, &requests[i].ptr,
		    &requests[i].len) < 0)
			goto out;
	if ((err = tsr_reader_session_establish(rs, requests[0].ptr, requests[0].len, &msg,
	    &msg_len)) != TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		goto out;
	}
	if (cli_connection_reader(&o->transport_spec, rs, timeout_ms, &conn) < 0)
		goto out;
	t = conn.transport;
	for (size_t i = 0; i < o->n_groups; i++) {
		if (i > 0 && (err = tsr_reader_session_request(rs, requests[i].ptr, requests[i].len,
		    &msg, &msg_len)) != TSR_OK) {
			cli_error("session", "%s", tsr_strerror(err));
			goto out;
		}
		if ((err = tsr_transport_send(t, msg, msg_len, timeout_ms)) != TSR_OK ||
		    (err = tsr_transport_receive(t, timeout_ms, &reply, &reply_len)) != TSR_OK) {
			cli_error("transport", "%s", err == TSR_ERR_TRANSPORT_CLOSED ?
			    "the holder went away before answering" : tsr_strerror(err));
			goto out;
		}
		if ((err = tsr_reader_session_receive(rs, reply, reply_len, &ret_responses[i].ptr,
		    &ret_responses[i].len, &ended)) != TSR_OK) {
			cli_error("session", "%s", err == TSR_ERR_SESSION_TERMINATED ?
			    "the holder ended the session without answering (declined)" :
			    tsr_strerror(err));
			goto out;
		}
		*ret_n = i + 1;
		tsr_free(msg);
		tsr_free(reply);
		msg = reply = NULL;
		if (ended && i + 1 < o->n_groups) {
			cli_error("session", "the holder ended the session after request %zu of %zu",
			    i + 1, o->n_groups);
			goto out;
		}
	}
	/* The responses are in hand; a lost termination only delays the holder. */
	if (!ended && tsr_reader_session_terminate(rs, &end, &end_len) == TSR_OK &&
	    tsr_transport_send(t, end, end_len, timeout_ms) != TSR_OK)
		cli_error("transport", "could not end the session cleanly");
	status = 0;
out:
	for (size_t i = 0; i < o->n_groups; i++)
		tsr_free(requests[i].ptr);
	free(requests);
	tsr_free(msg);
	tsr_free(reply);
	tsr_free(end);
	cli_connection_close(&conn);
	return status;
}

/* Verifies and prints the responses in request order; true when all are valid. */
static bool
verify_responses(const request_opts_t *o, tsr_verifier_t *v, const cli_bytes_t *responses,
    size_t n)
{
	bool all_valid = true, several = o->n_groups > 1;
	size_t printed = 0;

	if (several && o->json)
		fputs("[\n", stdout);
	for (size_t i = 0; i < n; i++) {
		tsr_verify_result_t *result = NULL;
		int err = tsr_verifier_verify(v, responses[i].ptr, responses[i].len, &result);

		if (err != TSR_OK && err != TSR_ERR_VERIFY) {
			cli_error("verify", "%s", tsr_strerror(err));
			all_valid = false;
			continue;
		}
		if (o->json) {
			if (several && printed > 0)
				fputs(",\n", stdout);
			cli_print_result_json(stdout, result);
		} else {
			if (several)
				printf("%sRequest %zu of %zu: ", printed > 0 ? "\n" : "", i + 1,
				    o->n_groups);
			cli_print_result_human(stdout, result);
		}
		printed++;
		all_valid = all_valid && err == TSR_OK;
		tsr_verify_result_free(result);
	}
	if (several && o->json)
		fputs("]\n", stdout);
	return all_valid && n == o->n_groups;
}

static int
cmd_request(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "engagement", required_argument, NULL, 'g' },
		{ "engagement-file", required_argument, NULL, 'G' },
		{ "qr-image", required_argument, NULL, 'Q' },
		{ "template", required_argument, NULL, 'm' },
		{ "element", required_argument, NULL, 'e' },
		{ "trust", required_argument, NULL, 'T' },
		{ "reader-cert", required_argument, NULL, 'C' },
		{ "reader-key", required_argument, NULL, 'K' },
		{ "transport", required_argument, NULL, 'x' },
		{ "ble-mode", required_argument, NULL, 'b' },
		{ "ble-l2cap", no_argument, NULL, OPT_BLE_L2CAP },
		{ "status-list", required_argument, NULL, 'S' },
		{ "now", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "next", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	request_opts_t o = { .timeout_s = 60 };
	tsr_reader_session_t *rs = NULL;
	tsr_verifier_t *v = NULL;
	cli_bytes_t *responses = NULL;
	size_t n_responses = 0;
	bool complete;
	char *uri = NULL;
	int64_t now = 0;
	int c, handled, err, status = CLI_EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":g:G:Q:m:e:T:C:K:x:b:S:n:jw:Nh", longopts, NULL)) != -1) {
		if ((handled = common_option(&o, c)) < 0)
			goto out;
		if (handled)
			continue;
		switch (c) {
		case 'g': o.engagement = optarg; break;
		case 'G': o.engagement_file = optarg; break;
		case 'Q': o.qr_image = optarg; break;
		case 'x': o.transport = optarg; break;
		case 'b': o.ble_mode = optarg; break;
		case OPT_BLE_L2CAP: o.ble_l2cap = true; break;
		case 'n': o.now = optarg; break;
		case 'j': o.json = true; break;
		case 'N':
			if (current_group(&o) == NULL || next_group(&o) < 0)
				goto out;
			break;
		case 'T':
			if (push(&o.trust, &o.n_trust, optarg) < 0)
				goto out;
			break;
		case 'S':
			if (push(&o.status_lists, &o.n_status_lists, optarg) < 0)
				goto out;
			break;
		case 'w':
			o.timeout_s = atoi(optarg);
			if (o.timeout_s <= 0 || o.timeout_s > 3600) {
				cli_error("--timeout", "'%s': expected 1 to 3600 seconds", optarg);
				goto out;
			}
			break;
		case 'h':
			fputs(request_usage, stdout);
			status = CLI_EXIT_OK;
			goto out;
		default:
			cli_bad_option(argv, c);
			fputs(request_usage, stderr);
			goto out;
		}
	}
	if (optind != argc ||
	    (o.engagement != NULL) + (o.engagement_file != NULL) + (o.qr_image != NULL) != 1 ||
	    o.transport == NULL || o.n_trust == 0 || !groups_complete(&o) ||
	    (o.reader_cert == NULL) != (o.reader_key == NULL)) {
		cli_error("request", "give one of --engagement/--engagement-file/--qr-image, "
		    "--transport, "
		    "--trust, and at least one --template or --element (before and after "
		    "each --next)");
		fputs(request_usage, stderr);
		goto out;
	}
	if (cli_transport_parse(o.transport, o.ble_mode, o.ble_l2cap, &o.transport_spec) < 0)
		goto out;
	if (o.now != NULL && tsr_time_parse(o.now, &now) != TSR_OK) {
		cli_error("--now", "'%s' is not a UTC time like 2021-01-01T00:00:00Z", o.now);
		goto out;
	}
	if (read_engagement(&o, &uri) < 0)
		goto out;
	if ((err = tsr_reader_session_new(uri, &rs)) != TSR_OK) {
		if (err == TSR_ERR_INVALID_ARGUMENT)
			cli_error("engagement", "not an mdoc: URI");
		else
			cli_error("engagement", "not a usable mdoc engagement: %s",
			    tsr_strerror(err));
		goto out;
	}
	if (tsr_verifier_new(&v) != TSR_OK)
		goto out;
	for (size_t i = 0; i < o.n_trust; i++)
		if (cli_add_trust(v, o.trust[i]) < 0)
			goto out;
	/* Loaded before the session starts: a bad file costs no holder time. */
	for (size_t i = 0; i < o.n_status_lists; i++)
		if (cli_add_status_list(v, o.status_lists[i]) < 0)
			goto out;
	if ((responses = calloc(o.n_groups, sizeof(*responses))) == NULL)
		goto out;
	status = CLI_EXIT_INVALID;
	/* Even a session that broke off has its answers so far verified and shown. */
	complete = exchange(&o, rs, responses, &n_responses) == 0;
	if (n_responses == 0)
		goto out;
	if ((err = tsr_reader_session_prepare_verifier(rs, v)) != TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		goto out;
	}
	if (o.now != NULL)
		tsr_verifier_set_time(v, now);
	if (verify_responses(&o, v, responses, n_responses) && complete)
		status = CLI_EXIT_OK;
out:
	for (size_t i = 0; responses != NULL && i < o.n_groups; i++)
		tsr_free(responses[i].ptr);
	free(responses);
	tsr_verifier_free(v);
	tsr_reader_session_free(rs);
	free(uri);
	opts_free(&o);
	return status;
}

int
cli_reader_session_command(const char *name, int argc, char **argv)
{
	if (strcmp(name, "make-request") == 0)
		return cmd_make_request(argc, argv);
	if (strcmp(name, "request") == 0)
		return cmd_request(argc, argv);
	return -1;
}
