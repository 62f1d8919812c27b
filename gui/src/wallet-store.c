/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "wallet-labels.h"
#include "wallet-store.h"

struct _WalletStore
{
  GObject parent_instance;

  char *path;

  GMutex lock;            /* serialises every use of store */
  tsr_store_t *store;

  GMutex secret_lock;     /* guards the fields below; never held while blocking */
  char *passphrase;       /* software passphrase, token PIN, or the TPM keys' PIN */
  tsr_sa_kind_t sa_kind;
  gboolean keys_have_pin; /* TPM: device keys are made with the PIN (KEY_PIN_SETTING) */
  char *sa_location;
  gboolean unlocked;
};

G_DEFINE_FINAL_TYPE (WalletStore, wallet_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (wallet-error-quark, wallet_error)

const char *
wallet_error_message (int tsr_err)
{
  switch (tsr_err)
    {
    case TSR_ERR_STORE_NO_WALLET: return _("There is no wallet yet");
    case TSR_ERR_STORE_LOCKED:
    case TSR_ERR_SA_PIN_REQUIRED: return _("The wallet is locked");
    case TSR_ERR_SA_PIN_INCORRECT: return _("Wrong passphrase or PIN");
    case TSR_ERR_SA_PIN_LOCKED: return _("The PIN is locked after too many wrong attempts");
    case TSR_ERR_SA_UNAVAILABLE: return _("The secure area cannot be reached");
    case TSR_ERR_SA_TOKEN_NOT_FOUND: return _("The security token is not connected");
    case TSR_ERR_SA_KEY_INVALID: return _("The secure area refuses this wallet’s keys");
    case TSR_ERR_STORE_BUSY: return _("The wallet is busy in another program; try again");
    case TSR_ERR_STORE_NEWER: return _("This wallet was written by a newer version of Tessera");
    case TSR_ERR_STORE_CORRUPT: return _("The wallet is damaged");
    case TSR_ERR_STORE_DATABASE: return _("The wallet file cannot be read or written");
    case TSR_ERR_STORE_USED_UP: return _("This credential has no uses left");
    case TSR_ERR_CERT_PARSE: return _("Not a certificate");
    case TSR_ERR_TRANSPORT_IN_USE: return _("The connection address is in use");
    case TSR_ERR_TRANSPORT_TIMEOUT: return _("The reader did not answer in time");
    case TSR_ERR_TRANSPORT_CLOSED: return _("The reader went away");
    case TSR_ERR_SESSION_TERMINATED: return _("The reader ended the session");
    case TSR_ERR_CRYPTO_DECRYPT: return _("The reader’s message could not be decrypted");
    case TSR_ERR_STORE_EXISTS: return _("There is already a wallet at that place");
    case TSR_ERR_STORE_FOREIGN_KEY: return _("This credential was issued to a key of another wallet");
    case TSR_ERR_STORE_DUPLICATE: return _("This credential is already in the wallet");
    case TSR_ERR_VERIFY: return _("The credential does not verify");
    case TSR_ERR_TRANSPORT_BLE_POWERED_OFF: return _("Bluetooth is off");
    case TSR_ERR_TRANSPORT_BLE_NO_ADAPTER: return _("No Bluetooth adapter");
    case TSR_ERR_TRANSPORT_BLE_NO_BLUEZ: return _("Bluetooth service not running");
    case TSR_ERR_TRANSPORT_BLE_PERMISSION: return _("The system refused access to Bluetooth");
    case TSR_ERR_TRANSPORT_BLE_IDENT: return _("The reader that answered over Bluetooth is not the one that scanned the code");
    default: return tsr_strerror (tsr_err);
    }
}

GError *
wallet_error_new (int tsr_err)
{
  return g_error_new_literal (WALLET_ERROR, tsr_err, wallet_error_message (tsr_err));
}

/* Set ("1") in a TPM wallet created with a PIN: each device key gets it as
 * its authValue, and presenting or attesting with the key needs it. */
#define KEY_PIN_SETTING "keys.pin"

static int
secret_cb (void       *user,
           const char *purpose,
           char       *buf,
           size_t      cap)
{
  WalletStore *self = user;
  int r = 1;

  g_mutex_lock (&self->secret_lock);
  if (self->passphrase != NULL && strlen (self->passphrase) < cap)
    {
      memcpy (buf, self->passphrase, strlen (self->passphrase) + 1);
      r = 0;
    }
  g_mutex_unlock (&self->secret_lock);
  return r;
}

static void
forget_passphrase (WalletStore *self)
{
  g_mutex_lock (&self->secret_lock);
  if (self->passphrase != NULL)
    {
      explicit_bzero (self->passphrase, strlen (self->passphrase));
      g_clear_pointer (&self->passphrase, g_free);
    }
  g_mutex_unlock (&self->secret_lock);
}

static void
wallet_store_finalize (GObject *object)
{
  WalletStore *self = WALLET_STORE (object);

  tsr_store_free (self->store);
  forget_passphrase (self);
  g_free (self->path);
  g_free (self->sa_location);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->secret_lock);
  G_OBJECT_CLASS (wallet_store_parent_class)->finalize (object);
}

