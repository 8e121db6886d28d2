/* wasmux compat: wasi-libc's <fcntl.h> plus descriptor duplication and
 * advisory locks (implemented on WASIX fd_dup). */
#ifndef WASMUX_FCNTL_H
#define WASMUX_FCNTL_H
#include_next <fcntl.h>

#define F_DUPFD 0
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
