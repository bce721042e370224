/*
 * build.c: the MIME builder (see build.h).
 *
 * RFC 5322, RFC 2045-2047, RFC 2183, RFC 2231, RFC 2387, RFC 2392.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "codec/addr.h"
#include "codec/base64.h"
#include "codec/qp.h"
#include "codec/rfc2047.h"
#include "codec/rfc2231.h"
#include "mime/build.h"
#include "mime/mimetypes.h"
#include "mime/msgprep.h"

/* Files are read, encoded and written in slices of this size. */
#define SLICE (64 * 1024)
/* The longest line a 7bit body may have (RFC 5322 2.1.1). */
#define MAX_7BIT_LINE 998
#define BOUNDARY_STEM "=_mkit_"

enum leaf_kind { L_TEXT, L_HTML, L_INLINE, L_ATTACH };
enum leaf_enc { E_7BIT, E_QP, E_B64 };

struct mbuild_leaf {
	enum leaf_kind kind;
	int fd;
	int own;		/* close fd at release */
	off_t start;		/* bodies: where the content starts in fd */
	off_t size;		/* bytes of content */
	enum leaf_enc enc;
	char *type;		/* media type, lowercase */
	int charset;		/* "; charset=utf-8" */
	char *name;		/* file name shown (files) */
	char *cid;		/* Content-ID (inline) */
};

/* Fields the builder writes itself: a --header may not name them. */
static const char *const own_fields[] = {
	"From", "To", "Cc", "Bcc", "Reply-To", "Subject", "MIME-Version",
	"Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
	"Content-ID",
};

int
mbuild_check_value(const char *opt, const char *value, struct err *e)
{
	if (value && strpbrk(value, "\r\n"))
		return err_set(e, ERR_USAGE, "%s: the value holds a line "
			"break (CR or LF)", opt);
	return 0;
}

int
mbuild_tmpfile(struct err *e)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	path = xmalloc(strlen(dir) + sizeof "/mkit-XXXXXX");
	strcpy(path, dir);
	strcat(path, "/mkit-XXXXXX");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		err_sys(e, ERR_CANTCREAT, errno, "%s: temporary file", dir);
	else
		unlink(path);
	free(path);
	return fd;
}

static int
write_all(int fd, const void *p, size_t len, struct err *e)
{
	const char *s = p;

	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, ERR_IO, errno, "write");
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
mbuild_write_fd(void *arg, const void *p, size_t len, struct err *e)
{
	return write_all(*(int *)arg, p, len, e);
}

int
mbuild_write_lf(void *arg, const void *p, size_t len, struct err *e)
{
	struct mbuild_lf *lf = arg;
	const char *s = p, *end = s + len;
	char out[SLICE];
	size_t n = 0;

	while (s < end) {
		const char *cr;
		size_t run;

		if (lf->cr && *s != '\n')
			out[n++] = '\r';
		lf->cr = 0;
		cr = memchr(s, '\r', (size_t)(end - s));
		run = (size_t)((cr ? cr : end) - s);
		if (n + run >= sizeof out) {
			if (write_all(lf->fd, out, n, e) < 0)
				return -1;
			n = 0;
		}
		if (run > sizeof out - 1) {
			if (write_all(lf->fd, s, run, e) < 0)
				return -1;
		} else {
			memcpy(out + n, s, run);
			n += run;
		}
		lf->cr = cr != NULL;
		s = cr ? cr + 1 : end;
	}
	return write_all(lf->fd, out, n, e);
}

/* ---- reading the inputs ---- */

static int
read_at(struct mbuild_leaf *l, void *p, size_t len, off_t off, size_t *got,
	struct err *e)
{
	ssize_t n;

	do
		n = pread(l->fd, p, len, l->start + off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, ERR_IO, errno, "%s", l->name ? l->name :
			"body");
	*got = (size_t)n;
	return 0;
}

/* Make a body's fd seekable: copy what a pipe holds to a temporary
 * file. */
