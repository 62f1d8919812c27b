/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The local transport (Unix-domain sockets) and the length-prefixed frame
 * reader: round trips, limits, timeouts, peers that vanish, hostile bytes. */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tessera/tessera.h>
#include <tessera/transport.h>

#include "test-support.h"
#include "transport/transport-private.h"

/* Generous: only a hang, never a slow machine, should fail a test. */
#define LONG_MS 10000

/* A private directory with a socket path in it. */
typedef struct fixture {
	char *dir, *path;
} fixture_t;

static void
fixture_set_up(fixture_t *f, gconstpointer user)
{
	(void)user;
	f->dir = g_dir_make_tmp("tsr-transport-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
	f->path = g_build_filename(f->dir, "holder.sock", NULL);
}

static void
fixture_tear_down(fixture_t *f, gconstpointer user)
{
	(void)user;
	(void)g_unlink(f->path);
	g_assert_cmpint(g_rmdir(f->dir), ==, 0);
	g_free(f->path);
	g_free(f->dir);
}

static uint8_t *
pattern(size_t len, uint8_t seed)
{
	uint8_t *p = g_malloc(len ? len : 1);

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
	return p;
}

static void
expect_message(tsr_transport_t *t, const uint8_t *want, size_t want_len)
{
	uint8_t *msg = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==, TSR_OK);
	g_assert_nonnull(msg);
	g_assert_cmpmem(msg, len, want, want_len);
	tsr_free(msg);
}

