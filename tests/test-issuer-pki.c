/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The issuer's test PKI: every Annex B profile field by field, read back
 * with the crypto module, and every limit refused. */

#include <string.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#include "crypto/crypto.h"
#include "test-support.h"

#define DAY 86400
#define NOW ((int64_t)1790000000) /* 2026-09-21 */

typedef struct pki {
	char *iaca, *iaca_key, *ds, *ds_key, *rroot, *rroot_key, *reader, *reader_key;
} pki_t;

static tsr_cert_params_t
params(const char *cn, int64_t days)
{
	tsr_cert_params_t p;

	memset(&p, 0, sizeof(p));
	p.country = "JP";
	p.state = "JP-13";
	p.organization = "Test Issuer";
	p.common_name = cn;
	p.issuer_alt_name = "https://issuer.example.jp";
	p.crl_uri = "https://issuer.example.jp/crl";
	p.not_before = NOW;
	p.not_after = NOW + days * DAY;
	return p;
}

static void
make_pki(pki_t *k)
{
	tsr_cert_params_t p = params("Test IACA", 3285);

	memset(k, 0, sizeof(*k));
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_IACA, &p, NULL, 0, NULL, 0, NULL, 0,
	    &k->iaca, &k->iaca_key), ==, TSR_OK);
	p = params("Test DS", 457);
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_DS, &p, (const uint8_t *)k->iaca,
	    strlen(k->iaca), (const uint8_t *)k->iaca_key, strlen(k->iaca_key), NULL, 0, &k->ds,
	    &k->ds_key), ==, TSR_OK);
	p = params("Test Reader Root", 3285);
	p.country = NULL;
	p.issuer_alt_name = NULL;
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_READER_ROOT, &p, NULL, 0, NULL, 0, NULL,
	    0, &k->rroot, &k->rroot_key), ==, TSR_OK);
	p = params("Test Reader", 1187);
	p.country = NULL;
	p.issuer_alt_name = NULL;
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_READER, &p, (const uint8_t *)k->rroot,
	    strlen(k->rroot), (const uint8_t *)k->rroot_key, strlen(k->rroot_key), NULL, 0,
	    &k->reader, &k->reader_key), ==, TSR_OK);
}

static void
free_pki(pki_t *k)
{
	tsr_free(k->iaca);
	tsr_free(k->iaca_key);
	tsr_free(k->ds);
	tsr_free(k->ds_key);
	tsr_free(k->rroot);
	tsr_free(k->rroot_key);
	tsr_free(k->reader);
	tsr_free(k->reader_key);
}

static tsr_x509_t *
load(const char *pem)
{
	tsr_x509_t *set = NULL;

	g_assert_cmpint(tsr_x509_new(&set), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_add(set, (const uint8_t *)pem, strlen(pem)), ==, TSR_OK);
	g_assert_cmpuint(tsr_x509_count(set), ==, 1);
	return set;
}

static void
info_of(const tsr_x509_t *set, tsr_x509_info_t *info)
{
	tsr_span_t der;

	g_assert_cmpint(tsr_x509_der(set, 0, &der), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_cert_info(der.ptr, der.len, info), ==, TSR_OK);
}

/* Annex B common rules: v3, positive serial of <= 20 octets with >= 71
 * significant bits, ECDSA with SHA-256, SKI, CRL distribution point URI. */
static void
check_common(const tsr_x509_info_t *i)
{
	size_t bits;

	g_assert_cmpint(i->version, ==, 3);
	g_assert_false(i->serial_negative);
	g_assert_cmpuint(i->serial_len, <=, 20);
	g_assert_cmpuint(i->serial_len, >=, 9);
	bits = i->serial_len * 8;
	for (uint8_t top = i->serial[0]; bits > 0 && !(top & 0x80); top = (uint8_t)(top << 1))
		bits--;
	g_assert_cmpuint(bits, >=, 71);
	g_assert_true(i->sig_ecdsa);
	g_assert_cmpint(i->sig_hash, ==, TSR_HASH_SHA256);
	g_assert_true(i->extensions & TSR_X509_HAS_SKI);
	g_assert_cmpuint(i->ski_len, ==, 20);
	g_assert_true(i->extensions & TSR_X509_HAS_CRL_DP);
	g_assert_false(i->critical & TSR_X509_HAS_CRL_DP);
	g_assert_cmpstr(i->crl_uri, ==, "https://issuer.example.jp/crl");
	g_assert_false(i->crl_dp_extra_fields);
	g_assert_false(i->extensions & TSR_X509_HAS_OTHER);
}