static int
body_open(struct mbuild_leaf *l, int fd, struct err *e)
{
	struct stat st;
	char *slice;
	int r = -1;

	l->fd = fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		l->start = lseek(fd, 0, SEEK_CUR);
		if (l->start < 0)
			l->start = 0;
		l->size = st.st_size > l->start ? st.st_size - l->start : 0;
		return 0;
	}
	l->fd = mbuild_tmpfile(e);
	if (l->fd < 0)
		return -1;
	l->own = 1;
	slice = xmalloc(SLICE);
	for (;;) {
		ssize_t n = read(fd, slice, SLICE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(e, ERR_IO, errno, "body");
			goto out;
		}
		if (n == 0)
			break;
		if (write_all(l->fd, slice, (size_t)n, e) < 0)
			goto out;
		l->size += n;
	}
	r = 0;
out:
	free(slice);
	return r;
}

/* 7bit or quoted-printable: one pass over the body. */
static int
body_classify(struct mbuild_leaf *l, struct err *e)
{
	static const char bstart[] = "--" BOUNDARY_STEM;
	unsigned char *slice = xmalloc(SLICE);
	size_t col = 0, n, i;
	off_t off = 0;
	int prev = '\n', match = 0, qp = 0, r = -1;

	while (!qp && off < l->size) {
		size_t want = l->size - off < SLICE ? (size_t)(l->size - off) :
			SLICE;

		if (read_at(l, slice, want, off, &n, e) < 0)
			goto out;
		if (!n)
			break;
		for (i = 0; i < n && !qp; i++) {
			unsigned char c = slice[i];

			if (c >= 0x80 || c == 0 || (prev == '\r' && c != '\n'))
				qp = 1;
			if (c == '\n') {
				col = 0;
				match = 0;
			} else if (c != '\r') {
				if (match >= 0 && c == (unsigned char)
					bstart[match]) {
					if (++match == sizeof bstart - 1)
						qp = 1;
				} else {
					match = -1;
				}
				if (++col > MAX_7BIT_LINE)
					qp = 1;
			}
			prev = c;
		}
		off += (off_t)n;
	}
	if (prev == '\r')
		qp = 1;
	l->enc = qp ? E_QP : E_7BIT;
	r = 0;
out:
	free(slice);
	return r;
}

/* ---- checking the options ---- */

