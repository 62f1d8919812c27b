/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-session.h"

#include <glib/gi18n.h>
#include <tessera/tessera.h>

#include "verifier-catalog.h"
#include "verifier-dispatch.h"
#include "verifier-error.h"

/* Blocking calls wait at most this long, so cancellation is prompt. */
#define SLICE_MS 250

struct _VerifierSession {
	GObject parent_instance;

	char *uri;
	VerifierRequest *request;  /* the first one; later ones are signed as it was */
	char *transport_spec;
	gboolean ble_l2cap;
	/* Connected over GATT while the Bluetooth stack may use EATT: set by
	 * the worker, read after its task returned. */
	gboolean gatt_over_eatt;
	guint timeout_s;
	gint64 now;

	/* Trust material: set once, perhaps while the first request runs (the
	 * trust folders may still be loading); under trust_lock until then. */
	GMutex trust_lock;
	GCond trust_cond;
	gboolean have_trust;
	GPtrArray *anchors;
	GPtrArray *status_lists;

	VerifierSessionStage stage;
	gint64 deadline;
	gboolean running;

	/* The session between requests. Only the worker of the request (or
	 * of the end) that runs touches them; the main thread reads open and
	 * n_requests while none runs. */
	tsr_reader_session_t *rs;
	tsr_transport_t *transport;
	tsr_ble_link_t *link;
	guint n_requests;
	gboolean open;
	gboolean holder_ended;  /* the holder ended it (status 20 or gone) */

	/* While the session is open and no request runs, a worker watches the
	 * transport for the holder leaving; a request or the end waits for it
	 * to let go of the transport (main thread only). */
	GCancellable *watch_cancellable;
	GTask *deferred;
	GTaskThreadFunc deferred_func;
};

enum {
	PROP_0,
	PROP_STAGE,
	PROP_OPEN,
	N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
	SIGNAL_HOLDER_ENDED,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VerifierSession, verifier_session, G_TYPE_OBJECT)

static void
verifier_session_finalize (GObject *object)
{
	VerifierSession *self = VERIFIER_SESSION (object);

	/* Ended without a word when nobody ended it: the holder's wallet
	 * notices the closed connection. */
	g_clear_pointer (&self->transport, tsr_transport_free);
	g_clear_pointer (&self->link, tsr_ble_link_free);
	g_clear_pointer (&self->rs, tsr_reader_session_free);
	g_free (self->uri);
	g_clear_object (&self->request);
	g_free (self->transport_spec);
	g_clear_pointer (&self->anchors, g_ptr_array_unref);
	g_clear_pointer (&self->status_lists, g_ptr_array_unref);
	g_mutex_clear (&self->trust_lock);
	g_cond_clear (&self->trust_cond);
	G_OBJECT_CLASS (verifier_session_parent_class)->finalize (object);
}

static void
verifier_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	VerifierSession *self = VERIFIER_SESSION (object);

	switch (prop_id) {
	case PROP_STAGE:
		g_value_set_int (value, (int) self->stage);
		break;
	case PROP_OPEN:
		g_value_set_boolean (value, verifier_session_get_open (self));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
	}
}

