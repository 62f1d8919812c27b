/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * X.509 certificate creation (the issuer's test PKI) and a field-by-field
 * view of a certificate's extensions for profile checks. mbedTLS 2.28 has
 * no writer for extKeyUsage, issuerAltName or cRLDistributionPoints: their
 * DER is made here and added with mbedtls_x509write_crt_set_extension().
 * mbedTLS writes DER backwards, from the end of a buffer.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/bignum.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include <tessera/tessera.h>

#include "base/analyzer.h"
#include "crypto/crypto-internal.h"

#define CERT_DER_MAX 4096
#define NAME_PART_MAX 256
#define URI_MAX 1024

/* id-ce-issuerAltName 2.5.29.18, id-ce-cRLDistributionPoints 2.5.29.31 */
#define OID_ISSUER_ALT_NAME "\x55\x1d\x12"
#define OID_CRL_DP "\x55\x1d\x1f"

static bool
printable_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Appends "KEY=value" to a name string for mbedtls_x509_string_to_names(),
 * escaping the characters it treats specially. */
static int
name_append(char *buf, size_t cap, const char *key, const char *value)
{
	size_t len = strlen(buf);

	if (value == NULL)
		return TSR_OK;
	if (!printable_text(value, NAME_PART_MAX))
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > 0) {
		if (len + 1 >= cap)
			return TSR_ERR_LIMIT;
		buf[len++] = ',';
	}
	for (const char *k = key; *k != '\0'; k++) {
		if (len + 1 >= cap)
			return TSR_ERR_LIMIT;
		buf[len++] = *k;
	}
	if (len + 1 >= cap)
		return TSR_ERR_LIMIT;
	buf[len++] = '=';
	for (const char *v = value; *v != '\0'; v++) {
		if (len + 2 >= cap)
			return TSR_ERR_LIMIT;
		if (*v == ',' || *v == '\\' || *v == '=' || *v == '+' || *v == '"')
			buf[len++] = '\\';
		buf[len++] = *v;
	}
	buf[len] = '\0';
	return TSR_OK;
}

static int
format_validity(int64_t t, char out[15])
{
	char iso[21];

	/* "YYYY-MM-DDThh:mm:ssZ" -> "YYYYMMDDhhmmss" */
	if (tsr_time_format(t, iso) != TSR_OK)
		return TSR_ERR_BAD_TIME;
	snprintf(out, 15, "%.4s%.2s%.2s%.2s%.2s%.2s", iso, iso + 5, iso + 8, iso + 11, iso + 14,
	    iso + 17);
	return TSR_OK;
}

/* A positive serial of 16 octets with 127 CSPRNG bits: Annex B asks for at
 * least 63 (should: 71) random bits and at most 20 octets. */
static int
set_serial(mbedtls_x509write_cert *crt)
{
	uint8_t raw[16];
	mbedtls_mpi serial;
	int r = TSR_ERR_INTERNAL;

	mbedtls_mpi_init(&serial);
	do {
		if ((r = tsr_random_bytes(raw, sizeof(raw))) != TSR_OK)
			goto out;
		raw[0] &= 0x7f;
	} while (raw[0] == 0); /* keep the full 16 octets */
	if (mbedtls_mpi_read_binary(&serial, raw, sizeof(raw)) != 0 ||
	    mbedtls_x509write_crt_set_serial(crt, &serial) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	r = TSR_OK;
out:
	mbedtls_mpi_free(&serial);
	return r;
}

/* GeneralName for a URI ([6] IA5String) or, with an '@' and no ':', an
 * rfc822Name ([1] IA5String), written backwards before *p. */
static int
write_general_name(unsigned char **p, unsigned char *start, const char *value)
{
	size_t n = strlen(value);
	bool email = strchr(value, '@') != NULL && strchr(value, ':') == NULL;
	int len = 0, ret;

	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(p, start,
	    (const unsigned char *)value, n));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(p, start, n));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(p, start,
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC | (email ? 1 : 6)));
	return len;
}

static int
wrap(unsigned char **p, unsigned char *start, int inner, unsigned char tag)
{
	int len = 0, ret;

	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(p, start, (size_t)inner));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(p, start, tag));
	return len + inner;
}

#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define CTX0 (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0)

