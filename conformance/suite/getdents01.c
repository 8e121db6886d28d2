/* getdents01: reading directories (readdir(3) over getdents). */
#include "tst.h"

static int count_entries(const char *path, int *dots, int *regular)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	*dots = 0;
	if (regular)
		*regular = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			(*dots)++;
		else
			n++;
		if (regular && e->d_type == DT_REG)
			(*regular)++;
	}
	closedir(d);
	return n;
}

void tst_run(void)
{
	int dots, regular;
	SAFE(mkdir("d", 0755));
	TEST_TRUE("empty", count_entries("d", &dots, NULL) == 0 && dots == 2, "an empty directory lists . and ..");
	char name[64];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "d/file-with-a-longish-name-%03d", i);
		tst_write_file(name, "", 0644);
	}
	SAFE(mkdir("d/sub", 0755));
	int n = count_entries("d", &dots, &regular);
	TEST_TRUE("all", n == 301 && dots == 2, "301 entries listed once each: %d", n);
	TEST_TRUE("d_type", regular == 300, "d_type says DT_REG for the files: %d", regular);
	DIR *d = opendir("d");
	int first = 0;
	while (readdir(d))
		first++;
	rewinddir(d);
	int again = 0;
	while (readdir(d))
		again++;
	TEST_TRUE("rewind", first == again && first == 303, "rewinddir lists again: %d %d", first, again);
	closedir(d);
	SAFE(unlink("d/file-with-a-longish-name-000"));
	n = count_entries("d", &dots, NULL);
	TEST_TRUE("after_unlink", n == 300, "an unlinked name is gone: %d", n);
	d = opendir("d");
	readdir(d);
	readdir(d);
	long pos = telldir(d);
	struct dirent *e = readdir(d);
	char remembered[256];
	snprintf(remembered, sizeof remembered, "%s", e ? e->d_name : "");
	readdir(d);
	seekdir(d, pos);
	e = readdir(d);
	TEST_TRUE("seekdir", e && !strcmp(e->d_name, remembered), "seekdir returns to an entry: %s",
		  e ? e->d_name : "(none)");
	closedir(d);
	TEST_TRUE("noent", opendir("missing") == NULL && errno == ENOENT, "opendir of nothing: %s",
		  tst_errname(errno));
	tst_write_file("f", "", 0644);
	TEST_TRUE("notdir", opendir("f") == NULL && errno == ENOTDIR, "opendir of a file: %s",
		  tst_errname(errno));
	SAFE(mkdir("gone", 0755));
	d = opendir("gone");
	SAFE(rmdir("gone"));
	int left = 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			left++;
	TEST_TRUE("removed_while_open", left == 0, "a removed directory reads as empty: %d", left);
	closedir(d);
}
