/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The verifier (issuer) side of TPM key attestation: EK certificate
 * checks, TPM2_MakeCredential in software, and the checks of the Evidence.
 * No TPM is needed; tss2-mu only parses TPM structures.
 */

#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>

#include <tessera/tessera.h>

#include "attest/attest-private.h"
#include "base/log.h"
#include "cose/cose.h"
#include "crypto/tpm-crypto.h"

struct attest_key {
	uint8_t *cose;
	size_t cose_len;
	tsr_ec_pub_t pub;
};

struct tsr_attest_result {
	struct attest_key keys[TSR_ATTEST_MAX_KEYS];
	size_t n;
	char *ek_subject;
	char *ek_issuer;
};

const char *
tsr_attest_flag_name(uint32_t flag)
{
	switch (flag) {
	case TSR_ATTEST_EK_UNTRUSTED:
		return "EK certificate untrusted";
	case TSR_ATTEST_EK_EXPIRED:
		return "EK certificate expired or not yet valid";
	case TSR_ATTEST_EK_UNSUPPORTED:
		return "EK key unsupported";
	case TSR_ATTEST_AK_ATTRIBUTES:
		return "attestation key attributes";
	case TSR_ATTEST_ACTIVATION:
		return "credential activation";
	case TSR_ATTEST_COUNT:
		return "number of certifications";
	case TSR_ATTEST_MALFORMED:
		return "malformed attestation";
	case TSR_ATTEST_NOT_CERTIFY:
		return "not a TPM-generated certification";
	case TSR_ATTEST_NONCE:
		return "nonce";
	case TSR_ATTEST_NAME:
		return "certified key name";
	case TSR_ATTEST_KEY_ATTRIBUTES:
		return "device key attributes";
	case TSR_ATTEST_SIGNATURE:
		return "attestation key signature";
	case TSR_ATTEST_CHALLENGE_EXPIRED:
		return "challenge expired";
	default:
		return "unknown";
	}
}

/* --- TPM structures --- */

/* A whole marshalled TPM2B_PUBLIC, nothing after it. */
static int
parse_public(tsr_span_t in, TPM2B_PUBLIC *ret)
{
	TPM2B_PUBLIC pub;
	size_t off = 0;

	memset(&pub, 0, sizeof(pub));
	if (in.len < 2 || ((size_t)in.ptr[0] << 8 | in.ptr[1]) != in.len - 2 ||
	    Tss2_MU_TPM2B_PUBLIC_Unmarshal(in.ptr, in.len, &off, &pub) != TSS2_RC_SUCCESS ||
	    off != in.len) {
		tsr_debug("attest: malformed TPM2B_PUBLIC");
		return TSR_ERR_CBOR_VALUE;
	}
	*ret = pub;
	return TSR_OK;
}

int
tsr_attest_public_name(const uint8_t *tpm2b_public, size_t len,
    uint8_t name[TSR_ATTEST_NAME_LEN])
{
	tsr_span_t in = { tpm2b_public, len };
	TPM2B_PUBLIC pub;
	int r;

	if ((r = parse_public(in, &pub)) != TSR_OK)
		return r;
	if (pub.publicArea.nameAlg != TPM2_ALG_SHA256)
		return TSR_ERR_CBOR_VALUE;
	/* Name = nameAlg || H(TPMT_PUBLIC), over the bytes as received. */
	name[0] = (uint8_t)(TPM2_ALG_SHA256 >> 8);
	name[1] = (uint8_t)TPM2_ALG_SHA256;
	return tsr_hash(TSR_HASH_SHA256, tpm2b_public + 2, len - 2, name + 2);
}

static bool
ecc_to_pub(const TPMS_ECC_POINT *p, tsr_curve_t curve, tsr_ec_pub_t *ret)
{
	size_t clen = tsr_curve_coord_len(curve);
	tsr_ec_pub_t pub;

	memset(&pub, 0, sizeof(pub));
	if (clen == 0 || p->x.size == 0 || p->x.size > clen || p->y.size == 0 || p->y.size > clen)
		return false;
	pub.curve = curve;
	memcpy(pub.x + clen - p->x.size, p->x.buffer, p->x.size);
	memcpy(pub.y + clen - p->y.size, p->y.buffer, p->y.size);
	if (tsr_ec_pub_validate(&pub) != TSR_OK)
		return false;
	*ret = pub;
	return true;
}

