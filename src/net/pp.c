/*
 * pp.c: the line layer (see pp.h).
 *
 * RFC 5321 (SMTP: 2.3.8 lines, 4.5.2 transparency: the dot-stuffing of
 * pp_crlf), RFC 9051 4.3 (IMAP literals: bytes).
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "net/conn.h"
#include "net/pp.h"
#include "net/transcript.h"

void
pp_init(struct pp *p, struct conn *c)
{
	memset(p, 0, sizeof(*p));
	p->conn = c;
	p->ts = conn_transcript(c);
	p->peer = conn_peer(c);
	p->max_line = PP_MAX_LINE_DEFAULT;
	p->in = conn_rbuf(c);
	buf_init(&p->mem_in, 0);
	buf_init(&p->scratch, 0);
}

void
pp_init_mem(struct pp *p, const void *in, size_t len, struct buf *out,
	struct transcript *ts)
{
	memset(p, 0, sizeof(*p));
	p->ts = ts;
	p->peer = "memory";
	p->max_line = PP_MAX_LINE_DEFAULT;
	buf_init(&p->mem_in, 0);
	p->in = &p->mem_in;
	p->mem_src = xmemdup(in, len);
	p->mem_len = len;
	p->mem_out = out;
	buf_init(&p->scratch, 0);
}

void
pp_release(struct pp *p)
{
	buf_release(&p->mem_in);
	buf_release(&p->scratch);
	free(p->mem_src);
	p->mem_src = NULL;
}

/* Get more input: > 0 bytes added, 0 at EOF, -1 on error. */
static long
fill(struct pp *p, struct err *e)
{
	size_t n;

	if (p->conn)
		return conn_fill(p->conn, e);
	n = p->mem_len - p->mem_pos;
	if (p->mem_step && n > p->mem_step)
		n = p->mem_step;
	if (n == 0)
		return 0;
	buf_add(&p->mem_in, p->mem_src + p->mem_pos, n);
	p->mem_pos += n;
	return (long)n;
}

static int
out(struct pp *p, const void *data, size_t len, struct err *e)
{
	if (p->conn)
		return conn_write(p->conn, data, len, e);
	if (buf_add(p->mem_out, data, len) < 0)
		return err_set(e, ERR_SOFTWARE, "output buffer full");
	return 0;
}

/*
 * Input handling: lines are views into p->in from p->start. Consumed bytes
 * are only skipped (start advances); they are removed in one move before
 * more input is read or output is flushed, so a buffer holding many
 * pipelined replies is never shifted once per line.
 */
static void
drop_consumed(struct pp *p)
{
	p->start += p->consume;
	p->consume = 0;
	if (p->start == p->in->len) {
		buf_reset(p->in);
		p->start = 0;
	}
}

static void
compact(struct pp *p)
{
	drop_consumed(p);
	if (p->start) {
		buf_consume(p->in, p->start);
		p->start = 0;
	}
}

static int
closed(struct pp *p, struct err *e)
{
	return err_set(e, ERR_IO, "connection closed by %s", p->peer);
}

/* Compact, then receive more: 0, or -1 on error and at EOF. */
static int
more(struct pp *p, struct err *e)
{
	long r;

	compact(p);
	r = fill(p, e);
	if (r < 0)
		return -1;
	if (r == 0)
		return closed(p, e);
	return 0;
}

void
pp_drop_read(struct pp *p)
{
	drop_consumed(p);
}

int
pp_malformed(struct pp *p, const char *line, size_t len, const char *why,
	struct err *e)
{
	err_set(e, ERR_PROTOCOL, "%s: malformed reply: %s", p->peer, why);
	err_reply(e, line, len);
	return -1;
}

/*
 * Find the next line. With data set, a line over max_line comes in
 * pieces; otherwise it is an error. *len includes the line end; *body is
 * the length without it.
 */
static int
next_line(struct pp *p, int data, const char **line, size_t *len,
	size_t *body, struct err *e)
{
	size_t scanned = 0;

	drop_consumed(p);
	for (;;) {
		struct buf *in = p->in;
		const char *base = in->data ? in->data + p->start : "";
		size_t avail = in->len - p->start;
		const char *nl = avail > scanned ?
			memchr(base + scanned, '\n', avail - scanned) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - base) + 1;
			size_t b = n - 1;

			if (b && base[b - 1] == '\r')
				b--;
			if (b > p->max_line && !data)
				goto too_long;
			if (b > p->max_line)
				n = b = p->max_line;
			*line = base;
			*len = n;
			*body = b;
			p->consume = n;
			return 0;
		}
		/* +1: a CR that may still be followed by LF */
		if (avail > p->max_line + 1) {
			if (!data)
				goto too_long;
			*line = base;
			*len = *body = p->max_line;
			p->consume = p->max_line;
			return 0;
		}
		scanned = avail;
		if (more(p, e) < 0)
			return -1;
	}
