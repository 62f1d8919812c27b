/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* X.509 parsing, accessors and chain validation at a caller-given time. */

#include <stdlib.h>
#include <string.h>

#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <tessera/tessera.h>

#include "base/civil-time.h"
#include "base/log.h"
#include "crypto/crypto-internal.h"
#include "crypto/x509-path.h"

/* Limits on hostile input: 18013-5 certificates are well under 2 KiB and
 * chains hold a handful; a trust store holds at most a few hundred IACAs. */
#define CERT_MAX_LEN ((size_t)64 * 1024)
#define CERT_INPUT_MAX ((size_t)4 * 1024 * 1024)
#define SET_MAX_CERTS 1024
#define NAME_MAX_LEN 4096

/*
 * Every node is allocated here and holds exactly one certificate; nodes are
 * linked through mbedTLS's own `next` so that a set can be handed to
 * mbedtls_x509_crt_verify_with_profile() as a chain or as a trust list.
 */
struct tsr_x509 {
	mbedtls_x509_crt *head;
	mbedtls_x509_crt *tail;
	size_t count;
};

static void
nodes_free(mbedtls_x509_crt *n)
{
	while (n != NULL) {
		mbedtls_x509_crt *next = n->next;
		n->next = NULL;
		mbedtls_x509_crt_free(n);
		free(n);
		n = next;
	}
}

