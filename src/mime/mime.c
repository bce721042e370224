/*
 * mime.c: see mime.h. RFC 2045, RFC 2046 section 5, RFC 5322, RFC 3501
 * section 6.4.5 (section numbers).
 *
 * The parser keeps a stack of open entities (frames). Input is scanned in
 * place when the window is empty; only an undecided tail (a partial header
 * line, a line break that may belong to a delimiter) is copied into the
 * window for the next chunk. Bodies are scanned with memchr for '\n' and a
 * two-byte "--" test; only lines that start with "--" are compared with
 * the open boundaries.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/base64.h"
#include "codec/qp.h"
#include "codec/rfc2047.h"
#include "codec/rfc2231.h"
#include "mime/mime.h"

/* A partial header line longer than this is consumed piecewise. */
#define HDR_CHUNK 65536
/* RFC 2046 allows 70; longer ones are refused to keep lookahead small. */
#define MIME_BOUNDARY_MAX 998
/* Blanks allowed after a boundary before the line is judged not one. */
#define DELIM_WS_MAX 1024

enum frame_kind {
	F_LEAF,
	F_MULTIPART,
	F_MESSAGE,
	F_SKIP,		/* past the part limit: content dropped */
};

enum mp_state {
	MP_PRE,		/* no delimiter seen yet: kind undecided */
	MP_CHILD,
	MP_EPI,		/* after the close delimiter */
};

enum role {
	R_TOP,		/* top-level body */
	R_CHILD,	/* child n of a multipart */
	R_MSGBODY,	/* body of a message part */
};

enum enc {
	ENC_NONE,
	ENC_B64,
	ENC_QP,
};

struct frame {
	enum frame_kind kind;
	enum mp_state state;
	int begun;
	enum role role;
	unsigned long n;	/* child number (R_CHILD) */
	char *psec;		/* parent's section */
	unsigned long nchild;
	int digest;
	int drop;		/* leaf whose remaining content is epilogue */
	enum enc enc;
	struct b64_dec b64;
	struct qp_dec qp;
	struct buf pre;		/* MP_PRE: the preamble, for a leaf fallback */
	struct buf saved;	/* F_MESSAGE: its own header block */
	struct mime_part part;	/* strings owned */
	size_t blen;
};

enum mode {
	M_START,	/* maybe an mbox "From " line */
	M_FROMLINE,	/* skipping it */
	M_HEADERS,
	M_BODY,
	M_DONE,
};

enum hdr_for {
	H_TOP,
	H_CHILD,
	H_MSG,
};

struct mime_parser {
	struct mime_sink sink;
	struct mime_limits lim;
	enum mode mode;
	enum hdr_for hdr_for;
	struct frame *fr;
	size_t nfr, afr;
	size_t nbound;		/* frames with an active boundary */
	struct buf win;		/* undecided tail between chunks */
	struct buf hdr;		/* header block being read */
	struct mime_headers h;	/* its fields */
	int hdr_trunc;		/* header block limit hit */
	int midline;		/* in the middle of a long header line */
	size_t hscan;		/* bytes of the partial header line known
				 * to hold no line break */
	int bol;		/* body: at a line start with no held break */
	struct buf out;		/* decoded bytes for the sink */
	size_t defects, bytes, nparts, top_fields;
	/* Input offsets: base (a pointer into the buffer being scanned)
	 * is at offset base_off; win_off is the offset of win.data[0]. */
	const char *base;
	unsigned long long base_off, win_off;
	unsigned long long mark;	/* where the next body starts */
	unsigned long long end_mark;	/* where ending entities end */
	char secbuf[64];
};

static const char *const empty_raw = "";

#define OFF(p, x) ((p)->base_off + (unsigned long long)((x) - (p)->base))

/* ---- header blocks ---- */

