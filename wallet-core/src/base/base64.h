/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* base64url without padding (RFC 4648 §5), as the "mdoc:" QR URI uses, and
 * standard base64 (§4), as JSON claims carry binary values. */
#ifndef TSR_BASE_BASE64_H
#define TSR_BASE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* NUL-terminated, owned. */
int tsr_base64url_encode(const uint8_t *ptr, size_t len, char **ret_text);
/* Rejects padding, whitespace, characters outside the URL alphabet and
 * non-canonical trailing bits (TSR_ERR_INVALID_ARGUMENT). */
int tsr_base64url_decode(const char *text, size_t text_len, uint8_t **ret_ptr, size_t *ret_len);
/* Padding optional but exact when present; otherwise as strict as
 * tsr_base64url_decode(). */
int tsr_base64_decode(const char *text, size_t len, uint8_t **ret_ptr, size_t *ret_len);

#endif /* TSR_BASE_BASE64_H */
