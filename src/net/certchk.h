/*
 * certchk.h: a server's certificate chain judged after the handshake, for
 * a report rather than a connection: does it name the host, and does it
 * verify under PKIX to a trusted CA (what MTA-STS requires, RFC 8461 4.2)?
 * The probe connects without verification so that it sees every chain;
 * these checks say what a verifying client would have decided.
 */
#ifndef MKIT_CERTCHK_H
#define MKIT_CERTCHK_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Does the server's certificate (chain[0], DER) name host (subjectAltName
 * DNS names, wildcards as RFC 6125 6.4.3 allows)? 1 yes, 0 no, -1 when it
 * does not parse.
 */
int certchk_name(const struct buf *chain, size_t nc, const char *host);

/*
 * Verify chain (DER, server first, the rest as untrusted intermediates) to
 * a CA of trust_file (PEM; NULL: the system's CAs) for a TLS server named
 * host (NULL: no name check). 1 valid; 0 not, with why (OpenSSL's reason,
 * "certificate has expired"...); -1 when the chain does not parse or the
 * trust store cannot be read (why).
 */
int certchk_pkix(const struct buf *chain, size_t nc, const char *trust_file,
	const char *host, char *why, size_t size);

/* The one-line subject and issuer of certificate der (RFC 2253), or "". */
void certchk_names(const struct buf *der, char *subject, char *issuer,
	size_t size);

#endif
