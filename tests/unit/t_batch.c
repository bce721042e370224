/*
 * t_batch: the --batch stream reader (batch.h). Whatever the chunks the
 * input arrives in through a pipe, it cuts the messages the mboxrd reader
 * (store/mboxrd.h) cuts from the whole stream at once, with the same
 * unquoting; a message is given out as soon as the next separator is seen,
 * not before; the size cap skips one message and keeps the others; read
 * errors and input that is not an mboxrd stream are errors.
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/mboxrd.h"
#include "proto/batch.h"
#include "tap.h"

static const char *streams[] = {
	"",
	"From a Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n",
	"From a\nSubject: one\n\n>From quoted\n>>From twice\nplain\n\n"
	"From b\nSubject: two\n\nbody\n",
	/* CRLF; no blank line before a "From " line: not a separator */
	"From a\r\nSubject: x\r\n\r\nline\r\nFrom b\r\nS: y\r\n\r\n\r\n",
	"From a\nS: 1\n\nline\nFrom here on\n\nFrom b\nS: 2\n\nx\n",
	/* a From line at the very end, with and without a line end */
	"From a\nX: 1\n\nx\n\nFrom b\n",
	"From a\nX: 1\n\nx\n\nFrom b",
	/* lines that look like separators but are not */
	"From a\nX: 1\n\n From x\n>From y\nFrom\nFromage\n\n"
	"From c\nX: 2\n\n\n\n",
	"From only-a-from-line",
};

/* The reference: the mboxrd reader fed the whole stream at once, each
 * message as "<bytes>". */
static void
ref_data(void *ctx, const void *d, size_t n)
{
	buf_add(ctx, d, n);
}

static void
ref_begin(void *ctx, const char *from, size_t len)
{
	buf_addch(ctx, '<');
}

static void
ref_end(void *ctx)
{
	buf_addch(ctx, '>');
}

static void
reference(const char *in, struct buf *all)
{
	struct mboxrd_sink s = { all, ref_begin, ref_data, ref_end };
	struct mboxrd r;

	mboxrd_init(&r, &s);
	mboxrd_feed(&r, in, strlen(in));
	mboxrd_finish(&r);
	mboxrd_release(&r);
}

/* Is in refused as not an mboxrd stream (store/msgsrc.h's rule)? */
static int
not_mbox(const char *in)
{
	return *in && strncmp(in, "From ", 5) != 0;
}

/*
 * Feed in through a pipe step bytes at a time, taking every message the
 * reader gives without blocking after each write; then close and drain.
 */
static int
chunked(const char *in, size_t step, size_t max, struct buf *all)
{
	struct batch_reader r;
	struct buf one = BUF_INIT;
	struct err e;
	size_t len = strlen(in), off = 0;
	int fds[2], got, bad = 0;

	if (pipe(fds) < 0)
		return -1;
	batch_reader_init(&r, fds[0], max);
	if (len == 0)
		close(fds[1]);
	for (;;) {
		if (off < len) {
			size_t n = len - off < step ? len - off : step;

			if (write(fds[1], in + off, n) != (ssize_t)n)
				bad = 1;
			off += n;
			if (off == len)
				close(fds[1]);
		}
		while ((got = batch_reader_next(&r, &one, off == len, &e)) ==
			BATCH_MSG || got == BATCH_TOOBIG) {
			if (got == BATCH_TOOBIG)
				buf_addstr(all, "<toobig>");
			else {
				buf_addf(all, "<%s>", one.data ?
					one.data : "");
			}
		}
		if (got == BATCH_END || got < 0)
			break;
	}
	close(fds[0]);
	batch_reader_release(&r);
	buf_release(&one);
	return bad ? -1 : got;
}

static void
test_same_cuts(void)
{
	static const size_t steps[] = { 1, 2, 3, 5, 7, 64, 100000 };
	size_t i, j;

	for (i = 0; i < sizeof(streams) / sizeof(*streams); i++)
		for (j = 0; j < sizeof(steps) / sizeof(*steps); j++) {
			struct buf want = BUF_INIT, got = BUF_INIT;
			char name[64];
			int r;

			reference(streams[i], &want);
			r = chunked(streams[i], steps[j], 0, &got);
			snprintf(name, sizeof name, "stream %zu, steps of %zu",
				i, steps[j]);
			tap_int(r, BATCH_END, name);
			tap_str(got.data ? got.data : "", want.data ?
				want.data : "", name);
			buf_release(&want);
			buf_release(&got);
		}
}

/*
 * Random streams from the pieces that matter (separators, quoted and
 * almost-separators, every line end), each fed in random steps: the same
 * cuts as the reference, or the same refusal. A fixed seed: reproducible.
 */
