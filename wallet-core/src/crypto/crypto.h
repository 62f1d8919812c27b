/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Cryptographic primitives and X.509 for wallet-core. This module is the
 * only user of mbedTLS; nothing here exposes an mbedTLS type. Every function
 * returns TSR_OK or a negative TSR_ERR_* code and leaves its ret_ outputs
 * untouched on failure. Secrets are wiped before memory is released.
 */
#ifndef TSR_CRYPTO_CRYPTO_H
#define TSR_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* --- Hashes, MAC, KDF, AEAD --- */

typedef enum tsr_hash_alg {
	TSR_HASH_SHA256,
	TSR_HASH_SHA384,
	TSR_HASH_SHA512,
} tsr_hash_alg_t;

#define TSR_HASH_MAX_LEN 64

/* 32, 48 or 64; 0 for an invalid value. */
size_t tsr_hash_len(tsr_hash_alg_t alg);
/* "SHA-256", "SHA-384", "SHA-512" as in MSO.digestAlgorithm; NULL for an
 * invalid value. */
const char *tsr_hash_name(tsr_hash_alg_t alg);
/* Inverse of tsr_hash_name(); TSR_ERR_CRYPTO_UNSUPPORTED_ALG if unknown. */
int tsr_hash_from_name(const char *name, tsr_hash_alg_t *ret_alg);
/* out receives tsr_hash_len(alg) bytes. */
int tsr_hash(tsr_hash_alg_t alg, const uint8_t *msg, size_t len, uint8_t *out);

int tsr_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
    uint8_t out[32]);

/* RFC 5869 with SHA-256. salt may be NULL/0 (then a zero key is used). */
int tsr_hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

/* PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2) for passphrase-derived keys. pw and
 * salt may be empty; iterations >= 1; out_len 1..1024 (TSR_ERR_INVALID_ARGUMENT
 * otherwise). Cost grows linearly with iterations: the caller picks it. */
int tsr_pbkdf2_sha256(const uint8_t *pw, size_t pw_len, const uint8_t *salt, size_t salt_len,
    uint32_t iterations, uint8_t *out, size_t out_len);

#define TSR_GCM_TAG_LEN 16
#define TSR_GCM_IV_LEN 12

/* AES-256-GCM without AAD. out receives len + 16 bytes (ciphertext || tag). */
int tsr_aes256gcm_encrypt(const uint8_t key[32], const uint8_t iv[12], const uint8_t *pt,
    size_t len, uint8_t *out);
/* in is ciphertext || tag (len >= 16); out receives len - 16 bytes.
 * TSR_ERR_CRYPTO_DECRYPT when the tag does not match (out is then zeroed). */
int tsr_aes256gcm_decrypt(const uint8_t key[32], const uint8_t iv[12], const uint8_t *in,
    size_t len, uint8_t *out);

/* --- Elliptic curves --- */

/* Values equal the COSE "crv" identifiers. */
typedef enum tsr_curve {
	TSR_CURVE_P256 = 1,
	TSR_CURVE_P384 = 2,
	TSR_CURVE_P521 = 3,
} tsr_curve_t;

#define TSR_EC_COORD_MAX 66

/* 32, 48 or 66 bytes; 0 for an unsupported curve. */
size_t tsr_curve_coord_len(tsr_curve_t curve);
/* "P-256", ...; NULL for an unsupported curve. */
const char *tsr_curve_name(tsr_curve_t curve);
/* The hash ECDSA uses with a curve: SHA-256/384/512 for P-256/384/521. */
tsr_hash_alg_t tsr_curve_hash(tsr_curve_t curve);

/* A public key: affine coordinates, big-endian, left-padded to the coordinate length. */
typedef struct tsr_ec_pub {
	tsr_curve_t curve;
	uint8_t x[TSR_EC_COORD_MAX];
	uint8_t y[TSR_EC_COORD_MAX];
} tsr_ec_pub_t;

