/* getpid01: getpid/getppid, process groups and sessions. */
#include "tst.h"
#include <signal.h>

void tst_run(void)
{
	pid_t me = getpid();
	TEST_TRUE("getpid", me > 0 && getpid() == me, "a stable positive pid: %d", me);
	TEST_TRUE("getppid", getppid() > 0 && getppid() != me, "a parent: %d", getppid());
	pid_t group = getpgrp();
	TEST_TRUE("getpgrp", group >= 0 && getpgid(0) == group, "getpgrp = getpgid(0) = %d", group);
	/* 0 is Linux's answer when the session's leader lives outside this pid
	 * namespace (a container started under another session). */
	pid_t session = getsid(0);
	TEST_TRUE("getsid", session >= 0 && getsid(getpid()) == session, "a session: %d", session);
	int p[2];
	SAFE(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		int same = getpgrp() == group;
		int own = setpgid(0, 0) == 0 && getpgrp() == getpid();
		int report = same | own << 1;
		write(p[1], &report, sizeof report);
		for (;;)
			pause();
	}
	int report = 0;
	SAFE(read(p[0], &report, sizeof report));
	TEST_TRUE("inherited_group", report & 1, "a child starts in its parent's group");
	TEST_TRUE("setpgid_self", report & 2, "setpgid(0, 0) makes its own group");
	TEST_TRUE("getpgid_child", getpgid(pid) == pid, "the parent sees the child's group: %d", getpgid(pid));
	TEST_OK("kill_group", kill(-pid, SIGTERM));
	int status = tst_wait(pid);
	TEST_TRUE("group_signalled", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
		  "kill(-pgid) reached it (%#x)", status);
	TEST_ERR("getpgid_esrch", getpgid(999999), ESRCH);
	TEST_ERR("setpgid_esrch", setpgid(999999, 0), ESRCH);
	TEST_ERR("setpgid_negative", setpgid(0, -1), EINVAL);
	pid = fork();
	if (pid == 0) {
		pid_t sid = setsid();
		int ok = sid == getpid() && getsid(0) == sid && getpgrp() == sid;
		int again = setsid() == -1 && errno == EPERM;
		_exit(ok && again ? 0 : 1);
	}
	status = tst_wait(pid);
	TEST_TRUE("setsid", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "setsid leads a new session and group, once (%#x)", status);
	if (getpgrp() == getpid())
		TEST_ERR("setsid_leader", setsid(), EPERM);
	else
		tst_res(TCONF, "setsid_leader", "this process is not a group leader");
	pid = fork();
	if (pid == 0) {
		pid_t before = getppid();
		_exit(before > 0 ? 0 : 1);
	}
	status = tst_wait(pid);
	TEST_TRUE("child_ppid", WIFEXITED(status) && WEXITSTATUS(status) == 0, "getppid in a child");
}
