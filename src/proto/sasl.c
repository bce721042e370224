/*
 * sasl.c: the SASL client (contract in sasl.h).
 *
 * RFC 4422, RFC 4616, RFC 4752, RFC 2195, RFC 2831, RFC 5802, RFC 7677,
 * RFC 5929, RFC 9266, RFC 7628, draft-murchison-sasl-login, Google XOAUTH2.
 *
 * PLAIN, CRAM-MD5, DIGEST-MD5, SCRAM-*, GSSAPI and EXTERNAL run on
 * libgsasl: the session's properties are set once in sasl_new(), so the
 * library never needs a callback. LOGIN, XOAUTH2 and OAUTHBEARER are small
 * state machines here.
 *
 * Not done: SCRAM's "y" gs2 flag (RFC 5802 6: the client could bind but
 * the server offered no -PLUS), which would detect a stripped -PLUS; given
 * a binding for a plain SCRAM mechanism, libgsasl 2.2 fails to start the
 * exchange, so channel binding data goes only to -PLUS sessions.
 */
#include "config.h"

#include <gsasl.h>
#include <openssl/evp.h>
#ifdef HAVE_GSSAPI
#include <gssapi/gssapi.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/util.h"
#include "proto/sasl.h"

/* What a mechanism is; the table order is the order of preference. */
enum mech_flags {
	M_CLIENT_FIRST = 1 << 0,	/* has an initial response */
	M_PLAINTEXT = 1 << 1,		/* the secret is readable on the wire */
	M_MUTUAL = 1 << 2,		/* the server proves itself */
	M_PLUS = 1 << 3,		/* needs channel binding */
	M_AUTO = 1 << 4,		/* sasl_choose() may pick it unasked */
	M_NEED_USER = 1 << 5,
	M_NEED_SECRET = 1 << 6,
	M_OWN = 1 << 7,			/* implemented here, not in libgsasl */
	M_OAUTH = 1 << 8,		/* secret is a bearer token */
};

enum mech_id {
	MECH_GSASL, MECH_LOGIN, MECH_XOAUTH2, MECH_OAUTHBEARER,
};

struct mech_info {
	const char *name;
	enum mech_id id;
	unsigned flags;
	int proof_step;		/* M_MUTUAL: the libgsasl step (from 0) that
				   checks the server's proof */
};

#define PW (M_NEED_USER | M_NEED_SECRET)
static const struct mech_info mechs[] = {
	{ "SCRAM-SHA-256-PLUS", MECH_GSASL,
		M_CLIENT_FIRST | M_MUTUAL | M_PLUS | M_AUTO | PW, 2 },
	{ "SCRAM-SHA-1-PLUS", MECH_GSASL,
		M_CLIENT_FIRST | M_MUTUAL | M_PLUS | M_AUTO | PW, 2 },
	{ "SCRAM-SHA-256", MECH_GSASL,
		M_CLIENT_FIRST | M_MUTUAL | M_AUTO | PW, 2 },
	{ "SCRAM-SHA-1", MECH_GSASL,
		M_CLIENT_FIRST | M_MUTUAL | M_AUTO | PW, 2 },
	/* Kerberos: the server proves itself (the security layer message it
	 * wraps needs the session key only the service key reveals). */
	{ "GSSAPI", MECH_GSASL, M_CLIENT_FIRST | M_MUTUAL, 2 },
	{ "DIGEST-MD5", MECH_GSASL, M_MUTUAL | M_AUTO | PW, 1 },
	{ "CRAM-MD5", MECH_GSASL, M_AUTO | PW, 0 },
	{ "PLAIN", MECH_GSASL, M_CLIENT_FIRST | M_PLAINTEXT | M_AUTO | PW, 0 },
	{ "LOGIN", MECH_LOGIN, M_PLAINTEXT | M_AUTO | M_OWN | PW, 0 },
	{ "XOAUTH2", MECH_XOAUTH2,
		M_CLIENT_FIRST | M_PLAINTEXT | M_OWN | M_OAUTH | PW, 0 },
	{ "OAUTHBEARER", MECH_OAUTHBEARER,
		M_CLIENT_FIRST | M_PLAINTEXT | M_OWN | M_OAUTH | M_NEED_SECRET,
		0 },
	{ "EXTERNAL", MECH_GSASL, M_CLIENT_FIRST, 0 },
};
#undef PW

/* Bounds on what a server can make us do. */
enum {
	MAX_ROUNDS = 16,	/* challenges per exchange */
	MAX_LIST = 240,		/* bytes of a mechanism list in a message */
	MAX_MECH = 20,		/* SASL names are at most 20 chars (RFC 4422) */
};

static Gsasl *gsasl_ctx;

