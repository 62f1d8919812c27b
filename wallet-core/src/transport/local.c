/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The local transport: length-prefixed messages over a Unix-domain stream
 * socket. Sockets are non-blocking and every wait is a poll() bounded by
 * the call's deadline, so a silent or vanished peer ends in a timeout or
 * TSR_ERR_TRANSPORT_CLOSED, never a hang. Sends use MSG_NOSIGNAL: a peer
 * that left gives EPIPE, not SIGPIPE.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "transport/transport-private.h"

/* How often a connecting side looks again for a listener. */
#define RETRY_MS 20

typedef struct local {
	int fd;                /* -1 once the connection is over */
	tsr_frame_reader_t rx; /* a partial message survives a timeout */
	char *desc;
} local_t;

static int
errno_to_err(int e)
{
	switch (e) {
	case ENAMETOOLONG:
	case ENOTDIR:
	case ELOOP:
		return TSR_ERR_TRANSPORT_ADDRESS;
	case EADDRINUSE:
	case EEXIST:
		return TSR_ERR_TRANSPORT_IN_USE;
	case EACCES:
	case EPERM:
	case EROFS:
		return TSR_ERR_TRANSPORT_PERMISSION;
	case ECONNREFUSED:
		return TSR_ERR_TRANSPORT_CONNECT;
	case EPIPE:
	case ECONNRESET:
	case ENOTCONN:
		return TSR_ERR_TRANSPORT_CLOSED;
	case ENOMEM:
	case ENOBUFS:
		return TSR_ERR_NO_MEMORY;
	default:
		return TSR_ERR_TRANSPORT_IO;
	}
}

static int
make_addr(const char *path, struct sockaddr_un *sa, socklen_t *ret_len)
{
	size_t len;

	if (path == NULL || path[0] == '\0')
		return TSR_ERR_INVALID_ARGUMENT;
	/* sun_path has room for 107 bytes and the NUL. */
	if ((len = strlen(path)) >= sizeof(sa->sun_path)) {
		tsr_debug("transport: socket path of %zu bytes exceeds the limit of %zu", len,
		    sizeof(sa->sun_path) - 1);
		return TSR_ERR_TRANSPORT_ADDRESS;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len + 1);
	*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	return TSR_OK;
}

/* Waits until fd is ready for events (or has an error or hang-up, which
 * the next call on it reports). */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, tsr_deadline_remaining(deadline))) > 0)
			return TSR_OK;
		if (n == 0)
			return TSR_ERR_TRANSPORT_TIMEOUT;
		if (errno != EINTR) {
			tsr_debug("transport: poll: %s", strerror(errno));
			return TSR_ERR_TRANSPORT_IO;
		}
	}
}

/* Ends the connection after an error that leaves the stream unusable (or
 * on close): the peer sees the end at once instead of waiting. */
static void
local_drop(tsr_transport_t *t)
{
	local_t *l = t->state;

	if (l->fd >= 0) {
		(void)shutdown(l->fd, SHUT_RDWR);
		(void)close(l->fd);
		l->fd = -1;
	}
	tsr_frame_reader_clear(&l->rx);
	tsr_transport_set_connected(t, false);
}

static int
local_send(tsr_transport_t *t, const uint8_t *msg, size_t len, int timeout_ms)
{
	local_t *l = t->state;
	uint8_t hdr[TSR_FRAME_HEADER_LEN];
	struct iovec iov[2];
	struct msghdr mh;
	size_t total, sent = 0, skip;
	int64_t deadline = tsr_deadline_from_timeout(timeout_ms);
	ssize_t n;
	int r = TSR_ERR_INTERNAL;

	if (l->fd < 0) {
		r = TSR_ERR_TRANSPORT_CLOSED;
		goto out;
	}
	if ((r = tsr_frame_header(len, hdr)) != TSR_OK)
		goto out;
	total = sizeof(hdr) + len;
	while (sent < total) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		if (sent < sizeof(hdr)) {
			iov[0].iov_base = hdr + sent;
			iov[0].iov_len = sizeof(hdr) - sent;
			iov[1].iov_base = (void *)(uintptr_t)msg;
			iov[1].iov_len = len;
			mh.msg_iovlen = len > 0 ? 2 : 1;
		} else {
			skip = sent - sizeof(hdr);
			iov[0].iov_base = (void *)(uintptr_t)(msg + skip);
			iov[0].iov_len = len - skip;
			mh.msg_iovlen = 1;
		}
		if ((n = sendmsg(l->fd, &mh, MSG_NOSIGNAL)) >= 0) {
			sent += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if ((r = wait_fd(l->fd, POLLOUT, deadline)) == TSR_OK)
				continue;
		} else if ((r = errno_to_err(errno)) == TSR_ERR_TRANSPORT_CLOSED) {
			/* The fd stays open: what the peer sent before it left can
			 * still be received. */
			tsr_debug("transport: peer went away during a send");
			goto out;
		} else {
			tsr_debug("transport: send: %s", strerror(errno));
		}
		/* Half a message on the wire would desynchronise the peer. */
		if (sent > 0 || r != TSR_ERR_TRANSPORT_TIMEOUT)
			local_drop(t);
		goto out;
	}
	r = TSR_OK;
