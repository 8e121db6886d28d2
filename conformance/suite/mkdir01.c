/* mkdir01: mkdir(2)/mkdirat(2). */
#include "tst.h"

void tst_run(void)
{
	struct stat st;
	umask(022);
	TEST_OK("mkdir", mkdir("d", 0777));
	SAFE(stat("d", &st));
	TEST_TRUE("mode", S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755, "a directory, 0755: %o",
		  (unsigned)st.st_mode);
	TEST_TRUE("links", st.st_nlink == 2, "a new directory has 2 links: %ld", (long)st.st_nlink);
	TEST_OK("nested", mkdir("d/e", 0700));
	SAFE(stat("d", &st));
	TEST_TRUE("parent_links", st.st_nlink == 3, "the parent gains a link: %ld", (long)st.st_nlink);
	TEST_ERR("exists", mkdir("d", 0755), EEXIST);
	tst_write_file("f", "", 0644);
	TEST_ERR("exists_file", mkdir("f", 0755), EEXIST);
	TEST_ERR("noent", mkdir("none/x", 0755), ENOENT);
	TEST_ERR("notdir", mkdir("f/x", 0755), ENOTDIR);
	TEST_OK("trailing_slash", mkdir("t/", 0755));
	int dir = open("d", O_RDONLY | O_DIRECTORY);
	TEST_OK("mkdirat", mkdirat(dir, "at", 0755));
	close(dir);
	TEST_OK("mkdirat_where", stat("d/at", &st));
	SAFE(symlink("d", "l"));
	TEST_ERR("symlink_exists", mkdir("l", 0755), EEXIST);
	TEST_ERR("empty", mkdir("", 0755), ENOENT);
}
