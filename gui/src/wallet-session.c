/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "wallet-labels.h"
#include "wallet-session.h"

/* Transport calls wait in slices this long, so cancellation is quick. */
#define SLICE_MS 250
/* After a reader connected, how long its request may take; a reader
 * that sends no further request for this long is done with the session. */
#define REQUEST_TIMEOUT_MS (60 * 1000)
/* How long sending a response may take. */
#define SEND_TIMEOUT_MS (10 * 1000)

struct _WalletSession
{
  GObject parent_instance;

  WalletStore *store;
  GMainContext *context;
  WalletSessionState state;

  char *socket_path;
  char *uri;
  WalletTransport kind;
  tsr_ble_mode_t ble_mode;
  gboolean ble_l2cap;      /* offer (peripheral) or use (central) an L2CAP channel */
  gboolean fallback_local;
  char *description;  /* set by the open thread, read after open_finish */
  /* BLE: the reader connected over GATT although the Bluetooth stack may
   * use EATT, which can reorder its messages (set by the worker before it
   * posts WALLET_SESSION_CONNECTED, read after) */
  gboolean gatt_over_eatt;
  uint8_t ble_uuid[16];
  /* Atomic: set on the main thread, read by the task threads. */
  gint trusted_only;
  gint end_requested;

  /* Used only by one task thread at a time. */
  tsr_holder_session_t *hs;
  gboolean established;    /* the reader's SessionEstablishment was read */
  GBytes *request;         /* the DeviceRequest being answered */
  tsr_transport_t *transport;
  tsr_ble_link_t *link;    /* BLE: the radio, borrowed by transport */
  tsr_presentation_t *presentation;
  GPtrArray *device_keys;  /* tsr_device_key_t*, borrowing the store's secure area */
  GPtrArray *credentials;  /* GBytes of IssuerSigned, borrowed by presentation */
  GArray *credential_ids;  /* gint64 per credential, same order */
  GArray *credential_uses; /* gint64 uses_remaining per credential */
  /* wallet_element_key() -> GBytes: the offered credentials' yes/no
   * values (age statements), for the consent sheet. */
  GHashTable *values;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_TRUSTED_READERS_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WalletSession, wallet_session, G_TYPE_OBJECT)

/* GTask source tags. */
static char open_tag;
static char wait_request_tag;
static char respond_tag;

static void
wallet_session_finalize (GObject *object)
{
  WalletSession *self = WALLET_SESSION (object);

  tsr_presentation_free (self->presentation);
  g_clear_pointer (&self->request, g_bytes_unref);
  /* Device keys borrow the store's secure area: free them first. */
  g_clear_pointer (&self->device_keys, g_ptr_array_unref);
  g_clear_pointer (&self->credentials, g_ptr_array_unref);
  g_clear_pointer (&self->credential_ids, g_array_unref);
  g_clear_pointer (&self->credential_uses, g_array_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);
  /* The transport borrows the link: free it first. */
  tsr_transport_free (self->transport);
  tsr_ble_link_free (self->link);
  tsr_holder_session_free (self->hs);
  g_free (self->socket_path);
  g_free (self->description);
  tsr_free (self->uri);
  g_clear_object (&self->store);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (wallet_session_parent_class)->finalize (object);
}

