/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Calendar arithmetic shared by RFC 3339 parsing and X.509 validity. */
#ifndef TSR_BASE_CIVIL_TIME_H
#define TSR_BASE_CIVIL_TIME_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date; month 1-12. */
int64_t tsr_days_from_civil(int64_t year, int64_t month, int64_t day);

#endif /* TSR_BASE_CIVIL_TIME_H */
