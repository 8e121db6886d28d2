/* The interval timer (src/timer.c), as signal delivery and fork see it. */
#ifndef WASMUX_COMPAT_TIMER_H
#define WASMUX_COMPAT_TIMER_H

/* SIGALRM came from WASIX (src/signal.c). WASIX raises an interval's
 * signal again and again, whatever `repeat` says: a one-shot timer
 * (alarm) is cancelled here. */
void __wasmux_timer_fired(void);
/* A fork's child starts with no timer armed (POSIX): WASIX copies the
 * parent's interval into it. Called by fork in the child. */
void __wasmux_timers_forget(void);
#endif
