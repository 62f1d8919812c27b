/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The TPM 2.0 secure area (tpm2-tss ESYS).
 *
 * A storage primary (ECC P-256, restricted decrypt, AES-128-CFB) is derived
 * from the owner seed when the secure area opens; it is never made
 * persistent. Its context is saved and re-loaded for each operation, so
 * between operations this process holds no TPM object slot. Device keys are
 * ordinary children of that primary (fixedTPM|fixedParent|
 * sensitiveDataOrigin, sign and decrypt, scheme NULL so that one key does
 * both ECDSA and ECDH_ZGen); the wallet stores their public and private
 * blobs. The private blob is wrapped by the primary and so is useless on
 * any other TPM. Every command that carries a secret (a PIN, the sealed
 * data key, an ECDH result) runs in a session salted to the primary with
 * AES-128-CFB parameter encryption, so it never crosses the bus in clear.
 *
 * Key reference / sealed blob, version 1:
 *   u8 version (1) | u8 kind (1 key, 2 sealed) | u8 flags (bit 0: has PIN) |
 *   TPM2B_NAME of the storage primary | TPM2B_PUBLIC | TPM2B_PRIVATE
 * (TPM structures in their TPM wire form).
 */

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "securearea/securearea-private.h"
#include "securearea/tpm2-private.h"

#define REF_VERSION 1
#define REF_KIND_KEY 1
#define REF_KIND_SEALED 2
#define REF_FLAG_PIN 0x01
#define REF_HEADER_LEN 3
#define REF_MAX (REF_HEADER_LEN + sizeof(TPM2B_NAME) + sizeof(TPM2B_PUBLIC) + \
	sizeof(TPM2B_PRIVATE))

#define DEFAULT_TCTI "device:/dev/tpmrm0"

struct tsr_tpm2 {
	char *tcti;
	TSS2_TCTI_CONTEXT *tcti_ctx;
	ESYS_CONTEXT *esys;
	TPMS_CONTEXT *primary_ctx; /* saved storage primary, owned by ESYS (Esys_Free) */
	TPM2B_NAME primary_name;
};

/* --- Templates --- */

/* TCG Provisioning Guidance ECC SRK: P-256, AES-128-CFB, noDA. */
static const TPM2B_PUBLIC primary_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
		    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
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
	},
};

/* Device key: ECDSA (scheme given per Sign) and ECDH_ZGen with one key.
 * No noDA: a PIN is protected by the TPM's dictionary-attack lockout. */
