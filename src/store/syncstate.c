/* syncstate.c: see syncstate.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/uidfind.h"
#include "base/util.h"
#include "store/durable.h"
#include "store/syncstate.h"

#define MAGIC "mkit-imapsync 1"
/* Bytes read or written at a time; the longest line accepted. */
#define STATE_READ (16u << 10)
#define STATE_LINE_MAX (64u << 10)

static const struct {
	char letter;
	const char *imap;
	unsigned bit;
} flag_map[] = {
	{ 'D', "\\Draft", SYNC_DRAFT },
	{ 'F', "\\Flagged", SYNC_FLAGGED },
	{ 'R', "\\Answered", SYNC_ANSWERED },
	{ 'S', "\\Seen", SYNC_SEEN },
	{ 'T', "\\Deleted", SYNC_DELETED },
};

void
syncstate_letters(unsigned flags, char *out)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(flag_map); i++)
		if (flags & flag_map[i].bit)
			out[n++] = flag_map[i].letter;
	out[n] = '\0';
}

unsigned
syncstate_from_letters(const char *s, size_t len)
{
	unsigned f = 0;
	size_t i, j;

	for (i = 0; i < len; i++)
		for (j = 0; j < ARRAY_SIZE(flag_map); j++)
			if (s[i] == flag_map[j].letter)
				f |= flag_map[j].bit;
	return f;
}

unsigned
syncstate_from_imap(const char *s, size_t len)
{
	size_t j;

	for (j = 0; j < ARRAY_SIZE(flag_map); j++)
		if (strlen(flag_map[j].imap) == len &&
		    !mem_casecmp(s, flag_map[j].imap, len))
			return flag_map[j].bit;
	return 0;
}

void
syncstate_imap_names(unsigned flags, char *out)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(flag_map); i++) {
		if (!(flags & flag_map[i].bit))
			continue;
		if (out[0])
			strcat(out, " ");
		strcat(out, flag_map[i].imap);
	}
}

unsigned
syncstate_merge(unsigned base, unsigned local, unsigned server)
{
	unsigned theirs = (base ^ server) & SYNC_FLAGS_ALL;

	if (base == SYNC_UNKNOWN)
		return server & SYNC_FLAGS_ALL;
	return ((server & theirs) | (local & ~theirs)) & SYNC_FLAGS_ALL;
}

/* '/', '%', control bytes and a leading '.' as %XX: one safe file name. */
static void
add_escaped(struct buf *b, const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || c == '%' || c < 0x20 || c == 0x7f ||
		    (i == 0 && c == '.'))
			buf_addf(b, "%%%02X", c);
		else
			buf_addch(b, c);
	}
}

char *
syncstate_dir(const char *user, const char *host, unsigned port,
	struct err *e)
{
	struct buf b = BUF_INIT;

	if (state_dir(&b, "imap") < 0)
		return err_set(e, ERR_CONFIG, "no place for the pull state: "
			"set HOME or XDG_STATE_HOME"), NULL;
	buf_addch(&b, '/');
	add_escaped(&b, user ? user : "");
	buf_addch(&b, '@');
	add_escaped(&b, host);
	buf_addf(&b, ":%u", port);
	return buf_detach(&b, NULL);
}

char *
syncstate_path(const char *dir, const char *folder)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/", dir);
	add_escaped(&b, folder);
	if (!strcmp(folder, "lock"))
		buf_addstr(&b, "%");	/* never the lock file */
	return buf_detach(&b, NULL);
}

int
syncstate_lock(const char *dir, int wait, struct err *e)
{
	struct buf lp = BUF_INIT;
	char *disp = path_tilde(dir);
	int fd = -1;

	if (durable_mkdirs(dir, 0700, e) < 0)
		goto out;
	buf_addf(&lp, "%s/lock", dir);
	fd = open(lp.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s/lock", disp);
		goto out;
	}
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			err_set(e, ERR_TEMPFAIL, "%s: in use by another pull",
				disp);
		else
			err_sys(e, ERR_IO, errno, "%s/lock", disp);
		close(fd);
		fd = -1;
		goto out;
	}
out:
	buf_release(&lp);
	free(disp);
	return fd;
}

void
syncstate_init(struct syncstate *s)
{
	memset(s, 0, sizeof(*s));
}

