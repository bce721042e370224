/* probe.c: see probe.h. */
#include <config.h>

#include <string.h>

#include "net/tlsreport.h"
#include "proto/probe.h"

void
probe_lines(struct buf *out, const char *label, const char *raw)
{
	const char *p = raw;

	while (*p) {
		size_t n = strcspn(p, "\r\n");

		buf_addf(out, "%s%.*s\n", label, (int)n, p);
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
}

void
probe_smtp_text(struct buf *out, const struct probe_smtp *p)
{
	buf_addf(out, "server: %s\n", p->server);
	probe_lines(out, "greeting: ", p->greeting);
	tlsreport_text(out, p->tls);
	probe_lines(out, "ehlo: ", p->ehlo);
	if (p->size_limit)
		buf_addf(out, "size limit: %llu\n", p->size_limit);
	buf_addf(out, "auth mechanisms: %s\n", *p->auth ? p->auth : "(none)");
}

void
probe_smtp_json(struct json *j, const struct probe_smtp *p)
{
	json_obj_begin(j);
	json_key(j, "server"); json_cstr(j, p->server);
	json_key(j, "greeting"); json_cstr(j, p->greeting);
	json_key(j, "ehlo"); json_cstr(j, p->ehlo);
	json_key(j, "size_limit"); json_int(j, (long long)p->size_limit);
	json_key(j, "auth"); json_cstr(j, p->auth);
	json_key(j, "tls"); tlsreport_json(j, p->tls);
	json_obj_end(j);
}
