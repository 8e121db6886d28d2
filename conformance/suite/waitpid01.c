/* waitpid01: wait(2)/waitpid(2): statuses, WNOHANG, ECHILD, choosing a child. */
#include "tst.h"
#include <signal.h>

static volatile sig_atomic_t expired;

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		expired = 1;
}

/* Reaps `pid` with WNOHANG once it has ended, which the SIGCHLD it sends
 * then says (the caller blocks SIGCHLD and SIGALRM before the fork, and
 * they are open only in sigsuspend, so none is missed); 0 if 30 s pass
 * without. */
static pid_t reap_ended(pid_t pid, int *status)
{
	struct sigaction sa = { 0 }, old_chld, old_alrm;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	SAFE(sigaction(SIGCHLD, &sa, &old_chld));
	SAFE(sigaction(SIGALRM, &sa, &old_alrm));
	expired = 0;
	alarm(30);
	pid_t got = 0;
	sigset_t during;
	SAFE(sigprocmask(SIG_BLOCK, NULL, &during));
	sigdelset(&during, SIGCHLD);
	sigdelset(&during, SIGALRM);
	while (!expired && got == 0) {
		sigsuspend(&during);
		got = waitpid(pid, status, WNOHANG);
	}
	alarm(0);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigaction(SIGALRM, &old_alrm, NULL);
	return got;
}

void tst_run(void)
{
	int status;
	TEST_ERR("echild", wait(&status), ECHILD);
	TEST_ERR("echild_pid", waitpid(12345, &status, WNOHANG), ECHILD);
	int p[2];
	SAFE(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	TEST_TRUE("wnohang", waitpid(pid, &status, WNOHANG) == 0, "WNOHANG on a running child returns 0");
	SAFE(write(p[1], "x", 1));
	TEST_TRUE("reaped", waitpid(pid, &status, 0) == pid, "then waitpid returns its pid");
	TEST_ERR("twice", waitpid(pid, &status, 0), ECHILD);
	pid = fork();
	if (pid == 0)
		_exit(255);
	SAFE(waitpid(pid, &status, 0));
	TEST_TRUE("status_255", WIFEXITED(status) && WEXITSTATUS(status) == 255, "exit(255): %#x", status);
	pid = fork();
	if (pid == 0)
		_exit(256 + 7);
	SAFE(waitpid(pid, &status, 0));
	TEST_TRUE("status_masked", WIFEXITED(status) && WEXITSTATUS(status) == 7, "exit(263) is 7: %#x", status);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	SAFE(kill(pid, SIGKILL));
	SAFE(waitpid(pid, &status, 0));
	TEST_TRUE("signaled", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && !WIFEXITED(status),
		  "killed by SIGKILL: %#x", status);
	pid_t a = fork();
	if (a == 0)
		_exit(1);
	pid_t b = fork();
	if (b == 0)
		_exit(2);
	SAFE(waitpid(b, &status, 0));
	TEST_TRUE("specific", WEXITSTATUS(status) == 2, "waitpid(b) gets b even when a ended first");
	pid_t got = waitpid(-1, &status, 0);
	TEST_TRUE("any", got == a && WEXITSTATUS(status) == 1, "waitpid(-1) gets the other: %d", got);
	pid = fork();
	if (pid == 0)
		_exit(3);
	got = wait(NULL);
	TEST_TRUE("null_status", got == pid, "wait(NULL) reaps: %d", got);
	pid = fork();
	if (pid == 0)
		_exit(0);
	got = waitpid(0, &status, 0);
	TEST_TRUE("same_group", got == pid, "waitpid(0) waits for the caller's group: %d", got);
	TEST_ERR("bad_options", waitpid(-1, &status, 0x100), EINVAL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGALRM);
	SAFE(sigprocmask(SIG_BLOCK, &block, NULL));
	pid = fork();
	if (pid == 0)
		_exit(0);
	got = reap_ended(pid, &status);
	SAFE(sigprocmask(SIG_UNBLOCK, &block, NULL));
	TEST_TRUE("zombie", got == pid, "a child that ended is reaped by WNOHANG: %d", got);
}
