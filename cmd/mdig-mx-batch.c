/*
 * mdig-mx-batch.c: mdig-mx --batch. Many domains on one c-ares channel:
 * up to --parallel reports (BATCH_PARALLEL by default) are asked at once
 * (each a dns_group, so we know when its last answer is in), and their
 * JSON lines come out in input order. A report that finishes early waits
 * in a window of 4 x --parallel slots; when the oldest is slow (a name
 * server that never answers) the window fills and no new domain starts
 * until it is done, so memory stays bounded whatever the input.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "common.h"
#include "mdig-mx.h"

enum result { BATCH_PENDING, BATCH_OK, BATCH_FINDINGS, BATCH_NXDOMAIN,
	BATCH_TEMPFAIL, BATCH_BAD_DOMAIN };

static const char *const result_names[] = { NULL, "ok", "findings",
	"nxdomain", "tempfail", "bad-domain" };

struct slot {
	struct report r;
	struct dns_group g;
	char *domain;
	char *input;		/* the line as read, for a bad domain */
	long line;
	enum result res;
	struct buf out;		/* the JSON line once done */
};

struct batch {
	struct dns *dns;
	const struct report *tmpl;	/* checks, trust_file, timeout_ms */
	struct slot *w;		/* ring of window slots */
	size_t window, parallel;
	size_t head, n;		/* oldest at head, n in use */
	size_t in_flight;
	long done;
	int worst;		/* 0, EXIT_FINDINGS or EX_TEMPFAIL */
	int tty;
	struct timespec last;
};

/* The line without its end and surrounding blanks; NULL: skip it. */
static char *
domain_of(char *line)
{
	char *e;

	while (*line == ' ' || *line == '\t')
		line++;
	e = line + strlen(line);
	while (e > line && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
		e[-1] == '\t'))
		*--e = '\0';
	if (!*line || *line == '#')
		return NULL;
	return line;
}

static void
bad_domain_line(struct slot *s)
{
	struct json j;

	json_init(&j, &s->out);
	json_obj_begin(&j);
	json_key(&j, "schema");
	json_cstr(&j, "mdig-mx/1");
	json_key(&j, "domain");
	json_cstr(&j, s->input);
	json_key(&j, "line");
	json_int(&j, s->line);
	json_key(&j, "result");
	json_cstr(&j, "bad-domain");
	json_key(&j, "error");
	json_cstr(&j, "not a domain name");
	json_obj_end(&j);
	buf_addch(&s->out, '\n');
}

static void
note(struct batch *b, enum result r)
{
	int st = r == BATCH_TEMPFAIL ? EX_TEMPFAIL : r == BATCH_OK ? 0 :
		EXIT_FINDINGS;

	if (st == EX_TEMPFAIL || (st && !b->worst))
		b->worst = st;
}

static void
finish(struct batch *b, struct slot *s)
{
	struct report *r = &s->r;
	struct mxprobe_opts none = { 0 };

	/* the MTA-STS policy fetch, if asked: one at a time (blocking) */
	report_fetch(r, &none);
	report_judge(r);
	if (r->status == DNSMSG_NXDOMAIN)
		s->res = BATCH_NXDOMAIN;
	else if (mx_status_temporary(r->status))
		s->res = BATCH_TEMPFAIL;
	else
		s->res = finding_worst(&r->f, NULL) == FINDING_ERROR ?
			BATCH_FINDINGS : BATCH_OK;
	report_json(r, &s->out, result_names[s->res], s->line);
	report_release(r);
	b->in_flight--;
	note(b, s->res);
}

/* Start the report of one input line in a new slot. */
static void
start(struct batch *b, char *text, long line)
{
	struct slot *s = &b->w[(b->head + b->n++) % b->window];

	memset(s, 0, sizeof *s);
	s->line = line;
	buf_init(&s->out, 0);
	s->domain = report_domain(text);
	if (!s->domain) {
		s->input = xstrdup(text);
		s->res = BATCH_BAD_DOMAIN;
		bad_domain_line(s);
		note(b, s->res);
		return;
	}
	s->r.checks = b->tmpl->checks;
	s->r.trust_file = b->tmpl->trust_file;
	s->r.timeout_ms = b->tmpl->timeout_ms;
	b->in_flight++;
	dns_group_set(b->dns, &s->g);
	report_start(&s->r, b->dns, s->domain);
	dns_group_set(b->dns, NULL);
}

/* Print the finished reports at the head of the window. */
static void
flush_done(struct batch *b)
{
	while (b->n && b->w[b->head].res != BATCH_PENDING) {
		struct slot *s = &b->w[b->head];

		fwrite(s->out.data, 1, s->out.len, stdout);
		buf_release(&s->out);
		free(s->domain);
		free(s->input);
		b->head = (b->head + 1) % b->window;
		b->n--;
		b->done++;
	}
	fflush(stdout);
}

static void
progress(struct batch *b, int last)
{
	struct timespec now;

	if (!b->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && (now.tv_sec - b->last.tv_sec) * 1000 +
		(now.tv_nsec - b->last.tv_nsec) / 1000000 < 200)
		return;
	b->last = now;
	fprintf(stderr, "\rmdig-mx: %ld domains done, %zu in flight%s",
		b->done, b->in_flight, last ? "\n" : "");
}

int
batch_run(struct dns *d, const struct report *tmpl, unsigned parallel,
	FILE *in)
{
	struct batch *b = xcalloc(1, sizeof *b);
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int eof = 0, status;
	struct err e;

	b->dns = d;
	b->tmpl = tmpl;
	b->parallel = parallel ? parallel : BATCH_PARALLEL;
	b->window = 4 * b->parallel;
	b->w = xcalloc(b->window, sizeof *b->w);
	b->tty = isatty(STDERR_FILENO);
	err_clear(&e);
	for (;;) {
		while (!eof && b->in_flight < b->parallel &&
			b->n < b->window) {
			char *text;

			if (getline(&line, &cap, in) < 0) {
				eof = 1;
				break;
			}
			lineno++;
			text = domain_of(line);
			if (text)
				start(b, text, lineno);
		}
		flush_done(b);
		progress(b, 0);
		if (!b->in_flight) {
			if (eof && !b->n)
				break;
			continue;
		}
		if (dns_step(d, &e) < 0)
			break;
		for (size_t i = 0; i < b->n; i++) {
			struct slot *s = &b->w[(b->head + i) % b->window];

			if (s->res == BATCH_PENDING && s->g.pending == 0)
				finish(b, s);
		}
	}
	progress(b, 1);
	free(line);
	if (e.code != ERR_NONE) {
		print_err(&e);
		status = exit_code(e.code);
	} else {
		status = b->worst;
	}
	free(b->w);
	free(b);
	return status;
}
