/*
 * qp.c: see qp.h.
 *
 * The decoder copies runs of plain bytes with one memcpy and handles the
 * few special bytes (blank, CR, LF, '=') through a small state machine, so
 * that any split of the input gives the same output.
 */
#include <config.h>

#include <string.h>

#include "base/util.h"
#include "codec/qp.h"

enum {
	S_TEXT,		/* blanks may be pending in ws */
	S_CR,		/* after CR; blanks before it pending */
	S_EQ,		/* after '=' */
	S_EQ_HEX,	/* after '=' and one hex digit (hex1) */
	S_EQ_WS,	/* after '=' and blanks (in ws) */
	S_EQ_CR,	/* after '=', maybe blanks, and CR */
};

/* Bytes that leave the plain run: blank, CR, LF, '='. */
static const unsigned char special[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['='] = 1,
};

void
qp_dec_init(struct qp_dec *d)
{
	d->state = S_TEXT;
	d->hex1 = 0;
	d->nws = 0;
	d->bad = 0;
}

static int
flush_ws(struct qp_dec *d, struct buf *out)
{
	size_t n = d->nws;

	d->nws = 0;
	return n ? buf_add(out, d->ws, n) : 0;
}

int
qp_dec_buf(struct qp_dec *d, const void *in, size_t len, struct buf *out)
{
	const unsigned char *p = in ? in : "", *end = p + len;
	unsigned char c;

	while (p < end) {
		switch (d->state) {
		case S_TEXT:
			if (!special[*p]) {
				const unsigned char *q = p + 1;

				while (q < end && !special[*q])
					q++;
				if (flush_ws(d, out) < 0 ||
				    buf_add(out, p, (size_t)(q - p)) < 0)
					return -1;
				p = q;
				break;
			}
			c = *p++;
			if (c == ' ' || c == '\t') {
				if (d->nws == sizeof d->ws &&
				    flush_ws(d, out) < 0)
					return -1;
				d->ws[d->nws++] = c;
			} else if (c == '\n') {
				d->nws = 0;
				if (buf_addch(out, '\n') < 0)
					return -1;
			} else if (c == '\r') {
				d->state = S_CR;
			} else {
				if (flush_ws(d, out) < 0)
					return -1;
				d->state = S_EQ;
			}
			break;
		case S_CR:
			if (*p == '\n') {
				p++;
				d->nws = 0;
				if (buf_add(out, "\r\n", 2) < 0)
					return -1;
			} else if (flush_ws(d, out) < 0 ||
			    buf_addch(out, '\r') < 0) {
				return -1;
			}
			d->state = S_TEXT;
			break;
		case S_EQ:
			c = *p;
			if (hex_value(c) >= 0) {
				d->hex1 = c;
				d->state = S_EQ_HEX;
				p++;
			} else if (c == ' ' || c == '\t') {
				d->ws[d->nws++] = c;
				d->state = S_EQ_WS;
				p++;
			} else if (c == '\n') {
				d->state = S_TEXT;
				p++;
			} else if (c == '\r') {
				d->state = S_EQ_CR;
				p++;
			} else {
				d->bad++;
				d->state = S_TEXT;
				if (buf_addch(out, '=') < 0)
					return -1;
			}
			break;
		case S_EQ_HEX:
			c = *p;
			d->state = S_TEXT;
			if (hex_value(c) >= 0) {
				p++;
				if (buf_addch(out, hex_value(d->hex1) << 4 |
				    hex_value(c)) < 0)
					return -1;
			} else {
				char lit[2] = { '=', (char)d->hex1 };

				d->bad++;
				if (buf_add(out, lit, 2) < 0)
					return -1;
			}
			break;
		case S_EQ_WS:
			c = *p;
			if ((c == ' ' || c == '\t') && d->nws < sizeof d->ws) {
				d->ws[d->nws++] = c;
				p++;
			} else if (c == '\n') {
				d->nws = 0;
				d->state = S_TEXT;
				p++;
			} else if (c == '\r') {
				d->state = S_EQ_CR;
				p++;
			} else {
				d->bad++;
				d->state = S_TEXT;
				if (buf_addch(out, '=') < 0 ||
				    flush_ws(d, out) < 0)
					return -1;
			}
			break;
		case S_EQ_CR:
			if (*p == '\n') {
				p++;
				d->nws = 0;
				d->state = S_TEXT;
			} else {
				d->bad++;
				d->state = S_CR;
				if (buf_addch(out, '=') < 0 ||
				    flush_ws(d, out) < 0)
					return -1;
			}
			break;
		}
	}
	return 0;
}

int
qp_dec_finish_buf(struct qp_dec *d, struct buf *out)
{
	int r = 0;

	switch (d->state) {
	case S_CR:
		r = buf_addch(out, '\r');
		break;
	case S_EQ_HEX: {
		char lit[2] = { '=', (char)d->hex1 };

		d->bad++;
		r = buf_add(out, lit, 2);
		break;
	}
	default:
		/* Trailing blanks and a final soft break are dropped. */
		break;
	}
	d->state = S_TEXT;
	d->nws = 0;
	return r;
}

