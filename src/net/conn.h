/*
 * conn.h: one client connection (TCP, TLS, STARTTLS) over libcurl.
 *
 * libcurl does DNS, TCP, the SOCKS5 proxy and all of TLS with its
 * verification; the protocol engines (smtp, pop3, imap) speak on top
 * through the read buffer and write buffer kept here (see DESIGN.md 3).
 *
 * - conn_open(CONN_PLAIN) is a bare TCP connection (CURLOPT_CONNECT_ONLY on
 *   http://host:port: curl sends nothing). conn_open(CONN_TLS) is implicit
 *   TLS (CONNECT_ONLY on https://host:port with ALPN and NPN off).
 * - STARTTLS is the engine's business: it sends its STARTTLS command on a
 *   plain connection, reads the go-ahead, then calls conn_starttls(), which
 *   refuses if any byte is already waiting in the read buffer (injected
 *   before TLS) and then runs the TLS handshake on the same socket. After
 *   it, the engine MUST forget everything learnt before TLS (capabilities,
 *   greeting-derived state) and ask again (RFC 3207 4.2, RFC 2595 3.1).
 * - Environment proxies never apply: CURLOPT_PROXY is always set ("" when
 *   no SOCKS5 proxy is configured).
 * - Closing sends nothing: the engine sends QUIT/LOGOUT itself first.
 *
 * Errors (struct err; messages name "host:port", mostly as a prefix):
 *   ERR_NOHOST    the host (or the proxy) name does not resolve
 *   ERR_TEMPFAIL  connection refused (also by or through the SOCKS5
 *                 proxy), connect or handshake timeout, no reply within the
 *                 read/write timeout ("no reply from host:port within 60 s")
 *   ERR_NOPERM    TLS verification failed; the message says which check
 *                 (expired, not yet valid, self-signed / unknown issuer,
 *                 host name mismatch, fingerprint mismatch with expected and
 *                 actual fingerprints)
 *   ERR_PROTOCOL  TLS handshake failure other than verification, bytes
 *                 received before TLS started, read buffer overflow
 *   ERR_IO        connection lost, other send/receive failures
 *   ERR_CONFIG    bad options (malformed fingerprint, unreadable files
 *                 reported by curl as such)
 *
 * A struct conn is used by one thread at a time.
 */
#ifndef MKIT_CONN_H
#define MKIT_CONN_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct transcript;

enum conn_mode {
	CONN_PLAIN,	/* bare TCP; conn_starttls() may upgrade it later */
	CONN_TLS,	/* TLS from the first byte ("implicit TLS") */
};

enum conn_tls_min {
	CONN_TLS_MIN_DEFAULT = 0,	/* TLS 1.2, as CONN_TLS_MIN_1_2 */
	CONN_TLS_MIN_1_2,
	CONN_TLS_MIN_1_3,
};

/*
 * What to connect to and how. Fill with conn_opts_init() then set fields.
 * Strings are borrowed: conn_open() copies what it keeps.
 */
struct conn_opts {
	const char *host;	/* name or address literal (required) */
	unsigned port;		/* required */

	/* TLS (used by CONN_TLS and conn_starttls). */
	const char *trust_file;	/* CA bundle (PEM); NULL: the system CAs */
	/*
	 * SHA-256 of the server's DER certificate, msmtp's tls_fingerprint
	 * format: 32 hex bytes separated by colons, read by
	 * fingerprint_parse() (base/util.h). When set, it replaces CA and host name verification:
	 * the pin alone decides.
	 */
	const char *fingerprint;
	const char *cert_file;	/* client certificate (PEM), or NULL */
	const char *key_file;	/* its key (PEM); NULL: in cert_file */
	enum conn_tls_min tls_min;
	/* 1: no verification at all (the caller warns the user). */
	int no_certcheck;
	/* Name the certificate must match; NULL: host. */
	const char *tls_host;

	/* Timeouts in seconds; 0 means none. */
	int connect_timeout;	/* default 30 */
	int timeout;		/* each read and write; default 60 */

	/* SOCKS5 proxy (names resolved by the proxy: socks5h), or NULL. */
	const char *socks_host;
	unsigned socks_port;	/* default 1080 when 0 */

