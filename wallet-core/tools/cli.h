/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Shared helpers of the `tessera` command-line tool. */
#ifndef TESSERA_CLI_H
#define TESSERA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <tessera/tessera.h>

#include "cli-common.h"

/* `reader verify` and `reader request`: the response is not valid. Other
 * commands: refused, or the session failed. */
#define CLI_EXIT_INVALID 1

/* Writes s for a terminal: control characters become \n, \t or \xHH. */
void cli_put_text(FILE *f, const char *s);
/* Writes s as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD. */
void cli_put_json_string(FILE *f, const char *s);
/* "YYYY-MM-DDThh:mm:ssZ", or the plain number when out of range. */
void cli_put_time(FILE *f, int64_t t);

/*
 * Renders an element value (CBOR) for people, to follow a "label:": full-date
 * and tdate as text, strings without quotes at the top level, byte strings as
 * "<N bytes>". Writes " value", except that a top-level list of maps or lists
 * is written one entry per line, each preceded by item_prefix (for example
 * "\n      - "); with item_prefix NULL it stays on one line.
 */
void cli_put_value_human(FILE *f, const uint8_t *cbor, size_t len, const char *item_prefix);

/* Trusts the IACA certificate file, or every *.pem, *.der and *.crt file of
 * a directory; prints why and returns -1 on failure. */
int cli_add_trust(tsr_verifier_t *v, const char *path);

/* Loads a Token Status List (CWT) into the verifier (cmd-reader.c); prints
 * why and returns -1 on failure. */
int cli_add_status_list(tsr_verifier_t *v, const char *path);

/* Printing a verification result (verify-human.c, verify-json.c). */
void cli_print_result_human(FILE *f, const tsr_verify_result_t *result);
void cli_print_result_json(FILE *f, const tsr_verify_result_t *result);

/* Sessions (cli-transport.c, cli-consent.c, cli-qr.c). */
/* A transport as given on the command line: --transport local:PATH,
 * ble or ble:ADAPTER, --ble-mode peripheral|central and --ble-l2cap. */
typedef struct cli_transport_spec {
	const char *text;         /* SPEC as given, for messages */
	const char *local_path;   /* local:PATH, else NULL */
	bool ble;                 /* ble[:ADAPTER] */
	const char *adapter;      /* "hci1", or NULL for the first powered one */
	tsr_ble_mode_t ble_mode;  /* --ble-mode, 0 when not given */
	bool ble_l2cap;           /* --ble-l2cap: offer or use an L2CAP channel */
} cli_transport_spec_t;
/* Parses SPEC, MODE (NULL when not given) and --ble-l2cap; prints why and
 * returns -1 when they make no sense. */
int cli_transport_parse(const char *spec, const char *ble_mode, bool ble_l2cap,
    cli_transport_spec_t *ret);
/* A session's connection: the transport, and the radio link under it. */
typedef struct cli_connection {
	tsr_transport_t *transport;
	tsr_ble_link_t *link;     /* BLE only */
} cli_connection_t;
/* Holder: start makes the session (its engagement offers BLE in the
 * spec's mode, with a fresh service UUID) and starts the transport, before
 * the QR code is shown, so that in BLE peripheral server mode the service
 * is advertised by the time a reader scans it (and a missing adapter is
 * reported before any QR code); *ret_hs is the caller's to free. wait then
 * waits for the reader (local: listens). */
int cli_connection_holder_start(const cli_transport_spec_t *spec,
    tsr_holder_session_t **ret_hs, cli_connection_t *ret);
int cli_connection_holder_wait(const cli_transport_spec_t *spec, int timeout_ms,
    cli_connection_t *c);
/* Reader: connects to the holder (local: retrying until the timeout; BLE: in
 * the mode chosen from the engagement). All three print why and return -1
 * on failure. */
int cli_connection_reader(const cli_transport_spec_t *spec, const tsr_reader_session_t *rs,
    int timeout_ms, cli_connection_t *ret);
/* Frees the transport, then the link. Fine on a zeroed connection. */
void cli_connection_close(cli_connection_t *c);
/* What a request asks for, for the holder to decide. */
void cli_print_request(FILE *f, const tsr_presentation_t *p);
/* Records consent: mode "all", "none", a file of allowed elements, or NULL
 * to ask on the terminal. Returns -1 on failure. */
int cli_consent(tsr_presentation_t *p, const char *mode);
/* What was shared, per document. */
void cli_print_shared(FILE *f, const tsr_presentation_t *p);
/* Shows an engagement: its QR code for a terminal, and the URI. */
void cli_print_qr(FILE *f, const char *uri);
/* Writes an engagement's QR code as a PNG file; -1 on failure. */
int cli_write_qr_png(const char *path, const char *uri);

/* A presentation (cli-present.c). */
typedef struct cli_bytes {
	uint8_t *ptr;
	size_t len;
} cli_bytes_t;

typedef struct cli_credential {
	const uint8_t *issuer_signed;
	size_t issuer_signed_len;
	const tsr_device_key_t *key;
	const char *label;  /* shown and used to match the log entry */
	int64_t id;         /* wallet id, 0 outside a wallet */
} cli_credential_t;

typedef struct cli_present_config {
	cli_transport_spec_t transport;
	const char *qr_uri_file;    /* write the mdoc: URI there, or NULL */
	const char *qr_png;         /* write the QR code there, or NULL */
	const char *consent;        /* all, none, FILE, or NULL to ask */
	const cli_bytes_t *reader_roots;
	size_t n_reader_roots;
	bool strict;                /* refuse readers that are not trusted */
	tsr_device_auth_kind_t device_auth;
	bool has_now;
	int64_t now;
	int timeout_s;
	tsr_store_t *log;           /* record presentations here, or NULL */
} cli_present_config_t;

/* Answers one request (analysis, consent, response, log). On a refusal
 * under strict, *ret_refused is set and the response returns nothing. */
int cli_present_answer(const cli_present_config_t *cfg, const cli_credential_t *creds,
    size_t n_creds, const uint8_t *request, size_t request_len, const uint8_t *transcript,
    size_t transcript_len, uint8_t **ret_response, size_t *ret_len, bool *ret_refused);
/* A whole live session: engagement, wait, then answer each request (see
 * cli_present_answer) until the reader ends the session or goes away.
 * Returns an exit status: 1 when the session failed or a request was
 * refused under strict. */
int cli_present_session(const cli_present_config_t *cfg, const cli_credential_t *creds,
    size_t n_creds);

/* Commands: argv[0] is the command's name. They return an exit status. */
int cli_cmd_reader(int argc, char **argv);
int cli_cmd_cbor(int argc, char **argv);
int cli_cmd_wallet(int argc, char **argv);
int cli_cmd_present(int argc, char **argv);
/* `reader request` and `reader make-request`; -1 when name is neither. */
int cli_reader_session_command(const char *name, int argc, char **argv);

#endif /* TESSERA_CLI_H */
