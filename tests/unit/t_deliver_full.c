/*
 * t_deliver_full: a full disk (ENOSPC) is an I/O error (EX_IOERR, 74) and
 * leaves nothing half written visible: on a tiny tmpfs mounted for the
 * test, the maildir's new/ and the mbox hold only whole messages, tmp/
 * holds nothing, and a UIDL state whose commit fails keeps its old
 * content.
 *
 * Mounting needs root (CI runs as root); without the permission the test
 * says so and is skipped (77).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/deliver.h"
#include "store/uidlstate.h"
#include "storetest.h"
#include "tap.h"

#define NMSG 40

static char dir[] = "/tmp/t_deliver_full.XXXXXX";
static struct buf msg[NMSG];

static void
make_messages(void)
{
	int i;

	for (i = 0; i < NMSG; i++) {
		buf_init(&msg[i], 0);
		buf_addf(&msg[i], "X-Id: %d\nSubject: big %d\n\n", i, i);
		while (msg[i].len < 30000)
			buf_addf(&msg[i], "From line %zu of message %d, to "
				"fill the disk up\n", msg[i].len, i);
	}
}

static int
id_of(const char *s)
{
	return strncmp(s, "X-Id: ", 6) == 0 ? atoi(s + 6) : -1;
}

/*
 * Deliver the messages in windows of 3 until something fails, then close;
 * returns how many were synced (delivered), *code the failure's code.
 */
static int
fill(enum deliver_kind kind, const char *target, enum err_code *code,
	char *why, size_t whylen)
{
	struct deliver_opts o;
	struct deliver *d;
	struct err e;
	int i, synced = 0, inwin = 0;
	size_t k;
	long n;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.target = target;
	o.fd = -1;
	err_clear(&e);
	*code = ERR_NONE;
	d = deliver_open(&o, &e);
	if (!d)
		goto fail;
	for (i = 0; i < NMSG; i++) {
		if (deliver_begin(d, "x", NULL, &e) < 0)
			goto fail;
		for (k = 0; k < msg[i].len; k += 8192)
			if (deliver_write(d, msg[i].data + k, msg[i].len - k <
			    8192 ? msg[i].len - k : 8192, &e) < 0) {
				deliver_abort(d);
				goto fail;
			}
		if (deliver_end(d, &e) < 0)
			goto fail;
		if (++inwin == 3) {
			if (deliver_sync(d, &e) < 0)
				goto fail;
			synced += inwin;
			inwin = 0;
		}
	}
fail:
	*code = e.code;
	snprintf(why, whylen, "%s", e.msg);
	/* close syncs what was ended before the failure */
	if (d && (n = deliver_close(d, &e)) > 0)
		synced += (int)n;
	return synced;
}

static int
count_files(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *de;
	int n = 0;

	while (dh && (de = readdir(dh)))
		n += de->d_name[0] != '.';
	if (dh)
		closedir(dh);
	return n;
}

/* Every file of new/ is one whole message, in order; returns their
 * number, or -1 for a file that is not. */
static int
check_new(const char *d)
{
	struct dirent **de;
	struct buf p = BUF_INIT;
	int n = scandir(d, &de, NULL, alphasort), i, good = 0, bad = 0;

	for (i = 0; i < n; i++) {
		if (de[i]->d_name[0] != '.') {
			char *c;
			int id;

			buf_reset(&p);
			buf_addf(&p, "%s/%s", d, de[i]->d_name);
			c = slurp(p.data);
			id = c ? id_of(c) : -1;
			if (id == good && strlen(c) == msg[id].len &&
			    memcmp(c, msg[id].data, msg[id].len) == 0)
				good++;
			else
				bad++;
			free(c);
		}
		free(de[i]);
	}
	if (n >= 0)
		free(de);
	buf_release(&p);
	return bad ? -1 : good;
}

struct mcheck {
	int good, bad;
};

static void
m_one(void *ctx, const char *f, size_t flen, const char *c, size_t len)
{
	struct mcheck *m = ctx;
	int id = id_of(c);

	(void)f;
	(void)flen;
	if (id == m->good && len == msg[id].len &&
	    memcmp(c, msg[id].data, msg[id].len) == 0)
		m->good++;
	else
		m->bad++;
}

