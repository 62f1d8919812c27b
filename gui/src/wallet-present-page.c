/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "wallet-labels.h"
#include "wallet-present-page.h"
#include "wallet-qr-view.h"
#include "wallet-secret-entry.h"

struct _WalletPresentPage
{
  GtkWidget parent_instance;

  WalletStore *store;
  GSettings *settings;
  WalletSession *session;
  GCancellable *cancellable;
  WalletConsentDialog *consent;
  AdwMessageDialog *pin_dialog; /* asking for the PIN of a TPM key */
  guint inhibit_cookie;
  guint n_answered;       /* requests answered in this session */

  GtkStack *stack;
  WalletQrView *qr_view;
  GtkSpinner *spinner;
  GtkLabel *status_label;
  AdwActionRow *transport_row;
  GtkImage *transport_icon;
  AdwStatusPage *starting_page;
  GtkSpinner *starting_spinner;
  AdwStatusPage *result_page;
  GtkBox *result_box;
  GtkWidget *requests_group;
  GtkListBox *requests_list;
  GtkWidget *session_box;
  GtkSpinner *session_spinner;
  GtkLabel *session_label;
  GtkWidget *end_button;
  GtkWidget *done_button;
  GtkWidget *cancel_button;
  GtkWidget *eatt_hint;
};

enum {
  SIGNAL_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WalletPresentPage, wallet_present_page, GTK_TYPE_WIDGET)

static void
uninhibit (WalletPresentPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  if (self->inhibit_cookie != 0 && app != NULL)
    gtk_application_uninhibit (app, self->inhibit_cookie);
  self->inhibit_cookie = 0;
}

static void
inhibit (WalletPresentPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  /* Keep the screen on while the reader may still scan. */
  if (self->inhibit_cookie == 0 && app != NULL)
    self->inhibit_cookie = gtk_application_inhibit (app, GTK_WINDOW (root),
                                                    GTK_APPLICATION_INHIBIT_IDLE,
                                                    _("Showing a QR code to a reader"));
}

static void
on_cancel_clicked (WalletPresentPage *self)
{
  wallet_present_page_stop (self);
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

static void
on_done_clicked (WalletPresentPage *self)
{
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

/* The waiting session hears it within a slice and shows the summary. */
static void
on_end_clicked (WalletPresentPage *self)
{
  if (self->session == NULL)
    return;
  gtk_widget_set_sensitive (self->end_button, FALSE);
  wallet_session_end (self->session);
}

static void
wallet_present_page_dispose (GObject *object)
{
  WalletPresentPage *self = WALLET_PRESENT_PAGE (object);

  wallet_present_page_stop (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), WALLET_TYPE_PRESENT_PAGE);
  /* The template's root box has no id, so dispose_template leaves it. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (wallet_present_page_parent_class)->dispose (object);
}

static void
wallet_present_page_class_init (WalletPresentPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = wallet_present_page_dispose;

  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (WALLET_TYPE_QR_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tessera/Wallet/wallet-present-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, stack);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, qr_view);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, eatt_hint);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, transport_row);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, transport_icon);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, starting_page);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, starting_spinner);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, result_page);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, result_box);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, requests_group);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, requests_list);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, session_box);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, session_spinner);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, session_label);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, end_button);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, done_button);
  gtk_widget_class_bind_template_child (widget_class, WalletPresentPage, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_done_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_end_clicked);
}

static void
wallet_present_page_init (WalletPresentPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
wallet_present_page_set_store (WalletPresentPage *self,
                               WalletStore       *store,
                               GSettings         *settings)
{
  g_return_if_fail (WALLET_IS_PRESENT_PAGE (self));
  g_set_object (&self->store, store);
  g_set_object (&self->settings, settings);
}

/* The session's progress, under the QR code before the first answer and
 * under the last answer after it. */
static void
set_status (WalletPresentPage *self,
            const char        *text,
            gboolean           busy)
{
  gtk_label_set_label (self->status_label, text);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_label_set_label (self->session_label, text);
  gtk_spinner_set_spinning (self->session_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->session_spinner), busy);
}

static char *
session_summary (guint n_answered)
{
  /* Translators: shown when a session with a reader is over */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Session ended — %u request answered",
                                       "Session ended — %u requests answered", n_answered),
                          n_answered);
}

