/* Files: the working directory, modes and owners, temporary files.
 *
 * wasi-libc keeps the working directory in the program's memory and
 * resolves relative paths itself; WASIX keeps another, per process, which
 * survives exec (and places `proc_exec`'s relative names). The two are
 * kept equal: at startup the program takes the process's, and chdir sets
 * both. Modes, owners and the umask live in the kernel's filesystem and
 * are reached through the wasmux import module, which wants absolute
 * paths. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <wasi/api.h>

#include "errnos.h"
#include "fdfile.h"
#include "imports.h"
#include "kstat.h"

#undef chdir
#undef stat
#undef lstat

__attribute__((constructor(102))) static void cwd_start(void)
{
    char cwd[PATH_MAX];
    uint32_t len = sizeof cwd - 1;
    if (wasix_getcwd(cwd, &len) == 0 && len < sizeof cwd) {
        cwd[len] = 0;
        if (len > 1 || cwd[0] != '/')
            chdir(cwd);
    }
}

static int path_refused(const char *path);

/* The working directory is where the path leads, as on Linux: symbolic
 * links followed and `..` taken from there. (wasi-libc keeps the path as
 * written, `a/b/..`, and cannot enter a link.) */
int __wasmux_chdir(const char *path)
{
    char real[PATH_MAX];
    if (path_refused(path) || !realpath(path, real) || chdir(real) < 0)
        return -1;
    wasix_chdir(real, strlen(real));
    return 0;
}

/* fchdir: into the directory by the path it was opened by, if that path
 * still leads to it. (A directory moved since it was opened cannot be
 * entered here: ENOENT, where Linux would follow it.) */
