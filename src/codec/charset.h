/*
 * charset.h: everything to UTF-8 (iconv), UTF-8 checks and NFC
 * (GNU libunistring), and RFC 6532 raw 8-bit header text.
 *
 * Charset names are matched as iconv knows them, case-insensitively, after
 * mapping the common aliases and mistakes seen in mail: "utf8", "latin1",
 * "iso8859-1", "ks_c_5601-1987", "gb2312" (read as GB18030), "iso-8859-1"
 * (read as windows-1252, as every mail reader does); "us-ascii", "ascii",
 * "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "8bit" and the
 * empty name are read as raw 8-bit text (as charset_raw_to_utf8: UTF-8
 * where valid, otherwise windows-1252). Names holding '/' or '?' or
 * longer than 63 bytes are unknown. iconv descriptors are cached per name
 * for speed (the cache is process-wide and not thread-safe).
 *
 * Conversion to UTF-8 never fails on bad input: a sequence the source
 * charset cannot decode becomes U+FFFD and is counted. It fails only on an
 * unknown charset (ERR_DATA, "unknown charset \"x\""), so that callers can
 * give null text, or when out's cap would be exceeded (ERR_PROTOCOL, "text
 * too long"); out then holds a prefix.
 */
#ifndef MKIT_CHARSET_H
#define MKIT_CHARSET_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* 1 if text in this charset can be converted to UTF-8, else 0. */
int charset_known(const char *name);
/* 1 if the name means UTF-8 (any spelling: "UTF-8", "utf8"), else 0. */
int charset_is_utf8(const char *name);
/* 1 if the name means US-ASCII, else 0. */
int charset_is_ascii(const char *name);

enum charset_flags {
	CHARSET_NFC = 1 << 0,	/* normalise the result to NFC */
};

/* Convert len bytes of text in charset to UTF-8, appended to out. If
 * nbad is not NULL, the count of replaced sequences is added to it. */
int charset_to_utf8(const char *charset, const void *in, size_t len,
	unsigned int flags, struct buf *out, size_t *nbad, struct err *e);

/* Convert UTF-8 text to charset (for the composer). Fails with ERR_DATA if
 * a character has no mapping or the input is not UTF-8. */
int charset_from_utf8(const char *charset, const void *in, size_t len,
	struct buf *out, struct err *e);

/*
 * Streaming conversion to UTF-8: for body parts. A multibyte sequence split
 * across chunks is completed with the next chunk; at finish an incomplete
 * sequence becomes U+FFFD. No NFC here (it is not stream-safe).
 * init fails only with ERR_DATA on an unknown charset; feed and finish
 * only when out's cap would be exceeded. release frees the state.
 */
struct charset_conv {
	void *cd;		/* private: iconv descriptor, or NULL */
	char *name;		/* private: its name, for the cache */
	int kind;		/* private: fast paths (UTF-8, raw, ...) */
	unsigned char pend[16];	/* bytes of an unfinished sequence */
	size_t npend;
	size_t nbad;		/* sequences replaced by U+FFFD so far */
};

int charset_conv_init(struct charset_conv *c, const char *charset,
	struct err *e);
int charset_conv_feed(struct charset_conv *c, const void *in, size_t len,
	struct buf *out, struct err *e);
int charset_conv_finish(struct charset_conv *c, struct buf *out,
	struct err *e);
void charset_conv_release(struct charset_conv *c);

/* 1 if s holds valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int charset_utf8_valid(const void *s, size_t len);
/* 1 if s holds only bytes < 0x80. */
int charset_is_7bit(const void *s, size_t len);

/* Append the NFC form of UTF-8 text to out. Invalid UTF-8 is first
 * repaired as by charset_raw_to_utf8. -1 only on out's cap. */
int charset_nfc(const void *s, size_t len, struct buf *out);

/* RFC 6532: raw 8-bit header bytes to UTF-8. Valid UTF-8 sequences are
 * kept; every other byte is read as windows-1252 (latin1 where 1252 has a
 * hole). Appends to out; -1 only on out's cap. */
int charset_raw_to_utf8(const void *s, size_t len, struct buf *out);

/* Free the cached iconv descriptors (at exit, for leak checkers). */
void charset_cache_clear(void);

#endif
