/* unlink01: unlink(2)/unlinkat(2); open files outlive their names. */
#include "tst.h"

void tst_run(void)
{
	struct stat st;
	tst_write_file("f", "data", 0644);
	int fd = open("f", O_RDWR);
	TEST_OK("unlink", unlink("f"));
	TEST_ERR("gone", stat("f", &st), ENOENT);
	char buf[8] = { 0 };
	TEST_TRUE("open_survives", read(fd, buf, 4) == 4 && !strcmp(buf, "data"), "the open file still reads");
	TEST_TRUE("open_writes", write(fd, "more", 4) == 4, "and writes");
	SAFE(fstat(fd, &st));
	TEST_TRUE("open_nlink", st.st_nlink == 0 && st.st_size == 8, "fstat: %ld links, size %ld",
		  (long)st.st_nlink, (long)st.st_size);
	close(fd);
	TEST_ERR("noent", unlink("f"), ENOENT);
	SAFE(mkdir("d", 0755));
	errno = 0;
	int r = unlink("d");
	TEST_TRUE("dir", r == -1 && errno == EISDIR, "unlink of a directory: %s (Linux says EISDIR)",
		  tst_errname(errno));
	tst_write_file("g", "", 0644);
	TEST_ERR("notdir", unlink("g/x"), ENOTDIR);
	SAFE(symlink("g", "l"));
	TEST_OK("symlink", unlink("l"));
	TEST_TRUE("symlink_target", stat("g", &st) == 0, "the link went, not its target");
	int dir = open("d", O_RDONLY | O_DIRECTORY);
	tst_write_file("d/x", "", 0644);
	TEST_OK("unlinkat", unlinkat(dir, "x", 0));
	close(dir);
	TEST_ERR("bad_flag", unlinkat(AT_FDCWD, "g", 0x1234), EINVAL);
	if (geteuid() == 0) {
		tst_res(TCONF, "dir_not_writable", "root writes anything");
		return;
	}
	tst_write_file("d/y", "", 0644);
	SAFE(chmod("d", 0555));
	TEST_ERR("dir_not_writable", unlink("d/y"), EACCES);
	SAFE(chmod("d", 0755));
}
