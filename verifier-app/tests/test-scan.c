/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The scan path without a camera: frames from image files go through the
 * camera's own frame source (GStreamer, appsink, GRAY8) and the QR
 * scanner, and must give back the holder's engagement. */

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "verifier-error.h"
#include "verifier-image-source.h"
#include "verifier-pipeline-source.h"
#include "verifier-qr-scanner.h"
#include "verifier-scan-page.h"
#include "verifier-test-common.h"

typedef struct {
	char *dir;
	tsr_holder_session_t *holder;
	char *uri;
	char *clean_png;   /* the QR as a holder's screen shows it */
	char *photo_png;   /* a noisy, rotated, scaled "photo" of it */
	char *other_png;   /* a QR code that is not an engagement */
	char *blank_png;   /* no QR code at all */
} Fixture;

static void
write_qr_png (const char *text, const char *path)
{
	tsr_qr_t *qr = NULL;
	uint8_t *png = NULL;
	size_t len = 0;
	g_autoptr (GError) error = NULL;

	g_assert_cmpint (tsr_qr_encode (text, &qr), ==, TSR_OK);
	g_assert_cmpint (tsr_qr_to_png (qr, 6, TSR_QR_QUIET_ZONE, &png, &len), ==, TSR_OK);
	g_file_set_contents (path, (const char *) png, (gssize) len, &error);
	g_assert_no_error (error);
	tsr_free (png);
	tsr_qr_free (qr);
}

static void
save_gray_png (const guint8 *gray, int w, int h, const char *path)
{
	guint8 *rgb = g_malloc ((gsize) w * (gsize) h * 3);
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GdkTexture) texture = NULL;

	for (gsize i = 0; i < (gsize) w * (gsize) h; i++)
		rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
	bytes = g_bytes_new_take (rgb, (gsize) w * (gsize) h * 3);
	texture = gdk_memory_texture_new (w, h, GDK_MEMORY_R8G8B8, bytes, (gsize) w * 3);
	g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* A camera's view of a phone: the code turned by 12°, shrunk to 70%, on a
 * grey, noisy background, with bilinear smoothing. */
static void
make_photo (const char *clean, const char *path)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GdkTexture) src = gdk_texture_new_from_filename (clean, &error);
	g_autoptr (VerifierFrame) frame = NULL;
	g_autoptr (GRand) rand = g_rand_new_with_seed (18013);
	const int W = 800, H = 600;
	g_autofree guint8 *out = g_malloc ((gsize) W * H);
	const guint8 *in;
	guint sw, sh;
	gsize stride;
	double angle = 12.0 * G_PI / 180.0, scale = 0.7;
	double cx = W / 2.0 + 40, cy = H / 2.0 - 20;

	g_assert_no_error (error);
	frame = verifier_frame_new_from_texture (src);
	in = g_bytes_get_data (verifier_frame_get_pixels (frame, &sw, &sh, &stride), NULL);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			/* Back from the photo into the source image. */
			double dx = (x - cx) / scale, dy = (y - cy) / scale;
			double sx = cos (angle) * dx + sin (angle) * dy + sw / 2.0;
			double sy = -sin (angle) * dx + cos (angle) * dy + sh / 2.0;
			double v = 150.0;  /* the table under the phone */

			if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
				int ix = (int) sx, iy = (int) sy;
				double fx = sx - ix, fy = sy - iy;
				const guint8 *p = in + (gsize) iy * stride + (gsize) ix;

				v = (1 - fx) * (1 - fy) * p[0] + fx * (1 - fy) * p[1] +
				    (1 - fx) * fy * p[stride] + fx * fy * p[stride + 1];
				v = 30 + v * 0.8;  /* a screen is never black nor white */
			}
			v += g_rand_double_range (rand, -25, 25);
			out[(gsize) y * W + x] = (guint8) CLAMP (v, 0, 255);
		}
	}
	save_gray_png (out, W, H, path);
}

