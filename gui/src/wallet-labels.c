/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "wallet-labels.h"

#define NS_MDL "org.iso.18013.5.1"

typedef struct {
  const char *doc_type;
  const char *label;
} DocTypeLabel;

static const DocTypeLabel doc_types[] = {
  { "org.iso.18013.5.1.mDL", N_("Mobile driving licence") },
  { "eu.europa.ec.eudi.pid.1", N_("EU personal ID") },
  { "eu.europa.ec.av.1", N_("Age verification") },
};

typedef struct {
  const char *identifier;
  const char *label;
} ElementLabel;

/* ISO/IEC 18013-5 Table 5, the EU PID rulebook and the EU AV namespace share
 * most identifiers; the few that differ are handled in wallet_element_label(). */
static const ElementLabel elements[] = {
  { "family_name", N_("Family name") },
  { "given_name", N_("Given names") },
  { "birth_date", N_("Date of birth") },
  { "issue_date", N_("Date of issue") },
  { "issuance_date", N_("Date of issue") },
  { "expiry_date", N_("Date of expiry") },
  { "issuing_country", N_("Issuing country") },
  { "issuing_authority", N_("Issuing authority") },
  { "document_number", N_("Document number") },
  { "portrait", N_("Portrait") },
  { "driving_privileges", N_("Driving privileges") },
  { "un_distinguishing_sign", N_("UN distinguishing sign") },
  { "administrative_number", N_("Administrative number") },
  { "personal_administrative_number", N_("Personal administrative number") },
  { "sex", N_("Sex") },
  { "height", N_("Height (cm)") },
  { "weight", N_("Weight (kg)") },
  { "eye_colour", N_("Eye colour") },
  { "hair_colour", N_("Hair colour") },
  { "birth_place", N_("Place of birth") },
  { "place_of_birth", N_("Place of birth") },
  { "resident_address", N_("Resident address") },
  { "portrait_capture_date", N_("Portrait capture date") },
  { "age_in_years", N_("Age in years") },
  { "age_birth_year", N_("Year of birth") },
  { "issuing_jurisdiction", N_("Issuing jurisdiction") },
  { "nationality", N_("Nationality") },
  { "resident_city", N_("Resident city") },
  { "resident_state", N_("Resident state") },
  { "resident_postal_code", N_("Resident postal code") },
  { "resident_country", N_("Resident country") },
  { "resident_street", N_("Resident street") },
  { "resident_house_number", N_("Resident house number") },
  { "family_name_national_character", N_("Family name (national characters)") },
  { "given_name_national_character", N_("Given names (national characters)") },
  { "family_name_birth", N_("Family name at birth") },
  { "given_name_birth", N_("Given names at birth") },
  { "signature_usual_mark", N_("Signature or usual mark") },
  { "email_address", N_("Email address") },
  { "mobile_phone_number", N_("Mobile phone number") },
  { "trust_anchor", N_("Trust anchor") },
  { "attestation_legal_category", N_("Attestation legal category") },
};

const char *
wallet_doctype_label (const char *doc_type)
{
  g_return_val_if_fail (doc_type != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (doc_types); i++)
    if (g_str_equal (doc_types[i].doc_type, doc_type))
      return _(doc_types[i].label);
  return doc_type;
}

char *
wallet_element_label (const char *name_space,
                      const char *identifier)
{
  g_return_val_if_fail (identifier != NULL, NULL);

  if (g_str_has_prefix (identifier, "age_over_"))
    {
      const char *nn = identifier + strlen ("age_over_");

      if (*nn != '\0' && strspn (nn, "0123456789") == strlen (nn))
        /* Translators: an age statement (age_over_NN); %s is an age in years: "Over 18" */
        return g_strdup_printf (_("Over %s"), nn);
    }
  if (g_strcmp0 (name_space, NS_MDL) == 0 && g_str_equal (identifier, "document_number"))
    return g_strdup (_("Licence number"));
  for (gsize i = 0; i < G_N_ELEMENTS (elements); i++)
    if (g_str_equal (elements[i].identifier, identifier))
      return g_strdup (_(elements[i].label));
  return g_strdup (identifier);
}

/* ---- Values: walk the typed JSON of tsr_cbor_to_json() ---- */

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } JType;

