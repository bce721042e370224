/*
 * mparse: MIME parsing and extraction for scripts. See man/mparse.1.
 *
 * Thin over the library: mime/mime.h does the parsing, store/msgsrc.h finds
 * the messages, mime/mimedoc.h builds the mparse/1 document and the tree,
 * mime/mimetext.h chooses the text body, mime/mimesave.h saves attachments,
 * mime/dsn.h reads bounces, the codecs decode. This file picks what to
 * print, and the exit code.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "codec/charset.h"
#include "common.h"
#include "mime/dsn.h"
#include "mime/mime.h"
#include "mime/mimedoc.h"
#include "mime/mimesave.h"
#include "mime/mimetext.h"
#include "store/msgsrc.h"
#include "store/safefile.h"

enum mode {
	MODE_JSON,
	MODE_HEADERS,
	MODE_ADDR,
	MODE_TREE,
	MODE_TEXT,
	MODE_PART,
	MODE_EXTRACT,
	MODE_BOUNCE,
};

/* Options. */
static enum mode mode = MODE_TREE;
static int verbose;
static char **hnames;		/* -h names, lowercased */
static size_t nhnames;
static int raw, addr_only, want_html, force;
static const char *outdir = ".";
static char **psel;		/* part sections asked for */
static size_t npsel;
static struct safefile_dir outdir_d = { -1, BUF_INIT };

/* Results over all messages. */
static int matched;		/* something was found for the mode */
static size_t usable, unusable;
static int cur_raw_asked;	/* part named a non-leaf (warned already) */

/* ---- per message ---- */

struct msg {
	const char *where;	/* file name for messages */
	struct mime_doc doc;	/* json, tree */
	struct mime_text text;	/* text */
	/* part/extract */
	int out_fd;
	int src_fd;		/* the input, when it can be read again */
	int raw_want;		/* part S is not a leaf: copy its bytes */
	unsigned long long raw_off, raw_end;
	struct dsn_capture dsn;	/* bounce */
	struct mime_parser *p;
};

static int
selected(const char *section)
{
	size_t i;

	for (i = 0; i < npsel; i++)
		if (!strcmp(psel[i], section))
			return 1;
	return 0;
}

static void
write_all(int fd, const void *d, size_t n)
{
	const char *s = d;

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			diex(EX_IOERR, "write: %s", strerror(errno));
		}
		s += w;
		n -= (size_t)w;
	}
}

static void
out_buf(const struct buf *b)
{
	if (b->len)
		fwrite(b->data, 1, b->len, stdout);
}

/* ---- parser callbacks ---- */

static void
on_message(void *ctx, const struct mime_headers *h)
{
	struct msg *m = ctx;
	struct buf b = BUF_INIT;

	if (mode == MODE_JSON)
		mime_doc_message(&m->doc, h);
	if (mode == MODE_HEADERS) {
		if (mime_doc_headers(h, hnames, nhnames, raw, &b))
			matched = 1;
		out_buf(&b);
	} else if (mode == MODE_ADDR) {
		if (mime_doc_addrs(h, hnames, nhnames, addr_only, &b))
			matched = 1;
		out_buf(&b);
	}
	buf_release(&b);
}

static void
on_begin(void *ctx, const struct mime_part *p)
{
	struct msg *m = ctx;
	struct err e;

	if (mode == MODE_JSON || mode == MODE_TREE)
		mime_doc_begin(&m->doc, p);
	if (mode == MODE_TEXT && mime_text_begin(&m->text, p, &e) < 0 &&
		verbose)
		warnx_("%s: part %s: %s (printed as is)", m->where,
			p->section, e.msg);
	if (p->kind != MIME_LEAF)
		return;
	if (mode == MODE_PART && selected(p->section)) {
		matched = 1;
		m->out_fd = 1;
	} else if (mode == MODE_EXTRACT && (npsel ? selected(p->section) :
		mime_save_is_attachment(p))) {
		char *got = NULL;

		m->out_fd = mime_save_open(&outdir_d, p, force, &got, &e);
		if (m->out_fd < 0) {
			warnx_("%s: %s", outdir, e.msg);
		} else {
			matched = 1;
			if (!strcmp(outdir, "."))
				printf("%s\n", got);
			else
				printf("%s/%s\n", outdir, got);
			fflush(stdout);
		}
		free(got);
	} else if (mode == MODE_BOUNCE) {
		dsn_capture_begin(&m->dsn, p);
	}
}

