/*
 * mimetext.h: the best text body of a message, as "mparse text" shows it.
 *
 * The choice: the first text/plain leaf (text/html with MIME_TEXT_HTML)
 * that is not an attachment and not inside an attached message
 * (message/rfc822: its text is not this message's own); when there is
 * none, the first such leaf of the other type. The chosen text comes out
 * converted to UTF-8 while the parser goes, so a long body is never held;
 * the fallback is held until the end of the message, when it is known to
 * be needed. A part whose charset is unknown comes out as it is.
 *
 * Use: mime_text_init; from the parser sink's callbacks, mime_text_begin,
 * mime_text_data and mime_text_end for every entity, printing what they
 * append; after mime_parser_finish, mime_text_finish; mime_text_release.
 */
#ifndef MKIT_MIMETEXT_H
#define MKIT_MIMETEXT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/charset.h"
#include "mime/mime.h"

enum mime_text_flags {
	MIME_TEXT_HTML = 1 << 0,	/* prefer text/html */
};

struct mime_text {
	/* private */
	unsigned int flags;
	int depth_msg;		/* open message parts */
	int streaming;		/* 1: the chosen leaf is open */
	int done;		/* the chosen leaf has ended */
	int conv_ok;
	struct charset_conv conv;
	int alt;		/* fallback: 0 none, 2 filling, 1 complete */
	int alt_ok;
	struct charset_conv aconv;
	struct buf held;	/* the fallback's text */
};

void mime_text_init(struct mime_text *t, unsigned int flags);
/* An entity begins. Returns 0, or -1 with e (ERR_DATA) when it is the
 * chosen leaf and its charset is unknown: its bytes come out as they are. */
int mime_text_begin(struct mime_text *t, const struct mime_part *p,
	struct err *e);
/* Decoded bytes of the open leaf: appends to out the text to show now. */
void mime_text_data(struct mime_text *t, const void *data, size_t len,
	struct buf *out);
/* An entity ends: appends to out the rest of the chosen text. Returns 1
 * when the chosen leaf has just ended, else 0. */
int mime_text_end(struct mime_text *t, const struct mime_part *p,
	struct buf *out);
/* The message has ended: appends the fallback to out when no leaf of the
 * preferred type was found. Returns 1 when a text was chosen (out may
 * then be empty), 0 when the message has none. */
int mime_text_finish(struct mime_text *t, struct buf *out);
void mime_text_release(struct mime_text *t);

#endif
