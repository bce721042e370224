/*
 * pop3.c: the POP3 client engine; see pop3.h.
 *
 * RFC 1939  POP3 (USER/PASS, APOP, STAT, LIST, UIDL, TOP, RETR, DELE,
 *           RSET, NOOP, QUIT)
 * RFC 2449  CAPA, RESP-CODES, PIPELINING
 * RFC 2595  STLS
 * RFC 5034  AUTH (SASL)
 * RFC 3206  SYS and AUTH response codes
 *
 * Every command queued pushes what it expects onto a pp_queue; draining
 * it flushes once and hands each reply, in order, to the handler for its
 * command. Without PIPELINING the queue never holds more than one command.
 * A message body is streamed: each line is unstuffed by pop3_reply.c, its
 * CRLF made LF here, and the bytes gathered in a bounded buffer handed to
 * the sink, so memory does not grow with the message.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/util.h"
#include "net/conn.h"
#include "net/connacc.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/pop3.h"
#include "proto/pop3_reply.h"
#include "proto/sasl.h"
#include "proto/saslx.h"

/* Message bytes handed to the sink in pieces of about this size. */
#define SINK_CHUNK	(64 * 1024)
/* RFC 1939 7: a unique-id is 1 to 70 characters. */
#define UIDL_MAX	70

struct pop3 {
	struct conn *conn;
	struct pp pp;
	struct pop3_reply r;
	struct transcript *ts;
	char peer[300];
	struct buf greeting;
	struct buf capa;
	char *apop_ts;		/* "<...>" of the greeting, or NULL */
	unsigned caps;
	char *mechs;
	char *auth_used;
	unsigned flags;
	int broken;		/* a connection or protocol failure */
	struct pp_queue q;
	struct buf out;		/* message bytes not yet given to the sink */
	struct buf line;	/* a listing line */
};

/* What a queued command expects (struct pp_expect: kind, a = index). */
enum expect_kind { X_RETR, X_DELE };

/* The last reply as one printable line. */
static void
reply_line(const struct pop3 *p, char *out, size_t size)
{
	struct err tmp;

	err_clear(&tmp);
	err_reply(&tmp, p->r.raw.data ? p->r.raw.data : "", p->r.raw.len);
	snprintf(out, size, "%s", tmp.reply);
}

/*
 * The error code for a -ERR: RFC 2449 8 and RFC 3206 response codes first
 * ([IN-USE], [LOGIN-DELAY], [SYS/TEMP] are temporary; [AUTH] is the
 * credentials; [SYS/PERM] is the server), else dflt.
 */
static enum err_code
code_for(const struct pop3_reply *r, enum err_code dflt)
{
	if (!strcasecmp(r->code, "IN-USE") ||
		!strcasecmp(r->code, "LOGIN-DELAY") ||
		!strcasecmp(r->code, "SYS/TEMP"))
		return ERR_TEMPFAIL;
	if (!strcasecmp(r->code, "AUTH"))
		return ERR_NOPERM;
	if (!strcasecmp(r->code, "SYS/PERM"))
		return ERR_UNAVAILABLE;
	return dflt;
}

/* Fill e from the last reply, to cmd: "host:port: cmd: -ERR text". */
static int
reply_err(struct pop3 *p, struct err *e, enum err_code dflt, const char *cmd)
{
	char line[512];

	reply_line(p, line, sizeof line);
	err_set(e, code_for(&p->r, dflt), "%s: %s: %s", p->peer, cmd, line);
	err_reply(e, p->r.raw.data ? p->r.raw.data : "", p->r.raw.len);
	return -1;
}

/* A failure of the connection or of the protocol: no more commands. */
static int
broken(struct pop3 *p)
{
	p->broken = 1;
	return -1;
}

static int
read_reply(struct pop3 *p, struct err *e)
{
	if (pop3_reply_read(&p->pp, &p->r, e) < 0)
		return broken(p);
	if (p->r.status == POP3_REPLY_CONT) {
		pp_malformed(&p->pp, p->r.raw.data, p->r.raw.len,
			"continuation outside AUTH", e);
		return broken(p);
	}
	return 0;
}

/* Send what is queued and read one reply. */
static int
cmd_reply(struct pop3 *p, struct err *e)
{
	if (pp_flush(&p->pp, e) < 0)
		return broken(p);
	return read_reply(p, e);
}

/*
 * One whole line of a multi-line listing into p->line (NUL-terminated, no
 * line end); *end at the final ".". A line over the cap is ERR_PROTOCOL.
 */
