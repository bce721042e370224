/*
 * connacc.h: the account-to-connection bridge. Every protocol engine gets
 * its struct conn_opts from a struct account (base/conf.h) here, so an
 * account key means the same on every protocol.
 */
#ifndef MKIT_CONNACC_H
#define MKIT_CONNACC_H

#include "base/conf.h"
#include "net/conn.h"

struct transcript;

/* The protocol, for its default ports. */
enum connacc_proto {
	CONNACC_SMTP,	/* 25 plain, 587 STARTTLS, 465 implicit TLS */
	CONNACC_POP3,	/* 110 plain and STARTTLS, 995 implicit TLS */
	CONNACC_IMAP,	/* 143 plain and STARTTLS, 993 implicit TLS */
};

/*
 * The default port of proto for a connection with tls (0 or 1) and
 * starttls (0 or 1; only read when tls is 1), as listed above.
 */
unsigned connacc_default_port(enum connacc_proto proto, int tls,
	int starttls);

/*
 * Fill o from acc for proto: host, port (the account's "port" when it is
 * set, else connacc_default_port()), the TLS settings (trust file, pinned
 * fingerprint, client certificate and key, minimum version, certificate
 * check), the timeouts, the SOCKS5 proxy, and ts as the transcript (may be
 * NULL). o is initialised here; the strings are borrowed from acc, which
 * must outlive the conn_open() call. Returns how to open the connection:
 * CONN_TLS for implicit TLS, else CONN_PLAIN (STARTTLS, when the account
 * asks for it, is the engine's business). Never fails.
 */
enum conn_mode connacc_opts(struct conn_opts *o, const struct account *acc,
	enum connacc_proto proto, struct transcript *ts);

/*
 * Open the connection acc asks for (connacc_opts() then conn_open()): a
 * plain one when the engine will run STARTTLS itself. Errors: ERR_CONFIG
 * "no host" when acc has none; for POP3 and IMAP, ERR_CONFIG when the
 * port is the protocol's implicit-TLS port (995, 993) and the account asks
 * for STARTTLS (the server would wait for a TLS handshake that never
 * comes); those of conn_open().
 */
struct conn *connacc_open(const struct account *acc, enum connacc_proto proto,
	struct transcript *ts, struct err *e);

#endif