static void
verifier_session_class_init (VerifierSessionClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->finalize = verifier_session_finalize;
	object_class->get_property = verifier_session_get_property;

	properties[PROP_STAGE] = g_param_spec_int ("stage", NULL, NULL,
	    VERIFIER_SESSION_STAGE_IDLE, VERIFIER_SESSION_STAGE_DONE, VERIFIER_SESSION_STAGE_IDLE,
	    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	properties[PROP_OPEN] = g_param_spec_boolean ("open", NULL, NULL, FALSE,
	    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties (object_class, N_PROPS, properties);

	signals[SIGNAL_HOLDER_ENDED] = g_signal_new ("holder-ended", G_TYPE_FROM_CLASS (klass),
	    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
verifier_session_init (VerifierSession *self)
{
	self->timeout_s = 60;
	self->have_trust = TRUE;
	g_mutex_init (&self->trust_lock);
	g_cond_init (&self->trust_cond);
	self->anchors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
	self->status_lists = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

char *
verifier_session_default_socket (void)
{
	return g_build_filename (g_get_user_runtime_dir (), "tessera.sock", NULL);
}

VerifierSession *
verifier_session_new (const char *uri, VerifierRequest *request)
{
	VerifierSession *self;

	g_return_val_if_fail (uri != NULL, NULL);
	g_return_val_if_fail (VERIFIER_IS_REQUEST (request), NULL);
	self = g_object_new (VERIFIER_TYPE_SESSION, NULL);
	self->uri = g_strdup (uri);
	self->request = g_object_ref (request);
	{
		g_autofree char *path = verifier_session_default_socket ();

		self->transport_spec = g_strconcat ("local:", path, NULL);
	}
	return self;
}

void
verifier_session_set_transport (VerifierSession *self, const char *spec)
{
	g_return_if_fail (VERIFIER_IS_SESSION (self) && !self->running && spec != NULL);
	g_free (self->transport_spec);
	self->transport_spec = g_strdup (spec);
}

void
verifier_session_set_ble_l2cap (VerifierSession *self, gboolean l2cap)
{
	g_return_if_fail (VERIFIER_IS_SESSION (self) && !self->running);
	self->ble_l2cap = l2cap;
}

void
verifier_session_set_timeout (VerifierSession *self, guint seconds)
{
	g_return_if_fail (VERIFIER_IS_SESSION (self) && !self->running);
	self->timeout_s = CLAMP (seconds, 1, 3600);
}

guint
verifier_session_get_timeout (VerifierSession *self)
{
	g_return_val_if_fail (VERIFIER_IS_SESSION (self), 0);
	return self->timeout_s;
}

void
verifier_session_set_time (VerifierSession *self, gint64 now)
{
	g_return_if_fail (VERIFIER_IS_SESSION (self) && !self->running);
	self->now = now;
}

void
verifier_session_defer_trust (VerifierSession *self)
{
	g_return_if_fail (VERIFIER_IS_SESSION (self) && !self->running && self->anchors->len == 0);
	self->have_trust = FALSE;
}

void
verifier_session_set_trust (VerifierSession *self, GPtrArray *anchors, GPtrArray *status_lists)
{
	g_return_if_fail (VERIFIER_IS_SESSION (self));
	g_return_if_fail (!self->running || !self->have_trust);

	g_mutex_lock (&self->trust_lock);
	g_ptr_array_set_size (self->anchors, 0);
	g_ptr_array_set_size (self->status_lists, 0);
	for (guint i = 0; anchors != NULL && i < anchors->len; i++)
		g_ptr_array_add (self->anchors, g_bytes_ref (anchors->pdata[i]));
	for (guint i = 0; status_lists != NULL && i < status_lists->len; i++)
		g_ptr_array_add (self->status_lists, g_bytes_ref (status_lists->pdata[i]));
	self->have_trust = TRUE;
	g_cond_broadcast (&self->trust_cond);
	g_mutex_unlock (&self->trust_lock);
}

VerifierSessionStage
verifier_session_get_stage (VerifierSession *self)
{
	g_return_val_if_fail (VERIFIER_IS_SESSION (self), VERIFIER_SESSION_STAGE_IDLE);
	return self->stage;
}

gint64
verifier_session_get_deadline (VerifierSession *self)
{
	g_return_val_if_fail (VERIFIER_IS_SESSION (self), 0);
	return self->deadline;
}

/* ---- The worker thread ---- */

typedef struct {
	VerifierSession *self;
	VerifierSessionStage stage;
} StageUpdate;

static gboolean
apply_stage (gpointer data)
{
	StageUpdate *u = data;

	if (u->self->stage != u->stage && u->self->running) {
		u->self->stage = u->stage;
		g_object_notify_by_pspec (G_OBJECT (u->self), properties[PROP_STAGE]);
	}
	return G_SOURCE_REMOVE;
}

static void
stage_update_free (gpointer data)
{
	StageUpdate *u = data;

	g_object_unref (u->self);
	g_free (u);
}

static void
report_stage (GTask *task, VerifierSessionStage stage)
{
	StageUpdate *u = g_new0 (StageUpdate, 1);

	u->self = g_object_ref (g_task_get_source_object (task));
	u->stage = stage;
	verifier_dispatch_to_context (g_task_get_context (task), apply_stage, u, stage_update_free);
}

static int
remaining_ms (gint64 deadline)
{
	gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

	return (int) CLAMP (left, 0, SLICE_MS);
}

static gboolean
connect_local (const char *path, gint64 deadline, GCancellable *cancellable,
    tsr_transport_t **ret, GError **error)
{
	int err;

	for (;;) {
		if (g_cancellable_set_error_if_cancelled (cancellable, error))
			return FALSE;
		err = tsr_transport_local_connect (path, MAX (remaining_ms (deadline), 1), ret);
		if (err == TSR_OK)
			return TRUE;
		if (err != TSR_ERR_TRANSPORT_CONNECT && err != TSR_ERR_TRANSPORT_TIMEOUT)
			break;
		if (g_get_monotonic_time () >= deadline) {
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_CONNECT,
			    _("No wallet answered. Ask the holder to show the QR code again, then scan it."));
			return FALSE;
		}
	}
	g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_CONNECT,
	    _("The wallet cannot be reached: %s"), tsr_strerror (err));
	return FALSE;
}

static VerifierBleLinkFunc ble_link_func;
static gpointer ble_link_data;

void
verifier_session_set_ble_link_func (VerifierBleLinkFunc func, gpointer user_data)
{
	ble_link_func = func;
	ble_link_data = user_data;
}

/* libtessera's BLE link errors in words a person at the counter can act on. */
static void
set_ble_error (GError **error, int err)
{
	switch (err) {
	case TSR_ERR_TRANSPORT_BLE_POWERED_OFF:
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH,
		    _("Bluetooth is off. Turn it on in the system settings, then scan again."));
		break;
	case TSR_ERR_TRANSPORT_BLE_NO_ADAPTER:
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH,
		    _("No Bluetooth adapter. Connect one, or ask the holder to use another way to share."));
		break;
	case TSR_ERR_TRANSPORT_BLE_NO_BLUEZ:
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH,
		    _("Bluetooth service not running. Start the Bluetooth service (bluetoothd), then scan again."));
		break;
	case TSR_ERR_TRANSPORT_BLE_PERMISSION:
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH,
		    _("The system refused access to Bluetooth."));
		break;
	case TSR_ERR_UNSUPPORTED:
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH,
		    _("This copy of the app was built without Bluetooth."));
		break;
	default:
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_BLUETOOTH,
		    _("Bluetooth cannot be used: %s"), tsr_strerror (err));
	}
}

