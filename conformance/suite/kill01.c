/* kill01: kill(2) and the default actions of signals. */
#include "tst.h"
#include <poll.h>
#include <signal.h>

static int dies_of(int sig)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, sig);
	int status = tst_wait(pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static int report_fd;

static void report_usr1(int sig)
{
	(void)sig;
	write(report_fd, "u", 1);
	_exit(0);
}

/* Whether a byte comes down `fd` within 30 seconds (a deadline for a
 * child that never says it is ready, not a measure of speed). */
static int byte_comes(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;
	return poll(&pfd, 1, 30000) == 1 && read(fd, &c, 1) == 1;
}

/* SIGSTOP then SIGCONT, back to back, to a child that catches signals: the
 * child runs on (a SIGCONT discards a stop not yet taken), so the SIGUSR1
 * after them reaches its handler. Also WUNTRACED and WCONTINUED. */
static void stop_and_continue(void)
{
	int r[2];
	SAFE(pipe(r));
	pid_t pid = fork();
	if (pid == 0) {
		report_fd = r[1];
		signal(SIGUSR1, report_usr1);
		write(r[1], "r", 1);
		for (;;)
			usleep(1000);
	}
	TEST_TRUE("child_ready", byte_comes(r[0]), "the child started");
	SAFE(kill(pid, SIGSTOP));
	int status;
	TEST_TRUE("wuntraced", waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status) &&
				       WSTOPSIG(status) == SIGSTOP,
		  "waitpid(WUNTRACED) reports the stop (%#x)", status);
	SAFE(kill(pid, SIGCONT));
	TEST_TRUE("wcontinued", waitpid(pid, &status, WCONTINUED) == pid && WIFCONTINUED(status),
		  "waitpid(WCONTINUED) reports the continue (%#x)", status);
	SAFE(kill(pid, SIGSTOP));
	SAFE(kill(pid, SIGCONT));
	SAFE(kill(pid, SIGUSR1));
	TEST_TRUE("stop_cont_back_to_back", byte_comes(r[0]),
		  "a child sent SIGSTOP, SIGCONT and SIGUSR1 runs its SIGUSR1 handler");
	kill(pid, SIGKILL);
	tst_wait(pid);
	close(r[0]);
	close(r[1]);
}

void tst_run(void)
{
	TEST_OK("probe_self", kill(getpid(), 0));
	TEST_ERR("esrch", kill(999999, 0), ESRCH);
	TEST_ERR("einval", kill(getpid(), 1000), EINVAL);
	TEST_TRUE("sigterm", dies_of(SIGTERM), "SIGTERM terminates");
	TEST_TRUE("sigkill", dies_of(SIGKILL), "SIGKILL terminates");
	TEST_TRUE("sigusr1", dies_of(SIGUSR1), "SIGUSR1 terminates by default");
	TEST_TRUE("sighup", dies_of(SIGHUP), "SIGHUP terminates by default");
	TEST_TRUE("sigint", dies_of(SIGINT), "SIGINT terminates by default");
	TEST_TRUE("sigalrm", dies_of(SIGALRM), "SIGALRM terminates by default");
	int p[2], ready[2];
	SAFE(pipe(p));
	SAFE(pipe(ready));
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	SAFE(kill(pid, SIGCHLD));
	SAFE(kill(pid, SIGURG));
	SAFE(kill(pid, SIGWINCH));
	SAFE(write(p[1], "x", 1));
	int status = tst_wait(pid);
	TEST_TRUE("ignored_by_default", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "SIGCHLD, SIGURG and SIGWINCH are ignored by default (%#x)", status);
	/* Each child below says when it has set its disposition: a signal sent
	 * before would meet the default one. */
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		write(ready[1], "r", 1);
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	if (!byte_comes(ready[0]))
		TBROK_EXIT("sig_ign", "the child never said it was ready");
	SAFE(kill(pid, SIGTERM));
	SAFE(write(p[1], "x", 1));
	status = tst_wait(pid);
	TEST_TRUE("sig_ign", WIFEXITED(status) && WEXITSTATUS(status) == 0, "an ignored SIGTERM does nothing (%#x)",
		  status);
	pid = fork();
	if (pid == 0) {
		signal(SIGKILL, SIG_IGN);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	if (!byte_comes(ready[0]))
		TBROK_EXIT("sigkill_not_ignorable", "the child never said it was ready");
	kill(pid, SIGKILL);
	status = tst_wait(pid);
	TEST_TRUE("sigkill_not_ignorable", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "SIGKILL cannot be ignored (%#x)", status);
	pid = fork();
	if (pid == 0) {
		raise(SIGABRT);
		_exit(0);
	}
	status = tst_wait(pid);
	TEST_TRUE("raise", WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "raise(SIGABRT) (%#x)", status);
	pid = fork();
	if (pid == 0) {
		abort();
	}
	status = tst_wait(pid);
	TEST_TRUE("abort", WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "abort() (%#x)", status);
	stop_and_continue();
	if (geteuid() == 0)
		tst_res(TCONF, "eperm", "root may signal anyone");
	else if (getpid() == 1)
		tst_res(TCONF, "eperm", "this program is pid 1: there is no init to signal");
	else
		TEST_ERR("eperm", kill(1, SIGTERM), EPERM);
}
