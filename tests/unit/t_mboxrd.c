/*
 * t_mboxrd: the mboxrd reader and writer (store/mboxrd.h). The reader cuts
 * the same messages whatever the chunks its input comes in; the expected
 * cuts of well-formed streams are those of Python's mailbox.mbox (plus
 * mboxrd unquoting, which Python leaves to the caller); what the writer
 * writes, the reader gives back byte for byte, for random messages too.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "store/mboxrd.h"
#include "store/tolf.h"
#include "tap.h"

/* The reader's output as "<From line>bytes</>" per message. */
static void
rd_begin(void *ctx, const char *from, size_t len)
{
	buf_addf(ctx, "<%.*s>", (int)len, from);
}

static void
rd_data(void *ctx, const void *d, size_t n)
{
	buf_add(ctx, d, n);
}

static void
rd_end(void *ctx)
{
	buf_addstr(ctx, "</>");
}

/* Read in steps of step bytes (0: all at once) into out. */
static void
read_all(const char *in, size_t len, size_t step, struct buf *out)
{
	struct mboxrd_sink s = { out, rd_begin, rd_data, rd_end };
	struct mboxrd r;
	size_t off = 0;

	mboxrd_init(&r, &s);
	while (off < len) {
		size_t n = step && step < len - off ? step : len - off;

		mboxrd_feed(&r, in + off, n);
		off += n;
	}
	mboxrd_finish(&r);
	mboxrd_release(&r);
}

static const struct {
	const char *in, *want;
} reads[] = {
	{ "", "" },
	/* the final line break is the message's (issue 7) */
	{ "From a@b Mon Nov 23 10:00:00 2026\nSubject: x\n\nmsg\n",
	  "<From a@b Mon Nov 23 10:00:00 2026>Subject: x\n\nmsg\n</>" },
	/* a last empty line is the writer's blank line */
	{ "From a\nS: x\n\nmsg\n\n", "<From a>S: x\n\nmsg\n</>" },
	{ "From a\nS: x\n\nmsg\n\n\n", "<From a>S: x\n\nmsg\n\n</>" },
	{ "From a\nS: x\n\nmsg", "<From a>S: x\n\nmsg</>" },
	/* "From " after a text line is text; after an empty line, a
	 * separator that takes the empty line's break */
	{ "From a\nS: 1\n\nline\nFrom here on\n\nFrom b\nS: 2\n\nx\n",
	  "<From a>S: 1\n\nline\nFrom here on\n</><From b>S: 2\n\nx\n</>" },
	/* mboxrd unquoting, anywhere */
	{ "From a\n>From x\n>>From y\n>Fromage\n> From z\n>\n\n>From w\n",
	  "<From a>From x\n>From y\n>Fromage\n> From z\n>\n\nFrom w\n</>" },
	/* CRLF: the From line loses its CR, "\r\n" is an empty line */
	{ "From a\r\nS: 1\r\n\r\nz\r\n\r\nFrom b\r\nS: 2\r\n\r\n\r\n",
	  "<From a>S: 1\r\n\r\nz\r\n</><From b>S: 2\r\n\r\n</>" },
	/* lone CRs are text */
	{ "From a\n\r\rx\r\n\r", "<From a>\r\rx\r\n\r</>" },
	/* From lines alone, with and without their line end */
	{ "From a\n\nFrom b\n", "<From a></><From b></>" },
	{ "From a\n\nFrom b", "<From a></><From b></>" },
	{ "From a\nFrom b\n", "<From a>From b\n</>" },
	/* almost separators */
	{ "From a\n\nFrom\n\nFro", "<From a>\nFrom\n\nFro</>" },
	/* text before the first separator: a message of its own */
	{ "junk\n\nFrom a\nS: 1\n", "<>junk\n</><From a>S: 1\n</>" },
};

