/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Element values for people. The library renders a value as typed JSON
 * (tsr_cbor_to_json()); this walks that JSON and prints it with the type
 * wrappers unwrapped: {"$full-date": "2019-10-20"} becomes 2019-10-20,
 * {"$bytes": "ffd8ff..."} becomes <1042 bytes, JPEG image>.
 */

#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tessera/tessera.h>

#define MAX_DEPTH 64

typedef struct jreader {
	const char *p;
	FILE *f;
	unsigned depth;
	const char *item_prefix; /* top-level list of structures: one per line */
} jreader_t;

typedef struct span {
	const char *s;
	size_t n;
} span_t;

static int put_value(jreader_t *r, bool top);

static void
skip_ws(jreader_t *r)
{
	while (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')
		r->p++;
}

static int
expect(jreader_t *r, char c)
{
	skip_ws(r);
	if (*r->p != c)
		return -1;
	r->p++;
	return 0;
}

/* The raw text between the quotes of a JSON string, escapes left as they are. */
static int
read_string(jreader_t *r, span_t *ret)
{
	const char *start;

	if (expect(r, '"') < 0)
		return -1;
	start = r->p;
	while (*r->p != '"') {
		if (*r->p == 0)
			return -1;
		if (*r->p == '\\' && *++r->p == 0)
			return -1;
		r->p++;
	}
	ret->s = start;
	ret->n = (size_t)(r->p - start);
	r->p++;
	return 0;
}

static bool
span_is(span_t sp, const char *lit)
{
	return sp.n == strlen(lit) && memcmp(sp.s, lit, sp.n) == 0;
}

/* Unescapes \" \\ \/ only; other escapes stay visible, so a control
 * character in a value never reaches the terminal. */
static void
put_string_text(FILE *f, span_t sp)
{
	for (size_t i = 0; i < sp.n; i++) {
		unsigned char c = (unsigned char)sp.s[i];

		if (c == '\\' && i + 1 < sp.n &&
		    (sp.s[i + 1] == '"' || sp.s[i + 1] == '\\' || sp.s[i + 1] == '/'))
			c = (unsigned char)sp.s[++i];
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* A number, true, false or null. */
static int
put_token(jreader_t *r)
{
	const char *start;

	skip_ws(r);
	start = r->p;
	while ((*r->p >= '0' && *r->p <= '9') || (*r->p >= 'a' && *r->p <= 'z') ||
	    (*r->p >= 'A' && *r->p <= 'Z') || *r->p == '-' || *r->p == '+' || *r->p == '.')
		r->p++;
	if (r->p == start)
		return -1;
	fwrite(start, 1, (size_t)(r->p - start), r->f);
	return 0;
}

/* {"$...": ...} wrappers; the key and its ':' have been read. */
static int
put_wrapped(jreader_t *r, span_t key)
{
	span_t v;

	if (span_is(key, "$full-date") || span_is(key, "$tdate") || span_is(key, "$int")) {
		if (read_string(r, &v) < 0)
			return -1;
		put_string_text(r->f, v);
	} else if (span_is(key, "$bytes")) {
		if (read_string(r, &v) < 0)
			return -1;
		fprintf(r->f, "<%zu bytes%s>", v.n / 2,
		    v.n >= 6 && strncasecmp(v.s, "ffd8ff", 6) == 0 ? ", JPEG image" : "");
	} else if (span_is(key, "$undefined")) {
		skip_ws(r);
		while (*r->p >= 'a' && *r->p <= 'z')
			r->p++;
		fputs("undefined", r->f);
	} else if (span_is(key, "$tag")) {
		if (put_token(r) < 0 || expect(r, ',') < 0 || read_string(r, &v) < 0 ||
		    !span_is(v, "value") || expect(r, ':') < 0)
			return -1;
		fputc('(', r->f);
		if (put_value(r, false) < 0)
			return -1;
		fputc(')', r->f);
	} else {
		return 1;
	}
	return expect(r, '}');
}

static int
put_object(jreader_t *r)
{
	span_t key;
	int w;

	r->p++;
	skip_ws(r);
	if (*r->p == '}') {
		r->p++;
		fputs("{}", r->f);
		return 0;
	}
	if (read_string(r, &key) < 0 || expect(r, ':') < 0)
		return -1;
	if (key.n > 0 && key.s[0] == '$' && (w = put_wrapped(r, key)) <= 0)
		return w;
	fputc('{', r->f);
	for (;;) {
		put_string_text(r->f, key);
		fputs(": ", r->f);
		if (put_value(r, false) < 0)
			return -1;
		skip_ws(r);
		if (*r->p == '}')
			break;
		if (expect(r, ',') < 0 || read_string(r, &key) < 0 || expect(r, ':') < 0)
			return -1;
		fputs(", ", r->f);
	}
	r->p++;
	fputc('}', r->f);
	return 0;
}

/* At the top level a list of maps or lists, like driving_privileges, gets
 * one line per entry. */
static int
put_array(jreader_t *r, bool top)
{
	bool lines;

	r->p++;
	skip_ws(r);
	lines = top && r->item_prefix != NULL && (*r->p == '{' || *r->p == '[');
	if (!lines)
		fputc('[', r->f);
	if (*r->p != ']') {
		for (;;) {
			if (lines)
				fputs(r->item_prefix, r->f);
			if (put_value(r, false) < 0)
				return -1;
			skip_ws(r);
			if (*r->p == ']')
				break;
			if (expect(r, ',') < 0)
				return -1;
			if (!lines)
				fputs(", ", r->f);
		}
	}
	r->p++;
	if (!lines)
		fputc(']', r->f);
	return 0;
}

static int
put_value(jreader_t *r, bool top)
{
	span_t sp;
	int ret;

	if (++r->depth > MAX_DEPTH)
		return -1;
	skip_ws(r);
	switch (*r->p) {
	case '{':
		ret = put_object(r);
		break;
	case '[':
		ret = put_array(r, top);
		break;
	case '"':
		if ((ret = read_string(r, &sp)) < 0)
			break;
		/* Quotes only inside structures, where they keep "A" apart from A. */
		if (!top)
			fputc('"', r->f);
		put_string_text(r->f, sp);
		if (!top)
			fputc('"', r->f);
		break;
	default:
		ret = put_token(r);
		break;
	}
	r->depth--;
	return ret;
}

void
cli_put_value_human(FILE *f, const uint8_t *cbor, size_t len, const char *item_prefix)
{
	char *json = NULL, *text = NULL;
	size_t text_len = 0;
	jreader_t r;
	FILE *mem;
	int err;

	if ((err = tsr_cbor_to_json(cbor, len, &json)) != TSR_OK) {
		fprintf(f, " <cannot display: %s>", tsr_strerror(err));
		return;
	}
	/* Render into memory first so a surprise half-way falls back cleanly. */
	if ((mem = open_memstream(&text, &text_len)) == NULL) {
		fputc(' ', f);
		cli_put_text(f, json);
		tsr_free(json);
		return;
	}
	r.p = json;
	r.f = mem;
	r.depth = 0;
	r.item_prefix = item_prefix;
	if (item_prefix == NULL || json[0] != '[' || (json[1] != '{' && json[1] != '['))
		fputc(' ', mem); /* not one entry per line: the value follows "label:" */
	err = put_value(&r, true);
	skip_ws(&r);
	if (fclose(mem) == 0 && err == 0 && *r.p == 0 && text != NULL)
		fwrite(text, 1, text_len, f);
	else {
		fputc(' ', f);
		cli_put_text(f, json);
	}
	free(text);
	tsr_free(json);
}
