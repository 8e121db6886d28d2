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


/* wasi-libc's fcntl knows F_GETFL/F_SETFL only; ours adds duplication,
 * close-on-exec and (always granted) advisory locks. */
int __wasmux_fcntl(int fd, int cmd, ...);
#define fcntl __wasmux_fcntl
#endif
