/*
 * smtp.c: the SMTP client engine; see smtp.h.
 *
 * RFC 5321  SMTP
 * RFC 3207  STARTTLS
 * RFC 4954  AUTH
 * RFC 2920  PIPELINING
 * RFC 1870  SIZE
 * RFC 6152  8BITMIME
 * RFC 6531  SMTPUTF8
 * RFC 3461  DSN (NOTIFY, RET, ENVID, ORCPT)
 * RFC 3030  CHUNKING (BDAT)
 * RFC 2034  ENHANCEDSTATUSCODES
 *
 * The engine is a state machine driven by replies: every command queued
 * pushes what it expects onto a queue (pp.h's struct pp_queue); draining it
 * flushes the write buffer once and hands each reply, in order, to the
 * handler for its command. With PIPELINING a whole envelope (MAIL, every
 * RCPT) goes out in one write, and a message's data is followed in the same
 * write by the next message's envelope (or by QUIT), so a message costs two
 * round trips with DATA and one with BDAT; a message with one recipient
 * (or any, with SMTP_PARTIAL) goes out whole, envelope and BDAT chunks,
 * in one write. Without PIPELINING nothing is written ahead: every command,
 * each BDAT chunk, RSET and QUIT included, waits for the reply to the one
 * before it.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "net/conn.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/smtp.h"
#include "proto/smtp_int.h"
#include "proto/smtp_data.h"
#include "proto/smtp_reply.h"


/* What a queued command expects (struct pp_expect: kind, a = message,
 * b = recipient). */
enum expect_kind { X_MAIL, X_RCPT, X_DATA, X_DOT, X_BDAT, X_BDAT_LAST,
	X_RSET, X_QUIT };

/* The reply as one printable line: "550 5.1.1 text / more text". */
static void
reply_line(const struct smtp_reply *r, char *out, size_t size)
{
	struct err tmp;
	size_t n;

	err_clear(&tmp);
	err_reply(&tmp, r->raw.data ? r->raw.data : "", r->raw.len);
	n = strlen(tmp.reply);
	while (n && (tmp.reply[n - 1] == ' ' || tmp.reply[n - 1] == '/'))
		tmp.reply[--n] = '\0';
	snprintf(out, size, "%s", tmp.reply);
}

/* Fill e from a reply to cmd: "host:port: cmd: 550 5.1.1 text". */
static int
reply_err(struct smtp *s, struct err *e, enum err_code code, const char *cmd)
{
	char line[512];

	reply_line(&s->r, line, sizeof line);
	err_set(e, code, "%s: %s: %s", s->peer, cmd, line);
	err_reply(e, s->r.raw.data ? s->r.raw.data : "", s->r.raw.len);
	return -1;
}

static enum err_code
code_for(int code, enum err_code perm)
{
	if (code >= 400 && code < 500)
		return ERR_TEMPFAIL;
	if (code >= 500)
		return perm;
	return ERR_PROTOCOL;
}

static int
read_reply(struct smtp *s, struct err *e)
{
	return smtp_reply_read(&s->pp, &s->r, e);
}

/* Send queued commands and read one reply. */
static int
cmd_reply(struct smtp *s, struct err *e)
{
	if (pp_flush(&s->pp, e) < 0)
		return -1;
	return read_reply(s, e);
}

