/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <tessera/tessera.h>

#include "base/buf.h"
#include "base/log.h"
#include "test-support.h"

static void
valid_time_roundtrip(void)
{
	char text[21];
	int64_t t = 0;

	g_assert_cmpint(tsr_time_parse("2021-01-01T00:00:00Z", &t), ==, TSR_OK);
	g_assert_cmpint(t, ==, 1609459200);
	g_assert_cmpint(tsr_time_format(t, text), ==, TSR_OK);
	g_assert_cmpstr(text, ==, "2021-01-01T00:00:00Z");
	g_assert_cmpint(tsr_time_parse("2020-10-01T13:30:02.123Z", &t), ==, TSR_OK);
	g_assert_cmpint(t, ==, 1601559002);
	g_assert_cmpint(tsr_time_parse("2024-02-29T23:59:59Z", &t), ==, TSR_OK);
	g_assert_cmpint(tsr_time_parse("1969-12-31T23:59:59Z", &t), ==, TSR_OK);
	g_assert_cmpint(t, ==, -1);
}

static void
junk_time(void)
{
	static const char *const bad[] = {
		"", "2021-01-01", "2021-01-01T00:00:00", "2021-01-01T00:00:00+01:00",
		"2021-13-01T00:00:00Z", "2021-02-29T00:00:00Z", "2021-01-01T24:00:00Z",
		"2021-01-01T00:00:00Zjunk", "20x1-01-01T00:00:00Z", "2021-01-01T00:00:00.Z",
	};
	int64_t t = 42;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_cmpint(tsr_time_parse(bad[i], &t), ==, TSR_ERR_BAD_TIME);
		g_assert_cmpint(t, ==, 42);
	}
}

static void
valid_buf_growth(void)
{
	tsr_buf_t b;
	uint8_t *p = NULL;
	size_t len = 0;

	tsr_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		g_assert_cmpint(tsr_buf_append_byte(&b, (uint8_t)i), ==, TSR_OK);
	g_assert_cmpuint(b.len, ==, 1000);
	g_assert_cmpint(tsr_buf_steal(&b, &p, &len), ==, TSR_OK);
	g_assert_cmpuint(len, ==, 1000);
	g_assert_cmpuint(p[999], ==, 999 % 256);
	g_assert_null(b.ptr);
	free(p);
	g_assert_cmpint(tsr_buf_reserve(&b, TSR_BUF_MAX + 1), ==, TSR_ERR_LIMIT);
	tsr_buf_free(&b);
}

static void
valid_hex(void)
{
	uint8_t *p = NULL;
	size_t len = 0;
	char *hex = NULL;

	g_assert_cmpint(tsr_hex_decode("00fFa1", &p, &len), ==, TSR_OK);
	g_assert_cmpuint(len, ==, 3);
	g_assert_cmpint(tsr_hex_encode(p, len, &hex), ==, TSR_OK);
	g_assert_cmpstr(hex, ==, "00ffa1");
	free(p);
	free(hex);
	g_assert_cmpint(tsr_hex_decode("abc", &p, &len), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_hex_decode("zz", &p, &len), ==, TSR_ERR_INVALID_ARGUMENT);
}

static int
fixed_random(void *user, uint8_t *out, size_t len)
{
	memset(out, *(int *)user, len);
	return 0;
}

static int
failing_random(void *user, uint8_t *out, size_t len)
{
	(void)user;
	(void)out;
	(void)len;
	return -1;
}

static void
valid_random_injection(void)
{
	uint8_t buf[8];
	int fill = 0x5a;

	tsr_random_set(fixed_random, &fill);
	g_assert_cmpint(tsr_random_bytes(buf, sizeof(buf)), ==, TSR_OK);
	g_assert_cmpuint(buf[7], ==, 0x5a);
	tsr_random_set(failing_random, NULL);
	g_assert_cmpint(tsr_random_bytes(buf, sizeof(buf)), ==, TSR_ERR_RANDOM);
	tsr_random_set(NULL, NULL);
	g_assert_cmpint(tsr_random_bytes(buf, sizeof(buf)), ==, TSR_OK);
}

static int64_t
fixed_clock(void *user)
{
	return *(int64_t *)user;
}

static void
valid_clock_injection(void)
{
	int64_t when = 1609459200;

	tsr_clock_set(fixed_clock, &when);
	g_assert_cmpint(tsr_clock_now(), ==, when);
	tsr_clock_set(NULL, NULL);
	g_assert_cmpint(tsr_clock_now(), >, when);
}

static void
log_line(const char *msg, void *user)
{
	g_string_append((GString *)user, msg);
}

static void
valid_log_handler(void)
{
	g_autoptr(GString) seen = g_string_new(NULL);

	tsr_debug("silent %d", 1);
	tsr_log_set_handler(log_line, seen);
	tsr_debug("heard %d", 2);
	tsr_log_set_handler(NULL, NULL);
	tsr_debug("silent %d", 3);
	g_assert_cmpstr(seen->str, ==, "heard 2");
}

static void
valid_error_names(void)
{
	g_assert_cmpstr(tsr_strerror(TSR_OK), ==, "success");
	g_assert_cmpstr(tsr_strerror_name(TSR_ERR_CBOR_DUPLICATE_KEY), ==,
	    "TSR_ERR_CBOR_DUPLICATE_KEY");
	g_assert_cmpstr(tsr_strerror(TSR_ERR_VERIFY), !=, "unknown error");
	g_assert_cmpstr(tsr_strerror(-99999), ==, "unknown error");
	g_assert_cmpuint(strlen(tsr_version()), >, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/base/time/valid_roundtrip", valid_time_roundtrip);
	g_test_add_func("/base/time/junk", junk_time);
	g_test_add_func("/base/buf/valid_growth", valid_buf_growth);
	g_test_add_func("/base/hex/valid", valid_hex);
	g_test_add_func("/base/random/valid_injection", valid_random_injection);
	g_test_add_func("/base/clock/valid_injection", valid_clock_injection);
	g_test_add_func("/base/log/valid_handler", valid_log_handler);
	g_test_add_func("/base/err/valid_names", valid_error_names);
	return g_test_run();
}
