/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* What the holder is asked, and the holder's answer: --consent all, none,
 * a file of allowed elements, or a prompt on the terminal. */

#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tessera/tessera.h>

static const char *
trust_words(tsr_reader_trust_t trust)
{
	switch (trust) {
	case TSR_READER_TRUSTED:
		return "trusted reader";
	case TSR_READER_UNTRUSTED:
		return "UNTRUSTED reader (its certificate is not from a trusted reader root)";
	case TSR_READER_INVALID:
		return "INVALID reader authentication (bad signature, expired or wrong certificate)";
	case TSR_READER_ANONYMOUS:
		break;
	}
	return "anonymous reader (no reader authentication)";
}

void
cli_print_request(FILE *f, const tsr_presentation_t *p)
{
	for (size_t d = 0; d < tsr_presentation_doc_count(p); d++) {
		const char *subject = NULL;
		tsr_reader_trust_t trust = tsr_presentation_reader_trust(p, d, &subject);
		const char *cred = tsr_presentation_doc_credential(p, d);

		fputs("Request for ", f);
		cli_put_text(f, tsr_presentation_doc_type(p, d));
		fputs("\n  from: ", f);
		fputs(trust_words(trust), f);
		if (subject != NULL) {
			fputs(" \"", f);
			cli_put_text(f, subject);
			fputs("\"", f);
		}
		fputs(cred != NULL ? "\n  credential: " : "\n  credential: none held\n", f);
		if (cred != NULL) {
			cli_put_text(f, cred);
			fputc('\n', f);
		}
		for (size_t e = 0; e < tsr_presentation_element_count(p, d); e++) {
			tsr_requested_element_t el;

			if (tsr_presentation_element(p, d, e, &el) != TSR_OK)
				continue;
			fputs("    ", f);
			cli_put_text(f, el.identifier);
			if (!el.available)
				fputs("  (not held)", f);
			else if (strcmp(el.answer, el.identifier) != 0) {
				fputs("  (answered by ", f);
				cli_put_text(f, el.answer);
				fputs(")", f);
			}
			if (el.intent_to_retain)
				fputs("  [will be stored]", f);
			fputc('\n', f);
		}
	}
}

/* A consent file lists allowed elements, one per line, as IDENTIFIER or
 * NAMESPACE/IDENTIFIER; '#' starts a comment. */
static bool
listed(const char *list, const char *name_space, const char *identifier)
{
	const char *line = list;

	while (*line != '\0') {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char entry[512];

		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		if (n > 0 && n < sizeof(entry) && line[0] != '#') {
			char *slash;

			memcpy(entry, line, n);
			entry[n] = '\0';
			slash = strrchr(entry, '/');
			if (slash == NULL ? strcmp(entry, identifier) == 0 :
			    (*slash = '\0', strcmp(entry, name_space) == 0 &&
				strcmp(slash + 1, identifier) == 0))
				return true;
		}
		line = end ? end + 1 : line + strlen(line);
	}
	return false;
}

static bool
ask(const char *identifier, bool intent)
{
	char answer[16];

	fprintf(stderr, "Share %s%s? [y/N] ", identifier, intent ? " (the reader will store it)" :
	    "");
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

int
cli_consent(tsr_presentation_t *p, const char *mode)
{
	uint8_t *list = NULL;
	size_t list_len = 0;
	bool prompt = mode == NULL;

	if (mode != NULL && strcmp(mode, "all") == 0) {
		tsr_presentation_consent_all(p, true);
		return 0;
	}
	if (mode != NULL && strcmp(mode, "none") == 0) {
		tsr_presentation_consent_all(p, false);
		return 0;
	}
	if (prompt && !isatty(STDIN_FILENO)) {
		cli_error("consent", "no terminal to ask on: use --consent all|none|FILE");
		return -1;
	}
	if (!prompt && cli_read_file(mode, CLI_MAX_INPUT, &list, &list_len) < 0)
		return -1;
	for (size_t d = 0; d < tsr_presentation_doc_count(p); d++) {
		for (size_t e = 0; e < tsr_presentation_element_count(p, d); e++) {
			tsr_requested_element_t el;
			bool share;

			if (tsr_presentation_element(p, d, e, &el) != TSR_OK || !el.available)
				continue;
			share = prompt ? ask(el.identifier, el.intent_to_retain) :
			    listed((const char *)list, el.name_space, el.identifier);
			if (tsr_presentation_consent(p, d, e, share) != TSR_OK)
				return -1;
		}
	}
	cli_free_data(list, list_len);
	return 0;
}

void
cli_print_shared(FILE *f, const tsr_presentation_t *p)
{
	for (size_t d = 0; d < tsr_presentation_doc_count(p); d++) {
		size_t shared = 0;

		fputs("Shared from ", f);
		cli_put_text(f, tsr_presentation_doc_type(p, d));
		fputs(":", f);
		for (size_t e = 0; e < tsr_presentation_element_count(p, d); e++) {
			tsr_requested_element_t el;

			if (tsr_presentation_element(p, d, e, &el) == TSR_OK && el.available &&
			    el.consented) {
				fputs(shared++ ? ", " : " ", f);
				cli_put_text(f, el.answer);
			}
		}
		fputs(shared ? "\n" : " nothing\n", f);
	}
}
