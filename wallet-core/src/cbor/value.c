/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Public text forms of CBOR (value.h). */

#include <tessera/value.h>

#include "cbor/codec.h"

enum text_form {
	FORM_DIAG,
	FORM_DIAG_EXPANDED,
	FORM_JSON,
};

static int
to_text(const uint8_t *cbor, size_t len, enum text_form form, char **ret_text)
{
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *root;
	tsr_buf_t out;
	uint8_t *ptr = NULL;
	size_t n = 0;
	int r = TSR_ERR_INTERNAL;

	tsr_buf_init(&out);
	if ((cbor == NULL && len > 0) || ret_text == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = tsr_cbor_decode(cbor, len, NULL, &doc)) != TSR_OK)
		goto out;
	root = tsr_cbor_doc_root(doc);
	if (form == FORM_JSON)
		r = tsr_cbor_json(root, &out);
	else
		r = tsr_cbor_diag(root, form == FORM_DIAG_EXPANDED, &out);
	if (r != TSR_OK || (r = tsr_buf_append_byte(&out, 0)) != TSR_OK ||
	    (r = tsr_buf_steal(&out, &ptr, &n)) != TSR_OK)
		goto out;
	*ret_text = (char *)ptr;
	r = TSR_OK;
out:
	tsr_buf_free(&out);
	tsr_cbor_doc_free(doc);
	return r;
}

int
tsr_cbor_to_diagnostic(const uint8_t *cbor, size_t len, bool expand_embedded, char **ret_text)
{
	return to_text(cbor, len, expand_embedded ? FORM_DIAG_EXPANDED : FORM_DIAG, ret_text);
}

int
tsr_cbor_to_json(const uint8_t *cbor, size_t len, char **ret_json)
{
	return to_text(cbor, len, FORM_JSON, ret_json);
}
