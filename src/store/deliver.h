/*
 * deliver.h: where retrieved messages go (mpop; mimap fetch to a stream):
 * a maildir, an mbox file, an MDA command, or a stream (mpop --stdout).
 *
 * Messages come in as they arrive, already dot-unstuffed and with LF line
 * endings: deliver_begin(), deliver_write() any number of times,
 * deliver_end() (or deliver_abort()). A message is never held whole in
 * memory. deliver_sync() then makes every message ended since the last
 * sync durable at once; only after it returns 0 may the caller record the
 * messages as delivered and delete them on the server.
 *
 *  - maildir (DESIGN.md 7): "tmp/<unique>" created with O_EXCL, written; at
 *    sync each file is fsync'd, the journal is fsync'd, the files are
 *    renamed into "new/" and "new/" is fsync'd. The folder and its
 *    cur/ new/ tmp/ are created (mode 0700) when missing.
 *  - mbox: mboxrd ("From SENDER DATE" line, ">From " quoting, a blank line
 *    after each message), appended under an fcntl write lock and a dotlock
 *    (FILE.lock, skipped when the directory is not writable, as for
 *    /var/mail without group mail), both held from deliver_open to
 *    deliver_close. At sync the file is fsync'd. A failed or aborted
 *    message is truncated away: the file never keeps half a message.
 *  - MDA: the command gets the message on its standard input. It is split
 *    into words as a shell would (quotes, backslashes) and exec'd; only
 *    when it holds shell syntax ($ ` | ; & < > ( ) * ? [ ] ~ { } or a
 *    newline) is it run with "/bin/sh -c". mpop's %F becomes the envelope
 *    sender, reduced to letters, digits and ".@_-+/" (anything else '_'),
 *    as mpop does. deliver_end waits for the command: a non-zero exit is a
 *    failed delivery. Through an MDA delivery is at least once: a kill -9
 *    after the MDA took a message and before the state recorded it
 *    delivers it again on the next run.
 *  - stream: one message is written raw; with DELIVER_STREAM_MBOXRD each
 *    message goes out as mboxrd (mboxrd.h), as the pipes of the suite
 *    expect (several messages). deliver_sync flushes (and fsyncs a
 *    regular file, unless DELIVER_STREAM_NOSYNC).
 *
 * Exactly once (maildir, mbox): with a journal file, what is being
 * delivered is recorded there, so that after a kill -9 (or a power loss)
 * at any moment deliver_recover() finds, for each message, whether it is
 * wholly and durably in the folder or not, removes what is not, and hands
 * back the ids of those that are, for the caller to record before it
 * opens the destination again.
 *
 * Nothing here prints. Errors name the file or command.
 */
#ifndef MKIT_DELIVER_H
#define MKIT_DELIVER_H

#include <stddef.h>

#include "base/conf.h"
#include "base/err.h"

enum deliver_kind {
	DELIVER_MAILDIR = 1,
	DELIVER_MBOX,
	DELIVER_MDA,
	DELIVER_STREAM,
};

enum deliver_flags {
	/* stream: write every message as mboxrd (several messages);
	 * without it the stream is one raw message */
	DELIVER_STREAM_MBOXRD = 1 << 0,
	/* the bytes given have CRLF line ends (the wire form, as tolf.h
	 * takes them): made LF here, in the mboxrd writer's own pass when
	 * there is one (one scan and one copy, not two) */
	DELIVER_IN_CRLF = 1 << 1,
	/* stream: deliver_sync() only flushes; without it a regular file
	 * is also fsync'd (mpop --stdout deletes on the server after the
	 * sync; mimap fetch > FILE deletes nothing, and neither cat nor
	 * curl fsync what they write) */
	DELIVER_STREAM_NOSYNC = 1 << 2,
};

struct deliver_opts {
	enum deliver_kind kind;
	const char *target;	/* maildir folder, mbox file, MDA command;
				   unused for a stream */
	int fd;			/* stream: where to write (not closed) */
	unsigned flags;		/* enum deliver_flags */
	/* maildir, mbox: the journal (uidlstate_journal()), or NULL for
	 * none (then a kill -9 may leave a message twice). Truncated and
	 * started afresh by deliver_open(): run deliver_recover() on it
	 * first. */
	const char *journal;
	/* When not NULL, each message gets a first line "Received: from
	 * RECEIVED_FROM by THIS-HOST with RECEIVED_WITH id ID; DATE" (as
	 * mpop's received_header). */
	const char *received_from;	/* the server's host name */
	const char *received_with;	/* "POP3", "IMAP" */
	int lock_timeout;	/* mbox: seconds to wait for the locks;
				   0: DELIVER_LOCK_TIMEOUT */
};

#define DELIVER_LOCK_TIMEOUT 30

/*
 * Fill o from the account: kind and target from "delivery" (maildir, mbox,
 * mda), the Received header from "received_header" (received_from the
 * account's host, received_with with). o is initialised here; strings are
 * borrowed from acc. ERR_CONFIG when the account has no delivery
 * ("account \"x\": no delivery set (add e.g. \"delivery maildir
 * ~/Mail\")").
 */
int deliver_opts_account(struct deliver_opts *o, const struct account *acc,
	const char *with, struct err *e);

/*
 * The argv an MDA command runs with, as decided above: its words, or
 * { "/bin/sh", "-c", cmd } when it holds shell syntax. For another
 * command the user gives (mimap idle --exec), so that one rule says when a
 * shell runs. Returns argc (> 0) and *argv (NULL-terminated; strv_free()
 * it with argc), or -1 for an open quote or no command.
 */
