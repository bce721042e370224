/*
 * conn.c: a client connection over libcurl (see conn.h, DESIGN.md 3).
 *
 * libcurl makes the connection (CONNECT_ONLY) and runs TLS; we move the
 * bytes with curl_easy_send/curl_easy_recv through our own buffers.
 * STARTTLS: a second easy handle adopts the connected socket
 * (OPENSOCKETFUNCTION + CURL_SOCKOPT_ALREADY_CONNECTED) and performs only
 * the TLS handshake. Every handle gets a CLOSESOCKETFUNCTION that leaves
 * the kept socket alone, so the socket is closed exactly once, by
 * conn_close().
 * RFC 3207 (SMTP STARTTLS), RFC 2595 (POP3/IMAP STARTTLS), RFC 5929
 * (tls-unique), RFC 9266 (tls-exporter).
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/util.h"
#include "net/conn.h"
#include "net/transcript.h"

static int global_done;		/* conn_global_init() ran */
static int global_no_tls;	/* ... with CONN_INIT_NO_TLS */

#define RBUF_CAP_DEFAULT (1024 * 1024)
/* Read up to this much per call: a bulk fetch (POP3 RETR, IMAP FETCH)
 * takes few system calls; TLS hands over one record (16 KiB) at a time. */
#define RECV_CHUNK (128 * 1024)
#define WBUF_AUTOFLUSH (64 * 1024)
#define FP_LEN 32	/* SHA-256 */

struct conn {
	CURL *easy;		/* the handle that moves the bytes; NULL for
				   conn_from_fd (recv/send on fd) */
	CURL *first;		/* after STARTTLS: the plain handle */
	curl_socket_t fd;	/* the socket we keep; CURL_SOCKET_BAD before */
	int tls;
	int eof;		/* the server closed its side */

	char *host;
	unsigned port;
	char *tls_host;		/* name to verify */
	char *trust_file, *cert_file, *key_file, *socks_host;
	unsigned socks_port;
	unsigned char pin[FP_LEN];
	int have_pin;
	enum conn_tls_min tls_min;
	int no_certcheck;
	int connect_timeout, timeout;
	struct transcript *ts;

	char peer[300];		/* "host:port" */
	char ip[64];		/* the address connected to */
	struct buf rbuf, wbuf;
	char errbuf[CURL_ERROR_SIZE];
	int (*idle)(void *);	/* conn_set_idle() */
	void *idle_arg;
};

void
conn_opts_init(struct conn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout = 30;
	o->timeout = 60;
}

int
conn_global_init(unsigned flags, struct err *e)
{
	uint64_t opts = OPENSSL_INIT_NO_ATEXIT;

	if (global_done)
		return 0;
	/* Before curl_global_init(): what OpenSSL skips now, libcurl's own
	 * OPENSSL_init_ssl(LOAD_CONFIG) cannot bring back (RUN_ONCE). */
	if (flags & CONN_INIT_NO_TLS)
		opts |= OPENSSL_INIT_NO_LOAD_CONFIG |
			OPENSSL_INIT_NO_LOAD_SSL_STRINGS |
			OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS;
	if (!OPENSSL_init_ssl(opts, NULL))
		return err_set(e, ERR_SOFTWARE, "OpenSSL failed to initialise");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, ERR_SOFTWARE, "libcurl failed to initialise");
	global_done = 1;
	global_no_tls = !!(flags & CONN_INIT_NO_TLS);
	return 0;
}

/* TLS is about to start: refuse it in a process that promised none. */
static int
tls_allowed(const char *peer, struct err *e)
{
	if (global_no_tls)
		return err_set(e, ERR_SOFTWARE, "%s: TLS asked for in a process "
			"initialised without TLS", peer);
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* host for a URL or CURLOPT_* "host:port" string: IPv6 in brackets. */
static const char *
url_host(const char *host, char *tmp, size_t tmpsz)
{
	if (!strchr(host, ':'))
		return host;
	snprintf(tmp, tmpsz, "[%s]", host);
	return tmp;
}

static int
is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
		inet_pton(AF_INET6, host, a) == 1;
}

/* Curl must close the sockets it gives up on, never the one we keep. */
static int
close_socket_cb(void *arg, curl_socket_t fd)
{
	struct conn *c = arg;

	if (fd == c->fd)
		return 0;
	return close(fd);
}

