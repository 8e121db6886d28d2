/* POSIX threads for a process that is one thread (include/pthread.h).
 *
 * Everything a single thread can do works as POSIX says: mutexes of every
 * type (a normal mutex locked twice reports EDEADLK rather than hanging,
 * since no other thread could ever unlock it), read-write locks, spin
 * locks, once, thread-specific data with destructors, fork handlers, and
 * the calling thread's own id, signals and exit. A condition variable's
 * wait lasts until a signal handler runs or its deadline passes: no other
 * thread can signal it. Starting a thread fails with EAGAIN. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atfork.h"
#include "signals.h"

/* The one thread's id. */
#define MAIN_THREAD ((pthread_t)1)

pthread_t pthread_self(void) { return MAIN_THREAD; }

int pthread_equal(pthread_t a, pthread_t b) { return a == b; }

int pthread_create(pthread_t *restrict thread, const pthread_attr_t *restrict attr,
                   void *(*start)(void *), void *restrict arg)
{
    (void)thread, (void)attr, (void)start, (void)arg;
    return EAGAIN;
}

int pthread_join(pthread_t thread, void **result)
{
    (void)result;
    return thread == MAIN_THREAD ? EDEADLK : ESRCH;
}

int pthread_detach(pthread_t thread) { return thread == MAIN_THREAD ? 0 : ESRCH; }

int pthread_cancel(pthread_t thread) { return thread == MAIN_THREAD ? 0 : ESRCH; }

static int cancel_state, cancel_type;

int pthread_setcancelstate(int state, int *old)
{
    if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
        return EINVAL;
    if (old)
        *old = cancel_state;
    cancel_state = state;
    return 0;
}

int pthread_setcanceltype(int type, int *old)
{
    if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
        return EINVAL;
    if (old)
        *old = cancel_type;
    cancel_type = type;
    return 0;
}

void pthread_testcancel(void) {}

int pthread_getcpuclockid(pthread_t thread, clockid_t *clock)
{
    if (thread != MAIN_THREAD)
        return ESRCH;
    *clock = CLOCK_PROCESS_CPUTIME_ID;
    return 0;
}

int pthread_kill(pthread_t thread, int sig)
{
    if (thread != MAIN_THREAD)
        return ESRCH;
    if (sig == 0)
        return 0;
    return raise(sig) == 0 ? 0 : errno;
}

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
    return sigprocmask(how, set, old) == 0 ? 0 : errno;
}

/* ---- once and thread-specific data ------------------------------------- */

int pthread_once(pthread_once_t *once, void (*init)(void))
{
    if (*once == PTHREAD_ONCE_INIT) {
        *once = 1;
        init();
    }
    return 0;
}

static struct {
    int used;
    const void *value;
    void (*destructor)(void *);
} keys[PTHREAD_KEYS_MAX];

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
        if (!keys[k].used) {
            keys[k].used = 1;
            keys[k].value = NULL;
            keys[k].destructor = destructor;
            *key = k;
            return 0;
        }
    }
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
    if (key >= PTHREAD_KEYS_MAX || !keys[key].used)
        return EINVAL;
    keys[key].used = 0;
    return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
    return key < PTHREAD_KEYS_MAX && keys[key].used ? (void *)keys[key].value : NULL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
    if (key >= PTHREAD_KEYS_MAX || !keys[key].used)
        return EINVAL;
    keys[key].value = value;
    return 0;
}

/* The thread ends, and with it (the last thread) the process, with status
 * 0: after the destructors of its thread-specific data. */
_Noreturn void pthread_exit(void *result)
{
    (void)result;
    for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
        int ran = 0;
        for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
            void *value = (void *)keys[k].value;
            if (keys[k].used && value && keys[k].destructor) {
                keys[k].value = NULL;
                keys[k].destructor(value);
                ran = 1;
            }
        }
        if (!ran)
            break;
    }
    exit(0);
}

/* ---- fork handlers ------------------------------------------------------- */

struct fork_handlers {
    void (*prepare)(void), (*parent)(void), (*child)(void);
};
static struct fork_handlers *fork_handlers;
static size_t fork_handler_count;

int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
    struct fork_handlers *grown =
        realloc(fork_handlers, (fork_handler_count + 1) * sizeof *fork_handlers);
    if (!grown)
        return ENOMEM;
    fork_handlers = grown;
    fork_handlers[fork_handler_count++] = (struct fork_handlers){prepare, parent, child};
    return 0;
}

void __wasmux_atfork_prepare(void)
{
    for (size_t i = fork_handler_count; i-- > 0;)
        if (fork_handlers[i].prepare)
            fork_handlers[i].prepare();
}

void __wasmux_atfork_parent(void)
{
    for (size_t i = 0; i < fork_handler_count; i++)
        if (fork_handlers[i].parent)
            fork_handlers[i].parent();
}

