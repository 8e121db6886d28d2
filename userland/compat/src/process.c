/* Processes: fork, exec, wait, process groups and sessions (the ids are
 * src/identity.c's).
 *
 * fork is WASIX `proc_fork` with a copy of memory (the program is
 * asyncify-instrumented, so the host can capture and replay its stack in
 * the child). exec is `proc_exec4`, after this file has done what the
 * Linux kernel does before it: the `#!` line of scripts. waitpid keeps its
 * own list of children — WASIX's `proc_join` neither fails for a pid that
 * is not a child nor waits without blocking for "any child"; stops and
 * continues (WUNTRACED, WCONTINUED) come from `wasmux.child_change` — and blocks
 * in `wasmux.signal_wait`, which SIGCHLD (sent by the kernel when a child
 * ends) and every other signal end, rather than in a WASIX wait, which a
 * SIGINT would end by killing the waiting shell even if it handles SIGINT. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wasi/api.h>

#include "atfork.h"
#include "errnos.h"
#include "imports.h"
#include "signals.h"
#include "timer.h"

extern char **environ;

/* ---- children ---------------------------------------------------------- */

static int *children;
static size_t nchildren, capacity;

static void child_forked(int pid)
{
    if (nchildren == capacity) {
        size_t more = capacity ? capacity * 2 : 16;
        int *grown = realloc(children, more * sizeof *children);
        if (!grown)
            return; /* waitpid(-1) will not see it; waitpid(pid) still does */
        children = grown;
        capacity = more;
    }
    children[nchildren++] = pid;
}

static void children_forget_all(void) { nchildren = 0; }

static void forget(size_t i) { children[i] = children[--nchildren]; }

static int is_child(pid_t pid)
{
    for (size_t i = 0; i < nchildren; i++)
        if (children[i] == pid)
            return 1;
    return 0;
}

/* Whether child `child` is one `waitpid(pid, ...)` asks about. */
static int matches(pid_t pid, int child)
{
    if (pid > 0)
        return child == pid;
    if (pid == -1)
        return 1;
    int group = wasmux_getpgid(child);
    return group >= 0 && group == (pid == 0 ? getpgrp() : -pid);
}

/* 1 and the status if `pid` has ended (it is then reaped), 0 if not. */
static int try_reap(int pid, int *status)
{
    wasix_option_pid which = {.tag = 1, .pid = (uint32_t)pid};
    wasix_join_status joined = {0};
    if (wasix_proc_join(&which, WASIX_JOIN_NON_BLOCKING, &joined) != 0)
        return 0;
    if (joined.tag != WASIX_JOIN_EXITED)
        return 0;
    *status = wasmux_wait_status(pid, joined.exit_code);
    return 1;
}

/* Whether ended children are reaped unseen: SIGCHLD ignored, or
 * SA_NOCLDWAIT. A wait then waits for every child it asks about to end,
 * and fails with ECHILD, as on Linux. */
static int children_autoreaped(void)
{
    struct sigaction sa;
    return sigaction(SIGCHLD, NULL, &sa) == 0 &&
           (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT));
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED)) {
        errno = EINVAL;
        return -1;
    }
    for (;;) {
        int seen = wasmux_signal_wait(-1, 0);
        int any = 0, unseen = children_autoreaped();
        for (size_t i = 0; i < nchildren; i++) {
            int child = children[i], st;
            if (!matches(pid, child))
                continue;
            if (try_reap(child, &st)) {
                forget(i);
                if (unseen) {
                    i--; /* forget moved the last child here */
                    continue;
                }
                if (status)
                    *status = st;
                return child;
            }
            any = 1;
            int change = wasmux_child_change(
                child, ((options & WUNTRACED) ? 1 : 0) | ((options & WCONTINUED) ? 2 : 0));
            if (change) {
                if (status)
                    *status = change;
                return child;
            }
        }
        if (!any) {
            errno = ECHILD;
            return -1;
        }
        if (options & WNOHANG)
            return 0;
        /* SIGCHLD wakes this; the timeout only covers a child that ended
         * between the check above and the wait. */
        wasmux_signal_wait(seen, 100);
        kill(getpid(), 0); /* lets pending signals run their handlers */
    }
}

