/* Signals with real handler delivery.
 *
 * WASIX lets a program name one exported function that the host calls
 * with a signal number, between syscalls (`callback_signal`). That
 * function, `__wasmux_signal`, is the kernel's door into this file: rung
 * with SIGURG, it takes the signals the kernel holds for the process
 * (`wasmux.signal_take`) and applies the program's dispositions, mask and pending set the way Linux
 * would — a handler runs with its `sa_mask` and the signal itself blocked,
 * a blocked signal waits for `sigprocmask` to unblock it, a default
 * action that terminates makes the process die *of the signal*
 * (`wasmux.exit_signal`, so its parent's `waitpid` sees WIFSIGNALED), and
 * one that stops blocks in `wasmux.stop` until SIGCONT (the parent's
 * `waitpid(WUNTRACED)` sees WIFSTOPPED).
 *
 * Ignored signals are also told to the kernel (`wasmux.sigignore_set`),
 * which keeps them across `exec` as Linux does and applies them to
 * programs that do not catch signals themselves. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errnos.h"
#include "imports.h"
#include "signals.h"
#include "timer.h"

#define BIT(sig) (1ull << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define CALLBACK "__wasmux_signal"

static struct sigaction actions[_NSIG];
static sigset_t blocked;
static sigset_t pending;
/* How many handlers have run: sigsuspend returns once this moves. */
static volatile unsigned handled;
/* How many of them without SA_RESTART. */
static volatile unsigned interruptions;

/* wasi-libc's <signal.h> names SIG_IGN and SIG_ERR as these functions
 * (1 and -1 are valid function pointers in WebAssembly). */
void __SIG_IGN(int sig) { (void)sig; }
void __SIG_ERR(int sig) { (void)sig; }
void __SIG_HOLD(int sig) { (void)sig; }

static int valid(int sig) { return sig >= 1 && sig < 32; }

static void take_kernel_signals(void);

/* Delivers the signals pending for this process now: the kernel's, and
 * wasmer-wasix's own (alarm timers; re-registering the callback is a
 * syscall that processes them). */
static void deliver_host_signals(void)
{
    take_kernel_signals();
    wasix_callback_signal(CALLBACK, sizeof CALLBACK - 1);
}

static void tell_kernel_ignored(void)
{
    uint64_t mask = 0;
    for (int sig = 1; sig < 32; sig++)
        if (actions[sig].sa_handler == SIG_IGN)
            mask |= BIT(sig);
    wasmux_sigignore_set((int64_t)mask);
}

_Noreturn static void die_of(int sig)
{
    wasmux_exit_signal(sig);
    _Exit(128 + sig);
}

static void default_action(int sig)
{
    switch (sig) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
        return;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        wasmux_stop(sig); /* returns once continued */
        return;
    default:
        die_of(sig);
    }
}

static void deliver_pending(void);

/* Who sent each signal last, for si_pid: the kernel says for the signals
 * it held (`wasmux.signal_sender`), raise is the process itself, a WASIX
 * timer nobody (0). */
static pid_t senders[32];

static void run(int sig)
{
    struct sigaction *action = &actions[sig];
    if (action->sa_handler == SIG_IGN)
        return;
    if (action->sa_handler == SIG_DFL) {
        default_action(sig);
        return;
    }
    int saved_errno = errno;
    sigset_t saved_mask = blocked;
    blocked |= action->sa_mask;
    if (!(action->sa_flags & SA_NODEFER))
        blocked |= BIT(sig);
    blocked &= ~UNBLOCKABLE;
    struct sigaction now = *action;
    if (action->sa_flags & SA_RESETHAND)
        action->sa_handler = SIG_DFL;
    if (now.sa_flags & SA_SIGINFO) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        info.si_signo = sig;
        info.si_pid = senders[sig];
        info.si_uid = senders[sig] ? getuid() : 0;
        now.sa_sigaction(sig, &info, NULL);
    } else {
        now.sa_handler(sig);
    }
    blocked = saved_mask;
    handled++;
    if (!(now.sa_flags & SA_RESTART))
        interruptions++;
    errno = saved_errno;
    deliver_pending();
}

static void deliver_pending(void)
{
    sigset_t ready;
    while ((ready = pending & ~blocked) != 0) {
        int sig = __builtin_ctzll(ready) + 1;
        pending &= ~BIT(sig);
        run(sig);
    }
}

static void deliver(int sig)
{
    if (sig == SIGKILL)
        die_of(SIGKILL);
    if (blocked & BIT(sig)) {
        pending |= BIT(sig);
        return;
    }
    run(sig);
}

/* This image's registration of its signal callback with the kernel
 * (`wasmux.signals_ready`), which `wasmux.signal_take` names. */
static int epoch;
/* Set while this image waits in WASIX proc_exec for its successor. */
static int in_exec;