static const TPM2B_PUBLIC key_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		    TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT,
		.parameters.eccDetail = {
			.symmetric.algorithm = TPM2_ALG_NULL,
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

/* Sealed data object holding the wallet's data key. */
static const TPM2B_PUBLIC sealed_template = {
	.publicArea = {
		.type = TPM2_ALG_KEYEDHASH,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		    TPMA_OBJECT_USERWITHAUTH,
		.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
	},
};

/* --- Errors --- */

/* The response code without the handle/session/parameter number. */
static TSS2_RC
tpm_base_rc(TSS2_RC rc)
{
	if (rc & TPM2_RC_FMT1)
		return (rc & 0x3f) | TPM2_RC_FMT1;
	return rc & 0xfff;
}

int
tsr_tpm2_rc(const tsr_tpm2_t *t, TSS2_RC rc, const char *what)
{
	TSS2_RC layer = rc & TSS2_RC_LAYER_MASK, base;

	if (layer == TSS2_TCTI_RC_LAYER ||
	    (layer == TSS2_ESAPI_RC_LAYER && ((rc & 0xffff) == TSS2_BASE_RC_IO_ERROR ||
	    (rc & 0xffff) == TSS2_BASE_RC_NO_CONNECTION))) {
		tsr_debug("tpm2: %s: TPM at TCTI '%s' unreachable: %s (0x%08x)", what,
		    t != NULL ? t->tcti : "?", Tss2_RC_Decode(rc), (unsigned)rc);
		return TSR_ERR_SA_UNAVAILABLE;
	}
	tsr_debug("tpm2: %s: %s (0x%08x)", what, Tss2_RC_Decode(rc), (unsigned)rc);
	/* tpm2-abrmd relays TPM codes in a layer of its own. */
	if (layer != TSS2_TPM_RC_LAYER && layer != TSS2_RESMGR_TPM_RC_LAYER)
		return TSR_ERR_SA_DEVICE;
	base = tpm_base_rc(rc);
	switch (base) {
	case TPM2_RC_AUTH_FAIL:
	case TPM2_RC_BAD_AUTH:
		return TSR_ERR_SA_PIN_INCORRECT;
	case TPM2_RC_LOCKOUT:
		tsr_debug("tpm2: the TPM is in dictionary-attack lockout");
		return TSR_ERR_SA_PIN_LOCKED;
	case TPM2_RC_INTEGRITY:
		tsr_debug("tpm2: %s: the blob was not made by this TPM (or it was changed): "
		    "TPM keys work only on the TPM that created them", what);
		return TSR_ERR_SA_KEY_INVALID;
	default:
		return TSR_ERR_SA_DEVICE;
	}
}

/* --- Helpers --- */

/*
 * ESYS copies a command's input parameters into its context (to send the
 * command again after TPM2_RC_RETRY), keeps them until a later command's
 * inputs cover them, and frees the context unwiped. After a command whose
 * input held a secret (a new key's PIN, a data key to seal), the copy of
 * that input, byte for byte the caller's struct, is found in the context
 * (one allocation) and wiped. Only for an input that holds a secret: an
 * all-zero one would match any zeroed stretch of the context.
 */
static void
wipe_saved_input(tsr_tpm2_t *t, const void *input, size_t len)
{
	uint8_t *ctx = (uint8_t *)t->esys, *end = ctx + malloc_usable_size(t->esys), *at;

	while ((at = memmem(ctx, (size_t)(end - ctx), input, len)) != NULL) {
		tsr_zeroize(at, len);
		ctx = at + len;
	}
}

/*
 * ESYS decrypts an encrypted response parameter (a data key from Unseal,
 * a shared secret from ECDH_ZGen) in place, in the SYS context's response
 * buffer, and leaves it there until a later response overwrites it: wiped
 * right after the command. The buffer is ESYS's; it hands out a const
 * pointer only because callers are not meant to change a response.
 */
static void
wipe_response(tsr_tpm2_t *t)
{
	TSS2_SYS_CONTEXT *sys = NULL;
	const uint8_t *rp = NULL;
	size_t rp_len = 0;

	if (Esys_GetSysContext(t->esys, &sys) == TSS2_RC_SUCCESS &&
	    Tss2_Sys_GetRpBuffer(sys, &rp_len, &rp) == TSS2_RC_SUCCESS && rp != NULL)
		tsr_zeroize((uint8_t *)(uintptr_t)rp, rp_len);
}

void
tsr_tpm2_flush(tsr_tpm2_t *t, ESYS_TR *h)
{
	static const TPM2B_AUTH no_auth; /* all zero */
	TSS2_RC rc;

	if (t == NULL || h == NULL || *h == ESYS_TR_NONE)
		return;
	/* ESYS keeps an object's authValue (a key's PIN, Esys_TR_SetAuth) in
	 * its own record of the object and frees that record unwiped: the
	 * whole TPM2B is overwritten first. */
	(void)Esys_TR_SetAuth(t->esys, *h, &no_auth);
	if ((rc = Esys_FlushContext(t->esys, *h)) != TSS2_RC_SUCCESS)
		tsr_debug("tpm2: FlushContext: %s", Tss2_RC_Decode(rc));
	*h = ESYS_TR_NONE;
}

tsr_tpm2_t *
tsr_tpm2_from_sa(tsr_secure_area_t *sa)
{
	if (sa == NULL || sa->ops != &tsr_sa_tpm2_ops)
		return NULL;
	return sa->state;
}

ESYS_CONTEXT *
tsr_tpm2_esys(tsr_tpm2_t *t)
{
	return t != NULL ? t->esys : NULL;
}

const char *
tsr_tpm2_tcti(const tsr_tpm2_t *t)
{
	return t != NULL ? t->tcti : NULL;
}

static int
create_primary(tsr_tpm2_t *t, ESYS_TR *ret_primary, TPM2B_NAME *ret_name)
{
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION pcrs;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_NAME *name = NULL;
	ESYS_TR h = ESYS_TR_NONE;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	memset(&sens, 0, sizeof(sens));
	memset(&outside, 0, sizeof(outside));
	memset(&pcrs, 0, sizeof(pcrs));
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	    ESYS_TR_NONE, &sens, &primary_template, &outside, &pcrs, &h, &pub, NULL, NULL, NULL);
	if (rc == TPM2_RC_INITIALIZE) {
		/* A simulator nobody started (mssim): start it ourselves. */
		if ((rc = Esys_Startup(t->esys, TPM2_SU_CLEAR)) == TSS2_RC_SUCCESS)
			rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
			    ESYS_TR_NONE, ESYS_TR_NONE, &sens, &primary_template, &outside, &pcrs,
			    &h, &pub, NULL, NULL, NULL);
	}
	if (rc != TSS2_RC_SUCCESS) {
		if (tpm_base_rc(rc) == TPM2_RC_BAD_AUTH || tpm_base_rc(rc) == TPM2_RC_AUTH_FAIL)
			tsr_debug("tpm2: the owner hierarchy has a password; Tessera needs it empty");
		r = tsr_tpm2_rc(t, rc, "CreatePrimary (storage)");
		/* A hierarchy password is not the key's PIN. */
		if (r == TSR_ERR_SA_PIN_INCORRECT)
			r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	if (ret_name != NULL) {
		if ((rc = Esys_TR_GetName(t->esys, h, &name)) != TSS2_RC_SUCCESS) {
			r = tsr_tpm2_rc(t, rc, "TR_GetName (storage)");
			goto out;
		}
		*ret_name = *name;
	}
	*ret_primary = h;
	h = ESYS_TR_NONE;
	r = TSR_OK;
out:
	tsr_tpm2_flush(t, &h);
	Esys_Free(name);
	Esys_Free(pub);
	return r;
}