/* A restricted ECDSA-P256/SHA-256 signing key that cannot leave its TPM. */
static bool
ak_ok(const TPMT_PUBLIC *p, tsr_ec_pub_t *ret_pub)
{
	const TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;

	return p->type == TPM2_ALG_ECC && p->nameAlg == TPM2_ALG_SHA256 &&
	    (p->objectAttributes & need) == need &&
	    !(p->objectAttributes & TPMA_OBJECT_DECRYPT) &&
	    p->parameters.eccDetail.curveID == TPM2_ECC_NIST_P256 &&
	    p->parameters.eccDetail.scheme.scheme == TPM2_ALG_ECDSA &&
	    p->parameters.eccDetail.scheme.details.ecdsa.hashAlg == TPM2_ALG_SHA256 &&
	    ecc_to_pub(&p->unique.ecc, TSR_CURVE_P256, ret_pub);
}

/* Generated in a TPM and unable to leave it: the device-key promise. */
static bool
device_key_ok(const TPMT_PUBLIC *p, tsr_ec_pub_t *ret_pub)
{
	const TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN;

	return p->type == TPM2_ALG_ECC && p->nameAlg == TPM2_ALG_SHA256 &&
	    (p->objectAttributes & need) == need &&
	    p->parameters.eccDetail.curveID == TPM2_ECC_NIST_P256 &&
	    ecc_to_pub(&p->unique.ecc, TSR_CURVE_P256, ret_pub);
}

