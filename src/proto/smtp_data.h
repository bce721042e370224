/*
 * smtp_data.h: a message on the wire for SMTP, through the line layer
 * (net/pp.h): the DATA stream (RFC 5321 4.1.1.4, 4.5.2: CRLF line ends,
 * dot-stuffing, the final ".") and BDAT chunks (RFC 3030).
 */
#ifndef MKIT_SMTP_DATA_H
#define MKIT_SMTP_DATA_H

#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"

/* The DATA writer's state: line starts across chunks, the converted
 * bytes on their way to the write buffer. */
struct smtp_data {
	struct pp_crlf crlf;
	struct buf out;
};

/*
 * Message data for DATA (after the 354 go-ahead): smtp_data_init() sets d
 * up once, smtp_data_begin() starts each message, smtp_data_write() takes
 * the message in any chunks, smtp_data_end() finishes the last line if
 * needed and queues ".\r\n". Line ends become CRLF (LF alone and CR alone
 * too; CRLF stays), a line starting with '.' gets a second '.', line
 * starts are tracked across chunks. Queued in p's write buffer (flushed on
 * the way when large); call pp_flush() after smtp_data_end(). The
 * transcript gets "> [message data: N bytes]" then "> .". Errors: those
 * of the conn. smtp_data_release() frees what d holds.
 */
void smtp_data_init(struct smtp_data *d);
void smtp_data_begin(struct smtp_data *d);
int smtp_data_write(struct smtp_data *d, struct pp *p, const void *data,
	size_t len, struct err *e);
int smtp_data_end(struct smtp_data *d, struct pp *p, struct err *e);
void smtp_data_release(struct smtp_data *d);

/*
 * Queue "BDAT <len>[ LAST]\r\n" and the len bytes (already CRLF-converted,
 * not dot-stuffed). The transcript shows the command and summarises the
 * bytes. last with len 0 is "BDAT 0 LAST".
 */
int smtp_data_bdat(struct pp *p, const void *data, size_t len, int last,
	struct err *e);

/*
 * The same two with the data read from fd (len bytes from offset off, with
 * pread, in slices: never whole in memory), for a message spooled to a
 * file or queued. ERR_IO when the file is shorter or cannot be read.
 */
int smtp_data_write_fd(struct smtp_data *d, struct pp *p, int fd, off_t off,
	size_t len, struct err *e);
int smtp_data_bdat_fd(struct pp *p, int fd, off_t off, size_t len, int last,
	struct err *e);

#endif
