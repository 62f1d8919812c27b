/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file store.h
 * @brief The wallet store: one SQLite file that holds a wallet's device
 *        keys, credentials, presentation log, trusted roots and settings.
 *
 * A wallet is created once with a secure area (TPM 2.0, PKCS#11 token or
 * passphrase-protected software keys, see securearea.h); the kind and its
 * parameters are recorded in the store, so opening a wallet later needs
 * only its path and, when the secure area asks for one, a PIN or
 * passphrase.
 *
 * **Encryption at rest.** At creation the store draws a random 256-bit
 * data key and has the secure area seal it (TPM sealed object, token-held
 * AES key, or the passphrase-derived key); only the sealed blob is stored.
 * Everything personal is sealed under that data key with AES-256-GCM: the
 * credential bytes (every claim value, the portrait) and each presentation
 * log entry. Each row is sealed under its own key, HKDF-SHA-256(data key,
 * "tessera store row v1" || table || row id), so a sealed value moved to
 * another row or table does not decrypt. What stays in the clear is what
 * listing a wallet needs and what is not about the holder: for each
 * credential its docType, the issuer's certificate subject, the MSO's
 * validity dates, the device key it is bound to and its remaining uses;
 * device keys' public keys and secure-area references (which are useless
 * outside their secure area); trusted root certificates; settings.
 *
 * **Locking.** tsr_store_open() does not touch the secure area: listing
 * works on a locked wallet. The first operation that needs the data key
 * or a device key (import, show, log, keygen, delete) unlocks the wallet
 * through tsr_store_unlock(), which opens the secure area (asking the
 * secret callback for a PIN or passphrase when the secure area needs one)
 * and unseals the data key.
 *
 * **Durability.** The store runs SQLite in WAL mode with
 * `synchronous=FULL`, `foreign_keys=ON` and `secure_delete=ON`; every
 * writer takes the write lock up front (`BEGIN IMMEDIATE`) and waits up to
 * five seconds for another process to finish. An import is one transaction:
 * after a crash the credential is either entirely there or absent. A key
 * on a PKCS#11 token is written down as pending before it is made, so a
 * crash while it is made leaves no key on the token that the wallet does
 * not know of: the next tsr_store_unlock() destroys it.
 *
 * A tsr_store_t is not thread-safe; use one per thread.
 */
#ifndef TESSERA_STORE_H
#define TESSERA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>
#include <tessera/holder.h>
#include <tessera/securearea.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Store errors (-700 .. -799); see tsr_strerror(). */
#define TSR_ERR_STORE_DATABASE -700    /**< SQLite failed: I/O error, disk full, not a database. */
#define TSR_ERR_STORE_NEWER -701       /**< The store was written by a newer Tessera: its schema version is higher than this build knows. */
#define TSR_ERR_STORE_CORRUPT -702     /**< The store's contents are inconsistent or fail authentication. */
#define TSR_ERR_STORE_BUSY -703        /**< Another process keeps the wallet busy; try again. */
#define TSR_ERR_STORE_EXISTS -704      /**< A wallet already exists at that path. */
#define TSR_ERR_STORE_NO_WALLET -705   /**< There is no wallet at that path. */
#define TSR_ERR_STORE_LOCKED -706      /**< The wallet is locked: its PIN or passphrase is needed and none was given. */
#define TSR_ERR_STORE_FOREIGN_KEY -707 /**< The credential is bound to a device key that is not a key of this wallet. */
#define TSR_ERR_STORE_DUPLICATE -708   /**< The credential is already in the wallet. */
#define TSR_ERR_STORE_USED_UP -709     /**< A single-use credential has no uses left. */

/** The newest schema version this build reads and writes (PRAGMA user_version). */
#define TSR_STORE_SCHEMA_VERSION 3

/** An open wallet store (opaque). */
typedef struct tsr_store tsr_store_t;

