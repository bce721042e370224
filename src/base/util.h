/*
 * util.h: allocation that cannot fail, and small string helpers.
 *
 * The library never exits, with one exception: when memory runs out, the
 * x*alloc functions print "mkit: out of memory" and abort(). Every other
 * failure is returned to the caller through struct err (err.h).
 */
#ifndef MKIT_UTIL_H
#define MKIT_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Both return a NUL-terminated copy the caller frees. */
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n);

/* ASCII-only case-insensitive compare of n bytes (locale independent). */
int mem_casecmp(const void *a, const void *b, size_t n);
/* Does s (len bytes) start with the NUL-terminated prefix, ignoring case? */
int has_prefix_ci(const char *s, size_t len, const char *prefix);

/* path for messages, with $HOME shown as "~" ("~/.netrc"); a new string
 * the caller frees. */
char *path_tilde(const char *path);

struct buf;

/*
 * Append to b the directory where mkit keeps state of the kind sub
 * ("imap", "uidls", "queue"; DESIGN.md 7): $XDG_STATE_HOME/mkit/SUB when
 * that is an absolute path, else $HOME/.local/state/mkit/SUB. Returns -1,
 * b unchanged, when neither is set.
 */
int state_dir(struct buf *b, const char *sub);

/*
 * Hexadecimal, the one implementation for the whole tree.
 * hex_value: the value 0..15 of the hex digit c (either case), or -1.
 */
int hex_value(int c);

enum hex_flags {
	HEX_UPPER = 1 << 0,	/* "AB" rather than "ab" */
	HEX_COLONS = 1 << 1,	/* a ':' between two bytes: "AB:CD" */
};

/* The two hex digits of c at out[0] and out[1], no NUL: for escapes such
 * as "=XY", "%XY", "\xhh". flags: HEX_UPPER or 0. */
void hex_byte(char *out, unsigned char c, unsigned flags);

/*
 * Write the n bytes at p as hex to out, then a NUL. out must hold 2n + 1
 * bytes, or 3n (n > 0) with HEX_COLONS. Returns the length written, the
 * NUL not counted.
 */
size_t hex_encode(char *out, const void *p, size_t n, unsigned flags);

/*
 * Decode hex pairs (either case), where sep (a character, or 0 for none)
 * may follow any pair but the last: with sep ':' both "ab:CD:ef" and
 * "abCDef" give 3 bytes; a leading, trailing or doubled sep is refused.
 * Writes at most outsz bytes to out. Returns the number of bytes, or -1
 * when s is empty, not of that form, or longer than outsz bytes.
 */
long hex_decode(const char *s, int sep, unsigned char *out, size_t outsz);

/* Bytes of the longest fingerprint fingerprint_parse() returns. */
#define FINGERPRINT_MAX 64

/*
 * A certificate fingerprint as msmtp's tls_fingerprint writes it and
 * "openssl x509 -noout -fingerprint -sha256" prints it: hex pairs, either
 * case, ':' between pairs optional (hex_decode with ':'). Writes the bytes
 * to out and returns their number: 32 is SHA-256; a caller that accepts
 * only SHA-256 names 20 (SHA-1) and 16 (MD5) in its refusal. -1 when
 * malformed or longer than FINGERPRINT_MAX bytes.
 */
long fingerprint_parse(const char *s, unsigned char out[FINGERPRINT_MAX]);

/* Overwrite n bytes at p with zeros in a way the compiler keeps (a secret
 * about to be freed or to go out of scope). p may be NULL when n is 0. */
void secure_wipe(void *p, size_t n);

/*
 * Append the items of list, separated by commas ("subject, from"), to the
 * array *v of *n new strings, growing it: blanks before an item dropped,
 * empty items skipped, ASCII letters lowercased when lower. Free with
 * strv_free().
 */
void strv_add_list(char ***v, size_t *n, const char *list, int lower);
/* Free the n strings of v and v itself (NULL with n 0 is fine). */
void strv_free(char **v, size_t n);

/*
 * A test's kill -9 at a named point of the code, for the suite's crash
 * tests: with MKIT_TEST_KILL=POINT the process kills itself the first
 * time it passes test_kill_point("POINT"), with MKIT_TEST_KILL=POINT:N
 * after passing it N times. Nothing when the variable is unset or names
 * another point.
 */
void test_kill_point(const char *point);

/* FNV-1a, 64 bits, of the string s: for in-memory hash tables, never for
 * anything an attacker's choice of keys must not slow down. */
uint64_t str_hash64(const char *s);
/* The same over the n bytes at p (str_hash64(s) is mem_hash64(s,
 * strlen(s))). */
uint64_t mem_hash64(const void *p, size_t n);

/*
 * A string pool: many short strings (a mailbox's UIDLs) copied into blocks
 * that never move, without a malloc header each, all freed at once by
 * strpool_release(). Zero it (STRPOOL_INIT) before use.
 */
struct strpool {
	char *blk;		/* the newest block; it starts with a pointer
				   to the one before */
	size_t used, size;	/* bytes used and held in it */
};

#define STRPOOL_INIT { NULL, 0, 0 }

/* A NUL-terminated copy of s[0..n), owned by the pool. */
char *strpool_add(struct strpool *sp, const char *s, size_t n);
void strpool_release(struct strpool *sp);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
