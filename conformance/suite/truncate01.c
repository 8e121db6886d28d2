/* truncate01: truncate(2)/ftruncate(2): shrink, extend with zeros, errors. */
#include "tst.h"

void tst_run(void)
{
	tst_write_file("f", "0123456789", 0644);
	struct stat st;
	TEST_OK("shrink", truncate("f", 4));
	SAFE(stat("f", &st));
	TEST_TRUE("shrink_size", st.st_size == 4, "size 4: %ld", (long)st.st_size);
	TEST_OK("extend", truncate("f", 4096));
	char b[4096];
	int fd = open("f", O_RDWR);
	ssize_t n = read(fd, b, sizeof b);
	int zeros = n == 4096 && !memcmp(b, "0123", 4);
	for (int i = 4; zeros && i < 4096; i++)
		zeros = b[i] == 0;
	TEST_TRUE("extend_zeros", zeros, "the extension reads as zeros (%zd bytes)", n);
	TEST_OK("ftruncate", ftruncate(fd, 2));
	SAFE(fstat(fd, &st));
	TEST_TRUE("ftruncate_size", st.st_size == 2, "size 2: %ld", (long)st.st_size);
	TEST_TRUE("offset_kept", lseek(fd, 0, SEEK_CUR) == 4096, "the offset is not moved");
	TEST_ERR("negative", ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = open("f", O_RDONLY);
	TEST_ERR("rdonly", ftruncate(fd, 0), EINVAL);
	close(fd);
	TEST_ERR("noent", truncate("missing", 0), ENOENT);
	SAFE(mkdir("d", 0755));
	TEST_ERR("directory", truncate("d", 0), EISDIR);
	TEST_ERR("closed", ftruncate(fd, 0), EBADF);
}
