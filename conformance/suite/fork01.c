/* fork01: fork(2): ids, separate memory, inherited descriptors. */
#include "tst.h"

static int global = 1;

void tst_run(void)
{
	pid_t parent = getpid();
	int p[2];
	SAFE(pipe(p));
	int local = 10;
	pid_t pid = fork();
	SAFE(pid);
	if (pid == 0) {
		global = 2;
		local = 20;
		int report[3] = { getpid(), getppid(), global + local };
		write(p[1], report, sizeof report);
		_exit(3);
	}
	int report[3] = { 0 };
	SAFE(read(p[0], report, sizeof report));
	int status = tst_wait(pid);
	TEST_TRUE("returns_pid", report[0] == pid, "fork returned the child's pid %d, the child says %d", pid,
		  report[0]);
	TEST_TRUE("new_pid", pid != parent && pid > 0, "the child's pid %d differs from %d", pid, parent);
	TEST_TRUE("ppid", report[1] == parent, "the child's parent is the caller: %d", report[1]);
	TEST_TRUE("child_memory", report[2] == 22, "the child changed its copy: %d", report[2]);
	TEST_TRUE("parent_memory", global == 1 && local == 10, "the parent's memory is untouched");
	TEST_TRUE("status", WIFEXITED(status) && WEXITSTATUS(status) == 3, "exit status 3 (%#x)", status);
	tst_write_file("f", "0123456789", 0644);
	int fd = open("f", O_RDONLY);
	pid = fork();
	if (pid == 0) {
		char b[4];
		_exit(read(fd, b, 4) == 4 ? 0 : 1);
	}
	tst_wait(pid);
	TEST_TRUE("shared_offset", lseek(fd, 0, SEEK_CUR) == 4, "an inherited descriptor shares its offset");
	close(fd);
	pid_t kids[20];
	int ok = 1;
	for (int i = 0; i < 20; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(i);
		ok &= kids[i] > 0;
	}
	for (int i = 19; i >= 0; i--) {
		status = tst_wait(kids[i]);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == i;
	}
	TEST_TRUE("many", ok, "20 children, each with its status");
	pid = fork();
	if (pid == 0) {
		pid_t grandchild = fork();
		if (grandchild == 0)
			_exit(5);
		int s = tst_wait(grandchild);
		_exit(WIFEXITED(s) ? WEXITSTATUS(s) + 1 : 99);
	}
	status = tst_wait(pid);
	TEST_TRUE("grandchild", WIFEXITED(status) && WEXITSTATUS(status) == 6, "a child forks too (%#x)", status);
}