static int
add_ext(mbedtls_x509write_cert *crt, const char *oid, size_t oid_len, bool critical,
    unsigned char *buf, size_t cap, int len)
{
	if (len < 0)
		return len == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL ? TSR_ERR_LIMIT : TSR_ERR_CRYPTO;
	if (mbedtls_x509write_crt_set_extension(crt, oid, oid_len, critical ? 1 : 0,
	    buf + cap - (size_t)len, (size_t)len) != 0)
		return TSR_ERR_NO_MEMORY;
	return TSR_OK;
}

/* Content octets of a dotted OID's DER encoding. */
static int
oid_encode(const char *dotted, uint8_t *out, size_t cap, size_t *ret_len)
{
	uint64_t first = 0, v;
	size_t len = 0, arc = 0;
	const char *s = dotted;

	while (*s != '\0') {
		uint8_t tmp[10];
		size_t k = 0;

		if (*s < '0' || *s > '9')
			return TSR_ERR_INVALID_ARGUMENT;
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			if (v > UINT64_MAX / 100)
				return TSR_ERR_INVALID_ARGUMENT;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		if (*s == '.' && s[1] != '\0')
			s++;
		else if (*s != '\0')
			return TSR_ERR_INVALID_ARGUMENT;
		if (arc++ == 0) {
			if (v > 2)
				return TSR_ERR_INVALID_ARGUMENT;
			first = v;
			continue;
		}
		if (arc == 2)
			v += first * 40;
		do {
			tmp[k++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v != 0);
		while (k > 0) {
			if (len >= cap)
				return TSR_ERR_LIMIT;
			k--;
			out[len++] = (uint8_t)(tmp[k] | (k > 0 ? 0x80 : 0));
		}
	}
	if (arc < 2)
		return TSR_ERR_INVALID_ARGUMENT;
	*ret_len = len;
	return TSR_OK;
}

/* ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
static int
add_eku(mbedtls_x509write_cert *crt, const char *dotted)
{
	unsigned char buf[64], *p = buf + sizeof(buf);
	uint8_t oid[32];
	size_t oid_len = 0;
	int len, r;

	if ((r = oid_encode(dotted, oid, sizeof(oid), &oid_len)) != TSR_OK)
		return r;
	len = mbedtls_asn1_write_oid(&p, buf, (const char *)oid, oid_len);
	if (len >= 0)
		len = wrap(&p, buf, len, SEQ);
	return add_ext(crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), true, buf, sizeof(buf), len);
}

/* IssuerAltName ::= GeneralNames ::= SEQUENCE OF GeneralName */
static int
add_ian(mbedtls_x509write_cert *crt, const char *value)
{
	unsigned char buf[URI_MAX + 16], *p = buf + sizeof(buf);
	int len;

	len = write_general_name(&p, buf, value);
	if (len >= 0)
		len = wrap(&p, buf, len, SEQ);
	return add_ext(crt, OID_ISSUER_ALT_NAME, MBEDTLS_OID_SIZE(OID_ISSUER_ALT_NAME), false,
	    buf, sizeof(buf), len);
}

/* CRLDistributionPoints ::= SEQUENCE OF DistributionPoint {
 *   distributionPoint [0] DistributionPointName { fullName [0] GeneralNames } }
 * with one URI and neither reasons nor cRLIssuer (Annex B). */
static int
add_crl_dp(mbedtls_x509write_cert *crt, const char *uri)
{
	unsigned char buf[URI_MAX + 32], *p = buf + sizeof(buf);
	int len;

	len = write_general_name(&p, buf, uri);
	if (len >= 0)
		len = wrap(&p, buf, len, CTX0); /* fullName */
	if (len >= 0)
		len = wrap(&p, buf, len, CTX0); /* distributionPoint */
	if (len >= 0)
		len = wrap(&p, buf, len, SEQ);  /* DistributionPoint */
	if (len >= 0)
		len = wrap(&p, buf, len, SEQ);  /* CRLDistributionPoints */
	return add_ext(crt, OID_CRL_DP, MBEDTLS_OID_SIZE(OID_CRL_DP), false, buf, sizeof(buf),
	    len);
}

/* Copies a parsed name into a write context's name list. mbedTLS writes the
 * list back to front, so prepending keeps the original order. */
/* -fanalyzer: each node is linked into *dst as soon as it is made, and the
 * caller owns and frees that list (mbedtls_x509write_crt_free()). */
TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
static int
copy_name(const mbedtls_x509_name *src, mbedtls_asn1_named_data **dst)
{
	for (const mbedtls_x509_name *n = src; n != NULL; n = n->next) {
		mbedtls_asn1_named_data *d;

		if (n->oid.p == NULL)
			continue;
		if ((d = mbedtls_calloc(1, sizeof(*d))) == NULL)
			return TSR_ERR_NO_MEMORY;
		d->next = *dst;
		*dst = d;
		if ((d->oid.p = mbedtls_calloc(1, n->oid.len)) == NULL ||
		    (d->val.p = mbedtls_calloc(1, n->val.len > 0 ? n->val.len : 1)) == NULL)
			return TSR_ERR_NO_MEMORY;
		memcpy(d->oid.p, n->oid.p, n->oid.len);
		d->oid.len = n->oid.len;
		d->oid.tag = MBEDTLS_ASN1_OID;
		if (n->val.len > 0)
			memcpy(d->val.p, n->val.p, n->val.len);
		d->val.len = n->val.len;
		d->val.tag = n->val.tag;
	}
	return TSR_OK;
}
TSR_ANALYZER_END

static int
pk_from_pub(const tsr_ec_pub_t *pub, mbedtls_pk_context *pk)
{
	mbedtls_ecp_keypair *ec;

	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
		return TSR_ERR_NO_MEMORY;
	if ((ec = mbedtls_pk_ec(*pk)) == NULL)
		return TSR_ERR_INTERNAL;
	return tsr_ec_pub_to_point(pub, &ec->grp, &ec->Q);
}

static int
pk_from_key(const tsr_ec_key_t *key, mbedtls_pk_context *pk)
{
	mbedtls_ecp_keypair *ec;

	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
		return TSR_ERR_NO_MEMORY;
	if ((ec = mbedtls_pk_ec(*pk)) == NULL)
		return TSR_ERR_INTERNAL;
	if (mbedtls_ecp_group_load(&ec->grp, tsr_curve_to_group(key->curve)) != 0 ||
	    mbedtls_mpi_copy(&ec->d, &key->kp.d) != 0 || mbedtls_ecp_copy(&ec->Q, &key->kp.Q) != 0)
		return TSR_ERR_NO_MEMORY;
	return TSR_OK;
}

static mbedtls_md_type_t
md_for_curve(tsr_curve_t curve)
{
	switch (curve) {
	case TSR_CURVE_P256:
		return MBEDTLS_MD_SHA256;
	case TSR_CURVE_P384:
		return MBEDTLS_MD_SHA384;
	case TSR_CURVE_P521:
		return MBEDTLS_MD_SHA512;
	}
	return MBEDTLS_MD_NONE;
}

static unsigned
ku_bits(unsigned usage)
{
	unsigned ku = 0;

	if (usage & TSR_X509_KU_DIGITAL_SIGNATURE)
		ku |= MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
	if (usage & TSR_X509_KU_KEY_CERT_SIGN)
		ku |= MBEDTLS_X509_KU_KEY_CERT_SIGN;
	if (usage & TSR_X509_KU_CRL_SIGN)
		ku |= MBEDTLS_X509_KU_CRL_SIGN;
	return ku;
}

int
tsr_x509_cert_create(const tsr_x509_cert_params_t *params, const tsr_ec_pub_t *subject,
    const tsr_ec_key_t *issuer_key, const uint8_t *issuer_der, size_t issuer_der_len,
    uint8_t **ret_der, size_t *ret_len)
{
	mbedtls_x509write_cert crt;
	mbedtls_x509_crt issuer;
	mbedtls_pk_context subject_pk, issuer_pk;
	char name[1024] = "", not_before[15], not_after[15];
	unsigned char *buf = NULL;
	uint8_t *der = NULL;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_x509_crt_init(&issuer);
	mbedtls_pk_init(&subject_pk);
	mbedtls_pk_init(&issuer_pk);
	if (params == NULL || subject == NULL || issuer_key == NULL || ret_der == NULL ||
	    ret_len == NULL || params->common_name == NULL ||
	    params->not_after <= params->not_before) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((params->crl_uri != NULL && !printable_text(params->crl_uri, URI_MAX)) ||
	    (params->issuer_alt_name != NULL && !printable_text(params->issuer_alt_name, URI_MAX))) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = name_append(name, sizeof(name), "C", params->country)) != TSR_OK ||
	    (r = name_append(name, sizeof(name), "ST", params->state)) != TSR_OK ||
	    (r = name_append(name, sizeof(name), "O", params->organization)) != TSR_OK ||
	    (r = name_append(name, sizeof(name), "CN", params->common_name)) != TSR_OK)
		goto out;
	if ((r = format_validity(params->not_before, not_before)) != TSR_OK ||
	    (r = format_validity(params->not_after, not_after)) != TSR_OK)
		goto out;

	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, md_for_curve(tsr_ec_key_curve(issuer_key)));
	if ((r = set_serial(&crt)) != TSR_OK)
		goto out;
	if (mbedtls_x509write_crt_set_validity(&crt, not_before, not_after) != 0 ||
	    mbedtls_x509write_crt_set_subject_name(&crt, name) != 0) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (issuer_der == NULL) {
		/* Self-signed: issuer = subject (Annex B). */
		if (mbedtls_x509write_crt_set_issuer_name(&crt, name) != 0) {
			r = TSR_ERR_INVALID_ARGUMENT;
			goto out;
		}
	} else {
		if (mbedtls_x509_crt_parse_der(&issuer, issuer_der, issuer_der_len) != 0) {
			r = TSR_ERR_CERT_PARSE;
			goto out;
		}
		/* The issuer's subject, byte for byte. */
		if ((r = copy_name(&issuer.subject, &crt.issuer)) != TSR_OK)
			goto out;
	}
	if ((r = pk_from_pub(subject, &subject_pk)) != TSR_OK ||
	    (r = pk_from_key(issuer_key, &issuer_pk)) != TSR_OK)
		goto out;
	mbedtls_x509write_crt_set_subject_key(&crt, &subject_pk);
	mbedtls_x509write_crt_set_issuer_key(&crt, &issuer_pk);

	if (params->is_ca &&
	    mbedtls_x509write_crt_set_basic_constraints(&crt, 1, params->path_len) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	/* mbedTLS marks keyUsage critical. */
	if (params->key_usage != 0 &&
	    mbedtls_x509write_crt_set_key_usage(&crt, ku_bits(params->key_usage)) != 0) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (mbedtls_x509write_crt_set_subject_key_identifier(&crt) != 0 ||
	    (issuer_der != NULL && mbedtls_x509write_crt_set_authority_key_identifier(&crt) != 0)) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	if (params->eku_oid != NULL && (r = add_eku(&crt, params->eku_oid)) != TSR_OK)
		goto out;
	if (params->issuer_alt_name != NULL && (r = add_ian(&crt, params->issuer_alt_name)) != TSR_OK)
		goto out;
	if (params->crl_uri != NULL && (r = add_crl_dp(&crt, params->crl_uri)) != TSR_OK)
		goto out;

	if ((buf = malloc(CERT_DER_MAX)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	mr = mbedtls_x509write_crt_der(&crt, buf, CERT_DER_MAX, tsr_crypto_rng, NULL);
	if (mr <= 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	if ((r = tsr_bytes_dup(buf + CERT_DER_MAX - (size_t)mr, (size_t)mr, &der)) != TSR_OK)
		goto out;
	*ret_der = der;
	*ret_len = (size_t)mr;
	r = TSR_OK;
out:
	free(buf);
	mbedtls_pk_free(&subject_pk);
	mbedtls_pk_free(&issuer_pk);
	mbedtls_x509_crt_free(&issuer);
	mbedtls_x509write_crt_free(&crt);
	return r;
}

int
tsr_x509_der_to_pem(const uint8_t *der, size_t len, char **ret_pem)
{
	unsigned char *buf = NULL;
	size_t cap, olen = 0;
	int r = TSR_ERR_INTERNAL;

	if (der == NULL || len == 0 || len > CERT_DER_MAX * 4 || ret_pem == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	cap = len * 2 + 128;
	if ((buf = malloc(cap)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
	    "-----END CERTIFICATE-----\n", der, len, buf, cap, &olen) != 0) {
		r = TSR_ERR_CRYPTO;
		goto out;
	}
	*ret_pem = (char *)buf;
	buf = NULL;
	r = TSR_OK;
out:
	free(buf);
	return r;
}

/* --- Reading back --- */

/* Reads one GeneralName ([1] rfc822Name or [6] URI) into out. */
static void
read_general_names(unsigned char *p, const unsigned char *end, char *out, size_t cap,
    bool *ret_is_uri)
{
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0 || p + len != end)
		return;
	while (p < end) {
		unsigned char tag = *p++;

		if (mbedtls_asn1_get_len(&p, end, &len) != 0)
			return;
		if ((tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6) ||
		    tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1)) && out[0] == '\0' && len < cap) {
			memcpy(out, p, len);
			out[len] = '\0';
			if (ret_is_uri != NULL)
				*ret_is_uri = tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6);
		}
		p += len;
	}
}