static void
test_read(void)
{
	size_t i, step;

	for (i = 0; i < sizeof(reads) / sizeof(*reads); i++)
		for (step = 0; step < 8; step++) {
			struct buf got = BUF_INIT;
			char name[64];

			read_all(reads[i].in, strlen(reads[i].in), step, &got);
			snprintf(name, sizeof name, "read %zu, steps of %zu",
				i, step);
			tap_str(got.data ? got.data : "", reads[i].want, name);
			buf_release(&got);
		}
}

static const struct {
	const char *msg, *want;
} writes[] = {
	{ "S: x\n\nbody\n", "From a\nS: x\n\nbody\n\n" },
	{ "", "From a\n\n" },
	{ "no line end", "From a\nno line end\n\n" },
	{ "From x\n>From y\n>>From z\nFrom\n>Fro\nx From y\n",
	  "From a\n>From x\n>>From y\n>>>From z\nFrom\n>Fro\nx From y\n\n" },
	{ "a\r\n\r\nFrom b\r\n", "From a\na\r\n\r\n>From b\r\n\n" },
};

static void
test_write(void)
{
	size_t i, step;
	struct err e;
	struct buf b = BUF_INIT;

	for (i = 0; i < sizeof(writes) / sizeof(*writes); i++)
		for (step = 0; step < 5; step++) {
			struct mboxrd_writer w;
			const char *m = writes[i].msg;
			size_t len = strlen(m), off = 0;
			char name[64];

			buf_reset(&b);
			mboxrd_write_begin(&w, &b, "From a", &e);
			do {
				size_t n = step && step < len - off ? step :
					len - off;

				mboxrd_write_data(&w, m + off, n);
				off += n;
			} while (off < len);
			mboxrd_write_end(&w);
			snprintf(name, sizeof name, "write %zu, steps of %zu",
				i, step);
			tap_str(b.data, writes[i].want, name);
		}
	buf_reset(&b);
	err_clear(&e);
	tap_int(mboxrd_write(&b, "Fro a", "x", 1, &e), -1,
		"a separator without \"From \" is refused");
	tap_int(e.code, ERR_USAGE, "as ERR_USAGE");
	tap_int(mboxrd_write(&b, "From a\nS: x", "x", 1, &e), -1,
		"a separator with a line break is refused");
	tap_int((long long)b.len, 0, "nothing written");
	buf_release(&b);
}

/*
 * Random messages from the pieces that matter, several written into one
 * stream, read back in random steps: the same messages (each with the line
 * break the writer adds when it has none). A fixed seed: reproducible.
 */
static void
test_round_trip(void)
{
	static const char *pieces[] = {
		"From ", "From", ">From ", ">>From ", ">", "\n", "\r\n",
		"\r", "x", " ", "\n\n", "S: s\n",
		"0123456789abcdefghijklmnopqrstuv", "abcdefg\nFrom ",
	};
	unsigned long seed = 7;
	size_t i, j, k, bad = 0;

#define RND(n) ((seed = seed * 6364136223846793005UL + \
	1442695040888963407UL) >> 33) % (n)
	for (i = 0; i < 2000; i++) {
		struct buf stream = BUF_INIT, want = BUF_INIT;
		struct buf got = BUF_INIT, m = BUF_INIT;
		size_t nmsg = 1 + RND(4);
		struct err e;

		for (k = 0; k < nmsg; k++) {
			size_t n = RND(25);

			buf_reset(&m);
			for (j = 0; j < n; j++)
				buf_addstr(&m, pieces[RND(sizeof(pieces) /
					sizeof(*pieces))]);
			mboxrd_write(&stream, "From a@b Mon Jan  1 00:00:00 "
				"2024", m.data ? m.data : "", m.len, &e);
			buf_addstr(&want, "<From a@b Mon Jan  1 00:00:00 "
				"2024>");
			buf_add(&want, m.data ? m.data : "", m.len);
			if (m.len && m.data[m.len - 1] != '\n')
				buf_addch(&want, '\n');
			buf_addstr(&want, "</>");
		}
		read_all(stream.data, stream.len, 1 + RND(9), &got);
		if (got.len != want.len || memcmp(got.data, want.data,
			got.len) != 0) {
			if (!bad)
				tap_str(got.data, want.data, stream.data);
			bad++;
		}
		buf_release(&stream);
		buf_release(&want);
		buf_release(&got);
		buf_release(&m);
	}