/* RFC 2045 token characters. */
static int
is_tchar(int c)
{
	return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* "type/subtype", lowercased into a new string, or NULL. */
static char *
media_type(const char *t)
{
	const char *slash = strchr(t, '/'), *p;
	char *r, *q;

	if (!slash || slash == t || !slash[1])
		return NULL;
	for (p = t; *p; p++)
		if (p != slash && !is_tchar((unsigned char)*p))
			return NULL;
	r = xstrdup(t);
	for (q = r; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return r;
}

/* The file name shown: the last component, never a path (DESIGN.md 9). */
static char *
base_name(const char *path)
{
	const char *p = path, *s;

	for (s = path; *s; s++)
		if (*s == '/' || *s == '\\')
			p = s + 1;
	return xstrdup(*p ? p : "attachment");
}

/* A Content-ID (RFC 2392, msg-id without <>): printable ASCII, no blank,
 * no angle bracket or quote. */
static int
valid_cid(const char *c)
{
	if (!*c)
		return 0;
	for (; *c; c++)
		if (*c <= 32 || *c >= 127 || strchr("<>\"\\()[],;:", *c))
			return 0;
	return 1;
}

static int
file_open(struct mbuild *b, struct mbuild_leaf *l, const struct mbuild_file *f,
	struct err *e)
{
	unsigned char head[4096];
	struct stat st;
	size_t n = 0;

	if (mbuild_check_value("file name", f->name, e) < 0 ||
		mbuild_check_value("media type", f->type, e) < 0 ||
		mbuild_check_value("Content-ID", f->cid, e) < 0)
		return -1;
	l->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (l->fd < 0)
		return err_sys(e, ERR_NOINPUT, errno, "%s", f->path);
	l->own = 1;
	if (fstat(l->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return err_set(e, ERR_NOINPUT, "%s: not a regular file",
			f->path);
	l->size = st.st_size;
	l->name = base_name(f->name ? f->name : f->path);
	if (read_at(l, head, sizeof head, 0, &n, e) < 0)
		return -1;
	if (f->type) {
		l->type = media_type(f->type);
		if (!l->type)
			return err_set(e, ERR_USAGE, "%s: invalid media type "
				"\"%s\" (type/subtype)", f->path, f->type);
	} else {
		l->type = mimetypes_by_name(b->o->mime_types, l->name);
		if (!l->type)
			l->type = xstrdup(mimetypes_sniff(head, n));
	}
	/* A message/ or multipart/ body may not be base64 (RFC 2046 5). */
	if (strncmp(l->type, "message/", 8) == 0 ||
		strncmp(l->type, "multipart/", 10) == 0) {
		free(l->type);
		l->type = xstrdup("application/octet-stream");
	}
	if (strncmp(l->type, "text/", 5) == 0) {
		l->enc = E_QP;
		l->charset = strcmp(mimetypes_sniff(head, n), "text/plain") ==
			0;
	} else {
		l->enc = E_B64;
	}
	if (l->kind == L_INLINE) {
		l->cid = xstrdup(f->cid ? f->cid : l->name);
		if (!valid_cid(l->cid))
			return err_set(e, ERR_USAGE, "%s: Content-ID \"%s\" "
				"must be printable ASCII without blanks, "
				"quotes or brackets (give ;cid=ID)", f->path,
				l->cid);
	}
	return 0;
}

int
mbuild_file_parse(struct mbuild_file *f, const char *opt, char *arg, int inl,
	struct err *e)
{
	static const char *const keys[] = { ";type=", ";name=", ";cid=" };
	char *p = NULL, *q;
	size_t k;

	memset(f, 0, sizeof *f);
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		q = strstr(arg, keys[k]);
		if (q && (!p || q < p))
			p = q;
	}
	f->path = arg;
	if (p)
		*p++ = '\0';
	while (p) {
		q = strchr(p, ';');
		if (q)
			*q = '\0';
		if (strncmp(p, "type=", 5) == 0)
			f->type = p + 5;
		else if (strncmp(p, "name=", 5) == 0)
			f->name = p + 5;
		else if (inl && strncmp(p, "cid=", 4) == 0)
			f->cid = p + 4;
		else
			return err_set(e, ERR_USAGE, "%s: unknown parameter "
				"\"%s\" (type=, name=%s)", opt, p, inl ?
				", cid=" : "");
		p = q ? q + 1 : NULL;
	}
	if (!*f->path)
		return err_set(e, ERR_USAGE, "%s: no file", opt);
	return 0;
}

static int
check_addrs(const char *field, const char *const *v, size_t n,
	struct err *e)
{
	struct addr_list l = ADDR_LIST_INIT;
	size_t i, k;
	int r = 0;

	for (i = 0; i < n && !r; i++) {
		size_t first = l.n, specs = 0;

		if (mbuild_check_value(field, v[i], e) < 0) {
			r = -1;
			break;
		}
		addr_parse(v[i], strlen(v[i]), 0, &l);
		for (k = first; k < l.n; k++)
			specs += l.v[k].spec && *l.v[k].spec;
		if (!specs)
			r = err_set(e, ERR_USAGE, "%s: no address in \"%s\"",
				field, v[i]);
	}
	addr_list_release(&l);
	return r;
}

/* The length of a --header's name, or 0 when it is not "Name: value". */
static size_t
header_name(const char *h)
{
	size_t n = 0;

	while (h[n] > 32 && h[n] < 127 && h[n] != ':')
		n++;
	return h[n] == ':' ? n : 0;
}

static int
check_headers(const struct mbuild_opts *o, struct err *e)
{
	size_t i, k, n;

	for (i = 0; i < o->nheaders; i++) {
		const char *h = o->headers[i];

		if (mbuild_check_value("header", h, e) < 0)
			return -1;
		n = header_name(h);
		if (!n)
			return err_set(e, ERR_USAGE, "header \"%s\": not "
				"\"Name: value\"", h);
		for (k = 0; k < ARRAY_SIZE(own_fields); k++)
			if (strlen(own_fields[k]) == n &&
				mem_casecmp(h, own_fields[k], n) == 0)
				return err_set(e, ERR_USAGE, "header \"%.*s\" "
					"is written by the composer (use its "
					"own option)", (int)n, h);
	}
	return 0;
}

/* Is there a --header called name? */
static int
has_header(const struct mbuild_opts *o, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < o->nheaders; i++)
		if (header_name(o->headers[i]) == n &&
			mem_casecmp(o->headers[i], name, n) == 0)
			return 1;
	return 0;
}

/* ---- the tree ---- */

struct node {
	const char *sub;	/* "mixed"...; NULL: a leaf */
	size_t leaf;
	size_t *kid;
	size_t nkid;
	unsigned level;		/* multiparts: 1, 2, 3 (boundary suffix) */
};

struct tree {
	struct node *n;
	size_t count;
};

static size_t
add_multi(struct tree *t, const char *sub, unsigned level)
{
	struct node *n = &t->n[t->count];

	n->sub = sub;
	n->kid = xcalloc(t->count + 1, sizeof(*n->kid));
	n->level = level;
	return t->count++;
}

static void
add_kid(struct tree *t, size_t parent, size_t kid)
{
	struct node *p = &t->n[parent];

	p->kid[p->nkid++] = kid;
}

/* The leaves are nodes 0..nleaf-1; then up to three multiparts. Returns
 * the top node. Leaf order: text, html, inline..., attachments... */
static size_t
tree_make(struct tree *t, size_t nleaf, int html, size_t ninl,
	size_t nattach)
{
	size_t i, body = 0, rel = 0, inl0 = html ? 2 : 1;
	unsigned level = 1;

	t->n = xcalloc(nleaf + 3, sizeof(*t->n));
	for (i = 0; i < nleaf; i++)
		t->n[i].leaf = i;
	t->count = nleaf;
	if (ninl) {
		rel = add_multi(t, "related", level++);
		add_kid(t, rel, html ? 1 : 0);
		for (i = 0; i < ninl; i++)
			add_kid(t, rel, inl0 + i);
	}
	if (html) {
		body = add_multi(t, "alternative", level++);
		add_kid(t, body, 0);
		add_kid(t, body, ninl ? rel : 1);
	} else if (ninl) {
		body = rel;
	}
	if (nattach) {
		size_t top = add_multi(t, "mixed", level++);

		add_kid(t, top, body);
		for (i = 0; i < nattach; i++)
			add_kid(t, top, inl0 + ninl + i);
		return top;
	}
	return body;
}

static void
tree_release(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		free(t->n[i].kid);
	free(t->n);
}

int
mbuild_init(struct mbuild *b, const struct mbuild_opts *o, struct err *e)
{
	unsigned char rnd[8];
	char hex[2 * sizeof rnd + 1];
	size_t i, k = 0;

	memset(b, 0, sizeof *b);
	b->o = o;
	b->nleaf = 1 + (o->html_fd >= 0) + o->ninl + o->nattach;
	b->leaf = xcalloc(b->nleaf, sizeof(*b->leaf));
	for (i = 0; i < b->nleaf; i++)
		b->leaf[i].fd = -1;
	if (mbuild_check_value("Subject", o->subject, e) < 0 ||
		check_addrs("From", &o->from, o->from != NULL, e) < 0 ||
		check_addrs("To", o->to, o->nto, e) < 0 ||
		check_addrs("Cc", o->cc, o->ncc, e) < 0 ||
		check_addrs("Bcc", o->bcc, o->nbcc, e) < 0 ||
		check_addrs("Reply-To", &o->reply_to, o->reply_to != NULL,
		e) < 0 || check_headers(o, e) < 0)
		return -1;
	b->leaf[k].kind = L_TEXT;
	if (o->body_fd >= 0 && (body_open(&b->leaf[k], o->body_fd, e) < 0 ||
		body_classify(&b->leaf[k], e) < 0))
		return -1;
	k++;
	if (o->html_fd >= 0) {
		b->leaf[k].kind = L_HTML;
		if (body_open(&b->leaf[k], o->html_fd, e) < 0 ||
			body_classify(&b->leaf[k], e) < 0)
			return -1;
		k++;
	}
	for (i = 0; i < o->ninl; i++, k++) {
		b->leaf[k].kind = L_INLINE;
		if (file_open(b, &b->leaf[k], &o->inl[i], e) < 0)
			return -1;
	}
	for (i = 0; i < o->nattach; i++, k++) {
		b->leaf[k].kind = L_ATTACH;
		if (file_open(b, &b->leaf[k], &o->attach[i], e) < 0)
			return -1;
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		unsigned long x = (unsigned long)time(NULL) ^
			((unsigned long)getpid() << 20) ^ (unsigned long)clock();

		for (i = 0; i < sizeof rnd; i++, x = x * 6364136223846793005UL
			+ 1442695040888963407UL)
			rnd[i] = (unsigned char)(x >> 56);
	}
	hex_encode(hex, rnd, sizeof rnd, 0);
	snprintf(b->bnd, sizeof b->bnd, "%s%s", BOUNDARY_STEM, hex);
	return 0;
}

void
mbuild_release(struct mbuild *b)
{
	size_t i;

	for (i = 0; i < b->nleaf; i++) {
		struct mbuild_leaf *l = &b->leaf[i];

		if (l->own && l->fd >= 0)
			close(l->fd);
		free(l->type);
		free(l->name);
		free(l->cid);
	}
	free(b->leaf);
	b->leaf = NULL;
	b->nleaf = 0;
}

void
mbuild_recipients(const struct mbuild_opts *o, struct addrvec *out)
{
	const char *const *lists[] = { o->to, o->cc, o->bcc };
	size_t counts[] = { o->nto, o->ncc, o->nbcc }, i, j;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		for (j = 0; j < counts[i]; j++)
			addrsplit(lists[i][j], strlen(lists[i][j]), out,
				NULL);
}

/* ---- the header section ---- */

static void
add_addr_field(struct buf *out, const char *field, const char *const *v,
	size_t n)
{
	struct addr_list l = ADDR_LIST_INIT;
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		addr_parse(v[i], strlen(v[i]), 0, &l);
	buf_addf(out, "%s: ", field);
	addr_format_list(out, &l, strlen(field) + 2, 0);
	buf_addstr(out, "\r\n");
	addr_list_release(&l);
}

/* "; name=..." with the file name as RFC 2047 words inside a quoted
 * string, for clients that read no RFC 2231 (what mutt and Thunderbird
 * write too); ASCII names as they are. */
static void
add_old_name(struct buf *out, size_t *col, const char *name)
{
	struct buf w = BUF_INIT;
	size_t i;

	if (!msgprep_str_utf8(name)) {
		rfc2231_add_param(out, col, "name", name, 0);
		return;
	}
	rfc2047_encode(name, strlen(name), 0, RFC2047_NOFOLD, &w);
	buf_addstr(out, ";\r\n\tname=\"");
	for (i = 0; i < w.len; i++) {
		if (w.data[i] == '"' || w.data[i] == '\\')
			buf_addch(out, '\\');
		buf_addch(out, w.data[i]);
	}
	buf_addch(out, '"');
	*col = 8 + w.len;
	buf_release(&w);
}

static void
add_leaf_head(const struct mbuild_leaf *l, struct buf *out)
{
	static const char *const cte[] = { "7bit", "quoted-printable",
		"base64" };
	size_t col;

	if (l->kind == L_TEXT || l->kind == L_HTML) {
		buf_addf(out, "Content-Type: text/%s; charset=utf-8\r\n",
			l->kind == L_TEXT ? "plain" : "html");
		buf_addf(out, "Content-Transfer-Encoding: %s\r\n",
			cte[l->enc]);
		return;
	}
	buf_addf(out, "Content-Type: %s", l->type);
	col = strlen("Content-Type: ") + strlen(l->type);
	if (l->charset)
		rfc2231_add_param(out, &col, "charset", "utf-8", 0);
	add_old_name(out, &col, l->name);
	buf_addf(out, "\r\nContent-Transfer-Encoding: %s\r\n", cte[l->enc]);
	buf_addf(out, "Content-Disposition: %s", l->kind == L_INLINE ?
		"inline" : "attachment");
	col = strlen("Content-Disposition: attachment");
	rfc2231_add_param(out, &col, "filename", l->name, 0);
	buf_addstr(out, "\r\n");
	if (l->kind == L_INLINE)
		buf_addf(out, "Content-ID: <%s>\r\n", l->cid);
}

static void
add_node_head(const struct mbuild *b, const struct tree *t, size_t i,
	struct buf *out)
{
	const struct node *n = &t->n[i];

	if (!n->sub) {
		add_leaf_head(&b->leaf[n->leaf], out);
		return;
	}
	buf_addf(out, "Content-Type: multipart/%s;\r\n\tboundary=\"%s_%u\"",
		n->sub, b->bnd, n->level);
	/* RFC 2387 3.1: the type of the root, the first part. */
	if (strcmp(n->sub, "related") == 0)
		buf_addf(out, "; type=\"text/%s\"", b->leaf[t->n[n->kid[0]].leaf]
			.kind == L_HTML ? "html" : "plain");
	buf_addstr(out, "\r\n");
}

static size_t
make_tree(const struct mbuild *b, struct tree *t)
{
	const struct mbuild_opts *o = b->o;

	return tree_make(t, b->nleaf, o->html_fd >= 0, o->ninl, o->nattach);
}

int
mbuild_head(struct mbuild *b, struct buf *out, struct err *e)
{
	const struct mbuild_opts *o = b->o;
	long long now = o->now ? o->now : (long long)time(NULL);
	struct addr_list from = ADDR_LIST_INIT;
	struct tree t;
	size_t i, top;

	(void)e;
	add_addr_field(out, "From", &o->from, o->from != NULL);
	add_addr_field(out, "To", o->to, o->nto);
	add_addr_field(out, "Cc", o->cc, o->ncc);
	if (o->flags & MBUILD_BCC)
		add_addr_field(out, "Bcc", o->bcc, o->nbcc);
	add_addr_field(out, "Reply-To", &o->reply_to, o->reply_to != NULL);
	if (o->subject) {
		buf_addstr(out, "Subject: ");
		rfc2047_encode(o->subject, strlen(o->subject), 9, 0, out);
		buf_addstr(out, "\r\n");
	}
	if (!has_header(o, "Date"))
		msgprep_add_date(out, now);
	if (!has_header(o, "Message-ID")) {
		if (o->from)
			addr_parse(o->from, strlen(o->from), 0, &from);
		msgprep_add_msgid(out, o->domain, from.n ? from.v[0].spec :
			NULL, now);
		addr_list_release(&from);
	}
	for (i = 0; i < o->nheaders; i++) {
		const char *h = o->headers[i];
		size_t n = header_name(h);
		const char *v = h + n + 1;

		v += strspn(v, " \t");
		buf_addf(out, "%.*s: ", (int)n, h);
		rfc2047_encode(v, strlen(v), n + 2, 0, out);
		buf_addstr(out, "\r\n");
	}
	buf_addstr(out, "MIME-Version: 1.0\r\n");
	top = make_tree(b, &t);
	add_node_head(b, &t, top, out);
	buf_addstr(out, "\r\n");
	tree_release(&t);
	return 0;
}

/* ---- the body ---- */

struct out {
	mbuild_write_fn *w;
	void *arg;
	struct buf b;
};

static int
out_flush(struct out *o, struct err *e)
{
	int r = 0;

	if (o->b.len)
		r = o->w(o->arg, o->b.data, o->b.len, e);
	buf_reset(&o->b);
	return r;
}

/* A 7bit text with its line ends made CRLF (bare CRs went to QP). */
static void
add_crlf(struct out *o, const unsigned char *s, size_t n, int *prev)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n' && *prev != '\r') {
			buf_add(&o->b, s + run, i - run);
			buf_addch(&o->b, '\r');
			run = i;
		}
		*prev = s[i];
	}
	buf_add(&o->b, s + run, n - run);
}