static curl_socket_t
open_same_socket_cb(void *arg, curlsocktype purpose,
	struct curl_sockaddr *addr)
{
	struct conn *c = arg;

	(void)purpose;
	(void)addr;
	return c->fd;
}

static int
sockopt_connected_cb(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	(void)arg;
	(void)fd;
	(void)purpose;
	return CURL_SOCKOPT_ALREADY_CONNECTED;
}

/*
 * Without reading ahead OpenSSL takes each TLS record with two system
 * calls (its header, then its body): a server that writes small records
 * (Dovecot) costs a read per kilobyte of a bulk fetch. Reading ahead takes
 * what the socket holds at once; bytes read ahead are never stranded, as
 * conn_fill() and conn_wait() always read before they poll.
 */
static CURLcode
ssl_ctx_cb(CURL *h, void *ctx, void *arg)
{
	(void)h;
	(void)arg;
	SSL_CTX_set_read_ahead((SSL_CTX *)ctx, 1);
	SSL_CTX_set_default_read_buffer_len((SSL_CTX *)ctx, RECV_CHUNK);
	return CURLE_OK;
}

static void
set_common(struct conn *c, CURL *h)
{
	long secs = c->connect_timeout > 0 ? c->connect_timeout :
		365L * 24 * 3600;

	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	/* curl_easy_recv() reads at most this much from the socket per
	 * call (16 KiB by default): a read of RECV_CHUNK needs it as large */
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, (long)RECV_CHUNK);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, secs);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, c);
	/* no .netrc, no credentials: SASL is ours */
	curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);

	/* TLS */
	curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
	curl_easy_setopt(h, CURLOPT_SSL_ENABLE_ALPN, 0L);
#if LIBCURL_VERSION_NUM < 0x075600
	curl_easy_setopt(h, CURLOPT_SSL_ENABLE_NPN, 0L);
#endif
	if (c->trust_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->trust_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	if (c->have_pin || c->no_certcheck) {
		/* the pin replaces CA and host verification (checked after
		 * the handshake); no_certcheck turns everything off */
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (c->cert_file) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEY,
			c->key_file ? c->key_file : c->cert_file);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	switch (c->tls_min) {
	case CONN_TLS_MIN_1_3:
		curl_easy_setopt(h, CURLOPT_SSLVERSION,
			(long)CURL_SSLVERSION_TLSv1_3);
		break;
	case CONN_TLS_MIN_1_2:
	case CONN_TLS_MIN_DEFAULT:
		curl_easy_setopt(h, CURLOPT_SSLVERSION,
			(long)CURL_SSLVERSION_TLSv1_2);
		break;
	}
}

static SSL *
get_ssl(struct conn *c)
{
	struct curl_tlssessioninfo *ti = NULL;

	if (!c->tls)
		return NULL;
	if (curl_easy_getinfo(c->easy, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    !ti || ti->backend != CURLSSLBACKEND_OPENSSL)
		return NULL;
	return ti->internals;
}

static X509 *
peer_cert(SSL *ssl)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	return SSL_get1_peer_certificate(ssl);
#else
	return SSL_get_peer_certificate(ssl);
#endif
}

static int
cert_sha256(X509 *cert, unsigned char *md)
{
	unsigned int n = 0;

	return X509_digest(cert, EVP_sha256(), md, &n) == 1 && n == FP_LEN ?
		0 : -1;
}

/* After a handshake: check the pin if there is one. */
static int
check_pin(struct conn *c, struct err *e)
{
	unsigned char md[FP_LEN];
	char want[FP_LEN * 3], got[FP_LEN * 3];
	SSL *ssl;
	X509 *cert;
	int r;

	if (!c->have_pin)
		return 0;
	ssl = get_ssl(c);
	if (!ssl)
		return err_set(e, ERR_SOFTWARE, "%s: no TLS session to check "
			"the fingerprint against", c->peer);
	cert = peer_cert(ssl);
	if (!cert)
		return err_set(e, ERR_NOPERM, "%s: server sent no "
			"certificate", c->peer);
	r = cert_sha256(cert, md);
	X509_free(cert);
	if (r < 0)
		return err_set(e, ERR_SOFTWARE, "%s: cannot compute the "
			"certificate fingerprint", c->peer);
	if (memcmp(md, c->pin, FP_LEN) == 0)
		return 0;
	hex_encode(want, c->pin, FP_LEN, HEX_UPPER | HEX_COLONS);
	hex_encode(got, md, FP_LEN, HEX_UPPER | HEX_COLONS);
	return err_set(e, ERR_NOPERM, "%s: TLS certificate fingerprint "
		"mismatch: expected %s, got %s", c->peer, want, got);
}