static void
parse_ehlo(struct smtp *s)
{
	const char *line;
	size_t len, pos = 0;
	int first = 1;

	s->caps = SMTP_CAP_EHLO;
	s->size_limit = 0;
	free(s->mechs);
	s->mechs = xstrdup("");
	while (smtp_reply_line(&s->r, &pos, &line, &len)) {
		char kw[32];
		size_t k = 0;
		const char *arg;

		if (first) {	/* the greeting line of EHLO: no keyword */
			first = 0;
			continue;
		}
		while (k < len && k < sizeof(kw) - 1 && line[k] != ' ' &&
			line[k] != '=') {
			kw[k] = line[k];
			k++;
		}
		kw[k] = '\0';
		arg = line + k;
		if (k < len)
			arg++;
#define KW(x) (strlen(x) == k && mem_casecmp(kw, x, k) == 0)
		if (KW("PIPELINING"))
			s->caps |= SMTP_CAP_PIPELINING;
		else if (KW("SIZE")) {
			s->caps |= SMTP_CAP_SIZE;
			s->size_limit = strtoull(arg, NULL, 10);
		} else if (KW("8BITMIME"))
			s->caps |= SMTP_CAP_8BITMIME;
		else if (KW("SMTPUTF8"))
			s->caps |= SMTP_CAP_SMTPUTF8;
		else if (KW("DSN"))
			s->caps |= SMTP_CAP_DSN;
		else if (KW("CHUNKING"))
			s->caps |= SMTP_CAP_CHUNKING;
		else if (KW("ENHANCEDSTATUSCODES"))
			s->caps |= SMTP_CAP_ENHANCEDSTATUSCODES;
		else if (KW("STARTTLS"))
			s->caps |= SMTP_CAP_STARTTLS;
		else if (KW("AUTH")) {
			size_t n = (size_t)(line + len - arg);
			char *m;

			s->caps |= SMTP_CAP_AUTH;
			m = xmalloc(strlen(s->mechs) + n + 2);
			sprintf(m, "%s%s%.*s", s->mechs, *s->mechs ? " " : "",
				(int)n, arg);
			free(s->mechs);
			s->mechs = m;
		}
#undef KW
	}
	if (s->flags & SMTP_NO_PIPELINING)
		s->caps &= ~(unsigned)SMTP_CAP_PIPELINING;
	if (s->flags & SMTP_NO_CHUNKING)
		s->caps &= ~(unsigned)SMTP_CAP_CHUNKING;
}

static int
ehlo(struct smtp *s, const char *domain, struct err *e)
{
	if (pp_cmd(&s->pp, e, "EHLO %s", domain) < 0 || cmd_reply(s, e) < 0)
		return -1;
	if (s->r.code == 250) {
		parse_ehlo(s);
		goto ok;
	}
	if (s->r.code != 500 && s->r.code != 502)
		return reply_err(s, e, code_for(s->r.code, ERR_UNAVAILABLE),
			"EHLO");
	if (pp_cmd(&s->pp, e, "HELO %s", domain) < 0 || cmd_reply(s, e) < 0)
		return -1;
	if (s->r.code != 250)
		return reply_err(s, e, code_for(s->r.code, ERR_UNAVAILABLE),
			"HELO");
	s->caps = 0;
	s->size_limit = 0;
	free(s->mechs);
	s->mechs = xstrdup("");
ok:
	buf_reset(&s->ehlo);
	buf_add(&s->ehlo, s->r.raw.data, s->r.raw.len);
	return 0;
}

static int
starttls(struct smtp *s, const char *domain, struct err *e)
{
	if (!(s->caps & SMTP_CAP_STARTTLS))
		return err_set(e, ERR_UNAVAILABLE, "%s: the server does not "
			"offer STARTTLS, which the account requires (tls "
			"on, tls_starttls on); nothing was sent", s->peer);
	if (pp_cmd(&s->pp, e, "STARTTLS") < 0 || cmd_reply(s, e) < 0)
		return -1;
	if (s->r.code != 220) {
		return reply_err(s, e, code_for(s->r.code, ERR_UNAVAILABLE),
			"STARTTLS (required by the account; nothing was "
			"sent)");
	}
	if (pp_pending(&s->pp))
		return err_set(e, ERR_PROTOCOL, "%s: bytes received before "
			"TLS started (possible injection)", s->peer);
	if (conn_starttls(s->conn, e) < 0)
		return -1;
	/* RFC 3207 4.2: forget everything learnt before TLS. */
	s->caps = 0;
	s->size_limit = 0;
	free(s->mechs);
	s->mechs = NULL;
	buf_reset(&s->ehlo);
	return ehlo(s, domain, e);
}

struct smtp *
smtp_begin(struct conn *c, const struct account *acc, unsigned flags,
	struct err *err)
{
	struct smtp *s;
	const char *domain = acc->domain && *acc->domain ? acc->domain :
		"localhost";

