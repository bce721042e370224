/* t_dsnbuild.c: the delivery report msend's queue sends (dsnbuild.h),
 * read back with the parser mparse uses (dsn.h). */
#include <config.h>

#include <string.h>

#include "mime/dsn.h"
#include "mime/dsnbuild.h"
#include "tap.h"

/* The body of the part whose Content-Type line is ct, up to the next
 * boundary line ("\r\n--"). */
static const char *
part_body(const char *msg, const char *ct, size_t *len)
{
	const char *p = strstr(msg, ct), *end;

	if (!p || !(p = strstr(p, "\r\n\r\n")))
		return NULL;
	p += 4;
	end = strstr(p, "\r\n--=_mkit_report_");
	*len = end ? (size_t)(end - p) : 0;
	return p;
}

/* RFC 6533: a UTF-8 recipient makes the report global; its address is
 * written as utf-8-addr-unitext and read back as it was. */
static void
test_global(void)
{
	static const char orig[] = "From: alice@example.test\r\n"
		"To: bj\xc3\xb8rn+x@ex\xc3\xa4mple.test\r\n"
		"Subject: gr\xc3\xbc\xc3\x9f" "e\r\n\r\nbody\r\n";
	const struct dsnb_rcpt rc[] = {
		{ "bj\xc3\xb8rn+x@ex\xc3\xa4mple.test", "5.1.1", "550 no" },
		{ "bob@example.test", "5.1.1", "550 no" },
	};
	struct dsnb d = { "alice@example.test", "MAILER-DAEMON@example.test",
		"client.example.test", NULL, 0, 1700003600, "550 no", rc, 2,
		orig, sizeof orig - 1 };
	static const char xtext[] = "Reporting-MTA: dns; m\r\n\r\n"
		"Final-Recipient: utf-8; bj\\x{F8}rn\\x{2b}x@\\x{1F600}.test\r\n"
		"Original-Recipient: utf-8; a\\x{D800}\\x{0}\\x{41\r\n"
		"Action: failed\r\n";
	const char *body;
	struct dsn dsn;
	struct buf out = BUF_INIT;
	size_t len;

	dsnb_build(&out, &d);
	body = part_body(out.data, "Content-Type: message/global-delivery-"
		"status\r\nContent-Transfer-Encoding: 8bit", &len);
	tap_ok(body != NULL, "global: a global-delivery-status part, 8bit");
	tap_ok(strstr(out.data, "\r\nContent-Type: multipart/report; "
		"report-type=global-delivery-status;") != NULL,
		"global: multipart/report");
	tap_ok(strstr(out.data, "\r\nFinal-Recipient: utf-8; "
		"bj\xc3\xb8rn\\x{2B}x@ex\xc3\xa4mple.test\r\n") != NULL,
		"global: utf-8-addr-unitext");
	tap_ok(strstr(out.data, "\r\nFinal-Recipient: rfc822; "
		"bob@example.test\r\n") != NULL, "global: ASCII stays rfc822");
	tap_int((long long)dsn_parse(body ? body : "", len, &dsn), 2,
		"global: two recipient blocks");
	tap_str(dsn.r[0].final_recipient, "bj\xc3\xb8rn+x@ex\xc3\xa4mple.test",
		"global: the address read back");
	dsn_release(&dsn);
	body = part_body(out.data, "Content-Type: message/global-headers\r\n"
		"Content-Transfer-Encoding: 8bit", &len);
	tap_ok(body && len == strlen(orig) - strlen("body\r\n") - 2,
		"global: the UTF-8 header as message/global-headers");
	buf_release(&out);
	dsn_parse(xtext, sizeof xtext - 1, &dsn);
	tap_str(dsn.r[0].final_recipient, "bj\xc3\xb8rn+x@\xf0\x9f\x98\x80"
		".test", "utf-8-addr-xtext decoded");
	tap_str(dsn.r[0].original_recipient, "a\\x{D800}\\x{0}\\x{41",
		"escapes naming no character kept");
	dsn_release(&dsn);
}

int
main(void)
{
	static const char orig[] = "From: alice@example.test\r\n"
		"Subject: lost\r\n\r\nthe body, not reported\r\n";
	const struct dsnb_rcpt rc[] = {
		{ "bob@example.test", "5.1.1", "550 5.1.1 no such user" },
		{ "carol@example.test", "4.4.7", "451 4.3.0 try\r\nX-Evil: 1" },
	};
	struct dsnb d = { "alice@example.test", "MAILER-DAEMON@example.test",
		"client.example.test", "123.45", 1700000000, 1700003600,
		"550 5.1.1 no such user", rc, 2, orig, sizeof orig - 1 };
	struct buf out = BUF_INIT;
	struct dsn dsn;
	const char *body;
	size_t len;

	dsnb_build(&out, &d);
	tap_ok(strncmp(out.data, "From: Mail Delivery System "
		"<MAILER-DAEMON@example.test>\r\nTo: <alice@example.test>\r\n",
		80) == 0, "From and To");
	tap_ok(strstr(out.data, "\r\nContent-Type: multipart/report; "
		"report-type=delivery-status;") != NULL, "multipart/report");
	tap_ok(strstr(out.data, "\r\nAuto-Submitted: auto-replied\r\n") !=
		NULL, "Auto-Submitted");
	tap_ok(strstr(out.data, "\r\nX-Evil") == NULL,
		"a line break in a reply adds no field");
	body = part_body(out.data, "Content-Type: message/delivery-status",
		&len);
	tap_ok(body != NULL, "a delivery-status part");
	tap_int((long long)dsn_parse(body ? body : "", len, &dsn), 2,
		"two recipient blocks");
	tap_str(dsn.reporting_mta, "client.example.test", "Reporting-MTA");
	tap_str(dsn.r[0].final_recipient, "bob@example.test", "recipient 1");
	tap_str(dsn.r[0].action, "failed", "action");
	tap_str(dsn.r[0].status, "5.1.1", "status 1");
	tap_str(dsn.r[0].diagnostic, "550 5.1.1 no such user", "diagnostic");
	tap_str(dsn.r[1].final_recipient, "carol@example.test",
		"recipient 2");
	tap_str(dsn.r[1].status, "4.4.7", "status 2");
	tap_str(dsn.r[1].diagnostic, "451 4.3.0 try", "diagnostic cut");
	dsn_release(&dsn);
	body = part_body(out.data, "Content-Type: text/rfc822-headers", &len);
	tap_mem(body, len, orig, strlen("From: alice@example.test\r\n"
		"Subject: lost\r\n"), "the original header, not its body");
	tap_ok(strstr(out.data, "the body, not reported") == NULL,
		"no body");
	tap_ok(out.len > 20 && strcmp(out.data + out.len - 4, "--\r\n") == 0,
		"closing boundary");
	buf_release(&out);
	test_global();
	return tap_done();
}
