/* wasmux compat: wasi-libc's <utime.h>, times set in the kernel's
 * filesystem (see <sys/stat.h>). */
#ifndef WASMUX_UTIME_H
#define WASMUX_UTIME_H
#include_next <utime.h>

int __wasmux_utime(const char *path, const struct utimbuf *times);
#define utime __wasmux_utime
#endif
