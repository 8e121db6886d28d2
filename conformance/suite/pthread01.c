/* pthread01: the POSIX thread calls a single-threaded program uses (locks,
 * once, thread-specific data, fork handlers, its own signals and exit). */
#include "tst.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

static int once_runs;
static void once_init(void) { once_runs++; }

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int sig) { (void)sig; usr1_seen = 1; }

/* The order the fork handlers ran in, as letters. */
static char order[16];
static void note(char c)
{
	size_t n = strlen(order);
	if (n + 1 < sizeof order)
		order[n] = c;
}
static void prepare_a(void) { note('A'); }
static void prepare_b(void) { note('B'); }
static void parent_a(void) { note('a'); }
static void parent_b(void) { note('b'); }
static void child_a(void) { note('x'); }
static void child_b(void) { note('y'); }

static int report_fd;
static void destroy(void *value) { write(report_fd, value, 1); }

static void mutexes(void)
{
	pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;
	TEST_TRUE("mutex_lock", pthread_mutex_lock(&normal) == 0, "a static mutex locks");
	TEST_TRUE("mutex_trylock_held", pthread_mutex_trylock(&normal) == EBUSY,
		  "trylock of a held mutex is EBUSY");
	TEST_TRUE("mutex_unlock", pthread_mutex_unlock(&normal) == 0, "and unlocks");
	TEST_TRUE("mutex_destroy", pthread_mutex_destroy(&normal) == 0, "an unlocked mutex is destroyed");
	pthread_mutex_init(&normal, NULL);
	pthread_mutex_lock(&normal);
	struct timespec soon;
	clock_gettime(CLOCK_REALTIME, &soon);
	soon.tv_nsec += 50000000L;
	if (soon.tv_nsec >= 1000000000L) {
		soon.tv_sec++;
		soon.tv_nsec -= 1000000000L;
	}
	TEST_TRUE("mutex_timedlock_held", pthread_mutex_timedlock(&normal, &soon) == ETIMEDOUT,
		  "timedlock of a mutex held (by the caller) times out");
	pthread_mutex_unlock(&normal);

	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	int type = -1;
	pthread_mutexattr_gettype(&attr, &type);
	TEST_TRUE("mutexattr_type", type == PTHREAD_MUTEX_RECURSIVE, "the attribute keeps its type");
	pthread_mutex_t recursive;
	pthread_mutex_init(&recursive, &attr);
	int twice = pthread_mutex_lock(&recursive) == 0 && pthread_mutex_lock(&recursive) == 0;
	int released = pthread_mutex_unlock(&recursive) == 0 && pthread_mutex_unlock(&recursive) == 0;
	TEST_TRUE("mutex_recursive", twice && released, "a recursive mutex locks twice, unlocks twice");
	TEST_TRUE("mutex_recursive_extra_unlock", pthread_mutex_unlock(&recursive) == EPERM,
		  "one unlock too many is EPERM");

	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_t checked;
	pthread_mutex_init(&checked, &attr);
	pthread_mutex_lock(&checked);
	TEST_TRUE("mutex_errorcheck_relock", pthread_mutex_lock(&checked) == EDEADLK,
		  "an error-checking mutex locked again by its owner is EDEADLK");
	pthread_mutex_unlock(&checked);
	TEST_TRUE("mutex_errorcheck_unlock_free", pthread_mutex_unlock(&checked) == EPERM,
		  "unlocking a free error-checking mutex is EPERM");
	pthread_mutexattr_destroy(&attr);

	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	int readers = pthread_rwlock_rdlock(&rw) == 0 && pthread_rwlock_rdlock(&rw) == 0;
	TEST_TRUE("rwlock_readers", readers && pthread_rwlock_trywrlock(&rw) == EBUSY,
		  "two readers hold it; a writer may not");
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_unlock(&rw);
	TEST_TRUE("rwlock_writer", pthread_rwlock_trywrlock(&rw) == 0 &&
		  pthread_rwlock_tryrdlock(&rw) == EBUSY, "a writer holds it alone");
	pthread_rwlock_unlock(&rw);
}

static void cond_timeout(void)
{
	pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	struct timespec at, start, end;
	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_nsec += 100000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mutex);
	clock_gettime(CLOCK_MONOTONIC, &start);
	int r = pthread_cond_timedwait(&cond, &mutex, &at);
	clock_gettime(CLOCK_MONOTONIC, &end);
	long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
	TEST_TRUE("cond_timedwait", r == ETIMEDOUT && ms >= 90,
		  "nobody signals: ETIMEDOUT at the deadline (%d after %ld ms)", r, ms);
	TEST_TRUE("cond_mutex_back", pthread_mutex_trylock(&mutex) == EBUSY,
		  "the mutex is held again on return");
	pthread_mutex_unlock(&mutex);
	TEST_TRUE("cond_signal_nobody", pthread_cond_signal(&cond) == 0 &&
		  pthread_cond_broadcast(&cond) == 0, "signalling with no waiter is fine");
}

void tst_run(void)
{
	TEST_TRUE("self", pthread_equal(pthread_self(), pthread_self()), "pthread_self is itself");
	pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, once_init);
	pthread_once(&once, once_init);
	TEST_TRUE("once", once_runs == 1, "pthread_once runs its function once: %d", once_runs);
	mutexes();
	cond_timeout();

	pthread_key_t key;
	TEST_TRUE("key_create", pthread_key_create(&key, NULL) == 0, "a key is made");
	static int value;
	pthread_setspecific(key, &value);
	TEST_TRUE("key_value", pthread_getspecific(key) == &value, "its value is kept");
	TEST_TRUE("key_delete", pthread_key_delete(key) == 0, "and it is deleted");

	signal(SIGUSR1, on_usr1);
	TEST_TRUE("kill_self", pthread_kill(pthread_self(), SIGUSR1) == 0 && usr1_seen,
		  "pthread_kill of oneself runs the handler");
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	usr1_seen = 0;
	pthread_sigmask(SIG_BLOCK, &set, &old);
	pthread_kill(pthread_self(), SIGUSR1);
	int held = !usr1_seen;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	TEST_TRUE("sigmask", held && usr1_seen, "pthread_sigmask holds it until unblocked");

	int p[2];
	SAFE(pipe(p));
	pthread_atfork(prepare_a, parent_a, child_a);
	pthread_atfork(prepare_b, parent_b, child_b);
	pid_t pid = fork();
	if (pid == 0) {
		/* The child's order, then its thread's exit with a destructor. */
		write(p[1], order, strlen(order));
		report_fd = p[1];
		pthread_key_t mine;
		pthread_key_create(&mine, destroy);
		pthread_setspecific(mine, "!");
		pthread_exit(NULL);
	}
	SAFE(pid);
	int status = tst_wait(pid);
	char got[16] = "";
	close(p[1]);
	size_t n = 0;
	ssize_t r;
	while (n < sizeof got - 1 && (r = read(p[0], got + n, sizeof got - 1 - n)) > 0)
		n += (size_t)r;
	close(p[0]);
	TEST_TRUE("atfork_parent", strcmp(order, "BAab") == 0,
		  "prepare handlers in reverse, parent handlers in order: %s", order);
	TEST_TRUE("atfork_child", strcmp(got, "BAxy!") == 0,
		  "the child ran prepare then its own handlers, and the destructor at exit: %s", got);
	TEST_TRUE("exit_main_thread", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "pthread_exit of the only thread ends the process with 0 (%#x)", status);
}