/**
 * @brief The default wallet path: `$XDG_DATA_HOME/tessera/wallet.db`, or
 *        `$HOME/.local/share/tessera/wallet.db` when XDG_DATA_HOME is unset
 *        or not absolute.
 * @param[out] ret_path owned NUL-terminated path (tsr_free()).
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND (neither variable is usable) or
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_default_path(char **ret_path);

/**
 * @brief Creates a new wallet.
 *
 * Missing directories on the way are created with mode 0700 and the file
 * with mode 0600. The secure area described by @p sa is opened (a software
 * one with fresh key-derivation parameters, asking @p sa->secret for the new
 * passphrase), a random data key is sealed by it, and the kind and the
 * parameters needed to open it again (TCTI, module path, token label,
 * software parameters) are recorded. Nothing is left behind on failure.
 *
 * The wallet appears at @p path only whole: it is built in a hidden file
 * beside it (`.NAME.creating-XXXXXX`) and moved into place once
 * committed, so a process killed (or a machine losing power) during
 * creation leaves no wallet and no file at @p path, and creating again
 * succeeds. Such leftovers are removed by the next creation in that
 * directory.
 *
 * @param path the database file; must not exist.
 * @param sa the secure area to use; copied.
 * @param[out] ret_store the open, unlocked wallet; free with tsr_store_free().
 * @return #TSR_OK, #TSR_ERR_STORE_EXISTS, #TSR_ERR_IO (directory or file
 *         could not be created), #TSR_ERR_STORE_DATABASE, any error of
 *         tsr_secure_area_open() or tsr_secure_area_seal() (for example
 *         #TSR_ERR_SA_UNAVAILABLE, #TSR_ERR_SA_TOKEN_NOT_FOUND,
 *         #TSR_ERR_SA_PIN_INCORRECT), #TSR_ERR_INVALID_ARGUMENT,
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_create(const char *path, const tsr_sa_config_t *sa,
    tsr_store_t **ret_store);

/** How to open an existing wallet. Zero-initialise, then fill what applies. */
typedef struct tsr_store_options {
	/** Supplies the token PIN or software passphrase when unlocking; NULL
	 *  leaves the wallet locked (operations that need the data key then fail
	 *  with #TSR_ERR_STORE_LOCKED unless the secure area needs no secret). */
	tsr_secret_fn secret;
	void *secret_user;      /**< passed to @p secret */
	/** TPM: overrides the TCTI recorded at creation. When NULL, $TESSERA_TCTI
	 *  wins over the recorded one. */
	const char *tpm_tcti;
	/** PKCS#11: overrides the module path recorded at creation. */
	const char *pkcs11_module;
} tsr_store_options_t;

/**
 * @brief Opens an existing wallet, upgrading its schema when it is older
 *        than #TSR_STORE_SCHEMA_VERSION (all steps in one transaction).
 *
 * The wallet starts locked; see tsr_store_unlock().
 * @param options may be NULL (no secret source).
 * @param[out] ret_store free with tsr_store_free().
 * @return #TSR_OK, #TSR_ERR_STORE_NO_WALLET (nothing at @p path),
 *         #TSR_ERR_STORE_NEWER, #TSR_ERR_STORE_CORRUPT (not a Tessera wallet:
 *         for example an empty file or another program's database),
 *         #TSR_ERR_STORE_BUSY,
 *         #TSR_ERR_STORE_DATABASE, #TSR_ERR_INVALID_ARGUMENT,
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_open(const char *path, const tsr_store_options_t *options,
    tsr_store_t **ret_store);

/** @brief Closes the store and wipes its data key. NULL is fine. */
TSR_EXPORT void tsr_store_free(tsr_store_t *store);

