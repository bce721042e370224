/*
 * mimap-fetch.c: mimap fetch, to standard output (raw, mboxrd, --json) or
 * into a maildir.
 *
 * --maildir writes through mdirsync.h, as mimap pull does: each file's
 * name holds the folder's UIDVALIDITY and the message's UID, so the
 * maildir itself records what it holds, with no journal beside it that a
 * crash could leave behind its renames. A kill -9 at any moment leaves
 * each message either whole and synced in cur/ or new/, or only in tmp/
 * (removed by the next run); the next run fetches only the UIDs the
 * maildir lacks and gives those it holds the server's flags. Flags that
 * come after a message's bytes (a FETCH may order its items so) are its
 * flags too: a batch is committed only when the next message begins.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "common.h"
#include "mimap.h"
#include "proto/imap.h"
#include "proto/imap_json.h"
#include "proto/imap_ops.h"
#include "proto/imap_set.h"
#include "store/deliver.h"
#include "store/mdirsync.h"
#include "store/syncstate.h"
#include "store/tolf.h"

/* Messages per durable maildir batch (each holds a descriptor until the
 * batch's fsync). */
#define FETCH_BATCH 500

/* Where fetched messages go: stdout (raw or mboxrd) through deliver.h,
 * or a maildir through mdirsync.h. */
struct fetch_out {
	struct imap *im;
	struct deliver *d;	/* standard output */
	struct mdirsync *m;	/* --maildir */
	int tty;		/* progress on stderr */
	struct tolf tolf;	/* CRLF to LF */
	struct buf lf;
	unsigned long n;	/* messages done */
};

/* The UID of a FETCH response: 0, or -1 when it has none. */
static int
resp_uid(const struct imap_resp *r, unsigned long long *uid)
{
	size_t u = imap_fetch_item(r, "UID");

	return u && imap_tok_num(r, u, uid) == 0 && *uid > 0 &&
		*uid <= 0xffffffffull ? 0 : -1;
}

/* The system flags of a FETCH response as syncstate.h bits (0 without
 * FLAGS). */
static unsigned
resp_flags(const struct imap_resp *r)
{
	size_t fl = imap_fetch_item(r, "FLAGS");
	char info[8];

	if (!fl)
		return 0;
	imap_maildir_info(r, fl, info);
	return syncstate_from_letters(info, strlen(info));
}

/* Maildir: commit a full batch first (the FLAGS that may follow the last
 * message's bytes have come by now), then open the message in tmp/. */
static int
md_begin(struct fetch_out *f, const struct imap_resp *r, struct err *e)
{
	unsigned long long uid;

	if (resp_uid(r, &uid) < 0)
		return err_set(e, ERR_PROTOCOL, "%s: a message without its "
			"UID", imap_peer(f->im));
	if (mdirsync_pending(f->m) >= FETCH_BATCH &&
	    mdirsync_commit(f->m, e) < 0)
		return -1;
	return mdirsync_begin(f->m, uid, resp_flags(r), e);
}

static int
f_begin(void *ctx, const struct imap_resp *r, size_t item,
	unsigned long long size, struct err *e)
{
	struct fetch_out *f = ctx;
	size_t u = imap_fetch_item(r, "UID");
	char uid[32] = "";

	(void)item;
	(void)size;
	tolf_init(&f->tolf);
	if (f->m)
		return md_begin(f, r, e) < 0 ? -1 : 1;
	if (u)
		imap_tok_copy(r, u, uid, sizeof uid);
	return deliver_begin(f->d, uid, NULL, e) < 0 ? -1 : 1;
}

/* f->lf to the message open. */
static int
put(struct fetch_out *f, struct err *e)
{
	if (!f->lf.len)
		return 0;
	if (f->m)
		return mdirsync_write(f->m, f->lf.data, f->lf.len, e);
	return deliver_write(f->d, f->lf.data, f->lf.len, e);
}

static int
f_data(void *ctx, const void *d, size_t n, struct err *e)
{
	struct fetch_out *f = ctx;

	if (!f->m)	/* deliver.h makes the line ends LF itself */
		return deliver_write(f->d, d, n, e);
	buf_reset(&f->lf);
	tolf_add(&f->tolf, d, n, &f->lf);
	return put(f, e);
}

static void
progress(struct fetch_out *f, int done)
{
	if (!f->tty)
		return;
	fprintf(stderr, "\rmimap: %lu message%s", f->n, f->n == 1 ? "" : "s");
	if (done)
		fputc('\n', stderr);
}

