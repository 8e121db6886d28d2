/* Errnos (src/errno.c): the wasmux module's Linux numbers as wasi-libc's,
 * the kernel's sharper errno for a failed WASIX call, and returning one. */
#ifndef WASMUX_COMPAT_ERRNOS_H
#define WASMUX_COMPAT_ERRNOS_H
#include <errno.h>

/* wasi-libc's errno values are WASI's, which is what WASIX calls return.
 * The wasmux module answers Linux numbers: this converts them. */
int __wasmux_linux_errno(int linux_errno);

/* wasmer-wasix blurs the errnos of the kernel's files and filesystems
 * (EACCES and EPERM are one to it, ENOSPC is EIO; kernel-shim's
 * lost_errno.rs). Before a call: forget what an earlier one noted. After
 * it failed with EPERM, EACCES, EINVAL or EIO: the kernel's own errno, if
 * it noted one. */
void __wasmux_forget_errno(void);
void __wasmux_sharpen_errno(void);
/* `result` (of such a call), sharpened if it is a failure. */
int __wasmux_sharpened(int result);
/* Makes `call` with both: forgotten before, sharpened after. */
#define WITH_KERNEL_ERRNO(call) (__wasmux_forget_errno(), __wasmux_sharpened(call))

/* Sets errno and returns -1 when `err` is non-zero, else returns `ok`. */
#define RETURN_ERRNO(err, ok)                                                  \
    do {                                                                       \
        int e_ = (err);                                                        \
        if (e_) {                                                              \
            errno = e_;                                                        \
            return -1;                                                         \
        }                                                                      \
        return (ok);                                                           \
    } while (0)
#endif