struct sasl {
	const struct mech_info *m;
	Gsasl_session *gs;		/* NULL for M_OWN */
	char *user;
	char *secret;
	char *authzid;
	char *service;
	char *host;
	unsigned port;
	unsigned started : 1;		/* sasl_start() ran */
	unsigned ir_owed : 1;		/* initial response not sent yet */
	unsigned client_done : 1;	/* the mechanism finished on our side */
	unsigned verified : 1;		/* server proved itself */
	unsigned oauth_refused : 1;	/* OAuth error challenge seen */
	unsigned login_user : 1;	/* LOGIN: user sent */
	unsigned login_pass : 1;	/* LOGIN: password sent */
	int rounds;
	int gsteps;			/* libgsasl steps that succeeded */
	char detail[256];
};

/* ---- helpers ---------------------------------------------------------- */

static const struct mech_info *
mech_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mechs); i++)
		if (strlen(mechs[i].name) == len &&
			mem_casecmp(mechs[i].name, name, len) == 0)
			return &mechs[i];
	return NULL;
}

static int
is_sep(int c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n';
}

/* Does the server's list hold name (whole word, any case)? */
static int
offers(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list, *w;

	if (!list)
		return 0;
	while (*p) {
		while (*p && is_sep((unsigned char)*p))
			p++;
		w = p;
		while (*p && !is_sep((unsigned char)*p))
			p++;
		if ((size_t)(p - w) == n && mem_casecmp(w, name, n) == 0)
			return 1;
	}
	return 0;
}

/* The server's list for a message: words joined by one space, printable
 * ASCII only, cut at MAX_LIST bytes; "none" when empty. Server text.
 * Returns the number of words. */
static int
list_for_msg(const char *list, char *out, size_t outsz)
{
	size_t o = 0;
	int words = 0;
	const char *p = list ? list : "";

	while (*p && o + 5 < outsz && o < MAX_LIST) {
		while (*p && is_sep((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (o)
			out[o++] = ' ';
		words++;
		while (*p && !is_sep((unsigned char)*p) && o + 4 < outsz) {
			unsigned char c = (unsigned char)*p++;

			out[o++] = c > ' ' && c < 127 ? (char)c : '?';
		}
	}
	if (*p && o + 4 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, outsz, "none");
	return words;
}

/* Our automatic candidates, as text for messages. */
static void
auto_list(unsigned flags, char *out, size_t outsz)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(mechs); i++) {
		const struct mech_info *m = &mechs[i];
		int n;

		if (!(m->flags & M_AUTO))
			continue;
		if ((m->flags & M_PLUS) && !(flags & SASL_CHANNEL_BINDING))
			continue;
		n = snprintf(out + o, outsz - o, "%s%s", o ? " " : "",
			m->name);
		if (n < 0 || (size_t)n >= outsz - o)
			break;
		o += (size_t)n;
	}
}

static int
plaintext_allowed(unsigned flags)
{
	return (flags & SASL_ENCRYPTED) || (flags & SASL_ALLOW_PLAINTEXT);
}

static int
gsasl_supports(const char *name)
{
	if (sasl_global_init(NULL) < 0)
		return 0;
	return gsasl_client_support_p(gsasl_ctx, name);
}

static void
wipe_free(char *p)
{
	if (p) {
		secure_wipe(p, strlen(p));
		free(p);
	}
}

/* base64 of n bytes; malloc'd, "" for n == 0. */
static char *
b64_enc(const char *p, size_t n)
{
	char *out = NULL, *r;
	size_t outlen = 0;

	if (n == 0)
		return xstrdup("");
	if (gsasl_base64_to(p, n, &out, &outlen) != GSASL_OK || !out)
		abort();	/* only fails on out of memory */
	r = xmemdup(out, outlen);
	secure_wipe(out, outlen);
	gsasl_free(out);
	return r;
}

/* Challenge text as the engine gave it: without surrounding blanks, and
 * "=" taken as empty. Sets *len. */
static const char *
chal_trim(const char *c, size_t *len)
{
	size_t n;

	if (!c)
		c = "";
	while (*c == ' ' || *c == '\t')
		c++;
	n = strlen(c);
	while (n && (c[n - 1] == ' ' || c[n - 1] == '\t' || c[n - 1] == '\r' ||
		c[n - 1] == '\n'))
		n--;
	if (n == 1 && c[0] == '=')
		n = 0;
	*len = n;
	return c;
}

/* Decode a challenge; *out malloc'd and NUL-terminated (may hold NULs). */
static int
chal_decode(struct sasl *s, const char *c, size_t n, char **out,
	size_t *outlen, struct err *e)
{
	char *raw = NULL;
	size_t rawlen = 0;
	int rc;

	if (n == 0) {
		*out = xstrdup("");
		*outlen = 0;
		return 0;
	}
	rc = gsasl_base64_from(c, n, &raw, &rawlen);
	if (rc != GSASL_OK)
		return err_set(e, ERR_PROTOCOL,
			"server challenge is not valid base64");
	*out = xmemdup(raw ? raw : "", rawlen);
	*outlen = rawlen;
	gsasl_free(raw);
	return 0;
}

/* Keep a server error text for sasl_failure_detail(): printable ASCII. */
static void
keep_detail(struct sasl *s, const char *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < sizeof s->detail; i++) {
		unsigned char c = (unsigned char)p[i];

		s->detail[o++] = c >= ' ' && c < 127 ? (char)c : ' ';
	}
	s->detail[o] = '\0';
}

