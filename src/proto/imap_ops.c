/*
 * imap_ops.c: mimap's operations on a session (see imap_ops.h).
 *
 * RFC 9051 6.3.9 (LIST), 6.3.11 (STATUS), 6.4.4 (SEARCH), 6.4.5 (FETCH),
 * 6.4.6 (STORE), 6.4.7 (COPY), 6.4.8 (MOVE), 6.3.12 (APPEND)
 * RFC 5819  LIST-STATUS
 * RFC 6154  SPECIAL-USE
 * RFC 4731  ESEARCH
 * RFC 4315  UIDPLUS (UID EXPUNGE, APPENDUID)
 * RFC 6851  MOVE
 * RFC 7162  CONDSTORE (STORE UNCHANGEDSINCE)
 */
#include <config.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "proto/imap_ops.h"
#include "proto/imap_utf7.h"

#define MAX_SEARCH_UIDS	(16u * 1024 * 1024)

/* ---- windows of commands over sets ---- */

/*
 * For each set in sets (by '\n'): the command prefix, the set, the
 * suffix; at most IMAP_WINDOW in flight; every reply waited for.
 */
static int
window(struct imap *im, const char *sets, const char *prefix,
	const char *suffix, const struct imap_handler *h, struct err *e)
{
	unsigned long tags[IMAP_WINDOW];
	size_t head = 0, n = 0;
	const char *p = sets;
	int failed = 0;
	struct err first;

	err_clear(&first);
	while (*p || n) {
		if (*p && n < IMAP_WINDOW) {
			size_t len = strcspn(p, "\n");
			unsigned long tag;

			imap_cmd_begin(im, "%s %.*s%s", prefix, (int)len, p,
				suffix);
			tag = imap_cmd_end(im, e);
			if (!tag)
				return -1;
			tags[(head + n) % IMAP_WINDOW] = tag;
			n++;
			p += len;
			if (*p == '\n')
				p++;
			if (*p && n < IMAP_WINDOW)
				continue;
		}
		if (imap_flush(im, e) < 0)
			return -1;
		if (imap_wait(im, tags[head], h, e) < 0) {
			if (e->code == ERR_IO || e->code == ERR_PROTOCOL ||
			    e->code == ERR_TEMPFAIL)
				return -1;
			if (!failed)
				first = *e;
			failed = 1;
		}
		head = (head + 1) % IMAP_WINDOW;
		n--;
	}
	if (failed) {
		*e = first;
		return -1;
	}
	return 0;
}

int
imap_fetch(struct imap *im, const char *sets, const char *items,
	const struct imap_handler *h, struct err *e)
{
	char suffix[256];

	snprintf(suffix, sizeof suffix, " %s", items);
	return window(im, sets, "UID FETCH", suffix, h, e);
}

int
imap_store(struct imap *im, const char *sets, const char *op,
	const char *flags, struct err *e)
{
	char suffix[1024];

	snprintf(suffix, sizeof suffix, " %s %s", op, flags);
	return window(im, sets, "UID STORE", suffix, NULL, e);
}

int
imap_store_unchanged(struct imap *im, const char *sets,
	unsigned long long modseq, const char *op, const char *flags,
	const struct imap_handler *h, struct err *e)
{
	char suffix[1024];

	snprintf(suffix, sizeof suffix, " (UNCHANGEDSINCE %llu) %s %s",
		modseq, op, flags);
	return window(im, sets, "UID STORE", suffix, h, e);
}

/* ---- search ---- */

struct search_ctx {
	struct imap_uids *out;
};

/* Add the UIDs of a set "1:3,7" (from the server). */
static int
add_set(struct imap_uids *out, const char *s, size_t len)
{
	size_t i = 0;
	unsigned long long a, b;
	int rc;

	while ((rc = imap_set_range(s, len, &i, &a, &b)) > 0) {
		if (b - a >= MAX_SEARCH_UIDS ||
		    out->n + (b - a) >= MAX_SEARCH_UIDS)
			return -1;
		for (; a <= b; a++)
			imap_uids_add(out, a);
	}
	return rc;
}

