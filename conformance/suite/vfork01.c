/* vfork01: vfork(2) then _exit or exec. */
#include "tst.h"

void tst_run(void)
{
	if (tst_argc > 1 && !strcmp(tst_argv[1], "child:exit7"))
		_exit(7);
	pid_t pid = vfork();
	if (pid == 0)
		_exit(4);
	int status = tst_wait(pid);
	TEST_TRUE("exit", pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 4, "vfork + _exit(4): %#x",
		  status);
	pid = vfork();
	if (pid == 0) {
		execl(tst_self(), tst_self(), "child:exit7", (char *)NULL);
		_exit(127);
	}
	status = tst_wait(pid);
	TEST_TRUE("exec", WIFEXITED(status) && WEXITSTATUS(status) == 7, "vfork + exec: %#x", status);
	pid = vfork();
	if (pid == 0) {
		execl("/nonexistent", "x", (char *)NULL);
		_exit(errno == ENOENT ? 9 : 10);
	}
	status = tst_wait(pid);
	TEST_TRUE("exec_fails", WIFEXITED(status) && WEXITSTATUS(status) == 9, "a failed exec returns ENOENT: %#x",
		  status);
}