static void
valid_iaca_profile(void)
{
	pki_t k;
	tsr_x509_t *iaca;
	tsr_x509_info_t i;
	char country[3], *subject = NULL, *issuer = NULL;
	int64_t nb, na;

	make_pki(&k);
	iaca = load(k.iaca);
	info_of(iaca, &i);
	check_common(&i);
	g_assert_true(i.self_issued);
	g_assert_true(i.extensions & TSR_X509_HAS_BASIC_CONSTRAINTS);
	g_assert_true(i.critical & TSR_X509_HAS_BASIC_CONSTRAINTS);
	g_assert_true(i.is_ca);
	g_assert_cmpint(i.path_len, ==, 0);
	g_assert_true(i.critical & TSR_X509_HAS_KEY_USAGE);
	g_assert_cmpuint(i.key_usage, ==, TSR_X509_KU_KEY_CERT_SIGN | TSR_X509_KU_CRL_SIGN);
	g_assert_false(i.extensions & TSR_X509_HAS_EKU);
	g_assert_false(i.extensions & TSR_X509_HAS_AKI);
	g_assert_true(i.extensions & TSR_X509_HAS_IAN);
	g_assert_false(i.critical & TSR_X509_HAS_IAN);
	g_assert_true(i.issuer_alt_name_is_uri);
	g_assert_cmpstr(i.issuer_alt_name, ==, "https://issuer.example.jp");
	g_assert_cmpstr(i.state, ==, "JP-13");
	g_assert_cmpint(tsr_x509_subject_country(iaca, 0, country), ==, TSR_OK);
	g_assert_cmpstr(country, ==, "JP");
	g_assert_cmpint(tsr_x509_subject(iaca, 0, &subject), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_issuer(iaca, 0, &issuer), ==, TSR_OK);
	g_assert_cmpstr(subject, ==, "C=JP, ST=JP-13, O=Test Issuer, CN=Test IACA");
	g_assert_cmpstr(subject, ==, issuer);
	g_assert_cmpint(tsr_x509_validity(iaca, 0, &nb, &na), ==, TSR_OK);
	g_assert_cmpint(nb, ==, NOW);
	g_assert_cmpint(na, ==, NOW + 3285 * DAY);
	g_free(subject);
	g_free(issuer);
	tsr_x509_free(iaca);
	free_pki(&k);
}

static void
valid_ds_profile(void)
{
	pki_t k;
	tsr_x509_t *iaca, *ds;
	tsr_x509_info_t ii, i;
	char country[3], *subject = NULL, *issuer = NULL, *iaca_subject = NULL;
	int64_t nb, na;
	uint32_t flags = 0;

	make_pki(&k);
	iaca = load(k.iaca);
	ds = load(k.ds);
	info_of(iaca, &ii);
	info_of(ds, &i);
	check_common(&i);
	g_assert_false(i.self_issued);
	g_assert_false(i.is_ca);
	g_assert_false(i.extensions & TSR_X509_HAS_BASIC_CONSTRAINTS);
	g_assert_true(i.critical & TSR_X509_HAS_KEY_USAGE);
	g_assert_cmpuint(i.key_usage, ==, TSR_X509_KU_DIGITAL_SIGNATURE);
	g_assert_true(i.critical & TSR_X509_HAS_EKU);
	g_assert_cmpuint(i.n_eku, ==, 1);
	g_assert_cmpstr(i.eku, ==, "1.0.18013.5.1.2");
	g_assert_true(i.extensions & TSR_X509_HAS_AKI);
	g_assert_cmpmem(i.aki, i.aki_len, ii.ski, ii.ski_len);
	g_assert_cmpstr(i.issuer_alt_name, ==, ii.issuer_alt_name);
	g_assert_false(i.critical & TSR_X509_HAS_IAN);
	g_assert_cmpint(tsr_x509_subject_country(ds, 0, country), ==, TSR_OK);
	g_assert_cmpstr(country, ==, "JP");
	g_assert_cmpint(tsr_x509_issuer(ds, 0, &issuer), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_subject(iaca, 0, &iaca_subject), ==, TSR_OK);
	g_assert_cmpstr(issuer, ==, iaca_subject);
	g_assert_cmpint(tsr_x509_subject(ds, 0, &subject), ==, TSR_OK);
	g_assert_cmpstr(subject, ==, "C=JP, ST=JP-13, O=Test Issuer, CN=Test DS");
	g_assert_cmpint(tsr_x509_validity(ds, 0, &nb, &na), ==, TSR_OK);
	g_assert_cmpint(na - nb, <=, 457 * DAY);
	/* The reader's own chain validation accepts it as a DS. */
	g_assert_cmpint(tsr_x509_verify_chain(ds, iaca, NOW + DAY, TSR_OID_EKU_MDL_DS, &flags,
	    NULL), ==, TSR_OK);
	g_assert_cmpuint(flags, ==, 0);
	/* ... but not as a reader certificate. */
	g_assert_cmpint(tsr_x509_verify_chain(ds, iaca, NOW + DAY, TSR_OID_EKU_MDL_READER_AUTH,
	    &flags, NULL), ==, TSR_ERR_VERIFY);
	g_assert_cmpuint(flags, ==, TSR_X509_EXT_KEY_USAGE);
	g_free(subject);
	g_free(issuer);
	g_free(iaca_subject);
	tsr_x509_free(iaca);
	tsr_x509_free(ds);
	free_pki(&k);
}