int
tsr_tpm2_primary_load(tsr_tpm2_t *t, ESYS_TR *ret_primary)
{
	ESYS_TR h = ESYS_TR_NONE;
	TPM2B_NAME name;
	TSS2_RC rc;
	int r;

	if (t->primary_ctx != NULL) {
		rc = Esys_ContextLoad(t->esys, t->primary_ctx, &h);
		if (rc == TSS2_RC_SUCCESS) {
			*ret_primary = h;
			return TSR_OK;
		}
		/* Saved contexts die with a TPM reset or restart: derive it again. */
		if ((r = tsr_tpm2_rc(t, rc, "ContextLoad (storage)")) == TSR_ERR_SA_UNAVAILABLE)
			return r;
	}
	if ((r = create_primary(t, &h, &name)) != TSR_OK)
		return r;
	if (name.size != t->primary_name.size ||
	    memcmp(name.name, t->primary_name.name, name.size) != 0) {
		/* The owner seed changed under us (TPM2_Clear). */
		tsr_debug("tpm2: the storage primary changed: the TPM was cleared");
		tsr_tpm2_flush(t, &h);
		return TSR_ERR_SA_KEY_INVALID;
	}
	*ret_primary = h;
	return TSR_OK;
}

/*
 * Starts an HMAC session salted to the storage primary, with AES-128-CFB
 * parameter encryption as given by attrs (TPMA_SESSION_DECRYPT for the first
 * command parameter, _ENCRYPT for the first response parameter).
 */
int
tsr_tpm2_session_start(tsr_tpm2_t *t, ESYS_TR primary, TPMA_SESSION attrs,
    ESYS_TR *ret_session)
{
	const TPMT_SYM_DEF sym = {
		.algorithm = TPM2_ALG_AES,
		.keyBits.aes = 128,
		.mode.aes = TPM2_ALG_CFB,
	};
	ESYS_TR s = ESYS_TR_NONE;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	rc = Esys_StartAuthSession(t->esys, primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256, &s);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "StartAuthSession");
		goto out;
	}
	rc = Esys_TRSess_SetAttributes(t->esys, s, (TPMA_SESSION)(attrs |
	    TPMA_SESSION_CONTINUESESSION), 0xff);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "TRSess_SetAttributes");
		goto out;
	}
	*ret_session = s;
	s = ESYS_TR_NONE;
	r = TSR_OK;
out:
	tsr_tpm2_flush(t, &s);
	return r;
}

static int
set_auth(tsr_tpm2_t *t, ESYS_TR h, const char *pin)
{
	TPM2B_AUTH auth;
	size_t n = pin != NULL ? strlen(pin) : 0;
	TSS2_RC rc;

	memset(&auth, 0, sizeof(auth));
	if (n > sizeof(auth.buffer))
		return TSR_ERR_INVALID_ARGUMENT;
	auth.size = (uint16_t)n;
	if (n > 0)
		memcpy(auth.buffer, pin, n);
	rc = Esys_TR_SetAuth(t->esys, h, &auth);
	tsr_zeroize(&auth, sizeof(auth));
	if (rc != TSS2_RC_SUCCESS)
		return tsr_tpm2_rc(t, rc, "TR_SetAuth");
	return TSR_OK;
}

/* --- Key references --- */

typedef struct tpm2_ref {
	uint8_t kind;
	uint8_t flags;
	TPM2B_NAME parent;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
} tpm2_ref_t;

