/* pread01: pread(2)/pwrite(2) leave the offset alone; errors. */
#include "tst.h"

void tst_run(void)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	SAFE(write(fd, "abcdefgh", 8));
	SAFE(lseek(fd, 1, SEEK_SET));
	char b[8] = { 0 };
	TEST_TRUE("pread", pread(fd, b, 3, 4) == 3 && !memcmp(b, "efg", 3), "pread at 4: '%.3s'", b);
	TEST_TRUE("pread_offset", lseek(fd, 0, SEEK_CUR) == 1, "the offset stays at 1");
	TEST_TRUE("pwrite", pwrite(fd, "XY", 2, 6) == 2, "pwrite at 6");
	SAFE(pread(fd, b, 8, 0));
	TEST_TRUE("pwrite_content", !memcmp(b, "abcdefXY", 8), "content '%.8s'", b);
	TEST_TRUE("pwrite_offset", lseek(fd, 0, SEEK_CUR) == 1, "the offset stays at 1");
	TEST_TRUE("pread_eof", pread(fd, b, 4, 100) == 0, "pread past the end returns 0");
	TEST_TRUE("pwrite_extend", pwrite(fd, "Z", 1, 20) == 1, "pwrite past the end");
	struct stat st;
	SAFE(fstat(fd, &st));
	TEST_TRUE("pwrite_size", st.st_size == 21, "size 21: %ld", (long)st.st_size);
	TEST_ERR("negative", pread(fd, b, 1, -1), EINVAL);
	close(fd);
	int p[2];
	SAFE(pipe(p));
	/* With a byte waiting, a pread that wrongly reads returns instead of blocking. */
	SAFE(write(p[1], "x", 1));
	TEST_ERR("pipe_pread", pread(p[0], b, 1, 0), ESPIPE);
	TEST_ERR("pipe_pwrite", pwrite(p[1], b, 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
	TEST_ERR("closed", pread(fd, b, 1, 0), EBADF);
}
