/*
 * mdirsync.h: the maildir side of mimap pull. Each message mirrored from
 * an IMAP folder carries its UIDVALIDITY and UID in its file name, as
 * mbsync does with ",U=":
 *
 *     SECS.MUSECSPPIDQSEQ.HOST,V=UIDVALIDITY,U=UID[:2,FLAGS]
 *
 * Mail readers keep the part before ":2," when they change flags, so a
 * scan of cur/ and new/ finds every mirrored message, its UID and its
 * current flags without any other record, and a kill -9 at any moment
 * leaves each message either wholly in cur/ or new/ (then found by the
 * next scan: never fetched twice) or only in tmp/ (then removed by the
 * next open: fetched again). Files without the tag are the user's own and
 * are never touched.
 *
 * Delivery is batched (DESIGN.md 7): mdirsync_begin/_write/_end write
 * tmp/NAME and start its writeback; mdirsync_commit() fsyncs every file
 * of the batch, renames them into new/ (no flags) or cur/ (flags), and
 * fsyncs both directories. On ext4 with an ordered journal each file is
 * written out and waited for instead of fsync'd: the fsync of the
 * directories after the renames commits the one journal transaction that
 * holds them all, as mpop's delivery does (store/deliver.c); on ext4
 * without a journal one syncfs serves the batch (durable_fs_mode).
 * The index costs 12 bytes per message and no file name: a scan keeps
 * only UIDs and flags, and a file's name is looked up when it is to be
 * renamed or removed (mdirsync_names() for many in one pass), so that
 * memory does not grow with the names of a large folder.
 *
 * An unchanged re-pull need not read the directories: a stamp of cur/ and
 * new/ (inode, mtime, ctime, size), kept in the pull state, says that
 * nothing was renamed, added or removed there since the stamp was taken.
 * A stamp is only given out when it was taken after the last change in
 * the same clock tick could have happened (a later change gets a later
 * time) and when a scan made after it matched the state: see
 * mdirsync_stamp().
 *
 * Nothing here prints. Errors name the file.
 */
#ifndef MKIT_MDIRSYNC_H
#define MKIT_MDIRSYNC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/durable.h"
#include "store/syncstate.h"

/* An entry's name not known yet (found again when needed). */
#define MDIRSYNC_NONAME UINT32_MAX

struct mdirsync_ent {
	uint32_t uid;
	uint32_t name;		/* offset of the base name in names, or
				 * MDIRSYNC_NONAME */
	unsigned char flags;	/* syncstate.h's bits */
	unsigned char in_new;	/* in new/ (else cur/) */
	unsigned char gone;	/* removed this run */
	unsigned char want;	/* set by the caller: mdirsync_names() is
				 * to find its name */
};

struct mdirsync_pend;

/* Room for a stamp of cur/ and new/, its NUL included. */
#define MDIRSYNC_STAMP_MAX 160

struct mdirsync {
	char *dir;
	unsigned long long uidvalidity;
	struct mdirsync_ent *v;	/* this UIDVALIDITY's, ascending UIDs */
	size_t n, alloc;
	struct mdirsync_ent *old; /* tagged with another UIDVALIDITY */
	size_t nold, aold;
	struct buf names;	/* NUL-terminated base names: of old, and of
				 * v's entries named so far */
	/* the batch being written; its tmp/ names in pnames */
	struct buf pnames;
	struct mdirsync_pend *pend;
	size_t npend, apend;
	int fd;			/* the message open, or -1 */
	enum durable_mode dmode;	/* durable_fs_mode(dir) */
	int scanned;		/* v and old hold cur/ and new/ */
	unsigned long changes;	/* renames and removals done here */
	/* set by the caller after mdirsync_open(): each message committed
	 * is told to it (before the directories' fsync ends the commit)
	 * instead of being added to v, which then does not grow with the
	 * messages fetched */
	void (*published)(void *ctx, unsigned long long uid, unsigned flags);
	void *ctx;
	char prestamp[MDIRSYNC_STAMP_MAX]; /* taken before the scan, or "" */
	unsigned long long seq;
	long pid;		/* in the names: asked once */
	char host[64];
};

/*
 * Open the maildir dir for UIDVALIDITY uidvalidity: create it (and cur/
 * new/ tmp/, mode 0700) when missing, remove tmp/ files left by a killed
 * pull (tagged names only), and scan cur/ and new/, unless stamp (NULL or
 * "" for none) is the directories' stamp now: then m->scanned is 0, the
 * index is empty, and the caller holds that the maildir has exactly the
 * messages and flags of the state that stamp was given for, until it
 * calls mdirsync_scan(). Errors: ERR_CANTCREAT, ERR_IO.
 */
