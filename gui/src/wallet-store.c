/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>
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
  char *passphrase;
  tsr_sa_kind_t sa_kind;
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
    default: return tsr_strerror (tsr_err);
    }
}

GError *
wallet_error_new (int tsr_err)
{
  return g_error_new_literal (WALLET_ERROR, tsr_err, wallet_error_message (tsr_err));
}

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

static GPtrArray *
read_elements (tsr_store_t *store,
               gint64       id,
               int         *ret_err)
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
                g_autoptr(GPtrArray) elements = read_elements (store, wallet_credential_get_id (c), &err);

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
        GPtrArray *elements = read_elements (store, op->id, &r);

        if (elements == NULL)
          break;
        wallet_store_release (self);
        g_task_return_pointer (task, elements, (GDestroyNotify) g_ptr_array_unref);
        return;
      }

    case OP_DELETE:
      r = tsr_store_delete (store, op->id, NULL);
      break;

    case OP_UNLOCK:
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
  static char tags[OP_REMOVE_ROOT + 1];

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
wallet_store_show_finish (WalletStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
