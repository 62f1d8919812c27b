/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Hands a reader session's transcript and EReaderKey to a verifier. */

#include <string.h>

#include <tessera/session.h>

#include "session/session.h"

int
tsr_reader_session_prepare_verifier(const tsr_reader_session_t *s, tsr_verifier_t *verifier)
{
	const uint8_t *transcript = NULL;
	size_t transcript_len = 0;
	char *pem = NULL;
	int r;

	if (s == NULL || verifier == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_reader_session_transcript(s, &transcript, &transcript_len);
	if ((r = tsr_verifier_set_transcript(verifier, transcript, transcript_len)) != TSR_OK ||
	    (r = tsr_ec_key_to_pem(tsr_reader_session_key(s), &pem)) != TSR_OK)
		return r;
	r = tsr_verifier_set_reader_key(verifier, (const uint8_t *)pem, strlen(pem));
	tsr_free_secret(pem, strlen(pem));
	return r;
}
