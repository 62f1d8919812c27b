/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file tessera.h
 * @brief libtessera: ISO/IEC 18013-5 mdoc wallet and verifier core.
 *
 * Include this header to get the whole public API. Process-wide hooks live
 * here: the debug log handler, the clock and the random source. Each hook is
 * meant to be installed once at start-up (tests install deterministic ones)
 * and is not synchronised against concurrent calls into the library.
 */
#ifndef TESSERA_TESSERA_H
#define TESSERA_TESSERA_H

#include <stddef.h>
#include <stdint.h>

#include <tessera/attest.h>
#include <tessera/err.h>
#include <tessera/holder.h>
#include <tessera/issuer.h>
#include <tessera/qr.h>
#include <tessera/reader.h>
#include <tessera/request.h>
#include <tessera/securearea.h>
#include <tessera/session.h>
#include <tessera/store.h>
#include <tessera/transport.h>
#include <tessera/value.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief libtessera's version as a string, e.g. "0.1.0". */
TSR_EXPORT const char *tsr_version(void);

/**
 * @brief Receives one debug message from the library.
 *
 * Messages never contain keys, session keys or claim values.
 * @param msg a NUL-terminated line without a trailing newline; valid only
 *        during the call.
 * @param user the pointer given to tsr_log_set_handler().
 */
typedef void (*tsr_log_fn)(const char *msg, void *user);

/**
 * @brief Installs the debug log handler.
 *
 * The library is silent until a handler is installed.
 * @param fn the handler, or NULL to silence the library again.
 * @param user passed through to @p fn.
 */
TSR_EXPORT void tsr_log_set_handler(tsr_log_fn fn, void *user);

/**
 * @brief Returns the current time as seconds since the Unix epoch (UTC).
 * @param user the pointer given to tsr_clock_set().
 */
typedef int64_t (*tsr_clock_fn)(void *user);

/**
 * @brief Replaces the library's clock (the default reads the system clock).
 *
 * Verification functions also take an explicit time; this clock is used
 * where the caller gives none.
 * @param fn the clock, or NULL to restore the system clock.
 * @param user passed through to @p fn.
 */
TSR_EXPORT void tsr_clock_set(tsr_clock_fn fn, void *user);

/** @brief Reads the library's clock (see tsr_clock_set()). */
TSR_EXPORT int64_t tsr_clock_now(void);

/**
 * @brief Fills @p out with @p len random bytes.
 * @return 0 on success, non-zero on failure (the library then fails with
 *         #TSR_ERR_RANDOM).
 */
typedef int (*tsr_random_fn)(void *user, uint8_t *out, size_t len);

/**
 * @brief Replaces the library's random source (the default is getrandom(2)).
 *
 * Every key, nonce and salt the library makes comes from this source. Only
 * tests should replace it.
 * @param fn the source, or NULL to restore getrandom(2).
 * @param user passed through to @p fn.
 */
TSR_EXPORT void tsr_random_set(tsr_random_fn fn, void *user);

/**
 * @brief Fills a buffer from the library's random source.
 * @return #TSR_OK, or #TSR_ERR_RANDOM when the source fails.
 */
TSR_EXPORT TSR_WUR int tsr_random_bytes(uint8_t *out, size_t len);

/**
 * @brief Parses an RFC 3339 date-time in UTC ("YYYY-MM-DDThh:mm:ssZ", with
 *        optional fractional seconds, which are dropped).
 * @param text the NUL-terminated string.
 * @param[out] ret_time seconds since the epoch; untouched on failure.
 * @return #TSR_OK or #TSR_ERR_BAD_TIME.
 */
TSR_EXPORT TSR_WUR int tsr_time_parse(const char *text, int64_t *ret_time);

/**
 * @brief Formats seconds since the epoch as "YYYY-MM-DDThh:mm:ssZ".
 * @param t the time.
 * @param[out] out a buffer of at least 21 bytes.
 * @return #TSR_OK or #TSR_ERR_BAD_TIME when @p t is outside years 0000-9999.
 */
TSR_EXPORT TSR_WUR int tsr_time_format(int64_t t, char out[21]);

/**
 * @brief Frees memory returned by the library (strings and byte buffers).
 * @param p the pointer, or NULL.
 */
TSR_EXPORT void tsr_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_TESSERA_H */
