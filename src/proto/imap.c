/*
 * imap.c: the IMAP client engine; see imap.h.
 *
 * RFC 9051  IMAP4rev2 (and RFC 3501, IMAP4rev1)
 * RFC 2595  STARTTLS in IMAP
 * RFC 4959  SASL-IR
 * RFC 5161  ENABLE
 * RFC 7888  LITERAL+, LITERAL-
 * RFC 3516  BINARY (literal8)
 * RFC 6855  UTF8=ACCEPT
 * RFC 7162  CONDSTORE, QRESYNC
 *
 * Every command pushes its tag onto the queue of replies owed (pp.h's
 * struct pp_queue: a = tag number, b = the verb's index in verbs[]);
 * imap_wait() reads responses, hands each untagged one to the engine and
 * then to the command's handler, and matches each tagged one against the
 * oldest tag owed. Literals in commands are non-synchronizing when the
 * server allows it (LITERAL+, LITERAL- up to 4096 bytes), so a window of
 * commands goes out in one write; otherwise the engine sends what is
 * queued and waits for the "+" before the literal's bytes.
 */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "net/conn.h"
#include "net/connacc.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/imap.h"
#include "proto/imap_utf7.h"
#include "proto/saslx.h"

#define IMAP_MAX_LINE	(1024 * 1024)
#define IMAP_RBUF_CAP	(4u * 1024 * 1024)
#define QUOTED_MAX	1000
#define LITERALMINUS_MAX 4096
#define NO_SECRET	((size_t)-1)

struct imap {
	struct conn *conn;
	struct pp pp;
	struct imap_resp r;
	struct transcript *ts;
	char peer[300];
	unsigned caps, hidden, enabled;
	int caps_fresh;		/* caps came since they were last forgotten */
	char *mechs;		/* AUTH= mechanisms, by spaces */
	unsigned long tagn;
	struct pp_queue q;	/* tags owed */
	struct buf line;	/* the command line being built */
	size_t secret_at;	/* line[secret_at..] is a secret */
	unsigned long cur;	/* tag of the command being built */
	struct imap_folder folder;
	char bye[300];		/* the server's BYE text, or "" */
	int preauth;
	struct saslx_proto sasl;
	unsigned long auth_tag;
	unsigned long idle_tag;	/* IDLE in progress (its tag), or 0 */
	unsigned long sel_tag;	/* SELECT/EXAMINE sent, reply not read */
	char *sel_name;		/* its folder, for its error */
	int sel_readonly;
};

/* Verbs for messages ("host:port: UID MOVE: NO ..."), longest first
 * where one is the prefix of another. */
static const char *const verbs[] = {
	"command", "UID FETCH", "UID STORE", "UID COPY", "UID MOVE",
	"UID EXPUNGE", "UID SEARCH", "AUTHENTICATE", "APPEND", "CAPABILITY",
	"CREATE", "DELETE", "ENABLE", "EXAMINE", "EXPUNGE", "FETCH", "ID",
	"IDLE", "LIST", "LOGIN", "LOGOUT", "LSUB", "NAMESPACE", "NOOP", "NOTIFY",
	"RENAME", "SEARCH", "SELECT", "STARTTLS", "STATUS", "STORE",
	"SUBSCRIBE", "UNSELECT", "UNSUBSCRIBE", "CLOSE", "COPY", "MOVE",
};

/* The verb of ID, whose reply is read with the next command's and whose
 * refusal does not matter (imap_id()). */
static int
is_id(size_t verb)
{
	return verb < sizeof verbs / sizeof verbs[0] &&
		strcmp(verbs[verb], "ID") == 0;
}