void
mime_headers_parse(struct mime_headers *h, const char *raw, size_t len)
{
	const char *s = raw, *e = raw + len;
	struct mime_field *cur = NULL;

	h->raw = raw;
	h->raw_len = len;
	h->n = 0;
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *le = nl ? nl : e;	/* end of line content */
		const char *next = nl ? nl + 1 : e;
		const char *c;

		if (le > s && le[-1] == '\r')
			le--;
		if (le == s) {	/* blank line: end of block */
			break;
		}
		if (*s == ' ' || *s == '\t') {
			if (cur)
				cur->value_len = (size_t)(le - cur->value);
			s = next;
			continue;
		}
		c = memchr(s, ':', (size_t)(le - s));
		if (!c) {
			cur = NULL;
			s = next;
			continue;
		}
		if (h->n == h->alloc) {
			h->alloc = h->alloc ? h->alloc * 2 : 16;
			h->v = xrealloc(h->v, h->alloc * sizeof(*h->v));
		}
		cur = &h->v[h->n++];
		cur->name = s;
		cur->name_len = (size_t)(c - s);
		while (cur->name_len && (s[cur->name_len - 1] == ' ' ||
			s[cur->name_len - 1] == '\t'))
			cur->name_len--;
		cur->value = c + 1;
		cur->value_len = (size_t)(le - (c + 1));
		s = next;
	}
}

void
mime_headers_release(struct mime_headers *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->alloc = 0;
}

const struct mime_field *
mime_headers_next(const struct mime_headers *h, const char *name,
	size_t *idx)
{
	size_t nlen = strlen(name);

	for (; *idx < h->n; (*idx)++) {
		const struct mime_field *f = &h->v[*idx];

		if (f->name_len == nlen && !mem_casecmp(f->name, name, nlen)) {
			(*idx)++;
			return f;
		}
	}
	return NULL;
}

const struct mime_field *
mime_headers_get(const struct mime_headers *h, const char *name)
{
	size_t i = 0;

	return mime_headers_next(h, name, &i);
}

int
mime_unfold(const char *v, size_t len, struct buf *out)
{
	size_t start = out->len, i;

	while (len && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')) {
		v++;
		len--;
	}
	for (i = 0; i < len; ) {
		const char *cr = v + i;
		size_t run = 0;

		while (i + run < len && cr[run] != '\r' && cr[run] != '\n')
			run++;
		if (run && buf_add(out, cr, run) < 0)
			return -1;
		i += run;
		while (i < len && (v[i] == '\r' || v[i] == '\n'))
			i++;
	}
	while (out->len > start && (out->data[out->len - 1] == ' ' ||
		out->data[out->len - 1] == '\t'))
		out->len--;
	if (out->data)
		out->data[out->len] = '\0';
	return 0;
}

int
mime_header_text(const char *value, size_t len, struct buf *out)
{
	struct buf tmp = BUF_INIT;
	int r;

	if (mime_unfold(value, len, &tmp) < 0) {
		buf_release(&tmp);
		return -1;
	}
	r = rfc2047_decode(tmp.data ? tmp.data : "", tmp.len, out);
	buf_release(&tmp);
	return r;
}

/* ---- events ---- */

