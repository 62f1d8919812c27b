/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The wallet (attester) side of TPM key attestation, on the TPM 2.0 secure
 * area's ESYS context.
 *
 * The EK is re-created from the endorsement seed with the TCG EK Credential
 * Profile template that matches the certificate found in NV memory. The AK
 * is a primary key of the endorsement hierarchy too (a restricted
 * ECDSA-P256 signing key with a fixed template), so it is the same key in
 * the request and in the response and needs no storage.
 */

#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>

#include <tessera/tessera.h>

#include "base/analyzer.h"
#include "attest/attest-private.h"
#include "base/log.h"
#include "securearea/tpm2-private.h"

/* TCG EK Credential Profile: an EK template and where its certificate is. */
struct ek_profile {
	TPM2_HANDLE cert_index;
	const char *name;
	const TPM2B_PUBLIC *template;
	tsr_curve_t curve;
	bool user_with_auth; /* H templates: no policy session needed */
};

/* L-2: NIST P-256, policy A = PolicySecret(TPM_RH_ENDORSEMENT), SHA-256. */
static const TPM2B_PUBLIC ek_l2_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
		    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		.authPolicy = {
			.size = 32,
			.buffer = {
				0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
				0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
				0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
			},
		},
		.parameters.eccDetail = {
			.symmetric = {
				.algorithm = TPM2_ALG_AES,
				.keyBits.aes = 128,
				.mode.aes = TPM2_ALG_CFB,
			},
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
		.unique.ecc = {
			.x.size = 32,
			.y.size = 32,
		},
	},
};

/* H-3: NIST P-384, policy B (SHA-384), userWithAuth, empty unique. */
static const TPM2B_PUBLIC ek_h3_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA384,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		    TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		.authPolicy = {
			.size = 48,
			.buffer = {
				0xb2, 0x6e, 0x7d, 0x28, 0xd1, 0x1a, 0x50, 0xbc, 0x53, 0xd8, 0x82,
				0xbc, 0xf5, 0xfd, 0x3a, 0x1a, 0x07, 0x41, 0x48, 0xbb, 0x35, 0xd3,
				0xb4, 0xe4, 0xcb, 0x1c, 0x0a, 0xd9, 0xbd, 0xe4, 0x19, 0xca, 0xcb,
				0x47, 0xba, 0x09, 0x69, 0x96, 0x46, 0x15, 0x0f, 0x9f, 0xc0, 0x00,
				0xf3, 0xf8, 0x0e, 0x12,
			},
		},
		.parameters.eccDetail = {
			.symmetric = {
				.algorithm = TPM2_ALG_AES,
				.keyBits.aes = 256,
				.mode.aes = TPM2_ALG_CFB,
			},
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P384,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

static const struct ek_profile ek_profiles[] = {
	{ 0x01c0000a, "L-2 (ECC NIST P-256)", &ek_l2_template, TSR_CURVE_P256, false },
	{ 0x01c00016, "H-3 (ECC NIST P-384)", &ek_h3_template, TSR_CURVE_P384, true },
};

/* The AK: restricted ECDSA-P256/SHA-256 signing, a primary of the
 * endorsement hierarchy; unique names it as Tessera's. */
static const TPM2B_PUBLIC ak_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT,
		.parameters.eccDetail = {
			.symmetric.algorithm = TPM2_ALG_NULL,
			.scheme = {
				.scheme = TPM2_ALG_ECDSA,
				.details.ecdsa.hashAlg = TPM2_ALG_SHA256,
			},
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
		.unique.ecc.x = {
			.size = 23,
			.buffer = "tessera attestation key",
		},
	},
};