/* ---- choosing --------------------------------------------------------- */

int
sasl_mech_supported(const char *name)
{
	return name && mech_find(name, strlen(name)) != NULL;
}

const char *
sasl_mech_names(void)
{
	static char names[256];
	size_t i;

	if (!names[0])
		for (i = 0; i < ARRAY_SIZE(mechs); i++) {
			if (i)
				strcat(names, " ");
			strcat(names, mechs[i].name);
		}
	return names;
}

int
sasl_mech_needs_secret(const char *name)
{
	const struct mech_info *m;

	if (!name || !*name || !strcasecmp(name, "on") ||
		!(m = mech_find(name, strlen(name))))
		return 1;
	return (m->flags & M_NEED_SECRET) != 0;
}

int
sasl_mech_is_plaintext(const char *name)
{
	const struct mech_info *m;

	if (!name || !(m = mech_find(name, strlen(name))))
		return 0;
	return (m->flags & M_PLAINTEXT) != 0;
}

static const char *
choose_named(const char *offered, const char *wanted, unsigned flags,
	struct err *e)
{
	const struct mech_info *m = mech_find(wanted, strlen(wanted));
	char list[MAX_LIST + 8];

	if (!m) {
		char w[MAX_MECH + 8];

		list_for_msg(wanted, w, sizeof w);
		err_set(e, ERR_CONFIG,
			"unknown authentication mechanism \"%s\" (known: %s)",
			w, sasl_mech_names());
		return NULL;
	}
	if ((m->flags & M_PLAINTEXT) && !plaintext_allowed(flags)) {
		err_set(e, ERR_NOPERM,
			"refusing AUTH %s on an unencrypted connection: it "
			"would send the %s in the clear (use TLS, or set "
			"\"allow_plaintext_auth on\" to allow it)", m->name,
			(m->flags & M_OAUTH) ? "token" : "password");
		return NULL;
	}
	if ((m->flags & M_PLUS) && !(flags & SASL_CHANNEL_BINDING)) {
		err_set(e, ERR_UNAVAILABLE,
			"AUTH %s needs TLS channel binding data, which this "
			"connection does not provide", m->name);
		return NULL;
	}
	if (!offers(offered, m->name)) {
		list_for_msg(offered, list, sizeof list);
		err_set(e, ERR_UNAVAILABLE,
			"server does not offer AUTH %s (offers: %s)", m->name,
			list);
		return NULL;
	}
	if (!(m->flags & M_OWN) && !gsasl_supports(m->name)) {
		err_set(e, ERR_UNAVAILABLE,
			"AUTH %s is not available in this build of libgsasl",
			m->name);
		return NULL;
	}
	return m->name;
}

const char *
sasl_choose(const char *offered, const char *wanted, unsigned flags,
	struct err *e)
{
	char list[MAX_LIST + 8], ours[256];
	int skipped_plain = 0, words;
	size_t i;

	if (wanted && *wanted && strcasecmp(wanted, "on") != 0)
		return choose_named(offered, wanted, flags, e);

	for (i = 0; i < ARRAY_SIZE(mechs); i++) {
		const struct mech_info *m = &mechs[i];

		if (!(m->flags & M_AUTO) || !offers(offered, m->name))
			continue;
		if ((m->flags & M_PLUS) && !(flags & SASL_CHANNEL_BINDING))
			continue;
		if ((m->flags & M_PLAINTEXT) && !plaintext_allowed(flags)) {
			skipped_plain = 1;
			continue;
		}
		if (!(m->flags & M_OWN) && !gsasl_supports(m->name))
			continue;
		return m->name;
	}

	words = list_for_msg(offered, list, sizeof list);
	if (skipped_plain) {
		err_set(e, ERR_NOPERM,
			"refusing to authenticate on an unencrypted "
			"connection: the server offers only mechanisms that "
			"send the password in the clear (offers: %s; use TLS, "
			"or set \"allow_plaintext_auth on\" to allow it)",
			list);
		return NULL;
	}
	if (words == 0) {
		err_set(e, ERR_UNAVAILABLE,
			"server offers no authentication mechanism");
		return NULL;
	}
	auto_list(flags, ours, sizeof ours);
	err_set(e, ERR_UNAVAILABLE,
		"no authentication mechanism in common (server offers: %s; "
		"mkit chooses from: %s; XOAUTH2, OAUTHBEARER, GSSAPI and "
		"EXTERNAL only when named)", list, ours);
	return NULL;
}

/* ---- sessions --------------------------------------------------------- */

/*
 * SCRAM's salted password, PBKDF2(SASLprep(password), salt, i), is by far
 * the costliest step of a login: libgsasl's own PBKDF2 takes ~15 ms for
 * i=4096 with SHA-256, which dominates a one-message msend run. libgsasl
 * asks the callback for GSASL_SCRAM_SALTED_PASSWORD first (after storing
 * the server's salt and iteration count as properties) and derives it
 * itself only when the callback has none, so answer it with OpenSSL's
 * PBKDF2, several times faster. The iteration count is capped: a hostile
 * server must not make us spin for minutes.
 */
