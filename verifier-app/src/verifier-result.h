/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <tessera/reader.h>

G_BEGIN_DECLS

/* The one-word answer the result page leads with. */
typedef enum {
	VERIFIER_VERDICT_VERIFIED,
	VERIFIER_VERDICT_NOT_VERIFIED,
	VERIFIER_VERDICT_REVOKED,
	VERIFIER_VERDICT_STATUS_UNKNOWN,
} VerifierVerdict;

const char *verifier_verdict_title (VerifierVerdict verdict);
const char *verifier_verdict_icon_name (VerifierVerdict verdict);
const char *verifier_verdict_css_class (VerifierVerdict verdict);

/*
 * A verification result: libtessera's tsr_verify_result_t with the verdict
 * and reasons worked out for display.
 */
#define VERIFIER_TYPE_RESULT (verifier_result_get_type ())
G_DECLARE_FINAL_TYPE (VerifierResult, verifier_result, VERIFIER, RESULT, GObject)

/* Takes ownership of @result. */
VerifierResult *verifier_result_new_take (tsr_verify_result_t *result);
/* Verifies @response with @verifier (tsr_verifier_verify()). */
VerifierResult *verifier_result_new_verify (const tsr_verifier_t *verifier, GBytes *response,
    GError **error);

const tsr_verify_result_t *verifier_result_get_core (VerifierResult *self);
VerifierVerdict verifier_result_get_verdict (VerifierResult *self);
/* The response's and every document's reason flags together. */
guint32 verifier_result_get_reasons (VerifierResult *self);
/* Each reason flag that is set, lowest first, 0-terminated. */
guint32 *verifier_result_dup_reason_flags (VerifierResult *self, guint *ret_n);
gint64 verifier_result_get_time (VerifierResult *self);
/* Why the revocation status is unknown or revoked, or NULL. */
const char *verifier_result_get_status_reason (VerifierResult *self);

/* Details the reader should see next to the verdict: the request title,
 * which transport, how long the session took. Set by the session. */
void verifier_result_set_request_title (VerifierResult *self, const char *title);
const char *verifier_result_get_request_title (VerifierResult *self);

G_END_DECLS