static int
search_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct search_ctx *c = ctx;
	size_t i, len;
	const char *s;

	if (!strcmp(r->name, "SEARCH")) {
		for (i = r->data; i < r->ntok; i++) {
			unsigned long long v;

			if (imap_tok_num(r, i, &v) < 0 ||
			    c->out->n >= MAX_SEARCH_UIDS)
				return err_set(e, ERR_PROTOCOL, "malformed "
					"SEARCH response");
			imap_uids_add(c->out, v);
		}
	} else if (!strcmp(r->name, "ESEARCH")) {
		for (i = r->data; i < r->ntok; i = r->tok[i].end) {
			if (imap_tok_is(r, i, "ALL") && i + 1 < r->ntok) {
				s = imap_tok_str(r, i + 1, &len);
				if (add_set(c->out, s, len) < 0)
					return err_set(e, ERR_PROTOCOL,
						"malformed ESEARCH response");
			}
		}
	}
	return 0;
}

/* May the word go as it is? Atoms, sets, parentheses; ASCII only. */
static int
raw_word(const char *w)
{
	size_t i;

	if (!*w)
		return 0;
	for (i = 0; w[i]; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c <= ' ' || c >= 127 || c == '{' || c == '%' ||
		    c == '"' || c == '\\' || c == ']')
			return 0;
	}
	return 1;
}

int
imap_search(struct imap *im, char *const *keys, size_t n,
	struct imap_uids *out, struct err *e)
{
	struct search_ctx c = { out };
	struct imap_handler h = { &c, search_untagged, NULL, NULL };
	unsigned long tag;
	size_t i, j;
	int utf8 = 0;

	for (i = 0; i < n; i++)
		for (j = 0; keys[i][j]; j++)
			if ((unsigned char)keys[i][j] >= 0x80)
				utf8 = 1;
	imap_cmd_begin(im, "UID SEARCH%s%s",
		(imap_caps(im) & IMAP_CAP_ESEARCH) ? " RETURN (ALL)" : "",
		utf8 ? " CHARSET UTF-8" : "");
	for (i = 0; i < n; i++) {
		if (raw_word(keys[i]))
			imap_cmd_add(im, " %s", keys[i]);
		else if (imap_cmd_astring(im, keys[i], strlen(keys[i]), e) < 0)
			return -1;
	}
	tag = imap_cmd_end(im, e);
	if (!tag || imap_flush(im, e) < 0)
		return -1;
	return imap_wait(im, tag, &h, e);
}

/* ---- status and list ---- */

/* The items of struct imap_status_info, in the order of their bits. */
static const struct {
	const char *name;
	size_t off;
} st_items[IMAP_STATUS_ITEMS] = {
	{ "messages", offsetof(struct imap_status_info, messages) },
	{ "recent", offsetof(struct imap_status_info, recent) },
	{ "unseen", offsetof(struct imap_status_info, unseen) },
	{ "uidnext", offsetof(struct imap_status_info, uidnext) },
	{ "uidvalidity", offsetof(struct imap_status_info, uidvalidity) },
	{ "highestmodseq", offsetof(struct imap_status_info, highestmodseq) },
};

const char *
imap_status_name(size_t i)
{
	return st_items[i].name;
}

unsigned long long
imap_status_value(const struct imap_status_info *st, size_t i)
{
	return *(const unsigned long long *)((const char *)st +
		st_items[i].off);
}

static void
parse_status(const struct imap_resp *r, size_t list,
	struct imap_status_info *st)
{
	size_t i, k, end;

	if (list >= r->ntok || r->tok[list].type != IMAP_TOK_LIST)
		return;
	end = r->tok[list].end;
	for (i = list + 1; i + 1 < end; i += 2) {
		unsigned long long v;

		if (imap_tok_num(r, i + 1, &v) < 0)
			continue;
		for (k = 0; k < IMAP_STATUS_ITEMS; k++)
			if (imap_tok_is(r, i, st_items[k].name)) {
				*(unsigned long long *)((char *)st +
					st_items[k].off) = v;
				st->have |= 1u << k;
			}
	}
}

static const char *
status_items(struct imap *im)
{
	return (imap_caps(im) & IMAP_CAP_CONDSTORE) ?
		"(MESSAGES RECENT UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)" :
		"(MESSAGES RECENT UNSEEN UIDNEXT UIDVALIDITY)";
}

struct entry {
	char *raw;		/* the name as sent */
	char *attrs;
	char delim;
	int noselect;
	int has_status;
	struct imap_status_info st;
};

struct list_ctx {
	struct imap *im;
	struct entry *v;
	size_t n, alloc;
	struct imap_status_info *one;	/* imap_status(): the target */
};

