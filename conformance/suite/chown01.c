/* chown01: chown(2)/fchown(2)/lchown(2) as an unprivileged owner. */
#include "tst.h"

void tst_run(void)
{
	struct stat st;
	tst_write_file("f", "x", 0644);
	TEST_OK("unchanged", chown("f", -1, -1));
	TEST_OK("own_ids", chown("f", geteuid(), getegid()));
	SAFE(stat("f", &st));
	TEST_TRUE("own_ids_kept", st.st_uid == geteuid() && st.st_gid == getegid(), "owner %d:%d",
		  (int)st.st_uid, (int)st.st_gid);
	int fd = open("f", O_RDONLY);
	TEST_OK("fchown", fchown(fd, -1, getegid()));
	close(fd);
	SAFE(symlink("f", "l"));
	TEST_OK("lchown", lchown("l", -1, -1));
	TEST_ERR("noent", chown("missing", -1, -1), ENOENT);
	TEST_ERR("closed", fchown(-1, -1, -1), EBADF);
	if (geteuid() == 0) {
		tst_res(TCONF, "give_away", "root may give files away");
		tst_res(TCONF, "setuid_cleared", "runs as root");
		return;
	}
	TEST_ERR("give_away", chown("f", geteuid() + 1, -1), EPERM);
	SAFE(chmod("f", 04755));
	SAFE(chown("f", -1, getegid()));
	SAFE(stat("f", &st));
	TEST_TRUE("setuid_cleared", !(st.st_mode & S_ISUID), "chown clears set-user-ID: %04o",
		  (unsigned)(st.st_mode & 07777));
}
