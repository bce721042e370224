/* tlsreport.c: see tlsreport.h. */
#include <config.h>

#include "net/tlsreport.h"

void
tlsreport_text(struct buf *out, const struct conn_tls_info *ti)
{
	if (!ti) {
		buf_addstr(out, "tls: none\n");
		return;
	}
	buf_addf(out, "tls: %s %s\n", ti->version, ti->cipher);
	buf_addf(out, "certificate subject: %s\n", ti->subject);
	buf_addf(out, "certificate issuer: %s\n", ti->issuer);
	buf_addf(out, "certificate valid: %s to %s\n", ti->not_before,
		ti->not_after);
	buf_addf(out, "certificate sha256: %s\n", ti->sha256);
}

void
tlsreport_json(struct json *j, const struct conn_tls_info *ti)
{
	if (!ti) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_key(j, "version"); json_cstr(j, ti->version);
	json_key(j, "cipher"); json_cstr(j, ti->cipher);
	json_key(j, "subject"); json_cstr(j, ti->subject);
	json_key(j, "issuer"); json_cstr(j, ti->issuer);
	json_key(j, "not_before"); json_cstr(j, ti->not_before);
	json_key(j, "not_after"); json_cstr(j, ti->not_after);
	json_key(j, "sha256"); json_cstr(j, ti->sha256);
	json_obj_end(j);
}
