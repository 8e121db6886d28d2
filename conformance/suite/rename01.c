/* rename01: rename(2)/renameat(2) of files and directories, replacement, errors. */
#include "tst.h"

static int content_is(const char *path, const char *want)
{
	char buf[64];
	return tst_read_file(path, buf, sizeof buf) >= 0 && !strcmp(buf, want);
}

void tst_run(void)
{
	struct stat st, st2;
	tst_write_file("a", "A", 0644);
	SAFE(stat("a", &st));
	TEST_OK("file", rename("a", "b"));
	TEST_TRUE("file_moved", stat("a", &st2) == -1 && errno == ENOENT && stat("b", &st2) == 0 &&
		  st2.st_ino == st.st_ino, "the same inode under the new name");
	tst_write_file("c", "C", 0644);
	TEST_OK("replace", rename("b", "c"));
	TEST_TRUE("replace_content", content_is("c", "A"), "the target was replaced");
	int fd = open("c", O_RDONLY);
	tst_write_file("d", "D", 0644);
	SAFE(rename("d", "c"));
	char ch = 0;
	TEST_TRUE("replaced_open", read(fd, &ch, 1) == 1 && ch == 'A', "an open replaced file keeps its data");
	close(fd);
	SAFE(mkdir("dir", 0755));
	tst_write_file("dir/in", "I", 0644);
	TEST_OK("dir", rename("dir", "dir2"));
	TEST_TRUE("dir_content", content_is("dir2/in", "I"), "the directory moved with its content");
	SAFE(mkdir("empty", 0755));
	TEST_OK("dir_over_empty", rename("dir2", "empty"));
	TEST_TRUE("dir_over_empty_content", content_is("empty/in", "I"), "it replaced the empty directory");
	SAFE(mkdir("full", 0755));
	tst_write_file("full/x", "", 0644);
	SAFE(mkdir("other", 0755));
	errno = 0;
	int r = rename("other", "full");
	TEST_TRUE("dir_over_full", r == -1 && (errno == ENOTEMPTY || errno == EEXIST),
		  "a directory over a non-empty one: %s", tst_errname(errno));
	TEST_ERR("file_over_dir", rename("c", "other"), EISDIR);
	TEST_ERR("dir_over_file", rename("other", "c"), ENOTDIR);
	TEST_ERR("into_itself", rename("full", "full/sub"), EINVAL);
	TEST_ERR("noent", rename("missing", "x"), ENOENT);
	TEST_ERR("noent_target_dir", rename("c", "none/c"), ENOENT);
	TEST_OK("same", rename("c", "c"));
	SAFE(link("c", "hard"));
	TEST_OK("hard_links", rename("c", "hard"));
	TEST_TRUE("hard_links_both", stat("c", &st) == 0 && stat("hard", &st2) == 0,
		  "renaming onto another link of the same file does nothing");
	int dir = open("full", O_RDONLY | O_DIRECTORY);
	TEST_OK("renameat", renameat(AT_FDCWD, "hard", dir, "moved"));
	close(dir);
	TEST_TRUE("renameat_where", stat("full/moved", &st) == 0, "renameat into a directory descriptor");
	SAFE(symlink("c", "sl"));
	TEST_OK("symlink", rename("sl", "sl2"));
	TEST_TRUE("symlink_itself", lstat("sl2", &st) == 0 && S_ISLNK(st.st_mode) && stat("c", &st2) == 0,
		  "the link itself moved, not its target");
	SAFE(stat("full", &st));
	nlink_t before = st.st_nlink;
	SAFE(mkdir("sub", 0755));
	SAFE(rename("sub", "full/sub"));
	SAFE(stat("full", &st));
	TEST_TRUE("parent_links", st.st_nlink == before + 1, "the new parent gains a link: %ld -> %ld",
		  (long)before, (long)st.st_nlink);
	char cwd[512];
	SAFE(chdir("full/sub"));
	SAFE(rename("../../full", "../../renamed"));
	TEST_TRUE("cwd_follows", getcwd(cwd, sizeof cwd) && strstr(cwd, "/renamed/sub"),
		  "the working directory follows a renamed parent: %s", cwd);
	SAFE(chdir(tst_dir));
}
