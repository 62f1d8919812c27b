/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "process-scan.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mdoc/mdoc.h"

#define FRAME_MAX ((size_t)1024 * 1024)
#define MAX_REGION ((uintmax_t)512 * 1024 * 1024)
#define PAGE ((size_t)4096)

/* --- The traced processes --- */

/* G_DEBUG for the child: the parent's flags without gc-friendly. */
static char *
g_debug_without_gc_friendly(void)
{
	const char *flags = getenv("G_DEBUG");
	g_auto(GStrv) parts = g_strsplit(flags != NULL ? flags : "", ",", -1);
	GString *out = g_string_new(NULL);

	for (size_t i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || strcmp(parts[i], "gc-friendly") == 0)
			continue;
		if (out->len > 0)
			g_string_append_c(out, ',');
		g_string_append(out, parts[i]);
	}
	return g_string_free(out, FALSE);
}

void
tsr_test_tracee_spawn(tsr_test_tracee_t *t, const char *name, const char *const *argv,
    const char *log_path, int ctl_in, int ctl_out)
{
	int st = 0;

	t->name = name;
	t->at_exit = t->gone = false;
	fflush(NULL);
	if ((t->pid = fork()) == 0) {
		int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		size_t n = g_strv_length((GStrv)(uintptr_t)argv);
		char **copy = g_new0(char *, n + 1); /* execv() wants them writable */
		const char *asan = getenv("ASAN_OPTIONS");

		for (size_t i = 0; i < n; i++)
			copy[i] = g_strdup(argv[i]);

		if (log < 0 || dup2(log, STDERR_FILENO) < 0 ||
		    dup2(ctl_out >= 0 ? ctl_out : log, STDOUT_FILENO) < 0 ||
		    (ctl_in >= 0 && dup2(ctl_in, STDIN_FILENO) < 0))
			_exit(125);
		/* glibc would otherwise wipe freed blocks for the program. */
		setenv("MALLOC_PERTURB_", "0", 1);
		setenv("G_DEBUG", g_debug_without_gc_friendly(), 1);
		/* In the sanitizer tree: LeakSanitizer cannot run under ptrace
		 * (leaks are checked by the tests that run these programs
		 * untraced). */
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

/* Handles one wait status of t; true when it is a signal-delivery stop of
 * SIGSTOP and keep_sigstop asked for it to be kept. */
static bool
tracee_handle(tsr_test_tracee_t *t, int st, bool keep_sigstop)
{
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		t->gone = true;
		t->status = st;
	} else if (WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_EXIT) {
		t->at_exit = true;
	} else if (WIFSTOPPED(st)) {
		int sig = (st >> 16) != 0 || WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st);

		if (keep_sigstop && sig == SIGSTOP)
			return true;
		g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL, (void *)(uintptr_t)sig), ==, 0);
	}
	return false;
}

void
tsr_test_tracee_poll(tsr_test_tracee_t *t)
{
	int st = 0;

	while (t != NULL && !t->at_exit && !t->gone && waitpid(t->pid, &st, WNOHANG) == t->pid)
		tracee_handle(t, st, false);
}

void
tsr_test_tracee_wait_exit(tsr_test_tracee_t *t)
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)TSR_TEST_SCAN_WAIT_MS * 1000;

	while (!t->at_exit && !t->gone) {
		tsr_test_tracee_poll(t);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(10000);
	}
}

char *
tsr_test_wait_file(const char *path, tsr_test_tracee_t *writer)
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)TSR_TEST_SCAN_WAIT_MS * 1000;
	char *text = NULL;

	while (!g_file_get_contents(path, &text, NULL, NULL) || text[0] == '\0') {
		g_clear_pointer(&text, g_free);
		tsr_test_tracee_poll(writer);
		g_assert_false(writer->at_exit || writer->gone);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(20000);
	}
	return g_strchomp(text);
}

/* Waits for t's next stop that is a SIGSTOP, handling the others; with
 * group_stop, only the group-stop counts (PTRACE_GETSIGINFO fails there,
 * which tells it from a signal-delivery stop without PTRACE_SEIZE). */
static void
tracee_wait_sigstop(tsr_test_tracee_t *t, bool group_stop)
{
	for (;;) {
		siginfo_t info;
		int st = 0;

		g_assert_cmpint(waitpid(t->pid, &st, 0), ==, t->pid);
		if (!tracee_handle(t, st, true)) {
			g_assert_false(t->at_exit || t->gone);
			continue;
		}
		if (!group_stop ||
		    (ptrace(PTRACE_GETSIGINFO, t->pid, NULL, &info) != 0 && errno == EINVAL))
			return;
		/* Another SIGSTOP's delivery: it takes effect too. */
		g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL, (void *)(uintptr_t)SIGSTOP), ==, 0);
	}
}