static void
wallet_store_class_init (WalletStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wallet_store_finalize;
}

static void
wallet_store_init (WalletStore *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->secret_lock);
}

WalletStore *
wallet_store_new (const char *path)
{
  WalletStore *self = g_object_new (WALLET_TYPE_STORE, NULL);

  if (path != NULL && *path != '\0')
    self->path = g_strdup (path);
  else
    {
      char *p = NULL;

      if (tsr_store_default_path (&p) == TSR_OK)
        self->path = g_strdup (p);
      else
        self->path = g_build_filename (g_get_user_data_dir (), "tessera", "wallet.db", NULL);
      tsr_free (p);
    }
  return self;
}

const char *
wallet_store_get_path (WalletStore *self)
{
  g_return_val_if_fail (WALLET_IS_STORE (self), NULL);
  return self->path;
}

void
wallet_store_set_passphrase (WalletStore *self,
                             const char  *passphrase)
{
  g_return_if_fail (WALLET_IS_STORE (self));

  forget_passphrase (self);
  g_mutex_lock (&self->secret_lock);
  self->passphrase = g_strdup (passphrase);
  g_mutex_unlock (&self->secret_lock);
}

gboolean
wallet_store_has_passphrase (WalletStore *self)
{
  gboolean has;

  g_mutex_lock (&self->secret_lock);
  has = self->passphrase != NULL;
  g_mutex_unlock (&self->secret_lock);
  return has;
}

tsr_sa_kind_t
wallet_store_get_sa_kind (WalletStore *self)
{
  tsr_sa_kind_t kind;

  g_mutex_lock (&self->secret_lock);
  kind = self->sa_kind;
  g_mutex_unlock (&self->secret_lock);
  return kind;
}

gboolean
wallet_store_get_keys_have_pin (WalletStore *self)
{
  gboolean has;

  g_mutex_lock (&self->secret_lock);
  has = self->keys_have_pin;
  g_mutex_unlock (&self->secret_lock);
  return has;
}

/* The PIN for a new or attested TPM key: NULL for a wallet without key
 * PINs, else a copy of the one kept (wipe and free), or NULL and
 * *ret_err = TSR_ERR_SA_PIN_REQUIRED when none is kept. */
static char *
dup_key_pin (WalletStore *self,
             int         *ret_err)
{
  char *pin = NULL;

  *ret_err = TSR_OK;
  g_mutex_lock (&self->secret_lock);
  if (self->keys_have_pin)
    {
      pin = g_strdup (self->passphrase);
      if (pin == NULL)
        *ret_err = TSR_ERR_SA_PIN_REQUIRED;
    }
  g_mutex_unlock (&self->secret_lock);
  return pin;
}

static void
free_key_pin (char *pin)
{
  if (pin != NULL)
    explicit_bzero (pin, strlen (pin));
  g_free (pin);
}

char *
wallet_store_dup_sa_location (WalletStore *self)
{
  char *location;

  g_mutex_lock (&self->secret_lock);
  location = g_strdup (self->sa_location);
  g_mutex_unlock (&self->secret_lock);
  return location;
}

gboolean
wallet_store_is_unlocked (WalletStore *self)
{
  gboolean unlocked;

  g_mutex_lock (&self->secret_lock);
  unlocked = self->unlocked;
  g_mutex_unlock (&self->secret_lock);
  return unlocked;
}

gboolean
wallet_store_needs_key_pin (WalletStore *self)
{
  gboolean needs;

  g_mutex_lock (&self->secret_lock);
  needs = self->keys_have_pin && self->passphrase == NULL;
  g_mutex_unlock (&self->secret_lock);
  return needs;
}

static void
set_unlocked (WalletStore *self,
              gboolean     unlocked)
{
  g_mutex_lock (&self->secret_lock);
  self->unlocked = unlocked;
  g_mutex_unlock (&self->secret_lock);
}

