/*
 * pp.h: the line layer shared by the SMTP, POP3 and IMAP engines
 * (after curl's lib/pingpong.h).
 *
 * A struct pp sits on a struct conn: it reads lines out of the conn's read
 * buffer without copying, queues commands in the conn's write buffer (so a
 * pipelined batch is queued, flushed once, and its replies read in order),
 * writes message data (converted to CRLF by pp_crlf, dot-stuffed for
 * SMTP), and writes everything to the conn's transcript (-v), secrets
 * redacted.
 * This layer knows lines, not replies: each protocol's reply grammar is its
 * own small module in src/proto (smtp_reply, pop3_reply, imap_reply), built
 * on pp_read_line(), pp_take_data_line(), pp_drop_read() and
 * pp_malformed(); SMTP's DATA and BDAT writers are smtp_data's. The
 * queue of replies still owed (struct pp_queue) is neutral too: what each
 * reply means is the engine's.
 *
 * For tests, pp_init_mem() runs the same code on a memory input and a
 * memory output instead of a connection.
 *
 * Errors: those of conn (conn.h), plus ERR_PROTOCOL for a line over
 * max_line ("reply line too long") and ERR_IO "connection closed by
 * host:port" when the server hangs up in the middle of what we read (the
 * reply parsers add their own ERR_PROTOCOL through pp_malformed()).
 */
#ifndef MKIT_PP_H
#define MKIT_PP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct conn;
struct transcript;

#define PP_MAX_LINE_DEFAULT	(64 * 1024)

/*
 * CR/LF to CRLF conversion state, for message data written over several
 * chunks (see pp_crlf_add).
 */
struct pp_crlf {
	int bol;	/* at the start of a line (also at the very start) */
	int cr;		/* the previous chunk ended with a CR */
	int dotstuff;	/* double a '.' at the start of a line */
	unsigned long long out;	/* bytes produced so far */
};

struct pp {
	struct conn *conn;	/* NULL with pp_init_mem */
	struct transcript *ts;	/* may be NULL */
	size_t max_line;	/* longest line accepted, without its end */
	const char *peer;	/* "host:port" for messages */
	/*
	 * pp_init_mem only: hand the input over this many bytes per read
	 * (0: all at once), to exercise lines split across reads.
	 */
	size_t mem_step;
	/* private */
	size_t start;		/* bytes of input already used */
	size_t consume;		/* then the bytes of the last line */
	struct buf *in;		/* conn_rbuf() or &mem_in */
	struct buf mem_in;	/* pp_init_mem: input received so far */
	char *mem_src;		/* pp_init_mem: all the input */
	size_t mem_len, mem_pos;
	struct buf *mem_out;
	int data_midline;	/* last data piece had no line end */
	struct buf scratch;
};

/*
 * Set up p on an open connection (borrowed: it must outlive p). The
 * transcript is the conn's. max_line is PP_MAX_LINE_DEFAULT.
 */
void pp_init(struct pp *p, struct conn *c);
/*
 * Set up p to read the len bytes at in (copied) as if received, and to
 * append everything written to out (borrowed). ts may be NULL.
 */
void pp_init_mem(struct pp *p, const void *in, size_t len, struct buf *out,
	struct transcript *ts);
/* Free what p owns (not the conn). */
void pp_release(struct pp *p);

/*
 * Read one line ended by LF (a CR before the LF is dropped too). *line
 * points at its bytes (not NUL-terminated; no CR/LF) inside the read
 * buffer and stays valid until the next call on p other than pp_pending()
 * (a flush receives into the same buffer). The line is written to the
 * transcript as received. Waits with the conn's read timeout. Errors:
 * ERR_PROTOCOL "reply line too long" past max_line; ERR_IO "connection
 * closed by host:port" on EOF; conn errors.
 */
int pp_read_line(struct pp *p, const char **line, size_t *len,
	struct err *e);

/*
 * As pp_read_line, but the line is message data (a POP3 RETR line): it
 * goes to the transcript as data (summarised; close the data with
 * transcript_data_end()), and the line end is part of the view (*len
 * counts the CRLF or LF). A line longer than max_line is not an error
 * here: it comes in pieces of max_line bytes, each without a line end,
 * the last piece with it; a view not ending in '\n' means "the line goes
 * on". EOF is ERR_IO as for pp_read_line.
 */
int pp_read_data_line(struct pp *p, const char **line, size_t *len,
	struct err *e);

/*
 * As pp_read_data_line, without the transcript: for a protocol's reader
 * that shows the line its own way (POP3's terminating "."). *bol is 1
 * when the piece starts a line (0 after a piece without a line end).
 */
int pp_take_data_line(struct pp *p, const char **line, size_t *len,
	int *bol, struct err *e);

/*
 * Read exactly n bytes of data (an IMAP literal) into out (appended;
 * out's cap applies: ERR_PROTOCOL when exceeded). Each call is one data
 * block in the transcript ("< [message data: n bytes]").
 */
int pp_read_bytes(struct pp *p, size_t n, struct buf *out, struct err *e);

