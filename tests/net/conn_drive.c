/*
 * conn_drive: run conn + pp against a test server, for tests/net.bats.
 *
 * usage: conn_drive [options] HOST PORT STEP...
 * options: --tls (implicit TLS; default plain), --trust FILE,
 *   --fingerprint FP, --no-certcheck, --tls-min 1.2|1.3, --tls-host NAME,
 *   --timeout S, --connect-timeout S, --socks HOST:PORT, --cert F,
 *   --key F, --rbuf-cap N, -v (transcript to stderr), --full-data,
 *   --no-tls-init (conn_global_init(CONN_INIT_NO_TLS) first)
 * steps:
 *   line          read one line, print "line: TEXT"
 *   reply         read an SMTP reply, print "reply: CODE ESC|TEXT|..."
 *   send:TEXT     queue TEXT as a command and flush
 *   secret:P:S    queue P+S as a secret command and flush
 *   starttls      conn_starttls
 *   info          print the TLS info fields
 *   cb            print the channel binding lengths
 *   bulk:N:L      queue N commands of L bytes each, flush once, then read
 *                 N replies; print "bulk: N replies"
 *   data:TEXT     DATA body (\n in TEXT is a newline), then read a reply
 *   wait:MS       pp_wait, print "wait: 1" (readable) or "wait: 0"
 *   close         close now
 * On the first failure it prints "error CODE: MESSAGE" and exits 1.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"
#include "net/conn.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/smtp_data.h"
#include "proto/smtp_reply.h"

static void
fail(const struct err *e)
{
	printf("error %s: %s\n", err_code_name(e->code), e->msg);
	if (e->reply[0])
		printf("reply: %s\n", e->reply);
	exit(1);
}

static char *
unescape(const char *s)
{
	char *o = xstrdup(s), *p = o;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*p++ = '\n';
			s++;
		} else
			*p++ = *s;
	}
	*p = '\0';
	return o;
}

int
main(int argc, char **argv)
{
	struct conn_opts o;
	struct transcript ts;
	char *socks = NULL;
	struct err e;
	struct conn *c = NULL;
	struct pp p;
	struct smtp_reply r;
	struct smtp_data sd;
	enum conn_mode mode = CONN_PLAIN;
	int i, verbose = 0;
	unsigned tflags = 0;
	char *colon;

	conn_opts_init(&o);
	err_clear(&e);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--tls"))
			mode = CONN_TLS;
		else if (!strcmp(a, "--no-certcheck"))
			o.no_certcheck = 1;
		else if (!strcmp(a, "-v"))
			verbose = 1;
		else if (!strcmp(a, "--full-data"))
			tflags |= TRANSCRIPT_FULL_DATA;
		else if (!strcmp(a, "--no-tls-init")) {
			if (conn_global_init(CONN_INIT_NO_TLS, &e) < 0)
				fail(&e);
		}
		else {
			i++;
			if (!strcmp(a, "--trust"))
				o.trust_file = v;
			else if (!strcmp(a, "--fingerprint"))
				o.fingerprint = v;
			else if (!strcmp(a, "--tls-min"))
				o.tls_min = !strcmp(v, "1.3") ?
					CONN_TLS_MIN_1_3 : CONN_TLS_MIN_1_2;
			else if (!strcmp(a, "--tls-host"))
				o.tls_host = v;
			else if (!strcmp(a, "--timeout"))
				o.timeout = atoi(v);
			else if (!strcmp(a, "--connect-timeout"))
				o.connect_timeout = atoi(v);
			else if (!strcmp(a, "--cert"))
				o.cert_file = v;
			else if (!strcmp(a, "--key"))
				o.key_file = v;
			else if (!strcmp(a, "--rbuf-cap"))
				o.rbuf_cap = strtoul(v, NULL, 10);
			else if (!strcmp(a, "--socks")) {
				o.socks_host = socks = xstrdup(v);
				colon = strrchr(socks, ':');
				if (colon) {
					*colon = '\0';
					o.socks_port =
						(unsigned)atoi(colon + 1);
				}
			} else {
				fprintf(stderr, "conn_drive: bad option "
					"%s\n", a);
				return 2;
			}
		}
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: conn_drive [options] HOST PORT "
			"STEP...\n");
		return 2;
	}
	if (verbose) {
		transcript_init_file(&ts, stderr, tflags);
		o.transcript = &ts;
	}
	o.host = argv[i];
	o.port = (unsigned)atoi(argv[i + 1]);
	c = conn_open(&o, mode, &e);
	if (!c)
		fail(&e);
	printf("connected%s\n", conn_is_tls(c) ? " tls" : "");
	pp_init(&p, c);
	smtp_reply_init(&r);
	smtp_data_init(&sd);
	for (i += 2; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "line")) {
			const char *l;
			size_t n;

			if (pp_read_line(&p, &l, &n, &e) < 0)
				fail(&e);
			printf("line: %.*s\n", (int)n, l);
		} else if (!strcmp(s, "reply")) {
			const char *l;
			size_t n, pos = 0;

			if (smtp_reply_read(&p, &r, &e) < 0)
				fail(&e);
			printf("reply: %d %s", r.code, r.esc);
			while (smtp_reply_line(&r, &pos, &l, &n))
				printf("|%.*s", (int)n, l);
			printf("\n");
		} else if (!strncmp(s, "send:", 5)) {
			if (pp_cmd(&p, &e, "%s", s + 5) < 0 ||
			    pp_flush(&p, &e) < 0)
				fail(&e);
		} else if (!strncmp(s, "secret:", 7)) {
			char *pub = xstrdup(s + 7), *sec = strchr(pub, ':');

			if (!sec)
				return 2;
			*sec++ = '\0';
			if (pp_cmd_secret(&p, pub, sec, &e) < 0 ||
			    pp_flush(&p, &e) < 0)
				fail(&e);
			free(pub);
		} else if (!strcmp(s, "starttls")) {
			if (conn_starttls(c, &e) < 0)
				fail(&e);
			printf("starttls ok\n");
		} else if (!strcmp(s, "info")) {
			struct conn_tls_info info;

			if (conn_tls_info(c, &info, &e) < 0)
				fail(&e);
			printf("version: %s\ncipher: %s\nsubject: %s\n"
				"issuer: %s\nnot_before: %s\nnot_after: %s\n"
				"sha256: %s\n", info.version, info.cipher,
				info.subject, info.issuer, info.not_before,
				info.not_after, info.sha256);
		} else if (!strcmp(s, "cb")) {
			unsigned char cb[128];
			long n;

			n = conn_channel_binding(c, CONN_CB_TLS_EXPORTER, cb,
				sizeof(cb), &e);
			printf("tls-exporter: %ld%s%s\n", n, n < 0 ? " " : "",
				n < 0 ? err_code_name(e.code) : "");
			n = conn_channel_binding(c, CONN_CB_TLS_UNIQUE, cb,
				sizeof(cb), &e);
			printf("tls-unique: %ld%s%s\n", n, n < 0 ? " " : "",
				n < 0 ? err_code_name(e.code) : "");
		} else if (!strncmp(s, "bulk:", 5)) {
			long n = strtol(s + 5, &colon, 10), k;
			long len = *colon == ':' ? strtol(colon + 1, NULL, 10) :
				100;
			char *line = xmalloc((size_t)len + 1);

			memset(line, 'x', (size_t)len);
			line[len] = '\0';
			for (k = 0; k < n; k++)
				if (pp_cmd(&p, &e, "%s", line) < 0)
					fail(&e);
			if (pp_flush(&p, &e) < 0)
				fail(&e);
			for (k = 0; k < n; k++)
				if (smtp_reply_read(&p, &r, &e) < 0)
					fail(&e);
			printf("bulk: %ld replies\n", n);
			free(line);
		} else if (!strncmp(s, "data:", 5)) {
			char *d = unescape(s + 5);

			smtp_data_begin(&sd);
			if (smtp_data_write(&sd, &p, d, strlen(d), &e) < 0 ||
			    smtp_data_end(&sd, &p, &e) < 0 ||
			    pp_flush(&p, &e) < 0)
				fail(&e);
			free(d);
		} else if (!strncmp(s, "wait:", 5)) {
			int w = pp_wait(&p, atoi(s + 5), &e);

			if (w < 0)
				fail(&e);
			printf("wait: %d\n", w);
		} else if (!strcmp(s, "close")) {
			break;
		} else {
			fprintf(stderr, "conn_drive: bad step %s\n", s);
			return 2;
		}
	}
	smtp_reply_release(&r);
	smtp_data_release(&sd);
	pp_release(&p);
	conn_close(c);
	if (verbose)
		transcript_release(&ts);
	free(socks);
	printf("done\n");
	return 0;
}
