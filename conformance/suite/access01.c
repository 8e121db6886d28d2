/* access01: access(2)/faccessat(2) by mode bits. */
#include "tst.h"

void tst_run(void)
{
	tst_write_file("rw", "x", 0644);
	tst_write_file("ro", "x", 0444);
	tst_write_file("x", "x", 0755);
	TEST_OK("exists", access("rw", F_OK));
	TEST_OK("read", access("rw", R_OK));
	TEST_OK("write", access("rw", W_OK));
	TEST_OK("read_write", access("rw", R_OK | W_OK));
	TEST_OK("execute", access("x", X_OK));
	TEST_ERR("no_execute", access("rw", X_OK), EACCES);
	TEST_ERR("noent", access("missing", F_OK), ENOENT);
	TEST_ERR("notdir", access("rw/x", F_OK), ENOTDIR);
	TEST_ERR("bad_mode", access("rw", 0100), EINVAL);
	TEST_OK("faccessat", faccessat(AT_FDCWD, "x", X_OK, 0));
	SAFE(mkdir("d", 0755));
	TEST_OK("dir_search", access("d", X_OK));
	if (geteuid() == 0) {
		tst_res(TCONF, "no_write", "root may write anything");
		tst_res(TCONF, "search_denied", "root may search anything");
		return;
	}
	TEST_ERR("no_write", access("ro", W_OK), EACCES);
	tst_write_file("d/inner", "x", 0644);
	SAFE(chmod("d", 0644));
	TEST_ERR("search_denied", access("d/inner", F_OK), EACCES);
	SAFE(chmod("d", 0755));
}
