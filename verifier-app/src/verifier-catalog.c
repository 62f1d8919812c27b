/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-catalog.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <tessera/tessera.h>

#define MDL VERIFIER_DOCTYPE_MDL
#define MDL_NS VERIFIER_NAMESPACE_MDL
#define PID VERIFIER_DOCTYPE_PID
#define AV VERIFIER_DOCTYPE_AV

/* ISO/IEC 18013-5 table 5, the EU PID rulebook and the EU AV credential. */
static const VerifierCatalogElement elements[] = {
	{ MDL, MDL_NS, "family_name", N_("Family name") },
	{ MDL, MDL_NS, "given_name", N_("Given names") },
	{ MDL, MDL_NS, "birth_date", N_("Date of birth") },
	{ MDL, MDL_NS, "portrait", N_("Portrait") },
	{ MDL, MDL_NS, "age_over_18", N_("Age over 18") },
	{ MDL, MDL_NS, "age_over_21", N_("Age over 21") },
	{ MDL, MDL_NS, "age_in_years", N_("Age in years") },
	{ MDL, MDL_NS, "age_birth_year", N_("Year of birth") },
	{ MDL, MDL_NS, "issue_date", N_("Date of issue") },
	{ MDL, MDL_NS, "expiry_date", N_("Date of expiry") },
	{ MDL, MDL_NS, "issuing_country", N_("Issuing country") },
	{ MDL, MDL_NS, "issuing_authority", N_("Issuing authority") },
	{ MDL, MDL_NS, "issuing_jurisdiction", N_("Issuing jurisdiction") },
	{ MDL, MDL_NS, "document_number", N_("Licence number") },
	{ MDL, MDL_NS, "driving_privileges", N_("Driving privileges") },
	{ MDL, MDL_NS, "un_distinguishing_sign", N_("UN distinguishing sign") },
	{ MDL, MDL_NS, "administrative_number", N_("Administrative number") },
	{ MDL, MDL_NS, "sex", N_("Sex") },
	{ MDL, MDL_NS, "height", N_("Height (cm)") },
	{ MDL, MDL_NS, "weight", N_("Weight (kg)") },
	{ MDL, MDL_NS, "eye_colour", N_("Eye colour") },
	{ MDL, MDL_NS, "hair_colour", N_("Hair colour") },
	{ MDL, MDL_NS, "birth_place", N_("Place of birth") },
	{ MDL, MDL_NS, "resident_address", N_("Resident address") },
	{ MDL, MDL_NS, "resident_city", N_("Resident city") },
	{ MDL, MDL_NS, "resident_state", N_("Resident state") },
	{ MDL, MDL_NS, "resident_postal_code", N_("Resident postal code") },
	{ MDL, MDL_NS, "resident_country", N_("Resident country") },
	{ MDL, MDL_NS, "nationality", N_("Nationality") },
	{ MDL, MDL_NS, "portrait_capture_date", N_("Portrait capture date") },
	{ MDL, MDL_NS, "family_name_national_character", N_("Family name (national characters)") },
	{ MDL, MDL_NS, "given_name_national_character", N_("Given names (national characters)") },
	{ MDL, MDL_NS, "signature_usual_mark", N_("Signature / usual mark") },

	{ PID, PID, "family_name", N_("Family name") },
	{ PID, PID, "given_name", N_("Given names") },
	{ PID, PID, "birth_date", N_("Date of birth") },
	{ PID, PID, "portrait", N_("Portrait") },
	{ PID, PID, "age_over_18", N_("Age over 18") },
	{ PID, PID, "place_of_birth", N_("Place of birth") },
	{ PID, PID, "nationality", N_("Nationality") },
	{ PID, PID, "issuing_authority", N_("Issuing authority") },
	{ PID, PID, "issuing_country", N_("Issuing country") },
	{ PID, PID, "issuance_date", N_("Date of issue") },
	{ PID, PID, "expiry_date", N_("Date of expiry") },
	{ PID, PID, "document_number", N_("Document number") },
	{ PID, PID, "personal_administrative_number", N_("Personal administrative number") },
	{ PID, PID, "family_name_birth", N_("Family name at birth") },
	{ PID, PID, "given_name_birth", N_("Given names at birth") },
	{ PID, PID, "resident_address", N_("Resident address") },
	{ PID, PID, "resident_country", N_("Resident country") },
	{ PID, PID, "resident_city", N_("Resident city") },
	{ PID, PID, "resident_postal_code", N_("Resident postal code") },
	{ PID, PID, "resident_street", N_("Resident street") },
	{ PID, PID, "sex", N_("Sex") },
	{ PID, PID, "email_address", N_("E-mail address") },
	{ PID, PID, "mobile_phone_number", N_("Mobile phone number") },

	{ AV, AV, "age_over_18", N_("Age over 18") },
	{ AV, AV, "age_over_21", N_("Age over 21") },
	{ AV, AV, "issuing_country", N_("Issuing country") },
	{ AV, AV, "issuing_authority", N_("Issuing authority") },
};