int fchdir(int fd)
{
    uint64_t dev, ino;
    const char *path;
    if (__wasmux_fd_noted(fd, &dev, &ino, &path) < 0)
        return -1;
    struct stat now;
    if (__wasmux_kernel_stat(path, &now, 1) != 1)
        return -1;
    if (now.st_dev != dev || now.st_ino != ino) {
        errno = ENOENT;
        return -1;
    }
    if (!S_ISDIR(now.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return __wasmux_chdir(path);
}

/* getcwd of a directory that was removed fails with ENOENT on Linux;
 * wasi-libc's only remembers the path. The link wraps the name; the layer
 * itself calls the real one (relative paths are made absolute often). */
int __wrap_stat(const char *path, struct stat *st);
char *__wrap_getcwd(char *buf, size_t size)
{
    char *cwd = __real_getcwd(buf, size);
    struct stat st;
    if (cwd && __wrap_stat(cwd, &st) < 0 && errno == ENOENT) {
        if (!buf)
            free(cwd);
        return NULL;
    }
    return cwd;
}

/* Calls `op` on the absolute form of `path`; a Linux errno comes back. */
#define ON_ABSOLUTE(path, call)                                                \
    do {                                                                       \
        char abs_[PATH_MAX];                                                   \
        if (__wasmux_absolute((path), abs_, sizeof abs_) < 0)                  \
            return -1;                                                         \
        size_t len_ = strlen(abs_);                                            \
        (void)len_;                                                            \
        RETURN_ERRNO(__wasmux_linux_errno(call), 0);                           \
    } while (0)

int chmod(const char *path, mode_t mode) { ON_ABSOLUTE(path, wasmux_path_chmod(abs_, len_, mode & 07777, 1)); }
int lchmod(const char *path, mode_t mode) { ON_ABSOLUTE(path, wasmux_path_chmod(abs_, len_, mode & 07777, 0)); }
int chown(const char *path, uid_t uid, gid_t gid) { ON_ABSOLUTE(path, wasmux_path_chown(abs_, len_, uid, gid, 1)); }
int lchown(const char *path, uid_t uid, gid_t gid) { ON_ABSOLUTE(path, wasmux_path_chown(abs_, len_, uid, gid, 0)); }

/* The absolute form of `path` relative to `dirfd` into `abs` (PATH_MAX
 * bytes), or -1 with errno: ENOSYS for a directory descriptor whose path
 * the layer does not know (one from before exec). */
static int absolute_at(int dirfd, const char *path, char *abs)
{
    int done = __wasmux_at_path(dirfd, path, abs, PATH_MAX);
    if (done == 0)
        errno = ENOSYS;
    return done == 1 ? 0 : -1;
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
    char abs[PATH_MAX];
    if (absolute_at(dirfd, path, abs) < 0)
        return -1;
    return (flags & AT_SYMLINK_NOFOLLOW) ? lchmod(abs, mode) : chmod(abs, mode);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
    char abs[PATH_MAX];
    if (absolute_at(dirfd, path, abs) < 0)
        return -1;
    return (flags & AT_SYMLINK_NOFOLLOW) ? lchown(abs, uid, gid) : chown(abs, uid, gid);
}


mode_t umask(mode_t mask) { return (mode_t)wasmux_umask(mask & 0777); }

/* What Linux checks of a path before anything else: the empty path names
 * nothing (ENOENT; wasi-libc would take it as the working directory), and a
 * component longer than NAME_MAX or a path of PATH_MAX bytes or more is
 * ENAMETOOLONG (wasmer-wasix says EINVAL). */
static int path_refused(const char *path)
{
    if (!path[0]) {
        errno = ENOENT;
        return 1;
    }
    size_t len = 0, component = 0;
    for (const char *p = path; *p; p++, len++) {
        component = *p == '/' ? 0 : component + 1;
        if (component > NAME_MAX || len + 1 >= PATH_MAX) {
            errno = ENAMETOOLONG;
            return 1;
        }
    }
    return 0;
}

/* WASI's open and mkdir carry no mode: the kernel is told the one asked
 * for just before, and uses it if the call creates something (the umask
 * still applies, as on Linux). The link wraps the names (`--wrap`). */
int __real_open(const char *path, int flags, ...);
int __real_openat(int dirfd, const char *path, int flags, ...);
int __real_mkdir(const char *path, mode_t mode);

static mode_t mode_argument(int flags, va_list ap)
{
    return (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
}

/* What open's flags ask beyond wasi-libc's open: close-on-exec, and a
 * truncation that wasmer-wasix's own idea of the file's size hears about
 * (it truncates the file but keeps the old size for O_APPEND writes, which
 * then land after a gap of zeros). */
static int opened(int fd, int flags, int dirfd, const char *path)
{
    if (fd < 0) {
        __wasmux_sharpen_errno();
        /* Where the kernel noted nothing (/dev): Linux's open says EPERM
         * only for what cannot happen here (O_NOATIME, seals). */
        if (errno == EPERM)
            errno = EACCES;
        return fd;
    }
    if (flags & O_CLOEXEC)
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    if ((flags & O_TRUNC) && (flags & O_WRONLY))
        (void)ftruncate(fd, 0);
    char abs[PATH_MAX];
    if (__wasmux_at_path(dirfd, path, abs, sizeof abs) == 1)
        __wasmux_fd_opened(fd, abs);
    else
        __wasmux_fd_forget(fd);
    return fd;
}

int __wrap_open(const char *path, int flags, ...)
{
    if (path_refused(path))
        return -1;
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    int plain = flags & ~O_CLOEXEC;
    __wasmux_forget_errno();
    if (!(flags & O_CREAT))
        return opened(__real_open(path, plain), flags, AT_FDCWD, path);
    wasmux_create_mode((int)(mode & 07777));
    int fd = __real_open(path, plain, mode);
    wasmux_create_mode(-1);
    return opened(fd, flags, AT_FDCWD, path);
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
    if (path_refused(path))
        return -1;
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    int plain = flags & ~O_CLOEXEC;
    __wasmux_forget_errno();
    if (!(flags & O_CREAT))
        return opened(__real_openat(dirfd, path, plain), flags, dirfd, path);
    wasmux_create_mode((int)(mode & 07777));
    int fd = __real_openat(dirfd, path, plain, mode);
    wasmux_create_mode(-1);
    return opened(fd, flags, dirfd, path);
}

int __wrap_mkdir(const char *path, mode_t mode)
{
    if (path_refused(path))
        return -1;
    wasmux_create_mode((int)(mode & 07777));
    int r = WITH_KERNEL_ERRNO(__real_mkdir(path, mode));
    wasmux_create_mode(-1);
    return r;
}

/* FIFOs and empty regular files, in the kernel's filesystems (the kernel
 * says EPERM for device nodes and sockets, as Linux does to a user). */
int mknod(const char *path, mode_t mode, dev_t dev)
{
    (void)dev;
    char abs[PATH_MAX];
    if (__wasmux_absolute(path, abs, sizeof abs) < 0)
        return -1;
    RETURN_ERRNO(__wasmux_linux_errno(wasmux_path_mknod(abs, strlen(abs), (int)mode)), 0);
}

int mkfifo(const char *path, mode_t mode)
{
    return mknod(path, S_IFIFO | (mode & 07777), 0);
}

/* stat and lstat with modes and owners: the wasmux record (see
 * kernel-shim/src/wasmux_imports/); wasi-libc's for what the kernel's
 * filesystems do not hold (/dev, /proc). */
/* wasi-libc's own, under the names the link's --wrap gives them. */
int __real_stat(const char *path, struct stat *st);
int __real_lstat(const char *path, struct stat *st);

static int stat_with_modes(const char *path, struct stat *st, int follow)
{
    if (path_refused(path))
        return -1;
    int held = __wasmux_kernel_stat(path, st, follow);
    if (held != 0)
        return held < 0 ? -1 : 0;
    if ((follow ? __real_stat(path, st) : __real_lstat(path, st)) < 0)
        return -1;
    char abs[PATH_MAX];
    if (__wasmux_absolute(path, abs, sizeof abs) == 0)
        __wasmux_char_device(abs, st);
    return 0;
}

/* access checks the permission bits the kernel holds (wasi-libc's asks
 * only whether the file exists); what the kernel does not hold (/dev,
 * /proc) is left to wasi-libc. */
int __real_access(const char *path, int mode);
int __wrap_access(const char *path, int mode)
{
    if (mode & ~(R_OK | W_OK | X_OK)) {
        errno = EINVAL;
        return -1;
    }
    if (path_refused(path))
        return -1;
    struct stat st;
    int held = __wasmux_kernel_stat(path, &st, 1);
    if (held <= 0)
        return held < 0 ? -1 : __real_access(path, mode);
    unsigned bits;
    uid_t uid = getuid();
    if (uid == 0) /* root: anything, but to execute some x bit must be set */
        bits = (S_ISDIR(st.st_mode) || (st.st_mode & 0111)) ? 7 : 6;
    else if (st.st_uid == uid)
        bits = st.st_mode >> 6;
    else if (st.st_gid == getgid())
        bits = st.st_mode >> 3;
    else
        bits = st.st_mode;
    if (((mode & R_OK) && !(bits & 4)) || ((mode & W_OK) && !(bits & 2)) ||
        ((mode & X_OK) && !(bits & 1))) {
        errno = EACCES;
        return -1;
    }
    return 0;
}

int __wrap_stat(const char *path, struct stat *st) { return stat_with_modes(path, st, 1); }
int __wrap_lstat(const char *path, struct stat *st) { return stat_with_modes(path, st, 0); }

/* fstatat: as stat, relative to a directory descriptor whose path the layer
 * knows; wasi-libc's for one it does not. */
int __real_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int __wrap_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
#ifdef AT_EMPTY_PATH
    if ((flags & AT_EMPTY_PATH) && !path[0])
        return fstat(dirfd, st);
#endif
    if (path_refused(path))
        return -1;
    char abs[PATH_MAX];
    int done = __wasmux_at_path(dirfd, path, abs, sizeof abs);
    if (done <= 0)
        return done < 0 ? -1 : __real_fstatat(dirfd, path, st, flags);
    return stat_with_modes(abs, st, !(flags & AT_SYMLINK_NOFOLLOW));
}

char *realpath(const char *path, char *resolved)
{
    char abs[PATH_MAX];
    if (__wasmux_absolute(path, abs, sizeof abs) < 0)
        return NULL;
    char out[PATH_MAX] = "";
    size_t len = 0;
    int links = 0;
    char rest[PATH_MAX];
    strcpy(rest, abs);
    char *p = rest;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 1 && p[0] == '.') {
            p += n;
            continue;
        }
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
            out[len] = 0;
            p += n;
            continue;
        }
        if (len + 1 + n >= sizeof out) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        out[len++] = '/';
        memcpy(out + len, p, n);
        len += n;
        out[len] = 0;
        p += n;
        struct stat st;
        if (lstat(out, &st) < 0)
            return NULL;
        if (S_ISLNK(st.st_mode)) {
            if (++links > 40) {
                errno = ELOOP;
                return NULL;
            }
            char target[PATH_MAX];
            ssize_t t = readlink(out, target, sizeof target - 1);
            if (t < 0)
                return NULL;
            target[t] = 0;
            char next[PATH_MAX];
            if ((size_t)t + strlen(p) + 2 >= sizeof next) {
                errno = ENAMETOOLONG;
                return NULL;
            }
            if (target[0] == '/') {
                len = 0;
            } else {
                while (len > 0 && out[len - 1] != '/')
                    len--;
                if (len > 0)
                    len--;
            }
            out[len] = 0;
            snprintf(next, sizeof next, "%s%s", target, p);
            strcpy(rest, next);
            p = rest;
        } else if (*p && !S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return NULL;
        }
    }
    if (len == 0)
        strcpy(out, "/");
    if (!resolved)
        return strdup(out);
    strcpy(resolved, out);
    return resolved;
}

