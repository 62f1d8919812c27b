/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "swtpm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

struct tsr_test_swtpm {
	char *dir;      /* temporary: state/, config files, maybe ca/ */
	char *ca_dir;
	gboolean own_ca;
	char *state;
	char *tcti;
	char *ca_issuer;
	char *ca_root;
	guint16 port;
	GPid pid;
};

gboolean
tsr_test_swtpm_available(void)
{
	g_autofree char *a = g_find_program_in_path("swtpm");
	g_autofree char *b = g_find_program_in_path("swtpm_setup");
	g_autofree char *c = g_find_program_in_path("swtpm_localca");

	return a != NULL && b != NULL && c != NULL;
}

/* A NULL-terminated, owned copy of argv (GLib's spawn API takes char **). */
static char **
argv_dup(const char *const *argv)
{
	GPtrArray *a = g_ptr_array_new();

	for (; *argv != NULL; argv++)
		g_ptr_array_add(a, g_strdup(*argv));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

void
tsr_test_rmrf(const char *path)
{
	g_autoptr(GError) error = NULL;
	const char *args[] = { "rm", "-rf", "--", path, NULL };
	g_auto(GStrv) argv = NULL;
	int status = 0;

	if (path == NULL)
		return;
	argv = argv_dup(args);
	g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
	    &status, &error);
	g_assert_no_error(error);
}

char *
tsr_test_swtpm_ca_dir_new(void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("tessera-swtpm-ca-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

/* Binds to port 0 and reports what the kernel picked. */
static guint16
free_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	g_assert_cmpint(fd, >=, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen), ==, 0);
	close(fd);
	return ntohs(a.sin_port);
}

