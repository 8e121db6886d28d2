/* rmdir01: rmdir(2) and unlinkat(AT_REMOVEDIR). */
#include "tst.h"

void tst_run(void)
{
	struct stat st;
	SAFE(mkdir("d", 0755));
	TEST_OK("empty", rmdir("d"));
	TEST_ERR("gone", stat("d", &st), ENOENT);
	SAFE(mkdir("d", 0755));
	tst_write_file("d/f", "", 0644);
	TEST_ERR("notempty", rmdir("d"), ENOTEMPTY);
	TEST_ERR("noent", rmdir("missing"), ENOENT);
	TEST_ERR("notdir", rmdir("d/f"), ENOTDIR);
	TEST_ERR("dot", rmdir("d/."), EINVAL);
	SAFE(unlink("d/f"));
	TEST_OK("emptied", rmdir("d"));
	SAFE(mkdir("e", 0755));
	TEST_OK("removedir", unlinkat(AT_FDCWD, "e", AT_REMOVEDIR));
	SAFE(mkdir("e", 0755));
	TEST_ERR("unlink_dir", unlinkat(AT_FDCWD, "e", 0), EISDIR);
	SAFE(symlink("e", "l"));
	TEST_ERR("symlink", rmdir("l"), ENOTDIR);
	SAFE(mkdir("e/sub", 0755));
	SAFE(chdir("e/sub"));
	TEST_OK("cwd_removed", rmdir("../sub"));
	char buf[256];
	TEST_TRUE("cwd_gone", getcwd(buf, sizeof buf) == NULL && errno == ENOENT,
		  "getcwd in a removed directory: %s", tst_errname(errno));
	SAFE(chdir(tst_dir));
}