const VerifierCatalogElement *
verifier_catalog_elements (gsize *ret_n)
{
	*ret_n = G_N_ELEMENTS (elements);
	return elements;
}

const char *
verifier_catalog_doctype_label (const char *doc_type)
{
	if (g_strcmp0 (doc_type, MDL) == 0)
		return _("Mobile driving licence");
	if (g_strcmp0 (doc_type, PID) == 0)
		return _("EU person identification data");
	if (g_strcmp0 (doc_type, AV) == 0)
		return _("EU age verification");
	return doc_type != NULL && *doc_type != '\0' ? doc_type : _("Unknown document");
}

char *
verifier_catalog_element_label (const char *name_space, const char *identifier)
{
	g_return_val_if_fail (identifier != NULL, NULL);

	for (gsize i = 0; i < G_N_ELEMENTS (elements); i++)
		if (g_strcmp0 (elements[i].name_space, name_space) == 0 &&
		    strcmp (elements[i].identifier, identifier) == 0)
			return g_strdup (_(elements[i].label));
	/* age_over_NN for any NN (18013-5 §7.2.5). */
	if (g_str_has_prefix (identifier, "age_over_") && strlen (identifier) == 11 &&
	    g_ascii_isdigit (identifier[9]) && g_ascii_isdigit (identifier[10]))
		return g_strdup_printf (_("Age over %s"), identifier + 9);
	/* An element we have no label for: its identifier, made readable. */
	{
		char *label = g_strdup (identifier);

		g_strdelimit (label, "_", ' ');
		if (label[0] != '\0')
			label[0] = g_ascii_toupper (label[0]);
		return label;
	}
}

static const struct {
	const char *name;
	const char *title;
	const char *description;
} templates[] = {
	{ "age-over-18", N_("Age over 18"), N_("Whether the holder is over 18, with the portrait to compare") },
	{ "age-over-21", N_("Age over 21"), N_("Whether the holder is over 21, with the portrait to compare") },
	{ "driving-licence", N_("Driving licence check"), N_("Name, portrait, licence number, expiry and driving privileges") },
	{ "mdl-full", N_("Full identity (driving licence)"), N_("Every mandatory element of a mobile driving licence") },
	{ "pid-basic", N_("EU PID basic"), N_("Name, date of birth, nationality and issuing country from an EU PID") },
	{ "av", N_("Age verification credential"), N_("Age over 18 from an EU age verification credential") },
};

const char *
verifier_catalog_template_title (const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS (templates); i++)
		if (g_strcmp0 (templates[i].name, name) == 0)
			return _(templates[i].title);
	return name;
}

const char *
verifier_catalog_template_description (const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS (templates); i++)
		if (g_strcmp0 (templates[i].name, name) == 0)
			return _(templates[i].description);
	return tsr_request_template_description (name);
}

