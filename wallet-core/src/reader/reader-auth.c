/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Reader authentication as the mdoc checks it (18013-5 §9.1.4). */

#include <stdlib.h>
#include <string.h>

#include <tessera/reader.h>

#include "mdoc/mdoc.h"

static int
chain_error(uint32_t flags)
{
	if (flags & TSR_X509_UNTRUSTED)
		return TSR_ERR_CERT_UNTRUSTED;
	if (flags & TSR_X509_EXPIRED)
		return TSR_ERR_CERT_EXPIRED;
	if (flags & TSR_X509_NOT_YET_VALID)
		return TSR_ERR_CERT_NOT_YET_VALID;
	return TSR_ERR_CERT_PROFILE;
}

/* Returns TSR_OK or the first failure of one DocRequest's readerAuth. */
static int
verify_doc_request(const tsr_doc_request_t *dr, const tsr_transcript_t *st,
    const tsr_x509_t *roots, int64_t now, char **ret_subject)
{
	const tsr_cose_msg_t *auth = &dr->reader_auth;
	uint8_t *rab = NULL;
	size_t rab_len = 0;
	tsr_ec_pub_t reader_key;
	uint32_t flags = 0;
	int r = TSR_ERR_INTERNAL;

	if (!dr->has_reader_auth)
		return TSR_ERR_NOT_FOUND;
	if (auth->x5chain == NULL)
		return TSR_ERR_COSE_NO_X5CHAIN;
	if (ret_subject != NULL && *ret_subject == NULL &&
	    (r = tsr_x509_subject(auth->x5chain, 0, ret_subject)) != TSR_OK)
		return r;
	if ((r = tsr_x509_public_key(auth->x5chain, 0, &reader_key)) != TSR_OK ||
	    (r = tsr_reader_authentication_bytes(st, dr->items_bytes, &rab, &rab_len)) != TSR_OK)
		goto out;
	if ((r = tsr_cose_sign1_verify(auth, &reader_key, rab, rab_len)) != TSR_OK)
		goto out;
	r = tsr_x509_verify_chain(auth->x5chain, roots, now, TSR_OID_EKU_MDL_READER_AUTH, &flags,
	    NULL);
	if (r == TSR_ERR_VERIFY)
		r = chain_error(flags);
out:
	free(rab);
	return r;
}

int
tsr_reader_auth_verify(const uint8_t *request, size_t len, const uint8_t *transcript,
    size_t transcript_len, const uint8_t *roots, size_t roots_len, int64_t now,
    char **ret_subject)
{
	tsr_request_t req;
	tsr_transcript_t st;
	tsr_x509_t *anchors = NULL;
	char *subject = NULL;
	int r = TSR_ERR_INTERNAL;

	memset(&req, 0, sizeof(req));
	memset(&st, 0, sizeof(st));
	if (request == NULL || transcript == NULL || roots == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_request_decode(request, len, &req)) != TSR_OK ||
	    (r = tsr_transcript_decode(transcript, transcript_len, &st)) != TSR_OK ||
	    (r = tsr_x509_new(&anchors)) != TSR_OK ||
	    (r = tsr_x509_add(anchors, roots, roots_len)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < req.n_reqs; i++)
		if ((r = verify_doc_request(&req.reqs[i], &st, anchors, now, &subject)) != TSR_OK)
			break;
out:
	if (ret_subject != NULL && subject != NULL && r != TSR_ERR_NO_MEMORY) {
		*ret_subject = subject;
		subject = NULL;
	}
	free(subject);
	tsr_x509_free(anchors);
	tsr_transcript_clear(&st);
	tsr_request_clear(&req);
	return r;
}
