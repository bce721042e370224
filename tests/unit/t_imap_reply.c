/* t_imap_reply: literal announcements and the IMAP response reader. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/imap_reply.h"
#include "tap.h"

static const struct lit_case {
	const char *line;
	int rc;
	unsigned long long n;
} lit_cases[] = {
	{ "* 1 FETCH (BODY[] {1234}", 1, 1234 },
	{ "A1 APPEND INBOX {5+}", 1, 5 },
	{ "* 1 FETCH (BINARY[] ~{0}", 1, 0 },
	{ "{18446744073709551615}", 1, 18446744073709551615ULL },
	{ "{18446744073709551616}", -1, 0 },
	{ "{123456789012345678901}", -1, 0 },
	{ "* 1 FETCH {}", -1, 0 },
	{ "* OK done", 0, 0 },
	{ "* 1 FETCH (FLAGS (\\Seen))", 0, 0 },
	{ "x {12a}", 0, 0 },
	{ "}", 0, 0 },
	{ "", 0, 0 },
};

static void
test_imap_literal(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lit_cases); i++) {
		unsigned long long n = 0;
		int rc = imap_reply_literal(lit_cases[i].line,
			strlen(lit_cases[i].line), &n);

		tap_ok(rc == lit_cases[i].rc && (rc != 1 ||
			n == lit_cases[i].n), "imap literal '%s': %d %llu",
			lit_cases[i].line, rc, n);
	}
}

/* The tokens of [from, to) as text: atoms bare, strings quoted, lists in
 * parentheses, streamed literals as <S:n>. */
static void
dump(const struct imap_resp *r, size_t from, size_t to, struct buf *out)
{
	size_t i = from;

	while (i < to) {
		const struct imap_tok *t = &r->tok[i];
		size_t len;
		const char *s = imap_tok_str(r, i, &len);

		if (i > from)
			buf_addch(out, ' ');
		switch (t->type) {
		case IMAP_TOK_ATOM:
			buf_add(out, s, len);
			break;
		case IMAP_TOK_STRING:
			buf_addch(out, '"');
			buf_add(out, s, len);
			buf_addch(out, '"');
			break;
		case IMAP_TOK_NIL:
			buf_addstr(out, "NIL");
			break;
		case IMAP_TOK_STREAMED:
			buf_addf(out, "<S:%llu>", t->size);
			break;
		case IMAP_TOK_LIST:
			buf_addch(out, '(');
			dump(r, i + 1, t->end, out);
			buf_addch(out, ')');
			break;
		}
		i = t->end;
	}
}

/* A sink that keeps what it is given, to compare. */
struct keep {
	struct buf got;
	int begun, ended, aborted;
	char uid[32];
};

static int
k_begin(void *ctx, const struct imap_resp *r, size_t item,
	unsigned long long size, struct err *e)
{
	struct keep *k = ctx;
	size_t u = imap_fetch_item(r, "UID");

	(void)item;
	(void)size;
	(void)e;
	k->begun++;
	if (u)
		imap_tok_copy(r, u, k->uid, sizeof k->uid);
	return 1;
}

static int
k_data(void *ctx, const void *d, size_t n, struct err *e)
{
	struct keep *k = ctx;

	(void)e;
	buf_add(&k->got, d, n);
	return 0;
}

static int
k_end(void *ctx, struct err *e)
{
	struct keep *k = ctx;

	(void)e;
	k->ended++;
	return 0;
}

static void
k_abort(void *ctx)
{
	struct keep *k = ctx;

	k->aborted++;
}

