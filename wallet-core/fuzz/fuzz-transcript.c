/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* SessionTranscript / SessionTranscriptBytes decoding. */

#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "mdoc/mdoc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_transcript_t st;
	uint8_t *again = NULL, salt[32];
	size_t again_len = 0;

	if (tsr_transcript_decode(data, size, &st) != TSR_OK)
		return 0;
	if (tsr_transcript_encode(&st, &again, &again_len) != TSR_OK)
		abort();
	fuzz_expect_same(again, again_len, st.bytes.ptr, st.bytes.len);
	free(again);
	if (tsr_transcript_salt(&st, salt) != TSR_OK)
		abort();
	tsr_transcript_clear(&st);
	return 0;
}