static void
on_state_changed (WalletPresentPage *self,
                  GParamSpec        *pspec,
                  WalletSession     *session)
{
  if (session != self->session)
    return;
  switch (wallet_session_get_state (session))
    {
    case WALLET_SESSION_WAITING:
      set_status (self, _("Waiting for a reader…"), TRUE);
      break;
    case WALLET_SESSION_CONNECTED:
      set_status (self, _("Reader connected"), TRUE);
      /* Below every page of the session, until the next one starts:
       * if it fails, this is why. */
      gtk_widget_set_visible (self->eatt_hint, wallet_session_get_gatt_over_eatt (session));
      break;
    case WALLET_SESSION_REQUEST_RECEIVED:
      set_status (self, _("Request received"), TRUE);
      break;
    case WALLET_SESSION_RESPONDING:
      set_status (self, _("Sending your answer…"), TRUE);
      break;
    case WALLET_SESSION_ANSWERED:
      set_status (self, _("Waiting for another request…"), TRUE);
      break;
    case WALLET_SESSION_ENDED:
      {
        g_autofree char *summary = session_summary (self->n_answered);
        set_status (self, summary, FALSE);
      }
      break;
    case WALLET_SESSION_FAILED:
    default:
      set_status (self, _("The session ended"), FALSE);
      break;
    }
}

static void
clear_result (WalletPresentPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->result_box))) != NULL)
    gtk_box_remove (self->result_box, child);
  /* Empty, it would still add a gap. */
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), FALSE);
}

/* Which of End Session and Done the result page offers. */
static void
set_session_open (WalletPresentPage *self,
                  gboolean           open)
{
  gtk_widget_set_visible (self->end_button, open);
  gtk_widget_set_sensitive (self->end_button, open);
  gtk_widget_set_visible (self->done_button, !open);
  if (!open)
    {
      gtk_widget_grab_focus (self->done_button);
      uninhibit (self);
    }
}

static void
show_failure_full (WalletPresentPage *self,
                   const char        *icon,
                   const char        *title,
                   const char        *message)
{
  clear_result (self);
  gtk_spinner_set_spinning (self->starting_spinner, FALSE);
  adw_status_page_set_icon_name (self->result_page, icon);
  adw_status_page_set_title (self->result_page, title);
  adw_status_page_set_description (self->result_page, message);
  /* After answers, the failure also ended the session they were in. */
  gtk_widget_set_visible (self->session_box, self->n_answered > 0);
  gtk_stack_set_visible_child_name (self->stack, "result");
  gtk_widget_set_visible (self->cancel_button, FALSE);
  set_session_open (self, FALSE);
}

static void
show_failure (WalletPresentPage *self,
              const char        *message)
{
  show_failure_full (self, "dialog-warning-symbolic", _("Presentation Failed"), message);
}

/* Why a request was refused under the strict reader policy. */
static char *
refusal_text (tsr_reader_trust_t  trust,
              const char         *reader)
{
  switch (trust)
    {
    case TSR_READER_ANONYMOUS:
      return g_strdup (_("The reader did not identify itself. Your preferences allow only trusted readers, so nothing was shared."));
    case TSR_READER_INVALID:
      /* Translators: %s is the reader's name */
      return g_strdup_printf (_("The certificate of %s is expired, forged or not meant for readers. Your preferences allow only trusted readers, so nothing was shared."), reader);
    case TSR_READER_UNTRUSTED:
    case TSR_READER_TRUSTED:
    default:
      /* Translators: %s is the reader's name */
      return g_strdup_printf (_("The certificate of %s does not come from a reader authority you trust. Your preferences allow only trusted readers, so nothing was shared."), reader);
    }
}

/* A row for the answered request in the session's list; the list shows
 * once there is more than one. */
static void
add_request_row (WalletPresentPage *self,
                 const char        *icon,
                 const char        *outcome,
                 const char        *reader)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *image = gtk_image_new_from_icon_name (icon);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), outcome);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reader);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, outcome, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
  gtk_list_box_append (self->requests_list, row);
  gtk_widget_set_visible (self->requests_group, self->n_answered > 1);
}

static void
clear_requests (WalletPresentPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->requests_list))) != NULL)
    gtk_list_box_remove (self->requests_list, child);
  gtk_widget_set_visible (self->requests_group, FALSE);
  gtk_widget_set_visible (self->session_box, FALSE);
  self->n_answered = 0;
}

/* The answer to the last request: what was shared, grouped by document,
 * from the presentation's consent; the session stays open. */