static int
ref_encode(uint8_t kind, uint8_t flags, const TPM2B_NAME *parent, const TPM2B_PUBLIC *pub,
    const TPM2B_PRIVATE *priv, uint8_t **ret_ref, size_t *ret_len)
{
	uint8_t *buf = NULL;
	size_t off = REF_HEADER_LEN;
	int r = TSR_ERR_INTERNAL;

	if ((buf = calloc(1, REF_MAX)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	buf[0] = REF_VERSION;
	buf[1] = kind;
	buf[2] = flags;
	if (Tss2_MU_TPM2B_NAME_Marshal(parent, buf, REF_MAX, &off) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, REF_MAX, &off) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(priv, buf, REF_MAX, &off) != TSS2_RC_SUCCESS) {
		r = TSR_ERR_INTERNAL;
		goto out;
	}
	*ret_ref = buf;
	*ret_len = off;
	buf = NULL;
	r = TSR_OK;
out:
	free(buf);
	return r;
}

static int
ref_decode(const uint8_t *ref, size_t len, uint8_t kind, tpm2_ref_t *ret)
{
	tpm2_ref_t v;
	size_t off = REF_HEADER_LEN;

	memset(&v, 0, sizeof(v));
	if (ref == NULL || len < REF_HEADER_LEN || len > REF_MAX) {
		tsr_debug("tpm2: key reference of %zu bytes is not a TPM key reference", len);
		return TSR_ERR_SA_KEY_INVALID;
	}
	if (ref[0] != REF_VERSION || ref[1] != kind || (ref[2] & ~REF_FLAG_PIN) != 0) {
		tsr_debug("tpm2: unknown reference version %u / kind %u / flags 0x%x",
		    ref[0], ref[1], ref[2]);
		return TSR_ERR_SA_KEY_INVALID;
	}
	v.kind = ref[1];
	v.flags = ref[2];
	if (Tss2_MU_TPM2B_NAME_Unmarshal(ref, len, &off, &v.parent) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PUBLIC_Unmarshal(ref, len, &off, &v.pub) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(ref, len, &off, &v.priv) != TSS2_RC_SUCCESS ||
	    off != len) {
		tsr_debug("tpm2: malformed TPM key reference");
		return TSR_ERR_SA_KEY_INVALID;
	}
	if (kind == REF_KIND_KEY && (v.pub.publicArea.type != TPM2_ALG_ECC ||
	    v.pub.publicArea.parameters.eccDetail.curveID != TPM2_ECC_NIST_P256)) {
		tsr_debug("tpm2: key reference is not a P-256 key");
		return TSR_ERR_SA_KEY_INVALID;
	}
	*ret = v;
	return TSR_OK;
}

int
tsr_tpm2_key_public(const uint8_t *ref, size_t ref_len, TPM2B_PUBLIC *ret_pub)
{
	tpm2_ref_t v;
	int r;

	if (ret_pub == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = ref_decode(ref, ref_len, REF_KIND_KEY, &v)) != TSR_OK)
		return r;
	*ret_pub = v.pub;
	return TSR_OK;
}

static int
object_load(tsr_tpm2_t *t, ESYS_TR primary, const tpm2_ref_t *v, ESYS_TR *ret_obj)
{
	ESYS_TR h = ESYS_TR_NONE;
	TSS2_RC rc;

	if (v->parent.size != t->primary_name.size ||
	    memcmp(v->parent.name, t->primary_name.name, v->parent.size) != 0) {
		tsr_debug("tpm2: this key belongs to another TPM (or this TPM was cleared): its "
		    "parent is not this TPM's storage primary (TCTI '%s')", t->tcti);
		return TSR_ERR_SA_KEY_INVALID;
	}
	rc = Esys_Load(t->esys, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &v->priv,
	    &v->pub, &h);
	if (rc != TSS2_RC_SUCCESS) {
		int r = tsr_tpm2_rc(t, rc, "Load");
		/* Only the key's own PIN counts as a PIN. */
		return r == TSR_ERR_SA_PIN_INCORRECT ? TSR_ERR_SA_DEVICE : r;
	}
	*ret_obj = h;
	return TSR_OK;
}

int
tsr_tpm2_key_load(tsr_tpm2_t *t, ESYS_TR primary, const uint8_t *ref, size_t ref_len,
    const char *pin, ESYS_TR *ret_key, TPM2B_PUBLIC *ret_pub)
{
	ESYS_TR h = ESYS_TR_NONE;
	tpm2_ref_t v;
	int r = TSR_ERR_INTERNAL;

	if ((r = ref_decode(ref, ref_len, REF_KIND_KEY, &v)) != TSR_OK)
		goto out;
	if ((v.flags & REF_FLAG_PIN) && pin == NULL) {
		r = TSR_ERR_SA_PIN_REQUIRED;
		goto out;
	}
	if ((r = object_load(t, primary, &v, &h)) != TSR_OK)
		goto out;
	if ((r = set_auth(t, h, pin)) != TSR_OK)
		goto out;
	if (ret_pub != NULL)
		*ret_pub = v.pub;
	*ret_key = h;
	h = ESYS_TR_NONE;
	r = TSR_OK;
out:
	tsr_tpm2_flush(t, &h);
	return r;
}

/* Left-pads a TPM ECC parameter into a fixed-width field. */
static int
ecc_param_copy(const TPM2B_ECC_PARAMETER *p, uint8_t *out, size_t width)
{
	if (p->size == 0 || p->size > width)
		return TSR_ERR_SA_DEVICE;
	memset(out, 0, width - p->size);
	memcpy(out + width - p->size, p->buffer, p->size);
	return TSR_OK;
}

/* --- Objects left by clients that died --- */

/* Whether the TCTI reaches the TPM without a resource manager (tpm2-private.h), on a
 * connection no one else can use while we hold it: the kernel lets only one
 * process open /dev/tpmN at a time (a second open() gets EBUSY), and swtpm
 * and mssim do not read a second client's commands until the first one has
 * closed its connection. "device" with no path is /dev/tpm0. Behind
 * /dev/tpmrm0 or tpm2-abrmd ("tabrmd") each connection sees only its own
 * objects, and any other TCTI is left alone. */
bool
tsr_tpm2_tcti_is_direct(const char *tcti)
{
	size_t n = strcspn(tcti, ":");
	const char *conf = tcti[n] == ':' ? tcti + n + 1 : "";

	if (n == 5 && (strncmp(tcti, "swtpm", 5) == 0 || strncmp(tcti, "mssim", 5) == 0))
		return true;
	return n == 6 && strncmp(tcti, "device", 6) == 0 && strstr(conf, "tpmrm") == NULL;
}

