//! Processes and jobs: the parent, the command line `/proc` shows, process
//! groups and sessions, the terminal's foreground group, and stopping.

use std::sync::Arc;

use wasmux_vfs::Errno;

use super::{caller, read_bytes, Caller};
use crate::process::{Pid, ProcessRecord};
use crate::signal::Signal;

pub(super) fn getppid(_ctx: Caller<'_>) -> i32 {
    caller().map_or(0, |r| r.ppid as i32)
}

pub(super) fn proc_set_cmdline(ctx: Caller<'_>, argv: i32, argv_len: i32) -> Result<(), Errno> {
    let bytes = read_bytes(&ctx, argv, argv_len)?;
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(&bytes);
    caller()?.set_argv(
        bytes
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
    );
    Ok(())
}

/// A process or group id from the guest: not negative.
fn id(id: i32) -> Result<Pid, Errno> {
    id.try_into().map_err(|_| Errno::Inval)
}

pub(super) fn setpgid(ctx: Caller<'_>, pid: i32, pgid: i32) -> Result<(), Errno> {
    let table = &ctx.data().context.processes;
    Ok(table.set_pgid(&*caller()?, id(pid)?, id(pgid)?)?)
}

/// The record of `pid`, `0` meaning the caller.
fn record_of(ctx: &Caller<'_>, pid: i32) -> Result<Arc<ProcessRecord>, Errno> {
    match pid {
        0 => caller(),
        p if p < 0 => Err(Errno::Srch),
        p => ctx
            .data()
            .context
            .processes
            .get(p as Pid)
            .ok_or(Errno::Srch),
    }
}

/// The group and session of `pid` (`0`: the caller), a zombie's included.
fn ids_of(ctx: &Caller<'_>, pid: i32) -> Result<(Pid, Pid), Errno> {
    match record_of(ctx, pid) {
        Ok(record) => Ok((record.pgid(), record.sid())),
        Err(e) if pid > 0 => ctx.data().context.processes.zombie_ids(pid as Pid).ok_or(e),
        Err(e) => Err(e),
    }
}

pub(super) fn getpgid(ctx: Caller<'_>, pid: i32) -> Result<Pid, Errno> {
    ids_of(&ctx, pid).map(|(pgid, _)| pgid)
}

pub(super) fn getsid(ctx: Caller<'_>, pid: i32) -> Result<Pid, Errno> {
    ids_of(&ctx, pid).map(|(_, sid)| sid)
}

pub(super) fn setsid(ctx: Caller<'_>) -> Result<Pid, Errno> {
    Ok(ctx.data().context.processes.set_sid(&*caller()?)?)
}

pub(super) fn tcgetpgrp(ctx: Caller<'_>) -> Result<Pid, Errno> {
    Ok(ctx.data().context.processes.foreground(&*caller()?))
}

pub(super) fn tcsetpgrp(ctx: Caller<'_>, pgid: i32) -> Result<(), Errno> {
    let table = &ctx.data().context.processes;
    Ok(table.set_foreground(&*caller()?, id(pgid)?)?)
}

/// The caller applies a stop signal's default action: it stops until
/// SIGCONT (or a signal that kills it).
pub(super) fn stop(ctx: Caller<'_>, signal: i32) -> Result<(), Errno> {
    let (caller, signal) = (caller()?, Signal::from_guest(signal)?);
    ctx.data().context.processes.stop(&caller, signal);
    Ok(())
}