static size_t
verb_of(const char *cmd)
{
	size_t i, n;

	for (i = 1; i < ARRAY_SIZE(verbs); i++) {
		n = strlen(verbs[i]);
		if (mem_casecmp(cmd, verbs[i], n) == 0 &&
		    (cmd[n] == ' ' || cmd[n] == '\0'))
			return i;
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} cap_names[] = {
	{ "IMAP4REV1", IMAP_CAP_IMAP4REV1 },
	{ "IMAP4REV2", IMAP_CAP_IMAP4REV2 },
	{ "LITERAL+", IMAP_CAP_LITERALPLUS },
	{ "LITERAL-", IMAP_CAP_LITERALMINUS },
	{ "SASL-IR", IMAP_CAP_SASL_IR },
	{ "ENABLE", IMAP_CAP_ENABLE },
	{ "UTF8=ACCEPT", IMAP_CAP_UTF8_ACCEPT },
	{ "CONDSTORE", IMAP_CAP_CONDSTORE },
	{ "QRESYNC", IMAP_CAP_QRESYNC },
	{ "UIDPLUS", IMAP_CAP_UIDPLUS },
	{ "MOVE", IMAP_CAP_MOVE },
	{ "SPECIAL-USE", IMAP_CAP_SPECIAL_USE },
	{ "LIST-STATUS", IMAP_CAP_LIST_STATUS },
	{ "ESEARCH", IMAP_CAP_ESEARCH },
	{ "IDLE", IMAP_CAP_IDLE },
	{ "ID", IMAP_CAP_ID },
	{ "NAMESPACE", IMAP_CAP_NAMESPACE },
	{ "MULTIAPPEND", IMAP_CAP_MULTIAPPEND },
	{ "STARTTLS", IMAP_CAP_STARTTLS },
	{ "LOGINDISABLED", IMAP_CAP_LOGINDISABLED },
	{ "BINARY", IMAP_CAP_BINARY },
	{ "NOTIFY", IMAP_CAP_NOTIFY },
};

static unsigned
cap_bit(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strlen(cap_names[i].name) == len &&
		    mem_casecmp(s, cap_names[i].name, len) == 0)
			return cap_names[i].bit;
	return 0;
}

static void
parse_caps(struct imap *im, const struct imap_resp *r, size_t from,
	size_t to)
{
	struct buf m = BUF_INIT;
	size_t i, len;

	im->caps = 0;
	for (i = from; i < to; i++) {
		const char *s = imap_tok_str(r, i, &len);

		if (r->tok[i].type != IMAP_TOK_ATOM)
			continue;
		if (len > 5 && mem_casecmp(s, "AUTH=", 5) == 0) {
			if (m.len)
				buf_addch(&m, ' ');
			buf_add(&m, s + 5, len - 5);
			continue;
		}
		im->caps |= cap_bit(s, len);
	}
	free(im->mechs);
	im->mechs = buf_detach(&m, NULL);
	im->caps &= ~im->hidden;
	im->caps_fresh = 1;
}

static void
forget_caps(struct imap *im)
{
	im->caps = 0;
	im->caps_fresh = 0;
	free(im->mechs);
	im->mechs = NULL;
}

/* What the engine itself learns from any untagged response. */
static void
engine_untagged(struct imap *im, const struct imap_resp *r)
{
	struct imap_folder *f = &im->folder;
	char code[32];
	unsigned long long v;
	size_t i, len;

	if (r->status == IMAP_ST_NONE) {
		if (!strcmp(r->name, "CAPABILITY")) {
			parse_caps(im, r, r->data, r->ntok);
		} else if (r->has_num && !strcmp(r->name, "EXISTS")) {
			f->exists = r->num;
		} else if (r->has_num && !strcmp(r->name, "EXPUNGE")) {
			if (f->exists)
				f->exists--;
			f->expunged++;
		} else if (!strcmp(r->name, "VANISHED")) {
			if (!(r->ntok > r->data &&
			    r->tok[r->data].type == IMAP_TOK_LIST))
				f->expunged++;
		} else if (!strcmp(r->name, "ENABLED")) {
			for (i = r->data; i < r->ntok; i++) {
				const char *s = imap_tok_str(r, i, &len);

				im->enabled |= cap_bit(s, len);
			}
		}
		return;
	}
	if (r->status == IMAP_ST_BYE) {
		snprintf(im->bye, sizeof im->bye, "%.*s", (int)r->text_len,
			r->arena.data + r->text_off);
		if (!im->bye[0])
			snprintf(im->bye, sizeof im->bye, "BYE");
	}
	imap_resp_code(r, code, sizeof code);
	if (!code[0])
		return;
	if (!strcmp(code, "CAPABILITY")) {
		parse_caps(im, r, r->code + 1, r->code_end);
		return;
	}
	if (!strcmp(code, "READ-ONLY")) {
		f->readonly = 1;
		return;
	}
	if (!strcmp(code, "READ-WRITE")) {
		f->readonly = 0;
		return;
	}
	if (r->code + 1 >= r->code_end ||
	    imap_tok_num(r, r->code + 1, &v) < 0)
		return;
	if (!strcmp(code, "UIDVALIDITY"))
		f->uidvalidity = v;
	else if (!strcmp(code, "UIDNEXT"))
		f->uidnext = v;
	else if (!strcmp(code, "HIGHESTMODSEQ"))
		f->highestmodseq = v;
}

/* Read one response; a connection cut is ERR_TEMPFAIL, with the BYE
 * text when the server said one. */