static void
test_maildir(void)
{
	struct buf md = BUF_INIT, sub = BUF_INIT;
	enum err_code code;
	char why[512];
	int synced, n;

	buf_addf(&md, "%s/Maildir", dir);
	synced = fill(DELIVER_MAILDIR, md.data, &code, why, sizeof why);
	tap_int(code, ERR_IO, "maildir: a full disk is ERR_IO (74)");
	tap_ok(strstr(why, "No space left on device") != NULL, "... saying "
		"so: %s", why);
	tap_ok(synced > 0 && synced < NMSG, "... after %d messages", synced);
	buf_addf(&sub, "%s/new", md.data);
	n = check_new(sub.data);
	tap_int(n, synced, "new/ holds exactly the synced messages, whole");
	buf_reset(&sub);
	buf_addf(&sub, "%s/tmp", md.data);
	tap_int(count_files(sub.data), 0, "tmp/ holds nothing");
	rm_rf(md.data);
	buf_release(&md);
	buf_release(&sub);
}

static void
test_mbox(void)
{
	struct buf mb = BUF_INIT;
	struct mcheck m;
	enum err_code code;
	char why[512], *text;
	int synced;

	buf_addf(&mb, "%s/mbox", dir);
	synced = fill(DELIVER_MBOX, mb.data, &code, why, sizeof why);
	tap_int(code, ERR_IO, "mbox: a full disk is ERR_IO (74)");
	tap_ok(strstr(why, "No space left on device") != NULL, "... saying "
		"so: %s", why);
	memset(&m, 0, sizeof(m));
	mbox_each(mb.data, m_one, &m);
	text = slurp(mb.data);
	tap_ok(m.bad == 0 && m.good == synced && synced > 0, "the mbox holds "
		"exactly the %d synced messages, whole (%d whole, %d not)",
		synced, m.good, m.bad);
	tap_ok(strlen(text) >= 2 && !strcmp(text + strlen(text) - 2, "\n\n"),
		"... and ends with its separating blank line");
	free(text);
	unlink(mb.data);
	buf_release(&mb);
}

static void
test_state(void)
{
	struct buf sp = BUF_INIT, filler = BUF_INIT;
	struct uidlstate *s;
	struct err e;
	char u[64], *before, *after;
	int i, fd;

	buf_addf(&sp, "%s/state/uidls", dir);
	s = uidlstate_open(sp.data, 0, &e);
	uidlstate_add(s, "kept-1", &e);
	uidlstate_add(s, "kept-2", &e);
	tap_int(uidlstate_commit(s, &e), 0, "state committed while there is "
		"room");
	before = slurp(sp.data);
	/* fill the disk */
	buf_addf(&filler, "%s/filler", dir);
	fd = open(filler.data, O_WRONLY | O_CREAT, 0600);
	{
		char block[4096];

		memset(block, 'x', sizeof block);
		while (write(fd, block, sizeof block) > 0)
			;
	}
	close(fd);
	for (i = 0; i < 20000; i++) {
		snprintf(u, sizeof u, "new-uidl-%d-padded-to-take-room", i);
		uidlstate_add(s, u, &e);
	}
	err_clear(&e);
	tap_int(uidlstate_commit(s, &e), -1, "a commit on a full disk fails");
	tap_ok(e.code == ERR_IO, "... ERR_IO: %s", e.msg);
	after = slurp(sp.data);
	tap_str(after, before, "... and the state on disk is the old one");
	buf_reset(&filler);
	buf_addf(&filler, "%s/state/uidls.tmp", dir);
	tap_ok(access(filler.data, F_OK) != 0, "... no temp file left");
	uidlstate_close(s);
	free(before);
	free(after);
	buf_release(&sp);
	buf_release(&filler);
}

int
main(void)
{
	int i;

	if (!mkdtemp(dir))
		return 99;
	if (mount("tmpfs", dir, "tmpfs", 0, "size=512k,mode=0700") != 0) {
		printf("1..0 # SKIP cannot mount a tmpfs (%s): run as root\n",
			strerror(errno));
		rmdir(dir);
		return 77;
	}
	make_messages();
	test_maildir();
	test_mbox();
	test_state();
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	for (i = 0; i < NMSG; i++)
		buf_release(&msg[i]);
	return tap_done();
}