static const struct {
	guint32 flag;
	const char *text;
} reasons[] = {
	{ TSR_REASON_MALFORMED, N_("The data from the wallet is damaged or not in the expected format.") },
	{ TSR_REASON_NO_X5CHAIN, N_("The document carries no issuer certificate.") },
	{ TSR_REASON_UNTRUSTED_ISSUER, N_("The document was not issued by an issuer you trust.") },
	{ TSR_REASON_DS_CERT_EXPIRED, N_("The issuer’s signing certificate has expired.") },
	{ TSR_REASON_DS_CERT_NOT_YET_VALID, N_("The issuer’s signing certificate is not valid yet.") },
	{ TSR_REASON_DS_CERT_PROFILE, N_("The issuer’s certificate is not meant for signing documents.") },
	{ TSR_REASON_ISSUER_SIGNATURE, N_("The issuer’s signature is not valid: the document may have been altered.") },
	{ TSR_REASON_UNSUPPORTED_ALG, N_("The document uses a signature method this app does not support.") },
	{ TSR_REASON_MSO_EXPIRED, N_("The document has expired.") },
	{ TSR_REASON_MSO_NOT_YET_VALID, N_("The document is not valid yet.") },
	{ TSR_REASON_MSO_VALIDITY, N_("The document’s validity dates do not add up.") },
	{ TSR_REASON_DOCTYPE_MISMATCH, N_("The document type differs from the one the issuer signed.") },
	{ TSR_REASON_DIGEST_MISMATCH, N_("Some details were changed after the issuer signed them.") },
	{ TSR_REASON_DIGEST_MISSING, N_("Some details were not signed by the issuer.") },
	{ TSR_REASON_COUNTRY_MISMATCH, N_("The issuing country differs from the issuer’s certificate.") },
	{ TSR_REASON_DEVICE_AUTH, N_("The wallet could not prove it holds this document: it may be a copy.") },
	{ TSR_REASON_DEVICE_AUTH_MISSING, N_("The wallet did not prove it holds this document.") },
	{ TSR_REASON_KEY_AUTHORIZATION, N_("The wallet added details the issuer did not allow.") },
	{ TSR_REASON_RESPONSE_STATUS, N_("The wallet reported an error.") },
	{ TSR_REASON_NO_DOCUMENTS, N_("The wallet returned no document. The holder may have declined to share.") },
	{ TSR_REASON_TRANSCRIPT, N_("The answer is not bound to this session.") },
	{ TSR_REASON_REVOKED, N_("The issuer has revoked or suspended this document.") },
};

const char *
verifier_catalog_reason_text (guint32 flag)
{
	const char *core;

	for (gsize i = 0; i < G_N_ELEMENTS (reasons); i++)
		if (reasons[i].flag == flag)
			return _(reasons[i].text);
	/* A flag newer than this table: the core's English words. */
	core = tsr_reason_text (flag);
	return core != NULL ? core : "";
}

gboolean
verifier_catalog_is_image (const char *identifier)
{
	return g_strcmp0 (identifier, "portrait") == 0 ||
	    g_strcmp0 (identifier, "signature_usual_mark") == 0;
}

char *
verifier_catalog_format_date (gint64 t)
{
	g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

	if (dt == NULL)
		return g_strdup ("?");
	/* Translators: a date, see g_date_time_format(); e.g. "12 April 1990". */
	return g_date_time_format (dt, C_("date format", "%-d %B %Y"));
}

char *
verifier_catalog_format_date_time (gint64 t)
{
	g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

	if (dt == NULL)
		return g_strdup ("?");
	/* Translators: a date and time in UTC, see g_date_time_format(). */
	return g_date_time_format (dt, C_("date-time format", "%-d %B %Y, %H:%M UTC"));
}

/* "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ" to Unix seconds. */
static gboolean
parse_date (const char *text, gint64 *ret)
{
	g_autofree char *full = NULL;
	int64_t t;

	if (strlen (text) == 10)
		text = full = g_strconcat (text, "T00:00:00Z", NULL);
	if (tsr_time_parse (text, &t) != TSR_OK)
		return FALSE;
	*ret = t;
	return TRUE;
}

static int
age_at (gint64 birth, gint64 now)
{
	g_autoptr (GDateTime) b = g_date_time_new_from_unix_utc (birth);
	g_autoptr (GDateTime) n = g_date_time_new_from_unix_utc (now);
	int age;

	if (b == NULL || n == NULL)
		return -1;
	age = g_date_time_get_year (n) - g_date_time_get_year (b);
	if (g_date_time_get_month (n) < g_date_time_get_month (b) ||
	    (g_date_time_get_month (n) == g_date_time_get_month (b) &&
	    g_date_time_get_day_of_month (n) < g_date_time_get_day_of_month (b)))
		age--;
	return age;
}

static void append_node (GString *out, JsonNode *node, const char *identifier, gint64 now);

static const char *
sex_text (gint64 v)
{
	/* ISO/IEC 5218 */
	switch (v) {
	case 0: return _("Not known");
	case 1: return _("Male");
	case 2: return _("Female");
	case 9: return _("Not applicable");
	default: return NULL;
	}
}