static int
read_resp(struct imap *im, const struct imap_sink *sink, struct err *e)
{
	if (imap_resp_read(&im->pp, &im->r, sink, e) == 0)
		return 0;
	if (e && e->code == ERR_IO) {
		if (im->bye[0])
			err_set(e, ERR_TEMPFAIL, "%s: the server closed the "
				"connection: %s", im->peer, im->bye);
		else
			e->code = ERR_TEMPFAIL;
	}
	return -1;
}

/* The text of a tagged or status response as one line. */
static void
resp_line(const struct imap_resp *r, char *out, size_t size)
{
	struct err tmp;
	struct buf b = BUF_INIT;
	size_t i;

	buf_addstr(&b, r->name);
	if (r->code_end > r->code) {
		buf_addstr(&b, " [");
		for (i = r->code; i < r->code_end; i++) {
			size_t len;
			const char *s = imap_tok_str(r, i, &len);

			if (i > r->code)
				buf_addch(&b, ' ');
			if (r->tok[i].type == IMAP_TOK_LIST)
				buf_addstr(&b, "(...)");
			else
				buf_add(&b, s, len);
			if (r->tok[i].type == IMAP_TOK_LIST)
				i = r->tok[i].end - 1;
		}
		buf_addch(&b, ']');
	}
	if (r->text_len) {
		buf_addch(&b, ' ');
		buf_add(&b, r->arena.data + r->text_off, r->text_len);
	}
	err_clear(&tmp);
	err_reply(&tmp, b.data ? b.data : "", b.len);
	snprintf(out, size, "%s", tmp.reply);
	buf_release(&b);
}

/* Fill e from a NO or BAD to the command verbs[verb]. */
static int
refused(struct imap *im, const struct imap_resp *r, size_t verb,
	struct err *e)
{
	char line[400], code[32];
	enum err_code ec = ERR_UNAVAILABLE;

	imap_resp_code(r, code, sizeof code);
	if (!strcmp(code, "UNAVAILABLE") || !strcmp(code, "INUSE") ||
	    !strcmp(code, "LIMIT") || !strcmp(code, "SERVERBUG"))
		ec = ERR_TEMPFAIL;
	resp_line(r, line, sizeof line);
	err_set(e, ec, "%s: %s: %s", im->peer, verbs[verb], line);
	err_reply(e, line, strlen(line));
	return -1;
}

static void
tag_name(char *out, size_t size, unsigned long n)
{
	snprintf(out, size, "A%lu", n);
}

/*
 * A tagged response: it must answer the oldest tag owed. Sets *which to
 * the tag number and *verb to its verb; pops it.
 */
static int
match_tag(struct imap *im, const struct imap_resp *r, unsigned long *which,
	size_t *verb, struct err *e)
{
	char want[24];

	if (im->q.n == 0) {
		err_set(e, ERR_PROTOCOL, "%s: reply to tag %s, which no "
			"command has", im->peer, r->tag);
		return -1;
	}
	tag_name(want, sizeof want, (unsigned long)im->q.v[0].a);
	if (strcmp(r->tag, want) != 0) {
		err_set(e, ERR_PROTOCOL, "%s: reply to tag %s while %s is "
			"owed", im->peer, r->tag, want);
		return -1;
	}
	*which = (unsigned long)im->q.v[0].a;
	*verb = im->q.v[0].b;
	pp_queue_drop(&im->q, 1);
	return 0;
}

/* The reply to the SELECT or EXAMINE sent came: ok or refused. */
static void
selected(struct imap *im, int ok)
{
	if (ok && im->sel_readonly)
		im->folder.readonly = 1;
	im->sel_tag = 0;
	free(im->sel_name);
	im->sel_name = NULL;
}

int
imap_wait(struct imap *im, unsigned long tag,
	const struct imap_handler *h, struct err *e)
{
	struct err herr;
	int failed = 0;

	err_clear(&herr);
	for (;;) {
		struct imap_resp *r = &im->r;
		unsigned long which;
		size_t verb;

		if (read_resp(im, h ? h->sink : NULL, e) < 0)
			return -1;
		if (r->kind == IMAP_CONTINUE)
			return err_set(e, ERR_PROTOCOL, "%s: continuation "
				"request when none was asked for", im->peer);
		if (r->kind == IMAP_UNTAGGED) {
			engine_untagged(im, r);
			if (r->status == IMAP_ST_PREAUTH)
				return err_set(e, ERR_PROTOCOL, "%s: PREAUTH "
					"after the greeting", im->peer);
			if (!failed && h && h->untagged &&
			    h->untagged(h->ctx, r, &herr) < 0)
				failed = 1;
			continue;
		}
		if (match_tag(im, r, &which, &verb, e) < 0)
			return -1;
		engine_untagged(im, r);
		if (which == tag && !failed && h && h->tagged &&
		    h->tagged(h->ctx, r, &herr) < 0)
			failed = 1;
		if (r->status != IMAP_ST_OK && !failed &&
		    !(which != tag && is_id(verb))) {
			refused(im, r, verb, &herr);
			if (which == im->sel_tag && which != tag)
				err_prefix(&herr, "folder \"%s\"",
					im->sel_name);
			failed = 1;
		}
		if (which == im->sel_tag)
			selected(im, r->status == IMAP_ST_OK);
		if (which != tag)
			continue;
		if (failed) {
			if (e)
				*e = herr;
			return -1;
		}
		return 0;
	}
}

