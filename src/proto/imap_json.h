/*
 * imap_json.h: what mimap fetch --json prints of a message, from its
 * FETCH response (imap_reply.h): uid, flags, size, internaldate, the
 * envelope (date, subject decoded from RFC 2047, from, to, cc addresses,
 * in_reply_to, message_id) and the body structure as nested
 * {"type", "size", "parts"}; no bodies.
 */
#ifndef MKIT_IMAP_JSON_H
#define MKIT_IMAP_JSON_H

#include "base/buf.h"
#include "proto/imap_reply.h"

/*
 * Append one JSON object for the FETCH response r to out. Items missing
 * from r are left out. Returns 0, or -1 (nothing appended) when r is not
 * a FETCH response with a UID.
 */
int imap_fetch_json(const struct imap_resp *r, struct buf *out);

#endif
