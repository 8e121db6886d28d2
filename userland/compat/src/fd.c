/* Descriptors: pipes, duplication, close-on-exec, reads and writes, poll.
 * WASIX has the calls (`fd_pipe`, `fd_dup2` with F_DUPFD's "lowest free at
 * or above" meaning, `fd_fdflags_*` for FD_CLOEXEC); wasi-libc does not
 * wrap them. And what a pipe is: not seekable (ESPIPE), a FIFO to fstat.
 * (Terminals, isatty and their ioctls are src/termios.c's.) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wasi/api.h>

#include "errnos.h"
#include "fdfile.h"
#include "imports.h"
#include "signals.h"

#undef fcntl

/* wasmer-wasix keeps the preopened root directories at descriptors 3 and 4
 * (wasi-libc resolves every path through them) and never lets them go:
 * closing one does nothing, duplicating onto one fails, and a duplicate of
 * one is pinned too. To the program they are not there: a shell that saves
 * descriptor 3 before `3>file` finds nothing to save (and nothing it could
 * never close again), and `3>file` itself fails with EBUSY. */
static int is_preopen(int fd)
{
    /* The standard streams answer fd_prestat_get too, but are not pinned. */
    __wasi_prestat_t prestat;
    __wasi_fdstat_t st;
    return __wasi_fd_prestat_get((__wasi_fd_t)fd, &prestat) == 0 &&
           __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) == 0 &&
           st.fs_filetype == __WASI_FILETYPE_DIRECTORY;
}

int pipe(int fds[2]) { return pipe2(fds, 0); }

int pipe2(int fds[2], int flags)
{
    if (flags & ~(O_CLOEXEC | O_NONBLOCK)) {
        errno = EINVAL;
        return -1;
    }
    uint32_t r, w;
    int err = wasix_fd_pipe(&r, &w);
    if (err) {
        errno = err;
        return -1;
    }
    if (flags & O_NONBLOCK) {
        fcntl((int)r, F_SETFL, O_NONBLOCK);
        fcntl((int)w, F_SETFL, O_NONBLOCK);
    }
    if (flags & O_CLOEXEC) {
        __wasmux_fcntl((int)r, F_SETFD, FD_CLOEXEC);
        __wasmux_fcntl((int)w, F_SETFD, FD_CLOEXEC);
    }
    fds[0] = (int)r;
    fds[1] = (int)w;
    return 0;
}

static int dup_at_least(int fd, int min, int cloexec)
{
    if (is_preopen(fd)) {
        errno = EBADF;
        return -1;
    }
    uint32_t out;
    int err = wasix_fd_dup2((uint32_t)fd, (uint32_t)min, cloexec, &out);
    if (err) {
        errno = err;
        return -1;
    }
    __wasmux_fd_copied(fd, (int)out);
    return (int)out;
}

int dup(int fd) { return dup_at_least(fd, 0, 0); }

/* dup2 onto `to`: WASIX `fd_renumber` would do, but wasmer-wasix gives the
 * new descriptor the *inheriting* rights of the old one as its rights —
 * none, for a terminal or a pipe, after which even fstat fails. So: close
 * `to`, then duplicate into the lowest free descriptor at or above it, which
 * is `to` (the program is single-threaded: nothing takes it in between). */
int dup3(int fd, int to, int flags)
{
    if (to < 0) {
        errno = EBADF;
        return -1;
    }
    if (fd == to || (flags & ~O_CLOEXEC)) {
        errno = EINVAL;
        return -1;
    }
    if (is_preopen(fd)) {
        errno = EBADF;
        return -1;
    }
    if (is_preopen(to)) {
        errno = EBUSY;
        return -1;
    }
    uint16_t fdflags;
    int err = wasix_fd_fdflags_get((uint32_t)fd, &fdflags);
    if (err) {
        errno = err;
        return -1;
    }
    (void)__wasi_fd_close((__wasi_fd_t)to); /* EBADF if `to` was free */
    __wasmux_fd_forget(to);
    uint32_t out;
    err = wasix_fd_dup2((uint32_t)fd, (uint32_t)to, 0, &out);
    if (err) {
        errno = err;
        return -1;
    }
    if (out != (uint32_t)to) {
        /* `to` was taken again in between. */
        (void)__wasi_fd_close(out);
        errno = EBUSY;
        return -1;
    }
    __wasmux_fd_copied(fd, to);
    /* The new descriptor does not inherit close-on-exec (dup2's rule);
     * dup3 may ask for it. */
    if (flags & O_CLOEXEC)
        (void)__wasmux_fcntl(to, F_SETFD, FD_CLOEXEC);
    return to;
}

