/*
 * msend.h: what the parts of msend share (cmd/msend.c: options, the
 * account, one message; msend-compose.c: the composer; msend-modes.c:
 * --batch, --probe and -bs).
 */
#ifndef MKIT_CMD_MSEND_H
#define MKIT_CMD_MSEND_H

#include <stddef.h>

#include "base/conf.h"
#include "mime/build.h"
#include "mime/msgprep.h"
#include "proto/sendmail.h"
#include "proto/smtp.h"

struct longopt;
struct transcript;

#define MAX_MESSAGE_BYTES ((size_t)1 << 31)

enum mode {
	M_SEND = SENDMAIL_SEND,
	M_SMTP_SERVER = SENDMAIL_SERVE,
	M_QUEUE = SENDMAIL_QUEUE,
	M_BATCH = SENDMAIL_MODE_USER,
	M_PROBE,
};

/* The composer's options (--to, --attach...); values point into argv. */
struct compose {
	int on;			/* a composer option was given */
	int print;		/* --print: to stdout, not sent */
	const char **to, **cc, **bcc, **headers;
	size_t nto, ncc, nbcc, nheaders;
	const char *subject, *reply_to, *body_file, *html_file;
	struct mbuild_file *attach, *inl;
	size_t nattach, ninl;
	const char *from_header;	/* --from as given, for From */
	char *from_addr;	/* --from's addr-spec (envelope) */
};

struct opts {
	struct sendmail_args sa;	/* sendmail's options, --from... */
	struct compose c;
	int read_envfrom;
	int json;
	int partial;
	char **rcpts;
	size_t nrcpts;
	int warned;
};

/* ---- msend.c ---- */

/* Connect and log in over the account's hosts, then its fallback account;
 * *pw is looked up when NULL and kept. NULL with e. */
struct smtp *open_smtp(const struct account *acc, char **pw,
	struct transcript *ts, struct err *e);
/* The exit status of one message's result. */
int msg_status(const struct smtp_msg *m);
/* The account's log line (logfile, syslog) for one message. */
void log_msg(const struct account *acc, const struct smtp_msg *m,
	size_t size, int status);
/* One message's result as a JSON line on stdout. */
void json_msg(const struct smtp_msg *m, size_t index, size_t size,
	int status);
/* The command line's view of a message, for sendmail_prepare(). */
void env_init(struct sendmail_env *env, const struct opts *o,
	int from_header);
/* The account's aliases file, or NULL; exits when it cannot be read. */
struct aliases *load_aliases(const struct account *acc);
/* Send the prepared message p (or queue it) and report; its status. */
int send_one(const struct opts *o, const struct account *acc,
	struct transcript *ts, struct sendmail_msg *p);

/* ---- msend-compose.c ---- */

/* A composer option (--to, --attach...) of parse_long(): 1 when lo was
 * one, its value taken (longopt_value()). */
int parse_compose(struct opts *o, struct longopt *lo);
/* Check the composer's options against the rest (exits on misuse). */
void compose_args(struct opts *o);
void compose_free(struct opts *o);
/* Build the message and print it (--print: acc NULL) or send it. */
int run_compose(const struct opts *o, const struct account *acc,
	struct transcript *ts);

/* ---- msend-modes.c ---- */

int run_batch(const struct opts *o, const struct account *acc,
	struct transcript *ts);
int run_probe(const struct opts *o, const struct account *acc,
	struct transcript *ts);
int run_bs(const struct opts *o, const struct account *acc,
	struct transcript *ts);

#endif
