/* readv01: readv(2)/writev(2) gather and scatter. */
#include "tst.h"
#include <sys/uio.h>
#include <limits.h>

void tst_run(void)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cdef", 4 } };
	TEST_TRUE("writev", writev(fd, out, 3) == 6, "writev of 2+0+4 bytes");
	char b[8] = { 0 };
	SAFE(pread(fd, b, 6, 0));
	TEST_TRUE("writev_order", !memcmp(b, "abcdef", 6), "in order: '%.6s'", b);
	char x[3] = { 0 }, y[5] = { 0 };
	struct iovec in[2] = { { x, 3 }, { y, 5 } };
	SAFE(lseek(fd, 0, SEEK_SET));
	ssize_t n = readv(fd, in, 2);
	TEST_TRUE("readv", n == 6, "readv returns 6: %zd", n);
	TEST_TRUE("readv_scatter", !memcmp(x, "abc", 3) && !memcmp(y, "def", 3),
		  "scattered: '%.3s' '%.3s'", x, y);
	TEST_TRUE("readv_zero", readv(fd, in, 0) == 0, "iovcnt 0 reads nothing");
	TEST_ERR("negative_count", readv(fd, in, -1), EINVAL);
	close(fd);
	TEST_ERR("closed", writev(fd, out, 3), EBADF);
	int p[2];
	SAFE(pipe(p));
	struct iovec many[16];
	for (int i = 0; i < 16; i++)
		many[i] = (struct iovec){ "0123456789abcdef" + i, 1 };
	TEST_TRUE("pipe_writev", writev(p[1], many, 16) == 16, "writev of 16 vectors to a pipe");
	char r[17] = { 0 };
	TEST_TRUE("pipe_readv", read(p[0], r, 16) == 16 && !strcmp(r, "0123456789abcdef"), "'%s'", r);
	close(p[0]);
	close(p[1]);
}
