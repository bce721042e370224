/*
 * mimap-pull.c: "mimap pull" (see man/mimap.1, PULL): the maildir and
 * the layout from the options or the account, the lock, the folders (or
 * --all), then imap_pull_folder() for each and one line per folder.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "common.h"
#include "mimap-pull.h"
#include "proto/imap.h"
#include "proto/imap_ops.h"
#include "proto/imap_pull.h"
#include "store/syncstate.h"

struct folder {
	char *name;
	int delim;
};

struct run {
	int json, tty;
	struct folder *f;
	size_t n;
	struct buf aside;	/* this folder's files kept aside, by '\n' */
	struct json j;
	struct buf out;
};

static int
list_one(void *ctx, const struct imap_mailbox *m, struct err *e)
{
	struct run *r = ctx;

	(void)e;
	if (m->noselect)
		return 0;
	r->f = xrealloc(r->f, (r->n + 1) * sizeof(*r->f));
	r->f[r->n].name = xstrdup(m->name);
	r->f[r->n].delim = (unsigned char)m->delim;
	r->n++;
	return 0;
}

static void
on_aside(void *ctx, const char *folder, const char *path)
{
	struct run *r = ctx;

	(void)folder;
	buf_addstr(&r->aside, path);
	buf_addch(&r->aside, '\n');
}

static void
on_progress(void *ctx, const char *folder, unsigned long done,
	unsigned long total)
{
	struct run *r = ctx;

	if (r->tty && (done % 50 == 0 || done == total))
		fprintf(stderr, "\rmimap: %s: %lu/%lu", folder, done, total);
}

static void
json_folder(struct run *r, const char *name,
	const struct imap_pull_result *res)
{
	const char *p;

	json_obj_begin(&r->j);
	json_key(&r->j, "folder");
	json_cstr(&r->j, name);
	json_key(&r->j, "maildir");
	json_cstr(&r->j, res->maildir);
	json_key(&r->j, "mode");
	json_cstr(&r->j, res->mode);
#define N(key, field) json_key(&r->j, key); \
	json_int(&r->j, (long long)res->field);
	N("new", fetched)
	N("flags_local", flags_local)
	N("flags_server", flags_server)
	N("conflicts", conflicts)
	N("removed", removed)
	N("kept", kept)
	N("expunged", expunged)
#undef N
	json_key(&r->j, "uidvalidity_changed");
	json_bool(&r->j, res->uidvalidity_changed);
	json_key(&r->j, "kept_aside");
	json_arr_begin(&r->j);
	for (p = r->aside.data; p && *p; p += strcspn(p, "\n") + 1)
		json_str(&r->j, p, strcspn(p, "\n"));
	json_arr_end(&r->j);
	json_obj_end(&r->j);
}

static void
text_folder(struct run *r, const char *name,
	const struct imap_pull_result *res)
{
	const char *p;

	printf("%s: %lu new, %lu flags changed, %lu removed", name,
		res->fetched, res->flags_local + res->flags_server,
		res->removed);
	if (res->expunged)
		printf(", %lu expunged on the server", res->expunged);
	if (res->kept)
		printf(", %lu kept", res->kept);
	if (res->uidvalidity_changed)
		printf(", UIDVALIDITY changed");
	putchar('\n');
	for (p = r->aside.data; p && *p; p += strcspn(p, "\n") + 1)
		printf("%s: kept aside: %.*s\n", name,
			(int)strcspn(p, "\n"), p);
}

static void
options(const struct account *acc, const struct pull_cli *pc,
	struct imap_pull_opts *o)
{
	const char *layout = pc->layout ? pc->layout : acc->pull_layout;

	memset(o, 0, sizeof(*o));
	o->root = pc->maildir ? pc->maildir : acc->maildir;
	if (!o->root)
		diex(EX_USAGE, "pull: no maildir: give --maildir DIR or set "
			"\"maildir\" in account \"%s\"", acc->name ?
			acc->name : "default");
	if (!layout || !strcmp(layout, "maildir++"))
		o->layout = IMAP_PULL_MAILDIRPP;
	else if (!strcmp(layout, "tree"))
		o->layout = IMAP_PULL_TREE;
	else
		diex(pc->layout ? EX_USAGE : EX_CONFIG, "pull: layout \"%s\": "
			"maildir++ or tree expected", layout);
	o->keep_local = pc->keep_local || acc->pull_keep_local;
	o->push_deletes = pc->push_deletes || acc->pull_push_deletes;
}

static int
pull_all(struct imap *im, struct run *r, struct imap_pull_opts *o)
{
	struct imap_pull ip;
	struct err e;
	size_t i;

	imap_pull_start(&ip, im);
	for (i = 0; i < r->n; i++) {
		struct imap_pull_result res;

		buf_reset(&r->aside);
		err_clear(&e);
		if (imap_pull_folder(&ip, r->f[i].name, r->f[i].delim, o,
		    &res, &e) < 0) {
			if (r->tty)
				fputc('\n', stderr);
			print_err(&e);
			if (e.code == ERR_PROTOCOL || e.code == ERR_TEMPFAIL ||
			    e.code == ERR_IO)
				imap_free(im);
			else
				imap_logout(im);
			return exit_code(e.code);
		}
		if (r->tty && res.fetched)
			fputc('\n', stderr);
		if (r->json)
			json_folder(r, r->f[i].name, &res);
		else
			text_folder(r, r->f[i].name, &res);
		fflush(stdout);
	}
	imap_logout(im);
	return EX_OK;
}

int
mimap_pull(const struct account *acc, const struct pull_cli *pc,
	char **args, size_t n, int json, int tty, struct transcript *ts,
	mimap_open_fn *open_fn)
{
	struct imap_pull_opts o;
	struct run r;
	struct imap *im;
	struct err e;
	char *dir;
	size_t i;
	int lock, status;

	if (pc->all && n)
		diex(EX_USAGE, "usage: mimap pull [FOLDER... | --all] "
			"[--maildir DIR]");
	options(acc, pc, &o);
	memset(&r, 0, sizeof r);
	r.json = json;
	r.tty = tty && !json;
	buf_init(&r.aside, 0);
	err_clear(&e);
	dir = syncstate_dir(acc->user, acc->host, (unsigned)acc->port, &e);
	if (!dir || (lock = syncstate_lock(dir, 0, &e)) < 0) {
		print_err(&e);
		exit(exit_code(e.code));
	}
	o.state_dir = dir;
	o.aside = on_aside;
	o.progress = on_progress;
	o.ctx = &r;
	im = open_fn(acc, ts);
	if (pc->all) {
		if (imap_list(im, "*", 0, list_one, &r, &e) < 0) {
			print_err(&e);
			imap_logout(im);
			exit(exit_code(e.code));
		}
	} else {
		for (i = 0; i < (n ? n : 1); i++)
			list_one(&r, &(struct imap_mailbox){ .name = n ?
				args[i] : "INBOX", .raw = "", .attrs = "" },
				NULL);
		for (i = 0; i < r.n; i++)
			r.f[i].delim = -1;
	}
	buf_init(&r.out, 0);
	json_init(&r.j, &r.out);
	if (json)
		json_arr_begin(&r.j);
	status = pull_all(im, &r, &o);
	if (json) {
		json_arr_end(&r.j);
		printf("%s\n", r.out.data);
	}
	for (i = 0; i < r.n; i++)
		free(r.f[i].name);
	free(r.f);
	buf_release(&r.out);
	buf_release(&r.aside);
	free(dir);
	close(lock);
	return status;
}
