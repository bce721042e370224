/*
 * spawn-each: run one process per message, with as little harness cost as
 * possible (posix_spawn, no shell), and time the lot.
 *
 * usage: spawn-each [-i] LIST CMD [ARG...]
 *
 * Each line of LIST is FILE, optionally followed by TAB-separated extra
 * arguments. For each line, runs CMD ARG... EXTRA... FILE, or with -i
 * CMD ARG... EXTRA... with FILE on standard input. Standard output goes
 * to /dev/null; standard error is kept. The runs are sequential.
 * Prints one line to standard output:
 *   runs=N failed=F seconds=S ms_per_run=M maxrss_kib=K
 * where maxrss is the largest peak RSS of any run. Exit 0 if every run
 * exited 0, 1 otherwise, 2 on usage or harness errors.
 */
#define _GNU_SOURCE
#define MAX_EXTRA 16
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char line[4096], **av;
	unsigned long runs = 0, failed = 0;
	struct rusage ru;
	int stdin_mode = 0, argi = 1, nargs, i;
	double t0, t;
	FILE *list;

	if (argi < argc && strcmp(argv[argi], "-i") == 0) {
		stdin_mode = 1;
		argi++;
	}
	if (argc - argi < 2) {
		fprintf(stderr, "usage: spawn-each [-i] LIST CMD [ARG...]\n");
		return 2;
	}
	list = fopen(argv[argi], "r");
	if (list == NULL) {
		fprintf(stderr, "spawn-each: %s: %s\n", argv[argi],
		    strerror(errno));
		return 2;
	}
	argi++;
	nargs = argc - argi;
	av = calloc(nargs + MAX_EXTRA + 2, sizeof(*av));
	if (av == NULL)
		return 2;
	for (i = 0; i < nargs; i++)
		av[i] = argv[argi + i];
	t0 = now();
	while (fgets(line, sizeof(line), list) != NULL) {
		posix_spawn_file_actions_t fa;
		size_t n = strlen(line);
		char *file, *tab;
		pid_t pid;
		int st, rc, k = nargs;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		file = line;
		for (tab = strchr(line, '\t'); tab != NULL;
		    tab = strchr(tab, '\t')) {
			*tab++ = '\0';
			if (k == nargs + MAX_EXTRA) {
				fprintf(stderr, "spawn-each: too many "
				    "arguments on a line\n");
				return 2;
			}
			av[k++] = tab;
		}
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
		    O_WRONLY, 0);
		if (stdin_mode)
			posix_spawn_file_actions_addopen(&fa, 0, file,
			    O_RDONLY, 0);
		else
			av[k++] = file;
		av[k] = NULL;
		rc = posix_spawnp(&pid, av[0], &fa, NULL, av, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (rc != 0) {
			fprintf(stderr, "spawn-each: %s: %s\n", av[0],
			    strerror(rc));
			return 2;
		}
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		runs++;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	t = now() - t0;
	fclose(list);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("runs=%lu failed=%lu seconds=%.4f ms_per_run=%.3f "
	    "maxrss_kib=%ld\n", runs, failed, t,
	    runs ? t * 1000.0 / runs : 0.0, ru.ru_maxrss);
	free(av);
	return failed ? 1 : 0;
}