#define SCRAM_MAX_ITER 1000000

static int
scram_salted_password(Gsasl_session *sctx)
{
	const char *mech = gsasl_mechanism_name(sctx);
	const char *iter_s = gsasl_property_fast(sctx, GSASL_SCRAM_ITER);
	const char *salt_b64 = gsasl_property_fast(sctx, GSASL_SCRAM_SALT);
	const char *pw = gsasl_property_fast(sctx, GSASL_PASSWORD);
	const EVP_MD *md;
	unsigned char out[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1], *prep = NULL, *salt = NULL, *end;
	size_t saltlen = 0, len;
	unsigned long iter;
	int rc = GSASL_NO_CALLBACK;

	if (!mech || !iter_s || !salt_b64 || !pw)
		return GSASL_NO_CALLBACK;
	md = strstr(mech, "SHA-256") ? EVP_sha256() : EVP_sha1();
	len = (size_t)EVP_MD_get_size(md);
	iter = strtoul(iter_s, &end, 10);
	if (*end || iter == 0 || iter > SCRAM_MAX_ITER)
		return GSASL_AUTHENTICATION_ERROR;
	if (gsasl_saslprep(pw, GSASL_ALLOW_UNASSIGNED, &prep, NULL) != GSASL_OK)
		goto out;
	if (gsasl_base64_from(salt_b64, strlen(salt_b64), &salt, &saltlen) !=
	    GSASL_OK)
		goto out;
	if (!PKCS5_PBKDF2_HMAC(prep, (int)strlen(prep),
		(const unsigned char *)salt, (int)saltlen, (int)iter, md,
		(int)len, out))
		goto out;
	hex_encode(hex, out, len, 0);
	rc = gsasl_property_set(sctx, GSASL_SCRAM_SALTED_PASSWORD, hex);
	secure_wipe(out, sizeof(out));
	secure_wipe(hex, sizeof(hex));
out:
	if (prep) {
		secure_wipe(prep, strlen(prep));
		gsasl_free(prep);
	}
	gsasl_free(salt);
	return rc;
}

static int
gsasl_cb(Gsasl *ctx, Gsasl_session *sctx, Gsasl_property prop)
{
	(void)ctx;
	if (prop == GSASL_SCRAM_SALTED_PASSWORD)
		return scram_salted_password(sctx);
	return GSASL_NO_CALLBACK;
}

int
sasl_global_init(struct err *e)
{
	int rc;

	if (gsasl_ctx)
		return 0;
	rc = gsasl_init(&gsasl_ctx);
	if (rc != GSASL_OK) {
		gsasl_ctx = NULL;
		return err_set(e, ERR_SOFTWARE, "libgsasl: %s",
			gsasl_strerror(rc));
	}
	gsasl_callback_set(gsasl_ctx, gsasl_cb);
	return 0;
}

void
sasl_global_done(void)
{
	if (gsasl_ctx)
		gsasl_done(gsasl_ctx);
	gsasl_ctx = NULL;
}

static int
gsasl_prop(struct sasl *s, Gsasl_property p, const char *v, struct err *e)
{
	int rc;

	if (!v)
		return 0;
	rc = gsasl_property_set(s->gs, p, v);
	if (rc != GSASL_OK)
		return err_set(e, ERR_SOFTWARE, "AUTH %s: libgsasl: %s",
			s->m->name, gsasl_strerror(rc));
	return 0;
}

static int
gsasl_open(struct sasl *s, const struct sasl_creds *c, struct err *e)
{
	char *cb = NULL;
	int rc, ret = -1;

	if (sasl_global_init(e) < 0)
		return -1;
	rc = gsasl_client_start(gsasl_ctx, s->m->name, &s->gs);
	if (rc != GSASL_OK) {
		s->gs = NULL;
		return err_set(e, rc == GSASL_UNKNOWN_MECHANISM ?
			ERR_UNAVAILABLE : ERR_SOFTWARE,
			"AUTH %s: libgsasl: %s", s->m->name,
			gsasl_strerror(rc));
	}
	if (gsasl_prop(s, GSASL_AUTHID, c->user, e) < 0 ||
		gsasl_prop(s, GSASL_PASSWORD, c->password, e) < 0 ||
		gsasl_prop(s, GSASL_AUTHZID, c->authzid, e) < 0 ||
		gsasl_prop(s, GSASL_SERVICE, c->service, e) < 0 ||
		gsasl_prop(s, GSASL_HOSTNAME, c->host, e) < 0 ||
		gsasl_prop(s, GSASL_QOP, "qop-auth", e) < 0)
		goto out;
	if ((s->m->flags & M_PLUS) && c->cb_len) {
		cb = b64_enc((const char *)c->cb_data, c->cb_len);
		if (gsasl_prop(s, c->cb_type == SASL_CB_TLS_EXPORTER ?
			GSASL_CB_TLS_EXPORTER : GSASL_CB_TLS_UNIQUE, cb,
			e) < 0)
			goto out;
	}
	ret = 0;
out:
	free(cb);
	return ret;
}

