/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* ReaderAuth verification (18013-5 §9.1.4), shared by the holder, which
 * judges who asks, and the reader tools, which check their own requests. */

#include <stdlib.h>

#include <tessera/err.h>

#include "mdoc/mdoc.h"

int
tsr_reader_auth_check(const tsr_doc_request_t *dr, const tsr_transcript_t *st,
    const tsr_x509_t *roots, int64_t now, uint32_t *ret_flags, char **ret_subject)
{
	const tsr_cose_msg_t *auth = &dr->reader_auth;
	uint8_t *rab = NULL;
	size_t rab_len = 0;
	tsr_ec_pub_t reader_key;
	uint32_t flags = TSR_X509_UNTRUSTED;
	int r = TSR_ERR_INTERNAL;

	if (!dr->has_reader_auth)
		return TSR_ERR_NOT_FOUND;
	if (auth->x5chain == NULL)
		return TSR_ERR_COSE_NO_X5CHAIN;
	if (ret_subject != NULL && *ret_subject == NULL &&
	    (r = tsr_x509_subject(auth->x5chain, 0, ret_subject)) != TSR_OK)
		return r;
	if ((r = tsr_x509_public_key(auth->x5chain, 0, &reader_key)) != TSR_OK ||
	    (r = tsr_reader_authentication_bytes(st, dr->items_bytes, &rab, &rab_len)) != TSR_OK ||
	    (r = tsr_cose_sign1_verify(auth, &reader_key, rab, rab_len)) != TSR_OK)
		goto out;
	if (roots != NULL && tsr_x509_count(roots) > 0) {
		r = tsr_x509_verify_chain(auth->x5chain, roots, now, TSR_OID_EKU_MDL_READER_AUTH,
		    &flags, NULL);
		if (r == TSR_OK)
			flags = 0;
		else if (r != TSR_ERR_VERIFY)
			goto out;
	}
	*ret_flags = flags;
	r = TSR_OK;
out:
	free(rab);
	return r;
}
