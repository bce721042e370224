/*
 * msgprep.c: see msgprep.h.
 * RFC 5322 (Internet Message Format): 2.2 (header fields, folding), 3.3
 * (date-time), 3.6 (fields, Resent-*), 3.6.4 (Message-ID).
 * RFC 2047 (encoded words, for a non-ASCII full name: addr.h writes it).
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "codec/addr.h"
#include "mime/build.h"
#include "mime/mime.h"
#include "mime/msgprep.h"

#define MSGPREP_READ_CHUNK 65536
#define MSGPREP_MAX_FIELDS 10000
/* msgprep_read_spool(): the most header kept in memory, and the most of
 * one unterminated body line held before it goes to the spool. */
#define MSGPREP_MAX_HEAD ((size_t)16 << 20)
#define MSGPREP_SPOOL_SLICE ((size_t)64 << 10)

void
msgprep_init(struct msgprep *m)
{
	memset(m, 0, sizeof(*m));
	buf_init(&m->raw, 0);
	buf_init(&m->head, 0);
	m->spool_fd = -1;
}

void
msgprep_release(struct msgprep *m)
{
	buf_release(&m->raw);
	buf_release(&m->head);
	free(m->fields);
	msgprep_init(m);
}

/*
 * The normaliser (struct msgprep_norm): appends bytes to raw, turning LF
 * or CRLF into CRLF. line is the offset in raw where the current
 * (unterminated) line starts. norm_add returns 1 when a "." line ended the
 * input (DOT_ENDS), 0 to go on, -1 when the cap was hit.
 */
static int
is_dot_line(const struct msgprep_norm *n)
{
	size_t l = n->raw->len - n->line;

	if (n->spilled)
		return 0;
	const char *p = n->raw->data + n->line;

	return (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' &&
		p[1] == '\r');
}

static int
norm_add(struct msgprep_norm *n, const char *p, size_t len)
{
	while (len) {
		const char *lf = memchr(p, '\n', len);
		size_t seg = lf ? (size_t)(lf - p) : len;

		if (buf_add(n->raw, p, seg) < 0)
			return -1;
		if (!lf)
			return 0;
		if ((n->flags & MSGPREP_DOT_ENDS) && is_dot_line(n)) {
			buf_truncate(n->raw, n->line);
			return 1;
		}
		if (n->raw->len > n->line && n->raw->data[n->raw->len - 1] ==
			'\r') {
			if (buf_addch(n->raw, '\n') < 0)
				return -1;
		} else if (buf_add(n->raw, "\r\n", 2) < 0)
			return -1;
		n->line = n->raw->len;
		n->spilled = 0;
		p += seg + 1;
		len -= seg + 1;
	}
	return 0;
}

/* End of input: a "." alone ends it too; terminate the last line. */
static int
norm_end(struct msgprep_norm *n)
{
	if (n->raw->len == n->line)
		return 0;
	if ((n->flags & MSGPREP_DOT_ENDS) && is_dot_line(n)) {
		buf_truncate(n->raw, n->line);
		return 0;
	}
	if (n->raw->data[n->raw->len - 1] == '\r')
		return buf_addch(n->raw, '\n');
	return buf_add(n->raw, "\r\n", 2);
}

static int
finish_read(struct msgprep *m, unsigned flags, struct err *err)
{
	m->start = 0;
	if (!(flags & MSGPREP_KEEP_FROM_LINE) && m->raw.len >= 5 &&
		memcmp(m->raw.data, "From ", 5) == 0) {
		const char *lf = memchr(m->raw.data, '\n', m->raw.len);

		m->start = lf ? (size_t)(lf + 1 - m->raw.data) : m->raw.len;
	}
	return msgprep_scan(m, err);
}

int
msgprep_read_fd(struct msgprep *m, int fd, unsigned flags, size_t max,
	struct err *err)
{
	struct msgprep_norm n;
	char *chunk = xmalloc(MSGPREP_READ_CHUNK);
	int ret = -1, r = 0;

