/*
 * msgprep.h: a message on its way to the SMTP engine (msend).
 *
 * The message is read once into one buffer (raw), with every line end
 * normalised to CRLF, so the bytes counted for SIZE are the bytes sent and
 * BDAT can send them as they are. Nothing else holds a copy of the body:
 * preparation builds a new header section (head: the kept fields plus the
 * added ones, ending with the empty line) and the message on the wire is
 * head followed by raw from body_off. Header fields are (offset, length)
 * views into raw. msgprep_read_spool() keeps only the header in raw and
 * writes the normalised body to a file instead (msend's sendmail mode).
 *
 * RFC 5322 (header fields, Resent-*, Date, Message-ID), RFC 6152 (8-bit
 * bodies), RFC 6531 (UTF-8 in addresses and header fields).
 */
#ifndef MKIT_MSGPREP_H
#define MKIT_MSGPREP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/addrsplit.h"

enum msgprep_read_flags {
	/* sendmail without -i: a line holding a single "." ends the input. */
	MSGPREP_DOT_ENDS = 1 << 0,
	/* Keep a leading mbox "From " line (by default it is dropped, as
	 * sendmail does). */
	MSGPREP_KEEP_FROM_LINE = 1 << 1,
};

/* A field of the header section, split as the MIME parser splits it
 * (mime_header_line). name_len 0: a part of the header section that names
 * no field (folded lines before the first field, or ":value"); kept in
 * place as it is, never found by name. */
struct msgprep_field {
	size_t off;		/* start of "Name:" in raw */
	size_t len;		/* through the CRLF of its last line */
	size_t name_len;	/* length of the name, without ':' */
};

struct msgprep {
	struct buf raw;		/* the message, CRLF line ends */
	size_t start;		/* first byte of the message in raw */
	size_t body_off;	/* first byte of the body in raw */
	int has_blank;		/* an empty line separated header and body */
	struct msgprep_field *fields;
	size_t nfields;
	struct buf head;	/* prepared header section (msgprep_prepare) */
	/* msgprep_read_spool(): the body is not in raw but spool_len bytes
	 * of spool_fd (borrowed) from where it was when reading began. */
	int spool_fd;		/* -1: none */
	size_t spool_len;
	int spool_8bit;		/* the spooled body holds bytes >= 0x80 */
};

/* What msgprep_prepare does with the header (account keys of msmtp). */
enum msgprep_mode {
	MSGPREP_AUTO = 0,	/* add when missing */
	MSGPREP_ON,		/* From only: replace */
	MSGPREP_OFF,		/* leave alone */
};

struct msgprep_opts {
	const char *envelope_from;	/* for From: and the Message-ID */
	const char *full_name;		/* -F, or NULL */
	const char *domain;		/* Message-ID domain, or NULL */
	enum msgprep_mode set_from;
	enum msgprep_mode set_date;
	enum msgprep_mode set_msgid;
	int remove_bcc;			/* drop Bcc and Resent-Bcc */
	int undisclosed;		/* To/Cc/Bcc become an empty group */
	long long now;			/* time for Date:; 0: time(NULL) */
};

void msgprep_init(struct msgprep *m);
void msgprep_release(struct msgprep *m);

/*
 * Read a message from fd until end of file (or a "." line with
 * MSGPREP_DOT_ENDS), normalising LF and CRLF line ends to CRLF and ending
 * the last line with CRLF, then scan its header (msgprep_scan). max caps the
 * size (0: no cap). Errors: ERR_IO (read failed), ERR_DATA (larger than
 * max, or a header that cannot be scanned).
 */
int msgprep_read_fd(struct msgprep *m, int fd, unsigned flags, size_t max,
	struct err *err);

/*
 * As msgprep_read_fd() for sendmail mode's large messages: only the header
 * section is kept in raw (up to 16 MiB: ERR_DATA beyond); the body,
 * normalised the same way as it arrives, is written to spool (a file the
 * caller opened, msgprep_read_spool writes from its current offset; an
 * unlinked mbuild_tmpfile()) and never held whole: memory stays bounded
 * whatever the size. raw then ends where the body begins (body_off ==
 * raw.len), spool_len counts the spooled bytes and msgprep_size(),
 * msgprep_is_8bit() include them. Errors as msgprep_read_fd(), and ERR_IO
 * when the spool cannot be written (ENOSPC: named in the message).
 */
int msgprep_read_spool(struct msgprep *m, int fd, int spool, unsigned flags,
	size_t max, struct err *err);

/*
 * msgprep_read_spool() for a caller that reads the message itself and
 * hands it over in pieces of any size (msend -bs: DATA, dot-unstuffed):
 * begin, then add each piece in order, then finish; release in every case.
 * add returns 0 to go on, 1 when a "." line ended the message
 * (MSGPREP_DOT_ENDS: add no more), -1 on the errors of
 * msgprep_read_spool(); after an error, only release. finish scans the
 * header (0, or -1 as msgprep_read_spool()).
 */
