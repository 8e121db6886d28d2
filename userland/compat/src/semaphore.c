/* POSIX semaphores (wasi-libc has none).
 *
 * Named ones (sem_open) are the kernel's (`wasmux.sem_*`, kernel-shim's
 * semaphore.rs), since processes share no memory: the sem_t a program gets
 * holds the kernel's handle, one sem_t per handle so that opening a name
 * twice gives the same address, as POSIX asks. Unnamed ones (sem_init) are
 * a counter in the program's own memory: with no memory shared between
 * processes (fork copies it), only this process and its signal handlers can
 * reach one, whatever `pshared` says.
 *
 * A wait that blocks ends with EINTR when a signal handler runs, as on
 * Linux (with SA_RESTART too). It waits in slices of 50 ms at most, like nanosleep, because a
 * timer's signal (alarm) comes from WASIX between syscalls rather than
 * through the kernel's pending set. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errnos.h"
#include "imports.h"
#include "signals.h"


/* `wasmux.sem_open`'s flags. */
#define KERNEL_CREATE 1
#define KERNEL_EXCLUSIVE 2

/* Linux errnos the kernel answers, compared before conversion. */
#define LINUX_EINTR 4
#define LINUX_EAGAIN 11
#define LINUX_ETIMEDOUT 110

#define SLICE_MS 50
#define NS_PER_MS 1000000LL

/* sem_t's words: what the semaphore is, then its value (unnamed) or the
 * kernel's handle (named). Anything else is not a semaphore (EINVAL). */
enum { KIND, VALUE, HANDLE = VALUE };
#define UNNAMED 0x53454d55 /* "SEMU" */
#define NAMED 0x53454d4e   /* "SEMN" */

static int is(const sem_t *sem, int kind) { return sem && sem->__val[KIND] == kind; }

static int fail(int err)
{
    errno = err;
    return -1;
}

static int kernel_result(int linux_errno)
{
    return linux_errno ? fail(__wasmux_linux_errno(linux_errno)) : 0;
}

int sem_init(sem_t *sem, int pshared, unsigned value)
{
    (void)pshared;
    if (value > SEM_VALUE_MAX)
        return fail(EINVAL);
    memset(sem, 0, sizeof *sem);
    sem->__val[KIND] = UNNAMED;
    sem->__val[VALUE] = (int)value;
    return 0;
}

int sem_destroy(sem_t *sem)
{
    if (!is(sem, UNNAMED))
        return fail(EINVAL);
    sem->__val[KIND] = 0;
    return 0;
}

/* The sem_t of each open named semaphore, by kernel handle, with how many
 * sem_opens are not yet closed (the kernel counts them the same way). */
struct opened {
    sem_t *sem;
    unsigned opens;
};
static struct opened *opened;
static size_t opened_size;

sem_t *sem_open(const char *name, int oflag, ...)
{
    int flags = 0;
    int mode = 0;
    unsigned value = 0;
    if (oflag & O_CREAT) {
        va_list ap;
        va_start(ap, oflag);
        mode = (int)va_arg(ap, mode_t);
        value = va_arg(ap, unsigned);
        va_end(ap);
        flags |= KERNEL_CREATE;
        if (oflag & O_EXCL)
            flags |= KERNEL_EXCLUSIVE;
    }
    int handle = wasmux_sem_open(name, strlen(name), flags, mode, (int)value);
    if (handle < 0) {
        errno = __wasmux_linux_errno(-handle);
        return SEM_FAILED;
    }
    if ((size_t)handle >= opened_size) {
        size_t size = (size_t)handle * 2;
        struct opened *grown = realloc(opened, size * sizeof *grown);
        if (!grown) {
            wasmux_sem_close(handle);
            errno = ENOMEM;
            return SEM_FAILED;
        }
        memset(grown + opened_size, 0, (size - opened_size) * sizeof *grown);
        opened = grown;
        opened_size = size;
    }
    struct opened *entry = &opened[handle];
    if (!entry->sem) {
        entry->sem = calloc(1, sizeof *entry->sem);
        if (!entry->sem) {
            wasmux_sem_close(handle);
            errno = ENOMEM;
            return SEM_FAILED;
        }
        entry->sem->__val[KIND] = NAMED;
        entry->sem->__val[HANDLE] = handle;
    }
    entry->opens++;
    return entry->sem;
}