/**
 * @brief Opens the secure area and unseals the data key (does nothing when
 *        already unlocked).
 *
 * On a PKCS#11 wallet it then destroys the token keys that a process which
 * died while creating or deleting a key left behind (see "Durability"
 * above). That clean-up is best effort and never makes the unlock fail.
 * @return #TSR_OK; #TSR_ERR_STORE_LOCKED when a PIN or passphrase is needed
 *         and there is no secret callback or it was cancelled;
 *         #TSR_ERR_SA_PIN_INCORRECT, #TSR_ERR_SA_PIN_LOCKED,
 *         #TSR_ERR_SA_UNAVAILABLE (no TPM at the TCTI, module not
 *         loadable), #TSR_ERR_SA_TOKEN_NOT_FOUND, #TSR_ERR_SA_KEY_INVALID
 *         (the data key was sealed by another TPM or token), or another
 *         secure-area error.
 */
TSR_EXPORT TSR_WUR int tsr_store_unlock(tsr_store_t *store);

/** @brief The kind of secure area recorded for this wallet. */
TSR_EXPORT tsr_sa_kind_t tsr_store_sa_kind(const tsr_store_t *store);

/**
 * @brief The recorded TPM TCTI (or the override), PKCS#11 token label, or
 *        NULL when not applicable; for messages such as "no TPM at ...".
 * @return a string owned by @p store.
 */
TSR_EXPORT const char *tsr_store_sa_location(const tsr_store_t *store);

/**
 * @brief Changes the secret that unlocks the wallet: the software
 *        passphrase or the PKCS#11 token's user PIN.
 *
 * Each secure area does it its own way:
 * - **software**: @p old_secret is checked against the recorded check
 *   value; then a new passphrase-derived key (fresh salt, the current
 *   iteration count for new wallets) re-encrypts every device key
 *   reference and the sealed data key, and the wallet row and keys are
 *   rewritten in one transaction (a crash leaves the old passphrase
 *   working, never a mix). The data key, and so every sealed credential
 *   and log entry, stays the same. Keys created with their own PIN
 *   (tsr_sa_key_options_t::pin) cannot be re-encrypted without it:
 *   #TSR_ERR_SA_NOT_SUPPORTED, nothing changed.
 * - **PKCS#11**: C_SetPIN on the token; the token checks @p old_secret,
 *   counts a wrong one towards its lockout, and applies its own length
 *   rules to @p new_secret. Nothing in the store changes.
 * - **TPM 2.0**: a TPM wallet unlocks without a secret; what has a PIN
 *   is a device key created with one (tsr_sa_key_options_t::pin, its
 *   authValue). TPM2_ObjectChangeAuth gives each such key the new PIN and
 *   a new private blob, and the keys' references are rewritten in one
 *   transaction; the TPM checks @p old_secret (a wrong one counts towards
 *   its dictionary-attack lockout). A copy of an old reference kept
 *   elsewhere still works with the old PIN: a TPM cannot revoke a blob.
 *   A wallet without keys that have a PIN (what the CLI makes, and the
 *   holder app unless the holder chose a PIN): #TSR_ERR_SA_NOT_SUPPORTED.
 *
 * The secret callback given to tsr_store_open() is not asked; the caller
 * gives it the new secret for later opens. On success the store stays
 * (or becomes) unlocked.
 *
 * @param old_secret the current passphrase or PIN, NUL-terminated.
 * @param new_secret the new one: 1 to 255 bytes, NUL-terminated.
 * @return #TSR_OK; #TSR_ERR_SA_PIN_INCORRECT (wrong @p old_secret);
 *         #TSR_ERR_SA_PIN_LOCKED (the token is locked after too many wrong
 *         PINs); #TSR_ERR_INVALID_ARGUMENT (NULL, empty or too long, or a
 *         new PIN the token refuses, e.g. too short);
 *         #TSR_ERR_SA_NOT_SUPPORTED (TPM wallet, or a software key with its
 *         own PIN); #TSR_ERR_SA_UNAVAILABLE, #TSR_ERR_SA_TOKEN_NOT_FOUND,
 *         #TSR_ERR_SA_DEVICE; #TSR_ERR_STORE_BUSY, #TSR_ERR_STORE_DATABASE,
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_change_secret(tsr_store_t *store, const char *old_secret,
    const char *new_secret);

/**
 * @brief The wallet's open secure area, unlocking first when needed; for
 *        signing with a device key (see tsr_store_key_ref()).
 * @param[out] ret_sa borrowed; valid until tsr_store_free().
 * @return as tsr_store_unlock().
 */
