/* wasmux compat: wasi-libc's <signal.h> (signal numbers, struct
 * sigaction) plus what WASI lacks, implemented on WASIX proc_signal and
 * callback_signal. */
#ifndef WASMUX_SIGNAL_H
#define WASMUX_SIGNAL_H
#ifndef _WASI_EMULATED_SIGNAL
#define _WASI_EMULATED_SIGNAL
#endif
#include_next <signal.h>
#include <sys/types.h>

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

union sigval {
    int sival_int;
    void *sival_ptr;
};

typedef struct {
    int si_signo;
    int si_errno;
    int si_code;
    pid_t si_pid;
    uid_t si_uid;
    int si_status;
    union sigval si_value;
} siginfo_t;

struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t *, void *);
    } __handler;
    sigset_t sa_mask;
    int sa_flags;
};
#define sa_handler __handler.sa_handler
#define sa_sigaction __handler.sa_sigaction

int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigisemptyset(const sigset_t *set);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
/* The process is one thread (see <pthread.h>): these act on it. */
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int pthread_kill(pthread_t thread, int sig);
int sigsuspend(const sigset_t *mask);
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int sigpending(sigset_t *set);
int siginterrupt(int sig, int flag);

/* System V's signal calls (src/signal.c). */
void __SIG_HOLD(int);
#define SIG_HOLD (__SIG_HOLD)
void (*sigset(int sig, void (*disp)(int)))(int);
int sighold(int sig);
int sigrelse(int sig);
int sigignore(int sig);
int sigpause(int sig);

/* An alternate signal stack is recorded but never switched to: handlers
 * run on the program's own stack (WebAssembly's stack is not the
 * program's to move). */
typedef struct {
    void *ss_sp;
    int ss_flags;
    size_t ss_size;
} stack_t;
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ 8192
int sigaltstack(const stack_t *ss, stack_t *old);
#endif
