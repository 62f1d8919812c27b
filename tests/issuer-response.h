/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Test-only: wraps an issued IssuerSigned into a DeviceResponse the way a
 * holder would, with deviceSignature made by the device private key over
 * DeviceAuthenticationBytes for a given SessionTranscript. Shared by
 * test-issuer-issue.c and the issuer-make-response helper of the CLI test.
 */
#ifndef TSR_TEST_ISSUER_RESPONSE_H
#define TSR_TEST_ISSUER_RESPONSE_H

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "cose/cose.h"
#include "mdoc/mdoc.h"

/* IssuerSigned (or a Document without deviceSigned) -> DeviceResponse.
 * Returns TSR_OK or an error; *ret_ptr is free()d by the caller. */
static int
issuer_test_response(const uint8_t *issued, size_t issued_len, const tsr_ec_key_t *device_key,
    const uint8_t *transcript, size_t transcript_len, uint8_t **ret_ptr, size_t *ret_len)
{
	static const uint8_t empty_ns[] = { 0xd8, 0x18, 0x41, 0xa0 }; /* 24(<<{}>>) */
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root, *is, *dt = NULL;
	tsr_issuer_signed_t parsed;
	tsr_transcript_t st;
	tsr_cose_signer_t signer;
	tsr_cbor_enc_t enc;
	uint8_t *dab = NULL, *sig = NULL;
	size_t dab_len = 0, sig_len = 0;
	tsr_span_t doc_type;
	int r;

	memset(&st, 0, sizeof(st));
	memset(&parsed, 0, sizeof(parsed));
	tsr_cbor_enc_init(&enc);
	if ((r = tsr_cbor_decode(issued, issued_len, NULL, &doc)) != TSR_OK)
		goto out;
	root = tsr_cbor_doc_root(doc);
	is = tsr_cbor_map_find_tstr(root, "issuerSigned");
	if (is == NULL) {
		is = root;
	} else {
		dt = tsr_cbor_map_find_tstr(root, "docType");
	}
	if ((r = tsr_issuer_signed_decode(is, &parsed)) != TSR_OK)
		goto out;
	doc_type = dt != NULL ? dt->u.str : parsed.mso.doc_type;
	if ((r = tsr_transcript_decode(transcript, transcript_len, &st)) != TSR_OK ||
	    (r = tsr_device_authentication_bytes(&st, doc_type,
	    (tsr_span_t){ empty_ns, sizeof(empty_ns) }, &dab, &dab_len)) != TSR_OK)
		goto out;
	tsr_cose_signer_from_key(device_key, &signer);
	if ((r = tsr_cose_sign1_create(&signer, dab, dab_len, true, NULL, 0, &sig, &sig_len)) !=
	    TSR_OK)
		goto out;
	tsr_cbor_put_map(&enc, 3);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_tstr(&enc, "1.0");
	tsr_cbor_put_tstr(&enc, "documents");
	tsr_cbor_put_array(&enc, 1);
	tsr_cbor_put_map(&enc, 3);
	tsr_cbor_put_tstr(&enc, "docType");
	tsr_cbor_put_tstr_n(&enc, (const char *)doc_type.ptr, doc_type.len);
	tsr_cbor_put_tstr(&enc, "issuerSigned");
	tsr_cbor_put_raw(&enc, is->raw.ptr, is->raw.len);
	tsr_cbor_put_tstr(&enc, "deviceSigned");
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "nameSpaces");
	tsr_cbor_put_raw(&enc, empty_ns, sizeof(empty_ns));
	tsr_cbor_put_tstr(&enc, "deviceAuth");
	tsr_cbor_put_map(&enc, 1);
	tsr_cbor_put_tstr(&enc, "deviceSignature");
	tsr_cbor_put_raw(&enc, sig, sig_len);
	tsr_cbor_put_tstr(&enc, "status");
	tsr_cbor_put_uint(&enc, 0);
	r = tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
out:
	tsr_cbor_enc_free(&enc);
	tsr_issuer_signed_clear(&parsed);
	tsr_transcript_clear(&st);
	tsr_cbor_doc_free(doc);
	free(dab);
	free(sig);
	return r;
}

#endif /* TSR_TEST_ISSUER_RESPONSE_H */
