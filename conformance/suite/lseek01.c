/* lseek01: lseek(2) whence values, holes, SEEK_DATA/SEEK_HOLE, errors. */
#include "tst.h"

void tst_run(void)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	SAFE(write(fd, "0123456789", 10));
	TEST_TRUE("set", lseek(fd, 3, SEEK_SET) == 3, "SEEK_SET 3");
	TEST_TRUE("cur", lseek(fd, 2, SEEK_CUR) == 5, "SEEK_CUR +2 from 3");
	TEST_TRUE("end", lseek(fd, -1, SEEK_END) == 9, "SEEK_END -1");
	char c;
	TEST_TRUE("read_after", read(fd, &c, 1) == 1 && c == '9', "reads at the new offset: '%c'", c);
	TEST_ERR("negative", lseek(fd, -20, SEEK_SET), EINVAL);
	TEST_ERR("whence", lseek(fd, 0, 99), EINVAL);
	TEST_TRUE("past_end", lseek(fd, 100, SEEK_SET) == 100, "seeking past the end is allowed");
	SAFE(write(fd, "x", 1));
	struct stat st;
	SAFE(fstat(fd, &st));
	TEST_TRUE("hole_size", st.st_size == 101, "writing after the end extends to 101: %ld", (long)st.st_size);
	char b[90];
	SAFE(pread(fd, b, sizeof b, 10));
	int zeros = 1;
	for (size_t i = 0; i < sizeof b; i++)
		zeros &= b[i] == 0;
	TEST_TRUE("hole_zeros", zeros, "the gap reads as zeros");
#ifdef SEEK_DATA
	off_t data = lseek(fd, 0, SEEK_DATA);
	TEST_TRUE("seek_data", data == 0, "SEEK_DATA from 0 finds data at 0: %ld", (long)data);
	off_t hole = lseek(fd, 0, SEEK_HOLE);
	TEST_TRUE("seek_hole", hole > 0 && hole <= 101, "SEEK_HOLE finds a hole by the end: %ld", (long)hole);
	TEST_ERR("seek_data_eof", lseek(fd, 200, SEEK_DATA), ENXIO);
#else
	tst_res(TCONF, "seek_data", "the C library has no SEEK_DATA");
	tst_res(TCONF, "seek_hole", "the C library has no SEEK_HOLE");
	tst_res(TCONF, "seek_data_eof", "the C library has no SEEK_DATA");
#endif
	close(fd);
	TEST_ERR("closed", lseek(fd, 0, SEEK_SET), EBADF);
	int p[2];
	SAFE(pipe(p));
	TEST_ERR("pipe", lseek(p[0], 0, SEEK_CUR), ESPIPE);
	close(p[0]);
	close(p[1]);
}
