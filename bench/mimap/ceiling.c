/*
 * bench/mimap/ceiling.c: how fast the server alone serves a folder, so
 * bench/mimap/run.sh can print the best rate any IMAP client could reach
 * on this machine.
 *
 *   ceiling PORT USER PASSWORD FOLDER
 *
 * On 127.0.0.1:PORT, plain IMAP, send at once LOGIN, EXAMINE FOLDER, one
 * UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[]) (what mimap fetch asks for)
 * and LOGOUT, then read and throw away everything until LOGOUT's tagged
 * OK. No library, no parsing, no output: what is left is the server's
 * own cost and the kernel's. Prints the bytes read on stderr.
 * Exit status: 0, or 1 with a message.
 */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

int
main(int argc, char **argv)
{
	static char buf[1 << 20];
	char cmd[1024], tail[TAIL];
	size_t tl = 0;
	unsigned long long total = 0;
	ssize_t n;
	int fd, len;

	if (argc != 5) {
		fputs("usage: ceiling PORT USER PASSWORD FOLDER\n", stderr);
		return 1;
	}
	fd = connect_port(argv[1]);
	len = snprintf(cmd, sizeof cmd, "a LOGIN %s %s\r\nb EXAMINE %s\r\n"
		"c UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])\r\n"
		"d LOGOUT\r\n", argv[2], argv[3], argv[4]);
	if (len < 0 || (size_t)len >= sizeof cmd ||
	    write(fd, cmd, (size_t)len) != len) {
		fputs("ceiling: cannot send the commands\n", stderr);
		return 1;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		total += (unsigned long long)n;
		if (done(tail, &tl, buf, (size_t)n))
			break;
	}
	close(fd);
	if (n <= 0) {
		fputs("ceiling: connection closed before LOGOUT's OK\n",
			stderr);
		return 1;
	}
	fprintf(stderr, "ceiling: %llu bytes\n", total);
	return 0;
}
