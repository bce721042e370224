/*
 * mimap-fetch.c: mimap fetch, to standard output (raw, mboxrd, --json) or
 * into a maildir.
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
#include "store/deliver.h"
#include "store/tolf.h"

/* ---- fetch ---- */

/* Where fetched messages go: stdout (raw or mboxrd) or a maildir, through
 * deliver.h (durable maildir delivery, the mboxrd writer). */
struct fetch_out {
	struct deliver *d;
	int tty;		/* progress on stderr */
	struct tolf tolf;	/* CRLF to LF */
	struct buf lf;
	unsigned long n;	/* messages done */
};

static int
f_begin(void *ctx, const struct imap_resp *r, size_t item,
	unsigned long long size, struct err *e)
{
	struct fetch_out *f = ctx;
	size_t u = imap_fetch_item(r, "UID");
	size_t fl = imap_fetch_item(r, "FLAGS");
	char uid[32] = "", info[8];

	(void)item;
	(void)size;
	if (u)
		imap_tok_copy(r, u, uid, sizeof uid);
	tolf_init(&f->tolf);
	if (deliver_begin(f->d, uid, NULL, e) < 0)
		return -1;
	/* maildir: the flags as info, when they came before the body */
	if (fl) {
		imap_maildir_info(r, fl, info);
		deliver_set_info(f->d, info);
	}
	return 1;
}

static int
f_data(void *ctx, const void *d, size_t n, struct err *e)
{
	struct fetch_out *f = ctx;

	buf_reset(&f->lf);
	tolf_add(&f->tolf, d, n, &f->lf);
	return deliver_write(f->d, f->lf.data, f->lf.len, e);
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
	if (f->lf.len && deliver_write(f->d, f->lf.data, f->lf.len, e) < 0)
		return -1;
	if (deliver_end(f->d, e) < 0)
		return -1;
	f->n++;
	progress(f, 0);
	return 0;
}

static void
f_abort(void *ctx)
{
	struct fetch_out *f = ctx;

	deliver_abort(f->d);
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

int
cmd_fetch(struct imap *im, const struct opts *o)
{
	struct buf sets = BUF_INIT;
	struct fetch_out f;
	struct deliver_opts dopts;
	struct imap_sink sink = { NULL, f_begin, f_data, f_end, f_abort };
	struct imap_handler h = { NULL, NULL, NULL, &sink };
	struct fetch_json fj;
	char items[256], section[96];
	struct err e, e2;
	int single, status = EX_OK;
	unsigned long long po = 0, pl = 0;

	if (o->nargs != 3)
		diex(EX_USAGE, "usage: mimap fetch FOLDER UIDS [--headers] "
			"[--partial O:L] [--peek] [--json] [--maildir DIR]");
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
	get_sets(o->args[2], &sets, &single);
	memset(&f, 0, sizeof f);
	buf_init(&f.lf, 0);
	f.tty = isatty(2) && !o->verbose && !o->json;
	sink.ctx = &f;
	memset(&dopts, 0, sizeof dopts);
	if (o->maildir) {
		dopts.kind = DELIVER_MAILDIR;
		dopts.target = o->maildir;
	} else {
		dopts.kind = DELIVER_STREAM;
		dopts.fd = 1;
		dopts.flags = single ? 0 : DELIVER_STREAM_MBOXRD;
	}
	if (!o->json) {
		f.d = deliver_open(&dopts, &e);
		if (!f.d) {
			print_err(&e);
			imap_logout(im);
			buf_release(&sets);
			return exit_code(e.code);
		}
	}
	if (!sets.len)
		goto done;
	if (imap_select(im, o->args[1], o->peek || o->json, &e) < 0)
		goto failed;
	snprintf(section, sizeof section, "BODY%s[%s]", o->peek ? ".PEEK" :
		"", o->headers ? "HEADER" : "");
	if (o->partial)
		snprintf(section + strlen(section), sizeof section -
			strlen(section), "<%llu.%llu>", po, pl);
	if (o->json) {
		buf_init(&fj.out, 0);
		h.ctx = &fj;
		h.untagged = json_untagged;
		h.sink = NULL;
		snprintf(items, sizeof items, "(UID FLAGS RFC822.SIZE "
			"INTERNALDATE ENVELOPE BODYSTRUCTURE)");
		if (imap_fetch(im, sets.data, items, &h, &e) < 0) {
			buf_release(&fj.out);
			goto failed;
		}
		buf_release(&fj.out);
	} else {
		snprintf(items, sizeof items, "(UID %s%s%s)",
			o->maildir ? "FLAGS " : "",
			o->partial || o->headers ? "" : "RFC822.SIZE ",
			section);
		if (imap_fetch(im, sets.data, items, &h, &e) < 0)
			goto failed;
	}
done:
	/* durable (maildir) or flushed (stdout) before success is said */
	if (f.d && deliver_close(f.d, &e) < 0) {
		f.d = NULL;
		goto failed;
	}
	f.d = NULL;
	progress(&f, 1);
	imap_logout(im);
	goto out;
failed:
	if (f.n)
		progress(&f, 1);
	/* what was fetched whole stays, durably */
	deliver_close(f.d, &e2);
	status = fail(im, &e);
out:
	buf_release(&f.lf);
	buf_release(&sets);
	return status;
}

