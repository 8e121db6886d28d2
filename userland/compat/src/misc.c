/* Small pieces of POSIX wasi-libc leaves out: signal names, page size,
 * resource limits (reported, not enforced: changing one is refused). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int getpagesize(void) { return 4096; }

static const char *const signal_names[32] = {
    [SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit",
    [SIGILL] = "Illegal instruction", [SIGTRAP] = "Trace/breakpoint trap",
    [SIGABRT] = "Aborted", [SIGBUS] = "Bus error",
    [SIGFPE] = "Floating point exception", [SIGKILL] = "Killed",
    [SIGUSR1] = "User defined signal 1", [SIGSEGV] = "Segmentation fault",
    [SIGUSR2] = "User defined signal 2", [SIGPIPE] = "Broken pipe",
    [SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated",
    [SIGSTKFLT] = "Stack fault", [SIGCHLD] = "Child exited",
    [SIGCONT] = "Continued", [SIGSTOP] = "Stopped (signal)",
    [SIGTSTP] = "Stopped", [SIGTTIN] = "Stopped (tty input)",
    [SIGTTOU] = "Stopped (tty output)", [SIGURG] = "Urgent I/O condition",
    [SIGXCPU] = "CPU time limit exceeded", [SIGXFSZ] = "File size limit exceeded",
    [SIGVTALRM] = "Virtual timer expired", [SIGPROF] = "Profiling timer expired",
    [SIGWINCH] = "Window changed", [SIGIO] = "I/O possible",
    [SIGPWR] = "Power failure", [SIGSYS] = "Bad system call",
};

char *strsignal(int sig)
{
    static char unknown[32];
    if (sig > 0 && sig < 32 && signal_names[sig])
        return (char *)signal_names[sig];
    snprintf(unknown, sizeof unknown, "Unknown signal %d", sig);
    return unknown;
}

static int limit_of(int resource, struct rlimit *limit)
{
    switch (resource) {
    case RLIMIT_NOFILE:
        limit->rlim_cur = limit->rlim_max = 1024;
        return 0;
    case RLIMIT_STACK:
        limit->rlim_cur = limit->rlim_max = 1 << 20; /* the linked stack */
        return 0;
    default:
        if (resource < 0 || resource >= RLIM_NLIMITS) {
            errno = EINVAL;
            return -1;
        }
        limit->rlim_cur = limit->rlim_max = RLIM_INFINITY;
        return 0;
    }
}

int getrlimit(int resource, struct rlimit *limit) { return limit_of(resource, limit); }

int setrlimit(int resource, const struct rlimit *limit)
{
    struct rlimit now;
    if (limit_of(resource, &now) < 0)
        return -1;
    if (limit->rlim_cur == now.rlim_cur && limit->rlim_max == now.rlim_max)
        return 0;
    errno = EPERM;
    return -1;
}
