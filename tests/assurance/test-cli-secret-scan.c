/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Secret hygiene of the `tessera` CLI processes (issue #10): a real QR
 * session over the local transport between `tessera present` (holder) and
 * `tessera reader request` (reader), both real processes of the built CLI.
 * When each process calls exit, its memory must hold none of the session's
 * secrets: the EDeviceKey and EReaderKey private scalars, the session's
 * ECDH secret, SKDevice and SKReader, the device-auth ECDH secret
 * (SDeviceKey with EReaderKey) and the EMacKey, nor the static device
 * key's private scalar (which the holder read from its PEM file).
 *
 * How the test gets at them:
 *  - Both processes run under ptrace (PTRACE_TRACEME, then
 *    PTRACE_O_TRACEEXIT): each stops when it calls exit, with its memory
 *    still whole, and the test reads every readable and writable mapping
 *    through /proc/PID/mem (as test-secret-scan does in its own process:
 *    heap, stack, anonymous mappings, libraries' data).
 *  - The reader connects to the test, which passes the frames on to the
 *    holder (the local transport's uint32 length prefix) and so sees the
 *    SessionEstablishment (EReaderKey) and can hold the response back.
 *  - While it holds the response, both sessions are alive, and the two
 *    ephemeral private scalars are found in the processes' memory: every
 *    mbedTLS big number (mbedtls_mpi {int s; size_t n; mbedtls_mpi_uint
 *    *p}) of 4 to 16 limbs whose value d gives d * G = the EDeviceKey of
 *    the engagement (holder) or the EReaderKey of the establishment
 *    (reader). From them and the transcript the test recomputes the other
 *    secrets, as the library does (session_init(), §9.1.3.5).
 *
 * Controls, so that the final scans cannot pass by seeing nothing: the
 * scalars must be found live, and the live holder must hold SKDevice and
 * the live reader SKReader where the scan sees them. A secret counts as
 * found when either 16-byte half occurs, forwards or byte-reversed (big
 * numbers are little-endian limbs). MALLOC_PERTURB_ is set to 0 for both
 * processes, so glibc does not wipe freed blocks on the library's behalf.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <mbedtls/bignum.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"
#include "engagement/engagement.h"
#include "mdoc/mdoc.h"
#include "session/session.h"
#include "test-support.h"

#define NOW "2021-01-01T00:00:00Z"
#define FRAME_MAX ((size_t)1024 * 1024)
#define WAIT_MS (120 * 1000) /* for a loaded machine */
#define MAX_SECRETS 8
#define MAX_REGION ((uintmax_t)512 * 1024 * 1024)

static const char *tessera_path;
static const char *data_dir;

/* --- The traced processes --- */

typedef struct tracee {
	const char *name;
	pid_t pid;
	bool at_exit; /* stopped in exit, memory whole */
	bool gone;
	int status;   /* wait status once gone */
} tracee_t;

static void
spawn(tracee_t *t, const char *name, const char *const *argv, const char *log_path)
{
	int st = 0;

	t->name = name;
	fflush(NULL);
	if ((t->pid = fork()) == 0) {
		int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		size_t n = g_strv_length((GStrv)(uintptr_t)argv);
		char **copy = g_new0(char *, n + 1); /* execv() wants them writable */
		const char *asan = getenv("ASAN_OPTIONS");

		for (size_t i = 0; i < n; i++)
			copy[i] = g_strdup(argv[i]);

		if (log < 0 || dup2(log, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0)
			_exit(125);
		/* glibc would otherwise wipe freed blocks for the library. */
		setenv("MALLOC_PERTURB_", "0", 1);
		/* In the sanitizer tree: LeakSanitizer cannot run under ptrace
		 * (the CLI's leaks are checked by the two-process CLI tests). */
		setenv("ASAN_OPTIONS", asan != NULL && asan[0] != '\0' ?
		    g_strconcat(asan, ":detect_leaks=0", NULL) : "detect_leaks=0", 1);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(126);
		raise(SIGSTOP);
		execv(copy[0], copy);
		_exit(127);
	}
	g_assert_cmpint(t->pid, >, 0);
	g_assert_cmpint(waitpid(t->pid, &st, 0), ==, t->pid);
	g_assert_true(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	g_assert_cmpint(ptrace(PTRACE_SETOPTIONS, t->pid, NULL, (void *)(uintptr_t)(
	    PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)), ==, 0);
	g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL, NULL), ==, 0);
	/* The exec stop, so that nothing waits on a process stopped there. */
	g_assert_cmpint(waitpid(t->pid, &st, 0), ==, t->pid);
	g_assert_true(WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_EXEC);
	g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL, NULL), ==, 0);
}

/* Handles the stops t has reached, without waiting: an exec goes on, a
 * signal is passed on, and the stop in exit is kept. */
static void
tracee_poll(tracee_t *t)
{
	int st = 0;

	while (!t->at_exit && !t->gone && waitpid(t->pid, &st, WNOHANG) == t->pid) {
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			t->gone = true;
			t->status = st;
		} else if (WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_EXIT) {
			t->at_exit = true;
		} else if (WIFSTOPPED(st)) {
			int sig = (st >> 16) != 0 || WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st);

			g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL,
			    (void *)(uintptr_t)sig), ==, 0);
		}
	}
}