/* Write one part's content; *nl: it ends with a line break. */
static int
write_leaf(struct mbuild_leaf *l, struct out *o, int *nl, struct err *e)
{
	unsigned char *slice = xmalloc(SLICE);
	struct b64_enc be;
	struct qp_enc qe;
	off_t off = 0;
	int prev = -1, r = -1;
	size_t n;

	b64_enc_init(&be, B64_LINE_LEN, 0);
	qp_enc_init(&qe, QP_ENC_SAFE);
	while (off < l->size) {
		size_t want = l->size - off < SLICE ? (size_t)(l->size - off) :
			SLICE;

		if (read_at(l, slice, want, off, &n, e) < 0)
			goto out;
		if (!n) {
			err_set(e, ERR_IO, "%s: file shrank while being read",
				l->name ? l->name : "body");
			goto out;
		}
		if (l->enc == E_7BIT)
			add_crlf(o, slice, n, &prev);
		else if (l->enc == E_QP)
			qp_enc_buf(&qe, slice, n, &o->b);
		else
			b64_enc_buf(&be, slice, n, &o->b);
		prev = slice[n - 1];
		off += (off_t)n;
		if (out_flush(o, e) < 0)
			goto out;
	}
	if (l->enc == E_QP)
		qp_enc_finish_buf(&qe, &o->b);
	else if (l->enc == E_B64)
		b64_enc_finish_buf(&be, &o->b);
	*nl = l->size > 0 && (l->enc == E_B64 || prev == '\n');
	r = 0;
out:
	free(slice);
	return r;
}