void __wasmux_atfork_child(void)
{
    for (size_t i = 0; i < fork_handler_count; i++)
        if (fork_handlers[i].child)
            fork_handlers[i].child();
}

/* ---- attributes ---------------------------------------------------------- */

/* pthread_attr_t's words: the detach state, the stack size (0: default). */
enum { ATTR_DETACH, ATTR_STACK };
#define DEFAULT_STACK_SIZE 131072

int pthread_attr_init(pthread_attr_t *attr)
{
    memset(attr, 0, sizeof *attr);
    return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
    *state = attr->__u.__i[ATTR_DETACH];
    return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
    if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
        return EINVAL;
    attr->__u.__i[ATTR_DETACH] = state;
    return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *restrict attr, size_t *restrict size)
{
    int set = attr->__u.__i[ATTR_STACK];
    *size = set ? (size_t)set : DEFAULT_STACK_SIZE;
    return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
    if (size < PTHREAD_STACK_MIN || size > INT32_MAX)
        return EINVAL;
    attr->__u.__i[ATTR_STACK] = (int)size;
    return 0;
}

/* ---- mutexes -------------------------------------------------------------- */

/* pthread_mutexattr_t: the type in the low bits, process-shared above. */
#define MUTEXATTR_TYPE 3u
#define MUTEXATTR_SHARED 4u

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
    attr->__attr = 0;
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *restrict attr, int *restrict type)
{
    *type = (int)(attr->__attr & MUTEXATTR_TYPE);
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
    if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
        type != PTHREAD_MUTEX_ERRORCHECK)
        return EINVAL;
    attr->__attr = (attr->__attr & ~MUTEXATTR_TYPE) | (unsigned)type;
    return 0;
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *restrict attr, int *restrict shared)
{
    *shared = attr->__attr & MUTEXATTR_SHARED ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
    return 0;
}

int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int shared)
{
    if (shared != PTHREAD_PROCESS_PRIVATE && shared != PTHREAD_PROCESS_SHARED)
        return EINVAL;
    attr->__attr = (attr->__attr & ~MUTEXATTR_SHARED) | (shared ? MUTEXATTR_SHARED : 0);
    return 0;
}

/* pthread_mutex_t's words: its type, and how many times it is held. */
enum { MUTEX_TYPE, MUTEX_HELD };

int pthread_mutex_init(pthread_mutex_t *restrict mutex, const pthread_mutexattr_t *restrict attr)
{
    memset(mutex, 0, sizeof *mutex);
    mutex->__u.__i[MUTEX_TYPE] = attr ? (int)(attr->__attr & MUTEXATTR_TYPE) : 0;
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *mutex)
{
    return mutex->__u.__i[MUTEX_HELD] ? EBUSY : 0;
}

int pthread_mutex_trylock(pthread_mutex_t *mutex)
{
    int *held = (int *)&mutex->__u.__i[MUTEX_HELD];
    if (*held == 0 || mutex->__u.__i[MUTEX_TYPE] == PTHREAD_MUTEX_RECURSIVE) {
        if (*held == INT32_MAX)
            return EAGAIN;
        ++*held;
        return 0;
    }
    return EBUSY;
}

int pthread_mutex_lock(pthread_mutex_t *mutex)
{
    int err = pthread_mutex_trylock(mutex);
    /* Held by this thread, the only one: waiting would never end. */
    return err == EBUSY ? EDEADLK : err;
}

/* Waits until the CLOCK_REALTIME time `at`: 0, or EINVAL for no such time. */
static int sleep_until_realtime(const struct timespec *at)
{
    if (at->tv_nsec < 0 || at->tv_nsec >= 1000000000L)
        return EINVAL;
    int err;
    while ((err = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, at, NULL)) == EINTR)
        ;
    return err;
}

/* A mutex this thread holds stays held until the deadline: ETIMEDOUT then
 * (EDEADLK at once for an error-checking one). */
int pthread_mutex_timedlock(pthread_mutex_t *restrict mutex, const struct timespec *restrict at)
{
    int err = pthread_mutex_trylock(mutex);
    if (err != EBUSY)
        return err;
    if (mutex->__u.__i[MUTEX_TYPE] == PTHREAD_MUTEX_ERRORCHECK)
        return EDEADLK;
    err = sleep_until_realtime(at);
    return err ? err : ETIMEDOUT;
}

int pthread_mutex_unlock(pthread_mutex_t *mutex)
{
    int *held = (int *)&mutex->__u.__i[MUTEX_HELD];
    if (*held == 0)
        return EPERM;
    --*held;
    return 0;
}

/* ---- condition variables --------------------------------------------------- */

/* pthread_condattr_t: the clock of timed waits. */
int pthread_condattr_init(pthread_condattr_t *attr)
{
    attr->__attr = (unsigned)(uintptr_t)CLOCK_REALTIME;
    return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *restrict attr, clockid_t *restrict clock)
{
    *clock = (clockid_t)(uintptr_t)attr->__attr;
    return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
        return EINVAL;
    attr->__attr = (unsigned)(uintptr_t)clock;
    return 0;
}

