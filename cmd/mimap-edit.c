/*
 * mimap-edit.c: the commands that change the server: flag, copy, move,
 * expunge, append, and create, delete, rename, subscribe, unsubscribe.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "common.h"
#include "mimap.h"
#include "proto/imap.h"
#include "proto/imap_append.h"
#include "proto/imap_ops.h"
#include "store/msgsrc.h"

/* ---- flag, copy, move, expunge ---- */

/* "seen" -> "\Seen"; keywords as they are. */
static void
add_flag(struct buf *b, const char *f)
{
	static const char *const sys[] = { "Seen", "Answered", "Flagged",
		"Deleted", "Draft" };
	size_t i;
	const char *name = f[0] == '\\' ? f + 1 : f;

	for (i = 0; i < ARRAY_SIZE(sys); i++) {
		if (!strcasecmp(name, sys[i])) {
			buf_addf(b, "%s\\%s", b->len > 1 ? " " : "", sys[i]);
			return;
		}
	}
	if (!*f || f[0] == '\\')
		diex(EX_USAGE, "unknown system flag \"%s\"", f);
	for (i = 0; f[i]; i++)
		if (f[i] <= ' ' || f[i] >= 127 || strchr("(){%*\"\\]", f[i]))
			diex(EX_USAGE, "bad flag \"%s\"", f);
	buf_addf(b, "%s%s", b->len > 1 ? " " : "", f);
}

int
cmd_flag(struct imap *im, const struct opts *o)
{
	struct buf sets = BUF_INIT, plus = BUF_INIT, minus = BUF_INIT;
	struct err e;
	size_t i;
	int single, status = EX_OK;

	if (o->nargs < 4)
		diex(EX_USAGE, "usage: mimap flag FOLDER UIDS +FLAG... "
			"-FLAG...");
	buf_addch(&plus, '(');
	buf_addch(&minus, '(');
	for (i = 3; i < o->nargs; i++) {
		const char *a = o->args[i];

		if (a[0] == '+')
			add_flag(&plus, a + 1);
		else if (a[0] == '-')
			add_flag(&minus, a + 1);
		else
			diex(EX_USAGE, "flag \"%s\": start it with + (add) or "
				"- (remove)", a);
	}
	buf_addch(&plus, ')');
	buf_addch(&minus, ')');
	get_sets(o->args[2], &sets, &single);
	if (sets.len && (imap_select(im, o->args[1], 0, &e) < 0 ||
	    (plus.len > 2 && imap_store(im, sets.data, "+FLAGS.SILENT",
	    plus.data, &e) < 0) ||
	    (minus.len > 2 && imap_store(im, sets.data, "-FLAGS.SILENT",
	    minus.data, &e) < 0)))
		status = fail(im, &e);
	else
		imap_logout(im);
	buf_release(&sets);
	buf_release(&plus);
	buf_release(&minus);
	return status;
}

int
cmd_copy(struct imap *im, const struct opts *o, int move)
{
	struct buf sets = BUF_INIT;
	struct err e;
	int single, status = EX_OK;

	if (o->nargs != 4)
		diex(EX_USAGE, "usage: mimap %s FOLDER UIDS DEST",
			move ? "move" : "copy");
	get_sets(o->args[2], &sets, &single);
	if (sets.len && (imap_select(im, o->args[1], !move, &e) < 0 ||
	    imap_copy(im, sets.data, o->args[3], move, &e) < 0))
		status = fail(im, &e);
	else
		imap_logout(im);
	buf_release(&sets);
	return status;
}

int
cmd_expunge(struct imap *im, const struct opts *o)
{
	struct buf sets = BUF_INIT;
	struct err e;
	int single, status = EX_OK;

	if (o->nargs < 2 || o->nargs > 3)
		diex(EX_USAGE, "usage: mimap expunge FOLDER [UIDS]");
	if (o->nargs == 3) {
		get_sets(o->args[2], &sets, &single);
		if (!sets.len) {
			imap_logout(im);
			return EX_OK;
		}
	}
	if (imap_select(im, o->args[1], 0, &e) < 0 ||
	    (sets.len ? imap_uid_expunge(im, sets.data, &e) :
	    imap_simple(im, NULL, &e, "EXPUNGE")) < 0)
		status = fail(im, &e);
	else
		imap_logout(im);
	buf_release(&sets);
	return status;
}

/* ---- append ---- */

/* Messages from stdin to imap_append.h, which spools and sends them. */
struct append_ctx {
	const struct opts *o;
	struct imap_appender *ap;
	struct err err;
	int failed;
	struct json j;
	struct buf jout;
	int tty;
	size_t reported;
};

static void
report(void *ctx, const struct imap_appended *m)
{
	struct append_ctx *a = ctx;

	a->reported++;
	if (a->o->json) {
		json_obj_begin(&a->j);
		if (m->uid) {
			json_key(&a->j, "uid");
			json_int(&a->j, (long long)m->uid);
			json_key(&a->j, "uidvalidity");
			json_int(&a->j, (long long)m->uidvalidity);
		}
		json_obj_end(&a->j);
	} else if (m->uid) {
		printf("%llu\n", m->uid);
	}
	if (a->tty)
		fprintf(stderr, "\rmimap: %zu appended", a->reported);
}