	s = xcalloc(1, sizeof(*s));
	s->conn = c;
	s->ts = conn_transcript(c);
	s->flags = flags;
	s->helo = xstrdup(domain);
	snprintf(s->peer, sizeof s->peer, "%s", conn_peer(c));
	buf_init(&s->greeting, 0);
	buf_init(&s->ehlo, 0);
	smtp_reply_init(&s->r);
	smtp_data_init(&s->data);
	pp_init(&s->pp, s->conn);
	if (read_reply(s, err) < 0)
		goto fail;
	buf_add(&s->greeting, s->r.raw.data, s->r.raw.len);
	if (s->r.code != 220) {
		reply_err(s, err, code_for(s->r.code, ERR_UNAVAILABLE),
			"greeting");
		goto fail;
	}
	if (ehlo(s, domain, err) < 0)
		goto fail;
	if (acc->tls && acc->tls_starttls && starttls(s, domain, err) < 0)
		goto fail;
	return s;
fail:
	/* Nothing of a message went out yet: a lost connection is worth a
	 * retry later. */
	if (err && err->code == ERR_IO)
		err->code = ERR_TEMPFAIL;
	smtp_free(s);
	return NULL;
}

int
smtp_starttls(struct smtp *s, struct err *err)
{
	return starttls(s, s->helo, err);
}

int
smtp_int_read(struct smtp *s, struct err *e)
{
	return read_reply(s, e);
}

int
smtp_int_error(struct smtp *s, struct err *e, enum err_code code,
	const char *cmd)
{
	return reply_err(s, e, code, cmd);
}

/* xtext (RFC 3461 4): '+', '=' and anything outside 33..126 as +HH. */
static void
add_xtext(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 33 || c > 126 || c == '+' || c == '=')
			buf_addf(b, "+%02X", c);
		else
			buf_addch(b, c);
	}
}

static int
msg_utf8(const struct smtp_msg *m)
{
	size_t i;
	const unsigned char *p;

	if (m->flags & SMTP_MSG_UTF8)
		return 1;
	for (p = (const unsigned char *)m->from; *p; p++)
		if (*p & 0x80)
			return 1;
	for (i = 0; i < m->nrcpt; i++)
		for (p = (const unsigned char *)m->rcpt[i].addr; *p; p++)
			if (*p & 0x80)
				return 1;
	return 0;
}

struct run {
	struct smtp *s;
	struct smtp_msg *msgs;
	unsigned flags;
	struct pp_queue q;
	struct buf cmd;
	int mail_failed;	/* current message */
	int data_go;		/* 354 received */
};

/* The handler for one reply. */
static void
on_reply(struct run *r, const struct pp_expect *x)
{
	struct smtp *s = r->s;
	struct smtp_msg *m = &r->msgs[x->a];
	int code = s->r.code;
	char what[600];

	switch (x->kind) {
	case X_MAIL:
		if (code != 250) {
			snprintf(what, sizeof what, "MAIL FROM:<%s>", m->from);
			reply_err(s, &m->err, code_for(code, ERR_UNAVAILABLE),
				what);
			r->mail_failed = 1;
		}
		break;
	case X_RCPT: {
		struct smtp_rcpt *rc = &m->rcpt[x->b];

		rc->code = code;
		snprintf(rc->esc, sizeof rc->esc, "%s", s->r.esc);
		reply_line(&s->r, rc->reply, sizeof rc->reply);
		if (code == 250 || code == 251) {
			m->accepted++;
			break;
		}
		if (r->mail_failed)
			break;
		/* A permanent refusal outranks a temporary one. */
		if (m->err.code != ERR_NOUSER) {
			snprintf(what, sizeof what, "RCPT TO:<%s>", rc->addr);
			reply_err(s, &m->err, code_for(code, ERR_NOUSER),
				what);
		}
		break;
	}
	case X_DATA:
		if (code == 354)
			r->data_go = 1;
		else if (m->err.code == ERR_NONE)
			reply_err(s, &m->err, code_for(code, ERR_UNAVAILABLE),
				"DATA");
		break;
	case X_BDAT:
	case X_DOT:
	case X_BDAT_LAST:
		if (x->kind == X_BDAT && code == 250)
			break;
		m->code = code;
		reply_line(&s->r, m->reply, sizeof m->reply);
		if (code == 250) {
			m->status = SMTP_SENT;
			break;
		}
		m->status = SMTP_NOT_SENT;
		/* BDAT pipelined behind a refused envelope: the refusal is
		 * the reason worth telling. */
		if ((r->mail_failed || m->accepted == 0) &&
			m->err.code != ERR_NONE)
			break;
		reply_err(s, &m->err, code_for(code, ERR_UNAVAILABLE),
			x->kind == X_DOT ? "end of data" : "BDAT");
		break;
	case X_RSET:
	case X_QUIT:
		break;
	}
}