static int
write_node(struct mbuild *b, const struct tree *t, size_t i, int top,
	struct out *o, struct err *e)
{
	const struct node *n = &t->n[i];
	size_t k;
	int nl = 0;

	if (!n->sub) {
		const struct mbuild_leaf *l = &b->leaf[n->leaf];

		if (write_leaf(&b->leaf[n->leaf], o, &nl, e) < 0)
			return -1;
		/* A message ends with a line break (RFC 5321 4.1.1.4). */
		if (top && l->size > 0 && !nl)
			buf_addstr(&o->b, "\r\n");
		return 0;
	}
	for (k = 0; k < n->nkid; k++) {
		/* The CRLF before "--" belongs to the delimiter: a part's
		 * own last line break is kept (RFC 2046 5.1.1). */
		buf_addf(&o->b, "%s--%s_%u\r\n", k ? "\r\n" : "", b->bnd,
			n->level);
		add_node_head(b, t, n->kid[k], &o->b);
		buf_addstr(&o->b, "\r\n");
		if (write_node(b, t, n->kid[k], 0, o, e) < 0)
			return -1;
	}
	buf_addf(&o->b, "\r\n--%s_%u--\r\n", b->bnd, n->level);
	return 0;
}

int
mbuild_body(struct mbuild *b, mbuild_write_fn *w, void *arg, struct err *e)
{
	struct out o = { w, arg, BUF_INIT };
	struct tree t;
	size_t top = make_tree(b, &t);
	int r;

	r = write_node(b, &t, top, 1, &o, e);
	if (r == 0)
		r = out_flush(&o, e);
	buf_release(&o.b);
	tree_release(&t);
	return r;
}
