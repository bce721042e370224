/*
 * t_tlsamatch: the TLSA matcher (net/tlsamatch.h) and the chain checks
 * (net/certchk.h) against certificates made here, at test time, with
 * OpenSSL: a CA, a server certificate it signed for mx.example.test, an
 * expired one, a self-signed stranger. Each record is computed from the
 * certificate it should (or should not) match.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/certchk.h"
#include "net/tlsamatch.h"
#include "tap.h"

static EVP_PKEY *
key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (!k)
		abort();
	return k;
}

/* A certificate for cn (SAN DNS:san when not NULL), valid from days_from
 * to days_to (relative to now), signed by (ikey, issuer); self-signed when
 * issuer is NULL. As DER into out. */
static X509 *
cert(const char *cn, const char *san, EVP_PKEY *k, EVP_PKEY *ikey,
	X509 *issuer, int ca, long days_from, long days_to, struct buf *out)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	unsigned char *p = NULL;
	char v[128];
	int n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), days_from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), days_to * 86400);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
		(const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if (san) {
		snprintf(v, sizeof v, "DNS:%s", san);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, v);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
		ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, ikey ? ikey : k, EVP_sha256()))
		abort();
	n = i2d_X509(x, &p);
	buf_init(out, 0);
	buf_add(out, p, (size_t)n);
	OPENSSL_free(p);
	return x;
}

static struct buf ca, leaf, old, stranger, other_ca_leaf;
static unsigned char spki_ca[512];
static long spki_ca_len;

static struct tlsamatch_rec
rec(int usage, int sel, int mtype, const struct buf *of, unsigned char *d)
{
	struct tlsamatch_rec t = { (unsigned char)usage, (unsigned char)sel,
		(unsigned char)mtype, d, 0 };
	long n = tlsamatch_data(of, sel, mtype > 2 ? 1 : mtype, d, 512);

	if (n < 0)
		abort();
	t.len = (size_t)n;
	return t;
}

struct tcase {
	const char *name;
	int usage, sel, mtype;
	const struct buf *of;		/* the certificate the record is for */
	const struct buf *chain[3];	/* as sent */
	const char *host;
	int want;			/* tlsamatch_chain's result */
	int depth;			/* where it matched */
	const char *why;		/* part of v.why when no match */
};

static void
run(const struct tcase *c)
{
	unsigned char d[512];
	struct tlsamatch_rec t = rec(c->usage, c->sel, c->mtype, c->of, d);
	struct buf chain[3];
	struct tlsamatch_verdict v;
	size_t n = 0;
	int r;

	for (; n < 3 && c->chain[n]; n++)
		chain[n] = *c->chain[n];
	r = tlsamatch_chain(&t, 1, chain, n, c->host, &v);
	tap_ok(r == c->want && (r != 1 || v.depth == c->depth) &&
		(!c->why || strstr(v.why, c->why)), "%s (got %d at %d: %s)",
		c->name, r, v.depth, v.why);
}