void
syncstate_clear(struct syncstate *s)
{
	s->n = 0;
	s->uidvalidity = s->uidnext = s->highestmodseq = 0;
	free(s->stamp);
	s->stamp = NULL;
	s->dirty = 1;
}

void
syncstate_release(struct syncstate *s)
{
	free(s->v);
	free(s->maildir);
	free(s->stamp);
	syncstate_init(s);
}

static int
num(const char *p, size_t n, unsigned long long max,
	unsigned long long *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' ||
		    *v > (max - (unsigned)(p[i] - '0')) / 10)
			return -1;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return 0;
}

/* One "UID FLAGS" line, after "uids". */
static int
load_uid(struct syncstate *s, const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n);
	unsigned long long uid;
	size_t fl;

	if (!sp || num(p, (size_t)(sp - p), 0xffffffffull, &uid) < 0 ||
	    uid == 0 || (s->n && uid <= s->v[s->n - 1].uid))
		return -1;
	fl = n - (size_t)(sp - p) - 1;
	if (fl == 0 || strspn(sp + 1, "-DFRST") < fl)
		return -1;
	syncstate_set(s, uid, syncstate_from_letters(sp + 1, fl));
	return 0;
}

/* One "key value" line before "uids". */
static int
load_key(struct syncstate *s, const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n);
	size_t k, vl;
	const char *v;

	if (!sp)
		return -1;
	k = (size_t)(sp - p);
	v = sp + 1;
	vl = n - k - 1;
#define KEY(name) (k == strlen(name) && !memcmp(p, name, k))
	if (KEY("uidvalidity"))
		return num(v, vl, ~0ull, &s->uidvalidity);
	if (KEY("uidnext"))
		return num(v, vl, ~0ull, &s->uidnext);
	if (KEY("highestmodseq"))
		return num(v, vl, ~0ull, &s->highestmodseq);
	if (KEY("delim")) {
		if (vl != 1)
			return -1;
		s->delim = v[0];
		return 0;
	}
	if (KEY("maildir")) {
		free(s->maildir);
		s->maildir = xmemdup(v, vl);
		return vl ? 0 : -1;
	}
	if (KEY("stamp")) {
		free(s->stamp);
		s->stamp = xmemdup(v, vl);
		return vl ? 0 : -1;
	}
#undef KEY
	return 0;	/* a key of a later version: ignored */
}

/* One line (without its newline) of the file: the first, a key, "uids"
 * or a message. */
static int
load_line(struct syncstate *s, const char *p, size_t n, size_t line,
	int *in_uids)
{
	if (line == 1)
		return n == strlen(MAGIC) && !memcmp(p, MAGIC, n) ? 0 : -1;
	if (!*in_uids && n == 4 && !memcmp(p, "uids", 4)) {
		*in_uids = 1;
		return 0;
	}
	return *in_uids ? load_uid(s, p, n) : load_key(s, p, n);
}

/*
 * Read in pieces of STATE_READ (the file of a large folder is never held
 * whole): complete lines are parsed and dropped, a line longer than
 * STATE_LINE_MAX is malformed.
 */
int
syncstate_load(struct syncstate *s, const char *path, struct err *e)
{
	struct buf data = BUF_INIT;
	size_t line = 0;
	int fd, rc = -1, in_uids = 0;
	char *disp = path_tilde(path);
	ssize_t r;

	syncstate_init(s);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		free(disp);
		return 0;
	}
	if (fd < 0) {
		err_sys(e, ERR_IO, errno, "%s", disp);
		free(disp);
		return -1;
	}
	buf_init(&data, STATE_LINE_MAX + STATE_READ);
	do {
		size_t pos = 0;
		char *nl;

		buf_grow(&data, STATE_READ);
		r = read(fd, data.data + data.len, STATE_READ);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_sys(e, ERR_IO, errno, "%s", disp);
			goto out;
		}
		data.len += (size_t)r;
		data.data[data.len] = '\0';
		while ((nl = memchr(data.data + pos, '\n', data.len - pos))) {
			size_t n = (size_t)(nl - data.data) - pos;

			if (load_line(s, data.data + pos, n, ++line,
			    &in_uids) < 0)
				goto bad;
			pos += n + 1;
		}
		buf_consume(&data, pos);
		if (data.len > STATE_LINE_MAX) {
			line++;
			goto bad;
		}
	} while (r != 0);
	if (line == 0 && data.len == 0)
		goto bad;	/* empty: not ours either */
	if (data.len && line == 0)
		goto bad;
	if (data.len) {
		err_set(e, ERR_DATA, "%s:%zu: cut short", disp, line + 1);
		goto out;
	}
	if (!in_uids) {
		err_set(e, ERR_DATA, "%s: cut short (no \"uids\" line)", disp);
		goto out;
	}
	s->dirty = 0;
	rc = 0;
	goto out;
