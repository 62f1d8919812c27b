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
	for (size_t i = 0; i < req.n_reqs; i++) {
		uint32_t flags = 0;

		if ((r = tsr_reader_auth_check(&req.reqs[i], &st, anchors, now, &flags,
		    &subject)) != TSR_OK)
			break;
		if (flags != 0) {
			r = chain_error(flags);
			break;
		}
	}
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