static void
read_crl_dp(unsigned char *p, const unsigned char *end, tsr_x509_info_t *info)
{
	unsigned char *dp_end, *name_end, *full_end;
	size_t len;

	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0 || p + len != end)
		return;
	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0)
		return;
	dp_end = p + len;
	/* A second DistributionPoint, reasons or cRLIssuer: not the Annex B form. */
	info->crl_dp_extra_fields = dp_end != end;
	if (mbedtls_asn1_get_tag(&p, dp_end, &len, CTX0) != 0)
		return;
	name_end = p + len;
	if (name_end != dp_end)
		info->crl_dp_extra_fields = true;
	/* fullName [0] IMPLICIT GeneralNames */
	if (mbedtls_asn1_get_tag(&p, name_end, &len, CTX0) != 0)
		return;
	full_end = p + len;
	while (p < full_end) {
		unsigned char tag = *p++;

		if (mbedtls_asn1_get_len(&p, full_end, &len) != 0)
			return;
		if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6) && info->crl_uri[0] == '\0' &&
		    len < sizeof(info->crl_uri)) {
			memcpy(info->crl_uri, p, len);
			info->crl_uri[len] = '\0';
		}
		p += len;
	}
}

static void
read_key_id(unsigned char *p, const unsigned char *end, bool aki, uint8_t *out,
    size_t *ret_len)
{
	size_t len;

	if (aki) {
		/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] ... } */
		if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0 ||
		    mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0) != 0)
			return;
	} else if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0) {
		return;
	}
	if (len > TSR_X509_KEY_ID_MAX)
		return;
	memcpy(out, p, len);
	*ret_len = len;
}

