/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* IssuerSigned with its MSO and IssuerSignedItems, as a wallet receives it
 * from an issuer. A decoded one re-encodes to its input. */

#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "mdoc/mdoc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_cbor_doc_t *doc = NULL;
	tsr_issuer_signed_t is;
	tsr_cbor_enc_t enc;
	uint8_t *again = NULL;
	size_t again_len = 0;

	if (tsr_cbor_decode(data, size, NULL, &doc) != TSR_OK)
		return 0;
	if (tsr_issuer_signed_decode(tsr_cbor_doc_root(doc), &is) == TSR_OK) {
		tsr_cbor_enc_init(&enc);
		tsr_issuer_signed_encode(&enc, &is);
		if (tsr_cbor_enc_finish(&enc, &again, &again_len) == TSR_OK)
			fuzz_expect_same(again, again_len, data, size);
		free(again);
		tsr_issuer_signed_clear(&is);
	}
	tsr_cbor_doc_free(doc);
	return 0;
}