static void
wallet_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WalletSession *self = WALLET_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, (int) self->state);
      break;
    case PROP_TRUSTED_READERS_ONLY:
      g_value_set_boolean (value, wallet_session_get_trusted_readers_only (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  WalletSession *self = WALLET_SESSION (object);

  switch (prop_id)
    {
    case PROP_TRUSTED_READERS_ONLY:
      wallet_session_set_trusted_readers_only (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_session_class_init (WalletSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wallet_session_finalize;
  object_class->get_property = wallet_session_get_property;
  object_class->set_property = wallet_session_set_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      WALLET_SESSION_WAITING, WALLET_SESSION_FAILED, WALLET_SESSION_WAITING,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TRUSTED_READERS_ONLY] =
    g_param_spec_boolean ("trusted-readers-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
device_key_free (gpointer key)
{
  tsr_device_key_free (key);
}

static void
wallet_session_init (WalletSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->device_keys = g_ptr_array_new_with_free_func (device_key_free);
  self->credentials = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->credential_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->credential_uses = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
}

static char *
default_socket_path (void)
{
  static guint counter;
  const char *env = g_getenv ("TESSERA_WALLET_SOCKET");
  g_autofree char *name = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  name = g_strdup_printf ("tessera-wallet-%d-%u.sock", (int) getpid (),
                          g_atomic_int_add (&counter, 1));
  return g_build_filename (g_get_user_runtime_dir (), name, NULL);
}

WalletSession *
wallet_session_new (WalletStore  *store,
                    const char   *socket_path,
                    GError      **error)
{
  g_autoptr(WalletSession) self = g_object_new (WALLET_TYPE_SESSION, NULL);
  int r;

  g_return_val_if_fail (WALLET_IS_STORE (store), NULL);

  self->store = g_object_ref (store);
  self->socket_path = socket_path != NULL ? g_strdup (socket_path) : default_socket_path ();
  if ((r = tsr_holder_session_new (NULL, &self->hs)) != TSR_OK ||
      (r = tsr_holder_session_qr_uri (self->hs, &self->uri)) != TSR_OK)
    {
      g_propagate_error (error, wallet_error_new (r));
      return NULL;
    }
  return g_steal_pointer (&self);
}

static void post_state (WalletSession *self, WalletSessionState state);

/* An engagement offering @mode with a fresh version 4 (random) UUID, as
 * 18013-5 §8.3.3.1.1.1 asks, so nobody can track the holder by it. */
static int
make_ble_engagement (tsr_ble_mode_t         mode,
                     tsr_engagement_ble_t  *ret)
{
  int r;

  memset (ret, 0, sizeof *ret);
  if ((r = tsr_random_bytes (ret->uuid, sizeof ret->uuid)) != TSR_OK)
    return r;
  ret->uuid[6] = (uint8_t) ((ret->uuid[6] & 0x0f) | 0x40);
  ret->uuid[8] = (uint8_t) ((ret->uuid[8] & 0x3f) | 0x80);
  if (mode == TSR_BLE_MODE_CENTRAL_CLIENT)
    ret->central_client = true;
  else
    ret->peripheral_server = true;
  return TSR_OK;
}

WalletSession *
wallet_session_new_ble (WalletStore     *store,
                        tsr_ble_mode_t   ble_mode,
                        gboolean         ble_l2cap,
                        gboolean         fallback_local,
                        GError         **error)
{
  g_autoptr(WalletSession) self = g_object_new (WALLET_TYPE_SESSION, NULL);
  tsr_engagement_ble_t ble;
  int r;

  g_return_val_if_fail (WALLET_IS_STORE (store), NULL);
  g_return_val_if_fail (ble_mode == TSR_BLE_MODE_PERIPHERAL_SERVER ||
                        ble_mode == TSR_BLE_MODE_CENTRAL_CLIENT, NULL);

  self->store = g_object_ref (store);
  self->kind = WALLET_TRANSPORT_BLE;
  self->ble_mode = ble_mode;
  self->ble_l2cap = ble_l2cap;
  self->fallback_local = fallback_local;
  /* Only used when BLE falls back to the local transport. */
  self->socket_path = default_socket_path ();
  if ((r = make_ble_engagement (ble_mode, &ble)) != TSR_OK ||
      (r = tsr_holder_session_new (&ble, &self->hs)) != TSR_OK ||
      (r = tsr_holder_session_qr_uri (self->hs, &self->uri)) != TSR_OK)
    {
      g_propagate_error (error, wallet_error_new (r));
      return NULL;
    }
  memcpy (self->ble_uuid, ble.uuid, sizeof self->ble_uuid);
  return g_steal_pointer (&self);
}

WalletTransport
wallet_session_get_transport (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), WALLET_TRANSPORT_LOCAL);
  return self->kind;
}

tsr_ble_mode_t
wallet_session_get_ble_mode (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), TSR_BLE_MODE_PERIPHERAL_SERVER);
  return self->ble_mode;
}

gboolean
wallet_session_get_gatt_over_eatt (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), FALSE);
  return self->gatt_over_eatt;
}

const char *
wallet_session_get_description (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), NULL);
  return self->description;
}

static WalletBleLinkFunc ble_link_func;
static gpointer ble_link_data;

void
wallet_session_set_ble_link_func (WalletBleLinkFunc func,
                                  gpointer          user_data)
{
  ble_link_func = func;
  ble_link_data = user_data;
}

