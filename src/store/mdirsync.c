/* mdirsync.c: see mdirsync.h. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/uidfind.h"
#include "base/util.h"
#include "store/durable.h"
#include "store/mdirsync.h"
#include "store/syncstate.h"

#define HEADER_SCAN_MAX (256u << 10)

struct mdirsync_pend {
	int fd;
	uint32_t uid;
	uint32_t name;		/* offset of the base name in names */
	unsigned char flags;
};

/* The tag of a name: ",V=digits,U=digits" before any ":2,". */
struct tag {
	unsigned long long uv, uid;
	size_t start, end;	/* the tag's bytes in the name */
	size_t info;		/* where ":2," starts, or the length */
};

static int
digits(const char *s, size_t *i, size_t lim, unsigned long long *v)
{
	size_t start = *i;

	*v = 0;
	while (*i < lim && s[*i] >= '0' && s[*i] <= '9' && *i - start < 19)
		*v = *v * 10 + (unsigned)(s[(*i)++] - '0');
	return *i > start ? 0 : -1;
}

static int
parse_tag(const char *name, struct tag *t)
{
	const char *colon = strstr(name, ":2,"), *p;
	size_t lim = colon ? (size_t)(colon - name) : strlen(name), i;

	t->info = lim;
	for (p = name; (p = strstr(p, ",V=")) && (size_t)(p - name) < lim;
	    p++) {
		i = (size_t)(p - name) + 3;
		if (digits(name, &i, lim, &t->uv) < 0 || i + 3 > lim ||
		    memcmp(name + i, ",U=", 3) != 0)
			continue;
		i += 3;
		if (digits(name, &i, lim, &t->uid) < 0 || t->uid == 0 ||
		    t->uid > 0xffffffffull)
			continue;
		t->start = (size_t)(p - name);
		t->end = i;
		return 0;
	}
	return -1;
}

static unsigned
name_flags(const char *name)
{
	const char *colon = strstr(name, ":2,");

	return colon ? syncstate_from_letters(colon + 3, strlen(colon + 3))
		: 0;
}

static uint32_t
add_to(struct buf *pool, const char *s, size_t n)
{
	uint32_t off = (uint32_t)pool->len;

	buf_add(pool, s, n);
	buf_addch(pool, '\0');
	return off;
}

static uint32_t
add_name(struct mdirsync *m, const char *s, size_t n)
{
	return add_to(&m->names, s, n);
}

/* The tmp/ name of pending message i (or of the message open: npend). */
static const char *
pend_name(const struct mdirsync *m, size_t i)
{
	return m->pnames.data + m->pend[i].name;
}

static void
push(struct mdirsync_ent **v, size_t *n, size_t *alloc,
	const struct mdirsync_ent *ent)
{
	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 256;
		*v = xrealloc(*v, *alloc * sizeof(**v));
	}
	(*v)[(*n)++] = *ent;
}

static int
by_uid(const void *a, const void *b)
{
	const struct mdirsync_ent *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/*
 * Call fn for each tagged file of cur/ and new/ (its name, tag, and
 * whether in new/) until it returns non-zero. 0, -1 with ERR_IO.
 */
static int
walk(const struct mdirsync *m, int (*fn)(void *ctx, const char *name,
	const struct tag *t, int in_new), void *ctx, struct err *e)
{
	static const char *const subs[] = { "cur", "new" };
	struct buf p = BUF_INIT;
	struct dirent *d;
	size_t i;
	int rc = 0, stop = 0;

	for (i = 0; i < ARRAY_SIZE(subs) && !stop; i++) {
		DIR *dh;

		buf_reset(&p);
		buf_addf(&p, "%s/%s", m->dir, subs[i]);
		if (!(dh = opendir(p.data))) {
			rc = err_sys(e, ERR_IO, errno, "%s", p.data);
			break;
		}
		while (!stop && (d = readdir(dh))) {
			const char *name = d->d_name;
			struct tag t;

			if (name[0] != '.' && parse_tag(name, &t) == 0)
				stop = fn(ctx, name, &t, subs[i][0] == 'n');
		}
		closedir(dh);
	}
	buf_release(&p);
	return rc;
}

/* Index one tagged file (walk()). */
static int
index_one(void *ctx, const char *name, const struct tag *t, int in_new)
{
	struct mdirsync *m = ctx;
	struct mdirsync_ent ent;

	memset(&ent, 0, sizeof ent);
	ent.uid = (uint32_t)t->uid;
	ent.in_new = (unsigned char)in_new;
	ent.flags = (unsigned char)name_flags(name);
	ent.name = MDIRSYNC_NONAME;
	if (t->uv == m->uidvalidity) {
		push(&m->v, &m->n, &m->alloc, &ent);
	} else {
		ent.name = add_name(m, name, strlen(name));
		push(&m->old, &m->nold, &m->aold, &ent);
	}
	return 0;
}

/* A second file with the same UID (a copy made by hand) is the user's. */
static void
drop_duplicates(struct mdirsync *m)
{
	size_t i, j = 0;

	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), by_uid);
	for (i = 0; i < m->n; i++)
		if (j == 0 || m->v[j - 1].uid != m->v[i].uid)
			m->v[j++] = m->v[i];
	m->n = j;
}