TSR_EXPORT TSR_WUR int tsr_store_secure_area(tsr_store_t *store, tsr_secure_area_t **ret_sa);

/**
 * @brief Creates a device key in the wallet's secure area and records it.
 * @param options per-key options (PIN), may be NULL.
 * @param[out] ret_key_id the key's id in this wallet.
 * @param[out] ret_cose_key its public key as a COSE_Key, owned (tsr_free());
 *        may be NULL.
 * @return #TSR_OK, an error of tsr_store_unlock() or
 *         tsr_secure_area_create_key(), #TSR_ERR_STORE_BUSY,
 *         #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_create_key(tsr_store_t *store,
    const tsr_sa_key_options_t *options, int64_t *ret_key_id, uint8_t **ret_cose_key,
    size_t *ret_cose_key_len);

/**
 * @brief A device key's secure-area reference and public COSE_Key.
 * @param[out] ret_ref owned (tsr_free()); may be NULL.
 * @param[out] ret_cose_key owned (tsr_free()); may be NULL.
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_key_get(tsr_store_t *store, int64_t key_id, uint8_t **ret_ref,
    size_t *ret_ref_len, uint8_t **ret_cose_key, size_t *ret_cose_key_len);

/**
 * @brief A wallet key as a holder device key (holder.h): presentations
 *        sign and do key agreement with it through the wallet's secure area.
 * @param key_id the key (tsr_store_summary_t::key_id of a credential).
 * @param pin the key's PIN, or NULL; copied.
 * @param[out] ret_key free with tsr_device_key_free() before the store.
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, an error of tsr_store_unlock(),
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_device_key(tsr_store_t *store, int64_t key_id, const char *pin,
    tsr_device_key_t **ret_key);

/**
 * @brief Records that a key was attested: its TPM certified it, with an
 *        attestation key bound to the TPM's EK, for an issuer's challenge.
 * @param evidence the evidence sent to the issuer (kept for the record).
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, #TSR_ERR_STORE_BUSY,
 *         #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_key_set_attested(tsr_store_t *store, int64_t key_id,
    const uint8_t *evidence, size_t len);

/** tsr_store_import_options_t::uses: no limit, even for a batch. */
#define TSR_STORE_USES_UNLIMITED UINT32_MAX

/** Options for tsr_store_import() and tsr_store_import_batch(). Zero-initialise. */
typedef struct tsr_store_import_options {
	/** How many times each credential may be presented. 0 is the default:
	 *  no limit for tsr_store_import(), once for each credential of
	 *  tsr_store_import_batch() (issuers batch single-use credentials, one
	 *  per device key, so that presentations cannot be linked);
	 *  #TSR_STORE_USES_UNLIMITED for no limit in either. */
	uint32_t uses;
} tsr_store_import_options_t;

/**
 * @brief Whether issued bytes are a batch for tsr_store_import_batch() (a
 *        CBOR array, as `tessera-issuer issue --batch` writes) rather than
 *        one credential for tsr_store_import().
 *
 * Only the first byte is looked at: the import checks the rest.
 */
TSR_EXPORT bool tsr_store_is_batch(const uint8_t *data, size_t len);