bad:
	if (line <= 1)
		err_set(e, ERR_DATA, "%s: not a pull state of mkit (its first "
			"line is not \"" MAGIC "\")", disp);
	else
		err_set(e, ERR_DATA, "%s:%zu: not a line of a pull state",
			disp, line);
out:
	if (rc < 0)
		syncstate_release(s);
	close(fd);
	buf_release(&data);
	free(disp);
	return rc;
}

/* Write b out once it holds STATE_READ bytes (or at last: all). */
static int
save_flush(struct durable_file *o, struct buf *b, int all, struct err *e)
{
	int rc = 0;

	if (b->len >= STATE_READ || (all && b->len)) {
		rc = durable_file_write(o, b->data, b->len, e);
		buf_reset(b);
	}
	return rc;
}

/* Written in pieces: the text of a large folder is never built whole. */
int
syncstate_save(const struct syncstate *s, const char *path, struct err *e)
{
	struct durable_file o;
	struct buf b = BUF_INIT;
	size_t i;
	int rc = -1;

	if (durable_file_open(&o, path, e) < 0)
		return -1;
	buf_addf(&b, MAGIC "\nuidvalidity %llu\nuidnext %llu\n"
		"highestmodseq %llu\n", s->uidvalidity, s->uidnext,
		s->highestmodseq);
	if (s->delim && s->delim != '\n')
		buf_addf(&b, "delim %c\n", s->delim);
	if (s->maildir && !strchr(s->maildir, '\n'))
		buf_addf(&b, "maildir %s\n", s->maildir);
	if (s->stamp && s->stamp[0] && !strchr(s->stamp, '\n'))
		buf_addf(&b, "stamp %s\n", s->stamp);
	buf_addstr(&b, "uids\n");
	for (i = 0; i < s->n; i++) {
		char l[8];

		syncstate_letters(s->v[i].flags, l);
		buf_addf(&b, "%lu %s\n", (unsigned long)s->v[i].uid,
			l[0] ? l : "-");
		if (save_flush(&o, &b, 0, e) < 0)
			goto fail;
	}
	if (save_flush(&o, &b, 1, e) < 0)
		goto fail;
	if (durable_file_commit(&o, e) == 0 &&
	    durable_sync_parent(path, e) == 0)
		rc = 0;
	goto out;
fail:
	durable_file_abort(&o);
out:
	buf_release(&b);
	return rc;
}

struct syncstate_ent *
syncstate_find(const struct syncstate *s, unsigned long long uid)
{
	size_t i = UIDFIND(s->v, s->n, struct syncstate_ent, uid, uid);

	return i < s->n ? &s->v[i] : NULL;
}

void
syncstate_set(struct syncstate *s, unsigned long long uid, unsigned flags)
{
	size_t i = s->n && s->v[s->n - 1].uid < uid ? s->n :
		UIDFIND_FIRST(s->v, s->n, struct syncstate_ent, uid, uid);

	if (i < s->n && s->v[i].uid == uid) {
		if (s->v[i].flags != flags)
			s->dirty = 1;
		s->v[i].flags = (unsigned char)flags;
		return;
	}
	s->dirty = 1;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 256;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i].uid = (uint32_t)uid;
	s->v[i].flags = (unsigned char)flags;
	s->n++;
}

void
syncstate_compact(struct syncstate *s)
{
	size_t i, j = 0;

	for (i = 0; i < s->n; i++)
		if (s->v[i].flags != 0xff)
			s->v[j++] = s->v[i];
	if (j != s->n)
		s->dirty = 1;
	s->n = j;
}