static void
valid_reader_profile(void)
{
	pki_t k;
	tsr_x509_t *root, *reader;
	tsr_x509_info_t ri, i;
	uint32_t flags = 0;

	make_pki(&k);
	root = load(k.rroot);
	reader = load(k.reader);
	info_of(root, &ri);
	info_of(reader, &i);
	check_common(&ri);
	check_common(&i);
	g_assert_true(ri.is_ca);
	g_assert_cmpint(ri.path_len, ==, 0);
	g_assert_cmpuint(ri.key_usage, ==, TSR_X509_KU_KEY_CERT_SIGN | TSR_X509_KU_CRL_SIGN);
	g_assert_false(ri.extensions & TSR_X509_HAS_IAN);
	g_assert_false(i.is_ca);
	g_assert_cmpuint(i.key_usage, ==, TSR_X509_KU_DIGITAL_SIGNATURE);
	g_assert_true(i.critical & TSR_X509_HAS_EKU);
	g_assert_cmpstr(i.eku, ==, "1.0.18013.5.1.6");
	g_assert_cmpmem(i.aki, i.aki_len, ri.ski, ri.ski_len);
	/* No IAN at the root: none on the reader either (Annex B). */
	g_assert_false(i.extensions & TSR_X509_HAS_IAN);
	g_assert_cmpint(tsr_x509_verify_chain(reader, root, NOW + DAY,
	    TSR_OID_EKU_MDL_READER_AUTH, &flags, NULL), ==, TSR_OK);
	tsr_x509_free(root);
	tsr_x509_free(reader);
	free_pki(&k);
}

static void
serials_differ(void)
{
	pki_t a, b;
	tsr_x509_t *x, *y;
	tsr_x509_info_t i, j;

	make_pki(&a);
	make_pki(&b);
	x = load(a.ds);
	y = load(b.ds);
	info_of(x, &i);
	info_of(y, &j);
	g_assert_false(i.serial_len == j.serial_len && memcmp(i.serial, j.serial, i.serial_len) == 0);
	tsr_x509_free(x);
	tsr_x509_free(y);
	free_pki(&a);
	free_pki(&b);
}

static int
ds(const pki_t *k, const tsr_cert_params_t *p)
{
	char *cert = NULL, *key = NULL;
	int r = tsr_issuer_cert_create(TSR_CERT_DS, p, (const uint8_t *)k->iaca, strlen(k->iaca),
	    (const uint8_t *)k->iaca_key, strlen(k->iaca_key), NULL, 0, &cert, &key);

	tsr_free(cert);
	tsr_free(key);
	return r;
}

