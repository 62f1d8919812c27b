/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The holder's side of a presentation, shared by `tessera present` (a
 * credential file) and `tessera wallet present` (the wallet): analyse the
 * request, ask for consent, answer, and log what was shared. */

#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

/* The presentation log entry of one DocRequest (store.h). */
static void
log_doc(tsr_store_t *store, const tsr_presentation_t *p, size_t d,
    const cli_credential_t *creds, size_t n_creds, tsr_presentation_outcome_t outcome)
{
	size_t n = tsr_presentation_element_count(p, d), n_shared = 0;
	tsr_store_item_t *requested = calloc(n ? n : 1, sizeof(*requested));
	tsr_store_item_t *shared = calloc(n ? n : 1, sizeof(*shared));
	tsr_store_log_entry_t entry;
	const char *label = tsr_presentation_doc_credential(p, d);
	int err;

	memset(&entry, 0, sizeof(entry));
	if (requested == NULL || shared == NULL)
		goto out;
	for (size_t e = 0; e < n; e++) {
		tsr_requested_element_t el;

		if (tsr_presentation_element(p, d, e, &el) != TSR_OK)
			continue;
		requested[e].name_space = el.name_space;
		requested[e].identifier = el.identifier;
		if (el.available && el.consented && outcome == TSR_PRESENTATION_SHARED) {
			shared[n_shared].name_space = el.name_space;
			shared[n_shared++].identifier = el.answer;
		}
	}
	entry.reader_trust = tsr_presentation_reader_trust(p, d, &entry.reader);
	entry.doc_type = tsr_presentation_doc_type(p, d);
	for (size_t i = 0; label != NULL && i < n_creds; i++)
		if (creds[i].label != NULL && strcmp(creds[i].label, label) == 0)
			entry.credential_id = creds[i].id;
	entry.requested = requested;
	entry.n_requested = n;
	entry.shared = shared;
	entry.n_shared = n_shared;
	entry.outcome = n_shared > 0 ? outcome : TSR_PRESENTATION_DECLINED;
	if ((err = tsr_store_log_append(store, &entry, NULL)) != TSR_OK)
		cli_error("log", "could not record the presentation: %s", tsr_strerror(err));
out:
	free(requested);
	free(shared);
}