/* Flush and read the reply to everything queued. */
static int
drain(struct run *r, struct err *e)
{
	size_t i;

	/* A message whose final dot (or last chunk) is queued is already
	 * SMTP_IN_DOUBT (send_data): a flush that fails half-way may have
	 * delivered it. */
	if (pp_flush(&r->s->pp, e) < 0)
		return -1;
	for (i = 0; i < r->q.n; i++) {
		/* Nothing depends on the reply to QUIT: do not wait. */
		if (r->q.v[i].kind == X_QUIT && i + 1 == r->q.n)
			break;
		if (read_reply(r->s, e) < 0) {
			/* Keep what was not answered at the front. */
			pp_queue_drop(&r->q, i);
			return -1;
		}
		on_reply(r, &r->q.v[i]);
	}
	r->q.n = 0;
	return 0;
}

static int
queue_cmd(struct run *r, enum expect_kind kind, size_t msg, size_t rcpt,
	struct err *e)
{
	if (pp_cmd(&r->s->pp, e, "%s", r->cmd.data) < 0)
		return -1;
	pp_queue_push(&r->q, kind, msg, rcpt);
	if (!(r->s->caps & SMTP_CAP_PIPELINING))
		return drain(r, e);
	return 0;
}

static int
send_envelope(struct run *r, size_t k, struct err *e)
{
	struct smtp *s = r->s;
	struct smtp_msg *m = &r->msgs[k];
	size_t size = m->head_len + m->body_len, j;

	buf_reset(&r->cmd);
	buf_addf(&r->cmd, "MAIL FROM:<%s>", m->from);
	if (s->caps & SMTP_CAP_SIZE)
		buf_addf(&r->cmd, " SIZE=%zu", size);
	if ((m->flags & SMTP_MSG_8BIT) && (s->caps & SMTP_CAP_8BITMIME))
		buf_addstr(&r->cmd, " BODY=8BITMIME");
	if (msg_utf8(m))
		buf_addstr(&r->cmd, " SMTPUTF8");
	if (s->caps & SMTP_CAP_DSN) {
		if (m->dsn_return == ACCOUNT_DSN_RET_FULL)
			buf_addstr(&r->cmd, " RET=FULL");
		else if (m->dsn_return == ACCOUNT_DSN_RET_HEADERS)
			buf_addstr(&r->cmd, " RET=HDRS");
		if (m->envid && *m->envid) {
			buf_addstr(&r->cmd, " ENVID=");
			add_xtext(&r->cmd, m->envid);
		}
	} else if (m->dsn_notify || m->dsn_return || m->envid)
		transcript_note(s->ts, "the server does not offer DSN: "
			"NOTIFY, RET and ENVID not sent");
	if (queue_cmd(r, X_MAIL, k, 0, e) < 0)
		return -1;
	if (r->mail_failed)	/* known only without PIPELINING */
		return 0;
	for (j = 0; j < m->nrcpt; j++) {
		buf_reset(&r->cmd);
		buf_addf(&r->cmd, "RCPT TO:<%s>", m->rcpt[j].addr);
		if ((s->caps & SMTP_CAP_DSN) && m->dsn_notify) {
			static const struct {
				unsigned bit;
				const char *name;
			} nt[] = {
				{ ACCOUNT_DSN_SUCCESS, "SUCCESS" },
				{ ACCOUNT_DSN_FAILURE, "FAILURE" },
				{ ACCOUNT_DSN_DELAY, "DELAY" },
			};
			size_t t;
			int first = 1;

			buf_addstr(&r->cmd, " NOTIFY=");
			if (m->dsn_notify & ACCOUNT_DSN_NEVER)
				buf_addstr(&r->cmd, "NEVER");
			else
				for (t = 0; t < ARRAY_SIZE(nt); t++)
					if (m->dsn_notify & nt[t].bit) {
						buf_addf(&r->cmd, "%s%s",
							first ? "" : ",",
							nt[t].name);
						first = 0;
					}
			if (!msg_utf8(m)) {
				buf_addstr(&r->cmd, " ORCPT=rfc822;");
				add_xtext(&r->cmd, m->rcpt[j].addr);
			}
		}
		if (queue_cmd(r, X_RCPT, k, j, e) < 0)
			return -1;
	}
	return 0;
}

