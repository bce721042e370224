/*
 * t_imap_idle.c: the folder watch (src/proto/imap_idle.c) against a
 * scripted server (peer.h): EXPUNGE by sequence number told as the UID,
 * unsolicited FETCH as a flag change only when the flags changed, EXISTS
 * fetched with UID FETCH LAST+1:* (and the "N:*" quirk that returns the
 * last message again), the NOOP check, and the catch-up after a
 * reconnection (UID SEARCH for expunges, CHANGEDSINCE, new UIDs) and a
 * new UIDVALIDITY; two folders on one session with NOTIFY (a STATUS that
 * changes nothing is left alone, one that does brings EXAMINE and the
 * catch-up; the check asks STATUS of the folder not selected).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "net/conn.h"
#include "proto/imap.h"
#include "proto/imap_idle.h"
#include "tap.h"
#include "peer.h"
#include "imap_peer.h"

static struct peer pe;
static struct buf told;

static void
on_event(void *ctx, const struct imap_event *ev)
{
	static const char *const kinds[] = { "new", "expunge", "flags",
		"uidvalidity" };
	size_t i;

	(void)ctx;
	buf_addstr(&told, kinds[ev->kind]);
	for (i = 0; i < ev->n; i++)
		buf_addf(&told, " %llu", ev->uids[i]);
	if (ev->flags)
		buf_addf(&told, " (%s)", ev->flags);
	if (ev->uidvalidity)
		buf_addf(&told, " %llu", ev->uidvalidity);
	buf_addch(&told, ';');
}

static struct imap *
start(void (*script)(struct peer *), struct err *e)
{
	return imap_peer_start(&pe, script, e);
}

static const char *
events(void)
{
	return told.data ? told.data : "";
}

/* ---- a session in IDLE ---- */

static void
idle_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
	peer_expect(p, "A1 EXAMINE INBOX");
	peer_send(p, "* 2 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n"
		"A1 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A2 UID FETCH 1:* (UID FLAGS)");
	peer_send(p, "* 1 FETCH (UID 10 FLAGS (\\Seen \\Recent))\r\n"
		"* 2 FETCH (UID 12 FLAGS ())\r\nA2 OK done\r\n");
	peer_expect(p, "A3 IDLE");
	peer_send(p, "+ idling\r\n");
	/* 10 goes, 12 (now 1) gets flags, and one arrives */
	peer_send(p, "* 1 EXPUNGE\r\n* 1 FETCH (FLAGS (\\Flagged Kw))\r\n"
		"* 2 EXISTS\r\n");
	peer_expect(p, "DONE");
	peer_send(p, "A3 OK idle done\r\n");
	peer_expect(p, "A4 UID FETCH 13:* (UID FLAGS)");
	peer_send(p, "* 2 FETCH (UID 15 FLAGS ())\r\nA4 OK done\r\n");
	peer_expect(p, "A5 IDLE");
	peer_send(p, "+ idling\r\n");
	/* the same flags again (keywords in another order, case): no event */
	peer_send(p, "* 1 FETCH (UID 12 FLAGS (kw \\Flagged))\r\n");
	peer_expect(p, "DONE");
	peer_send(p, "A5 OK idle done\r\n");
	peer_expect(p, "A6 NOOP");
	peer_send(p, "* 3 EXISTS\r\nA6 OK noop\r\n");
	/* "16:*" with nothing above 15 returns 15 again: no event */
	peer_expect(p, "A7 UID FETCH 16:* (UID FLAGS)");
	peer_send(p, "* 2 FETCH (UID 15 FLAGS ())\r\n"
		"* 3 FETCH (UID 16 FLAGS (\\Seen))\r\nA7 OK done\r\n");
	peer_expect(p, "A8 IDLE");
	peer_send(p, "+ idling\r\n");
	peer_expect(p, "DONE");
	peer_send(p, "A8 OK idle done\r\n");
	peer_expect(p, "A9 LOGOUT");
	peer_send(p, "* BYE bye\r\nA9 OK done\r\n");
	peer_eof(p);
}

