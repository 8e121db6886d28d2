/* fcntl01: fcntl(2) F_GETFL/F_SETFL, F_DUPFD(_CLOEXEC), F_GETFD/F_SETFD; FD_CLOEXEC across exec. */
#include "tst.h"

void tst_run(void)
{
	if (tst_argc > 2 && !strcmp(tst_argv[1], "child:cloexec")) {
		int kept = atoi(tst_argv[2]), closed = atoi(tst_argv[3]);
		int ok = fcntl(kept, F_GETFD) != -1 && fcntl(closed, F_GETFD) == -1 && errno == EBADF;
		_exit(ok ? 0 : 1);
	}
	tst_write_file("f", "x", 0644);
	int fd = open("f", O_RDWR);
	int fl = fcntl(fd, F_GETFL);
	TEST_TRUE("getfl_rdwr", (fl & O_ACCMODE) == O_RDWR, "F_GETFL access mode O_RDWR: %#x", fl);
	int ro = open("f", O_RDONLY);
	TEST_TRUE("getfl_rdonly", (fcntl(ro, F_GETFL) & O_ACCMODE) == O_RDONLY, "F_GETFL O_RDONLY");
	close(ro);
	TEST_OK("setfl_append", fcntl(fd, F_SETFL, O_APPEND));
	TEST_TRUE("getfl_append", fcntl(fd, F_GETFL) & O_APPEND, "O_APPEND is set");
	SAFE(lseek(fd, 0, SEEK_SET));
	SAFE(write(fd, "y", 1));
	char buf[8];
	tst_read_file("f", buf, sizeof buf);
	TEST_TRUE("setfl_append_works", !strcmp(buf, "xy"), "writes go to the end: %s", buf);
	SAFE(fcntl(fd, F_SETFL, O_RDONLY));
	TEST_TRUE("setfl_keeps_mode", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR,
		  "F_SETFL cannot change the access mode");
	int p[2];
	SAFE(pipe(p));
	TEST_OK("setfl_nonblock", fcntl(p[0], F_SETFL, O_NONBLOCK));
	TEST_TRUE("nonblock_works", read(p[0], buf, 1) == -1 && errno == EAGAIN, "a read now says EAGAIN: %s",
		  tst_errname(errno));
	int d = fcntl(fd, F_DUPFD, 30);
	TEST_TRUE("dupfd", d == 30, "F_DUPFD takes the lowest at or above 30: %d", d);
	int d2 = fcntl(fd, F_DUPFD, 30);
	TEST_TRUE("dupfd_next", d2 == 31, "then 31: %d", d2);
	int d3 = fcntl(fd, F_DUPFD_CLOEXEC, 40);
	TEST_TRUE("dupfd_cloexec", d3 == 40 && fcntl(d3, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC: %d", d3);
	TEST_TRUE("getfd", fcntl(fd, F_GETFD) == 0, "FD_CLOEXEC starts clear");
	TEST_OK("setfd", fcntl(fd, F_SETFD, FD_CLOEXEC));
	TEST_TRUE("getfd_set", fcntl(fd, F_GETFD) == FD_CLOEXEC, "and is now set");
	TEST_ERR("closed", fcntl(-1, F_GETFL), EBADF);
	TEST_ERR("bad_cmd", fcntl(fd, 9999), EINVAL);
	/* fd 30 has FD_CLOEXEC clear, fd (and 40) set: exec must close fd only. */
	pid_t pid = fork();
	if (pid == 0) {
		char kept[16], closed[16];
		snprintf(kept, sizeof kept, "%d", 30);
		snprintf(closed, sizeof closed, "%d", fd);
		execl(tst_self(), tst_self(), "child:cloexec", kept, closed, (char *)NULL);
		_exit(127);
	}
	int status = tst_wait(pid);
	TEST_TRUE("cloexec_exec", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "exec closes FD_CLOEXEC descriptors and keeps the others (status %#x)", status);
	close(p[0]);
	close(p[1]);
	close(fd);
}
