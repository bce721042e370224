/*
 * imap_reply.h: the IMAP response reader, over the line layer (net/pp.h).
 *
 * One call reads one whole response (RFC 9051 7, RFC 3501 9): tagged,
 * untagged or a continuation request, with every literal it carries. The
 * data of a response is a flat array of tokens in wire order (atoms,
 * strings, NIL, lists, streamed literals); a list token records where its
 * contents end, so a walker skips a list in one step. Strings (quoted,
 * unescaped; literals kept in memory) live in the response's arena.
 *
 * Literals: a literal that is the value of a FETCH item carrying message
 * bytes (BODY[...], BINARY[...], RFC822, RFC822.HEADER, RFC822.TEXT) is
 * offered to a sink (struct imap_sink), which may take it as a stream: the
 * bytes then never sit whole in memory, and the token holds only the size.
 * Every other literal is kept, within the arena's cap.
 *
 * Bounds, each an ERR_PROTOCOL naming what broke, with the line in
 * e->reply: a line longer than the pp's max_line, nesting deeper than
 * IMAP_MAX_DEPTH, unbalanced parentheses or brackets, an unterminated
 * quoted string, a literal over max_literal (streamed) or over what the
 * arena has left (kept), a streamed literal larger than the RFC822.SIZE
 * the same FETCH announced before it (or, for the whole message, BODY[]
 * or RFC822, of another size), more than IMAP_MAX_TOKENS tokens.
 */
#ifndef MKIT_IMAP_REPLY_H
#define MKIT_IMAP_REPLY_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"

/*
 * Does the line (without its CRLF) end with a literal announcement:
 * "{n}", "{n+}" (non-synchronizing) or "~{n}" (literal8)? Returns 1 and
 * sets *n, or 0. A malformed count (no digits, over 20 digits or over
 * UINT64 range) returns -1: ERR_PROTOCOL for the caller. The caller reads
 * the n bytes with pp_read_bytes, then the rest of the response with
 * pp_read_line.
 */
int imap_reply_literal(const char *line, size_t len, unsigned long long *n);

#define IMAP_MAX_DEPTH		32
#define IMAP_MAX_TOKENS		(1u << 20)
#define IMAP_ARENA_CAP		(16u << 20)
#define IMAP_MAX_LITERAL_DEFAULT	(1ull << 30)

enum imap_tok_type {
	IMAP_TOK_ATOM,		/* also numbers, flags, BODY[...]<n> */
	IMAP_TOK_STRING,	/* quoted or literal, kept */
	IMAP_TOK_NIL,
	IMAP_TOK_LIST,		/* ( ... ): contents are the next tokens */
	IMAP_TOK_STREAMED,	/* a literal the sink took: size only */
};

struct imap_tok {
	unsigned char type;	/* enum imap_tok_type */
	unsigned char depth;	/* 0 at the top level of the data */
	size_t off, len;	/* bytes in the arena (atom, string) */
	size_t end;		/* LIST: index of the first token after it;
				   others: own index + 1 */
	unsigned long long size; /* STREAMED: bytes given to the sink */
};

enum imap_resp_kind {
	IMAP_UNTAGGED,		/* "* ..." */
	IMAP_TAGGED,		/* "A1 OK ..." */
	IMAP_CONTINUE,		/* "+ ..." */
};

enum imap_status {
	IMAP_ST_NONE,		/* a data response: "* 3 EXISTS", "* LIST" */
	IMAP_ST_OK,
	IMAP_ST_NO,
	IMAP_ST_BAD,
	IMAP_ST_BYE,
	IMAP_ST_PREAUTH,
};

/*
 * A literal sink. begin() is called when a message-bytes literal is
 * announced: r holds the response so far (r->name, r->num, the tokens
 * before it), item is the token index of the item name (BODY[] ...), size
 * the announced size. It returns 1 to take the bytes (then data() gets
 * them in order, and end() once all arrived), 0 to leave the literal kept
 * in the arena, -1 with e to fail the read. data() and end() return 0 or
 * -1 with e. After a failure inside a streamed literal, abort() (may be
 * NULL) is called so the sink can throw away what it got.
 */
struct imap_resp;
struct imap_sink {
	void *ctx;
	int (*begin)(void *ctx, const struct imap_resp *r, size_t item,
		unsigned long long size, struct err *e);
	int (*data)(void *ctx, const void *d, size_t n, struct err *e);
	int (*end)(void *ctx, struct err *e);
	void (*abort)(void *ctx);
};

struct imap_resp {
	enum imap_resp_kind kind;
	char tag[32];		/* TAGGED: the tag */
	int has_num;		/* "* 3 EXISTS": num is 3 */
	unsigned long long num;
	char name[32];		/* upper case: "EXISTS", "FETCH", "LIST",
				   "OK"... ("" for a continuation) */
	enum imap_status status;
	/* Status responses: the response code's tokens [code, code_end)
	   (code_end == code: none) and the human text. */
	size_t code, code_end;
	size_t text_off, text_len;	/* in the arena (also "+ text") */
	/* Data: tokens [data, ntok). */
	size_t data;
	struct imap_tok *tok;
	size_t ntok, atok;
	struct buf arena;	/* capped at IMAP_ARENA_CAP */
	unsigned long long max_literal;	/* streamed literal cap */
	/* private: parser state across the lines of one response */
	size_t stack[IMAP_MAX_DEPTH];
	unsigned depth;
	int in_code;
	unsigned long long fetch_size;	/* RFC822.SIZE seen, or ~0 */
};

void imap_resp_init(struct imap_resp *r);
void imap_resp_release(struct imap_resp *r);

/*
 * Read the next response from p into r (what it held before is
 * forgotten). sink may be NULL (every literal kept). Errors: those of
 * pp_read_line (ERR_IO on a connection closed, ERR_TEMPFAIL on timeout),
 * ERR_PROTOCOL as listed at the top, and the sink's.
 */
int imap_resp_read(struct pp *p, struct imap_resp *r,
	const struct imap_sink *sink, struct err *e);

/* Token i's bytes (atom or string; "" for others), and its length. */
const char *imap_tok_str(const struct imap_resp *r, size_t i, size_t *len);
/* Is token i an atom equal to s, ignoring case? */
int imap_tok_is(const struct imap_resp *r, size_t i, const char *s);
/* Token i as a number (an atom of 1 to 20 digits within range): 0 and *v,
 * or -1. */
int imap_tok_num(const struct imap_resp *r, size_t i, unsigned long long *v);
/* Token i as a string: an atom, string or NIL (NULL, len 0). Copy into
 * out (NUL-terminated, cut to size): 0, or -1 for a list or streamed. */
int imap_tok_copy(const struct imap_resp *r, size_t i, char *out,
	size_t size);
/*
 * In a FETCH response (tokens: the item list at r->data), the value of
 * item name (e.g. "UID", "FLAGS", "BODY[]"): its token index, or 0 when
 * absent (index 0 is never a value: it is the list itself).
 */
size_t imap_fetch_item(const struct imap_resp *r, const char *name);
/* The response code's name ("UIDVALIDITY"), upper case into out, "" when
 * none. */
void imap_resp_code(const struct imap_resp *r, char *out, size_t size);

#endif
