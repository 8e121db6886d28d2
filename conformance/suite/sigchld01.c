/* sigchld01: SIGCHLD on a child's end; reaping in the handler; SA_NOCLDWAIT. */
#include "tst.h"
#include <signal.h>

static volatile sig_atomic_t chld, reaped;

static void on_chld(int sig)
{
	(void)sig;
	chld++;
	int status;
	while (waitpid(-1, &status, WNOHANG) > 0)
		reaped++;
}

void tst_run(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_chld;
	sigemptyset(&sa.sa_mask);
	SAFE(sigaction(SIGCHLD, &sa, NULL));
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	for (int i = 0; i < 100 && !reaped; i++)
		usleep(20000);
	TEST_TRUE("delivered", chld >= 1, "SIGCHLD arrived: %d", (int)chld);
	TEST_TRUE("reaped", reaped == 1, "the handler reaped the child: %d", (int)reaped);
	reaped = 0;
	for (int i = 0; i < 5; i++)
		if (fork() == 0)
			_exit(0);
	for (int i = 0; i < 200 && reaped < 5; i++)
		usleep(20000);
	TEST_TRUE("several", reaped == 5, "five children reaped through coalesced signals: %d", (int)reaped);
	signal(SIGCHLD, SIG_DFL);
	sa.sa_handler = SIG_IGN;
	SAFE(sigaction(SIGCHLD, &sa, NULL));
	pid = fork();
	if (pid == 0)
		_exit(0);
	int status;
	errno = 0;
	pid_t got = waitpid(pid, &status, 0);
	TEST_TRUE("ignored_autoreap", got == -1 && errno == ECHILD,
		  "with SIGCHLD ignored, children are not left to wait for: %d %s", got, tst_errname(errno));
	signal(SIGCHLD, SIG_DFL);
}
