/*
 * sendmail.h: one message's envelope and header, the way sendmail(8)
 * callers expect them (msend).
 *
 * Glue between the message (msgprep.h), the account (conf.h) and the SMTP
 * engine (smtp.h): who the envelope sender is (-f, else Return-Path/From
 * when asked, else the account's from, else user@host), who the
 * recipients are (arguments, -t, aliases), which header fields are added or
 * removed (the account's set_*_header, remove_bcc_headers,
 * undisclosed_recipients), and the struct smtp_msg that points into it all.
 * Nothing here prints.
 */
#ifndef MKIT_SENDMAIL_H
#define MKIT_SENDMAIL_H

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "codec/addrsplit.h"
#include "mime/msgprep.h"
#include "proto/netacct.h"
#include "proto/smtp.h"

/* What the command line says about a message. Borrowed. */
struct sendmail_env {
	const char *envfrom;	/* -f ("" or "<>": null sender), or NULL */
	int from_header;	/* no -f: take Return-Path, else From */
	const char *full_name;	/* -F, or NULL */
	char **rcpts;		/* recipient arguments */
	size_t nrcpts;
	int read_rcpts;		/* -t: add To, Cc, Bcc (or Resent-*) */
	const char *envid;	/* DSN ENVID, or NULL */
};

/* One message ready for smtp_send(): msg points into the rest. */
struct sendmail_msg {
	struct msgprep mp;	/* fill it (msgprep_read_fd/_set) first */
	char *from;
	struct addrvec rcpts;
	struct smtp_rcpt *rc;
	struct smtp_msg msg;
};

void sendmail_msg_init(struct sendmail_msg *sm);
void sendmail_msg_release(struct sendmail_msg *sm);

/*
 * Work out the envelope of the message in sm->mp, prepare its header and
 * fill sm->msg. al (may be NULL) maps local recipients. Errors: ERR_USAGE
 * (no recipients, an invalid address, a line break in a value from the
 * command line), ERR_DATA.
 */
int sendmail_prepare(struct sendmail_msg *sm, const struct sendmail_env *env,
	const struct account *acc, const struct aliases *al, struct err *err);

/* "<a@b>" -> "a@b", "<>" -> "": a new string. */
char *sendmail_norm_from(const char *from);

/* The sender when nothing else says: the account's from (unless it is a
 * pattern), else login@domain (the account's domain or the host name). A
 * new string. */
char *sendmail_default_from(const struct account *acc);

/*
 * The log line for one message (msmtp's fields: host, tls, auth, user,
 * from, recipients, mailsize, smtpstatus, smtpmsg, errormsg, exitcode),
 * appended to out without a time stamp or line end. exit_name is the
 * sysexits name ("EX_OK"), which only the caller knows.
 */
void sendmail_log_line(struct buf *out, const struct account *acc,
	const struct smtp_msg *m, size_t size, const char *exit_name);

/*
 * One message's result as a JSON object appended to out (no line end); the
 * fields are documented in msend(1) under --json.
 */
void sendmail_json(struct buf *out, const struct smtp_msg *m, size_t index,
	size_t size, int exit_status, const char *exit_name);

/*
 * sendmail -bs: an SMTP server session on in/out (RFC 5321 subset: EHLO,
 * HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT; RFC 1870 SIZE). Each
 * message accepted with DATA streams: its header is kept in memory and its
 * body, dot-unstuffed and made CRLF, goes to an unlinked temporary file
 * (mbuild_tmpfile()), never whole into memory; command lines are bounded
 * (500 beyond). The message is prepared with env (its sender and
 * recipients replaced by the session's MAIL and RCPT) and handed to
 * relay, whose result answers the final dot: 250 with the relay's reply
 * when sent; 451 for a temporary failure; 550 when a recipient was
 * refused; 554 otherwise. A declared SIZE= or a message beyond max_bytes
 * is refused with 552; a spool that cannot be written gives 452.
 */
typedef void sendmail_relay_fn(void *arg, struct sendmail_msg *sm);