int
tsr_x509_new(tsr_x509_t **ret_set)
{
	tsr_x509_t *set;

	if (ret_set == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((set = calloc(1, sizeof(*set))) == NULL)
		return TSR_ERR_NO_MEMORY;
	*ret_set = set;
	return TSR_OK;
}

void
tsr_x509_free(tsr_x509_t *set)
{
	if (set == NULL)
		return;
	nodes_free(set->head);
	free(set);
}

size_t
tsr_x509_count(const tsr_x509_t *set)
{
	return set != NULL ? set->count : 0;
}

/* Parses one DER certificate (exactly len bytes) into a new node. */
static int
parse_one(const uint8_t *der, size_t len, mbedtls_x509_crt **ret_node)
{
	mbedtls_x509_crt *n;
	int mr;

	if (len == 0 || len > CERT_MAX_LEN || tsr_der_tlv_len(der, len) != len)
		return TSR_ERR_CERT_PARSE;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return TSR_ERR_NO_MEMORY;
	mbedtls_x509_crt_init(n);
	if ((mr = mbedtls_x509_crt_parse_der(n, der, len)) != 0) {
		/* e.g. -0x2500 (INVALID_EXTENSIONS) + -0x62 (UNEXPECTED_TAG) for an
		 * unknown critical extension, -0x2080 (FEATURE_UNAVAILABLE) for a
		 * known but unsupported critical one. */
		tsr_debug("x509: mbedTLS parse error -0x%04x", (unsigned)-mr);
		nodes_free(n);
		return tsr_mbedtls_error(mr, TSR_ERR_CERT_PARSE);
	}
	*ret_node = n;
	return TSR_OK;
}

int
tsr_x509_add(tsr_x509_t *set, const uint8_t *ptr, size_t len)
{
	mbedtls_x509_crt *first = NULL, *last = NULL, *n = NULL;
	mbedtls_pem_context pem;
	char *text = NULL;
	size_t text_len = 0, off = 0, added = 0;
	int r = TSR_ERR_INTERNAL, mr;

	mbedtls_pem_init(&pem);
	if (set == NULL || (ptr == NULL && len > 0)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (len > CERT_INPUT_MAX) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if (!tsr_looks_like_pem(ptr, len)) {
		if ((r = parse_one(ptr, len, &first)) != TSR_OK)
			goto out;
		last = first;
		added = 1;
	} else {
		if ((r = tsr_pem_dup(ptr, len, &text, &text_len)) != TSR_OK) {
			if (r == TSR_ERR_INVALID_ARGUMENT)
				r = TSR_ERR_CERT_PARSE;
			goto out;
		}
		for (;;) {
			size_t use_len = 0;

			mbedtls_pem_free(&pem);
			mbedtls_pem_init(&pem);
			mr = mbedtls_pem_read_buffer(&pem, "-----BEGIN CERTIFICATE-----",
			    "-----END CERTIFICATE-----", (const unsigned char *)text + off, NULL, 0,
			    &use_len);
			if (mr == MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT)
				break;
			if (mr != 0 || use_len == 0 || use_len > text_len - 1 - off) {
				/* MBEDTLS_ERR_PEM_ALLOC_FAILED is no parse error. */
				r = tsr_mbedtls_error(mr, TSR_ERR_CERT_PARSE);
				goto out;
			}
			off += use_len;
			if (set->count + added >= SET_MAX_CERTS) {
				r = TSR_ERR_LIMIT;
				goto out;
			}
			if ((r = parse_one(pem.buf, pem.buflen, &n)) != TSR_OK)
				goto out;
			if (last == NULL)
				first = n;
			else
				last->next = n;
			last = n;
			n = NULL;
			added++;
		}
		if (added == 0) {
			r = TSR_ERR_CERT_PARSE;
			goto out;
		}
	}
	if (set->count + added > SET_MAX_CERTS) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	/* All or nothing: link the new certificates only once all parsed. */
	if (set->tail == NULL)
		set->head = first;
	else
		set->tail->next = first;
	set->tail = last;
	set->count += added;
	first = NULL;
	r = TSR_OK;
out:
	nodes_free(first);
	mbedtls_pem_free(&pem);
	free(text);
	return r;
}

mbedtls_x509_crt *
tsr_x509_crts(const tsr_x509_t *set)
{
	return set != NULL ? set->head : NULL;
}

static const mbedtls_x509_crt *
node_at(const tsr_x509_t *set, size_t idx)
{
	const mbedtls_x509_crt *n = set->head;

	for (size_t i = 0; n != NULL && i < idx; i++)
		n = n->next;
	return n;
}

static int
get_node(const tsr_x509_t *set, size_t idx, const mbedtls_x509_crt **ret_crt)
{
	const mbedtls_x509_crt *n;

	if (set == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((n = node_at(set, idx)) == NULL)
		return TSR_ERR_NOT_FOUND;
	*ret_crt = n;
	return TSR_OK;
}

int
tsr_x509_der(const tsr_x509_t *set, size_t idx, tsr_span_t *ret_der)
{
	const mbedtls_x509_crt *crt;
	int r;

	if (ret_der == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = get_node(set, idx, &crt)) != TSR_OK)
		return r;
	ret_der->ptr = crt->raw.p;
	ret_der->len = crt->raw.len;
	return TSR_OK;
}

/* TSR_OK when crt holds an EC key on a curve we support. */
static int
crt_ec_pub(const mbedtls_x509_crt *crt, tsr_ec_pub_t *ret_pub)
{
	const mbedtls_ecp_keypair *ec;
	int mr;

	if (mbedtls_pk_get_type(&crt->pk) != MBEDTLS_PK_ECKEY)
		return TSR_ERR_CRYPTO_BAD_KEY;
	if ((ec = mbedtls_pk_ec(crt->pk)) == NULL)
		return TSR_ERR_CRYPTO_BAD_KEY;
	if (tsr_curve_from_group(ec->grp.id) == 0)
		return TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
	if ((mr = mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q)) != 0)
		return tsr_mbedtls_error(mr, TSR_ERR_CRYPTO_BAD_KEY);
	return tsr_ec_pub_from_point(&ec->grp, &ec->Q, ret_pub);
}

int
tsr_x509_public_key(const tsr_x509_t *set, size_t idx, tsr_ec_pub_t *ret_pub)
{
	const mbedtls_x509_crt *crt;
	tsr_ec_pub_t pub;
	int r;

	if (ret_pub == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = get_node(set, idx, &crt)) != TSR_OK)
		return r;
	if ((r = crt_ec_pub(crt, &pub)) != TSR_OK)
		return r;
	*ret_pub = pub;
	return TSR_OK;
}