out:
	return r;
}

static int
local_receive(tsr_transport_t *t, int timeout_ms, uint8_t **ret_msg, size_t *ret_len)
{
	local_t *l = t->state;
	int64_t deadline = tsr_deadline_from_timeout(timeout_ms);
	uint8_t *ptr;
	size_t room;
	ssize_t n;
	int r = TSR_ERR_INTERNAL;

	if (l->fd < 0) {
		r = TSR_ERR_TRANSPORT_CLOSED;
		goto out;
	}
	while (!tsr_frame_reader_done(&l->rx)) {
		tsr_frame_reader_space(&l->rx, &ptr, &room);
		if ((n = recv(l->fd, ptr, room, 0)) > 0) {
			if ((r = tsr_frame_reader_commit(&l->rx, (size_t)n)) != TSR_OK) {
				if (r == TSR_ERR_LIMIT)
					tsr_debug("transport: peer announced a message over %zu bytes",
					    l->rx.max);
				local_drop(t);
				goto out;
			}
			continue;
		}
		if (n == 0) {
			if (tsr_frame_reader_partial(&l->rx))
				tsr_debug("transport: peer went away in the middle of a message");
			local_drop(t);
			r = TSR_ERR_TRANSPORT_CLOSED;
			goto out;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* A timeout keeps the partial message for the next call. */
			if ((r = wait_fd(l->fd, POLLIN, deadline)) != TSR_OK)
				goto out;
			continue;
		}
		if ((r = errno_to_err(errno)) != TSR_ERR_TRANSPORT_CLOSED)
			tsr_debug("transport: receive: %s", strerror(errno));
		local_drop(t);
		goto out;
	}
	r = tsr_frame_reader_take(&l->rx, ret_msg, ret_len);
out:
	return r;
}

static int
local_close(tsr_transport_t *t)
{
	local_drop(t);
	return TSR_OK;
}

static void
local_free_state(void *state)
{
	local_t *l = state;

	if (l == NULL)
		return;
	if (l->fd >= 0)
		(void)close(l->fd);
	tsr_frame_reader_clear(&l->rx);
	free(l->desc);
	free(l);
}

static const char *
local_describe(const void *state)
{
	const local_t *l = state;

	return l->desc;
}

static const tsr_transport_ops_t local_ops = {
	.send = local_send,
	.receive = local_receive,
	.close = local_close,
	.free_state = local_free_state,
	.describe = local_describe,
};

int
tsr_transport_local_adopt(int fd, const char *what, tsr_transport_t **ret)
{
	local_t *l;
	int flags;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		(void)close(fd);
		return TSR_ERR_NO_MEMORY;
	}
	l->fd = fd;
	tsr_frame_reader_init(&l->rx, TSR_TRANSPORT_MAX_MESSAGE);
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		local_free_state(l);
		return TSR_ERR_TRANSPORT_IO;
	}
	if (asprintf(&l->desc, "local transport (%s)", what) < 0) {
		l->desc = NULL;
		local_free_state(l);
		return TSR_ERR_NO_MEMORY;
	}
	return tsr_transport_new(&local_ops, l, true, ret);
}

/* Adopts fd with the description of a socket path. */
static int
adopt_path(int fd, const char *path, tsr_transport_t **ret)
{
	char *what;
	int r;

	if (asprintf(&what, "Unix socket %s", path) < 0) {
		(void)close(fd);
		return TSR_ERR_NO_MEMORY;
	}
	r = tsr_transport_local_adopt(fd, what, ret);
	free(what);
	return r;
}

/* Removes the socket file we bound, unless something else now sits there. */
static void
unlink_ours(const char *path, const struct stat *bound)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == bound->st_dev &&
	    st.st_ino == bound->st_ino)
		(void)unlink(path);
}

