/* sigchld01: SIGCHLD on a child's end; reaping in the handler; SA_NOCLDWAIT. */
#include "tst.h"
#include <signal.h>

static volatile sig_atomic_t chld, reaped, expired;

static void on_chld(int sig)
{
	(void)sig;
	chld++;
	int status;
	while (waitpid(-1, &status, WNOHANG) > 0)
		reaped++;
}

static void on_alarm(int sig)
{
	(void)sig;
	expired = 1;
}

/* Waits until the handler has reaped `count` children, or 30 s have
 * passed. SIGCHLD and SIGALRM are blocked except in sigsuspend, so none
 * can come between the test and the wait and be missed. */
static void until_reaped(int count, const sigset_t *during)
{
	expired = 0;
	alarm(30);
	while (reaped < count && !expired)
		sigsuspend(during);
	alarm(0);
}

void tst_run(void)
{
	struct sigaction sa = { 0 };
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	SAFE(sigaction(SIGALRM, &sa, NULL));
	sa.sa_handler = on_chld;
	SAFE(sigaction(SIGCHLD, &sa, NULL));
	sigset_t block, during;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGALRM);
	SAFE(sigprocmask(SIG_BLOCK, &block, &during));
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	until_reaped(1, &during);
	TEST_TRUE("delivered", chld >= 1, "SIGCHLD arrived: %d", (int)chld);
	TEST_TRUE("reaped", reaped == 1, "the handler reaped the child: %d", (int)reaped);
	reaped = 0;
	for (int i = 0; i < 5; i++)
		if (fork() == 0)
			_exit(0);
	until_reaped(5, &during);
	TEST_TRUE("several", reaped == 5, "five children reaped through coalesced signals: %d", (int)reaped);
	SAFE(sigprocmask(SIG_SETMASK, &during, NULL));
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