	/* -v transcript: borrowed, may be NULL; must outlive the conn. */
	struct transcript *transcript;

	/* Cap of the read buffer in bytes; default 1 MiB when 0. */
	size_t rbuf_cap;
};

struct conn;

/* Zero everything, then set the defaults named above. */
void conn_opts_init(struct conn_opts *o);

enum conn_init_flags {
	/*
	 * The process will never use TLS. OpenSSL then skips what only TLS
	 * needs: its configuration file (where system TLS policy lives) and
	 * its error strings; conn_open(CONN_TLS) and conn_starttls() refuse
	 * with ERR_SOFTWARE rather than run TLS without the system policy.
	 */
	CONN_INIT_NO_TLS = 1 << 0,
};

/*
 * Initialise libcurl, and OpenSSL under it, for the whole process: call it
 * once, before any other conn function and before any thread starts.
 * Without it the first conn_open() initialises with flags 0. In both cases
 * OpenSSL's clean-up at exit is skipped: the process is ending, and the
 * kernel frees its memory faster. Errors: ERR_SOFTWARE.
 */
int conn_global_init(unsigned flags, struct err *e);

/*
 * Connect (and for CONN_TLS run the handshake and the verification).
 * Returns a new connection the caller frees with conn_close(), or NULL
 * after filling e.
 */
struct conn *conn_open(const struct conn_opts *o, enum conn_mode mode,
	struct err *e);

/*
 * A plain connection over a connected stream socket the caller already has
 * (one end of a socketpair for a test, a socket inherited from a parent):
 * nothing is dialled, the bytes move with recv(2)/send(2), and the conn
 * takes fd over (made non-blocking; closed by conn_close(), also when this
 * fails). peer names the other side in messages ("host:port" elsewhere).
 * The read/write timeout is 60 s (conn_set_timeout). There is no TLS:
 * conn_starttls() fails with ERR_USAGE. Returns NULL with ERR_OS if fd
 * cannot be made non-blocking.
 */
struct conn *conn_from_fd(int fd, const char *peer, struct transcript *ts,
	struct err *e);

/*
 * Upgrade a plain connection to TLS on the same socket, with the TLS
 * options given to conn_open(). Call it right after the server's go-ahead
 * to STARTTLS, with nothing unread: if the read buffer holds any byte it
 * fails with ERR_PROTOCOL "bytes received before TLS started (possible
 * injection)" and the connection must be closed. Other errors as for
 * conn_open(). On failure the connection is unusable: close it.
 */
int conn_starttls(struct conn *c, struct err *e);
/* (An engine reading lines through pp uses pp_starttls(): see pp.h.) */

/* Is the connection encrypted now? */
int conn_is_tls(const struct conn *c);
/* "host:port", for messages; owned by the conn. */
const char *conn_peer(const struct conn *c);
/* The transcript given in the options (may be NULL). */
struct transcript *conn_transcript(const struct conn *c);

/*
 * The read buffer: bytes received and not yet consumed. The caller (pp)
 * looks at data/len and removes what it used with buf_consume(); it never
 * appends. Owned by the conn.
 */
struct buf *conn_rbuf(struct conn *c);

/*
 * Receive more bytes into the read buffer, waiting up to the read timeout
 * for at least one. Over TLS it drains what OpenSSL already decrypted
 * before it polls. Returns the number of bytes added (> 0), 0 when the
 * server closed the connection (nothing added), or -1 on error (timeout:
 * ERR_TEMPFAIL; read buffer full: ERR_PROTOCOL "read buffer full").
 */
long conn_fill(struct conn *c, struct err *e);

/*
 * Wait up to ms milliseconds (-1: no limit; the read timeout does not
 * apply) for something to read, for an engine that waits on the server
 * without a command outstanding (IMAP IDLE). Returns 1 when the read
 * buffer holds bytes or the server closed the connection (the next read
 * tells which), 0 when the time ran out, -1 on error. Like conn_fill it
 * asks OpenSSL before it polls the socket.
 */
int conn_wait(struct conn *c, int ms, struct err *e);

/*
 * Queue n bytes in the write buffer. Nothing is sent until conn_flush(),
 * except that a write buffer grown past 64 KiB is flushed on the way (so a
 * big message streams). Returns 0, or -1 (errors of conn_flush).
 */
