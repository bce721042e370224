/* mboxrd.c: see mboxrd.h. */
#include <config.h>

#include <string.h>

#include "store/mboxrd.h"

void
mboxrd_init(struct mboxrd *r, const struct mboxrd_sink *sink)
{
	memset(r, 0, sizeof(*r));
	r->sink = *sink;
	buf_init(&r->win, 0);
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

static void
end_msg(struct mboxrd *r)
{
	if (r->in_msg && r->sink.end)
		r->sink.end(r->sink.ctx);
	r->in_msg = 0;
	r->nheld = 0;
}

/* Process [*qp, e); returns with *qp at the undecided tail. */
static void
run(struct mboxrd *r, const char **qp, const char *e, int final)
{
	const char *q = *qp;

	while (q < e) {
		const char *nl;

		if (r->in_from) {
			nl = memchr(q, '\n', (size_t)(e - q));
			buf_add(&r->from, q, (size_t)((nl ? nl : e) - q));
			if (!nl) {
				q = e;
				break;
			}
			q = nl + 1;
			r->in_from = 0;
			r->bol = 1;
			if (r->from.len && r->from.data[r->from.len - 1] == '\r')
				r->from.len--;
			r->in_msg = 1;
			r->count++;
			r->prev_empty = 0;
			if (r->sink.begin)
				r->sink.begin(r->sink.ctx, r->from.data ?
					r->from.data : "", r->from.len);
			continue;
		}
		if (r->bol) {
			size_t k = 0, avail = (size_t)(e - q);

			while (k < avail && k < 4096 && q[k] == '>')
				k++;
			if (avail < k + 5 && !final &&
				!memchr(q, '\n', avail))
				break;	/* need more to decide */
			r->bol = 0;
			if (avail >= k + 5 && !memcmp(q + k, "From ", 5) &&
				(k > 0 || r->prev_empty || !r->count)) {
				if (k == 0) {
					end_msg(r);
					buf_reset(&r->from);
					r->in_from = 1;
					continue;
				}
				flush_held(r);
				q++;	/* unquote one level */
			} else {
				flush_held(r);
			}
		}
		nl = memchr(q, '\n', (size_t)(e - q));
		if (!nl) {
			const char *end = e;

			if (!final && end[-1] == '\r')
				end--;
			if (end > q)
				r->line_bytes = 1;
			out(r, q, (size_t)(end - q));
			q = end;
			if (q < e)
				break;
			continue;
		}
		{
			const char *eol = (nl > q && nl[-1] == '\r') ?
				nl - 1 : nl;

			out(r, q, (size_t)(eol - q));
			r->prev_empty = !r->line_bytes && eol == q;
			r->line_bytes = 0;
			r->nheld = (size_t)(nl + 1 - eol);
			memcpy(r->held, eol, r->nheld);
			q = nl + 1;
			r->bol = 1;
		}
	}
	*qp = q;
}

void
mboxrd_feed(struct mboxrd *r, const void *data, size_t len)
{
	const char *q, *e;

	buf_add(&r->win, data, len);
	q = r->win.data;
	e = q + r->win.len;
	run(r, &q, e, 0);
	buf_consume(&r->win, (size_t)(q - r->win.data));
}

void
mboxrd_finish(struct mboxrd *r)
{
	const char *q = r->win.data ? r->win.data : "", *e = q + r->win.len;

	run(r, &q, e, 1);
	buf_reset(&r->win);
	if (r->in_from) {
		r->in_from = 0;
		r->in_msg = 1;
		r->count++;
		if (r->sink.begin)
			r->sink.begin(r->sink.ctx, r->from.data ?
				r->from.data : "", r->from.len);
	}
	end_msg(r);
}

void
mboxrd_release(struct mboxrd *r)
{
	buf_release(&r->win);
	buf_release(&r->from);
}
