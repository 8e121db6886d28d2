/* execve01: execve(2): arguments, environment, identity, errors. */
#include "tst.h"

void tst_run(void)
{
	if (tst_argc > 1 && !strncmp(tst_argv[1], "child:", 6)) {
		const char *mode = tst_argv[1] + 6;
		if (!strcmp(mode, "args"))
			_exit(tst_argc == 4 && !strcmp(tst_argv[2], "one") && !strcmp(tst_argv[3], "two words") ? 0 : 1);
		if (!strcmp(mode, "env")) {
			const char *v = getenv("TST_VALUE");
			_exit(v && !strcmp(v, "42") && !getenv("TST_ABSENT") ? 0 : 1);
		}
		if (!strcmp(mode, "pid"))
			_exit(getpid() == atoi(tst_argv[2]) ? 0 : 1);
		_exit(2);
	}
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)tst_self(), "child:args", "one", "two words", NULL };
		char *envp[] = { NULL };
		execve(tst_self(), argv, envp);
		_exit(127);
	}
	int status = tst_wait(pid);
	TEST_TRUE("args", WIFEXITED(status) && WEXITSTATUS(status) == 0, "arguments arrive (%#x)", status);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)tst_self(), "child:env", NULL };
		char *envp[] = { "TST_VALUE=42", NULL };
		setenv("TST_ABSENT", "1", 1);
		execve(tst_self(), argv, envp);
		_exit(127);
	}
	status = tst_wait(pid);
	TEST_TRUE("env", WIFEXITED(status) && WEXITSTATUS(status) == 0, "exactly the given environment (%#x)",
		  status);
	pid = fork();
	if (pid == 0) {
		char me[16];
		snprintf(me, sizeof me, "%d", getpid());
		char *argv[] = { (char *)tst_self(), "child:pid", me, NULL };
		execv(tst_self(), argv);
		_exit(127);
	}
	status = tst_wait(pid);
	TEST_TRUE("same_pid", WIFEXITED(status) && WEXITSTATUS(status) == 0, "the pid survives exec (%#x)", status);
	char *argv[] = { "x", NULL };
	char *envp[] = { NULL };
	TEST_ERR("noent", execve("./missing", argv, envp), ENOENT);
	tst_write_file("noexec", "#!/bin/sh\nexit 0\n", 0644);
	TEST_ERR("not_executable", execve("./noexec", argv, envp), EACCES);
	tst_write_file("garbage", "\x01\x02\x03\x04 this is not a program\n", 0755);
	TEST_ERR("bad_format", execve("./garbage", argv, envp), ENOEXEC);
	SAFE(mkdir("dir", 0755));
	TEST_ERR("directory", execve("./dir", argv, envp), EACCES);
	TEST_ERR("notdir", execve("./noexec/x", argv, envp), ENOTDIR);
	pid = fork();
	if (pid == 0) {
		setenv("PATH", "/usr/bin:/bin", 1);
		execlp("no-such-command-anywhere", "x", (char *)NULL);
		_exit(errno == ENOENT ? 0 : 1);
	}
	status = tst_wait(pid);
	TEST_TRUE("path_search_noent", WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "execlp of an unknown command: ENOENT (%#x)", status);
}