static gboolean
append_typed (GString *out, JsonObject *obj, const char *identifier, gint64 now)
{
	gint64 t;

	if (json_object_get_size (obj) == 1 && json_object_has_member (obj, "$full-date")) {
		const char *d = json_object_get_string_member (obj, "$full-date");
		g_autofree char *text = NULL;

		if (d == NULL || !parse_date (d, &t)) {
			g_string_append (out, d != NULL ? d : "?");
			return TRUE;
		}
		text = verifier_catalog_format_date (t);
		g_string_append (out, text);
		if (now > 0 && g_strcmp0 (identifier, "birth_date") == 0 && age_at (t, now) >= 0)
			/* Translators: after a date of birth. */
			g_string_append_printf (out, _(" (age %d)"), age_at (t, now));
		return TRUE;
	}
	if (json_object_get_size (obj) == 1 && json_object_has_member (obj, "$tdate")) {
		const char *d = json_object_get_string_member (obj, "$tdate");
		g_autofree char *text = NULL;

		if (d == NULL || !parse_date (d, &t)) {
			g_string_append (out, d != NULL ? d : "?");
			return TRUE;
		}
		text = verifier_catalog_format_date_time (t);
		g_string_append (out, text);
		return TRUE;
	}
	if (json_object_get_size (obj) == 1 && json_object_has_member (obj, "$bytes")) {
		const char *hex = json_object_get_string_member (obj, "$bytes");
		gsize n = hex != NULL ? strlen (hex) / 2 : 0;

		g_string_append_printf (out, ngettext ("%u byte", "%u bytes", (gulong) n),
		    (guint) n);
		return TRUE;
	}
	if (json_object_get_size (obj) == 1 && json_object_has_member (obj, "$int")) {
		g_string_append (out, json_object_get_string_member (obj, "$int"));
		return TRUE;
	}
	if (json_object_get_size (obj) == 1 && json_object_has_member (obj, "$undefined")) {
		g_string_append (out, "—");
		return TRUE;
	}
	if (json_object_has_member (obj, "$tag") && json_object_has_member (obj, "value")) {
		append_node (out, json_object_get_member (obj, "value"), identifier, now);
		return TRUE;
	}
	return FALSE;
}

/* DrivingPrivilege (18013-5 §7.2.4): "B (until 15 January 2031; 01)". */
static void
append_privilege (GString *out, JsonObject *obj, gint64 now)
{
	JsonNode *expiry = json_object_get_member (obj, "expiry_date");
	JsonNode *codes = json_object_get_member (obj, "codes");

	if (json_object_has_member (obj, "vehicle_category_code"))
		g_string_append (out, json_object_get_string_member (obj, "vehicle_category_code"));
	if (expiry != NULL) {
		g_autoptr (GString) date = g_string_new (NULL);

		append_node (date, expiry, "expiry_date", now);
		/* Translators: a driving privilege's expiry, e.g. "B (until 15 January 2031)". */
		g_string_append_printf (out, _(" (until %s)"), date->str);
	}
	if (codes != NULL && JSON_NODE_HOLDS_ARRAY (codes)) {
		JsonArray *arr = json_node_get_array (codes);

		for (guint i = 0; i < json_array_get_length (arr); i++) {
			JsonNode *c = json_array_get_element (arr, i);

			if (JSON_NODE_HOLDS_OBJECT (c) &&
			    json_object_has_member (json_node_get_object (c), "code")) {
				g_string_append (out, i == 0 ? " · " : ", ");
				g_string_append (out,
				    json_object_get_string_member (json_node_get_object (c), "code"));
			}
		}
	}
}

