/*
 * imap_flagpush.h: flags pushed to the selected folder with CONDSTORE's
 * UNCHANGEDSINCE (RFC 7162 3.1.3), for mimap pull: a change made on the
 * server after its flags were read is never written over.
 *
 * Each message has the system flags the server had when they were read
 * (base, syncstate.h bits) and the flags it should get (want). The flags
 * that differ go up as UID STORE set (UNCHANGEDSINCE m) +FLAGS or -FLAGS
 * (keywords and other flags untouched); a message with flags both to add
 * and to remove takes the second command against the mod-sequence the
 * first left. The server's [MODIFIED set] names the messages changed
 * since m: their flags are read again (UID FETCH (FLAGS MODSEQ)) and
 * merged flag by flag against base (syncstate_merge): a flag the server
 * changed since takes its value (it wins a conflict, as in a pull), the
 * others keep want's; the flags that still differ are pushed again
 * against the new mod-sequence (a keyword alone changed: the same push).
 * A few rounds at most: a message still not pushed after them is left
 * IMAP_FLAGPUSH_PENDING (base holds the server's flags, want the merge:
 * a later pull tries again).
 */
#ifndef MKIT_IMAP_FLAGPUSH_H
#define MKIT_IMAP_FLAGPUSH_H

#include <stddef.h>

#include "base/err.h"
#include "proto/imap.h"

enum imap_flagpush_result {
	IMAP_FLAGPUSH_PENDING,	/* not pushed (yet) */
	IMAP_FLAGPUSH_DONE,	/* the server has want (merged) */
	IMAP_FLAGPUSH_GONE,	/* expunged meanwhile */
};

struct imap_flagpush {
	unsigned long long uid;
	unsigned long long modseq;	/* the base's (0: the call's) */
	unsigned char base, want;	/* enum syncstate_flag bits */
	unsigned char result;		/* enum imap_flagpush_result */
	/* private: what the last round learnt */
	unsigned char got, seen, modified;
	unsigned long long got_modseq;
};

/*
 * Push v[0..n) (sorted by UID, each once; result PENDING) on im, whose
 * selected folder had every base at mod-sequence modseq (its
 * HIGHESTMODSEQ when selected, CONDSTORE on). Fills each result; want
 * then holds the flags merged with the server's changes met on the way,
 * which the caller writes locally. Errors are imap.h's (a NO to a STORE:
 * ERR_UNAVAILABLE).
 */
int imap_flagpush(struct imap *im, struct imap_flagpush *v, size_t n,
	unsigned long long modseq, struct err *e);

#endif