static void
defect(struct mime_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
defect(struct mime_parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	const char *sec = "";
	size_t i;

	p->defects++;
	if (!p->sink.defect)
		return;
	for (i = p->nfr; i > 0; i--)
		if (p->fr[i - 1].part.section) {
			sec = p->fr[i - 1].part.section;
			break;
		}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->sink.defect(p->sink.ctx, sec, msg);
}

static char *
make_section(const struct frame *f, int multipart)
{
	struct buf b = BUF_INIT;
	const char *ps = f->psec ? f->psec : "";
	size_t pl = strlen(ps);

	switch (f->role) {
	case R_TOP:
		buf_addstr(&b, multipart ? "TEXT" : "1");
		break;
	case R_MSGBODY:
		buf_addf(&b, "%s.%s", ps, multipart ? "TEXT" : "1");
		break;
	case R_CHILD:
		if (!strcmp(ps, "TEXT"))
			buf_addf(&b, "%lu", f->n);
		else if (pl > 5 && !strcmp(ps + pl - 5, ".TEXT"))
			buf_addf(&b, "%.*s.%lu", (int)(pl - 5), ps, f->n);
		else
			buf_addf(&b, "%s.%lu", ps, f->n);
		break;
	}
	return buf_detach(&b, NULL);
}

static void
emit_begin(struct mime_parser *p, struct frame *f,
	const struct mime_headers *h, const struct mime_headers *mh)
{
	f->part.headers = h;
	f->part.msg_headers = mh;
	f->part.depth = (int)(f - p->fr);
	f->begun = 1;
	p->nparts++;
	if (p->sink.begin)
		p->sink.begin(p->sink.ctx, &f->part);
	f->part.headers = NULL;
	f->part.msg_headers = NULL;
}

static void
emit_data(struct mime_parser *p, struct frame *f, const char *d, size_t n)
{
	if (n && p->sink.data)
		p->sink.data(p->sink.ctx, &f->part, d, n);
}

/* Decode n body bytes of leaf f and pass them on. */
static void
leaf_feed(struct mime_parser *p, struct frame *f, const char *d, size_t n)
{
	if (!n)
		return;
	switch (f->enc) {
	case ENC_NONE:
		emit_data(p, f, d, n);
		return;
	case ENC_B64:
		buf_reset(&p->out);
		if (buf_grow(&p->out, B64_DEC_MAX(n)) < 0)
			return;
		p->out.len = b64_dec_mem(&f->b64, d, n, p->out.data);
		break;
	case ENC_QP:
		buf_reset(&p->out);
		qp_dec_buf(&f->qp, d, n, &p->out);
		break;
	}
	emit_data(p, f, p->out.data, p->out.len);
}

static void
leaf_finish(struct mime_parser *p, struct frame *f)
{
	buf_reset(&p->out);
	if (f->enc == ENC_B64) {
		if (buf_grow(&p->out, 4) == 0)
			p->out.len = b64_dec_finish_mem(&f->b64, p->out.data);
	} else if (f->enc == ENC_QP) {
		qp_dec_finish_buf(&f->qp, &p->out);
	}
	emit_data(p, f, p->out.data, p->out.len);
}

static void
leaf_start(struct mime_parser *p, struct frame *f,
	const struct mime_headers *h)
{
	f->kind = F_LEAF;
	f->part.kind = MIME_LEAF;
	free((char *)f->part.boundary);
	f->part.boundary = NULL;
	f->enc = ENC_NONE;
	if (f->part.encoding) {
		if (!strcmp(f->part.encoding, "base64")) {
			f->enc = ENC_B64;
			b64_dec_init(&f->b64);
		} else if (!strcmp(f->part.encoding, "quoted-printable")) {
			f->enc = ENC_QP;
			qp_dec_init(&f->qp);
		}
	}
	if (!f->part.section)
		f->part.section = make_section(f, 0);
	emit_begin(p, f, h, NULL);
}

static void
frame_free(struct frame *f)
{
	free((char *)f->part.section);
	free((char *)f->part.type);
	free((char *)f->part.charset);
	free((char *)f->part.encoding);
	free((char *)f->part.disposition);
	free((char *)f->part.filename);
	free((char *)f->part.boundary);
	free(f->psec);
	buf_release(&f->pre);
	buf_release(&f->saved);
	memset(f, 0, sizeof(*f));
}

/* A multipart that never saw a delimiter becomes a leaf holding its
 * body so far; p->h still holds its header fields. */
static void
mp_to_leaf(struct mime_parser *p, struct frame *f)
{
	p->nbound--;
	leaf_start(p, f, &p->h);
	leaf_feed(p, f, f->pre.data, f->pre.len);
	buf_release(&f->pre);
}

/* End and pop the innermost frame. */
static void
pop(struct mime_parser *p)
{
	struct frame *f = &p->fr[p->nfr - 1];
	struct mime_headers none = { empty_raw, 0, NULL, 0, 0 };

	switch (f->kind) {
	case F_LEAF:
		leaf_finish(p, f);
		break;
	case F_MULTIPART:
		if (f->state == MP_PRE) {
			/* No delimiter at all: a leaf with the body. The
			 * entity's header fields are gone by now. */
			defect(p, "multipart body without a delimiter line");
			mp_to_leaf(p, f);
			leaf_finish(p, f);
		} else if (f->state == MP_CHILD) {
			defect(p, "missing close delimiter for boundary \"%s\"",
				f->part.boundary);
			p->nbound--;
		}
		break;
	case F_MESSAGE:
		if (!f->begun) {
			struct mime_headers sh = { empty_raw, 0, NULL, 0, 0 };

			mime_headers_parse(&sh, f->saved.data ? f->saved.data :
				empty_raw, f->saved.len);
			emit_begin(p, f, &sh, &none);
			mime_headers_release(&sh);
		}
		break;
	case F_SKIP:
		break;
	}
	f->part.end_offset = p->end_mark;
	if (f->begun && p->sink.end)
		p->sink.end(p->sink.ctx, &f->part);
	frame_free(f);
	p->nfr--;
}

static struct frame *
push(struct mime_parser *p)
{
	struct frame *f;

	if (p->nfr == p->afr) {
		p->afr = p->afr ? p->afr * 2 : 8;
		p->fr = xrealloc(p->fr, p->afr * sizeof(*p->fr));
	}
	f = &p->fr[p->nfr++];
	memset(f, 0, sizeof(*f));
	buf_init(&f->pre, p->lim.max_preamble);
	buf_init(&f->saved, 0);
	return f;
}

static char *
lower_dup(const char *s)
{
	char *d, *q;

	if (!s)
		return NULL;
	d = xstrdup(s);
	for (q = d; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return d;
}

static int
type_usable(const char *t)
{
	const char *sl = strchr(t, '/');

	return sl && sl != t && sl[1] && !strchr(sl + 1, '/');
}

/* Fill f->part from the entity's fields. */
/* The file name whole, NULs included (a name "x.txt\0.jpg" is no
 * "x.txt"). */
static void
set_filename(struct mime_part *part, const struct rfc2231_param *fn)
{
	free((char *)part->filename);
	part->filename = fn ? xmemdup(fn->value, fn->value_len) : NULL;
	part->filename_len = fn ? fn->value_len : 0;
}

static void
describe(struct frame *f, const struct mime_headers *h, const char *deftype)
{
	const struct mime_field *ct = mime_headers_get(h, "content-type");
	const struct mime_field *cte =
		mime_headers_get(h, "content-transfer-encoding");
	const struct mime_field *cd =
		mime_headers_get(h, "content-disposition");
	struct rfc2231 r;
	const struct rfc2231_param *fn = NULL;

	memset(&r, 0, sizeof r);
	if (ct) {
		rfc2231_parse(ct->value, ct->value_len, &r);
		if (r.value && type_usable(r.value))
			f->part.type = lower_dup(r.value);
		else
			f->part.type = xstrdup("text/plain");
		f->part.charset = lower_dup(rfc2231_get(&r, "charset"));
		if (!strncmp(f->part.type, "multipart/", 10))
			f->part.boundary = xstrdup(rfc2231_get(&r, "boundary") ?
				rfc2231_get(&r, "boundary") : "");
		fn = rfc2231_find(&r, "name");
		set_filename(&f->part, fn);
		rfc2231_release(&r);
	} else {
		f->part.type = xstrdup(deftype);
	}
	if (cte) {
		memset(&r, 0, sizeof r);
		rfc2231_parse(cte->value, cte->value_len, &r);
		if (r.value && *r.value)
			f->part.encoding = lower_dup(r.value);
		rfc2231_release(&r);
	}
	if (cd) {
		memset(&r, 0, sizeof r);
		rfc2231_parse(cd->value, cd->value_len, &r);
		if (r.value && *r.value)
			f->part.disposition = lower_dup(r.value);
		fn = rfc2231_find(&r, "filename");
		if (fn)
			set_filename(&f->part, fn);
		rfc2231_release(&r);
	}
}

/*
 * A header block is complete (h parsed from p->hdr): start the entity it
 * describes, or the body of the message whose block it was.
 */
static void
start_entity(struct mime_parser *p, enum role role, const char *psec,
	unsigned long n, const char *deftype)
{
	struct frame *f;
	const char *t;

	if (p->nparts >= p->lim.max_parts) {
		if (p->nparts == p->lim.max_parts) {
			defect(p, "more than %zu parts: the rest is skipped",
				p->lim.max_parts);
			p->nparts++;	/* say it once */
		}
		f = push(p);
		f->kind = F_SKIP;
		p->mode = M_BODY;
		p->bol = 1;
		return;
	}
	f = push(p);
	f->part.offset = p->mark;
	f->role = role;
	f->n = n;
	f->psec = xstrdup(psec ? psec : "");
	describe(f, &p->h, deftype);
	t = f->part.type;
	p->mode = M_BODY;
	p->bol = 1;
	if (!strncmp(t, "multipart/", 10)) {
		if (!*f->part.boundary) {
			defect(p, "multipart without a boundary: read as a leaf");
		} else if (strlen(f->part.boundary) > MIME_BOUNDARY_MAX) {
			defect(p, "boundary longer than %d bytes: read as a leaf",
				MIME_BOUNDARY_MAX);
		} else if (p->nfr > p->lim.max_depth) {
			defect(p, "nesting deeper than %zu: read as a leaf",
				p->lim.max_depth);
		} else {
			f->kind = F_MULTIPART;
			f->part.kind = MIME_MULTIPART;
			f->state = MP_PRE;
			f->blen = strlen(f->part.boundary);
			f->digest = !strcmp(t, "multipart/digest");
			p->nbound++;
			return;
		}
	} else if ((!strcmp(t, "message/rfc822") ||
		!strcmp(t, "message/global")) && (!f->part.encoding ||
		(strcmp(f->part.encoding, "base64") &&
		strcmp(f->part.encoding, "quoted-printable")))) {
		if (p->nfr > p->lim.max_depth) {
			defect(p, "nesting deeper than %zu: read as a leaf",
				p->lim.max_depth);
		} else {
			f->kind = F_MESSAGE;
			f->part.kind = MIME_MESSAGE;
			f->part.section = make_section(f, 0);
			/* Keep this block; read the encapsulated one. */
			f->saved = p->hdr;
			buf_init(&p->hdr, p->lim.max_header);
			mime_headers_release(&p->h);
			p->mode = M_HEADERS;
			p->hdr_for = H_MSG;
			p->hdr_trunc = 0;
			p->midline = 0;
			return;
		}
	}
	leaf_start(p, f, &p->h);
}

/* The header block in p->hdr is complete. */
static void
headers_done(struct mime_parser *p)
{
	struct frame *parent;

	mime_headers_parse(&p->h, p->hdr.data ? p->hdr.data : empty_raw,
		p->hdr.len);
	p->midline = 0;
	switch (p->hdr_for) {
	case H_TOP:
		p->top_fields = p->h.n;
		if (p->sink.message)
			p->sink.message(p->sink.ctx, &p->h);
		start_entity(p, R_TOP, "", 0, "text/plain");
		break;
	case H_CHILD:
		parent = &p->fr[p->nfr - 1];
		start_entity(p, R_CHILD, parent->part.section, parent->nchild,
			parent->digest ? "message/rfc822" : "text/plain");
		break;
	case H_MSG: {
		struct frame *m = &p->fr[p->nfr - 1];
		struct mime_headers sh = { empty_raw, 0, NULL, 0, 0 };

		mime_headers_parse(&sh, m->saved.data ? m->saved.data :
			empty_raw, m->saved.len);
		emit_begin(p, m, &sh, &p->h);
		mime_headers_release(&sh);
		buf_release(&m->saved);
		start_entity(p, R_MSGBODY, m->part.section, 0, "text/plain");
		break;
	}
	}
}

static void
headers_begin(struct mime_parser *p, enum hdr_for hf)
{
	buf_reset(&p->hdr);
	mime_headers_release(&p->h);
	p->mode = M_HEADERS;
	p->hdr_for = hf;
	p->hdr_trunc = 0;
	p->midline = 0;
}

/* ---- delimiters ---- */

enum { D_NO = -1, D_NEED = -2 };

/*
 * Is the line at s (e - s bytes available) a delimiter of an open
 * multipart? Returns the frame index, D_NO, or D_NEED (more input needed
 * to tell). On a match *close says whether it is a close delimiter and
 * *lend points past the line.
 */
static long
check_delim(struct mime_parser *p, const char *s, const char *e, int final,
	int *close, const char **lend)
{
	size_t avail = (size_t)(e - s), i;
	int need = 0;

	if (avail < 2) {
		if (final || (avail == 1 && s[0] != '-'))
			return D_NO;
		return D_NEED;
	}
	if (s[0] != '-' || s[1] != '-')
		return D_NO;
	for (i = p->nfr; i > 0; i--) {
		struct frame *f = &p->fr[i - 1];
		const char *t;
		size_t ws = 0;

		if (f->kind != F_MULTIPART || f->state == MP_EPI)
			continue;
		if (avail < 2 + f->blen) {
			size_t k = avail - 2;

			if (!final && !memchr(s, '\n', avail) &&
				!memcmp(s + 2, f->part.boundary, k))
				need = 1;
			continue;
		}
		if (memcmp(s + 2, f->part.boundary, f->blen))
			continue;
		t = s + 2 + f->blen;
		*close = 0;
		if (t < e && *t == '-') {
			if (t + 1 >= e) {
				if (!final) {
					need = 1;
					continue;
				}
			} else if (t[1] == '-') {
				*close = 1;
				t += 2;
			}
		}

		while (t < e && (*t == ' ' || *t == '\t' || *t == '\r') &&
			ws < DELIM_WS_MAX) {
			t++;
			ws++;
		}
		if (t == e) {
			if (final) {
				*lend = t;
				return (long)(i - 1);
			}
			need = 1;
			continue;
		}
		if (*t == '\n') {
			*lend = t + 1;
			return (long)(i - 1);
		}
	}
	return need ? D_NEED : D_NO;
}

/* A delimiter of frame idx was read. */
static void
on_delim(struct mime_parser *p, size_t idx, int close)
{
	struct frame *m;

	while (p->nfr > idx + 1)
		pop(p);
	m = &p->fr[idx];
	if (m->state == MP_PRE) {
		free((char *)m->part.section);
		m->part.section = make_section(m, 1);
		buf_release(&m->pre);
		emit_begin(p, m, &p->h, NULL);
	}
	if (close) {
		/* The epilogue follows; the multipart ends (and its end is
		 * reported) with its parent. */
		m->state = MP_EPI;
		p->nbound--;
		p->mode = M_BODY;
		p->bol = 1;
		return;
	}
	m->state = MP_CHILD;
	m->nchild++;
	headers_begin(p, H_CHILD);
}

/* ---- content routing ---- */

static void
content(struct mime_parser *p, const char *d, size_t n)
{
	struct frame *f;

	if (!n || !p->nfr)
		return;
	f = &p->fr[p->nfr - 1];
	switch (f->kind) {
	case F_LEAF:
		if (!f->drop)
			leaf_feed(p, f, d, n);
		break;
	case F_MULTIPART:
		if (f->state != MP_PRE)
			break;
		if (buf_add(&f->pre, d, n) < 0) {
			defect(p, "no delimiter in the first %zu bytes of a "
				"multipart body: read as a leaf",
				p->lim.max_preamble);
			mp_to_leaf(p, f);
			leaf_feed(p, f, d, n);
		}
		break;
	default:
		break;
	}
}

/* ---- the scanners: each returns 1 to go on, 0 for more input ---- */

static int
step_body(struct mime_parser *p, const char **qp, const char *e, int final)
{
	const char *q = *qp, *run, *scan;

	if (!p->nbound) {
		content(p, q, (size_t)(e - q));
		*qp = e;
		p->bol = 0;
		return 0;
	}
	if (p->bol) {
		int close;
		const char *lend;
		long r;

		if (q == e)
			return 0;
		r = check_delim(p, q, e, final, &close, &lend);
		if (r == D_NEED)
			return 0;
		if (r >= 0 && close && p->fr[r].state == MP_PRE) {
			defect(p, "close delimiter before any part: read as "
				"a leaf");
			mp_to_leaf(p, &p->fr[r]);
			p->fr[r].drop = 1;
			*qp = lend;
			return 1;
		}
		if (r >= 0) {
			p->end_mark = OFF(p, q);
			*qp = lend;
			on_delim(p, (size_t)r, close);
			return 1;
		}
		p->bol = 0;
		/* not a delimiter: scan from here, first line included */
		scan = q;
		run = q;
		goto scanning;
	}
	run = q;
	scan = q;
scanning:
	for (;;) {
		const char *nl = memchr(scan, '\n', (size_t)(e - scan));
		const char *ls, *eol, *lend;
		int close;
		long r;

		if (!nl) {
			const char *end = e;

			if (!final && end > run && end[-1] == '\r')
				end--;
			content(p, run, (size_t)(end - run));
			*qp = end;
			return 0;
		}
		ls = nl + 1;
		if (e - ls >= 2) {
			if (ls[0] != '-' || ls[1] != '-') {
				scan = ls;
				continue;
			}
		} else if (e - ls == 1 && ls[0] != '-') {
			scan = ls;
			continue;
		}
		eol = (nl > run && nl[-1] == '\r') ? nl - 1 : nl;
		/* Content first: it may turn a multipart into a leaf
		 * (preamble limit), which changes what is a delimiter. */
		content(p, run, (size_t)(eol - run));
		run = eol;
		r = check_delim(p, ls, e, final, &close, &lend);
		if (r == D_NO) {
			scan = ls;
			continue;
		}
		if (r == D_NEED) {
			*qp = eol;
			return 0;
		}
		if (close && p->fr[r].state == MP_PRE) {
			/* No part at all: the preamble is the body, the
			 * rest is epilogue. */
			defect(p, "close delimiter before any part: read as "
				"a leaf");
			mp_to_leaf(p, &p->fr[r]);
			p->fr[r].drop = 1;
			*qp = lend;
			p->bol = 1;
			return 1;
		}
		p->end_mark = OFF(p, eol);
		*qp = lend;
		on_delim(p, (size_t)r, close);
		return 1;
	}
}

enum mime_hline
mime_header_line(const char *line, size_t len)
{
	size_t i;

	if (!len)
		return MIME_HLINE_BLANK;
	if (line[0] == ' ' || line[0] == '\t')
		return MIME_HLINE_FOLD;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == ':')
			return MIME_HLINE_FIELD;
		if (c < 33 || c > 126)
			break;
	}
	return MIME_HLINE_BODY;
}

