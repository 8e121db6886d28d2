/* Terminals: which descriptors are one (isatty, ttyname), their modes on
 * WASIX tty_get/tty_set, and the ioctls a terminal program asks.
 *
 * The session's terminal (kernel-shim/src/terminal.rs) keeps the real line
 * discipline; WASIX exposes two of its switches, echo and canonical input
 * ("line buffered"), which are what shells and editors toggle. The other
 * termios fields read back as a Linux terminal's defaults and are accepted
 * but not acted on. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc-find-relpath.h>

#include "errnos.h"
#include "imports.h"

#undef ioctl

/* isatty. wasmer-wasix's fd_fdstat_get calls descriptors 0-2 character
 * devices whatever they now are, so the file behind the descriptor
 * (fd_filestat_get) decides:
 * - a character device is one of the process's original standard
 *   streams: a terminal when the kernel gave the session one (tty_get);
 * - a directory is not;
 * - any other file is a terminal when it is the same file as /dev/tty (a
 *   terminal opened by path: wasmer-wasix reports it as a regular file or,
 *   once duplicated, as "unknown", numbered after its path). */
static int stat_dev_tty(__wasi_filestat_t *st)
{
    const char *prefix, *relative;
    int dir = __wasilibc_find_abspath("/dev/tty", &prefix, &relative);
    if (dir < 0)
        return -1;
    return __wasi_path_filestat_get((__wasi_fd_t)dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                    relative, st) ? -1 : 0;
}

int isatty(int fd)
{
    __wasi_filestat_t file;
    int err = __wasi_fd_filestat_get((__wasi_fd_t)fd, &file);
    if (err) {
        errno = err;
        return 0;
    }
    if (file.filetype == __WASI_FILETYPE_CHARACTER_DEVICE) {
        wasix_tty tty;
        if (wasix_tty_get(&tty) == 0 && tty.stdin_tty)
            return 1;
    } else if (file.filetype != __WASI_FILETYPE_DIRECTORY) {
        __wasi_filestat_t tty;
        if (stat_dev_tty(&tty) == 0 && file.dev == tty.dev && file.ino == tty.ino)
            return 1;
    }
    errno = ENOTTY;
    return 0;
}

/* The terminal's name: every terminal descriptor here is the one terminal
 * of the session, /dev/tty. */
int ttyname_r(int fd, char *buf, size_t len)
{
    if (!isatty(fd))
        return errno;
    if (len < sizeof "/dev/tty")
        return ERANGE;
    strcpy(buf, "/dev/tty");
    return 0;
}

char *ttyname(int fd)
{
    static char name[16];
    int err = ttyname_r(fd, name, sizeof name);
    if (err) {
        errno = err;
        return NULL;
    }
    return name;
}

static int terminal(int fd, wasix_tty *tty)
{
    if (!isatty(fd)) {
        errno = ENOTTY;
        return -1;
    }
    int err = wasix_tty_get(tty);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

int tcgetattr(int fd, struct termios *t)
{
    wasix_tty tty;
    if (terminal(fd, &tty) < 0)
        return -1;
    memset(t, 0, sizeof *t);
    t->c_iflag = ICRNL | IXON;
    t->c_oflag = OPOST | ONLCR;
    t->c_cflag = CS8 | CREAD | B38400;
    t->c_lflag = ISIG | IEXTEN | ECHOCTL | ECHOKE;
    if (tty.echo)
        t->c_lflag |= ECHO | ECHOE | ECHOK;
    if (tty.line_buffered)
        t->c_lflag |= ICANON;
    static const cc_t defaults[] = {
        [VINTR] = 3, [VQUIT] = 28, [VERASE] = 127, [VKILL] = 21, [VEOF] = 4,
        [VTIME] = 0, [VMIN] = 1, [VSTART] = 17, [VSTOP] = 19, [VSUSP] = 26,
        [VREPRINT] = 18, [VWERASE] = 23, [VLNEXT] = 22, [VDISCARD] = 15,
    };
    memcpy(t->c_cc, defaults, sizeof defaults);
    t->__c_ispeed = t->__c_ospeed = B38400;
    return 0;
}

int tcsetattr(int fd, int action, const struct termios *t)
{
    (void)action;
    wasix_tty tty;
    if (terminal(fd, &tty) < 0)
        return -1;
    tty.echo = (t->c_lflag & ECHO) != 0;
    tty.line_buffered = (t->c_lflag & ICANON) != 0;
    int err = wasix_tty_set(&tty);
    RETURN_ERRNO(err, 0);
}

int tcflush(int fd, int queue) { (void)queue; return isatty(fd) ? 0 : -1; }
int tcdrain(int fd) { return isatty(fd) ? 0 : -1; }
int tcflow(int fd, int action) { (void)action; return isatty(fd) ? 0 : -1; }
int tcsendbreak(int fd, int duration) { (void)duration; return isatty(fd) ? 0 : -1; }

pid_t tcgetpgrp(int fd)
{
    if (!isatty(fd)) {
        errno = ENOTTY;
        return -1;
    }
    return wasmux_tcgetpgrp();
}

int tcsetpgrp(int fd, pid_t pgrp)
{
    if (!isatty(fd)) {
        errno = ENOTTY;
        return -1;
    }
    RETURN_ERRNO(__wasmux_linux_errno(wasmux_tcsetpgrp(pgrp)), 0);
}

pid_t tcgetsid(int fd)
{
    if (!isatty(fd)) {
        errno = ENOTTY;
        return -1;
    }
    return getsid(0);
}

void cfmakeraw(struct termios *t)
{
    t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t->c_oflag &= ~OPOST;
    t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t->c_cflag |= CS8;
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}

speed_t cfgetospeed(const struct termios *t) { return t->__c_ospeed; }
speed_t cfgetispeed(const struct termios *t) { return t->__c_ispeed; }
int cfsetospeed(struct termios *t, speed_t speed) { t->__c_ospeed = speed; return 0; }
int cfsetispeed(struct termios *t, speed_t speed) { t->__c_ispeed = speed; return 0; }
int cfsetspeed(struct termios *t, speed_t speed)
{
    t->__c_ispeed = t->__c_ospeed = speed;
    return 0;
}

int __wasmux_ioctl(int fd, int request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    switch (request) {
    case TIOCGWINSZ: {
        if (!isatty(fd))
            return -1;
        wasix_tty tty;
        int err = wasix_tty_get(&tty);
        if (err) {
            errno = err;
            return -1;
        }
        struct winsize *ws = arg;
        ws->ws_row = (unsigned short)tty.rows;
        ws->ws_col = (unsigned short)tty.cols;
        ws->ws_xpixel = (unsigned short)tty.width;
        ws->ws_ypixel = (unsigned short)tty.height;
        return 0;
    }
    case TIOCSWINSZ:
        return isatty(fd) ? 0 : -1;
    case TCGETS:
        return tcgetattr(fd, arg);
    case TCSETS:
        return tcsetattr(fd, TCSANOW, arg);
    case TCSETSW:
        return tcsetattr(fd, TCSADRAIN, arg);
    case TCSETSF:
        return tcsetattr(fd, TCSAFLUSH, arg);
    case TIOCGPGRP: {
        pid_t pgrp = tcgetpgrp(fd);
        if (pgrp < 0)
            return -1;
        *(pid_t *)arg = pgrp;
        return 0;
    }
    case TIOCSPGRP:
        return tcsetpgrp(fd, *(pid_t *)arg);
    case TIOCSCTTY: case TIOCNOTTY:
        return isatty(fd) ? 0 : -1;
    default:
        return ioctl(fd, request, arg);
    }
}