/* A folder name token (string or atom) to its bytes. */
static char *
tok_name(const struct imap_resp *r, size_t i)
{
	size_t len;
	const char *s = imap_tok_str(r, i, &len);

	return xmemdup(s, len);
}

static int
list_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct list_ctx *c = ctx;
	size_t i, d = r->data;

	if (!strcmp(r->name, "STATUS")) {
		char *name;

		if (d + 1 >= r->ntok)
			return err_set(e, ERR_PROTOCOL, "malformed STATUS "
				"response");
		if (c->one) {
			parse_status(r, r->tok[d].end, c->one);
			return 0;
		}
		name = tok_name(r, d);
		for (i = c->n; i-- > 0; ) {
			if (!strcmp(c->v[i].raw, name)) {
				parse_status(r, r->tok[d].end, &c->v[i].st);
				c->v[i].has_status = 1;
				break;
			}
		}
		free(name);
		return 0;
	}
	if (strcmp(r->name, "LIST") != 0)
		return 0;
	{
		struct entry *en;
		struct buf attrs = BUF_INIT;
		size_t len, a;
		const char *s;

		/* (attrs) delim name */
		if (d >= r->ntok || r->tok[d].type != IMAP_TOK_LIST ||
		    r->tok[d].end + 1 >= r->ntok)
			return err_set(e, ERR_PROTOCOL, "malformed LIST "
				"response");
		if (c->n == c->alloc) {
			c->alloc = c->alloc ? c->alloc * 2 : 32;
			c->v = xrealloc(c->v, c->alloc * sizeof(*c->v));
		}
		en = &c->v[c->n++];
		memset(en, 0, sizeof(*en));
		for (a = d + 1; a < r->tok[d].end; a++) {
			s = imap_tok_str(r, a, &len);
			if (attrs.len)
				buf_addch(&attrs, ' ');
			buf_add(&attrs, s, len);
			if ((len == 9 && !mem_casecmp(s, "\\Noselect", 9)) ||
			    (len == 12 && !mem_casecmp(s, "\\NonExistent",
			    12)))
				en->noselect = 1;
		}
		en->attrs = buf_detach(&attrs, NULL);
		a = r->tok[d].end;
		s = imap_tok_str(r, a, &len);
		en->delim = r->tok[a].type == IMAP_TOK_STRING && len == 1 ?
			s[0] : 0;
		en->raw = tok_name(r, r->tok[a].end);
	}
	return 0;
}

static void
entries_release(struct list_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].raw);
		free(c->v[i].attrs);
	}
	free(c->v);
}

int
imap_status(struct imap *im, const char *name, struct imap_status_info *st,
	struct err *e)
{
	struct list_ctx c;
	struct imap_handler h = { &c, list_untagged, NULL, NULL };
	unsigned long tag;

	memset(&c, 0, sizeof c);
	memset(st, 0, sizeof(*st));
	c.im = im;
	c.one = st;
	imap_cmd_begin(im, "STATUS");
	if (imap_cmd_mailbox(im, name, e) < 0)
		return -1;
	imap_cmd_add(im, " %s", status_items(im));
	tag = imap_cmd_end(im, e);
	if (!tag || imap_flush(im, e) < 0)
		return -1;
	if (imap_wait(im, tag, &h, e) < 0) {
		err_prefix(e, "folder \"%s\"", name);
		return -1;
	}
	return 0;
}

