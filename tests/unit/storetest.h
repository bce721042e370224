/*
 * storetest.h: file helpers the store layer's tests share (t_deliver,
 * t_uidlstate, t_killdeliver).
 */
#ifndef MKIT_STORETEST_H
#define MKIT_STORETEST_H

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

#include "base/buf.h"
#include "store/mboxrd.h"

/* The whole file as a string the caller frees, or NULL. */
static char * __attribute__((unused))
slurp(const char *p)
{
	struct buf b = BUF_INIT;
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return NULL;
	buf_read_fd(&b, fd);
	close(fd);
	if (!b.data)
		buf_addstr(&b, "");
	return buf_detach(&b, NULL);
}

static void __attribute__((unused))
rm_rf(const char *p)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("rm", "rm", "-rf", p, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* Called for each message of an mbox: its From line and its bytes. */
typedef void storetest_msg_fn(void *ctx, const char *from, size_t from_len,
	const char *msg, size_t len);

struct storetest_mb {
	storetest_msg_fn *fn;
	void *ctx;
	struct buf from, cur;
};

static void
storetest_begin(void *ctx, const char *from, size_t len)
{
	struct storetest_mb *m = ctx;

	buf_reset(&m->from);
	buf_add(&m->from, from, len);
	buf_reset(&m->cur);
}

static void
storetest_data(void *ctx, const void *p, size_t n)
{
	buf_add(&((struct storetest_mb *)ctx)->cur, p, n);
}

static void
storetest_end(void *ctx)
{
	struct storetest_mb *m = ctx;

	m->fn(m->ctx, m->from.data ? m->from.data : "", m->from.len,
		m->cur.data ? m->cur.data : "", m->cur.len);
}

/* Read the mbox file with the one mboxrd reader, fn for each message. */
static void __attribute__((unused))
mbox_each(const char *file, storetest_msg_fn *fn, void *ctx)
{
	struct storetest_mb m = { fn, ctx, BUF_INIT, BUF_INIT };
	struct mboxrd_sink sink = { &m, storetest_begin, storetest_data,
		storetest_end };
	struct mboxrd r;
	char *text = slurp(file);

	mboxrd_init(&r, &sink);
	if (text)
		mboxrd_feed(&r, text, strlen(text));
	mboxrd_finish(&r);
	mboxrd_release(&r);
	free(text);
	buf_release(&m.from);
	buf_release(&m.cur);
}

#endif
