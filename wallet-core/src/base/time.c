/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <tessera/tessera.h>

#include "civil-time.h"

static tsr_clock_fn clock_fn;
static void *clock_user;

void
tsr_clock_set(tsr_clock_fn fn, void *user)
{
	clock_fn = fn;
	clock_user = user;
}

int64_t
tsr_clock_now(void)
{
	return clock_fn ? clock_fn(clock_user) : (int64_t)time(NULL);
}

static int
digits(const char *s, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 ? 28 + leap : days[month - 1];
}

/* H. Hinnant's days_from_civil. */
int64_t
tsr_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
tsr_time_parse(const char *text, int64_t *ret_time)
{
	int y, mo, d, h, mi, s;
	const char *p;

	if (text == NULL || ret_time == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* YYYY-MM-DDThh:mm:ss */
	if (strlen(text) < 20 || text[4] != '-' || text[7] != '-' ||
	    (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
		return TSR_ERR_BAD_TIME;
	if (digits(text, 4, &y) || digits(text + 5, 2, &mo) || digits(text + 8, 2, &d) ||
	    digits(text + 11, 2, &h) || digits(text + 14, 2, &mi) || digits(text + 17, 2, &s))
		return TSR_ERR_BAD_TIME;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    s > 60)
		return TSR_ERR_BAD_TIME;
	p = text + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return TSR_ERR_BAD_TIME;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	/* Only UTC is accepted: 18013-5 dates carry no offset other than Z. */
	if ((p[0] != 'Z' && p[0] != 'z') || p[1] != '\0')
		return TSR_ERR_BAD_TIME;
	if (s == 60)
		s = 59; /* a leap second is clamped, not rejected */
	*ret_time = tsr_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return TSR_OK;
}

int
tsr_time_format(int64_t t, char out[21])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < -62167219200LL || t > 253402300799LL || gmtime_r(&tt, &tm) == NULL)
		return TSR_ERR_BAD_TIME;
	/* The range check above bounds every field, so 20 characters suffice. */
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
	return TSR_OK;
}
