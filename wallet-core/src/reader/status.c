/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Revocation status of a document from offline Token Status Lists
 * (draft-ietf-oauth-status-list, CWT form; 18013-5 2nd edition MSO
 * `status.status_list`). A list only counts when its signature verifies,
 * its signer chains to the same trusted IACA as the document's DS with the
 * DS extended key usage, and it is fresh at the verification time. Without
 * such a list the status is "unknown", never "revoked".
 */

#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "reader/reader-private.h"
#include "reader/status.h"

#define CWT_TAG 61
#define MAX_STATUS_LISTS 256
/* Largest token we accept: a fully random 16M-entry 1-bit list deflates
 * to about 2 MiB. */
#define STATUS_TOKEN_MAX ((size_t)8 * 1024 * 1024)
/* Tolerated clock difference for a list's iat. */
#define IAT_SKEW 300

void
tsr_status_list_clear(tsr_status_list_t *list)
{
	if (list == NULL)
		return;
	tsr_cose_msg_clear(&list->msg);
	tsr_cbor_doc_free(list->claims_doc);
	tsr_cbor_doc_free(list->doc);
	free(list->uri);
	free(list->lst);
	memset(list, 0, sizeof(*list));
}

/* Inflates a zlib stream, refusing output beyond max_out bytes. */
static int
inflate_bounded(const uint8_t *in, size_t in_len, size_t max_out, uint8_t **ret_ptr,
    size_t *ret_len)
{
	z_stream zs;
	uint8_t *buf = NULL, *p;
	size_t cap = 0, len = 0;
	int r = TSR_ERR_INTERNAL, zr = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (in_len > UINT32_MAX)
		return TSR_ERR_LIMIT;
	if (inflateInit(&zs) != Z_OK)
		return TSR_ERR_NO_MEMORY;
	zs.next_in = in;
	zs.avail_in = (uInt)in_len;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap == 0 ? 4096 : cap * 2;

			if (cap >= max_out) {
				r = TSR_ERR_LIMIT;
				goto out;
			}
			if (ncap > max_out)
				ncap = max_out;
			if ((p = realloc(buf, ncap)) == NULL) {
				r = TSR_ERR_NO_MEMORY;
				goto out;
			}
			buf = p;
			cap = ncap;
		}
		zs.next_out = buf + len;
		zs.avail_out = (uInt)(cap - len);
		zr = inflate(&zs, Z_NO_FLUSH);
		len = cap - zs.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_MEM_ERROR) {
			r = TSR_ERR_NO_MEMORY;
			goto out;
		}
		if (zr != Z_OK && !(zr == Z_BUF_ERROR && zs.avail_out == 0)) {
			r = TSR_ERR_MDOC_MALFORMED; /* corrupt or truncated */
			goto out;
		}
		if (zr == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
			r = TSR_ERR_MDOC_MALFORMED; /* input ends mid-stream */
			goto out;
		}
	}
	if (zs.avail_in != 0 || len == 0) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto out;
	}
	*ret_ptr = buf;
	*ret_len = len;
	buf = NULL;
	r = TSR_OK;
out:
	inflateEnd(&zs);
	free(buf);
	return r;
}

static bool
get_uint(const tsr_cbor_item_t *item, int64_t *ret)
{
	if (!tsr_cbor_is(item, TSR_CBOR_UINT) || item->u.uint > INT64_MAX)
		return false;
	*ret = (int64_t)item->u.uint;
	return true;
}

