/*
 * t_imap_flagpush.c: flags pushed with UNCHANGEDSINCE
 * (src/proto/imap_flagpush.c) against a scripted server (peer.h): one
 * command per operation and mask, a message with flags to add and to
 * remove in two commands (the second against the mod-sequence the first
 * left), [MODIFIED] read again and merged flag by flag (the server's
 * change kept and ours pushed again beside it, a keyword alone pushed
 * again, the same change done, a message gone), a STORE that says nothing
 * of a message, a server that keeps modifying (left pending after a few
 * rounds), and a NO.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "net/conn.h"
#include "proto/imap.h"
#include "proto/imap_flagpush.h"
#include "store/syncstate.h"
#include "tap.h"
#include "peer.h"
#include "imap_peer.h"

#define S SYNC_SEEN
#define F SYNC_FLAGGED

static struct peer pe;

static struct imap *
start(void (*script)(struct peer *), struct err *e)
{
	return imap_peer_start(&pe, script, e);
}

static void
bye(struct peer *p, const char *tag)
{
	char line[64];

	snprintf(line, sizeof line, "%s LOGOUT", tag);
	peer_expect(p, line);
	snprintf(line, sizeof line, "* BYE bye\r\n%s OK done\r\n", tag);
	peer_send(p, line);
	peer_eof(p);
}

/* ---- the cases of one pull ---- */

static void
mixed_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 CONDSTORE] hi\r\n");
	peer_expect(p, "A1 UID STORE 2 (UNCHANGEDSINCE 20) +FLAGS (\\Flagged)");
	peer_send(p, "* 2 FETCH (UID 2 MODSEQ (21) FLAGS (\\Seen \\Flagged))"
		"\r\nA1 OK done\r\n");
	peer_expect(p, "A2 UID STORE 1,4:7 (UNCHANGEDSINCE 20) "
		"+FLAGS (\\Seen)");
	/* 4, 5, 6 changed since; nothing said of 7 */
	peer_send(p, "* 1 FETCH (UID 1 MODSEQ (22) FLAGS (\\Seen))\r\n"
		"A2 OK [MODIFIED 4:6] Conditional STORE failed\r\n");
	peer_expect(p, "A3 UID STORE 3 (UNCHANGEDSINCE 20) -FLAGS (\\Seen)");
	peer_send(p, "* 3 FETCH (UID 3 MODSEQ (23) FLAGS ())\r\n"
		"A3 OK done\r\n");
	peer_expect(p, "A4 UID FETCH 4:7 (UID FLAGS MODSEQ)");
	/* 4 flagged by another client, 5 given a keyword, 6 gone, 7 done */
	peer_send(p, "* 4 FETCH (UID 4 FLAGS (\\Flagged) MODSEQ (24))\r\n"
		"* 5 FETCH (UID 5 FLAGS (Kw) MODSEQ (30))\r\n"
		"* 6 FETCH (UID 7 FLAGS (\\Seen) MODSEQ (25))\r\n"
		"A4 OK done\r\n");
	/* 4: its \Flagged kept, our \Seen pushed again beside it */
	peer_expect(p, "A5 UID STORE 4 (UNCHANGEDSINCE 24) +FLAGS (\\Seen)");
	peer_send(p, "* 4 FETCH (UID 4 MODSEQ (26) FLAGS (\\Seen "
		"\\Flagged))\r\nA5 OK done\r\n");
	peer_expect(p, "A6 UID STORE 5 (UNCHANGEDSINCE 30) +FLAGS (\\Seen)");
	peer_send(p, "* 5 FETCH (UID 5 MODSEQ (31) FLAGS (\\Seen Kw))\r\n"
		"A6 OK done\r\n");
	peer_expect(p, "A7 UID STORE 2 (UNCHANGEDSINCE 21) -FLAGS (\\Seen)");
	peer_send(p, "* 2 FETCH (UID 2 MODSEQ (32) FLAGS (\\Flagged))\r\n"
		"A7 OK done\r\n");
	bye(p, "A8");
}

static void
test_mixed(void)
{
	struct imap_flagpush v[] = {
		{ 1, 0, 0, S, 0, 0, 0, 0, 0 },
		{ 2, 0, S, F, 0, 0, 0, 0, 0 },
		{ 3, 0, S, 0, 0, 0, 0, 0, 0 },
		{ 4, 0, 0, S, 0, 0, 0, 0, 0 },
		{ 5, 0, 0, S, 0, 0, 0, 0, 0 },
		{ 6, 0, 0, S, 0, 0, 0, 0, 0 },
		{ 7, 0, 0, S, 0, 0, 0, 0, 0 },
	};
	static const unsigned char want[] = { IMAP_FLAGPUSH_DONE,
		IMAP_FLAGPUSH_DONE, IMAP_FLAGPUSH_DONE, IMAP_FLAGPUSH_DONE,
		IMAP_FLAGPUSH_DONE, IMAP_FLAGPUSH_GONE, IMAP_FLAGPUSH_DONE };
	static const unsigned char flags[] = { S, F, 0, S | F, S, S, S };
	struct imap *im;
	struct err e;
	size_t i;

	im = start(mixed_script, &e);
	tap_ok(im != NULL, "mixed: session");
	tap_int(imap_flagpush(im, v, 7, 20, &e), 0, "mixed: pushed");
	for (i = 0; i < 7; i++) {
		tap_int(v[i].result, want[i], "mixed: result of each UID");
		tap_int(v[i].want, flags[i], "mixed: flags of each UID");
	}
	imap_logout(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "mixed: the dialogue");
}