int mdirsync_open(struct mdirsync *m, const char *dir,
	unsigned long long uidvalidity, const char *stamp, struct err *e);
/* Scan cur/ and new/ now if mdirsync_open() did not. ERR_IO. */
int mdirsync_scan(struct mdirsync *m, struct err *e);
/*
 * The stamp to keep with a state whose messages are v[0..n) (ascending
 * UIDs): into out (MDIRSYNC_STAMP_MAX bytes) when cur/ and new/ hold
 * exactly those UIDs of this UIDVALIDITY with those flags and no file of
 * another UIDVALIDITY, else "" (when unsure too). May wait a clock tick
 * and scan the directories again when this run changed them. ERR_IO.
 */
int mdirsync_stamp(struct mdirsync *m, const struct syncstate_ent *v,
	size_t n, char *out, struct err *e);
/* Abort a message open, drop the batch not committed, free. */
void mdirsync_close(struct mdirsync *m);

/* The file of uid, or NULL. */
struct mdirsync_ent *mdirsync_find(const struct mdirsync *m,
	unsigned long long uid);
/* "DIR/cur/NAME:2,FS" or "DIR/new/NAME" of ent, into out (reset); its
 * name is looked up when not known. ERR_IO, also when it has no file
 * (then ent->gone is set). */
int mdirsync_file(struct mdirsync *m, struct mdirsync_ent *ent,
	struct buf *out, struct err *e);
/* Look up, in one pass over cur/ and new/, the names of the entries
 * with want set (those whose file is not found stay without). ERR_IO. */
int mdirsync_names(struct mdirsync *m, struct err *e);

/* Give ent flags: rename it into cur/ with ":2,LETTERS". ERR_IO (the file
 * gone under us is not an error: it counts as removed). */
int mdirsync_set_flags(struct mdirsync *m, struct mdirsync_ent *ent,
	unsigned flags, struct err *e);
/* Remove ent's file. ERR_IO. */
int mdirsync_remove(struct mdirsync *m, struct mdirsync_ent *ent,
	struct err *e);
/*
 * A file of m->old (another UIDVALIDITY): retag it with this UIDVALIDITY
 * and uid (uid 0: drop the tag, leaving a file of the user's own, "kept
 * aside"). On return out holds its new path. ERR_IO.
 */
int mdirsync_retag(struct mdirsync *m, struct mdirsync_ent *ent,
	unsigned long long uid, struct buf *out, struct err *e);
/* Make renames and removals durable: fsync cur/ and new/. ERR_IO. */
int mdirsync_sync_dirs(struct mdirsync *m, struct err *e);

/* Start message uid with flags in tmp/. ERR_CANTCREAT. */
int mdirsync_begin(struct mdirsync *m, unsigned long long uid,
	unsigned flags, struct err *e);
/* Bytes of the message (LF line ends). ERR_IO (a full disk included). */
int mdirsync_write(struct mdirsync *m, const void *p, size_t n,
	struct err *e);
/* The message is whole (not durable before mdirsync_commit). */
int mdirsync_end(struct mdirsync *m, struct err *e);
/* The flags of a message ended and not yet committed, uid, when they
 * came after its bytes (a FETCH may order its items so, or send them in
 * a FETCH of their own later). No-op for another uid. */
void mdirsync_last_flags(struct mdirsync *m, unsigned long long uid,
	unsigned flags);
/* Drop the message open. */
void mdirsync_abort(struct mdirsync *m);
/* Messages ended and not committed. */
size_t mdirsync_pending(const struct mdirsync *m);
/*
 * Make the batch durable and visible (see above) and add it to the
 * index. Errors: ERR_IO; then nothing of the batch is in cur/ or new/
 * (what was renamed before the failure stays: it is whole and synced).
 */
int mdirsync_commit(struct mdirsync *m, struct err *e);

/*
 * The Message-ID of the file at path (without <>, cut to size) and its
 * size with CRLF line ends (the RFC822.SIZE a server gives). 0, or -1
 * with ERR_IO.
 */
int mdirsync_identity(const char *path, char *msgid, size_t size,
	unsigned long long *crlf_size, struct err *e);
/* Message-ID from header bytes (n bytes; CRLF or LF). "" when none. */
void mdirsync_msgid(const char *h, size_t n, char *out, size_t size);

#endif