/* A BLE error that means "this machine has no usable Bluetooth" rather
 * than "Bluetooth is there but refuses" (off, permission). */
static gboolean
no_bluetooth_here (int r)
{
  return r == TSR_ERR_TRANSPORT_BLE_NO_ADAPTER || r == TSR_ERR_TRANSPORT_BLE_NO_BLUEZ ||
         r == TSR_ERR_UNSUPPORTED;
}

/* The session is over (ended or failed): the connection goes, and with
 * the holder session its keys (the EDeviceKey, SKDevice, SKReader) are
 * wiped now, not when the page lets go of this object, which it keeps to
 * show the result for as long as the holder looks at it. The URI, the
 * presentation and the credentials stay for the page. Task thread only. */
static void
close_session (WalletSession *self)
{
  /* The transport borrows the link. */
  g_clear_pointer (&self->transport, tsr_transport_free);
  g_clear_pointer (&self->link, tsr_ble_link_free);
  g_clear_pointer (&self->hs, tsr_holder_session_free);
}

/* A new holder session, and its QR URI, in place of the first: its
 * engagement offers @ble (NULL: no BLE). */
static int
renew_holder_session (WalletSession              *self,
                      const tsr_engagement_ble_t *ble)
{
  tsr_holder_session_t *hs = NULL;
  char *uri = NULL;
  int r;

  if ((r = tsr_holder_session_new (ble, &hs)) != TSR_OK ||
      (r = tsr_holder_session_qr_uri (hs, &uri)) != TSR_OK)
    {
      tsr_holder_session_free (hs);
      return r;
    }
  tsr_holder_session_free (self->hs);
  self->hs = hs;
  tsr_free (self->uri);
  self->uri = uri;
  return TSR_OK;
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  WalletSession *self = source_object;
  const uint8_t *engagement;
  size_t engagement_len;
  tsr_ble_config_t cfg;
  tsr_ble_info_t info;
  int r;

  if (self->kind != WALLET_TRANSPORT_BLE)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  r = ble_link_func != NULL ? ble_link_func (&self->link, ble_link_data) :
      tsr_ble_link_bluez_new (NULL, &self->link);
  if (r != TSR_OK && self->fallback_local && no_bluetooth_here (r))
    {
      /* No Bluetooth on this machine and the user did not insist on it:
       * a new engagement that offers no BLE, for the local transport. */
      g_debug ("no Bluetooth (%s): using the local transport", tsr_strerror (r));
      if ((r = renew_holder_session (self, NULL)) != TSR_OK)
        goto fail;
      self->kind = WALLET_TRANSPORT_LOCAL;
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (r != TSR_OK)
    goto fail;
  tsr_ble_config_init (&cfg, TSR_BLE_ROLE_HOLDER, self->ble_mode, self->ble_uuid);
  /* Central client: scan for the reader as long as the QR code is shown
   * (cancel ends it), as the CLI does. */
  cfg.connect_timeout_ms = -1;
  /* As the CLI's --ble-l2cap: GATT stays the fallback. Where bluetoothd
   * may use EATT the transport offers L2CAP anyway. */
  cfg.l2cap = self->ble_l2cap;
  if (self->ble_mode == TSR_BLE_MODE_CENTRAL_CLIENT)
    {
      /* The holder checks the reader's Ident before it sends anything. */
      tsr_holder_session_engagement (self->hs, &engagement, &engagement_len);
      if ((r = tsr_engagement_ble_ident (engagement, engagement_len, cfg.ident)) != TSR_OK)
        goto fail;
      cfg.has_ident = true;
    }
  if ((r = tsr_transport_ble_new (&cfg, self->link, &self->transport)) != TSR_OK)
    goto fail;
  if (self->ble_mode == TSR_BLE_MODE_PERIPHERAL_SERVER &&
      tsr_transport_ble_info (self->transport, &info) == TSR_OK && info.psm != 0)
    {
      /* As the CLI: the PSM the transport listens on goes into the
       * engagement (BleOptions 21), so the reader can open the channel
       * without reading the L2CAP characteristic first. The QR code is
       * shown only once the session is open. */
      tsr_engagement_ble_t ble = { .peripheral_server = true, .has_psm = true,
                                   .psm = info.psm };

      memcpy (ble.uuid, self->ble_uuid, sizeof ble.uuid);
      if ((r = renew_holder_session (self, &ble)) != TSR_OK)
        goto fail;
    }
  self->description = g_strdup (tsr_transport_describe (self->transport));
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled"));
      return;
    }
  g_task_return_boolean (task, TRUE);
  return;

fail:
  close_session (self);
  post_state (self, WALLET_SESSION_FAILED);
  g_task_return_error (task, wallet_error_new (r));
}

