/* Small pieces of POSIX wasi-libc leaves out: signal names, page size,
 * resource limits (reported, not enforced: changing one is refused), the
 * machine's CPUs, memory and load, sync. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "imports.h"

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

/* ---- the machine: CPUs, memory, load (from /proc) --------------------- */

int get_nprocs(void)
{
    uint32_t count;
    return wasix_thread_parallelism(&count) == 0 && count > 0 ? (int)count : 1;
}

int get_nprocs_conf(void) { return get_nprocs(); }

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
    (void)pid;
    memset(set, 0, size);
    size_t cpus = (size_t)get_nprocs();
    for (size_t cpu = 0; cpu < cpus && cpu / 8 < size; cpu++)
        ((unsigned char *)set)[cpu / 8] |= (unsigned char)(1u << (cpu % 8));
    return 0;
}

/* The first line of `path` that starts with `key`, parsed as a number
 * after it (0 if absent). */
static unsigned long long proc_value(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long long value = 0;
    size_t key_len = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, key_len) == 0) {
            value = strtoull(line + key_len, NULL, 10);
            break;
        }
    fclose(f);
    return value;
}

int sysinfo(struct sysinfo *info)
{
    memset(info, 0, sizeof *info);
    info->uptime = (unsigned long)proc_value("/proc/uptime", "");
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        double loads[3] = {0};
        if (fscanf(f, "%lf %lf %lf", &loads[0], &loads[1], &loads[2]) == 3)
            for (int i = 0; i < 3; i++) /* fixed point, 16 bits of fraction */
                info->loads[i] = (unsigned long)(loads[i] * 65536.0);
        fclose(f);
    }
    info->mem_unit = 1024;
    info->totalram = (unsigned long)proc_value("/proc/meminfo", "MemTotal:");
    info->freeram = (unsigned long)proc_value("/proc/meminfo", "MemFree:");
    DIR *proc = opendir("/proc");
    if (proc) {
        for (struct dirent *entry; (entry = readdir(proc));)
            if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9')
                info->procs++;
        closedir(proc);
    }
    return 0;
}

/* ---- durability -------------------------------------------------------- */

void sync(void) { wasmux_sync(); }

/* One filesystem persists (the root): syncing any is syncing it. */
int syncfs(int fd)
{
    (void)fd;
    int err = wasmux_sync();
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

/* ---- the system's name ------------------------------------------------- */

/* Linux as the kernel presents itself (/proc/version says the same); the
 * node name is the root's /etc/hostname. */
int uname(struct utsname *name)
{
    memset(name, 0, sizeof *name);
    strcpy(name->sysname, "Linux");
    strcpy(name->release, "6.1.0-wasmux");
    strcpy(name->version, "#1");
    strcpy(name->machine, "wasm32");
    strcpy(name->domainname, "(none)");
    strcpy(name->nodename, "(none)");
    FILE *f = fopen("/etc/hostname", "r");
    if (f) {
        char line[sizeof name->nodename];
        if (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            if (line[0])
                strcpy(name->nodename, line);
        }
        fclose(f);
    }
    return 0;
}

int gethostname(char *buf, size_t len)
{
    struct utsname name;
    uname(&name);
    if (strlen(name.nodename) >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(buf, name.nodename);
    return 0;
}