static int
f_end(void *ctx, struct err *e)
{
	struct fetch_out *f = ctx;

	buf_reset(&f->lf);
	tolf_end(&f->tolf, &f->lf);
	if (put(f, e) < 0 || (f->m ? mdirsync_end(f->m, e) :
	    deliver_end(f->d, e)) < 0)
		return -1;
	f->n++;
	progress(f, 0);
	return 0;
}

static void
f_abort(void *ctx)
{
	struct fetch_out *f = ctx;

	if (f->m)
		mdirsync_abort(f->m);
	else
		deliver_abort(f->d);
}

/* Maildir: FLAGS sent after a message's bytes are its flags, whether its
 * file is still pending or already in cur/ or new/ (its batch committed;
 * the directories are synced again at the end). */
static int
md_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct fetch_out *f = ctx;
	struct mdirsync_ent *ent;
	unsigned long long uid;
	unsigned flags;

	if (r->status != IMAP_ST_NONE || strcmp(r->name, "FETCH") != 0 ||
	    !imap_fetch_item(r, "FLAGS") || resp_uid(r, &uid) < 0)
		return 0;
	flags = resp_flags(r);
	mdirsync_last_flags(f->m, uid, flags);
	ent = mdirsync_find(f->m, uid);
	if (ent && !ent->gone && ent->flags != flags)
		return mdirsync_set_flags(f->m, ent, flags, e);
	return 0;
}

/* ---- a maildir that holds some of the UIDs already ---- */

struct held {
	struct mdirsync *m;
	struct imap_uids want;	/* UIDs the maildir lacks */
	int moved;		/* files renamed for their flags */
};

static int
held_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct held *h = ctx;
	struct mdirsync_ent *ent;
	unsigned long long uid;
	unsigned flags;

	if (r->status != IMAP_ST_NONE || strcmp(r->name, "FETCH") != 0 ||
	    resp_uid(r, &uid) < 0)
		return 0;
	ent = mdirsync_find(h->m, uid);
	if (!ent || ent->gone) {
		imap_uids_add(&h->want, uid);
		return 0;
	}
	flags = resp_flags(r);
	if (!imap_fetch_item(r, "FLAGS") || ent->flags == flags)
		return 0;
	h->moved = 1;
	return mdirsync_set_flags(h->m, ent, flags, e);
}

/*
 * Maildir: an earlier run (killed or not) may have left some of the UIDs
 * of sets there. Ask for the flags of sets, give the files held the
 * server's flags, and cut sets down to the UIDs the maildir lacks.
 */
static int
md_missing(struct fetch_out *f, struct buf *sets, struct err *e)
{
	struct held hd;
	struct imap_handler h = { NULL, held_untagged, NULL, NULL };
	int rc = -1;

	if (f->m->n == 0)
		return 0;
	memset(&hd, 0, sizeof hd);
	hd.m = f->m;
	h.ctx = &hd;
	if (imap_fetch(f->im, sets->data, "(UID FLAGS)", &h, e) < 0 ||
	    (hd.moved && mdirsync_sync_dirs(f->m, e) < 0))
		goto out;
	buf_reset(sets);
	imap_uids_sets(&hd.want, IMAP_SET_MAX, sets);
	rc = 0;
out:
	imap_uids_release(&hd.want);
	return rc;
}

/* Open the maildir for the selected folder. */
static int
md_open(struct fetch_out *f, struct mdirsync *m, const struct opts *o,
	struct err *e)
{
	unsigned long long uv = imap_folder(f->im)->uidvalidity;

	if (uv == 0)
		return err_set(e, ERR_PROTOCOL, "%s: folder \"%s\": no "
			"UIDVALIDITY", imap_peer(f->im), o->args[1]);
	if (mdirsync_open(m, o->maildir, uv, NULL, e) < 0)
		return -1;
	f->m = m;
	return 0;
}

/* --json: one line per message. */
struct fetch_json {
	struct buf out;
};

static int
json_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct fetch_json *fj = ctx;

	(void)e;
	buf_reset(&fj->out);
	if (imap_fetch_json(r, &fj->out) == 0)
		printf("%s\n", fj->out.data);
	return 0;
}

static int
fetch_json(struct imap *im, const char *sets, struct err *e)
{
	struct fetch_json fj;
	struct imap_handler h = { NULL, json_untagged, NULL, NULL };
	int rc;

	buf_init(&fj.out, 0);
	h.ctx = &fj;
	rc = imap_fetch(im, sets, "(UID FLAGS RFC822.SIZE INTERNALDATE "
		"ENVELOPE BODYSTRUCTURE)", &h, e);
	buf_release(&fj.out);
	return rc;
}

/* The FETCH items of the messages' bytes, from the options, into items
 * (at least 256 bytes). */
