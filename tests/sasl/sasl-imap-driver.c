/*
 * sasl-imap-driver: drive the SASL layer through IMAP AUTHENTICATE (RFC
 * 3501 6.2.2, RFC 4959 SASL-IR) or POP3 AUTH (RFC 5034) on a plain TCP
 * socket, for the tests that run it against a real Dovecot.
 *
 * usage: sasl-imap-driver [-p] [-v] [-n] [-s] [-b SRCIP] PORT USER PASSWORD
 *        [MECH]
 *   -p  POP3 instead of IMAP
 *   -v  print the transcript on stderr, client SASL lines redacted by
 *       sasl_transcript_text() as the engines do
 *   -n  no initial response even if the server has SASL-IR
 *   -s  strict: do not allow plaintext mechanisms on this unencrypted
 *       connection (the default here allows them, as a test server has
 *       no TLS)
 *   -b  connect from this loopback address (Dovecot delays every login
 *       from an address that just failed one: the failing tests each use
 *       their own)
 *   MECH  the wanted mechanism; absent: let sasl_choose() pick
 *
 * Prints one line and exits: "authenticated MECH verified=N" (0), "refused
 * MECH: <server reply>" (1), "error CODE: <message>" (2), usage or I/O
 * trouble (3).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "proto/sasl.h"

static int verbose;
static int fd = -1;

static void
die(const char *what)
{
	printf("io error: %s: %s\n", what, errno ? strerror(errno) : "eof");
	exit(3);
}

/* One line from the server, without CR LF, in a capped buffer. */
static const char *
get_line(void)
{
	static struct buf line = BUF_INIT;
	char c;

	buf_reset(&line);
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("read");
		if (c == '\n')
			break;
		if (buf_addch(&line, c) < 0) {
			errno = 0;
			die("line too long");
		}
	}
	if (line.len && line.data[line.len - 1] == '\r')
		buf_truncate(&line, line.len - 1);
	if (verbose)
		fprintf(stderr, "S: %s\n", line.data);
	return line.data;
}

/* Send text + CRLF; shown is what the transcript may show. */
static void
put_line(const char *text, const char *shown)
{
	size_t len = strlen(text), off = 0;

	if (verbose)
		fprintf(stderr, "C: %s\n", shown);
	while (off < len + 2) {
		const char *p = off < len ? text + off : "\r\n" + (off - len);
		size_t n = off < len ? len - off : 2 - (off - len);
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		off += (size_t)w;
	}
}

