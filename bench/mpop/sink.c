/*
 * bench/mpop/sink.c: the ceiling of bench/mpop/run.sh. The least a POP3
 * client can do to empty a mailbox: USER/PASS, STAT, every RETR pipelined
 * (two windows of 64 kept ahead, as mpop does), the bytes thrown away as
 * they come (only the ends of the messages counted), then every DELE
 * pipelined and QUIT. Nothing is parsed, stored or synced: the rate it
 * reaches is how fast the server serves these messages on this machine.
 *
 *   sink HOST PORT USER PASSWORD [starttls]
 *
 * With "starttls", the same after STLS, through OpenSSL alone (reading
 * 128 KiB at a time with read-ahead, as src/net/conn.c sets it; the
 * certificate not checked: a ceiling, not a client): the server's TLS
 * cost and the decryption's. Exit status 0, or 1 with a message.
 */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#define WINDOW	64
#define CHUNK	(256 * 1024)

static int fd = -1;
static SSL *ssl;		/* after STLS, or NULL */
static char buf[CHUNK + 8];
static size_t have;		/* bytes in buf */

static void
die(const char *what)
{
	fprintf(stderr, "sink: %s\n", what);
	exit(1);
}

static void
say(const char *s, size_t n)
{
	while (n > 0) {
		int w = ssl ? SSL_write(ssl, s, (int)n) :
			(int)write(fd, s, n);

		if (w <= 0)
			die("send failed");
		s += w;
		n -= (size_t)w;
	}
}

static void
fill(void)
{
	int r = ssl ? SSL_read(ssl, buf + have, (int)(CHUNK - have)) :
		(int)read(fd, buf + have, CHUNK - have);

	if (r <= 0)
		die("connection closed");
	have += (size_t)r;
}

/* One reply line; it must start with +OK. Returns its text (static). */
static const char *
reply(void)
{
	static char line[1024];
	char *nl;
	size_t n;

	while (!(nl = memchr(buf, '\n', have)))
		fill();
	n = (size_t)(nl - buf) + 1;
	snprintf(line, sizeof line, "%.*s", (int)n, buf);
	memmove(buf, buf + n, have - n);
	have -= n;
	if (strncmp(line, "+OK", 3) != 0)
		die(line);
	return line;
}

/* STLS, its +OK read byte by byte (nothing after it may be read before
 * the handshake), then the handshake. */
static void
stls(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char c = 0;

	say("STLS\r\n", 6);
	if (have)
		die("bytes after the greeting");
	while (c != '\n')
		if (read(fd, &c, 1) != 1)
			die("connection closed at STLS");
		else if (have < CHUNK)
			buf[have++] = c;
	reply();
	if (!ctx)
		die("no TLS context");
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_default_read_buffer_len(ctx, 128 * 1024);
	ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1)
		die("TLS handshake failed");
}

/* RETR from..to, one write. */
static void
retr(unsigned long from, unsigned long to, const char *cmd)
{
	static char out[WINDOW * 2 * 24];
	size_t n = 0;

	for (; from <= to; from++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s %lu\r\n",
			cmd, from);
	say(out, n);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	unsigned long n, sent, done = 0, i;
	char cmd[512];
	int one = 1;

	if (argc != 5 && !(argc == 6 && !strcmp(argv[5], "starttls")))
		die("usage: sink HOST PORT USER PASSWORD [starttls]");
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		die("HOST: an IPv4 address");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("cannot connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	reply();
	if (argc == 6)
		stls();
	snprintf(cmd, sizeof cmd, "USER %s\r\n", argv[3]);
	say(cmd, strlen(cmd));
	reply();
	snprintf(cmd, sizeof cmd, "PASS %s\r\n", argv[4]);
	say(cmd, strlen(cmd));
	reply();
	say("STAT\r\n", 6);
	n = strtoul(reply() + 3, NULL, 10);
	sent = n < 2 * WINDOW ? n : 2 * WINDOW;
	if (sent)
		retr(1, sent, "RETR");
	/* count the "\r\n.\r\n" that end the messages; keep 4 bytes back */
	while (done < n) {
		char *p = buf, *end;

		fill();
		end = buf + have;
		while ((p = memmem(p, (size_t)(end - p), "\r\n.\r\n", 5))) {
			done++;
			p += 5;
		}
		if (have > 4) {
			memmove(buf, end - 4, 4);
			have = 4;
		}
		if (sent < n && sent - done < WINDOW) {
			unsigned long to = done + 2 * WINDOW < n ?
				done + 2 * WINDOW : n;

			retr(sent + 1, to, "RETR");
			sent = to;
		}
	}
	have = 0;
	for (i = 1; i <= n; i += WINDOW)
		retr(i, i + WINDOW - 1 < n ? i + WINDOW - 1 : n, "DELE");
	say("QUIT\r\n", 6);
	for (i = 0; i <= n; i++)
		reply();
	close(fd);
	return 0;
}
