/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* DeviceRequest decoding, re-encoding and reader authentication. */

#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "mdoc/mdoc.h"

static uint8_t *transcript, *root;
static size_t transcript_len, root_len;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_request_t req;
	uint8_t *again = NULL;
	size_t again_len = 0;
	char *subject = NULL;

	if (transcript == NULL) {
		transcript = fuzz_load_vector("session_transcript_bytes.cbor", &transcript_len);
		root = fuzz_load_vector("reader_root_cert.pem", &root_len);
		if (transcript == NULL || root == NULL)
			abort();
	}
	if (tsr_request_decode(data, size, &req) != TSR_OK)
		return 0;
	if (tsr_request_encode(&req, &again, &again_len) == TSR_OK)
		fuzz_expect_same(again, again_len, data, size);
	free(again);
	tsr_request_clear(&req);
	/* Only the Annex D request carries a valid readerAuth. */
	if (tsr_reader_auth_verify(data, size, transcript, transcript_len, root, root_len,
	    1609459200, &subject) == TSR_OK && subject == NULL)
		abort();
	tsr_free(subject);
	return 0;
}