/* Finds the first EK certificate index this TPM has. */
static int
ek_find(tsr_tpm2_t *t, const struct ek_profile **ret_profile, ESYS_TR *ret_nv,
    uint16_t *ret_size)
{
	ESYS_CONTEXT *esys = tsr_tpm2_esys(t);
	TPM2B_NV_PUBLIC *nvpub = NULL;
	TSS2_RC rc;

	for (size_t i = 0; i < sizeof(ek_profiles) / sizeof(ek_profiles[0]); i++) {
		ESYS_TR nv = ESYS_TR_NONE;

		rc = Esys_TR_FromTPMPublic(esys, ek_profiles[i].cert_index, ESYS_TR_NONE,
		    ESYS_TR_NONE, ESYS_TR_NONE, &nv);
		if (rc != TSS2_RC_SUCCESS) {
			int r = tsr_tpm2_rc(t, rc, "EK certificate index");

			if (r == TSR_ERR_SA_UNAVAILABLE)
				return r;
			continue;
		}
		rc = Esys_NV_ReadPublic(esys, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nvpub,
		    NULL);
		if (rc != TSS2_RC_SUCCESS) {
			Esys_TR_Close(esys, &nv);
			return tsr_tpm2_rc(t, rc, "NV_ReadPublic (EK certificate)");
		}
		*ret_size = nvpub->nvPublic.dataSize;
		Esys_Free(nvpub);
		*ret_profile = &ek_profiles[i];
		*ret_nv = nv;
		return TSR_OK;
	}
	tsr_debug("attest: the TPM at '%s' has no ECC EK certificate (NV 0x01c0000a or "
	    "0x01c00016)", tsr_tpm2_tcti(t));
	return TSR_ERR_SA_NOT_SUPPORTED;
}

/* Length of the DER SEQUENCE at the start of p (NV areas may be padded). */
static size_t
der_len(const uint8_t *p, size_t len)
{
	size_t n, hdr;

	if (len < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80)
		return (size_t)p[1] + 2 <= len ? (size_t)p[1] + 2 : 0;
	hdr = 2 + (p[1] & 0x7fu);
	if ((p[1] & 0x7f) == 0 || (p[1] & 0x7f) > 3 || hdr > len)
		return 0;
	n = 0;
	for (size_t i = 2; i < hdr; i++)
		n = n << 8 | p[i];
	return n <= len - hdr ? n + hdr : 0;
}

static int
ek_cert_read(tsr_tpm2_t *t, ESYS_TR nv, uint16_t size, uint8_t **ret_cert, size_t *ret_len)
{
	ESYS_CONTEXT *esys = tsr_tpm2_esys(t);
	TPM2B_MAX_NV_BUFFER *chunk = NULL;
	uint8_t *buf = NULL;
	uint16_t off = 0;
	size_t n;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	if (size == 0 || (buf = malloc(size)) == NULL) {
		r = size == 0 ? TSR_ERR_SA_NOT_SUPPORTED : TSR_ERR_NO_MEMORY;
		goto out;
	}
	while (off < size) {
		/* 512 bytes is below every TPM's MAX_NV_BUFFER_SIZE. */
		uint16_t want = (uint16_t)(size - off < 512 ? size - off : 512);

		rc = Esys_NV_Read(esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
		    ESYS_TR_NONE, want, off, &chunk);
		if (rc != TSS2_RC_SUCCESS) {
			r = tsr_tpm2_rc(t, rc, "NV_Read (EK certificate)");
			if (r == TSR_ERR_SA_PIN_INCORRECT)
				r = TSR_ERR_SA_DEVICE;
			goto out;
		}
		if (chunk->size != want) {
			r = TSR_ERR_SA_DEVICE;
			goto out;
		}
		memcpy(buf + off, chunk->buffer, want);
		off = (uint16_t)(off + want);
		Esys_Free(chunk);
		chunk = NULL;
	}
	if ((n = der_len(buf, size)) == 0) {
		tsr_debug("attest: the EK certificate in NV is not DER");
		r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	*ret_cert = buf;
	*ret_len = n;
	buf = NULL;
	r = TSR_OK;
out:
	Esys_Free(chunk);
	free(buf);
	return r;
}

static int
create_primary(tsr_tpm2_t *t, const TPM2B_PUBLIC *template, const char *what,
    ESYS_TR *ret_h, TPM2B_PUBLIC **ret_pub)
{
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION pcrs;
	TSS2_RC rc;
	int r;

	memset(&sens, 0, sizeof(sens));
	memset(&outside, 0, sizeof(outside));
	memset(&pcrs, 0, sizeof(pcrs));
	rc = Esys_CreatePrimary(tsr_tpm2_esys(t), ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &sens, template, &outside, &pcrs, ret_h, ret_pub, NULL,
	    NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, what);
		/* A password on the endorsement hierarchy is not a key PIN. */
		return r == TSR_ERR_SA_PIN_INCORRECT ? TSR_ERR_SA_DEVICE : r;
	}
	return TSR_OK;
}