static void
show_result (WalletPresentPage *self,
             gboolean           share,
             gboolean           refused)
{
  tsr_presentation_t *p = wallet_session_get_presentation (self->session);
  const char *subject = NULL;
  tsr_reader_trust_t trust = wallet_session_get_reader_trust (self->session, &subject);
  g_autofree char *reader = wallet_subject_name (subject);
  g_autofree char *description = NULL;
  g_autofree char *outcome = NULL;
  const char *icon;
  gsize total = 0;

  clear_result (self);
  for (size_t d = 0; share && d < tsr_presentation_doc_count (p); d++)
    {
      AdwPreferencesGroup *group = NULL;

      for (size_t e = 0; e < tsr_presentation_element_count (p, d); e++)
        {
          tsr_requested_element_t el;
          g_autofree char *label = NULL;
          GtkWidget *row;

          if (tsr_presentation_element (p, d, e, &el) != TSR_OK || !el.available || !el.consented)
            continue;
          if (group == NULL)
            {
              group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
              adw_preferences_group_set_title (group,
                                               wallet_doctype_label (tsr_presentation_doc_type (p, d)));
              gtk_box_append (self->result_box, GTK_WIDGET (group));
            }
          label = wallet_element_label (el.name_space, el.answer);
          row = adw_action_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          if (el.intent_to_retain)
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Will be stored by the reader"));
          adw_preferences_group_add (group, row);
          total++;
        }
    }

  if (reader == NULL)
    reader = g_strdup (_("an unidentified reader"));
  if (refused)
    {
      icon = "action-unavailable-symbolic";
      adw_status_page_set_title (self->result_page, _("Refused"));
      outcome = g_strdup (_("Refused"));
      description = refusal_text (trust, reader);
    }
  else if (total > 0)
    {
      icon = "emblem-ok-symbolic";
      adw_status_page_set_title (self->result_page, _("Shared"));
      outcome = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Shared %u item",
                                              "Shared %u items", (gulong) total),
                                 (guint) total);
      /* Translators: %s is the reader's name */
      description = g_strdup_printf (_("Shared with %s."), reader);
    }
  else
    {
      icon = "process-stop-symbolic";
      adw_status_page_set_title (self->result_page, _("Declined"));
      outcome = g_strdup (_("Declined"));
      /* Translators: %s is the reader's name */
      description = g_strdup_printf (_("Nothing was shared with %s."), reader);
    }
  adw_status_page_set_icon_name (self->result_page, icon);
  adw_status_page_set_description (self->result_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), total > 0);
  self->n_answered++;
  add_request_row (self, icon, outcome, reader);
  gtk_widget_set_visible (self->session_box, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "result");
  gtk_widget_set_visible (self->cancel_button, FALSE);
  set_session_open (self, TRUE);
}

static void on_request (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data);

typedef struct {
  WalletPresentPage *self;
  WalletSession *session;
  gboolean share;
  gboolean refused;
} RespondData;

static void respond (WalletPresentPage *self,
                     gboolean           share,
                     gboolean           refused,
                     const char        *pin);

/* ---- The PIN of a TPM key, asked when sharing needs it ---- */

static void
on_pin_response (AdwMessageDialog  *dialog,
                 const char        *response,
                 WalletPresentPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");

  if (self->pin_dialog != dialog)
    return;
  self->pin_dialog = NULL;
  /* Without a PIN nothing can be signed: declining answers the reader. */
  if (g_str_equal (response, "share") && *gtk_editable_get_text (entry) != '\0')
    respond (self, TRUE, FALSE, gtk_editable_get_text (entry));
  else
    respond (self, FALSE, FALSE, NULL);
  wallet_secret_entry_clear (entry);
}

static void
ask_pin (WalletPresentPage *self,
         gboolean           wrong)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *entry = adw_password_entry_row_new ();

  self->pin_dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                 _("Enter PIN"), NULL));
  adw_message_dialog_set_body (self->pin_dialog,
                               wrong ? _("That PIN is not right. Enter it again; the TPM locks itself for a while after too many wrong PINs.") :
                                       _("The key of your credential is in the TPM and needs its PIN to share."));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _("PIN"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (entry), TRUE);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), entry);
  g_object_set_data (G_OBJECT (self->pin_dialog), "entry", entry);
  adw_message_dialog_set_extra_child (self->pin_dialog, list);
  adw_message_dialog_add_responses (self->pin_dialog, "decline", _("_Decline"), "share", _("_Share"), NULL);
  adw_message_dialog_set_response_appearance (self->pin_dialog, "share", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (self->pin_dialog, "share");
  adw_message_dialog_set_close_response (self->pin_dialog, "decline");
  g_signal_connect_object (self->pin_dialog, "response", G_CALLBACK (on_pin_response), self, 0);
  gtk_window_present (GTK_WINDOW (self->pin_dialog));
  gtk_widget_grab_focus (entry);
}

