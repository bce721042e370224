/*
 * smtp_reply.c: SMTP replies (see smtp_reply.h).
 *
 * RFC 5321 4.2 (replies), RFC 2034 / RFC 3463 (enhanced status codes).
 */
#include <config.h>

#include <string.h>

#include "net/pp.h"
#include "net/transcript.h"
#include "proto/smtp_reply.h"

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->text, SMTP_REPLY_MAX_BYTES);
	buf_init(&r->raw, SMTP_REPLY_MAX_BYTES);
}

void
smtp_reply_release(struct smtp_reply *r)
{
	buf_release(&r->text);
	buf_release(&r->raw);
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits from s (at most max, at least 1); returns how many, or 0. */
static size_t
digits(const char *s, size_t len, size_t max)
{
	size_t i = 0;

	while (i < len && i < max && is_digit(s[i]))
		i++;
	return i < len && i == max && is_digit(s[i]) ? 0 : i;
}

/*
 * Length of an enhanced status code "c.sss.ddd" (RFC 3463) at the start
 * of s whose class matches the reply code, followed by a space or the
 * end; 0 if there is none.
 */
static size_t
esc_len(const char *s, size_t len, int code)
{
	size_t i, n;

	if (len < 5 || s[0] != '0' + code / 100 || s[1] != '.')
		return 0;
	i = 2;
	n = digits(s + i, len - i, 3);
	if (!n)
		return 0;
	i += n;
	if (i >= len || s[i] != '.')
		return 0;
	i++;
	n = digits(s + i, len - i, 3);
	if (!n)
		return 0;
	i += n;
	if (i < len && s[i] != ' ')
		return 0;
	return i;
}

int
smtp_reply_read(struct pp *p, struct smtp_reply *r, struct err *e)
{
	r->code = 0;
	r->esc[0] = '\0';
	r->nlines = 0;
	buf_reset(&r->text);
	buf_reset(&r->raw);
	for (;;) {
		const char *line, *text;
		size_t len, tlen, el;
		int code;
		char sep;

		if (pp_read_line(p, &line, &len, e) < 0)
			return -1;
		if (len < 3 || !is_digit(line[0]) || !is_digit(line[1]) ||
		    !is_digit(line[2]) || line[0] < '1' || line[0] > '5')
			return pp_malformed(p, line, len, "no 3-digit code", e);
		sep = len == 3 ? ' ' : line[3];
		if (sep != ' ' && sep != '-')
			return pp_malformed(p, line, len, "no space or '-' "
				"after the code", e);
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
			(line[2] - '0');
		if (r->nlines && code != r->code)
			return pp_malformed(p, line, len, "the code changes "
				"between lines", e);
		if (r->nlines >= SMTP_REPLY_MAX_LINES)
			return pp_malformed(p, line, len, "too many lines", e);
		r->code = code;
		text = len > 4 ? line + 4 : "";
		tlen = len > 4 ? len - 4 : 0;
		el = esc_len(text, tlen, code);
		if (el && r->nlines == 0 && el < sizeof(r->esc)) {
			memcpy(r->esc, text, el);
			r->esc[el] = '\0';
		}
		if (el) {
			text += el;
			tlen -= el;
			if (tlen) {
				text++;
				tlen--;
			}
		}
		if (buf_add(&r->raw, line, len) < 0 ||
		    buf_add(&r->raw, "\r\n", 2) < 0 ||
		    buf_add(&r->text, text, tlen) < 0 ||
		    buf_addch(&r->text, '\n') < 0)
			return pp_malformed(p, line, len, "reply too long", e);
		r->nlines++;
		if (sep == ' ') {
			/* r holds copies: release the input now, so that
			 * conn_starttls() sees an empty read buffer when
			 * nothing follows the reply */
			pp_drop_read(p);
			return 0;
		}
	}
}

int
smtp_reply_line(const struct smtp_reply *r, size_t *pos,
	const char **line, size_t *len)
{
	const char *nl;

	if (*pos >= r->text.len)
		return 0;
	*line = r->text.data + *pos;
	nl = memchr(*line, '\n', r->text.len - *pos);
	*len = nl ? (size_t)(nl - *line) : r->text.len - *pos;
	*pos += *len + 1;
	return 1;
}

