/* uidlstate.c: see uidlstate.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "store/durable.h"
#include "store/uidlstate.h"

#define MAGIC "mkit-uidls 1"
#define STATE_FILE_MAX (1u << 30)

/*
 * The UIDLs in the order they were recorded, each ended by '\n' in pool
 * (the body of the state file as it is written), and an open-addressing
 * hash table of their offsets in it (slot[] holds offset + 1; 0 is
 * empty). No pointer and no malloc header per UIDL: its text and about
 * 6 bytes of table, so a mailbox of 10,000 costs a few hundred KB.
 */
struct uidlstate {
	char *path, *journal, *disp;
	int lockfd;
	struct buf pool;	/* "uidl\n" records, at most STATE_FILE_MAX */
	size_t n;		/* records in pool */
	uint32_t *slot;		/* 1 + the offset in pool, or 0: empty */
	size_t nslot;		/* a power of two, > 3 n / 2 */
	int dirty;
};

/* Is the record at off u[0..len)? Its end is '\n' ('\r' while marked by
 * uidlstate_retain). */
static int
same(const struct uidlstate *s, size_t off, const char *u, size_t len)
{
	const char *r = s->pool.data + off;

	return s->pool.len - off > len && (r[len] == '\n' || r[len] == '\r')
		&& memcmp(r, u, len) == 0;
}

/* The slot holding u[0..len), or the empty slot where it would go. */
static size_t
find(const struct uidlstate *s, const char *u, size_t len)
{
	size_t i = (size_t)mem_hash64(u, len) & (s->nslot - 1);

	while (s->slot[i] && !same(s, s->slot[i] - 1, u, len))
		i = (i + 1) & (s->nslot - 1);
	return i;
}

/* The length of the record at off (up to its '\n' or '\r'). */
static size_t
rec_len(const struct uidlstate *s, size_t off)
{
	const char *r = s->pool.data + off;
	size_t len = 0;

	while (r[len] != '\n' && r[len] != '\r')
		len++;
	return len;
}

static void
rehash(struct uidlstate *s, size_t want)
{
	size_t off, len;

	s->nslot = 64;
	while (s->nslot < want + want / 2 + 1)
		s->nslot *= 2;
	free(s->slot);
	s->slot = xcalloc(s->nslot, sizeof(*s->slot));
	for (off = 0; off < s->pool.len; off += len + 1) {
		len = rec_len(s, off);
		s->slot[find(s, s->pool.data + off, len)] = (uint32_t)off + 1;
	}
}

static int
valid(const char *u, size_t len)
{
	return len > 0 && len <= UIDLSTATE_UIDL_MAX && !memchr(u, '\n', len)
		&& !memchr(u, '\r', len);
}

/* Add u[0..len) (valid()). -1 when the state would pass STATE_FILE_MAX. */
static int
insert(struct uidlstate *s, const char *u, size_t len)
{
	size_t i, off = s->pool.len;

	if (s->n + 1 + (s->n + 1) / 2 + 1 > s->nslot)
		rehash(s, s->n + 1);
	i = find(s, u, len);
	if (s->slot[i])
		return 0;
	if (buf_grow(&s->pool, len + 1) < 0)
		return -1;
	buf_add(&s->pool, u, len);
	buf_addch(&s->pool, '\n');
	s->slot[i] = (uint32_t)off + 1;
	s->n++;
	s->dirty = 1;
	return 0;
}

static int
full(const struct uidlstate *s, struct err *e)
{
	return err_set(e, ERR_DATA, "%s: more UIDLs than a state holds "
		"(%u MiB)", s->disp, STATE_FILE_MAX >> 20);
}

/* Append src with '/' and '%' (and, for a host, nothing else) escaped. */
static void
add_escaped(struct buf *b, const char *src)
{
	for (; src && *src; src++)
		if (*src == '/' || *src == '%')
			buf_addf(b, "%%%02X", (unsigned char)*src);
		else
			buf_addch(b, *src);
}

/* Does path start as mpop's uidls files do ('#' or ' ')? */
static int
is_mpop_file(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd >= 0) {
		r = read(fd, &c, 1) == 1 && (c == '#' || c == ' ');
		close(fd);
	}
	return r;
}

char *
uidlstate_path(const char *uidls_file, const char *user, const char *host,
	unsigned port, struct err *e)
{
	struct buf b = BUF_INIT;
	const char *p;

	if (uidls_file) {
		for (p = uidls_file; *p; p++) {
			if (p[0] == '%' && p[1] == 'U')
				buf_addstr(&b, user ? user : "");
			else if (p[0] == '%' && p[1] == 'H')
				buf_addstr(&b, host ? host : "");
			else if (p[0] == '%' && p[1] == '%')
				buf_addch(&b, '%');
			else {
				buf_addch(&b, *p);
				continue;
			}
			p++;
		}
		if (is_mpop_file(b.data))
			buf_addstr(&b, ".mkit");
		return buf_detach(&b, NULL);
	}
	if (state_dir(&b, "uidls") < 0)
		return err_set(e, ERR_CONFIG, "no place for the UIDL state: "
			"set HOME or XDG_STATE_HOME, or uidls_file"), NULL;
	buf_addch(&b, '/');
	add_escaped(&b, user);
	buf_addch(&b, '@');
	add_escaped(&b, host);
	buf_addf(&b, ":%u", port);
	return buf_detach(&b, NULL);
}

