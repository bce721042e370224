/* addrsplit.c: see addrsplit.h. RFC 5322 section 3.4 (address-list). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "addrsplit.h"
#include "buf.h"
#include "util.h"

void
addrvec_push(struct addrvec *av, const char *s, size_t len)
{
	if (av->n == av->alloc) {
		av->alloc = av->alloc ? av->alloc * 2 : 8;
		av->v = xrealloc(av->v, av->alloc * sizeof(*av->v));
	}
	av->v[av->n++] = xmemdup(s, len);
}

void
addrvec_release(struct addrvec *av)
{
	size_t i;

	for (i = 0; i < av->n; i++)
		free(av->v[i]);
	free(av->v);
	av->v = NULL;
	av->n = av->alloc = 0;
}

/* End of one mailbox: keep the angle address when there was one, else the
 * bare text. Returns 1 if an address was appended. */
static int
flush(struct buf *text, struct buf *angle, int had_angle,
	struct addrvec *out)
{
	const char *p;
	size_t n;
	int added = 0;

	if (had_angle) {
		p = angle->data ? angle->data : "";
		n = angle->len;
		/* Obsolete source route "@a,@b:user@host". */
		if (n && p[0] == '@') {
			const char *colon = memchr(p, ':', n);

			if (colon) {
				n -= (size_t)(colon + 1 - p);
				p = colon + 1;
			}
		}
	} else {
		p = text->data ? text->data : "";
		n = text->len;
	}
	if (n) {
		addrvec_push(out, p, n);
		added = 1;
	}
	buf_reset(text);
	buf_reset(angle);
	return added;
}

int
addrsplit(const char *s, size_t len, struct addrvec *out, struct err *err)
{
	struct buf text = BUF_INIT, angle = BUF_INIT;
	int in_angle = 0, had_angle = 0, count = 0, ret = -1;
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		struct buf *dst = in_angle ? &angle : &text;

		if (c == '(') {
			int depth = 1;

			for (i++; i < len && depth; i++) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				else if (s[i] == '(')
					depth++;
				else if (s[i] == ')')
					depth--;
			}
			if (depth) {
				err_set(err, ERR_DATA, "unterminated comment "
					"in address list");
				goto out;
			}
			continue;
		}
		if (c == '"') {
			size_t start = i;

			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\' && i + 1 < len)
					i++;
			if (i >= len) {
				err_set(err, ERR_DATA, "unterminated quoted "
					"string in address list");
				goto out;
			}
			i++;
			buf_add(dst, s + start, i - start);
			continue;
		}
		if (c == '[') {
			/* Domain literal: copied verbatim. */
			size_t start = i;

			while (i < len && s[i] != ']')
				i++;
			if (i < len)
				i++;
			buf_add(dst, s + start, i - start);
			continue;
		}
		i++;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (in_angle) {
			if (c == '>')
				in_angle = 0;
			else
				buf_addch(&angle, c);
			continue;
		}
		switch (c) {
		case '<':
			/* A second angle address in one mailbox replaces the
			 * first; the display name is dropped. */
			buf_reset(&angle);
			in_angle = had_angle = 1;
			break;
		case ':':
			/* Group name: drop it, the members follow. */
			buf_reset(&text);
			break;
		case ',':
		case ';':
			count += flush(&text, &angle, had_angle, out);
			had_angle = 0;
			break;
		default:
			buf_addch(&text, c);
		}
	}
	if (in_angle) {
		err_set(err, ERR_DATA, "unterminated angle address in "
			"address list");
		goto out;
	}
	count += flush(&text, &angle, had_angle, out);
	ret = count;
out:
	buf_release(&text);
	buf_release(&angle);
	return ret;
}
