/*
 * storetest.h: file helpers the store layer's tests share (t_deliver,
 * t_uidlstate, t_killdeliver).
 */
#ifndef MKIT_STORETEST_H
#define MKIT_STORETEST_H

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"

/* The whole file as a string the caller frees, or NULL. */
static char * __attribute__((unused))
slurp(const char *p)
{
	struct buf b = BUF_INIT;
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return NULL;
	buf_read_fd(&b, fd);
	close(fd);
	if (!b.data)
		buf_addstr(&b, "");
	return buf_detach(&b, NULL);
}

static void __attribute__((unused))
rm_rf(const char *p)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("rm", "rm", "-rf", p, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

#endif
