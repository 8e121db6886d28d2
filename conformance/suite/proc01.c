/* proc01: /proc basics: self, status, fd, cwd, and system files. */
#include "tst.h"

void tst_run(void)
{
	char buf[4096], want[64];
	ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof want, "%d", getpid());
	TEST_TRUE("self", n > 0 && !strcmp(buf, want), "/proc/self -> %s (pid %s)", buf, want);
	TEST_TRUE("status", tst_read_file("/proc/self/status", buf, sizeof buf) > 0, "/proc/self/status reads");
	char *pid_line = strstr(buf, "\nPid:");
	TEST_TRUE("status_pid", pid_line && atoi(pid_line + 5) == getpid(), "its Pid line is ours");
	char *ppid_line = strstr(buf, "\nPPid:");
	TEST_TRUE("status_ppid", ppid_line && atoi(ppid_line + 6) == getppid(), "its PPid line is our parent");
	n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	TEST_TRUE("cwd", n > 0 && !strcmp(buf, tst_dir), "/proc/self/cwd -> %s", buf);
	int fd = open("/proc/self/status", O_RDONLY);
	int fd2 = dup2(fd, 57);
	DIR *d = opendir("/proc/self/fd");
	int seen = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (!strcmp(e->d_name, "57"))
			seen = 1;
	if (d)
		closedir(d);
	TEST_TRUE("fd_dir", fd2 == 57 && seen, "/proc/self/fd lists descriptor 57");
	tst_write_file("named", "x", 0644);
	int named = open("named", O_RDONLY);
	snprintf(want, sizeof want, "/proc/self/fd/%d", named);
	n = readlink(want, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	TEST_TRUE("fd_link", n > 0 && strstr(buf, "/named"), "%s -> %s", want, buf);
	close(named);
	close(fd);
	close(57);
	snprintf(want, sizeof want, "/proc/%d/status", getpid());
	struct stat st;
	TEST_OK("by_pid", stat(want, &st));
	/* Two times in seconds: since boot and idle. (A system booted a moment
	 * ago may rightly say 0.00.) */
	double up = -1, idle = -1;
	TEST_TRUE("uptime", tst_read_file("/proc/uptime", buf, sizeof buf) > 0 &&
		  sscanf(buf, "%lf %lf", &up, &idle) == 2 && up >= 0 && idle >= 0,
		  "/proc/uptime: %.20s", buf);
	TEST_TRUE("meminfo", tst_read_file("/proc/meminfo", buf, sizeof buf) > 0 && strstr(buf, "MemTotal:"),
		  "/proc/meminfo has MemTotal");
	TEST_TRUE("cpuinfo", tst_read_file("/proc/cpuinfo", buf, sizeof buf) > 0 && strstr(buf, "processor"),
		  "/proc/cpuinfo lists processors");
	TEST_TRUE("loadavg", tst_read_file("/proc/loadavg", buf, sizeof buf) > 0, "/proc/loadavg reads");
	TEST_TRUE("cmdline", tst_read_file("/proc/self/cmdline", buf, sizeof buf) > 0 &&
		  strstr(buf, "proc01"), "/proc/self/cmdline starts with our name: %s", buf);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	tst_wait(pid);
	snprintf(want, sizeof want, "/proc/%d", pid);
	TEST_ERR("gone", stat(want, &st), ENOENT);
	TEST_ERR("read_only", open("/proc/self/status", O_WRONLY), EACCES);
}