/* curl's message in our error style (lowercase, no library prefix). */
static const char *
curl_msg(struct conn *c, CURLcode rc)
{
	if (!c->errbuf[0])
		snprintf(c->errbuf, sizeof(c->errbuf), "%s",
			curl_easy_strerror(rc));
	/* "OpenSSL/3.0.2: error:..." -> "error:..." */
	if (!strncmp(c->errbuf, "OpenSSL/", 8) && strstr(c->errbuf, ": "))
		memmove(c->errbuf, strstr(c->errbuf, ": ") + 2,
			strlen(strstr(c->errbuf, ": ") + 2) + 1);
	if (c->errbuf[0] >= 'A' && c->errbuf[0] <= 'Z' &&
	    c->errbuf[1] >= 'a' && c->errbuf[1] <= 'z')
		c->errbuf[0] = (char)(c->errbuf[0] - 'A' + 'a');
	return c->errbuf;
}

/* Map a failed curl_easy_perform on h to an error. */
static int
perform_error(struct conn *c, CURL *h, CURLcode rc, int handshake,
	struct err *e)
{
	long verify = X509_V_OK, oserr = 0;

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, ERR_NOHOST, "%s: cannot resolve host name "
			"\"%s\"", c->peer, c->host);
	case CURLE_COULDNT_RESOLVE_PROXY:
		return err_set(e, ERR_NOHOST, "%s: cannot resolve proxy host "
			"name \"%s\"", c->peer, c->socks_host);
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr)
			return err_sys(e, ERR_TEMPFAIL, (int)oserr,
				"%s: cannot connect%s", c->peer,
				c->socks_host ? " (through the proxy)" : "");
		return err_set(e, ERR_TEMPFAIL, "%s: cannot connect: %s",
			c->peer, curl_msg(c, rc));
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(e, ERR_TEMPFAIL, "%s: %s timed out after %d s",
			c->peer, handshake ? "TLS handshake" : "connection",
			c->connect_timeout);
	case CURLE_PROXY:
		return err_set(e, ERR_TEMPFAIL, "%s: proxy: %s", c->peer,
			curl_msg(c, rc));
	case CURLE_PEER_FAILED_VERIFICATION:
		curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
		if (verify != X509_V_OK && verify != X509_V_ERR_UNSPECIFIED)
			return err_set(e, ERR_NOPERM, "%s: TLS certificate "
				"verification failed: %s", c->peer,
				X509_verify_cert_error_string(verify));
		if (strstr(c->errbuf, "target host name"))
			return err_set(e, ERR_NOPERM, "%s: TLS certificate "
				"verification failed: the certificate is not "
				"for host name \"%s\"", c->peer, c->tls_host);
		return err_set(e, ERR_NOPERM, "%s: TLS certificate "
			"verification failed: %s", c->peer, curl_msg(c, rc));
	case CURLE_SSL_CACERT_BADFILE:
		return err_set(e, ERR_CONFIG, "%s: cannot use trust file "
			"\"%s\": %s", c->peer,
			c->trust_file ? c->trust_file : "(system)",
			curl_msg(c, rc));
	case CURLE_SSL_CERTPROBLEM:
		return err_set(e, ERR_CONFIG, "%s: cannot use client "
			"certificate \"%s\": %s", c->peer,
			c->cert_file ? c->cert_file : "", curl_msg(c, rc));
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		/* curl starts with X509_V_ERR_UNSPECIFIED: not a verdict */
		curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
		if (verify != X509_V_OK && verify != X509_V_ERR_UNSPECIFIED)
			return err_set(e, ERR_NOPERM, "%s: TLS certificate "
				"verification failed: %s", c->peer,
				X509_verify_cert_error_string(verify));
		return err_set(e, ERR_PROTOCOL, "%s: TLS handshake failed: %s",
			c->peer, curl_msg(c, rc));
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return err_set(e, ERR_IO, "%s: %s%s", c->peer,
			handshake ? "TLS handshake: " : "", curl_msg(c, rc));
	case CURLE_OUT_OF_MEMORY:
		return err_set(e, ERR_OS, "%s: out of memory", c->peer);
	default:
		return err_set(e, ERR_IO, "%s: %s", c->peer, curl_msg(c, rc));
	}
}