static void
on_responded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RespondData *r = user_data;
  g_autoptr(GError) error = NULL;

  if (!wallet_session_respond_finish (WALLET_SESSION (source), result, &error))
    {
      gboolean pin_wanted = g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_REQUIRED) ||
                            g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_INCORRECT);

      if (r->session == r->self->session && pin_wanted)
        ask_pin (r->self, g_error_matches (error, WALLET_ERROR, TSR_ERR_SA_PIN_INCORRECT));
      else if (r->session == r->self->session)
        show_failure (r->self, error->message);
    }
  else if (r->session == r->self->session)
    {
      show_result (r->self, r->share, r->refused);
      /* 18013-5: the reader may send further requests until it ends the session. */
      wallet_session_wait_request_async (r->session, r->self->cancellable, on_request,
                                         g_object_ref (r->self));
    }
  g_object_unref (r->self);
  g_object_unref (r->session);
  g_free (r);
}

/* @pin: for a device key that has one, NULL until the holder was asked. */
static void
respond (WalletPresentPage *self,
         gboolean           share,
         gboolean           refused,
         const char        *pin)
{
  RespondData *r = g_new0 (RespondData, 1);

  r->self = g_object_ref (self);
  r->session = g_object_ref (self->session);
  r->share = share;
  r->refused = refused;
  wallet_session_respond_async (self->session, share, pin, NULL, on_responded, r);
}

static void
on_consent_decided (WalletPresentPage   *self,
                    gboolean             share,
                    WalletConsentDialog *dialog)
{
  if (self->consent == dialog)
    self->consent = NULL;
  respond (self, share, FALSE, NULL);
}

static void
on_request (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(WalletPresentPage) self = user_data;
  WalletSession *session = WALLET_SESSION (source);
  g_autoptr(GError) error = NULL;
  GtkRoot *root;

  if (!wallet_session_wait_request_finish (session, result, &error))
    {
      if (session != self->session)
        return;
      if (error == NULL)
        /* The session ended; the status line says how many were answered. */
        set_session_open (self, FALSE);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_failure (self, error->message);
      return;
    }
  if (session != self->session)
    return;

  /* The strict reader policy: no consent sheet, the library discloses
   * nothing, and the page says why. */
  if (tsr_presentation_refused (wallet_session_get_presentation (session)))
    {
      respond (self, FALSE, TRUE, NULL);
      return;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  self->consent = wallet_consent_dialog_new_with_values (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                         wallet_session_get_presentation (session),
                                                         wallet_session_get_values (session));
  g_signal_connect_object (self->consent, "decided", G_CALLBACK (on_consent_decided), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->consent));
}

/* The Connection row: what carries the session, and libtessera's
 * description of it once it is open. */
static void
show_transport (WalletPresentPage *self)
{
  WalletSession *session = self->session;
  g_autofree char *subtitle = NULL;
  const char *description = wallet_session_get_description (session);

  if (wallet_session_get_transport (session) == WALLET_TRANSPORT_BLE)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->transport_row),
                                     wallet_session_get_ble_mode (session) == TSR_BLE_MODE_CENTRAL_CLIENT ?
                                     _("Bluetooth LE, central mode") :
                                     _("Bluetooth LE, peripheral mode"));
      gtk_image_set_from_icon_name (self->transport_icon, "bluetooth-active-symbolic");
      subtitle = g_strdup (description != NULL ? description : "");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->transport_row),
                                     _("Local transport (testing)"));
      gtk_image_set_from_icon_name (self->transport_icon, "network-wired-symbolic");
      /* Translators: %s is a file system path */
      subtitle = g_strdup_printf (_("Socket %s"), wallet_session_get_socket_path (session));
    }
  adw_action_row_set_subtitle (self->transport_row, subtitle);
}

static gboolean
is_bluetooth_error (const GError *error)
{
  return error->domain == WALLET_ERROR &&
         (error->code == TSR_ERR_TRANSPORT_BLE_POWERED_OFF ||
          error->code == TSR_ERR_TRANSPORT_BLE_NO_ADAPTER ||
          error->code == TSR_ERR_TRANSPORT_BLE_NO_BLUEZ ||
          error->code == TSR_ERR_TRANSPORT_BLE_PERMISSION ||
          error->code == TSR_ERR_UNSUPPORTED);
}

