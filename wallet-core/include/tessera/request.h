/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * @file request.h
 * @brief Building a DeviceRequest (ISO/IEC 18013-5 §8.3.2.1.2.1, the reader's side).
 *
 * Collect the elements to ask for, from templates or one by one, each with
 * its intent to retain; optionally sign every DocRequest with a reader
 * certificate (readerAuth, §9.1.4), which needs the session's transcript.
 */
#ifndef TESSERA_REQUEST_H
#define TESSERA_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A DeviceRequest being built (opaque). */
typedef struct tsr_request_builder tsr_request_builder_t;

/**
 * @brief The template names, NULL-terminated: "age-over-18", "age-over-21",
 *        "driving-licence", "mdl-full", "pid-basic", "av".
 */
TSR_EXPORT const char *const *tsr_request_template_names(void);

/** @brief A one-line English description of a template, or NULL if unknown. */
TSR_EXPORT const char *tsr_request_template_description(const char *name);

/** @brief Creates an empty builder; free with tsr_request_builder_free(). */
TSR_EXPORT TSR_WUR int tsr_request_builder_new(tsr_request_builder_t **ret_builder);

/** @brief Frees a builder and wipes its reader key. NULL is fine. */
TSR_EXPORT void tsr_request_builder_free(tsr_request_builder_t *builder);

/**
 * @brief Adds the elements of a template (intent to retain: false).
 * @return #TSR_OK, #TSR_ERR_NOT_FOUND for an unknown name, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_request_builder_add_template(tsr_request_builder_t *builder,
    const char *name);

/**
 * @brief Asks for one element. Asking again for the same element only
 *        updates its intent to retain.
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (empty or NULL strings),
 *         #TSR_ERR_LIMIT (too many elements), #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_request_builder_add_element(tsr_request_builder_t *builder,
    const char *doc_type, const char *name_space, const char *identifier,
    bool intent_to_retain);

/**
 * @brief Signs each DocRequest with this reader identity.
 * @param chain the reader certificate, then any intermediates (PEM or DER).
 * @param key its private key (PKCS#8 or SEC1, PEM or DER).
 * @return #TSR_OK, #TSR_ERR_CERT_PARSE, #TSR_ERR_CRYPTO_BAD_KEY (also when
 *         the key does not match the certificate).
 */
TSR_EXPORT TSR_WUR int tsr_request_builder_set_reader_auth(tsr_request_builder_t *builder,
    const uint8_t *chain, size_t chain_len, const uint8_t *key, size_t key_len);

/**
 * @brief Encodes the DeviceRequest: one DocRequest per docType, in the
 *        order they were first added.
 * @param transcript SessionTranscript or SessionTranscriptBytes; needed only
 *        with reader authentication (may be NULL otherwise).
 * @param[out] ret_request owned bytes (tsr_free()).
 * @return #TSR_OK, #TSR_ERR_INVALID_ARGUMENT (no element, or readerAuth
 *         without a transcript), a transcript decoding error, #TSR_ERR_NO_MEMORY.
 */
TSR_EXPORT TSR_WUR int tsr_request_builder_build(const tsr_request_builder_t *builder,
    const uint8_t *transcript, size_t transcript_len, uint8_t **ret_request, size_t *ret_len);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_REQUEST_H */
