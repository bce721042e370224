/*
 * t_msgsrc: the message source (store/msgsrc.h). The stream rule (first
 * line "From ": an mboxrd stream, else one message; MSGSRC_MBOX_ONLY
 * refuses the second kind), the names given to messages, files that can be
 * read again, maildirs (a file is never split), stepping as input arrives
 * through a pipe, and the errors.
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/msgsrc.h"
#include "tap.h"

/* What the sink saw: "[name|from|fd?]bytes{end}" per message. */
static void
s_begin(void *ctx, const struct msgsrc_msg *m)
{
	buf_addf(ctx, "[%s|%.*s|%s]", m->name, m->from ? (int)m->from_len :
		1, m->from ? m->from : "-", m->fd >= 0 ? "fd" : "nofd");
}

static void
s_data(void *ctx, const void *d, size_t n)
{
	buf_add(ctx, d, n);
}

static void
s_end(void *ctx, int complete)
{
	buf_addstr(ctx, complete ? "{end}" : "{broken}");
}

static void
s_skip(void *ctx, const struct err *e)
{
	buf_addf(ctx, "{skip %s}", e->msg);
}

static const struct msgsrc_sink sink0 = { NULL, s_begin, s_data, s_end,
	s_skip };

/* Feed in through a pipe step bytes at a time, stepping the source
 * without waiting after each write. Returns the last step's result. */
static int
piped(const char *in, size_t step, unsigned flags, struct buf *out,
	struct err *e)
{
	struct msgsrc_sink sink = sink0;
	struct msgsrc s;
	size_t len = strlen(in), off = 0;
	int fds[2], r = -1;

	sink.ctx = out;
	if (pipe(fds) < 0)
		return -2;
	msgsrc_init(&s, &sink, flags);
	msgsrc_open(&s, fds[0], "pipe");
	if (!len)
		close(fds[1]);
	for (;;) {
		if (off < len) {
			size_t n = len - off < step ? len - off : step;

			if (write(fds[1], in + off, n) != (ssize_t)n)
				break;
			off += n;
			if (off == len)
				close(fds[1]);
		}
		while ((r = msgsrc_step(&s, off == len, e)) == MSGSRC_MORE)
			;
		if (r != MSGSRC_AGAIN)
			break;
	}
	if (off < len)
		close(fds[1]);
	close(fds[0]);
	msgsrc_release(&s);
	return r;
}

static void
test_streams(void)
{
	static const struct {
		const char *in;
		unsigned flags;
		int ret;
		const char *want;
	} t[] = {
		{ "From a\nS: 1\n\nx\n\nFrom b\nS: 2\n\ny\n", 0, MSGSRC_END,
		  "[pipe: message 1|From a|nofd]S: 1\n\nx\n{end}"
		  "[pipe: message 2|From b|nofd]S: 2\n\ny\n{end}" },
		{ "S: 1\n\nx\n\nFrom b\nS: 2\n\n>From y\n", 0, MSGSRC_END,
		  "[pipe|-|nofd]S: 1\n\nx\n\nFrom b\nS: 2\n\n>From y\n{end}" },
		{ "\nFrom b\n", 0, MSGSRC_END, "[pipe|-|nofd]\nFrom b\n{end}" },
		{ "Fro", 0, MSGSRC_END, "[pipe|-|nofd]Fro{end}" },
		{ "", 0, MSGSRC_END, "[pipe|-|nofd]{end}" },
		{ "From a\nS: 1\n\nx\n", MSGSRC_MBOX_ONLY, MSGSRC_END,
		  "[pipe: message 1|From a|nofd]S: 1\n\nx\n{end}" },
		{ "", MSGSRC_MBOX_ONLY, MSGSRC_END, "" },
		{ "S: 1\n\nx\n", MSGSRC_MBOX_ONLY, -1, "" },
		{ "\nFrom a\n", MSGSRC_MBOX_ONLY, -1, "" },
	};
	static const size_t steps[] = { 1, 2, 3, 4, 7, 1000 };
	size_t i, j;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++)
		for (j = 0; j < sizeof(steps) / sizeof(*steps); j++) {
			struct buf got = BUF_INIT;
			struct err e;
			char name[64];
			int r;

			err_clear(&e);
			r = piped(t[i].in, steps[j], t[i].flags, &got, &e);
			snprintf(name, sizeof name, "stream %zu, steps of %zu",
				i, steps[j]);
			tap_int(r, t[i].ret, name);
			tap_str(got.data ? got.data : "", t[i].want, name);
			if (r < 0)
				tap_ok(e.code == ERR_DATA && strstr(e.msg,
					"pipe: not an mbox stream") != NULL,
					"%s: refused: %s", name, e.msg);
			buf_release(&got);
		}
}

