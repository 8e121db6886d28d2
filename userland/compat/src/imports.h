/* The host calls the compat layer is built on: WASIX (`wasix_32v1`), and
 * kernel-shim's own module `wasmux` for what WASIX lacks (see
 * kernel-shim/src/syscalls.rs). WASIX calls return a WASI errno; wasmux
 * calls return a Linux errno. Private to userland/compat/src. */
#ifndef WASMUX_COMPAT_IMPORTS_H
#define WASMUX_COMPAT_IMPORTS_H
#include <stdint.h>
#include <stddef.h>

#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))
#define WASMUX(name) __attribute__((import_module("wasmux"), import_name(#name)))

typedef struct {
    uint8_t tag; /* 1: some */
    uint32_t pid;
} wasix_option_pid;

typedef struct {
    uint8_t tag; /* 0 nothing, 1 exited */
    uint16_t exit_code;
} wasix_join_status;

#define WASIX_JOIN_NON_BLOCKING 1
#define WASIX_JOIN_NOTHING 0
#define WASIX_JOIN_EXITED 1

typedef struct {
    uint64_t user;
    uint64_t hash[2];
} wasix_snapshot;

typedef struct {
    uint32_t cols, rows, width, height;
    uint8_t stdin_tty, stdout_tty, stderr_tty, echo, line_buffered;
} wasix_tty;

#define WASIX_FDFLAG_CLOEXEC 1

WASIX(proc_fork) int wasix_proc_fork(int copy_memory, uint32_t *pid);
WASIX(proc_exec3) int wasix_proc_exec3(const char *name, size_t name_len, const char *args,
                                       size_t args_len, const char *envs, size_t envs_len,
                                       int search_path, const char *path, size_t path_len);
WASIX(proc_join) int wasix_proc_join(wasix_option_pid *pid, uint32_t flags,
                                     wasix_join_status *status);
WASIX(proc_id) int wasix_proc_id(uint32_t *pid);
WASIX(proc_raise_interval) int wasix_proc_raise_interval(int sig, uint64_t millis, int repeat);
WASIX(callback_signal) void wasix_callback_signal(const char *name, size_t len);
WASIX(fd_pipe) int wasix_fd_pipe(uint32_t *read_end, uint32_t *write_end);
WASIX(fd_dup) int wasix_fd_dup(uint32_t fd, uint32_t *out);
WASIX(fd_dup2) int wasix_fd_dup2(uint32_t fd, uint32_t min_fd, int cloexec, uint32_t *out);
WASIX(fd_fdflags_get) int wasix_fd_fdflags_get(uint32_t fd, uint16_t *flags);
WASIX(fd_fdflags_set) int wasix_fd_fdflags_set(uint32_t fd, uint16_t flags);
WASIX(tty_get) int wasix_tty_get(wasix_tty *tty);
WASIX(tty_set) int wasix_tty_set(const wasix_tty *tty);
WASIX(stack_checkpoint) int wasix_stack_checkpoint(wasix_snapshot *snapshot, uint64_t *ret);
WASIX(stack_restore) _Noreturn void wasix_stack_restore(const wasix_snapshot *snapshot,
                                                         uint64_t value);
WASIX(thread_parallelism) int wasix_thread_parallelism(uint32_t *count);
WASIX(getcwd) int wasix_getcwd(char *buf, uint32_t *len);
WASIX(chdir) int wasix_chdir(const char *path, size_t len);

WASMUX(path_stat) int wasmux_path_stat(const char *path, size_t len, int follow, void *out);
WASMUX(path_chmod) int wasmux_path_chmod(const char *path, size_t len, int mode, int follow);
WASMUX(path_chown) int wasmux_path_chown(const char *path, size_t len, int uid, int gid,
                                         int follow);
/* times: two (sec, nsec) pairs of int64, Linux UTIME_NOW/UTIME_OMIT; NULL: now */
WASMUX(path_utimes) int wasmux_path_utimes(const char *path, size_t len, const int64_t *times,
                                           int follow);
WASMUX(path_link) int wasmux_path_link(const char *old, size_t old_len, const char *new_path,
                                       size_t new_len);
WASMUX(umask) int wasmux_umask(int mask);
WASMUX(getuid) int wasmux_getuid(void);
WASMUX(geteuid) int wasmux_geteuid(void);
WASMUX(getgid) int wasmux_getgid(void);
WASMUX(getegid) int wasmux_getegid(void);
WASMUX(getppid) int wasmux_getppid(void);
WASMUX(proc_set_cmdline) int wasmux_proc_set_cmdline(const char *argv, size_t len);
WASMUX(kill) int wasmux_kill(int pid, int sig);
WASMUX(setpgid) int wasmux_setpgid(int pid, int pgid);
WASMUX(getpgid) int wasmux_getpgid(int pid);
WASMUX(getsid) int wasmux_getsid(int pid);
WASMUX(setsid) int wasmux_setsid(void);
WASMUX(tcgetpgrp) int wasmux_tcgetpgrp(void);
WASMUX(tcsetpgrp) int wasmux_tcsetpgrp(int pgid);
WASMUX(exit_signal) int wasmux_exit_signal(int sig);
WASMUX(sync) int wasmux_sync(void);
WASMUX(wait_status) int wasmux_wait_status(int pid, int exit_code);
WASMUX(signal_wait) int wasmux_signal_wait(int seen, int timeout_ms);
WASMUX(signal_take) int64_t wasmux_signal_take(int epoch);
WASMUX(signal_entry) int wasmux_signal_entry(void);
WASMUX(stop) int wasmux_stop(int sig);
WASMUX(exec_park) int wasmux_exec_park(void);
WASMUX(child_change) int wasmux_child_change(int pid, int flags);
WASMUX(signals_ready) int wasmux_signals_ready(int ready);
WASMUX(sigignore_set) int wasmux_sigignore_set(int64_t mask);
WASMUX(sigignore_get) int64_t wasmux_sigignore_get(void);

/* wasi-libc's errno values are WASI's, which is what WASIX calls return.
 * The wasmux module answers Linux numbers: this converts them. */
int __wasmux_linux_errno(int linux_errno);

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

/* Internal: called by fork() in the child, and at startup. */
void __wasmux_signals_init(void);
/* Internal: this image's registration of its signal callback with the
 * kernel (`wasmux.signals_ready`), which `wasmux.signal_take` names. */
extern int __wasmux_signal_epoch;
/* Internal: set while this image waits in WASIX proc_exec for its successor. */
extern int __wasmux_in_exec;
/* Internal: children this process forked (waitpid's bookkeeping). */
void __wasmux_child_forked(int pid);
void __wasmux_children_forget_all(void);
/* Internal: the absolute form of `path` (relative to the cwd) in `buf`. */
int __wasmux_absolute(const char *path, char *buf, size_t size);
#endif