tsr_store_t *
wallet_store_acquire (WalletStore  *self,
                      gboolean      unlock,
                      GError      **error)
{
  int r;

  g_mutex_lock (&self->lock);
  if (self->store == NULL)
    {
      tsr_store_options_t options;

      memset (&options, 0, sizeof options);
      options.secret = secret_cb;
      options.secret_user = self;
      if ((r = tsr_store_open (self->path, &options, &self->store)) != TSR_OK)
        goto fail;
      {
        char *value = NULL;

        g_mutex_lock (&self->secret_lock);
        self->keys_have_pin = tsr_store_setting_get (self->store, KEY_PIN_SETTING, &value) == TSR_OK &&
                              g_strcmp0 (value, "1") == 0;
        g_mutex_unlock (&self->secret_lock);
        tsr_free (value);
      }
      g_mutex_lock (&self->secret_lock);
      self->sa_kind = tsr_store_sa_kind (self->store);
      g_free (self->sa_location);
      self->sa_location = g_strdup (tsr_store_sa_location (self->store));
      g_mutex_unlock (&self->secret_lock);
    }
  if (unlock)
    {
      if ((r = tsr_store_unlock (self->store)) != TSR_OK)
        {
          if (r == TSR_ERR_SA_PIN_INCORRECT)
            forget_passphrase (self);
          goto fail;
        }
      set_unlocked (self, TRUE);
    }
  return self->store;

fail:
  g_mutex_unlock (&self->lock);
  g_propagate_error (error, wallet_error_new (r));
  return NULL;
}

void
wallet_store_release (WalletStore *self)
{
  g_mutex_unlock (&self->lock);
}

/* ---- Operations, each in a GTask thread ---- */

typedef enum {
  OP_LIST,
  OP_SHOW,
  OP_DELETE,
  OP_UNLOCK,
  OP_LOG,
  OP_ROOTS,
  OP_ADD_ROOT,
  OP_REMOVE_ROOT,
  OP_IMPORT,
  OP_PROVISION_REQUEST,
  OP_PROVISION_RESPOND,
} OpKind;

typedef struct {
  OpKind kind;
  gint64 id;
  GBytes *bytes;
} Op;

static void
op_free (Op *op)
{
  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_free (op);
}

typedef struct {
  GPtrArray *elements;
  WalletCertInfo *cert;
} Shown;

static void
shown_free (Shown *shown)
{
  g_clear_pointer (&shown->elements, g_ptr_array_unref);
  wallet_cert_info_free (shown->cert);
  g_free (shown);
}

static GPtrArray *
read_elements (tsr_store_t     *store,
               gint64           id,
               WalletCertInfo **ret_cert,
               int             *ret_err)
{
  tsr_store_credential_t *cred = NULL;
  GPtrArray *elements;
  int r;

  if ((r = tsr_store_show (store, id, &cred)) != TSR_OK)
    {
      *ret_err = r;
      return NULL;
    }
  elements = g_ptr_array_new_with_free_func ((GDestroyNotify) wallet_element_free);
  for (size_t i = 0; i < tsr_store_credential_element_count (cred); i++)
    {
      tsr_store_element_t e;

      if (tsr_store_credential_element (cred, i, &e) == TSR_OK)
        g_ptr_array_add (elements, wallet_element_new (e.name_space, e.identifier, e.value,
                                                       e.value_len));
    }
  if (ret_cert != NULL)
    {
      tsr_cert_summary_t summary;

      tsr_cert_summary_init (&summary);
      *ret_cert = tsr_store_credential_ds_cert (cred, &summary) == TSR_OK ?
                  wallet_cert_info_new (&summary) : NULL;
      tsr_cert_summary_free (&summary);
    }
  tsr_store_credential_free (cred);
  return elements;
}

static char *
holder_name (GPtrArray *elements)
{
  g_autofree char *given = NULL, *family = NULL;

  for (guint i = 0; i < elements->len; i++)
    {
      WalletElement *e = g_ptr_array_index (elements, i);
      gsize len;
      const guint8 *v = g_bytes_get_data (e->value, &len);

      if (given == NULL && g_str_equal (e->identifier, "given_name"))
        given = wallet_value_format (e->identifier, v, len, NULL);
      else if (family == NULL && g_str_equal (e->identifier, "family_name"))
        family = wallet_value_format (e->identifier, v, len, NULL);
    }
  if (given == NULL && family == NULL)
    return NULL;
  return wallet_person_name (given, family);
}

/* ---- Adding credentials: import and attested provisioning ---- */

/* The keys of the request in flight, as `tessera wallet provision-request`
 * keeps them (wallet-core/tools/cmd-wallet-provision.c). */
#define PENDING_SETTING "provisioning.pending-keys"

