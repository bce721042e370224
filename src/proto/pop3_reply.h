/*
 * pop3_reply.h: POP3 replies and multi-line responses, read through the
 * line layer (net/pp.h).
 */
#ifndef MKIT_POP3_REPLY_H
#define MKIT_POP3_REPLY_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"

enum pop3_reply_status {
	POP3_REPLY_ERR,	/* "-ERR" */
	POP3_REPLY_OK,	/* "+OK" */
	POP3_REPLY_CONT,	/* "+ " or "+": SASL continuation (RFC 5034) */
};

struct pop3_reply {
	enum pop3_reply_status status;
	/* RFC 2449 extended response code without brackets ("IN-USE",
	 * "SYS/TEMP", "AUTH"), or "" */
	char code[32];
	/* The text after the status and the response code (NUL-terminated;
	 * for POP3_REPLY_CONT the base64 challenge). */
	struct buf text;
	/* The whole line as received, without its line end. */
	struct buf raw;
};

void pop3_reply_init(struct pop3_reply *r);
void pop3_reply_release(struct pop3_reply *r);

/*
 * Read one POP3 status line into r (reset first): "+OK text",
 * "-ERR [CODE] text", "+ challenge". Status words are matched without
 * regard to case. Anything else is ERR_PROTOCOL ("host:port: malformed
 * reply: ...", the line in e->reply). A -ERR is a successful read. The
 * input is released as for smtp_reply_read (so pp_starttls() or
 * conn_starttls() may follow a STLS go-ahead).
 */
int pop3_reply_read(struct pp *p, struct pop3_reply *r,
	struct err *e);

/*
 * Read the next line of a multi-line response (after the +OK of RETR,
 * TOP, LIST, UIDL, CAPA): the view as with pp_read_data_line (line end
 * included, long lines in pieces), with the byte-stuffing '.' of a line
 * start removed. The terminating "." line sets *end to 1 (and *len to 0)
 * and closes the data in the transcript ("< [message data: N bytes]"
 * then "< ."); otherwise *end is 0. Errors as
 * pp_read_data_line (EOF before the "." is ERR_IO).
 */
int pop3_reply_body_line(struct pp *p, const char **line, size_t *len,
	int *end, struct err *e);

#endif
