/* wasmux compat: wasi-libc's <sched.h> plus the CPU set nproc asks about. */
#ifndef WASMUX_SCHED_H
#define WASMUX_SCHED_H
#include_next <sched.h>
#include <sys/types.h>

typedef struct cpu_set_t {
    unsigned long __bits[128 / sizeof(long)];
} cpu_set_t;

/* Sets one bit per CPU the host offers (WASIX thread_parallelism). */
int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);
#endif
