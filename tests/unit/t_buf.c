/* t_buf: struct buf and struct err contracts. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "tap.h"

int
main(void)
{
	struct buf b;
	struct err e;
	char *p;
	size_t n;
	int i;

	buf_init(&b, 0);
	tap_ok(buf_addstr(&b, "hello") == 0 && b.len == 5, "add to uncapped");
	tap_ok(buf_addf(&b, " %d %s", 42, "x") == 0, "addf");
	tap_str(b.data, "hello 42 x", "addf content");
	buf_consume(&b, 6);
	tap_str(b.data, "42 x", "consume keeps tail");
	buf_truncate(&b, 2);
	tap_str(b.data, "42", "truncate");
	for (i = 0; i < 10000; i++)
		buf_addch(&b, 'a' + i % 26);
	tap_int(b.len, 10002, "grows past initial size");
	tap_ok(b.data[b.len] == '\0', "NUL-terminated");
	p = buf_detach(&b, &n);
	tap_ok(n == 10002 && b.data == NULL && b.len == 0, "detach empties");
	free(p);
	buf_release(&b);

	buf_init(&b, 8);
	tap_ok(buf_add(&b, "12345678", 8) == 0, "exactly at cap");
	tap_ok(buf_addch(&b, '9') == -1 && b.len == 8, "past cap refused");
	buf_reset(&b);
	tap_ok(buf_addf(&b, "%s", "123456789") == -1, "addf past cap refused");
	tap_ok(b.len == 0 && b.data[0] == '\0', "refused addf leaves buffer");
	tap_ok(buf_addf(&b, "%d", 1234) == 0, "addf under cap");
	tap_str(b.data, "1234", "addf under cap content");
	buf_release(&b);
	p = buf_detach(&b, NULL);
	tap_str(p, "", "detach of empty gives empty string");
	free(p);

	err_clear(&e);
	tap_int(err_set(&e, ERR_TEMPFAIL, "host %s", "a"), -1, "err_set is -1");
	tap_str(e.msg, "host a", "err message");
	err_sys(&e, ERR_IO, ENOENT, "read %s", "f");
	tap_str(e.msg, "read f: No such file or directory", "err_sys");
	tap_int(e.sys_errno, ENOENT, "errno kept");
	err_prefix(&e, "smtp.example.org:%d", 587);
	tap_str(e.msg, "smtp.example.org:587: read f: No such file or directory",
		"prefix");
	err_reply(&e, "550-5.1.1 no\r\n550 5.1.1 such\x01user\r\n", 34);
	tap_str(e.reply, "550-5.1.1 no / 550 5.1.1 such user", "reply sanitised");
	tap_str(err_code_name(ERR_NOPERM), "noperm", "code name");
	/* buf_read_fd: whole files past one read, exactly at the cap, over. */
	{
		static const size_t sizes[] = { 0, 5, 65536, 65537, 200000 };
		static const struct {
			size_t len, cap;
			int ret, err;
		} capped[] = {
			{ 100, 100, 0, 0 },
			{ 101, 100, -1, EFBIG },
			{ 70000, 65536, -1, EFBIG },
		};
		FILE *f;
		size_t k, j;
		int ok;

		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			f = tmpfile();
			for (j = 0; j < sizes[k]; j++)
				fputc('a' + (int)(j % 26), f);
			fflush(f);
			rewind(f);
			buf_init(&b, 0);
			ok = buf_read_fd(&b, fileno(f)) == 0 && b.len == sizes[k];
			for (j = 0; ok && j < b.len; j++)
				ok = b.data[j] == 'a' + (int)(j % 26);
			tap_ok(ok, "read_fd: %zu bytes", sizes[k]);
			buf_release(&b);
			fclose(f);
		}
		for (k = 0; k < sizeof(capped) / sizeof(capped[0]); k++) {
			f = tmpfile();
			for (j = 0; j < capped[k].len; j++)
				fputc('x', f);
			fflush(f);
			rewind(f);
			buf_init(&b, capped[k].cap);
			errno = 0;
			tap_ok(buf_read_fd(&b, fileno(f)) == capped[k].ret &&
			       errno == capped[k].err &&
			       b.len == (capped[k].len < capped[k].cap ?
				capped[k].len : capped[k].cap),
			       "read_fd: %zu bytes, cap %zu", capped[k].len,
			       capped[k].cap);
			buf_release(&b);
			fclose(f);
		}
		tap_ok(buf_read_fd(&b, -1) == -1 && errno == EBADF,
			"read_fd: read error kept in errno");
		buf_release(&b);
	}
	return tap_done();
}
