/* Linux errno values (from the wasmux import module) to wasi-libc's. */
#include <errno.h>

#include "errnos.h"
#include "imports.h"

int __wasmux_linux_errno(int linux_errno)
{
    switch (linux_errno) {
    case 0: return 0;
    case 1: return EPERM;
    case 2: return ENOENT;
    case 3: return ESRCH;
    case 4: return EINTR;
    case 5: return EIO;
    case 6: return ENXIO;
    case 9: return EBADF;
    case 10: return ECHILD;
    case 11: return EAGAIN;
    case 12: return ENOMEM;
    case 13: return EACCES;
    case 14: return EFAULT;
    case 16: return EBUSY;
    case 17: return EEXIST;
    case 18: return EXDEV;
    case 20: return ENOTDIR;
    case 21: return EISDIR;
    case 22: return EINVAL;
    case 24: return EMFILE;
    case 25: return ENOTTY;
    case 26: return ETXTBSY;
    case 27: return EFBIG;
    case 28: return ENOSPC;
    case 30: return EROFS;
    case 31: return EMLINK;
    case 36: return ENAMETOOLONG;
    case 39: return ENOTEMPTY;
    case 40: return ELOOP;
    case 75: return EOVERFLOW;
    case 95: return ENOTSUP;
    case 110: return ETIMEDOUT;
    default: return EIO;
    }
}

void __wasmux_forget_errno(void) { (void)wasmux_io_errno(); }

int __wasmux_sharpened(int result)
{
    if (result < 0)
        __wasmux_sharpen_errno();
    return result;
}

void __wasmux_sharpen_errno(void)
{
    if (errno != EPERM && errno != EACCES && errno != EINVAL && errno != EIO)
        return;
    int lost = wasmux_io_errno();
    if (lost)
        errno = __wasmux_linux_errno(lost);
}
