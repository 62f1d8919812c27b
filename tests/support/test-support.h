/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Helpers shared by the GTest programs in tests/. */
#ifndef TSR_TEST_SUPPORT_H
#define TSR_TEST_SUPPORT_H

#include <glib.h>
#include <stdint.h>

/* Reads tests/data/<relpath> (TSR_TEST_DATA points at tests/data); aborts
 * the test when it is missing. Free with g_free(). */
uint8_t *tsr_test_load(const char *relpath, size_t *ret_len);
/* Decodes a hex string known to be valid; aborts otherwise. */
uint8_t *tsr_test_hex(const char *hex, size_t *ret_len);
/* Asserts that [ptr, ptr + len) equals the hex string. */
void tsr_test_assert_hex(const uint8_t *ptr, size_t len, const char *hex);
/* The string value of "key" in one of the small flat JSON files of the
 * vectors (inside the object "section" when not NULL). Free with g_free(). */
char *tsr_test_json_string(const char *relpath, const char *section, const char *key);
/* Seconds since the epoch for an RFC 3339 UTC string; aborts when invalid. */
int64_t tsr_test_time(const char *rfc3339);
/*
 * A tsr_secret_fn handing out user, a NUL-terminated string (a wallet
 * passphrase or a token PIN): give it as the secret_user of a
 * tsr_sa_config_t or tsr_store_options_t. A NULL user plays a user who
 * cancels (returns 1). Checks the callback's contract on the library's
 * side: a purpose for the prompt and room for 255 characters.
 */
int tsr_test_secret_cb(void *user, const char *purpose, char *buf, size_t cap);

#endif /* TSR_TEST_SUPPORT_H */
