/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include <tessera/tessera.h>

#include "wallet-qr-view.h"

struct _WalletQrView
{
  GtkWidget parent_instance;

  char *text;
  tsr_qr_t *qr;
};

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WalletQrView, wallet_qr_view, GTK_TYPE_WIDGET)

/* The smallest module that still scans well from a phone screen. */
#define MIN_MODULE_PX 3
#define NATURAL_MODULE_PX 8

static guint
side_modules (WalletQrView *self)
{
  return tsr_qr_size (self->qr) + 2 * TSR_QR_QUIET_ZONE;
}

static void
wallet_qr_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  WalletQrView *self = WALLET_QR_VIEW (widget);
  guint n = self->qr != NULL ? side_modules (self) : 0;

  *minimum = (int) (n * MIN_MODULE_PX);
  *natural = (int) (n * NATURAL_MODULE_PX);
}

static void
wallet_qr_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  WalletQrView *self = WALLET_QR_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA black = { 0, 0, 0, 1 };
  guint n, size, module;
  int side, x0, y0;

  if (self->qr == NULL)
    return;
  n = side_modules (self);
  size = tsr_qr_size (self->qr);
  module = (guint) MIN (width, height) / n;
  if (module == 0)
    module = 1;
  side = (int) (module * n);
  /* Whole pixels only: no module ever straddles a pixel edge. */
  x0 = (width - side) / 2;
  y0 = (height - side) / 2;

  gtk_snapshot_append_color (snapshot, &white, &GRAPHENE_RECT_INIT ((float) x0, (float) y0,
                                                                    (float) side, (float) side));
  for (guint y = 0; y < size; y++)
    {
      guint x = 0;

      while (x < size)
        {
          guint run;

          if (!tsr_qr_module (self->qr, x, y))
            {
              x++;
              continue;
            }
          for (run = 1; x + run < size && tsr_qr_module (self->qr, x + run, y); run++)
            ;
          gtk_snapshot_append_color (snapshot, &black,
                                     &GRAPHENE_RECT_INIT ((float) (x0 + (int) ((x + TSR_QR_QUIET_ZONE) * module)),
                                                          (float) (y0 + (int) ((y + TSR_QR_QUIET_ZONE) * module)),
                                                          (float) (run * module), (float) module));
          x += run;
        }
    }
}

static void
wallet_qr_view_finalize (GObject *object)
{
  WalletQrView *self = WALLET_QR_VIEW (object);

  tsr_qr_free (self->qr);
  g_free (self->text);
  G_OBJECT_CLASS (wallet_qr_view_parent_class)->finalize (object);
}

static void
wallet_qr_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, WALLET_QR_VIEW (object)->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_qr_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_TEXT:
      wallet_qr_view_set_text (WALLET_QR_VIEW (object), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wallet_qr_view_class_init (WalletQrViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = wallet_qr_view_finalize;
  object_class->get_property = wallet_qr_view_get_property;
  object_class->set_property = wallet_qr_view_set_property;
  widget_class->measure = wallet_qr_view_measure;
  widget_class->snapshot = wallet_qr_view_snapshot;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "qrview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
wallet_qr_view_init (WalletQrView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("QR code for the reader to scan"), -1);
}

GtkWidget *
wallet_qr_view_new (void)
{
  return g_object_new (WALLET_TYPE_QR_VIEW, NULL);
}

gboolean
wallet_qr_view_set_text (WalletQrView *self,
                         const char   *text)
{
  tsr_qr_t *qr = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (WALLET_IS_QR_VIEW (self), FALSE);

  if (g_strcmp0 (self->text, text) == 0)
    return TRUE;
  if (text != NULL && *text != '\0' && tsr_qr_encode (text, &qr) != TSR_OK)
    ok = FALSE;
  tsr_qr_free (self->qr);
  self->qr = qr;
  g_free (self->text);
  self->text = qr != NULL ? g_strdup (text) : NULL;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  return ok;
}

const char *
wallet_qr_view_get_text (WalletQrView *self)
{
  g_return_val_if_fail (WALLET_IS_QR_VIEW (self), NULL);
  return self->text;
}