static int
name_string(const mbedtls_x509_name *dn, char **ret_name)
{
	char *buf = NULL;
	size_t cap = 256;
	int n;

	for (;;) {
		if ((buf = malloc(cap)) == NULL)
			return TSR_ERR_NO_MEMORY;
		n = mbedtls_x509_dn_gets(buf, cap, dn);
		if (n >= 0)
			break;
		free(buf);
		if (n != MBEDTLS_ERR_X509_BUFFER_TOO_SMALL || cap >= NAME_MAX_LEN)
			return n == MBEDTLS_ERR_X509_BUFFER_TOO_SMALL ? TSR_ERR_LIMIT : TSR_ERR_CERT_PARSE;
		cap *= 2;
	}
	*ret_name = buf;
	return TSR_OK;
}

int
tsr_x509_subject(const tsr_x509_t *set, size_t idx, char **ret_name)
{
	const mbedtls_x509_crt *crt;
	int r;

	if (ret_name == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = get_node(set, idx, &crt)) != TSR_OK)
		return r;
	return name_string(&crt->subject, ret_name);
}

int
tsr_x509_issuer(const tsr_x509_t *set, size_t idx, char **ret_name)
{
	const mbedtls_x509_crt *crt;
	int r;

	if (ret_name == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = get_node(set, idx, &crt)) != TSR_OK)
		return r;
	return name_string(&crt->issuer, ret_name);
}

int
tsr_x509_subject_country(const tsr_x509_t *set, size_t idx, char ret_country[3])
{
	const mbedtls_x509_crt *crt;
	const mbedtls_x509_name *dn;
	int r;

	if (ret_country == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = get_node(set, idx, &crt)) != TSR_OK)
		return r;
	for (dn = &crt->subject; dn != NULL; dn = dn->next) {
		if (dn->oid.p == NULL || MBEDTLS_OID_CMP(MBEDTLS_OID_AT_COUNTRY, &dn->oid) != 0)
			continue;
		/* 18013-5 Annex B: an ISO 3166-1 alpha-2 code. */
		if (dn->val.len != 2 || dn->val.p[0] < 0x21 || dn->val.p[0] > 0x7e ||
		    dn->val.p[1] < 0x21 || dn->val.p[1] > 0x7e)
			return TSR_ERR_CERT_PROFILE;
		ret_country[0] = (char)dn->val.p[0];
		ret_country[1] = (char)dn->val.p[1];
		ret_country[2] = '\0';
		return TSR_OK;
	}
	ret_country[0] = '\0';
	return TSR_OK;
}

int64_t
tsr_x509_time_unix(const mbedtls_x509_time *t)
{
	return tsr_days_from_civil(t->year, t->mon, t->day) * 86400 + (int64_t)t->hour * 3600 +
	    (int64_t)t->min * 60 + t->sec;
}

int
tsr_x509_validity(const tsr_x509_t *set, size_t idx, int64_t *ret_not_before,
    int64_t *ret_not_after)
{
	const mbedtls_x509_crt *crt;
	int r;

	if (ret_not_before == NULL || ret_not_after == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = get_node(set, idx, &crt)) != TSR_OK)
		return r;
	*ret_not_before = tsr_x509_time_unix(&crt->valid_from);
	*ret_not_after = tsr_x509_time_unix(&crt->valid_to);
	return TSR_OK;
}

/*
 * Dotted OID ("1.0.18013.5.1.2") to the content octets of its DER encoding
 * (06 07 28 81 8C 5D 05 01 02 without the tag and length).
 */