static int
listing_line(struct pop3 *p, int *end, struct err *e)
{
	const char *l;
	size_t len;

	if (pop3_reply_body_line(&p->pp, &l, &len, end, e) < 0)
		return broken(p);
	buf_reset(&p->line);
	if (*end)
		return 0;
	if (!len || l[len - 1] != '\n') {
		pp_malformed(&p->pp, l, len, "listing line too long", e);
		return broken(p);
	}
	len--;
	if (len && l[len - 1] == '\r')
		len--;
	buf_add(&p->line, l, len);
	return 0;
}

/* Drop the rest of a multi-line response. */
static int
skip_listing(struct pop3 *p, struct err *e)
{
	const char *l;
	size_t len;
	int end = 0;

	while (!end)
		if (pop3_reply_body_line(&p->pp, &l, &len, &end, e) < 0)
			return broken(p);
	return 0;
}

static void
forget_caps(struct pop3 *p)
{
	p->caps &= POP3_CAP_APOP;
	free(p->mechs);
	p->mechs = xstrdup("");
	buf_reset(&p->capa);
}

/* Does the line start with the keyword kw (then a space or the end)? */
static int
keyword(const char *line, const char *kw)
{
	size_t n = strlen(kw);

	return strncasecmp(line, kw, n) == 0 &&
		(line[n] == '\0' || line[n] == ' ');
}

/* CAPA (RFC 2449 5); a -ERR means an RFC 1939 server without it. */
static int
capa(struct pop3 *p, struct err *e)
{
	int end;

	forget_caps(p);
	if (pp_cmd(&p->pp, e, "CAPA") < 0 || cmd_reply(p, e) < 0)
		return -1;
	if (p->r.status != POP3_REPLY_OK)
		return 0;
	p->caps |= POP3_CAP_CAPA;
	for (;;) {
		const char *l;

		if (listing_line(p, &end, e) < 0)
			return -1;
		if (end)
			break;
		l = p->line.data;
		buf_addf(&p->capa, "%s\n", l);
		if (keyword(l, "TOP"))
			p->caps |= POP3_CAP_TOP;
		else if (keyword(l, "USER"))
			p->caps |= POP3_CAP_USER;
		else if (keyword(l, "RESP-CODES"))
			p->caps |= POP3_CAP_RESP_CODES;
		else if (keyword(l, "PIPELINING"))
			p->caps |= POP3_CAP_PIPELINING;
		else if (keyword(l, "UIDL"))
			p->caps |= POP3_CAP_UIDL;
		else if (keyword(l, "STLS"))
			p->caps |= POP3_CAP_STLS;
		else if (keyword(l, "SASL")) {
			char *m;

			p->caps |= POP3_CAP_SASL;
			l += 4;
			while (*l == ' ')
				l++;
			m = xmalloc(strlen(p->mechs) + strlen(l) + 2);
			sprintf(m, "%s%s%s", p->mechs, *p->mechs ? " " : "",
				l);
			free(p->mechs);
			p->mechs = m;
		}
	}
	if (p->flags & POP3_NO_PIPELINING)
		p->caps &= ~(unsigned)POP3_CAP_PIPELINING;
	return 0;
}

/* RFC 2595 4: STLS, then forget everything learnt before TLS. */
static int
stls(struct pop3 *p, struct err *e)
{
	if ((p->caps & POP3_CAP_CAPA) && !(p->caps & POP3_CAP_STLS))
		return err_set(e, ERR_UNAVAILABLE, "%s: the server does not "
			"offer STLS, which the account requires (tls on, "
			"tls_starttls on); nothing was sent", p->peer);
	if (pp_cmd(&p->pp, e, "STLS") < 0 || cmd_reply(p, e) < 0)
		return -1;
	if (p->r.status != POP3_REPLY_OK)
		return reply_err(p, e, ERR_UNAVAILABLE, "STLS (required by "
			"the account; nothing was sent)");
	if (pp_pending(&p->pp)) {
		err_set(e, ERR_PROTOCOL, "%s: bytes received before TLS "
			"started (possible injection)", p->peer);
		return broken(p);
	}
	if (conn_starttls(p->conn, e) < 0)
		return broken(p);
	return capa(p, e);
}

