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

#include "addrsplit.h"
#include "conf.h"
#include "err.h"
#include "msgprep.h"
#include "smtp.h"

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

#endif