/* The EK, checked against the certificate's key when cert is given. */
/* -fanalyzer: prof comes from ek_find(), which sets it on every TSR_OK
 * return; the analyzer assumes tsr_tpm2_rc() (tpm2.c), which maps a TPM
 * error code, could return TSR_OK. */
TSR_ANALYZER_IGNORE("-Wanalyzer-null-dereference")
static int
ek_create(tsr_tpm2_t *t, const struct ek_profile *prof, const uint8_t *cert, size_t cert_len,
    ESYS_TR *ret_ek)
{
	TPM2B_PUBLIC *pub = NULL;
	tsr_x509_t *set = NULL;
	tsr_ec_pub_t cpub;
	ESYS_TR h = ESYS_TR_NONE;
	size_t clen = tsr_curve_coord_len(prof->curve);
	const TPMS_ECC_POINT *q;
	int r = TSR_ERR_INTERNAL;

	if ((r = create_primary(t, prof->template, "CreatePrimary (EK)", &h, &pub)) != TSR_OK)
		goto out;
	if (cert != NULL) {
		q = &pub->publicArea.unique.ecc;
		if ((r = tsr_x509_new(&set)) != TSR_OK || (r = tsr_x509_add(set, cert,
		    cert_len)) != TSR_OK || (r = tsr_x509_public_key(set, 0, &cpub)) != TSR_OK) {
			tsr_debug("attest: cannot read the key of the EK certificate");
			r = TSR_ERR_SA_DEVICE;
			goto out;
		}
		if (cpub.curve != prof->curve || q->x.size != clen || q->y.size != clen ||
		    memcmp(q->x.buffer, cpub.x, clen) != 0 || memcmp(q->y.buffer, cpub.y, clen) != 0) {
			tsr_debug("attest: the EK made from template %s is not the key of the EK "
			    "certificate", prof->name);
			r = TSR_ERR_SA_DEVICE;
			goto out;
		}
	}
	*ret_ek = h;
	h = ESYS_TR_NONE;
	r = TSR_OK;
out:
	tsr_x509_free(set);
	tsr_tpm2_flush(t, &h);
	Esys_Free(pub);
	return r;
}
TSR_ANALYZER_END

static int
marshal_public(const TPM2B_PUBLIC *pub, tsr_buf_t *out)
{
	uint8_t tmp[sizeof(TPM2B_PUBLIC)];
	size_t off = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, tmp, sizeof(tmp), &off) != TSS2_RC_SUCCESS)
		return TSR_ERR_INTERNAL;
	return tsr_buf_append(out, tmp, off);
}

