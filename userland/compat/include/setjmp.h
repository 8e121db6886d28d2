/* wasmux compat: setjmp/longjmp on WASIX stack_checkpoint/stack_restore
 * (the program is asyncify-instrumented; see userland/compat/README.md). */
#ifndef WASMUX_SETJMP_H
#define WASMUX_SETJMP_H
#include <stdint.h>

/* WASIX's stack snapshot: a user word and a 128-bit hash of the stack. */
typedef struct {
    uint64_t user;
    uint64_t hash[2];
} __wasmux_snapshot;

typedef struct {
    __wasmux_snapshot snapshot;
} jmp_buf[1];
typedef jmp_buf sigjmp_buf;

int __wasmux_setjmp(jmp_buf env);
_Noreturn void longjmp(jmp_buf env, int value);
_Noreturn void siglongjmp(sigjmp_buf env, int value);

/* Must be a macro: the checkpoint is taken in the caller's own frame. */
#define setjmp(env) __wasmux_setjmp(env)
#define _setjmp(env) __wasmux_setjmp(env)
#define sigsetjmp(env, savemask) __wasmux_setjmp(env)
#define _longjmp longjmp
#endif