void
wallet_session_open_async (WalletSession       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, &open_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, open_thread);
}

gboolean
wallet_session_open_finish (WalletSession  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
wallet_session_get_uri (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), NULL);
  return self->uri;
}

const char *
wallet_session_get_socket_path (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), NULL);
  return self->socket_path;
}

WalletSessionState
wallet_session_get_state (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), WALLET_SESSION_FAILED);
  return self->state;
}

void
wallet_session_set_trusted_readers_only (WalletSession *self,
                                         gboolean       trusted_only)
{
  g_return_if_fail (WALLET_IS_SESSION (self));

  trusted_only = !!trusted_only;
  if (g_atomic_int_exchange (&self->trusted_only, trusted_only) != trusted_only)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRUSTED_READERS_ONLY]);
}

gboolean
wallet_session_get_trusted_readers_only (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), FALSE);
  return g_atomic_int_get (&self->trusted_only);
}

void
wallet_session_end (WalletSession *self)
{
  g_return_if_fail (WALLET_IS_SESSION (self));
  g_atomic_int_set (&self->end_requested, TRUE);
}

tsr_presentation_t *
wallet_session_get_presentation (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), NULL);
  return self->presentation;
}

tsr_reader_trust_t
wallet_session_get_reader_trust (WalletSession  *self,
                                 const char    **ret_subject)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), TSR_READER_INVALID);

  return wallet_reader_trust_of (self->presentation, ret_subject);
}

/* ---- State changes, applied on the session's own thread ---- */

typedef struct {
  WalletSession *self;
  WalletSessionState state;
} StateUpdate;

static gboolean
apply_state (gpointer data)
{
  StateUpdate *u = data;

  if (u->self->state != u->state)
    {
      u->self->state = u->state;
      g_object_notify_by_pspec (G_OBJECT (u->self), properties[PROP_STATE]);
    }
  return G_SOURCE_REMOVE;
}

static void
state_update_free (gpointer data)
{
  StateUpdate *u = data;

  g_object_unref (u->self);
  g_free (u);
}

static void
post_state (WalletSession      *self,
            WalletSessionState  state)
{
  StateUpdate *u = g_new0 (StateUpdate, 1);
  g_autoptr (GSource) source = g_idle_source_new ();

  u->self = g_object_ref (self);
  u->state = state;
  /* Always queued: g_main_context_invoke_full() would run apply_state on
   * this worker thread whenever nobody iterates the main context at that
   * instant, touching widgets off the main thread (the verifier app hung
   * that way). */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, apply_state, u, state_update_free);
  g_source_attach (source, self->context);
}

/* ---- Worker-thread helpers ---- */

static void
send_status (WalletSession *self,
             int            status)
{
  uint8_t *msg = NULL;
  size_t len = 0;

  /* Best effort: the reader times out if this does not arrive. */
  if (self->transport != NULL &&
      tsr_holder_session_error (self->hs, status, &msg, &len) == TSR_OK &&
      tsr_transport_send (self->transport, msg, len, 2000) != TSR_OK)
    g_debug ("could not tell the reader that the session ends");
  tsr_free (msg);
}

/* Receives one message in slices, giving up (TSR_ERR_TRANSPORT_TIMEOUT)
 * on cancellation, wallet_session_end() or timeout. */
static int
receive_message (WalletSession  *self,
                 int             timeout_ms,
                 GCancellable   *cancellable,
                 uint8_t       **ret_msg,
                 size_t         *ret_len)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      int r = tsr_transport_receive (self->transport, SLICE_MS, ret_msg, ret_len);

      if (r != TSR_ERR_TRANSPORT_TIMEOUT)
        return r;
      if (g_cancellable_is_cancelled (cancellable) || g_atomic_int_get (&self->end_requested) ||
          g_get_monotonic_time () > deadline)
        return r;
    }
}

/* The session status for a reader's message that cannot be read. */
static int
error_status (int r)
{
  return r == TSR_ERR_CRYPTO_DECRYPT ? TSR_SESSION_STATUS_ENCRYPTION_ERROR :
         TSR_SESSION_STATUS_DECODING_ERROR;
}

