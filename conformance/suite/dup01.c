/* dup01: dup(2)/dup2(2)/dup3(2). */
#include "tst.h"

void tst_run(void)
{
	tst_write_file("f", "0123456789", 0644);
	int fd = open("f", O_RDONLY);
	int spare = open("f", O_RDONLY);
	close(spare);
	int copy = dup(fd);
	TEST_TRUE("dup_lowest", copy == spare, "dup takes the lowest free descriptor: %d (free %d)", copy, spare);
	char c;
	SAFE(read(fd, &c, 3));
	TEST_TRUE("shared_offset", lseek(copy, 0, SEEK_CUR) == 3, "the copies share one offset");
	SAFE(fcntl(fd, F_SETFD, FD_CLOEXEC));
	int again = dup(fd);
	TEST_TRUE("dup_clears_cloexec", fcntl(again, F_GETFD) == 0, "dup's copy has FD_CLOEXEC clear");
	close(again);
	TEST_ERR("dup_closed", dup(-1), EBADF);
	TEST_TRUE("dup2", dup2(fd, 20) == 20, "dup2 gives the asked descriptor");
	TEST_TRUE("dup2_same_file", lseek(20, 0, SEEK_CUR) == 3, "on the same open file");
	int other = open("f", O_RDONLY);
	SAFE(dup2(other, 20));
	TEST_TRUE("dup2_replaces", lseek(20, 0, SEEK_CUR) == 0, "dup2 closes what was there first");
	TEST_TRUE("dup2_same", dup2(fd, fd) == fd, "dup2 onto itself returns it");
	TEST_ERR("dup2_closed_same", dup2(99, 99), EBADF);
	TEST_ERR("dup2_closed", dup2(-1, 21), EBADF);
	TEST_ERR("dup2_negative_target", dup2(fd, -1), EBADF);
	TEST_TRUE("dup3_cloexec", dup3(fd, 22, O_CLOEXEC) == 22 && (fcntl(22, F_GETFD) & FD_CLOEXEC),
		  "dup3 O_CLOEXEC sets it");
	TEST_TRUE("dup3_plain", dup3(fd, 23, 0) == 23 && fcntl(23, F_GETFD) == 0, "dup3 without it");
	TEST_ERR("dup3_same", dup3(fd, fd, 0), EINVAL);
	TEST_ERR("dup3_flags", dup3(fd, 24, 0x4000), EINVAL);
	close(fd);
	TEST_TRUE("copy_lives", read(copy, &c, 1) == 1 && c == '3', "a copy outlives the original: '%c'", c);
	close(copy);
	close(20);
	close(other);
}
