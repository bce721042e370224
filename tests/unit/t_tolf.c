/*
 * t_tolf: CRLF made LF (store/tolf.h). Each case gives the same output
 * whether its input comes whole, cut in two at every point, or a byte at a
 * time: a CRLF split between chunks is still one line end, a lone CR (in
 * the middle, before the cut, at the very end) stays.
 */
#include <config.h>

#include <string.h>

#include "base/buf.h"
#include "store/tolf.h"
#include "tap.h"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "", "" },
	{ "a\r\nb\r\n", "a\nb\n" },
	{ "no line end", "no line end" },
	{ "lf only\nstays\n", "lf only\nstays\n" },
	{ "lone\rcr\r\n", "lone\rcr\n" },
	{ "\r", "\r" },
	{ "\r\r\n", "\r\n" },
	{ "\r\r\r\n\r", "\r\r\n\r" },
	{ "\n\r\n\r\n", "\n\n\n" },
	{ "end with cr\r", "end with cr\r" },
	{ "crlf\r\n\r\nbody\r\n", "crlf\n\nbody\n" },
	{ "mixed\n\r\r\nx\ry\r\n", "mixed\n\r\nx\ry\n" },
};

/* in[0..len) in chunks: cut at cut (0: whole), or every byte (step 1). */
static void
convert(const char *in, size_t len, size_t cut, int bytewise,
	struct buf *out)
{
	struct tolf t;
	size_t i;

	tolf_init(&t);
	buf_reset(out);
	if (bytewise) {
		for (i = 0; i < len; i++)
			tolf_add(&t, in + i, 1, out);
	} else {
		tolf_add(&t, in, cut, out);
		tolf_add(&t, in + cut, 0, out);	/* an empty chunk: no-op */
		tolf_add(&t, in + cut, len - cut, out);
	}
	tolf_end(&t, out);
}

int
main(void)
{
	struct buf out = BUF_INIT;
	size_t i, cut;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *in = cases[i].in, *want = cases[i].want;
		size_t len = strlen(in);
		int same = 1;

		convert(in, len, 0, 1, &out);
		tap_mem(out.data, out.len, want, strlen(want), "byte by byte");
		for (cut = 0; cut <= len; cut++) {
			convert(in, len, cut, 0, &out);
			same &= out.len == strlen(want) && (out.len == 0 ||
				memcmp(out.data, want, out.len) == 0);
		}
		tap_ok(same, "case %zu: the same at every cut", i);
	}
	buf_release(&out);
	return tap_done();
}
