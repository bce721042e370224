/*
 * imap_peer.h: an IMAP session (imap.h) over a scripted server (peer.h),
 * for the tests of what runs on a session (t_imap_idle, t_imap_flagpush).
 */
#ifndef MKIT_IMAP_PEER_H
#define MKIT_IMAP_PEER_H

#include <string.h>

#include "net/conn.h"
#include "proto/imap.h"
#include "peer.h"

/* Start script on pe (cleared) and open a session on it, without login:
 * the script sends the greeting. NULL with e. */
static struct imap *
imap_peer_start(struct peer *pe, void (*script)(struct peer *),
	struct err *e)
{
	struct account acc;
	struct conn *c;

	memset(&acc, 0, sizeof acc);
	memset(pe, 0, sizeof(*pe));
	c = conn_from_fd(peer_start(pe, script), "peer:143", NULL, e);
	if (!c)
		return NULL;
	conn_set_timeout(c, 10);
	return imap_start(c, &acc, NULL, 0, e);
}

#endif
