/*
 * imap.h: the IMAP client engine (mimap; mimap pull and idle build on it).
 *
 * One session: imap_open() connects, reads the greeting, learns the
 * capabilities (asked again after STARTTLS and after login when the server
 * did not send them), upgrades with STARTTLS when the account asks for it
 * (required: no credential is ever sent when it is missing or refused, and
 * a PREAUTH greeting on a plaintext connection is refused) and logs in
 * (AUTHENTICATE through saslx.h, with SASL-IR when offered, or LOGIN when
 * the server offers no mechanism).
 *
 * Commands are built piece by piece (imap_cmd_begin, _add, _astring,
 * _mailbox, _literal, _end), each given the next tag; any number may be
 * queued before imap_flush() (pipelining where IMAP allows it), and
 * imap_wait() reads until a tag completes, in the order the commands were
 * sent. Untagged responses are handled whenever they arrive: CAPABILITY,
 * EXISTS, EXPUNGE, VANISHED, the selected folder's codes (UIDVALIDITY,
 * UIDNEXT, HIGHESTMODSEQ, READ-ONLY) and BYE are the engine's; every
 * untagged response then goes to the handler of the command being waited
 * for, and message literals of FETCH to its sink (imap_reply.h).
 *
 * Error codes (struct err; messages start with "host:port: "):
 *   ERR_UNAVAILABLE NO or BAD from the server (the text and the response
 *                   code in the message); STARTTLS required but not
 *                   offered or refused; PREAUTH on plaintext with TLS
 *                   required; LOGINDISABLED
 *   ERR_TEMPFAIL    NO with [UNAVAILABLE], [INUSE], [LIMIT] or
 *                   [SERVERBUG]; timeout; connection refused or cut (with
 *                   the server's BYE text when it said one)
 *   ERR_NOPERM      login refused, TLS verification failed, the server
 *                   failed to prove its identity (SCRAM), plaintext login
 *                   refused by the account
 *   ERR_PROTOCOL    malformed response (imap_reply.h's bounds), a tag
 *                   that is not the one owed, untagged responses before
 *                   the tagged reply to STARTTLS, bytes before TLS
 *   ERR_NOHOST, ERR_CONFIG as in conn.h and sasl.h
 */
#ifndef MKIT_IMAP_H
#define MKIT_IMAP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "proto/imap_reply.h"

struct conn;
struct transcript;

/* Capabilities seen in the last CAPABILITY. */
enum imap_cap {
	IMAP_CAP_IMAP4REV1 = 1 << 0,
	IMAP_CAP_IMAP4REV2 = 1 << 1,	/* RFC 9051 */
	IMAP_CAP_LITERALPLUS = 1 << 2,	/* RFC 7888 */
	IMAP_CAP_LITERALMINUS = 1 << 3,	/* RFC 7888: up to 4096 bytes */
	IMAP_CAP_SASL_IR = 1 << 4,	/* RFC 4959 */
	IMAP_CAP_ENABLE = 1 << 5,	/* RFC 5161 */
	IMAP_CAP_UTF8_ACCEPT = 1 << 6,	/* RFC 6855 */
	IMAP_CAP_CONDSTORE = 1 << 7,	/* RFC 7162 */
	IMAP_CAP_QRESYNC = 1 << 8,	/* RFC 7162 */
	IMAP_CAP_UIDPLUS = 1 << 9,	/* RFC 4315 */
	IMAP_CAP_MOVE = 1 << 10,	/* RFC 6851 */
	IMAP_CAP_SPECIAL_USE = 1 << 11,	/* RFC 6154 */
	IMAP_CAP_LIST_STATUS = 1 << 12,	/* RFC 5819 */
	IMAP_CAP_ESEARCH = 1 << 13,	/* RFC 4731 */
	IMAP_CAP_IDLE = 1 << 14,	/* RFC 2177 */
	IMAP_CAP_ID = 1 << 15,		/* RFC 2971 */
	IMAP_CAP_NAMESPACE = 1 << 16,	/* RFC 2342 */
	IMAP_CAP_MULTIAPPEND = 1 << 17,	/* RFC 3502 */
	IMAP_CAP_STARTTLS = 1 << 18,
	IMAP_CAP_LOGINDISABLED = 1 << 19,
	IMAP_CAP_BINARY = 1 << 20,	/* RFC 3516 */
	IMAP_CAP_NOTIFY = 1 << 21,	/* RFC 5465 */
};

