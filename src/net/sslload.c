/*
 * sslload.c: OpenSSL (libssl and the libcrypto it brings) loaded on first
 * use, for a program that seldom needs it: the companion of curlload.c.
 *
 * Why: mdig-mx calls OpenSSL only on a live TLS connection (conn.c) or on
 * the certificate chain one gave (certchk.c, tlsamatch.c): in --probe and
 * the MTA-STS fetch, which load libcurl and, through it, these same two
 * libraries. Linked, they cost every run, DNS only or not, about 6 ms of
 * CPU before main() (libcrypto's 20,000 relocations and its constructor:
 * a program that only returns takes 4.3 ms, 10.9 ms linked with libssl and
 * libcrypto), as much as the rest of mdig-mx's start.
 *
 * This archive defines the OpenSSL functions src/net calls (nm -u
 * cmd/mdig-mx | grep OPENSSL_3); the first call opens libssl (dlopen, its
 * soname found by configure, OpenSSL 3 only) and every call goes to it.
 * dlsym on that handle finds libcrypto's functions too (a handle's
 * dependencies are searched). libcurl, loaded later or earlier, shares the
 * one copy: the dynamic linker opens a soname once. A call src/net adds
 * and this list lacks fails at link time, not at run time.
 *
 * When libssl cannot be loaded, every function returns 0 (or NULL, or does
 * nothing): OPENSSL_init_ssl() fails first, in conn_global_init(), which
 * then says "OpenSSL failed to initialise", and no connection is made, so
 * no certificate reaches the rest. No header: the declarations are
 * OpenSSL's.
 */
#include "config.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stddef.h>

#include "base/util.h"
#include "net/dlsyms.h"

/*
 * The functions: F(return type, name, parameters, arguments), V(name,
 * parameters, arguments) for those returning nothing. The compiler checks
 * each line against OpenSSL's own declaration of the name.
 */