int
tsr_attest_request_create(tsr_secure_area_t *sa, const uint8_t *const *key_refs,
    const size_t *ref_lens, size_t n, uint8_t **ret_req, size_t *ret_req_len)
{
	tsr_tpm2_t *t = tsr_tpm2_from_sa(sa);
	const struct ek_profile *prof = NULL;
	ESYS_TR nv = ESYS_TR_NONE, ek = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TPM2B_PUBLIC *akpub = NULL, kpub;
	tsr_buf_t akbuf, keybufs[TSR_ATTEST_MAX_KEYS];
	tsr_attest_request_t req;
	uint8_t *cert = NULL;
	size_t cert_len = 0;
	uint16_t nv_size = 0;
	int r = TSR_ERR_INTERNAL;

	tsr_buf_init(&akbuf);
	for (size_t i = 0; i < TSR_ATTEST_MAX_KEYS; i++)
		tsr_buf_init(&keybufs[i]);
	memset(&req, 0, sizeof(req));
	if (sa == NULL || key_refs == NULL || ref_lens == NULL || n == 0 ||
	    n > TSR_ATTEST_MAX_KEYS || ret_req == NULL || ret_req_len == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (t == NULL) {
		tsr_debug("attest: key attestation needs a TPM 2.0 secure area");
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((r = tsr_tpm2_key_public(key_refs[i], ref_lens[i], &kpub)) != TSR_OK ||
		    (r = marshal_public(&kpub, &keybufs[i])) != TSR_OK)
			goto out;
		req.keys[i] = (tsr_span_t){ keybufs[i].ptr, keybufs[i].len };
	}
	req.n_keys = n;
	if ((r = ek_find(t, &prof, &nv, &nv_size)) != TSR_OK)
		goto out;
	if ((r = ek_cert_read(t, nv, nv_size, &cert, &cert_len)) != TSR_OK)
		goto out;
	/* The certificate must name the EK this TPM derives, or the issuer's
	 * challenge could never be answered. */
	if ((r = ek_create(t, prof, cert, cert_len, &ek)) != TSR_OK)
		goto out;
	tsr_tpm2_flush(t, &ek);
	if ((r = create_primary(t, &ak_template, "CreatePrimary (AK)", &ak, &akpub)) != TSR_OK ||
	    (r = marshal_public(akpub, &akbuf)) != TSR_OK)
		goto out;
	req.ek_cert = (tsr_span_t){ cert, cert_len };
	req.ak_public = (tsr_span_t){ akbuf.ptr, akbuf.len };
	if ((r = tsr_attest_request_encode(&req, ret_req, ret_req_len)) != TSR_OK)
		goto out;
	r = TSR_OK;
out:
	if (nv != ESYS_TR_NONE && t != NULL)
		Esys_TR_Close(tsr_tpm2_esys(t), &nv);
	tsr_tpm2_flush(t, &ek);
	tsr_tpm2_flush(t, &ak);
	Esys_Free(akpub);
	free(cert);
	tsr_buf_free(&akbuf);
	for (size_t i = 0; i < TSR_ATTEST_MAX_KEYS; i++)
		tsr_buf_free(&keybufs[i]);
	return r;
}

/* A policy session satisfying PolicySecret(TPM_RH_ENDORSEMENT), the L
 * templates' EK policy. */
static int
ek_policy_session(tsr_tpm2_t *t, ESYS_TR *ret_session)
{
	ESYS_CONTEXT *esys = tsr_tpm2_esys(t);
	const TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	ESYS_TR s = ESYS_TR_NONE;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	rc = Esys_StartAuthSession(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, NULL, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, &s);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "StartAuthSession (policy)");
		goto out;
	}
	if ((rc = Esys_TRSess_SetAttributes(esys, s, TPMA_SESSION_CONTINUESESSION, 0xff)) !=
	    TSS2_RC_SUCCESS ||
	    (rc = Esys_PolicySecret(esys, ESYS_TR_RH_ENDORSEMENT, s, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, NULL, NULL, NULL, 0, NULL, NULL)) != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "PolicySecret (endorsement)");
		if (r == TSR_ERR_SA_PIN_INCORRECT)
			r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	*ret_session = s;
	s = ESYS_TR_NONE;
	r = TSR_OK;
out:
	tsr_tpm2_flush(t, &s);
	return r;
}

