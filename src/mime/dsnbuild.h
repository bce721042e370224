/*
 * dsnbuild.h: a delivery status notification (a bounce) for a message that
 * will not be delivered: msend's queue reports what it drops this way.
 *
 * The report is a multipart/report (RFC 6522) of three parts: a text for
 * people, the message/delivery-status fields (RFC 3464: one per-message
 * block, one block per recipient) and the original message's header
 * section as text/rfc822-headers. dsn.h reads it back.
 */
#ifndef MKIT_DSNBUILD_H
#define MKIT_DSNBUILD_H

#include <stddef.h>

#include "base/buf.h"

/* One recipient the message did not reach. */
struct dsnb_rcpt {
	const char *addr;
	const char *status;	/* "5.1.1" (RFC 3463) */
	const char *diag;	/* the server's reply, one line, or NULL */
};

struct dsnb {
	const char *to;		/* who is told: the envelope sender */
	const char *from;	/* From: address ("MAILER-DAEMON@host") */
	const char *mta;	/* Reporting-MTA name */
	const char *queue_id;	/* or NULL */
	long long arrival;	/* when the message was accepted; 0: none */
	long long now;		/* Date:; 0: time(NULL) */
	const char *reason;	/* one line for the text part */
	const struct dsnb_rcpt *rcpt;
	size_t nrcpt;
	const char *msg;	/* the original message, CRLF line ends */
	size_t msg_len;
};

/*
 * Append the report to out as a complete message with CRLF line ends
 * (header fields included: From, To, Subject, Date, Message-ID,
 * Auto-Submitted, MIME). Values with CR or LF are cut at the line break
 * (a reply is one line; nothing can add a field). Never fails.
 */
void dsnb_build(struct buf *out, const struct dsnb *d);

#endif