int conn_write(struct conn *c, const void *p, size_t n, struct err *e);

/*
 * Send the whole write buffer. While the socket is not writable it keeps
 * receiving into the read buffer (so a server replying to a long pipelined
 * batch never deadlocks us); each wait is bounded by the timeout
 * (ERR_TEMPFAIL). 0, or -1 on error.
 */
int conn_flush(struct conn *c, struct err *e);

/* Bytes queued in the write buffer and not yet sent. */
size_t conn_wpending(const struct conn *c);

/*
 * Change the read/write timeout (seconds, 0 = none) from now on, for
 * example around an IMAP IDLE.
 */
void conn_set_timeout(struct conn *c, int seconds);

/*
 * Work to do while the peer owes a reply: each time conn_fill() finds
 * nothing to read and nothing left to send, it calls fn(arg) before it
 * waits, again and again while fn returns 1 (it did one small piece of
 * work: a reply that came meanwhile is read first), and waits once fn
 * returns 0 (nothing left). The time fn takes delays the read of a reply
 * already there, never a command: a piece should take microseconds. NULL
 * removes it.
 */
void conn_set_idle(struct conn *c, int (*fn)(void *), void *arg);

/* The socket, for a caller that polls several connections (read through
 * conn_wait() first: over TLS bytes may wait inside OpenSSL). */
int conn_fd(const struct conn *c);

/*
 * TCP keepalive on the socket: the first probe after idle seconds of
 * silence, then every intvl seconds, the connection dropped after cnt
 * unanswered (so a peer gone without a word is found in about idle +
 * intvl * cnt seconds). -1 with ERR_OS.
 */
int conn_keepalive(struct conn *c, int idle, int intvl, int cnt,
	struct err *e);

/* What `msend --probe` shows about the TLS session. */
struct conn_tls_info {
	char version[16];	/* "TLSv1.3" */
	char cipher[80];	/* "TLS_AES_256_GCM_SHA384" */
	char subject[256];	/* one-line RFC 2253 form */
	char issuer[256];
	char not_before[32];	/* "2026-11-23T12:00:00Z" */
	char not_after[32];
	char sha256[96];	/* "AB:CD:..." (tls_fingerprint format) */
};

/*
 * Fill info for a TLS connection. -1 with ERR_USAGE when the connection is
 * not encrypted, ERR_PROTOCOL when no peer certificate is available.
 */
int conn_tls_info(struct conn *c, struct conn_tls_info *info, struct err *e);

enum conn_cb_type {
	CONN_CB_TLS_EXPORTER,	/* RFC 9266; TLS 1.3 only here */
	CONN_CB_TLS_UNIQUE,	/* RFC 5929; TLS 1.2 and below only */
};

/*
 * Channel binding data for SASL SCRAM-*-PLUS (raw bytes; base64 is the
 * caller's business). tls-exporter: SSL_export_keying_material with label
 * "EXPORTER-Channel-Binding", no context, 32 bytes. tls-unique: the first
 * Finished message of the latest handshake. Writes at most outsz bytes to
 * out and returns the length, or -1: ERR_USAGE when not encrypted or the
 * type does not fit the TLS version in use (so the caller can pick the
 * other type or a non-PLUS mechanism), ERR_SOFTWARE if OpenSSL fails.
 */
long conn_channel_binding(struct conn *c, enum conn_cb_type type,
	unsigned char *out, size_t outsz, struct err *e);

/*
 * The certificates the server sent, leaf first, as it sent them (DER), for
 * a check of one's own (DANE, a report). *der is a new array of *n buffers:
 * the caller releases each (buf_release) and frees the array. -1 with
 * ERR_USAGE when not encrypted, ERR_PROTOCOL when no certificate came.
 */
int conn_peer_chain(struct conn *c, struct buf **der, size_t *n,
	struct err *e);

/* The negotiated TLS version: 0 (plain), 0x0303 (1.2), 0x0304 (1.3)... */
int conn_tls_version(const struct conn *c);

/*
 * Close the socket and free everything (c may be NULL). Sends nothing: the
 * engine sends QUIT/LOGOUT before.
 */
void conn_close(struct conn *c);

#endif
