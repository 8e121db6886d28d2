/* wasmux compat: wasi-libc's <limits.h> plus PIPE_BUF, the size up to
 * which a pipe write is atomic (Linux's; the kernel's pipes keep a write
 * whole). */
#ifndef WASMUX_LIMITS_H
#define WASMUX_LIMITS_H
#include_next <limits.h>
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif
#endif