static void
append_node (GString *out, JsonNode *node, const char *identifier, gint64 now)
{
	switch (JSON_NODE_TYPE (node)) {
	case JSON_NODE_NULL:
		g_string_append (out, "—");
		return;
	case JSON_NODE_VALUE: {
		GType t = json_node_get_value_type (node);

		if (t == G_TYPE_BOOLEAN) {
			g_string_append (out, json_node_get_boolean (node) ? _("Yes") : _("No"));
		} else if (t == G_TYPE_INT64) {
			gint64 v = json_node_get_int (node);
			const char *sex = g_strcmp0 (identifier, "sex") == 0 ? sex_text (v) : NULL;

			if (sex != NULL)
				g_string_append (out, sex);
			else
				g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
		} else if (t == G_TYPE_DOUBLE) {
			char buf[G_ASCII_DTOSTR_BUF_SIZE];

			g_string_append (out, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
		} else {
			g_string_append (out, json_node_get_string (node));
		}
		return;
	}
	case JSON_NODE_ARRAY: {
		JsonArray *arr = json_node_get_array (node);

		for (guint i = 0; i < json_array_get_length (arr); i++) {
			JsonNode *el = json_array_get_element (arr, i);

			if (i > 0)
				g_string_append (out, g_strcmp0 (identifier, "driving_privileges") == 0 ?
				    "\n" : ", ");
			if (g_strcmp0 (identifier, "driving_privileges") == 0 &&
			    JSON_NODE_HOLDS_OBJECT (el))
				append_privilege (out, json_node_get_object (el), now);
			else
				append_node (out, el, identifier, now);
		}
		if (json_array_get_length (arr) == 0)
			g_string_append (out, "—");
		return;
	}
	case JSON_NODE_OBJECT: {
		JsonObject *obj = json_node_get_object (node);
		g_autoptr (GList) members = NULL;
		gboolean first = TRUE;

		if (append_typed (out, obj, identifier, now))
			return;
		/* PlaceOfBirth and the like: the values, most specific first. */
		if (json_object_has_member (obj, "locality") || json_object_has_member (obj, "country")) {
			const char *keys[] = { "locality", "region", "country" };

			for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
				if (!json_object_has_member (obj, keys[i]))
					continue;
				if (!first)
					g_string_append (out, ", ");
				append_node (out, json_object_get_member (obj, keys[i]), keys[i], now);
				first = FALSE;
			}
			return;
		}
		members = json_object_get_members (obj);
		for (GList *l = members; l != NULL; l = l->next) {
			if (!first)
				g_string_append (out, "; ");
			g_string_append_printf (out, "%s: ", (const char *) l->data);
			append_node (out, json_object_get_member (obj, l->data), l->data, now);
			first = FALSE;
		}
		return;
	}
	default:
		return;
	}
}

char *
verifier_catalog_format_value (const char *name_space, const char *identifier,
    const guint8 *cbor, gsize len, gint64 now)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GString) out = g_string_new (NULL);
	char *json = NULL;
	gboolean ok;

	(void) name_space;
	if (tsr_cbor_to_json (cbor, len, &json) != TSR_OK)
		return g_strdup (_("(cannot be shown)"));
	ok = json_parser_load_from_data (parser, json, -1, NULL);
	tsr_free (json);
	if (!ok)
		return g_strdup (_("(cannot be shown)"));
	append_node (out, json_parser_get_root (parser), identifier, now);
	return g_string_free (g_steal_pointer (&out), FALSE);
}

GBytes *
verifier_catalog_value_bytes (const guint8 *cbor, gsize len)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	JsonNode *root;
	JsonObject *obj;
	const char *hex;
	char *json = NULL;
	guint8 *bytes;
	gsize n;
	gboolean ok;

	if (tsr_cbor_to_json (cbor, len, &json) != TSR_OK)
		return NULL;
	ok = json_parser_load_from_data (parser, json, -1, NULL);
	tsr_free (json);
	if (!ok)
		return NULL;
	root = json_parser_get_root (parser);
	if (!JSON_NODE_HOLDS_OBJECT (root))
		return NULL;
	obj = json_node_get_object (root);
	if (!json_object_has_member (obj, "$bytes"))
		return NULL;
	hex = json_object_get_string_member (obj, "$bytes");
	if (hex == NULL)
		return NULL;
	n = strlen (hex) / 2;
	bytes = g_malloc (n > 0 ? n : 1);
	for (gsize i = 0; i < n; i++) {
		int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			g_free (bytes);
			return NULL;
		}
		bytes[i] = (guint8) (hi << 4 | lo);
	}
	return g_bytes_new_take (bytes, n);
}

static char *
subject_part (const char *subject, const char *key)
{
	g_auto (GStrv) parts = NULL;
	gsize key_len = strlen (key);

	if (subject == NULL)
		return NULL;
	parts = g_strsplit (subject, ",", -1);
	for (gsize i = 0; parts[i] != NULL; i++) {
		const char *p = parts[i];

		while (*p == ' ')
			p++;
		if (g_ascii_strncasecmp (p, key, key_len) == 0 && p[key_len] == '=')
			return g_strstrip (g_strdup (p + key_len + 1));
	}
	return NULL;
}

char *
verifier_catalog_subject_country (const char *subject)
{
	return subject_part (subject, "C");
}

char *
verifier_catalog_subject_common_name (const char *subject)
{
	char *cn = subject_part (subject, "CN");

	return cn != NULL ? cn : g_strdup (subject != NULL ? subject : "");
}
