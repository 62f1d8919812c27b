/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Test PKI following 18013-5 Annex B (shared/spec digest §3.7). */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "issuer/issuer-private.h"

#define DAY 86400

static bool
alpha2(const char *s)
{
	return s != NULL && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
	    s[1] <= 'Z';
}

static int64_t
max_days(tsr_cert_profile_t profile)
{
	switch (profile) {
	case TSR_CERT_IACA:
	case TSR_CERT_READER_ROOT:
		return TSR_CERT_IACA_MAX_DAYS;
	case TSR_CERT_DS:
		return TSR_CERT_DS_MAX_DAYS;
	case TSR_CERT_READER:
		return TSR_CERT_READER_MAX_DAYS;
	}
	return 0;
}

/* Loads the issuing CA: certificate (first in the input), its key, and
 * checks that they match and that it may sign certificates. */
static int
load_issuer(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
    tsr_x509_t **ret_set, tsr_ec_key_t **ret_key, tsr_x509_info_t *ret_info)
{
	tsr_x509_t *set = NULL;
	tsr_ec_key_t *k = NULL;
	tsr_ec_pub_t cert_pub, key_pub;
	tsr_span_t der;
	int r = TSR_ERR_INTERNAL;

	if (cert == NULL || key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_x509_new(&set)) != TSR_OK || (r = tsr_x509_add(set, cert, cert_len)) != TSR_OK ||
	    (r = tsr_x509_der(set, 0, &der)) != TSR_OK ||
	    (r = tsr_x509_cert_info(der.ptr, der.len, ret_info)) != TSR_OK)
		goto fail;
	if (!ret_info->is_ca || !(ret_info->key_usage & TSR_X509_KU_KEY_CERT_SIGN)) {
		r = TSR_ERR_CERT_PROFILE;
		goto fail;
	}
	if ((r = tsr_x509_public_key(set, 0, &cert_pub)) != TSR_OK ||
	    (r = tsr_ec_key_parse(key, key_len, &k)) != TSR_OK ||
	    (r = tsr_ec_key_public(k, &key_pub)) != TSR_OK)
		goto fail;
	if (!tsr_ec_pub_equal(&cert_pub, &key_pub)) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto fail;
	}
	*ret_set = set;
	*ret_key = k;
	return TSR_OK;
fail:
	tsr_ec_key_free(k);
	tsr_x509_free(set);
	return r;
}