static gboolean
port_bindable(guint16 port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	gboolean ok;

	g_assert_cmpint(fd, >=, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static gboolean
port_open(guint16 port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	gboolean ok;

	g_assert_cmpint(fd, >=, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* The tpm2-tss swtpm TCTI talks to the control channel on port + 1. */
static guint16
free_port_pair(void)
{
	for (int i = 0; i < 100; i++) {
		guint16 p = free_port();

		if (p < 65535 && port_bindable((guint16)(p + 1)) && port_bindable(p))
			return p;
	}
	g_error("swtpm fixture: no two adjacent free TCP ports on 127.0.0.1");
	return 0;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
}

static void
child_setup(gpointer data)
{
	(void)data;
	/* Never outlive the test, even when it aborts. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
start(tsr_test_swtpm_t *t)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *server = NULL, *ctrl = NULL, *state = NULL, *log = NULL;
	gint64 deadline;

	t->port = free_port_pair();
	server = g_strdup_printf("type=tcp,port=%u,bindaddr=127.0.0.1", t->port);
	ctrl = g_strdup_printf("type=tcp,port=%u,bindaddr=127.0.0.1", t->port + 1u);
	state = g_strdup_printf("dir=%s", t->state);
	log = g_strdup_printf("file=%s/swtpm.log", t->dir);
	{
		const char *args[] = {
			"swtpm", "socket", "--tpm2", "--server", server, "--ctrl", ctrl,
			"--tpmstate", state, "--flags", "not-need-init,startup-clear",
			"--log", log, NULL,
		};
		g_auto(GStrv) argv = argv_dup(args);

		g_spawn_async(NULL, argv, NULL,
		    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
		    child_setup, NULL, &t->pid, &error);
		g_assert_no_error(error);
	}
	deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!port_open(t->port)) {
		int status;

		if (waitpid(t->pid, &status, WNOHANG) == t->pid)
			g_error("swtpm fixture: swtpm exited early (see %s/swtpm.log)", t->dir);
		if (g_get_monotonic_time() > deadline)
			g_error("swtpm fixture: swtpm did not open port %u", t->port);
		g_usleep(5000);
	}
	g_free(t->tcti);
	t->tcti = g_strdup_printf("swtpm:host=127.0.0.1,port=%u", t->port);
}

static void
stop(tsr_test_swtpm_t *t)
{
	int status;

	if (t->pid <= 0)
		return;
	kill(t->pid, SIGTERM);
	while (waitpid(t->pid, &status, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(t->pid);
	t->pid = 0;
}

tsr_test_swtpm_t *
tsr_test_swtpm_new(const char *ca_dir)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *conf = NULL, *caconf = NULL, *setup_conf = NULL, *opts = NULL;
	g_autofree char *logfile = NULL, *out = NULL, *err = NULL;
	tsr_test_swtpm_t *t = g_new0(tsr_test_swtpm_t, 1);
	int status = 0;

	t->dir = g_dir_make_tmp("tessera-swtpm-XXXXXX", &error);
	g_assert_no_error(error);
	t->state = g_build_filename(t->dir, "state", NULL);
	g_assert_cmpint(g_mkdir(t->state, 0700), ==, 0);
	if (ca_dir == NULL) {
		t->ca_dir = g_build_filename(t->dir, "ca", NULL);
		g_assert_cmpint(g_mkdir(t->ca_dir, 0700), ==, 0);
		t->own_ca = TRUE;
	} else {
		t->ca_dir = g_strdup(ca_dir);
	}
	t->ca_issuer = g_build_filename(t->ca_dir, "issuercert.pem", NULL);
	t->ca_root = g_build_filename(t->ca_dir, "swtpm-localca-rootca-cert.pem", NULL);

	/* swtpm_setup -> swtpm_localca, both pointed at our own files. */
	caconf = g_strdup_printf("statedir = %s\nsigningkey = %s/signkey.pem\n"
	    "issuercert = %s\ncertserial = %s/certserial\n", t->ca_dir, t->ca_dir, t->ca_issuer,
	    t->ca_dir);
	write_file(t->dir, "swtpm-localca.conf", caconf);
	write_file(t->dir, "swtpm-localca.options",
	    "--platform-manufacturer Tessera\n--platform-version 2.1\n--platform-model swtpm\n");
	setup_conf = g_strdup_printf("create_certs_tool = swtpm_localca\n"
	    "create_certs_tool_config = %s/swtpm-localca.conf\n"
	    "create_certs_tool_options = %s/swtpm-localca.options\n"
	    "active_pcr_banks = sha256\n", t->dir, t->dir);
	write_file(t->dir, "swtpm_setup.conf", setup_conf);
	conf = g_build_filename(t->dir, "swtpm_setup.conf", NULL);
	logfile = g_build_filename(t->dir, "swtpm_setup.log", NULL);
	{
		const char *args[] = {
			"swtpm_setup", "--tpm2", "--tpmstate", t->state, "--create-ek-cert",
			"--create-platform-cert", "--ecc", "--overwrite", "--config", conf,
			"--logfile", logfile, NULL,
		};
		g_auto(GStrv) argv = argv_dup(args);

		g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
		    &status, &error);
		g_assert_no_error(error);
	}
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_autofree char *text = NULL;

		g_file_get_contents(logfile, &text, NULL, NULL);
		g_error("swtpm fixture: swtpm_setup failed: %s%s", err, text != NULL ? text : "");
	}
	start(t);
	return t;
}

const char *
tsr_test_swtpm_tcti(const tsr_test_swtpm_t *tpm)
{
	return tpm->tcti;
}

const char *
tsr_test_swtpm_ca_issuer(const tsr_test_swtpm_t *tpm)
{
	return tpm->ca_issuer;
}

const char *
tsr_test_swtpm_ca_root(const tsr_test_swtpm_t *tpm)
{
	return tpm->ca_root;
}

void
tsr_test_swtpm_restart(tsr_test_swtpm_t *tpm)
{
	stop(tpm);
	start(tpm);
}

void
tsr_test_swtpm_free(tsr_test_swtpm_t *tpm)
{
	if (tpm == NULL)
		return;
	stop(tpm);
	tsr_test_rmrf(tpm->dir);
	g_free(tpm->dir);
	g_free(tpm->ca_dir);
	g_free(tpm->state);
	g_free(tpm->tcti);
	g_free(tpm->ca_issuer);
	g_free(tpm->ca_root);
	g_free(tpm);
}

void
tsr_test_swtpm_handles(const char *tcti, gboolean flush, unsigned *ret_persistent,
    unsigned *ret_loaded)
{
	/* TPM2_TRANSIENT_FIRST and TPM2_LOADED_SESSION_FIRST, written out: the
	 * tss2 macros shift a promoted int into its sign bit (UBSan). */
	const TPM2_HANDLE ranges[] = { 0x80000000u, 0x02000000u };
	TSS2_TCTI_CONTEXT *tctx = NULL;
	ESYS_CONTEXT *esys = NULL;
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;

	g_assert_cmpuint(Tss2_TctiLdr_Initialize(tcti, &tctx), ==, TSS2_RC_SUCCESS);
	g_assert_cmpuint(Esys_Initialize(&esys, tctx, NULL), ==, TSS2_RC_SUCCESS);
	g_assert_cmpuint(Esys_GetCapability(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	    TPM2_CAP_HANDLES, 0x81000000u /* TPM2_PERSISTENT_FIRST */, 64, &more, &cap), ==,
	    TSS2_RC_SUCCESS);
	*ret_persistent = cap->data.handles.count;
	Esys_Free(cap);
	*ret_loaded = 0;
	for (size_t r = 0; r < G_N_ELEMENTS(ranges); r++) {
		cap = NULL;
		g_assert_cmpuint(Esys_GetCapability(esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_HANDLES, ranges[r], 64, &more, &cap), ==,
		    TSS2_RC_SUCCESS);
		for (UINT32 i = 0; i < cap->data.handles.count; i++) {
			TPM2_HANDLE h = cap->data.handles.handle[i];
			ESYS_TR tr = ESYS_TR_NONE;

			/* Loaded sessions keep their own handles: HMAC (0x02)
			 * and policy (0x03) sessions alike. */
			if (r == 0 ? (h >> 24) != 0x80 : (h >> 24) != 0x02 && (h >> 24) != 0x03)
				continue;
			(*ret_loaded)++;
			if (!flush)
				continue;
			g_assert_cmpuint(Esys_TR_FromTPMPublic(esys, h, ESYS_TR_NONE,
			    ESYS_TR_NONE, ESYS_TR_NONE, &tr), ==, TSS2_RC_SUCCESS);
			g_assert_cmpuint(Esys_FlushContext(esys, tr), ==, TSS2_RC_SUCCESS);
		}
		Esys_Free(cap);
	}
	Esys_Finalize(&esys);
	Tss2_TctiLdr_Finalize(&tctx);
}
