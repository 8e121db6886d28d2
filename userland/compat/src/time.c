/* Clocks and timers beyond wasi-libc's. Setting the clock is refused
 * (EPERM), as for an unprivileged user; interval timers are WASIX's
 * `proc_raise_interval`, which raises the signal at the process. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "imports.h"

static int refuse(void)
{
    errno = EPERM;
    return -1;
}

int clock_settime(clockid_t clock, const struct timespec *ts)
{
    (void)clock; (void)ts;
    return refuse();
}

int stime(const time_t *t)
{
    (void)t;
    return refuse();
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
    (void)tv; (void)tz;
    return refuse();
}

static struct itimerval real_timer;

int getitimer(int which, struct itimerval *value)
{
    if (which != ITIMER_REAL) {
        errno = EINVAL;
        return -1;
    }
    *value = real_timer;
    return 0;
}

int setitimer(int which, const struct itimerval *value, struct itimerval *old)
{
    if (which != ITIMER_REAL) {
        errno = EINVAL;
        return -1;
    }
    if (old)
        *old = real_timer;
    uint64_t first = (uint64_t)value->it_value.tv_sec * 1000 + value->it_value.tv_usec / 1000;
    uint64_t every = (uint64_t)value->it_interval.tv_sec * 1000 + value->it_interval.tv_usec / 1000;
    int err = wasix_proc_raise_interval(SIGALRM, every ? every : first, every != 0);
    if (err) {
        errno = err;
        return -1;
    }
    real_timer = *value;
    return 0;
}

/* wasi-libc's getrusage fills only the two times of its shorter struct
 * rusage; ours is Linux's, so the rest is zeroed here. */
int getrusage(int who, struct rusage *usage)
{
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN) {
        errno = EINVAL;
        return -1;
    }
    memset(usage, 0, sizeof *usage);
    if (who == RUSAGE_SELF) {
        struct timespec cpu;
        if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0) {
            usage->ru_utime.tv_sec = cpu.tv_sec;
            usage->ru_utime.tv_usec = cpu.tv_nsec / 1000;
        }
    }
    return 0;
}