	buf_reset(&m->raw);
	m->raw.cap = max ? max : (size_t)-1;
	n.raw = &m->raw;
	n.line = 0;
	n.flags = flags;
	n.spilled = 0;
	for (;;) {
		ssize_t got = read(fd, chunk, MSGPREP_READ_CHUNK);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			err_sys(err, ERR_IO, errno, "reading the message");
			goto out;
		}
		if (got == 0)
			break;
		r = norm_add(&n, chunk, (size_t)got);
		if (r)
			break;
	}
	if (r == 0)
		r = norm_end(&n);
	if (r < 0) {
		err_set(err, ERR_DATA, "message larger than %zu bytes", max);
		goto out;
	}
	ret = finish_read(m, flags, err);
out:
	free(chunk);
	return ret;
}

int
msgprep_set(struct msgprep *m, const char *p, size_t len, unsigned flags,
	struct err *err)
{
	struct msgprep_norm n;

	buf_reset(&m->raw);
	n.raw = &m->raw;
	n.line = 0;
	n.flags = flags;
	n.spilled = 0;
	if (norm_add(&n, p, len) == 0)
		norm_end(&n);
	return finish_read(m, flags, err);
}

/* ---- the header in memory, the body spooled ---- */

static int mem_8bit(const char *p, size_t n);

/*
 * Does a whole line of raw between *from and upto (CRLF-ended lines, as the
 * normaliser leaves them) end the header section? Then 1 with *end at the
 * body's first byte (after an empty line, or at a line that is neither a
 * field nor a folded line: msgprep_scan() splits there too). Else 0, with
 * *from past the lines seen.
 */
static int
head_end(const struct buf *raw, size_t *from, size_t upto, size_t *end)
{
	const char *d = raw->data;

	while (*from < upto) {
		const char *lf = memchr(d + *from, '\n', upto - *from);
		size_t next = (size_t)(lf + 1 - d);

		switch (mime_header_line(d + *from, next - 2 - *from)) {
		case MIME_HLINE_BLANK:
			*end = next;
			return 1;
		case MIME_HLINE_BODY:
			*end = *from;
			return 1;
		default:
			*from = next;
		}
	}
	return 0;
}

/*
 * Move the normalised body bytes of n->raw to the spool: its whole lines,
 * or everything with final. An unterminated line longer than a slice goes
 * too, but for its last byte (a CR that an LF may follow); it can then no
 * longer be a "." line. ERR_DATA past max, ERR_IO when the write fails.
 */
static int
spool_out(struct msgprep *m, struct msgprep_norm *n, int final, size_t max,
	struct err *err)
{
	struct buf *b = n->raw;
	size_t k = final ? b->len : n->line;

	if (!final && b->len - n->line > MSGPREP_SPOOL_SLICE) {
		k = b->len - 1;
		n->spilled = 1;
	}
	if (!k)
		return 0;
	if (max && m->raw.len + m->spool_len + k > max)
		return err_set(err, ERR_DATA, "message larger than %zu bytes",
			max);
	if (!m->spool_8bit)
		m->spool_8bit = mem_8bit(b->data, k);
	if (mbuild_write_fd(&m->spool_fd, b->data, k, err) < 0) {
		err_prefix(err, "spooling the message body");
		return -1;
	}
	m->spool_len += k;
	memmove(b->data, b->data + k, b->len - k);
	buf_truncate(b, b->len - k);
	n->line = n->line > k ? n->line - k : 0;
	return 0;
}

/* The first line, once whole, is an mbox "From " line to skip: past it. */
static size_t
skip_from_line(const struct buf *raw, unsigned flags)
{
	const char *lf;

	if ((flags & MSGPREP_KEEP_FROM_LINE) || raw->len < 5 ||
		memcmp(raw->data, "From ", 5) != 0)
		return 0;
	lf = memchr(raw->data, '\n', raw->len);
	return (size_t)(lf + 1 - raw->data);
}

