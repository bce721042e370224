/* dsn.c: see dsn.h. RFC 3464, RFC 6533 (utf-8 addresses decoded). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "mime/dsn.h"
#include "mime/mime.h"

/* The unfolded value of field name in h, with a "type;" prefix split off
 * into *type when type is not NULL. NULL when absent. */
static char *
field(const struct mime_headers *h, const char *name, char **type)
{
	const struct mime_field *f = mime_headers_get(h, name);
	struct buf b = BUF_INIT;
	char *v, *semi;

	if (!f)
		return NULL;
	mime_unfold(f->value, f->value_len, &b);
	v = buf_detach(&b, NULL);
	if (!type)
		return v;
	semi = strchr(v, ';');
	if (semi) {
		char *rest = semi + 1, *t;

		while (*rest == ' ' || *rest == '\t')
			rest++;
		*semi = '\0';
		while (semi > v && (semi[-1] == ' ' || semi[-1] == '\t'))
			*--semi = '\0';
		*type = v;
		for (t = v; *t; t++)
			if (*t >= 'A' && *t <= 'Z')
				*t = (char)(*t - 'A' + 'a');
		return xstrdup(rest);
	}
	*type = NULL;
	return v;
}

static char *
typed(const struct mime_headers *h, const char *name, char **typep)
{
	char *type = NULL, *v = field(h, name, &type);

	if (typep)
		*typep = type;
	else
		free(type);
	return v;
}

/* Code point c as UTF-8 at out: its length (1 to 4). */
static size_t
utf8_put(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode, in place, the \x{HEX} escapes of a utf-8 typed address (RFC 6533
 * 3: utf-8-addr-xtext and utf-8-addr-unitext; never longer decoded). An
 * escape that names no Unicode scalar value stays as it is. */
static void
utf8_addr_unescape(char *v)
{
	char *in = v, *out = v;

	while (*in) {
		unsigned long c = 0;
		size_t k = 3;

		if (in[0] == '\\' && in[1] == 'x' && in[2] == '{') {
			for (; k < 9 && hex_val(in[k]) >= 0; k++)
				c = c * 16 + (unsigned long)hex_val(in[k]);
			if (k > 3 && in[k] == '}' && c > 0 && c <= 0x10FFFF &&
				(c < 0xD800 || c > 0xDFFF)) {
				out += utf8_put(out, c);
				in += k + 1;
				continue;
			}
		}
		*out++ = *in++;
	}
	*out = '\0';
}

/* A recipient field's address (its type split off): a utf-8 one decoded
 * to plain UTF-8. */
static char *
rcpt_addr(const struct mime_headers *h, const char *name)
{
	char *type = NULL, *v = field(h, name, &type);

	if (v && type && strcmp(type, "utf-8") == 0)
		utf8_addr_unescape(v);
	free(type);
	return v;
}

size_t
dsn_parse(const char *body, size_t len, struct dsn *d)
{
	const char *s = body, *e = body + len;
	int first = 1;

	memset(d, 0, sizeof(*d));
	while (s < e) {
		struct mime_headers h = { NULL, 0, NULL, 0, 0 };
		const char *blk = s, *p = s;
		size_t alloc;

		/* one block: up to an empty line */
		while (p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			const char *le = nl ? nl : e;

			if (le > p && le[-1] == '\r')
				le--;
			if (le == p) {
				p = nl ? nl + 1 : e;
				break;
			}
			p = nl ? nl + 1 : e;
		}
		s = p;
		mime_headers_parse(&h, blk, (size_t)(p - blk));
		if (!h.n) {
			mime_headers_release(&h);
			continue;
		}
		if (first) {
			first = 0;
			d->reporting_mta = typed(&h, "reporting-mta", NULL);
			d->original_envelope_id =
				field(&h, "original-envelope-id", NULL);
			d->arrival_date = field(&h, "arrival-date", NULL);
			if (!mime_headers_get(&h, "final-recipient") &&
				!mime_headers_get(&h, "original-recipient")) {
				mime_headers_release(&h);
				continue;
			}
		}
		if (mime_headers_get(&h, "final-recipient") ||
			mime_headers_get(&h, "original-recipient")) {
			struct dsn_rcpt *r;
			char *t;

			alloc = d->n + 1;
			d->r = xrealloc(d->r, alloc * sizeof(*d->r));
			r = &d->r[d->n++];
			memset(r, 0, sizeof(*r));
			r->final_recipient = rcpt_addr(&h, "final-recipient");
			r->original_recipient =
				rcpt_addr(&h, "original-recipient");
			r->action = field(&h, "action", NULL);
			if (r->action)
				for (t = r->action; *t; t++)
					if (*t >= 'A' && *t <= 'Z')
						*t = (char)(*t - 'A' + 'a');
			r->status = field(&h, "status", NULL);
			if (r->status && (t = strpbrk(r->status, " \t(")))
				*t = '\0';
			r->diagnostic = typed(&h, "diagnostic-code",
				&r->diagnostic_type);
			r->remote_mta = typed(&h, "remote-mta", NULL);
		}
		mime_headers_release(&h);
	}
	return d->n;
}

void
dsn_release(struct dsn *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct dsn_rcpt *r = &d->r[i];

		free(r->final_recipient);
		free(r->original_recipient);
		free(r->action);
		free(r->status);
		free(r->diagnostic);
		free(r->diagnostic_type);
		free(r->remote_mta);
	}
	free(d->r);
	free(d->reporting_mta);
	free(d->original_envelope_id);
	free(d->arrival_date);
	memset(d, 0, sizeof(*d));
}

void
dsn_capture_init(struct dsn_capture *c)
{
	buf_init(&c->body, 1024 * 1024);
	c->in = 0;
}

void
dsn_capture_begin(struct dsn_capture *c, const struct mime_part *p)
{
	if (p->kind == MIME_LEAF && !c->body.len &&
		(!strcmp(p->type, "message/delivery-status") ||
		!strcmp(p->type, "message/global-delivery-status")))
		c->in = 1;
}

void
dsn_capture_data(struct dsn_capture *c, const void *data, size_t len)
{
	if (c->in)
		buf_add(&c->body, data, len);
}

void
dsn_capture_end(struct dsn_capture *c, const struct mime_part *p)
{
	if (p->kind == MIME_LEAF)
		c->in = 0;
}

size_t
dsn_capture_lines(const struct dsn_capture *c, struct buf *out)
{
	struct dsn d;
	size_t i;

	if (!c->body.len)
		return 0;
	dsn_parse(c->body.data, c->body.len, &d);
	for (i = 0; i < d.n; i++) {
		struct dsn_rcpt *r = &d.r[i];

		buf_addf(out, "%s\t%s\t%s\t%s\n", r->action ? r->action : "-",
			r->status ? r->status : "-",
			r->final_recipient ? r->final_recipient :
			r->original_recipient ? r->original_recipient : "-",
			r->diagnostic ? r->diagnostic : "-");
	}
	dsn_release(&d);
	return i;
}

void
dsn_capture_release(struct dsn_capture *c)
{
	buf_release(&c->body);
	c->in = 0;
}