/* StatusList = {"bits": 1 / 2 / 4 / 8, "lst": bstr, ? "aggregation_uri": tstr} */
static int
decode_status_list_claim(const tsr_cbor_item_t *sl, tsr_status_list_t *list)
{
	static const char *const keys[] = { "bits", "lst", "aggregation_uri", NULL };
	const tsr_cbor_item_t *bits = tsr_cbor_map_find_tstr(sl, "bits");
	const tsr_cbor_item_t *lst = tsr_cbor_map_find_tstr(sl, "lst");
	const tsr_cbor_item_t *agg = tsr_cbor_map_find_tstr(sl, "aggregation_uri");
	size_t max_bytes;
	int r;

	if (!tsr_cbor_is(sl, TSR_CBOR_MAP) || !tsr_cbor_map_keys_within(sl, keys, NULL, 0) ||
	    !tsr_cbor_is(bits, TSR_CBOR_UINT) || !tsr_cbor_is(lst, TSR_CBOR_BSTR) ||
	    (agg != NULL && !tsr_cbor_is(agg, TSR_CBOR_TSTR)))
		return TSR_ERR_MDOC_MALFORMED;
	if (bits->u.uint != 1 && bits->u.uint != 2 && bits->u.uint != 4 && bits->u.uint != 8)
		return TSR_ERR_MDOC_MALFORMED;
	list->bits = (unsigned)bits->u.uint;
	max_bytes = TSR_STATUS_LIST_MAX_ENTRIES / (8 / list->bits);
	if ((r = inflate_bounded(lst->u.str.ptr, lst->u.str.len, max_bytes, &list->lst,
	    &list->lst_len)) != TSR_OK)
		return r;
	list->n_entries = list->lst_len * (8 / list->bits);
	return TSR_OK;
}

/* Status list claims: {2: sub, 6: iat, ? 4: exp, ? 65534: ttl, 65533: StatusList, * any} */
static int
decode_claims(tsr_span_t payload, tsr_status_list_t *list)
{
	const tsr_cbor_item_t *map, *sub, *iat, *exp, *ttl;
	int r;

	if ((r = tsr_cbor_decode(payload.ptr, payload.len, NULL, &list->claims_doc)) != TSR_OK)
		return r;
	map = tsr_cbor_doc_root(list->claims_doc);
	if (!tsr_cbor_is(map, TSR_CBOR_MAP))
		return TSR_ERR_MDOC_MALFORMED;
	sub = tsr_cbor_map_find_int(map, TSR_CWT_SUB);
	iat = tsr_cbor_map_find_int(map, TSR_CWT_IAT);
	exp = tsr_cbor_map_find_int(map, TSR_CWT_EXP);
	ttl = tsr_cbor_map_find_int(map, TSR_CWT_TTL);
	if (!tsr_cbor_is(sub, TSR_CBOR_TSTR) || !get_uint(iat, &list->iat) ||
	    (exp != NULL && !get_uint(exp, &list->exp)) ||
	    (ttl != NULL && !get_uint(ttl, &list->ttl)))
		return TSR_ERR_MDOC_MALFORMED;
	list->has_exp = exp != NULL;
	list->has_ttl = ttl != NULL;
	if ((r = tsr_cbor_tstr_dup(sub, &list->uri)) != TSR_OK)
		return r == TSR_ERR_NO_MEMORY ? r : TSR_ERR_MDOC_MALFORMED;
	return decode_status_list_claim(tsr_cbor_map_find_int(map, TSR_CWT_STATUS_LIST), list);
}

int
tsr_status_list_decode(const uint8_t *ptr, size_t len, tsr_status_list_t *ret)
{
	const tsr_cbor_item_t *root, *typ;
	tsr_status_list_t list;
	int r = TSR_ERR_INTERNAL;

	memset(&list, 0, sizeof(list));
	if (ptr == NULL || ret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > STATUS_TOKEN_MAX)
		return TSR_ERR_LIMIT;
	if ((r = tsr_cbor_decode(ptr, len, NULL, &list.doc)) != TSR_OK)
		goto fail;
	root = tsr_cbor_doc_root(list.doc);
	if (tsr_cbor_untag(root, CWT_TAG) != NULL)
		root = tsr_cbor_untag(root, CWT_TAG);
	if ((r = tsr_cose_sign1_decode(root, &list.msg)) != TSR_OK)
		goto fail;
	typ = tsr_cbor_map_find_int(tsr_cbor_doc_root(list.msg.protected_doc), TSR_COSE_HDR_TYP);
	if (list.msg.detached || (typ != NULL && !tsr_cbor_tstr_eq(typ, TSR_STATUS_LIST_TYP))) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	if ((r = decode_claims(list.msg.payload, &list)) != TSR_OK)
		goto fail;
	*ret = list;
	return TSR_OK;
fail:
	tsr_status_list_clear(&list);
	return r;
}

