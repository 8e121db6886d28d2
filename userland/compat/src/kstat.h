/* What the kernel knows of a path (src/kstat.c). */
#ifndef WASMUX_COMPAT_KSTAT_H
#define WASMUX_COMPAT_KSTAT_H
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* wasi-libc's getcwd: the working directory as the path it keeps. (The
 * link wraps the name, see src/fs.c; the layer itself calls this one.) */
char *__real_getcwd(char *buf, size_t size);
/* The absolute form of `path` (relative to the working directory) in
 * `buf`: 0, or -1 with errno. */
int __wasmux_absolute(const char *path, char *buf, size_t size);
/* The kernel's record of `path` into `st`: 1 if filled, 0 when the
 * kernel's filesystems do not hold it (/dev, /proc), -1 with errno. */
int __wasmux_kernel_stat(const char *path, struct stat *st, int follow);
/* The kernel's record of inode `ino` of device `dev`: 0, or a Linux errno. */
int __wasmux_inode_stat(uint64_t dev, uint64_t ino, struct stat *st);
/* Whether the absolute `abs_path` is one of /dev's character devices; if
 * so and `st` is not NULL, makes `st` describe it as one. */
int __wasmux_char_device(const char *abs_path, struct stat *st);
#endif