#define SSL_FUNCS(F, V) \
	F(int, ASN1_TIME_to_tm, (const ASN1_TIME *s, struct tm *tm), \
		(s, tm)) \
	F(long, BIO_ctrl, (BIO *b, int cmd, long l, void *p), (b, cmd, l, p)) \
	F(int, BIO_free, (BIO *b), (b)) \
	F(BIO *, BIO_new, (const BIO_METHOD *m), (m)) \
	F(int, BIO_read, (BIO *b, void *d, int n), (b, d, n)) \
	F(const BIO_METHOD *, BIO_s_mem, (void), ()) \
	V(CRYPTO_free, (void *p, const char *f, int l), (p, f, l)) \
	F(int, EVP_Digest, (const void *d, size_t n, unsigned char *md, \
		unsigned int *size, const EVP_MD *t, ENGINE *e), \
		(d, n, md, size, t, e)) \
	F(int, EVP_MD_get_size, (const EVP_MD *md), (md)) \
	V(EVP_PKEY_free, (EVP_PKEY *k), (k)) \
	F(const EVP_MD *, EVP_sha256, (void), ()) \
	F(const EVP_MD *, EVP_sha512, (void), ()) \
	F(int, OPENSSL_init_ssl, (uint64_t o, const OPENSSL_INIT_SETTINGS *s), \
		(o, s)) \
	F(OPENSSL_STACK *, OPENSSL_sk_new_null, (void), ()) \
	F(int, OPENSSL_sk_num, (const OPENSSL_STACK *s), (s)) \
	V(OPENSSL_sk_pop_free, (OPENSSL_STACK *s, void (*f)(void *)), (s, f)) \
	F(int, OPENSSL_sk_push, (OPENSSL_STACK *s, const void *d), (s, d)) \
	F(void *, OPENSSL_sk_value, (const OPENSSL_STACK *s, int i), (s, i)) \
	F(const char *, SSL_CIPHER_get_name, (const SSL_CIPHER *c), (c)) \
	F(long, SSL_CTX_ctrl, (SSL_CTX *c, int cmd, long l, void *p), \
		(c, cmd, l, p)) \
	V(SSL_CTX_set_default_read_buffer_len, (SSL_CTX *c, size_t n), (c, n)) \
	F(int, SSL_export_keying_material, (SSL *s, unsigned char *out, \
		size_t olen, const char *label, size_t llen, \
		const unsigned char *ctx, size_t clen, int use), \
		(s, out, olen, label, llen, ctx, clen, use)) \
	F(X509 *, SSL_get1_peer_certificate, (const SSL *s), (s)) \
	F(const SSL_CIPHER *, SSL_get_current_cipher, (const SSL *s), (s)) \
	F(size_t, SSL_get_finished, (const SSL *s, void *b, size_t n), \
		(s, b, n)) \
	F(STACK_OF(X509) *, SSL_get_peer_cert_chain, (const SSL *s), (s)) \
	F(size_t, SSL_get_peer_finished, (const SSL *s, void *b, size_t n), \
		(s, b, n)) \
	F(const char *, SSL_get_version, (const SSL *s), (s)) \
	F(int, SSL_session_reused, (const SSL *s), (s)) \
	F(int, SSL_version, (const SSL *s), (s)) \
	F(int, X509_NAME_print_ex, (BIO *b, const X509_NAME *nm, int indent, \
		unsigned long flags), (b, nm, indent, flags)) \
	V(X509_STORE_CTX_free, (X509_STORE_CTX *c), (c)) \
	F(X509_VERIFY_PARAM *, X509_STORE_CTX_get0_param, \
		(const X509_STORE_CTX *c), (c)) \
	F(int, X509_STORE_CTX_get_error, (const X509_STORE_CTX *c), (c)) \
	F(int, X509_STORE_CTX_init, (X509_STORE_CTX *c, X509_STORE *st, \
		X509 *x, STACK_OF(X509) *u), (c, st, x, u)) \
	F(X509_STORE_CTX *, X509_STORE_CTX_new, (void), ()) \
	F(int, X509_STORE_CTX_set_purpose, (X509_STORE_CTX *c, int p), \
		(c, p)) \
	V(X509_STORE_free, (X509_STORE *st), (st)) \
	F(int, X509_STORE_load_locations, (X509_STORE *st, const char *file, \
		const char *dir), (st, file, dir)) \
	F(X509_STORE *, X509_STORE_new, (void), ()) \
	F(int, X509_STORE_set_default_paths, (X509_STORE *st), (st)) \
	F(int, X509_VERIFY_PARAM_set1_host, (X509_VERIFY_PARAM *p, \
		const char *name, size_t n), (p, name, n)) \
	F(int, X509_check_host, (X509 *x, const char *chk, size_t n, \
		unsigned int flags, char **peer), (x, chk, n, flags, peer)) \
	F(int, X509_check_issued, (X509 *issuer, X509 *subject), \
		(issuer, subject)) \
	F(int, X509_cmp_current_time, (const ASN1_TIME *t), (t)) \
	F(int, X509_digest, (const X509 *x, const EVP_MD *t, \
		unsigned char *md, unsigned int *n), (x, t, md, n)) \
	V(X509_free, (X509 *x), (x)) \
	F(const ASN1_TIME *, X509_get0_notAfter, (const X509 *x), (x)) \
	F(const ASN1_TIME *, X509_get0_notBefore, (const X509 *x), (x)) \
	F(EVP_PKEY *, X509_get0_pubkey, (const X509 *x), (x)) \
	F(X509_PUBKEY *, X509_get_X509_PUBKEY, (const X509 *x), (x)) \
	F(X509_NAME *, X509_get_issuer_name, (const X509 *x), (x)) \
	F(X509_NAME *, X509_get_subject_name, (const X509 *x), (x)) \
	F(int, X509_verify, (X509 *x, EVP_PKEY *k), (x, k)) \
	F(int, X509_verify_cert, (X509_STORE_CTX *c), (c)) \
	F(const char *, X509_verify_cert_error_string, (long n), (n)) \
	F(EVP_PKEY *, d2i_PUBKEY, (EVP_PKEY **k, const unsigned char **pp, \
		long n), (k, pp, n)) \
	F(X509 *, d2i_X509, (X509 **x, const unsigned char **pp, long n), \
		(x, pp, n)) \
	F(int, i2d_X509, (const X509 *x, unsigned char **out), (x, out)) \
	F(int, i2d_X509_PUBKEY, (const X509_PUBKEY *k, unsigned char **out), \
		(k, out))

#define MEMBER(ret, name, params, args) __typeof__(name) *name;
#define VMEMBER(name, params, args) __typeof__(name) *name;
static struct {
	SSL_FUNCS(MEMBER, VMEMBER)
} fn;

#define SYM(ret, name, params, args) \
	{ #name, offsetof(__typeof__(fn), name) },
#define VSYM(name, params, args) SYM(void, name, params, args)
static const struct dlsym_ent syms[] = {
	SSL_FUNCS(SYM, VSYM)
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;

static void
load(void)
{
	loaded = !dlsyms_open(SSL_SONAME, syms, ARRAY_SIZE(syms), &fn);
}

/* Load libssl if not done yet (tried once, thread-safe): 0 or -1. */
static int
sslload(void)
{
	pthread_once(&once, load);
	return loaded ? 0 : -1;
}

#define WRAP(ret, name, params, args) \
	ret name params \
	{ \
		return sslload() < 0 ? (ret)0 : fn.name args; \
	}
#define VWRAP(name, params, args) \
	void name params \
	{ \
		if (sslload() == 0) \
			fn.name args; \
	}
SSL_FUNCS(WRAP, VWRAP)
