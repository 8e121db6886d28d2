/* wasmux compat: wasi-libc's <stdio.h> plus pipes to commands. */
#ifndef WASMUX_STDIO_H
#define WASMUX_STDIO_H
#include_next <stdio.h>

FILE *popen(const char *command, const char *mode);
int pclose(FILE *stream);
#endif
