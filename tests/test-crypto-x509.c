/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* X.509 parsing, accessors and chain validation at an injected time. */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "crypto/crypto.h"
#include "test-support.h"

/* tests/data/crypto certificates are valid at this time (see its README.md). */
#define PKI_NOW "2025-06-01T00:00:00Z"
#define ANNEX_D_NOW "2021-01-01T00:00:00Z"

/* A set holding the given files (NULL-terminated list). */
static tsr_x509_t *
load_set(const char *first, ...)
{
	tsr_x509_t *set = NULL;
	va_list ap;

	g_assert_cmpint(tsr_x509_new(&set), ==, TSR_OK);
	va_start(ap, first);
	for (const char *f = first; f != NULL; f = va_arg(ap, const char *)) {
		size_t len = 0;
		g_autofree uint8_t *data = tsr_test_load(f, &len);

		g_assert_cmpint(tsr_x509_add(set, data, len), ==, TSR_OK);
	}
	va_end(ap);
	return set;
}

/* Runs tsr_x509_verify_chain and returns its flags (0 on TSR_OK). */
static uint32_t
verify(const tsr_x509_t *chain, const tsr_x509_t *anchors, const char *now, const char *eku,
    size_t *ret_idx)
{
	uint32_t flags = 0xdeadbeef;
	int r = tsr_x509_verify_chain(chain, anchors, tsr_test_time(now), eku, &flags, ret_idx);

	if (r == TSR_OK)
		g_assert_cmpuint(flags, ==, 0);
	else
		g_assert_cmpint(r, ==, TSR_ERR_VERIFY);
	g_assert_cmpuint(flags, !=, 0xdeadbeef);
	return flags;
}