static int
has_ctl_a(const char *p)
{
	return p && strchr(p, '\001') != NULL;
}

struct sasl *
sasl_new(const char *mech, const struct sasl_creds *c, struct err *e)
{
	const struct mech_info *m;
	struct sasl *s;

	if (!mech || !(m = mech_find(mech, strlen(mech)))) {
		err_set(e, ERR_CONFIG, "unknown authentication mechanism");
		return NULL;
	}
	if ((m->flags & M_NEED_USER) && (!c->user || !*c->user)) {
		err_set(e, ERR_CONFIG, "AUTH %s needs a user name", m->name);
		return NULL;
	}
	if ((m->flags & M_NEED_SECRET) && (!c->password || !*c->password)) {
		err_set(e, ERR_CONFIG, "AUTH %s needs a %s", m->name,
			(m->flags & M_OAUTH) ? "token" : "password");
		return NULL;
	}
	if ((m->flags & M_PLUS) && (c->cb_type == SASL_CB_NONE ||
		!c->cb_data || !c->cb_len)) {
		err_set(e, ERR_UNAVAILABLE,
			"AUTH %s needs TLS channel binding data, which this "
			"connection does not provide", m->name);
		return NULL;
	}
	/* ^A separates the OAuth fields: none may hold one. */
	if ((m->flags & M_OAUTH) && (has_ctl_a(c->user) ||
		has_ctl_a(c->password) || has_ctl_a(c->authzid) ||
		has_ctl_a(c->host))) {
		err_set(e, ERR_CONFIG, "AUTH %s: the user name, token, authzid "
			"or host name holds a ^A", m->name);
		return NULL;
	}

	s = xcalloc(1, sizeof *s);
	s->m = m;
	s->user = c->user ? xstrdup(c->user) : NULL;
	s->secret = c->password ? xstrdup(c->password) : NULL;
	s->authzid = c->authzid && *c->authzid ? xstrdup(c->authzid) : NULL;
	s->service = c->service ? xstrdup(c->service) : NULL;
	s->host = c->host ? xstrdup(c->host) : NULL;
	s->port = c->port;
	if (!(m->flags & M_OWN) && gsasl_open(s, c, e) < 0) {
		sasl_free(s);
		return NULL;
	}
	return s;
}

void
sasl_free(struct sasl *s)
{
	if (!s)
		return;
	if (s->gs)
		gsasl_finish(s->gs);
	wipe_free(s->user);
	wipe_free(s->secret);
	wipe_free(s->authzid);
	wipe_free(s->service);
	wipe_free(s->host);
	secure_wipe(s, sizeof *s);
	free(s);
}

const char *
sasl_mech(const struct sasl *s)
{
	return s->m->name;
}

/* ---- the in-tree mechanisms ------------------------------------------- */

/* XOAUTH2: "user=" U ^A "auth=Bearer " T ^A ^A. */
static char *
xoauth2_ir(const struct sasl *s)
{
	struct buf b = BUF_INIT;
	char *r;

	buf_addf(&b, "user=%s\001auth=Bearer %s\001\001", s->user, s->secret);
	r = b64_enc(b.data, b.len);
	secure_wipe(b.data, b.len);
	buf_release(&b);
	return r;
}

/* RFC 5801 saslname: "," and "=" escaped. */
static void
add_saslname(struct buf *b, const char *p)
{
	for (; *p; p++) {
		if (*p == ',')
			buf_addstr(b, "=2C");
		else if (*p == '=')
			buf_addstr(b, "=3D");
		else
			buf_addch(b, *p);
	}
}

/* OAUTHBEARER (RFC 7628 3.1): gs2 header "n,a=" authzid ",", then
 * key=value pairs, each ending in ^A, and a final ^A. The authzid is the
 * configured authzid or else the user (as the RFC's examples and common
 * servers expect); the token alone authenticates. */
static char *
oauthbearer_ir(const struct sasl *s)
{
	struct buf b = BUF_INIT;
	const char *a = s->authzid ? s->authzid : s->user;
	char *r;

	buf_addstr(&b, "n,");
	if (a && *a) {
		buf_addstr(&b, "a=");
		add_saslname(&b, a);
	}
	buf_addstr(&b, ",\001");
	if (s->host && *s->host)
		buf_addf(&b, "host=%s\001", s->host);
	if (s->port)
		buf_addf(&b, "port=%u\001", s->port);
	buf_addf(&b, "auth=Bearer %s\001\001", s->secret);
	r = b64_enc(b.data, b.len);
	secure_wipe(b.data, b.len);
	buf_release(&b);
	return r;
}

static char *
own_ir(struct sasl *s)
{
	s->client_done = 1;
	if (s->m->id == MECH_XOAUTH2)
		return xoauth2_ir(s);
	return oauthbearer_ir(s);
}

