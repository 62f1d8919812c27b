/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * <tessera/securearea.h>: argument checks, then dispatch to the back-end.
 * What every back-end would otherwise repeat lives here: hashing the
 * message before signing, decoding the peer's COSE_Key, encoding the new
 * key's COSE_Key, and keeping outputs untouched on failure.
 */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>
#include <tessera/securearea.h>

#include "base/log.h"
#include "cbor/codec.h"
#include "cose/cose.h"
#include "securearea/securearea-private.h"

/* Largest key reference or sealed blob we hand to a back-end: a TPM key's
 * public and private blobs are well under 1 KiB, software references about
 * 180 bytes, token references 16. */
#define SA_REF_MAX ((size_t)16 * 1024)

static const tsr_sa_ops_t *
ops_for_kind(tsr_sa_kind_t kind, int *ret_err)
{
	switch (kind) {
	case TSR_SA_SOFTWARE:
		return &tsr_sa_software_ops;
	case TSR_SA_PKCS11:
#ifdef TSR_HAVE_PKCS11
		return &tsr_sa_pkcs11_ops;
#else
		*ret_err = TSR_ERR_UNSUPPORTED;
		return NULL;
#endif
	case TSR_SA_TPM2:
#ifdef TSR_HAVE_TPM2
		return &tsr_sa_tpm2_ops;
#else
		*ret_err = TSR_ERR_UNSUPPORTED;
		return NULL;
#endif
	}
	*ret_err = TSR_ERR_INVALID_ARGUMENT;
	return NULL;
}

