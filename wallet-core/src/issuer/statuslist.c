/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Status List Tokens (draft-ietf-oauth-status-list, CWT form) signed with
 * the DS key. The verifier's side is src/reader/status.c. */

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <tessera/tessera.h>

#include "issuer/issuer-private.h"
#include "reader/status.h"

#define COSE_TAG_SIGN1 18

static int
deflate_bits(const uint8_t *revoked, size_t n, uint8_t **ret_ptr, size_t *ret_len)
{
	size_t raw_len = (n + 7) / 8;
	uint8_t *raw = NULL, *z = NULL;
	uLongf z_len;
	int r = TSR_ERR_INTERNAL;

	if ((raw = calloc(raw_len, 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	/* Entry i is bit i % 8 of byte i / 8, least significant first. */
	for (size_t i = 0; i < n; i++)
		if (revoked[i] != 0)
			raw[i / 8] |= (uint8_t)(1u << (i % 8));
	z_len = compressBound((uLong)raw_len);
	if ((z = malloc(z_len)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (compress2(z, &z_len, raw, (uLong)raw_len, Z_BEST_COMPRESSION) != Z_OK) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	*ret_ptr = z;
	*ret_len = z_len;
	z = NULL;
	r = TSR_OK;
out:
	free(raw);
	free(z);
	return r;
}

static int
to_be_signed(const uint8_t *prot, size_t prot_len, const uint8_t *payload, size_t len,
    uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_tstr(&enc, "Signature1");
	tsr_cbor_put_bstr(&enc, prot, prot_len);
	tsr_cbor_put_bstr(&enc, NULL, 0);
	tsr_cbor_put_bstr(&enc, payload, len);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

int
tsr_issuer_status_list_create(const tsr_issuer_t *issuer, const uint8_t *revoked, size_t n,
    const char *uri, int64_t iat, int64_t exp, int64_t ttl, uint8_t **ret_ptr, size_t *ret_len)
{
	uint8_t *lst = NULL, *prot = NULL, *claims = NULL, *tbs = NULL, sig[TSR_ECDSA_RAW_MAX];
	size_t lst_len = 0, prot_len = 0, claims_len = 0, tbs_len = 0, sig_len = sizeof(sig);
	tsr_cbor_enc_t enc;
	int r = TSR_ERR_INTERNAL;

	tsr_cbor_enc_init(&enc);
	if (issuer == NULL || revoked == NULL || uri == NULL || uri[0] == '\0' || iat < 0 ||
	    exp <= iat || ttl < 0 || ret_ptr == NULL || ret_len == NULL || n == 0) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (n > TSR_STATUS_LIST_MAX_ENTRIES) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if ((r = deflate_bits(revoked, n, &lst, &lst_len)) != TSR_OK)
		goto out;

	/* Protected header {1: alg, 16: "application/statuslist+cwt"} */
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_int(&enc, TSR_COSE_HDR_ALG);
	tsr_cbor_put_int(&enc, issuer->signer.alg);
	tsr_cbor_put_int(&enc, TSR_COSE_HDR_TYP);
	tsr_cbor_put_tstr(&enc, TSR_STATUS_LIST_TYP);
	if ((r = tsr_cbor_enc_finish(&enc, &prot, &prot_len)) != TSR_OK)
		goto out;

	/* Claims, integer keys in deterministic order: 2, 4, 6, 65533, 65534;
	 * the status list map's keys: "lst" before "bits" (shorter first). */
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, ttl > 0 ? 5 : 4);
	tsr_cbor_put_uint(&enc, TSR_CWT_SUB);
	tsr_cbor_put_tstr(&enc, uri);
	tsr_cbor_put_uint(&enc, TSR_CWT_EXP);
	tsr_cbor_put_uint(&enc, (uint64_t)exp);
	tsr_cbor_put_uint(&enc, TSR_CWT_IAT);
	tsr_cbor_put_uint(&enc, (uint64_t)iat);
	tsr_cbor_put_uint(&enc, TSR_CWT_STATUS_LIST);
	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "lst");
	tsr_cbor_put_bstr(&enc, lst, lst_len);
	tsr_cbor_put_tstr(&enc, "bits");
	tsr_cbor_put_uint(&enc, 1);
	if (ttl > 0) {
		tsr_cbor_put_uint(&enc, TSR_CWT_TTL);
		tsr_cbor_put_uint(&enc, (uint64_t)ttl);
	}
	if ((r = tsr_cbor_enc_finish(&enc, &claims, &claims_len)) != TSR_OK)
		goto out;

	if ((r = to_be_signed(prot, prot_len, claims, claims_len, &tbs, &tbs_len)) != TSR_OK ||
	    (r = issuer->signer.sign(issuer->signer.ctx, tbs, tbs_len, sig, &sig_len)) != TSR_OK)
		goto out;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_tag(&enc, COSE_TAG_SIGN1);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_bstr(&enc, prot, prot_len);
	tsr_cbor_put_map(&enc, 1);
	tsr_cbor_put_int(&enc, TSR_COSE_HDR_X5CHAIN);
	if (issuer->n_chain > 1)
		tsr_cbor_put_array(&enc, issuer->n_chain);
	for (size_t i = 0; i < issuer->n_chain; i++)
		tsr_cbor_put_bstr(&enc, issuer->chain_der[i].ptr, issuer->chain_der[i].len);
	tsr_cbor_put_bstr(&enc, claims, claims_len);
	tsr_cbor_put_bstr(&enc, sig, sig_len);
	r = tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
out:
	tsr_cbor_enc_free(&enc);
	free(lst);
	free(prot);
	free(claims);
	free(tbs);
	return r;
}