/**
 * @brief Checks a credential and stores it, bound to the wallet key its
 *        MSO names.
 *
 * @p cred is an IssuerSigned or a Document (its deviceSigned part, if any,
 * is ignored). Before anything is written the import checks: the
 * structure; the issuerAuth signature by the Document Signer certificate
 * in its x5chain; the certificate chain up to a trusted IACA when the
 * wallet has IACAs (tsr_store_trust_add() with #TSR_TRUST_IACA), including
 * the DS certificate's validity and profile; the MSO's docType and
 * validity (an expired MSO is refused; one that becomes valid later is
 * accepted, as batch credentials are); the digest of every element; and
 * that MSO.deviceKey is the public key of one of this wallet's keys. The
 * exact bytes of the IssuerSigned are stored, sealed. One transaction: on
 * any failure nothing is written.
 *
 * @param options may be NULL.
 * @param[out] ret_id the credential's id; may be NULL.
 * @param[out] ret_reasons on #TSR_ERR_VERIFY, the TSR_REASON_* flags (see
 *        reader.h) that made the import fail; 0 otherwise. May be NULL.
 * @return #TSR_OK, #TSR_ERR_VERIFY, #TSR_ERR_STORE_FOREIGN_KEY,
 *         #TSR_ERR_STORE_DUPLICATE, a CBOR or #TSR_ERR_MDOC_MALFORMED
 *         decoding error, an error of tsr_store_unlock(),
 *         #TSR_ERR_STORE_BUSY, #TSR_ERR_STORE_DATABASE, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_import(tsr_store_t *store, const uint8_t *cred, size_t len,
    const tsr_store_import_options_t *options, int64_t *ret_id, uint32_t *ret_reasons);

/** The most credentials tsr_store_import_batch() takes at once. */
#define TSR_STORE_BATCH_MAX 256

/**
 * @brief Checks a batch of credentials and stores them all, or none.
 *
 * @p batch is a CBOR array of 1 to #TSR_STORE_BATCH_MAX IssuerSigned or
 * Document, as `tessera-issuer issue --batch` writes it (usually
 * single-use credentials, one per device key). Each is checked as
 * tsr_store_import() checks one (a credential twice in the batch is a
 * duplicate), then all are stored in one transaction.
 *
 * @param options may be NULL; applies to every credential. Unless it says
 *        otherwise, each credential may be presented once.
 * @param[out] ret_ids the ids, in the order of the array (owned,
 *        tsr_free()); may be NULL.
 * @param[out] ret_n how many were stored; may be NULL.
 * @param[out] ret_failed on failure, the index in the array of the
 *        credential that failed, or SIZE_MAX when the failure is not one
 *        credential's (not an array, the database); may be NULL.
 * @param[out] ret_reasons as for tsr_store_import(), of the failed one.
 * @return as tsr_store_import(); #TSR_ERR_MDOC_MALFORMED when @p batch is
 *         not such an array, #TSR_ERR_LIMIT when it is too long.
 */
TSR_EXPORT TSR_WUR int tsr_store_import_batch(tsr_store_t *store, const uint8_t *batch,
    size_t len, const tsr_store_import_options_t *options, int64_t **ret_ids, size_t *ret_n,
    size_t *ret_failed, uint32_t *ret_reasons);

/** What tsr_store_list() and tsr_store_show() tell about a credential. */
typedef struct tsr_store_summary {
	int64_t id;                 /**< the credential's id in this wallet */
	const char *doc_type;       /**< MSO docType */
	const char *issuer_subject; /**< subject of the Document Signer certificate */
	int64_t signed_at;          /**< MSO validityInfo.signed (Unix seconds) */
	int64_t valid_from;         /**< MSO validityInfo.validFrom */
	int64_t valid_until;        /**< MSO validityInfo.validUntil */
	int64_t expected_update;    /**< MSO validityInfo.expectedUpdate, 0 when absent */
	int64_t imported_at;        /**< when it was imported */
	int64_t key_id;             /**< the device key it is bound to */
	tsr_sa_kind_t key_storage;  /**< where that key lives */
	/** The key's TPM certified it for an issuer's challenge (attested
	 *  provisioning, tsr_store_key_set_attested()). */
	bool key_attested;
	/** Uses left of a single-use (batch) credential; -1 when unlimited. */
	int64_t uses_remaining;
} tsr_store_summary_t;

/** A list of credential summaries (opaque). */
typedef struct tsr_store_list tsr_store_list_t;