/* Lets t finish exiting; its exit status must be 0. */
static void
tracee_release(tracee_t *t, const char *log_path)
{
	g_autofree char *log = NULL;

	g_assert_true(t->at_exit);
	g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL, NULL), ==, 0);
	g_assert_cmpint(waitpid(t->pid, &t->status, 0), ==, t->pid);
	t->gone = true;
	g_file_get_contents(log_path, &log, NULL, NULL);
	if (!WIFEXITED(t->status) || WEXITSTATUS(t->status) != 0)
		g_error("%s exited with status 0x%x:\n%s", t->name, t->status, log);
}

/* --- A process's memory --- */

typedef struct region {
	uintptr_t start;
	uint8_t *bytes;
	size_t len;
} region_t;

typedef struct snapshot {
	GArray *regions; /* region_t */
	size_t total;
} snapshot_t;

/* Every readable and writable mapping of pid, read through /proc/PID/mem
 * (the test is its tracer). */
static void
snapshot_take(pid_t pid, snapshot_t *snap)
{
	g_autofree char *maps_path = g_strdup_printf("/proc/%d/maps", (int)pid);
	g_autofree char *mem_path = g_strdup_printf("/proc/%d/mem", (int)pid);
	g_autofree char *maps = NULL;
	g_auto(GStrv) lines = NULL;
	int mem;

	snap->regions = g_array_new(FALSE, TRUE, sizeof(region_t));
	snap->total = 0;
	g_assert_true(g_file_get_contents(maps_path, &maps, NULL, NULL));
	g_assert_cmpint((mem = open(mem_path, O_RDONLY)), >=, 0);
	lines = g_strsplit(maps, "\n", -1);
	for (size_t i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
		uintmax_t start = 0, end = 0;
		char perms[5] = "";
		region_t r = { 0 };
		ssize_t got;

		g_assert_cmpint(sscanf(lines[i], "%jx-%jx %4s", &start, &end, perms), ==, 3);
		/* As test-secret-scan: no sanitizer shadow or reservation. */
		if (perms[0] != 'r' || perms[1] != 'w' || strstr(lines[i], "[vvar]") != NULL ||
		    end - start > MAX_REGION)
			continue;
		r.start = (uintptr_t)start;
		r.len = (size_t)(end - start);
		r.bytes = g_malloc(r.len);
		got = pread(mem, r.bytes, r.len, (off_t)start);
		g_assert_cmpint(got, ==, (ssize_t)r.len);
		snap->total += r.len;
		g_array_append_val(snap->regions, r);
	}
	close(mem);
	g_assert_cmpuint(snap->regions->len, >, 0);
}

static void
snapshot_free(snapshot_t *snap)
{
	for (guint i = 0; i < snap->regions->len; i++)
		g_free(g_array_index(snap->regions, region_t, i).bytes);
	g_array_free(snap->regions, TRUE);
}