/* Mark the messages from k on as failed by a broken connection. */
static void
fail_rest(struct run *r, size_t n, const struct err *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct smtp_msg *m = &r->msgs[i];

		/* Skip what is settled: sent, refused, or found in doubt
		 * for a reason of its own (ERR_PROTOCOL). */
		if (m->status == SMTP_SENT || (m->err.code != ERR_NONE &&
			(m->status != SMTP_IN_DOUBT ||
			m->err.code == ERR_PROTOCOL)))
			continue;
		m->err = *e;
		if (m->status == SMTP_IN_DOUBT) {
			m->err.code = ERR_IO;
			err_prefix(&m->err, "the message may or may not have "
				"been delivered (connection lost after its "
				"data was sent)");
		} else if (m->err.code == ERR_IO || m->err.code ==
			ERR_PROTOCOL)
			m->err.code = e->code == ERR_PROTOCOL ? ERR_PROTOCOL :
				ERR_TEMPFAIL;
	}
}

/*
 * QUIT after the last message. Without PIPELINING every reply still owed is
 * read first: a command may leave only once the one before it is answered
 * (RFC 5321 4.3.1, RFC 2920 3.1). The reply to QUIT is never awaited.
 */
static int
queue_quit(struct run *r, size_t k, struct err *e)
{
	struct smtp *s = r->s;

	if (!(s->caps & SMTP_CAP_PIPELINING) && drain(r, e) < 0)
		return -1;
	if (pp_cmd(&s->pp, e, "QUIT") < 0)
		return -1;
	pp_queue_push(&r->q, X_QUIT, k, 0);
	s->quit_sent = 1;
	return 0;
}

/*
 * After a failed transaction: RSET, or for the last message with
 * SMTP_QUIT_AFTER just QUIT (a reset before leaving changes nothing).
 */
static int
end_transaction(struct run *r, size_t k, int last, struct err *e)
{
	struct smtp *s = r->s;

	if (last && (r->flags & SMTP_QUIT_AFTER))
		return queue_quit(r, k, e) < 0 ? -1 : drain(r, e);
	if (pp_cmd(&s->pp, e, "RSET") < 0)
		return -1;
	pp_queue_push(&r->q, X_RSET, k, 0);
	if (!(s->caps & SMTP_CAP_PIPELINING))
		return drain(r, e);
	return 0;
}

static int
send_data(struct run *r, size_t k, int last, int go, struct err *e)
{
	struct smtp *s = r->s;
	struct smtp_msg *m = &r->msgs[k];

	if (s->caps & SMTP_CAP_CHUNKING) {
		if (m->body_len) {
			if (smtp_data_bdat(&s->pp, m->head, m->head_len, 0,
				e) < 0)
				return -1;
			pp_queue_push(&r->q, X_BDAT, k, 0);
			/* Without PIPELINING each chunk waits for its reply,
			 * and none follows a refused one (RFC 3030 3). */
			if (!(s->caps & SMTP_CAP_PIPELINING)) {
				if (drain(r, e) < 0)
					return -1;
				if (m->code)	/* set by a refusal only */
					return end_transaction(r, k, last, e);
			}
		}
		/* From the first byte of the last chunk on, the server may
		 * end up with the message: a failure is no longer a clean
		 * "not sent" (a retry could deliver it twice). */
		m->status = SMTP_IN_DOUBT;
		if (m->body_len && (m->flags & SMTP_MSG_BODY_FD) ?
			smtp_data_bdat_fd(&s->pp, m->body_fd, m->body_off,
			m->body_len, 1, e) < 0 :
			smtp_data_bdat(&s->pp, m->body_len ? m->body : m->head,
			m->body_len ? m->body_len : m->head_len, 1, e) < 0)
			return -1;
		pp_queue_push(&r->q, X_BDAT_LAST, k, 0);
	} else {
		if (!go) {
			r->data_go = 0;
			if (pp_cmd(&s->pp, e, "DATA") < 0)
				return -1;
			pp_queue_push(&r->q, X_DATA, k, 0);
			if (drain(r, e) < 0)
				return -1;
		}
		if (!r->data_go)
			return end_transaction(r, k, last, e);
		smtp_data_begin(&s->data);
		if (smtp_data_write(&s->data, &s->pp, m->head, m->head_len,
			e) < 0 || ((m->flags & SMTP_MSG_BODY_FD) ?
			smtp_data_write_fd(&s->data, &s->pp, m->body_fd,
			m->body_off, m->body_len, e) : smtp_data_write(&s->data, &s->pp,
			m->body, m->body_len, e)) < 0)
			return -1;
		/* The final dot may leave with any later write (a big
		 * buffer is flushed on the way, and the next message's
		 * envelope follows it): from here on a failure leaves the
		 * message in doubt, never "not sent". */
		m->status = SMTP_IN_DOUBT;
		if (smtp_data_end(&s->data, &s->pp, e) < 0)
			return -1;
		pp_queue_push(&r->q, X_DOT, k, 0);
	}
	if (last && (r->flags & SMTP_QUIT_AFTER) && queue_quit(r, k, e) < 0)
		return -1;
	if (!(s->caps & SMTP_CAP_PIPELINING) || last)
		return drain(r, e);
	return 0;
}