static const struct resp_case {
	const char *in;
	int rc;			/* 0 or -1 (then err is ERR_PROTOCOL with why) */
	const char *want;	/* "kind tag name num status code|text|data" */
	const char *streamed;	/* what the sink got, or NULL */
} resp_cases[] = {
	{ "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Dovecot ready.\r\n", 0,
	  "U - OK - 1 [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR]|Dovecot ready.|",
	  NULL },
	{ "A12 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", 0,
	  "T A12 NO - 2 [AUTHENTICATIONFAILED]|Authentication failed.|", NULL },
	{ "a1 ok done\r\n", 0, "T a1 OK - 1 []|done|", NULL },
	{ "+ \r\n", 0, "C - - - 0 []||", NULL },
	{ "+ dGVzdA==\r\n", 0, "C - - - 0 []|dGVzdA==|", NULL },
	{ "+\r\n", 0, "C - - - 0 []||", NULL },
	{ "* 23 EXISTS\r\n", 0, "U - EXISTS 23 0 []||", NULL },
	{ "* 5 expunge\n", 0, "U - EXPUNGE 5 0 []||", NULL },
	{ "* BYE [UNAVAILABLE] going down\r\n", 0,
	  "U - BYE - 4 [UNAVAILABLE]|going down|", NULL },
	{ "* PREAUTH welcome\r\n", 0, "U - PREAUTH - 5 []|welcome|", NULL },
	{ "* OK [PERMANENTFLAGS (\\Answered \\Seen \\*)] Limited\r\n", 0,
	  "U - OK - 1 [PERMANENTFLAGS (\\Answered \\Seen \\*)]|Limited|", NULL },
	{ "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", 0,
	  "U - OK - 1 [UIDVALIDITY 3857529045]|UIDs valid|", NULL },
	{ "A3 OK [APPENDUID 38505 3955] APPEND completed\r\n", 0,
	  "T A3 OK - 1 [APPENDUID 38505 3955]|APPEND completed|", NULL },
	{ "* OK [ALERT]\r\n", 0, "U - OK - 1 [ALERT]||", NULL },
	{ "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n", 0,
	  "U - LIST - 0 []||(\\HasNoChildren \\Sent) \"/\" Sent", NULL },
	{ "* LIST () NIL {7}\r\nfoo bar\r\n", 0,
	  "U - LIST - 0 []||() NIL \"foo bar\"", NULL },
	{ "* LIST () \"/\" \"a \\\"q\\\" \\\\b\"\r\n", 0,
	  "U - LIST - 0 []||() \"/\" \"a \"q\" \\b\"", NULL },
	{ "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n", 0,
	  "U - STATUS - 0 []||blurdybloop (MESSAGES 231 UIDNEXT 44292)",
	  NULL },
	{ "* SEARCH 2 3 6\r\n", 0, "U - SEARCH - 0 []||2 3 6", NULL },
	{ "* SEARCH\r\n", 0, "U - SEARCH - 0 []||", NULL },
	{ "* ESEARCH (TAG \"A1\") UID ALL 1:3,5\r\n", 0,
	  "U - ESEARCH - 0 []||(TAG \"A1\") UID ALL 1:3,5", NULL },
	{ "* VANISHED (EARLIER) 41,43:116\r\n", 0,
	  "U - VANISHED - 0 []||(EARLIER) 41,43:116", NULL },
	{ "* 12 FETCH (FLAGS (\\Seen) UID 7 BODY[] {5}\r\nab\r\nc)\r\n", 0,
	  "U - FETCH 12 0 []||(FLAGS (\\Seen) UID 7 BODY[] <S:5>)",
	  "ab\r\nc" },
	{ "* 1 FETCH (UID 9 RFC822.SIZE 3 BODY[HEADER.FIELDS (FROM TO)]<0>"
	  " {3}\r\nabc FLAGS ())\r\n", 0,
	  "U - FETCH 1 0 []||(UID 9 RFC822.SIZE 3 BODY[HEADER.FIELDS "
	  "(FROM TO)]<0> <S:3> FLAGS ())", "abc" },
	{ "* 1 FETCH (UID 2 BINARY[] ~{2}\r\n\0\1)\r\n", 0,
	  "U - FETCH 1 0 []||(UID 2 BINARY[] <S:2>)", "\0\1" },
	{ "* 1 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
	  "{4}\r\nS\"j) ((\"A\" NIL \"a\" \"x.org\")) NIL NIL NIL NIL NIL "
	  "NIL \"<id>\"))\r\n", 0,
	  "U - FETCH 1 0 []||(ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 "
	  "(PDT)\" \"S\"j)\" ((\"A\" NIL \"a\" \"x.org\")) NIL NIL NIL NIL NIL "
	  "NIL \"<id>\"))", NULL },
	{ "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" "
	  "\"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" "
	  "(\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<9@x>\" "
	  "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n", 0,
	  "U - FETCH 1 0 []||(BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" "
	  "\"US-ASCII\") NIL NIL \"7BIT\" 1152 23) (\"TEXT\" \"PLAIN\" "
	  "(\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<9@x>\" "
	  "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))", NULL },
	/* errors */
	{ "* 1 FETCH (FLAGS (\\Seen)\r\n", -1, "unbalanced parentheses", NULL },
	{ "* 1 FETCH (FLAGS \\Seen))\r\n", -1, "unbalanced parentheses", NULL },
	{ "* OK [ALERT text\r\n", -1, "unterminated response code", NULL },
	{ "* LIST () \"/\" \"abc\r\n", -1, "unterminated quoted string", NULL },
	{ "* 1 FETCH (BODY[ {3}\r\nabc)\r\n", -1, "unbalanced brackets", NULL },
	{ "* 1 FETCH (BODY[] {5} x)\r\n", -1, "bad literal announcement",
	  NULL },
	{ "* 1 FETCH (UID 1 RFC822.SIZE 4 BODY[] {10}\r\n0123456789)\r\n", -1,
	  "larger than the message", NULL },
	{ "* 1 FETCH (UID 1 RFC822.SIZE 12 BODY[] {10}\r\n0123456789)\r\n",
	  -1, "for a message of 12", NULL },
	{ "* 1 FETCH (UID 1 BODY[] {4294967296}\r\n", -1, "over the limit",
	  NULL },
	{ "* LIST () \"/\" {4294967296}\r\n", -1, "too large", NULL },
	{ "A1 FOO bar\r\n", -1, "not OK, NO or BAD", NULL },
	{ "(A1 OK bar\r\n", -1, "bad tag", NULL },
	{ "* LIST ((((((((((((((((((((((((((((((((((x\r\n", -1, "nested too deeply",
	  NULL },
	{ "* 1 FETCH (UID 1 BODY[] {10}\r\n0123", -1, "connection closed",
	  NULL },
};