/* Replaces the trailing XXXXXX of `template` with letters until `try`
 * succeeds (at most 100 times). */
static int fill_template(char *template, size_t suffix, int (*try)(const char *, void *),
                         void *arg)
{
    size_t len = strlen(template);
    if (len < 6 + suffix || memcmp(template + len - suffix - 6, "XXXXXX", 6)) {
        errno = EINVAL;
        return -1;
    }
    static const char letters[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char random[6];
        arc4random_buf(random, sizeof random);
        for (int i = 0; i < 6; i++)
            template[len - suffix - 6 + i] = letters[random[i] % (sizeof letters - 1)];
        int r = try(template, arg);
        if (r >= 0 || errno != EEXIST)
            return r;
    }
    errno = EEXIST;
    return -1;
}

static int try_create(const char *path, void *flags)
{
    return open(path, O_RDWR | O_CREAT | O_EXCL | *(int *)flags, 0600);
}

static int try_mkdir(const char *path, void *unused)
{
    (void)unused;
    return mkdir(path, 0700);
}

int mkostemp(char *template, int flags) { return fill_template(template, 0, try_create, &flags); }
int mkstemp(char *template) { return mkostemp(template, 0); }

char *mkdtemp(char *template)
{
    return fill_template(template, 0, try_mkdir, NULL) < 0 ? NULL : template;
}