int
qp_decode(const void *in, size_t len, struct buf *out)
{
	struct qp_dec d;

	qp_dec_init(&d);
	if (qp_dec_buf(&d, in, len, out) < 0)
		return -1;
	return qp_dec_finish_buf(&d, out);
}

/* Encoder. pend: low byte a held blank (0 if none), PEND_CR a held CR. */
enum { PEND_CR = 0x100 };

void
qp_enc_init(struct qp_enc *e, unsigned int flags)
{
	e->flags = flags;
	e->col = 0;
	e->pend = 0;
}

static int
put_eol(struct qp_enc *e, struct buf *out)
{
	e->col = 0;
	return e->flags & QP_ENC_LF ? buf_addch(out, '\n') :
		buf_add(out, "\r\n", 2);
}

/* Write one byte, literally or escaped, with a soft break first if the line
 * would pass 76 characters counting the '=' of a soft break. */
static int
put(struct qp_enc *e, unsigned char c, int escape, struct buf *out)
{
	char tmp[3];
	size_t n;

	if (!escape && e->col == 0 && (e->flags & QP_ENC_SAFE) &&
	    (c == '.' || c == 'F'))
		escape = 1;
	n = escape ? 3 : 1;
	if (e->col + n > QP_LINE_LEN - 1) {
		if (buf_addch(out, '=') < 0 || put_eol(e, out) < 0)
			return -1;
		if (!escape && (e->flags & QP_ENC_SAFE) &&
		    (c == '.' || c == 'F')) {
			escape = 1;
			n = 3;
		}
	}
	if (escape) {
		tmp[0] = '=';
		hex_byte(tmp + 1, c, HEX_UPPER);
	} else {
		tmp[0] = (char)c;
	}
	e->col += (unsigned int)n;
	return buf_add(out, tmp, n);
}

static int
needs_escape(unsigned char c)
{
	return c < 33 || c > 126 || c == '=';
}

/* Flush a held blank: literally if more text follows on the line, escaped
 * if it ends the line. */
static int
flush_blank(struct qp_enc *e, int at_eol, struct buf *out)
{
	int b = e->pend & 0xff;

	e->pend &= ~0xff;
	return b ? put(e, (unsigned char)b, at_eol, out) : 0;
}

int
qp_enc_buf(struct qp_enc *e, const void *in, size_t len, struct buf *out)
{
	const unsigned char *p = in ? in : "", *end = p + len;
	int text = !(e->flags & QP_ENC_BINARY);

	while (p < end) {
		unsigned char c;

		/* Fast path: a run of bytes that stand for themselves, copied
		 * up to the room left on the line. */
		if (!e->pend && !needs_escape(*p) && e->col > 0 &&
		    e->col < QP_LINE_LEN - 1) {
			const unsigned char *q = p;
			size_t room = QP_LINE_LEN - 1 - e->col, n;

			while (q < end && (size_t)(q - p) < room &&
			    !needs_escape(*q))
				q++;
			n = (size_t)(q - p);
			if (buf_add(out, p, n) < 0)
				return -1;
			e->col += (unsigned int)n;
			p = q;
			continue;
		}
		c = *p++;
		if (text && (e->pend & PEND_CR)) {
			e->pend &= ~PEND_CR;
			if (c == '\n') {
				if (flush_blank(e, 1, out) < 0 ||
				    put_eol(e, out) < 0)
					return -1;
				continue;
			}
			if (flush_blank(e, 0, out) < 0 ||
			    put(e, '\r', 1, out) < 0)
				return -1;
		}
		if (text && c == '\n') {
			if (flush_blank(e, 1, out) < 0 || put_eol(e, out) < 0)
				return -1;
		} else if (text && c == '\r') {
			e->pend |= PEND_CR;
		} else if (c == ' ' || c == '\t') {
			if (flush_blank(e, 0, out) < 0)
				return -1;
			e->pend |= c;
		} else {
			if (flush_blank(e, 0, out) < 0 ||
			    put(e, c, needs_escape(c), out) < 0)
				return -1;
		}
	}
	return 0;
}

int
qp_enc_finish_buf(struct qp_enc *e, struct buf *out)
{
	int cr = e->pend & PEND_CR;

	if (flush_blank(e, !cr, out) < 0 || (cr && put(e, '\r', 1, out) < 0))
		return -1;
	e->pend = 0;
	e->col = 0;
	return 0;
}

int
qp_encode(const void *in, size_t len, unsigned int flags, struct buf *out)
{
	struct qp_enc e;

	qp_enc_init(&e, flags);
	if (qp_enc_buf(&e, in, len, out) < 0)
		return -1;
	return qp_enc_finish_buf(&e, out);
}
