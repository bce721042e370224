/*
 * syncstate.h: what mimap pull remembers of one IMAP folder between runs
 * (DESIGN.md 7): UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, the hierarchy
 * delimiter, the maildir it mirrors into, and for each message mirrored
 * its UID and the flags both sides agreed on at the end of the last pull
 * (the base of the three-way flag merge). The message's file is found by
 * the ",U=" tag of its name (mdirsync.h), not kept here: a mail reader
 * renames the file whenever it changes a flag.
 *
 * Where: $XDG_STATE_HOME/mkit/imap/USER@HOST:PORT/FOLDER (XDG default
 * ~/.local/state; the folder name with '/', '%' and '.' at its start
 * written as %2F, %25, %2E), and a lock file "lock" beside them: one
 * pull per account at a time.
 *
 * The file: a line "mkit-imapsync 1", then "key value" lines, then
 * "uids", then one "UID FLAGS" line per message in ascending UID order
 * (FLAGS in maildir letters, "-" for none). The key "stamp" says the
 * maildir was seen to hold exactly these messages and flags (mdirsync.h).
 * It is only ever replaced whole (durable_file: a temp file, fsync'd and
 * renamed): a crash leaves the old state or the new one. It is read and
 * written in pieces, never held as text: in memory a message costs its
 * 8 bytes of struct syncstate_ent and nothing else.
 */
#ifndef MKIT_SYNCSTATE_H
#define MKIT_SYNCSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* The flags mirrored, as bits; maildir letters D F R S T. */
enum syncstate_flag {
	SYNC_DRAFT = 1 << 0,	/* D  \Draft */
	SYNC_FLAGGED = 1 << 1,	/* F  \Flagged */
	SYNC_ANSWERED = 1 << 2,	/* R  \Answered */
	SYNC_SEEN = 1 << 3,	/* S  \Seen */
	SYNC_DELETED = 1 << 4,	/* T  \Deleted */
};
#define SYNC_FLAGS_ALL 0x1f

struct syncstate_ent {
	uint32_t uid;
	unsigned char flags;	/* enum syncstate_flag */
};

struct syncstate {
	unsigned long long uidvalidity;	/* 0: never pulled */
	unsigned long long uidnext;	/* every UID below was seen */
	unsigned long long highestmodseq; /* 0: none (no CONDSTORE) */
	char delim;			/* hierarchy delimiter, 0 unknown */
	char *maildir;			/* mirrored into; NULL unknown */
	char *stamp;			/* of the maildir's cur/ and new/
					 * (mdirsync.h) when they held what v
					 * says; NULL none */
	struct syncstate_ent *v;	/* ascending UIDs */
	size_t n, alloc;
	/* changed since loaded: set by _set, _compact and _clear when they
	 * change something; the caller sets it when it changes a field
	 * above or an entry's flags, and clears it once saved */
	int dirty;
};

/* Maildir letters of flags into out (at least 6 bytes: "DFRST"), in
 * ASCII order as maildir wants them. */
void syncstate_letters(unsigned flags, char *out);
/* Flags from maildir letters (len bytes; other letters ignored). */
unsigned syncstate_from_letters(const char *s, size_t len);
/* Flags from an IMAP system flag name ("\Seen"), 0 for any other. */
unsigned syncstate_from_imap(const char *s, size_t len);
/* "\Seen \Flagged" for flags into out (at least 64 bytes). */
void syncstate_imap_names(unsigned flags, char *out);

/* A base for syncstate_merge when none is known (no state). */
#define SYNC_UNKNOWN 0x100u

/*
 * The three-way merge of one message's flags against base, the flags
 * both sides last agreed on, flag by flag: a flag the server changed
 * since base takes the server's value, any other the local value
 * (changed or not). Both sides changing one flag can only agree (a flag
 * is set or not); with base SYNC_UNKNOWN the server's flags win whole.
 */
unsigned syncstate_merge(unsigned base, unsigned local, unsigned server);

/*
 * The account's state directory, a new string, or NULL with ERR_CONFIG
 * (no $HOME and no absolute $XDG_STATE_HOME).
 */
char *syncstate_dir(const char *user, const char *host, unsigned port,
	struct err *e);
/* The state file of folder (UTF-8) in dir: a new string. */
char *syncstate_path(const char *dir, const char *folder);

/*
 * Create dir if missing and take its lock (close-on-exec; released when
 * the returned descriptor is closed or the process ends). With wait, wait
 * for another pull to finish; without, ERR_TEMPFAIL "DIR: in use by
 * another pull". Also ERR_CANTCREAT, ERR_IO. Returns the descriptor.
 */
int syncstate_lock(const char *dir, int wait, struct err *e);

void syncstate_init(struct syncstate *s);
void syncstate_release(struct syncstate *s);
/* Forget the messages, the folder's numbers and the stamp (a new
 * UIDVALIDITY). */
void syncstate_clear(struct syncstate *s);

/* Load path into s (initialised here; a missing file is an empty state).
 * ERR_DATA "FILE:LINE: ..." for anything malformed, ERR_IO. */
int syncstate_load(struct syncstate *s, const char *path, struct err *e);
/* Write s to path durably and atomically. ERR_IO, ERR_CANTCREAT. */
int syncstate_save(const struct syncstate *s, const char *path,
	struct err *e);

/* The entry of uid, or NULL. */
struct syncstate_ent *syncstate_find(const struct syncstate *s,
	unsigned long long uid);
/* Record uid with flags (an existing entry is updated). Appending in
 * ascending order is O(1); otherwise the entry is inserted in place. */
void syncstate_set(struct syncstate *s, unsigned long long uid,
	unsigned flags);
/* Drop the entries whose flags are 0xff (marked for removal). */
void syncstate_compact(struct syncstate *s);

#endif