static int try_absent(const char *path, void *unused)
{
    (void)unused;
    struct stat st;
    if (lstat(path, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return 0;
}

char *mktemp(char *template)
{
    if (fill_template(template, 0, try_absent, NULL) < 0)
        template[0] = 0;
    return template;
}

/* ---- file times --------------------------------------------------------- */

/* wasi-libc's UTIME_NOW/UTIME_OMIT (-1, -2) as Linux's, which the wasmux
 * import takes. */
static int64_t linux_nsec(long nsec)
{
    return nsec == UTIME_NOW ? (1 << 30) - 1 : nsec == UTIME_OMIT ? (1 << 30) - 2 : nsec;
}

static int set_times(const char *path, const struct timespec times[2], int follow)
{
    int64_t raw[4];
    if (times)
        for (int i = 0; i < 2; i++) {
            raw[2 * i] = times[i].tv_sec;
            raw[2 * i + 1] = linux_nsec(times[i].tv_nsec);
        }
    ON_ABSOLUTE(path, wasmux_path_utimes(abs_, len_, times ? raw : NULL, follow));
}

int __wasmux_utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
    char abs[PATH_MAX];
    if (absolute_at(dirfd, path, abs) < 0)
        return -1;
    return set_times(abs, times, !(flags & AT_SYMLINK_NOFOLLOW));
}

/* By descriptor: the kernel's call on the file the descriptor was opened
 * on (with Linux's permission checks), else WASIX fd_filestat_set_times. */
int __wasmux_futimens(int fd, const struct timespec times[2])
{
    int64_t raw[4];
    if (times)
        for (int i = 0; i < 2; i++) {
            raw[2 * i] = times[i].tv_sec;
            raw[2 * i + 1] = linux_nsec(times[i].tv_nsec);
        }
    if (__wasmux_fd_utimes(fd, times ? raw : NULL) == 0)
        return 0;
    if (errno != ENOSYS)
        return -1;
    __wasi_timestamp_t stamp[2] = {0, 0};
    __wasi_fstflags_t flags = 0;
    for (int i = 0; i < 2; i++) {
        long nsec = times ? times[i].tv_nsec : UTIME_NOW;
        __wasi_fstflags_t now = i ? __WASI_FSTFLAGS_MTIM_NOW : __WASI_FSTFLAGS_ATIM_NOW;
        __wasi_fstflags_t set = i ? __WASI_FSTFLAGS_MTIM : __WASI_FSTFLAGS_ATIM;
        if (nsec == UTIME_NOW) {
            flags |= now;
        } else if (nsec != UTIME_OMIT) {
            if (nsec < 0 || nsec > 999999999 || times[i].tv_sec < 0) {
                errno = EINVAL;
                return -1;
            }
            stamp[i] = (__wasi_timestamp_t)times[i].tv_sec * 1000000000u + (__wasi_timestamp_t)nsec;
            flags |= set;
        }
    }
    RETURN_ERRNO(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, stamp[0], stamp[1], flags), 0);
}