/* The APOP timestamp of the greeting (RFC 1939 7: "<...@...>"). */
static void
find_apop(struct pop3 *p)
{
	const char *g = p->r.text.data ? p->r.text.data : "";
	const char *lt = strchr(g, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	free(p->apop_ts);
	p->apop_ts = NULL;
	p->caps &= ~(unsigned)POP3_CAP_APOP;
	if (!gt || !memchr(lt, '@', (size_t)(gt - lt)))
		return;
	p->apop_ts = xmemdup(lt, (size_t)(gt - lt) + 1);
	p->caps |= POP3_CAP_APOP;
}

/* POP3 to the SASL exchange driver (RFC 5034 4). */
static void
auth_command(void *ctx, const char *mech, struct buf *out)
{
	(void)ctx;
	buf_addf(out, "AUTH %s", mech);
}

static int
auth_reply(void *ctx, enum saslx_verdict *v, const char **text,
	size_t *len, struct err *e)
{
	struct pop3 *p = ctx;

	if (pop3_reply_read(&p->pp, &p->r, e) < 0)
		return broken(p);
	*v = p->r.status == POP3_REPLY_CONT ? SASLX_CONTINUE :
		p->r.status == POP3_REPLY_OK ? SASLX_SUCCESS : SASLX_FAILURE;
	/* RFC 5034 4: the +OK carries no SASL data (a server with data at
	 * success sends it as a last challenge) */
	if (*v == SASLX_CONTINUE) {
		*text = p->r.text.data ? p->r.text.data : "";
		*len = p->r.text.len;
	}
	return 0;
}

static void
auth_failed(void *ctx, const char *what, struct err *e)
{
	reply_err(ctx, e, ERR_NOPERM, what);
}

static const struct saslx_proto pop3_sasl = {
	.service = "pop",
	.verb = "AUTH",
	.can_ir = 1,
	.max_ir = 255,	/* RFC 5034 4: longer goes after an empty "+ " */
	.empty_ir = "=",
	.cancel = "*",
	.command = auth_command,
	.reply = auth_reply,
	.failed = auth_failed,
};

static int
is_method(const char *m, const char *name)
{
	return m && strcasecmp(m, name) == 0;
}

/*
 * May credentials go in the clear? Over TLS, yes; else only when the
 * account says "tls off" and names a plaintext method itself, or says
 * "allow_plaintext_auth on".
 */
static int
plaintext_ok(const struct pop3 *p, const struct account *acc)
{
	const char *m = acc->auth_method;

	return conn_is_tls(p->conn) || acc->allow_plaintext_auth ||
		(!acc->tls && (is_method(m, "USER") ||
		sasl_mech_is_plaintext(m)));
}

static int
user_pass(struct pop3 *p, const struct account *acc, const char *password,
	struct err *e)
{
	char what[128];

	if (!plaintext_ok(p, acc))
		return err_set(e, ERR_NOPERM, "%s: refusing USER/PASS on an "
			"unencrypted connection: it would send the password "
			"in the clear (use TLS, or with \"tls off\" say "
			"\"auth user\" or \"allow_plaintext_auth on\")",
			p->peer);
	if (!acc->user || !password)
		return err_set(e, ERR_CONFIG, "%s: USER/PASS needs a user "
			"and a password", p->peer);
	snprintf(what, sizeof what, "USER (user \"%s\")", acc->user);
	if (pp_cmd(&p->pp, e, "USER %s", acc->user) < 0 ||
		cmd_reply(p, e) < 0)
		return -1;
	if (p->r.status != POP3_REPLY_OK)
		return reply_err(p, e, ERR_NOPERM, what);
	snprintf(what, sizeof what, "PASS (user \"%s\")", acc->user);
	if (pp_cmd_secret(&p->pp, "PASS ", password, e) < 0 ||
		cmd_reply(p, e) < 0)
		return -1;
	if (p->r.status != POP3_REPLY_OK)
		return reply_err(p, e, ERR_NOPERM, what);
	p->auth_used = xstrdup("USER");
	return 0;
}

/* RFC 1939 7: APOP user md5(timestamp password). */
static int
apop(struct pop3 *p, const struct account *acc, const char *password,
	struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], what[128];
	struct buf in = BUF_INIT, pub = BUF_INIT;
	int ok, ret = -1;

	if (!p->apop_ts)
		return err_set(e, ERR_UNAVAILABLE, "%s: the account says "
			"\"auth apop\" but the greeting has no APOP "
			"timestamp", p->peer);
	if (!acc->user || !password)
		return err_set(e, ERR_CONFIG, "%s: APOP needs a user and a "
			"password", p->peer);
	buf_addf(&in, "%s%s", p->apop_ts, password);
	ok = EVP_Digest(in.data, in.len, md, &mdlen, EVP_md5(), NULL);
	secure_wipe(in.data, in.len);
	buf_release(&in);
	if (!ok)
		return err_set(e, ERR_SOFTWARE, "%s: APOP: MD5 is not "
			"available", p->peer);
	hex_encode(hex, md, mdlen, 0);
	buf_addf(&pub, "APOP %s ", acc->user);
	snprintf(what, sizeof what, "APOP (user \"%s\")", acc->user);
	if (pp_cmd_secret(&p->pp, pub.data, hex, e) < 0 ||
		cmd_reply(p, e) < 0)
		goto out;
	if (p->r.status != POP3_REPLY_OK) {
		reply_err(p, e, ERR_NOPERM, what);
		goto out;
	}
	p->auth_used = xstrdup("APOP");
	ret = 0;
out:
	buf_release(&pub);
	return ret;
}