static void
test_idle(void)
{
	struct err e;
	struct imap *im;
	struct imap_watch *w = imap_watch_new("INBOX", on_event, NULL);

	buf_reset(&told);
	im = start(idle_script, &e);
	tap_ok(im != NULL, "idle: session");
	tap_int(imap_watch_attach(w, im, 1, &e), 0, "idle: attach");
	tap_str(events(), "", "idle: the baseline is no event");
	tap_ok(imap_watch_idling(w), "idle: in IDLE");
	tap_int(imap_ready(im, 5000, &e), 1, "idle: something to read");
	usleep(100000);	/* the three responses in */
	tap_int(imap_watch_input(w, &e), 0, "idle: input");
	tap_str(events(), "expunge 10;flags 12 (\\Flagged Kw);new 15;",
		"idle: expunge by UID, flags, new");
	buf_reset(&told);
	tap_int(imap_ready(im, 5000, &e), 1, "idle: more to read");
	tap_int(imap_watch_input(w, &e), 0, "idle: same flags");
	tap_int(imap_watch_check(w, &e), 0, "idle: NOOP check");
	tap_str(events(), "new 16;", "idle: only what changed");
	imap_watch_close(w, 1);
	peer_join(&pe);
	tap_str(pe.fail, "", "idle: the dialogue");
	imap_watch_free(w);
}

/* EXISTS that comes before IDLE's "+": fetched at once, not at the next
 * input (which may be minutes away). */
static void
early_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
	peer_expect(p, "A1 EXAMINE INBOX");
	peer_send(p, "* 0 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n"
		"A1 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A2 IDLE");
	peer_send(p, "* 1 EXISTS\r\n+ idling\r\n");
	peer_expect(p, "DONE");
	peer_send(p, "A2 OK idle done\r\n");
	peer_expect(p, "A3 UID FETCH 1:* (UID FLAGS)");
	peer_send(p, "* 1 FETCH (UID 7 FLAGS ())\r\nA3 OK done\r\n");
	peer_expect(p, "A4 IDLE");
	peer_send(p, "+ idling\r\n");
	peer_eof(p);
}

static void
test_early(void)
{
	struct err e;
	struct imap *im;
	struct imap_watch *w = imap_watch_new("INBOX", on_event, NULL);

	buf_reset(&told);
	im = start(early_script, &e);
	tap_int(imap_watch_attach(w, im, 1, &e), 0, "early: attach");
	tap_str(events(), "new 7;", "early: EXISTS before + fetched");
	tap_ok(imap_watch_idling(w), "early: in IDLE again");
	imap_watch_free(w);
	peer_join(&pe);
	tap_str(pe.fail, "", "early: the dialogue");
}

/* ---- reconnections ---- */

static void
first_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 CONDSTORE] hi\r\n");
	peer_expect(p, "A1 EXAMINE INBOX (CONDSTORE)");
	peer_send(p, "* 3 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n"
		"* OK [HIGHESTMODSEQ 5] m\r\nA1 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A2 UID FETCH 1:* (UID FLAGS)");
	peer_send(p, "* 1 FETCH (UID 1 FLAGS ())\r\n"
		"* 2 FETCH (UID 2 FLAGS ())\r\n"
		"* 3 FETCH (UID 3 FLAGS ())\r\nA2 OK done\r\n");
	peer_eof(p);
}

/* Meanwhile 2 was expunged, 3 seen, 4 arrived; and 1 is expunged
 * right after the UID SEARCH answered (its sequence number is of the
 * state the search gave). */
