/* Terminal modes on WASIX tty_get/tty_set.
 *
 * The session's terminal (kernel-shim/src/terminal.rs) keeps the real line
 * discipline; WASIX exposes two of its switches, echo and canonical input
 * ("line buffered"), which are what shells and editors toggle. The other
 * termios fields read back as a Linux terminal's defaults and are accepted
 * but not acted on. */
#include <errno.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "errnos.h"
#include "imports.h"

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