int
main(void)
{
	EVP_PKEY *kca = key(), *kleaf = key(), *kold = key(), *kst = key(),
		*kca2 = key();
	X509 *xca = cert("Test CA", NULL, kca, NULL, NULL, 1, -1, 365, &ca);
	X509 *xca2 = cert("Other CA", NULL, kca2, NULL, NULL, 1, -1, 365,
		&stranger);
	struct buf chain[2];
	char why[256];
	FILE *f;
	const struct tcase cases[] = {
		{ "3 1 1 (DANE-EE, SPKI, SHA-256) matches the server's "
			"certificate", 3, 1, 1, &leaf, { &leaf, &ca },
			"mx.example.test", 1, 0, NULL },
		{ "3 0 1 (whole certificate, SHA-256) matches", 3, 0, 1, &leaf,
			{ &leaf, &ca }, "mx.example.test", 1, 0, NULL },
		{ "3 0 0 (whole certificate, full) matches", 3, 0, 0, &leaf,
			{ &leaf }, "mx.example.test", 1, 0, NULL },
		{ "3 1 2 (SPKI, SHA-512) matches", 3, 1, 2, &leaf, { &leaf },
			"mx.example.test", 1, 0, NULL },
		{ "DANE-EE ignores the name", 3, 1, 1, &leaf, { &leaf },
			"other.example.test", 1, 0, NULL },
		{ "DANE-EE ignores the dates (an expired certificate)", 3, 1,
			1, &old, { &old, &ca }, "mx.example.test", 1, 0, NULL },
		{ "DANE-EE for another certificate does not match", 3, 1, 1,
			&stranger, { &leaf, &ca }, "mx.example.test", 0, 0,
			"no certificate of the chain matches" },
		{ "DANE-EE does not match the CA in the chain", 3, 1, 1, &ca,
			{ &leaf, &ca }, "mx.example.test", 0, 0, NULL },
		{ "2 0 1 (DANE-TA) matches the CA sent in the chain", 2, 0, 1,
			&ca, { &leaf, &ca }, "mx.example.test", 1, 1, NULL },
		{ "2 1 1 (DANE-TA, SPKI) matches the CA", 2, 1, 1, &ca,
			{ &leaf, &ca }, "mx.example.test", 1, 1, NULL },
		{ "DANE-TA requires the name of the MX host", 2, 0, 1, &ca,
			{ &leaf, &ca }, "other.example.test", 0, 0,
			"does not name other.example.test" },
		{ "DANE-TA requires current dates", 2, 0, 1, &ca,
			{ &old, &ca }, "mx.example.test", 0, 0,
			"validity dates" },
		{ "DANE-TA: a CA that did not sign the server's certificate",
			2, 0, 1, &stranger, { &other_ca_leaf, &stranger },
			"mx.example.test", 0, 0, "not signed by" },
		{ "2 1 0: the anchor's key alone, not sent by the server", 2,
			1, 0, &ca, { &leaf }, "mx.example.test", 1, 0, NULL },
		{ "2 1 1 of an anchor not sent does not match", 2, 1, 1, &ca,
			{ &leaf }, "mx.example.test", 0, 0, NULL },
		{ "1 1 1 (PKIX-EE) is unusable for SMTP", 1, 1, 1, &leaf,
			{ &leaf }, "mx.example.test", 0, 0,
			"no usable TLSA record" },
		{ "0 0 1 (PKIX-TA) is unusable for SMTP", 0, 0, 1, &ca,
			{ &leaf, &ca }, "mx.example.test", 0, 0,
			"no usable TLSA record" },
		{ "an unknown matching type is unusable", 3, 1, 3, &leaf,
			{ &leaf }, "mx.example.test", 0, 0,
			"no usable TLSA record" },
	};

	X509_free(cert("mx.example.test", "mx.example.test", kleaf, kca, xca,
		0, -1, 30, &leaf));
	X509_free(cert("mx.example.test", "mx.example.test", kold, kca, xca,
		0, -60, -1, &old));
	/* issued by Test CA: Other CA in the chain above it did not sign */
	X509_free(cert("mx.example.test", "mx.example.test", kst, kca, xca,
		0, -1, 30, &other_ca_leaf));
	(void)xca2;
	spki_ca_len = tlsamatch_data(&ca, 1, 0, spki_ca, sizeof spki_ca);
	tap_ok(spki_ca_len > 0, "tlsamatch_data gives the CA's public key");

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		run(&cases[i]);

	{
		/* several records: the usable one that matches wins */
		unsigned char d1[512], d2[512];
		struct tlsamatch_rec t[2] = {
			rec(1, 1, 1, &leaf, d1), rec(3, 1, 1, &leaf, d2) };
		struct tlsamatch_verdict v;

		tap_ok(tlsamatch_chain(t, 2, &leaf, 1, "mx.example.test", &v) == 1
			&& v.match == 1 && v.usable == 1,
			"of a PKIX-EE and a DANE-EE record, the DANE-EE one "
			"matches (usable 1)");
	}
	{
		struct buf junk = BUF_INIT;
		struct tlsamatch_verdict v;
		unsigned char d[512];
		struct tlsamatch_rec t = rec(3, 1, 1, &leaf, d);

		buf_addstr(&junk, "not a certificate");
		tap_ok(tlsamatch_chain(&t, 1, &junk, 1, "x", &v) == -1 &&
			strstr(v.why, "does not parse"),
			"a chain that does not parse: -1 (%s)", v.why);
		buf_release(&junk);
	}

	/* certchk */
	chain[0] = leaf;
	chain[1] = ca;
	tap_int(certchk_name(chain, 1, "mx.example.test"), 1,
		"the server's certificate names mx.example.test");
	tap_int(certchk_name(chain, 1, "MX.Example.Test"), 1,
		"names compare without case");
	tap_int(certchk_name(chain, 1, "other.example.test"), 0,
		"and not other.example.test");
	f = fopen("t_tlsamatch-ca.pem", "w");
	if (!f || !PEM_write_X509(f, xca))
		abort();
	fclose(f);
	tap_int(certchk_pkix(chain, 2, "t_tlsamatch-ca.pem", "mx.example.test",
		why, sizeof why), 1, "PKIX: valid to the trusted CA");
	tap_int(certchk_pkix(chain, 1, "t_tlsamatch-ca.pem", "mx.example.test",
		why, sizeof why), 1, "PKIX: valid without the CA sent");
	tap_int(certchk_pkix(chain, 2, "t_tlsamatch-ca.pem", "other.example.test",
		why, sizeof why), 0, "PKIX: the wrong host name is invalid");
	tap_ok(strstr(why, "mismatch") != NULL, "... says so (%s)", why);
	chain[0] = old;
	tap_int(certchk_pkix(chain, 2, "t_tlsamatch-ca.pem", "mx.example.test",
		why, sizeof why), 0, "PKIX: an expired certificate is invalid");
	tap_ok(strstr(why, "expired") != NULL, "... says so (%s)", why);
	chain[0] = leaf;
	tap_int(certchk_pkix(chain, 2, "/nonexistent/ca.pem", NULL, why,
		sizeof why), -1, "PKIX: an unreadable trust file is -1");
	remove("t_tlsamatch-ca.pem");

	X509_free(xca);
	X509_free(xca2);
	EVP_PKEY_free(kca);
	EVP_PKEY_free(kca2);
	EVP_PKEY_free(kleaf);
	EVP_PKEY_free(kold);
	EVP_PKEY_free(kst);
	buf_release(&ca);
	buf_release(&leaf);
	buf_release(&old);
	buf_release(&stranger);
	buf_release(&other_ca_leaf);
	return tap_done();
}
