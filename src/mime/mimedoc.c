/* mimedoc.c: see mimedoc.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

/*
 * SHA-256 through OpenSSL's direct interface: EVP's first fetch sets up the
 * provider machinery and reads openssl.cnf, which cost 1.3 ms of a 3 ms
 * one-message run of mparse. SHA256_* is deprecated in OpenSSL 3.0 but
 * exported and computes the same digest without any of that.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "base/util.h"
#include "codec/addr.h"
#include "mime/mimedoc.h"

void
mime_doc_init(struct mime_doc *d, unsigned int flags)
{
	memset(d, 0, sizeof(*d));
	d->flags = flags;
}

void
mime_doc_message(struct mime_doc *d, const struct mime_headers *h)
{
	if (d->have_top)
		mime_summary_release(&d->top);
	mime_summary_fill(&d->top, h);
	d->have_top = 1;
}

void
mime_doc_begin(struct mime_doc *d, const struct mime_part *p)
{
	struct err e;

	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 16;
		d->parts = xrealloc(d->parts, d->alloc * sizeof(*d->parts));
	}
	mime_record_init(&d->parts[d->n++], p);
	if (p->kind != MIME_LEAF)
		return;
	d->cur = d->n;
	if (!(d->flags & MIME_DOC_DIGEST))
		return;
	if (!d->md)
		d->md = xmalloc(sizeof(SHA256_CTX));
	/* SHA256_Init only sets fields: it cannot fail. */
	SHA256_Init(d->md);
	if (!strncmp(p->type, "text/", 5))
		d->textable = charset_conv_init(&d->conv,
			p->charset ? p->charset : "us-ascii", &e) == 0;
}

void
mime_doc_data(struct mime_doc *d, const void *data, size_t len)
{
	struct mime_record *r;
	struct err e;

	if (!d->cur)
		return;
	r = &d->parts[d->cur - 1];
	r->size += len;
	if (!(d->flags & MIME_DOC_DIGEST))
		return;
	SHA256_Update(d->md, data, len);
	if (d->textable && charset_conv_feed(&d->conv, data, len, &r->text,
		&e) < 0) {
		charset_conv_release(&d->conv);
		d->textable = 0;
	}
}

void
mime_doc_end(struct mime_doc *d, const struct mime_part *p)
{
	struct mime_record *r;
	struct err e;

	if (p->kind != MIME_LEAF || !d->cur)
		return;
	r = &d->parts[d->cur - 1];
	d->cur = 0;
	if (!(d->flags & MIME_DOC_DIGEST))
		return;
	SHA256_Final(r->sha256, d->md);
	if (d->textable) {
		r->have_text = charset_conv_finish(&d->conv, &r->text,
			&e) == 0;
		charset_conv_release(&d->conv);
		d->textable = 0;
	}
}

static void
sink_message(void *ctx, const struct mime_headers *h)
{
	mime_doc_message(ctx, h);
}

static void
sink_begin(void *ctx, const struct mime_part *p)
{
	mime_doc_begin(ctx, p);
}

static void
sink_data(void *ctx, const struct mime_part *p, const void *data,
	size_t len)
{
	mime_doc_data(ctx, data, len);
}

static void
sink_end(void *ctx, const struct mime_part *p)
{
	mime_doc_end(ctx, p);
}

void
mime_doc_sink(struct mime_doc *d, struct mime_sink *s)
{
	memset(s, 0, sizeof(*s));
	s->ctx = d;
	s->message = sink_message;
	s->begin = sink_begin;
	s->data = sink_data;
	s->end = sink_end;
}

void
mime_doc_json(struct json *j, const struct mime_doc *d)
{
	size_t i;

	json_obj_begin(j);
	json_key(j, "schema");
	json_cstr(j, "mparse/1");
	json_key(j, "headers");
	mime_summary_json(j, &d->top);
	json_key(j, "parts");
	json_arr_begin(j);
	for (i = 0; i < d->n; i++)
		mime_record_json(j, &d->parts[i]);
	json_arr_end(j);
	json_obj_end(j);
}

void
mime_doc_tree(const struct mime_doc *d, struct buf *out)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		const struct mime_record *r = &d->parts[i];

		buf_addf(out, "%*s%s %s", 2 * r->depth, "", r->section,
			r->type);
		if (r->charset)
			buf_addf(out, " charset=%s", r->charset);
		if (r->filename) {
			/* One line per part: control characters (NUL too)
			 * shown as '?'. */
			buf_addstr(out, " filename=\"");
			for (k = 0; k < r->filename_len; k++) {
				unsigned char c = (unsigned char)r->filename[k];

				buf_addch(out, c < 0x20 || c == 0x7f ? '?' : c);
			}
			buf_addch(out, '"');
		}
		if (r->kind == MIME_LEAF)
			buf_addf(out, " size=%llu", r->size);
		buf_addch(out, '\n');
	}
}

void
mime_doc_release(struct mime_doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		mime_record_release(&d->parts[i]);
	free(d->parts);
	if (d->have_top)
		mime_summary_release(&d->top);
	if (d->textable)
		charset_conv_release(&d->conv);
	free(d->md);
	memset(d, 0, sizeof(*d));
}

size_t
mime_doc_headers(const struct mime_headers *h, char *const *names,
	size_t nnames, int raw, struct buf *out)
{
	size_t i, k, count = 0;

	for (i = 0; i < h->n; i++) {
		const struct mime_field *f = &h->v[i];
		int want = !nnames;

		for (k = 0; k < nnames && !want; k++)
			want = strlen(names[k]) == f->name_len &&
				!mem_casecmp(names[k], f->name, f->name_len);
		if (!want)
			continue;
		count++;
		if (!nnames) {
			buf_add(out, f->name, f->name_len);
			buf_addstr(out, raw ? ":" : ": ");
		}
		if (raw)
			buf_add(out, f->value, f->value_len);
		else
			mime_header_text(f->value, f->value_len, out);
		buf_addch(out, '\n');
	}
	return count;
}

size_t
mime_doc_addrs(const struct mime_headers *h, char *const *names,
	size_t nnames, int addr_only, struct buf *out)
{
	static const char *const defs[] = { "from", "sender", "reply-to",
		"to", "cc", "bcc" };
	size_t nn = nnames ? nnames : ARRAY_SIZE(defs), i, idx, count = 0;

	for (i = 0; i < nn; i++) {
		const char *name = nnames ? names[i] : defs[i];
		const struct mime_field *f;

		idx = 0;
		while ((f = mime_headers_next(h, name, &idx))) {
			struct addr_list l = ADDR_LIST_INIT;
			size_t k;

			addr_parse(f->value, f->value_len, 0, &l);
			for (k = 0; k < l.n; k++) {
				if (!l.v[k].spec)
					continue;
				count++;
				addr_format(out, addr_only ? NULL : l.v[k].name,
					l.v[k].spec, ADDR_FMT_TEXT);
				buf_addch(out, '\n');
			}
			addr_list_release(&l);
		}
	}
	return count;
}