/* failed: the index in a batch of the credential at fault, or SIZE_MAX. */
static GError *
import_error (int       r,
              uint32_t  reasons,
              size_t    failed)
{
  g_autoptr(GString) names = NULL;
  g_autoptr(GError) error = NULL;

  if (failed != SIZE_MAX)
    {
      error = import_error (r, reasons, SIZE_MAX);
      /* TRANSLATORS: %zu counts from 1; %s says what is wrong with it. Nothing of the
       * batch is added. */
      return g_error_new (WALLET_ERROR, r, _("Credential %zu of the batch: %s"), failed + 1,
                          error->message);
    }

  if (r == TSR_ERR_VERIFY)
    {
      names = g_string_new (NULL);
      for (guint bit = 0; bit < 32; bit++)
        {
          const char *name;

          if (!(reasons & (1u << bit)) || (name = tsr_reason_name (1u << bit)) == NULL)
            continue;
          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append_printf (names, "%s (%s)", name, tsr_reason_text (1u << bit));
        }
      /* TRANSLATORS: %s lists why, e.g. "issuer-signature (the issuer’s signature is wrong)". */
      return g_error_new (WALLET_ERROR, r, _("Refused, the credential does not verify: %s"),
                          names->len > 0 ? names->str : tsr_strerror (r));
    }
  if (r <= TSR_ERR_CBOR_TRUNCATED && r >= TSR_ERR_MDOC_VERSION)
    return g_error_new (WALLET_ERROR, r, _("Not a credential file (%s)"), tsr_strerror (r));
  return wallet_error_new (r);
}

static gboolean
parse_pending (const char *text,
               GArray     *ids)
{
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 v;

      if (!g_ascii_string_to_signed (parts[i], 10, 1, G_MAXINT64, &v, NULL))
        return FALSE;
      g_array_append_val (ids, v);
    }
  return ids->len > 0;
}

static void
free_refs (GPtrArray *refs)
{
  for (guint i = 0; i < refs->len; i++)
    tsr_free (g_ptr_array_index (refs, i));
  g_ptr_array_unref (refs);
}

static int
load_refs (tsr_store_t *store,
           GArray      *ids,
           GPtrArray   *refs,
           GArray      *lens)
{
  for (guint i = 0; i < ids->len; i++)
    {
      guint8 *ref = NULL;
      size_t len = 0;
      int r = tsr_store_key_get (store, g_array_index (ids, gint64, i), &ref, &len, NULL, NULL);

      if (r != TSR_OK)
        return r;
      g_ptr_array_add (refs, ref);
      g_array_append_val (lens, len);
    }
  return TSR_OK;
}

static GError *
provision_error (int r)
{
  return g_error_new (WALLET_ERROR, r, _("The TPM refused: %s"), tsr_strerror (r));
}