/* Tagged files in tmp/: a pull was killed while writing them. */
static int
clean_tmp(struct mdirsync *m, struct err *e)
{
	struct buf p = BUF_INIT;
	struct dirent *d;
	struct tag t;
	DIR *dh;
	int fd;

	buf_addf(&p, "%s/tmp", m->dir);
	dh = opendir(p.data);
	if (!dh) {
		err_sys(e, ERR_IO, errno, "%s", p.data);
		buf_release(&p);
		return -1;
	}
	fd = dirfd(dh);
	while ((d = readdir(dh)))
		if (d->d_name[0] != '.' && parse_tag(d->d_name, &t) == 0)
			unlinkat(fd, d->d_name, 0);
	closedir(dh);
	buf_release(&p);
	return 0;
}

/* A filesystem whose directory times another machine may change behind
 * a cached stat (NFS, SMB, FUSE): no stamp is trusted there. */
static int
remote_fs(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0)
		return 1;
	switch ((unsigned long)sf.f_type) {
	case 0x6969ul:		/* NFS */
	case 0x517bul:		/* SMB */
	case 0xff534d42ul:	/* CIFS */
	case 0xfe534d42ul:	/* SMB2 */
	case 0x65735546ul:	/* FUSE */
		return 1;
	default:
		return 0;
	}
}

static int
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec &&
		a->tv_nsec < b->tv_nsec);
}

/*
 * The stamp of cur/ and new/ into out: 1 when it can be kept (settled),
 * 0 when a change later in the same clock tick could leave it as it is,
 * -1 when a directory cannot be read or is on a remote filesystem. A change gets the coarse clock's
 * time as its mtime and ctime (truncated to what the filesystem keeps):
 * a time before the clock's now is safe; a filesystem that keeps whole
 * seconds (no nanoseconds seen) needs an earlier second.
 */
