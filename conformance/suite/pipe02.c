/* pipe02: writes of at most PIPE_BUF bytes are atomic; a blocked reader wakes. */
#include "tst.h"
#include <limits.h>

#define WRITERS 4
#define RECORDS 200
#define SIZE 512

void tst_run(void)
{
	int p[2];
	SAFE(pipe(p));
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		SAFE(pid);
		if (pid == 0) {
			close(p[0]);
			char rec[SIZE];
			memset(rec, 'A' + w, SIZE);
			for (int i = 0; i < RECORDS; i++)
				if (write(p[1], rec, SIZE) != SIZE)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	static char rec[SIZE];
	int counts[WRITERS] = { 0 }, whole = 1;
	for (;;) {
		size_t got = 0;
		ssize_t n = 0;
		while (got < SIZE && (n = read(p[0], rec + got, SIZE - got)) > 0)
			got += n;
		if (got == 0)
			break;
		if (got != SIZE) {
			whole = 0;
			break;
		}
		int w = rec[0] - 'A';
		for (int i = 1; i < SIZE; i++)
			if (rec[i] != rec[0])
				whole = 0;
		if (w >= 0 && w < WRITERS)
			counts[w]++;
	}
	close(p[0]);
	int ok = 1;
	for (int w = 0; w < WRITERS; w++) {
		int status = tst_wait(-1);
		ok &= status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	TEST_TRUE("writers", ok, "every writer wrote");
	TEST_TRUE("atomic", whole, "no %d-byte record (<= PIPE_BUF %d) is interleaved", SIZE, PIPE_BUF);
	TEST_TRUE("complete", counts[0] == RECORDS && counts[1] == RECORDS && counts[2] == RECORDS &&
		  counts[3] == RECORDS, "all records arrive: %d %d %d %d", counts[0], counts[1], counts[2],
		  counts[3]);
	SAFE(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		write(p[1], "late", 4);
		_exit(0);
	}
	char b[8] = { 0 };
	TEST_TRUE("blocked_reader", read(p[0], b, 4) == 4 && !strcmp(b, "late"), "a blocked read wakes: %s", b);
	tst_wait(pid);
	close(p[0]);
	close(p[1]);
}