/* Checks the point is on the curve and not the identity (TSR_ERR_CRYPTO_BAD_KEY). */
int tsr_ec_pub_validate(const tsr_ec_pub_t *pub);
bool tsr_ec_pub_equal(const tsr_ec_pub_t *a, const tsr_ec_pub_t *b);
/* SubjectPublicKeyInfo in DER or PEM ("PUBLIC KEY"). */
int tsr_ec_pub_from_spki(const uint8_t *ptr, size_t len, tsr_ec_pub_t *ret_pub);
/* SubjectPublicKeyInfo, PEM, NUL-terminated, owned. */
int tsr_ec_pub_to_spki_pem(const tsr_ec_pub_t *pub, char **ret_pem);

/* A private key (opaque: wraps the crypto library's key pair). */
typedef struct tsr_ec_key tsr_ec_key_t;

int tsr_ec_key_generate(tsr_curve_t curve, tsr_ec_key_t **ret_key);
/* d: big-endian scalar of at most the coordinate length. */
int tsr_ec_key_from_scalar(tsr_curve_t curve, const uint8_t *d, size_t d_len,
    tsr_ec_key_t **ret_key);
/* PKCS#8 or SEC1 ("EC PRIVATE KEY"), PEM or DER; PEM input may or may not
 * include its terminating NUL. Unencrypted only. */
int tsr_ec_key_parse(const uint8_t *ptr, size_t len, tsr_ec_key_t **ret_key);
/* PKCS#8 PEM, NUL-terminated, owned (free with tsr_free_secret(p, strlen(p))). */
int tsr_ec_key_to_pem(const tsr_ec_key_t *key, char **ret_pem);
int tsr_ec_key_public(const tsr_ec_key_t *key, tsr_ec_pub_t *ret_pub);
tsr_curve_t tsr_ec_key_curve(const tsr_ec_key_t *key);
void tsr_ec_key_free(tsr_ec_key_t *key);

/* Largest raw r||s signature: 2 * 66 bytes. */
#define TSR_ECDSA_RAW_MAX (2 * TSR_EC_COORD_MAX)

/* ECDSA over H(msg) (the hash is computed here), deterministic (RFC 6979).
 * sig receives 2 * coord_len bytes, raw r||s as COSE wants: give it
 * TSR_ECDSA_RAW_MAX bytes. */
int tsr_ecdsa_sign(const tsr_ec_key_t *key, tsr_hash_alg_t hash, const uint8_t *msg,
    size_t len, uint8_t *sig, size_t *ret_sig_len);
/* Same as tsr_ecdsa_sign but over a digest the caller computed with the
 * curve's hash (tsr_curve_hash(); digest_len must be its length). */
int tsr_ecdsa_sign_digest(const tsr_ec_key_t *key, const uint8_t *digest, size_t digest_len,
    uint8_t *sig, size_t *ret_sig_len);
/* Verifies a raw r||s signature over H(msg). TSR_ERR_CRYPTO_BAD_SIGNATURE when
 * it does not verify or is not exactly 2 * coord_len bytes. */
int tsr_ecdsa_verify(const tsr_ec_pub_t *pub, tsr_hash_alg_t hash, const uint8_t *msg,
    size_t len, const uint8_t *sig, size_t sig_len);
/* Same as tsr_ecdsa_verify but over a digest the caller computed. */
int tsr_ecdsa_verify_digest(const tsr_ec_pub_t *pub, const uint8_t *digest, size_t digest_len,
    const uint8_t *sig, size_t sig_len);

/* raw r||s (2 * coord_len bytes) <-> DER Ecdsa-Sig-Value. */
int tsr_ecdsa_sig_raw_to_der(const uint8_t *raw, size_t raw_len, uint8_t *der,
    size_t der_cap, size_t *ret_der_len);
int tsr_ecdsa_sig_der_to_raw(tsr_curve_t curve, const uint8_t *der, size_t der_len,
    uint8_t *raw, size_t *ret_raw_len);

/* ECDH: z (TSR_EC_COORD_MAX bytes) receives the shared point's
 * x-coordinate, coord_len bytes.
 * TSR_ERR_CRYPTO_BAD_KEY when peer is invalid or on another curve. */
int tsr_ecdh(const tsr_ec_key_t *key, const tsr_ec_pub_t *peer, uint8_t *z, size_t *ret_z_len);

