/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* tsr_issuer_t: the Document Signer certificate chain and its key (in
 * memory, or behind a caller's signing callback). */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "issuer/issuer-private.h"

void
tsr_issuer_free(tsr_issuer_t *issuer)
{
	if (issuer == NULL)
		return;
	tsr_ec_key_free(issuer->key);
	free(issuer->chain_der);
	tsr_x509_free(issuer->chain);
	tsr_zeroize(issuer, sizeof(*issuer));
	free(issuer);
}

/* The certificate must be usable as a DS: a leaf with digitalSignature and
 * the 18013-5 DS extended key usage (what readers check). */
static int
check_ds_profile(const tsr_x509_t *chain)
{
	tsr_x509_info_t info;
	tsr_span_t der;
	int r;

	if ((r = tsr_x509_der(chain, 0, &der)) != TSR_OK ||
	    (r = tsr_x509_cert_info(der.ptr, der.len, &info)) != TSR_OK)
		return r;
	if (info.is_ca || !(info.key_usage & TSR_X509_KU_DIGITAL_SIGNATURE) || info.n_eku == 0 ||
	    strcmp(info.eku, TSR_OID_EKU_MDL_DS) != 0)
		return TSR_ERR_CERT_PROFILE;
	return TSR_OK;
}

static int
issuer_load(const uint8_t *cert, size_t len, tsr_issuer_t **ret_issuer)
{
	tsr_issuer_t *iss = NULL;
	int r = TSR_ERR_INTERNAL;

	if (cert == NULL || len == 0 || ret_issuer == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((iss = calloc(1, sizeof(*iss))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_x509_new(&iss->chain)) != TSR_OK ||
	    (r = tsr_x509_add(iss->chain, cert, len)) != TSR_OK)
		goto fail;
	iss->n_chain = tsr_x509_count(iss->chain);
	if ((iss->chain_der = calloc(iss->n_chain, sizeof(*iss->chain_der))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	for (size_t i = 0; i < iss->n_chain; i++)
		if ((r = tsr_x509_der(iss->chain, i, &iss->chain_der[i])) != TSR_OK)
			goto fail;
	if ((r = check_ds_profile(iss->chain)) != TSR_OK ||
	    (r = tsr_x509_public_key(iss->chain, 0, &iss->pub)) != TSR_OK ||
	    (r = tsr_x509_validity(iss->chain, 0, &iss->not_before, &iss->not_after)) != TSR_OK ||
	    (r = tsr_x509_subject_country(iss->chain, 0, iss->country)) != TSR_OK)
		goto fail;
	*ret_issuer = iss;
	return TSR_OK;
fail:
	tsr_issuer_free(iss);
	return r;
}

int
tsr_issuer_new(const uint8_t *ds_cert, size_t ds_cert_len, const uint8_t *ds_key,
    size_t ds_key_len, tsr_issuer_t **ret_issuer)
{
	tsr_issuer_t *iss = NULL;
	tsr_ec_pub_t pub;
	int r = TSR_ERR_INTERNAL;

	if (ds_key == NULL || ret_issuer == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = issuer_load(ds_cert, ds_cert_len, &iss)) != TSR_OK)
		return r;
	if ((r = tsr_ec_key_parse(ds_key, ds_key_len, &iss->key)) != TSR_OK ||
	    (r = tsr_ec_key_public(iss->key, &pub)) != TSR_OK)
		goto fail;
	if (!tsr_ec_pub_equal(&pub, &iss->pub)) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto fail;
	}
	tsr_cose_signer_from_key(iss->key, &iss->signer);
	*ret_issuer = iss;
	return TSR_OK;
fail:
	tsr_issuer_free(iss);
	return r;
}

static int
external_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig, size_t *ret_sig_len)
{
	const tsr_issuer_t *iss = ctx;
	size_t n = 0;
	int r;

	if ((r = iss->sign(iss->user, msg, len, sig, TSR_ECDSA_RAW_MAX, &n)) != TSR_OK)
		return r;
	if (n != 2 * tsr_curve_coord_len(iss->pub.curve))
		return TSR_ERR_CRYPTO_BAD_SIGNATURE;
	*ret_sig_len = n;
	return TSR_OK;
}

int
tsr_issuer_new_with_signer(const uint8_t *ds_cert, size_t ds_cert_len, tsr_issuer_sign_fn sign,
    void *user, tsr_issuer_t **ret_issuer)
{
	tsr_issuer_t *iss = NULL;
	int r;

	if (sign == NULL || ret_issuer == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = issuer_load(ds_cert, ds_cert_len, &iss)) != TSR_OK)
		return r;
	iss->sign = sign;
	iss->user = user;
	iss->signer.alg = tsr_cose_alg_for_curve(iss->pub.curve);
	iss->signer.sign = external_sign;
	iss->signer.ctx = iss;
	*ret_issuer = iss;
	return TSR_OK;
}

int
tsr_issuer_ds_validity(const tsr_issuer_t *issuer, int64_t *ret_not_before,
    int64_t *ret_not_after)
{
	if (issuer == NULL || ret_not_before == NULL || ret_not_after == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	*ret_not_before = issuer->not_before;
	*ret_not_after = issuer->not_after;
	return TSR_OK;
}

int
tsr_issuer_country(const tsr_issuer_t *issuer, char ret_country[3])
{
	if (issuer == NULL || ret_country == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	memcpy(ret_country, issuer->country, 3);
	return TSR_OK;
}
