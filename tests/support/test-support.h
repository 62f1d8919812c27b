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

#endif /* TSR_TEST_SUPPORT_H */
