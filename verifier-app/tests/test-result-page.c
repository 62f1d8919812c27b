/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The result page, rendered from libtessera's verification results: the
 * valid Annex D response, each failure class, revoked, status unknown. */

#include <string.h>

#include "verifier-result-page.h"
#include "verifier-test-common.h"

typedef struct {
	GtkWindow *window;
	VerifierResultPage *page;
	char *text;
} Fixture;

static void
show (Fixture *f, VerifierResult *result, const char *shot)
{
	f->window = vt_window_new (420, 1400);
	f->page = g_object_new (VERIFIER_TYPE_RESULT_PAGE, NULL);
	adw_window_set_content (ADW_WINDOW (f->window), GTK_WIDGET (f->page));
	verifier_result_page_set_result (f->page, result);
	verifier_result_page_expand_details (f->page, TRUE);
	gtk_window_present (f->window);
	vt_iterate (150);
	f->text = vt_collect_text (GTK_WIDGET (f->page));
	if (shot != NULL && g_getenv ("VT_OUTPUT_DIR") != NULL) {
		g_autofree char *path = g_build_filename (g_getenv ("VT_OUTPUT_DIR"), shot, NULL);
		g_autoptr (GError) error = NULL;

		if (!vt_screenshot (GTK_WIDGET (f->window), path, &error))
			g_test_message ("no screenshot: %s", error->message);
	}
}

static void
teardown (Fixture *f)
{
	gtk_window_destroy (f->window);
	g_free (f->text);
	vt_iterate (10);
}

static gboolean
has_line (const char *text, const char *line)
{
	g_autofree char *needle = g_strconcat ("\n", line, "\n", NULL);
	g_autofree char *hay = g_strconcat ("\n", text, NULL);

	return strstr (hay, needle) != NULL;
}

#define assert_line(f, line) \
	G_STMT_START { \
		if (!has_line ((f)->text, (line))) \
			g_error ("missing line '%s' in:\n%s", (line), (f)->text); \
	} G_STMT_END

#define assert_no_line(f, line) \
	G_STMT_START { \
		if (has_line ((f)->text, (line))) \
			g_error ("unexpected line '%s' in:\n%s", (line), (f)->text); \
	} G_STMT_END

static void
test_valid_annex_d (void)
{
	Fixture f = { 0 };
	g_autoptr (VerifierResult) result = vt_annex_d_result (VT_ANNEX_D_VALID);

	g_assert_cmpint (verifier_result_get_verdict (result), ==, VERIFIER_VERDICT_VERIFIED);
	show (&f, result, "result-valid.png");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (f.page), ==, "Verified");
	g_assert_true (verifier_result_page_has_portrait (f.page));
	assert_line (&f, "Mobile driving licence");
	assert_line (&f, "Family name");
	assert_line (&f, "Doe");
	assert_line (&f, "Licence number");
	assert_line (&f, "123456789");
	assert_line (&f, "Portrait signed by the issuer");
	/* The issuer: IACA subject's common name and its country. */
	assert_line (&f, "Issued by");
	assert_line (&f, "Country");
	assert_line (&f, "US");
	assert_line (&f, "Authenticated with the session key (MAC)");
	assert_line (&f, "Not checked: the document names no status list");
	assert_no_line (&f, "Not proven");
	g_assert_null (strstr (f.text, "not proven"));
	teardown (&f);
}

typedef struct {
	VtAnnexDCase c;
	guint32 flag;
	const char *words;
	const char *shot;
} FailureCase;

static const FailureCase failures[] = {
	{ VT_ANNEX_D_EXPIRED, TSR_REASON_MSO_EXPIRED, "The document has expired.", "result-expired.png" },
	{ VT_ANNEX_D_UNTRUSTED, TSR_REASON_UNTRUSTED_ISSUER,
	  "The document was not issued by an issuer you trust.", "result-untrusted.png" },
	{ VT_ANNEX_D_TAMPERED, TSR_REASON_DIGEST_MISMATCH,
	  "Some details were changed after the issuer signed them.", "result-tampered.png" },
	{ VT_ANNEX_D_NO_DEVICE_AUTH, TSR_REASON_DEVICE_AUTH_MISSING,
	  "The wallet did not prove it holds this document.", "result-no-device-auth.png" },
};

static void
test_failure (gconstpointer data)
{
	const FailureCase *fc = data;
	Fixture f = { 0 };
	g_autoptr (VerifierResult) result = vt_annex_d_result (fc->c);
	g_autofree guint32 *flags = NULL;
	guint n;

	g_assert_cmpint (verifier_result_get_verdict (result), ==, VERIFIER_VERDICT_NOT_VERIFIED);
	g_assert_true (verifier_result_get_reasons (result) & fc->flag);
	show (&f, result, fc->shot);
	g_assert_cmpstr (verifier_result_page_get_verdict_text (f.page), ==, "Not verified");
	assert_line (&f, "Do not rely on these details.");
	assert_line (&f, fc->words);
	/* The technical name too, for whoever has to look into it. */
	assert_line (&f, tsr_reason_name (fc->flag));
	/* Every reason the core reported has its own plain words on the page. */
	flags = verifier_result_dup_reason_flags (result, &n);
	for (guint i = 0; i < n; i++) {
		const char *name = tsr_reason_name (flags[i]);

		g_assert_nonnull (name);
		assert_line (&f, name);
	}
	if (fc->c == VT_ANNEX_D_TAMPERED || fc->c == VT_ANNEX_D_EXPIRED)
		g_assert_true (strstr (f.text, "not proven") != NULL);
	teardown (&f);
}