/*
 * Flushes the transient objects and loaded sessions of clients that died
 * without flushing them (kill -9 between a Load and its FlushContext, say).
 * A TPM used directly keeps them until it restarts, and it has only a few
 * slots (swtpm: 3 objects, 3 sessions; the PC Client profile's minimum is 3
 * objects): without this, two or three such deaths made every later unlock
 * fail with TPM_RC_OBJECT_MEMORY. On a direct connection, which is ours
 * alone from now until tpm2_close() (tsr_tpm2_tcti_is_direct()), nothing loaded can
 * belong to a live client: this is what a resource manager does when a
 * client goes away. Best effort: what cannot be flushed is left, and the
 * operation that needs the room then fails with its own error.
 */
static void
flush_stale(tsr_tpm2_t *t)
{
	/* TPM2_TRANSIENT_FIRST and TPM2_LOADED_SESSION_FIRST, written out: the
	 * tss2 macros shift a promoted int into its sign bit. */
	static const TPM2_HANDLE ranges[] = { 0x80000000u, 0x02000000u };
	unsigned flushed = 0;

	if (!tsr_tpm2_tcti_is_direct(t->tcti))
		return;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		TPMS_CAPABILITY_DATA *cap = NULL;
		TPMI_YES_NO more = TPM2_NO;
		TSS2_RC rc;

		rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
		    TPM2_CAP_HANDLES, ranges[i], TPM2_MAX_CAP_HANDLES, &more, &cap);
		if (rc != TSS2_RC_SUCCESS) {
			/* TPM_RC_INITIALIZE: not started, so nothing is loaded. */
			(void)tsr_tpm2_rc(t, rc, "GetCapability (handles)");
			return;
		}
		for (UINT32 k = 0; k < cap->data.handles.count; k++) {
			TPM2_HANDLE h = cap->data.handles.handle[k];
			ESYS_TR tr = ESYS_TR_NONE;

			/* Loaded sessions are listed with their own handles:
			 * HMAC (0x02) and policy (0x03) sessions alike. */
			if (i == 0 ? (h >> 24) != 0x80 : (h >> 24) != 0x02 && (h >> 24) != 0x03)
				continue;
			rc = Esys_TR_FromTPMPublic(t->esys, h, ESYS_TR_NONE, ESYS_TR_NONE,
			    ESYS_TR_NONE, &tr);
			if (rc != TSS2_RC_SUCCESS) {
				(void)tsr_tpm2_rc(t, rc, "TR_FromTPMPublic (stale handle)");
				continue;
			}
			if ((rc = Esys_FlushContext(t->esys, tr)) != TSS2_RC_SUCCESS) {
				(void)tsr_tpm2_rc(t, rc, "FlushContext (stale handle)");
				(void)Esys_TR_Close(t->esys, &tr);
				continue;
			}
			flushed++;
		}
		Esys_Free(cap);
	}
	if (flushed > 0)
		tsr_debug("tpm2: flushed %u objects and sessions left by clients that died",
		    flushed);
}

/* --- Operations --- */