/*
 * Zero-copy form of pp_read_bytes for a literal streamed to a sink: a
 * view (*d, *n) of at most max bytes of data, max > 0, as many as are
 * received (waiting for some when none are), valid until the next call on
 * p. The caller counts the literal down and closes its transcript data
 * block with pp_read_data_end(). EOF is ERR_IO as for pp_read_line.
 */
int pp_read_some(struct pp *p, size_t max, const char **d, size_t *n,
	struct err *e);
void pp_read_data_end(struct pp *p);

/*
 * For a protocol's reply reader that has copied what it read: release the
 * input of the lines read so far (their views become invalid), so that
 * pp_pending() counts only what follows and conn_starttls() sees an empty
 * buffer when nothing does.
 */
void pp_drop_read(struct pp *p);

/*
 * For a protocol's reply reader: fail with ERR_PROTOCOL
 * "host:port: malformed reply: why", the line in e->reply. Returns -1.
 */
int pp_malformed(struct pp *p, const char *line, size_t len, const char *why,
	struct err *e);

/* Bytes received and not yet read through p (the STARTTLS check). */
size_t pp_pending(const struct pp *p);

/*
 * conn_wait() through p: 1 at once if p holds unread bytes, else wait up
 * to ms milliseconds (-1: no limit) for the server; 0 on timeout, -1 on
 * error. With pp_init_mem: 1 while input remains, else 0.
 */
int pp_wait(struct pp *p, int ms, struct err *e);

/*
 * conn_starttls() for an engine reading through p: the last line read
 * with pp_read_line() is still in the conn's read buffer (it backs the
 * view), so conn_starttls() alone would see it as injected bytes. This
 * drops it first, then calls conn_starttls(): any byte after the
 * go-ahead line fails with ERR_PROTOCOL. (After a reply reader that
 * calls pp_drop_read(), as smtp_reply_read() does, conn_starttls() works
 * directly.)
 */
int pp_starttls(struct pp *p, struct err *e);

/*
 * Queue one command line; CRLF is added. The formatted line must hold no
 * CR, LF or NUL (else ERR_DATA "line break in command", nothing queued):
 * this stops a header value or address from smuggling a second command.
 * Shown in the transcript as is. Nothing is sent before pp_flush().
 */
int pp_cmd(struct pp *p, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Queue the command line pub followed by secret (CRLF added); the
 * transcript shows pub then "<redacted>". pub may be "" (a SASL
 * continuation line). Same CR/LF/NUL check on both.
 */
int pp_cmd_secret(struct pp *p, const char *pub, const char *secret,
	struct err *e);
/* Send everything queued (conn_flush). */
int pp_flush(struct pp *p, struct err *e);

/*
 * Line ends to CRLF for message data (SMTP DATA and BDAT, an IMAP APPEND
 * literal), with SMTP's dot-stuffing when asked: append the converted
 * bytes of in to out (no cap check beyond buf's: -1 if out's cap is hit).
 * Line ends become CRLF (LF alone and CR alone too; CRLF stays), with
 * dotstuff a line starting with '.' gets a second '.'; line starts are
 * tracked across chunks.
 * pp_crlf_finish() appends a CRLF if the data did not end with a line
 * end (and resolves a pending CR). Initialise with pp_crlf_init().
 */
void pp_crlf_init(struct pp_crlf *st, int dotstuff);
int pp_crlf_add(struct pp_crlf *st, struct buf *out, const void *in,
	size_t len);
int pp_crlf_finish(struct pp_crlf *st, struct buf *out);

/*
 * Queue n raw bytes (an IMAP literal's content, a BDAT chunk): written as
 * is; each call is one data block in the transcript ("> [message data: n
 * bytes]").
 */
int pp_write_data(struct pp *p, const void *data, size_t len, struct err *e);
/*
 * The same for data written in several calls (SMTP DATA): each part goes
 * on the same data block, which pp_write_data_end() closes.
 */
int pp_write_data_part(struct pp *p, const void *data, size_t len,
	struct err *e);
void pp_write_data_end(struct pp *p);

/*
 * The replies still owed, oldest first. Each command queued ahead of its
 * reply (pipelined, RFC 2920; POP3 PIPELINING, RFC 2449; IMAP tags) pushes
 * what it expects: the engine's own kind of command and two indexes of its
 * choosing (a message and a recipient, say). The engine flushes once, then
 * reads the replies in order and hands each to the handler for its item.
 * Initialise to all zeroes (PP_QUEUE_INIT); pp_queue_release frees.
 */
struct pp_expect {
	int kind;
	size_t a, b;
};

struct pp_queue {
	struct pp_expect *v;
	size_t n, alloc;
};

#define PP_QUEUE_INIT { NULL, 0, 0 }

void pp_queue_push(struct pp_queue *q, int kind, size_t a, size_t b);
/* Forget the n oldest items (answered); the rest stay in order. */
void pp_queue_drop(struct pp_queue *q, size_t n);
void pp_queue_release(struct pp_queue *q);

#endif