void
msgprep_spool_begin(struct msgprep_spool *sp, struct msgprep *m, int spool,
	unsigned flags, size_t max)
{
	memset(sp, 0, sizeof(*sp));
	sp->m = m;
	sp->n.raw = &m->raw;
	sp->n.flags = flags;
	buf_init(&sp->body, 0);
	sp->max = max;
	sp->in_head = 1;
	sp->first = 1;
	buf_reset(&m->raw);
	m->raw.cap = MSGPREP_MAX_HEAD;
	m->spool_fd = spool;
	m->spool_len = 0;
	m->spool_8bit = 0;
}

static int
head_too_big(struct err *err)
{
	return err_set(err, ERR_DATA, "header section larger than %zu bytes",
		MSGPREP_MAX_HEAD);
}

int
msgprep_spool_add(struct msgprep_spool *sp, const char *p, size_t len,
	struct err *err)
{
	struct msgprep *m = sp->m;
	struct msgprep_norm *n = &sp->n;
	int r = norm_add(n, p, len);

	if (r < 0)
		return head_too_big(err);
	if (sp->in_head && sp->first && n->line) {
		sp->scan = skip_from_line(&m->raw, n->flags);
		sp->first = 0;
	}
	if (sp->in_head && head_end(&m->raw, &sp->scan, n->line, &sp->end)) {
		sp->in_head = 0;
		buf_add(&sp->body, m->raw.data + sp->end,
			m->raw.len - sp->end);
		buf_truncate(&m->raw, sp->end);
		n->raw = &sp->body;
		n->line -= sp->end;
	}
	if (!sp->in_head && spool_out(m, n, 0, sp->max, err) < 0)
		return -1;
	sp->ended = r;
	return r;
}

int
msgprep_spool_finish(struct msgprep_spool *sp, struct err *err)
{
	struct msgprep *m = sp->m;

	if (!sp->ended && norm_end(&sp->n) < 0)
		return head_too_big(err);
	if (!sp->in_head && spool_out(m, &sp->n, 1, sp->max, err) < 0)
		return -1;
	if (sp->in_head && sp->max && m->raw.len > sp->max)
		return err_set(err, ERR_DATA, "message larger than %zu bytes",
			sp->max);
	return finish_read(m, sp->n.flags, err);
}

void
msgprep_spool_release(struct msgprep_spool *sp)
{
	buf_release(&sp->body);
}

int
msgprep_read_spool(struct msgprep *m, int fd, int spool, unsigned flags,
	size_t max, struct err *err)
{
	struct msgprep_spool sp;
	char *chunk = xmalloc(MSGPREP_READ_CHUNK);
	int r = 0, ret = -1;

	msgprep_spool_begin(&sp, m, spool, flags, max);
	while (r == 0) {
		ssize_t got = read(fd, chunk, MSGPREP_READ_CHUNK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err_sys(err, ERR_IO, errno, "reading the message");
			goto out;
		}
		if (got == 0)
			break;
		r = msgprep_spool_add(&sp, chunk, (size_t)got, err);
	}
	if (r >= 0)
		ret = msgprep_spool_finish(&sp, err);
out:
	msgprep_spool_release(&sp);
	free(chunk);
	return ret;
}

/* Header fields and body split as the MIME parser splits them
 * (mime_header_line), so that msend and mparse agree on which fields a
 * message has. */