static int
login(struct pop3 *p, const struct account *acc, const char *password,
	struct err *e)
{
	const char *m = acc->auth_method;
	struct saslx_login in;
	struct saslx_result res;
	int r;

	if (is_method(m, "APOP"))
		return apop(p, acc, password, e);
	if (is_method(m, "USER"))
		return user_pass(p, acc, password, e);
	if (!m && !(p->caps & POP3_CAP_SASL)) {
		if ((p->caps & POP3_CAP_CAPA) && !(p->caps & POP3_CAP_USER))
			return err_set(e, ERR_UNAVAILABLE, "%s: the server "
				"offers neither SASL nor USER in CAPA; name a "
				"method with \"auth\"", p->peer);
		return user_pass(p, acc, password, e);
	}
	saslx_login_init(&in, acc, password, p->mechs);
	in.allow_plaintext = plaintext_ok(p, acc);
	r = saslx_run(&pop3_sasl, p, &p->pp, &in, &res, e);
	if (res.mech)
		p->auth_used = xstrdup(res.mech);
	if (r < 0 && (e->code == ERR_IO || e->code == ERR_PROTOCOL))
		broken(p);
	return r;
}

struct pop3 *
pop3_open(const struct account *acc, const char *password, unsigned flags,
	struct transcript *ts, struct err *err)
{
	struct conn *c = connacc_open(acc, CONNACC_POP3, ts, err);

	return c ? pop3_start(c, acc, password, flags, err) : NULL;
}

struct pop3 *
pop3_start(struct conn *c, const struct account *acc, const char *password,
	unsigned flags, struct err *err)
{
	struct pop3 *p;

	p = xcalloc(1, sizeof(*p));
	p->conn = c;
	p->ts = conn_transcript(c);
	p->flags = flags;
	p->mechs = xstrdup("");
	snprintf(p->peer, sizeof p->peer, "%s", conn_peer(c));
	buf_init(&p->greeting, 0);
	buf_init(&p->capa, 0);
	buf_init(&p->out, 0);
	buf_init(&p->line, 0);
	pop3_reply_init(&p->r);
	pp_init(&p->pp, p->conn);
	if (read_reply(p, err) < 0)
		goto fail;
	buf_add(&p->greeting, p->r.raw.data, p->r.raw.len);
	if (p->r.status != POP3_REPLY_OK) {
		reply_err(p, err, ERR_UNAVAILABLE, "greeting");
		goto fail;
	}
	/*
	 * The APOP timestamp is kept across STLS: it is only a nonce the
	 * server checks, and the digest goes out under TLS.
	 */
	find_apop(p);
	if (capa(p, err) < 0)
		goto fail;
	if (acc->tls && acc->tls_starttls && !conn_is_tls(c) &&
		stls(p, err) < 0)
		goto fail;
	if (acc->auth && !(flags & POP3_NO_AUTH) &&
		login(p, acc, password, err) < 0) {
		/* A refused login leaves the session sound: say QUIT. */
		if (!p->broken) {
			struct err tmp;

			pop3_quit(p, &tmp);
			return NULL;
		}
		goto fail;
	}
	return p;
fail:
	/* Nothing was retrieved or deleted: a lost connection is worth a
	 * retry later. */
	if (err && err->code == ERR_IO)
		err->code = ERR_TEMPFAIL;
	pop3_free(p);
	return NULL;
}

int
pop3_stat(struct pop3 *p, unsigned long *count, unsigned long long *size,
	struct err *e)
{
	if (pp_cmd(&p->pp, e, "STAT") < 0 || cmd_reply(p, e) < 0)
		return -1;
	if (p->r.status != POP3_REPLY_OK)
		return reply_err(p, e, ERR_UNAVAILABLE, "STAT");
	if (sscanf(p->r.text.data ? p->r.text.data : "", "%lu %llu", count,
		size) != 2) {
		pp_malformed(&p->pp, p->r.raw.data, p->r.raw.len,
			"STAT without count and size", e);
		return broken(p);
	}
	return 0;
}