static int
oid_from_dotted(const char *s, uint8_t *out, size_t cap, size_t *ret_len)
{
	uint64_t arcs[2] = { 0, 0 };
	size_t len = 0, narcs = 0;

	while (*s != '\0') {
		uint64_t v = 0;
		const char *start = s;
		uint8_t tmp[10];
		size_t k = 0;

		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > (UINT64_MAX >> 8) / 10)
				return TSR_ERR_INVALID_ARGUMENT;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		if (s == start || (s - start > 1 && *start == '0'))
			return TSR_ERR_INVALID_ARGUMENT;
		if (*s == '.') {
			s++;
			if (*s == '\0')
				return TSR_ERR_INVALID_ARGUMENT;
		} else if (*s != '\0') {
			return TSR_ERR_INVALID_ARGUMENT;
		}
		if (narcs < 2) {
			arcs[narcs++] = v;
			if (narcs < 2)
				continue;
			/* X.690 §8.19.4: the first two arcs share one subidentifier. */
			if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
				return TSR_ERR_INVALID_ARGUMENT;
			v = arcs[0] * 40 + arcs[1];
		}
		do {
			tmp[k++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v != 0);
		if (len + k > cap)
			return TSR_ERR_INVALID_ARGUMENT;
		while (k > 0) {
			k--;
			out[len++] = (uint8_t)(tmp[k] | (k > 0 ? 0x80 : 0));
		}
	}
	if (narcs < 2)
		return TSR_ERR_INVALID_ARGUMENT;
	*ret_len = len;
	return TSR_OK;
}

/* SHA-256/384/512 with ECDSA on the NIST curves only (RSA, SHA-1, Brainpool out). */
static const mbedtls_x509_crt_profile verify_profile = {
	.allowed_mds = MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
	.allowed_pks = MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECKEY) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECDSA),
	.allowed_curves = MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1) |
	    MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP521R1),
	.rsa_min_bitlen = 2048,
};

static int
verify_cb(void *arg, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	tsr_x509_path_record(arg, crt, depth, *flags);
	/* mbedTLS judges time by the system clock; we judge it by `now`. */
	*flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
	return 0;
}

static bool
has_eku(const mbedtls_x509_crt *crt, const uint8_t *oid, size_t oid_len)
{
	const mbedtls_x509_sequence *s;

	if (!(crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE))
		return false;
	/* An exact match: anyExtendedKeyUsage does not make a DS or reader cert. */
	for (s = &crt->ext_key_usage; s != NULL; s = s->next) {
		if (s->buf.p != NULL && s->buf.len == oid_len && memcmp(s->buf.p, oid, oid_len) == 0)
			return true;
	}
	return false;
}

/* The leaf's TSR_X509_* flags, or TSR_ERR_NO_MEMORY (no verdict). */
static int
leaf_flags(const mbedtls_x509_crt *leaf, const uint8_t *eku, size_t eku_len, uint32_t *ret_f)
{
	tsr_ec_pub_t pub;
	uint32_t f = 0;
	int r = leaf->ca_istrue ? TSR_OK : crt_ec_pub(leaf, &pub);

	if (r == TSR_ERR_NO_MEMORY)
		return r;
	if (leaf->ca_istrue || r != TSR_OK)
		f |= TSR_X509_BAD_LEAF;
	/* 18013-5 Annex B: DS and reader certificates carry keyUsage digitalSignature. */
	if (!(leaf->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) ||
	    !(leaf->key_usage & MBEDTLS_X509_KU_DIGITAL_SIGNATURE))
		f |= TSR_X509_KEY_USAGE;
	if (eku != NULL && !has_eku(leaf, eku, eku_len))
		f |= TSR_X509_EXT_KEY_USAGE;
	*ret_f |= f;
	return TSR_OK;
}

static uint32_t
time_flags(const mbedtls_x509_crt *crt, int64_t now)
{
	uint32_t f = 0;

	if (now < tsr_x509_time_unix(&crt->valid_from))
		f |= TSR_X509_NOT_YET_VALID;
	if (now > tsr_x509_time_unix(&crt->valid_to))
		f |= TSR_X509_EXPIRED;
	return f;
}