static void
hdr_append(struct mime_parser *p, const char *s, size_t n)
{
	if (p->hdr_trunc)
		return;
	if (buf_add(&p->hdr, s, n) < 0) {
		p->hdr_trunc = 1;
		defect(p, "header block longer than %zu bytes: rest dropped",
			p->lim.max_header);
	}
}

static int
step_headers(struct mime_parser *p, const char **qp, const char *e,
	int final)
{
	const char *q = *qp;

	for (;;) {
		const char *nl, *le, *next;

		if (q == e) {
			*qp = q;
			if (final) {
				p->mark = OFF(p, q);
				headers_done(p);
				return 1;
			}
			return 0;
		}
		{
			size_t skip = p->hscan <= (size_t)(e - q) ? p->hscan : 0;

			nl = memchr(q + skip, '\n', (size_t)(e - q) - skip);
			p->hscan = 0;
		}
		if (p->midline) {
			next = nl ? nl + 1 : e;
			hdr_append(p, q, (size_t)(next - q));
			q = next;
			if (nl)
				p->midline = 0;
			continue;
		}
		if (!nl && !final && (size_t)(e - q) < HDR_CHUNK) {
			p->hscan = (size_t)(e - q);
			*qp = q;
			return 0;
		}
		if (p->nbound && *q == '-') {
			int close;
			const char *lend;
			long r = check_delim(p, q, e, final, &close, &lend);

			if (r == D_NEED && !final && (size_t)(e - q) < HDR_CHUNK) {
				*qp = q;
				return 0;
			}
			if (r >= 0) {
				defect(p, "header block cut by a delimiter");
				p->mark = p->end_mark = OFF(p, q);
				headers_done(p);
				*qp = lend;
				on_delim(p, (size_t)r, close);
				return 1;
			}
		}
		le = nl ? nl : e;
		next = nl ? nl + 1 : e;
		if (nl && le > q && le[-1] == '\r')
			le--;
		if (le == q && nl) {		/* blank line */
			hdr_append(p, q, (size_t)(next - q));
			*qp = next;
			p->mark = OFF(p, next);
			headers_done(p);
			return 1;
		}
		if (le == q && !nl && *q == '\r' && final) {
			*qp = e;
			p->mark = OFF(p, e);
			headers_done(p);
			return 1;
		}
		if (mime_header_line(q, (size_t)(le - q)) ==
			MIME_HLINE_BODY) {
			defect(p, "no blank line after the header block");
			*qp = q;
			p->mark = OFF(p, q);
			headers_done(p);
			return 1;
		}
		hdr_append(p, q, (size_t)(next - q));
		if (!nl && !final)
			p->midline = 1;
		q = next;
	}
}