int
cli_present_answer(const cli_present_config_t *cfg, const cli_credential_t *creds,
    size_t n_creds, const uint8_t *request, size_t request_len, const uint8_t *transcript,
    size_t transcript_len, uint8_t **ret_response, size_t *ret_len, bool *ret_refused)
{
	tsr_presentation_t *p = NULL;
	int err, status = -1;

	*ret_refused = false;
	if ((err = tsr_presentation_new(request, request_len, transcript, transcript_len, &p)) !=
	    TSR_OK) {
		cli_error("request", "%s", tsr_strerror(err));
		return -1;
	}
	if (cfg->has_now)
		tsr_presentation_set_time(p, cfg->now);
	for (size_t i = 0; i < cfg->n_reader_roots; i++) {
		if ((err = tsr_presentation_add_reader_root(p, cfg->reader_roots[i].ptr,
		    cfg->reader_roots[i].len)) != TSR_OK) {
			cli_error("reader root", "%s", tsr_strerror(err));
			goto out;
		}
	}
	for (size_t i = 0; i < n_creds; i++) {
		if ((err = tsr_presentation_add_credential(p, creds[i].issuer_signed,
		    creds[i].issuer_signed_len, creds[i].key, creds[i].label)) != TSR_OK) {
			cli_error(creds[i].label, "%s", tsr_strerror(err));
			goto out;
		}
	}
	tsr_presentation_require_trusted_reader(p, cfg->strict);
	if ((err = tsr_presentation_analyze(p)) != TSR_OK) {
		cli_error("presentation", "%s", tsr_strerror(err));
		goto out;
	}
	cli_print_request(stderr, p);
	if (tsr_presentation_refused(p)) {
		fputs("Refused: the reader is not trusted (--strict).\n", stderr);
		*ret_refused = true;
	}
	/* The library discloses nothing to a refused reader. */
	if (*ret_refused)
		tsr_presentation_consent_all(p, false);
	else if (cli_consent(p, cfg->consent) < 0)
		goto out;
	if ((err = tsr_presentation_respond(p, cfg->device_auth, ret_response, ret_len)) !=
	    TSR_OK) {
		cli_error("response", "%s", tsr_strerror(err));
		goto out;
	}
	cli_print_shared(stderr, p);
	for (size_t d = 0; cfg->log != NULL && d < tsr_presentation_doc_count(p); d++)
		log_doc(cfg->log, p, d, creds, n_creds, *ret_refused ?
		    TSR_PRESENTATION_DECLINED : TSR_PRESENTATION_SHARED);
	status = 0;
out:
	tsr_presentation_free(p);
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

/* Answers one DeviceRequest of the session and sends the response. Returns
 * -1 when the session cannot go on (the reader has been told, if possible). */
static int
answer_request(const cli_present_config_t *cfg, const cli_credential_t *creds,
    size_t n_creds, tsr_holder_session_t *hs, tsr_transport_t *t, const uint8_t *request,
    size_t request_len, int timeout_ms, bool *ret_refused)
{
	uint8_t *response = NULL, *out = NULL;
	size_t response_len = 0, out_len = 0;
	const uint8_t *transcript;
	size_t transcript_len;
	int err, status = -1;

	if ((err = tsr_holder_session_transcript(hs, &transcript, &transcript_len)) != TSR_OK ||
	    cli_present_answer(cfg, creds, n_creds, request, request_len, transcript,
	    transcript_len, &response, &response_len, ret_refused) < 0) {
		send_status(hs, t, TSR_SESSION_STATUS_TERMINATION);
		goto out;
	}
	/* The reader decides whether more requests follow: it ends the session. */
	if ((err = tsr_holder_session_respond(hs, response, response_len, false, &out,
	    &out_len)) != TSR_OK || (err = tsr_transport_send(t, out, out_len, timeout_ms)) !=
	    TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		goto out;
	}
	status = 0;
out:
	tsr_free(response);
	tsr_free(out);
	return status;
}

/* The status to end the session with when a reader's message is unusable. */
static int
error_status(int err)
{
	return err == TSR_ERR_CRYPTO_DECRYPT ? TSR_SESSION_STATUS_ENCRYPTION_ERROR :
	    TSR_SESSION_STATUS_DECODING_ERROR;
}

int
cli_present_session(const cli_present_config_t *cfg, const cli_credential_t *creds,
    size_t n_creds)
{
	tsr_holder_session_t *hs = NULL;
	cli_connection_t conn = { 0 };
	tsr_transport_t *t;
	uint8_t *msg = NULL, *request = NULL;
	size_t msg_len = 0, request_len = 0, n_answered = 0;
	char *uri = NULL;
	bool refused = false;
	int err, status = CLI_EXIT_INVALID, timeout_ms = cfg->timeout_s * 1000;

	if (cli_connection_holder_start(&cfg->transport, &hs, &conn) < 0)
		goto out;
	if ((err = tsr_holder_session_qr_uri(hs, &uri)) != TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		goto out;
	}
	cli_print_qr(stdout, uri);
	if ((cfg->qr_uri_file != NULL &&
	    cli_write_file(cfg->qr_uri_file, (const uint8_t *)uri, strlen(uri), 0600, true) < 0) ||
	    (cfg->qr_png != NULL && cli_write_qr_png(cfg->qr_png, uri) < 0)) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	fprintf(stderr, "Waiting for a reader on %s...\n", conn.transport != NULL ?
	    tsr_transport_describe(conn.transport) : cfg->transport.text);
	if (cli_connection_holder_wait(&cfg->transport, timeout_ms, &conn) < 0)
		goto out;
	t = conn.transport;
	if ((err = tsr_transport_receive(t, timeout_ms, &msg, &msg_len)) != TSR_OK) {
		cli_error("transport", "%s", tsr_strerror(err));
		goto out;
	}
	if ((err = tsr_holder_session_establish(hs, msg, msg_len, &request, &request_len)) !=
	    TSR_OK) {
		cli_error("session", "%s", tsr_strerror(err));
		send_status(hs, t, error_status(err));
		goto out;
	}
	/* 18013-5 lets the reader send further DeviceRequests in SessionData until
	 * it ends the session with status 20 (or goes away): answer each. */
	for (;;) {
		bool this_refused = false;

		if (n_answered > 0)
			fprintf(stderr, "\nRequest %zu of this session:\n", n_answered + 1);
		if (answer_request(cfg, creds, n_creds, hs, t, request, request_len, timeout_ms,
		    &this_refused) < 0)
			goto out;
		refused = refused || this_refused;
		n_answered++;
		tsr_free(msg);
		tsr_free(request);
		msg = request = NULL;
		if ((err = tsr_transport_receive(t, timeout_ms, &msg, &msg_len)) != TSR_OK)
			break;
		if ((err = tsr_holder_session_receive(hs, msg, msg_len, &request, &request_len)) !=
		    TSR_OK) {
			/* A message we cannot read gets status 10 or 11. */
			if (err != TSR_ERR_SESSION_TERMINATED && err != TSR_ERR_SESSION_PEER_ERROR &&
			    err != TSR_ERR_SESSION_STATE)
				send_status(hs, t, error_status(err));
			break;
		}
	}
	if (err != TSR_ERR_SESSION_TERMINATED && err != TSR_ERR_TRANSPORT_CLOSED) {
		cli_error("session", "did not end as expected: %s", tsr_strerror(err));
		goto out;
	}
	fprintf(stderr, "Session ended. %s Requests answered: %zu.\n",
	    err == TSR_ERR_SESSION_TERMINATED ? "The reader ended it (status 20)." :
	    "The reader closed the connection.", n_answered);
	status = refused ? CLI_EXIT_INVALID : CLI_EXIT_OK;
out:
	tsr_free(uri);
	tsr_free(msg);
	tsr_free(request);
	cli_connection_close(&conn);
	tsr_holder_session_free(hs);
	return status;
}
