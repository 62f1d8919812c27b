/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * What the verifier asks for: a template, extra elements each with an
 * intent to retain, and optionally a reader identity to sign with. Built
 * on the main thread, then only read (a session's worker thread builds the
 * DeviceRequest from it).
 */
#define VERIFIER_TYPE_REQUEST (verifier_request_get_type ())
G_DECLARE_FINAL_TYPE (VerifierRequest, verifier_request, VERIFIER, REQUEST, GObject)

VerifierRequest *verifier_request_new (void);
/* From the settings (request-template, request-elements, reader-auth,
 * reader-cert, reader-key); fails when the reader identity cannot be read. */
VerifierRequest *verifier_request_new_from_settings (GSettings *settings, GError **error);

void verifier_request_set_template (VerifierRequest *self, const char *name);
const char *verifier_request_get_template (VerifierRequest *self);
void verifier_request_add_element (VerifierRequest *self, const char *doc_type,
    const char *name_space, const char *identifier, gboolean intent_to_retain);
guint verifier_request_get_n_elements (VerifierRequest *self);
void verifier_request_set_reader_identity (VerifierRequest *self, GBytes *chain, GBytes *key);
gboolean verifier_request_has_reader_identity (VerifierRequest *self);
/* What @self asks for, signed as @identity is (or not at all). */
VerifierRequest *verifier_request_copy_with_identity (VerifierRequest *self,
    VerifierRequest *identity);
gboolean verifier_request_is_empty (VerifierRequest *self);
/* "Driving licence check", "Driving licence check and 2 more details". */
char *verifier_request_describe (VerifierRequest *self);

/* The DeviceRequest bytes; @transcript is needed with a reader identity. */
GBytes *verifier_request_build (VerifierRequest *self, const guint8 *transcript,
    gsize transcript_len, GError **error);

/* "DOCTYPE/NAMESPACE/IDENTIFIER" with a trailing "!" for intent to retain. */
gboolean verifier_request_parse_spec (const char *spec, char **ret_doc_type,
    char **ret_name_space, char **ret_identifier, gboolean *ret_retain);
char *verifier_request_format_spec (const char *doc_type, const char *name_space,
    const char *identifier, gboolean retain);

G_END_DECLS
