/* pipe01: pipe(2)/pipe2(2): data, end of file, EPIPE and SIGPIPE, flags. */
#include "tst.h"
#include <signal.h>
#include <sys/ioctl.h>

void tst_run(void)
{
	int p[2];
	TEST_OK("pipe", pipe(p));
	TEST_TRUE("write", write(p[1], "abc", 3) == 3, "3 bytes in");
	char b[8] = { 0 };
	TEST_TRUE("read", read(p[0], b, sizeof b) == 3 && !strcmp(b, "abc"), "3 bytes out: %s", b);
	TEST_ERR("wrong_end_read", read(p[1], b, 1), EBADF);
	TEST_ERR("wrong_end_write", write(p[0], "x", 1), EBADF);
	SAFE(write(p[1], "x", 1));
	close(p[1]);
	TEST_TRUE("drain_then_eof", read(p[0], b, 8) == 1 && read(p[0], b, 8) == 0,
		  "what was written is read, then end of file");
	close(p[0]);

	SAFE(pipe(p));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	TEST_ERR("epipe", write(p[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	pid_t pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	int status = tst_wait(pid);
	TEST_TRUE("sigpipe", WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
		  "a writer with no reader dies of SIGPIPE (status %#x)", status);
	close(p[1]);

	TEST_OK("pipe2", pipe2(p, O_CLOEXEC | O_NONBLOCK));
	TEST_TRUE("pipe2_cloexec", (fcntl(p[0], F_GETFD) & FD_CLOEXEC) && (fcntl(p[1], F_GETFD) & FD_CLOEXEC),
		  "both ends have FD_CLOEXEC");
	TEST_TRUE("pipe2_nonblock", fcntl(p[0], F_GETFL) & O_NONBLOCK, "and O_NONBLOCK");
	TEST_ERR("nonblock_read", read(p[0], b, 1), EAGAIN);
	static char chunk[4096];
	long total = 0;
	ssize_t n;
	/* Linux's pipes hold 64 KiB by default; 16 MiB without EAGAIN is no limit at all. */
	while (total < (16L << 20) && (n = write(p[1], chunk, sizeof chunk)) > 0)
		total += n;
	TEST_TRUE("nonblock_full", n == -1 && errno == EAGAIN && total >= 4096,
		  "a full pipe says EAGAIN after %ld bytes", total);
	int avail = -1;
	close(p[1]);
	close(p[0]);
	SAFE(pipe(p));
	SAFE(write(p[1], "12345", 5));
	TEST_TRUE("fionread", ioctl(p[0], FIONREAD, &avail) == 0 && avail == 5, "FIONREAD says 5: %d", avail);
	TEST_ERR("pipe2_flags", pipe2(p, 0x1234), EINVAL);
	struct stat st;
	SAFE(fstat(p[1], &st));
	TEST_TRUE("fifo", S_ISFIFO(st.st_mode), "fstat says FIFO");
	close(p[0]);
	close(p[1]);
}