int dup2(int fd, int to)
{
    if (fd == to) {
        /* dup2 of a descriptor onto itself only checks it is open. */
        if (fcntl(fd, F_GETFL) < 0)
            return -1;
        return to;
    }
    return dup3(fd, to, 0);
}

static int get_cloexec(int fd)
{
    uint16_t flags;
    int err = wasix_fd_fdflags_get((uint32_t)fd, &flags);
    if (err) {
        errno = err;
        return -1;
    }
    return (flags & WASIX_FDFLAG_CLOEXEC) ? FD_CLOEXEC : 0;
}

int __wasmux_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    int arg = va_arg(ap, int);
    va_end(ap);
    if (is_preopen(fd)) {
        errno = EBADF;
        return -1;
    }
    switch (cmd) {
    case F_DUPFD:
        return dup_at_least(fd, arg, 0);
    case F_DUPFD_CLOEXEC:
        return dup_at_least(fd, arg, 1);
    case F_GETFD:
        return get_cloexec(fd);
    case F_SETFD: {
        int err = wasix_fd_fdflags_set((uint32_t)fd,
                                       (arg & FD_CLOEXEC) ? WASIX_FDFLAG_CLOEXEC : 0);
        RETURN_ERRNO(err, 0);
    }
    case F_GETLK: case F_SETLK: case F_SETLKW:
        /* One machine, cooperative programs: advisory locks always succeed. */
        return 0;
    default:
        return fcntl(fd, cmd, arg);
    }
}

/* Whether `fd` is a pipe, socket or terminal rather than a file: WASIX's
 * type of it is neither a regular file, a directory nor a block device. */
static int is_stream(int fd)
{
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) != 0)
        return 0;
    return st.fs_filetype != __WASI_FILETYPE_REGULAR_FILE &&
           st.fs_filetype != __WASI_FILETYPE_DIRECTORY &&
           st.fs_filetype != __WASI_FILETYPE_BLOCK_DEVICE;
}

/* wasmer-wasix refuses to seek a pipe, socket or terminal with EACCES (the
 * descriptor lacks the right); Linux says ESPIPE, which programs test to
 * decide to copy such input to a file first (diff does). wasi-libc's lseek
 * is a weak alias of __lseek, which its stdio keeps calling. */
off_t __lseek(int fd, off_t offset, int whence);
off_t(lseek)(int fd, off_t offset, int whence)
{
    if (whence == SEEK_DATA || whence == SEEK_HOLE) {
        /* The whole file is data: the next data is here, the next hole at the end. */
        off_t here = __lseek(fd, 0, SEEK_CUR);
        off_t end = here < 0 ? -1 : __lseek(fd, 0, SEEK_END);
        if (end < 0) {
            if (errno != EBADF && is_stream(fd))
                errno = ESPIPE;
            return -1;
        }
        if (offset < 0 || offset >= end) {
            (void)__lseek(fd, here, SEEK_SET);
            errno = offset < 0 ? EINVAL : ENXIO;
            return -1;
        }
        return __lseek(fd, whence == SEEK_DATA ? offset : end, SEEK_SET);
    }
    off_t at = __lseek(fd, offset, whence);
    if (at < 0 && errno != EBADF && is_stream(fd))
        errno = ESPIPE;
    return at;
}

/* wasmer-wasix says EACCES (the descriptor lacks the right) where Linux
 * says EBADF: reading a descriptor not open for reading, writing one not
 * open for writing; and EIO for what it cannot name (ENOSPC, EFBIG,
 * EROFS), which the kernel kept (`wasmux.io_errno`). pread and pwrite of
 * a pipe, socket or terminal are ESPIPE on Linux; wasmer-wasix would read
 * or write the stream. The link wraps the names. */
static ssize_t io_result(ssize_t n)
{
    if (n < 0 && errno == EACCES)
        errno = EBADF;
    if (n < 0 && errno == EIO)
        __wasmux_sharpen_errno();
    return n;
}

static int refuse_stream(int fd)
{
    if (!is_stream(fd))
        return 0;
    errno = ESPIPE;
    return 1;
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);

/* Whether a signal handler without SA_RESTART ran while this process
 * waited for `fd` to have something to read; 0 once it has (or the wait
 * does not apply). A read blocked inside wasmer-wasix runs the handler
 * there and goes on waiting, where Linux ends the read with EINTR; so
 * while such a handler is installed, a read of a pipe or socket that would
 * block first waits in poll slices, looking after each. (A terminal's or
 * another device's read is the kernel's, which ends with EINTR itself.) */