static void
setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	guint8 blank[64 * 64];

	(void) data;
	f->dir = g_dir_make_tmp ("verifier-scan-XXXXXX", &error);
	g_assert_no_error (error);
	g_assert_cmpint (tsr_holder_session_new (NULL, &f->holder), ==, TSR_OK);
	{
		char *uri = NULL;

		g_assert_cmpint (tsr_holder_session_qr_uri (f->holder, &uri), ==, TSR_OK);
		f->uri = g_strdup (uri);
		tsr_free (uri);
	}
	f->clean_png = g_build_filename (f->dir, "qr.png", NULL);
	f->photo_png = g_build_filename (f->dir, "photo.png", NULL);
	f->other_png = g_build_filename (f->dir, "other.png", NULL);
	f->blank_png = g_build_filename (f->dir, "blank.png", NULL);
	write_qr_png (f->uri, f->clean_png);
	make_photo (f->clean_png, f->photo_png);
	write_qr_png ("https://example.org/not-a-wallet", f->other_png);
	memset (blank, 200, sizeof blank);
	save_gray_png (blank, 64, 64, f->blank_png);
	if (g_getenv ("VT_OUTPUT_DIR") != NULL) {
		g_autofree char *copy = g_build_filename (g_getenv ("VT_OUTPUT_DIR"), "scan-photo.png", NULL);
		g_autofree char *bytes = NULL;
		gsize len;

		if (g_file_get_contents (f->photo_png, &bytes, &len, NULL))
			g_file_set_contents (copy, bytes, (gssize) len, NULL);
	}
}

static void
teardown (Fixture *f, gconstpointer data)
{
	char *files[] = { f->clean_png, f->photo_png, f->other_png, f->blank_png };

	(void) data;
	for (gsize i = 0; i < G_N_ELEMENTS (files); i++) {
		g_unlink (files[i]);
		g_free (files[i]);
	}
	g_rmdir (f->dir);
	g_free (f->dir);
	g_free (f->uri);
	tsr_holder_session_free (f->holder);
}

typedef struct {
	char *found;
	GError *error;
	guint frames;
	gboolean done;
} Outcome;

static void
on_found (VerifierQrScanner *scanner, const char *uri, Outcome *o)
{
	(void) scanner;
	o->found = g_strdup (uri);
	o->done = TRUE;
}

static void
on_not_found (VerifierQrScanner *scanner, const GError *error, Outcome *o)
{
	(void) scanner;
	o->error = g_error_copy (error);
	o->done = TRUE;
}

static void
on_frame (VerifierFrameSource *source, VerifierFrame *frame, Outcome *o)
{
	(void) source;
	(void) frame;
	o->frames++;
}

static gboolean
outcome_done (gpointer data)
{
	return ((Outcome *) data)->done;
}

static void
scan (VerifierFrameSource *source, Outcome *o)
{
	g_autoptr (VerifierQrScanner) scanner = verifier_qr_scanner_new ();
	g_autoptr (GError) error = NULL;

	g_signal_connect (scanner, "found", G_CALLBACK (on_found), o);
	g_signal_connect (scanner, "not-found", G_CALLBACK (on_not_found), o);
	g_signal_connect (source, "frame", G_CALLBACK (on_frame), o);
	verifier_qr_scanner_set_source (scanner, source);
	/* A source may fail at once (a missing file) or later (::finished). */
	if (!verifier_frame_source_start (source, &error))
		o->error = g_steal_pointer (&error);
	else
		g_assert_true (vt_wait_until (outcome_done, o, 20000));
	verifier_frame_source_stop (source);
	verifier_qr_scanner_set_source (scanner, NULL);
}

/* The URI decodes to the same DeviceEngagement the holder made. */
static void
assert_engagement (Fixture *f, const char *uri)
{
	tsr_reader_session_t *rs = NULL;
	const uint8_t *engagement, *transcript;
	size_t engagement_len, transcript_len;

	g_assert_cmpstr (uri, ==, f->uri);
	g_assert_cmpint (tsr_reader_session_new (uri, &rs), ==, TSR_OK);
	tsr_holder_session_engagement (f->holder, &engagement, &engagement_len);
	tsr_reader_session_transcript (rs, &transcript, &transcript_len);
	g_assert_nonnull (memmem (transcript, transcript_len, engagement, engagement_len));
	tsr_reader_session_free (rs);
}

/* The frame-source cases: which source reads which picture, and what the
 * scanner must make of it. */
typedef enum {
	SOURCE_PIPELINE_FILE, /* the camera's pipeline fed from a file */
	SOURCE_PIPELINE_LIVE, /* a live stream: the code pasted onto a noisy 640x480 picture */
	SOURCE_IMAGE,         /* one image, no GStreamer */
} SourceKind;

typedef enum { PNG_CLEAN, PNG_PHOTO, PNG_OTHER, PNG_BLANK, PNG_MISSING } Picture;

