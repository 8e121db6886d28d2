/* wasmux compat: wasi-libc's <limits.h> plus PIPE_BUF, the size up to
 * which a pipe write is atomic (Linux's; the kernel's pipes keep a write
 * whole), and the semaphore limits wasi-libc leaves out for lack of
 * semaphores (src/semaphore.c has them; Linux's values). */
#ifndef WASMUX_LIMITS_H
#define WASMUX_LIMITS_H
#include_next <limits.h>
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif
#ifndef SEM_VALUE_MAX
#define SEM_VALUE_MAX 0x7fffffff
#endif
#endif
