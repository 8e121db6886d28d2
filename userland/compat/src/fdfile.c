/* The file behind a descriptor: what fstat, fchmod, fchown, futimens,
 * fchdir (src/fs.c) and the *at calls need to know.
 *
 * WASIX cannot name the file an open descriptor refers to (wasmer-wasix
 * keeps its own cached stat of it, with an inode number made from the path
 * and no mode). So the layer notes, when open or openat succeeds on one of
 * the kernel's filesystems, the file's device and inode number (the
 * kernel's own, which name it however it is later renamed or unlinked) and
 * the path it was opened by; dup, dup2, dup3 and F_DUPFD copy the note,
 * fork inherits it with the rest of the memory. (close leaves it: the
 * check below retires it, and the next open of the number replaces it.) A new
 * image starts with none: descriptors inherited across exec fall back to
 * WASIX's answers.
 *
 * A note is trusted only while WASIX still gives the descriptor the inode
 * number it gave when the note was made, so a descriptor closed or
 * replaced past the layer (by WASIX itself) is never taken for its old
 * file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "errnos.h"
#include "fdfile.h"
#include "imports.h"
#include "kstat.h"

struct note {
    uint64_t dev, ino;  /* the kernel's; dev 0 for a device in /dev */
    uint64_t wasix_ino; /* WASIX's, to tell the note is still this descriptor's */
    char *path;         /* absolute, as opened */
};

static struct note *notes;
static size_t n_notes;

static int wasix_fstat(int fd, struct stat *st);

void __wasmux_fd_forget(int fd)
{
    if (fd >= 0 && (size_t)fd < n_notes) {
        free(notes[fd].path);
        memset(&notes[fd], 0, sizeof notes[fd]);
    }
}

static struct note *slot(int fd)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= n_notes) {
        size_t n = (size_t)fd + 16;
        struct note *grown = realloc(notes, n * sizeof *grown);
        if (!grown)
            return NULL;
        memset(grown + n_notes, 0, (n - n_notes) * sizeof *grown);
        notes = grown;
        n_notes = n;
    }
    return &notes[fd];
}

void __wasmux_fd_opened(int fd, const char *abs_path)
{
    __wasmux_fd_forget(fd);
    struct stat kernel = {0}, wasix;
    int held = __wasmux_kernel_stat(abs_path, &kernel, 1);
    if (held < 0 || (held == 0 && !__wasmux_char_device(abs_path, NULL)) || wasix_fstat(fd, &wasix) < 0)
        return; /* not one of the kernel's files (/proc, a pipe): WASIX answers */
    struct note *note = slot(fd);
    char *path = strdup(abs_path);
    if (!note || !path) {
        free(path);
        return;
    }
    *note = (struct note){kernel.st_dev, kernel.st_ino, wasix.st_ino, path};
}

void __wasmux_fd_copied(int from, int to)
{
    __wasmux_fd_forget(to);
    if (from < 0 || (size_t)from >= n_notes || !notes[from].path)
        return;
    struct note *note = slot(to);
    char *path = strdup(notes[from].path);
    if (!note || !path) {
        free(path);
        return;
    }
    *note = notes[from];
    note->path = path;
}

/* The note on `fd` if it still holds for the descriptor to which WASIX
 * gives inode number `wasix`, else NULL. */
static const struct note *valid_note(int fd, uint64_t wasix)
{
    if (fd < 0 || (size_t)fd >= n_notes || !notes[fd].path)
        return NULL;
    return notes[fd].wasix_ino == wasix ? &notes[fd] : NULL;
}

int __wasmux_fd_file(int fd, uint64_t *dev, uint64_t *ino, const char **path)
{
    struct stat wasix;
    if (wasix_fstat(fd, &wasix) < 0)
        return -1;
    const struct note *note = valid_note(fd, wasix.st_ino);
    if (!note || note->dev == 0)
        return 0;
    *dev = note->dev;
    *ino = note->ino;
    if (path)
        *path = note->path;
    return 1;
}

int __wasmux_at_path(int dirfd, const char *path, char *buf, size_t size)
{
    if (path[0] == '/' || dirfd == AT_FDCWD)
        return __wasmux_absolute(path, buf, size) < 0 ? -1 : 1;
    uint64_t dev, ino;
    const char *dir;
    int known = __wasmux_fd_file(dirfd, &dev, &ino, &dir);
    if (known <= 0)
        return known;
    size_t dir_len = strlen(dir), len = strlen(path);
    if (dir_len + 1 + len >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, dir, dir_len);
    buf[dir_len] = '/';
    memcpy(buf + dir_len + 1, path, len + 1);
    return 1;
}

