/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* DeviceResponse decoding, re-encoding and full verification against the
 * Annex D trust setup. Only the Annex D response itself may verify. */

#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "mdoc/mdoc.h"

static tsr_verifier_t *verifier;
static uint8_t *annex_d_response;
static size_t annex_d_response_len;

static void
set_up(void)
{
	uint8_t *iaca, *transcript, *key;
	size_t iaca_len = 0, transcript_len = 0, key_len = 0;

	iaca = fuzz_load_vector("iaca_cert.pem", &iaca_len);
	transcript = fuzz_load_vector("session_transcript_bytes.cbor", &transcript_len);
	key = fuzz_load_vector("ephemeral_reader_key.pem", &key_len);
	annex_d_response = fuzz_load_vector("device_response.cbor", &annex_d_response_len);
	if (iaca == NULL || transcript == NULL || key == NULL || annex_d_response == NULL ||
	    tsr_verifier_new(&verifier) != TSR_OK ||
	    tsr_verifier_add_trust_anchor(verifier, iaca, iaca_len) != TSR_OK ||
	    tsr_verifier_set_transcript(verifier, transcript, transcript_len) != TSR_OK ||
	    tsr_verifier_set_reader_key(verifier, key, key_len) != TSR_OK)
		abort();
	tsr_verifier_set_time(verifier, 1609459200); /* 2021-01-01T00:00:00Z */
	free(iaca);
	free(transcript);
	free(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_verify_result_t *result = NULL;
	tsr_response_t resp;
	uint8_t *again = NULL;
	size_t again_len = 0;
	int r;

	if (verifier == NULL)
		set_up();
	if (tsr_response_decode(data, size, &resp) == TSR_OK) {
		if (tsr_response_encode(&resp, &again, &again_len) == TSR_OK)
			fuzz_expect_same(again, again_len, data, size);
		free(again);
		tsr_response_clear(&resp);
	}
	r = tsr_verifier_verify(verifier, data, size, &result);
	if (r == TSR_OK && (size != annex_d_response_len ||
	    memcmp(data, annex_d_response, size) != 0)) {
		/* The version string is the one unsigned field that may vary:
		 * its text "1.0" is bytes 10-12 (a3 67 "version" 63 "1.0"). */
		if (size != annex_d_response_len || memcmp(data + 13, annex_d_response + 13,
		    size - 13) != 0)
			abort();
	}
	if ((r == TSR_OK || r == TSR_ERR_VERIFY) && result == NULL)
		abort();
	tsr_verify_result_free(result);
	return 0;
}
