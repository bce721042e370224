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
 *   floor session CONFIG N < message
 *	In one process, send the message N times, each on a new connection
 *	from the account in CONFIG, through libmkit exactly as msend does
 *	(connect, greeting, EHLO, STARTTLS and AUTH when configured, the
 *	transaction, QUIT). The caller divides the wall time by N: the cost of
 *	one session with the process start taken out.
 *
 * One process per message then costs at least start + session; a rate
 * above 1 / (start + session) is out of reach for msend and curl alike.
 * Exit status: 0, or 1 with a message when a session fails.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conn.h"
#include "err.h"
#include "msgprep.h"
#include "sendmail.h"
#include "smtp.h"

static int
fail(const struct err *e)
{
	fprintf(stderr, "floor: %s\n", e->msg);
	return 1;
}

static int
sessions(const char *path, long n)
{
	struct sendmail_env env = { .read_rcpts = 1, .from_header = 0 };
	struct config_warnings w = { NULL, 0 };
	struct sendmail_msg m;
	struct config *cfg;
	struct account *acc = NULL;
	struct err e;
	long i;
	int rc = 1;

	err_clear(&e);
	sendmail_msg_init(&m);
	cfg = config_load(path, 0, &w, &e);
	config_warnings_release(&w);
	if (!cfg || !(acc = config_account(cfg, NULL, &e)) ||
		msgprep_read_fd(&m.mp, 0, 0, 64 << 20, &e) < 0 ||
		sendmail_prepare(&m, &env, acc, NULL, &e) < 0) {
		rc = fail(&e);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct smtp *s = smtp_open(acc, acc->password, 0, NULL, &e);

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
	if (argc == 4 && strcmp(argv[1], "session") == 0)
		return sessions(argv[2], strtol(argv[3], NULL, 10));
	fprintf(stderr, "usage: floor start [tls] | floor load | "
		"floor session CONFIG N < msg\n");
	return 2;
}