static void
note_tls(struct conn *c)
{
	SSL *ssl;

	if (!c->ts || !(ssl = get_ssl(c)))
		return;
	transcript_note(c->ts, "TLS started: %s, %s", SSL_get_version(ssl),
		SSL_get_cipher_name(ssl));
}

static long recv_now(struct conn *c, struct err *e);

/*
 * A handshake just completed on c->easy. libcurl hands out the SSL *
 * (CURLINFO_TLS_SSL_PTR) of a CONNECT_ONLY handle only once a send or
 * receive has attached the connection again: a receive that does not wait
 * does it (anything received is post-TLS data and stays in the read
 * buffer). Then the pin is checked before anything is sent.
 */
static int
after_handshake(struct conn *c, struct err *e)
{
	c->tls = 1;
	if (recv_now(c, e) < 0)
		return -1;
	if (check_pin(c, e) < 0)
		return -1;
	note_tls(c);
	return 0;
}

struct conn *
conn_open(const struct conn_opts *o, enum conn_mode mode, struct err *e)
{
	struct conn *c;
	char url[600], b1[300], b2[300], spec[700];
	struct curl_slist *connect_to = NULL;
	const char *ip = NULL;
	CURLcode rc;
	curl_socket_t fd = CURL_SOCKET_BAD;

	if (!o->host || !*o->host || !o->port || o->port > 65535) {
		err_set(e, ERR_USAGE, "conn_open: host and port required");
		return NULL;
	}
	if (conn_global_init(0, e) < 0 ||
		(mode == CONN_TLS && tls_allowed(o->host, e) < 0))
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->fd = CURL_SOCKET_BAD;
	c->host = xstrdup(o->host);
	c->port = o->port;
	c->tls_host = xstrdup(o->tls_host && *o->tls_host ? o->tls_host :
		o->host);
	c->trust_file = dup_or_null(o->trust_file);
	c->cert_file = dup_or_null(o->cert_file);
	c->key_file = dup_or_null(o->key_file);
	c->socks_host = o->socks_host && *o->socks_host ?
		xstrdup(o->socks_host) : NULL;
	c->socks_port = o->socks_port ? o->socks_port : 1080;
	c->tls_min = o->tls_min;
	c->no_certcheck = o->no_certcheck;
	c->connect_timeout = o->connect_timeout;
	c->timeout = o->timeout;
	c->ts = o->transcript;
	buf_init(&c->rbuf, o->rbuf_cap ? o->rbuf_cap : RBUF_CAP_DEFAULT);
	buf_init(&c->wbuf, 0);
	snprintf(c->peer, sizeof(c->peer), "%s:%u",
		url_host(c->host, b1, sizeof(b1)), c->port);

	if (o->fingerprint && *o->fingerprint) {
		unsigned char fp[FINGERPRINT_MAX];

		if (fingerprint_parse(o->fingerprint, fp) != FP_LEN) {
			err_set(e, ERR_CONFIG, "%s: malformed TLS fingerprint "
				"\"%s\" (want the SHA-256 of the certificate: "
				"32 hex bytes separated by colons)", c->peer,
				o->fingerprint);
			goto fail;
		}
		memcpy(c->pin, fp, FP_LEN);
		c->have_pin = 1;
	}

	c->easy = curl_easy_init();
	if (!c->easy) {
		err_set(e, ERR_OS, "%s: cannot initialise libcurl", c->peer);
		goto fail;
	}
	set_common(c, c->easy);
	if (mode == CONN_TLS) {
		snprintf(url, sizeof(url), "https://%s:%u",
			url_host(c->tls_host, b1, sizeof(b1)), c->port);
		if (strcmp(c->tls_host, c->host) != 0) {
			snprintf(spec, sizeof(spec), "%s:%u:%s:%u",
				url_host(c->tls_host, b1, sizeof(b1)), c->port,
				url_host(c->host, b2, sizeof(b2)), c->port);
			connect_to = curl_slist_append(NULL, spec);
			curl_easy_setopt(c->easy, CURLOPT_CONNECT_TO,
				connect_to);
		}
	} else
		snprintf(url, sizeof(url), "http://%s", c->peer);
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	if (c->socks_host) {
		snprintf(spec, sizeof(spec), "socks5h://%s:%u",
			url_host(c->socks_host, b1, sizeof(b1)), c->socks_port);
		curl_easy_setopt(c->easy, CURLOPT_PROXY, spec);
	} else
		curl_easy_setopt(c->easy, CURLOPT_PROXY, "");

	c->errbuf[0] = '\0';
	rc = curl_easy_perform(c->easy);
	if (rc != CURLE_OK) {
		/* curl has closed its sockets (c->fd was not set) */
		perform_error(c, c->easy, rc, mode == CONN_TLS, e);
		goto fail;
	}
	/* the socket is ours from now on: conn_close() closes it */
	if (curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET, &fd) ==
	    CURLE_OK)
		c->fd = fd;
	if (c->fd == CURL_SOCKET_BAD) {
		err_set(e, ERR_SOFTWARE, "%s: libcurl gave no socket", c->peer);
		goto fail;
	}
	if (curl_easy_getinfo(c->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip)
		snprintf(c->ip, sizeof(c->ip), "%s", ip);
	transcript_note(c->ts, "connected to %s (%s)%s", c->peer, c->ip,
		c->socks_host ? " through the SOCKS5 proxy" : "");
	if (mode == CONN_TLS && after_handshake(c, e) < 0)
		goto fail;
	curl_slist_free_all(connect_to);
	return c;
fail:
	curl_slist_free_all(connect_to);
	conn_close(c);
	return NULL;
}

