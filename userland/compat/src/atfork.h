/* The fork handlers pthread_atfork registered (src/pthread.c), which fork
 * (src/process.c) runs: prepare handlers in the reverse order of
 * registration, the others in order. */
#ifndef WASMUX_COMPAT_ATFORK_H
#define WASMUX_COMPAT_ATFORK_H

void __wasmux_atfork_prepare(void);
void __wasmux_atfork_parent(void);
void __wasmux_atfork_child(void);
#endif
