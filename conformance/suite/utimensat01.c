/* utimensat01: utimensat(2)/futimens(3): explicit times, UTIME_NOW, UTIME_OMIT. */
#include "tst.h"
#include <time.h>

void tst_run(void)
{
	struct stat st;
	tst_write_file("f", "x", 0644);
	struct timespec t[2] = { { 1000000000, 0 }, { 1100000000, 0 } };
	TEST_OK("explicit", utimensat(AT_FDCWD, "f", t, 0));
	SAFE(stat("f", &st));
	TEST_TRUE("explicit_atime", st.st_atime == 1000000000, "atime %ld", (long)st.st_atime);
	TEST_TRUE("explicit_mtime", st.st_mtime == 1100000000, "mtime %ld", (long)st.st_mtime);
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 1200000000, 0 } };
	TEST_OK("omit", utimensat(AT_FDCWD, "f", omit, 0));
	SAFE(stat("f", &st));
	TEST_TRUE("omit_kept", st.st_atime == 1000000000 && st.st_mtime == 1200000000,
		  "atime kept, mtime set: %ld %ld", (long)st.st_atime, (long)st.st_mtime);
	time_t before = time(NULL);
	TEST_OK("null_now", utimensat(AT_FDCWD, "f", NULL, 0));
	SAFE(stat("f", &st));
	TEST_TRUE("null_now_time", st.st_mtime >= before - 1 && st.st_mtime <= time(NULL) + 1,
		  "NULL sets now: %ld vs %ld", (long)st.st_mtime, (long)before);
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	SAFE(utimensat(AT_FDCWD, "f", t, 0));
	TEST_OK("utime_now", utimensat(AT_FDCWD, "f", now, 0));
	SAFE(stat("f", &st));
	TEST_TRUE("utime_now_time", st.st_atime >= before - 1 && st.st_mtime == 1100000000,
		  "UTIME_NOW for atime only: %ld %ld", (long)st.st_atime, (long)st.st_mtime);
	int fd = open("f", O_RDWR);
	TEST_OK("futimens", futimens(fd, t));
	SAFE(fstat(fd, &st));
	TEST_TRUE("futimens_time", st.st_mtime == 1100000000, "mtime %ld", (long)st.st_mtime);
	SAFE(write(fd, "y", 1));
	SAFE(fstat(fd, &st));
	TEST_TRUE("write_updates", st.st_mtime >= before - 1, "a write updates mtime: %ld", (long)st.st_mtime);
	close(fd);
	SAFE(symlink("f", "l"));
	SAFE(utimensat(AT_FDCWD, "f", t, 0));
	TEST_OK("nofollow", utimensat(AT_FDCWD, "l", omit, AT_SYMLINK_NOFOLLOW));
	SAFE(stat("f", &st));
	TEST_TRUE("nofollow_target", st.st_mtime == 1100000000, "the target is untouched: %ld",
		  (long)st.st_mtime);
	TEST_ERR("noent", utimensat(AT_FDCWD, "missing", t, 0), ENOENT);
	struct timespec bad[2] = { { 0, 2000000000 }, { 0, 0 } };
	TEST_ERR("bad_nsec", utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
}
