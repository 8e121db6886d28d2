/* sigaction01: sigaction(2): handlers, masks, flags, old actions. */
#include "tst.h"
#include <poll.h>
#include <signal.h>

static volatile sig_atomic_t caught, caught_signo, usr2_during_usr1, info_signo, info_pid;

static void on_usr1(int sig)
{
	caught++;
	caught_signo = sig;
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	usr2_during_usr1 = sigismember(&now, SIGUSR2);
}

/* Where on_alarm_go says that it ran. */
static int go_fd = -1;

static void on_alarm_go(int sig)
{
	caught++;
	caught_signo = sig;
	write(go_fd, "g", 1);
}

static void on_info(int sig, siginfo_t *info, void *context)
{
	(void)context;
	info_signo = info->si_signo;
	info_pid = info->si_pid;
	(void)sig;
}

void tst_run(void)
{
	struct sigaction sa = { 0 }, old;
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	TEST_OK("install", sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	TEST_TRUE("handler", caught == 1 && caught_signo == SIGUSR1, "the handler ran with SIGUSR1");
	TEST_TRUE("sa_mask", usr2_during_usr1, "sa_mask was blocked during the handler");
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	TEST_TRUE("mask_restored", !sigismember(&now, SIGUSR2) && !sigismember(&now, SIGUSR1),
		  "and unblocked after it");
	TEST_OK("old", sigaction(SIGUSR1, NULL, &old));
	TEST_TRUE("old_handler", old.sa_handler == on_usr1, "the old action is the handler");
	sa.sa_flags = SA_RESETHAND;
	SAFE(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	SAFE(sigaction(SIGUSR1, NULL, &old));
	TEST_TRUE("resethand", caught == 2 && old.sa_handler == SIG_DFL, "SA_RESETHAND restores SIG_DFL");
	struct sigaction info = { 0 };
	info.sa_sigaction = on_info;
	info.sa_flags = SA_SIGINFO;
	SAFE(sigaction(SIGUSR2, &info, NULL));
	kill(getpid(), SIGUSR2);
	TEST_TRUE("siginfo", info_signo == SIGUSR2, "SA_SIGINFO gives si_signo %d", (int)info_signo);
	TEST_TRUE("siginfo_pid", info_pid == getpid(), "and si_pid of the sender: %d", (int)info_pid);
	TEST_ERR("sigkill", sigaction(SIGKILL, &sa, NULL), EINVAL);
	TEST_ERR("sigstop", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	TEST_ERR("bad_signal", sigaction(0, &sa, NULL), EINVAL);
	TEST_ERR("big_signal", sigaction(1000, &sa, NULL), EINVAL);
	struct sigaction ign = { 0 };
	ign.sa_handler = SIG_IGN;
	SAFE(sigaction(SIGUSR1, &ign, NULL));
	raise(SIGUSR1);
	TEST_TRUE("ignored", caught == 2, "SIG_IGN: nothing happens");
	SAFE(sigaction(SIGUSR1, &sa, NULL));
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction mine;
		sigaction(SIGUSR1, NULL, &mine);
		_exit(mine.sa_handler == on_usr1 ? 0 : 1);
	}
	int status = tst_wait(pid);
	TEST_TRUE("fork_keeps", WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child keeps the handlers");
	caught = 0;
	sa.sa_flags = 0;
	SAFE(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	pause();
	TEST_TRUE("alarm", caught == 1 && caught_signo == SIGALRM, "alarm(1) then pause(): the handler ran");
	int p[2];
	SAFE(pipe(p));
	sa.sa_flags = 0;
	SAFE(sigaction(SIGALRM, &sa, NULL));
	/* A deadline: if the signal does not interrupt the read, this write
	 * ends it (and the case fails) instead of the read waiting for ever. */
	pid_t backstop = fork();
	if (backstop == 0) {
		sleep(30);
		write(p[1], "b", 1);
		_exit(0);
	}
	alarm(1);
	char c;
	errno = 0;
	ssize_t r = read(p[0], &c, 1);
	TEST_TRUE("eintr", r == -1 && errno == EINTR, "a blocked read is interrupted: %zd %s", r,
		  tst_errname(errno));
	kill(backstop, SIGKILL);
	tst_wait(backstop);
	close(p[0]);
	close(p[1]);
	/* The data comes only after the signal: the handler tells a child,
	 * which then writes. A read the signal ended (not resumed) would
	 * return before it. If the handler never runs, the child writes 't'
	 * after 30 s instead. */
	int go[2];
	SAFE(pipe(p));
	SAFE(pipe(go));
	go_fd = go[1];
	struct sigaction restart = { 0 };
	restart.sa_handler = on_alarm_go;
	restart.sa_flags = SA_RESTART;
	sigemptyset(&restart.sa_mask);
	SAFE(sigaction(SIGALRM, &restart, NULL));
	pid = fork();
	if (pid == 0) {
		struct pollfd told = { .fd = go[0], .events = POLLIN };
		write(p[1], poll(&told, 1, 30000) == 1 ? "x" : "t", 1);
		_exit(0);
	}
	alarm(1);
	c = 0;
	r = read(p[0], &c, 1);
	TEST_TRUE("sa_restart", r == 1 && c == 'x', "SA_RESTART resumes the read: %zd %s%c", r,
		  r < 0 ? tst_errname(errno) : "", c);
	tst_wait(pid);
}