/* Forgets the previous request: its presentation, and the credentials and
 * keys it borrowed (offered again for each request, so that a single-use
 * credential used up by the last answer is not offered). */
static void
clear_request (WalletSession *self)
{
  g_clear_pointer (&self->presentation, tsr_presentation_free);
  g_clear_pointer (&self->request, g_bytes_unref);
  g_ptr_array_set_size (self->device_keys, 0);
  g_ptr_array_set_size (self->credentials, 0);
  g_array_set_size (self->credential_ids, 0);
  g_array_set_size (self->credential_uses, 0);
  g_hash_table_remove_all (self->values);
}

/* A new presentation of self->request, under the strict reader policy
 * when it is on. */
static int
new_presentation (WalletSession *self)
{
  const uint8_t *transcript;
  size_t transcript_len;
  int r;

  if ((r = tsr_holder_session_transcript (self->hs, &transcript, &transcript_len)) != TSR_OK ||
      (r = tsr_presentation_new (g_bytes_get_data (self->request, NULL),
                                 g_bytes_get_size (self->request), transcript, transcript_len,
                                 &self->presentation)) != TSR_OK)
    return r;
  tsr_presentation_require_trusted_reader (self->presentation,
                                           g_atomic_int_get (&self->trusted_only));
  return TSR_OK;
}

/* Offers every credential (the DocRequests are matched in analyze), with its device key
 * (using @pin, NULL for none) and the trusted reader roots. Store lock held by the caller. */
static int
offer_credentials (WalletSession *self,
                   tsr_store_t   *store,
                   const char    *pin)
{
  tsr_store_list_t *list = NULL;
  tsr_store_roots_t *roots = NULL;
  int r;

  if ((r = tsr_store_list (store, &list)) != TSR_OK)
    return r;
  for (size_t i = 0; i < tsr_store_list_count (list); i++)
    {
      const tsr_store_summary_t *s = tsr_store_list_get (list, i);
      tsr_store_credential_t *cred = NULL;
      tsr_device_key_t *key = NULL;
      const uint8_t *bytes;
      size_t len;
      GBytes *copy;
      g_autofree char *label = NULL;

      /* A used-up single-use credential cannot answer. */
      if (s->uses_remaining == 0)
        continue;
      if ((r = tsr_store_show (store, s->id, &cred)) != TSR_OK)
        goto out;
      if ((r = tsr_store_device_key (store, s->key_id, pin, &key)) != TSR_OK)
        {
          tsr_store_credential_free (cred);
          goto out;
        }
      label = g_strdup_printf ("%" G_GINT64_FORMAT, s->id);
      for (size_t e = 0; e < tsr_store_credential_element_count (cred); e++)
        {
          tsr_store_element_t el;

          if (tsr_store_credential_element (cred, e, &el) == TSR_OK &&
              wallet_value_is_boolean (el.value, el.value_len))
            g_hash_table_insert (self->values,
                                 wallet_element_key (label, el.name_space, el.identifier),
                                 g_bytes_new (el.value, el.value_len));
        }
      bytes = tsr_store_credential_issuer_signed (cred, &len);
      copy = g_bytes_new (bytes, len);
      tsr_store_credential_free (cred);
      g_ptr_array_add (self->credentials, copy);
      g_ptr_array_add (self->device_keys, key);
      g_array_append_val (self->credential_ids, s->id);
      g_array_append_val (self->credential_uses, s->uses_remaining);
      bytes = g_bytes_get_data (copy, &len);
      if ((r = tsr_presentation_add_credential (self->presentation, bytes, len, key, label)) != TSR_OK)
        goto out;
    }
  if ((r = tsr_store_trust_list (store, TSR_TRUST_READER_ROOT, &roots)) != TSR_OK)
    goto out;
  for (size_t i = 0; i < tsr_store_roots_count (roots); i++)
    {
      const tsr_store_root_t *root = tsr_store_roots_get (roots, i);

      if ((r = tsr_presentation_add_reader_root (self->presentation, root->der,
                                                 root->der_len)) != TSR_OK)
        goto out;
    }
  r = TSR_OK;
out:
  tsr_store_roots_free (roots);
  tsr_store_list_free (list);
  return r;
}