/* The session runs over GATT although the local Bluetooth stack may use
 * EATT, which can reorder its messages (docs/ble.md, "EATT"). */
static gboolean
gatt_over_eatt (const tsr_transport_t *transport)
{
	tsr_ble_info_t info;

	return tsr_transport_ble_info (transport, &info) == TSR_OK && info.eatt_possible &&
	    !info.l2cap;
}

/* The reader's side of 18013-5 BLE: the mode the wallet offers (peripheral
 * server first), its service UUID, and in central client mode the Ident
 * the reader serves for the wallet to check; L2CAP as the CLI's
 * --ble-l2cap. */
static gboolean
connect_ble (const tsr_reader_session_t *rs, gboolean l2cap, gint64 deadline,
    GCancellable *cancellable, tsr_ble_link_t **ret_link, tsr_transport_t **ret, GError **error)
{
	tsr_engagement_ble_t ble;
	tsr_ble_mode_t mode;
	tsr_ble_config_t cfg;
	const uint8_t *engagement;
	size_t engagement_len;
	int err;

	if (tsr_reader_session_ble (rs, &ble) != TSR_OK) {
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_TRANSPORT_UNAVAILABLE,
		    _("The wallet does not offer Bluetooth. Choose “Automatic” or the local transport in Request."));
		return FALSE;
	}
	mode = ble.peripheral_server ? TSR_BLE_MODE_PERIPHERAL_SERVER : TSR_BLE_MODE_CENTRAL_CLIENT;
	tsr_ble_config_init (&cfg, TSR_BLE_ROLE_READER, mode, ble.uuid);
	cfg.connect_timeout_ms = (int) MAX ((deadline - g_get_monotonic_time ()) / 1000, 1);
	/* Where bluetoothd may use EATT the transport takes L2CAP anyway. */
	cfg.l2cap = l2cap;
	/* The holder's PSM from its engagement (BleOptions 21), as the CLI
	 * reader: the channel opens without reading the L2CAP characteristic. */
	cfg.psm = ble.has_psm && mode == TSR_BLE_MODE_PERIPHERAL_SERVER ? ble.psm : 0;
	if (mode == TSR_BLE_MODE_CENTRAL_CLIENT) {
		tsr_reader_session_engagement (rs, &engagement, &engagement_len);
		if ((err = tsr_engagement_ble_ident (engagement, engagement_len, cfg.ident)) != TSR_OK) {
			g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_NOT_ENGAGEMENT,
			    _("The wallet’s QR code cannot be used: %s"), tsr_strerror (err));
			return FALSE;
		}
		cfg.has_ident = true;
	}
	err = ble_link_func != NULL ? ble_link_func (ret_link, ble_link_data) :
	    tsr_ble_link_bluez_new (NULL, ret_link);
	if (err != TSR_OK) {
		set_ble_error (error, err);
		return FALSE;
	}
	if ((err = tsr_transport_ble_new (&cfg, *ret_link, ret)) != TSR_OK) {
		set_ble_error (error, err);
		return FALSE;
	}
	g_debug ("BLE: %s", tsr_transport_describe (*ret));
	for (;;) {
		if (g_cancellable_set_error_if_cancelled (cancellable, error))
			return FALSE;
		err = tsr_transport_ble_connect (*ret, MAX (remaining_ms (deadline), 1));
		if (err == TSR_OK)
			return TRUE;
		if (err != TSR_ERR_TRANSPORT_TIMEOUT)
			break;
		if (g_get_monotonic_time () >= deadline) {
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_CONNECT,
			    _("No wallet answered over Bluetooth. Ask the holder to keep the QR code on screen and to stay close, then scan again."));
			return FALSE;
		}
	}
	if (err == TSR_ERR_TRANSPORT_BLE_IDENT)
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_CONNECT,
		    _("Another device answered over Bluetooth. Scan the holder’s QR code again."));
	else
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_CONNECT,
		    _("The wallet cannot be reached over Bluetooth: %s"), tsr_strerror (err));
	return FALSE;
}

