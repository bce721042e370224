/*
 * t_syncstate: what mimap pull keeps between runs, as a rerun relies on
 * it: the three-way flag merge against it (every combination, flag by
 * flag), the state file (where it lives, what it holds, refused when
 * malformed, one pull per account), and the UID-tagged maildir (a scan
 * finds every mirrored file and its flags, a batch is only visible once
 * committed, leftovers of a killed pull are removed, a file of another
 * UIDVALIDITY can be retagged or kept aside).
 */
#include <config.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/mdirsync.h"
#include "store/syncstate.h"
#include "storetest.h"
#include "tap.h"

static char dir[] = "/tmp/t_syncstate.XXXXXX";

static void
put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

static size_t
count_files(const char *sub)
{
	char p[512];
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	snprintf(p, sizeof p, "%s/md/%s", dir, sub);
	d = opendir(p);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_flags(void)
{
	static const struct {
		unsigned flags;
		const char *letters, *imap;
	} t[] = {
		{ 0, "", "" },
		{ SYNC_SEEN, "S", "\\Seen" },
		{ SYNC_SEEN | SYNC_FLAGGED, "FS", "\\Flagged \\Seen" },
		{ SYNC_FLAGS_ALL, "DFRST",
		  "\\Draft \\Flagged \\Answered \\Seen \\Deleted" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		syncstate_letters(t[i].flags, out);
		tap_str(out, t[i].letters, "letters in ASCII order");
		tap_int(syncstate_from_letters(t[i].letters,
			strlen(t[i].letters)), t[i].flags, t[i].letters);
		syncstate_imap_names(t[i].flags, out);
		tap_str(out, t[i].imap, "IMAP names");
	}
	tap_int(syncstate_from_letters("PSa", 3), SYNC_SEEN,
		"letters not mirrored (P, lower case) are ignored");
	tap_int(syncstate_from_imap("\\SEEN", 5), SYNC_SEEN,
		"IMAP flags ignore case");
	tap_int(syncstate_from_imap("$Junk", 5), 0, "keywords: none");
}

/* One flag's three-way merge: base (-1: unknown), local, server, and the
 * value it must take. Every combination. */
static const struct {
	int base, local, server, want;
	const char *why;
} merge_rows[] = {
	{ 0, 0, 0, 0, "no change" },
	{ 0, 0, 1, 1, "set on the server" },
	{ 0, 1, 0, 1, "set locally" },
	{ 0, 1, 1, 1, "set on both sides" },
	{ 1, 0, 0, 0, "cleared on both sides" },
	{ 1, 0, 1, 0, "cleared locally" },
	{ 1, 1, 0, 0, "cleared on the server" },
	{ 1, 1, 1, 1, "no change (set)" },
	{ -1, 0, 0, 0, "no base: the server's (both clear)" },
	{ -1, 0, 1, 1, "no base: the server's (set there)" },
	{ -1, 1, 0, 0, "no base: the server's (set here)" },
	{ -1, 1, 1, 1, "no base: the server's (both set)" },
};

/* The merge of whole flag sets by the table above, bit by bit. */
static unsigned
merge_by_rows(unsigned base, unsigned local, unsigned server)
{
	unsigned b, out = 0;
	size_t r;

	for (b = 1; b <= SYNC_DELETED; b <<= 1)
		for (r = 0; r < ARRAY_SIZE(merge_rows); r++)
			if (merge_rows[r].base == (base == SYNC_UNKNOWN ? -1 :
			    !!(base & b)) && merge_rows[r].local ==
			    !!(local & b) && merge_rows[r].server ==
			    !!(server & b) && merge_rows[r].want)
				out |= b;
	return out;
}

static void
test_merge(void)
{
	static const unsigned flag[] = { SYNC_DRAFT, SYNC_FLAGGED,
		SYNC_ANSWERED, SYNC_SEEN, SYNC_DELETED };
	unsigned b, l, s, bad = 0;
	size_t f, r;
	char name[96];

	for (f = 0; f < ARRAY_SIZE(flag); f++) {
		for (r = 0; r < ARRAY_SIZE(merge_rows); r++) {
			unsigned fb = flag[f], base = merge_rows[r].base < 0 ?
				SYNC_UNKNOWN : merge_rows[r].base ? fb : 0;

			syncstate_letters(fb, name);
			snprintf(name + strlen(name), sizeof name -
				strlen(name), ": %s", merge_rows[r].why);
			tap_int(syncstate_merge(base, merge_rows[r].local ?
				fb : 0, merge_rows[r].server ? fb : 0),
				merge_rows[r].want ? fb : 0, name);
		}
	}
	/* each flag on its own, whatever the others do */
	for (b = 0; b <= SYNC_FLAGS_ALL; b++)
		for (l = 0; l <= SYNC_FLAGS_ALL; l++)
			for (s = 0; s <= SYNC_FLAGS_ALL; s++)
				bad += syncstate_merge(b, l, s) !=
					merge_by_rows(b, l, s);
	for (l = 0; l <= SYNC_FLAGS_ALL; l++)
		for (s = 0; s <= SYNC_FLAGS_ALL; s++)
			bad += syncstate_merge(SYNC_UNKNOWN, l, s) != s;
	tap_int(bad, 0, "every base, local and server set merged flag by "
		"flag");
	/* issue 11's cases, whole messages */
	tap_int(syncstate_merge(0, SYNC_FLAGGED, SYNC_SEEN),
		SYNC_FLAGGED | SYNC_SEEN, "+F here, +S there: both");
	tap_int(syncstate_merge(SYNC_SEEN, 0, SYNC_SEEN | SYNC_FLAGGED),
		SYNC_FLAGGED, "-S here, +F there: both");
	tap_int(syncstate_merge(SYNC_SEEN, SYNC_FLAGGED, 0), SYNC_FLAGGED,
		"-S on both sides, +F here");
}

static void
test_paths(void)
{
	struct err e;
	char *p;

	setenv("XDG_STATE_HOME", "/x/state", 1);
	p = syncstate_dir("a/b%c", "imap.example", 993, &e);
	tap_str(p, "/x/state/mkit/imap/a%2Fb%25c@imap.example:993",
		"the account's directory: '/' and '%' escaped");
	free(p);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/h", 1);
	p = syncstate_dir("joe", "h", 143, &e);
	tap_str(p, "/h/.local/state/mkit/imap/joe@h:143", "XDG default");
	free(p);
	unsetenv("HOME");
	err_clear(&e);
	p = syncstate_dir("joe", "h", 143, &e);
	tap_ok(!p && e.code == ERR_CONFIG, "no HOME: config error");
	setenv("HOME", dir, 1);
	p = syncstate_path("/d", "Archive/2026");
	tap_str(p, "/d/Archive%2F2026", "a folder name is one file name");
	free(p);
	p = syncstate_path("/d", "..");
	tap_str(p, "/d/%2E.", "\"..\" is not the parent");
	free(p);
	p = syncstate_path("/d", "lock");
	tap_ok(strcmp(p, "/d/lock") != 0, "a folder named lock is not the "
		"lock file");
	free(p);
}

static void
test_file(void)
{
	struct syncstate s, t;
	struct err e;
	char path[512], *text;

	snprintf(path, sizeof path, "%s/st/INBOX", dir);
	err_clear(&e);
	tap_int(syncstate_load(&s, path, &e), 0, "a missing state is empty");
	tap_ok(s.n == 0 && s.uidvalidity == 0, "... and empty");
	s.uidvalidity = 77;
	s.uidnext = 12;
	s.highestmodseq = 9000000000ull;
	s.delim = '/';
	s.maildir = xstrdup("/m/x");
	s.stamp = xstrdup("1.2.3.4.5.6,7.8.9.10.11.12");
	syncstate_set(&s, 3, SYNC_SEEN);
	syncstate_set(&s, 10, 0);
	syncstate_set(&s, 1, SYNC_FLAGGED | SYNC_ANSWERED);
	syncstate_set(&s, 3, SYNC_SEEN | SYNC_DELETED);
	tap_ok(s.n == 3 && s.v[0].uid == 1 && s.v[1].uid == 3 &&
		s.v[2].uid == 10, "entries kept in UID order, once each");
	tap_ok(syncstate_find(&s, 3) && syncstate_find(&s, 3)->flags ==
		(SYNC_SEEN | SYNC_DELETED) && !syncstate_find(&s, 4),
		"find");
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/INBOX", dir);
	tap_int(syncstate_save(&s, path, &e), 0, "save");
	text = slurp(path);
	tap_str(text, "mkit-imapsync 1\nuidvalidity 77\nuidnext 12\n"
		"highestmodseq 9000000000\ndelim /\nmaildir /m/x\n"
		"stamp 1.2.3.4.5.6,7.8.9.10.11.12\nuids\n"
		"1 FR\n3 ST\n10 -\n", "the file");
	free(text);
	tap_int(syncstate_load(&t, path, &e), 0, "load it back");
	tap_ok(t.n == 3 && t.uidvalidity == 77 && t.uidnext == 12 &&
		t.highestmodseq == 9000000000ull && t.delim == '/' &&
		!strcmp(t.maildir, "/m/x") && t.v[2].uid == 10 &&
		t.stamp && !strcmp(t.stamp, "1.2.3.4.5.6,7.8.9.10.11.12") &&
		t.v[1].flags == (SYNC_SEEN | SYNC_DELETED),
		"the same state");
	tap_ok(!t.dirty, "not dirty as loaded");
	syncstate_set(&t, 3, SYNC_SEEN | SYNC_DELETED);
	tap_ok(!t.dirty, "setting the same flags: still not dirty");
	syncstate_set(&t, 3, SYNC_SEEN);
	tap_ok(t.dirty, "a change: dirty");
	syncstate_release(&t);
	s.v[1].flags = 0xff;
	syncstate_compact(&s);
	tap_ok(s.n == 2 && s.v[1].uid == 10, "compact drops marked entries");
	syncstate_clear(&s);
	tap_ok(s.n == 0 && s.uidvalidity == 0 && !s.stamp,
		"clear: a new UIDVALIDITY, no stamp");
	syncstate_release(&s);
}

/* A state many times the size read or written at a time (lines cut
 * between two reads) comes back whole and in order. */
static void
test_large(void)
{
	struct syncstate s, t;
	struct err e;
	char path[512];
	size_t i, ok = 0;

	snprintf(path, sizeof path, "%s/large", dir);
	err_clear(&e);
	syncstate_init(&s);
	s.uidvalidity = 5;
	for (i = 1; i <= 20000; i++)
		syncstate_set(&s, i * 3, (unsigned)(i % 32));
	tap_int(syncstate_save(&s, path, &e), 0, "save 20,000 messages");
	tap_int(syncstate_load(&t, path, &e), 0, "load them");
	for (i = 0; i < t.n && i < s.n; i++)
		ok += t.v[i].uid == s.v[i].uid && t.v[i].flags == s.v[i].flags;
	tap_ok(t.n == 20000 && ok == 20000, "every message, its flags");
	syncstate_release(&t);
	syncstate_release(&s);
}

static void
test_bad(void)
{
	static const struct {
		const char *text, *want;
	} t[] = {
		{ "mkit-uidls 1\n", "not a pull state" },
		{ "", "not a pull state" },
		{ "mkit-imapsync 1\nuidvalidity x\nuids\n", ":2: not a line" },
		{ "mkit-imapsync 1\nuids\n5 S\n3 S\n", ":4: not a line" },
		{ "mkit-imapsync 1\nuids\n5 Q\n", ":3: not a line" },
		{ "mkit-imapsync 1\nuids\n0 S\n", ":3: not a line" },
		{ "mkit-imapsync 1\nuids\n5 S", ":3: cut short" },
		{ "mkit-imapsync 1\nuidnext 3\n", "cut short" },
	};
	struct syncstate s;
	struct err e;
	char path[512];
	size_t i;

	snprintf(path, sizeof path, "%s/bad", dir);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		put_file(path, t[i].text);
		err_clear(&e);
		tap_ok(syncstate_load(&s, path, &e) < 0 && e.code ==
			ERR_DATA && strstr(e.msg, t[i].want), "refused: %s "
			"(%s)", t[i].want, e.msg);
	}
	{
		/* a line longer than any state writes */
		struct buf big = BUF_INIT;

		buf_addstr(&big, "mkit-imapsync 1\nmaildir /");
		for (i = 0; i < 100000; i++)
			buf_addch(&big, 'x');
		buf_addstr(&big, "\nuids\n");
		put_file(path, big.data);
		buf_release(&big);
		err_clear(&e);
		tap_ok(syncstate_load(&s, path, &e) < 0 && e.code == ERR_DATA &&
			strstr(e.msg, ":2: not a line"), "refused: a line too "
			"long (%s)", e.msg);
	}
	put_file(path, "mkit-imapsync 1\nfuture_key 1\nuids\n");
	tap_int(syncstate_load(&s, path, &e), 0, "a key of a later version "
		"is ignored");
	syncstate_release(&s);
}

static void
test_lock(void)
{
	char d[512];
	struct err e;
	int fd, st;
	pid_t pid;

	snprintf(d, sizeof d, "%s/acct/x@h:1", dir);
	fd = syncstate_lock(d, 0, &e);
	tap_ok(fd >= 0, "lock (creating the directory)");
	pid = fork();
	if (pid == 0) {
		struct err e2;
		int f2;

		err_clear(&e2);
		f2 = syncstate_lock(d, 0, &e2);
		_exit(f2 < 0 && e2.code == ERR_TEMPFAIL &&
			strstr(e2.msg, "in use by another pull") ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a second pull: "
		"ERR_TEMPFAIL, in use");
	close(fd);
	fd = syncstate_lock(d, 0, &e);
	tap_ok(fd >= 0, "free again once the first is done");
	close(fd);
}

/* Deliver uid with flags and the text, in one batch. */
static int
put(struct mdirsync *m, unsigned long long uid, unsigned flags,
	const char *text, struct err *e)
{
	if (mdirsync_begin(m, uid, flags, e) < 0 ||
	    mdirsync_write(m, text, strlen(text), e) < 0)
		return -1;
	return mdirsync_end(m, e);
}

static void
test_maildir(void)
{
	struct mdirsync m;
	struct mdirsync_ent *en;
	struct err e;
	struct buf p = BUF_INIT;
	char md[512], id[128], *text;
	unsigned long long sz;

	snprintf(md, sizeof md, "%s/md", dir);
	err_clear(&e);
	tap_int(mdirsync_open(&m, md, 5, NULL, &e), 0,
		"open creates the maildir");
	tap_int(put(&m, 1, 0, "Message-ID: <a@x>\n\none\n", &e), 0, "msg 1");
	tap_int(put(&m, 2, SYNC_SEEN, "Message-Id:\n <b@x>\n\ntwo\n", &e), 0,
		"msg 2");
	tap_ok(count_files("new") + count_files("cur") == 0 &&
		count_files("tmp") == 2 && !mdirsync_find(&m, 1),
		"before commit: only in tmp/");
	tap_int(mdirsync_commit(&m, &e), 0, "commit");
	tap_ok(count_files("new") == 1 && count_files("cur") == 1 &&
		count_files("tmp") == 0, "unflagged to new/, flagged to cur/");
	en = mdirsync_find(&m, 2);
	tap_int(en ? mdirsync_file(&m, en, &p, &e) : -1, 0,
		"a committed message's file is found");
	tap_ok(en && strstr(p.data, "/cur/") && strstr(p.data, ",V=5,U=2:2,S"),
		"the name carries UIDVALIDITY, UID and flags (%s)", p.data);
	text = slurp(p.data);
	tap_str(text, "Message-Id:\n <b@x>\n\ntwo\n", "the bytes");
	free(text);
	tap_int(mdirsync_identity(p.data, id, sizeof id, &sz, &e), 0,
		"identity");
	tap_str(id, "b@x", "Message-ID unfolded, without <>");
	tap_int((long long)sz, 28, "size with CRLF line ends");
	en = mdirsync_find(&m, 1);
	tap_int(mdirsync_set_flags(&m, en, SYNC_FLAGGED, &e), 0, "set flags");
	tap_ok(count_files("new") == 0 && count_files("cur") == 2,
		"a file given flags moves to cur/");
	/* a killed pull: a message open, another ended, nothing committed */
	put(&m, 3, 0, "three\n", &e);
	mdirsync_begin(&m, 4, 0, &e);
	{
		struct mdirsync m2;

		/* as a rerun sees it: reopen without closing */
		tap_int(mdirsync_open(&m2, md, 5, NULL, &e), 0, "rerun opens");
		tap_ok(count_files("tmp") == 0, "leftovers in tmp/ removed");
		tap_ok(m2.n == 2 && mdirsync_find(&m2, 1) &&
			mdirsync_find(&m2, 1)->flags == SYNC_FLAGGED &&
			mdirsync_find(&m2, 2)->flags == SYNC_SEEN &&
			!mdirsync_find(&m2, 3), "the scan finds what was "
			"committed, with its flags");
		mdirsync_find(&m2, 1)->want = 1;
		tap_ok(mdirsync_names(&m2, &e) == 0 &&
			mdirsync_find(&m2, 1)->name != MDIRSYNC_NONAME &&
			mdirsync_find(&m2, 2)->name == MDIRSYNC_NONAME,
			"the scan keeps no names; one pass names those wanted");
		mdirsync_close(&m2);
	}
	m.npend = 0;	/* their files are gone: forget them */
	m.fd = -1;
	mdirsync_close(&m);
	/* a new UIDVALIDITY: the old files are m.old */
	{
		char own[600];

		snprintf(own, sizeof own, "%s/cur/mine:2,S", md);
		put_file(own, "mine\n");
	}
	tap_int(mdirsync_open(&m, md, 6, NULL, &e), 0,
		"open for UIDVALIDITY 6");
	tap_ok(m.n == 0 && m.nold == 2, "files of UIDVALIDITY 5 are old; "
		"the user's own file is not ours");
	tap_int(mdirsync_retag(&m, &m.old[0], 9, &p, &e), 0, "retag");
	tap_ok(strstr(p.data, ",V=6,U=9") != NULL && mdirsync_find(&m, 9),
		"given its new UID (%s)", p.data);
	tap_int(mdirsync_retag(&m, &m.old[1], 0, &p, &e), 0, "keep aside");
	tap_ok(!strstr(p.data, ",U=") && !strstr(p.data, ",V="),
		"kept aside: untagged (%s)", p.data);
	mdirsync_close(&m);
	tap_int(mdirsync_open(&m, md, 6, NULL, &e), 0, "reopen");
	tap_ok(m.n == 1 && m.nold == 0, "one of ours, none old");
	mdirsync_close(&m);
	buf_release(&p);
}

/* Rename the one file of cur/ to give it flags, as a mail reader does. */
static void
reader_flags(const char *md, const char *letters)
{
	char d[600], from[1200], to[1200];
	struct dirent *de;
	DIR *dh;

	snprintf(d, sizeof d, "%s/cur", md);
	dh = opendir(d);
	while (dh && (de = readdir(dh)))
		if (de->d_name[0] != '.')
			break;
	if (!dh || !de) {
		if (dh)
			closedir(dh);
		return;
	}
	snprintf(from, sizeof from, "%s/%s", d, de->d_name);
	snprintf(to, sizeof to, "%s/%.*s:2,%s", d,
		(int)(strcspn(de->d_name, ":")), de->d_name, letters);
	closedir(dh);
	rename(from, to);
}

/*
 * The stamp that spares an unchanged re-pull its scan: given only for a
 * maildir that holds what the state says, and any change after it, even
 * at once (in the same clock tick), makes the next open scan.
 */
static void
test_stamp(void)
{
	struct syncstate_ent v[1] = { { 7, SYNC_SEEN } }, bad[1] = {
		{ 7, SYNC_FLAGGED } };
	struct mdirsync m;
	struct err e;
	char md[512], st[MDIRSYNC_STAMP_MAX], st2[MDIRSYNC_STAMP_MAX];
	int i, stamps = 0, rescans = 0;

	snprintf(md, sizeof md, "%s/stamp", dir);
	err_clear(&e);
	tap_int(mdirsync_open(&m, md, 3, NULL, &e), 0, "open");
	tap_ok(m.scanned, "no stamp: scanned");
	put(&m, 7, SYNC_SEEN, "seven\n", &e);
	tap_int(mdirsync_commit(&m, &e), 0, "commit");
	tap_int(mdirsync_stamp(&m, bad, 1, st, &e), 0, "stamp");
	tap_str(st, "", "no stamp for a state the maildir does not match");
	tap_int(mdirsync_stamp(&m, v, 1, st, &e), 0, "stamp");
	tap_ok(st[0] != '\0', "a stamp for the state it matches (%s)", st);
	mdirsync_close(&m);
	tap_int(mdirsync_open(&m, md, 3, st, &e), 0, "open with the stamp");
	tap_ok(!m.scanned && m.n == 0, "unchanged: not scanned");
	tap_int(mdirsync_stamp(&m, v, 1, st2, &e), 0, "stamp again");
	tap_str(st2, st, "unchanged and unread: the same stamp");
	tap_int(mdirsync_scan(&m, &e), 0, "scan on demand");
	tap_ok(m.scanned && m.n == 1 && mdirsync_find(&m, 7),
		"the scan finds the file");
	mdirsync_close(&m);
	/* a reader's change right after the stamp, many times over */
	for (i = 0; i < 20; i++) {
		v[0].flags = i % 2 ? SYNC_SEEN | SYNC_FLAGGED : SYNC_SEEN;
		if (mdirsync_open(&m, md, 3, NULL, &e) < 0 ||
		    mdirsync_stamp(&m, v, 1, st, &e) < 0 || !st[0]) {
			mdirsync_close(&m);
			continue;
		}
		stamps++;
		mdirsync_close(&m);
		reader_flags(md, i % 2 ? "S" : "FS");
		if (mdirsync_open(&m, md, 3, st, &e) == 0)
			rescans += m.scanned;
		mdirsync_close(&m);
	}
	tap_int(stamps, 20, "a stamp each time, the clock tick waited out");
	tap_int(rescans, 20, "a change at once after the stamp is seen");
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 99;
	setenv("HOME", dir, 1);
	test_flags();
	test_merge();
	test_paths();
	test_file();
	test_large();
	test_bad();
	test_lock();
	test_maildir();
	test_stamp();
	rm_rf(dir);
	return tap_done();
}
