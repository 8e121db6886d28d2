/* fsync01: fsync(2)/fdatasync(2)/sync(2). */
#include "tst.h"

void tst_run(void)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	SAFE(write(fd, "data", 4));
	TEST_OK("fsync", fsync(fd));
	TEST_OK("fdatasync", fdatasync(fd));
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	TEST_OK("fsync_dir", fsync(dir));
	close(dir);
	close(fd);
	TEST_ERR("closed", fsync(fd), EBADF);
	int p[2];
	SAFE(pipe(p));
	TEST_ERR("pipe", fsync(p[1]), EINVAL);
	close(p[0]);
	close(p[1]);
	sync();
	struct stat st;
	TEST_TRUE("sync", stat("f", &st) == 0 && st.st_size == 4, "sync(); the data is there");
}