int
imap_list(struct imap *im, const char *pattern, int status,
	imap_list_fn *fn, void *ctx, struct err *e)
{
	struct list_ctx c;
	struct imap_handler h = { &c, list_untagged, NULL, NULL };
	unsigned caps = imap_caps(im);
	unsigned long tag;
	struct buf name = BUF_INIT;
	size_t i;
	int ret = -1, lstatus = status && (caps & IMAP_CAP_LIST_STATUS);

	memset(&c, 0, sizeof c);
	c.im = im;
	imap_cmd_begin(im, "LIST \"\"");
	if (imap_cmd_mailbox(im, pattern, e) < 0)
		goto out;
	if (lstatus || (caps & IMAP_CAP_SPECIAL_USE)) {
		imap_cmd_add(im, " RETURN (%s%s", (caps &
			IMAP_CAP_SPECIAL_USE) ? "SPECIAL-USE" : "",
			lstatus && (caps & IMAP_CAP_SPECIAL_USE) ? " " : "");
		if (lstatus)
			imap_cmd_add(im, "STATUS %s", status_items(im));
		imap_cmd_add(im, ")");
	}
	tag = imap_cmd_end(im, e);
	if (!tag || imap_flush(im, e) < 0 || imap_wait(im, tag, &h, e) < 0)
		goto out;
	if (status && !lstatus) {
		/* a window of STATUS, one per selectable folder */
		size_t next = 0, waited = 0;
		unsigned long tags[IMAP_WINDOW];

		while (waited < c.n) {
			while (next < c.n && next - waited < IMAP_WINDOW) {
				struct entry *en = &c.v[next];

				tags[next % IMAP_WINDOW] = 0;
				if (!en->noselect) {
					imap_cmd_begin(im, "STATUS");
					if (imap_cmd_astring(im, en->raw,
					    strlen(en->raw), e) < 0)
						goto out;
					imap_cmd_add(im, " %s",
						status_items(im));
					tags[next % IMAP_WINDOW] =
						imap_cmd_end(im, e);
					if (!tags[next % IMAP_WINDOW])
						goto out;
				}
				next++;
			}
			if (imap_flush(im, e) < 0)
				goto out;
			if (tags[waited % IMAP_WINDOW] &&
			    imap_wait(im, tags[waited % IMAP_WINDOW], &h, e) < 0)
				goto out;
			waited++;
		}
	}
	for (i = 0; i < c.n; i++) {
		struct imap_mailbox m;
		struct entry *en = &c.v[i];

		buf_reset(&name);
		if ((imap_enabled(im) & IMAP_CAP_UTF8_ACCEPT) ||
		    imap_utf7_decode(en->raw, strlen(en->raw), &name) < 0) {
			buf_reset(&name);
			buf_addstr(&name, en->raw);
		}
		m.name = name.data ? name.data : "";
		m.raw = en->raw;
		m.delim = en->delim;
		m.attrs = en->attrs;
		m.noselect = en->noselect;
		m.has_status = en->has_status;
		m.st = en->st;
		if (fn(ctx, &m, e) < 0)
			goto out;
	}
	ret = 0;
out:
	buf_release(&name);
	entries_release(&c);
	return ret;
}

/* ---- expunge, copy, move ---- */

int
imap_uid_expunge(struct imap *im, const char *sets, struct err *e)
{
	struct imap_uids others = { NULL, 0, 0 };
	struct buf keys = BUF_INIT, osets = BUF_INIT;
	const char *p;
	int ret = -1;

	if (imap_caps(im) & IMAP_CAP_UIDPLUS)
		return window(im, sets, "UID EXPUNGE", "", NULL, e);
	/*
	 * Without UIDPLUS: the messages flagged \Deleted that are not ours
	 * lose the flag for the time of a plain EXPUNGE, then get it back.
	 */
	{
		char *argv[2];
		struct imap_uids ours = { NULL, 0, 0 };
		size_t i, j;

		buf_addstr(&keys, "DELETED");
		argv[0] = keys.data;
		argv[1] = NULL;
		if (imap_search(im, argv, 1, &others, e) < 0)
			goto out;
		for (p = sets; *p; ) {
			size_t len = strcspn(p, "\n");

			if (add_set(&ours, p, len) < 0) {
				imap_uids_release(&ours);
				err_set(e, ERR_USAGE, "UID set with '*' needs "
					"UIDPLUS to expunge");
				goto out;
			}
			p += len;
			if (*p)
				p++;
		}
		imap_uids_sets(&ours, (size_t)-1, &osets);
		for (i = j = 0; i < others.n; i++) {
			size_t k;
			int mine = 0;

			for (k = 0; k < ours.n && !mine; k++)
				mine = ours.v[k] == others.v[i];
			if (!mine)
				others.v[j++] = others.v[i];
		}
		others.n = j;
		imap_uids_release(&ours);
	}
	buf_reset(&osets);
	imap_uids_sets(&others, IMAP_SET_MAX, &osets);
	if (others.n && imap_store(im, osets.data, "-FLAGS.SILENT",
	    "(\\Deleted)", e) < 0)
		goto out;
	if (imap_simple(im, NULL, e, "EXPUNGE") < 0)
		goto out;
	if (others.n && imap_store(im, osets.data, "+FLAGS.SILENT",
	    "(\\Deleted)", e) < 0)
		goto out;
	ret = 0;
out:
	imap_uids_release(&others);
	buf_release(&keys);
	buf_release(&osets);
	return ret;
}

