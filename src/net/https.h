/*
 * https.h: GET one small document over HTTPS (libcurl), as a mail check
 * needs it (the MTA-STS policy, RFC 8461 3.3): the certificate verified,
 * no redirect followed, the body capped, a bound on the whole transfer.
 *
 * Environment proxies and ~/.netrc never apply. The caller may pin the
 * address to connect to (it resolved the name itself, through its own
 * resolver); the certificate is still checked against the URL's host.
 */
#ifndef MKIT_HTTPS_H
#define MKIT_HTTPS_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct https_opts {
	const char *url;	/* https://HOST[:PORT]/PATH (required) */
	const char *addr;	/* connect here (IPv4 or IPv6 literal);
				 * NULL: curl resolves HOST */
	const char *trust_file;	/* CA bundle (PEM); NULL: the system CAs */
	size_t max_bytes;	/* body cap; 0: 64 KiB */
	int timeout_ms;		/* whole transfer; 0: 10000 */
};

struct https_reply {
	long status;		/* HTTP status code */
	char content_type[128];	/* "" when none was sent */
	char location[256];	/* a 3xx's Location, "" when none */
	int too_big;		/* the body passed max_bytes (transfer cut) */
	struct buf body;	/* the body (up to max_bytes); owned */
};

/*
 * GET o->url into r (which the caller zeroes; https_reply_release frees
 * it). Returns 0 when an HTTP reply came, whatever its status: a redirect
 * is not followed but reported (status, location); a body longer than the
 * cap stops the transfer and sets too_big. Else -1 with e (messages start
 * with "HOST:PORT: "):
 *   ERR_NOHOST    the name does not resolve (only without o->addr)
 *   ERR_TEMPFAIL  connection refused, timeout
 *   ERR_NOPERM    TLS certificate verification failed (and why)
 *   ERR_PROTOCOL  TLS handshake failure, not HTTP
 *   ERR_CONFIG    unusable trust file
 *   ERR_IO        other transfer failures
 *   ERR_USAGE     a URL that is not https://HOST...
 */
int https_get(const struct https_opts *o, struct https_reply *r,
	struct err *e);
void https_reply_release(struct https_reply *r);

#endif
