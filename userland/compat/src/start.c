/* The program's entry point, in place of wasi-libc's crt1-command.o (the
 * driver links with -nostartfiles).
 *
 * wasi-libc's own _start leaves the constructors to the linker, and wasm-ld
 * then wraps *every* exported function in calls of the constructors and
 * destructors — the signal callback included, which re-ran them at every
 * signal: the preopened directories read again, stdio flushed, atexit
 * handlers run. A program that calls the constructors itself is left
 * unwrapped. */
#include <stdlib.h>

extern void __wasm_call_ctors(void);
extern int __main_void(void);

void _start(void)
{
    __wasm_call_ctors();
    exit(__main_void());
}