#undef RND
	tap_ok(bad == 0, "2000 random streams written and read back (%zu "
		"differ)", bad);
}

/* Write m in random chunks through a writer, CRLF made LF by it (crlf) or
 * by tolf.h first: out gets the message (From line to blank line). */
static void
write_chunked(const struct buf *m, int crlf, unsigned long *seed,
	struct buf *out)
{
	struct mboxrd_writer w;
	struct tolf t;
	struct buf lf = BUF_INIT;
	struct err e;
	size_t off = 0;

	mboxrd_write_begin(&w, out, "From a", &e);
	w.crlf = crlf;
	tolf_init(&t);
	while (off < m->len) {
		size_t n;

		*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
		/* short chunks, and some long enough for whole words */
		n = 1 + (*seed >> 33) % ((*seed >> 40) % 2 ? 7 : 48);
		n = n < m->len - off ? n : m->len - off;
		if (crlf) {
			mboxrd_write_data(&w, m->data + off, n);
		} else {
			buf_reset(&lf);
			tolf_add(&t, m->data + off, n, &lf);
			mboxrd_write_data(&w, lf.data, lf.len);
		}
		off += n;
	}
	if (!crlf) {
		buf_reset(&lf);
		tolf_end(&t, &lf);
		mboxrd_write_data(&w, lf.data, lf.len);
	}
	mboxrd_write_end(&w);
	buf_release(&lf);
}

/*
 * The writer's crlf mode (the wire form in, mimap fetch) gives what
 * tolf.h then the writer give, for random messages in random chunks: a
 * CRLF or a "From " split anywhere, lone CRs, a CR at the very end.
 */
static void
test_crlf(void)
{
	static const char *pieces[] = {
		"From ", "From", ">From ", ">", "\n", "\r\n", "\r", "x",
		"\r\r\n", " ", "0123456789abcdefghijklmnopqrstuv",
		"ab\r\ncd\r\nFrom e",
	};
	unsigned long seed = 11;
	size_t i, j, bad = 0;

	for (i = 0; i < 3000; i++) {
		struct buf m = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
		unsigned long s1, s2;
		size_t n;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		n = (seed >> 33) % 20;
		for (j = 0; j < n; j++) {
			seed = seed * 6364136223846793005UL +
				1442695040888963407UL;
			buf_addstr(&m, pieces[(seed >> 33) %
				(sizeof(pieces) / sizeof(*pieces))]);
		}
		s1 = s2 = seed;
		write_chunked(&m, 1, &s1, &a);
		write_chunked(&m, 0, &s2, &b);
		if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
			if (!bad)
				tap_str(a.data, b.data, m.data ? m.data : "");
			bad++;
		}
		buf_release(&m);
		buf_release(&a);
		buf_release(&b);
	}
	{
		struct mboxrd_writer w;
		struct buf b = BUF_INIT;
		struct err e;

		mboxrd_write_begin(&w, &b, "From a", &e);
		w.crlf = 1;
		mboxrd_write_data(&w, "a\r\nFrom b\r\n\r\r\nc\r", 16);
		mboxrd_write_end(&w);
		tap_str(b.data, "From a\na\n>From b\n\r\nc\r\n\n",
			"crlf mode: line ends made LF, From quoted, lone CRs "
			"kept");
		buf_release(&b);
	}
	tap_ok(bad == 0, "crlf mode: 3000 random messages as tolf then the "
		"writer give them (%zu differ)", bad);
}

int
main(void)
{
	test_read();
	test_write();
	test_round_trip();
	test_crlf();
	return tap_done();
}