/* -fanalyzer: prof, as in ek_create(). */
TSR_ANALYZER_IGNORE("-Wanalyzer-null-dereference")
static int
activate(tsr_tpm2_t *t, const struct ek_profile *prof, ESYS_TR ak,
    const tsr_attest_challenge_t *ch, uint8_t secret[64], size_t *ret_len)
{
	ESYS_CONTEXT *esys = tsr_tpm2_esys(t);
	TPM2B_ID_OBJECT blob;
	TPM2B_ENCRYPTED_SECRET es;
	TPM2B_DIGEST *cert_info = NULL;
	ESYS_TR ek = ESYS_TR_NONE, ps = ESYS_TR_NONE;
	size_t off = 0;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	memset(&blob, 0, sizeof(blob));
	memset(&es, 0, sizeof(es));
	if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(ch->credential_blob.ptr, ch->credential_blob.len,
	    &off, &blob) != TSS2_RC_SUCCESS || off != ch->credential_blob.len) {
		r = TSR_ERR_CBOR_VALUE;
		goto out;
	}
	off = 0;
	if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(ch->encrypted_secret.ptr,
	    ch->encrypted_secret.len, &off, &es) != TSS2_RC_SUCCESS ||
	    off != ch->encrypted_secret.len) {
		r = TSR_ERR_CBOR_VALUE;
		goto out;
	}
	if ((r = ek_create(t, prof, NULL, 0, &ek)) != TSR_OK)
		goto out;
	if (!prof->user_with_auth && (r = ek_policy_session(t, &ps)) != TSR_OK)
		goto out;
	rc = Esys_ActivateCredential(esys, ak, ek, ESYS_TR_PASSWORD,
	    ps != ESYS_TR_NONE ? ps : ESYS_TR_PASSWORD, ESYS_TR_NONE, &blob, &es, &cert_info);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "ActivateCredential");
		if (r == TSR_ERR_SA_KEY_INVALID)
			tsr_debug("attest: this challenge was made for another TPM's EK or AK");
		else if (r == TSR_ERR_SA_PIN_INCORRECT)
			r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	if (cert_info->size == 0 || cert_info->size > 64) {
		r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	memcpy(secret, cert_info->buffer, cert_info->size);
	*ret_len = cert_info->size;
	r = TSR_OK;
out:
	if (cert_info != NULL) {
		tsr_zeroize(cert_info, sizeof(*cert_info));
		Esys_Free(cert_info);
	}
	tsr_tpm2_flush(t, &ps);
	tsr_tpm2_flush(t, &ek);
	return r;
}
TSR_ANALYZER_END

static int
certify(tsr_tpm2_t *t, ESYS_TR ak, const uint8_t *ref, size_t ref_len, const char *pin,
    tsr_span_t nonce, tsr_buf_t *ret_attest, tsr_buf_t *ret_sig)
{
	ESYS_CONTEXT *esys = tsr_tpm2_esys(t);
	const TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL }; /* the AK's own */
	TPM2B_DATA qual;
	TPM2B_ATTEST *attest = NULL;
	TPMT_SIGNATURE *sig = NULL;
	ESYS_TR primary = ESYS_TR_NONE, key = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	uint8_t sigbuf[sizeof(TPMT_SIGNATURE)];
	size_t off = 0;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	memset(&qual, 0, sizeof(qual));
	if (nonce.len > sizeof(qual.buffer)) {
		r = TSR_ERR_CBOR_VALUE;
		goto out;
	}
	qual.size = (uint16_t)nonce.len;
	memcpy(qual.buffer, nonce.ptr, nonce.len);
	if ((r = tsr_tpm2_primary_load(t, &primary)) != TSR_OK ||
	    (r = tsr_tpm2_key_load(t, primary, ref, ref_len, pin, &key, NULL)) != TSR_OK ||
	    (r = tsr_tpm2_session_start(t, primary, 0, &sess)) != TSR_OK)
		goto out;
	tsr_tpm2_flush(t, &primary);
	/* The key's PIN (ADMIN role) travels as an HMAC in the salted session. */
	rc = Esys_Certify(esys, key, ak, sess, ESYS_TR_PASSWORD, ESYS_TR_NONE, &qual, &scheme,
	    &attest, &sig);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "Certify");
		goto out;
	}
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(sig, sigbuf, sizeof(sigbuf), &off) != TSS2_RC_SUCCESS) {
		r = TSR_ERR_INTERNAL;
		goto out;
	}
	if ((r = tsr_buf_append(ret_attest, attest->attestationData, attest->size)) != TSR_OK ||
	    (r = tsr_buf_append(ret_sig, sigbuf, off)) != TSR_OK)
		goto out;
	r = TSR_OK;
