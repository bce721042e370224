/*
 * probe.h: what "--probe" shows of a server, for people or as one JSON
 * object: msend's view of an SMTP server, and the line helper the probes
 * of the other protocols share. The TLS part is tlsreport.h's.
 */
#ifndef MKIT_PROBE_H
#define MKIT_PROBE_H

#include "base/buf.h"
#include "base/json.h"
#include "net/conn.h"

/* What was learnt of an SMTP server (smtp.h's accessors). Borrowed. */
struct probe_smtp {
	const char *server;		/* smtp_peer() */
	const char *greeting;		/* raw lines, CRLF or LF */
	const char *ehlo;		/* raw lines, CRLF or LF */
	unsigned long long size_limit;	/* 0: none */
	const char *auth;		/* the SASL mechanisms, "" if none */
	const struct conn_tls_info *tls;	/* NULL: no TLS */
};

/* Append each line of raw (ended by CRLF or LF; empty lines skipped) to
 * out as label, the line, "\n". */
void probe_lines(struct buf *out, const char *label, const char *raw);

/*
 * Append p for people: "server: S", "greeting: " lines, the TLS lines
 * (tlsreport_text), "ehlo: " lines, "size limit: N" when there is one,
 * "auth mechanisms: M" ("(none)" when empty), each ending in "\n".
 */
void probe_smtp_text(struct buf *out, const struct probe_smtp *p);

/* Write p as a JSON object to j: "server", "greeting", "ehlo" (strings,
 * the raw lines), "size_limit" (0: none), "auth", "tls" (tlsreport_json). */
void probe_smtp_json(struct json *j, const struct probe_smtp *p);

#endif
