/* wasmux compat: wasi-libc's <stdlib.h> plus temporary files and
 * pseudo-terminals. */
#ifndef WASMUX_STDLIB_H
#define WASMUX_STDLIB_H
#include_next <stdlib.h>

int mkstemp(char *template);
int mkostemp(char *template, int flags);
char *mkdtemp(char *template);
char *mktemp(char *template);
int grantpt(int fd);
int unlockpt(int fd);
char *ptsname(int fd);
int posix_openpt(int flags);
char *realpath(const char *path, char *resolved);
#endif