static void
a_begin(void *ctx, const struct msgsrc_msg *m)
{
	struct append_ctx *a = ctx;

	(void)m;
	if (!a->failed && imap_append_begin(a->ap, &a->err) < 0)
		a->failed = 1;
}

static void
a_data(void *ctx, const void *d, size_t n)
{
	struct append_ctx *a = ctx;

	if (!a->failed && imap_append_data(a->ap, d, n, &a->err) < 0)
		a->failed = 1;
}

static void
a_end(void *ctx, int complete)
{
	struct append_ctx *a = ctx;

	if (!a->failed && complete && imap_append_end(a->ap, &a->err) < 0)
		a->failed = 1;
}

int
cmd_append(struct imap *im, const struct opts *o)
{
	struct append_ctx a;
	struct imap_append_opts ao;
	struct msgsrc src;
	struct msgsrc_sink sink = { NULL, a_begin, a_data, a_end, NULL };
	struct buf fl = BUF_INIT;
	struct err e;
	int status = EX_OK;

	if (o->nargs != 2)
		diex(EX_USAGE, "usage: mimap append FOLDER [--flags F] "
			"[--date D] < message");
	memset(&a, 0, sizeof a);
	a.o = o;
	a.tty = isatty(2) && !o->verbose;
	buf_init(&a.jout, 0);
	json_init(&a.j, &a.jout);
	if (o->flags) {
		const char *p = o->flags;

		buf_addch(&fl, '(');
		while (*p) {
			size_t n = strcspn(p, " ,");
			char *one = xmemdup(p, n);

			if (n)
				add_flag(&fl, one);
			free(one);
			p += n;
			while (*p == ' ' || *p == ',')
				p++;
		}
		buf_addch(&fl, ')');
	}
	if (o->date && (strpbrk(o->date, "\"\\\r\n") || strlen(o->date) > 40))
		diex(EX_USAGE, "--date: bad date \"%s\" (e.g. \"01-Nov-2026 "
			"10:00:00 +0000\")", o->date);
	memset(&ao, 0, sizeof ao);
	ao.folder = o->args[1];
	ao.flags = o->flags ? fl.data : NULL;
	ao.date = o->date;
	ao.fn = report;
	ao.ctx = &a;
	a.ap = imap_append_new(im, &ao, &e);
	if (!a.ap) {
		buf_release(&fl);
		return fail(im, &e);
	}
	if (o->json)
		json_arr_begin(&a.j);
	sink.ctx = &a;
	msgsrc_init(&src, &sink, 0);
	if (msgsrc_read_path(&src, "-", &e) < 0 && !a.failed) {
		a.err = e;
		a.failed = 1;
	}
	msgsrc_release(&src);
	if (!a.failed && imap_append_finish(a.ap, &a.err) < 0)
		a.failed = 1;
	if (a.tty && a.reported)
		fputc('\n', stderr);
	if (o->json) {
		json_arr_end(&a.j);
		printf("%s\n", a.jout.data);
	}
	if (a.failed) {
		size_t done = imap_append_done(a.ap),
			count = imap_append_count(a.ap);

		if (a.err.code == ERR_DATA || a.err.code == ERR_IO ||
		    a.err.code == ERR_NOINPUT) {
			print_err(&a.err);
			if (done < count)
				warnx_("%zu of %zu messages appended", done,
					count);
			status = exit_code(a.err.code);
			if (a.err.code == ERR_DATA &&
			    imap_append_pending(a.ap) == 0)
				imap_logout(im);
			else
				imap_free(im);
		} else {
			status = fail(im, &a.err);
		}
	} else {
		imap_logout(im);
	}
	imap_append_free(a.ap);
	buf_release(&a.jout);
	buf_release(&fl);
	return status;
}

/* ---- folders ---- */

int
cmd_folders(struct imap *im, const struct opts *o, const char *verb)
{
	struct err e;
	size_t i;

	if (o->nargs < 2 || (!strcmp(verb, "RENAME") && o->nargs != 3))
		diex(EX_USAGE, "usage: mimap %s %s", o->args[0],
			strcmp(verb, "RENAME") ? "FOLDER..." : "OLD NEW");
	for (i = 1; i < o->nargs; i++) {
		unsigned long tag;

		imap_cmd_begin(im, "%s", verb);
		if (imap_cmd_mailbox(im, o->args[i], &e) < 0)
			return fail(im, &e);
		if (!strcmp(verb, "RENAME")) {
			if (imap_cmd_mailbox(im, o->args[++i], &e) < 0)
				return fail(im, &e);
		}
		tag = imap_cmd_end(im, &e);
		if (!tag || imap_flush(im, &e) < 0 ||
		    imap_wait(im, tag, NULL, &e) < 0) {
			err_prefix(&e, "folder \"%s\"", o->args[i]);
			return fail(im, &e);
		}
	}
	imap_logout(im);
	return EX_OK;
}

