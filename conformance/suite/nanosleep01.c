/* nanosleep01: nanosleep(2)/clock_nanosleep(2)/usleep/sleep durations and errors. */
#include "tst.h"
#include <signal.h>
#include <time.h>

static long since_ms(struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void on_alarm(int sig)
{
	(void)sig;
}

void tst_run(void)
{
	struct timespec start, req = { 0, 100000000 }, rem;
	clock_gettime(CLOCK_MONOTONIC, &start);
	TEST_OK("nanosleep", nanosleep(&req, NULL));
	long ms = since_ms(&start);
	TEST_TRUE("duration", ms >= 100, "slept at least 100 ms: %ld", ms);
	req = (struct timespec){ 0, 1000000000 };
	TEST_ERR("bad_nsec", nanosleep(&req, NULL), EINVAL);
	req = (struct timespec){ -1, 0 };
	TEST_ERR("negative", nanosleep(&req, NULL), EINVAL);
	req = (struct timespec){ 0, 0 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	TEST_OK("zero", nanosleep(&req, NULL));
	TEST_TRUE("zero_fast", since_ms(&start) < 1000, "a zero sleep returns at once");
	clock_gettime(CLOCK_MONOTONIC, &start);
	req = (struct timespec){ 0, 50000000 };
	TEST_TRUE("clock_nanosleep", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0 && since_ms(&start) >= 50,
		  "relative clock_nanosleep");
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += 50000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	TEST_TRUE("abstime", r == 0 && since_ms(&start) >= 45, "TIMER_ABSTIME sleeps until the time: %d", r);
	clock_gettime(CLOCK_MONOTONIC, &start);
	TEST_OK("usleep", usleep(30000));
	TEST_TRUE("usleep_duration", since_ms(&start) >= 30, "usleep(30000) took %ld ms", since_ms(&start));
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	req = (struct timespec){ 5, 0 };
	errno = 0;
	r = nanosleep(&req, &rem);
	TEST_TRUE("interrupted", r == -1 && errno == EINTR, "a signal interrupts it: %s", tst_errname(errno));
	TEST_TRUE("remaining", rem.tv_sec >= 3 && rem.tv_sec <= 4, "the time left is reported: %ld s",
		  (long)rem.tv_sec);
	clock_gettime(CLOCK_MONOTONIC, &start);
	TEST_TRUE("sleep", sleep(1) == 0 && since_ms(&start) >= 1000, "sleep(1)");
}
