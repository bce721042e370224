/* fuzz_msgprep: any bytes as a message (both sendmail input modes) or as
 * an mboxrd stream: reading, header scan, -t recipients, From address and
 * header preparation never fail in unexpected ways, and keep their
 * invariants (CRLF line ends only; the body is inside raw). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/addrsplit.h"
#include "mime/msgprep.h"
#include "store/mboxrd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_crlf(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			abort();
}

static void
one(const char *p, size_t n, unsigned flags)
{
	struct msgprep m;
	struct msgprep_opts o;
	struct addrvec av = ADDRVEC_INIT;
	struct err e;
	char *from;
	size_t blen;

	msgprep_init(&m);
	if (msgprep_set(&m, p, n, flags, &e) == 0) {
		check_crlf(m.raw.data ? m.raw.data : "", m.raw.len);
		if (m.body_off > m.raw.len || m.start > m.body_off)
			abort();
		msgprep_recipients(&m, &av, &e);
		from = msgprep_from_address(&m);
		memset(&o, 0, sizeof o);
		o.envelope_from = from && !strpbrk(from, "\r\n") ? from :
			"a@b";
		o.full_name = "Fuzz Name";
		o.set_from = MSGPREP_ON;
		o.set_msgid = MSGPREP_OFF;
		o.remove_bcc = 1;
		o.undisclosed = n & 1;
		o.now = 1;
		if (msgprep_prepare(&m, &o, &e) == 0) {
			check_crlf(m.head.data, m.head.len);
			msgprep_body(&m, &blen);
			if (msgprep_size(&m) != m.head.len + blen)
				abort();
			msgprep_is_8bit(&m);
			msgprep_header_utf8(&m);
		}
		free(from);
	}
	addrvec_release(&av);
	msgprep_release(&m);
}

/* Each message of the input read as an mboxrd stream, as --batch hands
 * them over (store/mboxrd.h). */
struct mb {
	struct buf msg;
	int count;
};

static void
mb_begin(void *ctx, const char *from, size_t len)
{
	buf_reset(&((struct mb *)ctx)->msg);
}

static void
mb_data(void *ctx, const void *d, size_t n)
{
	buf_add(&((struct mb *)ctx)->msg, d, n);
}

static void
mb_end(void *ctx)
{
	struct mb *m = ctx;

	if (m->count++ < 1000)
		one(m->msg.data ? m->msg.data : "", m->msg.len,
			MSGPREP_KEEP_FROM_LINE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct mb m = { BUF_INIT, 0 };
	struct mboxrd_sink s = { &m, mb_begin, mb_data, mb_end };
	struct mboxrd r;

	one(p, size, 0);
	one(p, size, MSGPREP_DOT_ENDS);
	mboxrd_init(&r, &s);
	mboxrd_feed(&r, p, size);
	mboxrd_finish(&r);
	mboxrd_release(&r);
	buf_release(&m.msg);
	return 0;
}