too_long:
	return err_set(e, ERR_PROTOCOL, "%s: reply line too long (over %zu "
		"bytes)", p->peer, p->max_line);
}

int
pp_read_line(struct pp *p, const char **line, size_t *len, struct err *e)
{
	size_t n;

	if (next_line(p, 0, line, &n, len, e) < 0)
		return -1;
	transcript_recv(p->ts, *line, *len);
	return 0;
}

int
pp_take_data_line(struct pp *p, const char **line, size_t *len, int *bol,
	struct err *e)
{
	size_t body;

	if (next_line(p, 1, line, len, &body, e) < 0)
		return -1;
	*bol = !p->data_midline;
	p->data_midline = (*line)[*len - 1] != '\n';
	return 0;
}

int
pp_read_data_line(struct pp *p, const char **line, size_t *len,
	struct err *e)
{
	int bol;

	if (pp_take_data_line(p, line, len, &bol, e) < 0)
		return -1;
	transcript_data(p->ts, TRANSCRIPT_RECV, *line, *len);
	return 0;
}

int
pp_read_bytes(struct pp *p, size_t n, struct buf *dst, struct err *e)
{
	size_t want = n;

	drop_consumed(p);
	while (n) {
		size_t avail = p->in->len - p->start;
		size_t k = avail < n ? avail : n;

		if (k) {
			const char *base = p->in->data + p->start;

			if (buf_add(dst, base, k) < 0)
				return err_set(e, ERR_PROTOCOL, "%s: data "
					"of %zu bytes too large", p->peer,
					want);
			transcript_data(p->ts, TRANSCRIPT_RECV, base, k);
			p->consume = k;
			drop_consumed(p);
			n -= k;
			continue;
		}
		if (more(p, e) < 0)
			return -1;
	}
	transcript_data_end(p->ts, TRANSCRIPT_RECV);
	return 0;
}

int
pp_read_some(struct pp *p, size_t max, const char **d, size_t *n,
	struct err *e)
{
	size_t avail;

	drop_consumed(p);
	while (p->in->len == p->start)
		if (more(p, e) < 0)
			return -1;
	avail = p->in->len - p->start;
	*n = avail < max ? avail : max;
	*d = p->in->data + p->start;
	transcript_data(p->ts, TRANSCRIPT_RECV, *d, *n);
	p->consume = *n;
	return 0;
}

void
pp_read_data_end(struct pp *p)
{
	transcript_data_end(p->ts, TRANSCRIPT_RECV);
}

size_t
pp_pending(const struct pp *p)
{
	return p->in->len - p->start - p->consume;
}

int
pp_wait(struct pp *p, int ms, struct err *e)
{
	if (pp_pending(p))
		return 1;
	if (!p->conn)
		return p->mem_pos < p->mem_len;
	/* what conn has beyond p's view is in pp_pending already */
	compact(p);
	return conn_wait(p->conn, ms, e);
}

static int
check_line(struct pp *p, const char *s, size_t len, struct err *e)
{
	if (memchr(s, '\r', len) || memchr(s, '\n', len) ||
	    memchr(s, '\0', len))
		return err_set(e, ERR_DATA, "line break in command");
	return 0;
}