size_t
imap_outstanding(const struct imap *im)
{
	return im->q.n;
}

/* ---- building commands ---- */

void
imap_cmd_begin(struct imap *im, const char *fmt, ...)
{
	va_list ap;
	char tag[24];
	size_t at;

	im->cur = ++im->tagn;
	tag_name(tag, sizeof tag, im->cur);
	buf_reset(&im->line);
	im->secret_at = NO_SECRET;
	buf_addf(&im->line, "%s ", tag);
	at = im->line.len;
	va_start(ap, fmt);
	buf_vaddf(&im->line, fmt, ap);
	va_end(ap);
	pp_queue_push(&im->q, 0, im->cur, verb_of(im->line.data + at));
}

void
imap_cmd_add(struct imap *im, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&im->line, fmt, ap);
	va_end(ap);
}

/* Queue the line built so far (CRLF added), the secret part redacted. */
static int
send_line(struct imap *im, struct err *e)
{
	int r;

	if (im->secret_at == NO_SECRET) {
		r = pp_cmd(&im->pp, e, "%s", im->line.data);
	} else {
		char *pub = xmemdup(im->line.data, im->secret_at);

		r = pp_cmd_secret(&im->pp, pub, im->line.data + im->secret_at,
			e);
		free(pub);
		secure_wipe(im->line.data, im->line.len);
	}
	buf_reset(&im->line);
	im->secret_at = NO_SECRET;
	return r;
}

/*
 * Read replies up to the server's "+" (0) or a tagged reply (1: im->r,
 * *which and *verb say whose), untagged ones given to the engine and to
 * h->untagged (h may be NULL). -1 on a read error or a tag not owed.
 */
static int
read_to_continue(struct imap *im, const struct imap_handler *h,
	unsigned long *which, size_t *verb, struct err *e)
{
	struct imap_resp *r = &im->r;

	for (;;) {
		if (read_resp(im, NULL, e) < 0)
			return -1;
		if (r->kind == IMAP_CONTINUE)
			return 0;
		if (r->kind != IMAP_UNTAGGED)
			break;
		engine_untagged(im, r);
		if (h && h->untagged && h->untagged(h->ctx, r, e) < 0)
			return -1;
	}
	return match_tag(im, r, which, verb, e) < 0 ? -1 : 1;
}

/* After a synchronizing literal's announcement: the server's "+", or the
 * command's refusal. */
static int
await_continue(struct imap *im, struct err *e)
{
	for (;;) {
		struct imap_resp *r = &im->r;
		unsigned long which;
		size_t verb;
		int rc = read_to_continue(im, NULL, &which, &verb, e);

		if (rc <= 0)
			return rc;
		engine_untagged(im, r);
		if (which != im->cur && is_id(verb))
			continue;	/* imap_id(): its reply does not matter */
		if (which != im->cur)
			return err_set(e, ERR_PROTOCOL, "%s: reply to an "
				"earlier command while a literal waits",
				im->peer);
		if (r->status == IMAP_ST_OK)
			return err_set(e, ERR_PROTOCOL, "%s: OK before the "
				"literal was sent", im->peer);
		return refused(im, r, verb, e);
	}
}

int
imap_cmd_literal(struct imap *im, unsigned long long n, int binary,
	struct err *e)
{
	int nonsync = (im->caps & IMAP_CAP_LITERALPLUS) ||
		((im->caps & IMAP_CAP_LITERALMINUS) && n <= LITERALMINUS_MAX);

	buf_addf(&im->line, " %s{%llu%s}", binary ? "~" : "", n,
		nonsync ? "+" : "");
	if (send_line(im, e) < 0)
		return -1;
	if (nonsync)
		return 0;
	if (im->q.n > 1 && !(im->q.n == 2 && is_id(im->q.v[0].b)))
		return err_set(e, ERR_SOFTWARE, "%s: synchronizing literal "
			"with commands still owed", im->peer);
	if (pp_flush(&im->pp, e) < 0)
		return -1;
	return await_continue(im, e);
}