out:
	tsr_tpm2_flush(t, &sess);
	tsr_tpm2_flush(t, &key);
	tsr_tpm2_flush(t, &primary);
	Esys_Free(attest);
	Esys_Free(sig);
	return r;
}

int
tsr_attest_respond(tsr_secure_area_t *sa, const uint8_t *challenge, size_t challenge_len,
    const uint8_t *const *key_refs, const size_t *ref_lens, const char *const *pins, size_t n,
    uint8_t **ret_evidence, size_t *ret_evidence_len)
{
	tsr_tpm2_t *t = tsr_tpm2_from_sa(sa);
	const struct ek_profile *prof = NULL;
	tsr_cbor_doc_t *doc = NULL;
	tsr_attest_challenge_t ch;
	tsr_attest_evidence_t ev;
	tsr_buf_t attests[TSR_ATTEST_MAX_KEYS], sigs[TSR_ATTEST_MAX_KEYS];
	ESYS_TR nv = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TPM2B_PUBLIC *akpub = NULL;
	uint8_t secret[64];
	size_t secret_len = 0;
	uint16_t nv_size = 0;
	int r = TSR_ERR_INTERNAL;

	for (size_t i = 0; i < TSR_ATTEST_MAX_KEYS; i++) {
		tsr_buf_init(&attests[i]);
		tsr_buf_init(&sigs[i]);
	}
	memset(&ev, 0, sizeof(ev));
	if (sa == NULL || challenge == NULL || key_refs == NULL || ref_lens == NULL || n == 0 ||
	    n > TSR_ATTEST_MAX_KEYS || ret_evidence == NULL || ret_evidence_len == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (t == NULL) {
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	if ((r = tsr_attest_challenge_decode(challenge, challenge_len, &doc, &ch)) != TSR_OK)
		goto out;
	if ((r = ek_find(t, &prof, &nv, &nv_size)) != TSR_OK)
		goto out;
	if ((r = create_primary(t, &ak_template, "CreatePrimary (AK)", &ak, &akpub)) != TSR_OK)
		goto out;
	if ((r = activate(t, prof, ak, &ch, secret, &secret_len)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((r = certify(t, ak, key_refs[i], ref_lens[i], pins != NULL ? pins[i] : NULL,
		    ch.nonce, &attests[i], &sigs[i])) != TSR_OK)
			goto out;
		ev.attest[i] = (tsr_span_t){ attests[i].ptr, attests[i].len };
		ev.signature[i] = (tsr_span_t){ sigs[i].ptr, sigs[i].len };
	}
	ev.n = n;
	ev.activated_secret = (tsr_span_t){ secret, secret_len };
	if ((r = tsr_attest_evidence_encode(&ev, ret_evidence, ret_evidence_len)) != TSR_OK)
		goto out;
	r = TSR_OK;
out:
	tsr_zeroize(secret, sizeof(secret));
	if (nv != ESYS_TR_NONE && t != NULL)
		Esys_TR_Close(tsr_tpm2_esys(t), &nv);
	tsr_tpm2_flush(t, &ak);
	Esys_Free(akpub);
	tsr_cbor_doc_free(doc);
	for (size_t i = 0; i < TSR_ATTEST_MAX_KEYS; i++) {
		tsr_buf_free(&attests[i]);
		tsr_buf_free(&sigs[i]);
	}
	return r;
}
