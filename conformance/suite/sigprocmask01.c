/* sigprocmask01: blocking, pending and delivery; sigsuspend. */
#include "tst.h"
#include <signal.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	(void)sig;
	caught++;
}

void tst_run(void)
{
	signal(SIGUSR1, on_signal);
	sigset_t block, old, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	TEST_OK("block", sigprocmask(SIG_BLOCK, &block, &old));
	TEST_TRUE("old_empty", !sigismember(&old, SIGUSR1), "SIGUSR1 was not blocked before");
	raise(SIGUSR1);
	raise(SIGUSR1);
	TEST_TRUE("held", caught == 0, "a blocked signal is held");
	sigpending(&pending);
	TEST_TRUE("pending", sigismember(&pending, SIGUSR1), "sigpending lists it");
	TEST_OK("unblock", sigprocmask(SIG_UNBLOCK, &block, NULL));
	TEST_TRUE("delivered_once", caught == 1, "unblocking delivers it once (standard signals do not queue): %d",
		  (int)caught);
	sigpending(&pending);
	TEST_TRUE("not_pending", !sigismember(&pending, SIGUSR1), "and it is no longer pending");
	sigset_t all, now;
	sigfillset(&all);
	SAFE(sigprocmask(SIG_SETMASK, &all, &old));
	sigprocmask(SIG_SETMASK, NULL, &now);
	TEST_TRUE("kill_unblockable", !sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP),
		  "SIGKILL and SIGSTOP cannot be blocked");
	TEST_TRUE("setmask", sigismember(&now, SIGUSR2), "SIG_SETMASK blocked the rest");
	SAFE(sigprocmask(SIG_SETMASK, &old, NULL));
	TEST_ERR("bad_how", sigprocmask(12345, &block, NULL), EINVAL);
	SAFE(sigprocmask(SIG_BLOCK, &block, NULL));
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t mine;
		sigprocmask(SIG_SETMASK, NULL, &mine);
		_exit(sigismember(&mine, SIGUSR1) ? 0 : 1);
	}
	int status = tst_wait(pid);
	TEST_TRUE("fork_inherits", WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child inherits the mask");
	caught = 0;
	pid = fork();
	if (pid == 0) {
		usleep(100000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigset_t wait_mask;
	sigemptyset(&wait_mask);
	errno = 0;
	int r = sigsuspend(&wait_mask);
	TEST_TRUE("sigsuspend", r == -1 && errno == EINTR && caught == 1,
		  "sigsuspend waits for the signal and returns EINTR");
	sigprocmask(SIG_SETMASK, NULL, &now);
	TEST_TRUE("sigsuspend_restores", sigismember(&now, SIGUSR1), "and restores the mask");
	tst_wait(pid);
	SAFE(sigprocmask(SIG_UNBLOCK, &block, NULL));
	pid = fork();
	if (pid == 0) {
		sigset_t b;
		sigemptyset(&b);
		sigaddset(&b, SIGTERM);
		sigprocmask(SIG_BLOCK, &b, NULL);
		raise(SIGTERM);
		/* Still alive: blocked. Unblocking delivers the default action. */
		sigprocmask(SIG_UNBLOCK, &b, NULL);
		_exit(0);
	}
	status = tst_wait(pid);
	TEST_TRUE("blocked_default", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
		  "a blocked SIGTERM kills when unblocked (%#x)", status);
}