enum imap_open_flags {
	IMAP_NO_AUTH = 1 << 0,		/* stop before login */
};

/* The selected folder, as SELECT/EXAMINE and later untagged responses
 * tell it. */
struct imap_folder {
	unsigned long long exists;
	unsigned long long uidvalidity;	/* 0: not sent */
	unsigned long long uidnext;	/* 0: not sent */
	unsigned long long highestmodseq; /* 0: not sent (no CONDSTORE) */
	unsigned long long expunged;	/* EXPUNGE and VANISHED seen */
	int readonly;
};

/*
 * What a command does with the responses it gets. untagged() sees every
 * untagged response while the command is waited for (after the engine's
 * own handling), tagged() the final tagged response (OK, NO or BAD)
 * before it is judged; both may be NULL and return 0 or -1 with e (the
 * command then fails with that error once its tagged reply is read).
 * sink takes FETCH's message literals (may be NULL).
 */
struct imap_handler {
	void *ctx;
	int (*untagged)(void *ctx, const struct imap_resp *r, struct err *e);
	int (*tagged)(void *ctx, const struct imap_resp *r, struct err *e);
	const struct imap_sink *sink;
};

struct imap;

/*
 * Open a session for acc (host required): connect, greeting, STARTTLS
 * when the account asks for it, login when acc->auth (unless
 * IMAP_NO_AUTH). password is borrowed for the call (NULL when acc->auth
 * is 0). ts (may be NULL) gets the transcript, secrets redacted; it must
 * outlive the session. Returns a session to end with imap_logout() or
 * imap_free(), or NULL with err.
 */
struct imap *imap_open(const struct account *acc, const char *password,
	unsigned flags, struct transcript *ts, struct err *err);
/* As imap_open() on a connection the caller made (taken over, closed here
 * on failure); starts from the greeting. */
struct imap *imap_start(struct conn *c, const struct account *acc,
	const char *password, unsigned flags, struct err *err);

/* Send LOGOUT, read up to its reply (briefly), close and free. NULL ok. */
void imap_logout(struct imap *im);
/* Close and free without LOGOUT (after an error). NULL allowed. */
void imap_free(struct imap *im);

unsigned imap_caps(const struct imap *im);
const char *imap_peer(const struct imap *im);
/* The folder last selected (zeroes before any). */
const struct imap_folder *imap_folder(const struct imap *im);
/* Hide capabilities (a caller's --no-... or a test): caps &= ~mask. */
void imap_caps_hide(struct imap *im, unsigned mask);
/* The cap on a streamed literal (imap_reply.h; default 1 GiB). */
void imap_set_max_literal(struct imap *im, unsigned long long n);

/*
 * ENABLE (RFC 5161) each capability of the space-separated list the
 * server offers (UTF8=ACCEPT, CONDSTORE, QRESYNC); without ENABLE
 * nothing is sent. Returns 0 (what was enabled: imap_enabled()), or -1.
 */
int imap_enable(struct imap *im, const char *what, struct err *e);
/* IMAP_CAP_ bits the server said it ENABLED. */
unsigned imap_enabled(const struct imap *im);

/* ---- building commands ---- */

/*
 * Start a command: "TAG " then the formatted text (ASCII, no CR/LF: a
 * line break is ERR_DATA at imap_cmd_end). The tag is A1, A2...
 */
