/*
 * tst.h: how a conformance program reports.
 *
 * Every case prints one line, `TPASS name: message` (or TFAIL, TBROK,
 * TCONF), in a single write(2) so that lines from forked children never
 * interleave and nothing waits in a stdio buffer when a process dies. The
 * case name is stable (the baseline is keyed on it); the message is for
 * people. TCONF means "does not apply here" and always says why.
 *
 * A program defines `tst_run(void)`; this header supplies main(), which
 * puts back the defaults a program may not have inherited (see
 * tst_reset_inherited), makes a fresh working directory under /tmp, runs
 * the cases there and removes it. The exit status summarises: 0 when every
 * case passed or was TCONF, 1 when one failed, 2 when the program broke
 * (TBROK).
 *
 * The macros below carry most cases:
 *   TEST_OK(name, call)         the call returns anything but -1
 *   TEST_ERR(name, call, E)     the call returns -1 with errno E
 *   TEST_TRUE(name, cond, ...)  the condition holds (printf-style detail)
 * They print the call's text, so a report line says what was tried.
 */
#ifndef TST_H
#define TST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

enum { TPASS, TFAIL, TBROK, TCONF };

static int tst_failed, tst_broken;
static pid_t tst_owner;
static char tst_dir[256];
static char **tst_argv;
static int tst_argc;

/* A symbolic errno, so that Linux and WASI (whose numbers differ) compare. */
static const char *tst_errname(int e)
{
	switch (e) {
#define N(x) case x: return #x;
	N(EPERM) N(ENOENT) N(ESRCH) N(EINTR) N(EIO) N(ENXIO) N(E2BIG)
	N(ENOEXEC) N(EBADF) N(ECHILD) N(EAGAIN) N(ENOMEM) N(EACCES) N(EFAULT)
	N(EBUSY) N(EEXIST) N(EXDEV) N(ENODEV) N(ENOTDIR) N(EISDIR) N(EINVAL)
	N(ENFILE) N(EMFILE) N(ENOTTY) N(EFBIG) N(ENOSPC) N(ESPIPE) N(EROFS)
	N(EMLINK) N(EPIPE) N(ERANGE) N(ENAMETOOLONG) N(ENOSYS) N(ENOTEMPTY)
	N(ELOOP) N(EOPNOTSUPP) N(EADDRINUSE) N(EADDRNOTAVAIL) N(ECONNREFUSED)
	N(ENOTCONN) N(EISCONN) N(EAFNOSUPPORT) N(ENOTSOCK) N(EDESTADDRREQ)
	N(EPROTONOSUPPORT) N(ETIMEDOUT) N(EINPROGRESS) N(EALREADY)
	N(ECONNRESET) N(EPROTOTYPE) N(ENOPROTOOPT) N(EMSGSIZE) N(EOVERFLOW)
#undef N
	}
	static char other[32];
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

static void tst_res(int result, const char *name, const char *fmt, ...)
{
	static const char *const label[] = { "TPASS", "TFAIL", "TBROK", "TCONF" };
	char line[1024];
	int n = snprintf(line, sizeof line, "%s %s: ", label[result], name);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = sizeof line - 2;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	line[n++] = '\n';
	ssize_t done = 0;
	while (done < n) {
		ssize_t w = write(1, line + done, n - done);
		if (w <= 0)
			break;
		done += w;
	}
	if (result == TFAIL)
		tst_failed = 1;
	if (result == TBROK)
		tst_broken = 1;
}

static void tst_cleanup(void);

/* A setup step failed: report it and end the program. */
#define TBROK_EXIT(name, ...) do { \
	tst_res(TBROK, name, __VA_ARGS__); \
	tst_cleanup(); \
	exit(2); \
} while (0)

/* Setup that must work, or nothing after it means anything. */
#define SAFE(call) do { \
	if ((long)(call) == -1) \
		TBROK_EXIT("setup", "%s: %s (line %d)", #call, tst_errname(errno), __LINE__); \
} while (0)