static void
run_add_op (GTask       *task,
            WalletStore *self,
            tsr_store_t *store,
            Op          *op)
{
  gsize len = 0;
  const guint8 *data = op->bytes != NULL ? g_bytes_get_data (op->bytes, &len) : NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *lens = g_array_new (FALSE, FALSE, sizeof (size_t));
  GPtrArray *refs = g_ptr_array_new ();
  tsr_secure_area_t *sa = NULL;
  GError *error = NULL;
  guint8 *out = NULL;
  size_t out_len = 0;
  char *pending = NULL;
  char *key_pin = NULL;
  int r;

  switch (op->kind)
    {
    case OP_IMPORT:
      {
        int64_t id = 0, *batch_ids = NULL;
        size_t n = 0, failed = SIZE_MAX;
        uint32_t reasons = 0;

        /* A batch from the issuer: single-use credentials, all added or none. */
        if (tsr_store_is_batch (data, len))
          {
            r = tsr_store_import_batch (store, data, len, NULL, &batch_ids, &n, &failed,
                                        &reasons);
            g_array_append_vals (ids, batch_ids, n);
            tsr_free (batch_ids);
          }
        else if ((r = tsr_store_import (store, data, len, NULL, &id, &reasons)) == TSR_OK)
          g_array_append_val (ids, id);
        if (r != TSR_OK)
          error = import_error (r, reasons, failed);
        else
          g_task_return_pointer (task, g_array_ref (ids), (GDestroyNotify) g_array_unref);
        break;
      }

    case OP_PROVISION_REQUEST:
      {
        gint64 id = 0;

        if (tsr_store_sa_kind (store) != TSR_SA_TPM2)
          {
            error = g_error_new_literal (WALLET_ERROR, TSR_ERR_SA_NOT_SUPPORTED,
                                         _("Attested provisioning needs a wallet in a TPM 2.0; this wallet uses another secure area"));
            break;
          }
        {
          tsr_sa_key_options_t options = { 0 };

          /* A wallet created with a PIN gives it to each key (authValue). */
          key_pin = dup_key_pin (self, &r);
          options.pin = key_pin;
          if (r != TSR_OK ||
              (r = tsr_store_create_key (store, &options, &id, NULL, NULL)) != TSR_OK)
            {
              error = wallet_error_new (r);
              break;
            }
        }
        g_array_append_val (ids, id);
        if ((r = load_refs (store, ids, refs, lens)) != TSR_OK ||
            (r = tsr_store_secure_area (store, &sa)) != TSR_OK ||
            (r = tsr_attest_request_create (sa, (const uint8_t *const *) refs->pdata,
                                            (const size_t *) (gpointer) lens->data, ids->len,
                                            &out, &out_len)) != TSR_OK)
          {
            error = provision_error (r);
            break;
          }
        {
          g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

          if ((r = tsr_store_setting_set (store, PENDING_SETTING, text)) != TSR_OK)
            {
              error = wallet_error_new (r);
              break;
            }
        }
        g_task_return_pointer (task, g_bytes_new (out, out_len), (GDestroyNotify) g_bytes_unref);
        break;
      }

    case OP_PROVISION_RESPOND:
      {
        const char *pins[1] = { NULL };

        if (tsr_store_setting_get (store, PENDING_SETTING, &pending) != TSR_OK ||
            !parse_pending (pending, ids) || ids->len != 1)
          {
            error = g_error_new_literal (WALLET_ERROR, TSR_ERR_INVALID_ARGUMENT,
                                         _("No key request is waiting for a challenge; create a key request first"));
            break;
          }
        /* TPM2_Certify uses the key: its PIN, when it has one. */
        key_pin = dup_key_pin (self, &r);
        pins[0] = key_pin;
        if (r != TSR_OK)
          {
            error = wallet_error_new (r);
            break;
          }
        if ((r = load_refs (store, ids, refs, lens)) != TSR_OK ||
            (r = tsr_store_secure_area (store, &sa)) != TSR_OK ||
            (r = tsr_attest_respond (sa, data, len, (const uint8_t *const *) refs->pdata,
                                     (const size_t *) (gpointer) lens->data, pins, ids->len,
                                     &out, &out_len)) != TSR_OK)
          {
            if (r == TSR_ERR_SA_PIN_INCORRECT)
              forget_passphrase (self);
            error = g_error_new (WALLET_ERROR, r, _("Cannot answer the challenge: %s"),
                                 wallet_error_message (r));
            break;
          }
        if ((r = tsr_store_key_set_attested (store, g_array_index (ids, gint64, 0), out,
                                             out_len)) != TSR_OK ||
            (r = tsr_store_setting_set (store, PENDING_SETTING, "")) != TSR_OK)
          {
            error = wallet_error_new (r);
            break;
          }
        g_task_return_pointer (task, g_bytes_new (out, out_len), (GDestroyNotify) g_bytes_unref);
        break;
      }

    default:
      g_assert_not_reached ();
    }

  wallet_store_release (self);
  if (error != NULL)
    g_task_return_error (task, error);
  tsr_free (out);
  tsr_free (pending);
  free_key_pin (key_pin);
  free_refs (refs);
  g_array_unref (ids);
  g_array_unref (lens);
}

/* A key of the wallet: a credential's, else one of the request in flight;
 * 0 when there is none yet. */
static gint64
any_key_id (tsr_store_t *store)
{
  g_autoptr(GArray) pending_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  tsr_store_list_t *list = NULL;
  char *pending = NULL;
  gint64 id = 0;

  if (tsr_store_list (store, &list) == TSR_OK && tsr_store_list_count (list) > 0)
    id = tsr_store_list_get (list, 0)->key_id;
  else if (tsr_store_setting_get (store, PENDING_SETTING, &pending) == TSR_OK &&
           parse_pending (pending, pending_ids))
    id = g_array_index (pending_ids, gint64, 0);
  tsr_store_list_free (list);
  tsr_free (pending);
  return id;
}

/* A TPM wallet with key PINs: the PIN kept (what the holder typed to
 * unlock) must be there, and open a key of the wallet, when there is one
 * yet (a wrong one counts towards the TPM's lockout, as any wrong PIN). */
static int
check_key_pin (WalletStore *self,
               tsr_store_t *store)
{
  static const guint8 probe[] = "tessera key PIN check";
  tsr_secure_area_t *sa = NULL;
  guint8 *ref = NULL, sig[64];
  size_t ref_len = 0;
  gint64 key_id;
  char *pin;
  int r;

  pin = dup_key_pin (self, &r);
  if (r != TSR_OK || pin == NULL)
    return r;
  if ((key_id = any_key_id (store)) != 0 &&
      (r = tsr_store_key_get (store, key_id, &ref, &ref_len, NULL, NULL)) == TSR_OK &&
      (r = tsr_store_secure_area (store, &sa)) == TSR_OK)
    r = tsr_secure_area_sign (sa, ref, ref_len, pin, probe, sizeof probe, sig);
  if (r == TSR_ERR_SA_PIN_INCORRECT || r == TSR_ERR_SA_PIN_LOCKED)
    forget_passphrase (self);
  tsr_free (ref);
  free_key_pin (pin);
  return r;
}