static void
describe(const struct imap_resp *r, struct buf *out)
{
	char code[64];

	buf_addf(out, "%c %s %s ", r->kind == IMAP_UNTAGGED ? 'U' :
		r->kind == IMAP_TAGGED ? 'T' : 'C', r->tag[0] ? r->tag : "-",
		r->name[0] ? r->name : "-");
	if (r->has_num)
		buf_addf(out, "%llu ", r->num);
	else
		buf_addstr(out, "- ");
	buf_addf(out, "%d [", (int)r->status);
	dump(r, r->code, r->code_end, out);
	buf_addstr(out, "]|");
	buf_add(out, r->arena.data + r->text_off, r->text_len);
	buf_addch(out, '|');
	if (r->status == IMAP_ST_NONE && r->kind == IMAP_UNTAGGED)
		dump(r, r->data, r->ntok, out);
	imap_resp_code(r, code, sizeof code);
	(void)code;
}

static void
test_resp(size_t step)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resp_cases); i++) {
		const struct resp_case *c = &resp_cases[i];
		struct imap_sink sink = { NULL, k_begin, k_data, k_end,
			k_abort };
		struct keep k;
		struct buf out = BUF_INIT, desc = BUF_INIT;
		struct imap_resp r;
		struct pp p;
		struct err e;
		size_t inlen = strlen(c->in);
		int rc;

		/* the binary case holds NULs */
		if (strstr(c->in, "~{2}"))
			inlen += 5;
		memset(&k, 0, sizeof k);
		buf_init(&k.got, 0);
		sink.ctx = &k;
		err_clear(&e);
		pp_init_mem(&p, c->in, inlen, &out, NULL);
		p.mem_step = step;
		imap_resp_init(&r);
		rc = imap_resp_read(&p, &r, &sink, &e);
		if (c->rc == 0) {
			describe(&r, &desc);
			tap_ok(rc == 0 && strcmp(desc.data, c->want) == 0 &&
				(!c->streamed || (k.ended == 1 &&
				k.got.len == (strstr(c->in, "~{2}") ? 2 :
				strlen(c->streamed)) && memcmp(k.got.data,
				c->streamed, k.got.len) == 0)),
				"step %zu: %.40s: %s (%s)", step, c->in,
				desc.data ? desc.data : "", e.msg);
		} else {
			tap_ok(rc == -1 && strstr(e.msg, c->want) != NULL &&
				k.ended == 0, "step %zu: %.40s fails: %s", step,
				c->in, e.msg);
		}
		imap_resp_release(&r);
		pp_release(&p);
		buf_release(&out);
		buf_release(&desc);
		buf_release(&k.got);
	}
}

