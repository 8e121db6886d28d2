/* wasmux compat: a signal set that holds Linux's 64 signals (wasi-libc's
 * placeholder is one byte). Same guard as wasi-libc's, so this one wins. */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h
typedef unsigned long long sigset_t;
#endif