/* A message that is not complete yet stays open until its end arrives. */
static void
test_as_it_comes(void)
{
	struct msgsrc_sink sink = sink0;
	struct buf got = BUF_INIT;
	struct msgsrc s;
	struct err e;
	int fds[2], r;

	sink.ctx = &got;
	if (pipe(fds) < 0)
		return;
	msgsrc_init(&s, &sink, 0);
	msgsrc_open(&s, fds[0], "pipe");
	tap_int(msgsrc_step(&s, 0, &e), MSGSRC_AGAIN, "nothing yet: again");
	tap_ok(write(fds[1], "From a\nS: 1\n\nx\n\n", 16) == 16, "write");
	while (msgsrc_step(&s, 0, &e) == MSGSRC_MORE)
		;
	tap_str(got.data, "[pipe: message 1|From a|nofd]S: 1\n\nx\n",
		"begun, not ended");
	tap_ok(write(fds[1], "From ", 5) == 5, "write a separator's start");
	while (msgsrc_step(&s, 0, &e) == MSGSRC_MORE)
		;
	tap_str(got.data, "[pipe: message 1|From a|nofd]S: 1\n\nx\n{end}",
		"the next separator's \"From \" ends it");
	tap_ok(write(fds[1], "b\n", 2) == 2, "write the rest of its line");
	close(fds[1]);
	while ((r = msgsrc_step(&s, 1, &e)) == MSGSRC_MORE)
		;
	tap_int(r, MSGSRC_END, "then the end");
	tap_str(got.data, "[pipe: message 1|From a|nofd]S: 1\n\nx\n{end}"
		"[pipe: message 2|From b|nofd]{end}", "the last one ends");
	tap_int(msgsrc_step(&s, 1, &e), MSGSRC_END, "and stays ended");
	close(fds[0]);
	msgsrc_release(&s);
	buf_release(&got);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_paths(void)
{
	char dir[] = "/tmp/t_msgsrc.XXXXXX", p[256], want[1024];
	struct msgsrc_sink sink = sink0;
	struct buf got = BUF_INIT;
	struct msgsrc s;
	struct err e;

	sink.ctx = &got;
	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	msgsrc_init(&s, &sink, 0);
	/* a file of one message can be read again; an mbox's cannot */
	snprintf(p, sizeof p, "%s/one", dir);
	write_file(p, "S: 1\n\nx\n");
	tap_int(msgsrc_read_path(&s, p, &e), 0, "a file");
	snprintf(want, sizeof want, "[%s|-|fd]S: 1\n\nx\n{end}", p);
	tap_str(got.data, want, "one message, its fd");
	buf_reset(&got);
	snprintf(p, sizeof p, "%s/mbox", dir);
	write_file(p, "From a\nS: 1\n\nx\n");
	tap_int(msgsrc_read_path(&s, p, &e), 0, "an mbox file");
	snprintf(want, sizeof want, "[%s: message 1|From a|nofd]S: 1\n\nx\n"
		"{end}", p);
	tap_str(got.data, want, "its message, no fd");
	/* a maildir: each file one message, never split */
	snprintf(p, sizeof p, "%s/md", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/cur", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/new", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/cur/1", dir);
	write_file(p, "From a\nS: 1\n\nx\n\nFrom b\nS: 2\n");
	buf_reset(&got);
	snprintf(p, sizeof p, "%s/md", dir);
	tap_int(msgsrc_read_path(&s, p, &e), 0, "a maildir");
	snprintf(want, sizeof want, "[%s/md/cur/1|-|fd]From a\nS: 1\n\nx\n\n"
		"From b\nS: 2\n{end}", dir);
	tap_str(got.data, want, "a maildir file is one message");
	/* errors */
	snprintf(p, sizeof p, "%s/missing", dir);
	err_clear(&e);
	tap_int(msgsrc_read_path(&s, p, &e), -1, "a missing file");
	tap_int(e.code, ERR_NOINPUT, "is ERR_NOINPUT");
	snprintf(p, sizeof p, "%s/md/cur", dir);
	err_clear(&e);
	tap_int(msgsrc_read_path(&s, p, &e), -1, "a folder, not a maildir");
	tap_int(e.code, ERR_NOINPUT, "is ERR_NOINPUT");
	{
		int fd = open(dir, O_RDONLY | O_DIRECTORY);

		msgsrc_open(&s, fd, "the input");
		err_clear(&e);
		tap_int(msgsrc_step(&s, 1, &e), -1, "a read error");
		tap_ok(e.code == ERR_IO && strstr(e.msg, "reading the input"),
			"is ERR_IO, named: %s", e.msg);
		close(fd);
	}
	msgsrc_release(&s);
	buf_release(&got);
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	tap_int(system(p), 0, "cleanup");
}

int
main(void)
{
	test_streams();
	test_as_it_comes();
	test_paths();
	return tap_done();
}
