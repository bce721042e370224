/*
 * https.c: one small HTTPS GET (see https.h). RFC 8461 3.3 asks of an
 * MTA-STS policy fetch: a valid certificate for the policy host, no
 * redirects, and bounds on time and size; that is all this does.
 */
#include "config.h"

#include <curl/curl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "net/conn.h"
#include "net/https.h"

#define HTTPS_MAX_DEFAULT (64 * 1024)

struct sink {
	struct https_reply *r;
	size_t max;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	n *= size;
	if (s->r->body.len + n > s->max) {
		s->r->too_big = 1;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	buf_add(&s->r->body, p, n);
	return n;
}

/* "HOST:PORT" of u into peer, and the CURLOPT_RESOLVE entry pinning it to
 * addr into pin. -1 when u is not https://HOST... */
static int
url_parts(const char *u, const char *addr, char *peer, size_t psz,
	char *pin, size_t pinsz)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	if (!h || curl_url_set(h, CURLUPART_URL, u, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    strcmp(scheme, "https") != 0 ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	snprintf(peer, psz, "%s:%s", host, port);
	if (addr)
		snprintf(pin, pinsz, strchr(addr, ':') ? "%s:%s:[%s]" :
			"%s:%s:%s", host, port, addr);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(h);
	return rc;
}

static int
fail(CURL *h, CURLcode rc, const char *peer, const char *errbuf,
	const char *trust_file, struct err *e)
{
	long verify = X509_V_OK;
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, ERR_NOHOST, "%s: cannot resolve host name",
			peer);
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(e, ERR_TEMPFAIL, "%s: %s", peer, why);
	case CURLE_SSL_CACERT_BADFILE:
		return err_set(e, ERR_CONFIG, "%s: cannot use trust file "
			"\"%s\"", peer, trust_file ? trust_file : "(system)");
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
		curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
		if (verify != X509_V_OK && verify != X509_V_ERR_UNSPECIFIED)
			return err_set(e, ERR_NOPERM, "%s: TLS certificate "
				"verification failed: %s", peer,
				X509_verify_cert_error_string(verify));
		if (rc == CURLE_PEER_FAILED_VERIFICATION)
			return err_set(e, ERR_NOPERM, "%s: TLS certificate "
				"verification failed: %s", peer, why);
		return err_set(e, ERR_PROTOCOL, "%s: TLS handshake failed: %s",
			peer, why);
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return err_set(e, ERR_PROTOCOL, "%s: %s", peer, why);
	default:
		return err_set(e, ERR_IO, "%s: %s", peer, why);
	}
}

int
https_get(const struct https_opts *o, struct https_reply *r, struct err *e)
{
	struct sink s = { r, o->max_bytes ? o->max_bytes : HTTPS_MAX_DEFAULT };
	char peer[300], pin[400] = "", errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *resolve = NULL;
	char *ctype = NULL, *loc = NULL;
	CURL *h = NULL;
	CURLcode rc;
	int ret = -1;

	if (url_parts(o->url, o->addr, peer, sizeof peer, pin, sizeof pin) < 0)
		return err_set(e, ERR_USAGE, "\"%s\" is not an https:// URL",
			o->url);
	if (conn_global_init(0, e) < 0)
		return -1;
	h = curl_easy_init();
	if (!h)
		return err_set(e, ERR_SOFTWARE, "libcurl failed to initialise");
	curl_easy_setopt(h, CURLOPT_URL, o->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
		(long)(o->timeout_ms > 0 ? o->timeout_ms : 10000));
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mkit/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	if (o->trust_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, o->trust_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	if (pin[0]) {
		resolve = curl_slist_append(NULL, pin);
		curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	}
	buf_init(&r->body, 0);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && r->too_big)) {
		fail(h, rc, peer, errbuf, o->trust_file, e);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK &&
	    ctype)
		snprintf(r->content_type, sizeof r->content_type, "%s", ctype);
	if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc)
		snprintf(r->location, sizeof r->location, "%s", loc);
	ret = 0;
out:
	curl_easy_cleanup(h);
	curl_slist_free_all(resolve);
	return ret;
}

void
https_reply_release(struct https_reply *r)
{
	buf_release(&r->body);
	memset(r, 0, sizeof *r);
}
