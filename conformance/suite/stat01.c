/* stat01: stat(2)/lstat(2)/fstat(2)/fstatat(2). */
#include "tst.h"

void tst_run(void)
{
	struct stat st, st2;
	tst_write_file("f", "12345", 0640);
	TEST_OK("stat", stat("f", &st));
	TEST_TRUE("size", st.st_size == 5, "size 5: %ld", (long)st.st_size);
	TEST_TRUE("mode", S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640, "regular, 0640: %o",
		  (unsigned)st.st_mode);
	TEST_TRUE("nlink", st.st_nlink == 1, "one link: %ld", (long)st.st_nlink);
	TEST_TRUE("owner", st.st_uid == geteuid() && st.st_gid == getegid(), "owned by the caller: %d:%d",
		  (int)st.st_uid, (int)st.st_gid);
	TEST_TRUE("blksize", st.st_blksize > 0, "st_blksize %ld", (long)st.st_blksize);
	int fd = open("f", O_RDONLY);
	TEST_OK("fstat", fstat(fd, &st2));
	TEST_TRUE("fstat_same", st2.st_ino == st.st_ino && st2.st_dev == st.st_dev, "same inode as stat");
	close(fd);
	SAFE(symlink("f", "l"));
	SAFE(lstat("l", &st2));
	TEST_TRUE("lstat_link", S_ISLNK(st2.st_mode) && st2.st_size == 1, "lstat sees the link (size %ld)",
		  (long)st2.st_size);
	SAFE(stat("l", &st2));
	TEST_TRUE("stat_follows", st2.st_ino == st.st_ino, "stat follows the link");
	SAFE(fstatat(AT_FDCWD, "l", &st2, AT_SYMLINK_NOFOLLOW));
	TEST_TRUE("fstatat_nofollow", S_ISLNK(st2.st_mode), "fstatat AT_SYMLINK_NOFOLLOW");
	SAFE(mkdir("d", 0755));
	int dir = open("d", O_RDONLY | O_DIRECTORY);
	SAFE(symlink("../f", "d/up"));
	TEST_OK("fstatat_dirfd", fstatat(dir, "up", &st2, 0));
	TEST_TRUE("fstatat_target", st2.st_ino == st.st_ino, "relative to the directory descriptor");
	close(dir);
	SAFE(stat("d", &st2));
	TEST_TRUE("dir", S_ISDIR(st2.st_mode) && st2.st_nlink >= 2, "a directory with >= 2 links: %ld",
		  (long)st2.st_nlink);
	TEST_ERR("noent", stat("missing", &st2), ENOENT);
	TEST_ERR("empty_path", stat("", &st2), ENOENT);
	TEST_ERR("notdir", stat("f/x", &st2), ENOTDIR);
	TEST_ERR("dangling", stat("d/none", &st2), ENOENT);
	SAFE(symlink("nowhere", "dangling"));
	TEST_ERR("dangling_link", stat("dangling", &st2), ENOENT);
	TEST_OK("dangling_lstat", lstat("dangling", &st2));
	TEST_ERR("closed", fstat(-1, &st2), EBADF);
	int p[2];
	SAFE(pipe(p));
	SAFE(fstat(p[0], &st2));
	TEST_TRUE("fifo", S_ISFIFO(st2.st_mode), "a pipe is a FIFO: %o", (unsigned)st2.st_mode);
	close(p[0]);
	close(p[1]);
	fd = open("f", O_WRONLY | O_APPEND);
	SAFE(write(fd, "678", 3));
	SAFE(fstat(fd, &st2));
	TEST_TRUE("fstat_fresh", st2.st_size == 8, "fstat sees a write at once: %ld", (long)st2.st_size);
	close(fd);
}