static gboolean
receive_message (tsr_transport_t *t, gint64 deadline, guint timeout_s, GCancellable *cancellable,
    uint8_t **ret_msg, size_t *ret_len, GError **error)
{
	int err;

	for (;;) {
		if (g_cancellable_set_error_if_cancelled (cancellable, error))
			return FALSE;
		err = tsr_transport_receive (t, remaining_ms (deadline), ret_msg, ret_len);
		if (err == TSR_OK)
			return TRUE;
		if (err != TSR_ERR_TRANSPORT_TIMEOUT)
			break;
		if (g_get_monotonic_time () >= deadline) {
			g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_TIMEOUT,
			    ngettext ("The wallet did not answer within %u second. The holder may still be choosing what to share: scan again to retry.",
			    "The wallet did not answer within %u seconds. The holder may still be choosing what to share: scan again to retry.",
			    timeout_s), timeout_s);
			return FALSE;
		}
	}
	if (err == TSR_ERR_TRANSPORT_CLOSED)
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_HOLDER_GONE,
		    _("The wallet went away before answering. Ask the holder to keep the wallet app open and scan again."));
	else
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_HOLDER_GONE,
		    _("The connection to the wallet broke: %s"), tsr_strerror (err));
	return FALSE;
}

/* Frees the connection and the session keys. */
static void
free_connection (VerifierSession *self)
{
	/* The transport borrows the link. */
	g_clear_pointer (&self->transport, tsr_transport_free);
	g_clear_pointer (&self->link, tsr_ble_link_free);
	g_clear_pointer (&self->rs, tsr_reader_session_free);
}

/* Frees the open session: what a failed exchange or the end leaves. */
static void
close_session (VerifierSession *self)
{
	free_connection (self);
	self->open = FALSE;
}

/* However the holder's side ended between two requests: closed the
 * connection, or said so with status 20. */