static void
valid_annex_d_parse(void)
{
	static const struct {
		const char *base, *subject, *issuer, *country, *not_before, *not_after;
	} certs[] = {
		{ "annex-d/ds_cert", "CN=utopia ds, C=US", "CN=utopia iaca, C=US", "US",
		  "2020-10-01T00:00:00Z", "2021-10-01T00:00:00Z" },
		{ "annex-d/iaca_cert", "CN=utopia iaca, C=US", "CN=utopia iaca, C=US", "US",
		  "2020-10-01T00:00:00Z", "2029-09-29T00:00:00Z" },
		{ "annex-d/reader_cert", "CN=reader", "CN=reader root", "",
		  "2020-10-01T00:00:00Z", "2023-12-31T00:00:00Z" },
		{ "annex-d/reader_root_cert", "CN=reader root", "CN=reader root", "",
		  "2020-10-01T00:00:00Z", "2029-09-29T00:00:00Z" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(certs); i++) {
		g_autofree char *der_file = g_strconcat(certs[i].base, ".der", NULL);
		g_autofree char *pem_file = g_strconcat(certs[i].base, ".pem", NULL);
		size_t der_len = 0;
		g_autofree uint8_t *der = tsr_test_load(der_file, &der_len);
		tsr_x509_t *set = load_set(der_file, pem_file, NULL);
		tsr_span_t span0, span1;
		tsr_ec_pub_t pub;
		char *subject = NULL, *issuer = NULL, country[3] = "xx";
		int64_t nb = 0, na = 0;

		g_assert_cmpuint(tsr_x509_count(set), ==, 2);
		g_assert_cmpint(tsr_x509_der(set, 0, &span0), ==, TSR_OK);
		g_assert_cmpint(tsr_x509_der(set, 1, &span1), ==, TSR_OK);
		g_assert_cmpmem(span0.ptr, span0.len, der, der_len);
		g_assert_cmpmem(span1.ptr, span1.len, der, der_len);
		g_assert_cmpint(tsr_x509_subject(set, 1, &subject), ==, TSR_OK);
		g_assert_cmpstr(subject, ==, certs[i].subject);
		g_assert_cmpint(tsr_x509_issuer(set, 1, &issuer), ==, TSR_OK);
		g_assert_cmpstr(issuer, ==, certs[i].issuer);
		g_assert_cmpint(tsr_x509_subject_country(set, 0, country), ==, TSR_OK);
		g_assert_cmpstr(country, ==, certs[i].country);
		g_assert_cmpint(tsr_x509_validity(set, 0, &nb, &na), ==, TSR_OK);
		g_assert_cmpint(nb, ==, tsr_test_time(certs[i].not_before));
		g_assert_cmpint(na, ==, tsr_test_time(certs[i].not_after));
		g_assert_cmpint(tsr_x509_public_key(set, 0, &pub), ==, TSR_OK);
		g_assert_cmpint(pub.curve, ==, TSR_CURVE_P256);
		g_assert_cmpint(tsr_ec_pub_validate(&pub), ==, TSR_OK);
		free(subject);
		free(issuer);
		tsr_x509_free(set);
	}
}

static void
valid_annex_d_keys(void)
{
	/* The same key from DER and PEM; the reader and DS keys differ. */
	tsr_x509_t *a = load_set("annex-d/reader_cert.der", NULL);
	tsr_x509_t *b = load_set("annex-d/reader_cert.pem", "annex-d/ds_cert.pem", NULL);
	tsr_ec_pub_t pa, pb, pds;

	g_assert_cmpint(tsr_x509_public_key(a, 0, &pa), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_public_key(b, 0, &pb), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_public_key(b, 1, &pds), ==, TSR_OK);
	g_assert_true(tsr_ec_pub_equal(&pa, &pb));
	g_assert_false(tsr_ec_pub_equal(&pa, &pds));
	tsr_x509_free(a);
	tsr_x509_free(b);
}

static void
valid_pem_bundle(void)
{
	size_t l1 = 0, l2 = 0;
	g_autofree uint8_t *ds = tsr_test_load("annex-d/ds_cert.pem", &l1);
	g_autofree uint8_t *iaca = tsr_test_load("annex-d/iaca_cert.pem", &l2);
	g_autofree char *bundle = g_strdup_printf("a comment\n%.*s\nanother\n%.*s",
	    (int)l1, (const char *)ds, (int)l2, (const char *)iaca);
	tsr_x509_t *set = NULL;
	char *subject = NULL;

	g_assert_cmpint(tsr_x509_new(&set), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_add(set, (const uint8_t *)bundle, strlen(bundle)), ==, TSR_OK);
	/* with its terminating NUL too */
	g_assert_cmpint(tsr_x509_add(set, (const uint8_t *)bundle, strlen(bundle) + 1), ==, TSR_OK);
	g_assert_cmpuint(tsr_x509_count(set), ==, 4);
	g_assert_cmpint(tsr_x509_subject(set, 0, &subject), ==, TSR_OK);
	g_assert_cmpstr(subject, ==, "CN=utopia ds, C=US");
	free(subject);
	g_assert_cmpint(tsr_x509_subject(set, 3, &subject), ==, TSR_OK);
	g_assert_cmpstr(subject, ==, "CN=utopia iaca, C=US");
	free(subject);
	tsr_x509_free(set);
}

static void
valid_der_with_pem_text(void)
{
	/* The CN is "-----BEGIN CERTIFICATE-----": one DER SEQUENCE stays DER. */
	tsr_x509_t *set = load_set("crypto/leaf_pem_text.der", "crypto/leaf_pem_text.pem", NULL);
	tsr_x509_t *root = load_set("crypto/root.der", NULL);
	tsr_x509_t *chain = load_set("crypto/leaf_pem_text.der", "crypto/inter.der", NULL);
	char *subject = NULL;

	g_assert_cmpuint(tsr_x509_count(set), ==, 2);
	g_assert_cmpint(tsr_x509_subject(set, 0, &subject), ==, TSR_OK);
	g_assert_cmpstr(subject, ==, "C=UT, CN=-----BEGIN CERTIFICATE-----");
	g_assert_cmpuint(verify(chain, root, PKI_NOW, TSR_OID_EKU_MDL_DS, NULL), ==, 0);
	free(subject);
	tsr_x509_free(set);
	tsr_x509_free(root);
	tsr_x509_free(chain);
}

static void
valid_ds_chain(void)
{
	tsr_x509_t *chain = load_set("annex-d/ds_cert.der", NULL);
	tsr_x509_t *anchors = load_set("annex-d/iaca_cert.pem", NULL);
	tsr_x509_t *two = load_set("annex-d/reader_root_cert.der", "annex-d/iaca_cert.der", NULL);
	size_t idx = 42;

	g_assert_cmpuint(verify(chain, anchors, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, &idx), ==, 0);
	g_assert_cmpuint(idx, ==, 0);
	g_assert_cmpuint(verify(chain, two, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, &idx), ==, 0);
	g_assert_cmpuint(idx, ==, 1);
	/* the edges of the validity period are inclusive */
	g_assert_cmpuint(verify(chain, anchors, "2020-10-01T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL),
	    ==, 0);
	g_assert_cmpuint(verify(chain, anchors, "2021-10-01T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL),
	    ==, 0);
	/* no EKU required */
	g_assert_cmpuint(verify(chain, anchors, ANNEX_D_NOW, NULL, NULL), ==, 0);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
	tsr_x509_free(two);
}

static void
valid_trailing_anchor(void)
{
	tsr_x509_t *chain = load_set("annex-d/ds_cert.der", "annex-d/iaca_cert.der", NULL);
	tsr_x509_t *anchors = load_set("annex-d/iaca_cert.der", NULL);
	size_t idx = 42;

	g_assert_cmpuint(verify(chain, anchors, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, &idx), ==, 0);
	g_assert_cmpuint(idx, ==, 0);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
}

static void
expired_ds(void)
{
	tsr_x509_t *chain = load_set("annex-d/ds_cert.der", NULL);
	tsr_x509_t *anchors = load_set("annex-d/iaca_cert.der", NULL);
	size_t idx = 42;

	g_assert_cmpuint(verify(chain, anchors, "2026-11-25T00:00:00Z", TSR_OID_EKU_MDL_DS, &idx),
	    ==, TSR_X509_EXPIRED);
	g_assert_cmpuint(idx, ==, 0); /* the anchor was still reached */
	g_assert_cmpuint(verify(chain, anchors, "2021-10-01T00:00:01Z", TSR_OID_EKU_MDL_DS, NULL),
	    ==, TSR_X509_EXPIRED);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
}

static void
not_yet_valid_ds(void)
{
	tsr_x509_t *chain = load_set("annex-d/ds_cert.der", NULL);
	tsr_x509_t *anchors = load_set("annex-d/iaca_cert.der", NULL);

	g_assert_cmpuint(verify(chain, anchors, "2020-09-30T23:59:59Z", TSR_OID_EKU_MDL_DS, NULL),
	    ==, TSR_X509_NOT_YET_VALID);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
}

static void
untrusted_ds(void)
{
	tsr_x509_t *chain = load_set("annex-d/ds_cert.der", NULL);
	tsr_x509_t *anchors = load_set("annex-d/reader_root_cert.der", NULL);
	tsr_x509_t *empty = NULL;
	size_t idx = 42;

	g_assert_cmpuint(verify(chain, anchors, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, &idx), ==,
	    TSR_X509_UNTRUSTED);
	g_assert_cmpuint(idx, ==, 42);
	g_assert_cmpint(tsr_x509_new(&empty), ==, TSR_OK);
	g_assert_cmpuint(verify(chain, empty, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, &idx), ==,
	    TSR_X509_UNTRUSTED);
	/* expired and untrusted at once */
	g_assert_cmpuint(verify(chain, anchors, "2026-11-25T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL),
	    ==, TSR_X509_UNTRUSTED | TSR_X509_EXPIRED);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
	tsr_x509_free(empty);
}

static void
bad_signature_ds(void)
{
	size_t len = 0;
	g_autofree uint8_t *der = tsr_test_load("annex-d/ds_cert.der", &len);
	tsr_x509_t *chain = NULL;
	tsr_x509_t *anchors = load_set("annex-d/iaca_cert.der", NULL);
	size_t idx = 42;

	/* the last byte is inside the signature's s INTEGER */
	der[len - 1] ^= 0x01;
	g_assert_cmpint(tsr_x509_new(&chain), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_add(chain, der, len), ==, TSR_OK);
	g_assert_cmpuint(verify(chain, anchors, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, &idx), ==,
	    TSR_X509_UNTRUSTED);
	g_assert_cmpuint(idx, ==, 42);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
}

static void
valid_reader_chain(void)
{
	tsr_x509_t *chain = load_set("annex-d/reader_cert.der", NULL);
	tsr_x509_t *anchors = load_set("annex-d/reader_root_cert.der", NULL);

	g_assert_cmpuint(verify(chain, anchors, ANNEX_D_NOW, TSR_OID_EKU_MDL_READER_AUTH, NULL), ==,
	    0);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
}

static void
wrong_eku_reader(void)
{
	tsr_x509_t *chain = load_set("annex-d/reader_cert.der", NULL);
	tsr_x509_t *anchors = load_set("annex-d/reader_root_cert.der", NULL);
	tsr_x509_t *ds = load_set("annex-d/ds_cert.der", NULL);
	tsr_x509_t *iaca = load_set("annex-d/iaca_cert.der", NULL);

	g_assert_cmpuint(verify(chain, anchors, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_EXT_KEY_USAGE);
	g_assert_cmpuint(verify(ds, iaca, ANNEX_D_NOW, TSR_OID_EKU_MDL_READER_AUTH, NULL), ==,
	    TSR_X509_EXT_KEY_USAGE);
	/* the IACA as its own leaf: a CA, no digitalSignature, no EKU */
	g_assert_cmpuint(verify(iaca, iaca, ANNEX_D_NOW, TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_BAD_LEAF | TSR_X509_KEY_USAGE | TSR_X509_EXT_KEY_USAGE);
	tsr_x509_free(chain);
	tsr_x509_free(anchors);
	tsr_x509_free(ds);
	tsr_x509_free(iaca);
}

static void
valid_intermediate(void)
{
	tsr_x509_t *root = load_set("crypto/root.der", NULL);
	tsr_x509_t *inter = load_set("crypto/inter.pem", NULL);
	tsr_x509_t *chain = load_set("crypto/leaf_ds.pem", "crypto/inter.der", NULL);
	tsr_x509_t *full = load_set("crypto/leaf_ds.der", "crypto/inter.der", "crypto/root.pem",
	    NULL);
	tsr_x509_t *p521 = load_set("crypto/leaf_ds_p521.der", "crypto/inter.der", NULL);
	tsr_x509_t *both = load_set("annex-d/iaca_cert.der", "crypto/root.der", NULL);
	tsr_ec_pub_t pub;
	size_t idx = 42;

	g_assert_cmpuint(verify(chain, root, PKI_NOW, TSR_OID_EKU_MDL_DS, &idx), ==, 0);
	g_assert_cmpuint(idx, ==, 0);
	g_assert_cmpuint(verify(full, root, PKI_NOW, TSR_OID_EKU_MDL_DS, NULL), ==, 0);
	g_assert_cmpuint(verify(p521, both, PKI_NOW, TSR_OID_EKU_MDL_DS, &idx), ==, 0);
	g_assert_cmpuint(idx, ==, 1);
	g_assert_cmpint(tsr_x509_public_key(p521, 0, &pub), ==, TSR_OK);
	g_assert_cmpint(pub.curve, ==, TSR_CURVE_P521);
	{
		char country[3] = "";
		char *subject = NULL;

		g_assert_cmpint(tsr_x509_subject_country(p521, 1, country), ==, TSR_OK);
		g_assert_cmpstr(country, ==, "UT");
		g_assert_cmpint(tsr_x509_subject(p521, 1, &subject), ==, TSR_OK);
		g_assert_cmpstr(subject, ==, "C=UT, CN=Tessera Test Intermediate");
		free(subject);
	}
	/* an intermediate may itself be the anchor */
	g_assert_cmpuint(verify(chain, inter, PKI_NOW, TSR_OID_EKU_MDL_DS, &idx), ==, 0);
	g_assert_cmpuint(idx, ==, 0);
	tsr_x509_free(root);
	tsr_x509_free(inter);
	tsr_x509_free(chain);
	tsr_x509_free(full);
	tsr_x509_free(p521);
	tsr_x509_free(both);
}

static void
missing_intermediate(void)
{
	tsr_x509_t *root = load_set("crypto/root.der", NULL);
	tsr_x509_t *leaf = load_set("crypto/leaf_ds.der", NULL);
	tsr_x509_t *wrong = load_set("crypto/leaf_ds.der", "crypto/inter_old.der", NULL);

	g_assert_cmpuint(verify(leaf, root, PKI_NOW, TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_UNTRUSTED);
	g_assert_cmpuint(verify(wrong, root, PKI_NOW, TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_UNTRUSTED);
	tsr_x509_free(root);
	tsr_x509_free(leaf);
	tsr_x509_free(wrong);
}

static void
expired_intermediate(void)
{
	tsr_x509_t *root = load_set("crypto/root.der", NULL);
	tsr_x509_t *chain = load_set("crypto/leaf_old_ds.der", "crypto/inter_old.der", NULL);
	tsr_x509_t *leaf = load_set("crypto/leaf_old_ds.der", NULL);
	tsr_x509_t *old = load_set("crypto/inter_old.der", NULL);

	/* the leaf is valid until 2030; its issuer expired on 2023-01-01 */
	g_assert_cmpuint(verify(chain, root, PKI_NOW, TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_EXPIRED);
	/* in 2022 the path up to inter_old is fine (the root only starts in 2024) */
	g_assert_cmpuint(verify(leaf, old, "2022-07-01T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL), ==, 0);
	g_assert_cmpuint(verify(chain, root, "2022-07-01T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_NOT_YET_VALID);
	tsr_x509_free(root);
	tsr_x509_free(chain);
	tsr_x509_free(leaf);
	tsr_x509_free(old);
}

static void
expired_anchor(void)
{
	tsr_x509_t *root = load_set("crypto/root.der", NULL);
	tsr_x509_t *inter = load_set("crypto/inter.der", NULL);
	tsr_x509_t *leaf = load_set("crypto/leaf_future.der", NULL);
	tsr_x509_t *chain = load_set("crypto/leaf_future.der", "crypto/inter.der", NULL);
	size_t idx = 42;

	/* in 2040 the leaf is valid but the anchor (inter, to 2034) is not */
	g_assert_cmpuint(verify(leaf, inter, "2040-06-01T00:00:00Z", TSR_OID_EKU_MDL_DS, &idx), ==,
	    TSR_X509_EXPIRED);
	g_assert_cmpuint(idx, ==, 0);
	g_assert_cmpuint(verify(chain, root, "2040-06-01T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_EXPIRED);
	g_assert_cmpuint(verify(chain, root, "2045-06-01T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_EXPIRED);
	/* before the anchor's notBefore */
	g_assert_cmpuint(verify(chain, root, "2023-06-01T00:00:00Z", TSR_OID_EKU_MDL_DS, NULL), ==,
	    TSR_X509_NOT_YET_VALID);
	tsr_x509_free(root);
	tsr_x509_free(inter);
	tsr_x509_free(leaf);
	tsr_x509_free(chain);
}

static void
check_leaf(const char *file, const char *eku, uint32_t want)
{
	tsr_x509_t *root = load_set("crypto/root.der", NULL);
	tsr_x509_t *chain = load_set(file, "crypto/inter.der", NULL);
	uint32_t got = verify(chain, root, PKI_NOW, eku, NULL);

	if (got != want)
		g_error("%s: flags 0x%x, want 0x%x", file, got, want);
	tsr_x509_free(root);
	tsr_x509_free(chain);
}

static void
bad_leaf_profile(void)
{
	check_leaf("crypto/leaf_ca.der", TSR_OID_EKU_MDL_DS, TSR_X509_BAD_LEAF);
	check_leaf("crypto/leaf_no_ku.der", TSR_OID_EKU_MDL_DS, TSR_X509_KEY_USAGE);
	check_leaf("crypto/leaf_wrong_ku.der", TSR_OID_EKU_MDL_DS, TSR_X509_KEY_USAGE);
	check_leaf("crypto/leaf_no_eku.der", TSR_OID_EKU_MDL_DS, TSR_X509_EXT_KEY_USAGE);
	check_leaf("crypto/leaf_no_eku.der", NULL, 0);
	/* anyExtendedKeyUsage is not the mDL DS usage... */
	check_leaf("crypto/leaf_any_eku.der", TSR_OID_EKU_MDL_DS, TSR_X509_EXT_KEY_USAGE);
	/* ...but is matched when asked for by its own OID, 2.5.29.37.0 */
	check_leaf("crypto/leaf_any_eku.der", "2.5.29.37.0", 0);
	/* mbedTLS's profile refuses the RSA key too, hence UNTRUSTED, and
	 * names the reason: the key type */
	check_leaf("crypto/leaf_rsa.der", TSR_OID_EKU_MDL_DS,
	    TSR_X509_BAD_LEAF | TSR_X509_UNTRUSTED | TSR_X509_UNSUPPORTED_ALG);
	check_leaf("crypto/leaf_expired.der", TSR_OID_EKU_MDL_DS, TSR_X509_EXPIRED);
	check_leaf("crypto/leaf_future.der", TSR_OID_EKU_MDL_DS, TSR_X509_NOT_YET_VALID);
}

static void
check_parse_fails(const uint8_t *p, size_t len, int want)
{
	tsr_x509_t *set = load_set("annex-d/iaca_cert.der", NULL);

	g_assert_cmpint(tsr_x509_add(set, p, len), ==, want);
	g_assert_cmpuint(tsr_x509_count(set), ==, 1);
	tsr_x509_free(set);
}

static void
junk_certs(void)
{
	static const char no_cert[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	static const char bad_b64[] = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
	static const char no_end[] = "-----BEGIN CERTIFICATE-----\nMIIB\n";
	static const uint8_t junk[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02 };
	size_t len = 0, pl = 0;
	g_autofree uint8_t *der = tsr_test_load("annex-d/ds_cert.der", &len);
	g_autofree uint8_t *pem = tsr_test_load("annex-d/ds_cert.pem", &pl);
	g_autofree uint8_t *longer = g_malloc(len + 1);
	g_autofree char *good_then_bad = NULL;

	for (size_t n = 0; n < len; n++)
		check_parse_fails(der, n, TSR_ERR_CERT_PARSE);
	memcpy(longer, der, len);
	longer[len] = 0;
	check_parse_fails(longer, len + 1, TSR_ERR_CERT_PARSE);
	check_parse_fails(junk, sizeof(junk), TSR_ERR_CERT_PARSE);
	check_parse_fails((const uint8_t *)no_cert, strlen(no_cert), TSR_ERR_CERT_PARSE);
	check_parse_fails((const uint8_t *)bad_b64, strlen(bad_b64), TSR_ERR_CERT_PARSE);
	check_parse_fails((const uint8_t *)no_end, strlen(no_end), TSR_ERR_CERT_PARSE);
	/* a PEM cut short */
	for (size_t n = 1; n < pl - 30; n += 17)
		check_parse_fails(pem, n, TSR_ERR_CERT_PARSE);
	/* all or nothing: one good certificate and one bad one add neither */
	good_then_bad = g_strdup_printf("%.*s%s", (int)pl, (const char *)pem, bad_b64);
	check_parse_fails((const uint8_t *)good_then_bad, strlen(good_then_bad), TSR_ERR_CERT_PARSE);
	/* mbedTLS 2.28 does not know issuerAltName, so a critical one is refused
	 * (-0x2562: INVALID_EXTENSIONS + ASN1_UNEXPECTED_TAG); Annex B makes it
	 * non-critical, and the Annex D certificates parse. */
	{
		size_t cl = 0;
		g_autofree uint8_t *crit = tsr_test_load("crypto/leaf_critical_ian.der", &cl);

		check_parse_fails(crit, cl, TSR_ERR_CERT_PARSE);
	}
	/* a DER element that is no certificate */
	check_parse_fails((const uint8_t *)"\x30\x03\x02\x01\x01", 5, TSR_ERR_CERT_PARSE);
	check_parse_fails(NULL, 5, TSR_ERR_INVALID_ARGUMENT);
}

static void
bad_args_x509(void)
{
	tsr_x509_t *set = load_set("annex-d/ds_cert.der", NULL);
	tsr_x509_t *empty = NULL;
	tsr_span_t span = { NULL, 0 };
	tsr_ec_pub_t pub;
	char *name = NULL, country[3] = "zz";
	int64_t nb = 1, na = 2;
	uint32_t flags = 7;
	size_t idx = 42;

	g_assert_cmpint(tsr_x509_new(NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_add(NULL, (const uint8_t *)"x", 1), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpuint(tsr_x509_count(NULL), ==, 0);
	tsr_x509_free(NULL);
	g_assert_cmpint(tsr_x509_der(set, 1, &span), ==, TSR_ERR_NOT_FOUND);
	g_assert_null(span.ptr);
	g_assert_cmpint(tsr_x509_der(NULL, 0, &span), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_der(set, 0, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_public_key(set, 5, &pub), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_x509_subject(set, 1, &name), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(tsr_x509_issuer(set, 1, &name), ==, TSR_ERR_NOT_FOUND);
	g_assert_null(name);
	g_assert_cmpint(tsr_x509_subject_country(set, 1, country), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpstr(country, ==, "zz");
	g_assert_cmpint(tsr_x509_validity(set, 1, &nb, &na), ==, TSR_ERR_NOT_FOUND);
	g_assert_cmpint(nb, ==, 1);
	g_assert_cmpint(tsr_x509_validity(set, 0, NULL, &na), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_new(&empty), ==, TSR_OK);
	g_assert_cmpint(tsr_x509_verify_chain(empty, set, 0, NULL, &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(NULL, set, 0, NULL, &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, NULL, 0, NULL, &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, NULL, NULL, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	/* malformed OIDs */
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "", &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "1", &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "1.0.", &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "1..2", &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "3.1", &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "1.40", &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "1.0.x", &flags, &idx), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_x509_verify_chain(set, set, 0, "1.0.99999999999999999999999", &flags,
	    &idx), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpuint(flags, ==, 7);
	g_assert_cmpuint(idx, ==, 42);
	tsr_x509_free(set);
	tsr_x509_free(empty);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/x509/valid_annex_d_parse", valid_annex_d_parse);
	g_test_add_func("/crypto/x509/valid_annex_d_keys", valid_annex_d_keys);
	g_test_add_func("/crypto/x509/valid_pem_bundle", valid_pem_bundle);
	g_test_add_func("/crypto/x509/valid_der_with_pem_text", valid_der_with_pem_text);
	g_test_add_func("/crypto/x509/valid_ds_chain", valid_ds_chain);
	g_test_add_func("/crypto/x509/valid_trailing_anchor", valid_trailing_anchor);
	g_test_add_func("/crypto/x509/expired_ds", expired_ds);
	g_test_add_func("/crypto/x509/not_yet_valid_ds", not_yet_valid_ds);
	g_test_add_func("/crypto/x509/untrusted_ds", untrusted_ds);
	g_test_add_func("/crypto/x509/bad_signature_ds", bad_signature_ds);
	g_test_add_func("/crypto/x509/valid_reader_chain", valid_reader_chain);
	g_test_add_func("/crypto/x509/wrong_eku_reader", wrong_eku_reader);
	g_test_add_func("/crypto/x509/valid_intermediate", valid_intermediate);
	g_test_add_func("/crypto/x509/missing_intermediate", missing_intermediate);
	g_test_add_func("/crypto/x509/expired_intermediate", expired_intermediate);
	g_test_add_func("/crypto/x509/expired_anchor", expired_anchor);
	g_test_add_func("/crypto/x509/bad_leaf_profile", bad_leaf_profile);
	g_test_add_func("/crypto/x509/junk", junk_certs);
	g_test_add_func("/crypto/x509/bad_args", bad_args_x509);
	return g_test_run();
}