/* The len bytes at the process's address addr, or NULL. */
static const uint8_t *
snapshot_at(const snapshot_t *snap, uintptr_t addr, size_t len)
{
	for (guint i = 0; i < snap->regions->len; i++) {
		const region_t *r = &g_array_index(snap->regions, region_t, i);

		if (addr >= r->start && addr - r->start <= r->len && len <= r->len - (addr - r->start))
			return r->bytes + (addr - r->start);
	}
	return NULL;
}

/*
 * Finds the private scalar of pub among the process's mbedTLS big numbers
 * (positive, 4 to 16 64-bit limbs, the upper ones zero) and writes it
 * big-endian to d. False when none gives pub.
 */
static bool
find_scalar(const snapshot_t *snap, const tsr_ec_pub_t *pub, uint8_t d[32])
{
	g_autoptr(GHashTable) tried = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
	    (GDestroyNotify)g_bytes_unref, NULL);

	for (guint i = 0; i < snap->regions->len; i++) {
		const region_t *r = &g_array_index(snap->regions, region_t, i);

		for (size_t off = 0; off + 24 <= r->len; off += 8) {
			int32_t s;
			uint64_t n, p;
			const uint8_t *limbs;
			uint8_t be[32];
			tsr_ec_key_t *key = NULL;
			tsr_ec_pub_t got;
			bool zero = true, match;
			GBytes *value;

			memcpy(&s, r->bytes + off, sizeof(s));
			memcpy(&n, r->bytes + off + 8, sizeof(n));
			if (s != 1 || n < 4 || n > 16)
				continue;
			memcpy(&p, r->bytes + off + 16, sizeof(p));
			if ((limbs = snapshot_at(snap, (uintptr_t)p, (size_t)n * 8)) == NULL)
				continue;
			for (size_t k = 32; k < n * 8; k++)
				zero = zero && limbs[k] == 0;
			if (!zero)
				continue;
			for (size_t k = 0; k < 32; k++)
				be[k] = limbs[31 - k];
			value = g_bytes_new(be, 32);
			if (!g_hash_table_add(tried, value))
				continue;
			if (tsr_ec_key_from_scalar(TSR_CURVE_P256, be, 32, &key) != TSR_OK)
				continue;
			match = tsr_ec_key_public(key, &got) == TSR_OK && tsr_ec_pub_equal(&got, pub);
			tsr_ec_key_free(key);
			if (match) {
				memcpy(d, be, 32);
				return true;
			}
		}
	}
	return false;
}

/* --- The secrets and the scan --- */

typedef struct secret {
	const char *what;
	uint8_t bytes[32];
} secret_t;

/* Where either 16-byte half of s occurs in snap, forwards or reversed. */
static bool
snapshot_has(const snapshot_t *snap, const secret_t *s)
{
	uint8_t needles[4][16];

	for (size_t half = 0; half < 2; half++) {
		memcpy(needles[half * 2], s->bytes + half * 16, 16);
		for (size_t k = 0; k < 16; k++)
			needles[half * 2 + 1][k] = s->bytes[(1 - half) * 16 + 15 - k];
	}
	for (guint i = 0; i < snap->regions->len; i++) {
		const region_t *r = &g_array_index(snap->regions, region_t, i);

		for (size_t k = 0; k < 4; k++)
			if (memmem(r->bytes, r->len, needles[k], 16) != NULL)
				return true;
	}
	return false;
}

typedef struct session_secrets {
	secret_t s[MAX_SECRETS];
	size_t n;
} session_secrets_t;

static secret_t *
add_secret(session_secrets_t *all, const char *what)
{
	g_assert_cmpuint(all->n, <, MAX_SECRETS);
	all->s[all->n].what = what;
	return &all->s[all->n++];
}

static const secret_t *
secret_named(const session_secrets_t *all, const char *what)
{
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->s[i].what, what) == 0)
			return &all->s[i];
	g_assert_not_reached();
}