static void
body_items(const struct opts *o, char *items, size_t size)
{
	unsigned long long po = 0, pl = 0;
	char section[96];

	if (o->partial) {
		char *end;

		po = strtoull(o->partial, &end, 10);
		if (*end != ':' || !end[1])
			diex(EX_USAGE, "--partial: OFFSET:LENGTH expected, not "
				"\"%s\"", o->partial);
		pl = strtoull(end + 1, &end, 10);
		if (*end || pl == 0)
			diex(EX_USAGE, "--partial: OFFSET:LENGTH expected, not "
				"\"%s\"", o->partial);
	}
	snprintf(section, sizeof section, "BODY%s[%s]", o->peek ? ".PEEK" :
		"", o->headers ? "HEADER" : "");
	if (o->partial)
		snprintf(section + strlen(section), sizeof section -
			strlen(section), "<%llu.%llu>", po, pl);
	snprintf(items, size, "(UID %s%s%s)", o->maildir ? "FLAGS " : "",
		o->partial || o->headers ? "" : "RFC822.SIZE ", section);
}

/* Fetch the messages of sets into f (its maildir opened here). */
static int
fetch_bodies(struct fetch_out *f, struct mdirsync *m, const struct opts *o,
	struct buf *sets, const char *items, struct err *e)
{
	struct imap_sink sink = { NULL, f_begin, f_data, f_end, f_abort };
	struct imap_handler h = { NULL, NULL, NULL, &sink };

	sink.ctx = f;
	if (o->maildir) {
		if (md_open(f, m, o, e) < 0 || md_missing(f, sets, e) < 0)
			return -1;
		h.ctx = f;
		h.untagged = md_untagged;
	}
	if (!sets->len)
		return 0;
	return imap_fetch(f->im, sets->data, items, &h, e);
}

/* Make what was fetched whole durable (maildir) or flushed (stdout). */
static int
finish(struct fetch_out *f, struct err *e)
{
	int rc = 0;

	if (f->m)
		rc = mdirsync_commit(f->m, e);
	else if (f->d && deliver_close(f->d, e) < 0)
		rc = -1;
	f->d = NULL;
	return rc;
}

/* SELECT or EXAMINE the folder. To a stream, the UID FETCH goes out in
 * the same write, a round trip sooner; --maildir needs the UIDVALIDITY
 * first. */
static int
select_folder(struct imap *im, const struct opts *o, struct err *e)
{
	int ro = o->peek || o->json;

	if (o->maildir)
		return imap_select(im, o->args[1], ro, e);
	return imap_select_send(im, o->args[1], ro, e);
}

int
cmd_fetch(struct imap *im, const struct opts *o)
{
	struct buf sets = BUF_INIT;
	struct fetch_out f;
	struct deliver_opts dopts;
	struct mdirsync m;
	char items[256];
	struct err e, e2;
	int single, status = EX_OK;

	if (o->nargs != 3)
		diex(EX_USAGE, "usage: mimap fetch FOLDER UIDS [--headers] "
			"[--partial O:L] [--peek] [--json] [--maildir DIR]");
	body_items(o, items, sizeof items);
	get_sets(o->args[2], &sets, &single);
	memset(&f, 0, sizeof f);
	f.im = im;
	buf_init(&f.lf, 0);
	f.tty = isatty(2) && !o->verbose && !o->json;
	memset(&dopts, 0, sizeof dopts);
	dopts.kind = DELIVER_STREAM;
	dopts.fd = 1;
	/* no fsync of a regular file: "> out.mbox" asks for what cat and
	 * curl give; --maildir is the durable form */
	dopts.flags = DELIVER_IN_CRLF | DELIVER_STREAM_NOSYNC |
		(single ? 0 : DELIVER_STREAM_MBOXRD);
	if (!o->json && !o->maildir && !(f.d = deliver_open(&dopts, &e))) {
		print_err(&e);
		imap_logout(im);
		buf_release(&sets);
		return exit_code(e.code);
	}
	if (sets.len && (select_folder(im, o, &e) < 0 || (o->json ?
	    fetch_json(im, sets.data, &e) : fetch_bodies(&f, &m, o, &sets,
	    items, &e)) < 0))
		goto failed;
	if (finish(&f, &e) < 0)
		goto failed;
	progress(&f, 1);
	imap_logout(im);
	goto out;
failed:
	if (f.n)
		progress(&f, 1);
	/* what was fetched whole stays, durably */
	finish(&f, &e2);
	status = fail(im, &e);
out:
	if (f.m)
		mdirsync_close(f.m);
	buf_release(&f.lf);
	buf_release(&sets);
	return status;
}
