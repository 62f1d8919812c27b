/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-support.h"

#include <string.h>

#include <tessera/tessera.h>

uint8_t *
tsr_test_load(const char *relpath, size_t *ret_len)
{
	const char *dir = g_getenv("TSR_TEST_DATA");
	g_autofree char *path = NULL;
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_assert_nonnull(dir);
	path = g_build_filename(dir, relpath, NULL);
	g_file_get_contents(path, &data, &len, &error);
	g_assert_no_error(error);
	*ret_len = len;
	return (uint8_t *)data;
}

uint8_t *
tsr_test_hex(const char *hex, size_t *ret_len)
{
	size_t n = strlen(hex);
	uint8_t *out;

	g_assert_cmpuint(n % 2, ==, 0);
	out = g_malloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]);
		int lo = g_ascii_xdigit_value(hex[2 * i + 1]);
		g_assert_true(hi >= 0 && lo >= 0);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret_len = n / 2;
	return out;
}

void
tsr_test_assert_hex(const uint8_t *ptr, size_t len, const char *hex)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (size_t i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", ptr[i]);
	g_assert_cmpstr(s->str, ==, hex);
}

int64_t
tsr_test_time(const char *rfc3339)
{
	int64_t t = 0;

	g_assert_cmpint(tsr_time_parse(rfc3339, &t), ==, TSR_OK);
	return t;
}

char *
tsr_test_json_string(const char *relpath, const char *section, const char *key)
{
	g_autofree uint8_t *data = NULL;
	g_autofree char *section_pat = NULL, *key_pat = NULL;
	const char *p, *end;
	size_t len = 0;

	data = tsr_test_load(relpath, &len);
	data = g_realloc(data, len + 1);
	data[len] = '\0';
	p = (const char *)data;
	if (section != NULL) {
		section_pat = g_strdup_printf("\"%s\"", section);
		p = strstr(p, section_pat);
		g_assert_nonnull(p);
	}
	key_pat = g_strdup_printf("\"%s\": \"", key);
	p = strstr(p, key_pat);
	g_assert_nonnull(p);
	p += strlen(key_pat);
	end = strchr(p, '"');
	g_assert_nonnull(end);
	return g_strndup(p, (gsize)(end - p));
}

int
tsr_test_secret_cb(void *user, const char *purpose, char *buf, size_t cap)
{
	const char *secret = user;

	g_assert_nonnull(purpose);
	g_assert_cmpuint(cap, >=, 256);
	if (secret == NULL)
		return 1;
	g_assert_cmpuint(strlen(secret), <, cap);
	memcpy(buf, secret, strlen(secret) + 1);
	return 0;
}