static int
tpm2_open(const tsr_sa_config_t *config, void **ret_state)
{
	const char *tcti = config->tpm_tcti;
	tsr_tpm2_t *t = NULL;
	ESYS_TR primary = ESYS_TR_NONE;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	if (tcti == NULL || *tcti == '\0')
		tcti = getenv("TESSERA_TCTI");
	if (tcti == NULL || *tcti == '\0')
		tcti = DEFAULT_TCTI;
	/* The TSS prints ERROR lines on stderr for conditions we handle;
	 * it reads TSS2_LOG when its first module logs, so set it now. */
	if (getenv("TESSERA_DEBUG") == NULL)
		setenv("TSS2_LOG", "all+none", 1);
	if ((t = calloc(1, sizeof(*t))) == NULL || (t->tcti = strdup(tcti)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((rc = Tss2_TctiLdr_Initialize(t->tcti, &t->tcti_ctx)) != TSS2_RC_SUCCESS) {
		tsr_debug("tpm2: cannot reach a TPM through TCTI '%s': %s (0x%08x)", t->tcti,
		    Tss2_RC_Decode(rc), (unsigned)rc);
		t->tcti_ctx = NULL;
		r = TSR_ERR_SA_UNAVAILABLE;
		goto out;
	}
	if ((rc = Esys_Initialize(&t->esys, t->tcti_ctx, NULL)) != TSS2_RC_SUCCESS) {
		t->esys = NULL;
		r = tsr_tpm2_rc(t, rc, "Esys_Initialize");
		goto out;
	}
	flush_stale(t);
	if ((r = create_primary(t, &primary, &t->primary_name)) != TSR_OK)
		goto out;
	/* Keep only its context: no object slot is held between operations. */
	if ((rc = Esys_ContextSave(t->esys, primary, &t->primary_ctx)) != TSS2_RC_SUCCESS) {
		(void)tsr_tpm2_rc(t, rc, "ContextSave (storage)");
		t->primary_ctx = NULL; /* re-created for each operation instead */
	}
	tsr_tpm2_flush(t, &primary);
	*ret_state = t;
	t = NULL;
	r = TSR_OK;
out:
	if (t != NULL) {
		tsr_tpm2_flush(t, &primary);
		if (t->esys != NULL)
			Esys_Finalize(&t->esys);
		if (t->tcti_ctx != NULL)
			Tss2_TctiLdr_Finalize(&t->tcti_ctx);
		free(t->tcti);
		free(t);
	}
	return r;
}

static void
tpm2_close(void *state)
{
	tsr_tpm2_t *t = state;

	if (t == NULL)
		return;
	Esys_Free(t->primary_ctx);
	if (t->esys != NULL)
		Esys_Finalize(&t->esys);
	if (t->tcti_ctx != NULL)
		Tss2_TctiLdr_Finalize(&t->tcti_ctx);
	free(t->tcti);
	free(t);
}

static const char *
tpm2_describe(void *state)
{
	(void)state;
	return "TPM 2.0";
}

static int
tpm2_create_key(void *state, const tsr_sa_key_options_t *options, const uint8_t *name,
    size_t name_len, uint8_t **ret_ref, size_t *ret_ref_len, tsr_ec_pub_t *ret_pub)
{
	tsr_tpm2_t *t = state;
	const char *pin = options != NULL ? options->pin : NULL;
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION pcrs;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	ESYS_TR primary = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	tsr_ec_pub_t ecpub;
	size_t pin_len = pin != NULL ? strlen(pin) : 0;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	/* No new_ref(): nothing of a key exists before the wallet records it. */
	if (name != NULL || name_len != 0)
		return TSR_ERR_INVALID_ARGUMENT;

	memset(&sens, 0, sizeof(sens));
	memset(&outside, 0, sizeof(outside));
	memset(&pcrs, 0, sizeof(pcrs));
	memset(&ecpub, 0, sizeof(ecpub));
	if (pin_len > sizeof(sens.sensitive.userAuth.buffer)) {
		tsr_debug("tpm2: a PIN may have at most %zu bytes",
		    sizeof(sens.sensitive.userAuth.buffer));
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	sens.sensitive.userAuth.size = (uint16_t)pin_len;
	if (pin_len > 0)
		memcpy(sens.sensitive.userAuth.buffer, pin, pin_len);
	if ((r = tsr_tpm2_primary_load(t, &primary)) != TSR_OK)
		goto out;
	if ((r = tsr_tpm2_session_start(t, primary, TPMA_SESSION_DECRYPT, &sess)) != TSR_OK)
		goto out;
	rc = Esys_Create(t->esys, primary, sess, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &key_template,
	    &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
	if (pin_len > 0)
		wipe_saved_input(t, &sens, sizeof(sens));
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "Create (key)");
		goto out;
	}
	ecpub.curve = TSR_CURVE_P256;
	if ((r = ecc_param_copy(&pub->publicArea.unique.ecc.x, ecpub.x, 32)) != TSR_OK ||
	    (r = ecc_param_copy(&pub->publicArea.unique.ecc.y, ecpub.y, 32)) != TSR_OK)
		goto out;
	if ((r = ref_encode(REF_KIND_KEY, pin_len > 0 ? REF_FLAG_PIN : 0, &t->primary_name, pub,
	    priv, ret_ref, ret_ref_len)) != TSR_OK)
		goto out;
	*ret_pub = ecpub;
	r = TSR_OK;
out:
	tsr_zeroize(&sens, sizeof(sens));
	tsr_tpm2_flush(t, &sess);
	tsr_tpm2_flush(t, &primary);
	Esys_Free(pub);
	Esys_Free(priv);
	return r;
}

static int
tpm2_sign_digest(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
    const uint8_t digest[32], uint8_t sig[64])
{
	tsr_tpm2_t *t = state;
	const TPMT_SIG_SCHEME scheme = {
		.scheme = TPM2_ALG_ECDSA,
		.details.ecdsa.hashAlg = TPM2_ALG_SHA256,
	};
	/* The digest was computed outside the TPM: a null ticket says so,
	 * which an unrestricted key accepts. */
	const TPMT_TK_HASHCHECK ticket = {
		.tag = TPM2_ST_HASHCHECK,
		.hierarchy = TPM2_RH_NULL,
	};
	TPM2B_DIGEST dig;
	TPMT_SIGNATURE *s = NULL;
	ESYS_TR primary = ESYS_TR_NONE, key = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	uint8_t out[64];
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	memset(&dig, 0, sizeof(dig));
	dig.size = 32;
	memcpy(dig.buffer, digest, 32);
	if ((r = tsr_tpm2_primary_load(t, &primary)) != TSR_OK)
		goto out;
	if ((r = tsr_tpm2_key_load(t, primary, ref, ref_len, pin, &key, NULL)) != TSR_OK)
		goto out;
	/* A PIN travels only as an HMAC in a salted session; without one
	 * nothing secret crosses the bus, and the session (an ECDH inside
	 * the TPM) would only cost time. */
	if (pin != NULL && (r = tsr_tpm2_session_start(t, primary, 0, &sess)) != TSR_OK)
		goto out;
	tsr_tpm2_flush(t, &primary);
	rc = Esys_Sign(t->esys, key, sess != ESYS_TR_NONE ? sess : ESYS_TR_PASSWORD, ESYS_TR_NONE,
	    ESYS_TR_NONE, &dig, &scheme, &ticket, &s);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "Sign");
		goto out;
	}
	if (s->sigAlg != TPM2_ALG_ECDSA ||
	    (r = ecc_param_copy(&s->signature.ecdsa.signatureR, out, 32)) != TSR_OK ||
	    (r = ecc_param_copy(&s->signature.ecdsa.signatureS, out + 32, 32)) != TSR_OK) {
		r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	memcpy(sig, out, 64);
	r = TSR_OK;
out:
	tsr_tpm2_flush(t, &sess);
	tsr_tpm2_flush(t, &key);
	tsr_tpm2_flush(t, &primary);
	Esys_Free(s);
	return r;
}

static int
tpm2_ecdh(void *state, const uint8_t *ref, size_t ref_len, const char *pin,
    const tsr_ec_pub_t *peer, uint8_t z[32])
{
	tsr_tpm2_t *t = state;
	TPM2B_ECC_POINT in;
	TPM2B_ECC_POINT *outp = NULL;
	ESYS_TR primary = ESYS_TR_NONE, key = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	memset(&in, 0, sizeof(in));
	if (peer->curve != TSR_CURVE_P256) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto out;
	}
	if ((r = tsr_ec_pub_validate(peer)) != TSR_OK)
		goto out;
	in.point.x.size = 32;
	memcpy(in.point.x.buffer, peer->x, 32);
	in.point.y.size = 32;
	memcpy(in.point.y.buffer, peer->y, 32);
	if ((r = tsr_tpm2_primary_load(t, &primary)) != TSR_OK)
		goto out;
	if ((r = tsr_tpm2_key_load(t, primary, ref, ref_len, pin, &key, NULL)) != TSR_OK)
		goto out;
	/* The shared secret comes back encrypted under the session key. */
	if ((r = tsr_tpm2_session_start(t, primary, TPMA_SESSION_ENCRYPT, &sess)) != TSR_OK)
		goto out;
	tsr_tpm2_flush(t, &primary);
	rc = Esys_ECDH_ZGen(t->esys, key, sess, ESYS_TR_NONE, ESYS_TR_NONE, &in, &outp);
	wipe_response(t);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "ECDH_ZGen");
		goto out;
	}
	if ((r = ecc_param_copy(&outp->point.x, z, 32)) != TSR_OK)
		goto out;
	r = TSR_OK;
