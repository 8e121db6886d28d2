/* symlink01: symlink(2)/readlink(2) and resolution through links. */
#include "tst.h"

void tst_run(void)
{
	char buf[256];
	struct stat st;
	tst_write_file("f", "F", 0644);
	TEST_OK("symlink", symlink("f", "l"));
	ssize_t n = readlink("l", buf, sizeof buf);
	TEST_TRUE("readlink", n == 1 && buf[0] == 'f', "readlink gives the text: %zd", n);
	TEST_ERR("readlink_zero", readlink("l", buf, 0), EINVAL);
	SAFE(symlink("a-long-target-name", "long"));
	n = readlink("long", buf, 4);
	TEST_TRUE("readlink_short_buffer", n == 4 && !memcmp(buf, "a-lo", 4),
		  "a short buffer gets the first bytes, no NUL: %zd", n);
	TEST_ERR("readlink_file", readlink("f", buf, sizeof buf), EINVAL);
	TEST_ERR("readlink_noent", readlink("missing", buf, sizeof buf), ENOENT);
	TEST_ERR("exists", symlink("f", "l"), EEXIST);
	TEST_OK("dangling", symlink("/no/such/place", "dangling"));
	TEST_ERR("dangling_open", open("dangling", O_RDONLY), ENOENT);
	int fd = open("dangling_creat", O_CREAT | O_WRONLY, 0644);
	close(fd);
	SAFE(symlink("made", "creates"));
	fd = open("creates", O_CREAT | O_WRONLY, 0644);
	TEST_TRUE("creat_through", fd >= 0 && stat("made", &st) == 0,
		  "O_CREAT through a dangling link creates its target");
	close(fd);
	SAFE(symlink("loop2", "loop1"));
	SAFE(symlink("loop1", "loop2"));
	TEST_ERR("loop", stat("loop1", &st), ELOOP);
	SAFE(mkdir("d", 0755));
	tst_write_file("d/in", "I", 0644);
	SAFE(symlink("d", "dl"));
	TEST_OK("through_dir", stat("dl/in", &st));
	SAFE(symlink("../f", "d/up"));
	tst_read_file("d/up", buf, sizeof buf);
	TEST_TRUE("relative_to_link", !strcmp(buf, "F"), "a relative target resolves from the link's directory");
	char abs[300];
	snprintf(abs, sizeof abs, "%s/f", tst_dir);
	SAFE(symlink(abs, "abs"));
	tst_read_file("abs", buf, sizeof buf);
	TEST_TRUE("absolute", !strcmp(buf, "F"), "an absolute target");
	int dir = open("d", O_RDONLY | O_DIRECTORY);
	TEST_OK("symlinkat", symlinkat("in", dir, "at"));
	n = readlinkat(dir, "at", buf, sizeof buf);
	TEST_TRUE("readlinkat", n == 2 && !memcmp(buf, "in", 2), "readlinkat: %zd", n);
	close(dir);
	TEST_ERR("empty_target", symlink("", "empty"), ENOENT);
	SAFE(lstat("l", &st));
	TEST_TRUE("mode", (st.st_mode & 0777) == 0777, "a link's mode is 0777: %o", (unsigned)st.st_mode);
}
