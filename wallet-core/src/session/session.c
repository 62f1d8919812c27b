/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "cose/cose.h"
#include "session/session.h"

/* IV = identifier (8 bytes) || counter (4 bytes, big-endian), §9.1.1.5:
 * identifier 0 for reader-to-mdoc, 1 for mdoc-to-reader. */
static void
make_iv(bool from_mdoc, uint32_t counter, uint8_t iv[TSR_GCM_IV_LEN])
{
	memset(iv, 0, TSR_GCM_IV_LEN);
	iv[7] = from_mdoc ? 1 : 0;
	iv[8] = (uint8_t)(counter >> 24);
	iv[9] = (uint8_t)(counter >> 16);
	iv[10] = (uint8_t)(counter >> 8);
	iv[11] = (uint8_t)counter;
}

int
tsr_session_init(tsr_session_t *s, tsr_session_role_t role, const uint8_t *z, size_t z_len,
    const tsr_transcript_t *st)
{
	uint8_t salt[32];
	int r = TSR_ERR_INTERNAL;

	if (s == NULL || z == NULL || st == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	memset(s, 0, sizeof(*s));
	if ((r = tsr_transcript_salt(st, salt)) != TSR_OK ||
	    (r = tsr_hkdf_sha256(salt, sizeof(salt), z, z_len, (const uint8_t *)"SKReader", 8,
	    s->sk_reader, sizeof(s->sk_reader))) != TSR_OK ||
	    (r = tsr_hkdf_sha256(salt, sizeof(salt), z, z_len, (const uint8_t *)"SKDevice", 8,
	    s->sk_device, sizeof(s->sk_device))) != TSR_OK) {
		tsr_session_clear(s);
		return r;
	}
	s->role = role;
	s->send_counter = 1;
	s->recv_counter = 1;
	return TSR_OK;
}

void
tsr_session_clear(tsr_session_t *s)
{
	if (s != NULL)
		tsr_zeroize(s, sizeof(*s));
}

int
tsr_session_encrypt(tsr_session_t *s, const uint8_t *pt, size_t len, uint8_t **ret_ct,
    size_t *ret_ct_len)
{
	bool from_mdoc;
	uint8_t iv[TSR_GCM_IV_LEN], *ct;
	int r;

	if (s == NULL || (pt == NULL && len > 0) || ret_ct == NULL || ret_ct_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* A counter must never be reused under the same key. */
	if (s->send_counter == 0 || len > TSR_BUF_MAX)
		return TSR_ERR_LIMIT;
	from_mdoc = s->role == TSR_SESSION_MDOC;
	if ((ct = malloc(len + TSR_GCM_TAG_LEN)) == NULL)
		return TSR_ERR_NO_MEMORY;
	make_iv(from_mdoc, s->send_counter, iv);
	if ((r = tsr_aes256gcm_encrypt(from_mdoc ? s->sk_device : s->sk_reader, iv, pt, len,
	    ct)) != TSR_OK) {
		free(ct);
		return r;
	}
	s->send_counter++;
	*ret_ct = ct;
	*ret_ct_len = len + TSR_GCM_TAG_LEN;
	return TSR_OK;
}

int
tsr_session_decrypt(tsr_session_t *s, const uint8_t *ct, size_t len, uint8_t **ret_pt,
    size_t *ret_pt_len)
{
	bool from_mdoc;
	uint8_t iv[TSR_GCM_IV_LEN], *pt;
	int r;

	if (s == NULL || ct == NULL || ret_pt == NULL || ret_pt_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (len < TSR_GCM_TAG_LEN)
		return TSR_ERR_CRYPTO_DECRYPT;
	if (s->recv_counter == 0)
		return TSR_ERR_LIMIT;
	from_mdoc = s->role == TSR_SESSION_READER; /* the peer's direction */
	if ((pt = malloc(len - TSR_GCM_TAG_LEN + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	make_iv(from_mdoc, s->recv_counter, iv);
	if ((r = tsr_aes256gcm_decrypt(from_mdoc ? s->sk_device : s->sk_reader, iv, ct, len,
	    pt)) != TSR_OK) {
		free(pt);
		return r;
	}
	s->recv_counter++;
	*ret_pt = pt;
	*ret_pt_len = len - TSR_GCM_TAG_LEN;
	return TSR_OK;
}

void
tsr_session_establishment_clear(tsr_session_establishment_t *se)
{
	if (se == NULL)
		return;
	tsr_cbor_doc_free(se->doc);
	memset(se, 0, sizeof(*se));
}

int
tsr_session_establishment_decode(const uint8_t *ptr, size_t len,
    tsr_session_establishment_t *ret)
{
	static const char *const keys[] = { "eReaderKey", "data", NULL };
	const tsr_cbor_item_t *root, *key, *inner, *data;
	tsr_session_establishment_t se;
	int r = TSR_ERR_INTERNAL;

	memset(&se, 0, sizeof(se));
	if ((r = tsr_cbor_decode(ptr, len, NULL, &se.doc)) != TSR_OK)
		goto fail;
	root = tsr_cbor_doc_root(se.doc);
	key = tsr_cbor_map_find_tstr(root, "eReaderKey");
	data = tsr_cbor_map_find_tstr(root, "data");
	inner = tsr_cbor_untag(key, 24);
	if (!tsr_cbor_map_keys_within(root, keys, NULL, 0) || !tsr_cbor_is(inner, TSR_CBOR_BSTR) ||
	    !tsr_cbor_is(data, TSR_CBOR_BSTR)) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if ((r = tsr_cose_key_from_bytes(inner->u.str.ptr, inner->u.str.len,
	    &se.e_reader_key)) != TSR_OK)
		goto fail;
	se.e_reader_key_bytes = key->raw;
	se.data = data->u.str;
	*ret = se;
	return TSR_OK;
fail:
	tsr_session_establishment_clear(&se);
	return r;
}

int
tsr_session_establishment_encode(tsr_span_t e_reader_key_bytes, const uint8_t *data,
    size_t data_len, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "eReaderKey");
	tsr_cbor_put_raw(&enc, e_reader_key_bytes.ptr, e_reader_key_bytes.len);
	tsr_cbor_put_tstr(&enc, "data");
	tsr_cbor_put_bstr(&enc, data, data_len);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

void
tsr_session_data_clear(tsr_session_data_t *sd)
{
	if (sd == NULL)
		return;
	tsr_cbor_doc_free(sd->doc);
	memset(sd, 0, sizeof(*sd));
}

int
tsr_session_data_decode(const uint8_t *ptr, size_t len, tsr_session_data_t *ret)
{
	static const char *const keys[] = { "data", "status", NULL };
	const tsr_cbor_item_t *root, *data, *status;
	tsr_session_data_t sd;
	int r = TSR_ERR_INTERNAL;

	memset(&sd, 0, sizeof(sd));
	if ((r = tsr_cbor_decode(ptr, len, NULL, &sd.doc)) != TSR_OK)
		goto fail;
	root = tsr_cbor_doc_root(sd.doc);
	data = tsr_cbor_map_find_tstr(root, "data");
	status = tsr_cbor_map_find_tstr(root, "status");
	if (!tsr_cbor_map_keys_within(root, keys, NULL, 0) || (data == NULL && status == NULL) ||
	    (data != NULL && !tsr_cbor_is(data, TSR_CBOR_BSTR)) ||
	    (status != NULL && !tsr_cbor_is(status, TSR_CBOR_UINT))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if (data != NULL) {
		sd.has_data = true;
		sd.data = data->u.str;
	}
	if (status != NULL) {
		sd.has_status = true;
		sd.status = status->u.uint;
	}
	*ret = sd;
	return TSR_OK;
fail:
	tsr_session_data_clear(&sd);
	return r;
}

int
tsr_session_data_encode(const uint8_t *data, size_t data_len, int status, uint8_t **ret_ptr,
    size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	if (data == NULL && status < 0)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, (data != NULL ? 1u : 0u) + (status >= 0 ? 1u : 0u));
	if (data != NULL) {
		tsr_cbor_put_tstr(&enc, "data");
		tsr_cbor_put_bstr(&enc, data, data_len);
	}
	if (status >= 0) {
		tsr_cbor_put_tstr(&enc, "status");
		tsr_cbor_put_uint(&enc, (uint64_t)status);
	}
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

int
tsr_session_transcript_build(const uint8_t *engagement, size_t engagement_len,
    tsr_span_t e_reader_key_bytes, tsr_span_t handover, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	if (engagement == NULL || e_reader_key_bytes.ptr == NULL || handover.ptr == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 3);
	tsr_cbor_put_embedded(&enc, engagement, engagement_len);
	tsr_cbor_put_raw(&enc, e_reader_key_bytes.ptr, e_reader_key_bytes.len);
	tsr_cbor_put_raw(&enc, handover.ptr, handover.len);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}