static void
set_session_ended (GError **error)
{
	g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_SESSION_ENDED,
	    _("The holder ended the session before answering. To ask for more, scan the wallet’s code again."));
}

/* The holder's answer to a request already in the session: a "declined"
 * or "ended" in words when there is none. */
static gboolean
receive_response (VerifierSession *self, GCancellable *cancellable, GBytes **ret_response,
    GError **error)
{
	uint8_t *reply = NULL, *response = NULL;
	size_t reply_len = 0, response_len = 0;
	bool ended = false;
	int err;

	if (!receive_message (self->transport, self->deadline, self->timeout_s, cancellable, &reply,
	    &reply_len, error)) {
		/* Gone between two requests: the holder closed the session. */
		if (self->n_requests > 0 && g_error_matches (*error, VERIFIER_ERROR,
		    VERIFIER_ERROR_HOLDER_GONE)) {
			g_clear_error (error);
			set_session_ended (error);
		}
		return FALSE;
	}
	err = tsr_reader_session_receive (self->rs, reply, reply_len, &response, &response_len,
	    &ended);
	tsr_free (reply);
	if (err == TSR_ERR_SESSION_TERMINATED) {
		if (self->n_requests == 0)
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_DECLINED,
			    _("The holder declined to share."));
		else
			set_session_ended (error);
		return FALSE;
	} else if (err != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_PROTOCOL,
		    _("The wallet’s answer cannot be read: %s"), tsr_strerror (err));
		return FALSE;
	}
	/* The holder may end the session with its answer (status 20 in the
	 * same message): then no further request can follow. */
	self->open = !ended;
	self->holder_ended = ended;
	*ret_response = g_bytes_new (response, response_len);
	tsr_free (response);
	return TRUE;
}

/* Waits until the window has handed over the trust material: a verdict
 * against a half-read trust folder would call a genuine document "not
 * verified". */
static gboolean
wait_for_trust (GTask *task, VerifierSession *self, GCancellable *cancellable, GError **error)
{
	gboolean reported = FALSE;

	g_mutex_lock (&self->trust_lock);
	while (!self->have_trust) {
		if (!reported) {
			report_stage (task, VERIFIER_SESSION_STAGE_LOADING_TRUST);
			reported = TRUE;
		}
		if (g_cancellable_is_cancelled (cancellable))
			break;
		g_cond_wait_until (&self->trust_cond, &self->trust_lock,
		    g_get_monotonic_time () + SLICE_MS * G_TIME_SPAN_MILLISECOND);
	}
	g_mutex_unlock (&self->trust_lock);
	return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static VerifierResult *
verify_response (GTask *task, VerifierSession *self, VerifierRequest *request, GBytes *response,
    GCancellable *cancellable, GError **error)
{
	tsr_verifier_t *v = NULL;
	VerifierResult *result = NULL;

	if (!wait_for_trust (task, self, cancellable, error))
		return NULL;
	report_stage (task, VERIFIER_SESSION_STAGE_VERIFYING);
	if (tsr_verifier_new (&v) != TSR_OK ||
	    tsr_reader_session_prepare_verifier (self->rs, v) != TSR_OK) {
		g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_FAILED,
		    _("The answer could not be checked."));
		goto out;
	}
	/* Set before the worker started, or under the lock and not since. */
	for (guint i = 0; i < self->anchors->len; i++) {
		GBytes *b = self->anchors->pdata[i];

		if (tsr_verifier_add_trust_anchor (v, g_bytes_get_data (b, NULL), g_bytes_get_size (b)) != TSR_OK)
			g_debug ("skipping an unusable trust anchor");
	}
	for (guint i = 0; i < self->status_lists->len; i++) {
		GBytes *b = self->status_lists->pdata[i];

		if (tsr_verifier_add_status_list (v, g_bytes_get_data (b, NULL), g_bytes_get_size (b)) != TSR_OK)
			g_debug ("skipping an unusable status list");
	}
	if (self->now != 0)
		tsr_verifier_set_time (v, self->now);
	result = verifier_result_new_verify (v, response, error);
	if (result != NULL)
		verifier_result_set_request_title (result,
		    verifier_request_get_template (request) != NULL ?
		    verifier_catalog_template_title (verifier_request_get_template (request)) : NULL);
out:
	tsr_verifier_free (v);
	return result;
}