/**
 * @brief Lists every credential, in id order. Works on a locked wallet.
 * @param[out] ret_list free with tsr_store_list_free().
 * @return #TSR_OK, #TSR_ERR_STORE_BUSY, #TSR_ERR_STORE_DATABASE,
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_list(tsr_store_t *store, tsr_store_list_t **ret_list);
/** @brief Number of entries. */
TSR_EXPORT size_t tsr_store_list_count(const tsr_store_list_t *list);
/** @brief Entry @p idx (borrowed from @p list), or NULL past the end. */
TSR_EXPORT const tsr_store_summary_t *tsr_store_list_get(const tsr_store_list_t *list,
    size_t idx);
/** @brief Frees a list. NULL is fine. */
TSR_EXPORT void tsr_store_list_free(tsr_store_list_t *list);

/** A credential with its claims (opaque); its memory is wiped when freed. */
typedef struct tsr_store_credential tsr_store_credential_t;

/**
 * @brief Unseals one credential.
 * @param[out] ret_cred free with tsr_store_credential_free().
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, #TSR_ERR_STORE_CORRUPT (the sealed
 *         bytes do not authenticate or decode), an error of
 *         tsr_store_unlock(), #TSR_ERR_STORE_DATABASE, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_show(tsr_store_t *store, int64_t id,
    tsr_store_credential_t **ret_cred);
/** @brief The credential's summary (borrowed). */
TSR_EXPORT const tsr_store_summary_t *tsr_store_credential_summary(
    const tsr_store_credential_t *cred);
/**
 * @brief The IssuerSigned bytes exactly as imported (borrowed).
 * @param[out] ret_len their length.
 */
TSR_EXPORT const uint8_t *tsr_store_credential_issuer_signed(const tsr_store_credential_t *cred,
    size_t *ret_len);

/** One issuer-signed data element (pointers borrowed from the credential). */
typedef struct tsr_store_element {
	const char *name_space; /**< NUL-terminated namespace */
	const char *identifier; /**< NUL-terminated element identifier */
	const uint8_t *value;   /**< the elementValue's CBOR bytes */
	size_t value_len;       /**< length of @p value */
} tsr_store_element_t;

/** @brief Number of issuer-signed elements. */
TSR_EXPORT size_t tsr_store_credential_element_count(const tsr_store_credential_t *cred);
/**
 * @brief Element @p idx, in the IssuerSigned's order.
 * @return #TSR_OK or #TSR_ERR_NOT_FOUND.
 */
TSR_EXPORT TSR_WUR int tsr_store_credential_element(const tsr_store_credential_t *cred,
    size_t idx, tsr_store_element_t *ret_element);
/**
 * What a certificate says about itself, for people: the summary of a
 * credential's Document Signer certificate (tsr_store_credential_ds_cert()).
 * Caller-owned: tsr_cert_summary_init() first, tsr_cert_summary_free()
 * after (both safe on a zeroed struct). Nothing here is verified: the
 * chain was checked at import (against the trusted IACAs, if any).
 */
typedef struct tsr_cert_summary {
	char *subject;          /**< subject DN, e.g. "C=US, CN=Utopia DS" */
	char *issuer;           /**< issuer DN: the IACA's subject for a DS certificate */
	char country[3];        /**< subject countryName (ISO 3166-1 alpha-2), "" when absent */
	/** serialNumber as upper-case hex octets separated by ':' ("01:A2"),
	 *  with a leading '-' for a (non-conforming) negative serial. */
	char *serial;
	int64_t not_before;     /**< notBefore (Unix seconds) */
	int64_t not_after;      /**< notAfter (Unix seconds) */
	/** The subject public key: "EC P-256", "EC P-384", "EC P-521", or
	 *  "unknown" for a key this build cannot read. */
	char key_algorithm[16];
	/** The certificate's signature: "ECDSA with SHA-256" (-384, -512), or
	 *  "unknown". */
	char signature_algorithm[24];
	size_t chain_length;    /**< certificates in the credential's x5chain */
} tsr_cert_summary_t;

