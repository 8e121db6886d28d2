/* poll01: poll(2) readiness, hang-up, invalid descriptors, timeouts. */
#include "tst.h"
#include <poll.h>
#include <time.h>

static long elapsed_ms(struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

void tst_run(void)
{
	int p[2];
	SAFE(pipe(p));
	struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	int n = poll(fds, 2, 0);
	TEST_TRUE("writable", n == 1 && fds[1].revents == POLLOUT && fds[0].revents == 0,
		  "an empty pipe: only the write end is ready (%d, %#x %#x)", n, fds[0].revents, fds[1].revents);
	SAFE(write(p[1], "x", 1));
	n = poll(fds, 1, 0);
	TEST_TRUE("readable", n == 1 && (fds[0].revents & POLLIN), "data makes it readable (%#x)", fds[0].revents);
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	char c;
	SAFE(read(p[0], &c, 1));
	n = poll(fds, 1, 200);
	long ms = elapsed_ms(&start);
	TEST_TRUE("timeout", n == 0 && ms >= 190, "nothing to read: 0 after %ld ms of 200", ms);
	clock_gettime(CLOCK_MONOTONIC, &start);
	n = poll(fds, 1, 0);
	TEST_TRUE("zero_timeout", n == 0 && elapsed_ms(&start) < 1000, "timeout 0 returns at once");
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		write(p[1], "y", 1);
		_exit(0);
	}
	n = poll(fds, 1, 5000);
	TEST_TRUE("wakes", n == 1 && (fds[0].revents & POLLIN), "a write by another process wakes it");
	tst_wait(pid);
	SAFE(read(p[0], &c, 1));
	close(p[1]);
	n = poll(fds, 1, 1000);
	TEST_TRUE("hangup", n == 1 && (fds[0].revents & POLLHUP), "a closed writer gives POLLHUP (%#x)",
		  fds[0].revents);
	close(p[0]);
	struct pollfd bad = { p[0], POLLIN, 0 };
	n = poll(&bad, 1, 0);
	TEST_TRUE("nval", n == 1 && bad.revents == POLLNVAL, "a closed descriptor gives POLLNVAL (%#x)",
		  bad.revents);
	struct pollfd neg = { -1, POLLIN, 123 };
	n = poll(&neg, 1, 0);
	TEST_TRUE("negative_ignored", n == 0 && neg.revents == 0, "a negative descriptor is ignored");
	tst_write_file("f", "data", 0644);
	int fd = open("f", O_RDONLY);
	struct pollfd file = { fd, POLLIN | POLLOUT, 0 };
	n = poll(&file, 1, 0);
	TEST_TRUE("regular_file", n == 1 && (file.revents & POLLIN), "a regular file is always ready (%#x)",
		  file.revents);
	close(fd);
}