/* WASIX's record of a descriptor as a stat (wasi-libc's conversion, done
 * here: the layer must link without wasi-libc's fstat, see build.sh). */
static int wasix_fstat(int fd, struct stat *st)
{
    __wasi_filestat_t w;
    int err = __wasi_fd_filestat_get((__wasi_fd_t)fd, &w);
    if (err) {
        errno = err;
        return -1;
    }
    static const mode_t types[] = {
        [__WASI_FILETYPE_BLOCK_DEVICE] = S_IFBLK,  [__WASI_FILETYPE_CHARACTER_DEVICE] = S_IFCHR,
        [__WASI_FILETYPE_DIRECTORY] = S_IFDIR,     [__WASI_FILETYPE_REGULAR_FILE] = S_IFREG,
        [__WASI_FILETYPE_SOCKET_DGRAM] = S_IFSOCK, [__WASI_FILETYPE_SOCKET_STREAM] = S_IFSOCK,
        [__WASI_FILETYPE_SYMBOLIC_LINK] = S_IFLNK,
    };
    memset(st, 0, sizeof *st);
    st->st_dev = w.dev;
    st->st_ino = w.ino;
    st->st_nlink = w.nlink;
    st->st_size = (off_t)w.size;
    st->st_mode = w.filetype < sizeof types / sizeof types[0] ? types[w.filetype] : 0;
    st->st_atim = (struct timespec){(time_t)(w.atim / 1000000000), (long)(w.atim % 1000000000)};
    st->st_mtim = (struct timespec){(time_t)(w.mtim / 1000000000), (long)(w.mtim % 1000000000)};
    st->st_ctim = (struct timespec){(time_t)(w.ctim / 1000000000), (long)(w.ctim % 1000000000)};
    return 0;
}

/* fstat: the kernel's record of a noted file (mode, owner, links, times
 * and the inode number stat gives); WASIX's for any other descriptor, a
 * pipe made a FIFO (WASIX gives a pipe no type at all; Linux's is a FIFO
 * readable and writable by its owner). */
int __wrap_fstat(int fd, struct stat *st)
{
    if (wasix_fstat(fd, st) < 0)
        return -1;
    const struct note *note = valid_note(fd, st->st_ino);
    if (note && note->dev == 0 && __wasmux_char_device(note->path, st))
        return 0;
    if (note && __wasmux_inode_stat(note->dev, note->ino, st) == 0)
        return 0;
    if ((st->st_mode & S_IFMT) == 0) {
        __wasi_fdstat_t fdstat;
        if (__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fdstat) == 0 &&
            fdstat.fs_filetype == __WASI_FILETYPE_UNKNOWN)
            st->st_mode = S_IFIFO | 0600;
    }
    return 0;
}

int __wasmux_fd_noted(int fd, uint64_t *dev, uint64_t *ino, const char **path)
{
    int known = __wasmux_fd_file(fd, dev, ino, path);
    if (known == 0)
        errno = ENOSYS;
    return known == 1 ? 0 : -1;
}

int fchmod(int fd, mode_t mode)
{
    uint64_t dev, ino;
    if (__wasmux_fd_noted(fd, &dev, &ino, NULL) < 0)
        return -1;
    RETURN_ERRNO(__wasmux_linux_errno(wasmux_inode_chmod((int64_t)dev, (int64_t)ino, mode & 07777)), 0);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
    uint64_t dev, ino;
    if (__wasmux_fd_noted(fd, &dev, &ino, NULL) < 0)
        return -1;
    RETURN_ERRNO(__wasmux_linux_errno(wasmux_inode_chown((int64_t)dev, (int64_t)ino, (int)uid, (int)gid)), 0);
}

int __wasmux_fd_utimes(int fd, const int64_t *times)
{
    uint64_t dev, ino;
    if (__wasmux_fd_noted(fd, &dev, &ino, NULL) < 0)
        return -1;
    RETURN_ERRNO(__wasmux_linux_errno(wasmux_inode_utimes((int64_t)dev, (int64_t)ino, times)), 0);
}