typedef enum {
	EXPECT_ENGAGEMENT,     /* the holder's engagement, no error */
	EXPECT_NOT_ENGAGEMENT, /* a code, but not an mdoc: URI */
	EXPECT_NO_QR,          /* no code at all */
	EXPECT_ERROR,          /* any error (the file is missing) */
} Expect;

typedef struct {
	const char *path;
	SourceKind source;
	Picture picture;
	guint file_frames;  /* frames the pipeline makes of a file */
	guint min_frames;   /* frames the scanner must have seen (0: any) */
	gboolean one_frame; /* exactly one frame */
	Expect expect;
} ScanCase;

static const ScanCase scan_cases[] = {
	{ "/scan/pipeline_clean", SOURCE_PIPELINE_FILE, PNG_CLEAN, 3, 1, FALSE, EXPECT_ENGAGEMENT },
	{ "/scan/pipeline_photo", SOURCE_PIPELINE_FILE, PNG_PHOTO, 3, 0, FALSE, EXPECT_ENGAGEMENT },
	{ "/scan/pipeline_live", SOURCE_PIPELINE_LIVE, PNG_CLEAN, 0, 0, FALSE, EXPECT_ENGAGEMENT },
	{ "/scan/image_source_clean", SOURCE_IMAGE, PNG_CLEAN, 0, 0, TRUE, EXPECT_ENGAGEMENT },
	{ "/scan/image_source_photo", SOURCE_IMAGE, PNG_PHOTO, 0, 0, TRUE, EXPECT_ENGAGEMENT },
	{ "/scan/not_engagement", SOURCE_PIPELINE_FILE, PNG_OTHER, 2, 0, FALSE, EXPECT_NOT_ENGAGEMENT },
	{ "/scan/no_code", SOURCE_PIPELINE_FILE, PNG_BLANK, 2, 0, FALSE, EXPECT_NO_QR },
	{ "/scan/missing_file", SOURCE_PIPELINE_FILE, PNG_MISSING, 2, 0, FALSE, EXPECT_ERROR },
};

static char *
picture_path (Fixture *f, Picture picture)
{
	switch (picture) {
	case PNG_CLEAN: return g_strdup (f->clean_png);
	case PNG_PHOTO: return g_strdup (f->photo_png);
	case PNG_OTHER: return g_strdup (f->other_png);
	case PNG_BLANK: return g_strdup (f->blank_png);
	case PNG_MISSING:
	default: return g_build_filename (f->dir, "does-not-exist.png", NULL);
	}
}

static VerifierFrameSource *
source_new (const ScanCase *c, const char *path)
{
	g_autoptr (GFile) file = g_file_new_for_path (path);
	g_autofree char *head = NULL;

	switch (c->source) {
	case SOURCE_PIPELINE_FILE:
		return VERIFIER_FRAME_SOURCE (verifier_pipeline_source_new_for_file (file, c->file_frames));
	case SOURCE_PIPELINE_LIVE:
		/* Frame after frame, as v4l2src would deliver them. */
		head = g_strdup_printf (
		    "videotestsrc pattern=snow num-buffers=30 is-live=true ! "
		    "video/x-raw,width=640,height=480,framerate=15/1 ! videoconvert ! "
		    "gdkpixbufoverlay location=\"%s\" offset-x=150 offset-y=60", path);
		return VERIFIER_FRAME_SOURCE (verifier_pipeline_source_new_for_description (head));
	case SOURCE_IMAGE:
	default:
		return VERIFIER_FRAME_SOURCE (verifier_image_source_new_for_file (file));
	}
}

static void
test_frame_source (Fixture *f, gconstpointer data)
{
	const ScanCase *c = data;
	g_autofree char *path = picture_path (f, c->picture);
	g_autoptr (VerifierFrameSource) source = source_new (c, path);
	Outcome o = { 0 };

	scan (source, &o);
	switch (c->expect) {
	case EXPECT_ENGAGEMENT:
		g_assert_no_error (o.error);
		assert_engagement (f, o.found);
		break;
	case EXPECT_NOT_ENGAGEMENT:
		g_assert_null (o.found);
		g_assert_error (o.error, VERIFIER_ERROR, VERIFIER_ERROR_NOT_ENGAGEMENT);
		break;
	case EXPECT_NO_QR:
		g_assert_null (o.found);
		g_assert_error (o.error, VERIFIER_ERROR, VERIFIER_ERROR_NO_QR);
		break;
	case EXPECT_ERROR:
	default:
		g_assert_null (o.found);
		g_assert_nonnull (o.error);
		break;
	}
	if (c->min_frames > 0)
		g_assert_cmpuint (o.frames, >=, c->min_frames);
	if (c->one_frame)
		g_assert_cmpuint (o.frames, ==, 1);
	g_free (o.found);
	g_clear_error (&o.error);
}

