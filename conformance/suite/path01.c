/* path01: path resolution limits and cross-device errors: ENAMETOOLONG, ELOOP, EXDEV. */
#include "tst.h"
#include <limits.h>

void tst_run(void)
{
	struct stat st;
	char name[NAME_MAX + 2];
	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = 0;
	int fd = open(name, O_CREAT | O_WRONLY, 0644);
	TEST_TRUE("name_max", fd >= 0, "a %d-byte name is allowed: %s", NAME_MAX,
		  fd >= 0 ? "ok" : tst_errname(errno));
	close(fd);
	name[NAME_MAX] = 'n';
	name[NAME_MAX + 1] = 0;
	TEST_ERR("name_too_long", open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	TEST_ERR("name_too_long_stat", stat(name, &st), ENAMETOOLONG);
	static char path[PATH_MAX + 16];
	size_t len = 0;
	while (len < PATH_MAX + 8) {
		memcpy(path + len, "./", 2);
		len += 2;
	}
	path[len++] = 'x';
	path[len] = 0;
	TEST_ERR("path_too_long", stat(path, &st), ENAMETOOLONG);
	/* A chain of 50 links exceeds Linux's 40 follows. */
	char a[16], b[16];
	tst_write_file("l0", "", 0644);
	for (int i = 1; i <= 50; i++) {
		snprintf(a, sizeof a, "l%d", i - 1);
		snprintf(b, sizeof b, "l%d", i);
		SAFE(symlink(a, b));
	}
	TEST_OK("chain_short", stat("l20", &st));
	TEST_ERR("chain_long", stat("l50", &st), ELOOP);
	SAFE(symlink("self", "self"));
	TEST_ERR("self_loop", open("self", O_RDONLY), ELOOP);
	SAFE(mkdir("d", 0755));
	SAFE(symlink("../d", "d/up"));
	TEST_ERR("dir_loop_component", stat("d/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/up/x", &st), ELOOP);
	tst_write_file("f", "F", 0644);
	/* /proc is another filesystem everywhere this runs. */
	TEST_ERR("exdev_link", link("/proc/self/status", "status"), EXDEV);
	errno = 0;
	int r = rename("f", "/proc/f");
	TEST_TRUE("exdev_rename", r == -1 && (errno == EXDEV || errno == EACCES || errno == ENOENT),
		  "rename onto /proc is refused: %s", tst_errname(errno));
	TEST_TRUE("exdev_rename_kept", stat("f", &st) == 0, "and the file stays");
}
