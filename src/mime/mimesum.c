/* mimesum.c: see mimesum.h. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/date.h"
#include "mime/mimesum.h"

static char *
trimmed(struct buf *b)
{
	size_t i = 0;

	while (i < b->len && (b->data[i] == ' ' || b->data[i] == '\t'))
		i++;
	buf_consume(b, i);
	while (b->len && (b->data[b->len - 1] == ' ' ||
		b->data[b->len - 1] == '\t'))
		b->len--;
	if (b->data)
		b->data[b->len] = '\0';
	return buf_detach(b, NULL);
}

static void
addrs(const struct mime_headers *h, const char *name, int *has,
	struct addr_list *l)
{
	const struct mime_field *f = mime_headers_get(h, name);

	addr_list_init(l);
	*has = f != NULL;
	if (f)
		addr_parse(f->value, f->value_len, 0, l);
}

void
mime_summary_fill(struct mime_summary *s, const struct mime_headers *h)
{
	const struct mime_field *f;
	struct buf b = BUF_INIT;

	memset(s, 0, sizeof(*s));
	if ((f = mime_headers_get(h, "subject"))) {
		mime_header_text(f->value, f->value_len, &b);
		s->subject = trimmed(&b);
	}
	if ((f = mime_headers_get(h, "date"))) {
		time_t t;
		char iso[DATE_ISO_LEN];

		mime_unfold(f->value, f->value_len, &b);
		s->date = buf_detach(&b, NULL);
		if (date_parse(s->date, strlen(s->date), &t, NULL) == 0)
			s->date_utc = xstrdup(date_format_iso(t, iso));
	}
	if ((f = mime_headers_get(h, "message-id"))) {
		mime_unfold(f->value, f->value_len, &b);
		s->message_id = buf_detach(&b, NULL);
	}
	addrs(h, "from", &s->has_from, &s->from);
	addrs(h, "to", &s->has_to, &s->to);
	addrs(h, "cc", &s->has_cc, &s->cc);
}

void
mime_summary_release(struct mime_summary *s)
{
	free(s->subject);
	free(s->date);
	free(s->date_utc);
	free(s->message_id);
	addr_list_release(&s->from);
	addr_list_release(&s->to);
	addr_list_release(&s->cc);
	memset(s, 0, sizeof(*s));
}

static void
json_addrs(struct json *j, const char *key, int has,
	const struct addr_list *l)
{
	size_t i;

	json_key(j, key);
	if (!has) {
		json_null(j);
		return;
	}
	json_arr_begin(j);
	for (i = 0; i < l->n; i++) {
		if (!l->v[i].spec)
			continue;
		json_obj_begin(j);
		json_key(j, "name");
		json_cstr(j, l->v[i].name ? l->v[i].name : "");
		json_key(j, "addr");
		json_cstr(j, l->v[i].spec);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void
mime_summary_json(struct json *j, const struct mime_summary *s)
{
	json_obj_begin(j);
	json_key(j, "subject");
	json_cstr(j, s->subject);
	json_addrs(j, "from", s->has_from, &s->from);
	json_addrs(j, "to", s->has_to, &s->to);
	json_addrs(j, "cc", s->has_cc, &s->cc);
	json_key(j, "date");
	json_cstr(j, s->date);
	json_key(j, "date_utc");
	json_cstr(j, s->date_utc);
	json_key(j, "message_id");
	json_cstr(j, s->message_id);
	json_obj_end(j);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
mime_record_init(struct mime_record *r, const struct mime_part *p)
{
	memset(r, 0, sizeof(*r));
	r->section = xstrdup(p->section);
	r->depth = p->depth;
	r->kind = p->kind;
	r->type = xstrdup(p->type);
	r->charset = dup_or_null(p->charset);
	r->encoding = dup_or_null(p->encoding);
	r->disposition = dup_or_null(p->disposition);
	r->filename = p->filename ? xmemdup(p->filename, p->filename_len) :
		NULL;
	r->filename_len = p->filename_len;
	r->boundary = p->kind == MIME_MULTIPART ? dup_or_null(p->boundary) :
		NULL;
	buf_init(&r->text, 0);
	if (p->kind == MIME_MESSAGE && p->msg_headers) {
		r->msg = xcalloc(1, sizeof(*r->msg));
		mime_summary_fill(r->msg, p->msg_headers);
	}
}

void
mime_record_release(struct mime_record *r)
{
	free(r->section);
	free(r->type);
	free(r->charset);
	free(r->encoding);
	free(r->disposition);
	free(r->filename);
	free(r->boundary);
	buf_release(&r->text);
	if (r->msg) {
		mime_summary_release(r->msg);
		free(r->msg);
	}
	memset(r, 0, sizeof(*r));
}

void
mime_record_json(struct json *j, const struct mime_record *r)
{
	static const char *const kinds[] = { "leaf", "multipart", "message" };
	int leaf = r->kind == MIME_LEAF;

	json_obj_begin(j);
	json_key(j, "part");
	json_cstr(j, r->section);
	json_key(j, "kind");
	json_cstr(j, kinds[r->kind]);
	json_key(j, "type");
	json_cstr(j, r->type);
	json_key(j, "charset");
	json_cstr(j, r->charset);
	json_key(j, "encoding");
	json_cstr(j, r->encoding);
	json_key(j, "disposition");
	json_cstr(j, r->disposition);
	json_key(j, "filename");
	if (r->filename)
		json_str(j, r->filename, r->filename_len);
	else
		json_null(j);
	json_key(j, "boundary");
	json_cstr(j, r->boundary);
	json_key(j, "size");
	if (leaf)
		json_int(j, (long long)r->size);
	else
		json_null(j);
	json_key(j, "sha256");
	if (leaf) {
		char hex[2 * sizeof(r->sha256) + 1];

		hex_encode(hex, r->sha256, sizeof(r->sha256), 0);
		json_cstr(j, hex);
	} else {
		json_null(j);
	}
	json_key(j, "text");
	if (leaf && r->have_text)
		json_str(j, r->text.data ? r->text.data : "", r->text.len);
	else
		json_null(j);
	json_key(j, "headers");
	if (r->msg)
		mime_summary_json(j, r->msg);
	else
		json_null(j);
	json_obj_end(j);
}
