/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-result.h"

#include <glib/gi18n.h>
#include <tessera/tessera.h>

#include "verifier-error.h"

struct _VerifierResult {
	GObject parent_instance;

	tsr_verify_result_t *core;
	VerifierVerdict verdict;
	guint32 reasons;
	const char *status_reason;
	char *request_title;
};

G_DEFINE_FINAL_TYPE (VerifierResult, verifier_result, G_TYPE_OBJECT)

const char *
verifier_verdict_title (VerifierVerdict verdict)
{
	switch (verdict) {
	case VERIFIER_VERDICT_VERIFIED: return _("Verified");
	case VERIFIER_VERDICT_NOT_VERIFIED: return _("Not verified");
	case VERIFIER_VERDICT_REVOKED: return _("Revoked");
	case VERIFIER_VERDICT_STATUS_UNKNOWN: return _("Status unknown");
	default: return "";
	}
}

/* The verdict is never told by colour alone: each has its own symbol and
 * words, and the colour only repeats them. */
const char *
verifier_verdict_icon_name (VerifierVerdict verdict)
{
	switch (verdict) {
	case VERIFIER_VERDICT_VERIFIED: return "emblem-ok-symbolic";
	case VERIFIER_VERDICT_NOT_VERIFIED: return "dialog-error-symbolic";
	case VERIFIER_VERDICT_REVOKED: return "action-unavailable-symbolic";
	case VERIFIER_VERDICT_STATUS_UNKNOWN: return "dialog-question-symbolic";
	default: return "dialog-question-symbolic";
	}
}

const char *
verifier_verdict_css_class (VerifierVerdict verdict)
{
	switch (verdict) {
	case VERIFIER_VERDICT_VERIFIED: return "verdict-verified";
	case VERIFIER_VERDICT_NOT_VERIFIED: return "verdict-not-verified";
	case VERIFIER_VERDICT_REVOKED: return "verdict-revoked";
	case VERIFIER_VERDICT_STATUS_UNKNOWN: return "verdict-unknown";
	default: return "verdict-unknown";
	}
}

static void
verifier_result_finalize (GObject *object)
{
	VerifierResult *self = VERIFIER_RESULT (object);

	tsr_verify_result_free (self->core);
	g_free (self->request_title);
	G_OBJECT_CLASS (verifier_result_parent_class)->finalize (object);
}

static void
verifier_result_class_init (VerifierResultClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = verifier_result_finalize;
}

static void
verifier_result_init (VerifierResult *self)
{
	self->verdict = VERIFIER_VERDICT_NOT_VERIFIED;
}

/*
 * Any failure other than revocation makes the answer "Not verified" (the
 * reasons list revocation too). A document that is fine except that a
 * trusted status list revokes it is "Revoked". A valid document whose
 * status cannot be checked is "Status unknown": never shown as verified,
 * never as revoked.
 */
static void
compute_verdict (VerifierResult *self)
{
	gboolean unknown = FALSE;
	guint32 all = tsr_verify_result_reasons (self->core);
	size_t n = tsr_verify_result_doc_count (self->core);

	for (size_t i = 0; i < n; i++) {
		const tsr_verified_doc_t *doc = tsr_verify_result_doc (self->core, i);
		tsr_doc_status_t status = tsr_verified_doc_status (doc);

		all |= tsr_verified_doc_reasons (doc);
		if (status == TSR_DOC_STATUS_UNKNOWN) {
			unknown = TRUE;
			self->status_reason = tsr_verified_doc_status_reason (doc);
		} else if (status == TSR_DOC_STATUS_REVOKED || status == TSR_DOC_STATUS_SUSPENDED) {
			self->status_reason = tsr_verified_doc_status_reason (doc);
		}
	}
	self->reasons = all;
	if ((all & ~(guint32) TSR_REASON_REVOKED) != 0 || n == 0)
		self->verdict = VERIFIER_VERDICT_NOT_VERIFIED;
	else if (all & TSR_REASON_REVOKED)
		self->verdict = VERIFIER_VERDICT_REVOKED;
	else if (!tsr_verify_result_valid (self->core))
		self->verdict = VERIFIER_VERDICT_NOT_VERIFIED;
	else if (unknown)
		self->verdict = VERIFIER_VERDICT_STATUS_UNKNOWN;
	else
		self->verdict = VERIFIER_VERDICT_VERIFIED;
}

VerifierResult *
verifier_result_new_take (tsr_verify_result_t *result)
{
	VerifierResult *self;

	g_return_val_if_fail (result != NULL, NULL);
	self = g_object_new (VERIFIER_TYPE_RESULT, NULL);
	self->core = result;
	compute_verdict (self);
	return self;
}

VerifierResult *
verifier_result_new_verify (const tsr_verifier_t *verifier, GBytes *response, GError **error)
{
	tsr_verify_result_t *result = NULL;
	int err;

	err = tsr_verifier_verify (verifier, g_bytes_get_data (response, NULL),
	    g_bytes_get_size (response), &result);
	if (err != TSR_OK && err != TSR_ERR_VERIFY) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_FAILED,
		    _("The answer could not be checked: %s"), tsr_strerror (err));
		return NULL;
	}
	return verifier_result_new_take (result);
}

const tsr_verify_result_t *
verifier_result_get_core (VerifierResult *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT (self), NULL);
	return self->core;
}

VerifierVerdict
verifier_result_get_verdict (VerifierResult *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT (self), VERIFIER_VERDICT_NOT_VERIFIED);
	return self->verdict;
}

guint32
verifier_result_get_reasons (VerifierResult *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT (self), 0);
	return self->reasons;
}

guint32 *
verifier_result_dup_reason_flags (VerifierResult *self, guint *ret_n)
{
	guint32 *flags = g_new0 (guint32, 33);
	guint n = 0;

	for (guint bit = 0; bit < 32; bit++)
		if (self->reasons & (1u << bit))
			flags[n++] = 1u << bit;
	if (ret_n != NULL)
		*ret_n = n;
	return flags;
}

gint64
verifier_result_get_time (VerifierResult *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT (self), 0);
	return tsr_verify_result_time (self->core);
}

const char *
verifier_result_get_status_reason (VerifierResult *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT (self), NULL);
	return self->status_reason != NULL && *self->status_reason != '\0' ? self->status_reason : NULL;
}

void
verifier_result_set_request_title (VerifierResult *self, const char *title)
{
	g_return_if_fail (VERIFIER_IS_RESULT (self));
	g_free (self->request_title);
	self->request_title = g_strdup (title);
}

const char *
verifier_result_get_request_title (VerifierResult *self)
{
	g_return_val_if_fail (VERIFIER_IS_RESULT (self), NULL);
	return self->request_title;
}