static void
run_op (GTask        *task,
        gpointer      source_object,
        gpointer      task_data,
        GCancellable *cancellable)
{
  WalletStore *self = source_object;
  Op *op = task_data;
  GError *error = NULL;
  gboolean need_unlock = op->kind != OP_LIST && op->kind != OP_ROOTS &&
                         op->kind != OP_ADD_ROOT && op->kind != OP_REMOVE_ROOT;
  tsr_store_t *store = wallet_store_acquire (self, need_unlock, &error);
  int r = TSR_OK;

  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (op->kind == OP_IMPORT || op->kind == OP_PROVISION_REQUEST ||
      op->kind == OP_PROVISION_RESPOND)
    {
      run_add_op (task, self, store, op);
      return;
    }

  switch (op->kind)
    {
    case OP_LIST:
      {
        tsr_store_list_t *list = NULL;
        g_autoptr(GListStore) model = g_list_store_new (WALLET_TYPE_CREDENTIAL);
        gboolean names;

        if ((r = tsr_store_list (store, &list)) != TSR_OK)
          break;
        /* Holder names are sealed: shown only when the wallet can be unlocked
         * without asking. */
        names = wallet_store_has_passphrase (self) && tsr_store_unlock (store) == TSR_OK;
        if (names)
          set_unlocked (self, TRUE);
        for (size_t i = 0; i < tsr_store_list_count (list); i++)
          {
            g_autoptr(WalletCredential) c = wallet_credential_new (tsr_store_list_get (list, i));

            if (names)
              {
                int err;
                g_autoptr(GPtrArray) elements = read_elements (store, wallet_credential_get_id (c), NULL, &err);

                if (elements != NULL)
                  {
                    g_autofree char *name = holder_name (elements);
                    wallet_credential_set_holder_name (c, name);
                  }
              }
            g_list_store_append (model, c);
          }
        tsr_store_list_free (list);
        wallet_store_release (self);
        g_task_return_pointer (task, g_steal_pointer (&model), g_object_unref);
        return;
      }

    case OP_SHOW:
      {
        Shown *shown = g_new0 (Shown, 1);

        shown->elements = read_elements (store, op->id, &shown->cert, &r);
        if (shown->elements == NULL)
          {
            shown_free (shown);
            break;
          }
        wallet_store_release (self);
        g_task_return_pointer (task, shown, (GDestroyNotify) shown_free);
        return;
      }

    case OP_DELETE:
      r = tsr_store_delete (store, op->id, NULL);
      break;

    case OP_UNLOCK:
      r = check_key_pin (self, store);
      break;

    case OP_REMOVE_ROOT:
      r = tsr_store_trust_remove (store, op->id);
      break;

    case OP_LOG:
      {
        tsr_store_log_t *log = NULL;
        g_autoptr(GListStore) model = g_list_store_new (WALLET_TYPE_LOG_ENTRY);

        if ((r = tsr_store_log_list (store, &log)) != TSR_OK)
          break;
        for (size_t i = tsr_store_log_count (log); i > 0; i--)
          {
            g_autoptr(WalletLogEntry) e = wallet_log_entry_new (tsr_store_log_get (log, i - 1));
            g_list_store_append (model, e);
          }
        tsr_store_log_free (log);
        wallet_store_release (self);
        g_task_return_pointer (task, g_steal_pointer (&model), g_object_unref);
        return;
      }

    case OP_ROOTS:
      {
        tsr_store_roots_t *roots = NULL;
        g_autoptr(GListStore) model = g_list_store_new (WALLET_TYPE_ROOT);

        if ((r = tsr_store_trust_list (store, TSR_TRUST_READER_ROOT, &roots)) != TSR_OK)
          break;
        for (size_t i = 0; i < tsr_store_roots_count (roots); i++)
          {
            g_autoptr(WalletRoot) root = wallet_root_new (tsr_store_roots_get (roots, i));
            g_list_store_append (model, root);
          }
        tsr_store_roots_free (roots);
        wallet_store_release (self);
        g_task_return_pointer (task, g_steal_pointer (&model), g_object_unref);
        return;
      }

    case OP_ADD_ROOT:
      {
        gsize len;
        const guint8 *data = g_bytes_get_data (op->bytes, &len);
        size_t count = 0;

        if ((r = tsr_store_trust_add (store, TSR_TRUST_READER_ROOT, data, len, &count)) != TSR_OK)
          break;
        wallet_store_release (self);
        g_task_return_int (task, (gssize) count);
        return;
      }

    default:
      g_assert_not_reached ();
    }

  wallet_store_release (self);
  if (r != TSR_OK)
    g_task_return_error (task, wallet_error_new (r));
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_op (WalletStore         *self,
          OpKind               kind,
          gint64               id,
          GBytes              *bytes,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->id = id;
  op->bytes = bytes != NULL ? g_bytes_ref (bytes) : NULL;
  /* One tag per kind of operation (function pointers are no data pointers in ISO C). */
  static char tags[OP_PROVISION_RESPOND + 1];

  g_task_set_source_tag (task, &tags[kind]);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_task_run_in_thread (task, run_op);
}

void
wallet_store_list_async (WalletStore *self, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_LIST, 0, NULL, cancellable, callback, user_data);
}

