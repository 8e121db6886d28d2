/* chmod01: chmod(2)/fchmod(2)/fchmodat(2) and what modes then permit. */
#include "tst.h"

static unsigned mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_mode & 07777 : 0xffff;
}

void tst_run(void)
{
	tst_write_file("f", "x", 0644);
	TEST_OK("chmod", chmod("f", 0600));
	TEST_TRUE("chmod_mode", mode_of("f") == 0600, "mode 0600: %04o", mode_of("f"));
	int fd = open("f", O_RDONLY);
	TEST_OK("fchmod", fchmod(fd, 0751));
	TEST_TRUE("fchmod_mode", mode_of("f") == 0751, "mode 0751: %04o", mode_of("f"));
	close(fd);
	TEST_OK("fchmodat", fchmodat(AT_FDCWD, "f", 0444, 0));
	TEST_TRUE("fchmodat_mode", mode_of("f") == 0444, "mode 0444: %04o", mode_of("f"));
	SAFE(symlink("f", "l"));
	TEST_OK("follows", chmod("l", 0640));
	TEST_TRUE("follows_mode", mode_of("f") == 0640, "the target changed: %04o", mode_of("f"));
	TEST_OK("sticky", chmod("f", 01755));
	TEST_TRUE("sticky_mode", mode_of("f") == 01755, "mode 01755: %04o", mode_of("f"));
	TEST_ERR("noent", chmod("missing", 0644), ENOENT);
	TEST_ERR("closed", fchmod(-1, 0644), EBADF);
	if (geteuid() == 0) {
		tst_res(TCONF, "denied_read", "root reads anything");
		tst_res(TCONF, "not_owner", "root may change any mode");
		return;
	}
	SAFE(chmod("f", 0200));
	TEST_ERR("denied_read", open("f", O_RDONLY), EACCES);
	TEST_ERR("not_owner", chmod("/", 0777), EPERM);
}