static int set_timevals(const char *path, const struct timeval tv[2], int follow)
{
    if (!tv)
        return set_times(path, NULL, follow);
    struct timespec ts[2];
    for (int i = 0; i < 2; i++) {
        if (tv[i].tv_usec < 0 || tv[i].tv_usec > 999999) {
            errno = EINVAL;
            return -1;
        }
        ts[i].tv_sec = tv[i].tv_sec;
        ts[i].tv_nsec = tv[i].tv_usec * 1000;
    }
    return set_times(path, ts, follow);
}

int __wasmux_utimes(const char *path, const struct timeval times[2])
{
    return set_timevals(path, times, 1);
}

int __wasmux_lutimes(const char *path, const struct timeval times[2])
{
    return set_timevals(path, times, 0);
}

int __wasmux_utime(const char *path, const struct utimbuf *times)
{
    if (!times)
        return set_times(path, NULL, 1);
    struct timespec ts[2] = {{times->actime, 0}, {times->modtime, 0}};
    return set_times(path, ts, 1);
}

/* ---- hard links --------------------------------------------------------- */

/* wasmer-wasix's path_link changes only its own inode cache: links are made
 * in the kernel's filesystem. The link's --wrap routes link and linkat here. */
int __wrap_link(const char *old, const char *new_path);
int __wrap_linkat(int olddirfd, const char *old, int newdirfd, const char *new_path, int flags);

int __wrap_link(const char *old, const char *new_path)
{
    char old_abs[PATH_MAX], new_abs[PATH_MAX];
    if (__wasmux_absolute(old, old_abs, sizeof old_abs) < 0 ||
        __wasmux_absolute(new_path, new_abs, sizeof new_abs) < 0)
        return -1;
    RETURN_ERRNO(__wasmux_linux_errno(wasmux_path_link(old_abs, strlen(old_abs), new_abs,
                                                       strlen(new_abs))),
                 0);
}

