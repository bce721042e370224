/*
 * imap_append.c: APPEND of a stream of messages (see imap_append.h).
 *
 * RFC 9051 6.3.12 (APPEND), RFC 3502 (MULTIAPPEND), RFC 7888 (LITERAL+,
 * LITERAL-), RFC 4315 3 (APPENDUID: a uid-set for a MULTIAPPEND).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "mime/build.h"
#include "net/pp.h"
#include "store/durable.h"
#include "proto/imap_append.h"
#include "proto/imap_ops.h"

/* Bytes read from the spool and queued before each flush. */
#define SEND_PIECE	(256u * 1024)

/* An APPEND command sent and not answered: messages [first, first+n). */
struct sent {
	unsigned long tag;
	size_t first, n;
};

struct imap_appender {
	struct imap *im;
	struct imap_append_opts o;
	int fd;			/* the spool */
	unsigned long long size;
	struct pp_crlf crlf;
	struct buf conv;	/* one converted piece on its way to fd */
	char *piece;		/* SEND_PIECE bytes read back from fd */
	int multi;		/* MULTIAPPEND */
	int pipelined;		/* LITERAL+: commands in flight at once */
	struct sent win[IMAP_WINDOW];
	size_t head, nwin;
	int open;		/* a MULTIAPPEND command is being written */
	struct sent cur;	/* it */
	size_t count, done;
};

struct imap_appender *
imap_append_new(struct imap *im, const struct imap_append_opts *o,
	struct err *e)
{
	struct imap_appender *a;
	int fd = mbuild_tmpfile(e);

	if (fd < 0)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->im = im;
	a->o = *o;
	a->fd = fd;
	buf_init(&a->conv, 0);
	a->piece = xmalloc(SEND_PIECE);
	a->multi = !!(imap_caps(im) & IMAP_CAP_MULTIAPPEND);
	a->pipelined = !!(imap_caps(im) & IMAP_CAP_LITERALPLUS);
	return a;
}

void
imap_append_free(struct imap_appender *a)
{
	if (!a)
		return;
	close(a->fd);
	buf_release(&a->conv);
	free(a->piece);
	free(a);
}

size_t
imap_append_count(const struct imap_appender *a)
{
	return a->count;
}

size_t
imap_append_done(const struct imap_appender *a)
{
	return a->done;
}

size_t
imap_append_pending(const struct imap_appender *a)
{
	return a->nwin + (size_t)a->open;
}

/* ---- the spool ---- */

static int
spool_write(struct imap_appender *a, struct err *e)
{
	if (durable_write(a->fd, a->conv.data, a->conv.len) < 0)
		return err_sys(e, ERR_IO, errno, "temporary file");
	a->size += a->conv.len;
	buf_reset(&a->conv);
	return 0;
}

int
imap_append_begin(struct imap_appender *a, struct err *e)
{
	a->size = 0;
	buf_reset(&a->conv);
	pp_crlf_init(&a->crlf, 0);
	if (ftruncate(a->fd, 0) != 0 || lseek(a->fd, 0, SEEK_SET) != 0)
		return err_sys(e, ERR_IO, errno, "temporary file");
	return 0;
}

int
imap_append_data(struct imap_appender *a, const void *d, size_t n,
	struct err *e)
{
	if (pp_crlf_add(&a->crlf, &a->conv, d, n) < 0)
		return err_set(e, ERR_SOFTWARE, "out of memory");
	return spool_write(a, e);
}

/* ---- the replies ---- */

/* APPENDUID's uid-set ("5", "5:7", "5,9:10") handed out in order. */
static void
report_set(struct imap_appender *a, const struct sent *s,
	unsigned long long validity, const char *set)
{
	struct imap_appended r;
	size_t i = 0;

	while (*set && i < s->n) {
		char *end;
		unsigned long long lo = strtoull(set, &end, 10), hi = lo;

		if (end == set)
			break;
		if (*end == ':')
			hi = strtoull(end + 1, &end, 10);
		if (hi < lo) {
			unsigned long long t = lo;

			lo = hi;
			hi = t;
		}
		for (; lo <= hi && i < s->n; lo++, i++) {
			r.index = s->first + i;
			r.uidvalidity = validity;
			r.uid = lo;
			a->o.fn(a->o.ctx, &r);
		}
		set = *end == ',' ? end + 1 : end;
		if (*set && *set != ',' && (*set < '0' || *set > '9'))
			break;
	}
	/* no APPENDUID, or a short one: the rest without a UID */
	for (; i < s->n; i++) {
		memset(&r, 0, sizeof r);
		r.index = s->first + i;
		a->o.fn(a->o.ctx, &r);
	}
}

struct tagged_ctx {
	struct imap_appender *a;
	const struct sent *s;
	int reported;
};