/* One DeviceRequest in the open session: sends @msg, reads and verifies
 * the answer. */
static VerifierResult *
exchange (GTask *task, VerifierSession *self, VerifierRequest *request, const uint8_t *msg,
    size_t msg_len, GCancellable *cancellable, GError **error)
{
	g_autoptr (GBytes) response = NULL;
	int err;

	if ((err = tsr_transport_send (self->transport, msg, msg_len, 5000)) != TSR_OK) {
		if (self->n_requests > 0)
			set_session_ended (error);
		else
			g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_HOLDER_GONE,
			    _("The request could not be sent to the wallet: %s"), tsr_strerror (err));
		return NULL;
	}
	report_stage (task, VERIFIER_SESSION_STAGE_WAITING);
	if (!receive_response (self, cancellable, &response, error))
		return NULL;
	self->n_requests++;
	return verify_response (task, self, request, response, cancellable, error);
}

/* The first request: the engagement, the connection, the exchange. */
static VerifierResult *
open_and_exchange (GTask *task, VerifierSession *self, GCancellable *cancellable, GError **error)
{
	tsr_engagement_ble_t ble;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	const uint8_t *transcript;
	size_t transcript_len;
	g_autoptr (GBytes) request = NULL;
	VerifierResult *result = NULL;
	int err;

	/* The engagement: decoded now, so a bad code fails before any waiting. */
	if ((err = tsr_reader_session_new (self->uri, &self->rs)) != TSR_OK) {
		if (err == TSR_ERR_INVALID_ARGUMENT)
			g_set_error_literal (error, VERIFIER_ERROR, VERIFIER_ERROR_NOT_ENGAGEMENT,
			    _("This QR code is not a wallet’s code."));
		else
			g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_NOT_ENGAGEMENT,
			    _("The wallet’s QR code cannot be used: %s"), tsr_strerror (err));
		return NULL;
	}
	tsr_reader_session_transcript (self->rs, &transcript, &transcript_len);
	request = verifier_request_build (self->request, transcript, transcript_len, error);
	if (request == NULL)
		return NULL;
	if ((err = tsr_reader_session_establish (self->rs, g_bytes_get_data (request, NULL),
	    g_bytes_get_size (request), &msg, &msg_len)) != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_PROTOCOL,
		    _("The session could not be started: %s"), tsr_strerror (err));
		return NULL;
	}

	if (g_str_has_prefix (self->transport_spec, "local:") ||
	    (g_str_has_prefix (self->transport_spec, "auto:") &&
	    tsr_reader_session_ble (self->rs, &ble) != TSR_OK)) {
		report_stage (task, VERIFIER_SESSION_STAGE_CONNECTING);
		if (!connect_local (strchr (self->transport_spec, ':') + 1, self->deadline,
		    cancellable, &self->transport, error))
			goto out;
	} else {
		report_stage (task, VERIFIER_SESSION_STAGE_CONNECTING_BLE);
		if (!connect_ble (self->rs, self->ble_l2cap, self->deadline, cancellable, &self->link,
		    &self->transport, error))
			goto out;
		self->gatt_over_eatt = gatt_over_eatt (self->transport);
	}
	result = exchange (task, self, self->request, msg, msg_len, cancellable, error);
out:
	tsr_free (msg);
	return result;
}

/* A further request: same session keys, the next counter. */
static VerifierResult *
request_again (GTask *task, VerifierSession *self, VerifierRequest *request,
    GCancellable *cancellable, GError **error)
{
	const uint8_t *transcript;
	size_t transcript_len;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	g_autoptr (GBytes) bytes = NULL;
	VerifierResult *result;
	int err;

	tsr_reader_session_transcript (self->rs, &transcript, &transcript_len);
	bytes = verifier_request_build (request, transcript, transcript_len, error);
	if (bytes == NULL)
		return NULL;
	if ((err = tsr_reader_session_request (self->rs, g_bytes_get_data (bytes, NULL),
	    g_bytes_get_size (bytes), &msg, &msg_len)) != TSR_OK) {
		g_set_error (error, VERIFIER_ERROR, VERIFIER_ERROR_PROTOCOL,
		    _("The request could not be made: %s"), tsr_strerror (err));
		return NULL;
	}
	result = exchange (task, self, request, msg, msg_len, cancellable, error);
	tsr_free (msg);
	return result;
}

