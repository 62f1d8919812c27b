/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Claims against a document type's data element table: presence, types,
 * and consistency of the age attestations with birth_date at signing time.
 * Every violation is reported (nothing stops at the first); messages name
 * the element and the rule, never the value.
 */

#include <stdio.h>
#include <string.h>

#include <tessera/tessera.h>

#include "issuer/issuer-private.h"

static const char *const eye_colours[] = { "black", "blue", "brown", "dichromatic", "grey",
	"green", "hazel", "maroon", "pink", "unknown", NULL };
static const char *const hair_colours[] = { "bald", "black", "blond", "brown", "grey", "red",
	"auburn", "sandy", "white", "unknown", NULL };

typedef struct vctx {
	tsr_report_t *rep;
	tsr_span_t ns;
	tsr_span_t id;
} vctx_t;

#define BAD(v, ...) tsr_report_element((v)->rep, (v)->ns, (v)->id, __VA_ARGS__)

static size_t
utf8_chars(tsr_span_t s)
{
	size_t n = 0;

	for (size_t i = 0; i < s.len; i++)
		if ((s.ptr[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
is_alpha2(const tsr_cbor_item_t *v)
{
	return tsr_cbor_is(v, TSR_CBOR_TSTR) && v->u.str.len == 2 && v->u.str.ptr[0] >= 'A' &&
	    v->u.str.ptr[0] <= 'Z' && v->u.str.ptr[1] >= 'A' && v->u.str.ptr[1] <= 'Z';
}

static bool
is_full_date(const tsr_cbor_item_t *v)
{
	const tsr_cbor_item_t *t = tsr_cbor_untag(v, 1004);
	int y, m, d;

	return tsr_cbor_is(t, TSR_CBOR_TSTR) &&
	    tsr_full_date_parse(t->u.str.ptr, t->u.str.len, &y, &m, &d);
}

static bool
is_tdate(const tsr_cbor_item_t *v)
{
	const tsr_cbor_item_t *t = tsr_cbor_untag(v, 0);
	int64_t when;

	return tsr_cbor_is(t, TSR_CBOR_TSTR) && tsr_tdate_parse(t->u.str.ptr, t->u.str.len, &when);
}

/* JPEG (SOI FF D8 FF) or JPEG 2000 (codestream FF 4F FF 51, or the JP2
 * signature box). */
static bool
is_image(const tsr_cbor_item_t *v)
{
	static const uint8_t jp2[] = { 0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20 };
	const uint8_t *p;

	if (!tsr_cbor_is(v, TSR_CBOR_BSTR) || v->u.str.len < 8)
		return false;
	p = v->u.str.ptr;
	return (p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) ||
	    (p[0] == 0xff && p[1] == 0x4f && p[2] == 0xff && p[3] == 0x51) ||
	    memcmp(p, jp2, sizeof(jp2)) == 0;
}

static bool
in_list(const tsr_cbor_item_t *v, const char *const *list)
{
	if (!tsr_cbor_is(v, TSR_CBOR_TSTR))
		return false;
	for (; *list != NULL; list++)
		if (tsr_cbor_tstr_eq(v, *list))
			return true;
	return false;
}

static bool
short_tstr(const tsr_cbor_item_t *v)
{
	return tsr_cbor_is(v, TSR_CBOR_TSTR) && utf8_chars(v->u.str) <= TSR_ELEMENT_TSTR_MAX;
}

/* DrivingPrivileges = [* {"vehicle_category_code": tstr, ? "issue_date": full-date,
 *   ? "expiry_date": full-date, ? "codes": [+ {"code": tstr, ? "sign": tstr, ? "value": tstr}]}] */
static void
check_driving_privileges(vctx_t *v, const tsr_cbor_item_t *value)
{
	static const char *const keys[] = { "vehicle_category_code", "issue_date", "expiry_date",
		"codes", NULL };
	static const char *const code_keys[] = { "code", "sign", "value", NULL };

	if (!tsr_cbor_is(value, TSR_CBOR_ARRAY)) {
		BAD(v, "must be an array of driving privileges");
		return;
	}
	for (size_t i = 0; i < value->u.list.count; i++) {
		const tsr_cbor_item_t *p = &value->u.list.items[i];
		const tsr_cbor_item_t *f, *codes;

		if (!tsr_cbor_is(p, TSR_CBOR_MAP)) {
			BAD(v, "privilege %zu must be an object", i);
			continue;
		}
		if (!tsr_cbor_map_keys_within(p, keys, NULL, 0))
			BAD(v, "privilege %zu has a key other than vehicle_category_code, "
			    "issue_date, expiry_date, codes", i);
		if (!short_tstr(tsr_cbor_map_find_tstr(p, "vehicle_category_code")))
			BAD(v, "privilege %zu needs a vehicle_category_code (text)", i);
		if ((f = tsr_cbor_map_find_tstr(p, "issue_date")) != NULL && !is_full_date(f))
			BAD(v, "privilege %zu: issue_date must be a full-date", i);
		if ((f = tsr_cbor_map_find_tstr(p, "expiry_date")) != NULL && !is_full_date(f))
			BAD(v, "privilege %zu: expiry_date must be a full-date", i);
		codes = tsr_cbor_map_find_tstr(p, "codes");
		if (codes == NULL)
			continue;
		if (!tsr_cbor_is(codes, TSR_CBOR_ARRAY) || codes->u.list.count == 0) {
			BAD(v, "privilege %zu: codes must be a non-empty array", i);
			continue;
		}
		for (size_t k = 0; k < codes->u.list.count; k++) {
			const tsr_cbor_item_t *c = &codes->u.list.items[k];

			if (!tsr_cbor_is(c, TSR_CBOR_MAP) ||
			    !tsr_cbor_map_keys_within(c, code_keys, NULL, 0) ||
			    !short_tstr(tsr_cbor_map_find_tstr(c, "code")) ||
			    ((f = tsr_cbor_map_find_tstr(c, "sign")) != NULL && !short_tstr(f)) ||
			    ((f = tsr_cbor_map_find_tstr(c, "value")) != NULL && !short_tstr(f)))
				BAD(v, "privilege %zu: code %zu must be {code, ? sign, ? value} "
				    "with text values", i, k);
		}
	}
}

static void
check_place_of_birth(vctx_t *v, const tsr_cbor_item_t *value)
{
	static const char *const keys[] = { "country", "region", "locality", NULL };
	const tsr_cbor_item_t *c;

	if (!tsr_cbor_is(value, TSR_CBOR_MAP) || value->u.list.count == 0 ||
	    !tsr_cbor_map_keys_within(value, keys, NULL, 0)) {
		BAD(v, "must be an object with at least one of country, region, locality");
		return;
	}
	for (size_t i = 0; i < value->u.list.count; i++)
		if (!short_tstr(tsr_cbor_map_value(value, i)))
			BAD(v, "%.*s must be text of at most %d characters",
			    (int)tsr_cbor_map_key(value, i)->u.str.len,
			    (const char *)tsr_cbor_map_key(value, i)->u.str.ptr, TSR_ELEMENT_TSTR_MAX);
	if ((c = tsr_cbor_map_find_tstr(value, "country")) != NULL && !is_alpha2(c))
		BAD(v, "country must be an ISO 3166-1 alpha-2 code");
}

static void
check_type(vctx_t *v, const tsr_element_def_t *def, const tsr_cbor_item_t *value)
{
	switch (def->type) {
	case TSR_ELEMENT_TSTR:
		if (!tsr_cbor_is(value, TSR_CBOR_TSTR))
			BAD(v, "must be text");
		else if (utf8_chars(value->u.str) > TSR_ELEMENT_TSTR_MAX)
			BAD(v, "longer than %d characters", TSR_ELEMENT_TSTR_MAX);
		break;
	case TSR_ELEMENT_ALPHA2:
		if (!is_alpha2(value))
			BAD(v, "must be an ISO 3166-1 alpha-2 code (two upper-case letters)");
		break;
	case TSR_ELEMENT_UINT:
		if (!tsr_cbor_is(value, TSR_CBOR_UINT))
			BAD(v, "must be an unsigned integer");
		break;
	case TSR_ELEMENT_BOOL:
		if (!tsr_cbor_is(value, TSR_CBOR_TRUE) && !tsr_cbor_is(value, TSR_CBOR_FALSE))
			BAD(v, "must be true or false");
		break;
	case TSR_ELEMENT_BSTR:
		if (!tsr_cbor_is(value, TSR_CBOR_BSTR))
			BAD(v, "must be bytes ($bytes or $b64)");
		break;
	case TSR_ELEMENT_IMAGE:
		if (!is_image(value))
			BAD(v, "must be a JPEG or JPEG 2000 image ($b64 or $bytes)");
		break;
	case TSR_ELEMENT_FULL_DATE:
		if (!is_full_date(value))
			BAD(v, "must be a full-date ({\"$full-date\": \"YYYY-MM-DD\"})");
		break;
	case TSR_ELEMENT_TDATE:
		if (!is_tdate(value))
			BAD(v, "must be a tdate ({\"$tdate\": \"YYYY-MM-DDThh:mm:ssZ\"})");
		break;
	case TSR_ELEMENT_DATE:
		if (!is_full_date(value) && !is_tdate(value))
			BAD(v, "must be a full-date or a tdate");
		break;
	case TSR_ELEMENT_SEX:
		if (!tsr_cbor_is(value, TSR_CBOR_UINT) ||
		    !(value->u.uint <= 2 || value->u.uint == 9))
			BAD(v, "must be 0, 1, 2 or 9 (ISO/IEC 5218)");
		break;
	case TSR_ELEMENT_SEX_PID:
		if (!tsr_cbor_is(value, TSR_CBOR_UINT) ||
		    !(value->u.uint <= 6 || value->u.uint == 9))
			BAD(v, "must be 0-6 or 9");
		break;
	case TSR_ELEMENT_EYE_COLOUR:
		if (!in_list(value, eye_colours))
			BAD(v, "must be one of black, blue, brown, dichromatic, grey, green, hazel, "
			    "maroon, pink, unknown");
		break;
	case TSR_ELEMENT_HAIR_COLOUR:
		if (!in_list(value, hair_colours))
			BAD(v, "must be one of bald, black, blond, brown, grey, red, auburn, sandy, "
			    "white, unknown");
		break;
	case TSR_ELEMENT_DRIVING_PRIVILEGES:
		check_driving_privileges(v, value);
		break;
	case TSR_ELEMENT_PLACE_OF_BIRTH:
		check_place_of_birth(v, value);
		break;
	case TSR_ELEMENT_NATIONALITIES:
		if (is_alpha2(value))
			break;
		if (!tsr_cbor_is(value, TSR_CBOR_ARRAY) || value->u.list.count == 0) {
			BAD(v, "must be a non-empty array of ISO 3166-1 alpha-2 codes");
			break;
		}
		for (size_t i = 0; i < value->u.list.count; i++)
			if (!is_alpha2(&value->u.list.items[i]))
				BAD(v, "entry %zu must be an ISO 3166-1 alpha-2 code", i);
		break;
	}
}

/* A date element as days since the epoch, or false. */
static bool
date_of(const tsr_cbor_item_t *v, int64_t *ret_t)
{
	const tsr_cbor_item_t *t;
	int y, m, d;
	char buf[21];

	if ((t = tsr_cbor_untag(v, 1004)) != NULL && tsr_cbor_is(t, TSR_CBOR_TSTR) &&
	    tsr_full_date_parse(t->u.str.ptr, t->u.str.len, &y, &m, &d)) {
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT00:00:00Z", y, m, d);
		return tsr_time_parse(buf, ret_t) == TSR_OK;
	}
	if ((t = tsr_cbor_untag(v, 0)) != NULL && tsr_cbor_is(t, TSR_CBOR_TSTR))
		return tsr_tdate_parse(t->u.str.ptr, t->u.str.len, ret_t);
	return false;
}

static const tsr_cbor_item_t *
find_element(const tsr_cbor_item_t *elements, const char *id)
{
	return tsr_cbor_map_find_tstr(elements, id);
}

/* Full years between the birth date and `at` (UTC). */
static bool
age_at(const tsr_cbor_item_t *birth, int64_t at, int *ret_age, int *ret_year)
{
	const tsr_cbor_item_t *t = tsr_cbor_untag(birth, 1004);
	int y, m, d, ny, nm, nd, age;
	char now[21];

	if (!tsr_cbor_is(t, TSR_CBOR_TSTR) ||
	    !tsr_full_date_parse(t->u.str.ptr, t->u.str.len, &y, &m, &d) ||
	    tsr_time_format(at, now) != TSR_OK ||
	    !tsr_full_date_parse((const uint8_t *)now, 10, &ny, &nm, &nd))
		return false;
	age = ny - y;
	if (nm < m || (nm == m && nd < d))
		age--;
	*ret_age = age;
	*ret_year = y;
	return true;
}

/* age_over_NN, age_in_years, age_birth_year against birth_date; dates of
 * issue against dates of expiry. */
static void
check_consistency(tsr_report_t *rep, tsr_span_t ns, const tsr_cbor_item_t *elements,
    int64_t at)
{
	static const char *const issue_ids[] = { "issue_date", "issuance_date" };
	const tsr_cbor_item_t *birth = find_element(elements, "birth_date");
	const tsr_cbor_item_t *f, *expiry = find_element(elements, "expiry_date");
	int64_t t_issue, t_expiry, t_birth;
	int age = 0, year = 0;
	bool have_age = birth != NULL && age_at(birth, at, &age, &year);

	for (size_t i = 0; i < elements->u.list.count; i++) {
		const tsr_cbor_item_t *key = tsr_cbor_map_key(elements, i);
		const tsr_cbor_item_t *value = tsr_cbor_map_value(elements, i);
		int nn = tsr_element_age_over(key->u.str);
		bool over;

		if (nn < 0 || !have_age ||
		    !(tsr_cbor_is(value, TSR_CBOR_TRUE) || tsr_cbor_is(value, TSR_CBOR_FALSE)))
			continue;
		over = value->type == TSR_CBOR_TRUE;
		if (over != (age >= nn))
			tsr_report_element(rep, ns, key->u.str,
			    "is %s but birth_date makes the holder %s %d at the signing time",
			    over ? "true" : "false", age >= nn ? "at least" : "younger than", nn);
	}
	if (have_age && (f = find_element(elements, "age_in_years")) != NULL &&
	    tsr_cbor_is(f, TSR_CBOR_UINT) && f->u.uint != (uint64_t)(age < 0 ? 0 : age))
		tsr_report_element(rep, ns, (tsr_span_t){ (const uint8_t *)"age_in_years", 12 },
		    "does not match birth_date at the signing time (%d)", age);
	if (have_age && (f = find_element(elements, "age_birth_year")) != NULL &&
	    tsr_cbor_is(f, TSR_CBOR_UINT) && f->u.uint != (uint64_t)year)
		tsr_report_element(rep, ns, (tsr_span_t){ (const uint8_t *)"age_birth_year", 14 },
		    "does not match the year of birth_date (%d)", year);
	if (birth != NULL && date_of(birth, &t_birth) && t_birth > at)
		tsr_report_element(rep, ns, (tsr_span_t){ (const uint8_t *)"birth_date", 10 },
		    "is after the signing time");
	for (size_t k = 0; k < 2; k++) {
		const tsr_cbor_item_t *issue = find_element(elements, issue_ids[k]);

		if (issue != NULL && expiry != NULL && date_of(issue, &t_issue) &&
		    date_of(expiry, &t_expiry) && t_issue > t_expiry)
			tsr_report_element(rep, ns, (tsr_span_t){ (const uint8_t *)issue_ids[k],
			    strlen(issue_ids[k]) }, "is after expiry_date");
	}
}

int
tsr_claims_check(const tsr_claims_t *claims, const char *doc_type, int64_t at,
    bool allow_unknown, tsr_report_t *rep)
{
	const tsr_doctype_def_t *dt = tsr_doctype_find(doc_type);
	const tsr_cbor_item_t *root = tsr_cbor_doc_root(claims->doc);

	/* Known namespaces of the doctype must be there with their mandatory
	 * elements. */
	for (size_t k = 0; dt != NULL && k < dt->n_namespaces; k++) {
		const tsr_namespace_def_t *nsdef = &dt->namespaces[k];
		const tsr_cbor_item_t *elements = tsr_cbor_map_find_tstr(root, nsdef->name);
		tsr_span_t ns = { (const uint8_t *)nsdef->name, strlen(nsdef->name) };

		if (elements == NULL) {
			tsr_report_add(rep, "%s: namespace missing (its mandatory elements are "
			    "required for %s)", nsdef->name, doc_type);
			continue;
		}
		for (size_t i = 0; i < nsdef->n_elements; i++) {
			const tsr_element_def_t *e = &nsdef->elements[i];

			if (!e->mandatory || e->pattern ||
			    tsr_cbor_map_find_tstr(elements, e->identifier) != NULL ||
			    (e->alternative != NULL &&
			    tsr_cbor_map_find_tstr(elements, e->alternative) != NULL))
				continue;
			tsr_report_element(rep, ns, (tsr_span_t){ (const uint8_t *)e->identifier,
			    strlen(e->identifier) }, "mandatory element missing");
		}
	}
	for (size_t i = 0; i < root->u.list.count; i++) {
		tsr_span_t ns = tsr_cbor_map_key(root, i)->u.str;
		const tsr_cbor_item_t *elements = tsr_cbor_map_value(root, i);
		const tsr_namespace_def_t *nsdef = NULL;

		/* A namespace's table applies only within its own doctype. */
		for (size_t k = 0; dt != NULL && k < dt->n_namespaces; k++)
			if (ns.len == strlen(dt->namespaces[k].name) &&
			    memcmp(ns.ptr, dt->namespaces[k].name, ns.len) == 0)
				nsdef = &dt->namespaces[k];
		if (nsdef == NULL) {
			if (!allow_unknown)
				tsr_report_add(rep, "%.*s: unknown namespace for %s (use "
				    "--allow-unknown to issue it anyway)", (int)ns.len,
				    (const char *)ns.ptr, doc_type);
			continue;
		}
		for (size_t j = 0; j < elements->u.list.count; j++) {
			vctx_t v = { rep, ns, tsr_cbor_map_key(elements, j)->u.str };
			const tsr_element_def_t *def = tsr_element_find(nsdef, v.id);

			if (def == NULL) {
				if (!allow_unknown)
					BAD(&v, "unknown data element (use --allow-unknown to "
					    "issue it anyway)");
				continue;
			}
			check_type(&v, def, tsr_cbor_map_value(elements, j));
		}
		check_consistency(rep, ns, elements, at);
	}
	return TSR_OK;
}
