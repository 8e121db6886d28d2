/* wasmux compat: wasi-libc's <sys/stat.h> plus modes and special files
 * (implemented on the wasmux import module). */
#ifndef WASMUX_SYS_STAT_H
#define WASMUX_SYS_STAT_H
#include_next <sys/stat.h>

/* wasi-libc gives FIFOs the socket type (WASI has no FIFO); Linux's value
 * keeps them apart. wasi-libc's own stat never reports a FIFO, the wasmux
 * import's stat reports Linux modes. */
#undef S_IFIFO
#define S_IFIFO 0010000
#undef S_ISFIFO
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)

int chmod(const char *path, mode_t mode);
int fchmod(int fd, mode_t mode);
int fchmodat(int dirfd, const char *path, mode_t mode, int flags);
int lchmod(const char *path, mode_t mode);
mode_t umask(mode_t mask);
int mkfifo(const char *path, mode_t mode);
int mknod(const char *path, mode_t mode, dev_t dev);

/* stat and lstat with permission bits and owners (wasi-libc's have
 * neither) are src/fs.c's __wrap_stat/__wrap_lstat: the link wraps the
 * names (`--wrap`), so calls through pointers reach them too. */

/* File times set in the kernel's filesystem (wasi-libc's reach wasmer-
 * wasix's inode cache only, and refuse UTIME_NOW next to a time). */
int __wasmux_utimensat(int dirfd, const char *path, const struct timespec times[2], int flags);
int __wasmux_futimens(int fd, const struct timespec times[2]);
#define utimensat __wasmux_utimensat
#define futimens __wasmux_futimens
#endif