static void
put_be16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int
tsr_attest_make_credential(const tsr_ec_pub_t *ek, const uint8_t *name, size_t name_len,
    const uint8_t *secret, size_t secret_len, uint8_t **ret_blob, size_t *ret_blob_len,
    uint8_t **ret_secret, size_t *ret_secret_len)
{
	tsr_ec_key_t *eph = NULL;
	tsr_ec_pub_t epub;
	tsr_hash_alg_t hash;
	uint8_t z[TSR_EC_COORD_MAX], seed[TSR_HASH_MAX_LEN], sym[32], hmac_key[TSR_HASH_MAX_LEN];
	uint8_t *blob = NULL, *enc_secret = NULL, *mac_in = NULL, *ident;
	size_t zlen = 0, clen, hlen, sym_len, ident_len, blob_len, es_len;
	static const uint8_t zero_iv[16];
	int r = TSR_ERR_INTERNAL;

	if (ek == NULL || name == NULL || name_len == 0 || name_len > 68 || secret == NULL ||
	    secret_len == 0 || secret_len > 64) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* The EK templates: P-256 with SHA-256/AES-128 (L-2, H-2), P-384 with
	 * SHA-384/AES-256 (H-3). */
	switch (ek->curve) {
	case TSR_CURVE_P256:
		hash = TSR_HASH_SHA256;
		sym_len = 16;
		break;
	case TSR_CURVE_P384:
		hash = TSR_HASH_SHA384;
		sym_len = 32;
		break;
	default:
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto out;
	}
	clen = tsr_curve_coord_len(ek->curve);
	hlen = tsr_hash_len(hash);
	if (secret_len > hlen) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* Part 1 §24.4 / Annex C.6.1: seed from ECDH with an ephemeral key. */
	if ((r = tsr_ec_key_generate(ek->curve, &eph)) != TSR_OK ||
	    (r = tsr_ec_key_public(eph, &epub)) != TSR_OK ||
	    (r = tsr_ecdh(eph, ek, z, &zlen)) != TSR_OK)
		goto out;
	if ((r = tsr_tpm_kdfe(hash, z, zlen, "IDENTITY", epub.x, clen, ek->x, clen, seed,
	    hlen)) != TSR_OK)
		goto out;
	/* TPM2B_ENCRYPTED_SECRET holding the TPMS_ECC_POINT of the ephemeral key. */
	es_len = 2 + 2 + clen + 2 + clen;
	if ((enc_secret = malloc(es_len)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	put_be16(enc_secret, es_len - 2);
	put_be16(enc_secret + 2, clen);
	memcpy(enc_secret + 4, epub.x, clen);
	put_be16(enc_secret + 4 + clen, clen);
	memcpy(enc_secret + 6 + clen, epub.y, clen);
	/* Part 1 §24.5: encIdentity = CFB(KDFa(seed, "STORAGE", name), TPM2B_DIGEST(secret)). */
	ident_len = 2 + secret_len;
	blob_len = 2 + 2 + hlen + ident_len;
	if ((blob = malloc(blob_len)) == NULL || (mac_in = malloc(ident_len + name_len)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	put_be16(blob, blob_len - 2);
	put_be16(blob + 2, hlen);
	ident = blob + 4 + hlen;
	put_be16(ident, secret_len);
	memcpy(ident + 2, secret, secret_len);
	if ((r = tsr_tpm_kdfa(hash, seed, hlen, "STORAGE", name, name_len, NULL, 0, sym,
	    sym_len)) != TSR_OK ||
	    (r = tsr_aes_cfb_encrypt(sym, sym_len, zero_iv, ident, ident_len, ident)) != TSR_OK)
		goto out;
	/* §24.5: outerHMAC = HMAC(KDFa(seed, "INTEGRITY"), encIdentity || name). */
	memcpy(mac_in, ident, ident_len);
	memcpy(mac_in + ident_len, name, name_len);
	if ((r = tsr_tpm_kdfa(hash, seed, hlen, "INTEGRITY", NULL, 0, NULL, 0, hmac_key,
	    hlen)) != TSR_OK ||
	    (r = tsr_hmac(hash, hmac_key, hlen, mac_in, ident_len + name_len, blob + 4)) != TSR_OK)
		goto out;
	*ret_blob = blob;
	*ret_blob_len = blob_len;
	*ret_secret = enc_secret;
	*ret_secret_len = es_len;
	blob = NULL;
	enc_secret = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(z, sizeof(z));
	tsr_zeroize(seed, sizeof(seed));
	tsr_zeroize(sym, sizeof(sym));
	tsr_zeroize(hmac_key, sizeof(hmac_key));
	tsr_ec_key_free(eph);
	free(mac_in);
	if (blob != NULL)
		tsr_free_secret(blob, blob_len);
	free(enc_secret);
	return r;
}

/* --- Challenge --- */

static int
ek_public(tsr_span_t cert, tsr_ec_pub_t *ret_pub, char **ret_subject, char **ret_issuer)
{
	tsr_x509_t *set = NULL;
	tsr_ec_pub_t pub;
	char *subject = NULL, *issuer = NULL;
	int r = TSR_ERR_INTERNAL;

	if ((r = tsr_x509_new(&set)) != TSR_OK)
		goto out;
	if ((r = tsr_x509_add(set, cert.ptr, cert.len)) != TSR_OK)
		goto out;
	if (tsr_x509_count(set) != 1) {
		r = TSR_ERR_CERT_PARSE;
		goto out;
	}
	if ((r = tsr_x509_subject(set, 0, &subject)) != TSR_OK ||
	    (r = tsr_x509_issuer(set, 0, &issuer)) != TSR_OK ||
	    (r = tsr_x509_public_key(set, 0, &pub)) != TSR_OK)
		goto out;
	*ret_pub = pub;
	if (ret_subject != NULL) {
		*ret_subject = subject;
		subject = NULL;
	}
	if (ret_issuer != NULL) {
		*ret_issuer = issuer;
		issuer = NULL;
	}
	r = TSR_OK;
out:
	free(subject);
	free(issuer);
	tsr_x509_free(set);
	return r;
}

int
tsr_attest_challenge_create(const uint8_t *request, size_t request_len,
    const uint8_t *const *ca_certs, const size_t *ca_lens, size_t n_cas, int64_t now,
    int64_t valid_for, uint8_t **ret_challenge, size_t *ret_challenge_len, uint8_t **ret_pending,
    size_t *ret_pending_len, uint32_t *ret_flags)
{
	tsr_cbor_doc_t *doc = NULL;
	tsr_attest_request_t req;
	tsr_attest_challenge_t ch;
	tsr_attest_pending_t pend;
	TPM2B_PUBLIC ak, key;
	tsr_ec_pub_t ek, akpub, kpub;
	uint8_t secret[TSR_ATTEST_SECRET_LEN], nonce[TSR_ATTEST_NONCE_LEN];
	uint8_t name[TSR_ATTEST_NAME_LEN];
	uint8_t *blob = NULL, *enc_secret = NULL, *challenge = NULL, *pending = NULL;
	size_t blob_len = 0, es_len = 0, challenge_len = 0, pending_len = 0;
	uint32_t flags = 0, xflags = 0;
	int r = TSR_ERR_INTERNAL;

	memset(&ek, 0, sizeof(ek));
	if (request == NULL || ret_challenge == NULL || ret_challenge_len == NULL ||
	    ret_pending == NULL || ret_pending_len == NULL || ret_flags == NULL ||
	    (n_cas > 0 && (ca_certs == NULL || ca_lens == NULL)) || now < 0 || valid_for < 1 ||
	    valid_for > INT64_MAX - now) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = tsr_attest_request_decode(request, request_len, &doc, &req)) != TSR_OK)
		goto out;
	/* The EK certificate must come from a TPM manufacturer we trust. */
	r = tsr_tpm_ek_cert_verify(req.ek_cert.ptr, req.ek_cert.len, ca_certs, ca_lens, n_cas, now,
	    &xflags);
	if (r != TSR_OK && r != TSR_ERR_VERIFY)
		goto out;
	if (xflags & (TSR_X509_UNTRUSTED | TSR_X509_BAD_LEAF))
		flags |= TSR_ATTEST_EK_UNTRUSTED;
	if (xflags & (TSR_X509_EXPIRED | TSR_X509_NOT_YET_VALID))
		flags |= TSR_ATTEST_EK_EXPIRED;
	r = ek_public(req.ek_cert, &ek, NULL, NULL);
	if (r == TSR_ERR_CRYPTO_UNSUPPORTED_ALG || r == TSR_ERR_CRYPTO_BAD_KEY ||
	    (r == TSR_OK && ek.curve != TSR_CURVE_P256 && ek.curve != TSR_CURVE_P384)) {
		tsr_debug("attest: the EK is not an ECC P-256 or P-384 key");
		flags |= TSR_ATTEST_EK_UNSUPPORTED;
	} else if (r != TSR_OK) {
		goto out;
	}
	if ((r = parse_public(req.ak_public, &ak)) != TSR_OK)
		goto out;
	if (!ak_ok(&ak.publicArea, &akpub))
		flags |= TSR_ATTEST_AK_ATTRIBUTES;
	for (size_t i = 0; i < req.n_keys; i++) {
		if ((r = parse_public(req.keys[i], &key)) != TSR_OK)
			goto out;
		if (!device_key_ok(&key.publicArea, &kpub))
			flags |= TSR_ATTEST_KEY_ATTRIBUTES;
	}
	if (flags != 0) {
		*ret_flags = flags;
		r = TSR_ERR_VERIFY;
		goto out;
	}
	if ((r = tsr_attest_public_name(req.ak_public.ptr, req.ak_public.len, name)) != TSR_OK)
		goto out;
	if ((r = tsr_random_bytes(secret, sizeof(secret))) != TSR_OK ||
	    (r = tsr_random_bytes(nonce, sizeof(nonce))) != TSR_OK)
		goto out;
	if ((r = tsr_attest_make_credential(&ek, name, sizeof(name), secret, sizeof(secret), &blob,
	    &blob_len, &enc_secret, &es_len)) != TSR_OK)
		goto out;
	ch.nonce = (tsr_span_t){ nonce, sizeof(nonce) };
	ch.credential_blob = (tsr_span_t){ blob, blob_len };
	ch.encrypted_secret = (tsr_span_t){ enc_secret, es_len };
	if ((r = tsr_attest_challenge_encode(&ch, &challenge, &challenge_len)) != TSR_OK)
		goto out;
	pend.nonce = ch.nonce;
	pend.secret = (tsr_span_t){ secret, sizeof(secret) };
	pend.request = (tsr_span_t){ request, request_len };
	pend.not_after = now + valid_for;
	if ((r = tsr_attest_pending_encode(&pend, &pending, &pending_len)) != TSR_OK)
		goto out;
	*ret_challenge = challenge;
	*ret_challenge_len = challenge_len;
	*ret_pending = pending;
	*ret_pending_len = pending_len;
	*ret_flags = 0;
	challenge = NULL;
	pending = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(secret, sizeof(secret));
	tsr_cbor_doc_free(doc);
	free(blob);
	free(enc_secret);
	free(challenge);
	if (pending != NULL)
		tsr_free_secret(pending, pending_len);
	return r;
}

/* --- Evidence --- */

static uint32_t
check_certification(tsr_span_t attest, tsr_span_t sig, tsr_span_t key_public,
    const tsr_ec_pub_t *akpub, tsr_span_t nonce, tsr_ec_pub_t *ret_key)
{
	TPMS_ATTEST a;
	TPMT_SIGNATURE s;
	TPM2B_PUBLIC key;
	uint8_t name[TSR_ATTEST_NAME_LEN], rs[64];
	size_t off = 0;
	uint32_t f = 0;

	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	if (parse_public(key_public, &key) != TSR_OK ||
	    tsr_attest_public_name(key_public.ptr, key_public.len, name) != TSR_OK ||
	    !device_key_ok(&key.publicArea, ret_key))
		f |= TSR_ATTEST_KEY_ATTRIBUTES;
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(attest.ptr, attest.len, &off, &a) != TSS2_RC_SUCCESS ||
	    off != attest.len)
		return f | TSR_ATTEST_MALFORMED;
	if (a.magic != TPM2_GENERATED_VALUE || a.type != TPM2_ST_ATTEST_CERTIFY)
		return f | TSR_ATTEST_NOT_CERTIFY;
	if (a.extraData.size != nonce.len || !tsr_bytes_equal_ct(a.extraData.buffer, nonce.ptr,
	    nonce.len))
		f |= TSR_ATTEST_NONCE;
	if (!(f & TSR_ATTEST_KEY_ATTRIBUTES) && (a.attested.certify.name.size != sizeof(name) ||
	    memcmp(a.attested.certify.name.name, name, sizeof(name)) != 0))
		f |= TSR_ATTEST_NAME;
	off = 0;
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig.ptr, sig.len, &off, &s) != TSS2_RC_SUCCESS ||
	    off != sig.len || s.sigAlg != TPM2_ALG_ECDSA ||
	    s.signature.ecdsa.hash != TPM2_ALG_SHA256 ||
	    s.signature.ecdsa.signatureR.size == 0 || s.signature.ecdsa.signatureR.size > 32 ||
	    s.signature.ecdsa.signatureS.size == 0 || s.signature.ecdsa.signatureS.size > 32)
		return f | TSR_ATTEST_SIGNATURE;
	memset(rs, 0, sizeof(rs));
	memcpy(rs + 32 - s.signature.ecdsa.signatureR.size, s.signature.ecdsa.signatureR.buffer,
	    s.signature.ecdsa.signatureR.size);
	memcpy(rs + 64 - s.signature.ecdsa.signatureS.size, s.signature.ecdsa.signatureS.buffer,
	    s.signature.ecdsa.signatureS.size);
	/* The AK signs SHA-256 of the TPMS_ATTEST bytes as received. */
	if (tsr_ecdsa_verify(akpub, TSR_HASH_SHA256, attest.ptr, attest.len, rs, 64) != TSR_OK)
		f |= TSR_ATTEST_SIGNATURE;
	return f;
}