static void
on_data(void *ctx, const struct mime_part *p, const void *d, size_t n)
{
	struct msg *m = ctx;
	struct buf b = BUF_INIT;

	if (mode == MODE_JSON || mode == MODE_TREE)
		mime_doc_data(&m->doc, d, n);
	if (mode == MODE_TEXT) {
		mime_text_data(&m->text, d, n, &b);
		out_buf(&b);
	}
	if (m->out_fd >= 0 && (mode == MODE_PART || mode == MODE_EXTRACT))
		write_all(m->out_fd, d, n);
	dsn_capture_data(&m->dsn, d, n);
	buf_release(&b);
}

static void
on_end(void *ctx, const struct mime_part *p)
{
	struct msg *m = ctx;
	struct buf b = BUF_INIT;

	if (mode == MODE_JSON || mode == MODE_TREE)
		mime_doc_end(&m->doc, p);
	if (mode == MODE_TEXT) {
		if (mime_text_end(&m->text, p, &b))
			matched = 1;
		out_buf(&b);
	}
	if (mode == MODE_PART && p->kind != MIME_LEAF &&
		selected(p->section) && !m->raw_want) {
		m->raw_want = 1;
		m->raw_off = p->offset;
		m->raw_end = p->end_offset;
	}
	if (p->kind != MIME_LEAF)
		return;
	if (m->out_fd > 1)
		close(m->out_fd);
	m->out_fd = -1;
	dsn_capture_end(&m->dsn, p);
	buf_release(&b);
}

static void
on_defect(void *ctx, const char *section, const char *what)
{
	struct msg *m = ctx;

	if (verbose)
		warnx_("%s: %s%s%s%s", m->where, *section ? "part " : "",
			section, *section ? ": " : "", what);
}

/* ---- output ---- */

static void
print_json(struct msg *m)
{
	struct buf out = BUF_INIT;
	struct json j;

	json_init(&j, &out);
	mime_doc_json(&j, &m->doc);
	buf_addch(&out, '\n');
	out_buf(&out);
	buf_release(&out);
}

/* part S of a multipart or message: its bytes as they are in the input,
 * read again from the file (mime_save_copy_range()). */
static void
copy_raw(struct msg *m)
{
	struct err e;

	if (m->src_fd < 0) {
		warnx_("%s: part %s is not a leaf: its raw bytes need the "
			"message in a file", m->where, psel[0]);
		return;
	}
	matched = 1;
	if (mime_save_copy_range(m->src_fd, m->raw_off, m->raw_end, stdout,
		&e) < 0)
		diex(EX_IOERR, "%s: %s", m->where, e.msg);
}

/* ---- one message ---- */

static struct msg cur;

static void
msg_start(const char *where)
{
	static const struct mime_sink sink = {
		&cur, on_message, on_begin, on_data, on_end, on_defect,
	};

	memset(&cur, 0, sizeof(cur));
	cur.where = where;
	cur.out_fd = -1;
	cur.src_fd = -1;
	mime_doc_init(&cur.doc, mode == MODE_JSON ? MIME_DOC_DIGEST : 0);
	mime_text_init(&cur.text, want_html ? MIME_TEXT_HTML : 0);
	dsn_capture_init(&cur.dsn);
	cur.p = mime_parser_new(&sink, NULL);
}

