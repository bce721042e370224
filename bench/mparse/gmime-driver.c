/*
 * gmime-driver: the GMime 3 peer of the mparse benchmark.
 *
 * usage: gmime-driver [-q] [--sha256] [--mbox] PATH...
 *
 * PATH is a message file, a maildir (its cur/ and new/ are read) or, with
 * --mbox, an mbox file. Every message is parsed from a file stream (GMime
 * keeps leaf contents as windows on that stream rather than copies), every
 * header value is decoded, and every leaf part is FULLY decoded: its
 * content wrapper is written, transfer encoding undone, into a null
 * stream; text parts also go through a charset filter to UTF-8.
 * message/rfc822 parts are walked into. With --sha256 each decoded leaf
 * also goes through a SHA-256 filter, as mparse --json hashes every part.
 *
 * One summary line goes to stderr unless -q. Exit 0, or 1 if a message
 * could not be parsed or read.
 *
 * Built by bench/mparse/run.sh with `pkg-config gmime-3.0`; not part of
 * the mkit build.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

struct stats {
	unsigned long msgs;
	unsigned long leaves;
	unsigned long long bytes;
	unsigned long errors;
	int sha256;
};

static void walk(GMimeObject *obj, struct stats *st);

static void
decode_headers(GMimeObject *obj)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int i, n;

	if (hl == NULL)
		return;
	n = g_mime_header_list_get_count(hl);
	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);

		(void)g_mime_header_get_value(h);
	}
}

static int
is_utf8(const char *cs)
{
	return g_ascii_strcasecmp(cs, "utf-8") == 0 ||
	    g_ascii_strcasecmp(cs, "utf8") == 0 ||
	    g_ascii_strcasecmp(cs, "us-ascii") == 0;
}

static void
decode_leaf(GMimePart *part, struct stats *st)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *null, *filtered;
	GMimeFilter *sum = NULL;

	(void)g_mime_part_get_filename(part);
	st->leaves++;
	if (content == NULL)
		return;
	null = g_mime_stream_null_new();
	filtered = g_mime_stream_filter_new(null);
	if (GMIME_IS_TEXT_PART(part)) {
		const char *cs = g_mime_text_part_get_charset(
		    GMIME_TEXT_PART(part));

		if (cs != NULL && !is_utf8(cs)) {
			GMimeFilter *conv = g_mime_filter_charset_new(cs,
			    "utf-8");

			if (conv != NULL) {
				g_mime_stream_filter_add(
				    GMIME_STREAM_FILTER(filtered), conv);
				g_object_unref(conv);
			}
		}
	}
	if (st->sha256) {
		sum = g_mime_filter_checksum_new(G_CHECKSUM_SHA256);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), sum);
	}
	if (g_mime_data_wrapper_write_to_stream(content, filtered) == -1)
		st->errors++;
	g_mime_stream_flush(filtered);
	st->bytes += GMIME_STREAM_NULL(null)->written;
	if (sum != NULL) {
		unsigned char digest[32];

		g_mime_filter_checksum_get_digest(GMIME_FILTER_CHECKSUM(sum),
		    digest, sizeof(digest));
		g_object_unref(sum);
	}
	g_object_unref(filtered);
	g_object_unref(null);
}

static void
walk_message(GMimeMessage *msg, struct stats *st)
{
	GMimeObject *body;

	decode_headers(GMIME_OBJECT(msg));
	(void)g_mime_message_get_subject(msg);
	(void)g_mime_message_get_from(msg);
	(void)g_mime_message_get_date(msg);
	body = g_mime_message_get_mime_part(msg);
	if (body != NULL)
		walk(body, st);
}

static void
walk(GMimeObject *obj, struct stats *st)
{
	decode_headers(obj);
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));

		if (m != NULL)
			walk_message(m, st);
	} else if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int i, n = g_mime_multipart_get_count(mp);

		for (i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(mp, i), st);
	} else if (GMIME_IS_PART(obj)) {
		decode_leaf(GMIME_PART(obj), st);
	}
}

static void
parse_path(const char *path, int mbox, struct stats *st)
{
	GMimeStream *stream;
	GMimeParser *parser;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd == -1) {
		fprintf(stderr, "gmime-driver: %s: %s\n", path,
		    strerror(errno));
		st->errors++;
		return;
	}
	stream = g_mime_stream_fs_new(fd);
	parser = g_mime_parser_new_with_stream(stream);
	if (mbox)
		g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	do {
		GMimeMessage *msg = g_mime_parser_construct_message(parser,
		    NULL);

		if (msg == NULL) {
			if (!mbox || !g_mime_parser_eos(parser)) {
				fprintf(stderr, "gmime-driver: %s: cannot "
				    "parse\n", path);
				st->errors++;
			}
			break;
		}
		st->msgs++;
		walk_message(msg, st);
		g_object_unref(msg);
	} while (mbox && !g_mime_parser_eos(parser));
	g_object_unref(parser);
	g_object_unref(stream);
}

static void
parse_maildir(const char *dir, struct stats *st)
{
	static const char *const subs[] = { "cur", "new" };
	size_t k;

	for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
		char *d = g_build_filename(dir, subs[k], NULL);
		DIR *dp = opendir(d);
		struct dirent *de;

		if (dp == NULL) {
			g_free(d);
			continue;
		}
		while ((de = readdir(dp)) != NULL) {
			char *p;

			if (de->d_name[0] == '.')
				continue;
			p = g_build_filename(d, de->d_name, NULL);
			parse_path(p, 0, st);
			g_free(p);
		}
		closedir(dp);
		g_free(d);
	}
}

int
main(int argc, char **argv)
{
	struct stats st = { 0 };
	int mbox = 0, quiet = 0, i;

	g_mime_init();
	for (i = 1; i < argc; i++) {
		struct stat sb;

		if (strcmp(argv[i], "-q") == 0) {
			quiet = 1;
		} else if (strcmp(argv[i], "--sha256") == 0) {
			st.sha256 = 1;
		} else if (strcmp(argv[i], "--mbox") == 0) {
			mbox = 1;
		} else if (!mbox && stat(argv[i], &sb) == 0 &&
		    S_ISDIR(sb.st_mode)) {
			parse_maildir(argv[i], &st);
		} else {
			parse_path(argv[i], mbox, &st);
		}
	}
	if (!quiet)
		fprintf(stderr, "gmime-driver: %lu messages, %lu leaves, "
		    "%llu decoded bytes, %lu errors\n", st.msgs, st.leaves,
		    st.bytes, st.errors);
	g_mime_shutdown();
	return st.errors ? 1 : 0;
}