/* --- X.509 --- */

/* One or more certificates, in the order they were added. */
typedef struct tsr_x509 tsr_x509_t;

int tsr_x509_new(tsr_x509_t **ret_set);
/* Adds every certificate in DER or PEM input (a PEM may hold several). */
int tsr_x509_add(tsr_x509_t *set, const uint8_t *ptr, size_t len);
size_t tsr_x509_count(const tsr_x509_t *set);
void tsr_x509_free(tsr_x509_t *set);

/* Accessors for the certificate at idx (TSR_ERR_NOT_FOUND past the end). */
int tsr_x509_der(const tsr_x509_t *set, size_t idx, tsr_span_t *ret_der);
int tsr_x509_public_key(const tsr_x509_t *set, size_t idx, tsr_ec_pub_t *ret_pub);
/* Distinguished name in certificate (DER) order, e.g. "CN=utopia ds, C=US";
 * control bytes become '?'. Owned. */
int tsr_x509_subject(const tsr_x509_t *set, size_t idx, char **ret_name);
int tsr_x509_issuer(const tsr_x509_t *set, size_t idx, char **ret_name);
/* The subject's countryName, or "" when absent; TSR_ERR_CERT_PROFILE when
 * it is not two printable characters. */
int tsr_x509_subject_country(const tsr_x509_t *set, size_t idx, char ret_country[3]);
int tsr_x509_validity(const tsr_x509_t *set, size_t idx, int64_t *ret_not_before,
    int64_t *ret_not_after);

/* Reasons a chain fails; several may be set at once. */
#define TSR_X509_UNTRUSTED (1u << 0)       /* no path to an anchor, or a bad signature on the way */
#define TSR_X509_EXPIRED (1u << 1)         /* some certificate is past notAfter at `now` */
#define TSR_X509_NOT_YET_VALID (1u << 2)   /* some certificate is before notBefore at `now` */
#define TSR_X509_KEY_USAGE (1u << 3)       /* leaf lacks digitalSignature */
#define TSR_X509_EXT_KEY_USAGE (1u << 4)   /* leaf lacks the required EKU */
#define TSR_X509_BAD_LEAF (1u << 5)        /* leaf is a CA or its key is not a supported EC key */
#define TSR_X509_UNSUPPORTED_ALG (1u << 6) /* a key or signature on the path is outside the
                                            * profile: RSA, SHA-1, a curve we do not take
                                            * (always with TSR_X509_UNTRUSTED) */

/* 18013-5 extended key usages. */
#define TSR_OID_EKU_MDL_DS "1.0.18013.5.1.2"
#define TSR_OID_EKU_MDL_READER_AUTH "1.0.18013.5.1.6"

/*
 * Validates chain (leaf first, then intermediates; a trailing copy of the
 * anchor is tolerated) against the trust anchors at time now (Unix seconds),
 * ignoring the system clock. When eku_oid is not NULL the leaf must carry that
 * extended key usage; the leaf must always allow digitalSignature.
 * The extended key usage must be listed exactly: anyExtendedKeyUsage does
 * not stand in for it, and a missing extension fails.
 * Returns TSR_OK, or TSR_ERR_VERIFY with *ret_flags set (TSR_X509_* bits;
 * unlike other outputs, set on that failure too); other codes for bad
 * arguments or parse failures. *ret_anchor_idx (may be NULL) receives the
 * index in anchors of the anchor that was reached, also when other flags
 * (say TSR_X509_EXPIRED) are set; it is untouched when the chain is
 * untrusted.
 */
int tsr_x509_verify_chain(const tsr_x509_t *chain, const tsr_x509_t *anchors, int64_t now,
    const char *eku_oid, uint32_t *ret_flags, size_t *ret_anchor_idx);

/* --- X.509 creation and profile inspection (x509-write.c) --- */

/* keyUsage bits as this module names them. */
#define TSR_X509_KU_DIGITAL_SIGNATURE (1u << 0)
#define TSR_X509_KU_KEY_CERT_SIGN (1u << 1)
#define TSR_X509_KU_CRL_SIGN (1u << 2)
#define TSR_X509_KU_OTHER (1u << 3) /* any other bit (reading only) */