int
tsr_issuer_cert_create(tsr_cert_profile_t profile, const tsr_cert_params_t *params,
    const uint8_t *issuer_cert, size_t issuer_cert_len, const uint8_t *issuer_key,
    size_t issuer_key_len, const uint8_t *subject_key, size_t subject_key_len,
    char **ret_cert_pem, char **ret_key_pem)
{
	const bool self_signed = profile == TSR_CERT_IACA || profile == TSR_CERT_READER_ROOT;
	tsr_x509_cert_params_t xp;
	tsr_x509_info_t issuer_info;
	tsr_x509_t *issuer_set = NULL;
	tsr_ec_key_t *ca_key = NULL, *new_key = NULL;
	tsr_ec_pub_t subject;
	int64_t nb, na;
	tsr_span_t issuer_der = { NULL, 0 };
	char issuer_country[3] = "", *cert_pem = NULL, *key_pem = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int r = TSR_ERR_INTERNAL;

	memset(&xp, 0, sizeof(xp));
	memset(&issuer_info, 0, sizeof(issuer_info));
	if (params == NULL || ret_cert_pem == NULL || max_days(profile) == 0 ||
	    (subject_key == NULL) != (ret_key_pem != NULL) || params->common_name == NULL ||
	    params->common_name[0] == '\0' || params->crl_uri == NULL ||
	    params->crl_uri[0] == '\0') {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	nb = params->not_before;
	na = params->not_after;
	if (na <= nb || na - nb > max_days(profile) * DAY) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (params->country != NULL && !alpha2(params->country)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	xp.country = params->country;
	xp.state = params->state;
	xp.organization = params->organization;
	xp.common_name = params->common_name;
	xp.not_before = nb;
	xp.not_after = na;
	xp.issuer_alt_name = params->issuer_alt_name;
	xp.crl_uri = params->crl_uri;

	if (!self_signed) {
		int64_t inb, ina;

		if ((r = load_issuer(issuer_cert, issuer_cert_len, issuer_key, issuer_key_len,
		    &issuer_set, &ca_key, &issuer_info)) != TSR_OK ||
		    (r = tsr_x509_der(issuer_set, 0, &issuer_der)) != TSR_OK ||
		    (r = tsr_x509_validity(issuer_set, 0, &inb, &ina)) != TSR_OK ||
		    (r = tsr_x509_subject_country(issuer_set, 0, issuer_country)) != TSR_OK)
			goto out;
		/* Within the issuer's validity. */
		if (nb < inb || na > ina) {
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
		/* Annex B: the DS carries its IACA's country and issuerAltName;
		 * a reader certificate its root's IAN when the root has one. */
		if (profile == TSR_CERT_DS) {
			if (xp.country == NULL)
				xp.country = issuer_country[0] != '\0' ? issuer_country : NULL;
			if (xp.country == NULL || strcmp(xp.country, issuer_country) != 0) {
				r = TSR_ERR_INVALID_ARGUMENT;
				goto out;
			}
		}
		if (xp.issuer_alt_name == NULL && issuer_info.issuer_alt_name[0] != '\0')
			xp.issuer_alt_name = issuer_info.issuer_alt_name;
		if (xp.issuer_alt_name != NULL && issuer_info.issuer_alt_name[0] != '\0' &&
		    strcmp(xp.issuer_alt_name, issuer_info.issuer_alt_name) != 0) {
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
	}
	if ((profile == TSR_CERT_IACA || profile == TSR_CERT_DS) &&
	    (xp.country == NULL || xp.issuer_alt_name == NULL)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	switch (profile) {
	case TSR_CERT_IACA:
	case TSR_CERT_READER_ROOT:
		xp.is_ca = true;
		xp.path_len = 0;
		xp.key_usage = TSR_X509_KU_KEY_CERT_SIGN | TSR_X509_KU_CRL_SIGN;
		break;
	case TSR_CERT_DS:
		xp.key_usage = TSR_X509_KU_DIGITAL_SIGNATURE;
		xp.eku_oid = TSR_OID_EKU_MDL_DS;
		break;
	case TSR_CERT_READER:
		xp.key_usage = TSR_X509_KU_DIGITAL_SIGNATURE;
		xp.eku_oid = TSR_OID_EKU_MDL_READER_AUTH;
		break;
	}

	if (subject_key != NULL) {
		if ((r = tsr_ec_pub_from_spki(subject_key, subject_key_len, &subject)) != TSR_OK)
			goto out;
	} else {
		if ((r = tsr_ec_key_generate(TSR_CURVE_P256, &new_key)) != TSR_OK ||
		    (r = tsr_ec_key_public(new_key, &subject)) != TSR_OK ||
		    (r = tsr_ec_key_to_pem(new_key, &key_pem)) != TSR_OK)
			goto out;
	}
	if (self_signed) {
		if (new_key == NULL) {
			/* A self-signed certificate needs its own private key. */
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
		r = tsr_x509_cert_create(&xp, &subject, new_key, NULL, 0, &der, &der_len);
	} else {
		r = tsr_x509_cert_create(&xp, &subject, ca_key, issuer_der.ptr, issuer_der.len, &der,
		    &der_len);
	}
	if (r != TSR_OK || (r = tsr_x509_der_to_pem(der, der_len, &cert_pem)) != TSR_OK)
		goto out;
	*ret_cert_pem = cert_pem;
	cert_pem = NULL;
	if (ret_key_pem != NULL) {
		*ret_key_pem = key_pem;
		key_pem = NULL;
	}
	r = TSR_OK;
out:
	if (key_pem != NULL)
		tsr_free_secret(key_pem, strlen(key_pem));
	free(cert_pem);
	free(der);
	tsr_ec_key_free(new_key);
	tsr_ec_key_free(ca_key);
	tsr_x509_free(issuer_set);
	return r;
}