static void
request_thread (GTask *task, gpointer source_object, gpointer task_data,
    GCancellable *cancellable)
{
	VerifierSession *self = source_object;
	VerifierRequest *request = task_data;
	VerifierResult *result;
	GError *error = NULL;

	result = self->rs == NULL ? open_and_exchange (task, self, cancellable, &error) :
	    request_again (task, self, request, cancellable, &error);
	/* A session that failed once cannot be trusted to be in step. */
	if (result == NULL || !self->open)
		close_session (self);
	if (result == NULL)
		g_task_return_error (task, error);
	else
		g_task_return_pointer (task, result, g_object_unref);
}

/* Runs @task in a worker now, or once the watch has let go of the
 * transport (at most a quarter of a second). */
static void
run_when_transport_free (VerifierSession *self, GTask *task, GTaskThreadFunc func)
{
	if (self->watch_cancellable == NULL) {
		g_task_run_in_thread (task, func);
		return;
	}
	g_assert (self->deferred == NULL);
	self->deferred = g_object_ref (task);
	self->deferred_func = func;
	g_cancellable_cancel (self->watch_cancellable);
}

static void
start (VerifierSession *self, VerifierRequest *request, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

	g_task_set_return_on_cancel (task, FALSE);
	g_task_set_task_data (task, g_object_ref (request), g_object_unref);
	self->running = TRUE;
	self->deadline = g_get_monotonic_time () + (gint64) self->timeout_s * G_USEC_PER_SEC;
	self->stage = self->rs == NULL ? VERIFIER_SESSION_STAGE_CONNECTING :
	    VERIFIER_SESSION_STAGE_WAITING;
	g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
	run_when_transport_free (self, task, request_thread);
}

void
verifier_session_run_async (VerifierSession *self, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail (VERIFIER_IS_SESSION (self));
	g_return_if_fail (!self->running && self->n_requests == 0 && self->rs == NULL);
	start (self, self->request, cancellable, callback, user_data);
}

void
verifier_session_request_async (VerifierSession *self, VerifierRequest *request,
    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr (VerifierRequest) signed_request = NULL;

	g_return_if_fail (VERIFIER_IS_SESSION (self));
	g_return_if_fail (VERIFIER_IS_REQUEST (request));
	g_return_if_fail (!self->running && self->open);
	/* The holder saw who asked first; the same reader asks again. */
	signed_request = verifier_request_copy_with_identity (request, self->request);
	start (self, signed_request, cancellable, callback, user_data);
}

/* ---- Between requests: the watch ---- */

static void end_thread (GTask *task, gpointer source_object, gpointer task_data,
    GCancellable *cancellable);

/* Waits, in 250 ms slices until cancelled, for the holder to end the
 * session: status 20, or the connection closing (the app quit, the phone
 * went out of range, the wallet gave up waiting). Returns TRUE when it
 * did; the connection is freed then. */
static void
watch_thread (GTask *task, gpointer source_object, gpointer task_data,
    GCancellable *cancellable)
{
	VerifierSession *self = source_object;
	uint8_t *msg = NULL, *response = NULL;
	size_t msg_len = 0, response_len = 0;
	int err;

	(void) task_data;
	do {
		if (g_cancellable_is_cancelled (cancellable)) {
			g_task_return_boolean (task, FALSE);
			return;
		}
		err = tsr_transport_receive (self->transport, SLICE_MS, &msg, &msg_len);
	} while (err == TSR_ERR_TRANSPORT_TIMEOUT);
	if (err == TSR_OK) {
		/* With no request out, the holder may only end the session;
		 * anything else leaves the two sides out of step, which ends it
		 * as well. */
		err = tsr_reader_session_receive (self->rs, msg, msg_len, &response, &response_len,
		    NULL);
		if (err != TSR_ERR_SESSION_TERMINATED)
			g_debug ("the holder sent something unexpected between requests: %s",
			    tsr_strerror (err));
		tsr_free (response);
		tsr_free (msg);
	}
	free_connection (self);
	g_task_return_boolean (task, TRUE);
}