/* Waits for a reader to connect. */
static int
connect_reader (WalletSession *self,
                GCancellable  *cancellable)
{
  int r;

  if (self->kind == WALLET_TRANSPORT_BLE)
    {
      /* Advertising (or scanning) since open: wait for the reader in
       * slices. A step timeout inside the connection ends it (CLOSED). */
      if (self->transport == NULL)
        /* wallet_session_open_async() did not succeed. */
        return TSR_ERR_SESSION_STATE;
      do
        r = tsr_transport_ble_connect (self->transport, SLICE_MS);
      while (r == TSR_ERR_TRANSPORT_TIMEOUT && !g_cancellable_is_cancelled (cancellable));
    }
  else
    /* The socket file exists only while a listen call waits; between slices
     * a reader's connect retries. */
    do
      r = tsr_transport_local_listen (self->socket_path, 500, &self->transport);
    while (r == TSR_ERR_TRANSPORT_TIMEOUT && !g_cancellable_is_cancelled (cancellable));
  return r;
}

static void
wait_request_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  WalletSession *self = source_object;
  uint8_t *msg = NULL, *request = NULL;
  size_t msg_len = 0, request_len = 0;
  GError *error = NULL;
  tsr_store_t *store;
  int r;

  clear_request (self);
  if (self->hs == NULL)
    {
      /* Over already (close_session()). */
      r = TSR_ERR_SESSION_STATE;
      goto fail;
    }
  if (!self->established)
    {
      r = connect_reader (self, cancellable);
      if (g_cancellable_is_cancelled (cancellable))
        goto cancelled;
      if (r != TSR_OK)
        goto fail;
      if (self->kind == WALLET_TRANSPORT_BLE)
        {
          tsr_ble_info_t info;

          self->gatt_over_eatt = tsr_transport_ble_info (self->transport, &info) == TSR_OK &&
                                 info.eatt_possible && !info.l2cap;
        }
      post_state (self, WALLET_SESSION_CONNECTED);
    }

  r = receive_message (self, REQUEST_TIMEOUT_MS, cancellable, &msg, &msg_len);
  if (g_cancellable_is_cancelled (cancellable))
    {
      send_status (self, TSR_SESSION_STATUS_TERMINATION);
      goto cancelled;
    }
  /* The holder ends the session, or a reader that has had its answers
   * and sends nothing more is done with it. */
  if (r == TSR_ERR_TRANSPORT_TIMEOUT &&
      (g_atomic_int_get (&self->end_requested) || self->established))
    {
      send_status (self, TSR_SESSION_STATUS_TERMINATION);
      goto ended;
    }
  if (r == TSR_ERR_TRANSPORT_CLOSED && self->established)
    goto ended;
  if (r != TSR_OK)
    goto fail;
  if (self->established)
    r = tsr_holder_session_receive (self->hs, msg, msg_len, &request, &request_len);
  else
    r = tsr_holder_session_establish (self->hs, msg, msg_len, &request, &request_len);
  if (r == TSR_ERR_SESSION_TERMINATED)
    goto ended;
  if (r != TSR_OK)
    {
      /* A reader that reported an error itself needs no answer. */
      if (r != TSR_ERR_SESSION_PEER_ERROR && r != TSR_ERR_SESSION_STATE)
        send_status (self, error_status (r));
      goto fail;
    }
  self->established = TRUE;
  post_state (self, WALLET_SESSION_REQUEST_RECEIVED);
  self->request = g_bytes_new (request, request_len);
  if ((r = new_presentation (self)) != TSR_OK)
    {
      send_status (self, TSR_SESSION_STATUS_DECODING_ERROR);
      goto fail;
    }
  if ((store = wallet_store_acquire (self->store, TRUE, &error)) == NULL)
    {
      send_status (self, TSR_SESSION_STATUS_TERMINATION);
      goto out;
    }
  r = offer_credentials (self, store, NULL);
  wallet_store_release (self->store);
  if (r != TSR_OK || (r = tsr_presentation_analyze (self->presentation)) != TSR_OK)
    {
      send_status (self, TSR_SESSION_STATUS_TERMINATION);
      goto fail;
    }
  tsr_free (msg);
  tsr_free (request);
  g_task_return_boolean (task, TRUE);
  return;

ended:
  tsr_free (msg);
  /* Closed in order first (over BLE: State "end", then disconnect). */
  tsr_transport_close (self->transport);
  close_session (self);
  post_state (self, WALLET_SESSION_ENDED);
  g_task_return_boolean (task, FALSE);
  return;
