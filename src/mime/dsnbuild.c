/*
 * dsnbuild.c: a delivery status notification (dsnbuild.h).
 * RFC 3464 (message/delivery-status), RFC 6522 (multipart/report), RFC 3463
 * (status codes), RFC 3834 (Auto-Submitted), RFC 6533 (UTF-8 addresses:
 * the utf-8 address type, message/global-delivery-status and
 * message/global-headers).
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

/*
 * A recipient field's value (RFC 3464 2.3.2, RFC 6533 3): "rfc822; ADDR"
 * for an ASCII address, else "utf-8; " and the address as
 * utf-8-addr-unitext: UTF-8 as it is, but controls, space, '+', '=' and
 * '\' as \x{HH}.
 */
static void
add_addr_type(struct buf *out, const char *addr)
{
	int n = line_len(addr), i;

	if (!msgprep_str_utf8(addr)) {
		buf_addf(out, "rfc822; %.*s", n, addr);
		return;
	}
	buf_addstr(out, "utf-8; ");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (c <= ' ' || c == '+' || c == '=' || c == '\\' || c == 127)
			buf_addf(out, "\\x{%02X}", c);
		else
			buf_addch(out, (char)c);
	}
}

/* Does any recipient address need RFC 6533's global types? */
static int
any_utf8_rcpt(const struct dsnb *d)
{
	size_t i;

	for (i = 0; i < d->nrcpt; i++)
		if (msgprep_str_utf8(d->rcpt[i].addr))
			return 1;
	return 0;
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

		buf_addstr(out, "\r\nFinal-Recipient: ");
		add_addr_type(out, r->addr);
		buf_addf(out, "\r\nAction: failed\r\nStatus: %.*s\r\n",
			line_len(r->status), r->status);
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
	/* RFC 6533: a UTF-8 address makes the status part global (UTF-8
	 * allowed in its fields), and a UTF-8 header section the returned
	 * one; both then travel as 8bit. */
	int global = any_utf8_rcpt(&d);
	size_t hlen = head_len(d.msg, d.msg_len);
	int global_head = msgprep_mem_8bit(d.msg, hlen);
	const char *cte8 = "Content-Transfer-Encoding: 8bit\r\n";
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
		"report-type=%sdelivery-status;\r\n\tboundary=\"%s\"\r\n\r\n"
		"This is a MIME-encapsulated delivery report.\r\n\r\n",
		global ? "global-" : "", boundary);
	buf_addf(out, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		"%sContent-Description: Notification\r\n\r\n", boundary,
		global ? cte8 : "");
	buf_addf(out, "This is msend at %.*s. Your message could not be "
		"delivered\r\nto the recipients below, and was removed from "
		"the queue:\r\n%.*s\r\n\r\n", line_len(d.mta), d.mta,
		line_len(d.reason), d.reason);
	for (i = 0; i < d.nrcpt; i++)
		buf_addf(out, "<%.*s>: %.*s\r\n", line_len(d.rcpt[i].addr),
			d.rcpt[i].addr, line_len(d.rcpt[i].diag ?
			d.rcpt[i].diag : d.reason), d.rcpt[i].diag ?
			d.rcpt[i].diag : d.reason);
	buf_addf(out, "\r\n--%s\r\nContent-Type: message/%sdelivery-status"
		"\r\n%sContent-Description: Delivery report\r\n\r\n", boundary,
		global ? "global-" : "", global ? cte8 : "");
	status_fields(out, &d);
	buf_addf(out, "\r\n--%s\r\nContent-Type: %s\r\n%s"
		"Content-Description: Undelivered message headers\r\n\r\n",
		boundary, global_head ? "message/global-headers" :
		"text/rfc822-headers", global_head ? cte8 : "");
	buf_add(out, d.msg, hlen);
	buf_addf(out, "\r\n--%s--\r\n", boundary);
}