/** @brief Zeroes a summary; cannot fail. */
TSR_EXPORT void tsr_cert_summary_init(tsr_cert_summary_t *summary);
/** @brief Frees the strings of a summary and zeroes it. NULL is fine. */
TSR_EXPORT void tsr_cert_summary_free(tsr_cert_summary_t *summary);

/**
 * @brief Summarises the credential's Document Signer certificate: the
 *        first certificate of issuerAuth's x5chain.
 * @param[out] ret_summary initialised by the caller; filled (owned
 *        strings) on success, untouched on failure.
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND (no x5chain; cannot happen for an
 *         imported credential), #TSR_ERR_CERT_PARSE,
 *         #TSR_ERR_INVALID_ARGUMENT, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_credential_ds_cert(const tsr_store_credential_t *cred,
    tsr_cert_summary_t *ret_summary);

/** @brief Wipes and frees a credential. NULL is fine. */
TSR_EXPORT void tsr_store_credential_free(tsr_store_credential_t *cred);

/**
 * @brief Deletes a credential; its device key too when no other credential
 *        uses it.
 *
 * The rows go in one transaction; a key on a PKCS#11 token is destroyed
 * after that commits. If the process dies in between, or the token refuses,
 * the key stays written down as pending and the next tsr_store_unlock()
 * destroys it. A failed delete changes nothing.
 *
 * The database overwrites the deleted content (secure_delete) and the
 * write-ahead log is checkpointed and truncated, so the sealed bytes do
 * not linger in either file.
 * @param[out] ret_key_deleted whether the key went too; may be NULL.
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, an error of tsr_store_unlock(),
 *         #TSR_ERR_STORE_BUSY, #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_delete(tsr_store_t *store, int64_t id, bool *ret_key_deleted);

/**
 * @brief Counts one presentation of a single-use credential.
 * @param[out] ret_remaining uses left afterwards (-1: unlimited); may be NULL.
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, #TSR_ERR_STORE_USED_UP,
 *         #TSR_ERR_STORE_BUSY, #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_credential_use(tsr_store_t *store, int64_t id,
    int64_t *ret_remaining);

/** How a presentation ended. */
typedef enum tsr_presentation_outcome {
	TSR_PRESENTATION_SHARED = 1,   /**< the holder shared data */
	TSR_PRESENTATION_DECLINED = 2, /**< the holder declined */
	TSR_PRESENTATION_FAILED = 3,   /**< the session failed */
} tsr_presentation_outcome_t;

/** A requested or shared element. */
typedef struct tsr_store_item {
	const char *name_space; /**< NUL-terminated namespace */
	const char *identifier; /**< NUL-terminated element identifier */
} tsr_store_item_t;

/** One presentation log entry. */
typedef struct tsr_store_log_entry {
	int64_t id;                  /**< set by the store; ignored by tsr_store_log_append() */
	int64_t time;                /**< Unix seconds; 0 = now when appending */
	const char *reader;          /**< reader certificate subject, or NULL/"" when unknown */
	tsr_reader_trust_t reader_trust; /**< how its reader authentication was judged (holder.h) */
	const char *doc_type;        /**< docType requested, or NULL */
	int64_t credential_id;       /**< the credential presented, 0 for none */
	const tsr_store_item_t *requested; /**< what the reader asked for */
	size_t n_requested;          /**< number of @p requested */
	const tsr_store_item_t *shared; /**< what was released */
	size_t n_shared;             /**< number of @p shared */
	tsr_presentation_outcome_t outcome; /**< how it ended */
} tsr_store_log_entry_t;

/**
 * @brief Appends a presentation to the log (sealed: nothing of it is
 *        readable without unlocking).
 * @param entry copied; strings must be valid UTF-8 of at most 4096 bytes,
 *        at most 1024 items each list.
 * @param[out] ret_id may be NULL.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT, #TSR_ERR_LIMIT, an error of
 *         tsr_store_unlock(), #TSR_ERR_STORE_BUSY, #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_log_append(tsr_store_t *store,
    const tsr_store_log_entry_t *entry, int64_t *ret_id);

/** The presentation log (opaque). */
typedef struct tsr_store_log tsr_store_log_t;