/* Whether every thread of t is stopped ('T', or 't' for the traced one);
 * *n_threads is how many there are. */
static bool
all_threads_stopped(const tsr_test_tracee_t *t, unsigned *n_threads)
{
	g_autofree char *task_dir = g_strdup_printf("/proc/%d/task", (int)t->pid);
	g_autoptr(GDir) dir = g_dir_open(task_dir, 0, NULL);
	const char *tid;
	bool stopped = true;

	g_assert_nonnull(dir);
	*n_threads = 0;
	while (stopped && (tid = g_dir_read_name(dir)) != NULL) {
		g_autofree char *path = g_build_filename(task_dir, tid, "stat", NULL);
		g_autofree char *stat = NULL;
		const char *state;

		/* A thread that has just ended has nothing left to read. */
		if (!g_file_get_contents(path, &stat, NULL, NULL))
			continue;
		/* pid (comm) state ...: comm may hold spaces and parentheses. */
		state = strrchr(stat, ')');
		g_assert_nonnull(state);
		stopped = state[1] == ' ' && (state[2] == 'T' || state[2] == 't');
		(*n_threads)++;
	}
	return stopped;
}

void
tsr_test_tracee_interrupt(tsr_test_tracee_t *t)
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)TSR_TEST_SCAN_WAIT_MS * 1000;
	unsigned n_threads = 0;

	g_assert_false(t->at_exit || t->gone);
	g_assert_cmpint(kill(t->pid, SIGSTOP), ==, 0);
	tracee_wait_sigstop(t, false);
	/* Let the signal take effect: every thread stops (group-stop). */
	g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL, (void *)(uintptr_t)SIGSTOP), ==, 0);
	tracee_wait_sigstop(t, true);
	while (!all_threads_stopped(t, &n_threads)) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(1000);
	}
	g_test_message("%s stopped, its %u threads with it", t->name, n_threads);
}

void
tsr_test_tracee_resume(tsr_test_tracee_t *t)
{
	/* SIGCONT wakes the other threads; the traced one goes on when its
	 * tracer says (its SIGCONT is then passed on by tsr_test_tracee_poll()). */
	g_assert_cmpint(kill(t->pid, SIGCONT), ==, 0);
	g_assert_cmpint(ptrace(PTRACE_CONT, t->pid, NULL, NULL), ==, 0);
}

void
tsr_test_tracee_release(tsr_test_tracee_t *t, const char *log_path)
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
	char *name; /* the mapping's path or [heap], [stack]; "" when anonymous */
} region_t;

void
tsr_test_snapshot_take(pid_t pid, tsr_test_snapshot_t *snap)
{
	g_autofree char *maps_path = g_strdup_printf("/proc/%d/maps", (int)pid);
	g_autofree char *mem_path = g_strdup_printf("/proc/%d/mem", (int)pid);
	g_autofree char *maps = NULL;
	g_auto(GStrv) lines = NULL;
	int mem;

	snap->regions = g_array_new(FALSE, TRUE, sizeof(region_t));
	snap->total = 0;
	snap->unreadable = 0;
	g_assert_true(g_file_get_contents(maps_path, &maps, NULL, NULL));
	g_assert_cmpint((mem = open(mem_path, O_RDONLY)), >=, 0);
	lines = g_strsplit(maps, "\n", -1);
	for (size_t i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
		uintmax_t start = 0, end = 0;
		char perms[5] = "";
		region_t r = { 0 };
		int name_at = 0;
		ssize_t got;

		g_assert_cmpint(sscanf(lines[i], "%jx-%jx %4s %*s %*s %*s %n", &start, &end, perms,
		    &name_at), >=, 3);
		/* As test-secret-scan: no sanitizer shadow or reservation. */
		if (perms[0] != 'r' || perms[1] != 'w' || strstr(lines[i], "[vvar]") != NULL ||
		    end - start > MAX_REGION)
			continue;
		r.start = (uintptr_t)start;
		r.len = (size_t)(end - start);
		r.name = g_strdup(name_at > 0 ? lines[i] + name_at : "");
		r.bytes = g_malloc0(r.len);
		/* A page that cannot be read (a shared file mapping past the
		 * file's end, a device's memory) is left as zeros and counted. */
		for (size_t off = 0; off < r.len;) {
			got = pread(mem, r.bytes + off, r.len - off, (off_t)(start + off));
			if (got > 0) {
				off += (size_t)got;
			} else {
				size_t skip = MIN(PAGE, r.len - off);

				off += skip;
				snap->unreadable += skip;
			}
		}
		snap->total += r.len;
		g_array_append_val(snap->regions, r);
	}
	close(mem);
	g_assert_cmpuint(snap->regions->len, >, 0);
}