static void
test_revoked (void)
{
	Fixture f = { 0 };
	g_autoptr (VerifierResult) result = vt_status_result (VT_STATUS_REVOKED);

	g_assert_cmpint (verifier_result_get_verdict (result), ==, VERIFIER_VERDICT_REVOKED);
	show (&f, result, "result-revoked.png");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (f.page), ==, "Revoked");
	assert_line (&f, "The issuer has revoked or suspended this document.");
	assert_line (&f, "Revoked by the issuer");
	assert_line (&f, "Lindqvist");
	teardown (&f);
}

static void
test_status_unknown (void)
{
	Fixture f = { 0 };
	g_autoptr (VerifierResult) result = vt_status_result (VT_STATUS_UNKNOWN);

	g_assert_cmpint (verifier_result_get_verdict (result), ==, VERIFIER_VERDICT_STATUS_UNKNOWN);
	show (&f, result, "result-unknown.png");
	g_assert_cmpstr (verifier_result_page_get_verdict_text (f.page), ==, "Status unknown");
	assert_line (&f, "Genuine, but whether it was revoked cannot be checked.");
	g_assert_nonnull (strstr (f.text, "Load a current status list in Trust."));
	g_assert_nonnull (strstr (f.text, "Unknown: "));
	teardown (&f);
}

static void
test_status_valid (void)
{
	Fixture f = { 0 };
	g_autoptr (VerifierResult) result = vt_status_result (VT_STATUS_VALID);

	g_assert_cmpint (verifier_result_get_verdict (result), ==, VERIFIER_VERDICT_VERIFIED);
	show (&f, result, NULL);
	g_assert_cmpstr (verifier_result_page_get_verdict_text (f.page), ==, "Verified");
	assert_line (&f, "Not revoked (offline status list)");
	assert_line (&f, "Signed by the wallet’s device key");
	assert_line (&f, "Utopia Test IACA");
	assert_line (&f, "UT");
	teardown (&f);
}

/* The verdict never relies on colour: each has its own symbol and words. */
static void
test_verdicts_distinct (void)
{
	VerifierVerdict all[] = { VERIFIER_VERDICT_VERIFIED, VERIFIER_VERDICT_NOT_VERIFIED,
		VERIFIER_VERDICT_REVOKED, VERIFIER_VERDICT_STATUS_UNKNOWN };

	for (gsize i = 0; i < G_N_ELEMENTS (all); i++) {
		for (gsize j = i + 1; j < G_N_ELEMENTS (all); j++) {
			g_assert_cmpstr (verifier_verdict_icon_name (all[i]), !=,
			    verifier_verdict_icon_name (all[j]));
			g_assert_cmpstr (verifier_verdict_title (all[i]), !=, verifier_verdict_title (all[j]));
		}
	}
}

/* A page reused for the next holder shows nothing of the previous one. */
static void
test_reuse (void)
{
	Fixture f = { 0 };
	g_autoptr (VerifierResult) bad = vt_annex_d_result (VT_ANNEX_D_TAMPERED);
	g_autoptr (VerifierResult) good = vt_annex_d_result (VT_ANNEX_D_VALID);

	show (&f, bad, NULL);
	verifier_result_page_set_result (f.page, good);
	vt_iterate (50);
	g_free (f.text);
	f.text = vt_collect_text (GTK_WIDGET (f.page));
	g_assert_cmpstr (verifier_result_page_get_verdict_text (f.page), ==, "Verified");
	assert_no_line (&f, "Some details were changed after the issuer signed them.");
	assert_no_line (&f, "Why");
	teardown (&f);
}

int
main (int argc, char *argv[])
{
	vt_init (&argc, &argv);
	g_test_add_func ("/result-page/valid_annex_d", test_valid_annex_d);
	for (gsize i = 0; i < G_N_ELEMENTS (failures); i++) {
		g_autofree char *name = g_strdup_printf ("/result-page/not_verified_%s",
		    tsr_reason_name (failures[i].flag));

		g_test_add_data_func (name, &failures[i], test_failure);
	}
	g_test_add_func ("/result-page/revoked", test_revoked);
	g_test_add_func ("/result-page/status_unknown", test_status_unknown);
	g_test_add_func ("/result-page/status_valid", test_status_valid);
	g_test_add_func ("/result-page/verdicts_distinct", test_verdicts_distinct);
	g_test_add_func ("/result-page/reuse", test_reuse);
	return g_test_run ();
}