int
msgprep_scan(struct msgprep *m, struct err *err)
{
	const char *d = m->raw.data ? m->raw.data : "";
	size_t pos = m->start, end = m->raw.len, alloc = 0;

	free(m->fields);
	m->fields = NULL;
	m->nfields = 0;
	m->has_blank = 0;
	while (pos < end) {
		const char *lf = memchr(d + pos, '\n', end - pos);
		size_t next = lf ? (size_t)(lf + 1 - d) : end;
		size_t eol = lf && lf > d + pos && lf[-1] == '\r' ?
			next - 2 : lf ? next - 1 : next;
		struct msgprep_field *f;
		const char *colon = NULL;

		switch (mime_header_line(d + pos, eol - pos)) {
		case MIME_HLINE_BLANK:
			m->has_blank = 1;
			pos = next;
			goto out;
		case MIME_HLINE_BODY:
			goto out;
		case MIME_HLINE_FOLD:
			if (m->nfields) {
				f = &m->fields[m->nfields - 1];
				f->len = next - f->off;
				pos = next;
				continue;
			}
			/* before any field: in the header, part of no
			 * field (a nameless entry keeps it in place) */
			break;
		case MIME_HLINE_FIELD:
			colon = memchr(d + pos, ':', eol - pos);
			break;
		}
		if (m->nfields == MSGPREP_MAX_FIELDS)
			return err_set(err, ERR_DATA, "more than %d header "
				"fields", MSGPREP_MAX_FIELDS);
		if (m->nfields == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			m->fields = xrealloc(m->fields,
				alloc * sizeof(*m->fields));
		}
		f = &m->fields[m->nfields++];
		f->off = pos;
		f->len = next - pos;
		f->name_len = colon ? (size_t)(colon - (d + pos)) : 0;
		pos = next;
	}
out:
	m->body_off = pos;
	return 0;
}

static int
field_is(const struct msgprep *m, const struct msgprep_field *f,
	const char *name)
{
	size_t n = strlen(name);

	return f->name_len == n &&
		mem_casecmp(m->raw.data + f->off, name, n) == 0;
}

/* The unfolded value of a field, without leading blanks. */
static char *
field_value(const struct msgprep *m, const struct msgprep_field *f)
{
	const char *p = m->raw.data + f->off;
	const char *colon = memchr(p, ':', f->len);
	size_t i = (size_t)(colon - p) + 1;
	struct buf v = BUF_INIT;

	while (i < f->len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	for (; i < f->len; i++)
		if (p[i] != '\r' && p[i] != '\n')
			buf_addch(&v, p[i]);
	return buf_detach(&v, NULL);
}

char *
msgprep_header(const struct msgprep *m, const char *name, size_t i)
{
	size_t k;

	for (k = 0; k < m->nfields; k++)
		if (field_is(m, &m->fields[k], name) && i-- == 0)
			return field_value(m, &m->fields[k]);
	return NULL;
}

int
msgprep_has(const struct msgprep *m, const char *name)
{
	size_t k, n = strlen(name);

	for (k = 0; k < m->nfields; k++) {
		const struct msgprep_field *f = &m->fields[k];

		if (n && name[n - 1] == '-') {
			if (f->name_len > n && mem_casecmp(m->raw.data +
				f->off, name, n) == 0)
				return 1;
		} else if (field_is(m, f, name))
			return 1;
	}
	return 0;
}

int
msgprep_recipients(const struct msgprep *m, struct addrvec *out,
	struct err *err)
{
	static const char *plain[] = { "To", "Cc", "Bcc" };
	static const char *resent[] = { "Resent-To", "Resent-Cc",
		"Resent-Bcc" };
	const char **names = msgprep_has(m, "Resent-") ? resent : plain;
	size_t k, j;
	int count = 0;

	for (k = 0; k < m->nfields; k++)
		for (j = 0; j < 3; j++) {
			char *v;
			int r;

			if (!field_is(m, &m->fields[k], names[j]))
				continue;
			v = field_value(m, &m->fields[k]);
			r = addrsplit(v, strlen(v), out, err);
			free(v);
			if (r < 0) {
				err_prefix(err, "%s", names[j]);
				return -1;
			}
			count += r;
		}
	return count;
}

char *
msgprep_from_address(const struct msgprep *m)
{
	const char *name = msgprep_has(m, "Resent-") &&
		msgprep_has(m, "Resent-From") ? "Resent-From" : "From";
	struct addrvec av = ADDRVEC_INIT;
	char *v = msgprep_header(m, name, 0), *ret = NULL;

	if (!v)
		return NULL;
	if (addrsplit(v, strlen(v), &av, NULL) > 0 || av.n > 0)
		ret = xstrdup(av.v[0]);
	free(v);
	addrvec_release(&av);
	return ret;
}

static int
has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

int
msgprep_check_addr(const char *addr, struct err *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)addr; *p; p++)
		if (*p < 33 || *p == '<' || *p == '>' || *p == 127)
			return err_set(err, ERR_USAGE, "invalid address "
				"\"%.*s\": control character, blank or "
				"angle bracket", (int)strcspn(addr, "\r\n"),
				addr);
	return 0;
}

