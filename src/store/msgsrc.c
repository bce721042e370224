/* msgsrc.c: see msgsrc.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "store/mdir.h"
#include "store/msgsrc.h"

#define MSGSRC_CHUNK 65536

enum {
	KIND_ONE = 1,		/* the stream is one message */
	KIND_MBOX,		/* an mboxrd stream */
	KIND_NONE,		/* refused or empty: nothing to hand out */
};

void
msgsrc_init(struct msgsrc *s, const struct msgsrc_sink *sink, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	s->sink = *sink;
	s->flags = flags;
	s->fd = -1;
	s->chunk = xmalloc(MSGSRC_CHUNK);
	buf_init(&s->name, 0);
	buf_init(&s->head, 0);
	buf_init(&s->where, 0);
}

/* Forget the stream (and its reader) once done with it. */
static void
close_stream(struct msgsrc *s)
{
	if (s->kind == KIND_MBOX)
		mboxrd_release(&s->mb);
	s->kind = 0;
	s->fd = -1;
}

void
msgsrc_release(struct msgsrc *s)
{
	close_stream(s);
	free(s->chunk);
	buf_release(&s->name);
	buf_release(&s->head);
	buf_release(&s->where);
}

/* ---- messages out ---- */

static void
msg_begin(struct msgsrc *s, const char *from, size_t from_len, int fd)
{
	s->count++;
	buf_reset(&s->where);
	buf_add(&s->where, s->name.data, s->name.len);
	if (from)
		buf_addf(&s->where, ": message %zu", s->count);
	s->cur.name = s->where.data;
	s->cur.index = s->count;
	s->cur.from = from;
	s->cur.from_len = from_len;
	s->cur.fd = fd;
	s->in_msg = 1;
	if (s->sink.begin)
		s->sink.begin(s->sink.ctx, &s->cur);
}

static void
msg_data(struct msgsrc *s, const void *d, size_t n)
{
	if (n && s->sink.data)
		s->sink.data(s->sink.ctx, d, n);
}

static void
msg_end(struct msgsrc *s, int complete)
{
	if (!s->in_msg)
		return;
	s->in_msg = 0;
	if (s->sink.end)
		s->sink.end(s->sink.ctx, complete);
}

static void
mb_begin(void *ctx, const char *from, size_t len)
{
	msg_begin(ctx, from, len, -1);
}

static void
mb_data(void *ctx, const void *d, size_t n)
{
	msg_data(ctx, d, n);
}

static void
mb_end(void *ctx)
{
	msg_end(ctx, 1);
}

/* ---- streams ---- */

void
msgsrc_open(struct msgsrc *s, int fd, const char *name)
{
	struct stat st;

	close_stream(s);
	s->fd = fd;
	s->fd_regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	buf_reset(&s->name);
	buf_addstr(&s->name, name);
	buf_reset(&s->head);
	s->count = 0;
	s->in_msg = 0;
}

/* The stream is one message: it begins now. */
static void
start_one(struct msgsrc *s)
{
	s->kind = KIND_ONE;
	msg_begin(s, NULL, 0, s->fd_regular ? s->fd : -1);
}

/*
 * The stream's first bytes (in head) decide its kind (see msgsrc.h) and
 * are handed on: 1 when more are needed, else 0, or -1 with err when the
 * stream is refused.
 */
static int
decide(struct msgsrc *s, int eof, struct err *err)
{
	const char *h = s->head.data ? s->head.data : "";
	size_t n = s->head.len;

	if (n < 5 && !eof && !memchr(h, '\n', n))
		return 1;
	if (n >= 5 && memcmp(h, "From ", 5) == 0) {
		struct mboxrd_sink mb = { s, mb_begin, mb_data, mb_end };

		mboxrd_init(&s->mb, &mb);
		s->kind = KIND_MBOX;
		mboxrd_feed(&s->mb, h, n);
	} else if (s->flags & MSGSRC_MBOX_ONLY) {
		s->kind = KIND_NONE;
		if (n)
			return err_set(err, ERR_DATA, "%s: not an mbox "
				"stream: its first line does not start with "
				"\"From \"", s->name.data);
	} else {
		start_one(s);
		msg_data(s, h, n);
	}
	buf_reset(&s->head);
	return 0;
}

/* Hand out n bytes just read; n == 0 is the end of the stream. */
static int
take(struct msgsrc *s, const char *d, size_t n, struct err *err)
{
	int eof = n == 0, r;

	if (!s->kind) {
		buf_add(&s->head, d, n);
		r = decide(s, eof, err);
		if (r)
			return r < 0 ? -1 : MSGSRC_MORE;
		n = 0;		/* handed on from head */
	}
	if (s->kind == KIND_MBOX) {
		mboxrd_feed(&s->mb, d, n);
		if (eof)
			mboxrd_finish(&s->mb);
	} else if (s->kind == KIND_ONE) {
		msg_data(s, d, n);
		if (eof)
			msg_end(s, 1);
	}
	if (!eof)
		return MSGSRC_MORE;
	close_stream(s);
	s->kind = KIND_NONE;
	return MSGSRC_END;
}

int
msgsrc_step(struct msgsrc *s, int wait, struct err *err)
{
	ssize_t n;

	if (s->kind == KIND_NONE)
		return MSGSRC_END;
	for (;;) {
		if (!wait) {
			struct pollfd p = { .fd = s->fd, .events = POLLIN };
			int pr = poll(&p, 1, 0);

			if (pr < 0 && errno == EINTR)
				continue;
			if (pr == 0)
				return MSGSRC_AGAIN;
			/* ready, hung up or an error: read() tells */
		}
		n = read(s->fd, s->chunk, MSGSRC_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			msg_end(s, 0);
			close_stream(s);
			s->kind = KIND_NONE;
			return err_sys(err, ERR_IO, e, "reading %s",
				s->name.data);
		}
		return take(s, s->chunk, (size_t)n, err);
	}
}

/* Read the stream on fd to its end; one: it is one message whatever its
 * first line (a maildir file). */
static int
read_fd(struct msgsrc *s, int fd, const char *name, int one,
	struct err *err)
{
	int r;

	msgsrc_open(s, fd, name);
	if (one)
		start_one(s);
	while ((r = msgsrc_step(s, 1, err)) == MSGSRC_MORE)
		;
	return r < 0 ? -1 : 0;
}

static int
read_maildir(struct msgsrc *s, const char *dir, struct err *err)
{
	struct mdir_list l;
	size_t i;

	if (mdir_list(dir, &l, err) < 0)
		return -1;
	for (i = 0; i < l.n; i++) {
		int fd = open(l.path[i], O_RDONLY | O_CLOEXEC);
		struct err e;

		err_clear(&e);
		if (fd < 0)
			err_sys(&e, ERR_NOINPUT, errno, "%s", l.path[i]);
		else {
			read_fd(s, fd, l.path[i], 1, &e);
			close(fd);
		}
		if (e.code != ERR_NONE && s->sink.skip)
			s->sink.skip(s->sink.ctx, &e);
	}
	mdir_list_release(&l);
	return 0;
}

int
msgsrc_read_path(struct msgsrc *s, const char *path, struct err *err)
{
	struct stat st;
	int fd, r;

	if (!strcmp(path, "-"))
		return read_fd(s, 0, "stdin", 0, err);
	if (stat(path, &st) < 0)
		return err_sys(err, ERR_NOINPUT, errno, "%s", path);
	if (S_ISDIR(st.st_mode))
		return read_maildir(s, path, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, ERR_NOINPUT, errno, "%s", path);
	r = read_fd(s, fd, path, 0, err);
	close(fd);
	return r;
}
