/*
 * tlsamatch.c: see tlsamatch.h. RFC 6698 2.1 (the record), RFC 7671 5 (the usages
 * in practice), RFC 7672 3.1 and 3.2 (DANE for SMTP).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/tlsamatch.h"

/* RFC 6698 2.1 */
#define DANE_TA 2
#define DANE_EE 3
#define SEL_CERT 0
#define SEL_SPKI 1
#define FULL 0
#define SHA256 1
#define SHA512 2

int
tlsamatch_usable(const struct tlsamatch_rec *t)
{
	return (t->usage == DANE_TA || t->usage == DANE_EE) &&
		t->selector <= SEL_SPKI && t->mtype <= SHA512;
}

static X509 *
parse(const struct buf *der)
{
	const unsigned char *p = (const unsigned char *)der->data;

	return p ? d2i_X509(NULL, &p, (long)der->len) : NULL;
}

/* The selected DER of x (whole certificate or its public key), new. */
static long
selected(X509 *x, int selector, unsigned char **out)
{
	*out = NULL;
	if (selector == SEL_CERT)
		return i2d_X509(x, out);
	if (selector == SEL_SPKI)
		return i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), out);
	return -1;
}

static long
data_of(X509 *x, int selector, int mtype, unsigned char *out, size_t size)
{
	unsigned char *sel;
	unsigned int mdlen = 0;
	long n = selected(x, selector, &sel);
	const EVP_MD *md = mtype == SHA256 ? EVP_sha256() :
		mtype == SHA512 ? EVP_sha512() : NULL;

	if (n <= 0)
		return -1;
	if (mtype == FULL) {
		if ((size_t)n <= size)
			memcpy(out, sel, (size_t)n);
		else
			n = -1;
	} else if (md && (size_t)EVP_MD_size(md) <= size &&
		EVP_Digest(sel, (size_t)n, out, &mdlen, md, NULL) == 1) {
		n = (long)mdlen;
	} else {
		n = -1;
	}
	OPENSSL_free(sel);
	return n;
}

long
tlsamatch_data(const struct buf *der, int selector, int mtype, unsigned char *out,
	size_t size)
{
	X509 *x = parse(der);
	long n;

	if (!x)
		return -1;
	n = data_of(x, selector, mtype, out, size);
	X509_free(x);
	return n;
}

static int
matches(X509 *x, const struct tlsamatch_rec *t)
{
	unsigned char d[16384];
	long n = data_of(x, t->selector, t->mtype, d, sizeof d);

	return n >= 0 && (size_t)n == t->len && memcmp(d, t->data, t->len) == 0;
}

/* Does the chain hold from the server's certificate (0) up to top: each
 * issued and signed by the next, each current? */
static int
chain_holds(X509 **x, int top, char *why, size_t size)
{
	for (int i = 0; i <= top; i++) {
		if (X509_cmp_current_time(X509_get0_notAfter(x[i])) <= 0 ||
			X509_cmp_current_time(X509_get0_notBefore(x[i])) >= 0) {
			snprintf(why, size, "certificate %d of the chain is "
				"outside its validity dates", i);
			return 0;
		}
		if (i == top)
			break;
		if (X509_check_issued(x[i + 1], x[i]) != X509_V_OK ||
			X509_verify(x[i], X509_get0_pubkey(x[i + 1])) != 1) {
			snprintf(why, size, "certificate %d of the chain is "
				"not signed by certificate %d", i, i + 1);
			return 0;
		}
	}
	return 1;
}

static int
names_host(X509 *x, const char *host)
{
	return host && X509_check_host(x, host, 0, 0, NULL) == 1;
}

/* A "2 1 0" record naming an anchor the server did not send: is the top of
 * the chain signed by its key? */
static int
signed_by_key(X509 *top, const struct tlsamatch_rec *t)
{
	const unsigned char *p = t->data;
	EVP_PKEY *k;
	int ok;

	if (t->usage != DANE_TA || t->selector != SEL_SPKI ||
		t->mtype != FULL)
		return 0;
	k = d2i_PUBKEY(NULL, &p, (long)t->len);
	if (!k)
		return 0;
	ok = X509_verify(top, k) == 1;
	EVP_PKEY_free(k);
	return ok;
}

int
tlsamatch_chain(const struct tlsamatch_rec *t, size_t nt, const struct buf *chain,
	size_t nc, const char *host, struct tlsamatch_verdict *v)
{
	X509 *x[16];
	int n = 0, ret = 0;
	char why[200] = "";

	memset(v, 0, sizeof *v);
	v->match = -1;
	v->depth = -1;
	for (size_t i = 0; i < nc && i < sizeof x / sizeof *x; i++) {
		x[n] = parse(&chain[i]);
		if (!x[n]) {
			snprintf(v->why, sizeof v->why, "certificate %zu of "
				"the chain does not parse", i);
			ret = -1;
			goto out;
		}
		n++;
	}
	if (n == 0) {
		snprintf(v->why, sizeof v->why, "no certificate");
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < nt; i++) {
		if (!tlsamatch_usable(&t[i]))
			continue;
		v->usable++;
		for (int d = 0; d < n; d++) {
			int top = d;

			if (t[i].usage == DANE_EE && d > 0)
				break;
			if (!matches(x[d], &t[i])) {
				if (d < n - 1 || !signed_by_key(x[d], &t[i]))
					continue;
			}
			if (t[i].usage == DANE_EE) {
				v->match = (int)i;
				v->depth = 0;
				ret = 1;
				goto out;
			}
			if (!chain_holds(x, top, why, sizeof why))
				continue;
			if (!names_host(x[0], host)) {
				snprintf(why, sizeof why, "the chain matches a "
					"DANE-TA record but the certificate "
					"does not name %s", host ? host : "");
				continue;
			}
			v->match = (int)i;
			v->depth = d;
			ret = 1;
			goto out;
		}
	}
	if (v->usable == 0)
		snprintf(v->why, sizeof v->why, "no usable TLSA record "
			"(SMTP uses only DANE-TA(2) and DANE-EE(3))");
	else
		snprintf(v->why, sizeof v->why, "%s", *why ? why :
			"no certificate of the chain matches a TLSA record");
out:
	for (int i = 0; i < n; i++)
		X509_free(x[i]);
	return ret;
}
