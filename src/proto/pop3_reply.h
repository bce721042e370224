/*
 * pop3_reply.h: POP3 replies and multi-line responses, read through the line layer (net/pp.h).
 */
#ifndef MKIT_POP3_REPLY_H
#define MKIT_POP3_REPLY_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"

enum pp_pop3_status {
	PP_POP3_ERR,	/* "-ERR" */
	PP_POP3_OK,	/* "+OK" */
	PP_POP3_CONT,	/* "+ " or "+": a SASL continuation (RFC 5034) */
};

struct pp_pop3_reply {
	enum pp_pop3_status status;
	/* RFC 2449 extended response code without brackets ("IN-USE",
	 * "SYS/TEMP", "AUTH"), or "" */
	char code[32];
	/* The text after the status and the response code (NUL-terminated;
	 * for PP_POP3_CONT the base64 challenge). */
	struct buf text;
	/* The whole line as received, without its line end. */
	struct buf raw;
};

void pp_pop3_reply_init(struct pp_pop3_reply *r);
void pp_pop3_reply_release(struct pp_pop3_reply *r);

/*
 * Read one POP3 status line into r (reset first): "+OK text",
 * "-ERR [CODE] text", "+ challenge". Status words are matched without
 * regard to case. Anything else is ERR_PROTOCOL ("host:port: malformed
 * reply: ...", the line in e->reply). A -ERR is a successful read. The
 * input is released as for pp_smtp_read_reply (so pp_starttls() or
 * conn_starttls() may follow a STLS go-ahead).
 */
int pp_pop3_read_reply(struct pp *p, struct pp_pop3_reply *r,
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
int pp_pop3_read_body_line(struct pp *p, const char **line, size_t *len,
	int *end, struct err *e);

#endif
