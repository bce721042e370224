/*
 * smtp_data.c: the DATA stream and BDAT chunks (see smtp_data.h).
 *
 * RFC 5321 4.1.1.4 (DATA), 4.5.2 (transparency), RFC 3030 (BDAT).
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

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

/* Read len bytes of fd from offset off in slices, handing each to part. */
static int
read_slices(int fd, off_t off, size_t len, struct err *e,
	int (*part)(void *arg, const char *s, size_t n, struct err *e),
	void *arg)
{
	char slice[DATA_SLICE];

	while (len) {
		size_t want = len < sizeof slice ? len : sizeof slice;
		ssize_t n = pread(fd, slice, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, ERR_IO, errno, "spooled message");
		if (n == 0)
			return err_set(e, ERR_IO, "spooled message: file "
				"shorter than its size");
		if (part(arg, slice, (size_t)n, e) < 0)
			return -1;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

struct data_arg {
	struct smtp_data *d;
	struct pp *p;
};

static int
data_part(void *arg, const char *s, size_t n, struct err *e)
{
	struct data_arg *a = arg;

	return smtp_data_write(a->d, a->p, s, n, e);
}

int
smtp_data_write_fd(struct smtp_data *d, struct pp *p, int fd, off_t off,
	size_t len, struct err *e)
{
	struct data_arg a = { d, p };

	return read_slices(fd, off, len, e, data_part, &a);
}

static int
bdat_part(void *arg, const char *s, size_t n, struct err *e)
{
	return pp_write_data_part(arg, s, n, e);
}

int
smtp_data_bdat_fd(struct pp *p, int fd, off_t off, size_t len, int last,
	struct err *e)
{
	if (pp_cmd(p, e, "BDAT %zu%s", len, last ? " LAST" : "") < 0)
		return -1;
	if (read_slices(fd, off, len, e, bdat_part, p) < 0)
		return -1;
	pp_write_data_end(p);
	return 0;
}