static int
dir_stamp(const char *dir, char *out)
{
	static const char *const subs[] = { "cur", "new" };
	struct timespec now;
	struct buf p = BUF_INIT;
	size_t i, o = 0;
	int settled = 1;

	out[0] = '\0';
	if (remote_fs(dir))
		return -1;
	for (i = 0; i < ARRAY_SIZE(subs); i++) {
		struct stat st;
		int whole;

		buf_reset(&p);
		buf_addf(&p, "%s/%s", dir, subs[i]);
		if (stat(p.data, &st) != 0) {
			buf_release(&p);
			out[0] = '\0';
			return -1;
		}
		o += (size_t)snprintf(out + o, MDIRSYNC_STAMP_MAX - o,
			"%s%llu.%lld.%ld.%lld.%ld.%lld", i ? "," : "",
			(unsigned long long)st.st_ino,
			(long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			(long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
			(long long)st.st_size);
		clock_gettime(CLOCK_REALTIME_COARSE, &now);
		whole = st.st_mtim.tv_nsec == 0 && st.st_ctim.tv_nsec == 0;
		if (whole ? st.st_ctim.tv_sec >= now.tv_sec ||
		    st.st_mtim.tv_sec >= now.tv_sec :
		    !ts_before(&st.st_ctim, &now) ||
		    !ts_before(&st.st_mtim, &now))
			settled = 0;
	}
	buf_release(&p);
	return settled;
}

int
mdirsync_open(struct mdirsync *m, const char *dir,
	unsigned long long uidvalidity, const char *stamp, struct err *e)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	struct buf p = BUF_INIT;
	size_t i;
	char *dot;
	int st;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->dir = xstrdup(dir);
	m->uidvalidity = uidvalidity;
	m->pid = (long)getpid();
	buf_init(&m->names, 0);
	buf_init(&m->pnames, 0);
	if (gethostname(m->host, sizeof m->host - 1) != 0 || !m->host[0])
		strcpy(m->host, "localhost");
	if ((dot = strchr(m->host, '.')))
		*dot = '\0';
	for (i = 0; m->host[i]; i++)
		if (m->host[i] == '/' || m->host[i] == ':' ||
		    m->host[i] == ',')
			m->host[i] = '_';
	for (i = 0; i < ARRAY_SIZE(subs); i++) {
		buf_reset(&p);
		buf_addf(&p, "%s/%s", dir, subs[i]);
		if (durable_mkdirs(p.data, 0700, e) < 0)
			goto fail;
	}
	buf_release(&p);
	m->dmode = durable_fs_mode(dir);
	if (clean_tmp(m, e) < 0)
		goto fail;
	st = dir_stamp(dir, m->prestamp);
	if (st >= 0 && stamp && stamp[0] && !strcmp(stamp, m->prestamp))
		return 0;	/* as the state says: no scan */
	if (st <= 0)
		m->prestamp[0] = '\0';
	if (mdirsync_scan(m, e) < 0)
		goto fail;
	return 0;
fail:
	buf_release(&p);
	mdirsync_close(m);
	return -1;
}

int
mdirsync_scan(struct mdirsync *m, struct err *e)
{
	if (m->scanned)
		return 0;
	m->n = m->nold = 0;
	buf_reset(&m->names);
	if (walk(m, index_one, m, e) < 0)
		return -1;
	drop_duplicates(m);
	m->scanned = 1;
	return 0;
}

void
mdirsync_close(struct mdirsync *m)
{
	size_t i;
	struct buf p = BUF_INIT;

	mdirsync_abort(m);
	for (i = 0; i < m->npend; i++) {
		close(m->pend[i].fd);
		buf_reset(&p);
		buf_addf(&p, "%s/tmp/%s", m->dir, pend_name(m, i));
		unlink(p.data);
	}
	buf_release(&p);
	free(m->pend);
	free(m->v);
	free(m->old);
	free(m->dir);
	buf_release(&m->names);
	buf_release(&m->pnames);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

struct mdirsync_ent *
mdirsync_find(const struct mdirsync *m, unsigned long long uid)
{
	size_t i = UIDFIND(m->v, m->n, struct mdirsync_ent, uid, uid);

	return i < m->n ? &m->v[i] : NULL;
}

struct naming {
	struct mdirsync *m;
	const struct mdirsync_ent *one;
};

/* Name the entry of a tagged file if it wants it (walk()). */
static int
name_one(void *ctx, const char *name, const struct tag *t, int in_new)
{
	struct naming *nm = ctx;
	struct mdirsync_ent *en;

	if (t->uv != nm->m->uidvalidity || !(en = mdirsync_find(nm->m,
	    t->uid)) || en->name != MDIRSYNC_NONAME ||
	    (!en->want && en != nm->one))
		return 0;
	en->name = add_name(nm->m, name, strlen(name));
	en->in_new = (unsigned char)in_new;
	return 0;
}

/*
 * One pass over cur/ and new/ naming the entries of this UIDVALIDITY
 * that have no name yet and want one, or are the entry one.
 */
static int
resolve(struct mdirsync *m, const struct mdirsync_ent *one, struct err *e)
{
	struct naming nm;

	nm.m = m;
	nm.one = one;
	return walk(m, name_one, &nm, e);
}

int
mdirsync_names(struct mdirsync *m, struct err *e)
{
	return resolve(m, NULL, e);
}

/* ent's file named: 0, 1 when it has none (then gone), -1 ERR_IO. */
static int
named(struct mdirsync *m, struct mdirsync_ent *ent, struct err *e)
{
	if (ent->name == MDIRSYNC_NONAME && resolve(m, ent, e) < 0)
		return -1;
	if (ent->name != MDIRSYNC_NONAME)
		return 0;
	ent->gone = 1;
	return 1;
}

int
mdirsync_file(struct mdirsync *m, struct mdirsync_ent *ent,
	struct buf *out, struct err *e)
{
	int r = named(m, ent, e);

	buf_reset(out);
	if (r > 0)
		return err_set(e, ERR_IO, "%s: no file of UID %lu", m->dir,
			(unsigned long)ent->uid);
	if (r < 0)
		return -1;
	buf_addf(out, "%s/%s/%s", m->dir, ent->in_new ? "new" : "cur",
		m->names.data + ent->name);
	return 0;
}

/* The name of ent with flags: letters we do not mirror are kept (P,
 * and a to z: keywords by another program's table, dovecot-keywords). */
static void
flagged_name(const char *name, unsigned flags, struct buf *out)
{
	const char *colon = strstr(name, ":2,"), *q;
	char letters[64], ours[8];
	size_t n = 0, i, j;

	syncstate_letters(flags, ours);
	for (q = ours; *q; q++)
		letters[n++] = *q;
	for (q = colon ? colon + 3 : ""; *q && n < sizeof letters - 1; q++)
		if (((*q >= 'A' && *q <= 'Z' && !strchr("DFRST", *q)) ||
		    (*q >= 'a' && *q <= 'z')) && !memchr(letters, *q, n))
			letters[n++] = *q;
	for (i = 1; i < n; i++)		/* maildir wants ASCII order */
		for (j = i; j > 0 && letters[j - 1] > letters[j]; j--) {
			char c = letters[j];

			letters[j] = letters[j - 1];
			letters[j - 1] = c;
		}
	buf_add(out, name, colon ? (size_t)(colon - name) : strlen(name));
	buf_addstr(out, ":2,");
	buf_add(out, letters, n);
}

static int
rename_to(struct mdirsync *m, struct mdirsync_ent *ent, const char *name,
	int to_new, struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT;
	int rc = 0;

	if ((rc = named(m, ent, e)) != 0)
		return rc < 0 ? -1 : 0;
	mdirsync_file(m, ent, &from, e);
	buf_addf(&to, "%s/%s/%s", m->dir, to_new ? "new" : "cur", name);
	if (rename(from.data, to.data) != 0) {
		if (errno == ENOENT)
			ent->gone = 1;
		else
			rc = err_sys(e, ERR_IO, errno, "%s", from.data);
	} else {
		ent->name = add_name(m, name, strlen(name));
		ent->in_new = (unsigned char)to_new;
		m->changes++;
	}
	buf_release(&from);
	buf_release(&to);
	return rc;
}

int
mdirsync_set_flags(struct mdirsync *m, struct mdirsync_ent *ent,
	unsigned flags, struct err *e)
{
	struct buf name = BUF_INIT;
	int rc;

	if ((rc = named(m, ent, e)) != 0)
		return rc < 0 ? -1 : 0;
	flagged_name(m->names.data + ent->name, flags, &name);
	rc = rename_to(m, ent, name.data, 0, e);
	if (rc == 0 && !ent->gone)
		ent->flags = (unsigned char)flags;
	buf_release(&name);
	return rc;
}

int
mdirsync_remove(struct mdirsync *m, struct mdirsync_ent *ent,
	struct err *e)
{
	struct buf p = BUF_INIT;
	int rc = 0;

	if ((rc = named(m, ent, e)) != 0)
		return rc < 0 ? -1 : 0;
	mdirsync_file(m, ent, &p, e);
	if (unlink(p.data) != 0 && errno != ENOENT)
		rc = err_sys(e, ERR_IO, errno, "%s", p.data);
	else
		ent->gone = 1;
	m->changes++;
	buf_release(&p);
	return rc;
}

int
mdirsync_retag(struct mdirsync *m, struct mdirsync_ent *ent,
	unsigned long long uid, struct buf *out, struct err *e)
{
	const char *name;
	struct buf nn = BUF_INIT;
	struct tag t;
	int rc;

	if ((rc = named(m, ent, e)) != 0)
		return rc < 0 ? -1 : 0;
	name = m->names.data + ent->name;
	if (parse_tag(name, &t) < 0)
		return err_set(e, ERR_SOFTWARE, "%s: no tag", name);
	buf_add(&nn, name, t.start);
	if (uid)
		buf_addf(&nn, ",V=%llu,U=%llu", m->uidvalidity, uid);
	buf_addstr(&nn, name + t.end);
	rc = rename_to(m, ent, nn.data, ent->in_new, e);
	buf_release(&nn);
	if (rc == 0 && out && !ent->gone && mdirsync_file(m, ent, out, e) < 0)
		rc = -1;
	if (rc == 0 && uid && !ent->gone) {
		struct mdirsync_ent copy = *ent;

		copy.uid = (uint32_t)uid;
		push(&m->v, &m->n, &m->alloc, &copy);
		if (m->n)
			qsort(m->v, m->n, sizeof(*m->v), by_uid);
	}
	return rc;
}

int
mdirsync_sync_dirs(struct mdirsync *m, struct err *e)
{
	struct buf p = BUF_INIT;
	int rc;

	buf_addf(&p, "%s/cur", m->dir);
	rc = durable_sync_dir(p.data, e);
	buf_reset(&p);
	buf_addf(&p, "%s/new", m->dir);
	if (rc == 0)
		rc = durable_sync_dir(p.data, e);
	buf_release(&p);
	return rc;
}

int
mdirsync_begin(struct mdirsync *m, unsigned long long uid, unsigned flags,
	struct err *e)
{
	struct mdirsync_pend *pe;
	struct timeval tv;
	struct buf p = BUF_INIT;
	char name[256];

	mdirsync_abort(m);
	gettimeofday(&tv, NULL);
	snprintf(name, sizeof name, "%lld.M%06ldP%ldQ%llu.%s,V=%llu,U=%llu",
		(long long)tv.tv_sec, (long)tv.tv_usec, m->pid,
		++m->seq, m->host, m->uidvalidity, uid);
	buf_addf(&p, "%s/tmp/%s", m->dir, name);
	m->fd = open(p.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		O_NOFOLLOW, 0600);
	if (m->fd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s", p.data);
		buf_release(&p);
		return -1;
	}
	buf_release(&p);
	if (m->npend == m->apend) {
		m->apend = m->apend ? 2 * m->apend : 64;
		m->pend = xrealloc(m->pend, m->apend * sizeof(*m->pend));
	}
	pe = &m->pend[m->npend];
	pe->fd = -1;
	pe->uid = (uint32_t)uid;
	pe->flags = (unsigned char)flags;
	pe->name = add_to(&m->pnames, name, strlen(name));
	return 0;
}

int
mdirsync_write(struct mdirsync *m, const void *p, size_t n, struct err *e)
{
	if (m->fd < 0)
		return err_set(e, ERR_SOFTWARE, "no message open");
	if (durable_write(m->fd, p, n) != 0)
		return err_sys(e, ERR_IO, errno, "%s/tmp/%s", m->dir,
			pend_name(m, m->npend));
	return 0;
}

int
mdirsync_end(struct mdirsync *m, struct err *e)
{
	if (m->fd < 0)
		return err_set(e, ERR_SOFTWARE, "no message open");
	durable_start_write(m->fd);	/* while the next one arrives */
	m->pend[m->npend].fd = m->fd;
	m->fd = -1;
	m->npend++;
	return 0;
}

void
mdirsync_last_flags(struct mdirsync *m, unsigned long long uid,
	unsigned flags)
{
	size_t i;

	for (i = m->npend; i > 0; i--)
		if (m->pend[i - 1].uid == uid) {
			m->pend[i - 1].flags = (unsigned char)flags;
			return;
		}
}

void
mdirsync_abort(struct mdirsync *m)
{
	struct buf p = BUF_INIT;

	if (m->fd < 0)
		return;
	close(m->fd);
	m->fd = -1;
	buf_addf(&p, "%s/tmp/%s", m->dir, pend_name(m, m->npend));
	unlink(p.data);
	buf_release(&p);
}

size_t
mdirsync_pending(const struct mdirsync *m)
{
	return m->npend;
}

/* Rename pending message i into new/ or cur/ and index it. */
static int
publish(struct mdirsync *m, size_t i, struct buf *from, struct buf *to,
	struct err *e)
{
	struct mdirsync_pend *pe = &m->pend[i];
	const char *base = pend_name(m, i);
	struct mdirsync_ent ent;

	buf_reset(from);
	buf_reset(to);
	buf_addf(from, "%s/tmp/%s", m->dir, base);
	memset(&ent, 0, sizeof ent);
	ent.uid = pe->uid;
	ent.flags = pe->flags;
	ent.in_new = pe->flags == 0;
	ent.name = MDIRSYNC_NONAME;	/* found again when needed */
	if (ent.in_new) {
		buf_addf(to, "%s/new/%s", m->dir, base);
	} else {
		struct buf n = BUF_INIT;

		flagged_name(base, pe->flags, &n);
		buf_addf(to, "%s/cur/%s", m->dir, n.data);
		buf_release(&n);
	}
	m->changes++;
	if (rename(from->data, to->data) != 0)
		return err_sys(e, ERR_IO, errno, "%s", from->data);
	if (m->published)
		m->published(m->ctx, ent.uid, ent.flags);
	else
		push(&m->v, &m->n, &m->alloc, &ent);
	return 0;
}

int
mdirsync_commit(struct mdirsync *m, struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT;
	size_t i, done = 0;
	int rc = -1, sorted;

	/* on ext4 with an ordered journal each file written out and waited
	 * for, and the fsync of cur/ after the renames commits the journal
	 * transaction that holds them all, as deliver.c does: a rename that
	 * survives a crash has its file whole. Elsewhere each file is
	 * fsync'd (several at once: durable_sync_files). */
	if (m->npend) {
		int *fds = xcalloc(m->npend, sizeof(*fds)), r, en;

		for (i = 0; i < m->npend; i++)
			fds[i] = m->pend[i].fd;
		r = durable_sync_files(fds, m->npend, m->dmode, &i);
		en = errno;
		free(fds);
		if (r != 0) {
			err_sys(e, ERR_IO, en, "%s/tmp/%s", m->dir,
				pend_name(m, i));
			goto out;
		}
	}
	sorted = m->n == 0 || m->npend == 0 ||
		m->v[m->n - 1].uid < m->pend[0].uid;
	for (i = 0; i < m->npend; i++) {
		/* tests: a kill between the batch synced in tmp/ and its
		 * publication, after i renames (MKIT_TEST_KILL=rename:N) */
		test_kill_point("rename");
		if (publish(m, i, &from, &to, e) < 0)
			goto out;
		close(m->pend[i].fd);
		m->pend[i].fd = -1;
		done = i + 1;
	}
	if (!sorted)
		if (m->n)
			qsort(m->v, m->n, sizeof(*m->v), by_uid);
	rc = mdirsync_sync_dirs(m, e);
out:
	/* what is not renamed is thrown away: fetched again next time */
	for (i = done; i < m->npend; i++) {
		close(m->pend[i].fd);
		buf_reset(&from);
		buf_addf(&from, "%s/tmp/%s", m->dir, pend_name(m, i));
		unlink(from.data);
	}
	m->npend = 0;
	if (m->fd < 0)
		buf_reset(&m->pnames);
	buf_release(&from);
	buf_release(&to);
	return rc;
}

/* Does the index (its files not gone) hold exactly v[0..n)? */
static int
same(const struct mdirsync *m, const struct syncstate_ent *v, size_t n)
{
	size_t i, j = 0;

	if (m->nold)
		return 0;
	for (i = 0; i < m->n; i++) {
		if (m->v[i].gone)
			continue;
		if (j == n || m->v[i].uid != v[j].uid ||
		    m->v[i].flags != v[j].flags)
			return 0;
		j++;
	}
	return j == n;
}

struct holding {
	const struct mdirsync *m;
	const struct syncstate_ent *v;
	size_t n, found;
	unsigned char *seen;	/* a bit per entry of v */
	int same;
};

/* One tagged file against v (walk()): 1 stops at the first difference. */
static int
hold_one(void *ctx, const char *name, const struct tag *t, int in_new)
{
	struct holding *h = ctx;
	size_t k = UIDFIND(h->v, h->n, struct syncstate_ent, uid, t->uid);

	(void)in_new;
	/* another UIDVALIDITY, a UID not in v or twice (a copy: which one
	 * the scan keeps is not known) */
	if (t->uv != h->m->uidvalidity || k == h->n ||
	    (h->seen[k / 8] & (1u << (k % 8))) ||
	    name_flags(name) != h->v[k].flags) {
		h->same = 0;
		return 1;
	}
	h->seen[k / 8] |= (unsigned char)(1u << (k % 8));
	h->found++;
	return 0;
}

/*
 * Do cur/ and new/ hold exactly v[0..n): each UID once with its flags,
 * nothing of another UIDVALIDITY? Read as they are now, in one pass with
 * a bit per entry (no index, no names). 1 or 0, -1 with ERR_IO.
 */
static int
dirs_hold(const struct mdirsync *m, const struct syncstate_ent *v,
	size_t n, struct err *e)
{
	struct holding h;
	int rc;

	h.m = m;
	h.v = v;
	h.n = n;
	h.found = 0;
	h.same = 1;
	h.seen = xcalloc(n / 8 + 1, 1);
	rc = walk(m, hold_one, &h, e);
	free(h.seen);
	if (rc < 0)
		return -1;
	return h.same && h.found == n;
}

/* A stamp that is settled: wait out the clock tick of the last change
 * (a few milliseconds) at most a few times. */
static int
settled_stamp(const char *dir, char *out)
{
	struct timespec tick = { 0, 2000000 };
	int i, st = 0;

	for (i = 0; i < 10 && (st = dir_stamp(dir, out)) == 0; i++)
		nanosleep(&tick, NULL);
	return st;
}

int
mdirsync_stamp(struct mdirsync *m, const struct syncstate_ent *v, size_t n,
	char *out, struct err *e)
{
	int rc;

	out[0] = '\0';
	if (!m->changes && m->prestamp[0]) {
		/* as opened: the stamp was taken before the scan, if any */
		if (!m->scanned || same(m, v, n))
			memcpy(out, m->prestamp, MDIRSYNC_STAMP_MAX);
		return 0;
	}
	if (settled_stamp(m->dir, out) <= 0) {
		out[0] = '\0';
		return 0;
	}
	/* taken before this read: a change after it changes the stamp */
	if ((rc = dirs_hold(m, v, n, e)) <= 0)
		out[0] = '\0';
	return rc < 0 ? -1 : 0;
}

void
mdirsync_msgid(const char *h, size_t n, char *out, size_t size)
{
	size_t i = 0, o = 0;

	out[0] = '\0';
	while (i < n) {
		size_t ls = i;

		while (i < n && h[i] != '\n')
			i++;
		if (i - ls >= 11 && has_prefix_ci(h + ls, i - ls,
		    "message-id:")) {
			size_t k = ls + 11;

			/* the value, unfolded, without blanks or <> */
			while (k < n && o + 1 < size) {
				char c = h[k];

				if (c == '\n' && (k + 1 >= n ||
				    (h[k + 1] != ' ' && h[k + 1] != '\t')))
					break;
				if (c != ' ' && c != '\t' && c != '\r' &&
				    c != '\n' && c != '<' && c != '>')
					out[o++] = c;
				k++;
			}
			out[o] = '\0';
			return;
		}
		if (i - ls == 0 || (i - ls == 1 && h[ls] == '\r'))
			return;	/* end of the header */
		i++;
	}
}

int
mdirsync_identity(const char *path, char *msgid, size_t size,
	unsigned long long *crlf_size, struct err *e)
{
	struct buf h = BUF_INIT;
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), prev_cr = 0;
	unsigned long long total = 0;
	ssize_t r;

	if (fd < 0)
		return err_sys(e, ERR_IO, errno, "%s", path);
	buf_init(&h, HEADER_SCAN_MAX);
	while ((r = read(fd, chunk, sizeof chunk)) > 0) {
		ssize_t i;

		if (h.len < HEADER_SCAN_MAX)
			buf_add(&h, chunk, (size_t)r);
		for (i = 0; i < r; i++) {
			if (chunk[i] == '\n' && !prev_cr)
				total++;	/* LF is CRLF on the wire */
			prev_cr = chunk[i] == '\r';
		}
		total += (unsigned long long)r;
	}
	close(fd);
	if (r < 0) {
		buf_release(&h);
		return err_sys(e, ERR_IO, errno, "%s", path);
	}
	mdirsync_msgid(h.data ? h.data : "", h.len, msgid, size);
	*crlf_size = total;
	buf_release(&h);
	return 0;
}
