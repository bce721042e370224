/*
 * base64.c: see base64.h.
 *
 * The decoder's inner loop takes four table lookups per quad and writes
 * three bytes; anything unusual (a skipped character, '=', a chunk end)
 * drops to the one-character-at-a-time path, which keeps the state.
 */
#include <config.h>

#include <string.h>

#include "codec/base64.h"

enum { B64_SKIP = 0x40, B64_PAD = 0x41, B64_BAD = 0x42 };

/* 0..63: alphabet value; SKIP: white space; PAD: '='; BAD: anything else. */
static const unsigned char dtab[256] = {
#define X B64_BAD
#define S B64_SKIP
	X, X, X, X, X, X, X, X, X, S, S, X, X, S, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	S, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, B64_PAD, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
#undef X
#undef S
};

static const char etab[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
b64_dec_init(struct b64_dec *d)
{
	memset(d, 0, sizeof *d);
}

/* Write the bytes of a partial group of n (2 or 3) characters. */
static size_t
flush_partial(unsigned int acc, int n, unsigned char *o)
{
	if (n == 2) {
		o[0] = (unsigned char)(acc >> 4);
		return 1;
	}
	if (n == 3) {
		o[0] = (unsigned char)(acc >> 10);
		o[1] = (unsigned char)(acc >> 2);
		return 2;
	}
	return 0;
}

size_t
b64_dec_mem(struct b64_dec *d, const void *in, size_t len, void *out)
{
	const unsigned char *p = in ? in : "", *end = p + len;
	unsigned char *o = out, *o0 = out;
	unsigned int acc = d->acc;
	int n = d->n;

	while (p < end) {
		if (n == 0) {
			/* Fast path: whole quads of alphabet characters, and
			 * the line breaks between them. */
			for (;;) {
				while (end - p >= 4) {
					unsigned int a = dtab[p[0]];
					unsigned int b = dtab[p[1]];
					unsigned int c = dtab[p[2]];
					unsigned int e = dtab[p[3]];

					if ((a | b | c | e) & 0xc0)
						break;
					acc = a << 18 | b << 12 | c << 6 | e;
					o[0] = (unsigned char)(acc >> 16);
					o[1] = (unsigned char)(acc >> 8);
					o[2] = (unsigned char)acc;
					o += 3;
					p += 4;
				}
				if (end - p >= 6 && p[0] == '\r' &&
				    p[1] == '\n')
					p += 2;
				else if (end - p >= 5 && p[0] == '\n')
					p += 1;
				else
					break;
			}
			acc = 0;
			if (p == end)
				break;
		}
		unsigned int v = dtab[*p++];

		if (v < 64) {
			acc = acc << 6 | v;
			if (++n == 4) {
				o[0] = (unsigned char)(acc >> 16);
				o[1] = (unsigned char)(acc >> 8);
				o[2] = (unsigned char)acc;
				o += 3;
				n = 0;
				acc = 0;
			}
		} else if (v == B64_PAD) {
			o += flush_partial(acc, n, o);
			n = 0;
			acc = 0;
		} else if (v == B64_BAD) {
			d->invalid++;
		}
	}
	d->acc = acc;
	d->n = n;
	return (size_t)(o - o0);
}

int
b64_dec_buf(struct b64_dec *d, const void *in, size_t len, struct buf *out)
{
	const unsigned char *p = in;

	while (len) {
		/* Decode in slices so the room reserved stays bounded and a
		 * cap close to the real output size still works. */
		size_t n = len > 65536 ? 65536 : len, got;

		if (buf_grow(out, B64_DEC_MAX(n)) < 0) {
			unsigned char tmp[B64_DEC_MAX(64)];

			n = len > 64 ? 64 : len;
			got = b64_dec_mem(d, p, n, tmp);
			if (buf_add(out, tmp, got) < 0)
				return -1;
		} else {
			got = b64_dec_mem(d, p, n, out->data + out->len);
			out->len += got;
			out->data[out->len] = '\0';
		}
		p += n;
		len -= n;
	}
	return 0;
}

size_t
b64_dec_finish_mem(struct b64_dec *d, void *out)
{
	size_t n = flush_partial(d->acc, d->n, out);

	d->acc = 0;
	d->n = 0;
	return n;
}

int
b64_dec_finish_buf(struct b64_dec *d, struct buf *out)
{
	unsigned char tmp[3];
	size_t n = b64_dec_finish_mem(d, tmp);

	return buf_add(out, tmp, n);
}

int
b64_decode(const void *in, size_t len, struct buf *out)
{
	struct b64_dec d;

	b64_dec_init(&d);
	if (b64_dec_buf(&d, in, len, out) < 0)
		return -1;
	return b64_dec_finish_buf(&d, out);
}

void
b64_enc_init(struct b64_enc *e, unsigned int line_len, unsigned int flags)
{
	memset(e, 0, sizeof *e);
	if (line_len) {
		line_len &= ~3u;
		if (line_len < 4)
			line_len = 4;
	}
	e->line_len = line_len;
	e->flags = flags;
}

static size_t
eol(const struct b64_enc *e, char *o)
{
	if (e->flags & B64_ENC_LF) {
		o[0] = '\n';
		return 1;
	}
	o[0] = '\r';
	o[1] = '\n';
	return 2;
}

/* Encode whole groups of p (n a multiple of 3) to o; returns bytes
 * written. o needs n / 3 * 4 plus 2 per line break. */
static size_t
enc_groups(struct b64_enc *e, const unsigned char *p, size_t n, char *o)
{
	char *o0 = o;
	const unsigned char *end = p + n;

	while (p < end) {
		unsigned int v = (unsigned int)p[0] << 16 | p[1] << 8 | p[2];

		if (e->line_len && e->col >= e->line_len) {
			o += eol(e, o);
			e->col = 0;
		}
		o[0] = etab[v >> 18];
		o[1] = etab[(v >> 12) & 63];
		o[2] = etab[(v >> 6) & 63];
		o[3] = etab[v & 63];
		o += 4;
		e->col += 4;
		p += 3;
	}
	return (size_t)(o - o0);
}

static size_t
enc_room(const struct b64_enc *e, size_t n)
{
	size_t q = n / 3 * 4;

	return q + (e->line_len ? (q / e->line_len + 1) * 2 : 0);
}

int
b64_enc_buf(struct b64_enc *e, const void *in, size_t len, struct buf *out)
{
	const unsigned char *p = in ? in : "";

	if (e->nrest) {
		while (e->nrest < 3 && len) {
			e->rest[e->nrest++] = *p++;
			len--;
		}
		if (e->nrest < 3)
			return 0;
		if (buf_grow(out, enc_room(e, 3)) < 0)
			return -1;
		out->len += enc_groups(e, e->rest, 3, out->data + out->len);
		out->data[out->len] = '\0';
		e->nrest = 0;
	}
	while (len >= 3) {
		size_t n = len > 49152 ? 49152 : len - len % 3;

		if (buf_grow(out, enc_room(e, n)) < 0)
			return -1;
		out->len += enc_groups(e, p, n, out->data + out->len);
		out->data[out->len] = '\0';
		p += n;
		len -= n;
	}
	memcpy(e->rest, p, len);
	e->nrest = (int)len;
	return 0;
}

int
b64_enc_finish_buf(struct b64_enc *e, struct buf *out)
{
	char tmp[8];
	size_t n = 0;

	if (e->nrest) {
		unsigned int v = (unsigned int)e->rest[0] << 16;

		if (e->nrest == 2)
			v |= (unsigned int)e->rest[1] << 8;
		if (e->line_len && e->col >= e->line_len) {
			n += eol(e, tmp);
			e->col = 0;
		}
		tmp[n++] = etab[v >> 18];
		tmp[n++] = etab[(v >> 12) & 63];
		tmp[n++] = e->nrest == 2 ? etab[(v >> 6) & 63] : '=';
		tmp[n++] = '=';
		e->col += 4;
	}
	if (e->line_len && e->col)
		n += eol(e, tmp + n);
	e->col = 0;
	e->nrest = 0;
	return buf_add(out, tmp, n);
}

int
b64_encode(const void *in, size_t len, unsigned int line_len,
	unsigned int flags, struct buf *out)
{
	struct b64_enc e;

	b64_enc_init(&e, line_len, flags);
	if (b64_enc_buf(&e, in, len, out) < 0)
		return -1;
	return b64_enc_finish_buf(&e, out);
}