static void
msg_feed(const void *d, size_t n)
{
	mime_parser_feed(cur.p, d, n);
}

/* complete 0: reading broke off inside the message; nothing is said
 * about it. */
static void
msg_finish(int complete)
{
	struct buf b = BUF_INIT;

	mime_parser_finish(cur.p);
	if (!complete)
		goto release;
	if (cur.raw_want) {
		cur_raw_asked = 1;
		copy_raw(&cur);
	}
	if (!mime_parser_bytes(cur.p) || !mime_parser_top_fields(cur.p)) {
		unusable++;
		warnx_("%s: not a mail message (no header fields)", cur.where);
	} else {
		usable++;
		switch (mode) {
		case MODE_JSON:
			print_json(&cur);
			break;
		case MODE_TREE:
			matched = 1;
			mime_doc_tree(&cur.doc, &b);
			out_buf(&b);
			break;
		case MODE_TEXT:
			if (mime_text_finish(&cur.text, &b))
				matched = 1;
			out_buf(&b);
			break;
		case MODE_BOUNCE:
			if (dsn_capture_lines(&cur.dsn, &b))
				matched = 1;
			out_buf(&b);
			break;
		default:
			break;
		}
	}
	if (verbose && mime_parser_defects(cur.p))
		warnx_("%s: %zu defects", cur.where,
			mime_parser_defects(cur.p));
release:
	mime_doc_release(&cur.doc);
	mime_text_release(&cur.text);
	buf_release(&b);
	if (cur.out_fd > 1)
		close(cur.out_fd);
	dsn_capture_release(&cur.dsn);
	mime_parser_free(cur.p);
	fflush(stdout);
}

/* ---- inputs (store/msgsrc.h) ---- */

static void
src_begin(void *ctx, const struct msgsrc_msg *m)
{
	msg_start(m->name);
	cur.src_fd = m->fd;
}

static void
src_data(void *ctx, const void *d, size_t n)
{
	msg_feed(d, n);
}

static void
src_end(void *ctx, int complete)
{
	msg_finish(complete);
}

static void
src_skip(void *ctx, const struct err *e)
{
	print_err(e);
}

/* Every message of one file, maildir or stdin ("-"): 0 or an exit
 * status. */
static int
read_path(struct msgsrc *src, const char *path)
{
	struct err e;

	err_clear(&e);
	if (msgsrc_read_path(src, path, &e) < 0) {
		print_err(&e);
		return exit_code(e.code);
	}
	return 0;
}

/* ---- command line ---- */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: mparse [-v] [--json] [MODE [MODE-OPTIONS]] [FILE|MAILDIR]...\n"
"modes:\n"
"  json                          the whole message as JSON (mparse/1)\n"
"  headers [-h NAME]... [--raw]  header fields, decoded and unfolded\n"
"  addr [-h NAME]... [-a]        addresses, one \"Name <addr>\" per line\n"
"  tree                          the part tree (the default)\n"
"  text [--html]                 the best text body, in UTF-8\n"
"  part SECTION                  one decoded part to stdout\n"
"  extract [-o DIR] [-f] [-p SECTION]...  save attachments\n"
"  bounce                        delivery status: action status rcpt diag\n"
"options:\n"
"  -v, --verbose   report defects of the input on stderr\n"
"  --json          same as the json mode\n"
"  --help          this help\n");
}

