/* t_connacc: struct conn_opts from an account, default ports per protocol. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/connacc.h"
#include "net/transcript.h"
#include "tap.h"

/* An account from "key value" pairs set as command-line overrides. */
static struct account *
acc_with(const char *const *kv)
{
	struct account *a = account_new("t");
	struct err e;

	for (; kv && kv[0]; kv += 2)
		if (account_set(a, kv[0], kv[1], &e) < 0)
			printf("# account_set %s: %s\n", kv[0], e.msg);
	return a;
}

static void
test_ports(void)
{
	static const struct {
		enum connacc_proto proto;
		int tls, starttls;
		unsigned want;
	} t[] = {
		{ CONNACC_SMTP, 0, 0, 25 }, { CONNACC_SMTP, 0, 1, 25 },
		{ CONNACC_SMTP, 1, 1, 587 }, { CONNACC_SMTP, 1, 0, 465 },
		{ CONNACC_POP3, 0, 1, 110 }, { CONNACC_POP3, 1, 1, 110 },
		{ CONNACC_POP3, 1, 0, 995 },
		{ CONNACC_IMAP, 0, 0, 143 }, { CONNACC_IMAP, 1, 1, 143 },
		{ CONNACC_IMAP, 1, 0, 993 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char name[64];

		snprintf(name, sizeof name, "default port: proto %d tls %d "
			"starttls %d", (int)t[i].proto, t[i].tls,
			t[i].starttls);
		tap_int(connacc_default_port(t[i].proto, t[i].tls,
			t[i].starttls), t[i].want, name);
	}
}

/* The port and the mode connacc_opts() picks, per protocol. */
static void
test_port_rule(void)
{
	static const char *const implicit[] = { "host", "h",
		"tls_starttls", "off", NULL };
	static const char *const plain[] = { "host", "h", "tls", "off",
		NULL };
	static const char *const port[] = { "host", "h", "port", "2525",
		"tls_starttls", "off", NULL };
	static const struct {
		const char *const *kv;
		enum connacc_proto proto;
		unsigned port;
		enum conn_mode mode;
	} t[] = {
		{ NULL, CONNACC_SMTP, 587, CONN_PLAIN },
		{ NULL, CONNACC_POP3, 110, CONN_PLAIN },
		{ NULL, CONNACC_IMAP, 143, CONN_PLAIN },
		{ implicit, CONNACC_SMTP, 465, CONN_TLS },
		{ implicit, CONNACC_POP3, 995, CONN_TLS },
		{ implicit, CONNACC_IMAP, 993, CONN_TLS },
		{ plain, CONNACC_SMTP, 25, CONN_PLAIN },
		{ plain, CONNACC_POP3, 110, CONN_PLAIN },
		{ plain, CONNACC_IMAP, 143, CONN_PLAIN },
		{ port, CONNACC_SMTP, 2525, CONN_TLS },
		{ port, CONNACC_IMAP, 2525, CONN_TLS },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct account *a = acc_with(t[i].kv);
		struct conn_opts o;
		enum conn_mode m = connacc_opts(&o, a, t[i].proto, NULL);
		char name[64];

		snprintf(name, sizeof name, "port rule %zu: port", i);
		tap_int(o.port, t[i].port, name);
		snprintf(name, sizeof name, "port rule %zu: mode", i);
		tap_int(m, t[i].mode, name);
		account_free(a);
	}
}

static void
test_fields(void)
{
	static const char *const kv[] = {
		"host", "mail.example.org",
		"tls_trust_file", "/dev/null",
		"tls_fingerprint", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
			"DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
			"EE:FF",
		"tls_cert_file", "/dev/null",
		"tls_key_file", "/dev/null",
		"tls_min_version", "1.3",
		"tls_certcheck", "off",
		"timeout", "7",
		"connect_timeout", "3",
		"proxy_host", "socks.example.org",
		"proxy_port", "1081",
		NULL,
	};
	struct account *a = acc_with(kv), *d = acc_with(NULL);
	struct transcript t, *ts = &t;
	struct conn_opts o;

	transcript_init_file(&t, stderr, 0);
	connacc_opts(&o, a, CONNACC_SMTP, ts);
	tap_ok(o.host == a->host, "host borrowed from the account");
	tap_ok(o.trust_file == a->tls_trust_file, "trust file");
	tap_ok(o.fingerprint == a->tls_fingerprint && o.fingerprint,
		"fingerprint as written");
	tap_ok(o.cert_file == a->tls_cert_file && o.cert_file, "cert file");
	tap_ok(o.key_file == a->tls_key_file && o.key_file, "key file");
	tap_int(o.tls_min, CONN_TLS_MIN_1_3, "tls_min_version 1.3");
	tap_int(o.no_certcheck, 1, "tls_certcheck off");
	tap_int(o.timeout, 7, "timeout");
	tap_int(o.connect_timeout, 3, "connect timeout");
	tap_str(o.socks_host, "socks.example.org", "proxy host");
	tap_int(o.socks_port, 1081, "proxy port");
	tap_ok(o.transcript == ts, "transcript passed on");
	tap_int((long long)o.rbuf_cap, 0, "read buffer cap: conn's default");

	connacc_opts(&o, d, CONNACC_IMAP, NULL);
	tap_ok(o.host == NULL && o.fingerprint == NULL &&
		o.trust_file == NULL && o.socks_host == NULL,
		"unset strings stay NULL");
	tap_int(o.tls_min, CONN_TLS_MIN_DEFAULT, "default minimum TLS");
	tap_int(o.no_certcheck, 0, "certificates checked by default");
	tap_int(o.timeout, 60, "default timeout");
	tap_int(o.connect_timeout, 30, "default connect timeout");
	tap_int(o.socks_port, 0, "no proxy port without a proxy");
	transcript_release(&t);
	account_free(a);
	account_free(d);
}

int
main(void)
{
	test_ports();
	test_port_rule();
	test_fields();
	return tap_done();
}
