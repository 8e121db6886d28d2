/* kill01: kill(2) and the default actions of signals. */
#include "tst.h"
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
	int p[2];
	SAFE(pipe(p));
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
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	usleep(100000);
	SAFE(kill(pid, SIGTERM));
	SAFE(write(p[1], "x", 1));
	status = tst_wait(pid);
	TEST_TRUE("sig_ign", WIFEXITED(status) && WEXITSTATUS(status) == 0, "an ignored SIGTERM does nothing (%#x)",
		  status);
	pid = fork();
	if (pid == 0) {
		signal(SIGKILL, SIG_IGN);
		for (;;)
			pause();
	}
	usleep(100000);
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
	if (geteuid() != 0)
		TEST_ERR("eperm", kill(1, SIGTERM), EPERM);
	else
		tst_res(TCONF, "eperm", "root may signal anyone");
}