static int
append_tagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct tagged_ctx *t = ctx;
	unsigned long long validity;
	char code[32], set[1024];

	(void)e;
	if (r->status != IMAP_ST_OK || !t->a->o.fn)
		return 0;
	imap_resp_code(r, code, sizeof code);
	if (!strcmp(code, "APPENDUID") && r->code + 2 < r->code_end &&
	    imap_tok_num(r, r->code + 1, &validity) == 0 &&
	    imap_tok_copy(r, r->code + 2, set, sizeof set) == 0)
		report_set(t->a, t->s, validity, set);
	else
		report_set(t->a, t->s, 0, "");
	t->reported = 1;
	return 0;
}

/* Wait for the oldest command in flight. */
static int
wait_one(struct imap_appender *a, struct err *e)
{
	struct sent s = a->win[a->head];
	struct tagged_ctx t = { a, &s, 0 };
	struct imap_handler h = { &t, NULL, append_tagged, NULL };

	a->head = (a->head + 1) % IMAP_WINDOW;
	a->nwin--;
	if (imap_wait(a->im, s.tag, &h, e) < 0) {
		/* a refused message is a bad message, not a server fault */
		if (e->code == ERR_UNAVAILABLE)
			e->code = ERR_DATA;
		if (s.n == 1)
			err_prefix(e, "message %zu", s.first);
		else
			err_prefix(e, "messages %zu to %zu (one MULTIAPPEND: "
				"none appended)", s.first, s.first + s.n - 1);
		return -1;
	}
	a->done += s.n;
	return 0;
}

static int
wait_all(struct imap_appender *a, struct err *e)
{
	while (a->nwin)
		if (wait_one(a, e) < 0)
			return -1;
	return 0;
}

/* ---- the commands ---- */

/* The spooled message as a literal of the open command, in pieces. */
static int
send_spool(struct imap_appender *a, struct err *e)
{
	unsigned long long left = a->size;

	if (lseek(a->fd, 0, SEEK_SET) != 0)
		return err_sys(e, ERR_IO, errno, "temporary file");
	if (imap_cmd_literal(a->im, a->size, 0, e) < 0)
		return -1;
	while (left) {
		size_t want = left < SEND_PIECE ? (size_t)left : SEND_PIECE;
		ssize_t k = read(a->fd, a->piece, want);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return err_sys(e, ERR_IO, errno, "temporary file");
		if (k == 0)
			return err_set(e, ERR_IO, "temporary file: cut short");
		if (imap_cmd_data(a->im, a->piece, (size_t)k, e) < 0 ||
		    imap_flush(a->im, e) < 0)
			return -1;
		left -= (unsigned long long)k;
	}
	imap_cmd_data_end(a->im);
	return 0;
}

/* End the open command and put it in flight. */
static int
close_cmd(struct imap_appender *a, struct err *e)
{
	a->cur.tag = imap_cmd_end(a->im, e);
	a->open = 0;
	if (!a->cur.tag || imap_flush(a->im, e) < 0)
		return -1;
	a->win[(a->head + a->nwin) % IMAP_WINDOW] = a->cur;
	a->nwin++;
	/* a synchronizing literal needs nothing else in flight */
	return a->pipelined ? 0 : wait_all(a, e);
}

static int
open_cmd(struct imap_appender *a, struct err *e)
{
	if (a->nwin == IMAP_WINDOW && wait_one(a, e) < 0)
		return -1;
	imap_cmd_begin(a->im, "APPEND");
	if (imap_cmd_mailbox(a->im, a->o.folder, e) < 0)
		return -1;
	a->open = 1;
	a->cur.first = a->count;
	a->cur.n = 0;
	return 0;
}

int
imap_append_end(struct imap_appender *a, struct err *e)
{
	if (pp_crlf_finish(&a->crlf, &a->conv) < 0)
		return err_set(e, ERR_SOFTWARE, "out of memory");
	if (spool_write(a, e) < 0)
		return -1;
	a->count++;
	if (!a->open && open_cmd(a, e) < 0)
		return -1;
	if (a->o.flags)
		imap_cmd_add(a->im, " %s", a->o.flags);
	if (a->o.date)
		imap_cmd_add(a->im, " \"%s\"", a->o.date);
	if (send_spool(a, e) < 0) {
		/* a synchronizing literal refused: the command is over */
		if (e->code == ERR_UNAVAILABLE) {
			e->code = ERR_DATA;
			err_prefix(e, "message %zu", a->count);
			a->open = 0;
		}
		return -1;
	}
	a->cur.n++;
	if (!a->multi || a->cur.n == IMAP_APPEND_BATCH)
		return close_cmd(a, e);
	return 0;
}

int
imap_append_finish(struct imap_appender *a, struct err *e)
{
	if (a->open && close_cmd(a, e) < 0)
		return -1;
	return wait_all(a, e);
}
