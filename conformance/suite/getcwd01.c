/* getcwd01: getcwd(3)/chdir(2)/fchdir(2). */
#include "tst.h"

void tst_run(void)
{
	char buf[512], want[512];
	TEST_TRUE("initial", getcwd(buf, sizeof buf) && !strcmp(buf, tst_dir), "getcwd: %s", buf);
	SAFE(mkdir("a", 0755));
	SAFE(mkdir("a/b", 0755));
	TEST_OK("chdir", chdir("a/b"));
	snprintf(want, sizeof want, "%s/a/b", tst_dir);
	TEST_TRUE("after_chdir", getcwd(buf, sizeof buf) && !strcmp(buf, want), "getcwd: %s", buf);
	TEST_OK("dotdot", chdir(".."));
	snprintf(want, sizeof want, "%s/a", tst_dir);
	TEST_TRUE("after_dotdot", getcwd(buf, sizeof buf) && !strcmp(buf, want), "getcwd: %s", buf);
	TEST_TRUE("erange", getcwd(buf, 2) == NULL && errno == ERANGE, "a short buffer: %s",
		  tst_errname(errno));
	TEST_ERR("noent", chdir("missing"), ENOENT);
	tst_write_file("file", "", 0644);
	TEST_ERR("notdir", chdir("file"), ENOTDIR);
	int fd = open(tst_dir, O_RDONLY | O_DIRECTORY);
	TEST_OK("fchdir", fchdir(fd));
	TEST_TRUE("after_fchdir", getcwd(buf, sizeof buf) && !strcmp(buf, tst_dir), "getcwd: %s", buf);
	close(fd);
	fd = open("a/file-not", O_CREAT | O_RDONLY, 0644);
	TEST_ERR("fchdir_file", fchdir(fd), ENOTDIR);
	close(fd);
	TEST_ERR("fchdir_closed", fchdir(fd), EBADF);
	SAFE(symlink("a/b", "link"));
	SAFE(chdir("link"));
	snprintf(want, sizeof want, "%s/a/b", tst_dir);
	TEST_TRUE("symlink_resolved", getcwd(buf, sizeof buf) && !strcmp(buf, want),
		  "getcwd after chdir through a link is physical: %s", buf);
	SAFE(chdir("/"));
	TEST_TRUE("root", getcwd(buf, sizeof buf) && !strcmp(buf, "/"), "getcwd at /: %s", buf);
	SAFE(chdir(tst_dir));
	pid_t pid = fork();
	if (pid == 0)
		_exit(chdir("a") == 0 ? 0 : 1);
	tst_wait(pid);
	TEST_TRUE("per_process", getcwd(buf, sizeof buf) && !strcmp(buf, tst_dir),
		  "a child's chdir leaves the parent's directory: %s", buf);
}
