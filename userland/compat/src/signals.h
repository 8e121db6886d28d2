/* Signal delivery (src/signal.c), as the rest of the layer waits for it. */
#ifndef WASMUX_COMPAT_SIGNALS_H
#define WASMUX_COMPAT_SIGNALS_H

/* Waits up to `ms` milliseconds (less than a day) for a signal whose
 * handler then runs; 1 if one ran, 0 if the time passed. What sleeps must
 * be woken by (nanosleep, see src/time.c). */
int __wasmux_wait_for_handler(int ms);
#endif
