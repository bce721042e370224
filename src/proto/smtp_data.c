/*
 * smtp_data.c: the DATA stream and BDAT chunks (see smtp_data.h).
 *
 * RFC 5321 4.1.1.4 (DATA), 4.5.2 (transparency), RFC 3030 (BDAT).
 */
#include <config.h>

#include <string.h>

#include "net/pp.h"
#include "proto/smtp_data.h"

/* Message data is converted and queued in slices of this size. */
#define DATA_SLICE (32 * 1024)

void
smtp_data_init(struct smtp_data *d)
{
	pp_crlf_init(&d->crlf, 1);
	buf_init(&d->out, 0);
}

void
smtp_data_begin(struct smtp_data *d)
{
	pp_crlf_init(&d->crlf, 1);
	buf_reset(&d->out);
}

int
smtp_data_write(struct smtp_data *d, struct pp *p, const void *data,
	size_t len, struct err *e)
{
	const char *s = data;

	while (len) {
		size_t n = len < DATA_SLICE ? len : DATA_SLICE;

		buf_reset(&d->out);
		pp_crlf_add(&d->crlf, &d->out, s, n);
		if (pp_write_data_part(p, d->out.data, d->out.len, e) < 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

int
smtp_data_end(struct smtp_data *d, struct pp *p, struct err *e)
{
	buf_reset(&d->out);
	pp_crlf_finish(&d->crlf, &d->out);
	if (d->out.len &&
	    pp_write_data_part(p, d->out.data, d->out.len, e) < 0)
		return -1;
	pp_write_data_end(p);
	return pp_cmd(p, e, ".");
}

void
smtp_data_release(struct smtp_data *d)
{
	buf_release(&d->out);
}

int
smtp_data_bdat(struct pp *p, const void *data, size_t len, int last,
	struct err *e)
{
	if (pp_cmd(p, e, "BDAT %zu%s", len, last ? " LAST" : "") < 0)
		return -1;
	if (!len)
		return 0;
	return pp_write_data(p, data, len, e);
}