/* pthread_cond_t's first word: the clock of its timed waits. */
int pthread_cond_init(pthread_cond_t *restrict cond, const pthread_condattr_t *restrict attr)
{
    memset(cond, 0, sizeof *cond);
    cond->__u.__p[0] = (void *)(uintptr_t)(attr ? attr->__attr : (unsigned)(uintptr_t)CLOCK_REALTIME);
    return 0;
}

int pthread_cond_destroy(pthread_cond_t *cond)
{
    (void)cond;
    return 0;
}

int pthread_cond_signal(pthread_cond_t *cond)
{
    (void)cond;
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *cond)
{
    (void)cond;
    return 0;
}

/* Waits with the mutex released until a signal handler runs (a wakeup the
 * caller's predicate loop checks, as after a spurious one) or `at` on the
 * condition's clock passes. */
static int cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, const struct timespec *at)
{
    int *held = (int *)&mutex->__u.__i[MUTEX_HELD];
    if (*held == 0)
        return EPERM;
    if (at && (at->tv_nsec < 0 || at->tv_nsec >= 1000000000L))
        return EINVAL;
    clockid_t clock = (clockid_t)cond->__u.__p[0];
    if (clock != CLOCK_MONOTONIC)
        clock = CLOCK_REALTIME;
    int saved = *held;
    *held = 0;
    int result = 0;
    for (;;) {
        int ms = 50;
        if (at) {
            struct timespec now;
            clock_gettime(clock, &now);
            long long left = (long long)(at->tv_sec - now.tv_sec) * 1000 +
                             (at->tv_nsec - now.tv_nsec) / 1000000;
            if (left <= 0) {
                result = ETIMEDOUT;
                break;
            }
            if (left < ms)
                ms = (int)left;
        }
        if (__wasmux_wait_for_handler(ms))
            break;
    }
    *held = saved;
    return result;
}

int pthread_cond_wait(pthread_cond_t *restrict cond, pthread_mutex_t *restrict mutex)
{
    return cond_wait_until(cond, mutex, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *restrict cond, pthread_mutex_t *restrict mutex,
                           const struct timespec *restrict at)
{
    return cond_wait_until(cond, mutex, at);
}

/* ---- read-write and spin locks ------------------------------------------------ */

/* pthread_rwlock_t's words: readers holding it, and whether a writer does. */
enum { RWLOCK_READERS, RWLOCK_WRITER };

int pthread_rwlock_init(pthread_rwlock_t *restrict lock, const pthread_rwlockattr_t *restrict attr)
{
    (void)attr;
    memset(lock, 0, sizeof *lock);
    return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *lock)
{
    return lock->__u.__i[RWLOCK_READERS] || lock->__u.__i[RWLOCK_WRITER] ? EBUSY : 0;
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *lock)
{
    if (lock->__u.__i[RWLOCK_WRITER])
        return EBUSY;
    if (lock->__u.__i[RWLOCK_READERS] == INT32_MAX)
        return EAGAIN;
    lock->__u.__i[RWLOCK_READERS]++;
    return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *lock)
{
    int err = pthread_rwlock_tryrdlock(lock);
    return err == EBUSY ? EDEADLK : err;
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *lock)
{
    if (lock->__u.__i[RWLOCK_WRITER] || lock->__u.__i[RWLOCK_READERS])
        return EBUSY;
    lock->__u.__i[RWLOCK_WRITER] = 1;
    return 0;
}

int pthread_rwlock_wrlock(pthread_rwlock_t *lock)
{
    int err = pthread_rwlock_trywrlock(lock);
    return err == EBUSY ? EDEADLK : err;
}

int pthread_rwlock_unlock(pthread_rwlock_t *lock)
{
    if (lock->__u.__i[RWLOCK_WRITER])
        lock->__u.__i[RWLOCK_WRITER] = 0;
    else if (lock->__u.__i[RWLOCK_READERS])
        lock->__u.__i[RWLOCK_READERS]--;
    else
        return EPERM;
    return 0;
}

int pthread_spin_init(pthread_spinlock_t *lock, int shared)
{
    (void)shared;
    *lock = 0;
    return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *lock) { return *lock ? EBUSY : 0; }

int pthread_spin_trylock(pthread_spinlock_t *lock)
{
    if (*lock)
        return EBUSY;
    *lock = 1;
    return 0;
}

int pthread_spin_lock(pthread_spinlock_t *lock)
{
    int err = pthread_spin_trylock(lock);
    return err == EBUSY ? EDEADLK : err;
}

int pthread_spin_unlock(pthread_spinlock_t *lock)
{
    *lock = 0;
    return 0;
}
