/* Clocks and sleeps beyond wasi-libc's. Setting the clock is refused
 * (EPERM), as for an unprivileged user; a sleep ends when a signal handler
 * runs (src/signal.c). Interval timers are src/timer.c's. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include <wasi/api.h>

#include "signals.h"

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

/* times: the process's CPU time and the monotonic clock, in clock ticks
 * (sysconf(_SC_CLK_TCK)), where wasi-libc's gives nanoseconds and counts the
 * process's own time as its children's too. The children's time is not
 * measured here (0), as in getrusage(RUSAGE_CHILDREN) below. */
clock_t times(struct tms *buffer)
{
    int64_t ns_per_tick = 1000000000 / sysconf(_SC_CLK_TCK);
    struct timespec cpu = {0, 0}, now = {0, 0};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    clock_gettime(CLOCK_MONOTONIC, &now);
    memset(buffer, 0, sizeof *buffer);
    buffer->tms_utime = (clock_t)(((int64_t)cpu.tv_sec * 1000000000 + cpu.tv_nsec) / ns_per_tick);
    return (clock_t)(((int64_t)now.tv_sec * 1000000000 + now.tv_nsec) / ns_per_tick);
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

/* A zero timeout. WASIX's poll_oneoff reads a clock subscription of 0 ns as
 * "no timeout at all" and one of 1 ns as "do not wait", so `sleep 0`,
 * `poll(fds, n, 0)` and a `select` with a zero timeval would block forever.
 * The link wraps every call of it (nanosleep, poll, select and the rest go
 * through it): a zero clock timeout, relative or absolute, becomes 1 ns,
 * which is past and so the same. */
__wasi_errno_t __real___wasi_poll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out,
                                         __wasi_size_t nsubscriptions, __wasi_size_t *nevents);

static int64_t now_on(clockid_t clock);
static int sleep_until(clockid_t clock, int64_t deadline, struct timespec *rem);

__wasi_errno_t __wrap___wasi_poll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out,
                                         __wasi_size_t nsubscriptions, __wasi_size_t *nevents)
{
    /* A sleep of a millisecond or more (select or poll without
     * descriptors, sleep, usleep): one that a signal handler ends, as on
     * Linux (EINTR), where WASIX sleeps through it. */
    if (nsubscriptions == 1 && in[0].u.tag == __WASI_EVENTTYPE_CLOCK &&
        !(in[0].u.u.clock.flags & __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) &&
        in[0].u.u.clock.timeout >= 1000000 &&
        (in[0].u.u.clock.id == __WASI_CLOCKID_REALTIME || in[0].u.u.clock.id == __WASI_CLOCKID_MONOTONIC)) {
        clockid_t clock = in[0].u.u.clock.id == __WASI_CLOCKID_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC;
        if (sleep_until(clock, now_on(clock) + (int64_t)in[0].u.u.clock.timeout, NULL) == EINTR)
            return __WASI_ERRNO_INTR;
        memset(out, 0, sizeof *out);
        out[0].userdata = in[0].userdata;
        out[0].type = __WASI_EVENTTYPE_CLOCK;
        *nevents = 1;
        return __WASI_ERRNO_SUCCESS;
    }
    size_t zero = nsubscriptions;
    for (size_t i = 0; i < nsubscriptions; i++) {
        if (in[i].u.tag == __WASI_EVENTTYPE_CLOCK && in[i].u.u.clock.timeout == 0) {
            zero = i;
            break;
        }
    }
    if (zero == nsubscriptions)
        return __real___wasi_poll_oneoff(in, out, nsubscriptions, nevents);
    __wasi_subscription_t *copy = malloc(nsubscriptions * sizeof *copy);
    if (!copy)
        return __WASI_ERRNO_NOMEM;
    memcpy(copy, in, nsubscriptions * sizeof *copy);
    for (size_t i = zero; i < nsubscriptions; i++) {
        if (copy[i].u.tag == __WASI_EVENTTYPE_CLOCK && copy[i].u.u.clock.timeout == 0)
            copy[i].u.u.clock.timeout = 1;
    }
    __wasi_errno_t result = __real___wasi_poll_oneoff(copy, out, nsubscriptions, nevents);
    free(copy);
    return result;
}

/* Linux refuses a clock it does not have and a time that is not one
 * (EINVAL). wasi-libc's clocks are pointers to its records, and it reads
 * whatever a bad one points at; a negative or overlong sleep it takes. */
static int known_clock(clockid_t clock)
{
    return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
           clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID;
}

int __real_clock_gettime(clockid_t clock, struct timespec *ts);
int __wrap_clock_gettime(clockid_t clock, struct timespec *ts)
{
    if (!known_clock(clock)) {
        errno = EINVAL;
        return -1;
    }
    return __real_clock_gettime(clock, ts);
}

int __real_clock_getres(clockid_t clock, struct timespec *res);
int __wrap_clock_getres(clockid_t clock, struct timespec *res)
{
    if (!known_clock(clock)) {
        errno = EINVAL;
        return -1;
    }
    return __real_clock_getres(clock, res);
}

/* A sleep ends early when a signal handler runs (EINTR, with the time
 * left in `rem`): it waits in the kernel's signal wait, a slice at a time,
 * and the last part of a millisecond in a plain sleep. (sleep and usleep
 * come here too.) */
int __real_nanosleep(const struct timespec *req, struct timespec *rem);

static const int64_t second = 1000000000;

static int valid_time(const struct timespec *t)
{
    return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < 1000000000L;
}

static int64_t now_on(clockid_t clock)
{
    struct timespec now;
    __real_clock_gettime(clock, &now);
    return now.tv_sec * second + now.tv_nsec;
}

/* Sleeps until `clock` reads `deadline`: 0, or EINTR with the time left. */
static int sleep_until(clockid_t clock, int64_t deadline, struct timespec *rem)
{
    for (;;) {
        int64_t left = deadline - now_on(clock);
        if (left <= 0)
            return 0;
        if (left < 1000000) {
            /* (WASIX may wake a short sleep early: the loop checks.) */
            struct timespec rest = {0, (long)left};
            __real_nanosleep(&rest, NULL);
            continue;
        }
        /* Slices of at most 50 ms: a timer's signal (alarm, setitimer) is
         * raised by WASIX and does not wake the kernel's wait. */
        int64_t ms = left / 1000000;
        if (__wasmux_wait_for_handler((int)(ms > 50 ? 50 : ms))) {
            if (rem) {
                left = deadline - now_on(clock);
                if (left < 0)
                    left = 0;
                rem->tv_sec = (time_t)(left / second);
                rem->tv_nsec = (long)(left % second);
            }
            return EINTR;
        }
    }
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!valid_time(req)) {
        errno = EINVAL;
        return -1;
    }
    int err = sleep_until(CLOCK_MONOTONIC, now_on(CLOCK_MONOTONIC) + req->tv_sec * second + req->tv_nsec, rem);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

/* The same for a clock's sleep, relative or until a time (TIMER_ABSTIME);
 * it returns the error rather than setting errno. A CPU clock cannot be
 * slept on. */
int __wrap_clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    if (!known_clock(clock) || clock == CLOCK_THREAD_CPUTIME_ID || !valid_time(req))
        return EINVAL;
    if (clock == CLOCK_PROCESS_CPUTIME_ID)
        return ENOTSUP;
    int64_t target = req->tv_sec * second + req->tv_nsec;
    if (flags & TIMER_ABSTIME)
        return sleep_until(clock, target, NULL);
    return sleep_until(clock, now_on(clock) + target, rem);
}