/* The secrets derived from the two scalars, as session.c and
 * holder/respond.c derive them. */
static void
derive_secrets(session_secrets_t *all, const uint8_t *engagement, size_t engagement_len,
    const tsr_engagement_t *de, const tsr_session_establishment_t *se,
    const tsr_ec_key_t *device_key)
{
	static const uint8_t qr_handover[] = { 0xf6 }; /* null */
	tsr_span_t handover = { qr_handover, sizeof(qr_handover) };
	const uint8_t *e_reader_d = secret_named(all, "the EReaderKey scalar")->bytes;
	tsr_ec_key_t *e_reader = NULL;
	tsr_ec_pub_t device_pub;
	tsr_transcript_t st;
	tsr_session_t keys;
	uint8_t *st_bytes = NULL, salt[32];
	size_t st_len = 0, z_len = 0;

	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, e_reader_d, 32, &e_reader), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdh(e_reader, &de->e_device_key,
	    add_secret(all, "the session's ECDH secret")->bytes, &z_len), ==, TSR_OK);
	g_assert_cmpuint(z_len, ==, 32);
	g_assert_cmpint(tsr_session_transcript_build(engagement, engagement_len,
	    se->e_reader_key_bytes, handover, &st_bytes, &st_len), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_decode(st_bytes, st_len, &st), ==, TSR_OK);
	g_assert_cmpint(tsr_session_init(&keys, TSR_SESSION_READER,
	    secret_named(all, "the session's ECDH secret")->bytes, 32, &st), ==, TSR_OK);
	memcpy(add_secret(all, "SKDevice")->bytes, keys.sk_device, 32);
	memcpy(add_secret(all, "SKReader")->bytes, keys.sk_reader, 32);
	tsr_session_clear(&keys);
	/* §9.1.3.5: EMacKey = HKDF-SHA-256(SHA-256(SessionTranscriptBytes),
	 * ECDH(SDeviceKey, EReaderKey), "EMacKey"). */
	g_assert_cmpint(tsr_ec_key_public(device_key, &device_pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdh(e_reader, &device_pub,
	    add_secret(all, "the device-auth ECDH secret")->bytes, &z_len), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_salt(&st, salt), ==, TSR_OK);
	g_assert_cmpint(tsr_hkdf_sha256(salt, 32,
	    secret_named(all, "the device-auth ECDH secret")->bytes, 32,
	    (const uint8_t *)"EMacKey", 7, add_secret(all, "the EMacKey")->bytes, 32), ==, TSR_OK);
	tsr_transcript_clear(&st);
	tsr_free(st_bytes);
	tsr_ec_key_free(e_reader);
}

/* --- The frames between the reader and the holder --- */

/* Reads exactly len bytes that src sends on fd, handling both processes'
 * stops while it waits. False when src has stopped sending (end of stream,
 * or src is in exit: its descriptors close only after that stop) before
 * the first byte. */
static bool
read_all(int fd, uint8_t *buf, size_t len, tracee_t *src, tracee_t *other)
{
	size_t got = 0;
	int64_t deadline = g_get_monotonic_time() + (int64_t)WAIT_MS * 1000;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		tracee_poll(src);
		tracee_poll(other);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		if (poll(&p, 1, 20) <= 0) {
			if (got == 0 && (src->at_exit || src->gone))
				return false;
			continue;
		}
		n = read(fd, buf + got, len - got);
		if (n == 0 && got == 0)
			return false;
		g_assert_cmpint(n, >, 0);
		got += (size_t)n;
	}
	return true;
}

/* One frame (uint32 big-endian length || message) that src sends on fd, or
 * NULL once src has stopped sending. */
static uint8_t *
read_frame(int fd, size_t *ret_len, tracee_t *src, tracee_t *other)
{
	uint8_t hdr[4], *msg;
	size_t len;

	if (!read_all(fd, hdr, 4, src, other))
		return NULL;
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	g_assert_cmpuint(len, >, 0);
	g_assert_cmpuint(len, <=, FRAME_MAX);
	msg = g_malloc(len);
	g_assert_true(read_all(fd, msg, len, src, other));
	*ret_len = len;
	return msg;
}