/* Where a frame source's signals run, while the main thread is busy. */
typedef struct {
	GThread *main_thread;
	guint frames;
	gboolean finished;
} ThreadLog;

static void
on_frame_check_thread (VerifierFrameSource *source, VerifierFrame *frame, ThreadLog *log)
{
	(void) source;
	(void) frame;
	/* Fail at once: on a streaming thread the end of the stream would stop
	 * the pipeline from that very thread, which never returns. */
	if (g_thread_self () != log->main_thread)
		g_error ("a frame was delivered on a GStreamer streaming thread");
	log->frames++;
}

static void
on_finished_check_thread (VerifierFrameSource *source, const GError *error, ThreadLog *log)
{
	(void) source;
	g_assert_no_error (error);
	if (g_thread_self () != log->main_thread)
		g_error ("the end of the stream was delivered on a GStreamer streaming thread");
	log->finished = TRUE;
}

static gboolean
thread_log_finished (gpointer data)
{
	return ((ThreadLog *) data)->finished;
}

/* The main thread busy (a long layout, a slow disk) while the pipeline
 * runs, so that nobody iterates the main context: the frames and the end
 * of the stream must still wait for the main thread. Before the fix they
 * ran on the streaming thread, and the end of the stream stopped the
 * pipeline from inside itself, holding the main context: the app hung. */
static void
test_busy_main_thread (Fixture *f, gconstpointer data)
{
	g_autoptr (GFile) file = g_file_new_for_path (f->clean_png);
	g_autoptr (VerifierFrameSource) source =
	    VERIFIER_FRAME_SOURCE (verifier_pipeline_source_new_for_file (file, 3));
	g_autoptr (GError) error = NULL;
	ThreadLog log = { .main_thread = g_thread_self () };

	(void) data;
	g_signal_connect (source, "frame", G_CALLBACK (on_frame_check_thread), &log);
	g_signal_connect (source, "finished", G_CALLBACK (on_finished_check_thread), &log);
	g_assert_true (verifier_frame_source_start (source, &error));
	g_assert_no_error (error);
	g_usleep (G_USEC_PER_SEC);
	g_assert_cmpuint (log.frames, ==, 0);
	g_assert_true (vt_wait_until (thread_log_finished, &log, 20000));
	g_assert_cmpuint (log.frames, >=, 1);
	verifier_frame_source_stop (source);
}

static void
on_uri_found (VerifierScanPage *page, const char *uri, Outcome *o)
{
	(void) page;
	o->found = g_strdup (uri);
	o->done = TRUE;
}

/* The scan page itself: no camera here, so it says so; "Open Image…"
 * (scan_file) finds the code in the photo. */
static void
test_scan_page (Fixture *f, gconstpointer data)
{
	GtkWindow *window = vt_window_new (360, 720);
	VerifierScanPage *page = g_object_new (VERIFIER_TYPE_SCAN_PAGE, NULL);
	g_autoptr (GFile) file = g_file_new_for_path (f->photo_png);
	g_autofree char *text = NULL;
	Outcome o = { 0 };

	(void) data;
	adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (page));
	gtk_window_present (window);
	vt_iterate (100);
	g_assert_cmpuint (verifier_scan_page_get_n_cameras (page), ==, 0);
	text = vt_collect_text (GTK_WIDGET (page));
	g_assert_nonnull (strstr (text, "No camera found"));

	g_signal_connect (page, "uri-found", G_CALLBACK (on_uri_found), &o);
	verifier_scan_page_scan_file (page, file);
	g_assert_true (vt_wait_until (outcome_done, &o, 20000));
	assert_engagement (f, o.found);
	g_free (o.found);
	gtk_window_destroy (window);
	vt_iterate (10);
}

int
main (int argc, char *argv[])
{
	vt_init (&argc, &argv);
	for (gsize i = 0; i < G_N_ELEMENTS (scan_cases); i++)
		g_test_add (scan_cases[i].path, Fixture, &scan_cases[i], setup, test_frame_source,
		    teardown);
	g_test_add ("/scan/scan_page", Fixture, NULL, setup, test_scan_page, teardown);
	g_test_add ("/scan/busy_main_thread", Fixture, NULL, setup, test_busy_main_thread, teardown);
	return g_test_run ();
}
