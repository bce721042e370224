/*
 * smtp_reply.h: SMTP replies, read through the line layer (net/pp.h).
 */
#ifndef MKIT_SMTP_REPLY_H
#define MKIT_SMTP_REPLY_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"

#define SMTP_REPLY_MAX_LINES	512
#define SMTP_REPLY_MAX_BYTES	(256 * 1024)

struct smtp_reply {
	int code;		/* 3 digits, 200..599 (1xx accepted as read) */
	char esc[16];		/* enhanced status code "5.7.8", or "" */
	/*
	 * The text of every line: what follows "NNN-"/"NNN " and, when the
	 * line starts with it, the enhanced status code and its space. Each
	 * line ends with '\n' (text.data is also NUL-terminated).
	 */
	struct buf text;
	size_t nlines;
	/* The lines exactly as received, each ended with "\r\n" (for
	 * err_reply and error messages). */
	struct buf raw;
};

void smtp_reply_init(struct smtp_reply *r);
void smtp_reply_release(struct smtp_reply *r);

/*
 * Read one complete SMTP reply ("250-a" ... "250 z") into r (reset
 * first; r holds copies, and the input is released when the reply is
 * complete, so conn_starttls() may follow the STARTTLS go-ahead).
 * Checks: every line starts with the same 3-digit code followed by '-',
 * ' ' or the line end (the last line); at most SMTP_REPLY_MAX_LINES
 * lines and SMTP_REPLY_MAX_BYTES bytes. A violation is ERR_PROTOCOL
 * ("host:port: malformed reply: ...") with the offending line in e->reply.
 * The reply's code is not judged here: a 5xx is a successful read.
 */
int smtp_reply_read(struct pp *p, struct smtp_reply *r,
	struct err *e);

/*
 * Walk the text lines: start with *pos = 0; each call gives the next line
 * (without '\n') and returns 1, or 0 after the last.
 */
int smtp_reply_line(const struct smtp_reply *r, size_t *pos,
	const char **line, size_t *len);

#endif
