/* write01: write(2): counts, growth, errors, /dev/full. */
#include "tst.h"

void tst_run(void)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	struct stat st;
	TEST_TRUE("count", write(fd, "abcdef", 6) == 6, "write returns the count");
	SAFE(fstat(fd, &st));
	TEST_TRUE("grows", st.st_size == 6, "the file grew to 6: %ld", (long)st.st_size);
	TEST_TRUE("zero_count", write(fd, "x", 0) == 0, "a write of 0 bytes returns 0");
	SAFE(lseek(fd, 2, SEEK_SET));
	SAFE(write(fd, "XY", 2));
	char b[16];
	SAFE(pread(fd, b, 6, 0));
	TEST_TRUE("overwrite", !memcmp(b, "abXYef", 6), "a write in the middle overwrites: '%.6s'", b);
	SAFE(fstat(fd, &st));
	TEST_TRUE("no_growth", st.st_size == 6, "overwriting keeps the size: %ld", (long)st.st_size);
	close(fd);
	TEST_ERR("closed", write(fd, "x", 1), EBADF);
	fd = open("/dev/full", O_WRONLY);
	if (fd < 0)
		tst_res(TFAIL, "dev_full", "open /dev/full: %s", tst_errname(errno));
	else
		TEST_ERR("dev_full", write(fd, "x", 1), ENOSPC);
	close(fd);
	/* A large write lands whole. */
	static char big[1 << 20];
	memset(big, 'z', sizeof big);
	fd = open("big", O_CREAT | O_WRONLY, 0644);
	ssize_t total = 0, n;
	while (total < (ssize_t)sizeof big && (n = write(fd, big + total, sizeof big - total)) > 0)
		total += n;
	close(fd);
	SAFE(stat("big", &st));
	TEST_TRUE("large", st.st_size == sizeof big, "1 MiB written: size %ld", (long)st.st_size);
}