GListModel *
wallet_store_list_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
wallet_store_show_async (WalletStore *self, gint64 id, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_SHOW, id, NULL, cancellable, callback, user_data);
}

GPtrArray *
wallet_store_show_finish (WalletStore *self, GAsyncResult *result, WalletCertInfo **ret_cert,
                          GError **error)
{
  Shown *shown;
  GPtrArray *elements;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if ((shown = g_task_propagate_pointer (G_TASK (result), error)) == NULL)
    return NULL;
  elements = g_steal_pointer (&shown->elements);
  if (ret_cert != NULL)
    *ret_cert = g_steal_pointer (&shown->cert);
  shown_free (shown);
  return elements;
}

void
wallet_store_delete_async (WalletStore *self, gint64 id, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_DELETE, id, NULL, cancellable, callback, user_data);
}

gboolean
wallet_store_delete_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
wallet_store_unlock_async (WalletStore *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_UNLOCK, 0, NULL, cancellable, callback, user_data);
}

gboolean
wallet_store_unlock_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
wallet_store_log_async (WalletStore *self, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_LOG, 0, NULL, cancellable, callback, user_data);
}

GListModel *
wallet_store_log_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
wallet_store_roots_async (WalletStore *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_ROOTS, 0, NULL, cancellable, callback, user_data);
}

GListModel *
wallet_store_roots_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
wallet_store_add_root_async (WalletStore *self, GBytes *certs, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_ADD_ROOT, 0, certs, cancellable, callback,
            user_data);
}

gssize
wallet_store_add_root_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

void
wallet_store_remove_root_async (WalletStore *self, gint64 id, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_REMOVE_ROOT, id, NULL, cancellable,
            callback, user_data);
}

gboolean
wallet_store_remove_root_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}


/* ---- Changing the passphrase or PIN ---- */

typedef struct {
  char *old_secret;
  char *new_secret;
} ChangeSecret;

static char change_secret_tag;

static void
change_secret_free (ChangeSecret *c)
{
  if (c->old_secret != NULL)
    explicit_bzero (c->old_secret, strlen (c->old_secret));
  if (c->new_secret != NULL)
    explicit_bzero (c->new_secret, strlen (c->new_secret));
  g_free (c->old_secret);
  g_free (c->new_secret);
  g_free (c);
}

static GError *
change_secret_error (int r)
{
  const char *msg;

  switch (r)
    {
    case TSR_ERR_SA_PIN_INCORRECT: msg = _("The current passphrase or PIN is wrong"); break;
    case TSR_ERR_INVALID_ARGUMENT: msg = _("The new PIN is not accepted: check its length"); break;
    case TSR_ERR_SA_NOT_SUPPORTED: msg = _("This wallet has no PIN to change"); break;
    default: return wallet_error_new (r);
    }
  return g_error_new_literal (WALLET_ERROR, r, msg);
}

static void
change_secret_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  WalletStore *self = source;
  ChangeSecret *c = task_data;
  GError *error = NULL;
  tsr_store_t *store;
  int r;

  if ((store = wallet_store_acquire (self, FALSE, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  r = tsr_store_change_secret (store, c->old_secret, c->new_secret);
  if (r == TSR_ERR_SA_NOT_SUPPORTED && tsr_store_sa_kind (store) == TSR_SA_TPM2 &&
      wallet_store_get_keys_have_pin (self))
    {
      /* No key yet: the PIN exists only here, for the keys to come. */
      g_mutex_lock (&self->secret_lock);
      r = self->passphrase == NULL || g_str_equal (self->passphrase, c->old_secret) ?
          TSR_OK : TSR_ERR_SA_PIN_INCORRECT;
      g_mutex_unlock (&self->secret_lock);
    }
  wallet_store_release (self);
  if (r != TSR_OK)
    {
      g_task_return_error (task, change_secret_error (r));
      return;
    }
  wallet_store_set_passphrase (self, c->new_secret);
  set_unlocked (self, TRUE);
  g_task_return_boolean (task, TRUE);
}

void
wallet_store_change_secret_async (WalletStore         *self,
                                  const char          *old_secret,
                                  const char          *new_secret,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ChangeSecret *c;

  g_return_if_fail (WALLET_IS_STORE (self));
  g_return_if_fail (old_secret != NULL && new_secret != NULL);
  c = g_new0 (ChangeSecret, 1);
  c->old_secret = g_strdup (old_secret);
  c->new_secret = g_strdup (new_secret);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, &change_secret_tag);
  g_task_set_task_data (task, c, (GDestroyNotify) change_secret_free);
  g_task_run_in_thread (task, change_secret_thread);
}

gboolean
wallet_store_change_secret_finish (WalletStore   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
wallet_store_import_async (WalletStore *self, GBytes *credential, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_IMPORT, 0, credential, cancellable, callback, user_data);
}

GArray *
wallet_store_import_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
wallet_store_provision_request_async (WalletStore *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_PROVISION_REQUEST, 0, NULL, cancellable, callback, user_data);
}

