/* t_smtp_data: SMTP's DATA stream (CRLF, dot-stuffing, the final dot)
 * and BDAT chunks, written to memory. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/pp.h"
#include "proto/smtp_data.h"
#include "tap.h"

static const struct data_case {
	const char *name;
	const char *chunks[4];
	const char *want;
} data_cases[] = {
	{ "LF to CRLF", { "hello\nworld\n" }, "hello\r\nworld\r\n.\r\n" },
	{ "CRLF kept", { "a\r\nb\r\n" }, "a\r\nb\r\n.\r\n" },
	{ "last line ended", { "no newline" }, "no newline\r\n.\r\n" },
	{ "empty message", { "" }, ".\r\n" },
	{ "blank lines", { "a\n\n\nb" }, "a\r\n\r\n\r\nb\r\n.\r\n" },
	{ "only a newline", { "\n" }, "\r\n.\r\n" },
	{ "leading dot stuffed", { ".x\n" }, "..x\r\n.\r\n" },
	{ "lone dot line stuffed", { "a\n.\nb\n" }, "a\r\n..\r\nb\r\n.\r\n" },
	{ "dot not at line start", { "x.y\n" }, "x.y\r\n.\r\n" },
	{ "dot after chunk-boundary LF", { "a\n", ".b\n" },
	  "a\r\n..b\r\n.\r\n" },
	{ "dot ending a chunk mid-line", { "a.", ".b" }, "a..b\r\n.\r\n" },
	{ "dot at chunk start mid-line", { "ab", ".c\n" },
	  "ab.c\r\n.\r\n" },
	{ "CRLF split across chunks", { "a\r", "\nb" }, "a\r\nb\r\n.\r\n" },
	{ "CRLF split, then dot", { "a\r", "\n.b" }, "a\r\n..b\r\n.\r\n" },
	{ "bare CR ends a line", { "a\rb\n" }, "a\r\nb\r\n.\r\n" },
	{ "bare CR then dot", { "a\r", ".b" }, "a\r\n..b\r\n.\r\n" },
	{ "trailing CR", { "a\r" }, "a\r\n.\r\n" },
	{ "CR CR LF", { "a\r\r\n" }, "a\r\n\r\n.\r\n" },
	{ "dot-CRLF in body is not the end", { "x\r\n.\r\ny" },
	  "x\r\n..\r\ny\r\n.\r\n" },
	{ "three chunks", { "Subject: x\n", "\n", ".." },
	  "Subject: x\r\n\r\n...\r\n.\r\n" },
};

static void
run_data(const struct data_case *t, int bytewise, struct buf *out,
	struct transcript *ts)
{
	struct smtp_data d;
	struct pp p;
	struct err e;
	size_t i, k;

	buf_reset(out);
	pp_init_mem(&p, "", 0, out, ts);
	smtp_data_init(&d);
	smtp_data_begin(&d);
	for (i = 0; i < ARRAY_SIZE(t->chunks) && t->chunks[i]; i++) {
		const char *c = t->chunks[i];

		if (!bytewise)
			smtp_data_write(&d, &p, c, strlen(c), &e);
		else
			for (k = 0; c[k]; k++)
				smtp_data_write(&d, &p, c + k, 1, &e);
	}
	smtp_data_end(&d, &p, &e);
	smtp_data_release(&d);
	pp_release(&p);
}

static void
test_data(void)
{
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(data_cases); i++) {
		char name[160];

		run_data(&data_cases[i], 0, &out, NULL);
		snprintf(name, sizeof(name), "DATA: %s", data_cases[i].name);
		tap_mem(out.data, out.len, data_cases[i].want,
			strlen(data_cases[i].want), name);
		run_data(&data_cases[i], 1, &out, NULL);
		snprintf(name, sizeof(name), "DATA: %s (byte by byte)",
			data_cases[i].name);
		tap_mem(out.data, out.len, data_cases[i].want,
			strlen(data_cases[i].want), name);
	}
	buf_release(&out);
}

static void
test_bdat(void)
{
	struct buf out = BUF_INIT;
	struct pp p;
	struct err e;

	pp_init_mem(&p, "", 0, &out, NULL);
	smtp_data_bdat(&p, "hello\r\n", 7, 0, &e);
	smtp_data_bdat(&p, "", 0, 1, &e);
	tap_str(out.data, "BDAT 7\r\nhello\r\nBDAT 0 LAST\r\n",
		"BDAT chunks");
	pp_release(&p);
	buf_release(&out);
}

/* A body read from a file in slices (SMTP_MSG_BODY_FD): the same bytes as
 * from memory, for DATA and BDAT, across many slices; a short file is an
 * error, not a short message. */
static void
test_fd(void)
{
	char path[] = "/tmp/t_smtp_data.XXXXXX";
	struct buf out = BUF_INIT, want = BUF_INIT, body = BUF_INIT;
	struct smtp_data d;
	struct pp p;
	struct err e;
	size_t i;
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	unlink(path);
	for (i = 0; i < 20000; i++)
		buf_addf(&body, "%s%zu\n", i % 7 ? "" : ".", i);
	if (write(fd, body.data, body.len) != (ssize_t)body.len)
		abort();

	pp_init_mem(&p, "", 0, &want, NULL);
	smtp_data_init(&d);
	smtp_data_begin(&d);
	smtp_data_write(&d, &p, body.data, body.len, &e);
	smtp_data_end(&d, &p, &e);
	pp_release(&p);
	pp_init_mem(&p, "", 0, &out, NULL);
	smtp_data_begin(&d);
	tap_int(smtp_data_write_fd(&d, &p, fd, 0, body.len, &e), 0,
		"DATA from a file");
	smtp_data_end(&d, &p, &e);
	pp_release(&p);
	tap_ok(body.len > 100000 && out.len == want.len &&
		memcmp(out.data, want.data, out.len) == 0,
		"DATA from a file: the bytes from memory (dot-stuffed, CRLF)");

	buf_reset(&out);
	pp_init_mem(&p, "", 0, &out, NULL);
	tap_int(smtp_data_bdat_fd(&p, fd, 0, body.len, 1, &e), 0,
		"BDAT from a file");
	pp_release(&p);
	buf_reset(&want);
	buf_addf(&want, "BDAT %zu LAST\r\n", body.len);
	buf_add(&want, body.data, body.len);
	tap_ok(out.len == want.len && memcmp(out.data, want.data, out.len) ==
		0, "BDAT from a file: one chunk, the bytes as they are");

	buf_reset(&out);
	pp_init_mem(&p, "", 0, &out, NULL);
	smtp_data_begin(&d);
	tap_ok(smtp_data_write_fd(&d, &p, fd, 0, body.len + 1, &e) < 0 &&
		e.code == ERR_IO && strstr(e.msg, "shorter"),
		"a file shorter than its size: ERR_IO");
	pp_release(&p);
	smtp_data_release(&d);
	close(fd);
	buf_release(&out);
	buf_release(&want);
	buf_release(&body);
}

int
main(void)
{
	test_data();
	test_bdat();
	test_fd();
	return tap_done();
}
