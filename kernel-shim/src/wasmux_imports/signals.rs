//! Signals: sending them, the dispositions the kernel must know (what the
//! process ignores), and the handshake by which a program that catches
//! signals takes them (see `crate::process::signals`).

use std::time::Duration;

use wasmux_vfs::Errno;

use super::{caller, Caller};
use crate::process::ProcessTable;
use crate::signal::{Signal, SignalSet};

pub(super) fn kill(ctx: Caller<'_>, pid: i32, signal: i32) -> Result<(), Errno> {
    let caller = caller()?;
    // Signal 0 sends nothing: it asks whether the target exists.
    let signal = match signal {
        0 => None,
        n => Some(Signal::from_guest(n)?),
    };
    let table = &ctx.data().context.processes;
    Ok(table.kill_as(&caller, pid, signal)?)
}

pub(super) fn sigignore_set(_ctx: Caller<'_>, mask: i64) -> Result<(), Errno> {
    caller()?.set_ignored_signals(SignalSet::from_mask(mask as u64));
    Ok(())
}

pub(super) fn sigignore_get(_ctx: Caller<'_>) -> i64 {
    caller().map_or(0, |c| c.ignored_signals().mask() as i64)
}

pub(super) fn signals_ready(ctx: Caller<'_>, ready: i32) -> Result<u32, Errno> {
    let table = &ctx.data().context.processes;
    Ok(table.set_signals_ready(&*caller()?, ready != 0))
}

pub(super) fn signal_wait(_ctx: Caller<'_>, seen: i32, timeout_ms: i32) -> i32 {
    let Ok(caller) = caller() else {
        return 0;
    };
    let timeout = match seen {
        -1 => Duration::ZERO,
        _ => Duration::from_millis(timeout_ms.max(0) as u64),
    };
    caller.wait_for_signal(seen as u32, timeout) as i32
}

pub(super) fn signal_take(ctx: Caller<'_>, epoch: i32) -> i64 {
    let table = &ctx.data().context.processes;
    caller().map_or(0, |c| table.take_pending(&c, epoch as u32).mask() as i64)
}

/// Whether the caller's signal callback may run now: not while asyncify
/// unwinds or rewinds its stack. wasmer-wasix calls the callback at the
/// start of `proc_fork` before it finishes rewinding a forked parent, where
/// instrumented code would misread its own stack; the doorbell is then rung
/// again for the next syscall.
pub(super) fn signal_entry(mut ctx: Caller<'_>) -> i32 {
    let Some(state) = ctx.data().asyncify_state.clone() else {
        return 1;
    };
    if state.call(&mut ctx).unwrap_or(0) == 0 {
        return 1;
    }
    if let Ok(caller) = caller() {
        tracing::debug!(pid = caller.pid, "signal callback during unwind or rewind");
        ProcessTable::ring(&caller);
    }
    0
}

pub(super) fn signal_sender(_ctx: Caller<'_>, signal: i32) -> i32 {
    match (caller(), Signal::from_guest(signal)) {
        (Ok(caller), Ok(signal)) => ProcessTable::sender(&caller, signal) as i32,
        _ => 0,
    }
}

/// An image that exec'd a successor waits for it here, out of the way of
/// the successor's signals.
pub(super) fn exec_park(ctx: Caller<'_>) -> Result<(), Errno> {
    ctx.data().context.processes.park_in_exec(&*caller()?);
    Ok(())
}
