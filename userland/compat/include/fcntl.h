/* wasmux compat: wasi-libc's <fcntl.h> plus descriptor duplication and
 * advisory locks (implemented on WASIX fd_dup). */
#ifndef WASMUX_FCNTL_H
#define WASMUX_FCNTL_H
#include_next <fcntl.h>

#define F_DUPFD 0
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

/* wasi-libc's O_CLOEXEC is 0, so a program could not ask for it; ours is a
 * bit wasi-libc's open ignores, which the layer's open, pipe2 and dup3 turn
 * into FD_CLOEXEC (WASIX's descriptor flag) once the descriptor exists. */
#undef O_CLOEXEC
#define O_CLOEXEC 0x00400000


/* wasi-libc's fcntl knows F_GETFL/F_SETFL only; ours adds duplication,
 * close-on-exec and (always granted) advisory locks. */
int __wasmux_fcntl(int fd, int cmd, ...);
#define fcntl __wasmux_fcntl
#endif