pid_t wait(int *status) { return waitpid(-1, status, 0); }

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    if (usage)
        memset(usage, 0, sizeof *usage);
    return waitpid(pid, status, options);
}

pid_t wait3(int *status, int options, struct rusage *usage)
{
    return wait4(-1, status, options, usage);
}

/* ---- fork -------------------------------------------------------------- */

pid_t fork(void)
{
    __wasmux_atfork_prepare();
    uint32_t pid = 0;
    int err = wasix_proc_fork(1, &pid);
    if (err) {
        __wasmux_atfork_parent();
        errno = err;
        return -1;
    }
    if (pid == 0) {
        /* The child is a new instance: it registers for signals again and
         * has no children of its own yet. */
        __wasmux_signals_init();
        children_forget_all();
        __wasmux_timers_forget();
        __wasmux_atfork_child();
        return 0;
    }
    child_forked((int)pid);
    __wasmux_atfork_parent();
    return (pid_t)pid;
}

/* A vfork child may only exec or _exit; a fork gives it that and more. */
pid_t vfork(void) { return fork(); }

/* ---- exec -------------------------------------------------------------- */

static size_t count(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

#define MAX_INTERPRETERS 4

/* execve, following `#!` lines (Linux's binfmt_script) up to 4 deep. */
static int exec_at_depth(const char *path, char *const argv[], char *const envp[], int depth)
{
    /* Linux's checks first: a regular file with an execute bit (WASIX
     * would run a script without one, or try a directory). */
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    if (!S_ISREG(st.st_mode)) {
        errno = EACCES;
        return -1;
    }
    if (access(path, X_OK) < 0)
        return -1;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    char head[256];
    ssize_t n = read(fd, head, sizeof head - 1);
    close(fd);
    if (n >= 2 && head[0] == '#' && head[1] == '!') {
        if (depth >= MAX_INTERPRETERS) {
            errno = ELOOP;
            return -1;
        }
        head[n] = 0;
        char *line = head + 2, *end = strchr(line, '\n');
        if (end)
            *end = 0;
        while (*line == ' ' || *line == '\t')
            line++;
        char *interp = line;
        while (*line && *line != ' ' && *line != '\t')
            line++;
        char *arg = NULL;
        if (*line) {
            *line++ = 0;
            while (*line == ' ' || *line == '\t')
                line++;
            char *tail = line + strlen(line);
            while (tail > line && (tail[-1] == ' ' || tail[-1] == '\t' || tail[-1] == '\r'))
                *--tail = 0;
            if (*line)
                arg = line;
        }
        if (!*interp) {
            errno = ENOEXEC;
            return -1;
        }
        size_t argc = count(argv);
        char **args = malloc((argc + 3) * sizeof *args);
        if (!args)
            return -1;
        size_t k = 0;
        args[k++] = interp;
        if (arg)
            args[k++] = arg;
        args[k++] = (char *)path;
        for (size_t i = 1; i < argc; i++)
            args[k++] = argv[i];
        args[k] = NULL;
        exec_at_depth(interp, args, envp, depth + 1);
        free(args);
        return -1;
    }
    char *const *env = envp ? envp : environ;
    /* Signals sent while the image is replaced wait for the new one. */
    __wasmux_signals_before_exec();
    int err = wasix_proc_exec4(path, strlen(path), argv, count(argv), env, count(env), 0, NULL, 0);
    __wasmux_signals_after_exec();
    /* Only a failure returns. WASIX answers "cannot spawn" for a file that
     * is not a program. */
    errno = err == ENOEXEC || err == ENOTCAPABLE ? ENOEXEC : err;
    return -1;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    return exec_at_depth(path, argv, envp, 0);
}

int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    if (!*file) {
        errno = ENOENT;
        return -1;
    }
    if (strchr(file, '/'))
        return execve(file, argv, envp);
    const char *search = getenv("PATH");
    if (!search)
        search = "/usr/local/bin:/bin:/usr/bin";
    char candidate[PATH_MAX];
    int saw_eacces = 0;
    for (const char *dir = search;; dir++) {
        const char *end = strchr(dir, ':');
        size_t len = end ? (size_t)(end - dir) : strlen(dir);
        if (len + 1 + strlen(file) + 1 <= sizeof candidate) {
            memcpy(candidate, dir, len);
            size_t at = len;
            if (at == 0)
                candidate[at++] = '.';
            candidate[at++] = '/';
            strcpy(candidate + at, file);
            execve(candidate, argv, envp);
            if (errno == EACCES)
                saw_eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR)
                return -1;
        }
        if (!end)
            break;
        dir = end;
    }
    errno = saw_eacces ? EACCES : ENOENT;
    return -1;
}