int sem_close(sem_t *sem)
{
    if (!is(sem, NAMED))
        return fail(EINVAL);
    int handle = sem->__val[HANDLE];
    int err = wasmux_sem_close(handle);
    if (err)
        return kernel_result(err);
    struct opened *entry = &opened[handle];
    if (--entry->opens == 0) {
        free(entry->sem);
        entry->sem = NULL;
    }
    return 0;
}

int sem_unlink(const char *name)
{
    return kernel_result(wasmux_sem_unlink(name, strlen(name)));
}

int sem_post(sem_t *sem)
{
    if (is(sem, NAMED))
        return kernel_result(wasmux_sem_post(sem->__val[HANDLE]));
    if (!is(sem, UNNAMED))
        return fail(EINVAL);
    if (sem->__val[VALUE] == SEM_VALUE_MAX)
        return fail(EOVERFLOW);
    sem->__val[VALUE]++;
    return 0;
}

int sem_getvalue(sem_t *restrict sem, int *restrict value)
{
    if (is(sem, NAMED)) {
        int got = wasmux_sem_getvalue(sem->__val[HANDLE]);
        if (got < 0)
            return kernel_result(-got);
        *value = got;
        return 0;
    }
    if (!is(sem, UNNAMED))
        return fail(EINVAL);
    *value = sem->__val[VALUE];
    return 0;
}

/* Takes one from `sem` if it is above zero: 0, or -1 with errno EAGAIN
 * (or EINVAL for what is not a semaphore). */
static int take(sem_t *sem)
{
    if (is(sem, NAMED)) {
        int err = wasmux_sem_wait(sem->__val[HANDLE], 0);
        return kernel_result(err == LINUX_ETIMEDOUT ? LINUX_EAGAIN : err);
    }
    if (!is(sem, UNNAMED))
        return fail(EINVAL);
    if (sem->__val[VALUE] == 0)
        return fail(EAGAIN);
    sem->__val[VALUE]--;
    return 0;
}

/* Nanoseconds from now (CLOCK_REALTIME) to `abstime`, at least 0. */
static int64_t until(const struct timespec *abstime)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t ns = (int64_t)(abstime->tv_sec - now.tv_sec) * 1000000000LL +
                 (abstime->tv_nsec - now.tv_nsec);
    return ns > 0 ? ns : 0;
}

/* Takes one from `sem`, waiting while it is zero until `abstime` (NULL:
 * for ever) or until a signal handler runs (with SA_RESTART too: Linux
 * never restarts a semaphore wait). */
static int wait_until(sem_t *sem, const struct timespec *abstime)
{
    /* Checked first, even if the semaphore is free, as glibc does. */
    if (abstime && (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000L))
        return fail(EINVAL);
    for (;;) {
        if (take(sem) == 0)
            return 0;
        if (errno != EAGAIN)
            return -1;
        int64_t slice = SLICE_MS * NS_PER_MS;
        if (abstime) {
            int64_t left = until(abstime);
            if (left == 0)
                return fail(ETIMEDOUT);
            if (left < slice)
                slice = left;
        }
        if (is(sem, NAMED)) {
            int err = wasmux_sem_wait(sem->__val[HANDLE], slice);
            if (err == 0)
                return 0;
            if (err != LINUX_EINTR && err != LINUX_ETIMEDOUT)
                return kernel_result(err);
            /* A signal is pending (or a WASIX timer's may be): take it. */
            if (__wasmux_wait_for_handler(0))
                return fail(EINTR);
        } else if (__wasmux_wait_for_handler((int)((slice + NS_PER_MS - 1) / NS_PER_MS))) {
            return fail(EINTR);
        }
    }
}

int sem_wait(sem_t *sem)
{
    return wait_until(sem, NULL);
}

int sem_timedwait(sem_t *restrict sem, const struct timespec *restrict abstime)
{
    return wait_until(sem, abstime);
}

int sem_trywait(sem_t *sem)
{
    return take(sem);
}
