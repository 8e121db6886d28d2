/* tty01: isatty(3)/tcgetattr(3)/ttyname(3) on things that are not terminals, and /dev/tty. */
#include "tst.h"
#include <termios.h>
#include <sys/ioctl.h>

void tst_run(void)
{
	tst_write_file("f", "x", 0644);
	int fd = open("f", O_RDONLY);
	errno = 0;
	TEST_TRUE("file", isatty(fd) == 0 && errno == ENOTTY, "a file is not a terminal: %s", tst_errname(errno));
	struct termios t;
	TEST_ERR("tcgetattr_file", tcgetattr(fd, &t), ENOTTY);
	struct winsize ws;
	TEST_ERR("winsize_file", ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	close(fd);
	int p[2];
	SAFE(pipe(p));
	TEST_TRUE("pipe", isatty(p[0]) == 0, "a pipe is not a terminal");
	TEST_ERR("tcgetattr_pipe", tcgetattr(p[0], &t), ENOTTY);
	TEST_TRUE("ttyname_pipe", ttyname(p[0]) == NULL, "ttyname of a pipe is NULL");
	close(p[0]);
	close(p[1]);
	errno = 0;
	TEST_TRUE("closed", isatty(99) == 0 && errno == EBADF, "isatty of a closed descriptor: %s",
		  tst_errname(errno));
	fd = open("/dev/null", O_RDWR);
	TEST_TRUE("dev_null", isatty(fd) == 0, "/dev/null is not a terminal");
	close(fd);
	/* Run by the suite's runner, this process has no controlling terminal. */
	if (isatty(0) || isatty(1)) {
		tst_res(TCONF, "no_ctty", "run from a terminal: the case needs none");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		int t = open("/dev/tty", O_RDWR);
		_exit(t == -1 && errno == ENXIO ? 0 : 1);
	}
	int status = tst_wait(pid);
	TEST_TRUE("no_ctty", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "/dev/tty without a controlling terminal: ENXIO (%#x)", status);
}