/* ---- merged flag by flag: each side's change kept ---- */

static void
merge_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 CONDSTORE] hi\r\n");
	peer_expect(p, "A1 UID STORE 1 (UNCHANGEDSINCE 20) "
		"+FLAGS (\\Flagged)");
	peer_send(p, "A1 OK [MODIFIED 1] Conditional STORE failed\r\n");
	peer_expect(p, "A2 UID STORE 2 (UNCHANGEDSINCE 20) +FLAGS (\\Seen)");
	peer_send(p, "A2 OK [MODIFIED 2] Conditional STORE failed\r\n");
	peer_expect(p, "A3 UID FETCH 1:2 (UID FLAGS MODSEQ)");
	/* another client read 1 and unflagged 2 */
	peer_send(p, "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (31))\r\n"
		"* 2 FETCH (UID 2 FLAGS () MODSEQ (32))\r\n"
		"A3 OK done\r\n");
	peer_expect(p, "A4 UID STORE 1 (UNCHANGEDSINCE 31) "
		"+FLAGS (\\Flagged)");
	peer_send(p, "* 1 FETCH (UID 1 MODSEQ (33) FLAGS (\\Seen "
		"\\Flagged))\r\nA4 OK done\r\n");
	peer_expect(p, "A5 UID STORE 2 (UNCHANGEDSINCE 32) +FLAGS (\\Seen)");
	peer_send(p, "* 2 FETCH (UID 2 MODSEQ (34) FLAGS (\\Seen))\r\n"
		"A5 OK done\r\n");
	bye(p, "A6");
}

static void
test_merge(void)
{
	struct imap_flagpush v[] = {
		{ 1, 0, 0, F, 0, 0, 0, 0, 0 },
		{ 2, 0, F, F | S, 0, 0, 0, 0, 0 },
	};
	struct imap *im;
	struct err e;

	im = start(merge_script, &e);
	tap_ok(im != NULL, "merge: session");
	tap_int(imap_flagpush(im, v, 2, 20, &e), 0, "merge: pushed");
	tap_int(v[0].result, IMAP_FLAGPUSH_DONE, "merge: 1 done");
	tap_int(v[0].want, F | S, "merge: +F here, +S there: both");
	tap_int(v[1].result, IMAP_FLAGPUSH_DONE, "merge: 2 done");
	tap_int(v[1].want, S, "merge: +S here, -F there: both");
	imap_logout(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "merge: the dialogue");
}

/* ---- a server that keeps changing the message ---- */

static void
busy_script(struct peer *p)
{
	char line[128];
	int r;

	peer_send(p, "* OK [CAPABILITY IMAP4rev1 CONDSTORE] hi\r\n");
	for (r = 0; r < 4; r++) {
		snprintf(line, sizeof line, "A%d UID STORE 9 (UNCHANGEDSINCE "
			"%d) +FLAGS (\\Seen)", 2 * r + 1, r ? 40 + r : 5);
		peer_expect(p, line);
		snprintf(line, sizeof line, "A%d OK [MODIFIED 9] no\r\n",
			2 * r + 1);
		peer_send(p, line);
		snprintf(line, sizeof line, "A%d UID FETCH 9 (UID FLAGS "
			"MODSEQ)", 2 * r + 2);
		peer_expect(p, line);
		snprintf(line, sizeof line, "* 1 FETCH (UID 9 FLAGS (k%d) "
			"MODSEQ (%d))\r\nA%d OK done\r\n", r, 41 + r,
			2 * r + 2);
		peer_send(p, line);
	}
	bye(p, "A9");
}

static void
test_busy(void)
{
	struct imap_flagpush v[] = { { 9, 0, 0, S, 0, 0, 0, 0, 0 } };
	struct imap *im;
	struct err e;

	im = start(busy_script, &e);
	tap_ok(im != NULL, "busy: session");
	tap_int(imap_flagpush(im, v, 1, 5, &e), 0, "busy: no error");
	tap_int(v[0].result, IMAP_FLAGPUSH_PENDING, "busy: left pending");
	tap_int(v[0].base, 0, "busy: base is the server's flags");
	tap_int(v[0].want, S, "busy: want still ours (keywords only)");
	imap_logout(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "busy: the dialogue");
}

/* ---- a NO ---- */

static void
no_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 CONDSTORE] hi\r\n");
	peer_expect(p, "A1 UID STORE 3 (UNCHANGEDSINCE 7) -FLAGS (\\Flagged)");
	peer_send(p, "A1 NO [CANNOT] read-only\r\n");
	bye(p, "A2");
}

static void
test_no(void)
{
	struct imap_flagpush v[] = { { 3, 0, F, 0, 0, 0, 0, 0, 0 } };
	struct imap *im;
	struct err e;

	im = start(no_script, &e);
	tap_ok(im != NULL, "no: session");
	tap_int(imap_flagpush(im, v, 1, 7, &e), -1, "no: fails");
	tap_ok(e.code == ERR_UNAVAILABLE && strstr(e.msg, "read-only"),
		"no: the server's words: %s", e.msg);
	imap_logout(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "no: the dialogue");
}

int
main(void)
{
	test_mixed();
	test_merge();
	test_busy();
	test_no();
	return tap_done();
}
