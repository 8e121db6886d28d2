/* Internal: the file behind a descriptor (fdfile.c), and the kernel's stat
 * records (fs.c). */
#ifndef WASMUX_COMPAT_FDFILE_H
#define WASMUX_COMPAT_FDFILE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Notes that `fd` was just opened by the absolute path `abs_path`. */
void __wasmux_fd_opened(int fd, const char *abs_path);
/* Notes that `to` is now a duplicate of `from`. */
void __wasmux_fd_copied(int from, int to);
/* Notes that `fd` is closed. */
void __wasmux_fd_forget(int fd);
/* The kernel's device and inode number of `fd`'s file and the path it was
 * opened by (if `path` is not NULL): 1 if known, 0 if not (a pipe, a
 * socket, a device, a descriptor from before exec), -1 with errno for no
 * such descriptor. */
int __wasmux_fd_file(int fd, uint64_t *dev, uint64_t *ino, const char **path);
/* The absolute form of `path` relative to `dirfd` (AT_FDCWD: the working
 * directory) into `buf`: 1 if done, 0 if `dirfd`'s path is not known, -1
 * with errno on an error. */
int __wasmux_at_path(int dirfd, const char *path, char *buf, size_t size);
/* Sets the times of `fd`'s file (as `wasmux.inode_utimes`): 0, or -1 with
 * errno (ENOSYS when its file is not known). */
int __wasmux_fd_utimes(int fd, const int64_t *times);

/* The kernel's record of `path` into `st`: 1 if filled, 0 when the
 * kernel's filesystems do not hold it (/dev, /proc), -1 with errno. */
int __wasmux_kernel_stat(const char *path, struct stat *st, int follow);
/* The kernel's record of inode `ino` of device `dev`: 0, or a Linux errno. */
int __wasmux_inode_stat(uint64_t dev, uint64_t ino, struct stat *st);
/* Whether the absolute `abs_path` is one of /dev's character devices; if
 * so and `st` is not NULL, makes `st` describe it as one. */
int __wasmux_char_device(const char *abs_path, struct stat *st);
/* The working directory made `path` (absolute or relative), as chdir. */
int __wasmux_chdir(const char *path);
#endif
