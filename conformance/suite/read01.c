/* read01: read(2): counts, end of file, short reads, errors. */
#include "tst.h"

void tst_run(void)
{
	tst_write_file("f", "0123456789", 0644);
	int fd = open("f", O_RDONLY);
	char b[32] = { 0 };
	TEST_TRUE("count", read(fd, b, 4) == 4 && !memcmp(b, "0123", 4), "read 4 bytes: '%.4s'", b);
	TEST_TRUE("advances", read(fd, b, 2) == 2 && !memcmp(b, "45", 2), "the offset advanced: '%.2s'", b);
	ssize_t n = read(fd, b, sizeof b);
	TEST_TRUE("short", n == 4, "a read past the end is short: %zd", n);
	n = read(fd, b, sizeof b);
	TEST_TRUE("eof", n == 0, "a read at the end returns 0: %zd", n);
	TEST_TRUE("zero_count", read(fd, b, 0) == 0, "a read of 0 bytes returns 0");
	close(fd);
	TEST_ERR("closed", read(fd, b, 1), EBADF);
	TEST_ERR("negative_fd", read(-1, b, 1), EBADF);
	SAFE(mkdir("d", 0755));
	fd = open("d", O_RDONLY);
	TEST_ERR("directory", read(fd, b, 1), EISDIR);
	close(fd);
	int p[2];
	SAFE(pipe(p));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	TEST_ERR("nonblock_empty", read(p[0], b, 1), EAGAIN);
	close(p[0]);
	close(p[1]);
}
