/*
 * mboxrd.c: see mboxrd.h.
 * RFC 4155 (the mbox family); mboxrd quoting as in qmail's mbox(5)
 * ("From " lines behind any number of '>' gain or lose one).
 */
#include <config.h>

#include <string.h>

#include "store/mboxrd.h"

static const char from_[] = "From ";
#define FROM_LEN 5

/* ---- reading ---- */

void
mboxrd_init(struct mboxrd *r, const struct mboxrd_sink *sink)
{
	memset(r, 0, sizeof(*r));
	r->sink = *sink;
	buf_init(&r->from, MBOXRD_FROM_MAX);
	r->bol = 1;
}

static void
out(struct mboxrd *r, const char *d, size_t n)
{
	if (!n)
		return;
	if (!r->in_msg) {
		/* text before any From line */
		r->in_msg = 1;
		r->count++;
		if (r->sink.begin)
			r->sink.begin(r->sink.ctx, "", 0);
	}
	if (r->sink.data)
		r->sink.data(r->sink.ctx, d, n);
}

static void
flush_held(struct mboxrd *r)
{
	size_t n = r->nheld;

	r->nheld = 0;
	out(r, r->held, n);
}

/* Ends the message; a line break still held is the separator's. */
static void
end_msg(struct mboxrd *r)
{
	if (r->in_msg && r->sink.end)
		r->sink.end(r->sink.ctx);
	r->in_msg = 0;
	r->nheld = 0;
}

/* The From line is complete: a message begins. */
static void
from_done(struct mboxrd *r)
{
	if (r->from.len && r->from.data[r->from.len - 1] == '\r')
		r->from.len--;
	r->in_from = 0;
	r->in_msg = 1;
	r->count++;
	r->bol = 1;
	r->prev_empty = 0;
	r->line_bytes = 0;
	if (r->sink.begin)
		r->sink.begin(r->sink.ctx, r->from.data, r->from.len);
}

/* The start of a line is decided and is message text: give out the line
 * break before it and what was matched (gt '>' and fk bytes of "From "). */
static void
line_start(struct mboxrd *r)
{
	static const char gts[] = ">>>>>>>>>>>>>>>>";

	flush_held(r);
	if (r->gt || r->fk)
		r->line_bytes = 1;
	while (r->gt) {
		size_t n = r->gt < sizeof gts - 1 ? r->gt : sizeof gts - 1;

		out(r, gts, n);
		r->gt -= n;
	}
	out(r, from_, r->fk);
	r->fk = 0;
	r->bol = 0;
}

static void
line_end(struct mboxrd *r, const char *brk, size_t n)
{
	r->prev_empty = !r->line_bytes;
	r->line_bytes = 0;
	memcpy(r->held, brk, n);
	r->nheld = n;
	r->bol = 1;
}

/* At the start of a line, the next byte c: 1 when it was taken into the
 * match, 0 when the line start is decided (c not taken). */
static int
match(struct mboxrd *r, char c)
{
	if (r->fk == 0 && c == '>') {
		r->gt++;
		return 1;
	}
	if (c != from_[r->fk])
		return 0;
	if (++r->fk < FROM_LEN)
		return 1;
	if (!r->gt && (r->prev_empty || !r->count)) {
		/* a separator */
		end_msg(r);
		buf_reset(&r->from);
		buf_add(&r->from, from_, FROM_LEN);
		r->in_from = 1;
		r->fk = 0;
		r->bol = 0;
		return 1;
	}
	if (r->gt)
		r->gt--;	/* mboxrd: unquote one level */
	line_start(r);
	return 1;
}

static void
run(struct mboxrd *r, const char *p, const char *e)
{
	while (p < e) {
		const char *nl, *eol;

		if (r->in_from) {
			size_t room = MBOXRD_FROM_MAX - r->from.len, n;

			nl = memchr(p, '\n', (size_t)(e - p));
			n = (size_t)((nl ? nl : e) - p);
			buf_add(&r->from, p, n < room ? n : room);
			if (!nl)
				return;
			p = nl + 1;
			from_done(r);
			continue;
		}
		if (r->bol) {
			if (match(r, *p))
				p++;
			else
				line_start(r);
			continue;
		}
		if (r->cr) {
			/* a '\r' ended the last chunk */
			r->cr = 0;
			if (*p == '\n') {
				line_end(r, "\r\n", 2);
				p++;
				continue;
			}
			out(r, "\r", 1);
			r->line_bytes = 1;
		}
		nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl) {
			eol = e;
			if (eol[-1] == '\r') {
				eol--;
				r->cr = 1;
			}
			if (eol > p)
				r->line_bytes = 1;
			out(r, p, (size_t)(eol - p));
			return;
		}
		eol = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (eol > p)
			r->line_bytes = 1;
		out(r, p, (size_t)(eol - p));
		line_end(r, eol, (size_t)(nl + 1 - eol));
		p = nl + 1;
	}
}