void
msgprep_add_date(struct buf *b, long long now)
{
	static const char *day[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
		"Sat" };
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)now;
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	buf_addf(b, "Date: %s, %d %s %d %02d:%02d:%02d %c%02ld%02ld\r\n",
		day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

void
msgprep_add_msgid(struct buf *b, const char *domain, const char *from,
	long long now)
{
	unsigned char rnd[8];
	char hex[2 * sizeof rnd + 1];
	const char *dom = domain;
	size_t i;

	if (!dom || !*dom) {
		dom = from ? strrchr(from, '@') : NULL;
		dom = dom ? dom + 1 : "localhost";
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		unsigned long x = (unsigned long)now ^
			((unsigned long)getpid() << 16) ^
			(unsigned long)clock();

		for (i = 0; i < sizeof rnd; i++, x = x * 6364136223846793005UL
			+ 1442695040888963407UL)
			rnd[i] = (unsigned char)(x >> 56);
	}
	hex_encode(hex, rnd, sizeof rnd, 0);
	buf_addf(b, "Message-ID: <%lld.%ld.%s@%s>\r\n", now, (long)getpid(),
		hex, dom);
}

int
msgprep_prepare(struct msgprep *m, const struct msgprep_opts *o,
	struct err *err)
{
	long long now = o->now ? o->now : (long long)time(NULL);
	int had_from = 0, had_date = 0, had_msgid = 0;
	size_t k;

	if (has_crlf(o->full_name) || has_crlf(o->envelope_from) ||
		has_crlf(o->domain))
		return err_set(err, ERR_USAGE, "a header value from the "
			"command line holds a line break");
	buf_reset(&m->head);
	for (k = 0; k < m->nfields; k++) {
		const struct msgprep_field *f = &m->fields[k];

		if (field_is(m, f, "From")) {
			had_from = 1;
			if (o->set_from == MSGPREP_ON)
				continue;
		}
		if (field_is(m, f, "Date"))
			had_date = 1;
		if (field_is(m, f, "Message-ID"))
			had_msgid = 1;
		if (o->remove_bcc && (field_is(m, f, "Bcc") ||
			field_is(m, f, "Resent-Bcc")))
			continue;
		if (o->undisclosed && (field_is(m, f, "To") ||
			field_is(m, f, "Cc") || field_is(m, f, "Bcc")))
			continue;
		buf_add(&m->head, m->raw.data + f->off, f->len);
	}
	if (o->set_from == MSGPREP_ON || (o->set_from == MSGPREP_AUTO &&
		!had_from)) {
		const char *from = o->envelope_from ? o->envelope_from : "";

		if (*from) {
			buf_addstr(&m->head, "From: ");
			addr_format(&m->head, o->full_name, from, 0);
			buf_addstr(&m->head, "\r\n");
		}
	}
	if (o->set_date != MSGPREP_OFF && !had_date)
		msgprep_add_date(&m->head, now);
	if (o->set_msgid != MSGPREP_OFF && !had_msgid)
		msgprep_add_msgid(&m->head, o->domain, o->envelope_from,
			now);
	if (o->undisclosed)
		buf_addstr(&m->head, "To: undisclosed-recipients:;\r\n");
	buf_add(&m->head, "\r\n", 2);
	return 0;
}

size_t
msgprep_size(const struct msgprep *m)
{
	return m->head.len + (m->raw.len - m->body_off) + m->spool_len;
}

const char *
msgprep_body(const struct msgprep *m, size_t *len)
{
	*len = m->raw.len - m->body_off;
	return m->raw.data ? m->raw.data + m->body_off : "";
}

static int
mem_8bit(const char *p, size_t n)
{
	uint64_t w, acc = 0;
	size_t i = 0;

	/* Eight bytes at a time: this runs over every byte of large
	 * messages. */
	for (; i + 64 <= n; i += 64) {
		size_t k;

		for (k = 0; k < 64; k += 8) {
			memcpy(&w, p + i + k, 8);
			acc |= w;
		}
		if (acc & 0x8080808080808080ULL)
			return 1;
	}
	for (; i < n; i++)
		if ((unsigned char)p[i] & 0x80)
			return 1;
	return 0;
}

int
msgprep_is_8bit(const struct msgprep *m)
{
	return mem_8bit(m->head.data ? m->head.data : "", m->head.len) ||
		mem_8bit(m->raw.data ? m->raw.data + m->body_off : "",
		m->raw.len - m->body_off) || m->spool_8bit;
}

int
msgprep_header_utf8(const struct msgprep *m)
{
	return mem_8bit(m->head.data ? m->head.data : "", m->head.len);
}

int
msgprep_str_utf8(const char *s)
{
	return s && mem_8bit(s, strlen(s));
}

int
msgprep_mem_8bit(const char *p, size_t n)
{
	return mem_8bit(p, n);
}

/* Aliases. */

struct alias {
	char *local;
	struct addrvec to;
};

struct aliases {
	struct alias *v;
	size_t n;
};

void
aliases_free(struct aliases *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++) {
		free(a->v[i].local);
		addrvec_release(&a->v[i].to);
	}
	free(a->v);
	free(a);
}

