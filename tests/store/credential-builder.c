/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "credential-builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "cbor/codec.h"
#include "cose/cose.h"
#include "mdoc/mdoc.h"

static int
read_file(const char *dir, const char *name, uint8_t **ret_ptr, size_t *ret_len)
{
	char path[4096];
	uint8_t *buf = NULL;
	long n;
	FILE *f;
	int r = TSR_ERR_IO;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return TSR_ERR_IO;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((buf = malloc((size_t)n + 1)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		goto out;
	buf[n] = 0;
	*ret_ptr = buf;
	*ret_len = (size_t)n;
	buf = NULL;
	r = TSR_OK;
out:
	free(buf);
	fclose(f);
	return r;
}

static void
put_tdate(tsr_cbor_enc_t *enc, int64_t t)
{
	char text[21];

	if (tsr_time_format(t, text) != TSR_OK)
		enc->error = TSR_ERR_BAD_TIME;
	tsr_cbor_put_tag(enc, 0);
	tsr_cbor_put_tstr(enc, text);
}

/* MobileSecurityObjectBytes for the items of is, bound to device_key. */
static int
build_mso(const tsr_issuer_signed_t *is, const tsr_ec_pub_t *device_key, int64_t signed_at,
    int64_t valid_from, int64_t valid_until, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc, outer;
	uint8_t digest[32], *mso = NULL;
	size_t mso_len = 0;
	int r;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, 6);
	tsr_cbor_put_tstr(&enc, "version");
	tsr_cbor_put_tstr(&enc, "1.0");
	tsr_cbor_put_tstr(&enc, "digestAlgorithm");
	tsr_cbor_put_tstr(&enc, "SHA-256");
	tsr_cbor_put_tstr(&enc, "valueDigests");
	tsr_cbor_put_map(&enc, is->n_ns);
	for (size_t i = 0; i < is->n_ns; i++) {
		tsr_cbor_put_tstr_n(&enc, (const char *)is->ns[i].name.ptr, is->ns[i].name.len);
		tsr_cbor_put_map(&enc, is->ns[i].n_items);
		for (size_t j = 0; j < is->ns[i].n_items; j++) {
			const tsr_issuer_item_t *item = &is->ns[i].items[j];

			if ((r = tsr_hash(TSR_HASH_SHA256, item->bytes.ptr, item->bytes.len,
			    digest)) != TSR_OK)
				enc.error = r;
			tsr_cbor_put_uint(&enc, item->digest_id);
			tsr_cbor_put_bstr(&enc, digest, sizeof(digest));
		}
	}
	tsr_cbor_put_tstr(&enc, "deviceKeyInfo");
	tsr_cbor_put_map(&enc, 1);
	tsr_cbor_put_tstr(&enc, "deviceKey");
	tsr_cose_key_encode(&enc, device_key);
	tsr_cbor_put_tstr(&enc, "docType");
	tsr_cbor_put_tstr(&enc, TSR_DOCTYPE_MDL);
	tsr_cbor_put_tstr(&enc, "validityInfo");
	tsr_cbor_put_map(&enc, 3);
	tsr_cbor_put_tstr(&enc, "signed");
	put_tdate(&enc, signed_at);
	tsr_cbor_put_tstr(&enc, "validFrom");
	put_tdate(&enc, valid_from);
	tsr_cbor_put_tstr(&enc, "validUntil");
	put_tdate(&enc, valid_until);
	if ((r = tsr_cbor_enc_finish(&enc, &mso, &mso_len)) != TSR_OK)
		goto out;
	tsr_cbor_enc_init(&outer);
	tsr_cbor_put_embedded(&outer, mso, mso_len);
	r = tsr_cbor_enc_finish(&outer, ret_ptr, ret_len);
	tsr_cbor_enc_free(&outer);
out:
	tsr_cbor_enc_free(&enc);
	free(mso);
	return r;
}

int
tsr_test_credential_build(const char *data_dir, const tsr_ec_pub_t *device_key,
    int64_t signed_at, int64_t valid_from, int64_t valid_until, uint8_t **ret_ptr,
    size_t *ret_len)
{
	uint8_t *annex = NULL, *key_pem = NULL, *ds = NULL, *mso = NULL, *sign1 = NULL;
	size_t annex_len = 0, key_len = 0, ds_len = 0, mso_len = 0, sign1_len = 0;
	tsr_cbor_doc_t *doc = NULL;
	tsr_issuer_signed_t is;
	tsr_ec_key_t *ds_key = NULL;
	tsr_cose_signer_t signer;
	tsr_cbor_enc_t enc;
	tsr_span_t chain;
	int r;

	memset(&is, 0, sizeof(is));
	tsr_cbor_enc_init(&enc);
	if ((r = read_file(data_dir, "annex-d/issuer_signed.cbor", &annex, &annex_len)) != TSR_OK ||
	    (r = read_file(data_dir, "store/ds_key.pem", &key_pem, &key_len)) != TSR_OK ||
	    (r = read_file(data_dir, "store/ds.der", &ds, &ds_len)) != TSR_OK)
		goto out;
	if ((r = tsr_cbor_decode(annex, annex_len, NULL, &doc)) != TSR_OK ||
	    (r = tsr_issuer_signed_decode(tsr_cbor_doc_root(doc), &is)) != TSR_OK ||
	    (r = tsr_ec_key_parse(key_pem, key_len + 1, &ds_key)) != TSR_OK)
		goto out;
	if ((r = build_mso(&is, device_key, signed_at, valid_from, valid_until, &mso,
	    &mso_len)) != TSR_OK)
		goto out;
	tsr_cose_signer_from_key(ds_key, &signer);
	chain.ptr = ds;
	chain.len = ds_len;
	if ((r = tsr_cose_sign1_create(&signer, mso, mso_len, false, &chain, 1, &sign1,
	    &sign1_len)) != TSR_OK)
		goto out;

	tsr_cbor_put_map(&enc, 2);
	tsr_cbor_put_tstr(&enc, "nameSpaces");
	tsr_cbor_put_map(&enc, is.n_ns);
	for (size_t i = 0; i < is.n_ns; i++) {
		tsr_cbor_put_tstr_n(&enc, (const char *)is.ns[i].name.ptr, is.ns[i].name.len);
		tsr_cbor_put_array(&enc, is.ns[i].n_items);
		for (size_t j = 0; j < is.ns[i].n_items; j++)
			tsr_cbor_put_raw(&enc, is.ns[i].items[j].bytes.ptr,
			    is.ns[i].items[j].bytes.len);
	}
	tsr_cbor_put_tstr(&enc, "issuerAuth");
	tsr_cbor_put_raw(&enc, sign1, sign1_len);
	r = tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
out:
	tsr_cbor_enc_free(&enc);
	tsr_issuer_signed_clear(&is);
	tsr_cbor_doc_free(doc);
	tsr_ec_key_free(ds_key);
	free(annex);
	free(key_pem);
	free(ds);
	free(mso);
	free(sign1);
	return r;
}

int
tsr_test_credential_build_cose(const char *data_dir, const uint8_t *cose_key, size_t cose_len,
    int64_t signed_at, int64_t valid_from, int64_t valid_until, uint8_t **ret_ptr,
    size_t *ret_len)
{
	tsr_ec_pub_t pub;
	int r;

	if ((r = tsr_cose_key_from_bytes(cose_key, cose_len, &pub)) != TSR_OK)
		return r;
	return tsr_test_credential_build(data_dir, &pub, signed_at, valid_from, valid_until,
	    ret_ptr, ret_len);
}
