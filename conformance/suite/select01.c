/* select01: select(2) readiness and timeouts. */
#include "tst.h"
#include <sys/select.h>
#include <sys/time.h>

void tst_run(void)
{
	int p[2];
	SAFE(pipe(p));
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = { 0, 0 };
	int n = select(p[1] + 1, &r, &w, NULL, &tv);
	TEST_TRUE("writable", n == 1 && !FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w),
		  "an empty pipe: the write end only (%d)", n);
	SAFE(write(p[1], "x", 1));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 0 };
	n = select(p[0] + 1, &r, NULL, NULL, &tv);
	TEST_TRUE("readable", n == 1 && FD_ISSET(p[0], &r), "data makes it readable (%d)", n);
	char c;
	SAFE(read(p[0], &c, 1));
	struct timeval start, end;
	gettimeofday(&start, NULL);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 200000 };
	n = select(p[0] + 1, &r, NULL, NULL, &tv);
	gettimeofday(&end, NULL);
	long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_usec - start.tv_usec) / 1000;
	TEST_TRUE("timeout", n == 0 && !FD_ISSET(p[0], &r) && ms >= 190, "timed out after %ld ms of 200", ms);
	gettimeofday(&start, NULL);
	tv = (struct timeval){ 0, 100000 };
	n = select(0, NULL, NULL, NULL, &tv);
	gettimeofday(&end, NULL);
	ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_usec - start.tv_usec) / 1000;
	TEST_TRUE("sleep", n == 0 && ms >= 90, "select with no descriptors sleeps: %ld ms of 100", ms);
	close(p[1]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 1, 0 };
	n = select(p[0] + 1, &r, NULL, NULL, &tv);
	TEST_TRUE("eof_readable", n == 1 && FD_ISSET(p[0], &r), "end of file counts as readable");
	close(p[0]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 0 };
	TEST_ERR("closed", select(p[0] + 1, &r, NULL, NULL, &tv), EBADF);
	tv = (struct timeval){ 0, -1 };
	TEST_ERR("bad_timeout", select(0, NULL, NULL, NULL, &tv), EINVAL);
}