static int
starts(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct sasl_creds c = { 0 };
	struct sasl *s = NULL;
	struct err e;
	struct buf mechs = BUF_INIT, cmd = BUF_INIT;
	const char *line, *mech, *wanted;
	char *ir = NULL, *resp = NULL;
	const char *src = NULL;
	int opt, no_ir = 0, strict = 0, sasl_ir = 0, pop = 0, ret = 3;
	const char *tag_ok, *tag_done;
	unsigned flags;

	while ((opt = getopt(argc, argv, "pvnsb:")) != -1) {
		switch (opt) {
		case 'p': pop = 1; break;
		case 'b': src = optarg; break;
		case 'v': verbose = 1; break;
		case 'n': no_ir = 1; break;
		case 's': strict = 1; break;
		default: goto usage;
		}
	}
	if (argc - optind < 3 || argc - optind > 4)
		goto usage;
	wanted = argc - optind == 4 ? argv[optind + 3] : NULL;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[optind]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && src) {
		struct sockaddr_in me;

		memset(&me, 0, sizeof me);
		me.sin_family = AF_INET;
		if (inet_pton(AF_INET, src, &me.sin_addr) != 1 ||
			bind(fd, (struct sockaddr *)&me, sizeof me) < 0)
			die("bind");
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect");

	line = get_line();
	if (!starts(line, pop ? "+OK" : "* OK"))
		die("greeting");
	if (pop) {
		/* RFC 5034: "SASL mech..." in CAPA; initial responses are
		 * always allowed */
		put_line("CAPA", "CAPA");
		if (!starts(get_line(), "+OK"))
			die("CAPA");
		while (strcmp(line = get_line(), ".") != 0)
			if (starts(line, "SASL "))
				buf_addstr(&mechs, line + 5);
		sasl_ir = 1;
		tag_ok = "+OK";
		tag_done = "-ERR";
	} else {
		put_line("a1 CAPABILITY", "a1 CAPABILITY");
		while (!starts(line = get_line(), "a1 ")) {
			const char *p;

			if (!starts(line, "* CAPABILITY "))
				continue;
			for (p = line + 13; *p; ) {
				size_t n = strcspn(p, " ");

				if (n > 5 && starts(p, "AUTH=")) {
					buf_add(&mechs, p + 5, n - 5);
					buf_addch(&mechs, ' ');
				} else if (n == 7 && starts(p, "SASL-IR")) {
					sasl_ir = 1;
				}
				p += n;
				while (*p == ' ')
					p++;
			}
		}
		tag_ok = "a2 OK";
		tag_done = "a2 ";
	}

	err_clear(&e);
	flags = strict ? 0 : SASL_ALLOW_PLAINTEXT;
	mech = sasl_choose(mechs.len ? mechs.data : "", wanted, flags, &e);
	if (!mech)
		goto client_error;
	c.user = argv[optind + 1];
	c.password = argv[optind + 2];
	c.service = pop ? "pop" : "imap";
	c.host = "localhost";
	c.port = (unsigned)atoi(argv[optind]);
	if (!(s = sasl_new(mech, &c, &e)) ||
		sasl_start(s, sasl_ir && !no_ir, &ir, &e) < 0)
		goto client_error;
	buf_addf(&cmd, pop ? "AUTH %s" : "a2 AUTHENTICATE %s", mech);
	if (ir) {
		char shown[200];

		snprintf(shown, sizeof shown, "%s %s", cmd.data,
			*ir ? sasl_transcript_text(ir) : "=");
		buf_addf(&cmd, " %s", *ir ? ir : "=");
		put_line(cmd.data, shown);
	} else {
		put_line(cmd.data, cmd.data);
	}

	for (;;) {
		line = get_line();
		if (line[0] == '+' && (line[1] == ' ' || line[1] == '\0')) {
			free(resp);
			resp = NULL;
			if (sasl_step(s, line + 1, &resp, &e) < 0) {
				put_line("*", "*");
				while (!starts(line = get_line(), tag_done) &&
					!starts(line, tag_ok))
					;
				goto client_error;
			}
			put_line(resp, sasl_transcript_text(resp));
			continue;
		}
		if (starts(line, tag_ok)) {
			if (sasl_success(s, NULL, &e) < 0)
				goto client_error;
			printf("authenticated %s verified=%d\n", mech,
				sasl_server_verified(s));
			ret = 0;
			break;
		}
		if (starts(line, tag_done)) {
			const char *d = sasl_failure_detail(s);

			printf("refused %s: %s%s%s\n", mech,
				line + (pop ? 0 : 3),
				*d ? " " : "", d);
			ret = 1;
			break;
		}
	}
	put_line(pop ? "QUIT" : "a3 LOGOUT", pop ? "QUIT" : "a3 LOGOUT");
	goto out;

client_error:
	printf("error %s: %s\n", err_code_name(e.code), e.msg);
	ret = 2;
out:
	free(ir);
	free(resp);
	sasl_free(s);
	sasl_global_done();
	buf_release(&mechs);
	buf_release(&cmd);
	if (fd >= 0)
		close(fd);
	return ret;
usage:
	fprintf(stderr, "usage: sasl-imap-driver [-pvns] [-b SRCIP] PORT USER "
		"PASSWORD [MECH]\n");
	return 3;
}
