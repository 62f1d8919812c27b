/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Debug logging through the caller-installed handler (tsr_log_set_handler).
 * Never pass keys, session keys or claim values. */
#ifndef TSR_BASE_LOG_H
#define TSR_BASE_LOG_H

void tsr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TSR_BASE_LOG_H */
