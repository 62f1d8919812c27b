/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file securearea.h
 * @brief Where a wallet's private keys live: a TPM 2.0, a PKCS#11 token, or
 *        (only as the fallback) passphrase-protected software keys.
 *
 * A secure area creates P-256 device keys, signs with them (ES256, raw
 * r||s as COSE wants), performs ECDH with them (for MAC device
 * authentication), and seals the wallet's data key that encrypts the store.
 * Private keys never leave a TPM or a token; software keys exist in the
 * clear only inside one call.
 *
 * A key is named by an opaque *key reference*: bytes the back-end gives out
 * at creation and the caller stores (the wallet keeps them in its SQLite
 * store) and hands back for every later operation. For a TPM they are the
 * key's public and private blobs (useless on any other TPM); for a token,
 * the object's CKA_ID; for software, the PKCS#8 key encrypted under the
 * passphrase-derived key.
 *
 * A tsr_secure_area_t is not thread-safe; use one per thread.
 */
#ifndef TESSERA_SECUREAREA_H
#define TESSERA_SECUREAREA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Secure-area errors (-600 .. -699); see tsr_strerror(). */
#define TSR_ERR_SA_UNAVAILABLE -600    /**< The TPM/token/module cannot be reached. */
#define TSR_ERR_SA_PIN_INCORRECT -601  /**< Wrong PIN or passphrase. */
#define TSR_ERR_SA_PIN_LOCKED -602     /**< Too many wrong PINs (TPM lockout, token locked). */
#define TSR_ERR_SA_PIN_REQUIRED -603   /**< The key needs a PIN and none was given. */
#define TSR_ERR_SA_KEY_INVALID -604    /**< Key reference malformed, from another device, or deleted. */
#define TSR_ERR_SA_TOKEN_NOT_FOUND -605 /**< No token with the configured label. */
#define TSR_ERR_SA_DEVICE -606         /**< The device reported an error (see the debug log). */
#define TSR_ERR_SA_NOT_SUPPORTED -607  /**< This back-end cannot do that (e.g. attest without a TPM). */

/** The kinds of secure area. The numbers are stored in wallets: never change them. */
typedef enum tsr_sa_kind {
	TSR_SA_SOFTWARE = 1, /**< passphrase-protected keys in the store; not hardware-backed */
	TSR_SA_PKCS11 = 2,   /**< keys generated on a PKCS#11 token */
	TSR_SA_TPM2 = 3,     /**< keys generated in a TPM 2.0 */
} tsr_sa_kind_t;

/** An open secure area (opaque). */
typedef struct tsr_secure_area tsr_secure_area_t;

/**
 * @brief Supplies a secret (PIN or passphrase) when the library needs one.
 *
 * Lets the CLI prompt on a terminal and the GUI show a dialog, only when a
 * secret is actually needed.
 * @param user the pointer given with the callback.
 * @param purpose NUL-terminated, for the prompt: e.g. "PIN for token 'Tessera'".
 * @param[out] buf receives the secret, NUL-terminated.
 * @param cap size of @p buf (at least 256).
 * @return 0 on success, non-zero when the user cancelled.
 */
typedef int (*tsr_secret_fn)(void *user, const char *purpose, char *buf, size_t cap);

/** How to open a secure area. Zero-initialise, then fill what applies. */
typedef struct tsr_sa_config {
	tsr_sa_kind_t kind;           /**< which back-end */
	/** TPM: the TCTI string, e.g. "swtpm:host=127.0.0.1,port=2321". NULL means
	 *  $TESSERA_TCTI, then "device:/dev/tpmrm0". */
	const char *tpm_tcti;
	/** PKCS#11: path of the module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
	const char *pkcs11_module;
	/** PKCS#11: label of the token to use. */
	const char *pkcs11_token_label;
	/** PKCS#11 user PIN or software passphrase source; NULL = no secret
	 *  available (operations that need one fail with #TSR_ERR_SA_PIN_REQUIRED). */
	tsr_secret_fn secret;
	void *secret_user;            /**< passed to @p secret */
	/** Software: the salt and iteration count recorded by
	 *  tsr_secure_area_software_params() when the wallet was created; NULL
	 *  when creating a new wallet (fresh parameters are made). */
	const uint8_t *software_params;
	size_t software_params_len;   /**< length of @p software_params */
} tsr_sa_config_t;

/**
 * @brief Opens a secure area.
 * @param config what to open; copied, so it may go away after the call.
 * @param[out] ret_sa the secure area; free with tsr_secure_area_free().
 * @return #TSR_OK, #TSR_ERR_SA_UNAVAILABLE (no TPM at that TCTI, module not
 *         loadable), #TSR_ERR_SA_TOKEN_NOT_FOUND, #TSR_ERR_SA_PIN_INCORRECT
 *         (token login or software passphrase check failed),
 *         #TSR_ERR_UNSUPPORTED (back-end not built in), #TSR_ERR_INVALID_ARGUMENT,
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_open(const tsr_sa_config_t *config,
    tsr_secure_area_t **ret_sa);

/** @brief Closes a secure area and wipes what it holds. NULL is fine. */
TSR_EXPORT void tsr_secure_area_free(tsr_secure_area_t *sa);

