/* wasmux compat: wasi-libc's <time.h> plus setting the clock (which a
 * program in a sandbox may not do: EPERM, as for an unprivileged user)
 * and the time zone (src/tz.c: wasi-libc has none). */
#ifndef WASMUX_TIME_H
#define WASMUX_TIME_H
#include_next <time.h>

int clock_settime(clockid_t clock, const struct timespec *ts);
int stime(const time_t *t);

void tzset(void);
extern char *tzname[2];
extern long timezone;
extern int daylight;
#endif
