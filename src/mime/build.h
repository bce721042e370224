/*
 * build.h: the MIME builder (msend's composer): a complete RFC 5322 /
 * MIME message from a few fields, a text body, an HTML body, attachments
 * and inline parts.
 *
 * RFC 5322 (header fields, folding at 78), RFC 2045-2047 (MIME, encoded
 * words), RFC 2183 + RFC 2231 (file names), RFC 2387 (multipart/related),
 * RFC 2392 (Content-ID), RFC 6532 (UTF-8 addresses, given as they are).
 *
 * The structure: the text body alone; text + HTML as multipart/alternative;
 * inline parts with the HTML (or the text) in multipart/related;
 * attachments after all that in multipart/mixed.
 *
 * Encodings: a text body is 7bit when it is (no byte >= 0x80, no NUL,
 * no bare CR, lines within 998 bytes, no line that starts like one of our
 * boundaries), else quoted-printable; a text attachment is
 * quoted-printable, any other base64 (message and multipart files go
 * as application/octet-stream: they may not be base64-encoded).
 * Boundaries ("=_mkit_" + random) contain "=_", which quoted-printable and
 * base64 never write: no encoded part can hold one, by construction.
 *
 * Streaming: every file is read in slices as it is written; only the text
 * and HTML bodies are read twice (once to choose their encoding), so a
 * body on a pipe is first copied to a temporary file. Memory stays bounded
 * whatever the sizes.
 *
 * The output has CRLF line ends (the wire form); the caller converts them
 * for a file if it wants to. Nothing here prints.
 */
#ifndef MKIT_BUILD_H
#define MKIT_BUILD_H

#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/addrsplit.h"

/* A file to attach or show inline (borrowed strings). */
struct mbuild_file {
	const char *path;
	const char *type;	/* media type, or NULL: guessed */
	const char *name;	/* file name shown, or NULL: path's base name */
	const char *cid;	/* inline: Content-ID without <>, or NULL: the
				   file name shown */
};

enum mbuild_flags {
	MBUILD_BCC = 1 << 0,	/* write the Bcc field (a printed message) */
};

/* What the message is made of. Everything is borrowed. */
struct mbuild_opts {
	const char *from;	/* address list ("Name <a@b>"), or NULL */
	const char *const *to;	/* each an address list */
	size_t nto;
	const char *const *cc;
	size_t ncc;
	const char *const *bcc;
	size_t nbcc;
	const char *reply_to;	/* or NULL */
	const char *subject;	/* UTF-8, or NULL */
	const char *const *headers;	/* "Name: value", UTF-8 */
	size_t nheaders;
	int body_fd;		/* the UTF-8 text body, or -1: none (empty) */
	int html_fd;		/* the HTML body, or -1: none */
	const struct mbuild_file *attach;
	size_t nattach;
	const struct mbuild_file *inl;
	size_t ninl;
	const char *const *mime_types;	/* mime.types files (mimetypes.h) */
	const char *domain;	/* Message-ID's domain, or NULL: from's */
	long long now;		/* Date; 0: time(NULL) */
	unsigned flags;		/* enum mbuild_flags */
};

struct mbuild_leaf;

/* A message being built. */
struct mbuild {
	const struct mbuild_opts *o;
	struct mbuild_leaf *leaf;	/* text, html, inline..., attach... */
	size_t nleaf;
	char bnd[32];		/* boundary stem; "_NN" is added per level */
};

/* Write len bytes of the message somewhere: 0, or -1 with e filled. */
typedef int mbuild_write_fn(void *arg, const void *p, size_t len,
	struct err *e);

/*
 * Refuse a value from the command line holding CR or LF (header
 * injection): ERR_USAGE "OPT: the value holds a line break (CR or LF)",
 * opt being the option that gave it ("--subject").
 */
int mbuild_check_value(const char *opt, const char *value, struct err *e);

/*
 * Check o (borrowed until mbuild_release), open every file and choose
 * every part's type and encoding, before a byte is written: a missing file
 * or a bad value fails here, not halfway. Errors: ERR_USAGE (a line break
 * in a value, an empty address list, a --header without "Name: value" or
 * naming a field the builder writes, a malformed type), ERR_NOINPUT (a
 * file that cannot be opened or is not a regular file), ERR_IO (a body
 * that cannot be read), ERR_CANTCREAT (no temporary file for a body on a
 * pipe). On error, mbuild_release() is still to be called.
 */
int mbuild_init(struct mbuild *b, const struct mbuild_opts *o,
	struct err *e);

/* Append the header section, with the empty line that ends it. */
int mbuild_head(struct mbuild *b, struct buf *out, struct err *e);

/*
 * Write the body (after the header section) through w, in slices of at
 * most about 64 KiB. Can be called once. Errors: those of w; ERR_IO when
 * a file cannot be read or changed size while being read.
 */
int mbuild_body(struct mbuild *b, mbuild_write_fn *w, void *arg,
	struct err *e);

/* Append the addr-spec of every To, Cc and Bcc address to out (the SMTP
 * envelope). */
void mbuild_recipients(const struct mbuild_opts *o, struct addrvec *out);

/*
 * Parse a command line's "FILE[;type=T][;name=N][;cid=ID]" (cid= only when
 * inl is set) into f, cutting arg in place (f points into it). The
 * parameters start at the first ";type=", ";name=" or ";cid=" (a file name
 * may hold ';'). Errors: ERR_USAGE "OPT: unknown parameter \"x=y\"...",
 * "OPT: no file".
 */
int mbuild_file_parse(struct mbuild_file *f, const char *opt, char *arg,
	int inl, struct err *e);

/* Close the files, free what b holds. */
void mbuild_release(struct mbuild *b);

/*
 * A sink turning the message's CRLF line ends into LF (for a file or a
 * pipe, as Unix tools expect) and writing to fd: w = mbuild_write_lf with
 * arg pointing to a struct mbuild_lf set to { fd, 0 }.
 */
struct mbuild_lf {
	int fd;
	int cr;			/* a CR held back from the last slice */
};
int mbuild_write_lf(void *arg, const void *p, size_t len, struct err *e);
/* Write to fd as it is (arg: a pointer to the int fd). */
/*
 * An unlinked temporary file in $TMPDIR (else /tmp), open for reading and
 * writing: the spool of a body on a pipe, or of a message whose size SMTP
 * must know first. Returns the fd, or -1 with ERR_CANTCREAT.
 */
int mbuild_tmpfile(struct err *e);

int mbuild_write_fd(void *arg, const void *p, size_t len, struct err *e);

#endif