#define OID_IS(buf, oid) \
	((buf).len == MBEDTLS_OID_SIZE(oid) && memcmp((buf).p, oid, (buf).len) == 0)

/* Walks Extensions ::= SEQUENCE OF Extension { extnID, critical, extnValue }. */
static int
read_extensions(const mbedtls_x509_crt *crt, tsr_x509_info_t *info)
{
	unsigned char *p = crt->v3_ext.p, *end = crt->v3_ext.p + crt->v3_ext.len;
	size_t len;

	if (p == NULL || crt->v3_ext.len == 0)
		return TSR_OK;
	/* v3_ext holds [3] { SEQUENCE OF Extension } */
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
	    MBEDTLS_ASN1_CONSTRUCTED | 3) == 0)
		end = p + len;
	if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0)
		return TSR_ERR_CERT_PARSE;
	end = p + len;
	while (p < end) {
		mbedtls_asn1_buf oid;
		unsigned char *ext_end, *val;
		size_t val_len;
		int critical = 0, rb;
		unsigned bit = 0;

		if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0)
			return TSR_ERR_CERT_PARSE;
		ext_end = p + len;
		if (mbedtls_asn1_get_tag(&p, ext_end, &oid.len, MBEDTLS_ASN1_OID) != 0)
			return TSR_ERR_CERT_PARSE;
		oid.p = p;
		p += oid.len;
		rb = mbedtls_asn1_get_bool(&p, ext_end, &critical);
		if (rb != 0 && rb != MBEDTLS_ERR_ASN1_UNEXPECTED_TAG)
			return TSR_ERR_CERT_PARSE;
		if (mbedtls_asn1_get_tag(&p, ext_end, &val_len, MBEDTLS_ASN1_OCTET_STRING) != 0)
			return TSR_ERR_CERT_PARSE;
		val = p;
		p = ext_end;
		if (OID_IS(oid, MBEDTLS_OID_BASIC_CONSTRAINTS))
			bit = TSR_X509_HAS_BASIC_CONSTRAINTS;
		else if (OID_IS(oid, MBEDTLS_OID_KEY_USAGE))
			bit = TSR_X509_HAS_KEY_USAGE;
		else if (OID_IS(oid, MBEDTLS_OID_EXTENDED_KEY_USAGE))
			bit = TSR_X509_HAS_EKU;
		else if (OID_IS(oid, MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER)) {
			bit = TSR_X509_HAS_SKI;
			read_key_id(val, val + val_len, false, info->ski, &info->ski_len);
		} else if (OID_IS(oid, MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER)) {
			bit = TSR_X509_HAS_AKI;
			read_key_id(val, val + val_len, true, info->aki, &info->aki_len);
		} else if (OID_IS(oid, OID_ISSUER_ALT_NAME)) {
			bit = TSR_X509_HAS_IAN;
			read_general_names(val, val + val_len, info->issuer_alt_name,
			    sizeof(info->issuer_alt_name), &info->issuer_alt_name_is_uri);
		} else if (OID_IS(oid, OID_CRL_DP)) {
			bit = TSR_X509_HAS_CRL_DP;
			read_crl_dp(val, val + val_len, info);
		} else {
			bit = TSR_X509_HAS_OTHER;
		}
		info->extensions |= bit;
		if (critical)
			info->critical |= bit;
	}
	return TSR_OK;
}