void
tsr_test_snapshot_free(tsr_test_snapshot_t *snap)
{
	for (guint i = 0; i < snap->regions->len; i++) {
		g_free(g_array_index(snap->regions, region_t, i).bytes);
		g_free(g_array_index(snap->regions, region_t, i).name);
	}
	g_array_free(snap->regions, TRUE);
}

/* The len bytes at the process's address addr, or NULL. */
static const uint8_t *
snapshot_at(const tsr_test_snapshot_t *snap, uintptr_t addr, size_t len)
{
	for (guint i = 0; i < snap->regions->len; i++) {
		const region_t *r = &g_array_index(snap->regions, region_t, i);

		if (addr >= r->start && addr - r->start <= r->len && len <= r->len - (addr - r->start))
			return r->bytes + (addr - r->start);
	}
	return NULL;
}

/* The first occurrence of len bytes in snap, or NULL; its region in
 * *ret_region. */
static const uint8_t *
snapshot_find(const tsr_test_snapshot_t *snap, const uint8_t *bytes, size_t len,
    const region_t **ret_region)
{
	for (guint i = 0; i < snap->regions->len; i++) {
		const region_t *r = &g_array_index(snap->regions, region_t, i);
		const uint8_t *at = memmem(r->bytes, r->len, bytes, len);

		if (at != NULL) {
			*ret_region = r;
			return at;
		}
	}
	return NULL;
}

void
tsr_test_snapshot_each(const tsr_test_snapshot_t *snap, const uint8_t *bytes, size_t len,
    tsr_test_occurrence_fn fn, void *user)
{
	for (guint i = 0; i < snap->regions->len; i++) {
		const region_t *r = &g_array_index(snap->regions, region_t, i);
		const uint8_t *from = r->bytes, *at;

		while ((at = memmem(from, r->len - (size_t)(from - r->bytes), bytes, len)) != NULL) {
			fn(at, (size_t)(at - r->bytes), r->len - (size_t)(at - r->bytes), user);
			from = at + 1;
		}
	}
}

bool
tsr_test_snapshot_has_bytes(const tsr_test_snapshot_t *snap, const uint8_t *bytes, size_t len)
{
	const region_t *r;

	return snapshot_find(snap, bytes, len, &r) != NULL;
}

bool
tsr_test_snapshot_find_scalar(const tsr_test_snapshot_t *snap, const tsr_ec_pub_t *pub,
    uint8_t d[32])
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

tsr_test_secret_t *
tsr_test_secret_add(tsr_test_secrets_t *all, const char *what)
{
	g_assert_cmpuint(all->n, <, TSR_TEST_MAX_SECRETS);
	all->s[all->n].what = what;
	return &all->s[all->n++];
}

const tsr_test_secret_t *
tsr_test_secret_named(const tsr_test_secrets_t *all, const char *what)
{
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->s[i].what, what) == 0)
			return &all->s[i];
	g_assert_not_reached();
}

/* Where either 16-byte half of s occurs first, forwards or byte-reversed;
 * NULL when nowhere. */
static const uint8_t *
secret_find(const tsr_test_snapshot_t *snap, const tsr_test_secret_t *s,
    const region_t **ret_region)
{
	uint8_t needles[4][16];
	const uint8_t *at = NULL;

	for (size_t half = 0; half < 2; half++) {
		memcpy(needles[half * 2], s->bytes + half * 16, 16);
		for (size_t k = 0; k < 16; k++)
			needles[half * 2 + 1][k] = s->bytes[(1 - half) * 16 + 15 - k];
	}
	for (size_t k = 0; k < 4 && at == NULL; k++)
		at = snapshot_find(snap, needles[k], 16, ret_region);
	return at;
}

bool
tsr_test_snapshot_has_secret(const tsr_test_snapshot_t *snap, const tsr_test_secret_t *s)
{
	const region_t *r;

	return secret_find(snap, s, &r) != NULL;
}

unsigned
tsr_test_scan_secrets(const tsr_test_snapshot_t *snap, const tsr_test_secrets_t *all,
    const char *who, const char *when)
{
	unsigned found = 0;

	for (size_t i = 0; i < all->n; i++) {
		const region_t *r = NULL;
		const uint8_t *at = secret_find(snap, &all->s[i], &r);
		g_autoptr(GString) around = g_string_new(NULL);
		size_t off;

		if (at == NULL)
			continue;
		/* Where, and the 48 bytes either side: what holds it. */
		off = (size_t)(at - r->bytes);
		for (size_t k = off > 48 ? off - 48 : 0; k < MIN(r->len, off + 16 + 48); k++)
			g_string_append_printf(around, "%s%02x", k == off ? " [" : "", r->bytes[k]);
		g_test_message("%s %s: %s is still in memory, first at 0x%jx (%s+0x%zx): %s", who,
		    when, all->s[i].what, (uintmax_t)(r->start + off),
		    r->name[0] != '\0' ? r->name : "anonymous", off, around->str);
		found++;
	}
	g_test_message("%s %s: %zu KiB in %u mappings scanned (%zu KiB of them unreadable) "
	    "for %zu secrets, %u found", who, when, snap->total / 1024, snap->regions->len,
	    snap->unreadable / 1024, all->n, found);
	return found;
}

