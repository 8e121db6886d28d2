/* wasmux compat: wasi-libc's <unistd.h> plus the process, descriptor and
 * identity calls WASI lacks (implemented on WASIX and wasmux imports). */
#ifndef WASMUX_UNISTD_H
#define WASMUX_UNISTD_H
#ifndef _WASI_EMULATED_GETPID
#define _WASI_EMULATED_GETPID
#endif
#include_next <unistd.h>
#include <sys/types.h>

/* wasi-libc turns lseek(fd, 0, SEEK_CUR) into its own tell by a macro,
 * which answers a pipe with EACCES past the layer's lseek (ESPIPE). */
#undef lseek

/* lseek's SEEK_DATA and SEEK_HOLE (Linux's values): the layer's lseek
 * answers them treating the whole file as data, as Linux's filesystems
 * without hole tracking do. */
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
int dup(int fd);
int dup2(int fd, int to);
int dup3(int fd, int to, int flags);
pid_t fork(void);
pid_t vfork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
int execvpe(const char *file, char *const argv[], char *const envp[]);
int execl(const char *path, const char *arg, ...);
int execlp(const char *file, const char *arg, ...);
int execle(const char *path, const char *arg, ...);
pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t pid);
int setpgid(pid_t pid, pid_t pgid);
pid_t setsid(void);
pid_t getsid(pid_t pid);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int getgroups(int size, gid_t list[]);
int setuid(uid_t uid);
int seteuid(uid_t uid);
int setgid(gid_t gid);
int setegid(gid_t gid);
int setreuid(uid_t ruid, uid_t euid);
int setregid(gid_t rgid, gid_t egid);
int chown(const char *path, uid_t uid, gid_t gid);
int fchown(int fd, uid_t uid, gid_t gid);
int lchown(const char *path, uid_t uid, gid_t gid);
int fchdir(int fd);
char *ttyname(int fd);
int ttyname_r(int fd, char *buf, size_t len);
unsigned alarm(unsigned seconds);
int pause(void);
int nice(int inc);
char *getlogin(void);
int getlogin_r(char *buf, size_t len);
char *getpass(const char *prompt);
int vhangup(void);
int chroot(const char *path);
int sethostname(const char *name, size_t len);
int getdomainname(char *name, size_t len);
int getpagesize(void);
/* Commits every filesystem's pending changes (wasmux import `sync`). */
void sync(void);
int syncfs(int fd);

/* chdir also moves the process's WASIX working directory (see src/fs.c). */
int __wasmux_chdir(const char *path);
#define chdir __wasmux_chdir
#endif
