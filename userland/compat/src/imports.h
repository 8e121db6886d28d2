/* The host calls the compat layer is built on: WASIX (`wasix_32v1`), and
 * kernel-shim's own module `wasmux` for what WASIX lacks (see
 * kernel-shim/src/wasmux_imports/). WASIX calls return a WASI errno; wasmux
 * calls return a Linux errno. Private to userland/compat/src.
 *
 * The host ABI and nothing else: each import is declared here once (a
 * `wasmux` one as `WASMUX(NAME) RET wasmux_NAME(PARAMS);`, NAME as the
 * kernel exports it), and nowhere else in the tree: a kernel-shim test
 * (src/wasmux_imports/tests.rs) holds these declarations to the kernel's
 * ABI table, names and types. The layer's own
 * functions are declared in the headers of the files that define them. */
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
WASIX(proc_exec4) int wasix_proc_exec4(const char *name, size_t name_len, char *const *args,
                                       size_t nargs, char *const *envs, size_t nenvs,
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
/* A socket address as WASIX passes it: the family (WASIX numbers, which
 * are wasi-libc's AF_*), a zero byte, then the port and the address. */
typedef struct {
    uint8_t family;
    uint8_t zero;
    uint8_t octets[18];
} wasix_addr_port;

/* An address without a port, as WASIX `resolve` answers. */
typedef struct {
    uint8_t family;
    uint8_t zero;
    uint8_t octets[16];
} wasix_addr;

typedef struct {
    uint8_t tag; /* 1: some */
    uint64_t nanos;
} wasix_option_time;

WASIX(sock_open) int wasix_sock_open(int family, int type, int protocol, uint32_t *fd);
WASIX(sock_pair) int wasix_sock_pair(int family, int type, int protocol, uint32_t *fd1,
                                     uint32_t *fd2);
WASIX(sock_bind) int wasix_sock_bind(uint32_t fd, const wasix_addr_port *addr);
WASIX(sock_connect) int wasix_sock_connect(uint32_t fd, const wasix_addr_port *addr);
WASIX(sock_listen) int wasix_sock_listen(uint32_t fd, uint32_t backlog);
WASIX(sock_accept_v2) int wasix_sock_accept(uint32_t fd, uint16_t fdflags, uint32_t *out,
                                            wasix_addr_port *peer);
WASIX(sock_recv_from) int wasix_sock_recv_from(uint32_t fd, const void *iovs, size_t iovs_len,
                                               uint16_t flags, size_t *len, uint16_t *out_flags,
                                               wasix_addr_port *from);
WASIX(sock_send_to) int wasix_sock_send_to(uint32_t fd, const void *iovs, size_t iovs_len,
                                           uint16_t flags, const wasix_addr_port *to,
                                           size_t *len);
WASIX(sock_recv) int wasix_sock_recv(uint32_t fd, const void *iovs, size_t iovs_len,
                                     uint16_t flags, size_t *len, uint16_t *out_flags);
WASIX(sock_send) int wasix_sock_send(uint32_t fd, const void *iovs, size_t iovs_len,
                                     uint16_t flags, size_t *len);
WASIX(sock_addr_local) int wasix_sock_addr_local(uint32_t fd, wasix_addr_port *addr);
WASIX(sock_addr_peer) int wasix_sock_addr_peer(uint32_t fd, wasix_addr_port *addr);
WASIX(sock_status) int wasix_sock_status(uint32_t fd, uint8_t *status);
WASIX(sock_set_opt_flag) int wasix_sock_set_opt_flag(uint32_t fd, int option, int flag);
WASIX(sock_get_opt_flag) int wasix_sock_get_opt_flag(uint32_t fd, int option, uint8_t *flag);
WASIX(sock_set_opt_size) int wasix_sock_set_opt_size(uint32_t fd, int option, uint64_t size);
WASIX(sock_get_opt_size) int wasix_sock_get_opt_size(uint32_t fd, int option, uint64_t *size);
WASIX(sock_set_opt_time) int wasix_sock_set_opt_time(uint32_t fd, int option,
                                                     const wasix_option_time *time);
WASIX(sock_get_opt_time) int wasix_sock_get_opt_time(uint32_t fd, int option,
                                                     wasix_option_time *time);
WASIX(resolve) int wasix_resolve(const char *host, size_t host_len, uint16_t port,
                                 wasix_addr *addrs, size_t max, size_t *count);
WASIX(getcwd) int wasix_getcwd(char *buf, uint32_t *len);
WASIX(chdir) int wasix_chdir(const char *path, size_t len);

WASMUX(path_stat) int wasmux_path_stat(const char *path, size_t len, int follow, void *out);
WASMUX(path_chmod) int wasmux_path_chmod(const char *path, size_t len, int mode, int follow);
WASMUX(path_chown) int wasmux_path_chown(const char *path, size_t len, int uid, int gid,
                                         int follow);
/* times: two (sec, nsec) pairs of int64, Linux UTIME_NOW/UTIME_OMIT; NULL: now */
WASMUX(path_utimes) int wasmux_path_utimes(const char *path, size_t len, const int64_t *times,
                                           int follow);
/* dev and ino: a stat record's, of a file a descriptor was opened on */
WASMUX(inode_stat) int wasmux_inode_stat(int64_t dev, int64_t ino, void *out);
WASMUX(inode_chmod) int wasmux_inode_chmod(int64_t dev, int64_t ino, int mode);
WASMUX(inode_chown) int wasmux_inode_chown(int64_t dev, int64_t ino, int uid, int gid);
WASMUX(inode_utimes) int wasmux_inode_utimes(int64_t dev, int64_t ino, const int64_t *times);
WASMUX(path_mknod) int wasmux_path_mknod(const char *path, size_t len, int mode);
WASMUX(path_link) int wasmux_path_link(const char *old, size_t old_len, const char *new_path,
                                       size_t new_len);
WASMUX(umask) int wasmux_umask(int mask);
WASMUX(create_mode) int wasmux_create_mode(int mode);
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
WASMUX(exit_code) int wasmux_exit_code(int code);
WASMUX(sync) int wasmux_sync(void);
WASMUX(io_errno) int wasmux_io_errno(void);
WASMUX(wait_status) int wasmux_wait_status(int pid, int exit_code);
WASMUX(signal_wait) int wasmux_signal_wait(int seen, int timeout_ms);
WASMUX(signal_take) int64_t wasmux_signal_take(int epoch);
WASMUX(signal_entry) int wasmux_signal_entry(void);
WASMUX(signal_sender) int wasmux_signal_sender(int sig);
WASMUX(stop) int wasmux_stop(int sig);
WASMUX(exec_park) int wasmux_exec_park(void);
WASMUX(child_change) int wasmux_child_change(int pid, int flags);
WASMUX(signals_ready) int wasmux_signals_ready(int ready);
WASMUX(sigignore_set) int wasmux_sigignore_set(int64_t mask);
WASMUX(sigignore_get) int64_t wasmux_sigignore_get(void);
WASMUX(sem_open) int wasmux_sem_open(const char *name, size_t len, int flags, int mode, int value);
WASMUX(sem_close) int wasmux_sem_close(int handle);
WASMUX(sem_unlink) int wasmux_sem_unlink(const char *name, size_t len);
WASMUX(sem_post) int wasmux_sem_post(int handle);
WASMUX(sem_wait) int wasmux_sem_wait(int handle, int64_t timeout_ns);
WASMUX(sem_getvalue) int wasmux_sem_getvalue(int handle);
#endif
