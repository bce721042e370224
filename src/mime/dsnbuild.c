/*
 * dsnbuild.c: a delivery status notification (dsnbuild.h).
 * RFC 3464 (message/delivery-status), RFC 6522 (multipart/report), RFC 3463
 * (status codes), RFC 3834 (Auto-Submitted).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mime/dsnbuild.h"
#include "mime/msgprep.h"

/* A value up to its first line break. */
static int
line_len(const char *s)
{
	return (int)strcspn(s ? s : "", "\r\n");
}

/* The header section of msg: up to and with its empty line, or all. */
static size_t
head_len(const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;

	if (len >= 2 && msg[0] == '\r' && msg[1] == '\n')
		return 0;
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));

		if (!lf)
			return len;
		if (lf + 3 <= end && lf[1] == '\r' && lf[2] == '\n')
			return (size_t)(lf + 1 - msg);
		p = lf + 1;
	}
	return len;
}

static void
add_date_field(struct buf *out, const char *name, long long t)
{
	struct buf d = BUF_INIT;

	msgprep_add_date(&d, t);	/* "Date: ..." */
	buf_addf(out, "%s:%s", name, d.data + 5);
	buf_release(&d);
}

static void
status_fields(struct buf *out, const struct dsnb *d)
{
	size_t i;

	buf_addf(out, "Reporting-MTA: dns; %.*s\r\n", line_len(d->mta),
		d->mta);
	if (d->queue_id)
		buf_addf(out, "X-Mkit-Queue-ID: %.*s\r\n",
			line_len(d->queue_id), d->queue_id);
	if (d->arrival)
		add_date_field(out, "Arrival-Date", d->arrival);
	for (i = 0; i < d->nrcpt; i++) {
		const struct dsnb_rcpt *r = &d->rcpt[i];

		buf_addf(out, "\r\nFinal-Recipient: rfc822; %.*s\r\n"
			"Action: failed\r\nStatus: %.*s\r\n",
			line_len(r->addr), r->addr, line_len(r->status),
			r->status);
		if (r->diag && *r->diag)
			buf_addf(out, "Diagnostic-Code: smtp; %.*s\r\n",
				line_len(r->diag), r->diag);
		add_date_field(out, "Last-Attempt-Date", d->now);
	}
}

void
dsnb_build(struct buf *out, const struct dsnb *d_in)
{
	struct dsnb d = *d_in;
	char boundary[64];
	size_t i;

	if (!d.now)
		d.now = (long long)time(NULL);
	snprintf(boundary, sizeof boundary, "=_mkit_report_%lld_%ld", d.now,
		(long)getpid());
	buf_addf(out, "From: Mail Delivery System <%.*s>\r\n",
		line_len(d.from), d.from);
	buf_addf(out, "To: <%.*s>\r\n", line_len(d.to), d.to);
	buf_addstr(out, "Subject: Undelivered Mail Returned to Sender\r\n");
	msgprep_add_date(out, d.now);
	msgprep_add_msgid(out, NULL, d.from, d.now);
	buf_addstr(out, "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n");
	buf_addf(out, "Content-Type: multipart/report; "
		"report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n\r\n"
		"This is a MIME-encapsulated delivery report.\r\n\r\n",
		boundary);
	buf_addf(out, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		"Content-Description: Notification\r\n\r\n", boundary);
	buf_addf(out, "This is msend at %.*s. Your message could not be "
		"delivered\r\nto the recipients below, and was removed from "
		"the queue:\r\n%.*s\r\n\r\n", line_len(d.mta), d.mta,
		line_len(d.reason), d.reason);
	for (i = 0; i < d.nrcpt; i++)
		buf_addf(out, "<%.*s>: %.*s\r\n", line_len(d.rcpt[i].addr),
			d.rcpt[i].addr, line_len(d.rcpt[i].diag ?
			d.rcpt[i].diag : d.reason), d.rcpt[i].diag ?
			d.rcpt[i].diag : d.reason);
	buf_addf(out, "\r\n--%s\r\nContent-Type: message/delivery-status\r\n"
		"Content-Description: Delivery report\r\n\r\n", boundary);
	status_fields(out, &d);
	buf_addf(out, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n"
		"Content-Description: Undelivered message headers\r\n\r\n",
		boundary);
	buf_add(out, d.msg, head_len(d.msg, d.msg_len));
	buf_addf(out, "\r\n--%s--\r\n", boundary);
}