int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

/* execl and friends: gather the variadic arguments into an argv. */
#define GATHER_ARGS(first, last_arg_out)                                       \
    size_t argc_ = 1;                                                          \
    va_list ap_;                                                               \
    va_start(ap_, first);                                                      \
    while (va_arg(ap_, char *))                                                \
        argc_++;                                                               \
    va_end(ap_);                                                               \
    char *argv_[argc_ + 1];                                                    \
    argv_[0] = (char *)(first);                                                \
    va_start(ap_, first);                                                      \
    for (size_t i_ = 1; i_ <= argc_; i_++)                                     \
        argv_[i_] = va_arg(ap_, char *);                                       \
    last_arg_out = va_arg(ap_, char **);                                       \
    va_end(ap_)

int execl(const char *path, const char *arg, ...)
{
    char **unused;
    GATHER_ARGS(arg, unused);
    (void)unused;
    return execve(path, argv_, environ);
}

int execlp(const char *file, const char *arg, ...)
{
    char **unused;
    GATHER_ARGS(arg, unused);
    (void)unused;
    return execvp(file, argv_);
}

int execle(const char *path, const char *arg, ...)
{
    char **envp;
    GATHER_ARGS(arg, envp);
    return execve(path, argv_, envp);
}

/* ---- the command line ------------------------------------------------- */

/* Names the process in /proc/<pid>/cmdline (and so in ps) with its argv:
 * a program started by exec is otherwise nameless to the kernel. */
__attribute__((constructor(103))) static void name_process(void)
{
    __wasi_size_t argc, size;
    if (__wasi_args_sizes_get(&argc, &size) != 0 || size == 0)
        return;
    char **argv = malloc((argc + 1) * sizeof *argv);
    char *buf = malloc(size);
    if (argv && buf && __wasi_args_get((uint8_t **)argv, (uint8_t *)buf) == 0)
        wasmux_proc_set_cmdline(buf, size);
    free(argv);
    free(buf);
}

/* ---- process groups and sessions --------------------------------------- */

static pid_t id_or_errno(int r)
{
    if (r < 0) {
        errno = __wasmux_linux_errno(-r);
        return -1;
    }
    return r;
}

pid_t getpgid(pid_t pid) { return id_or_errno(wasmux_getpgid(pid)); }
pid_t getpgrp(void) { return getpgid(0); }
pid_t getsid(pid_t pid) { return id_or_errno(wasmux_getsid(pid)); }
pid_t setsid(void) { return id_or_errno(wasmux_setsid()); }

int setpgid(pid_t pid, pid_t pgid)
{
    if (pid < 0 || pgid < 0) {
        errno = EINVAL;
        return -1;
    }
    if (pid != 0 && pid != getpid() && !is_child(pid)) {
        errno = ESRCH;
        return -1;
    }
    RETURN_ERRNO(__wasmux_linux_errno(wasmux_setpgid(pid, pgid)), 0);
}

