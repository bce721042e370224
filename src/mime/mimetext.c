/* mimetext.c: see mimetext.h. */
#include <config.h>

#include <string.h>

#include "mime/mimetext.h"

void
mime_text_init(struct mime_text *t, unsigned int flags)
{
	memset(t, 0, sizeof(*t));
	t->flags = flags;
	buf_init(&t->held, 0);
}

int
mime_text_begin(struct mime_text *t, const struct mime_part *p,
	struct err *e)
{
	int html = t->flags & MIME_TEXT_HTML;
	const char *want = html ? "text/html" : "text/plain";
	const char *other = html ? "text/plain" : "text/html";
	const char *cs = p->charset ? p->charset : "us-ascii";
	struct err ae;

	if (p->kind == MIME_MESSAGE)
		t->depth_msg++;
	if (p->kind != MIME_LEAF || t->done || t->streaming ||
		t->depth_msg ||
		(p->disposition && !strcmp(p->disposition, "attachment")))
		return 0;
	if (!strcmp(p->type, want)) {
		t->streaming = 1;
		t->conv_ok = charset_conv_init(&t->conv, cs, e) == 0;
		return t->conv_ok ? 0 : -1;
	}
	if (!strcmp(p->type, other) && !t->alt) {
		t->alt = 2;
		t->alt_ok = charset_conv_init(&t->aconv, cs, &ae) == 0;
	}
	return 0;
}

void
mime_text_data(struct mime_text *t, const void *data, size_t len,
	struct buf *out)
{
	struct err e;

	if (t->streaming && !t->done) {
		if (t->conv_ok)
			charset_conv_feed(&t->conv, data, len, out, &e);
		else
			buf_add(out, data, len);
	} else if (t->alt == 2) {
		if (t->alt_ok)
			charset_conv_feed(&t->aconv, data, len, &t->held, &e);
		else
			buf_add(&t->held, data, len);
	}
}

int
mime_text_end(struct mime_text *t, const struct mime_part *p,
	struct buf *out)
{
	struct err e;

	if (p->kind == MIME_MESSAGE)
		t->depth_msg--;
	if (p->kind != MIME_LEAF)
		return 0;
	if (t->streaming && !t->done) {
		if (t->conv_ok) {
			charset_conv_finish(&t->conv, out, &e);
			charset_conv_release(&t->conv);
			t->conv_ok = 0;
		}
		t->done = 1;
		return 1;
	}
	if (t->alt == 2) {
		if (t->alt_ok) {
			charset_conv_finish(&t->aconv, &t->held, &e);
			charset_conv_release(&t->aconv);
			t->alt_ok = 0;
		}
		t->alt = 1;
	}
	return 0;
}

int
mime_text_finish(struct mime_text *t, struct buf *out)
{
	if (t->done)
		return 1;
	if (t->alt != 1)
		return 0;
	buf_add(out, t->held.data, t->held.len);
	return 1;
}

void
mime_text_release(struct mime_text *t)
{
	if (t->conv_ok)
		charset_conv_release(&t->conv);
	if (t->alt_ok)
		charset_conv_release(&t->aconv);
	buf_release(&t->held);
	memset(t, 0, sizeof(*t));
}
