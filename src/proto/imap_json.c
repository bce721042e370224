/*
 * imap_json.c: a FETCH response as JSON (see imap_json.h).
 *
 * RFC 9051 7.5.2 (ENVELOPE, BODYSTRUCTURE), RFC 2047 (encoded words in
 * the envelope's strings).
 */
#include <config.h>

#include <string.h>

#include "base/json.h"
#include "codec/rfc2047.h"
#include "proto/imap_json.h"

static void
j_nstring(struct json *j, const struct imap_resp *r, size_t i)
{
	size_t len;
	const char *s;

	if (i >= r->ntok || r->tok[i].type == IMAP_TOK_NIL ||
	    r->tok[i].type == IMAP_TOK_LIST) {
		json_null(j);
		return;
	}
	s = imap_tok_str(r, i, &len);
	if (rfc2047_has_words(s, len)) {
		struct buf d = BUF_INIT;

		if (rfc2047_decode(s, len, &d) == 0) {
			json_str(j, d.data ? d.data : "", d.len);
			buf_release(&d);
			return;
		}
		buf_release(&d);
	}
	json_str(j, s, len);
}

/* An ENVELOPE address list: [{"name":..., "address":...}] */
static void
j_addrs(struct json *j, const struct imap_resp *r, size_t l)
{
	size_t a;

	if (l >= r->ntok || r->tok[l].type != IMAP_TOK_LIST) {
		json_null(j);
		return;
	}
	json_arr_begin(j);
	for (a = l + 1; a < r->tok[l].end; a = r->tok[a].end) {
		size_t f = a + 1, len1, len2;
		const char *mb, *host;
		struct buf addr = BUF_INIT;

		if (r->tok[a].type != IMAP_TOK_LIST || r->tok[a].end < a + 5)
			continue;
		json_obj_begin(j);
		json_key(j, "name");
		j_nstring(j, r, f);
		mb = imap_tok_str(r, f + 2, &len1);
		host = imap_tok_str(r, f + 3, &len2);
		buf_add(&addr, mb, len1);
		if (len2) {
			buf_addch(&addr, '@');
			buf_add(&addr, host, len2);
		}
		json_key(j, "address");
		json_str(j, addr.data ? addr.data : "", addr.len);
		buf_release(&addr);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* BODYSTRUCTURE as {"type": "multipart/mixed", "parts": [...]} or
 * {"type": "text/plain", "size": n, "name": ...}. */
static void
j_body(struct json *j, const struct imap_resp *r, size_t b, int depth)
{
	size_t i, len;
	const char *s;
	struct buf t = BUF_INIT;

	if (b >= r->ntok || r->tok[b].type != IMAP_TOK_LIST || depth > 20) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	i = b + 1;
	if (i < r->tok[b].end && r->tok[i].type == IMAP_TOK_LIST) {
		json_key(j, "parts");
		json_arr_begin(j);
		while (i < r->tok[b].end && r->tok[i].type == IMAP_TOK_LIST) {
			j_body(j, r, i, depth + 1);
			i = r->tok[i].end;
		}
		json_arr_end(j);
		s = imap_tok_str(r, i, &len);
		buf_addstr(&t, "multipart/");
		buf_add(&t, s, len);
	} else {
		s = imap_tok_str(r, i, &len);
		buf_add(&t, s, len);
		buf_addch(&t, '/');
		s = imap_tok_str(r, r->tok[i].end, &len);
		buf_add(&t, s, len);
		/* type subtype params id description encoding size */
		{
			size_t k = i, n;
			unsigned long long size;

			for (n = 0; n < 6 && k < r->tok[b].end; n++)
				k = r->tok[k].end;
			if (k < r->tok[b].end && imap_tok_num(r, k, &size) == 0) {
				json_key(j, "size");
				json_int(j, (long long)size);
			}
		}
	}
	for (i = 0; i < t.len; i++)
		if (t.data[i] >= 'A' && t.data[i] <= 'Z')
			t.data[i] = (char)(t.data[i] - 'A' + 'a');
	json_key(j, "type");
	json_str(j, t.data ? t.data : "", t.len);
	json_obj_end(j);
	buf_release(&t);
}

int
imap_fetch_json(const struct imap_resp *r, struct buf *out)
{
	struct json j;
	size_t v, k;
	unsigned long long n;

	if (strcmp(r->name, "FETCH") != 0 || !imap_fetch_item(r, "UID"))
		return -1;
	json_init(&j, out);
	json_obj_begin(&j);
	if ((v = imap_fetch_item(r, "UID")) && imap_tok_num(r, v, &n) == 0) {
		json_key(&j, "uid");
		json_int(&j, (long long)n);
	}
	if ((v = imap_fetch_item(r, "FLAGS"))) {
		json_key(&j, "flags");
		json_arr_begin(&j);
		for (k = v + 1; r->tok[v].type == IMAP_TOK_LIST &&
		     k < r->tok[v].end; k++)
			j_nstring(&j, r, k);
		json_arr_end(&j);
	}
	if ((v = imap_fetch_item(r, "RFC822.SIZE")) &&
	    imap_tok_num(r, v, &n) == 0) {
		json_key(&j, "size");
		json_int(&j, (long long)n);
	}
	if ((v = imap_fetch_item(r, "INTERNALDATE"))) {
		json_key(&j, "internaldate");
		j_nstring(&j, r, v);
	}
	if ((v = imap_fetch_item(r, "ENVELOPE")) &&
	    r->tok[v].type == IMAP_TOK_LIST && r->tok[v].end > v + 10) {
		size_t f[10];

		f[0] = v + 1;
		for (k = 1; k < 10; k++)
			f[k] = r->tok[f[k - 1]].end;
		json_key(&j, "envelope");
		json_obj_begin(&j);
		json_key(&j, "date");
		j_nstring(&j, r, f[0]);
		json_key(&j, "subject");
		j_nstring(&j, r, f[1]);
		json_key(&j, "from");
		j_addrs(&j, r, f[2]);
		json_key(&j, "to");
		j_addrs(&j, r, f[5]);
		json_key(&j, "cc");
		j_addrs(&j, r, f[6]);
		json_key(&j, "in_reply_to");
		j_nstring(&j, r, f[8]);
		json_key(&j, "message_id");
		j_nstring(&j, r, f[9]);
		json_obj_end(&j);
	}
	if ((v = imap_fetch_item(r, "BODYSTRUCTURE"))) {
		json_key(&j, "body");
		j_body(&j, r, v, 0);
	}
	json_obj_end(&j);
	return 0;
}