static int
step_start(struct mime_parser *p, const char **qp, const char *e, int final)
{
	const char *q = *qp;

	if ((size_t)(e - q) < 5 && !final && !memchr(q, '\n', (size_t)(e - q)))
		return 0;
	if ((size_t)(e - q) >= 5 && !memcmp(q, "From ", 5))
		p->mode = M_FROMLINE;
	else
		headers_begin(p, H_TOP);
	return 1;
}

static int
step_fromline(struct mime_parser *p, const char **qp, const char *e,
	int final)
{
	const char *nl = memchr(*qp, '\n', (size_t)(e - *qp));

	if (!nl) {
		*qp = e;
		if (final)
			headers_begin(p, H_TOP);
		return final;
	}
	*qp = nl + 1;
	headers_begin(p, H_TOP);
	return 1;
}

/* Run the scanners over [*qp, e) (at input offset off); on return *qp is
 * what is left. */
static void
run(struct mime_parser *p, const char **qp, const char *e, int final,
	unsigned long long off)
{
	int more = 1;

	p->base = *qp;
	p->base_off = off;
	while (more) {
		switch (p->mode) {
		case M_START:
			more = step_start(p, qp, e, final);
			break;
		case M_FROMLINE:
			more = step_fromline(p, qp, e, final);
			break;
		case M_HEADERS:
			more = step_headers(p, qp, e, final);
			break;
		case M_BODY:
			more = step_body(p, qp, e, final);
			if (final && *qp == e && p->mode == M_BODY)
				more = 0;
			break;
		case M_DONE:
			more = 0;
			break;
		}
	}
}