static void
write_frame(int fd, const uint8_t *msg, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
		(uint8_t)len };

	g_assert_cmpint(write(fd, hdr, 4), ==, 4);
	g_assert_cmpint(write(fd, msg, len), ==, (ssize_t)len);
}

static int
unix_socket(const char *path, bool listening)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	if (listening) {
		g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
		g_assert_cmpint(listen(fd, 1), ==, 0);
	} else {
		g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	}
	return fd;
}

/* --- The test --- */

static void
scan_at_exit(tracee_t *t, const session_secrets_t *all, const char *log_path)
{
	snapshot_t snap;
	unsigned found = 0;

	snapshot_take(t->pid, &snap);
	for (size_t i = 0; i < all->n; i++) {
		if (snapshot_has(&snap, &all->s[i])) {
			g_test_message("%s at exit: %s is still in memory", t->name, all->s[i].what);
			found++;
		}
	}
	g_test_message("%s at exit: %zu KiB in %u mappings scanned for %zu secrets, %u found",
	    t->name, snap.total / 1024, snap.regions->len, all->n, found);
	snapshot_free(&snap);
	tracee_release(t, log_path);
	g_assert_cmpuint(found, ==, 0);
}

static void
cli_session(void)
{
	g_autofree char *tmp = g_dir_make_tmp("tsr-cli-scan-XXXXXX", NULL);
	g_autofree char *annex = g_build_filename(data_dir, "annex-d", NULL);
	g_autofree char *issuer_signed = g_build_filename(annex, "issuer_signed.cbor", NULL);
	g_autofree char *device_pem = g_build_filename(annex, "static_device_key.pem", NULL);
	g_autofree char *iaca = g_build_filename(annex, "iaca_cert.pem", NULL);
	g_autofree char *holder_sock = g_build_filename(tmp, "holder.sock", NULL);
	g_autofree char *reader_sock = g_build_filename(tmp, "reader.sock", NULL);
	g_autofree char *uri_path = g_build_filename(tmp, "uri", NULL);
	g_autofree char *holder_log = g_build_filename(tmp, "holder.log", NULL);
	g_autofree char *reader_log = g_build_filename(tmp, "reader.log", NULL);
	g_autofree char *holder_transport = g_strconcat("local:", holder_sock, NULL);
	g_autofree char *reader_transport = g_strconcat("local:", reader_sock, NULL);
	g_autofree char *uri = NULL;
	const char *holder_argv[] = { tessera_path, "present", "--issuer-signed", issuer_signed,
		"--device-key", device_pem, "--transport", holder_transport, "--qr-uri-file",
		uri_path, "--now", NOW, "--timeout", "120", "--consent", "all", NULL };
	const char *reader_argv[] = { tessera_path, "reader", "request", "--engagement-file",
		uri_path, "--template", "driving-licence", "--trust", iaca, "--transport",
		reader_transport, "--now", NOW, "--timeout", "120", NULL };
	tracee_t holder = { 0 }, reader = { 0 };
	session_secrets_t all = { 0 };
	tsr_engagement_t de;
	tsr_session_establishment_t se;
	tsr_ec_key_t *device_key = NULL;
	snapshot_t live;
	uint8_t *engagement = NULL, *establishment, *response, *device_pem_bytes, *msg;
	size_t engagement_len = 0, establishment_len = 0, response_len = 0, device_pem_len = 0,
	    msg_len = 0;
	int lfd, rfd, hfd;
	int64_t deadline;

	/* The static device key, as the holder reads it. */
	device_pem_bytes = tsr_test_load("annex-d/static_device_key.pem", &device_pem_len);
	g_assert_cmpint(tsr_ec_key_parse(device_pem_bytes, device_pem_len, &device_key), ==,
	    TSR_OK);
	g_free(device_pem_bytes);
	g_assert_cmpint(mbedtls_mpi_write_binary(&device_key->kp.d,
	    add_secret(&all, "the static device key's scalar")->bytes, 32), ==, 0);

	spawn(&holder, "holder", holder_argv, holder_log);
	deadline = g_get_monotonic_time() + (int64_t)WAIT_MS * 1000;
	while (!g_file_get_contents(uri_path, &uri, NULL, NULL) || uri[0] == '\0') {
		g_clear_pointer(&uri, g_free);
		tracee_poll(&holder);
		g_assert_false(holder.at_exit || holder.gone);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(20000);
	}
	g_strchomp(uri);
	g_assert_cmpint(tsr_engagement_from_qr_uri(uri, &engagement, &engagement_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_engagement_decode(engagement, engagement_len, &de), ==, TSR_OK);

	/* The reader connects to the test, the test to the holder. */
	lfd = unix_socket(reader_sock, true);
	spawn(&reader, "reader", reader_argv, reader_log);
	deadline = g_get_monotonic_time() + (int64_t)WAIT_MS * 1000;
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		tracee_poll(&holder);
		tracee_poll(&reader);
		g_assert_false(reader.at_exit || reader.gone);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		if (poll(&p, 1, 20) == 1)
			break;
	}
	rfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	g_assert_cmpint(rfd, >=, 0);
	close(lfd);
	hfd = unix_socket(holder_sock, false);

	establishment = read_frame(rfd, &establishment_len, &reader, &holder);
	g_assert_nonnull(establishment);
	g_assert_cmpint(tsr_session_establishment_decode(establishment, establishment_len, &se),
	    ==, TSR_OK);
	write_frame(hfd, establishment, establishment_len);
	response = read_frame(hfd, &response_len, &holder, &reader);
	g_assert_nonnull(response);

	/* Both sessions alive, the response held back: find the scalars. */
	snapshot_take(holder.pid, &live);
	g_assert_true(find_scalar(&live, &de.e_device_key,
	    add_secret(&all, "the EDeviceKey scalar")->bytes));
	snapshot_free(&live);
	snapshot_take(reader.pid, &live);
	g_assert_true(find_scalar(&live, &se.e_reader_key,
	    add_secret(&all, "the EReaderKey scalar")->bytes));
	derive_secrets(&all, engagement, engagement_len, &de, &se, device_key);
	/* Controls: the live reader holds SKReader where the scan sees it,
	 * and the live holder SKDevice. */
	g_assert_true(snapshot_has(&live, secret_named(&all, "SKReader")));
	snapshot_free(&live);
	snapshot_take(holder.pid, &live);
	g_assert_true(snapshot_has(&live, secret_named(&all, "SKDevice")));
	snapshot_free(&live);
	write_frame(rfd, response, response_len);

	/* The rest (the reader's end of session) until both call exit. */
	while ((msg = read_frame(rfd, &msg_len, &reader, &holder)) != NULL) {
		write_frame(hfd, msg, msg_len);
		g_free(msg);
	}
	close(hfd);
	close(rfd);
	deadline = g_get_monotonic_time() + (int64_t)WAIT_MS * 1000;
	while (!(holder.at_exit || holder.gone) || !(reader.at_exit || reader.gone)) {
		tracee_poll(&holder);
		tracee_poll(&reader);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(10000);
	}
	/* Each must exit 0: for the reader, every document verified. */
	scan_at_exit(&reader, &all, reader_log);
	scan_at_exit(&holder, &all, holder_log);

	tsr_session_establishment_clear(&se);
	tsr_engagement_clear(&de);
	tsr_free(engagement);
	tsr_ec_key_free(device_key);
	g_free(establishment);
	g_free(response);
	g_unlink(holder_log);
	g_unlink(reader_log);
	g_unlink(uri_path);
	g_unlink(reader_sock);
	g_unlink(holder_sock);
	g_rmdir(tmp);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (argc < 2)
		g_error("usage: %s TESSERA [--tap]", argv[0]);
	tessera_path = argv[1];
	data_dir = g_getenv("TSR_TEST_DATA");
	g_assert_nonnull(data_dir);
	g_test_add_func("/cli-secret-scan/session", cli_session);
	return g_test_run();
}
