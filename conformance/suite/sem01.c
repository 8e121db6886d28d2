/* sem01: POSIX semaphores, named (shared across processes) and unnamed. */
#include "tst.h"
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

/* CLOCK_REALTIME `ms` milliseconds from now, as sem_timedwait wants. */
static struct timespec in_ms(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* sem_open's result as a syscall's: -1 for SEM_FAILED. */
static int opened(sem_t *sem)
{
	return sem == SEM_FAILED ? -1 : 0;
}

static int value_of(sem_t *sem)
{
	int value = -1;
	sem_getvalue(sem, &value);
	return value;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* `sig` runs a handler that does nothing, with or without SA_RESTART. */
static void catch_signal(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	SAFE(sigaction(sig, &sa, NULL));
}

/* Whether a wait on `sem`, which nobody posts, ends with EINTR when a
 * child sends SIGUSR1. The child sends it every 100 ms until stopped: one
 * that comes before the wait has begun only runs the handler, a later one
 * interrupts the wait. */
static int wait_interrupted(sem_t *sem)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;) {
			usleep(100000);
			kill(getppid(), SIGUSR1);
		}
	}
	SAFE(pid);
	struct timespec limit = in_ms(30000);
	errno = 0;
	int interrupted = sem_timedwait(sem, &limit) == -1 && errno == EINTR;
	kill(pid, SIGKILL);
	tst_wait(pid);
	return interrupted;
}

static void named(void)
{
	char name[64], other[64];
	snprintf(name, sizeof name, "/wasmux-sem01-%d", (int)getpid());
	snprintf(other, sizeof other, "/wasmux-sem01-%d-b", (int)getpid());
	sem_unlink(name);
	sem_unlink(other);
	TEST_ERR("open_missing", opened(sem_open(name, 0)), ENOENT);
	sem_t *sem = sem_open(name, O_CREAT | O_EXCL, 0600, 1);
	if (sem == SEM_FAILED)
		TBROK_EXIT("open_create", "sem_open(O_CREAT | O_EXCL): %s", tst_errname(errno));
	tst_res(TPASS, "open_create", "sem_open(O_CREAT | O_EXCL) made %s", name);
	TEST_ERR("open_exclusive", opened(sem_open(name, O_CREAT | O_EXCL, 0600, 0)),
		 EEXIST);
	sem_t *again = sem_open(name, O_CREAT, 0600, 7);
	TEST_TRUE("same_address", again == sem, "opening the name again gives the same sem_t");
	TEST_TRUE("value_kept", value_of(sem) == 1, "O_CREAT on an existing one keeps its value: %d",
		  value_of(sem));
	TEST_OK("close_second_open", sem_close(again));
	TEST_OK("trywait", sem_trywait(sem));
	TEST_ERR("trywait_zero", sem_trywait(sem), EAGAIN);

	struct timespec start, deadline = in_ms(100);
	clock_gettime(CLOCK_MONOTONIC, &start);
	TEST_ERR("timedwait_timeout", sem_timedwait(sem, &deadline), ETIMEDOUT);
	TEST_TRUE("timedwait_waited", ms_since(&start) >= 90, "it returned after its deadline (%ld ms)",
		  ms_since(&start));
	struct timespec bad = { .tv_sec = 0, .tv_nsec = -1 };
	TEST_ERR("timedwait_bad_time", sem_timedwait(sem, &bad), EINVAL);
	SAFE(sem_post(sem));
	struct timespec past = { 0, 0 };
	TEST_OK("timedwait_past_but_free", sem_timedwait(sem, &past));

	/* Ping-pong with a child: it waits on `sem` (inherited across fork),
	 * then posts `reply`, which it opens by name. */
	sem_t *reply = sem_open(other, O_CREAT, 0600, 0);
	if (reply == SEM_FAILED)
		TBROK_EXIT("setup", "sem_open(%s): %s", other, tst_errname(errno));
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec limit = in_ms(10000);
		sem_t *mine = sem_open(other, 0);
		int ok = sem_timedwait(sem, &limit) == 0 && mine != SEM_FAILED && sem_post(mine) == 0;
		_exit(ok ? 0 : 1);
	}
	SAFE(pid);
	SAFE(sem_post(sem));
	struct timespec limit = in_ms(10000);
	TEST_OK("across_fork", sem_timedwait(reply, &limit));
	int status = tst_wait(pid);
	TEST_TRUE("child_took_it", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the child took the post and posted back (%#x)", status);

	catch_signal(SIGUSR1, 0);
	TEST_TRUE("wait_interrupted", wait_interrupted(reply), "a handler ends a wait with EINTR");
	/* Linux never restarts a semaphore wait, SA_RESTART or not. */
	catch_signal(SIGUSR1, SA_RESTART);
	TEST_TRUE("wait_interrupted_restart", wait_interrupted(reply),
		  "with SA_RESTART too, a handler ends a wait with EINTR");

	TEST_OK("unlink", sem_unlink(name));
	TEST_ERR("unlink_again", sem_unlink(name), ENOENT);
	TEST_ERR("open_unlinked", opened(sem_open(name, 0)), ENOENT);
	TEST_TRUE("open_after_unlink", sem_post(sem) == 0 && value_of(sem) == 1,
		  "an unlinked semaphore still works for those who have it open");
	TEST_OK("close", sem_close(sem));
	sem_close(reply);
	sem_unlink(other);

	TEST_ERR("name_only_slash", opened(sem_open("/", O_CREAT, 0600, 0)), EINVAL);
	TEST_ERR("name_with_slash", opened(sem_open("/a/b", O_CREAT, 0600, 0)), EINVAL);
	/* Its file, /dev/shm/sem.NAME, would have a name over NAME_MAX. */
	char longest[260] = "/";
	memset(longest + 1, 'n', 252);
	TEST_ERR("name_too_long", opened(sem_open(longest, O_CREAT, 0600, 0)), ENAMETOOLONG);
	TEST_ERR("unlink_bad_name", sem_unlink("/a/b"), ENOENT);
	TEST_ERR("value_too_large",
		 opened(sem_open(name, O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1)),
		 EINVAL);
}

static void unnamed(void)
{
	sem_t sem;
	TEST_OK("init", sem_init(&sem, 0, 0));
	TEST_ERR("unnamed_trywait_zero", sem_trywait(&sem), EAGAIN);
	SAFE(sem_post(&sem));
	TEST_TRUE("unnamed_post", value_of(&sem) == 1, "sem_post adds one: %d", value_of(&sem));
	TEST_OK("unnamed_wait", sem_wait(&sem));

	catch_signal(SIGALRM, 0);
	struct itimerval timer = { .it_value = { .tv_usec = 100000 } };
	SAFE(setitimer(ITIMER_REAL, &timer, NULL));
	TEST_ERR("unnamed_wait_alarm", sem_wait(&sem), EINTR);
	TEST_OK("destroy", sem_destroy(&sem));

	TEST_ERR("init_too_large", sem_init(&sem, 0, (unsigned)SEM_VALUE_MAX + 1), EINVAL);
	SAFE(sem_init(&sem, 0, SEM_VALUE_MAX));
	TEST_ERR("post_overflow", sem_post(&sem), EOVERFLOW);
	sem_destroy(&sem);
}

void tst_run(void)
{
	named();
	unnamed();
}