static void
again_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 CONDSTORE] hi\r\n");
	peer_expect(p, "A1 EXAMINE INBOX (CONDSTORE)");
	peer_send(p, "* 3 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n"
		"* OK [HIGHESTMODSEQ 8] m\r\nA1 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A2 UID SEARCH ALL");
	peer_send(p, "* SEARCH 4 1 3\r\n* 1 EXPUNGE\r\nA2 OK done\r\n");
	peer_expect(p, "A3 UID FETCH 1:3 (UID FLAGS) (CHANGEDSINCE 5)");
	peer_send(p, "* 1 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (7))\r\n"
		"A3 OK done\r\n");
	peer_expect(p, "A4 UID FETCH 4:* (UID FLAGS)");
	peer_send(p, "* 2 FETCH (UID 4 FLAGS ())\r\nA4 OK done\r\n");
	peer_eof(p);
}

/* The folder was made anew. */
static void
new_validity_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
	peer_expect(p, "A1 EXAMINE INBOX");
	peer_send(p, "* 1 EXISTS\r\n* OK [UIDVALIDITY 11] v\r\n"
		"A1 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A2 UID FETCH 1:* (UID FLAGS)");
	peer_send(p, "* 1 FETCH (UID 1 FLAGS ())\r\nA2 OK done\r\n");
	peer_eof(p);
}

static void
attach_with(struct imap_watch *w, void (*script)(struct peer *),
	const char *want, const char *name)
{
	struct err e;
	struct imap *im;
	char what[3][80];

	snprintf(what[0], sizeof what[0], "%s: attach", name);
	snprintf(what[1], sizeof what[1], "%s: events", name);
	snprintf(what[2], sizeof what[2], "%s: the dialogue", name);
	buf_reset(&told);
	im = start(script, &e);
	tap_ok(im != NULL, "%s: session", name);
	tap_int(imap_watch_attach(w, im, 1, &e), 0, what[0]);
	tap_ok(!imap_watch_idling(w), "%s: no IDLE offered: polling", name);
	tap_str(events(), want, what[1]);
	imap_watch_close(w, 0);
	peer_join(&pe);
	tap_str(pe.fail, "", what[2]);
}

static void
test_reconnect(void)
{
	struct imap_watch *w = imap_watch_new("INBOX", on_event, NULL);

	attach_with(w, first_script, "", "baseline");
	attach_with(w, again_script, "expunge 1 2;flags 3 (\\Seen);new 4;",
		"catch-up with CONDSTORE");
	attach_with(w, new_validity_script, "uidvalidity 11;",
		"a new UIDVALIDITY");
	imap_watch_free(w);
}

/* ---- two folders on one session with NOTIFY ---- */

static void
notify_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 IDLE NOTIFY] hi\r\n");
	peer_expect(p, "A1 NOTIFY SET (SELECTED (MessageNew MessageExpunge "
		"FlagChange)) (MAILBOXES INBOX (MessageNew MessageExpunge "
		"FlagChange)) (MAILBOXES Work (MessageNew MessageExpunge "
		"FlagChange))");
	peer_send(p, "A1 OK done\r\n");
	peer_expect(p, "A2 EXAMINE INBOX");
	peer_send(p, "* 1 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n"
		"* OK [UIDNEXT 5] n\r\nA2 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A3 UID FETCH 1:* (UID FLAGS)");
	peer_send(p, "* 1 FETCH (UID 4 FLAGS ())\r\nA3 OK done\r\n");
	peer_expect(p, "A4 EXAMINE Work");
	peer_send(p, "* 0 EXISTS\r\n* OK [UIDVALIDITY 3] v\r\n"
		"* OK [UIDNEXT 1] n\r\nA4 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A5 IDLE");
	/* INBOX as known: nothing to do; then a change */
	peer_send(p, "+ idling\r\n* STATUS INBOX (MESSAGES 1 UIDNEXT 5 "
		"UIDVALIDITY 9)\r\n");
	peer_send(p, "* STATUS inbox (MESSAGES 2 UIDNEXT 6)\r\n");
	peer_expect(p, "DONE");
	peer_send(p, "A5 OK idle done\r\n");
	peer_expect(p, "A6 NOOP");
	peer_send(p, "A6 OK noop\r\n");
	peer_expect(p, "A7 EXAMINE INBOX");
	peer_send(p, "* 2 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n"
		"* OK [UIDNEXT 6] n\r\nA7 OK [READ-ONLY] done\r\n");
	peer_expect(p, "A8 UID SEARCH ALL");
	peer_send(p, "* SEARCH 4 5\r\nA8 OK done\r\n");
	peer_expect(p, "A9 UID FETCH 1:4 (UID FLAGS)");
	peer_send(p, "A9 OK done\r\n");
	peer_expect(p, "A10 UID FETCH 5:* (UID FLAGS)");
	peer_send(p, "* 2 FETCH (UID 5 FLAGS ())\r\nA10 OK done\r\n");
	peer_expect(p, "A11 IDLE");
	peer_send(p, "+ idling\r\n");
	/* the check: the folder not selected asked for */
	peer_expect(p, "DONE");
	peer_send(p, "A11 OK idle done\r\n");
	peer_expect(p, "A12 NOOP");
	peer_send(p, "A12 OK noop\r\n");
	peer_expect(p, "A13 STATUS Work (MESSAGES UIDNEXT UIDVALIDITY)");
	peer_send(p, "* STATUS Work (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 3)\r\n"
		"A13 OK done\r\n");
	peer_expect(p, "A14 IDLE");
	peer_send(p, "+ idling\r\n");
	peer_eof(p);
}

