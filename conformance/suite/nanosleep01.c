/* nanosleep01: nanosleep(2)/clock_nanosleep(2)/usleep/sleep durations and errors. */
#include "tst.h"
#include <signal.h>
#include <sys/time.h>
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

/* alarm and the interval timer: what is left of them, and a fork's child
 * starts with none. */
static void timers(void)
{
	alarm(10);
	unsigned left = alarm(0);
	TEST_TRUE("alarm_left", left == 10 || left == 9, "alarm says what was left: %u", left);
	TEST_TRUE("alarm_cancelled", alarm(0) == 0, "alarm(0) cancelled it");
	struct itimerval set = { .it_value = { .tv_sec = 2 } }, now;
	SAFE(setitimer(ITIMER_REAL, &set, NULL));
	SAFE(getitimer(ITIMER_REAL, &now));
	TEST_TRUE("itimer_left", now.it_value.tv_sec == 1 || (now.it_value.tv_sec == 2 &&
		  now.it_value.tv_usec == 0), "getitimer counts down: %lld.%06ld",
		  (long long)now.it_value.tv_sec, (long)now.it_value.tv_usec);
	pid_t pid = fork();
	if (pid == 0)
		_exit(alarm(0) == 0 ? 0 : 1);
	SAFE(pid);
	int status = tst_wait(pid);
	TEST_TRUE("fork_no_timer", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "a fork's child has no timer armed (%#x)", status);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	SAFE(setitimer(ITIMER_REAL, &off, NULL));
	SAFE(getitimer(ITIMER_REAL, &now));
	TEST_TRUE("itimer_off", now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0,
		  "a zero value disarms it");
	struct itimerval bad = { .it_value = { .tv_usec = 1000000 } };
	TEST_ERR("itimer_bad_usec", setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
}

void tst_run(void)
{
	timers();
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
