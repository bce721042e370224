/*
 * bench/floor.c: the two costs no per-process SMTP client linked with this
 * libcurl can avoid, measured apart so bench/run.sh can print the best rate
 * such a client could reach.
 *
 *   floor start [tls]
 *	Start as every libcurl program must, then exit: exec, mapping and
 *	relocating libcurl and its ~35 libraries, their constructors, and
 *	libcurl's global initialisation (through conn_global_init(), with
 *	OpenSSL's TLS side only when "tls" is given, as msend does).
 *	Linked exactly as msend is.
 *   floor load
 *	Exit at once: the start without libcurl's initialisation.
 *   floor session CONFIG N [PAUSE] < message
 *	In one process, send the message N times, each on a new connection
 *	from the account in CONFIG, through libmkit exactly as msend does
 *	(connect, greeting, EHLO, STARTTLS and AUTH when configured, the
 *	transaction, QUIT), and sleep PAUSE microseconds (default 0) before
 *	each session. The caller divides the wall time by N.
 *
 * With PAUSE set to the time "floor start" takes, the session loop is a
 * client that starts as fast as any libcurl program can, yet spends no CPU
 * on it, and then speaks exactly as msend: the server sees the same pace
 * as with one process per message (a real server goes on working after its
 * reply, and its pace matters). No per-process client with these libraries
 * and this session can beat that rate: it is the ceiling.
 * Exit status: 0, or 1 with a message when a session fails.
 */
#include <config.h>

#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/password.h"
#include "mime/msgprep.h"
#include "net/conn.h"
#include "proto/netacct.h"
#include "proto/sendmail.h"
#include "proto/smtp.h"

static int
fail(const struct err *e)
{
	fprintf(stderr, "floor: %s\n", e->msg);
	return 1;
}

static int
sessions(const char *path, long n, long pause_us)
{
	struct timespec pause = { pause_us / 1000000,
		pause_us % 1000000 * 1000 };
	struct sendmail_env env = { .read_rcpts = 1, .from_header = 0 };
	struct config_warnings w = { NULL, 0 };
	struct sendmail_msg m;
	struct config *cfg;
	struct account *acc = NULL;
	struct err e;
	char *pw = NULL;
	long i;
	int rc = 1;

	/* sleep no longer than asked (the default slack is 50 us) */
	prctl(PR_SET_TIMERSLACK, 1UL);
	err_clear(&e);
	sendmail_msg_init(&m);
	cfg = config_load(path, 0, &w, &e);
	config_warnings_release(&w);
	if (!cfg || !(acc = config_account(cfg, NULL, &e)) ||
		netacct_transport_init(acc, &e) < 0 ||
		msgprep_read_fd(&m.mp, 0, 0, 64 << 20, &e) < 0 ||
		sendmail_prepare(&m, &env, acc, NULL, &e) < 0 ||
		(acc->auth && !(pw = password_get(acc, PASSWORD_NO_PROMPT,
		&e)))) {
		rc = fail(&e);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct smtp *s;

		if (pause_us > 0)
			nanosleep(&pause, NULL);
		s = smtp_open(acc, pw, 0, NULL, &e);
		if (!s) {
			rc = fail(&e);
			goto out;
		}
		smtp_send(s, &m.msg, 1, SMTP_QUIT_AFTER, &e);
		smtp_quit(s);
		if (m.msg.status != SMTP_SENT) {
			rc = fail(&m.msg.err);
			goto out;
		}
	}
	rc = 0;
out:
	password_free(pw);
	sendmail_msg_release(&m);
	account_free(acc);
	config_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "load") == 0)
		return 0;
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "start") == 0) {
		int tls = argc == 3 && strcmp(argv[2], "tls") == 0;
		struct err e;

		if (conn_global_init(tls ? 0 : CONN_INIT_NO_TLS, &e) < 0)
			return fail(&e);
		return 0;
	}
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "session") == 0)
		return sessions(argv[2], strtol(argv[3], NULL, 10),
			argc == 5 ? strtol(argv[4], NULL, 10) : 0);
	fprintf(stderr, "usage: floor start [tls] | floor load | "
		"floor session CONFIG N [PAUSE] < msg\n");
	return 2;
}