static int interrupted_before_input(int fd)
{
    if (!__wasmux_interrupting_handlers())
        return 0;
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) != 0 || (st.fs_flags & __WASI_FDFLAGS_NONBLOCK) ||
        st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE ||
        st.fs_filetype == __WASI_FILETYPE_DIRECTORY ||
        st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE)
        return 0;
    unsigned before = __wasmux_interruptions();
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (__wrap_poll(&p, 1, 50) != 0)
            return 0; /* input, end of file or an error: the read says which */
        if (__wasmux_interruptions() != before)
            return 1;
    }
}

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
    if (interrupted_before_input(fd)) {
        errno = EINTR;
        return -1;
    }
    return io_result(__real_read(fd, buf, len));
}
ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len) { return io_result(__real_write(fd, buf, len)); }
ssize_t __real_readv(int fd, const struct iovec *iov, int count);
ssize_t __wrap_readv(int fd, const struct iovec *iov, int count)
{
    if (interrupted_before_input(fd)) {
        errno = EINTR;
        return -1;
    }
    return io_result(__real_readv(fd, iov, count));
}
ssize_t __real_writev(int fd, const struct iovec *iov, int count);
/* writev gathers its vectors into one write, as Linux does: into a pipe
 * wasmer-wasix writes each vector as a message of its own, which a read
 * then returns alone (a 16-vector writev took 16 reads). */
ssize_t __wrap_writev(int fd, const struct iovec *iov, int count)
{
    size_t total = 0;
    for (int i = 0; i < count && total <= 65536; i++)
        total += iov[i].iov_len;
    if (count < 2 || total > 65536)
        return io_result(__real_writev(fd, iov, count));
    /* On the stack up to PIPE_BUF: stdio's every flush is a 2-vector writev. */
    char small[PIPE_BUF];
    char *joined = total <= sizeof small ? small : malloc(total);
    if (!joined)
        return io_result(__real_writev(fd, iov, count));
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        memcpy(joined + at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    ssize_t n = io_result(__real_write(fd, joined, total));
    if (joined != small)
        free(joined);
    return n;
}

ssize_t __real_pread(int fd, void *buf, size_t len, off_t at);
ssize_t __wrap_pread(int fd, void *buf, size_t len, off_t at)
{
    return refuse_stream(fd) ? -1 : io_result(__real_pread(fd, buf, len, at));
}

ssize_t __real_pwrite(int fd, const void *buf, size_t len, off_t at);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t len, off_t at)
{
    return refuse_stream(fd) ? -1 : io_result(__real_pwrite(fd, buf, len, at));
}

/* ftruncate of a descriptor not open for writing: Linux says EINVAL. */
int __real_ftruncate(int fd, off_t length);
int __wrap_ftruncate(int fd, off_t length)
{
    int r = __real_ftruncate(fd, length);
    if (r < 0 && errno == EACCES)
        errno = EINVAL;
    return r;
}

/* fsync of a directory makes its entries durable on Linux; WASI refuses
 * it (EISDIR). Entries live in the root's store: commit it. */
int __real_fsync(int fd);
int __wrap_fsync(int fd)
{
    if (__real_fsync(fd) == 0)
        return 0;
    __wasi_fdstat_t st;
    if (errno != EISDIR || __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) != 0 ||
        st.fs_filetype != __WASI_FILETYPE_DIRECTORY)
        return -1;
    RETURN_ERRNO(wasmux_sync(), 0);
}

/* poll as Linux answers it for what WASIX cannot wait on: a descriptor
 * that is not open is POLLNVAL, and a regular file or directory is always
 * ready. The others are polled (all of them at once, without waiting when
 * some are already answered); wasi-libc's poll clears every revents, so
 * the answers given here wait in `now` until it returns. */
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    struct pollfd small[16];
    short small_now[16];
    struct pollfd *rest = n <= 16 ? small : malloc(n * sizeof *rest);
    short *now = n <= 16 ? small_now : malloc(n * sizeof *now);
    int result = -1;
    if (!rest || !now) {
        errno = ENOMEM;
        goto out;
    }
    int answered = 0;
    for (nfds_t i = 0; i < n; i++) {
        rest[i] = fds[i];
        now[i] = 0;
        if (fds[i].fd < 0)
            continue;
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get((__wasi_fd_t)fds[i].fd, &st) != 0)
            now[i] = POLLNVAL;
        else if (st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE ||
                 st.fs_filetype == __WASI_FILETYPE_DIRECTORY)
            now[i] = fds[i].events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
        else
            continue;
        rest[i].fd = -1;
        answered += now[i] != 0;
    }
    if (__real_poll(rest, n, answered ? 0 : timeout) < 0)
        goto out;
    result = 0;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = rest[i].fd < 0 && fds[i].fd >= 0 ? now[i] : rest[i].revents;
        result += fds[i].revents != 0;
    }
out:
    if (rest != small)
        free(rest);
    if (now != small_now)
        free(now);
    return result;
}