struct conn *
conn_from_fd(int fd, const char *peer, struct transcript *ts, struct err *e)
{
	struct conn *c;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		err_sys(e, ERR_OS, errno, "%s: fcntl", peer);
		close(fd);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->host = xstrdup(peer);
	c->tls_host = xstrdup(peer);
	c->timeout = 60;
	c->ts = ts;
	buf_init(&c->rbuf, RBUF_CAP_DEFAULT);
	buf_init(&c->wbuf, 0);
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	return c;
}

int
conn_starttls(struct conn *c, struct err *e)
{
	char url[600], b1[300], b2[100], spec[700];
	struct curl_slist *resolve = NULL;
	CURL *h;
	CURLcode rc;
	int r = -1;

	if (c->tls)
		return err_set(e, ERR_USAGE, "%s: TLS already started",
			c->peer);
	if (!c->easy)
		return err_set(e, ERR_USAGE, "%s: STARTTLS is not possible on "
			"a connection made from a file descriptor", c->peer);
	if (tls_allowed(c->peer, e) < 0)
		return -1;
	if (c->rbuf.len)
		return err_set(e, ERR_PROTOCOL, "%s: bytes received before "
			"TLS started (possible injection)", c->peer);
	if (c->wbuf.len && conn_flush(c, e) < 0)
		return -1;
	h = curl_easy_init();
	if (!h)
		return err_set(e, ERR_OS, "%s: cannot initialise libcurl",
			c->peer);
	set_common(c, h);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_same_socket_cb);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c);
	curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, sockopt_connected_cb);
	curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, c);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	snprintf(url, sizeof(url), "https://%s:%u",
		url_host(c->tls_host, b1, sizeof(b1)), c->port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* no second DNS lookup: the name is the address already connected */
	if (!is_ip_literal(c->tls_host) && c->ip[0]) {
		snprintf(spec, sizeof(spec), "%s:%u:%s", c->tls_host, c->port,
			url_host(c->ip, b2, sizeof(b2)));
		resolve = curl_slist_append(NULL, spec);
		curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	}
	/* from here the first handle only keeps the socket alive */
	c->first = c->easy;
	c->easy = h;
	c->errbuf[0] = '\0';
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		perform_error(c, h, rc, 1, e);
		goto out;
	}
	if (after_handshake(c, e) < 0)
		goto out;
	r = 0;
