/* certchk.c: see certchk.h. RFC 5280 6 (path validation), RFC 6125. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "net/certchk.h"

static X509 *
parse(const struct buf *der)
{
	const unsigned char *p = (const unsigned char *)der->data;

	return p ? d2i_X509(NULL, &p, (long)der->len) : NULL;
}

int
certchk_name(const struct buf *chain, size_t nc, const char *host)
{
	X509 *x = nc ? parse(&chain[0]) : NULL;
	int r;

	if (!x)
		return -1;
	r = X509_check_host(x, host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
		NULL) == 1;
	X509_free(x);
	return r;
}

int
certchk_pkix(const struct buf *chain, size_t nc, const char *trust_file,
	const char *host, char *why, size_t size)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *rest = sk_X509_new_null();
	X509 *leaf = nc ? parse(&chain[0]) : NULL;
	int ret = -1;

	*why = '\0';
	if (!store || !ctx || !rest || !leaf) {
		snprintf(why, size, "%s", leaf ? "out of memory" :
			"the certificate does not parse");
		goto out;
	}
	for (size_t i = 1; i < nc; i++) {
		X509 *x = parse(&chain[i]);

		if (!x || !sk_X509_push(rest, x)) {
			X509_free(x);
			snprintf(why, size, "certificate %zu of the chain "
				"does not parse", i);
			goto out;
		}
	}
	if (trust_file ? X509_STORE_load_locations(store, trust_file,
		NULL) != 1 : X509_STORE_set_default_paths(store) != 1) {
		snprintf(why, size, "cannot read the trusted CAs%s%s",
			trust_file ? " in " : "", trust_file ? trust_file : "");
		goto out;
	}
	if (X509_STORE_CTX_init(ctx, store, leaf, rest) != 1)
		goto out;
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	if (host)
		X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx),
			host, 0);
	if (X509_verify_cert(ctx) == 1) {
		ret = 1;
	} else {
		int err = X509_STORE_CTX_get_error(ctx);

		snprintf(why, size, "%s", X509_verify_cert_error_string(err));
		ret = 0;
	}
out:
	X509_free(leaf);
	sk_X509_pop_free(rest, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ret;
}

static void
oneline(X509_NAME *name, char *out, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	*out = '\0';
	if (!b)
		return;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253);
	n = BIO_get_mem_data(b, &p);
	if (n > 0)
		snprintf(out, size, "%.*s", (int)n, p);
	BIO_free(b);
}

void
certchk_names(const struct buf *der, char *subject, char *issuer,
	size_t size)
{
	X509 *x = parse(der);

	*subject = *issuer = '\0';
	if (!x)
		return;
	oneline(X509_get_subject_name(x), subject, size);
	oneline(X509_get_issuer_name(x), issuer, size);
	X509_free(x);
}
