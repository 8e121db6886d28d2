/* wasmux compat: wasi-libc's <time.h> plus setting the clock (which a
 * program in a sandbox may not do: EPERM, as for an unprivileged user). */
#ifndef WASMUX_TIME_H
#define WASMUX_TIME_H
#include_next <time.h>

int clock_settime(clockid_t clock, const struct timespec *ts);
int stime(const time_t *t);
#endif