/** @brief Which back-end this is. */
TSR_EXPORT tsr_sa_kind_t tsr_secure_area_kind(const tsr_secure_area_t *sa);

/** @brief True for TPM 2.0 and PKCS#11, false for software. */
TSR_EXPORT bool tsr_secure_area_hardware_backed(const tsr_secure_area_t *sa);

/**
 * @brief A human description: "TPM 2.0", "PKCS#11 token <label>",
 *        "software (not hardware-backed)".
 * @return a string owned by @p sa.
 */
TSR_EXPORT const char *tsr_secure_area_describe(const tsr_secure_area_t *sa);

/**
 * @brief The software back-end's key-derivation parameters (salt,
 *        iteration count, a passphrase check value) to record with the
 *        wallet and pass back in tsr_sa_config_t::software_params.
 * @param[out] ret_params owned bytes (tsr_free()).
 * @return #TSR_OK, or #TSR_ERR_SA_NOT_SUPPORTED for other back-ends.
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_software_params(const tsr_secure_area_t *sa,
    uint8_t **ret_params, size_t *ret_len);

/** The longest tsr_sa_key_options_t::label. */
#define TSR_SA_KEY_LABEL_MAX 64

/** Options for a new key. Zero-initialise. */
typedef struct tsr_sa_key_options {
	/** Require this PIN for every use of the key (TPM authValue; for
	 *  software keys an extra secret; PKCS#11 tokens use their own login
	 *  PIN and refuse a per-key PIN with #TSR_ERR_SA_NOT_SUPPORTED). NULL
	 *  for none. */
	const char *pin;
	/** On a PKCS#11 token, the key objects' CKA_LABEL, 1 to
	 *  #TSR_SA_KEY_LABEL_MAX bytes (e.g. an issuer's Document Signer key);
	 *  NULL for "tessera-device-key". The other back-ends keep no label
	 *  and ignore it. */
	const char *label;
} tsr_sa_key_options_t;

/**
 * @brief Creates a P-256 key usable for ES256 signatures and ECDH.
 * @param options may be NULL.
 * @param[out] ret_ref the key reference (owned, tsr_free()).
 * @param[out] ret_cose_key the public key as a COSE_Key
 *        {1: 2, -1: 1, -2: x, -3: y} (owned, tsr_free()).
 * @return #TSR_OK or an error; outputs untouched on failure.
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_create_key(tsr_secure_area_t *sa,
    const tsr_sa_key_options_t *options, uint8_t **ret_ref, size_t *ret_ref_len,
    uint8_t **ret_cose_key, size_t *ret_cose_key_len);

/**
 * @brief Signs SHA-256(@p msg) with the key (ES256).
 * @param pin the key's PIN, or NULL.
 * @param[out] sig 64 bytes: r || s.
 * @return #TSR_OK, #TSR_ERR_SA_KEY_INVALID, #TSR_ERR_SA_PIN_INCORRECT,
 *         #TSR_ERR_SA_PIN_REQUIRED, #TSR_ERR_SA_PIN_LOCKED, #TSR_ERR_SA_DEVICE.
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_sign(tsr_secure_area_t *sa, const uint8_t *ref,
    size_t ref_len, const char *pin, const uint8_t *msg, size_t len, uint8_t sig[64]);

/**
 * @brief ECDH between the key and a peer public key given as a COSE_Key.
 * @param[out] z 32 bytes: the x-coordinate of the shared point.
 * @return as tsr_secure_area_sign(), plus #TSR_ERR_COSE_KEY /
 *         #TSR_ERR_CRYPTO_BAD_KEY for a bad peer key.
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_key_agreement(tsr_secure_area_t *sa,
    const uint8_t *ref, size_t ref_len, const char *pin, const uint8_t *peer_cose_key,
    size_t peer_len, uint8_t z[32]);

/**
 * @brief Destroys the key where it lives (token object, software blob;
 *        TPM keys exist only as their blobs, so this only checks the
 *        reference). The caller then forgets the reference.
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_delete_key(tsr_secure_area_t *sa, const uint8_t *ref,
    size_t ref_len);

/**
 * @brief Seals a 32-byte data key so that only this secure area can unseal
 *        it (TPM sealed data object, AES key on the token, or the
 *        passphrase-derived key).
 * @param[out] ret_blob owned (tsr_free()).
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_seal(tsr_secure_area_t *sa, const uint8_t key[32],
    uint8_t **ret_blob, size_t *ret_blob_len);

/**
 * @brief Unseals a blob made by tsr_secure_area_seal().
 * @param[out] key 32 bytes; wipe after use.
 * @return #TSR_OK, #TSR_ERR_SA_KEY_INVALID (another device, damaged), or a
 *         device error.
 */
TSR_EXPORT TSR_WUR int tsr_secure_area_unseal(tsr_secure_area_t *sa, const uint8_t *blob,
    size_t blob_len, uint8_t key[32]);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_SECUREAREA_H */