int
tsr_status_list_get(const tsr_status_list_t *list, uint64_t idx, unsigned *ret_status)
{
	size_t per_byte, byte;
	unsigned shift;

	if (list == NULL || ret_status == NULL || list->bits == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if (idx >= list->n_entries)
		return TSR_ERR_NOT_FOUND;
	/* Entry 0 sits in the least significant bits of byte 0 (draft §4.1). */
	per_byte = 8 / list->bits;
	byte = (size_t)idx / per_byte;
	shift = (unsigned)((size_t)idx % per_byte) * list->bits;
	*ret_status = (unsigned)(list->lst[byte] >> shift) & ((1u << list->bits) - 1u);
	return TSR_OK;
}

/* Status = {? "status_list": {"idx": uint, "uri": tstr, ? "certificate": bstr}, ...} */
bool
tsr_mso_status_ref(const tsr_mso_t *mso, uint64_t *ret_idx, tsr_span_t *ret_uri)
{
	const tsr_cbor_item_t *sl, *idx, *uri;

	if (mso == NULL || mso->status == NULL)
		return false;
	sl = tsr_cbor_map_find_tstr(mso->status, "status_list");
	idx = tsr_cbor_map_find_tstr(sl, "idx");
	uri = tsr_cbor_map_find_tstr(sl, "uri");
	if (!tsr_cbor_is(sl, TSR_CBOR_MAP) || !tsr_cbor_is(idx, TSR_CBOR_UINT) ||
	    !tsr_cbor_is(uri, TSR_CBOR_TSTR))
		return false;
	*ret_idx = idx->u.uint;
	*ret_uri = uri->u.str;
	return true;
}

/* --- The verifier's side --- */

int
tsr_verifier_add_status_list(tsr_verifier_t *verifier, const uint8_t *token, size_t len)
{
	tsr_status_list_t list, *lists;
	int r;

	if (verifier == NULL || token == NULL || len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if (verifier->n_status_lists >= MAX_STATUS_LISTS)
		return TSR_ERR_LIMIT;
	if ((r = tsr_status_list_decode(token, len, &list)) != TSR_OK)
		return r;
	lists = realloc(verifier->status_lists,
	    (verifier->n_status_lists + 1) * sizeof(*verifier->status_lists));
	if (lists == NULL) {
		tsr_status_list_clear(&list);
		return TSR_ERR_NO_MEMORY;
	}
	lists[verifier->n_status_lists++] = list;
	verifier->status_lists = lists;
	return TSR_OK;
}

void
tsr_verifier_status_free(tsr_verifier_t *verifier)
{
	if (verifier == NULL)
		return;
	for (size_t i = 0; i < verifier->n_status_lists; i++)
		tsr_status_list_clear(&verifier->status_lists[i]);
	free(verifier->status_lists);
	verifier->status_lists = NULL;
	verifier->n_status_lists = 0;
}

/* NULL when the list may be used for out's document at ctx->now; otherwise
 * why not, as a static string. */
static const char *
list_unusable(const tsr_verify_ctx_t *ctx, const tsr_status_list_t *list,
    const tsr_verified_doc_t *out)
{
	const tsr_x509_t *anchors = ctx->verifier->anchors;
	tsr_ec_pub_t signer;
	uint32_t flags = 0;
	size_t anchor = 0;
	char *anchor_subject = NULL;
	bool same_iaca;
	int r;

	if (list->msg.x5chain == NULL)
		return "status list carries no certificate";
	if (tsr_x509_public_key(list->msg.x5chain, 0, &signer) != TSR_OK ||
	    tsr_cose_sign1_verify(&list->msg, &signer, NULL, 0) != TSR_OK)
		return "status list signature invalid";
	if (anchors == NULL || out->iaca_subject == NULL)
		return "status list signer not trusted";
	r = tsr_x509_verify_chain(list->msg.x5chain, anchors, ctx->now, TSR_OID_EKU_MDL_DS,
	    &flags, &anchor);
	if ((r != TSR_OK && r != TSR_ERR_VERIFY) ||
	    (flags & (TSR_X509_UNTRUSTED | TSR_X509_KEY_USAGE | TSR_X509_EXT_KEY_USAGE |
	    TSR_X509_BAD_LEAF)))
		return "status list signer not trusted";
	if (flags & (TSR_X509_EXPIRED | TSR_X509_NOT_YET_VALID))
		return "status list signer certificate not valid now";
	if (tsr_x509_subject(anchors, anchor, &anchor_subject) != TSR_OK)
		return "status list signer not trusted";
	same_iaca = strcmp(anchor_subject, out->iaca_subject) == 0;
	free(anchor_subject);
	if (!same_iaca)
		return "status list signed under another IACA";
	if (list->iat > ctx->now + IAT_SKEW)
		return "status list issued in the future";
	if ((list->has_exp && ctx->now > list->exp) ||
	    (list->has_ttl && ctx->now > list->iat + list->ttl))
		return "status list expired";
	return NULL;
}

int
tsr_verify_status(const tsr_verify_ctx_t *ctx, const tsr_document_t *doc,
    tsr_verified_doc_t *out)
{
	const tsr_mso_t *mso = &doc->issuer_signed.mso;
	const tsr_status_list_t *best = NULL;
	uint64_t idx = 0;
	tsr_span_t uri;
	unsigned value = 0;

	out->status = TSR_DOC_STATUS_NONE;
	out->status_reason = "";
	if (mso->status == NULL)
		return TSR_OK;
	out->status = TSR_DOC_STATUS_UNKNOWN;
	if (!tsr_mso_status_ref(mso, &idx, &uri)) {
		out->status_reason = "no status list reference in the MSO";
		return TSR_OK;
	}
	out->status_reason = "no status list loaded for its URI";
	for (size_t i = 0; i < ctx->verifier->n_status_lists; i++) {
		const tsr_status_list_t *list = &ctx->verifier->status_lists[i];
		const char *why;

		if (strlen(list->uri) != uri.len || memcmp(list->uri, uri.ptr, uri.len) != 0)
			continue;
		if ((why = list_unusable(ctx, list, out)) != NULL) {
			if (best == NULL)
				out->status_reason = why;
			continue;
		}
		if (best == NULL || list->iat > best->iat)
			best = list;
	}
	if (best == NULL)
		return TSR_OK;
	if (tsr_status_list_get(best, idx, &value) != TSR_OK) {
		out->status_reason = "index beyond the status list";
		return TSR_OK;
	}
	switch (value) {
	case TSR_STATUS_VALID:
		out->status = TSR_DOC_STATUS_VALID;
		out->status_reason = "";
		break;
	case TSR_STATUS_INVALID:
		out->status = TSR_DOC_STATUS_REVOKED;
		out->status_reason = "revoked by its issuer";
		out->reasons |= TSR_REASON_REVOKED;
		break;
	case TSR_STATUS_SUSPENDED:
		out->status = TSR_DOC_STATUS_SUSPENDED;
		out->status_reason = "suspended by its issuer";
		out->reasons |= TSR_REASON_REVOKED;
		break;
	default:
		out->status_reason = "application-specific status value";
		break;
	}
	return TSR_OK;
}

tsr_doc_status_t
tsr_verified_doc_status(const tsr_verified_doc_t *doc)
{
	return doc != NULL ? doc->status : TSR_DOC_STATUS_NONE;
}

const char *
tsr_verified_doc_status_reason(const tsr_verified_doc_t *doc)
{
	return doc != NULL && doc->status_reason != NULL ? doc->status_reason : "";
}

const char *
tsr_doc_status_name(tsr_doc_status_t status)
{
	switch (status) {
	case TSR_DOC_STATUS_NONE:
		return "none";
	case TSR_DOC_STATUS_UNKNOWN:
		return "unknown";
	case TSR_DOC_STATUS_VALID:
		return "valid";
	case TSR_DOC_STATUS_REVOKED:
		return "revoked";
	case TSR_DOC_STATUS_SUSPENDED:
		return "suspended";
	}
	return "unknown";
}
