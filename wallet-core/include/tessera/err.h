/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file err.h
 * @brief Error codes returned by every libtessera function.
 *
 * Every public function returns #TSR_OK (0) on success or one negative
 * `TSR_ERR_*` code. Each module owns one range of a hundred codes so that a
 * code alone tells where a failure came from. tsr_strerror() names each code.
 */
#ifndef TESSERA_ERR_H
#define TESSERA_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a public symbol of libtessera. */
#if defined(__GNUC__)
#define TSR_EXPORT __attribute__((visibility("default")))
/** The caller must look at the returned code. */
#define TSR_WUR __attribute__((warn_unused_result))
#else
#define TSR_EXPORT
#define TSR_WUR
#endif

/** Success. */
#define TSR_OK 0

/* General (-1 .. -99) */
#define TSR_ERR_INTERNAL -1        /**< A bug: an invariant did not hold. */
#define TSR_ERR_INVALID_ARGUMENT -2 /**< NULL or out-of-range argument. */
#define TSR_ERR_NO_MEMORY -3       /**< An allocation failed. */
#define TSR_ERR_IO -4              /**< Reading or writing a file failed. */
#define TSR_ERR_LIMIT -5           /**< Input exceeds a configured limit. */
#define TSR_ERR_UNSUPPORTED -6     /**< Valid but not supported by this build. */
#define TSR_ERR_NOT_FOUND -7       /**< The requested item does not exist. */
#define TSR_ERR_RANDOM -8          /**< The random source failed. */
#define TSR_ERR_BAD_TIME -9        /**< A date or time string is malformed. */

/* CBOR decoding and encoding (-100 .. -199) */
#define TSR_ERR_CBOR_TRUNCATED -100    /**< Input ends inside an item. */
#define TSR_ERR_CBOR_TRAILING -101     /**< Bytes follow the top-level item. */
#define TSR_ERR_CBOR_INDEFINITE -102   /**< Indefinite-length item. */
#define TSR_ERR_CBOR_DUPLICATE_KEY -103 /**< A map holds the same key twice. */
#define TSR_ERR_CBOR_NOT_PREFERRED -104 /**< Integer or length not in its shortest form. */
#define TSR_ERR_CBOR_DEPTH -105        /**< Nesting deeper than the limit. */
#define TSR_ERR_CBOR_MALFORMED -106    /**< Reserved or invalid initial byte. */
#define TSR_ERR_CBOR_TOO_LARGE -107    /**< Item larger or longer than the limit. */
#define TSR_ERR_CBOR_BAD_UTF8 -108     /**< Text string is not valid UTF-8. */
#define TSR_ERR_CBOR_UNSUPPORTED_SIMPLE -109 /**< Simple value other than false/true/null/undefined. */
#define TSR_ERR_CBOR_TYPE -110         /**< An item has the wrong type for its place. */
#define TSR_ERR_CBOR_MISSING_KEY -111  /**< A mandatory map key is absent. */
#define TSR_ERR_CBOR_UNKNOWN_KEY -112  /**< A map key the definition does not allow. */
#define TSR_ERR_CBOR_VALUE -113        /**< A value is out of its allowed range. */

/* Cryptography and certificates (-200 .. -299) */
#define TSR_ERR_CRYPTO -200            /**< The crypto library failed. */
#define TSR_ERR_CRYPTO_BAD_KEY -201    /**< A key is malformed, off-curve or of the wrong kind. */
#define TSR_ERR_CRYPTO_BAD_SIGNATURE -202 /**< A signature does not verify. */
#define TSR_ERR_CRYPTO_DECRYPT -203    /**< Authenticated decryption failed. */
#define TSR_ERR_CRYPTO_UNSUPPORTED_ALG -204 /**< Algorithm or curve not supported. */
#define TSR_ERR_CERT_PARSE -205        /**< A certificate could not be parsed. */
#define TSR_ERR_CERT_UNTRUSTED -206    /**< A chain does not end at a trust anchor. */
#define TSR_ERR_CERT_EXPIRED -207      /**< A certificate is past its notAfter. */
#define TSR_ERR_CERT_NOT_YET_VALID -208 /**< A certificate is before its notBefore. */
#define TSR_ERR_CERT_PROFILE -209      /**< Key usage, EKU or another profile rule is violated. */
#define TSR_ERR_CRYPTO_BAD_MAC -210    /**< A MAC tag does not match. */

/* COSE (-300 .. -399) */
#define TSR_ERR_COSE_MALFORMED -300    /**< A COSE structure is malformed. */
#define TSR_ERR_COSE_ALG -301          /**< Missing, unknown or mismatched algorithm. */
#define TSR_ERR_COSE_NO_X5CHAIN -302   /**< A certificate chain is required but absent. */
#define TSR_ERR_COSE_KEY -303          /**< A COSE_Key is malformed or unsupported. */

/* mdoc data model (-400 .. -499) */
#define TSR_ERR_MDOC_MALFORMED -400    /**< A structure does not follow its CDDL. */
#define TSR_ERR_MDOC_VERSION -401      /**< Unsupported structure version. */

/* Verification outcome (-500 .. -599) */
#define TSR_ERR_VERIFY -500            /**< Verification failed; see the reason flags. */

/**
 * @brief Names an error code.
 * @param err a value returned by a libtessera function.
 * @return a static, never NULL, English description such as
 *         "CBOR: map holds a duplicate key"; "unknown error" for an unknown code.
 */
TSR_EXPORT const char *tsr_strerror(int err);

/**
 * @brief Gives the symbolic name of an error code.
 * @param err a value returned by a libtessera function.
 * @return a static string such as "TSR_ERR_CBOR_DUPLICATE_KEY", or
 *         "TSR_ERR_UNKNOWN" for an unknown code.
 */
TSR_EXPORT const char *tsr_strerror_name(int err);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_ERR_H */
