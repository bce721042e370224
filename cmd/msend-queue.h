/*
 * msend-queue.h: msend's queue commands (-q, -bp / mailq) and queueing a
 * message that met a temporary failure; the spool is store/queue.h, the
 * flush proto/qflush.h.
 */
#ifndef MKIT_MSEND_QUEUE_H
#define MKIT_MSEND_QUEUE_H

#include "base/conf.h"
#include "proto/netacct.h"
#include "proto/smtp.h"

struct transcript;

/* How msend opens a session for an account (password, failover and the
 * fallback account); NULL with e. */
typedef struct smtp *msendq_open_fn(const struct account *acc,
	struct err *e);

/* mailq / -bp: list the queue (sendmail's format, or --json). */
int msendq_list(int json);

/* -q / --flush: deliver every due entry (all of them with force). no gives
 * the command line's --config and overrides for each entry's account. */
int msendq_flush(const struct netacct_opts *no, msendq_open_fn *open,
	int json, int force);

/* Queue m (not sent, temporary failure) for acc and say so on stderr
 * ("queued ..."). Returns EX_OK, or the exit status of the failure to
 * queue (printed). */
int msendq_add(const struct account *acc, const struct smtp_msg *m);

#endif