/* ---- public ---- */

struct mime_parser *
mime_parser_new(const struct mime_sink *sink, const struct mime_limits *lim)
{
	struct mime_parser *p = xcalloc(1, sizeof(*p));

	if (sink)
		p->sink = *sink;
	p->lim.max_depth = lim && lim->max_depth ? lim->max_depth :
		MIME_DEFAULT_DEPTH;
	p->lim.max_parts = lim && lim->max_parts ? lim->max_parts :
		MIME_DEFAULT_PARTS;
	p->lim.max_header = lim && lim->max_header ? lim->max_header :
		MIME_DEFAULT_HEADER;
	p->lim.max_preamble = lim && lim->max_preamble ? lim->max_preamble :
		MIME_DEFAULT_PREAMBLE;
	buf_init(&p->win, 0);
	buf_init(&p->hdr, p->lim.max_header);
	buf_init(&p->out, 0);
	p->mode = M_START;
	return p;
}

void
mime_parser_feed(struct mime_parser *p, const void *data, size_t len)
{
	const char *d = data;

	if (p->mode == M_DONE || !len)
		return;
	while (len) {
		const char *q, *e;
		size_t take;

		if (!p->win.len) {
			/* In place; keep only the undecided tail. */
			q = d;
			e = d + len;
			run(p, &q, e, 0, p->bytes);
			p->win_off = p->bytes + (unsigned long long)(q - d);
			p->bytes += len;
			buf_add(&p->win, q, (size_t)(e - q));
			return;
		}
		/* Join the tail with a slice of the chunk. */
		take = len < HDR_CHUNK ? len : HDR_CHUNK;
		buf_add(&p->win, d, take);
		p->bytes += take;
		d += take;
		len -= take;
		q = p->win.data;
		e = q + p->win.len;
		run(p, &q, e, 0, p->win_off);
		p->win_off += (unsigned long long)(q - p->win.data);
		buf_consume(&p->win, (size_t)(q - p->win.data));
	}
}

void
mime_parser_finish(struct mime_parser *p)
{
	const char *q, *e;

	if (p->mode == M_DONE)
		return;
	q = p->win.data ? p->win.data : empty_raw;
	e = q + p->win.len;
	run(p, &q, e, 1, p->win_off);
	p->mark = p->end_mark = p->bytes;
	if (p->mode == M_HEADERS)
		headers_done(p);
	buf_reset(&p->win);
	while (p->nfr)
		pop(p);
	p->mode = M_DONE;
}

size_t
mime_parser_defects(const struct mime_parser *p)
{
	return p->defects;
}

size_t
mime_parser_bytes(const struct mime_parser *p)
{
	return p->bytes;
}

size_t
mime_parser_top_fields(const struct mime_parser *p)
{
	return p->top_fields;
}

void
mime_parser_free(struct mime_parser *p)
{
	if (!p)
		return;
	while (p->nfr) {
		frame_free(&p->fr[p->nfr - 1]);
		p->nfr--;
	}
	free(p->fr);
	buf_release(&p->win);
	buf_release(&p->hdr);
	buf_release(&p->out);
	mime_headers_release(&p->h);
	free(p);
}