struct msgprep_norm {		/* msgprep.c's line-end normaliser */
	struct buf *raw;
	size_t line;
	unsigned flags;
	int spilled;
};

struct msgprep_spool {		/* private to msgprep.c */
	struct msgprep *m;
	struct msgprep_norm n;
	struct buf body;
	size_t scan, end, max;
	int in_head, first, ended;
};

void msgprep_spool_begin(struct msgprep_spool *sp, struct msgprep *m,
	int spool, unsigned flags, size_t max);
int msgprep_spool_add(struct msgprep_spool *sp, const char *p, size_t len,
	struct err *err);
int msgprep_spool_finish(struct msgprep_spool *sp, struct err *err);
void msgprep_spool_release(struct msgprep_spool *sp);

/*
 * The same from memory (for --batch): p is copied, normalised.
 */
int msgprep_set(struct msgprep *m, const char *p, size_t len, unsigned flags,
	struct err *err);

/* Split raw into header fields and body, as the MIME parser does: the
 * header section ends at an empty line or before the first line that is
 * neither a field nor a folded line (mime.h, mime_header_line). Called by
 * the two above. ERR_DATA for more than 10,000 fields. */
int msgprep_scan(struct msgprep *m, struct err *err);

/*
 * The i-th field called name (ASCII case ignored), i counting from 0:
 * its unfolded value (CRLF and the leading blank removed) in a new string
 * the caller frees, or NULL when there is no such field.
 */
char *msgprep_header(const struct msgprep *m, const char *name, size_t i);

/* Is there a field called name? Also counts fields starting with name
 * when name ends with '-' ("Resent-"). */
int msgprep_has(const struct msgprep *m, const char *name);

/*
 * sendmail -t: append the addresses of To, Cc and Bcc to out; when any
 * Resent- field is present, those of Resent-To, Resent-Cc and Resent-Bcc
 * instead (RFC 5322 3.6.6). Returns the number appended, or -1 with
 * ERR_DATA for an address list that cannot be parsed.
 */
int msgprep_recipients(const struct msgprep *m, struct addrvec *out,
	struct err *err);

/*
 * The addr-spec of the first address in From (or Resent-From when a
 * Resent- block is present) as a new string, or NULL when there is none.
 * For --read-envelope-from and --batch.
 */
char *msgprep_from_address(const struct msgprep *m);

/*
 * Build head from the scanned fields and opts. Values from the caller
 * (full_name, envelope_from, domain) must not hold CR, LF or NUL:
 * ERR_USAGE otherwise. A non-ASCII full name is written as an RFC 2047
 * encoded word.
 */
int msgprep_prepare(struct msgprep *m, const struct msgprep_opts *o,
	struct err *err);

/* Append "Date: ...\r\n" for now (local time and zone) to b. */
void msgprep_add_date(struct buf *b, long long now);
/* Append "Message-ID: <now.pid.random@domain>\r\n" to b; the domain is
 * domain, else from's (after its last '@'), else "localhost". */
void msgprep_add_msgid(struct buf *b, const char *domain, const char *from,
	long long now);

/* Bytes on the wire (before dot-stuffing): head plus body (spooled or
 * not). */
size_t msgprep_size(const struct msgprep *m);
/* The body held in memory: raw from body_off (empty when spooled). */
const char *msgprep_body(const struct msgprep *m, size_t *len);

/* Does the message hold bytes >= 0x80 anywhere (BODY=8BITMIME)? */
int msgprep_is_8bit(const struct msgprep *m);
/* Does the prepared header hold bytes >= 0x80 (SMTPUTF8)? */
int msgprep_header_utf8(const struct msgprep *m);
/* Does s hold bytes >= 0x80? */
int msgprep_str_utf8(const char *s);
/* Do the n bytes at p? */
int msgprep_mem_8bit(const char *p, size_t n);

/*
 * An envelope address from the command line or a header: refuses
 * (ERR_USAGE) CR, LF, NUL, '<', '>' and blanks. "" is valid (the null
 * sender).
 */
int msgprep_check_addr(const char *addr, struct err *err);

/* Aliases (msmtp format: "local: addr, addr" lines, '#' comments,
 * "default: addr"). */
struct aliases;

/* Load the file; ERR_CONFIG ("file:line: ...") or ERR_NOINPUT. */
struct aliases *aliases_load(const char *path, struct err *err);
void aliases_free(struct aliases *a);
/*
 * Replace every recipient without '@' by its alias list (or by "default"'s,
 * when it has no alias of its own); others are kept. Not recursive.
 */
void aliases_expand(const struct aliases *a, struct addrvec *rcpts);

#endif