typedef struct tsr_x509_cert_params {
	/* Subject: C, ST, O, CN in that order; NULL parts are left out (CN is
	 * required). The issuer name is the issuer certificate's subject, copied
	 * byte for byte, or the subject itself when self-signed. */
	const char *country;
	const char *state;
	const char *organization;
	const char *common_name;
	int64_t not_before, not_after;     /* Unix seconds */
	bool is_ca;                        /* basicConstraints CA=TRUE (critical) */
	int path_len;                      /* with is_ca; -1 for no limit */
	unsigned key_usage;                /* TSR_X509_KU_*; critical; 0 leaves it out */
	const char *eku_oid;               /* one critical extKeyUsage, or NULL */
	const char *issuer_alt_name;       /* URI, or an e-mail (has '@', no ':'); or NULL */
	const char *crl_uri;               /* cRLDistributionPoints fullName URI, or NULL */
} tsr_x509_cert_params_t;

/*
 * Creates an X.509 v3 certificate for subject, signed by issuer_key with
 * ECDSA and the hash of its curve (SHA-256 for P-256). issuer_der is the
 * issuer's certificate (DER), or NULL for a self-signed certificate (then
 * issuer_key must be subject's private half). The serial is 16 octets,
 * positive, with 127 random bits. SKI is always written (SHA-1 of the
 * key), AKI when there is an issuer certificate. *ret_der is owned (free()).
 */
int tsr_x509_cert_create(const tsr_x509_cert_params_t *params, const tsr_ec_pub_t *subject,
    const tsr_ec_key_t *issuer_key, const uint8_t *issuer_der, size_t issuer_der_len,
    uint8_t **ret_der, size_t *ret_len);

/* PEM "CERTIFICATE" text, NUL-terminated, owned (free()). */
int tsr_x509_der_to_pem(const uint8_t *der, size_t len, char **ret_pem);

/* Extensions present (tsr_x509_info_t.extensions / .critical). */
#define TSR_X509_HAS_BASIC_CONSTRAINTS (1u << 0)
#define TSR_X509_HAS_KEY_USAGE (1u << 1)
#define TSR_X509_HAS_EKU (1u << 2)
#define TSR_X509_HAS_SKI (1u << 3)
#define TSR_X509_HAS_AKI (1u << 4)
#define TSR_X509_HAS_IAN (1u << 5)
#define TSR_X509_HAS_CRL_DP (1u << 6)
#define TSR_X509_HAS_OTHER (1u << 7)

#define TSR_X509_KEY_ID_MAX 32

/* What a profile check needs to see of one certificate. */
typedef struct tsr_x509_info {
	int version;                 /* 3 for v3 */
	uint8_t serial[32];
	size_t serial_len;           /* octets of the DER INTEGER content */
	bool serial_negative;
	bool sig_ecdsa;              /* signed with ecdsa-with-SHA* */
	tsr_hash_alg_t sig_hash;
	bool self_issued;            /* issuer name == subject name */
	unsigned extensions;         /* TSR_X509_HAS_* */
	unsigned critical;           /* TSR_X509_HAS_* marked critical */
	bool is_ca;
	int path_len;                /* -1 when absent */
	unsigned key_usage;          /* TSR_X509_KU_* */
	char eku[64];                /* first extKeyUsage OID, dotted */
	size_t n_eku;
	uint8_t ski[TSR_X509_KEY_ID_MAX];
	size_t ski_len;
	uint8_t aki[TSR_X509_KEY_ID_MAX];
	size_t aki_len;
	char issuer_alt_name[256];
	bool issuer_alt_name_is_uri;
	char crl_uri[256];
	bool crl_dp_extra_fields;    /* reasons, cRLIssuer or a second point */
	char state[128];             /* subject ST, "" when absent */
} tsr_x509_info_t;

/* Reads one DER certificate. TSR_ERR_CERT_PARSE when it does not parse. */
int tsr_x509_cert_info(const uint8_t *der, size_t len, tsr_x509_info_t *ret_info);

#endif /* TSR_CRYPTO_CRYPTO_H */