/* A raw socket pair: the test writes bytes into raw, the transport reads. */
static tsr_transport_t *
raw_pair(int *ret_raw)
{
	tsr_transport_t *t = NULL;
	int fds[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
	g_assert_cmpint(tsr_transport_local_adopt(fds[0], "raw", &t), ==, TSR_OK);
	*ret_raw = fds[1];
	return t;
}

static void
raw_write(int fd, const void *ptr, size_t len)
{
	g_assert_cmpint(send(fd, ptr, len, MSG_NOSIGNAL), ==, (ssize_t)len);
}

static void
valid_pair_roundtrip(void)
{
	static const uint8_t hello[] = "hello", world[] = { 0x00, 0xff, 0x00 };
	tsr_transport_t *a = NULL, *b = NULL;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	g_assert_cmpstr(tsr_transport_describe(a), ==, "local transport (socket pair)");
	g_assert_cmpint(tsr_transport_send(a, hello, sizeof(hello), LONG_MS), ==, TSR_OK);
	expect_message(b, hello, sizeof(hello));
	g_assert_cmpint(tsr_transport_send(b, world, sizeof(world), LONG_MS), ==, TSR_OK);
	expect_message(a, world, sizeof(world));
	tsr_transport_free(a);
	tsr_transport_free(b);
	tsr_transport_free(NULL);
	g_assert_cmpstr(tsr_transport_describe(NULL), ==, "no transport");
}

static void
valid_empty_message(void)
{
	tsr_transport_t *a = NULL, *b = NULL;
	uint8_t *msg = NULL;
	size_t len = 99;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(a, NULL, 0, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(a, (const uint8_t *)"x", 1, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_receive(b, LONG_MS, &msg, &len), ==, TSR_OK);
	g_assert_nonnull(msg);
	g_assert_cmpuint(len, ==, 0);
	tsr_free(msg);
	expect_message(b, (const uint8_t *)"x", 1);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

typedef struct sender {
	tsr_transport_t *t;
	size_t n, size;         /* n messages; size 0 means varying sizes */
	int delay_close_ms;     /* > 0: close after this delay instead */
} sender_t;

static size_t
message_size(const sender_t *s, size_t i)
{
	return s->size > 0 ? s->size : (i * 131) % 5000;
}

static gpointer
send_thread(gpointer data)
{
	sender_t *s = data;
	uint8_t *p;
	size_t len;

	if (s->delay_close_ms > 0) {
		g_usleep((gulong)s->delay_close_ms * 1000);
		g_assert_cmpint(tsr_transport_close(s->t), ==, TSR_OK);
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++) {
		len = message_size(s, i);
		p = pattern(len, (uint8_t)i);
		g_assert_cmpint(tsr_transport_send(s->t, p, len, LONG_MS), ==, TSR_OK);
		g_free(p);
	}
	return NULL;
}

static void
run_sender(size_t n, size_t size)
{
	tsr_transport_t *a = NULL, *b = NULL;
	sender_t s;
	uint8_t *want;
	GThread *th;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	s = (sender_t){ .t = a, .n = n, .size = size };
	th = g_thread_new("sender", send_thread, &s);
	for (size_t i = 0; i < n; i++) {
		want = pattern(message_size(&s, i), (uint8_t)i);
		expect_message(b, want, message_size(&s, i));
		g_free(want);
	}
	g_thread_join(th);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

/* Far more than a socket buffer holds: the send is partial many times. */
static void
valid_big_message(void)
{
	run_sender(1, 1024 * 1024);
}

static void
valid_many_in_order(void)
{
	run_sender(2000, 0);
}

static void
valid_max_message(void)
{
	run_sender(1, TSR_TRANSPORT_MAX_MESSAGE);
}

typedef struct listener {
	const char *path;
	int timeout_ms;
	int r;
	tsr_transport_t *t;
} listener_t;

static gpointer
listen_thread(gpointer data)
{
	listener_t *l = data;

	l->r = tsr_transport_local_listen(l->path, l->timeout_ms, &l->t);
	return NULL;
}

static void
valid_listen_connect(fixture_t *f, gconstpointer user)
{
	listener_t l = { .path = f->path, .timeout_ms = LONG_MS };
	tsr_transport_t *c = NULL, *again = NULL;
	g_autofree char *want = NULL;
	struct stat st;
	GThread *th;
	int tries;

	(void)user;
	th = g_thread_new("listener", listen_thread, &l);
	/* The socket file appears owner-only before anyone can connect. */
	for (tries = 0; tries < 1000 && lstat(f->path, &st) != 0; tries++)
		g_usleep(5000);
	g_assert_cmpint(lstat(f->path, &st), ==, 0);
	g_assert_true(S_ISSOCK(st.st_mode));
	g_assert_cmpint(st.st_mode & 07777, ==, 0600);
	g_assert_cmpint(tsr_transport_local_connect(f->path, LONG_MS, &c), ==, TSR_OK);
	g_thread_join(th);
	g_assert_cmpint(l.r, ==, TSR_OK);
	/* Exactly one peer: the path is gone once it was accepted. */
	g_assert_cmpint(lstat(f->path, &st), ==, -1);
	g_assert_cmpint(errno, ==, ENOENT);
	g_assert_cmpint(tsr_transport_local_connect(f->path, 0, &again), ==,
	    TSR_ERR_TRANSPORT_CONNECT);
	g_assert_null(again);
	want = g_strdup_printf("local transport (Unix socket %s)", f->path);
	g_assert_cmpstr(tsr_transport_describe(l.t), ==, want);
	g_assert_cmpstr(tsr_transport_describe(c), ==, want);
	g_assert_cmpint(tsr_transport_send(c, (const uint8_t *)"req", 3, LONG_MS), ==, TSR_OK);
	expect_message(l.t, (const uint8_t *)"req", 3);
	g_assert_cmpint(tsr_transport_send(l.t, (const uint8_t *)"resp", 4, LONG_MS), ==, TSR_OK);
	expect_message(c, (const uint8_t *)"resp", 4);
	tsr_transport_free(c);
	tsr_transport_free(l.t);
}

/* Mode 0600 at work: another user cannot connect, even where the directory
 * lets it reach the socket. Needs root to become that user. */
static void
junk_other_user(fixture_t *f, gconstpointer user)
{
	listener_t l = { .path = f->path, .timeout_ms = LONG_MS };
	tsr_transport_t *c = NULL;
	struct stat st;
	GThread *th;
	pid_t pid;
	int status, tries;

	(void)user;
	if (geteuid() != 0) {
		g_test_skip("needs root to switch to another user");
		return;
	}
	g_assert_cmpint(chmod(f->dir, 0755), ==, 0);
	th = g_thread_new("listener", listen_thread, &l);
	for (tries = 0; tries < 1000 && lstat(f->path, &st) != 0; tries++)
		g_usleep(5000);
	if ((pid = fork()) == 0) {
		tsr_transport_t *t = NULL;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		_exit(tsr_transport_local_connect(f->path, 0, &t) ==
		    TSR_ERR_TRANSPORT_PERMISSION ? 0 : 1);
	}
	g_assert_cmpint(pid, >, 0);
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	/* The listener still waits for its one peer. */
	g_assert_cmpint(tsr_transport_local_connect(f->path, LONG_MS, &c), ==, TSR_OK);
	g_thread_join(th);
	g_assert_cmpint(l.r, ==, TSR_OK);
	tsr_transport_free(c);
	tsr_transport_free(l.t);
}

/* The reader may start first: connect waits for the listener to appear. */
static void
valid_connect_before_listen(fixture_t *f, gconstpointer user)
{
	listener_t l = { .path = f->path, .timeout_ms = LONG_MS };
	tsr_transport_t *c = NULL;
	GThread *th;

	(void)user;
	th = g_thread_new("late-listener", listen_thread, &l);
	g_usleep(20000); /* not needed for correctness; favours the late case */
	g_assert_cmpint(tsr_transport_local_connect(f->path, LONG_MS, &c), ==, TSR_OK);
	g_thread_join(th);
	g_assert_cmpint(l.r, ==, TSR_OK);
	tsr_transport_free(c);
	tsr_transport_free(l.t);
}

/* Holder and reader in two processes: a child echoes 100 messages back. */
static void
valid_two_processes(fixture_t *f, gconstpointer user)
{
	tsr_transport_t *t = NULL;
	uint8_t *msg, *want;
	size_t len;
	pid_t pid;
	int status;

	(void)user;
	if ((pid = fork()) == 0) {
		tsr_transport_t *c = NULL;
		int ok = tsr_transport_local_connect(f->path, LONG_MS, &c) == TSR_OK;

		while (ok && tsr_transport_receive(c, LONG_MS, &msg, &len) == TSR_OK) {
			ok = tsr_transport_send(c, msg, len, LONG_MS) == TSR_OK;
			tsr_free(msg);
		}
		tsr_transport_free(c);
		_exit(ok ? 0 : 1);
	}
	g_assert_cmpint(pid, >, 0);
	g_assert_cmpint(tsr_transport_local_listen(f->path, LONG_MS, &t), ==, TSR_OK);
	for (size_t i = 0; i < 100; i++) {
		len = i * 997;
		want = pattern(len, (uint8_t)i);
		g_assert_cmpint(tsr_transport_send(t, want, len, LONG_MS), ==, TSR_OK);
		expect_message(t, want, len);
		g_free(want);
	}
	g_assert_cmpint(tsr_transport_close(t), ==, TSR_OK);
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	tsr_transport_free(t);
}

/* A child process killed mid-session: the other side learns it at once. */
static void
closed_peer_killed(fixture_t *f, gconstpointer user)
{
	tsr_transport_t *t = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	gint64 start;
	pid_t pid;
	int status;

	(void)user;
	if ((pid = fork()) == 0) {
		tsr_transport_t *c = NULL;

		alarm(30); /* never outlive a failed parent */
		if (tsr_transport_local_connect(f->path, LONG_MS, &c) == TSR_OK)
			pause();
		_exit(1);
	}
	g_assert_cmpint(tsr_transport_local_listen(f->path, LONG_MS, &t), ==, TSR_OK);
	start = g_get_monotonic_time();
	g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
	g_assert_null(msg);
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	tsr_transport_free(t);
}

static void
timeout_receive(void)
{
	tsr_transport_t *a = NULL, *b = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	gint64 start, took;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_receive(b, 0, &msg, &len), ==, TSR_ERR_TRANSPORT_TIMEOUT);
	start = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_receive(b, 100, &msg, &len), ==, TSR_ERR_TRANSPORT_TIMEOUT);
	took = g_get_monotonic_time() - start;
	g_assert_cmpint(took, >=, 95 * 1000);
	g_assert_cmpint(took, <, 5 * G_USEC_PER_SEC);
	g_assert_null(msg);
	/* Still usable after a timeout. */
	g_assert_cmpint(tsr_transport_send(a, (const uint8_t *)"late", 4, LONG_MS), ==, TSR_OK);
	expect_message(b, (const uint8_t *)"late", 4);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

/* A timeout in the middle of a message keeps what has arrived. */
static void
timeout_partial_kept(void)
{
	static const uint8_t part1[] = { 0, 0, 0, 6, 'a' }, part2[] = { 'b', 'c' },
	    part3[] = { 'd', 'e', 'f' };
	tsr_transport_t *t;
	uint8_t *msg = NULL;
	size_t len = 0;
	int raw;

	t = raw_pair(&raw);
	raw_write(raw, part1, 2);
	g_assert_cmpint(tsr_transport_receive(t, 20, &msg, &len), ==, TSR_ERR_TRANSPORT_TIMEOUT);
	raw_write(raw, part1 + 2, sizeof(part1) - 2);
	g_assert_cmpint(tsr_transport_receive(t, 20, &msg, &len), ==, TSR_ERR_TRANSPORT_TIMEOUT);
	raw_write(raw, part2, sizeof(part2));
	g_assert_cmpint(tsr_transport_receive(t, 0, &msg, &len), ==, TSR_ERR_TRANSPORT_TIMEOUT);
	raw_write(raw, part3, sizeof(part3));
	expect_message(t, (const uint8_t *)"abcdef", 6);
	close(raw);
	tsr_transport_free(t);
}

static void
timeout_accept(fixture_t *f, gconstpointer user)
{
	tsr_transport_t *t = NULL;
	struct stat st;
	gint64 start, took;

	(void)user;
	start = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_local_listen(f->path, 100, &t), ==,
	    TSR_ERR_TRANSPORT_TIMEOUT);
	took = g_get_monotonic_time() - start;
	g_assert_cmpint(took, >=, 95 * 1000);
	g_assert_cmpint(took, <, 5 * G_USEC_PER_SEC);
	g_assert_null(t);
	/* Nothing left behind. */
	g_assert_cmpint(lstat(f->path, &st), ==, -1);
}

static void
timeout_connect(fixture_t *f, gconstpointer user)
{
	tsr_transport_t *t = NULL;
	gint64 start, took;

	(void)user;
	g_assert_cmpint(tsr_transport_local_connect(f->path, 0, &t), ==,
	    TSR_ERR_TRANSPORT_CONNECT);
	start = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_local_connect(f->path, 100, &t), ==,
	    TSR_ERR_TRANSPORT_CONNECT);
	took = g_get_monotonic_time() - start;
	g_assert_cmpint(took, >=, 95 * 1000);
	g_assert_cmpint(took, <, 5 * G_USEC_PER_SEC);
	g_assert_null(t);
}

/* A send that times out part-way ends the connection: half a message on
 * the wire would desynchronise the peer. */
static void
timeout_send_partial(void)
{
	tsr_transport_t *a = NULL, *b = NULL;
	uint8_t *big = pattern(4 * 1024 * 1024, 1), *msg = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(a, big, 4 * 1024 * 1024, 50), ==,
	    TSR_ERR_TRANSPORT_TIMEOUT);
	g_assert_cmpint(tsr_transport_send(a, big, 1, LONG_MS), ==, TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(tsr_transport_receive(b, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_free(big);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

/* The peer goes away after half a message: CLOSED at once, not a hang
 * until the timeout. */
static void
closed_mid_message(void)
{
	static const uint8_t part[] = { 0, 0, 0x10, 0, 'x', 'y', 'z' };
	tsr_transport_t *t;
	uint8_t *msg = NULL;
	size_t len = 0;
	gint64 start;
	int raw;

	t = raw_pair(&raw);
	raw_write(raw, part, sizeof(part));
	close(raw);
	start = g_get_monotonic_time();
	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
	g_assert_null(msg);
	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	tsr_transport_free(t);

	/* And inside the header. */
	t = raw_pair(&raw);
	raw_write(raw, part, 3);
	close(raw);
	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	tsr_transport_free(t);
}

/* The peer closes while we are blocked in receive. */
static void
closed_while_waiting(void)
{
	tsr_transport_t *a = NULL, *b = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	sender_t s;
	gint64 start;
	GThread *th;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	s = (sender_t){ .t = a, .delay_close_ms = 50 };
	start = g_get_monotonic_time();
	th = g_thread_new("closer", send_thread, &s);
	g_assert_cmpint(tsr_transport_receive(b, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
	g_thread_join(th);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

typedef struct events {
	int connected, disconnected;
	tsr_transport_t *t;
} events_t;

static void
on_event(tsr_transport_t *t, tsr_transport_event_t event, void *user)
{
	events_t *e = user;

	g_assert_true(t == e->t);
	if (event == TSR_TRANSPORT_EVENT_CONNECTED)
		e->connected++;
	else if (event == TSR_TRANSPORT_EVENT_DISCONNECTED)
		e->disconnected++;
	else
		g_assert_not_reached();
}

/* An orderly close: the peer gets everything sent before, then CLOSED;
 * each side reports DISCONNECTED once; sending to a gone peer is CLOSED
 * (and no SIGPIPE kills the test). */
static void
closed_orderly(void)
{
	tsr_transport_t *a = NULL, *b = NULL;
	events_t ea = { 0 }, eb = { 0 };
	uint8_t *msg = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	ea.t = a;
	eb.t = b;
	tsr_transport_set_event_callback(a, on_event, &ea);
	tsr_transport_set_event_callback(b, on_event, &eb);
	g_assert_cmpint(ea.connected, ==, 1);
	g_assert_cmpint(eb.connected, ==, 1);
	g_assert_cmpint(tsr_transport_send(a, (const uint8_t *)"one", 3, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(a, (const uint8_t *)"two", 3, LONG_MS), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_close(a), ==, TSR_OK);
	g_assert_cmpint(ea.disconnected, ==, 1);
	g_assert_cmpint(tsr_transport_close(a), ==, TSR_OK);
	g_assert_cmpint(ea.disconnected, ==, 1);
	g_assert_cmpint(tsr_transport_send(a, (const uint8_t *)"x", 1, LONG_MS), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(tsr_transport_receive(a, 0, &msg, &len), ==, TSR_ERR_TRANSPORT_CLOSED);

	g_assert_cmpint(tsr_transport_send(b, (const uint8_t *)"x", 1, LONG_MS), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(eb.disconnected, ==, 1);
	expect_message(b, (const uint8_t *)"one", 3);
	expect_message(b, (const uint8_t *)"two", 3);
	g_assert_cmpint(tsr_transport_receive(b, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_cmpint(eb.disconnected, ==, 1);
	g_assert_cmpint(eb.connected, ==, 1);
	/* Installing a callback on a disconnected transport reports nothing. */
	tsr_transport_set_event_callback(b, on_event, &eb);
	g_assert_cmpint(eb.connected, ==, 1);
	tsr_transport_set_event_callback(b, NULL, NULL);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

/* A length over the limit is refused before anything is allocated, and
 * ends the connection. */
static void
limit_oversize_prefix(void)
{
	static const uint8_t over[] = { 0x01, 0x00, 0x00, 0x01 };
	tsr_transport_t *t;
	uint8_t *msg = NULL, byte;
	size_t len = 0;
	int raw;

	t = raw_pair(&raw);
	raw_write(raw, over, sizeof(over));
	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==, TSR_ERR_LIMIT);
	g_assert_null(msg);
	g_assert_cmpint(tsr_transport_receive(t, 0, &msg, &len), ==, TSR_ERR_TRANSPORT_CLOSED);
	/* The peer sees the end. */
	g_assert_cmpint(recv(raw, &byte, 1, 0), ==, 0);
	close(raw);
	tsr_transport_free(t);
}

static void
limit_send(void)
{
	tsr_transport_t *a = NULL, *b = NULL;
	uint8_t byte = 0;

	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	/* Refused on the length alone: the bytes are never touched. */
	g_assert_cmpint(tsr_transport_send(a, &byte, TSR_TRANSPORT_MAX_MESSAGE + 1, LONG_MS), ==,
	    TSR_ERR_LIMIT);
	g_assert_cmpint(tsr_transport_send(a, &byte, 1, LONG_MS), ==, TSR_OK);
	expect_message(b, &byte, 1);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

/* Something that is not this transport talks to us. */
static void
junk_garbage_prefix(void)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const uint8_t short_msg[] = { 0, 0, 0, 200, 1, 2, 3 };
	tsr_transport_t *t;
	uint8_t *msg = NULL;
	size_t len = 0;
	int raw;

	t = raw_pair(&raw);
	raw_write(raw, http, sizeof(http) - 1);
	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==, TSR_ERR_LIMIT);
	close(raw);
	tsr_transport_free(t);

	t = raw_pair(&raw);
	raw_write(raw, short_msg, sizeof(short_msg));
	shutdown(raw, SHUT_WR);
	g_assert_cmpint(tsr_transport_receive(t, LONG_MS, &msg, &len), ==,
	    TSR_ERR_TRANSPORT_CLOSED);
	g_assert_null(msg);
	close(raw);
	tsr_transport_free(t);
}

static void
junk_path(fixture_t *f, gconstpointer user)
{
	g_autofree char *long_path = NULL, *missing = NULL;
	g_autofree char *pad = NULL;
	tsr_transport_t *t = NULL;
	struct stat st;
	int fd;

	(void)user;
	pad = g_strnfill(200, 'p');
	long_path = g_build_filename(f->dir, pad, NULL);
	g_assert_cmpint(tsr_transport_local_listen(long_path, 0, &t), ==,
	    TSR_ERR_TRANSPORT_ADDRESS);
	g_assert_cmpint(tsr_transport_local_connect(long_path, 0, &t), ==,
	    TSR_ERR_TRANSPORT_ADDRESS);
	/* 108 bytes is one too many for sun_path. */
	g_free(pad);
	pad = g_strnfill(108, 'q');
	g_assert_cmpint(tsr_transport_local_connect(pad, 0, &t), ==, TSR_ERR_TRANSPORT_ADDRESS);
	g_assert_cmpint(tsr_transport_local_connect("", 0, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_local_listen(NULL, 0, &t), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_local_listen(f->path, 0, NULL), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	missing = g_build_filename(f->dir, "no-such-dir", "s", NULL);
	g_assert_cmpint(tsr_transport_local_listen(missing, 0, &t), ==,
	    TSR_ERR_TRANSPORT_ADDRESS);
	g_assert_null(t);

	/* Another file at the path is left alone. */
	fd = open(f->path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	g_assert_cmpint(fd, >=, 0);
	close(fd);
	g_assert_cmpint(tsr_transport_local_listen(f->path, 0, &t), ==,
	    TSR_ERR_TRANSPORT_IN_USE);
	g_assert_cmpint(lstat(f->path, &st), ==, 0);
	g_assert_true(S_ISREG(st.st_mode));
	g_assert_null(t);
}

static void
junk_arguments(void)
{
	tsr_transport_t *a = NULL, *b = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;

	g_assert_cmpint(tsr_transport_local_pair(&a, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_null(a);
	g_assert_cmpint(tsr_transport_send(NULL, NULL, 0, 0), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_receive(NULL, 0, &msg, &len), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_close(NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_local_pair(&a, &b), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_send(a, NULL, 1, 0), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_transport_receive(b, 0, NULL, &len), ==, TSR_ERR_INVALID_ARGUMENT);
	tsr_transport_set_event_callback(NULL, on_event, NULL);
	tsr_transport_free(a);
	tsr_transport_free(b);
}

/* The frame reader directly: any granularity, limits before allocation. */
static void
valid_frame_reader(void)
{
	static const uint8_t stream[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0, 0, 0, 0, 1, 'z' };
	static const char *const want[] = { "abc", "", "z" };
	tsr_frame_reader_t fr;
	uint8_t *msg;
	size_t used, len, k;

	/* All at once, then byte by byte. */
	for (size_t step = sizeof(stream); step >= 1; step = step == 1 ? 0 : 1) {
		tsr_frame_reader_init(&fr, 16);
		k = 0;
		for (size_t off = 0; off < sizeof(stream);) {
			size_t n = sizeof(stream) - off < step ? sizeof(stream) - off : step;

			g_assert_cmpint(tsr_frame_reader_feed(&fr, stream + off, n, &used), ==,
			    TSR_OK);
			off += used;
			if (tsr_frame_reader_done(&fr)) {
				g_assert_cmpint(tsr_frame_reader_take(&fr, &msg, &len), ==, TSR_OK);
				g_assert_cmpmem(msg, len, want[k], strlen(want[k]));
				free(msg);
				k++;
			} else {
				g_assert_cmpuint(used, ==, n);
			}
		}
		g_assert_cmpuint(k, ==, 3);
		g_assert_false(tsr_frame_reader_partial(&fr));
		g_assert_cmpint(tsr_frame_reader_take(&fr, &msg, &len), ==, TSR_ERR_INTERNAL);
		tsr_frame_reader_clear(&fr);
	}
}

static void
limit_frame_reader(void)
{
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff }, just[] = { 0, 0, 0, 17 };
	tsr_frame_reader_t fr;
	uint8_t hdr[TSR_FRAME_HEADER_LEN], *ptr;
	size_t used = 0, room;

	tsr_frame_reader_init(&fr, 16);
	g_assert_cmpint(tsr_frame_reader_feed(&fr, just, sizeof(just), &used), ==, TSR_ERR_LIMIT);
	g_assert_null(fr.msg);
	/* Sticky: nothing more is taken. */
	tsr_frame_reader_space(&fr, &ptr, &room);
	g_assert_cmpuint(room, ==, 0);
	g_assert_cmpint(tsr_frame_reader_commit(&fr, 0), ==, TSR_ERR_LIMIT);
	tsr_frame_reader_clear(&fr);
	tsr_frame_reader_init(&fr, TSR_TRANSPORT_MAX_MESSAGE);
	g_assert_cmpint(tsr_frame_reader_feed(&fr, huge, sizeof(huge), &used), ==, TSR_ERR_LIMIT);
	g_assert_null(fr.msg);
	tsr_frame_reader_clear(&fr);

	g_assert_cmpint(tsr_frame_header(TSR_TRANSPORT_MAX_MESSAGE, hdr), ==, TSR_OK);
	g_assert_cmpmem(hdr, sizeof(hdr), "\x01\x00\x00\x00", 4);
	g_assert_cmpint(tsr_frame_header(TSR_TRANSPORT_MAX_MESSAGE + 1, hdr), ==, TSR_ERR_LIMIT);
	tsr_frame_reader_clear(NULL);
}

static void
valid_error_names(void)
{
	static const int codes[] = { TSR_ERR_TRANSPORT_TIMEOUT, TSR_ERR_TRANSPORT_CLOSED,
		TSR_ERR_TRANSPORT_CONNECT, TSR_ERR_TRANSPORT_ADDRESS, TSR_ERR_TRANSPORT_IN_USE,
		TSR_ERR_TRANSPORT_PERMISSION, TSR_ERR_TRANSPORT_PROTOCOL, TSR_ERR_TRANSPORT_IO };

	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
		g_assert_cmpstr(tsr_strerror(codes[i]), !=, "unknown error");
		g_assert_true(g_str_has_prefix(tsr_strerror_name(codes[i]), "TSR_ERR_TRANSPORT_"));
	}
	g_assert_cmpstr(tsr_strerror_name(TSR_ERR_TRANSPORT_CLOSED), ==,
	    "TSR_ERR_TRANSPORT_CLOSED");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/transport/local/valid_pair_roundtrip", valid_pair_roundtrip);
	g_test_add_func("/transport/local/valid_empty_message", valid_empty_message);
	g_test_add_func("/transport/local/valid_big_message", valid_big_message);
	g_test_add_func("/transport/local/valid_max_message", valid_max_message);
	g_test_add_func("/transport/local/valid_many_in_order", valid_many_in_order);
	g_test_add("/transport/local/valid_listen_connect", fixture_t, NULL, fixture_set_up,
	    valid_listen_connect, fixture_tear_down);
	g_test_add("/transport/local/valid_connect_before_listen", fixture_t, NULL,
	    fixture_set_up, valid_connect_before_listen, fixture_tear_down);
	g_test_add("/transport/local/valid_two_processes", fixture_t, NULL, fixture_set_up,
	    valid_two_processes, fixture_tear_down);
	g_test_add_func("/transport/local/timeout_receive", timeout_receive);
	g_test_add_func("/transport/local/timeout_partial_kept", timeout_partial_kept);
	g_test_add("/transport/local/timeout_accept", fixture_t, NULL, fixture_set_up,
	    timeout_accept, fixture_tear_down);
	g_test_add("/transport/local/timeout_connect", fixture_t, NULL, fixture_set_up,
	    timeout_connect, fixture_tear_down);
	g_test_add_func("/transport/local/timeout_send_partial", timeout_send_partial);
	g_test_add_func("/transport/local/closed_mid_message", closed_mid_message);
	g_test_add_func("/transport/local/closed_while_waiting", closed_while_waiting);
	g_test_add_func("/transport/local/closed_orderly", closed_orderly);
	g_test_add("/transport/local/closed_peer_killed", fixture_t, NULL, fixture_set_up,
	    closed_peer_killed, fixture_tear_down);
	g_test_add_func("/transport/local/limit_oversize_prefix", limit_oversize_prefix);
	g_test_add_func("/transport/local/limit_send", limit_send);
	g_test_add_func("/transport/local/junk_garbage_prefix", junk_garbage_prefix);
	g_test_add("/transport/local/junk_path", fixture_t, NULL, fixture_set_up, junk_path,
	    fixture_tear_down);
	g_test_add("/transport/local/junk_other_user", fixture_t, NULL, fixture_set_up,
	    junk_other_user, fixture_tear_down);
	g_test_add_func("/transport/local/junk_arguments", junk_arguments);
	g_test_add_func("/transport/framing/valid_frame_reader", valid_frame_reader);
	g_test_add_func("/transport/framing/limit_frame_reader", limit_frame_reader);
	g_test_add_func("/transport/err/valid_names", valid_error_names);
	return g_test_run();
}