void
tsr_test_derive_session_secrets(tsr_test_secrets_t *all, const uint8_t *engagement,
    size_t engagement_len, const tsr_engagement_t *de, const tsr_session_establishment_t *se,
    const tsr_ec_pub_t *device_pub)
{
	static const uint8_t qr_handover[] = { 0xf6 }; /* null */
	tsr_span_t handover = { qr_handover, sizeof(qr_handover) };
	const uint8_t *e_reader_d = tsr_test_secret_named(all, "the EReaderKey scalar")->bytes;
	tsr_ec_key_t *e_reader = NULL;
	tsr_transcript_t st;
	tsr_session_t keys;
	uint8_t *st_bytes = NULL, salt[32];
	size_t st_len = 0, z_len = 0;

	g_assert_cmpint(tsr_ec_key_from_scalar(TSR_CURVE_P256, e_reader_d, 32, &e_reader), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_ecdh(e_reader, &de->e_device_key,
	    tsr_test_secret_add(all, "the session's ECDH secret")->bytes, &z_len), ==, TSR_OK);
	g_assert_cmpuint(z_len, ==, 32);
	g_assert_cmpint(tsr_session_transcript_build(engagement, engagement_len,
	    se->e_reader_key_bytes, handover, &st_bytes, &st_len), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_decode(st_bytes, st_len, &st), ==, TSR_OK);
	g_assert_cmpint(tsr_session_init(&keys, TSR_SESSION_READER,
	    tsr_test_secret_named(all, "the session's ECDH secret")->bytes, 32, &st), ==, TSR_OK);
	memcpy(tsr_test_secret_add(all, "SKDevice")->bytes, keys.sk_device, 32);
	memcpy(tsr_test_secret_add(all, "SKReader")->bytes, keys.sk_reader, 32);
	tsr_session_clear(&keys);
	/* §9.1.3.5: EMacKey = HKDF-SHA-256(SHA-256(SessionTranscriptBytes),
	 * ECDH(SDeviceKey, EReaderKey), "EMacKey"). */
	g_assert_cmpint(tsr_ecdh(e_reader, device_pub,
	    tsr_test_secret_add(all, "the device-auth ECDH secret")->bytes, &z_len), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_salt(&st, salt), ==, TSR_OK);
	g_assert_cmpint(tsr_hkdf_sha256(salt, 32,
	    tsr_test_secret_named(all, "the device-auth ECDH secret")->bytes, 32,
	    (const uint8_t *)"EMacKey", 7, tsr_test_secret_add(all, "the EMacKey")->bytes, 32), ==,
	    TSR_OK);
	tsr_transcript_clear(&st);
	tsr_free(st_bytes);
	tsr_ec_key_free(e_reader);
}

/* --- The frames between a reader and a holder --- */

/* Reads exactly len bytes that src sends on fd, handling both processes'
 * stops while it waits. False when src has stopped sending before the
 * first byte. */
static bool
read_all(int fd, uint8_t *buf, size_t len, tsr_test_tracee_t *src, tsr_test_tracee_t *other)
{
	size_t got = 0;
	int64_t deadline = g_get_monotonic_time() + (int64_t)TSR_TEST_SCAN_WAIT_MS * 1000;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		tsr_test_tracee_poll(src);
		tsr_test_tracee_poll(other);
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

uint8_t *
tsr_test_frame_read(int fd, size_t *ret_len, tsr_test_tracee_t *src, tsr_test_tracee_t *other)
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

void
tsr_test_frame_write(int fd, const uint8_t *msg, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
		(uint8_t)len };

	g_assert_cmpint(write(fd, hdr, 4), ==, 4);
	g_assert_cmpint(write(fd, msg, len), ==, (ssize_t)len);
}

int
tsr_test_unix_socket(const char *path, bool listening)
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

int
tsr_test_unix_accept(int lfd, tsr_test_tracee_t *waiter, tsr_test_tracee_t *other)
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)TSR_TEST_SCAN_WAIT_MS * 1000;
	int fd;

	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		tsr_test_tracee_poll(waiter);
		tsr_test_tracee_poll(other);
		g_assert_false(waiter->at_exit || waiter->gone);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		if (poll(&p, 1, 20) == 1)
			break;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	g_assert_cmpint(fd, >=, 0);
	close(lfd);
	return fd;
}