out:
	if (outp != NULL) {
		tsr_zeroize(outp, sizeof(*outp));
		Esys_Free(outp);
	}
	tsr_tpm2_flush(t, &sess);
	tsr_tpm2_flush(t, &key);
	tsr_tpm2_flush(t, &primary);
	return r;
}

static int
tpm2_delete_key(void *state, const uint8_t *ref, size_t ref_len)
{
	tpm2_ref_t v;

	(void)state;
	/* A TPM key exists only as its blobs; forgetting them deletes it. */
	return ref_decode(ref, ref_len, REF_KIND_KEY, &v);
}

static int
tpm2_seal(void *state, const uint8_t key[32], uint8_t **ret_blob, size_t *ret_blob_len)
{
	tsr_tpm2_t *t = state;
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION pcrs;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	ESYS_TR primary = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	memset(&sens, 0, sizeof(sens));
	memset(&outside, 0, sizeof(outside));
	memset(&pcrs, 0, sizeof(pcrs));
	sens.sensitive.data.size = 32;
	memcpy(sens.sensitive.data.buffer, key, 32);
	if ((r = tsr_tpm2_primary_load(t, &primary)) != TSR_OK)
		goto out;
	/* The data key goes to the TPM encrypted (first parameter: inSensitive). */
	if ((r = tsr_tpm2_session_start(t, primary, TPMA_SESSION_DECRYPT, &sess)) != TSR_OK)
		goto out;
	rc = Esys_Create(t->esys, primary, sess, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
	    &sealed_template, &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
	wipe_saved_input(t, &sens, sizeof(sens));
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "Create (sealed)");
		goto out;
	}
	if ((r = ref_encode(REF_KIND_SEALED, 0, &t->primary_name, pub, priv, ret_blob,
	    ret_blob_len)) != TSR_OK)
		goto out;
	r = TSR_OK;
out:
	tsr_zeroize(&sens, sizeof(sens));
	tsr_tpm2_flush(t, &sess);
	tsr_tpm2_flush(t, &primary);
	Esys_Free(pub);
	Esys_Free(priv);
	return r;
}