#define TEST_OK(name, call) do { \
	errno = 0; \
	long tst_ret_ = (long)(call); \
	if (tst_ret_ == -1) \
		tst_res(TFAIL, name, "%s failed: %s", #call, tst_errname(errno)); \
	else \
		tst_res(TPASS, name, "%s = %ld", #call, tst_ret_); \
} while (0)

#define TEST_ERR(name, call, expected) do { \
	errno = 0; \
	long tst_ret_ = (long)(call); \
	int tst_errno_ = errno; \
	if (tst_ret_ != -1) \
		tst_res(TFAIL, name, "%s = %ld, expected %s", #call, tst_ret_, #expected); \
	else if (tst_errno_ != (expected)) \
		tst_res(TFAIL, name, "%s: %s, expected %s", #call, \
			tst_errname(tst_errno_), #expected); \
	else \
		tst_res(TPASS, name, "%s: %s", #call, #expected); \
} while (0)

#define TEST_TRUE(name, cond, ...) do { \
	if (cond) \
		tst_res(TPASS, name, __VA_ARGS__); \
	else { \
		char tst_msg_[512]; \
		snprintf(tst_msg_, sizeof tst_msg_, __VA_ARGS__); \
		tst_res(TFAIL, name, "%s (%s does not hold)", tst_msg_, #cond); \
	} \
} while (0)

/* Writes a whole file; setup only. */
static void tst_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		TBROK_EXIT("setup", "create %s: %s", path, tst_errname(errno));
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		TBROK_EXIT("setup", "write %s: %s", path, tst_errname(errno));
	close(fd);
}

/* Reads up to size-1 bytes of a file into buf, NUL-terminated; -1 on error. */
static ssize_t tst_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t total = 0, n;
	while (total < (ssize_t)size - 1 && (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return total;
}

/* Waits for a child and returns its raw status, or -1. */
static int tst_wait(pid_t pid)
{
	int status;
	pid_t got;
	do
		got = waitpid(pid, &status, 0);
	while (got == -1 && errno == EINTR);
	return got > 0 && (pid == -1 || got == pid) ? status : -1;
}

static void tst_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		if (d) {
			struct dirent *e;
			char child[1024];
			while ((e = readdir(d))) {
				if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
					continue;
				snprintf(child, sizeof child, "%s/%s", path, e->d_name);
				tst_remove_tree(child);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void tst_cleanup(void)
{
	if (getpid() != tst_owner || !tst_dir[0])
		return;
	if (chdir("/") == 0)
		tst_remove_tree(tst_dir);
	tst_dir[0] = 0;
}

/* The program's own path, for cases that execute it again. */
static const char *tst_self(void)
{
	return tst_argv[0];
}

/*
 * What exec(2) passes on and the cases rely on being the default: a program
 * started under `nohup` ignores SIGHUP, one started in the background by a
 * shell without job control ignores SIGINT and SIGQUIT, and a parent may
 * leave signals blocked or pending, an alarm running, or limits lowered
 * (`ulimit -f`, `-n`, `-u`, `-c`). Every program therefore starts from:
 *  - every catchable signal at its default action, none blocked or pending
 *    (setting SIG_IGN discards a pending signal);
 *  - no alarm;
 *  - no core files (a case that ends in SIGABRT leaves none behind);
 *  - the limits it may meet raised as far as the hard limit allows: file
 *    size, CPU time, memory, processes unlimited, at least 1024
 *    descriptors and an 8 MiB stack (Linux's usual defaults).
 * Nothing here fails the program: a limit that cannot be raised stays (the
 * case that meets it says so), and a system whose limits are fixed (fast
 * mode's are) refuses the change harmlessly. A program's own mode (argv[1]
 * `child:...`, run by exec from the program itself) inherits this state
 * unchanged, since inheriting it may be what the case checks.
 */
static void tst_reset_inherited(void)
{
	sigset_t pending;
	sigemptyset(&pending);
	sigpending(&pending);
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction old;
		if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &old) != 0)
			continue; /* not catchable, or reserved by the C library */
		struct sigaction act;
		memset(&act, 0, sizeof act);
		sigemptyset(&act.sa_mask);
		if (sigismember(&pending, sig) == 1) {
			act.sa_handler = SIG_IGN;
			sigaction(sig, &act, NULL);
			old.sa_handler = SIG_IGN;
		}
		if (old.sa_handler == SIG_IGN) {
			act.sa_handler = SIG_DFL;
			sigaction(sig, &act, NULL);
		}
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	alarm(0);

	static const struct {
		int resource;
		rlim_t at_least;
	} limits[] = {
		{ RLIMIT_FSIZE, RLIM_INFINITY }, { RLIMIT_CPU, RLIM_INFINITY },
		{ RLIMIT_DATA, RLIM_INFINITY },	 { RLIMIT_AS, RLIM_INFINITY },
		{ RLIMIT_NPROC, RLIM_INFINITY }, { RLIMIT_NOFILE, 1024 },
		{ RLIMIT_STACK, 8 << 20 },
	};
	struct rlimit rl;
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		if (getrlimit(limits[i].resource, &rl) != 0)
			continue;
		rlim_t want = limits[i].at_least < rl.rlim_max ? limits[i].at_least : rl.rlim_max;
		if (rl.rlim_cur < want) {
			rl.rlim_cur = want;
			setrlimit(limits[i].resource, &rl);
		}
	}
	if (getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur != 0) {
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &rl);
	}
}

void tst_run(void);

int main(int argc, char **argv)
{
	tst_argc = argc;
	tst_argv = argv;
	tst_owner = getpid();
	/* A child mode (argv[1] starting with "child:") runs in the caller's directory. */
	if (argc < 2 || strncmp(argv[1], "child:", 6) != 0) {
		tst_reset_inherited();
		const char *base = strrchr(argv[0], '/');
		base = base ? base + 1 : argv[0];
		snprintf(tst_dir, sizeof tst_dir, "/tmp/tst.%s.%d", base, (int)getpid());
		tst_remove_tree(tst_dir);
		umask(022);
		if (mkdir(tst_dir, 0755) != 0 || chdir(tst_dir) != 0) {
			tst_res(TBROK, "setup", "temporary directory %s: %s", tst_dir,
				tst_errname(errno));
			return 2;
		}
	}
	tst_run();
	tst_cleanup();
	/* Every case ran: the runner counts a program that ends without this
	 * line (replaced by exec, or exited early) as broken. */
	if (getpid() == tst_owner && (argc < 2 || strncmp(argv[1], "child:", 6) != 0))
		write(1, "TDONE\n", 6);
	return tst_broken ? 2 : tst_failed ? 1 : 0;
}

#endif
