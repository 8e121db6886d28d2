/* dev01: /dev/null, /dev/zero, /dev/full, /dev/urandom, /dev/fd. */
#include "tst.h"

void tst_run(void)
{
	char buf[64];
	struct stat st;
	int fd = open("/dev/null", O_RDWR);
	TEST_TRUE("null_open", fd >= 0, "/dev/null opens");
	TEST_TRUE("null_read", read(fd, buf, sizeof buf) == 0, "reads end of file");
	TEST_TRUE("null_write", write(fd, "abc", 3) == 3, "swallows writes");
	SAFE(fstat(fd, &st));
	TEST_TRUE("null_chr", S_ISCHR(st.st_mode), "is a character device");
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof buf);
	int zeros = read(fd, buf, sizeof buf) == sizeof buf;
	for (size_t i = 0; i < sizeof buf; i++)
		zeros &= buf[i] == 0;
	TEST_TRUE("zero", zeros, "/dev/zero reads zeros");
	close(fd);
	fd = open("/dev/full", O_RDWR);
	TEST_ERR("full_write", write(fd, "x", 1), ENOSPC);
	TEST_TRUE("full_read", read(fd, buf, 8) == 8 && buf[0] == 0, "/dev/full reads zeros");
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	char r1[32], r2[32];
	TEST_TRUE("urandom", read(fd, r1, 32) == 32 && read(fd, r2, 32) == 32 && memcmp(r1, r2, 32),
		  "/dev/urandom gives different bytes each time");
	close(fd);
	tst_write_file("f", "content", 0644);
	fd = open("f", O_RDONLY);
	char path[32];
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	int again = open(path, O_RDONLY);
	TEST_TRUE("dev_fd", again >= 0 && read(again, buf, 7) == 7 && !memcmp(buf, "content", 7),
		  "%s reopens the file", path);
	close(again);
	close(fd);
	TEST_TRUE("stdin_link", lstat("/dev/stdin", &st) == 0, "/dev/stdin exists");
	TEST_ERR("no_device", open("/dev/no-such-device", O_RDONLY), ENOENT);
	if (geteuid() != 0)
		TEST_ERR("dev_not_writable", open("/dev/new-file", O_CREAT | O_WRONLY, 0644), EACCES);
	else
		tst_res(TCONF, "dev_not_writable", "root may create in /dev");
}