/* Does the LOGIN prompt ask for a password (1), a user name (0), or is it
 * not clear (-1)? Servers send "Username:"/"Password:" (the draft's
 * example) or "User Name"/"Password" and others; an unclear prompt is
 * answered by order: user name first. */
static int
login_prompt(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++)
		if (has_prefix_ci(p + i, n - i, "pass"))
			return 1;
	for (i = 0; i + 4 <= n; i++)
		if (has_prefix_ci(p + i, n - i, "user") ||
			has_prefix_ci(p + i, n - i, "name"))
			return 0;
	return -1;
}

static int
login_step(struct sasl *s, const char *c, size_t n, char **resp,
	struct err *e)
{
	char *raw;
	size_t rawlen;
	int want;

	if (chal_decode(s, c, n, &raw, &rawlen, e) < 0)
		return -1;
	want = login_prompt(raw, rawlen);
	free(raw);
	if (want < 0)
		want = s->login_user ? 1 : 0;
	if (want == 0 && !s->login_user) {
		s->login_user = 1;
		*resp = b64_enc(s->user, strlen(s->user));
	} else if (want == 1 && !s->login_pass) {
		s->login_pass = 1;
		*resp = b64_enc(s->secret, strlen(s->secret));
	} else {
		return err_set(e, ERR_PROTOCOL,
			"server asked for the %s twice",
			want ? "password" : "user name");
	}
	if (s->login_user && s->login_pass)
		s->client_done = 1;
	return 0;
}

/* A challenge after the OAuth initial response is the server's error
 * (RFC 7628 3.2.2; Google's XOAUTH2 likewise): keep it, and answer so the
 * server can send its failure reply: ^A for OAUTHBEARER, empty for
 * XOAUTH2. */
static int
oauth_step(struct sasl *s, const char *c, size_t n, char **resp,
	struct err *e)
{
	char *raw;
	size_t rawlen;

	if (chal_decode(s, c, n, &raw, &rawlen, e) < 0)
		return -1;
	if (s->oauth_refused) {
		free(raw);
		return err_set(e, ERR_PROTOCOL,
			"server sent a second error challenge");
	}
	s->oauth_refused = 1;
	keep_detail(s, raw, rawlen);
	free(raw);
	*resp = s->m->id == MECH_OAUTHBEARER ? b64_enc("\001", 1) :
		xstrdup("");
	return 0;
}

/* ---- the exchange ----------------------------------------------------- */

/* ---- GSSAPI errors ---------------------------------------------------- */

/* Major status routine errors (RFC 2744 5.1, fixed by the C bindings). */
#define GSS_ROUTINE(x) ((unsigned long)(x) << 16)
#define GSS_ROUTINE_MASK GSS_ROUTINE(0xff)
#define GSS_BAD_MECH GSS_ROUTINE(1)
#define GSS_NO_CRED GSS_ROUTINE(7)
#define GSS_CREDENTIALS_EXPIRED GSS_ROUTINE(11)

/* MIT Kerberos minor status codes worth a hint: com_err codes of the krb5
 * error table, whose base and order are fixed (krb5/krb5_err.et). */
#define KRB5_ERR(n) ((unsigned long)(2529638912UL + (n)))
#define KRB5_S_PRINCIPAL_UNKNOWN KRB5_ERR(7)	/* KDC: no such service */
#define KRB5_TKT_EXPIRED KRB5_ERR(32)		/* ticket expired */
#define KRB5_KDC_UNREACH KRB5_ERR(156)		/* no KDC answered */

int
sasl_gssapi_error(unsigned long major, unsigned long minor, const char *text,
	const char *service, const char *host, struct err *e)
{
	char t[200];
	size_t i, o = 0;

	for (i = 0; text && text[i] && o + 1 < sizeof t; i++) {
		unsigned char c = (unsigned char)text[i];

		t[o++] = c >= ' ' && c < 127 ? (char)c : ' ';
	}
	t[o] = '\0';
	if (!o)
		snprintf(t, sizeof t, "GSS-API major status 0x%lx", major);
	if (!service || !*service)
		service = "?";
	if (!host || !*host)
		host = "?";

	if ((major & GSS_ROUTINE_MASK) == GSS_BAD_MECH)
		return err_set(e, ERR_CONFIG,
			"GSS-API has no Kerberos mechanism (libgssglue reads "
			"it from /etc/gssapi_mech.conf or $GSSAPI_MECH_CONF; "
			"Debian: libgssapi-krb5-2)");
	if ((major & GSS_ROUTINE_MASK) == GSS_NO_CRED)
		return err_set(e, ERR_NOPERM,
			"no Kerberos ticket: run kinit (%s)", t);
	if ((major & GSS_ROUTINE_MASK) == GSS_CREDENTIALS_EXPIRED ||
		minor == KRB5_TKT_EXPIRED)
		return err_set(e, ERR_NOPERM,
			"Kerberos ticket expired: run kinit (%s)", t);
	if (minor == KRB5_S_PRINCIPAL_UNKNOWN)
		return err_set(e, ERR_NOPERM,
			"no Kerberos service principal %s/%s: host must be "
			"the server's name in its principal (%s)", service,
			host, t);
	if (minor == KRB5_KDC_UNREACH)
		return err_set(e, ERR_TEMPFAIL,
			"cannot reach the Kerberos KDC (%s)", t);
	return err_set(e, ERR_NOPERM, "Kerberos: %s", t);
}