int
tsr_secure_area_open(const tsr_sa_config_t *config, tsr_secure_area_t **ret_sa)
{
	const tsr_sa_ops_t *ops;
	tsr_secure_area_t *sa = NULL;
	void *state = NULL;
	int r = TSR_ERR_INTERNAL;

	if (config == NULL || ret_sa == NULL ||
	    (config->software_params == NULL && config->software_params_len > 0)) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ops = ops_for_kind(config->kind, &r)) == NULL)
		goto out;
	if ((sa = calloc(1, sizeof(*sa))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if ((r = ops->open(config, &state)) != TSR_OK) {
		tsr_debug("secure area: opening kind %d failed: %s", (int)config->kind,
		    tsr_strerror(r));
		goto out;
	}
	sa->ops = ops;
	sa->state = state;
	*ret_sa = sa;
	sa = NULL;
	r = TSR_OK;
out:
	free(sa);
	return r;
}

void
tsr_secure_area_free(tsr_secure_area_t *sa)
{
	if (sa == NULL)
		return;
	if (sa->ops != NULL && sa->state != NULL)
		sa->ops->close(sa->state);
	free(sa);
}

tsr_sa_kind_t
tsr_secure_area_kind(const tsr_secure_area_t *sa)
{
	return sa != NULL ? sa->ops->kind : (tsr_sa_kind_t)0;
}

bool
tsr_secure_area_hardware_backed(const tsr_secure_area_t *sa)
{
	return sa != NULL && sa->ops->hardware_backed;
}

const char *
tsr_secure_area_describe(const tsr_secure_area_t *sa)
{
	const char *s;

	if (sa == NULL)
		return "";
	s = sa->ops->describe(sa->state);
	return s != NULL ? s : "";
}

int
tsr_secure_area_software_params(const tsr_secure_area_t *sa, uint8_t **ret_params,
    size_t *ret_len)
{
	if (sa == NULL || ret_params == NULL || ret_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (sa->ops->software_params == NULL)
		return TSR_ERR_SA_NOT_SUPPORTED;
	return sa->ops->software_params(sa->state, ret_params, ret_len);
}

int
tsr_sa_change_secret(tsr_secure_area_t *sa, const char *old_secret, const char *new_secret)
{
	if (sa == NULL || old_secret == NULL || new_secret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (sa->ops->change_secret == NULL)
		return TSR_ERR_SA_NOT_SUPPORTED;
	return sa->ops->change_secret(sa->state, old_secret, new_secret);
}

int
tsr_sa_change_key_pin(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len,
    const char *old_pin, const char *new_pin, uint8_t **ret_ref, size_t *ret_ref_len)
{
	if (sa == NULL || ref == NULL || ref_len == 0 || old_pin == NULL || new_pin == NULL ||
	    ret_ref == NULL || ret_ref_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (sa->ops->change_key_pin == NULL)
		return TSR_ERR_SA_NOT_SUPPORTED;
	return sa->ops->change_key_pin(sa->state, ref, ref_len, old_pin, new_pin, ret_ref,
	    ret_ref_len);
}

/* A reference or blob as the caller gives it back: present and bounded. */
static int
check_ref(const uint8_t *ref, size_t ref_len)
{
	if (ref == NULL || ref_len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if (ref_len > SA_REF_MAX)
		return TSR_ERR_SA_KEY_INVALID;
	return TSR_OK;
}

static int
create_key(tsr_secure_area_t *sa, const tsr_sa_key_options_t *options, const uint8_t *name,
    size_t name_len, uint8_t **ret_ref, size_t *ret_ref_len, uint8_t **ret_cose_key,
    size_t *ret_cose_key_len)
{
	tsr_cbor_enc_t enc;
	tsr_ec_pub_t pub;
	uint8_t *ref = NULL, *cose = NULL;
	size_t ref_len = 0, cose_len = 0;
	int r = TSR_ERR_INTERNAL;

	tsr_cbor_enc_init(&enc);
	if (sa == NULL || (name == NULL && (ret_ref == NULL || ret_ref_len == NULL)) ||
	    ret_cose_key == NULL || ret_cose_key_len == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	memset(&pub, 0, sizeof(pub));
	if ((r = sa->ops->create_key(sa->state, options, name, name_len, &ref, &ref_len,
	    &pub)) != TSR_OK)
		goto out;
	/* A back-end must hand out a P-256 point that is on the curve. */
	if (pub.curve != TSR_CURVE_P256 || tsr_ec_pub_validate(&pub) != TSR_OK) {
		r = TSR_ERR_SA_DEVICE;
		goto fail_delete;
	}
	tsr_cose_key_encode(&enc, &pub);
	if ((r = tsr_cbor_enc_finish(&enc, &cose, &cose_len)) != TSR_OK)
		goto fail_delete;
	if (ret_ref != NULL) {
		*ret_ref = ref;
		*ret_ref_len = ref_len;
		ref = NULL;
	}
	*ret_cose_key = cose;
	*ret_cose_key_len = cose_len;
	cose = NULL;
	r = TSR_OK;
	goto out;
fail_delete:
	/* Do not leave a key behind on a token that nobody can name. */
	if (sa->ops->delete_key(sa->state, ref, ref_len) != TSR_OK)
		tsr_debug("secure area: could not remove a key after a failed creation");
out:
	tsr_cbor_enc_free(&enc);
	tsr_free_secret(ref, ref_len);
	free(cose);
	return r;
}

int
tsr_secure_area_create_key(tsr_secure_area_t *sa, const tsr_sa_key_options_t *options,
    uint8_t **ret_ref, size_t *ret_ref_len, uint8_t **ret_cose_key, size_t *ret_cose_key_len)
{
	if (ret_ref == NULL || ret_ref_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	return create_key(sa, options, NULL, 0, ret_ref, ret_ref_len, ret_cose_key,
	    ret_cose_key_len);
}

bool
tsr_secure_area_names_keys(const tsr_secure_area_t *sa)
{
	return sa != NULL && sa->ops->new_ref != NULL;
}

int
tsr_secure_area_new_ref(tsr_secure_area_t *sa, uint8_t **ret_ref, size_t *ret_ref_len)
{
	if (sa == NULL || ret_ref == NULL || ret_ref_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (sa->ops->new_ref == NULL)
		return TSR_ERR_SA_NOT_SUPPORTED;
	return sa->ops->new_ref(sa->state, ret_ref, ret_ref_len);
}

int
tsr_secure_area_create_key_named(tsr_secure_area_t *sa, const tsr_sa_key_options_t *options,
    const uint8_t *name, size_t name_len, uint8_t **ret_cose_key, size_t *ret_cose_key_len)
{
	int r;

	if (sa == NULL || sa->ops->new_ref == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = check_ref(name, name_len)) != TSR_OK)
		return r;
	return create_key(sa, options, name, name_len, NULL, NULL, ret_cose_key,
	    ret_cose_key_len);
}

int
tsr_secure_area_sign(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len,
    const char *pin, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	uint8_t digest[32], out_sig[64];
	int r = TSR_ERR_INTERNAL;

	if (sa == NULL || (msg == NULL && len > 0) || sig == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = check_ref(ref, ref_len)) != TSR_OK)
		goto out;
	if ((r = tsr_hash(TSR_HASH_SHA256, msg, len, digest)) != TSR_OK)
		goto out;
	if ((r = sa->ops->sign_digest(sa->state, ref, ref_len, pin, digest, out_sig)) != TSR_OK)
		goto out;
	memcpy(sig, out_sig, sizeof(out_sig));
	r = TSR_OK;
out:
	return r;
}

int
tsr_secure_area_key_agreement(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len,
    const char *pin, const uint8_t *peer_cose_key, size_t peer_len, uint8_t z[32])
{
	tsr_ec_pub_t peer;
	uint8_t out_z[32];
	int r = TSR_ERR_INTERNAL;

	if (sa == NULL || peer_cose_key == NULL || peer_len == 0 || z == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = check_ref(ref, ref_len)) != TSR_OK)
		goto out;
	if ((r = tsr_cose_key_from_bytes(peer_cose_key, peer_len, &peer)) != TSR_OK)
		goto out;
	/* Device keys are P-256; a peer on another curve cannot agree with them. */
	if (peer.curve != TSR_CURVE_P256) {
		r = TSR_ERR_CRYPTO_BAD_KEY;
		goto out;
	}
	if ((r = sa->ops->ecdh(sa->state, ref, ref_len, pin, &peer, out_z)) != TSR_OK)
		goto out;
	memcpy(z, out_z, sizeof(out_z));
	r = TSR_OK;
out:
	tsr_zeroize(out_z, sizeof(out_z));
	return r;
}

int
tsr_secure_area_delete_key(tsr_secure_area_t *sa, const uint8_t *ref, size_t ref_len)
{
	int r;

	if (sa == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = check_ref(ref, ref_len)) != TSR_OK)
		return r;
	return sa->ops->delete_key(sa->state, ref, ref_len);
}

int
tsr_secure_area_seal(tsr_secure_area_t *sa, const uint8_t key[32], uint8_t **ret_blob,
    size_t *ret_blob_len)
{
	if (sa == NULL || key == NULL || ret_blob == NULL || ret_blob_len == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	return sa->ops->seal(sa->state, key, ret_blob, ret_blob_len);
}

int
tsr_secure_area_unseal(tsr_secure_area_t *sa, const uint8_t *blob, size_t blob_len,
    uint8_t key[32])
{
	uint8_t out_key[32];
	int r = TSR_ERR_INTERNAL;

	if (sa == NULL || key == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((r = check_ref(blob, blob_len)) != TSR_OK)
		goto out;
	if ((r = sa->ops->unseal(sa->state, blob, blob_len, out_key)) != TSR_OK)
		goto out;
	memcpy(key, out_key, sizeof(out_key));
	r = TSR_OK;
out:
	tsr_zeroize(out_key, sizeof(out_key));
	return r;
}