out:
	curl_slist_free_all(resolve);
	return r;
}

int
conn_is_tls(const struct conn *c)
{
	return c->tls;
}

const char *
conn_peer(const struct conn *c)
{
	return c->peer;
}

struct transcript *
conn_transcript(const struct conn *c)
{
	return c->ts;
}

struct buf *
conn_rbuf(struct conn *c)
{
	return &c->rbuf;
}

size_t
conn_wpending(const struct conn *c)
{
	return c->wbuf.len;
}

void
conn_set_idle(struct conn *c, int (*fn)(void *), void *arg)
{
	c->idle = fn;
	c->idle_arg = arg;
}

void
conn_set_timeout(struct conn *c, int seconds)
{
	c->timeout = seconds;
}

int
conn_fd(const struct conn *c)
{
	return (int)c->fd;
}

int
conn_keepalive(struct conn *c, int idle, int intvl, int cnt, struct err *e)
{
	int on = 1;

	if (setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof idle) < 0 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof intvl) < 0 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt) < 0)
		return err_sys(e, ERR_OS, errno, "%s: TCP keepalive",
			c->peer);
	return 0;
}

static int
poll_ms(const struct conn *c)
{
	return c->timeout > 0 ? c->timeout * 1000 : -1;
}

/*
 * curl_easy_recv / curl_easy_send, or recv(2) / send(2) on a conn made by
 * conn_from_fd (the socket is non-blocking: EAGAIN is CURLE_AGAIN; the
 * system's message goes to errbuf for curl_msg).
 */
static CURLcode
io_code(struct conn *c, ssize_t r, size_t *n, CURLcode fail)
{
	if (r >= 0) {
		*n = (size_t)r;
		return CURLE_OK;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return CURLE_AGAIN;
	snprintf(c->errbuf, sizeof(c->errbuf), "%s", strerror(errno));
	return fail;
}

static CURLcode
io_recv(struct conn *c, void *p, size_t len, size_t *n)
{
	if (c->easy)
		return curl_easy_recv(c->easy, p, len, n);
	return io_code(c, recv(c->fd, p, len, 0), n, CURLE_RECV_ERROR);
}

static CURLcode
io_send(struct conn *c, const void *p, size_t len, size_t *n)
{
	if (c->easy)
		return curl_easy_send(c->easy, p, len, n);
	return io_code(c, send(c->fd, p, len, MSG_NOSIGNAL), n,
		CURLE_SEND_ERROR);
}

/*
 * Receive what is available now without waiting: > 0 bytes added, 0 for
 * nothing (CURLE_AGAIN), -1 on error; sets c->eof at EOF.
 */
static long
recv_now(struct conn *c, struct err *e)
{
	size_t room = c->rbuf.cap - c->rbuf.len, n = 0;
	CURLcode rc;

	if (c->eof || room == 0)
		return 0;
	if (room > RECV_CHUNK)
		room = RECV_CHUNK;
	/* what the buffer has room for, when that is a fair read: never
	 * grown (doubled) only to read a whole chunk behind a partial line */
	if (c->rbuf.alloc > c->rbuf.len + RECV_CHUNK / 4 &&
	    c->rbuf.alloc - c->rbuf.len - 1 < room)
		room = c->rbuf.alloc - c->rbuf.len - 1;
	if (buf_grow(&c->rbuf, room) < 0)
		return 0;
	c->errbuf[0] = '\0';
	rc = io_recv(c, c->rbuf.data + c->rbuf.len, room, &n);
	if (rc == CURLE_AGAIN)
		return 0;
	if (rc != CURLE_OK)
		return err_set(e, ERR_IO, "%s: receive failed: %s", c->peer,
			curl_msg(c, rc));
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	c->rbuf.len += n;
	c->rbuf.data[c->rbuf.len] = '\0';
	return (long)n;
}

long
conn_fill(struct conn *c, struct err *e)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long r;
		int pr;

		if (c->rbuf.len >= c->rbuf.cap)
			return err_set(e, ERR_PROTOCOL, "%s: read buffer full "
				"(%zu bytes)", c->peer, c->rbuf.cap);
		/* read before polling: OpenSSL may hold decrypted bytes */
		r = recv_now(c, e);
		if (r != 0)
			return r;
		if (c->eof)
			return 0;
		/* the peer owes us bytes: other work first, if any */
		if (c->idle && !c->wbuf.len && c->idle(c->idle_arg))
			continue;
		pr = poll(&pfd, 1, poll_ms(c));
		if (pr < 0 && errno != EINTR)
			return err_sys(e, ERR_OS, errno, "%s: poll", c->peer);
		if (pr == 0)
			return err_set(e, ERR_TEMPFAIL, "no reply from %s "
				"within %d s", c->peer, c->timeout);
	}
}

