/* umask01: umask(2) returns the previous mask and shapes new files and directories. */
#include "tst.h"

static unsigned mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_mode & 07777 : 0xffff;
}

void tst_run(void)
{
	umask(022);
	TEST_TRUE("previous", umask(077) == 022, "umask returns the previous mask");
	TEST_TRUE("previous_again", umask(027) == 077, "and again");
	int fd = open("f", O_CREAT | O_WRONLY, 0777);
	close(fd);
	TEST_TRUE("file", mode_of("f") == 0750, "0777 under 027 is %04o", mode_of("f"));
	SAFE(mkdir("d", 0777));
	TEST_TRUE("dir", mode_of("d") == 0750, "mkdir 0777 under 027 is %04o", mode_of("d"));
	umask(0);
	fd = open("g", O_CREAT | O_WRONLY, 0666);
	close(fd);
	TEST_TRUE("zero", mode_of("g") == 0666, "0666 under 0 is %04o", mode_of("g"));
	TEST_TRUE("masked_bits", (umask(01777) & 0777) == 0, "only permission bits are kept");
	TEST_TRUE("only_0777", umask(022) == 0777, "umask(01777) keeps 0777");
	pid_t pid = fork();
	if (pid == 0)
		_exit(umask(0) == 022 ? 0 : 1);
	int status = tst_wait(pid);
	TEST_TRUE("inherited", WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child inherits the mask");
}
