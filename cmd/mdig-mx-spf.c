/*
 * mdig-mx-spf.c: `mdig-mx spf DOMAIN --ip IP`: the result word alone on the
 * first line, then the term that decided in each record on the way (the
 * top record first, then inside the include or redirect that decided), the
 * explanation of a fail, the reason of none/permerror/temperror, and the
 * lookup counts; or one JSON document (schema mdig-mx/1, see mdig-mx(1)).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/json.h"
#include "common.h"
#include "dns/spfeval.h"
#include "mdig-mx-spf.h"

static void
print_text(const struct spf_verdict *v)
{
	printf("%s\n", spf_result_name(v->result));
	for (size_t i = 0; i < v->nsteps; i++) {
		const struct spf_step *s = &v->steps[i];

		if (!s->record) {
			printf("domain: ");
			put_safe(s->domain);
			printf(" (no SPF record used)\n");
			continue;
		}
		printf("mechanism: ");
		put_safe(s->term ? s->term : "none matched (default)");
		printf(" (");
		put_safe(s->domain);
		printf(": ");
		put_safe(s->record);
		printf(")\n");
	}
	if (v->explanation) {
		printf("explanation: ");
		put_safe(v->explanation);
		putchar('\n');
	}
	if (v->why[0]) {
		printf("reason: ");
		put_safe(v->why);
		putchar('\n');
	}
	printf("lookups: %u of 10, void %u of 2\n", v->lookups, v->voids);
}

static void
print_json(const struct spf_verdict *v, const char *domain,
	const struct spf_query *q)
{
	const struct spf_step *last = NULL;
	struct buf out = BUF_INIT;
	struct json j;

	for (size_t i = 0; i < v->nsteps; i++)
		if (v->steps[i].term)
			last = &v->steps[i];
	json_init(&j, &out);
	json_obj_begin(&j);
	json_key(&j, "schema");
	json_cstr(&j, "mdig-mx/1");
	json_key(&j, "check");
	json_cstr(&j, "spf-eval");
	json_key(&j, "domain");
	json_cstr(&j, domain);
	json_key(&j, "ip");
	json_cstr(&j, q->ip);
	json_key(&j, "sender");
	json_cstr(&j, q->sender);
	json_key(&j, "helo");
	json_cstr(&j, q->helo);
	json_key(&j, "result");
	json_cstr(&j, spf_result_name(v->result));
	json_key(&j, "mechanism");
	json_cstr(&j, last ? last->term : NULL);
	json_key(&j, "mechanism_domain");
	json_cstr(&j, last ? last->domain : NULL);
	json_key(&j, "steps");
	json_arr_begin(&j);
	for (size_t i = 0; i < v->nsteps; i++) {
		json_obj_begin(&j);
		json_key(&j, "domain");
		json_cstr(&j, v->steps[i].domain);
		json_key(&j, "record");
		json_cstr(&j, v->steps[i].record);
		json_key(&j, "term");
		json_cstr(&j, v->steps[i].term);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "explanation");
	json_cstr(&j, v->explanation);
	json_key(&j, "reason");
	json_cstr(&j, v->why[0] ? v->why : NULL);
	json_key(&j, "lookups");
	json_int(&j, v->lookups);
	json_key(&j, "void_lookups");
	json_int(&j, v->voids);
	json_obj_end(&j);
	buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
}

int
spf_eval_main(const struct dns_opts *o, const char *domain,
	const struct spf_eval_args *a)
{
	struct spf_query q = {
		.ip = a->ip,
		.domain = domain,
		.sender = a->sender,
		.helo = a->helo,
		.now = (long long)time(NULL),
	};
	struct spf_verdict v = { 0 };
	struct buf sender = BUF_INIT;
	struct dns *d;
	struct err e;
	int status = 0;

	if (!q.sender) {
		buf_addf(&sender, "postmaster@%s", domain);
		q.sender = sender.data;
	}
	err_clear(&e);
	d = dns_new(o, &e);
	if (!d) {
		print_err(&e);
		buf_release(&sender);
		return exit_code(e.code);
	}
	if (spf_check_host(d, &q, &v) < 0) {
		warnx_("--ip: %s", v.why);
		status = EX_USAGE;
		goto out;
	}
	if (a->json)
		print_json(&v, domain, &q);
	else
		print_text(&v);
	if (v.unjudged) {
		warnx_("%s: DNS lookups failing: %s", domain, v.why);
		status = EX_TEMPFAIL;
	}
out:
	spf_verdict_release(&v);
	dns_free(d);
	buf_release(&sender);
	return status;
}