static void take_kernel_signals(void)
{
    uint64_t taken;
    while ((taken = (uint64_t)wasmux_signal_take(epoch)) != 0) {
        while (taken) {
            int sig = __builtin_ctzll(taken) + 1;
            taken &= ~BIT(sig);
            senders[sig] = wasmux_signal_sender(sig);
            deliver(sig);
        }
    }
}

/* The kernel keeps the signals sent to this process and rings with SIGURG
 * (see kernel-shim's `ProcessTable::ring`); any other number comes from
 * wasmer-wasix itself (alarm timers). An image that has exec'd a successor
 * (wasmer-wasix keeps its thread waiting for the new one) leaves the
 * signals to the successor: it parks until the successor is done. */
__attribute__((noinline)) static void on_signal(int sig)
{
    if (in_exec)
        wasmux_exec_park();
    else if (sig == SIGURG)
        take_kernel_signals();
    else if (valid(sig)) {
        if (sig == SIGALRM)
            __wasmux_timer_fired();
        senders[sig] = 0;
        deliver(sig);
    }
}

/* The callback itself: left out of asyncify's instrumentation (see
 * userland/compat/build.sh), so that it can ask whether the stack is being
 * unwound or rewound — wasmer-wasix calls it in the middle of rewinding a
 * forked parent, where instrumented code would misread its stack — and
 * return at once if so. It must do nothing after on_signal returns: a
 * handler that longjmps unwinds through it. */
__attribute__((export_name(CALLBACK))) void __wasmux_signal(int sig)
{
    if (wasmux_signal_entry())
        on_signal(sig);
}

void __wasmux_signals_init(void)
{
    pending = 0;
    wasix_callback_signal(CALLBACK, sizeof CALLBACK - 1);
    /* The kernel held signals sent since the fork or exec; now that the
     * callback is in place it sends them, and the next call takes them. */
    epoch = wasmux_signals_ready(1);
    deliver_host_signals();
}

/* At startup: dispositions are the defaults except what the kernel kept
 * ignored across exec; then the host may call us. */
__attribute__((constructor(101))) static void signals_start(void)
{
    uint64_t ignored = (uint64_t)wasmux_sigignore_get();
    for (int sig = 1; sig < 32; sig++)
        if (ignored & BIT(sig))
            actions[sig].sa_handler = SIG_IGN;
    __wasmux_signals_init();
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!valid(sig) || (act && (sig == SIGKILL || sig == SIGSTOP))) {
        errno = EINVAL;
        return -1;
    }
    if (old)
        *old = actions[sig];
    if (act) {
        int was_ignored = actions[sig].sa_handler == SIG_IGN;
        actions[sig] = *act;
        if (was_ignored != (act->sa_handler == SIG_IGN))
            tell_kernel_ignored();
        if (act->sa_handler == SIG_IGN)
            pending &= ~BIT(sig);
    }
    return 0;
}

void __wasmux_signals_before_exec(void)
{
    wasmux_signals_ready(0);
    in_exec = 1;
}

void __wasmux_signals_after_exec(void)
{
    in_exec = 0;
    epoch = wasmux_signals_ready(1);
}

unsigned __wasmux_interruptions(void) { return interruptions; }

int __wasmux_interrupting_handlers(void)
{
    for (int sig = 1; sig < 32; sig++) {
        void (*handler)(int) = actions[sig].sa_handler;
        if (handler != SIG_DFL && handler != SIG_IGN && !(actions[sig].sa_flags & SA_RESTART))
            return 1;
    }
    return 0;
}

