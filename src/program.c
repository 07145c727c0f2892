// SPDX-License-Identifier: GPL-2.0-or-later
/* Running a program without a shell (see program.h). */
#include <errno.h>
#include <spawn.h>
#include <sys/wait.h>

#include "program.h"

extern char **environ;

int program_run(const char *const *argv)
{
	pid_t pid;
	int r, status;

	/* posix_spawnp takes char *const[]: it does not write to the strings */
	r = posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv, environ);
	if (r != 0)
		return -r;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