#ifdef HAVE_GSSAPI
/* The first line of a GSS-API status text into out. */
static void
gss_status_text(OM_uint32 code, int type, char *out, size_t outsz)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;

	out[0] = '\0';
	if (GSS_ERROR(gss_display_status(&min, code, type, GSS_C_NO_OID,
		&ctx, &b)))
		return;
	snprintf(out, outsz, "%.*s", (int)b.length,
		b.value ? (const char *)b.value : "");
	gss_release_buffer(&min, &b);
}
#endif

/*
 * libgsasl says only that gss_init_sec_context() failed, and keeps the
 * GSS-API status to itself. To tell the user what to do (kinit, the host
 * name), ask GSS-API the same question again: import SERVICE@HOST, start a
 * context with the default credentials, and read the status. This happens
 * only on the failure path, before anything went to the server.
 */
static int
gssapi_start_fail(struct sasl *s, int rc, struct err *e)
{
#ifdef HAVE_GSSAPI
	gss_buffer_desc nb, out = GSS_C_EMPTY_BUFFER;
	gss_name_t name = GSS_C_NO_NAME;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	OM_uint32 maj, min = 0, m;
	char target[300], text[200];

	snprintf(target, sizeof target, "%s@%s", s->service ? s->service : "",
		s->host ? s->host : "");
	nb.value = target;
	nb.length = strlen(target);
	maj = gss_import_name(&min, &nb, GSS_C_NT_HOSTBASED_SERVICE, &name);
	if (!GSS_ERROR(maj))
		maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ctx,
			name, GSS_C_NO_OID, GSS_C_MUTUAL_FLAG |
			GSS_C_INTEG_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
			GSS_C_NO_BUFFER, NULL, &out, NULL, NULL);
	if (min)
		gss_status_text(min, GSS_C_MECH_CODE, text, sizeof text);
	else
		gss_status_text(maj, GSS_C_GSS_CODE, text, sizeof text);
	gss_release_buffer(&m, &out);
	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&m, &ctx, GSS_C_NO_BUFFER);
	if (name != GSS_C_NO_NAME)
		gss_release_name(&m, &name);
	if (GSS_ERROR(maj))
		return sasl_gssapi_error(maj, min, text, s->service, s->host,
			e);
#endif
	return err_set(e, ERR_NOPERM, "Kerberos authentication could not "
		"start (no ticket? run kinit; libgsasl: %s)",
		gsasl_strerror(rc));
}

/* Map a failed gsasl_step on server data to an error for people. */
static int
gsasl_fail(struct sasl *s, int rc, const char *c, size_t n, struct err *e)
{
	char *raw = NULL;
	size_t rawlen = 0;

	if (rc == GSASL_MECHANISM_CALLED_TOO_MANY_TIMES)
		return err_set(e, ERR_PROTOCOL,
			"server sent a challenge after the exchange "
			"was complete");
	if (rc == GSASL_BASE64_ERROR)
		return err_set(e, ERR_PROTOCOL,
			"server challenge is not valid base64");
	if (!strcmp(s->m->name, "GSSAPI") &&
		rc != GSASL_MECHANISM_PARSE_ERROR) {
		if (s->gsteps == 0)
			return gssapi_start_fail(s, rc, e);
		/* the server's Kerberos reply or its wrapped security layer
		 * message did not verify */
		return err_set(e, ERR_NOPERM, "server did not prove its "
			"Kerberos identity (libgsasl: %s)",
			gsasl_strerror(rc));
	}
	if (rc != GSASL_AUTHENTICATION_ERROR &&
		rc != GSASL_MECHANISM_PARSE_ERROR)
		return err_set(e, ERR_SOFTWARE, "libgsasl: %s",
			gsasl_strerror(rc));
	/* SCRAM server-final "e=..." is the server's refusal, not a forgery. */
	if (!strncmp(s->m->name, "SCRAM-", 6) && n &&
		chal_decode(s, c, n, &raw, &rawlen, NULL) == 0 &&
		rawlen > 2 && raw[0] == 'e' && raw[1] == '=') {
		keep_detail(s, raw + 2, rawlen - 2);
		free(raw);
		return err_set(e, ERR_NOPERM,
			"authentication failed: server error \"%s\"",
			s->detail);
	}
	free(raw);
	if (rc == GSASL_MECHANISM_PARSE_ERROR)
		return err_set(e, ERR_PROTOCOL,
			"malformed server challenge");
	if ((s->m->flags & M_MUTUAL) && s->gsteps == s->m->proof_step)
		return err_set(e, ERR_NOPERM,
			"server did not prove it knows the password");
	return err_set(e, ERR_PROTOCOL,
		"server challenge refused: %s",
		gsasl_strerror(rc));
}