int deliver_cmd_argv(const char *cmd, char ***argv);

struct deliver;

/*
 * Open the destination: create the maildir if missing, or open (creating
 * it, mode 0600) and lock the mbox, or check that the MDA command parses.
 * Starts the journal (o->journal). Errors: ERR_CANTCREAT (cannot create the
 * maildir, the mbox or the journal), ERR_TEMPFAIL (the mbox stayed locked
 * for lock_timeout seconds), ERR_IO, ERR_CONFIG (an MDA command that does
 * not parse: an open quote). Returns a handle for deliver_close(), or NULL.
 */
struct deliver *deliver_open(const struct deliver_opts *o, struct err *e);

/*
 * Start a message. id is its UIDL (any bytes but NUL; for the journal and
 * the Received header). envelope_from is the sender for the mbox "From "
 * line and the MDA's %F; NULL: taken from the message's first
 * Return-Path header, else "MAILER-DAEMON" (the header is held until its
 * end, at most DELIVER_HEADER_MAX bytes, when the destination needs it).
 * Errors: ERR_CANTCREAT, ERR_IO (maildir file, mbox write), ERR_OS (the
 * MDA cannot be started). On error no message is open.
 */
int deliver_begin(struct deliver *d, const char *id,
	const char *envelope_from, struct err *e);

#define DELIVER_HEADER_MAX (256u << 10)

/* The next n bytes of the message (LF line endings, or CRLF with
 * DELIVER_IN_CRLF). Errors: ERR_IO (a
 * full disk, ENOSPC, included), an MDA that stopped reading (its exit
 * status is then the error, as deliver_end()). After an error call
 * deliver_abort(). */
int deliver_write(struct deliver *d, const void *p, size_t n,
	struct err *e);

/*
 * The message is complete. maildir, mbox, stream: written (durable only
 * after deliver_sync()). MDA: its standard input is closed and its exit
 * awaited: exit 0 is delivered; a non-zero exit or a signal is an error
 * whose code is the exit status mapped to err_code (75 ERR_TEMPFAIL, 73
 * ERR_CANTCREAT...; not a sysexits code or a signal: ERR_IO), and
 * deliver_exit_status() gives the exact status to exit with. On error the
 * message is removed (maildir, mbox) as deliver_abort() does.
 */
int deliver_end(struct deliver *d, struct err *e);

/* Drop the message being written: unlink its maildir file, truncate the
 * mbox back, or kill the MDA (SIGTERM) and reap it. No-op without one. */
void deliver_abort(struct deliver *d);

/*
 * After a failed deliver_end() or deliver_write() on an MDA: the status the
 * program should exit with, the MDA's when it is a sysexits code (64 to
 * 78), else 74 (EX_IOERR). 0 when nothing failed.
 */
int deliver_exit_status(const struct deliver *d);

/*
 * Make every message ended since the last sync durable (see above for
 * each kind), then return how many there were. Errors: ERR_IO (fsync or
 * rename failed, a full disk included: then none of those messages count
 * as delivered and they are removed from the maildir / mbox).
 */
long deliver_sync(struct deliver *d, struct err *e);

/*
 * deliver_sync() in two halves, so that the next window is written while
 * this one is made durable: deliver_sync_start() hands every message ended
 * so far over (a maildir window to a thread of its own, which renames the
 * files and fsyncs new/; other kinds are synced at once) and returns;
 * deliver_begin() and the rest may go on meanwhile. A maildir's thread
 * first creates in tmp/ as many files as the window had, for the next
 * window to take (those not taken are removed at the next start and by
 * deliver_close(), and after a crash by deliver_recover()). deliver_sync_wait()
 * waits for the window handed over and returns deliver_sync()'s result for
 * it (0 when none was). One window at a time: a second start before the
 * wait is ERR_SOFTWARE. deliver_sync() and deliver_close() wait for a
 * window still handed over first.
 */
int deliver_sync_start(struct deliver *d, struct err *e);
long deliver_sync_wait(struct deliver *d, struct err *e);

/*
 * The window after the one handed over next will hold at most n
 * messages: the next deliver_sync_start() makes no more files ahead than
 * that (none after the last window). A hint for that one start only;
 * without it, as many as the window handed over had.
 */
void deliver_expect(struct deliver *d, size_t n);

/*
 * The caller has recorded every message synced so far (its UIDL state is
 * committed): the journal may forget them. Optional (it keeps the journal
 * short in a long session). Errors: ERR_IO.
 */
int deliver_checkpoint(struct deliver *d, struct err *e);

/*
 * Sync what is ended, abort a message still open, unlock, release. Returns
 * deliver_sync()'s result; d is freed either way. NULL is allowed.
 */
long deliver_close(struct deliver *d, struct err *e);

/*
 * Recovery after a crash: read the journal at path (a missing or empty one
 * is no work) and, for each message recorded there, remove it when it is
 * not wholly and durably delivered (unlink its maildir tmp/ file, truncate
 * the mbox back to where it was, provided it is still the same file and no
 * shorter) or keep it when it is. (Another program that appends to the
 * same mbox between the crash and the recovery loses what it appended
 * after the cut: the journal cannot tell its bytes from ours.) Sets *ids to the n ids of the kept ones
 * (a strv: free with strv_free()), which the caller records as delivered
 * before calling deliver_open() on the same journal. Running it twice
 * gives the same result. Errors: ERR_IO, ERR_DATA (not a journal).
 */
int deliver_recover(const char *path, char ***ids, size_t *n,
	struct err *e);

#endif