int
imap_cmd_data(struct imap *im, const void *d, size_t n, struct err *e)
{
	return pp_write_data_part(&im->pp, d, n, e);
}

void
imap_cmd_data_end(struct imap *im)
{
	pp_write_data_end(&im->pp);
}

static int
is_atom_char(unsigned char c)
{
	return c > ' ' && c < 127 && !strchr("(){%*\"\\]", c);
}

/* s as an astring; secret: the part after the space is redacted. */
static int
add_astring(struct imap *im, const char *s, size_t len, int secret,
	struct err *e)
{
	size_t i;
	int atom = len > 0, quotable = len <= QUOTED_MAX;
	int utf8 = !!(im->enabled & IMAP_CAP_UTF8_ACCEPT);

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_atom_char(c))
			atom = 0;
		if (c == '\r' || c == '\n' || c == '\0' ||
		    (c >= 0x80 && !utf8) || c == 0x7f || (c < ' ' && c != '\t'))
			quotable = 0;
	}
	buf_addch(&im->line, ' ');
	if (secret && im->secret_at == NO_SECRET)
		im->secret_at = im->line.len;
	if (atom) {
		buf_add(&im->line, s, len);
		return 0;
	}
	if (quotable) {
		buf_addch(&im->line, '"');
		for (i = 0; i < len; i++) {
			if (s[i] == '"' || s[i] == '\\')
				buf_addch(&im->line, '\\');
			buf_addch(&im->line, s[i]);
		}
		buf_addch(&im->line, '"');
		return 0;
	}
	/* the space is already there: the literal announcement follows */
	buf_truncate(&im->line, im->line.len - 1);
	if (im->secret_at > im->line.len)
		im->secret_at = NO_SECRET;
	if (imap_cmd_literal(im, len, 0, e) < 0)
		return -1;
	if (pp_write_data(&im->pp, s, len, e) < 0)
		return -1;
	return 0;
}

int
imap_cmd_astring(struct imap *im, const char *s, size_t len, struct err *e)
{
	return add_astring(im, s, len, 0, e);
}

int
imap_cmd_mailbox(struct imap *im, const char *name, struct err *e)
{
	struct buf b = BUF_INIT;
	size_t len = strlen(name);
	int r;

	if (len == 5 && mem_casecmp(name, "INBOX", 5) == 0)
		return add_astring(im, "INBOX", 5, 0, e);
	if (im->enabled & IMAP_CAP_UTF8_ACCEPT)
		return add_astring(im, name, len, 0, e);
	if (imap_utf7_encode(name, len, &b) < 0)
		return err_set(e, ERR_USAGE, "folder name \"%s\" is not "
			"valid UTF-8", name);
	r = add_astring(im, b.data ? b.data : "", b.len, 0, e);
	buf_release(&b);
	return r;
}

unsigned long
imap_cmd_end(struct imap *im, struct err *e)
{
	if (send_line(im, e) < 0)
		return 0;
	return im->cur;
}

int
imap_flush(struct imap *im, struct err *e)
{
	return pp_flush(&im->pp, e);
}

int
imap_simple(struct imap *im, const struct imap_handler *h, struct err *e,
	const char *fmt, ...)
{
	va_list ap;
	unsigned long tag;
	struct buf b = BUF_INIT;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	imap_cmd_begin(im, "%s", b.data);
	buf_release(&b);
	tag = imap_cmd_end(im, e);
	if (!tag || imap_flush(im, e) < 0)
		return -1;
	return imap_wait(im, tag, h, e);
}

/* ---- session ---- */

static int
capability(struct imap *im, struct err *e)
{
	if (imap_simple(im, NULL, e, "CAPABILITY") < 0)
		return -1;
	if (!im->caps_fresh)
		return err_set(e, ERR_PROTOCOL, "%s: no CAPABILITY in the "
			"reply to CAPABILITY", im->peer);
	return 0;
}