int
imap_copy(struct imap *im, const char *sets, const char *dest, int move,
	struct err *e)
{
	const char *p = sets;
	int native = move && (imap_caps(im) & IMAP_CAP_MOVE);

	while (*p) {
		size_t len = strcspn(p, "\n");
		unsigned long tag;

		imap_cmd_begin(im, "UID %s %.*s", native ? "MOVE" : "COPY",
			(int)len, p);
		if (imap_cmd_mailbox(im, dest, e) < 0)
			return -1;
		tag = imap_cmd_end(im, e);
		if (!tag || imap_flush(im, e) < 0 ||
		    imap_wait(im, tag, NULL, e) < 0)
			return -1;
		p += len;
		if (*p)
			p++;
	}
	if (!move || native)
		return 0;
	if (imap_store(im, sets, "+FLAGS.SILENT", "(\\Deleted)", e) < 0)
		return -1;
	return imap_uid_expunge(im, sets, e);
}

/* ---- ID, NAMESPACE ---- */

int
imap_id(struct imap *im, struct err *e)
{
	if (!(imap_caps(im) & IMAP_CAP_ID))
		return 0;
	/* Not waited for: it goes out with the next command, whose wait
	 * reads its reply and ignores a refusal, so ID costs no round trip. */
	imap_cmd_begin(im, "ID (\"name\" \"mkit\" \"version\" \"%s\")",
		PACKAGE_VERSION);
	return imap_cmd_end(im, e) ? 0 : -1;
}

/* A string token of r, ASCII, copied into out: 0, or -1. */
static int
ascii_tok(const struct imap_resp *r, size_t i, char *out, size_t size)
{
	size_t len, k;
	const char *s;

	if (i >= r->ntok || r->tok[i].type != IMAP_TOK_STRING)
		return -1;
	s = imap_tok_str(r, i, &len);
	if (len >= size)
		return -1;
	for (k = 0; k < len; k++)
		if ((unsigned char)s[k] < ' ' || (unsigned char)s[k] >= 127)
			return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static int
ns_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct imap_namespace *ns = ctx;
	size_t d = r->data;
	char delim[2];

	(void)e;
	if (!strcmp(r->name, "NAMESPACE")) {
		/* (("prefix" "delim") ...) NIL NIL: the first personal one */
		if (d + 3 >= r->ntok || r->tok[d].type != IMAP_TOK_LIST ||
		    r->tok[d + 1].type != IMAP_TOK_LIST)
			return 0;
		if (ascii_tok(r, d + 2, ns->prefix, sizeof ns->prefix) < 0)
			ns->prefix[0] = '\0';
		d += 3;
	} else if (!strcmp(r->name, "LIST")) {
		/* (attrs) delim root */
		if (d >= r->ntok || r->tok[d].type != IMAP_TOK_LIST)
			return 0;
		d = r->tok[d].end;
	} else {
		return 0;
	}
	if (ascii_tok(r, d, delim, sizeof delim) == 0 && delim[0])
		ns->delim = delim[0];
	return 0;
}

int
imap_namespace(struct imap *im, struct imap_namespace *ns, struct err *e)
{
	struct imap_handler h = { ns, ns_untagged, NULL, NULL };

	memset(ns, 0, sizeof(*ns));
	if (imap_caps(im) & IMAP_CAP_NAMESPACE) {
		ns->from_namespace = 1;
		return imap_simple(im, &h, e, "NAMESPACE");
	}
	return imap_simple(im, &h, e, "LIST \"\" \"\"");
}

/* ---- FLAGS to maildir info ---- */

void
imap_maildir_info(const struct imap_resp *r, size_t i, char *out)
{
	static const struct { const char *flag; char letter; } map[] = {
		{ "\\Draft", 'D' }, { "\\Flagged", 'F' },
		{ "\\Answered", 'R' }, { "\\Seen", 'S' },
		{ "\\Deleted", 'T' },
	};
	size_t k, t, n = 0;

	out[0] = '\0';
	if (i >= r->ntok || r->tok[i].type != IMAP_TOK_LIST)
		return;
	for (k = 0; k < ARRAY_SIZE(map); k++)
		for (t = i + 1; t < r->tok[i].end; t++)
			if (imap_tok_is(r, t, map[k].flag)) {
				out[n++] = map[k].letter;
				break;
			}
	out[n] = '\0';
}
