/*
 * smtp_int.h: the SMTP session as smtp.c and smtp_auth.c share it, and
 * nobody else. AUTH lives in smtp_auth.c so that a program that never
 * authenticates (mdig-mx --probe) links the engine without SASL: a static
 * archive links per object.
 */
#ifndef MKIT_SMTP_INT_H
#define MKIT_SMTP_INT_H

#include "base/buf.h"
#include "net/pp.h"
#include "proto/smtp.h"
#include "proto/smtp_data.h"
#include "proto/smtp_reply.h"

struct smtp {
	struct conn *conn;
	struct pp pp;
	struct smtp_reply r;
	struct smtp_data data;
	struct transcript *ts;
	char peer[300];
	struct buf greeting;
	struct buf ehlo;
	unsigned caps;
	unsigned long long size_limit;
	char *mechs;
	char *auth_used;
	char *helo;		/* the EHLO domain */
	unsigned flags;
	int quit_sent;
};

/* Read one reply into s->r. 0, or -1 with e. */
int smtp_int_read(struct smtp *s, struct err *e);
/* Fill e from the reply in s->r to cmd ("host:port: cmd: 550 ..."), with
 * code; returns -1. */
int smtp_int_error(struct smtp *s, struct err *e, enum err_code code,
	const char *cmd);

#endif