static int
starttls(struct imap *im, struct err *e)
{
	unsigned long which;
	size_t verb;

	if (im->preauth)
		return err_set(e, ERR_UNAVAILABLE, "%s: the server greeted "
			"with PREAUTH on a plaintext connection, but the "
			"account requires TLS (tls on, tls_starttls on): "
			"refused (possible STARTTLS stripping)", im->peer);
	if (!(im->caps & IMAP_CAP_STARTTLS))
		return err_set(e, ERR_UNAVAILABLE, "%s: the server does not "
			"offer STARTTLS, which the account requires (tls on, "
			"tls_starttls on); nothing was sent", im->peer);
	imap_cmd_begin(im, "STARTTLS");
	if (!imap_cmd_end(im, e) || imap_flush(im, e) < 0 ||
	    read_resp(im, NULL, e) < 0)
		return -1;
	if (im->r.kind != IMAP_TAGGED)
		return err_set(e, ERR_PROTOCOL, "%s: response before the "
			"reply to STARTTLS (possible injection)", im->peer);
	if (match_tag(im, &im->r, &which, &verb, e) < 0)
		return -1;
	if (im->r.status != IMAP_ST_OK) {
		refused(im, &im->r, verb, e);
		e->code = ERR_UNAVAILABLE;
		err_prefix(e, "STARTTLS required by the account; nothing "
			"was sent");
		return -1;
	}
	if (pp_pending(&im->pp))
		return err_set(e, ERR_PROTOCOL, "%s: bytes received before "
			"TLS started (possible injection)", im->peer);
	if (pp_starttls(&im->pp, e) < 0)
		return -1;
	/* RFC 9051 6.2.1: forget what was learnt before TLS */
	forget_caps(im);
	return capability(im, e);
}

/* IMAP to the SASL exchange driver (RFC 9051 6.2.2, RFC 4959). */
static void
auth_command(void *ctx, const char *mech, struct buf *out)
{
	struct imap *im = ctx;
	char tag[24];

	im->auth_tag = ++im->tagn;
	tag_name(tag, sizeof tag, im->auth_tag);
	pp_queue_push(&im->q, 0, im->auth_tag, verb_of("AUTHENTICATE"));
	buf_addf(out, "%s AUTHENTICATE %s", tag, mech);
}

static int
auth_reply(void *ctx, enum saslx_verdict *v, const char **text,
	size_t *len, struct err *e)
{
	struct imap *im = ctx;
	unsigned long which;
	size_t verb;

	for (;;) {
		if (read_resp(im, NULL, e) < 0)
			return -1;
		if (im->r.kind == IMAP_CONTINUE) {
			*v = SASLX_CONTINUE;
			*text = im->r.arena.data + im->r.text_off;
			*len = im->r.text_len;
			return 0;
		}
		engine_untagged(im, &im->r);
		if (im->r.kind == IMAP_UNTAGGED)
			continue;
		if (match_tag(im, &im->r, &which, &verb, e) < 0)
			return -1;
		*v = im->r.status == IMAP_ST_OK ? SASLX_SUCCESS :
			SASLX_FAILURE;
		*text = "";
		*len = 0;
		return 0;
	}
}

static void
auth_failed(void *ctx, const char *what, struct err *e)
{
	struct imap *im = ctx;
	char line[400], code[32];

	imap_resp_code(&im->r, code, sizeof code);
	resp_line(&im->r, line, sizeof line);
	err_set(e, !strcmp(code, "UNAVAILABLE") ? ERR_TEMPFAIL : ERR_NOPERM,
		"%s: %s: %s", im->peer, what, line);
	err_reply(e, line, strlen(line));
}

static int
login(struct imap *im, const struct account *acc, const char *password,
	struct err *e)
{
	unsigned long tag;

	if (!acc->user || !*acc->user)
		return err_set(e, ERR_CONFIG, "%s: no user to log in as: set "
			"user in the account or use --user", im->peer);
	if (im->mechs && *im->mechs) {
		struct saslx_login in;

		memset(&in, 0, sizeof in);
		in.offered = im->mechs;
		in.wanted = acc->auth_method;
		in.user = acc->user;
		in.password = password;
		in.host = acc->host;
		in.port = (unsigned)acc->port;
		in.allow_plaintext = acc->allow_plaintext_auth;
		im->sasl.can_ir = !!(im->caps & IMAP_CAP_SASL_IR);
		return saslx_run(&im->sasl, im, &im->pp, &in, NULL, e);
	}
	if (im->caps & IMAP_CAP_LOGINDISABLED)
		return err_set(e, ERR_UNAVAILABLE, "%s: the server refuses "
			"to log in here (LOGINDISABLED) and offers no "
			"mechanism", im->peer);
	if (acc->auth_method && mem_casecmp(acc->auth_method, "LOGIN", 6) &&
	    mem_casecmp(acc->auth_method, "PLAIN", 6))
		return err_set(e, ERR_UNAVAILABLE, "%s: the server offers no "
			"%s, which the account asks for", im->peer,
			acc->auth_method);
	if (!conn_is_tls(im->conn) && !acc->allow_plaintext_auth)
		return err_set(e, ERR_NOPERM, "%s: refusing to send the "
			"password over an unencrypted connection (set "
			"allow_plaintext_auth on to allow it)", im->peer);
	imap_cmd_begin(im, "LOGIN");
	if (add_astring(im, acc->user, strlen(acc->user), 0, e) < 0 ||
	    add_astring(im, password ? password : "",
		password ? strlen(password) : 0, 1, e) < 0)
		return -1;
	tag = imap_cmd_end(im, e);
	if (!tag || imap_flush(im, e) < 0)
		return -1;
	if (imap_wait(im, tag, NULL, e) < 0) {
		if (e->code == ERR_UNAVAILABLE)
			e->code = ERR_NOPERM;
		err_prefix(e, "user \"%s\"", acc->user);
		return -1;
	}
	return 0;
}