/* Index in anchors of the certificate that ends the path, or false. */
static bool
anchor_index(const tsr_x509_t *anchors, const mbedtls_x509_crt *top, size_t *ret_idx)
{
	const mbedtls_x509_crt *n;
	size_t i;

	for (n = anchors->head, i = 0; n != NULL; n = n->next, i++) {
		if (n == top) {
			*ret_idx = i;
			return true;
		}
	}
	/* A leaf that is itself an anchor stays in the chain's list. */
	for (n = anchors->head, i = 0; n != NULL; n = n->next, i++) {
		if (n->raw.len == top->raw.len && memcmp(n->raw.p, top->raw.p, n->raw.len) == 0) {
			*ret_idx = i;
			return true;
		}
	}
	return false;
}

int
tsr_x509_verify_chain(const tsr_x509_t *chain, const tsr_x509_t *anchors, int64_t now,
    const char *eku_oid, uint32_t *ret_flags, size_t *ret_anchor_idx)
{
	tsr_x509_path_t path;
	uint8_t eku[64];
	size_t eku_len = 0, idx = 0;
	uint32_t mflags = 0, flags = 0;
	bool reached = false;
	int r = TSR_ERR_INTERNAL, mr;

	memset(&path, 0, sizeof(path));
	if (chain == NULL || chain->head == NULL || anchors == NULL || ret_flags == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (eku_oid != NULL && (r = oid_from_dotted(eku_oid, eku, sizeof(eku), &eku_len)) != TSR_OK)
		goto out;
	mr = mbedtls_x509_crt_verify_with_profile(chain->head, anchors->head, NULL,
	    &verify_profile, NULL, &mflags, verify_cb, &path);
	if (mr == MBEDTLS_ERR_X509_ALLOC_FAILED) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((mflags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) &&
	    (r = tsr_x509_path_recheck(&path, anchors->head)) != TSR_OK)
		goto out;
	if (mr != 0 && mr != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		/* e.g. MBEDTLS_ERR_X509_FATAL_ERROR for a chain that is too long */
		tsr_debug("x509: mbedTLS verify error -0x%04x", (unsigned)-mr);
		flags |= TSR_X509_UNTRUSTED;
	}
	/* Any reason left after the callback dropped the clock's verdicts:
	 * not trusted, bad signature, hash, key or curve outside the profile,
	 * a CA without keyCertSign, a path too long... */
	if (mflags != 0)
		flags |= TSR_X509_UNTRUSTED;
	/* The profile refused a key or a signature algorithm (an RSA IACA or
	 * DS, SHA-1, brainpool): say so, so that a chain that is sound but
	 * not 18013-5's is not reported as merely untrusted (Annex B: ECDSA
	 * keys and signatures only). */
	if (mflags & (MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |
	    MBEDTLS_X509_BADCERT_BAD_KEY))
		flags |= TSR_X509_UNSUPPORTED_ALG;
	if (path.len == 0) {
		path.crt[0] = chain->head;
		path.len = 1;
		flags |= TSR_X509_UNTRUSTED;
	}
	/* Every certificate on the path, anchor included, must be valid at now. */
	for (size_t i = 0; i < path.len; i++) {
		if (path.crt[i] != NULL)
			flags |= time_flags(path.crt[i], now);
	}
	if ((r = leaf_flags(chain->head, eku_oid != NULL ? eku : NULL, eku_len, &flags)) !=
	    TSR_OK)
		goto out;
	if (!(flags & TSR_X509_UNTRUSTED) && path.crt[path.len - 1] != NULL)
		reached = anchor_index(anchors, path.crt[path.len - 1], &idx);
	if (!reached)
		flags |= TSR_X509_UNTRUSTED;
	*ret_flags = flags;
	/* Set whenever an anchor was reached, even if another check failed. */
	if (reached && ret_anchor_idx != NULL)
		*ret_anchor_idx = idx;
	r = flags == 0 ? TSR_OK : TSR_ERR_VERIFY;
out:
	return r;
}