void
tsr_attest_result_free(tsr_attest_result_t *result)
{
	if (result == NULL)
		return;
	for (size_t i = 0; i < result->n; i++)
		free(result->keys[i].cose);
	free(result->ek_subject);
	free(result->ek_issuer);
	free(result);
}

int
tsr_attest_evidence_verify(const uint8_t *pending, size_t pending_len,
    const uint8_t *evidence, size_t evidence_len, int64_t now, tsr_attest_result_t **ret_result,
    uint32_t *ret_flags)
{
	tsr_cbor_doc_t *pdoc = NULL, *rdoc = NULL, *edoc = NULL;
	tsr_attest_pending_t pend;
	tsr_attest_request_t req;
	tsr_attest_evidence_t ev;
	tsr_attest_result_t *res = NULL;
	TPM2B_PUBLIC ak;
	tsr_ec_pub_t akpub, ek;
	uint32_t flags = 0;
	int r = TSR_ERR_INTERNAL;

	if (pending == NULL || evidence == NULL || ret_result == NULL || ret_flags == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = tsr_attest_pending_decode(pending, pending_len, &pdoc, &pend)) != TSR_OK ||
	    (r = tsr_attest_request_decode(pend.request.ptr, pend.request.len, &rdoc, &req)) !=
	    TSR_OK ||
	    (r = tsr_attest_evidence_decode(evidence, evidence_len, &edoc, &ev)) != TSR_OK)
		goto out;
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((r = ek_public(req.ek_cert, &ek, &res->ek_subject, &res->ek_issuer)) != TSR_OK)
		goto out;
	if (now > pend.not_after)
		flags |= TSR_ATTEST_CHALLENGE_EXPIRED;
	/* Only the TPM holding the EK, with the AK loaded, recovers the secret. */
	if (ev.activated_secret.len != pend.secret.len ||
	    !tsr_bytes_equal_ct(ev.activated_secret.ptr, pend.secret.ptr, pend.secret.len))
		flags |= TSR_ATTEST_ACTIVATION;
	if ((r = parse_public(req.ak_public, &ak)) != TSR_OK)
		goto out;
	if (!ak_ok(&ak.publicArea, &akpub)) {
		flags |= TSR_ATTEST_AK_ATTRIBUTES;
		*ret_flags = flags;
		r = TSR_ERR_VERIFY;
		goto out;
	}
	if (ev.n != req.n_keys)
		flags |= TSR_ATTEST_COUNT;
	for (size_t i = 0; i < ev.n && i < req.n_keys; i++) {
		struct attest_key *k = &res->keys[i];
		tsr_cbor_enc_t enc;

		flags |= check_certification(ev.attest[i], ev.signature[i], req.keys[i], &akpub,
		    pend.nonce, &k->pub);
		if (flags != 0)
			continue;
		tsr_cbor_enc_init(&enc);
		tsr_cose_key_encode(&enc, &k->pub);
		r = tsr_cbor_enc_finish(&enc, &k->cose, &k->cose_len);
		tsr_cbor_enc_free(&enc);
		if (r != TSR_OK)
			goto out;
		res->n = i + 1;
	}
	*ret_flags = flags;
	if (flags != 0) {
		for (uint32_t b = 1; b != 0; b <<= 1) {
			if (flags & b)
				tsr_debug("attest: evidence rejected: %s", tsr_attest_flag_name(b));
		}
		r = TSR_ERR_VERIFY;
		goto out;
	}
	*ret_result = res;
	res = NULL;
	r = TSR_OK;