struct imap *
imap_open(const struct account *acc, const char *password, unsigned flags,
	struct transcript *ts, struct err *err)
{
	struct conn_opts o;
	struct conn *c;
	enum conn_mode mode;

	if (!acc->host || !*acc->host) {
		err_set(err, ERR_CONFIG, "no host: set host (or imap_host) in "
			"the account or use --host");
		return NULL;
	}
	mode = connacc_opts(&o, acc, CONNACC_IMAP, ts);
	o.rbuf_cap = IMAP_RBUF_CAP;
	c = conn_open(&o, mode, err);
	if (!c)
		return NULL;
	return imap_start(c, acc, password, flags, err);
}

struct imap *
imap_start(struct conn *c, const struct account *acc, const char *password,
	unsigned flags, struct err *err)
{
	struct imap *im = xcalloc(1, sizeof(*im));
	struct imap_resp *r = &im->r;

	im->conn = c;
	im->ts = conn_transcript(c);
	snprintf(im->peer, sizeof im->peer, "%s", conn_peer(c));
	imap_resp_init(r);
	buf_init(&im->line, 0);
	im->secret_at = NO_SECRET;
	pp_init(&im->pp, c);
	im->pp.max_line = IMAP_MAX_LINE;
	im->sasl.service = "imap";
	im->sasl.verb = "AUTHENTICATE";
	im->sasl.empty_ir = "=";
	im->sasl.cancel = "*";
	im->sasl.command = auth_command;
	im->sasl.reply = auth_reply;
	im->sasl.failed = auth_failed;

	if (read_resp(im, NULL, err) < 0)
		goto fail;
	if (r->kind != IMAP_UNTAGGED || (r->status != IMAP_ST_OK &&
	    r->status != IMAP_ST_PREAUTH && r->status != IMAP_ST_BYE)) {
		err_set(err, ERR_PROTOCOL, "%s: not an IMAP greeting",
			im->peer);
		err_reply(err, r->arena.data ? r->arena.data : "", 0);
		goto fail;
	}
	engine_untagged(im, r);
	if (r->status == IMAP_ST_BYE) {
		char code[32];

		imap_resp_code(r, code, sizeof code);
		err_set(err, !strcmp(code, "UNAVAILABLE") ? ERR_TEMPFAIL :
			ERR_UNAVAILABLE, "%s: the server refuses the "
			"connection: %s", im->peer, im->bye);
		goto fail;
	}
	im->preauth = r->status == IMAP_ST_PREAUTH;
	if (!im->caps_fresh && capability(im, err) < 0)
		goto fail;
	if (acc->tls && acc->tls_starttls && !conn_is_tls(c) &&
	    starttls(im, err) < 0)
		goto fail;
	if (acc->auth && !im->preauth && !(flags & IMAP_NO_AUTH)) {
		im->caps_fresh = 0;
		if (login(im, acc, password, err) < 0) {
			if (err->code != ERR_PROTOCOL &&
			    err->code != ERR_TEMPFAIL) {
				imap_logout(im);
				return NULL;
			}
			goto fail;
		}
		if (!im->caps_fresh && capability(im, err) < 0)
			goto fail;
	}
	return im;
fail:
	imap_free(im);
	return NULL;
}

void
imap_free(struct imap *im)
{
	if (!im)
		return;
	conn_close(im->conn);
	pp_release(&im->pp);
	imap_resp_release(&im->r);
	pp_queue_release(&im->q);
	buf_release(&im->line);
	free(im->mechs);
	free(im->sel_name);
	free(im);
}

void
imap_logout(struct imap *im)
{
	struct err e;
	unsigned long tag;

	if (!im)
		return;
	conn_set_timeout(im->conn, 5);
	if (im->idle_tag && imap_idle_done(im, NULL, &e) < 0) {
		imap_free(im);
		return;
	}
	im->q.n = 0;
	imap_cmd_begin(im, "LOGOUT");
	tag = imap_cmd_end(im, &e);
	conn_set_timeout(im->conn, 5);
	if (tag && imap_flush(im, &e) == 0)
		imap_wait(im, tag, NULL, &e);
	imap_free(im);
}

unsigned
imap_caps(const struct imap *im)
{
	return im->caps & ~im->hidden;
}

