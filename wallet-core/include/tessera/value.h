/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file value.h
 * @brief Text forms of CBOR data: diagnostic notation and typed JSON.
 *
 * Data element values reach the caller as their CBOR bytes; these functions
 * turn them into text for display, logs of what was shown, and the CLI.
 */
#ifndef TESSERA_VALUE_H
#define TESSERA_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Renders CBOR as RFC 8949 §8 diagnostic notation.
 *
 * The input is decoded strictly (see tsr_strerror() for the failure codes).
 * @param cbor the encoded item; exactly one item, nothing after it.
 * @param len its length.
 * @param expand_embedded when true, the content of each tag-24 byte string
 *        (embedded CBOR) is shown decoded as `24(<<...>>)`.
 * @param[out] ret_text a NUL-terminated string the caller frees with
 *        tsr_free(); untouched on failure.
 * @return #TSR_OK, a `TSR_ERR_CBOR_*` code, #TSR_ERR_LIMIT,
 *         #TSR_ERR_INVALID_ARGUMENT (NULL pointer) or
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_cbor_to_diagnostic(const uint8_t *cbor, size_t len,
    bool expand_embedded, char **ret_text);

/**
 * @brief Renders a data element value as JSON.
 *
 * JSON types are used where they map one to one; other values are wrapped in
 * a one-key object: `{"$full-date": "YYYY-MM-DD"}` (tag 1004),
 * `{"$tdate": "YYYY-MM-DDThh:mm:ssZ"}` (tag 0), `{"$bytes": "<hex>"}`,
 * `{"$tag": n, "value": ...}` for other tags, `{"$undefined": true}`, and
 * `{"$int": "<decimal>"}` for integers JSON cannot hold exactly (beyond ±2^53).
 * @param cbor the encoded value.
 * @param len its length.
 * @param[out] ret_json a NUL-terminated compact JSON text, freed with
 *        tsr_free(); untouched on failure.
 * @return #TSR_OK, a `TSR_ERR_CBOR_*` code, #TSR_ERR_LIMIT,
 *         #TSR_ERR_INVALID_ARGUMENT (NULL pointer) or
 *         #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_cbor_to_json(const uint8_t *cbor, size_t len, char **ret_json);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_VALUE_H */