/* The transport is up: now the QR code may be shown. */
static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WalletPresentPage) self = user_data;
  WalletSession *session = WALLET_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!wallet_session_open_finish (session, result, &error))
    {
      if (session != self->session || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (is_bluetooth_error (error))
        show_failure_full (self, "bluetooth-disabled-symbolic", _("Bluetooth Unavailable"),
                           error->message);
      else
        show_failure (self, error->message);
      return;
    }
  if (session != self->session)
    return;

  gtk_spinner_set_spinning (self->starting_spinner, FALSE);
  wallet_qr_view_set_text (self->qr_view, wallet_session_get_uri (session));
  show_transport (self);
  set_status (self, _("Waiting for a reader…"), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "qr");
  inhibit (self);
  wallet_session_wait_request_async (session, self->cancellable, on_request,
                                     g_object_ref (self));
}

gboolean
wallet_present_page_start (WalletPresentPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *transport = NULL;
  g_autofree char *mode = NULL;

  g_return_val_if_fail (WALLET_IS_PRESENT_PAGE (self), FALSE);

  wallet_present_page_stop (self);
  clear_requests (self);
  gtk_widget_set_visible (self->eatt_hint, FALSE);
  if (self->settings != NULL)
    {
      transport = g_settings_get_string (self->settings, "transport");
      mode = g_settings_get_string (self->settings, "ble-mode");
    }
  if (g_strcmp0 (transport, "ble") == 0)
    {
      g_autoptr(GVariant) chosen = g_settings_get_user_value (self->settings, "transport");

      /* BLE is the default where there is Bluetooth; chosen explicitly,
       * a missing adapter is an error rather than a quiet fallback. */
      self->session = wallet_session_new_ble (self->store,
                                              g_strcmp0 (mode, "central") == 0 ?
                                              TSR_BLE_MODE_CENTRAL_CLIENT :
                                              TSR_BLE_MODE_PERIPHERAL_SERVER,
                                              g_settings_get_boolean (self->settings, "ble-l2cap"),
                                              chosen == NULL, &error);
    }
  else
    self->session = wallet_session_new (self->store, NULL, &error);
  gtk_widget_set_visible (self->cancel_button, TRUE);
  if (self->session == NULL)
    {
      show_failure (self, error->message);
      return TRUE;
    }
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (on_state_changed), self,
                           G_CONNECT_SWAPPED);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "refuse-untrusted-readers", self->session,
                     "trusted-readers-only", G_SETTINGS_BIND_GET);
  /* No QR code before the transport is open: a reader must never scan a
   * code nobody listens for. */
  adw_status_page_set_title (self->starting_page,
                             wallet_session_get_transport (self->session) == WALLET_TRANSPORT_BLE ?
                             _("Starting Bluetooth…") : _("Starting…"));
  gtk_spinner_set_spinning (self->starting_spinner, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "starting");

  self->cancellable = g_cancellable_new ();
  wallet_session_open_async (self->session, self->cancellable, on_opened, g_object_ref (self));
  return TRUE;
}

void
wallet_present_page_stop (WalletPresentPage *self)
{
  g_return_if_fail (WALLET_IS_PRESENT_PAGE (self));

  if (self->consent != NULL)
    {
      /* Declines: the reader gets an answer without data. */
      WalletConsentDialog *consent = g_steal_pointer (&self->consent);
      wallet_consent_dialog_decline (consent);
    }
  if (self->pin_dialog != NULL)
    /* Its response declines, as the consent sheet's. */
    gtk_window_close (GTK_WINDOW (self->pin_dialog));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  uninhibit (self);
}

const char *
wallet_present_page_get_view (WalletPresentPage *self)
{
  g_return_val_if_fail (WALLET_IS_PRESENT_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

WalletSession *
wallet_present_page_get_session (WalletPresentPage *self)
{
  g_return_val_if_fail (WALLET_IS_PRESENT_PAGE (self), NULL);
  return self->session;
}

AdwMessageDialog *
wallet_present_page_get_pin_dialog (WalletPresentPage *self)
{
  g_return_val_if_fail (WALLET_IS_PRESENT_PAGE (self), NULL);
  return self->pin_dialog;
}

WalletConsentDialog *
wallet_present_page_get_consent_dialog (WalletPresentPage *self)
{
  g_return_val_if_fail (WALLET_IS_PRESENT_PAGE (self), NULL);
  return self->consent;
}

const char *
wallet_present_page_get_result_title (WalletPresentPage *self)
{
  g_return_val_if_fail (WALLET_IS_PRESENT_PAGE (self), NULL);
  return adw_status_page_get_title (self->result_page);
}