void imap_cmd_begin(struct imap *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* More text, as is. */
void imap_cmd_add(struct imap *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * " " and s (len bytes) as an astring: an atom when it is one, else a
 * quoted string, else (CR, LF, NUL, 8-bit without UTF-8 support, or over
 * 1000 bytes) a literal: non-synchronizing with LITERAL+ (LITERAL- up to
 * 4096 bytes), else synchronizing (what is queued is sent and the
 * server's "+" awaited). Errors: a refusal of the literal (the tagged NO),
 * the line layer's.
 */
int imap_cmd_astring(struct imap *im, const char *s, size_t len,
	struct err *e);
/* The same, for a folder name given in UTF-8: sent in UTF-8 when
 * UTF8=ACCEPT is enabled, else in modified UTF-7 (imap_utf7.h). */
int imap_cmd_mailbox(struct imap *im, const char *name, struct err *e);
/*
 * " {n}" (or "~{n}" when binary): announce a literal whose n bytes the
 * caller then writes with imap_cmd_data() (APPEND). Synchronizing unless
 * LITERAL+ (or LITERAL- and n <= 4096).
 */
int imap_cmd_literal(struct imap *im, unsigned long long n, int binary,
	struct err *e);
int imap_cmd_data(struct imap *im, const void *d, size_t n, struct err *e);
/* Close the data of a literal in the transcript. */
void imap_cmd_data_end(struct imap *im);
/* Queue the command's last line; returns its tag number (> 0), or 0
 * with e (ERR_DATA for a line break in it). */
unsigned long imap_cmd_end(struct imap *im, struct err *e);
/* Send what is queued. */
int imap_flush(struct imap *im, struct err *e);
/*
 * Read responses until the command tagged tag completes. Tags complete
 * in the order sent: a tagged reply to another tag is ERR_PROTOCOL. 0 on
 * OK, -1 with e on NO/BAD (codes above) or any failure. h may be NULL.
 */
int imap_wait(struct imap *im, unsigned long tag,
	const struct imap_handler *h, struct err *e);
/* Commands sent and not yet completed. */
size_t imap_outstanding(const struct imap *im);

/*
 * One simple command, formatted (no strings needing quotes), sent and
 * waited for.
 */
int imap_simple(struct imap *im, const struct imap_handler *h,
	struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* SELECT (or EXAMINE when readonly) the folder name (UTF-8); fills
 * imap_folder(). With QRESYNC/CONDSTORE enabled, asks for CONDSTORE. */
int imap_select(struct imap *im, const char *name, int readonly,
	struct err *e);
/*
 * imap_select() without the wait: the command is queued, and sent with
 * the next flush, so that the commands queued after it (a window of UID
 * FETCH) go out in the same write. Its reply is read by the next
 * imap_wait(), which fills imap_folder() with it; a refusal is then that
 * wait's error (prefixed with the folder, as imap_select()'s), and the
 * commands queued after it are refused by the server with no effect, as
 * no folder is selected (RFC 9051 6.3.2). Not for a caller that needs the
 * folder's UIDVALIDITY before its next command.
 */
int imap_select_send(struct imap *im, const char *name, int readonly,
	struct err *e);

/* The transcript and the connection, for a caller that needs them. */
struct conn *imap_conn(struct imap *im);

/*
 * IDLE (RFC 2177), for a caller that waits on several sessions at once
 * (mimap idle). imap_idle_start() sends IDLE and reads up to the
 * server's "+" (untagged responses before it go to h). While idling, the
 * caller waits with imap_ready() (or poll() on conn_fd(imap_conn(im))
 * after imap_ready(im, 0) said 0) and reads each response with
 * imap_idle_read(): untagged ones go to the engine then to h->untagged;
 * it returns 0, or 1 when the server ended the IDLE itself (its tagged
 * OK), or -1 with e. imap_idle_done() sends DONE and reads up to the
 * IDLE's tagged reply (h gets what comes before it); 0 at once when not
 * idling. imap_logout() ends an IDLE first. Errors are imap_wait()'s;
 * a NO to IDLE is ERR_UNAVAILABLE.
 */
int imap_idle_start(struct imap *im, const struct imap_handler *h,
	struct err *e);
int imap_idle_read(struct imap *im, const struct imap_handler *h,
	struct err *e);
int imap_idle_done(struct imap *im, const struct imap_handler *h,
	struct err *e);
/* Is an IDLE in progress? */
int imap_idling(const struct imap *im);
/* Wait up to ms milliseconds (0: just look; -1: no limit) for a
 * response: 1 when one (or the end of the connection) can be read, 0
 * when none came, -1 with e (pp_wait). */
int imap_ready(struct imap *im, int ms, struct err *e);

#endif
