/* wasmux compat: wasi-libc's <sys/time.h> plus setting the clock and
 * interval timers. */
#ifndef WASMUX_SYS_TIME_H
#define WASMUX_SYS_TIME_H
#include_next <sys/time.h>

struct itimerval {
    struct timeval it_interval;
    struct timeval it_value;
};
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

int settimeofday(const struct timeval *tv, const struct timezone *tz);
int getitimer(int which, struct itimerval *value);
int setitimer(int which, const struct itimerval *value, struct itimerval *old);

/* File times: see <sys/stat.h>. */
int __wasmux_utimes(const char *path, const struct timeval times[2]);
int __wasmux_lutimes(const char *path, const struct timeval times[2]);
#define utimes __wasmux_utimes
#define lutimes __wasmux_lutimes
#endif