/* ---- scheduling priority ---------------------------------------------- */

/* The process's nice value: kept (and inherited by fork) so that nice and
 * renice report what was set, but not enforced: the host schedules every
 * WebAssembly instance alike. */
static int niceness;

int getpriority(int which, id_t who)
{
    if (which != PRIO_PROCESS || (who != 0 && (pid_t)who != getpid())) {
        errno = which == PRIO_PROCESS ? ESRCH : EINVAL;
        return -1;
    }
    return niceness;
}

int setpriority(int which, id_t who, int prio)
{
    if (getpriority(which, who) == -1 && errno != 0)
        return -1;
    prio = prio < -20 ? -20 : prio > 19 ? 19 : prio;
    if (prio < niceness && geteuid() != 0) {
        errno = EACCES;
        return -1;
    }
    niceness = prio;
    return 0;
}

int nice(int inc)
{
    if (setpriority(PRIO_PROCESS, 0, niceness + inc) != 0) {
        if (errno == EACCES)
            errno = EPERM;
        return -1;
    }
    return niceness;
}

/* ---- system ------------------------------------------------------------ */

int system(const char *command)
{
    if (!command)
        return 1; /* a shell exists */
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_int, old_quit;
    sigset_t chld, old_mask;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old_mask);
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    int status = -1;
    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR) {
                status = -1;
                break;
            }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    return status;
}

/* ---- pipes to commands ------------------------------------------------ */

/* The streams popen opened, each with the pid of its command. */
static struct popened {
    FILE *stream;
    pid_t pid;
    struct popened *next;
} *popened;

FILE *popen(const char *command, const char *mode)
{
    int reading = mode[0] == 'r';
    if ((mode[0] != 'r' && mode[0] != 'w') || (mode[1] && mode[1] != 'e')) {
        errno = EINVAL;
        return NULL;
    }
    struct popened *entry = malloc(sizeof *entry);
    int ends[2];
    if (!entry || pipe(ends) != 0) {
        free(entry);
        return NULL;
    }
    int ours = reading ? ends[0] : ends[1];
    int theirs = reading ? ends[1] : ends[0];
    pid_t pid = fork();
    if (pid < 0) {
        close(ends[0]);
        close(ends[1]);
        free(entry);
        return NULL;
    }
    if (pid == 0) {
        /* POSIX: the child closes the streams of earlier popens. */
        for (struct popened *p = popened; p; p = p->next)
            close(fileno(p->stream));
        close(ours);
        int target = reading ? STDOUT_FILENO : STDIN_FILENO;
        if (theirs != target) {
            dup2(theirs, target);
            close(theirs);
        }
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(theirs);
    FILE *stream = fdopen(ours, reading ? "r" : "w");
    if (!stream) {
        close(ours);
        waitpid(pid, NULL, 0);
        free(entry);
        return NULL;
    }
    entry->stream = stream;
    entry->pid = pid;
    entry->next = popened;
    popened = entry;
    return stream;
}

int pclose(FILE *stream)
{
    struct popened **link = &popened;
    while (*link && (*link)->stream != stream)
        link = &(*link)->next;
    if (!*link) {
        errno = ECHILD;
        return -1;
    }
    struct popened *entry = *link;
    *link = entry->next;
    pid_t pid = entry->pid;
    free(entry);
    fclose(stream);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

/* WASIX hands a parent the exit code as an errno, which keeps only 0 to
 * 78 (exit(255) would be seen as 79): the kernel is told the code first,
 * and waitpid reports it from there. The link wraps every exit's call. */
_Noreturn void __real___wasi_proc_exit(__wasi_exitcode_t code);
_Noreturn void __wrap___wasi_proc_exit(__wasi_exitcode_t code)
{
    wasmux_exit_code((int)code);
    __real___wasi_proc_exit(code);
}