static const struct {
	const char *name;
	enum mode mode;
} modes[] = {
	{ "json", MODE_JSON }, { "headers", MODE_HEADERS },
	{ "addr", MODE_ADDR }, { "tree", MODE_TREE }, { "text", MODE_TEXT },
	{ "part", MODE_PART }, { "extract", MODE_EXTRACT },
	{ "bounce", MODE_BOUNCE },
};

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'H' },
		{ "header", required_argument, NULL, 'h' },
		{ "raw", no_argument, NULL, 'r' },
		{ "addr-only", no_argument, NULL, 'a' },
		{ "html", no_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "part", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct msgsrc_sink sink = { NULL, src_begin, src_data,
		src_end, src_skip };
	struct msgsrc src;
	int c, status = 0, json_flag = 0, have_mode = 0;
	size_t i;

	prog_init(argv[0]);
	/* Global options, up to the mode word. */
	while ((c = getopt_long(argc, argv, "+v", lopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose = 1;
			break;
		case 'J':
			json_flag = 1;
			break;
		case 'H':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		for (i = 0; i < ARRAY_SIZE(modes); i++)
			if (!strcmp(argv[optind], modes[i].name)) {
				mode = modes[i].mode;
				have_mode = 1;
				optind++;
				break;
			}
	}
	if (json_flag) {
		if (have_mode && mode != MODE_JSON) {
			warnx_("--json goes with no other mode");
			return EX_USAGE;
		}
		mode = MODE_JSON;
	}
	/* Mode options (the mode word is argv[0] for getopt). */
	if (have_mode) {
		argv += optind - 1;
		argc -= optind - 1;
		optind = 1;
		while ((c = getopt_long(argc, argv, "vh:rao:fp:", lopts,
			NULL)) != -1) {
			int ok = 1;

			switch (c) {
			case 'v':
				verbose = 1;
				break;
			case 'H':
				usage(stdout);
				return 0;
			case 'h':
				ok = mode == MODE_HEADERS || mode == MODE_ADDR;
				strv_add_list(&hnames, &nhnames, optarg, 1);
				break;
			case 'r':
				ok = mode == MODE_HEADERS;
				raw = 1;
				break;
			case 'a':
				ok = mode == MODE_ADDR;
				addr_only = 1;
				break;
			case 'T':
				ok = mode == MODE_TEXT;
				want_html = 1;
				break;
			case 'o':
				ok = mode == MODE_EXTRACT;
				outdir = optarg;
				break;
			case 'f':
				ok = mode == MODE_EXTRACT;
				force = 1;
				break;
			case 'p':
				ok = mode == MODE_EXTRACT;
				strv_add_list(&psel, &npsel, optarg, 0);
				break;
			default:
				usage(stderr);
				return EX_USAGE;
			}
			if (!ok) {
				warnx_("option -%c does not go with this mode",
					c == 'T' ? 'T' : c);
				return EX_USAGE;
			}
		}
	}
	if (mode == MODE_PART) {
		if (optind >= argc) {
			warnx_("part: a SECTION is needed (see mparse tree)");
			return EX_USAGE;
		}
		strv_add_list(&psel, &npsel, argv[optind++], 0);
	}
	if (mode == MODE_EXTRACT) {
		struct err e;

		if (safefile_open(&outdir_d, outdir, &e) < 0) {
			print_err(&e);
			return exit_code(e.code);
		}
	}
	msgsrc_init(&src, &sink, 0);
	if (optind >= argc) {
		status = read_path(&src, "-");
	} else {
		for (; optind < argc; optind++) {
			int r = read_path(&src, argv[optind]);

			if (r && !status)
				status = r;
		}
	}
	msgsrc_release(&src);
	if (!status && !usable && unusable)
		status = EX_DATAERR;
	if (!status && !matched && ((mode == MODE_EXTRACT && npsel) ||
		mode == MODE_PART || mode == MODE_TEXT ||
		mode == MODE_BOUNCE || (mode == MODE_HEADERS && nhnames) ||
		mode == MODE_ADDR)) {
		if ((mode == MODE_PART && !cur_raw_asked) ||
			mode == MODE_EXTRACT)
			warnx_("no leaf part %s", psel[0]);
		status = 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		diex(EX_IOERR, "stdout: write error");
	strv_free(hnames, nhnames);
	strv_free(psel, npsel);
	charset_cache_clear();
	if (mode == MODE_EXTRACT)
		safefile_close(&outdir_d);
	return status;
}
