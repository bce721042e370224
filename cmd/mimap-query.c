/*
 * mimap-query.c: mimap list, status and search.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "common.h"
#include "mimap.h"
#include "proto/imap.h"
#include "proto/imap_ops.h"
#include "proto/imap_set.h"

/* ---- list, status ---- */

static void
json_status(struct json *j, const struct imap_status_info *st)
{
	size_t i;

	json_obj_begin(j);
	for (i = 0; i < IMAP_STATUS_ITEMS; i++)
		if (st->have & (1u << i)) {
			json_key(j, imap_status_name(i));
			json_int(j, (long long)imap_status_value(st, i));
		}
	json_obj_end(j);
}

static void
text_status(const struct imap_status_info *st)
{
	size_t i;

	for (i = 0; i < IMAP_STATUS_ITEMS; i++)
		if (st->have & (1u << i))
			printf(" %s=%llu", imap_status_name(i),
				imap_status_value(st, i));
}

struct list_out {
	const struct opts *o;
	struct json j;
	struct buf out;
	int any;
};

static int
list_one(void *ctx, const struct imap_mailbox *m, struct err *e)
{
	struct list_out *l = ctx;
	const char *a;

	(void)e;
	if (l->o->json) {
		json_obj_begin(&l->j);
		json_key(&l->j, "name");
		json_cstr(&l->j, m->name);
		json_key(&l->j, "delimiter");
		if (m->delim)
			json_str(&l->j, &m->delim, 1);
		else
			json_null(&l->j);
		json_key(&l->j, "attributes");
		json_arr_begin(&l->j);
		for (a = m->attrs; *a; ) {
			size_t n = strcspn(a, " ");

			json_str(&l->j, a, n);
			a += n;
			while (*a == ' ')
				a++;
		}
		json_arr_end(&l->j);
		if (m->has_status) {
			json_key(&l->j, "status");
			json_status(&l->j, &m->st);
		}
		json_obj_end(&l->j);
		return 0;
	}
	fputs(m->name, stdout);
	/* special-use attributes are what a user looks for */
	for (a = m->attrs; *a; ) {
		size_t n = strcspn(a, " ");

		if (n > 1 && a[0] == '\\' && !has_prefix_ci(a, n, "\\Has") &&
		    !has_prefix_ci(a, n, "\\Marked") &&
		    !has_prefix_ci(a, n, "\\Unmarked"))
			printf(" %.*s", (int)n, a);
		a += n;
		while (*a == ' ')
			a++;
	}
	if (m->has_status)
		text_status(&m->st);
	putchar('\n');
	return 0;
}

/* list --namespace: prefix and delimiter, for scripts that build names. */
static int
list_namespace(struct imap *im, const struct opts *o)
{
	struct imap_namespace ns;
	struct buf out = BUF_INIT;
	struct json j;
	struct err e;

	if (imap_namespace(im, &ns, &e) < 0)
		return fail(im, &e);
	if (o->json) {
		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "prefix");
		json_cstr(&j, ns.prefix);
		json_key(&j, "delimiter");
		if (ns.delim)
			json_str(&j, &ns.delim, 1);
		else
			json_null(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else {
		printf("prefix=\"%s\" delimiter=%c\n", ns.prefix,
			ns.delim ? ns.delim : '-');
	}
	buf_release(&out);
	imap_logout(im);
	return EX_OK;
}

int
cmd_list(struct imap *im, const struct opts *o)
{
	struct list_out l;
	struct err e;
	const char *pattern = o->nargs > 1 ? o->args[1] : "*";

	if (o->nargs > 2 || (o->namespace && (o->nargs > 1 || o->status)))
		diex(EX_USAGE, "usage: mimap list [PATTERN] [--status] | "
			"mimap list --namespace");
	if (o->namespace)
		return list_namespace(im, o);
	memset(&l, 0, sizeof l);
	l.o = o;
	buf_init(&l.out, 0);
	json_init(&l.j, &l.out);
	if (o->json)
		json_arr_begin(&l.j);
	if (imap_list(im, pattern, o->status, list_one, &l, &e) < 0) {
		buf_release(&l.out);
		return fail(im, &e);
	}
	if (o->json) {
		json_arr_end(&l.j);
		printf("%s\n", l.out.data);
	}
	buf_release(&l.out);
	imap_logout(im);
	return EX_OK;
}

int
cmd_status(struct imap *im, const struct opts *o)
{
	struct buf out = BUF_INIT;
	struct json j;
	struct err e;
	size_t i;

	if (o->nargs < 2)
		diex(EX_USAGE, "usage: mimap status FOLDER...");
	json_init(&j, &out);
	if (o->json)
		json_arr_begin(&j);
	for (i = 1; i < o->nargs; i++) {
		struct imap_status_info st;

		if (imap_status(im, o->args[i], &st, &e) < 0) {
			buf_release(&out);
			return fail(im, &e);
		}
		if (o->json) {
			json_obj_begin(&j);
			json_key(&j, "name");
			json_cstr(&j, o->args[i]);
			json_key(&j, "status");
			json_status(&j, &st);
			json_obj_end(&j);
		} else {
			fputs(o->args[i], stdout);
			text_status(&st);
			putchar('\n');
		}
	}
	if (o->json) {
		json_arr_end(&j);
		printf("%s\n", out.data);
	}
	buf_release(&out);
	imap_logout(im);
	return EX_OK;
}

/* ---- search ---- */

int
cmd_search(struct imap *im, const struct opts *o)
{
	struct imap_uids u = { NULL, 0, 0 };
	struct buf out = BUF_INIT;
	struct err e;
	size_t i;
	int status;

	if (o->nargs < 3)
		diex(EX_USAGE, "usage: mimap search FOLDER KEY...");
	if (imap_select(im, o->args[1], 1, &e) < 0 ||
	    imap_search(im, o->args + 2, o->nargs - 2, &u, &e) < 0) {
		imap_uids_release(&u);
		return fail(im, &e);
	}
	imap_uids_sets(&u, 0, &out);	/* sorts, drops duplicates */
	if (o->json) {
		struct json j;

		buf_reset(&out);
		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "folder");
		json_cstr(&j, o->args[1]);
		json_key(&j, "uids");
		json_arr_begin(&j);
		for (i = 0; i < u.n; i++)
			json_int(&j, (long long)u.v[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else {
		for (i = 0; i < u.n; i++)
			printf("%llu\n", u.v[i]);
	}
	status = u.n ? EX_OK : EX_NOMATCH;
	buf_release(&out);
	imap_uids_release(&u);
	imap_logout(im);
	return status;
}

