/* wasmux compat: wasi-libc's <poll.h> plus the event bits it leaves out.
 * WASI has no out-of-band data, so POLLPRI is never reported. */
#ifndef WASMUX_POLL_H
#define WASMUX_POLL_H
#include_next <poll.h>

#ifndef POLLPRI
#define POLLPRI 0x400
#endif
#endif