out:
	tsr_attest_result_free(res);
	tsr_cbor_doc_free(edoc);
	tsr_cbor_doc_free(rdoc);
	tsr_cbor_doc_free(pdoc);
	return r;
}

size_t
tsr_attest_result_key_count(const tsr_attest_result_t *result)
{
	return result != NULL ? result->n : 0;
}

int
tsr_attest_result_key(const tsr_attest_result_t *result, size_t idx, const uint8_t **ret_ptr,
    size_t *ret_len)
{
	if (result == NULL || ret_ptr == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (idx >= result->n)
		return TSR_ERR_NOT_FOUND;
	*ret_ptr = result->keys[idx].cose;
	*ret_len = result->keys[idx].cose_len;
	return TSR_OK;
}

bool
tsr_attest_result_has_key(const tsr_attest_result_t *result, const uint8_t *cose_key,
    size_t len)
{
	tsr_ec_pub_t pub;

	if (result == NULL || cose_key == NULL ||
	    tsr_cose_key_from_bytes(cose_key, len, &pub) != TSR_OK)
		return false;
	for (size_t i = 0; i < result->n; i++) {
		if (tsr_ec_pub_equal(&pub, &result->keys[i].pub))
			return true;
	}
	return false;
}

const char *
tsr_attest_result_ek_subject(const tsr_attest_result_t *result)
{
	return result != NULL ? result->ek_subject : NULL;
}

const char *
tsr_attest_result_ek_issuer(const tsr_attest_result_t *result)
{
	return result != NULL ? result->ek_issuer : NULL;
}
