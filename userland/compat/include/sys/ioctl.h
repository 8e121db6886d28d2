/* wasmux compat: wasi-libc's <sys/ioctl.h> plus the terminal requests
 * (window size, modes, foreground group), answered on WASIX tty_get/tty_set
 * and the wasmux import module. */
#ifndef WASMUX_SYS_IOCTL_H
#define WASMUX_SYS_IOCTL_H
#include_next <sys/ioctl.h>
#include <termios.h>

int __wasmux_ioctl(int fd, int request, ...);
#define ioctl __wasmux_ioctl
#endif