const char *
imap_peer(const struct imap *im)
{
	return im->peer;
}

const struct imap_folder *
imap_folder(const struct imap *im)
{
	return &im->folder;
}

void
imap_caps_hide(struct imap *im, unsigned mask)
{
	im->hidden |= mask;
	im->caps &= ~mask;
}

void
imap_set_max_literal(struct imap *im, unsigned long long n)
{
	im->r.max_literal = n;
}

unsigned
imap_enabled(const struct imap *im)
{
	return im->enabled;
}

struct conn *
imap_conn(struct imap *im)
{
	return im->conn;
}

int
imap_enable(struct imap *im, const char *what, struct err *e)
{
	struct buf b = BUF_INIT;
	const char *p = what;
	int r = 0;

	if (!(im->caps & IMAP_CAP_ENABLE))
		return 0;
	while (*p) {
		size_t n = strcspn(p, " ");
		unsigned bit = cap_bit(p, n);

		if (bit && (im->caps & bit)) {
			buf_addch(&b, ' ');
			buf_add(&b, p, n);
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	if (b.len)
		r = imap_simple(im, NULL, e, "ENABLE%s", b.data);
	buf_release(&b);
	return r;
}

int
imap_select_send(struct imap *im, const char *name, int readonly,
	struct err *e)
{
	unsigned long tag;

	memset(&im->folder, 0, sizeof im->folder);
	imap_cmd_begin(im, "%s", readonly ? "EXAMINE" : "SELECT");
	if (imap_cmd_mailbox(im, name, e) < 0)
		return -1;
	if ((im->caps & IMAP_CAP_CONDSTORE) &&
	    !(im->enabled & (IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC)))
		imap_cmd_add(im, " (CONDSTORE)");
	if (!(tag = imap_cmd_end(im, e)))
		return -1;
	free(im->sel_name);
	im->sel_name = xstrdup(name);
	im->sel_tag = tag;
	im->sel_readonly = readonly;
	return 0;
}

int
imap_select(struct imap *im, const char *name, int readonly,
	struct err *e)
{
	unsigned long tag;

	if (imap_select_send(im, name, readonly, e) < 0)
		return -1;
	tag = im->sel_tag;
	if (imap_flush(im, e) < 0 || imap_wait(im, tag, NULL, e) < 0) {
		err_prefix(e, "folder \"%s\"", name);
		return -1;
	}
	return 0;
}

/* ---- IDLE (RFC 2177) ---- */

int
imap_idle_start(struct imap *im, const struct imap_handler *h,
	struct err *e)
{
	unsigned long which;
	size_t verb;
	int rc;

	imap_cmd_begin(im, "IDLE");
	im->idle_tag = imap_cmd_end(im, e);
	if (!im->idle_tag || imap_flush(im, e) < 0)
		return -1;
	rc = read_to_continue(im, h, &which, &verb, e);
	if (rc <= 0)
		return rc;
	im->idle_tag = 0;
	if (im->r.status == IMAP_ST_OK)
		return err_set(e, ERR_PROTOCOL, "%s: IDLE ended before it "
			"started", im->peer);
	return refused(im, &im->r, verb, e);
}

int
imap_idle_read(struct imap *im, const struct imap_handler *h,
	struct err *e)
{
	struct imap_resp *r = &im->r;
	unsigned long which;
	size_t verb;

	if (read_resp(im, NULL, e) < 0)
		return -1;
	if (r->kind == IMAP_CONTINUE)
		return err_set(e, ERR_PROTOCOL, "%s: continuation request "
			"while idling", im->peer);
	if (r->kind == IMAP_UNTAGGED) {
		engine_untagged(im, r);
		if (r->status == IMAP_ST_BYE)
			return 0;	/* the close that follows says it */
		if (h && h->untagged)
			return h->untagged(h->ctx, r, e);
		return 0;
	}
	if (match_tag(im, r, &which, &verb, e) < 0)
		return -1;
	im->idle_tag = 0;
	if (r->status != IMAP_ST_OK)
		return refused(im, r, verb, e);
	return 1;
}

int
imap_idle_done(struct imap *im, const struct imap_handler *h,
	struct err *e)
{
	unsigned long tag = im->idle_tag;

	if (!tag)
		return 0;
	im->idle_tag = 0;
	if (pp_cmd(&im->pp, e, "DONE") < 0 || imap_flush(im, e) < 0)
		return -1;
	return imap_wait(im, tag, h, e);
}

int
imap_idling(const struct imap *im)
{
	return im->idle_tag != 0;
}

int
imap_ready(struct imap *im, int ms, struct err *e)
{
	return pp_wait(&im->pp, ms, e);
}
