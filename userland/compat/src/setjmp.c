/* setjmp/longjmp on WASIX stack snapshots.
 *
 * WebAssembly cannot jump between frames. WASIX's `stack_checkpoint`
 * records the whole call stack (the program is instrumented by binaryen's
 * asyncify, which lets the host unwind and rewind it) and `stack_restore`
 * rewinds to a recorded one, making the checkpoint call return again with
 * another value: exactly setjmp and longjmp. The alternative, WebAssembly
 * exception handling, cannot live in one binary with asyncify, which fork
 * needs (see userland/compat/README.md). */
#include <setjmp.h>
#include <stdlib.h>

#include "imports.h"

_Static_assert(sizeof(__wasmux_snapshot) == sizeof(wasix_snapshot), "snapshot layout");

int __wasmux_setjmp(jmp_buf env)
{
    uint64_t value = 0;
    if (wasix_stack_checkpoint((wasix_snapshot *)&env->snapshot, &value) != 0)
        abort();
    return (int)value;
}

_Noreturn void longjmp(jmp_buf env, int value)
{
    wasix_stack_restore((const wasix_snapshot *)&env->snapshot, value ? (uint64_t)value : 1);
}

_Noreturn void siglongjmp(sigjmp_buf env, int value)
{
    longjmp(env, value);
}
