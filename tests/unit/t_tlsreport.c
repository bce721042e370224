/* t_tlsreport: the TLS lines and the JSON value of a probe. */
#include <config.h>

#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "net/tlsreport.h"
#include "tap.h"

int
main(void)
{
	struct conn_tls_info ti;
	struct buf out = BUF_INIT;
	struct json j;

	memset(&ti, 0, sizeof ti);
	strcpy(ti.version, "TLSv1.3");
	strcpy(ti.cipher, "TLS_AES_256_GCM_SHA384");
	strcpy(ti.subject, "CN=localhost");
	strcpy(ti.issuer, "CN=Test \"CA\"");
	strcpy(ti.not_before, "2026-01-01T00:00:00Z");
	strcpy(ti.not_after, "2027-01-01T00:00:00Z");
	strcpy(ti.sha256, "AB:CD");

	tlsreport_text(&out, &ti);
	tap_str(out.data, "tls: TLSv1.3 TLS_AES_256_GCM_SHA384\n"
		"certificate subject: CN=localhost\n"
		"certificate issuer: CN=Test \"CA\"\n"
		"certificate valid: 2026-01-01T00:00:00Z to "
		"2027-01-01T00:00:00Z\n"
		"certificate sha256: AB:CD\n", "text lines");
	buf_reset(&out);
	tlsreport_text(&out, NULL);
	tap_str(out.data, "tls: none\n", "text without TLS");

	buf_reset(&out);
	json_init(&j, &out);
	tlsreport_json(&j, &ti);
	tap_str(out.data, "{\"version\":\"TLSv1.3\","
		"\"cipher\":\"TLS_AES_256_GCM_SHA384\","
		"\"subject\":\"CN=localhost\","
		"\"issuer\":\"CN=Test \\\"CA\\\"\","
		"\"not_before\":\"2026-01-01T00:00:00Z\","
		"\"not_after\":\"2027-01-01T00:00:00Z\","
		"\"sha256\":\"AB:CD\"}", "JSON object");
	buf_reset(&out);
	json_init(&j, &out);
	json_obj_begin(&j);
	json_key(&j, "tls");
	tlsreport_json(&j, NULL);
	json_obj_end(&j);
	tap_str(out.data, "{\"tls\":null}", "JSON null without TLS");
	buf_release(&out);
	return tap_done();
}