int
smtp_send(struct smtp *s, struct smtp_msg *msgs, size_t n, unsigned flags,
	struct err *err)
{
	struct run r;
	size_t k;
	int ret = -1, pipe_data, pipe_bdat;

	memset(&r, 0, sizeof r);
	r.s = s;
	r.msgs = msgs;
	r.flags = flags;
	buf_init(&r.cmd, 0);
	for (k = 0; k < n; k++) {
		msgs[k].status = SMTP_NOT_SENT;
		msgs[k].code = 0;
		msgs[k].reply[0] = '\0';
		msgs[k].accepted = 0;
		err_clear(&msgs[k].err);
	}
	for (k = 0; k < n; k++) {
		struct smtp_msg *m = &msgs[k];
		size_t size = m->head_len + m->body_len;
		int last = k + 1 == n;

		if (s->size_limit && size > s->size_limit) {
			err_set(&m->err, ERR_UNAVAILABLE, "%s: message is %zu "
				"bytes, server limit is %llu", s->peer, size,
				s->size_limit);
			goto next;
		}
		if (msg_utf8(m) && !(s->caps & SMTP_CAP_SMTPUTF8)) {
			err_set(&m->err, ERR_UNAVAILABLE, "%s: the message "
				"needs SMTPUTF8 (non-ASCII address or header) "
				"and the server does not offer it", s->peer);
			goto next;
		}
		if (m->nrcpt == 0) {
			err_set(&m->err, ERR_USAGE, "no recipients");
			goto next;
		}
		r.mail_failed = 0;
		r.data_go = 0;
		/*
		 * DATA joins the envelope's write when a refused recipient
		 * cannot leave us holding a 354 we do not want: one
		 * recipient (its refusal makes DATA fail too), or --partial.
		 */
		pipe_data = (s->caps & SMTP_CAP_PIPELINING) &&
			!(s->caps & SMTP_CAP_CHUNKING) &&
			(m->nrcpt == 1 || (flags & SMTP_PARTIAL));
		/*
		 * BDAT may follow the envelope in the same write (RFC 3030
		 * 4.2) under the same condition: a refused envelope makes
		 * the server answer BDAT with an error and drop the chunk.
		 * The message then costs one round trip.
		 */
		pipe_bdat = (s->caps & SMTP_CAP_PIPELINING) &&
			(s->caps & SMTP_CAP_CHUNKING) &&
			(m->nrcpt == 1 || (flags & SMTP_PARTIAL));
		if (send_envelope(&r, k, err) < 0)
			goto broken;
		if (pipe_bdat) {
			if (send_data(&r, k, last, 1, err) < 0)
				goto broken;
		} else if (pipe_data) {
			if (pp_cmd(&s->pp, err, "DATA") < 0)
				goto broken;
			pp_queue_push(&r.q, X_DATA, k, 0);
		}
		if (drain(&r, err) < 0)
			goto broken;
		if (r.mail_failed || m->accepted == 0 || (m->accepted <
			m->nrcpt && !(flags & SMTP_PARTIAL))) {
			if (r.data_go) {
				/* 354 without a valid envelope: the only
				 * way out that sends no message is to hang
				 * up. */
				err_set(err, ERR_PROTOCOL, "%s: DATA accepted "
					"after the envelope was refused",
					s->peer);
				goto broken;
			}
			if (m->status == SMTP_SENT) {
				/* Pipelined BDAT taken for no recipient: a
				 * broken server; say so and stop. */
				m->status = SMTP_IN_DOUBT;
				err_set(&m->err, ERR_PROTOCOL, "%s: the server "
					"accepted the message after refusing its "
					"envelope: it may or may not have been "
					"delivered", s->peer);
				err_set(err, ERR_PROTOCOL, "%s: BDAT accepted "
					"after the envelope was refused",
					s->peer);
				goto broken;
			}
			if (m->err.code == ERR_NONE)
				err_set(&m->err, ERR_NOUSER, "%s: no "
					"recipient accepted", s->peer);
			/* (a pipelined BDAT may have queued QUIT already) */
			if (!s->quit_sent &&
				end_transaction(&r, k, last, err) < 0)
				goto broken;
			continue;
		}
		if (pipe_bdat)
			continue;
		if (pipe_data && !r.data_go) {
			if (end_transaction(&r, k, last, err) < 0)
				goto broken;
			continue;
		}
		if (send_data(&r, k, last, pipe_data, err) < 0)
			goto broken;
		continue;
next:
		if (last && (((flags & SMTP_QUIT_AFTER) &&
			queue_quit(&r, k, err) < 0) || drain(&r, err) < 0))
			goto broken;
	}
	if (drain(&r, err) < 0)
		goto broken;
	ret = 0;
	goto out;
broken:
	/* A lost connection after QUIT was queued is no failure of the
	 * messages answered before it. */
	if (r.q.n == 1 && r.q.v[0].kind == X_QUIT) {
		ret = 0;
		goto out;
	}
	fail_rest(&r, n, err);
out:
	pp_queue_release(&r.q);
	buf_release(&r.cmd);
	return ret;
}

