//! How a process ends and how its parent learns of it: the signal it dies
//! of or the code it exits with (which WASIX would lose), Linux's wait
//! statuses, and the stops and continues `waitpid` reports.

use wasmux_vfs::Errno;

use super::{caller, Caller};
use crate::process::{JobChange, Pid};
use crate::signal::Signal;

pub(super) fn exit_signal(ctx: Caller<'_>, signal: i32) -> Result<(), Errno> {
    let (caller, signal) = (caller()?, Signal::from_guest(signal)?);
    ctx.data()
        .context
        .processes
        .record_death(caller.pid, signal);
    Ok(())
}

/// The caller is about to exit with `code` (WASIX would pass a parent only
/// codes up to 78: the rest become 79).
pub(super) fn exit_code(ctx: Caller<'_>, code: i32) -> Result<(), Errno> {
    let caller = caller()?;
    ctx.data()
        .context
        .processes
        .record_exit(caller.pid, code as u8);
    Ok(())
}

pub(super) fn wait_status(ctx: Caller<'_>, pid: i32, exit_code: i32) -> i32 {
    let status = ctx.data().context.processes.collect(pid as Pid);
    match (status.signal, status.code) {
        (Some(signal), _) => i32::from(signal.number()),
        (None, Some(code)) => i32::from(code) << 8,
        (None, None) => (exit_code & 0xff) << 8,
    }
}

/// The wait status of child `pid`'s uncollected stop (`flags` bit 0,
/// WUNTRACED) or continue (bit 1, WCONTINUED), taking it; 0 if none.
pub(super) fn child_change(ctx: Caller<'_>, pid: i32, flags: i32) -> i32 {
    let Ok(caller) = caller() else {
        return 0;
    };
    let table = &ctx.data().context.processes;
    table
        .take_change(&caller, pid as Pid, flags & 1 != 0, flags & 2 != 0)
        .map_or(0, JobChange::wait_status)
}
