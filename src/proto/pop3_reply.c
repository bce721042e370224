/*
 * pop3_reply.c: POP3 replies and multi-line responses (see pop3_reply.h).
 *
 * RFC 1939 3 (replies, multi-line responses), RFC 2449 8 (response codes).
 */
#include <config.h>

#include <string.h>

#include "base/util.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/pop3_reply.h"

void
pop3_reply_init(struct pop3_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->text, 0);
	buf_init(&r->raw, 0);
}

void
pop3_reply_release(struct pop3_reply *r)
{
	buf_release(&r->text);
	buf_release(&r->raw);
}

/* Does line start with word, followed by a space or the end? */
static int
status_word(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && mem_casecmp(line, word, n) == 0 &&
		(len == n || line[n] == ' ');
}

int
pop3_reply_read(struct pp *p, struct pop3_reply *r, struct err *e)
{
	const char *line, *text;
	size_t len, skip;

	r->status = POP3_REPLY_ERR;
	r->code[0] = '\0';
	buf_reset(&r->text);
	buf_reset(&r->raw);
	if (pp_read_line(p, &line, &len, e) < 0)
		return -1;
	if (status_word(line, len, "+OK")) {
		r->status = POP3_REPLY_OK;
		skip = 3;
	} else if (status_word(line, len, "-ERR")) {
		r->status = POP3_REPLY_ERR;
		skip = 4;
	} else if (status_word(line, len, "+")) {
		r->status = POP3_REPLY_CONT;
		skip = 1;
	} else
		return pp_malformed(p, line, len, "no +OK or -ERR", e);
	buf_add(&r->raw, line, len);
	text = line + skip;
	len -= skip;
	if (len) {
		text++;
		len--;
	}
	/* "[CODE] text" (RFC 2449 8: the code may hold '/') */
	if (r->status != POP3_REPLY_CONT && len > 2 && text[0] == '[') {
		const char *close = memchr(text, ']', len);
		size_t n = close ? (size_t)(close - text) - 1 : 0;

		if (close && n > 0 && n < sizeof(r->code)) {
			memcpy(r->code, text + 1, n);
			r->code[n] = '\0';
			len -= n + 2;
			text = close + 1;
			if (len && *text == ' ') {
				text++;
				len--;
			}
		}
	}
	buf_add(&r->text, text, len);
	pp_drop_read(p);
	return 0;
}

int
pop3_reply_body_line(struct pp *p, const char **line, size_t *len,
	int *end, struct err *e)
{
	int bol;

	*end = 0;
	if (pp_take_data_line(p, line, len, &bol, e) < 0)
		return -1;
	if (bol && ((*len == 2 && memcmp(*line, ".\n", 2) == 0) ||
	    (*len == 3 && memcmp(*line, ".\r\n", 3) == 0))) {
		*end = 1;
		*len = 0;
		transcript_data_end(p->ts, TRANSCRIPT_RECV);
		transcript_recv(p->ts, ".", 1);
		return 0;
	}
	transcript_data(p->ts, TRANSCRIPT_RECV, *line, *len);
	if (bol && *len && (*line)[0] == '.') {
		(*line)++;
		(*len)--;
	}
	return 0;
}