/* The UID is known to the sink when it came before the body; a literal
 * kept (no sink) lands in the arena; several responses read in turn. */
static void
test_sequence(void)
{
	static const char in[] =
		"* 1 FETCH (UID 42 BODY[] {3}\r\nxyz)\r\n"
		"* 2 EXISTS\r\n"
		"A1 OK done\r\n";
	struct imap_sink sink = { NULL, k_begin, k_data, k_end, k_abort };
	struct keep k;
	struct buf out = BUF_INIT;
	struct imap_resp r;
	struct pp p;
	struct err e;
	size_t v;
	int ok;

	memset(&k, 0, sizeof k);
	buf_init(&k.got, 0);
	sink.ctx = &k;
	pp_init_mem(&p, in, sizeof in - 1, &out, NULL);
	imap_resp_init(&r);
	ok = imap_resp_read(&p, &r, &sink, &e) == 0;
	tap_ok(ok && strcmp(k.uid, "42") == 0 && k.got.len == 3,
		"sink sees the UID sent before the body");
	ok = imap_resp_read(&p, &r, NULL, &e) == 0 && r.has_num &&
		r.num == 2 && !strcmp(r.name, "EXISTS");
	tap_ok(ok, "next response read after a streamed literal");
	ok = imap_resp_read(&p, &r, NULL, &e) == 0 &&
		r.kind == IMAP_TAGGED && !strcmp(r.tag, "A1");
	tap_ok(ok, "tagged completion");
	imap_resp_release(&r);
	pp_release(&p);

	pp_init_mem(&p, in, sizeof in - 1, &out, NULL);
	imap_resp_init(&r);
	ok = imap_resp_read(&p, &r, NULL, &e) == 0;
	v = imap_fetch_item(&r, "BODY[]");
	tap_ok(ok && v && r.tok[v].type == IMAP_TOK_STRING &&
		r.tok[v].len == 3, "without a sink the body is kept");
	v = imap_fetch_item(&r, "UID");
	{
		unsigned long long u = 0;

		tap_ok(v && imap_tok_num(&r, v, &u) == 0 && u == 42,
			"imap_fetch_item UID");
	}
	tap_ok(imap_fetch_item(&r, "FLAGS") == 0, "absent item is 0");
	imap_resp_release(&r);
	pp_release(&p);
	buf_release(&out);
	buf_release(&k.got);
}

/* A line over max_line is a protocol error, not a growing buffer. */
static void
test_long_line(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct imap_resp r;
	struct pp p;
	struct err e;
	size_t i;

	buf_addstr(&in, "* SEARCH");
	for (i = 0; i < 20000; i++)
		buf_addstr(&in, " 12345");
	buf_addstr(&in, "\r\n");
	pp_init_mem(&p, in.data, in.len, &out, NULL);
	p.max_line = 4096;
	imap_resp_init(&r);
	tap_ok(imap_resp_read(&p, &r, NULL, &e) == -1 &&
		e.code == ERR_PROTOCOL && strstr(e.msg, "too long"),
		"line over max_line: %s", e.msg);
	imap_resp_release(&r);
	pp_release(&p);
	buf_release(&in);
	buf_release(&out);
}

int
main(void)
{
	test_imap_literal();
	test_resp(0);
	test_resp(1);
	test_resp(7);
	test_sequence();
	test_long_line();
	return tap_done();
}