cancelled:
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
  goto out;
fail:
  error = wallet_error_new (r);
out:
  tsr_free (msg);
  tsr_free (request);
  close_session (self);
  post_state (self, WALLET_SESSION_FAILED);
  g_task_return_error (task, error);
}

void
wallet_session_wait_request_async (WalletSession       *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, &wait_request_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, wait_request_thread);
}

gboolean
wallet_session_wait_request_finish (WalletSession  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* One log entry per DocRequest. Store lock held by the caller. */
static void
write_log (WalletSession              *self,
           tsr_store_t                *store,
           tsr_presentation_outcome_t  outcome)
{
  tsr_presentation_t *p = self->presentation;

  for (size_t d = 0; d < tsr_presentation_doc_count (p); d++)
    {
      size_t n = tsr_presentation_element_count (p, d), n_shared = 0;
      g_autofree tsr_store_item_t *requested = g_new0 (tsr_store_item_t, n + 1);
      g_autofree tsr_store_item_t *shared = g_new0 (tsr_store_item_t, n + 1);
      const char *subject = NULL;
      const char *label = tsr_presentation_doc_credential (p, d);
      tsr_store_log_entry_t entry;
      int r;

      memset (&entry, 0, sizeof entry);
      entry.reader_trust = tsr_presentation_reader_trust (p, d, &subject);
      entry.reader = subject;
      entry.doc_type = tsr_presentation_doc_type (p, d);
      entry.credential_id = label != NULL ? g_ascii_strtoll (label, NULL, 10) : 0;
      for (size_t e = 0; e < n; e++)
        {
          tsr_requested_element_t el;

          if (tsr_presentation_element (p, d, e, &el) != TSR_OK)
            continue;
          requested[e].name_space = el.name_space;
          requested[e].identifier = el.identifier;
          if (outcome == TSR_PRESENTATION_SHARED && el.available && el.consented)
            {
              shared[n_shared].name_space = el.name_space;
              shared[n_shared].identifier = el.answer;
              n_shared++;
            }
        }
      entry.requested = requested;
      entry.n_requested = n;
      entry.shared = shared;
      entry.n_shared = n_shared;
      entry.outcome = outcome == TSR_PRESENTATION_SHARED && n_shared == 0 ?
                      TSR_PRESENTATION_DECLINED : outcome;
      if ((r = tsr_store_log_append (store, &entry, NULL)) != TSR_OK)
        g_warning ("Could not write the presentation log: %s", tsr_strerror (r));

      /* Count a use of a single-use credential that was presented. */
      if (entry.outcome == TSR_PRESENTATION_SHARED && entry.credential_id > 0)
        for (guint i = 0; i < self->credential_ids->len; i++)
          if (g_array_index (self->credential_ids, gint64, i) == entry.credential_id &&
              g_array_index (self->credential_uses, gint64, i) > 0)
            {
              if ((r = tsr_store_credential_use (store, entry.credential_id, NULL)) != TSR_OK)
                g_warning ("Could not count the credential's use: %s", tsr_strerror (r));
              break;
            }
    }
}

typedef struct {
  gboolean share;
  char *pin;
} RespondTask;

static void
respond_task_free (RespondTask *t)
{
  if (t->pin != NULL)
    explicit_bzero (t->pin, strlen (t->pin));
  g_free (t->pin);
  g_free (t);
}

/* The holder's choices, element by element, in the presentation's order. */
static GArray *
get_consents (tsr_presentation_t *p)
{
  GArray *consents = g_array_new (FALSE, FALSE, sizeof (gboolean));

  for (size_t d = 0; d < tsr_presentation_doc_count (p); d++)
    for (size_t e = 0; e < tsr_presentation_element_count (p, d); e++)
      {
        tsr_requested_element_t el;
        gboolean consented = tsr_presentation_element (p, d, e, &el) == TSR_OK && el.consented;

        g_array_append_val (consents, consented);
      }
  return consents;
}

static int
set_consents (tsr_presentation_t *p,
              GArray             *consents)
{
  guint i = 0;
  int r;

  for (size_t d = 0; d < tsr_presentation_doc_count (p); d++)
    for (size_t e = 0; e < tsr_presentation_element_count (p, d); e++, i++)
      if ((r = tsr_presentation_consent (p, d, e, i < consents->len &&
                                         g_array_index (consents, gboolean, i))) != TSR_OK)
        return r;
  return TSR_OK;
}

/* The request analysed again with device keys that carry @pin (a key
 * takes its PIN when it is made), keeping what the holder consented to.
 * Store lock held by the caller. */
static int
offer_again_with_pin (WalletSession *self,
                      tsr_store_t   *store,
                      const char    *pin)
{
  g_autoptr(GArray) consents = get_consents (self->presentation);
  GBytes *request = g_bytes_ref (self->request);
  int r;

  clear_request (self);
  self->request = request;
  if ((r = new_presentation (self)) != TSR_OK ||
      (r = offer_credentials (self, store, pin)) != TSR_OK ||
      (r = tsr_presentation_analyze (self->presentation)) != TSR_OK)
    return r;
  return set_consents (self->presentation, consents);
}

static void
respond_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  WalletSession *self = source_object;
  RespondTask *t = task_data;
  gboolean share = t->share;
  uint8_t *response = NULL, *msg = NULL;
  size_t response_len = 0, msg_len = 0;
  GError *error = NULL;
  tsr_store_t *store;
  int r;

  if (self->hs == NULL)
    {
      /* Over already (close_session()). */
      r = TSR_ERR_SESSION_STATE;
      goto fail;
    }
  post_state (self, WALLET_SESSION_RESPONDING);
  if (!share)
    tsr_presentation_consent_all (self->presentation, FALSE);
  /* The device key signs (or agrees keys) in the store's secure area. */
  if ((store = wallet_store_acquire (self->store, TRUE, &error)) == NULL)
    {
      send_status (self, TSR_SESSION_STATUS_TERMINATION);
      goto out;
    }
  r = share && t->pin != NULL ? offer_again_with_pin (self, store, t->pin) : TSR_OK;
  if (r == TSR_OK)
    r = tsr_presentation_respond (self->presentation, TSR_DEVICE_AUTH_MAC, &response,
                                  &response_len);
  if (r == TSR_ERR_SA_PIN_REQUIRED || r == TSR_ERR_SA_PIN_INCORRECT)
    {
      /* The key wants its PIN (again): the holder is asked, the request
       * stays open and nothing was sent. */
      wallet_store_release (self->store);
      post_state (self, WALLET_SESSION_REQUEST_RECEIVED);
      g_task_return_error (task, wallet_error_new (r));
      return;
    }
  if (r != TSR_OK)
    {
      /* Analysing again with the PIN may have failed before a presentation. */
      if (self->presentation != NULL)
        write_log (self, store, TSR_PRESENTATION_FAILED);
      wallet_store_release (self->store);
      send_status (self, TSR_SESSION_STATUS_TERMINATION);
      goto fail;
    }
  write_log (self, store, share ? TSR_PRESENTATION_SHARED : TSR_PRESENTATION_DECLINED);
  wallet_store_release (self->store);

  /* The reader decides whether more requests follow: it ends the session. */
  if ((r = tsr_holder_session_respond (self->hs, response, response_len, FALSE, &msg,
                                       &msg_len)) != TSR_OK ||
      (r = tsr_transport_send (self->transport, msg, msg_len, SEND_TIMEOUT_MS)) != TSR_OK)
    goto fail;
  tsr_free (response);
  tsr_free (msg);
  post_state (self, WALLET_SESSION_ANSWERED);
  g_task_return_boolean (task, TRUE);
  return;

fail:
  error = wallet_error_new (r);
out:
  tsr_free (response);
  tsr_free (msg);
  close_session (self);
  post_state (self, WALLET_SESSION_FAILED);
  g_task_return_error (task, error);
}

void
wallet_session_respond_async (WalletSession       *self,
                              gboolean             share,
                              const char          *pin,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RespondTask *t;

  g_return_if_fail (self->presentation != NULL);

  t = g_new0 (RespondTask, 1);
  t->share = share;
  t->pin = g_strdup (pin);
  g_task_set_source_tag (task, &respond_tag);
  g_task_set_task_data (task, t, (GDestroyNotify) respond_task_free);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, respond_thread);
}

gboolean
wallet_session_respond_finish (WalletSession  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GHashTable *
wallet_session_get_values (WalletSession *self)
{
  g_return_val_if_fail (WALLET_IS_SESSION (self), NULL);
  return self->values;
}
