/* append01: O_APPEND from several processes never loses or splits a record. */
#include "tst.h"

#define RECORDS 400
#define WRITERS 3

void tst_run(void)
{
	int fd = open("log", O_CREAT | O_WRONLY | O_APPEND, 0644);
	SAFE(fd);
	pid_t kids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		kids[w] = fork();
		SAFE(kids[w]);
		if (kids[w] == 0) {
			char rec[32];
			memset(rec, 'a' + w, sizeof rec);
			rec[31] = '\n';
			for (int i = 0; i < RECORDS; i++)
				if (write(fd, rec, sizeof rec) != sizeof rec)
					_exit(1);
			_exit(0);
		}
	}
	int ok = 1;
	for (int w = 0; w < WRITERS; w++) {
		int status = tst_wait(kids[w]);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	close(fd);
	TEST_TRUE("writers", ok, "every writer wrote its records");
	struct stat st;
	SAFE(stat("log", &st));
	TEST_TRUE("size", st.st_size == WRITERS * RECORDS * 32, "no record lost: size %ld of %d",
		  (long)st.st_size, WRITERS * RECORDS * 32);
	fd = open("log", O_RDONLY);
	char rec[32];
	int whole = 1, count[WRITERS] = { 0 };
	while (read(fd, rec, sizeof rec) == sizeof rec) {
		int w = rec[0] - 'a';
		if (w < 0 || w >= WRITERS || rec[31] != '\n') {
			whole = 0;
			break;
		}
		for (int i = 1; i < 31; i++)
			whole &= rec[i] == rec[0];
		count[w]++;
	}
	close(fd);
	TEST_TRUE("records_whole", whole, "no record is split or mixed");
	TEST_TRUE("records_each", count[0] == RECORDS && count[1] == RECORDS && count[2] == RECORDS,
		  "each writer's records: %d %d %d", count[0], count[1], count[2]);
}