int
conn_wait(struct conn *c, int ms, struct err *e)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long r;
		int pr;

		if (c->rbuf.len || c->eof)
			return 1;
		r = recv_now(c, e);
		if (r < 0)
			return -1;
		if (r > 0 || c->eof)
			return 1;
		pr = poll(&pfd, 1, ms);
		if (pr < 0 && errno != EINTR)
			return err_sys(e, ERR_OS, errno, "%s: poll", c->peer);
		if (pr == 0)
			return 0;
	}
}

int
conn_write(struct conn *c, const void *p, size_t n, struct err *e)
{
	buf_add(&c->wbuf, p, n);
	if (c->wbuf.len >= WBUF_AUTOFLUSH)
		return conn_flush(c, e);
	return 0;
}

int
conn_flush(struct conn *c, struct err *e)
{
	size_t off = 0;

	while (off < c->wbuf.len) {
		size_t n = 0;
		CURLcode rc;
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		long r;
		int pr;

		c->errbuf[0] = '\0';
		rc = io_send(c, c->wbuf.data + off, c->wbuf.len - off, &n);
		if (rc == CURLE_OK) {
			off += n;
			continue;
		}
		if (rc != CURLE_AGAIN) {
			err_set(e, ERR_IO, "%s: send failed: %s", c->peer,
				curl_msg(c, rc));
			goto fail;
		}
		/* keep reading replies while the server is not reading */
		while ((r = recv_now(c, e)) > 0)
			;
		if (r < 0)
			goto fail;
		if (!c->eof && c->rbuf.len < c->rbuf.cap)
			pfd.events |= POLLIN;
		pr = poll(&pfd, 1, poll_ms(c));
		if (pr < 0 && errno != EINTR) {
			err_sys(e, ERR_OS, errno, "%s: poll", c->peer);
			goto fail;
		}
		if (pr == 0) {
			err_set(e, ERR_TEMPFAIL, "cannot send to %s within "
				"%d s", c->peer, c->timeout);
			goto fail;
		}
	}
	/* the buffer may have held a password or token: wipe what went out */
	if (c->wbuf.len)
		secure_wipe(c->wbuf.data, c->wbuf.len);
	buf_reset(&c->wbuf);
	return 0;
fail:
	if (off)
		secure_wipe(c->wbuf.data, off);
	buf_consume(&c->wbuf, off);
	return -1;
}

static void
name_oneline(X509_NAME *name, char *out, size_t outsz)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int n;

	out[0] = '\0';
	if (!bio)
		return;
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
	n = BIO_read(bio, out, (int)outsz - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(bio);
}