static void
test_random(void)
{
	static const char *pieces[] = {
		"From ", "From", ">From ", ">>From ", "\n", "\r\n", "\r",
		"x", " ", ">", "\n\n", "Subject: s\n",
	};
	unsigned long seed = 12345;
	size_t i, j, bad = 0, refused = 0;

#define RND(n) ((seed = seed * 6364136223846793005UL + \
	1442695040888963407UL) >> 33) % (n)
	for (i = 0; i < 3000; i++) {
		struct buf in = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
		size_t n = RND(40);
		const char *text;
		int wr, gr;

		if (RND(5))
			buf_addstr(&in, "From a\n");
		for (j = 0; j < n; j++)
			buf_addstr(&in, pieces[RND(sizeof(pieces) /
				sizeof(*pieces))]);
		text = in.data ? in.data : "";
		wr = not_mbox(text) ? -1 : 0;
		if (wr >= 0)
			reference(text, &want);
		gr = chunked(text, 1 + RND(9), 0, &got);
		if (wr < 0) {
			refused++;
			if (gr != -1)
				bad++;
		} else if (gr != BATCH_END || strcmp(got.data ? got.data :
			"", want.data ? want.data : "") != 0) {
			if (!bad)
				tap_str(got.data ? got.data : "", want.data ?
					want.data : "", text);
			bad++;
		}
		buf_release(&in);
		buf_release(&want);
		buf_release(&got);
	}
#undef RND
	tap_ok(bad == 0, "3000 random streams cut as the reference (%zu "
		"differ, %zu refused by both)", bad, refused);
}

/* A message is given out once the next separator arrives, not before. */
static void
test_streaming(void)
{
	const char *part1 = "From a\nSubject: 1\n\none\n\n";
	const char *part2 = "From b\nSubject: 2\n\ntwo\n";
	struct batch_reader r;
	struct buf one = BUF_INIT;
	struct err e;
	int fds[2];

	if (pipe(fds) < 0) {
		tap_ok(0, "pipe");
		return;
	}
	batch_reader_init(&r, fds[0], 0);
	tap_int(batch_reader_next(&r, &one, 0, &e), BATCH_AGAIN,
		"nothing written: again");
	tap_ok(write(fds[1], part1, strlen(part1)) > 0, "write part 1");
	tap_int(batch_reader_next(&r, &one, 0, &e), BATCH_AGAIN,
		"a message without its end: again");
	tap_ok(write(fds[1], part2, 7) > 0, "write the next separator");
	tap_int(batch_reader_next(&r, &one, 0, &e), BATCH_MSG,
		"the separator completes the first message");
	tap_str(one.data, "Subject: 1\n\none\n", "first message");
	tap_int(batch_reader_next(&r, &one, 0, &e), BATCH_AGAIN,
		"the second is not complete");
	tap_ok(write(fds[1], part2 + 7, strlen(part2) - 7) > 0, "write rest");
	close(fds[1]);
	tap_int(batch_reader_next(&r, &one, 1, &e), BATCH_MSG,
		"end of input completes the second");
	tap_str(one.data, "Subject: 2\n\ntwo\n", "second message");
	tap_int(batch_reader_next(&r, &one, 1, &e), BATCH_END, "then the end");
	close(fds[0]);
	batch_reader_release(&r);
	buf_release(&one);
}

static void
test_cap(void)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} t[] = {
		{ "From a\nX: 1\n\nsmall\n\nFrom b\nX: 2\n\n"
		  "a body far over the cap of forty bytes, skipped\n\n"
		  "From c\nX: 3\n\nsmall\n", 40,
		  "<X: 1\n\nsmall\n><toobig><X: 3\n\nsmall\n>" },
		{ "From a\nX: 1\n\na last message over the cap of 20\n", 20,
		  "<toobig>" },
		{ "From a-very-long-separator-line-over-the-cap\nX: 1\n\n"
		  "From b\nX: 2\n\n", 20, "<toobig><X: 2\n>" },
		{ "From a\nX: 1\n\n12345\n", 20, "<X: 1\n\n12345\n>" },
	};
	static const size_t steps[] = { 1, 4, 100000 };
	size_t i, j;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++)
		for (j = 0; j < sizeof(steps) / sizeof(*steps); j++) {
			struct buf got = BUF_INIT;
			char name[64];

			snprintf(name, sizeof name, "cap %zu, steps of %zu", i,
				steps[j]);
			tap_int(chunked(t[i].in, steps[j], t[i].max, &got),
				BATCH_END, name);
			tap_str(got.data ? got.data : "", t[i].want, name);
			buf_release(&got);
		}
}

static void
test_errors(void)
{
	struct batch_reader r;
	struct buf one = BUF_INIT, got = BUF_INIT;
	struct err e;
	int fd;

	tap_int(chunked("Subject: no separator\n\nx\n", 3, 0, &got), -1,
		"a stream without a From line is refused");
	tap_int(chunked("\nFro\n", 1, 0, &got), -1,
		"a short first line is refused");
	tap_int(chunked("\nFrom a\nS: x\n\nbody\n", 2, 0, &got), -1,
		"an empty first line is refused");
	tap_str(got.data ? got.data : "", "", "and nothing is cut");
	fd = open(".", O_RDONLY | O_DIRECTORY);
	batch_reader_init(&r, fd, 0);
	err_clear(&e);
	tap_int(batch_reader_next(&r, &one, 1, &e), -1, "read error");
	tap_int(e.code, ERR_IO, "read error is ERR_IO");
	tap_ok(strstr(e.msg, "reading") != NULL, "read error says reading");
	batch_reader_release(&r);
	if (fd >= 0)
		close(fd);
	buf_release(&one);
	buf_release(&got);
}

int
main(void)
{
	test_same_cuts();
	test_random();
	test_streaming();
	test_cap();
	test_errors();
	return tap_done();
}
