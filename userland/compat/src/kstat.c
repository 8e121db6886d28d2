/* What the kernel knows of a path: its absolute form (the wasmux module
 * takes absolute paths; wasi-libc keeps the working directory), the
 * kernel's stat record of it or of an inode (modes, owners, times and hard
 * links live in the kernel's filesystems), and /dev's character devices,
 * which WASIX calls regular files. Under both src/fdfile.c and src/fs.c. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "errnos.h"
#include "imports.h"
#include "kstat.h"

int __wasmux_absolute(const char *path, char *buf, size_t size)
{
    if (path[0] == '/') {
        if (strlen(path) >= size)
            goto too_long;
        strcpy(buf, path);
        return 0;
    }
    if (!__real_getcwd(buf, size))
        return -1;
    size_t at = strlen(buf);
    if (at + 1 + strlen(path) >= size)
        goto too_long;
    if (at > 1)
        buf[at++] = '/';
    strcpy(buf + at, path);
    return 0;
too_long:
    errno = ENAMETOOLONG;
    return -1;
}

/* A stat record of the wasmux module (kernel-shim/src/wasmux_imports/fs_metadata.rs). */
static void decode_stat(const unsigned char *rec, struct stat *st)
{
#define FIELD(type, offset) (*(const type *)(rec + (offset)))
    memset(st, 0, sizeof *st);
    st->st_dev = FIELD(uint64_t, 0);
    st->st_ino = FIELD(uint64_t, 8);
    st->st_mode = FIELD(uint32_t, 16);
    st->st_nlink = FIELD(uint32_t, 20);
    st->st_uid = FIELD(uint32_t, 24);
    st->st_gid = FIELD(uint32_t, 28);
    st->st_rdev = FIELD(uint64_t, 32);
    st->st_size = FIELD(int64_t, 40);
    st->st_blocks = FIELD(int64_t, 48);
    st->st_blksize = 4096;
    st->st_atim.tv_sec = FIELD(int64_t, 56);
    st->st_atim.tv_nsec = FIELD(int64_t, 64);
    st->st_mtim.tv_sec = FIELD(int64_t, 72);
    st->st_mtim.tv_nsec = FIELD(int64_t, 80);
    st->st_ctim.tv_sec = FIELD(int64_t, 88);
    st->st_ctim.tv_nsec = FIELD(int64_t, 96);
#undef FIELD
}

int __wasmux_kernel_stat(const char *path, struct stat *st, int follow)
{
    char abs[PATH_MAX];
    if (__wasmux_absolute(path, abs, sizeof abs) < 0)
        return -1;
    unsigned char rec[104];
    int err = wasmux_path_stat(abs, strlen(abs), follow, rec);
    if (err == 95 /* EOPNOTSUPP */)
        return 0;
    if (err) {
        errno = __wasmux_linux_errno(err);
        return -1;
    }
    decode_stat(rec, st);
    return 1;
}

int __wasmux_inode_stat(uint64_t dev, uint64_t ino, struct stat *st)
{
    unsigned char rec[104];
    int err = wasmux_inode_stat((int64_t)dev, (int64_t)ino, rec);
    if (!err)
        decode_stat(rec, st);
    return err;
}

/* The character devices of /dev, with Linux's device numbers: WASIX calls
 * them regular files. */
static const struct {
    const char *path;
    unsigned major, minor;
} char_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

int __wasmux_char_device(const char *abs_path, struct stat *st)
{
    for (size_t i = 0; i < sizeof char_devices / sizeof char_devices[0]; i++) {
        if (strcmp(abs_path, char_devices[i].path) != 0)
            continue;
        if (st) {
            st->st_mode = S_IFCHR | 0666;
            st->st_rdev = makedev(char_devices[i].major, char_devices[i].minor);
            st->st_size = 0;
        }
        return 1;
    }
    return 0;
}
