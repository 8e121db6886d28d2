/* clock_gettime01: clock_gettime(2)/clock_getres(2)/gettimeofday(2)/time(2). */
#include "tst.h"
#include <sys/time.h>
#include <time.h>

void tst_run(void)
{
	struct timespec a, b, res;
	TEST_OK("realtime", clock_gettime(CLOCK_REALTIME, &a));
	TEST_TRUE("realtime_sane", a.tv_sec > 1600000000 && a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
		  "after 2020, nsec in range: %ld.%09ld", (long)a.tv_sec, a.tv_nsec);
	TEST_OK("monotonic", clock_gettime(CLOCK_MONOTONIC, &a));
	int forward = 1;
	for (int i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec))
			forward = 0;
		a = b;
	}
	TEST_TRUE("monotonic_forward", forward, "1000 readings never go back");
	TEST_OK("process_cputime", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a));
#ifdef CLOCK_BOOTTIME
	TEST_OK("boottime", clock_gettime(CLOCK_BOOTTIME, &a));
#else
	tst_res(TCONF, "boottime", "the C library has no CLOCK_BOOTTIME");
#endif
	TEST_OK("getres_realtime", clock_getres(CLOCK_REALTIME, &res));
	TEST_TRUE("getres_value", res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000,
		  "resolution at least 1 ms: %ld ns", res.tv_nsec);
	TEST_OK("getres_monotonic", clock_getres(CLOCK_MONOTONIC, &res));
	TEST_ERR("bad_clock", clock_gettime((clockid_t)12345, &a), EINVAL);
	TEST_ERR("bad_clock_res", clock_getres((clockid_t)12345, &res), EINVAL);
	struct timeval tv;
	TEST_OK("gettimeofday", gettimeofday(&tv, NULL));
	clock_gettime(CLOCK_REALTIME, &a);
	long diff = (long)a.tv_sec - (long)tv.tv_sec;
	TEST_TRUE("gettimeofday_agrees", diff >= 0 && diff <= 1 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
		  "gettimeofday agrees with CLOCK_REALTIME: %ld s apart", diff);
	time_t t = time(NULL);
	/* glibc's time() reads the coarse clock, which may lag by a tick:
	 * across a second boundary it can still say the second before. */
	TEST_TRUE("time", t >= tv.tv_sec - 1 && t <= tv.tv_sec + 1, "time() agrees: %ld (gettimeofday %ld)",
		  (long)t, (long)tv.tv_sec);
	if (geteuid() != 0) {
		TEST_ERR("settime", clock_settime(CLOCK_REALTIME, &a), EPERM);
	} else {
		tst_res(TCONF, "settime", "root may set the clock");
	}
}