void
wallet_store_provision_respond_async (WalletStore *self, GBytes *challenge,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  start_op (self, OP_PROVISION_RESPOND, 0, challenge, cancellable, callback, user_data);
}

GBytes *
wallet_store_provision_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Creating the wallet ---- */

typedef struct {
  tsr_sa_kind_t kind;
  char *tcti;
  char *module;
  char *token;
  char *secret;
} CreateData;

static void
create_data_free (CreateData *c)
{
  g_free (c->tcti);
  g_free (c->module);
  g_free (c->token);
  if (c->secret != NULL)
    explicit_bzero (c->secret, strlen (c->secret));
  g_free (c->secret);
  g_free (c);
}

static int
create_secret_cb (void       *user,
                  const char *purpose,
                  char       *buf,
                  size_t      cap)
{
  CreateData *c = user;

  if (c->secret == NULL || strlen (c->secret) >= cap)
    return 1;
  memcpy (buf, c->secret, strlen (c->secret) + 1);
  return 0;
}

/* The wallet file and SQLite's files beside it. */
static const char *const sqlite_suffixes[] = { "", "-wal", "-shm", "-journal" };

static void
run_create (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  WalletStore *self = source_object;
  CreateData *c = task_data;
  g_autofree char *dir = g_path_get_dirname (self->path);
  tsr_sa_config_t config;
  tsr_store_t *store = NULL;
  int r;

  memset (&config, 0, sizeof config);
  config.kind = c->kind;
  config.tpm_tcti = c->tcti;
  config.pkcs11_module = c->module;
  config.pkcs11_token_label = c->token;
  config.secret = create_secret_cb;
  config.secret_user = c;
  g_mkdir_with_parents (dir, 0700);

  g_mutex_lock (&self->lock);
  r = tsr_store_create (self->path, &config, &store);
  /* TPM: the wallet itself has no secret; a PIN is for its keys. */
  if (r == TSR_OK && c->kind == TSR_SA_TPM2 && c->secret != NULL &&
      (r = tsr_store_setting_set (store, KEY_PIN_SETTING, "1")) != TSR_OK)
    {
      /* Nothing half made: a wallet whose keys would lack the PIN asked for. */
      tsr_store_free (store);
      store = NULL;
      for (guint i = 0; i < G_N_ELEMENTS (sqlite_suffixes); i++)
        {
          g_autofree char *file = g_strconcat (self->path, sqlite_suffixes[i], NULL);
          g_unlink (file);
        }
    }
  if (r == TSR_OK)
    {
      /* Reopened (through the secret callback) by the next operation. */
      tsr_store_free (self->store);
      self->store = NULL;
      tsr_store_free (store);
    }
  g_mutex_unlock (&self->lock);
  if (r != TSR_OK)
    {
      g_task_return_error (task, wallet_error_new (r));
      return;
    }
  wallet_store_set_passphrase (self, c->secret);
  g_task_return_boolean (task, TRUE);
}

void
wallet_store_create_async (WalletStore         *self,
                           tsr_sa_kind_t        kind,
                           const char          *tcti,
                           const char          *pkcs11_module,
                           const char          *token_label,
                           const char          *secret,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  CreateData *c = g_new0 (CreateData, 1);

  c->kind = kind;
  c->tcti = tcti != NULL && *tcti != '\0' ? g_strdup (tcti) : NULL;
  c->module = g_strdup (pkcs11_module);
  c->token = g_strdup (token_label);
  c->secret = secret != NULL && *secret != '\0' ? g_strdup (secret) : NULL;
  static char tag;

  g_task_set_source_tag (task, &tag);
  g_task_set_task_data (task, c, (GDestroyNotify) create_data_free);
  g_task_run_in_thread (task, run_create);
}

gboolean
wallet_store_create_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
wallet_tpm_reachable (void)
{
  return g_getenv ("TESSERA_TCTI") != NULL || g_file_test ("/dev/tpmrm0", G_FILE_TEST_EXISTS);
}