static void
refused_limits(void)
{
	pki_t k;
	tsr_cert_params_t p;
	char *cert = NULL, *key = NULL;

	make_pki(&k);
	p = params("DS", 458);
	g_assert_cmpint(ds(&k, &p), ==, TSR_ERR_INVALID_ARGUMENT);         /* > 457 days */
	p = params("DS", 457);
	p.not_before = NOW - DAY;
	p.not_after = NOW + 100 * DAY;
	g_assert_cmpint(ds(&k, &p), ==, TSR_ERR_INVALID_ARGUMENT);         /* before the IACA */
	p = params("DS", 100);
	p.country = "US";
	g_assert_cmpint(ds(&k, &p), ==, TSR_ERR_INVALID_ARGUMENT);         /* country differs */
	p = params("DS", 100);
	p.issuer_alt_name = "mailto:other@example.org";
	g_assert_cmpint(ds(&k, &p), ==, TSR_ERR_INVALID_ARGUMENT);         /* IAN differs */
	p = params("DS", 100);
	p.crl_uri = NULL;
	g_assert_cmpint(ds(&k, &p), ==, TSR_ERR_INVALID_ARGUMENT);         /* CRL DP required */
	p = params("DS", 100);
	p.country = NULL;
	g_assert_cmpint(ds(&k, &p), ==, TSR_OK);                           /* inherits JP */
	p = params("IACA", 20 * 365 + 6);
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_IACA, &p, NULL, 0, NULL, 0, NULL, 0, &cert,
	    &key), ==, TSR_ERR_INVALID_ARGUMENT);                          /* > 20 years */
	p = params("IACA", 100);
	p.country = "jp";
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_IACA, &p, NULL, 0, NULL, 0, NULL, 0, &cert,
	    &key), ==, TSR_ERR_INVALID_ARGUMENT);                          /* not alpha-2 */
	p = params("IACA", 100);
	p.issuer_alt_name = NULL;
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_IACA, &p, NULL, 0, NULL, 0, NULL, 0, &cert,
	    &key), ==, TSR_ERR_INVALID_ARGUMENT);                          /* IAN required */
	/* A DS cannot sign certificates. */
	p = params("DS2", 100);
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_DS, &p, (const uint8_t *)k.ds,
	    strlen(k.ds), (const uint8_t *)k.ds_key, strlen(k.ds_key), NULL, 0, &cert, &key), ==,
	    TSR_ERR_CERT_PROFILE);
	/* The IACA certificate with another key. */
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_DS, &p, (const uint8_t *)k.iaca,
	    strlen(k.iaca), (const uint8_t *)k.ds_key, strlen(k.ds_key), NULL, 0, &cert, &key), ==,
	    TSR_ERR_CRYPTO_BAD_KEY);
	g_assert_null(cert);
	g_assert_null(key);
	free_pki(&k);
}

/* The PKCS#11 path's building block: a DS for a key held elsewhere. */
static void
valid_external_subject_key(void)
{
	pki_t k;
	tsr_cert_params_t p = params("Token DS", 300);
	tsr_ec_key_t *key = NULL;
	tsr_ec_pub_t pub, got;
	tsr_x509_t *set;
	char *spki = NULL, *cert = NULL;

	make_pki(&k);
	g_assert_cmpint(tsr_ec_key_generate(TSR_CURVE_P256, &key), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_key_public(key, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ec_pub_to_spki_pem(&pub, &spki), ==, TSR_OK);
	g_assert_cmpint(tsr_issuer_cert_create(TSR_CERT_DS, &p, (const uint8_t *)k.iaca,
	    strlen(k.iaca), (const uint8_t *)k.iaca_key, strlen(k.iaca_key), (const uint8_t *)spki,
	    strlen(spki), &cert, NULL), ==, TSR_OK);
	set = load(cert);
	g_assert_cmpint(tsr_x509_public_key(set, 0, &got), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&pub, &got));
	tsr_x509_free(set);
	tsr_free(cert);
	free(spki);
	tsr_ec_key_free(key);
	free_pki(&k);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/issuer/pki/valid_iaca_profile", valid_iaca_profile);
	g_test_add_func("/issuer/pki/valid_ds_profile", valid_ds_profile);
	g_test_add_func("/issuer/pki/valid_reader_profile", valid_reader_profile);
	g_test_add_func("/issuer/pki/serials_differ", serials_differ);
	g_test_add_func("/issuer/pki/refused_limits", refused_limits);
	g_test_add_func("/issuer/pki/valid_external_subject_key", valid_external_subject_key);
	return g_test_run();
}