int
pp_cmd(struct pp *p, struct err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_reset(&p->scratch);
	va_start(ap, fmt);
	n = buf_vaddf(&p->scratch, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(e, ERR_SOFTWARE, "command too long");
	/* a %c of 0 would end the string early: compare the lengths */
	if (strlen(p->scratch.data) != p->scratch.len ||
	    check_line(p, p->scratch.data, p->scratch.len, e) < 0)
		return err_set(e, ERR_DATA, "line break in command");
	transcript_sent(p->ts, p->scratch.data, p->scratch.len);
	buf_add(&p->scratch, "\r\n", 2);
	return out(p, p->scratch.data, p->scratch.len, e);
}

int
pp_cmd_secret(struct pp *p, const char *pub, const char *secret,
	struct err *e)
{
	size_t publen = strlen(pub), seclen = strlen(secret);
	int r;

	if (check_line(p, pub, publen, e) < 0 ||
	    check_line(p, secret, seclen, e) < 0)
		return -1;
	buf_reset(&p->scratch);
	buf_add(&p->scratch, pub, publen);
	buf_add(&p->scratch, secret, seclen);
	transcript_sent_secret(p->ts, p->scratch.data, p->scratch.len, publen);
	buf_add(&p->scratch, "\r\n", 2);
	r = out(p, p->scratch.data, p->scratch.len, e);
	/* do not leave the secret lying in the heap (conn wipes its own
	 * buffer once sent) */
	if (p->scratch.len)
		secure_wipe(p->scratch.data, p->scratch.len);
	buf_reset(&p->scratch);
	return r;
}

int
pp_starttls(struct pp *p, struct err *e)
{
	compact(p);
	if (!p->conn)
		return err_set(e, ERR_USAGE, "STARTTLS needs a connection");
	return conn_starttls(p->conn, e);
}

int
pp_flush(struct pp *p, struct err *e)
{
	if (!p->conn)
		return 0;
	/* the flush may receive into the buffer: make room first */
	compact(p);
	return conn_flush(p->conn, e);
}

void
pp_crlf_init(struct pp_crlf *st, int dotstuff)
{
	st->bol = 1;
	st->cr = 0;
	st->dotstuff = dotstuff;
	st->out = 0;
}

int
pp_crlf_add(struct pp_crlf *st, struct buf *dst, const void *in, size_t len)
{
	const char *s = in;
	size_t i = 0, start = dst->len;

	while (i < len) {
		char c = s[i];
		size_t j;

		if (st->cr) {
			/* CRLF stays; a bare CR ends its line too */
			st->cr = 0;
			if (buf_add(dst, "\r\n", 2) < 0)
				goto full;
			st->bol = 1;
			if (c == '\n') {
				i++;
				continue;
			}
		}
		if (c == '\r') {
			st->cr = 1;
			i++;
			continue;
		}
		if (c == '\n') {
			if (buf_add(dst, "\r\n", 2) < 0)
				goto full;
			st->bol = 1;
			i++;
			continue;
		}
		if (st->bol && c == '.' && st->dotstuff &&
		    buf_addch(dst, '.') < 0)
			goto full;
		for (j = i; j < len && s[j] != '\r' && s[j] != '\n'; j++)
			;
		if (buf_add(dst, s + i, j - i) < 0)
			goto full;
		st->bol = 0;
		i = j;
	}
	st->out += dst->len - start;
	return 0;
full:
	st->out += dst->len - start;
	return -1;
}

int
pp_crlf_finish(struct pp_crlf *st, struct buf *dst)
{
	if (!st->cr && st->bol)
		return 0;
	st->cr = 0;
	st->bol = 1;
	if (buf_add(dst, "\r\n", 2) < 0)
		return -1;
	st->out += 2;
	return 0;
}

int
pp_write_data_part(struct pp *p, const void *data, size_t len,
	struct err *e)
{
	transcript_data(p->ts, TRANSCRIPT_SENT, data, len);
	return out(p, data, len, e);
}

void
pp_write_data_end(struct pp *p)
{
	transcript_data_end(p->ts, TRANSCRIPT_SENT);
}

int
pp_write_data(struct pp *p, const void *data, size_t len, struct err *e)
{
	if (pp_write_data_part(p, data, len, e) < 0)
		return -1;
	pp_write_data_end(p);
	return 0;
}

void
pp_queue_push(struct pp_queue *q, int kind, size_t a, size_t b)
{
	if (q->n == q->alloc) {
		q->alloc = q->alloc ? q->alloc * 2 : 16;
		q->v = xrealloc(q->v, q->alloc * sizeof(*q->v));
	}
	q->v[q->n].kind = kind;
	q->v[q->n].a = a;
	q->v[q->n].b = b;
	q->n++;
}

void
pp_queue_drop(struct pp_queue *q, size_t n)
{
	if (n >= q->n) {
		q->n = 0;
		return;
	}
	memmove(q->v, q->v + n, (q->n - n) * sizeof(*q->v));
	q->n -= n;
}

void
pp_queue_release(struct pp_queue *q)
{
	free(q->v);
	q->v = NULL;
	q->n = q->alloc = 0;
}
