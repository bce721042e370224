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
 * The UIDLs in the order they were recorded (uidl[], NULLs where retain
 * dropped one until the next rebuild), and an open-addressing hash table
 * of indexes into it (slot[] holds index + 1; 0 is empty).
 */
struct uidlstate {
	char *path, *journal, *disp;
	int lockfd;
	char **uidl;		/* in ids */
	size_t n, alloc;
	struct strpool ids;
	uint32_t *slot;		/* 1 + the index in uidl, or 0: empty */
	size_t nslot;		/* a power of two, > 2 n */
	int dirty;
};

/* The slot holding s, or the empty slot where it would go. */
static size_t
find(const struct uidlstate *s, const char *u)
{
	size_t i = (size_t)str_hash64(u) & (s->nslot - 1);

	while (s->slot[i] && strcmp(s->uidl[s->slot[i] - 1], u) != 0)
		i = (i + 1) & (s->nslot - 1);
	return i;
}

static void
rehash(struct uidlstate *s, size_t want)
{
	size_t i;

	s->nslot = 64;
	while (s->nslot < 2 * want + 2)
		s->nslot *= 2;
	free(s->slot);
	s->slot = xcalloc(s->nslot, sizeof(*s->slot));
	for (i = 0; i < s->n; i++)
		s->slot[find(s, s->uidl[i])] = i + 1;
}

static int
valid(const char *u, size_t len)
{
	return len > 0 && len <= UIDLSTATE_UIDL_MAX && !memchr(u, '\n', len)
		&& !memchr(u, '\r', len);
}

/* Add u[0..len) (valid(): at most UIDLSTATE_UIDL_MAX bytes). */
static void
insert(struct uidlstate *s, const char *u, size_t len)
{
	char key[UIDLSTATE_UIDL_MAX + 1];
	size_t i;

	memcpy(key, u, len);
	key[len] = '\0';
	if (2 * (s->n + 1) + 2 > s->nslot)
		rehash(s, s->n + 1);
	i = find(s, key);
	if (s->slot[i])
		return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 256;
		s->uidl = xrealloc(s->uidl, s->alloc * sizeof(*s->uidl));
	}
	s->uidl[s->n++] = strpool_add(&s->ids, key, len);
	s->slot[i] = (uint32_t)s->n;
	s->dirty = 1;
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
		if (n > 0)
			insert(s, data.data + pos, n);
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
	return s->slot[find(s, uidl)] != 0;
}

int
uidlstate_add(struct uidlstate *s, const char *uidl, struct err *e)
{
	if (!valid(uidl, strlen(uidl)))
		return err_set(e, ERR_USAGE, "invalid UIDL \"%.80s\"", uidl);
	insert(s, uidl, strlen(uidl));
	return 0;
}

void
uidlstate_retain(struct uidlstate *s, const char *const *list, size_t n)
{
	unsigned char *on = xcalloc(s->n ? s->n : 1, 1);
	size_t i, j = 0;

	/* mark what the list holds (a byte per UIDL, no second table) */
	for (i = 0; i < n; i++) {
		size_t k = list[i] ? find(s, list[i]) : 0;

		if (list[i] && s->slot[k])
			on[s->slot[k] - 1] = 1;
	}
	for (i = 0; i < s->n; i++)
		if (on[i])
			s->uidl[j++] = s->uidl[i];
	free(on);
	if (j != s->n) {
		s->n = j;
		s->dirty = 1;
		rehash(s, s->n);
	}
}

size_t
uidlstate_count(const struct uidlstate *s)
{
	return s->n;
}

/* The state file is written in pieces of about this size. */
#define COMMIT_CHUNK (16u << 10)

int
uidlstate_commit(struct uidlstate *s, struct err *e)
{
	struct durable_file f;
	struct buf b = BUF_INIT;
	size_t i;
	int rc = 0;

	if (!s->dirty)
		return 0;
	if (durable_file_open(&f, s->path, e) < 0)
		return -1;
	buf_addstr(&b, MAGIC "\n");
	for (i = 0; i <= s->n && rc == 0; i++) {
		if (i == s->n || b.len >= COMMIT_CHUNK) {
			rc = durable_file_write(&f, b.data, b.len, e);
			buf_reset(&b);
		}
		if (i < s->n) {
			buf_addstr(&b, s->uidl[i]);
			buf_addch(&b, '\n');
		}
	}
	buf_release(&b);
	if (rc < 0) {
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
			if (mine && valid(l, n))
				insert(s, l, n);
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
	strpool_release(&s->ids);
	free(s->uidl);
	free(s->slot);
	free(s->path);
	free(s->journal);
	free(s->disp);
	free(s);
}
