/* netacct.c: see netacct.h. */
#include <config.h>

#include <string.h>

#include "base/password.h"
#include "net/conn.h"
#include "net/transcript.h"
#include "proto/netacct.h"
#include "proto/sasl.h"

/* The account the options name, before the overrides. */
static struct account *
choose(const struct netacct_opts *o, const struct config *cfg,
	enum account_proto proto, struct err *e)
{
	struct account *acc = NULL;
	size_t i;
	int have_host = 0;

	if (o->account)
		return config_account_proto(cfg, o->account, proto, e);
	for (i = 0; i < o->nov; i++)
		if (strcmp(o->ov[i].key, "host") == 0)
			have_host = 1;
	if (o->from && *o->from && config_account_count(cfg) > 0 &&
	    proto == ACCOUNT_PROTO_SMTP)
		acc = config_account_for_from(cfg, o->from, e);
	if (!acc)
		acc = config_account_proto(cfg, NULL, proto, e);
	if (!acc && (have_host || config_account_count(cfg) == 0))
		acc = account_new_proto(NULL, proto);
	return acc;
}

struct account *
netacct_load(const struct netacct_opts *o, struct config_warnings *w,
	struct err *e)
{
	static const unsigned fallback[ACCOUNT_PROTO_COUNT] = {
		[ACCOUNT_PROTO_SMTP] = CONFIG_FALLBACK_MSMTP,
		[ACCOUNT_PROTO_POP3] = CONFIG_FALLBACK_MPOP,
		[ACCOUNT_PROTO_IMAP] = 0,
	};
	struct config *cfg;
	struct account *acc;
	int proto = o->proto ? account_proto_find(o->proto) :
		ACCOUNT_PROTO_SMTP;
	size_t i;

	if (proto < 0)
		return err_set(e, ERR_USAGE, "unknown protocol \"%.50s\"",
			o->proto), NULL;
	cfg = config_load(o->config, fallback[proto], w, e);
	if (!cfg)
		return NULL;
	acc = choose(o, cfg, (enum account_proto)proto, e);
	if (!acc)
		goto out;
	for (i = 0; i < o->nov; i++)
		if (account_set(acc, o->ov[i].key, o->ov[i].value, e) < 0) {
			e->code = ERR_USAGE;
			goto fail;
		}
	if (acc->host)
		goto out;
	if (config_path(cfg))
		err_set(e, ERR_CONFIG, "account \"%s\" in %s has no host",
			acc->name ? acc->name : "default", config_path(cfg));
	else
		err_set(e, ERR_CONFIG, "no configuration found and no --host "
			"given (see mkit-config(5))");
fail:
	account_free(acc);
	acc = NULL;
out:
	config_free(cfg);
	return acc;
}

int
netacct_transport_init(const struct account *acc, struct err *e)
{
	return conn_global_init(acc->tls ? 0 : CONN_INIT_NO_TLS, e);
}

/* A password source's note ("keyring: ...") into the -v transcript. */
static void
note(void *arg, const char *msg)
{
	transcript_note(arg, "%s", msg);
}

int
netacct_password(const struct account *acc, const char *service,
	struct transcript *ts, char **pw, struct err *e)
{
	struct password_opts po;

	*pw = NULL;
	if (!acc->auth || !sasl_mech_needs_secret(acc->auth_method))
		return 0;
	memset(&po, 0, sizeof(po));
	po.service = service ? service : account_proto_name(acc->proto);
	po.note = note;
	po.note_arg = ts;
	*pw = password_lookup(acc, &po, e);
	return *pw ? 0 : -1;
}

const struct netacct_longopt netacct_longopts[] = {
	{ "host", "host", 0 },
	{ "port", "port", 0 },
	{ "tls", "tls", 1 },
	{ "tls-starttls", "tls_starttls", 1 },
	{ "tls-trust-file", "tls_trust_file", 0 },
	{ "tls-fingerprint", "tls_fingerprint", 0 },
	{ "tls-certcheck", "tls_certcheck", 1 },
	{ "tls-cert-file", "tls_cert_file", 0 },
	{ "tls-key-file", "tls_key_file", 0 },
	{ "tls-min-version", "tls_min_version", 0 },
	{ "auth", "auth", 1 },
	{ "user", "user", 0 },
	{ "passwordeval", "passwordeval", 0 },
	{ "allow-plaintext-auth", "allow_plaintext_auth", 1 },
	{ "domain", "domain", 0 },
	{ "timeout", "timeout", 0 },
	{ "connect-timeout", "connect_timeout", 0 },
	{ "proxy-host", "proxy_host", 0 },
	{ "proxy-port", "proxy_port", 0 },
	{ NULL, NULL, 0 },
};

const struct netacct_longopt *
netacct_longopt_find(const struct netacct_longopt *table, const char *name,
	size_t len)
{
	for (; table->name; table++)
		if (strlen(table->name) == len &&
			strncmp(table->name, name, len) == 0)
			return table;
	return NULL;
}
