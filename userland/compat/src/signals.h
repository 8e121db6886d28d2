/* Signal delivery (src/signal.c), as the rest of the layer meets it. */
#ifndef WASMUX_COMPAT_SIGNALS_H
#define WASMUX_COMPAT_SIGNALS_H

/* Registers this image's signal callback with the kernel, which then
 * sends what it held: at startup, and in fork's child. */
void __wasmux_signals_init(void);

/* exec (src/process.c) leaves the signals to the image that replaces this
 * one: before WASIX proc_exec, signals sent while the image is replaced
 * wait for the new one, and this image parks if rung meanwhile
 * (wasmer-wasix keeps its thread waiting for the successor); after it
 * (only a failed exec returns), this image takes them again. */
void __wasmux_signals_before_exec(void);
void __wasmux_signals_after_exec(void);

/* Waits up to `ms` milliseconds (less than a day) for a signal whose
 * handler then runs; 1 if one ran, 0 if the time passed. What sleeps must
 * be woken by (nanosleep, see src/time.c). */
int __wasmux_wait_for_handler(int ms);

/* How many handlers without SA_RESTART have run, and whether any is
 * installed now: a blocked read must then end with EINTR when one runs
 * (src/fd.c). */
unsigned __wasmux_interruptions(void);
int __wasmux_interrupting_handlers(void);
#endif