void
mboxrd_feed(struct mboxrd *r, const void *data, size_t len)
{
	run(r, data, (const char *)data + len);
}

void
mboxrd_finish(struct mboxrd *r)
{
	if (r->in_from)
		from_done(r);
	else if (r->bol && (r->gt || r->fk))
		line_start(r);	/* a last line shorter than "From " */
	if (r->cr) {
		r->cr = 0;
		out(r, "\r", 1);
		r->line_bytes = 1;
	}
	/* A last line that is empty is the writer's separating blank
	 * line; any other line break is the message's own. */
	if (!r->prev_empty)
		flush_held(r);
	end_msg(r);
}

void
mboxrd_release(struct mboxrd *r)
{
	buf_release(&r->from);
}

/* ---- writing ---- */

int
mboxrd_write_begin(struct mboxrd_writer *w, struct buf *out,
	const char *from_line, struct err *err)
{
	size_t n = strlen(from_line);

	if (n < FROM_LEN || memcmp(from_line, from_, FROM_LEN) != 0 ||
		strpbrk(from_line, "\r\n"))
		return err_set(err, ERR_USAGE, "mbox separator line \"%.*s\" "
			"does not start with \"From \" or holds a line break",
			(int)strcspn(from_line, "\r\n"), from_line);
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->bol = 1;
	buf_add(out, from_line, n);
	buf_addch(out, '\n');
	return 0;
}

/* The start of a line did not match ^>*From : give out what was held. */
static void
w_decided(struct mboxrd_writer *w)
{
	w->bol = 0;
	if (!w->gt && !w->fk)	/* most lines: nothing held */
		return;
	for (; w->gt; w->gt--)
		buf_addch(w->out, '>');
	buf_add(w->out, from_, w->fk);
	w->fk = 0;
}

/* Append n bytes to w->out: a plain copy when there is room (the common
 * case: mboxrd_write_data makes room for its whole chunk first). */
static int
w_put(struct mboxrd_writer *w, const char *p, size_t n)
{
	struct buf *b = w->out;

	if (b->alloc - b->len <= n)
		return buf_add(b, p, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* A line's bytes up to the chunk's end e: through its '\n', CRLF made LF
 * (w->crlf); a CR ending the chunk held back. Returns where the next line
 * starts, or e. */
static const char *
w_line(struct mboxrd_writer *w, const char *p, const char *e)
{
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	size_t k = (size_t)((nl ? nl : e) - p);

	if (!w->crlf || !k || (nl ? nl[-1] : e[-1]) != '\r') {
		w_put(w, p, nl ? k + 1 : k);
		return nl ? nl + 1 : e;
	}
	if (!nl) {
		w_put(w, p, k - 1);
		w->cr = 1;
		return e;
	}
	if (w_put(w, p, k) == 0)	/* one copy, its CR made the LF */
		w->out->data[w->out->len - 1] = '\n';
	return nl + 1;
}

void
mboxrd_write_data(struct mboxrd_writer *w, const void *d, size_t n)
{
	const char *p = d, *e = p + n;

	if (!n)
		return;
	w->any = 1;
	w->last_lf = e[-1] == '\n';
	buf_grow(w->out, n + 1);
	if (w->cr) {		/* held back: a line end, or data */
		w->cr = 0;
		if (*p == '\n') {
			w_put(w, "\n", 1);
			w->bol = 1;
			p++;
		} else {
			w_put(w, "\r", 1);
		}
	}
	while (p < e) {
		if (w->bol) {
			if (w->fk == 0 && *p == '>') {
				w->gt++;
				p++;
				continue;
			}
			if (*p == from_[w->fk]) {
				p++;
				if (++w->fk == FROM_LEN) {
					buf_addch(w->out, '>');
					w_decided(w);
				}
				continue;
			}
			if (w->gt || w->fk)
				w_decided(w);
			w->bol = 0;
		}
		p = w_line(w, p, e);
		w->bol = p < e || e[-1] == '\n';
	}
}

void
mboxrd_write_end(struct mboxrd_writer *w)
{
	if (w->bol)
		w_decided(w);
	if (w->cr)
		buf_addch(w->out, '\r');
	w->cr = 0;
	if (w->any && !w->last_lf)
		buf_addch(w->out, '\n');
	buf_addch(w->out, '\n');
}

int
mboxrd_write(struct buf *out, const char *from_line, const void *msg,
	size_t len, struct err *err)
{
	struct mboxrd_writer w;

	if (mboxrd_write_begin(&w, out, from_line, err) < 0)
		return -1;
	mboxrd_write_data(&w, msg, len);
	mboxrd_write_end(&w);
	return 0;
}
