/*
 * bench/mimap/ceiling.c: how fast the server alone serves a folder, so
 * bench/mimap/run.sh can print the best rate any IMAP client could reach
 * on this machine.
 *
 *   ceiling [-o FILE] PORT USER PASSWORD FOLDER [starttls]
 *
 * On 127.0.0.1:PORT, plain IMAP, send at once LOGIN, EXAMINE FOLDER, one
 * UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[]) (what mimap fetch asks for)
 * and LOGOUT, then read and throw away everything until LOGOUT's tagged
 * OK. No library, no parsing, no output: what is left is the server's
 * own cost and the kernel's. With "starttls", the same after STARTTLS,
 * through OpenSSL alone (reading 128 KiB at a time, the certificate not
 * checked: a ceiling, not a client): the server's TLS cost and the
 * decryption's. With -o FILE, every byte read is also written to FILE
 * (created or truncated) as it comes, by plain write(2) of each read, no
 * fsync, nothing transformed: the server's pace plus the page cache's,
 * the best rate any client writing the folder to a file could reach.
 * Prints the bytes read on stderr.
 * Exit status: 0, or 1 with a message.
 */
#include <config.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#define TAIL	64

static int
connect_port(const char *port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("ceiling: connect");
		exit(1);
	}
	return fd;
}

/* Has the window of the last bytes read the line "d OK"? */
static int
done(char *tail, size_t *tl, const char *d, size_t n)
{
	size_t k = n < TAIL ? n : TAIL;

	if (*tl + k > TAIL) {
		memmove(tail, tail + *tl + k - TAIL, TAIL - k);
		*tl = TAIL - k;
	}
	memcpy(tail + *tl, d + n - k, k);
	*tl += k;
	return memmem(tail, *tl, "\nd OK", 5) != NULL;
}

/* Read the greeting, STARTTLS, and the handshake: the TLS session. */
static SSL *
starttls(int fd)
{
	static const char go[] = "s STARTTLS\r\n";
	char line[4096];
	size_t have = 0;
	ssize_t n;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;

	if (write(fd, go, sizeof go - 1) != (ssize_t)(sizeof go - 1))
		return NULL;
	/* the greeting and STARTTLS's reply, byte by byte: nothing after
	 * "s OK ...\r\n" may be read before the handshake */
	while (have < sizeof line - 1 && (n = read(fd, line + have, 1)) == 1) {
		line[++have] = '\0';
		if (line[have - 1] == '\n' && strstr(line, "s OK"))
			break;
		if (line[have - 1] == '\n')
			have = 0;
	}
	if (!ctx || !strstr(line, "s OK"))
		return NULL;
	SSL_CTX_set_default_read_buffer_len(ctx, 128 * 1024);
	ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1)
		return NULL;
	return ssl;
}

/* All of d[0..n) to fd (-1: nowhere). */
static void
put(int fd, const char *d, size_t n)
{
	ssize_t w;

	while (fd >= 0 && n > 0) {
		if ((w = write(fd, d, n)) < 0) {
			perror("ceiling: write");
			exit(1);
		}
		d += w;
		n -= (size_t)w;
	}
}

int
main(int argc, char **argv)
{
	static char buf[1 << 20];
	char cmd[1024], tail[TAIL];
	size_t tl = 0;
	unsigned long long total = 0;
	ssize_t n;
	int fd, len, out = -1;
	SSL *ssl = NULL;

	if (argc > 2 && !strcmp(argv[1], "-o")) {
		out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (out < 0) {
			perror(argv[2]);
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc != 5 && !(argc == 6 && !strcmp(argv[5], "starttls"))) {
		fputs("usage: ceiling [-o FILE] PORT USER PASSWORD FOLDER "
			"[starttls]\n", stderr);
		return 1;
	}
	fd = connect_port(argv[1]);
	if (argc == 6 && !(ssl = starttls(fd))) {
		fputs("ceiling: STARTTLS failed\n", stderr);
		return 1;
	}
	len = snprintf(cmd, sizeof cmd, "a LOGIN %s %s\r\nb EXAMINE %s\r\n"
		"c UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])\r\n"
		"d LOGOUT\r\n", argv[2], argv[3], argv[4]);
	if (len < 0 || (size_t)len >= sizeof cmd ||
	    (ssl ? SSL_write(ssl, cmd, len) : write(fd, cmd, (size_t)len)) !=
	    len) {
		fputs("ceiling: cannot send the commands\n", stderr);
		return 1;
	}
	while ((n = ssl ? SSL_read(ssl, buf, sizeof buf) :
	    read(fd, buf, sizeof buf)) > 0) {
		total += (unsigned long long)n;
		put(out, buf, (size_t)n);
		if (done(tail, &tl, buf, (size_t)n))
			break;
	}
	close(fd);
	if (out >= 0 && close(out) < 0) {
		perror("ceiling: close");
		return 1;
	}
	if (n <= 0) {
		fputs("ceiling: connection closed before LOGOUT's OK\n",
			stderr);
		return 1;
	}
	fprintf(stderr, "ceiling: %llu bytes\n", total);
	return 0;
}