static int
tpm2_unseal(void *state, const uint8_t *blob, size_t blob_len, uint8_t key[32])
{
	tsr_tpm2_t *t = state;
	TPM2B_SENSITIVE_DATA *data = NULL;
	ESYS_TR primary = ESYS_TR_NONE, obj = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	tpm2_ref_t v;
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	if ((r = ref_decode(blob, blob_len, REF_KIND_SEALED, &v)) != TSR_OK)
		goto out;
	if (v.pub.publicArea.type != TPM2_ALG_KEYEDHASH) {
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	if ((r = tsr_tpm2_primary_load(t, &primary)) != TSR_OK)
		goto out;
	if ((r = object_load(t, primary, &v, &obj)) != TSR_OK)
		goto out;
	/* The data key comes back encrypted under the session key. */
	if ((r = tsr_tpm2_session_start(t, primary, TPMA_SESSION_ENCRYPT, &sess)) != TSR_OK)
		goto out;
	tsr_tpm2_flush(t, &primary);
	rc = Esys_Unseal(t->esys, obj, sess, ESYS_TR_NONE, ESYS_TR_NONE, &data);
	wipe_response(t);
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "Unseal");
		if (r == TSR_ERR_SA_PIN_INCORRECT)
			r = TSR_ERR_SA_DEVICE;
		goto out;
	}
	if (data->size != 32) {
		tsr_debug("tpm2: sealed object holds %u bytes, not a 32-byte key", data->size);
		r = TSR_ERR_SA_KEY_INVALID;
		goto out;
	}
	memcpy(key, data->buffer, 32);
	r = TSR_OK;
out:
	if (data != NULL) {
		tsr_zeroize(data, sizeof(*data));
		Esys_Free(data);
	}
	tsr_tpm2_flush(t, &sess);
	tsr_tpm2_flush(t, &obj);
	tsr_tpm2_flush(t, &primary);
	return r;
}

/* TPM2_ObjectChangeAuth: the TPM re-wraps the key's sensitive part with the
 * new authValue under the same parent and gives a new private blob. The
 * old blob still loads with the old PIN wherever a copy of it survives: a
 * TPM cannot revoke a blob. */
static int
tpm2_change_key_pin(void *state, const uint8_t *ref, size_t ref_len, const char *old_pin,
    const char *new_pin, uint8_t **ret_ref, size_t *ret_ref_len)
{
	tsr_tpm2_t *t = state;
	ESYS_TR primary = ESYS_TR_NONE, key = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_AUTH auth;
	tpm2_ref_t v;
	size_t n = strlen(new_pin);
	TSS2_RC rc;
	int r = TSR_ERR_INTERNAL;

	memset(&auth, 0, sizeof(auth));
	if (n == 0 || n > sizeof(auth.buffer)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = ref_decode(ref, ref_len, REF_KIND_KEY, &v)) != TSR_OK)
		goto out;
	/* Giving a PIN to a key without one would change how it is used. */
	if ((v.flags & REF_FLAG_PIN) == 0) {
		r = TSR_ERR_SA_NOT_SUPPORTED;
		goto out;
	}
	auth.size = (uint16_t)n;
	memcpy(auth.buffer, new_pin, n);
	if ((r = tsr_tpm2_primary_load(t, &primary)) != TSR_OK ||
	    (r = tsr_tpm2_key_load(t, primary, ref, ref_len, old_pin, &key, NULL)) != TSR_OK)
		goto out;
	/* The old PIN as an HMAC, the new one encrypted (decrypt session). */
	if ((r = tsr_tpm2_session_start(t, primary, TPMA_SESSION_DECRYPT, &sess)) != TSR_OK)
		goto out;
	rc = Esys_ObjectChangeAuth(t->esys, key, primary, sess, ESYS_TR_NONE, ESYS_TR_NONE, &auth,
	    &priv);
	wipe_saved_input(t, &auth, sizeof(auth));
	if (rc != TSS2_RC_SUCCESS) {
		r = tsr_tpm2_rc(t, rc, "ObjectChangeAuth");
		goto out;
	}
	r = ref_encode(REF_KIND_KEY, REF_FLAG_PIN, &v.parent, &v.pub, priv, ret_ref, ret_ref_len);
out:
	tsr_zeroize(&auth, sizeof(auth));
	tsr_tpm2_flush(t, &sess);
	tsr_tpm2_flush(t, &key);
	tsr_tpm2_flush(t, &primary);
	if (priv != NULL)
		tsr_zeroize(priv, sizeof(*priv));
	Esys_Free(priv);
	return r;
}

const tsr_sa_ops_t tsr_sa_tpm2_ops = {
	.kind = TSR_SA_TPM2,
	.hardware_backed = true,
	.open = tpm2_open,
	.close = tpm2_close,
	.describe = tpm2_describe,
	.create_key = tpm2_create_key,
	.sign_digest = tpm2_sign_digest,
	.ecdh = tpm2_ecdh,
	.delete_key = tpm2_delete_key,
	.seal = tpm2_seal,
	.unseal = tpm2_unseal,
	.software_params = NULL,
	.change_key_pin = tpm2_change_key_pin,
};