/*
 * Run one libgsasl step on challenge c (n bytes of base64). The challenge
 * is decoded here and handed over NUL-terminated: libgsasl 2.2's DIGEST-MD5
 * parser reads past the end of a decoded challenge that is not (seen under
 * ASan with a hostile challenge). The text mechanisms' challenges never
 * hold a NUL, so one is refused before libgsasl sees it.
 */
static int
gsasl_run(struct sasl *s, const char *c, size_t n, char **resp,
	struct err *e)
{
	char *raw = NULL, *out = NULL;
	size_t rawlen = 0, outlen = 0;
	int rc;

	if (s->client_done)
		return err_set(e, ERR_PROTOCOL,
			"server sent a challenge after the exchange "
			"was complete");
	if (chal_decode(s, c, n, &raw, &rawlen, e) < 0)
		return -1;
	if (strcmp(s->m->name, "GSSAPI") != 0 && memchr(raw, '\0', rawlen)) {
		free(raw);
		return err_set(e, ERR_PROTOCOL,
			"server challenge holds a NUL byte");
	}
	rc = gsasl_step(s->gs, raw, rawlen, &out, &outlen);
	free(raw);
	if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE) {
		gsasl_free(out);
		return gsasl_fail(s, rc, c, n, e);
	}
	s->gsteps++;
	if (rc == GSASL_OK) {
		s->client_done = 1;
		if (s->m->flags & M_MUTUAL)
			s->verified = 1;
	}
	*resp = b64_enc(out ? out : "", out ? outlen : 0);
	if (out) {
		secure_wipe(out, outlen);
		gsasl_free(out);
	}
	return 0;
}

int
sasl_start(struct sasl *s, int can_ir, char **ir, struct err *e)
{
	*ir = NULL;
	if (s->started)
		return err_set(e, ERR_USAGE, "sasl_start called twice");
	s->started = 1;
	if (!(s->m->flags & M_CLIENT_FIRST))
		return 0;
	if (!can_ir) {
		s->ir_owed = 1;
		return 0;
	}
	if (s->m->flags & M_OWN) {
		*ir = own_ir(s);
		return 0;
	}
	return gsasl_run(s, "", 0, ir, e);
}

int
sasl_step(struct sasl *s, const char *challenge, char **resp,
	struct err *e)
{
	const char *c;
	size_t n;

	*resp = NULL;
	if (!s->started)
		return err_set(e, ERR_USAGE, "sasl_step before sasl_start");
	if (++s->rounds > MAX_ROUNDS)
		return err_set(e, ERR_PROTOCOL,
			"too many challenges");
	c = chal_trim(challenge, &n);

	if (s->ir_owed) {
		/* RFC 4422 5: without an initial response the server
		 * sends an empty challenge; anything in it means nothing. */
		s->ir_owed = 0;
		if (s->m->flags & M_OWN) {
			*resp = own_ir(s);
			return 0;
		}
		return gsasl_run(s, "", 0, resp, e);
	}
	switch (s->m->id) {
	case MECH_LOGIN:
		return login_step(s, c, n, resp, e);
	case MECH_XOAUTH2:
	case MECH_OAUTHBEARER:
		return oauth_step(s, c, n, resp, e);
	case MECH_GSASL:
		break;
	}
	return gsasl_run(s, c, n, resp, e);
}

int
sasl_success(struct sasl *s, const char *extra, struct err *e)
{
	const char *c;
	size_t n;

	c = chal_trim(extra, &n);
	if (n) {
		char *resp = NULL;
		int bad;

		if (s->m->id != MECH_GSASL || s->ir_owed)
			return err_set(e, ERR_PROTOCOL,
				"unexpected data with the success "
				"reply");
		if (gsasl_run(s, c, n, &resp, e) < 0)
			return -1;
		bad = resp[0] != '\0';
		free(resp);
		if (bad)
			return err_set(e, ERR_PROTOCOL,
				"success reply came before the "
				"exchange was complete");
	}
	if (s->oauth_refused)
		return err_set(e, ERR_NOPERM,
			"server reported success after rejecting "
			"the token");
	if ((s->m->flags & M_MUTUAL) && !s->verified)
		return err_set(e, ERR_NOPERM, !strcmp(s->m->name, "GSSAPI") ?
			"server reported success before it proved its "
			"Kerberos identity" :
			"server did not prove it knows the password");
	return 0;
}

int
sasl_server_verified(const struct sasl *s)
{
	return s->verified;
}

const char *
sasl_failure_detail(const struct sasl *s)
{
	return s->detail;
}

const char *
sasl_transcript_text(const char *resp)
{
	if (!resp || !*resp)
		return "";
	if (!strcmp(resp, "*"))
		return "*";
	if (!strcmp(resp, "="))
		return "=";
	return "<redacted>";
}