static void
time_iso(const ASN1_TIME *t, char *out, size_t outsz)
{
	struct tm tm;

	out[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
conn_tls_info(struct conn *c, struct conn_tls_info *info, struct err *e)
{
	unsigned char md[FP_LEN];
	SSL *ssl;
	X509 *cert;

	memset(info, 0, sizeof(*info));
	if (!c->tls)
		return err_set(e, ERR_USAGE, "%s: not a TLS connection",
			c->peer);
	ssl = get_ssl(c);
	if (!ssl)
		return err_set(e, ERR_PROTOCOL, "%s: no TLS session", c->peer);
	snprintf(info->version, sizeof(info->version), "%s",
		SSL_get_version(ssl));
	snprintf(info->cipher, sizeof(info->cipher), "%s",
		SSL_get_cipher_name(ssl));
	cert = peer_cert(ssl);
	if (!cert)
		return err_set(e, ERR_PROTOCOL, "%s: no peer certificate",
			c->peer);
	name_oneline(X509_get_subject_name(cert), info->subject,
		sizeof(info->subject));
	name_oneline(X509_get_issuer_name(cert), info->issuer,
		sizeof(info->issuer));
	time_iso(X509_get0_notBefore(cert), info->not_before,
		sizeof(info->not_before));
	time_iso(X509_get0_notAfter(cert), info->not_after,
		sizeof(info->not_after));
	if (cert_sha256(cert, md) == 0)
		hex_encode(info->sha256, md, FP_LEN, HEX_UPPER | HEX_COLONS);
	X509_free(cert);
	return 0;
}

int
conn_peer_chain(struct conn *c, struct buf **der, size_t *n, struct err *e)
{
	STACK_OF(X509) *sk;
	SSL *ssl;
	int count;

	*der = NULL;
	*n = 0;
	if (!c->tls)
		return err_set(e, ERR_USAGE, "%s: not a TLS connection",
			c->peer);
	ssl = get_ssl(c);
	sk = ssl ? SSL_get_peer_cert_chain(ssl) : NULL;
	count = sk ? sk_X509_num(sk) : 0;
	if (count <= 0)
		return err_set(e, ERR_PROTOCOL, "%s: no peer certificate",
			c->peer);
	*der = xcalloc((size_t)count, sizeof **der);
	for (int i = 0; i < count; i++) {
		unsigned char *p = NULL;
		int len = i2d_X509(sk_X509_value(sk, i), &p);

		buf_init(&(*der)[*n], 0);
		if (len <= 0)
			continue;
		buf_add(&(*der)[*n], p, (size_t)len);
		OPENSSL_free(p);
		(*n)++;
	}
	return 0;
}

int
conn_tls_version(const struct conn *c)
{
	SSL *ssl = get_ssl((struct conn *)c);

	return ssl ? SSL_version(ssl) : 0;
}

long
conn_channel_binding(struct conn *c, enum conn_cb_type type,
	unsigned char *out, size_t outsz, struct err *e)
{
	static const char label[] = "EXPORTER-Channel-Binding";
	SSL *ssl = get_ssl(c);
	size_t n;

	if (!ssl)
		return err_set(e, ERR_USAGE, "%s: channel binding needs TLS",
			c->peer);
	switch (type) {
	case CONN_CB_TLS_EXPORTER:
		if (SSL_version(ssl) < TLS1_3_VERSION)
			return err_set(e, ERR_USAGE, "%s: tls-exporter needs "
				"TLS 1.3", c->peer);
		if (outsz < 32)
			return err_set(e, ERR_SOFTWARE, "channel binding "
				"buffer too small");
		if (SSL_export_keying_material(ssl, out, 32, label,
		    sizeof(label) - 1, NULL, 0, 0) != 1)
			return err_set(e, ERR_SOFTWARE, "%s: TLS exporter "
				"failed", c->peer);
		return 32;
	case CONN_CB_TLS_UNIQUE:
		if (SSL_version(ssl) >= TLS1_3_VERSION)
			return err_set(e, ERR_USAGE, "%s: tls-unique is not "
				"defined for TLS 1.3", c->peer);
		/* the first Finished: ours in a full handshake, the
		 * server's in a resumed one */
		n = SSL_session_reused(ssl) ?
			SSL_get_peer_finished(ssl, out, outsz) :
			SSL_get_finished(ssl, out, outsz);
		if (n == 0 || n > outsz)
			return err_set(e, ERR_SOFTWARE, "%s: no TLS Finished "
				"message", c->peer);
		return (long)n;
	}
	return err_set(e, ERR_USAGE, "unknown channel binding type");
}

void
conn_close(struct conn *c)
{
	if (!c)
		return;
	/* the TLS handle first: it may still write a close_notify */
	if (c->easy)
		curl_easy_cleanup(c->easy);
	if (c->first)
		curl_easy_cleanup(c->first);
	if (c->fd != CURL_SOCKET_BAD)
		close(c->fd);
	buf_release(&c->rbuf);
	if (c->wbuf.len)
		secure_wipe(c->wbuf.data, c->wbuf.len);
	buf_release(&c->wbuf);
	free(c->host);
	free(c->tls_host);
	free(c->trust_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->socks_host);
	free(c);
}
