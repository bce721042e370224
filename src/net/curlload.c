/*
 * curlload.c: libcurl loaded on first use, for a program that seldom needs
 * it (mdig-mx: most runs ask only the DNS, through c-ares).
 *
 * Why: mapping and relocating libcurl and the ~25 libraries it brings
 * (GnuTLS for librtmp, Kerberos, LDAP, SSH...) costs every process about
 * 13 ms of CPU before main() on this machine (a program that only returns,
 * linked with libcurl: 23 ms; with c-ares, libpsl, libresolv and OpenSSL
 * alone: 10 ms), which was half of what mdig-mx --batch spent on 200
 * domains. This archive defines the libcurl functions src/net calls; the
 * first call opens libcurl (dlopen, its soname found by configure) and
 * every call goes to it. libcurl still makes every connection: only its
 * loading moves to the moment one is needed. A program links this instead
 * of $(CURL_LIBS) (cmd/mdig-mx.mk); the others link libcurl as before.
 *
 * When libcurl cannot be loaded, curl_global_init() fails (conn.c then
 * says "libcurl failed to initialise"), the calls that create a handle
 * return NULL and curl_easy_strerror() gives dlerror's words; nothing
 * else can be reached without a handle. No header: the declarations are
 * curl/curl.h's.
 */
#include "config.h"

/* the functions themselves, not typecheck-gcc.h's macros */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

#include "base/util.h"
#include "net/dlsyms.h"

/* curl_url_get's handle became const in curl 8 */
#if LIBCURL_VERSION_NUM >= 0x080000
#define URL_CONST const
#else
#define URL_CONST
#endif

/* The functions src/net calls (nm -u cmd/mdig-mx | grep curl_). */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_send)(CURL *, const void *, size_t, size_t *);
	CURLcode (*easy_recv)(CURL *, void *, size_t, size_t *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*free)(void *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(URL_CONST CURLU *, CURLUPart, char **,
		unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
} fn;

static const struct dlsym_ent syms[] = {
#define SYM(f) { "curl_" #f, offsetof(__typeof__(fn), f) }
	SYM(global_init), SYM(easy_init), SYM(easy_setopt),
	SYM(easy_getinfo), SYM(easy_perform), SYM(easy_send),
	SYM(easy_recv), SYM(easy_cleanup), SYM(easy_strerror),
	SYM(slist_append), SYM(slist_free_all), SYM(free), SYM(url),
	SYM(url_cleanup), SYM(url_get), SYM(url_set),
#undef SYM
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static const char *why = "libcurl not loaded yet";

static void
load(void)
{
	why = dlsyms_open(CURL_SONAME, syms, ARRAY_SIZE(syms), &fn);
	loaded = !why;
}

/* Load libcurl if not done yet (tried once, thread-safe): 0, or -1 with
 * why saying why not. */
static int
curlload(void)
{
	pthread_once(&once, load);
	return loaded ? 0 : -1;
}

CURLcode
curl_global_init(long flags)
{
	if (curlload() < 0)
		return CURLE_FAILED_INIT;
	return fn.global_init(flags);
}

CURL *
curl_easy_init(void)
{
	if (curlload() < 0)
		return NULL;
	return fn.easy_init();
}

/* The argument's type follows from the option's number, as in libcurl's
 * own curl_easy_setopt (lib/setopt.c). */
CURLcode
curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.easy_setopt(c, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.easy_setopt(c, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn.easy_setopt(c, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn.easy_setopt(c, opt, va_arg(ap, curl_off_t));
	else
		rc = fn.easy_setopt(c, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the value goes. */
CURLcode
curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	va_list ap;
	void *p;

	va_start(ap, info);
	p = va_arg(ap, void *);
	va_end(ap);
	return fn.easy_getinfo(c, info, p);
}

CURLcode
curl_easy_perform(CURL *c)
{
	return fn.easy_perform(c);
}

CURLcode
curl_easy_send(CURL *c, const void *buf, size_t len, size_t *n)
{
	return fn.easy_send(c, buf, len, n);
}

CURLcode
curl_easy_recv(CURL *c, void *buf, size_t len, size_t *n)
{
	return fn.easy_recv(c, buf, len, n);
}

void
curl_easy_cleanup(CURL *c)
{
	if (c)
		fn.easy_cleanup(c);
}

const char *
curl_easy_strerror(CURLcode rc)
{
	if (curlload() < 0)
		return why;
	return fn.easy_strerror(rc);
}

struct curl_slist *
curl_slist_append(struct curl_slist *l, const char *s)
{
	if (curlload() < 0)
		return NULL;
	return fn.slist_append(l, s);
}

void
curl_slist_free_all(struct curl_slist *l)
{
	if (l)
		fn.slist_free_all(l);
}

void
curl_free(void *p)
{
	if (p)
		fn.free(p);
}

CURLU *
curl_url(void)
{
	if (curlload() < 0)
		return NULL;
	return fn.url();
}

void
curl_url_cleanup(CURLU *u)
{
	if (u)
		fn.url_cleanup(u);
}

CURLUcode
curl_url_get(URL_CONST CURLU *u, CURLUPart what, char **part,
	unsigned int flags)
{
	return fn.url_get(u, what, part, flags);
}

CURLUcode
curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return fn.url_set(u, what, part, flags);
}
