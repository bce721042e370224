/*
 * tlsreport.h: what a probe shows about a TLS session (msend --probe, and
 * the probes of the other network tools): the struct conn_tls_info of
 * conn_tls_info() as lines for people or as a JSON value.
 */
#ifndef MKIT_TLSREPORT_H
#define MKIT_TLSREPORT_H

#include "base/buf.h"
#include "base/json.h"
#include "net/conn.h"

/*
 * Append to out, each line ending in "\n":
 *   tls: VERSION CIPHER
 *   certificate subject: SUBJECT
 *   certificate issuer: ISSUER
 *   certificate valid: NOT_BEFORE to NOT_AFTER
 *   certificate sha256: AB:CD:...
 * or, with ti NULL (no TLS), the one line "tls: none".
 */
void tlsreport_text(struct buf *out, const struct conn_tls_info *ti);

/*
 * Write the JSON value for ti to j: an object with the keys "version",
 * "cipher", "subject", "issuer", "not_before", "not_after" and "sha256"
 * (all strings), or null when ti is NULL.
 */
void tlsreport_json(struct json *j, const struct conn_tls_info *ti);

#endif