int
smtp_idle_check(struct smtp *s, struct err *err)
{
	int r = pp_wait(&s->pp, 0, err);

	if (r == 0)
		return 0;
	/* The server spoke unasked or hung up: read what it said. */
	if (r > 0 && read_reply(s, err) == 0)
		reply_err(s, err, ERR_TEMPFAIL, "while idle");
	err->code = ERR_TEMPFAIL;
	transcript_note(s->ts, "session ended while idle: %s", err->msg);
	return -1;
}

void
smtp_quit(struct smtp *s)
{
	struct err e;

	if (!s)
		return;
	/* The reply to QUIT tells nothing we need: do not wait for it. */
	if (!s->quit_sent && pp_cmd(&s->pp, &e, "QUIT") == 0)
		pp_flush(&s->pp, &e);
	smtp_free(s);
}

void
smtp_free(struct smtp *s)
{
	if (!s)
		return;
	pp_release(&s->pp);
	conn_close(s->conn);
	smtp_reply_release(&s->r);
	smtp_data_release(&s->data);
	buf_release(&s->greeting);
	buf_release(&s->ehlo);
	free(s->mechs);
	free(s->auth_used);
	free(s->helo);
	free(s);
}

const char *
smtp_peer(const struct smtp *s)
{
	return s->peer;
}

const char *
smtp_greeting(const struct smtp *s)
{
	return s->greeting.data ? s->greeting.data : "";
}

const char *
smtp_ehlo(const struct smtp *s)
{
	return s->ehlo.data ? s->ehlo.data : "";
}

unsigned
smtp_caps(const struct smtp *s)
{
	return s->caps;
}

unsigned long long
smtp_size_limit(const struct smtp *s)
{
	return s->size_limit;
}

const char *
smtp_auth_mechs(const struct smtp *s)
{
	return s->mechs ? s->mechs : "";
}

const char *
smtp_auth_used(const struct smtp *s)
{
	return s->auth_used;
}

struct conn *
smtp_conn(struct smtp *s)
{
	return s->conn;
}
