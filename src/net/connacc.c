/* connacc.c: see connacc.h. */
#include <config.h>

#include "net/connacc.h"

/* The same order, so that one table (conf.c) serves both. */
_Static_assert((int)CONNACC_SMTP == (int)ACCOUNT_PROTO_SMTP &&
	(int)CONNACC_POP3 == (int)ACCOUNT_PROTO_POP3 &&
	(int)CONNACC_IMAP == (int)ACCOUNT_PROTO_IMAP,
	"enum connacc_proto and enum account_proto differ");

unsigned
connacc_default_port(enum connacc_proto proto, int tls, int starttls)
{
	return account_default_port((enum account_proto)proto, tls, starttls);
}

enum conn_mode
connacc_opts(struct conn_opts *o, const struct account *acc,
	enum connacc_proto proto, struct transcript *ts)
{
	conn_opts_init(o);
	o->host = acc->host;
	o->port = account_is_set(acc, "port") && acc->port > 0 ?
		(unsigned)acc->port :
		connacc_default_port(proto, acc->tls, acc->tls_starttls);
	o->trust_file = acc->tls_trust_file;
	o->fingerprint = acc->tls_fingerprint;
	o->cert_file = acc->tls_cert_file;
	o->key_file = acc->tls_key_file;
	o->tls_min = acc->tls_min_version == ACCOUNT_TLS_1_3 ?
		CONN_TLS_MIN_1_3 : CONN_TLS_MIN_DEFAULT;
	o->no_certcheck = !acc->tls_certcheck;
	o->connect_timeout = acc->connect_timeout;
	o->timeout = acc->timeout;
	o->socks_host = acc->proxy_host;
	o->socks_port = (unsigned)acc->proxy_port;
	o->transcript = ts;
	return acc->tls && !acc->tls_starttls ? CONN_TLS : CONN_PLAIN;
}

struct conn *
connacc_open(const struct account *acc, enum connacc_proto proto,
	struct transcript *ts, struct err *e)
{
	struct conn_opts o;
	enum conn_mode mode;

	if (!acc->host || !*acc->host) {
		err_set(e, ERR_CONFIG, "no host: set host in the account "
			"or use --host");
		return NULL;
	}
	mode = connacc_opts(&o, acc, proto, ts);
	if (mode == CONN_PLAIN && acc->tls && proto != CONNACC_SMTP &&
		o.port == connacc_default_port(proto, 1, 0)) {
		err_set(e, ERR_CONFIG, "%s:%u: port %u is for implicit TLS, "
			"but the account asks for STARTTLS (tls_starttls on): "
			"set tls_starttls off, or use port %u", acc->host,
			o.port, o.port, connacc_default_port(proto, 1, 1));
		return NULL;
	}
	return conn_open(&o, mode, e);
}
