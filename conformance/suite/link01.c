/* link01: link(2)/linkat(2). */
#include "tst.h"

void tst_run(void)
{
	struct stat st, st2;
	tst_write_file("f", "F", 0644);
	TEST_OK("link", link("f", "g"));
	SAFE(stat("f", &st));
	SAFE(stat("g", &st2));
	TEST_TRUE("same_inode", st.st_ino == st2.st_ino, "both names are one inode");
	TEST_TRUE("nlink", st.st_nlink == 2, "two links: %ld", (long)st.st_nlink);
	int fd = open("g", O_WRONLY | O_APPEND);
	SAFE(write(fd, "G", 1));
	close(fd);
	char buf[8];
	tst_read_file("f", buf, sizeof buf);
	TEST_TRUE("shared_data", !strcmp(buf, "FG"), "a write through one name shows through the other: %s", buf);
	SAFE(unlink("f"));
	SAFE(stat("g", &st2));
	TEST_TRUE("survives_unlink", st2.st_nlink == 1, "the other name lives on with one link");
	TEST_ERR("exists", link("g", "g"), EEXIST);
	TEST_ERR("noent", link("missing", "x"), ENOENT);
	SAFE(mkdir("d", 0755));
	TEST_ERR("dir", link("d", "d2"), EPERM);
	TEST_ERR("notdir", link("g", "g/x"), ENOTDIR);
	TEST_OK("linkat", linkat(AT_FDCWD, "g", AT_FDCWD, "d/h", 0));
	SAFE(symlink("g", "sl"));
	TEST_OK("linkat_nofollow", linkat(AT_FDCWD, "sl", AT_FDCWD, "sl2", 0));
	SAFE(lstat("sl2", &st));
	TEST_TRUE("linkat_nofollow_link", S_ISLNK(st.st_mode), "without AT_SYMLINK_FOLLOW the link is linked");
	TEST_OK("linkat_follow", linkat(AT_FDCWD, "sl", AT_FDCWD, "g2", AT_SYMLINK_FOLLOW));
	SAFE(lstat("g2", &st));
	TEST_TRUE("linkat_follow_target", S_ISREG(st.st_mode), "AT_SYMLINK_FOLLOW links the target");
}