int
tsr_x509_cert_info(const uint8_t *der, size_t len, tsr_x509_info_t *ret_info)
{
	mbedtls_x509_crt crt;
	tsr_x509_info_t info;
	const mbedtls_x509_sequence *s;
	const mbedtls_x509_name *dn;
	int r = TSR_ERR_INTERNAL;

	mbedtls_x509_crt_init(&crt);
	memset(&info, 0, sizeof(info));
	if (der == NULL || ret_info == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (tsr_der_tlv_len(der, len) != len || mbedtls_x509_crt_parse_der(&crt, der, len) != 0) {
		r = TSR_ERR_CERT_PARSE;
		goto out;
	}
	info.version = crt.version;
	info.serial_len = crt.serial.len;
	if (crt.serial.len <= sizeof(info.serial))
		memcpy(info.serial, crt.serial.p, crt.serial.len);
	info.serial_negative = crt.serial.len > 0 && (crt.serial.p[0] & 0x80) != 0;
	info.is_ca = crt.ca_istrue != 0;
	/* mbedTLS stores pathLen + 1, 0 meaning "absent". */
	info.path_len = crt.max_pathlen - 1;
	if (crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) {
		if (crt.key_usage & MBEDTLS_X509_KU_DIGITAL_SIGNATURE)
			info.key_usage |= TSR_X509_KU_DIGITAL_SIGNATURE;
		if (crt.key_usage & MBEDTLS_X509_KU_KEY_CERT_SIGN)
			info.key_usage |= TSR_X509_KU_KEY_CERT_SIGN;
		if (crt.key_usage & MBEDTLS_X509_KU_CRL_SIGN)
			info.key_usage |= TSR_X509_KU_CRL_SIGN;
		if (crt.key_usage & ~(unsigned)(MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
		    MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN))
			info.key_usage |= TSR_X509_KU_OTHER;
	}
	for (s = &crt.ext_key_usage; s != NULL && s->buf.p != NULL; s = s->next) {
		if (info.n_eku == 0 && mbedtls_oid_get_numeric_string(info.eku,
		    sizeof(info.eku), &s->buf) < 0)
			info.eku[0] = '\0';
		info.n_eku++;
	}
	switch (crt.sig_md) {
	case MBEDTLS_MD_SHA256:
		info.sig_hash = TSR_HASH_SHA256;
		break;
	case MBEDTLS_MD_SHA384:
		info.sig_hash = TSR_HASH_SHA384;
		break;
	case MBEDTLS_MD_SHA512:
		info.sig_hash = TSR_HASH_SHA512;
		break;
	default:
		info.sig_hash = (tsr_hash_alg_t)-1;
		break;
	}
	info.sig_ecdsa = crt.sig_pk == MBEDTLS_PK_ECDSA;
	for (dn = &crt.subject; dn != NULL; dn = dn->next)
		if (dn->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_STATE, &dn->oid) == 0 &&
		    dn->val.len < sizeof(info.state)) {
			memcpy(info.state, dn->val.p, dn->val.len);
			info.state[dn->val.len] = '\0';
		}
	info.self_issued = crt.issuer_raw.len == crt.subject_raw.len &&
	    memcmp(crt.issuer_raw.p, crt.subject_raw.p, crt.issuer_raw.len) == 0;
	if ((r = read_extensions(&crt, &info)) != TSR_OK)
		goto out;
	*ret_info = info;
	r = TSR_OK;
out:
	mbedtls_x509_crt_free(&crt);
	return r;
}