int
tsr_transport_local_listen(const char *path, int timeout_ms, tsr_transport_t **ret)
{
	struct sockaddr_un sa;
	struct stat bound;
	socklen_t sa_len;
	int64_t deadline = tsr_deadline_from_timeout(timeout_ms);
	int lfd = -1, fd = -1, r = TSR_ERR_INTERNAL;
	bool is_bound = false;

	if (ret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = make_addr(path, &sa, &sa_len)) != TSR_OK)
		return r;
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		r = errno_to_err(errno);
		goto out;
	}
	if (bind(lfd, (const struct sockaddr *)&sa, sa_len) != 0) {
		/* ENOENT: the directory is missing. */
		r = errno == ENOENT ? TSR_ERR_TRANSPORT_ADDRESS : errno_to_err(errno);
		tsr_debug("transport: cannot bind %s: %s", path, strerror(errno));
		goto out;
	}
	if (lstat(path, &bound) != 0 || !S_ISSOCK(bound.st_mode)) {
		r = TSR_ERR_TRANSPORT_IO;
		goto out;
	}
	is_bound = true;
	/* Owner only. Nobody can connect before listen(), so the mode bind()
	 * gave the file for this instant does not matter. */
	if (chmod(path, S_IRUSR | S_IWUSR) != 0) {
		r = errno_to_err(errno);
		goto out;
	}
	if (listen(lfd, 1) != 0) {
		r = errno_to_err(errno);
		goto out;
	}
	for (;;) {
		if ((r = wait_fd(lfd, POLLIN, deadline)) != TSR_OK)
			goto out;
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
			break;
		/* A peer that gave up before we took it is no reason to stop. */
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ECONNABORTED) {
			r = errno_to_err(errno);
			goto out;
		}
	}
	unlink_ours(path, &bound);
	is_bound = false;
	r = adopt_path(fd, path, ret);
	fd = -1;
out:
	if (is_bound)
		unlink_ours(path, &bound);
	if (lfd >= 0)
		(void)close(lfd);
	if (fd >= 0)
		(void)close(fd);
	return r;
}

int
tsr_transport_local_connect(const char *path, int timeout_ms, tsr_transport_t **ret)
{
	struct sockaddr_un sa;
	socklen_t sa_len;
	int64_t deadline = tsr_deadline_from_timeout(timeout_ms);
	int fd = -1, e, left, r = TSR_ERR_INTERNAL;

	if (ret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = make_addr(path, &sa, &sa_len)) != TSR_OK)
		return r;
	for (;;) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
			r = errno_to_err(errno);
			goto out;
		}
		if (connect(fd, (const struct sockaddr *)&sa, sa_len) == 0)
			break;
		e = errno;
		(void)close(fd);
		fd = -1;
		/* Not listening yet (no file, bound but not listening) or its
		 * one-place backlog is full: look again until the deadline. */
		if (e != ENOENT && e != ECONNREFUSED && e != EAGAIN && e != EINTR) {
			tsr_debug("transport: cannot connect to %s: %s", path, strerror(e));
			r = errno_to_err(e);
			goto out;
		}
		if ((left = tsr_deadline_remaining(deadline)) == 0) {
			tsr_debug("transport: nobody listens at %s", path);
			r = TSR_ERR_TRANSPORT_CONNECT;
			goto out;
		}
		(void)poll(NULL, 0, left < 0 || left > RETRY_MS ? RETRY_MS : left);
	}
	r = adopt_path(fd, path, ret);
	fd = -1;
out:
	if (fd >= 0)
		(void)close(fd);
	return r;
}

int
tsr_transport_local_pair(tsr_transport_t **ret_a, tsr_transport_t **ret_b)
{
	tsr_transport_t *a = NULL, *b = NULL;
	int fds[2], r = TSR_ERR_INTERNAL;

	if (ret_a == NULL || ret_b == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0)
		return errno_to_err(errno);
	if ((r = tsr_transport_local_adopt(fds[0], "socket pair", &a)) != TSR_OK) {
		(void)close(fds[1]);
		goto out;
	}
	if ((r = tsr_transport_local_adopt(fds[1], "socket pair", &b)) != TSR_OK)
		goto out;
	*ret_a = a;
	*ret_b = b;
	a = b = NULL;
	r = TSR_OK;
out:
	tsr_transport_free(a);
	tsr_transport_free(b);
	return r;
}