typedef struct JNode JNode;
struct JNode {
  JType type;
  char *text;        /* string value, number text, or object key of a member */
  gboolean boolean;
  GPtrArray *items;  /* array elements, or object members (each with ->text = key, ->value) */
  JNode *value;      /* for object members */
};

static void
jnode_free (JNode *n)
{
  if (n == NULL)
    return;
  g_free (n->text);
  if (n->items != NULL)
    g_ptr_array_unref (n->items);
  jnode_free (n->value);
  g_free (n);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JNode, jnode_free)

#define J_MAX_DEPTH 32

static JNode *jparse_value (const char **p, guint depth);

static void
jskip (const char **p)
{
  while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
    (*p)++;
}

static char *
jparse_string (const char **p)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (**p != '"')
    return NULL;
  (*p)++;
  while (**p != '"')
    {
      char c = **p;

      if (c == '\0')
        return NULL;
      (*p)++;
      if (c != '\\')
        {
          g_string_append_c (s, c);
          continue;
        }
      c = **p;
      (*p)++;
      switch (c)
        {
        case 'n': g_string_append_c (s, '\n'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'u':
          {
            char hex[5] = { 0 };
            gunichar u;

            for (int i = 0; i < 4; i++)
              {
                if (!g_ascii_isxdigit (**p))
                  return NULL;
                hex[i] = *(*p)++;
              }
            u = (gunichar) g_ascii_strtoull (hex, NULL, 16);
            /* Surrogate pairs: the renderer only escapes controls, so a
             * lone surrogate means junk; show the replacement character. */
            if (u >= 0xd800 && u <= 0xdfff)
              u = 0xfffd;
            g_string_append_unichar (s, u);
          }
          break;
        case '\0':
          return NULL;
        default:
          g_string_append_c (s, c);
          break;
        }
    }
  (*p)++;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static JNode *
jparse_value (const char **p, guint depth)
{
  g_autoptr(JNode) n = g_new0 (JNode, 1);

  if (depth > J_MAX_DEPTH)
    return NULL;
  jskip (p);
  switch (**p)
    {
    case '"':
      n->type = J_STRING;
      if ((n->text = jparse_string (p)) == NULL)
        return NULL;
      break;
    case '[':
    case '{':
      {
        gboolean object = **p == '{';
        char close = object ? '}' : ']';

        n->type = object ? J_OBJECT : J_ARRAY;
        n->items = g_ptr_array_new_with_free_func ((GDestroyNotify) jnode_free);
        (*p)++;
        jskip (p);
        if (**p == close)
          {
            (*p)++;
            break;
          }
        for (;;)
          {
            JNode *item;

            if (object)
              {
                item = g_new0 (JNode, 1);
                g_ptr_array_add (n->items, item);
                jskip (p);
                if ((item->text = jparse_string (p)) == NULL)
                  return NULL;
                jskip (p);
                if (**p != ':')
                  return NULL;
                (*p)++;
                if ((item->value = jparse_value (p, depth + 1)) == NULL)
                  return NULL;
              }
            else
              {
                if ((item = jparse_value (p, depth + 1)) == NULL)
                  return NULL;
                g_ptr_array_add (n->items, item);
              }
            jskip (p);
            if (**p == ',')
              {
                (*p)++;
                continue;
              }
            if (**p != close)
              return NULL;
            (*p)++;
            break;
          }
      }
      break;
    case 't':
    case 'f':
    case 'n':
      if (strncmp (*p, "true", 4) == 0)
        n->type = J_BOOL, n->boolean = TRUE, *p += 4;
      else if (strncmp (*p, "false", 5) == 0)
        n->type = J_BOOL, *p += 5;
      else if (strncmp (*p, "null", 4) == 0)
        n->type = J_NULL, *p += 4;
      else
        return NULL;
      break;
    default:
      {
        const char *start = *p;

        while (**p == '-' || **p == '+' || **p == '.' || **p == 'e' || **p == 'E' ||
               g_ascii_isdigit (**p))
          (*p)++;
        if (*p == start)
          return NULL;
        n->type = J_NUMBER;
        n->text = g_strndup (start, (gsize) (*p - start));
      }
      break;
    }
  return g_steal_pointer (&n);
}

static const JNode *
jmember (const JNode *obj, const char *key)
{
  if (obj == NULL || obj->type != J_OBJECT)
    return NULL;
  for (guint i = 0; i < obj->items->len; i++)
    {
      const JNode *m = g_ptr_array_index (obj->items, i);

      if (g_str_equal (m->text, key))
        return m->value;
    }
  return NULL;
}

static char *
format_full_date (const char *ymd)
{
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;

  if (sscanf (ymd, "%d-%d-%d", &y, &m, &d) != 3 ||
      (dt = g_date_time_new_utc (y, m, d, 0, 0, 0)) == NULL)
    return g_strdup (ymd);
  /* Translators: a date, in g_date_time_format() notation */
  return g_date_time_format (dt, _("%-d %B %Y"));
}

static char *
format_tdate (const char *text)
{
  gint64 t;

  if (tsr_time_parse (text, &t) != TSR_OK)
    return g_strdup (text);
  return wallet_format_date_time (t);
}

static GdkTexture *
image_from_hex (const char *hex)
{
  gsize n = strlen (hex) / 2;
  g_autofree guint8 *bytes = g_malloc (n > 0 ? n : 1);
  g_autoptr(GBytes) b = NULL;

  for (gsize i = 0; i < n; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return NULL;
      bytes[i] = (guint8) (hi << 4 | lo);
    }
  b = g_bytes_new_take (g_steal_pointer (&bytes), n);
  return gdk_texture_new_from_bytes (b, NULL);
}

static void format_node (GString *out, const char *identifier, const JNode *n,
                         GdkTexture **ret_image);

static void
format_driving_privilege (GString *out, const JNode *n)
{
  const JNode *code = jmember (n, "vehicle_category_code");
  const JNode *from = jmember (n, "issue_date");
  const JNode *until = jmember (n, "expiry_date");

  format_node (out, NULL, code, NULL);
  if (from != NULL || until != NULL)
    {
      g_string_append (out, " (");
      if (from != NULL)
        format_node (out, NULL, from, NULL);
      g_string_append (out, " – ");
      if (until != NULL)
        format_node (out, NULL, until, NULL);
      g_string_append (out, ")");
    }
}

static void
format_node (GString    *out,
             const char *identifier,
             const JNode *n,
             GdkTexture **ret_image)
{
  const JNode *v;

  if (n == NULL)
    return;
  switch (n->type)
    {
    case J_NULL:
      g_string_append (out, _("(none)"));
      break;
    case J_BOOL:
      g_string_append (out, n->boolean ? _("Yes") : _("No"));
      break;
    case J_NUMBER:
      if (g_strcmp0 (identifier, "sex") == 0)
        {
          /* ISO/IEC 5218 */
          if (g_str_equal (n->text, "1"))
            g_string_append (out, _("Male"));
          else if (g_str_equal (n->text, "2"))
            g_string_append (out, _("Female"));
          else if (g_str_equal (n->text, "9"))
            g_string_append (out, _("Not applicable"));
          else
            g_string_append (out, _("Not known"));
          break;
        }
      g_string_append (out, n->text);
      break;
    case J_STRING:
      g_string_append (out, n->text);
      break;
    case J_ARRAY:
      for (guint i = 0; i < n->items->len; i++)
        {
          const JNode *item = g_ptr_array_index (n->items, i);

          if (i > 0)
            g_string_append (out, g_strcmp0 (identifier, "driving_privileges") == 0 ? "\n" : ", ");
          if (g_strcmp0 (identifier, "driving_privileges") == 0 && item->type == J_OBJECT)
            format_driving_privilege (out, item);
          else
            format_node (out, NULL, item, NULL);
        }
      break;
    case J_OBJECT:
      if ((v = jmember (n, "$full-date")) != NULL && v->type == J_STRING)
        {
          g_autofree char *s = format_full_date (v->text);
          g_string_append (out, s);
        }
      else if ((v = jmember (n, "$tdate")) != NULL && v->type == J_STRING)
        {
          g_autofree char *s = format_tdate (v->text);
          g_string_append (out, s);
        }
      else if ((v = jmember (n, "$bytes")) != NULL && v->type == J_STRING)
        {
          gsize len = strlen (v->text) / 2;

          if (ret_image != NULL && *ret_image == NULL &&
              (g_str_has_prefix (v->text, "ffd8ff") || g_str_has_prefix (v->text, "89504e47")))
            *ret_image = image_from_hex (v->text);
          if (g_str_has_prefix (v->text, "ffd8ff") || g_str_has_prefix (v->text, "89504e47"))
            g_string_append_printf (out, ngettext ("Image (%zu byte)", "Image (%zu bytes)", len), len);
          else
            g_string_append_printf (out, ngettext ("%zu byte of data", "%zu bytes of data", len), len);
        }
      else if ((v = jmember (n, "$int")) != NULL && v->type == J_STRING)
        g_string_append (out, v->text);
      else if ((v = jmember (n, "value")) != NULL && jmember (n, "$tag") != NULL)
        format_node (out, identifier, v, ret_image);
      else
        for (guint i = 0; i < n->items->len; i++)
          {
            const JNode *m = g_ptr_array_index (n->items, i);

            if (i > 0)
              g_string_append (out, "; ");
            g_string_append_printf (out, "%s: ", m->text);
            format_node (out, m->text, m->value, NULL);
          }
      break;
    default:
      break;
    }
}

char *
wallet_value_format (const char   *identifier,
                     const guint8 *cbor,
                     gsize         len,
                     GdkTexture  **ret_image)
{
  g_autofree char *json = NULL;
  g_autoptr(JNode) root = NULL;
  g_autoptr(GString) out = NULL;
  const char *p;

  if (ret_image != NULL)
    *ret_image = NULL;
  if (tsr_cbor_to_json (cbor, len, &json) != TSR_OK)
    return g_strdup (_("(unreadable value)"));
  p = json;
  if ((root = jparse_value (&p, 0)) == NULL)
    return g_strdup (_("(unreadable value)"));
  out = g_string_new (NULL);
  format_node (out, identifier, root, ret_image);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
wallet_element_statement (const char   *name_space,
                          const char   *identifier,
                          const guint8 *cbor,
                          gsize         len)
{
  g_autofree char *label = wallet_element_label (name_space, identifier);
  g_autofree char *value = wallet_value_format (identifier, cbor, len, NULL);

  /* Translators: an element and its value, e.g. "Over 18: Yes" */
  return g_strdup_printf (_("%s: %s"), label, value);
}

gboolean
wallet_value_is_boolean (const guint8 *cbor,
                         gsize         len)
{
  /* CBOR simple values false (0xf4) and true (0xf5). */
  return len == 1 && (cbor[0] == 0xf4 || cbor[0] == 0xf5);
}

char *
wallet_element_key (const char *credential,
                    const char *name_space,
                    const char *identifier)
{
  return g_strjoin ("\x1f", credential != NULL ? credential : "", name_space, identifier, NULL);
}

/* ---- States ---- */

WalletValidity
wallet_validity_at (gint64 now,
                    gint64 valid_from,
                    gint64 valid_until)
{
  if (now < valid_from)
    return WALLET_VALIDITY_NOT_YET_VALID;
  if (now > valid_until)
    return WALLET_VALIDITY_EXPIRED;
  if (valid_until - now < WALLET_EXPIRES_SOON_SECONDS)
    return WALLET_VALIDITY_EXPIRES_SOON;
  return WALLET_VALIDITY_VALID;
}

const char *
wallet_validity_label (WalletValidity validity)
{
  switch (validity)
    {
    case WALLET_VALIDITY_VALID: return _("Valid");
    case WALLET_VALIDITY_EXPIRES_SOON: return _("Expires soon");
    case WALLET_VALIDITY_EXPIRED: return _("Expired");
    case WALLET_VALIDITY_NOT_YET_VALID: return _("Not yet valid");
    default: return "";
    }
}

const char *
wallet_validity_css_class (WalletValidity validity)
{
  switch (validity)
    {
    case WALLET_VALIDITY_VALID: return "success";
    case WALLET_VALIDITY_EXPIRES_SOON: return "warning";
    case WALLET_VALIDITY_EXPIRED: return "error";
    case WALLET_VALIDITY_NOT_YET_VALID: return "warning";
    default: return "dim-label";
    }
}

const char *
wallet_key_storage_label (tsr_sa_kind_t kind)
{
  switch (kind)
    {
    case TSR_SA_TPM2: return _("TPM 2.0");
    case TSR_SA_PKCS11: return _("PKCS#11 token");
    case TSR_SA_SOFTWARE: return _("Software (not hardware-backed)");
    default: return _("Unknown");
    }
}

const char *
wallet_credential_storage_label (tsr_sa_kind_t kind,
                                 gboolean      attested)
{
  if (kind == TSR_SA_TPM2 && attested)
    return _("TPM 2.0 (attested)");
  return wallet_key_storage_label (kind);
}

tsr_reader_trust_t
wallet_reader_trust_of (tsr_presentation_t  *presentation,
                        const char         **ret_subject)
{
  static const int rank[] = {
    [TSR_READER_TRUSTED] = 0,
    [TSR_READER_UNTRUSTED] = 1,
    [TSR_READER_ANONYMOUS] = 2,
    [TSR_READER_INVALID] = 3,
  };
  tsr_reader_trust_t worst = TSR_READER_TRUSTED;
  size_t n = presentation != NULL ? tsr_presentation_doc_count (presentation) : 0;
  const char *subject = NULL;

  if (n == 0)
    worst = TSR_READER_ANONYMOUS;
  for (size_t d = 0; d < n; d++)
    {
      const char *s = NULL;
      tsr_reader_trust_t t = tsr_presentation_reader_trust (presentation, d, &s);

      if (subject == NULL)
        subject = s;
      if ((guint) t < G_N_ELEMENTS (rank) && rank[t] > rank[worst])
        worst = t;
    }
  if (ret_subject != NULL)
    *ret_subject = subject;
  return worst;
}

const char *
wallet_reader_trust_label (tsr_reader_trust_t trust)
{
  switch (trust)
    {
    case TSR_READER_TRUSTED: return _("Trusted reader");
    case TSR_READER_UNTRUSTED: return _("Untrusted reader");
    case TSR_READER_INVALID: return _("Invalid reader certificate");
    case TSR_READER_ANONYMOUS:
    default: return _("Unidentified reader");
    }
}

const char *
wallet_reader_trust_css_class (tsr_reader_trust_t trust)
{
  switch (trust)
    {
    case TSR_READER_TRUSTED: return "success";
    case TSR_READER_INVALID: return "error";
    case TSR_READER_UNTRUSTED:
    case TSR_READER_ANONYMOUS:
    default: return "warning";
    }
}

/* The CN of a subject such as "C=US, O=Example, CN=Reader 1", else the subject. */
char *
wallet_subject_name (const char *subject)
{
  g_auto(GStrv) parts = NULL;

  if (subject == NULL || *subject == '\0')
    return NULL;
  parts = g_strsplit (subject, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];

      while (*p == ' ')
        p++;
      if (g_str_has_prefix (p, "CN="))
        return g_strdup (p + 3);
    }
  return g_strdup (subject);
}

char *
wallet_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, _("%-d %B %Y"));
}

char *
wallet_format_date_time (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (utc);
  /* Translators: a date and time, in g_date_time_format() notation */
  return g_date_time_format (local, _("%-d %B %Y, %H:%M"));
}

void
wallet_style_ensure (void)
{
  static gsize loaded;

  if (g_once_init_enter (&loaded))
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
      GdkDisplay *display = gdk_display_get_default ();

      gtk_css_provider_load_from_resource (provider, "/org/tessera/Wallet/wallet.css");
      if (display != NULL)
        gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                    GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_once_init_leave (&loaded, 1);
    }
}

char *
wallet_person_name (const char *given,
                    const char *family)
{
  /* Translators: the order of a person's names in your language: keep
   * "given-family", or translate as "family-given" */
  gboolean family_first = g_str_equal (C_("name order", "given-family"), "family-given");

  if (given == NULL || *given == '\0')
    return g_strdup (family != NULL ? family : "");
  if (family == NULL || *family == '\0')
    return g_strdup (given);
  return g_strdup_printf ("%s %s", family_first ? family : given, family_first ? given : family);
}
