/* open01: open(2) flags: creation mode, O_EXCL, O_TRUNC, access modes, errors. */
#include "tst.h"

void tst_run(void)
{
	struct stat st;
	umask(022);
	int fd = open("f", O_CREAT | O_WRONLY, 0666);
	TEST_TRUE("creat", fd >= 0, "O_CREAT makes a file: fd %d", fd);
	SAFE(fstat(fd, &st));
	TEST_TRUE("creat_mode", (st.st_mode & 07777) == 0644,
		  "mode 0666 under umask 022 is %04o", (unsigned)(st.st_mode & 07777));
	TEST_TRUE("creat_regular", S_ISREG(st.st_mode), "the new file is regular");
	SAFE(write(fd, "hello", 5));
	close(fd);

	TEST_ERR("excl", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	int first = open("f", O_RDONLY), second = open("f", O_RDONLY);
	close(first);
	fd = open("f", O_RDONLY);
	TEST_TRUE("lowest_fd", fd == first, "the lowest free descriptor is returned: %d (freed %d)", fd, first);
	close(second);
	char b[8];
	TEST_ERR("rdonly_write", write(fd, "x", 1), EBADF);
	close(fd);
	fd = open("f", O_WRONLY);
	TEST_ERR("wronly_read", read(fd, b, 1), EBADF);
	close(fd);

	fd = open("f", O_RDWR | O_TRUNC);
	SAFE(fstat(fd, &st));
	TEST_TRUE("trunc", st.st_size == 0, "O_TRUNC empties the file: size %ld", (long)st.st_size);
	close(fd);

	TEST_ERR("noent", open("missing", O_RDONLY), ENOENT);
	TEST_ERR("noent_parent", open("nodir/f", O_CREAT | O_WRONLY, 0644), ENOENT);
	TEST_ERR("notdir_component", open("f/x", O_RDONLY), ENOTDIR);
	TEST_ERR("directory_flag", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	SAFE(mkdir("d", 0755));
	TEST_ERR("dir_write", open("d", O_WRONLY), EISDIR);
	fd = open("d", O_RDONLY | O_DIRECTORY);
	TEST_TRUE("dir_read", fd >= 0, "a directory opens O_RDONLY|O_DIRECTORY");
	close(fd);
	SAFE(symlink("f", "link"));
	TEST_ERR("nofollow", open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = open("link", O_RDONLY);
	TEST_TRUE("follow", fd >= 0, "open follows a symbolic link");
	close(fd);

	fd = open("f", O_RDONLY | O_CLOEXEC);
	int flags = fcntl(fd, F_GETFD);
	TEST_TRUE("cloexec", flags >= 0 && (flags & FD_CLOEXEC), "O_CLOEXEC sets FD_CLOEXEC: %d", flags);
	close(fd);
	fd = open("f", O_RDONLY);
	flags = fcntl(fd, F_GETFD);
	TEST_TRUE("no_cloexec", flags == 0, "without O_CLOEXEC FD_CLOEXEC is clear: %d", flags);
	close(fd);

	fd = open("g", O_CREAT | O_RDWR, 0600);
	SAFE(fstat(fd, &st));
	TEST_TRUE("creat_0600", (st.st_mode & 0777) == 0600, "mode 0600: %04o",
		  (unsigned)(st.st_mode & 0777));
	close(fd);
	SAFE(chmod("g", 0400));
	if (geteuid() != 0)
		TEST_ERR("eacces", open("g", O_WRONLY), EACCES);
	else
		tst_res(TCONF, "eacces", "root is not refused");
	fd = open("f", O_WRONLY | O_APPEND);
	SAFE(write(fd, "ab", 2));
	SAFE(lseek(fd, 0, SEEK_SET));
	SAFE(write(fd, "cd", 2));
	close(fd);
	char text[16];
	tst_read_file("f", text, sizeof text);
	TEST_TRUE("append", !strcmp(text, "abcd"), "O_APPEND writes at the end after a seek: '%s'", text);
}