static int
lock(struct uidlstate *s, unsigned flags, struct err *e)
{
	struct buf lp = BUF_INIT;
	int rc = -1;

	buf_addf(&lp, "%s.lock", s->path);
	s->lockfd = open(lp.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		0600);
	if (s->lockfd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s.lock", s->disp);
		goto out;
	}
	while (flock(s->lockfd, LOCK_EX | (flags & UIDLSTATE_WAIT ? 0 :
	    LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			err_set(e, ERR_TEMPFAIL, "%s: in use by another "
				"process", s->disp);
		else
			err_sys(e, ERR_IO, errno, "%s.lock", s->disp);
		goto out;
	}
	rc = 0;
out:
	buf_release(&lp);
	return rc;
}

static int
load(struct uidlstate *s, struct err *e)
{
	struct buf data = BUF_INIT;
	size_t pos, line = 1;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC), rc = -1;
	char *nl;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return err_sys(e, ERR_IO, errno, "%s", s->disp);
	buf_init(&data, STATE_FILE_MAX);
	if (buf_read_fd(&data, fd) < 0) {
		err_sys(e, ERR_IO, errno, "%s", s->disp);
		goto out;
	}
	if (data.len == 0) {
		rc = 0;
		goto out;
	}
	nl = memchr(data.data, '\n', data.len);
	if (data.data[0] == '#' || data.data[0] == ' ') {
		err_set(e, ERR_CONFIG, "%s: this is mpop's UIDL file, not a state "
			"of mkit (mkit keeps its own: unset uidls_file or name "
			"a new file)", s->disp);
		goto out;
	}
	if (!nl || (size_t)(nl - data.data) != strlen(MAGIC) ||
	    memcmp(data.data, MAGIC, strlen(MAGIC)) != 0) {
		err_set(e, ERR_DATA, "%s: not a UIDL state file of mkit (its "
			"first line is not \"" MAGIC "\")", s->disp);
		goto out;
	}
	for (pos = (size_t)(nl - data.data) + 1; pos < data.len; ) {
		size_t n;

		line++;
		nl = memchr(data.data + pos, '\n', data.len - pos);
		n = nl ? (size_t)(nl - (data.data + pos)) : data.len - pos;
		if (n > 0 && !valid(data.data + pos, n)) {
			err_set(e, ERR_DATA, "%s:%zu: not a UIDL", s->disp,
				line);
			goto out;
		}
		if (n > 0 && insert(s, data.data + pos, n) < 0) {
			full(s, e);
			goto out;
		}
		pos += n + 1;
	}
	s->dirty = 0;
	rc = 0;
out:
	close(fd);
	buf_release(&data);
	return rc;
}

struct uidlstate *
uidlstate_open(const char *path, unsigned flags, struct err *e)
{
	struct uidlstate *s = xcalloc(1, sizeof(*s));
	const char *slash = strrchr(path, '/');
	struct buf j = BUF_INIT;

	s->path = xstrdup(path);
	s->disp = path_tilde(path);
	s->lockfd = -1;
	buf_addf(&j, "%s.journal", path);
	s->journal = buf_detach(&j, NULL);
	buf_init(&s->pool, STATE_FILE_MAX);
	rehash(s, 0);
	if (slash && slash != path) {
		char *dir = xmemdup(path, (size_t)(slash - path));
		int r = durable_mkdirs(dir, 0700, e);

		free(dir);
		if (r < 0)
			goto fail;
	}
	if (lock(s, flags, e) < 0 || load(s, e) < 0)
		goto fail;
	return s;
fail:
	uidlstate_close(s);
	return NULL;
}

const char *
uidlstate_file(const struct uidlstate *s)
{
	return s->path;
}

const char *
uidlstate_journal(const struct uidlstate *s)
{
	return s->journal;
}

int
uidlstate_has(const struct uidlstate *s, const char *uidl)
{
	return s->slot[find(s, uidl, strlen(uidl))] != 0;
}

int
uidlstate_add(struct uidlstate *s, const char *uidl, struct err *e)
{
	if (!valid(uidl, strlen(uidl)))
		return err_set(e, ERR_USAGE, "invalid UIDL \"%.80s\"", uidl);
	return insert(s, uidl, strlen(uidl)) < 0 ? full(s, e) : 0;
}

void
uidlstate_retain(struct uidlstate *s, const char *const *list, size_t n)
{
	size_t i, r, w = 0, len, kept = 0;
	char *d = s->pool.data;

	/* mark what the list holds: its record ends in '\r' for now */
	for (i = 0; i < n; i++) {
		size_t k;

		if (!list[i])
			continue;
		len = strlen(list[i]);
		k = find(s, list[i], len);
		if (s->slot[k])
			d[s->slot[k] - 1 + len] = '\r';
	}
	/* keep the marked records in their order, in place */
	for (r = 0; r < s->pool.len; r += len + 1) {
		len = rec_len(s, r);
		if (d[r + len] != '\r')
			continue;
		memmove(d + w, d + r, len);
		d[w + len] = '\n';
		w += len + 1;
		kept++;
	}
	if (kept != s->n) {
		buf_truncate(&s->pool, w);
		s->n = kept;
		s->dirty = 1;
		rehash(s, s->n);
	}
}

void
uidlstate_reserve(struct uidlstate *s, size_t n, size_t bytes)
{
	if (s->n + n + (s->n + n) / 2 + 1 > s->nslot)
		rehash(s, s->n + n);
	buf_grow(&s->pool, bytes);	/* past the cap: grown when needed */
}

size_t
uidlstate_count(const struct uidlstate *s)
{
	return s->n;
}

int
uidlstate_commit(struct uidlstate *s, struct err *e)
{
	struct durable_file f;

	if (!s->dirty)
		return 0;
	if (durable_file_open(&f, s->path, e) < 0)
		return -1;
	/* the pool is the file's body: written from where it is */
	if (durable_file_write(&f, MAGIC "\n", strlen(MAGIC) + 1, e) < 0 ||
	    durable_file_write(&f, s->pool.data, s->pool.len, e) < 0) {
		durable_file_abort(&f);
		return -1;
	}
	if (durable_file_commit(&f, e) < 0 ||
	    durable_sync_parent(s->path, e) < 0)
		return -1;
	s->dirty = 0;
	return 0;
}

/*
 * mpop's uidls file: '#' comment lines at the top, then lists, each a line
 * " COUNT HOST USER" followed by COUNT lines of one UIDL each.
 */
long
uidlstate_import_mpop(struct uidlstate *s, const char *path,
	const char *user, const char *host, struct err *e)
{
	struct buf data = BUF_INIT;
	char *def = NULL, *disp;
	const char *h = getenv("HOME");
	size_t pos = 0, line = 0;
	long added = 0, left = 0;
	int fd, mine = 0, head = 1;

	if (!path) {
		struct buf b = BUF_INIT;

		buf_addf(&b, "%s/.mpop_uidls/%s_at_%s", h ? h : "",
			user ? user : "", host ? host : "");
		path = def = buf_detach(&b, NULL);
	}
	disp = path_tilde(path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			added = err_sys(e, ERR_IO, errno, "%s", disp);
		goto out;
	}
	buf_init(&data, STATE_FILE_MAX);
	if (buf_read_fd(&data, fd) < 0)
		added = err_sys(e, ERR_IO, errno, "%s", disp);
	close(fd);
	while (added >= 0 && pos < data.len) {
		const char *l = data.data + pos;
		const char *nl = memchr(l, '\n', data.len - pos);
		size_t n = nl ? (size_t)(nl - l) : data.len - pos;

		line++;
		pos += n + 1;
		if (head && n > 0 && l[0] == '#')
			continue;
		head = 0;
		if (left > 0) {
			left--;
			if (mine && valid(l, n) && insert(s, l, n) < 0) {
				added = full(s, e);
				break;
			}
			added += mine && valid(l, n);
			continue;
		}
		if (n > 0 && l[0] == ' ') {
			/* " COUNT HOST USER" */
			char *list = xmemdup(l + 1, n - 1), *hs, *us;

			left = strtol(list, &hs, 10);
			if (left < 1 || *hs != ' ' || !(us = strchr(hs + 1,
			    ' '))) {
				free(list);
				added = err_set(e, ERR_DATA, "%s:%zu: not an "
					"mpop UIDL list", disp, line);
				break;
			}
			*us++ = '\0';
			mine = !strcmp(hs + 1, host ? host : "") &&
				!strcmp(us, user ? user : "");
			free(list);
			continue;
		}
		if (n > 0)
			added = err_set(e, ERR_DATA, "%s:%zu: not mpop's UIDL "
				"file format", disp, line);
	}
out:
	buf_release(&data);
	free(def);
	free(disp);
	return added;
}

void
uidlstate_close(struct uidlstate *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	buf_release(&s->pool);
	free(s->slot);
	free(s->path);
	free(s->journal);
	free(s->disp);
	free(s);
}