static void
watch_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
	VerifierSession *self = VERIFIER_SESSION (object);
	gboolean ended = g_task_propagate_boolean (G_TASK (result), NULL);
	g_autoptr (GTask) deferred = g_steal_pointer (&self->deferred);

	(void) user_data;
	g_clear_object (&self->watch_cancellable);
	if (ended) {
		self->open = FALSE;
		self->holder_ended = TRUE;
		g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
		g_signal_emit (self, signals[SIGNAL_HOLDER_ENDED], 0);
	}
	if (deferred == NULL)
		return;
	if (!ended)
		g_task_run_in_thread (deferred, self->deferred_func);
	else if (self->deferred_func == end_thread)
		g_task_return_boolean (deferred, TRUE);  /* nothing left to end */
	else {
		GError *error = NULL;

		set_session_ended (&error);
		g_task_return_error (deferred, error);
	}
}

/* The session is open and nothing runs: watch for the holder leaving. */
static void
start_watch (VerifierSession *self)
{
	g_autoptr (GTask) task = NULL;

	self->watch_cancellable = g_cancellable_new ();
	task = g_task_new (self, self->watch_cancellable, watch_done, NULL);
	/* Its answer counts even when a request cancelled it meanwhile. */
	g_task_set_check_cancellable (task, FALSE);
	g_task_run_in_thread (task, watch_thread);
}

VerifierResult *
verifier_session_run_finish (VerifierSession *self, GAsyncResult *result, GError **error)
{
	VerifierResult *ret;

	g_return_val_if_fail (g_task_is_valid (result, self), NULL);
	ret = g_task_propagate_pointer (G_TASK (result), error);
	self->running = FALSE;
	self->stage = VERIFIER_SESSION_STAGE_DONE;
	if (self->open)
		start_watch (self);
	g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
	g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
	return ret;
}

gboolean
verifier_session_get_holder_ended (VerifierSession *self)
{
	g_return_val_if_fail (VERIFIER_IS_SESSION (self), FALSE);
	return self->holder_ended;
}

gboolean
verifier_session_get_gatt_over_eatt (VerifierSession *self)
{
	g_return_val_if_fail (VERIFIER_IS_SESSION (self), FALSE);
	return self->gatt_over_eatt;
}

gboolean
verifier_session_get_open (VerifierSession *self)
{
	g_return_val_if_fail (VERIFIER_IS_SESSION (self), FALSE);
	return !self->running && self->open;
}

guint
verifier_session_get_n_requests (VerifierSession *self)
{
	g_return_val_if_fail (VERIFIER_IS_SESSION (self), 0);
	return self->n_requests;
}

/* ---- The end ---- */

static void
end_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
	VerifierSession *self = source_object;
	uint8_t *end = NULL;
	size_t end_len = 0;

	(void) task_data;
	(void) cancellable;
	/* The answers are in hand; a lost termination only delays the holder. */
	if (tsr_reader_session_terminate (self->rs, &end, &end_len) != TSR_OK ||
	    tsr_transport_send (self->transport, end, end_len, SLICE_MS) != TSR_OK)
		g_debug ("could not end the session cleanly");
	else
		tsr_transport_close (self->transport);
	tsr_free (end);
	close_session (self);
	g_task_return_boolean (task, TRUE);
}

void
verifier_session_end_async (VerifierSession *self, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr (GTask) task = NULL;

	g_return_if_fail (VERIFIER_IS_SESSION (self));
	g_return_if_fail (!self->running);

	/* The task holds the session until the holder has been told. */
	task = g_task_new (self, cancellable, callback, user_data);
	if (!self->open) {
		g_task_return_boolean (task, TRUE);
		return;
	}
	self->running = TRUE;
	run_when_transport_free (self, task, end_thread);
}

gboolean
verifier_session_end_finish (VerifierSession *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
	self->running = FALSE;
	g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
	return g_task_propagate_boolean (G_TASK (result), error);
}