void (*signal(int sig, void (*handler)(int)))(int)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART;
    if (sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

void (*bsd_signal(int sig, void (*handler)(int)))(int)
{
    return signal(sig, handler);
}

int siginterrupt(int sig, int flag)
{
    struct sigaction act;
    if (sigaction(sig, NULL, &act) < 0)
        return -1;
    if (flag)
        act.sa_flags &= ~SA_RESTART;
    else
        act.sa_flags |= SA_RESTART;
    return sigaction(sig, &act, NULL);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (old)
        *old = blocked;
    if (!set)
        return 0;
    switch (how) {
    case SIG_BLOCK: blocked |= *set; break;
    case SIG_UNBLOCK: blocked &= ~*set; break;
    case SIG_SETMASK: blocked = *set; break;
    default: errno = EINVAL; return -1;
    }
    blocked &= ~UNBLOCKABLE;
    deliver_pending();
    return 0;
}

int sigpending(sigset_t *set)
{
    *set = pending;
    return 0;
}

int sigsuspend(const sigset_t *mask)
{
    sigset_t saved = blocked;
    unsigned before = handled;
    blocked = *mask & ~UNBLOCKABLE;
    deliver_pending();
    while (handled == before) {
        int seen = wasmux_signal_wait(-1, 0);
        deliver_host_signals();
        if (handled != before)
            break;
        wasmux_signal_wait(seen, 1000);
        deliver_host_signals();
    }
    blocked = saved;
    deliver_pending();
    errno = EINTR;
    return -1;
}

int __wasmux_wait_for_handler(int ms)
{
    unsigned before = handled;
    int seen = wasmux_signal_wait(-1, 0);
    deliver_host_signals();
    if (handled == before) {
        wasmux_signal_wait(seen, ms);
        deliver_host_signals();
    }
    return handled != before;
}

int pause(void)
{
    sigset_t mask = blocked;
    return sigsuspend(&mask);
}

int raise(int sig)
{
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    senders[sig] = getpid();
    deliver(sig);
    return 0;
}

/* abort: SIGABRT, unblocked, to a handler if there is one; if the handler
 * returns, SIGABRT again with its default action, which ends the process
 * (wasi-libc's traps, and a trap tells a parent nothing of SIGABRT). */
_Noreturn void abort(void)
{
    sigset_t abrt;
    sigemptyset(&abrt);
    sigaddset(&abrt, SIGABRT);
    sigprocmask(SIG_UNBLOCK, &abrt, NULL);
    raise(SIGABRT);
    signal(SIGABRT, SIG_DFL);
    raise(SIGABRT);
    die_of(SIGABRT);
}

int kill(pid_t pid, int sig)
{
    int err = wasmux_kill(pid, sig);
    if (err) {
        errno = __wasmux_linux_errno(err);
        return -1;
    }
    /* A signal to ourselves is delivered before kill returns. */
    deliver_host_signals();
    return 0;
}

int killpg(pid_t pgrp, int sig)
{
    if (pgrp <= 1) {
        errno = EINVAL;
        return -1;
    }
    return kill(-pgrp, sig);
}

int sigemptyset(sigset_t *set) { *set = 0; return 0; }
int sigfillset(sigset_t *set) { *set = ~0ull; return 0; }
int sigisemptyset(const sigset_t *set) { return *set == 0; }

int sigaddset(sigset_t *set, int sig)
{
    if (sig < 1 || sig > 64) { errno = EINVAL; return -1; }
    *set |= BIT(sig);
    return 0;
}

int sigdelset(sigset_t *set, int sig)
{
    if (sig < 1 || sig > 64) { errno = EINVAL; return -1; }
    *set &= ~BIT(sig);
    return 0;
}

int sigismember(const sigset_t *set, int sig)
{
    if (sig < 1 || sig > 64) { errno = EINVAL; return -1; }
    return (*set & BIT(sig)) != 0;
}

/* ---- System V's calls -------------------------------------------------- */

static int change_mask(int how, int sig)
{
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    sigset_t one = BIT(sig);
    return sigprocmask(how, &one, NULL);
}

int sighold(int sig) { return change_mask(SIG_BLOCK, sig); }
int sigrelse(int sig) { return change_mask(SIG_UNBLOCK, sig); }

int sigignore(int sig)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = SIG_IGN;
    return sigaction(sig, &act, NULL);
}

/* The disposition `disp`, or SIG_HOLD to block the signal; returns the
 * previous disposition, SIG_HOLD if the signal was blocked. */
void (*sigset(int sig, void (*disp)(int)))(int)
{
    if (!valid(sig) || sig == SIGKILL || sig == SIGSTOP) {
        errno = EINVAL;
        return SIG_ERR;
    }
    int was_blocked = (blocked & BIT(sig)) != 0;
    void (*was)(int) = actions[sig].sa_handler;
    if (disp == SIG_HOLD) {
        if (sighold(sig) < 0)
            return SIG_ERR;
    } else {
        struct sigaction act;
        memset(&act, 0, sizeof act);
        act.sa_handler = disp;
        if (sigaction(sig, &act, NULL) < 0 || sigrelse(sig) < 0)
            return SIG_ERR;
    }
    return was_blocked ? SIG_HOLD : was;
}

/* Unblocks `sig` and waits for a signal (always -1, EINTR). */
int sigpause(int sig)
{
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    sigset_t mask = blocked & ~BIT(sig);
    return sigsuspend(&mask);
}

/* ---- the alternate stack (recorded only: see <signal.h>) ---------------- */

static stack_t alternate = {.ss_flags = SS_DISABLE};

int sigaltstack(const stack_t *ss, stack_t *old)
{
    if (ss && (ss->ss_flags & ~SS_DISABLE)) {
        errno = EINVAL;
        return -1;
    }
    if (ss && !(ss->ss_flags & SS_DISABLE) && ss->ss_size < MINSIGSTKSZ) {
        errno = ENOMEM;
        return -1;
    }
    if (old)
        *old = alternate;
    if (ss)
        alternate = (ss->ss_flags & SS_DISABLE) ? (stack_t){.ss_flags = SS_DISABLE} : *ss;
    return 0;
}