struct aliases *
aliases_load(const char *path, struct err *err)
{
	FILE *f = fopen(path, "r");
	struct aliases *a;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0;

	if (!f) {
		err_sys(err, ERR_NOINPUT, errno, "%s", path);
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	while (getline(&line, &cap, f) >= 0) {
		char *p = line, *colon, *e;
		struct alias *al;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
			continue;
		colon = strchr(p, ':');
		if (!colon) {
			err_set(err, ERR_CONFIG, "%s:%d: missing ':'", path,
				lineno);
			goto fail;
		}
		for (e = colon; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
		al = &a->v[a->n++];
		al->local = xmemdup(p, (size_t)(e - p));
		memset(&al->to, 0, sizeof(al->to));
		if (addrsplit(colon + 1, strlen(colon + 1), &al->to, err) < 0) {
			err_prefix(err, "%s:%d", path, lineno);
			goto fail;
		}
	}
	free(line);
	fclose(f);
	return a;
fail:
	free(line);
	fclose(f);
	aliases_free(a);
	return NULL;
}

static const struct alias *
alias_find(const struct aliases *a, const char *local)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strlen(a->v[i].local) == strlen(local) &&
			mem_casecmp(a->v[i].local, local, strlen(local)) == 0)
			return &a->v[i];
	return NULL;
}

void
aliases_expand(const struct aliases *a, struct addrvec *rcpts)
{
	struct addrvec out = ADDRVEC_INIT;
	size_t i, j;

	if (!a)
		return;
	for (i = 0; i < rcpts->n; i++) {
		const struct alias *al = NULL;

		if (!strchr(rcpts->v[i], '@')) {
			al = alias_find(a, rcpts->v[i]);
			if (!al)
				al = alias_find(a, "default");
		}
		if (!al) {
			addrvec_push(&out, rcpts->v[i], strlen(rcpts->v[i]));
			continue;
		}
		for (j = 0; j < al->to.n; j++)
			addrvec_push(&out, al->to.v[j], strlen(al->to.v[j]));
	}
	addrvec_release(rcpts);
	*rcpts = out;
}