struct sendmail_server {
	int in;				/* read(2) as it comes, in pieces */
	FILE *out;
	const char *hostname;		/* for the greeting and EHLO */
	const struct sendmail_env *env;	/* -F, -V... for every message */
	const struct account *acc;
	const struct aliases *al;	/* may be NULL */
	size_t max_bytes;		/* per message; 552 beyond */
	sendmail_relay_fn *relay;	/* fills sm->msg's results */
	void *arg;
};

/* Run the session until QUIT or end of input. Returns 0, or -1 with ERR_IO
 * when a reply cannot be written, or ERR_PROTOCOL when the input ended
 * inside a message (after DATA, before its final dot: not relayed). */
int sendmail_serve(const struct sendmail_server *sv, struct err *err);

/* ---- sendmail(8)'s command line ---- */

#define SENDMAIL_MAX_OVERRIDES 64

enum sendmail_mode {
	SENDMAIL_SEND,		/* -bm, the default */
	SENDMAIL_SERVE,		/* -bs */
	SENDMAIL_QUEUE,		/* -bp, -q (and mailq) */
	SENDMAIL_MODE_USER	/* the caller's own modes count from here */
};

/* What sendmail's options say. Values point into argv. */
struct sendmail_args {
	int mode;		/* enum sendmail_mode, or the caller's own */
	int read_rcpts;		/* -t */
	int dot_ends;		/* 1 unless -i or -oi */
	int verbose;		/* each -v or -d adds 1 */
	const char *envfrom;	/* -f, -r */
	const char *full_name;	/* -F */
	const char *account;	/* -a */
	const char *config;	/* -C */
	const char *envid;	/* -V */
	/* -X logfile, -N dsn_notify, -R dsn_return, in their order */
	struct netacct_override ov[SENDMAIL_MAX_OVERRIDES];
	size_t nov;
	int help;		/* "-h" with an argument after it: help */
	char unknown[3];	/* "-c": the first unknown letter of the last
				   argument parsed, or "" */
	int flush;		/* -q (mode SENDMAIL_QUEUE): deliver the
				   queue rather than list it */
};

/* Everything unset: mode SENDMAIL_SEND, dot_ends 1. */
void sendmail_args_init(struct sendmail_args *a);

/*
 * Append the override { key, value } to a (value borrowed), as sendmail's
 * -R does: dsn_return "hdrs" is "headers". Errors: ERR_USAGE "too many
 * options" beyond SENDMAIL_MAX_OVERRIDES.
 */
int sendmail_args_override(struct sendmail_args *a, const char *key,
	const char *value, struct err *e);

/*
 * Parse argv[*i], one argument of sendmail's short options ("-t", "-ti",
 * "-fX" or "-f X": a value glued or in the next argument, which then
 * advances *i). Letters sendmail takes and msend has no use for (-oXXX
 * except -oi, -BTYPE, -hN, -LTAG, -OOPT, -eX, -pPROTO, -M, -n, -m, -U,
 * -G) are skipped; another letter sets a->unknown and the rest goes on.
 * Errors (-1): ERR_USAGE "option -c needs a value" (-f -r -F -a -C -N -R
 * -V -X last), "-bX is not supported (msend has -bm, -bs, -bp)".
 */
int sendmail_args_short(struct sendmail_args *a, int argc, char **argv,
	int *i, struct err *e);

/*
 * Check what the options put into every message: the -f address, "<>"
 * removed, by msgprep_check_addr(); the -F name holds no line break.
 * Returns 0, or -1 with ERR_USAGE (the message of msgprep_check_addr(),
 * or "-F: the full name holds a line break").
 */
int sendmail_args_check(const struct sendmail_args *a, struct err *e);

/*
 * What went wrong with one message sent (smtp_send() has filled m), for
 * people, appended to out one line each, every line beginning with
 * prefix: each refused recipient ("PEER: RCPT TO:<ADDR>: REPLY"); then
 * when sent to some only "delivered to N of M recipients"; when not sent
 * because recipients were refused (ERR_NOUSER or ERR_TEMPFAIL at RCPT),
 * with more than one recipient, "message not sent: N of M recipients
 * refused", with a hint at --partial unless partial is set or none was
 * accepted; else the error's message. Nothing for a message sent to all.
 */
void sendmail_report(struct buf *out, const char *prefix,
	const struct smtp_msg *m, const char *peer, int partial);

#endif