static void
test_notify(void)
{
	struct imap_watch *w[2];
	struct imap_notify *g;
	struct imap *im;
	struct err e;

	w[0] = imap_watch_new("INBOX", on_event, NULL);
	w[1] = imap_watch_new("Work", on_event, NULL);
	g = imap_notify_new(w, 2);
	buf_reset(&told);
	im = start(notify_script, &e);
	tap_ok(im != NULL, "notify: session");
	tap_int(imap_notify_attach(g, im, &e), 0, "notify: attach");
	tap_int(imap_ready(im, 5000, &e), 1, "notify: STATUS");
	usleep(100000);
	tap_int(imap_notify_input(g, &e), 0, "notify: input");
	tap_str(events(), "new 5;", "notify: the folder that changed");
	buf_reset(&told);
	tap_int(imap_notify_check(g, &e), 0, "notify: check");
	tap_str(events(), "", "notify: nothing else");
	imap_notify_free(g);
	peer_join(&pe);
	tap_str(pe.fail, "", "notify: the dialogue");
	imap_watch_free(w[0]);
	imap_watch_free(w[1]);
}

static void
refused_script(struct peer *p)
{
	peer_send(p, "* OK [CAPABILITY IMAP4rev1 IDLE NOTIFY] hi\r\n");
	peer_line(p, (char[512]){ 0 }, 512);
	peer_send(p, "A1 NO [BADEVENT (MessageNew MessageExpunge)] no\r\n");
	peer_eof(p);
}

static void
test_notify_refused(void)
{
	struct imap_watch *w[2];
	struct imap_notify *g;
	struct imap *im;
	struct err e;

	w[0] = imap_watch_new("INBOX", on_event, NULL);
	w[1] = imap_watch_new("Work", on_event, NULL);
	g = imap_notify_new(w, 2);
	im = start(refused_script, &e);
	tap_int(imap_notify_attach(g, im, &e), -1, "notify refused: fails");
	tap_ok(imap_notify_refused(g), "notify refused: said so (%s)",
		e.msg);
	tap_ok(imap_notify_session(g) == NULL, "notify refused: closed");
	imap_notify_free(g);
	peer_join(&pe);
	tap_str(pe.fail, "", "notify refused: the dialogue");
	imap_watch_free(w[0]);
	imap_watch_free(w[1]);
}

int
main(void)
{
	buf_init(&told, 0);
	test_idle();
	test_early();
	test_reconnect();
	test_notify();
	test_notify_refused();
	buf_release(&told);
	return tap_done();
}