void
pop3_list_release(struct pop3_list *l)
{
	buf_release(&l->ids);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *
pop3_uidl(const struct pop3_list *l, size_t k)
{
	return l->v[k].uidl ? l->ids.data + l->v[k].uidl - 1 : NULL;
}

/* "num rest" of a listing line; -1 when num is not a number. */
static int
listing_num(const char *l, unsigned long *num, const char **rest)
{
	char *end;

	if (*l < '0' || *l > '9')
		return -1;
	*num = strtoul(l, &end, 10);
	if (*end != ' ' || *num == 0)
		return -1;
	while (*end == ' ')
		end++;
	*rest = end;
	return 0;
}

static int
bad_listing(struct pop3 *p, const char *cmd, struct err *e)
{
	char why[64];

	snprintf(why, sizeof why, "bad %s line", cmd);
	pp_malformed(&p->pp, p->line.data, p->line.len, why, e);
	return broken(p);
}

static int
scan_list(struct pop3 *p, struct pop3_list *l, struct err *e)
{
	size_t alloc = 0;
	int end;

	for (;;) {
		unsigned long num;
		const char *rest;
		char *x;

		if (listing_line(p, &end, e) < 0)
			return -1;
		if (end && l->n < alloc)	/* no doubling slack kept */
			l->v = xrealloc(l->v, l->n * sizeof(*l->v));
		if (end)
			return 0;
		if (listing_num(p->line.data, &num, &rest) < 0 ||
			num > UINT32_MAX || *rest < '0' || *rest > '9')
			return bad_listing(p, "LIST", e);
		if (l->n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			l->v = xrealloc(l->v, alloc * sizeof(*l->v));
		}
		memset(&l->v[l->n], 0, sizeof(l->v[0]));
		l->v[l->n].num = (uint32_t)num;
		l->v[l->n].size = strtoull(rest, &x, 10);
		l->total += l->v[l->n].size;
		l->n++;
	}
}

static int
uidl_valid(const char *u)
{
	size_t n = 0;

	for (; u[n]; n++)
		if ((unsigned char)u[n] < 0x21 || (unsigned char)u[n] > 0x7e)
			return 0;
	return n > 0 && n <= UIDL_MAX;
}

/* The ids' buffer is reserved once, from the count and the first id's
 * length (a server's ids are alike in length), for listings short enough
 * that a wrong guess reserves less than this; longer ones grow. */
#define IDS_GUESS_MAX (64u << 20)

static int
scan_uidl(struct pop3 *p, struct pop3_list *l, struct err *e)
{
	size_t i = 0, j;
	int end;

	if (p->r.status != POP3_REPLY_OK)
		return 0;	/* no UIDL on this server */
	l->have_uidl = 1;
	for (;;) {
		unsigned long num;
		const char *rest;

		if (listing_line(p, &end, e) < 0)
			return -1;
		if (end)
			break;
		if (listing_num(p->line.data, &num, &rest) < 0 ||
			!uidl_valid(rest))
			return bad_listing(p, "UIDL", e);
		/* the same order as LIST, as every server does; else search */
		if (i >= l->n || l->v[i].num != num)
			for (i = 0; i < l->n && l->v[i].num != num; i++)
				;
		if (!l->ids.alloc)
			buf_grow(&l->ids, l->n < IDS_GUESS_MAX / (UIDL_MAX +
				1) ? l->n * (strlen(rest) + 1) : 0);
		if (i == l->n || l->v[i].uidl ||
			buf_add(&l->ids, rest, strlen(rest) + 1) < 0)
			return bad_listing(p, "UIDL", e);
		l->v[i++].uidl = (uint32_t)(l->ids.len - strlen(rest));
	}
	for (i = 0; i < l->n; i++)
		if (!l->v[i].uidl) {
			err_set(e, ERR_PROTOCOL, "%s: UIDL lists no id for "
				"message %lu", p->peer,
				(unsigned long)l->v[i].num);
			return broken(p);
		}
	/* a duplicate makes the ids useless for only_new: say so */
	for (i = 0; i < l->n && !l->dup_uidl; i++)
		for (j = i + 1; j < l->n && j < i + 1 + 4096; j++)
			if (!strcmp(pop3_uidl(l, i), pop3_uidl(l, j))) {
				l->dup_uidl = 1;
				break;
			}
	return 0;
}

int
pop3_scan(struct pop3 *p, int want_uidl, struct pop3_list *l, struct err *e)
{
	int piped = (p->caps & POP3_CAP_PIPELINING) != 0;
	struct err lerr;
	int list_ok;

	memset(l, 0, sizeof(*l));
	buf_init(&l->ids, UINT32_MAX - 1);	/* offsets + 1 fit */
	if (pp_cmd(&p->pp, e, "LIST") < 0 ||
		(want_uidl && piped && pp_cmd(&p->pp, e, "UIDL") < 0))
		return -1;
	if (pp_flush(&p->pp, e) < 0 || read_reply(p, e) < 0)
		return broken(p);
	list_ok = p->r.status == POP3_REPLY_OK;
	if (!list_ok)
		reply_err(p, &lerr, ERR_UNAVAILABLE, "LIST");
	else if (scan_list(p, l, e) < 0)
		return -1;
	if (want_uidl && !piped && list_ok &&
		(pp_cmd(&p->pp, e, "UIDL") < 0 || pp_flush(&p->pp, e) < 0))
		return broken(p);
	if (want_uidl && (piped || list_ok)) {
		if (read_reply(p, e) < 0)
			return -1;
		if (!list_ok)
			return p->r.status == POP3_REPLY_OK &&
				skip_listing(p, e) < 0 ? -1 :
				(*e = lerr, -1);
		if (scan_uidl(p, l, e) < 0)
			return -1;
	}
	if (!list_ok) {
		*e = lerr;
		return -1;
	}
	return 0;
}

/* State of one message being streamed to the sink. */
struct stream {
	const struct pop3_sink *sink;
	void *ctx;
	size_t i;
	int cr;		/* a CR ended the last piece */
	int failed;	/* the sink failed: drop the rest */
};

static int
sink_flush(struct pop3 *p, struct stream *st, struct err *e)
{
	int r = 0;

	if (p->out.len && !st->failed)
		r = st->sink->write(st->ctx, st->i, p->out.data, p->out.len,
			e);
	buf_reset(&p->out);
	return r;
}

/* Add one piece of a line, its CRLF made LF. */
static void
add_piece(struct pop3 *p, struct stream *st, const char *l, size_t len)
{
	if (st->cr) {
		st->cr = 0;
		if (len && l[0] == '\n') {
			buf_addch(&p->out, '\n');
			l++;
			len--;
		} else
			buf_addch(&p->out, '\r');
	}
	if (len >= 2 && l[len - 1] == '\n' && l[len - 2] == '\r') {
		buf_add(&p->out, l, len - 2);
		buf_addch(&p->out, '\n');
	} else if (len && l[len - 1] == '\r') {
		buf_add(&p->out, l, len - 1);
		st->cr = 1;
	} else
		buf_add(&p->out, l, len);
}

/*
 * The body after a +OK of RETR/TOP, streamed to the sink (or dropped once
 * the sink failed: then st->failed is set and se says why). Returns -1
 * only for a connection or protocol failure (e).
 */
static int
stream_body(struct pop3 *p, struct stream *st, struct err *se,
	struct err *e)
{
	int end = 0, begun = 0;

	st->cr = 0;
	buf_reset(&p->out);
	if (!st->failed) {
		if (st->sink->begin(st->ctx, st->i, se) < 0)
			st->failed = 1;
		else
			begun = 1;
	}
	while (!end) {
		const char *l;
		size_t len;

		if (pop3_reply_body_line(&p->pp, &l, &len, &end, e) < 0) {
			if (begun && !st->failed)
				st->sink->abort(st->ctx, st->i);
			if (e->code == ERR_IO)
				err_set(e, ERR_TEMPFAIL, "%s: the connection "
					"was cut in the middle of a message",
					p->peer);
			return broken(p);
		}
		if (st->failed)
			continue;
		add_piece(p, st, l, len);
		if (p->out.len >= SINK_CHUNK && sink_flush(p, st, se) < 0) {
			st->sink->abort(st->ctx, st->i);
			st->failed = 1;
		}
	}
	if (st->failed)
		return 0;
	if (st->cr)
		buf_addch(&p->out, '\r');
	if (sink_flush(p, st, se) < 0) {
		st->sink->abort(st->ctx, st->i);
		st->failed = 1;
	} else if (st->sink->end(st->ctx, st->i, se) < 0)
		st->failed = 1;
	return 0;
}

static void
refused(struct pop3 *p, struct pop3_result *r)
{
	r->status = POP3_REFUSED;
	reply_line(p, r->reply, sizeof r->reply);
}

/*
 * Queue the commands for items from..n-1 (all of them with PIPELINING,
 * else just the first), each expecting a reply of kind, flush, and return
 * how many went out (0 on failure).
 */
static size_t
send_window(struct pop3 *p, int kind, const unsigned long *nums,
	size_t from, size_t n, long lines, struct err *e)
{
	size_t k, stop = (p->caps & POP3_CAP_PIPELINING) ? n : from + 1;
	char cmd[64];

	for (k = from; k < stop; k++) {
		if (kind == X_DELE)
			snprintf(cmd, sizeof cmd, "DELE %lu", nums[k]);
		else if (lines >= 0)
			snprintf(cmd, sizeof cmd, "TOP %lu %ld", nums[k],
				lines);
		else
			snprintf(cmd, sizeof cmd, "RETR %lu", nums[k]);
		if (pp_cmd(&p->pp, e, "%s", cmd) < 0)
			return 0;
		pp_queue_push(&p->q, kind, k, 0);
	}
	if (pp_flush(&p->pp, e) < 0) {
		broken(p);
		return 0;
	}
	return stop - from;
}

/*
 * Read the replies to the first n commands queued (RETR or TOP) into the
 * sink through st; res is indexed by each command's item. -1 only for a
 * connection or protocol failure (the session is then broken).
 */
static int
recv_retr(struct pop3 *p, size_t n, struct stream *st, struct err *se,
	struct pop3_result *res, struct err *e)
{
	size_t k;

	for (k = 0; k < n; k++) {
		size_t i = p->q.v[k].a;
		int was_failed = st->failed;

		if (read_reply(p, e) < 0)
			return -1;
		if (p->r.status != POP3_REPLY_OK) {
			refused(p, &res[i]);
			continue;
		}
		st->i = i;
		if (stream_body(p, st, se, e) < 0)
			return -1;
		if (!st->failed)
			res[i].status = POP3_DONE;
		else if (!was_failed)
			res[i].status = POP3_LOCAL_FAILED;
	}
	pp_queue_drop(&p->q, n);
	return 0;
}

/* The same for DELE. */
static int
recv_dele(struct pop3 *p, size_t n, struct pop3_result *res, struct err *e)
{
	size_t k;

	for (k = 0; k < n; k++) {
		size_t i = p->q.v[k].a;

		if (read_reply(p, e) < 0)
			return -1;
		if (p->r.status == POP3_REPLY_OK)
			res[i].status = POP3_DONE;
		else
			refused(p, &res[i]);
	}
	pp_queue_drop(&p->q, n);
	return 0;
}

static void
clear_results(struct pop3_result *res, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		memset(&res[k], 0, sizeof(res[k]));
}

static void
stream_init(struct stream *st, const struct pop3_sink *sink, void *ctx)
{
	memset(st, 0, sizeof(*st));
	st->sink = sink;
	st->ctx = ctx;
}

int
pop3_retr(struct pop3 *p, const unsigned long *nums, size_t n, long lines,
	const struct pop3_sink *sink, void *ctx, struct pop3_result *res,
	struct err *e)
{
	struct stream st;
	struct err se;
	size_t done = 0;

	stream_init(&st, sink, ctx);
	err_clear(&se);
	clear_results(res, n);
	while (done < n && !st.failed) {
		size_t sent = send_window(p, X_RETR, nums, done, n, lines, e);

		if (!sent || recv_retr(p, sent, &st, &se, res, e) < 0)
			goto fail;
		done += sent;
	}
	if (st.failed) {
		*e = se;
		return -1;
	}
	return 0;
fail:
	pp_queue_drop(&p->q, p->q.n);
	return -1;
}

int
pop3_dele(struct pop3 *p, const unsigned long *nums, size_t n,
	struct pop3_result *res, struct err *e)
{
	size_t done = 0;

	clear_results(res, n);
	while (done < n) {
		size_t sent = send_window(p, X_DELE, nums, done, n, -1, e);

		if (!sent || recv_dele(p, sent, res, e) < 0)
			goto fail;
		done += sent;
	}
	return 0;
fail:
	pp_queue_drop(&p->q, p->q.n);
	return -1;
}

int
pop3_pipelining(const struct pop3 *p)
{
	return (p->caps & POP3_CAP_PIPELINING) != 0;
}

/* Queue n commands of kind without reading: PIPELINING only. */
static int
send_only(struct pop3 *p, int kind, const unsigned long *nums, size_t n,
	long lines, struct err *e)
{
	if (!pop3_pipelining(p))
		return err_set(e, ERR_SOFTWARE, "%s: commands sent ahead "
			"without PIPELINING", p->peer);
	if (!n)
		return 0;
	return send_window(p, kind, nums, 0, n, lines, e) == n ? 0 : -1;
}

int
pop3_send_retr(struct pop3 *p, const unsigned long *nums, size_t n,
	long lines, struct err *e)
{
	return send_only(p, X_RETR, nums, n, lines, e);
}

int
pop3_send_dele(struct pop3 *p, const unsigned long *nums, size_t n,
	struct err *e)
{
	return send_only(p, X_DELE, nums, n, -1, e);
}

/* The oldest n queued commands must be of kind. */
static int
front_is(struct pop3 *p, int kind, size_t n, struct err *e)
{
	size_t k;

	if (n > p->q.n)
		return err_set(e, ERR_SOFTWARE, "%s: %zu replies asked, %zu "
			"owed", p->peer, n, p->q.n);
	for (k = 0; k < n; k++)
		if (p->q.v[k].kind != kind)
			return err_set(e, ERR_SOFTWARE, "%s: replies read out "
				"of order", p->peer);
	return 0;
}

int
pop3_recv_retr(struct pop3 *p, size_t n, const struct pop3_sink *sink,
	void *ctx, struct pop3_result *res, struct err *e)
{
	struct stream st;
	struct err se;

	if (front_is(p, X_RETR, n, e) < 0)
		return -1;
	stream_init(&st, sink, ctx);
	err_clear(&se);
	clear_results(res, n);
	if (recv_retr(p, n, &st, &se, res, e) < 0) {
		pp_queue_drop(&p->q, p->q.n);
		return -1;
	}
	if (st.failed) {
		*e = se;
		return -1;
	}
	return 0;
}

int
pop3_recv_dele(struct pop3 *p, size_t n, struct pop3_result *res,
	struct err *e)
{
	if (front_is(p, X_DELE, n, e) < 0)
		return -1;
	clear_results(res, n);
	if (recv_dele(p, n, res, e) < 0) {
		pp_queue_drop(&p->q, p->q.n);
		return -1;
	}
	return 0;
}

int
pop3_drain(struct pop3 *p, struct err *e)
{
	while (p->q.n) {
		if (read_reply(p, e) < 0 || (p->q.v[0].kind == X_RETR &&
			p->r.status == POP3_REPLY_OK && skip_listing(p, e) < 0)) {
			pp_queue_drop(&p->q, p->q.n);
			return -1;
		}
		pp_queue_drop(&p->q, 1);
	}
	return 0;
}

static int
simple(struct pop3 *p, const char *cmd, struct err *e)
{
	if (pp_cmd(&p->pp, e, "%s", cmd) < 0 || cmd_reply(p, e) < 0)
		return -1;
	if (p->r.status != POP3_REPLY_OK)
		return reply_err(p, e, ERR_UNAVAILABLE, cmd);
	return 0;
}

int
pop3_rset(struct pop3 *p, struct err *e)
{
	return simple(p, "RSET", e);
}

int
pop3_noop(struct pop3 *p, struct err *e)
{
	return simple(p, "NOOP", e);
}

int
pop3_quit(struct pop3 *p, struct err *e)
{
	int r = -1;

	if (!p)
		return 0;
	if (pop3_drain(p, e) < 0 || pp_cmd(&p->pp, e, "QUIT") < 0 ||
		cmd_reply(p, e) < 0) {
		if (e->code == ERR_IO || e->code == ERR_TEMPFAIL)
			err_set(e, ERR_TEMPFAIL, "%s: no reply to QUIT: the "
				"deletions of this session may not be done",
				p->peer);
	} else if (p->r.status != POP3_REPLY_OK)
		reply_err(p, e, ERR_UNAVAILABLE, "QUIT (the deletions of "
			"this session are not done)");
	else
		r = 0;
	pop3_free(p);
	return r;
}

void
pop3_free(struct pop3 *p)
{
	if (!p)
		return;
	pp_release(&p->pp);
	conn_close(p->conn);
	pop3_reply_release(&p->r);
	pp_queue_release(&p->q);
	buf_release(&p->greeting);
	buf_release(&p->capa);
	buf_release(&p->out);
	buf_release(&p->line);
	free(p->apop_ts);
	free(p->mechs);
	free(p->auth_used);
	free(p);
}

int
pop3_usable(const struct pop3 *p)
{
	return p && !p->broken;
}

void
pop3_info(const struct pop3 *p, struct pop3_info *out)
{
	out->peer = p->peer;
	out->greeting = p->greeting.data ? p->greeting.data : "";
	out->capa = p->capa.data ? p->capa.data : "";
	out->caps = p->caps;
	out->sasl_mechs = p->mechs ? p->mechs : "";
	out->auth_used = p->auth_used;
}

struct conn *
pop3_conn(struct pop3 *p)
{
	return p->conn;
}
