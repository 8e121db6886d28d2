/* The real-time interval timer (ITIMER_REAL: setitimer, getitimer,
 * alarm). WASIX raises its signal at the process (`proc_raise_interval`),
 * in whole milliseconds; src/signal.c says when a SIGALRM comes. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <wasi/api.h>

#include "imports.h"
#include "timer.h"

/* The timer: when it fires next (CLOCK_MONOTONIC nanoseconds; 0:
 * disarmed) and its interval. */
static int64_t timer_due;
static struct timeval timer_interval;

/* CLOCK_MONOTONIC in nanoseconds, read as wasi-libc's clock_gettime reads
 * it (the layer wraps clock_gettime, in src/time.c, which sits above). */
static int64_t monotonic_now(void)
{
    __wasi_timestamp_t now = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now);
    return (int64_t)now;
}

static int64_t timeval_ns(struct timeval t)
{
    return (int64_t)t.tv_sec * 1000000000 + (int64_t)t.tv_usec * 1000;
}

/* Milliseconds for WASIX, at least 1 for a time that is not zero. */
static uint64_t timeval_ms(struct timeval t)
{
    int64_t ns = timeval_ns(t);
    return ns ? (uint64_t)((ns + 999999) / 1000000) : 0;
}

static int valid_timeval(struct timeval t)
{
    return t.tv_sec >= 0 && t.tv_usec >= 0 && t.tv_usec < 1000000;
}

int getitimer(int which, struct itimerval *value)
{
    if (which != ITIMER_REAL) {
        errno = EINVAL;
        return -1;
    }
    memset(value, 0, sizeof *value);
    value->it_interval = timer_interval;
    if (timer_due) {
        int64_t left = timer_due - monotonic_now();
        if (left < 1000)
            left = 1000; /* due: it fires at the next syscall */
        value->it_value.tv_sec = (time_t)(left / 1000000000);
        value->it_value.tv_usec = (suseconds_t)(left % 1000000000 / 1000);
    }
    return 0;
}

int setitimer(int which, const struct itimerval *value, struct itimerval *old)
{
    if (which != ITIMER_REAL || !valid_timeval(value->it_value) ||
        !valid_timeval(value->it_interval)) {
        errno = EINVAL;
        return -1;
    }
    if (old)
        getitimer(ITIMER_REAL, old);
    uint64_t first = timeval_ms(value->it_value);
    uint64_t every = first ? timeval_ms(value->it_interval) : 0;
    /* WASIX has one period: the first expiry comes after the interval. */
    int err = wasix_proc_raise_interval(SIGALRM, every ? every : first, every != 0);
    if (err) {
        errno = err;
        return -1;
    }
    timer_due = first ? monotonic_now() + timeval_ns(value->it_value) : 0;
    timer_interval = first ? value->it_interval : (struct timeval){0, 0};
    return 0;
}

/* The seconds left of an earlier alarm, rounded as glibc does: to the
 * nearest, but never 0 for an alarm still set. */
unsigned alarm(unsigned seconds)
{
    struct itimerval set = {.it_value = {.tv_sec = (time_t)seconds}}, old;
    if (setitimer(ITIMER_REAL, &set, &old) < 0)
        return 0;
    unsigned left = (unsigned)old.it_value.tv_sec;
    if (old.it_value.tv_usec >= 500000 || (left == 0 && old.it_value.tv_usec > 0))
        left++;
    return left;
}

void __wasmux_timer_fired(void)
{
    if (timer_interval.tv_sec || timer_interval.tv_usec) {
        timer_due = monotonic_now() + timeval_ns(timer_interval);
        return;
    }
    wasix_proc_raise_interval(SIGALRM, 0, 0);
    timer_due = 0;
}

void __wasmux_timers_forget(void)
{
    wasix_proc_raise_interval(SIGALRM, 0, 0);
    timer_due = 0;
    timer_interval = (struct timeval){0, 0};
}
