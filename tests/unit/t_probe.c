/* t_probe: what --probe shows of an SMTP server (probe.h), for people and
 * as JSON, from fixed values, with and without TLS. */
#include <config.h>

#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "proto/probe.h"
#include "tap.h"

static void
test_lines(void)
{
	static const struct {
		const char *raw, *want;
	} t[] = {
		{ "", "" },
		{ "220 a\r\n", "g: 220 a\n" },
		{ "250-a\r\n250 b\r\n", "g: 250-a\ng: 250 b\n" },
		{ "250-a\n\n250 b", "g: 250-a\ng: 250 b\n" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf out = BUF_INIT;

		probe_lines(&out, "g: ", t[i].raw);
		tap_mem(out.data, out.len, t[i].want, strlen(t[i].want),
			"lines");
		buf_release(&out);
	}
}

static void
test_smtp(void)
{
	struct conn_tls_info ti;
	struct probe_smtp p = { "mx.example:587", "220 mx ESMTP\r\n",
		"250-mx\r\n250 SIZE 1000\r\n", 1000, "PLAIN LOGIN", NULL };
	struct buf out = BUF_INIT;
	struct json j;

	probe_smtp_text(&out, &p);
	tap_str(out.data, "server: mx.example:587\ngreeting: 220 mx ESMTP\n"
		"tls: none\nehlo: 250-mx\nehlo: 250 SIZE 1000\n"
		"size limit: 1000\nauth mechanisms: PLAIN LOGIN\n",
		"text without TLS");
	buf_reset(&out);
	p.size_limit = 0;
	p.auth = "";
	memset(&ti, 0, sizeof ti);
	strcpy(ti.version, "TLSv1.3");
	strcpy(ti.cipher, "TLS_AES_256_GCM_SHA384");
	p.tls = &ti;
	probe_smtp_text(&out, &p);
	tap_ok(strstr(out.data, "\ntls: TLSv1.3 TLS_AES_256_GCM_SHA384\n") &&
		!strstr(out.data, "size limit") &&
		strstr(out.data, "\nauth mechanisms: (none)\n"),
		"text with TLS, no size limit, no mechanism");
	buf_reset(&out);
	p.tls = NULL;
	p.size_limit = 1000;
	json_init(&j, &out);
	probe_smtp_json(&j, &p);
	tap_str(out.data, "{\"server\":\"mx.example:587\","
		"\"greeting\":\"220 mx ESMTP\\r\\n\","
		"\"ehlo\":\"250-mx\\r\\n250 SIZE 1000\\r\\n\","
		"\"size_limit\":1000,\"auth\":\"\",\"tls\":null}", "JSON");
	buf_release(&out);
}

int
main(void)
{
	test_lines();
	test_smtp();
	return tap_done();
}
