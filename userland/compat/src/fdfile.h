/* The file behind a descriptor (src/fdfile.c). */
#ifndef WASMUX_COMPAT_FDFILE_H
#define WASMUX_COMPAT_FDFILE_H
#include <stddef.h>
#include <stdint.h>

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
/* The same for a call on `fd`'s file: 0, or -1 with errno set (EBADF for
 * no descriptor, ENOSYS for one whose file the layer cannot name: a pipe,
 * a socket, a device, one inherited across exec). */
int __wasmux_fd_noted(int fd, uint64_t *dev, uint64_t *ino, const char **path);
/* The absolute form of `path` relative to `dirfd` (AT_FDCWD: the working
 * directory) into `buf`: 1 if done, 0 if `dirfd`'s path is not known, -1
 * with errno on an error. */
int __wasmux_at_path(int dirfd, const char *path, char *buf, size_t size);
/* Sets the times of `fd`'s file (as `wasmux.inode_utimes`): 0, or -1 with
 * errno (ENOSYS when its file is not known). */
int __wasmux_fd_utimes(int fd, const int64_t *times);
#endif