/* With AT_SYMLINK_FOLLOW, a final symbolic link of `old` is followed (the
 * link made is to its target). */
int __wrap_linkat(int olddirfd, const char *old, int newdirfd, const char *new_path, int flags)
{
    if (flags & ~AT_SYMLINK_FOLLOW) {
        errno = EINVAL;
        return -1;
    }
    char old_abs[PATH_MAX], new_abs[PATH_MAX], target[PATH_MAX];
    if (absolute_at(olddirfd, old, old_abs) < 0 || absolute_at(newdirfd, new_path, new_abs) < 0)
        return -1;
    if ((flags & AT_SYMLINK_FOLLOW) && !realpath(old_abs, target))
        return -1;
    return __wrap_link((flags & AT_SYMLINK_FOLLOW) ? target : old_abs, new_abs);
}

/* wasmer-wasix renames a symbolic link wrongly: it follows it (a dangling
 * link "does not exist") and panics when the moved link's target does not
 * resolve from its new place. A link is moved here by making it anew where
 * it goes and removing the old one: not atomic, and the link gets a new
 * inode, which nothing can tell from its content. */
int __real_rename(const char *old, const char *new_path);

static int rename_symlink(const char *old, const char *new_path)
{
    char target[PATH_MAX];
    ssize_t n = readlink(old, target, sizeof target - 1);
    if (n < 0)
        return -1;
    target[n] = '\0';
    struct stat old_st, new_st;
    if (__wrap_lstat(old, &old_st) < 0)
        return -1;
    if (__wrap_lstat(new_path, &new_st) == 0) {
        if (new_st.st_dev == old_st.st_dev && new_st.st_ino == old_st.st_ino)
            return 0; /* the same link: nothing to do */
        if (S_ISDIR(new_st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
        if (unlink(new_path) < 0)
            return -1;
    } else if (errno != ENOENT) {
        return -1;
    }
    if (symlink(target, new_path) < 0)
        return -1;
    return unlink(old);
}

/* Where the last component of `path` starts; its end (trailing slashes
 * left out) into `*end`. */
static size_t last_component(const char *path, size_t *end)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *end = len;
    return start;
}

/* `path` with its directory part made physical (symbolic links and `..`
 * resolved, as the kernel would walk it) and its last component as it is:
 * what rename and friends act on. */
static int physical_parent(const char *path, char *out)
{
    size_t len, start = last_component(path, &len);
    char dir[PATH_MAX];
    if (start == 0) {
        strcpy(dir, ".");
    } else {
        if (start >= sizeof dir) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(dir, path, start);
        dir[start] = 0;
    }
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return -1;
    size_t at = strlen(real);
    if (at + 1 + (len - start) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (at > 1)
        real[at++] = '/';
    memcpy(real + at, path + start, len - start);
    real[at + len - start] = 0;
    strcpy(out, real);
    return 0;
}

/* After a directory was renamed, a working directory inside it follows it
 * (it is kept as a path here; the kernel's would move with the inode). */
static void cwd_follows(const char *old_abs, const char *new_abs)
{
    char cwd[PATH_MAX];
    size_t n = strlen(old_abs);
    if (!__real_getcwd(cwd, sizeof cwd) || strncmp(cwd, old_abs, n) != 0 ||
        (cwd[n] != '/' && cwd[n] != 0))
        return;
    char moved[PATH_MAX];
    if ((size_t)snprintf(moved, sizeof moved, "%s%s", new_abs, cwd + n) < sizeof moved)
        (void)__wasmux_chdir(moved);
}

int __wrap_rename(const char *old, const char *new_path)
{
    if (path_refused(old) || path_refused(new_path))
        return -1;
    char old_abs[PATH_MAX], new_abs[PATH_MAX];
    if (physical_parent(old, old_abs) < 0 || physical_parent(new_path, new_abs) < 0)
        return -1;
    struct stat st = {0}, to;
    if (__wrap_lstat(old_abs, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return rename_symlink(old_abs, new_abs);
        /* wasmer-wasix says EINVAL for a file over a directory. */
        if (!S_ISDIR(st.st_mode) && __wrap_lstat(new_abs, &to) == 0 && S_ISDIR(to.st_mode)) {
            errno = EISDIR;
            return -1;
        }
    }
    if (WITH_KERNEL_ERRNO(__real_rename(old_abs, new_abs)) < 0)
        return -1;
    if (S_ISDIR(st.st_mode))
        cwd_follows(old_abs, new_abs);
    return 0;
}

/* rmdir of `.` is EINVAL and of `..` ENOTEMPTY on Linux; wasmer-wasix
 * looks for an entry of that name. */
int __real_rmdir(const char *path);
int __wrap_rmdir(const char *path)
{
    if (path_refused(path))
        return -1;
    size_t len, start = last_component(path, &len);
    if (len - start == 1 && path[start] == '.') {
        errno = EINVAL;
        return -1;
    }
    if (len - start == 2 && path[start] == '.' && path[start + 1] == '.') {
        errno = ENOTEMPTY;
        return -1;
    }
    return WITH_KERNEL_ERRNO(__real_rmdir(path));
}

int __real_unlinkat(int dirfd, const char *path, int flags);
int __real_unlink(const char *path);
int __wrap_unlink(const char *path)
{
    if (path_refused(path))
        return -1;
    return WITH_KERNEL_ERRNO(__real_unlink(path));
}
int __wrap_unlinkat(int dirfd, const char *path, int flags)
{
    if (flags & ~AT_REMOVEDIR) {
        errno = EINVAL;
        return -1;
    }
    return WITH_KERNEL_ERRNO(__real_unlinkat(dirfd, path, flags));
}

/* Linux's readlink fills a short buffer with the first bytes (no NUL) and
 * refuses a zero-sized one; WASI's fails on a short buffer. */
ssize_t __real_readlink(const char *restrict path, char *restrict buf, size_t size);
/* The links of /proc that name the caller's own state, which lives here
 * or in WASIX, out of the kernel's /proc: `self` (the pid: /proc/self is a
 * directory to wasmer-wasix), `self/cwd` and `self/fd/N` (a descriptor
 * opened by path). Into `out` (PATH_MAX bytes): its length, or -1 when
 * `abs` is none of them. */
static ssize_t own_proc_link(const char *abs, char *out)
{
    char own[32];
    snprintf(own, sizeof own, "/proc/%d", getpid());
    const char *rest;
    if (strncmp(abs, "/proc/self", 10) == 0)
        rest = abs + 10;
    else if (strncmp(abs, own, strlen(own)) == 0)
        rest = abs + strlen(own);
    else
        return -1;
    if (!*rest && rest == abs + 10)
        return snprintf(out, PATH_MAX, "%d", getpid());
    if (strcmp(rest, "/cwd") == 0)
        return __real_getcwd(out, PATH_MAX) ? (ssize_t)strlen(out) : -1;
    int fd;
    char end;
    uint64_t dev, ino;
    const char *opened_by;
    if (sscanf(rest, "/fd/%d%c", &fd, &end) == 1 && __wasmux_fd_file(fd, &dev, &ino, &opened_by) == 1)
        return snprintf(out, PATH_MAX, "%s", opened_by);
    return -1;
}

ssize_t __wrap_readlink(const char *restrict path, char *restrict buf, size_t size)
{
    if (size == 0) {
        errno = EINVAL;
        return -1;
    }
    char whole[PATH_MAX], abs[PATH_MAX];
    ssize_t n = -1;
    if (__wasmux_absolute(path, abs, sizeof abs) == 0)
        n = own_proc_link(abs, whole);
    if (n < 0)
        n = __real_readlink(path, whole, sizeof whole);
    if (n < 0)
        return -1;
    if ((size_t)n > size)
        n = (ssize_t)size;
    memcpy(buf, whole, (size_t)n);
    return n;
}