/**
 * @brief Unseals the presentation log, oldest first.
 * @param[out] ret_log free with tsr_store_log_free().
 * @return #TSR_OK, #TSR_ERR_STORE_CORRUPT, an error of tsr_store_unlock(),
 *         #TSR_ERR_STORE_DATABASE, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_store_log_list(tsr_store_t *store, tsr_store_log_t **ret_log);
/** @brief Number of entries. */
TSR_EXPORT size_t tsr_store_log_count(const tsr_store_log_t *log);
/** @brief Entry @p idx (everything borrowed from @p log), or NULL past the end. */
TSR_EXPORT const tsr_store_log_entry_t *tsr_store_log_get(const tsr_store_log_t *log,
    size_t idx);
/** @brief Wipes and frees the log. NULL is fine. */
TSR_EXPORT void tsr_store_log_free(tsr_store_log_t *log);

/** What a trusted root certificate is trusted for. */
typedef enum tsr_trust_purpose {
	TSR_TRUST_READER_ROOT = 1, /**< roots of reader authentication certificates */
	TSR_TRUST_IACA = 2,        /**< IACAs whose credentials the wallet imports */
} tsr_trust_purpose_t;

/**
 * @brief Trusts certificate(s): DER, or PEM with one or more.
 * @param[out] ret_count how many were added (already present ones are
 *        skipped); may be NULL.
 * @return #TSR_OK, #TSR_ERR_CERT_PARSE, #TSR_ERR_INVALID_ARGUMENT,
 *         #TSR_ERR_STORE_BUSY, #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_trust_add(tsr_store_t *store, tsr_trust_purpose_t purpose,
    const uint8_t *cert, size_t len, size_t *ret_count);

/** One trusted root certificate. */
typedef struct tsr_store_root {
	int64_t id;                  /**< its id in this wallet */
	tsr_trust_purpose_t purpose; /**< what it is trusted for */
	const char *subject;         /**< its subject */
	int64_t not_after;           /**< its notAfter (Unix seconds) */
	const uint8_t *der;          /**< the certificate */
	size_t der_len;              /**< length of @p der */
} tsr_store_root_t;

/** A list of trusted roots (opaque). */
typedef struct tsr_store_roots tsr_store_roots_t;

/**
 * @brief Lists the trusted roots for @p purpose (0 for all), in id order.
 * @param[out] ret_roots free with tsr_store_roots_free().
 */
TSR_EXPORT TSR_WUR int tsr_store_trust_list(tsr_store_t *store, tsr_trust_purpose_t purpose,
    tsr_store_roots_t **ret_roots);
/** @brief Number of roots. */
TSR_EXPORT size_t tsr_store_roots_count(const tsr_store_roots_t *roots);
/** @brief Root @p idx (borrowed), or NULL past the end. */
TSR_EXPORT const tsr_store_root_t *tsr_store_roots_get(const tsr_store_roots_t *roots,
    size_t idx);
/** @brief Frees a list of roots. NULL is fine. */
TSR_EXPORT void tsr_store_roots_free(tsr_store_roots_t *roots);
/**
 * @brief Stops trusting a root.
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, #TSR_ERR_STORE_BUSY,
 *         #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_trust_remove(tsr_store_t *store, int64_t id);

/**
 * @brief Sets a setting (plain text, not encrypted: no personal data here).
 * @param name at most 256 bytes.
 * @param value at most 64 KiB, or NULL to remove the setting.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT, #TSR_ERR_STORE_BUSY,
 *         #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_setting_set(tsr_store_t *store, const char *name,
    const char *value);
/**
 * @brief Reads a setting.
 * @param[out] ret_value owned copy (tsr_free()).
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND, #TSR_ERR_STORE_DATABASE.
 */
TSR_EXPORT TSR_WUR int tsr_store_setting_get(tsr_store_t *store, const char *name,
    char **ret_value);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_STORE_H */
